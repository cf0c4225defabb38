/*
 * tcmd-copies.c - copies, call numbers and the shelf list for the
 * workstation and the shell (see tcopies.h). The full-screen panel and
 * shelf screen are in tui-copies.c; with no screen (the shell) the
 * commands print lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcmd-impl.h"
#include "tcopies.h"
#include "callno.h"
#include "i18n.h"

char *tcopies_title_callno(tsess *s)
{
	return s->ed ? callno_of_record(edrec_rec(s->ed)) : xstrdup("");
}

char *tcopies_suggest(tsess *s)
{
	if (!s->ed)
		return xstrdup("");
	struct callno_rules rules = { NULL, NULL, NULL };
	if (s->cat) {
		rules.vn = catalog_get_setting(s->cat, "callno.vn");
		rules.foreign = catalog_get_setting(s->cat, "callno.foreign");
		rules.workmark = catalog_get_setting(s->cat, "callno.workmark");
	}
	strbuf why = STRBUF_INIT;
	if (callno_rules_check(&rules, &why))
		tsess_err(s, _("%s (the author mark is left out)"), why.buf);
	sb_release(&why);
	char *sug = callno_suggest(edrec_rec(s->ed), &rules);
	free((char *)rules.vn);
	free((char *)rules.foreign);
	free((char *)rules.workmark);
	return sug;
}

void tcopies_set_callno(tsess *s, const char *callno)
{
	rec *r = rec_clone(edrec_rec(s->ed));
	callno_set(r, callno);
	edrec_replace(s->ed, r, 1);
	rec_destroy(r);
	s->lint_stale = 1;
	tsess_event(s, TE_CHANGED);
}

static char *default_kind(tsess *s)
{
	char *k = catalog_get_setting(s->cat, "accno.kind");
	return k && *k ? k : (free(k), xstrdup("VV"));
}

char *tcopies_next_accno(tsess *s, const char *branch)
{
	char *kind = default_kind(s), *out = NULL;
	if (copies_next_accno(s->cat, kind, branch && *branch ? branch : NULL, &out, NULL))
		out = NULL;
	free(kind);
	return out ? out : xstrdup("");
}

int tcopies_add(tsess *s, int n, const char *first, const char *branch, const char *location,
                strbuf *msg)
{
	struct copy tmpl;
	memset(&tmpl, 0, sizeof tmpl);
	if (first && *first)
		copy_set(&tmpl, "accno", first);
	if (branch && *branch)
		copy_set(&tmpl, "branch", branch);
	if (location && *location)
		copy_set(&tmpl, "location", location);
	char *kind = default_kind(s);
	char **acc = NULL;
	strbuf err = STRBUF_INIT;
	int st = copies_add(s->cat, s->id, &tmpl, n, kind, &acc, &err);
	if (st)
		sb_addf(msg, "%s", err.buf ? err.buf : "failed");
	else {
		if (n == 1)
			sb_addf(msg, _("added copy %s"), acc[0]);
		else
			sb_addf(msg, _("added %d copies: %s - %s"), n, acc[0], acc[n - 1]);
		cat_ids_free(acc, (size_t)n);
	}
	free(kind);
	copy_clear(&tmpl);
	sb_release(&err);
	return st;
}

int tcopies_withdraw(tsess *s, const char *accno, strbuf *msg)
{
	struct copy cp;
	memset(&cp, 0, sizeof cp);
	strbuf err = STRBUF_INIT;
	int st = copies_get(s->cat, accno, &cp, &err);
	if (!st) {
		copy_set(&cp, "status", COPY_WITHDRAWN);
		st = copies_update(s->cat, accno, &cp, "withdraw", &err);
	}
	if (st)
		sb_addf(msg, "%s", err.buf ? err.buf : "failed");
	else
		sb_addf(msg, _("copy %s withdrawn"), accno);
	copy_clear(&cp);
	sb_release(&err);
	return st;
}

static int status_rc(int st)
{
	return st == CAT_OK ? 0 : st == CAT_CONFLICT || st == CAT_NOTFOUND ? 1 : 2;
}

/* s in a column of width cells and a space (padded by display cells,
 * not bytes; a longer s cut ending in '~' when cut) */
static void add_col(strbuf *sb, const char *s, size_t width, int cut)
{
	size_t at = sb->len;
	if (cut)
		edit_add_cut(sb, s, width);
	else
		sb_adds(sb, s);
	for (size_t w = edit_str_cells(sb->buf + at); w < width; w++)
		sb_addc(sb, ' ');
	sb_addc(sb, ' ');
}

