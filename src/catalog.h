/*
 * catalog.h - the catalogue interface: one opaque handle in front of
 * interchangeable back ends (an ops table inside catalog.c). Today:
 *   - "sqlite": a local catalogue file (store.c; all SQL lives there);
 *   - "z3950": a remote target (z3950://host:port/db), added later.
 * catalog_open() picks the back end from the name it is given.
 *
 * Records go in and out as `rec` (rec.h, UTF-8 NFC). A record's id is
 * its 001 in our catalogue; 003 holds our MARC organisation code and 005
 * is rewritten on every save. Every save creates a new version; earlier
 * versions are kept (the journal) and can be fetched, listed and restored.
 *
 * Optimistic concurrency: a caller that read version V saves with
 * expected_version V; if someone else saved meanwhile the save fails with
 * CAT_CONFLICT and nothing is written.
 *
 * Errors: every function returns a cat_status (0 = CAT_OK, negative =
 * failure) and, when err is not NULL, appends a one-line human message
 * without "bienmuc:" prefix (e.g. "record 'vn000017' was changed by
 * another user (version 4, you read 3)"). Nothing is printed.
 *
 * Optional operations (transactions, matching, batches, settings) are
 * implemented by the local back end only; others return CAT_UNSUPPORTED.
 *
 * Strings returned inside structs are malloc'd and owned by the struct;
 * free them with the matching *_free function (all accept NULL / n = 0).
 */
#ifndef BIENMUC_CATALOG_H
#define BIENMUC_CATALOG_H

#include <stddef.h>
#include "rec.h"
#include "util.h"

struct Z_RPNQuery;                 /* yaz/z-core.h */
typedef struct catalog catalog;

enum cat_status {
	CAT_OK = 0,
	CAT_ERROR = -1,        /* I/O, database or internal error */
	CAT_NOTFOUND = -2,     /* no record (or version, batch) with that id */
	CAT_CONFLICT = -3,     /* stale expected_version */
	CAT_DELETED = -4,      /* the record exists but is deleted */
	CAT_QUERY = -5,        /* malformed or unsupported query */
	CAT_UNSUPPORTED = -6,  /* this back end cannot do that */
	CAT_BUSY = -7,         /* database locked for longer than the timeout */
	CAT_READONLY = -8,     /* opened read-only */
};

/* catalog_open flags */
#define CAT_OPEN_READONLY  0x01
#define CAT_OPEN_CREATE    0x02   /* create the file (and its folder) if missing */

/* Default local catalogue path: $BIENMUC_DB, else
 * $XDG_DATA_HOME/bienmuc/catalog.db, else ~/.local/share/bienmuc/catalog.db.
 * malloc'd. */
char *catalog_default_path(void);

/* A one-line notice for whoever waits, from catalog_open when it has a
 * long job to do first (upgrading a large catalogue). Process-wide, set
 * once by the front end before it opens catalogues; by default nothing
 * is shown. catalog_notice() is for the back ends. */
void catalog_set_notice(void (*fn)(const char *msg));
void catalog_notice(const char *msg);

/* Open a catalogue. url_or_path: "z3950://host:port/db" (remote), or
 * "sqlite:PATH" / a plain path (local). NULL = catalog_default_path().
 * Returns NULL with a message in err on failure. */
catalog *catalog_open(const char *url_or_path, int flags, strbuf *err);
void catalog_close(catalog *c);                  /* accepts NULL */
/* "sqlite", "z3950" */
const char *catalog_backend(const catalog *c);

/* ---- searching ---- */
enum cat_sort {
	CAT_SORT_RELEVANCE = 0,  /* best first (FTS rank), else id order; with a
	                            limit and over 500 hits (or an estimated
	                            total, opts.estimate): newest first */
	CAT_SORT_ID,
	CAT_SORT_TITLE,          /* Vietnamese collation */
	CAT_SORT_AUTHOR,
	CAT_SORT_YEAR,
};

/* A sort key after the first (cat_search_opts.then). */
struct cat_sort_key {
	int sort;                /* CAT_SORT_TITLE, _AUTHOR, _YEAR or _ID */
	int descending;
};
#define CAT_SORT_THEN 3          /* further sort keys, at most */

struct cat_search_opts {
	long limit;              /* max ids returned; 0 = all */
	long offset;             /* skip this many first */
	int sort;                /* enum cat_sort */
	int descending;
	/* further keys (nthen of them), each ordering the hits that the keys
	 * before it leave tied ("author, then year descending"). Used after
	 * a first key of title, author or year; relevance can only be first,
	 * and after it or the id (unique) they change nothing. The record id
	 * breaks the ties that remain, in the first key's direction. */
	struct cat_sort_key then[CAT_SORT_THEN];
	int nthen;
	int include_deleted;     /* also match deleted records */
	int estimate;            /* 1: with a limit, total may be an estimate
	                            when counting every hit would be slow
	                            (a search screen's "about N"); 0: exact */
};

