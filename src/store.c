/*
 * store.c - the local catalogue: one SQLite file shared by several
 * programs on one computer. All SQL of bienmuc lives here.
 *
 * Tables (schema version in PRAGMA user_version, migrations in migrate()):
 *   settings(key, value)          org code, id prefix, id counter, ICU version
 *   records(rid, id, version, deleted, year, tkey, akey, data, brief)
 *                                 the current version of every record;
 *                                 data = store_encode() (lossless, no limit);
 *                                 brief = "title TAB author TAB year TAB isbn"
 *                                 (cat_summary_of; schema 2, NULL in rows
 *                                 saved before)
 *   versions(rid, version, time, user, action, summary, batch, deleted, data)
 *                                 the journal: one row per version; data is
 *                                 NULL for the current version (it is in
 *                                 records) and holds every earlier one
 *   fts (FTS5, contentless)       title, author, subject, notes, publisher,
 *                                 series, fed with fold_search() text
 *   headings(hid, idx, key, heading)  browse headings, one row per heading
 *                                 (schema 5); key = ICU "vi" sort key
 *                                 (records.tkey/akey: the same keys, to sort hits)
 *   postings(hid, rid)            which records have each heading
 *                                 (schema 1-4 had heads(idx, key, rid,
 *                                 heading): one row per heading and record)
 *   hcounts(hid, n)               how many postings each heading has
 *                                 (schema 7), for the browse lists; from
 *                                 schema 8 only where n > 1: no row = 1
 *                                 (every heading has a posting; most call
 *                                 numbers have just one, and their rows
 *                                 were 5% of an import's writing)
 *   keys(key, rid)                match keys (matchkey.h)
 *   termdf(term, col, n)          live records per fts word and column
 *                                 (store-df.c; schema 4): one-word counts
 *   batches, batch_files          import batches and how far each input
 *                                 file got (for resuming)
 * A deleted record keeps its rows in records/versions but leaves every
 * index (fts, postings, keys).
 *
 * Concurrency: WAL, synchronous=NORMAL, BEGIN IMMEDIATE for every write,
 * a busy handler that waits (default 30 s). To keep one busy importer from
 * starving other writers, a process that is waiting for the write lock
 * holds a shared flock() on "DB-wait" and a writer that has just committed
 * takes (and drops) an exclusive one, i.e. lets the waiters in first.
 */
#define _GNU_SOURCE               /* F_OFD_SETLK (bulk loading's lock) */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "catalog.h"
#include "catalog-ops.h"
#include "store.h"
#include "collate.h"
#include "auth.h"
#include "charset.h"
#include "matchkey.h"
#include "rpn2sql.h"
#include "store-auth.h"           /* authority index (store-auth.c) */
#include "store-df.h"             /* word counts (store-df.c) */
#include "store-ckpt.h"           /* a bulk load's checkpoints (store-ckpt.c) */
#include "store-runs.h"           /* a bulk load's deferred headings (store-runs.c) */
#include "store-tok.h"            /* keyword words made ahead (store-tok.c) */
#include "bloom.h"                /* headings and keys certainly absent (bulk) */
#include "i18n-lower.h"           /* _(): errors are translated, except where the
                                    caller asked for English (server, lint --json) */

#include <pthread.h>
#include <sqlite3.h>
#include <yaz/xmalloc.h>
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup

#define APP_ID 0x424d4331           /* "BMC1" */
#define BUSY_TIMEOUT_MS 30000
/* Above this many hits, "relevance" order is newest first (see be_search). */
#define STORE_RANK_MAX 500
/* What makes the browse headings (record_heads); a catalogue made under
 * another rule gets its browse index made again at a read-write open.
 * 2: each 653 $a is a heading of its own (were joined into one). */
#define BROWSE_RULE "2"
/* the title and author sort indexes (dropped while a bulk import runs) */
#define SORT_INDEXES_SQL \
	"CREATE INDEX IF NOT EXISTS records_tkey ON records(tkey) WHERE deleted = 0;" \
	"CREATE INDEX IF NOT EXISTS records_akey ON records(akey) WHERE deleted = 0;"

enum { H_TITLE = 1, H_AUTHOR = 2, H_SUBJECT = 3, H_CALLNO = 4 };
#define NCOLS 6
#define NMK MK_NKINDS          /* kinds of match key (mk_kinds) */

/* ------------------------------------------------------------------ */
/* prepared statements, by number */
enum {
	S_GET_SETTING, S_SET_SETTING, S_NEXT_ID, S_REC_BY_ID, S_REC_INSERT,
	S_REC_UPDATE, S_VER_INSERT, S_VER_INSERT_N, S_VER_SETDATA, S_VER_GET, S_VER_LIST,
	S_FTS_INSERT, S_FTS_DELETE, S_HEAD_FIND, S_HEAD_NEW, S_HEAD_GC, S_POST_INSERT,
	S_POST_DELETE, S_KEY_INSERT, S_POST_INSERT_N, S_KEY_INSERT_N, S_HEAD_MAX, S_HEAD_ADD,
	S_HEAD_ADD_N,
	S_KEY_DELETE, S_KEY_MATCH, S_ID_EXISTS, S_ID_NEXT, S_BROWSE, S_BROWSE4, S_BATCH_START,
	S_BATCH_COUNTS, S_BFILE_SET, S_BFILE_RESUME, S_BATCH_STATE, S_BATCH_GET,
	S_BATCH_LIST, S_BATCH_RECS, S_VER_OTHERS, S_REC_BY_RID, S_SUMMARY,
	S_ID_BY_RID, S_BROWSE6, S_HCOUNT_ADD, S_HCOUNT_ADD_N, S_HCOUNT_SET, S_HCOUNT_DEC,
	S_HCOUNT_GC, S_BROWSE_BACK, S_BROWSE6_BACK, S_BROWSE4_BACK, S_COUNT
};

/* ROWS_N rows of two parameters, for the inserts of a flush (heads_flush,
 * keys_flush): one statement per row costs SQLite about as much again as
 * the row itself (reset, bindings, halt). Many rows a statement took a
 * fifth off the instructions of an import's writing thread. */
#define ROWS_N 32
#define ROWS2 "(?,?),(?,?)"
#define ROWS8 ROWS2 "," ROWS2 "," ROWS2 "," ROWS2
#define ROWS32 ROWS8 "," ROWS8 "," ROWS8 "," ROWS8
/* and HROWS_N rows of four (new headings) */
#define HROWS_N 16
#define HROWS4 "(?,?,?,?),(?,?,?,?),(?,?,?,?),(?,?,?,?)"
#define HROWS16 HROWS4 "," HROWS4 "," HROWS4 "," HROWS4
/* and JROWS_N journal rows of eight (journal_flush) */
#define JROWS_N 16
#define JROW "(?,?,?,?,?,?,?,?,NULL)"
#define JROWS4 JROW "," JROW "," JROW "," JROW
#define JROWS16 JROWS4 "," JROWS4 "," JROWS4 "," JROWS4

static const char *const sql_text[S_COUNT] = {
	[S_GET_SETTING] = "SELECT value FROM settings WHERE key = ?1",
	[S_SET_SETTING] = "INSERT INTO settings(key, value) VALUES(?1, ?2) "
	                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_NEXT_ID] = "UPDATE settings SET value = CAST(value AS INTEGER) + 1 "
	              "WHERE key = 'next_id' RETURNING CAST(value AS INTEGER) - 1",
	[S_REC_BY_ID] = "SELECT rid, version, deleted, data FROM records WHERE id = ?1",
	[S_REC_BY_RID] = "SELECT id, version, deleted, data FROM records WHERE rid = ?1",
	[S_REC_INSERT] = "INSERT INTO records(id, version, deleted, year, data, tkey, akey, brief) "
	                 "VALUES(?1, 1, 0, ?2, ?3, ?4, ?5, ?6)",
	[S_REC_UPDATE] = "UPDATE records SET version = ?2, deleted = ?3, year = ?4, data = ?5, "
	                 "tkey = ?6, akey = ?7, brief = ?8 WHERE rid = ?1",
	[S_SUMMARY] = "SELECT brief, data FROM records WHERE id = ?1",
	[S_ID_BY_RID] = "SELECT id FROM records WHERE rid = ?1 AND deleted = 0",
	/* each heading's number of postings (schema 7; heads_flush, posting),
	 * kept only where more than 1 (schema 8). Adding k postings to a
	 * heading binds k + 1 (the 1 a heading without a row has) if it was
	 * there before, k if it is new (and nothing if k is 1). */
	[S_HCOUNT_ADD] = "INSERT INTO hcounts(hid, n) VALUES(?1, ?2) "
	                 "ON CONFLICT(hid) DO UPDATE SET n = n + excluded.n - 1",
	[S_HCOUNT_ADD_N] = "INSERT INTO hcounts(hid, n) VALUES " ROWS32 " "
	                   "ON CONFLICT(hid) DO UPDATE SET n = n + excluded.n - 1",
	[S_HCOUNT_SET] = "INSERT OR REPLACE INTO hcounts(hid, n) "
	                 "SELECT ?1, count(*) FROM postings WHERE hid = ?1",
	[S_HCOUNT_DEC] = "UPDATE hcounts SET n = n - 1 WHERE hid = ?1",
	[S_HCOUNT_GC] = "DELETE FROM hcounts WHERE hid = ?1 AND n <= 1",
	[S_VER_INSERT] = "INSERT INTO versions(rid, version, time, user, action, summary, "
	                 "batch, deleted, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)",
	/* OR IGNORE: a statement of many rows that could stop halfway needs a
	 * statement journal, and opening one makes the fts table write out the
	 * words it holds in memory (as at a commit); journal_flush counts the
	 * rows instead */
	[S_VER_INSERT_N] = "INSERT OR IGNORE INTO versions(rid, version, time, user, action, summary, "
	                   "batch, deleted, data) VALUES " JROWS16,
	[S_VER_SETDATA] = "UPDATE versions SET data = ?3 WHERE rid = ?1 AND version = ?2",
	[S_VER_GET] = "SELECT time, user, action, summary, batch, deleted, data "
	              "FROM versions WHERE rid = ?1 AND version = ?2",
	[S_VER_LIST] = "SELECT version, time, user, action, summary, batch, deleted "
	               "FROM versions WHERE rid = ?1 ORDER BY version",
	[S_FTS_INSERT] = "INSERT INTO fts(rowid, title, author, subject, notes, publisher, "
	                 "series) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_FTS_DELETE] = "INSERT INTO fts(fts, rowid, title, author, subject, notes, "
	                 "publisher, series) VALUES('delete', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_HEAD_FIND] = "SELECT hid FROM headings WHERE idx = ?1 AND key = ?2",
	[S_HEAD_NEW] = "INSERT INTO headings(idx, key, heading) VALUES(?1, ?2, ?3)",
	[S_HEAD_GC] = "DELETE FROM headings WHERE hid = ?1 AND "
	              "NOT EXISTS (SELECT 1 FROM postings WHERE hid = ?1)",
	[S_POST_INSERT] = "INSERT OR IGNORE INTO postings(hid, rid) VALUES(?1, ?2)",
	[S_POST_DELETE] = "DELETE FROM postings WHERE hid = ?1 AND rid = ?2",
	[S_KEY_INSERT] = "INSERT OR IGNORE INTO keys(key, rid) VALUES(?1, ?2)",
	[S_HEAD_MAX] = "SELECT ifnull(max(hid), 0) FROM headings",
	[S_HEAD_ADD] = "INSERT INTO headings(hid, idx, key, heading) VALUES(?1, ?2, ?3, ?4)",
	[S_HEAD_ADD_N] = "INSERT INTO headings(hid, idx, key, heading) VALUES " HROWS16,
	[S_POST_INSERT_N] = "INSERT OR IGNORE INTO postings(hid, rid) VALUES " ROWS32,
	[S_KEY_INSERT_N] = "INSERT OR IGNORE INTO keys(key, rid) VALUES " ROWS32,
	[S_KEY_DELETE] = "DELETE FROM keys WHERE key = ?1 AND rid = ?2",
	[S_KEY_MATCH] = "SELECT r.id FROM keys k JOIN records r ON r.rid = k.rid "
	                "WHERE k.key = ?1 AND r.deleted = 0",
	[S_ID_EXISTS] = "SELECT 1 FROM records WHERE id = ?1",
	[S_ID_NEXT] = "SELECT id FROM records WHERE id >= ?1 ORDER BY id LIMIT 1",
	/* the counts kept in hcounts and the records table only for the id
	 * of each heading's first record: a page of 20 subjects of a
	 * 1,000,000-record catalogue took 3.4 s when every posting was joined
	 * to its record's row, 0.35 s counting the postings (S_BROWSE6) */
	[S_BROWSE] = "SELECT h.heading, ifnull(c.n, 1), r.id FROM headings h "
	             "LEFT JOIN hcounts c ON c.hid = h.hid "
	             "JOIN records r ON r.rid = (SELECT min(p.rid) FROM postings p "
	             "  WHERE p.hid = h.hid) "
	             "WHERE h.idx = ?1 AND h.key >= ?2 AND ifnull(c.n, 1) > 0 "
	             "ORDER BY h.idx, h.key LIMIT ?3",
	/* a schema 5 or 6 catalogue opened read-only (not upgraded) */
	[S_BROWSE6] = "SELECT x.heading, x.n, r.id FROM (SELECT h.heading AS heading, "
	              "count(*) AS n, min(p.rid) AS first, h.key AS k FROM headings h "
	              "JOIN postings p ON p.hid = h.hid WHERE h.idx = ?1 AND h.key >= ?2 "
	              "GROUP BY h.idx, h.key ORDER BY h.idx, h.key LIMIT ?3) x "
	              "JOIN records r ON r.rid = x.first ORDER BY x.k",
	/* a schema 4 catalogue opened read-only (not upgraded) */
	[S_BROWSE4] = "SELECT h.heading, count(*), min(r.id) FROM heads h "
	              "JOIN records r ON r.rid = h.rid WHERE h.idx = ?1 AND h.key >= ?2 "
	              "GROUP BY h.key ORDER BY h.key LIMIT ?3",
	/* the same three backwards: the ?3 headings before key ?2, nearest
	 * first (be_browse turns them round) */
	[S_BROWSE_BACK] = "SELECT h.heading, ifnull(c.n, 1), r.id FROM headings h "
	                  "LEFT JOIN hcounts c ON c.hid = h.hid "
	                  "JOIN records r ON r.rid = (SELECT min(p.rid) FROM postings p "
	                  "  WHERE p.hid = h.hid) "
	                  "WHERE h.idx = ?1 AND h.key < ?2 AND ifnull(c.n, 1) > 0 "
	                  "ORDER BY h.idx DESC, h.key DESC LIMIT ?3",
	[S_BROWSE6_BACK] = "SELECT x.heading, x.n, r.id FROM (SELECT h.heading AS heading, "
	                   "count(*) AS n, min(p.rid) AS first, h.key AS k FROM headings h "
	                   "JOIN postings p ON p.hid = h.hid WHERE h.idx = ?1 AND h.key < ?2 "
	                   "GROUP BY h.idx, h.key ORDER BY h.idx DESC, h.key DESC LIMIT ?3) x "
	                   "JOIN records r ON r.rid = x.first ORDER BY x.k DESC",
	[S_BROWSE4_BACK] = "SELECT h.heading, count(*), min(r.id) FROM heads h "
	                   "JOIN records r ON r.rid = h.rid WHERE h.idx = ?1 AND h.key < ?2 "
	                   "GROUP BY h.key ORDER BY h.key DESC LIMIT ?3",
	[S_BATCH_START] = "INSERT INTO batches(started, user, command, state, added, replaced, "
	                  "merged, skipped, rejected) VALUES(?1, ?2, ?3, 'running', 0, 0, 0, 0, 0)",
	[S_BATCH_COUNTS] = "UPDATE batches SET added = ?2, replaced = ?3, merged = ?4, "
	                   "skipped = ?5, rejected = ?6 WHERE id = ?1",
	[S_BFILE_SET] = "INSERT INTO batch_files(batch, filekey, recno, offset, done) "
	                "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(batch, filekey) DO UPDATE "
	                "SET recno = excluded.recno, offset = excluded.offset, done = excluded.done",
	[S_BFILE_RESUME] = "SELECT f.batch, f.recno, f.offset, f.done FROM batch_files f "
	                   "JOIN batches b ON b.id = f.batch WHERE f.filekey = ?1 "
	                   "AND b.state <> 'undone' ORDER BY f.batch DESC LIMIT 1",
	[S_BATCH_STATE] = "UPDATE batches SET state = ?2 WHERE id = ?1",
	[S_BATCH_GET] = "SELECT id, started, user, command, state, added, replaced, merged, "
	                "skipped, rejected FROM batches WHERE id = ?1",
	[S_BATCH_LIST] = "SELECT id, started, user, command, state, added, replaced, merged, "
	                 "skipped, rejected FROM batches ORDER BY id",
	[S_BATCH_RECS] = "SELECT rid, min(version), max(version) FROM versions WHERE batch = ?1 "
	                 "GROUP BY rid ORDER BY rid",
	/* versions of a record after ?2 that are neither an undo nor part of
	 * a batch that was undone */
	[S_VER_OTHERS] = "SELECT count(*) FROM versions WHERE rid = ?1 AND version > ?2 "
	                 "AND action <> 'undo' AND (batch IS NULL OR batch NOT IN "
	                 "(SELECT id FROM batches WHERE state IN ('undone', 'partly undone')))",
};

/* Open addressing over the indexes 0, 1, 2 ... of an array the caller
 * keeps (the pending browse headings, the pending match keys): each index
 * is added once, in order, with its entry's hash; a lookup walks the
 * indexes with that hash and the caller compares the entries. Kept under
 * half full. (Slots holding the hash as well saved little and took 2 MB
 * more of an import's memory.) */
struct ixhash {
	uint32_t *slot;            /* index + 1, 0 = empty */
	size_t nslot;              /* a power of 2; 0 = nothing added yet */
	uint32_t *hash;            /* hash[i]: of index i */
	size_t n, cap;
};

static void ixhash_place(struct ixhash *t, size_t i)
{
	size_t m = t->nslot - 1;
	for (size_t j = t->hash[i] & m;; j = (j + 1) & m)
		if (!t->slot[j]) {
			t->slot[j] = (uint32_t)i + 1;
			return;
		}
}

/* Add the next index (t->n) with hash h. */
static void ixhash_add(struct ixhash *t, uint32_t h)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->hash = xrealloc(t->hash, t->cap * sizeof *t->hash);
	}
	t->hash[t->n++] = h;
	if (2 * t->n > t->nslot) {
		free(t->slot);
		t->nslot = t->nslot ? 2 * t->nslot : 4096;
		t->slot = xcalloc(t->nslot, sizeof *t->slot);
		for (size_t i = 0; i < t->n; i++)
			ixhash_place(t, i);
	} else {
		ixhash_place(t, t->n - 1);
	}
}

/* The next index added with hash h, walking from probe position *pos
 * (start it at h); SIZE_MAX when there is none. */
static size_t ixhash_find(const struct ixhash *t, uint32_t h, size_t *pos)
{
	if (!t->nslot)
		return SIZE_MAX;
	size_t m = t->nslot - 1;
	for (; t->slot[*pos & m]; (*pos)++) {
		size_t i = t->slot[*pos & m] - 1;
		if (t->hash[i] == h) {
			(*pos)++;
			return i;
		}
	}
	return SIZE_MAX;
}

static void ixhash_free(struct ixhash *t)
{
	free(t->slot);
	free(t->hash);
	memset(t, 0, sizeof *t);
}

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int in_tx;                 /* inside catalog_begin ... commit */
	sqlite3_stmt *st[S_COUNT];
	char *org;                 /* 003 */
	char *prefix;              /* id prefix */
	char user[64];
	long long next_id;         /* inside catalog_begin: cached counter, 0 = not read */
	int next_id_dirty;
	bloom *hf, *kf;            /* bulk: headings, match keys the catalogue lacks (absent_start) */
	long long dv;              /* ... valid while PRAGMA data_version is this */
	char *id_from, *id_taken;  /* ... and no record has an id in [id_from, id_taken)
	                            * (id_taken NULL: none from id_from on); id_from
	                            * NULL = not known (id_free) */
	int wait_fd;               /* DB-wait, for fair write locking */
	int wait_sh;               /* holding a shared lock on it */
	int bulk;                  /* this handle suspended the sort indexes (bulk loading) */
	store_ckpt *ckpt;          /* bulk: checkpoints on another thread, or NULL */
	struct auth_idx *auth;     /* authority heading index (store-auth.c) */
	struct fold_memo *fold;    /* fold_text()'s memo, NULL until needed */
	int schema;                /* user_version (1 only when opened read-only) */
	sqlite3_int64 hnew;        /* heads_flush: the first hid it made */
	struct pend_head *ph;      /* browse headings waiting for the commit (heads_flush), */
	size_t nph, cph;           /* each once */
	struct ixhash phx;         /* over ph */
	arena *pha;                /* their keys and texts (NULL until needed) */
	struct post *pr;           /* their records: (index in ph, rid) until the flush */
	size_t npr, cpr;
	struct pendset *dp;        /* bulk: headings of records added, waiting for the
	                            * commit to go to runs (heads_spill), NULL before */
	hruns *runs;               /* ... the runs (NULL: headings go in directly) */
	sqlite3_int64 defer_from;  /* ... the largest rid before the load */
	int adding;                /* add_locked is indexing a new record */
	struct pend_key *pk;       /* match keys waiting for the commit (keys_flush) */
	size_t npk, cpk;
	struct ixhash pkx;         /* over pk */
	arena *pka;                /* their strings (NULL until needed) */
	struct pend_ver *pv;       /* journal rows waiting (journal_flush), in order */
	size_t npv, cpv;
	arena *pva;                /* their strings (NULL until needed) */
	struct termdf *df;         /* word counts (schema 4), NULL before */
	struct kwtok_hook *kwh;    /* the fts tokenizer's override (store-tok.h) */
	struct kwtok_fns kwf;      /* the real one */
	struct skmemo *skm;        /* recent headings' sort keys (sort_key_memo) */
};
static int heads_flush(struct store *st, strbuf *err);
static void heads_drop(struct store *st);
static int heads_spill(struct store *st, strbuf *err);
static void deferred_drop(struct store *st);
static void deferred_free(struct store *st);
static int keys_flush(struct store *st, strbuf *err);
static void keys_drop(struct store *st);
static int journal_flush(struct store *st, strbuf *err);
static void journal_drop(struct store *st);
static void skmemo_free(struct skmemo **skm);
static int sort_indexes_restore(struct store *st, int announce, strbuf *err);
static int be_bulk_end(void *be, strbuf *err);

/* ------------------------------------------------------------------ */
/* serialisation: 'B' 1, leader[24], varint nfields, then per field:
 * tag[3], kind (0 control, 1 data); control: varint len, bytes;
 * data: ind1, ind2, varint nsub, per subfield: code, varint len, bytes */

/* v as a varint at p (at most 10 bytes); returns the byte after it. */
static unsigned char *put_varint(unsigned char *p, size_t v)
{
	do {
		unsigned char b = v & 0x7f;
		v >>= 7;
		if (v)
			b |= 0x80;
		*p++ = b;
	} while (v);
	return p;
}

