/*
 * cmd-copy.c - `bienmuc copy`: the copies (items) of catalogue records.
 *   copy add ID [-n N] [--kind K | --accno FIRST] [field options]
 *   copy list [ID...]           copy edit ACCNO [field options]
 *   copy withdraw ACCNO...      copy remove ACCNO...
 *   copy next [KIND]            copy history [ACCNO | -r ID]
 *   copy undo CHANGE            copy callno ID [--set [CALLNO]]
 * Exit status: 0 done, 1 some copy or record not found / refused,
 * 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "i18n.h"
#include "journal-text.h"
#include "catalog.h"
#include "copies.h"
#include "edit.h"
#include "callno.h"
#include "store-cli.h"

#define CMD_NAME "copy"

static const char usage_text[] = N_(
	"usage: bienmuc copy add [-d DB] [-n N] [--kind K | --accno FIRST] [FIELDS] ID\n"
	"       bienmuc copy list [-d DB] [--tsv] [ID...]\n"
	"       bienmuc copy edit [-d DB] [FIELDS] [--status S] [--record ID] ACCNO\n"
	"       bienmuc copy withdraw [-d DB] [--note TEXT] ACCNO...\n"
	"       bienmuc copy remove [-d DB] ACCNO...\n"
	"       bienmuc copy next [-d DB] [--branch B] [KIND]\n"
	"       bienmuc copy history [-d DB] [-r ID] [ACCNO]\n"
	"       bienmuc copy undo [-d DB] CHANGE\n"
	"       bienmuc copy callno [-d DB] [--set [CALLNO]] ID\n"
	"\n"
	"The copies (items) of catalogue records: accession numbers (unique in\n"
	"the catalogue), branch, shelf, call number, status.\n"
	"\n"
	"  -d, --db FILE        the catalogue (default $BIENMUC_DB)\n"
	"  -n, --count N        add N copies (1-10000), consecutive accession numbers\n"
	"  -k, --kind K         number kind (pattern setting accno.K, default\n"
	"                       K.######; default kind VV): the next free numbers\n"
	"  -a, --accno A        the (first) accession number\n"
	"  -b, --branch B       library code          -l, --location L  shelf\n"
	"  -c, --callno C       call number (default: the title's)\n"
	"  -v, --volume V       volume / copy number  -s, --source S    acquisition\n"
	"  -p, --price P        price (120.000 đ)     -D, --date DATE   date added\n"
	"      --note TEXT      note                  --status S        available,\n"
	"                                             withdrawn, lost, repair\n"
	"  -r, --record ID      edit: move the copy;  history: that record's changes\n"
	"      --tsv            list: tab-separated, with a header line\n"
	"      --set [CALLNO]   callno: store CALLNO (default the suggested one) in 090\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 done, 1 some copy or record missing or refused, 2 usage\n"
	"or I/O error.\n");

enum { OPT_NOTE = 256, OPT_STATUS, OPT_TSV, OPT_SET };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'n' },
	{ "kind", required_argument, NULL, 'k' },
	{ "accno", required_argument, NULL, 'a' },
	{ "branch", required_argument, NULL, 'b' },
	{ "location", required_argument, NULL, 'l' },
	{ "callno", required_argument, NULL, 'c' },
	{ "volume", required_argument, NULL, 'v' },
	{ "source", required_argument, NULL, 's' },
	{ "price", required_argument, NULL, 'p' },
	{ "date", required_argument, NULL, 'D' },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "record", required_argument, NULL, 'r' },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "set", optional_argument, NULL, OPT_SET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *db, *kind, *record, *set;
	int n, tsv, setflag;
	char seen[32];          /* the options given, as letters (opt_names) */
	struct copy f;          /* the fields given */
	int given[16];          /* by copy_fields index */
};

/* Options as letters: the short ones, and N --note, S --status, T --tsv,
 * E --set; which ones each subcommand takes. */
