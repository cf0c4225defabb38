/*
 * cmd-shell.c - `bienmuc shell`: the workstation's command table (tcmd.h)
 * line by line. Interactive on a terminal (libedit: editing, history kept
 * in $XDG_STATE_HOME/bienmuc/history, Tab completes commands, tags and
 * record ids); from a pipe or file it runs a script and exits with the
 * worst status of its commands (0 ok, 1 refused/findings, 2 errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <wchar.h>
#include <locale.h>
#include <sys/stat.h>
#include <histedit.h>

#include "cmd.h"
#include "tcmd.h"
#include "i18n.h"

struct shell {
	tsess *s;
	int interactive;
	long lineno;
	const char *script;
	EditLine *el;
};

static struct shell *g_shell;     /* for the libedit completion callback */

static void sh_out(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stdout);
	fputc('\n', stdout);
}

static void sh_err(void *ctx, const char *text)
{
	struct shell *sh = ctx;
	fflush(stdout);
	if (sh->interactive)
		fprintf(stderr, "%s\n", text);
	else if (!sh->lineno)     /* before the first line: opening the catalogue */
		fprintf(stderr, "bienmuc: shell: %s\n", text);
	else
		fprintf(stderr, "bienmuc: shell: %s:%ld: %s\n", sh->script, sh->lineno, text);
}

static int sh_confirm(void *ctx, const char *q)
{
	struct shell *sh = ctx;
	if (!sh->interactive) {
		fprintf(stderr, _("bienmuc: shell: %s:%ld: %s -- not confirmed in a script "
		        "(use the command with '!')\n"), sh->script, sh->lineno, q);
		return 0;
	}
	FILE *tty = fopen("/dev/tty", "r");
	if (!tty)
		return 0;
	fprintf(stdout, "%s [y/N] ", q);
	fflush(stdout);
	char buf[32];
	int yes = fgets(buf, sizeof buf, tty) && (buf[0] == 'y' || buf[0] == 'Y' ||
	                                          buf[0] == 'c' || buf[0] == 'C');
	fclose(tty);
	return yes;
}

static char *history_path(void)
{
	const char *st = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	strbuf sb = STRBUF_INIT;
	if (getenv("BIENMUC_HISTFILE"))
		return xstrdup(getenv("BIENMUC_HISTFILE"));
	if (st && *st)
		sb_addf(&sb, "%s/bienmuc", st);
	else if (home && *home)
		sb_addf(&sb, "%s/.local/state/bienmuc", home);
	else
		return NULL;
	/* mkdir -p */
	for (char *p = sb.buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(sb.buf, 0700);
			*p = '/';
		}
	mkdir(sb.buf, 0700);
	sb_adds(&sb, "/history");
	return sb_detach(&sb, NULL);
}

static const wchar_t *prompt(EditLine *el)
{
	(void)el;
	static wchar_t buf[128];
	tsess *s = g_shell->s;
	wcscpy(buf, L"bienmuc> ");
	if (s->ed) {
		char tmp[96];
		snprintf(tmp, sizeof tmp, "bienmuc %s%s> ", s->id ? s->id : "new",
		         edrec_modified(s->ed) ? "*" : "");
		mbstowcs(buf, tmp, 127);
	}
	return buf;
}

