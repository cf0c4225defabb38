/*
 * store.h - internals of the SQLite catalogue back end that tests and
 * tools may use directly. Programs use catalog.h; the back end itself is
 * reached through store_catalog_ops (catalog-ops.h).
 */
#ifndef BIENMUC_STORE_H
#define BIENMUC_STORE_H

#include <stddef.h>
#include "rec.h"
#include "util.h"

/* Schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 8

/* Lossless compact serialisation of a record (no size limit): appended
 * to out. store_decode returns 0, or -1 if the bytes are not a record. */
void store_encode(const rec *r, strbuf *out);
int store_decode(const void *data, size_t len, rec *r);

/* "245 changed; 650 added (2); 500 removed" (005 ignored); "" if equal.
 * Appended to out. */
void store_diff_summary(const rec *old, const rec *nw, strbuf *out);

/* The text indexed for a record, folded (for tests): column 0..5 =
 * title, author, subject, notes, publisher, series. malloc'd. */
char *store_index_text(const rec *r, int column);

/* fold_search() (charset.h) as the indexer computes it, with its fast
 * path (for tests: must equal fold_search, "" where that fails). malloc'd. */
char *store_fold_fast(const char *s, size_t n);

/* For tests: estimated hit counts (cat_search_opts.estimate) start at
 * catalogues of min_records records (default 65,536; 0 = the default). */
void store_tune_estimates(long min_records);

/* When the last error of DB was a full disk (SQLITE_FULL, or a write
 * that failed with ENOSPC or EDQUOT), say so in err and return 1; else 0.
 * SQLite's own words ("database or disk is full", "disk I/O error") do
 * not tell a librarian what to do. */
struct sqlite3;
int store_say_disk_full(struct sqlite3 *db, strbuf *err);

/* The copies part of undoing import batch `batch`, in the caller's
 * transaction (store-copies.c), after its records: the copies the batch
 * added to records it added that are deleted now stay with them (their
 * batch cleared), unless the batch took their number from a deleted
 * record's copy; the others are removed,
 * except those changed after the batch or held by one of the records
 * keep[0..nkeep) (rids the undo leaves alone, ascending), unless force; the copies of
 * deleted records whose numbers the batch took come back where the number
 * is free. Every change is journaled as an undo entry of the batch. Counts
 * in *out. */
struct cat_undo_copies;
int store_copies_batch_undo(struct sqlite3 *db, long batch, int force, const long long *keep,
                            size_t nkeep, struct cat_undo_copies *out, strbuf *err);

/* Forget what the copies code knows of db's schema (store-copies.c): a
 * transaction that may have made its tables was rolled back. */
void store_copies_forget(struct sqlite3 *db);

/* Year of publication (008/07-10, else 260/264 $c), or 0. */
int store_record_year(const rec *r);

/* Vietnamese sort key (ICU "vi") of UTF-8 text, as bytes appended to out
 * (for tests: memcmp order = collation order). Returns 0 or -1. */
int store_sort_key(const char *text, strbuf *out);

#endif
