/*
 * store-copies.c - copies (items) in the SQLite catalogue: part of the
 * store module, all copies SQL lives here (copies.h is the interface).
 *
 * Tables (version in the setting "copies_schema", created on first use
 * by a writer; a read-only catalogue without them simply has no copies):
 *   copies(cid, rid, accno UNIQUE NOCASE, accnum, branch, location, callno,
 *          volume, source, price, added, status, note, akey, batch)
 *          rid = records.rid; accnum = the numeric part of accno, for
 *          accession order and the next free number; akey = its
 *          comparison key (schema 2); batch = the import batch that added
 *          the copy, NULL if none (schema 3) or once an undo of that batch
 *          left the copy with its deleted record
 *   copies_journal(jid, time, user, action, accno, record, summary, prev,
 *          undone, akey, batch)  one row per change; prev = the copy before
 *          the change as a JSON object (NULL for an add), so it can be
 *          undone; batch = the import batch that made the change, or whose
 *          undo did (schema 3; NULL otherwise)
 * Copies of a deleted record stay (undelete brings them back with it)
 * but are not listed or counted; automatic numbering goes past their
 * numbers, but a number given by hand or by an import is taken from them
 * (claim). Undoing an import batch deletes the records it added the same
 * way: their copies stay with them (store_copies_batch_undo).
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
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>
#include <pthread.h>

#include <sqlite3.h>

#include "catalog.h"
#include "catalog-ops.h"
#include "copies.h"
#include "store.h"
#include "charset.h"
#include "i18n-lower.h"

#include <utf8proc.h>

#define COPIES_SCHEMA "3"

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
	"'price', c.price, 'added', c.added, 'status', c.status, 'note', c.note, " \
	"'batch', c.batch)"

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

/* Field copy_fields[i] of cp (what field_ptr finds by name, without
 * comparing names: clearing and checking every field of every copy of an
 * import compared them ten times over). */
static const size_t field_off[] = {
	offsetof(struct copy, accno), offsetof(struct copy, branch),
	offsetof(struct copy, location), offsetof(struct copy, callno),
	offsetof(struct copy, volume), offsetof(struct copy, source),
	offsetof(struct copy, price), offsetof(struct copy, added),
	offsetof(struct copy, status), offsetof(struct copy, note),
};

_Static_assert(sizeof field_off / sizeof field_off[0] == sizeof copy_fields / sizeof copy_fields[0] - 1,
               "field_off: one per copy_fields");

static char **field_at(struct copy *cp, int i)
{
	return (char **)((char *)cp + field_off[i]);
}

void copy_clear(struct copy *cp)
{
	if (!cp)
		return;
	for (int i = 0; copy_fields[i]; i++)
		free(*field_at(cp, i));
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
	return strlen(s) == 10 && date_valid(s, 0);
}

int copy_has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 1;
	return 0;
}

/* NFC copy of s (as it is when not valid UTF-8). ASCII is NFC as it is. */
static char *nfc_dup(const char *s)
{
	size_t n = strlen(s);
	if (is_ascii(s, n))
		return xstrdup(s);
	char *v = utf8_nfc(s, n);
	return v ? v : xstrdup(s);
}

/* The length of the space character at s[at] (before end), ASCII or
 * Unicode (category Zs); 0 when it is not one. */
static size_t space_len(const char *s, size_t at, size_t end)
{
	utf8proc_int32_t u;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
	                                      (utf8proc_ssize_t)(end - at), &u);
	return k > 0 && (isspace((unsigned char)s[at]) || utf8proc_category(u) == UTF8PROC_CATEGORY_ZS) ?
	       (size_t)k : 0;
}

/* s without the white space at either end (ASCII and Unicode spaces) */
static void trim_span(const char *s, size_t *off, size_t *len)
{
	size_t b = 0, e = strlen(s), k;
	while (b < e && (k = space_len(s, b, e)))
		b += k;
	while (e > b) {
		size_t st = e - 1;          /* the start of the last character */
		while (st > b && ((unsigned char)s[st] & 0xc0) == 0x80)
			st--;
		if (!space_len(s, st, e))
			break;
		e = st;
	}
	*off = b;
	*len = e - b;
}

/* A currency at s[i] (before end): 1 to 8 characters that are not
 * digits or spaces ("đ", "VNĐ", "USD", "$", "đồng"); its length in bytes,
 * 0 when there is none or it is longer. */
static size_t currency_len(const char *s, size_t i, size_t end)
{
	size_t at = i;
	int n = 0;
	while (at < end && !isdigit((unsigned char)s[at]) && !space_len(s, at, end)) {
		utf8proc_int32_t u;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
		                                      (utf8proc_ssize_t)(end - at), &u);
		if (k <= 0)
			return 0;
		at += (size_t)k;
		n++;
	}
	return n <= 8 ? at - i : 0;
}

/* A number at s[i]: digits, in groups after '.' or ',' (120.000,
 * 1.200.000,50, 25.50) or after a space three at a time (120 000); its
 * length in bytes, 0 when s[i] is not a digit. */
static size_t number_len(const char *s, size_t i, size_t end)
{
	size_t at = i;
	while (at < end && isdigit((unsigned char)s[at]))
		at++;
	while (at > i && at + 1 < end) {
		if ((s[at] == '.' || s[at] == ',') && isdigit((unsigned char)s[at + 1])) {
			for (at++; at < end && isdigit((unsigned char)s[at]); at++)
				;
		} else if (s[at] == ' ' && at + 3 < end && isdigit((unsigned char)s[at + 1]) &&
		           isdigit((unsigned char)s[at + 2]) && isdigit((unsigned char)s[at + 3]) &&
		           (at + 4 == end || !isdigit((unsigned char)s[at + 4]))) {
			at += 4;
		} else {
			break;
		}
	}
	return at - i;
}

static size_t skip_spaces(const char *s, size_t i, size_t end)
{
	size_t k;
	while (i < end && (k = space_len(s, i, end)))
		i += k;
	return i;
}

int copy_price_check(const char *s, strbuf *why)
{
	size_t off, len;
	trim_span(s, &off, &len);
	if (!len)
		return 0;               /* no price */
	size_t end = off + len, i = off, cur = currency_len(s, i, end);
	i = skip_spaces(s, i + cur, end);
	size_t num = number_len(s, i, end);
	i = skip_spaces(s, i + num, end);
	if (num && !cur)
		i = skip_spaces(s, i + currency_len(s, i, end), end);
	if (num && i == end && !copy_has_control(s))
		return 0;
	if (why)
		sb_addf(why, _("'%s' is not a price: a number, with its currency if need be "
		               "(120000, 120.000 đ, 25.50 USD, $12)"), s);
	return -1;
}

char *copies_accno_norm(const char *a, strbuf *err)
{
	size_t off, len;
	if (copy_has_control(a)) {
		if (err)
			sb_addf(err, _("accession number '%s' has a control character (tab, newline)"),
			        a);
		return NULL;
	}
	trim_span(a, &off, &len);
	if (!len) {
		if (err)
			sb_adds(err, _("the accession number is blank"));
		return NULL;
	}
	if (is_ascii(a + off, len))      /* ASCII (most numbers) is NFC as it is */
		return xstrndup(a + off, len);
	char *v = utf8_nfc(a + off, len);
	if (!v) {
		strbuf sb = STRBUF_INIT;
		sb_add(&sb, a + off, len);
		v = sb_detach(&sb, NULL);
	}
	return v;
}

char *copies_accno_key(const char *a)
{
	size_t off, len;
	trim_span(a, &off, &len);
	if (is_ascii(a + off, len)) {    /* ASCII (most numbers): what the map gives */
		char *k = xstrndup(a + off, len);
		for (size_t i = 0; i < len; i++)
			if (k[i] >= 'A' && k[i] <= 'Z')
				k[i] = (char)(k[i] - 'A' + 'a');
		return k;
	}
	utf8proc_uint8_t *d = NULL;
	utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)a + off, (utf8proc_ssize_t)len,
	                                  &d, (utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                                                          UTF8PROC_CASEFOLD));
	if (k < 0) {                     /* not UTF-8: ASCII case folding only */
		free(d);
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < len; i++)
			sb_addc(&sb, (char)tolower((unsigned char)a[off + i]));
		return sb_detach(&sb, NULL);
	}
	return (char *)d;
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
	if (copy_has_control(value))
		return -1;
	free(*p);
	*p = nfc_dup(value);
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

