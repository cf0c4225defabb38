/*
 * mrk.c - MARCMaker / MarcEdit mnemonic text (.mrk, .mrk8): reader and
 * writer. The format is described in man/bienmuc-mrk.5; in short:
 *
 *   =LDR  00850nam\a2200241\a\4500        leader ("=000" also read)
 *   =001  TVQG00104512                     control field
 *   =245  10$aTruyện Kiều /$cNguyễn Du.    indicators, then $code+value
 *                                          a blank line ends the record
 *
 * A '\' is a blank in the leader, control fields and indicators (and a
 * real backslash in subfield data, as LC's MARCMaker and MarcEdit read
 * it); {name} mnemonics stand for MARC-8 characters (mrk-mnemonics.h).
 * MarcEdit writes a character MARC-8 lacks as a character reference,
 * "&#xHHHH;", "&#DDDD;" or "{U+HHHH}"; those are read as the character,
 * and a malformed one is kept as text with a warning. A '&' of the data
 * is written as it is unless it starts such a reference: then {amp}.
 *
 * Reading: a record is collected line by line up to the blank line
 * (lines starting with '#' are MarcEdit comments). A line that does not
 * start with '=' continues the field above when it clearly is a wrapped
 * line: it starts with a blank (LC's MARCBreaker breaks long lines before
 * a blank) or a '$', or the line above ends with a blank, or it starts
 * with a tab (indented: the indentation reads as one blank, or as nothing
 * before a '$'). One that reads
 * "TAG  ..." is a field whose '=' was lost. Either is read with a warning
 * naming the line; any other such line rejects the record.
 * A line ends with LF, CR LF, or a CR on its own (old Mac files).
 * Then the record's character set is chosen (see choose_mode) and every
 * value is decoded: to MARC-8 bytes, which the charset firewall in
 * marcio.c decodes like any MARC-8 record, or straight to UTF-8. A
 * MARC-8 record with a character reference is the exception: MARC-8
 * bytes cannot carry the character, so the record is read again with
 * each value converted from MARC-8 to UTF-8 here and the reference put
 * in (see parse_record and dec_m8_finish).
 * A malformed line rejects its record with the line number and byte
 * offset; reading goes on after the next blank line.
 *
 * Writing: one line per field, CRLF line ends (what MarcEdit writes and
 * LC's MARCMaker requires), a blank line after each record, no wrapping.
 * UTF-8 records are written as UTF-8; MARC-8 records (from
 * --to-charset marc8) as pure ASCII with MarcBreaker's mnemonics, and,
 * with --lossless, "&#xHHHH;" for what MARC-8 lacks (as MarcEdit does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <assert.h>
#include <utf8proc.h>

#include "marcio-impl.h"
#include "i18n-lower.h"
#include "charset.h"
#include "charset-legacy.h"
#include "mrk-mnemonics.h"

/* A record's text is kept whole while it is parsed; past this size the
 * input is not a .mrk record (or lacks blank lines) and is rejected
 * without being kept in memory. */
#define MRK_MAX_RECORD (8u << 20)
/* Longest mnemonic name looked up ({DZHEcy}, {rdquofh}, {spundscr} ...). */
#define MRK_MAX_NAME 12

/* ------------------------------------------------------------------ */
/* MARC-8 bytes of mnemonics -> Unicode (for UTF-8 records)            */

/* ANSEL (MARC-8 G1 extended Latin) and the C1 controls MARC-8 uses, to
 * Unicode. 0 = not assigned. Marks as yaz and LC's code tables decode
 * them: EB/FA (first halves of double marks) become U+0361/U+0360 and the
 * second halves EC/FB vanish (MRK_DROP). */
#define MRK_DROP 0xFFFFFFFFu
static uint32_t ansel_ucs(unsigned char b)
{
	static const uint16_t g1[0x5F] = {
		/* A1 */ 0x0141, 0x00D8, 0x0110, 0x00DE, 0x00C6, 0x0152, 0x02B9,
		/* A8 */ 0x00B7, 0x266D, 0x00AE, 0x00B1, 0x01A0, 0x01AF, 0x02BC, 0,
		/* B0 */ 0x02BB, 0x0142, 0x00F8, 0x0111, 0x00FE, 0x00E6, 0x0153, 0x02BA,
		/* B8 */ 0x0131, 0x00A3, 0x00F0, 0, 0x01A1, 0x01B0, 0, 0,
		/* C0 */ 0x00B0, 0x2113, 0x2117, 0x00A9, 0x266F, 0x00BF, 0x00A1, 0x00DF,
		/* C8 */ 0x20AC, 0, 0, 0, 0, 0, 0, 0,
		/* D0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* E0 */ 0x0309, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0306, 0x0307,
		/* E8 */ 0x0308, 0x030C, 0x030A, 0x0361, 0xFFFF, 0x0315, 0x030B, 0x0310,
		/* F0 */ 0x0327, 0x0328, 0x0323, 0x0324, 0x0325, 0x0333, 0x0332, 0x0326,
		/* F8 */ 0x031C, 0x032E, 0x0360, 0xFFFF, 0, 0, 0x0313,
	};
	if (b < 0x80)
		return b;
	switch (b) {
	case 0x88: return 0x0098;
	case 0x89: return 0x009C;
	case 0x8D: return 0x200D;
	case 0x8E: return 0x200C;
	}
	if (b < 0xA1 || b > 0xFE)
		return 0;
	uint16_t u = g1[b - 0xA1];
	return u == 0xFFFF ? MRK_DROP : u;
}

static int ansel_combining(unsigned char b)
{
	return b >= 0xE0 && b <= 0xFE;
}

