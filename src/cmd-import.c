/*
 * cmd-import.c - `bienmuc import`: stream MARC files into the catalogue.
 *
 * Every record read goes somewhere and is reported: added, replaced,
 * merged, skipped (a duplicate, or a fuller record already there), or
 * rejected (unreadable or unconvertible: raw bytes to --rejects). Records
 * are matched against the catalogue *and* the records of the same run
 * (saves are visible inside the open transaction) by the keys of --match.
 *
 * Commits come every --batch-size records, together with a progress row
 * naming the input (by a content fingerprint, not its name) and how far it
 * got. After a crash or kill -9 the catalogue holds exactly the committed
 * groups; running the same command again skips what is done (seeking to
 * the byte offset for ISO 2709, counting records for other formats) and
 * continues the same batch, so the result equals an uninterrupted run.
 *
 * "Less full" rule (replace/merge refuse such a record unless --force):
 * the incoming record is less full when its encoding level (Leader/17)
 * ranks lower than the catalogue record's (blank, 1, I > 4 > L > 2, K, M >
 * 7 > 3, J > 5 > 8; u, z and anything else are unknown and rank with
 * every level), or ranks the same and it has fewer fields
 * (not counting 001, 003, 005 and protected fields) as it would be saved:
 * with its foreign 001 as an 035 and, merged, with the catalogue
 * record's 035s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <stdint.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cmd.h"
#include "i18n.h"
#include "isismap.h"
#include "catalog.h"
#include "store.h"                /* store_diff_summary */
#include "matchkey.h"
#include "store-cli.h"
#include "readahead.h"
#include "input.h"
#include "copies-marc.h"            /* copies: item fields 952/852 */
#include "auth.h"                 /* --link-authorities, --authorities (auth import) */

#define CMD_NAME "import"

static const char usage_text[] = N_(
	"usage: bienmuc import [-d DB] [-f FMT] [--from-charset CS] [--match KEYS]\n"
	"                      [--on-match skip|replace|merge|new] [--protect TAGS]\n"
	"                      [--force] [--dry-run] [--rejects FILE] [--report FILE]\n"
	"                      [--batch-size N] [--bulk WHEN] [--again] [-q] FILE...\n"
	"       bienmuc import [-d DB] --org-code CODE | --id-prefix PREFIX [FILE...]\n"
	"\n"
	"Add MARC records to the catalogue (created if missing). Each run is a\n"
	"batch that 'bienmuc batch undo N' takes back. An interrupted run is\n"
	"continued by running the same command again.\n"
	"\n"
	"  -d, --db FILE          the catalogue (default $BIENMUC_DB, else\n"
	"                         $XDG_DATA_HOME/bienmuc/catalog.db)\n"
	"  -f, --from FMT         iso2709, marcxml, mrk, json (default: detected)\n"
	"      --from-charset CS  auto (default), auto-vi, utf-8, marc8, latin1,\n"
	"                         tcvn3, vni, viscii, cp1258\n"
	"      --map FILE         the input is a CDS/ISIS (non-MARC) ISO 2709 export:\n"
	"                         map it to MARC21 with FILE (see bienmuc-map(5))\n"
	"      --match KEYS       match keys, comma-separated: isbn, issn, lccn,\n"
	"                         035, 001 (default all five), or none\n"
	"      --on-match ACTION  for a record that matches: skip (default),\n"
	"                         replace, merge (keep --protect fields of the\n"
	"                         catalogue record), new (add it anyway)\n"
	"      --protect TAGS     local fields merge keeps (default 9XX,59X)\n"
	"      --force            replace/merge even with a less full record\n"
	"      --dry-run          report what would happen; change nothing\n"
	"      --rejects FILE     append the raw bytes of rejected records here\n"
	"                         (default: the catalogue's name + .rejects)\n"
	"      --report FILE      one JSON line per record: file, record, offset,\n"
	"                         action, id, reason\n"
	"      --batch-size N     records per commit at most (default 10000, 30000\n"
	"                         with --bulk; sooner when another program waits\n"
	"                         to write)\n"
	"      --bulk WHEN        auto (default), on, off: drop the title and\n"
	"                         author sort indexes while importing and build\n"
	"                         them once at the end, and the browse headings\n"
	"                         of the records added too; auto does it for\n"
	"                         about 10,000 records or more, when the files\n"
	"                         hold at least as many as the catalogue; on (or\n"
	"                         400,000 records or more) merges the keyword\n"
	"                         index once at the end too\n"
	"      --again            import files even if already imported\n"
	"      --items LIST       item fields that become copies: 952,852 (default;\n"
	"                         the fields leave the record) or none\n"
	"      --item-map FILE    map of an item field (see marc/koha-952.map)\n"
	"      --link-authorities link headings to the catalogue's authorities ($0),\n"
	"                         replace see-from forms, warn about near misses\n"
	"      --org-code CODE    set the catalogue's MARC organisation code (003)\n"
	"                         for this and every later save (default VN-BIENMUC)\n"
	"      --id-prefix PREFIX set the prefix of new record ids (default bm)\n"
	"  -q, --quiet            no progress and no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 all records placed, 1 some rejected, 2 usage or I/O error.\n");

enum { OPT_FROM_CS = 256, OPT_MATCH, OPT_ON_MATCH, OPT_PROTECT, OPT_FORCE, OPT_DRY,
       OPT_REJECTS, OPT_REPORT, OPT_BATCH_SIZE, OPT_AGAIN, OPT_ORG, OPT_PREFIX,
       OPT_LINK_AUTH, OPT_ONLY_AUTH, OPT_MAP, OPT_BULK,
       OPT_ITEMS, OPT_ITEM_MAP };   /* copies */

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "from", required_argument, NULL, 'f' },
	{ "from-charset", required_argument, NULL, OPT_FROM_CS },
	{ "match", required_argument, NULL, OPT_MATCH },
	{ "on-match", required_argument, NULL, OPT_ON_MATCH },
	{ "protect", required_argument, NULL, OPT_PROTECT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
	{ "again", no_argument, NULL, OPT_AGAIN },
	{ "bulk", required_argument, NULL, OPT_BULK },
	{ "link-authorities", no_argument, NULL, OPT_LINK_AUTH },
	{ "authorities", no_argument, NULL, OPT_ONLY_AUTH },
	{ "org-code", required_argument, NULL, OPT_ORG },
	{ "id-prefix", required_argument, NULL, OPT_PREFIX },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "items", required_argument, NULL, OPT_ITEMS },           /* copies */
	{ "item-map", required_argument, NULL, OPT_ITEM_MAP },     /* copies */
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum { ON_SKIP, ON_REPLACE, ON_MERGE, ON_NEW };
enum { A_ADDED, A_REPLACED, A_MERGED, A_SKIPPED, A_REJECTED };
static const char *const action_name[] = { "added", "replaced", "merged", "skipped", "rejected" };

