/*
 * tcmd-ops.c - the handlers of the workstation commands (table in
 * tcmd.c). They change the session and report through its front end;
 * nothing here draws or prints directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

#include "tcmd.h"
#include "tcmd-impl.h"
#include "marcio.h"
#include "form.h"
#include "i18n.h"
#include "journal-text.h"
#include "auth.h"
#include "cmd.h"                /* cmd_output: export writes the file whole */
#include "tzsearch.h"             /* a copy is checked for duplicates on save */

void tsess_event(tsess *s, int ev)
{
	if (s->fe.event)
		s->fe.event(s->fe.ctx, ev);
}

static int confirm(tsess *s, const char *q)
{
	if (s->force || !s->fe.confirm)
		return 1;
	return s->fe.confirm(s->fe.ctx, q);
}

void tsess_clear_results(tsess *s)
{
	if (s->rowcache) {
		for (size_t i = 0; i < s->res.n * 3; i++)
			free(s->rowcache[i]);
		free(s->rowcache);
		s->rowcache = NULL;
	}
	cat_result_free(&s->res);
	memset(&s->res, 0, sizeof s->res);
	s->res_more = 0;
	s->sel = 0;
}

void tsess_clear_history(tsess *s)
{
	cat_versions_free(s->hist, s->nhist);
	s->hist = NULL;
	s->nhist = 0;
	s->hsel = 0;
	rec_destroy(s->oldrec);
	s->oldrec = NULL;
}

void tsess_clear_record(tsess *s)
{
	edrec_destroy(s->ed);
	s->ed = NULL;
	free(s->id);
	s->id = NULL;
	s->version = CAT_NEW;
	s->deleted = 0;
	s->copy = 0;
	edmerge_destroy(s->merge);
	s->merge = NULL;
	tsess_free_lint(s);
}

static void set_record(tsess *s, const rec *r, const char *id, long version)
{
	tsess_clear_record(s);
	s->ed = edrec_create(r);
	s->id = id ? xstrdup(id) : NULL;
	s->version = version;
	s->lint_stale = 1;
}