/* UTF-8 of c (a scalar value) at b; returns its length. */
static size_t utf8_enc(char *b, uint32_t c)
{
	if (c < 0x80) {
		b[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	b[0] = (char)(0xF0 | (c >> 18));
	b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	b[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static void put_utf8(strbuf *out, uint32_t c)
{
	char b[4];
	sb_add(out, b, utf8_enc(b, c));
}

/* ------------------------------------------------------------------ */
/* Mnemonic lookup                                                      */

/* Every byte value, for {XX} and {c} lookups. */
static const char all_bytes[] =
	"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F"
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F"
	"\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2A\x2B\x2C\x2D\x2E\x2F"
	"\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x3A\x3B\x3C\x3D\x3E\x3F"
	"\x40\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4A\x4B\x4C\x4D\x4E\x4F"
	"\x50\x51\x52\x53\x54\x55\x56\x57\x58\x59\x5A\x5B\x5C\x5D\x5E\x5F"
	"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6A\x6B\x6C\x6D\x6E\x6F"
	"\x70\x71\x72\x73\x74\x75\x76\x77\x78\x79\x7A\x7B\x7C\x7D\x7E\x7F"
	"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8A\x8B\x8C\x8D\x8E\x8F"
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9A\x9B\x9C\x9D\x9E\x9F"
	"\xA0\xA1\xA2\xA3\xA4\xA5\xA6\xA7\xA8\xA9\xAA\xAB\xAC\xAD\xAE\xAF"
	"\xB0\xB1\xB2\xB3\xB4\xB5\xB6\xB7\xB8\xB9\xBA\xBB\xBC\xBD\xBE\xBF"
	"\xC0\xC1\xC2\xC3\xC4\xC5\xC6\xC7\xC8\xC9\xCA\xCB\xCC\xCD\xCE\xCF"
	"\xD0\xD1\xD2\xD3\xD4\xD5\xD6\xD7\xD8\xD9\xDA\xDB\xDC\xDD\xDE\xDF"
	"\xE0\xE1\xE2\xE3\xE4\xE5\xE6\xE7\xE8\xE9\xEA\xEB\xEC\xED\xEE\xEF"
	"\xF0\xF1\xF2\xF3\xF4\xF5\xF6\xF7\xF8\xF9\xFA\xFB\xFC\xFD\xFE\xFF";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char *mrk_mnemonic_lookup(const char *name, size_t len, int *nbytes)
{
	if (len == 1 && is_name_char(name[0])) {
		*nbytes = 1;
		return &all_bytes[(unsigned char)name[0]];
	}
	if (len == 2 && hexval(name[0]) >= 0 && hexval(name[1]) >= 0) {
		*nbytes = 1;
		return &all_bytes[hexval(name[0]) * 16 + hexval(name[1])];
	}
	size_t lo = 0, hi = MRK_NMNEMONICS;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *m = mrk_mnemonics[mid].name;
		int c = strncmp(m, name, len);
		if (c == 0 && m[len] != 0)
			c = 1;
		if (c == 0) {
			*nbytes = mrk_mnemonics[mid].len;
			return mrk_mnemonics[mid].bytes;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Character references                                                 */

/* MarcEdit writes what MARC-8 cannot hold as "&#xHHHH;" or "&#DDDD;"
 * (and some versions as "{U+HHHH}"); a '&' of the data is written as it
 * is, so only the reference syntax is decoded. */
enum { REF_NONE, REF_OK, REF_BAD };

/* Is s[0, n), s[0] being '&' or '{', a character reference: "&#xHHHH;"
 * ('x' or 'X', 1-6 hex digits), "&#DDDD;" (1-7 decimal digits) or
 * "{U+HHHH}" (1-6 hex digits)? REF_OK, with *cp and *len (the whole
 * reference), when it is well formed and names a Unicode scalar value
 * other than NUL; REF_BAD when it starts like one ("&#x", "&#X", "&#"
 * and a digit or ';', "{U+") but is not; REF_NONE otherwise. */
static int ref_parse(const char *s, size_t n, uint32_t *cp, size_t *len)
{
	size_t i, max;
	uint32_t base;
	char term;
	if (n < 3)
		return REF_NONE;
	if (s[0] == '&') {
		if (s[1] != '#')
			return REF_NONE;
		if (s[2] == 'x' || s[2] == 'X') {
			base = 16;
			i = 3;
		} else if ((s[2] >= '0' && s[2] <= '9') || s[2] == ';') {
			base = 10;
			i = 2;
		} else
			return REF_NONE;
		term = ';';
	} else {
		if (s[1] != 'U' || s[2] != '+')
			return REF_NONE;
		base = 16;
		i = 3;
		term = '}';
	}
	max = base == 16 ? 6 : 7;
	size_t d0 = i;
	uint32_t v = 0;
	for (; i < n && i - d0 <= max; i++) {       /* at most max + 1 digits */
		int k = base == 16 ? hexval(s[i]) : (s[i] >= '0' && s[i] <= '9') ? s[i] - '0' : -1;
		if (k < 0)
			break;
		v = v * base + (uint32_t)k;
	}
	if (i == d0 || i - d0 > max || i >= n || s[i] != term)
		return REF_BAD;
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return REF_BAD;
	*cp = v;
	*len = i + 1;
	return REF_OK;
}

/* How much of a bad reference at s to quote in a warning: up to its
 * terminator, printable ASCII only, at most 16 bytes. */
static size_t ref_quote_len(const char *s, size_t n)
{
	char term = s[0] == '&' ? ';' : '}';
	size_t i = 1;
	while (i < n && i < 16 && s[i] > 0x20 && s[i] < 0x7F && s[i] != '$' && s[i] != '&' &&
	       s[i] != '{')
		if (s[i++] == term)
			break;
	return i;
}

/* ------------------------------------------------------------------ */
/* Decoding values                                                      */

/* What is done with character references in a value. */
enum {
	REFS_OFF,       /* kept as text (the leader; MARC-8 bytes the firewall
	                   will judge) */
	REFS_DETECT,    /* MARC-8: only noted (found, and malformed ones
	                   reported), until the record is known to have one */
	REFS_DECODE,    /* decoded */
};

struct dec {
	strbuf *out;
	int mode;
	int cs;             /* legacy source charset for text runs, or 0 */
	strbuf *err;
	uint32_t pend[16];  /* combining marks waiting for their base */
	int npend;
	/* character references */
	int refs;           /* REFS_* */
	int conv;           /* MRK_MARC8: the value is converted to UTF-8 here */
	int found;          /* a reference was (DETECT: would have been) decoded */
	int susp;           /* conv: the MARC-8 looks wrong (marks on nothing) */
	void (*bad)(void *arg, const char *p, size_t n);    /* a malformed one */
	void *arg;
	size_t start;       /* out->len when the value began */
	size_t esc_scan;    /* MARC-8: escape sequences followed up to here */
	size_t esc_end;     /* ... and the end of the last one */
	int g0, g1;         /* ... the graphic sets they left */
	size_t *rpos, nref, capref;   /* MARC-8: where each reference goes */
	strbuf subst;       /* MARC-8: each reference's UTF-8, NUL-terminated */
};

static void dec_init(struct dec *d, strbuf *out, int mode, int cs, strbuf *err)
{
	memset(d, 0, sizeof *d);
	d->out = out;
	d->mode = mode;
	d->cs = cs;
	d->err = err;
	d->start = d->esc_scan = d->esc_end = out->len;
	d->g0 = 'B';
	d->g1 = 'E';
}

static void dec_release(struct dec *d)
{
	free(d->rpos);
	sb_release(&d->subst);
}

static void dec_flush_marks(struct dec *d)
{
	for (int k = 0; k < d->npend; k++)
		put_utf8(d->out, d->pend[k]);
	d->npend = 0;
}

static size_t utf8_seqlen(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	return k > n ? n : k;
}

/* Literal UTF-8 text: its first character is the base of pending marks. */
static void dec_utf8_text(struct dec *d, const char *s, size_t n)
{
	if (!n)
		return;
	if (!d->npend) {
		sb_add(d->out, s, n);
		return;
	}
	size_t k = utf8_seqlen(s, n);
	sb_add(d->out, s, k);
	dec_flush_marks(d);
	sb_add(d->out, s + k, n - k);
}

/* Does s hold a C0 control byte? */
static int has_c0(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 1;
	return 0;
}

/* Literal text of the .mrk line, as found. */
static int dec_text(struct dec *d, const char *s, size_t n)
{
	if (!n)
		return 0;
	if (d->mode == MRK_MARC8) {
		sb_add(d->out, s, n);
		return 0;
	}
	/* (control bytes too: VISCII and TCVN3 have capitals there) */
	if (d->cs && (!is_ascii(s, n) || has_c0(s, n))) {
		char *u = charset_decode(s, n, d->cs, d->err);
		if (!u)
			return -1;
		dec_utf8_text(d, u, strlen(u));
		free(u);
		return 0;
	}
	dec_utf8_text(d, s, n);
	return 0;
}

/* Can every byte of a mnemonic be given as Unicode? */
static int utf8_mappable(const char *b, int nb)
{
	for (int k = 0; k < nb; k++)
		if (ansel_ucs((unsigned char)b[k]) == 0)
			return 0;
	return 1;
}

static void dec_mnemonic_utf8(struct dec *d, const char *b, int nb)
{
	for (int k = 0; k < nb; k++) {
		unsigned char c = (unsigned char)b[k];
		uint32_t u = ansel_ucs(c);
		if (ansel_combining(c)) {
			if (u == MRK_DROP)
				continue;
			if (d->npend == (int)(sizeof d->pend / sizeof d->pend[0]))
				dec_flush_marks(d);
			d->pend[d->npend++] = u;
		} else {
			put_utf8(d->out, u);
			dec_flush_marks(d);
		}
	}
}

/* MARC-8: follow the escape sequences written so far (as the firewall's
 * decoder reads them). 1 if G0 is then ASCII: only there are the bytes
 * of a reference its ASCII characters. */
static int dec_g0_ascii(struct dec *d)
{
	const unsigned char *p = (const unsigned char *)d->out->buf;
	size_t n = d->out->len;
	for (size_t i = d->esc_scan; i < n; i++) {
		if (p[i] != 0x1B)
			continue;
		int to_g1;
		size_t j = charset_marc8_escape(p, n, i, &to_g1);
		int *set = to_g1 ? &d->g1 : &d->g0;
		if (j >= n) {                   /* unfinished: what follows ends it */
			d->esc_scan = i;
			return 0;
		}
		*set = p[j];
		d->esc_end = j + 1;
		i = j;
	}
	d->esc_scan = n;
	return d->g0 == 'B' || d->g0 == 's';
}

/* A decoded reference. UTF-8: the character, the base of pending marks.
 * MARC-8: a placeholder byte, its position noted, and the character in
 * d->subst; ANSEL marks just before it (MARC-8 puts marks before their
 * base) are taken off and follow it there, as Unicode has them. */
static void dec_ref(struct dec *d, uint32_t cp)
{
	char b[4];
	size_t k = utf8_enc(b, cp);
	if (d->mode != MRK_MARC8) {
		dec_utf8_text(d, b, k);
		return;
	}
	strbuf *out = d->out;
	size_t m = out->len, floor = d->esc_end > d->start ? d->esc_end : d->start;
	if (d->g1 == 'E')
		while (m > floor && ansel_combining((unsigned char)out->buf[m - 1]) &&
		       ansel_ucs((unsigned char)out->buf[m - 1]) != 0)
			m--;
	sb_add(&d->subst, b, k);
	for (size_t j = m; j < out->len; j++) {
		uint32_t u = ansel_ucs((unsigned char)out->buf[j]);
		if (u != MRK_DROP)
			put_utf8(&d->subst, u);
	}
	sb_addc(&d->subst, 0);
	if (m < out->len) {
		out->len = m;
		out->buf[m] = 0;
		d->esc_scan = m;
	}
	if (d->nref == d->capref) {
		d->capref = d->capref ? d->capref * 2 : 8;
		d->rpos = xrealloc(d->rpos, d->capref * sizeof *d->rpos);
	}
	d->rpos[d->nref++] = m;
	sb_addc(out, 0x01);                 /* the byte is chosen at the end */
}

/* MARC-8, converting: the value's bytes to UTF-8 NFC (as the firewall
 * would), the references put in for their placeholders. A control
 * character the value lacks stands for them during the conversion
 * (control characters pass through it unchanged). -1 + err on bad MARC-8. */
static int dec_m8_finish(struct dec *d)
{
	strbuf *out = d->out;
	size_t n = out->len - d->start;
	if (!n)
		return 0;
	char *v = out->buf + d->start;
	int plain = 1;
	for (size_t k = 0; k < n && plain; k++)
		plain = v[k] >= 0x20 && v[k] < 0x7F;
	if (!d->nref && plain)
		return 0;                       /* printable ASCII: nothing to do */
	char sent = 0;
	if (d->nref) {
		static const char cand[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D"
			"\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1C\x1D\x1E\x1F\x7F";
		unsigned char seen[256] = { 0 };
		size_t r = 0;
		for (size_t k = 0; k < n; k++) {
			if (r < d->nref && d->rpos[r] == d->start + k)
				r++;
			else
				seen[(unsigned char)v[k]] = 1;
		}
		for (const char *c = cand; *c && !sent; c++)
			if (!seen[(unsigned char)*c])
				sent = *c;
		if (!sent) {
			sb_adds(d->err, _("too many kinds of control character in the value to decode "
			                  "its character references"));
			return -1;
		}
		for (r = 0; r < d->nref; r++)
			out->buf[d->rpos[r]] = sent;
	}
	strbuf u = STRBUF_INIT;
	if (charset_marc8_to_utf8(v, n, &u, d->err) < 0) {
		sb_release(&u);
		return -1;
	}
	out->len = d->start;
	out->buf[out->len] = 0;
	if (!d->nref) {
		sb_add(out, u.buf ? u.buf : "", u.len);
	} else {
		strbuf w = STRBUF_INIT;
		const char *sub = d->subst.buf;
		size_t run = 0, got = 0;
		for (size_t k = 0; k < u.len; k++) {
			if (u.buf[k] != sent)
				continue;
			sb_add(&w, u.buf + run, k - run);
			size_t sl = strlen(sub);
			sb_add(&w, sub, sl);
			sub += sl + 1;
			run = k + 1;
			got++;
		}
		sb_add(&w, u.buf + run, u.len - run);
		assert(got == d->nref);
		charset_nfc_append(w.buf ? w.buf : "", w.len, out);
		sb_release(&w);
	}
	sb_release(&u);
	if (charset_marc8_suspicious(out->buf + d->start, out->len - d->start))
		d->susp = 1;
	return 0;
}

/* Decode one value (see mrk_decode_value) into d->out, with d set up by
 * dec_init() and the reference fields. -1 + err if a legacy text run or
 * (conv) the MARC-8 cannot be decoded. */
static int decode_value(struct dec *d, const char *s, size_t n, int ctrl)
{
	size_t i = 0, run = 0;
	int mode = d->mode;
	while (i < n) {
		char c = s[i];
		if (c == '\\' && ctrl) {
			if (dec_text(d, s + run, i - run) < 0)
				return -1;
			dec_text(d, " ", 1);
			run = ++i;
			continue;
		}
		if ((c == '&' || c == '{') && d->refs != REFS_OFF) {
			uint32_t cp = 0;
			size_t len = 0;
			int k = ref_parse(s + i, n - i, &cp, &len);
			if (k != REF_NONE && mode == MRK_MARC8) {
				dec_text(d, s + run, i - run);
				run = i;
				if (!dec_g0_ascii(d))
					k = REF_NONE;   /* those bytes are not ASCII there */
			}
			if (k == REF_BAD && d->bad)
				d->bad(d->arg, s + i, n - i);
			if (k == REF_OK) {
				d->found = 1;
				if (d->refs == REFS_DECODE) {
					if (dec_text(d, s + run, i - run) < 0)
						return -1;
					dec_ref(d, cp);
					run = i = i + len;
					continue;
				}
			}
			if (k != REF_NONE) {        /* kept as text ("{U+" is no mnemonic) */
				i++;
				continue;
			}
		}
		if (c == '{') {
			size_t j = i + 1;
			while (j < n && j - i <= MRK_MAX_NAME && is_name_char(s[j]))
				j++;
			int nb;
			const char *b = NULL;
			if (j < n && s[j] == '}' && j > i + 1 && j - i - 1 <= MRK_MAX_NAME)
				b = mrk_mnemonic_lookup(s + i + 1, j - i - 1, &nb);
			/* NUL never goes into a value: {00} stays as written. */
			if (b && !(nb == 1 && b[0] == 0) &&
			    (mode == MRK_MARC8 || utf8_mappable(b, nb))) {
				if (dec_text(d, s + run, i - run) < 0)
					return -1;
				if (mode == MRK_MARC8)
					sb_add(d->out, b, (size_t)nb);
				else
					dec_mnemonic_utf8(d, b, nb);
				run = i = j + 1;
				continue;
			}
		}
		i++;
	}
	if (dec_text(d, s + run, n - run) < 0)
		return -1;
	dec_flush_marks(d);
	if (d->conv)
		return dec_m8_finish(d);
	return 0;
}

void mrk_decode_value(strbuf *out, const char *s, size_t n, int mode, int ctrl)
{
	struct dec d;
	sb_grow(out, n);
	dec_init(&d, out, mode, 0, NULL);
	d.refs = mode == MRK_UTF8 ? REFS_DECODE : REFS_OFF;
	decode_value(&d, s, n, ctrl);
	dec_release(&d);
}

/* ------------------------------------------------------------------ */
/* Encoding values                                                      */

/* The mnemonic MarcBreaker writes for each MARC-8 byte 0x80-0xFF
 * (NULL: written as {XX}). */
static const char *const marc8_names[128] = {
	[0x0D] = "joiner", [0x0E] = "nonjoin",
	[0x21] = "Lstrok", [0x22] = "Ostrok", [0x23] = "Dstrok", [0x24] = "THORN",
	[0x25] = "AElig", [0x26] = "OElig", [0x27] = "softsign", [0x28] = "middot",
	[0x29] = "flat", [0x2A] = "reg", [0x2B] = "plusmn", [0x2C] = "Ohorn",
	[0x2D] = "Uhorn", [0x2E] = "mlrhring",
	[0x30] = "mllhring", [0x31] = "lstrok", [0x32] = "ostrok", [0x33] = "dstrok",
	[0x34] = "thorn", [0x35] = "aelig", [0x36] = "oelig", [0x37] = "hardsign",
	[0x38] = "inodot", [0x39] = "pound", [0x3A] = "eth", [0x3C] = "ohorn",
	[0x3D] = "uhorn",
	[0x40] = "deg", [0x41] = "scriptl", [0x42] = "phono", [0x43] = "copy",
	[0x44] = "sharp", [0x45] = "iquest", [0x46] = "iexcl",
	[0x60] = "hooka", [0x61] = "grave", [0x62] = "acute", [0x63] = "circ",
	[0x64] = "tilde", [0x65] = "macr", [0x66] = "breve", [0x67] = "dot",
	[0x68] = "uml", [0x69] = "caron", [0x6A] = "ring", [0x6B] = "llig",
	[0x6C] = "rlig", [0x6D] = "rcommaa", [0x6E] = "dblac", [0x6F] = "candra",
	[0x70] = "cedil", [0x71] = "ogon", [0x72] = "dotb", [0x73] = "dbldotb",
	[0x74] = "ringb", [0x75] = "dblunder", [0x76] = "under", [0x77] = "commab",
	[0x78] = "rcedil", [0x79] = "breveb", [0x7A] = "ldbltil", [0x7B] = "rdbltil",
	[0x7E] = "commaa",
};

/* What each byte needs when written: 1 always a mnemonic ('$' '{' '}'
 * '\' and control characters), 2 a '\' in the leader and control fields
 * (blank), 4 a mnemonic in MARC-8 output (bytes >= 0x80), 8 a look: '&'
 * is written {amp} where the reader would see a character reference
 * (amp_escape), 0 nothing. Mask bit 16 (ENC_LOSSLESS) is no class. */
#define ENC_AMP 8u
#define ENC_LOSSLESS 16u
static const unsigned char enc_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	2, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

#ifdef __SSE2__
#include <emmintrin.h>
/* Nonzero if one of the 16 bytes at p needs a mnemonic under `mask`
 * (class 1 always: < 0x20, '$', '\\', '{', '}', 0x7F; 2: blank; 4: >= 0x80;
 * 8: '&', which may not). Exact: 0 means every byte is written as is. */
static inline int enc_any16(const char *p, unsigned mask)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i hit = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
	hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('$')));
	hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
	hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('{')));
	hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('}')));
	hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
	if (mask & 2)
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
	if (mask & 4)
		hit = _mm_or_si128(hit, x);
	if (mask & ENC_AMP)
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('&')));
	return _mm_movemask_epi8(hit);
}
#define ENC_WORD 16
#define ENC_ANY enc_any16
#else
#define ENC_WORD 1
#define ENC_ANY(p, mask) (enc_class[(unsigned char)*(p)] & (mask))
#endif

