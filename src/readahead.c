/*
 * readahead.c - reads and prepares the next records of an import on a
 * second thread while the first one writes to the catalogue (see
 * readahead.h for the contract).
 *
 * A ring of RA_SLOTS items: the reader fills the slot after the last
 * published one (which nobody else touches), then publishes it under the
 * lock; the caller takes slots in order and hands each back when it asks
 * for the next. Each side sleeps only when it must (the reader on a full
 * ring, the caller on an empty one) and is woken in batches (the reader
 * when half the ring is free again), so the threads do not take turns
 * record by record; and a slot's prep is freed by the reader when it
 * reuses the slot, so memory goes back to the thread (malloc arena) that
 * took it. Parsing, charset conversion and catalog_prepare (ICU
 * sort keys, folding, the keyword index's words) are about a quarter of
 * an import's work, so on two processors the writer rarely waits. BIENMUC_IMPORT_THREADS=1 (or a
 * single processor) reads in the caller's thread instead. A hook
 * (readahead_start_hook) may change each record before it is prepared:
 * the import takes the item fields out there, so that the work prepared
 * is that of the record it saves; what it took is freed, like the prep,
 * when the slot is reused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "readahead.h"

#define RA_SLOTS 64

struct readahead {
	marc_reader *rd;
	cat_preparer *p;
	long no_prep;
	struct ra_hook hook;
	struct ra_item item[RA_SLOTS];
	int threaded;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	size_t head, count;     /* published slots: head .. head + count - 1 */
	int taken;              /* the caller holds item[head] */
	int eof, stop;
	int reader_sleeps;      /* waiting for free slots */
	int caller_sleeps;      /* waiting for a record */
};

/* Free what the hook took out of its record. */
static void drop(readahead *ra, struct ra_item *it)
{
	if (it->took && ra->hook.drop)
		ra->hook.drop(ra->hook.arg, it->took);
	it->took = NULL;
}

/* Read the next record into it; 0 at the end of the input. */
static int fill(readahead *ra, struct ra_item *it)
{
	catalog_prep_free(ra->p, it->prep);     /* the slot's last record's */
	it->prep = NULL;
	drop(ra, it);
	int st = marc_reader_next(ra->rd, it->r);
	if (st == MR_EOF)
		return 0;
	it->st = st;
	it->recno = marc_reader_recno(ra->rd);
	it->off = marc_reader_offset(ra->rd);
	size_t len;
	const char *raw = marc_reader_raw(ra->rd, &len);
	sb_reset(&it->raw);
	sb_add(&it->raw, raw ? raw : "", raw ? len : 0);
	sb_reset(&it->warn);
	it->nwarn = st == MR_OK ? marc_reader_nwarnings(ra->rd) : 0;
	for (size_t i = 0; i < it->nwarn; i++) {
		const char *w = marc_reader_warning(ra->rd, i);
		sb_add(&it->warn, w ? w : "", (w ? strlen(w) : 0) + 1);
	}
	sb_reset(&it->error);
	if (st == MR_BAD) {
		const char *e = marc_reader_error(ra->rd);
		sb_adds(&it->error, e ? e : "");
	}
	if (st == MR_OK && it->recno > ra->no_prep && ra->hook.take)
		ra->hook.take(ra->hook.arg, it->r, &it->took);
	it->prep = st == MR_OK && it->recno > ra->no_prep ? catalog_prepare(ra->p, it->r) : NULL;
	return 1;
}

static void *reader(void *arg)
{
	readahead *ra = arg;
	for (;;) {
		pthread_mutex_lock(&ra->mu);
		if (ra->count == RA_SLOTS && !ra->stop) {
			ra->reader_sleeps = 1;
			while (ra->count > RA_SLOTS / 2 && !ra->stop)
				pthread_cond_wait(&ra->freed, &ra->mu);
			ra->reader_sleeps = 0;
		}
		int stop = ra->stop;
		struct ra_item *it = &ra->item[(ra->head + ra->count) % RA_SLOTS];
		pthread_mutex_unlock(&ra->mu);
		int got = !stop && fill(ra, it);
		pthread_mutex_lock(&ra->mu);
		if (got)
			ra->count++;
		else
			ra->eof = 1;
		if (ra->caller_sleeps)
			pthread_cond_signal(&ra->filled);
		pthread_mutex_unlock(&ra->mu);
		if (!got)
			return NULL;
	}
}

