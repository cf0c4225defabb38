/*
 * cmd-zsearch.c - `bienmuc zsearch`: copy cataloguing from the command
 * line. One CCL query sent to several Z39.50/SRU targets at once
 * (zclient.h), results printed brief or as records, written to a file or
 * imported into the local catalogue after a duplicate check; and a batch
 * mode taking a file of ISBNs (first match from the first target that
 * has it, with a report of the misses).
 * Exit status: 0 found (and imported), 1 nothing found / ISBNs missed /
 * duplicates skipped / some target failed, 2 usage or I/O error or every
 * target failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <ctype.h>
#include <errno.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "marcio.h"
#include "store-cli.h"
#include "zclient.h"

#define CMD_NAME "zsearch"

static const char usage_text[] = N_(
	"usage: bienmuc zsearch [-t TARGET]... [--targets FILE] [-F FMT] [-n N]\n"
	"                       [-o OUT] [--import -d DB] [--as-is] QUERY...\n"
	"       bienmuc zsearch [-t TARGET]... --isbn-file FILE [--misses FILE]\n"
	"                       [-F FMT] [-o OUT | --import -d DB]\n"
	"\n"
	"Search Z39.50 and SRU targets for records to copy. The CCL QUERY\n"
	"(ti= au= su= isbn= ... as for 'bienmuc search') goes to every TARGET at\n"
	"once; each target's hits, errors and timeouts are reported on stderr.\n"
	"\n"
	"  -t, --target T     a name from the targets file, or an address\n"
	"                     (tcp:host:port/db, z3950://user:pass@host:port/db,\n"
	"                     http://host/path for SRU), which may be followed by\n"
	"                     the targets file's keys: -t 'tcp:h:210/db\n"
	"                     charset=marc8 syntax=marcxml'; repeatable. Default:\n"
	"                     every target of the targets file\n"
	"      --targets FILE targets file (default $BIENMUC_TARGETS, else\n"
	"                     ~/.config/bienmuc/targets; see bienmuc.conf(5))\n"
	"  -F, --format FMT   brief (default: target#n, title, author, year, ISBN,\n"
	"                     tab-separated), mrk, marcxml, json or iso2709\n"
	"  -n, --limit N      records fetched per target (default 10; 0: counts only)\n"
	"  -o, --output FILE  write the records there (format default iso2709)\n"
	"      --import       add the records to the catalogue given by -d, after\n"
	"                     a duplicate check (ISBN, ISSN, LCCN, 035)\n"
	"  -d, --db DB        the catalogue for --import\n"
	"      --as-is        keep 001/003/005 and 852/952 as received (default:\n"
	"                     the source becomes 035 $a (ORG)number; 001/003/005\n"
	"                     and the source's holdings, 852/952, go)\n"
	"      --timeout S    seconds to wait for each target (overrides the file)\n"
	"      --isbn-file F  one ISBN a line: the first record from the first\n"
	"                     target (in -t order) that has it\n"
	"      --misses FILE  write the ISBNs nobody had (or nobody answered for) there\n"
	"  -q, --quiet        no per-target report\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 found, 1 nothing found, ISBNs missed, duplicates skipped\n"
	"or a target failed, 2 usage or I/O error or every target failed.\n");

enum { OPT_TARGETS = 256, OPT_IMPORT, OPT_ASIS, OPT_TIMEOUT, OPT_ISBNS, OPT_MISSES };

static const struct option long_opts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "targets", required_argument, NULL, OPT_TARGETS },
	{ "format", required_argument, NULL, 'F' },
	{ "limit", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "import", no_argument, NULL, OPT_IMPORT },
	{ "db", required_argument, NULL, 'd' },
	{ "as-is", no_argument, NULL, OPT_ASIS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "isbn-file", required_argument, NULL, OPT_ISBNS },
	{ "misses", required_argument, NULL, OPT_MISSES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct zs_ctx {
	int quiet;
	int fmt;                 /* 0 brief, else MF_* */
	int asis;
	FILE *out;
	marc_writer *w;
	catalog *cat;            /* --import */
	long written, imported, duplicates, refused;
	int io_error;
};