static int get_varint(const unsigned char **p, const unsigned char *end, size_t *v)
{
	size_t r = 0;
	int shift = 0;
	while (*p < end && shift < 63) {
		unsigned char b = *(*p)++;
		r |= (size_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

void store_encode(const rec *r, strbuf *out)
{
	/* room for the worst case first (varints of 10 bytes), then the
	 * bytes written in place: a save's encoding cost half as much */
	size_t nf = rec_nfields(r), need = 2 + REC_LEADER_LEN + 10;
	for (size_t f = 0; f < nf; f++) {
		if (rec_is_control(r, f)) {
			size_t len;
			rec_data(r, f, &len);
			need += 4 + 10 + len;
		} else {
			size_t ns = rec_nsub(r, f);
			need += 6 + 10;
			for (size_t s = 0; s < ns; s++) {
				size_t len;
				rec_sub_value(r, f, s, &len);
				need += 1 + 10 + len;
			}
		}
	}
	sb_grow(out, need);
	unsigned char *p = (unsigned char *)out->buf + out->len;
	*p++ = 'B';
	*p++ = 1;
	memcpy(p, rec_leader(r), REC_LEADER_LEN);
	p += REC_LEADER_LEN;
	p = put_varint(p, nf);
	for (size_t f = 0; f < nf; f++) {
		memcpy(p, rec_tag(r, f), 3);
		p += 3;
		if (rec_is_control(r, f)) {
			size_t len;
			const char *d = rec_data(r, f, &len);
			*p++ = 0;
			p = put_varint(p, len);
			if (len)
				memcpy(p, d, len);
			p += len;
		} else {
			size_t ns = rec_nsub(r, f);
			*p++ = 1;
			*p++ = (unsigned char)rec_ind(r, f, 1);
			*p++ = (unsigned char)rec_ind(r, f, 2);
			p = put_varint(p, ns);
			for (size_t s = 0; s < ns; s++) {
				size_t len;
				const char *v = rec_sub_value(r, f, s, &len);
				*p++ = (unsigned char)rec_sub_code(r, f, s);
				p = put_varint(p, len);
				if (len)
					memcpy(p, v, len);
				p += len;
			}
		}
	}
	out->len = (size_t)(p - (unsigned char *)out->buf);
	out->buf[out->len] = 0;
}

int store_decode(const void *data, size_t len, rec *r)
{
	const unsigned char *p = data, *end = p + len;
	rec_clear(r);
	if (len < 2 + REC_LEADER_LEN || p[0] != 'B' || p[1] != 1)
		return -1;
	p += 2;
	rec_set_leader(r, (const char *)p, REC_LEADER_LEN);
	p += REC_LEADER_LEN;
	size_t nf;
	if (get_varint(&p, end, &nf))
		return -1;
	for (size_t f = 0; f < nf; f++) {
		if (end - p < 4)
			return -1;
		char tag[4] = { (char)p[0], (char)p[1], (char)p[2], 0 };
		int kind = p[3];
		p += 4;
		size_t n;
		if (kind == 0) {
			if (get_varint(&p, end, &n) || (size_t)(end - p) < n)
				return -1;
			rec_add_control(r, tag, (const char *)p, n);
			p += n;
		} else {
			if (end - p < 2)
				return -1;
			size_t fi = rec_add_field(r, tag, (char)p[0], (char)p[1]);
			p += 2;
			size_t ns;
			if (get_varint(&p, end, &ns))
				return -1;
			for (size_t s = 0; s < ns; s++) {
				if (p >= end)
					return -1;
				char code = (char)*p++;
				if (get_varint(&p, end, &n) || (size_t)(end - p) < n)
					return -1;
				rec_add_sub(r, fi, code, (const char *)p, n);
				p += n;
			}
		}
	}
	return p == end ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* what gets indexed */

/* Append the subfields of field f whose code is in codes (NULL = letters)
 * to out, separated by sep. */
static void add_subs(const rec *r, size_t f, const char *codes, const char *sep, strbuf *out)
{
	size_t ns = rec_nsub(r, f);
	for (size_t s = 0; s < ns; s++) {
		char c = rec_sub_code(r, f, s);
		if (codes ? !strchr(codes, c) : !(c >= 'a' && c <= 'z'))
			continue;
		size_t len;
		const char *v = rec_sub_value(r, f, s, &len);
		if (out->len)
			sb_adds(out, sep);
		sb_add(out, v, len);
	}
}

static int tag_in(const char *tag, const char *const *list)
{
	for (; *list; list++) {
		const char *p = *list;
		if ((p[0] == '.' || p[0] == tag[0]) && (p[1] == '.' || p[1] == tag[1]) &&
		    (p[2] == '.' || p[2] == tag[2]))
			return 1;
	}
	return 0;
}

struct colspec {
	const char *const tags[12];
	const char *codes;           /* NULL = all letters */
};

static const struct colspec columns[NCOLS] = {
	{ { "245", "246", "240", "130", "730", "740", "210", "242", NULL }, "abfgknps" },
	{ { "100", "110", "111", "700", "710", "711", "720", "800", "810", "811", NULL }, "abcdgnq" },
	{ { "6..", NULL }, "abcdgkmnoprstvxyz" },
	{ { "5..", NULL }, NULL },
	{ { "260", "264", NULL }, "ab" },
	{ { "440", "490", "800", "810", "811", "830", NULL }, "atv" },
};

/* col_tags[t]: bit c set when tag t (000-999) is one of columns[c]'s
 * (tag_in for every field and column was 5% of an import's reading) */
static unsigned char col_tags[1000];
static pthread_once_t col_tags_once = PTHREAD_ONCE_INIT;

static void col_tags_init(void)
{
	for (int t = 0; t < 1000; t++) {
		char tag[4] = { (char)('0' + t / 100), (char)('0' + t / 10 % 10), (char)('0' + t % 10), 0 };
		for (int c = 0; c < NCOLS; c++)
			if (tag_in(tag, columns[c].tags))
				col_tags[t] |= (unsigned char)(1u << c);
	}
}

static int tag_in_column(const char *tag, int col)
{
	if (tag[0] >= '0' && tag[0] <= '9' && tag[1] >= '0' && tag[1] <= '9' &&
	    tag[2] >= '0' && tag[2] <= '9' && !tag[3]) {
		pthread_once(&col_tags_once, col_tags_init);
		return col_tags[(tag[0] - '0') * 100 + (tag[1] - '0') * 10 + (tag[2] - '0')] >> col & 1;
	}
	return tag_in(tag, columns[col].tags);
}

/* The raw (unfolded) text of column col, appended to sb. */
static void column_text(const rec *r, int col, strbuf *sb)
{
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		if (rec_is_control(r, f) || !tag_in_column(rec_tag(r, f), col))
			continue;
		if (col == 1 && rec_tag(r, f)[0] == '8' && !rec_find_sub(r, f, 'a'))
			continue;
		size_t mark = sb->len;
		if (sb->len)
			sb_adds(sb, " ; ");
		size_t at = sb->len;           /* this field's text (as add_subs makes it) */
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			char c = rec_sub_code(r, f, s);
			if (columns[col].codes ? !strchr(columns[col].codes, c) : !(c >= 'a' && c <= 'z'))
				continue;
			size_t len;
			const char *v = rec_sub_value(r, f, s, &len);
			if (sb->len > at)
				sb_addc(sb, ' ');
			sb_add(sb, v, len);
		}
		if (sb->len == at) {
			sb->len = mark;             /* nothing from this field */
			if (sb->buf)
				sb->buf[mark] = 0;
		}
	}
}

static char *column_text_raw(const rec *r, int col)
{
	strbuf sb = STRBUF_INIT;
	column_text(r, col, &sb);
	return sb_detach(&sb, NULL);
}

/* Fast fold_search() for indexing. ASCII is lowercased inline; other
 * code points in "simple" scripts (below U+0590: Latin, IPA, Greek,
 * Cyrillic, combining marks; U+1D00-U+206F: Vietnamese, Latin extended,
 * Greek extended, punctuation) come from a memo of fold_search() on the
 * code point alone. That equals folding the whole text because there,
 * after marks are stripped, no two characters compose (only a base with a
 * mark does). Anything else (or invalid UTF-8, or a fold longer than the
 * memo holds) falls back to fold_search() of the whole text, so the result
 * is always exactly fold_search()'s ("" where that fails). t-store checks
 * it code point by code point and on random texts. */
#define FOLD_MEMO_N 0x2070
struct fold_memo {
	unsigned char len;       /* 0 = not known yet, 0xFF = use fold_search */
	char b[7];
};

static int fold_simple(uint32_t c)
{
	return c < 0x590 || (c >= 0x1D00 && c < FOLD_MEMO_N);
}

static void fold_text(struct fold_memo **memo, const char *s, size_t n, strbuf *out)
{
	size_t start = out->len;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	sb_grow(out, n + 8);
	while (p < end) {
		if (*p < 0x80) {
			if (out->len + 1 >= out->cap)
				sb_grow(out, 64);
			unsigned char c = *p++;
			out->buf[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			continue;
		}
		uint32_t c;
		size_t k;
		if ((*p & 0xE0) == 0xC0 && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
			c = (uint32_t)(*p & 0x1F) << 6 | (p[1] & 0x3F);
			k = 2;
			if (c < 0x80)
				goto slow;
		} else if ((*p & 0xF0) == 0xE0 && end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
		           (p[2] & 0xC0) == 0x80) {
			c = (uint32_t)(*p & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			k = 3;
			if (c < 0x800)
				goto slow;
		} else {
			goto slow;
		}
		if (!fold_simple(c))
			goto slow;
		if (!*memo)
			*memo = xcalloc(FOLD_MEMO_N, sizeof **memo);
		struct fold_memo *m = &(*memo)[c];
		if (!m->len) {
			char *f = fold_search((const char *)p, k);
			size_t fl = f ? strlen(f) : 0;
			if (f && fl < sizeof m->b) {
				memcpy(m->b, f, fl);
				m->len = (unsigned char)(fl + 1);
			} else {
				m->len = 0xFF;
			}
			free(f);
		}
		if (m->len == 0xFF)
			goto slow;
		if (out->len + m->len >= out->cap)
			sb_grow(out, 64);
		memcpy(out->buf + out->len, m->b, (size_t)m->len - 1);
		out->len += (size_t)m->len - 1;
		p += k;
	}
	out->buf[out->len] = 0;
	return;
slow:
	out->len = start;
	out->buf[out->len] = 0;
	char *f = fold_search(s, n);
	if (f)
		sb_adds(out, f);
	free(f);
}

char *store_index_text(const rec *r, int column)
{
	char *raw = column_text_raw(r, column);
	char *f = fold_search(raw ? raw : "", raw ? strlen(raw) : 0);
	free(raw);
	return f ? f : xstrdup("");
}

char *store_fold_fast(const char *s, size_t n)
{
	struct fold_memo *memo = NULL;
	strbuf out = STRBUF_INIT;
	fold_text(&memo, s, n, &out);
	free(memo);
	return sb_detach(&out, NULL);
}

int store_record_year(const rec *r)
{
	size_t len;
	if (auth_is_authority(r))
		return 0;                 /* 008/07-10 is not a date there */
	long f008 = rec_find(r, "008", 0);
	if (f008 >= 0) {
		const char *d = rec_data(r, (size_t)f008, &len);
		if (d && len >= 11) {
			long y = parse_digits(d + 7, 4);
			if (y >= 500 && y <= 2999)
				return (int)y;
		}
	}
	const char *tags[] = { "260", "264" };
	for (int t = 0; t < 2; t++) {
		for (long f = rec_find(r, tags[t], 0); f >= 0; f = rec_find(r, tags[t], (size_t)f + 1)) {
			long s = rec_find_sub(r, (size_t)f, 'c');
			if (s < 0)
				continue;
			const char *v = rec_sub_value(r, (size_t)f, (size_t)s, &len);
			for (size_t i = 0; i + 4 <= len; i++) {
				if (isdigit((unsigned char)v[i]) && (i == 0 || !isdigit((unsigned char)v[i - 1]))) {
					long y = parse_digits(v + i, 4);
					if (y >= 500 && y <= 2999 &&
					    (i + 4 == len || !isdigit((unsigned char)v[i + 4])))
						return (int)y;
				}
			}
		}
	}
	return 0;
}

/* Trim blanks and ISBD punctuation at the end of a heading. */
static void trim_heading(strbuf *sb)
{
	while (sb->len && strchr(" /:;,=", sb->buf[sb->len - 1]))
		sb->buf[--sb->len] = 0;
	if (sb->len > 1 && sb->buf[sb->len - 1] == '.' && sb->buf[sb->len - 2] != '.') {
		/* keep the full stop of an initial ("Smith, J.") */
		int initial = sb->len >= 3 && isupper((unsigned char)sb->buf[sb->len - 2]) &&
		              (sb->buf[sb->len - 3] == ' ' || sb->buf[sb->len - 3] == '.');
		if (!initial)
			sb->buf[--sb->len] = 0;
	}
	size_t i = 0;
	while (i < sb->len && sb->buf[i] == ' ')
		i++;
	if (i) {
		memmove(sb->buf, sb->buf + i, sb->len - i + 1);
		sb->len -= i;
	}
}

struct head {
	int idx;
	char *text;        /* heading as shown */
	size_t skip;       /* bytes of nonfiling characters */
};

struct heads {
	struct head *v;
	size_t n, cap;
};

static void heads_add(struct heads *h, int idx, strbuf *text, size_t skip)
{
	trim_heading(text);
	if (!text->len)
		return;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].idx == idx && !strcmp(h->v[i].text, text->buf))
			return;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n].idx = idx;
	h->v[h->n].skip = skip < text->len ? skip : 0;
	h->v[h->n++].text = xstrdup(text->buf);
}

static void heads_release(struct heads *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].text);
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static void record_heads(const rec *r, struct heads *h)
{
	static const char *const author_tags[] = { "100", "110", "111", "700", "710", "711", NULL };
	static const char *const subj_tags[] = { "600", "610", "611", "630", "648", "650", "651",
	                                         "654", "655", "656", "657", NULL };
	static const char *const call_tags[] = { "090", "050", "082", "084", "092", "099", "852", NULL };
	size_t nf = rec_nfields(r);
	strbuf sb = STRBUF_INIT;
	for (size_t f = 0; f < nf; f++) {
		if (rec_is_control(r, f))
			continue;
		const char *tag = rec_tag(r, f);
		sb_reset(&sb);
		if (!strcmp(tag, "245")) {
			add_subs(r, f, "abnp", " ", &sb);
			char i2 = rec_ind(r, f, 2);
			heads_add(h, H_TITLE, &sb, i2 >= '1' && i2 <= '9' ? (size_t)(i2 - '0') : 0);
		} else if (tag_in(tag, author_tags)) {
			add_subs(r, f, tag[2] == '1' ? "acdenq" : "abcdq", " ", &sb);
			heads_add(h, H_AUTHOR, &sb, 0);
		} else if (!strcmp(tag, "653")) {
			/* uncontrolled terms: each $a is a term of its own */
			size_t ns = rec_nsub(r, f);
			for (size_t s = 0; s < ns; s++) {
				if (rec_sub_code(r, f, s) != 'a')
					continue;
				size_t len;
				const char *v = rec_sub_value(r, f, s, &len);
				sb_reset(&sb);
				sb_add(&sb, v, len);
				heads_add(h, H_SUBJECT, &sb, 0);
			}
		} else if (tag_in(tag, subj_tags)) {
			size_t ns = rec_nsub(r, f);
			for (size_t s = 0; s < ns; s++) {
				char c = rec_sub_code(r, f, s);
				if (!(c >= 'a' && c <= 'z'))
					continue;
				size_t len;
				const char *v = rec_sub_value(r, f, s, &len);
				if (sb.len) {
					if (strchr("vxyz", c)) {
						trim_heading(&sb);
						sb_adds(&sb, " -- ");
					} else {
						sb_addc(&sb, ' ');
					}
				}
				sb_add(&sb, v, len);
			}
			heads_add(h, H_SUBJECT, &sb, 0);
		} else if (tag_in(tag, call_tags)) {
			add_subs(r, f, !strcmp(tag, "852") ? "hij" : "ab", " ", &sb);
			heads_add(h, H_CALLNO, &sb, 0);
		}
	}
	sb_release(&sb);
}

/* ------------------------------------------------------------------ */
/* collation */

int store_sort_key(const char *text, strbuf *out)
{
	return coll_sort_key(text, out);
}

/* ------------------------------------------------------------------ */
/* SQL helpers */

/* The last SQLite error was a full disk. */
static int disk_full(sqlite3 *db)
{
	int code = sqlite3_extended_errcode(db) & 0xff;
	int sys = sqlite3_system_errno(db);
	return code == SQLITE_FULL || (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT));
}

static void say_disk_full(strbuf *err)
{
	sb_adds(err, _("the disk holding the catalogue is full: this change was not saved "
	               "(free some space, then run the command again)"));
}

int store_say_disk_full(sqlite3 *db, strbuf *err)
{
	if (!disk_full(db))
		return 0;
	if (err)
		say_disk_full(err);
	return 1;
}

/* A catalogue file that SQLite finds damaged (a disk fault, a copy cut
 * short): say so plainly, with the step and SQLite's words. */
static void say_damaged(const char *path, const char *what, sqlite3 *db, strbuf *err)
{
	sb_addf(err, _("the catalogue '%s' is damaged (%s%s%s): keep a copy of the file as it "
	               "is and restore the catalogue from a backup"),
	        path, what, *what ? ": " : "", sqlite3_errmsg(db));
}

/* The error of the last SQLite call, as "WHAT: SQLite's message". WHAT
 * names the step (a translated phrase at the call sites: "saving a record"
 * becomes "lưu biểu ghi"); SQLite's own message stays English. exec()
 * passes its SQL instead, which is never translated. A full disk and a
 * damaged file are said in plain words instead. */
static int db_err(struct store *st, strbuf *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	int rc = CAT_ERROR;
	strbuf none = STRBUF_INIT;
	if (!err)		/* a cleanup step (ROLLBACK) whose message nobody reads */
		err = &none;
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
		sb_addf(err, _("the catalogue is busy: another program kept it locked for more than %d s"),
		        BUSY_TIMEOUT_MS / 1000);
		rc = CAT_BUSY;
	} else if ((code & 0xff) == SQLITE_READONLY) {
		sb_addf(err, _("the catalogue '%s' is read-only"), st->path);
		rc = CAT_READONLY;
	} else if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
		say_damaged(st->path, what, st->db, err);
	} else if (!store_say_disk_full(st->db, err)) {
		sb_addf(err, "%s: %s", what, sqlite3_errmsg(st->db));
	}
	sb_release(&none);
	return rc;
}

/* the statements that read or change rows of versions: the journal rows
 * waiting go in first (journal_flush) */
static const unsigned char reads_versions[S_COUNT] = {
	[S_VER_SETDATA] = 1, [S_VER_GET] = 1, [S_VER_LIST] = 1, [S_BATCH_RECS] = 1,
	[S_VER_OTHERS] = 1,
};

/* the statements whose every parameter is bound at each use: stmt()
 * leaves their old bindings (clearing 64-128 of them each time cost an
 * import's writing thread 1%) */
static const unsigned char binds_all[S_COUNT] = {
	[S_HCOUNT_ADD_N] = 1, [S_HEAD_ADD_N] = 1, [S_POST_INSERT_N] = 1, [S_KEY_INSERT_N] = 1,
	[S_VER_INSERT_N] = 1, [S_VER_INSERT] = 1, [S_REC_INSERT] = 1,
};

static sqlite3_stmt *stmt(struct store *st, int i)
{
	/* an error is the transaction's: the caller's next write or the
	 * commit (which flushes again) reports it */
	if (st->npv && reads_versions[i])
		journal_flush(st, NULL);
	if (!st->st[i]) {
		if (sqlite3_prepare_v3(st->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &st->st[i], NULL) != SQLITE_OK)
			die("store: cannot prepare statement %d: %s", i, sqlite3_errmsg(st->db));
	} else {
		sqlite3_reset(st->st[i]);
		if (!binds_all[i])
			sqlite3_clear_bindings(st->st[i]);
	}
	return st->st[i];
}

static int exec(struct store *st, const char *sql, strbuf *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = db_err(st, err, sql);
		sqlite3_free(msg);
		return rc;
	}
	return CAT_OK;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static char *col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

static char *get_setting(struct store *st, const char *key)
{
	sqlite3_stmt *s = stmt(st, S_GET_SETTING);
	bind_text(s, 1, key);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = col_strdup(s, 0);
	sqlite3_reset(s);
	return v;
}

static int set_setting(struct store *st, const char *key, const char *value, strbuf *err)
{
	sqlite3_stmt *s = stmt(st, S_SET_SETTING);
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_err(st, err, _("saving a setting"));
	sqlite3_reset(s);
	return rc;
}

/* The journal's time, UTC. Formatted once a second per thread: an
 * import stamps thousands of versions a second. */
static void now_text(char buf[24])
{
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char text[24];
	time_t t = time(NULL);
	if (t != last) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
		last = t;
	}
	memcpy(buf, text, sizeof text);
}

/* ------------------------------------------------------------------ */
/* fair write locking (see the top of the file) */

static const int busy_delays[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };

static int busy_handler(void *p, int count)
{
	struct store *st = p;
	if (count == 0 && st->wait_fd >= 0 && !st->wait_sh) {
		if (flock(st->wait_fd, LOCK_SH) == 0)
			st->wait_sh = 1;
	}
	int n = (int)(sizeof busy_delays / sizeof *busy_delays);
	long total = 0;
	for (int i = 0; i < count && i < n; i++)
		total += busy_delays[i];
	if (count >= n)
		total += (long)(count - n) * 100;
	if (total >= BUSY_TIMEOUT_MS)
		return 0;
	int d = count < n ? busy_delays[count] : 100;
	usleep((useconds_t)d * 1000);
	return 1;
}

static void wait_release(struct store *st)
{
	if (st->wait_sh) {
		flock(st->wait_fd, LOCK_UN);
		st->wait_sh = 0;
	}
}

/* After a commit: let processes that are waiting for the lock go first. */
static void let_waiters_in(struct store *st)
{
	if (st->wait_fd < 0)
		return;
	if (flock(st->wait_fd, LOCK_EX | LOCK_NB) == 0) {
		flock(st->wait_fd, LOCK_UN);
		return;
	}
	flock(st->wait_fd, LOCK_EX);
	flock(st->wait_fd, LOCK_UN);
}

/* Is another process waiting for the write lock (holding a shared lock
 * on DB-wait, see busy_handler)? 1, 0, or -1 (no DB-wait file). */
