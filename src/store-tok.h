/*
 * store-tok.h - the keyword index's words, made ahead of a save (on an
 * import's reading thread) and replayed into FTS5 and the word counts on
 * the writing one (store-tok.c; part of the store module).
 *
 * The fts table tokenizes with "unicode61 remove_diacritics 2". On each
 * catalogue connection kwtok_install() puts an override of that name in
 * front of SQLite's own: it hands over words made ahead when the text
 * FTS5 asks about is exactly the text they were made from (the caller
 * names the columns and words around its INSERT with kwtok_replay), and
 * otherwise passes every call to the real unicode61. Same tokenizer, same
 * arguments, same text: the same words, so the index cannot tell.
 */
#ifndef BIENMUC_STORE_TOK_H
#define BIENMUC_STORE_TOK_H

#include <sqlite3.h>
#include "util.h"

#define KWTOK_MAXCOLS 8

/* SQLite's unicode61 tokenizer: its functions and their user data. */
struct kwtok_fns {
	fts5_tokenizer x;
	void *ud;
};

/* The words of a row's columns, packed: per word its flags, length,
 * start and end offsets (4 ints), then its bytes. */
struct kwtoks {
	strbuf buf;
	size_t end[KWTOK_MAXCOLS];   /* where column c's words end in buf */
	int ncols;
};

struct kwtok_hook;

/* On db: find unicode61 (into *orig) and install the override. Returns
 * the hook (SQLite frees it when db closes), or NULL when the override
 * could not be installed (nothing is replayed; *orig still usable), or db
 * lacks FTS5's tokenizer API (*orig zeroed). */
struct kwtok_hook *kwtok_install(sqlite3 *db, struct kwtok_fns *orig);

/* The words of the next INSERT into fts: cols[c] are its column texts,
 * k their words (kwtoks_make on the same texts). NULL, NULL: none. The
 * texts and words must live until cleared. h may be NULL (no-op). */
void kwtok_replay(struct kwtok_hook *h, const strbuf *cols, const struct kwtoks *k);

/* A unicode61 "remove_diacritics 2" instance of f, for one thread; NULL
 * if f is zeroed or out of memory. kwtok_close accepts NULL. */
Fts5Tokenizer *kwtok_open(const struct kwtok_fns *f);
void kwtok_close(const struct kwtok_fns *f, Fts5Tokenizer *t);

/* Tokenize cols[0..ncols-1] (ncols <= KWTOK_MAXCOLS) into k (which the
 * caller zeroed). Returns 0, or -1 (k released) if the tokenizer failed. */
int kwtoks_make(const struct kwtok_fns *f, Fts5Tokenizer *t, const strbuf *cols, int ncols,
                struct kwtoks *k);
void kwtoks_release(struct kwtoks *k);

/* Call x for each word of column c, as the tokenizer did; stops at a
 * non-zero return and returns it (SQLITE_DONE turned into SQLITE_OK). */
int kwtoks_each(const struct kwtoks *k, int c, void *ctx,
                int (*x)(void *ctx, int flags, const char *tok, int n, int start, int end));

#endif
