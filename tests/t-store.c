/*
 * t-store.c - the SQLite catalogue through catalog.h: saving, numbering,
 * the journal, soft delete, Vietnamese search and browse order (also
 * backwards, catalog_browse_before), match keys, batches and their undo,
 * records over 99,999 bytes, saves with work prepared ahead on another
 * thread (catalog_prepare), bulk loading (the sort indexes suspended and
 * built again).
 */
#include <pthread.h>
#include <unistd.h>
#include <sqlite3.h>
#include "harness.h"
#include "catalog.h"
#include "store.h"
#include "charset.h"
#include "copies.h"

static char dbpath[256];

static rec *book(const char *title, const char *author, const char *isbn, const char *year)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	char f008[41];
	memset(f008, ' ', 40);
	f008[40] = 0;
	memcpy(f008 + 7, year ? year : "    ", 4);
	rec_add_control(r, "008", f008, 40);
	if (isbn) {
		size_t f = rec_add_field(r, "020", ' ', ' ');
		rec_add_sub(r, f, 'a', isbn, strlen(isbn));
	}
	if (author) {
		size_t f = rec_add_field(r, "100", '1', ' ');
		rec_add_sub(r, f, 'a', author, strlen(author));
	}
	size_t f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', title, strlen(title));
	return r;
}

static long add(catalog *c, rec *r)
{
	strbuf err = STRBUF_INIT;
	long v = 0;
	int rc = catalog_save(c, r, CAT_NEW, NULL, &v, &err);
	if (rc)
		fprintf(stderr, "save: %s\n", err.buf);
	sb_release(&err);
	return rc ? -1 : v;
}

/* number of hits of a CCL query, -1 on error */
static long hits(catalog *c, const char *q)
{
	struct cat_result res;
	strbuf err = STRBUF_INIT;
	int rc = catalog_search_ccl(c, q, NULL, &res, NULL, &err);
	long n = rc ? -1 : res.total;
	if (rc)
		fprintf(stderr, "search '%s': %s\n", q, err.buf);
	cat_result_free(&res);
	sb_release(&err);
	return n;
}

static const char *first_hit(catalog *c, const char *q)
{
	static char id[64];
	struct cat_result res;
	id[0] = 0;
	if (catalog_search_ccl(c, q, NULL, &res, NULL, NULL) == CAT_OK && res.n)
		snprintf(id, sizeof id, "%s", res.ids[0]);
	cat_result_free(&res);
	return id;
}

static void test_codec(void)
{
	rec *r = book("Truyện Kiều", "Nguyễn, Du", "978-604-1-23456-7", "1820");
	size_t f = rec_add_field(r, "500", ' ', ' ');
	rec_add_sub(r, f, 'a', "", 0);                  /* empty subfield */
	rec_add_field(r, "999", '\\', ' ');              /* no subfields */
	strbuf sb = STRBUF_INIT;
	store_encode(r, &sb);
	rec *back = rec_create();
	CHECK_INT(store_decode(sb.buf, sb.len, back), 0);
	CHECK_INT(rec_compare(r, back, NULL, 0), 0);
	CHECK_INT(rec_nfields(back), rec_nfields(r));
	CHECK(store_decode(sb.buf, sb.len - 1, back) != 0);
	CHECK(store_decode("xx", 2, back) != 0);
	sb_release(&sb);
	rec_destroy(back);
	rec_destroy(r);
}

static void test_basic(catalog *c)
{
	strbuf err = STRBUF_INIT;
	rec *r = book("Tắt đèn", "Ngô, Tất Tố", "0-19-852663-6", "1939");
	CHECK_INT(add(c, r), 1);
	CHECK_STR(rec_get_control(r, "001"), "bm00000001");
	CHECK_STR(rec_get_control(r, "003"), "VN-BIENMUC");
	CHECK(rec_get_control(r, "005") != NULL);

	rec *got = rec_create();
	struct cat_version v = { 0 };
	CHECK_INT(catalog_fetch(c, "bm00000001", got, &v, &err), CAT_OK);
	CHECK_INT(v.version, 1);
	CHECK_STR(v.action, "add");
	CHECK_INT(rec_compare(r, got, NULL, 0), 0);
	cat_version_clear(&v);
	CHECK_INT(catalog_fetch(c, "nope", got, NULL, &err), CAT_NOTFOUND);

	/* a foreign 001/003 goes to 035 and a new id is given */
	rec *f = book("Số đỏ", "Vũ, Trọng Phụng", NULL, "1936");
	rec_insert_control(f, 0, "001", "ocm123", 6);
	rec_insert_control(f, 1, "003", "OCoLC", 5);
	CHECK_INT(add(c, f), 1);
	CHECK_STR(rec_get_control(f, "001"), "bm00000002");
	CHECK_STR(rec_get(f, "035", 'a'), "(OCoLC)ocm123");

	/* edit: version 2, summary names the change */
	long nv = 0;
	size_t t = (size_t)rec_find(r, "245", 0);
	rec_set_sub(r, t, 0, 'a', "Tắt đèn :", strlen("Tắt đèn :"));
	rec_add_sub(r, t, 'b', "tiểu thuyết", strlen("tiểu thuyết"));
	CHECK_INT(catalog_save(c, r, 1, NULL, &nv, &err), CAT_OK);
	CHECK_INT(nv, 2);
	/* stale save is refused */
	sb_reset(&err);
	CHECK_INT(catalog_save(c, r, 1, NULL, &nv, &err), CAT_CONFLICT);
	CHECK(strstr(err.buf, "version 2") != NULL);

	struct cat_version *h = NULL;
	size_t nh = 0;
	CHECK_INT(catalog_history(c, "bm00000001", &h, &nh, &err), CAT_OK);
	CHECK_INT(nh, 2);
	if (nh == 2) {
		CHECK_STR(h[1].summary, "245 changed");
		CHECK_STR(h[1].action, "edit");
		CHECK(h[1].user && *h[1].user);
	}
	cat_versions_free(h, nh);

	/* fetch the old version, roll back to it */
	CHECK_INT(catalog_fetch_version(c, "bm00000001", 1, got, NULL, &err), CAT_OK);
	CHECK_STR(rec_get(got, "245", 'a'), "Tắt đèn");
	CHECK_INT(catalog_rollback(c, "bm00000001", 1, &nv, &err), CAT_OK);
	CHECK_INT(nv, 3);
	CHECK_INT(catalog_fetch(c, "bm00000001", got, &v, &err), CAT_OK);
	CHECK_STR(rec_get(got, "245", 'a'), "Tắt đèn");
	CHECK(rec_get(got, "245", 'b') == NULL);
	CHECK(strstr(v.summary, "version 1 restored") != NULL);
	CHECK_STR(v.action, "rollback");
	cat_version_clear(&v);

	/* soft delete and undo */
	CHECK_INT(hits(c, "tat den"), 1);
	CHECK_INT(catalog_delete(c, "bm00000001", 3, NULL, &err), CAT_OK);
	CHECK_INT(hits(c, "tat den"), 0);
	CHECK_INT(catalog_fetch(c, "bm00000001", got, &v, &err), CAT_DELETED);
	CHECK_INT(v.deleted, 1);
	cat_version_clear(&v);
	CHECK_INT(catalog_save(c, got, CAT_ANY, NULL, NULL, &err), CAT_DELETED);
	CHECK_INT(catalog_undelete(c, "bm00000001", NULL, &err), CAT_OK);
	CHECK_INT(hits(c, "tat den"), 1);
	CHECK_INT(hits(c, "isbn=9780198526636"), 1);

	rec_destroy(got);
	rec_destroy(r);
	rec_destroy(f);
	sb_release(&err);
}

