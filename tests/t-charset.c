/*
 * t-charset.c - the charset firewall: Leader/09 against the bytes, MARC-8
 * decoding that refuses what yaz would drop, UTF-8 -> MARC-8 keeping
 * Vietnamese (and refusing or NCR-escaping what MARC-8 lacks), NFC, the
 * search and match folds. With ../shared/data: the LC MARCBreaker
 * records in MARC-8 against their UTF-8 twin, the bad MARC-8 files, the
 * real MARC-8 batches (none rejected), and the speed of the firewall.
 */
#include <time.h>
#include <utf8proc.h>

#include "harness.h"
#include "charset-iso.h"
#include "rec.h"
#include "util.h"
#include "charset.h"
#include "charset-legacy.h"
#include "marcio.h"

static const char VN[] = "Trường Đại học Sư phạm Ợ ỮNG";

/* A record with leader/09 = l9 and 245 $a = v (n bytes). */
static rec *mk(char l9, const char *v, size_t n)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam  2200000   4500", 24);
	rec_set_leader_at(r, 9, l9);
	rec_add_control(r, "001", "T1", 2);
	size_t f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', v, n);
	rec_add_sub(r, f, 'c', "plain", 5);
	return r;
}

static const char *val(const rec *r)
{
	return rec_sub_value(r, 1, 0, NULL);
}

static int has(const strbuf *sb, const char *what)
{
	return sb->buf && strstr(sb->buf, what);
}

static void test_nfc(void)
{
	char *s = utf8_nfc("Vie\xcc\xa3\xcc\x82t Nam", strlen("Vie\xcc\xa3\xcc\x82t Nam"));
	CHECK_STR(s, "Việt Nam");
	free(s);
	/* marks in the other order give the same letter */
	s = utf8_nfc("Vie\xcc\x82\xcc\xa3t", strlen("Vie\xcc\x82\xcc\xa3t"));
	CHECK_STR(s, "Việt");
	free(s);
	s = utf8_nfc(VN, strlen(VN));
	CHECK_STR(s, VN);
	free(s);
	s = utf8_nfc("", 0);
	CHECK_STR(s, "");
	free(s);
	CHECK(utf8_nfc("ab\xff", 3) == NULL);
	CHECK(utf8_nfc("\xc3", 1) == NULL);
	/* Ohm sign is a singleton: NFC makes it Omega; Angstrom -> Å */
	s = utf8_nfc("\xe2\x84\xa6 \xe2\x84\xab", 7);
	CHECK_STR(s, "\xce\xa9 \xc3\x85");
	free(s);
	/* Hangul jamo compose */
	s = utf8_nfc("\xe1\x84\x80\xe1\x85\xa1", 6);
	CHECK_STR(s, "\xea\xb0\x80");
	free(s);
}

/* The piecewise NFC against utf8proc's whole-string NFC, on random text
 * drawn from letters, marks, jamo, singletons and Vietnamese. */
static void test_nfc_random(void)
{
	static const uint32_t pool[] = {
		'a', 'e', 'o', 'u', 'A', ' ', '.', 0xE9, 0xEA, 0x1A1, 0x1B0, 0x1EC7, 0x1EA1, 0x0300, 0x0301,
		0x0302, 0x0303, 0x0309, 0x031B, 0x0323, 0x0306, 0x0340, 0x0344, 0x0385, 0x2126, 0x212B,
		0x1100, 0x1161, 0x11A8, 0xAC00, 0x4E2D, 0x0418, 0x0306, 0x05D0, 0x05B8, 0x0CC6, 0x0CD5,
		0x0F73, 0x1E9B, 0x0345, 0x03B1, 0xFB2C, 0x1D15E,
	};
	unsigned seed = 12345;
	int bad = 0;
	for (int t = 0; t < 3000; t++) {
		strbuf sb = STRBUF_INIT;
		int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		for (int i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t u = pool[(seed >> 16) % (sizeof pool / sizeof pool[0])];
			char b[4];
			sb_add(&sb, b, (size_t)utf8proc_encode_char((utf8proc_int32_t)u, (utf8proc_uint8_t *)b));
		}
		char *mine = utf8_nfc(sb.buf, sb.len);
		char *ref = (char *)utf8proc_NFC((const utf8proc_uint8_t *)sb.buf);
		if (!mine || !ref || strcmp(mine, ref))
			bad++;
		free(mine);
		free(ref);
		sb_release(&sb);
	}
	CHECK_INT(bad, 0);
}

