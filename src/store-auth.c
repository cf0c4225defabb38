/*
 * store-auth.c - the authority heading index of the SQLite catalogue
 * (part of the store module: all authority SQL lives here).
 *
 * Tables (version in the setting "auth_schema", created by
 * auth_idx_open; a catalogue made before them is indexed on first open):
 *   auth_heads(rid, type, kind, tag, heading, mkey, okey, skey, dkey,
 *              sortkey, ctl)  one row per 1XX/4XX/5XX heading of every
 *                             live authority record; keys from auth.c,
 *                             sortkey = ICU "vi" key of the heading,
 *                             ctl = the record's $0 value "(ORG)ID"
 *   auth_ids(ctl, rid)        every identifier of an authority record
 *                             (001, "(003)001", 035 $a, 010 $a): what a
 *                             $0 may name
 *   auth_links(ctl, rid)      the $0 values in the headings of every live
 *                             record: who uses which authority
 * Rows follow the record: store.c calls auth_idx_record() in the same
 * transaction as every save, delete and undelete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "catalog.h"
#include "catalog-ops.h"
#include "store.h"
#include "collate.h"
#include "store-auth.h"
#include "i18n-lower.h"


#define AUTH_SCHEMA "1"

enum {
	Q_HEAD_INS, Q_ID_INS, Q_LINK_INS, Q_HEAD_DEL, Q_ID_DEL, Q_LINK_DEL,
	Q_FIND_M, Q_FIND_O, Q_FIND_S, Q_FIND_D, Q_FIND_SP, Q_BROWSE_FWD, Q_BROWSE_BACK,
	Q_RESOLVE, Q_USERS, Q_COUNT
};

#define HIT_COLS "r.id, h.ctl, h.type, h.kind, h.tag, h.heading, " \
	"(SELECT a.heading FROM auth_heads a WHERE a.rid = h.rid AND a.kind = 1 LIMIT 1) " \
	"FROM auth_heads h JOIN records r ON r.rid = h.rid "
#define HIT_FILTER " AND (?2 < 0 OR h.type = ?2) AND (?3 = 0 OR (?3 >> h.kind) & 1) "

static const char *const qsql[Q_COUNT] = {
	[Q_HEAD_INS] = "INSERT INTO auth_heads(rid, type, kind, tag, heading, mkey, okey, skey, "
	               "dkey, sortkey, ctl) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[Q_ID_INS] = "INSERT OR IGNORE INTO auth_ids(ctl, rid) VALUES(?1, ?2)",
	[Q_LINK_INS] = "INSERT OR IGNORE INTO auth_links(ctl, rid) VALUES(?1, ?2)",
	[Q_HEAD_DEL] = "DELETE FROM auth_heads WHERE rid = ?1",
	[Q_ID_DEL] = "DELETE FROM auth_ids WHERE rid = ?1",
	[Q_LINK_DEL] = "DELETE FROM auth_links WHERE rid = ?1",
	[Q_FIND_M] = "SELECT " HIT_COLS "WHERE h.mkey = ?1" HIT_FILTER "ORDER BY h.kind, r.id LIMIT ?4",
	[Q_FIND_O] = "SELECT " HIT_COLS "WHERE h.okey = ?1" HIT_FILTER "ORDER BY h.kind, r.id LIMIT ?4",
	[Q_FIND_S] = "SELECT " HIT_COLS "WHERE h.skey = ?1" HIT_FILTER "ORDER BY h.kind, r.id LIMIT ?4",
	[Q_FIND_D] = "SELECT " HIT_COLS "WHERE h.dkey = ?1" HIT_FILTER "ORDER BY h.kind, r.id LIMIT ?4",
	[Q_FIND_SP] = "SELECT " HIT_COLS "WHERE h.skey >= ?1 AND h.skey < ?5" HIT_FILTER
	              "ORDER BY h.skey, h.kind LIMIT ?4",
	[Q_BROWSE_FWD] = "SELECT " HIT_COLS "WHERE h.sortkey >= ?1" HIT_FILTER
	                 "ORDER BY h.sortkey, h.kind, r.id LIMIT ?4",
	[Q_BROWSE_BACK] = "SELECT " HIT_COLS "WHERE h.sortkey < ?1" HIT_FILTER
	                  "ORDER BY h.sortkey DESC, h.kind DESC, r.id DESC LIMIT ?4",
	[Q_RESOLVE] = "SELECT r.id FROM auth_ids i JOIN records r ON r.rid = i.rid "
	              "WHERE i.ctl = ?1 AND r.deleted = 0 ORDER BY r.rid LIMIT 1",
	[Q_USERS] = "SELECT DISTINCT r.id FROM auth_ids i JOIN auth_links l ON l.ctl = i.ctl "
	            "JOIN records r ON r.rid = l.rid WHERE i.rid = (SELECT rid FROM records "
	            "WHERE id = ?1) AND l.rid <> i.rid AND r.deleted = 0 ORDER BY r.id",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS auth_heads(rid INTEGER NOT NULL, type INTEGER NOT NULL,"
	" kind INTEGER NOT NULL, tag TEXT NOT NULL, heading TEXT NOT NULL, mkey TEXT NOT NULL,"
	" okey TEXT NOT NULL, skey TEXT NOT NULL, dkey TEXT, sortkey BLOB, ctl TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS auth_heads_m ON auth_heads(mkey);"
	"CREATE INDEX IF NOT EXISTS auth_heads_o ON auth_heads(okey);"
	"CREATE INDEX IF NOT EXISTS auth_heads_s ON auth_heads(skey);"
	"CREATE INDEX IF NOT EXISTS auth_heads_d ON auth_heads(dkey) WHERE dkey IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS auth_heads_sort ON auth_heads(sortkey);"
	"CREATE INDEX IF NOT EXISTS auth_heads_rid ON auth_heads(rid);"
	"CREATE TABLE IF NOT EXISTS auth_ids(ctl TEXT NOT NULL, rid INTEGER NOT NULL,"
	" PRIMARY KEY(ctl, rid)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS auth_ids_rid ON auth_ids(rid);"
	"CREATE TABLE IF NOT EXISTS auth_links(ctl TEXT NOT NULL, rid INTEGER NOT NULL,"
	" PRIMARY KEY(ctl, rid)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS auth_links_rid ON auth_links(rid);";

struct auth_idx {
	sqlite3 *db;
	int ok;                    /* the tables exist */
	sqlite3_stmt *q[Q_COUNT];
};