static void test_search(catalog *c)
{
	rec *r;
	r = book("Việt Nam sử lược", "Đào, Duy Anh", "978-604-1-23456-7 (pbk.)", "1928");
	add(c, r); rec_destroy(r);
	r = book("Truyện Kiều", "Nguyễn, Du", NULL, "1820");
	add(c, r); rec_destroy(r);
	r = book("Ðất nước", "Ðỗ, Chu", NULL, "2005");   /* look-alike Ð U+00D0 */
	add(c, r); rec_destroy(r);

	CHECK_INT(hits(c, "dao"), 1);
	CHECK_INT(hits(c, "Đào"), 1);
	CHECK_INT(hits(c, "DAO"), 1);
	CHECK_INT(hits(c, "nguyen du"), 1);
	CHECK_INT(hits(c, "au=nguyen du"), 1);
	CHECK_INT(hits(c, "ti=nguyen"), 0);
	CHECK_INT(hits(c, "ti=\"truyen kieu\""), 1);
	CHECK_INT(hits(c, "ti=\"kieu truyen\""), 0);
	CHECK_INT(hits(c, "dat nuoc"), 1);
	CHECK_INT(hits(c, "đất"), 1);
	CHECK_INT(hits(c, "nguy?"), 1);
	CHECK_INT(hits(c, "ti=tat or ti=kieu"), 2);
	CHECK_INT(hits(c, "ti=tat and au=ngo"), 1);
	CHECK_INT(hits(c, "ti=tat not au=ngo"), 0);
	CHECK_INT(hits(c, "yr>1930"), 3);
	CHECK_INT(hits(c, "yr<1930"), 2);
	CHECK_INT(hits(c, "yr=1900-1940"), 3);
	CHECK_INT(hits(c, "kieu or yr=1939"), 2);
	CHECK_INT(hits(c, "kieu and yr=1820"), 1);
	CHECK_INT(hits(c, "(kieu or dao) and yr<1900"), 1);
	/* ISBN-10 and -13 are the same book; qualifiers stripped */
	CHECK_INT(hits(c, "isbn=0198526636"), 1);
	CHECK_INT(hits(c, "isbn=978-0-19-852663-6"), 1);
	CHECK_INT(hits(c, "isbn=9786041234567"), 1);
	CHECK_INT(hits(c, "isbn=978604?"), 1);
	CHECK_INT(hits(c, "id=bm00000001"), 1);
	CHECK_STR(first_hit(c, "kieu"), "bm00000004");

	/* malformed queries: a position and a message, never a crash */
	const char *bad[] = { "ti=", "a and", "(a", "foo=bar", "ti=a)", "\"", "yr=abc", "   ",
	                      "isbn=hello", "?", "ti=(", "and", NULL };
	for (int i = 0; bad[i]; i++) {
		struct cat_result res;
		strbuf err = STRBUF_INIT;
		int pos = -1;
		int rc = catalog_search_ccl(c, bad[i], NULL, &res, &pos, &err);
		CHECKF(rc == CAT_QUERY, "'%s' gave %d", bad[i], rc);
		CHECKF(err.len > 0 && !strstr(err.buf, "SQL") && !strstr(err.buf, "fts5"),
		       "'%s': %s", bad[i], err.buf ? err.buf : "");
		cat_result_free(&res);
		sb_release(&err);
	}
	{
		struct cat_result res;
		strbuf err = STRBUF_INIT;
		int pos = -1;
		catalog_search_ccl(c, "ti=tat and", NULL, &res, &pos, &err);
		CHECK_INT(pos, 10);
		CHECK(strstr(err.buf, "column 11") != NULL);
		cat_result_free(&res);
		sb_release(&err);
	}
	/* sort and limit */
	struct cat_search_opts o = { .limit = 2, .sort = CAT_SORT_YEAR };
	struct cat_result res;
	CHECK_INT(catalog_search_ccl(c, "yr>1000", &o, &res, NULL, NULL), CAT_OK);
	CHECK_INT(res.total, 5);
	CHECK_INT(res.n, 2);
	if (res.n == 2)
		CHECK_STR(res.ids[0], "bm00000004");
	cat_result_free(&res);
	o.sort = CAT_SORT_TITLE;
	o.limit = 0;
	CHECK_INT(catalog_search_ccl(c, "yr>1000", &o, &res, NULL, NULL), CAT_OK);
	if (res.n == 5) {
		CHECK_STR(res.ids[0], "bm00000005");   /* Ðất nước (Ð read as Đ) */
		CHECK_STR(res.ids[1], "bm00000002");   /* Số đỏ */
		CHECK_STR(res.ids[4], "bm00000003");   /* Việt Nam sử lược */
	}
	cat_result_free(&res);
}

/* The ids of a CCL search in o's order, as "1 5 3" (the numbers of
 * bmNNNNNNNN), or "error". */
static void sorted_by(catalog *c, const char *q, const struct cat_search_opts *o, strbuf *out)
{
	struct cat_result res;
	sb_reset(out);
	if (catalog_search_ccl(c, q, o, &res, NULL, NULL) != CAT_OK)
		sb_adds(out, "error");
	for (size_t i = 0; i < res.n; i++)
		sb_addf(out, "%s%ld", i ? " " : "", strtol(res.ids[i] + 2, NULL, 10));
	cat_result_free(&res);
}

/* Several sort keys (cat_search_opts.then): each orders what the keys
 * before it leave tied; the rid breaks the rest; with a limit and an
 * offset too (the one-key fast paths are not taken). */
static void test_sort_then(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-then", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT, got = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	static const char *const books[][3] = {
		{ "Truyện Kiều", "Nguyễn, Du", "1820" },           /* 1 */
		{ "Lục Vân Tiên", "Nguyễn, Đình Chiểu", "1889" },  /* 2 */
		{ "Văn tế thập loại chúng sinh", "Nguyễn, Du", "1800" },
		{ "Bình Ngô đại cáo", "Nguyễn, Trãi", "1428" },
		{ "Thác lời trai phường nón", "Nguyễn, Du", "1810" },
		{ "Số đỏ", "Vũ, Trọng Phụng", "1936" },            /* 6 */
		{ "Giông tố", "Vũ, Trọng Phụng", "1936" },         /* 7 */
	};
	for (size_t i = 0; i < sizeof books / sizeof *books; i++) {
		rec *r = book(books[i][0], books[i][1], NULL, books[i][2]);
		add(c, r);
		rec_destroy(r);
	}
	struct cat_search_opts o = { .sort = CAT_SORT_AUTHOR };
	sorted_by(c, "yr>1000", &o, &got);                  /* one key: ties by rid */
	CHECK_STR(got.buf, "1 3 5 2 4 6 7");
	o.then[0] = (struct cat_sort_key){ CAT_SORT_YEAR, 1 };
	o.nthen = 1;
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "1 5 3 2 4 6 7");
	o.then[1] = (struct cat_sort_key){ CAT_SORT_TITLE, 0 };
	o.nthen = 2;
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "1 5 3 2 4 7 6");
	o.then[1].descending = 1;
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "1 5 3 2 4 6 7");
	/* a page of it */
	o.limit = 3;
	o.offset = 2;
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "3 2 4");
	sorted_by(c, "au=nguyen", &o, &got);                /* a word search */
	CHECK_STR(got.buf, "3 2 4");
	o.limit = o.offset = 0;
	/* descending first key: the rid ties go backwards too */
	o = (struct cat_search_opts){ .sort = CAT_SORT_AUTHOR, .descending = 1, .nthen = 1,
	                              .then = { { CAT_SORT_YEAR, 0 } } };
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "7 6 4 2 3 5 1");
	/* year, then title */
	o = (struct cat_search_opts){ .sort = CAT_SORT_YEAR, .nthen = 1,
	                              .then = { { CAT_SORT_TITLE, 0 } } };
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "4 3 5 1 2 7 6");
	/* an id key ends the list */
	o = (struct cat_search_opts){ .sort = CAT_SORT_AUTHOR, .nthen = 2,
	                              .then = { { CAT_SORT_ID, 1 }, { CAT_SORT_TITLE, 0 } } };
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "5 3 1 2 4 7 6");
	/* after the id or relevance further keys change nothing */
	o = (struct cat_search_opts){ .sort = CAT_SORT_ID, .nthen = 1,
	                              .then = { { CAT_SORT_TITLE, 0 } } };
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "1 2 3 4 5 6 7");
	o.sort = CAT_SORT_RELEVANCE;
	o.limit = 10;
	sorted_by(c, "yr>1000", &o, &got);
	CHECK_STR(got.buf, "1 2 3 4 5 6 7");
	catalog_close(c);
	t_rm_db(p);
	sb_release(&err);
	sb_release(&got);
}

static long sql_long(const char *path, const char *q);

/* catalog_browse_before of index from `from` as "heading=count(id);..."
 * (or "error: ..."). */
static void browse_back(catalog *c, const char *index, const char *from, size_t n,
                        strbuf *out)
{
	struct cat_heading *h = NULL;
	size_t nh = 0;
	strbuf err = STRBUF_INIT;
	sb_reset(out);
	if (catalog_browse_before(c, index, from, n, &h, &nh, &err) != CAT_OK)
		sb_addf(out, "error: %s", err.buf);
	for (size_t i = 0; i < nh; i++)
		sb_addf(out, "%s=%ld(%s);", h[i].heading, h[i].count, h[i].id);
	cat_headings_free(h, nh);
	sb_release(&err);
}

/* The headings before a browse term (a scan's preferred position), in
 * collation order, fewer at the index's start, whatever the schema reads
 * them (the titles of test_browse). */
static void check_browse_back(catalog *c)
{
	strbuf got = STRBUF_INIT;
	browse_back(c, "title", "d", 3, &got);
	CHECK_STR(got.buf, "ân=1(bm00000004);ba=1(bm00000003);ca=1(bm00000007);");
	browse_back(c, "title", "da", 1, &got);    /* the term itself is not before */
	CHECK_STR(got.buf, "ca=1(bm00000007);");
	browse_back(c, "title", "em", 1, &got);    /* ða and đa: one heading */
	CHECK_STR(got.buf, "đa=2(bm00000002);");
	browse_back(c, "title", "ân", 10, &got);   /* the index starts sooner */
	CHECK_STR(got.buf, "an=1(bm00000005);ăn=1(bm00000006);");
	browse_back(c, "title", "an", 10, &got);   /* nothing before the first */
	CHECK_STR(got.buf, "");
	browse_back(c, "title", NULL, 10, &got);
	CHECK_STR(got.buf, "");
	browse_back(c, "title", "", 10, &got);
	CHECK_STR(got.buf, "");
	browse_back(c, "title", "zz", 2, &got);    /* past the end: the last ones */
	CHECK_STR(got.buf, "em=1(bm00000009);êm=1(bm00000001);");
	browse_back(c, "author", "zz", 2, &got);   /* an index of its own */
	CHECK_STR(got.buf, "");
	browse_back(c, "nonsense", "a", 2, &got);
	CHECK(got.buf && !strncmp(got.buf, "error: ", 7));
	sb_release(&got);
}

