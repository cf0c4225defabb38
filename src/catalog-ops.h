/*
 * catalog-ops.h - the ops table a catalogue back end fills in (see
 * catalog.h for the meaning of each operation). Only catalog.c and the
 * back ends include this. `be` is the back end's own handle, returned by
 * open. Optional operations may be NULL: catalog.c then answers
 * CAT_UNSUPPORTED. catalog.c handles CCL (-> RPN) and rollback (fetch an
 * old version, save it) itself on top of these.
 */
#ifndef BIENMUC_CATALOG_OPS_H
#define BIENMUC_CATALOG_OPS_H

#include "catalog.h"

/* The back end's own handle of an open catalogue (store-auth.c uses it
 * to reach the authority index of the sqlite back end). */
void *catalog_be(catalog *c);

/* Data a module keeps with an open catalogue (store-copies.c: its
 * prepared statements), found by key (an address of the module's own);
 * NULL when there is none. catalog_close calls destroy(data) before it
 * closes the back end. One catalogue is used by one thread at a time,
 * so these take no lock. */
void *catalog_aux(catalog *c, const void *key);
void catalog_aux_set(catalog *c, const void *key, void *data, void (*destroy)(void *data));

struct catalog_ops {
	const char *name;
	void *(*open)(const char *path, int flags, strbuf *err);
	void (*close)(void *be);
	int (*search_rpn)(void *be, const struct Z_RPNQuery *q,
	                  const struct cat_search_opts *opts,
	                  struct cat_result *res, strbuf *err);
	/* version 0 = current */
	int (*fetch)(void *be, const char *id, long version, rec *out,
	             struct cat_version *ver, strbuf *err);
	int (*save)(void *be, rec *r, long expected_version,
	            const struct cat_save_opts *opts, long *new_version,
	            strbuf *err);
	int (*del)(void *be, const char *id, long expected_version,
	           const struct cat_save_opts *opts, strbuf *err);
	int (*undel)(void *be, const char *id, const struct cat_save_opts *opts,
	             strbuf *err);
	int (*history)(void *be, const char *id, struct cat_version **v,
	               size_t *n, strbuf *err);
	int (*browse)(void *be, const char *index, const char *from, size_t n,
	              struct cat_heading **h, size_t *nh, strbuf *err);

	/* optional */
	int (*browse_before)(void *be, const char *index, const char *from, size_t n,
	                     struct cat_heading **h, size_t *nh, strbuf *err);
	int (*scan)(void *be, const char *since,
	            int (*fn)(void *arg, const char *id, const rec *r),
	            void *arg, strbuf *err);
	int (*begin)(void *be, strbuf *err);
	int (*commit)(void *be, strbuf *err);
	void (*abort)(void *be);
	int (*match)(void *be, const rec *r, const void *prep, int keys, char ***ids,
	             size_t *n, strbuf *err);
	char *(*get_setting)(void *be, const char *key);
	int (*set_setting)(void *be, const char *key, const char *value,
	                   strbuf *err);
	int (*batch_start)(void *be, const char *command, long *batch,
	                   strbuf *err);
	int (*batch_progress)(void *be, long batch, const char *filekey,
	                      long recno, long long offset, int file_done,
	                      const struct cat_batch *counts, strbuf *err);
	int (*batch_resume)(void *be, const char *filekey, long *batch,
	                    long *recno, long long *offset, int *file_done,
	                    strbuf *err);
	int (*batch_finish)(void *be, long batch, const char *state, strbuf *err);
	int (*batch_get)(void *be, long batch, struct cat_batch *b, strbuf *err);
	int (*batch_list)(void *be, struct cat_batch **b, size_t *n, strbuf *err);
	int (*batch_undo)(void *be, long batch, int force, long *restored,
	                  long *removed, long *conflicts, struct cat_undo_copies *copies,
	                  strbuf *err);
	int (*bulk_begin)(void *be, long expected, int *suspended, strbuf *err);
	int (*bulk_end)(void *be, strbuf *err);
	/* 1: another program is waiting to write; 0: none; -1: cannot tell */
	int (*waiters)(void *be);
	/* out is zeroed by catalog.c; unfilled strings become "" there */
	int (*summaries)(void *be, char *const *ids, size_t n,
	                 struct cat_summary *out, strbuf *err);
	/* work a save does ahead (catalog_prepare): all four or none */
	void *(*prep_create)(void *be);
	void *(*prepare)(void *preparer, const rec *r);
	void (*prep_free)(void *prep);
	void (*prep_destroy)(void *preparer);
};

/* The local SQLite back end (store.c). */
extern const struct catalog_ops store_catalog_ops;
/* A remote catalogue over Z39.50 (catalog-z3950.c). */
extern const struct catalog_ops z3950_catalog_ops;

#endif