static void report(void *arg, zsearch *zs, size_t i)
{
	struct zs_ctx *cx = arg;
	const struct zt_status *st = zsearch_status(zs, i);
	if (cx->quiet)
		return;
	if (st->state == ZS_DONE)
		fprintf(stderr, ngettext("bienmuc: zsearch: %s: %ld hit (%.1f s)\n",
		                         "bienmuc: zsearch: %s: %ld hits (%.1f s)\n",
		                         (unsigned long)st->hits), st->name, st->hits, st->seconds);
	else
		fprintf(stderr, "bienmuc: zsearch: %s: %s: %s\n", st->name,
		        st->state == ZS_TIMEOUT ? _("timeout") : _("error"), st->error);
}

/* Write or import one record (already a copy the caller may change). */
static void take(struct zs_ctx *cx, zsearch *zs, const struct zrecord *zr,
                 const struct ztarget *t, rec *r)
{
	const struct zt_status *st = zsearch_status(zs, zr->target);
	strbuf err = STRBUF_INIT;
	if (!cx->asis)
		zclient_note_source(r, t->org, NULL);
	if (cx->cat) {
		char **ids = NULL;
		size_t n = 0;
		int m = catalog_match(cx->cat, r, CAT_MK_ISBN | CAT_MK_ISSN | CAT_MK_LCCN | CAT_MK_035,
		                      &ids, &n, &err);
		if (m == CAT_OK && n) {
			cmd_warn(CMD_NAME, _("%s#%ld: already in the catalogue as %s; not imported"),
			         st->name, zr->position, ids[0]);
			cx->duplicates++;
		} else {
			char note[160];
			snprintf(note, sizeof note, "copied from %s", st->name);
			struct cat_save_opts so = { .action = "import", .note = note };
			sb_reset(&err);
			if (catalog_save(cx->cat, r, CAT_NEW, &so, NULL, &err) == CAT_OK) {
				cx->imported++;
				if (!cx->quiet)
					fprintf(stderr, _("bienmuc: zsearch: %s#%ld: imported as %s\n"), st->name,
					        zr->position, rec_get_control(r, "001"));
				if (cx->fmt == 0 && cx->out && cx->out != stdout)
					cli_print_brief(cx->out, rec_get_control(r, "001"), r);
			} else {
				cmd_error(CMD_NAME, "%s#%ld: %s", st->name, zr->position, err.buf);
				cx->refused++;
			}
		}
		cat_ids_free(ids, n);
		sb_release(&err);
		if (!cx->out || cx->out == stdout)
			return;
		if (cx->fmt == 0)
			return;
	}
	if (cx->fmt == 0) {
		char id[300];
		snprintf(id, sizeof id, "%s#%ld", st->name, zr->position);
		cli_print_brief(cx->out, id, r);
		cx->written++;
	} else if (marc_writer_put(cx->w, r, &err)) {
		cmd_error(CMD_NAME, "%s#%ld: %s", st->name, zr->position, err.buf);
		cx->refused++;
	} else {
		cx->written++;
	}
	sb_release(&err);
}

static void apply_timeout(struct ztarget *t, size_t n, int timeout)
{
	for (size_t i = 0; timeout > 0 && i < n; i++)
		t[i].timeout = timeout;
}

/* Digits and X of an ISBN line; "" for blank and comment lines. */
static void isbn_clean(const char *line, char *out, size_t max)
{
	size_t k = 0;
	const char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '#') {
		*out = 0;
		return;
	}
	for (; *p && !isspace((unsigned char)*p) && k + 1 < max; p++)
		if (isdigit((unsigned char)*p) || *p == 'X' || *p == 'x')
			out[k++] = (char)toupper((unsigned char)*p);
	out[k] = 0;
}

