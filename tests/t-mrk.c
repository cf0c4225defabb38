/* t-mrk.c - unit tests of the MARCMaker/MarcEdit .mrk codec (src/mrk.c):
 * the mnemonic table, decoding and encoding values, reading (line ends,
 * continuations, comments, charsets, bad lines with line numbers),
 * writing (UTF-8 and MARC-8, refusals), character references (&#xHHHH;
 * &#DDDD; {U+HHHH}) read in UTF-8 and MARC-8 records and written back
 * exactly, byte-exact round trips of the
 * fixtures tests/data/mrk-*.mrk, and comparisons with the shared corpus
 * (skipped when ../shared/data is absent). */
#include "harness.h"
#include "rec.h"
#include "marcio.h"
#include "charset.h"
#include "mrk-mnemonics.h"
#include "marcio-items.h"

/* ---- helpers ---- */

struct recs {
	rec **r;
	size_t n, cap;
	int bad;
	strbuf errs;      /* "N: message\n" per rejected record */
	strbuf warns;
};

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rec_destroy(rs->r[i]);
	free(rs->r);
	sb_release(&rs->errs);
	sb_release(&rs->warns);
	memset(rs, 0, sizeof *rs);
}

static void recs_read_fp(struct recs *rs, FILE *fp, int fmt, int cs)
{
	struct marc_read_opts o = { fmt, cs, 0 };
	strbuf err = STRBUF_INIT;
	marc_reader *rd = marc_reader_open(fp, "test", &o, &err);
	if (!rd) {
		fprintf(stderr, "cannot open reader: %s\n", err.buf ? err.buf : "?");
		rs->bad++;
		sb_release(&err);
		return;
	}
	rec *r = rec_create();
	int rc;
	while ((rc = marc_reader_next(rd, r)) != MR_EOF) {
		for (size_t i = 0; i < marc_reader_nwarnings(rd); i++)
			sb_addf(&rs->warns, "%ld: %s\n", marc_reader_recno(rd), marc_reader_warning(rd, i));
		if (rc == MR_BAD) {
			rs->bad++;
			sb_addf(&rs->errs, "%ld: %s\n", marc_reader_recno(rd), marc_reader_error(rd));
			continue;
		}
		if (rs->n == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 16;
			rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
		}
		rs->r[rs->n++] = rec_clone(r);
	}
	rec_destroy(r);
	marc_reader_close(rd);
	sb_release(&err);
}

static int recs_read_file(struct recs *rs, const char *path, int fmt, int cs)
{
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp)
		return -1;
	recs_read_fp(rs, fp, fmt, cs);
	fclose(fp);
	return 0;
}

static void recs_read_mem(struct recs *rs, const char *s, size_t n, int fmt, int cs)
{
	FILE *fp = fmemopen((void *)s, n, "rb");
	recs_read_fp(rs, fp, fmt, cs);
	fclose(fp);
}

/* Write every record; returns malloc'd output (*len bytes). */
static char *recs_write(const struct recs *rs, int fmt, int cs, size_t *len, int *refused)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *fp = open_memstream(&buf, &sz);
	struct marc_write_opts o = { fmt, cs, 0 };
	marc_writer *w = marc_writer_open(fp, &o);
	*refused = 0;
	for (size_t i = 0; w && i < rs->n; i++) {
		strbuf err = STRBUF_INIT;
		if (marc_writer_put(w, rs->r[i], &err) != 0) {
			fprintf(stderr, "record %zu refused: %s\n", i + 1, err.buf ? err.buf : "");
			(*refused)++;
		}
		sb_release(&err);
	}
	marc_writer_close(w);
	fclose(fp);
	*len = sz;
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp)
		return NULL;
	strbuf sb = STRBUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		sb_add(&sb, tmp, n);
	fclose(fp);
	return sb_detach(&sb, len);
}

static void check_same(const struct recs *a, const struct recs *b, const char *what)
{
	CHECKF(a->n == b->n, "%s: %zu vs %zu records", what, a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		char diff[512];
		int d = rec_compare(a->r[i], b->r[i], diff, sizeof diff);
		CHECKF(d == 0, "%s: record %zu: %s", what, i + 1, diff);
	}
}

static const char *sub(const struct recs *rs, size_t i, const char *tag, char code)
{
	return i < rs->n ? rec_get(rs->r[i], tag, code) : NULL;
}

static char *nfc(const char *s)
{
	return utf8_nfc(s, strlen(s));
}

/* ---- the mnemonic table ---- */

static void test_table(void)
{
	int sorted = 1;
	for (size_t i = 1; i < MRK_NMNEMONICS; i++)
		if (strcmp(mrk_mnemonics[i - 1].name, mrk_mnemonics[i].name) >= 0)
			sorted = 0;
	CHECK(sorted);
	CHECK(MRK_NMNEMONICS > 300);

	int found = 0, marc8 = 0, reenc = 0, uni = 0, uni_tried = 0;
	strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, e = STRBUF_INIT;
	for (size_t i = 0; i < MRK_NMNEMONICS; i++) {
		const struct mrk_mnemonic *m = &mrk_mnemonics[i];
		int nb;
		const char *by = mrk_mnemonic_lookup(m->name, strlen(m->name), &nb);
		if (by && nb == m->len && !memcmp(by, m->bytes, (size_t)nb))
			found++;
		else
			fprintf(stderr, "lookup {%s} failed\n", m->name);

		/* decodes to its MARC-8 bytes */
		sb_reset(&a);
		sb_addf(&a, "{%s}", m->name);
		sb_reset(&b);
		mrk_decode_value(&b, a.buf, a.len, MRK_MARC8, 0);
		if (b.len == (size_t)m->len && !memcmp(b.buf, m->bytes, b.len))
			marc8++;
		else
			fprintf(stderr, "decode {%s} gave %zu bytes\n", m->name, b.len);

		/* re-encodes to mnemonics that decode to the same bytes */
		sb_reset(&c);
		mrk_encode_value(&c, b.buf, b.len, 1, 0);
		sb_reset(&e);
		mrk_decode_value(&e, c.buf, c.len, MRK_MARC8, 0);
		if (e.len == b.len && !memcmp(e.buf, b.buf, b.len) && is_ascii(c.buf, c.len))
			reenc++;
		else
			fprintf(stderr, "re-encode {%s} -> %s failed\n", m->name, c.buf);

		/* in a UTF-8 record: the same text as MARC-8 decoding gives */
		int ctl = 0;
		for (int k = 0; k < m->len; k++)
			if ((unsigned char)m->bytes[k] < 0x20)
				ctl = 1;
		if (ctl)
			continue;
		uni_tried++;
		sb_addc(&a, 'x');                       /* a base for a lone mark */
		sb_reset(&c);
		mrk_decode_value(&c, a.buf, a.len, MRK_UTF8, 0);
		sb_addc(&b, 'x');
		strbuf err = STRBUF_INIT;
		char *want = charset_decode(b.buf, b.len, CS_MARC8, &err);
		char *got = utf8_nfc(c.buf, c.len);
		if (want && got && !strcmp(want, got))
			uni++;
		else
			fprintf(stderr, "UTF-8 {%s}x: got '%s' want '%s'\n", m->name,
			        got ? got : "(invalid)", want ? want : "(error)");
		free(want);
		free(got);
		sb_release(&err);
	}
	CHECK_INT(found, MRK_NMNEMONICS);
	CHECK_INT(marc8, MRK_NMNEMONICS);
	CHECK_INT(reenc, MRK_NMNEMONICS);
	CHECK_INT(uni, uni_tried);

	/* every byte survives encode -> decode, in both modes of the encoder */
	sb_reset(&a);
	for (int i = 1; i < 256; i++)
		sb_addc(&a, (char)i);
	sb_reset(&b);
	mrk_encode_value(&b, a.buf, a.len, 1, 1);
	CHECK(is_ascii(b.buf, b.len));
	CHECK(!strchr(b.buf, ' ') && !strchr(b.buf, '$') && !strchr(b.buf, '\n') && !strchr(b.buf, '\r'));
	sb_reset(&c);
	mrk_decode_value(&c, b.buf, b.len, MRK_MARC8, 1);
	CHECK(c.len == a.len && !memcmp(c.buf, a.buf, a.len));
	sb_reset(&b);
	mrk_encode_value(&b, a.buf, a.len, 0, 0);
	sb_reset(&c);
	mrk_decode_value(&c, b.buf, b.len, MRK_MARC8, 0);
	CHECK(c.len == a.len && !memcmp(c.buf, a.buf, a.len));

	sb_release(&a);
	sb_release(&b);
	sb_release(&c);
	sb_release(&e);
}

