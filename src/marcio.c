/*
 * marcio.c - the generic half of reading and writing MARC: format and
 * charset names, format detection, the buffered input every codec reads
 * through, per-record bookkeeping (number, offset, raw bytes, errors,
 * warnings), and the charset firewall on the way in and out.
 * The formats themselves are in iso2709.c, marcxml.c, mrk.c and json.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>

#include "marcio-impl.h"
#include "input.h"
#include "charset.h"
#include "charset-legacy.h"
#include "isismap.h"
#include "i18n-lower.h"

/* ---- names ---- */

static const struct { const char *name; int fmt; } fmt_names[] = {
	{ "iso2709", MF_ISO2709 }, { "marc", MF_ISO2709 }, { "mrc", MF_ISO2709 },
	{ "usmarc", MF_ISO2709 }, { "marc21", MF_ISO2709 },
	{ "marcxml", MF_MARCXML }, { "xml", MF_MARCXML },
	{ "mrk", MF_MRK }, { "mrk8", MF_MRK }, { "marcmaker", MF_MRK }, { "mnemonic", MF_MRK },
	{ "json", MF_JSON }, { "marc-in-json", MF_JSON },
	{ "auto", MF_AUTO },
};

int marc_format_parse(const char *name)
{
	for (size_t i = 0; i < sizeof fmt_names / sizeof *fmt_names; i++)
		if (!strcasecmp(name, fmt_names[i].name))
			return fmt_names[i].fmt;
	return -1;
}

const char *marc_format_name(int fmt)
{
	switch (fmt) {
	case MF_AUTO: return "auto";
	case MF_ISO2709: return "iso2709";
	case MF_MARCXML: return "marcxml";
	case MF_MRK: return "mrk";
	case MF_JSON: return "json";
	}
	return NULL;
}

/* The charset names live with the decoders (charset-legacy.c), so every
 * command accepts the same list, auto-vi and the legacy names included. */
int marc_charset_parse(const char *name)
{
	return charset_parse_name(name);
}

const char *marc_charset_name(int cs)
{
	return charset_name(cs);
}

int marc_format_detect(const char *buf, size_t n)
{
	size_t i = 0;
	/* MARCXML in UTF-16, as Windows tools write it (libxml2 reads it):
	 * a byte order mark, or '<' and an ASCII character as UTF-16 */
	if (n >= 4 && (!memcmp(buf, "\xFF\xFE<", 4) || !memcmp(buf, "\xFE\xFF\0<", 4) ||
	               (buf[0] == '<' && !buf[1] && buf[2] && !buf[3]) ||
	               (!buf[0] && buf[1] == '<' && !buf[2] && buf[3])))
		return MF_MARCXML;
	if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i >= n)
		return MF_ISO2709;
	switch (buf[i]) {
	case '<':
		return MF_MARCXML;
	case '{':
	case '[':
		return MF_JSON;
	case '=':
	case '#':            /* MarcEdit allows comment lines before the first record */
		return MF_MRK;
	}
	return MF_ISO2709;
}

/* ---- reader ---- */

struct marc_reader {
	FILE *fp;
	char *name;
	struct marc_read_opts opts;
	const struct fmt_reader *ops;
	void *st;

	char *buf;
	size_t cap, start, end;
	long long base;          /* file offset of buf[0] */
	int eof;
	int stream;              /* a pipe, socket or terminal: read(2), see mr_fill */

	long recno;
	long long rec_off;
	int rec_cs;
	int from_target;      /* marc_reader_from_target */
	int quiet_controls;   /* marc_reader_quiet_controls */
	strbuf raw, error, warn, tmp;
	size_t nwarn;
	const char **warnv;
	size_t warncap;

	const isismap *map;      /* marc_reader_set_map */
	char *map_org;
	rec *maptmp;
};

size_t mr_avail(const marc_reader *rd)
{
	return rd->end - rd->start;
}

const char *mr_data(const marc_reader *rd)
{
	return rd->buf + rd->start;
}

long long mr_tell(const marc_reader *rd)
{
	return rd->base + (long long)rd->start;
}

void mr_consume(marc_reader *rd, size_t n)
{
	if (n > rd->end - rd->start)
		n = rd->end - rd->start;
	rd->start += n;
}