static void test_browse(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-browse", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	const char *titles[] = { "êm", "đa", "ba", "ân", "an", "ăn", "ca", "da", "em", "Dư", "ða", NULL };
	/* ða (eth, legacy look-alike) files as đa: one heading, 2 records */
	const char *want[] = { "an", "ăn", "ân", "ba", "ca", "da", "Dư", "đa", "em", "êm" };
	for (int i = 0; titles[i]; i++) {
		rec *r = book(titles[i], NULL, NULL, NULL);
		add(c, r);
		rec_destroy(r);
	}
	struct cat_heading *h = NULL;
	size_t n = 0;
	CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
	CHECK_INT(n, 10);
	for (size_t i = 0; i < n && i < 10; i++)
		if (i != 7)
			CHECK_STR(h[i].heading, want[i]);
	if (n > 7) {
		CHECK_INT(h[7].count, 2);
		CHECK_STR(h[7].id, "bm00000002");    /* the first of its two records */
		CHECK_STR(h[0].id, "bm00000005");    /* "an", the fifth added */
	}
	cat_headings_free(h, n);
	CHECK_INT(catalog_browse(c, "title", "d", 3, &h, &n, &err), CAT_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(h[0].heading, "da");
		CHECK_STR(h[2].heading, "đa");
	}
	cat_headings_free(h, n);
	CHECK_INT(catalog_browse(c, "nonsense", NULL, 3, &h, &n, &err), CAT_QUERY);
	check_browse_back(c);
	catalog_close(c);

	/* a schema 6 catalogue (no kept counts) read by a read-only command:
	 * counted from the postings; the next read-write open (below) keeps
	 * counts again (schema 7) */
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DROP TABLE hcounts; PRAGMA user_version = 6", NULL, NULL, NULL),
	          SQLITE_OK);
	sqlite3_close(db);
	c = catalog_open(p, CAT_OPEN_READONLY, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 10);
		if (n == 10) {
			CHECK_STR(h[7].heading, "đa");
			CHECK_INT(h[7].count, 2);
			CHECK_STR(h[7].id, "bm00000002");
		}
		cat_headings_free(h, n);
		check_browse_back(c);
		catalog_close(c);
	}
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 10);
		if (n == 10)
			CHECK_INT(h[7].count, 2);
		cat_headings_free(h, n);
		catalog_close(c);
	}
	CHECK_INT(sql_long(p, "PRAGMA user_version"), 8);
	/* a count of 1 is kept as no row (schema 8) */
	CHECK_INT(sql_long(p, "SELECT sum(n) FROM hcounts") +
	          sql_long(p, "SELECT count(*) FROM headings h WHERE NOT EXISTS "
	                      "(SELECT 1 FROM hcounts c WHERE c.hid = h.hid)"),
	          sql_long(p, "SELECT count(*) FROM postings"));
	CHECK_INT(sql_long(p, "SELECT count(*) FROM hcounts WHERE n <= 1"), 0);

	/* an ICU upgrade (other library and collator versions recorded, stale
	 * keys): the next read-write open rebuilds the browse keys */
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE settings SET value = 'old' WHERE key IN "
	                       "('icu_version', 'collator_version'); DELETE FROM postings; "
	                       "DELETE FROM headings",
	                       NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_changes(db) > 0, 1);
	sqlite3_close(db);
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 10);
		if (n == 10) {
			CHECK_STR(h[0].heading, "an");
			CHECK_STR(h[9].heading, "êm");
		}
		cat_headings_free(h, n);
		catalog_close(c);
	}
	/* 653: each $a a subject heading of its own; a catalogue made under
	 * the old rule (joined) gets its browse index made again */
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		rec *r = book("Sách có từ khóa", NULL, NULL, NULL);
		size_t f = rec_add_field(r, "653", ' ', ' ');
		rec_add_sub(r, f, 'a', "Văn học hiện đại", strlen("Văn học hiện đại"));
		rec_add_sub(r, f, 'a', "Tiểu thuyết", strlen("Tiểu thuyết"));
		add(c, r);
		rec_destroy(r);
		CHECK_INT(catalog_browse(c, "subject", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 2);
		if (n == 2) {
			CHECK_STR(h[0].heading, "Tiểu thuyết");
			CHECK_STR(h[1].heading, "Văn học hiện đại");
		}
		cat_headings_free(h, n);
		catalog_close(c);
	}
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DELETE FROM settings WHERE key = 'browse_rule'; "
	                       "UPDATE headings SET heading = 'stale' WHERE idx = 3",
	                       NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	c = catalog_open(p, CAT_OPEN_READONLY, &err);      /* read-only: left alone */
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(catalog_browse(c, "subject", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK(n >= 1 && !strcmp(h[0].heading, "stale"));
		cat_headings_free(h, n);
		catalog_close(c);
	}
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(catalog_browse(c, "subject", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 2);
		if (n == 2)
			CHECK_STR(h[1].heading, "Văn học hiện đại");
		cat_headings_free(h, n);
		CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
		CHECK_INT(n, 11);
		cat_headings_free(h, n);
		catalog_close(c);
	}
	/* leading quotes, brackets and dashes do not file */
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		const char *odd[] = { "[Bàn]", "“Cá”", "-- Ân", NULL };
		for (int i = 0; odd[i]; i++) {
			rec *r = book(odd[i], NULL, NULL, NULL);
			add(c, r);
			rec_destroy(r);
		}
		CHECK_INT(catalog_browse(c, "title", NULL, 20, &h, &n, &err), CAT_OK);
		const char *order[] = { "an", "ăn", "ân", "-- Ân", "ba", "[Bàn]", "ca", "“Cá”", "da" };
		CHECK(n >= 9);
		for (size_t i = 0; i < 9 && i < n; i++)
			CHECK_STR(h[i].heading, order[i]);
		cat_headings_free(h, n);
		catalog_close(c);
	}
	/* same ICU: the versions are kept, nothing rebuilt */
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	sqlite3_stmt *s = NULL;
	sqlite3_prepare_v2(db, "SELECT count(*) FROM settings WHERE key IN ('icu_version', "
	                   "'collator_version') AND value <> 'old'", -1, &s, NULL);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), 2);
	sqlite3_finalize(s);
	sqlite3_close(db);
	t_rm_db(p);
	sb_release(&err);
}

static void test_match_and_batch(catalog *c)
{
	strbuf err = STRBUF_INIT;
	char **ids = NULL;
	size_t n = 0;
	rec *in = book("Tắt đèn (in lại)", NULL, "9780198526636", NULL);
	CHECK_INT(catalog_match(c, in, CAT_MK_ISBN, &ids, &n, &err), CAT_OK);
	CHECK_INT(n, 1);
	if (n)
		CHECK_STR(ids[0], "bm00000001");
	cat_ids_free(ids, n);
	CHECK_INT(catalog_matchkeys_parse("isbn,035", &err), CAT_MK_ISBN | CAT_MK_035);
	CHECK_INT(catalog_matchkeys_parse("isbn,bogus", &err), -1);

	/* a batch: one add, one replace; undo restores both */
	long b = 0;
	CHECK_INT(catalog_batch_start(c, "test", &b, &err), CAT_OK);
	CHECK(b > 0);
	struct cat_save_opts so = { .action = "import", .batch = b };
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	CHECK_INT(catalog_save(c, in, CAT_NEW, &so, NULL, &err), CAT_OK);
	char newid[32];
	snprintf(newid, sizeof newid, "%s", rec_get_control(in, "001"));
	/* within the transaction the new record matches already */
	rec *again = book("x", NULL, "0-19-852663-6", NULL);
	CHECK_INT(catalog_match(c, again, CAT_MK_ISBN, &ids, &n, &err), CAT_OK);
	CHECK_INT(n, 2);
	cat_ids_free(ids, n);
	rec_destroy(again);
	rec *old = rec_create();
	catalog_fetch(c, "bm00000002", old, NULL, &err);
	rec *repl = rec_clone(old);
	size_t t = (size_t)rec_find(repl, "245", 0);
	rec_set_sub(repl, t, 0, 'a', "Số đỏ (sửa)", strlen("Số đỏ (sửa)"));
	so.action = "replace";
	CHECK_INT(catalog_save(c, repl, CAT_ANY, &so, NULL, &err), CAT_OK);
	struct cat_batch counts = { .added = 1, .replaced = 1 };
	CHECK_INT(catalog_batch_progress(c, b, "key1", 2, 1234, 1, &counts, &err), CAT_OK);
	CHECK_INT(catalog_commit(c, &err), CAT_OK);
	CHECK_INT(catalog_batch_finish(c, b, "done", &err), CAT_OK);

	long rb = 0, rn = 0;
	long long off = 0;
	int done = 0;
	CHECK_INT(catalog_batch_resume(c, "key1", &rb, &rn, &off, &done, &err), CAT_OK);
	CHECK_INT(rb, b);
	CHECK_INT(off, 1234);
	CHECK_INT(done, 1);
	CHECK_INT(hits(c, "sua"), 1);

	long restored, removed, conflicts;
	CHECK_INT(catalog_batch_undo(c, b, 0, &restored, &removed, &conflicts, NULL, &err), CAT_OK);
	CHECK_INT(restored, 1);
	CHECK_INT(removed, 1);
	CHECK_INT(conflicts, 0);
	CHECK_INT(hits(c, "sua"), 0);
	CHECK_INT(hits(c, "so do"), 1);
	rec *got = rec_create();
	CHECK_INT(catalog_fetch(c, newid, got, NULL, &err), CAT_DELETED);
	CHECK_INT(catalog_batch_resume(c, "key1", &rb, &rn, &off, &done, &err), CAT_NOTFOUND);
	CHECK_INT(catalog_batch_undo(c, b, 0, &restored, &removed, &conflicts, NULL, &err), CAT_CONFLICT);
	struct cat_batch *bl = NULL;
	size_t nb = 0;
	CHECK_INT(catalog_batch_list(c, &bl, &nb, &err), CAT_OK);
	CHECK_INT(nb, 1);
	if (nb)
		CHECK_STR(bl[0].state, "undone");
	cat_batches_free(bl, nb);
	rec_destroy(got);
	rec_destroy(old);
	rec_destroy(repl);
	rec_destroy(in);
	sb_release(&err);
}