struct imp {
	catalog *c;
	struct marc_read_opts ropts;
	int mask, on_match, force, dry, again, quiet, progress;
	long batch_size;
	struct mk_list protect;
	const char *rejects_name, *report_name;
	FILE *rejects, *report;
	long batch;
	long continued;                /* the batch this run continues (continued_batch) */
	char *org;                     /* our 003 */
	isismap *map;                  /* --map: CDS/ISIS input */
	item_map *items[3];            /* copies: item field maps, NULL-terminated */
	struct cat_batch total;        /* batch totals (all runs) */
	long run[5];                   /* this run */
	long nread;
	long kept[5], nkept;           /* run and nread at the last commit */
	int fatal;
	/* the reader's warnings about the record being imported (readahead.h)
	 * go to stderr (cmd_record_warnings) and into its report line */
	const struct ra_item *cur;
	struct cmd_warnings warn;
	/* and the import's own about it (a copy's price that is not one):
	 * each NUL-terminated, one after the other, as the reader's */
	strbuf own_warn;
	size_t nown_warn;
	strbuf cmdline;
	strbuf err;
	/* authority control (auth.h) */
	int only_auth;                 /* `bienmuc auth import`: authority records only */
	auth_linker *linker;           /* --link-authorities */
	long links[AS_COUNT], flipped;
	long foreign_own;              /* our numbers on other books (own_number_elsewhere) */
	long nsaved;                   /* records written to the rejects file */
	char *rejects_alloc;           /* the default rejects file name */
	/* progress */
	const char *fname;
	long long fsize, fpos;
	double t0, last_shown, last_commit;
	long fread0;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Commit before batch_size records when another program waits to write
 * (it gets in at the commit), at most 20 times a second so that the import
 * still moves; with a back end that cannot tell, every second. Checked
 * every 64 records. Committing on a timer regardless made a slow machine's
 * 1,000,000-record import commit twice as often as it needed to. */
static int commit_due(struct imp *im)
{
	double age = now() - im->last_commit;
	int w = catalog_waiters(im->c);
	return w < 0 ? age >= 1.0 : w > 0 && age >= 0.05;
}

enum { BULK_AUTO, BULK_ON, BULK_OFF };

/* ---- fullness and merging ---- */

static int level_rank(char c)
{
	switch (c) {
	case ' ': case '1': case 'I': return 9;
	case '4': return 8;
	case 'L': return 7;
	case '2': case 'K': case 'M': return 6;
	case '7': return 5;
	case '3': case 'J': return 4;
	case '5': return 3;
	case '8': return 2;
	default: return 0;            /* u, z, anything else: unknown */
	}
}

static int protected_tag(const struct imp *im, const char *tag)
{
	for (size_t i = 0; i < im->protect.n; i++) {
		const char *p = im->protect.v[i];
		int ok = 1;
		for (int k = 0; k < 3 && ok; k++)
			ok = p[k] == 'X' || p[k] == 'x' || p[k] == '.' || p[k] == tag[k];
		if (ok)
			return 1;
	}
	return 0;
}

static size_t content_fields(const struct imp *im, const rec *r)
{
	size_t n = 0, nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		const char *t = rec_tag(r, f);
		if (strcmp(t, "001") && strcmp(t, "003") && strcmp(t, "005") && !protected_tag(im, t))
			n++;
	}
	return n;
}

/* 1 (and why) if in is less full than old. */
static int less_full(const struct imp *im, const rec *in, const rec *old, strbuf *why)
{
	char li = rec_leader(in)[17], lo = rec_leader(old)[17];
	int ri = level_rank(li), ro = level_rank(lo);
	/* an unknown level (u, z, or no level at all) says nothing: the
	 * fields decide */
	if (ri && ro && ri != ro) {
		if (ri < ro) {
			sb_addf(why, "encoding level '%c' is less full than the catalogue's '%c'", li, lo);
			return 1;
		}
		return 0;
	}
	size_t ni = content_fields(im, in), no = content_fields(im, old);
	if (ni < no) {
		sb_addf(why, "%zu fields against %zu in the catalogue record", ni, no);
		return 1;
	}
	return 0;
}

/* A foreign 001/003 becomes an 035 "(ORG)number" (unless there already). */
static void keep_foreign_id(rec *r, const char *our_org)
{
	const char *id = rec_get_control(r, "001"), *org = rec_get_control(r, "003");
	if (!id || !*id || (org && our_org && !strcmp(org, our_org)))
		return;
	strbuf sys = STRBUF_INIT;
	if (org && *org)
		sb_addf(&sys, "(%s)%s", org, id);
	else
		sb_adds(&sys, id);
	char k1[300], k2[300];
	int have = 0;
	mk_sysno(sys.buf, k1, sizeof k1);
	for (long f = rec_find(r, "035", 0); f >= 0 && !have; f = rec_find(r, "035", (size_t)f + 1)) {
		long s = rec_find_sub(r, (size_t)f, 'a');
		if (s >= 0 && mk_sysno(rec_sub_value(r, (size_t)f, (size_t)s, NULL), k2, sizeof k2) &&
		    !strcmp(k1, k2))
			have = 1;
	}
	if (!have) {
		size_t nf = rec_nfields(r), at = 0;
		while (at < nf && strcmp(rec_tag(r, at), "035") <= 0)
			at++;
		rec_insert_field(r, at, "035", ' ', ' ');
		rec_add_sub(r, at, 'a', sys.buf, sys.len);
	}
	sb_release(&sys);
}

static void set_001(rec *r, const char *id)
{
	long f = rec_find(r, "001", 0);
	if (f >= 0)
		rec_set_data(r, (size_t)f, id, strlen(id));
	else
		rec_insert_control(r, 0, "001", id, strlen(id));
}

/* Whether r, saved over old, would change nothing: the same fields and
 * leader once r has the catalogue's 003 (which the save gives it), 005
 * aside (store_diff_summary). */
static int same_as_saved(const rec *r, const rec *old, const char *our_org)
{
	rec *x = rec_clone(r);
	if (our_org && *our_org) {
		long f = rec_find(x, "003", 0);
		if (f >= 0)
			rec_set_data(x, (size_t)f, our_org, strlen(our_org));
		else                                /* after the 001 */
			rec_insert_control(x, (size_t)(rec_find(x, "001", 0) + 1), "003", our_org,
			                   strlen(our_org));
	}
	strbuf d = STRBUF_INIT;
	store_diff_summary(old, x, &d);
	int same = !d.len;
	sb_release(&d);
	rec_destroy(x);
	return same;
}

/* Insert field f of src into r keeping tag order. */
static void insert_in_order(rec *r, const rec *src, size_t f)
{
	size_t nf = rec_nfields(r), at = 0;
	const char *tag = rec_tag(src, f);
	while (at < nf && strcmp(rec_tag(r, at), tag) <= 0)
		at++;
	rec_insert_copy(r, at, src, f);
}

static int has_sysno(const rec *r, const char *key)
{
	char k[300];
	for (long f = rec_find(r, "035", 0); f >= 0; f = rec_find(r, "035", (size_t)f + 1)) {
		long s = rec_find_sub(r, (size_t)f, 'a');
		if (s >= 0 && mk_sysno(rec_sub_value(r, (size_t)f, (size_t)s, NULL), k, sizeof k) &&
		    !strcmp(k, key))
			return 1;
	}
	return 0;
}

/* Whether field fa of a and field fb of b are the same 035 (indicators
 * and subfields). */
static int same_field(const rec *a, size_t fa, const rec *b, size_t fb)
{
	size_t ns = rec_nsub(a, fa);
	if (rec_ind(a, fa, 0) != rec_ind(b, fb, 0) || rec_ind(a, fa, 1) != rec_ind(b, fb, 1) ||
	    ns != rec_nsub(b, fb))
		return 0;
	for (size_t s = 0; s < ns; s++) {
		size_t la, lb;
		const char *va = rec_sub_value(a, fa, s, &la), *vb = rec_sub_value(b, fb, s, &lb);
		if (rec_sub_code(a, fa, s) != rec_sub_code(b, fb, s) || la != lb || memcmp(va, vb, la))
			return 0;
	}
	return 1;
}

/* Whether r has field f of src as an 035 already: one with the same
 * number in $a, or, for one with no number there (only a cancelled $z,
 * a $b, "$a *"), the very same field. */
static int has_035(const rec *r, const rec *src, size_t f)
{
	char k[300];
	long s = rec_find_sub(src, f, 'a');
	if (s >= 0 && mk_sysno(rec_sub_value(src, f, (size_t)s, NULL), k, sizeof k))
		return has_sysno(r, k);
	for (long g = rec_find(r, "035", 0); g >= 0; g = rec_find(r, "035", (size_t)g + 1))
		if (same_field(r, (size_t)g, src, f))
			return 1;
	return 0;
}

/* merged = incoming without protected fields + the catalogue record's
 * protected fields + its 035s that the incoming record lacks. */
static void merge_into(const struct imp *im, rec *in, const rec *old)
{
	for (size_t f = rec_nfields(in); f-- > 0; )
		if (protected_tag(im, rec_tag(in, f)))
			rec_delete_field(in, f);
	size_t nf = rec_nfields(old);
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(old, f);
		if (protected_tag(im, tag)) {
			insert_in_order(in, old, f);
		} else if (!strcmp(tag, "035") && !rec_is_control(old, f) && !has_035(in, old, f)) {
			insert_in_order(in, old, f);
		}
	}
}

/* ---- reporting ---- */

/* String i of strings kept one after the other, each NUL-terminated (the
 * reader's warnings about a record and the import's own). */
static const char *nth_string(const char *w, size_t i)
{
	while (i--)
		w += strlen(w) + 1;
	return w;
}

/* The import's own warning i about the record being imported. */
static const char *own_warning(const void *imp, size_t i)
{
	return nth_string(((const struct imp *)imp)->own_warn.buf, i);
}