static void check_fold(const char *in, const char *want)
{
	char *got = fold_search(in, strlen(in));
	CHECKF(got && !strcmp(got, want), "fold_search('%s') = '%s', want '%s'", in,
	       got ? got : "(null)", want);
	free(got);
}

static void check_match(const char *in, const char *want)
{
	char *got = fold_match(in, strlen(in));
	CHECKF(got && !strcmp(got, want), "fold_match('%s') = '%s', want '%s'", in,
	       got ? got : "(null)", want);
	free(got);
}

static void test_fold(void)
{
	check_fold("Đào Duy Anh", "dao duy anh");
	check_fold("dao", "dao");
	check_fold("Nguyễn Du", "nguyen du");
	check_fold("TRUYỆN KIỀU", "truyen kieu");
	check_fold("Vie\xcc\xa3\xcc\x82t Nam", "viet nam");           /* decomposed */
	check_fold("Ðà Nẵng", "da nang");                            /* U+00D0 */
	check_fold("ðường", "duong");                                /* U+00F0 */
	check_fold("Ơ ư Ă â", "o u a a");
	check_fold("", "");
	CHECK(fold_search("\xff", 1) == NULL);
	/* "dao" finds "Đào" */
	char *a = fold_search("dao", 3), *b = fold_search("Đào", strlen("Đào"));
	CHECK_STR(a, b);
	free(a);
	free(b);

	check_match("Nguyễn, Du,", "nguyễn, du");
	check_match("  Truyện   Kiều /  ", "truyện kiều");
	check_match("Nguyễn Du, 1765-1820.", "nguyễn du, 1765-1820");
	check_match("TRƯỜNG", "trường");
	check_match("Vie\xcc\xa3\xcc\x82t", "việt");
	check_match(" = : ; / , . ", "");
	check_match("Tô\tHoài", "tô hoài");
	char *x = fold_match("Nguyễn", strlen("Nguyễn")), *y = fold_match("Nguyên", strlen("Nguyên"));
	CHECK(x && y && strcmp(x, y) != 0);                  /* tones kept */
	free(x);
	free(y);
	x = fold_match("a\xff" "b", 3);                      /* never NULL */
	CHECK_STR(x, "a\xef\xbf\xbd" "b");
	free(x);
}

static void test_decode(void)
{
	strbuf err = STRBUF_INIT;
	char *s = charset_decode("Vi\xf2\xe3" "et", 6, CS_MARC8, &err);
	CHECK_STR(s, "Việt");
	free(s);
	s = charset_decode("\xe1" "BC" "t", 4, CS_MARC8, &err);      /* grave on B: B̀ */
	CHECK_STR(s, "B\xcc\x80" "Ct");
	free(s);
	s = charset_decode("Tr\xbd\xe1\xbcng", 7, CS_MARC8, &err);  /* ư ờ */
	CHECK_STR(s, "Trường");
	free(s);
	s = charset_decode("\xa3\xe2" "ao", 4, CS_MARC8, &err);
	CHECK_STR(s, "Đáo");
	free(s);
	s = charset_decode("caf\xe9", 4, CS_LATIN1, &err);
	CHECK_STR(s, "café");
	free(s);
	s = charset_decode("m\xed" "i", 3, CS_TCVN3, &err);
	CHECK_STR(s, "mới");
	free(s);
	s = charset_decode(VN, strlen(VN), CS_AUTO, &err);
	CHECK_STR(s, VN);
	free(s);
	s = charset_decode("Vi\xf2\xe3" "et", 6, CS_AUTO, &err);     /* not UTF-8: MARC-8 */
	CHECK_STR(s, "Việt");
	free(s);
	sb_reset(&err);
	CHECK(charset_decode("\xff", 1, CS_UTF8, &err) == NULL);
	CHECKF(has(&err, "invalid UTF-8 at byte 1"), "%s", err.buf);
	sb_reset(&err);
	CHECK(charset_decode("a\0b", 3, CS_UTF8, &err) == NULL);
	sb_release(&err);
}

