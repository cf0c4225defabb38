/*
 * marcio-impl.h - what the per-format codecs (iso2709.c, marcxml.c,
 * mrk.c, json.c) share with the generic reader/writer in marcio.c.
 * Not for use outside the codecs: everyone else uses marcio.h.
 *
 * A format reader pulls bytes through the reader's input buffer (mr_*),
 * marks where each record starts (mr_begin), keeps its raw bytes
 * (mr_set_raw) and fills a rec with the values *as bytes of the source
 * charset*. marcio.c then runs the charset firewall on it, so no codec
 * converts charsets itself.
 *
 * A format writer serialises one UTF-8 (or, when asked, MARC-8) record
 * by appending to a strbuf; marcio.c writes the buffer only when the
 * whole record succeeded, so a refused record leaves no partial output.
 */
#ifndef BIENMUC_MARCIO_IMPL_H
#define BIENMUC_MARCIO_IMPL_H

#include "marcio.h"

struct fmt_reader {
	int format;
	int unicode;   /* 1: values come out as Unicode (XML, JSON) */
	/* Set up per-reader state; NULL + err on failure. */
	void *(*open)(marc_reader *rd, strbuf *err);
	/* Read the next record into r (already cleared). Must call mr_begin()
	 * first when a record starts, and on MR_BAD set the error (mr_bad)
	 * and the raw bytes, and leave the input positioned at the next
	 * plausible record start. */
	int (*next)(void *st, marc_reader *rd, rec *r);
	void (*close)(void *st);
};

struct fmt_writer {
	int format;
	int marc8_ok;  /* format can carry MARC-8 bytes (iso2709, mrk) */
	/* Append the file header (may be empty). */
	void (*begin)(marc_writer *w, strbuf *out);
	/* Append one record; -1 + err if the record cannot be written. */
	int (*put)(marc_writer *w, const rec *r, strbuf *out, strbuf *err);
	/* Append the file trailer (may be empty). */
	void (*end)(marc_writer *w, strbuf *out);
};

extern const struct fmt_reader fmt_iso2709_reader, fmt_marcxml_reader,
	fmt_mrk_reader, fmt_json_reader;
extern const struct fmt_writer fmt_iso2709_writer, fmt_marcxml_writer,
	fmt_mrk_writer, fmt_json_writer;

/* ---- input buffer ---- */
/* Try to have at least `need` bytes buffered from the current position;
 * returns the number available (less than need only at end of input). */
size_t mr_fill(marc_reader *rd, size_t need);
/* Pointer to the buffered bytes at the current position. Invalidated by
 * the next mr_fill. */
const char *mr_data(const marc_reader *rd);
size_t mr_avail(const marc_reader *rd);
void mr_consume(marc_reader *rd, size_t n);
/* File offset of the current position. */
long long mr_tell(const marc_reader *rd);
/* Copy up to n bytes into dst, consuming them (for parsers with their own
 * pull callbacks, e.g. libxml2). Returns bytes copied, 0 at end. */
size_t mr_read(marc_reader *rd, char *dst, size_t n);

/* ---- per-record bookkeeping ---- */
/* A record starts at file offset `off`: recno++, reset raw/error/warnings. */
void mr_begin(marc_reader *rd, long long off);
void mr_set_raw(marc_reader *rd, const char *p, size_t n);
void mr_add_raw(marc_reader *rd, const char *p, size_t n);
/* Set the rejection reason; returns MR_BAD for `return mr_bad(...)`. */
int mr_bad(marc_reader *rd, const char *fmt, ...) BM_PRINTF(2, 3);
void mr_warn(marc_reader *rd, const char *fmt, ...) BM_PRINTF(2, 3);
/* A codec that knows this record's values are in a particular charset
 * (e.g. .mrk mnemonics already turned into UTF-8) says so here; the
 * default for each record is the user's --from-charset. */
void mr_set_record_charset(marc_reader *rd, int cs);
const struct marc_read_opts *mr_opts(const marc_reader *rd);
const char *mr_name(const marc_reader *rd);

const struct marc_write_opts *mw_opts(const marc_writer *w);

#endif
