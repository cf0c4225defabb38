/*
 * catalog.c - the catalogue handle: picks a back end by the name given
 * to catalog_open() and forwards every call through its ops table. CCL
 * parsing and rollback are done here once for all back ends.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include "catalog.h"
#include "catalog-ops.h"
#include "cclquery.h"
#include "rpn2sql.h"             /* the operand at fault in a query error */
#include "matchkey.h"
#include "store.h"             /* store_record_year */
#include "i18n-lower.h"

#include <yaz/odr.h>
/* yaz/xmalloc.h defines x* macros; use ours (util.h). */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup

/* a module's data kept with a catalogue (catalog_aux) */
struct cat_aux {
	const void *key;
	void *data;
	void (*destroy)(void *data);
	struct cat_aux *next;
};

struct catalog {
	const struct catalog_ops *ops;
	void *be;
	struct cat_aux *aux;
};

static void (*notice_fn)(const char *msg);

void catalog_set_notice(void (*fn)(const char *msg))
{
	notice_fn = fn;
}

void catalog_notice(const char *msg)
{
	if (notice_fn)
		notice_fn(msg);
}

char *catalog_default_path(void)
{
	const char *e = getenv("BIENMUC_DB");
	if (e && *e)
		return xstrdup(e);
	strbuf sb = STRBUF_INIT;
	const char *x = getenv("XDG_DATA_HOME");
	if (x && *x) {
		sb_addf(&sb, "%s/bienmuc/catalog.db", x);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());
			home = pw && pw->pw_dir ? pw->pw_dir : ".";
		}
		sb_addf(&sb, "%s/.local/share/bienmuc/catalog.db", home);
	}
	return sb_detach(&sb, NULL);
}

catalog *catalog_open(const char *name, int flags, strbuf *err)
{
	char *def = NULL;
	const struct catalog_ops *ops = &store_catalog_ops;
	if (!name || !*name)
		name = def = catalog_default_path();
	if (!strncmp(name, "z3950://", 8) || !strncmp(name, "tcp:", 4))
		ops = &z3950_catalog_ops;
	else if (!strncmp(name, "sqlite:", 7))
		name += 7;
	void *be = ops->open(name, flags, err);
	free(def);
	if (!be)
		return NULL;
	catalog *c = xcalloc(1, sizeof *c);
	c->ops = ops;
	c->be = be;
	return c;
}

void catalog_close(catalog *c)
{
	if (!c)
		return;
	while (c->aux) {                /* before the back end: they may use it */
		struct cat_aux *a = c->aux;
		c->aux = a->next;
		if (a->destroy)
			a->destroy(a->data);
		free(a);
	}
	c->ops->close(c->be);
	free(c);
}

void *catalog_aux(catalog *c, const void *key)
{
	for (struct cat_aux *a = c ? c->aux : NULL; a; a = a->next)
		if (a->key == key)
			return a->data;
	return NULL;
}

void catalog_aux_set(catalog *c, const void *key, void *data, void (*destroy)(void *data))
{
	struct cat_aux *a = xcalloc(1, sizeof *a);
	a->key = key;
	a->data = data;
	a->destroy = destroy;
	a->next = c->aux;
	c->aux = a;
}

const char *catalog_backend(const catalog *c)
{
	return c->ops->name;
}

/* The back end's own handle (for store-auth.c). */
void *catalog_be(catalog *c)
{
	return c ? c->be : NULL;
}

void cat_result_free(struct cat_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++)
		free(res->ids[i]);
	free(res->ids);
	memset(res, 0, sizeof *res);
}

void cat_version_clear(struct cat_version *v)
{
	if (!v)
		return;
	free(v->user);
	free(v->action);
	free(v->summary);
	memset(v, 0, sizeof *v);
}

void cat_versions_free(struct cat_version *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cat_version_clear(&v[i]);
	free(v);
}

void cat_headings_free(struct cat_heading *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].heading);
		free(h[i].id);
	}
	free(h);
}

void cat_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

void cat_batches_free(struct cat_batch *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		free(b[i].user);
		free(b[i].command);
		free(b[i].state);
	}
	free(b);
}

int catalog_search_rpn(catalog *c, const struct Z_RPNQuery *q,
                       const struct cat_search_opts *opts,
                       struct cat_result *res, strbuf *err)
{
	static const struct cat_search_opts none;
	memset(res, 0, sizeof *res);
	return c->ops->search_rpn(c->be, q, opts ? opts : &none, res, err);
}