static void list_copies(tsess *s)
{
	struct copy *cp = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	if (copies_list(s->cat, s->id, &cp, &n, &err)) {
		tsess_err(s, "copies: %s", err.buf ? err.buf : "");
		sb_release(&err);
		return;
	}
	char *tcn = tcopies_title_callno(s);
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, _("%s: %zu copies; call number %s"), s->id, n, *tcn ? tcn : "-");
	size_t aw = 12;
	for (size_t i = 0; i < n; i++)
		if (edit_str_cells(cp[i].accno) > aw)
			aw = edit_str_cells(cp[i].accno);
	for (size_t i = 0; i < n; i++) {
		/* as bienmuc copy list: by display cells (%-12s padded bytes, so
		 * "Kho đọc" came out two short), long names cut with '~' */
		sb_addc(&sb, '\n');
		add_col(&sb, cp[i].accno, aw, 0);
		add_col(&sb, cp[i].branch, 10, 1);
		add_col(&sb, cp[i].location, 12, 1);
		add_col(&sb, *cp[i].callno ? cp[i].callno : tcn, 16, 1);
		sb_adds(&sb, cp[i].status);
	}
	tsess_out(s, "%s", sb.buf);
	sb_release(&sb);
	free(tcn);
	copies_free(cp, n);
	sb_release(&err);
}

/* FIELD=VALUE words into cp; -1 (reported) on a bad one. */
static int set_fields(tsess *s, struct copy *cp, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq && i && strchr(argv[i - 1], '=')) {
			/* location=Kho đọc: the value's second word */
			tsess_err(s, _("copies: '%s' is not FIELD=VALUE (a value with spaces goes "
			               "in quotes: location=\"Kho đọc\")"), argv[i]);
			return -1;
		}
		if (!eq) {
			tsess_err(s, _("copies: '%s' is not FIELD=VALUE"), argv[i]);
			return -1;
		}
		*eq = 0;
		if (!strcmp(argv[i], "accno") && !eq[1 + strspn(eq + 1, " \t")]) {
			/* accno= was taken as no number: add gave the next free one,
			 * edit said "copy  changed" and changed nothing */
			*eq = '=';
			tsess_err(s, _("copies: the accession number is blank"));
			return -1;
		}
		int known = !strcmp(argv[i], "record");
		for (int k = 0; copy_fields[k]; k++)
			known |= !strcmp(copy_fields[k], argv[i]);
		if (!strcmp(argv[i], "price") && !copy_has_control(eq + 1)) {
			/* the rule of bienmuc copy -p (any text was taken) */
			strbuf why = STRBUF_INIT;
			int nop = copy_price_check(eq + 1, &why);
			if (nop)
				tsess_err(s, "copies: price: %s", why.buf);
			sb_release(&why);
			*eq = '=';
			if (nop)
				return -1;
			*eq = 0;
		}
		int bad = copy_set(cp, argv[i], eq + 1);
		if (!bad) {
			*eq = '=';
			continue;
		}
		if (!known)
			tsess_err(s, _("copies: unknown field '%s' (accno, branch, location, callno, "
			               "volume, source, price, added, status, note)"), argv[i]);
		else if (copy_has_control(eq + 1))
			tsess_err(s, _("copies: %s: control characters (tab, newline) are not allowed"),
			          argv[i]);
		else if (!strcmp(argv[i], "status"))
			tsess_err(s, _("copies: unknown status '%s' (available, withdrawn, lost, repair)"),
			          eq + 1);
		else if (!strcmp(argv[i], "added"))
			tsess_err(s, _("copies: added: '%s' is not a real date YYYY-MM-DD"), eq + 1);
		else {
			*eq = '=';
			tsess_err(s, _("copies: bad field or value '%s'"), argv[i]);
		}
		*eq = '=';
		return -1;
	}
	return 0;
}

