/*
 * marcxml.c - MARCXML reader and writer.
 *
 * Reader. Streaming, constant memory: libxml2's SAX2 push parser is fed
 * from our input buffer and its callbacks build each record straight
 * into a rec, with no tree. We do not use yaz's SAX reader
 * (yaz/marc_sax.h): it hands back an opaque yaz_marc_t that can only be
 * walked by serialising it again (ISO 2709 truncates records over 99,999
 * bytes; the DOM route runs at ~33k records/s, slower than yaz-marcdump
 * itself). Nor libxml2's xmlTextReader with xmlTextReaderExpand: building
 * and freeing a tree per record costs more CPU than yaz-marcdump's whole
 * MARCXML -> ISO 2709 run, and our target is at least yaz-marcdump's
 * speed. libxml2 is what yaz uses anyway.
 *
 * Accepted: a <collection> root, a single <record> root, or several
 * <record> elements at root level with no collection (we then wrap them
 * in a synthetic root); the MARC21/slim or MarcXchange namespace or none,
 * any prefix; a UTF-8 BOM; any XML encoding libxml2 knows. <record>
 * elements nested anywhere (e.g. an OAI-PMH response) are found too; a
 * <record> in another namespace is MARC only if its first child is a
 * leader, controlfield or datafield. Values are taken verbatim (no
 * whitespace trimming).
 *
 * Positions. The parser's own position gives each record's extent: at
 * the start-tag callback the record's '<' is the last '<' before it (no
 * '<' can occur inside a tag), at the end-tag callback it is just past
 * the '>'. That gives exact byte offsets (mr_begin) and the raw bytes of
 * every record (marc_reader_raw) for UTF-8 input; through a decoder
 * (Latin-1, UTF-16...) they are close. The bytes of records not yet
 * handed out are kept in a window, so memory stays bounded by the
 * record size.
 *
 * Bad input. libxml2 stops at the first well-formedness error. Then the
 * record that holds it is rejected (message with line, column and byte
 * offset; raw bytes as in the input): a small byte scanner (which knows
 * comments, CDATA, PIs and the DOCTYPE) rescans from that record's start
 * to find where it ends and where the next <record> starts, and parsing
 * restarts there with a fresh parser, replaying the XML declaration and
 * the root start tag so encodings and namespace prefixes still apply. So
 * one bad record costs one record, not the rest of the file, and about
 * the time of one record. (The same scanner reads the prolog, to find
 * the root.) libxml2 waits for a ';' after a '&' before it parses the
 * reference; a bare '&' would make it swallow all the input that follows
 * in search of one, so we end its input as soon as it sits on a '&' with
 * no ';' in sight, and after 16 MB with no event at all.
 * An error outside any record becomes a warning on the next record; an
 * error after the last record (e.g. a missing </collection>) loses no
 * data and is not reported; a file that is not well-formed and holds no
 * record at all is reported as one rejected "record". The scanner reads
 * bytes as ASCII, so in UTF-16 it finds no record after an error: the
 * record is then rejected with a message that the rest was not read.
 *
 * Per-record policy: a tag of one or two digits ("42") is read as "042"
 * with a warning; a leader that is not 24 characters is padded or cut
 * with a warning; a missing leader gets a default one with a warning;
 * missing indicators, and U+FFFD ones (the mark of an indicator already
 * lost), become blanks with a warning; a datafield with no subfields is
 * kept, with a warning. Rejected: an indicator or a subfield code that
 * is not exactly one character, a missing or empty subfield code or tag,
 * a tag that cannot be a MARC tag, entity references other than the
 * predefined ones, non-ASCII leaders. (No control character other than
 * TAB, LF and CR can reach a value: libxml2 reads XML 1.0 rules only, so
 * "&#x1f;" is not well-formed even under version="1.1".)
 *
 * Writer. Hand-written for speed: an XML declaration, a MARC21/slim
 * <collection>, one <record> per record laid out as yaz does it. The
 * leader is written as held (yaz does the same; the ISO 2709 writers
 * recompute the lengths). XML 1.0 cannot hold C0 control characters
 * other than TAB, LF and CR, nor U+FFFE/U+FFFF: a record containing one
 * is refused, naming the field, rather than written as a file no XML
 * parser will read. CR is written as &#13; so that it survives parsing.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "marcio-impl.h"
#include "i18n-lower.h"

#define NS_SLIM "http://www.loc.gov/MARC21/slim"
#define WRAP_OPEN "<bienmuc-wrap>"
#define WRAP_CLOSE "</bienmuc-wrap>"
#define CHUNK 65536               /* fresh input read per step */
#define FEED 65536                /* most bytes handed to the parser per step */
#define CAPTURE_MAX 65536         /* longest XML declaration / root tag kept */
#define RAW_MAX (16u << 20)       /* longest raw reject when the end is unknown */
#define MAX_PENDING_WARN 8
#define SAFE_MAX (16u << 20)      /* most bytes kept behind for a rescan */
#define STUCK_MAX (16u << 20)     /* input the parser may take with no event */

/* ------------------------------------------------------------------ */
/* Raw scanner: finds <record> start tags and the ends of their elements. */

enum {
	S_TEXT, S_LT, S_BANG, S_COMMENT, S_CDATA, S_PI, S_DECL, S_DECL_Q,
	S_STARTNAME, S_INTAG, S_INTAG_Q, S_ENDNAME, S_ENDTAG,
};

struct span {
	long long start;     /* raw offset of '<' */
	long long end;       /* raw offset just past the element, -1 unknown */
	long seq;
};

struct scanner {
	int state;
	long long off;        /* raw offset of the next byte to scan */
	long long tag_off;    /* offset of the '<' being scanned */
	char name[64];
	int nlen;
	char quote;
	int run;              /* '-' / ']' run, or last byte was '?' */
	int slash;            /* last non-blank byte in a tag was '/' */
	char bang[8];
	int nbang;
	int brackets;
	int root_seen, is_root, is_record;
	long open[16];        /* spans of the open record elements */
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

/* A record built by the SAX callbacks, waiting to be handed out. */
struct outrec {
	rec *r;
	int bad;
	strbuf msg;           /* why it is rejected */
	strbuf warn;          /* warnings, one per line */
	long long off, end;   /* raw extent of the record element */
};

enum { M_START, M_PARSE, M_DRAIN, M_NEXT, M_DONE };
/* what the character data currently read belongs to */
enum { W_NONE, W_LEADER, W_CONTROL, W_SUB, W_SKIP };
enum { K_NONE, K_LEADER, K_CONTROL, K_DATA, K_OTHER };

struct xst {
	marc_reader *rd;
	long long base;

