/*
 * iso2709.c - the ISO 2709 (MARC 21 "communications format") reader and
 * writer: fmt_iso2709_reader and fmt_iso2709_writer (see marcio-impl.h).
 *
 * Why our own parser and not yaz_marc_read_iso2709: a yaz_marc_t is
 * opaque (its fields can only be walked by serialising the record again),
 * yaz is lenient and reports problems as free-text warnings mixed into
 * its output, and it cuts records over 99,999 bytes silently when writing.
 * We need exact messages with byte offsets ("field 020 (directory entry 1)
 * is not terminated"), a decision per record (accept, accept with a
 * warning, or reject with the raw bytes kept for the rejects file), and
 * speed: reading goes straight from the input buffer into the record's
 * arena, with memchr for terminators and no allocation per field.
 *
 * Reading. A record starts with five ASCII digits (its length; leading
 * blanks, " 1234", are read as zeros with a warning). Between
 * records, newlines, blanks, NULs, ^Z and stray record terminators are
 * skipped; anything else is a chunk of "junk" that is returned as a
 * rejected record (so nothing is dropped silently) up to the next
 * plausible leader. A record ends at byte length-1 when that byte is the
 * record terminator; otherwise at the first terminator after the leader
 * (the leader length is then wrong: a warning when the rest of the record
 * is consistent). The last record of a file may lack its record
 * terminator (the file ends one byte short, on a field terminator): read
 * with a warning if every field checks, else rejected as truncated.
 * The directory is then checked against the data: every
 * entry must point inside the data area at a field that ends with a field
 * terminator. When the plain reading fails, a few readings that can be
 * verified byte for byte are tried before giving up: the base address
 * taken from where the directory really ends, lengths and offsets counted
 * in UTF-8 characters instead of bytes, and 5-digit lengths / 6-digit
 * offsets for fields and records past the ISO 2709 limits. The first one
 * whose every field is terminated where the directory says wins, with a
 * warning naming what was off; if none does, the record is rejected with
 * the first problem of the plain reading. A record whose length comes
 * out right only without the line breaks in it (lines of 80 bytes, as
 * CDS/ISIS and some old systems write) is read without them, and one
 * that CDS/ISIS ended with '#' (fields and record) gets its terminators
 * back from the directory (isis_record). Field order is directory order.
 * Values are handed back as the source bytes: marcio.c runs the charset
 * firewall afterwards.
 *
 * Writing recomputes the record length, base address and directory, and
 * sets Leader/10-11 "22" and 20-23 "4500". A record over 99,999 bytes or
 * a field over 9,999 bytes is refused (never truncated), as is a value
 * holding one of the structural bytes 0x1D-0x1F.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdint.h>

#include "marcio-impl.h"
#include "i18n-lower.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define RT 0x1D                  /* record terminator */
#define FT 0x1E                  /* field terminator */
#define DL 0x1F                  /* subfield delimiter */

#define ISO_MAX_RECORD 99999
#define ISO_MAX_FIELD 9999
/* How far to look for a record terminator, and the largest chunk of junk
 * returned as one rejected "record": keeps memory bounded on garbage. */
#define SCAN_LIMIT (1u << 20)

/* A field located by the directory: its tag and content [start, end) in
 * the record (end is the index of its field terminator). */
struct ent {
	char tag[4];
	size_t start, end;
};

struct iso_state {
	struct ent *ents;
	size_t nents, cap;
	unsigned *cpos;              /* char index -> byte index (CHARS mode) */
	size_t cposcap;
	strbuf err, err2, tmp, tmp2, warn;
	strbuf isis;                 /* a record with its line breaks dropped */
	int raw;                     /* keep fields whole (marc_read_opts.raw) */
	int rt_eof;                  /* the last record of the file, one byte
	                                short: its record terminator missing */
	const char *lim;             /* end of the record being parsed: bytes up
	                                to here may be read ahead (find_byte) */
};

/* Warnings are held until the record is known to be accepted, so a
 * rejected record carries only its reason. */
static void iso_warn(struct iso_state *st, const char *fmt, ...) BM_PRINTF(2, 3);
static void iso_warn(struct iso_state *st, const char *fmt, ...)
{
	va_list ap;
	if (st->warn.len)
		sb_addc(&st->warn, '\n');
	va_start(ap, fmt);
	sb_vaddf(&st->warn, fmt, ap);
	va_end(ap);
}

static void flush_warnings(struct iso_state *st, marc_reader *rd)
{
	char *p = st->warn.buf;
	if (!st->warn.len)
		return;
	for (;;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		mr_warn(rd, "%s", p);
		if (!nl)
			break;
		p = nl + 1;
	}
	sb_reset(&st->warn);
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Value of n digits at p, or -1 if any is not a digit. */
static inline long digits(const char *p, int n)
{
	long v = 0;
	unsigned bad = 0;
	for (int i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		bad |= d > 9;
		v = v * 10 + (long)d;
	}
	return bad ? -1 : v;
}

/* digits(p, 4) and digits(p, 5) written out (the directory's usual
 * widths). */
static inline long digits4(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned a = u[0] - '0', b = u[1] - '0', c = u[2] - '0', d = u[3] - '0';
	if ((a > 9) | (b > 9) | (c > 9) | (d > 9))
		return -1;
	return (long)(a * 1000 + b * 100 + c * 10 + d);
}

static inline long digits5(const char *p)
{
	long v = digits4(p);
	unsigned e = (unsigned)((const unsigned char *)p)[4] - '0';
	return v < 0 || e > 9 ? -1 : v * 10 + (long)e;
}

/* The record length in leader/00-04: five digits, or leading blanks
 * then digits (a defect of some exporters: " 1234"; the blanks are read
 * as zeros). -1 if neither. */
static long leader_length(const char *p)
{
	int i = 0;
	while (i < 5 && p[i] == ' ')
		i++;
	return i < 5 ? digits(p + i, 5 - i) : -1;
}

/* The first byte c in [s, end), or NULL: memchr without a call for the
 * short spans of fields and subfields. Reads ahead 16 bytes at a time up
 * to lim (>= end; the end of the record in the input buffer). */
static inline const char *find_byte(const char *s, const char *end, const char *lim, char c)
{
#ifdef __SSE2__
	__m128i k = _mm_set1_epi8(c);
	while (s < end && lim - s >= 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)s), k));
		if (m) {
			const char *q = s + __builtin_ctz(m);
			return q < end ? q : NULL;
		}
		s += 16;
	}
#else
	(void)lim;
#endif
	return s < end ? memchr(s, c, (size_t)(end - s)) : NULL;
}

/* Bytes skipped silently between records. */
static int is_filler(unsigned char c)
{
	return c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == 0 ||
	       c == 0x1A || c == RT;
}

/* Do the 24 bytes at p look like the leader of a record (used to find
 * where the next record starts after a bad one)? */