static void cq_attach(catalog *c, sqlite3 *db);

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
	sqlite3 *db = be ? *(sqlite3 **)be : NULL;
	cq_attach(c, db);
	return db;
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
		else if (!store_say_disk_full(db, err))
			sb_addf(err, "%s: %s", _(what), sqlite3_errmsg(db));
	}
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? CAT_BUSY :
	       code == SQLITE_READONLY ? CAT_READONLY : CAT_ERROR;
}

/* ---- prepared statements and the schema, kept per connection ----
 * An import with item fields prepares the same few statements for every
 * copy, several times (the SQL parser alone was a twentieth of its time):
 * prep() keeps each statement it prepared with the catalogue it was for
 * (catalog_aux: finalized when the catalogue closes), and done() resets it
 * for the next use. What the schema has (the copies tables, schema 2's
 * akey, schema 3's batch) is kept too, for as long as the schema's
 * version (PRAGMA schema_version) stays the same: creating or upgrading
 * the tables, here or in another program, changes it, and so does a
 * rollback of that. Only what is there is kept: a catalogue without the
 * tables is asked again each time, so tables another program creates
 * are seen at once, as they were. */
enum { HAVE_TABLES = 1, HAVE_AKEY = 2, HAVE_BATCH = 4 };

struct cq_stmt {
	const char *sql;             /* the text prep() was given (its address) */
	sqlite3_stmt *s;
};

struct cq {
	sqlite3 *db;
	struct cq_stmt *v;
	size_t n, cap;
	long long version;           /* schema_version when `have` was found */
	int have;                    /* HAVE_* known to be there at that version */
	struct cq *next;
};

/* the connections' caches: prep() and done() know only the connection */
static struct cq *cqs;
static pthread_mutex_t cq_mu = PTHREAD_MUTEX_INITIALIZER;

static struct cq *cq_of(sqlite3 *db)
{
	pthread_mutex_lock(&cq_mu);
	struct cq *q = cqs;
	while (q && q->db != db)
		q = q->next;
	pthread_mutex_unlock(&cq_mu);
	return q;
}

static void cq_destroy(void *data)
{
	struct cq *q = data;
	pthread_mutex_lock(&cq_mu);
	for (struct cq **pp = &cqs; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	pthread_mutex_unlock(&cq_mu);
	for (size_t i = 0; i < q->n; i++)
		sqlite3_finalize(q->v[i].s);
	free(q->v);
	free(q);
}

/* The cache of catalogue c's connection db, made on first use. */
static void cq_attach(catalog *c, sqlite3 *db)
{
	static const char key = 0;
	if (!db || catalog_aux(c, &key))
		return;
	struct cq *q = xcalloc(1, sizeof *q);
	q->db = db;
	q->version = -1;
	pthread_mutex_lock(&cq_mu);
	q->next = cqs;
	cqs = q;
	pthread_mutex_unlock(&cq_mu);
	catalog_aux_set(c, &key, q, cq_destroy);
}

/* sql: a string constant (its address finds the statement again). A
 * statement still in use (stepping) is not handed out twice: the second
 * user gets one of its own, finalized by done(). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, strbuf *err)
{
	struct cq *q = cq_of(db);
	size_t at = q ? q->n : 0;
	for (size_t i = 0; q && i < q->n; i++)
		if (q->v[i].sql == sql && !strcmp(sqlite3_sql(q->v[i].s), sql)) {
			if (!sqlite3_stmt_busy(q->v[i].s))
				return q->v[i].s;
			at = SIZE_MAX;          /* in use: a fresh one, not kept */
			break;
		}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, q && at != SIZE_MAX ? SQLITE_PREPARE_PERSISTENT : 0,
	                       &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		db_fail(db, err, N_("copies"));
		return NULL;
	}
	if (q && at != SIZE_MAX) {
		if (q->n == q->cap) {
			q->cap = q->cap ? 2 * q->cap : 32;
			q->v = xrealloc(q->v, q->cap * sizeof *q->v);
		}
		q->v[q->n].sql = sql;
		q->v[q->n++].s = s;
	}
	return s;
}

/* Done with s (from prep): a kept statement is reset for its next use,
 * another finalized. Accepts NULL. */
static void done(sqlite3 *db, sqlite3_stmt *s)
{
	if (!s)
		return;
	struct cq *q = cq_of(db);
	for (size_t i = 0; q && i < q->n; i++)
		if (q->v[i].s == s) {
			sqlite3_reset(s);
			if (sqlite3_bind_parameter_count(s))
				sqlite3_clear_bindings(s);
			return;
		}
	sqlite3_finalize(s);
}