static unsigned char complete(EditLine *el, int ch)
{
	(void)ch;
	const LineInfoW *li = el_wline(el);
	size_t n = (size_t)(li->cursor - li->buffer);
	wchar_t *w = xmalloc((n + 1) * sizeof *w);
	wmemcpy(w, li->buffer, n);
	w[n] = 0;
	size_t mb = wcstombs(NULL, w, 0);
	if (mb == (size_t)-1) {
		free(w);
		return CC_ERROR;
	}
	char *line = xmalloc(mb + 1);
	wcstombs(line, w, mb + 1);
	free(w);
	size_t ws = mb;
	while (ws > 0 && line[ws - 1] != ' ')
		ws--;
	size_t wl = mb - ws;
	char **c = tcmd_complete(g_shell->s, line, mb);
	unsigned char rc = CC_REFRESH;
	size_t nc = 0;
	while (c[nc])
		nc++;
	if (nc == 0)
		rc = CC_ERROR;
	else {
		/* common prefix */
		size_t cp = strlen(c[0]);
		for (size_t i = 1; i < nc; i++) {
			size_t k = 0;
			while (k < cp && c[i][k] == c[0][k])
				k++;
			cp = k;
		}
		if (cp > wl) {
			char *ins = xstrndup(c[0] + wl, cp - wl);
			el_insertstr(el, ins);
			free(ins);
		}
		if (nc == 1)
			el_insertstr(el, " ");
		else if (cp <= wl) {
			fputc('\n', stdout);
			for (size_t i = 0; i < nc; i++)
				fprintf(stdout, "%s%s", c[i], i + 1 < nc ? "  " : "\n");
			rc = CC_REDISPLAY;
		}
	}
	tcmd_free_list(c);
	free(line);
	return rc;
}

static void usage(FILE *fp)
{
	fputs(_("usage: bienmuc shell [-d DB] [-e] [-c COMMAND]... [SCRIPT]\n"
		"\n"
		"Run workstation commands line by line: interactively with editing,\n"
		"history and Tab completion on a terminal, or from a script (a file or\n"
		"standard input). 'help' lists the commands.\n"
		"\n"
		"  -d, --db DB catalogue (default $BIENMUC_DB or ~/.local/share/bienmuc/catalog.db)\n"
		"  -e          stop at the first command that fails\n"
		"  -c COMMAND  run COMMAND (may be repeated), then exit\n"
		"\n"
		"Exit status: 0 every command succeeded, 1 some were refused (lint errors,\n"
		"conflicts, unsaved changes), 2 usage or I/O errors.\n"), fp);
}

static int run_stream(struct shell *sh, FILE *fp, int stop)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int worst = 0, first = 1;
	while (!sh->s->quit && (n = getline(&line, &cap, fp)) >= 0) {
		sh->lineno++;
		/* a script saved by Windows Notepad begins with a UTF-8 byte
		 * order mark: its first command was "'\uFEFFopen' is not a command" */
		const char *l = line;
		if (first && n >= 3 && !memcmp(l, "\xEF\xBB\xBF", 3))
			l += 3;
		first = 0;
		int rc = tcmd_run(sh->s, l);
		if (rc > worst)
			worst = rc;
		if (rc && stop)
			break;
	}
	free(line);
	return worst;
}

static int run_interactive(struct shell *sh)
{
	HistoryW *h = history_winit();
	HistEventW ev;
	char *hp = history_path();
	history_w(h, &ev, H_SETSIZE, 2000);
	history_w(h, &ev, H_SETUNIQUE, 1);
	/* history_w H_LOAD/H_SAVE take a char path */
	if (hp)
		history_w(h, &ev, H_LOAD, hp);
	EditLine *el = el_init("bienmuc", stdin, stdout, stderr);
	sh->el = el;
	el_wset(el, EL_PROMPT, prompt);
	el_wset(el, EL_EDITOR, L"emacs");
	el_wset(el, EL_HIST, history_w, h);
	el_wset(el, EL_ADDFN, L"bm-complete", L"complete a command, tag or id", complete);
	el_wset(el, EL_BIND, L"^I", L"bm-complete", NULL);
	el_source(el, NULL);
	printf(_("bienmuc %s shell on %s. 'help' lists the commands, Tab completes.\n"),
	       BM_VERSION, sh->s->catname ? sh->s->catname : _("(no catalogue)"));
	while (!sh->s->quit) {
		int cnt;
		const wchar_t *l = el_wgets(el, &cnt);
		if (!l) {
			/* EOF (Ctrl-D): leave like quit (refuse with unsaved changes) */
			fputc('\n', stdout);
			if (tcmd_run(sh->s, "quit") == 0)
				break;
			if (tcmd_run(sh->s, "quit!") == 0)
				break;
			break;
		}
		size_t mb = wcstombs(NULL, l, 0);
		if (mb == (size_t)-1)
			continue;
		char *line = xmalloc(mb + 1);
		wcstombs(line, l, mb + 1);
		if (mb && line[mb - 1] == '\n')
			line[--mb] = 0;
		if (mb) {
			/* history without the newline */
			size_t wl = wcslen(l);
			wchar_t *hl = xmalloc((wl + 1) * sizeof *hl);
			wmemcpy(hl, l, wl + 1);
			if (wl && hl[wl - 1] == L'\n')
				hl[wl - 1] = 0;
			history_w(h, &ev, H_ENTER, hl);
			free(hl);
		}
		tcmd_run(sh->s, line);
		free(line);
	}
	if (hp)
		history_w(h, &ev, H_SAVE, hp);
	free(hp);
	el_end(el);
	history_wend(h);
	return 0;                 /* interactive: errors were seen as they came */
}

