/*
 * store-copies.c - copies (items) in the SQLite catalogue: part of the
 * store module, all copies SQL lives here (copies.h is the interface).
 *
 * Tables (version in the setting "copies_schema", created on first use
 * by a writer; a read-only catalogue without them simply has no copies):
 *   copies(cid, rid, accno UNIQUE NOCASE, accnum, branch, location, callno,
 *          volume, source, price, added, status, note)
 *          rid = records.rid; accnum = the numeric part of accno, for
 *          accession order and the next free number
 *   copies_journal(jid, time, user, action, accno, record, summary, prev,
 *          undone)  one row per change; prev = the copy before the change
 *          as a JSON object (NULL for an add), so it can be undone
 * Copies of a deleted record stay (undelete brings them back with it)
 * but are not listed or counted; their numbers stay taken.
 *
 * Writes run in the caller's transaction (catalog_begin) when there is
 * one, else in their own BEGIN IMMEDIATE: the uniqueness check and the
 * next free number are computed under the write lock.
 *
 * Errors are translated (i18n-lower.h); the journal summaries ("copy X
 * added", "status lost", "change N (edit) undone") stay English on purpose:
 * they are stored data, shown later to whoever reads the journal.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "catalog-ops.h"
#include "copies.h"
#include "i18n-lower.h"

#define COPIES_SCHEMA "1"

const char *const copy_fields[] = {
	"accno", "branch", "location", "callno", "volume", "source", "price", "added",
	"status", "note", NULL,
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS copies(cid INTEGER PRIMARY KEY, rid INTEGER NOT NULL,"
	" accno TEXT NOT NULL COLLATE NOCASE UNIQUE, accnum INTEGER,"
	" branch TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '',"
	" callno TEXT NOT NULL DEFAULT '', volume TEXT NOT NULL DEFAULT '',"
	" source TEXT NOT NULL DEFAULT '', price TEXT NOT NULL DEFAULT '',"
	" added TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'available',"
	" note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS copies_rid ON copies(rid);"
	"CREATE INDEX IF NOT EXISTS copies_added ON copies(added);"
	"CREATE TABLE IF NOT EXISTS copies_journal(jid INTEGER PRIMARY KEY, time TEXT NOT NULL,"
	" user TEXT, action TEXT NOT NULL, accno TEXT NOT NULL, record TEXT, summary TEXT,"
	" prev TEXT, undone INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS copies_journal_accno ON copies_journal(accno);"
	"INSERT INTO settings(key, value) VALUES('copies_schema', '" COPIES_SCHEMA "')"
	" ON CONFLICT(key) DO UPDATE SET value = excluded.value;";

#define COLS "r.id, c.accno, c.branch, c.location, c.callno, c.volume, c.source, " \
	"c.price, c.added, c.status, c.note FROM copies c JOIN records r ON r.rid = c.rid "
#define ORDER " ORDER BY c.accnum IS NULL, c.accnum, c.accno"
#define PREV_JSON "json_object('record', r.id, 'accno', c.accno, 'branch', c.branch, " \
	"'location', c.location, 'callno', c.callno, 'volume', c.volume, 'source', c.source, " \
	"'price', c.price, 'added', c.added, 'status', c.status, 'note', c.note)"

/* ------------------------------------------------------------------ */
/* struct copy */

static char **field_ptr(struct copy *cp, const char *name)
{
	if (!strcmp(name, "record")) return &cp->record;
	if (!strcmp(name, "accno")) return &cp->accno;
	if (!strcmp(name, "branch")) return &cp->branch;
	if (!strcmp(name, "location")) return &cp->location;
	if (!strcmp(name, "callno")) return &cp->callno;
	if (!strcmp(name, "volume")) return &cp->volume;
	if (!strcmp(name, "source")) return &cp->source;
	if (!strcmp(name, "price")) return &cp->price;
	if (!strcmp(name, "added")) return &cp->added;
	if (!strcmp(name, "status")) return &cp->status;
	if (!strcmp(name, "note")) return &cp->note;
	return NULL;
}

void copy_clear(struct copy *cp)
{
	if (!cp)
		return;
	for (int i = 0; copy_fields[i]; i++)
		free(*field_ptr(cp, copy_fields[i]));
	free(cp->record);
	memset(cp, 0, sizeof *cp);
}

