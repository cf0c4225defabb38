/*
 * cmd-auth.c - `bienmuc auth`: authority control from the command line.
 *
 *   auth import   authority records into the catalogue (import's rules)
 *   auth search   headings by words (tone-insensitive), or a browse list
 *   auth show     an authority record, its references and its users
 *   auth link     link bib headings to authorities, flip see-from forms,
 *                 report ambiguous, near-miss and uncontrolled headings
 *   auth rename   change an authorised heading and every linked heading
 *   auth propagate  bring linked headings to an edited authority's 1XX
 *   auth merge    merge one authority into another (relink, delete)
 *   auth delete   delete an authority that nothing uses (or relink/unlink)
 *
 * Exit status: 0 done (link: every heading linked or uncontrolled without
 * candidates), 1 findings (link: ambiguous or near misses; delete: still
 * used) or some records rejected, 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <getopt.h>
#include <time.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "store-cli.h"
#include "auth.h"
#include "marcio.h"
#include "charset.h"

#define CMD_NAME "auth"

static const char usage_text[] = N_(
	"usage: bienmuc auth import [-d DB] [import options] FILE...\n"
	"       bienmuc auth search [-d DB] [-t TYPE] [-n N] [--browse] TEXT\n"
	"       bienmuc auth show [-d DB] ID...\n"
	"       bienmuc auth link [-d DB] [-q QUERY] [--dry-run] [--report FILE]\n"
	"       bienmuc auth rename [-d DB] [--dry-run] [-y] [--no-see-from] ID HEADING\n"
	"       bienmuc auth propagate [-d DB] [--dry-run] [-y] [--no-see-from] ID\n"
	"       bienmuc auth merge [-d DB] [--dry-run] [-y] [--no-see-from] KEEP OTHER\n"
	"       bienmuc auth delete [-d DB] [--relink TARGET | --force] [--dry-run] [-y] ID\n"
	"\n"
	"Authority control: authority records (Leader/06 z) live in the catalogue;\n"
	"their 1XX (authorised), 4XX (see from) and 5XX (see also) headings are\n"
	"indexed by a matching key that keeps tone marks (Nguyễn Du is not Nguyên Du)\n"
	"and a tone-insensitive search key used only to list candidates.\n"
	"\n"
	"  -d, --db FILE       the catalogue (default $BIENMUC_DB)\n"
	"  -t, --type TYPE     person, corporate, meeting, title, topical,\n"
	"                      geographic, genre (search; default all)\n"
	"  -n N                at most N headings (search; default 20)\n"
	"      --browse        search: list headings in Vietnamese order from TEXT\n"
	"  -q, --query QUERY   link: only the records a CCL query finds\n"
	"      --dry-run       report what would change; change nothing\n"
	"      --report FILE   link: one tab-separated line per heading: record,\n"
	"                      tag, heading, status, authority, authorised heading,\n"
	"                      candidates ('-' = standard output)\n"
	"  -y, --yes           apply without asking (heading changes)\n"
	"      --no-see-from   rename/propagate/merge: do not keep the old heading\n"
	"                      as a 4XX\n"
	"      --relink TARGET delete: relink the users to authority TARGET first\n"
	"      --force         delete: unlink the users ($0 removed) first\n"
	"  -h, --help          show this help\n"
	"\n"
	"HEADING is in subfield form, '$aNguyễn Du,$d1765-1820', or plain text ($a).\n"
	"Heading changes run in one transaction and one batch: undo the whole\n"
	"change with 'bienmuc batch undo N'.\n");

enum { OPT_DRY = 256, OPT_REPORT, OPT_BROWSE, OPT_NOSEE, OPT_RELINK, OPT_FORCE };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "type", required_argument, NULL, 't' },
	{ "query", required_argument, NULL, 'q' },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "browse", no_argument, NULL, OPT_BROWSE },
	{ "yes", no_argument, NULL, 'y' },
	{ "no-see-from", no_argument, NULL, OPT_NOSEE },
	{ "relink", required_argument, NULL, OPT_RELINK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *db, *query, *report, *relink;
	int type, n, dry, browse, yes, nosee, force;
	strbuf cmdline;
};

static int parse(const char *sub, int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->type = -1;
	o->n = 20;
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:t:q:n:yh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': o->db = optarg; break;
		case 't':
			o->type = auth_type_parse(optarg);
			if (o->type < 0) {
				cmd_error(CMD_NAME, _("%s: unknown heading type '%s' (person, corporate, "
				          "meeting, title, topical, geographic, genre)"), sub, optarg);
				return 2;
			}
			break;
		case 'q': o->query = optarg; break;
		case 'n': o->n = atoi(optarg); if (o->n < 1) o->n = 1; break;
		case 'y': o->yes = 1; break;
		case OPT_DRY: o->dry = 1; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_BROWSE: o->browse = 1; break;
		case OPT_NOSEE: o->nosee = 1; break;
		case OPT_RELINK: o->relink = optarg; break;
		case OPT_FORCE: o->force = 1; break;
		case 'h': fputs(_(usage_text), stdout); return -1;
		case ':':
			cmd_error(CMD_NAME, _("%s: option '%s' needs an argument"), sub, argv[optind - 1]);
			return 2;
		default:
			cmd_error(CMD_NAME, _("%s: unknown option '%s'; see 'bienmuc auth --help'"), sub,
			          argv[optind - 1]);
			return 2;
		}
	}
	sb_init(&o->cmdline);
	sb_adds(&o->cmdline, "bienmuc auth");
	for (int i = 0; i < argc; i++)
		sb_addf(&o->cmdline, " %s", argv[i]);
	return 0;
}

static void print_hit(const struct auth_hit *h)
{
	if (h->kind == AK_AUTH)
		printf("%s\t%s\t%s\n", h->id, h->tag, h->heading);
	else if (h->kind == AK_SEEFROM)
		printf("%s\t%s\t%s → xem %s\n", h->id, h->tag, h->heading, h->auth_heading);
	else
		printf("%s\t%s\t%s: xem thêm %s\n", h->id, h->tag, h->auth_heading, h->heading);
}

/* ---- search ---- */
static int do_search(catalog *c, struct opts *o, int argc, char **argv)
{
	strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	for (int i = optind; i < argc; i++) {
		if (text.len)
			sb_addc(&text, ' ');
		sb_adds(&text, argv[i]);
	}
	struct auth_hit *h = NULL;
	size_t n = 0;
	int rc;
	if (o->browse) {
		rc = auth_browse(c, o->type, text.buf ? text.buf : "", 0, (size_t)o->n, &h, &n, NULL, &err);
	} else {
		if (!text.len) {
			cmd_error(CMD_NAME, _("search: what? see 'bienmuc auth --help'"));
			sb_release(&text);
			return 2;
		}
		char *key = fold_search(text.buf, text.len);
		rc = auth_find(c, o->type, AKEY_SEARCH_PREFIX, key, 0, (size_t)o->n, &h, &n, &err);
		free(key);
	}
	if (rc) {
		cmd_error(CMD_NAME, _("search: %s"), err.buf);
		rc = 2;
	} else {
		for (size_t i = 0; i < n; i++)
			print_hit(&h[i]);
		rc = n ? 0 : 1;
	}
	auth_hits_free(h, n);
	sb_release(&text);
	sb_release(&err);
	return rc;
}