static int be_waiters(void *be)
{
	struct store *st = be;
	if (st->wait_fd < 0 || st->wait_sh)
		return -1;
	if (flock(st->wait_fd, LOCK_EX | LOCK_NB) == 0) {
		flock(st->wait_fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/* ------------------------------------------------------------------ */
/* During a bulk load (be_bulk_begin): which browse headings and match
 * keys the catalogue certainly lacks. Most records of a load bring new
 * ones (a call number, an ISBN), and looking each up to find nothing was
 * ~6% of the writing thread. A Bloom filter each (bloom.h) holds every
 * heading and key the tables had when the load began and every one this
 * handle has added since; rows deleted stay in it (a "maybe" only costs
 * the lookup), and so do rows rolled back. Another program's commit would
 * add rows it does not know: the filters are dropped when PRAGMA
 * data_version says one happened (checked as each write transaction
 * begins, under the write lock). */

static long long data_version(struct store *st)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void absent_stop(struct store *st)
{
	bloom_destroy(st->hf);
	bloom_destroy(st->kf);
	st->hf = st->kf = NULL;
}

/* Drop the filters if another connection has committed since they were
 * made (inside a write transaction). */
static void absent_check(struct store *st)
{
	if ((st->hf || st->kf) && data_version(st) != st->dv)
		absent_stop(st);
}

static int wbegin(struct store *st, strbuf *err)
{
	if (st->readonly) {
		sb_addf(err, _("the catalogue '%s' is open read-only"), st->path);
		return CAT_READONLY;
	}
	/* Inside catalog_begin: no savepoint per save (an FTS5 table flushes
	 * its pending index data at every savepoint, which made imports 2x
	 * slower). A save that fails there leaves the transaction to be
	 * aborted by the caller. */
	if (st->in_tx)
		return CAT_OK;
	int rc = exec(st, "BEGIN IMMEDIATE", err);
	wait_release(st);
	if (rc == CAT_OK)
		absent_check(st);
	return rc;
}

static int wend(struct store *st, int rc, strbuf *err)
{
	if (st->in_tx)
		return rc;
	if (rc == CAT_OK && termdf_flush(st->df, err))
		rc = CAT_ERROR;
	termdf_drop(st->df);
	if (rc == CAT_OK) {
		rc = exec(st, "COMMIT", err);
		if (rc != CAT_OK)
			exec(st, "ROLLBACK", NULL);
	} else {
		exec(st, "ROLLBACK", NULL);
	}
	let_waiters_in(st);
	return rc;
}

static void id_free_forget(struct store *st);

static int be_begin(void *be, strbuf *err)
{
	struct store *st = be;
	if (st->in_tx) {
		sb_adds(err, _("a transaction is already open"));
		return CAT_ERROR;
	}
	int rc = wbegin(st, err);
	if (rc == CAT_OK)
		st->in_tx = 1;
	id_free_forget(st);       /* others may have added records since */
	return rc;
}

static void id_free_forget(struct store *st)
{
	free(st->id_from);
	free(st->id_taken);
	st->id_from = st->id_taken = NULL;
}

static int flush_next_id(struct store *st, strbuf *err)
{
	int rc = CAT_OK;
	if (st->next_id_dirty) {
		char v[32];
		snprintf(v, sizeof v, "%lld", st->next_id);
		rc = set_setting(st, "next_id", v, err);
	}
	st->next_id = 0;
	st->next_id_dirty = 0;
	id_free_forget(st);
	return rc;
}

static int be_commit(void *be, strbuf *err)
{
	struct store *st = be;
	if (!st->in_tx)
		return CAT_OK;
	int rc = journal_flush(st, err);
	if (!rc)
		rc = heads_spill(st, err);
	if (!rc)
		rc = heads_flush(st, err);
	if (!rc)
		rc = keys_flush(st, err);
	if (!rc)
		rc = flush_next_id(st, err);
	if (!rc && termdf_flush(st->df, err))
		rc = CAT_ERROR;
	termdf_drop(st->df);
	st->in_tx = 0;
	if (rc) {
		exec(st, "ROLLBACK", NULL);
		let_waiters_in(st);
		return rc;
	}
	rc = exec(st, "COMMIT", err);
	if (rc != CAT_OK)
		exec(st, "ROLLBACK", NULL);
	let_waiters_in(st);
	if (!rc)
		store_ckpt_kick(st->ckpt);
	return rc;
}

static void be_abort(void *be)
{
	struct store *st = be;
	if (!st->in_tx)
		return;
	st->in_tx = 0;
	st->next_id = 0;
	st->next_id_dirty = 0;
	id_free_forget(st);
	heads_drop(st);
	deferred_drop(st);
	keys_drop(st);
	journal_drop(st);
	termdf_drop(st->df);
	exec(st, "ROLLBACK", NULL);
	/* the copies tables may have been made in it (and a later schema
	 * change could bring the schema's version back to where it was) */
	store_copies_forget(st->db);
	let_waiters_in(st);
}

/* ------------------------------------------------------------------ */
/* schema */

static const char schema_v1[] =
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE records("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  version INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  year INTEGER,"
	"  tkey BLOB,"                    /* title sort key, for sorting hits */
	"  akey BLOB,"                    /* first author's sort key */
	"  data BLOB NOT NULL);"
	"CREATE INDEX records_year ON records(year);"
	"CREATE TABLE versions("
	"  vid INTEGER PRIMARY KEY,"
	"  rid INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  time TEXT NOT NULL,"
	"  user TEXT,"
	"  action TEXT NOT NULL,"
	"  summary TEXT,"
	"  batch INTEGER,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  data BLOB);"
	"CREATE UNIQUE INDEX versions_rv ON versions(rid, version);"
	"CREATE INDEX versions_batch ON versions(batch) WHERE batch IS NOT NULL;"
	"CREATE VIRTUAL TABLE fts USING fts5(title, author, subject, notes, publisher, series,"
	"  content='', tokenize='unicode61 remove_diacritics 2');"
	"CREATE TABLE heads(idx INTEGER NOT NULL, key BLOB NOT NULL, rid INTEGER NOT NULL,"
	"  heading TEXT NOT NULL, PRIMARY KEY(idx, key, rid)) WITHOUT ROWID;"
	"CREATE TABLE keys(key TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(key, rid))"
	"  WITHOUT ROWID;"
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, started TEXT NOT NULL, user TEXT,"
	"  command TEXT, state TEXT NOT NULL, added INTEGER, replaced INTEGER, merged INTEGER,"
	"  skipped INTEGER, rejected INTEGER);"
	"CREATE TABLE batch_files(batch INTEGER NOT NULL, filekey TEXT NOT NULL,"
	"  recno INTEGER NOT NULL, offset INTEGER NOT NULL, done INTEGER NOT NULL,"
	"  PRIMARY KEY(batch, filekey));"
	"INSERT INTO settings VALUES('org_code', 'VN-BIENMUC');"
	"INSERT INTO settings VALUES('id_prefix', 'bm');"
	"INSERT INTO settings VALUES('next_id', '1');"
	"INSERT INTO settings VALUES('browse_rule', '" BROWSE_RULE "');";

static int pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

/* what rebuild_browse does it for */
enum rebuild_why {
	REBUILD_RULE,              /* the browse rows (a new browse_rule) */
	REBUILD_KEYS,              /* the sort keys too (a new collator) */
	REBUILD_DEFERRED           /* the browse rows of a bulk load that died (browse_deferred) */
};
static int rebuild_browse(struct store *st, enum rebuild_why why, strbuf *err);

static int index_fts_raw(struct store *st, int which, sqlite3_int64 rid, const rec *r,
                         const strbuf *pre, const struct kwtoks *toks,
                         const struct termdf_words *dfw, strbuf *err);

/* Schema 2 -> 3: take the authority records out of the keyword index,
 * the browse headings and the sort and year columns. */
static int unindex_authorities(struct store *st, strbuf *err)
{
	sqlite3_stmt *sel = NULL, *up = NULL;
	rec *r = rec_create();
	int rc = exec(st, "CREATE TEMP TABLE auth_rids(rid INTEGER PRIMARY KEY)", err);
	if (!rc && (sqlite3_prepare_v2(st->db, "SELECT rid, data FROM records WHERE deleted = 0",
	                               -1, &sel, NULL) != SQLITE_OK ||
	            sqlite3_prepare_v2(st->db, "UPDATE records SET tkey = NULL, akey = NULL, "
	                               "year = NULL WHERE rid = ?1", -1, &up, NULL) != SQLITE_OK))
		rc = db_err(st, err, _("upgrading the catalogue"));
	while (!rc && sqlite3_step(sel) == SQLITE_ROW) {
		if (store_decode(sqlite3_column_blob(sel, 1), (size_t)sqlite3_column_bytes(sel, 1), r) ||
		    !auth_is_authority(r))
			continue;
		sqlite3_int64 rid = sqlite3_column_int64(sel, 0);
		rc = index_fts_raw(st, S_FTS_DELETE, rid, r, NULL, NULL, NULL, err);
		sqlite3_bind_int64(up, 1, rid);
		if (!rc && sqlite3_step(up) != SQLITE_DONE)
			rc = db_err(st, err, _("upgrading the catalogue"));
		sqlite3_reset(up);
		if (!rc) {
			char sql[80];
			snprintf(sql, sizeof sql, "INSERT INTO temp.auth_rids VALUES(%lld)", (long long)rid);
			rc = exec(st, sql, err);
		}
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(up);
	/* one pass over the headings (keyed by index and sort key, not rid) */
	if (!rc)
		rc = exec(st, "DELETE FROM heads WHERE rid IN (SELECT rid FROM temp.auth_rids)", err);
	exec(st, "DROP TABLE IF EXISTS temp.auth_rids", NULL);
	rec_destroy(r);
	return rc;
}

/* Schema 5 -> 6: the match keys mk_sysno now makes of "(OCoLC) 12345"
 * (and "(OCoLC)ocm 12345") are "(OCoLC)12345"; those stored before kept
 * the blank. Few rows, found through the keys index. */
static int renorm_oclc_keys(struct store *st, strbuf *err)
{
	sqlite3_stmt *sel = NULL, *del = NULL, *ins = NULL;
	int rc = CAT_OK;
	if (sqlite3_prepare_v2(st->db, "SELECT key, rid FROM keys WHERE key GLOB 'sys:(OCoLC) *'",
	                       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM keys WHERE key = ?1 AND rid = ?2", -1, &del,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO keys(key, rid) VALUES(?1, ?2)", -1,
	                       &ins, NULL) != SQLITE_OK)
		rc = db_err(st, err, _("upgrading the catalogue"));
	/* collected first: the loop below changes the rows it would read */
	struct { char *key; sqlite3_int64 rid; } *v = NULL;
	size_t n = 0, cap = 0;
	while (!rc && sqlite3_step(sel) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n].key = xstrdup((const char *)sqlite3_column_text(sel, 0));
		v[n++].rid = sqlite3_column_int64(sel, 1);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		char k[300];
		sqlite3_bind_text(del, 1, v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(del, 2, v[i].rid);
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = db_err(st, err, _("upgrading the catalogue"));
		sqlite3_reset(del);
		if (!rc && mk_sysno(v[i].key + 4, k + 4, sizeof k - 4)) {
			memcpy(k, "sys:", 4);
			sqlite3_bind_text(ins, 1, k, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 2, v[i].rid);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = db_err(st, err, _("upgrading the catalogue"));
			sqlite3_reset(ins);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc;
}

static int migrate(struct store *st, strbuf *err)
{
	int uv = pragma_int(st, "PRAGMA user_version");
	int app = pragma_int(st, "PRAGMA application_id");
	if (uv < 0) {
		sb_addf(err, _("'%s' is not a bienmuc catalogue (not an SQLite database)"), st->path);
		return CAT_ERROR;
	}
	if (app != 0 && app != APP_ID) {
		sb_addf(err, _("'%s' is an SQLite database but not a bienmuc catalogue"), st->path);
		return CAT_ERROR;
	}
	if (uv > STORE_SCHEMA_VERSION) {
		sb_addf(err, _("'%s' was made by a newer bienmuc (schema %d; this one knows %d)"),
		        st->path, uv, STORE_SCHEMA_VERSION);
		return CAT_ERROR;
	}
	st->schema = uv;
	if (uv == STORE_SCHEMA_VERSION)
		return CAT_OK;
	if (st->readonly && uv >= 1)
		return CAT_OK;            /* schema 1 reads the same (no records.brief) */
	if (st->readonly) {
		sb_addf(err, _("'%s' is not a bienmuc catalogue (or is empty)"), st->path);
		return CAT_ERROR;
	}
	int rc = exec(st, "BEGIN IMMEDIATE", err);
	wait_release(st);
	if (rc)
		return rc;
	uv = pragma_int(st, "PRAGMA user_version");     /* someone else may have won */
	if (uv >= 1 && uv < STORE_SCHEMA_VERSION) {
		/* the steps rebuild indexes: seconds for a million records */
		long long n = pragma_int(st, "SELECT count(*) FROM records");
		if (n >= 10000) {
			strbuf m = STRBUF_INIT;
			sb_addf(&m, _("upgrading the catalogue (%lld records) to the format of this "
			              "version: done once, it can take a minute"), n);
			catalog_notice(m.buf);
			sb_release(&m);
		}
	}
	if (uv == 0) {
		if (pragma_int(st, "SELECT count(*) FROM sqlite_schema") > 0) {
			exec(st, "ROLLBACK", NULL);
			sb_addf(err, _("'%s' is an SQLite database but not a bienmuc catalogue"), st->path);
			return CAT_ERROR;
		}
		rc = exec(st, schema_v1, err);
		char sql[80];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d", APP_ID);
		if (!rc)
			rc = exec(st, sql, err);
		uv = 1;
	}
	if (!rc && uv == 1) {
		/* 2: records.brief for result lists (catalog_summaries); old rows
		 * keep NULL and are summarised from their data */
		rc = exec(st, "ALTER TABLE records ADD COLUMN brief TEXT", err);
		uv = 2;
	}
	if (!rc && uv == 2) {
		/* 3: authority records leave the bibliographic keyword and browse
		 * indexes (they have their own) */
		rc = unindex_authorities(st, err);
		/* and title/author order of broad result sets walks these */
		if (!rc)
			rc = exec(st, "CREATE INDEX records_tkey ON records(tkey) WHERE deleted = 0;"
			              "CREATE INDEX records_akey ON records(akey) WHERE deleted = 0;"
			              /* year searches count live records from the index */
			              "DROP INDEX records_year;"
			              "CREATE INDEX records_year ON records(deleted, year)", err);
		uv = 3;
	}
	if (!rc && uv == 3) {
		/* 4: document frequencies of the keyword index's words, so that
		 * a one-word search is counted exactly from one row */
		rc = termdf_build(st->db, err) ? CAT_ERROR : CAT_OK;
		uv = 4;
	}
	if (!rc && uv == 4) {
		/* 5: the browse index as one row per heading and one small row
		 * per heading and record, instead of a row per heading and
		 * record holding the sort key and the text each time: a third
		 * of the size, and an import touches far fewer pages */
		rc = exec(st,
		          "CREATE TABLE headings(hid INTEGER PRIMARY KEY, idx INTEGER NOT NULL,"
		          "  key BLOB NOT NULL, heading TEXT NOT NULL);"
		          "INSERT INTO headings(idx, key, heading) SELECT idx, key, min(heading) "
		          "  FROM heads GROUP BY idx, key ORDER BY idx, key;"
		          "CREATE UNIQUE INDEX headings_key ON headings(idx, key);"
		          "CREATE TABLE postings(hid INTEGER NOT NULL, rid INTEGER NOT NULL,"
		          "  PRIMARY KEY(hid, rid)) WITHOUT ROWID;"
		          "INSERT INTO postings(hid, rid) SELECT h.hid, x.rid FROM heads x "
		          "  JOIN headings h ON h.idx = x.idx AND h.key = x.key ORDER BY 1, 2;"
		          "DROP TABLE heads;", err);
		uv = 5;
	}
	if (!rc && uv == 5) {
		/* 6: OCLC numbers written with a blank after the prefix
		 * ("(OCoLC) 12345") match the same number without it */
		rc = renorm_oclc_keys(st, err);
		uv = 6;
	}
	if (!rc && uv == 6) {
		/* 7: each heading's count of records kept, so that a browse page
		 * reads 20 rows instead of counting every posting (a subject of
		 * 83,000 records: 17 ms a heading) */
		rc = exec(st,
		          "CREATE TABLE IF NOT EXISTS hcounts(hid INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
		          "DELETE FROM hcounts;"
		          "INSERT INTO hcounts(hid, n) SELECT hid, count(*) FROM postings GROUP BY hid;",
		          err);
		uv = 7;
	}
	if (!rc && uv == 7) {
		/* 8: a count of 1 is no row (most call numbers have one record) */
		rc = exec(st, "DELETE FROM hcounts WHERE n <= 1;", err);
		uv = 8;
	}
	/* future: if (uv == 8) { ALTER ...; uv = 9; } */
	if (!rc) {
		char sql[80];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", uv);
		rc = exec(st, sql, err);
	}
	if (!rc)
		rc = exec(st, "COMMIT", err);
	if (rc)
		exec(st, "ROLLBACK", NULL);
	else
		st->schema = uv;
	return rc;
}

static void be_close(void *be);

/* Once, before SQLite starts: no global memory statistics. SQLite would
 * take a process-wide mutex around every allocation to keep them (5% of
 * a 100k-record import). It fails harmlessly if SQLite has already
 * started: the workstation sets a soft heap limit first (cmd-tui.c), which
 * needs the statistics, and that call starts SQLite with them. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}


/* be_open's own flag: read the file as unchanging (see immutable_uri) */
#define OPEN_IMMUTABLE 0x100

/* The size of FILE-wal: 0 if there is none, -1 if it cannot be told. */
static long long wal_size(const char *path)
{
	strbuf w = STRBUF_INIT;
	sb_addf(&w, "%s-wal", path);
	struct stat sb;
	long long n = stat(w.buf, &sb) == 0 ? (long long)sb.st_size : errno == ENOENT ? 0 : -1;
	sb_release(&w);
	return n;
}

/* "file:PATH?immutable=1" when path is in a folder we cannot write and
 * has no -wal or -shm file next to it, or when force, else NULL (malloc'd). */
static char *immutable_uri(const char *path, int force)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = 0;
	int writable = access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	strbuf side = STRBUF_INIT;
	sb_addf(&side, "%s-wal", path);
	int wal = access(side.buf, F_OK) == 0;
	sb_reset(&side);
	sb_addf(&side, "%s-shm", path);
	int shm = access(side.buf, F_OK) == 0;
	sb_release(&side);
	if (!force && (writable || wal || shm))
		return NULL;
	strbuf u = STRBUF_INIT;
	sb_adds(&u, "file:");
	for (const char *p = path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&u, "%%%02X", (unsigned char)*p);
		else
			sb_addc(&u, *p);
	sb_adds(&u, "?immutable=1");
	return sb_detach(&u, NULL);
}

static void *be_open(const char *path, int flags, strbuf *err)
{
	struct stat sbuf;
	int exists = stat(path, &sbuf) == 0;
	if (!exists && !(flags & CAT_OPEN_CREATE)) {
		sb_addf(err, _("no catalogue at '%s' (import records to create one, or use -d FILE)"),
		        path);
		return NULL;
	}
	if (!exists) {
		/* mkdir -p the parent */
		char *dir = xstrdup(path);
		for (char *p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = 0;
			if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
				sb_addf(err, _("cannot create folder '%s': %s"), dir, strerror(errno));
				free(dir);
				return NULL;
			}
			*p = '/';
		}
		free(dir);
	}
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->readonly = !!(flags & CAT_OPEN_READONLY);
	st->wait_fd = -1;
	int oflags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* A WAL catalogue is read through its -shm file, which a folder we
	 * cannot write (read-only media, a shared folder) cannot hold. With
	 * no -wal or -shm there, nobody can be writing it: read it as an
	 * unchanging file. */
	char *ro_uri = st->readonly ? immutable_uri(path, flags & OPEN_IMMUTABLE) : NULL;
	if (ro_uri)
		oflags |= SQLITE_OPEN_URI;
	int orc = sqlite3_open_v2(ro_uri ? ro_uri : path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	free(ro_uri);
	if (orc != SQLITE_OK) {
		sb_addf(err, _("cannot open catalogue '%s': %s"), path,
		        st->db ? sqlite3_errmsg(st->db) : _("out of memory"));
		be_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_handler(st->db, busy_handler, st);
	/* before the fts table is first used on this connection */
	st->kwh = kwtok_install(st->db, &st->kwf);
	/* a file that is not SQLite at all fails at the first read: say that
	 * (rather than SQLite's "file is not a database" after the PRAGMAs) */
	if (pragma_int(st, "PRAGMA user_version") < 0 &&
	    (sqlite3_errcode(st->db) & 0xff) == SQLITE_NOTADB) {
		sb_addf(err, _("'%s' is not a bienmuc catalogue (not an SQLite database)"), path);
		be_close(st);
		return NULL;
	}
	if (!st->readonly) {
		strbuf wp = STRBUF_INIT;
		sb_addf(&wp, "%s-wait", path);
		st->wait_fd = open(wp.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		sb_release(&wp);
	}
	const char *e = getenv("BIENMUC_USER");
	if (e && *e) {
		snprintf(st->user, sizeof st->user, "%s", e);
	} else {
		struct passwd *pw = getpwuid(getuid());
		const char *l = getenv("LOGNAME");
		snprintf(st->user, sizeof st->user, "%s", pw ? pw->pw_name : l ? l : "unknown");
	}
	/* A checkpoint costs two fsyncs and writes every page changed since
	 * the last one: let the WAL grow to 40,000 pages (~320 MB of 8 KiB
	 * pages) first; a 1M-record import ran 11% faster than at 10,000.
	 * Once checkpointed, a WAL over 64 MB is cut back to that.
	 * An 8 MB page cache: imports and searches of a 1M-record catalogue
	 * ran no faster with 16 MB. */
	if (exec(st, "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;"
	             "PRAGMA cache_size = -8000; PRAGMA secure_delete = OFF;"
	             "PRAGMA wal_autocheckpoint = 40000;"
	             "PRAGMA journal_size_limit = 67108864;", NULL)) {
		/* the first read: SQLite makes its -shm file here */
		int code = sqlite3_errcode(st->db) & 0xff;
		/* A full disk has no room for the -shm file a reader needs. With
		 * nothing in the -wal, every commit is in the file itself (and
		 * nobody can write one now): read it as unchanging, so that the
		 * records can still be searched, shown and exported. */
		if (st->readonly && disk_full(st->db) && !(flags & OPEN_IMMUTABLE) &&
		    wal_size(path) == 0) {
			be_close(st);
			return be_open(path, flags | OPEN_IMMUTABLE, err);
		}
		if (disk_full(st->db))
			sb_addf(err, _("cannot open catalogue '%s': the disk holding it is full "
			               "(free some space, then run the command again)"), path);
		else if (code == SQLITE_READONLY || code == SQLITE_BUSY || code == SQLITE_LOCKED ||
		         code == SQLITE_CORRUPT)
			db_err(st, err, "");
		else
			sb_addf(err, _("cannot open catalogue '%s': %s"), path, sqlite3_errmsg(st->db));
		be_close(st);
		return NULL;
	}
	if (!st->readonly && pragma_int(st, "PRAGMA user_version") == 0) {
		/* A new catalogue gets 8 KiB pages (before the WAL header fixes
		 * the size): 12-15% faster imports than 4 KiB (fewer B-tree
		 * splits and WAL frames), searches the same; an older catalogue
		 * keeps its 4 KiB pages. A no-op on an existing empty file that
		 * already has a size. */
		if (exec(st, "PRAGMA page_size = 8192", err) ||
		    exec(st, "PRAGMA journal_mode = WAL", err)) {
			be_close(st);
			return NULL;
		}
	}
	if (migrate(st, err)) {
		be_close(st);
		return NULL;
	}
	if (st->schema >= 4)
		st->df = termdf_create(st->db, &st->kwf);
	/* authority tables: store-auth.c keeps its own schema version */
	st->auth = auth_idx_open(st->db, st->readonly, err);
	if (!st->auth) {
		be_close(st);
		return NULL;
	}
	st->org = get_setting(st, "org_code");
	st->prefix = get_setting(st, "id_prefix");
	if (!st->org)
		st->org = xstrdup("VN-BIENMUC");
	if (!st->prefix)
		st->prefix = xstrdup("bm");
	/* sort keys depend on the collator's version: rebuild when it changed.
	 * The collator (half a megabyte) is opened only when the ICU library
	 * changed since the last check, or when a sort key is needed. */
	char icu[96];
	coll_icu_version(icu, sizeof icu);
	char *old_icu = get_setting(st, "icu_version");
	int rc = 0;
	if (!st->readonly && (!old_icu || strcmp(old_icu, icu))) {
		char ver[64];
		char *old = get_setting(st, "collator_version");
		if (coll_version(ver, sizeof ver)) {
			sb_adds(err, _("cannot open the ICU collator for Vietnamese"));
			rc = -1;
		} else if (!old || strcmp(old, ver)) {
			if (old)                         /* (a new catalogue has none yet) */
				catalog_notice(_("making the sort keys of the catalogue again (a new "
				                 "collator or sorting rule); once, about 15 seconds for a "
				                 "million records"));
			rc = rebuild_browse(st, REBUILD_KEYS, err);
		}
		if (!rc)
			rc = set_setting(st, "icu_version", icu, err);
		free(old);
	}
	free(old_icu);
	if (!rc && !st->readonly && st->schema >= 5) {
		char *br = get_setting(st, "browse_rule");
		if (!br || strcmp(br, BROWSE_RULE)) {
			catalog_notice(_("building the browse index again (each 653 term a heading of "
			                 "its own); once, about 10 seconds for a million records"));
			rc = rebuild_browse(st, REBUILD_RULE, err);
		}
		free(br);
	}
	if (rc) {
		be_close(st);
		return NULL;
	}
	/* an import that suspended the sort indexes was killed: not fatal,
	 * searches are correct without them */
	strbuf e2 = STRBUF_INIT;
	if (sort_indexes_restore(st, 1, &e2))
		catalog_notice(e2.buf);
	sb_release(&e2);
	return st;
}

/* The authority index of a back-end handle (for store-auth.c). */
struct auth_idx *store_auth_idx(void *be)
{
	return be ? ((struct store *)be)->auth : NULL;
}

static void be_close(void *be)
{
	struct store *st = be;
	if (!st)
		return;
	if (st->in_tx)
		be_abort(st);
	if (st->bulk) {
		strbuf e = STRBUF_INIT;
		if (be_bulk_end(st, &e))
			catalog_notice(e.buf);
		sb_release(&e);
	}
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->st[i]);
	auth_idx_close(st->auth);
	termdf_destroy(st->df);
	skmemo_free(&st->skm);
	if (st->db) {
		if (!st->readonly)
			sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close(st->db);
	}
	if (st->wait_fd >= 0)
		close(st->wait_fd);
	free(st->org);
	free(st->prefix);
	free(st->path);
	free(st->fold);
	heads_drop(st);
	deferred_free(st);
	keys_drop(st);
	journal_drop(st);
	free(st->pv);
	arena_destroy(st->pha);
	arena_destroy(st->pka);
	arena_destroy(st->pva);
	free(st);
}

/* ------------------------------------------------------------------ */
/* indexing one record */

/* The keyword index's columns of r, folded: what index_fts_raw binds.
 * cols[] is initialised here; the caller releases each. */
static void fts_columns(struct fold_memo **fold, const rec *r, strbuf cols[NCOLS])
{
	strbuf raw = STRBUF_INIT;
	for (int c = 0; c < NCOLS; c++) {
		sb_init(&cols[c]);
		sb_reset(&raw);
		column_text(r, c, &raw);
		fold_text(fold, raw.buf ? raw.buf : "", raw.len, &cols[c]);
	}
	sb_release(&raw);
}

/* Insert r's row into (or, with S_FTS_DELETE, take it out of) the keyword
 * index. pre: the columns made ahead by fts_columns, or NULL; toks: the
 * words of pre made ahead (kwtoks_make), replayed to FTS5, or NULL
 * (always NULL without pre); dfw: their counted words made ahead
 * (termdf_words_make of toks) for the word counts, or NULL (the counts
 * then tokenize cols again). */
static int index_fts_raw(struct store *st, int which, sqlite3_int64 rid, const rec *r,
                         const strbuf *pre, const struct kwtoks *toks,
                         const struct termdf_words *dfw, strbuf *err)
{
	sqlite3_stmt *s = stmt(st, which);
	strbuf own[NCOLS];
	const strbuf *cols = pre;
	if (!cols) {
		fts_columns(&st->fold, r, own);
		cols = own;
	}
	sqlite3_bind_int64(s, 1, rid);
	for (int c = 0; c < NCOLS; c++) {
		/* -1: the text ends in a NUL (a strbuf's always does), which
		 * FTS5 wants: given a length, SQLite copied each column to add
		 * one (2% of an import). A NUL inside keeps the length. */
		const char *t = cols[c].buf ? cols[c].buf : "";
		sqlite3_bind_text(s, c + 2, t, memchr(t, 0, cols[c].len) ? (int)cols[c].len : -1,
		                  SQLITE_STATIC);
	}
	if (toks)
		kwtok_replay(st->kwh, pre, toks);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_err(st, err, _("keyword index"));
	kwtok_replay(st->kwh, NULL, NULL);
	sqlite3_reset(s);
	if (!rc && dfw)
		termdf_note_words(st->df, dfw, which == S_FTS_DELETE ? -1 : 1);
	else if (!rc)
		termdf_note(st->df, cols, NCOLS, which == S_FTS_DELETE ? -1 : 1);
	if (!pre)
		for (int c = 0; c < NCOLS; c++)
			sb_release(&own[c]);
	return rc;
}

/* The keyword index holds bibliographic records only: authority records
 * (Leader/06 z) have their own index (store-auth.c) and must not turn up
 * in a title or subject search. */
static int index_fts(struct store *st, int which, sqlite3_int64 rid, const rec *r,
                     const strbuf *pre, const struct kwtoks *toks,
                     const struct termdf_words *dfw, strbuf *err)
{
	return auth_is_authority(r) ? CAT_OK : index_fts_raw(st, which, rid, r, pre, toks, dfw, err);
}

/* The headings of a record with their sort keys. Deleting uses the same
 * computation on the old version (no per-rid index is kept), so the sort
 * keys must not change under a catalogue: a new ICU version rebuilds them
 * (rebuild_browse). */
struct hkeys {
	struct heads h;
	strbuf *key;             /* h.n keys; len 0 = no key */
	uint32_t *hash;          /* h.n hashes of (idx, key), for pend_heading */
};

/* The hash pend_heading files heading (idx, key) under. */
static uint32_t head_hash_of(int idx, const void *key, size_t klen)
{
	return fnv1a(fnv1a(FNV1A_SEED, &idx, sizeof idx), key, klen);
}

static uint32_t head_hash(int idx, const strbuf *key)
{
	return head_hash_of(idx, key->buf, key->len);
}

/* The sort keys of recent headings: an import meets the same authors,
 * subjects and series again and again, and a key costs a pass of the ICU
 * collator. Direct-mapped (a new heading replaces the one in its slot),
 * so memory stays bounded. The keys depend on the ICU version only. */
#define SKMEMO_SLOTS 4096
struct skmemo {
	char *text;                /* NULL = empty slot */
	unsigned char *key;
	size_t klen;
	int ok;                    /* coll_sort_key succeeded */
};

static void skmemo_free(struct skmemo **skm)
{
	if (!*skm)
		return;
	for (size_t i = 0; i < SKMEMO_SLOTS; i++) {
		free((*skm)[i].text);
		free((*skm)[i].key);
	}
	free(*skm);
	*skm = NULL;
}

/* coll_sort_key(text, out) (out empty), remembered in *skm (one memo
 * per thread: the store's own, or a preparer's). */
static int sort_key_memo(struct skmemo **skm, const char *text, strbuf *out)
{
	if (!*skm)
		*skm = xcalloc(SKMEMO_SLOTS, sizeof **skm);
	uint32_t h = fnv1a(FNV1A_SEED, text, strlen(text));
	struct skmemo *e = &(*skm)[h & (SKMEMO_SLOTS - 1)];
	if (e->text && !strcmp(e->text, text)) {
		if (!e->ok)
			return -1;
		sb_add(out, e->key, e->klen);
		return 0;
	}
	int rc = coll_sort_key(text, out);
	free(e->text);
	free(e->key);
	e->text = xstrdup(text);
	e->ok = !rc;
	e->klen = rc ? 0 : out->len;
	e->key = xmalloc(e->klen ? e->klen : 1);
	if (e->klen)
		memcpy(e->key, out->buf, e->klen);
	return rc;
}

static void hkeys_make_memo(struct skmemo **skm, const rec *r, struct hkeys *hk)
{
	memset(hk, 0, sizeof *hk);
	if (!auth_is_authority(r))    /* browse indexes are bibliographic */
		record_heads(r, &hk->h);
	hk->key = xcalloc(hk->h.n ? hk->h.n : 1, sizeof *hk->key);
	hk->hash = xmalloc((hk->h.n ? hk->h.n : 1) * sizeof *hk->hash);
	for (size_t i = 0; i < hk->h.n; i++) {
		if (sort_key_memo(skm, hk->h.v[i].text + hk->h.v[i].skip, &hk->key[i]))
			sb_reset(&hk->key[i]);
		hk->hash[i] = head_hash(hk->h.v[i].idx, &hk->key[i]);
	}
}

static void hkeys_make(struct store *st, const rec *r, struct hkeys *hk)
{
	hkeys_make_memo(&st->skm, r, hk);
}

static void hkeys_release(struct hkeys *hk)
{
	for (size_t i = 0; i < hk->h.n; i++)
		sb_release(&hk->key[i]);
	free(hk->key);
	free(hk->hash);
	heads_release(&hk->h);
}

/* Bind the first key of heading kind idx (or NULL) to parameter n. */
static void bind_first_key(sqlite3_stmt *s, int n, const struct hkeys *hk, int idx)
{
	for (size_t i = 0; i < hk->h.n; i++)
		if (hk->h.v[i].idx == idx && hk->key[i].len) {
			sqlite3_bind_blob(s, n, hk->key[i].buf, (int)hk->key[i].len, SQLITE_TRANSIENT);
			return;
		}
	sqlite3_bind_null(s, n);
}

/* Inside catalog_begin (an import), new browse rows wait in memory and go
 * in at the commit, each heading once with its records, in key order:
 * random inserts into the browse B-trees were half of the import's time;
 * in key order each page is visited once per batch. Anything that reads
 * or deletes browse rows flushes them first; an abort drops them. Same
 * transaction, so a crash loses them with the records they belong to. */
struct pend_head {
	int idx;
	size_t klen;
	unsigned char *key;        /* klen bytes, then the heading (NUL-terminated) */
	sqlite3_int64 hid;         /* in headings, found at the flush */
};

struct post {
	sqlite3_int64 hid, rid;
};

/* The other set of pending headings (struct store's ph ... cpr): during
 * a bulk load those of the records it adds wait apart (st->dp), for a run
 * (heads_spill); pend_swap exchanges the two sets, so that the code of
 * the one serves the other. */
struct pendset {
	struct pend_head *ph;
	size_t nph, cph;
	struct ixhash phx;
	arena *pha;
	struct post *pr;
	size_t npr, cpr;
};

#define SWAP_(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)
static void pend_swap(struct store *st)
{
	struct pendset *d = st->dp;
	SWAP_(st->ph, d->ph);
	SWAP_(st->nph, d->nph);
	SWAP_(st->cph, d->cph);
	SWAP_(st->phx, d->phx);
	SWAP_(st->pha, d->pha);
	SWAP_(st->pr, d->pr);
	SWAP_(st->npr, d->npr);
	SWAP_(st->cpr, d->cpr);
}

/* Pending rows' strings come from an arena, freed at once by a flush:
 * one malloc and free each cost an import's writing thread a few percent. */
static void *pend_alloc(arena **a, size_t n)
{
	if (!*a)
		*a = arena_create(256 * 1024);
	return arena_alloc(*a, n);
}

static void heads_drop(struct store *st)
{
	if (st->pha)
		arena_reset(st->pha);
	free(st->ph);
	ixhash_free(&st->phx);
	free(st->pr);
	st->ph = NULL;
	st->pr = NULL;
	st->nph = st->cph = st->npr = st->cpr = 0;
}

static int pend_cmp(const void *a, const void *b)
{
	const struct pend_head *x = *(const struct pend_head *const *)a;
	const struct pend_head *y = *(const struct pend_head *const *)b;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Index in st->ph of pending heading (idx, key), added with text if new;
 * h = head_hash(idx, key). */
static size_t pend_heading(struct store *st, int idx, const strbuf *key, uint32_t h,
                           const char *text)
{
	size_t pos = h;
	for (size_t j; (j = ixhash_find(&st->phx, h, &pos)) != SIZE_MAX;) {
		const struct pend_head *p = &st->ph[j];
		if (p->idx == idx && p->klen == key->len && !memcmp(p->key, key->buf, key->len))
			return j;
	}
	if (st->nph == st->cph) {
		st->cph = st->cph ? 2 * st->cph : 1024;
		st->ph = xrealloc(st->ph, st->cph * sizeof *st->ph);
	}
	size_t i = st->nph++;
	struct pend_head *p = &st->ph[i];
	size_t tl = strlen(text);
	p->idx = idx;
	p->klen = key->len;
	p->key = pend_alloc(&st->pha, p->klen + tl + 1);
	p->hid = 0;
	memcpy(p->key, key->buf, p->klen);
	memcpy(p->key + p->klen, text, tl + 1);
	ixhash_add(&st->phx, h);
	return i;
}

/* Record rid has pending heading j (made a hid at the flush). */
static void pend_post(struct store *st, size_t j, sqlite3_int64 rid)
{
	if (st->npr == st->cpr) {
		st->cpr = st->cpr ? 2 * st->cpr : 1024;
		st->pr = xrealloc(st->pr, st->cpr * sizeof *st->pr);
	}
	st->pr[st->npr].hid = (sqlite3_int64)j;
	st->pr[st->npr++].rid = rid;
}

/* The id of heading (idx, key) in headings, made with text if missing
 * and create is set (*created set then, if created is not NULL). 0 = not
 * there (create unset), -1 = error. */
static sqlite3_int64 heading_id(struct store *st, int idx, const void *key, size_t klen,
                                const char *text, int create, int *created, strbuf *err)
{
	if (created)
		*created = 0;
	sqlite3_stmt *s = stmt(st, S_HEAD_FIND);
	sqlite3_bind_int(s, 1, idx);
	sqlite3_bind_blob(s, 2, key, (int)klen, SQLITE_STATIC);
	sqlite3_int64 hid = 0;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		hid = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		hid = -1;
	sqlite3_reset(s);
	if (!hid && create) {
		s = stmt(st, S_HEAD_NEW);
		sqlite3_bind_int(s, 1, idx);
		sqlite3_bind_blob(s, 2, key, (int)klen, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
		hid = sqlite3_step(s) == SQLITE_DONE ? sqlite3_last_insert_rowid(st->db) : -1;
		sqlite3_reset(s);
		if (hid > 0 && st->hf)
			bloom_add(st->hf, head_hash_of(idx, key, klen));
		if (hid > 0 && created)
			*created = 1;
	}
	if (hid < 0)
		db_err(st, err, _("browse index"));
	return hid;
}

/* Run statement i with hid (and n if i takes two parameters). */
static int hid_step(struct store *st, int i, sqlite3_int64 hid, sqlite3_int64 n, strbuf *err)
{
	sqlite3_stmt *s = stmt(st, i);
	sqlite3_bind_int64(s, 1, hid);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, n);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_err(st, err, _("browse index"));
	sqlite3_reset(s);
	return rc;
}

/* Add (or with del, remove) the posting (hid, rid), keeping the count;
 * created: the heading was made for it just now. */
static int posting(struct store *st, sqlite3_int64 hid, sqlite3_int64 rid, int del, int created,
                   strbuf *err)
{
	sqlite3_stmt *s = stmt(st, del ? S_POST_DELETE : S_POST_INSERT);
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, rid);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_err(st, err, _("browse index"));
	sqlite3_reset(s);
	int changed = !rc && sqlite3_changes(st->db) > 0;
	if (changed && st->schema >= 7) {
		if (del)
			rc = hid_step(st, S_HCOUNT_DEC, hid, 0, err);
		else if (!created)                     /* a new heading's 1 is no row */
			rc = hid_step(st, S_HCOUNT_ADD, hid, 2, err);
	}
	if (!rc && del) {          /* the last record with the heading: the heading goes */
		rc = hid_step(st, S_HEAD_GC, hid, 0, err);
		if (!rc && st->schema >= 7)
			rc = hid_step(st, S_HCOUNT_GC, hid, 0, err);
	}
	return rc;
}

static int post_cmp(const void *a, const void *b)
{
	const struct post *x = a, *y = b;
	if (x->hid != y->hid)
		return x->hid < y->hid ? -1 : 1;
	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

/* Add the headings of order[0, n) that have no hid yet (0), in the order
 * given, numbered after the last as SQLite would number them (a write
 * transaction is open: nobody else adds one meanwhile), many a statement. */
static int headings_add(struct store *st, struct pend_head **order, size_t n, strbuf *err)
{
	sqlite3_stmt *s = stmt(st, S_HEAD_MAX);
	if (sqlite3_step(s) != SQLITE_ROW) {
		int rc = db_err(st, err, _("browse index"));
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_int64 next = sqlite3_column_int64(s, 0) + 1;
	sqlite3_reset(s);
	st->hnew = next;
	size_t nn = 0;                       /* the new ones to the front */
	for (size_t i = 0; i < n; i++)
		if (!order[i]->hid) {
			if (st->hf)
				bloom_add(st->hf, st->phx.hash[order[i] - st->ph]);
			order[i]->hid = next++;
			order[nn++] = order[i];
		}
	int rc = CAT_OK;
	for (size_t i = 0; i < nn && !rc;) {
		int rows = nn - i >= HROWS_N ? HROWS_N : 1;
		s = stmt(st, rows > 1 ? S_HEAD_ADD_N : S_HEAD_ADD);
		for (int k = 0; k < rows; k++, i++) {
			const struct pend_head *p = order[i];
			sqlite3_bind_int64(s, 4 * k + 1, p->hid);
			sqlite3_bind_int(s, 4 * k + 2, p->idx);
			sqlite3_bind_blob(s, 4 * k + 3, p->key, (int)p->klen, SQLITE_STATIC);
			sqlite3_bind_text(s, 4 * k + 4, (const char *)p->key + p->klen, -1, SQLITE_STATIC);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("browse index"));
		sqlite3_reset(s);
	}
	return rc;
}

static int hid_cmp(const void *a, const void *b)
{
	const struct pend_head *x = *(const struct pend_head *const *)a;
	const struct pend_head *y = *(const struct pend_head *const *)b;
	return x->hid < y->hid ? -1 : x->hid > y->hid;
}

/* st->pr, (index in st->ph, rid) each, into (hid, rid) order, every
 * pending heading having its hid: the headings sorted by hid, then the
 * postings counted into place by heading (far fewer comparisons than
 * sorting them all; the rids of a heading come in the order saved, which
 * is sorted unless a record was saved twice). order: st->nph slots. */
static void posts_sort(struct store *st, struct pend_head **order)
{
	size_t nh = st->nph, np = st->npr;
	for (size_t i = 0; i < nh; i++)
		order[i] = &st->ph[i];
	qsort(order, nh, sizeof *order, hid_cmp);
	size_t *at = xcalloc(nh + 1, sizeof *at);    /* by ph index: first slot */
	for (size_t i = 0; i < np; i++)
		at[st->pr[i].hid]++;
	size_t sum = 0;
	size_t *start = xmalloc((nh + 1) * sizeof *start);   /* by rank */
	for (size_t r = 0; r < nh; r++) {
		size_t j = (size_t)(order[r] - st->ph), c = at[j];
		start[r] = sum;
		at[j] = sum;
		sum += c;
	}
	start[nh] = sum;
	struct post *to = xmalloc((np ? np : 1) * sizeof *to);
	for (size_t i = 0; i < np; i++) {
		size_t j = (size_t)st->pr[i].hid;
		to[at[j]].hid = st->ph[j].hid;
		to[at[j]++].rid = st->pr[i].rid;
	}
	for (size_t r = 0; r < nh; r++)
		for (size_t k = start[r] + 1; k < start[r + 1]; k++)
			if (to[k].rid < to[k - 1].rid) {
				qsort(to + start[r], start[r + 1] - start[r], sizeof *to, post_cmp);
				break;
			}
	free(at);
	free(start);
	free(st->pr);
	st->pr = to;
	st->cpr = np ? np : 1;
}

/* st->pr, sorted, without repeats (a heading twice in one record). */
static void posts_unique(struct store *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->npr; i++)
		if (!n || st->pr[i].hid != st->pr[n - 1].hid || st->pr[i].rid != st->pr[n - 1].rid)
			st->pr[n++] = st->pr[i];
	st->npr = n;
}

/* After heads_flush put st->pr (sorted, unique) in: each heading's count
 * up by its rows there, ROWS_N headings a statement (see S_HCOUNT_ADD: a
 * new heading with one row needs none); a heading with a row that may
 * have been there already (seen[i] 0) is counted afresh. */
static int hcounts_add(struct store *st, const unsigned char *seen, strbuf *err)
{
	int rc = CAT_OK;
	struct post *add = xmalloc((st->npr ? st->npr : 1) * sizeof *add);  /* (hid, value) */
	size_t na = 0;
	for (size_t i = 0, j; i < st->npr && !rc; i = j) {
		int fresh = 1;
		for (j = i; j < st->npr && st->pr[j].hid == st->pr[i].hid; j++)
			fresh &= seen[j];
		sqlite3_int64 v = (sqlite3_int64)(j - i) + (st->pr[i].hid < st->hnew);
		if (fresh && v > 1) {
			add[na].hid = st->pr[i].hid;
			add[na++].rid = v;
		} else if (!fresh) {
			rc = hid_step(st, S_HCOUNT_SET, st->pr[i].hid, 0, err);
			if (!rc)
				rc = hid_step(st, S_HCOUNT_GC, st->pr[i].hid, 0, err);
		}
	}
	size_t i = 0;
	for (; i + ROWS_N <= na && !rc; i += ROWS_N) {
		sqlite3_stmt *s = stmt(st, S_HCOUNT_ADD_N);
		for (int k = 0; k < ROWS_N; k++) {
			sqlite3_bind_int64(s, 2 * k + 1, add[i + k].hid);
			sqlite3_bind_int64(s, 2 * k + 2, add[i + k].rid);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("browse index"));
		sqlite3_reset(s);
	}
	for (; i < na && !rc; i++)
		rc = hid_step(st, S_HCOUNT_ADD, add[i].hid, add[i].rid, err);
	free(add);
	return rc;
}

/* The pending headings in key order, each looked up once and the new ones
 * added, then the postings in (hid, rid) order: each B-tree page visited
 * once; the inserts go many rows a statement. */
static int heads_flush(struct store *st, strbuf *err)
{
	int rc = CAT_OK;
	if (!st->npr) {
		heads_drop(st);
		return rc;
	}
	struct pend_head **order = xmalloc(st->nph * sizeof *order);
	for (size_t i = 0; i < st->nph; i++)
		order[i] = &st->ph[i];
	qsort(order, st->nph, sizeof *order, pend_cmp);
	size_t i;
	for (i = 0; i < st->nph && !rc; i++) {
		struct pend_head *p = order[i];
		if (st->hf && !bloom_maybe(st->hf, st->phx.hash[p - st->ph]))
			p->hid = 0;                  /* certainly new: no lookup */
		else
			p->hid = heading_id(st, p->idx, p->key, p->klen, NULL, 0, NULL, err);
		if (p->hid < 0)
			rc = CAT_ERROR;
	}
	if (!rc)
		rc = headings_add(st, order, st->nph, err);
	if (!rc)
		posts_sort(st, order);
	free(order);
	if (!rc)
		posts_unique(st);
	/* seen[i]: row i is new, as far as the statement that added it can
	 * tell (all its rows went in); a heading with a row not known new gets
	 * its count from its postings, the others the number added */
	unsigned char *seen = xmalloc(st->npr ? st->npr : 1);
	for (i = 0; i + ROWS_N <= st->npr && !rc; i += ROWS_N) {
		sqlite3_stmt *s = stmt(st, S_POST_INSERT_N);
		for (int k = 0; k < ROWS_N; k++) {
			sqlite3_bind_int64(s, 2 * k + 1, st->pr[i + k].hid);
			sqlite3_bind_int64(s, 2 * k + 2, st->pr[i + k].rid);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("browse index"));
		memset(seen + i, sqlite3_changes(st->db) == ROWS_N, ROWS_N);
		sqlite3_reset(s);
	}
	for (; i < st->npr && !rc; i++) {
		sqlite3_stmt *s = stmt(st, S_POST_INSERT);
		sqlite3_bind_int64(s, 1, st->pr[i].hid);
		sqlite3_bind_int64(s, 2, st->pr[i].rid);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("browse index"));
		seen[i] = sqlite3_changes(st->db) == 1;
		sqlite3_reset(s);
	}
	if (!rc && st->schema >= 7)
		rc = hcounts_add(st, seen, err);
	free(seen);
	heads_drop(st);
	return rc;
}

/* ------------------------------------------------------------------ */
/* deferred browse headings (bulk loading; store-runs.h)
 *
 * A bulk load that suspends the sort indexes also keeps the browse
 * headings of the records it adds out of the tables: at each commit they
 * go to a run (heads_spill), and its end merges the runs into the tables
 * in key order (runs_merge), each B-tree page written once rather than at
 * every commit (a million records: the browse index was a quarter of the
 * import). Until then other programs browse without those records. The
 * setting browse_deferred counts the loaders whose runs are not merged
 * yet: one left when no loader is at work means one died with its runs
 * (they are in a file that went with it), and whoever restores the sort
 * indexes (sort_indexes_restore) builds the browse index again. A record
 * added and then changed or deleted during the load has a later version
 * whose headings went in directly (updates are not deferred): its run
 * rows are skipped. */

static int deferred_clear(struct store *st, strbuf *err)
{
	return exec(st, "DELETE FROM settings WHERE key = 'browse_deferred'", err);
}

static int deferred_note(struct store *st, int delta, strbuf *err)
{
	char *v = get_setting(st, "browse_deferred");
	long n = (v ? atol(v) : 0) + delta;
	free(v);
	if (n > 0) {
		char buf[32];
		snprintf(buf, sizeof buf, "%ld", n);
		return set_setting(st, "browse_deferred", buf, err);
	}
	return deferred_clear(st, err);
}

static void deferred_drop(struct store *st)
{
	if (!st->dp)
		return;
	pend_swap(st);
	heads_drop(st);
	pend_swap(st);
}

static void deferred_free(struct store *st)
{
	if (st->dp) {
		deferred_drop(st);
		arena_destroy(st->dp->pha);
		free(st->dp);
		st->dp = NULL;
	}
	hruns_destroy(st->runs);
	st->runs = NULL;
}

/* The deferred headings (st->dp) as one run of st->runs, in key order,
 * each with its records. */
static int heads_spill(struct store *st, strbuf *err)
{
	if (!st->runs || !st->dp || !st->dp->npr) {
		deferred_drop(st);
		return CAT_OK;
	}
	pend_swap(st);
	size_t nh = st->nph, np = st->npr;
	struct pend_head **order = xmalloc(nh * sizeof *order);
	for (size_t i = 0; i < nh; i++)
		order[i] = &st->ph[i];
	qsort(order, nh, sizeof *order, pend_cmp);
	/* the records of each heading together: counted into place */
	size_t *at = xcalloc(nh + 1, sizeof *at);
	for (size_t i = 0; i < np; i++)
		at[st->pr[i].hid + 1]++;
	for (size_t j = 0; j < nh; j++)
		at[j + 1] += at[j];
	int64_t *rids = xmalloc((np ? np : 1) * sizeof *rids);
	size_t *fill = xmalloc((nh + 1) * sizeof *fill);
	memcpy(fill, at, (nh + 1) * sizeof *fill);
	for (size_t i = 0; i < np; i++)
		rids[fill[st->pr[i].hid]++] = st->pr[i].rid;
	int rc = hruns_run_begin(st->runs);
	for (size_t r = 0; r < nh && !rc; r++) {
		const struct pend_head *p = order[r];
		size_t j = (size_t)(p - st->ph);
		if (at[j + 1] > at[j])
			rc = hruns_put(st->runs, p->idx, p->key, p->klen, (const char *)p->key + p->klen,
			               rids + at[j], at[j + 1] - at[j]);
	}
	if (hruns_run_end(st->runs))
		rc = -1;
	free(fill);
	free(rids);
	free(at);
	free(order);
	heads_drop(st);
	pend_swap(st);
	if (!rc)
		rc = hruns_compact(st->runs, 64);
	if (rc) {
		if (errno == ENOSPC)       /* (the scratch file is on the catalogue's disk) */
			say_disk_full(err);
		else
			sb_addf(err, _("browse index: cannot write the scratch file beside the catalogue: %s"),
			        strerror(errno));
		return CAT_ERROR;
	}
	return CAT_OK;
}

static int rid_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
	return x < y ? -1 : x > y;
}

/* The runs' headings into the tables, in key order, many headings a
 * flush (new ones are numbered in key order: appended), and this loader
 * off browse_deferred; one transaction, outside catalog_begin. */
static int runs_merge(struct store *st, strbuf *err)
{
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	/* records added by the load and changed since (see above) */
	sqlite3_int64 *dead = NULL;
	size_t nd = 0, cd = 0;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT DISTINCT rid FROM versions WHERE rid > ?1 "
	                       "AND version > 1 ORDER BY rid", -1, &q, NULL) != SQLITE_OK)
		rc = db_err(st, err, _("browse index"));
	else {
		sqlite3_bind_int64(q, 1, st->defer_from);
		int step;
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			if (nd == cd) {
				cd = cd ? 2 * cd : 64;
				dead = xrealloc(dead, cd * sizeof *dead);
			}
			dead[nd++] = sqlite3_column_int64(q, 0);
		}
		if (step != SQLITE_DONE)
			rc = db_err(st, err, _("browse index"));
	}
	sqlite3_finalize(q);
	int got = 0;
	if (!rc && hruns_count(st->runs)) {
		struct hruns_head g;
		if (hruns_merge_begin(st->runs))
			got = -1;
		while (!rc && got >= 0 && (got = hruns_next(st->runs, &g)) == 1) {
			size_t j = SIZE_MAX;
			for (size_t i = 0; i < g.nrids; i++) {
				sqlite3_int64 rid = g.rids[i];
				if (nd && bsearch(&rid, dead, nd, sizeof *dead, rid_cmp))
					continue;
				if (j == SIZE_MAX) {
					strbuf k = { (char *)g.key, g.klen, 0 };
					j = pend_heading(st, g.idx, &k, head_hash_of(g.idx, g.key, g.klen), g.text);
				}
				pend_post(st, j, rid);
			}
			if (st->nph >= 32768 || st->npr >= 262144)
				rc = heads_flush(st, err);
		}
		if (!rc && got < 0) {
			sb_addf(err, _("browse index: cannot read the scratch file beside the catalogue: %s"),
			        strerror(errno));
			rc = CAT_ERROR;
		}
		hruns_merge_done(st->runs);
	}
	if (!rc)
		rc = heads_flush(st, err);
	else
		heads_drop(st);
	if (!rc)
		rc = deferred_note(st, -1, err);
	free(dead);
	return wend(st, rc, err);
}

static int index_heads(struct store *st, sqlite3_int64 rid, const struct hkeys *hk, int del,
                       strbuf *err)
{
	int rc = CAT_OK;
	if (del)
		rc = heads_flush(st, err);
	else if (st->in_tx) {
		/* a new record of a bulk load: its headings wait for a run */
		int defer = st->runs && st->adding;
		if (defer)
			pend_swap(st);
		for (size_t i = 0; i < hk->h.n; i++) {
			if (!hk->key[i].len)
				continue;
			size_t j = pend_heading(st, hk->h.v[i].idx, &hk->key[i], hk->hash[i],
			                        hk->h.v[i].text);
			pend_post(st, j, rid);
		}
		if (defer)
			pend_swap(st);
		return CAT_OK;
	}
	for (size_t i = 0; i < hk->h.n && !rc; i++) {
		if (!hk->key[i].len)
			continue;
		/* the same heading twice in one record (after trimming) is one row */
		int created = 0;
		sqlite3_int64 hid = heading_id(st, hk->h.v[i].idx, hk->key[i].buf, hk->key[i].len,
		                               hk->h.v[i].text, !del, &created, err);
		if (hid < 0)
			rc = CAT_ERROR;
		else if (hid > 0)
			rc = posting(st, hid, rid, del, created, err);
	}
	return rc;
}

/* Match keys wait in memory during catalog_begin like browse rows (see
 * heads_flush), with a hash so that catalog_match sees them at once. */
struct pend_key {
	char *key;
	sqlite3_int64 rid;
};

static uint32_t key_hash(const char *k)
{
	return fnv1a(FNV1A_SEED, k, strlen(k));
}

static void keys_drop(struct store *st)
{
	if (st->pka)
		arena_reset(st->pka);
	free(st->pk);
	ixhash_free(&st->pkx);
	st->pk = NULL;
	st->npk = st->cpk = 0;
}

static int pendkey_cmp(const void *a, const void *b)
{
	const struct pend_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->rid < y->rid ? -1 : x->rid > y->rid;
}

static int keys_flush(struct store *st, strbuf *err)
{
	int rc = CAT_OK;
	if (!st->npk)
		return rc;
	if (st->kf)
		for (size_t j = 0; j < st->npk; j++)
			bloom_add(st->kf, st->pkx.hash[j]);
	qsort(st->pk, st->npk, sizeof *st->pk, pendkey_cmp);
	size_t i = 0;
	for (; i + ROWS_N <= st->npk && !rc; i += ROWS_N) {
		sqlite3_stmt *s = stmt(st, S_KEY_INSERT_N);
		for (int k = 0; k < ROWS_N; k++) {
			sqlite3_bind_text(s, 2 * k + 1, st->pk[i + k].key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2 * k + 2, st->pk[i + k].rid);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("match keys"));
		sqlite3_reset(s);
	}
	for (; i < st->npk && !rc; i++) {
		sqlite3_stmt *s = stmt(st, S_KEY_INSERT);
		sqlite3_bind_text(s, 1, st->pk[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, st->pk[i].rid);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("match keys"));
		sqlite3_reset(s);
	}
	keys_drop(st);
	return rc;
}

static void keys_pend(struct store *st, const char *key, sqlite3_int64 rid)
{
	if (st->npk == st->cpk) {
		st->cpk = st->cpk ? 2 * st->cpk : 1024;
		st->pk = xrealloc(st->pk, st->cpk * sizeof *st->pk);
	}
	size_t kl = strlen(key);
	st->pk[st->npk].key = memcpy(pend_alloc(&st->pka, kl + 1), key, kl + 1);
	st->pk[st->npk].rid = rid;
	st->npk++;
	ixhash_add(&st->pkx, key_hash(key));
}

/* Index (or with del, unindex) r's match keys under rid. pre: r's keys
 * made ahead (see add_locked), or NULL to make them here. */
static int index_keys(struct store *st, sqlite3_int64 rid, const rec *r, const struct mk_list *pre,
                      int del, strbuf *err)
{
	int rc = CAT_OK;
	if (del) {
		rc = keys_flush(st, err);
		if (rc)
			return rc;
	} else if (st->in_tx) {
		struct mk_list own = { 0 };
		const struct mk_list *keys = pre;
		if (!keys) {
			mk_record_keys(r, MK_ISBN | MK_ISSN | MK_LCCN | MK_035 | MK_001, &own);
			keys = &own;
		}
		for (size_t i = 0; i < keys->n; i++)
			keys_pend(st, keys->v[i], rid);
		mk_list_release(&own);
		return CAT_OK;
	}
	struct mk_list keys = { 0 };
	if (pre)
		for (size_t i = 0; i < pre->n; i++)
			mk_list_add(&keys, pre->v[i]);
	else
		mk_record_keys(r, MK_ISBN | MK_ISSN | MK_LCCN | MK_035 | MK_001, &keys);
	for (size_t i = 0; i < keys.n && !rc; i++) {
		sqlite3_stmt *s = stmt(st, del ? S_KEY_DELETE : S_KEY_INSERT);
		sqlite3_bind_text(s, 1, keys.v[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, rid);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("match keys"));
		sqlite3_reset(s);
		if (!del && st->kf)
			bloom_add(st->kf, key_hash(keys.v[i]));
	}
	mk_list_release(&keys);
	return rc;
}

/* Index r under rid. hk: its headings' keys (NULL = make them here);
 * cols: its keyword columns made ahead (fts_columns), or NULL; toks:
 * their words made ahead, or NULL; dfw: the counted ones, or NULL. */
static int index_add(struct store *st, sqlite3_int64 rid, const rec *r, const struct hkeys *hk,
                     const strbuf *cols, const struct kwtoks *toks,
                     const struct termdf_words *dfw, const struct mk_list *keys, strbuf *err)
{
	struct hkeys own;
	if (!hk) {
		hkeys_make(st, r, &own);
		hk = &own;
	}
	int rc = index_fts(st, S_FTS_INSERT, rid, r, cols, toks, dfw, err);
	if (!rc)
		rc = index_heads(st, rid, hk, 0, err);
	if (!rc)
		rc = index_keys(st, rid, r, keys, 0, err);
	if (!rc)
		rc = auth_idx_record(st->auth, rid, r, 0, err);   /* authority index */
	if (hk == &own)
		hkeys_release(&own);
	return rc;
}

static int index_remove(struct store *st, sqlite3_int64 rid, const rec *old, strbuf *err)
{
	struct hkeys hk;
	hkeys_make(st, old, &hk);
	int rc = index_fts(st, S_FTS_DELETE, rid, old, NULL, NULL, NULL, err);
	if (!rc)
		rc = index_heads(st, rid, &hk, 1, err);
	if (!rc)
		rc = index_keys(st, rid, old, NULL, 1, err);
	if (!rc)
		rc = auth_idx_record(st->auth, rid, old, 1, err);  /* authority index */
	hkeys_release(&hk);
	return rc;
}

/* Sort keys depend on the ICU version: recompute the browse index. */
/* The browse index made again from the live records (REBUILD_RULE, and
 * REBUILD_DEFERRED after a bulk load died), and for REBUILD_KEYS the title
 * and author sort keys as well (a new collator or key rule): the browse
 * rows wait in memory and go in sorted, 50,000 records at a time, as an
 * import's do; the two sort indexes, if there, are dropped and made again
 * at the end, from one sort each. The setting that asked for it
 * (browse_rule, collator_version, browse_deferred cleared) is written in
 * the same transaction. */
static int rebuild_browse_tx(struct store *st, enum rebuild_why why, strbuf *err)
{
	char ver[64];
	int deferred = why == REBUILD_DEFERRED, keys_too = why == REBUILD_KEYS;
	const char *key = deferred ? "browse_deferred" : keys_too ? "collator_version" : "browse_rule",
	           *want = BROWSE_RULE;
	if (keys_too) {
		if (coll_version(ver, sizeof ver)) {
			sb_adds(err, _("cannot open the ICU collator for Vietnamese"));
			return CAT_ERROR;
		}
		want = ver;
	}
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	absent_stop(st);
	/* another program may have done it while this one waited to write */
	char *done = get_setting(st, key);
	int same = deferred ? !done : done && !strcmp(done, want);
	free(done);
	if (same)
		return wend(st, CAT_OK, err);
	sqlite3_stmt *sel = NULL, *upd = NULL;
	rec *r = rec_create();
	int had_sort = 0;
	if (keys_too) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
		                       "('records_tkey', 'records_akey')", -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			had_sort = sqlite3_column_int(q, 0) > 0;
		sqlite3_finalize(q);
		if (had_sort)
			rc = exec(st, "DROP INDEX IF EXISTS records_tkey; DROP INDEX IF EXISTS records_akey",
			          err);
		if (!rc && sqlite3_prepare_v2(st->db, "UPDATE records SET tkey = ?2, akey = ?3 "
		                              "WHERE rid = ?1", -1, &upd, NULL) != SQLITE_OK)
			rc = db_err(st, err, _("rebuilding the browse index"));
	}
	if (!rc)
		rc = exec(st, "DELETE FROM postings; DELETE FROM headings; DELETE FROM hcounts", err);
	if (!rc && sqlite3_prepare_v2(st->db, "SELECT rid, data FROM records WHERE deleted = 0",
	                              -1, &sel, NULL) != SQLITE_OK)
		rc = db_err(st, err, _("rebuilding the browse index"));
	st->in_tx = 1;                                 /* rows wait for heads_flush */
	long n = 0;
	while (!rc && sqlite3_step(sel) == SQLITE_ROW) {
		if (store_decode(sqlite3_column_blob(sel, 1), (size_t)sqlite3_column_bytes(sel, 1), r))
			continue;
		sqlite3_int64 rid = sqlite3_column_int64(sel, 0);
		struct hkeys hk;
		hkeys_make(st, r, &hk);
		rc = index_heads(st, rid, &hk, 0, err);
		if (!rc && upd) {
			sqlite3_bind_int64(upd, 1, rid);
			bind_first_key(upd, 2, &hk, H_TITLE);
			bind_first_key(upd, 3, &hk, H_AUTHOR);
			if (sqlite3_step(upd) != SQLITE_DONE)
				rc = db_err(st, err, _("rebuilding the browse index"));
			sqlite3_reset(upd);
		}
		hkeys_release(&hk);
		if (!rc && ++n % 50000 == 0)
			rc = heads_flush(st, err);
	}
	if (!rc)
		rc = heads_flush(st, err);
	else
		heads_drop(st);
	st->in_tx = 0;
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	rec_destroy(r);
	if (!rc && had_sort)
		rc = exec(st, SORT_INDEXES_SQL, err);
	if (!rc)
		rc = set_setting(st, "browse_rule", BROWSE_RULE, err);
	if (!rc && keys_too)
		rc = set_setting(st, "collator_version", ver, err);
	if (!rc)                     /* (every record's rows are in now) */
		rc = deferred_clear(st, err);
	return wend(st, rc, err);
}

static int rebuild_browse(struct store *st, enum rebuild_why why, strbuf *err)
{
	/* the index sorts go through temporary files, not 110 MB of memory
	 * (1M records) */
	if (why == REBUILD_KEYS)
		sqlite3_exec(st->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	int rc = rebuild_browse_tx(st, why, err);
	if (why == REBUILD_KEYS)
		sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the journal summary
 *
 * Summaries ("245 changed", "new record (N fields)", "deleted", "batch N
 * undone") stay English on purpose, untranslated: they are stored data,
 * written once into versions.summary and shown later to whoever reads the
 * history, in whatever language that reader uses. */

struct tagcount {
	char tag[4];
	int nold, nnew, changed;
};

void store_diff_summary(const rec *old, const rec *nw, strbuf *out)
{
	const size_t l0 = out->len;      /* out may hold a note already: clauses after it */
	/* per tag: the fields of old and new, compared in order */
	struct tagcount *t = NULL;
	size_t nt = 0, cap = 0;
	const rec *rs[2] = { old, nw };
	for (int w = 0; w < 2; w++) {
		size_t nf = rec_nfields(rs[w]);
		for (size_t f = 0; f < nf; f++) {
			const char *tag = rec_tag(rs[w], f);
			if (!strcmp(tag, "005"))
				continue;
			size_t i;
			for (i = 0; i < nt && strcmp(t[i].tag, tag); i++)
				;
			if (i == nt) {
				if (nt == cap) {
					cap = cap ? 2 * cap : 32;
					t = xrealloc(t, cap * sizeof *t);
				}
				memset(&t[nt], 0, sizeof *t);
				memcpy(t[nt].tag, tag, 4);
				nt++;
			}
			if (w == 0)
				t[i].nold++;
			else
				t[i].nnew++;
		}
	}
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	for (size_t i = 0; i < nt; i++) {
		/* compare the k-th field with this tag in both */
		long fo = -1, fn = -1;
		int k = 0, m = t[i].nold < t[i].nnew ? t[i].nold : t[i].nnew;
		for (; k < m; k++) {
			fo = rec_find(old, t[i].tag, (size_t)(fo + 1));
			fn = rec_find(nw, t[i].tag, (size_t)(fn + 1));
			sb_reset(&a);
			sb_reset(&b);
			rec *tmp = rec_create();
			rec_insert_copy(tmp, 0, old, (size_t)fo);
			store_encode(tmp, &a);
			rec_clear(tmp);
			rec_insert_copy(tmp, 0, nw, (size_t)fn);
			store_encode(tmp, &b);
			rec_destroy(tmp);
			if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
				t[i].changed++;
		}
		const char *sep = out->len > l0 ? "; " : "";
		if (t[i].changed)
			sb_addf(out, "%s%s changed%s", sep, t[i].tag, t[i].changed > 1 ? " (several)" : "");
		sep = out->len > l0 ? "; " : "";
		if (t[i].nnew > t[i].nold)
			sb_addf(out, "%s%s added%s", sep, t[i].tag, t[i].nnew - t[i].nold > 1 ? " (several)" : "");
		else if (t[i].nnew < t[i].nold)
			sb_addf(out, "%s%s removed%s", sep, t[i].tag,
			        t[i].nold - t[i].nnew > 1 ? " (several)" : "");
	}
	if (strcmp(rec_leader(old) + 5, rec_leader(nw) + 5) &&
	    (memcmp(rec_leader(old) + 5, rec_leader(nw) + 5, 7) ||
	     memcmp(rec_leader(old) + 17, rec_leader(nw) + 17, 3)))
		sb_addf(out, "%sleader changed", out->len > l0 ? "; " : "");
	sb_release(&a);
	sb_release(&b);
	free(t);
}

/* ------------------------------------------------------------------ */
/* saving */

/* Set control field tag to value, keeping tag order among 00X fields. */
static void set_control(rec *r, const char *tag, const char *value)
{
	long f = rec_find(r, tag, 0);
	if (f >= 0) {
		rec_set_data(r, (size_t)f, value, strlen(value));
		return;
	}
	size_t nf = rec_nfields(r), at = 0;
	while (at < nf && rec_is_control(r, at) && strcmp(rec_tag(r, at), tag) < 0)
		at++;
	rec_insert_control(r, at, tag, value, strlen(value));
}

/* 005 is the version a client read and sends back (the server compares
 * it), so it must change on every save: tenths of a second, and never
 * equal to or earlier than the 005 the record carries. */
static void stamp_005(rec *r)
{
	char buf[40];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	time_t t = ts.tv_sec;
	int tenth = (int)(ts.tv_nsec / 100000000L);
	struct tm tm;
	/* local time to the second, formatted once a second per thread */
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char secs[32];
	if (t != last) {
		localtime_r(&t, &tm);
		strftime(secs, sizeof secs, "%Y%m%d%H%M%S", &tm);
		last = t;
	}
	size_t sl = strlen(secs);           /* secs "." tenth, without printf (each save) */
	memcpy(buf, secs, sl);
	buf[sl] = '.';
	buf[sl + 1] = (char)('0' + tenth);
	buf[sl + 2] = 0;
	const char *prev = rec_get_control(r, "005");
	if (prev && strlen(prev) == 16 && prev[14] == '.' && strcmp(buf, prev) <= 0) {
		/* same tenth (or a clock behind the stored one): one tenth later */
		struct tm pt;
		memset(&pt, 0, sizeof pt);
		if (sscanf(prev, "%4d%2d%2d%2d%2d%2d.%1d", &pt.tm_year, &pt.tm_mon, &pt.tm_mday,
		           &pt.tm_hour, &pt.tm_min, &pt.tm_sec, &tenth) == 7) {
			pt.tm_year -= 1900;
			pt.tm_mon -= 1;
			pt.tm_isdst = -1;
			if (++tenth == 10) {
				tenth = 0;
				pt.tm_sec++;
			}
			time_t pt_t = mktime(&pt);
			localtime_r(&pt_t, &tm);
			strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ".%d", tenth);
		}
	}
	set_control(r, "005", buf);
}

struct current {
	sqlite3_int64 rid;
	long version;
	int deleted;
	char *id;
	rec *r;                 /* decoded data (when asked) */
	void *data;             /* raw blob copy */
	size_t len;
};

static void current_release(struct current *c)
{
	free(c->id);
	free(c->data);
	rec_destroy(c->r);
	memset(c, 0, sizeof *c);
}

/* Look up a record by id (or rid when id is NULL). CAT_NOTFOUND if none. */
static int load_current(struct store *st, const char *id, sqlite3_int64 rid, int decode,
                        struct current *c, strbuf *err)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *s = stmt(st, id ? S_REC_BY_ID : S_REC_BY_RID);
	if (id)
		bind_text(s, 1, id);
	else
		sqlite3_bind_int64(s, 1, rid);
	int step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		sqlite3_reset(s);
		if (id)
			sb_addf(err, _("no record '%s'"), id);
		return CAT_NOTFOUND;
	}
	if (step != SQLITE_ROW) {
		int rc = db_err(st, err, _("reading a record"));
		sqlite3_reset(s);
		return rc;
	}
	if (id) {
		c->rid = sqlite3_column_int64(s, 0);
		c->id = xstrdup(id);
	} else {
		c->rid = rid;
		c->id = col_strdup(s, 0);
	}
	c->version = (long)sqlite3_column_int64(s, 1);
	c->deleted = sqlite3_column_int(s, 2);
	c->len = (size_t)sqlite3_column_bytes(s, 3);
	c->data = xmalloc(c->len + 1);
	memcpy(c->data, sqlite3_column_blob(s, 3), c->len);
	sqlite3_reset(s);
	if (decode) {
		c->r = rec_create();
		if (store_decode(c->data, c->len, c->r)) {
			sb_addf(err, _("record '%s' is damaged in the catalogue"), c->id);
			return CAT_ERROR;
		}
	}
	return CAT_OK;
}

/* A journal row waiting for journal_flush (inside catalog_begin ...
 * commit): an import writes one per record, and JROWS_N rows a statement
 * cost SQLite a good deal less than a statement a row. */
struct pend_ver {
	sqlite3_int64 rid;
	long version, batch;
	int deleted;
	char time[24];
	const char *action, *summary;     /* in st->pva */
};

static void bind_journal(sqlite3_stmt *s, int at, const struct store *st,
                         const struct pend_ver *v)
{
	sqlite3_bind_int64(s, at + 1, v->rid);
	sqlite3_bind_int64(s, at + 2, v->version);
	sqlite3_bind_text(s, at + 3, v->time, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, at + 4, st->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, at + 5, v->action, -1, SQLITE_STATIC);
	if (v->summary)
		sqlite3_bind_text(s, at + 6, v->summary, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, at + 6);
	if (v->batch > 0)
		sqlite3_bind_int64(s, at + 7, v->batch);
	else
		sqlite3_bind_null(s, at + 7);
	sqlite3_bind_int(s, at + 8, v->deleted);
}

/* Write the journal rows waiting, in order (so vids come out as if each
 * had been written at once). */
static int journal_flush(struct store *st, strbuf *err)
{
	int rc = CAT_OK;
	size_t i = 0;
	for (; i + JROWS_N <= st->npv && !rc; i += JROWS_N) {
		sqlite3_stmt *s = stmt(st, S_VER_INSERT_N);
		for (int k = 0; k < JROWS_N; k++)
			bind_journal(s, 8 * k, st, &st->pv[i + k]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("journal"));
		else if (sqlite3_changes(st->db) != JROWS_N) {
			/* (rid, version) twice: cannot happen (every version is the
			 * record's last plus one, in its write transaction) */
			sb_adds(err, _("journal: a version of a record was written twice"));
			rc = CAT_ERROR;
		}
		sqlite3_reset(s);
	}
	for (; i < st->npv && !rc; i++) {
		sqlite3_stmt *s = stmt(st, S_VER_INSERT);
		bind_journal(s, 0, st, &st->pv[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("journal"));
		sqlite3_reset(s);
	}
	journal_drop(st);
	return rc;
}

static void journal_drop(struct store *st)
{
	st->npv = 0;
	if (st->pva)
		arena_reset(st->pva);
}

/* Journal version `version` of record rid: at once, or inside catalog_begin
 * ... commit when the commit (or a statement that reads the journal, see
 * stmt()) comes. */
static int journal(struct store *st, sqlite3_int64 rid, long version, const char *action,
                   const char *summary, long batch, int deleted, strbuf *err)
{
	if (st->npv == st->cpv) {
		st->cpv = st->cpv ? 2 * st->cpv : 256;
		st->pv = xrealloc(st->pv, st->cpv * sizeof *st->pv);
	}
	struct pend_ver *v = &st->pv[st->npv++];
	v->rid = rid;
	v->version = version;
	v->batch = batch;
	v->deleted = deleted;
	now_text(v->time);
	size_t al = strlen(action) + 1;
	v->action = memcpy(pend_alloc(&st->pva, al), action, al);
	v->summary = NULL;
	if (summary) {
		size_t sl = strlen(summary) + 1;
		v->summary = memcpy(pend_alloc(&st->pva, sl), summary, sl);
	}
	if (st->in_tx && st->npv < JROWS_N)
		return CAT_OK;
	return journal_flush(st, err);
}

/* Keep the data of the version being replaced in the journal. */
static int journal_keep(struct store *st, const struct current *c, strbuf *err)
{
	sqlite3_stmt *s = stmt(st, S_VER_SETDATA);
	sqlite3_bind_int64(s, 1, c->rid);
	sqlite3_bind_int64(s, 2, c->version);
	sqlite3_bind_blob(s, 3, c->data, (int)c->len, SQLITE_STATIC);
	int rc = sqlite3_step(s) == SQLITE_DONE ? CAT_OK : db_err(st, err, _("journal"));
	sqlite3_reset(s);
	return rc;
}

static int id_exists(struct store *st, const char *id)
{
	sqlite3_stmt *s = stmt(st, S_ID_EXISTS);
	bind_text(s, 1, id);
	int r = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return r;
}

/* u in decimal, at least width digits (zeros before), appended to sb
 * without printf (ids and journal summaries: each record of an import). */
static void add_decimal(strbuf *sb, unsigned long long u, int width)
{
	char d[24];
	int i = (int)sizeof d;
	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u || (int)sizeof d - i < width);
	sb_add(sb, d + i, sizeof d - (size_t)i);
}

/* The id numbered n: the prefix and n in at least 8 digits ("bm00000017"). */
static void make_id(struct store *st, long long n, strbuf *id)
{
	sb_reset(id);
	sb_adds(id, st->prefix);
	add_decimal(id, n < 0 ? 0 : (unsigned long long)n, 8);
}

/* Whether no record has id, inside a write transaction where the ids are
 * numbered upwards (new_id): one look finds the next id taken, and the
 * ids before it need no look of their own (one query a record was 1.3%
 * of an import's writing thread). Whatever adds a record with an id of
 * its choosing calls id_free_forget. */
static int id_free(struct store *st, const char *id)
{
	if (st->id_from && strcmp(id, st->id_from) >= 0 &&
	    (!st->id_taken || strcmp(id, st->id_taken) < 0))
		return 1;
	id_free_forget(st);
	sqlite3_stmt *s = stmt(st, S_ID_NEXT);
	bind_text(s, 1, id);
	int step = sqlite3_step(s), is_free = 1;     /* an error: the INSERT will tell */
	if (step == SQLITE_ROW || step == SQLITE_DONE) {
		const char *next = step == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		is_free = !next || strcmp(next, id) != 0;
		st->id_from = xstrdup(id);
		st->id_taken = next ? xstrdup(next) : NULL;
	}
	sqlite3_reset(s);
	return is_free;
}

static int new_id(struct store *st, strbuf *id, strbuf *err)
{
	while (st->in_tx) {
		/* one transaction at a time holds the write lock: count in memory,
		 * store the counter at commit */
		if (!st->next_id) {
			char *v = get_setting(st, "next_id");
			st->next_id = v ? atoll(v) : 1;
			free(v);
			if (st->next_id < 1)
				st->next_id = 1;
		}
		long long n = st->next_id++;
		st->next_id_dirty = 1;
		make_id(st, n, id);
		if (id_free(st, id->buf))
			return CAT_OK;
	}
	for (;;) {
		sqlite3_stmt *s = stmt(st, S_NEXT_ID);
		if (sqlite3_step(s) != SQLITE_ROW) {
			int rc = db_err(st, err, _("numbering"));
			sqlite3_reset(s);
			return rc;
		}
		long long n = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		make_id(st, n, id);
		if (!id_exists(st, id->buf))
			return CAT_OK;
	}
}

/* Bind r's summary (records.brief) to parameter n. */
/* records.brief: "title TAB author TAB year TAB isbn". */
static void brief_text(const rec *r, strbuf *b)
{
	struct cat_summary sum;
	cat_summary_of(r, &sum);
	sb_addf(b, "%s\t%s\t%s\t%s", sum.title, sum.author, sum.year, sum.isbn);
	cat_summaries_free(&sum, 1);
}

static void bind_brief(sqlite3_stmt *s, int n, const rec *r)
{
	strbuf b = STRBUF_INIT;
	brief_text(r, &b);
	sqlite3_bind_text(s, n, b.buf, (int)b.len, SQLITE_TRANSIENT);
	sb_release(&b);
}

/* ---- work done ahead of a save (catalog_prepare) ----
 * Everything add_locked computes from the record alone, without the
 * database: sort keys of the headings (ICU), the folded keyword columns,
 * records.brief, the year and the match keys (by kind, for be_match). An import makes these on its reading
 * thread while this one writes. The preparer has its own memos, so it
 * shares nothing with the store; the collator is const and shared
 * (collate.c). A prep is used only if the record still hashes the same
 * when it is saved (the import may have linked headings or taken copies
 * out in between): otherwise it is ignored and the work done again. */
struct store_prep {
	const rec *of;               /* the record it was made from ... */
	uint64_t stamp;              /* ... at this rec_stamp */
	int year;
	struct hkeys hk;
	strbuf cols[NCOLS];          /* keyword columns, if has_cols */
	int has_cols;                /* a bibliographic record (not an authority) */
	struct kwtoks toks;          /* their words, if has_toks */
	struct termdf_words dfw;     /* the counted ones (termdf), if has_toks */
	int has_toks;
	strbuf brief;
	struct mk_list mk[NMK];      /* match keys of each kind (mk_kinds) */
};

/* The kinds of match key, in the order of store_prep.mk
 * (mk_record_keys_by_kind's). */
static const int mk_kinds[NMK] = { MK_ISBN, MK_ISSN, MK_LCCN, MK_035, MK_001 };

struct store_preparer {
	struct skmemo *skm;
	struct fold_memo *fold;
	struct kwtok_fns kwf;        /* the store's unicode61 ... */
	Fts5Tokenizer *tok;          /* ... and this thread's instance of it */
};

static void *be_prep_create(void *be)
{
	struct store *st = be;
	struct store_preparer *p = xcalloc(1, sizeof *p);
	p->kwf = st->kwf;
	p->tok = kwtok_open(&p->kwf);
	return p;
}

static void *be_prepare(void *pp, const rec *r)
{
	struct store_preparer *p = pp;
	struct store_prep *x = xcalloc(1, sizeof *x);
	x->of = r;
	x->stamp = rec_stamp(r);
	x->year = store_record_year(r);
	hkeys_make_memo(&p->skm, r, &x->hk);
	if (!auth_is_authority(r)) {
		fts_columns(&p->fold, r, x->cols);
		x->has_cols = 1;
		x->has_toks = p->tok && !kwtoks_make(&p->kwf, p->tok, x->cols, NCOLS, &x->toks);
		if (x->has_toks)
			termdf_words_make(&x->toks, NCOLS, &x->dfw);
	}
	sb_init(&x->brief);
	brief_text(r, &x->brief);
	mk_record_keys_by_kind(r, x->mk);
	return x;
}

static void be_prep_free(void *prep)
{
	struct store_prep *x = prep;
	if (!x)
		return;
	hkeys_release(&x->hk);
	if (x->has_cols)
		for (int c = 0; c < NCOLS; c++)
			sb_release(&x->cols[c]);
	if (x->has_toks) {
		kwtoks_release(&x->toks);
		termdf_words_release(&x->dfw);
	}
	sb_release(&x->brief);
	for (int k = 0; k < NMK; k++)
		mk_list_release(&x->mk[k]);
	free(x);
}

static void be_prep_destroy(void *pp)
{
	struct store_preparer *p = pp;
	if (!p)
		return;
	skmemo_free(&p->skm);
	free(p->fold);
	kwtok_close(&p->kwf, p->tok);
	free(p);
}

/* The journal summary of a new record, "[NOTE: ]new record (N fields)"
 * (stored: English), without printf (each record of an import). */
static void new_summary(strbuf *sum, const char *note, size_t nf)
{
	if (note) {
		sb_adds(sum, note);
		sb_adds(sum, ": ");
	}
	sb_adds(sum, "new record (");
	add_decimal(sum, nf, 1);
	sb_adds(sum, " fields)");
}

/* Add a new record (inside a write transaction). */
static int add_locked(struct store *st, rec *r, const struct cat_save_opts *o, long *newv,
                      strbuf *err)
{
	/* the work done ahead, if r is still the record it was done on (the
	 * 001/003/005/035 set below are in none of it) */
	const struct store_prep *pp = o ? o->prep : NULL;
	if (pp && (pp->of != r || pp->stamp != rec_stamp(r)))
		pp = NULL;
	const char *id0 = rec_get_control(r, "001");
	const char *org0 = rec_get_control(r, "003");
	strbuf id = STRBUF_INIT;
	int rc = CAT_OK;
	int ours = id0 && *id0 && org0 && !strcmp(org0, st->org);
	int foreign = id0 && *id0 && !ours;   /* (id0 goes when 001 is set) */
	if (ours && !id_exists(st, id0)) {
		sb_adds(&id, id0);        /* our own record coming back: keep its number */
		id_free_forget(st);
	} else {
		if (foreign) {
			/* keep the foreign number as 035 "(ORG)number" */
			strbuf sys = STRBUF_INIT;
			if (org0 && *org0) {
				sb_addc(&sys, '(');
				sb_adds(&sys, org0);
				sb_addc(&sys, ')');
			}
			sb_adds(&sys, id0);
			int have = 0;
			char k1[300], k2[300];
			mk_sysno(sys.buf, k1, sizeof k1);
			for (long f = rec_find(r, "035", 0); f >= 0 && !have; f = rec_find(r, "035", (size_t)f + 1)) {
				const char *a = NULL;
				long s = rec_find_sub(r, (size_t)f, 'a');
				if (s >= 0)
					a = rec_sub_value(r, (size_t)f, (size_t)s, NULL);
				if (a && mk_sysno(a, k2, sizeof k2) && !strcmp(k1, k2))
					have = 1;
			}
			if (!have) {
				size_t nf = rec_nfields(r), at = 0;
				while (at < nf && strcmp(rec_tag(r, at), "035") <= 0)
					at++;
				rec_insert_field(r, at, "035", ' ', ' ');
				rec_add_sub(r, at, 'a', sys.buf, sys.len);
			}
			sb_release(&sys);
		}
		rc = new_id(st, &id, err);
	}
	if (!rc) {
		set_control(r, "001", id.buf);
		set_control(r, "003", st->org);
		stamp_005(r);
		strbuf data = STRBUF_INIT;
		store_encode(r, &data);
		sqlite3_stmt *s = stmt(st, S_REC_INSERT);
		bind_text(s, 1, id.buf);
		int year = pp ? pp->year : store_record_year(r);
		if (year)
			sqlite3_bind_int(s, 2, year);
		else
			sqlite3_bind_null(s, 2);
		sqlite3_bind_blob(s, 3, data.buf, (int)data.len, SQLITE_STATIC);
		struct hkeys own;
		const struct hkeys *hk = &own;
		if (pp)
			hk = &pp->hk;
		else
			hkeys_make(st, r, &own);
		bind_first_key(s, 4, hk, H_TITLE);
		bind_first_key(s, 5, hk, H_AUTHOR);
		if (pp)
			sqlite3_bind_text(s, 6, pp->brief.buf ? pp->brief.buf : "", (int)pp->brief.len,
			                  SQLITE_TRANSIENT);
		else
			bind_brief(s, 6, r);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("adding a record"));
		sqlite3_reset(s);
		sb_release(&data);
		sqlite3_int64 rid = sqlite3_last_insert_rowid(st->db);
		if (!rc) {
			strbuf sum = STRBUF_INIT;
			if (o && o->summary)
				sb_adds(&sum, o->summary);
			else
				/* stored journal summary: English (see "the journal summary") */
				new_summary(&sum, o ? o->note : NULL, rec_nfields(r));
			rc = journal(st, rid, 1, o && o->action ? o->action : "add", sum.buf,
			             o ? o->batch : 0, 0, err);
			sb_release(&sum);
		}
		/* the match keys: those made ahead, with the 001+003 this
		 * record now has; a foreign 001+003 went into an 035 above
		 * (or was one already), whose key is that of the 001 */
		struct mk_list keys = { 0 };
		if (!rc && pp) {
			for (int k = 0; k < NMK; k++)
				if (mk_kinds[k] != MK_001 || foreign)
					for (size_t i = 0; i < pp->mk[k].n; i++)
						mk_list_add(&keys, pp->mk[k].v[i]);
			mk_record_keys(r, MK_001, &keys);
		}
		st->adding = 1;
		if (!rc)
			rc = index_add(st, rid, r, hk, pp && pp->has_cols ? pp->cols : NULL,
			               pp && pp->has_toks ? &pp->toks : NULL,
			               pp && pp->has_toks ? &pp->dfw : NULL, pp ? &keys : NULL, err);
		st->adding = 0;
		mk_list_release(&keys);
		if (!pp)
			hkeys_release(&own);
		if (!rc && newv)
			*newv = 1;
	}
	sb_release(&id);
	return rc;
}

/* Replace record r's 001 (inside a write transaction). */
static int replace_locked(struct store *st, rec *r, long expected, const struct cat_save_opts *o,
                          long *newv, strbuf *err)
{
	const char *id = rec_get_control(r, "001");
	if (!id || !*id) {
		sb_adds(err, _("the record has no 001, so it cannot replace one"));
		return CAT_NOTFOUND;
	}
	struct current c;
	int rc = load_current(st, id, 0, 1, &c, err);
	if (rc) {
		current_release(&c);
		return rc;
	}
	if (c.deleted) {
		sb_addf(err, _("record '%s' is deleted; undelete it first"), c.id);
		current_release(&c);
		return CAT_DELETED;
	}
	if (expected != CAT_ANY && expected != c.version) {
		sb_addf(err, _("record '%s' was changed by someone else meanwhile (it is at version %ld, "
		                  "you started from version %ld)"), c.id, c.version, expected);
		current_release(&c);
		return CAT_CONFLICT;
	}
	set_control(r, "003", st->org);
	stamp_005(r);
	strbuf sum = STRBUF_INIT, data = STRBUF_INIT;
	if (o && o->summary) {
		sb_adds(&sum, o->summary);
	} else {
		if (o && o->note)
			sb_addf(&sum, "%s: ", o->note);
		size_t l0 = sum.len;
		store_diff_summary(c.r, r, &sum);
		if (sum.len == l0)
			sb_adds(&sum, "no change");     /* stored summary: English */
	}
	store_encode(r, &data);
	struct hkeys hk;
	hkeys_make(st, r, &hk);
	rc = index_remove(st, c.rid, c.r, err);
	if (!rc)
		rc = journal_keep(st, &c, err);
	if (!rc) {
		sqlite3_stmt *s = stmt(st, S_REC_UPDATE);
		sqlite3_bind_int64(s, 1, c.rid);
		sqlite3_bind_int64(s, 2, c.version + 1);
		sqlite3_bind_int(s, 3, 0);
		int year = store_record_year(r);
		if (year)
			sqlite3_bind_int(s, 4, year);
		sqlite3_bind_blob(s, 5, data.buf, (int)data.len, SQLITE_STATIC);
		bind_first_key(s, 6, &hk, H_TITLE);
		bind_first_key(s, 7, &hk, H_AUTHOR);
		bind_brief(s, 8, r);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("saving a record"));
		sqlite3_reset(s);
	}
	if (!rc)
		rc = journal(st, c.rid, c.version + 1, o && o->action ? o->action : "edit", sum.buf,
		             o ? o->batch : 0, 0, err);
	if (!rc)
		rc = index_add(st, c.rid, r, &hk, NULL, NULL, NULL, NULL, err);
	hkeys_release(&hk);
	if (!rc && newv)
		*newv = c.version + 1;
	sb_release(&sum);
	sb_release(&data);
	current_release(&c);
	return rc;
}