/* Longest text written for one byte: "{mlrhring}". */
#define ENC_MAX 10

/* Make room for `need` more bytes after o (a position in out's buffer);
 * returns o, moved with the buffer. */
static inline char *enc_room(strbuf *out, char *o, size_t need)
{
	size_t len = (size_t)(o - out->buf);
	if (len + need + 1 > out->cap) {
		out->len = len;
		sb_grow(out, need);
		o = out->buf + len;
	}
	return o;
}

/* The escape for byte c (class under the mask), written at o. */
static char *enc_escape(char *o, unsigned char c)
{
	static const char hx[] = "0123456789ABCDEF";
	const char *rep;
	switch (c) {
	case '$': rep = "{dollar}"; break;
	case '{': rep = "{lcub}"; break;
	case '}': rep = "{rcub}"; break;
	case '\\': rep = "{bsol}"; break;
	case '&': rep = "{amp}"; break;
	case ' ': *o++ = '\\'; return o;
	case 0x1B: rep = "{esc}"; break;
	default:
		rep = c >= 0x80 ? marc8_names[c - 0x80] : NULL;
		if (!rep) {
			o[0] = '{';
			o[1] = hx[c >> 4];
			o[2] = hx[c & 15];
			o[3] = '}';
			return o + 4;
		}
		*o++ = '{';
		size_t k = strlen(rep);
		memcpy(o, rep, k);
		o += k;
		*o++ = '}';
		return o;
	}
	size_t k = strlen(rep);
	memcpy(o, rep, k);
	return o + k;
}