static char *dec(const char *s, int mode, int ctrl)
{
	strbuf b = STRBUF_INIT;
	mrk_decode_value(&b, s, strlen(s), mode, ctrl);
	return sb_detach(&b, NULL);
}

static char *enc(const char *s, int marc8, int ctrl)
{
	strbuf b = STRBUF_INIT;
	mrk_encode_value(&b, s, strlen(s), marc8, ctrl);
	return sb_detach(&b, NULL);
}

#define CHECK_DEC(in, mode, ctrl, want) do { char *g_ = dec(in, mode, ctrl); \
	CHECK_STR(g_, want); free(g_); } while (0)
#define CHECK_ENC(in, marc8, ctrl, want) do { char *g_ = enc(in, marc8, ctrl); \
	CHECK_STR(g_, want); free(g_); } while (0)

static void test_values(void)
{
	/* MARC-8 bytes; marks stay before their base */
	CHECK_DEC("d{acute}esir{acute}ee", MRK_MARC8, 0, "d\xE2" "esir\xE2" "ee");
	CHECK_DEC("{dollar}35.99", MRK_MARC8, 0, "$35.99");
	CHECK_DEC("{lcub}x{rcub}{bsol}", MRK_MARC8, 0, "{x}\\");
	CHECK_DEC("S{hooka}{ohorn}", MRK_MARC8, 0, "S\xE0\xBC");
	CHECK_DEC("{E2}{e2}{1B}{A}{7}", MRK_MARC8, 0, "\xE2\xE2\x1B" "A7");
	CHECK_DEC("{esc}(2", MRK_MARC8, 0, "\x1B(2");
	/* unknown mnemonics, stray braces, NUL: kept as written */
	CHECK_DEC("{zilch} ({) (}) {00} {} {a b} {", MRK_MARC8, 0, "{zilch} ({) (}) {00} {} {a b} {");
	CHECK_DEC("{averyveryverylongname}", MRK_MARC8, 0, "{averyveryverylongname}");
	CHECK_DEC("{Dollar}", MRK_MARC8, 0, "{Dollar}");
	/* '\' is a blank only in the leader and control fields */
	CHECK_DEC("a\\b{bsol}c", MRK_MARC8, 1, "a b\\c");
	CHECK_DEC("a\\b{bsol}c", MRK_MARC8, 0, "a\\b\\c");

	/* UTF-8: marks go after their base, several in order */
	CHECK_DEC("Vi{dotb}{circ}et", MRK_UTF8, 0, "Vie\xCC\xA3\xCC\x82t");
	CHECK_DEC("S{hooka}{ohorn}", MRK_UTF8, 0, "S\xC6\xA1\xCC\x89");
	CHECK_DEC("{acute}\xC6\xB0x", MRK_UTF8, 0, "\xC6\xB0\xCC\x81x");   /* ư + acute */
	CHECK_DEC("{Aacute}{dstrok}", MRK_UTF8, 0, "A\xCC\x81\xC4\x91");
	CHECK_DEC("d{llig}i{rlig}a", MRK_UTF8, 0, "di\xCD\xA1" "a");       /* as yaz */
	CHECK_DEC("x{acute}", MRK_UTF8, 0, "x\xCC\x81");                   /* no base: kept */
	CHECK_DEC("{dollar}{A0}{FF}{1B}", MRK_UTF8, 0, "${A0}{FF}\x1B");
	CHECK_DEC("\\{uml}a", MRK_UTF8, 1, " a\xCC\x88");

	/* encoding */
	CHECK_ENC("$5 {x} \\", 0, 0, "{dollar}5 {lcub}x{rcub} {bsol}");
	CHECK_ENC("a b\\c", 0, 1, "a\\b{bsol}c");
	CHECK_ENC("Vi\xF2\xE3" "et \xBC\xB3\xA3", 1, 0, "Vi{dotb}{circ}et {ohorn}{dstrok}{Dstrok}");
	CHECK_ENC("\xE8\xB0\xAE\xA0\xC7", 1, 0, "{uml}{mllhring}{mlrhring}{A0}{C7}");
	CHECK_ENC("Việt", 0, 0, "Việt");
	CHECK_ENC("a\x1B" "b\nc\r\x7F", 0, 0, "a{esc}b{0A}c{0D}{7F}");
}

/* ---- reading ---- */

static void test_read_basic(void)
{
	static const char in[] =
		"\xEF\xBB\xBF"
		"# a MarcEdit comment before the record\n"
		"=LDR  00000nam\\a2200000\\i\\4500\n"
		"=001  abc\\def\n"
		"=005  {bsol}x$y\n"
		"=245  10$aT{dollar}x$b\\{bsol}\\$c{zilch} ({)\n"
		"# comment inside\n"
		"=246  3 $aOne two\n"
		" three$bfour\n"
		"=500  \\\\\n"
		"=520  \\\\$a$bx\n"
		"=650  \\7$aVi{dotb}{circ}et Nam {acute}{ohorn}\n"
		"\n\n  \t\n"
		"=000  00000cam\\\\2200000\\a\\4500\r\n"
		"=001  two\r\n"
		"=245  00$aVi{dotb}{circ}et Nam {acute}{ohorn}\r\n"
		"=LDR  00000cam\\a2200000\\a\\4500\n"   /* no blank line before it */
		"=001  three\n"
		"=100  1\\$aNo final newline";
	struct recs rs = { 0 };
	recs_read_mem(&rs, in, sizeof in - 1, MF_MRK, CS_AUTO);
	CHECK_INT(rs.bad, 0);
	CHECK_INT(rs.n, 3);
	if (rs.n != 3) {
		fprintf(stderr, "%s", rs.errs.buf ? rs.errs.buf : "");
		recs_free(&rs);
		return;
	}
	rec *r = rs.r[0];
	CHECK_STR(rec_leader(r), "00000nam a2200000 i 4500");
	CHECK_STR(rec_get_control(r, "001"), "abc def");
	CHECK_STR(rec_get_control(r, "005"), "\\x$y");
	CHECK_STR(rec_get(r, "245", 'a'), "T$x");
	CHECK_STR(rec_get(r, "245", 'b'), "\\\\\\");
	CHECK_STR(rec_get(r, "245", 'c'), "{zilch} ({)");
	long f = rec_find(r, "246", 0);
	CHECK(f >= 0 && rec_ind(r, (size_t)f, 1) == '3' && rec_ind(r, (size_t)f, 2) == ' ');
	CHECK_STR(rec_get(r, "246", 'a'), "One two three");
	CHECK_STR(rec_get(r, "246", 'b'), "four");
	f = rec_find(r, "500", 0);
	CHECK(f >= 0 && rec_nsub(r, (size_t)f) == 0 && rec_ind(r, (size_t)f, 1) == ' ');
	f = rec_find(r, "520", 0);
	CHECK(f >= 0 && rec_nsub(r, (size_t)f) == 2);
	CHECK_STR(rec_get(r, "520", 'a'), "");
	CHECK_STR(rec_get(r, "650", 'a'), "Việt Nam ớ");
	/* MARC-8 record (leader/09 blank): the firewall decodes the bytes */
	CHECK_STR(rec_leader(rs.r[1]), "00000cam a2200000 a 4500");
	CHECK_STR(rec_get(rs.r[1], "245", 'a'), "Việt Nam ớ");
	CHECK_STR(rec_get_control(rs.r[2], "001"), "three");
	CHECK_STR(rec_get(rs.r[2], "100", 'a'), "No final newline");
	recs_free(&rs);
}

static int count_lines(const char *s, const char *needle);

/* Lines that do not start with '=': a wrapped line (starting with a
 * blank or '$', or after a line ending with a blank, or indented with a
 * tab: the indentation one blank, none before '$' or after a blank) is
 * joined to the field above (one warning for the lines of one field,
 * naming them), "TAG  ..." is a field that lost its '=', with a warning
 * naming the line; any other such line rejects the record. */
