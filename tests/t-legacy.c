/*
 * t-legacy.c - legacy Vietnamese encodings: every row of
 * tests/data/legacy-samples.tsv decodes to its NFC text, the tables agree
 * byte for byte with glibc's iconv (TCVN5712-1, VISCII, CP1258), the
 * syllable checker, the detector and the TCVN3 capitals recovery; with
 * ../shared/data, the authored bib-vi-*.mrc files decode value for value
 * to bib-vi.mrc and are each detected as what they are.
 */
#include <iconv.h>
#include <utf8proc.h>

#include "harness.h"
#include "charset-iso.h"
#include "rec.h"
#include "util.h"
#include "charset.h"
#include "charset-legacy.h"
#include "marcio.h"

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Map a tsv encoding column to a charset. */
static int tsv_cs(const char *enc)
{
	if (!strcmp(enc, "TCVN3") || !strcmp(enc, "TCVN5712-1"))
		return CS_TCVN3;
	if (!strcmp(enc, "VNI-WIN"))
		return CS_VNI;
	if (!strcmp(enc, "VISCII"))
		return CS_VISCII;
	if (!strcmp(enc, "CP1258"))
		return CS_CP1258;
	if (!strcmp(enc, "MARC-8"))
		return CS_MARC8;
	if (!strcmp(enc, "UTF-8-NFD"))
		return CS_UTF8;
	return -1;
}

struct sample {
	int cs;
	char *bytes;
	size_t n;
	char *text;
};
static struct sample samples[400];
static size_t nsamples;

static void test_samples(void)
{
	size_t n;
	char *tsv = t_slurp(t_root("tests/data/legacy-samples.tsv"), &n);
	CHECK(tsv != NULL);
	if (!tsv)
		return;
	int rows = 0, good = 0, per[16] = { 0 };
	char *save = NULL;
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2 || !strncmp(line, "encoding\t", 9))
			continue;
		*t1 = *t2 = 0;
		int cs = tsv_cs(line);
		CHECKF(cs >= 0, "unknown encoding %s", line);
		if (cs < 0)
			continue;
		char bytes[256];
		size_t nb = 0;
		for (char *h = t1 + 1; h[0] && h[1] && nb < sizeof bytes; h += 2)
			bytes[nb++] = (char)(hexval(h[0]) * 16 + hexval(h[1]));
		strbuf err = STRBUF_INIT;
		char *got = charset_decode(bytes, nb, cs, &err);
		rows++;
		if (got && !strcmp(got, t2 + 1))
			good++;
		else
			CHECKF(0, "%s %s: got '%s' (%s), want '%s'", line, t1 + 1, got ? got : "(null)",
			       err.buf ? err.buf : "", t2 + 1);
		per[cs]++;
		if (nsamples < sizeof samples / sizeof samples[0] && cs != CS_UTF8 && strcmp(line, "TCVN5712-1")) {
			samples[nsamples].cs = cs;
			samples[nsamples].bytes = xstrndup(bytes, nb);
			samples[nsamples].n = nb;
			samples[nsamples].text = xstrdup(t2 + 1);
			nsamples++;
		}
		free(got);
		sb_release(&err);
	}
	CHECK_INT(rows, 313);
	CHECK_INT(good, rows);
	CHECK_INT(per[CS_TCVN3], 61);
	CHECK_INT(per[CS_VNI], 50);
	CHECK_INT(per[CS_VISCII], 50);
	CHECK_INT(per[CS_CP1258], 52);
	CHECK_INT(per[CS_MARC8], 50);
	CHECK_INT(per[CS_UTF8], 50);
	free(tsv);
}

/* NFC of a UTF-8 string from iconv. */
static char *iconv_byte(iconv_t cd, const char *in, size_t n)
{
	char out[64], *o = out, *i = (char *)in;
	size_t il = n, ol = sizeof out;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &i, &il, &o, &ol) == (size_t)-1)
		return NULL;
	iconv(cd, NULL, NULL, &o, &ol);         /* TCVN, CP1258: glibc holds a letter back */
	return utf8_nfc(out, (size_t)(o - out));
}