static int run_query(struct zs_ctx *cx, struct ztarget *t, size_t nt, const char *q,
                     long limit)
{
	strbuf err = STRBUF_INIT;
	int pos = -1;
	zsearch *zs = zsearch_start(t, nt, q, limit, &pos, &err);
	if (!zs) {
		cli_query_error(CMD_NAME, q, pos, err.buf);
		sb_release(&err);
		return 2;
	}
	zsearch_run(zs, report, cx);
	size_t ok = 0, failed = 0;
	long hits = 0;
	for (size_t i = 0; i < nt; i++) {
		if (zsearch_status(zs, i)->state == ZS_DONE) {
			ok++;
			hits += zsearch_status(zs, i)->hits;
		} else {
			failed++;
		}
	}
	for (size_t i = 0; i < zsearch_nproblems(zs); i++)
		cmd_warn(CMD_NAME, "%s", zsearch_problem(zs, i));
	/* in target order (arrival order is target by target already) */
	for (size_t ti = 0; ti < nt; ti++)
		for (size_t i = 0; i < zsearch_nrecords(zs); i++) {
			const struct zrecord *zr = zsearch_record(zs, i);
			if (zr->target != ti)
				continue;
			rec *r = rec_clone(zr->r);
			take(cx, zs, zr, &t[ti], r);
			rec_destroy(r);
		}
	size_t nrec = zsearch_nrecords(zs);
	zsearch_destroy(zs);
	sb_release(&err);
	if (!ok)
		return 2;
	/* -n 0 asks only for the counts: found means hits */
	int found = limit > 0 ? nrec > 0 : hits > 0;
	return found && !failed && !cx->duplicates && !cx->refused ? 0 : 1;
}

