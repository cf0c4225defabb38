/*
 * cmd-labels.c - `bienmuc labels`: spine labels for copies, or the
 * accession register (sổ đăng ký cá biệt), as PDF (A4, embedded font) or
 * plain text. Copies are chosen by query, import batch, date, the last N
 * added, or accession numbers.
 * Exit status: 0 written, 1 no copies selected / some accession number
 * unknown / some found record's copies unreadable (the rest is written),
 * 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <errno.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "copies.h"
#include "callno.h"
#include "labels.h"
#include "charset.h"
#include "store-cli.h"

#define CMD_NAME "labels"

static const char usage_text[] = N_(
	"usage: bienmuc labels [-d DB] [-q QUERY | --batch N | --since DATE | --last N |\n"
	"                      ACCNO...] [--register] [-t pdf|text] [--rows R]\n"
	"                      [--cols C] [--skip K] [--library NAME] [--font TTF]\n"
	"                      -o FILE\n"
	"\n"
	"Spine labels (library name, call number one part a line, accession\n"
	"number) on A4 sheets, or the accession register (number, date, title,\n"
	"author, call number, price). Withdrawn copies are left out unless named.\n"
	"\n"
	"  -d, --db FILE        the catalogue (default $BIENMUC_DB)\n"
	"  -q, --query QUERY    copies of the records a CCL query finds\n"
	"      --batch N        copies of the records of import batch N\n"
	"      --since DATE     copies added on or after DATE (YYYY-MM-DD)\n"
	"      --last N         the last N copies added\n"
	"  -r, --register       the accession register instead of labels\n"
	"  -t, --to FMT         pdf (default) or text\n"
	"      --rows R         labels down a sheet (default 10)\n"
	"      --cols C         labels across a sheet (default 4)\n"
	"      --skip K         labels already used on the first sheet\n"
	"      --library NAME   library name (default: setting library_name, else\n"
	"                       the MARC organisation code)\n"
	"      --font TTF       TrueType font (default $BIENMUC_FONT, else DejaVu Sans)\n"
	"  -o, --output FILE    write here ('-' = standard output)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 written, 1 nothing selected, an accession number unknown or\n"
	"a record's copies unreadable, 2 usage or I/O error.\n");

enum { OPT_BATCH = 256, OPT_SINCE, OPT_LAST, OPT_ROWS, OPT_COLS, OPT_SKIP, OPT_LIBRARY,
       OPT_FONT };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "query", required_argument, NULL, 'q' },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "last", required_argument, NULL, OPT_LAST },
	{ "register", no_argument, NULL, 'r' },
	{ "to", required_argument, NULL, 't' },
	{ "rows", required_argument, NULL, OPT_ROWS },
	{ "cols", required_argument, NULL, OPT_COLS },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "library", required_argument, NULL, OPT_LIBRARY },
	{ "font", required_argument, NULL, OPT_FONT },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int posnum(const char *opt, const char *s, long min, long max, long *out)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (!*s || *e || v < min || v > max) {
		cmd_error(CMD_NAME, _("%s needs a number from %ld to %ld, not '%s'"), opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

struct sel {
	struct copy *cps;
	size_t n, cap;
	size_t withdrawn;        /* left out (not named) */
};

static void sel_add(struct sel *s, struct copy *cps, size_t n, int keep_withdrawn)
{
	for (size_t i = 0; i < n; i++) {
		if (!keep_withdrawn && !strcmp(cps[i].status, COPY_WITHDRAWN)) {
			s->withdrawn++;
			copy_clear(&cps[i]);
			continue;
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			s->cps = xrealloc(s->cps, s->cap * sizeof *s->cps);
		}
		s->cps[s->n++] = cps[i];
	}
	free(cps);
}

