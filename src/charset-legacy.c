/*
 * charset-legacy.c - legacy Vietnamese 8-bit encodings (TCVN3, VNI-Windows,
 * VISCII, Windows-1258) and Latin-1 to UTF-8, the charset names, the
 * per-record encoding detector and the TCVN3 capitals recovery.
 *
 * The tables are written here letter by letter from the standards
 * (TCVN 5712:1993, the VNI-Windows font layout, VISCII 1.1 as in RFC 1456,
 * Microsoft's code page 1258): for each of the twelve vowels, upper and
 * lower case, the byte of the bare letter and of its five tones, in the
 * order huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot).
 * The Unicode letters are composed from that description at start-up, so
 * the table says what the standard says and no code point is typed by
 * hand. tests/t-legacy.c checks every byte against glibc's iconv where
 * glibc has the encoding.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "charset.h"
#include "charset-legacy.h"
#include "i18n-lower.h"
#include "marcio.h"

/* ------------------------------------------------------------------ */
/* names */

static const struct {
	const char *name;
	int cs;
} cs_names[] = {
	{ "auto", CS_AUTO }, { "auto-vi", CS_AUTO_VI }, { "autovi", CS_AUTO_VI },
	{ "auto-vietnamese", CS_AUTO_VI },
	{ "utf-8", CS_UTF8 }, { "utf8", CS_UTF8 },
	{ "marc8", CS_MARC8 }, { "marc-8", CS_MARC8 }, { "ansel", CS_MARC8 },
	{ "latin1", CS_LATIN1 }, { "latin-1", CS_LATIN1 }, { "iso-8859-1", CS_LATIN1 },
	{ "iso8859-1", CS_LATIN1 },
	{ "tcvn3", CS_TCVN3 }, { "tcvn", CS_TCVN3 }, { "abc", CS_TCVN3 }, { "vn3", CS_TCVN3 },
	{ "tcvn5712", CS_TCVN3 }, { "tcvn5712-1", CS_TCVN3 }, { "tcvn-5712", CS_TCVN3 },
	{ "vni", CS_VNI }, { "vni-win", CS_VNI }, { "vni-windows", CS_VNI },
	{ "viscii", CS_VISCII },
	{ "cp1258", CS_CP1258 }, { "windows-1258", CS_CP1258 }, { "win1258", CS_CP1258 },
};

int charset_parse_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof cs_names / sizeof cs_names[0]; i++)
		if (!strcasecmp(name, cs_names[i].name))
			return cs_names[i].cs;
	return -1;
}

const char *charset_name(int cs)
{
	switch (cs) {
	case CS_AUTO: return "auto";
	case CS_AUTO_VI: return "auto-vi";
	case CS_UTF8: return "utf-8";
	case CS_MARC8: return "marc8";
	case CS_LATIN1: return "latin1";
	case CS_TCVN3: return "tcvn3";
	case CS_VNI: return "vni";
	case CS_VISCII: return "viscii";
	case CS_CP1258: return "cp1258";
	}
	return NULL;
}

const char *charset_names(void)
{
	return "auto, auto-vi, utf-8, marc8, latin1, tcvn3, vni, viscii, cp1258";
}

/* Display names used in messages. */
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
/* tables */

/* Tones, in the order the tables list them. */
enum { T_NONE, T_GRAVE, T_HOOK, T_TILDE, T_ACUTE, T_DOT };
static const uint32_t tone_mark[6] = { 0, 0x0300, 0x0309, 0x0303, 0x0301, 0x0323 };

/* The twelve vowels: lower and upper case bare letters. */
static const uint32_t vowel_lower[12] = {
	'a', 0x0103, 0x00E2, 'e', 0x00EA, 'i', 'o', 0x00F4, 0x01A1, 'u', 0x01B0, 'y'
};
static const uint32_t vowel_upper[12] = {
	'A', 0x0102, 0x00C2, 'E', 0x00CA, 'I', 'O', 0x00D4, 0x01A0, 'U', 0x01AF, 'Y'
};

/* One row per vowel (a ă â e ê i o ô ơ u ư y): byte of the bare letter
 * (0 = the ASCII letter itself), then grave, hook, tilde, acute, dot. */
typedef unsigned char vrow[6];

/* TCVN 5712:1993. VN3 (the "ABC" fonts) is the lower-case table plus the
 * seven bare capitals; VN1 adds the toned capitals (some in C0), which
 * are decoded too since no VN3 text uses those bytes for anything else. */
static const vrow tcvn_lower[12] = {
	{ 0x00, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9 },   /* a */
	{ 0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6 },   /* ă */
	{ 0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB },   /* â */
	{ 0x00, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1 },   /* e */
	{ 0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6 },   /* ê */
	{ 0x00, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE },   /* i */
	{ 0x00, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4 },   /* o */
	{ 0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9 },   /* ô */
	{ 0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE },   /* ơ */
	{ 0x00, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4 },   /* u */
	{ 0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9 },   /* ư */
	{ 0x00, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE },   /* y */
};
static const vrow tcvn_upper[12] = {
	{ 0x00, 0x80, 0x81, 0x82, 0x83, 0x84 },   /* A */
	{ 0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85 },   /* Ă */
	{ 0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86 },   /* Â */
	{ 0x00, 0x87, 0x88, 0x89, 0x8A, 0x8B },   /* E */
	{ 0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C },   /* Ê */
	{ 0x00, 0x8D, 0x8E, 0x8F, 0x90, 0x91 },   /* I */
	{ 0x00, 0x92, 0x93, 0x94, 0x95, 0x96 },   /* O */
	{ 0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97 },   /* Ô */
	{ 0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C },   /* Ơ */
	{ 0x00, 0x9D, 0x9E, 0x9F, 0x01, 0x02 },   /* U */
	{ 0xA6, 0x04, 0x05, 0x06, 0x11, 0x12 },   /* Ư */
	{ 0x00, 0x13, 0x14, 0x15, 0x16, 0x17 },   /* Y */
};

