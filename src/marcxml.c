/*
 * marcxml.c - MARCXML reader and writer.
 *
 * Reader. Streaming, constant memory: libxml2's xmlTextReader is fed
 * through our own pull callback, and each <record> element is expanded
 * (xmlTextReaderExpand) and walked by hand into a rec. We do not use
 * yaz's SAX reader (yaz/marc_sax.h): it hands back an opaque yaz_marc_t
 * that can only be walked by serialising it again (ISO 2709 truncates
 * records over 99,999 bytes; the DOM route runs at ~33k records/s, slower
 * than yaz-marcdump itself), and our target is at least yaz-marcdump's
 * speed on MARCXML -> ISO 2709. libxml2 is what yaz uses anyway.
 *
 * Accepted: a <collection> root, a single <record> root, or several
 * <record> elements at root level with no collection (we then wrap them
 * in a synthetic root); the MARC21/slim or MarcXchange namespace or none,
 * any prefix; a UTF-8 BOM; any XML encoding libxml2 knows. <record>
 * elements nested anywhere (e.g. an OAI-PMH response) are found too.
 * Values are taken verbatim (no whitespace trimming).
 *
 * Positions and bad input. Alongside libxml2, a small byte scanner runs
 * over the raw input (skipping comments, CDATA, PIs and the DOCTYPE) and
 * notes where every <record> start tag begins and where its element ends.
 * That gives exact record numbers and byte offsets (mr_begin) and the raw
 * bytes of a rejected record. The raw bytes of undelivered records are
 * kept in a window, so memory stays bounded by the record size.
 * libxml2 stops at the first well-formedness error. Then the record that
 * contains the error is rejected (message with line, column and byte
 * offset, raw bytes as in the input), and parsing restarts with a fresh
 * parser at the next <record> start tag, replaying the XML declaration
 * and the root start tag so encodings and namespace prefixes still
 * apply. So one bad record costs one record, not the rest of the file.
 * An error outside any record becomes a warning on the next record; an
 * error after the last record (e.g. a missing </collection>) loses no
 * data and is not reported; a file with no record at all that is not
 * well-formed is reported as one rejected "record".
 *
 * Per-record policy: a tag of one or two digits ("42") is read as "042"
 * with a warning; a leader that is not 24 characters is padded or cut
 * with a warning; a missing leader gets a default one with a warning;
 * missing indicators become blanks with a warning; a datafield with no
 * subfields is kept, with a warning. Rejected: an indicator or a subfield
 * code that is not exactly one character, a missing or empty subfield
 * code or tag, a tag that cannot be a MARC tag, control characters where
 * MARC cannot hold them, entity references other than the predefined
 * ones, non-ASCII leaders.
 *
 * Writer. Hand-written for speed: an XML declaration, a MARC21/slim
 * <collection>, one <record> per record laid out as yaz does it. The
 * leader is written as held (yaz does the same; the ISO 2709 writers
 * recompute the lengths). XML 1.0 cannot hold C0 control characters
 * other than TAB, LF and CR, nor U+FFFE/U+FFFF: a record containing one
 * is refused, naming the field, rather than written as a file no XML
 * parser will read. CR is written as &#13; so that it survives parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "marcio-impl.h"

#define NS_SLIM "http://www.loc.gov/MARC21/slim"
#define WRAP_OPEN "<bienmuc-wrap>"
#define WRAP_CLOSE "</bienmuc-wrap>"
#define CHUNK 65536               /* fresh input read per step */
#define CAPTURE_MAX 65536         /* longest XML declaration / root tag kept */
#define RAW_MAX (16u << 20)       /* longest raw reject when the end is unknown */
#define MAX_PENDING_WARN 8

/* ------------------------------------------------------------------ */
/* Raw scanner: finds <record> start tags and the ends of their elements. */

enum {
	S_TEXT, S_LT, S_BANG, S_COMMENT, S_CDATA, S_PI, S_DECL, S_DECL_Q,
	S_STARTNAME, S_INTAG, S_INTAG_Q, S_ENDNAME, S_ENDTAG,
};

struct span {
	long long start;     /* raw offset of '<' */
	long long end;       /* raw offset just past the element, -1 unknown */
	long long line, col; /* of the start tag */
	long seq;
};

struct scanner {
	int state;
	long long off;        /* raw offset of the next byte to scan */
	long long line;       /* line of that byte (1-based) */
	long long line_off;   /* raw offset where that line starts */
	long long tag_off, tag_line, tag_col;
	char name[64];
	int nlen;
	char quote;
	int run;              /* '-' / ']' run, or last byte was '?' */
	int slash;            /* last non-blank byte in a tag was '/' */
	char bang[8];
	int nbang;
	int brackets;
	int depth;
	int root_seen;
	struct { long seq; int depth; } open[16];
	int nopen;
};

/* A feed segment: synthetic bytes or a range of the raw input. */
struct seg {
	int raw;
	const char *syn;
	size_t synlen;
	long long from, to;   /* raw range; to < 0: to end of input */
	long long fed_at;     /* session byte offset where it began, -1 not yet */
};

enum { M_START, M_PARSE, M_DRAIN, M_NEXT, M_DONE };

struct xst {
	marc_reader *rd;
	long long base;

	/* raw window: bytes [woff, woff + wlen) of the input */
	char *win;
	size_t wlen, wcap;
	long long woff;
	int in_eof;

	struct scanner sc;
	struct span *q;
	size_t qhead, qlen, qcap;   /* live spans are q[qhead .. qlen) */
	long next_seq;

	/* prolog: XML declaration and root start tag, for restarts */
	strbuf decl, roottag, rootname, prefix, suffix;
	long long root_off;
	int root_is_record, root_capture_failed;
	long long hold;             /* keep raw bytes from here (-1 none) */

	/* parser session */
	xmlTextReaderPtr xr;
	struct seg seg[4];
	int nseg, cur;
	long long segpos;           /* bytes of seg[cur] already fed */
	long long fed;
	long long sess_start;       /* raw offset of the first raw segment */
	int limited;                /* session holds one record only */
	int skip_subtree;
	int sessions;

	/* first fatal error of the session */
	int fatal;
	strbuf errmsg;
	long long err_fed;
	int err_line, err_col;

	strbuf pending;             /* warnings for the next record */
	strbuf between;             /* an error outside records ... */
	long long between_off;      /* ... at this offset (-1 none) */
	int npending;
	long delivered;             /* records handed out (good or bad) */

	int mode;
	strbuf tmp, tmp2;
};

/* ---- window ---- */

static long long win_end(const struct xst *st)
{
	return st->woff + (long long)st->wlen;
}

static void scan_bytes(struct xst *st, const char *p, size_t n);
static void scan_finish(struct xst *st);

