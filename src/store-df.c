/*
 * store-df.c - document frequencies of the keyword index's words (see
 * store-df.h): the termdf table, its pending differences, and the exact
 * count of a one-word search.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n-lower.h"
#include "store-df.h"

/* the fts table's columns, in its order (store.c's schema) */
static const char *const col_names[TERMDF_ANY] = {
	"title", "author", "subject", "notes", "publisher", "series",
};

/* one word with pending differences */
struct dfent {
	char *term;
	uint32_t len;
	uint32_t hash;
	unsigned long stamp;       /* the row it was last seen in */
	unsigned seen;             /* ... and in which columns there (bit TERMDF_ANY: any) */
	int delta[TERMDF_ANY + 1]; /* per column, and any */
};

struct termdf {
	sqlite3 *db;
	struct kwtok_fns tok;
	Fts5Tokenizer *t;
	sqlite3_stmt *up, *upn, *del, *get;
	arena *terms;              /* the strings of v (NULL until needed) */
	struct dfent *v;           /* open addressing; term NULL = empty */
	size_t cap, n;             /* cap: a power of 2 */
	unsigned long row;         /* stamp of the row being noted */
	int sign;
};

/* Numbers of 5 digits or more (record, accession, inventory numbers) are
 * nearly all unique: not counted here (half the rows of a catalogue whose
 * notes number its records); a search for one counts its few hits. */
#define UNCOUNTED_GLOB "[0-9][0-9][0-9][0-9][0-9]*"

