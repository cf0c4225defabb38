/*
 * store-runs.h - a bulk load's deferred browse headings: sorted runs in a
 * scratch file beside the catalogue, merged once at the end (store-runs.c;
 * part of the store module, no SQL here).
 *
 * During a bulk load the browse headings of the records it adds do not go
 * into the headings and postings tables at every commit (where a million
 * records' headings land all over their B-trees, 30 times over): each
 * commit writes them here as one run, sorted by (index, sort key), and the
 * end of the load reads every run at once, in key order, so that the
 * tables are written in order, once. The file is unlinked as soon as it is
 * made: it disappears with the process. A load that dies leaves records
 * without browse rows; store.c notes that in the catalogue and rebuilds
 * the browse index then (see "deferred browse headings" there).
 */
#ifndef BIENMUC_STORE_RUNS_H
#define BIENMUC_STORE_RUNS_H

#include <stddef.h>
#include <stdint.h>

typedef struct hruns hruns;

/* A scratch file in the directory of the catalogue at path (unlinked at
 * once). NULL if it cannot be made (a directory one cannot write to). */
hruns *hruns_create(const char *path);
void hruns_destroy(hruns *h);                             /* accepts NULL */

/* Write one run: hruns_run_begin, then its headings in strictly increasing
 * (idx, key) order (keys compared as bytes, a prefix first), each with its
 * rids (any order, repeats allowed), then hruns_run_end. 0 or -1 (errno
 * set; the run is then dropped, the earlier ones stay). */
int hruns_run_begin(hruns *h);
int hruns_put(hruns *h, int idx, const void *key, size_t klen, const char *text,
              const int64_t *rids, size_t nrids);
int hruns_run_end(hruns *h);

/* How many runs the file holds. */
size_t hruns_count(const hruns *h);

/* One heading of the merge: its text is the first run's. */
struct hruns_head {
	int idx;
	const unsigned char *key;
	size_t klen;
	const char *text;
	const int64_t *rids;       /* sorted, without repeats */
	size_t nrids;
};

/* Read every run at once, merged: hruns_next gives each heading once, in
 * (idx, key) order, with the rids of all runs; its pointers hold until
 * the next call. 1 = a heading, 0 = the end, -1 = a read error (errno).
 * Runs added later are not in this merge. */
int hruns_merge_begin(hruns *h);
int hruns_next(hruns *h, struct hruns_head *out);
/* After the merge: forget the runs it read (they are in the catalogue). */
void hruns_merge_done(hruns *h);

/* Merge every run into one (written at the end of the file), when there
 * are more than max: a load that commits often (another program waiting
 * to write) keeps the merge's open runs few. 0 or -1. */
int hruns_compact(hruns *h, size_t max);

#endif
