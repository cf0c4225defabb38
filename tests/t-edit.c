/*
 * t-edit.c - unit tests of the curses-free editing core (edit.h): the
 * wide-character line editor (NFC, graphemes, cells, wrapping), the field
 * line format, record editing with undo/redo, and the conflict merge.
 */
#include <locale.h>
#include "harness.h"
#include "edit.h"

static char *get(ledit *l)
{
	static char buf[1024];
	char *s = ledit_get(l);
	snprintf(buf, sizeof buf, "%s", s);
	free(s);
	return buf;
}

static void test_ledit(void)
{
	ledit l;
	ledit_init(&l);
	/* decomposed input composes as it is typed: e + U+0302 + U+0323 */
	ledit_insert_str(&l, "Vie\xcc\x82\xcc\xa3t");
	CHECK_STR(get(&l), "Việt");
	CHECK_INT(l.len, 4);
	CHECK_INT(ledit_cells(&l, 0, l.len), 4);
	/* cursor moves by grapheme; backspace removes a whole grapheme */
	ledit_left(&l);
	ledit_left(&l);
	CHECK_INT(l.cur, 2);
	ledit_backspace(&l);
	CHECK_STR(get(&l), "Vệt");
	ledit_insert(&l, 'i');
	CHECK_STR(get(&l), "Việt");
	ledit_end(&l);
	ledit_insert_str(&l, " Nam đẹp");
	CHECK_STR(get(&l), "Việt Nam đẹp");
	ledit_word_left(&l);
	CHECK_INT(l.cur, 9);
	ledit_kill_end(&l);
	CHECK_STR(get(&l), "Việt Nam ");
	ledit_home(&l);
	ledit_delete(&l);
	CHECK_STR(get(&l), "iệt Nam ");
	/* control characters are refused */
	CHECK_INT(ledit_insert(&l, 7), -1);
	/* a mark typed at the start stays, with width 0 */
	ledit_set(&l, "");
	ledit_insert(&l, 0x301);
	CHECK_INT(l.len, 1);
	CHECK_INT(ledit_cells(&l, 0, 1), 0);
	/* wide characters count two cells */
	ledit_set(&l, "中文 ok");
	CHECK_INT(ledit_cells(&l, 0, l.len), 7);
	/* set() normalises to NFC */
	ledit_set(&l, "Nguye\xcc\x82\xcc\x83n");
	CHECK_STR(get(&l), "Nguyễn");
	CHECK_INT(l.cur, 6);
	/* next/prev subfield */
	ledit_set(&l, "245 10 $a Tắt đèn / $c Ngô Tất Tố.");
	ledit_home(&l);
	ledit_next_sub(&l);
	CHECK_INT(l.cur, 10);
	ledit_next_sub(&l);
	CHECK_INT(l.buf[l.cur], L'N');
	ledit_prev_sub(&l);
	CHECK_INT(l.cur, 10);
	ledit_kill_start(&l);
	CHECK_STR(get(&l), "Tắt đèn / $c Ngô Tất Tố.");
	ledit_free(&l);
}

static void test_wrap(void)
{
	size_t n;
	wchar_t *w = edit_wcs_from_utf8("aaa bbb ccc ddd", &n);
	size_t st[8];
	size_t rows = edit_wrap(w, n, 8, 8, st, 8);
	CHECK_INT(rows, 2);
	CHECK_INT(st[1], 8);
	rows = edit_wrap(w, n, 100, 10, st, 8);
	CHECK_INT(rows, 1);
	free(w);
	w = edit_wcs_from_utf8("中中中中中", &n);
	rows = edit_wrap(w, n, 3, 3, st, 8);
	CHECK_INT(rows, 5);
	free(w);
	w = edit_wcs_from_utf8("", &n);
	CHECK_INT(edit_wrap(w, n, 5, 5, st, 8), 1);
	free(w);
	CHECK_INT(edit_str_cells("Tiếng Việt"), 10);
	/* a cut ends in '~', in cells: decomposed marks stay with their
	 * letter, a wide character that does not fit is left out whole */
	strbuf sb = STRBUF_INIT;
	edit_add_cut(&sb, "Tiếng Việt", 10);
	CHECK_STR(sb.buf, "Tiếng Việt");
	sb_reset(&sb);
	edit_add_cut(&sb, "Tiếng Việt", 9);
	CHECK_STR(sb.buf, "Tiếng Vi~");
	sb_reset(&sb);
	edit_add_cut(&sb, "Tie\xcc\x82\xcc\x81ng Vie\xcc\xa3\xcc\x82t", 4);
	CHECK_STR(sb.buf, "Tie\xcc\x82\xcc\x81~");
	CHECK_INT(edit_str_cells(sb.buf), 4);
	sb_reset(&sb);
	edit_add_cut(&sb, "ab中中", 4);
	CHECK_STR(sb.buf, "ab~");
	sb_reset(&sb);
	edit_add_cut(&sb, "abc", 0);
	CHECK_STR(sb.buf ? sb.buf : "", "");
	sb_release(&sb);
}