/* Leader/09 and the bytes, under CS_AUTO. */
static void test_auto(void)
{
	strbuf w = STRBUF_INIT, e = STRBUF_INIT;
	rec *r;

	/* 'a' + valid UTF-8 */
	r = mk('a', VN, strlen(VN));
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), VN);
	CHECK_INT(w.len, 0);
	rec_destroy(r);

	/* blank + pure ASCII: nothing to say, leader/09 becomes 'a' */
	r = mk(' ', "Plain", 5);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK(rec_leader(r)[9] == 'a');
	CHECK_INT(w.len, 0);
	rec_destroy(r);

	/* blank + UTF-8: read as UTF-8, with the warning */
	r = mk(' ', VN, strlen(VN));
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), VN);
	CHECK_STR(w.buf, "leader/09 is blank but the data is UTF-8; read as UTF-8");
	rec_destroy(r);

	/* blank + MARC-8 */
	sb_reset(&w);
	r = mk(' ', "Tr\xbd\xe1\xbcng \xa3\xf2" "ai h\xf2" "oc", 17);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "Trường Đại học");
	CHECK(rec_leader(r)[9] == 'a');
	CHECK_INT(w.len, 0);
	rec_destroy(r);

	/* 'a' + invalid UTF-8: refused, naming tag, subfield and byte */
	r = mk('a', "Nguy\xc3n Du hoc", 14);
	rec *orig = rec_clone(r);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), -1);
	CHECKF(has(&e, "245 $a: invalid UTF-8 at byte 5 of the value (use --from-charset to name "
	           "the real encoding)"), "%s", e.buf);
	CHECK_INT(rec_compare(r, orig, NULL, 0), 0);      /* untouched */
	CHECK(rec_leader(r)[9] == 'a');
	rec_destroy(r);
	rec_destroy(orig);

	/* forced UTF-8 on MARC-8 bytes */
	sb_reset(&e);
	r = mk(' ', "Vi\xf2\xe3" "et", 6);
	CHECK_INT(charset_fix_record(r, CS_UTF8, 0, &w, &e), -1);
	CHECKF(has(&e, "245 $a: invalid UTF-8 at byte 3"), "%s", e.buf);
	rec_destroy(r);

	/* forced MARC-8 on a record labelled 'a' */
	r = mk('a', "Vi\xf2\xe3" "et", 6);
	CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
	CHECK_STR(val(r), "Việt");
	rec_destroy(r);

	/* NFD UTF-8 becomes NFC */
	r = mk('a', "Vie\xcc\xa3\xcc\x82t", 8);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "Việt");
	rec_destroy(r);

	/* control data too */
	r = mk(' ', "x", 1);
	rec_set_data(r, 0, "T\xe2" "e", 3);
	CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
	CHECK_STR(rec_data(r, 0, NULL), "Té");
	rec_destroy(r);

	/* an odd leader/09 */
	sb_reset(&w);
	r = mk('z', VN, strlen(VN));
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECKF(has(&w, "leader/09 is 'z' but the data is UTF-8"), "%s", w.buf);
	rec_destroy(r);

	/* a byte above 0x7F in the leader */
	sb_reset(&e);
	r = mk('a', "x", 1);
	rec_set_leader_at(r, 22, (char)0x92);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), -1);
	CHECKF(has(&e, "leader/22 is the byte 0x92"), "%s", e.buf);
	rec_destroy(r);

	/* MARCXML/JSON: validation and NFC only, whatever leader/09 says */
	r = mk(' ', "Vie\xcc\xa3\xcc\x82t", 8);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 1, &w, &e), 0);
	CHECK_STR(val(r), "Việt");
	CHECK(rec_leader(r)[9] == 'a');
	rec_destroy(r);
	sb_reset(&e);
	r = mk('a', "Vi\xf2\xe3" "et", 6);
	CHECK_INT(charset_fix_record(r, CS_MARC8, 1, &w, &e), -1);
	CHECKF(has(&e, "245 $a: invalid UTF-8 at byte 3 of the value"), "%s", e.buf);
	rec_destroy(r);

	/* ESC in a record that says UTF-8 is a control character, not MARC-8 */
	sb_reset(&w);
	r = mk('a', "x\x1bgab", 5);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "x\x1bgab");
	CHECKF(has(&w, "U+001B"), "%s", w.buf);
	rec_destroy(r);
	r = mk(' ', "x\x1bgab\x1bs", 7);                   /* ... and MARC-8 Greek when blank */
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "xαβ");
	rec_destroy(r);

	/* control characters are kept, with a warning; NSB/NSE are not warned */
	sb_reset(&w);
	r = mk('a', "a\tb", 3);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "a\tb");
	CHECKF(has(&w, "245 $a: control character U+0009 at byte 2 of the value (kept)"), "%s", w.buf);
	rec_destroy(r);
	sb_reset(&w);
	r = mk(' ', "\x88The\x89 book", 10);                 /* MARC-8 NSB/NSE */
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "\xc2\x98The\xc2\x9c book");
	CHECK_INT(w.len, 0);
	rec_destroy(r);
	sb_reset(&w);
	r = mk(' ', "x\x7fy \xe2" "e", 6);                   /* MARC-8 with DEL: yaz drops it */
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), "x\x7fy é");
	CHECKF(has(&w, "U+007F"), "%s", w.buf);
	rec_destroy(r);

	/* marks on spaces: kept (cataloguing slips exist) but warned */
	sb_reset(&w);
	r = mk(' ', "pr\xe2" "ec\xe2" "ede \xe2 de", 13);
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECKF(has(&w, "245 $a: a MARC-8 combining mark stands on a space"), "%s", w.buf);
	rec_destroy(r);

	sb_release(&w);
	sb_release(&e);
}