	/* raw window: bytes [woff, woff + wlen) of the input */
	char *win;
	size_t wlen, wcap;
	long long woff;
	int in_eof;
	long long lines, lines_off; /* line number at win_end, and where it starts */

	int scanning;               /* the raw scanner runs on new input */
	struct scanner sc;
	struct span *q;
	size_t qhead, qlen, qcap;   /* live spans are q[qhead .. qlen) */
	long next_seq;

	/* prolog: XML declaration and root start tag, for restarts */
	strbuf decl, roottag, prefix, suffix;
	long long root_off;
	int root_is_record, root_capture_failed;
	long long hold;             /* keep raw bytes from here (-1 none) */

	/* parser session */
	xmlParserCtxtPtr ctxt;
	struct seg seg[4];
	int nseg, cur;
	long long segpos;           /* bytes of seg[cur] already fed */
	long long fed;
	long long sess_start;       /* raw offset of the first raw segment */
	long long min_next;         /* restart only at records from here on
	                               (past every record handed out) */
	long long safe_off;         /* a tag boundary to rescan from after an
	                               error: the end of the last record */
	int sessions;
	size_t feed_size;           /* bytes handed to the parser next time */
	long long event_fed;        /* st->fed at the parser's last SAX event */

	/* names as interned in the parser's dictionary: SAX2 hands out
	 * dictionary pointers, so names compare by pointer */
	const xmlChar *k_record, *k_leader, *k_controlfield, *k_datafield, *k_subfield,
		*k_tag, *k_ind1, *k_ind2, *k_code;

	/* SAX state */
	int depth, in_rec, rec_depth, unknown_ns;
	int what, kind, nsub, markup, stray, fstray, have_leader;
	size_t field;
	char tag[4];
	char code;
	strbuf text;

	/* records built and not yet handed out: out[ohead .. olen) */
	struct outrec *out;
	size_t ohead, olen, ocap;