/* Index of the first byte of s[i, n) that needs a mnemonic under mask,
 * or n: 16 bytes at a time, the last piece of a long value by a load
 * that ends at its end. */
static inline size_t enc_scan(const char *s, size_t i, size_t n, unsigned mask)
{
#ifdef __SSE2__
	unsigned m = 0;
	while (i + 16 <= n && !(m = (unsigned)ENC_ANY(s + i, mask)))
		i += 16;
	if (m)
		return i + (size_t)__builtin_ctz(m);
	if (i < n && n >= 16) {
		m = (unsigned)ENC_ANY(s + n - 16, mask) >> (16 - (n - i));
		return m ? i + (size_t)__builtin_ctz(m) : n;
	}
#endif
	while (i < n && !(enc_class[(unsigned char)s[i]] & mask))
		i++;
	return i;
}

static int is_mark(uint32_t cp)
{
	utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
	return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
	       cat == UTF8PROC_CATEGORY_ME;
}

/* Can MARC-8 hold character cp (after a letter, for a combining mark)?
 * Asked of the converter itself; the answers are cached per thread. */
static int marc8_holds(uint32_t cp)
{
	static _Thread_local struct { uint32_t cp; int ok; } cache[64];
	unsigned h = (unsigned)(cp ^ (cp >> 6)) & 63u;
	if (cache[h].cp == cp)
		return cache[h].ok;
	char b[5] = { 'a' };
	size_t k = 1 + utf8_enc(b + 1, cp);
	rec *r = rec_create();
	size_t f = rec_add_field(r, "500", ' ', ' ');
	rec_add_sub(r, f, 'a', b, k);
	int ok = charset_to_marc8(r, 0, NULL) == 0;
	rec_destroy(r);
	cache[h].cp = cp;
	cache[h].ok = ok;
	return ok;
}

/* Must the '&' at s[0, n) be written {amp}: would the reader take it for
 * the start of a character reference (or warn about a malformed one)?
 * Under ENC_LOSSLESS (MARC-8 written with --lossless) the references the
 * conversion wrote for characters MARC-8 lacks ("&#x%04X;" for such a
 * character) are left for the reader to decode. The same text in the
 * data cannot be told from those: it is read back as the character. */
static int amp_escape(const char *s, size_t n, unsigned mask, int after_ref, size_t *len)
{
	uint32_t cp = 0;
	*len = 0;
	int k = ref_parse(s, n, &cp, len);
	if (k == REF_NONE)
		return 0;
	if (k == REF_OK && (mask & ENC_LOSSLESS) && cp >= 0x80) {
		char want[16];
		int m = snprintf(want, sizeof want, "&#x%04X;", (unsigned)cp);
		/* a character MARC-8 lacks, or a combining mark on one (right
		 * after its reference: charset.c writes those as references
		 * too) */
		if ((size_t)m == *len && !memcmp(want, s, *len) &&
		    (!marc8_holds(cp) || (after_ref && is_mark(cp))))
			return 0;
	}
	return 1;
}

/* Append the encoded s[0, n) at o (room for n bytes already made);
 * returns the new end. The room invariant: there is always space for
 * what is left of s written as is. */