/* Read up to CHUNK fresh bytes into the window and scan them.
 * Returns the number read, 0 at end of input. */
static size_t fill_window(struct xst *st)
{
	if (st->in_eof)
		return 0;
	size_t n = mr_fill(st->rd, 1);
	if (n == 0) {
		st->in_eof = 1;
		scan_finish(st);
		return 0;
	}
	if (n > CHUNK)
		n = CHUNK;
	if (st->wcap - st->wlen < n) {
		size_t cap = st->wcap ? st->wcap : CHUNK * 2;
		while (cap - st->wlen < n)
			cap *= 2;
		st->win = xrealloc(st->win, cap);
		st->wcap = cap;
	}
	memcpy(st->win + st->wlen, mr_data(st->rd), n);
	st->wlen += n;
	mr_consume(st->rd, n);
	scan_bytes(st, st->win + st->wlen - n, n);
	return n;
}

/* Raw offset from which the current session will still read. */
static long long session_need(const struct xst *st)
{
	for (int i = st->cur; i < st->nseg; i++)
		if (st->seg[i].raw)
			return st->seg[i].from + (i == st->cur ? st->segpos : 0);
	return -1;
}

static void trim_window(struct xst *st)
{
	long long keep = win_end(st);
	long long need = st->xr ? session_need(st) : -1;
	if (need >= 0 && need < keep)
		keep = need;
	if (st->qhead < st->qlen && st->q[st->qhead].start < keep)
		keep = st->q[st->qhead].start;
	if (st->hold >= 0 && st->hold < keep)
		keep = st->hold;
	if (keep < st->woff)
		keep = st->woff;
	size_t dead = (size_t)(keep - st->woff);
	if (dead < CHUNK || dead < st->wlen / 2)
		return;
	memmove(st->win, st->win + dead, st->wlen - dead);
	st->wlen -= dead;
	st->woff += (long long)dead;
}

/* Make sure raw offset `off` is in the window (reading more input);
 * returns 0 if the input ends before it. */
static int ensure_raw(struct xst *st, long long off)
{
	while (off >= win_end(st))
		if (!fill_window(st))
			return 0;
	return off >= st->woff;
}

/* ---- span queue ---- */

static struct span *q_head(struct xst *st)
{
	return st->qhead < st->qlen ? &st->q[st->qhead] : NULL;
}

static struct span *q_next(struct xst *st)
{
	return st->qhead + 1 < st->qlen ? &st->q[st->qhead + 1] : NULL;
}

static void q_pop(struct xst *st)
{
	if (st->qhead < st->qlen)
		st->qhead++;
	if (st->qhead == st->qlen)
		st->qhead = st->qlen = 0;
}

static struct span *q_push(struct xst *st)
{
	if (st->qlen == st->qcap) {
		if (st->qhead > 0) {
			memmove(st->q, st->q + st->qhead, (st->qlen - st->qhead) * sizeof *st->q);
			st->qlen -= st->qhead;
			st->qhead = 0;
		}
		if (st->qlen == st->qcap) {
			st->qcap = st->qcap ? st->qcap * 2 : 16;
			st->q = xrealloc(st->q, st->qcap * sizeof *st->q);
		}
	}
	struct span *s = &st->q[st->qlen++];
	memset(s, 0, sizeof *s);
	s->seq = st->next_seq++;
	return s;
}

static struct span *q_find(struct xst *st, long seq)
{
	if (st->qhead >= st->qlen || seq < st->q[st->qhead].seq)
		return NULL;
	size_t i = st->qhead + (size_t)(seq - st->q[st->qhead].seq);
	return i < st->qlen ? &st->q[i] : NULL;
}

/* ---- scanner ---- */

