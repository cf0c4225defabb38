/*
 * cmd-batch.c - `bienmuc batch list|show|undo`: import batches. Undoing a
 * batch deletes the records it added (their copies stay with them, as
 * with `bienmuc delete`), gives the records it replaced or merged their
 * version from before the batch (as new versions) and removes the copies
 * it added to records already there, all in one transaction.
 * Exit status: 0 ok, 1 records or copies left alone because of later changes,
 * 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "store-cli.h"

#define CMD_NAME "batch"

static const char usage_text[] = N_(
	"usage: bienmuc batch [-d DB] list\n"
	"       bienmuc batch [-d DB] undo [--force] N\n"
	"\n"
	"list   every import batch: number, start time (UTC), user, state\n"
	"       (running, done, partly undone, undone), counts and the import\n"
	"       command\n"
	"undo   undo batch N: records it added are deleted, records it replaced\n"
	"       or merged get back their earlier version. A record changed after\n"
	"       the batch is left alone and reported, unless --force.\n"
	"\n"
	"  -d, --db FILE   the catalogue (default $BIENMUC_DB, else\n"
	"                  $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -f, --force     undo even records changed after the batch\n"
	"  -h, --help      show this help\n");
/* (apart from usage_text, so that text keeps its translation until this
 * one has its own) */
static const char usage_copies[] = N_(
	"\n"
	"undo also removes the copies batch N added to records already there;\n"
	"a copy changed after the batch, or on a record left alone, is left\n"
	"alone too and reported, unless --force. The copies of the records it\n"
	"added stay with them, deleted: undelete brings them back.\n");

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_batch(int argc, char **argv)
{
	const char *db = NULL;
	int opt, force = 0;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:fh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'f': force = 1; break;
		case 'h':
			fputs(_(usage_text), stdout);
			fputs(_(usage_copies), stdout);
			return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc batch --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		cmd_error(CMD_NAME, _("list or undo? see 'bienmuc batch --help'"));
		return 2;
	}
	const char *sub = argv[optind];
	int list = !strcmp(sub, "list");
	if (!list && strcmp(sub, "undo")) {
		cmd_error(CMD_NAME, _("unknown subcommand '%s' (list, undo)"), sub);
		return 2;
	}
	long n = 0;
	if (!list) {
		char *e;
		if (optind + 2 != argc || (n = strtol(argv[optind + 1], &e, 10)) <= 0 || *e) {
			cmd_error(CMD_NAME, _("undo needs one batch number; see 'bienmuc batch list'"));
			return 2;
		}
	} else if (optind + 1 != argc) {
		cmd_error(CMD_NAME, _("list takes no arguments"));
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, list ? CAT_OPEN_READONLY : 0);
	if (!c)
		return 2;
	strbuf err = STRBUF_INIT;
	int rc = 0, st;
	if (list) {
		struct cat_batch *b = NULL;
		size_t nb = 0;
		st = catalog_batch_list(c, &b, &nb, &err);
		if (st) {
			cmd_error(CMD_NAME, "%s", err.buf);
			rc = 2;
		}
		for (size_t i = 0; i < nb; i++)
			printf("%ld\t%s\t%s\t%s\tadded %ld, replaced %ld, merged %ld, skipped %ld, "
			       "rejected %ld\t%s\n", b[i].id, b[i].time, b[i].user, b[i].state,
			       b[i].added, b[i].replaced, b[i].merged, b[i].skipped, b[i].rejected,
			       b[i].command);
		cat_batches_free(b, nb);
	} else {
		long restored = 0, removed = 0, conflicts = 0;
		struct cat_undo_copies cu = { 0 };
		st = catalog_batch_undo(c, n, force, &restored, &removed, &conflicts, &cu, &err);
		if (st) {
			cmd_error(CMD_NAME, "%s", err.buf);
			rc = st == CAT_NOTFOUND || st == CAT_CONFLICT ? 1 : 2;
		} else {
			printf(_("batch %ld undone: %ld records removed, %ld restored"), n, removed, restored);
			if (conflicts)
				printf(_(", %ld left alone (changed after the batch; --force to undo them too)"),
				       conflicts);
			/* copies: said only when the batch had any */
			if (cu.removed || cu.restored || cu.conflicts || cu.kept)
				printf(_("; copies: %ld taken back"), cu.removed);
			if (cu.kept)
				printf(_(", %ld kept with their deleted records (undelete brings them back)"),
				       cu.kept);
			if (cu.restored)
				printf(_(", %ld of deleted records given back their numbers"), cu.restored);
			if (cu.conflicts)
				printf(_(", %ld left alone (changed after the batch, or their record was; "
				         "--force to undo them too)"), cu.conflicts);
			printf("\n");
			rc = conflicts || cu.conflicts ? 1 : 0;
		}
	}
	sb_release(&err);
	catalog_close(c);
	return rc;
}