/* "WHAT: SQLite's message"; WHAT is an N_() phrase naming the step, translated
 * here (only when something failed); SQLite's message stays English. */
static int ax_err(struct auth_idx *ax, strbuf *err, const char *what)
{
	int code = sqlite3_errcode(ax->db);
	if (err && !store_say_disk_full(ax->db, err))
		sb_addf(err, "%s: %s", _(what), sqlite3_errmsg(ax->db));
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? CAT_BUSY :
	       code == SQLITE_READONLY ? CAT_READONLY : CAT_ERROR;
}

static sqlite3_stmt *q(struct auth_idx *ax, int i)
{
	if (!ax->q[i]) {
		if (sqlite3_prepare_v3(ax->db, qsql[i], -1, SQLITE_PREPARE_PERSISTENT, &ax->q[i],
		                       NULL) != SQLITE_OK)
			die("store-auth: cannot prepare statement %d: %s", i, sqlite3_errmsg(ax->db));
	} else {
		sqlite3_reset(ax->q[i]);
		sqlite3_clear_bindings(ax->q[i]);
	}
	return ax->q[i];
}

static void btext(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int step_done(struct auth_idx *ax, sqlite3_stmt *s, strbuf *err, const char *what)
{
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : ax_err(ax, err, what);
	sqlite3_reset(s);
	return rc;
}

static int add_id(struct auth_idx *ax, int which, const char *ctl, sqlite3_int64 rid, strbuf *err)
{
	while (*ctl == ' ')
		ctl++;
	size_t n = strlen(ctl);
	while (n && ctl[n - 1] == ' ')
		n--;
	if (!n)
		return CAT_OK;
	sqlite3_stmt *s = q(ax, which);
	sqlite3_bind_text(s, 1, ctl, (int)n, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, rid);
	return step_done(ax, s, err, N_("authority identifiers"));
}

/* The $0 values of field f go to auth_links. */
static int add_links(struct auth_idx *ax, const rec *r, size_t f, sqlite3_int64 rid, strbuf *err)
{
	int rc = CAT_OK;
	size_t ns = rec_nsub(r, f);
	for (size_t s = 0; s < ns && !rc; s++)
		if (rec_sub_code(r, f, s) == '0')
			rc = add_id(ax, Q_LINK_INS, rec_sub_value(r, f, s, NULL), rid, err);
	return rc;
}

static int index_authority(struct auth_idx *ax, sqlite3_int64 rid, const rec *r, strbuf *err)
{
	char *ctl = auth_control_number(r);
	int rc = CAT_OK;
	size_t nf = rec_nfields(r);
	strbuf sk = STRBUF_INIT;
	for (size_t f = 0; f < nf && !rc; f++) {
		if (rec_is_control(r, f))
			continue;
		const char *tag = rec_tag(r, f);
		if (!strcmp(tag, "035") || !strcmp(tag, "010")) {
			long s = rec_find_sub(r, f, 'a');
			if (s >= 0)
				rc = add_id(ax, Q_ID_INS, rec_sub_value(r, f, (size_t)s, NULL), rid, err);
			continue;
		}
		int kind;
		int type = auth_auth_type(tag, &kind);
		if (type < 0)
			continue;
		if (kind == AK_SEEALSO)
			rc = add_links(ax, r, f, rid, err);
		struct auth_keys k;
		if (rc || auth_field_keys(r, f, type, &k))
			continue;
		sb_reset(&sk);
		int havekey = coll_sort_key(k.display, &sk) == 0;
		sqlite3_stmt *s = q(ax, Q_HEAD_INS);
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_int(s, 2, type);
		sqlite3_bind_int(s, 3, kind);
		btext(s, 4, tag);
		btext(s, 5, k.display);
		btext(s, 6, k.mkey);
		btext(s, 7, k.okey);
		btext(s, 8, k.skey);
		btext(s, 9, k.dkey);
		if (havekey)
			sqlite3_bind_blob(s, 10, sk.buf, (int)sk.len, SQLITE_TRANSIENT);
		btext(s, 11, ctl);
		rc = step_done(ax, s, err, N_("authority headings"));
		auth_keys_release(&k);
	}
	sb_release(&sk);
	const char *id = rec_get_control(r, "001");
	if (!rc && id)
		rc = add_id(ax, Q_ID_INS, id, rid, err);
	if (!rc && ctl && id && strcmp(ctl, id))
		rc = add_id(ax, Q_ID_INS, ctl, rid, err);
	free(ctl);
	return rc;
}

int auth_idx_record(struct auth_idx *ax, sqlite3_int64 rid, const rec *r, int del, strbuf *err)
{
	if (!ax || !ax->ok)
		return CAT_OK;
	int rc = CAT_OK;
	if (del) {
		static const int dq[3] = { Q_HEAD_DEL, Q_ID_DEL, Q_LINK_DEL };
		for (int i = 0; i < 3 && !rc; i++) {
			sqlite3_stmt *s = q(ax, dq[i]);
			sqlite3_bind_int64(s, 1, rid);
			rc = step_done(ax, s, err, N_("authority index"));
		}
		return rc;
	}
	if (auth_is_authority(r))
		return index_authority(ax, rid, r, err);
	/* a bibliographic (or other) record: only its links */
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf && !rc; f++) {
		const char *tag = rec_tag(r, f);
		if (tag[0] != '1' && tag[0] != '6' && tag[0] != '7' && tag[0] != '8')
			continue;
		if (rec_is_control(r, f) || rec_find_sub(r, f, '0') < 0)
			continue;
		rc = add_links(ax, r, f, rid, err);
	}
	return rc;
}

