/*
 * charset.c - the charset firewall: every record read is brought to UTF-8
 * NFC (or rejected with the reason), every record written as MARC-8 keeps
 * its Vietnamese (or is refused), and the search/match folding shared by
 * the catalogue and the authority code.
 *
 * MARC-8 goes through yaz's tables, but yaz silently drops what it cannot
 * map (undefined bytes, control characters, bad CJK triples), so each
 * value is first scanned here: escape sequences are checked, the
 * characters are counted, and a value whose decoding comes out short is
 * rejected instead of being stored with letters missing. On the way out,
 * every MARC-8 value is decoded again and compared with the original.
 *
 * yaz converters are kept in a small pool (opened once, reused by every
 * record; thread-safe). Values that are plain printable ASCII, the bulk
 * of any MARC file, are not touched at all.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <unicode/unorm2.h>
#include <utf8proc.h>
#include <yaz/yaz-iconv.h>

#include "charset.h"
#include "charset-legacy.h"
#include "i18n-lower.h"
#include "marcio.h"

/* ------------------------------------------------------------------ */
/* yaz converter pool */

enum { H_DEC, H_ENC, H_KINDS };
#define POOL_MAX 8
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static yaz_iconv_t pool[H_KINDS][POOL_MAX];
static int npool[H_KINDS];

static yaz_iconv_t handle_get(int kind)
{
	yaz_iconv_t h = NULL;
	pthread_mutex_lock(&pool_mu);
	if (npool[kind])
		h = pool[kind][--npool[kind]];
	pthread_mutex_unlock(&pool_mu);
	if (!h)
		h = kind == H_DEC ? yaz_iconv_open("utf-8", "marc8") : yaz_iconv_open("marc8", "utf-8");
	if (!h)
		die("yaz cannot convert between MARC-8 and UTF-8");
	return h;
}