static int plausible_leader(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	long len = leader_length(p), base = digits(p + 12, 5);
	if (len < 26 || base < 25)
		return 0;
	for (int i = 5; i < 24; i++)
		if (u[i] == RT || u[i] == FT || u[i] == DL || u[i] == '\n')
			return 0;
	/* status and type of record are letters (or blank) in every MARC */
	for (int i = 5; i <= 6; i++)
		if (!(u[i] == ' ' || (u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z')))
			return 0;
	return (p[10] == '2' && p[11] == '2') || (p[20] == '4' && p[21] == '5');
}

/* Index of the first plausible leader in p[from, n) (needs 24 bytes), or 0. */
static size_t find_leader(const char *p, size_t from, size_t n)
{
	for (size_t i = from; i + 24 <= n; i++)
		if ((is_digit((unsigned char)p[i]) || p[i] == ' ') && plausible_leader(p + i))
			return i;
	return 0;
}

/* Blanks are filler between records, but a leader may start with them
 * (" 1234nam..."): when p[k] is the first byte after a run of filler that
 * began at `from`, how many of the blanks just before k belong to a
 * plausible leader there (0 if none; needs 24 bytes from k-4 up to n). */
static size_t leader_blanks(const char *p, size_t from, size_t k, size_t n)
{
	for (size_t b = 1; b <= 4 && b <= k - from && p[k - b] == ' '; b++)
		if (k - b + 24 <= n && is_digit((unsigned char)p[k]) && plausible_leader(p + k - b))
			return b;
	return 0;
}

/* Printable rendering of up to max bytes (for messages). */
static void quote_bytes(strbuf *sb, const char *p, size_t n, size_t max)
{
	sb_addc(sb, '\'');
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\')
			sb_addc(sb, (char)c);
		else
			sb_addf(sb, "\\x%02X", c);
	}
	sb_adds(sb, n > max ? "'..." : "'");
}

static const char *tagstr(strbuf *sb, const char *tag)
{
	sb_reset(sb);
	for (int i = 0; i < 3; i++) {
		unsigned char c = (unsigned char)tag[i];
		if (c >= 0x20 && c < 0x7F)
			sb_addc(sb, (char)c);
		else
			sb_addf(sb, "\\x%02X", c);
	}
	return sb->buf;
}

/* ------------------------------------------------------------------ */
/* Locating the fields: one reading of the directory, verified. */

enum { L_FIXED, L_WIDE, L_CHARS };

struct layout {
	size_t base;                 /* data area starts here */
	size_t dir_end;              /* entries occupy [24, dir_end) */
	int ll, sl, impl;            /* digits of length, offset; impl. part */
	int mode;
};

static struct ent *ent_slot(struct iso_state *st)
{
	if (st->nents == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->ents = xrealloc(st->ents, st->cap * sizeof *st->ents);
	}
	return &st->ents[st->nents++];
}

static void set_tag(struct ent *e, const char *p)
{
	memcpy(e->tag, p, 3);
	e->tag[3] = 0;
}

/* Check one field: [start, start+len) inside the data area and ending
 * with a field terminator. Returns 0 or -1 with a message in err. */
static int check_field(struct iso_state *st, const char *p, size_t data_end, size_t start,
                       size_t len, size_t entno, const char *tag)
{
	if (len == 0) {
		sb_addf(&st->err, _("directory entry %zu (tag %s) has length 0"), entno, tagstr(&st->tmp, tag));
		return -1;
	}
	if (start >= data_end || len > data_end - start) {
		sb_addf(&st->err, _("directory entry %zu (tag %s) points past end of record"), entno,
		        tagstr(&st->tmp, tag));
		return -1;
	}
	if ((unsigned char)p[start + len - 1] != FT) {
		sb_addf(&st->err, _("field %s (directory entry %zu) is not terminated"),
		        tagstr(&st->tmp, tag), entno);
		return -1;
	}
	return 0;
}

/* Build the char -> byte map of p[base, data_end); returns the number of
 * characters (the map has one more slot, for the end). */
static size_t char_map(struct iso_state *st, const char *p, size_t base, size_t data_end)
{
	size_t n = data_end - base, nc = 0;
	if (st->cposcap < n + 1) {
		st->cposcap = n + 1;
		st->cpos = xrealloc(st->cpos, st->cposcap * sizeof *st->cpos);
	}
	for (size_t i = 0; i < n; ) {
		unsigned char c = (unsigned char)p[base + i];
		st->cpos[nc++] = (unsigned)i;
		size_t k = c < 0x80 ? 1 : c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		i += k;
		if (i > n)
			i = n;
	}
	st->cpos[nc] = (unsigned)n;
	return nc;
}

/* One directory entry at k read with widths[w] (length, offset digits):
 * 0 if it points at a terminated field inside the data, with the length,
 * offset and the index of the next entry. */
static const int widths[4][2] = { { 4, 5 }, { 5, 5 }, { 4, 6 }, { 5, 6 } };

static int wide_entry(const char *p, size_t data_end, const struct layout *lo, size_t k, int w,
                      size_t *len, size_t *off, size_t *next)
{
	int ll = widths[w][0], sl = widths[w][1];
	if (k + 3 + (size_t)ll + (size_t)sl > lo->dir_end)
		return -1;
	long l = digits(p + k + 3, ll), o = digits(p + k + 3 + ll, sl);
	if (l <= 0 || o < 0)
		return -1;
	size_t start = lo->base + (size_t)o;
	if (start >= data_end || (size_t)l > data_end - start ||
	    (unsigned char)p[start + (size_t)l - 1] != FT)
		return -1;
	*len = (size_t)l;
	*off = (size_t)o;
	*next = k + 3 + (size_t)ll + (size_t)sl;
	return 0;
}

/* Read the directory under layout lo. On success st->ents holds the
 * fields and *nwide counts entries that needed wide numbers (L_WIDE). */
static int try_layout(struct iso_state *st, const char *p, size_t data_end,
                      const struct layout *lo, size_t *nwide)
{
	size_t k = 24, entno = 0, nchars = 0;
	size_t expect = 0;                   /* offset where the next field should start */
	st->nents = 0;
	*nwide = 0;
	if (lo->base > data_end) {
		sb_addf(&st->err, _("base address %05zu is past the end of the record"), lo->base);
		return -1;
	}
	if (lo->mode == L_CHARS)
		nchars = char_map(st, p, lo->base, data_end);
	if (lo->mode != L_WIDE) {
		size_t es = (size_t)(3 + lo->ll + lo->sl + lo->impl);
		size_t dlen = lo->dir_end - 24;
		if (dlen % es) {
			sb_addf(&st->err, _("directory length %zu is not a multiple of %zu"), dlen, es);
			return -1;
		}
		int std = lo->ll == 4 && lo->sl == 5;
		for (; k < lo->dir_end; k += es) {
			entno++;
			long len, off;
			if (std) {              /* the usual 4 + 5 digits, unrolled */
				len = digits4(p + k + 3);
				off = digits5(p + k + 7);
			} else {
				len = digits(p + k + 3, lo->ll);
				off = digits(p + k + 3 + lo->ll, lo->sl);
			}
			if (len < 0 || off < 0) {
				sb_addf(&st->err, len < 0 ? _("directory entry %zu (tag %s) has a non-numeric length ")
				                   : _("directory entry %zu (tag %s) has a non-numeric offset "),
				        entno, tagstr(&st->tmp, p + k));
				if (len < 0)
					quote_bytes(&st->err, p + k + 3, (size_t)lo->ll, 9);
				else
					quote_bytes(&st->err, p + k + 3 + lo->ll, (size_t)lo->sl, 9);
				return -1;
			}
			size_t start, flen;
			if (lo->mode == L_CHARS) {
				if ((size_t)off > nchars || (size_t)len > nchars - (size_t)off) {
					sb_addf(&st->err, _("directory entry %zu (tag %s) points past end of record"),
					        entno, tagstr(&st->tmp, p + k));
					return -1;
				}
				start = lo->base + st->cpos[off];
				flen = st->cpos[off + len] - st->cpos[off];
			} else {
				start = lo->base + (size_t)off;
				flen = (size_t)len;
			}
			if (check_field(st, p, data_end, start, flen, entno, p + k) < 0)
				return -1;
			struct ent *e = ent_slot(st);
			set_tag(e, p + k);
			e->start = start;
			e->end = start + flen - 1;
		}
		return 0;
	}
	/* L_WIDE: entries of 12 bytes, or 13/14 where a length needs 5 digits
	 * or an offset 6; each choice must land on a field terminator, and so
	 * must some reading of the entry after it. */
	while (k < lo->dir_end) {
		entno++;
		int pick = -1;
		size_t len = 0, off = 0, nk = 0;
		for (int w = 0; w < 4; w++) {
			size_t l1, o1, n1, l2, o2, n2;
			if (wide_entry(p, data_end, lo, k, w, &l1, &o1, &n1) < 0)
				continue;
			int next_ok = n1 == lo->dir_end;
			for (int w2 = 0; w2 < 4 && !next_ok; w2++)
				next_ok = wide_entry(p, data_end, lo, n1, w2, &l2, &o2, &n2) == 0;
			if (!next_ok)
				continue;
			if (pick < 0 || o1 == expect) {
				pick = w;
				len = l1;
				off = o1;
				nk = n1;
			}
			if (o1 == expect)
				break;
		}
		if (pick < 0) {
			sb_addf(&st->err, _("directory entry %zu (tag %s) cannot be read"), entno,
			        tagstr(&st->tmp, p + k));
			return -1;
		}
		if (pick)
			(*nwide)++;
		struct ent *e = ent_slot(st);
		set_tag(e, p + k);
		e->start = lo->base + off;
		e->end = e->start + len - 1;
		expect = off + len;
		k = nk;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Building the record from located fields. */

static int add_data_field(struct iso_state *st, rec *r, const char *p,
                          const struct ent *e, size_t entno, int nind, size_t *nextra)
{
	const char *c = p + e->start, *end = p + e->end;
	size_t m = (size_t)(end - c);
	char ind1 = ' ', ind2 = ' ';
	/* the printable tag, only made for messages */
#define tg tagstr(&st->tmp, e->tag)
	if (nind != 2 && m >= (size_t)nind && !memchr(c, DL, (size_t)nind)) {
		/* leader/10 says another number of indicators: keep two */
		if (nind >= 1)
			ind1 = c[0];
		if (nind >= 2)
			ind2 = c[1];
		if (nind > 2)
			(*nextra)++;
		c += nind;
	} else if (m >= 2 && c[0] != DL && c[1] != DL) {
		ind1 = c[0];
		ind2 = c[1];
		c += 2;
	} else if (m == 0 || (m == 1 && c[0] != DL)) {
		iso_warn(st, _("field %s (directory entry %zu) has no indicators and no subfields"), tg, entno);
		if (m == 1)
			ind1 = c[0], c++;
	} else {
		iso_warn(st, _("field %s (directory entry %zu) has no indicators; read as blank"), tg, entno);
		if (c[0] != DL)
			ind1 = c[0], c++;
	}
	for (int i = 0; i < 2; i++) {
		unsigned char ic = (unsigned char)(i ? ind2 : ind1);
		if (ic >= 0x80) {
			sb_addf(&st->err, _("field %s (directory entry %zu) has indicator %d 0x%02X, "
			        "not an ASCII character"), tg, entno, i + 1, ic);
			return -1;
		}
		if (ic < 0x20 || ic == 0x7F)
			iso_warn(st, _("field %s (directory entry %zu) has indicator %d 0x%02X, "
			         "a control character"), tg, entno, i + 1, ic);
	}
	size_t f = rec_add_field(r, e->tag, ind1, ind2);
	const char *d = find_byte(c, end, st->lim, DL);
	if (!d) {
		if (c < end) {
			strbuf q = STRBUF_INIT;
			quote_bytes(&q, c, (size_t)(end - c), 40);
			iso_warn(st, _("field %s (directory entry %zu) has no subfield delimiter; "
			        "its text %s was dropped"), tg, entno, q.buf);
			sb_release(&q);
		} else
			iso_warn(st, _("field %s (directory entry %zu) has no subfields"), tg, entno);
		return 0;
	}
	if (d > c) {
		strbuf q = STRBUF_INIT;
		quote_bytes(&q, c, (size_t)(d - c), 40);
		iso_warn(st, _("field %s (directory entry %zu) has text before its first subfield; "
		        "%s was dropped"), tg, entno, q.buf);
		sb_release(&q);
	}
	while (d) {
		/* d points at a delimiter */
		const char *v = d + 1;
		if (v >= end) {
			iso_warn(st, _("field %s (directory entry %zu) ends with an empty subfield "
			        "delimiter; dropped"), tg, entno);
			break;
		}
		unsigned char code = (unsigned char)*v;
		if (code == DL) {
			iso_warn(st, _("field %s (directory entry %zu) has a subfield delimiter with no "
			        "code; dropped"), tg, entno);
			d = v;
			continue;
		}
		if (code >= 0x80) {
			sb_addf(&st->err, _("field %s (directory entry %zu) has subfield code 0x%02X, "
			        "not an ASCII character"), tg, entno, code);
			return -1;
		}
		if (code < 0x20 || code == 0x7F)
			iso_warn(st, _("field %s (directory entry %zu) has subfield code 0x%02X, "
			         "a control character"), tg, entno, code);
		else if (code == ' ')
			iso_warn(st, _("field %s (directory entry %zu) has a blank subfield code"), tg, entno);
		v++;
		const char *nd = find_byte(v, end, st->lim, DL);
		const char *ve = nd ? nd : end;
		rec_add_sub(r, f, (char)code, v, (size_t)(ve - v));
		d = nd;
	}
	return 0;
}

/* Turn the located fields into r. -1 (message in st->err) if a field
 * cannot be represented. */
#undef tg

/* Add tag to a list of at most 6 distinct tags for one warning. */
static void taglist_add(strbuf *sb, size_t *n, size_t *ndistinct, const char *tag)
{
	if (!(*n)++) {
		sb_reset(sb);
		sb_addf(sb, "'%s'", tag);
		*ndistinct = 1;
	} else if (!strstr(sb->buf, tag) && (*ndistinct)++ < 6)
		sb_addf(sb, ", '%s'", tag);
}

/* The number of indicators: leader/10 when it is a digit other than 2
 * and the data fields agree with it (their first delimiter is there more
 * often than after two bytes), else 2. */
static int indicator_count(const struct iso_state *st, const char *p)
{
	int d = (unsigned char)p[10];
	if (!is_digit(d) || d == '2')
		return 2;
	size_t n = (size_t)(d - '0'), at_n = 0, at_2 = 0;
	for (size_t i = 0; i < st->nents; i++) {
		const struct ent *e = &st->ents[i];
		size_t m = e->end - e->start;
		if (rec_tag_is_control(e->tag))
			continue;
		at_n += m > n && p[e->start + n] == DL;
		at_2 += m > 2 && p[e->start + 2] == DL;
	}
	return at_n > at_2 ? (int)n : 2;
}

static int build_record(struct iso_state *st, rec *r, const char *p)
{
	size_t nodd = 0, ndistinct = 0, nctl = 0, nctld = 0, nextra = 0;
	int nind = indicator_count(st, p);
	for (size_t i = 0; i < st->nents; i++) {
		const struct ent *e = &st->ents[i];
		const char *c = p + e->start;
		size_t m = e->end - e->start;
		/* a terminator inside a field means the directory merged two */
		const char *t = find_byte(c, c + m, st->lim, FT);
		if (t) {
			sb_addf(&st->err, _("field %s (directory entry %zu) contains a field terminator "
			        "at byte %zu of the record"), tagstr(&st->tmp, e->tag), i + 1,
			        (size_t)(t - p));
			return -1;
		}
		int bad_tag = 0, odd_tag = 0;
		for (int k = 0; k < 3; k++) {
			unsigned char tc = (unsigned char)e->tag[k];
			if (tc < 0x20 || tc >= 0x7F)
				bad_tag = 1;
			else if (!is_digit(tc))
				odd_tag = 1;
		}
		if (bad_tag) {
			sb_addf(&st->err, _("directory entry %zu has tag %s, which is not text"), i + 1,
			        tagstr(&st->tmp, e->tag));
			return -1;
		}
		/* one warning for all of them: local systems use tags like CAT */
		if (st->raw) {
			/* a non-MARC export: the whole field, delimiters and all */
			rec_add_control(r, e->tag, c, m);
			continue;
		}
		if (odd_tag)
			taglist_add(&st->err2, &nodd, &ndistinct, e->tag);
		if (rec_tag_is_control(e->tag)) {
			if (find_byte(c, c + m, st->lim, DL))
				taglist_add(&st->tmp2, &nctl, &nctld, e->tag);
			rec_add_control(r, e->tag, c, m);
		} else if (add_data_field(st, r, p, e, i + 1, nind, &nextra) < 0)
			return -1;
	}
	if (nodd)
		iso_warn(st, ngettext("%zu field has a non-numeric tag (%s%s)",
		                      "%zu fields have non-numeric tags (%s%s)", nodd),
		         nodd, st->err2.buf, ndistinct > 6 ? ", ..." : "");
	if (nctl)
		iso_warn(st, ngettext("%zu control field contains subfield delimiters, kept as data (%s%s)",
		                      "%zu control fields contain subfield delimiters, kept as data (%s%s)",
		                      nctl),
		         nctl, st->tmp2.buf, nctld > 6 ? ", ..." : "");
	if (nind != 2)
		iso_warn(st, nind > 2 ? _("leader/10 gives %d indicators per field; read the first 2 "
		                          "and dropped the others") :
		             nind == 1 ? _("leader/10 gives %d indicators per field; read 1 and a "
		                           "blank second") :
		             _("leader/10 gives %d indicators per field; read blank indicators"), nind);
	(void)nextra;
	return 0;
}

/* ------------------------------------------------------------------ */
/* One record at p[0, n) (n includes the record terminator if any).
 * L is the leader length (-1 if not numeric). Fills r; returns 0, or -1
 * with the reason in st->err. */
static int parse_record(struct iso_state *st, rec *r, const char *p, size_t n,
                        long L)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t data_end = (n && u[n - 1] == RT) ? n - 1 : n;
	st->lim = p + n;
	sb_reset(&st->err);
	if (n < 25) {
		sb_addf(&st->err, _("record is only %zu bytes, too short for a leader and directory"), n);
		return -1;
	}
	/* NUL bytes cannot be held in values */
	const char *z = memchr(p, 0, data_end);
	if (z) {
		sb_addf(&st->err, _("byte %zu of the record is NUL"), (size_t)(z - p));
		return -1;
	}
	/* a record terminator in the leader (r_next saw to it that there is
	 * none after it) */
	z = memchr(p, RT, 24);
	if (z) {
		sb_addf(&st->err, _("leader/%02zu is a record terminator"), (size_t)(z - p));
		return -1;
	}
	/* The directory: up to the first field terminator after the leader. */
	const char *ft = memchr(p + 24, FT, data_end - 24);
	if (!ft) {
		sb_adds(&st->err, _("directory is not terminated"));
		return -1;
	}
	size_t D = (size_t)(ft - p);
	long B = digits(p + 12, 5);

	/* The directory entry map of leader/20-22. */
	int lmap_ok = 0, ll = 4, sl = 5, impl = 0;
	if (is_digit(u[20]) && is_digit(u[21]) && is_digit(u[22]) && u[20] > '0' && u[21] > '0') {
		ll = u[20] - '0';
		sl = u[21] - '0';
		impl = u[22] - '0';
		lmap_ok = !(ll == 4 && sl == 5 && impl == 0);
	}

	/* The readings to try, in order: the plain one first; the ones that
	 * need more work only when the plain ones fail. */
	size_t bases[2];
	int nbases = 0;
	if (B >= 25 && (size_t)B <= data_end)
		bases[nbases++] = (size_t)B;
	if (nbases == 0 || bases[0] != D + 1)
		bases[nbases++] = D + 1;
	struct layout tries[12];
	int ntries = 0, ok = -1;
	size_t nwide = 0;
	const struct layout *lo = NULL;
	strbuf *plain = &st->err2;           /* error of the plain reading at D+1 */
	sb_reset(plain);
	for (int pass = 0; pass < 2 && ok < 0; pass++) {
		int from = ntries;
		int has_8bit = 0;
		if (pass == 1)
			for (size_t i = D + 1; i < data_end && !has_8bit; i++)
				has_8bit = u[i] >= 0x80;
		for (int b = 0; b < nbases; b++) {
			size_t de = bases[b] == D + 1 ? D : bases[b] - 1;
			if (pass == 0) {
				if (lmap_ok)
					tries[ntries++] = (struct layout){ bases[b], de, ll, sl, impl, L_FIXED };
				tries[ntries++] = (struct layout){ bases[b], de, 4, 5, 0, L_FIXED };
			} else {
				tries[ntries++] = (struct layout){ bases[b], de, 4, 5, 0, L_WIDE };
				if (has_8bit)
					tries[ntries++] = (struct layout){ bases[b], de, 4, 5, 0, L_CHARS };
			}
		}
		for (int t = from; t < ntries && ok < 0; t++) {
			sb_reset(&st->err);
			ok = try_layout(st, p, data_end, &tries[t], &nwide);
			if (ok == 0)
				lo = &tries[t];
			else if (tries[t].base == D + 1 && tries[t].mode == L_FIXED && tries[t].ll == 4 &&
			         tries[t].sl == 5 && tries[t].impl == 0)
				sb_add(plain, st->err.buf, st->err.len);
		}
	}
	if (ok < 0) {
		sb_reset(&st->err);
		if (B != (long)D + 1) {
			strbuf q = STRBUF_INIT;
			if (B >= 0)
				sb_addf(&q, "%05ld", B);
			else
				quote_bytes(&q, p + 12, 5, 5);
			sb_addf(&st->err, _("base address %s does not follow the directory (ends at %zu)"),
			        q.buf, D + 1);
			sb_release(&q);
			if (plain->len)
				sb_addf(&st->err, _("; reading from %zu: %s"), D + 1, plain->buf);
		} else
			sb_add(&st->err, plain->buf, plain->len);
		return -1;
	}

	/* Accepted: say what was off. */
	if ((long)lo->base != B) {
		if (B >= 0)
			iso_warn(st, _("base address %05ld does not follow the directory (ends at %zu); "
			        "read from %zu"), B, D + 1, lo->base);
		else {
			strbuf q = STRBUF_INIT;
			quote_bytes(&q, p + 12, 5, 5);
			iso_warn(st, _("base address %s is not a number; read from %zu"), q.buf, lo->base);
			sb_release(&q);
		}
	} else if (u[lo->base - 1] != FT)
		iso_warn(st, _("directory is not terminated: byte %zu of the record is 0x%02X, not a "
		         "field terminator"),
		        lo->base - 1, u[lo->base - 1]);
	if (lo->mode == L_CHARS)
		iso_warn(st, _("directory lengths and offsets count characters, not bytes; read as characters"));
	if (lo->mode == L_WIDE && nwide)
		iso_warn(st, ngettext("%zu directory entry has wider numbers than ISO 2709 allows "
		                      "(a field over 9,999 or a record over 99,999 bytes); read as written",
		                      "%zu directory entries have wider numbers than ISO 2709 allows "
		                      "(a field over 9,999 or a record over 99,999 bytes); read as written",
		                      nwide), nwide);
	if (lo->ll != 4 || lo->sl != 5 || lo->impl != 0)
		iso_warn(st, _("directory entries are %d bytes as leader/20-22 '%c%c%c' says, not 12"),
		        3 + lo->ll + lo->sl + lo->impl, p[20], p[21], p[22]);
	if (L >= 0 && p[0] == ' ')
		iso_warn(st, _("leader length '%.5s' starts with blanks; read as %05ld"), p, L);
	if (st->rt_eof)
		iso_warn(st, _("record terminator is missing at the end of the file (the file ends "
		               "one byte short of the leader length); read without it"));
	else {
		if (L < 0)
			iso_warn(st, _("leader length '%.5s' is not a number; the record is %zu bytes"), p, n);
		else if ((size_t)L != n)
			iso_warn(st, _("leader length %05ld but the record is %zu bytes"), L, n);
		if (data_end == n)
			iso_warn(st, _("record terminator is missing"));
	}
	{
		/* bytes of the data area no field covers would be lost */
		size_t used = 0, area = data_end - lo->base;
		for (size_t i = 0; i < st->nents; i++)
			used += st->ents[i].end + 1 - st->ents[i].start;
		if (used < area)
			iso_warn(st, _("%zu bytes of the data area are not in any field"), area - used);
		else if (used > area)
			iso_warn(st, _("directory entries overlap (%zu bytes of fields in a %zu-byte data area)"),
			        used, area);
	}

	/* Leader: positions 10-11 and 20-23 are fixed in MARC 21. */
	rec_set_leader(r, p, 24);
	for (int i = 0; i < 5 && p[i] == ' ' && L >= 0; i++)
		rec_set_leader_at(r, i, '0');
	for (int i = 5; i < 20; i++)      /* 10-11 and 20-23: below */
		if (i != 10 && i != 11 && (u[i] < 0x20 || u[i] >= 0x7F))
			iso_warn(st, _("leader/%02d is 0x%02X, not a character"), i, u[i]);
	if (p[10] != '2' || p[11] != '2') {
		sb_reset(&st->tmp);
		quote_bytes(&st->tmp, p + 10, 2, 2);
		iso_warn(st, _("leader/10-11 is %s, not '22'; written as 22"), st->tmp.buf);
		rec_set_leader_at(r, 10, '2');
		rec_set_leader_at(r, 11, '2');
	}
	if (memcmp(p + 20, "4500", 4)) {
		if (!(lo->ll != 4 || lo->sl != 5 || lo->impl != 0)) {
			sb_reset(&st->tmp);
			quote_bytes(&st->tmp, p + 20, 4, 4);
			iso_warn(st, _("leader/20-23 is %s, not '4500'; read as 4500"), st->tmp.buf);
		}
		for (int i = 0; i < 4; i++)
			rec_set_leader_at(r, 20 + i, "4500"[i]);
	}
	return build_record(st, r, p);
}

/* ------------------------------------------------------------------ */
/* The reader. */

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)err;
	struct iso_state *st = xcalloc(1, sizeof(struct iso_state));
	st->raw = mr_opts(rd)->raw;
	return st;
}

static void r_close(void *vst)
{
	struct iso_state *st = vst;
	if (!st)
		return;
	free(st->ents);
	free(st->cpos);
	sb_release(&st->err);
	sb_release(&st->err2);
	sb_release(&st->tmp);
	sb_release(&st->tmp2);
	sb_release(&st->warn);
	sb_release(&st->isis);
	free(st);
}

/* Find a record terminator at index >= from, before limit; fills the
 * buffer as needed. Returns its index or -1; *avail = bytes buffered. */
static long find_rt(marc_reader *rd, size_t from, size_t limit, size_t *avail)
{
	size_t want = from + 65536;
	for (;;) {
		if (want > limit)
			want = limit;
		size_t have = mr_fill(rd, want);
		*avail = have;
		size_t top = have < limit ? have : limit;
		if (top > from) {
			const char *q = memchr(mr_data(rd) + from, RT, top - from);
			if (q)
				return (long)(q - mr_data(rd));
			from = top;
		}
		if (have < want || want >= limit)
			return -1;
		want *= 2;
	}
}

/* Does a record end at p[k]: only filler up to the end of the file
 * (eof: p[avail] is the end), or filler and then a plausible leader? */
static int at_boundary(const char *p, size_t k, size_t avail, int eof)
{
	size_t from = k;
	while (k < avail && is_filler((unsigned char)p[k]))
		k++;
	if (k == avail)
		return eof;
	return (k + 24 <= avail && plausible_leader(p + k)) || leader_blanks(p, from, k, avail);
}

/* Reject the first n buffered bytes as one record. */
static int reject(struct iso_state *st, marc_reader *rd, size_t n)
{
	mr_set_raw(rd, mr_data(rd), n);
	mr_consume(rd, n);
	return mr_bad(rd, "%s", st->err.buf ? st->err.buf : _("unreadable record"));
}

/* "not a MARC record: N bytes '...' before the next record" (or up to
 * the end of the file, or with no record in the first MiB): n bytes of
 * junk at p, the first `shown` of them quoted. */
enum { J_NEXT, J_EOF, J_MIB };
static void junk_msg(strbuf *err, const char *p, size_t n, size_t shown, int where)
{
	strbuf q = STRBUF_INIT;
	quote_bytes(&q, p, shown, 30);
	if (where == J_NEXT)
		sb_addf(err, ngettext("not a MARC record: %zu byte %s before the next record",
		                      "not a MARC record: %zu bytes %s before the next record", n),
		        n, q.buf);
	else if (where == J_EOF)
		sb_addf(err, ngettext("not a MARC record: %zu byte %s up to the end of the file",
		                      "not a MARC record: %zu bytes %s up to the end of the file", n),
		        n, q.buf);
	else
		sb_addf(err, ngettext("not a MARC record: %zu byte %s (no record in the first MiB)",
		                      "not a MARC record: %zu bytes %s (no record in the first MiB)", n),
		        n, q.buf);
	sb_release(&q);
}

/* CDS/ISIS writes its ISO 2709 exports (and some old systems their MARC
 * files) in lines: a CR LF (or LF) after every 80 bytes, which the record
 * length does not count; and CDS/ISIS by default ends fields and records
 * with '#' instead of the ISO 2709 terminators. Read the L bytes of the
 * record at the head of the buffer skipping line breaks; if the record
 * then ends where its length says, with '#' or a record terminator, and
 * its directory with '#' or a field terminator, put the terminators where
 * the directory says they are and parse that. Returns MR_OK / MR_BAD when
 * it read the record that way (whose raw bytes, breaks and all, are
 * consumed), or -2 when the record is not of this kind. */
static int isis_record(struct iso_state *st, marc_reader *rd, rec *r, long L)
{
	if (L < 26 || L > 999999)
		return -2;
	size_t want = (size_t)L + (size_t)L / 20 + 64, avail = mr_fill(rd, want);
	const char *p = mr_data(rd);
	sb_reset(&st->isis);
	size_t k = 0, breaks = 0;
	while (k < avail && st->isis.len < (size_t)L) {
		if (p[k] == '\r' || p[k] == '\n')
			breaks += p[k] == '\n' || k + 1 == avail || p[k + 1] != '\n';
		else
			sb_addc(&st->isis, p[k]);
		k++;
	}
	char *q = st->isis.buf;
	long B = st->isis.len == (size_t)L ? digits(q + 12, 5) : -1;
	if (B < 25 || B >= L)
		return -2;
	int hash = q[L - 1] == '#' && q[B - 1] == '#';
	if (!hash && !(breaks && (unsigned char)q[L - 1] == RT && (unsigned char)q[B - 1] == FT))
		return -2;
	if (hash) {
		/* the directory's entries say where each field ends */
		const unsigned char *u = (const unsigned char *)q;
		int ll = is_digit(u[20]) && u[20] > '0' ? u[20] - '0' : 4;
		int sl = is_digit(u[21]) && u[21] > '0' ? u[21] - '0' : 5;
		int im = is_digit(u[22]) ? u[22] - '0' : 0;
		size_t esz = (size_t)(3 + ll + sl + im);
		for (size_t e = 24; e + esz <= (size_t)B - 1; e += esz) {
			long len = digits(q + e + 3, ll), pos = digits(q + e + 3 + ll, sl);
			if (len > 0 && pos >= 0 && B + pos + len - 1 < L - 1 && q[B + pos + len - 1] == '#')
				q[B + pos + len - 1] = FT;
		}
		q[B - 1] = FT;
		q[L - 1] = RT;
		if (!st->raw) {
			sb_reset(&st->err);
			sb_adds(&st->err, _("a CDS/ISIS export ('#' ends its fields): read it with --map "
			                    "(see bienmuc-map(5))"));
			return reject(st, rd, k);
		}
	}
	sb_reset(&st->warn);
	if (breaks && !st->raw)
		iso_warn(st, ngettext("%zu line break inside the record (not counted by its "
		                      "length) was dropped",
		                      "%zu line breaks inside the record (not counted by its "
		                      "length) were dropped", breaks), breaks);
	if (parse_record(st, r, q, (size_t)L, L) == 0) {
		flush_warnings(st, rd);
		mr_set_raw(rd, p, k);
		mr_consume(rd, k);
		return MR_OK;
	}
	sb_reset(&st->warn);
	return reject(st, rd, k);
}

static int r_next(void *vst, marc_reader *rd, rec *r)
{
	struct iso_state *st = vst;
	size_t avail;

	/* skip filler between records (and a UTF-8 BOM at the very start) */
	for (;;) {
		avail = mr_fill(rd, 64);
		if (avail == 0)
			return MR_EOF;
		const unsigned char *u = (const unsigned char *)mr_data(rd);
		if (mr_tell(rd) == 0 && avail >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
			mr_consume(rd, 3);
			continue;
		}
		size_t i = 0;
		while (i < avail && is_filler(u[i]))
			i++;
		if (i == avail && avail >= 64) {
			/* keep trailing blanks: they may start the next leader */
			size_t b = 0;
			while (b < 4 && u[i - b - 1] == ' ')
				b++;
			if (b) {
				mr_consume(rd, i - b);
				continue;
			}
		}
		if (i < avail) {
			/* a leader whose length starts with blanks (" 1234"):
			 * the blanks are part of it (24 bytes needed to tell) */
			if (i && u[i - 1] == ' ' && i + 24 > avail) {
				avail = mr_fill(rd, i + 24);
				u = (const unsigned char *)mr_data(rd);
			}
			i -= leader_blanks((const char *)u, 0, i, avail);
		}
		mr_consume(rd, i);
		if (i < avail)
			break;
	}

	mr_begin(rd, mr_tell(rd));
	sb_reset(&st->err);
	avail = mr_fill(rd, 24);
	const char *p = mr_data(rd);
	long L = avail >= 5 ? leader_length(p) : -1;

	if (L < 0 && !(avail < 5 && digits(p, (int)avail) >= 0)) {
		/* not a record start: junk up to the next plausible leader */
		size_t have = mr_fill(rd, SCAN_LIMIT);
		p = mr_data(rd);
		size_t lim = have < SCAN_LIMIT ? have : SCAN_LIMIT;
		size_t nx = find_leader(p, 1, lim);
		size_t n = nx ? nx : lim;
		size_t shown = n;
		while (shown > 0 && is_filler((unsigned char)p[shown - 1]))
			shown--;
		junk_msg(&st->err, p, n, shown, nx ? J_NEXT : have < SCAN_LIMIT ? J_EOF : J_MIB);
		/* a .mrk or JSON file saved as "Unicode" by a Windows editor */
		if (mr_tell(rd) == 0 && n >= 2 && (!memcmp(p, "\xFF\xFE", 2) || !memcmp(p, "\xFE\xFF", 2)))
			sb_adds(&st->err, _("; the file is UTF-16 text: save it as UTF-8 (or convert it "
			                    "with iconv -f UTF-16 -t UTF-8)"));
		return reject(st, rd, n);
	}
	if (avail < 24) {
		sb_addf(&st->err, _("record is truncated: file ends at byte %lld"),
		        mr_tell(rd) + (long long)avail);
		return reject(st, rd, avail);
	}

	size_t n;
	int fast = 0;
	if (L >= 25) {
		avail = mr_fill(rd, (size_t)L);
		p = mr_data(rd);
		/* the terminator where the length says, and no other before it */
		fast = avail >= (size_t)L && (unsigned char)p[L - 1] == RT &&
		       !memchr(p + 24, RT, (size_t)L - 25);
	}
	if (fast)
		n = (size_t)L;
	else {
		int irc = isis_record(st, rd, r, L);
		if (irc != -2)
			return irc;
		long T = find_rt(rd, 24, SCAN_LIMIT, &avail);
		p = mr_data(rd);
		int eof = avail < SCAN_LIMIT;
		/* the last record of the file without its record terminator:
		 * the file (but for filler) ends one byte short of the length,
		 * on a field terminator. Accepted only if every field checks. */
		size_t e = avail;
		while (e > 0 && is_filler((unsigned char)p[e - 1]))
			e--;
		if (T < 0 && eof && L >= 26 && e == (size_t)L - 1 && (unsigned char)p[e - 1] == FT) {
			sb_reset(&st->warn);
			st->rt_eof = 1;
			int prc = parse_record(st, r, p, e, L);
			st->rt_eof = 0;
			if (prc == 0) {
				flush_warnings(st, rd);
				mr_set_raw(rd, p, e);
				mr_consume(rd, e);
				return MR_OK;
			}
			sb_reset(&st->warn);
			sb_reset(&st->err);
		}
		if (L >= 26 && avail >= (size_t)L && (T < 0 || T > L - 1) &&
		    at_boundary(p, (size_t)L, T < 0 ? avail : (size_t)T, T < 0 && eof)) {
			/* right length, terminator missing: the next record follows */
			n = (size_t)L;
		} else if (T >= 0)
			n = (size_t)T + 1;
		else {
			/* no terminator at all */
			size_t lim = avail < SCAN_LIMIT ? avail : SCAN_LIMIT;
			size_t nx = find_leader(p, 1, lim);
			if (nx) {
				sb_addf(&st->err, _("record is not terminated: the next record starts at "
				        "byte %lld"), mr_tell(rd) + (long long)nx);
				return reject(st, rd, nx);
			}
			if (eof && L > 0 && (size_t)L > avail)
				sb_addf(&st->err, _("record is truncated: file ends at byte %lld"),
				        mr_tell(rd) + (long long)avail);
			else if (eof)
				sb_addf(&st->err, _("record has no terminator before the end of the file "
				        "(byte %lld)"), mr_tell(rd) + (long long)avail);
			else
				sb_addf(&st->err, _("no record terminator within %u bytes"), SCAN_LIMIT);
			return reject(st, rd, lim);
		}
	}

	sb_reset(&st->warn);
	if (parse_record(st, r, p, n, L) == 0) {
		flush_warnings(st, rd);
		mr_set_raw(rd, p, n);
		mr_consume(rd, n);
		return MR_OK;
	}
	if (!fast && L >= 25 && (size_t)L > n && avail >= (size_t)L &&
	    (unsigned char)p[L - 1] == RT) {
		/* it fails read up to its first record terminator, and has another
		 * where its length says: a terminator byte inside the data. The
		 * length is right if every field checks (the record is not cut in
		 * two rejects). */
		strbuf why = STRBUF_INIT;
		sb_add(&why, st->err.buf ? st->err.buf : "", st->err.len);
		sb_reset(&st->err);
		sb_reset(&st->warn);
		if (parse_record(st, r, p, (size_t)L, L) == 0) {
			iso_warn(st, _("byte %zu of the record is a record terminator (0x1D) inside its "
			               "data, kept as it is; the record was read to the length its leader "
			               "gives"), n - 1);
			sb_release(&why);
			flush_warnings(st, rd);
			mr_set_raw(rd, p, (size_t)L);
			mr_consume(rd, (size_t)L);
			return MR_OK;
		}
		sb_reset(&st->warn);
		sb_reset(&st->err);
		sb_add(&st->err, why.buf ? why.buf : "", why.len);
		sb_release(&why);
	}
	if (!fast) {
		/* the first message is about the length when that is off too */
		if (L >= 0 && (size_t)L != n) {
			sb_reset(&st->err2);
			sb_addf(&st->err2, _("leader length %05ld but the record is %zu bytes; %s"), L, n,
			        st->err.buf);
			sb_reset(&st->err);
			sb_add(&st->err, st->err2.buf, st->err2.len);
		}
		/* a record without terminator swallowed the next one: resync there */
		size_t nx = find_leader(p, 1, n);
		if (nx) {
			sb_reset(&st->err);
			if (nx < 24) {
				junk_msg(&st->err, p, nx, nx, J_NEXT);
			} else
				sb_addf(&st->err, _("record is not terminated: the next record starts at "
				        "byte %lld"), mr_tell(rd) + (long long)nx);
			return reject(st, rd, nx);
		}
	}
	return reject(st, rd, n);
}

const struct fmt_reader fmt_iso2709_reader = { MF_ISO2709, 0, r_open, r_next, r_close };

/* ------------------------------------------------------------------ */
/* The writer. */

static void w_begin(marc_writer *w, strbuf *out)
{
	(void)w;
	(void)out;
}

static void w_end(marc_writer *w, strbuf *out)
{
	(void)w;
	(void)out;
}

static void put_num(char *dst, size_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		dst[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* put_num(dst, v, 4) and (dst, v, 5) written out, v < 10^n. */
static inline void put_num4(char *dst, unsigned v)
{
	unsigned hi = v / 100, lo = v % 100;
	dst[0] = (char)('0' + hi / 10);
	dst[1] = (char)('0' + hi % 10);
	dst[2] = (char)('0' + lo / 10);
	dst[3] = (char)('0' + lo % 10);
}

static inline void put_num5(char *dst, unsigned v)
{
	dst[0] = (char)('0' + v / 10000);
	put_num4(dst + 1, v % 10000);
}

/* Bits set in a 16-bit mask. */
static inline size_t pop16(unsigned m)
{
	m = m - ((m >> 1) & 0x5555u);
	m = (m & 0x3333u) + ((m >> 2) & 0x3333u);
	m = (m + (m >> 4)) & 0x0F0Fu;
	return (m + (m >> 8)) & 0x1Fu;
}

/* 1 if one of the structural bytes 0x1D-0x1F occurs in s[0, n). */
static int has_struct(const char *s, size_t n)
{
	unsigned char acc = 0;
	size_t i = 0;
	/* 8 bytes at a time while none is below 0x20 (the usual case) */
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w - ones * 0x20) & ~w & highs)
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		acc |= (unsigned char)((unsigned char)(c - RT) <= 2);
	}
	return acc;
}