/* What yaz would pass silently (or half-decode) must be refused. */
static void check_bad_m8(const char *v, size_t n, const char *want)
{
	strbuf e = STRBUF_INIT;
	rec *r = mk(' ', v, n);
	int rc = charset_fix_record(r, CS_AUTO, 0, NULL, &e);
	CHECKF(rc == -1 && has(&e, want), "MARC-8 '%.*s': rc %d, '%s', want '%s'", (int)n, v, rc,
	       e.buf ? e.buf : "", want);
	sb_reset(&e);
	rc = charset_fix_record(r, CS_MARC8, 0, NULL, &e);
	CHECKF(rc == -1 && has(&e, want), "forced MARC-8 '%.*s': rc %d, '%s'", (int)n, v, rc,
	       e.buf ? e.buf : "");
	sb_release(&e);
	rec_destroy(r);
}

static void test_bad_marc8(void)
{
	check_bad_m8("Soci\x1bt\xe2" "e", 7, "245 $a: unknown MARC-8 escape sequence ESC t at byte 5");
	check_bad_m8("La Soci\xe2" "et\x1b,", 11, "incomplete MARC-8 escape sequence at byte 11");
	check_bad_m8("a\x1b$", 3, "incomplete MARC-8 escape sequence at byte 2");
	check_bad_m8("\x1b$1!PVK", 7, "truncated CJK (EACC) character at byte 7");
	check_bad_m8("\x1b$1!PVK7\x1b(B", 11, "truncated CJK (EACC) character at byte 7");
	check_bad_m8("abc\xca" "d", 5, "byte 0xCA at byte 4 of the value is not a MARC-8 character");
	check_bad_m8("abc\xe2", 4, "incomplete MARC-8 at byte 4 of the value");
	check_bad_m8("\x1b(X abc", 7, "unknown MARC-8 escape sequence ESC ( X");
	/* an EACC code yaz has no character for */
	check_bad_m8("\x1b$1zzz\x1b(B", 9, "not defined in the MARC-8 CJK (EACC) set");
	/* a good escape is fine: Greek, and back */
	strbuf e = STRBUF_INIT;
	char *s = charset_decode("\x1bgabc\x1bs", 7, CS_MARC8, &e);
	CHECK_STR(s, "αβγ");
	free(s);
	s = charset_decode("\x1b(NPQR\x1b(B", 9, CS_MARC8, &e);
	CHECK(s != NULL && strlen(s) == 6);
	free(s);
	sb_release(&e);
}