static int be_save(void *be, rec *r, long expected, const struct cat_save_opts *o, long *newv,
                   strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	if (expected == CAT_NEW)
		rc = add_locked(st, r, o, newv, err);
	else
		rc = replace_locked(st, r, expected, o, newv, err);
	return wend(st, rc, err);
}

/* Delete (del = 1) or undelete (del = 0), inside a write transaction. */
static int setdel_locked(struct store *st, const char *id, sqlite3_int64 rid, int del,
                         long expected, const struct cat_save_opts *o, strbuf *err)
{
	struct current c;
	int rc = load_current(st, id, rid, 1, &c, err);
	if (rc) {
		current_release(&c);
		return rc;
	}
	if (c.deleted == del) {
		sb_addf(err, del ? _("record '%s' is already deleted") : _("record '%s' is not deleted"),
		        c.id);
		current_release(&c);
		return del ? CAT_DELETED : CAT_CONFLICT;
	}
	if (expected != CAT_ANY && expected != CAT_NEW && expected != c.version) {
		sb_addf(err, _("record '%s' was changed by someone else meanwhile (it is at version %ld, "
		                  "you started from version %ld)"), c.id, c.version, expected);
		current_release(&c);
		return CAT_CONFLICT;
	}
	struct hkeys hk;
	hkeys_make(st, c.r, &hk);
	rc = del ? index_remove(st, c.rid, c.r, err) : index_add(st, c.rid, c.r, &hk, NULL, NULL, NULL, NULL, err);
	if (!rc)
		rc = journal_keep(st, &c, err);
	if (!rc) {
		sqlite3_stmt *s = stmt(st, S_REC_UPDATE);
		sqlite3_bind_int64(s, 1, c.rid);
		sqlite3_bind_int64(s, 2, c.version + 1);
		sqlite3_bind_int(s, 3, del);
		int year = store_record_year(c.r);
		if (year)
			sqlite3_bind_int(s, 4, year);
		sqlite3_bind_blob(s, 5, c.data, (int)c.len, SQLITE_STATIC);
		bind_first_key(s, 6, &hk, H_TITLE);
		bind_first_key(s, 7, &hk, H_AUTHOR);
		bind_brief(s, 8, c.r);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("deleting a record"));
		sqlite3_reset(s);
	}
	hkeys_release(&hk);
	if (!rc) {
		strbuf sum = STRBUF_INIT;
		if (o && o->summary)
			sb_adds(&sum, o->summary);
		else       /* stored summary: English */
			sb_addf(&sum, "%s%s%s", o && o->note ? o->note : "", o && o->note ? ": " : "",
			        del ? "deleted" : "undeleted");
		rc = journal(st, c.rid, c.version + 1,
		             o && o->action ? o->action : del ? "delete" : "undelete", sum.buf,
		             o ? o->batch : 0, del, err);
		sb_release(&sum);
	}
	current_release(&c);
	return rc;
}

