/*
 * tcmd.c - the workstation command table and session (see tcmd.h): the
 * dispatcher with its preconditions, argument splitting, help text and
 * completion. The command handlers themselves are in tcmd-ops.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "tcmd.h"
#include "tcmd-impl.h"
#include "marcdef.h"
#include "form.h"
#include "i18n.h"
#include "tzsearch.h"
#include "tcopies.h"                /* copies, call numbers, shelf list */

/* Screen-only commands, grouped for the table. */
#define UI(name, alias, usage, summary) \
	{ name, alias, 0, 1, TC_UI, usage, summary, NULL, NULL }

const struct tcmd_entry tcmd_table[] = {
	{ "search", "s", 1, -1, TC_CAT, "QUERY",
	  N_("search the catalogue with CCL (ti= au= su= isbn= yr= kw=, and/or/not)"),
	  tc_search, NULL },
	{ "results", NULL, 0, 0, 0, "", N_("show the results of the last search"), tc_results, NULL },
	{ "zsearch", NULL, 1, -1, 0, "QUERY",
	  N_("copy cataloguing: search every Z39.50/SRU target of the targets file at once"),
	  tc_zsearch, NULL },
	{ "zresults", NULL, 0, 0, 0, "", N_("list the records the targets sent"), tc_zresults, NULL },
	{ "zopen", NULL, 0, 1, 0, "[N]",
	  N_("open copy N in the editor as a new local record (source noted in 035/040)"),
	  tc_zopen, NULL },
	{ "import", NULL, 0, 0, TC_CAT | TC_REC | TC_WRITE, "",
	  N_("save the copied record after a duplicate check (import! saves anyway)"),
	  tc_import, NULL },
	{ "open", "o", 0, 1, TC_CAT, "[N | id=ID]",
	  N_("open the N-th result (default: the selected one) or record ID"), tc_open, NULL },
	{ "next", NULL, 0, 0, TC_CAT, "", N_("open the next result"), tc_next, NULL },
	{ "prev", NULL, 0, 0, TC_CAT, "", N_("open the previous result"), tc_prev, NULL },
	{ "show", "p", 0, 1, TC_REC, "[tagged|labelled]", N_("show the record"), tc_show, NULL },
	{ "edit", NULL, 0, 0, TC_REC, "", N_("edit the record in the tagged editor"), tc_edit, NULL },
	{ "new", NULL, 0, 1, 0, "[empty | copy | FORM]",
	  N_("new record: from a workform (a menu on the screen), empty, or a copy of this one"), tc_new, NULL },
	{ "constants", NULL, 1, 1, TC_REC, "NAME",
	  N_("apply the constant data forms/NAME.const (adds what the record lacks)"), tc_constants, NULL },
	{ "punctuate", NULL, 0, 0, TC_REC, "",
	  N_("add the ISBD punctuation the record lacks (what lint's punct rules ask for)"),
	  tc_punctuate, NULL },
	{ "saveform", NULL, 1, -1, TC_REC, "ID [TITLE]",
	  N_("save this record as a workform in your forms directory"), tc_saveform, NULL },
	{ "fixed", NULL, 0, -1, TC_REC, "[LDR|006|007|008] [POS=VALUE...]",
	  N_("edit the Leader/006/007/008 by position (the shell lists or sets them)"), tc_fixed, NULL },
	{ "input", NULL, 0, 1, 0, "[off|telex|vni]",
	  N_("Vietnamese input method; no argument toggles it"), tc_input, "off telex vni" },
	{ "close", NULL, 0, 0, TC_REC, "", N_("close the record (close! discards changes)"), tc_close, NULL },
	{ "goto", "g", 1, 1, TC_REC, "TAG[/N] | LINE",
	  N_("go to the N-th field with TAG (or to line LINE)"), tc_goto, NULL },
	{ "field", "f", 1, -1, TC_REC, "add TAG IND TEXT | del [TAG[/N]] | set TAG[/N] IND TEXT | ins|new [TAG IND TEXT] | dup | up | down | copy [N] | paste",
	  N_("add, delete, replace, insert, duplicate, move, copy and paste fields"),
	  tc_field, "add del set ins new dup up down copy paste" },
	{ "sub", NULL, 1, -1, TC_REC, "add CODE TEXT | del [N] | up [N] | down [N]",
	  N_("add, delete and move subfields of the current field"), tc_sub, "add del up down" },
	{ "save", "w", 0, 0, TC_REC | TC_CAT | TC_WRITE, "",
	  N_("lint and save (save! saves despite lint errors); a conflict opens the merge"), tc_save, NULL },
	{ "undo", "u", 0, 0, TC_REC, "", N_("undo the last change"), tc_undo, NULL },
	{ "redo", NULL, 0, 0, TC_REC, "", N_("redo the last undone change"), tc_redo, NULL },
	{ "lint", NULL, 0, 0, TC_REC, "", N_("check the record and list the findings"), tc_lint, NULL },
	{ "take", NULL, 1, 2, TC_REC, "mine|theirs|both [TAG[/N]]",
	  N_("in a conflict: keep my field, theirs or both (default: the selected row)"), tc_take, "mine theirs both" },
	{ "take-all", NULL, 1, 1, TC_REC, "mine|theirs",
	  N_("in a conflict: take every differing field from one side"), tc_take_all, "mine theirs" },
	{ "conflict", NULL, 0, 0, TC_REC, "", N_("show the open conflict field by field"), tc_conflict, NULL },
	{ "history", NULL, 0, 1, TC_CAT, "[ID]", N_("list the versions of the record"), tc_history, NULL },
	{ "version", NULL, 1, 1, TC_CAT, "N", N_("show version N of the record"), tc_version, NULL },
	{ "rollback", NULL, 0, 1, TC_CAT | TC_WRITE, "[N]",
	  N_("restore version N (default: the selected one) as a new version"), tc_rollback, NULL },
	{ "delete", NULL, 0, 0, TC_REC | TC_CAT | TC_WRITE, "",
	  N_("delete the record (after a question; delete! does not ask)"), tc_delete, NULL },
	{ "undelete", NULL, 0, 1, TC_CAT | TC_WRITE, "[ID]", N_("bring back a deleted record"), tc_undelete, NULL },
	{ "export", NULL, 1, 2, TC_REC, "FILE [FORMAT]",
	  N_("write the record to FILE (iso2709, marcxml, mrk, json; default from the name)"), tc_export, NULL },
	{ "set", NULL, 0, 2, 0, "[OPTION VALUE]",
	  N_("set an option (display, input, live-lint, page, tonestyle, lang); no argument lists them"), tc_set,
	  "display input live-lint page tonestyle lang" },
	{ "copies", NULL, 0, -1, TC_CAT | TC_REC, "[list | add [N] [FIELD=VALUE...] | edit ACCNO FIELD=VALUE... | withdraw ACCNO...]",
	  N_("the record's copies: a panel on the screen (add several, edit, withdraw), or list/add/edit/withdraw"),
	  tc_copies, "list add edit withdraw" },
	{ "callno", NULL, 0, -1, TC_REC, "[CALLNO]",
	  N_("set the call number (090) of the record (default: the suggested class + author mark)"), tc_callno, NULL },
	{ "shelf", NULL, 0, -1, TC_CAT, "[FROM]",
	  N_("browse call numbers in shelf order from FROM; Enter opens the record"), tc_shelf, NULL },
	{ "labels", NULL, 0, 0, 0, "",
	  N_("toggle the tagged / labelled display; spine labels: bienmuc labels, outside"),
	  tc_labels, NULL },
	{ "help", "h", 0, 1, 0, "[COMMAND]", N_("help on keys and commands"), tc_help, NULL },
	{ "quit", "q", 0, 0, 0, "", N_("leave (refused with unsaved changes; quit! discards them)"), tc_quit, NULL },
	/* screen only */
	UI("cmdline", NULL, "[TEXT]", "type a command on the : line (TEXT already typed)"),
	UI("search-prompt", NULL, "", "go to the search line"),
	UI("search-run", NULL, "", "run the search typed on the search line"),
	UI("back", NULL, "", "back to the previous screen"),
	UI("up", NULL, "", "move up"),
	UI("down", NULL, "", "move down"),
	UI("page-up", NULL, "", "one screen up"),
	UI("page-down", NULL, "", "one screen down"),
	UI("top", NULL, "", "to the first line"),
	UI("bottom", NULL, "", "to the last line"),
	UI("redraw", NULL, "", "redraw the screen"),
	UI("suspend", NULL, "", "suspend to the shell (fg to come back)"),
	UI("edit-line", NULL, "", "edit the field under the cursor"),
	UI("history-view", NULL, "", "view the selected version"),
	UI("line-done", NULL, "", "finish editing the line"),
	UI("line-cancel", NULL, "", "abandon the changes to the line"),
	UI("line-left", NULL, "", "cursor one character left"),
	UI("line-right", NULL, "", "cursor one character right"),
	UI("line-home", NULL, "", "cursor to the start of the line"),
	UI("line-end", NULL, "", "cursor to the end of the line"),
	UI("line-word-left", NULL, "", "cursor one word left"),
	UI("line-word-right", NULL, "", "cursor one word right"),
	UI("line-backspace", NULL, "", "delete the character before the cursor"),
	UI("line-delete", NULL, "", "delete the character under the cursor"),
	UI("line-kill", NULL, "", "delete to the end of the line"),
	UI("line-kill-start", NULL, "", "delete to the start of the line"),
	UI("line-next-sub", NULL, "", "cursor to the next subfield"),
	UI("line-prev-sub", NULL, "", "cursor to the previous subfield"),
	UI("line-up", NULL, "", "finish the line and edit the field above"),
	UI("line-down", NULL, "", "finish the line and edit the field below"),
	UI("lookup", NULL, "", "authority lookup for the heading field: browse, choose, link ($0)"),
	UI("form-menu", NULL, "", "choose a workform for a new record"),
	UI("form-fill", NULL, "FORM", "fill in a workform"),
	UI("form-next", NULL, "", "next prompt of the form"),
	UI("form-prev", NULL, "", "previous prompt of the form"),
	UI("form-page-down", NULL, "", "prompts one screen down"),
	UI("form-page-up", NULL, "", "prompts one screen up"),
	UI("form-repeat", NULL, "", "another occurrence of a repeatable prompt"),
	UI("form-done", NULL, "", "build the record from the form and edit it"),
	UI("form-cancel", NULL, "", "leave the form without a record"),
	UI("fixed-edit", NULL, "", "the fixed-field editor"),
	UI("fixed-pick", NULL, "", "choose the value of the position from a list"),
	UI("fixed-type", NULL, "", "type the value of the position"),
	UI("fixed-done", NULL, "", "put the fixed fields back into the record"),
	UI("fixed-cancel", NULL, "", "leave the fixed-field editor without changes"),
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL },
};