static void handle_put(int kind, yaz_iconv_t h)
{
	if (!h)
		return;
	pthread_mutex_lock(&pool_mu);
	if (npool[kind] < POOL_MAX) {
		pool[kind][npool[kind]++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&pool_mu);
	if (h)
		yaz_iconv_close(h);
}

void charset_cleanup(void)
{
	pthread_mutex_lock(&pool_mu);
	for (int k = 0; k < H_KINDS; k++) {
		while (npool[k])
			yaz_iconv_close(pool[k][--npool[k]]);
	}
	pthread_mutex_unlock(&pool_mu);
}

/* ------------------------------------------------------------------ */
/* small helpers */

static void add_line(strbuf *sb, const char *prefix)
{
	if (!sb)
		return;
	if (sb->len)
		sb_addc(sb, '\n');
	if (prefix)
		sb_adds(sb, prefix);
}

/* "245 $a" or "008"; bytes that would garble a message are shown in hex */
static void name_of(strbuf *sb, const rec *r, size_t f, long s)
{
	const char *t = rec_tag(r, f);
	for (int i = 0; i < 3 && t[i]; i++)
		sb_addf(sb, t[i] > 0x20 && t[i] < 0x7F ? "%c" : "(0x%02X)", (unsigned char)t[i]);
	if (s >= 0) {
		char c = rec_sub_code(r, f, (size_t)s);
		sb_addf(sb, c > 0x20 && c < 0x7F ? " $%c" : " $(0x%02X)", (unsigned char)c);
	}
}

static const char *cs_label(int cs)
{
	switch (cs) {
	case CS_UTF8: return "UTF-8";
	case CS_MARC8: return "MARC-8";
	case CS_LATIN1: return "Latin-1";
	case CS_TCVN3: return "TCVN3";
	case CS_VNI: return "VNI";
	case CS_VISCII: return "VISCII";
	case CS_CP1258: return "CP1258";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* NFC */

/* Is u a "quick" character: a starter that never composes with what
 * comes before it and that NFC leaves alone (NFC_Quick_Check=Yes,
 * combining class 0, no backward composition)? Text can be cut before
 * such a character and each piece normalised alone; a value made only of
 * them is NFC already. For the BMP a bit table is built once from ICU
 * (unorm2_hasBoundaryBefore and a one-character unorm2_isNormalized);
 * without ICU, and above the BMP, only ranges known to be so count:
 * Latin to U+02FF, Cyrillic letters, Latin Extended Additional (all of
 * Vietnamese), CJK ideographs, Hangul syllables. Not quick only means
 * "ask utf8proc", never a wrong result. */
static int quick_cp_ranges(uint32_t u)
{
	return u < 0x0300 || (u >= 0x0400 && u < 0x0483) || (u >= 0x1E00 && u < 0x1F00) ||
	       (u >= 0x4E00 && u < 0xA000) || (u >= 0xAC00 && u < 0xD7A4);
}

static uint8_t quick_bits[0x10000 / 8];
static pthread_once_t quick_once = PTHREAD_ONCE_INIT;

static void quick_build(void)
{
	UErrorCode ec = U_ZERO_ERROR;
	const UNormalizer2 *n2 = unorm2_getNFCInstance(&ec);
	for (uint32_t u = 0; u < 0x10000; u++) {
		int q;
		if (u < 0x300)
			q = 1;
		else if (u >= 0xD800 && u < 0xE000)
			q = 0;
		else if (U_FAILURE(ec) || !n2)
			q = quick_cp_ranges(u);
		else {
			UChar c = (UChar)u;
			UErrorCode e2 = U_ZERO_ERROR;
			q = unorm2_hasBoundaryBefore(n2, (UChar32)u) &&
			    unorm2_isNormalized(n2, &c, 1, &e2) && U_SUCCESS(e2);
		}
		if (q)
			quick_bits[u >> 3] |= (uint8_t)(1u << (u & 7));
	}
}

static inline int quick_cp(uint32_t u)
{
	if (u < 0x300)
		return 1;
	if (u >= 0x10000)
		return quick_cp_ranges(u);
	return (quick_bits[u >> 3] >> (u & 7)) & 1;
}

/* Decode the code point at p (valid UTF-8); *k = its length. */
static uint32_t cp_at(const unsigned char *p, size_t *k)
{
	unsigned b = p[0];
	if (b < 0x80) {
		*k = 1;
		return b;
	}
	if (b < 0xE0) {
		*k = 2;
		return ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	}
	if (b < 0xF0) {
		*k = 3;
		return ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	}
	*k = 4;
	return ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

/* 1 if valid UTF-8 [s, s+n) is certainly NFC: every code point quick. */
static int nfc_quick(const char *s, size_t n)
{
	pthread_once(&quick_once, quick_build);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	while (i < n) {
		if (p[i] < 0xCC) {              /* ASCII, U+0080..U+02FF (or a trail byte) */
			i += p[i] < 0x80 ? 1 : 2;
			continue;
		}
		if (!quick_cp(cp_at(p + i, &k)))
			return 0;
		i += k;
	}
	return 1;
}

static void nfc_piece(const char *s, size_t n, strbuf *out)
{
	/* short pieces (a letter and its marks): no malloc */
	utf8proc_int32_t buf[64];
	const int opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
	utf8proc_ssize_t m = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
	                                        buf, 64, (utf8proc_option_t)opt);
	if (m >= 0 && m <= 64) {
		m = utf8proc_reencode(buf, m, (utf8proc_option_t)opt);
		if (m >= 0) {
			sb_add(out, buf, (size_t)m);
			return;
		}
	}
	utf8proc_uint8_t *d = NULL;
	utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &d,
	                                  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (k < 0)                      /* only for invalid input; keep it */
		sb_add(out, s, n);
	else
		sb_add(out, d, (size_t)k);
	free(d);
}

/* NFC is local: the text can be cut before every quick character and
 * each piece normalised alone. Only the pieces with something else in
 * them (a base letter and its marks, typically) go through utf8proc. */
void charset_nfc_append(const char *s, size_t n, strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	if (nfc_quick(s, n) || !utf8_valid(s, n, NULL)) {
		sb_add(out, s, n);
		return;
	}
	size_t i = 0, piece = 0, done = 0, k;
	int dirty = 0;
	while (i < n) {
		uint32_t u = cp_at(p + i, &k);
		if (quick_cp(u)) {
			if (dirty) {
				sb_add(out, s + done, piece - done);
				nfc_piece(s + piece, i - piece, out);
				done = i;
				dirty = 0;
			}
			piece = i;
		} else
			dirty = 1;
		i += k;
	}
	sb_add(out, s + done, (dirty ? piece : n) - done);
	if (dirty)
		nfc_piece(s + piece, n - piece, out);
}

char *utf8_nfc(const char *s, size_t n)
{
	if (!utf8_valid(s, n, NULL))
		return NULL;
	strbuf sb = STRBUF_INIT;
	charset_nfc_append(s, n, &sb);
	return sb_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* MARC-8 decoding */

/* G1 ANSEL bytes (0xA1-0xFE) that MARC-8 defines. */
static int ansel_defined(unsigned b)
{
	if (b >= 0xA1 && b <= 0xC8)
		return b != 0xAF && b != 0xBB && b != 0xBE && b != 0xBF;
	if (b >= 0xE0 && b <= 0xFE)
		return b != 0xFC && b != 0xFD;
	return b == 0x88 || b == 0x89 || b == 0x8D || b == 0x8E;
}

static const char *m8_set_name(int mode)
{
	switch (mode) {
	case 'g': case 'S': return _("Greek");
	case 'b': return _("subscript");
	case 'p': return _("superscript");
	case '2': return _("Hebrew");
	case 'N': case 'Q': return _("Cyrillic");
	case '3': case '4': return _("Arabic");
	case '1': return "CJK (EACC)";
	}
	return _("basic Latin/ANSEL");
}

/* Count UTF-8 code points. */
static size_t count_cp(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k++;
	return k;
}

/* Run yaz over [s, s+n) appending to raw. 0 ok, -1 with a reason. */
static int m8_yaz(yaz_iconv_t cd, const char *s, size_t n, size_t base, strbuf *raw, strbuf *why)
{
	char *in = (char *)s;
	size_t il = n;
	while (il > 0) {
		sb_grow(raw, 4 * il + 16);
		char *o = raw->buf + raw->len, *o0 = o;
		size_t ol = raw->cap - raw->len - 1;
		size_t r = yaz_iconv(cd, &in, &il, &o, &ol);
		raw->len += (size_t)(o - o0);
		raw->buf[raw->len] = 0;
		if (r != (size_t)-1)
			break;
		int e = yaz_iconv_error(cd);
		if (e == YAZ_ICONV_E2BIG)
			continue;
		size_t at = base + (size_t)(in - s) + 1;
		if (e == YAZ_ICONV_EINVAL)
			sb_addf(why, _("incomplete MARC-8 at byte %zu of the value (a combining mark or "
			        "escape sequence with no character after it)"), at);
		else
			sb_addf(why, _("invalid MARC-8 at byte %zu of the value"), at);
		return -1;
	}
	return 0;
}

size_t charset_marc8_escape(const unsigned char *p, size_t n, size_t i, int *g1)
{
	size_t j = i + 1;
	*g1 = 0;
	if (j < n && p[j] == '$')
		j++;
	if (j < n && (p[j] == '(' || p[j] == ','))
		j++;
	else if (j < n && (p[j] == ')' || p[j] == '-')) {
		j++;
		*g1 = 1;
	}
	if (j < n && p[j] == '!')
		j++;
	return j < n ? j : n;
}

static int is_mark(uint32_t u)
{
	utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)u);
	return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
	       cat == UTF8PROC_CATEGORY_ME;
}

/* Is s[i, n) the body "#xHHHH;" ('x' or 'X', 1-6 hex digits) of a
 * hexadecimal NCR naming a character a value may hold (not NUL, a control
 * character or a surrogate)? Its length, with *cp; 0 if not. */
static size_t ncr_body(const char *s, size_t n, size_t i, uint32_t *cp)
{
	if (i + 3 > n || s[i] != '#' || (s[i + 1] != 'x' && s[i + 1] != 'X'))
		return 0;
	uint32_t v = 0;
	size_t j = i + 2;
	for (; j < n && j - (i + 2) < 7; j++) {
		char c = s[j];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		        c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v * 16 + (uint32_t)d;
	}
	size_t digits = j - (i + 2);
	if (!digits || digits > 6 || j >= n || s[j] != ';')
		return 0;
	if (v < 0x20 || (v >= 0x7F && v < 0xA0) || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return j + 1 - i;
}

/* Is s[i, n) a hexadecimal NCR "&#xHHHH;" (ncr_body)? Its length or 0. */
static size_t ncr_at(const char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t len = i < n && s[i] == '&' ? ncr_body(s, n, i + 1, cp) : 0;
	return len ? len + 1 : 0;
}

/* ncr_at() for decoded text, where a combining mark written before a
 * reference (MARC-8 order) comes out of the decoder after its '&': the
 * reference's length with the marks (s[i + 1, *marks_end)), 0 if none. */
static size_t ncr_at_marks(const char *s, size_t n, size_t i, uint32_t *cp, size_t *marks_end)
{
	size_t j = i + 1;
	for (;;) {
		utf8proc_int32_t u = 0;
		utf8proc_ssize_t k = j < n ? utf8proc_iterate((const utf8proc_uint8_t *)s + j,
		                                              (utf8proc_ssize_t)(n - j), &u) : 0;
		if (k <= 0 || !is_mark((uint32_t)u))
			break;
		j += (size_t)k;
	}
	*marks_end = j;
	size_t len = s[i] == '&' ? ncr_body(s, n, j, cp) : 0;
	return len ? j + len - i : 0;
}

/* Does s[0, n) hold a well-formed hexadecimal NCR? */
static int has_ncr(const char *s, size_t n)
{
	uint32_t cp;
	for (const char *a = memchr(s, '&', n); a; a = memchr(a + 1, '&', n - (size_t)(a + 1 - s)))
		if (ncr_at(s, n, (size_t)(a - s), &cp))
			return 1;
	return 0;
}

static int rec_has_ncr(const rec *r)
{
	for (size_t f = 0; f < rec_nfields(r); f++) {
		int ctl = rec_is_control(r, f);
		size_t ns = ctl ? 1 : rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			size_t n;
			const char *v = ctl ? rec_data(r, f, &n) : rec_sub_value(r, f, s, &n);
			if (n && has_ncr(v, n))
				return 1;
		}
	}
	return 0;
}

/* MARC-8 records carry what MARC-8 lacks as hexadecimal NCRs (LC's
 * lossless convention; what --lossless writes): decoded UTF-8 raw[0, n)
 * with every well-formed one replaced by its character (and the marks
 * ncr_at_marks() saw put after it), appended to out. */
static void ncr_decode(const char *raw, size_t n, strbuf *out)
{
	size_t i = 0, run = 0;
	while (i < n) {
		const char *amp = memchr(raw + i, '&', n - i);
		if (!amp)
			break;
		i = (size_t)(amp - raw);
		uint32_t cp;
		size_t j, len = ncr_at_marks(raw, n, i, &cp, &j);
		if (!len) {
			i++;
			continue;
		}
		sb_add(out, raw + run, i - run);
		char u8[4];
		sb_add(out, u8, (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)u8));
		sb_add(out, raw + i + 1, j - (i + 1));       /* the marks */
		i += len;
		run = i;
	}
	sb_add(out, raw + run, n - run);
}

/* Decode one MARC-8 value with converter cd; appends NFC to out. With ncr,
 * hexadecimal NCRs are read as their characters (ncr_decode). */
static int m8_decode(yaz_iconv_t cd, const char *s, size_t n, strbuf *out, strbuf *raw,
                     strbuf *why, int ncr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t units = 0, ctl = 0;
	int g0 = 'B', g1 = 'E', other = 0;

	/* 1. check the escape sequences and bytes, count the characters */
	for (size_t i = 0; i < n;) {
		unsigned b = p[i];
		if (b == 0x1B) {
			int to_g1;
			size_t j = charset_marc8_escape(p, n, i, &to_g1);
			int *mode = to_g1 ? &g1 : &g0;
			if (j >= n) {
				sb_addf(why, _("incomplete MARC-8 escape sequence at byte %zu of the value"), i + 1);
				return -1;
			}
			if (!p[j] || !strchr("BsEgbp2NQ34S1", p[j])) {
				strbuf q = STRBUF_INIT;
				for (size_t k = i + 1; k <= j; k++)
					sb_addf(&q, p[k] > 0x20 && p[k] < 0x7F ? " %c" : " 0x%02X", p[k]);
				sb_addf(why, _("unknown MARC-8 escape sequence ESC%s at byte %zu of the value"),
				        q.buf, i + 1);
				sb_release(&q);
				return -1;
			}
			*mode = p[j];
			if (p[j] != 'B' && p[j] != 's' && p[j] != 'E')
				other = p[j];
			i = j + 1;
			continue;
		}
		if (b < 0x20 || b == 0x7F) {    /* kept as is; yaz would drop it */
			ctl++;
			i++;
			continue;
		}
		if (b == ' ') {
			units++;
			i++;
			continue;
		}
		int mode = b < 0x80 ? g0 : g1;
		if (mode == '1') {
			if (i + 3 > n || p[i + 1] < 0x20 || p[i + 2] < 0x20) {
				sb_addf(why, _("truncated CJK (EACC) character at byte %zu of the value"), i + 1);
				return -1;
			}
			units++;
			i += 3;
			continue;
		}
		if (mode == 'E' && b >= 0x80) {
			if (!ansel_defined(b)) {
				sb_addf(why, _("byte 0x%02X at byte %zu of the value is not a MARC-8 character"),
				        b, i + 1);
				return -1;
			}
			if (b != 0xEC && b != 0xFB)     /* second halves of double marks */
				units++;
			i++;
			continue;
		}
		if ((mode == 'B' || mode == 's') && b >= 0x80) {
			sb_addf(why, _("byte 0x%02X at byte %zu of the value is not a MARC-8 character"),
			        b, i + 1);
			return -1;
		}
		units++;
		i++;
	}

	/* 2. convert, passing control characters through */
	sb_reset(raw);
	yaz_iconv(cd, NULL, NULL, NULL, NULL);          /* back to ASCII + ANSEL */
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !(p[i] < 0x20 && p[i] != 0x1B) && p[i] != 0x7F)
			continue;
		if (i > start && m8_yaz(cd, s + start, i - start, start, raw, why) < 0)
			return -1;
		if (i < n)
			sb_addc(raw, s[i]);
		start = i + 1;
	}
	/* 3. did every character come out? */
	size_t got = count_cp(raw->buf ? raw->buf : "", raw->len);
	if (got < units + ctl) {
		size_t lost = units + ctl - got;
		sb_addf(why, ngettext("%zu character of the value is not defined in the MARC-8 %s set",
		                      "%zu characters of the value are not defined in the MARC-8 %s set",
		                      lost), lost, m8_set_name(other));
		return -1;
	}
	if (!utf8_valid(raw->buf ? raw->buf : "", raw->len, NULL)) {
		sb_adds(why, _("MARC-8 decoding gave invalid UTF-8"));
		return -1;
	}
	if (ncr && raw->len && memchr(raw->buf, '&', raw->len)) {
		strbuf d = STRBUF_INIT;
		ncr_decode(raw->buf, raw->len, &d);
		charset_nfc_append(d.buf ? d.buf : "", d.len, out);
		sb_release(&d);
		return 0;
	}
	charset_nfc_append(raw->buf ? raw->buf : "", raw->len, out);
	return 0;
}