/* A query that parsed but that the translator refused ("'abc' is not a
 * year"): the column of the operand at fault, as for a CCL error. */
static void query_error_pos(const char *query, const struct Z_RPNQuery *q, int *errpos,
                            strbuf *err)
{
	struct rpn_sql rs;
	strbuf e2 = STRBUF_INIT;
	int pos = -1;
	if (rpn2sql(q, &rs, &e2) && rs.bad >= 0)
		pos = cclq_operand_pos(query, q, rs.bad);
	rpn_sql_release(&rs);
	sb_release(&e2);
	if (pos < 0)
		return;
	if (errpos)
		*errpos = pos;
	strbuf m = STRBUF_INIT;
	sb_addf(&m, _("column %d: %s"), cclq_char_pos(query, pos) + 1, err->buf ? err->buf : "");
	sb_reset(err);
	sb_adds(err, m.buf);
	sb_release(&m);
}

int catalog_search_ccl(catalog *c, const char *query,
                       const struct cat_search_opts *opts,
                       struct cat_result *res, int *errpos, strbuf *err)
{
	memset(res, 0, sizeof *res);
	ODR odr = odr_createmem(ODR_ENCODE);
	struct Z_RPNQuery *q = cclq_parse(query, odr, errpos, err);
	int rc;
	if (!q) {
		rc = CAT_QUERY;
	} else {
		rc = catalog_search_rpn(c, q, opts, res, err);
		if (rc == CAT_QUERY)
			query_error_pos(query, q, errpos, err);
	}
	odr_destroy(odr);
	return rc;
}

int catalog_fetch(catalog *c, const char *id, rec *out, struct cat_version *ver,
                  strbuf *err)
{
	return c->ops->fetch(c->be, id, 0, out, ver, err);
}

int catalog_fetch_version(catalog *c, const char *id, long version, rec *out,
                          struct cat_version *ver, strbuf *err)
{
	if (version <= 0) {
		sb_addf(err, _("no version %ld"), version);
		return CAT_NOTFOUND;
	}
	return c->ops->fetch(c->be, id, version, out, ver, err);
}

int catalog_save(catalog *c, rec *r, long expected_version,
                 const struct cat_save_opts *opts, long *new_version, strbuf *err)
{
	return c->ops->save(c->be, r, expected_version, opts, new_version, err);
}

struct cat_preparer {
	const struct catalog_ops *ops;
	void *pp;
};

cat_preparer *catalog_preparer_create(catalog *c)
{
	if (!c->ops->prep_create)
		return NULL;
	cat_preparer *p = xcalloc(1, sizeof *p);
	p->ops = c->ops;
	p->pp = c->ops->prep_create(c->be);
	return p;
}

void *catalog_prepare(cat_preparer *p, const rec *r)
{
	return p ? p->ops->prepare(p->pp, r) : NULL;
}

void catalog_prep_free(cat_preparer *p, void *prep)
{
	if (p && prep)
		p->ops->prep_free(prep);
}

void catalog_preparer_destroy(cat_preparer *p)
{
	if (!p)
		return;
	p->ops->prep_destroy(p->pp);
	free(p);
}

int catalog_delete(catalog *c, const char *id, long expected_version,
                   const struct cat_save_opts *opts, strbuf *err)
{
	return c->ops->del(c->be, id, expected_version, opts, err);
}

int catalog_undelete(catalog *c, const char *id, const struct cat_save_opts *opts,
                     strbuf *err)
{
	return c->ops->undel(c->be, id, opts, err);
}

int catalog_history(catalog *c, const char *id, struct cat_version **v, size_t *n,
                    strbuf *err)
{
	*v = NULL;
	*n = 0;
	return c->ops->history(c->be, id, v, n, err);
}

