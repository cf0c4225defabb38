/*
 * tcmd-zsearch.c - copy cataloguing commands of the workstation and the
 * shell (see tzsearch.h):
 *   zsearch QUERY   CCL to every target of the targets file at once; one
 *                   status line per target as it answers; the shell waits,
 *                   the screen keeps taking keys (tzs_* from its loop)
 *   zresults        the records received: N  target  title / author  year
 *   zopen N         record N in the editor as a NEW local record, its
 *                   source noted (035 (ORG)number, 040 $d our code)
 *   import          save that record after a duplicate check against the
 *                   catalogue (import! saves even when one matches)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcmd-impl.h"
#include "tzsearch.h"
#include "zclient.h"
#include "store-cli.h"
#include "i18n.h"

static struct {
	zsearch *zs;
	struct ztarget *t;
	size_t nt;
	int *told;               /* per target: status reported */
	int listed;
	int from_copy;           /* the record under edit came from zopen */
} Z;

void tzs_cleanup(void)
{
	zsearch_destroy(Z.zs);
	for (size_t i = 0; i < Z.nt; i++)
		ztarget_release(&Z.t[i]);
	free(Z.t);
	free(Z.told);
	memset(&Z, 0, sizeof Z);
}

static void status_line(tsess *s)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < Z.nt; i++) {
		const struct zt_status *st = zsearch_status(Z.zs, i);
		if (sb.len)
			sb_adds(&sb, " · ");
		switch (st->state) {
		case ZS_DONE: sb_addf(&sb, "%s: %ld", st->name, st->hits); break;
		case ZS_TIMEOUT: sb_addf(&sb, _("%s: timeout"), st->name); break;
		case ZS_ERROR: sb_addf(&sb, _("%s: error"), st->name); break;
		default: sb_addf(&sb, "%s: …", st->name); break;
		}
	}
	tsess_out(s, "zsearch: %s", sb.buf ? sb.buf : "");
	sb_release(&sb);
}

/* summary: the status line after the records (the screen, :zresults);
 * the shell's zsearch said each target once already, as bienmuc zsearch
 * does, and leaves it out */
static void list_results(tsess *s, int summary)
{
	size_t n = zsearch_nrecords(Z.zs);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const struct zrecord *zr = zsearch_record(Z.zs, i);
		struct brief b;
		cli_brief(zr->r, &b);
		sb_addf(&sb, "%s%zu  %s  %s / %s  %s", sb.len ? "\n" : "", i + 1,
		        zsearch_status(Z.zs, zr->target)->name, b.title, b.author, b.year);
		cli_brief_release(&b);
	}
	for (size_t i = 0; i < zsearch_nproblems(Z.zs); i++)
		tsess_err(s, "zsearch: %s", zsearch_problem(Z.zs, i));
	if (sb.len)
		tsess_out(s, "%s", sb.buf);
	sb_release(&sb);
	if (summary)
		status_line(s);
	if (n)
		tsess_out(s, ngettext("zsearch: %zu record: :zopen N to copy one",
		                      "zsearch: %zu records: :zopen N to copy one", n), n);
}

/* Report targets that finished since last time. */
static void report(tsess *s)
{
	for (size_t i = 0; i < Z.nt; i++) {
		const struct zt_status *st = zsearch_status(Z.zs, i);
		if (Z.told[i] || st->state == ZS_CONNECTING)
			continue;
		Z.told[i] = 1;
		if (st->state == ZS_DONE)
			tsess_out(s, ngettext("zsearch: %s: %ld hit (%.1f s)", "zsearch: %s: %ld hits (%.1f s)",
			                      (unsigned long)st->hits), st->name, st->hits, st->seconds);
		else            /* the words of bienmuc zsearch: "closed: error: ..." */
			tsess_err(s, "zsearch: %s: %s: %s", st->name,
			          st->state == ZS_TIMEOUT ? _("timeout") : _("error"), st->error);
	}
	if (zsearch_finished(Z.zs) && !Z.listed) {
		Z.listed = 1;
		list_results(s, s->fe.ui != NULL);
	} else if (!zsearch_finished(Z.zs) && s->fe.ui) {
		/* the screen's status line; the shell printed it again after
		 * every answer ("tinh: … · huyen: 1 · ..." three times for three
		 * targets), noise in a script: there each target is said once */
		status_line(s);
	}
}

struct zsearch *tzs_current(void)
{
	return Z.zs;
}

int tzs_active(void)
{
	return Z.zs && !zsearch_finished(Z.zs);
}

size_t tzs_pollfds(struct pollfd *fds, size_t max, int *timeout_ms)
{
	*timeout_ms = -1;
	return Z.zs ? zsearch_pollfds(Z.zs, fds, max, timeout_ms) : 0;
}

void tzs_process(tsess *s, const struct pollfd *fds, size_t nfds)
{
	if (!Z.zs)
		return;
	if (zsearch_process(Z.zs, fds, nfds) > 0 || zsearch_finished(Z.zs))
		report(s);
}

