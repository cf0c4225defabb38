/*
 * tcmd-form.c - workstation commands for workforms, constant data, the
 * fixed-field editor and the input method toggle: :constants, :punctuate,
 * :saveform, :fixed, :input (table in tcmd.c). The fill-in form and the fixed-field
 * screen themselves are front-end screens (tui-form.c); in the shell
 * :fixed lists the positions and sets them by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "cmd.h"                /* cmd_output: the form file whole */
#include "tcmd.h"
#include "tcmd-impl.h"
#include "form.h"
#include "isbd.h"
#include "fixed.h"
#include "marcdef.h"
#include "vnime.h"
#include "i18n.h"

void tsess_form_env(tsess *s, char **org)
{
	*org = s->cat ? catalog_get_setting(s->cat, "org_code") : NULL;
}

/* ---------------------------------------------------------------- */
/* :constants NAME */

TC_HANDLER(constants)
{
	(void)argc; (void)rest;
	char *path = form_find(argv[1], ".const");
	if (!path) {
		char **names = form_names(".const");
		strbuf list = STRBUF_INIT;
		for (size_t i = 0; names[i]; i++)
			sb_addf(&list, "%s%s", i ? ", " : "", names[i]);
		tsess_err(s, _("constants: no constant data '%s' (there are: %s)"), argv[1],
		          list.len ? list.buf : "-");
		form_names_free(names);
		sb_release(&list);
		return 2;
	}
	strbuf err = STRBUF_INIT;
	form *cd = form_load(path, &err);
	free(path);
	if (!cd) {
		tsess_err(s, "constants: %s", err.buf);
		sb_release(&err);
		return 2;
	}
	char *org;
	tsess_form_env(s, &org);
	struct form_env env = { org, 0 };
	rec *r = rec_create();
	rec_copy(r, edrec_rec(s->ed));
	int n = form_apply_constants(cd, &env, r);
	if (n > 0) {
		edrec_replace(s->ed, r, 1);
		s->lint_stale = 1;
		tsess_event(s, TE_CHANGED);
	}
	tsess_out(s, n == 1 ? _("constants %s: %d change") : _("constants %s: %d changes"),
	          argv[1], n);
	rec_destroy(r);
	free(org);
	form_destroy(cd);
	sb_release(&err);
	return 0;
}

/* ---------------------------------------------------------------- */
/* :punctuate: what a workform does as it builds a record (isbd.h), for a
 * record typed in the tagged editor or copied from elsewhere */

TC_HANDLER(punctuate)
{
	(void)argc; (void)argv; (void)rest;
	char l18 = rec_leader(edrec_rec(s->ed))[18];
	if (l18 != 'a' && l18 != 'i') {
		tsess_err(s, _("punctuate: Leader/18 is '%c', not 'i' or 'a': the record says it has no "
		               "ISBD punctuation (set Leader/18 first)"), l18);
		return 2;
	}
	rec *r = rec_create();
	rec_copy(r, edrec_rec(s->ed));
	int n = isbd_punctuate(r);
	if (n > 0) {
		edrec_replace(s->ed, r, 1);
		s->lint_stale = 1;
		tsess_event(s, TE_CHANGED);
	}
	tsess_out(s, n == 1 ? _("punctuate: %d subfield changed") : _("punctuate: %d subfields changed"),
	          n);
	rec_destroy(r);
	return 0;
}

/* ---------------------------------------------------------------- */
/* :saveform ID [TITLE] */

static int mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *q = p + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			if (mkdir(p, 0777) < 0 && errno != EEXIST) {
				free(p);
				return -1;
			}
			*q = '/';
		}
	int rc = mkdir(p, 0777) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