/* copies: a price that is not one (copy_price_check: "Tặng", "giá bìa")
 * is kept as written, the copy is not refused for it, but it is said, on
 * stderr and in the report, as `bienmuc copy -p` would refuse it. */
static void price_warnings(struct imp *im, const struct copy *cps, size_t n, const char *file,
                           long recno, long long off)
{
	for (size_t i = 0; i < n; i++) {
		strbuf why = STRBUF_INIT;
		if (cps[i].price && copy_price_check(cps[i].price, &why) < 0) {
			sb_addf(&im->own_warn, _("copy %s: %s; kept as written"),
			        cps[i].accno ? cps[i].accno : "", why.buf);
			sb_addc(&im->own_warn, '\0');
			im->nown_warn++;
		}
		sb_release(&why);
	}
	cmd_record_warnings(&im->warn, file, recno, off, im->nown_warn, own_warning, im);
}

/* Warning i of a record read ahead (readahead.h keeps them one after
 * the other, each NUL-terminated). */
static const char *item_warning(const void *item, size_t i)
{
	return nth_string(((const struct ra_item *)item)->warn.buf, i);
}

static void report(struct imp *im, const char *file, long recno, long long off, int action,
                   const char *id, const char *reason)
{
	im->run[action]++;
	switch (action) {
	case A_ADDED: im->total.added++; break;
	case A_REPLACED: im->total.replaced++; break;
	case A_MERGED: im->total.merged++; break;
	case A_SKIPPED: im->total.skipped++; break;
	default: im->total.rejected++; break;
	}
	if (action == A_REJECTED && !im->quiet && im->warn.unpacked)
		fprintf(stderr, _("bienmuc: import: %s: record %ld (byte %lld of the unpacked data): "
		        "%s\n"), file, recno, off, reason ? reason : _("rejected"));
	else if (action == A_REJECTED && !im->quiet)
		fprintf(stderr, _("bienmuc: import: %s: record %ld (byte %lld): %s\n"), file, recno, off,
		        reason ? reason : _("rejected"));
	if (!im->report)
		return;
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\"file\":");
	cli_json_str(&sb, file);
	sb_addf(&sb, ",\"record\":%ld,\"offset\":%lld,\"action\":\"%s\",\"id\":", recno, off,
	        action_name[action]);
	if (id)
		cli_json_str(&sb, id);
	else
		sb_adds(&sb, "null");
	sb_adds(&sb, ",\"reason\":");
	cli_json_str(&sb, reason ? reason : "");
	size_t nr = im->cur ? im->cur->nwarn : 0;
	if (nr + im->nown_warn) {
		sb_adds(&sb, ",\"warnings\":[");
		for (size_t i = 0; i < nr + im->nown_warn; i++) {
			if (i)
				sb_addc(&sb, ',');
			cli_json_str(&sb, i < nr ? item_warning(im->cur, i) : own_warning(im, i - nr));
		}
		sb_addc(&sb, ']');
	}
	if (im->dry)
		sb_adds(&sb, ",\"dry_run\":true");
	sb_adds(&sb, "}\n");
	fwrite(sb.buf, 1, sb.len, im->report);
	sb_release(&sb);
}

static void show_progress(struct imp *im, int final)
{
	if (!im->progress)
		return;
	double t = now();
	if (!final && t - im->last_shown < 0.5)
		return;
	im->last_shown = t;
	double el = t - im->t0;
	double rate = el > 0 ? (im->nread - im->fread0) / el : 0;
	fprintf(stderr, "\r%s: %ld records, %.0f/s", im->fname, im->nread, rate);
	if (im->fsize > 0 && im->fpos > 0 && !final) {
		double frac = (double)im->fpos / (double)im->fsize;
		double eta = frac > 0 ? el / frac - el : 0;
		fprintf(stderr, ", %.0f%%, %d:%02d left   ", 100 * frac, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "                    ");
	}
	if (final)
		fputc('\n', stderr);
}

/* ---- one record ---- */

/* auth_status_name() in the interface language, for the warnings people
 * read on stderr; auth_status_name() itself stays English (machine-readable
 * output such as `auth link`'s report uses it). A status added later
 * falls back to its English name. */
static const char *status_word(int st)
{
	switch (st) {
	case AS_AUTHORIZED: return _("authorized");
	case AS_SEEFROM: return _("see-from");
	case AS_AMBIGUOUS: return _("ambiguous");
	case AS_NEAR_TONES: return _("near-miss (tones/đ/case)");
	case AS_NEAR_DATES: return _("near-miss (dates)");
	case AS_NONE: return _("no authority");
	}
	return auth_status_name(st);
}

/* --link-authorities: link r's headings before it is saved; near misses
 * and ambiguous headings are reported, never linked. */
static void link_headings(struct imp *im, rec *r, const char *file, long recno)
{
	struct auth_linkres res = { 0 };
	strbuf err = STRBUF_INIT;
	if (auth_link_record(im->linker, r, 1, &res, &err)) {
		cmd_warn(CMD_NAME, _("%s: record %ld: authority links: %s"), file, recno, err.buf);
	} else {
		for (size_t i = 0; i < res.n; i++) {
			const struct auth_finding *x = &res.v[i];
			im->links[x->status]++;
			if (x->status == AS_SEEFROM && x->changed)
				im->flipped++;
			if (!im->quiet && (x->status == AS_AMBIGUOUS || x->status == AS_NEAR_TONES ||
			                   x->status == AS_NEAR_DATES))
				cmd_warn(CMD_NAME, _("%s: record %ld: %s '%s': %s, not linked (%s)"), file, recno,
				         x->tag, x->heading, status_word(x->status),
				         x->candidates ? x->candidates : "");
		}
	}
	auth_linkres_release(&res);
	sb_release(&err);
}

/* r carries one of this catalogue's numbers (001 with our 003) but did
 * not match the record of that number (catalog_match found it to be
 * another book): say so once per file, since a whole file of them means
 * another catalogue uses our organisation code. */
static int own_number_elsewhere(struct imp *im, const rec *r, char **ids, size_t n,
                                const char *file, long recno)
{
	const char *id = rec_get_control(r, "001"), *org = rec_get_control(r, "003");
	if (!(im->mask & CAT_MK_001) || !id || !*id || !org || !im->org || strcmp(org, im->org))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return 0;
	rec *cur = rec_create();
	strbuf e = STRBUF_INIT;
	int there = catalog_fetch(im->c, id, cur, NULL, &e) == CAT_OK;
	sb_release(&e);
	rec_destroy(cur);
	if (!there)
		return 0;
	im->foreign_own++;
	if (im->foreign_own == 1 && !im->quiet)
		cmd_warn(CMD_NAME, _("%s: record %ld: its 001 %s with 003 %s is this catalogue's number "
		                     "for another book (the title or ISBN differs): not matched to %s; "
		                     "if another catalogue uses the organisation code %s too, give "
		                     "each its own (bienmuc config org_code CODE)"),
		         file, recno, id, org, id, org);
	return 1;
}

/* A skipped record's copies (its item fields: books that came with it)
 * go to the catalogue record it duplicates, and the report says so;
 * those already id's were left out by copies_import_take. */
static int skipped_copies(struct imp *im, const char *id, struct copy *cps, size_t ncps,
                          strbuf *why, const char *file, long recno)
{
	if (!ncps)
		return 0;
	if (copies_import_add(im->c, id, NULL, im->batch, cps, ncps, &im->err)) {
		cmd_error(CMD_NAME, _("%s: record %ld: %s"), file, recno, im->err.buf);
		return -1;
	}
	sb_addf(why, "; %zu %s added to %s", ncps, ncps == 1 ? "copy" : "copies", id);
	return 0;
}

/* copies: the item fields the reading thread took out of a record
 * (take_items), before it prepared the record's index work: taken on
 * this thread instead, they changed the record and that work was done
 * again. The checks that need the catalogue are process()'s. */
struct took_items {
	struct copy *cps;
	size_t n;
};

/* Will process() take r's item fields? */
static int takes_items(const struct imp *im, const rec *r)
{
	return im->items[0] && !im->only_auth && !auth_is_authority(r);   /* no copies there */
}

static void take_items(void *arg, rec *r, void **took)
{
	const struct imp *im = arg;
	if (!takes_items(im, r))
		return;
	struct took_items *t = xcalloc(1, sizeof *t);
	copies_import_extract(im->items, r, &t->cps, &t->n);
	*took = t;
}

