/*
 * cmd-lint.c - `bienmuc lint`: check MARC records in files against the
 * MARC 21 definitions (the marc directory) and the content rules of lint.c, and
 * print one line (or one JSON object) per finding.
 *
 * Records that cannot be read are findings too (rule "read"); the
 * reader resynchronises and linting goes on. Exit status: 0 no findings,
 * 1 findings, 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cmd.h"
#include "i18n-lower.h"    /* _() obeys i18n_lower_english (--json) */
#include "catalog.h"
#include "auth.h"
#include "lint.h"
#include "input.h"
#include "copies-lint.h"
#include "marcdef.h"
#include "marcio.h"

static const char usage_text[] = N_(
	"usage: bienmuc lint [-f FMT] [--from-charset CS] [--json] [--rules FILE]\n"
	"                    [-d DB] FILE...\n"
	"       bienmuc lint --list-rules [--rules FILE]\n"
	"\n"
	"Check MARC 21 records and report what is wrong, one finding per line:\n"
	"  FILE:RECORD (001): TAG[#OCC] [$CODE|/POS]: SEVERITY: MESSAGE [RULE]\n"
	"\n"
	"  -f, --format FMT       input format: auto (default), iso2709, marcxml, mrk, json\n"
	"      --from-charset CS  source character set (auto, auto-vi, utf-8, marc8,\n"
	"                         latin1, tcvn3, vni, viscii, cp1258)\n"
	"      --json             one JSON object per finding, one per line\n"
	"      --rules FILE       rules file: switch rules off or change their severity\n"
	"                         (e.g. marc/tcvn7539.rules); see bienmuc-lint-rules(5)\n"
	"      --list-rules       print every rule with its severity and stop\n"
	"  -d, --db DB            also check headings against the authority records\n"
	"                         of this catalogue (rules heading-*)\n"
	"  -q, --quiet            no summary line on stderr\n"
	"\n"
	"Exit status: 0 no findings, 1 findings, 2 usage or I/O error.\n");

struct out {
	const char *file;
	int json;
	const rec *r;
	size_t errors, warnings;
	strbuf line;
	int werr;           /* errno of the first failed write to stdout */
};

/* JSON string; bytes that are not valid UTF-8 become U+FFFD so that the
 * output is always valid JSON. */
static void json_str(strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x80) {
			size_t k = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
			size_t avail = strnlen(s, k), bad;
			if (avail == k && k > 1 && utf8_valid(s, k, &bad)) {
				sb_add(sb, s, k);
				s += k - 1;
			} else
				sb_adds(sb, "\ufffd");
			continue;
		}
		if (ch == '"' || ch == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)ch);
		} else if (ch < 0x20) {
			sb_addf(sb, "\\u%04x", ch);
		} else
			sb_addc(sb, (char)ch);
	}
	sb_addc(sb, '"');
}

static void on_finding(const lint_finding *f, void *arg)
{
	struct out *o = arg;
	const char *id = o->r ? rec_get_control(o->r, "001") : NULL;
	strbuf *sb = &o->line;
	sb_reset(sb);
	if (f->severity == LINT_ERROR)
		o->errors++;
	else
		o->warnings++;
	if (o->json) {
		sb_adds(sb, "{\"file\":");
		json_str(sb, o->file);
		sb_addf(sb, ",\"record\":%ld,\"id\":", f->record);
		if (id)
			json_str(sb, id);
		else
			sb_adds(sb, "null");
		sb_adds(sb, ",\"tag\":");
		json_str(sb, f->tag);
		sb_addf(sb, ",\"occurrence\":%d,\"subfield\":", f->occurrence);
		if (f->subfield) {
			char c[2] = { f->subfield, 0 };
			json_str(sb, c);
		} else
			sb_adds(sb, "null");
		if (f->position >= 0)
			sb_addf(sb, ",\"position\":%d", f->position);
		else
			sb_adds(sb, ",\"position\":null");
		sb_addf(sb, ",\"severity\":\"%s\",\"rule\":", lint_severity_name(f->severity));
		json_str(sb, f->rule);
		sb_adds(sb, ",\"message\":");
		json_str(sb, f->message);
		sb_adds(sb, "}\n");
	} else {
		sb_addf(sb, "%s:%ld", o->file, f->record);
		if (id)
			sb_addf(sb, " (%s)", id);
		sb_adds(sb, ": ");
		if (f->tag[0]) {
			sb_adds(sb, f->tag);
			if (f->occurrence > 1)
				sb_addf(sb, "#%d", f->occurrence);
			if (f->subfield)
				sb_addf(sb, " $%c", f->subfield);
			else if (f->position >= 0)
				sb_addf(sb, "/%02d", f->position);
			sb_adds(sb, ": ");
		}
		/* the severity word in the interface language; the rule id stays */
		sb_addf(sb, "%s: %s [%s]\n", f->severity == LINT_ERROR ? _("error") : _("warning"),
		        f->message, f->rule);
	}
	/* the write's own errno, kept: by the end of the run it is gone and
	 * a full disk said only "write error" */
	if (fwrite(sb->buf, 1, sb->len, stdout) != sb->len && !o->werr)
		o->werr = errno;
}