static const char *local_part(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The byte at raw offset off is the last one of the current construct. */
static void capture(struct xst *st, strbuf *sb, long long off)
{
	struct scanner *sc = &st->sc;
	if (sc->tag_off < st->woff || off + 1 - sc->tag_off > CAPTURE_MAX) {
		st->root_capture_failed = 1;
		return;
	}
	sb_reset(sb);
	sb_add(sb, st->win + (sc->tag_off - st->woff), (size_t)(off + 1 - sc->tag_off));
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\n' || sb->buf[i] == '\r')
			sb->buf[i] = ' ';
}

static void start_tag_name_done(struct xst *st)
{
	struct scanner *sc = &st->sc;
	sc->name[sc->nlen] = 0;
	if (!sc->root_seen) {
		sc->root_seen = 1;
		st->root_off = sc->tag_off;
		st->root_is_record = !strcmp(local_part(sc->name), "record");
		sb_reset(&st->rootname);
		sb_adds(&st->rootname, sc->name);
	}
}

static void start_tag_done(struct xst *st, long long off)
{
	struct scanner *sc = &st->sc;
	int self = sc->slash;
	if (sc->tag_off == st->root_off && st->hold >= 0) {
		capture(st, &st->roottag, off);
		st->hold = -1;
	}
	if (!strcmp(local_part(sc->name), "record")) {
		struct span *s = q_push(st);
		s->start = sc->tag_off;
		s->end = self ? off + 1 : -1;
		s->line = sc->tag_line;
		s->col = sc->tag_col;
		if (!self && sc->nopen < (int)(sizeof sc->open / sizeof *sc->open)) {
			sc->open[sc->nopen].seq = s->seq;
			sc->open[sc->nopen].depth = sc->depth;
			sc->nopen++;
		}
	}
	if (!self)
		sc->depth++;
}

static void end_tag_done(struct xst *st, long long off)
{
	struct scanner *sc = &st->sc;
	if (sc->depth > 0)
		sc->depth--;
	while (sc->nopen > 0 && sc->open[sc->nopen - 1].depth > sc->depth)
		sc->nopen--;
	if (sc->nopen > 0 && sc->open[sc->nopen - 1].depth == sc->depth) {
		struct span *s = q_find(st, sc->open[sc->nopen - 1].seq);
		if (s)
			s->end = off + 1;
		sc->nopen--;
	}
}

static void decl_byte(struct scanner *sc, char c)
{
	if (c == '"' || c == '\'') {
		sc->quote = c;
		sc->state = S_DECL_Q;
	} else if (c == '[')
		sc->brackets++;
	else if (c == ']')
		sc->brackets--;
	else if (c == '>' && sc->brackets <= 0)
		sc->state = S_TEXT;
}

static void scan_bytes(struct xst *st, const char *p, size_t n)
{
	struct scanner *sc = &st->sc;
	const char *end = p + n;
	while (p < end) {
		if (sc->state == S_TEXT) {
			const char *lt = memchr(p, '<', (size_t)(end - p));
			const char *stop = lt ? lt : end;
			for (const char *nl = memchr(p, '\n', (size_t)(stop - p)); nl;
			     nl = memchr(nl + 1, '\n', (size_t)(stop - nl - 1))) {
				sc->line++;
				sc->line_off = sc->off + (nl - p) + 1;
			}
			sc->off += stop - p;
			p = stop;
			if (!lt)
				break;
			sc->tag_off = sc->off;
			sc->tag_line = sc->line;
			sc->tag_col = sc->off - sc->line_off + 1;
			sc->state = S_LT;
			sc->off++;
			p++;
			continue;
		}
		char c = *p;
		long long off = sc->off;
		if (c == '\n') {
			sc->line++;
			sc->line_off = off + 1;
		}
		sc->off++;
		p++;
		switch (sc->state) {
		case S_LT:
			if (c == '!') {
				sc->state = S_BANG;
				sc->nbang = 0;
			} else if (c == '?') {
				sc->state = S_PI;
				sc->run = 0;
				if ((sc->tag_off == st->base || sc->tag_off == st->base + 3) && !sc->root_seen)
					st->hold = sc->tag_off;
			} else if (c == '/') {
				sc->state = S_ENDNAME;
			} else if (is_blank(c) || c == '>' || c == '<' || c == '=' ||
			           c == '"' || c == '\'' || c == 0) {
				sc->state = c == '<' ? S_LT : S_TEXT;
				if (c == '<') {
					sc->tag_off = off;
					sc->tag_line = sc->line;
					sc->tag_col = off - sc->line_off + 1;
				}
			} else {
				sc->state = S_STARTNAME;
				sc->name[0] = c;
				sc->nlen = 1;
				sc->slash = 0;
				if (!sc->root_seen && st->hold < 0)
					st->hold = sc->tag_off;
			}
			break;
		case S_BANG:
			sc->bang[sc->nbang++] = c;
			if (sc->nbang == 2 && !memcmp(sc->bang, "--", 2)) {
				sc->state = S_COMMENT;
				sc->run = 0;
			} else if (sc->nbang == 7 && !memcmp(sc->bang, "[CDATA[", 7)) {
				sc->state = S_CDATA;
				sc->run = 0;
			} else if (memcmp(sc->bang, "--", sc->nbang < 2 ? (size_t)sc->nbang : 2) &&
			           memcmp(sc->bang, "[CDATA[", (size_t)sc->nbang)) {
				sc->state = S_DECL;
				sc->brackets = 0;
				int nb = sc->nbang;
				for (int i = 0; i < nb && sc->state != S_TEXT; i++) {
					if (sc->state == S_DECL_Q) {
						if (sc->bang[i] == sc->quote)
							sc->state = S_DECL;
					} else
						decl_byte(sc, sc->bang[i]);
				}
			}
			break;
		case S_COMMENT:
			if (c == '-')
				sc->run++;
			else {
				if (c == '>' && sc->run >= 2)
					sc->state = S_TEXT;
				sc->run = 0;
			}
			break;
		case S_CDATA:
			if (c == ']')
				sc->run++;
			else {
				if (c == '>' && sc->run >= 2)
					sc->state = S_TEXT;
				sc->run = 0;
			}
			break;
		case S_PI:
			if (c == '>' && sc->run) {
				sc->state = S_TEXT;
				if (st->hold == sc->tag_off && !sc->root_seen) {
					capture(st, &st->decl, off);
					st->hold = -1;
					if (st->decl.len < 6 || memcmp(st->decl.buf, "<?xml", 5) ||
					    !is_blank(st->decl.buf[5]))
						sb_reset(&st->decl);
				}
			}
			sc->run = c == '?';
			break;
		case S_DECL:
			decl_byte(sc, c);
			break;
		case S_DECL_Q:
			if (c == sc->quote)
				sc->state = S_DECL;
			break;
		case S_STARTNAME:
			if (is_blank(c) || c == '/' || c == '>') {
				start_tag_name_done(st);
				sc->state = S_INTAG;
				if (c == '/')
					sc->slash = 1;
				else if (c == '>') {
					start_tag_done(st, off);
					sc->state = S_TEXT;
				}
			} else if (sc->nlen < (int)sizeof sc->name - 1)
				sc->name[sc->nlen++] = c;
			break;
		case S_INTAG:
			if (c == '"' || c == '\'') {
				sc->quote = c;
				sc->state = S_INTAG_Q;
				sc->slash = 0;
			} else if (c == '>') {
				start_tag_done(st, off);
				sc->state = S_TEXT;
			} else if (c == '<') {
				/* not well-formed; libxml2 will say so */
				sc->state = S_LT;
				sc->tag_off = off;
				sc->tag_line = sc->line;
				sc->tag_col = off - sc->line_off + 1;
			} else if (!is_blank(c))
				sc->slash = c == '/';
			break;
		case S_INTAG_Q:
			if (c == sc->quote)
				sc->state = S_INTAG;
			break;
		case S_ENDNAME:
			if (c == '>') {
				end_tag_done(st, off);
				sc->state = S_TEXT;
			} else if (is_blank(c))
				sc->state = S_ENDTAG;
			break;
		case S_ENDTAG:
			if (c == '>') {
				end_tag_done(st, off);
				sc->state = S_TEXT;
			}
			break;
		}
	}
	if (st->hold >= 0 && sc->off - st->hold > CAPTURE_MAX) {
		st->hold = -1;
		st->root_capture_failed = 1;
	}
}

static void scan_finish(struct xst *st)
{
	st->hold = -1;
}

/* Line and column of a raw offset, from the window when it is there. */
static int raw_linecol(const struct xst *st, long long off, long long *line, long long *col)
{
	if (off < st->woff || off > st->sc.off || off > win_end(st))
		return 0;
	long long l = st->sc.line;
	const char *w = st->win;
	long long lo = st->sc.line_off;
	for (long long i = st->sc.off - 1; i >= off; i--)
		if (w[i - st->woff] == '\n') {
			l--;
			lo = -1;
		}
	if (lo < 0 || lo > off) {
		lo = -1;
		for (long long i = off - 1; i >= st->woff; i--)
			if (w[i - st->woff] == '\n') {
				lo = i + 1;
				break;
			}
	}
	*line = l;
	*col = lo >= 0 ? off - lo + 1 : 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Parser sessions */

static int feed_cb(void *ctx, char *buf, int len)
{
	struct xst *st = ctx;
	int out = 0;
	while (out < len && st->cur < st->nseg) {
		struct seg *s = &st->seg[st->cur];
		if (s->fed_at < 0)
			s->fed_at = st->fed + out;
		if (!s->raw) {
			size_t n = s->synlen - (size_t)st->segpos;
			if (n > (size_t)(len - out))
				n = (size_t)(len - out);
			memcpy(buf + out, s->syn + st->segpos, n);
			out += (int)n;
			st->segpos += (long long)n;
			if ((size_t)st->segpos == s->synlen) {
				st->cur++;
				st->segpos = 0;
			}
			continue;
		}
		long long pos = s->from + st->segpos;
		if ((s->to >= 0 && pos >= s->to) || !ensure_raw(st, pos)) {
			st->cur++;
			st->segpos = 0;
			continue;
		}
		long long avail = win_end(st) - pos;
		if (s->to >= 0 && s->to - pos < avail)
			avail = s->to - pos;
		if (avail > len - out)
			avail = len - out;
		memcpy(buf + out, st->win + (pos - st->woff), (size_t)avail);
		out += (int)avail;
		st->segpos += avail;
	}
	st->fed += out;
	trim_window(st);
	return out;
}

static int close_cb(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Raw offset of a byte offset in the session's fed stream. */
static long long fed_to_raw(const struct xst *st, long long f)
{
	long long raw = st->sess_start;
	for (int i = 0; i < st->nseg; i++) {
		const struct seg *s = &st->seg[i];
		if (s->fed_at < 0 || s->fed_at > f)
			break;
		if (s->raw)
			raw = s->from + (f - s->fed_at);
		if (s->raw && s->to >= 0 && raw > s->to)
			raw = s->to;
	}
	return raw < st->sc.off ? raw : st->sc.off;
}

static void add_pending(struct xst *st, const char *msg)
{
	if (st->npending >= MAX_PENDING_WARN)
		return;
	if (st->pending.len)
		sb_addc(&st->pending, '\n');
	sb_adds(&st->pending, msg);
	st->npending++;
}

static void xml_error(void *arg, xmlErrorPtr e)
{
	struct xst *st = arg;
	if (!e)
		return;
	const char *msg = e->message ? e->message : "XML error";
	size_t mlen = strlen(msg);
	while (mlen && (msg[mlen - 1] == '\n' || msg[mlen - 1] == ' '))
		mlen--;
	if (e->level == XML_ERR_FATAL) {
		if (st->fatal)
			return;
		st->fatal = 1;
		sb_reset(&st->errmsg);
		sb_add(&st->errmsg, msg, mlen);
		st->err_line = e->line;
		st->err_col = e->int2;
		st->err_fed = e->ctxt ? xmlByteConsumed((xmlParserCtxtPtr)e->ctxt) : -1;
		if (st->err_fed < 0 && st->xr)
			st->err_fed = xmlTextReaderByteConsumed(st->xr);
		if (st->err_fed < 0 || st->err_fed > st->fed)
			st->err_fed = st->fed;
		return;
	}
	if (st->sessions > 1 && e->domain == XML_FROM_NAMESPACE)
		return;
	sb_reset(&st->tmp2);
	sb_adds(&st->tmp2, "XML: ");
	sb_add(&st->tmp2, msg, mlen);
	if (e->line > 0 && st->sessions == 1)
		sb_addf(&st->tmp2, " (line %d)", e->line);
	add_pending(st, st->tmp2.buf);
}

static void end_session(struct xst *st)
{
	if (st->xr)
		xmlFreeTextReader(st->xr);
	st->xr = NULL;
	st->nseg = 0;
	st->cur = 0;
	st->segpos = 0;
}

static void add_seg_syn(struct xst *st, const char *p, size_t n)
{
	if (!n)
		return;
	struct seg *s = &st->seg[st->nseg++];
	memset(s, 0, sizeof *s);
	s->syn = p;
	s->synlen = n;
	s->fed_at = -1;
}

static void add_seg_raw(struct xst *st, long long from, long long to)
{
	struct seg *s = &st->seg[st->nseg++];
	memset(s, 0, sizeof *s);
	s->raw = 1;
	s->from = from;
	s->to = to;
	s->fed_at = -1;
}

static int start_reader(struct xst *st, strbuf *err)
{
	st->fed = 0;
	st->cur = 0;
	st->segpos = 0;
	st->fatal = 0;
	st->skip_subtree = 0;
	st->sessions++;
	st->xr = xmlReaderForIO(feed_cb, close_cb, st, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
	                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!st->xr) {
		if (err)
			sb_adds(err, "cannot create the XML parser");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(st->xr, xml_error, st);
	return 0;
}

/* The first session: the input as it is, wrapped when the root element
 * is a record (so several root-level records parse as one document). */
static int first_session(struct xst *st, strbuf *err)
{
	while (!st->sc.root_seen && win_end(st) - st->base < CAPTURE_MAX)
		if (!fill_window(st))
			break;
	st->sess_start = st->base;
	st->limited = 0;
	if (st->sc.root_seen && st->root_is_record) {
		add_seg_raw(st, st->base, st->root_off);
		add_seg_syn(st, WRAP_OPEN, strlen(WRAP_OPEN));
		add_seg_raw(st, st->root_off, -1);
		add_seg_syn(st, WRAP_CLOSE, strlen(WRAP_CLOSE));
	} else
		add_seg_raw(st, st->base, -1);
	return start_reader(st, err);
}

/* A session restarting at raw offset `from` (a record start tag): the XML
 * declaration and root start tag are replayed first. With to >= 0 only
 * that one record is parsed. */
static void restart_session(struct xst *st, long long from, long long to)
{
	end_session(st);
	sb_reset(&st->prefix);
	sb_reset(&st->suffix);
	sb_add(&st->prefix, st->decl.buf ? st->decl.buf : "", st->decl.len);
	int wrap = st->root_is_record || !st->roottag.len || st->root_capture_failed;
	if (wrap) {
		sb_adds(&st->prefix, WRAP_OPEN);
		sb_adds(&st->suffix, WRAP_CLOSE);
	} else {
		sb_add(&st->prefix, st->roottag.buf, st->roottag.len);
		sb_addf(&st->suffix, "</%s>", st->rootname.buf);
	}
	add_seg_syn(st, st->prefix.buf, st->prefix.len);
	add_seg_raw(st, from, to);
	if (wrap || to >= 0)
		add_seg_syn(st, st->suffix.buf, st->suffix.len);
	st->sess_start = from;
	st->limited = to >= 0;
	if (start_reader(st, NULL) != 0)
		st->mode = M_DONE;
	else
		st->mode = M_PARSE;
}

/* ------------------------------------------------------------------ */
/* Walking one <record> */

static const char *node_local(const xmlNode *n)
{
	return local_part((const char *)n->name);
}

static int ns_ok(const xmlChar *href)
{
	return !href || !*href || !strcmp((const char *)href, NS_SLIM) ||
	       !strncmp((const char *)href, "info:lc/xmlns/marcxchange", 25);
}

/* Text of a node's children. Fast path: one text child, no copy.
 * Returns -1 (with msg) on an entity reference. */
static int node_text(struct xst *st, const xmlNode *n, strbuf *buf, int depth,
                     const char **out, size_t *len, int *markup)
{
	const xmlNode *c = n->children;
	if (depth == 0) {
		if (!c) {
			*out = "";
			*len = 0;
			return 0;
		}
		if (!c->next && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)) {
			*out = c->content ? (const char *)c->content : "";
			*len = strlen(*out);
			return 0;
		}
		sb_reset(buf);
	}
	for (; c; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content)
				sb_adds(buf, (const char *)c->content);
			break;
		case XML_ELEMENT_NODE:
			*markup = 1;
			if (depth < 16 && node_text(st, c, buf, depth + 1, out, len, markup) != 0)
				return -1;
			break;
		case XML_ENTITY_REF_NODE:
			sb_reset(&st->tmp2);
			sb_addf(&st->tmp2, "&%s;", c->name ? (const char *)c->name : "");
			return -1;
		default:
			break;
		}
	}
	if (depth == 0) {
		*out = buf->buf ? buf->buf : "";
		*len = buf->len;
	}
	return 0;
}

/* Attribute value by local name; NULL if absent. Entity references in
 * attributes give NULL with *bad set. */
static const char *node_attr(const xmlNode *n, const char *name, strbuf *buf, int *bad)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcmp(local_part((const char *)a->name), name))
			continue;
		const xmlNode *c = a->children;
		if (!c)
			return "";
		if (!c->next && c->type == XML_TEXT_NODE)
			return c->content ? (const char *)c->content : "";
		sb_reset(buf);
		for (; c; c = c->next) {
			if (c->type == XML_TEXT_NODE && c->content)
				sb_adds(buf, (const char *)c->content);
			else if (c->type == XML_ENTITY_REF_NODE) {
				*bad = 1;
				return NULL;
			}
		}
		return buf->buf ? buf->buf : "";
	}
	return NULL;
}