static void drop_items(void *arg, void *took)
{
	(void)arg;
	struct took_items *t = took;
	copies_free(t->cps, t->n);
	free(t);
}

/* took: the reading thread's take_items (NULL: none: taken here) */
static int process(struct imp *im, rec *r, const void *prep, void *took, const char *file,
                   long recno, long long off)
{
	char **ids = NULL;
	size_t n = 0;
	strbuf why = STRBUF_INIT;
	int rc = 0, st;
	sb_reset(&im->err);
	if (im->mask && catalog_match_prep(im->c, r, prep, im->mask, &ids, &n, &im->err) != CAT_OK) {
		cmd_error(CMD_NAME, "%s", im->err.buf);
		return -1;
	}
	/* copies: item fields become copies; an accession number used by
	 * another record rejects (one of the matched record's is its copy) */
	struct copy *cps = NULL;
	size_t ncps = 0;
	const char *own = n && im->on_match != ON_NEW ? ids[0] : NULL;
	struct took_items *t = took;
	if (t) {                            /* they are this function's now */
		cps = t->cps;
		ncps = t->n;
		t->cps = NULL;
		t->n = 0;
	}
	if (takes_items(im, r) &&
	    (t ? (ncps ? copies_import_check(im->c, own, &cps, &ncps, &why) : 0) :
	         copies_import_take(im->c, im->items, r, own, &cps, &ncps, &why)) < 0) {
		report(im, file, recno, off, A_REJECTED, NULL, why.buf);
		copies_free(cps, ncps);
		cat_ids_free(ids, n);
		sb_release(&why);
		return 0;
	}
	price_warnings(im, cps, ncps, file, recno, off);
	const char *org = im->org;
	if (own_number_elsewhere(im, r, ids, n, file, recno))
		sb_addf(&why, "001 %s is another book's number here", rec_get_control(r, "001"));
	if (im->linker && !auth_is_authority(r))
		link_headings(im, r, file, recno);
	else if (im->linker && !im->dry)
		auth_linker_flush(im->linker);      /* an authority: later records may use it */
	if (!n || im->on_match == ON_NEW) {
		if (n)
			sb_addf(&why, "%smatches %s%s; added anyway (--on-match new)", why.len ? "; " : "",
			        ids[0], n > 1 ? " and others" : "");
		struct cat_save_opts so = { .action = "import", .batch = im->batch, .prep = prep };
		st = catalog_save(im->c, r, CAT_NEW, &so, NULL, &im->err);
		if (!st && ncps)                                   /* copies */
			st = copies_import_add(im->c, rec_get_control(r, "001"), r, im->batch, cps, ncps,
			                       &im->err);
		if (st) {
			cmd_error(CMD_NAME, _("%s: record %ld: %s"), file, recno, im->err.buf);
			rc = -1;
		} else {
			report(im, file, recno, off, A_ADDED, rec_get_control(r, "001"), why.buf);
		}
	} else if (im->on_match == ON_SKIP) {
		sb_addf(&why, "%sduplicate of %s%s", why.len ? "; " : "", ids[0],
		        n > 1 ? " (and others)" : "");
		if (skipped_copies(im, ids[0], cps, ncps, &why, file, recno))
			rc = -1;
		else
			report(im, file, recno, off, A_SKIPPED, ids[0], why.buf);
	} else {
		rec *old = rec_create();
		struct cat_version v = { 0 };
		st = catalog_fetch(im->c, ids[0], old, &v, &im->err);
		if (!st) {
			/* the record as it would be saved is what is compared: the
			 * catalogue's copy has the 035 a foreign 001 became, and
			 * merge keeps its 035s */
			keep_foreign_id(r, org);
			if (im->on_match == ON_MERGE)
				merge_into(im, r, old);
		}
		if (st) {
			cmd_error(CMD_NAME, "%s", im->err.buf);
			rc = -1;
		} else if (!im->force && less_full(im, r, old, &why)) {
			strbuf w2 = STRBUF_INIT;
			sb_addf(&w2, "matches %s but is less full: %s (--force to %s anyway)", ids[0],
			        why.buf, im->on_match == ON_MERGE ? "merge" : "replace");
			if (skipped_copies(im, ids[0], cps, ncps, &w2, file, recno))
				rc = -1;
			else
				report(im, file, recno, off, A_SKIPPED, ids[0], w2.buf);
			sb_release(&w2);
		} else {
			set_001(r, ids[0]);
			/* nothing would change: no new version to journal (nor for
			 * batch undo to take back); the record counts as skipped */
			int same = same_as_saved(r, old, org);
			struct cat_save_opts so = { .action = im->on_match == ON_MERGE ? "merge" : "replace",
			                            .batch = im->batch };
			if (!same)
				st = catalog_save(im->c, r, v.version, &so, NULL, &im->err);
			if (!st && ncps)                               /* copies */
				st = copies_import_add(im->c, ids[0], same ? NULL : r, im->batch, cps, ncps,
				                       &im->err);
			if (st) {
				cmd_error(CMD_NAME, _("%s: record %ld: %s"), file, recno, im->err.buf);
				rc = -1;
			} else if (same) {
				sb_reset(&why);
				sb_addf(&why, "identical to %s", ids[0]);
				report(im, file, recno, off, A_SKIPPED, ids[0], why.buf);
			} else {
				sb_reset(&why);
				if (n > 1)
					sb_addf(&why, "also matches %s", ids[1]);
				report(im, file, recno, off, im->on_match == ON_MERGE ? A_MERGED : A_REPLACED,
				       ids[0], why.buf);
			}
		}
		cat_version_clear(&v);
		rec_destroy(old);
	}
	cat_ids_free(ids, n);
	copies_free(cps, ncps);                                /* copies */
	sb_release(&why);
	return rc;
}

/* Append a rejected record's raw bytes to the rejects file (opened on the
 * first reject; not in a dry run). A file that cannot be written stops
 * the import (im->fatal): its uncommitted records, this one included,
 * are read again when the same command is run again. */
static void save_reject(struct imp *im, const char *raw, size_t len)
{
	if (im->dry || !im->rejects_name)
		return;
	if (!im->rejects && !(im->rejects = cmd_fopen_out(im->rejects_name, "ab"))) {
		cmd_error(CMD_NAME, _("cannot write the rejects file '%s': %s"), im->rejects_name,
		          cmd_output_strerror(errno));
		im->fatal = 1;
		return;
	}
	if (fwrite(raw, 1, len, im->rejects) != len || fflush(im->rejects)) {
		cmd_error(CMD_NAME, _("cannot write the rejects file '%s': %s"), im->rejects_name,
		          strerror(errno));
		im->fatal = 1;
	}
	im->nsaved++;
}

static void reject(struct imp *im, const struct ra_item *it, const char *file, long recno,
                   long long off)
{
	save_reject(im, it->raw.buf, it->raw.len);
	report(im, file, recno, off, A_REJECTED, NULL, it->error.buf);
}

/* ---- files ---- */

/* "size:fnv64 of the first MiB:options": the same bytes imported the
 * same way give the same key under any name or time stamp (the options
 * that change the outcome are part of it, so importing the same file
 * again with, say, --on-match replace is a new import, not a resume).
 * NULL for stdin / unreadable. */
static char *file_key(const struct imp *im, FILE *fp, long long *size)
{
	struct stat sb;
	if (fstat(fileno(fp), &sb) || !S_ISREG(sb.st_mode))
		return NULL;
	*size = (long long)sb.st_size;
	uint64_t h = 1469598103934665603ULL;
	unsigned char buf[65536];
	size_t got, total = 0;
	while (total < (1u << 20) && (got = fread(buf, 1, sizeof buf, fp)) > 0) {
		for (size_t i = 0; i < got; i++) {
			h ^= buf[i];
			h *= 1099511628211ULL;
		}
		total += got;
	}
	rewind(fp);
	strbuf k = STRBUF_INIT;
	sb_addf(&k, "%lld:%016llx:m%x:o%d:f%d:c%d:p", (long long)sb.st_size, (unsigned long long)h,
	        (unsigned)im->mask, im->on_match, im->force, im->ropts.from_charset);
	for (size_t i = 0; i < im->protect.n; i++)
		sb_addf(&k, "%s%s", i ? "," : "", im->protect.v[i]);
	if (im->only_auth)                  /* `auth import` is another kind of run */
		sb_adds(&k, ":auth");
	return sb_detach(&k, NULL);
}