void copies_free(struct copy *cp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		copy_clear(&cp[i]);
	free(cp);
}

static int valid_date(const char *s)
{
	return strlen(s) == 10 && parse_digits(s, 4) > 0 && s[4] == '-' &&
	       parse_digits(s + 5, 2) >= 1 && parse_digits(s + 5, 2) <= 12 && s[7] == '-' &&
	       parse_digits(s + 8, 2) >= 1 && parse_digits(s + 8, 2) <= 31;
}

static int valid_status(const char *s)
{
	return !strcmp(s, COPY_AVAILABLE) || !strcmp(s, COPY_WITHDRAWN) || !strcmp(s, COPY_LOST) ||
	       !strcmp(s, COPY_REPAIR);
}

int copy_set(struct copy *cp, const char *name, const char *value)
{
	char **p = field_ptr(cp, name);
	if (!p || !value)
		return -1;
	if (!strcmp(name, "status") && !valid_status(value))
		return -1;
	if (!strcmp(name, "added") && *value && !valid_date(value))
		return -1;
	free(*p);
	*p = xstrdup(value);
	return 0;
}

const char *copy_get(const struct copy *cp, const char *name)
{
	char **p = field_ptr((struct copy *)cp, name);
	if (!p)
		return NULL;
	return *p ? *p : "";
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* ------------------------------------------------------------------ */
/* database access */

/* store.c keeps the sqlite3 handle as the first member of its back-end
 * struct (store_db accessor: see the report; until then this). */
static sqlite3 *cdb(catalog *c, strbuf *err)
{
	if (!c || strcmp(catalog_backend(c), "sqlite")) {
		if (err)
			sb_adds(err, _("copies are kept in a local catalogue only"));
		return NULL;
	}
	void *be = catalog_be(c);
	return be ? *(sqlite3 **)be : NULL;
}

/* WHAT names the step: an N_() phrase, translated here, or the SQL
 * keyword "begin"/"commit" (no translation, so it stays as it is). */
static int db_fail(sqlite3 *db, strbuf *err, const char *what)
{
	int code = sqlite3_errcode(db) & 0xff;
	if (err) {
		if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
			sb_adds(err, _("the catalogue is busy: another program kept it locked too long"));
		else if (code == SQLITE_READONLY)
			sb_adds(err, _("the catalogue is open read-only"));
		else
			sb_addf(err, "%s: %s", _(what), sqlite3_errmsg(db));
	}
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? CAT_BUSY :
	       code == SQLITE_READONLY ? CAT_READONLY : CAT_ERROR;
}

static int have_tables(sqlite3 *db)
{
	sqlite3_stmt *s;
	int ok = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE name = 'copies_journal'",
	                       -1, &s, NULL) == SQLITE_OK) {
		ok = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
	}
	return ok;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql, strbuf *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_fail(db, err, N_("copies"));
		return NULL;
	}
	return s;
}

