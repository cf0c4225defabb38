/*
 * cmd-rollback.c - `bienmuc rollback`: restore an earlier version of a
 * record as a new version (nothing is lost: the version replaced stays in
 * the journal).
 * Exit status: 0 done, 1 no such record/version or conflict, 2 usage/I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "store-cli.h"

#define CMD_NAME "rollback"

static const char usage_text[] = N_(
	"usage: bienmuc rollback [-d DB] ID VERSION\n"
	"\n"
	"Make VERSION of record ID (see 'bienmuc history ID') its current\n"
	"version again. The rollback is itself a new version, so it can be\n"
	"rolled back too. A deleted record must be undeleted first.\n"
	"\n"
	"  -d, --db FILE   the catalogue (default $BIENMUC_DB, else\n"
	"                  $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -h, --help      show this help\n");

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_rollback(int argc, char **argv)
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
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc rollback --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 2) {
		cmd_error(CMD_NAME, _("give a record id and a version; see 'bienmuc rollback --help'"));
		return 2;
	}
	char *e;
	long version = strtol(argv[optind + 1], &e, 10);
	if (*e || version <= 0) {
		cmd_error(CMD_NAME, _("'%s' is not a version number"), argv[optind + 1]);
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, 0);
	if (!c)
		return 2;
	strbuf err = STRBUF_INIT;
	long nv = 0;
	int st = catalog_rollback(c, argv[optind], version, &nv, &err), rc = 0;
	if (st) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = st == CAT_NOTFOUND || st == CAT_CONFLICT || st == CAT_DELETED ? 1 : 2;
	} else {
		printf(_("%s: version %ld restored as version %ld\n"), argv[optind], version, nv);
	}
	sb_release(&err);
	catalog_close(c);
	return rc;
}
