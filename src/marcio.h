/*
 * marcio.h - streaming readers and writers for every MARC serialisation
 * bienmuc speaks: ISO 2709, MARCXML, MarcEdit/MARCMaker .mrk and
 * MARC-in-JSON. Memory stays constant whatever the file size: a reader
 * holds one record at a time.
 *
 * Every record read passes the charset firewall (charset.h): whatever the
 * source encoding, the `rec` handed back is UTF-8 NFC with Leader/09 'a'.
 * A record that cannot be read is not lost: marc_reader_next() returns
 * MR_BAD, the message says what is wrong, and marc_reader_raw() gives its
 * raw bytes for the rejects file; the next call resynchronises on the
 * following record.
 */
#ifndef BIENMUC_MARCIO_H
#define BIENMUC_MARCIO_H

#include <stdio.h>
#include "rec.h"
#include "util.h"

enum marc_format {
	MF_AUTO = 0,      /* readers only: detect from the first bytes */
	MF_ISO2709,
	MF_MARCXML,
	MF_MRK,
	MF_JSON,
};

/* Source charsets ("--from-charset"); legacy Vietnamese ones are added by
 * the legacy-encoding work and plug in through charset.h. */
enum marc_charset {
	CS_AUTO = 0,      /* trust Leader/09 only when the bytes agree */
	CS_UTF8,
	CS_MARC8,
	CS_LATIN1,
	CS_TCVN3,
	CS_VNI,
	CS_VISCII,
	CS_CP1258,
};

/* Name <-> enum. Return -1 / NULL for an unknown name. */
int marc_format_parse(const char *name);          /* "iso2709", "marc", "mrc", "marcxml", "xml", "mrk", "json" */
const char *marc_format_name(int fmt);
int marc_charset_parse(const char *name);         /* "auto", "utf-8", "utf8", "marc8", "marc-8", "latin1", ... */
const char *marc_charset_name(int cs);

/* Guess the format from the first bytes of a file (n may be small).
 * Returns MF_ISO2709 when nothing else fits. */
int marc_format_detect(const char *buf, size_t n);

/* ------------------------------------------------------------------ */
typedef struct marc_reader marc_reader;

struct marc_read_opts {
	int format;           /* MF_AUTO or a format */
	int from_charset;     /* CS_AUTO or a charset */
	int raw;              /* ISO 2709 only: keep every field whole, as one
	                         string (rec_is_control() true whatever the tag),
	                         for non-MARC exports mapped with isismap.h */
};

enum { MR_EOF = 0, MR_OK = 1, MR_BAD = -1 };

/* Open a reader on an already open stream. name is used in messages
 * ("-" for stdin). The reader does not close fp. Returns NULL (and a
 * message in err) only if the format cannot be determined or set up. */
marc_reader *marc_reader_open(FILE *fp, const char *name,
                              const struct marc_read_opts *opts, strbuf *err);
/* The records come from a Z39.50/SRU target (zclient.c): a charset
 * hint then names the target's charset= in the targets file, not
 * --from-charset. */
void marc_reader_from_target(marc_reader *rd);
/* No warning for a C0 control character or DEL kept in a subfield value
 * (a newline in MARCXML text): the caller reports those itself (bienmuc
 * lint, rule control-char). Control fields and C1 controls still warn. */
void marc_reader_quiet_controls(marc_reader *rd);
/* Read the next record into r (which is cleared first).
 * MR_OK: r holds the record (warnings may be pending, see below).
 * MR_BAD: the record was rejected; marc_reader_error() says why and
 *         marc_reader_raw() gives its bytes.
 * MR_EOF: no more input. */
int marc_reader_next(marc_reader *rd, rec *r);
/* 1-based number of the record last returned (good or bad). */
long marc_reader_recno(const marc_reader *rd);
/* Byte offset in the input where that record starts. */
long long marc_reader_offset(const marc_reader *rd);
/* Why the last record was rejected, without the "record N (byte B): "
 * prefix: e.g. "directory entry 3 points past end of record". */
const char *marc_reader_error(const marc_reader *rd);
/* Raw bytes of the last record, as found in the input. */
const char *marc_reader_raw(const marc_reader *rd, size_t *len);
/* Warnings about the last record (0..n), e.g. "leader/09 is blank but
 * the data is UTF-8; read as UTF-8". Valid until the next call. */
size_t marc_reader_nwarnings(const marc_reader *rd);
const char *marc_reader_warning(const marc_reader *rd, size_t i);
/* Map every record through a CDS/ISIS mapping (isismap.h) after the
 * charset firewall: open the reader with opts.raw = 1, then set the map.
 * org is the library's MARC code for {org}. A record the map refuses
 * becomes MR_BAD with the map's message. The reader does not own m. */
struct isismap;
void marc_reader_set_map(marc_reader *rd, const struct isismap *m, const char *org);
/* The format actually being read (after detection). */
int marc_reader_format(const marc_reader *rd);
void marc_reader_close(marc_reader *rd);

/* ------------------------------------------------------------------ */
typedef struct marc_writer marc_writer;

struct marc_write_opts {
	int format;           /* MF_ISO2709 ... */
	int to_charset;       /* CS_UTF8 (default when 0) or CS_MARC8 */
	int lossless;         /* MARC-8: write NCRs (&#xXXXX;) instead of refusing */
};

/* Returns NULL for an unknown format or a charset the format cannot
 * carry (MARCXML and JSON are always UTF-8; MARC-8 is for iso2709/mrk). */
marc_writer *marc_writer_open(FILE *fp, const struct marc_write_opts *opts);
/* Write one record. Returns 0, or -1 if the record was refused (too long
 * for ISO 2709, a character MARC-8 cannot hold, ...): nothing of it was
 * written and err holds the reason. */
int marc_writer_put(marc_writer *w, const rec *r, strbuf *err);
/* Finish (closing tags etc.). Returns 0, or -1 on an I/O error. Does not
 * close fp. Accepts NULL. */
int marc_writer_close(marc_writer *w);

#endif
