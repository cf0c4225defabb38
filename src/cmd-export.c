/*
 * cmd-export.c - `bienmuc export`: stream catalogue records out in any
 * MARC format, as UTF-8 or MARC-8: all live records, the hits of a query,
 * the ids listed in a file, or what changed since a date.
 *
 * As with convert, nothing is dropped silently: a record the writer
 * refuses (for ISO 2709 a record over 99,999 bytes or a field over 9,999,
 * a character MARC-8 cannot hold) is reported as "record ID: why", written
 * to --rejects as MARCXML (which has no such limits) and counted; exit
 * status 1 then. With -o, OUT is written whole or not at all (cmd_output).
 * Exit status: 0 all written, 1 some refused or ids missing, 2 usage/I/O.
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
#include "copies-marc.h"            /* copies: item fields 952/852 */
#include "callno.h"

#define CMD_NAME "export"

static const char usage_text[] = N_(
	"usage: bienmuc export [-d DB] [-t FMT] [--to-charset CS] [--lossless]\n"
	"                      [-q QUERY | --ids FILE] [--since DATE]\n"
	"                      [--rejects FILE] [--items 952|852 [--item-map FILE]]\n"
	"                      [-o OUT]\n"
	"\n"
	"Write catalogue records (all live records by default, in id order).\n"
	"\n"
	"  -d, --db FILE        the catalogue (default $BIENMUC_DB, else\n"
	"                       $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -t, --to FMT         iso2709 (default), marcxml, mrk, json\n"
	"      --to-charset CS  utf-8 (default) or marc8\n"
	"      --lossless       MARC-8: write &#xXXXX; for what MARC-8 lacks\n"
	"  -q, --query QUERY    only the records a CCL query finds\n"
	"      --ids FILE       only the ids listed in FILE, one a line ('-' = stdin)\n"
	"      --since DATE     only records saved at or after DATE (UTC,\n"
	"                       YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')\n"
	"      --rejects FILE   write refused records here, as MARCXML\n"
	"      --items TAG      add the copies as item fields: 952 (Koha) or 852\n"
	"      --item-map FILE  map of the item field (see marc/koha-952.map)\n"
	"  -o, --output OUT     write to OUT instead of standard output (as\n"
	"                       OUT.part.PID until every record is written)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 all written, 1 some refused or missing, 2 usage or I/O error.\n");

enum { OPT_TO_CS = 256, OPT_LOSSLESS, OPT_IDS, OPT_SINCE, OPT_REJECTS, OPT_ITEMS, OPT_ITEM_MAP };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "to", required_argument, NULL, 't' },
	{ "to-charset", required_argument, NULL, OPT_TO_CS },
	{ "lossless", no_argument, NULL, OPT_LOSSLESS },
	{ "query", required_argument, NULL, 'q' },
	{ "ids", required_argument, NULL, OPT_IDS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "items", required_argument, NULL, OPT_ITEMS },          /* copies */
	{ "item-map", required_argument, NULL, OPT_ITEM_MAP },    /* copies */
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct exp {
	marc_writer *w;
	marc_writer *rw;          /* rejects, MARCXML */
	FILE *rfp;
	const char *rejects;
	const char *since;
	long written, refused, missing;
	int io_error;             /* the output failed: stop, report once */
	FILE *fp;                 /* the output */
	const char *out_name;
	strbuf err;
	catalog *c;               /* copies: --items */
	item_map *items;
};

/* copies: r with one item field per copy (copies without a call number
 * get the title's); NULL when there is nothing to add. */
static rec *with_items(struct exp *x, const char *id, const rec *r)
{
	struct copy *cps;
	size_t n;
	if (!x->items || copies_list(x->c, id, &cps, &n, NULL) || !n)
		return NULL;
	char *cn = callno_of_record(r);
	for (size_t i = 0; i < n; i++)
		if (!*cps[i].callno)
			copy_set(&cps[i], "callno", cn);
	free(cn);
	rec *out = rec_clone(r);
	item_map_append(x->items, out, cps, n);
	copies_free(cps, n);
	return out;
}