/* ---- show ---- */
static int do_show(catalog *c, int argc, char **argv)
{
	int rc = 0;
	strbuf err = STRBUF_INIT;
	rec *r = rec_create();
	struct marc_write_opts wo = { .format = MF_MRK };
	for (int i = optind; i < argc; i++) {
		sb_reset(&err);
		int st = catalog_fetch(c, argv[i], r, NULL, &err);
		if (st && st != CAT_DELETED) {
			cmd_error(CMD_NAME, _("show: %s"), err.buf);
			rc = 1;
			continue;
		}
		if (st == CAT_DELETED) {                 /* shown, as `show` does, with a warning */
			cmd_warn(CMD_NAME, _("show: record '%s' is deleted (bienmuc undelete %s)"), argv[i],
			         argv[i]);
			rc = 1;
		}
		marc_writer *w = marc_writer_open(stdout, &wo);
		marc_writer_put(w, r, &err);
		marc_writer_close(w);
		if (auth_is_authority(r)) {
			char **ids;
			size_t n;
			sb_reset(&err);
			if (!auth_users(c, argv[i], &ids, &n, &err)) {
				printf("# used by %zu record%s", n, n == 1 ? "" : "s");
				for (size_t j = 0; j < n && j < 20; j++)
					printf("%s%s", j ? ", " : ": ", ids[j]);
				printf("%s\n", n > 20 ? ", ..." : "");
				cat_ids_free(ids, n);
			}
		}
		printf("\n");
	}
	rec_destroy(r);
	sb_release(&err);
	return rc;
}