static void bt(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

static char *cdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

/* Start a write: own BEGIN IMMEDIATE unless the caller has a transaction
 * open; create the tables if needed. */
static int wstart(sqlite3 *db, int *own, strbuf *err)
{
	*own = sqlite3_get_autocommit(db);
	if (*own && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "begin");
	if (!have_tables(db) && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		int rc = db_fail(db, err, N_("creating the copies tables"));
		if (*own)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return CAT_OK;
}

static int wfinish(sqlite3 *db, int own, int rc, strbuf *err)
{
	if (!own)
		return rc;
	if (rc == CAT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(db, err, "commit");
	if (rc != CAT_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void user_name(char *buf, size_t n)
{
	const char *u = getenv("BIENMUC_USER");
	if (!u || !*u) {
		struct passwd *pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "?";
	}
	snprintf(buf, n, "%s", u);
}

static void now_utc(char buf[24], int date_only)
{
	time_t t = time(NULL);
	struct tm tm;
	if (date_only)
		localtime_r(&t, &tm);
	else
		gmtime_r(&t, &tm);
	strftime(buf, 24, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
}

/* rid of a live record; CAT_NOTFOUND / CAT_DELETED with a message. */
static int record_rid(sqlite3 *db, const char *id, sqlite3_int64 *rid, int allow_deleted,
                      strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT rid, deleted FROM records WHERE id = ?1", err);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, id);
	int rc = CAT_OK;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*rid = sqlite3_column_int64(s, 0);
		if (sqlite3_column_int(s, 1) && !allow_deleted) {
			sb_addf(err, _("record '%s' is deleted"), id);
			rc = CAT_DELETED;
		}
	} else {
		sb_addf(err, _("no record '%s'"), id);
		rc = CAT_NOTFOUND;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The numeric part of an accession number: the last run of digits. */
static int accno_split(const char *a, size_t *pre, size_t *digits)
{
	size_t n = strlen(a), e = n;
	while (e > 0 && !isdigit((unsigned char)a[e - 1]))
		e--;
	size_t b = e;
	while (b > 0 && isdigit((unsigned char)a[b - 1]))
		b--;
	if (b == e)
		return -1;
	*pre = b;
	*digits = e - b;
	return 0;
}

static sqlite3_int64 accnum(const char *a)
{
	size_t pre, nd;
	if (accno_split(a, &pre, &nd) || nd > 15)
		return -1;
	char buf[16];
	memcpy(buf, a + pre, nd);
	buf[nd] = 0;
	return strtoll(buf, NULL, 10);
}

static int journal(sqlite3 *db, const char *action, const char *accno, const char *id,
                   const char *summary, const char *prev, strbuf *err)
{
	char t[24], u[64];
	now_utc(t, 0);
	user_name(u, sizeof u);
	sqlite3_stmt *s = prep(db, "INSERT INTO copies_journal(time, user, action, accno, record, "
	                           "summary, prev) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, t);
	bt(s, 2, u);
	bt(s, 3, action);
	bt(s, 4, accno);
	bt(s, 5, id);
	bt(s, 6, summary);
	if (prev)
		bt(s, 7, prev);
	else
		sqlite3_bind_null(s, 7);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("journal"));
	sqlite3_finalize(s);
	return rc;
}

/* The copy's current state as JSON (malloc'd) or NULL. */
static char *prev_state(sqlite3 *db, const char *accno)
{
	sqlite3_stmt *s = prep(db, "SELECT " PREV_JSON " FROM copies c JOIN records r ON "
	                           "r.rid = c.rid WHERE c.accno = ?1", NULL);
	if (!s)
		return NULL;
	bt(s, 1, accno);
	char *v = sqlite3_step(s) == SQLITE_ROW ? cdup(s, 0) : NULL;
	sqlite3_finalize(s);
	return v;
}

/* The record holding accno; live_only: only when that record is not
 * deleted (a deleted record's copies do not hold their numbers). */
static int owner_of(sqlite3 *db, const char *accno, char **id, int live_only)
{
	sqlite3_stmt *s = prep(db, live_only ? "SELECT r.id FROM copies c JOIN records r ON r.rid = "
	                                       "c.rid WHERE c.accno = ?1 AND r.deleted = 0"
	                                     : "SELECT r.id FROM copies c JOIN records r ON r.rid = "
	                                       "c.rid WHERE c.accno = ?1", NULL);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, accno);
	int rc = CAT_NOTFOUND;
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (id)
			*id = cdup(s, 0);
		rc = CAT_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int owner(sqlite3 *db, const char *accno, char **id)
{
	return owner_of(db, accno, id, 0);
}

static int journal(sqlite3 *db, const char *action, const char *accno, const char *id,
                   const char *summary, const char *prev, strbuf *err);
static char *prev_state(sqlite3 *db, const char *accno);

/* Make accno free for a new copy: CAT_CONFLICT (message) if a live record
 * holds it; a copy of a deleted record gives it up (removed, journaled). */
static int claim(sqlite3 *db, const char *accno, strbuf *err)
{
	char *who = NULL;
	int rc = CAT_OK;
	if (owner_of(db, accno, &who, 1) == CAT_OK) {
		sb_addf(err, _("accession number %s is already in use (record %s)"), accno, who);
		rc = CAT_CONFLICT;
	} else if (owner_of(db, accno, &who, 0) == CAT_OK) {
		char *prev = prev_state(db, accno);
		sqlite3_stmt *s = prep(db, "DELETE FROM copies WHERE accno = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			bt(s, 1, accno);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("copies"));
			sqlite3_finalize(s);
		}
		if (!rc) {
			strbuf sum = STRBUF_INIT;
			/* journal summaries here and below: stored, English */
			sb_addf(&sum, "copy %s of deleted record %s removed (number reused)", accno, who);
			rc = journal(db, "remove", accno, who, sum.buf, prev, err);
			sb_release(&sum);
		}
		free(prev);
	}
	free(who);
	return rc;
}

/* ------------------------------------------------------------------ */
/* accession numbers */

static char *pattern_for(catalog *c, const char *kind, const char *branch)
{
	char key[200];
	char *p = NULL;
	if (branch && *branch) {
		snprintf(key, sizeof key, "accno.%s.%s", branch, kind);
		p = catalog_get_setting(c, key);
	}
	if (!p) {
		snprintf(key, sizeof key, "accno.%s", kind);
		p = catalog_get_setting(c, key);
	}
	if (!p) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s.######", kind);
		p = sb_detach(&sb, NULL);
	}
	return p;
}

/* Next free number in pattern pat: max used + 1 (within the caller's
 * transaction). */
static int next_free(sqlite3 *db, const char *pat, char **out, strbuf *err)
{
	const char *h = strchr(pat, '#');
	if (!h) {
		sb_addf(err, _("accession number pattern '%s' has no '#' for the number"), pat);
		return CAT_ERROR;
	}
	size_t pre = (size_t)(h - pat), width = strspn(h, "#");
	const char *suf = h + width;
	sqlite3_int64 max = 0;
	if (have_tables(db)) {
		sqlite3_stmt *s = prep(db, "SELECT accno FROM copies WHERE accno LIKE ?1 ESCAPE '\\'", err);
		if (!s)
			return CAT_ERROR;
		strbuf like = STRBUF_INIT;
		for (size_t i = 0; i < pre; i++) {
			if (pat[i] == '%' || pat[i] == '_' || pat[i] == '\\')
				sb_addc(&like, '\\');
			sb_addc(&like, pat[i]);
		}
		sb_addc(&like, '%');
		bt(s, 1, like.buf);
		sb_release(&like);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *a = (const char *)sqlite3_column_text(s, 0);
			size_t n = strlen(a), sl = strlen(suf);
			if (n < pre + sl + 1 || strcmp(a + n - sl, suf))
				continue;
			size_t i = pre;
			sqlite3_int64 v = 0;
			while (i < n - sl && isdigit((unsigned char)a[i]) && i - pre < 15)
				v = v * 10 + (a[i++] - '0');
			if (i == n - sl && v > max)
				max = v;
		}
		sqlite3_finalize(s);
	}
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, pat, pre);
	sb_addf(&sb, "%0*lld", (int)width, (long long)max + 1);
	sb_adds(&sb, suf);
	*out = sb_detach(&sb, NULL);
	return CAT_OK;
}

int copies_next_accno(catalog *c, const char *kind, const char *branch, char **out,
                      strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	char *pat = pattern_for(c, kind && *kind ? kind : "VV", branch);
	int rc = next_free(db, pat, out, err);
	free(pat);
	return rc;
}

/* accno + k, same width ("VV.015234" + 2 = "VV.015236"). */
static char *accno_plus(const char *a, long k)
{
	size_t pre, nd;
	if (accno_split(a, &pre, &nd))
		return NULL;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, a, pre);
	sb_addf(&sb, "%0*lld", (int)nd, (long long)accnum(a) + k);
	sb_adds(&sb, a + pre + nd);
	return sb_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* writes */

static int insert_copy(sqlite3 *db, sqlite3_int64 rid, const char *id, const struct copy *t,
                       const char *accno, strbuf *err)
{
	char today[24];
	now_utc(today, 1);
	sqlite3_stmt *s = prep(db, "INSERT INTO copies(rid, accno, accnum, branch, location, "
	                           "callno, volume, source, price, added, status, note) "
	                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	bt(s, 2, accno);
	sqlite3_int64 num = accnum(accno);
	if (num >= 0)
		sqlite3_bind_int64(s, 3, num);
	else
		sqlite3_bind_null(s, 3);
	bt(s, 4, t->branch);
	bt(s, 5, t->location);
	bt(s, 6, t->callno);
	bt(s, 7, t->volume);
	bt(s, 8, t->source);
	bt(s, 9, t->price);
	bt(s, 10, t->added && *t->added ? t->added : today);
	bt(s, 11, t->status && *t->status ? t->status : COPY_AVAILABLE);
	bt(s, 12, t->note);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("adding a copy"));
	sqlite3_finalize(s);
	if (rc)
		return rc;
	strbuf sum = STRBUF_INIT;
	sb_addf(&sum, "copy %s added", accno);          /* stored summary: English */
	if (t->branch && *t->branch)
		sb_addf(&sum, " at %s", t->branch);
	if (t->location && *t->location)
		sb_addf(&sum, ", %s", t->location);
	rc = journal(db, "add", accno, id, sum.buf, NULL, err);
	sb_release(&sum);
	return rc;
}

int copies_add(catalog *c, const char *id, const struct copy *tmpl, int n, const char *kind,
               char ***accnos, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	if (n < 1 || n > 10000) {
		sb_addf(err, _("cannot add %d copies (1 to 10000)"), n);
		return CAT_ERROR;
	}
	if (tmpl->status && *tmpl->status && !valid_status(tmpl->status)) {
		sb_addf(err, _("unknown status '%s' (available, withdrawn, lost, repair)"), tmpl->status);
		return CAT_ERROR;
	}
	if (tmpl->added && *tmpl->added && !valid_date(tmpl->added)) {
		sb_addf(err, _("date '%s' is not YYYY-MM-DD"), tmpl->added);
		return CAT_ERROR;
	}
	const char *first = tmpl->accno && *tmpl->accno ? tmpl->accno : NULL;
	size_t pre, nd;
	if (first && n > 1 && accno_split(first, &pre, &nd)) {
		sb_addf(err, _("accession number '%s' has no number to count up from"), first);
		return CAT_ERROR;
	}
	int own, rc = wstart(db, &own, err);
	if (rc)
		return rc;
	sqlite3_int64 rid = 0;
	char **list = xcalloc((size_t)n, sizeof *list);
	rc = record_rid(db, id, &rid, 0, err);
	if (!rc && !first) {
		char *pat = pattern_for(c, kind && *kind ? kind : "VV", tmpl->branch);
		rc = next_free(db, pat, &list[0], err);
		free(pat);
	} else if (!rc) {
		list[0] = xstrdup(first);
	}
	for (int i = 1; !rc && i < n; i++)
		list[i] = accno_plus(list[0], i);
	for (int i = 0; !rc && i < n; i++) {       /* all free before any is taken */
		char *who = NULL;
		if (owner_of(db, list[i], &who, 1) == CAT_OK) {
			sb_addf(err, _("accession number %s is already in use (record %s)"), list[i], who);
			rc = CAT_CONFLICT;
		}
		free(who);
	}
	for (int i = 0; !rc && i < n; i++)
		rc = claim(db, list[i], err);
	for (int i = 0; !rc && i < n; i++)
		rc = insert_copy(db, rid, id, tmpl, list[i], err);
	rc = wfinish(db, own, rc, err);
	if (rc || !accnos)
		cat_ids_free(list, (size_t)n);
	else
		*accnos = list;
	return rc;
}

static int find_cid(sqlite3 *db, const char *accno, sqlite3_int64 *cid, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT cid FROM copies WHERE accno = ?1", err);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, accno);
	int rc = CAT_OK;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*cid = sqlite3_column_int64(s, 0);
	} else {
		sb_addf(err, _("no copy with accession number '%s'"), accno);
		rc = CAT_NOTFOUND;
	}
	sqlite3_finalize(s);
	return rc;
}

/* "status withdrawn; location Kho mượn" (a stored journal summary: English) */
static void diff_summary(const struct copy *a, const struct copy *b, strbuf *out)
{
	if (strcmp(nz(a->record), nz(b->record)))
		sb_addf(out, "%smoved to record %s", out->len ? "; " : "", nz(b->record));
	for (int i = 0; copy_fields[i]; i++) {
		const char *x = copy_get(a, copy_fields[i]), *y = copy_get(b, copy_fields[i]);
		if (strcmp(x, y))
			sb_addf(out, "%s%s %s", out->len ? "; " : "", copy_fields[i], *y ? y : "(none)");
	}
}

static int get_locked(sqlite3 *db, const char *accno, struct copy *out, strbuf *err);

int copies_update(catalog *c, const char *accno, const struct copy *cp, const char *action,
                  strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	const char *st = cp->status && *cp->status ? cp->status : COPY_AVAILABLE;
	if (!valid_status(st)) {
		sb_addf(err, _("unknown status '%s' (available, withdrawn, lost, repair)"), st);
		return CAT_ERROR;
	}
	if (cp->added && *cp->added && !valid_date(cp->added)) {
		sb_addf(err, _("date '%s' is not YYYY-MM-DD"), cp->added);
		return CAT_ERROR;
	}
	int own, rc = wstart(db, &own, err);
	if (rc)
		return rc;
	struct copy old = { 0 };
	sqlite3_int64 cid = 0, rid = 0;
	char *prev = NULL;
	const char *newacc = cp->accno && *cp->accno ? cp->accno : accno;
	rc = find_cid(db, accno, &cid, err);
	if (!rc)
		rc = get_locked(db, accno, &old, err);
	if (!rc)
		rc = record_rid(db, cp->record && *cp->record ? cp->record : old.record, &rid, 1, err);
	if (!rc && sqlite3_stricmp(newacc, accno))
		rc = claim(db, newacc, err);
	if (!rc)
		prev = prev_state(db, accno);
	if (!rc) {
		sqlite3_stmt *s = prep(db, "UPDATE copies SET rid = ?2, accno = ?3, accnum = ?4, "
		                           "branch = ?5, location = ?6, callno = ?7, volume = ?8, "
		                           "source = ?9, price = ?10, added = ?11, status = ?12, "
		                           "note = ?13 WHERE cid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, cid);
			sqlite3_bind_int64(s, 2, rid);
			bt(s, 3, newacc);
			sqlite3_int64 num = accnum(newacc);
			if (num >= 0)
				sqlite3_bind_int64(s, 4, num);
			else
				sqlite3_bind_null(s, 4);
			bt(s, 5, cp->branch);
			bt(s, 6, cp->location);
			bt(s, 7, cp->callno);
			bt(s, 8, cp->volume);
			bt(s, 9, cp->source);
			bt(s, 10, cp->price);
			bt(s, 11, cp->added && *cp->added ? cp->added : old.added);
			bt(s, 12, st);
			bt(s, 13, cp->note);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("changing a copy"));
			sqlite3_finalize(s);
		}
	}
	if (!rc) {
		struct copy nw = *cp;
		nw.accno = (char *)newacc;
		nw.status = (char *)st;
		if (!nw.record || !*nw.record)
			nw.record = old.record;
		if (!nw.added || !*nw.added)
			nw.added = old.added;
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "copy %s: ", accno);   /* stored summary: English */
		strbuf d = STRBUF_INIT;
		diff_summary(&old, &nw, &d);
		sb_adds(&sum, d.len ? d.buf : "no change");
		rc = journal(db, action ? action : "edit", newacc, nw.record, sum.buf, prev, err);
		sb_release(&sum);
		sb_release(&d);
	}
	free(prev);
	copy_clear(&old);
	return wfinish(db, own, rc, err);
}

int copies_remove(catalog *c, const char *accno, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	int own, rc = wstart(db, &own, err);
	if (rc)
		return rc;
	sqlite3_int64 cid = 0;
	char *prev = NULL, *id = NULL;
	rc = find_cid(db, accno, &cid, err);
	if (!rc) {
		prev = prev_state(db, accno);
		owner(db, accno, &id);
		sqlite3_stmt *s = prep(db, "DELETE FROM copies WHERE cid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, cid);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("removing a copy"));
			sqlite3_finalize(s);
		}
	}
	if (!rc) {
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "copy %s removed", accno);   /* stored summary: English */
		rc = journal(db, "remove", accno, id, sum.buf, prev, err);
		sb_release(&sum);
	}
	free(prev);
	free(id);
	return wfinish(db, own, rc, err);
}

