/*
 * cmd-show.c - `bienmuc show`: print records of the catalogue by id, in
 * any MARC format (MARCMaker .mrk by default), current or earlier version.
 * Exit status: 0 shown, 1 some id missing or deleted, or a record refused
 * by the format (ISO 2709: a field over 9,999 bytes), 2 usage/I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "store-cli.h"
#include "copies-cli.h"             /* copies in the output */

#define CMD_NAME "show"

static const char usage_text[] = N_(
	"usage: bienmuc show [-d DB] [-t FMT] [-V VERSION] ID...\n"
	"\n"
	"Print catalogue records.\n"
	"\n"
	"  -d, --db FILE         the catalogue (default $BIENMUC_DB, else\n"
	"                        $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -t, --to FMT          mrk (default), marcxml, json, iso2709 or brief\n"
	"  -V, --version-of N    show version N (see 'bienmuc history')\n"
	"  -h, --help            show this help\n"
	"\n"
	"A deleted record is still shown, with a warning (exit status 1).\n"
	"Exit status: 0 all shown, 1 some missing, deleted or too long for\n"
	"ISO 2709, 2 usage or I/O error.\n");

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "to", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 't' },
	{ "version-of", required_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_show(int argc, char **argv)
{
	const char *db = NULL;
	int fmt = MF_MRK, opt;
	long version = 0;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:t:V:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 't':
			fmt = cli_format(optarg, 1);
			if (fmt < 0) {
				cmd_error(CMD_NAME, _("unknown format '%s' (mrk, marcxml, json, iso2709, brief)"), optarg);
				return 2;
			}
			break;
		case 'V': {
			char *e;
			version = strtol(optarg, &e, 10);
			if (*e || version <= 0) {
				cmd_error(CMD_NAME, _("-V needs a version number, not '%s'"), optarg);
				return 2;
			}
			break;
		}
		case 'h': fputs(_(usage_text), stdout); return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc show --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		cmd_error(CMD_NAME, _("which record? see 'bienmuc show --help'"));
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, CAT_OPEN_READONLY);
	if (!c)
		return 2;
	marc_writer *w = NULL;
	if (fmt) {
		struct marc_write_opts wo = { .format = fmt, .to_charset = CS_UTF8 };
		w = marc_writer_open(stdout, &wo);
	}
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	int rc = 0;
	int werr = 0;               /* errno of the failed write to stdout */
	for (int i = optind; i < argc; i++) {
		sb_reset(&err);
		int st = version ? catalog_fetch_version(c, argv[i], version, r, NULL, &err)
		                 : catalog_fetch(c, argv[i], r, NULL, &err);
		if (st == CAT_DELETED) {
			cmd_warn(CMD_NAME, _("record '%s' is deleted (bienmuc undelete %s)"), argv[i], argv[i]);
			rc = rc ? rc : 1;
		} else if (st) {
			cmd_error(CMD_NAME, "%s", err.buf);
			rc = st == CAT_NOTFOUND ? (rc ? rc : 1) : 2;
			continue;
		}
		if (!fmt) {
			copies_print_brief(stdout, c, argv[i], r);      /* with copies */
		} else if (marc_writer_put(w, r, &err)) {
			if (ferror(stdout)) {      /* the output, not the record: said below */
				werr = errno;
				rc = 2;
				break;
			}
			/* refused (a field over 9,999 bytes as ISO 2709), like export */
			cmd_error(CMD_NAME, _("record %s: %s"), argv[i], err.buf);
			rc = rc ? rc : 1;
		}
		if (fmt == MF_MRK && !version) {                   /* copies: after the record */
			int bad = marc_writer_close(w);
			w = NULL;
			if (bad) {
				werr = errno;
				rc = 2;
				break;
			}
			struct marc_write_opts wo = { .format = fmt, .to_charset = CS_UTF8 };
			w = marc_writer_open(stdout, &wo);
			copies_print_mrk(stdout, c, argv[i], r);
		}
		/* each record out before the next: a failed write is caught
		 * with its errno (a full disk said only "write error") */
		errno = 0;
		if (fflush(stdout) || ferror(stdout)) {
			werr = errno;
			rc = 2;
			break;
		}
	}
	errno = 0;
	if ((w && marc_writer_close(w)) || fflush(stdout) || ferror(stdout)) {
		int e = werr ? werr : errno;
		cmd_write_failed(CMD_NAME, NULL, e);
		rc = 2;
	}
	rec_destroy(r);
	sb_release(&err);
	catalog_close(c);
	return rc;
}