static int blank_text(const xmlNode *n)
{
	const char *s = (const char *)n->content;
	if (!s)
		return 1;
	for (; *s; s++)
		if (!is_blank((unsigned char)*s))
			return 0;
	return 1;
}

/* A tag as written -> 3 bytes. 1 or 2 digits are zero-padded (*padded).
 * Returns -1 if it cannot be a MARC tag. */
static int norm_tag(const char *t, char out[4], int *padded)
{
	size_t n = strlen(t);
	*padded = 0;
	if (n == 3) {
		for (int i = 0; i < 3; i++)
			if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
				return -1;
		memcpy(out, t, 4);
		return 0;
	}
	if (n == 1 || n == 2) {
		for (size_t i = 0; i < n; i++)
			if (t[i] < '0' || t[i] > '9')
				return -1;
		memcpy(out, "000", 4);
		memcpy(out + 3 - n, t, n);
		*padded = 1;
		return 0;
	}
	return -1;
}

/* One indicator: missing, empty or U+FFFD -> blank (warning); one ASCII byte
 * that is not a control character; anything else is an error. */
static int get_ind(marc_reader *rd, const char *tag, int which, const char *v, char *out)
{
	if (!v || !*v) {
		mr_warn(rd, "field %s: %s indicator %d; read as blank", tag,
		        v ? "empty" : "missing", which);
		*out = ' ';
		return 0;
	}
	if (!strcmp(v, "\xEF\xBF\xBD")) {
		/* U+FFFD: the indicator was already lost upstream */
		mr_warn(rd, "field %s: indicator %d is U+FFFD (replacement character); "
		        "read as blank", tag, which);
		*out = ' ';
		return 0;
	}
	if (v[1] || (unsigned char)v[0] < 0x20 || (unsigned char)v[0] >= 0x7f) {
		mr_bad(rd, "field %s: indicator %d \"%s\" is not one character", tag, which, v);
		return -1;
	}
	*out = v[0];
	return 0;
}