/* VISCII 1.1 (RFC 1456): every letter precomposed; six capitals in C0. */
static const vrow viscii_lower[12] = {
	{ 0x00, 0xE0, 0xE4, 0xE3, 0xE1, 0xD5 },   /* a */
	{ 0xE5, 0xA2, 0xC6, 0xC7, 0xA1, 0xA3 },   /* ă */
	{ 0xE2, 0xA5, 0xA6, 0xE7, 0xA4, 0xA7 },   /* â */
	{ 0x00, 0xE8, 0xEB, 0xA8, 0xE9, 0xA9 },   /* e */
	{ 0xEA, 0xAB, 0xAC, 0xAD, 0xAA, 0xAE },   /* ê */
	{ 0x00, 0xEC, 0xEF, 0xEE, 0xED, 0xB8 },   /* i */
	{ 0x00, 0xF2, 0xF6, 0xF5, 0xF3, 0xF7 },   /* o */
	{ 0xF4, 0xB0, 0xB1, 0xB2, 0xAF, 0xB5 },   /* ô */
	{ 0xBD, 0xB6, 0xB7, 0xDE, 0xBE, 0xFE },   /* ơ */
	{ 0x00, 0xF9, 0xFC, 0xFB, 0xFA, 0xF8 },   /* u */
	{ 0xDF, 0xD7, 0xD8, 0xE6, 0xD1, 0xF1 },   /* ư */
	{ 0x00, 0xCF, 0xD6, 0xDB, 0xFD, 0xDC },   /* y */
};
static const vrow viscii_upper[12] = {
	{ 0x00, 0xC0, 0xC4, 0xC3, 0xC1, 0x80 },   /* A */
	{ 0xC5, 0x82, 0x02, 0x05, 0x81, 0x83 },   /* Ă */
	{ 0xC2, 0x85, 0x86, 0x06, 0x84, 0x87 },   /* Â */
	{ 0x00, 0xC8, 0xCB, 0x88, 0xC9, 0x89 },   /* E */
	{ 0xCA, 0x8B, 0x8C, 0x8D, 0x8A, 0x8E },   /* Ê */
	{ 0x00, 0xCC, 0x9B, 0xCE, 0xCD, 0x98 },   /* I */
	{ 0x00, 0xD2, 0x99, 0xA0, 0xD3, 0x9A },   /* O */
	{ 0xD4, 0x90, 0x91, 0x92, 0x8F, 0x93 },   /* Ô */
	{ 0xB4, 0x96, 0x97, 0xB3, 0x95, 0x94 },   /* Ơ */
	{ 0x00, 0xD9, 0x9C, 0x9D, 0xDA, 0x9E },   /* U */
	{ 0xBF, 0xBB, 0xBC, 0xFF, 0xBA, 0xB9 },   /* Ư */
	{ 0x00, 0x9F, 0x14, 0x19, 0xDD, 0x1E },   /* Y */
};

/* Windows-1252 upper half (the base of VNI-Windows): 0 = undefined. */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};
/* Windows-1258: 0x80-0x9F, and the bytes of 0xA0-0xFF that differ from
 * Latin-1 (the five tone marks are combining characters). */
static const uint16_t cp1258_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0, 0x2039, 0x0152, 0, 0, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0, 0x203A, 0x0153, 0, 0, 0x0178,
};
static const struct { unsigned char b; uint16_t u; } cp1258_diff[] = {
	{ 0xC3, 0x0102 }, { 0xCC, 0x0300 }, { 0xD0, 0x0110 }, { 0xD2, 0x0309 },
	{ 0xD5, 0x01A0 }, { 0xDD, 0x01AF }, { 0xDE, 0x0303 }, { 0xE3, 0x0103 },
	{ 0xEC, 0x0301 }, { 0xF0, 0x0111 }, { 0xF2, 0x0323 }, { 0xF5, 0x01A1 },
	{ 0xFD, 0x01B0 }, { 0xFE, 0x20AB },
};

/* VNI-Windows: Windows-1252 with these bytes redrawn by the VNI fonts.
 * A mark byte follows its base letter; lower-case and upper-case letters
 * have their own mark bytes. `mark` holds up to two combining marks:
 * the vowel modifier (circumflex U+0302 or breve U+0306) and/or a tone. */
static const struct {
	unsigned char lo, up;   /* byte after a lower-case / upper-case letter */
	uint16_t m1, m2;
} vni_marks[] = {
	{ 0xF9, 0xD9, 0x0301, 0 },        /* sắc */
	{ 0xF8, 0xD8, 0x0300, 0 },        /* huyền */
	{ 0xFB, 0xDB, 0x0309, 0 },        /* hỏi */
	{ 0xF5, 0xD5, 0x0303, 0 },        /* ngã */
	{ 0xEF, 0xCF, 0x0323, 0 },        /* nặng */
	{ 0xE2, 0xC2, 0x0302, 0 },        /* â ê ô */
	{ 0xE1, 0xC1, 0x0302, 0x0301 },   /* ấ */
	{ 0xE0, 0xC0, 0x0302, 0x0300 },   /* ầ */
	{ 0xE5, 0xC5, 0x0302, 0x0309 },   /* ẩ */
	{ 0xE3, 0xC3, 0x0302, 0x0303 },   /* ẫ */
	{ 0xE4, 0xC4, 0x0302, 0x0323 },   /* ậ */
	{ 0xEA, 0xCA, 0x0306, 0 },        /* ă */
	{ 0xE9, 0xC9, 0x0306, 0x0301 },   /* ắ */
	{ 0xE8, 0xC8, 0x0306, 0x0300 },   /* ằ */
	{ 0xFA, 0xDA, 0x0306, 0x0309 },   /* ẳ */
	{ 0xFC, 0xDC, 0x0306, 0x0303 },   /* ẵ */
	{ 0xEB, 0xCB, 0x0306, 0x0323 },   /* ặ */
};
/* VNI single-byte letters, as (letter, tone) so they are composed too. */
static const struct {
	unsigned char b;
	uint32_t base;
	int tone;
} vni_letters[] = {
	{ 0xF4, 0x01A1, T_NONE }, { 0xD4, 0x01A0, T_NONE },   /* ơ Ơ */
	{ 0xF6, 0x01B0, T_NONE }, { 0xD6, 0x01AF, T_NONE },   /* ư Ư */
	{ 0xF1, 0x0111, T_NONE }, { 0xD1, 0x0110, T_NONE },   /* đ Đ */
	{ 0xED, 'i', T_ACUTE }, { 0xEC, 'i', T_GRAVE }, { 0xE6, 'i', T_HOOK },
	{ 0xF3, 'i', T_TILDE }, { 0xF2, 'i', T_DOT },
	{ 0xCD, 'I', T_ACUTE }, { 0xCC, 'I', T_GRAVE }, { 0xC6, 'I', T_HOOK },
	{ 0xD3, 'I', T_TILDE }, { 0xD2, 'I', T_DOT },
	{ 0xEE, 'y', T_DOT }, { 0xCE, 'Y', T_DOT },
};