int cmd_shell(int argc, char **argv)
{
	const char *db = NULL;
	int stop = 0, ncmd = 0;
	char **cmds = xcalloc((size_t)argc + 1, sizeof *cmds);
	int i;
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		free(cmds);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--db")
		     || !strcmp(argv[i], "-c")) && i + 1 >= argc) {
			cmd_error("shell", _("option '%s' needs an argument"), argv[i]);
			free(cmds);
			return 2;
		} else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--db"))
			db = argv[++i];
		else if (!strncmp(argv[i], "--db=", 5))
			db = argv[i] + 5;
		else if (!strcmp(argv[i], "-e"))
			stop = 1;
		else if (!strcmp(argv[i], "-c"))
			cmds[ncmd++] = argv[++i];
		else if (!strcmp(argv[i], "--"))
			{ i++; break; }
		else if (argv[i][0] == '-' && argv[i][1]) {
			cmd_error("shell", _("unknown option '%s'; see 'bienmuc shell --help'"), argv[i]);
			free(cmds);
			return 2;
		} else
			break;
	}
	const char *script = i < argc ? argv[i] : NULL;
	if (script && i + 1 < argc) {
		cmd_error("shell", _("one script at a time"));
		free(cmds);
		return 2;
	}
	struct shell sh = { 0 };
	struct tfront fe = { &sh, sh_out, sh_err, sh_confirm, NULL, NULL };
	g_shell = &sh;
	sh.s = tsess_create(&fe);
	sh.interactive = !ncmd && !script && isatty(0) && isatty(1);
	sh.script = ncmd ? "-c" : script ? script : "stdin";
	char *cfg = keys_config_path();
	tsess_load_config(sh.s, cfg);
	free(cfg);
	int rc = 0;
	/* the script is opened first: a mistyped name runs nothing (the -c
	 * commands ran, and could save, before it was found missing) */
	FILE *sfp = NULL;
	if (script && !(sfp = fopen(script, "r"))) {
		cmd_error("shell", "%s: %s", script, strerror(errno));
		rc = 2;
		goto out;
	}
	if (tsess_open_catalog(sh.s, db, 0) != 0) {
		rc = 2;
		goto out;
	}
	/* -c commands, then the script; else standard input */
	int stopped = 0;
	for (int k = 0; k < ncmd && !sh.s->quit && !stopped; k++) {
		sh.lineno = k + 1;
		int r = tcmd_run(sh.s, cmds[k]);
		if (r > rc)
			rc = r;
		stopped = r && stop;
	}
	if (script && !stopped && !sh.s->quit) {
		sh.script = script;
		sh.lineno = 0;    /* the script's own line numbers, after the -c ones */
		int r = run_stream(&sh, sfp, stop);
		if (r > rc)
			rc = r;
	} else if (!ncmd && !script) {
		rc = sh.interactive ? run_interactive(&sh) : run_stream(&sh, stdin, stop);
	}
	/* a script that ends with unsaved changes: say so */
	if (!sh.interactive && sh.s->ed && edrec_modified(sh.s->ed) && !sh.s->quit) {
		sh_err(&sh, _("the script ended with unsaved changes (they are dropped)"));
		if (rc < 1)
			rc = 1;
	}
out:
	if (sfp)
		fclose(sfp);
	fflush(stdout);
	tsess_destroy(sh.s);
	free(cmds);
	return rc;
}