size_t mr_fill(marc_reader *rd, size_t need)
{
	while (rd->end - rd->start < need && !rd->eof) {
		if (rd->start > 0 && (rd->cap - rd->end < 65536 || rd->start > rd->cap / 2)) {
			memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
			rd->base += (long long)rd->start;
			rd->end -= rd->start;
			rd->start = 0;
		}
		if (rd->cap - rd->end < 65536 || rd->cap - rd->start < need) {
			size_t cap = rd->cap ? rd->cap : 262144;
			while (cap - rd->start < need || cap - rd->end < 65536)
				cap *= 2;
			rd->buf = xrealloc(rd->buf, cap);
			rd->cap = cap;
		}
		size_t got;
		if (rd->stream) {
			/* what the pipe has now: fread would wait for the whole
			 * buffer, so a record that came and then a pause in the
			 * input would sit unread (and uncommitted) */
			ssize_t k;
			do
				k = read(fileno(rd->fp), rd->buf + rd->end, rd->cap - rd->end);
			while (k < 0 && errno == EINTR);
			got = k > 0 ? (size_t)k : 0;
		} else {
			got = fread(rd->buf + rd->end, 1, rd->cap - rd->end, rd->fp);
		}
		if (got == 0)
			rd->eof = 1;
		rd->end += got;
	}
	return rd->end - rd->start;
}

size_t mr_read(marc_reader *rd, char *dst, size_t n)
{
	size_t have = mr_fill(rd, 1);
	if (have == 0)
		return 0;
	if (n > have)
		n = have;
	memcpy(dst, rd->buf + rd->start, n);
	rd->start += n;
	return n;
}

void mr_begin(marc_reader *rd, long long off)
{
	rd->recno++;
	rd->rec_off = off;
	rd->rec_cs = rd->opts.from_charset;
	sb_reset(&rd->raw);
	sb_reset(&rd->error);
	sb_reset(&rd->warn);
	rd->nwarn = 0;
}

void mr_set_raw(marc_reader *rd, const char *p, size_t n)
{
	sb_reset(&rd->raw);
	sb_add(&rd->raw, p, n);
}

void mr_add_raw(marc_reader *rd, const char *p, size_t n)
{
	sb_add(&rd->raw, p, n);
}

int mr_bad(marc_reader *rd, const char *fmt, ...)
{
	va_list ap;
	sb_reset(&rd->error);
	va_start(ap, fmt);
	sb_vaddf(&rd->error, fmt, ap);
	va_end(ap);
	return MR_BAD;
}

void mr_warn(marc_reader *rd, const char *fmt, ...)
{
	va_list ap;
	if (rd->warn.len)
		sb_addc(&rd->warn, '\n');
	va_start(ap, fmt);
	sb_vaddf(&rd->warn, fmt, ap);
	va_end(ap);
}

void mr_set_record_charset(marc_reader *rd, int cs)
{
	rd->rec_cs = cs;
}

const struct marc_read_opts *mr_opts(const marc_reader *rd)
{
	return &rd->opts;
}

const char *mr_name(const marc_reader *rd)
{
	return rd->name;
}

static const struct fmt_reader *reader_ops(int fmt)
{
	switch (fmt) {
	case MF_ISO2709: return &fmt_iso2709_reader;
	case MF_MARCXML: return &fmt_marcxml_reader;
	case MF_MRK: return &fmt_mrk_reader;
	case MF_JSON: return &fmt_json_reader;
	}
	return NULL;
}

marc_reader *marc_reader_open(FILE *fp, const char *name,
                              const struct marc_read_opts *opts, strbuf *err)
{
	marc_reader *rd = xcalloc(1, sizeof *rd);
	rd->fp = fp;
	struct stat sb;
	/* nothing was read from a pipe through fp's buffer before: the
	 * callers hand it over untouched (a regular file may be rewound) */
	rd->stream = fp && fileno(fp) >= 0 && !fstat(fileno(fp), &sb) &&
	             (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || S_ISCHR(sb.st_mode));
	rd->name = xstrdup(name ? name : "-");
	if (opts)
		rd->opts = *opts;
	int fmt = rd->opts.format;
	if (fmt == MF_AUTO) {
		size_t n;
		if (rd->stream) {
			/* the first character after blanks and a BOM decides: a pipe
			 * is not made to wait for 4 KB that may come much later */
			n = mr_fill(rd, 4);
			for (;;) {
				const char *d = mr_data(rd);
				size_t i = n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3) ? 3 : 0;
				while (i < n && d[i] && strchr(" \t\r\n", d[i]))
					i++;
				if (i + 4 <= n || rd->eof || n >= 4096)
					break;
				n = mr_fill(rd, n + 1);
			}
		} else {
			n = mr_fill(rd, 4096);
		}
		fmt = marc_format_detect(mr_data(rd), n);
	}
	/* compressed data here came down a pipe (a file is unpacked or
	 * refused before, input.h): it would be one long bad record, whatever
	 * format was named (-f iso2709 as much as auto-detection) */
	size_t got = mr_fill(rd, 6);        /* first: it may move the buffer */
	int packed = got ? input_packing_of(mr_data(rd), got) : IN_PLAIN;
	if (packed != IN_PLAIN) {
		if (err)
			sb_addf(err, _("the input is %s, not MARC records: unpack it first "
			               "(zcat, unzip ...)"), input_packing_name(packed));
		marc_reader_close(rd);
		return NULL;
	}
	rd->opts.format = fmt;
	rd->ops = reader_ops(fmt);
	if (!rd->ops) {
		if (err)
			sb_addf(err, _("unknown input format %d"), fmt);
		marc_reader_close(rd);
		return NULL;
	}
	strbuf e = STRBUF_INIT;
	rd->st = rd->ops->open(rd, &e);
	if (!rd->st) {
		if (err)
			sb_adds(err, e.buf ? e.buf : _("cannot set up reader"));
		sb_release(&e);
		rd->ops = NULL;
		marc_reader_close(rd);
		return NULL;
	}
	sb_release(&e);
	return rd;
}