/* Decoding tables: for each byte up to two code points (0 = undefined,
 * for bytes >= 0x80; for bytes < 0x80, 0 means "the ASCII byte"). */
struct dectab {
	uint32_t u1[256];
	uint32_t u2[256];
};
static struct dectab tab_tcvn, tab_viscii, tab_cp1258, tab_vni, tab_latin1;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* Compose a bare letter and a tone into one code point (NFC). */
static uint32_t compose(uint32_t base, int tone)
{
	if (tone == T_NONE)
		return base;
	utf8proc_uint8_t in[8], *out = NULL;
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)base, in);
	n += utf8proc_encode_char((utf8proc_int32_t)tone_mark[tone], in + n);
	utf8proc_ssize_t k = utf8proc_map(in, n, &out, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	utf8proc_int32_t u = 0;
	if (k > 0 && utf8proc_iterate(out, k, &u) != k)
		u = 0;                          /* not one code point */
	free(out);
	return u > 0 ? (uint32_t)u : 0;
}

static void fill_rows(struct dectab *t, const vrow *rows, const uint32_t *bases)
{
	for (int v = 0; v < 12; v++)
		for (int tone = 0; tone < 6; tone++) {
			unsigned char b = rows[v][tone];
			if (b)
				t->u1[b] = compose(bases[v], tone);
		}
}

static void tables_init(void)
{
	/* TCVN3 */
	fill_rows(&tab_tcvn, tcvn_lower, vowel_lower);
	fill_rows(&tab_tcvn, tcvn_upper, vowel_upper);
	tab_tcvn.u1[0xAE] = 0x0111;
	tab_tcvn.u1[0xA7] = 0x0110;
	tab_tcvn.u1[0xA0] = 0x00A0;
	for (int t = T_GRAVE; t <= T_DOT; t++)          /* B0-B4: the tones */
		tab_tcvn.u1[0xB0 + t - 1] = tone_mark[t];

	/* VISCII */
	fill_rows(&tab_viscii, viscii_lower, vowel_lower);
	fill_rows(&tab_viscii, viscii_upper, vowel_upper);
	tab_viscii.u1[0xF0] = 0x0111;
	tab_viscii.u1[0xD0] = 0x0110;

	/* Latin-1 */
	for (int b = 0x80; b < 0x100; b++)
		tab_latin1.u1[b] = (uint32_t)b;

	/* CP1258 */
	for (int b = 0x80; b < 0xA0; b++)
		tab_cp1258.u1[b] = cp1258_hi[b - 0x80];
	for (int b = 0xA0; b < 0x100; b++)
		tab_cp1258.u1[b] = (uint32_t)b;
	for (size_t i = 0; i < sizeof cp1258_diff / sizeof cp1258_diff[0]; i++)
		tab_cp1258.u1[cp1258_diff[i].b] = cp1258_diff[i].u;

	/* VNI-Windows */
	for (int b = 0x80; b < 0xA0; b++)
		tab_vni.u1[b] = cp1252_hi[b - 0x80];
	for (int b = 0xA0; b < 0x100; b++)
		tab_vni.u1[b] = (uint32_t)b;
	for (size_t i = 0; i < sizeof vni_marks / sizeof vni_marks[0]; i++) {
		tab_vni.u1[vni_marks[i].lo] = tab_vni.u1[vni_marks[i].up] = vni_marks[i].m1;
		tab_vni.u2[vni_marks[i].lo] = tab_vni.u2[vni_marks[i].up] = vni_marks[i].m2;
	}
	for (size_t i = 0; i < sizeof vni_letters / sizeof vni_letters[0]; i++)
		tab_vni.u1[vni_letters[i].b] = compose(vni_letters[i].base, vni_letters[i].tone);
}

static const struct dectab *dectab_for(int cs)
{
	pthread_once(&tab_once, tables_init);
	switch (cs) {
	case CS_TCVN3: return &tab_tcvn;
	case CS_VISCII: return &tab_viscii;
	case CS_CP1258: return &tab_cp1258;
	case CS_VNI: return &tab_vni;
	case CS_LATIN1: return &tab_latin1;
	}
	return NULL;
}

static int is_combining(uint32_t u)
{
	return u >= 0x0300 && u <= 0x036F;
}

static void put_cp(strbuf *out, uint32_t u)
{
	utf8proc_uint8_t b[4];
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)u, b);
	sb_add(out, b, (size_t)n);
}

static int cp_is_letter(uint32_t u)
{
	if (u < 0x80)
		return (u | 0x20) >= 'a' && (u | 0x20) <= 'z';
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)u);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