static const struct { char c; const char *name; } opt_names[] = {
	{ 'd', "--db" }, { 'n', "--count" }, { 'k', "--kind" }, { 'a', "--accno" },
	{ 'b', "--branch" }, { 'l', "--location" }, { 'c', "--callno" }, { 'v', "--volume" },
	{ 's', "--source" }, { 'p', "--price" }, { 'D', "--date" }, { 'N', "--note" },
	{ 'S', "--status" }, { 'r', "--record" }, { 'T', "--tsv" }, { 'E', "--set" },
};
static const struct { const char *sub, *opts; } sub_opts[] = {
	{ "add", "dnkablcvspDNS" }, { "list", "dT" }, { "edit", "dablcvspDNSr" },
	{ "withdraw", "dN" }, { "remove", "d" }, { "next", "db" }, { "history", "dr" },
	{ "undo", "d" }, { "callno", "dE" },
};

static void saw(struct opts *o, char c)
{
	size_t n = strlen(o->seen);
	if (!strchr(o->seen, c) && n + 1 < sizeof o->seen)
		o->seen[n] = c;
}

/* 0, or -1 (message) when an option given does not apply to sub. */
static int check_opts(const struct opts *o, const char *sub)
{
	const char *ok = "";
	for (size_t i = 0; i < sizeof sub_opts / sizeof *sub_opts; i++)
		if (!strcmp(sub_opts[i].sub, sub))
			ok = sub_opts[i].opts;
	for (const char *p = o->seen; *p; p++) {
		if (strchr(ok, *p))
			continue;
		const char *name = "?";
		for (size_t i = 0; i < sizeof opt_names / sizeof *opt_names; i++)
			if (opt_names[i].c == *p)
				name = opt_names[i].name;
		cmd_error(CMD_NAME, _("%s: option '%s' does not apply; see 'bienmuc copy --help'"),
		          sub, name);
		return -1;
	}
	return 0;
}

static int field_index(const char *name)
{
	for (int i = 0; copy_fields[i]; i++)
		if (!strcmp(copy_fields[i], name))
			return i;
	return -1;
}

static int set_field(struct opts *o, const char *name, const char *v)
{
	if (!strcmp(name, "accno") && !v[strspn(v, " \t")]) {
		/* -a '' (an empty shell variable) was taken as no -a: add gave
		 * the next free number, edit did nothing and said nothing */
		cmd_error(CMD_NAME, _("-a: the accession number is blank"));
		return -1;
	}
	if (!strcmp(name, "price") && !copy_has_control(v)) {
		/* any text was taken as a price ("Tặng", "giá bìa") */
		strbuf why = STRBUF_INIT;
		int bad = copy_price_check(v, &why);
		if (bad)
			cmd_error(CMD_NAME, "-p: %s", why.buf);
		sb_release(&why);
		if (bad)
			return -1;
	}
	if (copy_set(&o->f, name, v)) {
		/* named by the option typed (-D), not the field ("added") */
		static const char *const fopt[][2] = {
			{ "accno", "-a" }, { "branch", "-b" }, { "location", "-l" }, { "callno", "-c" },
			{ "volume", "-v" }, { "source", "-s" }, { "price", "-p" }, { "added", "-D" },
			{ "note", "--note" }, { "status", "--status" },
		};
		const char *opt = name;
		for (size_t i = 0; i < sizeof fopt / sizeof *fopt; i++)
			if (!strcmp(fopt[i][0], name))
				opt = fopt[i][1];
		if (copy_has_control(v))
			cmd_error(CMD_NAME, _("%s: control characters (tab, newline) are not allowed"),
			          opt);
		else if (!strcmp(name, "status"))
			cmd_error(CMD_NAME, _("unknown status '%s' (available, withdrawn, lost, repair)"), v);
		else
			cmd_error(CMD_NAME, _("%s: '%s' is not a real date YYYY-MM-DD"), opt, v);
		return -1;
	}
	o->given[field_index(name)] = 1;
	return 0;
}

/* s, then spaces up to width display cells (Đ, ị take one cell, not
 * their bytes); a space before it when sep. When cut, s wider than width
 * is cut to it ending in '~' (edit_add_cut, as other listings do; a long
 * branch or shelf name pushed the columns after it out of line). */