/* Does the schema have what `what` (HAVE_*) names? */
static int probe(sqlite3 *db, int what)
{
	sqlite3_stmt *s;
	int ok = 0;
	if (what == HAVE_TABLES) {
		s = prep(db, "SELECT 1 FROM sqlite_schema WHERE name = 'copies_journal'", NULL);
		if (s) {
			ok = sqlite3_step(s) == SQLITE_ROW;
			done(db, s);
		}
		return ok;
	}
	/* a statement naming the columns prepares only when they are there
	 * (not kept: prepared again each time they are not known to be) */
	if (sqlite3_prepare_v2(db, what == HAVE_AKEY ?
	                       "SELECT j.akey, c.akey FROM copies_journal j, copies c LIMIT 0" :
	                       "SELECT j.batch, c.batch FROM copies_journal j, copies c LIMIT 0",
	                       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_finalize(s);
	return 1;
}

/* Does the schema have everything `what` (HAVE_* ored) names? */
static int have(sqlite3 *db, int what)
{
	struct cq *q = cq_of(db);
	long long v = -1;
	if (q) {
		sqlite3_stmt *s = prep(db, "PRAGMA schema_version", NULL);
		if (s && sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		done(db, s);
		if (v != q->version || v < 0) {
			q->version = v;
			q->have = 0;
		}
		if ((q->have & what) == what)
			return 1;
	}
	for (int b = HAVE_TABLES; b <= HAVE_BATCH; b <<= 1) {   /* each not known yet */
		if (!(what & b) || (q && (q->have & b)))
			continue;
		if (!probe(db, b))
			return 0;
		if (q && v >= 0)
			q->have |= b;
	}
	return 1;
}

/* Forget what the schema has (this connection changed it or rolled back;
 * store.h: catalog_abort's rollback). */
void store_copies_forget(sqlite3 *db)
{
	struct cq *q = cq_of(db);
	if (q) {
		q->version = -1;
		q->have = 0;
	}
}

static int have_tables(sqlite3 *db)
{
	return have(db, HAVE_TABLES);
}

/* Schema 2 has the column akey (copies_accno_key of accno) in both tables.
 * A read-only catalogue of schema 1 is read as it is: numbers compared
 * ignoring ASCII case, as that schema did. */
static int have_akey(sqlite3 *db)
{
	return have(db, HAVE_AKEY);
}

/* Schema 3 has the column batch in both tables. */
static int have_batch(sqlite3 *db)
{
	return have(db, HAVE_BATCH);
}

static void bt(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

/* bt for text that stays as it is until the statement is done() (its
 * bindings cleared): not copied (a copy's insert and journal row bind
 * a dozen of them) */
static void bts(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_STATIC);
}

static char *cdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

/* Fill column akey of table tab (key column kc) from accno. */
static int fill_akey(sqlite3 *db, const char *sel, const char *upd, strbuf *err)
{
	sqlite3_stmt *s = prep(db, sel, err), *u = s ? prep(db, upd, err) : NULL;
	int rc = s && u ? CAT_OK : CAT_ERROR;
	sqlite3_int64 *ids = NULL;
	char **keys = NULL;
	size_t n = 0, cap = 0;
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
			keys = xrealloc(keys, cap * sizeof *keys);
		}
		ids[n] = sqlite3_column_int64(s, 0);
		keys[n++] = copies_accno_key((const char *)sqlite3_column_text(s, 1));
	}
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_int64(u, 1, ids[i]);
		bt(u, 2, keys[i]);
		if (sqlite3_step(u) != SQLITE_DONE)
			rc = db_fail(db, err, N_("creating the copies tables"));
		sqlite3_reset(u);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(ids);
	done(db, s);
	done(db, u);
	return rc;
}

/* Schema 1 -> 2: add akey and fill it. Numbers stored before (NFD, with
 * spaces, differing only in non-ASCII case) keep their text; their keys
 * make them found. When two of them now have one key, the index on akey
 * cannot be unique: it is a plain one, and the old copies stay as they
 * are (new numbers are checked against the keys all the same). */
static int migrate_akey(sqlite3 *db, strbuf *err)
{
	if (sqlite3_exec(db, "ALTER TABLE copies ADD COLUMN akey TEXT;"
	                     "ALTER TABLE copies_journal ADD COLUMN akey TEXT;", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return db_fail(db, err, N_("creating the copies tables"));
	int rc = fill_akey(db, "SELECT cid, accno FROM copies",
	                   "UPDATE copies SET akey = ?2 WHERE cid = ?1", err);
	if (!rc)
		rc = fill_akey(db, "SELECT jid, accno FROM copies_journal",
		               "UPDATE copies_journal SET akey = ?2 WHERE jid = ?1", err);
	if (rc)
		return rc;
	if (sqlite3_exec(db, "CREATE UNIQUE INDEX copies_akey ON copies(akey)", NULL, NULL,
	                 NULL) != SQLITE_OK &&
	    sqlite3_exec(db, "CREATE INDEX copies_akey ON copies(akey)", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return db_fail(db, err, N_("creating the copies tables"));
	if (sqlite3_exec(db, "CREATE INDEX copies_journal_akey ON copies_journal(akey);"
	                     "INSERT INTO settings(key, value) VALUES('copies_schema', '"
	                     COPIES_SCHEMA "') ON CONFLICT(key) DO UPDATE SET value = "
	                     "excluded.value;", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, N_("creating the copies tables"));
	return CAT_OK;
}

/* Schema 2 -> 3: the column batch in both tables. Copies and changes
 * made before stay without a batch: undoing an import batch of then
 * leaves the copies it added to records that were already there. */
static int migrate_batch(sqlite3 *db, strbuf *err)
{
	if (sqlite3_exec(db, "ALTER TABLE copies ADD COLUMN batch INTEGER;"
	                     "ALTER TABLE copies_journal ADD COLUMN batch INTEGER;"
	                     "CREATE INDEX copies_batch ON copies(batch);"
	                     "CREATE INDEX copies_journal_batch ON copies_journal(batch);"
	                     "INSERT INTO settings(key, value) VALUES('copies_schema', '"
	                     COPIES_SCHEMA "') ON CONFLICT(key) DO UPDATE SET value = "
	                     "excluded.value;", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, N_("creating the copies tables"));
	return CAT_OK;
}

/* Start a write: own BEGIN IMMEDIATE unless the caller has a transaction
 * open; create the tables (or bring them to schema 3) if needed. */
static int wstart(sqlite3 *db, int *own, strbuf *err)
{
	*own = sqlite3_get_autocommit(db);
	if (*own && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "begin");
	int rc = CAT_OK;
	if (have(db, HAVE_TABLES | HAVE_AKEY | HAVE_BATCH))
		return rc;              /* (the schema's version asked once, not three times) */
	if (!have_tables(db) && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(db, err, N_("creating the copies tables"));
	if (!rc && !have_akey(db))
		rc = migrate_akey(db, err);
	if (!rc && !have_batch(db))
		rc = migrate_batch(db, err);
	/* (a schema made or upgraded here has a new schema_version: what
	 * have() keeps is asked again) */
	if (rc && *own)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int wfinish(sqlite3 *db, int own, int rc, strbuf *err)
{
	if (!own)
		return rc;
	if (rc == CAT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(db, err, "commit");
	if (rc != CAT_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		store_copies_forget(db);        /* the tables may have gone with it */
	}
	return rc;
}

/* The login name, looked up once (getpwuid reads /etc/passwd: for every
 * copy of an import it was a good part of the time). */
static char login_name[64];
static pthread_once_t login_once = PTHREAD_ONCE_INIT;

static void login_lookup(void)
{
	struct passwd *pw = getpwuid(getuid());
	snprintf(login_name, sizeof login_name, "%s", pw ? pw->pw_name : "?");
}

static void user_name(char *buf, size_t n)
{
	const char *u = getenv("BIENMUC_USER");
	if (!u || !*u) {
		pthread_once(&login_once, login_lookup);
		u = login_name;
	}
	size_t k = strlen(u);               /* (snprintf's "%s", without its cost) */
	if (k >= n)
		k = n - 1;
	memcpy(buf, u, k);
	buf[k] = 0;
}

/* (the last time written, per thread: an import journals a copy or two
 * a record, most of them in the same second) */
static _Thread_local time_t now_last[2] = { -1, -1 };
static _Thread_local char now_text[2][24];

static void now_utc(char buf[24], int date_only)
{
	time_t t = time(NULL);
	date_only = !!date_only;
	if (t == now_last[date_only] && t != (time_t)-1) {
		strcpy(buf, now_text[date_only]);
		return;
	}
	struct tm tm;
	if (date_only)
		localtime_r(&t, &tm);
	else
		gmtime_r(&t, &tm);
	strftime(buf, 24, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
	strcpy(now_text[date_only], buf);
	now_last[date_only] = t;
}

/* rid of a record that can hold copies: it exists, is not an authority
 * record and (unless allow_deleted) is not deleted; else CAT_NOTFOUND /
 * CAT_DELETED / CAT_CONFLICT with a message. bib: the caller knows it is
 * not an authority record (it has just saved it): not read to see. */
static int record_rid(catalog *c, sqlite3 *db, const char *id, sqlite3_int64 *rid,
                      int allow_deleted, int bib, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT rid, deleted FROM records WHERE id = ?1", err);
	if (!s)
		return CAT_ERROR;
	bt(s, 1, id);
	int rc = CAT_OK, deleted = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*rid = sqlite3_column_int64(s, 0);
		deleted = sqlite3_column_int(s, 1);
		if (deleted && !allow_deleted) {
			sb_addf(err, _("record '%s' is deleted"), id);
			rc = CAT_DELETED;
		}
	} else {
		sb_addf(err, _("no record '%s'"), id);
		rc = CAT_NOTFOUND;
	}
	done(db, s);
	if (!rc && !deleted && !bib) {
		rec *r = rec_create();
		if (catalog_fetch(c, id, r, NULL, NULL) == CAT_OK && rec_leader(r)[6] == 'z') {
			sb_addf(err, _("record '%s' is an authority record: copies belong to "
			               "bibliographic records"), id);
			rc = CAT_CONFLICT;
		}
		rec_destroy(r);
	}
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

/* One journal row; batch: the import batch making the change (0: none). */
static int journal(sqlite3 *db, const char *action, const char *accno, const char *id,
                   const char *summary, const char *prev, long batch, strbuf *err)
{
	char t[24], u[64];
	now_utc(t, 0);
	user_name(u, sizeof u);
	sqlite3_stmt *s = prep(db, "INSERT INTO copies_journal(time, user, action, accno, record, "
	                           "summary, prev, akey, batch) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	                           "?8, ?9)", err);
	if (!s)
		return CAT_ERROR;
	char *key = copies_accno_key(accno);
	bts(s, 1, t);
	bts(s, 2, u);
	bts(s, 3, action);
	bts(s, 4, accno);
	bts(s, 5, id);
	bts(s, 6, summary);
	if (prev)
		bts(s, 7, prev);
	else
		sqlite3_bind_null(s, 7);
	bts(s, 8, key);
	if (batch > 0)
		sqlite3_bind_int64(s, 9, batch);
	else
		sqlite3_bind_null(s, 9);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("journal"));
	done(db, s);
	free(key);
	return rc;
}

/* The copy whose number is accno, compared by key (an exact match first,
 * for the look-alikes a schema 1 catalogue may hold): its cid, or
 * CAT_NOTFOUND (no message). A read-only catalogue of schema 1 has no
 * column akey: its numbers are read and compared one by one. */
static int lookup_ak(sqlite3 *db, const char *accno, sqlite3_int64 *cid, int ak);

static int lookup(sqlite3 *db, const char *accno, sqlite3_int64 *cid)
{
	return lookup_ak(db, accno, cid, -1);
}

/* lookup; ak: have_akey(db) when the caller has asked it (else -1) */
static int lookup_ak(sqlite3 *db, const char *accno, sqlite3_int64 *cid, int ak)
{
	char *norm = copies_accno_norm(accno, NULL);
	if (!norm)
		return CAT_NOTFOUND;
	if (ak < 0)
		ak = have_akey(db);
	sqlite3_stmt *s = prep(db, ak ? "SELECT cid FROM copies WHERE akey = ?1 "
	                                "ORDER BY accno = ?2 DESC, cid LIMIT 1"
	                              : "SELECT cid, accno FROM copies ORDER BY cid", NULL);
	int rc = CAT_ERROR;
	char *key = copies_accno_key(norm);
	if (s && ak) {
		bt(s, 1, key);
		bt(s, 2, norm);
		rc = CAT_NOTFOUND;
		if (sqlite3_step(s) == SQLITE_ROW) {
			*cid = sqlite3_column_int64(s, 0);
			rc = CAT_OK;
		}
	} else if (s) {
		rc = CAT_NOTFOUND;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *a = (const char *)sqlite3_column_text(s, 1);
			char *k = copies_accno_key(a);
			int same = !strcmp(k, key);
			free(k);
			if (same && (rc || !strcmp(a, norm)))
				*cid = sqlite3_column_int64(s, 0);
			if (same && !strcmp(a, norm)) {
				rc = CAT_OK;
				break;
			}
			if (same)
				rc = CAT_OK;
		}
	}
	free(key);
	done(db, s);
	free(norm);
	return rc;
}

static int find_cid(sqlite3 *db, const char *accno, sqlite3_int64 *cid, strbuf *err)
{
	int rc = lookup(db, accno, cid);
	if (rc == CAT_NOTFOUND)
		sb_addf(err, _("no copy with accession number '%s'"), accno);
	else if (rc)
		db_fail(db, err, N_("copies"));
	return rc;
}

/* The copy's current state as JSON (malloc'd) or NULL. */
static char *prev_state(sqlite3 *db, sqlite3_int64 cid)
{
	sqlite3_stmt *s = prep(db, "SELECT " PREV_JSON " FROM copies c JOIN records r ON "
	                           "r.rid = c.rid WHERE c.cid = ?1", NULL);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, cid);
	char *v = sqlite3_step(s) == SQLITE_ROW ? cdup(s, 0) : NULL;
	done(db, s);
	return v;
}

/* The record holding copy cid (malloc'd into *id) and whether it is
 * deleted. */
static int cid_owner(sqlite3 *db, sqlite3_int64 cid, char **id, int *deleted)
{
	sqlite3_stmt *s = prep(db, "SELECT r.id, r.deleted FROM copies c JOIN records r ON "
	                           "r.rid = c.rid WHERE c.cid = ?1", NULL);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, cid);
	int rc = CAT_NOTFOUND;
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (id)
			*id = cdup(s, 0);
		if (deleted)
			*deleted = sqlite3_column_int(s, 1);
		rc = CAT_OK;
	}
	done(db, s);
	return rc;
}

/* An undo cannot give accno back: copy cid (another record's) holds it now. */
static int now_used(sqlite3 *db, sqlite3_int64 cid, const char *accno, strbuf *err)
{
	char *who = NULL;
	cid_owner(db, cid, &who, NULL);
	sb_addf(err, _("accession number %s is now used by record %s"), accno, nz(who));
	free(who);
	return CAT_CONFLICT;
}

/* The record holding accno; live_only: only when that record is not
 * deleted (a deleted record's copies do not hold their numbers). none (may be
 * NULL): set to whether no copy has accno at all. */
static int owner_of_ak(sqlite3 *db, const char *accno, char **id, int live_only, int *none,
                       int ak);

static int owner_of(sqlite3 *db, const char *accno, char **id, int live_only, int *none)
{
	return owner_of_ak(db, accno, id, live_only, none, -1);
}

/* owner_of; ak as lookup_ak */
static int owner_of_ak(sqlite3 *db, const char *accno, char **id, int live_only, int *none,
                       int ak)
{
	sqlite3_int64 cid;
	int del = 0;
	char *who = NULL;
	int rc = lookup_ak(db, accno, &cid, ak);
	if (none)
		*none = rc == CAT_NOTFOUND;
	if (!rc)
		rc = cid_owner(db, cid, &who, &del);
	if (!rc && live_only && del)
		rc = CAT_NOTFOUND;
	if (!rc && id)
		*id = who;
	else
		free(who);
	return rc;
}

/* Make accno free for a new number of copy `self` (0: a new copy):
 * CAT_CONFLICT (message) if a live record holds it; a copy of a deleted
 * record gives it up (removed, journaled, as part of `batch` if not 0). */
static int claim_found(sqlite3 *db, const char *accno, int rc, sqlite3_int64 cid,
                       sqlite3_int64 self, long batch, strbuf *err);

static int claim(sqlite3 *db, const char *accno, sqlite3_int64 self, long batch, strbuf *err)
{
	sqlite3_int64 cid = 0;
	int rc = lookup(db, accno, &cid);
	return claim_found(db, accno, rc, cid, self, batch, err);
}

/* claim, the number looked up already (in this transaction, nothing
 * written since): rc and cid are what lookup() gave. */
static int claim_found(sqlite3 *db, const char *accno, int rc, sqlite3_int64 cid,
                       sqlite3_int64 self, long batch, strbuf *err)
{
	char *who = NULL, *prev = NULL;
	int del = 0;
	if (rc == CAT_NOTFOUND || (!rc && cid == self))
		return CAT_OK;
	if (!rc)
		rc = cid_owner(db, cid, &who, &del);
	if (rc) {
		db_fail(db, err, N_("copies"));
		return CAT_ERROR;
	}
	if (!del) {
		sb_addf(err, _("accession number %s is already in use (record %s)"), accno, who);
		rc = CAT_CONFLICT;
	} else {
		prev = prev_state(db, cid);
		sqlite3_stmt *s = prep(db, "DELETE FROM copies WHERE cid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, cid);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("copies"));
			done(db, s);
		}
		if (!rc) {
			/* the number as that copy has it (the journal keys on it) */
			sqlite3_stmt *q = prep(db, "SELECT json_extract(?1, '$.accno')", err);
			char *old_acc = NULL;
			if (q) {
				bt(q, 1, prev);
				if (sqlite3_step(q) == SQLITE_ROW)
					old_acc = cdup(q, 0);
				done(db, q);
			}
			strbuf sum = STRBUF_INIT;
			/* journal summaries here and below: stored, English */
			sb_addf(&sum, "copy %s of deleted record %s removed (number reused)",
			        old_acc ? old_acc : accno, who);
			rc = journal(db, "remove", old_acc ? old_acc : accno, who, sum.buf, prev, batch,
			             err);
			sb_release(&sum);
			free(old_acc);
		}
	}
	free(prev);
	free(who);
	return rc;
}

/* ------------------------------------------------------------------ */
/* accession numbers */

/* The pattern for kind at branch; the name of the setting it comes from
 * (or would: "accno.K") in key. */
static char *pattern_for(catalog *c, const char *kind, const char *branch, char *key,
                         size_t keysz)
{
	char *p = NULL;
	if (branch && *branch) {
		snprintf(key, keysz, "accno.%s.%s", branch, kind);
		p = catalog_get_setting(c, key);
	}
	if (!p) {
		snprintf(key, keysz, "accno.%s", kind);
		p = catalog_get_setting(c, key);
	}
	if (!p) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s.######", kind);
		p = sb_detach(&sb, NULL);
	}
	return p;
}

static void add_like(strbuf *like, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			sb_addc(like, '\\');
		sb_addc(like, s[i]);
	}
}

/* Next free number in pattern pat (from setting `key`): max used + 1
 * (within the caller's transaction). Numbers are compared by key, so
 * "đc.000215" counts for the pattern "ĐC.######". */
static int next_free(sqlite3 *db, const char *pat, const char *key, char **out, strbuf *err)
{
	const char *h = strchr(pat, '#');
	if (!h) {
		sb_addf(err, _("accession number pattern '%s' has no '#' for the number"), pat);
		return CAT_ERROR;
	}
	size_t pre = (size_t)(h - pat), width = strspn(h, "#");
	const char *suf = h + width;
	if (width > 15) {
		sb_addf(err, _("accession number pattern '%s' has more than 15 '#'"), pat);
		return CAT_ERROR;
	}
	sqlite3_int64 max = 0, limit = 1;
	for (size_t i = 0; i < width; i++)
		limit *= 10;
	if (have_tables(db)) {
		int ak = have_akey(db);
		char *kp = NULL, *ks = NULL;
		if (ak) {
			strbuf t = STRBUF_INIT;
			sb_add(&t, pat, pre);
			sb_adds(&t, "0");     /* so the key keeps the prefix's spaces */
			kp = copies_accno_key(t.buf);
			kp[strlen(kp) - 1] = 0;
			sb_reset(&t);
			sb_adds(&t, "0");
			sb_adds(&t, suf);
			char *k2 = copies_accno_key(t.buf);
			ks = xstrdup(k2 + 1);
			free(k2);
			sb_release(&t);
		}
		const char *p = ak ? kp : pat, *sx = ak ? ks : suf;
		size_t pl = ak ? strlen(kp) : pre;
		sqlite3_stmt *s = prep(db, ak ? "SELECT akey FROM copies WHERE akey LIKE ?1 ESCAPE '\\'"
		                              : "SELECT accno FROM copies WHERE accno LIKE ?1 ESCAPE '\\'",
		                       err);
		if (!s) {
			free(kp);
			free(ks);
			return CAT_ERROR;
		}
		strbuf like = STRBUF_INIT;
		add_like(&like, p, pl);
		sb_addc(&like, '%');
		bt(s, 1, like.buf);
		sb_release(&like);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *a = (const char *)sqlite3_column_text(s, 0);
			size_t n = strlen(a), sl = strlen(sx);
			if (n < pl + sl + 1 || strcmp(a + n - sl, sx))
				continue;
			size_t i = pl;
			sqlite3_int64 v = 0;
			while (i < n - sl && isdigit((unsigned char)a[i]) && i - pl < 15)
				v = v * 10 + (a[i++] - '0');
			if (i == n - sl && v > max)
				max = v;
		}
		done(db, s);
		free(kp);
		free(ks);
	}
	if (max + 1 >= limit) {
		sb_addf(err, _("accession number pattern '%s' is full: widen it with bienmuc config %s"),
		        pat, key);
		return CAT_CONFLICT;    /* refused, as a number in use is */
	}
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, pat, pre);
	sb_addf(&sb, "%0*lld", (int)width, (long long)max + 1);
	sb_adds(&sb, suf);
	*out = sb_detach(&sb, NULL);
	return CAT_OK;
}

/* kind, else the setting accno.kind, else VV (malloc'd) */
static char *kind_or_default(catalog *c, const char *kind)
{
	if (kind && *kind)
		return xstrdup(kind);
	char *k = catalog_get_setting(c, "accno.kind");
	if (k && *k)
		return k;
	free(k);
	return xstrdup("VV");
}

int copies_next_accno(catalog *c, const char *kind, const char *branch, char **out,
                      strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	char *k = kind_or_default(c, kind);
	char *b = branch && *branch ? NULL : catalog_get_setting(c, "branch");
	char key[200];
	char *pat = pattern_for(c, k, b ? b : branch, key, sizeof key);
	int rc = next_free(db, pat, key, out, err);
	free(pat);
	free(k);
	free(b);
	return rc;
}

/* accno + k, same width ("VV.015234" + 2 = "VV.015236"); NULL when that
 * needs more digits. */
static char *accno_plus(const char *a, long k)
{
	size_t pre, nd;
	if (accno_split(a, &pre, &nd) || nd > 15)
		return NULL;
	sqlite3_int64 limit = 1;
	for (size_t i = 0; i < nd; i++)
		limit *= 10;
	if (accnum(a) + k >= limit)
		return NULL;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, a, pre);
	sb_addf(&sb, "%0*lld", (int)nd, (long long)accnum(a) + k);
	sb_adds(&sb, a + pre + nd);
	return sb_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* writes */

/* out = in with every field checked (no control characters, a real date,
 * a known status) and in NFC, the accession number normalised when set. */
static int clean_copy(const struct copy *in, struct copy *out, strbuf *err)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; copy_fields[i]; i++) {
		const char *f = copy_fields[i], *v = nz(*field_at((struct copy *)in, i));
		char *nv;
		if (field_off[i] == offsetof(struct copy, accno) && *v) {
			nv = copies_accno_norm(v, err);
		} else if (copy_has_control(v)) {
			sb_addf(err, _("%s: control characters (tab, newline) are not allowed"), f);
			nv = NULL;
		} else {
			nv = nfc_dup(v);
		}
		if (!nv) {
			copy_clear(out);
			return CAT_ERROR;
		}
		*field_at(out, i) = nv;
	}
	out->record = xstrdup(nz(in->record));
	if (*out->status && !valid_status(out->status)) {
		sb_addf(err, _("unknown status '%s' (available, withdrawn, lost, repair)"), out->status);
		copy_clear(out);
		return CAT_ERROR;
	}
	if (*out->added && !valid_date(out->added)) {
		sb_addf(err, _("date '%s' is not a real date YYYY-MM-DD"), out->added);
		copy_clear(out);
		return CAT_ERROR;
	}
	return CAT_OK;
}