static int run_isbns(struct zs_ctx *cx, struct ztarget *t, size_t nt, const char *file,
                     const char *misses_path)
{
	FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		cmd_error(CMD_NAME, _("cannot read '%s': %s"), file, strerror(errno));
		return 2;
	}
	FILE *mf = NULL;
	if (misses_path && !(mf = cmd_fopen_out(misses_path, "w"))) {
		cmd_error(CMD_NAME, _("cannot write '%s': %s"), misses_path,
		          cmd_output_strerror(errno));
		if (in != stdin)
			fclose(in);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	long found = 0, missed = 0, unasked = 0, lineno = 0;
	int quiet = cx->quiet, rc = 0;
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		char isbn[32];
		isbn_clean(line, isbn, sizeof isbn);
		/* the first word, for a line that is no ISBN ("abc", a digit
		 * short): said and kept in the misses, not dropped or searched */
		const char *w = line + strspn(line, " \t\r\n");
		int wl = (int)strcspn(w, " \t\r\n");
		if (!*isbn && (!wl || *w == '#'))
			continue;
		size_t il = strlen(isbn);
		const char *x = strchr(isbn, 'X');     /* only an ISBN-10's check digit */
		if ((il != 10 && il != 13) || (x && (il != 10 || x != isbn + 9))) {
			missed++;
			fprintf(stderr, _("bienmuc: zsearch: '%.*s' (line %ld): not an ISBN (10 or 13 "
			        "digits)\n"), wl, w, lineno);
			if (mf)
				fprintf(mf, "%.*s\n", wl, w);
			continue;
		}
		char q[64];
		snprintf(q, sizeof q, "isbn=%s", isbn);
		strbuf err = STRBUF_INIT;
		zsearch *zs = zsearch_start(t, nt, q, 1, NULL, &err);
		sb_release(&err);
		if (!zs)
			continue;
		cx->quiet = 1;
		zsearch_run(zs, NULL, NULL);
		cx->quiet = quiet;
		const struct zrecord *hit = NULL;
		for (size_t ti = 0; ti < nt && !hit; ti++)
			for (size_t i = 0; i < zsearch_nrecords(zs); i++)
				if (zsearch_record(zs, i)->target == ti) {
					hit = zsearch_record(zs, i);
					break;
				}
		if (hit) {
			found++;
			if (!quiet)
				fprintf(stderr, _("bienmuc: zsearch: %s: found at %s\n"), isbn,
				        zsearch_status(zs, hit->target)->name);
			rec *r = rec_clone(hit->r);
			take(cx, zs, hit, &t[hit->target], r);
			rec_destroy(r);
		} else {
			strbuf why = STRBUF_INIT;
			size_t answered = 0;
			for (size_t ti = 0; ti < nt; ti++) {
				const struct zt_status *st = zsearch_status(zs, ti);
				if (why.len)
					sb_adds(&why, ", ");
				if (st->state == ZS_DONE) {
					answered++;
					sb_addf(&why, _("%s: %ld hits"), st->name, st->hits);
				} else if (st->state == ZS_TIMEOUT) {
					sb_addf(&why, "%s: %s", st->name, _("timeout"));
				} else {
					sb_addf(&why, "%s: %s: %s", st->name, _("error"),
					        st->error ? st->error : "");
				}
			}
			for (size_t i = 0; i < zsearch_nproblems(zs); i++)
				cmd_warn(CMD_NAME, "%s", zsearch_problem(zs, i));
			/* every target failed (down, timed out, refused the search):
			 * nobody could say, which is not "not found" */
			if (answered) {
				missed++;
				fprintf(stderr, _("bienmuc: zsearch: %s (line %ld): not found (%s)\n"), isbn,
				        lineno, why.buf ? why.buf : _("no targets"));
			} else {
				unasked++;
				fprintf(stderr, _("bienmuc: zsearch: %s (line %ld): not searched, every target "
				        "failed (%s)\n"), isbn, lineno, why.buf ? why.buf : _("no targets"));
			}
			sb_release(&why);
			if (mf)
				fprintf(mf, "%s\n", isbn);
		}
		zsearch_destroy(zs);
	}
	free(line);
	if (in != stdin)
		fclose(in);
	if (mf && cmd_fclose_out(mf)) {
		cmd_write_failed(CMD_NAME, misses_path, errno);
		rc = 2;
	}
	fprintf(stderr, _("bienmuc: zsearch: %ld found, %ld missed"), found, missed);
	if (unasked)
		fprintf(stderr, _(", %ld not searched (every target failed)"), unasked);
	if (cx->cat)
		fprintf(stderr, _(", %ld imported, %ld duplicates"), cx->imported, cx->duplicates);
	fputc('\n', stderr);
	if (!rc && unasked && !found && !missed)
		rc = 2;                 /* every target failed, every time */
	else if (!rc && (missed || unasked || cx->duplicates || cx->refused))
		rc = 1;
	return rc;
}