/* ------------------------------------------------------------------ */
/* reads */

static void fill(sqlite3_stmt *s, struct copy *cp)
{
	memset(cp, 0, sizeof *cp);
	cp->record = cdup(s, 0);
	for (int i = 0; copy_fields[i]; i++)
		*field_ptr(cp, copy_fields[i]) = cdup(s, i + 1);
}

static int get_locked(sqlite3 *db, const char *accno, struct copy *out, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT " COLS "WHERE c.accno = ?1", err);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, accno);
	int rc = CAT_OK;
	if (sqlite3_step(s) == SQLITE_ROW) {
		fill(s, out);
	} else {
		sb_addf(err, _("no copy with accession number '%s'"), accno);
		rc = CAT_NOTFOUND;
	}
	sqlite3_finalize(s);
	return rc;
}

int copies_get(catalog *c, const char *accno, struct copy *out, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	copy_clear(out);
	if (!have_tables(db)) {
		sb_addf(err, _("no copy with accession number '%s'"), accno);
		return CAT_NOTFOUND;
	}
	return get_locked(db, accno, out, err);
}

int copies_owner(catalog *c, const char *accno, char **id, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	if (!have_tables(db))
		return CAT_NOTFOUND;
	return owner_of(db, accno, id, 1);
}

static int run_list(sqlite3 *db, sqlite3_stmt *s, struct copy **out, size_t *n, strbuf *err)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		fill(s, &(*out)[(*n)++]);
	}
	int rc = r == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("listing copies"));
	sqlite3_finalize(s);
	return rc;
}