/* A leader as written -> 24 bytes (padded or cut with a warning). */
static int set_leader(marc_reader *rd, rec *r, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == '\n' || *s == '\r' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20) {
			mr_bad(rd, "leader: character at position %zu is not printable ASCII", i);
			return -1;
		}
	if (n < REC_LEADER_LEN)
		mr_warn(rd, "leader is %zu characters, not 24; padded with blanks", n);
	else if (n > REC_LEADER_LEN)
		mr_warn(rd, "leader is %zu characters, not 24; cut to 24 (dropped \"%.*s\")",
		        n, (int)(n - REC_LEADER_LEN > 40 ? 40 : n - REC_LEADER_LEN),
		        s + REC_LEADER_LEN);
	rec_set_leader(r, s, n);
	return 0;
}

static int walk_record(struct xst *st, const xmlNode *node, rec *r)
{
	marc_reader *rd = st->rd;
	int have_leader = 0, stray_text = 0, markup = 0, abad = 0;
	const char *txt;
	size_t tlen;
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (!blank_text(c))
				stray_text = 1;
			continue;
		}
		if (c->type == XML_ENTITY_REF_NODE)
			return mr_bad(rd, "entity reference &%s; is not supported", (const char *)c->name);
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *ln = node_local(c);
		if (!strcmp(ln, "leader")) {
			if (node_text(st, c, &st->tmp, 0, &txt, &tlen, &markup) != 0)
				return mr_bad(rd, "leader: entity reference %s is not supported", st->tmp2.buf);
			if (have_leader) {
				mr_warn(rd, "more than one leader; the first was kept");
				continue;
			}
			if (set_leader(rd, r, txt, tlen) != 0)
				return MR_BAD;
			have_leader = 1;
			continue;
		}
		int ctl = !strcmp(ln, "controlfield");
		if (!ctl && strcmp(ln, "datafield")) {
			mr_warn(rd, "unknown element <%s> in a record ignored", (const char *)c->name);
			continue;
		}
		const char *t = node_attr(c, "tag", &st->tmp, &abad);
		char tag[4];
		int padded;
		if (!t || !*t)
			return mr_bad(rd, "%s with no tag%s", ln, abad ? " (entity reference)" : "");
		if (norm_tag(t, tag, &padded) != 0)
			return mr_bad(rd, "%s: tag \"%s\" is not a MARC tag", ln, t);
		if (padded)
			mr_warn(rd, "tag \"%s\" read as %s", t, tag);
		if (ctl) {
			if (node_text(st, c, &st->tmp, 0, &txt, &tlen, &markup) != 0)
				return mr_bad(rd, "field %s: entity reference %s is not supported",
				              tag, st->tmp2.buf);
			rec_add_control(r, tag, txt, tlen);
			continue;
		}
		char i1, i2;
		const char *v1 = node_attr(c, "ind1", &st->tmp, &abad);
		if (abad)
			return mr_bad(rd, "field %s: entity reference in ind1", tag);
		if (get_ind(rd, tag, 1, v1, &i1) != 0)
			return MR_BAD;
		const char *v2 = node_attr(c, "ind2", &st->tmp, &abad);
		if (abad)
			return mr_bad(rd, "field %s: entity reference in ind2", tag);
		if (get_ind(rd, tag, 2, v2, &i2) != 0)
			return MR_BAD;
		size_t f = rec_add_field(r, tag, i1, i2);
		int nsub = 0, fstray = 0;
		for (const xmlNode *s = c->children; s; s = s->next) {
			if (s->type == XML_TEXT_NODE || s->type == XML_CDATA_SECTION_NODE) {
				if (!blank_text(s))
					fstray = 1;
				continue;
			}
			if (s->type == XML_ENTITY_REF_NODE)
				return mr_bad(rd, "field %s: entity reference &%s; is not supported",
				              tag, (const char *)s->name);
			if (s->type != XML_ELEMENT_NODE)
				continue;
			if (strcmp(node_local(s), "subfield")) {
				mr_warn(rd, "field %s: unknown element <%s> ignored", tag,
				        (const char *)s->name);
				continue;
			}
			const char *code = node_attr(s, "code", &st->tmp, &abad);
			if (!code || !*code)
				return mr_bad(rd, "field %s: subfield with %s code", tag,
				              code ? "an empty" : "no");
			if (code[1])
				return mr_bad(rd, "field %s: subfield code \"%s\" is not one character",
				              tag, code);
			if ((unsigned char)code[0] < 0x20 || code[0] == 0x7f)
				return mr_bad(rd, "field %s: subfield code 0x%02X is a control character",
				              tag, (unsigned char)code[0]);
			char cd = code[0];
			if (node_text(st, s, &st->tmp, 0, &txt, &tlen, &markup) != 0)
				return mr_bad(rd, "field %s $%c: entity reference %s is not supported",
				              tag, cd, st->tmp2.buf);
			rec_add_sub(r, f, cd, txt, tlen);
			nsub++;
		}
		if (fstray)
			mr_warn(rd, "field %s: text outside subfields ignored", tag);
		if (!nsub)
			mr_warn(rd, "field %s has no subfields", tag);
	}
	if (stray_text)
		mr_warn(rd, "text outside fields ignored");
	if (markup)
		mr_warn(rd, "markup inside a value: only its text was kept");
	if (!have_leader) {
		if (!rec_nfields(r))
			return mr_bad(rd, "empty record (no leader, no fields)");
		rec_set_leader(r, "00000nam a2200000   4500", REC_LEADER_LEN);
		mr_warn(rd, "record has no leader; a default leader was used");
	}
	/* control characters MARC cannot carry (TAB/LF/CR in values are
	 * allowed through; the record separators are not) */
	for (size_t i = 0; i < rec_nfields(r); i++) {
		if (rec_is_control(r, i)) {
			size_t n;
			const char *d = rec_data(r, i, &n);
			for (size_t k = 0; k < n; k++)
				if (d[k] == 0x1d || d[k] == 0x1e || d[k] == 0x1f)
					return mr_bad(rd, "field %s contains a MARC separator (0x%02X)",
					              rec_tag(r, i), (unsigned char)d[k]);
			continue;
		}
		for (size_t s = 0; s < rec_nsub(r, i); s++) {
			size_t n;
			const char *v = rec_sub_value(r, i, s, &n);
			for (size_t k = 0; k < n; k++)
				if (v[k] == 0x1d || v[k] == 0x1e || v[k] == 0x1f)
					return mr_bad(rd, "field %s $%c contains a MARC separator (0x%02X)",
					              rec_tag(r, i), rec_sub_code(r, i, s), (unsigned char)v[k]);
		}
	}
	return MR_OK;
}

