/*
 * store-tok.c - the keyword index's words made ahead and replayed (see
 * store-tok.h): the unicode61 override on a catalogue connection, and
 * the packed word lists.
 */
#include <stdlib.h>
#include <string.h>

#include "store-tok.h"

/* what the override is given: the real tokenizer, and the words of the
 * INSERT being made, if any */
struct kwtok_hook {
	struct kwtok_fns real;
	const strbuf *cols;
	const struct kwtoks *k;
};

/* an instance of the override */
struct kwtok_inst {
	struct kwtok_hook *h;
	Fts5Tokenizer *real;
	int replayable;              /* made with the arguments the words were made with */
};

static const char *const kw_args[] = { "remove_diacritics", "2" };
#define KW_NARGS 2

static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return api;
}

static int w_create(void *ud, const char **az, int n, Fts5Tokenizer **out)
{
	struct kwtok_hook *h = ud;
	struct kwtok_inst *i = sqlite3_malloc(sizeof *i);
	if (!i)
		return SQLITE_NOMEM;
	i->h = h;
	i->real = NULL;
	i->replayable = n == KW_NARGS;
	for (int a = 0; a < n && i->replayable; a++)
		i->replayable = !strcmp(az[a], kw_args[a]);
	int rc = h->real.x.xCreate(h->real.ud, az, n, &i->real);
	if (rc != SQLITE_OK) {
		sqlite3_free(i);
		return rc;
	}
	*out = (Fts5Tokenizer *)i;
	return SQLITE_OK;
}

static void w_delete(Fts5Tokenizer *t)
{
	struct kwtok_inst *i = (struct kwtok_inst *)t;
	i->h->real.x.xDelete(i->real);
	sqlite3_free(i);
}

static int w_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                      int (*x)(void *, int, const char *, int, int, int))
{
	struct kwtok_inst *i = (struct kwtok_inst *)t;
	const struct kwtok_hook *h = i->h;
	if (h->k && i->replayable && flags == FTS5_TOKENIZE_DOCUMENT && n >= 0)
		for (int c = 0; c < h->k->ncols; c++)
			if (h->cols[c].len == (size_t)n &&
			    (!n || h->cols[c].buf == text || !memcmp(h->cols[c].buf, text, (size_t)n)))
				return kwtoks_each(h->k, c, ctx, x);
	return h->real.x.xTokenize(i->real, ctx, flags, text, n, x);
}

static void w_destroy(void *ud)
{
	free(ud);
}

struct kwtok_hook *kwtok_install(sqlite3 *db, struct kwtok_fns *orig)
{
	fts5_api *api = fts5_api_of(db);
	if (!api || api->xFindTokenizer(api, "unicode61", &orig->ud, &orig->x) != SQLITE_OK) {
		memset(orig, 0, sizeof *orig);
		return NULL;
	}
	struct kwtok_hook *h = xcalloc(1, sizeof *h);
	h->real = *orig;
	static const fts5_tokenizer wrap = { w_create, w_delete, w_tokenize };
	/* the newest tokenizer of a name is the one FTS5 finds */
	if (api->xCreateTokenizer(api, "unicode61", h, (fts5_tokenizer *)&wrap, w_destroy) !=
	    SQLITE_OK) {
		free(h);
		return NULL;
	}
	return h;
}

void kwtok_replay(struct kwtok_hook *h, const strbuf *cols, const struct kwtoks *k)
{
	if (!h)
		return;
	h->cols = k ? cols : NULL;
	h->k = cols ? k : NULL;
}

Fts5Tokenizer *kwtok_open(const struct kwtok_fns *f)
{
	Fts5Tokenizer *t = NULL;
	if (!f->x.xCreate || f->x.xCreate(f->ud, (const char **)kw_args, KW_NARGS, &t) != SQLITE_OK)
		return NULL;
	return t;
}

void kwtok_close(const struct kwtok_fns *f, Fts5Tokenizer *t)
{
	if (t)
		f->x.xDelete(t);
}

static int collect(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	strbuf *b = ctx;
	if (n < 0)
		return SQLITE_ERROR;
	/* one copy a word (five sb_add calls were a tenth of the reading) */
	int v[4] = { flags, n, start, end };
	sb_grow(b, sizeof v + (size_t)n);
	memcpy(b->buf + b->len, v, sizeof v);
	memcpy(b->buf + b->len + sizeof v, tok, (size_t)n);
	b->len += sizeof v + (size_t)n;
	b->buf[b->len] = 0;
	return SQLITE_OK;
}

int kwtoks_make(const struct kwtok_fns *f, Fts5Tokenizer *t, const strbuf *cols, int ncols,
                struct kwtoks *k)
{
	sb_init(&k->buf);
	k->ncols = 0;
	if (!t || ncols > KWTOK_MAXCOLS)
		return -1;
	/* room for the words at once (16 bytes a word and its letters: about
	 * four times the text), not grown from 64 bytes a doubling at a time */
	size_t text = 0;
	for (int c = 0; c < ncols; c++)
		text += cols[c].len;
	sb_grow(&k->buf, 4 * text + 64);
	for (int c = 0; c < ncols; c++) {
		if (cols[c].len &&
		    f->x.xTokenize(t, &k->buf, FTS5_TOKENIZE_DOCUMENT, cols[c].buf, (int)cols[c].len,
		                   collect) != SQLITE_OK) {
			kwtoks_release(k);
			return -1;
		}
		k->end[c] = k->buf.len;
	}
	k->ncols = ncols;
	return 0;
}

void kwtoks_release(struct kwtoks *k)
{
	sb_release(&k->buf);
	k->ncols = 0;
}

int kwtoks_each(const struct kwtoks *k, int c, void *ctx,
                int (*x)(void *ctx, int flags, const char *tok, int n, int start, int end))
{
	if (c < 0 || c >= k->ncols)
		return SQLITE_OK;
	size_t at = c ? k->end[c - 1] : 0;
	int rc = SQLITE_OK;
	while (rc == SQLITE_OK && at < k->end[c]) {
		int v[4];
		memcpy(v, k->buf.buf + at, sizeof v);
		at += sizeof v;
		rc = x(ctx, v[0], k->buf.buf + at, v[1], v[2], v[3]);
		at += (size_t)v[1];
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