static void test_big(catalog *c)
{
	rec *r = book("Một biểu ghi rất dài", NULL, NULL, NULL);
	char buf[1001];
	memset(buf, 'x', 1000);
	buf[1000] = 0;
	for (int i = 0; i < 150; i++) {
		size_t f = rec_add_field(r, "505", '0', ' ');
		rec_add_sub(r, f, 'a', buf, 1000);
	}
	CHECK(rec_iso2709_size(r) > 99999);
	CHECK_INT(add(c, r), 1);
	rec *got = rec_create();
	CHECK_INT(catalog_fetch(c, rec_get_control(r, "001"), got, NULL, NULL), CAT_OK);
	CHECK_INT(rec_compare(r, got, NULL, 0), 0);
	CHECK_INT(rec_nfields(got), rec_nfields(r));
	rec_destroy(got);
	rec_destroy(r);
}

static void test_settings(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-settings", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(catalog_set_setting(c, "org_code", "VN-HaNoi", &err), CAT_OK);
	CHECK_INT(catalog_set_setting(c, "id_prefix", "hn", &err), CAT_OK);
	CHECK(catalog_set_setting(c, "next_id", "5", &err) != CAT_OK);
	rec *r = book("a", NULL, NULL, NULL);
	add(c, r);
	CHECK_STR(rec_get_control(r, "001"), "hn00000001");
	CHECK_STR(rec_get_control(r, "003"), "VN-HaNoi");
	catalog_close(c);
	/* reopen read-only: reads work, writes are refused */
	c = catalog_open(p, CAT_OPEN_READONLY, &err);
	CHECK(c != NULL);
	if (c) {
		char *v = catalog_get_setting(c, "org_code");
		CHECK_STR(v, "VN-HaNoi");
		free(v);
		CHECK_INT(catalog_save(c, r, CAT_NEW, NULL, NULL, &err), CAT_READONLY);
		catalog_close(c);
	}
	rec_destroy(r);
	/* not a catalogue */
	FILE *fp = fopen(p, "w");
	fputs("hello", fp);
	fclose(fp);
	sb_reset(&err);
	CHECK(catalog_open(p, 0, &err) == NULL);
	CHECK(err.len > 0);
	t_rm_db(p);
	sb_reset(&err);
	CHECK(catalog_open(p, 0, &err) == NULL);
	CHECK(strstr(err.buf, "no catalogue") != NULL);
	sb_release(&err);
}