int charset_legacy_to_utf8(int cs, const char *s, size_t n, strbuf *out, size_t *bad)
{
	const struct dectab *t = dectab_for(cs);
	const unsigned char *p = (const unsigned char *)s;
	int after_letter = 0;       /* may a combining mark come next? */
	if (!t)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned b = p[i];
		uint32_t u = t->u1[b];
		if (b < 0x80 && !u) {
			sb_addc(out, (char)b);
			after_letter = ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
			continue;
		}
		if (!u) {
			if (bad)
				*bad = i;
			return -1;
		}
		if (is_combining(u)) {
			/* a mark byte needs a letter before it; else this is not
			 * the encoding the bytes were written in */
			if (!after_letter) {
				if (bad)
					*bad = i;
				return -2;
			}
			put_cp(out, u);
			if (t->u2[b])
				put_cp(out, t->u2[b]);
			continue;
		}
		put_cp(out, u);
		after_letter = cp_is_letter(u);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Vietnamese syllables */

/* A letter as the syllable checker sees it: an ASCII letter, or one of
 * A=ă B=â E=ê O=ô W=ơ U=ư D=đ, and its tone. Returns 0 if the code point
 * is not a (lower-case) Vietnamese letter. */
static int vi_letter(uint32_t u, int *tone)
{
	*tone = T_NONE;
	if (u < 0x80)
		return (u >= 'a' && u <= 'z') ? (int)u : 0;
	if (u == 0x0111)
		return 'D';
	utf8proc_int32_t d[6];
	utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)u, d, 6, UTF8PROC_DECOMPOSE, NULL);
	if (n < 2 || n > 3 || d[0] >= 0x80 || d[0] < 'a' || d[0] > 'z')
		return 0;
	int sym = (int)d[0];
	for (utf8proc_ssize_t i = 1; i < n; i++) {
		switch (d[i]) {
		case 0x0302:
			if (sym == 'a') sym = 'B';
			else if (sym == 'e') sym = 'E';
			else if (sym == 'o') sym = 'O';
			else return 0;
			break;
		case 0x0306:
			if (sym != 'a') return 0;
			sym = 'A';
			break;
		case 0x031B:
			if (sym == 'o') sym = 'W';
			else if (sym == 'u') sym = 'U';
			else return 0;
			break;
		case 0x0300: case 0x0309: case 0x0303: case 0x0301: case 0x0323:
			if (*tone)
				return 0;
			*tone = d[i] == 0x0300 ? T_GRAVE : d[i] == 0x0309 ? T_HOOK :
			        d[i] == 0x0303 ? T_TILDE : d[i] == 0x0301 ? T_ACUTE : T_DOT;
			break;
		default:
			return 0;
		}
	}
	if (*tone && !strchr("aAbBeEiouOWUy", sym))
		return 0;
	return sym;
}

static int str_in(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if ((*list)[0] == s[0] && strlen(*list) == n && !memcmp(*list, s, n))
			return 1;
	return 0;
}

/* Is the tone of a syllable with nucleus nu[0..ln) on the right vowel
 * (index tp in the nucleus)? On the last vowel with a diacritic (ơ in
 * ươ); else, with a final consonant or a three-vowel nucleus, on the
 * last but the final glide; in an open two-vowel nucleus on the first,
 * or either for oa oe uy (old and new placement). */
static int vi_tone_ok(const char *nu, size_t ln, int final, long tp)
{
	long mod = -1;
	for (size_t i = 0; i < ln; i++)
		if (strchr("ABEOWU", nu[i]))
			mod = (long)i;
	if (tp < 0 || tp >= (long)ln)
		return 0;
	if (mod >= 0)
		return tp == mod;
	if (ln == 1)
		return 1;
	if (final)
		return tp == (long)ln - 1;
	if (ln == 3)
		return tp == 1;
	if (!memcmp(nu, "oa", 2) || !memcmp(nu, "oe", 2) || !memcmp(nu, "uy", 2))
		return 1;
	return tp == 0;
}

/* Is w (toneless letters as vi_letter gives them) a Vietnamese syllable,
 * given its tone and the index of the toned letter? A loose grammar:
 * onset, vowel nucleus, final, and where the tone may go. */
static int vi_syllable(const char *w, size_t n, int tone, long tonepos)
{
	static const char *const onsets[] = {
		"ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
		"b", "c", "d", "D", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "", NULL
	};
	static const char *const finals[] = { "ch", "ng", "nh", "c", "m", "n", "p", "t", "", NULL };
	static const char *const nuc_final[] = {          /* need a final */
		"A", "B", "iE", "yE", "uO", "UW", "uyE", "oA", "uB", "oo", NULL
	};
	static const char *const nuc_open[] = {           /* never a final */
		"ai", "ao", "au", "ay", "Bu", "By", "eo", "Eu", "ia", "iu", "oi", "Oi", "Wi",
		"ui", "Ui", "Uu", "Ua", "ua", "uOi", "UWi", "UWu", "iEu", "yEu", "oai", "oao",
		"oay", "oeo", "uBy", "uya", "uyu", "uEu", NULL
	};
	static const char *const nuc_any[] = {            /* final optional */
		"a", "e", "E", "i", "o", "O", "W", "u", "U", "y", "oa", "oe", "uE", "uy", "uW",
		NULL
	};
	/* nh and ch follow only a ê i y (oa uê uy); ng and c never follow them */
	static const char *const nuc_palatal[] = { "a", "E", "i", "y", "oa", "uE", "uy", NULL };
	if (n == 0 || n > 7)
		return 0;
	for (const char *const *on = onsets; *on; on++) {
		if ((*on)[0] && (*on)[0] != w[0])
			continue;
		size_t lo = strlen(*on);
		if (lo > n || memcmp(w, *on, lo))
			continue;
		for (const char *const *fi = finals; *fi; fi++) {
			size_t lf = (*fi)[0] ? ((*fi)[1] ? 2 : 1) : 0;
			if (lo + lf >= n || (lf && w[n - lf] != (*fi)[0]) || memcmp(w + n - lf, *fi, lf))
				continue;
			const char *nu = w + lo;
			size_t ln = n - lo - lf;
			int ok;
			if (lf)
				ok = str_in(nu, ln, nuc_final) || str_in(nu, ln, nuc_any);
			else
				ok = str_in(nu, ln, nuc_open) || str_in(nu, ln, nuc_any);
			if (!ok)
				continue;
			int pal = str_in(nu, ln, nuc_palatal);
			if ((!strcmp(*fi, "nh") || !strcmp(*fi, "ch")) && !pal)
				continue;
			if ((!strcmp(*fi, "ng") || !strcmp(*fi, "c")) &&
			    (str_in(nu, ln, (const char *const[]){ "E", "i", "y", "uy", NULL })))
				continue;
			/* the stop finals c ch p t take only sắc or nặng */
			int stop = !strcmp(*fi, "c") || !strcmp(*fi, "ch") || !strcmp(*fi, "p") ||
			           !strcmp(*fi, "t");
			if (stop && tone != T_NONE && tone != T_ACUTE && tone != T_DOT)
				continue;
			if (tone != T_NONE && !vi_tone_ok(nu, ln, lf > 0, tonepos - (long)lo))
				continue;
			return 1;
		}
	}
	return 0;
}