/* ------------------------------------------------------------------ */
/* Reader driver */

/* Raw bytes of the record at the head of the queue: its element, or up
 * to the next record start (or end of input) when its end is unknown. */
static void set_raw_head(struct xst *st)
{
	long long end;
	for (;;) {
		const struct span *h = q_head(st), *nx = q_next(st);
		if (h->end >= 0) {
			end = h->end;
			break;
		}
		if (nx) {
			end = nx->start;
			break;
		}
		if (win_end(st) - h->start >= (long long)RAW_MAX || !fill_window(st)) {
			end = win_end(st);
			break;
		}
	}
	const struct span *h = q_head(st);
	if (end - h->start > (long long)RAW_MAX)
		end = h->start + RAW_MAX;
	if (h->start >= st->woff && end <= win_end(st) && end > h->start)
		mr_set_raw(st->rd, st->win + (h->start - st->woff), (size_t)(end - h->start));
}

/* Scan on (no parser running) until a record start is queued or the
 * input ends. */
static struct span *scan_to_record(struct xst *st)
{
	while (!q_head(st)) {
		trim_window(st);
		if (!fill_window(st))
			break;
	}
	return q_head(st);
}

/* Warnings collected for the record starting at raw offset `start`. */
static void flush_pending(struct xst *st, long long start)
{
	if (st->between_off >= 0 && start >= st->between_off) {
		add_pending(st, st->between.buf);
		st->between_off = -1;
	}
	if (!st->pending.len)
		return;
	char *p = st->pending.buf;
	for (;;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		mr_warn(st->rd, "%s", p);
		if (!nl)
			break;
		p = nl + 1;
	}
	sb_reset(&st->pending);
	st->npending = 0;
}

static void error_text(struct xst *st, strbuf *out, long long E)
{
	long long line, col;
	sb_reset(out);
	if (raw_linecol(st, E, &line, &col)) {
		if (col > 0)
			sb_addf(out, "not well-formed XML at line %lld, column %lld (byte %lld): ",
			        line, col, E);
		else
			sb_addf(out, "not well-formed XML at line %lld (byte %lld): ", line, E);
	} else if (st->sessions == 1 && st->err_line > 0)
		sb_addf(out, "not well-formed XML at line %d, column %d (byte %lld): ",
		        st->err_line, st->err_col, E);
	else
		sb_addf(out, "not well-formed XML at byte %lld: ", E);
	sb_add(out, st->errmsg.buf ? st->errmsg.buf : "parse error", st->errmsg.len);
}

/* Start a full session at the next record start, or finish. */
static void restart_next(struct xst *st)
{
	end_session(st);
	struct span *u = scan_to_record(st);
	if (!u) {
		st->mode = M_DONE;
		return;
	}
	restart_session(st, u->start, -1);
}

/* True if the input ends at raw offset off, give or take blanks. */
static int blanks_to_end(struct xst *st, long long off)
{
	while (fill_window(st))
		if (win_end(st) - off > 4096)
			return 0;
	if (off < st->woff)
		return 0;
	for (long long i = off; i < win_end(st); i++)
		if (!is_blank((unsigned char)st->win[i - st->woff]))
			return 0;
	return 1;
}