int copies_list(catalog *c, const char *id, struct copy **out, size_t *n, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	*out = NULL;
	*n = 0;
	if (!db)
		return CAT_UNSUPPORTED;
	if (!have_tables(db))
		return CAT_OK;
	sqlite3_stmt *s = prep(db, id ? "SELECT " COLS "WHERE r.id = ?1" ORDER
	                              : "SELECT " COLS "WHERE r.deleted = 0" ORDER, err);
	if (!s)
		return CAT_ERROR;
	if (id)
		bt(s, 1, id);
	return run_list(db, s, out, n, err);
}

int copies_select(catalog *c, const char *since, long last, long batch, struct copy **out,
                  size_t *n, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	*out = NULL;
	*n = 0;
	if (!db)
		return CAT_UNSUPPORTED;
	if (!have_tables(db))
		return CAT_OK;
	sqlite3_stmt *s;
	if (batch > 0) {
		s = prep(db, "SELECT " COLS "WHERE r.deleted = 0 AND c.rid IN (SELECT rid FROM "
		             "versions WHERE batch = ?1)" ORDER, err);
		if (s)
			sqlite3_bind_int64(s, 1, batch);
	} else if (last > 0) {
		s = prep(db, "SELECT * FROM (SELECT " COLS "WHERE r.deleted = 0 ORDER BY c.cid DESC "
		             "LIMIT ?1) ORDER BY 2", err);
		if (s)
			sqlite3_bind_int64(s, 1, last);
	} else {
		s = prep(db, "SELECT " COLS "WHERE r.deleted = 0 AND c.added >= ?1" ORDER, err);
		if (s)
			bt(s, 1, since ? since : "");
	}
	if (!s)
		return CAT_ERROR;
	return run_list(db, s, out, n, err);
}