TC_HANDLER(saveform)
{
	(void)argc;
	const char *id = argv[1];
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_') {
			tsess_err(s, _("saveform: '%s' is not a form name (letters, digits, - and _)"), id);
			return 2;
		}
	const char *title = argc > 2 ? tcmd_rest(rest, 1) : NULL;
	char *dir = form_user_dir();
	if (!dir) {
		tsess_err(s, _("saveform: no forms directory (set HOME or BIENMUC_FORMDIR)"));
		return 2;
	}
	if (mkdirs(dir) < 0) {
		tsess_err(s, _("saveform: cannot create %s: %s"), dir, strerror(errno));
		free(dir);
		return 2;
	}
	strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	sb_addf(&path, "%s/%s.form", dir, id);
	free(dir);
	struct stat st;
	if (stat(path.buf, &st) == 0 && !s->force) {
		tsess_err(s, _("saveform: %s exists (saveform! replaces it)"), path.buf);
		sb_release(&path);
		return 1;
	}
	/* bare values, as typed into a form: the marks come back when the form
	 * builds a record (form_build), and a subfield left empty then leaves
	 * none dangling */
	rec *bare = rec_clone(edrec_rec(s->ed));
	isbd_unpunctuate(bare);
	form_from_record(bare, id, title, &text);
	rec_destroy(bare);
	/* check that it loads back before writing it */
	strbuf err = STRBUF_INIT;
	form *f = form_parse(text.buf, path.buf, &err);
	int rc = 0;
	if (!f) {
		tsess_err(s, "saveform: %s", err.buf);
		rc = 2;
	} else {
		/* whole or not at all: written as FORM.part.PID in the same
		 * folder and renamed (cmd_output), so a full disk or a crash
		 * never leaves a half-written form (saveform! over an old one
		 * lost it) */
		struct cmd_output out = { 0 };        /* no stderr under the screen */
		FILE *fp = cmd_output_open(&out, path.buf);
		int bad = !fp || fwrite(text.buf, 1, text.len, fp) != text.len;
		int e = errno;
		if (fp && cmd_output_close(&out, !bad) && !bad) {
			bad = 1;
			e = errno;
		}
		if (bad) {
			tsess_err(s, _("saveform: cannot write %s: %s"), path.buf, cmd_output_strerror(e));
			rc = 2;
		} else
			tsess_out(s, _("saved form %s as %s (:new %s uses it)"), id, path.buf, id);
	}
	form_destroy(f);
	sb_release(&err);
	sb_release(&path);
	sb_release(&text);
	return rc;
}

/* ---------------------------------------------------------------- */
/* the fixed-field model on the record under edit */

void *tsess_fixed_open(tsess *s, const char *tagspec, long *line)
{
	marcdef *md = tsess_marcdef(s);
	if (!md) {
		tsess_err(s, _("fixed: the MARC definitions (marc/) cannot be loaded"));
		return NULL;
	}
	const rec *r = edrec_rec(s->ed);
	long l;
	if (tagspec) {
		char tag[4];
		int nth;
		if (edit_parse_tagspec(tagspec, tag, &nth) < 0) {
			tsess_err(s, _("fixed: '%s' is not LDR, 006, 007, 008 or TAG/N"), tagspec);
			return NULL;
		}
		l = !strcmp(tag, "LDR") ? 0 : edrec_find(s->ed, tag, nth);
		if (l < 0) {
			tsess_err(s, _("fixed: no field %s in this record"), tagspec);
			return NULL;
		}
	} else
		l = (long)edrec_cur(s->ed);
	const char *tag = l ? rec_tag(r, (size_t)l - 1) : "LDR";
	if (strcmp(tag, "LDR") && strcmp(tag, "006") && strcmp(tag, "007") && strcmp(tag, "008")) {
		tsess_err(s, _("fixed: %s is not a fixed field (LDR, 006, 007, 008)"), tag);
		return NULL;
	}
	int fmt = rec_leader(r)[6] == 'z' ? MD_AUTH : MD_BIB;
	if (l == 0) {
		/* the leader goes with the 008 whose layout it selects */
		l = edrec_find(s->ed, "008", 0);
		if (l < 0)
			l = 0;
	}
	const char *data = NULL;
	if (l > 0)
		data = rec_data(r, (size_t)l - 1, NULL);
	*line = l;
	return fixed_create(md, fmt, rec_leader(r), l > 0 ? rec_tag(r, (size_t)l - 1) : NULL,
	                    data ? data : "");
}

int tsess_fixed_apply(tsess *s, void *fxp, long line)
{
	fixedit *fx = fxp;
	const rec *r = edrec_rec(s->ed);
	strbuf err = STRBUF_INIT, t = STRBUF_INIT;
	int changed = 0, rc = 0;
	if (strcmp(rec_leader(r), fixed_leader(fx))) {
		sb_addf(&t, "LDR %s", fixed_leader(fx));
		if (edrec_set_line(s->ed, 0, t.buf, &err) < 0)
			rc = 2;
		changed++;
	}
	r = edrec_rec(s->ed);
	if (!rc && line > 0 && fixed_data(fx)) {
		const char *old = rec_data(r, (size_t)line - 1, NULL);
		if (!old || strcmp(old, fixed_data(fx))) {
			sb_reset(&t);
			sb_addf(&t, "%s %s", fixed_tag(fx), fixed_data(fx));
			if (edrec_set_line(s->ed, (size_t)line, t.buf, &err) < 0)
				rc = 2;
			changed++;
		}
	}
	if (rc)
		tsess_err(s, "fixed: %s", err.buf ? err.buf : "?");
	else if (changed) {
		s->lint_stale = 1;
		tsess_event(s, TE_CHANGED);
	}
	sb_release(&err);
	sb_release(&t);
	return rc;
}