static void split_warnings(marc_reader *rd)
{
	rd->nwarn = 0;
	if (!rd->warn.len)
		return;
	for (char *p = rd->warn.buf; p; ) {
		if (rd->nwarn == rd->warncap) {
			rd->warncap = rd->warncap ? rd->warncap * 2 : 8;
			rd->warnv = xrealloc(rd->warnv, rd->warncap * sizeof *rd->warnv);
		}
		rd->warnv[rd->nwarn++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = 0;
	}
}

void marc_reader_from_target(marc_reader *rd)
{
	if (rd)
		rd->from_target = 1;
}

void marc_reader_quiet_controls(marc_reader *rd)
{
	if (rd)
		rd->quiet_controls = 1;
}

int marc_reader_next(marc_reader *rd, rec *r)
{
	rec_clear(r);
	int rc = rd->ops->next(rd->st, rd, r);
	if (rc == MR_OK) {
		sb_reset(&rd->tmp);
		int unicode = rd->ops->unicode || rd->rec_cs == CS_UTF8;
		/* MARCXML or JSON with an 8-bit charset named: its text is those
		 * bytes read as Latin-1 (or Windows-1252); take them back */
		if (rd->ops->unicode && rd->rec_cs != CS_UTF8 && rd->rec_cs != CS_AUTO &&
		    rd->rec_cs != CS_AUTO_VI) {
			if (charset_unicode_to_bytes(r, rd->rec_cs, &rd->tmp) != 0) {
				mr_bad(rd, "%s", rd->tmp.buf);
				split_warnings(rd);
				return MR_BAD;
			}
			unicode = 0;
		}
		/* MARC-8 in ISO 2709 carries what it lacks as NCRs (LC's lossless
		 * convention); .mrk has references of its own, XML its entities */
		int flags = (unicode ? CHARSET_UNICODE : 0) |
		            (rd->ops->format == MF_ISO2709 ? CHARSET_NCR : 0) |
		            (rd->from_target ? CHARSET_TARGET : 0) |
		            (rd->quiet_controls ? CHARSET_QUIET_CTRL : 0);
		if (charset_fix_record(r, rd->rec_cs, flags, &rd->warn, &rd->tmp) != 0) {
			mr_bad(rd, "%s", rd->tmp.buf ? rd->tmp.buf : _("character set conversion failed"));
			rc = MR_BAD;
		}
	}
	if (rc == MR_OK && rd->map) {
		sb_reset(&rd->tmp);
		if (!rd->maptmp)
			rd->maptmp = rec_create();
		if (isismap_apply(rd->map, r, rd->maptmp, rd->map_org, &rd->tmp) != 0) {
			mr_bad(rd, _("mapping: %s"), rd->tmp.buf ? rd->tmp.buf : _("refused"));
			rc = MR_BAD;
		} else
			rec_copy(r, rd->maptmp);
	}
	if (rc == MR_BAD && !rd->error.len)
		mr_bad(rd, "%s", _("unreadable record"));
	split_warnings(rd);
	return rc;
}

long marc_reader_recno(const marc_reader *rd)
{
	return rd->recno;
}

long long marc_reader_offset(const marc_reader *rd)
{
	return rd->rec_off;
}

const char *marc_reader_error(const marc_reader *rd)
{
	return rd->error.buf ? rd->error.buf : "";
}

const char *marc_reader_raw(const marc_reader *rd, size_t *len)
{
	if (len)
		*len = rd->raw.len;
	return rd->raw.buf ? rd->raw.buf : "";
}

size_t marc_reader_nwarnings(const marc_reader *rd)
{
	return rd->nwarn;
}

const char *marc_reader_warning(const marc_reader *rd, size_t i)
{
	return i < rd->nwarn ? rd->warnv[i] : NULL;
}

void marc_reader_set_map(marc_reader *rd, const isismap *m, const char *org)
{
	rd->map = m;
	free(rd->map_org);
	rd->map_org = org ? xstrdup(org) : NULL;
}

int marc_reader_format(const marc_reader *rd)
{
	return rd->opts.format;
}

void marc_reader_close(marc_reader *rd)
{
	if (!rd)
		return;
	if (rd->ops && rd->st)
		rd->ops->close(rd->st);
	free(rd->buf);
	free(rd->name);
	free(rd->warnv);
	free(rd->map_org);
	rec_destroy(rd->maptmp);
	sb_release(&rd->raw);
	sb_release(&rd->error);
	sb_release(&rd->warn);
	sb_release(&rd->tmp);
	free(rd);
}

/* ---- writer ---- */

struct marc_writer {
	FILE *fp;
	struct marc_write_opts opts;
	const struct fmt_writer *ops;
	strbuf out;
	rec *tmp;
	int io_error;
};

const struct marc_write_opts *mw_opts(const marc_writer *w)
{
	return &w->opts;
}

static const struct fmt_writer *writer_ops(int fmt)
{
	switch (fmt) {
	case MF_ISO2709: return &fmt_iso2709_writer;
	case MF_MARCXML: return &fmt_marcxml_writer;
	case MF_MRK: return &fmt_mrk_writer;
	case MF_JSON: return &fmt_json_writer;
	}
	return NULL;
}

static void flush_out(marc_writer *w)
{
	if (w->out.len && fwrite(w->out.buf, 1, w->out.len, w->fp) != w->out.len)
		w->io_error = 1;
	sb_reset(&w->out);
}

marc_writer *marc_writer_open(FILE *fp, const struct marc_write_opts *opts)
{
	struct marc_write_opts o = { MF_ISO2709, CS_UTF8, 0 };
	if (opts)
		o = *opts;
	if (o.to_charset == CS_AUTO)
		o.to_charset = CS_UTF8;
	const struct fmt_writer *ops = writer_ops(o.format);
	if (!ops)
		return NULL;
	if (o.to_charset != CS_UTF8 && (o.to_charset != CS_MARC8 || !ops->marc8_ok))
		return NULL;
	marc_writer *w = xcalloc(1, sizeof *w);
	w->fp = fp;
	w->opts = o;
	w->ops = ops;
	w->ops->begin(w, &w->out);
	flush_out(w);
	return w;
}

int marc_writer_put(marc_writer *w, const rec *r, strbuf *err)
{
	strbuf e = STRBUF_INIT;
	int rc;
	size_t mark = w->out.len;
	if (w->opts.to_charset == CS_MARC8) {
		if (!w->tmp)
			w->tmp = rec_create();
		rec_copy(w->tmp, r);
		/* ISO 2709 readers decode NCRs: a '&' of the data that would
		 * read as one is written "&#x0026;" too (the .mrk writer has
		 * {amp}) */
		rc = charset_to_marc8(w->tmp, w->opts.lossless && w->opts.format == MF_ISO2709 ? 2 :
		                      w->opts.lossless, &e);
		if (rc == 0)
			rc = w->ops->put(w, w->tmp, &w->out, &e);
	} else
		rc = w->ops->put(w, r, &w->out, &e);
	if (rc != 0) {
		w->out.len = mark;      /* drop whatever the codec appended */
		if (w->out.buf)
			w->out.buf[mark] = 0;
		if (err)
			sb_adds(err, e.buf ? e.buf : _("record refused"));
		sb_release(&e);
		return -1;
	}
	sb_release(&e);
	if (w->out.len >= 65536)
		flush_out(w);
	if (w->io_error) {
		if (err)
			sb_adds(err, _("write error"));
		return -1;
	}
	return 0;
}

int marc_writer_close(marc_writer *w)
{
	if (!w)
		return 0;
	w->ops->end(w, &w->out);
	flush_out(w);
	int rc = w->io_error || fflush(w->fp) != 0 ? -1 : 0;
	rec_destroy(w->tmp);
	sb_release(&w->out);
	free(w);
	return rc;
}