char *copies_branch_counts(catalog *c, const char *id)
{
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	sqlite3 *db = cdb(c, NULL);
	if (!db || !have_tables(db))
		return sb_detach(&sb, NULL);
	sqlite3_stmt *s = prep(db, "SELECT c.branch, count(*) FROM copies c JOIN records r ON "
	                           "r.rid = c.rid WHERE r.id = ?1 AND c.status <> 'withdrawn' "
	                           "GROUP BY c.branch ORDER BY c.branch", NULL);
	if (!s)
		return sb_detach(&sb, NULL);
	bt(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(s, 0);
		sb_addf(&sb, "%s%s %d", sb.len ? ", " : "", b && *b ? b : "-", sqlite3_column_int(s, 1));
	}
	sqlite3_finalize(s);
	return sb_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* journal */

void copy_changes_free(struct copy_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ch[i].user);
		free(ch[i].action);
		free(ch[i].accno);
		free(ch[i].record);
		free(ch[i].summary);
	}
	free(ch);
}

int copies_history(catalog *c, const char *accno, const char *id, struct copy_change **out,
                   size_t *n, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	*out = NULL;
	*n = 0;
	if (!db)
		return CAT_UNSUPPORTED;
	if (!have_tables(db))
		return CAT_OK;
	sqlite3_stmt *s = prep(db, "SELECT jid, time, user, action, accno, record, summary, undone "
	                           "FROM copies_journal WHERE (?1 IS NULL OR accno = ?1 COLLATE "
	                           "NOCASE) AND (?2 IS NULL OR record = ?2) ORDER BY jid", err);
	if (!s)
		return CAT_ERROR;
	if (accno)
		bt(s, 1, accno);
	if (id)
		bt(s, 2, id);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct copy_change *ch = &(*out)[(*n)++];
		ch->id = sqlite3_column_int64(s, 0);
		snprintf(ch->time, sizeof ch->time, "%s", sqlite3_column_text(s, 1));
		ch->user = cdup(s, 2);
		ch->action = cdup(s, 3);
		ch->accno = cdup(s, 4);
		ch->record = cdup(s, 5);
		ch->summary = cdup(s, 6);
		ch->undone = sqlite3_column_int(s, 7);
	}
	int rc = r == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("copies journal"));
	sqlite3_finalize(s);
	return rc;
}