/* One row for the shell listing. */
static void row_line(tsess *s, fixedit *fx, size_t i, int local)
{
	char lab[32], nm[160];
	char *v = fixed_get(fx, i);
	strbuf d = STRBUF_INIT;
	int ok = fixed_check(fx, i, v, local, &d);
	for (char *q = v; *q; q++)
		if (*q == ' ')
			*q = '#';
	/* the name fitted to 34 columns by display width (not bytes) */
	tsess_out(s, "%-10s %s %-4s %s%s", fixed_row_label(fx, i, lab, sizeof lab),
	          fixed_row_name(fx, i, local, 34, nm, sizeof nm), v, ok ? "" : "! ",
	          d.buf ? d.buf : "");
	sb_release(&d);
	free(v);
}

TC_HANDLER(fixed)
{
	(void)rest;
	const char *spec = NULL;
	int firstset = 1;
	if (argc > 1 && !strchr(argv[1], '=')) {
		spec = argv[1];
		firstset = 2;
	}
	long line;
	fixedit *fx = tsess_fixed_open(s, spec, &line);
	if (!fx)
		return 2;
	int local = i18n_is_vi();
	if (argc <= firstset) {
		if (s->fe.ui) {
			/* the screen: hand over to the front end */
			fixed_destroy(fx);
			char lb[32];
			snprintf(lb, sizeof lb, "%ld", line);
			char *av[] = { "fixed-edit", lb, NULL };
			return s->fe.ui(s->fe.ctx, 2, av);
		}
		const char *mat = fixed_material(fx);
		tsess_out(s, "LDR %s", fixed_leader(fx));
		if (fixed_tag(fx))
			tsess_out(s, "%s %s  (%s)", fixed_tag(fx), fixed_data(fx),
			          mat ? mat : _("unknown material"));
		for (size_t i = 0; i < fixed_nrows(fx); i++)
			row_line(s, fx, i, local);
		fixed_destroy(fx);
		return 0;
	}
	/* POS=VALUE ... : rows by label, in order */
	int rc = 0;
	for (int a = firstset; a < argc && !rc; a++) {
		char *eq = strchr(argv[a], '=');
		if (!eq) {
			tsess_err(s, _("fixed: '%s' is not POSITION=VALUE (e.g. LDR/06=e)"), argv[a]);
			rc = 2;
			break;
		}
		*eq = 0;
		const char *want = argv[a], *val = eq + 1;
		size_t i, n = fixed_nrows(fx);
		char lab[32];
		for (i = 0; i < n; i++) {
			fixed_row_label(fx, i, lab, sizeof lab);
			/* "LDR/06", or "35-37" / "06" for the field */
			const char *sl = strchr(lab, '/');
			int part;
			fixed_row(fx, i, &part);
			if (!strcmp(lab, want) || (part == 1 && sl && !strcmp(sl + 1, want)))
				break;
		}
		if (i == n) {
			tsess_err(s, _("fixed: no position %s here"), want);
			rc = 2;
			break;
		}
		strbuf err = STRBUF_INIT;
		/* '#' stands for a blank, as in the listing */
		char *v = xstrdup(val);
		for (char *q = v; *q; q++)
			if (*q == '#')
				*q = ' ';
		int k = fixed_set(fx, i, v, &err);
		free(v);
		if (k < 0) {
			tsess_err(s, "fixed: %s", err.buf);
			rc = 2;
		} else if (k == 1)
			tsess_out(s, _("fixed: the %s layout is now %s"), fixed_tag(fx) ? fixed_tag(fx) : "LDR",
			          fixed_material(fx) ? fixed_material(fx) : "?");
		sb_release(&err);
	}
	if (!rc)
		rc = tsess_fixed_apply(s, fx, line);
	if (!rc && !s->fe.ui) {
		tsess_out(s, "LDR %s", fixed_leader(fx));
		if (fixed_tag(fx))
			tsess_out(s, "%s %s", fixed_tag(fx), fixed_data(fx));
	}
	fixed_destroy(fx);
	return rc;
}

/* ---------------------------------------------------------------- */
/* :input [off|telex|vni] - no argument toggles */

TC_HANDLER(input)
{
	(void)rest;
	if (argc > 1) {
		int m = vnime_method_parse(argv[1]);
		if (m < 0) {
			tsess_err(s, _("input: '%s' is not off, telex or vni"), argv[1]);
			return 2;
		}
		s->opt.input = m;
		if (m)
			s->opt.input_last = m;
	} else
		s->opt.input = s->opt.input ? 0 : (s->opt.input_last ? s->opt.input_last : VNIME_TELEX);
	tsess_out(s, _("input method: %s"), s->opt.input == VNIME_TELEX ? "Telex" :
	          s->opt.input == VNIME_VNI ? "VNI" : _("off"));
	tsess_event(s, TE_CHANGED);
	return 0;
}
