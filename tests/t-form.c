/* t-form.c - workforms and constant data (src/form.c) over the shipped
 * forms/ files: every form parses, its 008 has 40 characters after
 * expansion, a Vietnamese book is built from answers, empty fields are
 * dropped, required ones reported, constants applied, save-as-form
 * round trips, ISBD punctuation is supplied (isbd.c) so that lint finds
 * none missing. */
#include <time.h>
#include "harness.h"
#include "form.h"
#include "isbd.h"
#include "lint.h"
#include "marcdef.h"

/* ISBD findings (rules punct and punct-end) of a record, as
 * "245 $b;300 $c;" */
static void isbd_findings(const lint_finding *f, void *arg)
{
	if (!strcmp(f->rule, "punct") || !strcmp(f->rule, "punct-end"))
		sb_addf(arg, "%s $%c;", f->tag, f->subfield ? f->subfield : ' ');
}

/* field tag of r as "$aX$bY" */
static char *field_text(const rec *r, const char *tag)
{
	long f = rec_find(r, tag, 0);
	strbuf sb = STRBUF_INIT;
	for (size_t s = 0; f >= 0 && s < rec_nsub(r, (size_t)f); s++) {
		size_t n;
		const char *v = rec_sub_value(r, (size_t)f, s, &n);
		sb_addf(&sb, "$%c%.*s", rec_sub_code(r, (size_t)f, s), (int)n, v);
	}
	return sb.buf ? sb.buf : calloc(1, 1);
}

/* Answers a cataloguer types: values only, no ISBD marks. */
/* Add a field to r: head is its tag and indicators ("24510"), subs its
 * subfields as written in .mrk ("$aTắt đèn$cNgô Tất Tố"; no '$' in values). */
static void add_field_subs(rec *r, const char *head, const char *subs)
{
	char tag[4] = { head[0], head[1], head[2], 0 };
	size_t x = rec_add_field(r, tag, head[3], head[4]);
	for (const char *p = strchr(subs, '$'); p && p[1];) {
		const char *next = strchr(p + 2, '$');
		rec_add_sub(r, x, p[1], p + 2, next ? (size_t)(next - p - 2) : strlen(p + 2));
		p = next;
	}
}

/* isbd_unpunctuate on a copy of r changes n subfields and leaves field
 * tag as bare; isbd_punctuate then changes the same n and gives r back. */
static void round_trip(const rec *r, int n, const char *tag, const char *bare)
{
	rec *u = rec_clone(r);
	CHECK_INT(isbd_unpunctuate(u), n);
	char *t = field_text(u, tag);
	CHECK_STR(t, bare);
	free(t);
	CHECK_INT(isbd_punctuate(u), n);
	CHECK_INT(rec_compare(u, r, NULL, 0), 0);
	rec_destroy(u);
}