int catalog_rollback(catalog *c, const char *id, long version, long *new_version,
                     strbuf *err)
{
	rec *old = rec_create(), *cur = rec_create();
	struct cat_version cv = { 0 };
	int rc = catalog_fetch(c, id, cur, &cv, err);
	if (rc == CAT_DELETED) {
		sb_addf(err, _("record '%s' is deleted; undelete it first"), id);
		goto out;
	}
	if (rc)
		goto out;
	if (version == cv.version) {
		sb_addf(err, _("version %ld of '%s' is already the current one"), version, id);
		rc = CAT_CONFLICT;
		goto out;
	}
	rc = catalog_fetch_version(c, id, version, old, NULL, err);
	if (rc == CAT_DELETED)
		rc = CAT_OK;      /* a version marked deleted still has its data */
	if (rc)
		goto out;
	char note[64];
	/* the journal note is stored data, shown later to whoever reads the
	 * history: English, not translated */
	snprintf(note, sizeof note, "version %ld restored", version);
	struct cat_save_opts so = { .action = "rollback", .note = note };
	rc = catalog_save(c, old, cv.version, &so, new_version, err);
out:
	cat_version_clear(&cv);
	rec_destroy(old);
	rec_destroy(cur);
	return rc;
}

int catalog_browse(catalog *c, const char *index, const char *from, size_t n,
                   struct cat_heading **h, size_t *nh, strbuf *err)
{
	*h = NULL;
	*nh = 0;
	return c->ops->browse(c->be, index, from, n, h, nh, err);
}

#define OPTIONAL(op, ...) do { \
	if (!c->ops->op) { \
		sb_addf(err, _("the %s back end cannot do that"), c->ops->name); \
		return CAT_UNSUPPORTED; \
	} \
	return c->ops->op(c->be, __VA_ARGS__); } while (0)

int catalog_browse_before(catalog *c, const char *index, const char *from, size_t n,
                          struct cat_heading **h, size_t *nh, strbuf *err)
{
	*h = NULL;
	*nh = 0;
	OPTIONAL(browse_before, index, from, n, h, nh, err);
}

int catalog_scan(catalog *c, const char *since,
                 int (*fn)(void *arg, const char *id, const rec *r), void *arg, strbuf *err)
{
	OPTIONAL(scan, since, fn, arg, err);
}

int catalog_begin(catalog *c, strbuf *err)
{
	OPTIONAL(begin, err);
}

int catalog_commit(catalog *c, strbuf *err)
{
	OPTIONAL(commit, err);
}

void catalog_abort(catalog *c)
{
	if (c && c->ops->abort)
		c->ops->abort(c->be);
}

int catalog_matchkeys_parse(const char *list, strbuf *err)
{
	int mask = 0;
	char *dup = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(dup, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(t, "isbn")) mask |= CAT_MK_ISBN;
		else if (!strcmp(t, "issn")) mask |= CAT_MK_ISSN;
		else if (!strcmp(t, "lccn")) mask |= CAT_MK_LCCN;
		else if (!strcmp(t, "035")) mask |= CAT_MK_035;
		else if (!strcmp(t, "001")) mask |= CAT_MK_001;
		else if (!strcmp(t, "all")) mask |= CAT_MK_ALL;
		else if (!strcmp(t, "none")) ;
		else {
			sb_addf(err, _("unknown match key '%s' (isbn, issn, lccn, 035, 001, all, none)"), t);
			free(dup);
			return -1;
		}
	}
	free(dup);
	return mask;
}

int catalog_match(catalog *c, const rec *r, int keys, char ***ids, size_t *n,
                  strbuf *err)
{
	return catalog_match_prep(c, r, NULL, keys, ids, n, err);
}

int catalog_match_prep(catalog *c, const rec *r, const void *prep, int keys, char ***ids,
                       size_t *n, strbuf *err)
{
	*ids = NULL;
	*n = 0;
	OPTIONAL(match, r, prep, keys, ids, n, err);
}

char *catalog_get_setting(catalog *c, const char *key)
{
	return c->ops->get_setting ? c->ops->get_setting(c->be, key) : NULL;
}

int catalog_set_setting(catalog *c, const char *key, const char *value, strbuf *err)
{
	OPTIONAL(set_setting, key, value, err);
}

int catalog_batch_start(catalog *c, const char *command, long *batch, strbuf *err)
{
	OPTIONAL(batch_start, command, batch, err);
}

int catalog_batch_progress(catalog *c, long batch, const char *filekey, long recno,
                           long long offset, int file_done,
                           const struct cat_batch *counts, strbuf *err)
{
	OPTIONAL(batch_progress, batch, filekey, recno, offset, file_done, counts, err);
}

int catalog_batch_resume(catalog *c, const char *filekey, long *batch, long *recno,
                         long long *offset, int *file_done, strbuf *err)
{
	OPTIONAL(batch_resume, filekey, batch, recno, offset, file_done, err);
}