static int be_del(void *be, const char *id, long expected, const struct cat_save_opts *o,
                  strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	rc = setdel_locked(st, id, 0, 1, expected, o, err);
	return wend(st, rc, err);
}

static int be_undel(void *be, const char *id, const struct cat_save_opts *o, strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	rc = setdel_locked(st, id, 0, 0, CAT_ANY, o, err);
	return wend(st, rc, err);
}

/* ------------------------------------------------------------------ */
/* reading */

static void fill_version(sqlite3_stmt *s, int first, struct cat_version *v)
{
	/* columns from `first`: time, user, action, summary, batch, deleted */
	const unsigned char *t = sqlite3_column_text(s, first);
	snprintf(v->time, sizeof v->time, "%s", t ? (const char *)t : "");
	v->user = col_strdup(s, first + 1);
	v->action = col_strdup(s, first + 2);
	v->summary = col_strdup(s, first + 3);
	v->batch = (long)sqlite3_column_int64(s, first + 4);
	v->deleted = sqlite3_column_int(s, first + 5);
}

static int be_fetch(void *be, const char *id, long version, rec *out, struct cat_version *ver,
                    strbuf *err)
{
	struct store *st = be;
	struct current c;
	int rc = load_current(st, id, 0, 0, &c, err);
	if (rc) {
		current_release(&c);
		return rc;
	}
	if (version == 0)
		version = c.version;
	if (version > c.version || version < 1) {
		sb_addf(err, _("record '%s' has no version %ld (it has 1 to %ld)"), id, version,
		        c.version);
		current_release(&c);
		return CAT_NOTFOUND;
	}
	sqlite3_stmt *s = stmt(st, S_VER_GET);
	sqlite3_bind_int64(s, 1, c.rid);
	sqlite3_bind_int64(s, 2, version);
	int deleted = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (ver) {
			memset(ver, 0, sizeof *ver);
			fill_version(s, 0, ver);
			ver->version = version;
		}
		deleted = sqlite3_column_int(s, 5);
		const void *blob = sqlite3_column_blob(s, 6);
		if (version == c.version || !blob)
			rc = store_decode(c.data, c.len, out) ? CAT_ERROR : CAT_OK;
		else
			rc = store_decode(blob, (size_t)sqlite3_column_bytes(s, 6), out) ? CAT_ERROR : CAT_OK;
		if (rc)
			sb_addf(err, _("record '%s' version %ld is damaged in the catalogue"), id, version);
	} else {
		rc = db_err(st, err, _("reading the journal"));
	}
	sqlite3_reset(s);
	current_release(&c);
	if (rc == CAT_OK && deleted)
		rc = CAT_DELETED;
	return rc;
}