static void pad_cells(const char *s, int width, int sep, int cut)
{
	strbuf sb = STRBUF_INIT;
	if (cut)
		edit_add_cut(&sb, s, (size_t)width);
	else
		sb_adds(&sb, s);
	size_t w = edit_str_cells(sb.buf);
	printf("%s%s", sep ? " " : "", sb.buf);
	for (; w < (size_t)width; w++)
		putchar(' ');
	sb_release(&sb);
}

/* The accession number column: 12 cells, or the widest number listed
 * (numbers are never cut: they are what a copy is found by). */
static int accno_width(const struct copy *cps, size_t n)
{
	size_t w = 12;
	for (size_t i = 0; i < n; i++)
		if (edit_str_cells(cps[i].accno) > w)
			w = edit_str_cells(cps[i].accno);
	return (int)w;
}

/* Print one copy: text (aligned; accno_w cells for the number) or TSV. */
static void print_copy(const struct copy *cp, const char *title_callno, int tsv, int accno_w)
{
	const char *cn = *cp->callno ? cp->callno : title_callno;
	if (tsv) {
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cp->accno, cp->record,
		       cp->branch, cp->location, cn, cp->volume, cp->status, cp->added, cp->price,
		       cp->source, cp->note);
		return;
	}
	const char *col[] = { cp->accno, cp->record, cp->status, cp->branch, cp->location, cn };
	const int width[] = { accno_w, 10, 9, 10, 16, 18 };
	for (size_t i = 0; i < sizeof col / sizeof *col; i++)
		pad_cells(col[i], width[i], i > 0, i >= 2);
	if (*cp->volume)
		printf(" %s", cp->volume);
	printf(" %s", cp->added);
	if (*cp->price)
		printf(" %s", cp->price);
	if (*cp->note)
		printf(" (%s)", cp->note);
	putchar('\n');
}

static char *title_callno(catalog *c, const char *id)
{
	rec *r = rec_create();
	char *cn = NULL;
	if (catalog_fetch(c, id, r, NULL, NULL) == CAT_OK || rec_nfields(r))
		cn = callno_of_record(r);
	rec_destroy(r);
	return cn ? cn : xstrdup("");
}

static int do_add(catalog *c, struct opts *o, int argc, char **argv)
{
	if (argc != 1) {
		cmd_error(CMD_NAME, _("add: which record? (one record id)"));
		return 2;
	}
	if (o->kind && o->given[field_index("accno")]) {
		/* -k was ignored: the numbers came from -a */
		cmd_error(CMD_NAME, _("add: -k or -a, not both (-a gives the first number, "
		                      "-k takes the next free ones of a kind)"));
		return 2;
	}
	char **acc = NULL;
	strbuf err = STRBUF_INIT;
	int st = copies_add(c, argv[0], &o->f, o->n, o->kind, &acc, &err);
	if (st) {
		cmd_error(CMD_NAME, _("add: %s"), err.buf);
		sb_release(&err);
		return st == CAT_ERROR || st == CAT_BUSY || st == CAT_READONLY ? 2 : 1;
	}
	for (int i = 0; i < o->n; i++)
		printf("%s\n", acc[i]);
	cat_ids_free(acc, (size_t)o->n);
	sb_release(&err);
	return 0;
}

static int do_list(catalog *c, struct opts *o, int argc, char **argv)
{
	int rc = 0;
	strbuf err = STRBUF_INIT;
	if (o->tsv)
		puts("accno\trecord\tbranch\tlocation\tcallno\tvolume\tstatus\tadded\tprice\tsource\tnote");
	for (int i = 0; i < (argc ? argc : 1); i++) {
		struct copy *cps;
		size_t n;
		const char *id = argc ? argv[i] : NULL;
		if (id) {
			rec *r = rec_create();
			sb_reset(&err);
			int st = catalog_fetch(c, id, r, NULL, &err);
			rec_destroy(r);
			if (st && st != CAT_DELETED) {
				cmd_error(CMD_NAME, _("list: %s"), err.buf);
				rc = st == CAT_NOTFOUND ? 1 : 2;
				continue;
			}
		}
		sb_reset(&err);
		if (copies_list(c, id, &cps, &n, &err)) {
			cmd_error(CMD_NAME, _("list: %s"), err.buf);
			rc = 2;
			continue;
		}
		char *last = NULL, *tcn = NULL;
		int aw = accno_width(cps, n);
		for (size_t k = 0; k < n; k++) {
			if (!last || strcmp(last, cps[k].record)) {
				free(tcn);
				tcn = title_callno(c, cps[k].record);
				last = cps[k].record;
			}
			print_copy(&cps[k], tcn, o->tsv, aw);
		}
		free(tcn);
		copies_free(cps, n);
	}
	sb_release(&err);
	return rc;
}