int charset_marc8_to_utf8(const char *s, size_t n, strbuf *out, strbuf *why)
{
	yaz_iconv_t cd = handle_get(H_DEC);
	strbuf raw = STRBUF_INIT;
	int rc = m8_decode(cd, s, n, out, &raw, why, 0);
	sb_release(&raw);
	handle_put(H_DEC, cd);
	return rc;
}

int charset_marc8_suspicious(const char *s, size_t n)
{
	int prev_ok = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0)
			return 1;
		i += (size_t)k;
		utf8proc_category_t cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_MN) {
			if (!prev_ok)
				return 1;
			continue;
		}
		prev_ok = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the firewall */

struct pending {
	size_t f;
	long s;
	size_t off, len;        /* in ctx.vals */
};

struct ctx {
	yaz_iconv_t dec, enc;
	strbuf vals;            /* converted values, back to back */
	strbuf raw, tmp, why;
	struct pending *pend;
	size_t npend, cappend;
};

static void ctx_release(struct ctx *c)
{
	handle_put(H_DEC, c->dec);
	handle_put(H_ENC, c->enc);
	sb_release(&c->vals);
	sb_release(&c->raw);
	sb_release(&c->tmp);
	sb_release(&c->why);
	free(c->pend);
}

static void pend_add(struct ctx *c, size_t f, long s, size_t off)
{
	if (c->npend == c->cappend) {
		c->cappend = c->cappend ? 2 * c->cappend : 16;
		c->pend = xrealloc(c->pend, c->cappend * sizeof *c->pend);
	}
	c->pend[c->npend].f = f;
	c->pend[c->npend].s = s;
	c->pend[c->npend].off = off;
	c->pend[c->npend].len = c->vals.len - off;
	c->npend++;
}

/* Warn about control characters in a converted UTF-8 value. quiet: not
 * about C0 controls and DEL in a subfield (CHARSET_QUIET_CTRL). */
static void warn_controls(const rec *r, size_t f, long s, const char *v, size_t n, strbuf *warn,
                          int quiet)
{
	const unsigned char *p = (const unsigned char *)v;
	for (size_t i = 0; i < n; i++) {
		unsigned u = 0;
		if (p[i] < 0x20 || p[i] == 0x7F)
			u = p[i];
		else if (p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xA0)
			u = p[i + 1];
		if (!u && !(p[i] < 0x20))
			continue;
		if (u == 0x98 || u == 0x9C)     /* MARC's non-sort markers NSB/NSE */
			continue;
		if (quiet && s >= 0 && (u < 0x20 || u == 0x7F))
			continue;
		if (!warn)
			return;
		add_line(warn, NULL);
		name_of(warn, r, f, s);
		sb_addf(warn, _(": control character U+%04X at byte %zu of the value (kept)"), u, i + 1);
		return;
	}
}

/* Convert value v of (f, s) from `cs`; the result is appended to c->vals.
 * 0 ok, -1 with the reason (without the name) in c->why. */
static int convert_value(struct ctx *c, int cs, const char *v, size_t n, int ncr)
{
	size_t bad;
	switch (cs) {
	case CS_UTF8:
		if (!utf8_valid(v, n, &bad)) {
			sb_addf(&c->why, _("invalid UTF-8 at byte %zu of the value"), bad + 1);
			return -1;
		}
		charset_nfc_append(v, n, &c->vals);
		return 0;
	case CS_MARC8:
		if (!c->dec)
			c->dec = handle_get(H_DEC);
		return m8_decode(c->dec, v, n, &c->vals, &c->raw, &c->why, ncr);
	default:
		sb_reset(&c->tmp);
		int k = charset_legacy_to_utf8(cs, v, n, &c->tmp, &bad);
		if (k < 0) {
			unsigned b = (unsigned char)v[bad];
			if (k == -2)
				sb_addf(&c->why, _("byte 0x%02X at byte %zu of the value is a %s mark with no "
				        "letter before it"), b, bad + 1, cs_label(cs));
			else
				sb_addf(&c->why, _("byte 0x%02X at byte %zu of the value is not defined in %s"),
				        b, bad + 1, cs_label(cs));
			return -1;
		}
		charset_nfc_append(c->tmp.buf ? c->tmp.buf : "", c->tmp.len, &c->vals);
		return 0;
	}
}