static int put(void *arg, const char *id, const rec *r)
{
	struct exp *x = arg;
	sb_reset(&x->err);
	rec *wi = with_items(x, id, r);                        /* copies */
	if (wi)
		r = wi;
	if (x->io_error)
		return 1;
	if (marc_writer_put(x->w, r, &x->err) == 0) {
		x->written++;
		rec_destroy(wi);
		return 0;
	}
	if (ferror(x->fp)) {                 /* not the record: the output */
		x->io_error = 1;
		cmd_write_failed(CMD_NAME, x->out_name, errno);
		rec_destroy(wi);
		return 1;
	}
	x->refused++;
	cmd_error(CMD_NAME, _("record %s: %s"), id, x->err.buf ? x->err.buf : "refused");
	if (x->rejects) {
		if (!x->rfp) {
			x->rfp = cmd_fopen_out(x->rejects, "wb");
			if (!x->rfp) {
				cmd_error(CMD_NAME, _("cannot write '%s': %s"), x->rejects,
				          cmd_output_strerror(errno));
				x->rejects = NULL;
				return 0;
			}
			struct marc_write_opts wo = { .format = MF_MARCXML, .to_charset = CS_UTF8 };
			x->rw = marc_writer_open(x->rfp, &wo);
		}
		sb_reset(&x->err);
		marc_writer_put(x->rw, r, &x->err);
	}
	rec_destroy(wi);
	return 0;
}

/* --since with -q / --ids: keep records whose current version is new enough */
static int new_enough(catalog *c, const char *id, const char *since)
{
	struct cat_version v = { 0 };
	rec *r = rec_create();
	int ok = catalog_fetch(c, id, r, &v, NULL) == CAT_OK && strcmp(v.time, since) >= 0;
	cat_version_clear(&v);
	rec_destroy(r);
	return ok;
}

static void put_id(catalog *c, struct exp *x, const char *id, rec *r)
{
	sb_reset(&x->err);
	int st = catalog_fetch(c, id, r, NULL, &x->err);
	if (st) {
		if (st == CAT_DELETED)
			cmd_warn(CMD_NAME, _("record '%s' is deleted; not exported"), id);
		else
			cmd_error(CMD_NAME, "%s", x->err.buf);
		x->missing++;
		return;
	}
	if (x->since && !new_enough(c, id, x->since))
		return;
	put(x, id, r);
}