static char *setting(sqlite3 *db, const char *key)
{
	sqlite3_stmt *s;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* Create the tables and index every live record (inside a transaction). */
static int build(struct auth_idx *ax, strbuf *err)
{
	if (sqlite3_exec(ax->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(ax->db, "DELETE FROM auth_heads; DELETE FROM auth_ids; DELETE FROM auth_links;",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return ax_err(ax, err, N_("creating the authority index"));
	ax->ok = 1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(ax->db, "SELECT rid, data FROM records WHERE deleted = 0", -1, &s,
	                       NULL) != SQLITE_OK)
		return ax_err(ax, err, N_("indexing authorities"));
	rec *r = rec_create();
	int rc = CAT_OK, step;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_decode(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1), r))
			continue;
		rc = auth_idx_record(ax, sqlite3_column_int64(s, 0), r, 0, err);
	}
	sqlite3_finalize(s);
	rec_destroy(r);
	if (!rc && sqlite3_exec(ax->db, "INSERT INTO settings(key, value) VALUES('auth_schema', '"
	                        AUTH_SCHEMA "') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                        NULL, NULL, NULL) != SQLITE_OK)
		rc = ax_err(ax, err, N_("authority index version"));
	return rc;
}

struct auth_idx *auth_idx_open(sqlite3 *db, int readonly, strbuf *err)
{
	struct auth_idx *ax = xcalloc(1, sizeof *ax);
	ax->db = db;
	char *v = setting(db, "auth_schema");
	ax->ok = v && !strcmp(v, AUTH_SCHEMA);
	free(v);
	if (ax->ok || readonly)
		return ax;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		ax_err(ax, err, N_("authority index"));
		auth_idx_close(ax);
		return NULL;
	}
	v = setting(db, "auth_schema");         /* another process may have won */
	int rc = v && !strcmp(v, AUTH_SCHEMA) ? (ax->ok = 1, CAT_OK) : build(ax, err);
	free(v);
	if (rc || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		if (!rc)
			ax_err(ax, err, N_("authority index"));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		auth_idx_close(ax);
		return NULL;
	}
	return ax;
}

void auth_idx_close(struct auth_idx *ax)
{
	if (!ax)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(ax->q[i]);
	free(ax);
}

/* ------------------------------------------------------------------ */
/* queries (auth.h) */

static struct auth_idx *idx_of(catalog *c, strbuf *err)
{
	struct auth_idx *ax = NULL;
	if (c && !strcmp(catalog_backend(c), "sqlite"))
		ax = store_auth_idx(catalog_be(c));
	if (!ax || !ax->ok) {
		if (err)
			sb_adds(err, ax ? _("this catalogue has no authority index yet (open it once "
			                    "read-write)") : _("authority control needs a local catalogue"));
		return NULL;
	}
	return ax;
}

void auth_hits_free(struct auth_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].id);
		free(h[i].ctl);
		free(h[i].heading);
		free(h[i].auth_heading);
	}
	free(h);
}