/* Every byte of our tables against glibc, where glibc has the encoding. */
static void test_vs_iconv(void)
{
	static const struct { const char *name; int cs; } enc[] = {
		{ "TCVN5712-1", CS_TCVN3 }, { "VISCII", CS_VISCII }, { "CP1258", CS_CP1258 },
	};
	for (size_t e = 0; e < sizeof enc / sizeof enc[0]; e++) {
		iconv_t cd = iconv_open("UTF-8", enc[e].name);
		if (cd == (iconv_t)-1) {
			SKIP("glibc iconv has no such encoding");
			continue;
		}
		int same = 0, diff = 0, undefined = 0;
		for (int b = 1; b < 256; b++) {
			if (b == 0x1B)
				continue;
			/* a tone byte is tested on a letter */
			char one[1] = { (char)b }, two[2] = { 'a', (char)b };
			char *want = iconv_byte(cd, one, 1);
			if (want && !strcmp(want, "?") && b != '?') {   /* glibc's "undefined" */
				free(want);
				want = NULL;
			}
			int mark = 0;
			if (want) {
				utf8proc_int32_t c;
				utf8proc_iterate((const utf8proc_uint8_t *)want, -1, &c);
				mark = utf8proc_category(c) == UTF8PROC_CATEGORY_MN;
			}
			if (mark) {
				free(want);
				want = iconv_byte(cd, two, 2);
			}
			strbuf err = STRBUF_INIT;
			char *got = charset_decode(mark ? two : one, mark ? 2 : 1, enc[e].cs, &err);
			if (!want) {
				undefined++;
				/* glibc leaves it undefined: so must we (C0 controls aside) */
				if (b >= 0x80)
					CHECKF(got == NULL, "%s byte %02X: glibc has none, we give '%s'",
					       enc[e].name, b, got);
			} else if (got && !strcmp(got, want))
				same++;
			else if (b < 0x20 && got && (unsigned char)got[0] == b && !got[1] &&
			         enc[e].cs == CS_TCVN3) {
				/* TCVN5712-1 C0 capitals: we decode them too, see below */
				CHECKF(0, "%s byte %02X: want '%s', got the control character",
				       enc[e].name, b, want);
			} else {
				diff++;
				CHECKF(0, "%s byte %02X: glibc '%s', we '%s'", enc[e].name, b, want,
				       got ? got : err.buf);
			}
			free(want);
			free(got);
			sb_release(&err);
		}
		CHECKF(diff == 0, "%s: %d bytes differ from glibc", enc[e].name, diff);
		CHECK(same >= 128);
		iconv_close(cd);
	}
}

static void test_names(void)
{
	CHECK_INT(charset_parse_name("auto"), CS_AUTO);
	CHECK_INT(charset_parse_name("AUTO-VI"), CS_AUTO_VI);
	CHECK_INT(charset_parse_name("utf-8"), CS_UTF8);
	CHECK_INT(charset_parse_name("marc8"), CS_MARC8);
	CHECK_INT(charset_parse_name("Latin1"), CS_LATIN1);
	CHECK_INT(charset_parse_name("tcvn3"), CS_TCVN3);
	CHECK_INT(charset_parse_name("abc"), CS_TCVN3);
	CHECK_INT(charset_parse_name("tcvn5712-1"), CS_TCVN3);
	CHECK_INT(charset_parse_name("vni"), CS_VNI);
	CHECK_INT(charset_parse_name("vni-windows"), CS_VNI);
	CHECK_INT(charset_parse_name("viscii"), CS_VISCII);
	CHECK_INT(charset_parse_name("cp1258"), CS_CP1258);
	CHECK_INT(charset_parse_name("windows-1258"), CS_CP1258);
	CHECK_INT(charset_parse_name("klingon"), -1);
	CHECK_STR(charset_name(CS_AUTO_VI), "auto-vi");
	CHECK_STR(charset_name(CS_TCVN3), "tcvn3");
	for (int cs = CS_AUTO; cs <= CS_CP1258; cs++)
		CHECK_INT(charset_parse_name(charset_name(cs)), cs);
	CHECK(strstr(charset_names(), "auto-vi") != NULL);
}