/* What one pass over a value found (scan_value). */
enum {
	V_CTRL = 1,             /* a C0 or C1 control character or DEL */
	V_ESC = 2,              /* ESC (0x1B) */
	V_HIGH = 4,             /* a byte >= 0x80 */
	V_BAD = 8,              /* not valid UTF-8 */
	V_SLOW = 16,            /* valid UTF-8 that NFC may change (a character
	                           that is not quick_cp) */
};

/* One pass over a value: printable ASCII 8 bytes at a time, UTF-8
 * validated and NFC quick-checked as it goes. *bad = offset of the first
 * invalid UTF-8 byte when V_BAD is set. */
__attribute__((noinline)) static unsigned scan_value(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	unsigned fl = 0;
	size_t i = 0;
	while (i < n) {
#ifdef __SSE2__
		while (i + 16 <= n) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i b = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
			b = _mm_or_si128(b, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
			if (_mm_movemask_epi8(_mm_or_si128(b, x)))
				break;
			i += 16;
		}
#endif
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (((w - ones * 0x20) & ~w & highs) | (((w + ones * (127 - 0x7E)) | w) & highs))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = p[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7F)
				fl |= c == 0x1B ? V_CTRL | V_ESC : V_CTRL;
			i++;
			continue;
		}
		fl |= V_HIGH;
		if (fl & V_BAD) {       /* past an invalid byte: only ESC matters */
			i++;
			continue;
		}
		size_t k;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3; min = 0x10000;
		} else
			goto invalid;
		cp = c & (0x3Fu >> k);
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xC0) != 0x80)
				goto invalid;
			cp = (cp << 6) | (p[i + j] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto invalid;
		if (cp < 0xA0)
			fl |= V_CTRL;
		else if (!quick_cp(cp))
			fl |= V_SLOW;
		i += k + 1;
		continue;
invalid:
		fl |= V_BAD;
		if (bad)
			*bad = i;
		i++;
	}
	return fl;
}

/* Scan the record: any non-ASCII or ESC byte? all valid UTF-8? Sets the
 * first invalid value and offset, and the scan_value() flags of every
 * value in record order (a small array on the stack for most records). */
struct survey {
	int nonascii, esc, utf8;
	unsigned all;           /* the flags of every value or'ed */
	size_t bad_f, bad_off;
	long bad_s;
	unsigned char *fl, small[512];
	size_t nfl, capfl;
};

static void survey_release(struct survey *sv)
{
	if (sv->fl != sv->small)
		free(sv->fl);
}

static void survey_record(const rec *r, struct survey *sv)
{
	sv->nonascii = sv->esc = 0;
	sv->all = 0;
	sv->utf8 = 1;
	sv->bad_f = sv->bad_off = 0;
	sv->bad_s = 0;
	sv->fl = sv->small;
	sv->nfl = 0;
	sv->capfl = sizeof sv->small;
	pthread_once(&quick_once, quick_build);
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		int ctl = rec_is_control(r, f);
		size_t ns = ctl ? 1 : rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			size_t n, bad = 0;
			const char *v = ctl ? rec_data(r, f, &n) : rec_sub_value(r, f, s, &n);
			unsigned fl = scan_value(v, n, &bad);
			if (sv->nfl == sv->capfl) {
				size_t cap = sv->capfl * 2;
				if (sv->fl == sv->small) {
					sv->fl = xmalloc(cap);
					memcpy(sv->fl, sv->small, sv->nfl);
				} else
					sv->fl = xrealloc(sv->fl, cap);
				sv->capfl = cap;
			}
			sv->fl[sv->nfl++] = (unsigned char)fl;
			sv->all |= fl;
			if (fl & V_ESC)
				sv->esc = 1;
			if (fl & V_HIGH)
				sv->nonascii = 1;
			if ((fl & V_BAD) && sv->utf8) {
				sv->utf8 = 0;
				sv->bad_f = f;
				sv->bad_s = ctl ? -1 : (long)s;
				sv->bad_off = bad;
			}
		}
	}
}

/* Ask the detector whether a record that is not good UTF-8/MARC-8 is in
 * a legacy Vietnamese encoding; if it is sure enough, append a hint
 * "; the bytes look like TCVN3 (97% sure): use --from-charset tcvn3
 * (or auto-vi)" (a target's charset= with CHARSET_TARGET in flags) and
 * return the encoding, else 0. With m8 (a record that leader/09 says is
 * UTF-8), MARC-8 is hinted at too. */
static int legacy_hint(const rec *r, strbuf *err, int flags, int m8)
{
	int conf;
	int cs = charset_detect_legacy(r, &conf, NULL);
	if ((cs == CS_TCVN3 || cs == CS_VNI || cs == CS_VISCII || cs == CS_CP1258) &&
	    conf >= CHARSET_DETECT_MIN) {
		if (err && (flags & CHARSET_TARGET))
			sb_addf(err, _("; the bytes look like %s (%d%% sure): give the target "
			        "charset=%s in the targets file"), cs_label(cs), conf, charset_name(cs));
		else if (err)
			sb_addf(err, _("; the bytes look like %s (%d%% sure): use --from-charset %s "
			        "(or auto-vi)"), cs_label(cs), conf, charset_name(cs));
		return cs;
	}
	if (m8 && cs == CS_MARC8 && conf >= CHARSET_DETECT_MIN) {
		if (err && (flags & CHARSET_TARGET))
			sb_addf(err, _("; the bytes read as MARC-8 (%d%% sure), although leader/09 "
			        "says UTF-8: give the target charset=marc8 in the targets file"), conf);
		else if (err)
			sb_addf(err, _("; the bytes read as MARC-8 (%d%% sure), although leader/09 "
			        "says UTF-8: use --from-charset marc8"), conf);
		return cs;
	}
	return 0;
}

/* " (use --from-charset to name the real encoding)", or for a target its
 * charset= in the targets file */
static const char *real_encoding_hint(int flags)
{
	return (flags & CHARSET_TARGET) ?
	       _(" (give the target charset= in the targets file, e.g. charset=marc8, "
	         "to name the real encoding)") :
	       _(" (use --from-charset to name the real encoding)");
}

static int is_legacy(int cs)
{
	return cs == CS_TCVN3 || cs == CS_VNI || cs == CS_VISCII || cs == CS_CP1258;
}

