/*
 * store-df.h - document frequencies of the keyword index's words, kept in
 * the SQLite catalogue (store-df.c; part of the store module), so that the
 * hit count of a one-word search ("van", ti=lich) is one row read instead
 * of a pass over a doclist of half a million entries.
 *
 * Table termdf(term, col, n): n = live records whose column col (0-5, the
 * fts columns title ... series; 6 = any column) holds the word term, as
 * the fts table's own tokenizer (unicode61 remove_diacritics 2) produced
 * it, except numbers of 5 digits or more (nearly all unique: a search
 * for one counts its few hits). store.c reports every row it writes to
 * or deletes from the fts table (termdf_note); the differences wait in
 * memory and go in at the commit (termdf_flush), in the same transaction;
 * an abort drops them.
 * Schema 4 creates the table from the index itself (fts5vocab).
 */
#ifndef BIENMUC_STORE_DF_H
#define BIENMUC_STORE_DF_H

#include <sqlite3.h>
#include "store-tok.h"
#include "util.h"

#define TERMDF_ANY 6             /* col of "in any column" counts */

struct termdf;

/* Schema 3 -> 4: create termdf and fill it from the fts index. Runs in the
 * caller's transaction. Returns 0, or -1 with err set. */
int termdf_build(sqlite3 *db, strbuf *err);

/* A handle on db's termdf (the catalogue must be at schema 4), tokenizing
 * with tok (kwtok_install's unicode61). NULL only when SQLite lacks
 * FTS5's tokenizer API (tok zeroed: then nothing can be counted). */
struct termdf *termdf_create(sqlite3 *db, const struct kwtok_fns *tok);
void termdf_destroy(struct termdf *df);                  /* accepts NULL */

/* A row enters (sign +1) or leaves (-1) the fts table: cols[0..ncols-1]
 * are its column texts exactly as written to fts (tokenized here, then
 * as termdf_note_words). */
void termdf_note(struct termdf *df, const strbuf *cols, int ncols, int sign);

/* A row's counted words, each once with the columns it is in, made
 * ahead of termdf_note_words (on an import's reading thread: no handle
 * needed). Packed: per word its hash (uint32), length (uint32), column
 * bits (uint32), then its bytes. */
struct termdf_words {
	strbuf buf;
};

/* The distinct counted words of k (kwtoks_make of ncols columns) into w
 * (which the caller zeroed or released). */
void termdf_words_make(const struct kwtoks *k, int ncols, struct termdf_words *w);
void termdf_words_release(struct termdf_words *w);

/* Count a row's words made ahead by termdf_words_make (sign as for
 * termdf_note). */
void termdf_note_words(struct termdf *df, const struct termdf_words *w, int sign);

/* Write the pending differences (inside the write transaction, before
 * COMMIT). Returns 0, or -1 with err set. */
int termdf_flush(struct termdf *df, strbuf *err);
/* Forget the pending differences (the transaction was rolled back). */
void termdf_drop(struct termdf *df);

/* Exact hit count of an FTS5 MATCH string when it is a single word, bare
 * ("\"van\"") or in one column ("{title} : \"lich\""): the number of live
 * bibliographic records with that word. -1 when fts is anything else (a
 * phrase, truncation, boolean) or differences are pending (inside an
 * import: the caller counts the usual way), or the word is an uncounted
 * number. */
long long termdf_count(struct termdf *df, const char *fts);

#endif