/* Classes of a word with at least one non-ASCII code point. */
enum { W_BAD = 0, W_LATIN = 1, W_VI = 2 };

/* Case pattern allowed in a word: all lower, Capitalised, ALL CAPS, or
 * ALL CAPS but for lower-case toned vowels (TCVN3's missing capitals). */
static int case_ok(const uint32_t *u, size_t m)
{
	int lower_rest = 0, upper_rest = 0, odd_lower = 0;
	for (size_t i = 1; i < m; i++) {
		utf8proc_int32_t c = (utf8proc_int32_t)u[i];
		if (utf8proc_isupper(c))
			upper_rest = 1;
		else if (utf8proc_islower(c)) {
			int t;
			lower_rest = 1;
			if (!(vi_letter((uint32_t)c, &t) && t != T_NONE))
				odd_lower = 1;
		}
	}
	if (!upper_rest)
		return 1;                               /* lower or Capitalised */
	if (!lower_rest)
		return utf8proc_isupper((utf8proc_int32_t)u[0]) || m == 1 ||
		       !utf8proc_islower((utf8proc_int32_t)u[0]);
	return !odd_lower;                          /* TRƯờNG */
}

/* Classify the word of m code points u[0..m). */
static int classify_word(const uint32_t *u, size_t m)
{
	char w[16];
	size_t n = 0;
	int tone = T_NONE, vi = 1, latin = 1;
	long tonepos = -1;
	if (!case_ok(u, m))
		return W_BAD;
	for (size_t i = 0; i < m; i++) {
		uint32_t c = u[i];
		if (!cp_is_letter(c))
			latin = 0;        /* a combining mark left after NFC */
		if (!vi)
			continue;
		int t;
		int sym = vi_letter((uint32_t)utf8proc_tolower((utf8proc_int32_t)c), &t);
		if (!sym || n >= sizeof w) {
			vi = 0;
			continue;
		}
		if (t) {
			if (tone)
				vi = 0;
			tone = t;
			tonepos = (long)n;
		}
		w[n++] = (char)sym;
	}
	if (vi && vi_syllable(w, n, tone, tonepos))
		return W_VI;
	/* abbreviations with đ: "đ" (đồng), "ĐHQG" */
	if (vi && n <= 6 && memchr(w, 'D', n) && !tone) {
		size_t k = 0;
		while (k < n && !strchr("aAbBeEiouOWUy", w[k]))
			k++;
		if (k == n)
			return W_VI;
	}
	return latin ? W_LATIN : W_BAD;
}

int charset_word_class(const char *s, size_t n)
{
	uint32_t u[32];
	size_t m = 0;
	for (size_t i = 0; i < n && m < 32;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0)
			return 0;
		u[m++] = (uint32_t)c;
		i += (size_t)k;
	}
	return m ? classify_word(u, m) : 0;
}

struct score {
	int tokens;     /* words with non-ASCII, and stray control/unassigned */
	int vi;         /* words that are Vietnamese syllables */
	int latin;      /* other all-letter words */
};

/* Score one UTF-8 NFC value. */
static void score_text(const char *s, size_t n, struct score *sc)
{
	uint32_t word[32];
	size_t m = 0;
	int nonascii = 0, overflow = 0;
	size_t i = 0;
	for (;;) {
		utf8proc_int32_t c = -1;
		if (i < n) {
			utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
			                                      (utf8proc_ssize_t)(n - i), &c);
			if (k <= 0) {
				c = 0xFFFD;
				k = 1;
			}
			i += (size_t)k;
		}
		utf8proc_category_t cat = c < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
		int wordch = c >= 0 && ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME));
		if (wordch) {
			if (m < sizeof word / sizeof word[0])
				word[m++] = (uint32_t)c;
			else
				overflow = 1;
			if (c >= 0x80)
				nonascii = 1;
			continue;
		}
		/* one letter alone ("ã", "đ", "ʹ") proves nothing either way */
		if (m > 1 && nonascii) {
			int k = overflow ? W_BAD : classify_word(word, m);
			sc->tokens++;
			if (k == W_VI)
				sc->vi++;
			else if (k == W_LATIN)
				sc->latin++;
		}
		m = 0;
		nonascii = overflow = 0;
		if (c < 0)
			break;
		/* a control character, unassigned or private-use code point
		 * outside a word counts against the reading */
		if (c >= 0x80 && (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CN ||
		                  cat == UTF8PROC_CATEGORY_CO))
			sc->tokens++;
	}
}

/* ------------------------------------------------------------------ */
/* detection */