int copies_undo(catalog *c, long jid, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	int own, rc = wstart(db, &own, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = prep(db, "SELECT j.action, j.accno, j.prev, j.undone, (SELECT max(jid) "
	                           "FROM copies_journal k WHERE k.accno = j.accno COLLATE NOCASE "
	                           "OR k.accno = json_extract(j.prev, '$.accno') COLLATE NOCASE) "
	                           "FROM copies_journal j WHERE jid = ?1", err);
	char *action = NULL, *accno = NULL, *prev = NULL;
	if (!s) {
		rc = CAT_ERROR;
	} else {
		sqlite3_bind_int64(s, 1, jid);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sb_addf(err, _("no change %ld in the copies journal"), jid);
			rc = CAT_NOTFOUND;
		} else if (!strcmp((const char *)sqlite3_column_text(s, 0), "undo")) {
			sb_addf(err, _("change %ld is itself an undo"), jid);
			rc = CAT_CONFLICT;
		} else if (sqlite3_column_int(s, 3)) {
			sb_addf(err, _("change %ld was already undone"), jid);
			rc = CAT_CONFLICT;
		} else if (sqlite3_column_int64(s, 4) != jid) {
			sb_addf(err, _("copy %s was changed again after change %ld (change %lld); undo "
			                  "that first"), sqlite3_column_text(s, 1), jid,
			        (long long)sqlite3_column_int64(s, 4));
			rc = CAT_CONFLICT;
		} else {
			action = cdup(s, 0);
			accno = cdup(s, 1);
			prev = sqlite3_column_type(s, 2) == SQLITE_NULL ? NULL : cdup(s, 2);
		}
		sqlite3_finalize(s);
	}
	if (!rc) {
		/* remove the current state, then put back the previous one */
		s = prep(db, "DELETE FROM copies WHERE accno = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			bt(s, 1, accno);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
			sqlite3_finalize(s);
		}
	}
	if (!rc && prev) {
		s = prep(db, "INSERT INTO copies(rid, accno, accnum, branch, location, callno, volume, "
		             "source, price, added, status, note) SELECT (SELECT rid FROM records WHERE "
		             "id = json_extract(?1, '$.record')), json_extract(?1, '$.accno'), ?2, "
		             "json_extract(?1, '$.branch'), json_extract(?1, '$.location'), "
		             "json_extract(?1, '$.callno'), json_extract(?1, '$.volume'), "
		             "json_extract(?1, '$.source'), json_extract(?1, '$.price'), "
		             "json_extract(?1, '$.added'), json_extract(?1, '$.status'), "
		             "json_extract(?1, '$.note')", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			bt(s, 1, prev);
			sqlite3_stmt *q = prep(db, "SELECT json_extract(?1, '$.accno')", err);
			sqlite3_int64 num = -1;
			if (q) {
				bt(q, 1, prev);
				if (sqlite3_step(q) == SQLITE_ROW)
					num = accnum((const char *)sqlite3_column_text(q, 0));
				sqlite3_finalize(q);
			}
			if (num >= 0)
				sqlite3_bind_int64(s, 2, num);
			else
				sqlite3_bind_null(s, 2);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
			sqlite3_finalize(s);
		}
	}
	if (!rc) {
		s = prep(db, "UPDATE copies_journal SET undone = 1 WHERE jid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, jid);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
			sqlite3_finalize(s);
		}
	}
	if (!rc) {
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "change %ld (%s) undone", jid, action);   /* stored summary: English */
		char *id = NULL;
		owner(db, accno, &id);
		rc = journal(db, "undo", accno, id, sum.buf, NULL, err);
		free(id);
		sb_release(&sum);
	}
	free(action);
	free(accno);
	free(prev);
	return wfinish(db, own, rc, err);
}