int catalog_batch_finish(catalog *c, long batch, const char *state, strbuf *err)
{
	OPTIONAL(batch_finish, batch, state, err);
}

int catalog_bulk_begin(catalog *c, long expected, int *suspended, strbuf *err)
{
	int dummy;
	if (!suspended)
		suspended = &dummy;
	*suspended = 0;
	return c->ops->bulk_begin ? c->ops->bulk_begin(c->be, expected, suspended, err) : CAT_OK;
}

int catalog_bulk_end(catalog *c, strbuf *err)
{
	return c->ops->bulk_end ? c->ops->bulk_end(c->be, err) : CAT_OK;
}

int catalog_waiters(catalog *c)
{
	return c->ops->waiters ? c->ops->waiters(c->be) : -1;
}

int catalog_batch_get(catalog *c, long batch, struct cat_batch *b, strbuf *err)
{
	OPTIONAL(batch_get, batch, b, err);
}

int catalog_batch_list(catalog *c, struct cat_batch **b, size_t *n, strbuf *err)
{
	*b = NULL;
	*n = 0;
	OPTIONAL(batch_list, b, n, err);
}

int catalog_batch_undo(catalog *c, long batch, int force, long *restored,
                       long *removed, long *conflicts, struct cat_undo_copies *copies,
                       strbuf *err)
{
	struct cat_undo_copies none;
	if (!copies)
		copies = &none;
	memset(copies, 0, sizeof *copies);
	OPTIONAL(batch_undo, batch, force, restored, removed, conflicts, copies, err);
}

/* ---- result lists ---- */

static char *summary_subs(const rec *r, long f, const char *codes)
{
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	if (f >= 0) {
		size_t ns = rec_nsub(r, (size_t)f);
		for (size_t s = 0; s < ns; s++) {
			if (!strchr(codes, rec_sub_code(r, (size_t)f, s)))
				continue;
			const char *v = rec_sub_value(r, (size_t)f, s, NULL);
			if (sb.len)
				sb_addc(&sb, ' ');
			sb_adds(&sb, v);
		}
	}
	while (sb.len && strchr(" /:;,=", sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = 0;
	for (size_t i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\t' || sb.buf[i] == '\n')
			sb.buf[i] = ' ';
	return sb_detach(&sb, NULL);
}

void cat_summary_of(const rec *r, struct cat_summary *s)
{
	s->title = summary_subs(r, rec_find(r, "245", 0), "abnp");
	static const char *const atags[] = { "100", "110", "111", "700", "710", "711" };
	long a = -1;
	for (int i = 0; i < 6 && a < 0; i++)
		a = rec_find(r, atags[i], 0);
	s->author = summary_subs(r, a, "abcdq");
	int y = store_record_year(r);
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	if (y)
		sb_addf(&sb, "%d", y);
	s->year = sb_detach(&sb, NULL);
	const char *isbn = rec_get(r, "020", 'a');
	char k[16];
	s->isbn = xstrdup(isbn ? (mk_isbn(isbn, k) == 1 ? k : isbn) : "");
	for (char *p = s->isbn; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
	s->found = 1;
}

void cat_summaries_free(struct cat_summary *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].title);
		free(s[i].author);
		free(s[i].year);
		free(s[i].isbn);
		memset(&s[i], 0, sizeof s[i]);
	}
}

int catalog_summaries(catalog *c, char *const *ids, size_t n,
                      struct cat_summary *out, strbuf *err)
{
	int rc = CAT_OK;
	if (n)
		memset(out, 0, n * sizeof *out);
	if (c->ops->summaries) {
		rc = c->ops->summaries(c->be, ids, n, out, err);
	} else {
		rec *r = rec_create();
		for (size_t i = 0; i < n && !rc; i++) {
			int st = c->ops->fetch(c->be, ids[i], 0, r, NULL, NULL);
			if (st == CAT_OK || st == CAT_DELETED)
				cat_summary_of(r, &out[i]);
			else if (st != CAT_NOTFOUND)
				rc = c->ops->fetch(c->be, ids[i], 0, r, NULL, err);   /* for the message */
		}
		rec_destroy(r);
	}
	for (size_t i = 0; i < n; i++) {
		char **f[] = { &out[i].title, &out[i].author, &out[i].year, &out[i].isbn };
		for (int k = 0; k < 4; k++)
			if (!*f[k])
				*f[k] = xstrdup("");
	}
	return rc;
}