static void enc_utf8(unsigned c, strbuf *sb)
{
	if (c < 0x80) {
		sb_addc(sb, (char)c);
	} else if (c < 0x800) {
		sb_addc(sb, (char)(0xC0 | c >> 6));
		sb_addc(sb, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		sb_addc(sb, (char)(0xE0 | c >> 12));
		sb_addc(sb, (char)(0x80 | (c >> 6 & 0x3F)));
		sb_addc(sb, (char)(0x80 | (c & 0x3F)));
	} else {
		sb_addc(sb, (char)(0xF0 | c >> 18));
		sb_addc(sb, (char)(0x80 | (c >> 12 & 0x3F)));
		sb_addc(sb, (char)(0x80 | (c >> 6 & 0x3F)));
		sb_addc(sb, (char)(0x80 | (c & 0x3F)));
	}
}

static int fold_same(const char *s, size_t n)
{
	char *a = fold_search(s, n), *b = store_fold_fast(s, n);
	int same = !strcmp(a ? a : "", b);
	if (!same)
		fprintf(stderr, "fold differs on '%.*s': '%s' vs '%s'\n", (int)n, s, a ? a : "", b);
	free(a);
	free(b);
	return same;
}

/* estimated counts: a broad query scaled from the newest records, a
 * selective one ranked and counted exactly in one pass */
static void test_estimates(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-est", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	store_tune_estimates(1000);
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	for (int i = 0; i < 3200; i++) {
		char t[80];
		snprintf(t, sizeof t, "S\xe1\xbb\x95 tay %s %d", i % 2 ? "chung" : "rieng", i);
		rec *r = book(t, i % 100 == 7 ? "Hi\xe1\xba\xbfm, C\xc3\xb3" :
		                 i % 20 == 3 ? "L\xc3\xaa, B\xc3\xa1" : "Tr\xe1\xba\xa7n, A", NULL, "2001");
		catalog_save(c, r, CAT_NEW, NULL, NULL, NULL);
		rec_destroy(r);
	}
	CHECK_INT(catalog_commit(c, &err), CAT_OK);
	struct cat_search_opts o = { .limit = 10, .estimate = 1 };
	struct cat_result res;
	CHECK_INT(catalog_search_ccl(c, "so tay chung", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 1);
	CHECKF(res.total >= 1200 && res.total <= 2000, "about %ld", res.total);
	CHECK_INT((long)res.n, 10);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "au=hiem", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 32);
	CHECK_INT((long)res.n, 10);
	cat_result_free(&res);
	/* 160 hits: a few in the newest 1/16, enough in the newest 1/4 (a
	 * phrase: one word would be counted exactly, below) */
	CHECK_INT(catalog_search_ccl(c, "au=\"le ba\"", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 1);
	CHECKF(res.total >= 140 && res.total <= 180, "about %ld", res.total);
	CHECK_INT((long)res.n, 10);
	cat_result_free(&res);
	/* one word: its exact count from the word counts, even when an
	 * estimate would do */
	CHECK_INT(catalog_search_ccl(c, "au=le", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 160);
	CHECK_INT((long)res.n, 10);
	cat_result_free(&res);
	o.estimate = 0;
	CHECK_INT(catalog_search_ccl(c, "au=le", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 160);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "so tay chung", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 1600);
	cat_result_free(&res);
	/* a word in every record of a larger catalogue: the newest 1/256 is
	 * enough to estimate it; a rarer one still gets 1/16 */
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	for (int i = 3200; i < 33000; i++) {
		char t[80];
		snprintf(t, sizeof t, "S\xe1\xbb\x95 tay %s %d", i % 10 ? "chung" : "hiem", i);
		rec *r = book(t, "Tr\xe1\xba\xa7n, A", NULL, "2001");
		catalog_save(c, r, CAT_NEW, NULL, NULL, NULL);
		rec_destroy(r);
	}
	CHECK_INT(catalog_commit(c, &err), CAT_OK);
	o.estimate = 1;
	CHECK_INT(catalog_search_ccl(c, "so tay", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 1);
	CHECKF(res.total >= 30000 && res.total <= 36000, "about %ld", res.total);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "ti=\"tay hiem\"", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 1);
	CHECKF(res.total >= 2500 && res.total <= 3500, "about %ld", res.total);
	cat_result_free(&res);
	/* words seldom together, none among the newest 1/256: all counted
	 * at once; none is exact and no search, a few are ranked and counted
	 * exactly, more are "about" as many, newest first */
	CHECK_INT(catalog_search_ccl(c, "rieng hiem", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 0);
	CHECK_INT((long)res.n, 0);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "so tay rieng 1006", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 1);
	CHECK_INT((long)res.n, 1);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "so tay rieng", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 1);
	CHECK_INT(res.total, 1600);
	CHECK_INT((long)res.n, 10);
	if (res.n) {
		rec *r = rec_create();
		CHECK_INT(catalog_fetch(c, res.ids[0], r, NULL, &err), CAT_OK);
		long f = rec_find(r, "245", 0);
		const char *t = f >= 0 ? rec_sub_value(r, (size_t)f, 0, NULL) : NULL;
		CHECKF(t && strstr(t, "3198"), "newest first: %s", t ? t : "(none)");
		rec_destroy(r);
	}
	cat_result_free(&res);
	/* and one word of them exactly */
	CHECK_INT(catalog_search_ccl(c, "tay", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 33000);
	CHECK_INT((long)res.n, 10);
	cat_result_free(&res);
	CHECK_INT(catalog_search_ccl(c, "ti=hiem", &o, &res, NULL, &err), CAT_OK);
	CHECK_INT(res.estimated, 0);
	CHECK_INT(res.total, 2980);
	cat_result_free(&res);
	store_tune_estimates(0);
	catalog_close(c);
	t_rm_db(p);
	sb_release(&err);
}

/* result-list summaries equal what the fetched record gives */
static void test_summaries(catalog *c)
{
	rec *r = book("Truy\xe1\xbb\x87n Ki\xe1\xbb\x81u /", "Nguy\xe1\xbb\x85n, Du,",
	              "0-306-40615-2 (pbk.)", "1820");
	CHECK(add(c, r) > 0);
	char *ids[3] = { xstrdup(rec_get_control(r, "001")), xstrdup("nonesuch"), NULL };
	struct cat_result res;
	strbuf err = STRBUF_INIT;
	if (catalog_search_ccl(c, "ti=kieu", NULL, &res, NULL, &err) == CAT_OK && res.n) {
		ids[2] = xstrdup(res.ids[0]);
		cat_result_free(&res);
	} else {
		ids[2] = xstrdup(ids[0]);
	}
	struct cat_summary sum[3], want;
	CHECK_INT(catalog_summaries(c, ids, 3, sum, &err), CAT_OK);
	CHECK_STR(sum[0].title, "Truy\xe1\xbb\x87n Ki\xe1\xbb\x81u");
	CHECK_STR(sum[0].author, "Nguy\xe1\xbb\x85n, Du");
	CHECK_STR(sum[0].year, "1820");
	CHECK_STR(sum[0].isbn, "9780306406157");
	CHECK_INT(sum[0].found, 1);
	CHECK_INT(sum[1].found, 0);
	CHECK_STR(sum[1].title, "");
	rec *got = rec_create();
	CHECK_INT(catalog_fetch(c, ids[2], got, NULL, NULL), CAT_OK);
	cat_summary_of(got, &want);
	CHECK_STR(sum[2].title, want.title);
	CHECK_STR(sum[2].author, want.author);
	CHECK_STR(sum[2].year, want.year);
	CHECK_STR(sum[2].isbn, want.isbn);
	cat_summaries_free(&want, 1);
	cat_summaries_free(sum, 3);
	cat_summaries_free(sum, 0);
	for (int i = 0; i < 3; i++)
		free(ids[i]);
	rec_destroy(got);
	rec_destroy(r);
	sb_release(&err);
}

/* the indexer's fast fold equals fold_search everywhere */
static void test_fold(void)
{
	strbuf sb = STRBUF_INIT;
	int bad = 0;
	for (unsigned c = 1; c < 0x3000 && bad < 5; c++) {
		if (c >= 0xD800 && c < 0xE000)
			continue;
		sb_reset(&sb);
		sb_adds(&sb, "a");
		enc_utf8(c, &sb);
		sb_adds(&sb, "b");
		enc_utf8(c, &sb);
		bad += !fold_same(sb.buf, sb.len);
	}
	CHECK_INT(bad, 0);
	/* random mixtures: Vietnamese, marks, Greek, CJK, Hangul jamo, bad bytes */
	static const unsigned pool[] = { 'A', 'z', ' ', '-', 0xD0, 0xF0, 0x110, 0x111, 0x1EA0,
	                                 0x1EF9, 0x301, 0x303, 0x323, 0x345, 0x390, 0x3A3, 0x130,
	                                 0xDF, 0x1E9E, 0xAD, 0x200B, 0x2060, 0x4E2D, 0x1100,
	                                 0x1161, 0x11A8, 0xAC00, 0x1F600, 0x0E01, 0x0B47, 0x0B3E };
	unsigned seed = 7;
	bad = 0;
	for (int t = 0; t < 20000 && bad < 5; t++) {
		sb_reset(&sb);
		int len = 1 + t % 9;
		for (int i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned c = pool[(seed >> 16) % (sizeof pool / sizeof pool[0])];
			enc_utf8(c, &sb);
		}
		if (t % 97 == 0)
			sb_addc(&sb, (char)0xC3);          /* truncated sequence */
		bad += !fold_same(sb.buf, sb.len);
	}
	CHECK_INT(bad, 0);
	const char *vi = "T\xe1\xba\xaft \xc4\x91\xc3\xa8n NGUY\xe1\xbb\x84N";
	CHECK(fold_same(vi, strlen(vi)));
	sb_release(&sb);
}


/* ---- work prepared ahead (catalog_prepare) ---- */

static void add_sub_field(rec *r, const char *tag, char i1, char i2, const char *subs)
{
	/* subs: "aText|bMore" */
	size_t f = rec_add_field(r, tag, i1, i2);
	const char *p = subs;
	while (*p) {
		const char *e = strchr(p + 1, '|');
		size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
		rec_add_sub(r, f, *p, p + 1, n);
		p += 1 + n + (e ? 1 : 0);
	}
}

#define NPREP 13
static rec *prep_recs[NPREP];

static rec *numbered(const char *title, const char *isbn, const char *id, const char *org)
{
	rec *r = book(title, NULL, isbn, "2020");
	rec_add_control(r, "001", id, strlen(id));
	if (org)
		rec_add_control(r, "003", org, strlen(org));
	return r;
}

static void make_prep_recs(void)
{
	prep_recs[0] = book("Tắt đèn", "Ngô, Tất Tố", "0-19-852663-6", "1939");
	add_sub_field(prep_recs[0], "650", ' ', '7', "aVăn học|zViệt Nam|vTiểu thuyết");
	add_sub_field(prep_recs[0], "260", ' ', ' ', "aHà Nội :|bVăn học,|c1939");
	add_sub_field(prep_recs[0], "490", '0', ' ', "aTủ sách văn học");
	add_sub_field(prep_recs[0], "500", ' ', ' ', "aIn lần thứ 3. Ðạo đức (eth)");
	add_sub_field(prep_recs[0], "082", '0', '4', "a895.9223|bNTT");
	prep_recs[1] = book("Truyện Kiều", "Nguyễn, Du", "9786049690590", "2015");
	add_sub_field(prep_recs[1], "700", '1', ' ', "aĐào, Duy Anh|ehiệu đính");
	add_sub_field(prep_recs[1], "600", '0', '0', "aNguyễn, Du|d1765-1820");
	prep_recs[2] = book("The art of computer programming", "Knuth, Donald E.", NULL, "1997");
	add_sub_field(prep_recs[2], "245", '1', '4', "aThe art of computer programming");
	prep_recs[3] = book("Số đỏ", NULL, NULL, NULL);          /* no author, no year */
	prep_recs[4] = rec_create();                              /* an authority */
	rec_set_leader(prep_recs[4], "00000nz  a2200000n  4500", 24);
	add_sub_field(prep_recs[4], "100", '1', ' ', "aNguyễn, Du|d1765-1820");
	prep_recs[5] = book("Dế Mèn phiêu lưu ký", "Tô, Hoài", "978-604-2-12345-6 (bìa mềm)", "2018");
	add_sub_field(prep_recs[5], "035", ' ', ' ', "a(OCoLC)12345");
	prep_recs[6] = book("", NULL, NULL, "2001");              /* empty title */
	/* numbers from elsewhere and our own (the match keys made ahead
	 * must come out as those made from the saved record) */
	prep_recs[7] = numbered("Vợ nhặt", "0-19-852663-6", "G123", "VN-GEN");   /* foreign */
	add_sub_field(prep_recs[7], "022", ' ', ' ', "a0317-8471");
	add_sub_field(prep_recs[7], "010", ' ', ' ', "a  2001012345");
	prep_recs[8] = numbered("Chí Phèo", NULL, "X9", "VN-GEN");    /* kept as 035 already */
	add_sub_field(prep_recs[8], "035", ' ', ' ', "a(VN-GEN)X9");
	prep_recs[9] = numbered("Bỉ vỏ", NULL, "bm99999999", "VN-BIENMUC");   /* ours, free */
	prep_recs[10] = numbered("Số đỏ", NULL, "bm00000001", "VN-BIENMUC");  /* ours, taken */
	prep_recs[11] = numbered("Giông tố", NULL, "Z7", NULL);      /* no 003 */
	prep_recs[12] = numbered("Tắt đèn", "9780198526636", "bm00000001", "VN-BIENMUC");
}

struct prep_job {
	cat_preparer *p;
	void *prep[NPREP];
};

static void *prep_thread(void *arg)
{
	struct prep_job *j = arg;
	for (int i = 0; i < NPREP; i++)
		j->prep[i] = catalog_prepare(j->p, prep_recs[i]);
	return NULL;
}

/* Everything a save writes but the time stamps and the journal's times. */
static void dump_catalog(const char *path, strbuf *out)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return;
	sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, instance)",
	             NULL, NULL, NULL);
	const char *q[] = {
		"SELECT id, version, deleted, year, hex(tkey), hex(akey), brief FROM records ORDER BY rid",
		"SELECT h.idx, hex(h.key), p.rid, h.heading FROM headings h JOIN postings p USING (hid) "
		"ORDER BY 1, 2, 3",
		"SELECT key, rid FROM keys ORDER BY 1, 2",
		"SELECT term, col, n FROM termdf ORDER BY 1, 2",
		"SELECT term, doc, col, offset FROM temp.v ORDER BY 1, 2, 3, 4",
		"SELECT rid, version, action, summary FROM versions ORDER BY vid",
		NULL };
	for (int i = 0; q[i]; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db, q[i], -1, &s, NULL) != SQLITE_OK) {
			sb_addf(out, "[%s: %s]\n", q[i], sqlite3_errmsg(db));
			continue;
		}
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				const unsigned char *t = sqlite3_column_text(s, c);
				sb_addf(out, "%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
			}
			sb_addc(out, '\n');
		}
		sqlite3_finalize(s);
		sb_adds(out, "--\n");
	}
	sqlite3_close(db);
}