struct cat_result {
	long total;              /* hits in all (before limit/offset); exact
	                            unless estimated */
	int estimated;           /* total is an estimate (opts.estimate): hits
	                            counted among the newest records and scaled,
	                            rounded to 2 significant digits */
	size_t n;                /* ids returned */
	char **ids;              /* n record ids (001), in order */
};
void cat_result_free(struct cat_result *res);    /* frees content, not res */

/* Search with a Z39.50 type-1 query (Bib-1 attributes; see rpn2sql.h for
 * what is supported). An unsupported attribute or term gives CAT_QUERY
 * and a message naming it. */
int catalog_search_rpn(catalog *c, const struct Z_RPNQuery *q,
                       const struct cat_search_opts *opts,
                       struct cat_result *res, strbuf *err);

/* Search with a CCL string (ccl.h: ti= au= su= isbn= issn= pb= yr= kw=,
 * bare words = kw, and/or/not, `?` truncation, "phrases"). A malformed
 * query gives CAT_QUERY, *errpos (if not NULL) = 0-based byte offset of
 * the problem, and err = "column N: what is wrong". */
int catalog_search_ccl(catalog *c, const char *query,
                       const struct cat_search_opts *opts,
                       struct cat_result *res, int *errpos, strbuf *err);

/* ---- result lists ---- */
/* What a result list shows of a record, without fetching and decoding it
 * (the local back end reads it from a column kept up to date on every
 * save; others fetch the record). Strings are never NULL. */
struct cat_summary {
	char *title;             /* 245 $a $b $n $p, trailing ISBD punctuation cut */
	char *author;            /* first 100/110/111/700/710/711 $a $b $c $d $q */
	char *year;              /* "1998" (store_record_year) or "" */
	char *isbn;              /* first 020 $a as ISBN-13, as written if invalid, or "" */
	int found;               /* 0 = no record with that id (strings "") */
};
/* Summaries of n records (ids as returned by catalog_search_*), into
 * out[0..n-1] (overwritten; free with cat_summaries_free). A deleted
 * record still has its summary. Returns CAT_OK, or an error (out is then
 * still valid to free). */
int catalog_summaries(catalog *c, char *const *ids, size_t n,
                      struct cat_summary *out, strbuf *err);
/* The summary of a record in hand (what catalog_summaries gives for it). */
void cat_summary_of(const rec *r, struct cat_summary *s);
void cat_summaries_free(struct cat_summary *s, size_t n);  /* frees content */

/* ---- records and versions ---- */
struct cat_version {
	long version;            /* 1, 2, ... */
	char time[24];           /* UTC "2024-05-01 10:22:33" */
	char *user;              /* $BIENMUC_USER or the login name */
	char *action;            /* add, edit, import, replace, merge, delete,
	                            undelete, rollback, undo */
	char *summary;           /* "245 changed; 650 added (2)" */
	long batch;              /* import batch, 0 = none */
	int deleted;             /* the record was deleted in this version */
};
void cat_version_clear(struct cat_version *v);   /* frees strings */
void cat_versions_free(struct cat_version *v, size_t n);

/* Fetch the current version of record `id` into out (cleared first).
 * ver (may be NULL) receives its version data. A deleted record is still
 * returned, with CAT_DELETED. */
int catalog_fetch(catalog *c, const char *id, rec *out,
                  struct cat_version *ver, strbuf *err);
/* Fetch an earlier (or the current) version. */
int catalog_fetch_version(catalog *c, const char *id, long version, rec *out,
                          struct cat_version *ver, strbuf *err);

#define CAT_NEW      0L   /* expected_version: add a new record */
#define CAT_ANY     -1L   /* expected_version: replace whatever is current */

struct cat_save_opts {
	const char *action;      /* journal action; NULL = "add" / "edit" */
	const char *summary;     /* NULL = computed from the field changes */
	long batch;              /* import batch the save belongs to, 0 = none */
	const char *note;        /* put before the computed summary
	                            ("version 2 restored: 245 changed") */
	const void *prep;        /* catalog_prepare() of this record, or NULL:
	                            used by an add (CAT_NEW) if the record has
	                            not changed since, else ignored */
};

/* ---- work done ahead of saving ----
 * A save of a new record spends much of its time on work that needs only
 * the record (sort keys of its headings, folded index text). A preparer
 * does that work on another thread while the catalogue writes: create
 * it on the thread that owns c, then call catalog_prepare from one other
 * thread at a time (it touches nothing of c) and pass the result as
 * cat_save_opts.prep. NULL from catalog_preparer_create (a back end that
 * has nothing to prepare) is valid everywhere below and makes
 * catalog_prepare return NULL. */