static int be_history(void *be, const char *id, struct cat_version **v, size_t *n, strbuf *err)
{
	struct store *st = be;
	struct current c;
	int rc = load_current(st, id, 0, 0, &c, err);
	if (rc) {
		current_release(&c);
		return rc;
	}
	sqlite3_stmt *s = stmt(st, S_VER_LIST);
	sqlite3_bind_int64(s, 1, c.rid);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*v = xrealloc(*v, cap * sizeof **v);
		}
		struct cat_version *x = &(*v)[(*n)++];
		memset(x, 0, sizeof *x);
		x->version = (long)sqlite3_column_int64(s, 0);
		fill_version(s, 1, x);
	}
	sqlite3_reset(s);
	current_release(&c);
	return CAT_OK;
}

/* ------------------------------------------------------------------ */
/* searching */

/* Hits of an FTS5 expression with rowid >= from; -1 on error. */
static long long count_hits(struct store *st, const char *fts, sqlite3_int64 from)
{
	sqlite3_stmt *c = NULL;
	long long n = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1 AND rowid >= ?2",
	                       -1, &c, NULL) == SQLITE_OK) {
		sqlite3_bind_text(c, 1, fts, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 2, from);
		if (sqlite3_step(c) == SQLITE_ROW)
			n = sqlite3_column_int64(c, 0);
	}
	sqlite3_finalize(c);
	return n;
}

/* Estimated hits of an FTS5 expression from the newest 1/256 of the rowids
 * when that has many, else 1/16 (or 1/4 when 1/16 has only a few),
 * rounded to 2 significant digits; -1 when an exact count is wanted (a
 * small catalogue), -2 when there are few hits there (a selective query:
 * rank and count every hit in one pass). */
#define EST_MIN_HITS 24
#define EST_TINY_SAMPLE 128        /* records in the 1/256 sample, at least */
static long est_min_records = 65536;

void store_tune_estimates(long min_records)
{
	est_min_records = min_records > 0 ? min_records : 65536;
}

/* The highest rid: about the number of records, cheaply. */
static sqlite3_int64 max_rid(struct store *st)
{
	sqlite3_stmt *m = NULL;
	sqlite3_int64 max = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(rid) FROM records", -1, &m, NULL) == SQLITE_OK &&
	    sqlite3_step(m) == SQLITE_ROW)
		max = sqlite3_column_int64(m, 0);
	sqlite3_finalize(m);
	return max;
}

/* Walk the sort index rather than sort the hits when hits^2 > this *
 * page * records (a test by rowid costs a few times a row read). */
#define WALK_FACTOR 4.0

/* e rounded to 2 significant digits */
static long long round2(long long e)
{
	long long unit = 1;
	while (e / unit >= 100)
		unit *= 10;
	return (e + unit / 2) / unit * unit;
}

static long long estimate_hits(struct store *st, const char *fts, int *exact)
{
	*exact = 0;
	sqlite3_int64 max = max_rid(st);
	if (max < est_min_records)
		return -1;
	sqlite3_int64 from;
	long long n = -1;
	if (max / 256 >= EST_TINY_SAMPLE) {
		/* a very common word ("viet" in every record) has plenty of
		 * hits in the newest 1/256 already: a sixteenth of the cost */
		from = max - max / 256;
		n = count_hits(st, fts, from);
		if (n < 0)
			return -1;
		/* none there: few or none in all, most likely. Common words that
		 * are seldom together ("tran thi long") cost as much in the newest
		 * 1/16 or 1/4 as in all (FTS5 reads their doclists whatever the
		 * rowid range), so count them all: none is exact and saves the
		 * search itself (1M records: 14 ms, now 8); a few are ranked (as
		 * below); more are "about" as many, newest first like any
		 * estimate (three samples were one pass more) */
		if (n == 0) {
			long long all = count_hits(st, fts, 0);
			if (all <= 0) {
				*exact = all == 0;
				return all;
			}
			if (all < EST_MIN_HITS)
				return -2;
			return round2(all);
		}
	}
	if (n < 4 * EST_MIN_HITS) {
		from = max - max / 16;
		n = count_hits(st, fts, from);
	}
	if (n < 0)
		return -1;
	if (n < EST_MIN_HITS && n >= EST_MIN_HITS / 6) {
		/* a few hundred hits in all, perhaps: the newest quarter tells,
		 * at a third of the cost of counting (and ranking) every hit of
		 * common words ("nguyen van an") */
		from = max - max / 4;
		n = count_hits(st, fts, from);
		if (n < 0)
			return -1;
	}
	if (n < EST_MIN_HITS)
		return -2;
	return round2((long long)((double)n * (double)max / (double)(max - from + 1) + 0.5));
}

/* Title or author order of a broad FTS query. Sorting every hit reads a
 * records row per hit (random pages of a large file). Instead: collect the
 * hits' rowids in a bitmap (one pass over the FTS doclists, which also
 * counts them exactly), then walk the sort index (records_tkey/akey, an
 * index-only scan) until the page is full. Hits that cluster late in the
 * sort order ("Văn hoá ..." under V) would make the walk long: it gives up
 * after a budget of index entries and the caller sorts the usual way.
 * Returns WALK_DONE (res filled) or WALK_NO (the caller searches as
 * usual, and reports any SQL error). */
enum { WALK_NO, WALK_DONE };
#define WALK_MIN_BUDGET 20000

/* res: the ids of the page's rids (deleted ones skipped), n hits in all;
 * WALK_DONE. */
static int res_page(struct store *st, struct cat_result *res, const sqlite3_int64 *rids,
                    size_t got, long long n)
{
	res->ids = xcalloc(got ? got : 1, sizeof *res->ids);
	for (size_t i = 0; i < got; i++) {
		sqlite3_stmt *q = stmt(st, S_ID_BY_RID);
		sqlite3_bind_int64(q, 1, rids[i]);
		if (sqlite3_step(q) == SQLITE_ROW)
			res->ids[res->n++] = col_strdup(q, 0);
		sqlite3_reset(q);
	}
	res->total = n;
	res->estimated = 0;
	return WALK_DONE;
}

/* The page of o among the n hits in bits (words long), in title or
 * author order, walking the sort index; WALK_DONE (res filled) or WALK_NO. */
static int walk_bits(struct store *st, const uint64_t *bits, size_t words, long long n,
                     sqlite3_int64 max, const struct cat_search_opts *o, struct cat_result *res)
{
	double page = (double)(o->offset + o->limit);
	if (n <= 0 || (double)n * (double)n <= WALK_FACTOR * page * (double)max)
		return WALK_NO;
	double expect = page * (double)max / (double)n;
	long long budget = (long long)(8 * expect) > WALK_MIN_BUDGET ? (long long)(8 * expect)
	                                                           : WALK_MIN_BUDGET;
	const char *k = o->sort == CAT_SORT_TITLE ? "tkey" : "akey";
	const char *dir = o->descending ? " DESC" : "";
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT rid FROM records INDEXED BY records_%s "
	         "WHERE deleted = 0 ORDER BY %s%s, rid%s", k, k, dir, dir);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return WALK_NO;            /* no sort index (a bulk load): sort */
	}
	sqlite3_int64 *page_rids = xmalloc((size_t)(o->limit < n ? o->limit : n) * sizeof *page_rids);
	long pos = 0, got = 0;
	long long walked = 0;
	int step = SQLITE_ROW, rc = WALK_NO;
	while (got < o->limit && walked < budget && (step = sqlite3_step(s)) == SQLITE_ROW) {
		walked++;
		sqlite3_int64 rid = sqlite3_column_int64(s, 0);
		if (rid < 0 || (size_t)rid / 64 >= words || !(bits[rid / 64] >> (rid % 64) & 1))
			continue;
		if (pos++ >= o->offset)
			page_rids[got++] = rid;
	}
	sqlite3_finalize(s);
	/* a full page, or every hit seen (a short last page) */
	if (got == o->limit || pos == n || step == SQLITE_DONE)
		rc = res_page(st, res, page_rids, (size_t)got, n);
	free(page_rids);
	return rc;
}

/* OR the rids a query returns into *bits (*words long, grown as needed).
 * 0, or -1 on an SQL error. */