readahead *readahead_start(marc_reader *rd, cat_preparer *p, long no_prep)
{
	return readahead_start_hook(rd, p, no_prep, NULL);
}

readahead *readahead_start_hook(marc_reader *rd, cat_preparer *p, long no_prep,
                                const struct ra_hook *hook)
{
	readahead *ra = xcalloc(1, sizeof *ra);
	ra->rd = rd;
	ra->p = p;
	ra->no_prep = no_prep;
	if (hook)
		ra->hook = *hook;
	for (size_t i = 0; i < RA_SLOTS; i++) {
		ra->item[i].r = rec_create();
		sb_init(&ra->item[i].raw);
		sb_init(&ra->item[i].error);
		sb_init(&ra->item[i].warn);
	}
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->filled, NULL);
	pthread_cond_init(&ra->freed, NULL);
	ra->threaded = import_threads() > 1 && pthread_create(&ra->th, NULL, reader, ra) == 0;
	return ra;
}

/* Hand back the slot the caller holds. */
static void give_back(readahead *ra)
{
	if (!ra->taken)
		return;
	ra->taken = 0;
	if (!ra->threaded)
		return;                 /* fill() frees the prep */
	pthread_mutex_lock(&ra->mu);
	ra->head = (ra->head + 1) % RA_SLOTS;
	ra->count--;
	if (ra->reader_sleeps && ra->count <= RA_SLOTS / 2)
		pthread_cond_signal(&ra->freed);
	pthread_mutex_unlock(&ra->mu);
}

const struct ra_item *readahead_next(readahead *ra)
{
	give_back(ra);
	if (!ra->threaded) {
		if (ra->eof || !fill(ra, &ra->item[0])) {
			ra->eof = 1;
			return NULL;
		}
		ra->taken = 1;
		return &ra->item[0];
	}
	pthread_mutex_lock(&ra->mu);
	ra->caller_sleeps = 1;
	while (!ra->count && !ra->eof)
		pthread_cond_wait(&ra->filled, &ra->mu);
	ra->caller_sleeps = 0;
	int have = ra->count > 0;
	pthread_mutex_unlock(&ra->mu);
	if (!have)
		return NULL;
	ra->taken = 1;
	return &ra->item[ra->head];
}

int readahead_ready(readahead *ra, double secs)
{
	if (!ra->threaded)
		return 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long ns = (long long)ts.tv_nsec + (long long)(secs * 1e9);
	ts.tv_sec += (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&ra->mu);
	/* the slot the caller still holds is not a record to come */
	int ready = ra->count > (size_t)ra->taken || ra->eof;
	if (!ready) {
		ra->caller_sleeps = 1;
		pthread_cond_timedwait(&ra->filled, &ra->mu, &ts);
		ra->caller_sleeps = 0;
		ready = ra->count > (size_t)ra->taken || ra->eof;
	}
	pthread_mutex_unlock(&ra->mu);
	return ready;
}

void readahead_stop(readahead *ra)
{
	if (!ra)
		return;
	give_back(ra);
	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = 1;
		pthread_cond_signal(&ra->freed);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->th, NULL);
	}
	for (size_t i = 0; i < RA_SLOTS; i++) {
		catalog_prep_free(ra->p, ra->item[i].prep);
		drop(ra, &ra->item[i]);
		rec_destroy(ra->item[i].r);
		sb_release(&ra->item[i].raw);
		sb_release(&ra->item[i].error);
		sb_release(&ra->item[i].warn);
	}
	pthread_cond_destroy(&ra->filled);
	pthread_cond_destroy(&ra->freed);
	pthread_mutex_destroy(&ra->mu);
	free(ra);
}
