/*
 * cmd-delete.c - `bienmuc delete` and `bienmuc undelete`: soft delete of
 * catalogue records (they leave every index but stay in the catalogue
 * with their whole journal) and its undo.
 * Exit status: 0 done, 1 some id missing or already (un)deleted, 2 usage.
 */
#include <stdio.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "store-cli.h"
#include "auth.h"

static const char delete_usage[] =
	"usage: bienmuc delete [-d DB] ID...\n"
	"       bienmuc undelete [-d DB] ID...\n"
	"\n"
	"delete takes records out of every index (searches no longer find them)\n"
	"but keeps them, their copies and their history; undelete brings them\n"
	"back.\n"
	"\n"
	"  -d, --db FILE   the catalogue (default $BIENMUC_DB, else\n"
	"                  $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -h, --help      show this help\n";

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int run(const char *name, int del, int argc, char **argv)
{
	const char *db = NULL;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'h': fputs(delete_usage, stdout); return 0;
		case ':':
			cmd_error(name, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(name, _("unknown option '%s'; see 'bienmuc %s --help'"), argv[optind - 1], name);
			return 2;
		}
	}
	if (optind >= argc) {
		cmd_error(name, _("which record? see 'bienmuc %s --help'"), name);
		return 2;
	}
	catalog *c = cli_open(name, db, 0);
	if (!c)
		return 2;
	strbuf err = STRBUF_INIT;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		sb_reset(&err);
		/* an authority that headings still link to: `auth delete` relinks
		 * or unlinks them first */
		size_t nu = del ? auth_user_count(c, argv[i]) : 0;
		if (nu) {
			cmd_error(name, ngettext("authority '%s' is used by %zu record; see 'bienmuc auth "
			                         "delete' (--relink TARGET or --force)",
			                         "authority '%s' is used by %zu records; see 'bienmuc auth "
			                         "delete' (--relink TARGET or --force)", nu), argv[i], nu);
			rc = rc ? rc : 1;
			continue;
		}
		int st = del ? catalog_delete(c, argv[i], CAT_ANY, NULL, &err)
		             : catalog_undelete(c, argv[i], NULL, &err);
		if (st) {
			cmd_error(name, "%s", err.buf);
			if (st == CAT_NOTFOUND || st == CAT_DELETED || st == CAT_CONFLICT)
				rc = rc ? rc : 1;
			else
				rc = 2;
		} else {
			printf("%s: %s\n", argv[i], del ? _("deleted") : _("undeleted"));
		}
	}
	sb_release(&err);
	catalog_close(c);
	return rc;
}

int cmd_delete(int argc, char **argv)
{
	return run("delete", 1, argc, argv);
}

int cmd_undelete(int argc, char **argv)
{
	return run("undelete", 0, argc, argv);
}