static void test_words(void)
{
	static const char *const vi[] = {
		"Nguyễn", "trường", "Đại", "học", "khuya", "người", "nghiêng", "quốc", "giữ", "gìn",
		"hoà", "hòa", "thuỷ", "thủy", "khỏe", "khoẻ", "TRƯỜNG", "TRƯờNG", "ĐạI", "yêu", "uyên",
		"khuỷu", "xoong", "Việt", "chuyện", "được", "ươm", "Ánh", "ĐHQG", NULL
	};
	static const char *const not_vi[] = {
		"Société", "mớĭ", "thÝch", "tÝch", "ờnh", "lỡch", "thàt", "hoạn̂", "Müller", "ắi",
		"Thụ̆n", NULL
	};
	for (int i = 0; vi[i]; i++)
		CHECKF(charset_word_class(vi[i], strlen(vi[i])) == 2, "'%s' should be Vietnamese", vi[i]);
	for (int i = 0; not_vi[i]; i++)
		CHECKF(charset_word_class(not_vi[i], strlen(not_vi[i])) != 2, "'%s' is not Vietnamese",
		       not_vi[i]);
	CHECK_INT(charset_word_class("Société", strlen("Société")), 1);
	CHECK_INT(charset_word_class("Thụ\xcc\x86n", strlen("Thụ\xcc\x86n")), 0);
}

/* A record of one encoding built from the samples: detection must pick
 * that encoding. Works without ../shared. */