int cmd_export(int argc, char **argv)
{
	const char *db = NULL, *query = NULL, *ids = NULL, *out = NULL;
	struct marc_write_opts wo = { .format = MF_ISO2709, .to_charset = CS_UTF8 };
	struct exp x;
	memset(&x, 0, sizeof x);
	int opt, v;
	const char *items_tag = NULL, *item_map_file = NULL;   /* copies */

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:t:q:o:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 't':
			v = cli_format(optarg, 0);
			if (v < 0) {
				cmd_error(CMD_NAME, _("unknown format '%s' (iso2709, marcxml, mrk, json)"), optarg);
				return 2;
			}
			wo.format = v;
			break;
		case OPT_TO_CS:
			v = marc_charset_parse(optarg);
			if (v != CS_UTF8 && v != CS_MARC8) {
				cmd_error(CMD_NAME, _("cannot write charset '%s' (utf-8 or marc8)"), optarg);
				return 2;
			}
			wo.to_charset = v;
			break;
		case OPT_LOSSLESS: wo.lossless = 1; break;
		case 'q': query = optarg; break;
		case OPT_IDS: ids = optarg; break;
		case OPT_SINCE: x.since = optarg; break;
		case OPT_REJECTS: x.rejects = optarg; break;
		case OPT_ITEMS: items_tag = optarg; break;                    /* copies */
		case OPT_ITEM_MAP: item_map_file = optarg; break;             /* copies */
		case 'o': out = optarg; break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc export --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		cmd_error(CMD_NAME, _("unexpected argument '%s'; see 'bienmuc export --help'"), argv[optind]);
		return 2;
	}
	if (query && ids) {
		cmd_error(CMD_NAME, _("give -q or --ids, not both"));
		return 2;
	}
	if (x.since && !date_valid(x.since, 1)) {
		cmd_error(CMD_NAME, _("--since: '%s' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS', UTC)"),
		          x.since);
		return 2;
	}
	if (wo.to_charset == CS_MARC8 && wo.format != MF_ISO2709 && wo.format != MF_MRK) {
		cmd_error(CMD_NAME, _("MARC-8 can only be written as iso2709 or mrk"));
		return 2;
	}
	/* copies: the item field map */
	if (item_map_file) {
		x.items = item_map_load(item_map_file, &x.err);
		if (x.items && items_tag && strcmp(items_tag, item_map_tag(x.items)))
			sb_addf(&x.err, "'%s' maps %s, not %s", item_map_file, item_map_tag(x.items),
			        items_tag);
	} else if (items_tag && strcmp(items_tag, "none")) {
		x.items = item_map_default(items_tag, &x.err);
	}
	if (x.err.len) {
		cmd_error(CMD_NAME, _("--items: %s"), x.err.buf);
		item_map_destroy(x.items);
		sb_release(&x.err);
		return 2;
	}
	/* the rejects file is written from the start: over the output (or
	 * the --ids list) it would replace what was written there */
	int clash_out = x.rejects && out && same_path(out, x.rejects);
	if (clash_out || (x.rejects && ids && strcmp(ids, "-") && same_path(ids, x.rejects))) {
		if (clash_out)
			cmd_error(CMD_NAME, _("'%s' is both the output and the rejects file; name "
			                      "another with --rejects"), x.rejects);
		else
			cmd_error(CMD_NAME, _("'%s' is both the --ids list and the rejects file; name "
			                      "another with --rejects"), x.rejects);
		item_map_destroy(x.items);
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, CAT_OPEN_READONLY);
	if (!c) {
		item_map_destroy(x.items);
		return 2;
	}
	x.c = c;
	FILE *fp = stdout;
	struct cmd_output o = { .warn = CMD_NAME };
	if (out && !(fp = cmd_output_open(&o, out))) {
		cmd_error(CMD_NAME, _("cannot write '%s': %s"), out, cmd_output_strerror(errno));
		catalog_close(c);
		return 2;
	}
	x.fp = fp;
	x.out_name = out;                    /* NULL: standard output */
	x.w = marc_writer_open(fp, &wo);
	int rc = 0;
	rec *r = rec_create();
	if (query) {
		struct cat_result res;
		struct cat_search_opts so = { .sort = CAT_SORT_ID };
		int pos = -1;
		int st = catalog_search_ccl(c, query, &so, &res, &pos, &x.err);
		if (st == CAT_QUERY) {
			cli_query_error(CMD_NAME, query, pos, x.err.buf);
			rc = 2;
		} else if (st) {
			cmd_error(CMD_NAME, "%s", x.err.buf);
			rc = 2;
		}
		for (size_t i = 0; !rc && !x.io_error && i < res.n; i++)
			put_id(c, &x, res.ids[i], r);
		cat_result_free(&res);
	} else if (ids) {
		FILE *in = strcmp(ids, "-") ? fopen(ids, "r") : stdin;
		if (!in) {
			cmd_error(CMD_NAME, _("cannot read '%s'"), ids);
			rc = 2;
		} else {
			char *line = NULL;
			size_t cap = 0;
			ssize_t len;
			while (!x.io_error && (len = getline(&line, &cap, in)) > 0) {
				while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				               line[len - 1] == ' '))
					line[--len] = 0;
				char *s = line;
				while (*s == ' ' || *s == '\t')
					s++;
				if (*s && *s != '#')
					put_id(c, &x, s, r);
			}
			free(line);
			if (in != stdin)
				fclose(in);
		}
	} else {
		int st = catalog_scan(c, x.since, put, &x, &x.err);
		if (st && !x.io_error) {
			cmd_error(CMD_NAME, "%s", x.err.buf);
			rc = 2;
		}
	}
	rec_destroy(r);
	errno = 0;
	int bad = marc_writer_close(x.w) || fflush(fp) || ferror(fp);
	if (bad && !x.io_error)
		cmd_write_failed(CMD_NAME, x.out_name, errno);
	if (bad || x.io_error)
		rc = 2;
	/* OUT gets the records only when all of them were written (.part
	 * until then): a failed or killed export leaves no partial OUT */
	int staged = o.part != NULL;                   /* OUT.part, not a device */
	if (out && cmd_output_close(&o, rc != 2) && rc != 2) {
		cmd_error(CMD_NAME, _("cannot write '%s': %s"), out, strerror(errno));
		rc = 2;
		bad = 1;
	}
	if (staged && (bad || x.io_error))
		cmd_error(CMD_NAME, _("'%s' was not written (a file of that name from before is unchanged)"),
		          out);
	if (x.rw)
		marc_writer_close(x.rw);
	if (x.rfp)
		fclose(x.rfp);
	if (x.refused || x.missing)
		fprintf(stderr, _("bienmuc: export: %ld records written, %ld refused, %ld missing\n"),
		        x.written, x.refused, x.missing);
	if (!rc && (x.refused || x.missing))
		rc = 1;
	sb_release(&x.err);
	item_map_destroy(x.items);
	catalog_close(c);
	return rc;
}