static void run_cb(void *arg, zsearch *zs, size_t i)
{
	(void)zs;
	(void)i;
	report(arg);
}

int tc_zsearch(tsess *s, int argc, char **argv, const char *rest)
{
	(void)argc;
	(void)argv;
	tzs_cleanup();
	struct ztargets ts = { NULL, 0 };
	strbuf err = STRBUF_INIT;
	char *path = ztargets_default_path();
	int rc = ztargets_load(&ts, path, 1, &err);
	if (rc == 0 && !ts.n)
		sb_addf(&err, _("no targets in %s (see bienmuc.conf(5), TARGETS)"), path);
	free(path);
	if (rc < 0 || !ts.n) {
		tsess_err(s, "zsearch: %s", err.buf);
		sb_release(&err);
		ztargets_release(&ts);
		return 2;
	}
	int pos = -1;
	Z.zs = zsearch_start(ts.t, ts.n, rest, 20, &pos, &err);
	if (!Z.zs) {
		tsess_err(s, "zsearch: %s", err.buf);
		sb_release(&err);
		ztargets_release(&ts);
		return 2;
	}
	Z.t = ts.t;
	Z.nt = ts.n;
	Z.told = xcalloc(Z.nt, sizeof *Z.told);
	sb_release(&err);
	if (!s->fe.ui) {
		/* the shell: wait here, reporting each target as it answers */
		zsearch_run(Z.zs, run_cb, s);
		report(s);
		return zsearch_nrecords(Z.zs) ? 0 : 1;
	}
	status_line(s);       /* the screen polls (tzs_process) */
	char *av[] = { (char *)"zresults-screen", NULL };
	return s->fe.ui(s->fe.ctx, 1, av);      /* the results screen */
}

int tc_zresults(tsess *s, int argc, char **argv, const char *rest)
{
	(void)argc; (void)argv; (void)rest;
	if (!Z.zs) {
		tsess_err(s, _("zresults: no copy cataloguing search yet (:zsearch QUERY)"));
		return 2;
	}
	if (s->fe.ui) {
		char *av[] = { (char *)"zresults-screen", NULL };
		return s->fe.ui(s->fe.ctx, 1, av);
	}
	if (!zsearch_finished(Z.zs)) {
		status_line(s);
		return 0;
	}
	list_results(s, 1);
	return 0;
}

int tc_zopen(tsess *s, int argc, char **argv, const char *rest)
{
	(void)rest;
	if (!Z.zs || !zsearch_nrecords(Z.zs)) {
		tsess_err(s, _("zopen: no records (:zsearch QUERY first)"));
		return 2;
	}
	long n = argc > 1 ? atol(argv[1]) : 1;
	if (n < 1 || (size_t)n > zsearch_nrecords(Z.zs)) {
		tsess_err(s, _("zopen: no record %s (1-%zu)"), argc > 1 ? argv[1] : "1",
		          zsearch_nrecords(Z.zs));
		return 2;
	}
	if (s->ed && edrec_modified(s->ed) && !s->force) {
		tsess_err(s, _("zopen: the record under edit has unsaved changes (:save, or :zopen! %ld)"),
		          n);
		return 1;
	}
	const struct zrecord *zr = zsearch_record(Z.zs, (size_t)n - 1);
	rec *r = rec_clone(zr->r);
	char *org = NULL;
	tsess_form_env(s, &org);
	zclient_note_source(r, Z.t[zr->target].org, org ? org : "VN-BIENMUC");
	free(org);
	char what[200];
	snprintf(what, sizeof what, _("copy of %s#%ld; :import saves it"), Z.t[zr->target].name,
	         zr->position);
	tsess_set_new(s, r, what);
	s->copy = 1;
	rec_destroy(r);
	Z.from_copy = 1;
	return 0;
}

int tzs_duplicate(tsess *s, const char *cmd)
{
	char **ids = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	int st = catalog_match(s->cat, edrec_rec(s->ed),
	                       CAT_MK_ISBN | CAT_MK_ISSN | CAT_MK_LCCN | CAT_MK_035,
	                       &ids, &n, &err);
	sb_release(&err);
	int dup = st == CAT_OK && n;
	if (dup)
		tsess_err(s, _("%s: already in the catalogue as %s (:open id=%s to see it; "
		          ":%s! saves a second copy, and past lint errors)"), cmd, ids[0], ids[0], cmd);
	cat_ids_free(ids, n);
	return dup;
}

int tc_import(tsess *s, int argc, char **argv, const char *rest)
{
	(void)argc; (void)argv; (void)rest;
	if (!s->ed || s->version != CAT_NEW) {
		tsess_err(s, _("import: no new record under edit (:zopen N copies one)"));
		return 2;
	}
	if (!s->force && tzs_duplicate(s, "import"))
		return 1;
	/* checked: the save need not check again */
	int copy = s->copy;
	s->copy = 0;
	int rc = tcmd_run(s, s->force ? "save!" : "save");
	if (rc == 0)
		Z.from_copy = 0;
	else if (s->ed && s->version == CAT_NEW)
		s->copy = copy;
	return rc;
}
