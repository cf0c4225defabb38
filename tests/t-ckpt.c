/*
 * t-ckpt.c - a bulk import's background checkpoints (src/store-ckpt.c):
 * what a writer committed and kicked gets into the database file itself
 * while the writer keeps its connection and goes on writing; stopping with nothing kicked does nothing; on one
 * processor nothing is started. Built plain, with ASan and with
 * ThreadSanitizer (tests/readahead-tsan.test).
 */
#include <sqlite3.h>
#include "harness.h"
#include "store-ckpt.h"

static char dir[] = "/tmp/t-ckpt.XXXXXX";
static char db_path[64], copy_path[64];

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Rows in t of the database file alone (copied without its -wal). */
static long rows_in_file(void)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", db_path, copy_path,
	         copy_path, copy_path);
	if (system(cmd) != 0)
		return -2;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long n = -1;
	char uri[400];
	snprintf(uri, sizeof uri, "file:%s?immutable=1", copy_path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Commit n more rows (of 2 KB each) in one transaction. */
static int add_rows(sqlite3 *db, int n)
{
	char sql[200];
	snprintf(sql, sizeof sql,
	         "BEGIN IMMEDIATE; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
	         "WHERE i < %d) INSERT INTO t(v) SELECT randomblob(2000) FROM c; COMMIT", n);
	return exec(db, sql);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	snprintf(db_path, sizeof db_path, "%s/c.db", dir);
	snprintf(copy_path, sizeof copy_path, "%s/copy.db", dir);
	sqlite3 *w = NULL;
	CHECK(sqlite3_open(db_path, &w) == SQLITE_OK);
	CHECK(exec(w, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
	              "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)") == 0);
	/* the CREATE is only in the -wal: the file alone has no table t */
	CHECK_INT(rows_in_file(), -1);

	setenv("BIENMUC_IMPORT_THREADS", "1", 1);
	CHECK(store_ckpt_start(db_path) == NULL);
	unsetenv("BIENMUC_IMPORT_THREADS");
	store_ckpt_kick(NULL);                      /* accepts NULL */
	store_ckpt_stop(NULL);

	setenv("BIENMUC_IMPORT_THREADS", "2", 1);
	store_ckpt *c = store_ckpt_start(db_path);
	CHECK(c != NULL);
	/* three commits, each kicked, while the writer keeps its connection;
	 * the thread copies them into the file by itself (a checkpoint that
	 * runs while the writer is inside its next transaction stops where
	 * that transaction began, so the wait is for the last kick's) */
	for (int i = 0; i < 3; i++) {
		CHECK(add_rows(w, 200) == 0);
		store_ckpt_kick(c);
	}
	long n = -1;
	for (int tries = 0; tries < 200 && (n = rows_in_file()) != 600; tries++)
		usleep(50000);
	CHECKF(n == 600, "rows in the file alone, 10 s after the kicks: %ld", n);
	/* a fourth, committed but not kicked: left in the -wal */
	CHECK(add_rows(w, 50) == 0);
	store_ckpt_stop(c);
	n = rows_in_file();
	CHECKF(n == 600 || n == 650, "rows in the file alone: %ld", n);
	/* the writer goes on; its own data is whole */
	CHECK(add_rows(w, 10) == 0);
	sqlite3_stmt *s = NULL;
	CHECK(sqlite3_prepare_v2(w, "SELECT count(*) FROM t", -1, &s, NULL) == SQLITE_OK &&
	      sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) == 660);
	sqlite3_finalize(s);

	/* started and stopped with nothing kicked: nothing copied, no hang */
	c = store_ckpt_start(db_path);
	CHECK(c != NULL);
	store_ckpt_stop(c);
	n = rows_in_file();
	CHECKF(n == 600 || n == 650, "rows in the file alone: %ld", n);

	/* a catalogue that cannot be opened: NULL, nothing started */
	char missing[400];
	snprintf(missing, sizeof missing, "%s/no/such.db", dir);
	CHECK(store_ckpt_start(missing) == NULL);

	sqlite3_close(w);                           /* checkpoints the rest */
	CHECK_INT(rows_in_file(), 660);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "t-ckpt: could not remove %s\n", dir);
	DONE();
}