static void test_read_lines(void)
{
	static const char in[] =
		"=LDR  00000nam a2200000 a 4500\n"
		"=245  10$aPolitical tides /$cby John\n"
		" ; with an introduction.\n"
		"=500  \\\\$aA note \n"
		"wrapped after a blank.\n"
		"=520  \\\\$aSummary\n"
		"$bmore\n"
		"=600  10$aNguyễn, Du,\n"
		"\t\t$d1765-1820.\n"
		"=590  \\\\$aChú thích\n"
		"\t  được ngắt, \n"
		"\tdòng &#xQQ;.\n"
		"650  \\0$aPolitics &#xZZ;.\n"
		"\n"
		"=LDR  00000nam a2200000 a 4500\n"
		"=245  10$aTitle\n"
		"Second paragraph.\n";
	struct recs rs = { 0 };
	recs_read_mem(&rs, in, sizeof in - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 1 && rs.bad == 1, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	CHECK_STR(sub(&rs, 0, "245", 'c'), "by John ; with an introduction.");
	CHECK_STR(sub(&rs, 0, "500", 'a'), "A note wrapped after a blank.");
	CHECK_STR(sub(&rs, 0, "520", 'a'), "Summary");
	CHECK_STR(sub(&rs, 0, "520", 'b'), "more");
	CHECK_STR(sub(&rs, 0, "600", 'a'), "Nguyễn, Du,");
	CHECK_STR(sub(&rs, 0, "600", 'd'), "1765-1820.");
	CHECK_STR(sub(&rs, 0, "590", 'a'), "Chú thích được ngắt, dòng &#xQQ;.");
	CHECK_STR(sub(&rs, 0, "650", 'a'), "Politics &#xZZ;.");
	long f = rs.n ? rec_find(rs.r[0], "650", 0) : -1;
	CHECK(f >= 0 && rec_ind(rs.r[0], (size_t)f, 1) == ' ' && rec_ind(rs.r[0], (size_t)f, 2) == '0');
	char want[200];
	const char *w = rs.warns.buf ? rs.warns.buf : "";
	snprintf(want, sizeof want, "1: line 3 (byte %d): does not start with '='; joined to field 245 "
	         "above as a continued line\n", (int)(strstr(in, " ; with") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 5 (byte %d): does not start with '='; joined to field 500",
	         (int)(strstr(in, "wrapped") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 7 (byte %d): does not start with '='; joined to field 520",
	         (int)(strstr(in, "$bmore") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 9 (byte %d): does not start with '='; joined to field 600",
	         (int)(strstr(in, "\t\t$d") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	/* one warning for a field wrapped into several lines, not one a line */
	snprintf(want, sizeof want, "1: lines 11 to 12 (byte %d): do not start with '='; joined to "
	         "field 590 above as 2 continued lines\n", (int)(strstr(in, "\t  được") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	CHECK_INT(count_lines(w, "field 590 above"), 1);
	snprintf(want, sizeof want, "1: line 13 (byte %d): does not start with '='; read as field 650\n",
	         (int)(strstr(in, "650  ") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	CHECK_INT(count_lines(w, "does not start with '='"), 5);
	CHECK_INT(count_lines(w, "start with '='"), 6);
	/* positions in a tab-indented line and in a field that lost its '='
	 * are still those of the file */
	snprintf(want, sizeof want, "1: line 12 (byte %d): field 590 $a: '&#xQQ;'",
	         (int)(strstr(in, "&#xQQ;") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 13 (byte %d): field 650 $a: '&#xZZ;'",
	         (int)(strstr(in, "&#xZZ;") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "2: line 17 (byte %d): line does not start with '=' and does not "
	         "continue the line above", (int)(strstr(in, "Second") - in));
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, want), "no '%s' in:\n%s", want,
	       rs.errs.buf ? rs.errs.buf : "");
	recs_free(&rs);
}

/* A file that ends early: the last record without the blank line after
 * it is read without a word (MarcEdit often ends a file so), with CRLF or
 * LF; a last line with no line end is read with a warning naming it (a
 * file cut in the middle of a line); a =LDR line with no fields after it
 * rejects its record (a file cut after it), the rest still read. */
static void test_read_truncated(void)
{
	static const char nolast[] =
		"=LDR  00000nam a2200000 a 4500\r\n=001  one\r\n=245  10$aA title\r\n\r\n"
		"=LDR  00000nam a2200000 a 4500\r\n=001  two\r\n=245  10$aAnother\r\n";
	struct recs rs = { 0 };
	recs_read_mem(&rs, nolast, sizeof nolast - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 2 && rs.bad == 0, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	CHECKF(!rs.warns.len, "warnings for a file without its last blank line:\n%s", rs.warns.buf);
	recs_free(&rs);

	static const char cut[] =
		"=LDR  00000nam a2200000 a 4500\n=001  one\n=245  10$aA title\n\n"
		"=LDR  00000nam a2200000 a 4500\n=001  two\n=245  10$aTruyện Ki";
	recs_read_mem(&rs, cut, sizeof cut - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 2 && rs.bad == 0, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	char want[300];
	snprintf(want, sizeof want, "2: line 7 (byte %d): the file ends in this line, with no line "
	         "end: if the file was cut short, the record's last field may be incomplete\n",
	         (int)(strstr(cut, "=245  10$aTruy") - cut));
	CHECKF(rs.warns.buf && !strcmp(rs.warns.buf, want), "want '%s', got:\n%s", want,
	       rs.warns.buf ? rs.warns.buf : "");
	CHECK_STR(sub(&rs, 1, "245", 'a'), "Truyện Ki");
	recs_free(&rs);

	/* cut in a wrapped line: the warning names that line */
	static const char cutwrap[] =
		"=LDR  00000nam a2200000 a 4500\n=245  10$aA title \nwrapped and cu";
	recs_read_mem(&rs, cutwrap, sizeof cutwrap - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 1 && rs.bad == 0, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	snprintf(want, sizeof want, "1: line 3 (byte %d): the file ends in this line",
	         (int)(strstr(cutwrap, "wrapped") - cutwrap));
	CHECKF(rs.warns.buf && strstr(rs.warns.buf, want), "no '%s' in:\n%s", want,
	       rs.warns.buf ? rs.warns.buf : "");
	recs_free(&rs);

	static const char ldr[] =
		"=LDR  00000nam a2200000 a 4500\n=001  one\n\n"
		"=LDR  00000nam a2200000 a 4500\n"      /* cut after it: no fields */
		"=LDR  00000nam a2200000 a 4500\n=001  three\n\n"
		"=LDR  00000nam a2200000 a 4500";
	recs_read_mem(&rs, ldr, sizeof ldr - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 2 && rs.bad == 2, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	snprintf(want, sizeof want, "2: line 4 (byte %d): the record has a leader and no fields (is "
	         "the file cut short?)\n4: line 8 (byte %d): the record has a leader and no fields",
	         (int)(strstr(ldr, "\n\n=LDR") - ldr) + 2, (int)(strrchr(ldr, '=') - ldr));
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, want), "no '%s' in:\n%s", want,
	       rs.errs.buf ? rs.errs.buf : "");
	if (rs.n == 2)
		CHECK_STR(rec_get_control(rs.r[1], "001"), "three");
	recs_free(&rs);
}

/* A field line indented with a tab or blanks ("\t=650  ..."): read as
 * that field, with a warning at the line's first byte (it was joined to
 * the field above, its subfields added to that field's); a wrapped line
 * after it continues it. */
static void test_read_indented_fields(void)
{
	static const char in[] =
		"=LDR  00000nam a2200000 a 4500\r\n"
		"=245  10$aMột hai\r\n"
		"\t=650  \\0$aLịch sử\r\n"
		"\t$xViệt Nam\r\n"
		"  \t=700  1\\$aNguyễn, A &#xQQ;\r\n"
		"\r\n";
	struct recs rs = { 0 };
	recs_read_mem(&rs, in, sizeof in - 1, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 1 && rs.bad == 0, "%zu read, %d bad: %s", rs.n, rs.bad, rs.errs.buf ? rs.errs.buf : "");
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Một hai");
	long f = rs.n ? rec_find(rs.r[0], "245", 0) : -1;
	CHECK(f >= 0 && rec_nsub(rs.r[0], (size_t)f) == 1);
	CHECK_STR(sub(&rs, 0, "650", 'a'), "Lịch sử");
	CHECK_STR(sub(&rs, 0, "650", 'x'), "Việt Nam");
	CHECK_STR(sub(&rs, 0, "700", 'a'), "Nguyễn, A &#xQQ;");
	char want[200];
	const char *w = rs.warns.buf ? rs.warns.buf : "";
	snprintf(want, sizeof want, "1: line 3 (byte %d): does not start with '='; read as field 650\n",
	         (int)(strstr(in, "\t=650") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 4 (byte %d): does not start with '='; joined to field 650",
	         (int)(strstr(in, "\t$x") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 5 (byte %d): does not start with '='; read as field 700\n",
	         (int)(strstr(in, "  \t=700") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	snprintf(want, sizeof want, "1: line 5 (byte %d): field 700 $a: '&#xQQ;'",
	         (int)(strstr(in, "&#xQQ;") - in));
	CHECKF(strstr(w, want) != NULL, "no '%s' in:\n%s", want, w);
	recs_free(&rs);
}

/* Line ends: LF, CR LF and a lone CR (old Mac files) all end a line;
 * CRs before an LF are one line end with it. */
static void test_read_cr(void)
{
	static const char lf[] =
		"=LDR  00000nam a2200000 a 4500\n=001  one\n=245  10$aA title\n\n"
		"=LDR  00000nam a2200000 a 4500\n=001  two\n=500  \\\\$aA note\n";
	static const char cr[] =
		"=LDR  00000nam a2200000 a 4500\r=001  one\r=245  10$aA title\r\r"
		"=LDR  00000nam a2200000 a 4500\r=001  two\r=500  \\\\$aA note\r";
	static const char mixed[] =
		"=LDR  00000nam a2200000 a 4500\r\r\n=001  one\r\n=245  10$aA title\r\n\r\n"
		"=LDR  00000nam a2200000 a 4500\r=001  two\r=500  \\\\$aA note";
	struct recs a = { 0 }, b = { 0 };
	recs_read_mem(&a, lf, sizeof lf - 1, MF_MRK, CS_AUTO);
	CHECK_INT(a.n, 2);
	recs_read_mem(&b, cr, sizeof cr - 1, MF_MRK, CS_AUTO);
	CHECKF(b.n == 2 && b.bad == 0, "CR: %zu read, %d bad: %s", b.n, b.bad, b.errs.buf ? b.errs.buf : "");
	check_same(&a, &b, "CR line ends");
	recs_free(&b);
	recs_read_mem(&b, mixed, sizeof mixed - 1, MF_MRK, CS_AUTO);
	CHECKF(b.n == 2 && b.bad == 0, "mixed: %zu read, %d bad: %s", b.n, b.bad, b.errs.buf ? b.errs.buf : "");
	check_same(&a, &b, "mixed line ends");
	recs_free(&a);
	recs_free(&b);

	/* a bad line of a CR file is named by its line number and byte */
	static const char bad[] = "=LDR  00000nam a2200000 a 4500\r=001  x\r=245  1\r\r"
		"=LDR  00000nam a2200000 a 4500\r=245  10$ax\r";
	recs_read_mem(&a, bad, sizeof bad - 1, MF_MRK, CS_AUTO);
	CHECK_INT(a.n, 1);
	CHECKF(a.errs.buf && strstr(a.errs.buf, "1: line 3 (byte 39): field 245: missing indicators"),
	       "%s", a.errs.buf ? a.errs.buf : "");
	recs_free(&a);

	/* the raw text of a CR record (for the rejects file) keeps its CRs
	 * and ends with a blank line */
	FILE *fp = fmemopen((void *)bad, sizeof bad - 1, "rb");
	struct marc_read_opts o = { MF_MRK, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(fp, "t", &o, NULL);
	rec *r = rec_create();
	size_t len;
	CHECK_INT(marc_reader_next(rd, r), MR_BAD);
	const char *raw = marc_reader_raw(rd, &len);
	CHECK(len == 48 && !memcmp(raw, bad, 48));
	CHECK_INT(marc_reader_next(rd, r), MR_OK);
	raw = marc_reader_raw(rd, &len);
	CHECK(len == 44 && !memcmp(raw, bad + 48, 43) && raw[43] == '\r');
	CHECK_INT(marc_reader_next(rd, r), MR_EOF);
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
}

static void test_read_charsets(void)
{
	/* UTF-8 data with a blank leader/09: read as UTF-8, with a warning */
	static const char u[] = "=LDR  00000nam  2200000 a 4500\n=245  00$aTiếng Việt {dollar}1\n";
	struct recs rs = { 0 };
	recs_read_mem(&rs, u, sizeof u - 1, MF_MRK, CS_AUTO);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Tiếng Việt $1");
	CHECK(rs.warns.buf && strstr(rs.warns.buf, "UTF-8"));
	recs_free(&rs);

	/* the same mnemonics, charset given */
	static const char a[] = "=LDR  00000nam  2200000 a 4500\n=245  00$aVi{dotb}{circ}et\n";
	recs_read_mem(&rs, a, sizeof a - 1, MF_MRK, CS_UTF8);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Việt");
	recs_free(&rs);
	recs_read_mem(&rs, a, sizeof a - 1, MF_MRK, CS_MARC8);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Việt");
	recs_free(&rs);

	/* Latin-1 text with mnemonics */
	static const char l[] = "=LDR  00000nam  2200000 a 4500\n=245  00$aCaf\xE9 {dollar}2 {uml}u\n";
	recs_read_mem(&rs, l, sizeof l - 1, MF_MRK, CS_LATIN1);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Café $2 ü");
	recs_free(&rs);

	/* leader/09 'a' but MARC-8 mnemonics: still the right characters */
	static const char m[] = "=LDR  00000nam a2200000 a 4500\n=245  00$aT{uhorn}{grave}{ohorn}ng {dotb}{uhorn}\n";
	recs_read_mem(&rs, m, sizeof m - 1, MF_AUTO, CS_AUTO);
	char *want = nfc("T\xC6\xB0\xC6\xA1\xCC\x80ng \xC6\xB0\xCC\xA3");
	CHECK_STR(sub(&rs, 0, "245", 'a'), want);
	free(want);
	recs_free(&rs);
}

/* One bad record among good ones: rejected with line and byte, and the
 * next record is read. */
static void check_bad(const char *bad, const char *want_msg)
{
	strbuf in = STRBUF_INIT;
	static const char good[] = "=LDR  00000nam a2200000 a 4500\n=001  ok\n";
	sb_adds(&in, good);
	sb_adds(&in, "\n");
	sb_adds(&in, bad);
	sb_adds(&in, "\n\n");
	sb_adds(&in, good);
	struct recs rs = { 0 };
	recs_read_mem(&rs, in.buf, in.len, MF_MRK, CS_AUTO);
	CHECKF(rs.n == 2 && rs.bad == 1, "%s: %zu good, %d bad", want_msg, rs.n, rs.bad);
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, want_msg), "want '%s', got '%s'", want_msg,
	       rs.errs.buf ? rs.errs.buf : "");
	recs_free(&rs);
	sb_release(&in);
}

static void test_read_bad(void)
{
	/* the bad record starts at line 4, byte 41 */
	check_bad("hello\n=245  10$ax", "2: line 4 (byte 41): line does not start with '='");
	check_bad("=001  x\n=245  10$ax", "2: line 4 (byte 41): the record does not start with =LDR");
	check_bad("=LDR  00000nam a2200000 a 450", "2: line 4 (byte 41): the leader is 23 characters long, not 24");
	check_bad("=LDR  00000nam a2200000 a 4500\n=24 \t10$ax", "2: line 5 (byte 72): bad tag '24 '");
	check_bad("=LDR  00000nam a2200000 a 4500\n=24", "line 5 (byte 72): bad tag '24'");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245 10$ax", "line 5 (byte 72): field 245: expected two spaces after the tag");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  $ax", "line 5 (byte 72): field 245: missing indicators");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  1", "line 5 (byte 72): field 245: missing indicators");
	check_bad("=LDR  00000nam a2200000 a 4500\n=001  x\n=245  10ax", "line 6 (byte 80): field 245: text before the first '$'");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  10$ax$", "line 5 (byte 72): field 245: '$' without a subfield code");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  10$ax$$b", "field 245: '$' without a subfield code");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  10$ x", "field 245: bad subfield code (byte 0x20)");
	check_bad("=LDR  00000nam a2200000 a 4500\n=245  1\x01$ax", "field 245: bad indicator (byte 0x01)");

	/* fuzz-mrk regression: NUL bytes in the leader (values never hold NUL) */
	static const char nul[] = "=000  \0\0\0\xE6" "0cam\\\\2200000\\a\\4500\r\n=001  a\r\n\r\n"
		"=LDR  00000nam a2200000 a 4500\n=245  10$ax\0y\n";
	struct recs rn = { 0 };
	recs_read_mem(&rn, nul, sizeof nul - 1, MF_MRK, CS_AUTO);
	CHECK_INT(rn.n, 0);
	CHECK_INT(rn.bad, 2);
	CHECKF(rn.errs.buf && strstr(rn.errs.buf, "1: line 1 (byte 0): NUL byte in the line") &&
	      strstr(rn.errs.buf, "2: line 5 (byte 74): NUL byte"), "%s", rn.errs.buf ? rn.errs.buf : "");
	recs_free(&rn);

	/* good records have their raw text too (a writer may refuse them) */
	{
		static const char gin[] = "=LDR  00000nam a2200000 a 4500\n=245  10$ax\n\n\n"
			"=LDR  00000nam a2200000 a 4500\n=245  10$ay";
		FILE *gfp = fmemopen((void *)gin, sizeof gin - 1, "rb");
		struct marc_read_opts go = { MF_MRK, CS_AUTO, 0 };
		marc_reader *grd = marc_reader_open(gfp, "t", &go, NULL);
		rec *gr = rec_create();
		size_t glen;
		CHECK_INT(marc_reader_next(grd, gr), MR_OK);
		const char *graw = marc_reader_raw(grd, &glen);
		CHECK(glen == 44 && !memcmp(graw, gin, 44));
		CHECK_INT(marc_reader_next(grd, gr), MR_OK);
		graw = marc_reader_raw(grd, &glen);
		CHECK(glen == 44 && !memcmp(graw, gin + 45, 42) && !memcmp(graw + 42, "\n\n", 2));
		CHECK_INT(marc_reader_next(grd, gr), MR_EOF);
		rec_destroy(gr);
		marc_reader_close(grd);
		fclose(gfp);
	}

	/* the rejected record's raw text, made to end with a blank line */
	static const char in[] = "=LDR  00000nam a2200000 a 4500\r\n=245  $ax\r\n\r\n=LDR  x";
	FILE *fp = fmemopen((void *)in, sizeof in - 1, "rb");
	struct marc_read_opts o = { MF_MRK, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(fp, "t", &o, NULL);
	rec *r = rec_create();
	size_t len;
	CHECK_INT(marc_reader_next(rd, r), MR_BAD);
	const char *raw = marc_reader_raw(rd, &len);
	CHECK(len == 45 && !memcmp(raw, in, 45));
	CHECK_INT(marc_reader_offset(rd), 0);
	CHECK_INT(marc_reader_next(rd, r), MR_BAD);
	raw = marc_reader_raw(rd, &len);
	CHECK(len == 9 && !memcmp(raw, "=LDR  x\n\n", 9));
	CHECK_INT(marc_reader_offset(rd), 45);
	CHECK_INT(marc_reader_recno(rd), 2);
	CHECK_INT(marc_reader_next(rd, r), MR_EOF);
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);

	/* garbage that never has a blank line: rejected, memory bounded */
	size_t big = (8u << 20) + 100000;
	char *g = malloc(big);
	for (size_t i = 0; i < big; i++)
		g[i] = (i % 100 == 99) ? '\n' : 'x';
	struct recs rs = { 0 };
	recs_read_mem(&rs, g, big, MF_MRK, CS_AUTO);
	CHECK_INT(rs.n, 0);
	CHECK(rs.bad >= 1);
	recs_free(&rs);
	/* ... and a first line longer than that */
	memset(g, 'x', big);
	memcpy(g, "\n\n=LDR", 6);
	recs_read_mem(&rs, g, big, MF_MRK, CS_AUTO);
	CHECK_INT(rs.n, 0);
	CHECK_INT(rs.bad, 1);
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, "1: line 3 (byte 2): record longer than"), "%s",
	       rs.errs.buf ? rs.errs.buf : "");
	recs_free(&rs);
	free(g);
}

/* ---- writing ---- */

static void test_write(void)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	rec_add_control(r, "001", "TV 01\\", 6);
	size_t f = rec_add_field(r, "020", ' ', ' ');
	rec_add_sub(r, f, 'a', "978-604", 7);
	rec_add_sub(r, f, 'c', "$12 {x}", 7);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "Việt Nam đẹp", strlen("Việt Nam đẹp"));
	rec_add_sub(r, f, 'b', "C:\\x", 4);
	rec_add_field(r, "500", ' ', '4');

	int rc;
	strbuf err = STRBUF_INIT;
	char *out = write_one_cs(r, MF_MRK, CS_UTF8, &err, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(out,
		"=LDR  00000nam\\a2200000\\i\\4500\r\n"
		"=001  TV\\01{bsol}\r\n"
		"=020  \\\\$a978-604$c{dollar}12 {lcub}x{rcub}\r\n"
		"=245  10$aViệt Nam đẹp$bC:{bsol}x\r\n"
		"=500  \\4\r\n"
		"\r\n");
	free(out);

	out = write_one_cs(r, MF_MRK, CS_MARC8, &err, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(out,
		"=LDR  00000nam\\\\2200000\\i\\4500\r\n"
		"=001  TV\\01{bsol}\r\n"
		"=020  \\\\$a978-604$c{dollar}12 {lcub}x{rcub}\r\n"
		"=245  10$aVi{dotb}{circ}et Nam {dstrok}{dotb}ep$bC:{bsol}x\r\n"
		"=500  \\4\r\n"
		"\r\n");
	free(out);

	/* what .mrk cannot hold is refused, and nothing is written */
	struct { const char *what; int kind; } cases[] = {
		{ "indicator", 1 }, { "subfield code", 2 }, { "control", 3 }, { "tag", 4 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rec *b = rec_create();
		rec_set_leader(b, "00000nam a2200000 i 4500", 24);
		switch (cases[i].kind) {
		case 1: f = rec_add_field(b, "245", '$', '0'); rec_add_sub(b, f, 'a', "x", 1); break;
		case 2: f = rec_add_field(b, "245", '1', '0'); rec_add_sub(b, f, ' ', "x", 1); break;
		case 3: rec_add_control(b, "245", "x", 1); break;
		case 4: rec_add_control(b, "LDR", "x", 1); break;
		}
		sb_reset(&err);
		out = write_one_cs(b, MF_MRK, CS_UTF8, &err, &rc);
		CHECKF(rc == -1 && out && !out[0] && err.buf && strstr(err.buf, "cannot be written"),
		       "%s: rc %d, out '%s', err '%s'", cases[i].what, rc, out ? out : "", err.buf ? err.buf : "");
		free(out);
		rec_destroy(b);
	}
	sb_release(&err);
	rec_destroy(r);
}

/* ---- character references (&#xHHHH; &#DDDD; {U+HHHH}) ---- */

static void test_ref_values(void)
{
	/* UTF-8 values: each form, upper and lower case, the limits */
	CHECK_DEC("Vi&#x1EC7;t Nam", MRK_UTF8, 0, "Việt Nam");
	CHECK_DEC("&#X1ec7;&#7879;&#x001EC7;&#0007879;", MRK_UTF8, 0, "ệệệệ");
	CHECK_DEC("{U+4E2D}{U+4e2d}", MRK_UTF8, 0, "中中");
	CHECK_DEC("&#x41;&#65;{U+41}&#x9;", MRK_UTF8, 0, "AAA\t");
	CHECK_DEC("&#x1F600;{U+10FFFF}&#1114111;", MRK_UTF8, 0, "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF");
	/* a mark before a reference goes after its character, as with letters */
	CHECK_DEC("{acute}&#x3B1;", MRK_UTF8, 0, "\xCE\xB1\xCC\x81");
	/* next to mnemonics, and '\' in control fields */
	CHECK_DEC("{dollar}&#x24;{U+7B}x{rcub}", MRK_UTF8, 0, "$${x}");
	CHECK_DEC("a\\&#x41;\\", MRK_UTF8, 1, "a A ");
	/* malformed or not a scalar value other than NUL: kept as written */
	static const char *keep[] = {
		"&#xZZ;", "&#x;", "&#;", "&#x1234567;", "&#12345678;", "&#x0;", "&#0;", "{U+0}",
		"&#xD800;", "&#xDFFF;", "&#55296;", "&#x110000;", "&#1114112;", "{U+}", "{U+D800}",
		"{U+110000}", "{U+1234567}", "{U+41", "&#x41", "&#x41 ;", "{u+41}", "{U 41}", "&x41;",
		"R&D", "& #x41;", "&#", "&", "{U+", "&#x41}", "{U+41;", "&#a;", "AT&T&#",
	};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		char *g = dec(keep[i], MRK_UTF8, 0);
		CHECKF(!strcmp(g, keep[i]), "'%s' decoded to '%s'", keep[i], g);
		free(g);
	}
	/* a kept one does not hide a good one right after it */
	CHECK_DEC("&#xZZ;&#x41;&&#x42;{U+}{U+43}", MRK_UTF8, 0, "&#xZZ;A&B{U+}C");
	/* MARC-8 values (bytes) cannot hold them: kept */
	CHECK_DEC("&#x41;{U+41}", MRK_MARC8, 0, "&#x41;{U+41}");

	/* encoding: a '&' that would be read as a reference becomes {amp} */
	CHECK_ENC("&#x41; R&D &#xZZ; &amp; {U+41} &#65; &", 0, 0,
	          "{amp}#x41; R&D {amp}#xZZ; &amp; {lcub}U+41{rcub} {amp}#65; &");
	CHECK_ENC("&#x41;&", 1, 1, "{amp}#x41;&");
	/* and whatever is encoded decodes back */
	static const char *vals[] = {
		"&#x41;", "&#x1EC7;", "R&D", "&#xZZ;", "&&#x41;;", "&#;", "{U+41}", "&#x41", "x&#65;y",
		"Vi\xE1\xBB\x87t &#x1EC7; &", "&#&#x41;",
	};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		for (int marc8 = 0; marc8 <= 1; marc8++)
			for (int ctrl = 0; ctrl <= 1; ctrl++) {
				char *e = enc(vals[i], marc8, ctrl);
				char *u = dec(e, MRK_UTF8, ctrl);
				char *m = dec(e, MRK_MARC8, ctrl);
				if (!marc8)
					CHECKF(!strcmp(u, vals[i]), "'%s' -> '%s' -> '%s'", vals[i], e, u);
				CHECKF(!strcmp(m, vals[i]) || marc8, "'%s' -> '%s' -> '%s' (MARC-8)", vals[i], e, m);
				free(e);
				free(u);
				free(m);
			}
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s ? strstr(s, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_ref_read(void)
{
	struct recs rs = { 0 };

	/* UTF-8 record: decoded in place; a malformed one is kept with a
	 * warning naming its line and byte (also on a continuation line) */
	static const char u[] =
		"=LDR  00000nam a2200000 a 4500\n"                 /* bytes 0-30 */
		"=001  ID&#x41;\n"                                 /* 31-45 */
		"=245  10$aVi&#x1EC7;t Nam {U+4E2D} &#xZZ;$bR&D\n" /* 46 */
		"=500  \\\\$ao&#x031B; x\n"
		" y&#xD800;\n";
	recs_read_mem(&rs, u, sizeof u - 1, MF_MRK, CS_AUTO);
	CHECK_INT(rs.n, 1);
	CHECK_STR(rs.n ? rec_get_control(rs.r[0], "001") : NULL, "IDA");
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Việt Nam 中 &#xZZ;");
	CHECK_STR(sub(&rs, 0, "245", 'b'), "R&D");
	CHECK_STR(sub(&rs, 0, "500", 'a'), "ơ x y&#xD800;");       /* NFC after decoding */
	CHECKF(rs.warns.buf && strstr(rs.warns.buf, "1: line 3 (byte 81): field 245 $a: '&#xZZ;' is "
	                              "not a valid character reference; kept as text"), "%s",
	       rs.warns.buf ? rs.warns.buf : "");
	/* "=500  \\$ao&#x031B; x" is bytes 94-113 + LF, " y" 115-116 */
	CHECKF(rs.warns.buf && strstr(rs.warns.buf, "1: line 5 (byte 117): field 500 $a: '&#xD800;'"),
	       "%s", rs.warns.buf ? rs.warns.buf : "");
	CHECK_INT(count_lines(rs.warns.buf, "character reference"), 2);
	recs_free(&rs);

	/* MARC-8 record (leader/09 blank): mnemonics, MARC-8 bytes and
	 * references in one value; the other values converted the same */
	static const char m[] =
		"=LDR  00000nam  2200000 a 4500\n"
		"=001  m8\n"
		"=100  1\\$aNguy{circ}{tilde}en, Du\n"
		"=245  10$aVi{dotb}{circ}et &#x4E2D; {acute}&#x3B1; &#xZZ; o&#x031B;$bThai &#x0E01;.\n"
		"=500  \\\\$a{esc}(S&#x41;{esc}(B &#x41; Vi&#x0065;&#x323;&#x302;t\n"
		"=520  \\\\$a{uhorn}{dollar} R&D\n";
	for (int cs = CS_AUTO; cs <= CS_MARC8; cs += CS_MARC8 - CS_AUTO) {
		recs_read_mem(&rs, m, sizeof m - 1, MF_MRK, cs);
		CHECKF(rs.n == 1 && rs.bad == 0, "MARC-8 refs (cs %d): %s", cs, rs.errs.buf ? rs.errs.buf : "");
		CHECK_STR(sub(&rs, 0, "100", 'a'), "Nguyễn, Du");
		CHECK_STR(sub(&rs, 0, "245", 'a'), "Việt 中 ά &#xZZ; ơ");
		CHECK_STR(sub(&rs, 0, "245", 'b'), "Thai ก.");
		CHECK_STR(sub(&rs, 0, "520", 'a'), "ư$ R&D");
		/* in G0 Greek those bytes are no reference: as the firewall reads them */
		strbuf e = STRBUF_INIT;
		char *greek = charset_decode("\x1B(S&#x41;\x1B(B ", 13, CS_MARC8, &e);
		strbuf want = STRBUF_INIT;
		sb_adds(&want, greek ? greek : "?");
		sb_adds(&want, "A Việt");
		CHECK_STR(sub(&rs, 0, "500", 'a'), want.buf);
		free(greek);
		sb_release(&e);
		sb_release(&want);
		CHECK_STR(rs.n ? rec_leader(rs.r[0]) : NULL, "00000nam a2200000 a 4500");
		/* the malformed one is reported once, though the record is read twice */
		CHECK_INT(count_lines(rs.warns.buf, "character reference"), 1);
		CHECKF(rs.warns.buf && strstr(rs.warns.buf, "line 4 (byte 125): field 245 $a: '&#xZZ;'"),
		       "%s", rs.warns.buf ? rs.warns.buf : "");
		recs_free(&rs);
	}

	/* what the firewall says of a MARC-8 record is said with references too */
	static const char w1[] = "=LDR  00000nam  2200000 a 4500\n=245  10$a{acute} x\n";
	static const char w2[] = "=LDR  00000nam  2200000 a 4500\n=245  10$a{acute} x &#x4E2D;\n";
	static const char w3[] = "=LDR  00000nam x2200000 a 4500\n=245  10$ax &#x4E2D;\n";
	recs_read_mem(&rs, w1, sizeof w1 - 1, MF_MRK, CS_AUTO);
	CHECK(rs.warns.buf && strstr(rs.warns.buf, "245 $a: a MARC-8 combining mark stands on a space"));
	char *w1v = xstrdup(sub(&rs, 0, "245", 'a') ? sub(&rs, 0, "245", 'a') : "?");
	recs_free(&rs);
	recs_read_mem(&rs, w2, sizeof w2 - 1, MF_MRK, CS_AUTO);
	strbuf w2v = STRBUF_INIT;
	sb_adds(&w2v, w1v);
	sb_adds(&w2v, " 中");
	CHECK_STR(sub(&rs, 0, "245", 'a'), w2v.buf);
	sb_release(&w2v);
	free(w1v);
	CHECK(rs.warns.buf && strstr(rs.warns.buf, "245 $a: a MARC-8 combining mark stands on a space"));
	recs_free(&rs);
	recs_read_mem(&rs, w3, sizeof w3 - 1, MF_MRK, CS_AUTO);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "x 中");
	CHECK(rs.warns.buf && strstr(rs.warns.buf, "leader/09 is 'x'"));
	recs_free(&rs);

	/* control characters in the value: another one stands in for the
	 * references during the conversion; all 31 taken: rejected */
	static const char c1[] = "=LDR  00000nam  2200000 a 4500\n=245  10$a{01}&#x4E2D;{1F}\n";
	recs_read_mem(&rs, c1, sizeof c1 - 1, MF_MRK, CS_AUTO);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "\x01中\x1F");
	recs_free(&rs);
	strbuf all = STRBUF_INIT;
	sb_adds(&all, "=LDR  00000nam  2200000 a 4500\n=245  10$a&#x4E2D;");
	for (int b = 1; b < 0x20; b++)
		if (b != 0x1B)
			sb_addf(&all, "{%02X}", b);
	sb_adds(&all, "{7F}\n");
	recs_read_mem(&rs, all.buf, all.len, MF_MRK, CS_AUTO);
	CHECK_INT(rs.bad, 1);
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, "1: line 2 (byte 31): field 245 $a: too many kinds of "
	                             "control character"), "%s", rs.errs.buf ? rs.errs.buf : "");
	recs_free(&rs);
	sb_release(&all);
	/* bad MARC-8 next to a reference: rejected with line and byte */
	static const char b1[] = "=LDR  00000nam  2200000 a 4500\n=245  10$ax{FC}y&#x4E2D;\n";
	recs_read_mem(&rs, b1, sizeof b1 - 1, MF_MRK, CS_AUTO);
	CHECK_INT(rs.bad, 1);
	CHECKF(rs.errs.buf && strstr(rs.errs.buf, "line 2 (byte 31): field 245 $a: byte 0xFC"), "%s",
	       rs.errs.buf ? rs.errs.buf : "");
	recs_free(&rs);

	/* a legacy 8-bit charset: the text decoded from it, references as such */
	static const char l[] = "=LDR  00000nam  2200000 a 4500\n=245  00$aCaf\xE9 &#x4E2D; {uml}u\n";
	recs_read_mem(&rs, l, sizeof l - 1, MF_MRK, CS_LATIN1);
	CHECK_STR(sub(&rs, 0, "245", 'a'), "Café 中 ü");
	recs_free(&rs);
}

static char *write_lossless(const struct recs *rs, int cs, int lossless, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *fp = open_memstream(&buf, &sz);
	struct marc_write_opts o = { MF_MRK, cs, lossless };
	marc_writer *w = marc_writer_open(fp, &o);
	for (size_t i = 0; w && i < rs->n; i++) {
		strbuf err = STRBUF_INIT;
		CHECKF(marc_writer_put(w, rs->r[i], &err) == 0, "refused: %s", err.buf ? err.buf : "");
		sb_release(&err);
	}
	marc_writer_close(w);
	fclose(fp);
	*len = sz;
	return buf;
}

static void test_ref_roundtrip(void)
{
	/* data that looks like references survives every way of writing */
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 a 4500", 24);
	rec_add_control(r, "001", "a&#x41;b", 8);
	size_t f = rec_add_field(r, "245", '1', '0');
	/* (but not "&#x0E01;", U+0E01 being what MARC-8 lacks: under
	 * --lossless that is what the conversion writes for it) */
	static const char v[] = "&#x41; {U+42} R&D &#xZZ; &#; &#x4E2D; &#x0e01; &#x00E9;x";
	rec_add_sub(r, f, 'a', v, strlen(v));
	rec_add_sub(r, f, 'b', "Vi\xE1\xBB\x87t", 6);
	struct recs a = { 0 };
	a.r = malloc(sizeof *a.r);
	a.r[0] = r;
	a.n = a.cap = 1;
	for (int k = 0; k < 3; k++) {
		int cs = k ? CS_MARC8 : CS_UTF8;
		size_t len;
		char *out = write_lossless(&a, cs, k == 2, &len);
		CHECK(out && strstr(out, "$a{amp}#x41; {lcub}U+42{rcub} R&D {amp}#xZZ; {amp}#; "));
		CHECK(out && strstr(out, "=001  a{amp}#x41;b"));
		struct recs b = { 0 };
		recs_read_mem(&b, out, len, MF_MRK, CS_AUTO);
		check_same(&a, &b, k == 0 ? "references: UTF-8" : k == 1 ? "references: MARC-8" :
		           "references: MARC-8 lossless");
		CHECKF(!b.warns.len, "warnings: %s", b.warns.buf);
		recs_free(&b);
		free(out);
	}
	recs_free(&a);

	/* --lossless: what MARC-8 lacks is written &#xHHHH; (as MarcEdit
	 * does) and read back as the character */
	r = rec_create();
	rec_set_leader(r, "00000nam a2200000 a 4500", 24);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "Thai \xE0\xB8\x81 Vi\xE1\xBB\x87t &#x0e01;", strlen("Thai \xE0\xB8\x81 Vi\xE1\xBB\x87t &#x0e01;"));
	a.r = malloc(sizeof *a.r);
	a.r[0] = r;
	a.n = a.cap = 1;
	size_t len;
	char *out = write_lossless(&a, CS_MARC8, 1, &len);
	CHECK_STR(out, "=LDR  00000nam\\\\2200000\\a\\4500\r\n"
	          "=245  10$aThai &#x0E01; Vi{dotb}{circ}et {amp}#x0e01;\r\n\r\n");
	struct recs b = { 0 };
	recs_read_mem(&b, out, len, MF_MRK, CS_AUTO);
	check_same(&a, &b, "lossless MARC-8 .mrk");
	recs_free(&b);
	free(out);
	recs_free(&a);

	/* a combining mark on a character MARC-8 lacks: both references, read
	 * back as the character and its mark; the same text in the data after
	 * a character MARC-8 has is escaped as usual */
	r = rec_create();
	rec_set_leader(r, "00000nam a2200000 a 4500", 24);
	f = rec_add_field(r, "245", '1', '0');
	const char *mv = "\xE0\xA4\x95\xCC\x81 \xC9\x90\xCC\xA3\xCC\x81 &#x0041;&#x0301;";   /* NFC */
	rec_add_sub(r, f, 'a', mv, strlen(mv));
	a.r = malloc(sizeof *a.r);
	a.r[0] = r;
	a.n = a.cap = 1;
	out = write_lossless(&a, CS_MARC8, 1, &len);
	CHECK_STR(out, "=LDR  00000nam\\\\2200000\\a\\4500\r\n"
	          "=245  10$a&#x0915;&#x0301; &#x0250;&#x0323;&#x0301; {amp}#x0041;{amp}#x0301;\r\n\r\n");
	memset(&b, 0, sizeof b);
	recs_read_mem(&b, out, len, MF_MRK, CS_AUTO);
	CHECK_INT(b.bad, 0);
	check_same(&a, &b, "lossless MARC-8 .mrk, marks on references");
	recs_free(&b);
	free(out);
	recs_free(&a);
}

/* ---- round trips ---- */

static void test_fixtures(void)
{
	struct recs u = { 0 }, m = { 0 };
	size_t ulen, mlen, len;
	char *utext = slurp(t_root("tests/data/mrk-utf8.mrk"), &ulen);
	char *mtext = slurp(t_root("tests/data/mrk-marc8.mrk"), &mlen);
	CHECK(utext && mtext);
	if (!utext || !mtext) {
		free(utext);
		free(mtext);
		return;
	}
	recs_read_mem(&u, utext, ulen, MF_AUTO, CS_AUTO);
	recs_read_mem(&m, mtext, mlen, MF_AUTO, CS_AUTO);
	CHECK_INT(u.bad, 0);
	CHECK_INT(m.bad, 0);
	CHECK_INT(u.n, 2);
	check_same(&u, &m, "mrk-utf8.mrk vs mrk-marc8.mrk");
	CHECK_STR(sub(&u, 0, "020", 'c'), "$12.50 (85000đ)");
	CHECK_STR(sub(&u, 0, "245", 'b'), "{bản Kinh} /");
	CHECK_STR(sub(&u, 0, "500", 'a'), "Đường dẫn: C:\\kho\\kieu.txt; giá $5.");

	int refused;
	char *out = recs_write(&u, MF_MRK, CS_UTF8, &len, &refused);
	CHECK_INT(refused, 0);
	CHECKF(len == ulen && !memcmp(out, utext, ulen), "UTF-8 round trip differs (%zu vs %zu bytes)", len, ulen);
	if (len != ulen || memcmp(out, utext, ulen))
		fprintf(stderr, "--- got:\n%.*s\n", (int)len, out);
	free(out);
	out = recs_write(&u, MF_MRK, CS_MARC8, &len, &refused);
	CHECK_INT(refused, 0);
	CHECKF(len == mlen && !memcmp(out, mtext, mlen), "MARC-8 round trip differs (%zu vs %zu bytes)", len, mlen);
	if (len != mlen || memcmp(out, mtext, mlen))
		fprintf(stderr, "--- got:\n%.*s\n", (int)len, out);
	free(out);

	/* through ISO 2709 and back */
	out = recs_write(&u, MF_ISO2709, CS_UTF8, &len, &refused);
	struct recs i = { 0 };
	recs_read_mem(&i, out, len, MF_ISO2709, CS_AUTO);
	check_same(&u, &i, "mrk -> ISO 2709 -> rec");
	free(out);
	recs_free(&i);

	recs_free(&u);
	recs_free(&m);
	free(utext);
	free(mtext);
}

/* path.mrk and path.mrc hold the same records; the .mrk (LF line ends)
 * comes back byte for byte except for CRLF and a blank line at the end. */
static void test_mrk_vs_mrc(const char *mrk, const char *mrc, int exact)
{
	struct recs a = { 0 }, b = { 0 };
	if (recs_read_file(&a, mrk, MF_AUTO, CS_AUTO) != 0 ||
	    recs_read_file(&b, mrc, MF_AUTO, CS_AUTO) != 0) {
		CHECKF(0, "cannot read %s or %s", mrk, mrc);
		recs_free(&a);
		recs_free(&b);
		return;
	}
	CHECKF(a.bad == 0, "%s: %s", mrk, a.errs.buf);
	CHECK(a.n > 0);
	check_same(&a, &b, mrk);
	if (exact) {
		size_t len, olen;
		int refused;
		char *orig = slurp(mrk, &olen);
		char *out = recs_write(&a, MF_MRK, CS_UTF8, &len, &refused);
		strbuf crlf = STRBUF_INIT;
		for (size_t i = 0; i < olen; i++) {
			if (orig[i] == '\n' && (i == 0 || orig[i - 1] != '\r'))
				sb_addc(&crlf, '\r');
			sb_addc(&crlf, orig[i]);
		}
		if (crlf.len < 4 || memcmp(crlf.buf + crlf.len - 4, "\r\n\r\n", 4))
			sb_adds(&crlf, "\r\n");
		CHECKF(len == crlf.len && !memcmp(out, crlf.buf, len), "%s: written text differs", mrk);
		sb_release(&crlf);
		free(orig);
		free(out);
	}
	recs_free(&a);
	recs_free(&b);
}

/* mrk -> rec -> mrk -> rec gives the same records. */
static void test_reread(const char *path, int cs)
{
	struct recs a = { 0 }, b = { 0 };
	if (recs_read_file(&a, path, MF_MRK, CS_AUTO) != 0) {
		CHECKF(0, "cannot read %s", path);
		return;
	}
	CHECKF(a.bad == 0 && a.n > 0, "%s: %zu records, errors: %s", path, a.n, a.errs.buf ? a.errs.buf : "");
	size_t len;
	int refused;
	char *out = recs_write(&a, MF_MRK, cs, &len, &refused);
	CHECKF(refused == 0, "%s: %d refused", path, refused);
	if (cs == CS_MARC8)
		CHECKF(is_ascii(out, len), "%s: MARC-8 .mrk is not pure ASCII", path);
	recs_read_mem(&b, out, len, MF_MRK, CS_AUTO);
	check_same(&a, &b, path);
	free(out);
	recs_free(&a);
	recs_free(&b);
}

static void test_long_line(void)
{
	strbuf in = STRBUF_INIT;
	sb_adds(&in, "=LDR  00000nam a2200000 a 4500\n=520  \\\\$a");
	for (int i = 0; i < 30000; i++)
		sb_adds(&in, "Việt {dollar}");
	sb_adds(&in, "\n");
	struct recs a = { 0 }, b = { 0 };
	recs_read_mem(&a, in.buf, in.len, MF_MRK, CS_AUTO);
	CHECK_INT(a.n, 1);
	size_t len;
	const char *v = a.n ? rec_get(a.r[0], "520", 'a') : NULL;
	CHECK(v && strlen(v) == 30000 * strlen("Việt $"));
	int refused;
	char *out = recs_write(&a, MF_MRK, CS_UTF8, &len, &refused);
	recs_read_mem(&b, out, len, MF_MRK, CS_AUTO);
	check_same(&a, &b, "long line");
	free(out);
	recs_free(&a);
	recs_free(&b);
	sb_release(&in);
}

static void test_corpus(void)
{
	if (!t_shared("mrk")) {
		SKIP("../shared/data absent: corpus comparisons");
		return;
	}
	struct recs m = { 0 }, m8 = { 0 }, u = { 0 }, b8 = { 0 };
	char p1[4096], p2[4096], p3[4096], p4[4096];
	snprintf(p1, sizeof p1, "%s", t_shared("mrk/marc4j-brkrtest.mrk"));
	snprintf(p2, sizeof p2, "%s", t_shared("mrk/marc4j-brkrtest.mrk8"));
	snprintf(p3, sizeof p3, "%s", t_shared("vi/marc4j-brkrtest_UTF8.mrc"));
	snprintf(p4, sizeof p4, "%s", t_shared("vi/marc4j-brkrtest.mrc"));
	recs_read_file(&m, p1, MF_AUTO, CS_AUTO);
	recs_read_file(&m8, p2, MF_AUTO, CS_AUTO);
	recs_read_file(&u, p3, MF_AUTO, CS_AUTO);
	recs_read_file(&b8, p4, MF_AUTO, CS_AUTO);
	CHECK_INT(m.n, 8);
	CHECK_INT(m.bad + m8.bad, 0);
	check_same(&m, &m8, "brkrtest.mrk vs .mrk8");
	check_same(&m, &u, "brkrtest.mrk vs brkrtest_UTF8.mrc");
	check_same(&m, &b8, "brkrtest.mrk vs brkrtest.mrc");
	CHECK_STR(sub(&m, 7, "020", 'c'), "$35.99");
	recs_free(&m);
	recs_free(&m8);
	recs_free(&u);
	recs_free(&b8);

	snprintf(p1, sizeof p1, "%s", t_shared("mrk/catmandu-camel.mrk"));
	snprintf(p2, sizeof p2, "%s", t_shared("bib/perl-camel.usmarc"));
	test_mrk_vs_mrc(p1, p2, 0);

	snprintf(p1, sizeof p1, "%s", t_shared("mrk/marc4j-u17_marc4j.mrk8"));
	recs_read_file(&m, p1, MF_AUTO, CS_AUTO);
	CHECK_STR(sub(&m, 0, "020", 'c'), "Rs160.00 ($35.00 U.S.)");
	recs_free(&m);

	static const char *files[] = {
		"mrk/catmandu-camel.mrk", "mrk/folio-fileForC2356.mrk",
		"mrk/folio-marcAuthFileForC466085_1.mrk", "mrk/folio-marcBibFileC440126_1.mrk",
		"mrk/folio-marcBibFileForC451459_1.mrk", "mrk/folio-marcBibFileForC466070_1.mrk",
		"mrk/marc4j-brkrtest.mrk", "mrk/marc4j-brkrtest.mrk8", "mrk/marc4j-u17_marc4j.mrk8",
		"vi/authored/bib-vi.mrk", "vi/authored/auth-vi.mrk",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p1, sizeof p1, "%s", t_shared(files[i]));
		test_reread(p1, CS_UTF8);
		test_reread(p1, CS_MARC8);
	}
}

int main(void)
{
	test_table();
	test_values();
	test_read_basic();
	test_read_cr();
	test_read_lines();
	test_read_indented_fields();
	test_read_truncated();
	test_read_charsets();
	test_read_bad();
	test_write();
	test_ref_values();
	test_ref_read();
	test_ref_roundtrip();
	test_fixtures();
	test_long_line();
	{
		char a[4096], b[4096];
		snprintf(a, sizeof a, "%s", t_root("tests/data/bib-vi.mrk"));
		snprintf(b, sizeof b, "%s", t_root("tests/data/bib-vi.mrc"));
		test_mrk_vs_mrc(a, b, 1);
		snprintf(a, sizeof a, "%s", t_root("tests/data/auth-vi.mrk"));
		snprintf(b, sizeof b, "%s", t_root("tests/data/auth-vi.mrc"));
		test_mrk_vs_mrc(a, b, 1);
	}
	test_corpus();
	DONE();
}