const struct tcmd_entry *tcmd_find(const char *name)
{
	for (const struct tcmd_entry *c = tcmd_table; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

static const struct tcmd_entry *find_bang(const char *name, int *bang)
{
	size_t n = strlen(name);
	*bang = 0;
	if (n > 1 && name[n - 1] == '!') {
		char *b = xstrndup(name, n - 1);
		const struct tcmd_entry *c = tcmd_find(b);
		free(b);
		*bang = 1;
		return c;
	}
	return tcmd_find(name);
}

int tcmd_known(const char *line)
{
	char **argv;
	int argc = tcmd_split(line, &argv), bang, ok = 0;
	if (argc > 0)
		ok = find_bang(argv[0], &bang) != NULL;
	tcmd_free_argv(argc, argv);
	return ok;
}

int tcmd_split(const char *line, char ***argvp)
{
	size_t cap = 8;
	int argc = 0;
	char **argv = xmalloc(cap * sizeof *argv);
	const char *p = line;
	strbuf w = STRBUF_INIT;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		sb_reset(&w);
		sb_adds(&w, "");
		char q = 0;
		while (*p && (q || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'))) {
			if (q && *p == q) {
				q = 0;
				p++;
			} else if (!q && (*p == '"' || *p == '\'')) {
				q = *p++;
			} else if (*p == '\\' && p[1] && q != '\'') {
				sb_addc(&w, p[1]);
				p += 2;
			} else
				sb_addc(&w, *p++);
		}
		if (q) {
			sb_release(&w);
			tcmd_free_argv(argc, argv);
			*argvp = NULL;
			return -1;
		}
		if ((size_t)argc + 2 > cap) {
			cap *= 2;
			argv = xrealloc(argv, cap * sizeof *argv);
		}
		argv[argc++] = xstrdup(w.buf);
	}
	argv[argc] = NULL;
	sb_release(&w);
	*argvp = argv;
	return argc;
}

void tcmd_free_argv(int argc, char **argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

const char *tcmd_rest(const char *line, int n)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	for (int i = 0; i < n; i++) {
		char q = 0;
		while (*p && (q || (*p != ' ' && *p != '\t'))) {
			if (q && *p == q)
				q = 0;
			else if (!q && (*p == '"' || *p == '\''))
				q = *p;
			else if (*p == '\\' && p[1])
				p++;
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
	}
	size_t n2 = strlen(p);
	while (n2 && (p[n2 - 1] == '\n' || p[n2 - 1] == '\r'))
		n2--;
	(void)n2;
	return p;
}

void tsess_out(tsess *s, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (s->fe.out)
		s->fe.out(s->fe.ctx, sb.buf);
	sb_release(&sb);
}

void tsess_err(tsess *s, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (s->fe.err)
		s->fe.err(s->fe.ctx, sb.buf);
	sb_release(&sb);
}

tsess *tsess_create(const struct tfront *fe)
{
	tsess *s = xcalloc(1, sizeof *s);
	if (fe)
		s->fe = *fe;
	s->km = keymap_create();
	key_options_default(&s->opt);
	i18n_init();
	s->clip = rec_create();
	s->version = CAT_NEW;
	s->msel = 0;
	return s;
}

void tsess_destroy(tsess *s)
{
	if (!s)
		return;
	tzs_cleanup();
	tsess_clear_results(s);
	tsess_clear_record(s);
	tsess_clear_history(s);
	free(s->query);
	rec_destroy(s->clip);
	keymap_destroy(s->km);
	catalog_close(s->cat);
	free(s->catname);
	free(s->helptopic);
	tsess_lint_destroy(s);
	if (s->md)
		marcdef_destroy(s->md);
	free(s);
}

int tsess_open_catalog(tsess *s, const char *name, int create)
{
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(name, create ? CAT_OPEN_CREATE : 0, &err);
	if (!c) {
		/* one that cannot be changed (a read-only file or medium, a full
		 * disk) can still be searched, shown and exported */
		strbuf e2 = STRBUF_INIT;
		c = catalog_open(name, CAT_OPEN_READONLY, &e2);
		sb_release(&e2);
		if (c)
			tsess_err(s, _("%s: opened read-only (search, show and export work; saving is "
			               "refused)"), err.buf ? err.buf : "");
	}
	if (!c) {
		tsess_err(s, "%s", err.buf ? err.buf : "cannot open the catalogue");
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	catalog_close(s->cat);
	s->cat = c;
	free(s->catname);
	s->catname = name ? xstrdup(name) : catalog_default_path();
	return 0;
}

static int check_cmd(const char *c) { return tcmd_known(c); }

void tsess_load_config(tsess *s, const char *path)
{
	strbuf err = STRBUF_INIT;
	keys_load_text(s->km, &s->opt, "defaults", keys_default_config, check_cmd, &err);
	if (path)
		keys_load_file(s->km, &s->opt, path, check_cmd, &err);
	if (s->opt.lang)
		i18n_set_lang(s->opt.lang == 2 ? "vi" : "en");
	if (err.len) {
		const char *p = err.buf;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char *l = xstrndup(p, n);
			tsess_err(s, "%s", l);
			free(l);
			p += n + (nl ? 1 : 0);
		}
	}
	sb_release(&err);
}

int tcmd_run(tsess *s, const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	if (!*p || *p == '#' || *p == '\n')
		return 0;
	char **argv;
	int argc = tcmd_split(p, &argv), rc = 0, bang;
	if (argc < 0) {
		tsess_err(s, _("unclosed quote"));
		rc = 2;
		goto out;
	}
	if (argc == 0)
		goto out;
	const struct tcmd_entry *c = find_bang(argv[0], &bang);
	if (!c) {
		tsess_err(s, _("'%s' is not a command; :help lists them"), argv[0]);
		rc = 2;
		goto out;
	}
	int nargs = argc - 1;
	if (nargs < c->min || (c->max >= 0 && nargs > c->max && !(c->flags & TC_UI))) {
		/* what the command does too: "labels 12" expected spine labels */
		tsess_err(s, _("usage: %s%s%s (%s)"), c->name, *c->usage ? " " : "", c->usage,
		          _(c->summary));
		rc = 2;
		goto out;
	}
	if (c->flags & TC_UI) {
		if (!s->fe.ui) {
			tsess_err(s, _("%s: only in the full-screen workstation"), c->name);
			rc = 2;
		} else
			rc = s->fe.ui(s->fe.ctx, argc, argv);
		goto out;
	}
	if ((c->flags & TC_CAT) && !s->cat) {
		tsess_err(s, _("%s: no catalogue is open (use -d DB)"), c->name);
		rc = 2;
		goto out;
	}
	if ((c->flags & TC_REC) && !s->ed) {
		tsess_err(s, _("%s: no record is open (:open N, :open id=ID or :new)"), c->name);
		rc = 2;
		goto out;
	}
	s->force = bang;
	rc = c->exec(s, argc, argv, tcmd_rest(p, 1));
	s->force = 0;
out:
	tcmd_free_argv(argc, argv);
	if (rc > s->worst)
		s->worst = rc;
	return rc;
}

/* ---------------------------------------------------------------- */
/* help */

/* Keys bound to command c with arguments in view (or global): one line
 * per distinct binding ("o, a  :field new"), after the bare command's
 * (whose summary covers them). */
static void help_bound_args(const keymap *km, int view, const struct tcmd_entry *c,
                            strbuf *out)
{
	size_t nl = strlen(c->name);
	const char *seen[64];
	size_t nseen = 0;
	strbuf keys = STRBUF_INIT;
	for (int pass = 0; pass < 2; pass++) {
		int v = pass ? KV_GLOBAL : view;
		if (pass && view == KV_GLOBAL)
			break;
		int key;
		const char *cmd;
		for (size_t i = 0; keymap_get(km, v, i, &key, &cmd); i++) {
			(void)key;
			if (strncmp(cmd, c->name, nl) || cmd[nl] != ' ')
				continue;
			size_t k = 0;
			while (k < nseen && strcmp(seen[k], cmd))
				k++;
			if (k < nseen || nseen == 64)
				continue;
			seen[nseen++] = cmd;
			sb_reset(&keys);
			keymap_keys_for(km, view, cmd, &keys);
			if (keys.buf && *keys.buf)
				sb_addf(out, "  %-22s :%s\n", keys.buf, cmd);
		}
	}
	sb_release(&keys);
}

void tcmd_help_text(tsess *s, int view, const char *topic, strbuf *out)
{
	strbuf keys = STRBUF_INIT;
	int bang;
	const struct tcmd_entry *only = topic && *topic ? find_bang(topic, &bang) : NULL;
	if (topic && *topic && !only) {
		sb_addf(out, _("'%s' is not a command.\n"), topic);
		return;
	}
	if (!only) {
		sb_addf(out, _("bienmuc workstation: keys in this screen (%s) and commands.\n"),
		        key_view_name(view));
		sb_adds(out, _("Every key runs a command; type any command on the : line.\n"
		             "Keys: C- is Ctrl, M- is Esc then the key (M-2 = Esc 2 = F2).\n\n"));
	}
	if (!only && s && s->km) {
		/* the keys of this screen first, so they are on the first page */
		sb_adds(out, _("Keys in this screen:\n"));
		for (int pass = 0; pass < 2; pass++)
			for (const struct tcmd_entry *c = tcmd_table; c->name; c++) {
				if (!!(c->flags & TC_UI) != pass)
					continue;
				sb_reset(&keys);
				keymap_keys_for(s->km, view, c->name, &keys);
				if (keys.buf && *keys.buf)
					sb_addf(out, "  %-22s :%s  %s\n", keys.buf, c->name, _(c->summary));
				help_bound_args(s->km, view, c, out);
			}
		sb_adds(out, "\n");
	}
	for (int pass = 0; pass < 2; pass++) {
		if (!only)
			sb_adds(out, pass ? _("\nScreen commands (keys only):\n") : _("Commands:\n"));
		for (const struct tcmd_entry *c = tcmd_table; c->name; c++) {
			if (only && c != only)
				continue;
			if (!only && !!(c->flags & TC_UI) != pass)
				continue;
			sb_reset(&keys);
			if (s && s->km) {
				keymap_keys_for(s->km, view, c->name, &keys);
				if (view != KV_LINE && (c->flags & TC_UI) && !strncmp(c->name, "line-", 5)) {
					sb_reset(&keys);
					keymap_keys_for(s->km, KV_LINE, c->name, &keys);
				}
			}
			if (pass && !only && (!keys.buf || !*keys.buf))
				continue;
			char head[128];
			snprintf(head, sizeof head, ":%s%s%s", c->name, *c->usage ? " " : "", c->usage);
			if (strlen(head) > 34) {
				sb_addf(out, "  %s\n  %-34s", head, "");
			} else
				sb_addf(out, "  %-34s", head);
			if (keys.buf && *keys.buf)
				sb_addf(out, " [%s]", keys.buf);
			sb_addf(out, " %s\n", _(c->summary));
		}
		if (only)
			break;
	}
	sb_release(&keys);
}

/* ---------------------------------------------------------------- */
/* completion */

static void add_cand(char ***list, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s))
			return;
	if (*n + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*list = xrealloc(*list, *cap * sizeof **list);
	}
	(*list)[(*n)++] = xstrdup(s);
	(*list)[*n] = NULL;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tcmd_complete(tsess *s, const char *line, size_t pos)
{
	char **list = NULL;
	size_t n = 0, cap = 0;
	char *head = xstrndup(line, pos);
	char *h = head;
	while (*h == ':' || *h == ' ')
		h++;
	/* the word being completed and its index */
	size_t hl = strlen(h);
	size_t ws = hl;
	while (ws > 0 && h[ws - 1] != ' ')
		ws--;
	const char *word = h + ws;
	size_t wl = strlen(word);
	char **argv = NULL;
	char *before = xstrndup(h, ws);
	int argc = tcmd_split(before, &argv);
	free(before);
	if (argc < 0)
		argc = 0;
	if (argc == 0) {
		for (const struct tcmd_entry *c = tcmd_table; c->name; c++)
			if (!(c->flags & TC_UI) && !strncmp(c->name, word, wl))
				add_cand(&list, &n, &cap, c->name);
	} else {
		int bang;
		const struct tcmd_entry *c = find_bang(argv[0], &bang);
		if (c && c->subs && argc == 1) {
			char *subs = xstrdup(c->subs), *sp = subs, *t;
			while ((t = strtok(sp, " ")) != NULL) {
				sp = NULL;
				if (!strncmp(t, word, wl))
					add_cand(&list, &n, &cap, t);
			}
			free(subs);
		}
		int tagpos = c && ((!strcmp(c->name, "goto") && argc == 1) ||
		                   (!strcmp(c->name, "field") && argc == 2 &&
		                    (!strcmp(argv[1], "del") || !strcmp(argv[1], "set") ||
		                     !strcmp(argv[1], "add"))));
		if (tagpos) {
			if (s && s->ed) {
				const rec *r = edrec_rec(s->ed);
				for (size_t i = 0; i < rec_nfields(r); i++)
					if (!strncmp(rec_tag(r, i), word, wl))
						add_cand(&list, &n, &cap, rec_tag(r, i));
			}
			marcdef *md = s && !strcmp(c->name, "field") && !strcmp(argv[1], "add") ?
			              tsess_marcdef(s) : NULL;
			if (md && wl >= 1) {
				for (size_t i = 0; i < marcdef_nfields(md, MD_BIB); i++) {
					const md_field *f = marcdef_field_at(md, MD_BIB, i);
					if (!f->obsolete && !strncmp(f->tag, word, wl))
						add_cand(&list, &n, &cap, f->tag);
				}
			}
		}
		if (c && (!strcmp(c->name, "open") || !strcmp(c->name, "history") ||
		          !strcmp(c->name, "undelete")) && argc == 1 && s) {
			int pre = !strncmp(word, "id=", 3) || !strcmp(c->name, "open");
			const char *w2 = !strncmp(word, "id=", 3) ? word + 3 : word;
			size_t w2l = strlen(w2);
			for (size_t i = 0; i < s->res.n; i++)
				if (!strncmp(s->res.ids[i], w2, w2l)) {
					char buf[256];
					snprintf(buf, sizeof buf, "%s%s", pre ? "id=" : "", s->res.ids[i]);
					if (!strncmp(buf, word, wl))
						add_cand(&list, &n, &cap, buf);
				}
			if (s->id && !strncmp(s->id, w2, w2l)) {
				char buf[256];
				snprintf(buf, sizeof buf, "%s%s", pre ? "id=" : "", s->id);
				if (!strncmp(buf, word, wl))
					add_cand(&list, &n, &cap, buf);
			}
		}
		if (c && (!strcmp(c->name, "new") || !strcmp(c->name, "constants")) && argc == 1) {
			char **names = form_names(!strcmp(c->name, "new") ? ".form" : ".const");
			for (size_t i = 0; names[i]; i++)
				if (!strncmp(names[i], word, wl))
					add_cand(&list, &n, &cap, names[i]);
			form_names_free(names);
		}
		if (c && !strcmp(c->name, "help") && argc == 1)
			for (const struct tcmd_entry *e = tcmd_table; e->name; e++)
				if (!strncmp(e->name, word, wl))
					add_cand(&list, &n, &cap, e->name);
		if (c && !strcmp(c->name, "set") && argc == 2) {
			const char *vals = !strcmp(argv[1], "display") ? "tagged labelled" :
			                   !strcmp(argv[1], "input") ? "off telex vni" :
			                   !strcmp(argv[1], "live-lint") ? "on off" :
			                   !strcmp(argv[1], "tonestyle") ? "old new" :
			                   !strcmp(argv[1], "lang") ? "auto en vi" : NULL;
			if (vals) {
				char *v = xstrdup(vals), *sp = v, *t;
				while ((t = strtok(sp, " ")) != NULL) {
					sp = NULL;
					if (!strncmp(t, word, wl))
						add_cand(&list, &n, &cap, t);
				}
				free(v);
			}
		}
	}
	tcmd_free_argv(argc, argv);
	free(head);
	if (!list) {
		list = xcalloc(1, sizeof *list);
		return list;
	}
	qsort(list, n, sizeof *list, cmpstr);
	return list;
}

void tcmd_free_list(char **list)
{
	if (!list)
		return;
	for (size_t i = 0; list[i]; i++)
		free(list[i]);
	free(list);
}