/* Standard output could not be written (a full disk, a closed pipe):
 * said once, why included. Returns 2, the exit status. */
static int output_failed(int e)
{
	cmd_write_failed("lint", NULL, e);
	return 2;
}

static void list_rules(const linter *l)
{
	for (size_t i = 0; i < lint_nrules(); i++) {
		const lint_rule_info *ri = lint_rule_at(i);
		printf("%-18s %-8s %s\n", ri->id, lint_severity_name(lint_rule_severity(l, ri->id)),
		       _(ri->summary));
	}
}

/* Lint one file; returns -1 on an I/O error, else 0. */
static int lint_file(linter *l, const char *path, const struct marc_read_opts *opts,
                     struct out *o, long *nrec, long *nbad)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!fp) {
		cmd_error("lint", _("cannot open '%s': %s"), path, strerror(errno));
		return -1;
	}
	strbuf err = STRBUF_INIT;
	int packing = IN_PLAIN;
	FILE *u = input_unpack(fp, path, &packing, NULL, &err);
	if (!u) {                   /* a ZIP archive and the like */
		cmd_error("lint", "%s", err.buf);
		sb_release(&err);
		if (fp != stdin)
			fclose(fp);
		return -1;
	}
	fp = u;                     /* a gzip stream of stdin leaves stdin open */
	marc_reader *rd = marc_reader_open(fp, path, opts, &err);
	if (!rd) {
		cmd_error("lint", "%s: %s", path, err.buf ? err.buf : _("cannot read"));
		sb_release(&err);
		if (fp != stdin)
			fclose(fp);
		return -1;
	}
	o->file = path;
	/* a C0 control character in a subfield (a newline in MARCXML text) is
	 * lint's control-char finding: the reader need not warn about it too */
	if (lint_rule_severity(l, "control-char") != LINT_OFF)
		marc_reader_quiet_controls(rd);
	rec *r = rec_create();
	int rc;
	/* JSON lines are the same in every language: what the reader, the
	 * charset firewall and the authority checks say stays English while
	 * reading and linting (the messages around it stay translated) */
	int was_english = o->json ? i18n_lower_english(1) : -1;
	while (!ferror(stdout) && (rc = marc_reader_next(rd, r)) != MR_EOF) {   /* output lost: stop */
		long recno = marc_reader_recno(rd);
		(*nrec)++;
		if (rc == MR_BAD) {
			(*nbad)++;
			o->r = NULL;
			strbuf why = STRBUF_INIT;
			if (packing == IN_GZIP)
				sb_addf(&why, _("record %ld (byte %lld of the unpacked data) cannot be "
				        "read: %s"), recno, marc_reader_offset(rd), marc_reader_error(rd));
			else
				sb_addf(&why, _("record %ld (byte %lld) cannot be read: %s"), recno,
				        marc_reader_offset(rd), marc_reader_error(rd));
			lint_report_unreadable(l, recno, why.buf, on_finding, o);
			sb_release(&why);
			continue;
		}
		o->r = r;
		for (size_t i = 0; i < marc_reader_nwarnings(rd); i++)
			lint_report_read_warning(l, recno, marc_reader_warning(rd, i), on_finding, o);
		lint_check(l, r, recno, on_finding, o);
	}
	if (was_english >= 0)
		i18n_lower_english(was_english);
	o->r = NULL;
	rec_destroy(r);
	marc_reader_close(rd);
	int ioerr = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	sb_release(&err);
	if (ioerr && packing == IN_GZIP) {
		input_damaged(path, &err);
		cmd_error("lint", "%s", err.buf);
		sb_release(&err);
		return -1;
	}
	if (ioerr) {
		cmd_error("lint", _("error reading '%s'"), path);
		return -1;
	}
	return 0;
}