/* True if the whole input was blanks (or a BOM): an empty file. */
static int blank_input(struct xst *st)
{
	if (st->woff != st->base || !st->in_eof)
		return 0;
	size_t i = st->wlen >= 3 && !memcmp(st->win, "\xEF\xBB\xBF", 3) ? 3 : 0;
	for (; i < st->wlen; i++)
		if (!is_blank((unsigned char)st->win[i]))
			return 0;
	return 1;
}

/* After a fatal error: reject the record that holds it and restart. */
static int drain(struct xst *st)
{
	marc_reader *rd = st->rd;
	long long E = st->fatal && st->err_fed >= 0 ? fed_to_raw(st, st->err_fed)
	                                            : fed_to_raw(st, st->fed);
	if (!st->fatal) {
		sb_reset(&st->errmsg);
		sb_adds(&st->errmsg, "the XML parser stopped");
	}
	error_text(st, &st->tmp, E);
	long long sess_start = st->sess_start;
	int limited = st->limited;
	end_session(st);
	/* the next undelivered record start, scanning on if needed */
	struct span *u = scan_to_record(st);
	if (!u) {
		st->mode = M_DONE;
		if (st->delivered == 0 && !blank_input(st)) {
			/* nothing in this file was a record: say why */
			mr_begin(rd, E);
			long long from = E >= st->woff ? E : st->woff;
			if (from > win_end(st))
				from = win_end(st);
			long long to = win_end(st);
			if (to - from > 65536)
				to = from + 65536;
			if (to > from)
				mr_set_raw(rd, st->win + (from - st->woff), (size_t)(to - from));
			st->delivered++;
			return mr_bad(rd, "no MARCXML record found: %s", st->tmp.buf);
		}
		return MR_EOF;
	}
	int victim;
	if (limited)
		victim = 1;
	else if (E <= u->start)
		victim = u->start <= sess_start;
	else if (u->end >= 0 && u->end <= E)
		victim = 0;
	else
		victim = 1;
	if (!victim) {
		/* the error lies outside any record: tell the first record
		 * after it (the error may be met again while we restart) */
		st->between_off = E;
		sb_reset(&st->between);
		sb_addf(&st->between, "%s (before this record; skipped)", st->tmp.buf);
		if (E <= u->start)
			restart_session(st, u->start, -1);
		else if (u->start > sess_start)
			restart_session(st, u->start, -1);
		else
			restart_session(st, u->start, u->end);
		return -2;
	}
	mr_begin(rd, u->start);
	flush_pending(st, u->start);
	int truncated = u->end < 0 && !q_next(st) && blanks_to_end(st, E);
	set_raw_head(st);
	q_pop(st);
	st->delivered++;
	st->mode = M_NEXT;
	if (truncated)
		return mr_bad(rd, "the input ends inside this record (truncated file?): %s",
		              st->tmp.buf);
	return mr_bad(rd, "%s", st->tmp.buf);
}

static long long approx_offset(struct xst *st)
{
	long c = xmlTextReaderByteConsumed(st->xr);
	return c >= 0 ? fed_to_raw(st, c) : st->sess_start;
}

/* One step of the parser: returns MR_OK / MR_BAD for a record, -2 to
 * go on. */
static int parse_step(struct xst *st, rec *r)
{
	marc_reader *rd = st->rd;
	int ret = st->skip_subtree ? xmlTextReaderNext(st->xr) : xmlTextReaderRead(st->xr);
	st->skip_subtree = 0;
	if (ret < 0 || (ret == 1 && st->fatal)) {
		st->mode = M_DRAIN;
		return -2;
	}
	if (ret == 0) {
		/* document finished */
		int was_limited = st->limited;
		end_session(st);
		if (was_limited) {
			st->mode = M_NEXT;
			return -2;
		}
		struct span *u = q_head(st);
		if (u) {
			/* a record start the parser never reported */
			mr_begin(rd, u->start);
			flush_pending(st, u->start);
			set_raw_head(st);
			q_pop(st);
			st->delivered++;
			st->mode = M_NEXT;
			return mr_bad(rd, "record not read: the XML parser did not see this element");
		}
		st->mode = M_NEXT;
		return -2;
	}
	if (xmlTextReaderNodeType(st->xr) != XML_READER_TYPE_ELEMENT)
		return -2;
	const xmlChar *name = xmlTextReaderConstLocalName(st->xr);
	if (!name || strcmp(local_part((const char *)name), "record"))
		return -2;
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(st->xr);
	xmlNodePtr node = xmlTextReaderExpand(st->xr);
	if (!node || st->fatal) {
		st->mode = M_DRAIN;
		return -2;
	}
	/* (expanding reads input, which may move the queue) */
	struct span *sp = q_head(st);
	if (!ns_ok(ns)) {
		/* a record in another namespace: MARC only if it looks like it */
		const xmlNode *c = node->children;
		while (c && c->type != XML_ELEMENT_NODE)
			c = c->next;
		const char *ln = c ? node_local(c) : "";
		if (strcmp(ln, "leader") && strcmp(ln, "controlfield") && strcmp(ln, "datafield")) {
			if (sp)
				q_pop(st);
			return -2;
		}
	}
	long long start = sp ? sp->start : approx_offset(st);
	mr_begin(rd, start);
	flush_pending(st, start);
	if (!ns_ok(ns))
		mr_warn(rd, "record in namespace \"%s\" read as MARCXML", (const char *)ns);
	int rc = walk_record(st, node, r);
	if (rc == MR_BAD) {
		if (sp)
			set_raw_head(st);
		else {
			xmlBufferPtr b = xmlBufferCreate();
			if (b) {
				xmlNodeDump(b, node->doc, node, 0, 0);
				mr_set_raw(rd, (const char *)xmlBufferContent(b), (size_t)xmlBufferLength(b));
				xmlBufferFree(b);
			}
		}
	}
	if (sp)
		q_pop(st);
	st->delivered++;
	st->skip_subtree = 1;
	return rc;
}

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)err;
	xmlInitParser();
	struct xst *st = xcalloc(1, sizeof *st);
	st->rd = rd;
	st->base = mr_tell(rd);
	st->woff = st->base;
	st->sc.off = st->base;
	st->sc.line = 1;
	st->sc.line_off = st->base;
	st->root_off = -1;
	st->hold = -1;
	st->between_off = -1;
	st->mode = M_START;
	return st;
}

static int r_next(void *vst, marc_reader *rd, rec *r)
{
	struct xst *st = vst;
	(void)rd;
	for (;;) {
		int rc;
		switch (st->mode) {
		case M_START:
			if (first_session(st, NULL) != 0) {
				st->mode = M_DONE;
				mr_begin(st->rd, st->base);
				return mr_bad(st->rd, "cannot create the XML parser");
			}
			st->mode = M_PARSE;
			break;
		case M_PARSE:
			rc = parse_step(st, r);
			if (rc != -2)
				return rc;
			break;
		case M_DRAIN:
			rc = drain(st);
			if (rc != -2)
				return rc;
			break;
		case M_NEXT:
			restart_next(st);
			break;
		default:
			end_session(st);
			return MR_EOF;
		}
	}
}