	/* first fatal error of the session */
	int fatal;
	strbuf errmsg, lasterr;
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
static size_t count_newlines(const char *p, size_t n);
static int scan_more(struct xst *st);

/* Read up to CHUNK fresh bytes into the window and scan them.
 * Returns the number read, 0 at end of input. */
static size_t fill_window(struct xst *st)
{
	if (st->in_eof)
		return 0;
	size_t n = mr_fill(st->rd, 1);
	if (n == 0) {
		st->in_eof = 1;
		st->hold = -1;
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
	const char *p = st->win + st->wlen;
	int caught_up = st->sc.off == win_end(st);
	memcpy(st->win + st->wlen, mr_data(st->rd), n);
	st->wlen += n;
	mr_consume(st->rd, n);
	size_t nl = count_newlines(p, n);
	if (nl) {
		const char *last = p + n - 1;
		while (*last != '\n')
			last--;
		st->lines += (long long)nl;
		st->lines_off = win_end(st) - (long long)(p + n - last) + 1;
	}
	if (st->scanning && caught_up)
		scan_bytes(st, p, n);
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
	long long need = st->ctxt ? session_need(st) : -1;
	if (need >= 0 && need < keep)
		keep = need;
	if (st->qhead < st->qlen && st->q[st->qhead].start < keep)
		keep = st->q[st->qhead].start;
	if (st->scanning && st->sc.off < keep)
		keep = st->sc.off;
	/* records not handed out yet (the open one is the last) */
	if (st->ohead < st->olen && st->out[st->ohead].off >= 0 && st->out[st->ohead].off < keep)
		keep = st->out[st->ohead].off;
	if (st->safe_off >= 0 && st->safe_off < keep) {
		if (keep - st->safe_off > (long long)SAFE_MAX)
			st->safe_off = -1;   /* a long way from any record: let go */
		else
			keep = st->safe_off;
	}
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

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Bytes that end an element name. */
static unsigned char name_end[256];

static void name_end_init(void)
{
	if (name_end['>'])
		return;
	for (const char *s = " \t\r\n/><='\"!?"; *s; s++)
		name_end[(unsigned char)*s] = 1;
	name_end[0] = 1;
}

/* True if the name [s, s+n) has the local part "record". */
static int is_record_name(const char *s, size_t n)
{
	return n >= 6 && !memcmp(s + n - 6, "record", 6) && (n == 6 || s[n - 7] == ':');
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

/* The name of a start tag is complete: is it the root, a record? */
static void start_tag_name_done(struct xst *st)
{
	struct scanner *sc = &st->sc;
	sc->name[sc->nlen] = 0;
	sc->is_record = is_record_name(sc->name, (size_t)sc->nlen);
	sc->is_root = !sc->root_seen;
	if (!sc->root_seen) {
		sc->root_seen = 1;
		st->root_off = sc->tag_off;
		st->root_is_record = sc->is_record;
	}
}

static void start_tag_done(struct xst *st, long long off)
{
	struct scanner *sc = &st->sc;
	int self = sc->slash;
	if (sc->is_root && st->hold >= 0) {
		capture(st, &st->roottag, off);
		st->hold = -1;
	}
	if (sc->is_record) {
		struct span *s = q_push(st);
		s->start = sc->tag_off;
		s->end = self ? off + 1 : -1;
		if (!self && sc->nopen < (int)(sizeof sc->open / sizeof *sc->open))
			sc->open[sc->nopen++] = s->seq;
	}
}

/* A record end tag ends at raw offset off: it closes the innermost open
 * record element (no depth counting is needed for that). */
static void end_tag_done(struct xst *st, long long off)
{
	struct scanner *sc = &st->sc;
	if (sc->nopen > 0) {
		struct span *s = q_find(st, sc->open[--sc->nopen]);
		if (s)
			s->end = off + 1;
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

/* Number of '\n' in p[0..n), eight bytes at a time. */
static size_t count_newlines(const char *p, size_t n)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, nls = 0x0a0a0a0a0a0a0a0aULL;
	size_t c = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		w ^= nls;                                /* '\n' bytes are now 0 */
		uint64_t t = ~(((w & lo7) + lo7) | w) & ~lo7;  /* 0x80 per zero byte */
		c += (size_t)(((t >> 7) * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

static void scan_bytes(struct xst *st, const char *p, size_t n)
{
	struct scanner *sc = &st->sc;
	const char *end = p + n;
	while (p < end) {
		if (sc->state == S_TEXT) {
			const char *lt = memchr(p, '<', (size_t)(end - p));
			if (!lt) {
				sc->off += end - p;
				break;
			}
			sc->off += lt - p;
			p = lt;
			sc->tag_off = sc->off;
			/* fast path: a tag that is not a record (nor the root) needs
			 * no more than its name; '<' cannot occur inside a tag, so
			 * the search for the next '<' skips the rest */
			if (sc->root_seen && end - p > 2) {
				const char *q = p + 1 + (p[1] == '/');
				const char *ns = q;
				while (q < end && !name_end[(unsigned char)*q])
					q++;
				if (q < end && q > ns && !is_record_name(ns, (size_t)(q - ns))) {
					sc->off += q - p;
					p = q;
					continue;
				}
			}
			sc->state = S_LT;
			sc->off++;
			p++;
			continue;
		}
		char c = *p;
		long long off = sc->off;
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
				sc->nlen = 0;
			} else if (name_end[(unsigned char)c]) {
				sc->state = c == '<' ? S_LT : S_TEXT;
				if (c == '<')
					sc->tag_off = off;
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
			if (name_end[(unsigned char)c]) {
				start_tag_name_done(st);
				if (!sc->is_record && !sc->is_root) {
					/* nothing more to learn from this tag */
					sc->state = c == '<' ? S_LT : S_TEXT;
					if (c == '<')
						sc->tag_off = off;
					break;
				}
				sc->state = S_INTAG;
				if (c == '/')
					sc->slash = 1;
				else if (c == '>') {
					start_tag_done(st, off);
					sc->state = S_TEXT;
				} else if (c == '<') {
					sc->state = S_LT;
					sc->tag_off = off;
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
			} else if (!is_blank(c))
				sc->slash = c == '/';
			break;
		case S_INTAG_Q: {
			const char *qe = memchr(p - 1, sc->quote, (size_t)(end - p + 1));
			if (!qe) {
				sc->off += end - p;
				p = end;
			} else {
				sc->off += qe - (p - 1);
				p = qe + 1;
				sc->state = S_INTAG;
			}
			break;
		}
		case S_ENDNAME:
			if (name_end[(unsigned char)c]) {
				if (!is_record_name(sc->name, (size_t)sc->nlen))
					sc->state = c == '<' ? S_LT : S_TEXT;
				else if (c == '>') {
					end_tag_done(st, off);
					sc->state = S_TEXT;
				} else
					sc->state = c == '<' ? S_LT : S_ENDTAG;
				if (c == '<')
					sc->tag_off = off;
			} else if (sc->nlen < (int)sizeof sc->name - 1)
				sc->name[sc->nlen++] = c;
			break;
		case S_ENDTAG:
			if (c == '>') {
				end_tag_done(st, off);
				sc->state = S_TEXT;
			} else if (c == '<') {
				sc->state = S_LT;
				sc->tag_off = off;
			}
			break;
		}
	}
	if (st->hold >= 0 && sc->off - st->hold > CAPTURE_MAX) {
		st->hold = -1;
		st->root_capture_failed = 1;
	}
}

/* Line and column of a raw offset, from the window when it is there. */
static int raw_linecol(const struct xst *st, long long off, long long *line, long long *col)
{
	if (off < st->woff || off > win_end(st))
		return 0;
	const char *w = st->win;
	size_t after = count_newlines(w + (off - st->woff), (size_t)(win_end(st) - off));
	long long l = st->lines - (long long)after;
	long long lo = after ? -1 : st->lines_off;
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

/* The next piece of the session's input, at most max bytes, without
 * copying (raw bytes point into the window, which does not move while
 * the parser runs). Returns 0 when the session input is exhausted. */
static size_t feed_next(struct xst *st, const char **ptr, size_t max)
{
	trim_window(st);
	while (st->cur < st->nseg) {
		struct seg *s = &st->seg[st->cur];
		if (s->fed_at < 0)
			s->fed_at = st->fed;
		if (!s->raw) {
			size_t n = s->synlen - (size_t)st->segpos;
			if (n > max)
				n = max;
			*ptr = s->syn + st->segpos;
			st->segpos += (long long)n;
			if ((size_t)st->segpos == s->synlen) {
				st->cur++;
				st->segpos = 0;
			}
			if (!n)
				continue;
			st->fed += (long long)n;
			return n;
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
		if (avail > (long long)max)
			avail = (long long)max;
		*ptr = st->win + (pos - st->woff);
		st->segpos += avail;
		st->fed += avail;
		return (size_t)avail;
	}
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
	return raw < win_end(st) ? raw : win_end(st);
}

/* Raw offset where the raw segment being parsed begins. */
static long long raw_seg_start(const struct xst *st)
{
	long long low = st->sess_start;
	for (int i = 0; i <= st->cur && i < st->nseg; i++)
		if (st->seg[i].raw && st->seg[i].fed_at >= 0)
			low = st->seg[i].from;
	return low;
}

static long long approx_raw(struct xst *st)
{
	long c = st->ctxt ? xmlByteConsumed(st->ctxt) : -1;
	return c >= 0 ? fed_to_raw(st, c) : st->sess_start;
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

/* ---- records being built ---- */

static struct outrec *cur_out(struct xst *st)
{
	return &st->out[st->olen - 1];
}

static struct outrec *out_open(struct xst *st)
{
	if (st->olen == st->ocap) {
		if (st->ohead > 0) {
			/* rotate the live entries to the front (swapping, so every
			 * slot keeps its own rec and buffers) */
			for (size_t i = 0; i + st->ohead < st->olen; i++) {
				struct outrec t = st->out[i];
				st->out[i] = st->out[i + st->ohead];
				st->out[i + st->ohead] = t;
			}
			st->olen -= st->ohead;
			st->ohead = 0;
		} else {
			size_t cap = st->ocap ? st->ocap * 2 : 8;
			st->out = xrealloc(st->out, cap * sizeof *st->out);
			memset(st->out + st->ocap, 0, (cap - st->ocap) * sizeof *st->out);
			st->ocap = cap;
		}
	}
	struct outrec *o = &st->out[st->olen++];
	if (!o->r)
		o->r = rec_create();
	else
		rec_clear(o->r);
	o->bad = 0;
	sb_reset(&o->msg);
	sb_reset(&o->warn);
	o->off = o->end = -1;
	return o;
}

static void out_drop_tail(struct xst *st)
{
	if (st->olen > st->ohead)
		st->olen--;
	if (st->ohead == st->olen)
		st->ohead = st->olen = 0;
}

static void out_pop(struct xst *st)
{
	if (st->ohead < st->olen)
		st->ohead++;
	if (st->ohead == st->olen)
		st->ohead = st->olen = 0;
}

/* A finished record is waiting. */
static int out_ready(const struct xst *st)
{
	return st->ohead < st->olen && (st->ohead + 1 < st->olen || !st->in_rec);
}

static void o_warn(struct xst *st, const char *fmt, ...) BM_PRINTF(2, 3);
static void o_warn(struct xst *st, const char *fmt, ...)
{
	struct outrec *o = cur_out(st);
	va_list ap;
	if (o->warn.len)
		sb_addc(&o->warn, '\n');
	va_start(ap, fmt);
	sb_vaddf(&o->warn, fmt, ap);
	va_end(ap);
}

static void o_bad(struct xst *st, const char *fmt, ...) BM_PRINTF(2, 3);
static void o_bad(struct xst *st, const char *fmt, ...)
{
	struct outrec *o = cur_out(st);
	va_list ap;
	if (o->bad)
		return;
	o->bad = 1;
	va_start(ap, fmt);
	sb_vaddf(&o->msg, fmt, ap);
	va_end(ap);
	st->what = W_SKIP;
}

/* ---- libxml2 errors ---- */

static void xml_error(void *arg, xmlErrorPtr e)
{
	struct xst *st = arg;
	if (!e)
		return;
	const char *msg = e->message ? e->message : _("XML error");
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
		/* where: exact for input with no decoder (UTF-8); with one,
		 * xmlByteConsumed re-encodes through it, which is not safe from
		 * inside its own error: parse_step asks once the chunk is done */
		xmlParserCtxtPtr pc = e->ctxt ? (xmlParserCtxtPtr)e->ctxt : st->ctxt;
		st->err_fed = -1;
		if (pc && pc->input && (!pc->input->buf || !pc->input->buf->encoder)) {
			st->err_fed = xmlByteConsumed(pc);
			if (st->err_fed < 0 || st->err_fed > st->fed)
				st->err_fed = st->fed;
		}
		return;
	}
	if (st->in_rec && (e->code == XML_ERR_UNDECLARED_ENTITY ||
	                   e->code == XML_WAR_UNDECLARED_ENTITY)) {
		/* no DTD entities: we could only drop the text silently */
		o_bad(st, _("%.*s: entity references other than &amp; &lt; &gt; &quot; &apos; "
		      "are not supported"), (int)mlen, msg);
		return;
	}
	sb_reset(&st->lasterr);
	sb_add(&st->lasterr, msg, mlen);
	if (st->sessions > 1 && e->domain == XML_FROM_NAMESPACE)
		return;
	sb_reset(&st->tmp2);
	sb_adds(&st->tmp2, "XML: ");
	sb_add(&st->tmp2, msg, mlen);
	if (e->line > 0 && st->sessions == 1)
		sb_addf(&st->tmp2, _(" (line %d)"), e->line);
	if (st->in_rec)
		o_warn(st, "%s", st->tmp2.buf);
	else
		add_pending(st, st->tmp2.buf);
}

/* ---- SAX callbacks: building the record ---- */

static int ns_ok(const xmlChar *href)
{
	return !href || !*href || !strcmp((const char *)href, NS_SLIM) ||
	       !strncmp((const char *)href, "info:lc/xmlns/marcxchange", 25);
}

/* Attribute `name` (any namespace) from SAX2's array of (localname,
 * prefix, URI, value, end). Copies at most size-1 bytes; *len is the
 * full length. Returns 0 if absent. */
static int attr_get(const xmlChar **atts, int n, const xmlChar *name, char *out, size_t size,
                    size_t *len)
{
	for (int i = 0; i < n; i++) {
		const xmlChar **a = atts + 5 * i;
		if (a[0] != name)
			continue;
		size_t l = (size_t)(a[4] - a[3]);
		*len = l;
		if (l > size - 1)
			l = size - 1;
		memcpy(out, a[3], l);
		out[l] = 0;
		return 1;
	}
	*len = 0;
	out[0] = 0;
	return 0;
}

/* A tag as written -> 3 bytes. 1 or 2 digits are zero-padded (*padded).
 * Returns -1 if it cannot be a MARC tag. */
static int norm_tag(const char *t, size_t n, char out[4], int *padded)
{
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

/* One indicator: missing, empty or U+FFFD -> blank (warning); one
 * printable ASCII byte; anything else makes the record bad. */
static int get_ind(struct xst *st, int which, int present, const char *v, size_t n, char *out)
{
	if (!present || n == 0) {
		o_warn(st, present ? _("field %s: empty indicator %d; read as blank")
		                   : _("field %s: missing indicator %d; read as blank"), st->tag, which);
		*out = ' ';
		return 0;
	}
	if (n == 3 && !memcmp(v, "\xEF\xBF\xBD", 3)) {
		o_warn(st, _("field %s: indicator %d is U+FFFD (replacement character); "
		       "read as blank"), st->tag, which);
		*out = ' ';
		return 0;
	}
	if (n != 1 || (unsigned char)v[0] < 0x20 || (unsigned char)v[0] >= 0x7f) {
		o_bad(st, _("field %s: indicator %d \"%s\" is not one character"), st->tag, which, v);
		return -1;
	}
	*out = v[0];
	return 0;
}

static void start_field(struct xst *st, const xmlChar *ln, const xmlChar **atts, int natts)
{
	struct outrec *o = cur_out(st);
	char v[64];
	size_t n;
	sb_reset(&st->text);
	st->fstray = 0;
	if (ln == st->k_leader) {
		st->kind = K_LEADER;
		st->what = W_LEADER;
		return;
	}
	int ctl = ln == st->k_controlfield;
	if (!ctl && ln != st->k_datafield) {
		o_warn(st, _("unknown element <%s> in a record ignored"), (const char *)ln);
		st->kind = K_OTHER;
		st->what = W_SKIP;
		return;
	}
	int padded;
	if (!attr_get(atts, natts, st->k_tag, v, sizeof v, &n) || n == 0) {
		o_bad(st, _("%s with no tag"), (const char *)ln);
		return;
	}
	if (n >= sizeof v || norm_tag(v, n, st->tag, &padded) != 0) {
		o_bad(st, _("%s: tag \"%s\" is not a MARC tag"), (const char *)ln, v);
		return;
	}
	if (padded)
		o_warn(st, _("tag \"%s\" read as %s"), v, st->tag);
	if (ctl) {
		st->kind = K_CONTROL;
		st->what = W_CONTROL;
		return;
	}
	char i1, i2;
	int p = attr_get(atts, natts, st->k_ind1, v, sizeof v, &n);
	if (get_ind(st, 1, p, v, n, &i1) != 0)
		return;
	p = attr_get(atts, natts, st->k_ind2, v, sizeof v, &n);
	if (get_ind(st, 2, p, v, n, &i2) != 0)
		return;
	st->field = rec_add_field(o->r, st->tag, i1, i2);
	st->kind = K_DATA;
	st->what = W_NONE;
	st->nsub = 0;
}

static void start_sub(struct xst *st, const xmlChar *ln, const xmlChar **atts, int natts)
{
	char v[64];
	size_t n;
	if (ln != st->k_subfield) {
		o_warn(st, _("field %s: unknown element <%s> ignored"), st->tag, (const char *)ln);
		st->what = W_SKIP;
		return;
	}
	int p = attr_get(atts, natts, st->k_code, v, sizeof v, &n);
	if (!p || n == 0) {
		o_bad(st, p ? _("field %s: subfield with an empty code")
		            : _("field %s: subfield with no code"), st->tag);
		return;
	}
	if (n != 1) {
		o_bad(st, _("field %s: subfield code \"%s\" is not one character"), st->tag, v);
		return;
	}
	if ((unsigned char)v[0] < 0x20 || v[0] == 0x7f) {
		o_bad(st, _("field %s: subfield code 0x%02X is a control character"), st->tag,
		      (unsigned char)v[0]);
		return;
	}
	st->code = v[0];
	sb_reset(&st->text);
	st->what = W_SUB;
}

/* A leader as written -> 24 bytes (padded or cut with a warning). */
static void end_leader(struct xst *st)
{
	struct outrec *o = cur_out(st);
	const char *s = st->text.buf ? st->text.buf : "";
	size_t n = st->text.len;
	if (st->have_leader) {
		o_warn(st, _("more than one leader; the first was kept"));
		return;
	}
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == '\n' || *s == '\r' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20) {
			o_bad(st, _("leader: character at position %zu is not printable ASCII"), i);
			return;
		}
	if (n < REC_LEADER_LEN)
		o_warn(st, _("leader is %zu characters, not 24; padded with blanks"), n);
	else if (n > REC_LEADER_LEN)
		o_warn(st, _("leader is %zu characters, not 24; cut to 24 (dropped \"%.*s\")"), n,
		       (int)(n - REC_LEADER_LEN > 40 ? 40 : n - REC_LEADER_LEN), s + REC_LEADER_LEN);
	rec_set_leader(o->r, s, n);
	st->have_leader = 1;
}

static void end_field(struct xst *st)
{
	struct outrec *o = cur_out(st);
	switch (st->kind) {
	case K_LEADER:
		end_leader(st);
		break;
	case K_CONTROL:
		rec_add_control(o->r, st->tag, st->text.buf ? st->text.buf : "", st->text.len);
		break;
	case K_DATA:
		if (st->fstray)
			o_warn(st, _("field %s: text outside subfields ignored"), st->tag);
		if (!st->nsub)
			o_warn(st, _("field %s has no subfields"), st->tag);
		break;
	}
	st->kind = K_NONE;
	st->what = W_NONE;
}

static void end_sub(struct xst *st)
{
	struct outrec *o = cur_out(st);
	if (st->what == W_SUB) {
		rec_add_sub(o->r, st->field, st->code, st->text.buf ? st->text.buf : "", st->text.len);
		st->nsub++;
	}
	st->what = W_NONE;
}

static void end_record(struct xst *st)
{
	st->in_rec = 0;
	if (st->unknown_ns) {
		/* another namespace, and nothing MARC in it */
		out_drop_tail(st);
		return;
	}
	struct outrec *o = cur_out(st);
	/* the parser is just past the end tag's '>' */
	o->end = approx_raw(st);
	if (o->end <= o->off)
		o->end = o->off + 1;
	st->safe_off = o->end;
	if (o->bad)
		return;
	if (st->stray)
		o_warn(st, _("text outside fields ignored"));
	if (st->markup)
		o_warn(st, _("markup inside a value: only its text was kept"));
	if (!st->have_leader) {
		if (!rec_nfields(o->r)) {
			o_bad(st, _("empty record (no leader, no fields)"));
			return;
		}
		rec_set_leader(o->r, "00000nam a2200000   4500", REC_LEADER_LEN);
		o_warn(st, _("record has no leader; a default leader was used"));
	}
}

static void begin_record(struct xst *st, const xmlChar *uri)
{
	struct outrec *o = out_open(st);
	/* the parser is at the end of the start tag: its '<' is the last one
	 * before (no '<' can occur inside a tag), and within what this
	 * session was given */
	long long cur = approx_raw(st), low = raw_seg_start(st);
	/* (positions are exact for UTF-8; through a decoder they are close,
	 * and a record still cannot start before the previous one ended) */
	if (st->safe_off > low)
		low = st->safe_off;
	if (cur < low)
		cur = low;
	o->off = cur;
	for (long long i = cur - 1; i >= st->woff && i >= low; i--)
		if (st->win[i - st->woff] == '<') {
			o->off = i;
			break;
		}
	st->in_rec = 1;
	st->rec_depth = st->depth;
	st->unknown_ns = !ns_ok(uri);
	st->have_leader = st->markup = st->stray = st->fstray = 0;
	st->what = W_NONE;
	st->kind = K_NONE;
	if (st->unknown_ns)
		o_warn(st, _("record in namespace \"%s\" read as MARCXML"), (const char *)uri);
}

static void sx_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nns, const xmlChar **ns, int natts,
                     int ndef, const xmlChar **atts)
{
	struct xst *st = ctx;
	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndef;
	st->event_fed = st->fed;
	st->depth++;
	const xmlChar *ln = localname;
	if (st->in_rec && st->unknown_ns && st->depth == st->rec_depth + 1) {
		if (ln == st->k_leader || ln == st->k_controlfield || ln == st->k_datafield)
			st->unknown_ns = 0;
		else {
			out_drop_tail(st);  /* not MARC: look inside it */
			st->in_rec = 0;
		}
	}
	if (!st->in_rec) {
		if (ln == st->k_record)
			begin_record(st, uri);
		return;
	}
	if (st->unknown_ns || cur_out(st)->bad)
		return;
	int rel = st->depth - st->rec_depth;
	if (rel == 1)
		start_field(st, ln, atts, natts);
	else if (rel == 2 && st->kind == K_DATA && st->what == W_NONE)
		start_sub(st, ln, atts, natts);
	else if (st->what == W_LEADER || st->what == W_CONTROL || st->what == W_SUB)
		st->markup = 1;
}

static void sx_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct xst *st = ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
	st->event_fed = st->fed;
	if (st->in_rec) {
		int rel = st->depth - st->rec_depth;
		if (rel == 0)
			end_record(st);
		else if (!st->unknown_ns && !cur_out(st)->bad) {
			if (rel == 1)
				end_field(st);
			else if (rel == 2 && st->kind == K_DATA)
				end_sub(st);
		}
	}
	st->depth--;
}

static void sx_chars(void *ctx, const xmlChar *ch, int len)
{
	struct xst *st = ctx;
	st->event_fed = st->fed;
	if (!st->in_rec)
		return;
	if (st->what == W_LEADER || st->what == W_CONTROL || st->what == W_SUB) {
		sb_add(&st->text, ch, (size_t)len);
		return;
	}
	if (st->what != W_NONE)
		return;
	for (int i = 0; i < len; i++)
		if (!is_blank(ch[i])) {
			if (st->kind == K_DATA)
				st->fstray = 1;
			else if (st->kind == K_NONE)
				st->stray = 1;
			return;
		}
}

static void sx_reference(void *ctx, const xmlChar *name)
{
	struct xst *st = ctx;
	if (st->in_rec && !st->unknown_ns)
		o_bad(st, _("entity reference &%s; is not supported"), (const char *)name);
}

static xmlSAXHandler sax_handler;

static void end_session(struct xst *st)
{
	if (st->ctxt) {
		if (st->ctxt->myDoc)
			xmlFreeDoc(st->ctxt->myDoc);
		xmlFreeParserCtxt(st->ctxt);
	}
	st->ctxt = NULL;
	if (st->in_rec)
		out_drop_tail(st);
	st->in_rec = 0;
	st->depth = 0;
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

static int start_parser(struct xst *st)
{
	st->fed = 0;
	st->cur = 0;
	st->segpos = 0;
	st->fatal = 0;
	st->feed_size = 2048;
	st->event_fed = 0;
	sb_reset(&st->lasterr);
	st->depth = 0;
	st->in_rec = 0;
	st->safe_off = st->sess_start;
	st->sessions++;
	if (!sax_handler.initialized) {
		sax_handler.initialized = XML_SAX2_MAGIC;
		sax_handler.startElementNs = sx_start;
		sax_handler.endElementNs = sx_end;
		sax_handler.characters = sx_chars;
		sax_handler.cdataBlock = sx_chars;
		sax_handler.reference = sx_reference;
		sax_handler.serror = xml_error;
	}
	st->ctxt = xmlCreatePushParserCtxt(&sax_handler, st, NULL, 0, NULL);
	if (!st->ctxt)
		return -1;
	xmlDictPtr d = st->ctxt->dict;
	st->k_record = xmlDictLookup(d, BAD_CAST "record", -1);
	st->k_leader = xmlDictLookup(d, BAD_CAST "leader", -1);
	st->k_controlfield = xmlDictLookup(d, BAD_CAST "controlfield", -1);
	st->k_datafield = xmlDictLookup(d, BAD_CAST "datafield", -1);
	st->k_subfield = xmlDictLookup(d, BAD_CAST "subfield", -1);
	st->k_tag = xmlDictLookup(d, BAD_CAST "tag", -1);
	st->k_ind1 = xmlDictLookup(d, BAD_CAST "ind1", -1);
	st->k_ind2 = xmlDictLookup(d, BAD_CAST "ind2", -1);
	st->k_code = xmlDictLookup(d, BAD_CAST "code", -1);
	/* NOENT: &amp; and character references come out decoded; with no
	 * entity declarations kept, any other entity is an error */
	xmlCtxtUseOptions(st->ctxt, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA);
	return 0;
}

/* The first session: the input as it is, wrapped when the root element
 * is a record (so several root-level records parse as one document). */
static int first_session(struct xst *st)
{
	while (!st->sc.root_seen && win_end(st) - st->base < CAPTURE_MAX)
		if (!fill_window(st))
			break;
	st->sess_start = st->base;
	if (st->sc.root_seen && st->root_is_record) {
		add_seg_raw(st, st->base, st->root_off);
		add_seg_syn(st, WRAP_OPEN, strlen(WRAP_OPEN));
		add_seg_raw(st, st->root_off, -1);
		add_seg_syn(st, WRAP_CLOSE, strlen(WRAP_CLOSE));
	} else
		add_seg_raw(st, st->base, -1);
	/* the scanner was only needed to find the root */
	st->scanning = 0;
	st->qhead = st->qlen = 0;
	return start_parser(st);
}

/* A session restarting at a record start tag (span seq, offset from):
 * the XML declaration and root start tag are replayed first. */
static void restart_session(struct xst *st, long long from)
{
	end_session(st);
	st->scanning = 0;
	st->qhead = st->qlen = 0;
	sb_reset(&st->prefix);
	sb_reset(&st->suffix);
	sb_add(&st->prefix, st->decl.buf ? st->decl.buf : "", st->decl.len);
	int wrap = st->root_is_record || !st->roottag.len || st->root_capture_failed;
	if (wrap) {
		sb_adds(&st->prefix, WRAP_OPEN);
		sb_adds(&st->suffix, WRAP_CLOSE);
	}
	else
		sb_add(&st->prefix, st->roottag.buf, st->roottag.len);
	add_seg_syn(st, st->prefix.buf, st->prefix.len);
	add_seg_raw(st, from, -1);
	if (wrap)
		add_seg_syn(st, st->suffix.buf, st->suffix.len);
	st->sess_start = from;
	st->mode = start_parser(st) == 0 ? M_PARSE : M_DONE;
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
		if (st->sc.off - h->start >= (long long)RAW_MAX || !scan_more(st)) {
			end = st->sc.off;
			break;
		}
	}
	const struct span *h = q_head(st);
	if (end - h->start > (long long)RAW_MAX)
		end = h->start + RAW_MAX;
	if (h->start >= st->woff && end <= win_end(st) && end > h->start)
		mr_set_raw(st->rd, st->win + (h->start - st->woff), (size_t)(end - h->start));
}

/* Scan a little further: window bytes not scanned yet, else new input.
 * Returns 0 at the end of input. */
static int scan_more(struct xst *st)
{
	long long ahead = win_end(st) - st->sc.off;
	if (ahead > 0) {
		size_t n = ahead > 4096 ? 4096 : (size_t)ahead;
		scan_bytes(st, st->win + (st->sc.off - st->woff), n);
		return 1;
	}
	return fill_window(st) > 0;
}

/* Scan on (no parser running) until a record start is queued or the
 * input ends. */
static struct span *scan_to_record(struct xst *st)
{
	for (;;) {
		/* never go back to (or before) a record already rejected */
		while (q_head(st) && q_head(st)->start < st->min_next)
			q_pop(st);
		if (q_head(st))
			return q_head(st);
		trim_window(st);
		if (!scan_more(st))
			return NULL;
	}
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

/* Hand out the first finished record. */
static int deliver(struct xst *st, rec *r)
{
	marc_reader *rd = st->rd;
	struct outrec *o = &st->out[st->ohead];
	mr_begin(rd, o->off);
	flush_pending(st, o->off);
	if (o->warn.len) {
		char *p = o->warn.buf;
		for (;;) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = 0;
			mr_warn(rd, "%s", p);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	if (o->off >= st->min_next)
		st->min_next = o->off + 1;
	int rc = MR_OK;
	/* raw bytes of every record, good or bad: a writer may refuse a good
	 * one, and it then goes to the rejects file as it was in the input */
	if (o->off >= st->woff && o->end > o->off && o->end <= win_end(st))
		mr_set_raw(rd, st->win + (o->off - st->woff), (size_t)(o->end - o->off));
	if (o->bad) {
		rc = mr_bad(rd, "%s", o->msg.buf);
	} else
		rec_copy(r, o->r);
	out_pop(st);
	st->delivered++;
	return rc;
}

static void error_text(struct xst *st, strbuf *out, long long E)
{
	long long line, col;
	sb_reset(out);
	if (raw_linecol(st, E, &line, &col)) {
		if (col > 0)
			sb_addf(out, _("not well-formed XML at line %lld, column %lld (byte %lld): "),
			        line, col, E);
		else
			sb_addf(out, _("not well-formed XML at line %lld (byte %lld): "), line, E);
	} else if (st->sessions == 1 && st->err_line > 0)
		sb_addf(out, _("not well-formed XML at line %d, column %d (byte %lld): "),
		        st->err_line, st->err_col, E);
	else
		sb_addf(out, _("not well-formed XML at byte %lld: "), E);
	sb_adds(out, st->errmsg.buf ? st->errmsg.buf : _("parse error"));
	if (st->errmsg.buf && !strncmp(st->errmsg.buf, "Entity '", 8))
		sb_adds(out, _(" (entities declared in a DTD are not supported)"));
}

/* Start a session at the next record start, or finish. */
static void restart_next(struct xst *st)
{
	end_session(st);
	struct span *u = scan_to_record(st);
	if (!u) {
		st->mode = M_DONE;
		return;
	}
	restart_session(st, u->start);
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

/* Reject the record at the head of the span queue; E is where the
 * parser stopped in it (or -1). */
static int reject_head(struct xst *st, const char *msg, long long E)
{
	marc_reader *rd = st->rd;
	struct span *u = q_head(st);
	mr_begin(rd, u->start);
	flush_pending(st, u->start);
	st->min_next = u->start + 1;
	set_raw_head(st);    /* (scans on until its end or the next record) */
	u = q_head(st);
	int truncated = 0;
	if (E >= 0 && u->end < 0 && !q_next(st) && st->in_eof && E >= st->woff) {
		/* it never ended, and nothing but blanks follows the error */
		truncated = 1;
		for (long long i = E; i < win_end(st) && truncated; i++)
			truncated = is_blank((unsigned char)st->win[i - st->woff]);
	}
	q_pop(st);
	st->delivered++;
	st->mode = M_NEXT;
	if (truncated)
		return mr_bad(rd, _("the input ends inside this record (truncated file?): %s"), msg);
	return mr_bad(rd, "%s", msg);
}

/* Start the raw scanner at raw offset `from` (a tag boundary, if we know
 * one) over what the window holds, and on new input from then on. */
static void scan_from(struct xst *st, long long from)
{
	if (from < st->woff)
		from = st->woff;
	if (from > win_end(st))
		from = win_end(st);
	memset(&st->sc.open, 0, sizeof st->sc.open);
	st->sc.nopen = 0;
	st->sc.state = S_TEXT;
	st->sc.off = from;
	st->sc.root_seen = 1;
	st->qhead = st->qlen = 0;
	st->scanning = 1;
}

/* The raw bytes of a record that could not be read, from offset f to the
 * end of the window (at most 64 KiB): what the rejects file gets. */
static void raw_from(marc_reader *rd, struct xst *st, long long f)
{
	if (f < st->woff)
		f = st->woff;
	if (f > win_end(st))
		f = win_end(st);
	long long to = win_end(st);
	if (to - f > 65536)
		to = f + 65536;
	if (to > f)
		mr_set_raw(rd, st->win + (f - st->woff), (size_t)(to - f));
}

/* After a fatal error (the finished records before it were handed out
 * already): reject the record that holds it, and restart after it. */
static int drain(struct xst *st)
{
	marc_reader *rd = st->rd;
	long long E = fed_to_raw(st, st->fatal ? st->err_fed : st->fed);
	if (!st->fatal) {
		sb_reset(&st->errmsg);
		sb_adds(&st->errmsg, _("the XML parser stopped"));
		if (st->lasterr.len)
			sb_addf(&st->errmsg, " (%s)", st->lasterr.buf);
	}
	error_text(st, &st->tmp, E);
	long long sess_start = st->sess_start;
	int in_rec = st->in_rec;
	/* rescan from the record that was open, else from the end of the
	 * last one (both tag boundaries), else from the error */
	long long from = in_rec ? cur_out(st)->off : st->safe_off >= 0 ? st->safe_off : E;
	if (from < sess_start)
		from = sess_start;
	end_session(st);
	scan_from(st, from);
	struct span *u = scan_to_record(st);
	if (!u) {
		st->mode = M_DONE;
		if (st->delivered == 0 && !blank_input(st)) {
			/* nothing in this file was a record: say why */
			mr_begin(rd, E);
			raw_from(rd, st, E);
			st->delivered++;
			return mr_bad(rd, _("no MARCXML record found: %s"), st->tmp.buf);
		}
		if (in_rec) {
			/* the parser was inside a record, yet the scanner finds
			 * no record start from there on: the input is not in an
			 * ASCII-based encoding (UTF-16), so the records after the
			 * error cannot be found. Say so: ending quietly here
			 * would lose them with exit status 0. */
			mr_begin(rd, from);
			raw_from(rd, st, from);
			st->delivered++;
			return mr_bad(rd, _("%s; no record start can be found after it (is the file "
			                    "UTF-16?), so the rest of the input was not read"),
			              st->tmp.buf);
		}
		return MR_EOF;
	}
	int victim = in_rec || E > u->start || u->start <= sess_start;
	if (!victim) {
		/* the error lies outside any record: tell the next record */
		st->between_off = E;
		sb_reset(&st->between);
		sb_addf(&st->between, _("%s (before this record; skipped)"), st->tmp.buf);
		restart_session(st, u->start);
		return -2;
	}
	return reject_head(st, st->tmp.buf, E);
}

/* The parser reached the end of its input with no error. */
static int session_done(struct xst *st)
{
	end_session(st);
	st->mode = M_DONE;
	return -2;
}

/* Hand the parser its next piece of input. Returns MR_BAD for a
 * rejection found on the way, -2 to go on. */
static int parse_step(struct xst *st)
{
	const char *p = NULL;
	size_t n = feed_next(st, &p, st->feed_size);
	/* small pieces after a (re)start, so that an error soon after costs
	 * little; doubling up to FEED while all goes well */
	if (st->feed_size < FEED)
		st->feed_size *= 2;
	/* some errors (encoding, I/O) are raised with no parser context and
	 * would go to stderr: route them to us while we parse */
	xmlStructuredErrorFunc old = xmlStructuredError;
	void *oldctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(st, xml_error);
	if (n)
		xmlParseChunk(st->ctxt, p, (int)n, 0);
	/* libxml2 waits for what would end a token before it parses it (a
	 * ';' after '&', "-->" after "<!--"...): with none coming it would
	 * swallow the rest of the input. Past STUCK_MAX bytes with no event,
	 * end its input here: it then says what is wrong, and where. */
	/* The common stall is a bare '&' in text: libxml2 then sits on it,
	 * looking for a ';' in all it holds. With 64 bytes after it and no
	 * ';' it cannot be a reference: let it say so now. */
	xmlParserInputPtr in = st->ctxt->input;
	int amp = in && in->cur && in->end && in->end - in->cur > 64 && *in->cur == '&';
	int stuck = n && !st->fatal && (amp || st->fed - st->event_fed > (long long)STUCK_MAX);
	if (!n || stuck)
		xmlParseChunk(st->ctxt, NULL, 0, 1);
	xmlSetStructuredErrorFunc(oldctx, old);
	if (stuck && !st->fatal) {
		/* it found nothing wrong in what it had: still, the rest of the
		 * input was never parsed; restart after the stuck spot */
		st->fatal = 1;
		sb_reset(&st->errmsg);
		sb_addf(&st->errmsg, _("no element for %u MB of input (an unclosed comment, "
		        "CDATA section or '&'?)"), STUCK_MAX >> 20);
		st->err_fed = st->event_fed;
	}
	if (st->fatal && st->err_fed < 0) {
		st->err_fed = xmlByteConsumed(st->ctxt);
		if (st->err_fed < 0 || st->err_fed > st->fed)
			st->err_fed = st->fed;
	}
	if (st->fatal || st->ctxt->disableSAX) {
		st->mode = M_DRAIN;
		return -2;
	}
	if (!n)
		return session_done(st);
	return -2;
}

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)err;
	xmlInitParser();
	name_end_init();
	struct xst *st = xcalloc(1, sizeof *st);
	st->rd = rd;
	st->base = mr_tell(rd);
	st->woff = st->base;
	st->sc.off = st->base;
	st->lines = 1;
	st->lines_off = st->base;
	st->scanning = 1;       /* over the prolog, to find the root */
	st->safe_off = -1;
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
		int rc = -2;
		if (out_ready(st))
			return deliver(st, r);
		switch (st->mode) {
		case M_START:
			if (first_session(st) != 0) {
				st->mode = M_DONE;
				mr_begin(st->rd, st->base);
				return mr_bad(st->rd, _("cannot create the XML parser"));
			}
			st->mode = M_PARSE;
			break;
		case M_PARSE:
			rc = parse_step(st);
			break;
		case M_DRAIN:
			rc = drain(st);
			break;
		case M_NEXT:
			restart_next(st);
			break;
		default:
			end_session(st);
			return MR_EOF;
		}
		if (rc != -2)
			return rc;
	}
}

static void r_close(void *vst)
{
	struct xst *st = vst;
	if (!st)
		return;
	end_session(st);
	for (size_t i = 0; i < st->ocap; i++) {
		rec_destroy(st->out[i].r);
		sb_release(&st->out[i].msg);
		sb_release(&st->out[i].warn);
	}
	free(st->out);
	free(st->win);
	free(st->q);
	sb_release(&st->decl);
	sb_release(&st->roottag);
	sb_release(&st->prefix);
	sb_release(&st->suffix);
	sb_release(&st->errmsg);
	sb_release(&st->lasterr);
	sb_release(&st->pending);
	sb_release(&st->between);
	sb_release(&st->text);
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
		sb_adds(err, _("leader"));
	else if (s < 0)
		sb_addf(err, _("field %ld (%s)"), f + 1, rec_tag(r, (size_t)f));
	else
		sb_addf(err, _("field %ld (%s) $%c"), f + 1, rec_tag(r, (size_t)f),
		        rec_sub_code(r, (size_t)f, (size_t)s));
	if (!ok)
		sb_addf(err, _(": invalid UTF-8 at byte %zu of the value"), bad);
	else if ((unsigned char)v[bad] < 0x20)
		sb_addf(err, _(": control character 0x%02X at byte %zu cannot be written in XML"),
		        (unsigned char)v[bad], bad);
	else
		sb_addf(err, _(": non-character U+FFF%c at byte %zu cannot be written in XML"),
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
				sb_addf(err, _("field %zu: tag byte 0x%02X cannot be written in MARCXML"),
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
			sb_addf(err, _("field %zu (%s): indicator 0x%02X cannot be written in MARCXML"),
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
				sb_addf(err, _("field %zu (%s): subfield code 0x%02X cannot be written "
				        "in MARCXML"), f + 1, tag, (unsigned char)code);
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