static void bind_accno(sqlite3_stmt *s, int i_accno, int i_num, int i_key, const char *accno)
{
	bt(s, i_accno, accno);
	sqlite3_int64 num = accnum(accno);
	if (num >= 0)
		sqlite3_bind_int64(s, i_num, num);
	else
		sqlite3_bind_null(s, i_num);
	char *key = copies_accno_key(accno);
	bt(s, i_key, key);
	free(key);
}

static int insert_copy(sqlite3 *db, sqlite3_int64 rid, const char *id, const struct copy *t,
                       const char *accno, long batch, strbuf *err)
{
	char today[24];
	now_utc(today, 1);
	sqlite3_stmt *s = prep(db, "INSERT INTO copies(rid, accno, accnum, branch, location, "
	                           "callno, volume, source, price, added, status, note, akey, "
	                           "batch) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	                           "?13, ?14)", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	bind_accno(s, 2, 3, 13, accno);
	bts(s, 4, t->branch);
	bts(s, 5, t->location);
	bts(s, 6, t->callno);
	bts(s, 7, t->volume);
	bts(s, 8, t->source);
	bts(s, 9, t->price);
	bts(s, 10, t->added && *t->added ? t->added : today);
	bts(s, 11, t->status && *t->status ? t->status : COPY_AVAILABLE);
	bts(s, 12, t->note);
	if (batch > 0)
		sqlite3_bind_int64(s, 14, batch);
	else
		sqlite3_bind_null(s, 14);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("adding a copy"));
	done(db, s);
	if (rc)
		return rc;
	strbuf sum = STRBUF_INIT;
	sb_adds(&sum, "copy ");                         /* stored summary: English */
	sb_adds(&sum, accno);
	sb_adds(&sum, " added");
	if (t->branch && *t->branch) {
		sb_adds(&sum, " at ");
		sb_adds(&sum, t->branch);
	}
	if (t->location && *t->location) {
		sb_adds(&sum, ", ");
		sb_adds(&sum, t->location);
	}
	rc = journal(db, "add", accno, id, sum.buf, NULL, batch, err);
	sb_release(&sum);
	return rc;
}