static char *coldup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

static int collect(struct auth_idx *ax, sqlite3_stmt *s, struct auth_hit **h, size_t *n,
                   size_t *cap, strbuf *err)
{
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*h = xrealloc(*h, *cap * sizeof **h);
		}
		struct auth_hit *x = &(*h)[(*n)++];
		x->id = coldup(s, 0);
		x->ctl = coldup(s, 1);
		x->type = sqlite3_column_int(s, 2);
		x->kind = sqlite3_column_int(s, 3);
		snprintf(x->tag, sizeof x->tag, "%s", (const char *)sqlite3_column_text(s, 4));
		x->heading = coldup(s, 5);
		x->auth_heading = coldup(s, 6);
	}
	int rc = step == SQLITE_DONE ? CAT_OK : ax_err(ax, err, N_("authority lookup"));
	sqlite3_reset(s);
	return rc;
}

int auth_find(catalog *c, int type, int keycol, const char *key, int kinds_mask,
              size_t max, struct auth_hit **h, size_t *n, strbuf *err)
{
	*h = NULL;
	*n = 0;
	struct auth_idx *ax = idx_of(c, err);
	if (!ax)
		return CAT_UNSUPPORTED;
	static const int which[] = { Q_FIND_M, Q_FIND_O, Q_FIND_S, Q_FIND_D, Q_FIND_SP };
	if (keycol < 0 || keycol > AKEY_SEARCH_PREFIX)
		return CAT_ERROR;
	sqlite3_stmt *s = q(ax, which[keycol]);
	btext(s, 1, key);
	sqlite3_bind_int(s, 2, type);
	sqlite3_bind_int(s, 3, kinds_mask);
	sqlite3_bind_int64(s, 4, max ? (sqlite3_int64)max : 500);
	strbuf hi = STRBUF_INIT;
	if (keycol == AKEY_SEARCH_PREFIX) {
		sb_adds(&hi, key);
		sb_addc(&hi, '\xff');
		sqlite3_bind_text(s, 5, hi.buf, (int)hi.len, SQLITE_TRANSIENT);
	}
	size_t cap = 0;
	int rc = collect(ax, s, h, n, &cap, err);
	sb_release(&hi);
	return rc;
}