/* 1 (and a message) if unsaved changes stand in the way. */
static int unsaved(tsess *s, const char *what)
{
	if (s->ed && edrec_modified(s->ed) && !s->force) {
		tsess_err(s, _("%s: unsaved changes in %s (:save, or :%s! to discard them)"),
		          what, s->id ? s->id : _("the new record"), what);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* searching and opening */

/* Fill the row cache for rows i.. (up to 32 not yet cached) from the
 * catalogue's result-list summaries: one call, no record decoding. */
static void row_fill(tsess *s, size_t i)
{
	size_t n = 0;
	while (n < 32 && i + n < s->res.n && !s->rowcache[(i + n) * 3])
		n++;
	struct cat_summary *sum = xcalloc(n ? n : 1, sizeof *sum);
	catalog_summaries(s->cat, s->res.ids + i, n, sum, NULL);
	for (size_t k = 0; k < n; k++) {
		/* trim ISBD punctuation at the end of the title / author */
		char *tx[2] = { sum[k].title, sum[k].author };
		for (int j = 0; j < 2; j++) {
			size_t l = strlen(tx[j]);
			while (l && strchr(" /:;,.=", tx[j][l - 1]))
				tx[j][--l] = 0;
		}
		s->rowcache[(i + k) * 3] = sum[k].title;
		s->rowcache[(i + k) * 3 + 1] = sum[k].author;
		s->rowcache[(i + k) * 3 + 2] = sum[k].year;
		free(sum[k].isbn);
	}
	free(sum);
}

const char *tsess_row(tsess *s, size_t i, int which)
{
	if (i >= s->res.n || which < 0 || which > 2 || !s->cat)
		return "";
	if (!s->rowcache)
		s->rowcache = xcalloc(s->res.n * 3 + 1, sizeof *s->rowcache);
	if (!s->rowcache[i * 3])
		row_fill(s, i);
	return s->rowcache[i * 3 + which];
}

size_t tsess_results_more(tsess *s, size_t want)
{
	while (s->query && s->cat && s->res_more && s->res.n <= want) {
		struct cat_search_opts o = { 0 };
		struct cat_result more = { 0 };
		strbuf err = STRBUF_INIT;
		int pos = -1;
		/* the same order as the first page (estimate decides it) */
		o.sort = CAT_SORT_RELEVANCE;
		o.estimate = 1;
		o.offset = (long)s->res.n;
		o.limit = want == (size_t)-1 ? 0 : s->opt.page;
		if (catalog_search_ccl(s->cat, s->query, &o, &more, &pos, &err) < 0) {
			tsess_err(s, _("search: %s"), err.len ? err.buf : "failed");
			sb_release(&err);
			s->res_more = 0;
			break;
		}
		sb_release(&err);
		size_t n0 = s->res.n;
		if (!more.n || (o.limit && (long)more.n < o.limit))
			s->res_more = 0;
		if (more.n) {
			s->res.ids = xrealloc(s->res.ids, (n0 + more.n) * sizeof *s->res.ids);
			memcpy(s->res.ids + n0, more.ids, more.n * sizeof *more.ids);
			s->res.n = n0 + more.n;
			if (s->rowcache) {
				s->rowcache = xrealloc(s->rowcache, (s->res.n * 3 + 1) * sizeof *s->rowcache);
				memset(s->rowcache + n0 * 3, 0, (more.n * 3 + 1) * sizeof *s->rowcache);
			}
			free(more.ids);      /* the strings moved to s->res */
			more.ids = NULL;
			more.n = 0;
		}
		if (!s->res.estimated && (long)s->res.n >= s->res.total)
			s->res_more = 0;
		cat_result_free(&more);
	}
	return s->res.n;
}

static void list_results(tsess *s, size_t from, size_t n)
{
	for (size_t i = from; i < s->res.n && i < from + n; i++)
		tsess_out(s, "%4zu  %s | %s | %s | %s", i + 1, tsess_row(s, i, 0),
		          tsess_row(s, i, 1), tsess_row(s, i, 2), s->res.ids[i]);
}

TC_HANDLER(search)
{
	(void)argc; (void)argv;
	struct cat_search_opts o = { 0 };
	struct cat_result res = { 0 };
	strbuf err = STRBUF_INIT;
	int pos = -1;
	o.limit = s->opt.page;
	o.sort = CAT_SORT_RELEVANCE;
	o.estimate = 1;          /* a broad query shows "about N" at once */
	int rc = catalog_search_ccl(s->cat, rest, &o, &res, &pos, &err);
	if (rc < 0) {
		tsess_err(s, _("search: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	tsess_clear_results(s);
	s->res = res;
	/* a full page may have more behind it (tsess_results_more) */
	s->res_more = (long)res.n == o.limit && (res.estimated || (long)res.n < res.total);
	free(s->query);
	s->query = xstrdup(rest);
	if (s->res.estimated)
		tsess_out(s, _("about %ld records (first %zu shown)"), s->res.total, s->res.n);
	else if ((long)s->res.n < s->res.total)
		tsess_out(s, _("%ld records (first %zu shown)"), s->res.total, s->res.n);
	else
		tsess_out(s, _("%ld record%s"), s->res.total, s->res.total == 1 ? "" : "s");
	if (!s->fe.ui)
		list_results(s, 0, s->res.n);
	tsess_event(s, TE_RESULTS);
	return 0;
}

TC_HANDLER(results)
{
	(void)argc; (void)argv; (void)rest;
	if (!s->query) {
		tsess_err(s, _("results: no search yet (:search QUERY)"));
		return 2;
	}
	tsess_out(s, _("%ld records for %s"), s->res.total, s->query);
	if (!s->fe.ui)
		list_results(s, 0, s->res.n);
	tsess_event(s, TE_RESULTS);
	return 0;
}

static int open_id(tsess *s, const char *id)
{
	rec *r = rec_create();
	struct cat_version v = { 0 };
	strbuf err = STRBUF_INIT;
	int rc = catalog_fetch(s->cat, id, r, &v, &err);
	if (rc < 0 && rc != CAT_DELETED) {
		tsess_err(s, _("open: %s"), err.len ? err.buf : "no such record");
		sb_release(&err);
		rec_destroy(r);
		cat_version_clear(&v);
		return 2;
	}
	set_record(s, r, id, v.version);
	s->deleted = rc == CAT_DELETED;
	tsess_clear_history(s);
	if (s->deleted)
		tsess_out(s, _("%s (version %ld) is deleted: :undelete brings it back"), id, v.version);
	else
		tsess_out(s, _("%s, version %ld, %zu fields"), id, v.version, rec_nfields(r));
	cat_version_clear(&v);
	sb_release(&err);
	rec_destroy(r);
	if (!s->fe.ui)
		tc_show(s, 1, NULL, "");
	tsess_event(s, TE_RECORD);
	return 0;
}

TC_HANDLER(open)
{
	(void)rest;
	if (unsaved(s, "open"))
		return 1;
	const char *a = argc > 1 ? argv[1] : NULL;
	if (a && !strncmp(a, "id=", 3))
		return open_id(s, a + 3);
	long n;
	if (!a)
		n = s->sel + 1;
	else {
		char *end;
		n = strtol(a, &end, 10);
		if (*end || end == a)
			return open_id(s, a);          /* a bare id */
	}
	if (n >= 1 && (size_t)n > s->res.n)
		tsess_results_more(s, (size_t)n - 1);
	if (!s->query && !s->res.n) {
		/* it said "no result 1 (0 results)" before any search */
		tsess_err(s, _("open: no search yet (search QUERY first, or open id=ID)"));
		return 2;
	}
	if (n < 1 || (size_t)n > s->res.n) {
		tsess_err(s, ngettext("open: no result %ld (%zu result)", "open: no result %ld (%zu results)",
		                      (unsigned long)s->res.n), n, s->res.n);
		return 2;
	}
	s->sel = n - 1;
	return open_id(s, s->res.ids[n - 1]);
}

TC_HANDLER(next)
{
	(void)argc; (void)argv; (void)rest;
	if (unsaved(s, "next"))
		return 1;
	if (!s->query && !s->res.n) {   /* it said "this is the last result" */
		tsess_err(s, _("%s: no search yet (:search QUERY)"), "next");
		return 2;
	}
	tsess_results_more(s, (size_t)s->sel + 1);
	if ((size_t)s->sel + 1 >= s->res.n) {
		tsess_err(s, _("next: this is the last result"));
		return 1;
	}
	s->sel++;
	return open_id(s, s->res.ids[s->sel]);
}

TC_HANDLER(prev)
{
	(void)argc; (void)argv; (void)rest;
	if (unsaved(s, "prev"))
		return 1;
	if (!s->query && !s->res.n) {
		tsess_err(s, _("%s: no search yet (:search QUERY)"), "prev");
		return 2;
	}
	if (s->sel <= 0 || !s->res.n) {
		tsess_err(s, _("prev: this is the first result"));
		return 1;
	}
	s->sel--;
	return open_id(s, s->res.ids[s->sel]);
}

static void print_record(tsess *s, const rec *r, int labelled)
{
	if (!labelled) {
		char *t = edit_field_text(r, EDIT_LDR);
		tsess_out(s, "%s", t);
		free(t);
	}
	for (size_t i = 0; i < rec_nfields(r); i++) {
		char *t = edit_field_text(r, i);
		if (labelled) {
			const char *lab = tsess_field_label(s, rec_tag(r, i), 1);
			char *txt = rec_is_control(r, i) ? NULL : rec_field_text(r, i, NULL);
			tsess_out(s, "%-24s %s", lab ? lab : rec_tag(r, i),
			          txt ? txt : t + 4);
			free(txt);
		} else
			tsess_out(s, "%s", t);
		free(t);
	}
}

TC_HANDLER(show)
{
	(void)rest;
	int lab = s->opt.labelled;
	if (argc > 1) {
		if (!strcmp(argv[1], "labelled") || !strcmp(argv[1], "labeled"))
			lab = 1;
		else if (!strcmp(argv[1], "tagged"))
			lab = 0;
		else {
			tsess_err(s, _("usage: show [tagged|labelled]"));
			return 2;
		}
	}
	if (s->fe.ui) {
		s->opt.labelled = lab;
		tsess_event(s, TE_RECORD);
	} else
		print_record(s, edrec_rec(s->ed), lab);
	return 0;
}

TC_HANDLER(edit)
{
	(void)argc; (void)argv; (void)rest;
	if (s->deleted) {
		tsess_err(s, _("edit: %s is deleted (:undelete first)"), s->id);
		return 1;
	}
	tsess_event(s, TE_EDIT);
	return 0;
}

/* A record from workform `name`: its leader and control fields as the
 * form builds them, then every data field with its defaults, empty
 * prompts kept so the cataloguer sees them. */
static rec *from_form(tsess *s, const char *name)
{
	char *path = form_find(name, ".form");
	strbuf err = STRBUF_INIT;
	if (!path) {
		char **names = form_names(".form");
		strbuf list = STRBUF_INIT;
		for (size_t i = 0; names && names[i]; i++)
			sb_addf(&list, "%s%s", i ? ", " : "", names[i]);
		tsess_err(s, _("new: no workform '%s' (copy%s%s)"), name, list.len ? ", " : "",
		          list.len ? list.buf : "");
		form_names_free(names);
		sb_release(&list);
		return NULL;
	}
	form *f = form_load(path, &err);
	free(path);
	if (!f) {
		tsess_err(s, _("new: %s"), err.buf);
		sb_release(&err);
		return NULL;
	}
	size_t n = form_nelems(f);
	const char **ans = xcalloc(n + 1, sizeof *ans);
	char *org;
	tsess_form_env(s, &org);
	struct form_env env = { org, 0 };
	rec *built = rec_create();
	sb_reset(&err);
	form_build(f, ans, &env, built, &err);
	rec *r = rec_create();
	rec_set_leader(r, rec_leader(built), REC_LEADER_LEN);
	for (size_t i = 0; i < rec_nfields(built); i++)
		if (rec_is_control(built, i))
			rec_insert_copy(r, rec_nfields(r), built, i);
	int lastfield = -1;
	size_t fi = 0;
	for (size_t i = 0; i < n; i++) {
		const struct form_elem *e = form_elem(f, i);
		if (!e->code)
			continue;
		if (e->field != lastfield) {
			fi = rec_add_field(r, e->tag, e->ind1 ? e->ind1 : ' ', e->ind2 ? e->ind2 : ' ');
			lastfield = e->field;
		}
		char *v = e->value ? form_expand(e->value, &env) : xstrdup("");
		rec_add_sub(r, fi, e->code, v, strlen(v));
		free(v);
	}
	free(ans);
	free(org);
	rec_destroy(built);
	form_destroy(f);
	sb_release(&err);
	return r;
}

TC_HANDLER(new)
{
	(void)rest;
	if (unsaved(s, "new"))
		return 1;
	rec *r;
	const char *what = argc > 1 ? argv[1] : "";
	if (argc == 1 && s->fe.ui) {
		/* the screen: a menu of workforms */
		char *av[] = { "form-menu", NULL };
		return s->fe.ui(s->fe.ctx, 1, av);
	}
	if (argc > 1 && !strcmp(argv[1], "copy")) {
		if (!s->ed) {
			tsess_err(s, _("new copy: no record is open to copy"));
			return 2;
		}
		r = edit_new_record(edrec_rec(s->ed));
	} else if (argc > 1 && strcmp(argv[1], "empty")) {
		if (s->fe.ui) {
			/* the screen: the fill-in form */
			char *path = form_find(argv[1], ".form");
			if (path) {
				free(path);
				char *av[] = { "form-fill", argv[1], NULL };
				return s->fe.ui(s->fe.ctx, 2, av);
			}
		}
		r = from_form(s, argv[1]);
		if (!r)
			return 2;
	} else
		r = edit_new_record(NULL);
	tsess_set_new(s, r, what);
	rec_destroy(r);
	return 0;
}

void tsess_set_new(tsess *s, const rec *r, const char *what)
{
	set_record(s, r, NULL, CAT_NEW);
	edrec_set_cur(s->ed, 1);
	/* a record filled in from a workform, copied or fetched is work
	 * not saved yet: quitting or opening another record asks for the !
	 * form, as after typing (the bare empty template does not) */
	rec *empty = edit_new_record(NULL);
	if (rec_compare(r, empty, NULL, 0))
		edrec_mark_unsaved(s->ed);
	rec_destroy(empty);
	if (what && *what)
		tsess_out(s, _("new record (%s): edit, then :save"), what);
	else
		tsess_out(s, _("new record: edit, then :save"));
	tsess_event(s, TE_EDIT);
}

TC_HANDLER(close)
{
	(void)argc; (void)argv; (void)rest;
	if (unsaved(s, "close"))
		return 1;
	tsess_clear_record(s);
	tsess_event(s, TE_CLOSED);
	return 0;
}

static long find_line(tsess *s, const char *spec, const char *cmd)
{
	char tag[4];
	int nth;
	if (edit_parse_tagspec(spec, tag, &nth) < 0) {
		tsess_err(s, _("%s: '%s' is not TAG or TAG/N"), cmd, spec);
		return -1;
	}
	if (!strcmp(tag, "LDR"))
		return 0;
	long l = edrec_find(s->ed, tag, nth);
	if (l < 0)
		tsess_err(s, _("%s: no field %s%s"), cmd, spec, nth ? "" : " in this record");
	return l;
}

static void show_line(tsess *s, size_t line)
{
	if (s->fe.ui)
		return;
	char *t = edit_field_text(edrec_rec(s->ed), line ? line - 1 : EDIT_LDR);
	tsess_out(s, "%s", t);
	free(t);
}

TC_HANDLER(goto)
{
	(void)argc; (void)rest;
	char *end;
	long n = strtol(argv[1], &end, 10);
	long l;
	if (!*end && strlen(argv[1]) != 3) {
		l = n - 1 + 1;     /* LINE: 1-based over the fields, 0 = leader */
		if (l < 0 || (size_t)l >= edrec_nlines(s->ed)) {
			tsess_err(s, _("goto: no line %ld"), n);
			return 2;
		}
	} else if ((l = find_line(s, argv[1], "goto")) < 0)
		return 2;
	edrec_set_cur(s->ed, (size_t)l);
	show_line(s, (size_t)l);
	tsess_event(s, TE_CHANGED);
	return 0;
}

static int changed(tsess *s, int rc, strbuf *err, const char *cmd)
{
	if (rc < 0) {
		tsess_err(s, "%s: %s", cmd, err->len ? err->buf : "failed");
		sb_release(err);
		return 2;
	}
	sb_release(err);
	s->lint_stale = 1;
	tsess_event(s, TE_CHANGED);
	return 0;
}

/* "TAG IND TEXT" from words: IND may be omitted when TEXT starts with $ */
static char *field_line(const char *tag, const char *rest_after_tag)
{
	strbuf sb = STRBUF_INIT;
	const char *p = rest_after_tag;
	sb_addf(&sb, "%s ", tag);
	if (rec_tag_is_control(tag)) {
		sb_adds(&sb, p);
		return sb_detach(&sb, NULL);
	}
	if (*p == '$' || !*p)
		sb_adds(&sb, "   ");
	else {
		/* IND: one or two characters, blanks as _ # \ */
		size_t k = 0;
		char ind[2] = { ' ', ' ' };
		while (p[k] && p[k] != ' ' && k < 2) {
			ind[k] = p[k];
			k++;
		}
		sb_addc(&sb, ind[0]);
		sb_addc(&sb, ind[1]);
		sb_addc(&sb, ' ');
		p += k;
		while (*p == ' ')
			p++;
	}
	sb_adds(&sb, p);
	return sb_detach(&sb, NULL);
}

TC_HANDLER(field)
{
	strbuf err = STRBUF_INIT;
	const char *sub = argv[1];
	size_t cur = edrec_cur(s->ed);
	int rc;
	if (s->deleted) {
		tsess_err(s, _("field: %s is deleted"), s->id);
		return 1;
	}
	if (!strcmp(sub, "add") || ((!strcmp(sub, "ins") || !strcmp(sub, "new")) && argc > 2)) {
		if (argc < 3) {
			tsess_err(s, _("usage: field add TAG IND TEXT"));
			return 2;
		}
		char *line = field_line(argv[2], tcmd_rest(rest, 2));
		if (!strcmp(sub, "add"))
			rc = edrec_add_field(s->ed, line, &err);
		else
			rc = edrec_insert_line(s->ed, sub[0] == 'i' ? (cur ? cur : 1) : cur + 1, line, &err);
		free(line);
		rc = changed(s, rc, &err, "field");
		if (!rc)
			show_line(s, edrec_cur(s->ed));
		return rc;
	}
	if (!strcmp(sub, "ins") || !strcmp(sub, "new") || !strcmp(sub, "edit")) {
		if (s->fe.ui)
			return s->fe.ui(s->fe.ctx, argc, argv);
		tsess_err(s, _("usage: field %s TAG IND TEXT"), sub);
		return 2;
	}
	if (!strcmp(sub, "set")) {
		if (argc < 4) {
			tsess_err(s, _("usage: field set TAG[/N] IND TEXT"));
			return 2;
		}
		long l = find_line(s, argv[2], "field set");
		if (l < 0)
			return 2;
		char tag[4];
		int nth;
		edit_parse_tagspec(argv[2], tag, &nth);
		char *line = l == 0 ? xstrdup(tcmd_rest(rest, 1)) : field_line(tag, tcmd_rest(rest, 2));
		rc = edrec_set_line(s->ed, (size_t)l, line, &err);
		free(line);
		rc = changed(s, rc, &err, "field set");
		if (!rc)
			show_line(s, (size_t)l);
		return rc;
	}
	long l = (long)cur;
	if (argc > 2 && strcmp(sub, "copy")) {
		if ((l = find_line(s, argv[2], "field")) < 0)
			return 2;
	}
	if (!strcmp(sub, "del")) {
		char *t = l > 0 ? edit_field_text(edrec_rec(s->ed), (size_t)l - 1) : NULL;
		rc = changed(s, edrec_delete_line(s->ed, (size_t)l, &err), &err, "field del");
		if (!rc && !s->fe.ui)
			tsess_out(s, _("deleted: %s"), t);
		free(t);
		return rc;
	}
	if (!strcmp(sub, "dup"))
		return changed(s, edrec_dup_line(s->ed, (size_t)l, &err), &err, "field dup");
	if (!strcmp(sub, "up") || !strcmp(sub, "down"))
		return changed(s, edrec_move_line(s->ed, (size_t)l, sub[0] == 'u' ? -1 : 1, &err),
		               &err, "field");
	if (!strcmp(sub, "copy")) {
		long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
		if (n < 1)
			n = 1;
		if (edrec_copy(s->ed, cur, (size_t)n, s->clip, &err) < 0) {
			tsess_err(s, _("field copy: %s"), err.buf);
			sb_release(&err);
			return 2;
		}
		sb_release(&err);
		tsess_out(s, _("copied %zu field%s"), rec_nfields(s->clip), rec_nfields(s->clip) == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(sub, "paste"))
		return changed(s, edrec_paste(s->ed, cur + 1, s->clip, &err), &err, "field paste");
	tsess_err(s, _("field: unknown '%s' (add del set ins new dup up down copy paste)"), sub);
	return 2;
}

TC_HANDLER(sub)
{
	strbuf err = STRBUF_INIT;
	const char *op = argv[1];
	size_t cur = edrec_cur(s->ed);
	if (!strcmp(op, "add")) {
		if (argc < 3 || strlen(argv[2]) != 1) {
			tsess_err(s, _("usage: sub add CODE TEXT"));
			return 2;
		}
		return changed(s, edrec_sub_add(s->ed, cur, (size_t)-1 >> 1, argv[2][0],
		                                tcmd_rest(rest, 2), &err), &err, "sub add");
	}
	size_t k = edrec_cursub(s->ed);
	if (argc > 2) {
		long n = strtol(argv[2], NULL, 10);
		if (n < 1) {
			tsess_err(s, _("sub: N counts from 1"));
			return 2;
		}
		k = (size_t)n - 1;
	}
	if (!strcmp(op, "del"))
		return changed(s, edrec_sub_delete(s->ed, cur, k, &err), &err, "sub del");
	if (!strcmp(op, "up") || !strcmp(op, "down"))
		return changed(s, edrec_sub_move(s->ed, cur, k, op[0] == 'u' ? -1 : 1, &err),
		               &err, "sub");
	tsess_err(s, _("sub: unknown '%s' (add del up down)"), op);
	return 2;
}

TC_HANDLER(undo)
{
	(void)argc; (void)argv; (void)rest;
	if (edrec_undo(s->ed) < 0) {
		tsess_err(s, _("undo: nothing to undo"));
		return 1;
	}
	s->lint_stale = 1;
	tsess_out(s, _("undone (%zu more)"), edrec_undo_depth(s->ed));
	tsess_event(s, TE_CHANGED);
	return 0;
}

TC_HANDLER(redo)
{
	(void)argc; (void)argv; (void)rest;
	if (edrec_redo(s->ed) < 0) {
		tsess_err(s, _("redo: nothing to redo"));
		return 1;
	}
	s->lint_stale = 1;
	tsess_out(s, _("redone (%zu more)"), edrec_redo_depth(s->ed));
	tsess_event(s, TE_CHANGED);
	return 0;
}

static void list_findings(tsess *s)
{
	for (size_t i = 0; i < s->nfind; i++)
		tsess_out(s, "%s: %s", s->find[i].error ? _("error") : _("warning"), s->find[i].text);
}

TC_HANDLER(lint)
{
	(void)argc; (void)argv; (void)rest;
	size_t errors = tsess_lint(s);
	size_t warns = s->nfind - errors;
	if (!s->fe.ui || s->nfind)
		list_findings(s);
	tsess_out(s, _("lint: %zu error%s, %zu warning%s"), errors, errors == 1 ? "" : "s",
	          warns, warns == 1 ? "" : "s");
	return errors ? 1 : 0;
}

/* ---------------------------------------------------------------- */
/* saving and conflicts */

static void print_merge(tsess *s)
{
	edmerge *m = s->merge;
	char buf[16];
	for (size_t k = 0; k < m->n; k++) {
		edmerge_row *row = &m->rows[k];
		if (row->same)
			continue;
		const char *ch = row->choice == EDM_MINE ? "mine" :
		                 row->choice == EDM_THEIRS ? "theirs" : "both";
		snprintf(buf, sizeof buf, "%s", row->tag);
		char *a = row->mine >= 0 ? edit_field_text(m->mine, (size_t)row->mine) : NULL;
		char *b = row->theirs >= 0 ? edit_field_text(m->theirs, (size_t)row->theirs) : NULL;
		tsess_out(s, "%zu %s [%s]", k + 1, buf, ch);
		tsess_out(s, _("   mine:   %s"), a ? a : "(none)");
		tsess_out(s, _("   theirs: %s"), b ? b : "(none)");
		free(a);
		free(b);
	}
}

/* The first differing row of the merge, or 0. */
static long first_diff(const edmerge *m)
{
	for (size_t k = 0; k < m->n; k++)
		if (!m->rows[k].same)
			return (long)k;
	return 0;
}

/* The record was edited after the conflict was found (Esc back to the
 * editor, or a : command on the conflict screen): the merge compares
 * that older state. Make it again from the record as it is now, so that
 * nothing typed since is lost. 1 if it was remade. */
static int merge_refresh(tsess *s)
{
	if (!s->merge || !s->ed || !rec_compare(edrec_rec(s->ed), s->merge->mine, NULL, 0))
		return 0;
	edmerge *m = edmerge_create(edrec_rec(s->ed), s->merge->theirs, s->merge->base);
	edmerge_destroy(s->merge);
	s->merge = m;
	s->msel = first_diff(m);
	return 1;
}

TC_HANDLER(save)
{
	(void)argc; (void)argv; (void)rest;
	strbuf err = STRBUF_INIT;
	if (s->deleted) {
		tsess_err(s, _("save: %s is deleted (:undelete first)"), s->id);
		return 1;
	}
	if (s->id && !s->merge && s->ed && !edrec_modified(s->ed)) {
		/* nothing to save: no new version that says "no change" */
		tsess_out(s, _("save: no changes to save"));
		sb_release(&err);
		return 0;
	}
	long expected = s->id ? s->version : CAT_NEW;
	if (s->merge && merge_refresh(s)) {
		tsess_err(s, _("save: %s was edited after the conflict was shown; the merge now has "
		          "those edits (%zu fields differ): check it, then :save"),
		          s->id ? s->id : "", s->merge->ndiff);
		if (!s->fe.ui)
			print_merge(s);
		tsess_event(s, TE_CONFLICT);
		sb_release(&err);
		return 1;
	}
	if (s->merge) {
		/* the merge result replaces mine: the record is now their
		 * version with my changes, and is saved over it (a save refused
		 * by lint is then fixed and saved without a second merge) */
		rec *r = edmerge_result(s->merge);
		edrec_replace(s->ed, r, 1);
		rec_destroy(r);
		/* undo must not go back past the merge to a record without
		 * their changes, which the next save would write over them */
		edrec_forget_undo(s->ed);
		s->version = s->their_version;
		expected = s->version;
		edmerge_destroy(s->merge);
		s->merge = NULL;
		s->lint_stale = 1;
	}
	/* a copy from another catalogue: the duplicate check :import makes
	 * (C-s on a copy skipped it, and saved a second record) */
	if (s->copy && expected == CAT_NEW && !s->force && tzs_duplicate(s, "save")) {
		sb_release(&err);
		return 1;
	}
	size_t errors = tsess_lint(s);
	if (errors && !s->force) {
		if (!s->fe.ui)
			list_findings(s);
		/* name the first error, not a warning listed before it */
		size_t fe = 0;
		while (fe < s->nfind && !s->find[fe].error)
			fe++;
		tsess_err(s, _("save refused: %zu lint error%s (:lint lists them; :save! saves anyway)%s%s"),
		          errors, errors == 1 ? "" : "s", fe < s->nfind ? ": " : "",
		          fe < s->nfind ? s->find[fe].text : "");
		tsess_event(s, TE_CHANGED);
		return 1;
	}
	rec *r = rec_clone(edrec_rec(s->ed));
	/* the field under the cursor, as tag and occurrence: the save may
	 * put 001/003/005 above it */
	char curtag[4] = "";
	int curnth = 0;
	size_t cur = edrec_cur(s->ed);
	if (cur > 0 && cur - 1 < rec_nfields(r)) {
		snprintf(curtag, sizeof curtag, "%s", rec_tag(r, cur - 1));
		for (size_t i = 0; i < cur; i++)
			if (!strcmp(rec_tag(r, i), curtag))
				curnth++;
	}
	long nv = 0;
	int rc = catalog_save(s->cat, r, expected, NULL, &nv, &err);
	if (rc == CAT_CONFLICT && s->id) {
		rec *theirs = rec_create();
		struct cat_version v = { 0 };
		strbuf e2 = STRBUF_INIT;
		int frc = catalog_fetch(s->cat, s->id, theirs, &v, &e2);
		if (frc < 0 && frc != CAT_DELETED) {
			tsess_err(s, _("save: %s; and the current version cannot be read: %s"),
			          err.buf, e2.buf);
			rc = 2;
		} else {
			/* the version this edit started from: what each side
			 * changed decides the defaults */
			rec *base = rec_create();
			strbuf e3 = STRBUF_INIT;
			int brc = catalog_fetch_version(s->cat, s->id, s->version, base, NULL, &e3);
			if (brc < 0 && brc != CAT_DELETED) {
				rec_destroy(base);
				base = NULL;
			}
			sb_release(&e3);
			edmerge_destroy(s->merge);
			s->merge = edmerge_create(edrec_rec(s->ed), theirs, base);
			rec_destroy(base);
			s->their_version = v.version;
			s->msel = first_diff(s->merge);
			tsess_err(s, _("save: %s; nothing was written. Choose mine or theirs per field "
			          "(%zu differ), then :save"), err.buf, s->merge->ndiff);
			if (!s->fe.ui)
				print_merge(s);
			tsess_event(s, TE_CONFLICT);
			rc = 1;
		}
		cat_version_clear(&v);
		sb_release(&e2);
		rec_destroy(theirs);
		rec_destroy(r);
		sb_release(&err);
		return rc;
	}
	if (rc < 0) {
		tsess_err(s, _("save: %s"), err.len ? err.buf : "failed");
		rec_destroy(r);
		sb_release(&err);
		return 2;
	}
	edrec_replace(s->ed, r, 0);
	if (curnth) {
		long l = edrec_find(s->ed, curtag, curnth);
		if (l >= 0)
			edrec_set_cur(s->ed, (size_t)l);
	}
	const char *id = rec_get_control(r, "001");
	free(s->id);
	s->id = xstrdup(id ? id : "?");
	s->version = nv;
	edmerge_destroy(s->merge);
	s->merge = NULL;
	tsess_out(s, _("saved %s (version %ld)%s"), s->id, nv,
	          errors ? " despite lint errors" : "");
	rec_destroy(r);
	sb_release(&err);
	s->lint_stale = 1;
	tsess_event(s, TE_CHANGED);
	return 0;
}

static int need_merge(tsess *s, const char *cmd)
{
	if (!s->merge) {
		tsess_err(s, _("%s: no conflict is open"), cmd);
		return 1;
	}
	return 0;
}

static int parse_side(tsess *s, const char *w, const char *cmd)
{
	if (!strcmp(w, "mine"))
		return EDM_MINE;
	if (!strcmp(w, "theirs"))
		return EDM_THEIRS;
	if (!strcmp(w, "both") && strcmp(cmd, "take-all"))
		return EDM_BOTH;
	tsess_err(s, _("%s: '%s': say mine, theirs%s"), cmd, w, strcmp(cmd, "take-all") ? " or both" : "");
	return -1;
}

TC_HANDLER(take)
{
	(void)rest;
	if (need_merge(s, "take"))
		return 1;
	int side = parse_side(s, argv[1], "take");
	if (side < 0)
		return 2;
	long k = s->msel;
	if (argc > 2) {
		char tag[4];
		int nth;
		if (edit_parse_tagspec(argv[2], tag, &nth) < 0) {
			tsess_err(s, _("take: '%s' is not TAG or TAG/N"), argv[2]);
			return 2;
		}
		k = -1;
		int seen = 0;
		for (size_t i = 0; i < s->merge->n; i++)
			if (!strcmp(s->merge->rows[i].tag, tag) && ++seen == (nth ? nth : 1)) {
				k = (long)i;
				break;
			}
		if (k < 0 && !strcmp(tag, "LDR"))
			k = -2;
		if (k == -1) {
			tsess_err(s, _("take: no %s in either version"), argv[2]);
			return 2;
		}
	}
	if (k == -2 || k < 0) {
		s->merge->leader_choice = side == EDM_THEIRS ? EDM_THEIRS : EDM_MINE;
		tsess_event(s, TE_CONFLICT);
		return 0;
	}
	if ((size_t)k >= s->merge->n)
		return 2;
	s->merge->rows[k].choice = side;
	tsess_event(s, TE_CONFLICT);
	return 0;
}

TC_HANDLER(take_all)
{
	(void)argc; (void)rest;
	if (need_merge(s, "take-all"))
		return 1;
	int side = parse_side(s, argv[1], "take-all");
	if (side < 0)
		return 2;
	edmerge_choose_all(s->merge, side);
	tsess_event(s, TE_CONFLICT);
	return 0;
}

TC_HANDLER(conflict)
{
	(void)argc; (void)argv; (void)rest;
	if (need_merge(s, "conflict"))
		return 1;
	merge_refresh(s);
	if (!s->fe.ui)
		print_merge(s);
	tsess_event(s, TE_CONFLICT);
	return 0;
}

/* ---------------------------------------------------------------- */
/* history, delete */

static const char *target_id(tsess *s, int argc, char **argv)
{
	if (argc > 1)
		return !strncmp(argv[1], "id=", 3) ? argv[1] + 3 : argv[1];
	return s->id;
}

TC_HANDLER(history)
{
	(void)rest;
	const char *id = target_id(s, argc, argv);
	if (!id) {
		tsess_err(s, _("history: no record (open one or give its id)"));
		return 2;
	}
	struct cat_version *v = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	if (catalog_history(s->cat, id, &v, &n, &err) < 0) {
		tsess_err(s, _("history: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	char *keep = xstrdup(id);
	tsess_clear_history(s);
	s->hist = v;
	s->nhist = n;
	s->hsel = n ? (long)n - 1 : 0;
	if (!s->id || strcmp(s->id, keep)) {
		/* history of another record: remember which */
		free(s->helptopic);
		s->helptopic = NULL;
	}
	if (!s->fe.ui)
		for (size_t i = 0; i < n; i++) {
			char *sum = journal_text(v[i].summary);
			/* padded in cells, not bytes (Vietnamese names and actions) */
			const char *u = v[i].user ? v[i].user : "", *a = journal_action(v[i].action);
			int uw = 10 + (int)(strlen(u) - edit_str_cells(u));
			int aw = 8 + (int)(strlen(a) - edit_str_cells(a));
			tsess_out(s, "%3ld  %s  %-*s %-*s %s", v[i].version, v[i].time, uw, u, aw, a, sum);
			free(sum);
		}
	free(keep);
	tsess_event(s, TE_HISTORY);
	return 0;
}

TC_HANDLER(version)
{
	(void)argc; (void)rest;
	if (!s->id) {
		tsess_err(s, _("version: no record is open"));
		return 2;
	}
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (*end || n < 1) {
		tsess_err(s, _("version: '%s' is not a version number"), argv[1]);
		return 2;
	}
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	int rc = catalog_fetch_version(s->cat, s->id, n, r, NULL, &err);
	if (rc < 0 && rc != CAT_DELETED) {
		tsess_err(s, _("version: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		rec_destroy(r);
		return 2;
	}
	sb_release(&err);
	rec_destroy(s->oldrec);
	s->oldrec = r;
	s->oldver = n;
	if (!s->fe.ui)
		print_record(s, r, s->opt.labelled);
	tsess_event(s, TE_VERSION);
	return 0;
}

TC_HANDLER(rollback)
{
	(void)rest;
	const char *id = s->id;
	long n;
	if (!id) {
		tsess_err(s, _("rollback: no record is open"));
		return 2;
	}
	if (argc > 1) {
		char *end;
		n = strtol(argv[1], &end, 10);
		if (*end || n < 1) {
			tsess_err(s, _("rollback: '%s' is not a version number"), argv[1]);
			return 2;
		}
	} else if (s->nhist && (size_t)s->hsel < s->nhist)
		n = s->hist[s->hsel].version;
	else {
		tsess_err(s, _("usage: rollback N"));
		return 2;
	}
	if (unsaved(s, "rollback"))
		return 1;
	if (n == s->version) {          /* said before the question, not after */
		strbuf why = STRBUF_INIT;
		sb_addf(&why, _("version %ld of '%s' is already the current one"), n, id);
		tsess_err(s, _("rollback: %s"), why.buf);
		sb_release(&why);
		return 2;
	}
	char q[200];
	snprintf(q, sizeof q, _("Restore version %ld of %s as a new version?"), n, id);
	if (!confirm(s, q)) {
		tsess_out(s, _("rollback: cancelled"));
		return 1;
	}
	strbuf err = STRBUF_INIT;
	long nv = 0;
	if (catalog_rollback(s->cat, id, n, &nv, &err) < 0) {
		tsess_err(s, _("rollback: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	char *keep = xstrdup(id);
	void (*ev)(void *, int) = s->fe.event;
	void (*out)(void *, const char *) = s->fe.out;
	s->fe.event = NULL;            /* one event and one message at the end */
	s->fe.out = NULL;
	open_id(s, keep);
	char *hargv[] = { (char *)"history", keep, NULL };
	tc_history(s, 2, hargv, "");
	s->fe.out = out;
	s->fe.event = ev;
	tsess_out(s, _("version %ld of %s restored as version %ld"), n, keep, nv);
	free(keep);
	tsess_event(s, TE_RECORD);
	return 0;
}

TC_HANDLER(delete)
{
	(void)argc; (void)argv; (void)rest;
	if (!s->id) {
		tsess_err(s, _("delete: the record was never saved (:close! drops it)"));
		return 2;
	}
	if (s->deleted) {
		tsess_err(s, _("delete: %s is already deleted"), s->id);
		return 1;
	}
	/* an authority that headings still link to: `auth delete` first */
	size_t nu = auth_user_count(s->cat, s->id);
	if (nu) {
		tsess_err(s, ngettext("delete: authority %s is used by %zu record; bienmuc auth delete "
		                      "relinks or unlinks it first",
		                      "delete: authority %s is used by %zu records; bienmuc auth delete "
		                      "relinks or unlinks them first", nu), s->id, nu);
		return 1;
	}
	strbuf err = STRBUF_INIT;
	char q[300];
	snprintf(q, sizeof q, _("Delete record %s? It stays in the journal (:undelete %s)."),
	         s->id, s->id);
	if (!confirm(s, q)) {
		tsess_out(s, _("delete: cancelled"));
		sb_release(&err);
		return 1;
	}
	if (catalog_delete(s->cat, s->id, s->version, NULL, &err) < 0) {
		tsess_err(s, _("delete: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	tsess_out(s, _("deleted %s (:undelete %s brings it back)"), s->id, s->id);
	/* the result list no longer shows it */
	for (size_t i = 0; i < s->res.n; i++)
		if (!strcmp(s->res.ids[i], s->id)) {
			free(s->res.ids[i]);
			if (s->rowcache) {
				for (int k = 0; k < 3; k++)
					free(s->rowcache[i * 3 + k]);
				memmove(s->rowcache + i * 3, s->rowcache + i * 3 + 3,
				        (s->res.n - i - 1) * 3 * sizeof *s->rowcache);
				memset(s->rowcache + (s->res.n - 1) * 3, 0, 3 * sizeof *s->rowcache);
			}
			memmove(s->res.ids + i, s->res.ids + i + 1, (s->res.n - i - 1) * sizeof *s->res.ids);
			s->res.n--;
			s->res.total--;
			if (s->sel >= (long)s->res.n && s->sel > 0)
				s->sel--;
			break;
		}
	tsess_clear_record(s);
	tsess_event(s, TE_CLOSED);
	return 0;
}

TC_HANDLER(undelete)
{
	(void)rest;
	const char *id0 = target_id(s, argc, argv);
	if (!id0) {
		tsess_err(s, _("usage: undelete ID"));
		return 2;
	}
	char *id = xstrdup(id0);
	strbuf err = STRBUF_INIT;
	if (catalog_undelete(s->cat, id, NULL, &err) < 0) {
		tsess_err(s, _("undelete: %s"), err.len ? err.buf : "failed");
		sb_release(&err);
		free(id);
		return 2;
	}
	sb_release(&err);
	if (s->ed && s->id && !strcmp(s->id, id) && edrec_modified(s->ed)) {
		/* the record open here, with unsaved changes: keep them. If only
		 * deletes and undeletes came after the version they were made on,
		 * the next save goes over the undeleted version; otherwise someone
		 * changed it meanwhile and the save shows the conflict. */
		struct cat_version *v = NULL;
		size_t n = 0;
		strbuf e2 = STRBUF_INIT;
		if (catalog_history(s->cat, id, &v, &n, &e2) == 0) {
			size_t k = 0;
			while (k < n && v[k].version <= s->version)
				k++;
			int only = k > 0 && v[k - 1].version == s->version;
			for (size_t j = k; j < n && only; j++)
				if (!v[j].action || (strcmp(v[j].action, "delete")
				                     && strcmp(v[j].action, "undelete")))
					only = 0;
			if (only && n)
				s->version = v[n - 1].version;
		}
		cat_versions_free(v, n);
		sb_release(&e2);
		s->deleted = 0;
		tsess_out(s, _("%s is back; your unsaved changes are kept (:save saves them)"), id);
		tsess_event(s, TE_CHANGED);
		free(id);
		return 0;
	}
	tsess_out(s, _("%s is back"), id);
	int keep_force = s->force;
	s->force = 1;
	open_id(s, id);
	s->force = keep_force;
	free(id);
	return 0;
}

TC_HANDLER(export)
{
	(void)rest;
	const char *path = argv[1];
	int fmt = MF_ISO2709;
	if (argc > 2)
		fmt = marc_format_parse(argv[2]);
	else {
		const char *dot = strrchr(path, '.');
		if (dot && (!strcmp(dot, ".xml")))
			fmt = MF_MARCXML;
		else if (dot && !strcmp(dot, ".mrk"))
			fmt = MF_MRK;
		else if (dot && !strcmp(dot, ".json"))
			fmt = MF_JSON;
	}
	if (fmt <= 0) {
		tsess_err(s, _("export: unknown format '%s' (iso2709, marcxml, mrk, json)"), argv[2]);
		return 2;
	}
	/* PATH whole or not at all: a refused record or a full disk leaves
	 * an earlier file of that name as it was (cmd_output) */
	struct cmd_output out = { 0 };        /* no stderr under the screen */
	FILE *fp = cmd_output_open(&out, path);
	if (!fp) {
		tsess_err(s, _("export: cannot write '%s': %s"), path, cmd_output_strerror(errno));
		return 2;
	}
	struct marc_write_opts o = { fmt, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &o);
	strbuf err = STRBUF_INIT;
	int rc = 0;
	if (!w || marc_writer_put(w, edrec_rec(s->ed), &err) < 0) {
		if (ferror(fp))
			tsess_err(s, _("export: cannot write '%s': %s"), path, strerror(errno));
		else
			tsess_err(s, _("export: %s"), err.len ? err.buf : "cannot write that format");
		rc = 2;
	}
	if (marc_writer_close(w) < 0 && !rc) {
		tsess_err(s, _("export: cannot write '%s': %s"), path, strerror(errno));
		rc = 2;
	}
	if (cmd_output_close(&out, !rc) && !rc) {
		tsess_err(s, _("export: cannot write '%s': %s"), path, strerror(errno));
		rc = 2;
	}
	if (!rc)
		tsess_out(s, _("wrote %s (%s)"), path, marc_format_name(fmt));
	sb_release(&err);
	return rc;
}

TC_HANDLER(set)
{
	(void)rest;
	if (argc == 1) {
		tsess_out(s, _("display %s"), s->opt.labelled ? "labelled" : "tagged");
		tsess_out(s, _("input %s"), s->opt.input == 1 ? "telex" : s->opt.input == 2 ? "vni" : "off");
		tsess_out(s, _("live-lint %s"), s->opt.live_lint ? "on" : "off");
		tsess_out(s, _("page %ld"), s->opt.page);
		tsess_out(s, _("tonestyle %s"), s->opt.tone_new ? "new" : "old");
		tsess_out(s, _("lang %s"), s->opt.lang == 1 ? "en" : s->opt.lang == 2 ? "vi" : "auto");
		return 0;
	}
	if (argc != 3) {
		tsess_err(s, _("usage: set OPTION VALUE"));
		return 2;
	}
	strbuf msg = STRBUF_INIT;
	int rc = key_set_option(&s->opt, argv[1], argv[2], &msg);
	if (rc == 0 && !strcmp(argv[1], "lang"))
		i18n_set_lang(argv[2]);
	if (rc < 0)
		tsess_err(s, _("set: %s"), msg.buf);
	else
		tsess_out(s, "%s %s", argv[1], argv[2]);
	sb_release(&msg);
	tsess_event(s, TE_CHANGED);
	return rc < 0 ? 2 : 0;
}

TC_HANDLER(labels)
{
	(void)argc; (void)argv; (void)rest;
	s->opt.labelled = !s->opt.labelled;
	tsess_out(s, _("display %s"), s->opt.labelled ? "labelled" : "tagged");
	tsess_event(s, TE_CHANGED);
	return 0;
}

TC_HANDLER(help)
{
	(void)rest;
	free(s->helptopic);
	s->helptopic = argc > 1 ? xstrdup(argv[1]) : NULL;
	if (s->fe.ui) {
		tsess_event(s, TE_HELP);
		return 0;
	}
	if (s->helptopic && *s->helptopic && !tcmd_known(s->helptopic)) {
		/* it was "'frob' is not a command." on standard output, exit 0 */
		tsess_err(s, _("help: '%s' is not a command; help lists them"), s->helptopic);
		return 2;
	}
	strbuf sb = STRBUF_INIT;
	tcmd_help_text(s, KV_GLOBAL, s->helptopic, &sb);
	/* the shell: commands only, without screen keys (the keys of the
	 * screen came first: C-q, PgUp ... that a line shell has not) */
	const char *p = sb.buf;
	/* the headings of the sections, as tcmd_help_text writes them */
	char *stop = xstrdup(_("\nScreen commands (keys only):\n") + 1);
	stop[strcspn(stop, "\n")] = 0;
	char *start = xstrdup(_("Commands:\n"));
	start[strcspn(start, "\n")] = 0;
	int on = s->helptopic && *s->helptopic;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *l = xstrndup(p, n);
		if (*stop && !strcmp(l, stop)) {
			free(l);
			break;
		}
		if (!on && !strcmp(l, start))
			on = 1;
		if (on)
			tsess_out(s, "%s", l);
		free(l);
		p += n + (nl ? 1 : 0);
	}
	free(start);
	free(stop);
	sb_release(&sb);
	return 0;
}

TC_HANDLER(quit)
{
	(void)argc; (void)argv; (void)rest;
	if (unsaved(s, "quit"))
		return 1;
	s->quit = 1;
	tsess_event(s, TE_QUIT);
	return 0;
}