static char *enc_value(strbuf *out, char *o, const char *s, size_t n, unsigned mask)
{
	size_t run = 0, i = 0, ref_end = (size_t)-1, len;
	for (;;) {
		i = enc_scan(s, i, n, mask);
		if (i >= n)
			break;
		if (s[i] == '&' && !amp_escape(s + i, n - i, mask, i == ref_end, &len)) {
			ref_end = len ? i + len : (size_t)-1;   /* a reference left as it is */
			i++;
			continue;
		}
		memcpy(o, s + run, i - run);
		o += i - run;
		o = enc_room(out, o, ENC_MAX + (n - i));
		o = enc_escape(o, (unsigned char)s[i]);
		run = ++i;
	}
	memcpy(o, s + run, n - run);
	return o + (n - run);
}

/* The leader and control fields: blanks are written '\'. When nothing
 * else needs a mnemonic (the usual case), a copy with the blanks replaced
 * in place. mask is the one for subfield values. */
static char *enc_control(strbuf *out, char *o, const char *s, size_t n, unsigned mask)
{
	if (enc_scan(s, 0, n, mask) < n)
		return enc_value(out, o, s, n, mask | 2u);
	memcpy(o, s, n);
	size_t i = 0;
#ifdef __SSE2__
	const __m128i blank = _mm_set1_epi8(' '), bsol = _mm_set1_epi8('\\');
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(o + i));
		__m128i eq = _mm_cmpeq_epi8(x, blank);
		x = _mm_or_si128(_mm_andnot_si128(eq, x), _mm_and_si128(eq, bsol));
		_mm_storeu_si128((__m128i *)(void *)(o + i), x);
	}
#endif
	for (; i < n; i++)
		if (o[i] == ' ')
			o[i] = '\\';
	return o + n;
}

void mrk_encode_value(strbuf *out, const char *s, size_t n, int marc8, int ctrl)
{
	unsigned mask = 1u | ENC_AMP | (ctrl ? 2u : 0u) | (marc8 ? 4u : 0u);
	sb_grow(out, n);
	char *o = out->buf + out->len;
	o = enc_value(out, o, s, n, mask);
	out->len = (size_t)(o - out->buf);
	out->buf[out->len] = 0;
}

/* ------------------------------------------------------------------ */
/* Reader                                                               */

enum { ML_FIELD, ML_CONT, ML_NOEQ, ML_OTHER, ML_IFIELD };
struct mline {
	size_t off, len;      /* in st->text, without the line end */
	long lineno;          /* 1-based */
	long long fileoff;
	int cont;             /* continues the previous field (ML_CONT) */
	int tab_blank;        /* its first byte is a tab that reads as a blank */
	size_t skip;          /* bytes of indentation before off (fileoff too) */
	int kind;             /* ML_*: a field, a wrapped line, a field without
	                         its '=' ("245  10$a..."), or a stray line */
};

struct mrk_reader {
	long lineno;          /* lines consumed so far */
	strbuf text;          /* the current record, bytes as read */
	struct mline *lines;
	size_t nlines, caplines;
	int too_long;
	int cut;              /* the last line has no line end: the input ends
	                         in it (a file cut short, or saved without one) */
	strbuf val, join, msg;
	size_t cur;           /* first line of the field being decoded */
	int joined;           /* its text is in join (continuation lines) */
	int noeq;             /* ... after an '=' put back (ML_NOEQ) */
	int refs;             /* REFS_* for the record's values */
	int conv;             /* MARC-8 values converted to UTF-8 here */
	int found;            /* a value had a character reference */
	strbuf refwarn;       /* malformed references, one warning a line */
	strbuf susp;          /* conv: values whose MARC-8 looks wrong */
};

struct rawline {
	const char *p;
	size_t len;           /* without line end */
	size_t total;         /* with it */
};

/* Look at the next line without consuming it; 0 at end of input. A line
 * ends with LF, CR LF (CRs before the LF are part of the line end), or a
 * CR on its own (files from old Mac OS and some DOS programs). A line
 * longer than MRK_MAX_RECORD is cut there (the record is rejected). */
static int peek_line(marc_reader *rd, struct rawline *l)
{
	size_t have = mr_fill(rd, 1), scanned = 0;
	if (!have)
		return 0;
	for (;;) {
		const char *p = mr_data(rd);
		const char *nl = memchr(p + scanned, '\n', have - scanned);
		size_t upto = nl ? (size_t)(nl - p) : have;
		const char *cr = memchr(p + scanned, '\r', upto - scanned);
		if (cr) {
			size_t j = (size_t)(cr - p);
			while (j < have && p[j] == '\r')
				j++;
			if (j == have) {            /* an LF may follow: look further */
				size_t more = have > MRK_MAX_RECORD ? have : mr_fill(rd, have + 1);
				if (more > have) {
					scanned = (size_t)(cr - p);
					have = more;
					continue;
				}
			}
			l->total = j < have && p[j] == '\n' ? j + 1 : (size_t)(cr - p) + 1;
			break;
		}
		if (nl) {
			l->total = (size_t)(nl - p) + 1;
			break;
		}
		scanned = have;
		size_t more = have > MRK_MAX_RECORD ? have : mr_fill(rd, have + 1);
		if (more <= have) {
			l->total = have;
			break;
		}
		have = more;
	}
	l->p = mr_data(rd);
	l->len = l->total;
	if (l->len && l->p[l->len - 1] == '\n')
		l->len--;
	while (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return 1;
}

static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* "=LDR" or "=000" (the leader line that starts every record). */
static int is_leader_line(const char *p, size_t n)
{
	return n >= 4 && p[0] == '=' &&
	       (!memcmp(p + 1, "LDR", 3) || !memcmp(p + 1, "000", 3)) &&
	       (n == 4 || p[4] == ' ');
}

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)rd;
	(void)err;
	return xcalloc(1, sizeof(struct mrk_reader));
}

static void r_close(void *vst)
{
	struct mrk_reader *st = vst;
	if (!st)
		return;
	sb_release(&st->text);
	sb_release(&st->val);
	sb_release(&st->join);
	sb_release(&st->msg);
	sb_release(&st->refwarn);
	sb_release(&st->susp);
	free(st->lines);
	free(st);
}

/* Blanks and tabs at the start of l. */
static size_t indent_len(const struct rawline *l)
{
	size_t k = 0;
	while (k < l->len && (l->p[k] == '\t' || l->p[k] == ' '))
		k++;
	return k;
}

static int field_tag_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* What a line that does not start with '=' is (not the record's first). */
static int line_kind(const struct mrk_reader *st, const struct rawline *l)
{
	const char *p = l->p;
	if (p[0] == '=')
		return ML_FIELD;
	/* "245  10$a...": a field whose '=' was lost */
	if (l->len >= 5 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] == ' ' && p[4] == ' ')
		return ML_NOEQ;
	/* "\t=650  ...": a field line indented (an editor's indentation),
	 * not text of the field above (it was joined to it as subfields) */
	if (p[0] == ' ' || p[0] == '\t') {
		size_t k = indent_len(l);
		if (l->len - k >= 6 && p[k] == '=' && memcmp(p + k + 1, "LDR", 3) &&
		    field_tag_char(p[k + 1]) && field_tag_char(p[k + 2]) && field_tag_char(p[k + 3]) &&
		    p[k + 4] == ' ' && p[k + 5] == ' ')
			return ML_IFIELD;
	}
	/* a long line broken at a blank (MARCBreaker) or before a subfield,
	 * or indented with a tab (an editor's or mailer's wrapping) */
	const struct mline *prev = &st->lines[st->nlines - 1];
	if (p[0] == ' ' || p[0] == '$' || p[0] == '\t' ||
	    (prev->len && st->text.buf[prev->off + prev->len - 1] == ' '))
		return ML_CONT;
	return ML_OTHER;
}