static int rids_into(struct store *st, const char *sql, const struct mk_list *params,
                     uint64_t **bits, size_t *words)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < params->n; i++)
		sqlite3_bind_text(s, (int)i + 1, params->v[i], -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 rid = sqlite3_column_int64(s, 0);
		if (rid < 0)
			continue;
		size_t w = (size_t)rid / 64;
		if (w >= *words) {         /* added since max_rid() */
			size_t nw = w + 1 + *words / 8;
			*bits = xrealloc(*bits, nw * sizeof **bits);
			memset(*bits + *words, 0, (nw - *words) * sizeof **bits);
			*words = nw;
		}
		(*bits)[w] |= (uint64_t)1 << (rid % 64);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

static long long bits_count(const uint64_t *bits, size_t words)
{
	long long n = 0;
	for (size_t k = 0; k < words; k++)
		n += __builtin_popcountll(bits[k]);
	return n;
}

static int walk_sorted(struct store *st, const char *fts, const struct cat_search_opts *o,
                       struct cat_result *res)
{
	sqlite3_int64 max = max_rid(st);
	double page = (double)(o->offset + o->limit);
	/* a cheap guess first: too few hits for a walk to pay? */
	long long guess = termdf_count(st->df, fts);
	int exact;
	if (guess < 0)
		guess = estimate_hits(st, fts, &exact);
	if (guess == -2 || (guess >= 0 && (double)guess * (double)guess <= WALK_FACTOR * page * (double)max))
		return WALK_NO;
	size_t words = (size_t)max / 64 + 1;
	uint64_t *bits = xcalloc(words, sizeof *bits);
	char *word = (char *)fts;
	struct mk_list param = { &word, 1, 1 };
	int rc = WALK_NO;             /* on an SQL error the usual path reports it */
	if (!rids_into(st, "SELECT rowid FROM fts WHERE fts MATCH ?1", &param, &bits, &words))
		rc = walk_bits(st, bits, words, bits_count(bits, words), max, o, res);
	free(bits);
	return rc;
}

/* The rows of rs (rids of live records) as a bitmap (*bits, *words long;
 * the caller frees it): their number, or -1 on an SQL error. An AND of
 * parts that are not one FTS5 expression (words and a year range) is the
 * intersection of each part's bitmap: each part is one pass over an index
 * (an FTS doclist, the year index), where SQLite's INTERSECT sorts both
 * sides. */
static long long query_bitmap(struct store *st, const struct rpn_sql *rs, uint64_t **bits,
                              size_t *words)
{
	*words = (size_t)max_rid(st) / 64 + 1;
	*bits = xcalloc(*words, sizeof **bits);
	int bad;
	if (rs->nconj >= 2) {
		bad = rids_into(st, rs->conj[0].sql.buf, &rs->conj[0].params, bits, words);
		for (size_t c = 1; c < rs->nconj && !bad; c++) {
			size_t w2 = *words;
			uint64_t *b2 = xcalloc(w2, sizeof *b2);
			bad = rids_into(st, rs->conj[c].sql.buf, &rs->conj[c].params, &b2, &w2);
			for (size_t k = 0; k < *words; k++)
				(*bits)[k] &= k < w2 ? b2[k] : 0;
			free(b2);
		}
	} else {
		bad = rids_into(st, rs->sql.buf, &rs->params, bits, words);
	}
	return bad ? -1 : bits_count(*bits, *words);
}

/* The page of o among the n hits in bits in rid order (o->descending:
 * newest first). */
static int rid_page(struct store *st, const uint64_t *bits, size_t words, long long n,
                    const struct cat_search_opts *o, struct cat_result *res)
{
	/* room for the page, not for a --limit far beyond the hits */
	long long room = n > o->offset ? n - o->offset : 0;
	if (room > o->limit)
		room = o->limit;
	sqlite3_int64 *rids = xmalloc((room ? (size_t)room : 1) * sizeof *rids);
	long long pos = 0, got = 0;
	for (size_t k = 0; k < words && got < room; k++) {
		size_t w = o->descending ? words - 1 - k : k;
		for (uint64_t x = bits[w]; x && got < room;) {
			int b = o->descending ? 63 - __builtin_clzll(x) : __builtin_ctzll(x);
			x &= ~((uint64_t)1 << b);
			if (pos++ >= o->offset)
				rids[got++] = (sqlite3_int64)(w * 64 + (size_t)b);
		}
	}
	int rc = res_page(st, res, rids, (size_t)got, n);
	free(rids);
	return rc;
}

/* A hit and its sort key (NULL: none), for top_from_bits. */
struct keyed {
	sqlite3_int64 rid;
	unsigned char *key;
	int len;
};

/* ORDER BY key, rid (SQL: a NULL key first); desc reverses it all. */
static int keyed_cmp(const struct keyed *a, const struct keyed *b, int desc)
{
	int c;
	if (!a->key || !b->key)
		c = a->key ? 1 : b->key ? -1 : 0;
	else {
		c = memcmp(a->key, b->key, (size_t)(a->len < b->len ? a->len : b->len));
		if (!c)
			c = a->len < b->len ? -1 : a->len > b->len;
	}
	if (!c)
		c = a->rid < b->rid ? -1 : a->rid > b->rid;
	return desc ? -c : c;
}

static void keyed_sift(struct keyed *h, size_t n, size_t i, int desc)
{
	for (;;) {                     /* max-heap: the last kept at the root */
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && keyed_cmp(&h[l], &h[m], desc) > 0)
			m = l;
		if (r < n && keyed_cmp(&h[r], &h[m], desc) > 0)
			m = r;
		if (m == i)
			return;
		struct keyed t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void keyed_heapify(struct keyed *h, size_t n, int desc)
{
	for (size_t i = n / 2 + 1; i-- > 0;)
		keyed_sift(h, n, i, desc);
}

/* The page of o among the n hits in bits in title or author order, by
 * reading each hit's sort key and keeping the first offset + limit (for
 * hits too few, or too clustered in the order, for walk_bits). */
static int top_from_bits(struct store *st, const uint64_t *bits, size_t words, long long n,
                         const struct cat_search_opts *o, struct cat_result *res)
{
	const char *sql = o->sort == CAT_SORT_TITLE ? "SELECT tkey FROM records WHERE rid = ?1"
	                                            : "SELECT akey FROM records WHERE rid = ?1";
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return WALK_NO;
	}
	long long w8 = (long long)o->offset + o->limit;
	size_t want = (size_t)(w8 < n ? w8 : n), nh = 0;
	struct keyed *h = xcalloc(want ? want : 1, sizeof *h);
	int desc = o->descending;
	for (size_t w = 0; w < words && want; w++) {
		for (uint64_t x = bits[w]; x; x &= x - 1) {
			struct keyed k = { (sqlite3_int64)(w * 64 + (size_t)__builtin_ctzll(x)), NULL, 0 };
			sqlite3_bind_int64(s, 1, k.rid);
			if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
				k.len = sqlite3_column_bytes(s, 0);
				k.key = (unsigned char *)sqlite3_column_blob(s, 0);
			}
			if (nh < want || keyed_cmp(&k, &h[0], desc) < 0) {
				if (k.key)
					k.key = memcpy(xmalloc((size_t)k.len + 1), k.key, (size_t)k.len);
				if (nh < want) {
					h[nh++] = k;   /* a heap once full */
					if (nh == want)
						keyed_heapify(h, nh, desc);
				} else {
					free(h[0].key);
					h[0] = k;
					keyed_sift(h, nh, 0, desc);
				}
			}
			sqlite3_reset(s);
		}
	}
	sqlite3_finalize(s);
	/* heap sort: the kept hits in order */
	if (nh < want)
		keyed_heapify(h, nh, desc);
	for (size_t end = nh; end > 1; end--) {
		struct keyed t = h[0];
		h[0] = h[end - 1];
		h[end - 1] = t;
		keyed_sift(h, end - 1, 0, desc);
	}
	size_t first = nh > (size_t)o->offset ? (size_t)o->offset : nh;
	sqlite3_int64 *rids = xmalloc((nh - first + 1) * sizeof *rids);
	for (size_t i = first; i < nh; i++)
		rids[i - first] = h[i].rid;
	for (size_t i = 0; i < nh; i++)
		free(h[i].key);
	free(h);
	int rc = res_page(st, res, rids, nh - first, n);
	free(rids);
	return rc;
}

/* A year, number or id search, or one mixing them with words, in any
 * order but year's: its hits as one bitmap (query_bitmap) give the count;
 * the page is read off it in rid order (before, a count and then the page
 * each ran the query), or in title or author order by walking the sort
 * index (walk_bits) or, when that does not pay, from the hits' own keys
 * (top_from_bits). WALK_DONE (res filled), or WALK_NO on an SQL error (the
 * caller searches as usual and reports it). */
static int search_bitmap(struct store *st, const struct rpn_sql *rs,
                         const struct cat_search_opts *o, struct cat_result *res)
{
	uint64_t *bits;
	size_t words;
	long long n = query_bitmap(st, rs, &bits, &words);
	int rc = WALK_NO;
	if (n >= 0 && (o->sort == CAT_SORT_TITLE || o->sort == CAT_SORT_AUTHOR)) {
		rc = walk_bits(st, bits, words, n, max_rid(st), o, res);
		if (rc == WALK_NO)
			rc = top_from_bits(st, bits, words, n, o, res);
	} else if (n >= 0) {
		rc = rid_page(st, bits, words, n, o, res);
	}
	free(bits);
	return rc;
}

/* How many of o's further sort keys order anything: none after relevance
 * or the id (the fast paths of one key then still serve). */
static int then_keys(const struct cat_search_opts *o)
{
	if (o->sort != CAT_SORT_TITLE && o->sort != CAT_SORT_AUTHOR && o->sort != CAT_SORT_YEAR)
		return 0;
	return o->nthen < 0 ? 0 : o->nthen > CAT_SORT_THEN ? CAT_SORT_THEN : o->nthen;
}

/* The ORDER BY list of a search of records r in o's order: its keys, then
 * the rid (in the first key's direction) for the ties left. A further
 * relevance key is skipped; an id key ends the list. */
static void order_by(strbuf *sql, const struct cat_search_opts *o)
{
	int n = then_keys(o);
	for (int i = -1; i < n; i++) {
		int k = i < 0 ? o->sort : o->then[i].sort;
		const char *dir = (i < 0 ? o->descending : o->then[i].descending) ? " DESC" : "";
		switch (k) {
		case CAT_SORT_TITLE:
		case CAT_SORT_AUTHOR:
			sb_addf(sql, "r.%s%s, ", k == CAT_SORT_TITLE ? "tkey" : "akey", dir);
			break;
		case CAT_SORT_YEAR:
			sb_addf(sql, "r.year%s, ", dir);
			break;
		case CAT_SORT_ID:
			if (i >= 0) {
				sb_addf(sql, "r.rid%s", dir);
				return;
			}
			break;
		default:
			break;
		}
	}
	sb_addf(sql, "r.rid%s", o->descending ? " DESC" : "");   /* ties: the reverse order too */
}

static int be_search(void *be, const struct Z_RPNQuery *q, const struct cat_search_opts *o,
                     struct cat_result *res, strbuf *err)
{
	struct store *st = be;
	struct rpn_sql rs;
	/* this transaction's own keys and headings become searchable */
	if ((st->npk && keys_flush(st, err)) || (st->nph && heads_flush(st, err)))
		return CAT_ERROR;
	if (rpn2sql(q, &rs, err)) {
		rpn_sql_release(&rs);
		return CAT_QUERY;
	}
	strbuf sql = STRBUF_INIT;
	int ranked = rs.fts && o->sort == CAT_SORT_RELEVANCE;
	const char *del = o->include_deleted ? "" : " AND +r.deleted = 0";  /* no index on it */
	long long counted = -1;
	int estimated = 0, one_pass = 0;
	if (ranked && !o->include_deleted) {
		/* Ranking costs a score for every hit: for a broad query count the
		 * hits (cheaper) and show the newest first instead. Deleted records
		 * are not in the FTS index, so the count is exact. A phrase of
		 * common words still costs a pass over long position lists: with
		 * opts.estimate, count the hits among the newest 1/16 of the
		 * records (FTS5 seeks to a rowid) and, if there are many, scale. */
		counted = termdf_count(st->df, rs.fts);    /* one word: exact, one row */
		int exact = counted >= 0;
		if (!exact && o->estimate)
			counted = estimate_hits(st, rs.fts, &exact);
		if (counted == -2)
			one_pass = 1;
		else if (counted >= 0)
			estimated = !exact;
		else
			counted = count_hits(st, rs.fts, 0);
		if (counted == 0 && !estimated) {
			/* no hits (deleted records are not in the index): no ranking */
			rpn_sql_release(&rs);
			memset(res, 0, sizeof *res);
			return CAT_OK;
		}
	}
	/* the fast paths below order by one key: not for further keys */
	if (!ranked && rs.fts && o->limit > 0 && !o->include_deleted && st->schema >= 3 &&
	    (o->sort == CAT_SORT_TITLE || o->sort == CAT_SORT_AUTHOR) && !then_keys(o)) {
		if (walk_sorted(st, rs.fts, o, res) == WALK_DONE) {
			rpn_sql_release(&rs);
			return CAT_OK;
		}
	}
	if (!ranked && !rs.fts && o->limit > 0 && !o->include_deleted &&
	    o->sort != CAT_SORT_YEAR && !then_keys(o)) {
		if (search_bitmap(st, &rs, o, res) == WALK_DONE) {
			rpn_sql_release(&rs);
			return CAT_OK;
		}
	}
	if (one_pass) {
		/* few hits: rank them all in the FTS table, count them on the
		 * way and look up the ids of the page only */
		counted = -1;
		sb_adds(&sql, "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank, rowid DESC");
	} else if (ranked && counted >= 0) {
		/* rank inside the FTS table and join only the page with records
		 * (a join per hit costs a records page read per hit); deleted
		 * records are not in the FTS index */
		/* (the same order whatever the page: -n 0, all hits, too) */
		char lim[40] = "";
		if (o->limit > 0)
			snprintf(lim, sizeof lim, " LIMIT %ld", o->offset + o->limit);
		sb_addf(&sql, "SELECT r.id FROM (SELECT rowid AS hrid, %s AS score FROM fts "
		              "WHERE fts MATCH ?1 ORDER BY %s%s) h "
		              "JOIN records r ON r.rid = h.hrid%s ORDER BY h.score, h.hrid DESC",
		        estimated || counted > STORE_RANK_MAX ? "0" : "rank",
		        estimated || counted > STORE_RANK_MAX ? "rowid DESC" : "rank, rowid DESC",
		        lim, del);
	} else if (ranked) {
		sb_addf(&sql, "SELECT r.id FROM fts JOIN records r ON r.rid = fts.rowid "
		              "WHERE fts MATCH ?1%s ORDER BY fts.rank, fts.rowid DESC", del);
	} else {
		sb_addf(&sql, "SELECT r.id FROM records r WHERE r.rid IN (%s)%s ORDER BY ",
		        rs.sql.buf, del);
		order_by(&sql, o);
	}
	sqlite3_stmt *s = NULL;
	int rc = CAT_OK;
	if (sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL) != SQLITE_OK) {
		rc = db_err(st, err, _("reading the catalogue"));
		goto out;
	}
	if (ranked) {
		sqlite3_bind_text(s, 1, rs.fts, -1, SQLITE_STATIC);
	} else {
		for (size_t i = 0; i < rs.params.n; i++)
			sqlite3_bind_text(s, (int)i + 1, rs.params.v[i], -1, SQLITE_STATIC);
	}
	size_t cap = 0;
	long pos = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (pos >= o->offset && (o->limit <= 0 || pos < o->offset + o->limit)) {
			char *id = NULL;
			if (one_pass) {
				sqlite3_stmt *q2 = stmt(st, S_ID_BY_RID);
				sqlite3_bind_int64(q2, 1, sqlite3_column_int64(s, 0));
				if (sqlite3_step(q2) == SQLITE_ROW)
					id = col_strdup(q2, 0);
				sqlite3_reset(q2);
			} else {
				id = col_strdup(s, 0);
			}
			if (id) {
				if (res->n == cap) {
					cap = cap ? 2 * cap : 16;
					res->ids = xrealloc(res->ids, cap * sizeof *res->ids);
				}
				res->ids[res->n++] = id;
			}
		}
		pos++;
	}
	res->total = counted >= 0 ? counted : pos;
	res->estimated = estimated;
	if (step != SQLITE_DONE) {
		rc = db_err(st, err, _("reading the catalogue"));
		if (rc == CAT_ERROR)
			rc = CAT_QUERY;
	}
out:
	sqlite3_finalize(s);
	sb_release(&sql);
	rpn_sql_release(&rs);
	return rc;
}

static int be_scan(void *be, const char *since,
                   int (*fn)(void *arg, const char *id, const rec *r), void *arg, strbuf *err)
{
	struct store *st = be;
	sqlite3_stmt *s = NULL;
	const char *sql = since ?
		"SELECT r.id, r.data FROM records r JOIN versions v ON v.rid = r.rid "
		"AND v.version = r.version WHERE r.deleted = 0 AND v.time >= ?1 ORDER BY r.rid" :
		"SELECT id, data FROM records WHERE deleted = 0 ORDER BY rid";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, _("reading the catalogue"));
	if (since)
		bind_text(s, 1, since);
	rec *r = rec_create();
	int rc = CAT_OK, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		if (store_decode(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1), r)) {
			sb_addf(err, _("record '%s' is damaged in the catalogue"), id);
			rc = CAT_ERROR;
			break;
		}
		rc = fn(arg, id, r);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_err(st, err, _("reading the catalogue"));
	rec_destroy(r);
	sqlite3_finalize(s);
	return rc;
}

/* A page of headings of index: the n from the first whose key is >= from's
 * (back = 0), or the n before it (back = 1, in collation order too: the
 * statement reads them nearest first). */
static int browse(struct store *st, const char *index, const char *from, size_t n, int back,
                  struct cat_heading **h, size_t *nh, strbuf *err)
{
	int idx = !strcmp(index, "title") ? H_TITLE : !strcmp(index, "author") ? H_AUTHOR :
	          !strcmp(index, "subject") ? H_SUBJECT : !strcmp(index, "callno") ? H_CALLNO : 0;
	if (!idx) {
		sb_addf(err, _("no browse index '%s' (title, author, subject, callno)"), index);
		return CAT_QUERY;
	}
	if (st->nph && heads_flush(st, err))     /* this transaction's own rows too */
		return CAT_ERROR;
	strbuf key = STRBUF_INIT;
	if (from && *from && coll_sort_key(from, &key)) {
		sb_adds(err, _("the browse term is not valid text"));
		sb_release(&key);
		return CAT_QUERY;
	}
	int which = st->schema >= 7 ? S_BROWSE : st->schema >= 5 ? S_BROWSE6 : S_BROWSE4;
	if (back)
		which = st->schema >= 7 ? S_BROWSE_BACK : st->schema >= 5 ? S_BROWSE6_BACK
		                                                          : S_BROWSE4_BACK;
	sqlite3_stmt *s = stmt(st, which);
	sqlite3_bind_int(s, 1, idx);
	sqlite3_bind_blob(s, 2, key.buf ? key.buf : "", (int)key.len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)n);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*nh == cap) {
			cap = cap ? 2 * cap : 16;
			*h = xrealloc(*h, cap * sizeof **h);
		}
		struct cat_heading *x = &(*h)[(*nh)++];
		x->heading = col_strdup(s, 0);
		x->count = (long)sqlite3_column_int64(s, 1);
		x->id = col_strdup(s, 2);
	}
	sqlite3_reset(s);
	sb_release(&key);
	for (size_t i = 0; back && i < *nh / 2; i++) {
		struct cat_heading t = (*h)[i];
		(*h)[i] = (*h)[*nh - 1 - i];
		(*h)[*nh - 1 - i] = t;
	}
	return CAT_OK;
}

static int be_browse(void *be, const char *index, const char *from, size_t n,
                     struct cat_heading **h, size_t *nh, strbuf *err)
{
	return browse(be, index, from, n, 0, h, nh, err);
}

static int be_browse_before(void *be, const char *index, const char *from, size_t n,
                            struct cat_heading **h, size_t *nh, strbuf *err)
{
	return browse(be, index, from, n, 1, h, nh, err);
}

/* Organisation codes that library systems put in 003 by default, the
 * same in every library that did not set its own: SirsiDynix's "SIRSI"
 * (2,048 records of one corpus file) and Koha's "OSt". Each such library
 * numbers its books 1, 2, 3 as well. */
static const char *const default_orgs[] = { "SIRSI", "OSt" };

/* Whether key is "sys:(ORG)..." with ORG one of default_orgs (any case). */
static int default_org_key(const char *key)
{
	if (strncmp(key, "sys:(", 5))
		return 0;
	for (size_t i = 0; i < sizeof default_orgs / sizeof *default_orgs; i++) {
		size_t n = strlen(default_orgs[i]);
		if (!strncasecmp(key + 5, default_orgs[i], n) && key[5 + n] == ')')
			return 1;
	}
	return 0;
}

/* Whether id, found by r's key, is a match. A number in this
 * catalogue's own series ("sys:(ORG)...", from r's 001+003 or an 035) is
 * trusted only if the records could be one (mk_same_record): another
 * catalogue with the same organisation code numbers other books the same
 * way. So is a number that names no organisation ("sys:1", from an 001
 * without 003 or a bare 035), or a system's default one (default_orgs):
 * every legacy system counts 1, 2, 3. Any
 * other key is a match, if both are authority records or neither is,
 * and an ISBN only if they are not two volumes of one set (the set's
 * ISBN in both, mk_same_volume). */
static int key_matches(struct store *st, const rec *r, const char *key, const char *id)
{
	size_t ol = strlen(st->org);
	int bare = !strncmp(key, "sys:", 4) && key[4] != '(';
	int check = bare || default_org_key(key) ||
	            !(strncmp(key, "sys:(", 5) || strncmp(key + 5, st->org, ol) || key[5 + ol] != ')');
	struct current c;
	strbuf e = STRBUF_INIT;
	int same = 1;
	if (load_current(st, id, 0, 1, &c, &e) == CAT_OK && c.r) {
		/* an authority record is never a book: a system numbers both
		 * kinds 1, 2, 3 under one organisation code */
		same = auth_is_authority(r) == auth_is_authority(c.r);
		if (same && check)
			same = mk_same_record(r, c.r);
		/* volumes of one set share its ISBN, each has its own too */
		if (same && !strncmp(key, "isbn:", 5))
			same = mk_same_volume(r, c.r);
	}
	current_release(&c);
	sb_release(&e);
	return same;
}

static int be_match(void *be, const rec *r, const void *prep, int keys, char ***ids, size_t *n,
                    strbuf *err)
{
	struct store *st = be;
	const struct store_prep *pp = prep;
	struct mk_list kl = { 0 }, out = { 0 };
	(void)err;
	if (pp) {
		for (int k = 0; k < NMK; k++)
			if (keys & mk_kinds[k])
				for (size_t i = 0; i < pp->mk[k].n; i++)
					mk_list_add(&kl, pp->mk[k].v[i]);
	} else {
		mk_record_keys(r, keys, &kl);
	}
	for (size_t i = 0; i < kl.n; i++) {
		struct mk_list found = { 0 };
		uint32_t h = key_hash(kl.v[i]);
		if (!st->kf || bloom_maybe(st->kf, h)) {     /* else certainly not in keys */
			sqlite3_stmt *s = stmt(st, S_KEY_MATCH);
			bind_text(s, 1, kl.v[i]);
			while (sqlite3_step(s) == SQLITE_ROW)
				mk_list_add(&found, (const char *)sqlite3_column_text(s, 0));
			sqlite3_reset(s);
		}
		/* this transaction's own records, not in the table yet */
		size_t pos = h;
		for (size_t j; (j = ixhash_find(&st->pkx, h, &pos)) != SIZE_MAX;) {
			const struct pend_key *p = &st->pk[j];
			if (strcmp(p->key, kl.v[i]))
				continue;
			sqlite3_stmt *q = stmt(st, S_ID_BY_RID);
			sqlite3_bind_int64(q, 1, p->rid);
			if (sqlite3_step(q) == SQLITE_ROW)
				mk_list_add(&found, (const char *)sqlite3_column_text(q, 0));
			sqlite3_reset(q);
		}
		/* (load_current below reuses statements: the lookups are done) */
		for (size_t j = 0; j < found.n; j++)
			if (key_matches(st, r, kl.v[i], found.v[j]))
				mk_list_add(&out, found.v[j]);
		mk_list_release(&found);
	}
	mk_list_release(&kl);
	/* id order = age order (same prefix, zero-padded) */
	for (size_t i = 1; i < out.n; i++)
		for (size_t j = i; j > 0 && strcmp(out.v[j - 1], out.v[j]) > 0; j--) {
			char *t = out.v[j];
			out.v[j] = out.v[j - 1];
			out.v[j - 1] = t;
		}
	*ids = out.v;
	*n = out.n;
	return CAT_OK;
}

static char *be_get_setting(void *be, const char *key)
{
	return get_setting(be, key);
}