static int do_edit(catalog *c, struct opts *o, int argc, char **argv, const char *action)
{
	int rc = 0;
	strbuf err = STRBUF_INIT;
	if (!argc) {
		cmd_error(CMD_NAME, _("%s: which copy? (accession number)"), action);
		return 2;
	}
	if (!strcmp(action, "edit") && argc != 1) {
		cmd_error(CMD_NAME, _("edit: one accession number at a time"));
		return 2;
	}
	int any = o->record != NULL;
	for (int k = 0; copy_fields[k]; k++)
		any |= o->given[k];
	if (!strcmp(action, "edit") && !any) {
		cmd_error(CMD_NAME, _("edit: nothing to change; give the fields to set "
		                      "(see 'bienmuc copy --help')"));
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		struct copy cp = { 0 };
		sb_reset(&err);
		int st = copies_get(c, argv[i], &cp, &err);
		if (!st) {
			for (int k = 0; copy_fields[k]; k++)
				if (o->given[k])
					copy_set(&cp, copy_fields[k], copy_get(&o->f, copy_fields[k]));
			if (o->record)
				copy_set(&cp, "record", o->record);
			if (!strcmp(action, "withdraw")) {
				if (!strcmp(cp.status, COPY_WITHDRAWN))
					cmd_warn(CMD_NAME, _("withdraw: copy %s is already withdrawn"),
					         cp.accno);
				copy_set(&cp, "status", COPY_WITHDRAWN);
			}
			st = copies_update(c, argv[i], &cp, action, &err);
		}
		if (st) {
			cmd_error(CMD_NAME, "%s: %s", action, err.buf);
			rc = st == CAT_NOTFOUND || st == CAT_CONFLICT || st == CAT_DELETED ? (rc ? rc : 1) : 2;
		}
		copy_clear(&cp);
	}
	sb_release(&err);
	return rc;
}

static int do_history(catalog *c, struct opts *o, int argc, char **argv)
{
	struct copy_change *ch;
	size_t n;
	strbuf err = STRBUF_INIT;
	if (argc > 1) {
		cmd_error(CMD_NAME, _("history: one accession number at a time"));
		return 2;
	}
	if (copies_history(c, argc ? argv[0] : NULL, o->record, &ch, &n, &err)) {
		cmd_error(CMD_NAME, _("history: %s"), err.buf);
		sb_release(&err);
		return 2;
	}
	if (!n && (argc || o->record)) {
		/* nothing journaled: a number or record that is not there is said,
		 * not shown as an empty history (a removed copy keeps its changes) */
		int st = 0;
		if (argc) {
			struct copy cp = { 0 };
			st = copies_get(c, argv[0], &cp, &err);
			copy_clear(&cp);
		}
		if (st != CAT_NOTFOUND && o->record) {
			rec *r = rec_create();
			sb_reset(&err);
			st = catalog_fetch(c, o->record, r, NULL, &err);
			rec_destroy(r);
		}
		if (st == CAT_NOTFOUND) {
			cmd_error(CMD_NAME, _("history: %s"), err.buf);
			copy_changes_free(ch, n);
			sb_release(&err);
			return 1;
		}
		sb_reset(&err);
	}
	for (size_t i = 0; i < n; i++) {
		char *sum = journal_text(ch[i].summary);
		printf("%ld\t%s\t%s\t%s\t%s\t%s%s\n", ch[i].id, ch[i].time, ch[i].user, ch[i].action,
		       ch[i].record, sum, ch[i].undone ? _(" (undone)") : "");
		free(sum);
	}
	copy_changes_free(ch, n);
	sb_release(&err);
	return 0;
}