/* Pick the decoding for the record. Returns a CS_* value, or -1 (err set). */
static int choose_charset(const rec *r, int cs, int flags, const struct survey *sv,
                          strbuf *warn, strbuf *err, strbuf *detail)
{
	int unicode = flags & CHARSET_UNICODE;
	char l9 = rec_leader(r)[9];
	if (unicode)
		return CS_UTF8;
	if (cs != CS_AUTO && cs != CS_AUTO_VI) {
		if (cs == CS_UTF8 || cs == CS_MARC8 || cs == CS_LATIN1 || is_legacy(cs))
			return cs;
		if (err)
			sb_addf(err, _("unknown source charset %d"), cs);
		return -1;
	}
	if (!sv->nonascii && !sv->esc)
		return CS_UTF8;                 /* plain ASCII: nothing to decode */
	if (!sv->nonascii && l9 == 'a')
		return CS_UTF8;                 /* ASCII with ESC: UTF-8 says so */
	if (sv->nonascii && sv->utf8) {
		if (l9 != 'a' && warn) {
			add_line(warn, NULL);
			if (l9 == ' ')
				sb_adds(warn, _("leader/09 is blank but the data is UTF-8; read as UTF-8"));
			else
				sb_addf(warn, _("leader/09 is '%c' but the data is UTF-8; read as UTF-8"), l9);
		}
		return CS_UTF8;
	}
	if (cs == CS_AUTO_VI) {
		int conf;
		strbuf why = STRBUF_INIT;
		int det = charset_detect_legacy(r, &conf, &why);
		if (is_legacy(det) && conf >= CHARSET_DETECT_MIN) {
			if (warn) {
				add_line(warn, NULL);
				sb_addf(warn, _("auto-vi: read as %s (%d%% sure: %s)"), cs_label(det), conf, why.buf);
			}
			sb_release(&why);
			return det;
		}
		if (l9 == 'a' && sv->nonascii) {
			if (err) {
				name_of(err, r, sv->bad_f, sv->bad_s);
				sb_addf(err, _(": invalid UTF-8 at byte %zu of the value; auto-vi cannot tell "
				        "the encoding: %s"), sv->bad_off + 1, why.buf ? why.buf : "");
			}
			sb_release(&why);
			return -1;
		}
		sb_add(detail, why.buf ? why.buf : "", why.len);
		sb_release(&why);
		return CS_MARC8;
	}
	/* CS_AUTO */
	if (l9 == 'a' && sv->nonascii) {
		if (err) {
			name_of(err, r, sv->bad_f, sv->bad_s);
			sb_addf(err, _(": invalid UTF-8 at byte %zu of the value"), sv->bad_off + 1);
			sb_adds(err, real_encoding_hint(flags));
			legacy_hint(r, err, flags, 1);
		}
		return -1;
	}
	if (l9 != ' ' && l9 != 'a' && warn) {
		add_line(warn, NULL);
		sb_addf(warn, _("leader/09 is '%c' (neither 'a' nor blank) and the data is not UTF-8; "
		        "read as MARC-8"), l9);
	}
	return CS_MARC8;
}

int charset_fix_record(rec *r, int cs, int flags, strbuf *warn, strbuf *err)
{
	return charset_fix_record_as(r, cs, flags, warn, err, NULL);
}

int charset_fix_record_as(rec *r, int cs, int flags, strbuf *warn, strbuf *err, int *used)
{
	int unicode = flags & CHARSET_UNICODE;
	struct ctx c;
	struct survey sv;
	int rc = 0;

	/* the leader stays ASCII: a byte above 0x7F there cannot be UTF-8 */
	const char *ldr = rec_leader(r);
	for (int i = 0; i < REC_LEADER_LEN; i++)
		if ((unsigned char)ldr[i] >= 0x80 && i != 9) {
			if (err)
				sb_addf(err, _("leader/%02d is the byte 0x%02X, not ASCII"), i, (unsigned char)ldr[i]);
			return -1;
		}

	strbuf detail = STRBUF_INIT;       /* auto-vi: why no legacy encoding */
	survey_record(r, &sv);
	int use = choose_charset(r, cs, flags, &sv, warn, err, &detail);
	if (use < 0) {
		sb_release(&detail);
		survey_release(&sv);
		return -1;
	}
	/* NCRs in MARC-8 (ISO 2709) records are read as their characters; a
	 * record of plain ASCII that leader/09 declares MARC-8 has them too */
	int m8ncr = 0;
	if ((flags & CHARSET_NCR) && !unicode) {
		int ascii_m8 = use == CS_UTF8 && !sv.nonascii && !sv.esc &&
		               rec_leader(r)[9] == ' ' && (cs == CS_AUTO || cs == CS_AUTO_VI);
		if ((use == CS_MARC8 || ascii_m8) && rec_has_ncr(r)) {
			use = CS_MARC8;
			m8ncr = 1;
		}
	}
	size_t vi = 0;                      /* index of the value, for sv.fl */
	int guessed_m8 = use == CS_MARC8 && (cs == CS_AUTO || cs == CS_AUTO_VI);

	/* convert every value that needs it; apply only if all succeed */
	memset(&c, 0, sizeof c);
	strbuf susp = STRBUF_INIT;          /* values with marks on nothing */
	/* nothing to do for any value (the tests at the top of the loop) */
	int idle = !(sv.all & (V_CTRL | V_HIGH)) ||
	           (use == CS_UTF8 && !(sv.all & (V_CTRL | V_BAD | V_SLOW)));
	if (m8ncr)                          /* in ASCII-only values too */
		idle = 0;
	for (size_t f = 0; !idle && f < rec_nfields(r) && rc == 0; f++) {
		int ctl = rec_is_control(r, f);
		size_t ns = ctl ? 1 : rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			size_t n;
			long si = ctl ? -1 : (long)s;
			const char *v = ctl ? rec_data(r, f, &n) : rec_sub_value(r, f, s, &n);
			unsigned fl = sv.fl[vi++];
			if (!(fl & (V_CTRL | V_HIGH)) && !(m8ncr && has_ncr(v, n)))
				continue;               /* printable ASCII: nothing to do */
			if (use == CS_UTF8 && !(fl & (V_BAD | V_SLOW))) {
				/* valid UTF-8 and NFC already: unchanged */
				if (fl & V_CTRL)
					warn_controls(r, f, si, v, n, warn, flags & CHARSET_QUIET_CTRL);
				continue;
			}
			size_t off = c.vals.len;
			sb_reset(&c.why);
			if (convert_value(&c, use, v, n, m8ncr) < 0) {
				if (err) {
					name_of(err, r, f, si);
					sb_adds(err, ": ");
					sb_add(err, c.why.buf, c.why.len);
					if (guessed_m8 && cs == CS_AUTO_VI)
						sb_addf(err, _("; auto-vi cannot tell the encoding: %s"), detail.buf);
					else if (guessed_m8 && memchr(v, 0x1B, n))
						;   /* escape sequences: MARC-8 all right, but damaged */
					else if (guessed_m8) {
						if (rec_leader(r)[9] != ' ')
							sb_adds(err, real_encoding_hint(flags));
						else if (flags & CHARSET_TARGET)
							sb_adds(err, _(" (leader/09 is blank, so MARC-8 was expected; "
							        "give the target charset= in the targets file to "
							        "name the real encoding)"));
						else
							sb_adds(err, _(" (leader/09 is blank, so MARC-8 was expected; use "
							        "--from-charset to name the real encoding)"));
						legacy_hint(r, err, flags, 0);
					} else if (use == CS_UTF8 && !unicode)
						sb_adds(err, real_encoding_hint(flags));
				}
				rc = -1;
				break;
			}
			if (use == CS_MARC8 &&
			    charset_marc8_suspicious(c.vals.buf + off, c.vals.len - off)) {
				if (susp.len)
					sb_adds(&susp, ", ");
				name_of(&susp, r, f, si);
			}
			warn_controls(r, f, si, c.vals.buf + off, c.vals.len - off, warn,
			              flags & CHARSET_QUIET_CTRL);
			if (c.vals.len - off == n && !memcmp(c.vals.buf + off, v, n)) {
				c.vals.len = off;       /* unchanged */
				continue;
			}
			pend_add(&c, f, si, off);
		}
	}
	/* MARC-8 that decodes but leaves marks on nothing: legacy bytes? */
	if (rc == 0 && susp.len) {
		strbuf hint = STRBUF_INIT;
		if (guessed_m8 && legacy_hint(r, &hint, flags, 0)) {
			if (err)
				sb_addf(err, _("%s: the data decodes as MARC-8 only with combining marks on "
				        "spaces or punctuation%s"), susp.buf, hint.buf);
			rc = -1;
		} else if (warn) {
			add_line(warn, NULL);
			if (flags & CHARSET_TARGET)
				sb_addf(warn, _("%s: a MARC-8 combining mark stands on a space or "
				        "punctuation (kept; if the target sends Latin-1, give it "
				        "charset=latin1 in the targets file)"), susp.buf);
			else
				sb_addf(warn, _("%s: a MARC-8 combining mark stands on a space or punctuation "
				        "(kept; if the file is Latin-1, name it with --from-charset latin1)"),
				        susp.buf);
		}
		sb_release(&hint);
	}
	sb_release(&susp);
	sb_release(&detail);
	survey_release(&sv);
	if (rc == 0) {
		for (size_t i = 0; i < c.npend; i++) {
			struct pending *pd = &c.pend[i];
			if (pd->s < 0)
				rec_set_data(r, pd->f, c.vals.buf + pd->off, pd->len);
			else
				rec_set_sub(r, pd->f, (size_t)pd->s, rec_sub_code(r, pd->f, (size_t)pd->s),
				            c.vals.buf + pd->off, pd->len);
		}
		rec_set_leader_at(r, 9, 'a');
		if (used)
			*used = use;
	}
	ctx_release(&c);
	return rc;
}