int cmd_labels(int argc, char **argv)
{
	const char *db = NULL, *query = NULL, *since = NULL, *library = NULL, *font = NULL,
	           *out = NULL, *geom = NULL;
	long batch = 0, last = 0, rows = 10, cols = 4, skip = 0;
	int reg = 0, text = 0, tset = 0, opt, rc = 0, werr = 0;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:q:rt:o:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'q': query = optarg; break;
		case OPT_BATCH: if (posnum("--batch", optarg, 1, 1L << 40, &batch)) return 2; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_LAST: if (posnum("--last", optarg, 1, 1000000, &last)) return 2; break;
		case 'r': reg = 1; break;
		case 't':
			tset = 1;
			if (!strcmp(optarg, "text")) {
				text = 1;
			} else if (strcmp(optarg, "pdf")) {
				cmd_error(CMD_NAME, _("unknown format '%s' (pdf, text)"), optarg);
				return 2;
			}
			break;
		case OPT_ROWS:      /* too many for the page: said below, with the height */
			if (posnum("--rows", optarg, 1, 1000, &rows))
				return 2;
			geom = "--rows";
			break;
		case OPT_COLS: if (posnum("--cols", optarg, 1, 12, &cols)) return 2; geom = "--cols"; break;
		case OPT_SKIP: if (posnum("--skip", optarg, 0, 480, &skip)) return 2; geom = "--skip"; break;
		case OPT_LIBRARY: library = optarg; break;
		case OPT_FONT: font = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			fputs(_(usage_text), stdout);
			/* its own string: the usage above keeps its translation */
			fputs(_("\nA sheet takes at most 21 rows (28 with --library '', no name on\n"
			        "the labels) and 12 columns.\n"), stdout);
			return 0;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc labels --help'"),
			          argv[optind - 1]);
			return 2;
		}
	}
	/* -o NAME.txt says text (a PDF in a .txt file opened as garbage) */
	size_t ol = out ? strlen(out) : 0;
	if (!tset && !reg && ol > 4 && !strcasecmp(out + ol - 4, ".txt"))
		text = 1;
	if (geom && (text || reg)) {
		/* they were ignored: the text labels and the register have no sheet */
		cmd_error(CMD_NAME, _("%s is for spine labels in PDF (not -t text or --register)"), geom);
		return 2;
	}
	if (!text && !reg && rows > labels_max_rows(!library || *library)) {
		cmd_error(CMD_NAME, _("--rows %ld: the labels would be %.1f mm high, too low for a "
		                      "readable call number (at most %d rows on A4%s)"),
		          rows, 277.0 / (double)rows, labels_max_rows(!library || *library),
		          !library || *library ? _("; --library '' leaves the name out") : "");
		return 2;
	}
	if (since && !date_valid(since, 0)) {
		cmd_error(CMD_NAME, _("--since: '%s' is not a date (YYYY-MM-DD)"), since);
		return 2;
	}
	int nsel = !!query + !!batch + !!since + !!last + (optind < argc);
	if (nsel != 1) {
		cmd_error(CMD_NAME, nsel ? _("choose the copies one way only (-q, --batch, --since, "
		                           "--last or accession numbers)")
		                         : _("which copies? give -q, --batch, --since, --last or "
		                           "accession numbers"));
		return 2;
	}
	if (!out && !text) {
		cmd_error(CMD_NAME, _("where to? give -o FILE"));
		return 2;
	}
	if (!text && out && !strcmp(out, "-") && isatty(STDOUT_FILENO)) {
		/* PDF bytes would fill the screen with garbage */
		cmd_error(CMD_NAME, _("-o -: a PDF is not for the terminal; give -o FILE.pdf, or -t text"));
		return 2;
	}
	catalog *c = cli_open(CMD_NAME, db, CAT_OPEN_READONLY);
	if (!c)
		return 2;
	struct sel s = { 0 };
	strbuf err = STRBUF_INIT;
	struct copy *cps = NULL;
	size_t n = 0, nfound = 0;
	int unread = 0;         /* -q: records whose copies could not be read */
	if (query) {
		struct cat_result res;
		struct cat_search_opts so = { .sort = CAT_SORT_ID };
		int pos = -1, st = catalog_search_ccl(c, query, &so, &res, &pos, &err);
		if (st) {
			if (st == CAT_QUERY)
				cli_query_error(CMD_NAME, query, pos, err.buf);
			else
				cmd_error(CMD_NAME, "%s", err.buf);
			rc = 2;
		}
		for (size_t i = 0; !rc && i < res.n; i++) {
			sb_reset(&err);
			if (!copies_list(c, res.ids[i], &cps, &n, &err)) {
				sel_add(&s, cps, n, 0);
			} else {
				/* it was left out without a word: say so, go on with
				 * the others, exit 1 as for an unknown number */
				cmd_error(CMD_NAME, _("record %s: its copies cannot be read, left out: %s"),
				          res.ids[i], err.buf);
				unread = 1;
			}
		}
		if (unread)
			rc = 1;
		if (!rc || unread) {
			nfound = res.n;
			cat_result_free(&res);
		}
	} else if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct copy *one = xcalloc(1, sizeof *one);
			sb_reset(&err);
			if (copies_get(c, argv[i], one, &err)) {
				cmd_error(CMD_NAME, "%s", err.buf);
				free(one);
				rc = 1;
				continue;
			}
			sel_add(&s, one, 1, 1);
		}
	} else if (copies_select(c, since, last, batch, &cps, &n, &err)) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = 2;
	} else {
		sel_add(&s, cps, n, 0);
	}
	if (rc == 2)
		goto done;
	if (!s.n) {
		/* it said only "no copies selected": why is the question */
		if (s.withdrawn)
			cmd_error(CMD_NAME, ngettext("no copies selected: %zu withdrawn copy left out "
			                             "(name its accession number to print it)",
			                             "no copies selected: %zu withdrawn copies left out "
			                             "(name their accession numbers to print them)",
			                             s.withdrawn), s.withdrawn);
		else if (unread)    /* said above, record by record */
			cmd_error(CMD_NAME, _("no copies selected"));
		else if (query && !nfound)
			cmd_error(CMD_NAME, _("no copies selected: the query found no records"));
		else if (query)
			cmd_error(CMD_NAME, ngettext("no copies selected: the record found has no copies "
			                             "(bienmuc copy add)",
			                             "no copies selected: none of the %zu records found "
			                             "has copies (bienmuc copy add)", nfound), nfound);
		else
			cmd_error(CMD_NAME, _("no copies selected"));
		rc = 1;
		goto done;
	}
	/* fill the label items from the copies and their records */
	char *lib = library ? xstrdup(library) : catalog_get_setting(c, "library_name");
	if (!lib)
		lib = catalog_get_setting(c, "org_code");
	if (lib) {              /* NFC: the font has the composed letters */
		char *l2 = utf8_nfc(lib, strlen(lib));
		if (l2) {
			free(lib);
			lib = l2;
		}
	}
	struct label_item *it = xcalloc(s.n, sizeof *it);
	struct brief *br = xcalloc(s.n, sizeof *br);
	char **cn = xcalloc(s.n, sizeof *cn);
	char (*dates)[12] = xcalloc(s.n, sizeof *dates);
	struct callno_rules rules = { catalog_get_setting(c, "callno.vn"),
	                              catalog_get_setting(c, "callno.foreign"),
	                              catalog_get_setting(c, "callno.workmark") };
	{
		strbuf why = STRBUF_INIT;
		if (callno_rules_check(&rules, &why))
			cmd_warn(CMD_NAME, _("%s (the author mark is left out)"), why.buf);
		sb_release(&why);
	}
	rec *r = rec_create();
	for (size_t i = 0; i < s.n; i++) {
		const struct copy *cp = &s.cps[i];
		catalog_fetch(c, cp->record, r, NULL, NULL);
		cli_brief(r, &br[i]);
		cn[i] = *cp->callno ? xstrdup(cp->callno) : callno_of_record(r);
		if (!*cn[i]) {                  /* none recorded: the suggested one */
			free(cn[i]);
			cn[i] = callno_suggest(r, &rules);
		}
		if (strlen(cp->added) == 10)
			snprintf(dates[i], sizeof dates[i], "%.2s/%.2s/%.4s", cp->added + 8,
			         cp->added + 5, cp->added);
		it[i] = (struct label_item){ cp->accno, cn[i], cp->volume, br[i].title, br[i].author,
		                             cp->added, cp->price, cp->branch, cp->location,
		                             dates[i][0] ? dates[i] : NULL };
	}
	rec_destroy(r);
	/* the font first: a font that cannot be used leaves no output file */
	pdf *p = NULL;
	if (!text) {
		const char *env = getenv("BIENMUC_FONT");
		char *fpath = font ? xstrdup(font) : pdf_default_font();
		if (!font && env && *env && fpath && strcmp(fpath, env))
			cmd_warn(CMD_NAME, _("BIENMUC_FONT: cannot read the font '%s'; using '%s'"), env,
			         fpath);
		else if (!font && env && *env && !fpath)
			cmd_warn(CMD_NAME, _("BIENMUC_FONT: cannot read the font '%s'"), env);
		p = fpath ? pdf_create(fpath, &err) : NULL;
		if (!p) {
			cmd_error(CMD_NAME, "%s", fpath ? err.buf : _("no TrueType font found: install "
			          "fonts-dejavu-core or give --font FILE"));
			rc = 2;
		}
		free(fpath);
	}
	FILE *fp = NULL;
	struct cmd_output o = { .warn = CMD_NAME };  /* FILE whole or not at all */
	if (text || p) {
		fp = !out || !strcmp(out, "-") ? stdout : cmd_output_open(&o, out);
		if (!fp) {
			cmd_error(CMD_NAME, _("cannot write '%s': %s"), out, cmd_output_strerror(errno));
			rc = 2;
		}
	}
	struct label_sheet sh = { (int)rows, (int)cols, (int)skip, 0, lib };
	if (fp && text) {
		if (reg)
			labels_register_text(fp, it, s.n, lib);
		else
			labels_spine_text(fp, it, s.n, &sh);
	} else if (fp) {
		if (reg)
			labels_register_pdf(p, it, s.n, lib);
		else
			labels_spine_pdf(p, it, s.n, &sh);
		if (pdf_write(p, fp, reg ? "Sổ đăng ký cá biệt" : "Nhãn gáy sách"))
			werr = 1;
	}
	pdf_destroy(p);
	int e = 0, staged = o.part != NULL;
	if (fp && (werr || fflush(fp) || ferror(fp))) {
		werr = 1;
		e = errno;
	}
	if (fp && fp != stdout && cmd_output_close(&o, !werr) && !werr) {
		werr = 1;
		e = errno;
	}
	if (werr) {
		cmd_write_failed(CMD_NAME, fp != stdout ? out : NULL, e);
		if (staged)
			cmd_error(CMD_NAME, _("'%s' was not written (a file of that name from before is "
			                      "unchanged)"), out);
		rc = 2;
	}
	for (size_t i = 0; i < s.n; i++) {
		cli_brief_release(&br[i]);
		free(cn[i]);
	}
	free(br);
	free(cn);
	free(dates);
	free((char *)rules.vn);
	free((char *)rules.foreign);
	free((char *)rules.workmark);
	free(it);
	free(lib);
done:
	copies_free(s.cps, s.n);
	sb_release(&err);
	catalog_close(c);
	return rc;
}