/* UTF-8 -> MARC-8 -> UTF-8 */
static void test_to_marc8(void)
{
	strbuf e = STRBUF_INIT, w = STRBUF_INIT;
	rec *r = mk('a', VN, strlen(VN));
	CHECK_INT(charset_to_marc8(r, 0, &e), 0);
	CHECK(rec_leader(r)[9] == ' ');
	CHECK(!is_ascii(val(r), strlen(val(r))));
	CHECK(strstr(val(r), "&#x") == NULL);
	CHECK(utf8_valid(val(r), strlen(val(r)), NULL) == 0);      /* really MARC-8 bytes */
	CHECK_INT(charset_fix_record(r, CS_AUTO, 0, &w, &e), 0);
	CHECK_STR(val(r), VN);
	CHECK_STR(rec_sub_value(r, 1, 1, NULL), "plain");
	rec_destroy(r);

	/* every Vietnamese letter, both cases */
	static const char all[] =
		"aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
		"AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬEÈẺẼÉẸÊỀỂỄẾỆIÌỈĨÍỊOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢUÙỦŨÚỤƯỪỬỮỨỰYỲỶỸÝỴĐ";
	r = mk('a', all, strlen(all));
	CHECK_INT(charset_to_marc8(r, 0, &e), 0);
	CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
	CHECK_STR(val(r), all);
	rec_destroy(r);

	/* a character MARC-8 lacks: refused, with tag, subfield, code point */
	sb_reset(&e);
	r = mk('a', "Giá 85000₫", strlen("Giá 85000₫"));
	rec *orig = rec_clone(r);
	CHECK_INT(charset_to_marc8(r, 0, &e), -1);
	CHECKF(has(&e, "245 $a: U+20AB (₫) cannot be written in MARC-8"), "%s", e.buf);
	CHECK_INT(rec_compare(r, orig, NULL, 0), 0);
	CHECK(rec_leader(r)[9] == 'a');
	/* lossless: NCR */
	CHECK_INT(charset_to_marc8(r, 1, &e), 0);
	CHECKF(strstr(val(r), "&#x20AB;") != NULL, "%s", val(r));
	CHECK_INT(charset_fix_record(r, CS_MARC8, CHARSET_NCR, &w, &e), 0);
	CHECK_STR(val(r), "Giá 85000₫");                /* read back as the character */
	rec_destroy(r);
	rec_destroy(orig);

	sb_reset(&e);
	r = mk('a', "Cười 😀 nhé", strlen("Cười 😀 nhé"));
	CHECK_INT(charset_to_marc8(r, 0, &e), -1);
	CHECKF(has(&e, "U+1F600"), "%s", e.buf);
	CHECK_INT(charset_to_marc8(r, 1, &e), 0);
	CHECK_INT(charset_fix_record(r, CS_MARC8, CHARSET_NCR, &w, &e), 0);
	CHECK_STR(val(r), "Cười 😀 nhé");
	rec_destroy(r);

	/* NCRs in MARC-8 records (LC's convention): read as the character,
	 * in ASCII-only values too; controls, malformed ones and the decimal
	 * form stay text */
	{
		static const struct { const char *in, *want; } ncr[] = {
			{ "Price &#x20AB;", "Price ₫" },
			{ "&#x1f600;&#X41;", "😀A" },
			{ "a &#x1F; b", "a &#x1F; b" },
			{ "&#xD800; &#x110000; &#x; &#x1234567; &#41; &#xZZ;",
			  "&#xD800; &#x110000; &#x; &#x1234567; &#41; &#xZZ;" },
			{ "AT&T &#x41", "AT&T &#x41" },
			{ "&#x0026;#x41;", "&#x41;" },       /* an escaped '&': decoded once */
			/* a mark before the reference (MARC-8 order: ESC-free ANSEL
			 * acute 0xE2, then the reference): goes on the character */
			{ "\xE2&#x0250;x", "\xC9\x90\xCC\x81x" },
		};
		for (size_t i = 0; i < sizeof ncr / sizeof *ncr; i++) {
			sb_reset(&e);
			r = mk(' ', ncr[i].in, strlen(ncr[i].in));
			CHECKF(charset_fix_record(r, CS_MARC8, CHARSET_NCR, &w, &e) == 0, "%s: %s",
			       ncr[i].in, e.buf);
			CHECK_STR(val(r), ncr[i].want);
			rec_destroy(r);
			/* without CHARSET_NCR (.mrk, with references of its own) text */
			if (!strchr(ncr[i].in, '\xE2')) {
				r = mk(' ', ncr[i].in, strlen(ncr[i].in));
				CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
				CHECK_STR(val(r), ncr[i].in);
				rec_destroy(r);
			}
		}
	}
	/* the ISO 2709 writer (lossless 2) escapes a '&' of the data that would
	 * read back as an NCR; lossless 1 (.mrk, which has {amp}) does not */
	{
		const char *lit = "AT&T &#x41; Giá 85000₫ &#x1F;";
		r = mk('a', lit, strlen(lit));
		sb_reset(&e);
		CHECK_INT(charset_to_marc8(r, 2, &e), 0);
		CHECKF(strstr(val(r), "&#x0026;#x41;") && strstr(val(r), "AT&T ") &&
		       strstr(val(r), "&#x20AB;") && strstr(val(r), " &#x1F;"), "%s", val(r));
		CHECK_INT(charset_fix_record(r, CS_MARC8, CHARSET_NCR, &w, &e), 0);
		CHECK_STR(val(r), lit);                             /* round trip */
		rec_destroy(r);
		/* a mark on a character MARC-8 lacks goes before its reference */
		const char *marked = "x \xC9\x90\xCC\x81\xCC\xA3 y";   /* ɐ + acute + dot below */
		r = mk('a', marked, strlen(marked));
		sb_reset(&e);
		CHECKF(charset_to_marc8(r, 2, &e) == 0, "%s", e.buf);
		CHECKF(strstr(val(r), "&#x0250;") != NULL && strstr(val(r), "&#x0250;") > val(r) + 2,
		       "%s", val(r));
		CHECK_INT(charset_fix_record(r, CS_MARC8, CHARSET_NCR, &w, &e), 0);
		strbuf want = STRBUF_INIT;
		charset_nfc_append(marked, strlen(marked), &want);
		CHECK_STR(val(r), want.buf);
		sb_release(&want);
		rec_destroy(r);
		r = mk('a', lit, strlen(lit));
		CHECK_INT(charset_to_marc8(r, 1, &e), 0);
		CHECKF(strstr(val(r), "AT&T &#x41; ") != NULL, "%s", val(r));
		rec_destroy(r);
		/* lossless 1 (.mrk): the marks on such a character are references
		 * too (as MARC-8 they would land on the reference's '&') */
		r = mk('a', marked, strlen(marked));
		sb_reset(&e);
		CHECKF(charset_to_marc8(r, 1, &e) == 0, "%s", e.buf);
		CHECK_STR(val(r), "x &#x0250;&#x0323;&#x0301; y");   /* NFC order */
		rec_destroy(r);
		const char *ka = "\xE0\xA4\x95\xCC\x81 ca\xCC\x81";   /* Devanagari ka + acute; a + acute */
		r = mk('a', ka, strlen(ka));
		sb_reset(&e);
		CHECKF(charset_to_marc8(r, 1, &e) == 0, "%s", e.buf);
		CHECK_STR(val(r), "&#x0915;&#x0301; c\xE2" "a");
		rec_destroy(r);
	}

	/* ESC in UTF-8 data cannot go into MARC-8 as it is */
	sb_reset(&e);
	r = mk('a', "a\x1b" "b", 3);
	CHECK_INT(charset_to_marc8(r, 0, &e), -1);
	CHECKF(has(&e, "U+001B"), "%s", e.buf);
	rec_destroy(r);

	/* invalid UTF-8 is refused */
	sb_reset(&e);
	r = mk('a', "a\xff", 2);
	CHECK_INT(charset_to_marc8(r, 0, &e), -1);
	CHECKF(has(&e, "245 $a: invalid UTF-8"), "%s", e.buf);
	rec_destroy(r);

	/* other scripts go through escape sequences and come back */
	static const char *const scripts[] = { "Ελληνικά", "Русский", "עברית", "中文", "Ærø ß ©", NULL };
	for (int i = 0; scripts[i]; i++) {
		r = mk('a', scripts[i], strlen(scripts[i]));
		sb_reset(&e);
		int rc = charset_to_marc8(r, 0, &e);
		CHECKF(rc == 0, "%s: %s", scripts[i], e.buf);
		if (rc == 0) {
			CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
			CHECK_STR(val(r), scripts[i]);
		}
		rec_destroy(r);
	}
	/* the ligature / double tilde halves U+FE20-FE23 (OCLC and LC UTF-8
	 * records: "t︠s︡") are MARC-8's EB..EC / FA..FB (they were refused:
	 * "U+FE20 cannot be written in MARC-8"); read back as U+0361 / U+0360 */
	r = mk('a', "Moskovskiĭ t︠s︡entr n︢g︣", strlen("Moskovskiĭ t︠s︡entr n︢g︣"));
	sb_reset(&e);
	CHECKF(charset_to_marc8(r, 0, &e) == 0, "%s", e.buf);
	CHECKF(strstr(val(r), "\xEBt\xECs") != NULL && strstr(val(r), "\xFAn\xFBg") != NULL, "%s", val(r));
	CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
	CHECK_STR(val(r), "Moskovskiĭ t\u0361sentr n\u0360g");
	rec_destroy(r);
	r = mk('a', "second half alone︡", strlen("second half alone︡"));
	CHECK_INT(charset_to_marc8(r, 0, &e), -1);
	CHECKF(has(&e, "U+FE21"), "%s", e.buf);
	rec_destroy(r);
	/* DEL, kept (with a warning) when a MARC-8 record is read, is written
	 * back as it was (yaz drops it: "the value does not survive") */
	static const char *const del[] = { "a\x7F" "b", "\xD7\xA9\xD7\x95\x7F\xD7\xAA", NULL };
	for (int i = 0; del[i]; i++) {
		r = mk('a', del[i], strlen(del[i]));
		sb_reset(&e);
		int rc = charset_to_marc8(r, 0, &e);
		CHECKF(rc == 0, "DEL %d: %s", i, e.buf);
		if (rc == 0) {
			CHECK(strchr(val(r), 0x7F) != NULL);
			CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
			CHECK_STR(val(r), del[i]);
		}
		rec_destroy(r);
	}
	/* letters MARC-8 holds whole although Unicode decomposes them (Hangul,
	 * kana with dakuten, Arabic hamza forms, Cyrillic й ё): they come back
	 * from a MARC-8 file decoded, and must go back to MARC-8 (they were
	 * decomposed into marks MARC-8 lacks, and the record refused) */
	static const char *const whole[] = { "함께 김", "ずっと ガ", "أحمد إؤئآ", "Йод ёлка ЎЁ", NULL };
	for (int i = 0; whole[i]; i++) {
		r = mk('a', whole[i], strlen(whole[i]));
		sb_reset(&e);
		int rc = charset_to_marc8(r, 0, &e);
		CHECKF(rc == 0, "%s: %s", whole[i], e.buf);
		if (rc == 0) {
			CHECK(strchr(val(r), '\xE6') == NULL);          /* no ANSEL breve for й */
			CHECK_INT(charset_fix_record(r, CS_MARC8, 0, &w, &e), 0);
			CHECK_STR(val(r), whole[i]);
		}
		rec_destroy(r);
	}
	sb_release(&e);
	sb_release(&w);
}