static void test_detect_samples(void)
{
	static const int css[] = { CS_TCVN3, CS_VNI, CS_VISCII, CS_CP1258, CS_MARC8 };
	for (size_t k = 0; k < sizeof css / sizeof css[0]; k++) {
		rec *r = rec_create();
		rec_set_leader(r, "00000nam  2200000   4500", 24);
		size_t f = rec_add_field(r, "520", ' ', ' ');
		strbuf v = STRBUF_INIT;
		int words = 0;
		for (size_t i = 0; i < nsamples; i++) {
			if (samples[i].cs != css[k] || memchr(samples[i].bytes, 0x1E, samples[i].n) ||
			    memchr(samples[i].bytes, 0x1F, samples[i].n) || memchr(samples[i].bytes, 0x1D, samples[i].n))
				continue;
			if (v.len)
				sb_addc(&v, ' ');
			sb_add(&v, samples[i].bytes, samples[i].n);
			words++;
		}
		rec_add_sub(r, f, 'a', v.buf, v.len);
		int conf = -1;
		strbuf why = STRBUF_INIT;
		int got = charset_detect_legacy(r, &conf, &why);
		CHECKF(got == css[k] && conf >= 90, "samples of %s (%d words): detected %s at %d%%: %s",
		       charset_name(css[k]), words, got < 0 ? "none" : charset_name(got), conf, why.buf);
		/* and auto-vi reads it, saying so (MARC-8 silently) */
		strbuf w = STRBUF_INIT, e = STRBUF_INIT;
		rec *c = rec_clone(r);
		int used = -1;
		CHECKF(charset_fix_record_as(c, CS_AUTO_VI, 0, &w, &e, &used) == 0, "auto-vi %s: %s",
		       charset_name(css[k]), e.buf);
		CHECK_INT(used, css[k]);
		if (css[k] != CS_MARC8)
			CHECKF(w.buf && strstr(w.buf, "auto-vi: read as "), "auto-vi %s: warning '%s'",
			       charset_name(css[k]), w.buf ? w.buf : "");
		/* plain auto never guesses a legacy encoding: it refuses and hints */
		rec *d = rec_clone(r);
		sb_reset(&e);
		if (css[k] != CS_MARC8) {
			CHECKF(charset_fix_record(d, CS_AUTO, 0, NULL, &e) == -1 && e.buf &&
			       strstr(e.buf, "--from-charset") && strstr(e.buf, charset_name(css[k])),
			       "auto on %s: '%s'", charset_name(css[k]), e.buf ? e.buf : "");
		}
		rec_destroy(c);
		rec_destroy(d);
		sb_release(&w);
		sb_release(&e);
		sb_release(&why);
		sb_release(&v);
		rec_destroy(r);
	}
	/* thin evidence is refused, not guessed: one word, TCVN3 or VISCII? */
	rec *r = rec_create();
	size_t f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "m\xD1", 2);            /* "mẹ" in TCVN3, "mứ" in VISCII */
	int conf;
	strbuf why = STRBUF_INIT, e = STRBUF_INIT;
	charset_detect_legacy(r, &conf, &why);
	CHECKF(conf < CHARSET_DETECT_MIN, "one word: %d%% (%s)", conf, why.buf);
	CHECK(charset_fix_record(r, CS_AUTO_VI, 0, NULL, &e) == -1);
	CHECKF(e.buf && strstr(e.buf, "cannot tell"), "%s", e.buf ? e.buf : "");
	/* bytes that read as nothing (TCVN3 and VISCII define every high
	 * byte, so something always decodes) */
	rec_clear(r);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "\x81\x8D\x90 \xCC", 5);
	sb_reset(&why);
	CHECK_INT(charset_detect_legacy(r, &conf, &why), -1);
	CHECK_INT(conf, 0);
	CHECKF(why.buf && strstr(why.buf, "reads as Vietnamese in any encoding"), "%s", why.buf ? why.buf : "");
	/* pure ASCII and UTF-8 */
	rec_clear(r);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "Plain", 5);
	CHECK_INT(charset_detect_legacy(r, &conf, NULL), CS_UTF8);
	CHECK_INT(conf, 100);
	rec_set_sub(r, f, 0, 'a', "Việt", strlen("Việt"));
	CHECK_INT(charset_detect_legacy(r, &conf, NULL), CS_UTF8);
	sb_release(&why);
	sb_release(&e);
	rec_destroy(r);
}

static rec *one_value(const char *tag, char code, const char *v)
{
	rec *r = rec_create();
	size_t f = rec_add_field(r, tag, ' ', ' ');
	rec_add_sub(r, f, code, v, strlen(v));
	return r;
}

static void check_caps(const char *tag, char code, const char *in, const char *want)
{
	rec *r = one_value(tag, code, in);
	charset_tcvn3_recover_caps(r);
	CHECKF(!strcmp(rec_sub_value(r, 0, 0, NULL), want), "%s $%c '%s': got '%s', want '%s'",
	       tag, code, in, rec_sub_value(r, 0, 0, NULL), want);
	rec_destroy(r);
}