static const char *bare_answer(const struct form_elem *e)
{
	static const struct { const char *tag; char code; const char *v; } a[] = {
		{ "245", 'a', "Truyện Kiều" }, { "245", 'b', "thơ" }, { "245", 'n', "Tập 1" },
		{ "245", 'p', "Phần đầu" }, { "245", 'c', "Nguyễn Du ; Đào Duy Anh hiệu đính" },
		{ "100", 'a', "Nguyễn Du" }, { "082", 'a', "895.9221" },
		{ "264", 'b', "Văn học" }, { "300", 'a', "235 tr." }, { "300", 'b', "minh họa" },
		{ "490", 'a', "Tủ sách văn học" }, { "490", 'v', "3" },
		{ "020", 'a', "9786041234567" }, { "650", 'a', "Văn học Việt Nam" },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (!strcmp(e->tag, a[i].tag) && e->code == a[i].code)
			return a[i].v;
	return NULL;
}

static void test_isbd(const struct form_env *env)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), &err) < 0) {
		CHECKF(0, "marc/: %s", err.buf);
		marcdef_destroy(md);
		sb_release(&err);
		return;
	}
	linter *l = lint_create(md);
	char *path = form_find("book", ".form");
	form *f = path ? form_load(path, &err) : NULL;
	free(path);
	CHECK(f != NULL);
	if (!f)
		goto out;
	size_t n = form_nelems(f);
	const char **ans = calloc(n, sizeof *ans);
	for (size_t i = 0; i < n; i++) {
		const struct form_elem *e = form_elem(f, i);
		ans[i] = bare_answer(e);
		if (!ans[i] && e->value && !(e->flags & FORM_CONST))
			ans[i] = e->value;     /* the screen pre-fills defaults */
	}
	rec *r = rec_create();
	form_build(f, ans, env, r, NULL);
	/* the book form says ISBD punctuation is included (Leader/18 i) */
	CHECK_INT(rec_leader(r)[18], 'i');
	char *t = field_text(r, "245");
	CHECK_STR(t, "$aTruyện Kiều :$bthơ.$nTập 1,$pPhần đầu /$cNguyễn Du ; Đào Duy Anh hiệu đính.");
	free(t);
	t = field_text(r, "264");
	CHECK_STR(t, "$aHà Nội :$bVăn học,$c2024.");
	free(t);
	t = field_text(r, "300");
	CHECK_STR(t, "$a235 tr. :$bminh họa ;$c21 cm.");     /* a 490 follows */
	free(t);
	t = field_text(r, "100");
	CHECK_STR(t, "$aNguyễn Du,$etác giả.");
	free(t);
	t = field_text(r, "650");
	CHECK_STR(t, "$aVăn học Việt Nam.$2Bộ TK TVQG");      /* the stop before $2 */
	free(t);
	t = field_text(r, "490");
	CHECK_STR(t, "$aTủ sách văn học ;$v3");
	free(t);
	/* lint finds no ISBD punctuation missing */
	strbuf found = STRBUF_INIT;
	lint_check(l, r, 1, isbd_findings, &found);
	CHECKF(!found.len, "ISBD findings in a record from book.form: %s", found.buf);
	sb_release(&found);
	/* a second pass changes nothing */
	CHECK_INT(isbd_punctuate(r), 0);
	/* and back (for :saveform): the values as typed, then the same marks */
	round_trip(r, 15, "245",
	           "$aTruyện Kiều$bthơ$nTập 1$pPhần đầu$cNguyễn Du ; Đào Duy Anh hiệu đính");
	round_trip(r, 15, "300", "$a235 tr.$bminh họa$c21 cm");  /* an abbreviation keeps its stop */

	/* marks typed already are kept, not doubled; blanks and unspaced
	 * marks are put right */
	rec_clear(r);
	rec_set_leader(r, "     nam a22     4i 4500", REC_LEADER_LEN);
	size_t x = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, x, 'a', "Tắt đèn:", strlen("Tắt đèn:"));
	rec_add_sub(r, x, 'b', "tiểu thuyết =", strlen("tiểu thuyết ="));
	rec_add_sub(r, x, 'b', "a novel  ", strlen("a novel  "));
	rec_add_sub(r, x, 'c', "Ngô Tất Tố?", strlen("Ngô Tất Tố?"));
	x = rec_add_field(r, "264", ' ', '4');
	rec_add_sub(r, x, 'a', "Hà Nội", 9);
	rec_add_sub(r, x, 'c', "©2020", strlen("©2020"));
	x = rec_add_field(r, "260", ' ', ' ');
	rec_add_sub(r, x, 'a', "Hà Nội", 9);
	rec_add_sub(r, x, 'a', "Huế", 5);
	rec_add_sub(r, x, 'b', "Thuận Hóa,", strlen("Thuận Hóa,"));
	rec_add_sub(r, x, 'c', "1990", 4);
	x = rec_add_field(r, "300", ' ', ' ');
	rec_add_sub(r, x, '6', "880-01", 6);
	rec_add_sub(r, x, 'c', "19 cm", 5);
	rec_add_sub(r, x, 'e', "1 CD", 4);
	CHECK_INT(isbd_punctuate(r), 6);
	t = field_text(r, "245");
	CHECK_STR(t, "$aTắt đèn :$btiểu thuyết =$ba novel /$cNgô Tất Tố?");
	free(t);
	/* taken out: the marks the rules add, not a parallel title's '=' */
	rec *u = rec_clone(r);
	isbd_unpunctuate(u);
	t = field_text(u, "245");
	CHECK_STR(t, "$aTắt đèn$btiểu thuyết =$ba novel$cNgô Tất Tố?");
	free(t);
	t = field_text(u, "260");
	CHECK_STR(t, "$aHà Nội$aHuế$bThuận Hóa$c1990");
	free(t);
	rec_destroy(u);
	t = field_text(r, "264");    /* copyright date: left alone */
	CHECK_STR(t, "$aHà Nội$c©2020");
	free(t);
	t = field_text(r, "260");
	CHECK_STR(t, "$aHà Nội ;$aHuế :$bThuận Hóa,$c1990.");
	free(t);
	t = field_text(r, "300");    /* not after $6; no series: no full stop */
	CHECK_STR(t, "$6880-01$c19 cm +$e1 CD");
	free(t);
	/* a title ending in ? or ! takes no full stop before $n */
	rec_clear(r);
	rec_set_leader(r, "     nam a22     4i 4500", REC_LEADER_LEN);
	x = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, x, 'a', "Ai giết ai?", strlen("Ai giết ai?"));
	rec_add_sub(r, x, 'n', "Tập 1", strlen("Tập 1"));
	CHECK_INT(isbd_punctuate(r), 1);
	t = field_text(r, "245");
	CHECK_STR(t, "$aAi giết ai?$nTập 1.");
	free(t);
	/* headings and the edition: commas before dates and relators, a full
	 * stop at the end but after an open date, a parenthesis or a mark, and
	 * before $2 and $4; 250 $b, 490 $x and 830 $v; 246 and 490 end bare */
	rec_clear(r);
	rec_set_leader(r, "     nam a22     4i 4500", REC_LEADER_LEN);
	static const char *const typed[][2] = {      /* tag and indicators, subfields */
		{ "1000 ", "$aNguyễn Du$d1765-1820$etác giả$4aut" },
		{ "24510", "$aThơ chọn lọc" },
		{ "2463 ", "$aThơ" },
		{ "250  ", "$aTái bản lần thứ 2$bcó sửa chữa" },
		{ "4901 ", "$aVăn học cổ điển$x1859-0123$v5" },
		{ "60007", "$aHồ Xuân Hương$vPhê bình$2bvt" },
		{ "650 7", "$aNhà xuất bản$zHà Nội (Việt Nam)" },
		{ "7000 ", "$aĐào Duy Anh$d1904-$ehiệu đính" },
		{ "7102 ", "$aViện Văn học$bBan Cổ cận" },
		{ "70002", "$aNguyễn Du$d1765-1820$tTruyện Kiều" },
		{ "830 0", "$aVăn học cổ điển$v5" },
		{ "500  ", "$aDịch từ nguyên bản tiếng Anh" },
		{ "504  ", "$aThư mục: tr. 230-235" },
		{ "520  ", "$aTập truyện (12 truyện)" },
		{ "5051 ", "$aTập 1. Truyện ngắn" },
		{ "510 4", "$aVăn nghệ quân đội" },
		{ "530  ", "$aCó bản trực tuyến$uhttp://thuvien.example.vn/x" },
	};
	for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
		add_field_subs(r, typed[i][0], typed[i][1]);
	CHECK_INT(isbd_punctuate(r), 21);
	static const char *const want[][2] = {
		{ "100", "$aNguyễn Du,$d1765-1820,$etác giả.$4aut" },
		{ "245", "$aThơ chọn lọc." },
		{ "246", "$aThơ" },
		{ "250", "$aTái bản lần thứ 2 /$bcó sửa chữa." },
		{ "490", "$aVăn học cổ điển,$x1859-0123 ;$v5" },
		{ "600", "$aHồ Xuân Hương$vPhê bình.$2bvt" },
		{ "650", "$aNhà xuất bản$zHà Nội (Việt Nam)" },
		{ "700", "$aĐào Duy Anh,$d1904-$ehiệu đính." },
		{ "710", "$aViện Văn học.$bBan Cổ cận." },
		{ "830", "$aVăn học cổ điển ;$v5." },
		/* notes: a full stop, after a parenthesis too; not on an
		 * incomplete contents note, a citation, or a URI */
		{ "500", "$aDịch từ nguyên bản tiếng Anh." },
		{ "504", "$aThư mục: tr. 230-235." },
		{ "520", "$aTập truyện (12 truyện)." },
		{ "505", "$aTập 1. Truyện ngắn" },
		{ "510", "$aVăn nghệ quân đội" },
		{ "530", "$aCó bản trực tuyến$uhttp://thuvien.example.vn/x" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		t = field_text(r, want[i][0]);
		CHECK_STR(t, want[i][1]);
		free(t);
	}
	x = (size_t)rec_find(r, "700", (size_t)rec_find(r, "700", 0) + 1);
	CHECK_STR(rec_sub_value(r, x, 1, NULL), "1765-1820.");      /* before $t */
	CHECK_STR(rec_sub_value(r, x, 2, NULL), "Truyện Kiều.");
	CHECK_INT(isbd_punctuate(r), 0);
	/* and back to the values typed, then the same marks again */
	round_trip(r, 21, "100", "$aNguyễn Du$d1765-1820$etác giả$4aut");
	/* an authority record's headings end bare, whatever its Leader/18 */
	rec_clear(r);
	rec_set_leader(r, "     nz  a22     n  4500", REC_LEADER_LEN);
	add_field_subs(r, "1000 ", "$aNguyễn Du$d1765-1820");
	CHECK_INT(isbd_punctuate(r), 0);
	rec_set_leader(r, "     nz  a22     n  i500", REC_LEADER_LEN);
	CHECK_INT(isbd_punctuate(r), 0);
	/* Leader/18 c (ISBD punctuation omitted): nothing is added */
	rec_clear(r);
	rec_set_leader(r, "     nam a22     4c 4500", REC_LEADER_LEN);
	x = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, x, 'a', "Tắt đèn", strlen("Tắt đèn"));
	rec_add_sub(r, x, 'c', "Ngô Tất Tố", strlen("Ngô Tất Tố"));
	CHECK_INT(isbd_punctuate(r), 0);
	CHECK_STR(rec_get(r, "245", 'a'), "Tắt đèn");
	rec_destroy(r);
	free(ans);
	form_destroy(f);