int cmd_lint(int argc, char **argv)
{
	if (cmd_wants_help(argc, argv)) {
		fputs(_(usage_text), stdout);
		return 0;
	}
	struct marc_read_opts opts = { MF_AUTO, CS_AUTO, 0 };
	int json = 0, quiet = 0, list = 0;
	const char *rules = NULL, *db = NULL;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "-f") || !strcmp(a, "--format")) {
			if (++i >= argc || (opts.format = marc_format_parse(argv[i])) < 0) {
				cmd_error("lint", _("-f needs a format: auto, iso2709, marcxml, mrk or json"));
				return 2;
			}
		} else if (!strcmp(a, "--from-charset")) {
			if (++i >= argc || (opts.from_charset = marc_charset_parse(argv[i])) < 0) {
				cmd_error("lint", _("--from-charset needs a character set name"));
				return 2;
			}
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--rules")) {
			if (++i >= argc) {
				cmd_error("lint", _("--rules needs a file name"));
				return 2;
			}
			rules = argv[i];
		} else if (!strcmp(a, "-d") || !strcmp(a, "--db")) {
			if (++i >= argc) {
				cmd_error("lint", _("-d needs a catalogue file"));
				return 2;
			}
			db = argv[i];
		} else if (!strcmp(a, "--list-rules")) {
			list = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else {
			cmd_error("lint", _("unknown option '%s'; see 'bienmuc lint --help'"), a);
			return 2;
		}
	}
	if (i >= argc && !list) {
		fputs(_(usage_text), stderr);
		return 2;
	}
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_open_default(&err);
	if (!md) {
		cmd_error("lint", "%s", err.buf);
		sb_release(&err);
		return 2;
	}
	linter *l = lint_create(md);
	if (json)
		lint_set_english(l, 1);   /* JSON lines are the same in every language */
	if (rules && lint_load_rules(l, rules, &err) < 0) {
		cmd_error("lint", "%s", err.buf);
		sb_release(&err);
		lint_destroy(l);
		marcdef_destroy(md);
		return 2;
	}
	/* authority control: the heading-* rules ask the catalogue */
	catalog *cat = NULL;
	auth_linker *al = NULL;
	if (db && !list) {
		cat = catalog_open(db, CAT_OPEN_READONLY, &err);
		if (!cat) {
			cmd_error("lint", "%s", err.buf ? err.buf : _("cannot open the catalogue"));
			sb_release(&err);
			lint_destroy(l);
			marcdef_destroy(md);
			return 2;
		}
		al = auth_linker_create(cat);
		lint_set_heading_hook(l, al ? auth_lint_heading : NULL, al);
		lint_set_copies_hook(l, copies_lint_count, cat);   /* callno-missing */
	}
	int status = 0;
	if (list) {
		list_rules(l);
		errno = 0;
		if (fflush(stdout) || ferror(stdout))
			status = output_failed(errno);
	} else {
		struct out o = { .json = json };
		sb_init(&o.line);
		long nrec = 0, nbad = 0;
		int ioerr = 0;
		for (; i < argc && !ferror(stdout); i++)
			if (lint_file(l, argv[i], &opts, &o, &nrec, &nbad) < 0)
				ioerr = 1;
		errno = 0;
		int werr = fflush(stdout) || ferror(stdout);
		if (werr && !o.werr)
			o.werr = errno;
		if (!quiet)
			fprintf(stderr, _("%s: lint: %ld record%s, %zu error%s, %zu warning%s, %ld unreadable\n"),
			        bm_progname, nrec, nrec == 1 ? "" : "s", o.errors, o.errors == 1 ? "" : "s",
			        o.warnings, o.warnings == 1 ? "" : "s", nbad);
		sb_release(&o.line);
		status = ioerr ? 2 : (o.errors || o.warnings) ? 1 : 0;
		if (werr)
			status = output_failed(o.werr);
	}
	sb_release(&err);
	lint_set_heading_hook(l, NULL, NULL);
	lint_set_copies_hook(l, NULL, NULL);
	auth_linker_destroy(al);
	catalog_close(cat);
	lint_destroy(l);
	marcdef_destroy(md);
	return status;
}