/* How many records of format fmt (MF_AUTO: detected) buf[0..n) holds:
 * record terminators, <record> elements, =LDR lines or "leader" members. */
static long count_records(const char *buf, size_t n, int fmt)
{
	if (fmt == MF_AUTO)
		fmt = marc_format_detect(buf, n);
	long c = 0;
	for (size_t i = 0; i < n; i++) {
		switch (fmt) {
		case MF_MARCXML:
			if (buf[i] == '<' && i + 1 < n && buf[i + 1] != '/') {
				size_t j = i + 1;
				while (j < n && buf[j] != '>' && buf[j] != '/' && buf[j] != ' ' &&
				       buf[j] != '\t' && buf[j] != '\r' && buf[j] != '\n')
					j++;
				if (j - i - 1 >= 6 && !memcmp(buf + j - 6, "record", 6) &&
				    (j - i - 1 == 6 || buf[j - 7] == ':'))
					c++;
			}
			break;
		case MF_MRK:
			if (buf[i] == '=' && (!i || buf[i - 1] == '\n') && i + 4 <= n &&
			    !memcmp(buf + i + 1, "LDR", 3))
				c++;
			break;
		case MF_JSON:
			if (buf[i] == '"' && i + 8 <= n && !memcmp(buf + i, "\"leader\"", 8))
				c++;
			break;
		default:
			c += buf[i] == 0x1D;
		}
	}
	return c;
}

/* About how many records the input files hold, for --bulk auto: the
 * records in the first 256 KiB of each file, scaled to its size (a file
 * of no whole record there counts as 1 KB a record). Standard input and
 * other non-files count 0, and so does a file this import will skip as
 * already imported (see import_file). */
static long expected_records(const struct imp *im, char **files, int n)
{
	enum { SAMPLE = 256 * 1024 };
	char *buf = xmalloc(SAMPLE);
	long long total = 0;
	for (int i = 0; i < n; i++) {
		struct stat sb;
		if (!strcmp(files[i], "-") || stat(files[i], &sb) || !S_ISREG(sb.st_mode))
			continue;
		FILE *fp = fopen(files[i], "rb");
		if (!fp)
			continue;
		if (!im->again) {
			long long size = 0, off = 0;
			long b = 0, recno = 0;
			int done = 0;
			char *key = file_key(im, fp, &size);
			strbuf e = STRBUF_INIT;
			int skip = key && catalog_batch_resume(im->c, key, &b, &recno, &off, &done, &e) ==
			                  CAT_OK && done;
			sb_release(&e);
			free(key);
			if (skip) {
				fclose(fp);
				continue;
			}
		}
		long long fsize = (long long)sb.st_size;
		int packing;
		FILE *in = input_unpack(fp, files[i], &packing, &fsize, NULL);
		if (!in) {
			fclose(fp);
			continue;
		}
		size_t got = fread(buf, 1, SAMPLE, in);
		fclose(in);
		long c = count_records(buf, got, im->ropts.format);
		if (fsize < 0)
			fsize = (long long)sb.st_size * 5;       /* a gzip file without its size */
		if ((long long)got == fsize)
			total += c;
		else if (c > 0)
			total += (long long)((double)c * (double)fsize / (double)got);
		else
			total += fsize / 1000;
	}
	free(buf);
	return total > LONG_MAX ? LONG_MAX : (long)total;
}

/* How far the batch-to-be of each input got: its batch (0: none), the
 * records committed, whether it is done. */
static void input_progress(struct imp *im, char **files, int n, long *fb, long *upto, int *fdone)
{
	for (int i = 0; i < n; i++) {
		fb[i] = upto[i] = fdone[i] = 0;
		struct stat sb;             /* only files can be resumed (file_key) */
		if (!strcmp(files[i], "-") || stat(files[i], &sb) || !S_ISREG(sb.st_mode))
			continue;
		FILE *fp = fopen(files[i], "rb");
		if (!fp)
			continue;
		long long size = 0, off = 0;
		char *key = file_key(im, fp, &size);
		fclose(fp);
		strbuf e = STRBUF_INIT;
		if (!key || catalog_batch_resume(im->c, key, &fb[i], &upto[i], &off, &fdone[i], &e) !=
		            CAT_OK)
			fb[i] = upto[i] = fdone[i] = 0;
		sb_release(&e);
		free(key);
	}
}

/* The batch this run continues (0: a new one): that of the first input
 * an interrupted run left unfinished, or, when it was stopped between
 * two inputs (or before it could say it had finished), that of an input
 * it finished, if that batch is still running under this very command. */
static long continued_batch(struct imp *im, char **files, int n)
{
	long batch = 0, *fb = xcalloc((size_t)n + 1, sizeof *fb);
	long *upto = xcalloc((size_t)n + 1, sizeof *upto);
	int *fdone = xcalloc((size_t)n + 1, sizeof *fdone);
	input_progress(im, files, n, fb, upto, fdone);
	for (int i = 0; i < n && !batch; i++)
		if (fb[i] && !fdone[i])
			batch = fb[i];
	for (int i = 0; i < n && !batch; i++) {
		struct cat_batch cb;
		strbuf e = STRBUF_INIT;
		if (fb[i] && catalog_batch_get(im->c, fb[i], &cb, &e) == CAT_OK) {
			if (cb.state && !strcmp(cb.state, "running") && cb.command &&
			    !strcmp(cb.command, im->cmdline.buf))
				batch = fb[i];
			free(cb.user);
			free(cb.command);
			free(cb.state);
		}
		sb_release(&e);
	}
	free(fb);
	free(upto);
	free(fdone);
	return batch;
}

/* The --report of a run that continues an interrupted one (the same
 * command again) keeps the lines of the records the interrupted run
 * committed, so that it ends up as an uninterrupted run's would; the
 * lines of records that are read again are dropped. Otherwise it starts
 * empty. NULL (errno set) when it cannot be written. */
static FILE *open_report(struct imp *im, char **files, int n)
{
	long batch = im->dry ? 0 : im->continued, *fb = xcalloc((size_t)n + 1, sizeof *fb);
	long *upto = xcalloc((size_t)n + 1, sizeof *upto);
	int *fdone = xcalloc((size_t)n + 1, sizeof *fdone);
	if (batch)
		input_progress(im, files, n, fb, upto, fdone);
	FILE *out = NULL;
	strbuf old = STRBUF_INIT;
	struct stat sb;             /* (not a terminal or pipe: nothing to keep there) */
	FILE *in = batch && !stat(im->report_name, &sb) && S_ISREG(sb.st_mode) ?
	           fopen(im->report_name, "rb") : NULL;
	if (in) {
		char buf[65536];
		size_t got;
		while ((got = fread(buf, 1, sizeof buf, in)) > 0)
			sb_add(&old, buf, got);
		fclose(in);
	}
	if (!(out = cmd_fopen_out(im->report_name, "w")) || !old.len)
		goto done;
	/* a line is kept when it is whole and its file's progress in the
	 * batch continued covers its record */
	strbuf pre = STRBUF_INIT;
	for (const char *l = old.buf, *end = old.buf + old.len; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		if (!nl)
			break;
		for (int i = 0; i < n; i++) {
			if (fb[i] != batch)
				continue;
			sb_reset(&pre);
			sb_adds(&pre, "{\"file\":");
			cli_json_str(&pre, files[i]);
			sb_adds(&pre, ",\"record\":");
			if ((size_t)(nl - l) > pre.len && !memcmp(l, pre.buf, pre.len)) {
				long r = strtol(l + pre.len, NULL, 10);
				if (fdone[i] || r <= upto[i])
					fwrite(l, 1, (size_t)(nl - l) + 1, out);
				break;
			}
		}
		l = nl + 1;
	}
	sb_release(&pre);
done:
	sb_release(&old);
	free(fb);
	free(upto);
	free(fdone);
	return out;
}

static int checkpoint(struct imp *im, const char *key, long recno, long long off, int done)
{
	if (im->dry)
		return 0;
	sb_reset(&im->err);
	/* the report's lines are out before their records commit: after a
	 * kill, the run that continues keeps those it needs (open_report) */
	if (im->report)
		fflush(im->report);
	/* standard input cannot be resumed, but the batch's counts are kept
	 * all the same (under a key no file has) */
	if (catalog_batch_progress(im->c, im->batch, key ? key : "stdin", recno, off, done,
	                           &im->total, &im->err)) {
		cmd_error(CMD_NAME, "%s", im->err.buf);
		return -1;
	}
	if (catalog_commit(im->c, &im->err)) {
		cmd_error(CMD_NAME, "%s", im->err.buf);
		return -1;
	}
	memcpy(im->kept, im->run, sizeof im->kept);
	im->nkept = im->nread;
	if (catalog_begin(im->c, &im->err)) {
		cmd_error(CMD_NAME, "%s", im->err.buf);
		return -1;
	}
	im->last_commit = now();
	return 0;
}

