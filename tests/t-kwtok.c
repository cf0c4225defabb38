/*
 * t-kwtok.c - unit tests of store-tok.c: words made ahead equal the
 * tokenizer's own, the unicode61 override replays them only for the text
 * they were made from and only with the fts table's arguments, and
 * passes everything else (queries, other tables) to the real tokenizer.
 */
#include "harness.h"
#include "../src/store-tok.h"

/* the words of a tokenizer call, as "flags:word@start-end " */
static int add_word(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	strbuf *b = ctx;
	sb_addf(b, "%d:%.*s@%d-%d ", flags, n, tok, start, end);
	return SQLITE_OK;
}

static int stop_at_two(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	int *count = ctx;
	(void)flags, (void)tok, (void)n, (void)start, (void)end;
	return ++*count == 2 ? SQLITE_DONE : SQLITE_OK;
}

/* the terms of fts5 table table, each followed by a space, in order */
static char *vocab(sqlite3 *db, const char *table)
{
	strbuf sql = STRBUF_INIT, out = STRBUF_INIT;
	sb_addf(&sql, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_%s USING fts5vocab(main, %s, row);"
	        , table, table);
	sqlite3_exec(db, sql.buf, NULL, NULL, NULL);
	sb_reset(&sql);
	sb_addf(&sql, "SELECT term FROM temp.v_%s ORDER BY term", table);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql.buf, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			sb_addf(&out, "%s ", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	sb_release(&sql);
	if (!out.buf)
		return xstrdup("");
	return out.buf;
}

static int insert(sqlite3 *db, const char *table, const char *a, const char *b)
{
	strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "INSERT INTO %s(x, y) VALUES(?1, ?2)", table);
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql.buf, -1, &s, NULL);
	sb_release(&sql);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Insert (a, b) into table with the words k named for the texts row (k
 * NULL: none), then the table's terms (vocab). */
static char *terms_after(sqlite3 *db, struct kwtok_hook *h, const strbuf *row,
                         const struct kwtoks *k, const char *table, const char *a, const char *b)
{
	kwtok_replay(h, row, k);
	CHECK_INT(insert(db, table, a, b), SQLITE_OK);
	kwtok_replay(h, NULL, NULL);
	return vocab(db, table);
}

#define CHECK_TERMS(expr, want) do { char *v_ = (expr); CHECK_STR(v_, want); free(v_); } while (0)

static void set_cols(strbuf cols[2], const char *a, const char *b)
{
	sb_init(&cols[0]);
	sb_init(&cols[1]);
	sb_adds(&cols[0], a);
	sb_adds(&cols[1], b);
}

static void test_make_equals_tokenizer(void)
{
	sqlite3 *db;
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	struct kwtok_fns f;
	struct kwtok_hook *h = kwtok_install(db, &f);
	CHECK(h != NULL);
	CHECK(f.x.xTokenize != NULL);
	Fts5Tokenizer *t = kwtok_open(&f);
	CHECK(t != NULL);
	static const char *const texts[] = {
		"tat den ngo tat to", "Nguyễn Du. Truyện Kiều -- 1820", "", "  ,,; ", "Đào Duy Anh 1904-1988",
		"ISBN 978-604-0-12345-6 (bìa mềm)",
	};
	strbuf cols[6];
	for (int c = 0; c < 6; c++) {
		sb_init(&cols[c]);
		sb_adds(&cols[c], texts[c]);
	}
	struct kwtoks k = { 0 };
	CHECK(kwtoks_make(&f, t, cols, 6, &k) == 0);
	CHECK_INT(k.ncols, 6);
	for (int c = 0; c < 6; c++) {
		strbuf direct = STRBUF_INIT, replayed = STRBUF_INIT;
		sb_adds(&direct, "");
		sb_adds(&replayed, "");
		if (cols[c].len)
			f.x.xTokenize(t, &direct, FTS5_TOKENIZE_DOCUMENT, cols[c].buf, (int)cols[c].len,
			              add_word);
		CHECK_INT(kwtoks_each(&k, c, &replayed, add_word), SQLITE_OK);
		CHECK_STR(replayed.buf, direct.buf);
		sb_release(&direct);
		sb_release(&replayed);
	}
	/* a word callback that stops early: stopped there, and OK */
	int count = 0;
	CHECK_INT(kwtoks_each(&k, 0, &count, stop_at_two), SQLITE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(kwtoks_each(&k, 7, &count, stop_at_two), SQLITE_OK);   /* no such column */
	kwtoks_release(&k);
	for (int c = 0; c < 6; c++)
		sb_release(&cols[c]);
	kwtok_close(&f, t);
	sqlite3_close(db);
}

static void test_replay(void)
{
	sqlite3 *db;
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	struct kwtok_fns f;
	struct kwtok_hook *h = kwtok_install(db, &f);
	CHECK(h != NULL);
	CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(x, y, content='',"
	                       " tokenize='unicode61 remove_diacritics 2');"
	                       "CREATE VIRTUAL TABLE other USING fts5(x, y, content='',"
	                       " tokenize='unicode61');", NULL, NULL, NULL) == SQLITE_OK);
	Fts5Tokenizer *t = kwtok_open(&f);

	/* no replay named: the real tokenizer */
	CHECK_TERMS(terms_after(db, h, NULL, NULL, "fts", "Tắt đèn", "Ngô Tất Tố"),
	            "ngo tat to đen ");   /* đ is folded by bienmuc, not here */

	/* words made from other text than the row's, named for the row's
	 * text: what the index gets is the replay, matched by text (columns
	 * in any order) */
	strbuf made[2], row[2];
	set_cols(made, "alpha beta", "gamma");
	struct kwtoks k = { 0 };
	CHECK(kwtoks_make(&f, t, made, 2, &k) == 0);
	set_cols(row, "one two", "three");
	CHECK_TERMS(terms_after(db, h, row, &k, "fts", "three", "one two"),
	            "alpha beta gamma ngo tat to đen ");
	/* a row whose text was not named: tokenized for real */
	CHECK_TERMS(terms_after(db, h, row, &k, "fts", "Đào", "three"),
	            "alpha beta gamma ngo tat to đao đen ");
	/* a table tokenizing with other arguments: never replayed */
	CHECK_TERMS(terms_after(db, h, row, &k, "other", "Tắt", "one two"), "one two tắt ");

	/* queries go to the real tokenizer, replay or not */
	kwtok_replay(h, row, &k);
	sqlite3_stmt *s;
	CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH 'NGÔ tất'", -1, &s,
	                         NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), 1);
	sqlite3_finalize(s);
	kwtok_replay(h, NULL, NULL);

	kwtoks_release(&k);
	for (int c = 0; c < 2; c++) {
		sb_release(&made[c]);
		sb_release(&row[c]);
	}
	kwtok_close(&f, t);
	sqlite3_close(db);      /* frees the hook */
}

int main(void)
{
	test_make_equals_tokenizer();
	test_replay();
	DONE();
}