/* Keep line l (already known not blank, not a comment) of the record. */
static void keep_line(struct mrk_reader *st, const struct rawline *l, long long off)
{
	int kind = st->nlines > 0 ? line_kind(st, l) : ML_FIELD;
	int cont = kind == ML_CONT;
	if (st->nlines == st->caplines) {
		st->caplines = st->caplines ? st->caplines * 2 : 64;
		st->lines = xrealloc(st->lines, st->caplines * sizeof *st->lines);
	}
	struct mline *m = &st->lines[st->nlines++];
	m->off = st->text.len;
	m->len = l->len;
	m->lineno = st->lineno + 1;
	m->fileoff = off;
	m->cont = cont;
	m->kind = kind;
	m->tab_blank = 0;
	m->skip = 0;
	if (kind == ML_IFIELD) {            /* read from its '=' */
		size_t k = indent_len(l);
		m->off += k;
		m->len -= k;
		m->fileoff += (long long)k;
		m->skip = k;
	} else if (cont && l->p[0] == '\t') {
		/* a tab-indented line: its indentation is not text. Before a
		 * '$' none of it is kept, else one blank (a tab there reads as
		 * a blank: field_text); the line starts later so that positions
		 * still point into the file, and the raw text stays as it was */
		const struct mline *prev = &st->lines[st->nlines - 2];
		int after_blank = prev->len && st->text.buf[prev->off + prev->len - 1] == ' ';
		size_t k = 0;
		while (k < l->len && (l->p[k] == '\t' || l->p[k] == ' '))
			k++;
		if (k == l->len)
			return;
		if (l->p[k] != '$' && !after_blank)
			k--;
		m->off += k;
		m->len -= k;
		m->fileoff += (long long)k;
		m->skip = k;
		m->tab_blank = l->p[k] == '\t';
	}
}

BM_PRINTF(3, 4)
static int bad_line(marc_reader *rd, const struct mline *m, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	sb_addf(&sb, _("line %ld (byte %lld): "), m->lineno, m->fileoff);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	mr_bad(rd, "%s", sb.buf);
	sb_release(&sb);
	return MR_BAD;
}

/* The text of the field that starts at line i, continuation lines
 * joined; *next is set to the first line of the next field. */
static const char *field_text(struct mrk_reader *st, size_t i, size_t *len, size_t *next)
{
	const struct mline *m = &st->lines[i];
	size_t j = i + 1;
	st->cur = i;
	st->noeq = m->kind == ML_NOEQ;
	st->joined = st->noeq || !(j >= st->nlines || !st->lines[j].cont);
	if (!st->joined) {
		*len = m->len;
		*next = j;
		return st->text.buf + m->off;
	}
	sb_reset(&st->join);
	if (st->noeq)
		sb_addc(&st->join, '=');
	sb_add(&st->join, st->text.buf + m->off, m->len);
	for (; j < st->nlines && st->lines[j].cont; j++) {
		const struct mline *c = &st->lines[j];
		if (c->tab_blank) {            /* same length: positions hold */
			sb_addc(&st->join, ' ');
			sb_add(&st->join, st->text.buf + c->off + 1, c->len - 1);
		} else {
			sb_add(&st->join, st->text.buf + c->off, c->len);
		}
	}
	*len = st->join.len;
	*next = j;
	return st->join.buf;
}

static int graphic(unsigned char c)
{
	return c > 0x20 && c < 0x7F;
}

/* Split "=TAG  content": the content, or NULL after bad_line(). */
static const char *split_line(marc_reader *rd, const struct mline *m, const char *p,
                              size_t n, size_t *clen)
{
	if (memchr(p, 0, n)) {          /* never text; values cannot hold NUL */
		bad_line(rd, m, _("NUL byte in the line"));
		return NULL;
	}
	if (n < 4 || p[0] != '=' || !graphic((unsigned char)p[1]) ||
	    !graphic((unsigned char)p[2]) || !graphic((unsigned char)p[3])) {
		if (p[0] != '=')
			bad_line(rd, m, _("line does not start with '='"));
		else
			bad_line(rd, m, _("bad tag '%.*s'"), (int)(n > 4 ? 3 : n - 1), p + 1);
		return NULL;
	}
	if (n == 4 || (n == 5 && p[4] == ' ')) {
		*clen = 0;
		return p + n;
	}
	if (p[4] != ' ' || p[5] != ' ') {
		bad_line(rd, m, _("field %.3s: expected two spaces after the tag"), p + 1);
		return NULL;
	}
	*clen = n - 6;
	return p + 6;
}

/* Choose how the record's values are decoded, and tell the firewall
 * which charset they are then in. */
static int choose_mode(struct mrk_reader *st, marc_reader *rd, char l09, int *legacy)
{
	int cs = mr_opts(rd)->from_charset;
	*legacy = 0;
	switch (cs) {
	case CS_UTF8:
		mr_set_record_charset(rd, CS_UTF8);
		return MRK_UTF8;
	case CS_MARC8:
		mr_set_record_charset(rd, CS_MARC8);
		return MRK_MARC8;
	case CS_AUTO:
	case CS_AUTO_VI:        /* the firewall guesses, record by record */
		break;
	default:                /* a legacy 8-bit charset: text decoded here */
		*legacy = cs;
		mr_set_record_charset(rd, CS_UTF8);
		return MRK_UTF8;
	}
	if (!is_ascii(st->text.buf, st->text.len)) {
		if (!utf8_valid(st->text.buf, st->text.len, NULL))
			return MRK_MARC8;   /* raw 8-bit bytes: the firewall decides */
		if (l09 != 'a')
			mr_warn(rd, _("leader/09 is blank but the data is UTF-8; read as UTF-8"));
		mr_set_record_charset(rd, CS_UTF8);
		return MRK_UTF8;
	}
	if (l09 == 'a') {
		mr_set_record_charset(rd, CS_UTF8);
		return MRK_UTF8;
	}
	if (l09 == ' ')
		mr_set_record_charset(rd, CS_MARC8);
	return MRK_MARC8;
}

/* Where the byte at p of the current field's text is: line and offset. */
static void field_pos(const struct mrk_reader *st, const char *p, long *line, long long *off)
{
	const struct mline *m = &st->lines[st->cur];
	size_t k;
	if (st->joined) {
		k = (size_t)(p - st->join.buf);
		if (st->noeq)                   /* the '=' put back */
			k = k ? k - 1 : 0;
		for (size_t j = st->cur; k >= m->len && j + 1 < st->nlines && st->lines[j + 1].cont;) {
			k -= m->len;
			m = &st->lines[++j];
		}
	} else
		k = (size_t)(p - (st->text.buf + m->off));
	*line = m->lineno;
	*off = m->fileoff + (long long)k;
}

struct refctx {
	struct mrk_reader *st;
	const char *tag;
	char code;
};

/* A malformed character reference at p: a warning, the text kept. */
static void ref_warn(void *arg, const char *p, size_t n)
{
	struct refctx *x = arg;
	strbuf *w = &x->st->refwarn;
	long line;
	long long off;
	field_pos(x->st, p, &line, &off);
	if (w->len)
		sb_addc(w, '\n');
	sb_addf(w, _("line %ld (byte %lld): "), line, off);
	if (x->code)
		sb_addf(w, _("field %s $%c: %s"), x->tag, x->code, "");
	else
		sb_addf(w, _("field %s: %s"), x->tag, "");
	sb_addf(w, _("'%.*s' is not a valid character reference; kept as text"),
	        (int)ref_quote_len(p, n), p);
}

static int decode_into(struct mrk_reader *st, marc_reader *rd, const struct mline *m,
                       const char *tag, char code, const char *s, size_t n,
                       int mode, int ctrl, int legacy)
{
	struct dec d;
	struct refctx x = { st, tag, code };
	sb_reset(&st->val);
	sb_reset(&st->msg);
	dec_init(&d, &st->val, mode, legacy, &st->msg);
	d.refs = st->refs;
	d.conv = st->conv;
	d.bad = ref_warn;
	d.arg = &x;
	int rc = decode_value(&d, s, n, ctrl);
	st->found |= d.found;
	if (d.susp) {
		if (st->susp.len)
			sb_adds(&st->susp, ", ");
		if (code)
			sb_addf(&st->susp, "%s $%c", tag, code);
		else
			sb_adds(&st->susp, tag);
	}
	dec_release(&d);
	if (rc < 0) {
		if (code)
			return bad_line(rd, m, _("field %s $%c: %s"), tag, code, st->msg.buf ? st->msg.buf : "");
		return bad_line(rd, m, _("field %s: %s"), tag, st->msg.buf ? st->msg.buf : "");
	}
	return MR_OK;
}