static void test_lines(void)
{
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	CHECK_INT(edit_parse_line("LDR 00000nam a2200000 a 4500", r, &err), 1);
	CHECK_STR(rec_leader(r), "00000nam a2200000 a 4500");
	CHECK_INT(edit_parse_line("008 850101s1939    vm            000 0 vie d", r, &err), 0);
	CHECK_INT(edit_parse_line("245 10 $a Tắt đèn / $c Ngô Tất Tố.", r, &err), 0);
	CHECK_INT(rec_nfields(r), 2);
	CHECK_STR(rec_get(r, "245", 'a'), "Tắt đèn /");
	CHECK_STR(rec_get(r, "245", 'c'), "Ngô Tất Tố.");
	CHECK_INT(rec_ind(r, 1, 1), '1');
	CHECK_INT(rec_ind(r, 1, 2), '0');
	char *t = edit_field_text(r, 1);
	CHECK_STR(t, "245 10 $a Tắt đèn / $c Ngô Tất Tố.");
	free(t);
	t = edit_field_text(r, 0);
	CHECK_STR(t, "008 850101s1939    vm            000 0 vie d");
	free(t);
	/* compact and .mrk-ish forms; blank indicators as # or \ */
	CHECK_INT(edit_parse_line("=650  \\7$aVăn học$2bộ", r, &err), 0);
	CHECK_INT(rec_ind(r, 2, 1), ' ');
	CHECK_INT(rec_ind(r, 2, 2), '7');
	CHECK_STR(rec_get(r, "650", '2'), "bộ");
	CHECK_INT(edit_parse_line("500 $a Ghi chú", r, &err), 0);
	CHECK_STR(rec_get(r, "500", 'a'), "Ghi chú");
	CHECK_INT(rec_ind(r, 3, 1), ' ');
	/* values with edge spaces and dollars round-trip */
	size_t f = rec_add_field(r, "020", ' ', ' ');
	rec_add_sub(r, f, 'a', " x ", 3);
	rec_add_sub(r, f, 'c', "$10 ", 4);
	t = edit_field_text(r, f);
	rec *r2 = rec_create();
	CHECK_INT(edit_parse_line(t, r2, &err), 0);
	free(t);
	CHECK_STR(rec_sub_value(r2, 0, 0, NULL), " x ");
	CHECK_STR(rec_sub_value(r2, 0, 1, NULL), "$10 ");
	rec_destroy(r2);
	/* decomposed input comes out NFC */
	CHECK_INT(edit_parse_line("246 3  $a Vie\xcc\xa3\xcc\x82t", r, &err), 0);
	CHECK_STR(rec_get(r, "246", 'a'), "Việt");
	/* errors */
	sb_reset(&err);
	CHECK_INT(edit_parse_line("24 10 $a x", r, &err), -1);
	CHECK(strstr(err.buf, "3 characters") != NULL);
	sb_reset(&err);
	CHECK_INT(edit_parse_line("245 10 Tắt đèn", r, &err), -1);
	CHECK(strstr(err.buf, "$a") != NULL);
	sb_reset(&err);
	CHECK_INT(edit_parse_line("245 10 $a x $", r, &err), -1);
	CHECK(strstr(err.buf, "code missing") != NULL);
	sb_reset(&err);
	CHECK_INT(edit_parse_line("LDR 00000nam a2200000 a 4500 toolong", r, &err), -1);
	char tag[4];
	int nth;
	CHECK_INT(edit_parse_tagspec("650/2", tag, &nth), 0);
	CHECK_STR(tag, "650");
	CHECK_INT(nth, 2);
	CHECK_INT(edit_parse_tagspec("245", tag, &nth), 0);
	CHECK_INT(nth, 0);
	CHECK_INT(edit_parse_tagspec("65/x", tag, &nth), -1);
	CHECK_INT(edit_parse_tagspec("650/0", tag, &nth), -1);
	sb_release(&err);
	rec_destroy(r);
}