/* Decode value s as cs into out (NFC). 0 ok, -1 with a reason in why. */
static int decode_as(int cs, const char *s, size_t n, strbuf *out, strbuf *why)
{
	size_t bad;
	switch (cs) {
	case CS_UTF8:
		if (!utf8_valid(s, n, &bad)) {
			sb_addf(why, _("invalid UTF-8 at byte %zu"), bad + 1);
			return -1;
		}
		charset_nfc_append(s, n, out);
		return 0;
	case CS_MARC8:
		return charset_marc8_to_utf8(s, n, out, why);
	default: {
		strbuf tmp = STRBUF_INIT;
		int k = charset_legacy_to_utf8(cs, s, n, &tmp, &bad);
		if (k < 0) {
			sb_addf(why, k == -2 ? _("byte 0x%02X at byte %zu is a mark with no letter before it")
			                     : _("byte 0x%02X at byte %zu is not defined"),
			        (unsigned char)s[bad], bad + 1);
			sb_release(&tmp);
			return -1;
		}
		charset_nfc_append(tmp.buf ? tmp.buf : "", tmp.len, out);
		sb_release(&tmp);
		return 0;
	}
	}
}

/* Iterate over every value of r: control data and subfield values. */
struct val_iter {
	const rec *r;
	size_t f, s;
};

static const char *next_value(struct val_iter *it, size_t *len, size_t *field, long *sub)
{
	while (it->f < rec_nfields(it->r)) {
		size_t f = it->f;
		if (rec_is_control(it->r, f)) {
			it->f++;
			it->s = 0;
			*field = f;
			*sub = -1;
			return rec_data(it->r, f, len);
		}
		if (it->s < rec_nsub(it->r, f)) {
			size_t s = it->s++;
			*field = f;
			*sub = (long)s;
			return rec_sub_value(it->r, f, s, len);
		}
		it->f++;
		it->s = 0;
	}
	return NULL;
}

static void name_value(const rec *r, size_t f, long s, strbuf *sb)
{
	const char *t = rec_tag(r, f);
	for (int i = 0; i < 3 && t[i]; i++)
		sb_addf(sb, t[i] > 0x20 && t[i] < 0x7F ? "%c" : "(0x%02X)", (unsigned char)t[i]);
	if (s >= 0) {
		char c = rec_sub_code(r, f, (size_t)s);
		sb_addf(sb, c > 0x20 && c < 0x7F ? " $%c" : " $(0x%02X)", (unsigned char)c);
	}
}

static const int detect_candidates[] = {
	CS_MARC8, CS_TCVN3, CS_VNI, CS_VISCII, CS_CP1258
};
#define NCAND (sizeof detect_candidates / sizeof detect_candidates[0])

/* Confidence that the candidate with `pb` points is right, when the
 * runner-up has `ps` (or none, ps < 0) and `ntok` words were scored:
 * the share of words that read well, times 1 - 2^-(lead - 1) where the
 * lead is counted in words. One word of lead proves nothing; each
 * further word halves the doubt; being the only encoding that decodes
 * counts as one word. */
static int confidence(int pb, int ps, int ntok)
{
	if (ntok == 0 || pb == 0)
		return 0;
	double frac = pb / (2.0 * ntok);
	double d = ps >= 0 ? (pb - ps) / 2.0 : pb / 2.0 + 1;
	double p = d <= 1 ? 1.0 : exp2(-(d - 1));
	int c = (int)(100.0 * frac * (1.0 - p) + 0.5);
	return c > 100 ? 100 : c;
}