static void r_close(void *vst)
{
	struct xst *st = vst;
	if (!st)
		return;
	end_session(st);
	free(st->win);
	free(st->q);
	sb_release(&st->decl);
	sb_release(&st->roottag);
	sb_release(&st->rootname);
	sb_release(&st->prefix);
	sb_release(&st->suffix);
	sb_release(&st->errmsg);
	sb_release(&st->pending);
	sb_release(&st->between);
	sb_release(&st->tmp);
	sb_release(&st->tmp2);
	free(st);
}

const struct fmt_reader fmt_marcxml_reader = { MF_MARCXML, 1, r_open, r_next, r_close };

/* ------------------------------------------------------------------ */
/* Writer */

/* Bytes that need a look: markup characters, C0 controls, and 0xEF
 * (the lead byte of U+FFFE / U+FFFF). */
static unsigned char xml_special[256];

static void xml_special_init(void)
{
	if (xml_special['&'])
		return;
	for (int c = 0; c < 0x20; c++)
		xml_special[c] = 1;
	xml_special['&'] = xml_special['<'] = xml_special['>'] = xml_special['"'] = 1;
	xml_special[0xEF] = 1;
}

/* Append s escaped for XML text (attr: for an attribute value). Returns
 * -1 at the first character XML 1.0 cannot hold (*bad = its offset). */
static int xml_escape(strbuf *out, const char *s, size_t n, int attr, size_t *bad)
{
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!xml_special[c]) {
			i++;
			continue;
		}
		const char *rep = NULL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		case '\r': rep = "&#13;"; break;
		case '\n': rep = attr ? "&#10;" : NULL; break;
		case '\t': rep = attr ? "&#9;" : NULL; break;
		case 0xEF:
			if (i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
			    ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
				*bad = i;
				return -1;
			}
			break;
		default:
			*bad = i;
			return -1;
		}
		if (rep) {
			sb_add(out, s + run, i - run);
			sb_adds(out, rep);
			run = i + 1;
		}
		i++;
	}
	sb_add(out, s + run, n - run);
	return 0;
}

/* Append an escaped value; on failure say what is wrong with it. */
static int put_text(strbuf *out, strbuf *err, const rec *r, long f, long s,
                    const char *v, size_t n, int attr)
{
	size_t bad = 0;
	int ok = utf8_valid(v, n, &bad);
	if (ok && xml_escape(out, v, n, attr, &bad) == 0)
		return 0;
	if (f < 0)
		sb_adds(err, "leader");
	else if (s < 0)
		sb_addf(err, "field %ld (%s)", f + 1, rec_tag(r, (size_t)f));
	else
		sb_addf(err, "field %ld (%s) $%c", f + 1, rec_tag(r, (size_t)f),
		        rec_sub_code(r, (size_t)f, (size_t)s));
	if (!ok)
		sb_addf(err, ": invalid UTF-8 at byte %zu of the value", bad);
	else if ((unsigned char)v[bad] < 0x20)
		sb_addf(err, ": control character 0x%02X at byte %zu cannot be written in XML",
		        (unsigned char)v[bad], bad);
	else
		sb_addf(err, ": non-character U+FFF%c at byte %zu cannot be written in XML",
		        (unsigned char)v[bad + 2] == 0xBE ? 'E' : 'F', bad);
	return -1;
}

static int ascii_char_ok(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

static void w_begin(marc_writer *w, strbuf *out)
{
	(void)w;
	xml_special_init();
	sb_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<collection xmlns=\"" NS_SLIM "\">\n");
}

static int w_put(marc_writer *w, const rec *r, strbuf *out, strbuf *err)
{
	(void)w;
	xml_special_init();
	sb_adds(out, "<record>\n  <leader>");
	if (put_text(out, err, r, -1, -1, rec_leader(r), REC_LEADER_LEN, 0) != 0)
		return -1;
	sb_adds(out, "</leader>\n");
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(r, f);
		for (int k = 0; tag[k]; k++)
			if (!ascii_char_ok(tag[k])) {
				sb_addf(err, "field %zu: tag byte 0x%02X cannot be written in MARCXML",
				        f + 1, (unsigned char)tag[k]);
				return -1;
			}
		if (rec_is_control(r, f)) {
			size_t n;
			const char *d = rec_data(r, f, &n);
			sb_adds(out, "  <controlfield tag=\"");
			put_text(out, err, r, (long)f, -1, tag, strlen(tag), 1);
			sb_adds(out, "\">");
			if (put_text(out, err, r, (long)f, -1, d, n, 0) != 0)
				return -1;
			sb_adds(out, "</controlfield>\n");
			continue;
		}
		char i1 = rec_ind(r, f, 1), i2 = rec_ind(r, f, 2);
		if (!ascii_char_ok(i1) || !ascii_char_ok(i2)) {
			sb_addf(err, "field %zu (%s): indicator 0x%02X cannot be written in MARCXML",
			        f + 1, tag, (unsigned char)(ascii_char_ok(i1) ? i2 : i1));
			return -1;
		}
		sb_adds(out, "  <datafield tag=\"");
		put_text(out, err, r, (long)f, -1, tag, strlen(tag), 1);
		sb_adds(out, "\" ind1=\"");
		put_text(out, err, r, (long)f, -1, &i1, 1, 1);
		sb_adds(out, "\" ind2=\"");
		put_text(out, err, r, (long)f, -1, &i2, 1, 1);
		sb_adds(out, "\">\n");
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			char code = rec_sub_code(r, f, s);
			size_t n;
			const char *v = rec_sub_value(r, f, s, &n);
			if (!ascii_char_ok(code)) {
				sb_addf(err, "field %zu (%s): subfield code 0x%02X cannot be written "
				        "in MARCXML", f + 1, tag, (unsigned char)code);
				return -1;
			}
			sb_adds(out, "    <subfield code=\"");
			put_text(out, err, r, (long)f, (long)s, &code, 1, 1);
			sb_adds(out, "\">");
			if (put_text(out, err, r, (long)f, (long)s, v, n, 0) != 0)
				return -1;
			sb_adds(out, "</subfield>\n");
		}
		sb_adds(out, "  </datafield>\n");
	}
	sb_adds(out, "</record>\n");
	return 0;
}

static void w_end(marc_writer *w, strbuf *out)
{
	(void)w;
	sb_adds(out, "</collection>\n");
}

const struct fmt_writer fmt_marcxml_writer = { MF_MARCXML, 0, w_begin, w_put, w_end };