/* Whether batch b is in the catalogue. */
static int batch_exists(struct imp *im, long b)
{
	struct cat_batch cb;
	strbuf e = STRBUF_INIT;
	int ok = catalog_batch_get(im->c, b, &cb, &e) == CAT_OK;
	if (ok) {
		free(cb.user);
		free(cb.command);
		free(cb.state);
	}
	sb_release(&e);
	return ok;
}

/* While the next record is slow to come (a pipe that pauses), commit as
 * soon as another program waits to write (commit_due): the import's
 * transaction is open (records or not), and the other program waited
 * for the input, giving up after 30 s ('the catalogue is busy'). Not
 * before the records a resumed run skips (its progress would go back).
 * 0, or -1 when the commit failed. */
static int idle_commit(struct imp *im, readahead *ra, const char *key, long recno,
                       long long off, long skip, long *pending)
{
	while (recno >= skip && !readahead_ready(ra, 0.05))
		if (commit_due(im)) {
			if (checkpoint(im, key, recno, off, 0)) {
				im->fatal = 1;
				return -1;
			}
			*pending = 0;
		}
	return 0;
}

static int import_file(struct imp *im, const char *path)
{
	int is_stdin = !strcmp(path, "-");
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		cmd_error(CMD_NAME, _("cannot read '%s': %s"), path, strerror(errno));
		return -1;
	}
	long long size = 0;
	char *key = is_stdin ? NULL : file_key(im, fp, &size);
	/* a gzip file is read through zlib (its key is the compressed file's);
	 * a ZIP archive and the like are refused before any batch is made */
	int packing = IN_PLAIN;
	long long usize = -1;
	{
		strbuf why = STRBUF_INIT;
		FILE *in = input_unpack(fp, path, &packing, &usize, &why);
		if (!in) {
			cmd_error(CMD_NAME, "%s", why.buf);
			sb_release(&why);
			free(key);
			if (!is_stdin)
				fclose(fp);
			return -1;
		}
		if (in != fp) {
			fp = in;
			is_stdin = 0;                   /* the stream is ours to close */
			if (usize > 0)
				size = usize;
		}
	}
	long skip = 0;
	long long seek = 0;
	if (key) {            /* a dry run too: it shows what the real one will do */
		long b = 0, recno = 0;
		long long off = 0;
		int done = 0;
		sb_reset(&im->err);
		if (catalog_batch_resume(im->c, key, &b, &recno, &off, &done, &im->err) == CAT_OK) {
			if (done && (!im->again || b == im->continued)) {
				if (!im->quiet)
					fprintf(stderr, _("bienmuc: import: %s: already imported in batch %ld; "
					        "skipped (--again to import it again)\n"), path, b);
				free(key);
				fclose(fp);
				return 0;
			}
			if (!done && (im->batch == 0 || im->batch == b)) {
				struct cat_batch cb;
				if (catalog_batch_get(im->c, b, &cb, &im->err) == CAT_OK) {
					im->batch = b;
					im->total.added = cb.added;
					im->total.replaced = cb.replaced;
					im->total.merged = cb.merged;
					im->total.skipped = cb.skipped;
					im->total.rejected = cb.rejected;
					free(cb.user);
					free(cb.command);
					free(cb.state);
					skip = recno;
					seek = off;
					if (!im->quiet)
						fprintf(stderr, _("bienmuc: import: %s: continuing batch %ld after "
						        "record %ld\n"), path, b, recno);
				}
			}
		}
	}
	/* find the format once from the start, then seek for ISO 2709 */
	struct marc_read_opts ro = im->ropts;
	long long base = 0;
	long recbase = 0;
	strbuf err = STRBUF_INIT;
	if (skip > 0 && seek > 0) {
		marc_reader *probe = marc_reader_open(fp, path, &ro, &err);
		if (probe) {
			ro.format = marc_reader_format(probe);
			marc_reader_close(probe);
		}
		if (ro.format == MF_ISO2709 && fseeko(fp, (off_t)seek, SEEK_SET) == 0) {
			base = seek;
			recbase = skip;
			skip = 0;
		} else {
			rewind(fp);
		}
	}
	marc_reader *rd = marc_reader_open(fp, path, &ro, &err);
	if (!rd) {
		cmd_error(CMD_NAME, "%s: %s", path, err.buf ? err.buf : _("cannot read"));
		sb_release(&err);
		free(key);
		if (!is_stdin)
			fclose(fp);
		return -1;
	}
	/* the batch once the input is known to be readable (compressed data
	 * down a pipe is refused above, with no batch) */
	if (!im->batch && !im->dry) {
		sb_reset(&im->err);
		/* the batch row comes with the first commit of its records (within
		 * a second): an import killed before that leaves no empty
		 * "running" batch behind */
		if (catalog_batch_start(im->c, im->cmdline.buf, &im->batch, &im->err)) {
			cmd_error(CMD_NAME, "%s", im->err.buf);
			marc_reader_close(rd);
			sb_release(&err);
			free(key);
			if (!is_stdin)
				fclose(fp);
			return -1;
		}
	}
	if (im->map)
		marc_reader_set_map(rd, im->map, im->org);
	im->fname = path;
	im->warn.unpacked = packing == IN_GZIP;     /* offsets in the data inside */
	im->fsize = size;
	/* records are read and prepared (sort keys, folding) a little ahead,
	 * on a second thread: see readahead.c */
	cat_preparer *prep = im->dry ? NULL : catalog_preparer_create(im->c);
	struct ra_hook hook = { take_items, drop_items, im };
	readahead *ra = readahead_start_hook(rd, prep, skip - recbase, &hook);
	const struct ra_item *it;
	long pending = 0, recno = recbase;
	long long next_off = base;
	int rc = 0;
	while (!(rc = idle_commit(im, ra, key, recno, next_off, skip, &pending)) &&
	       (it = readahead_next(ra)) != NULL) {
		rec *r = it->r;
		recno = recbase + it->recno;
		long long off = base + it->off;
		next_off = off + (long long)it->raw.len;
		if (recno <= skip)
			continue;
		im->nread++;
		im->fpos = next_off;
		im->cur = it;
		sb_reset(&im->own_warn);
		im->nown_warn = 0;
		cmd_record_warnings(&im->warn, path, recno, off, it->nwarn, item_warning, it);
		if (it->st == MR_BAD) {
			reject(im, it, path, recno, off);
		} else if (im->only_auth && !auth_is_authority(r)) {
			/* `bienmuc auth import`: the bytes go to --rejects like any reject */
			save_reject(im, it->raw.buf, it->raw.len);
			char why[80];
			snprintf(why, sizeof why, "not an authority record (Leader/06 is '%c', not 'z')",
			         rec_leader(r)[6]);
			report(im, path, recno, off, A_REJECTED, NULL, why);
		} else if (process(im, r, it->prep, it->took, path, recno, off)) {
			rc = -1;
			im->fatal = 1;
			break;
		}
		if (im->fatal) {                   /* the rejects file failed */
			rc = -1;
			break;
		}
		/* commit every batch_size records, and early when another
		 * program waits to write (commit_due) */
		if (++pending >= im->batch_size || (!(pending & 63) && commit_due(im))) {
			if (checkpoint(im, key, recno, next_off, 0)) {
				rc = -1;
				im->fatal = 1;
				break;
			}
			pending = 0;
		}
		im->cur = NULL;
		im->nown_warn = 0;
		show_progress(im, 0);
	}
	if (!rc && checkpoint(im, key, recno, next_off, 1)) {
		rc = -1;
		im->fatal = 1;
	}
	im->cur = NULL;
	show_progress(im, 1);
	readahead_stop(ra);
	if (!rc && packing == IN_GZIP && ferror(fp)) {
		/* the records before the damage are in (and committed) */
		strbuf why = STRBUF_INIT;
		input_damaged(path, &why);
		cmd_error(CMD_NAME, "%s", why.buf);
		sb_release(&why);
		rc = -1;
	}
	catalog_preparer_destroy(prep);
	marc_reader_close(rd);
	sb_release(&err);
	free(key);
	if (!is_stdin)
		fclose(fp);
	return rc;
}