static void test_caps(void)
{
	check_caps("245", 'a', "TRƯờNG ĐạI HọC SƯ PHạM", "TRƯỜNG ĐẠI HỌC SƯ PHẠM");
	check_caps("245", 'b', "ĐI ở ĐÂU", "ĐI Ở ĐÂU");
	check_caps("100", 'a', "Nguyễn Nhật ánh,", "Nguyễn Nhật Ánh,");
	check_caps("700", 'a', "Nguyễn, Nhật ánh", "Nguyễn, Nhật Ánh");
	check_caps("245", 'c', "Nguyễn ái Quốc.", "Nguyễn Ái Quốc.");
	check_caps("245", 'c', "Nguyễn Nhật ánh", "Nguyễn Nhật Ánh");
	check_caps("650", 'a', "ẩm thực", "Ẩm thực");
	check_caps("653", 'a', "ứng dụng văn phòng", "Ứng dụng văn phòng");
	check_caps("245", 'a', "ảo ảnh", "Ảo ảnh");
	check_caps("500", 'a', "Có tranh minh họa. ảnh màu.", "Có tranh minh họa. Ảnh màu.");
	/* what cannot or must not change */
	check_caps("500", 'a', "Với sự tài trợ của ủy ban nhân dân", "Với sự tài trợ của ủy ban nhân dân");
	check_caps("245", 'b', "ảnh và đời", "ảnh và đời");
	check_caps("336", 'a', "ảnh tĩnh", "ảnh tĩnh");
	check_caps("300", 'b', "ảnh màu", "ảnh màu");
	check_caps("245", 'a', "Hà Nội ở đâu", "Hà Nội ở đâu");
	check_caps("245", 'a', "Dữ liệu", "Dữ liệu");
	check_caps("245", 'c', "Nguyễn Văn A biên soạn ; ảnh: Trần B", "Nguyễn Văn A biên soạn ; ảnh: Trần B");
	check_caps("500", 'a', "Có 20 tr. ảnh màu", "Có 20 tr. ảnh màu");
	rec *r = one_value("245", 'a', "ASCII only");
	CHECK_INT(charset_tcvn3_recover_caps(r), 0);
	rec_destroy(r);
}

/* ---- the authored files (../shared/data/vi/authored) ---- */

static int load_file(const char *rel, rec ***out)
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

/* The master value with TCVN3's missing capitals made lower case. */
static char *lower_toned_caps(const char *s, size_t n)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
		utf8proc_int32_t d[4];
		utf8proc_ssize_t nd = utf8proc_decompose_char(c, d, 4, UTF8PROC_DECOMPOSE, NULL);
		int toned = 0;
		for (utf8proc_ssize_t j = 1; j < nd; j++)
			if (d[j] == 0x300 || d[j] == 0x301 || d[j] == 0x303 || d[j] == 0x309 || d[j] == 0x323)
				toned = 1;
		if (toned && utf8proc_isupper(c))
			c = utf8proc_tolower(c);
		utf8proc_uint8_t b[4];
		sb_add(&sb, b, (size_t)utf8proc_encode_char(c, b));
		i += (size_t)k;
	}
	return sb_detach(&sb, NULL);
}