out:
	lint_destroy(l);
	marcdef_destroy(md);
	sb_release(&err);
}

static const char *answer_for(const struct form_elem *e)
{
	if (!strcmp(e->tag, "245") && e->code == 'a') return "Tắt đèn /";
	if (!strcmp(e->tag, "245") && e->code == 'c') return "Ngô Tất Tố.";
	if (!strcmp(e->tag, "100") && e->code == 'a') return "Ngô Tất Tố,";
	if (!strcmp(e->tag, "100") && e->code == 'd') return "1893-1954,";
	if (!strcmp(e->tag, "082") && e->code == 'a') return "895.922332";
	if (!strcmp(e->tag, "650") && e->code == 'a') return "Văn học Việt Nam\nTiểu thuyết";
	if (!strcmp(e->tag, "264") && e->code == 'b') return "Văn học,";
	return NULL;
}

int main(void)
{
	setenv("BIENMUC_FORMDIR", t_root("forms"), 1);
	struct form_env env = { "VN-TVNA", 1732500000 };   /* 2024-11-25 */
	char **names = form_names(".form");
	int nforms = 0;
	const char *want[] = { "book", "book-foreign", "serial", "ebook", "map", "score", "sound",
	                       "video", "thesis", "auth-person", "auth-corporate", "auth-geographic",
	                       "auth-topical", NULL };
	for (const char **w = want; *w; w++) {
		int found = 0;
		for (char **n = names; *n; n++)
			if (!strcmp(*n, *w))
				found = 1;
		CHECKF(found, "form %s is shipped", *w);
	}
	for (char **n = names; *n; n++) {
		char *path = form_find(*n, ".form");
		strbuf err = STRBUF_INIT;
		form *f = path ? form_load(path, &err) : NULL;
		CHECKF(f != NULL, "%s: %s", *n, err.buf ? err.buf : "not found");
		if (f) {
			nforms++;
			CHECK(form_title(f, 1) && form_title(f, 0));
			for (size_t i = 0; i < form_nelems(f); i++) {
				const struct form_elem *e = form_elem(f, i);
				if (!strcmp(e->tag, "008")) {
					char *v = form_expand(e->value, &env);
					CHECKF(strlen(v) == 40, "%s 008 has %zu characters: '%s'", *n, strlen(v), v);
					free(v);
				}
				if (!(e->flags & FORM_CONST))
					CHECKF(e->prompt_vi && e->prompt_en, "%s %s $%c has both prompts", *n,
					       e->tag, e->code ? e->code : ' ');
			}
			rec *r = rec_create();
			strbuf e2 = STRBUF_INIT;
			form_build(f, NULL, &env, r, &e2);
			CHECK_INT(rec_leader(r)[6], form_is_authority(f) ? 'z' : rec_leader(r)[6]);
			rec_destroy(r);
			sb_release(&e2);
			form_destroy(f);
		}
		free(path);
		sb_release(&err);
	}
	form_names_free(names);
	CHECK(nforms >= 13);

	/* build a Vietnamese book */
	char *path = form_find("book", ".form");
	strbuf err = STRBUF_INIT;
	form *f = form_load(path, &err);
	free(path);
	CHECK(f != NULL);
	size_t n = form_nelems(f);
	const char **ans = calloc(n, sizeof *ans);
	for (size_t i = 0; i < n; i++) {
		const struct form_elem *e = form_elem(f, i);
		ans[i] = answer_for(e);
		if (!ans[i] && e->value && !(e->flags & FORM_CONST))
			ans[i] = e->value;     /* the screen pre-fills defaults */
	}
	rec *r = rec_create();
	strbuf e = STRBUF_INIT;
	int rc = form_build(f, ans, &env, r, &e);
	CHECKF(rc == 0, "build: %s", e.buf ? e.buf : "");
	CHECK_STR(rec_get(r, "245", 'a'), "Tắt đèn /");
	CHECK_STR(rec_get(r, "040", 'a'), "VN-TVNA");
	CHECK_STR(rec_get(r, "040", 'e'), "rda");
	CHECK_STR(rec_get(r, "041", 'a'), "vie");
	CHECK_STR(rec_get(r, "082", '2'), "23");
	CHECK_STR(rec_get(r, "264", 'c'), "2024.");
	CHECK_STR(rec_get(r, "100", 'e'), "tác giả.");
	const char *d008 = rec_get_control(r, "008");
	CHECK(d008 && !strncmp(d008, "241125s2024", 11));
	CHECK(d008 && !strncmp(d008 + 35, "vie", 3));
	/* two subject lines make two 650 fields */
	long s1 = rec_find(r, "650", 0);
	CHECK(s1 >= 0 && rec_find(r, "650", (size_t)s1 + 1) > s1);
	/* fields left empty are dropped: no 020 (no ISBN), no 700, no 490 */
	CHECK_INT(rec_find(r, "020", 0), -1);
	CHECK_INT(rec_find(r, "700", 0), -1);
	CHECK_INT(rec_find(r, "490", 0), -1);
	/* 336-338 constants are always there */
	CHECK_STR(rec_get(r, "336", 'b'), "txt");

	/* required elements left empty are reported, record still built */
	sb_reset(&e);
	rc = form_build(f, NULL, &env, r, &e);
	CHECK_INT(rc, -1);
	CHECK(e.buf && strstr(e.buf, "245 $a (Nhan đề chính) is required"));
	CHECK(rec_find(r, "040", 0) >= 0);

	/* save as form, load again, build with no answers: same fields */
	form_build(f, ans, &env, r, &e);
	strbuf saved = STRBUF_INIT;
	form_from_record(r, "tat-den", "Mẫu Tắt đèn", &saved);
	sb_reset(&err);
	form *g = form_parse(saved.buf, "saved", &err);
	CHECKF(g != NULL, "%s", err.buf ? err.buf : "");
	if (g) {
		size_t gn = form_nelems(g);
		const char **gans = calloc(gn, sizeof *gans);
		for (size_t i = 0; i < gn; i++)
			gans[i] = form_elem(g, i)->value;
		rec *r2 = rec_create();
		form_build(g, gans, &env, r2, NULL);
		char diff[256];
		CHECKF(rec_compare(r, r2, diff, sizeof diff) == 0, "save-as-form: %s", diff);
		rec_destroy(r2);
		free(gans);
		form_destroy(g);
	}
	sb_release(&saved);

	/* constant data */
	path = form_find("library", ".const");
	form *cd = path ? form_load(path, &err) : NULL;
	free(path);
	CHECK(cd != NULL);
	if (cd) {
		rec *x = rec_create();
		rec_set_leader(x, "     nam a22      i 4500", 24);
		rec_add_control(x, "001", "X1", 2);
		size_t fi = rec_add_field(x, "040", ' ', ' ');
		rec_add_sub(x, fi, 'a', "VN-TVQG", 7);
		fi = rec_add_field(x, "245", '1', '0');
		rec_add_sub(x, fi, 'a', "T", 1);
		int changes = form_apply_constants(cd, &env, x);
		CHECK_INT(changes, 4);   /* 003, 040 $b, 040 $c, 852 */
		CHECK_STR(rec_get(x, "040", 'a'), "VN-TVQG");   /* never overwritten */
		CHECK_STR(rec_get(x, "040", 'b'), "vie");
		CHECK_STR(rec_get_control(x, "003"), "VN-TVNA");
		CHECK_STR(rec_tag(x, 1), "003");                 /* in tag order */
		CHECK_STR(rec_tag(x, rec_nfields(x) - 1), "852");
		CHECK_INT(form_apply_constants(cd, &env, x), 0); /* idempotent */
		rec_destroy(x);
		form_destroy(cd);
	}

	/* parse errors name the line */
	sb_reset(&err);
	CHECK(form_parse("form x\nfield 24 10\n", "bad.form", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "bad.form:2:"));
	sb_reset(&err);
	CHECK(form_parse("form x\nsub a\n", "bad2.form", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "outside"));
	sb_reset(&err);
	CHECK(form_parse("form x\nleader \"short\"\n", "bad3.form", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "24 characters"));

	free(ans);
	rec_destroy(r);
	form_destroy(f);
	sb_release(&e);
	sb_release(&err);
	test_isbd(&env);
	DONE();
}