/* Every input can be read and none is a directory ("-" is standard
 * input); each one that fails is named. 0 = all fine. */
static int check_inputs(char **files, int n)
{
	int bad = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(files[i], "-"))
			continue;
		struct stat sb;
		/* a pipe (mkfifo) is not opened here: a reader that comes and
		 * goes makes the writer's next bytes fail (EPIPE) and be lost */
		if (stat(files[i], &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
			if (access(files[i], R_OK)) {
				cmd_error(CMD_NAME, _("cannot read '%s': %s"), files[i], strerror(errno));
				bad = 1;
			}
			continue;
		}
		FILE *fp = fopen(files[i], "rb");
		if (!fp) {
			cmd_error(CMD_NAME, _("cannot read '%s': %s"), files[i], strerror(errno));
			bad = 1;
		} else if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			cmd_error(CMD_NAME, _("'%s' is a directory"), files[i]);
			bad = 1;
		}
		if (fp)
			fclose(fp);
	}
	return bad;
}

/* The input (as named, '-' for standard input) that is the file at
 * path, or NULL. */
static const char *input_is(char **files, int n, const char *path)
{
	struct stat sp, sf;
	if (stat(path, &sp) != 0 || !S_ISREG(sp.st_mode))
		return NULL;
	for (int i = 0; i < n; i++) {
		int ok = !strcmp(files[i], "-") ? fstat(0, &sf) == 0 : stat(files[i], &sf) == 0;
		if (ok && sf.st_dev == sp.st_dev && sf.st_ino == sp.st_ino)
			return files[i];
	}
	return NULL;
}

/* The rejects file when --rejects is not given: next to a local
 * catalogue ("kho.db" -> "kho.db.rejects"), else rejects.mrc here. */
static char *default_rejects(const char *db)
{
	char *def = db ? NULL : catalog_default_path();
	const char *path = db ? db : def;
	strbuf sb = STRBUF_INIT;
	if (path && !strncmp(path, "sqlite:", 7))
		path += 7;
	if (path && *path && !strstr(path, "://"))
		sb_addf(&sb, "%s.rejects", path);
	else
		sb_adds(&sb, "rejects.mrc");
	free(def);
	return sb_detach(&sb, NULL);
}

/* 0 if path can be appended to (made and removed again to find out when
 * it does not exist), else an errno value. */
static int can_write(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return EISDIR;
		if (cmd_is_catalogue(path))          /* see cmd_output_strerror */
			return EEXIST;
		return access(path, W_OK) ? errno : 0;
	}
	FILE *f = fopen(path, "ab");
	if (!f)
		return errno;
	fclose(f);
	unlink(path);
	return 0;
}