/* Save prep_recs into a fresh catalogue at path: with work prepared on
 * another thread or not, inside one catalog_begin (an import) or not.
 * stale: change record 1's title after preparing it. */
static void save_all(const char *path, int prepared, int batch, int stale)
{
	t_rm_db(path);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(path, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	make_prep_recs();
	struct prep_job j = { catalog_preparer_create(c), { 0 } };
	if (prepared) {
		CHECK(j.p != NULL);
		pthread_t th;
		CHECK_INT(pthread_create(&th, NULL, prep_thread, &j), 0);
		pthread_join(th, NULL);
		for (int i = 0; i < NPREP; i++)
			CHECK(j.prep[i] != NULL);
	}
	if (stale)
		rec_set_sub(prep_recs[1], (size_t)rec_find(prep_recs[1], "245", 0), 0, 'a',
		            "Kim Vân Kiều", strlen("Kim Vân Kiều"));
	if (batch)
		CHECK_INT(catalog_begin(c, &err), CAT_OK);
	for (int i = 0; i < NPREP; i++) {
		/* matching with the keys made ahead finds what matching without does */
		char **ida = NULL, **idb = NULL;
		size_t na = 0, nb = 0;
		CHECK_INT(catalog_match(c, prep_recs[i], CAT_MK_ALL, &ida, &na, &err), CAT_OK);
		CHECK_INT(catalog_match_prep(c, prep_recs[i], j.prep[i], CAT_MK_ALL, &idb, &nb, &err),
		          CAT_OK);
		CHECK_INT((int)nb, (int)na);
		for (size_t k = 0; k < na && k < nb; k++)
			CHECKF(!strcmp(ida[k], idb[k]), "record %d: match %s, prepared %s", i, ida[k], idb[k]);
		if (i == 7 || i == 12)         /* the ISBN of record 0 (and of 7) */
			CHECKF(na == (i == 7 ? 1u : 2u), "record %d: %zu matches", i, na);
		cat_ids_free(ida, na);
		cat_ids_free(idb, nb);
		struct cat_save_opts so = { .action = "import", .prep = j.prep[i] };
		CHECKF(catalog_save(c, prep_recs[i], CAT_NEW, &so, NULL, &err) == CAT_OK, "%s",
		       err.buf ? err.buf : "");
	}
	if (batch)
		CHECK_INT(catalog_commit(c, &err), CAT_OK);
	for (int i = 0; i < NPREP; i++) {
		catalog_prep_free(j.p, j.prep[i]);
		rec_destroy(prep_recs[i]);
	}
	catalog_preparer_destroy(j.p);
	catalog_close(c);
	sb_release(&err);
}

static void test_prepared(void)
{
	char a[300], b[300];
	snprintf(a, sizeof a, "%s-prepA", dbpath);
	snprintf(b, sizeof b, "%s-prepB", dbpath);
	for (int batch = 0; batch < 2; batch++) {
		strbuf da = STRBUF_INIT, db = STRBUF_INIT;
		save_all(a, 0, batch, 0);
		save_all(b, 1, batch, 0);
		dump_catalog(a, &da);
		dump_catalog(b, &db);
		CHECK(da.len > 1000);
		CHECK(strstr(da.buf ? da.buf : "", "tat den") == NULL);   /* fts terms are words */
		CHECK(strstr(da.buf ? da.buf : "", "\ntat|") != NULL);
		CHECK(strstr(da.buf ? da.buf : "", "Truyện Kiều") != NULL);
		CHECKF(da.len == db.len && !memcmp(da.buf, db.buf, da.len),
		       "batch %d: prepared save differs:\n%s\n====\n%s", batch, da.buf, db.buf);
		sb_release(&da);
		sb_release(&db);
	}
	/* a record changed after it was prepared: the prep is not used */
	strbuf da = STRBUF_INIT, db = STRBUF_INIT;
	save_all(a, 0, 1, 1);
	save_all(b, 1, 1, 1);
	dump_catalog(a, &da);
	dump_catalog(b, &db);
	CHECK(strstr(db.buf ? db.buf : "", "Kim Vân Kiều") != NULL);
	CHECK(strstr(db.buf ? db.buf : "", "Truyện Kiều") == NULL);
	CHECK(strstr(db.buf ? db.buf : "", "\nkim|") != NULL);
	CHECK(strstr(db.buf ? db.buf : "", "\ntruyen|") == NULL);
	CHECKF(da.len == db.len && !memcmp(da.buf, db.buf, da.len), "stale prep used:\n%s", db.buf);
	sb_release(&da);
	sb_release(&db);
	t_rm_db(a);
	t_rm_db(b);
}

/* Browse rows follow deletes, and a schema 4 catalogue (heads, one row
 * per heading and record) browses the same read-only and after its
 * upgrade to headings + postings (schema 5). */
static void browse_titles(catalog *c, strbuf *out)
{
	struct cat_heading *h = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	sb_reset(out);
	if (catalog_browse(c, "title", NULL, 20, &h, &n, &err) != CAT_OK)
		sb_addf(out, "error: %s", err.buf);
	for (size_t i = 0; i < n; i++)
		sb_addf(out, "%s=%ld(%s);", h[i].heading, h[i].count, h[i].id);
	cat_headings_free(h, n);
	sb_release(&err);
}

static long sql_long(const char *path, const char *q)
{
	sqlite3 *db = NULL;
	long v = -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* titles of a title-sorted search, joined */
static void sorted_ids(catalog *c, strbuf *out)
{
	struct cat_search_opts o = { .limit = 0, .sort = CAT_SORT_TITLE };
	struct cat_result res;
	sb_reset(out);
	if (catalog_search_ccl(c, "kw=ngay", &o, &res, NULL, NULL) == CAT_OK)
		for (size_t i = 0; i < res.n; i++)
			sb_addf(out, "%s;", res.ids[i]);
	cat_result_free(&res);
}

static char notice_seen[300];
static void notice_catch(const char *m)
{
	snprintf(notice_seen, sizeof notice_seen, "%s", m);
}

/* Bulk loading (catalog_bulk_begin/end): when the title and author sort
 * indexes go, that searches stay right without them, and who builds them
 * again. The locks are per open file, so two handles of this process
 * behave as two processes. */
static void test_bulk(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-bulk", dbpath);
	t_rm_db(p);
	const char *nidx = "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                   "('records_tkey', 'records_akey')";
	const char *flag = "SELECT count(*) FROM settings WHERE key = 'sort_indexes'";
	strbuf err = STRBUF_INIT, before = STRBUF_INIT, got = STRBUF_INIT;
	catalog *a = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(a != NULL);
	if (!a)
		return;
	const char *titles[] = { "Ngày mới", "Ánh sáng ngày xưa", "Đêm và ngày", "Một ngày", NULL };
	for (int i = 0; titles[i]; i++) {
		rec *r = book(titles[i], "Tô, Hoài", NULL, "1990");
		add(a, r);
		rec_destroy(r);
	}
	sorted_ids(a, &before);
	CHECK_STR(before.buf, "bm00000002;bm00000003;bm00000004;bm00000001;");
	int susp = -1;
	/* fewer than 10,000 expected: nothing happens */
	CHECK_INT(catalog_bulk_begin(a, 9999, &susp, &err), CAT_OK);
	CHECK_INT(susp, 0);
	CHECK_INT(sql_long(p, nidx), 2);
	CHECK_INT(catalog_bulk_end(a, &err), CAT_OK);
	/* 10,000 into 4 records: gone until the end */
	CHECK_INT(catalog_bulk_begin(a, 10000, &susp, &err), CAT_OK);
	CHECK_INT(susp, 1);
	CHECK_INT(sql_long(p, nidx), 0);
	CHECK_INT(sql_long(p, flag), 1);
	sorted_ids(a, &got);                    /* searched without them: the same */
	CHECK_STR(got.buf, before.buf);
	rec *r = book("Bão ngày mai", NULL, NULL, NULL);
	CHECK_INT(add(a, r), 1);
	rec_destroy(r);
	/* another handle: its read-write open leaves them to the loader, and
	 * it can load too (unconditionally with -1) */
	notice_seen[0] = 0;
	catalog_set_notice(notice_catch);
	catalog *b = catalog_open(p, 0, &err);
	CHECK(b != NULL);
	CHECK_INT(sql_long(p, nidx), 0);
	CHECK_STR(notice_seen, "");
	if (b) {
		CHECK_INT(catalog_bulk_begin(b, -1, &susp, &err), CAT_OK);
		CHECK_INT(susp, 1);
	}
	/* the first loader to end leaves them to the other */
	CHECK_INT(catalog_bulk_end(a, &err), CAT_OK);
	CHECK_INT(sql_long(p, nidx), 0);
	CHECK_INT(catalog_bulk_end(a, &err), CAT_OK);   /* twice: nothing */
	if (b) {
		CHECK_INT(catalog_bulk_end(b, &err), CAT_OK);
		CHECK_INT(sql_long(p, nidx), 2);
		CHECK_INT(sql_long(p, flag), 0);
		/* closing a loader builds them too */
		CHECK_INT(catalog_bulk_begin(b, -1, &susp, &err), CAT_OK);
		CHECK_INT(sql_long(p, nidx), 0);
		catalog_close(b);
		CHECK_INT(sql_long(p, nidx), 2);
	}
	sorted_ids(a, &got);
	CHECK_STR(got.buf, "bm00000002;bm00000005;bm00000003;bm00000004;bm00000001;");
	/* inside a transaction: nothing (the caller must not be in one) */
	CHECK_INT(catalog_begin(a, &err), CAT_OK);
	CHECK_INT(catalog_bulk_begin(a, -1, &susp, &err), CAT_OK);
	CHECK_INT(susp, 0);
	CHECK_INT(catalog_commit(a, &err), CAT_OK);
	catalog_close(a);
	/* a loader killed: the flag is set and the indexes are gone */
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DROP INDEX records_tkey; DROP INDEX records_akey;"
	                       "INSERT INTO settings VALUES('sort_indexes', 'suspended')",
	                       NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	catalog *c = catalog_open(p, CAT_OPEN_READONLY, &err);   /* reading leaves them */
	CHECK(c != NULL);
	if (c) {
		sorted_ids(c, &got);
		CHECK_STR(got.buf, "bm00000002;bm00000005;bm00000003;bm00000004;bm00000001;");
		CHECK_INT(catalog_bulk_begin(c, -1, &susp, &err), CAT_OK);
		CHECK_INT(susp, 0);
		catalog_close(c);
	}
	CHECK_INT(sql_long(p, nidx), 0);
	c = catalog_open(p, 0, &err);                          /* a writer builds them */
	CHECK(c != NULL);
	CHECK_INT(sql_long(p, nidx), 2);
	CHECK_INT(sql_long(p, flag), 0);
	CHECK(strstr(notice_seen, "sort indexes again") != NULL);
	CHECK_INT(sql_long(p, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'records'") > 0, 1);
	catalog_close(c);
	catalog_set_notice(NULL);
	t_rm_db(p);
	sb_release(&err);
	sb_release(&before);
	sb_release(&got);
}

/* catalog_match's ISBN matches of r as "id;id;" */
static void matches(catalog *c, const rec *r, strbuf *out)
{
	char **ids = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	sb_reset(out);
	if (catalog_match(c, r, CAT_MK_ISBN, &ids, &n, &err) != CAT_OK)
		sb_addf(out, "error: %s", err.buf);
	for (size_t i = 0; i < n; i++)
		sb_addf(out, "%s;", ids[i]);
	cat_ids_free(ids, n);
	sb_release(&err);
}

/* A bulk loader skips looking up the headings and match keys it knows
 * the catalogue lacks (a filter of those it had and those it added): the
 * ones the catalogue had before the load, the ones the loader added and
 * the ones another program added meanwhile must all still be found, or a
 * heading would be made twice and a duplicate missed. */
static void test_bulk_absent(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-absent", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT, got = STRBUF_INIT;
	catalog *a = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(a != NULL);
	if (!a)
		return;
	rec *r = book("Thơ thơ", "Xuân Diệu", "9786040000011", "1938");     /* before the load */
	CHECK_INT(add(a, r), 1);
	rec_destroy(r);
	int susp = 0;
	CHECK_INT(catalog_bulk_begin(a, -1, &susp, &err), CAT_OK);
	CHECK_INT(susp, 1);
	CHECK_INT(catalog_begin(a, &err), CAT_OK);
	r = book("Gửi hương cho gió", "Xuân Diệu", "9786040000028", "1945");
	matches(a, r, &got);
	CHECK_STR(got.buf ? got.buf : "", "");
	CHECK_INT(add(a, r), 1);
	rec_destroy(r);
	r = book("Thơ thơ (in lại)", "Xuân Diệu", "9786040000011", "1960");  /* the catalogue's */
	matches(a, r, &got);
	CHECK_STR(got.buf, "bm00000001;");
	rec_destroy(r);
	CHECK_INT(catalog_commit(a, &err), CAT_OK);
	/* another program saves between the loader's transactions */
	catalog *b = catalog_open(p, 0, &err);
	CHECK(b != NULL);
	if (b) {
		r = book("Vang bóng một thời", "Nguyễn Tuân", "9786040000035", "1940");
		CHECK_INT(add(b, r), 1);
		rec_destroy(r);
		catalog_close(b);
	}
	CHECK_INT(catalog_begin(a, &err), CAT_OK);
	r = book("Vang bóng một thời (in lại)", "Nguyễn Tuân", "9786040000035", "1962");
	matches(a, r, &got);
	CHECK_STR(got.buf, "bm00000003;");                  /* the other program's */
	CHECK_INT(add(a, r), 1);
	rec_destroy(r);
	r = book("Gửi hương cho gió (in lại)", "Xuân Diệu", "9786040000028", "1960");
	matches(a, r, &got);
	CHECK_STR(got.buf, "bm00000002;");                  /* the loader's own, committed */
	rec_destroy(r);
	CHECK_INT(catalog_commit(a, &err), CAT_OK);
	CHECK_INT(catalog_bulk_end(a, &err), CAT_OK);
	/* each author one heading, with all its records */
	CHECK_INT(sql_long(p, "SELECT count(*) FROM headings WHERE idx = 2"), 2);
	CHECK_INT(sql_long(p, "SELECT c.n FROM headings h JOIN hcounts c ON c.hid = h.hid "
	                      "WHERE h.idx = 2 AND h.heading = 'Xuân Diệu'"), 2);
	CHECK_INT(sql_long(p, "SELECT c.n FROM headings h JOIN hcounts c ON c.hid = h.hid "
	                      "WHERE h.idx = 2 AND h.heading = 'Nguyễn Tuân'"), 2);
	CHECK_INT(sql_long(p, "SELECT count(*) FROM (SELECT idx, key FROM headings "
	                      "GROUP BY idx, key HAVING count(*) > 1)"), 0);
	catalog_close(a);
	t_rm_db(p);
	sb_release(&err);
	sb_release(&got);
}

static void test_browse_schema(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-b5", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT, got = STRBUF_INIT, want = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	const char *titles[] = { "Truyện Kiều", "Lục Vân Tiên", "Truyện Kiều", "Chinh phụ ngâm", NULL };
	for (int i = 0; titles[i]; i++) {
		rec *r = book(titles[i], "Nguyễn, Du", NULL, NULL);
		add(c, r);
		rec_destroy(r);
	}
	browse_titles(c, &got);
	CHECK_STR(got.buf, "Chinh phụ ngâm=1(bm00000004);Lục Vân Tiên=1(bm00000002);"
	          "Truyện Kiều=2(bm00000001);");
	CHECK_INT(sql_long(p, "SELECT count(*) FROM headings"), 4);   /* 3 titles, 1 author */
	CHECK_INT(sql_long(p, "SELECT count(*) FROM postings"), 8);
	CHECK_INT(catalog_delete(c, "bm00000001", CAT_ANY, NULL, &err), CAT_OK);
	browse_titles(c, &got);
	CHECK(strstr(got.buf, "Truyện Kiều=1(bm00000003);") != NULL);
	CHECK_INT(catalog_delete(c, "bm00000003", CAT_ANY, NULL, &err), CAT_OK);
	browse_titles(c, &got);
	CHECK(strstr(got.buf, "Kiều") == NULL);
	/* the last record with a heading takes the heading with it */
	CHECK_INT(sql_long(p, "SELECT count(*) FROM headings"), 3);
	CHECK_INT(catalog_undelete(c, "bm00000003", NULL, &err), CAT_OK);
	/* in one transaction (an import), the rows wait for the commit */
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	rec *r = book("Truyện Kiều", NULL, NULL, NULL);
	add(c, r);
	rec_destroy(r);
	browse_titles(c, &got);                 /* sees its own pending rows */
	CHECK(strstr(got.buf, "Truyện Kiều=2(bm00000003);") != NULL);
	CHECK_INT(catalog_commit(c, &err), CAT_OK);
	browse_titles(c, &want);
	CHECK_STR(want.buf, "Chinh phụ ngâm=1(bm00000004);Lục Vân Tiên=1(bm00000002);"
	          "Truyện Kiều=2(bm00000003);");
	catalog_close(c);

	/* back to schema 4's table, as an older bienmuc left it */
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db,
		"CREATE TABLE heads(idx INTEGER NOT NULL, key BLOB NOT NULL, rid INTEGER NOT NULL,"
		"  heading TEXT NOT NULL, PRIMARY KEY(idx, key, rid)) WITHOUT ROWID;"
		"INSERT INTO heads SELECT h.idx, h.key, p.rid, h.heading FROM headings h "
		"  JOIN postings p USING (hid);"
		"DROP TABLE postings; DROP TABLE headings; PRAGMA user_version = 4",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	c = catalog_open(p, CAT_OPEN_READONLY, &err);
	CHECK(c != NULL);
	if (c) {
		browse_titles(c, &got);
		CHECK_STR(got.buf, want.buf);
		browse_back(c, "title", "truyen", 5, &got);   /* S_BROWSE4_BACK */
		CHECK_STR(got.buf, "Chinh phụ ngâm=1(bm00000004);Lục Vân Tiên=1(bm00000002);");
		browse_back(c, "title", "Lục Vân Tiên", 5, &got);
		CHECK_STR(got.buf, "Chinh phụ ngâm=1(bm00000004);");
		catalog_close(c);
	}
	CHECK_INT(sql_long(p, "PRAGMA user_version"), 4);   /* read-only: not upgraded */
	c = catalog_open(p, 0, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(sql_long(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
		browse_titles(c, &got);
		CHECK_STR(got.buf, want.buf);
		catalog_close(c);
	}
	CHECK_INT(sql_long(p, "SELECT count(*) FROM headings"), 4);
	CHECK_INT(sql_long(p, "SELECT count(*) FROM postings"), 7);
	CHECK_INT(sql_long(p, "SELECT count(*) FROM sqlite_schema WHERE name = 'heads'"), 0);
	t_rm_db(p);
	sb_release(&err);
	sb_release(&got);
	sb_release(&want);
}

/* Journal rows inside one transaction wait and go in many at a time
 * (store.c journal_flush): whatever reads the journal before the commit
 * sees them all, in order; the commit keeps them; an abort drops them. */
static void test_journal_batched(void)
{
	char p[300];
	snprintf(p, sizeof p, "%s-journal", dbpath);
	t_rm_db(p);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	struct cat_save_opts so = { .action = "import" };
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	for (int i = 0; i < 37; i++) {                  /* two statements of 16 and 5 rows */
		char t[40];
		snprintf(t, sizeof t, "Sách số %d", i + 1);
		rec *r = book(t, NULL, NULL, "2001");
		CHECK_INT(catalog_save(c, r, CAT_NEW, &so, NULL, &err), CAT_OK);
		rec_destroy(r);
	}
	/* the history of the 37th, before the commit */
	struct cat_version *h = NULL;
	size_t nh = 0;
	CHECK_INT(catalog_history(c, "bm00000037", &h, &nh, &err), CAT_OK);
	CHECK_INT(nh, 1);
	if (nh == 1)
		CHECK_STR(h[0].action, "import");
	cat_versions_free(h, nh);
	/* replaced inside the same transaction: version 1 keeps its data */
	rec *r = rec_create();
	CHECK_INT(catalog_fetch(c, "bm00000020", r, NULL, &err), CAT_OK);
	size_t t = (size_t)rec_find(r, "245", 0);
	rec_set_sub(r, t, 0, 'a', "Sách hai mươi", strlen("Sách hai mươi"));
	so.action = "replace";
	CHECK_INT(catalog_save(c, r, CAT_ANY, &so, NULL, &err), CAT_OK);
	CHECK_INT(catalog_commit(c, &err), CAT_OK);
	h = NULL;
	nh = 0;
	CHECK_INT(catalog_history(c, "bm00000020", &h, &nh, &err), CAT_OK);
	CHECK_INT(nh, 2);
	if (nh == 2) {
		CHECK_STR(h[0].action, "import");
		CHECK_STR(h[1].action, "replace");
	}
	cat_versions_free(h, nh);
	CHECK_INT(catalog_fetch_version(c, "bm00000020", 1, r, NULL, &err), CAT_OK);
	CHECK_STR(rec_get(r, "245", 'a'), "Sách số 20");
	h = NULL;
	nh = 0;
	CHECK_INT(catalog_history(c, "bm00000001", &h, &nh, &err), CAT_OK);
	CHECK_INT(nh, 1);
	cat_versions_free(h, nh);
	/* an abort: neither the records nor their journal rows stay */
	so.action = "import";
	CHECK_INT(catalog_begin(c, &err), CAT_OK);
	for (int i = 0; i < 20; i++) {
		rec *b = book("Bỏ đi", NULL, NULL, NULL);
		CHECK_INT(catalog_save(c, b, CAT_NEW, &so, NULL, &err), CAT_OK);
		rec_destroy(b);
	}
	catalog_abort(c);
	h = NULL;
	nh = 0;
	CHECK(catalog_history(c, "bm00000040", &h, &nh, &err) != CAT_OK || nh == 0);
	cat_versions_free(h, nh);
	/* and the next save journals as usual */
	rec *b = book("Sau cùng", NULL, NULL, NULL);
	CHECK_INT(catalog_save(c, b, CAT_NEW, NULL, NULL, &err), CAT_OK);
	h = NULL;
	nh = 0;
	CHECK_INT(catalog_history(c, rec_get_control(b, "001"), &h, &nh, &err), CAT_OK);
	CHECK_INT(nh, 1);
	cat_versions_free(h, nh);
	rec_destroy(b);
	rec_destroy(r);
	catalog_close(c);
	sb_release(&err);
	t_rm_db(p);
}

/* PRAGMA schema_version of catalogue file p, or -1. */
static int schema_version_of(const char *p)
{
	sqlite3 *q = NULL;
	sqlite3_stmt *s = NULL;
	int v = -1;
	if (sqlite3_open(p, &q) == SQLITE_OK &&
	    sqlite3_prepare_v2(q, "PRAGMA schema_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(q);
	return v;
}

/* A catalogue without the copies tables, one record saved (its id into
 * id), and the schema version then. */
static catalog *copies_less(const char *p, char *id, size_t idsz, int *version)
{
	t_rm_db(p);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(p, CAT_OPEN_CREATE, &err);
	CHECKF(c != NULL, "%s", err.buf ? err.buf : "");
	if (c) {
		rec *b = book("Tắt đèn", "Ngô, Tất Tố", NULL, "1939");
		CHECK_INT(catalog_save(c, b, CAT_NEW, NULL, NULL, &err), CAT_OK);
		snprintf(id, idsz, "%s", rec_get_control(b, "001"));
		rec_destroy(b);
	}
	*version = schema_version_of(p);
	sb_release(&err);
	return c;
}

/* The copies code keeps what the schema has while PRAGMA schema_version
 * stays the same. An import that made the copies tables and was aborted
 * takes them away again; as many schema changes by another program as
 * making them took bring the version back to the one the tables were
 * seen at. The copies code must not take them for there (before
 * catalog_abort told it, copies_list failed on "no such table"). */
static void test_copies_after_abort(void)
{
	char p[300], id[64];
	snprintf(p, sizeof p, "%s-cabort", dbpath);
	strbuf err = STRBUF_INIT;
	struct copy cp = { 0 };
	CHECK_INT(copy_set(&cp, "accno", "VV.000001"), 0);
	/* how many schema changes making the tables takes */
	int v0, k = -1;
	catalog *c = copies_less(p, id, sizeof id, &v0);
	if (c) {
		CHECK_INT(catalog_begin(c, &err), CAT_OK);
		CHECKF(copies_add(c, id, &cp, 1, NULL, NULL, &err) == CAT_OK, "%s", err.buf ? err.buf : "");
		CHECK_INT(catalog_commit(c, &err), CAT_OK);
		catalog_close(c);
		k = schema_version_of(p) - v0;
		CHECKF(k > 0, "schema changes making the copies tables: %d", k);
	}
	c = copies_less(p, id, sizeof id, &v0);
	if (c && k > 0) {
		CHECK_INT(catalog_begin(c, &err), CAT_OK);
		CHECKF(copies_add(c, id, &cp, 1, NULL, NULL, &err) == CAT_OK, "%s", err.buf ? err.buf : "");
		struct copy *v = NULL;
		size_t n = 0;
		CHECK_INT(copies_list(c, id, &v, &n, &err), CAT_OK);       /* seen there */
		CHECK_INT(n, 1);
		copies_free(v, n);
		catalog_abort(c);
		CHECK_INT(schema_version_of(p), v0);
		sqlite3 *o = NULL;
		CHECK_INT(sqlite3_open(p, &o), SQLITE_OK);
		sqlite3_busy_timeout(o, 5000);
		for (int i = 0; i < k; i++) {
			char sql[64];
			snprintf(sql, sizeof sql, "CREATE TABLE other%d(x)", i);
			CHECK_INT(sqlite3_exec(o, sql, NULL, NULL, NULL), SQLITE_OK);
		}
		sqlite3_close(o);
		CHECK_INT(schema_version_of(p), v0 + k);
		v = NULL;
		n = 9;
		sb_reset(&err);
		CHECKF(copies_list(c, id, &v, &n, &err) == CAT_OK, "%s", err.buf ? err.buf : "");
		CHECK_INT(n, 0);
		copies_free(v, n);
		/* and a copy can be added (the tables made again) and found */
		sb_reset(&err);
		CHECKF(copies_add(c, id, &cp, 1, NULL, NULL, &err) == CAT_OK, "%s", err.buf ? err.buf : "");
		v = NULL;
		n = 0;
		CHECK_INT(copies_list(c, id, &v, &n, &err), CAT_OK);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(v[0].accno, "VV.000001");
		copies_free(v, n);
	}
	if (c)
		catalog_close(c);
	copy_clear(&cp);
	t_rm_db(p);
	sb_release(&err);
}

int main(void)
{
	snprintf(dbpath, sizeof dbpath, "%s/t-store-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         (int)getpid());
	t_rm_db(dbpath);
	test_codec();
	test_fold();
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(dbpath, CAT_OPEN_CREATE, &err);
	CHECKF(c != NULL, "%s", err.buf ? err.buf : "");
	if (c) {
		CHECK_STR(catalog_backend(c), "sqlite");
		test_basic(c);
		test_search(c);
		test_summaries(c);
		test_match_and_batch(c);
		test_big(c);
		catalog_close(c);
	}
	test_browse();
	test_sort_then();
	test_settings();
	test_journal_batched();
	test_estimates();
	test_prepared();
	test_browse_schema();
	test_bulk();
	test_bulk_absent();
	test_copies_after_abort();
	sb_release(&err);
	t_rm_db(dbpath);
	DONE();
}