int auth_browse(catalog *c, int type, const char *from, size_t back, size_t n,
                struct auth_hit **h, size_t *nh, size_t *before, strbuf *err)
{
	*h = NULL;
	*nh = 0;
	if (before)
		*before = 0;
	struct auth_idx *ax = idx_of(c, err);
	if (!ax)
		return CAT_UNSUPPORTED;
	strbuf key = STRBUF_INIT;
	if (from && *from)
		coll_sort_key(from, &key);
	size_t cap = 0;
	int rc = CAT_OK;
	if (back && key.len) {
		sqlite3_stmt *s = q(ax, Q_BROWSE_BACK);
		sqlite3_bind_blob(s, 1, key.buf, (int)key.len, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 2, type);
		sqlite3_bind_int(s, 3, 0);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)back);
		rc = collect(ax, s, h, nh, &cap, err);
		/* they came nearest first: reverse */
		for (size_t i = 0; i < *nh / 2; i++) {
			struct auth_hit t = (*h)[i];
			(*h)[i] = (*h)[*nh - 1 - i];
			(*h)[*nh - 1 - i] = t;
		}
		if (before)
			*before = *nh;
	}
	if (!rc) {
		sqlite3_stmt *s = q(ax, Q_BROWSE_FWD);
		sqlite3_bind_blob(s, 1, key.len ? key.buf : "", (int)key.len, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 2, type);
		sqlite3_bind_int(s, 3, 0);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)n);
		rc = collect(ax, s, h, nh, &cap, err);
	}
	sb_release(&key);
	return rc;
}

char *auth_resolve(catalog *c, const char *ctl)
{
	struct auth_idx *ax = idx_of(c, NULL);
	if (!ax || !ctl)
		return NULL;
	sqlite3_stmt *s = q(ax, Q_RESOLVE);
	btext(s, 1, ctl);
	char *id = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = coldup(s, 0);
	sqlite3_reset(s);
	return id;
}

int auth_users(catalog *c, const char *auth_id, char ***ids, size_t *n, strbuf *err)
{
	*ids = NULL;
	*n = 0;
	struct auth_idx *ax = idx_of(c, err);
	if (!ax)
		return CAT_UNSUPPORTED;
	sqlite3_stmt *s = q(ax, Q_USERS);
	btext(s, 1, auth_id);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = coldup(s, 0);
	}
	int rc = step == SQLITE_DONE ? CAT_OK : ax_err(ax, err, N_("authority users"));
	sqlite3_reset(s);
	return rc;
}

size_t auth_user_count(catalog *c, const char *auth_id)
{
	char **ids = NULL;
	size_t n = 0;
	strbuf e = STRBUF_INIT;
	if (auth_users(c, auth_id, &ids, &n, &e))
		n = 0;
	cat_ids_free(ids, n);
	sb_release(&e);
	return n;
}
