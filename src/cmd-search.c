/*
 * cmd-search.c - `bienmuc search`: CCL query against the catalogue,
 * results as brief lines (id, title, author, year, ISBN; tab-separated)
 * or as full records in any MARC format.
 * Exit status: 0 records found, 1 none found, 2 usage error, malformed
 * query or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>             /* strncasecmp */
#include <getopt.h>
#include <errno.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "cclquery.h"
#include "store-cli.h"
#include "copies-cli.h"             /* copies in the output */
#include "copies.h"                 /* copies_branch_counts */

#define CMD_NAME "search"

static const char usage_text[] = N_(
	"usage: bienmuc search [-d DB] [--format FMT] [--limit N] [--offset N]\n"
	"                      [--sort KEYS] [--reverse]\n"
	"                      [--count] [--pqf] QUERY...\n"
	"\n"
	"Search the catalogue with a CCL query (the words of QUERY are joined).\n"
	"  ti= au= su= pb= se= nt= kw= (bare words: kw), isbn= issn= lccn= id=,\n"
	"  yr=1990, yr>1990, yr=1990-2000; and, or, not (any case), ( ); \"a phrase\";\n"
	"  a trailing ? truncates: nguy? . Tones, đ and case do not matter.\n"
	"\n"
	"  -d, --db FILE       the catalogue (default $BIENMUC_DB, else\n"
	"                      $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -F, --format FMT    brief (default: id, title, author, year, ISBN, tab-\n"
	"                      separated), mrk, marcxml, json or iso2709\n"
	"  -n, --limit N       at most N records (default 100; 0 = all)\n"
	"      --offset N      skip the first N\n"
	"  -s, --sort KEYS     relevance (default), title, author, year or id;\n"
	"                      or several, each ordering the ties of the one\n"
	"                      before: author,year:desc (:desc reverses one key)\n"
	"  -r, --reverse       reverse the whole order\n"
	"  -c, --count         print only the number of records found\n"
	"      --pqf           print the query as PQF (RPN) and stop\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 found, 1 nothing found, 2 usage error or bad query.\n");

enum { OPT_OFFSET = 256, OPT_PQF };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'F' },
	{ "limit", required_argument, NULL, 'n' },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, 'r' },
	{ "count", no_argument, NULL, 'c' },
	{ "pqf", no_argument, NULL, OPT_PQF },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int number(const char *s, long *out)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (!*s || *e || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* "-s KEY[,KEY...]", each KEY a name with an optional ":desc" (or
 * ":asc"), in any case, into so: the first key and up to CAT_SORT_THEN
 * more, each ordering what the keys before it leave tied. Relevance is a key of its
 * own (nothing orders its ties); nothing may follow id (it leaves none).
 * 0, or -1 with the message said. */
static int sort_keys(const char *arg, struct cat_search_opts *so)
{
	static const struct { const char *name; int sort; } names[] = {
		{ "relevance", CAT_SORT_RELEVANCE }, { "title", CAT_SORT_TITLE },
		{ "author", CAT_SORT_AUTHOR }, { "year", CAT_SORT_YEAR }, { "id", CAT_SORT_ID },
	};
	int n = 0, last = -1;
	so->nthen = 0;
	for (const char *p = arg;; p++) {
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);
		size_t nlen = colon ? (size_t)(colon - p) : len;
		int sort = -1, desc = 0;
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			if (strlen(names[i].name) == nlen && !strncasecmp(p, names[i].name, nlen))
				sort = names[i].sort;
		if (colon) {
			size_t dlen = len - nlen - 1;
			if (dlen == 4 && !strncasecmp(colon + 1, "desc", 4))
				desc = 1;
			else if (!(dlen == 3 && !strncasecmp(colon + 1, "asc", 3)))
				sort = -1;
		}
		if (sort < 0) {
			cmd_error(CMD_NAME, _("unknown sort '%.*s' (relevance, title, author, year, id; "
			                      "each may end in :desc)"), (int)len, p);
			return -1;
		}
		if (n && (last == CAT_SORT_RELEVANCE || sort == CAT_SORT_RELEVANCE)) {
			cmd_error(CMD_NAME, _("--sort: relevance cannot be combined with other keys"));
			return -1;
		}
		if (n && last == CAT_SORT_ID) {
			cmd_error(CMD_NAME, _("--sort: id can only be the last key (no two records "
			                      "have the same id)"));
			return -1;
		}
		if (n > CAT_SORT_THEN) {
			cmd_error(CMD_NAME, _("--sort: at most %d keys"), CAT_SORT_THEN + 1);
			return -1;
		}
		if (!n) {
			so->sort = sort;
			so->descending = desc;
		} else {
			so->then[n - 1].sort = sort;
			so->then[n - 1].descending = desc;
			so->nthen = n;
		}
		n++;
		last = sort;
		p += len;
		if (!*p)
			return 0;
	}
}