/* ------------------------------------------------------------------ */
/* to MARC-8 */

/* Letters MARC-8 holds whole although Unicode decomposes them (from LC's
 * MARC-8 code tables): Cyrillic й ё ѓ ї ќ ў and capitals, Arabic alef
 * with madda/hamza, waw and yeh with hamza, heh with yeh above, yeh barree
 * with hamza, and the EACC kana with (han)dakuten; Hangul syllables are
 * checked by range. Decomposed, yaz has no code for their marks (the kana
 * voicing mark, the Arabic hamza, the Hangul jamo). */
static const uint16_t m8_whole[] = {
	0x0401, 0x0403, 0x0407, 0x040C, 0x040E, 0x0419, 0x0439, 0x0451, 0x0453, 0x0457,
	0x045C, 0x045E, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x06C0, 0x06D3,
	0x304C, 0x304E, 0x3050, 0x3052, 0x3054, 0x3056, 0x3058, 0x305A, 0x305C, 0x305E,
	0x3060, 0x3062, 0x3065, 0x3067, 0x3069, 0x3070, 0x3071, 0x3073, 0x3074, 0x3076,
	0x3077, 0x3079, 0x307A, 0x307C, 0x307D, 0x30AC, 0x30AE, 0x30B0, 0x30B2, 0x30B4,
	0x30B6, 0x30B8, 0x30BA, 0x30BC, 0x30BE, 0x30C0, 0x30C2, 0x30C5, 0x30C7, 0x30C9,
	0x30D0, 0x30D1, 0x30D3, 0x30D4, 0x30D6, 0x30D7, 0x30D9, 0x30DA, 0x30DC, 0x30DD,
	0x30F4,
};

static int m8_keep_whole(int32_t u)
{
	if (u >= 0xAC00 && u <= 0xD7A3)
		return 1;
	size_t lo = 0, hi = sizeof m8_whole / sizeof m8_whole[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m8_whole[mid] == u)
			return 1;
		if (m8_whole[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* NFD, but o/u/O/U + combining horn stay the letters ơ ư Ơ Ư (MARC-8 has
 * them only as letters, yaz drops a lone horn). */
static void nfd_horn(const char *s, size_t n, strbuf *out)
{
	utf8proc_uint8_t *d = NULL;
	if (!n)
		return;
	utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &d,
	                                  UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
	if (k < 0) {
		sb_add(out, s, n);
		return;
	}
	for (utf8proc_ssize_t i = 0; i < k;) {
		char ch = (char)d[i];
		if (i + 2 < k && ch && strchr("oOuU", ch) && d[i + 1] == 0xCC && d[i + 2] == 0x9B) {
			sb_adds(out, ch == 'o' ? "\xC6\xA1" : ch == 'O' ? "\xC6\xA0" :
			             ch == 'u' ? "\xC6\xB0" : "\xC6\xAF");
			i += 3;
		} else
			sb_addc(out, (char)d[i++]);
	}
	free(d);
}

/* The text yaz is given for MARC-8: NFD as above, except the letters
 * MARC-8 has whole (m8_keep_whole), which stay composed. They are all
 * starters, so decomposing the text between them alone orders the marks
 * as NFD of the whole would. */
static void for_marc8(const char *s, size_t n, strbuf *out)
{
	size_t seg = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t u = -1;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &u);
		if (k <= 0)
			break;          /* not UTF-8: nfd_horn keeps the rest as it is */
		if (u >= 0x0400 && m8_keep_whole(u)) {
			nfd_horn(s + seg, i - seg, out);
			sb_add(out, s + i, (size_t)k);
			seg = i + (size_t)k;
		}
		i += (size_t)k;
	}
	nfd_horn(s + seg, n - seg, out);
}

/* UTF-8 -> MARC-8 bytes with yaz (no checking). */
static void m8_encode(yaz_iconv_t cd, const char *s, size_t n, strbuf *out)
{
	strbuf pre = STRBUF_INIT;
	for_marc8(s, n, &pre);
	char *in = pre.buf ? pre.buf : (char *)"";
	size_t il = pre.len;
	yaz_iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		sb_grow(out, 2 * il + 32);
		char *o = out->buf + out->len, *o0 = o;
		size_t ol = out->cap - out->len - 1;
		size_t r = il ? yaz_iconv(cd, &in, &il, &o, &ol) : 0;
		out->len += (size_t)(o - o0);
		if (r == (size_t)-1 && yaz_iconv_error(cd) == YAZ_ICONV_E2BIG)
			continue;
		if (r == (size_t)-1) {          /* skip what yaz cannot read */
			if (il) {
				in++;
				il--;
				continue;
			}
		}
		break;
	}
	/* back to the default sets */
	sb_grow(out, 16);
	char *o = out->buf + out->len, *o0 = o;
	size_t ol = out->cap - out->len - 1;
	yaz_iconv(cd, NULL, NULL, &o, &ol);
	out->len += (size_t)(o - o0);
	out->buf[out->len] = 0;
	sb_release(&pre);
}

/* Can code point u be written in MARC-8 (alone, or on 'a' if a mark)? */
static int m8_can(struct ctx *c, uint32_t u)
{
	char buf[8];
	size_t n = 0;
	if (u == 0x1B)
		return 0;
	if (u < 0x20 || u == 0x7F)
		return 1;
	if (is_mark(u))
		buf[n++] = 'a';
	n += (size_t)utf8proc_encode_char((utf8proc_int32_t)u, (utf8proc_uint8_t *)buf + n);
	strbuf m8 = STRBUF_INIT, back = STRBUF_INIT, want = STRBUF_INIT, why = STRBUF_INIT;
	m8_encode(c->enc, buf, n, &m8);
	int ok = m8_decode(c->dec, m8.buf ? m8.buf : "", m8.len, &back, &c->raw, &why, 0) == 0;
	charset_nfc_append(buf, n, &want);
	ok = ok && back.len == want.len && !memcmp(back.buf, want.buf, want.len);
	sb_release(&m8);
	sb_release(&back);
	sb_release(&want);
	sb_release(&why);
	return ok;
}

/* Convert value (NFC UTF-8) to MARC-8 into out. 0 ok; -1 and *bad_cp.
 * lossless 1: an NCR for a character MARC-8 lacks; 2: also "&#x0026;" for
 * a '&' of the data that starts what a reader would take for an NCR (the
 * ISO 2709 reader decodes them; the .mrk writer has its own {amp}). */