typedef struct cat_preparer cat_preparer;
cat_preparer *catalog_preparer_create(catalog *c);
void *catalog_prepare(cat_preparer *p, const rec *r);
void catalog_prep_free(cat_preparer *p, void *prep);          /* accepts NULL */
void catalog_preparer_destroy(cat_preparer *p);                /* accepts NULL */

/* Save r. expected_version CAT_NEW adds a new record: a fresh id is
 * assigned (a 001/003 from elsewhere is kept as 035 "(ORG)ID" first).
 * Otherwise r's 001 names the record to replace and expected_version must
 * be its current version (or CAT_ANY). On success r is updated in place
 * (001, 003, 005), *new_version (may be NULL) is set and the old version
 * stays in the journal. opts may be NULL. A deleted record cannot be
 * saved (CAT_DELETED): undelete it first. */
int catalog_save(catalog *c, rec *r, long expected_version,
                 const struct cat_save_opts *opts, long *new_version,
                 strbuf *err);

/* Soft delete (a new version marked deleted; removed from every index)
 * and its undo. expected_version as for catalog_save. */
int catalog_delete(catalog *c, const char *id, long expected_version,
                   const struct cat_save_opts *opts, strbuf *err);
int catalog_undelete(catalog *c, const char *id,
                     const struct cat_save_opts *opts, strbuf *err);

/* Every version of a record, oldest first (*v malloc'd; free with
 * cat_versions_free). */
int catalog_history(catalog *c, const char *id, struct cat_version **v,
                    size_t *n, strbuf *err);

/* Restore `version` of a record as a new version (action "rollback"). */
int catalog_rollback(catalog *c, const char *id, long version,
                     long *new_version, strbuf *err);

/* ---- browsing headings ---- */
struct cat_heading {
	char *heading;           /* as in the record, e.g. "Nguyễn, Du, 1765-1820" */
	long count;              /* records with this heading */
	char *id;                /* one record with it (the first added) */
};
void cat_headings_free(struct cat_heading *h, size_t n);

/* n headings of index "title", "author", "subject" or "callno", in
 * Vietnamese collation order, starting at the first heading >= from
 * (NULL or "" = the beginning). */
int catalog_browse(catalog *c, const char *index, const char *from,
                   size_t n, struct cat_heading **h, size_t *nh, strbuf *err);

/* The n headings of index just before those catalog_browse gives from
 * `from`: the last n whose sort key is below from's, in collation order
 * too (so that these, then catalog_browse's, read on). Fewer (none) when
 * the index starts sooner; none for from NULL or "". Optional: the
 * z3950 back end answers CAT_UNSUPPORTED (a Z39.50 scan cannot tell
 * which terms come before from). */
int catalog_browse_before(catalog *c, const char *index, const char *from,
                          size_t n, struct cat_heading **h, size_t *nh, strbuf *err);

/* ---- optional: local back end only ---- */

/* Call fn for every live record, in id order, streaming (constant memory);
 * since (NULL = all) = only records whose current version was saved at or
 * after that UTC time ("2024-05-01" or "2024-05-01 10:00:00"). r is valid
 * only during the call. A nonzero return from fn stops the scan and is
 * returned. */
int catalog_scan(catalog *c, const char *since,
                 int (*fn)(void *arg, const char *id, const rec *r),
                 void *arg, strbuf *err);

/* Group many saves into one transaction (BEGIN IMMEDIATE ... COMMIT).
 * Without catalog_begin every save is its own transaction. */
int catalog_begin(catalog *c, strbuf *err);
int catalog_commit(catalog *c, strbuf *err);
void catalog_abort(catalog *c);                  /* ROLLBACK; accepts NULL */

/* Match keys (combine with |). */
#define CAT_MK_ISBN   0x01   /* 020 $a $z, ISBN-10 and -13 as ISBN-13 */
#define CAT_MK_ISSN   0x02   /* 022 $a $y $z */
#define CAT_MK_LCCN   0x04   /* 010 $a $z, normalised */
#define CAT_MK_035    0x08   /* 035 $a $z "(ORG)number" */
#define CAT_MK_001    0x10   /* 001+003 (ours: the id itself) */
#define CAT_MK_ALL    0x1f
/* Parse "isbn,issn,lccn,035,001" into a CAT_MK_ mask; -1 on an unknown
 * name (err says which). */
int catalog_matchkeys_parse(const char *list, strbuf *err);

/* Ids of the live records sharing at least one key (of the kinds in
 * `keys`) with r, in id order, at most one entry per record. Sees the
 * caller's own uncommitted saves, so it also matches within one import.
 * *ids malloc'd (free with cat_ids_free). */
int catalog_match(catalog *c, const rec *r, int keys, char ***ids, size_t *n,
                  strbuf *err);
