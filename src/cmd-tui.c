/*
 * cmd-tui.c - `bienmuc tui` (also what `bienmuc` and `bienmuc -d DB` run):
 * option parsing for the full-screen workstation in tui.c.
 */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "cmd.h"
#include "i18n.h"
#include "tui.h"

#define TUI_SQLITE_HEAP (1 << 20)

static void usage(FILE *fp)
{
	fputs(_("usage: bienmuc [tui] [-d DB] [-c COMMAND]\n"
		"\n"
		"Open the full-screen cataloguing workstation on catalogue DB (default\n"
		"$BIENMUC_DB or ~/.local/share/bienmuc/catalog.db): search, view, edit\n"
		"and save records. F1 (or Esc 1, or ?) shows the keys; every key is also\n"
		"a command on the : line. Keys and options: ~/.config/bienmuc/config,\n"
		"see bienmuc.conf(5).\n"
		"\n"
		"  -d DB       catalogue to open\n"
		"  -c COMMAND  run a workstation command first (e.g. -c 'search ti=kiều')\n"), fp);
}

int cmd_tui(int argc, char **argv)
{
	const char *db = NULL, *first = NULL;
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc)
			db = argv[++i];
		else if (!strncmp(argv[i], "--db=", 5))
			db = argv[i] + 5;
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			first = argv[++i];
		else {
			cmd_error("tui", _("unexpected argument '%s'; see 'bienmuc tui --help'"), argv[i]);
			return 2;
		}
	}
	/* The workstation is interactive and runs on small machines (issue 5:
	 * peak RSS <= 16 MB): SQLite's page caches give memory back above
	 * 1 MB; the catalogue's pages stay in the OS cache anyway. */
	sqlite3_soft_heap_limit64(TUI_SQLITE_HEAP);
	/* ncursesw needs a UTF-8 locale for Vietnamese (C.UTF-8 will do) */
	i18n_need_utf8();
	return tui_main(db, first);
}