static int do_callno(catalog *c, struct opts *o, int argc, char **argv)
{
	if (argc != 1) {
		cmd_error(CMD_NAME, _("callno: which record? (one record id)"));
		return 2;
	}
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	struct cat_version v = { 0 };
	int rc = 0, st = catalog_fetch(c, argv[0], r, &v, &err);
	if (st) {
		if (!err.len)
			sb_addf(&err, st == CAT_DELETED ? _("record '%s' is deleted")
			                                : _("no record '%s'"), argv[0]);
		cmd_error(CMD_NAME, _("callno: %s"), err.buf);
		rc = st == CAT_NOTFOUND || st == CAT_DELETED ? 1 : 2;
		goto out;
	}
	struct callno_rules rules = { catalog_get_setting(c, "callno.vn"),
	                              catalog_get_setting(c, "callno.foreign"),
	                              catalog_get_setting(c, "callno.workmark") };
	if (o->setflag && rec_leader(r)[6] == 'z') {
		cmd_error(CMD_NAME, _("callno: record '%s' is an authority record: call numbers "
		                      "belong to bibliographic records"), argv[0]);
		rc = 1;
		goto rules;
	}
	if (o->setflag && o->set && !*o->set) {
		cmd_error(CMD_NAME, _("callno: --set= needs a call number (or --set alone for the "
		                      "suggested one)"));
		rc = 2;
		goto rules;
	}
	sb_reset(&err);
	if (callno_rules_check(&rules, &err))
		cmd_warn(CMD_NAME, _("%s (the author mark is left out)"), err.buf);
	char *cur = callno_of_record(r), *sug = callno_suggest(r, &rules);
	if (!o->setflag) {
		/* labelled lines, LABEL TAB VALUE (it was "-\t959.7 TTK", unlabelled);
		 * the labels are keys for scripts, not translated, like the
		 * header of list --tsv; an empty value: none */
		printf("recorded\t%s\nsuggested\t%s\n", cur, sug);
	} else {
		const char *val = o->set ? o->set : sug;
		callno_set(r, val);
		struct cat_save_opts so = { .action = "edit" };
		sb_reset(&err);
		if (catalog_save(c, r, v.version, &so, NULL, &err)) {
			cmd_error(CMD_NAME, _("callno: %s"), err.buf);
			rc = 2;
		} else {
			printf("%s\n", val);
		}
	}
	free(cur);
	free(sug);
rules:
	free((char *)rules.vn);
	free((char *)rules.foreign);
	free((char *)rules.workmark);
out:
	cat_version_clear(&v);
	rec_destroy(r);
	sb_release(&err);
	return rc;
}