static int parse_fields(struct mrk_reader *st, marc_reader *rd, rec *r, size_t next, int mode,
                        int legacy);

/* Nothing is read differently from what the lines say without a word:
 * a warning for each line that did not start with '='. */
static void line_warnings(struct mrk_reader *st, marc_reader *rd)
{
	const char *tag = "LDR";
	for (size_t i = 1; i < st->nlines; i++) {
		const struct mline *m = &st->lines[i];
		const char *p = st->text.buf + m->off;
		if (m->kind == ML_FIELD)
			tag = p + 1;
		else if (m->kind == ML_IFIELD) {
			tag = p + 1;
			mr_warn(rd, _("line %ld (byte %lld): does not start with '='; read as field %.3s"),
			        m->lineno, m->fileoff - (long long)m->skip, tag);
		} else if (m->kind == ML_NOEQ) {
			tag = p;
			mr_warn(rd, _("line %ld (byte %lld): does not start with '='; read as field %.3s"),
			        m->lineno, m->fileoff, tag);
		} else if (m->kind == ML_CONT) {
			/* one warning for the lines a field was wrapped into */
			size_t j = i;
			while (j + 1 < st->nlines && st->lines[j + 1].kind == ML_CONT)
				j++;
			if (j == i)
				mr_warn(rd, _("line %ld (byte %lld): does not start with '='; joined to field "
				              "%.3s above as a continued line"), m->lineno,
				        m->fileoff - (long long)m->skip, tag);
			else
				mr_warn(rd, _("lines %ld to %ld (byte %lld): do not start with '='; joined to "
				              "field %.3s above as %ld continued lines"), m->lineno,
				        st->lines[j].lineno, m->fileoff - (long long)m->skip, tag,
				        (long)(j - i + 1));
			i = j;
		}
	}
}

static int parse_record(struct mrk_reader *st, marc_reader *rd, rec *r)
{
	const struct mline *m = &st->lines[0];
	size_t n, next, clen;
	if (st->too_long)
		return bad_line(rd, m, _("record longer than %u bytes (no blank line between records?)"),
		                MRK_MAX_RECORD);
	const char *p = field_text(st, 0, &n, &next);
	if (!is_leader_line(p, n)) {
		if (n && p[0] == '=')
			return bad_line(rd, m, _("the record does not start with =LDR"));
		return bad_line(rd, m, _("line does not start with '='"));
	}
	const char *c = split_line(rd, m, p, n, &clen);
	if (!c)
		return MR_BAD;
	sb_reset(&st->val);
	{
		struct dec d;                   /* no references in the leader */
		dec_init(&d, &st->val, MRK_MARC8, 0, NULL);
		decode_value(&d, c, clen, 1);
		dec_release(&d);
	}
	if (st->val.len != REC_LEADER_LEN)
		return bad_line(rd, m, _("the leader is %zu characters long, not 24"), st->val.len);
	/* what a file cut short after a =LDR line leaves: nothing to catalogue */
	if (next >= st->nlines)
		return bad_line(rd, m, _("the record has a leader and no fields (is the file cut "
		                         "short?)"));
	rec_set_leader(r, st->val.buf, REC_LEADER_LEN);

	int legacy;
	char l09 = st->val.buf[9];
	int mode = choose_mode(st, rd, l09, &legacy);
	int from = mr_opts(rd)->from_charset;

	/* References in UTF-8 values are decoded as they come. MARC-8 values
	 * cannot hold them: a record that has one is read again with every
	 * value converted to UTF-8 here (as the firewall would, unless it is
	 * to reject the record: raw 8-bit bytes under leader/09 'a'). */
	int conv_ok = mode == MRK_MARC8 && (from == CS_MARC8 || l09 != 'a');
	st->refs = mode == MRK_UTF8 ? REFS_DECODE : conv_ok ? REFS_DETECT : REFS_OFF;
	st->conv = 0;
	st->found = 0;
	sb_reset(&st->refwarn);
	sb_reset(&st->susp);
	int rc = parse_fields(st, rd, r, next, mode, legacy);
	if (rc == MR_OK && st->found && st->refs == REFS_DETECT) {
		char ldr[REC_LEADER_LEN];
		memcpy(ldr, rec_leader(r), REC_LEADER_LEN);
		rec_clear(r);
		rec_set_leader(r, ldr, REC_LEADER_LEN);
		st->refs = REFS_DECODE;
		st->conv = 1;
		sb_reset(&st->refwarn);
		rc = parse_fields(st, rd, r, next, mode, legacy);
		if (rc == MR_OK) {
			mr_set_record_charset(rd, CS_UTF8);
			/* what the firewall would have said */
			if ((from == CS_AUTO || from == CS_AUTO_VI) && l09 != ' ' && l09 != 'a')
				mr_warn(rd, _("leader/09 is '%c' (neither 'a' nor blank) and the data is not "
				              "UTF-8; read as MARC-8"), l09);
			if (st->susp.len)
				mr_warn(rd, _("%s: a MARC-8 combining mark stands on a space or punctuation "
				              "(kept; if the file is Latin-1, name it with --from-charset latin1)"),
				        st->susp.buf);
		}
	}
	if (rc == MR_OK)
		line_warnings(st, rd);
	if (rc == MR_OK && st->cut) {
		/* a last record without the blank line after it is how MarcEdit
		 * often ends a file: that is no warning; a last line without its
		 * line end is what a file cut short ends with */
		const struct mline *e = &st->lines[st->nlines - 1];
		mr_warn(rd, _("line %ld (byte %lld): the file ends in this line, with no line end: "
		              "if the file was cut short, the record's last field may be incomplete"),
		        e->lineno, e->fileoff - (long long)e->skip);
	}
	if (st->refwarn.len)
		mr_warn(rd, "%s", st->refwarn.buf);
	return rc;
}

/* The fields of the record, from line `next` on, into r. */
static int parse_fields(struct mrk_reader *st, marc_reader *rd, rec *r, size_t next, int mode,
                        int legacy)
{
	const struct mline *m;
	const char *p, *c;
	size_t n, clen;
	for (size_t i = next; i < st->nlines; i = next) {
		m = &st->lines[i];
		if (m->kind == ML_OTHER)
			return bad_line(rd, m, _("line does not start with '=' and does not continue the "
			                         "line above (a continued line starts with a blank or a tab)"));
		p = field_text(st, i, &n, &next);
		c = split_line(rd, m, p, n, &clen);
		if (!c)
			return MR_BAD;
		char tag[4] = { p[1], p[2], p[3], 0 };
		if (rec_tag_is_control(tag)) {
			if (decode_into(st, rd, m, tag, 0, c, clen, mode, 1, legacy) != MR_OK)
				return MR_BAD;
			rec_add_control(r, tag, st->val.buf ? st->val.buf : "", st->val.len);
			continue;
		}
		char ind[2];
		for (int k = 0; k < 2; k++) {
			if (clen < 2 || c[k] == '$')
				return bad_line(rd, m, _("field %s: missing indicators"), tag);
			ind[k] = c[k] == '\\' ? ' ' : c[k];
			if ((unsigned char)ind[k] < 0x20 || (unsigned char)ind[k] > 0x7E)
				return bad_line(rd, m, _("field %s: bad indicator (byte 0x%02X)"), tag,
				                (unsigned char)ind[k]);
		}
		const char *s = c + 2, *end = c + clen;
		if (s < end && *s != '$')
			return bad_line(rd, m, _("field %s: text before the first '$' subfield delimiter"), tag);
		size_t f = rec_add_field(r, tag, ind[0], ind[1]);
		while (s < end) {
			s++;                            /* the '$' */
			const char *e = memchr(s, '$', (size_t)(end - s));
			if (!e)
				e = end;
			if (s == e)
				return bad_line(rd, m, _("field %s: '$' without a subfield code"), tag);
			char code = *s;
			if (!graphic((unsigned char)code))
				return bad_line(rd, m, _("field %s: bad subfield code (byte 0x%02X)"), tag,
				                (unsigned char)code);
			if (decode_into(st, rd, m, tag, code, s + 1, (size_t)(e - s - 1), mode, 0,
			                legacy) != MR_OK)
				return MR_BAD;
			rec_add_sub(r, f, code, st->val.buf ? st->val.buf : "", st->val.len);
			s = e;
		}
	}
	return MR_OK;
}