static rec *sample(void)
{
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	const char *lines[] = {
		"LDR 00000nam a2200000 a 4500",
		"001 bm00000001",
		"008 850101s1939    vm            000 0 vie d",
		"100 1  $a Ngô, Tất Tố.",
		"245 10 $a Tắt đèn / $c Ngô Tất Tố.",
		"650  7 $a Tiểu thuyết $2 bộ",
		"650  7 $a Văn học Việt Nam $2 bộ",
		NULL };
	for (int i = 0; lines[i]; i++)
		edit_parse_line(lines[i], r, &err);
	sb_release(&err);
	return r;
}

static void test_edrec(void)
{
	rec *r = sample();
	edrec *e = edrec_create(r);
	strbuf err = STRBUF_INIT;
	CHECK_INT(edrec_nlines(e), 7);
	CHECK(!edrec_modified(e));
	CHECK_INT(edrec_find(e, "245", 0), 4);
	CHECK_INT(edrec_find(e, "650", 2), 6);
	CHECK_INT(edrec_find(e, "650", 3), -1);
	CHECK_INT(edrec_find(e, "6..", 1), 5);

	/* edit a line: unchanged text is no undo step */
	CHECK_INT(edrec_set_line(e, 4, "245 10 $a Tắt đèn / $c Ngô Tất Tố.", &err), 0);
	CHECK_INT(edrec_undo_depth(e), 0);
	CHECK(!edrec_modified(e));
	CHECK_INT(edrec_set_line(e, 4, "245 10 $a Tắt đèn : $b tiểu thuyết / $c Ngô Tất Tố.", &err), 0);
	CHECK(edrec_modified(e));
	CHECK_STR(rec_get(edrec_rec(e), "245", 'b'), "tiểu thuyết /");
	/* a bad line changes nothing */
	sb_reset(&err);
	CHECK_INT(edrec_set_line(e, 4, "24 10 $a x", &err), -1);
	CHECK_INT(edrec_set_line(e, 4, "LDR 00000nam a2200000 a 4500", &err), -1);
	CHECK_INT(edrec_set_line(e, 0, "245 00 $a x", &err), -1);
	CHECK_INT(edrec_undo_depth(e), 1);
	/* leader */
	CHECK_INT(edrec_set_line(e, 0, "LDR 00000cam a2200000 i 4500", &err), 0);
	CHECK_INT(rec_leader(edrec_rec(e))[5], 'c');

	/* add in tag order, insert, delete, duplicate, move */
	CHECK_INT(edrec_add_field(e, "260    $a Hà Nội", &err), 0);
	CHECK_INT(edrec_cur(e), 5);
	CHECK_STR(rec_tag(edrec_rec(e), 4), "260");
	CHECK_INT(edrec_insert_line(e, 1, "020    $a 9786041234567", &err), 0);
	CHECK_STR(rec_tag(edrec_rec(e), 0), "020");
	CHECK_INT(edrec_delete_line(e, 1, &err), 0);
	CHECK_STR(rec_tag(edrec_rec(e), 0), "001");
	CHECK_INT(edrec_delete_line(e, 0, &err), -1);
	size_t l650 = (size_t)edrec_find(e, "650", 1);
	CHECK_INT(edrec_dup_line(e, l650, &err), 0);
	CHECK_INT(edrec_find(e, "650", 3), (long)l650 + 2);
	CHECK_INT(edrec_move_line(e, l650 + 2, 1, &err), -1);
	CHECK_INT(edrec_move_line(e, l650, 1, &err), 0);
	CHECK_INT(edrec_cur(e), l650 + 1);

	/* subfields */
	size_t l245 = (size_t)edrec_find(e, "245", 0);
	CHECK_INT(edrec_sub_add(e, l245, 99, 'n', "Tập 1", &err), 0);
	CHECK_INT(rec_nsub(edrec_rec(e), l245 - 1), 4);
	CHECK_INT(edrec_sub_move(e, l245, 3, -1, &err), 0);
	CHECK_INT(rec_sub_code(edrec_rec(e), l245 - 1, 2), 'n');
	CHECK_INT(edrec_sub_delete(e, l245, 2, &err), 0);
	CHECK_INT(rec_nsub(edrec_rec(e), l245 - 1), 3);
	CHECK_INT(edrec_sub_add(e, 2, 0, 'a', "x", &err), -1);   /* 008 */
	CHECK_INT(edrec_sub_delete(e, l245, 9, &err), -1);

	/* copy and paste */
	rec *clip = rec_create();
	CHECK_INT(edrec_copy(e, l245, 1, clip, &err), 0);
	CHECK_INT(rec_nfields(clip), 1);
	edrec *e2 = edrec_create(NULL);
	CHECK_INT(edrec_paste(e2, 1, clip, &err), 0);
	CHECK_STR(rec_get(edrec_rec(e2), "245", 'a'), "Tắt đèn :");
	edrec_destroy(e2);

	/* undo everything, then redo everything */
	size_t depth = edrec_undo_depth(e);
	CHECK_INT(depth, 10);
	while (edrec_undo(e) == 0)
		;
	CHECK(!edrec_modified(e));
	CHECK_INT(rec_compare(edrec_rec(e), r, NULL, 0), 0);
	CHECK_INT(edrec_redo_depth(e), depth);
	while (edrec_redo(e) == 0)
		;
	CHECK(edrec_modified(e));
	CHECK_STR(rec_get(edrec_rec(e), "260", 'a'), "Hà Nội");
	/* a new change after undo drops the redo list */
	edrec_undo(e);
	CHECK_INT(edrec_redo_depth(e), 1);
	edrec_delete_line(e, 1, &err);
	CHECK_INT(edrec_redo_depth(e), 0);
	/* saved state */
	edrec_mark_saved(e);
	CHECK(!edrec_modified(e));
	edrec_undo(e);
	CHECK(edrec_modified(e));
	edrec_redo(e);
	CHECK(!edrec_modified(e));
	edrec_replace(e, r, 0);
	CHECK(!edrec_modified(e));
	edrec_replace(e, clip, 1);
	CHECK(edrec_modified(e));

	rec_destroy(clip);
	edrec_destroy(e);
	edrec_destroy(NULL);
	sb_release(&err);
	rec_destroy(r);
}