int tc_copies(tsess *s, int argc, char **argv, const char *rest)
{
	(void)rest;
	if (!s->id) {
		tsess_err(s, _("copies: save the new record first (copies belong to a saved record)"));
		return 2;
	}
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub && s->fe.ui) {
		char *av[] = { (char *)"copies-panel", NULL };
		return s->fe.ui(s->fe.ctx, 1, av);
	}
	if (!sub || !strcmp(sub, "list")) {
		list_copies(s);
		return 0;
	}
	strbuf msg = STRBUF_INIT;
	int st;
	if (!strcmp(sub, "add")) {
		int n = 1, k = 2;
		if (argc > 2 && strchr("0123456789", argv[2][0])) {
			/* "3x" was 3 copies; the limit was 500 here and 10000 for
			 * bienmuc copy add -n: one limit, one message */
			strbuf e = STRBUF_INIT;
			if (copies_count_parse(argv[2], &n, &e)) {
				tsess_err(s, "copies: add: %s", e.buf);
				sb_release(&e);
				return 2;
			}
			k = 3;
		}
		struct copy tmpl;
		memset(&tmpl, 0, sizeof tmpl);
		if (set_fields(s, &tmpl, argc - k, argv + k)) {
			copy_clear(&tmpl);
			return 2;
		}
		char *kind = default_kind(s);
		char **acc = NULL;
		st = copies_add(s->cat, s->id, &tmpl, n, kind, &acc, &msg);
		if (!st) {
			sb_reset(&msg);
			for (int i = 0; i < n; i++)
				sb_addf(&msg, "%s%s", i ? " " : "", acc[i]);
			cat_ids_free(acc, (size_t)n);
		}
		free(kind);
		copy_clear(&tmpl);
	} else if (!strcmp(sub, "edit") && argc == 3) {
		/* it said "copy ACCNO changed" and changed nothing */
		tsess_err(s, _("copies: edit: nothing to change; give FIELD=VALUE (location=..., "
		               "status=lost ...)"));
		return 2;
	} else if (!strcmp(sub, "edit") && argc > 2) {
		struct copy cp;
		memset(&cp, 0, sizeof cp);
		st = copies_get(s->cat, argv[2], &cp, &msg);
		if (!st && set_fields(s, &cp, argc - 3, argv + 3)) {
			copy_clear(&cp);
			sb_release(&msg);
			return 2;
		}
		if (!st)
			st = copies_update(s->cat, argv[2], &cp, "edit", &msg);
		if (!st)
			sb_addf(&msg, _("copy %s changed"), cp.accno);
		copy_clear(&cp);
	} else if (!strcmp(sub, "withdraw") && argc > 3) {
		/* several numbers: each one (all but the first were ignored) */
		int worst = 0;
		for (int i = 2; i < argc; i++) {
			sb_reset(&msg);
			st = tcopies_withdraw(s, argv[i], &msg);
			if (st)
				tsess_err(s, "copies: %s", msg.buf ? msg.buf : "");
			else
				tsess_out(s, "%s", msg.buf ? msg.buf : "");
			if (status_rc(st) > worst)
				worst = status_rc(st);
		}
		sb_release(&msg);
		return worst;
	} else if (!strcmp(sub, "withdraw") && argc > 2) {
		st = tcopies_withdraw(s, argv[2], &msg);
	} else {
		tsess_err(s, _("usage: copies [list | add [N] [FIELD=VALUE...] | edit ACCNO FIELD=VALUE... | withdraw ACCNO]"));
		return 2;
	}
	if (st)
		tsess_err(s, "copies: %s", msg.buf ? msg.buf : "");
	else
		tsess_out(s, "%s", msg.buf ? msg.buf : "");
	sb_release(&msg);
	return status_rc(st);
}

int tc_callno(tsess *s, int argc, char **argv, const char *rest)
{
	(void)argc;
	(void)argv;
	char *val = rest && *rest ? xstrdup(rest) : tcopies_suggest(s);
	if (!*val) {
		tsess_err(s, _("callno: no call number to suggest (no 082/084 and no heading); give one"));
		free(val);
		return 2;
	}
	tcopies_set_callno(s, val);
	tsess_out(s, _("call number %s (090); :save keeps it"), val);
	free(val);
	return 0;
}

int tc_shelf(tsess *s, int argc, char **argv, const char *rest)
{
	(void)argc;
	(void)argv;
	if (s->fe.ui) {
		char *av[] = { (char *)"shelf-screen", (char *)(rest ? rest : ""), NULL };
		return s->fe.ui(s->fe.ctx, 2, av);
	}
	struct cat_heading *h = NULL;
	size_t nh = 0;
	strbuf err = STRBUF_INIT;
	if (catalog_browse(s->cat, "callno", rest, 20, &h, &nh, &err)) {
		tsess_err(s, "shelf: %s", err.buf ? err.buf : "");
		sb_release(&err);
		return 2;
	}
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < nh; i++)
		sb_addf(&sb, "%s%-24s %4ld  %s", i ? "\n" : "", h[i].heading, h[i].count,
		        h[i].id ? h[i].id : "");
	if (nh)
		tsess_out(s, "%s", sb.buf);
	else
		tsess_out(s, _("shelf: no call numbers from '%s'"), rest ? rest : "");
	sb_release(&sb);
	cat_headings_free(h, nh);
	sb_release(&err);
	return 0;
}