static void test_authored(void)
{
	rec **master;
	int nm = load_file("vi/authored/bib-vi.mrc", &master);
	if (nm < 0) {
		SKIP("../shared/data/vi/authored not present");
		return;
	}
	CHECK_INT(nm, 46);
	static const struct { const char *file; int cs; } files[] = {
		{ "vi/authored/bib-vi-tcvn3.mrc", CS_TCVN3 },
		{ "vi/authored/bib-vi-vni.mrc", CS_VNI },
		{ "vi/authored/bib-vi-viscii.mrc", CS_VISCII },
		{ "vi/authored/bib-vi-cp1258.mrc", CS_CP1258 },
		{ "vi/authored/bib-vi-marc8.mrc", CS_MARC8 },
		{ "vi/authored/bib-vi-nfd.mrc", CS_UTF8 },
	};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		rec **v;
		int n = load_file(files[k].file, &v);
		if (n < 0) {
			SKIP(files[k].file);
			continue;
		}
		CHECK_INT(n, nm);
		int values = 0, same = 0, caps_lost = 0, caps_back = 0, detected = 0, minconf = 100;
		for (int i = 0; i < n && i < nm; i++) {
			/* detection, on the raw bytes */
			int conf;
			strbuf why = STRBUF_INIT;
			int got = charset_detect_legacy(v[i], &conf, &why);
			if (got == files[k].cs && conf >= CHARSET_DETECT_MIN)
				detected++;
			else
				CHECKF(0, "%s record %d: detected %s at %d%% (%s)", files[k].file, i + 1,
				       got < 0 ? "none" : charset_name(got), conf, why.buf);
			if (conf < minconf)
				minconf = conf;
			sb_release(&why);
			/* decoding, forced and by auto-vi */
			rec *a = rec_clone(v[i]);
			strbuf e = STRBUF_INIT;
			CHECKF(charset_fix_record(v[i], files[k].cs, 0, NULL, &e) == 0, "%s record %d: %s",
			       files[k].file, i + 1, e.buf);
			CHECKF(charset_fix_record(a, CS_AUTO_VI, 0, NULL, &e) == 0, "%s record %d auto-vi: %s",
			       files[k].file, i + 1, e.buf);
			CHECKF(rec_compare(a, v[i], NULL, 0) == 0, "%s record %d: auto-vi differs",
			       files[k].file, i + 1);
			CHECK(rec_leader(v[i])[9] == 'a');
			for (size_t j = 0;; j++) {
				size_t lm, lg, fm, fg;
				long sm, sg;
				const char *vm = t_value(master[i], j, &lm, &fm, &sm);
				const char *vg = t_value(v[i], j, &lg, &fg, &sg);
				if (!vm || !vg) {
					CHECK(!vm && !vg);
					break;
				}
				values++;
				if (lm == lg && !memcmp(vm, vg, lm)) {
					same++;
					continue;
				}
				if (files[k].cs == CS_TCVN3) {
					char *low = lower_toned_caps(vm, lm);
					if (strlen(low) == lg && !memcmp(low, vg, lg))
						caps_lost++;
					else
						CHECKF(0, "%s record %d %s: got '%.*s', want '%s'", files[k].file,
						       i + 1, rec_tag(master[i], fm), (int)lg, vg, low);
					free(low);
				} else
					CHECKF(0, "%s record %d %s: got '%.*s', want '%.*s'", files[k].file, i + 1,
					       rec_tag(master[i], fm), (int)lg, vg, (int)lm, vm);
			}
			if (files[k].cs == CS_TCVN3) {
				/* recovery: never spoils a right value, brings back what it can */
				rec *c = rec_clone(v[i]);
				charset_tcvn3_recover_caps(c);
				for (size_t j = 0;; j++) {
					size_t lm, lg, lc, fm, fg, fc;
					long sm, sg, sc;
					const char *vm = t_value(master[i], j, &lm, &fm, &sm);
					const char *vg = t_value(v[i], j, &lg, &fg, &sg);
					const char *vc = t_value(c, j, &lc, &fc, &sc);
					if (!vm || !vc)
						break;
					int was_right = lm == lg && !memcmp(vm, vg, lm);
					int is_right = lm == lc && !memcmp(vm, vc, lm);
					if (was_right)
						CHECKF(is_right, "recover_caps spoiled record %d %s: '%.*s' -> '%.*s'",
						       i + 1, rec_tag(c, fc), (int)lg, vg, (int)lc, vc);
					else if (is_right)
						caps_back++;
					else
						CHECKF(!strncmp(vm, "Sách được xuất bản với sự tài trợ của Ủy ban", 30),
						       "record %d %s: not recovered: '%.*s'", i + 1, rec_tag(c, fc),
						       (int)lc, vc);
				}
				rec_destroy(c);
			}
			rec_destroy(a);
			sb_release(&e);
		}
		CHECK_INT(detected, nm);
		if (files[k].cs == CS_TCVN3) {
			CHECK_INT(caps_lost, 8);        /* the README's list */
			CHECK_INT(caps_back, 7);        /* all but "... của Ủy ban" in a 500 */
			CHECK_INT(same + caps_lost, values);
		} else
			CHECK_INT(same, values);
		fprintf(stderr, "%s: %d values, %d records detected, lowest confidence %d%%\n",
		        files[k].file, values, detected, minconf);
		free_recs(v, n);
	}
	free_recs(master, nm);
}

int main(void)
{
	test_names();
	test_samples();
	test_vs_iconv();
	test_words();
	test_detect_samples();
	test_caps();
	test_authored();
	for (size_t i = 0; i < nsamples; i++) {
		free(samples[i].bytes);
		free(samples[i].text);
	}
	charset_cleanup();
	DONE();
}
