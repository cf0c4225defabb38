/*
 * readahead.h - reads and prepares the next records of an import on a
 * second thread while the first one writes to the catalogue.
 */
#ifndef BIENMUC_READAHEAD_H
#define BIENMUC_READAHEAD_H

#include "catalog.h"
#include "marcio.h"
#include "rec.h"
#include "util.h"

typedef struct readahead readahead;

/* One record as the reader returned it, with what catalog_prepare made
 * of it. Valid until the next readahead_next() or readahead_stop(). */
struct ra_item {
	rec *r;
	int st;                 /* MR_OK or MR_BAD */
	long recno;             /* marc_reader_recno() */
	long long off;          /* marc_reader_offset() */
	strbuf raw;             /* marc_reader_raw(): the record's bytes */
	strbuf error;           /* MR_BAD: marc_reader_error() (buf NULL if empty) */
	strbuf warn;            /* MR_OK: marc_reader_warning() 0 .. nwarn - 1, */
	size_t nwarn;           /* each NUL-terminated, one after the other */
	void *prep;             /* catalog_prepare(p, r) or NULL */
	void *took;             /* what the hook took out of r (ra_hook) or NULL */
};

/* Run on the reading thread for each record read well (MR_OK) and
 * numbered above no_prep, before catalog_prepare: take may change the
 * record (an import takes its item fields out, so that the work prepared
 * is that of the record it saves) and leave what it took in *took, for
 * the caller to find in it->took (the caller may change what that points
 * to); drop(arg, took) frees it when the slot is used again or at
 * readahead_stop. Without a reading thread both run in readahead_next()
 * and readahead_stop(), on the caller's. */
struct ra_hook {
	void (*take)(void *arg, rec *r, void **took);
	void (*drop)(void *arg, void *took);
	void *arg;
};

/* Start reading rd (already open, its map set) ahead of the caller.
 * Records numbered (marc_reader_recno) <= no_prep are read but not
 * prepared (a resumed import skips them). p may be NULL (nothing is
 * prepared). On a machine with one processor, or when a thread cannot
 * be started, the records are read in readahead_next() instead: the same
 * results, one at a time. Until readahead_stop(), rd and p belong to the
 * reading thread: the caller must not use them. */
readahead *readahead_start(marc_reader *rd, cat_preparer *p, long no_prep);
/* The same with a hook (NULL: none); *hook is copied. */
readahead *readahead_start_hook(marc_reader *rd, cat_preparer *p, long no_prep,
                                const struct ra_hook *hook);

/* The next record, in input order; NULL at the end of the input. */
const struct ra_item *readahead_next(readahead *ra);

/* Is the next record (or the end of the input) there, after waiting at
 * most secs for it? 0 when the input is slow to come (a pipe). Without a
 * reading thread, 1: the next readahead_next() reads it, waiting as long
 * as it takes. */
int readahead_ready(readahead *ra, double secs);

/* Stop reading (at once, even in the middle of the input), wait for the
 * thread and free everything. Accepts NULL. */
void readahead_stop(readahead *ra);

#endif