int charset_detect_legacy(const rec *r, int *confidence_pct, strbuf *why)
{
	struct val_iter it = { r, 0, 0 };
	const char *v;
	size_t len, f;
	long s;
	int ascii = 1, utf8 = 1, conf = 0;
	if (confidence_pct)
		*confidence_pct = 0;

	while ((v = next_value(&it, &len, &f, &s))) {
		if (is_ascii(v, len) && !memchr(v, 0x1B, len))
			continue;
		ascii = 0;
		if (!utf8_valid(v, len, NULL) || memchr(v, 0x1B, len))
			utf8 = 0;
	}
	if (ascii || utf8) {
		if (confidence_pct)
			*confidence_pct = 100;
		if (why)
			sb_adds(why, ascii ? _("pure ASCII") : _("valid UTF-8"));
		return CS_UTF8;
	}

	/* decode with every candidate and score the words */
	struct score sc[NCAND];
	int alive[NCAND], pts[NCAND], m8_suspicious = 0;
	strbuf fail[NCAND];
	strbuf out = STRBUF_INIT;
	memset(sc, 0, sizeof sc);
	for (size_t c = 0; c < NCAND; c++) {
		int cs = detect_candidates[c];
		alive[c] = 1;
		sb_init(&fail[c]);
		struct val_iter jt = { r, 0, 0 };
		while ((v = next_value(&jt, &len, &f, &s))) {
			if (is_ascii(v, len) && !memchr(v, 0x1B, len))
				continue;
			sb_reset(&out);
			if (decode_as(cs, v, len, &out, &fail[c]) < 0) {
				strbuf tmp = STRBUF_INIT;
				name_value(r, f, s, &tmp);
				sb_adds(&tmp, ": ");
				sb_add(&tmp, fail[c].buf, fail[c].len);
				sb_release(&fail[c]);
				fail[c] = tmp;
				alive[c] = 0;
				break;
			}
			if (cs == CS_MARC8 && charset_marc8_suspicious(out.buf ? out.buf : "", out.len))
				m8_suspicious = 1;
			score_text(out.buf ? out.buf : "", out.len, &sc[c]);
		}
	}
	sb_release(&out);

	/* Points: 2 per Vietnamese word; 1 per other word of letters, but
	 * only for MARC-8 (a legacy Vietnamese reading that gives
	 * non-Vietnamese words is a misreading). */
	int best = -1, second = -1, ntok = 0, bestleg = -1, nextleg = -1;
	for (size_t c = 0; c < NCAND; c++) {
		int cs = detect_candidates[c];
		pts[c] = 2 * sc[c].vi + (cs == CS_MARC8 ? sc[c].latin : 0);
		if (!alive[c])
			continue;
		if (sc[c].tokens > ntok)
			ntok = sc[c].tokens;
		if (best < 0 || pts[c] > pts[best]) {
			second = best;
			best = (int)c;
		} else if (second < 0 || pts[c] > pts[second])
			second = (int)c;
		if (cs != CS_MARC8) {
			if (bestleg < 0 || pts[c] > pts[bestleg]) {
				nextleg = bestleg;
				bestleg = (int)c;
			} else if (nextleg < 0 || pts[c] > pts[nextleg])
				nextleg = (int)c;
		}
	}
	int result = -1;
	if (alive[0] && !m8_suspicious) {
		/* Clean MARC-8 (every byte defined, every mark on a letter) is
		 * only overruled by a legacy reading that is Vietnamese almost
		 * throughout and clearly ahead. */
		int lc = 0;
		if (bestleg >= 0)
			lc = confidence(pts[bestleg], nextleg >= 0 && pts[nextleg] > pts[0] ? pts[nextleg] :
			                pts[0], ntok);
		if (bestleg >= 0 && lc >= CHARSET_DETECT_MIN && sc[bestleg].vi * 10 >= ntok * 8) {
			best = bestleg;
			second = pts[0] >= (nextleg >= 0 ? pts[nextleg] : -1) ? 0 : nextleg;
			conf = lc;
		} else {
			best = 0;
			second = bestleg;
			conf = 100 - lc / 2;
		}
		result = detect_candidates[best];
	} else if (best < 0) {
		if (why) {
			sb_adds(why, _("no encoding fits:"));
			for (size_t c = 0; c < NCAND; c++)
				sb_addf(why, "%s %s: %s", c ? ";" : "", cs_label(detect_candidates[c]),
				        fail[c].buf ? fail[c].buf : "?");
		}
	} else if (ntok == 0 || pts[best] == 0) {
		if (why)
			sb_addf(why, _("no word with non-ASCII letters reads as Vietnamese in any encoding "
			        "(%s decodes, but nothing shows it is right)"), cs_label(detect_candidates[best]));
	} else {
		conf = confidence(pts[best], second >= 0 ? pts[second] : -1, ntok);
		result = detect_candidates[best];
	}
	if (result >= 0 && why) {
		int c = best;
		if (result == CS_MARC8 && !m8_suspicious)
			sb_addf(why, _("MARC-8: every byte is defined and every mark sits on a letter; %d of "
			        "%d words read as Vietnamese, %d as other Latin"), sc[c].vi, ntok, sc[c].latin);
		else {
			sb_addf(why, _("%s: %d of %d words read as Vietnamese"), cs_label(result), sc[c].vi, ntok);
			if (result == CS_MARC8 && sc[c].latin)
				sb_addf(why, _(", %d as other Latin"), sc[c].latin);
		}
		if (second >= 0 && second != best)
			sb_addf(why, _("; next best %s: %d of %d"), cs_label(detect_candidates[second]),
			        sc[second].vi, ntok);
		else
			sb_adds(why, _("; no other encoding decodes it"));
		if (conf < CHARSET_DETECT_MIN)
			sb_addf(why, _(" (too close to tell, %d%%)"), conf);
	}
	for (size_t c = 0; c < NCAND; c++)
		sb_release(&fail[c]);
	if (confidence_pct)
		*confidence_pct = conf;
	return result;
}

/* ------------------------------------------------------------------ */
/* TCVN3 capitals */

struct cpos {
	uint32_t u;
	size_t off, len;
};

/* A lower-case vowel with a tone mark: what TCVN3 writes for a capital. */
static int toned_lower(uint32_t u)
{
	int tone;
	if (!utf8proc_islower((utf8proc_int32_t)u))
		return 0;
	int sym = vi_letter(u, &tone);
	return sym && tone != T_NONE;
}

static int is_upper(uint32_t u)
{
	return utf8proc_isupper((utf8proc_int32_t)u);
}

static int tag_num(const char *tag)
{
	if (tag[0] < '0' || tag[0] > '9' || tag[1] < '0' || tag[1] > '9' ||
	    tag[2] < '0' || tag[2] > '9')
		return -1;
	return (tag[0] - '0') * 100 + (tag[1] - '0') * 10 + (tag[2] - '0');
}

/* Which rules apply to subfield `code` of field `tag`. */
enum { R_FIRST = 1, R_NAME = 2, R_RESP = 4, R_SENT = 8 };

static int caps_rules(int tag, char code)
{
	int r = 0;
	if (tag < 100 || tag > 899)
		return 0;
	int lo = tag % 100;
	if (code == 'a' && tag != 300 && !(tag >= 336 && tag <= 338) && !(tag >= 340 && tag <= 347))
		r |= R_FIRST;
	if (tag >= 600 && tag < 700 && strchr("vxyzt", code))
		r |= R_FIRST;
	if ((tag / 100 == 1 || tag / 100 == 7) && code == 't')
		r |= R_FIRST;
	if ((tag == 260 || tag == 264) && code == 'b')
		r |= R_FIRST;
	if ((tag == 245 || tag == 246) && (code == 'n' || code == 'p'))
		r |= R_FIRST;
	if ((lo == 10 || lo == 11) && tag / 100 != 0 && code == 'b' && tag != 510)
		r |= R_FIRST;
	if ((tag == 100 || tag == 600 || tag == 700 || tag == 800) && (code == 'a' || code == 'q'))
		r |= R_NAME;
	if ((tag == 245 && code == 'c') || (tag == 250 && code == 'b') ||
	    (tag == 505 && code == 'r') || ((tag == 508 || tag == 511) && code == 'a'))
		r |= R_RESP;
	if (tag >= 500 && tag < 600 && code == 'a')
		r |= R_SENT;
	return r;
}

struct word {
	size_t first, last;   /* indexes into the code point array, inclusive */
	int nletters, nupper, nlower, ntoned;
};