int cmd_copy(int argc, char **argv)
{
	struct opts o = { .n = 1 };
	int opt, rc = 2;
	optind = 0;
	opterr = 0;
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(_(usage_text), stdout);
			return 0;
		}
		cmd_error(CMD_NAME, _("add, list, edit, withdraw, remove, next, history, undo or callno? "
		          "see 'bienmuc copy --help'"));
		return 2;
	}
	const char *sub = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, ":d:n:k:a:b:l:c:v:s:p:D:r:h", long_opts, NULL)) != -1) {
		int bad = 0;
		saw(&o, opt == OPT_NOTE ? 'N' : opt == OPT_STATUS ? 'S' : opt == OPT_TSV ? 'T' :
		        opt == OPT_SET ? 'E' : (char)opt);
		switch (opt) {
		case 'd': o.db = optarg; break;
		case 'n': {
			/* one limit and one message with the shell's copies add N */
			strbuf e = STRBUF_INIT;
			bad = copies_count_parse(optarg, &o.n, &e);
			if (bad)
				cmd_error(CMD_NAME, "-n: %s", e.buf);
			sb_release(&e);
			break;
		}
		case 'k': o.kind = optarg; break;
		case 'a': bad = set_field(&o, "accno", optarg); break;
		case 'b': bad = set_field(&o, "branch", optarg); break;
		case 'l': bad = set_field(&o, "location", optarg); break;
		case 'c': bad = set_field(&o, "callno", optarg); break;
		case 'v': bad = set_field(&o, "volume", optarg); break;
		case 's': bad = set_field(&o, "source", optarg); break;
		case 'p': bad = set_field(&o, "price", optarg); break;
		case 'D': bad = set_field(&o, "added", optarg); break;
		case OPT_NOTE: bad = set_field(&o, "note", optarg); break;
		case OPT_STATUS: bad = set_field(&o, "status", optarg); break;
		case 'r': o.record = optarg; break;
		case OPT_TSV: o.tsv = 1; break;
		case OPT_SET: o.setflag = 1; o.set = optarg; break;
		case 'h': fputs(_(usage_text), stdout); rc = 0; goto done;
		case ':':
			cmd_error(CMD_NAME, _("option '%s' needs an argument"), argv[optind - 1]);
			goto done;
		default:
			cmd_error(CMD_NAME, _("unknown option '%s'; see 'bienmuc copy --help'"),
			          argv[optind - 1]);
			goto done;
		}
		if (bad)
			goto done;
	}
	argc -= optind;
	argv += optind;
	static const char *const subs[] = { "add", "list", "edit", "withdraw", "remove", "next",
	                                    "history", "undo", "callno", NULL };
	int known = 0;
	for (int i = 0; subs[i]; i++)
		known |= !strcmp(subs[i], sub);
	if (!known) {
		cmd_error(CMD_NAME, _("unknown subcommand '%s'; see 'bienmuc copy --help'"), sub);
		goto done;
	}
	if (check_opts(&o, sub))
		goto done;
	int ro = !strcmp(sub, "list") || !strcmp(sub, "history") || !strcmp(sub, "next") ||
	         (!strcmp(sub, "callno") && !o.setflag);
	catalog *c = cli_open(CMD_NAME, o.db, ro ? CAT_OPEN_READONLY : 0);
	if (!c)
		goto done;
	strbuf err = STRBUF_INIT;
	if (!strcmp(sub, "add")) {
		rc = do_add(c, &o, argc, argv);
	} else if (!strcmp(sub, "list")) {
		rc = do_list(c, &o, argc, argv);
	} else if (!strcmp(sub, "edit") || !strcmp(sub, "withdraw")) {
		rc = do_edit(c, &o, argc, argv, sub);
	} else if (!strcmp(sub, "remove")) {
		rc = 0;
		for (int i = 0; i < argc; i++) {
			sb_reset(&err);
			int st = copies_remove(c, argv[i], &err);
			if (st) {
				cmd_error(CMD_NAME, _("remove: %s"), err.buf);
				rc = st == CAT_NOTFOUND ? 1 : 2;
			}
		}
		if (!argc) {
			cmd_error(CMD_NAME, _("remove: which copy? (accession number)"));
			rc = 2;
		}
	} else if (!strcmp(sub, "next")) {
		char *a = NULL;
		int st;
		if (argc > 1)      /* the second kind was ignored */
			cmd_error(CMD_NAME, _("next: one kind at a time"));
		else if ((st = copies_next_accno(c, argc ? argv[0] : NULL, copy_get(&o.f, "branch"), &a,
		                                 &err))) {
			cmd_error(CMD_NAME, _("next: %s"), err.buf);
			if (st == CAT_CONFLICT)     /* a full pattern: refused, as copy add says */
				rc = 1;
		} else {
			printf("%s\n", a);
			rc = 0;
		}
		free(a);
	} else if (!strcmp(sub, "history")) {
		rc = do_history(c, &o, argc, argv);
	} else if (!strcmp(sub, "undo")) {
		char *e;
		long j = argc == 1 ? strtol(argv[0], &e, 10) : 0;
		if (argc > 1) {
			cmd_error(CMD_NAME, _("undo: one change at a time, newest first"));
		} else if (argc != 1 || *e || j <= 0) {
			cmd_error(CMD_NAME, _("undo: which change? (a number from 'bienmuc copy history')"));
		} else {
			int st = copies_undo(c, j, &err);
			if (st)
				cmd_error(CMD_NAME, _("undo: %s"), err.buf);
			rc = st == CAT_OK ? 0 : st == CAT_NOTFOUND || st == CAT_CONFLICT ? 1 : 2;
		}
	} else {
		rc = do_callno(c, &o, argc, argv);
	}
	sb_release(&err);
	catalog_close(c);
done:
	copy_clear(&o.f);
	return rc;
}