/* catalog_match with prep, a catalog_prepare() of r (or NULL): its match
 * keys are used instead of being made again. r's 001, 003, 010, 020, 022
 * and 035 must be as they were when prep was made (other fields may have
 * changed since: copies taken out, headings linked). */
int catalog_match_prep(catalog *c, const rec *r, const void *prep, int keys, char ***ids,
                       size_t *n, strbuf *err);
void cat_ids_free(char **ids, size_t n);

/* Settings (a key/value table in the catalogue):
 *   org_code   MARC organisation code written to 003 (default "VN-BIENMUC")
 *   id_prefix  prefix of new ids (default "bm"); ids are prefix + a
 *              zero-padded counter ("bm00000017")
 * catalog_get_setting returns a malloc'd string or NULL when unset. */
char *catalog_get_setting(catalog *c, const char *key);
int catalog_set_setting(catalog *c, const char *key, const char *value,
                        strbuf *err);

/* ---- optional: import batches ---- */
struct cat_batch {
	long id;
	char time[24];           /* started, UTC */
	char *user;
	char *command;           /* the import command line, for people */
	char *state;             /* "running", "done", "undone" */
	long added, replaced, merged, skipped, rejected;
};
void cat_batches_free(struct cat_batch *b, size_t n);

/* Start a batch (committed at once, so it is visible even if the import
 * is killed). */
int catalog_batch_start(catalog *c, const char *command, long *batch,
                        strbuf *err);
/* Record progress inside the current transaction, so that it commits
 * together with the records it describes: for input `filekey` (a content
 * fingerprint of the file), every record up to `recno`, ending before byte
 * `offset`, is done; counts are the batch totals so far. */
int catalog_batch_progress(catalog *c, long batch, const char *filekey,
                           long recno, long long offset, int file_done,
                           const struct cat_batch *counts, strbuf *err);
/* Where a previous import of filekey stopped. Returns CAT_OK with *batch,
 * *recno, *offset, *file_done set, or CAT_NOTFOUND if the file was never
 * (partly) imported, or only into undone batches. */
int catalog_batch_resume(catalog *c, const char *filekey, long *batch,
                         long *recno, long long *offset, int *file_done,
                         strbuf *err);
int catalog_batch_finish(catalog *c, long batch, const char *state,
                         strbuf *err);
int catalog_batch_get(catalog *c, long batch, struct cat_batch *b, strbuf *err);
int catalog_batch_list(catalog *c, struct cat_batch **b, size_t *n,
                       strbuf *err);
/* Bulk loading. catalog_bulk_begin: this handle is about to add about
 * `expected` records (-1: many, whatever the catalogue holds), outside any
 * transaction. The back end may suspend indexes that it builds faster once
 * at the end than record by record; searches stay correct meanwhile (the
 * SQLite back end drops its title and author sort indexes when expected
 * >= 10,000 and at least the records already there: broad searches sorted
 * by title or author are slower until they are back). catalog_bulk_end,
 * outside any transaction, builds them again (the last of several loaders
 * does); catalog_close does it too, and after a crash the next read-write
 * open. *suspended (if not NULL) says whether catalog_bulk_begin suspended
 * anything. Both return CAT_OK when there is nothing to do, also for back ends
 * without bulk loading. */
int catalog_bulk_begin(catalog *c, long expected, int *suspended, strbuf *err);
int catalog_bulk_end(catalog *c, strbuf *err);
/* Whether another program is waiting to write to the catalogue, to be let
 * in by an early commit: 1 yes, 0 no, -1 the back end cannot tell (the
 * caller then commits on a timer). Cheap (one system call): callable
 * every few records inside a transaction. */
int catalog_waiters(catalog *c);
/* What undoing a batch did to copies (items; copies.h). */
struct cat_undo_copies {
	long removed;        /* copies the batch added, taken back */
	long restored;       /* copies of deleted records whose numbers it took, put back */
	long conflicts;      /* copies it added, left alone (changed after it, or on a
	                      * record left alone) */
	long kept;           /* copies it added to records it added, kept with those
	                      * records as the undo deletes them (undelete brings
	                      * them back) */
};
/* Undo batch N: records it added are deleted, records it replaced or
 * merged get back their version from before the batch (as new versions).
 * A record changed after the batch by someone else is left alone and
 * counted in *conflicts (unless force). The copies of the records it
 * added stay with them, deleted, as a plain delete keeps a record's
 * copies (undelete brings them back), unless their number was one the
 * batch took from a deleted record's copy (that copy gets it back). The
 * other copies the batch added (to records already there) are taken
 * back, except those changed after the batch or on a record left alone
 * (unless force): counts in *copies (may be NULL). */
int catalog_batch_undo(catalog *c, long batch, int force, long *restored,
                       long *removed, long *conflicts, struct cat_undo_copies *copies,
                       strbuf *err);

#endif