/* ---- with the shared corpus ---- */

static int load(const char *rel, rec ***out)
{
	const char *p = t_shared(rel);
	size_t n, off = 0;
	char *b = p ? t_slurp(p, &n) : NULL;
	if (!b)
		return -1;
	int k = 0, cap = 64;
	rec **v = xmalloc((size_t)cap * sizeof *v);
	rec *r = rec_create();
	while (t_iso_next(b, n, &off, r)) {
		if (k == cap)
			v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		v[k++] = rec_clone(r);
	}
	rec_destroy(r);
	free(b);
	*out = v;
	return k;
}

static void free_recs(rec **v, int n)
{
	for (int i = 0; i < n; i++)
		rec_destroy(v[i]);
	free(v);
}

static void test_brkrtest(void)
{
	rec **m8, **u8;
	int n8 = load("vi/marc4j-brkrtest.mrc", &m8), nu = load("vi/marc4j-brkrtest_UTF8.mrc", &u8);
	if (n8 < 0 || nu < 0) {
		SKIP("vi/marc4j-brkrtest*.mrc not present");
		if (n8 >= 0)
			free_recs(m8, n8);
		if (nu >= 0)
			free_recs(u8, nu);
		return;
	}
	CHECK_INT(n8, 8);
	CHECK_INT(nu, 8);
	int values = 0, same = 0;
	for (int i = 0; i < n8 && i < nu; i++) {
		strbuf e = STRBUF_INIT;
		CHECKF(charset_fix_record(m8[i], CS_AUTO, 0, NULL, &e) == 0, "brkrtest %d: %s", i + 1, e.buf);
		CHECKF(charset_fix_record(u8[i], CS_AUTO, 0, NULL, &e) == 0, "brkrtest_UTF8 %d: %s", i + 1, e.buf);
		for (size_t j = 0;; j++) {
			size_t la, lb, fa, fb;
			long sa, sb;
			const char *a = t_value(m8[i], j, &la, &fa, &sa), *b = t_value(u8[i], j, &lb, &fb, &sb);
			if (!a || !b) {
				CHECK(!a && !b);
				break;
			}
			values++;
			if (la == lb && !memcmp(a, b, la) && !strcmp(rec_tag(m8[i], fa), rec_tag(u8[i], fb)))
				same++;
			else
				CHECKF(0, "brkrtest %d %s: '%.*s' vs '%.*s'", i + 1, rec_tag(m8[i], fa),
				       (int)la, a, (int)lb, b);
		}
		/* and back to MARC-8 and again to UTF-8: unchanged */
		rec *c = rec_clone(u8[i]);
		CHECKF(charset_to_marc8(c, 0, &e) == 0, "brkrtest %d to MARC-8: %s", i + 1, e.buf);
		CHECK_INT(charset_fix_record(c, CS_AUTO, 0, NULL, &e), 0);
		CHECK_INT(rec_compare(c, u8[i], NULL, 0), 0);
		rec_destroy(c);
		sb_release(&e);
	}
	CHECKF(values > 300, "%d values", values);
	CHECK_INT(same, values);
	free_recs(m8, n8);
	free_recs(u8, nu);
}

