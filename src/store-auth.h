/*
 * store-auth.h - the authority heading index inside the SQLite catalogue
 * (store-auth.c; part of the store module). store.c opens it after its
 * own migration and calls auth_idx_record() whenever a record enters or
 * leaves the indexes (save, delete, undelete, import), in the same
 * transaction, so the heading index is always current. The queries of
 * auth.h (auth_find, auth_browse, auth_resolve, auth_users) are here too.
 */
#ifndef BIENMUC_STORE_AUTH_H
#define BIENMUC_STORE_AUTH_H

#include <sqlite3.h>
#include "rec.h"
#include "util.h"

struct auth_idx;

/* Create or migrate the authority tables (setting "auth_schema"; tables
 * that are missing are created and every live record indexed, in one
 * BEGIN IMMEDIATE transaction). A read-only catalogue without them gets
 * an index that answers nothing. Returns NULL with err set on failure. */
struct auth_idx *auth_idx_open(sqlite3 *db, int readonly, strbuf *err);
void auth_idx_close(struct auth_idx *ax);                /* accepts NULL */
/* Record rid enters (del 0) or leaves (del 1) the indexes with content
 * r. Runs inside the caller's transaction. Returns 0 or a cat_status. */
int auth_idx_record(struct auth_idx *ax, sqlite3_int64 rid, const rec *r, int del,
                    strbuf *err);

/* store.c: the authority index of a sqlite back-end handle. */
struct auth_idx *store_auth_idx(void *be);

#endif
