/*
 * main.c - entry point: global options, then dispatch through the command
 * table (commands.def). With no command (or only -d DB / -c CMD),
 * bienmuc opens the full-screen workstation (cmd-tui.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <locale.h>

#include "cmd.h"
#include "catalog.h"
#include "i18n.h"
#include "charset-legacy.h"

static void usage(FILE *fp)
{
	fputs(_("usage: bienmuc [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"bienmuc is a MARC21 cataloguing workstation.\n"
		"\n"
		"Commands:\n"), fp);
	for (const struct cmd_entry *c = bm_commands; c->name; c++)
		fprintf(fp, "   %-10s %s\n", c->name, _(c->summary));
	fputs(_("\nRun 'bienmuc COMMAND --help' for a command's options; "
		"'man bienmuc' for the manual.\n"), fp);
}

/* catalog_open's notices (a long upgrade): before any screen starts */
static void notice(const char *msg)
{
	fprintf(stderr, "bienmuc: %s\n", msg);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	i18n_init();   /* messages of every command in the interface language */
	catalog_set_notice(notice);
	if (argc < 2)
		return cmd_tui(argc, argv);
	if (!strcmp(argv[1], "-d") || !strncmp(argv[1], "--db=", 5) || !strcmp(argv[1], "-c"))
		return cmd_tui(argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("bienmuc %s\n", BM_VERSION);
		return 0;
	}
	const struct cmd_entry *c = cmd_lookup(argv[1]);
	if (!c) {
		cmd_error(NULL, _("'%s' is not a command; see 'bienmuc --help'"), argv[1]);
		return 2;
	}
	int rc = c->exec(argc - 1, argv + 1);
	/* output lost (a full disk, a closed pipe): never a silent success
	 * (a command that failed with 2 has said why already) */
	errno = 0;
	if ((fflush(stdout) || ferror(stdout)) && rc != 2) {
		cmd_write_failed(c->name, NULL, errno);
		rc = 2;
	}
	charset_cleanup();   /* close pooled converters: valgrind-clean exits */
	return rc;
}