static void test_bad_files(void)
{
	static const struct { const char *file; const char *want; } bad[] = {
		{ "bad/pymarc-bad_marc8_escape.dat", "unknown MARC-8 escape sequence ESC t" },
		{ "bad/marc4j-incomplete_esc_seq.mrc", "truncated CJK (EACC) character" },
		{ "bad/pymarc-bad_eacc_encoding.dat", "truncated CJK (EACC) character" },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		rec **v;
		int n = load(bad[k].file, &v);
		if (n < 0) {
			SKIP(bad[k].file);
			continue;
		}
		CHECK_INT(n, 1);
		strbuf e = STRBUF_INIT;
		CHECKF(n == 1 && charset_fix_record(v[0], CS_AUTO, 0, NULL, &e) == -1 && has(&e, bad[k].want),
		       "%s: '%s', want '%s'", bad[k].file, e.buf ? e.buf : "", bad[k].want);
		sb_release(&e);
		free_recs(v, n);
	}
}

/* Real MARC-8 batches: nothing rejected; time the firewall. */
static void test_batches(void)
{
	static const char *const files[] = {
		"bib/uva_001_2000.mrc", "bib/evergreen-lul_fre_500.mrc", "bib/evergreen-oss.marc",
		"bib/evergreen-hebrew.marc", "bib/folio-61PRINT160129.mrc", "bib/solrmarc-specTestRecs.mrc",
		"bib/marc8-scripts/perl-charset-cjk1.marc", "bib/marc8-scripts/perl-charset-cyrillic.marc",
		"bib/marc8-scripts/perl-charset-hebrew1.marc", "vi/yaz-marc7-marc8.marc",
		"vi/authored/bib-vi-marc8.mrc", "bib/evergreen-FSL.marc", "bib/loc-BooksAll.2014.part01-0001.mrc",
	};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		rec **v;
		int n = load(files[k], &v);
		if (n < 0) {
			SKIP(files[k]);
			continue;
		}
		int ok = 0;
		for (int i = 0; i < n; i++) {
			strbuf e = STRBUF_INIT;
			if (charset_fix_record(v[i], CS_AUTO, 0, NULL, &e) == 0 && rec_leader(v[i])[9] == 'a')
				ok++;
			else
				CHECKF(0, "%s record %d: %s", files[k], i + 1, e.buf);
			/* the result is valid UTF-8 NFC everywhere */
			for (size_t j = 0;; j++) {
				size_t len, f;
				long s;
				const char *x = t_value(v[i], j, &len, &f, &s);
				if (!x)
					break;
				char *nfc = utf8_nfc(x, len);
				CHECKF(nfc && strlen(nfc) == len && !memcmp(nfc, x, len), "%s record %d %s: not NFC",
				       files[k], i + 1, rec_tag(v[i], f));
				free(nfc);
			}
			sb_release(&e);
		}
		CHECK_INT(ok, n);
		free_recs(v, n);
	}

	/* speed: uva_001_2000 (MARC-8) 50 times = 100,000 records */
	const char *p = t_shared("bib/uva_001_2000.mrc");
	size_t len;
	char *buf = p ? t_slurp(p, &len) : NULL;
	if (!buf) {
		SKIP("bib/uva_001_2000.mrc not present: no timing");
		return;
	}
	rec **v;
	int n = load("bib/uva_001_2000.mrc", &v);
	rec *r = rec_create();
	double t_copy = 0, t_fix = 0;