static int refuse_struct(strbuf *err, const rec *r, size_t f, const char *what)
{
	sb_addf(err, _("field %s%s contains a record, field or subfield separator byte (0x1D-0x1F); "
	        "it cannot be written as ISO 2709"), rec_tag(r, f), what);
	return -1;
}

/* The checks of every field in order, with the message of the first
 * that fails (-1); also the data area's size. */
static int check_fields(const rec *r, strbuf *err, size_t *datap)
{
	size_t nf = rec_nfields(r);
	size_t data = 0;
	for (size_t f = 0; f < nf; f++) {
		size_t flen;
		const char *tag = rec_tag(r, f);
		if (has_struct(tag, 3) || !tag[0] || !tag[1] || !tag[2]) {
			sb_addf(err, _("field %zu has tag '%s', which cannot be written as ISO 2709"), f + 1, tag);
			return -1;
		}
		if (rec_is_control(r, f)) {
			size_t len;
			const char *d = rec_data(r, f, &len);
			/* 0x1F is harmless in control data: no subfields there */
			if (has_struct(d, len) && (memchr(d, RT, len) || memchr(d, FT, len)))
				return refuse_struct(err, r, f, "");
			flen = len + 1;
		} else {
			char ind[2] = { rec_ind(r, f, 1), rec_ind(r, f, 2) };
			if (has_struct(ind, 2) || !ind[0] || !ind[1]) {
				sb_addf(err, _("field %s has an indicator that cannot be written as ISO 2709"),
				        tag);
				return -1;
			}
			flen = 3;
			size_t ns = rec_nsub(r, f);
			for (size_t s = 0; s < ns; s++) {
				size_t len;
				const char *v = rec_sub_value(r, f, s, &len);
				char code = rec_sub_code(r, f, s);
				if (has_struct(&code, 1) || !code) {
					sb_addf(err, _("field %s has subfield code 0x%02X, which cannot be written "
					        "as ISO 2709"), tag, (unsigned char)code);
					return -1;
				}
				if (has_struct(v, len)) {
					char what[8];
					snprintf(what, sizeof what, " $%c", code);
					return refuse_struct(err, r, f, what);
				}
				flen += 2 + len;
			}
		}
		if (flen > ISO_MAX_FIELD) {
			sb_addf(err, _("field %s is %zu bytes, over the ISO 2709 limit of 9,999; "
			        "write the record as MARCXML or JSON instead"), tag, flen);
			return -1;
		}
		data += flen;
	}
	*datap = data;
	return 0;
}