int copies_count_parse(const char *s, int *n, strbuf *err)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (e == s || *e || errno || v < 1 || v > COPIES_ADD_MAX) {
		sb_addf(err, _("'%s' is not a number of copies from 1 to %d"), s, COPIES_ADD_MAX);
		return -1;
	}
	*n = (int)v;
	return 0;
}

static int add_batch(catalog *c, const char *id, int bib, const struct copy *tmpl, int n,
                     const char *kind, long batch, char ***accnos, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	if (n < 1 || n > COPIES_ADD_MAX) {
		sb_addf(err, _("cannot add %d copies (1 to %d)"), n, COPIES_ADD_MAX);
		return CAT_ERROR;
	}
	struct copy t;
	if (clean_copy(tmpl, &t, err))
		return CAT_ERROR;
	if (!*t.branch) {
		char *b = catalog_get_setting(c, "branch");
		if (b) {
			free(t.branch);
			t.branch = nfc_dup(b);
			free(b);
		}
	}
	const char *first = *t.accno ? t.accno : NULL;
	size_t pre, nd;
	if (first && n > 1 && accno_split(first, &pre, &nd)) {
		sb_addf(err, _("accession number '%s' has no number to count up from"), first);
		copy_clear(&t);
		return CAT_CONFLICT;    /* refused, as a number in use is */
	}
	int own, rc = wstart(db, &own, err);
	if (rc) {
		copy_clear(&t);
		return rc;
	}
	sqlite3_int64 rid = 0;
	char **list = xcalloc((size_t)n, sizeof *list);
	rc = record_rid(c, db, id, &rid, 0, bib, err);
	if (!rc && !first) {
		char *k = kind_or_default(c, kind), key[200];
		char *pat = pattern_for(c, k, t.branch, key, sizeof key);
		rc = next_free(db, pat, key, &list[0], err);
		free(pat);
		free(k);
	} else if (!rc) {
		list[0] = xstrdup(first);
	}
	for (int i = 1; !rc && i < n; i++) {
		list[i] = accno_plus(list[0], i);
		if (!list[i]) {
			sb_addf(err, _("%d copies from %s do not fit in its digits: the last would be "
			               "number %lld"), n, list[0], (long long)accnum(list[0]) + n - 1);
			rc = CAT_CONFLICT;      /* refused, as a number in use is */
		}
	}
	/* all free before any is taken; each number is looked up once, for
	 * both (claiming one number does not change what another finds).
	 * A number the import found free in this transaction (accno_free:
	 * the caller's; one begun here is not the one it was checked in) is
	 * not looked up again. */
	sqlite3_int64 cid1 = 0, *cids = n == 1 ? &cid1 : xcalloc((size_t)n, sizeof *cids);
	int found1 = 0, *found = n == 1 ? &found1 : xcalloc((size_t)n, sizeof *found);
	for (int i = 0; !rc && i < n; i++) {
		if (n == 1 && first && tmpl->accno_free && !own) {
			found[i] = CAT_NOTFOUND;
			continue;
		}
		found[i] = lookup(db, list[i], &cids[i]);
		char *who = NULL;
		int del = 0;
		if (found[i] == CAT_OK && cid_owner(db, cids[i], &who, &del) == CAT_OK && !del) {
			sb_addf(err, _("accession number %s is already in use (record %s)"), list[i], who);
			rc = CAT_CONFLICT;
		}
		free(who);
	}
	for (int i = 0; !rc && i < n; i++)
		rc = found[i] == CAT_OK || found[i] == CAT_NOTFOUND ?
		     claim_found(db, list[i], found[i], cids[i], 0, batch, err) :
		     claim(db, list[i], 0, batch, err);     /* (an error: looked up again) */
	if (n > 1) {
		free(cids);
		free(found);
	}
	for (int i = 0; !rc && i < n; i++)
		rc = insert_copy(db, rid, id, &t, list[i], batch, err);
	rc = wfinish(db, own, rc, err);
	copy_clear(&t);
	if (rc || !accnos)
		cat_ids_free(list, (size_t)n);
	else
		*accnos = list;
	return rc;
}

