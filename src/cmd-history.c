/*
 * cmd-history.c - `bienmuc history`: the versions of a catalogue record
 * (the journal): number, time (UTC), user, action and what changed.
 * Exit status: 0 ok, 1 no such record, 2 usage or I/O error.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "journal-text.h"
#include "catalog.h"
#include "store-cli.h"

#define CMD_NAME "history"

static const char usage_text[] = N_(
	"usage: bienmuc history [-d DB] ID\n"
	"\n"
	"List every version of a record: version, time (UTC), user, action\n"
	"(add, edit, import, replace, merge, delete, undelete, rollback, undo),\n"
	"import batch and a summary of the changed fields. See a version with\n"
	"'bienmuc show -V N ID'; restore one with 'bienmuc rollback ID N'.\n"
	"\n"
	"  -d, --db FILE   the catalogue (default $BIENMUC_DB, else\n"
	"                  $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -h, --help      show this help\n");

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_history(int argc, char **argv)
{
	const char *db = NULL;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc history --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		cmd_error(CMD_NAME, _("give one record id; see 'bienmuc history --help'"));
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, CAT_OPEN_READONLY);
	if (!c)
		return 2;
	struct cat_version *v = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	int st = catalog_history(c, argv[optind], &v, &n, &err), rc = 0;
	if (st) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = st == CAT_NOTFOUND ? 1 : 2;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%ld\t%s\t%s\t%s", v[i].version, v[i].time, v[i].user,
		       journal_action(v[i].action));
		if (v[i].batch)
			printf(_(" (batch %ld)"), v[i].batch);
		char *sum = journal_text(v[i].summary);
		printf("\t%s\n", sum);
		free(sum);
	}
	cat_versions_free(v, n);
	sb_release(&err);
	catalog_close(c);
	return rc;
}