/* ---- link ---- */
struct linkrun {
	catalog *c;
	auth_linker *L;
	struct opts *o;
	FILE *rep;
	long records, headings, changed_records, counts[AS_COUNT], flipped;
	char **todo;
	size_t ntodo, captodo;
	int fatal;
	strbuf err;
};

static void report_line(struct linkrun *lr, const char *id, const struct auth_finding *x)
{
	lr->counts[x->status]++;
	lr->headings++;
	if (x->status == AS_SEEFROM && x->changed)
		lr->flipped++;
	if (!lr->rep)
		return;
	fprintf(lr->rep, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, x->tag, x->heading,
	        auth_status_name(x->status), x->auth_id ? x->auth_id : "",
	        x->auth_heading ? x->auth_heading : "", x->candidates ? x->candidates : "");
}

static int scan_one(void *arg, const char *id, const rec *r)
{
	struct linkrun *lr = arg;
	if (auth_is_authority(r))
		return 0;
	rec *cp = rec_clone(r);
	struct auth_linkres res = { 0 };
	sb_reset(&lr->err);
	int rc = auth_link_record(lr->L, cp, 1, &res, &lr->err);
	if (!rc) {
		lr->records++;
		for (size_t i = 0; i < res.n; i++)
			report_line(lr, id, &res.v[i]);
		if (res.changed) {
			if (lr->ntodo == lr->captodo) {
				lr->captodo = lr->captodo ? 2 * lr->captodo : 256;
				lr->todo = xrealloc(lr->todo, lr->captodo * sizeof *lr->todo);
			}
			lr->todo[lr->ntodo++] = xstrdup(id);
		}
	}
	auth_linkres_release(&res);
	rec_destroy(cp);
	return rc;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_link(catalog *c, struct opts *o)
{
	struct linkrun lr;
	memset(&lr, 0, sizeof lr);
	lr.c = c;
	lr.o = o;
	lr.L = auth_linker_create(c);
	int rc = 0;
	double t0 = now();
	if (o->report && !strcmp(o->report, "-"))
		lr.rep = stdout;
	else if (o->report && !(lr.rep = cmd_fopen_out(o->report, "w"))) {
		cmd_error(CMD_NAME, _("link: cannot write '%s': %s"), o->report,
		          cmd_output_strerror(errno));
		auth_linker_destroy(lr.L);
		return 2;
	}
	if (lr.rep)
		fputs("record\ttag\theading\tstatus\tauthority\tauthorised heading\tcandidates\n", lr.rep);
	/* 1: classify (read only) */
	if (o->query) {
		struct cat_result res = { 0 };
		struct cat_search_opts so = { .sort = CAT_SORT_ID };
		int pos = 0;
		int st = catalog_search_ccl(c, o->query, &so, &res, &pos, &lr.err);
		if (st) {
			if (st == CAT_QUERY)
				cli_query_error(CMD_NAME, o->query, pos, lr.err.buf);
			else
				cmd_error(CMD_NAME, _("link: %s"), lr.err.buf);
			rc = 2;
		}
		rec *r = rec_create();
		for (size_t i = 0; i < res.n && !rc; i++) {
			if (catalog_fetch(c, res.ids[i], r, NULL, &lr.err) == CAT_OK &&
			    scan_one(&lr, res.ids[i], r)) {
				cmd_error(CMD_NAME, _("link: %s"), lr.err.buf);
				rc = 2;
			}
		}
		rec_destroy(r);
		cat_result_free(&res);
	} else {
		int st = catalog_scan(c, NULL, scan_one, &lr, &lr.err);
		if (st) {
			cmd_error(CMD_NAME, _("link: %s"), lr.err.buf);
			rc = 2;
		}
	}
	/* 2: apply, one transaction, one batch */
	long batch = 0;
	if (!rc && lr.ntodo && !o->dry) {
		sb_reset(&lr.err);
		/* the batch row in the same transaction: a failed or killed run
		 * leaves no batch behind */
		int st = catalog_begin(c, &lr.err);
		if (!st)
			st = catalog_batch_start(c, o->cmdline.buf, &batch, &lr.err);
		rec *r = rec_create();
		for (size_t i = 0; i < lr.ntodo && !st; i++) {
			struct cat_version v = { 0 };
			st = catalog_fetch(c, lr.todo[i], r, &v, &lr.err);
			struct auth_linkres res = { 0 };
			if (!st)
				st = auth_link_record(lr.L, r, 1, &res, &lr.err);
			if (!st && res.changed) {
				struct cat_save_opts so = { .action = "auth", .batch = batch };
				st = catalog_save(c, r, v.version, &so, NULL, &lr.err);
				if (!st)
					lr.changed_records++;
			}
			auth_linkres_release(&res);
			cat_version_clear(&v);
		}
		rec_destroy(r);
		if (!st) {
			struct cat_batch cnt = { .replaced = lr.changed_records };
			st = catalog_batch_progress(c, batch, "auth-link", lr.changed_records, 0, 1, &cnt,
			                            &lr.err);
		}
		if (!st)
			st = catalog_batch_finish(c, batch, "done", &lr.err);
		if (!st)
			st = catalog_commit(c, &lr.err);
		if (st) {
			catalog_abort(c);
			cmd_error(CMD_NAME, _("link: %s (nothing changed)"), lr.err.buf);
			rc = 2;
		}
	}
	double el = now() - t0;
	fprintf(stderr, _("bienmuc: auth: link: %ld records, %ld headings: %ld authorized, %ld see-from "
	        "(%ld replaced by the authorised form), %ld ambiguous, %ld near-miss (tones/đ/case), "
	        "%ld near-miss (dates), %ld no authority; %ld records %s; %.1f s (%.0f records/s)\n"),
	        lr.records, lr.headings, lr.counts[AS_AUTHORIZED], lr.counts[AS_SEEFROM], lr.flipped,
	        lr.counts[AS_AMBIGUOUS], lr.counts[AS_NEAR_TONES], lr.counts[AS_NEAR_DATES],
	        lr.counts[AS_NONE], o->dry ? (long)lr.ntodo : lr.changed_records,
	        o->dry ? _("would change (dry run)") : _("changed"), el, el > 0 ? lr.records / el : 0.0);
	if (batch && !rc)
		fprintf(stderr, _("bienmuc: auth: link: batch %ld (undo with: bienmuc batch undo %ld)\n"),
		        batch, batch);
	if (!rc && (lr.counts[AS_AMBIGUOUS] || lr.counts[AS_NEAR_TONES] || lr.counts[AS_NEAR_DATES]))
		rc = 1;
	if (lr.rep && cmd_fclose_out(lr.rep)) {
		cmd_error(CMD_NAME, _("link: cannot write the report '%s': %s"), o->report,
		          strerror(errno));
		rc = 2;
	}
	for (size_t i = 0; i < lr.ntodo; i++)
		free(lr.todo[i]);
	free(lr.todo);
	auth_linker_destroy(lr.L);
	sb_release(&lr.err);
	return rc;
}

/* ---- heading changes ---- */

/* How many records a change touches; ask unless -y / --dry-run. 0 = go. */
static int confirm(catalog *c, struct opts *o, const char *what, int (*dry)(catalog *, struct
                   auth_change *, strbuf *, void *), void *arg)
{
	struct auth_change ch;
	strbuf err = STRBUF_INIT;
	int rc = dry(c, &ch, &err, arg);
	if (rc) {
		cmd_error(CMD_NAME, "%s", err.buf);
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	strbuf nr = STRBUF_INIT, nh = STRBUF_INIT;
	sb_addf(&nr, ngettext("%ld record", "%ld records", (unsigned long)ch.records), ch.records);
	sb_addf(&nh, ngettext("%ld heading", "%ld headings", (unsigned long)ch.fields), ch.fields);
	/* TRANSLATORS: "bienmuc: auth: rename: 2 records (2 headings) to change" */
	fprintf(stderr, _("bienmuc: auth: %s: %s (%s) to change\n"), what, nr.buf, nh.buf);
	sb_release(&nr);
	sb_release(&nh);
	if (o->dry)
		return -1;
	if (o->yes)
		return 0;
	if (!isatty(0)) {
		cmd_error(CMD_NAME, _("%s: not applied: give -y to apply without asking"), what);
		return 1;
	}
	fprintf(stderr, "%s", _("apply? [y/N] "));
	char line[16];
	if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return 1;
	return 0;
}

struct chargs {
	struct opts *o;
	const char *id, *id2, *heading;
	int op;      /* 0 rename, 1 propagate, 2 merge, 3 unlink+delete */
};

static int run_change(catalog *c, struct auth_change *ch, strbuf *err, struct chargs *a, int dry)
{
	switch (a->op) {
	case 0: return auth_rename(c, a->id, a->heading, a->o->nosee, dry, a->o->cmdline.buf, ch, err);
	case 1: return auth_propagate(c, a->id, a->o->nosee, dry, a->o->cmdline.buf, ch, err);
	case 2: return auth_merge(c, a->id, a->id2, a->o->nosee, dry, a->o->cmdline.buf, ch, err);
	default: return auth_unlink_delete(c, a->id, dry, a->o->cmdline.buf, ch, err);
	}
}

static int dry_cb(catalog *c, struct auth_change *ch, strbuf *err, void *arg)
{
	return run_change(c, ch, err, arg, 1);
}

static int do_change(catalog *c, struct chargs *a, const char *what)
{
	int rc = confirm(c, a->o, what, dry_cb, a);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct auth_change ch;
	strbuf err = STRBUF_INIT;
	double t0 = now();
	if (run_change(c, &ch, &err, a, 0)) {
		cmd_error(CMD_NAME, _("%s: %s (nothing changed)"), what, err.buf);
		sb_release(&err);
		return 2;
	}
	sb_release(&err);
	fprintf(stderr, _("bienmuc: auth: %s: %ld records changed in %.2f s; batch %ld (undo with: "
	        "bienmuc batch undo %ld)\n"), what, ch.records, now() - t0, ch.batch, ch.batch);
	return 0;
}

static int do_delete(catalog *c, struct opts *o, const char *id)
{
	char **ids;
	size_t n;
	strbuf err = STRBUF_INIT;
	if (auth_users(c, id, &ids, &n, &err)) {
		cmd_error(CMD_NAME, _("delete: %s"), err.buf);
		sb_release(&err);
		return 2;
	}
	cat_ids_free(ids, n);
	if (n && !o->relink && !o->force) {
		cmd_error(CMD_NAME, ngettext("delete: authority '%s' is used by %zu record: relink it "
		                             "(--relink TARGET) or unlink it (--force)",
		                             "delete: authority '%s' is used by %zu records: relink them "
		                             "(--relink TARGET) or unlink them (--force)", n), id, n);
		sb_release(&err);
		return 1;
	}
	struct chargs a = { .o = o, .id = id };
	if (n && o->relink) {
		a.op = 2;
		a.id = o->relink;
		a.id2 = id;
		o->nosee = 1;
		sb_release(&err);
		return do_change(c, &a, "delete");
	}
	rec *r = rec_create();
	int st = n ? CAT_OK : catalog_fetch(c, id, r, NULL, &err);
	if (st == CAT_DELETED) {
		sb_reset(&err);
		sb_addf(&err, _("authority '%s' is already deleted"), id);
	} else if (!st && !n && !auth_is_authority(r)) {
		sb_addf(&err, _("record '%s' is not an authority record"), id);
		st = CAT_ERROR;
	}
	rec_destroy(r);
	if (st) {
		cmd_error(CMD_NAME, _("delete: %s"), err.len ? err.buf : _("failed"));
		sb_release(&err);
		return st == CAT_NOTFOUND || st == CAT_DELETED ? 1 : 2;
	}
	/* used or not, the same way: the count first, -y, one batch */
	a.op = 3;
	sb_release(&err);
	return do_change(c, &a, "delete");
}

int cmd_auth(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 2) {
			cmd_error(CMD_NAME, _("which subcommand? see 'bienmuc auth --help'"));
			return 2;
		}
		fputs(_(usage_text), stdout);
		return 0;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "import")) {
		/* import's machinery, authority records only */
		char **av = xcalloc((size_t)argc + 2, sizeof *av);
		av[0] = (char *)"import";
		av[1] = (char *)"--authorities";
		for (int i = 2; i < argc; i++)
			av[i] = argv[i];
		int rc = cmd_import(argc, av);
		free(av);
		return rc;
	}
	static const char *const subs[] = { "search", "show", "link", "rename", "propagate",
	                                    "merge", "delete", NULL };
	int known = 0;
	for (const char *const *p = subs; *p; p++)
		known |= !strcmp(*p, sub);
	if (!known) {
		cmd_error(CMD_NAME, _("unknown subcommand '%s'; see 'bienmuc auth --help'"), sub);
		return 2;
	}
	struct opts o;
	int rc = parse(sub, argc - 1, argv + 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	argc--;
	argv++;
	int nargs = argc - optind;
	int want = !strcmp(sub, "rename") || !strcmp(sub, "merge") ? 2 :
	           !strcmp(sub, "propagate") || !strcmp(sub, "delete") ? 1 : -1;
	if ((want > 0 && nargs != want) || (!strcmp(sub, "show") && nargs < 1) ||
	    (!strcmp(sub, "link") && nargs)) {
		cmd_error(CMD_NAME, _("%s: wrong number of arguments; see 'bienmuc auth --help'"), sub);
		sb_release(&o.cmdline);
		return 2;
	}
	int ro = !strcmp(sub, "search") || !strcmp(sub, "show") ||
	         (!strcmp(sub, "link") && o.dry);
	catalog *c = cli_open(CMD_NAME, o.db, ro ? CAT_OPEN_READONLY : 0);
	if (!c) {
		sb_release(&o.cmdline);
		return 2;
	}
	if (!strcmp(sub, "search")) {
		rc = do_search(c, &o, argc, argv);
	} else if (!strcmp(sub, "show")) {
		rc = do_show(c, argc, argv);
	} else if (!strcmp(sub, "link")) {
		rc = do_link(c, &o);
	} else if (!strcmp(sub, "delete")) {
		rc = do_delete(c, &o, argv[optind]);
	} else {
		struct chargs a = { .o = &o, .id = argv[optind] };
		char *nfc = NULL;
		if (!strcmp(sub, "rename")) {
			a.op = 0;
			/* typed text may come decomposed (NFD): headings are NFC */
			nfc = utf8_nfc(argv[optind + 1], strlen(argv[optind + 1]));
			a.heading = nfc;
		} else if (!strcmp(sub, "propagate")) {
			a.op = 1;
		} else {
			a.op = 2;
			a.id2 = argv[optind + 1];
		}
		if (a.op == 0 && !nfc) {
			cmd_error(CMD_NAME, _("rename: the heading is not valid UTF-8"));
			rc = 2;
		} else {
			rc = do_change(c, &a, sub);
		}
		free(nfc);
	}
	catalog_close(c);
	sb_release(&o.cmdline);
	return rc;
}