int copies_add_batch(catalog *c, const char *id, const struct copy *tmpl, int n,
                     const char *kind, long batch, char ***accnos, strbuf *err)
{
	return add_batch(c, id, 0, tmpl, n, kind, batch, accnos, err);
}

int copies_add_saved(catalog *c, const char *id, const rec *r, const struct copy *tmpl,
                     int n, const char *kind, long batch, char ***accnos, strbuf *err)
{
	return add_batch(c, id, r && rec_leader(r)[6] != 'z', tmpl, n, kind, batch, accnos, err);
}

int copies_add(catalog *c, const char *id, const struct copy *tmpl, int n, const char *kind,
               char ***accnos, strbuf *err)
{
	return copies_add_batch(c, id, tmpl, n, kind, 0, accnos, err);
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

static int get_locked(sqlite3 *db, sqlite3_int64 cid, struct copy *out, strbuf *err);

static int copy_rid(sqlite3 *db, sqlite3_int64 cid, sqlite3_int64 *rid, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT rid FROM copies WHERE cid = ?1", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, cid);
	int rc = sqlite3_step(s) == SQLITE_ROW ? CAT_OK : db_fail(db, err, N_("copies"));
	if (!rc)
		*rid = sqlite3_column_int64(s, 0);
	done(db, s);
	return rc;
}

int copies_update(catalog *c, const char *accno, const struct copy *cp, const char *action,
                  strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	struct copy nw;
	if (clean_copy(cp, &nw, err))
		return CAT_ERROR;
	if (!*nw.status) {
		free(nw.status);
		nw.status = xstrdup(COPY_AVAILABLE);
	}
	int own, rc = wstart(db, &own, err);
	if (rc) {
		copy_clear(&nw);
		return rc;
	}
	struct copy old = { 0 };
	sqlite3_int64 cid = 0, rid = 0;
	char *prev = NULL;
	rc = find_cid(db, accno, &cid, err);
	if (!rc)
		rc = get_locked(db, cid, &old, err);
	if (!rc) {
		if (!*nw.accno) {
			free(nw.accno);
			nw.accno = xstrdup(old.accno);
		}
		if (!*nw.record || !strcmp(nw.record, old.record)) {
			free(nw.record);
			nw.record = xstrdup(old.record);
			rc = copy_rid(db, cid, &rid, err);
		} else {
			rc = record_rid(c, db, nw.record, &rid, 0, 0, err);
		}
	}
	if (!rc && !*nw.added) {
		free(nw.added);
		nw.added = xstrdup(old.added);
	}
	strbuf d = STRBUF_INIT;
	if (!rc)
		diff_summary(&old, &nw, &d);
	if (!rc && d.len)
		rc = claim(db, nw.accno, cid, 0, err);
	if (!rc && d.len)
		prev = prev_state(db, cid);
	if (!rc && d.len) {
		sqlite3_stmt *s = prep(db, "UPDATE copies SET rid = ?2, accno = ?3, accnum = ?4, "
		                           "branch = ?5, location = ?6, callno = ?7, volume = ?8, "
		                           "source = ?9, price = ?10, added = ?11, status = ?12, "
		                           "note = ?13, akey = ?14 WHERE cid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, cid);
			sqlite3_bind_int64(s, 2, rid);
			bind_accno(s, 3, 4, 14, nw.accno);
			bt(s, 5, nw.branch);
			bt(s, 6, nw.location);
			bt(s, 7, nw.callno);
			bt(s, 8, nw.volume);
			bt(s, 9, nw.source);
			bt(s, 10, nw.price);
			bt(s, 11, nw.added);
			bt(s, 12, nw.status);
			bt(s, 13, nw.note);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("changing a copy"));
			done(db, s);
		}
	}
	if (!rc && d.len) {      /* nothing changed: nothing journaled */
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "copy %s: %s", old.accno, d.buf);   /* stored summary: English */
		rc = journal(db, action ? action : "edit", nw.accno, nw.record, sum.buf, prev, 0, err);
		sb_release(&sum);
	}
	sb_release(&d);
	free(prev);
	copy_clear(&old);
	copy_clear(&nw);
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
	struct copy old = { 0 };
	rc = find_cid(db, accno, &cid, err);
	if (!rc)
		rc = get_locked(db, cid, &old, err);
	if (!rc) {
		prev = prev_state(db, cid);
		sqlite3_stmt *s = prep(db, "DELETE FROM copies WHERE cid = ?1", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, cid);
			rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("removing a copy"));
			done(db, s);
		}
	}
	if (!rc) {
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "copy %s removed", old.accno);   /* stored summary: English */
		rc = journal(db, "remove", old.accno, old.record, sum.buf, prev, 0, err);
		sb_release(&sum);
	}
	free(prev);
	free(id);
	copy_clear(&old);
	return wfinish(db, own, rc, err);
}

/* ------------------------------------------------------------------ */
/* reads */

static void fill(sqlite3_stmt *s, struct copy *cp)
{
	memset(cp, 0, sizeof *cp);
	cp->record = cdup(s, 0);
	for (int i = 0; copy_fields[i]; i++)
		*field_at(cp, i) = cdup(s, i + 1);
}

static int get_locked(sqlite3 *db, sqlite3_int64 cid, struct copy *out, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT " COLS "WHERE c.cid = ?1", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, cid);
	int rc = CAT_OK;
	if (sqlite3_step(s) == SQLITE_ROW)
		fill(s, out);
	else
		rc = db_fail(db, err, N_("copies"));
	done(db, s);
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
	sqlite3_int64 cid;
	int rc = find_cid(db, accno, &cid, err);
	return rc ? rc : get_locked(db, cid, out, err);
}