#ifdef __SANITIZE_ADDRESS__
	int reps = 2;                           /* the timing means nothing here */
#else
	int reps = 50;
#endif
	if (getenv("BM_CHARSET_REPS"))
		reps = atoi(getenv("BM_CHARSET_REPS"));
	for (int k = 0; k < reps; k++)
		for (int i = 0; i < n; i++) {
			struct timespec a, b, c;
			clock_gettime(CLOCK_MONOTONIC, &a);
			rec_copy(r, v[i]);
			clock_gettime(CLOCK_MONOTONIC, &b);
			charset_fix_record(r, CS_AUTO, 0, NULL, NULL);
			clock_gettime(CLOCK_MONOTONIC, &c);
			t_copy += (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
			t_fix += (double)(c.tv_sec - b.tv_sec) + (c.tv_nsec - b.tv_nsec) / 1e9;
		}
	fprintf(stderr, "charset_fix_record on MARC-8 (uva_001_2000 x %d): %d records in %.3f s, "
	        "%.0f records/s\n", reps, reps * n, t_fix, t_fix > 0 ? reps * n / t_fix : 0);
	CHECK(t_fix > 0);
	rec_destroy(r);
	free_recs(v, n);
	free(buf);
}

int main(void)
{
	test_nfc();
	test_nfc_random();
	test_fold();
	test_decode();
	test_auto();
	test_bad_marc8();
	test_to_marc8();
	test_brkrtest();
	test_bad_files();
	test_batches();
	charset_cleanup();
	DONE();
}