static int be_set_setting(void *be, const char *key, const char *value, strbuf *err)
{
	struct store *st = be;
	if (!strcmp(key, "next_id") || !strcmp(key, "collator_version") || !strcmp(key, "icu_version") ||
	    !strcmp(key, "sort_indexes") || !strcmp(key, "browse_deferred")) {
		sb_addf(err, _("'%s' is managed by bienmuc"), key);
		return CAT_ERROR;
	}
	if (!strcmp(key, "org_code") || !strcmp(key, "id_prefix")) {
		if (!*value || strpbrk(value, " \t\n()")) {
			sb_addf(err, _("'%s' is not a valid %s"), value, key);
			return CAT_ERROR;
		}
	}
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	rc = set_setting(st, key, value, err);
	rc = wend(st, rc, err);
	if (!rc && !strcmp(key, "org_code")) {
		free(st->org);
		st->org = xstrdup(value);
	} else if (!rc && !strcmp(key, "id_prefix")) {
		free(st->prefix);
		st->prefix = xstrdup(value);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* batches */

static int be_batch_start(void *be, const char *command, long *batch, strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	char now[24];
	now_text(now);
	sqlite3_stmt *s = stmt(st, S_BATCH_START);
	bind_text(s, 1, now);
	bind_text(s, 2, st->user);
	bind_text(s, 3, command);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_err(st, err, _("starting a batch"));
	sqlite3_reset(s);
	long b = (long)sqlite3_last_insert_rowid(st->db);
	rc = wend(st, rc, err);
	if (!rc)                   /* a batch whose commit failed does not exist */
		*batch = b;
	return rc;
}

static int be_batch_progress(void *be, long batch, const char *filekey, long recno,
                             long long offset, int file_done, const struct cat_batch *counts,
                             strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = stmt(st, S_BFILE_SET);
	sqlite3_bind_int64(s, 1, batch);
	bind_text(s, 2, filekey);
	sqlite3_bind_int64(s, 3, recno);
	sqlite3_bind_int64(s, 4, offset);
	sqlite3_bind_int(s, 5, file_done);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_err(st, err, _("recording progress"));
	sqlite3_reset(s);
	if (!rc && counts) {
		s = stmt(st, S_BATCH_COUNTS);
		sqlite3_bind_int64(s, 1, batch);
		sqlite3_bind_int64(s, 2, counts->added);
		sqlite3_bind_int64(s, 3, counts->replaced);
		sqlite3_bind_int64(s, 4, counts->merged);
		sqlite3_bind_int64(s, 5, counts->skipped);
		sqlite3_bind_int64(s, 6, counts->rejected);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("recording progress"));
		sqlite3_reset(s);
	}
	return wend(st, rc, err);
}

static int be_batch_resume(void *be, const char *filekey, long *batch, long *recno,
                           long long *offset, int *file_done, strbuf *err)
{
	struct store *st = be;
	(void)err;
	sqlite3_stmt *s = stmt(st, S_BFILE_RESUME);
	bind_text(s, 1, filekey);
	int rc = CAT_NOTFOUND;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*batch = (long)sqlite3_column_int64(s, 0);
		*recno = (long)sqlite3_column_int64(s, 1);
		*offset = sqlite3_column_int64(s, 2);
		*file_done = sqlite3_column_int(s, 3);
		rc = CAT_OK;
	}
	sqlite3_reset(s);
	return rc;
}

static int be_batch_finish(void *be, long batch, const char *state, strbuf *err)
{
	struct store *st = be;
	int rc = wbegin(st, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = stmt(st, S_BATCH_STATE);
	sqlite3_bind_int64(s, 1, batch);
	bind_text(s, 2, state);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_err(st, err, _("finishing a batch"));
	sqlite3_reset(s);
	return wend(st, rc, err);
}

/* ------------------------------------------------------------------ */
/* bulk loading: the sort indexes suspended
 *
 * records_tkey and records_akey are B-trees over random keys (ICU sort
 * keys). Adding a million records one by one reads and writes most of
 * their pages again at every commit: a third of the time of a 1M-record
 * import. A large import into a catalogue no bigger than itself drops
 * them and builds them once at the end, from one sort (1.5x faster at 1M
 * records, about 15% at 100k).
 *
 * The setting sort_indexes = "suspended" says they are gone. Every handle
 * that suspended them holds a shared OFD lock on byte 0 of DB-wait (the
 * fair write lock's flock() on the same file is a separate lock). Whoever
 * can take it exclusively builds them again: the last loader to finish,
 * or, after a loader was killed, the next handle opened read-write.
 * Searches are correct without them: walk_sorted() gives up and sorts. */

#define BULK_MIN_RECORDS 10000

/* Lock byte 0 of DB-wait: type F_RDLCK, F_WRLCK or F_UNLCK. 0 or -1. */
static int bulk_lock(struct store *st, short type, int wait)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	int rc;
	while ((rc = fcntl(st->wait_fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) != 0 &&
	       errno == EINTR)
		;
	return rc;
}

/* What bulk loads left to do: the sort indexes to build (suspended), the
 * browse index (deferred, see "deferred browse headings"). */
static void bulk_leftovers(struct store *st, int *suspended, int *deferred)
{
	char *v = get_setting(st, "sort_indexes");
	*suspended = v && !strcmp(v, "suspended");
	free(v);
	v = get_setting(st, "browse_deferred");
	*deferred = v != NULL;
	free(v);
}

/* The fts table's setting k on db, or dflt (FTS5's default) if it has none. */
static long fts_config_int(sqlite3 *db, const char *k, long dflt)
{
	sqlite3_stmt *s = NULL;
	long v = dflt;
	if (sqlite3_prepare_v2(db, "SELECT v FROM fts_config WHERE k = ?1", -1, &s, NULL) ==
	        SQLITE_OK &&
	    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Build the sort indexes again if they are suspended and no loader is at
 * work (outside any transaction), and the browse index first if a loader
 * died with deferred headings; a big load's keyword index segments are
 * merged first (be_bulk_begin). The sort indexes on a connection of its
 * own: this one has
 * temp_store = MEMORY, where SQLite keeps a whole sort in memory (110 MB
 * for a million records); with temporary files it stays in the page cache
 * and is faster too. announce: say so first (catalog_notice). */
static int sort_indexes_restore(struct store *st, int announce, strbuf *err)
{
	if (st->readonly || st->wait_fd < 0 || st->in_tx)
		return CAT_OK;
	int suspended, deferred;
	bulk_leftovers(st, &suspended, &deferred);
	if ((!suspended && !deferred) || bulk_lock(st, F_WRLCK, 0) != 0)
		return CAT_OK;             /* nothing to do, or a loader's job */
	/* another handle may have built them between the look and the lock */
	bulk_leftovers(st, &suspended, &deferred);
	/* a loader that died left records without browse rows (see "deferred
	 * browse headings"): all of them again, about 10 s a million records */
	if (deferred) {
		if (announce)
			catalog_notice(_("building the browse index again (an import was interrupted)"));
		strbuf e = STRBUF_INIT;
		if (rebuild_browse(st, REBUILD_DEFERRED, &e)) {
			sb_addf(err, _("building the browse index: %s"), e.buf ? e.buf : "");
			sb_release(&e);
			bulk_lock(st, F_UNLCK, 0);
			return CAT_ERROR;
		}
		sb_release(&e);
	}
	if (!suspended) {
		bulk_lock(st, F_UNLCK, 0);
		return CAT_OK;
	}
	if (announce)
		catalog_notice(_("building the title and author sort indexes again "
		                 "(an import was interrupted)"));
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = CAT_OK;
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK) {
		sb_addf(err, _("cannot open catalogue '%s': %s"), st->path,
		        db ? sqlite3_errmsg(db) : _("out of memory"));
		rc = CAT_ERROR;
	} else {
		sqlite3_busy_handler(db, busy_handler, st);
		/* the sorts on a second processor too (the import's reading thread
		 * is done by now): SQLite's sorter hands its runs to a helper
		 * thread (both indexes of 1M records: median 3.8 s, against 4.1 s
		 * on one, 7 runs each; same memory; 100k fit in one run: no gain) */
		if (import_threads() > 1)
			sqlite3_exec(db, "PRAGMA threads = 1", NULL, NULL, NULL);
		/* synchronous as on every catalogue connection (store_open): in WAL
		 * mode a commit then does not wait for the disk, a checkpoint does */
		if (sqlite3_exec(db, "PRAGMA synchronous = NORMAL;"
		                 "PRAGMA temp_store = FILE; PRAGMA cache_size = -8000;"
		                 "BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK ||
		    /* a big load left the keyword index's segments unmerged (see
		     * be_bulk_begin): all into one, and merging as it goes again */
		    (fts_config_int(db, "automerge", 4) == 0 &&
		     sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('optimize');"
		                  "INSERT INTO fts(fts, rank) VALUES('crisismerge', 16);"
		                  "INSERT INTO fts(fts, rank) VALUES('automerge', 4);"
		                  "COMMIT; BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) ||
		    sqlite3_exec(db, SORT_INDEXES_SQL
		                 /* the statistics an import's PRAGMA optimize would
		                  * have left (under a second for 1M records) */
		                 "ANALYZE records;"
		                 "DELETE FROM settings WHERE key = 'sort_indexes';"
		                 "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			strbuf full = STRBUF_INIT;
			store_say_disk_full(db, &full);
			sb_addf(err, _("building the sort indexes: %s"),
			        full.len ? full.buf : msg ? msg : sqlite3_errmsg(db));
			sb_release(&full);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			rc = CAT_ERROR;
		}
		wait_release(st);
	}
	sqlite3_free(msg);
	sqlite3_close(db);
	bulk_lock(st, F_UNLCK, 0);
	if (!rc)
		let_waiters_in(st);
	return rc;
}

#define FTS_HASHSIZE 8388608
#define FTS_DEFER_MIN 400000
#define STR_(x) #x
#define STR(x) STR_(x)

/* Make the filters of "certainly absent" (see absent_check) for a load of
 * about expected records (-1: not known), from the headings and keys the
 * catalogue has (a bulk load is at least as big as the catalogue, so
 * reading them costs less than the lookups saved). Outside a transaction;
 * without them if anything fails. */
#define ABSENT_MAX_BYTES (1 << 20)       /* each: 2 MB for both at most (1M records: 4-8
                                            * bits an entry, most lookups still saved) */
static void absent_start(struct store *st, long expected)
{
	absent_stop(st);
	long long dv = data_version(st);
	if (dv < 0 || exec(st, "BEGIN", NULL))
		return;
	sqlite3_int64 have = max_rid(st);
	size_t n = (size_t)((expected > 0 ? expected : 100000) + have);
	/* about 2 headings and 3 keys a record (a power of 2 of bits, so
	 * 8-16 bits an entry: under 2% answer "maybe" wrongly) */
	st->hf = bloom_create(2 * n, 8, ABSENT_MAX_BYTES);
	st->kf = bloom_create(3 * n, 8, ABSENT_MAX_BYTES);
	sqlite3_stmt *s = NULL;
	int step = SQLITE_DONE;
	int ok = sqlite3_prepare_v2(st->db, "SELECT idx, key FROM headings", -1, &s, NULL) == SQLITE_OK;
	while (ok && (step = sqlite3_step(s)) == SQLITE_ROW)
		bloom_add(st->hf, head_hash_of(sqlite3_column_int(s, 0), sqlite3_column_blob(s, 1),
		                               (size_t)sqlite3_column_bytes(s, 1)));
	ok = ok && step == SQLITE_DONE;
	sqlite3_finalize(s);
	s = NULL;
	ok = ok && sqlite3_prepare_v2(st->db, "SELECT key FROM keys", -1, &s, NULL) == SQLITE_OK;
	while (ok && (step = sqlite3_step(s)) == SQLITE_ROW)
		bloom_add(st->kf, key_hash((const char *)sqlite3_column_text(s, 0)));
	ok = ok && step == SQLITE_DONE;
	sqlite3_finalize(s);
	exec(st, "COMMIT", NULL);
	if (!ok)
		absent_stop(st);
	st->dv = dv;
}

static int be_bulk_begin(void *be, long expected, int *suspended, strbuf *err)
{
	struct store *st = be;
	if (st->readonly || st->wait_fd < 0 || st->bulk || st->in_tx)
		return CAT_OK;
	if (expected >= 0 && (expected < BULK_MIN_RECORDS || expected < max_rid(st)))
		return CAT_OK;
	if (bulk_lock(st, F_RDLCK, 1) != 0)
		return CAT_OK;             /* no lock, no suspending */
	int rc = wbegin(st, err);
	if (!rc)
		rc = set_setting(st, "sort_indexes", "suspended", err);
	if (!rc)
		rc = exec(st, "DROP INDEX IF EXISTS records_tkey;"
		              "DROP INDEX IF EXISTS records_akey", err);
	/* the new records' browse headings wait for the end (see "deferred
	 * browse headings"); without that if no scratch file can be made */
	if (!rc && st->schema >= 7 && (st->runs = hruns_create(st->path))) {
		st->defer_from = max_rid(st);
		if (!st->dp)
			st->dp = xcalloc(1, sizeof *st->dp);
		rc = deferred_note(st, 1, err);
	}
	/* FTS5 gathers new words in memory and writes them out as a segment
	 * when they pass hashsize (1 MB by default) or at a commit; segments
	 * are merged later. 8 MB: a quarter as many segments to write and
	 * merge, 5% off a 100k-record import, for 8 MB more memory (peak RSS
	 * 58 MB). It stays set (a row of fts_config): later loads use it too,
	 * single saves never fill it. */
	if (!rc && fts_config_int(st->db, "hashsize", 1048576) != FTS_HASHSIZE)
		rc = exec(st, "INSERT INTO fts(fts, rank) VALUES('hashsize', "
		              STR(FTS_HASHSIZE) ")", err);
	/* A big load (FTS_DEFER_MIN records or more, or --bulk): FTS5 merges
	 * none of its segments as it goes (automerge 0; a level that reaches
	 * 64 segments is merged at once), and whoever builds the sort
	 * indexes again merges them all into one (sort_indexes_restore).
	 * Merged as it went, a load's words were written three times over by
	 * 1M records; here twice. 1M records: 19.3-19.8 s against 20.6-20.9,
	 * and searches afterwards faster (keyword median 0.62 ms against
	 * 0.93); 400k: the same either way. Searches by others during the
	 * load read more segments. */
	if (!rc && (expected < 0 || expected >= FTS_DEFER_MIN))
		rc = exec(st, "INSERT INTO fts(fts, rank) VALUES('automerge', 0);"
		              "INSERT INTO fts(fts, rank) VALUES('crisismerge', 64)", err);
	rc = wend(st, rc, err);
	if (rc) {
		bulk_lock(st, F_UNLCK, 0);
		hruns_destroy(st->runs);
		st->runs = NULL;
	} else {
		st->bulk = *suspended = 1;
		st->ckpt = store_ckpt_start(st->path);
		absent_start(st, expected);
	}
	return rc;
}

static int be_bulk_end(void *be, strbuf *err)
{
	struct store *st = be;
	if (!st->bulk)
		return CAT_OK;
	st->bulk = 0;
	int rc = CAT_OK;
	if (st->runs) {
		/* (its filters still save lookups) */
		rc = runs_merge(st, err);
		hruns_destroy(st->runs);
		st->runs = NULL;
	}
	absent_stop(st);
	bulk_lock(st, F_UNLCK, 0);
	/* the checkpoints go on while the indexes are built; after a failed
	 * merge, that builds the browse index again */
	strbuf e = STRBUF_INIT;
	if (sort_indexes_restore(st, rc != CAT_OK, &e) && !rc) {
		sb_adds(err, e.buf ? e.buf : "");
		rc = CAT_ERROR;
	}
	sb_release(&e);
	store_ckpt_stop(st->ckpt);
	st->ckpt = NULL;
	return rc;
}

/* be_bulk_end, its message (if any) into err (may be NULL). */
static int bulk_end_quiet(struct store *st, strbuf *err)
{
	strbuf e = STRBUF_INIT;
	int rc = be_bulk_end(st, &e);
	if (rc && err)
		sb_adds(err, e.buf ? e.buf : "");
	sb_release(&e);
	return rc;
}

static void fill_batch(sqlite3_stmt *s, struct cat_batch *b)
{
	memset(b, 0, sizeof *b);
	b->id = (long)sqlite3_column_int64(s, 0);
	const unsigned char *t = sqlite3_column_text(s, 1);
	snprintf(b->time, sizeof b->time, "%s", t ? (const char *)t : "");
	b->user = col_strdup(s, 2);
	b->command = col_strdup(s, 3);
	b->state = col_strdup(s, 4);
	b->added = (long)sqlite3_column_int64(s, 5);
	b->replaced = (long)sqlite3_column_int64(s, 6);
	b->merged = (long)sqlite3_column_int64(s, 7);
	b->skipped = (long)sqlite3_column_int64(s, 8);
	b->rejected = (long)sqlite3_column_int64(s, 9);
}

static int be_batch_get(void *be, long batch, struct cat_batch *b, strbuf *err)
{
	struct store *st = be;
	sqlite3_stmt *s = stmt(st, S_BATCH_GET);
	sqlite3_bind_int64(s, 1, batch);
	int rc = CAT_NOTFOUND;
	if (sqlite3_step(s) == SQLITE_ROW) {
		fill_batch(s, b);
		rc = CAT_OK;
	} else {
		sb_addf(err, _("no batch %ld"), batch);
	}
	sqlite3_reset(s);
	return rc;
}

static int be_batch_list(void *be, struct cat_batch **b, size_t *n, strbuf *err)
{
	struct store *st = be;
	(void)err;
	sqlite3_stmt *s = stmt(st, S_BATCH_LIST);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*b = xrealloc(*b, cap * sizeof **b);
		}
		fill_batch(s, &(*b)[(*n)++]);
	}
	sqlite3_reset(s);
	return CAT_OK;
}

/* Whether record c (decoded) has the content and deleted state of its
 * version v (the 005 aside). */
static int same_as_version(struct store *st, struct current *c, long v)
{
	if (!c->r) {                                   /* decoded when first needed */
		c->r = rec_create();
		if (store_decode(c->data, c->len, c->r)) {
			rec_destroy(c->r);
			c->r = NULL;
			return 0;
		}
	}
	rec *old = rec_create();
	strbuf e = STRBUF_INIT, d = STRBUF_INIT;
	int rc = be_fetch(st, c->id, v, old, NULL, &e);
	int same = 0;
	if ((rc == CAT_OK || rc == CAT_DELETED) && (rc == CAT_DELETED) == !!c->deleted && c->r) {
		store_diff_summary(old, c->r, &d);
		same = !d.len;
	}
	rec_destroy(old);
	sb_release(&e);
	sb_release(&d);
	return same;
}

/* How many versions of record rid after version v were made by anything
 * but an undo or a batch since undone (S_VER_OTHERS); -1 on error. */
static long versions_since(struct store *st, sqlite3_int64 rid, long v)
{
	sqlite3_stmt *s = stmt(st, S_VER_OTHERS);
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, v);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

static int be_batch_undo(void *be, long batch, int force, long *restored, long *removed,
                         long *conflicts, struct cat_undo_copies *copies, strbuf *err)
{
	struct store *st = be;
	*restored = *removed = *conflicts = 0;
	memset(copies, 0, sizeof *copies);
	struct cat_batch b;
	int rc = be_batch_get(be, batch, &b, err);
	if (rc)
		return rc;
	int undone = !strcmp(b.state, "undone");
	free(b.user);
	free(b.command);
	free(b.state);
	if (undone) {           /* ("partly undone" may be undone again, e.g. --force) */
		sb_addf(err, _("batch %ld was already undone"), batch);
		return CAT_CONFLICT;
	}
	/* undoing a batch of 10,000 records or more that is at least half the
	 * catalogue: the sort indexes are dropped and built again at the end
	 * (as a bulk import does; 100,000 records: 27% faster) */
	long nrec = b.added + b.replaced + b.merged;
	int bulk = 0;
	if (nrec >= BULK_MIN_RECORDS && !st->in_tx) {
		strbuf e = STRBUF_INIT;
		be_bulk_begin(st, 2 * nrec, &bulk, &e);      /* without it if it fails */
		sb_release(&e);
	}
	rc = wbegin(st, err);
	if (rc) {
		if (bulk)
			bulk_end_quiet(st, NULL);
		return rc;
	}
	/* collect first: the loop below adds versions */
	struct { sqlite3_int64 rid; long minv, maxv; } *v = NULL;
	size_t nv = 0, cap = 0;
	sqlite3_stmt *s = stmt(st, S_BATCH_RECS);
	sqlite3_bind_int64(s, 1, batch);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[nv].rid = sqlite3_column_int64(s, 0);
		v[nv].minv = (long)sqlite3_column_int64(s, 1);
		v[nv].maxv = (long)sqlite3_column_int64(s, 2);
		nv++;
	}
	sqlite3_reset(s);
	/* the records left alone: their copies stay with them */
	long long *keep = NULL;
	size_t nkeep = 0;
	char note[64];
	snprintf(note, sizeof note, "batch %ld undone", batch);   /* stored summary: English */
	struct cat_save_opts so = { .action = "undo", .note = note };
	for (size_t i = 0; i < nv && !rc; i++) {
		struct current c;
		rc = load_current(st, NULL, v[i].rid, 0, &c, err);
		if (rc) {
			current_release(&c);
			break;
		}
		/* already as before the batch (an earlier undo of it that left
		 * others alone): nothing to do */
		if (v[i].minv == 1 ? c.deleted
		                   : c.version > v[i].maxv && same_as_version(st, &c, v[i].minv - 1)) {
			current_release(&c);
			continue;
		}
		/* changed after the batch, unless only by later batches that were
		 * undone, back to the batch's own version */
		if (c.version > v[i].maxv && !force &&
		    !(!versions_since(st, c.rid, v[i].maxv) && same_as_version(st, &c, v[i].maxv))) {
			(*conflicts)++;
			keep = xrealloc(keep, (nkeep + 1) * sizeof *keep);
			keep[nkeep++] = c.rid;
			current_release(&c);
			continue;
		}
		if (v[i].minv == 1) {
			if (!c.deleted) {
				rc = setdel_locked(st, NULL, c.rid, 1, CAT_ANY, &so, err);
				(*removed)++;
			}
		} else {
			rec *old = rec_create();
			char *id = xstrdup(c.id);
			int was_deleted = c.deleted;
			rc = be_fetch(st, id, v[i].minv - 1, old, NULL, err);
			if (rc == CAT_DELETED)
				rc = CAT_OK;
			if (!rc && was_deleted)
				rc = setdel_locked(st, NULL, c.rid, 0, CAT_ANY, &so, err);
			if (!rc)
				rc = replace_locked(st, old, CAT_ANY, &so, NULL, err);
			if (!rc)
				(*restored)++;
			rec_destroy(old);
			free(id);
		}
		current_release(&c);
	}
	free(v);
	/* the copies it added (to its records and to records already there) */
	if (!rc)
		rc = store_copies_batch_undo(st->db, batch, force, keep, nkeep, copies, err);
	free(keep);
	if (!rc) {
		s = stmt(st, S_BATCH_STATE);
		sqlite3_bind_int64(s, 1, batch);
		bind_text(s, 2, *conflicts || copies->conflicts ? "partly undone" : "undone");
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_err(st, err, _("undoing a batch"));
		sqlite3_reset(s);
	}
	rc = wend(st, rc, err);
	if (bulk && bulk_end_quiet(st, rc ? NULL : err) && !rc)
		rc = CAT_ERROR;
	return rc;
}

/* Result-list summaries from records.brief (one indexed row each, no
 * decoding); rows saved before schema 2 are decoded instead. */
static int be_summaries(void *be, char *const *ids, size_t n, struct cat_summary *out,
                        strbuf *err)
{
	struct store *st = be;
	rec *r = NULL;
	int rc = CAT_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		/* schema 1 (read-only): no brief column, decode every record */
		int old = st->schema < 2;
		sqlite3_stmt *s = stmt(st, old ? S_REC_BY_ID : S_SUMMARY);
		bind_text(s, 1, ids[i]);
		int step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			const char *b = old ? NULL : (const char *)sqlite3_column_text(s, 0);
			const char *p[4] = { 0 };
			int k = 0;
			if (b) {
				p[k++] = b;
				for (const char *q = b; *q && k < 4; q++)
					if (*q == '\t')
						p[k++] = q + 1;
			}
			if (k == 4) {
				char **f[] = { &out[i].title, &out[i].author, &out[i].year, &out[i].isbn };
				for (int j = 0; j < 4; j++) {
					const char *e = j < 3 ? p[j + 1] - 1 : p[j] + strlen(p[j]);
					*f[j] = xstrndup(p[j], (size_t)(e - p[j]));
				}
				out[i].found = 1;
			} else {
				if (!r)
					r = rec_create();
				int dc = old ? 3 : 1;
				if (store_decode(sqlite3_column_blob(s, dc), (size_t)sqlite3_column_bytes(s, dc),
				                 r) == 0)
					cat_summary_of(r, &out[i]);
			}
		} else if (step != SQLITE_DONE) {
			rc = db_err(st, err, _("summaries"));
		}
		sqlite3_reset(s);
	}
	rec_destroy(r);
	return rc;
}

const struct catalog_ops store_catalog_ops = {
	.name = "sqlite",
	.open = be_open,
	.close = be_close,
	.search_rpn = be_search,
	.fetch = be_fetch,
	.save = be_save,
	.del = be_del,
	.undel = be_undel,
	.history = be_history,
	.browse = be_browse,
	.browse_before = be_browse_before,
	.scan = be_scan,
	.begin = be_begin,
	.commit = be_commit,
	.abort = be_abort,
	.match = be_match,
	.get_setting = be_get_setting,
	.set_setting = be_set_setting,
	.batch_start = be_batch_start,
	.batch_progress = be_batch_progress,
	.batch_resume = be_batch_resume,
	.batch_finish = be_batch_finish,
	.bulk_begin = be_bulk_begin,
	.bulk_end = be_bulk_end,
	.waiters = be_waiters,
	.batch_get = be_batch_get,
	.batch_list = be_batch_list,
	.batch_undo = be_batch_undo,
	.summaries = be_summaries,
	.prep_create = be_prep_create,
	.prepare = be_prepare,
	.prep_free = be_prep_free,
	.prep_destroy = be_prep_destroy,
};