int copies_owner(catalog *c, const char *accno, char **id, strbuf *err)
{
	int none;
	return copies_owner_none(c, accno, id, &none, err);
}

int copies_owner_none(catalog *c, const char *accno, char **id, int *none, strbuf *err)
{
	*none = 0;
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	if (have(db, HAVE_TABLES | HAVE_AKEY))     /* (the schema's version asked once) */
		return owner_of_ak(db, accno, id, 1, none, 1);
	if (!have_tables(db)) {
		*none = 1;
		return CAT_NOTFOUND;
	}
	return owner_of(db, accno, id, 1, none);
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
	done(db, s);
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
		/* the copies of the records the batch saved, and (copies schema
		 * 3) those it added to records already there */
		s = prep(db, have_batch(db) ?
		             "SELECT " COLS "WHERE r.deleted = 0 AND (c.rid IN (SELECT rid FROM "
		             "versions WHERE batch = ?1) OR c.batch = ?1)" ORDER :
		             "SELECT " COLS "WHERE r.deleted = 0 AND c.rid IN (SELECT rid FROM "
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
	done(db, s);
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
	int ak = have_akey(db);
	sqlite3_stmt *s = prep(db, ak ? "SELECT jid, time, user, action, accno, record, summary, "
	                                "undone FROM copies_journal WHERE (?1 IS NULL OR akey = ?1) "
	                                "AND (?2 IS NULL OR record = ?2) ORDER BY jid"
	                              : "SELECT jid, time, user, action, accno, record, summary, "
	                                "undone FROM copies_journal WHERE (?1 IS NULL OR accno = ?1 "
	                                "COLLATE NOCASE) AND (?2 IS NULL OR record = ?2) ORDER BY jid",
	                       err);
	if (!s)
		return CAT_ERROR;
	if (accno) {
		char *k = ak ? copies_accno_key(accno) : copies_accno_norm(accno, NULL);
		bt(s, 1, k ? k : accno);
		free(k);
	}
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
	done(db, s);
	return rc;
}

static int exec1(sqlite3 *db, sqlite3_stmt *s, strbuf *err)
{
	if (!s)
		return CAT_ERROR;
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
	done(db, s);
	return rc;
}

/* Mark journal row jid undone. */
static int set_undone(sqlite3 *db, long jid, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "UPDATE copies_journal SET undone = 1 WHERE jid = ?1", err);
	if (s)
		sqlite3_bind_int64(s, 1, jid);
	return exec1(db, s, err);
}

/* Put back, under accno, the copy a journal row's prev (PREV_JSON) holds. */
static int restore_copy(sqlite3 *db, const char *prev, const char *accno, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "INSERT INTO copies(rid, accno, accnum, branch, location, "
	                           "callno, volume, source, price, added, status, note, akey, batch) "
	                           "SELECT (SELECT rid FROM records WHERE id = json_extract(?1, "
	                           "'$.record')), ?2, ?3, json_extract(?1, '$.branch'), "
	                           "json_extract(?1, '$.location'), json_extract(?1, '$.callno'), "
	                           "json_extract(?1, '$.volume'), json_extract(?1, '$.source'), "
	                           "json_extract(?1, '$.price'), json_extract(?1, '$.added'), "
	                           "json_extract(?1, '$.status'), json_extract(?1, '$.note'), ?4, "
	                           "json_extract(?1, '$.batch')", err);
	if (s) {
		bt(s, 1, prev);
		bind_accno(s, 2, 3, 4, accno);
	}
	return exec1(db, s, err);
}

/* Undo: the copy now at the change's number (an add or an edit made it;
 * it is removed), then the state before the change put back (an edit or
 * a removal saved it). Changes undone since and undo entries do not count
 * as "changed again": after C is undone, B is the copy's latest change. */
int copies_undo(catalog *c, long jid, strbuf *err)
{
	sqlite3 *db = cdb(c, err);
	if (!db)
		return CAT_UNSUPPORTED;
	int own, rc = wstart(db, &own, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = prep(db, "SELECT action, accno, prev, undone, json_extract(prev, "
	                           "'$.accno') FROM copies_journal WHERE jid = ?1", err);
	char *action = NULL, *accno = NULL, *prev = NULL, *pacc = NULL;
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
		} else {
			action = cdup(s, 0);
			accno = cdup(s, 1);
			prev = sqlite3_column_type(s, 2) == SQLITE_NULL ? NULL : cdup(s, 2);
			pacc = sqlite3_column_type(s, 4) == SQLITE_NULL ? NULL : cdup(s, 4);
		}
		done(db, s);
	}
	char *k1 = accno ? copies_accno_key(accno) : NULL;
	char *k2 = pacc ? copies_accno_key(pacc) : NULL;
	if (!rc) {
		s = prep(db, "SELECT max(jid) FROM copies_journal WHERE jid > ?1 AND undone = 0 AND "
		             "action <> 'undo' AND (akey = ?2 OR akey = ?3)", err);
		if (!s) {
			rc = CAT_ERROR;
		} else {
			sqlite3_bind_int64(s, 1, jid);
			bt(s, 2, k1);
			bt(s, 3, k2 ? k2 : k1);
			if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
				sb_addf(err, _("copy %s was changed again after change %ld (change %lld); "
				               "undo that first"), accno, jid,
				        (long long)sqlite3_column_int64(s, 0));
				rc = CAT_CONFLICT;
			}
			done(db, s);
		}
	}
	/* the copy the change made (none for a removal) */
	sqlite3_int64 cur = 0;
	int have_cur = 0;
	if (!rc) {
		have_cur = lookup(db, accno, &cur) == CAT_OK;
		if (have_cur && !strcmp(action, "remove"))
			rc = now_used(db, cur, accno, err);
	}
	if (!rc && have_cur) {
		s = prep(db, "DELETE FROM copies WHERE cid = ?1", err);
		if (s)
			sqlite3_bind_int64(s, 1, cur);
		rc = exec1(db, s, err);
	}
	if (!rc && prev) {
		sqlite3_int64 other;
		if (pacc && lookup(db, pacc, &other) == CAT_OK)
			rc = now_used(db, other, pacc, err);
	}
	if (!rc && prev)
		rc = restore_copy(db, prev, nz(pacc), err);
	if (!rc)
		rc = set_undone(db, jid, err);
	if (!rc) {
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "change %ld (%s) undone", jid, action);   /* stored summary: English */
		char *id = NULL;
		owner_of(db, pacc ? pacc : accno, &id, 0, NULL);
		rc = journal(db, "undo", pacc ? pacc : accno, id, sum.buf, NULL, 0, err);
		free(id);
		sb_release(&sum);
	}
	free(k1);
	free(k2);
	free(action);
	free(accno);
	free(prev);
	free(pacc);
	return wfinish(db, own, rc, err);
}

/* ------------------------------------------------------------------ */
/* undoing an import batch (store.c's batch undo, in its transaction) */

/* Step s (bound, from prep) of an undo's question: *yes whether it gave a
 * row; CAT_OK, or an error. */
static int undo_row(sqlite3 *db, sqlite3_stmt *s, int *yes, strbuf *err)
{
	int r = sqlite3_step(s);
	*yes = r == SQLITE_ROW;
	done(db, s);
	return r == SQLITE_ROW || r == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
}

/* Has the copy that journal row `jid` (of `batch`) added under key k been
 * changed since: a later row on k that is not an undo entry, not undone
 * and not part of this batch or of a batch since undone? A change to a
 * copy is journaled under its number after the change, so a copy changed
 * while it had the number k, or given k again later, always shows here;
 * a copy that no longer has k has no row of its batch under its number
 * (the caller finds no jid) and counts as changed. */
static int changed_since(sqlite3 *db, long jid, const char *k, long batch, int *changed,
                         strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT 1 FROM copies_journal WHERE jid > ?1 AND akey = ?2 "
	                           "AND undone = 0 AND action <> 'undo' AND (batch IS NULL OR "
	                           "(batch <> ?3 AND batch NOT IN (SELECT id FROM batches WHERE "
	                           "state IN ('undone', 'partly undone')))) LIMIT 1", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, jid);
	bt(s, 2, k);
	sqlite3_bind_int64(s, 3, batch);
	return undo_row(db, s, changed, err);
}