static void test_new(void)
{
	rec *r = sample();
	size_t f = rec_add_field(r, "035", ' ', ' ');
	rec_add_sub(r, f, 'a', "(OCoLC)12345", 12);
	f = rec_add_field(r, "035", ' ', ' ');
	rec_add_sub(r, f, 'a', "(VN-TINH)bm1", 12);
	CHECK(rec_find(r, "035", 0) >= 0);
	rec *n = edit_new_record(r);
	CHECK(rec_find(n, "001", 0) < 0);
	CHECK(rec_find(n, "035", 0) < 0);       /* the original's numbers go */
	CHECK(rec_find(n, "245", 0) >= 0);
	CHECK(!strncmp(rec_leader(n), "00000n", 6));
	rec_destroy(n);
	n = edit_new_record(NULL);
	CHECK_INT(strlen(rec_get_control(n, "008")), 40);
	CHECK(rec_find(n, "245", 0) >= 0);
	rec_destroy(n);
	rec_destroy(r);
}

static void test_merge(void)
{
	rec *base = sample();
	rec *mine = rec_clone(base), *theirs = rec_clone(base);
	strbuf err = STRBUF_INIT;
	edrec *e = edrec_create(mine);
	edrec_set_line(e, 4, "245 10 $a Tắt đèn (mine)", &err);
	edrec_add_field(e, "500    $a mine note", &err);
	rec_copy(mine, edrec_rec(e));
	edrec_destroy(e);
	e = edrec_create(theirs);
	edrec_set_line(e, 3, "100 1  $a Ngô, Tất Tố, $d 1893-1954.", &err);
	edrec_add_field(e, "520    $a their summary", &err);
	edrec_delete_line(e, (size_t)edrec_find(e, "650", 2), &err);
	rec_copy(theirs, edrec_rec(e));
	edrec_destroy(e);

	edmerge *m = edmerge_create(mine, theirs, NULL);
	CHECK_INT(m->ndiff, 5);   /* 100, 245, 500, 520, 650/2 */
	/* default: mine for every differing row -> mine, plus nothing else */
	rec *res = edmerge_result(m);
	CHECK_INT(rec_compare(res, mine, NULL, 0), 0);
	rec_destroy(res);
	/* take theirs everywhere -> theirs */
	edmerge_choose_all(m, EDM_THEIRS);
	res = edmerge_result(m);
	CHECK_INT(rec_compare(res, theirs, NULL, 0), 0);
	rec_destroy(res);
	/* per row: my 245, their 100, both notes */
	for (size_t k = 0; k < m->n; k++) {
		edmerge_row *row = &m->rows[k];
		if (!strcmp(row->tag, "245") || !strcmp(row->tag, "500"))
			row->choice = EDM_MINE;
		if (!strcmp(row->tag, "520"))
			row->choice = EDM_BOTH;
	}
	res = edmerge_result(m);
	CHECK_STR(rec_get(res, "245", 'a'), "Tắt đèn (mine)");
	CHECK_STR(rec_get(res, "100", 'd'), "1893-1954.");
	CHECK_STR(rec_get(res, "500", 'a'), "mine note");
	CHECK_STR(rec_get(res, "520", 'a'), "their summary");
	CHECK(rec_find(res, "650", 0) >= 0 && rec_find(res, "650", (size_t)rec_find(res, "650", 0) + 1) < 0);
	/* tag order kept */
	for (size_t i = 1; i < rec_nfields(res); i++)
		CHECK(strcmp(rec_tag(res, i - 1), rec_tag(res, i)) <= 0);
	rec_destroy(res);
	edmerge_destroy(m);
	edmerge_destroy(NULL);

	/* with the base both started from, the defaults keep both sides'
	 * work: my 245 and 500, their 100, 520 and the 650 they deleted */
	m = edmerge_create(mine, theirs, base);
	CHECK_INT(m->ndiff, 5);
	res = edmerge_result(m);
	CHECK_STR(rec_get(res, "245", 'a'), "Tắt đèn (mine)");
	CHECK_STR(rec_get(res, "500", 'a'), "mine note");
	CHECK_STR(rec_get(res, "100", 'a'), "Ngô, Tất Tố,");
	CHECK_STR(rec_get(res, "520", 'a'), "their summary");
	CHECK(rec_find(res, "650", 0) >= 0 && rec_find(res, "650", (size_t)rec_find(res, "650", 0) + 1) < 0);
	rec_destroy(res);
	edmerge_destroy(m);
	/* a field both changed starts as mine; the leader only they changed
	 * as theirs */
	rec *t2 = rec_clone(theirs);
	edrec *e2 = edrec_create(t2);
	edrec_set_line(e2, (size_t)edrec_find(e2, "245", 1), "245 10 $a Tắt đèn (theirs)", &err);
	rec_copy(t2, edrec_rec(e2));
	edrec_destroy(e2);
	rec_set_leader_at(t2, 17, '7');
	m = edmerge_create(mine, t2, base);
	res = edmerge_result(m);
	CHECK_STR(rec_get(res, "245", 'a'), "Tắt đèn (mine)");
	CHECK_INT(rec_leader(res)[17], '7');
	rec_destroy(res);
	edmerge_destroy(m);
	rec_destroy(t2);
	rec_destroy(mine);
	rec_destroy(theirs);
	rec_destroy(base);
	sb_release(&err);
}