int cmd_zsearch(int argc, char **argv)
{
	const char *targets_file = NULL, *db = NULL, *outpath = NULL, *isbns = NULL,
	           *misses = NULL;
	const char **specs = NULL;
	size_t nspecs = 0;
	int opt, import = 0, fmt = -1, timeout = 0, rc = 2, limit_given = 0;
	long limit = 10;
	struct zs_ctx cx;
	memset(&cx, 0, sizeof cx);

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:F:n:o:d:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			specs = xrealloc(specs, (nspecs + 1) * sizeof *specs);
			specs[nspecs++] = optarg;
			break;
		case OPT_TARGETS: targets_file = optarg; break;
		case 'F':
			fmt = cli_format(optarg, 1);
			if (fmt < 0) {
				cmd_error(CMD_NAME, _("unknown format '%s' (brief, mrk, marcxml, json, iso2709)"), optarg);
				goto out;
			}
			break;
		case 'n': {
			char *e;
			limit = strtol(optarg, &e, 10);
			if (!*optarg || *e || limit < 0 || limit > 10000) {
				cmd_error(CMD_NAME, _("--limit needs a number 0-10000, not '%s'"), optarg);
				goto out;
			}
			limit_given = 1;
			break;
		}
		case 'o': outpath = optarg; break;
		case 'd': db = optarg; break;
		case OPT_IMPORT: import = 1; break;
		case OPT_ASIS: cx.asis = 1; break;
		case OPT_TIMEOUT: {
			char *e;
			long s = strtol(optarg, &e, 10);
			if (!*optarg || *e || s < 1 || s > 3600) {
				cmd_error(CMD_NAME, _("--timeout needs seconds (1-3600), not '%s'"), optarg);
				goto out;
			}
			timeout = (int)s;
			break;
		}
		case OPT_ISBNS: isbns = optarg; break;
		case OPT_MISSES: misses = optarg; break;
		case 'q': cx.quiet = 1; break;
		case 'h':
			fputs(_(usage_text), stdout);
			/* its own string: the usage above keeps its translation */
			fputs(_("\nWith --import, -o FILE gets a brief line per record imported,\n"
			        "with its new id (the records themselves with -F).\n"), stdout);
			rc = 0;
			goto out;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			goto out;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc zsearch --help'"), argv[optind - 1]);
			goto out;
		}
	}
	if (!isbns && optind >= argc) {
		cmd_error(CMD_NAME, _("no query; see 'bienmuc zsearch --help'"));
		goto out;
	}
	if (isbns && optind < argc) {
		cmd_error(CMD_NAME, _("--isbn-file takes no query"));
		goto out;
	}
	if (limit_given && limit == 0 && (outpath || import)) {
		/* -n 0 -o FILE emptied FILE; --import imported nothing, exit 0 */
		cmd_error(CMD_NAME, _("-n 0 fetches no records (the hit counts only): nothing to %s"),
		          import ? "--import" : "-o");
		goto out;
	}
	if (misses && !isbns) {
		cmd_error(CMD_NAME, _("--misses is only for --isbn-file"));
		goto out;
	}
	if (isbns && limit_given) {
		cmd_error(CMD_NAME, _("-n is not for --isbn-file (it takes the first record of each ISBN)"));
		goto out;
	}
	if (import && !db) {
		cmd_error(CMD_NAME, _("--import needs -d DB (the catalogue to import into)"));
		goto out;
	}
	if (db && !import) {
		cmd_error(CMD_NAME, _("-d is only for --import"));
		goto out;
	}
	/* targets */
	struct ztargets ts = { NULL, 0 };
	strbuf err = STRBUF_INIT;
	char *tpath = targets_file ? xstrdup(targets_file) : ztargets_default_path();
	/* a file named (--targets, $BIENMUC_TARGETS) must be there; the
	 * default one may be missing (then -t names the targets) */
	const char *env = getenv("BIENMUC_TARGETS");
	int tl = ztargets_load(&ts, tpath, !targets_file && !(env && *env), &err);
	if (tl < 0) {
		cmd_error(CMD_NAME, "%s", err.buf);
		sb_release(&err);
		ztargets_release(&ts);
		free(tpath);
		goto out;
	}
	size_t nt = nspecs ? nspecs : ts.n;
	struct ztarget *t = xcalloc(nt ? nt : 1, sizeof *t);
	int bad = 0;
	for (size_t i = 0; i < nt; i++) {
		if (nspecs) {
			sb_reset(&err);
			if (ztarget_resolve(&ts, specs[i], &t[i], &err) < 0) {
				cmd_error(CMD_NAME, "%s", err.buf);
				/* a name: which file was looked in (the message named
				 * "the targets file", not where it is, or that there is none) */
				if (!strpbrk(specs[i], ":/ \t")) {
					if (ts.n)
						fprintf(stderr, _("bienmuc: zsearch: the targets in '%s': "), tpath);
					for (size_t k = 0; k < ts.n; k++)
						fprintf(stderr, "%s%s", k ? ", " : "", ts.t[k].name);
					if (ts.n)
						fputc('\n', stderr);
					else if (access(tpath, F_OK))
						fprintf(stderr, _("bienmuc: zsearch: there is no targets file '%s' "
						                  "(see bienmuc.conf(5), TARGETS)\n"), tpath);
					else
						fprintf(stderr, _("bienmuc: zsearch: the targets file '%s' lists "
						                  "no targets\n"), tpath);
				}
				bad = 1;
			}
		} else {
			ztarget_copy(&t[i], &ts.t[i]);
		}
	}
	ztargets_release(&ts);
	sb_release(&err);
	free(tpath);
	if (!bad && !nt) {
		cmd_error(CMD_NAME, _("no targets: give -t TARGET or list them in the targets file "
		          "(see bienmuc.conf(5), TARGETS)"));
		bad = 1;
	}
	if (bad)
		goto free_targets;
	apply_timeout(t, nt, timeout);

	/* output */
	if (fmt < 0)
		fmt = outpath && !import ? MF_ISO2709 : 0;
	cx.fmt = fmt;
	cx.out = stdout;
	/* OUT whole or not at all (OUT.part.PID, renamed at the end), as
	 * export -o: a run on which every target failed (the network down)
	 * left an empty OUT in place of the records found the day before */
	struct cmd_output o = { .warn = CMD_NAME };
	if (outpath && strcmp(outpath, "-") && !(cx.out = cmd_output_open(&o, outpath))) {
		cmd_error(CMD_NAME, _("cannot write '%s': %s"), outpath, cmd_output_strerror(errno));
		goto free_targets;
	}
	if (fmt) {
		struct marc_write_opts wo = { .format = fmt, .to_charset = CS_UTF8 };
		cx.w = marc_writer_open(cx.out, &wo);
	}
	if (import && !(cx.cat = cli_open(CMD_NAME, db, CAT_OPEN_CREATE)))
		goto close_out;

	if (isbns) {
		rc = run_isbns(&cx, t, nt, isbns, misses);
	} else {
		strbuf q = STRBUF_INIT;
		for (int i = optind; i < argc; i++) {
			if (q.len)
				sb_addc(&q, ' ');
			sb_adds(&q, argv[i]);
		}
		rc = run_query(&cx, t, nt, q.buf, limit);
		sb_release(&q);
	}
	if (import && !cx.quiet && !isbns)
		fprintf(stderr, ngettext("bienmuc: zsearch: %ld imported, %ld duplicate skipped\n",
		                         "bienmuc: zsearch: %ld imported, %ld duplicates skipped\n",
		                         (unsigned long)cx.duplicates),
		        cx.imported, cx.duplicates);
	catalog_close(cx.cat);
close_out:
	/* a full disk: said, not only exit 2 (main says nothing after a 2) */
	errno = 0;
	{
		int werr = 0, e = 0, staged = o.part != NULL;
		if ((cx.w && marc_writer_close(cx.w)) || (cx.out && (fflush(cx.out) || ferror(cx.out)))) {
			werr = 1;
			e = errno;
		}
		if (cx.out && cx.out != stdout && cmd_output_close(&o, !werr && rc < 2) && !werr
		    && rc < 2) {
			werr = 1;
			e = errno;
		}
		if (werr) {
			cmd_write_failed(CMD_NAME, cx.out != stdout ? outpath : NULL, e);
			rc = 2;
		}
		if (staged && rc == 2)
			cmd_error(CMD_NAME, _("'%s' was not written (a file of that name from before is "
			                      "unchanged)"), outpath);
	}
free_targets:
	for (size_t i = 0; i < nt; i++)
		ztarget_release(&t[i]);
	free(t);
out:
	free(specs);
	return rc;
}