/* Does the batch's copy on record rid, numbered with key k, stay with
 * that record: the batch added the record (its version 1) and it is
 * deleted now, and the batch did not take the number from a deleted
 * record's copy (that copy gets it back instead, as before)? */
static int went_with_record(sqlite3 *db, sqlite3_int64 rid, const char *k, long batch,
                            int *gone, strbuf *err)
{
	sqlite3_stmt *s = prep(db, "SELECT 1 FROM records r WHERE r.rid = ?1 AND r.deleted = 1 "
	                           "AND EXISTS (SELECT 1 FROM versions v WHERE v.rid = r.rid AND "
	                           "v.version = 1 AND v.batch = ?2) AND NOT EXISTS (SELECT 1 FROM "
	                           "copies_journal j WHERE j.batch = ?2 AND j.action = 'remove' AND "
	                           "j.undone = 0 AND j.prev IS NOT NULL AND j.akey = ?3)", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, batch);
	bt(s, 3, k);
	return undo_row(db, s, gone, err);
}

/* Keep copy cid (number accno) with its deleted record: journaled (the
 * copy as it is in prev), and no longer the batch's to take back (its
 * batch is cleared: undoing the batch again, --force included, does not
 * count it again; the journal keeps the batch). */
static int keep_with_record(sqlite3 *db, long batch, sqlite3_int64 cid, const char *accno,
                            strbuf *err)
{
	char *prev = prev_state(db, cid), *id = NULL;
	cid_owner(db, cid, &id, NULL);
	sqlite3_stmt *s = prep(db, "UPDATE copies SET batch = NULL WHERE cid = ?1", err);
	if (s)
		sqlite3_bind_int64(s, 1, cid);
	int rc = exec1(db, s, err);
	if (!rc) {
		strbuf sum = STRBUF_INIT;            /* stored summary: English */
		sb_addf(&sum, "batch %ld undone: copy %s kept with deleted record %s", batch, accno,
		        nz(id));
		rc = journal(db, "undo", accno, id, sum.buf, prev, batch, err);
		sb_release(&sum);
	}
	free(prev);
	free(id);
	return rc;
}

/* rid in v[0..n), ascending (store.c collects them in rid order) */
static int in_rids(const long long *v, size_t n, sqlite3_int64 rid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == rid)
			return 1;
		if (v[mid] < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int store_copies_batch_undo(struct sqlite3 *db, long batch, int force,
                            const long long *keep, size_t nkeep,
                            struct cat_undo_copies *out, strbuf *err)
{
	memset(out, 0, sizeof *out);
	/* no copies, or none added since copies know their batch */
	if (!have_tables(db) || !have_batch(db))
		return CAT_OK;
	/* 1. the copies the batch added that are still there (wherever they
	 * are now: renumbered, moved), newest first; collected before any
	 * change */
	struct bcopy { sqlite3_int64 cid, rid; char *accno, *akey; } *v = NULL;
	size_t nv = 0, cap = 0;
	sqlite3_stmt *s = prep(db, "SELECT cid, rid, accno, akey FROM copies WHERE batch = ?1 "
	                           "ORDER BY cid DESC", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, batch);
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[nv].cid = sqlite3_column_int64(s, 0);
		v[nv].rid = sqlite3_column_int64(s, 1);
		v[nv].accno = cdup(s, 2);
		v[nv].akey = cdup(s, 3);
		nv++;
	}
	int rc = r == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
	done(db, s);
	for (size_t i = 0; i < nv && !rc; i++) {
		long jid = 0;
		s = prep(db, "SELECT max(jid) FROM copies_journal WHERE batch = ?1 AND action = 'add' "
		             "AND undone = 0 AND akey = ?2", err);
		if (!s) {
			rc = CAT_ERROR;
			break;
		}
		sqlite3_bind_int64(s, 1, batch);
		bt(s, 2, v[i].akey);
		if (sqlite3_step(s) == SQLITE_ROW)
			jid = (long)sqlite3_column_int64(s, 0);
		done(db, s);
		/* on a record the batch added and the undo has deleted (or
		 * someone deleted before it): the copy stays with it, as a plain
		 * delete keeps a record's copies, and undelete brings it back */
		int gone = 0;
		rc = went_with_record(db, v[i].rid, v[i].akey, batch, &gone, err);
		if (!rc && gone) {
			rc = keep_with_record(db, batch, v[i].cid, v[i].accno, err);
			if (!rc)
				out->kept++;
			continue;
		}
		int changed = !jid;
		if (!rc && jid)
			rc = changed_since(db, jid, v[i].akey, batch, &changed, err);
		if (rc)
			break;
		/* changed after the batch, or on a record the undo leaves alone:
		 * left as it is (as records are), unless --force */
		if ((changed || in_rids(keep, nkeep, v[i].rid)) && !force) {
			out->conflicts++;
			continue;
		}
		char *prev = prev_state(db, v[i].cid), *id = NULL;
		cid_owner(db, v[i].cid, &id, NULL);
		s = prep(db, "DELETE FROM copies WHERE cid = ?1", err);
		if (s)
			sqlite3_bind_int64(s, 1, v[i].cid);
		rc = exec1(db, s, err);
		if (!rc && jid)
			rc = set_undone(db, jid, err);
		if (!rc) {
			strbuf sum = STRBUF_INIT;            /* stored summary: English */
			sb_addf(&sum, "batch %ld undone: copy %s removed", batch, v[i].accno);
			rc = journal(db, "undo", v[i].accno, id, sum.buf, prev, batch, err);
			sb_release(&sum);
		}
		if (!rc)
			out->removed++;
		free(prev);
		free(id);
	}
	for (size_t i = 0; i < nv; i++) {
		free(v[i].accno);
		free(v[i].akey);
	}
	free(v);
	if (rc)
		return rc;
	/* 2. the copies of deleted records whose numbers the batch took
	 * (claim): back to their record, newest first, where the number is
	 * free; one taken again since stays given up (as claim would have it) */
	struct { long jid; char *prev, *accno; } *w = NULL;
	size_t nw = 0;
	cap = 0;
	s = prep(db, "SELECT jid, prev, json_extract(prev, '$.accno') FROM copies_journal WHERE "
	             "batch = ?1 AND action = 'remove' AND undone = 0 AND prev IS NOT NULL "
	             "ORDER BY jid DESC", err);
	if (!s)
		return CAT_ERROR;
	sqlite3_bind_int64(s, 1, batch);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 2) == SQLITE_NULL)
			continue;
		if (nw == cap) {
			cap = cap ? 2 * cap : 16;
			w = xrealloc(w, cap * sizeof *w);
		}
		w[nw].jid = (long)sqlite3_column_int64(s, 0);
		w[nw].prev = cdup(s, 1);
		w[nw].accno = cdup(s, 2);
		nw++;
	}
	rc = r == SQLITE_DONE ? CAT_OK : db_fail(db, err, N_("undo"));
	done(db, s);
	for (size_t i = 0; i < nw && !rc; i++) {
		sqlite3_int64 other;
		if (lookup(db, w[i].accno, &other) == CAT_OK)
			continue;
		/* its record must still be there */
		s = prep(db, "SELECT 1 FROM records WHERE id = json_extract(?1, '$.record')", err);
		if (!s) {
			rc = CAT_ERROR;
			break;
		}
		bt(s, 1, w[i].prev);
		int there = sqlite3_step(s) == SQLITE_ROW;
		done(db, s);
		if (!there)
			continue;
		rc = restore_copy(db, w[i].prev, w[i].accno, err);
		if (!rc)
			rc = set_undone(db, w[i].jid, err);
		if (!rc) {
			char *id = NULL;
			owner_of(db, w[i].accno, &id, 0, NULL);
			strbuf sum = STRBUF_INIT;            /* stored summary: English */
			sb_addf(&sum, "batch %ld undone: change %ld (remove) undone", batch, w[i].jid);
			rc = journal(db, "undo", w[i].accno, id, sum.buf, NULL, batch, err);
			sb_release(&sum);
			free(id);
		}
		if (!rc)
			out->restored++;
	}
	for (size_t i = 0; i < nw; i++) {
		free(w[i].prev);
		free(w[i].accno);
	}
	free(w);
	return rc;
}