/* pair[] of edit_pair_fields as "0 -1 2" */
static const char *pairs(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	static char buf[256];
	long p[16];
	edit_pair_fields(a, na, b, nb, p);
	buf[0] = 0;
	for (size_t i = 0; i < na; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%ld", i ? " " : "", p[i]);
	return buf;
}

static void test_pair(void)
{
	const char *x[] = {
		"650  7 $a Văn học Việt Nam $2 Bộ TK TVQG",
		"650  7 $a Tiểu thuyết $2 Bộ TK TVQG",
		"650  7 $a Nông dân $z Việt Nam $2 Bộ TK TVQG",
	};
	const char *ins = "650  7 $a Lịch sử $y 1930-1945 $2 Bộ TK TVQG";
	/* the same */
	CHECK_STR(pairs(x, 3, x, 3), "0 1 2");
	/* inserted before the others: every other field keeps its pair */
	const char *bi[] = { ins, x[0], x[1], x[2] };
	CHECK_STR(pairs(x, 3, bi, 4), "1 2 3");
	/* and the other way round: a deletion */
	CHECK_STR(pairs(bi, 4, x, 3), "-1 0 1 2");
	/* inserted in the middle */
	const char *bm[] = { x[0], ins, x[1], x[2] };
	CHECK_STR(pairs(x, 3, bm, 4), "0 2 3");
	/* deleted in the middle */
	const char *bd[] = { x[0], x[2] };
	CHECK_STR(pairs(x, 3, bd, 2), "0 -1 1");
	/* reordered: identical fields stay paired where they went */
	const char *br[] = { x[2], x[0], x[1] };
	CHECK_STR(pairs(x, 3, br, 3), "1 2 0");
	const char *bs[] = { x[1], x[0], x[2] };
	CHECK_STR(pairs(x, 3, bs, 3), "1 0 2");
	/* one changed: paired with its old text, the rest the same */
	const char *bc[] = { x[0], "650  7 $a Tiểu thuyết hiện đại $2 Bộ TK TVQG", x[2] };
	CHECK_STR(pairs(x, 3, bc, 3), "0 1 2");
	/* inserted and another changed: the changed one with its most
	 * similar, the new one alone */
	const char *bic[] = { ins, x[0], "650  7 $a Tiểu thuyết hiện đại $2 Bộ TK TVQG", x[2] };
	CHECK_STR(pairs(x, 3, bic, 4), "1 2 3");
	/* two new ones before a changed one: the changed one with its own */
	const char *b2[] = { "650  7 $a Lịch sử", "650  7 $a Địa lý", "650  7 $a Nông dân $z Việt Nam $2 Bộ TK" };
	const char *a2[] = { x[2] };
	CHECK_STR(pairs(a2, 1, b2, 3), "2");
	/* one field on each side, nothing in common: an edit, paired */
	const char *a1[] = { "245 10 $a Tắt đèn" }, *b1[] = { "245 10 $a Lều chõng" };
	CHECK_STR(pairs(a1, 1, b1, 1), "0");
	/* several fields with nothing in common are not paired */
	const char *a3[] = { "650  7 $a Alpha", "650  7 $a Beta" };
	const char *b3[] = { "651  4 $a Gamma", "651  4 $z Delta" };
	CHECK_STR(pairs(a3, 2, b3, 2), "-1 -1");
	/* repeated identical fields pair in order */
	const char *a4[] = { x[0], x[0] }, *b4[] = { x[1], x[0], x[0] };
	CHECK_STR(pairs(a4, 2, b4, 3), "1 2");
	/* empty sides */
	CHECK_STR(pairs(x, 3, x, 0), "-1 -1 -1");
	CHECK_STR(pairs(x, 0, x, 3), "");
}

/* The conflict merge of a record where they inserted a 650 before the
 * others and I changed the last one: one added row, one changed row,
 * and the defaults keep both. */
static void test_merge_insert(void)
{
	rec *base = sample();
	strbuf err = STRBUF_INIT;
	edrec *e = edrec_create(base);
	edrec_add_field(e, "650  7 $a Tiểu thuyết $2 Bộ TK TVQG", &err);
	edrec_add_field(e, "650  7 $a Nông dân $z Việt Nam $2 Bộ TK TVQG", &err);
	rec_copy(base, edrec_rec(e));
	edrec_destroy(e);
	rec *mine = rec_clone(base), *theirs = rec_clone(base);
	long first = rec_find(theirs, "650", 0);
	CHECK(first >= 0);
	e = edrec_create(theirs);
	CHECK_INT(edrec_insert_line(e, (size_t)first + 1, "650  7 $a Lịch sử $y 1930-1945 $2 Bộ TK TVQG", &err), 0);
	rec_copy(theirs, edrec_rec(e));
	edrec_destroy(e);
	CHECK_STR(rec_get(theirs, "650", 'a'), "Lịch sử");
	e = edrec_create(mine);
	long last = -1;
	for (size_t i = 0; i < rec_nfields(mine); i++)
		if (!strcmp(rec_tag(mine, i), "650"))
			last = (long)i;
	edrec_set_line(e, (size_t)last + 1, "650  7 $a Nông dân $z Việt Nam $y 1900-1945 $2 Bộ TK TVQG", &err);
	rec_copy(mine, edrec_rec(e));
	edrec_destroy(e);

	edmerge *m = edmerge_create(mine, theirs, base);
	CHECK_INT(m->ndiff, 2);           /* their new 650, my changed 650 */
	size_t added = 0, changed = 0, same650 = 0;
	for (size_t k = 0; k < m->n; k++) {
		const edmerge_row *row = &m->rows[k];
		if (strcmp(row->tag, "650"))
			continue;
		if (row->mine < 0) {
			added++;
			CHECK_INT(row->choice, EDM_THEIRS);
			/* shown before the others, where they put it */
			CHECK(k + 1 < m->n && !strcmp(m->rows[k + 1].tag, "650") && m->rows[k + 1].mine >= 0);
		} else if (!row->same) {
			changed++;
			CHECK_INT(row->choice, EDM_MINE);
		} else
			same650++;
	}
	CHECK_INT(added, 1);
	CHECK_INT(changed, 1);
	CHECK(same650 >= 2);
	rec *res = edmerge_result(m);
	long r0 = rec_find(res, "650", 0);
	CHECK(r0 >= 0);
	CHECK_STR(rec_get(res, "650", 'a'), "Lịch sử");
	size_t n650 = 0;
	for (size_t i = 0; i < rec_nfields(res); i++)
		if (!strcmp(rec_tag(res, i), "650"))
			n650++;
	CHECK_INT(n650, same650 + 2);
	char *t = edit_field_text(res, rec_nfields(res) - 1);
	CHECK_STR(t, "650  7 $a Nông dân $z Việt Nam $y 1900-1945 $2 Bộ TK TVQG");
	free(t);
	rec_destroy(res);
	edmerge_destroy(m);

	/* they deleted the first 650 and I did not touch it: deleted */
	rec *t2 = rec_clone(base);
	e = edrec_create(t2);
	edrec_delete_line(e, (size_t)first + 1, &err);
	rec_copy(t2, edrec_rec(e));
	edrec_destroy(e);
	m = edmerge_create(mine, t2, base);
	CHECK_INT(m->ndiff, 2);           /* their deletion, my change */
	res = edmerge_result(m);
	n650 = 0;
	for (size_t i = 0; i < rec_nfields(res); i++)
		if (!strcmp(rec_tag(res, i), "650"))
			n650++;
	CHECK_INT(n650, same650 - 1 + 1);
	t = edit_field_text(res, rec_nfields(res) - 1);
	CHECK_STR(t, "650  7 $a Nông dân $z Việt Nam $y 1900-1945 $2 Bộ TK TVQG");
	free(t);
	rec_destroy(res);
	edmerge_destroy(m);
	rec_destroy(t2);
	rec_destroy(mine);
	rec_destroy(theirs);
	rec_destroy(base);
	sb_release(&err);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_ledit();
	test_wrap();
	test_lines();
	test_edrec();
	test_new();
	test_merge();
	test_pair();
	test_merge_insert();
	DONE();
}