static int value_to_marc8(struct ctx *c, const char *v, size_t n, int lossless, strbuf *out,
                          uint32_t *bad_cp)
{
	int ncr = lossless == 2;
	strbuf back = STRBUF_INIT, why = STRBUF_INIT;
	size_t start = out->len;
	int ok = 0;
	if (!memchr(v, 0x1B, n)) {
		m8_encode(c->enc, v, n, out);
		if (m8_decode(c->dec, out->buf + start, out->len - start, &back, &c->raw, &why, ncr) == 0 &&
		    back.len == n && !memcmp(back.buf, v, n))
			ok = 1;
	}
	sb_release(&back);
	sb_release(&why);
	if (ok)
		return 0;
	/* slow path: character by character */
	out->len = start;
	strbuf run = STRBUF_INIT, expect = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i <= n;) {
		utf8proc_int32_t u = -1;
		utf8proc_ssize_t k = 0;
		if (i < n) {
			k = utf8proc_iterate((const utf8proc_uint8_t *)v + i, (utf8proc_ssize_t)(n - i), &u);
			if (k <= 0) {
				rc = -1;
				*bad_cp = 0xFFFD;
				break;
			}
		}
		uint32_t lit;
		size_t me;
		int amp = ncr && u == '&' && ncr_at_marks(v, n, i, &lit, &me);
		/* DEL: kept as it is, as the reader keeps it (yaz drops it) */
		int del = u == 0x7F;
		if (u >= 0 && !amp && !del && m8_can(c, (uint32_t)u)) {
			sb_add(&run, v + i, (size_t)k);
			i += (size_t)k;
			continue;
		}
		if (run.len) {
			m8_encode(c->enc, run.buf, run.len, out);
			sb_add(&expect, run.buf, run.len);
			sb_reset(&run);
		}
		if (u < 0)
			break;
		if (del) {
			sb_addc(out, 0x7F);
			sb_addc(&expect, 0x7F);
			i++;
			continue;
		}
		if (amp) {
			sb_adds(out, "&#x0026;");
			sb_addc(&expect, '&');
			i++;
			continue;
		}
		if (!lossless) {
			*bad_cp = (uint32_t)u;
			rc = -1;
			break;
		}
		char ref[16];
		int m = snprintf(ref, sizeof ref, "&#x%04X;", (unsigned)u);
		size_t j = i + (size_t)k;
		if (ncr) {
			/* combining marks on the character: MARC-8 writes marks
			 * before their base, so they go before the reference (the
			 * reader puts them back after its character) */
			strbuf marks = STRBUF_INIT, enc = STRBUF_INIT;
			sb_addc(&marks, 'a');
			while (j < n) {
				utf8proc_int32_t mu = 0;
				utf8proc_ssize_t mk = utf8proc_iterate((const utf8proc_uint8_t *)v + j,
				                                       (utf8proc_ssize_t)(n - j), &mu);
				if (mk <= 0 || !is_mark((uint32_t)mu) || !m8_can(c, (uint32_t)mu))
					break;
				sb_add(&marks, v + j, (size_t)mk);
				j += (size_t)mk;
			}
			if (marks.len > 1) {
				m8_encode(c->enc, marks.buf, marks.len, &enc);
				if (enc.len && enc.buf[enc.len - 1] == 'a')
					sb_add(out, enc.buf, enc.len - 1);
				else
					j = i + (size_t)k;       /* the verification below tells */
			}
			sb_release(&marks);
			sb_release(&enc);
		}
		sb_add(out, ref, (size_t)m);
		if (ncr)                   /* read back as the character (and its marks) */
			sb_add(&expect, v + i, j - i);
		else
			sb_add(&expect, ref, (size_t)m);
		/* .mrk (no NCRs in the MARC-8 itself): the combining marks on
		 * such a character are references too. As MARC-8 they would go
		 * before their base, which is here the '&' of the reference;
		 * the .mrk writer leaves references right after one for the
		 * reader (mrk.c amp_escape) */
		while (!ncr && j < n) {
			utf8proc_int32_t mu = 0;
			utf8proc_ssize_t mk = utf8proc_iterate((const utf8proc_uint8_t *)v + j,
			                                       (utf8proc_ssize_t)(n - j), &mu);
			if (mk <= 0 || !is_mark((uint32_t)mu))
				break;
			m = snprintf(ref, sizeof ref, "&#x%04X;", (unsigned)mu);
			sb_add(out, ref, (size_t)m);
			sb_add(&expect, ref, (size_t)m);
			j += (size_t)mk;
		}
		i = j;
	}
	if (rc == 0) {
		/* the whole value must decode back to what we meant to write */
		strbuf b2 = STRBUF_INIT, w2 = STRBUF_INIT, y2 = STRBUF_INIT;
		charset_nfc_append(expect.buf ? expect.buf : "", expect.len, &w2);
		if (m8_decode(c->dec, out->buf + start, out->len - start, &b2, &c->raw, &y2, ncr) < 0 ||
		    b2.len != w2.len || memcmp(b2.buf, w2.buf, w2.len)) {
			rc = -1;
			*bad_cp = 0;
		}
		sb_release(&b2);
		sb_release(&w2);
		sb_release(&y2);
	}
	sb_release(&run);
	sb_release(&expect);
	return rc;
}

/* The ligature and double tilde halves U+FE20 ... U+FE21 and U+FE22 ...
 * U+FE23 are MARC-8's EB ... EC and FA ... FB in LC's tables, which read
 * back as one U+0361 / U+0360 on the first letter: give the value in that
 * form (a second half with no first half is left, and refused). The
 * result is NFC again (U+0361 orders after other marks). 0: unchanged. */
static int lig_halves(const char *v, size_t n, strbuf *out)
{
	int any = 0;
	for (const char *p = v; !any && (p = memchr(p, 0xEF, n - (size_t)(p - v))) != NULL; p++)
		any = p + 3 <= v + n && (unsigned char)p[1] == 0xB8 &&
		      ((unsigned char)p[2] == 0xA0 || (unsigned char)p[2] == 0xA2);
	if (!any)
		return 0;
	strbuf t = STRBUF_INIT;
	int open20 = 0, open22 = 0;
	for (size_t i = 0; i < n;) {
		if (i + 3 <= n && (unsigned char)v[i] == 0xEF && (unsigned char)v[i + 1] == 0xB8) {
			unsigned char b = (unsigned char)v[i + 2];
			if (b == 0xA0 || b == 0xA2) {
				sb_adds(&t, b == 0xA0 ? "\xCD\xA1" : "\xCD\xA0");
				if (b == 0xA0)
					open20 = 1;
				else
					open22 = 1;
				i += 3;
				continue;
			}
			if ((b == 0xA1 && open20) || (b == 0xA3 && open22)) {
				if (b == 0xA1)
					open20 = 0;
				else
					open22 = 0;
				i += 3;
				continue;
			}
		}
		sb_addc(&t, v[i++]);
	}
	sb_reset(out);
	charset_nfc_append(t.buf ? t.buf : "", t.len, out);
	sb_release(&t);
	return 1;
}

int charset_to_marc8(rec *r, int lossless, strbuf *err)
{
	struct ctx c;
	strbuf lig = STRBUF_INIT;
	int rc = 0;
	memset(&c, 0, sizeof c);
	for (size_t f = 0; f < rec_nfields(r) && rc == 0; f++) {
		int ctl = rec_is_control(r, f);
		size_t ns = ctl ? 1 : rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			size_t n, bad;
			long si = ctl ? -1 : (long)s;
			const char *v = ctl ? rec_data(r, f, &n) : rec_sub_value(r, f, s, &n);
			if (is_ascii(v, n) && !memchr(v, 0x1B, n) && !(lossless == 2 && has_ncr(v, n)))
				continue;
			if (!utf8_valid(v, n, &bad)) {
				if (err) {
					name_of(err, r, f, si);
					sb_addf(err, _(": invalid UTF-8 at byte %zu of the value"), bad + 1);
				}
				rc = -1;
				break;
			}
			if (!c.dec) {
				c.dec = handle_get(H_DEC);
				c.enc = handle_get(H_ENC);
			}
			sb_reset(&c.tmp);
			charset_nfc_append(v, n, &c.tmp);
			if (lig_halves(c.tmp.buf, c.tmp.len, &lig)) {
				sb_reset(&c.tmp);
				sb_add(&c.tmp, lig.buf, lig.len);
			}
			size_t off = c.vals.len;
			uint32_t cp = 0;
			if (value_to_marc8(&c, c.tmp.buf, c.tmp.len, lossless, &c.vals, &cp) < 0) {
				if (err) {
					name_of(err, r, f, si);
					if (cp) {
						char u8[8] = { 0 };
						utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)u8);
						strbuf q = STRBUF_INIT;
						sb_addf(&q, "U+%04X", (unsigned)cp);
						if (cp >= 0x20 && cp != 0x7F && (cp < 0x80 || cp >= 0xA0))
							sb_addf(&q, " (%s)", u8);
						sb_addf(err, _(": %s cannot be written in MARC-8 (use --lossless to "
						               "write it as &#xXXXX;, or UTF-8 output)"), q.buf);
						sb_release(&q);
					} else
						sb_adds(err, _(": the value does not survive conversion to MARC-8"));
				}
				rc = -1;
				break;
			}
			pend_add(&c, f, si, off);
		}
	}
	if (rc == 0) {
		for (size_t i = 0; i < c.npend; i++) {
			struct pending *pd = &c.pend[i];
			if (pd->s < 0)
				rec_set_data(r, pd->f, c.vals.buf + pd->off, pd->len);
			else
				rec_set_sub(r, pd->f, (size_t)pd->s, rec_sub_code(r, pd->f, (size_t)pd->s),
				            c.vals.buf + pd->off, pd->len);
		}
		rec_set_leader_at(r, 9, ' ');
	}
	ctx_release(&c);
	sb_release(&lig);
	return rc;
}