static int r_next(void *vst, marc_reader *rd, rec *r)
{
	struct mrk_reader *st = vst;
	struct rawline l;

	/* blank lines, comments and a byte order mark before the record */
	for (;;) {
		if (!peek_line(rd, &l))
			return MR_EOF;
		if (mr_tell(rd) == 0 && l.len >= 3 && !memcmp(l.p, "\xEF\xBB\xBF", 3)) {
			mr_consume(rd, 3);
			continue;
		}
		if (!is_blank(l.p, l.len) && l.p[0] != '#')
			break;
		mr_consume(rd, l.total);
		st->lineno++;
	}

	mr_begin(rd, mr_tell(rd));
	sb_reset(&st->text);
	st->nlines = 0;
	st->too_long = 0;
	st->cut = 0;
	for (int first = 1;; first = 0) {
		if (!first && (!peek_line(rd, &l) || is_leader_line(l.p, l.len)))
			break;                      /* end, or the next record's =LDR */
		int blank = is_blank(l.p, l.len);
		if (!st->too_long && st->text.len + l.total > MRK_MAX_RECORD) {
			st->too_long = 1;
			if (!st->nlines) {          /* for the line number only */
				keep_line(st, &l, mr_tell(rd));
				st->lines[0].len = 0;
			}
		}
		if (!st->too_long) {
			if (!blank && l.p[0] != '#') {
				keep_line(st, &l, mr_tell(rd));
				/* no line end: only the last line of the input */
				st->cut = l.total == l.len;
			}
			sb_add(&st->text, l.p, l.total);
		}
		mr_consume(rd, l.total);
		st->lineno++;
		if (blank)
			break;
	}

	int rc = parse_record(st, rd, r);
	{
		/* The raw text of every record (a writer may refuse a good one)
		 * may go to the rejects file: end it with a blank line so that
		 * file is itself a .mrk file. */
		const char *t = st->text.buf ? st->text.buf : "";
		size_t n = st->text.len;
		int has_cr = memchr(t, '\r', n) != NULL;
		/* CR-only line ends (old Mac) are kept as they are */
		char sep = has_cr && !memchr(t, '\n', n) ? '\r' : '\n';
		const char *eol = sep == '\r' ? "\r" : has_cr ? "\r\n" : "\n";
		mr_set_raw(rd, t, n);
		if (n && t[n - 1] != sep) {
			mr_add_raw(rd, eol, strlen(eol));
			n++;                        /* as if it ended with sep */
		}
		size_t start = n ? n - 1 : 0;   /* the last line: [start, n - 1) */
		while (start && t[start - 1] != sep)
			start--;
		if (!n || !is_blank(t + start, n - 1 - start))
			mr_add_raw(rd, eol, strlen(eol));
	}
	return rc;
}

const struct fmt_reader fmt_mrk_reader = { MF_MRK, 0, r_open, r_next, r_close };

/* ------------------------------------------------------------------ */
/* Writer                                                               */

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

/* Why field f cannot be written (-1 with err set), or 0. */
static int field_refused(const rec *r, size_t f, int control, strbuf *err)
{
	const char *tag = rec_tag(r, f);
	if (!graphic((unsigned char)tag[0]) || !graphic((unsigned char)tag[1]) ||
	    !graphic((unsigned char)tag[2]) ||
	    (tag[0] == 'L' && tag[1] == 'D' && tag[2] == 'R') ||
	    (tag[0] == '0' && tag[1] == '0' && tag[2] == '0')) {
		sb_addf(err, _("field %zu: tag '%s' cannot be written in .mrk"), f + 1, tag);
		return -1;
	}
	if (control != rec_tag_is_control(tag)) {
		sb_addf(err, control ? _("field %s: a control field with this tag cannot be written in .mrk")
		                     : _("field %s: a data field with this tag cannot be written in .mrk"),
		        tag);
		return -1;
	}
	return 0;
}

/* Each line is written straight into out's buffer: room for the value as
 * is is made before each value (enc_value makes more as escapes need). */
static int w_put(marc_writer *w, const rec *r, strbuf *out, strbuf *err)
{
	/* the leader holds no references: its '&' stays as it is */
	unsigned vmask = mw_opts(w)->to_charset == CS_MARC8 ? 1u | 4u | ENC_AMP : 1u | ENC_AMP;
	if (mw_opts(w)->to_charset == CS_MARC8 && mw_opts(w)->lossless)
		vmask |= ENC_LOSSLESS;
	size_t start = out->len;
	sb_grow(out, 64);
	char *o = out->buf + out->len;
	memcpy(o, "=LDR  ", 6);
	o = enc_control(out, o + 6, rec_leader(r), REC_LEADER_LEN, 1u | 4u);
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(r, f);
		int control = rec_is_control(r, f);
		/* the common case (a numeric tag of the right kind) checked here */
		int ok = tag[0] >= '0' && tag[0] <= '9' && tag[1] >= '0' && tag[1] <= '9' &&
		         tag[2] >= '0' && tag[2] <= '9' &&
		         control == (tag[0] == '0' && tag[1] == '0' && tag[2] != '0') &&
		         !(tag[0] == '0' && tag[1] == '0' && tag[2] == '0');
		if (!ok && field_refused(r, f, control, err) < 0) {
			out->len = start;
			out->buf[start] = 0;
			return -1;
		}
		o = enc_room(out, o, 2 + 6 + 2);
		o[0] = '\r';
		o[1] = '\n';
		o[2] = '=';
		memcpy(o + 3, tag, 3);
		o[6] = ' ';
		o[7] = ' ';
		o += 8;
		if (control) {
			size_t len;
			const char *d = rec_data(r, f, &len);
			o = enc_room(out, o, len);
			o = enc_control(out, o, d, len, vmask);
			continue;
		}
		for (int k = 1; k <= 2; k++) {
			unsigned char c = (unsigned char)rec_ind(r, f, k);
			if (c == ' ')
				*o++ = '\\';
			else if (graphic(c) && c != '$' && c != '\\')
				*o++ = (char)c;
			else {
				out->len = start;
				out->buf[start] = 0;
				sb_addf(err, _("field %s: indicator %d (byte 0x%02X) cannot be written in .mrk"),
				        tag, k, c);
				return -1;
			}
		}
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			unsigned char code = (unsigned char)rec_sub_code(r, f, s);
			size_t len;
			const char *v = rec_sub_value(r, f, s, &len);
			if (!graphic(code) || code == '$') {
				out->len = start;
				out->buf[start] = 0;
				sb_addf(err, _("field %s: subfield code byte 0x%02X cannot be written in .mrk"),
				        tag, code);
				return -1;
			}
			o = enc_room(out, o, 2 + len + 4);
			o[0] = '$';
			o[1] = (char)code;
			o = enc_value(out, o + 2, v, len, vmask);
		}
	}
	o = enc_room(out, o, 4);
	memcpy(o, "\r\n\r\n", 4);
	out->len = (size_t)(o + 4 - out->buf);
	out->buf[out->len] = 0;
	return 0;
}

const struct fmt_writer fmt_mrk_writer = { MF_MRK, 1, w_begin, w_put, w_end };