static int parse_protect(struct imp *im, const char *list)
{
	mk_list_release(&im->protect);
	char *dup = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(dup, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (strlen(t) != 3) {
			cmd_error(CMD_NAME, _("--protect: '%s' is not a tag pattern like 9XX or 590"), t);
			free(dup);
			return -1;
		}
		mk_list_add(&im->protect, t);
	}
	free(dup);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct imp im;
	memset(&im, 0, sizeof im);
	im.warn.cmd = CMD_NAME;
	const char *db = NULL, *org_code = NULL, *id_prefix = NULL;
	int link_auth = 0, bulk = BULK_AUTO, suspended = 0;
	const char *items_list = "952,852";                   /* copies */
	item_map *custom[2] = { NULL, NULL };                   /* copies: --item-map */
	im.mask = CAT_MK_ALL;
	im.batch_size = 0;                     /* 0 = the default, set below */
	im.on_match = ON_SKIP;
	parse_protect(&im, "9XX,59X");
	int opt, v, rc = 0;
	strbuf err = STRBUF_INIT;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:f:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'f':
			v = marc_format_parse(optarg);
			if (v < 0) {
				cmd_error(CMD_NAME, _("unknown input format '%s'"), optarg);
				rc = 2;
				goto out;
			}
			im.ropts.format = v;
			break;
		case OPT_FROM_CS:
			v = marc_charset_parse(optarg);
			if (v < 0) {
				cmd_error(CMD_NAME, _("unknown input charset '%s'"), optarg);
				rc = 2;
				goto out;
			}
			im.ropts.from_charset = v;
			break;
		case OPT_MATCH:
			im.mask = catalog_matchkeys_parse(optarg, &err);
			if (im.mask < 0) {
				cmd_error(CMD_NAME, _("--match: %s"), err.buf);
				rc = 2;
				goto out;
			}
			break;
		case OPT_ON_MATCH:
			if (!strcmp(optarg, "skip")) im.on_match = ON_SKIP;
			else if (!strcmp(optarg, "replace")) im.on_match = ON_REPLACE;
			else if (!strcmp(optarg, "merge")) im.on_match = ON_MERGE;
			else if (!strcmp(optarg, "new")) im.on_match = ON_NEW;
			else {
				cmd_error(CMD_NAME, _("--on-match: '%s' (skip, replace, merge, new)"), optarg);
				rc = 2;
				goto out;
			}
			break;
		case OPT_PROTECT:
			if (parse_protect(&im, optarg)) {
				rc = 2;
				goto out;
			}
			break;
		case OPT_FORCE: im.force = 1; break;
		case OPT_DRY: im.dry = 1; break;
		case OPT_REJECTS: im.rejects_name = optarg; break;
		case OPT_REPORT: im.report_name = optarg; break;
		case OPT_BATCH_SIZE: {
			char *e;
			im.batch_size = strtol(optarg, &e, 10);
			if (*e || im.batch_size < 1) {
				cmd_error(CMD_NAME, _("--batch-size needs a positive number"));
				rc = 2;
				goto out;
			}
			break;
		}
		case OPT_AGAIN: im.again = 1; break;
		case OPT_BULK:
			if (!strcmp(optarg, "auto")) bulk = BULK_AUTO;
			else if (!strcmp(optarg, "on")) bulk = BULK_ON;
			else if (!strcmp(optarg, "off")) bulk = BULK_OFF;
			else {
				cmd_error(CMD_NAME, _("--bulk: '%s' (auto, on, off)"), optarg);
				rc = 2;
				goto out;
			}
			break;
		case OPT_LINK_AUTH: link_auth = 1; break;
		case OPT_ONLY_AUTH: im.only_auth = 1; break;
		case OPT_ORG: org_code = optarg; break;
		case OPT_MAP:
			isismap_destroy(im.map);
			sb_reset(&err);
			im.map = isismap_load(optarg, &err);
			if (!im.map) {
				cmd_error(CMD_NAME, "%s", err.buf);
				rc = 2;
				goto out;
			}
			im.ropts.raw = 1;
			break;
		case OPT_PREFIX: id_prefix = optarg; break;
		case OPT_ITEMS: items_list = optarg; break;           /* copies */
		case OPT_ITEM_MAP: {                                   /* copies */
			sb_reset(&err);
			item_map *m = item_map_load(optarg, &err);
			if (!m || custom[1]) {
				cmd_error(CMD_NAME, _("--item-map: %s"), m ? "at most two maps" : err.buf);
				item_map_destroy(m);
				rc = 2;
				goto out;
			}
			custom[custom[0] ? 1 : 0] = m;
			break;
		}
		case 'q': im.quiet = im.warn.quiet = 1; break;
		case 'h': fputs(_(usage_text), stdout); goto out;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			rc = 2;
			goto out;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc import --help'"), argv[optind - 1]);
			rc = 2;
			goto out;
		}
	}
	/* copies: the item field maps, in --items order */
	if (strcmp(items_list, "none")) {
		char *dup = xstrdup(items_list), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(dup, ", ", &save); t && k < 2; t = strtok_r(NULL, ", ", &save)) {
			for (int j = 0; j < 2; j++)
				if (custom[j] && !strcmp(item_map_tag(custom[j]), t)) {
					im.items[k++] = custom[j];
					custom[j] = NULL;
					t = NULL;
					break;
				}
			if (t) {
				sb_reset(&err);
				if (!(im.items[k++] = item_map_default(t, &err))) {
					cmd_error(CMD_NAME, _("--items: %s"), err.buf);
					free(dup);
					rc = 2;
					goto out;
				}
			}
		}
		free(dup);
	}
	if (optind >= argc && !org_code && !id_prefix) {
		cmd_error(CMD_NAME, _("no input files; see 'bienmuc import --help'"));
		rc = 2;
		goto out;
	}
	/* every input readable, and the rejects file writable, before anything
	 * is imported */
	if (check_inputs(argv + optind, argc - optind)) {
		rc = 2;
		goto out;
	}
	if (!im.dry && optind < argc) {
		/* the default goes next to the catalogue, whose folder may not
		 * be there yet: made at the first reject */
		int e = im.rejects_name ? can_write(im.rejects_name) : 0;
		if (!im.rejects_name)
			im.rejects_name = im.rejects_alloc = default_rejects(db);
		if (e) {
			cmd_error(CMD_NAME, _("cannot write the rejects file '%s': %s"), im.rejects_name,
			          cmd_output_strerror(e));
			rc = 2;
			goto out;
		}
		/* rejects appended to an input would be read again (importing
		 * last run's kho.db.rejects), and the input changed */
		const char *clash = input_is(argv + optind, argc - optind, im.rejects_name);
		if (clash) {
			cmd_error(CMD_NAME, _("'%s' is both input and the rejects file; name another "
			                      "with --rejects"), clash);
			rc = 2;
			goto out;
		}
	}
	sb_adds(&im.cmdline, "bienmuc");
	for (int i = 0; i < argc; i++)
		sb_addf(&im.cmdline, " %s", argv[i]);
	im.c = cli_open(CMD_NAME, db, CAT_OPEN_CREATE);
	if (!im.c) {
		rc = 2;
		goto out;
	}
	const char *names[2] = { "org_code", "id_prefix" }, *vals[2] = { org_code, id_prefix };
	for (int i = 0; i < 2; i++) {
		if (!vals[i])
			continue;
		sb_reset(&err);
		if (catalog_set_setting(im.c, names[i], vals[i], &err)) {
			cmd_error(CMD_NAME, "%s", err.buf);
			rc = 2;
			goto out;
		}
	}
	if (optind >= argc)
		goto out;
	/* an interrupted run continues its batch (the counts so far too) */
	im.continued = continued_batch(&im, argv + optind, argc - optind);
	if (im.continued) {
		struct cat_batch cb;
		sb_reset(&err);
		if (catalog_batch_get(im.c, im.continued, &cb, &err) == CAT_OK) {
			im.batch = im.continued;
			im.total.added = cb.added;
			im.total.replaced = cb.replaced;
			im.total.merged = cb.merged;
			im.total.skipped = cb.skipped;
			im.total.rejected = cb.rejected;
			free(cb.user);
			free(cb.command);
			free(cb.state);
		}
	}
	if (im.report_name && !strcmp(im.report_name, "-"))
		im.report = stdout;
	else if (im.report_name && !(im.report = open_report(&im, argv + optind, argc - optind))) {
		cmd_error(CMD_NAME, _("cannot write '%s': %s"), im.report_name, cmd_output_strerror(errno));
		rc = 2;
		goto out;
	}
	im.org = catalog_get_setting(im.c, "org_code");
	if (link_auth)
		im.linker = auth_linker_create(im.c);
	im.progress = !im.quiet && isatty(2);
	im.t0 = im.last_commit = now();
	if (!im.dry && bulk != BULK_OFF) {
		long expected = bulk == BULK_ON ? -1 : expected_records(&im, argv + optind, argc - optind);
		if (catalog_bulk_begin(im.c, expected, &suspended, &err)) {
			cmd_error(CMD_NAME, "%s", err.buf);
			rc = 2;
			goto out;
		}
		if (suspended && !im.quiet)
			fprintf(stderr, _("bienmuc: import: the title and author sort indexes, and the "
			                  "browse headings of the records added, are built once at the "
			                  "end (--bulk)\n"));
	}
	/* a bulk load commits less often (still early for a waiting writer):
	 * 4-6% faster, 5-10 MB more memory */
	if (!im.batch_size)
		im.batch_size = suspended ? 30000 : 10000;
	if (catalog_begin(im.c, &err)) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = 2;
		goto out;
	}
	for (int i = optind; i < argc && !im.fatal; i++)
		if (import_file(&im, argv[i]))
			rc = 2;
	if (im.dry || im.fatal)
		catalog_abort(im.c);
	else if (catalog_commit(im.c, &err)) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = 2;
	}
	if (im.batch && !im.fatal && !im.dry)
		catalog_batch_finish(im.c, im.batch, "done", NULL);
	/* the sort indexes back (if this import dropped them): part of its time */
	sb_reset(&err);
	if (suspended && im.progress)
		fprintf(stderr, _("bienmuc: import: building the title and author sort indexes\n"));
	if (catalog_bulk_end(im.c, &err)) {
		cmd_error(CMD_NAME, "%s", err.buf);
		rc = 2;
	}
	double el = now() - im.t0;
	if (im.fatal && !im.dry && im.nread > im.nkept) {
		/* what the summary counts is what the catalogue holds */
		long lost = im.nread - im.nkept;
		fprintf(stderr, ngettext("bienmuc: import: the %ld record read after the last commit "
		                         "was not saved\n",
		                         "bienmuc: import: the %ld records read after the last commit "
		                         "were not saved\n", (unsigned long)lost), lost);
		memcpy(im.run, im.kept, sizeof im.run);
		im.nread = im.nkept;
	}
	if (!im.quiet || im.run[A_REJECTED] || rc)
		fprintf(stderr, _("bienmuc: import: %ld records: %ld added, %ld replaced, %ld merged, "
		        "%ld skipped, %ld rejected%s%s; %.1f s (%.0f records/s)\n"), im.nread,
		        im.run[A_ADDED], im.run[A_REPLACED], im.run[A_MERGED], im.run[A_SKIPPED],
		        im.run[A_REJECTED], im.dry ? _(" (dry run: nothing saved)") : "",
		        im.fatal ? _(" (stopped; run the same command again to continue)") : "",
		        el, el > 0 ? im.nread / el : 0.0);
	cmd_record_warnings_end(&im.warn);
	/* (a batch is saved with its first records: one whose first commit
	 * failed does not exist) */
	if (im.batch && !im.quiet && !im.dry && batch_exists(&im, im.batch))
		fprintf(stderr, _("bienmuc: import: batch %ld (undo with: bienmuc batch undo %ld)\n"),
		        im.batch, im.batch);
	if (im.nsaved)
		fprintf(stderr, ngettext("bienmuc: import: the raw bytes of %ld rejected record were "
		                         "appended to '%s'\n",
		                         "bienmuc: import: the raw bytes of %ld rejected records were "
		                         "appended to '%s'\n", (unsigned long)im.nsaved),
		        im.nsaved, im.rejects_name);
	if (im.foreign_own > 1 && !im.quiet)
		fprintf(stderr, _("bienmuc: import: %ld records carried this catalogue's numbers for other "
		        "books and were not matched by them\n"), im.foreign_own);
	if (im.linker && !im.quiet)
		fprintf(stderr, _("bienmuc: import: headings: %ld authorized, %ld see-from (%ld replaced by "
		        "the authorised form), %ld ambiguous, %ld near misses, %ld without authority\n"),
		        im.links[AS_AUTHORIZED], im.links[AS_SEEFROM], im.flipped, im.links[AS_AMBIGUOUS],
		        im.links[AS_NEAR_TONES] + im.links[AS_NEAR_DATES], im.links[AS_NONE]);
	if (!rc && im.run[A_REJECTED])
		rc = 1;
out:
	if (im.report && cmd_fclose_out(im.report)) {   /* the records are in; the report is not whole */
		cmd_error(CMD_NAME, _("cannot write the report '%s': %s"), im.report_name, strerror(errno));
		rc = 2;
	}
	if (im.rejects && fclose(im.rejects)) {
		cmd_error(CMD_NAME, _("cannot write the rejects file '%s': %s"), im.rejects_name,
		          strerror(errno));
		rc = 2;
	}
	auth_linker_destroy(im.linker);
	catalog_close(im.c);
	free(im.org);
	free(im.rejects_alloc);
	isismap_destroy(im.map);
	for (int i = 0; i < 2; i++) {                          /* copies */
		item_map_destroy(im.items[i]);
		item_map_destroy(custom[i]);
	}
	mk_list_release(&im.protect);
	sb_release(&im.cmdline);
	sb_release(&im.err);
	sb_release(&im.own_warn);
	sb_release(&err);
	return rc;
}