int cmd_search(int argc, char **argv)
{
	const char *db = NULL;
	int fmt = 0, count = 0, pqf = 0, reverse = 0, opt;
	struct cat_search_opts so = { .limit = 100 };

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:F:n:s:rch", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'F':
			fmt = cli_format(optarg, 1);
			if (fmt < 0) {
				cmd_error(CMD_NAME, _("unknown format '%s' (brief, mrk, marcxml, json, iso2709)"), optarg);
				return 2;
			}
			break;
		case 'n':
			if (number(optarg, &so.limit)) {
				cmd_error(CMD_NAME, _("--limit needs a number, not '%s'"), optarg);
				return 2;
			}
			break;
		case OPT_OFFSET:
			if (number(optarg, &so.offset)) {
				cmd_error(CMD_NAME, _("--offset needs a number, not '%s'"), optarg);
				return 2;
			}
			break;
		case 's':
			if (sort_keys(optarg, &so))
				return 2;
			break;
		case 'r': reverse = 1; break;
		case 'c': count = 1; break;
		case OPT_PQF: pqf = 1; break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc search --help'"), argv[optind - 1]);
			return 2;
		}
	}
	if (reverse) {                  /* the whole order: every key */
		so.descending = !so.descending;
		for (int i = 0; i < so.nthen; i++)
			so.then[i].descending = !so.then[i].descending;
	}
	if (optind >= argc) {
		cmd_error(CMD_NAME, _("no query; see 'bienmuc search --help'"));
		return 2;
	}
	strbuf q = STRBUF_INIT;
	for (int i = optind; i < argc; i++) {
		if (q.len)
			sb_addc(&q, ' ');
		sb_adds(&q, argv[i]);
	}
	strbuf err = STRBUF_INIT;
	int rc = 2, pos = -1;
	if (pqf) {
		strbuf out = STRBUF_INIT;
		if (cclq_to_pqf(q.buf, &out, &pos, &err) == 0) {
			printf("%s\n", out.buf);
			rc = 0;
		} else {
			cli_query_error(CMD_NAME, q.buf, pos, err.buf);
		}
		sb_release(&out);
		goto out;
	}
	catalog *c = cli_open(CMD_NAME, db, CAT_OPEN_READONLY);
	if (!c)
		goto out;
	struct cat_result res;
	if (count)
		so.limit = 1;
	int st = catalog_search_ccl(c, q.buf, &so, &res, &pos, &err);
	if (st == CAT_QUERY) {
		cli_query_error(CMD_NAME, q.buf, pos, err.buf);
	} else if (st) {
		cmd_error(CMD_NAME, "%s", err.buf);
	} else if (count) {
		printf("%ld\n", res.total);
		rc = res.total ? 0 : 1;
	} else {
		rec *r = rec_create();
		marc_writer *w = NULL;
		if (fmt) {
			struct marc_write_opts wo = { .format = fmt, .to_charset = CS_UTF8 };
			w = marc_writer_open(stdout, &wo);
		}
		rc = res.total ? 0 : 1;
		if (!fmt) {
			/* brief: summaries straight from the index, no record decoding */
			struct cat_summary *sum = xcalloc(res.n ? res.n : 1, sizeof *sum);
			if (catalog_summaries(c, res.ids, res.n, sum, &err)) {
				cmd_error(CMD_NAME, "%s", err.buf);
				rc = 2;
			}
			for (size_t i = 0; rc != 2 && i < res.n; i++) {
				if (!sum[i].found) {
					cmd_error(CMD_NAME, _("no record '%s'"), res.ids[i]);
					rc = 2;
					continue;
				}
				printf("%s\t%s\t%s\t%s\t%s", res.ids[i], sum[i].title, sum[i].author,
				       sum[i].year, sum[i].isbn);
				char *bc = copies_branch_counts(c, res.ids[i]);   /* copies */
				if (*bc)
					printf("\tcopies: %s", bc);
				putchar('\n');
				free(bc);
			}
			cat_summaries_free(sum, res.n);
			free(sum);
		}
		for (size_t i = 0; fmt && i < res.n; i++) {
			sb_reset(&err);
			if (catalog_fetch(c, res.ids[i], r, NULL, &err) < 0 &&
			    catalog_fetch(c, res.ids[i], r, NULL, NULL) != CAT_DELETED) {
				cmd_error(CMD_NAME, "%s", err.buf);
				rc = 2;
				continue;
			}
			if (marc_writer_put(w, r, &err)) {
				cmd_error(CMD_NAME, _("record %s: %s"), res.ids[i], err.buf);
				rc = 2;
			}
		}
		errno = 0;
		if (w && (marc_writer_close(w) || fflush(stdout) || ferror(stdout))) {
			/* a full disk: said (main says nothing after a 2) */
			cmd_write_failed(CMD_NAME, NULL, errno);
			rc = 2;
		}
		if ((long)res.n < res.total && !fmt)
			fprintf(stderr, _("bienmuc: search: %zu of %ld records shown (--limit, --offset)\n"),
			        res.n, res.total);
		rec_destroy(r);
	}
	cat_result_free(&res);
	catalog_close(c);
out:
	sb_release(&q);
	sb_release(&err);
	return rc;
}