/* Counts of the separator bytes in s[0, n). */
static void count_struct(const char *s, size_t n, size_t *nrt, size_t *nft, size_t *ndl)
{
	size_t i = 0, rt = 0, ft = 0, dl = 0;
#ifdef __SSE2__
	const __m128i kr = _mm_set1_epi8(RT), kf = _mm_set1_epi8(FT), kd = _mm_set1_epi8(DL);
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* nothing below 0x20 (the usual case): no separator */
		if (!_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)),
		                                      _mm_set1_epi8(0x1F))))
			continue;
		rt += pop16((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, kr)));
		ft += pop16((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, kf)));
		dl += pop16((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, kd)));
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		rt += c == RT;
		ft += c == FT;
		dl += c == DL;
	}
	*nrt = rt;
	*nft = ft;
	*ndl = dl;
}

/* One pass over the fields for the sizes and the cheap checks (tags,
 * indicators, codes, control fields); the values are copied unchecked and
 * the separators counted in the copy: any more than the structure put
 * there means a value holds one, and check_fields() says which. */
static int w_put(marc_writer *w, const rec *r, strbuf *out, strbuf *err)
{
	(void)w;
	size_t nf = rec_nfields(r);
	size_t data = 0, nsubs = 0, ctl_dl = 0;
	const char *ldr = rec_leader(r);
	int bad = has_struct(ldr, 24);
	for (size_t f = 0; f < nf && !bad; f++) {
		size_t flen;
		const char *tag = rec_tag(r, f);
		if (has_struct(tag, 3) || !tag[0] || !tag[1] || !tag[2]) {
			bad = 1;
			break;
		}
		if (rec_is_control(r, f)) {
			size_t len;
			const char *d = rec_data(r, f, &len);
			if (has_struct(d, len)) {
				if (memchr(d, RT, len) || memchr(d, FT, len)) {
					bad = 1;
					break;
				}
				for (size_t i = 0; i < len; i++)
					ctl_dl += d[i] == DL;
			}
			flen = len + 1;
		} else {
			unsigned char i1 = (unsigned char)rec_ind(r, f, 1), i2 = (unsigned char)rec_ind(r, f, 2);
			if ((unsigned char)(i1 - RT) <= 2 || (unsigned char)(i2 - RT) <= 2 || !i1 || !i2) {
				bad = 1;
				break;
			}
			flen = 3;
			size_t ns = rec_nsub(r, f);
			for (size_t s = 0; s < ns; s++) {
				size_t len;
				rec_sub_value(r, f, s, &len);
				unsigned char code = (unsigned char)rec_sub_code(r, f, s);
				if ((unsigned char)(code - RT) <= 2 || !code) {
					bad = 1;
					break;
				}
				flen += 2 + len;
			}
			nsubs += ns;
		}
		if (flen > ISO_MAX_FIELD)
			bad = 1;
		data += flen;
	}
	if (bad) {
		if (has_struct(ldr, 24)) {
			sb_adds(err, _("the leader contains a record, field or subfield separator byte"));
			return -1;
		}
		if (check_fields(r, err, &data) < 0)
			return -1;
		die("iso2709: a field refused and then accepted");
	}
	size_t base = 24 + 12 * nf + 1;
	size_t total = base + data + 1;
	if (total > ISO_MAX_RECORD) {
		/* a bad value is reported first, as the checks go in order */
		if (check_fields(r, err, &data) < 0)
			return -1;
		sb_addf(err, _("record is %zu bytes, over the ISO 2709 limit of 99,999; "
		        "write it as MARCXML or JSON instead"), total);
		return -1;
	}
	/* pass 2: write directly into the output buffer */
	sb_grow(out, total);
	char *o = out->buf + out->len;
	memcpy(o, ldr, 24);
	put_num(o, total, 5);
	o[10] = '2';
	o[11] = '2';
	put_num(o + 12, base, 5);
	memcpy(o + 20, "4500", 4);
	char *dir = o + 24, *dp = o + base;
	size_t off = 0;
	for (size_t f = 0; f < nf; f++) {
		char *start = dp;
		if (rec_is_control(r, f)) {
			size_t len;
			const char *d = rec_data(r, f, &len);
			memcpy(dp, d, len);
			dp += len;
		} else {
			*dp++ = rec_ind(r, f, 1);
			*dp++ = rec_ind(r, f, 2);
			size_t ns = rec_nsub(r, f);
			for (size_t s = 0; s < ns; s++) {
				size_t len;
				const char *v = rec_sub_value(r, f, s, &len);
				*dp++ = DL;
				*dp++ = rec_sub_code(r, f, s);
				memcpy(dp, v, len);
				dp += len;
			}
		}
		*dp++ = FT;
		size_t flen = (size_t)(dp - start);
		memcpy(dir, rec_tag(r, f), 3);
		put_num4(dir + 3, (unsigned)flen);
		put_num5(dir + 7, (unsigned)off);
		dir += 12;
		off += flen;
	}
	*dir = FT;
	*dp++ = RT;
	size_t nrt, nft, ndl;
	count_struct(o + base, data, &nrt, &nft, &ndl);
	if (nrt || nft != nf || ndl != nsubs + ctl_dl) {
		out->buf[out->len] = 0;
		if (check_fields(r, err, &data) < 0)
			return -1;
		die("iso2709: a separator in a value that the checks do not find");
	}
	out->len += total;
	out->buf[out->len] = 0;
	return 0;
}

const struct fmt_writer fmt_iso2709_writer = { MF_ISO2709, 1, w_begin, w_put, w_end };