static int uncounted(const char *t, size_t n)
{
	if (n < 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return 0;
	return 1;
}

int termdf_build(sqlite3 *db, strbuf *err)
{
	static const char sql[] =
		"CREATE TABLE termdf(term TEXT NOT NULL, col INTEGER NOT NULL, n INTEGER NOT NULL,"
		"  PRIMARY KEY(term, col)) WITHOUT ROWID;"
		"CREATE VIRTUAL TABLE temp.df_row USING fts5vocab(main, fts, row);"
		"CREATE VIRTUAL TABLE temp.df_col USING fts5vocab(main, fts, col);"
		"INSERT INTO termdf SELECT term, 6, doc FROM temp.df_row"
		"  WHERE NOT (term GLOB '" UNCOUNTED_GLOB "' AND term NOT GLOB '*[^0-9]*');"
		"INSERT INTO termdf SELECT term, CASE col WHEN 'title' THEN 0 WHEN 'author' THEN 1"
		"  WHEN 'subject' THEN 2 WHEN 'notes' THEN 3 WHEN 'publisher' THEN 4 ELSE 5 END,"
		"  doc FROM temp.df_col"
		"  WHERE NOT (term GLOB '" UNCOUNTED_GLOB "' AND term NOT GLOB '*[^0-9]*');"
		"DROP TABLE temp.df_row;"
		"DROP TABLE temp.df_col;";
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sb_addf(err, _("word counts: %s"), msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

struct termdf *termdf_create(sqlite3 *db, const struct kwtok_fns *tok)
{
	Fts5Tokenizer *t = kwtok_open(tok);
	if (!t)
		return NULL;
	struct termdf *df = xcalloc(1, sizeof *df);
	df->db = db;
	df->tok = *tok;
	df->t = t;
	return df;
}

void termdf_drop(struct termdf *df)
{
	if (!df)
		return;
	if (df->terms)
		arena_reset(df->terms);
	free(df->v);
	df->v = NULL;
	df->cap = df->n = 0;
}

void termdf_destroy(struct termdf *df)
{
	if (!df)
		return;
	termdf_drop(df);
	arena_destroy(df->terms);
	sqlite3_finalize(df->up);
	sqlite3_finalize(df->upn);
	sqlite3_finalize(df->del);
	sqlite3_finalize(df->get);
	kwtok_close(&df->tok, df->t);
	free(df);
}

static void grow(struct termdf *df)
{
	size_t ocap = df->cap;
	struct dfent *ov = df->v;
	df->cap = ocap ? 2 * ocap : 4096;
	df->v = xcalloc(df->cap, sizeof *df->v);
	for (size_t i = 0; i < ocap; i++) {
		if (!ov[i].term)
			continue;
		size_t j = ov[i].hash & (df->cap - 1);
		while (df->v[j].term)
			j = (j + 1) & (df->cap - 1);
		df->v[j] = ov[i];
	}
	free(ov);
}

/* The entry of term (hash h) for the current row, added if new. */
static struct dfent *entry(struct termdf *df, const char *term, size_t len, uint32_t h)
{
	if (2 * (df->n + 1) > df->cap)
		grow(df);
	size_t j = h & (df->cap - 1);
	struct dfent *e;
	for (;;) {
		e = &df->v[j];
		if (!e->term) {
			if (!df->terms)              /* the terms: freed at once */
				df->terms = arena_create(64 * 1024);
			e->term = arena_strndup(df->terms, term, len);
			e->len = (uint32_t)len;
			e->hash = h;
			df->n++;
			break;
		}
		if (e->hash == h && e->len == len && !memcmp(e->term, term, len))
			break;
		j = (j + 1) & (df->cap - 1);
	}
	if (e->stamp != df->row) {
		e->stamp = df->row;
		e->seen = 0;
	}
	return e;
}

/* Count the word of e once in each column of cols (bits) and once in
 * all, for the current row. */
static void count_cols(struct termdf *df, struct dfent *e, unsigned cols)
{
	unsigned add = (cols | 1u << TERMDF_ANY) & ~e->seen;
	e->seen |= add;
	for (int c = 0; add; c++, add >>= 1)
		if (add & 1)
			e->delta[c] += df->sign;
}

/* termdf_words_make's table of a row's words so far: index + 1 into
 * the offsets of buf, 0 = empty; on the stack while a row has few words */
#define WMAKE_SLOTS 512
struct wmake {
	struct termdf_words *w;
	uint32_t *slot;
	size_t *at;                /* where each word starts in w->buf */
	size_t nslot, n, cap;
	unsigned col;
	uint32_t slot0[WMAKE_SLOTS];
	size_t at0[WMAKE_SLOTS / 2];
};

static int make_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	(void)start;
	(void)end;
	struct wmake *m = ctx;
	if ((flags & FTS5_TOKEN_COLOCATED) || n <= 0 || uncounted(tok, (size_t)n))
		return SQLITE_OK;
	uint32_t h = fnv1a(FNV1A_SEED, tok, (size_t)n), v[3];
	if (2 * (m->n + 1) > m->nslot) {
		if (m->slot != m->slot0)
			free(m->slot);
		m->nslot *= 2;
		m->slot = xcalloc(m->nslot, sizeof *m->slot);
		for (size_t i = 0; i < m->n; i++) {
			memcpy(v, m->w->buf.buf + m->at[i], sizeof v);
			size_t j = v[0] & (m->nslot - 1);
			while (m->slot[j])
				j = (j + 1) & (m->nslot - 1);
			m->slot[j] = (uint32_t)i + 1;
		}
	}
	size_t j = h & (m->nslot - 1);
	for (; m->slot[j]; j = (j + 1) & (m->nslot - 1)) {
		char *p = m->w->buf.buf + m->at[m->slot[j] - 1];
		memcpy(v, p, sizeof v);
		if (v[0] == h && v[1] == (uint32_t)n && !memcmp(p + sizeof v, tok, (size_t)n)) {
			v[2] |= 1u << m->col;
			memcpy(p, v, sizeof v);
			return SQLITE_OK;
		}
	}
	if (m->n == m->cap) {
		m->cap *= 2;
		if (m->at == m->at0)
			m->at = memcpy(xmalloc(m->cap * sizeof *m->at), m->at0, sizeof m->at0);
		else
			m->at = xrealloc(m->at, m->cap * sizeof *m->at);
	}
	m->at[m->n] = m->w->buf.len;
	m->slot[j] = (uint32_t)++m->n;
	v[0] = h;
	v[1] = (uint32_t)n;
	v[2] = 1u << m->col;
	sb_add(&m->w->buf, (const char *)v, sizeof v);
	sb_add(&m->w->buf, tok, (size_t)n);
	return SQLITE_OK;
}

void termdf_words_make(const struct kwtoks *k, int ncols, struct termdf_words *w)
{
	sb_init(&w->buf);
	sb_grow(&w->buf, k->buf.len + 64);    /* no more than the words themselves */
	struct wmake m;
	m.w = w;
	m.n = 0;
	m.nslot = WMAKE_SLOTS;
	m.cap = WMAKE_SLOTS / 2;
	m.slot = m.slot0;
	m.at = m.at0;
	memset(m.slot0, 0, sizeof m.slot0);
	for (int c = 0; c < ncols && c < TERMDF_ANY; c++) {
		m.col = (unsigned)c;
		kwtoks_each(k, c, &m, make_token);
	}
	if (m.slot != m.slot0)
		free(m.slot);
	if (m.at != m.at0)
		free(m.at);
}

void termdf_words_release(struct termdf_words *w)
{
	sb_release(&w->buf);
}

void termdf_note_words(struct termdf *df, const struct termdf_words *w, int sign)
{
	if (!df)
		return;
	df->row++;
	df->sign = sign;
	for (size_t at = 0; at < w->buf.len;) {
		uint32_t v[3];
		memcpy(v, w->buf.buf + at, sizeof v);
		at += sizeof v;
		count_cols(df, entry(df, w->buf.buf + at, v[1], v[0]), v[2]);
		at += v[1];
	}
}

void termdf_note(struct termdf *df, const strbuf *cols, int ncols, int sign)
{
	if (!df)
		return;
	struct kwtoks k;
	struct termdf_words w;
	if (kwtoks_make(&df->tok, df->t, cols, ncols, &k))
		return;
	termdf_words_make(&k, ncols, &w);
	termdf_note_words(df, &w, sign);
	termdf_words_release(&w);
	kwtoks_release(&k);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct dfent *x = a, *y = b;
	if (!x->term || !y->term)
		return !x->term - !y->term;       /* empty slots last */
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->term, y->term, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int prep(struct termdf *df, sqlite3_stmt **s, const char *sql)
{
	return *s || sqlite3_prepare_v2(df->db, sql, -1, s, NULL) == SQLITE_OK ? 0 : -1;
}

/* UPN_ROWS additions a statement: a statement a row costs SQLite about as
 * much again as the row */
#define UPN_ROWS 16
#define UPN4 "(?,?,?),(?,?,?),(?,?,?),(?,?,?)"

struct addition {
	const struct dfent *e;
	int col;
};

/* Add the counts of a[0, n) to termdf: UPN_ROWS at once, or one by one. */
static int add_counts(struct termdf *df, const struct addition *a, int n)
{
	sqlite3_stmt *s = n == UPN_ROWS ? df->upn : df->up;
	int rc = 0;
	for (int k = 0; k < n && !rc; k++) {
		int at = s == df->upn ? 3 * k : 0;
		sqlite3_bind_text(s, at + 1, a[k].e->term, (int)a[k].e->len, SQLITE_STATIC);
		sqlite3_bind_int(s, at + 2, a[k].col);
		sqlite3_bind_int64(s, at + 3, a[k].e->delta[a[k].col]);
		if (s == df->up || k == n - 1) {
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = -1;
			sqlite3_reset(s);
		}
	}
	return rc;
}

int termdf_flush(struct termdf *df, strbuf *err)
{
	if (!df || !df->n)
		return 0;
	int rc = 0;
	if (prep(df, &df->up, "INSERT INTO termdf(term, col, n) VALUES(?1, ?2, ?3) "
	                      "ON CONFLICT(term, col) DO UPDATE SET n = n + excluded.n") ||
	    prep(df, &df->upn, "INSERT INTO termdf(term, col, n) VALUES "
	                       UPN4 "," UPN4 "," UPN4 "," UPN4 " "
	                       "ON CONFLICT(term, col) DO UPDATE SET n = n + excluded.n") ||
	    prep(df, &df->del, "DELETE FROM termdf WHERE term = ?1 AND col = ?2 AND n <= 0"))
		rc = -1;
	/* in key order: each B-tree page once per flush */
	qsort(df->v, df->cap, sizeof *df->v, ent_cmp);
	struct addition add[UPN_ROWS];
	int nadd = 0;
	for (size_t i = 0; !rc && i < df->n; i++) {
		struct dfent *e = &df->v[i];
		for (int c = 0; !rc && c <= TERMDF_ANY; c++) {
			if (e->delta[c] > 0) {
				add[nadd].e = e;
				add[nadd++].col = c;
				if (nadd == UPN_ROWS) {
					rc = add_counts(df, add, nadd);
					nadd = 0;
				}
			} else if (e->delta[c] < 0) {
				sqlite3_bind_text(df->up, 1, e->term, (int)e->len, SQLITE_STATIC);
				sqlite3_bind_int(df->up, 2, c);
				sqlite3_bind_int64(df->up, 3, e->delta[c]);
				if (sqlite3_step(df->up) != SQLITE_DONE)
					rc = -1;
				sqlite3_reset(df->up);
				if (!rc) {
					sqlite3_bind_text(df->del, 1, e->term, (int)e->len, SQLITE_STATIC);
					sqlite3_bind_int(df->del, 2, c);
					if (sqlite3_step(df->del) != SQLITE_DONE)
						rc = -1;
					sqlite3_reset(df->del);
				}
			}
		}
	}
	if (!rc && nadd)
		rc = add_counts(df, add, nadd);
	if (rc)
		sb_addf(err, _("word counts: %s"), sqlite3_errmsg(df->db));
	termdf_drop(df);
	return rc;
}

struct qtok {
	strbuf tok;
	int n;                     /* tokens seen */
};

static int one_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
	(void)start;
	(void)end;
	struct qtok *q = ctx;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (q->n++ == 0)
		sb_add(&q->tok, tok, (size_t)n);
	return SQLITE_OK;
}

long long termdf_count(struct termdf *df, const char *fts)
{
	if (!df || df->n || !fts)
		return -1;
	int col = TERMDF_ANY;
	const char *p = fts;
	if (*p == '{') {
		const char *e = strchr(p, '}');
		if (!e || strncmp(e, "} : \"", 5))
			return -1;
		col = -1;
		for (int c = 0; c < TERMDF_ANY; c++)
			if ((size_t)(e - p - 1) == strlen(col_names[c]) &&
			    !strncmp(p + 1, col_names[c], (size_t)(e - p - 1)))
				col = c;
		if (col < 0)
			return -1;
		p = e + 4;
	}
	/* one quoted word: no quotes, spaces or operators inside */
	size_t len = strlen(p);
	if (len < 3 || p[0] != '"' || p[len - 1] != '"')
		return -1;
	for (size_t i = 1; i < len - 1; i++)
		if (p[i] == '"' || p[i] == ' ')
			return -1;
	struct qtok q = { STRBUF_INIT, 0 };
	df->tok.x.xTokenize(df->t, &q, FTS5_TOKENIZE_QUERY, p + 1, (int)len - 2, one_token);
	long long n = -1;
	if (q.n == 1 && q.tok.len && !uncounted(q.tok.buf, q.tok.len) &&
	    !prep(df, &df->get, "SELECT n FROM termdf WHERE term = ?1 AND col = ?2")) {
		sqlite3_bind_text(df->get, 1, q.tok.buf, (int)q.tok.len, SQLITE_STATIC);
		sqlite3_bind_int(df->get, 2, col);
		int step = sqlite3_step(df->get);
		if (step == SQLITE_ROW)
			n = sqlite3_column_int64(df->get, 0);
		else if (step == SQLITE_DONE)
			n = 0;
		sqlite3_reset(df->get);
	}
	sb_release(&q.tok);
	return n;
}