/* Recover capitals in one value; returns letters changed, new text in out. */
static int recover_value(const char *s, size_t n, int rules, strbuf *out)
{
	struct cpos *cp = xmalloc((n + 1) * sizeof *cp);
	struct word *w = xmalloc((n + 1) * sizeof *w);
	unsigned char *up = xcalloc(n + 1, 1);
	size_t m = 0, nw = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0) {
			c = 0xFFFD;
			k = 1;
		}
		cp[m].u = (uint32_t)c;
		cp[m].off = i;
		cp[m].len = (size_t)k;
		m++;
		i += (size_t)k;
	}
	for (size_t i = 0; i < m;) {
		if (!cp_is_letter(cp[i].u)) {
			i++;
			continue;
		}
		struct word *x = &w[nw++];
		memset(x, 0, sizeof *x);
		x->first = i;
		while (i < m && (cp_is_letter(cp[i].u) ||
		                 utf8proc_category((utf8proc_int32_t)cp[i].u) == UTF8PROC_CATEGORY_MN)) {
			if (cp_is_letter(cp[i].u)) {
				x->nletters++;
				if (is_upper(cp[i].u))
					x->nupper++;
				else if (utf8proc_islower((utf8proc_int32_t)cp[i].u)) {
					x->nlower++;
					if (toned_lower(cp[i].u))
						x->ntoned++;
				}
			}
			i++;
		}
		x->last = i - 1;
	}

	int changed = 0;
	for (size_t k = 0; k < nw; k++) {
		struct word *x = &w[k];
		int lost = x->ntoned > 0 && x->nlower == x->ntoned;   /* only toned vowels are lower */
		/* rule 1: all capitals, with an upper-case letter after the first */
		if (lost && x->nupper > 0 && !(x->nupper == 1 && is_upper(cp[x->first].u))) {
			for (size_t i = x->first; i <= x->last; i++)
				if (toned_lower(cp[i].u))
					up[i] = 1;
			continue;
		}
		/* rule 1b: a word that could be capitals or Title case, or a
		 * one-letter word, between words in capitals */
		if (lost) {
			int left = k > 0 && w[k - 1].nletters >= 2 && w[k - 1].nupper >= 2 &&
			           w[k - 1].nlower == w[k - 1].ntoned;
			int right = k + 1 < nw && w[k + 1].nletters >= 2 && w[k + 1].nupper >= 2 &&
			            w[k + 1].nlower == w[k + 1].ntoned;
			int left2 = k > 1 && w[k - 2].nletters >= 2 && w[k - 2].nupper >= 2 &&
			            w[k - 2].nlower == w[k - 2].ntoned;
			if ((left && right) || (left && left2 && k + 1 == nw)) {
				for (size_t i = x->first; i <= x->last; i++)
					if (toned_lower(cp[i].u))
						up[i] = 1;
				continue;
			}
		}
		if (!toned_lower(cp[x->first].u))
			continue;
		/* rule 2: first letter of the value */
		if ((rules & R_FIRST) && k == 0) {
			up[x->first] = 1;
			continue;
		}
		/* rule 3: every word of a personal name */
		if (rules & R_NAME) {
			up[x->first] = 1;
			continue;
		}
		/* rule 4: inside or at the end of a name in a statement of
		 * responsibility */
		if ((rules & R_RESP) && k > 0 && is_upper(cp[w[k - 1].first].u)) {
			int prev_adj = 1, next_cap = 0, ends = 0;
			for (size_t i = w[k - 1].last + 1; i < x->first; i++)
				if (cp[i].u != ' ')
					prev_adj = 0;
			size_t j = x->last + 1;
			while (j < m && cp[j].u == ' ')
				j++;
			if (j >= m || strchr(",;.:/=)]", (int)(cp[j].u < 0x80 ? cp[j].u : 'x')))
				ends = 1;
			else if (k + 1 < nw && w[k + 1].first == j && is_upper(cp[j].u))
				next_cap = 1;
			if (prev_adj && (next_cap || ends)) {
				up[x->first] = 1;
				continue;
			}
		}
		/* rule 5: a new sentence in a note */
		if ((rules & R_SENT) && k > 0) {
			size_t j = x->first;
			while (j > 0 && cp[j - 1].u == ' ')
				j--;
			/* not after an abbreviation: "tr.", "Nxb.", "Tp." are short
			 * and plain ASCII; a real word before the stop is longer or
			 * carries a diacritic */
			int real = 0;
			if (j > 0 && w[k - 1].last + 1 == j - 1) {
				int diacritic = 0;
				for (size_t q = w[k - 1].first; q <= w[k - 1].last; q++)
					if (cp[q].u >= 0x80)
						diacritic = 1;
				real = (w[k - 1].nletters >= 4 || diacritic) &&
				       w[k - 1].nupper < w[k - 1].nletters;
			}
			if (j > 0 && j < x->first && (cp[j - 1].u == '?' || cp[j - 1].u == '!' ||
			                              (cp[j - 1].u == '.' && real)))
				up[x->first] = 1;
		}
	}
	for (size_t i = 0; i < m; i++) {
		if (up[i]) {
			utf8proc_int32_t u = utf8proc_toupper((utf8proc_int32_t)cp[i].u);
			if ((uint32_t)u != cp[i].u) {
				put_cp(out, (uint32_t)u);
				changed++;
				continue;
			}
		}
		sb_add(out, s + cp[i].off, cp[i].len);
	}
	free(cp);
	free(w);
	free(up);
	return changed;
}

int charset_tcvn3_recover_caps(rec *r)
{
	int total = 0;
	strbuf out = STRBUF_INIT;
	for (size_t f = 0; f < rec_nfields(r); f++) {
		if (rec_is_control(r, f))
			continue;
		int tag = tag_num(rec_tag(r, f));
		for (size_t s = 0; s < rec_nsub(r, f); s++) {
			size_t len;
			const char *v = rec_sub_value(r, f, s, &len);
			int rules = caps_rules(tag, rec_sub_code(r, f, s));
			if (is_ascii(v, len))
				continue;
			sb_reset(&out);
			int k = recover_value(v, len, rules, &out);
			if (k > 0) {
				rec_set_sub(r, f, s, rec_sub_code(r, f, s), out.buf, out.len);
				total += k;
			}
		}
	}
	sb_release(&out);
	return total;
}