/* ------------------------------------------------------------------ */
/* 8-bit data read as Latin-1 / Windows-1252, back to bytes */

/* Windows-1252 0x80-0x9F (0 = undefined: then U+0080-U+009F itself) */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static int byte_of(int32_t u, int w1252)
{
	if (u >= 0 && u <= 0xFF)
		return (int)u;
	for (int i = 0; w1252 && i < 32; i++)
		if (cp1252_hi[i] == u)
			return 0x80 + i;
	return -1;
}

int charset_unicode_to_bytes(rec *r, int cs, strbuf *err)
{
	/* Latin-1 text read as Latin-1 is itself: a Windows-1252 character
	 * there (€) is not one of its bytes */
	int w1252 = cs != CS_LATIN1;
	strbuf vals = STRBUF_INIT;
	struct byteval { size_t f; long s; size_t off, len; } *pend = NULL;
	size_t npend = 0, cap = 0;
	int rc = 0;
	for (size_t f = 0; f < rec_nfields(r) && rc == 0; f++) {
		int ctl = rec_is_control(r, f);
		size_t ns = ctl ? 1 : rec_nsub(r, f);
		for (size_t s = 0; s < ns && rc == 0; s++) {
			size_t n;
			long si = ctl ? -1 : (long)s;
			const char *v = ctl ? rec_data(r, f, &n) : rec_sub_value(r, f, s, &n);
			if (is_ascii(v, n))
				continue;
			size_t off = vals.len;
			for (size_t i = 0; i < n;) {
				utf8proc_int32_t u = -1;
				utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)v + i,
				                                      (utf8proc_ssize_t)(n - i), &u);
				int b = k > 0 ? byte_of(u, w1252) : -1;
				if (b < 0) {
					if (err) {
						name_of(err, r, f, si);
						if (k > 0) {
							char u8[8] = { 0 };
							utf8proc_encode_char(u, (utf8proc_uint8_t *)u8);
							sb_addf(err, _(": U+%04X (%s) is not a byte of an 8-bit "
							        "charset: this text is Unicode already (read it "
							        "without --from-charset)"), (unsigned)u, u8);
						} else
							sb_addf(err, _(": invalid UTF-8 at byte %zu of the value"),
							        i + 1);
					}
					rc = -1;
					break;
				}
				sb_addc(&vals, (char)b);
				i += (size_t)k;
			}
			if (rc)
				break;
			if (npend == cap) {
				cap = cap ? cap * 2 : 16;
				pend = xrealloc(pend, cap * sizeof *pend);
			}
			pend[npend++] = (struct byteval){ f, si, off, vals.len - off };
		}
	}
	for (size_t i = 0; rc == 0 && i < npend; i++) {
		const char *p = vals.buf + pend[i].off;
		if (pend[i].s < 0)
			rec_set_data(r, pend[i].f, p, pend[i].len);
		else
			rec_set_sub(r, pend[i].f, (size_t)pend[i].s,
			            rec_sub_code(r, pend[i].f, (size_t)pend[i].s), p, pend[i].len);
	}
	free(pend);
	sb_release(&vals);
	return rc;
}

/* ------------------------------------------------------------------ */
/* one string */

char *charset_decode(const char *s, size_t n, int cs, strbuf *err)
{
	rec *r = rec_create();
	size_t f = rec_add_field(r, "500", ' ', ' ');
	rec_add_sub(r, f, 'a', s, n);
	/* a string has no leader: "auto" means UTF-8 if it is valid */
	if (cs == CS_AUTO) {
		struct survey sv;
		survey_record(r, &sv);
		rec_set_leader_at(r, 9, sv.utf8 ? 'a' : ' ');
		survey_release(&sv);
	}
	strbuf e = STRBUF_INIT;
	char *res = NULL;
	if (memchr(s, 0, n)) {
		sb_adds(&e, _("the string contains a NUL byte"));
	} else if (charset_fix_record(r, cs, 0, NULL, &e) == 0) {
		size_t len;
		const char *v = rec_sub_value(r, f, 0, &len);
		res = xstrndup(v, len);
	}
	if (!res && err) {
		/* drop the "500 $a: " the record wrapper put in front */
		const char *m = e.buf ? e.buf : _("cannot decode");
		if (!strncmp(m, "500 $a: ", 8))
			m += 8;
		sb_adds(err, m);
	}
	sb_release(&e);
	rec_destroy(r);
	return res;
}

/* ------------------------------------------------------------------ */
/* folding */

static utf8proc_int32_t fold_d(utf8proc_int32_t c, void *data)
{
	(void)data;
	return (c == 0x111 || c == 0x110 || c == 0xF0 || c == 0xD0) ? 'd' : c;
}

char *fold_search(const char *s, size_t n)
{
	utf8proc_uint8_t *out = NULL;
	if (!utf8_valid(s, n, NULL))
		return NULL;
	if (n == 0)
		return xstrdup("");
	utf8proc_ssize_t k = utf8proc_map_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
	                                         &out, UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                                         UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD |
	                                         UTF8PROC_IGNORE, fold_d, NULL);
	if (k < 0)
		return NULL;
	char *r = xstrndup((const char *)out, (size_t)k);
	free(out);
	return r;
}

static int is_space_cp(utf8proc_int32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == 0xA0;
}

char *fold_match(const char *s, size_t n)
{
	strbuf clean = STRBUF_INIT, sp = STRBUF_INIT;
	/* invalid bytes become U+FFFD, spacing runs one blank */
	int blank = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0) {
			c = 0xFFFD;
			k = 1;
		}
		i += (size_t)k;
		if (is_space_cp(c)) {
			blank = 1;
			continue;
		}
		if (blank && sp.len)
			sb_addc(&sp, ' ');
		blank = 0;
		if (c == 0xFFFD)
			sb_adds(&sp, "\xEF\xBF\xBD");
		else
			sb_add(&sp, s + i - (size_t)k, (size_t)k);
	}
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t k = sp.len ? utf8proc_map((const utf8proc_uint8_t *)sp.buf,
	                                           (utf8proc_ssize_t)sp.len, &out,
	                                           UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                                           UTF8PROC_CASEFOLD) : 0;
	if (k > 0)
		sb_add(&clean, out, (size_t)k);
	free(out);
	sb_release(&sp);
	/* trim ISBD punctuation and blanks at both ends */
	static const char trim[] = " ,.:;/=";
	size_t a = 0, b = clean.len;
	while (a < b && strchr(trim, clean.buf[a]))
		a++;
	while (b > a && strchr(trim, clean.buf[b - 1]))
		b--;
	char *r = xstrndup(clean.buf ? clean.buf + a : "", b - a);
	sb_release(&clean);
	return r;
}
