/*
 * cmd-config.c - `bienmuc config`: read and change the settings stored in
 * a catalogue (organisation code, id prefix, library name, accession
 * number patterns, call-number rules, default branch).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cmd.h"
#include "callno.h"
#include "catalog.h"
#include "charset.h"
#include "i18n.h"

/* The settings the program reads, with what they mean. */
static const struct { const char *key, *what; } known[] = {
	{ "org_code", N_("MARC organisation code written to 003 and used for {org}") },
	{ "id_prefix", N_("prefix of new record ids") },
	{ "library_name", N_("library name printed on spine labels") },
	{ "branch", N_("default branch (library code) of new copies") },
	{ "accno.kind", N_("default kind of accession number (e.g. VV)") },
	{ "callno.vn", N_("author-mark rule for Vietnamese names (initials:N, word:N or table:FILE)") },
	{ "callno.foreign", N_("author-mark rule for foreign names (cutter, table:FILE or initials:N)") },
	{ "callno.workmark", N_("first letter of the title after the author mark (none, lower, upper)") },
	{ NULL, NULL },
};

/* An accession-number pattern key: accno.KIND or accno.BRANCH.KIND. */
static int accno_key(const char *k)
{
	if (strncmp(k, "accno.", 6) || !strcmp(k, "accno.kind"))
		return 0;
	const char *p = k + 6;
	int parts = 0;
	for (;;) {
		size_t n = strcspn(p, ".");
		if (!n || p[strcspn(p, " \t")] != 0)
			return 0;
		parts++;
		if (!p[n])
			break;
		p += n + 1;
	}
	return parts <= 2;
}

/* What is wrong with setting key to value ("" = nothing): the key must be
 * one bienmuc reads, and an accession-number pattern needs one run of
 * '#'. A near miss of a known key is named. */
static void check_setting(const char *key, const char *value, strbuf *why)
{
	if (accno_key(key)) {
		const char *h = strchr(value, '#');
		if (!h || strchr(h + strspn(h, "#"), '#'))
			sb_addf(why, _("%s: '%s' needs one run of '#' for the number (e.g. VV.######)"),
			        key, value);
		return;
	}
	static const char *const managed[] = { "next_id", "collator_version", "icu_version",
	                                       "sort_indexes", "browse_deferred" };
	                                       /* (the catalogue refuses them) */
	for (size_t i = 0; i < sizeof managed / sizeof *managed; i++)
		if (!strcmp(key, managed[i]))
			return;
	for (int i = 0; known[i].key; i++)
		if (!strcmp(key, known[i].key))
			return;
	sb_addf(why, _("'%s' is not a setting bienmuc reads"), key);
	for (int i = 0; known[i].key; i++) {
		size_t n = strlen(known[i].key);
		int near = strlen(key) == n;
		for (size_t j = 0; near && j < n; j++) {
			char a = (char)tolower((unsigned char)key[j]), b = known[i].key[j];
			near = a == b || (a == '-' && b == '_') || (a == '_' && b == '.');
		}
		if (near) {
			sb_addf(why, _(" (did you mean %s?)"), known[i].key);
			return;
		}
	}
	sb_adds(why, _(" (bienmuc config lists them; accession number patterns are accno.KIND "
	               "and accno.BRANCH.KIND)"));
}

static const char usage_text[] =
	N_("usage: bienmuc config [-d DB] [KEY [VALUE]]\n"
	"\n"
	"Show or change the settings kept in the catalogue. With no KEY, list the\n"
	"settings bienmuc reads and their values; with KEY, print its value; with\n"
	"KEY VALUE, set it. Accession number patterns are the keys accno.KIND and\n"
	"accno.BRANCH.KIND (e.g. accno.VV = VV.######).\n"
	"  -d, --db FILE   the catalogue (default $BIENMUC_DB)\n"
	"\n"
	"Exit status: 0 done, 1 KEY is not set, 2 usage or I/O error.\n");

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, 0, 'd' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *db = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		default: fputs(_(usage_text), stderr); return 2;
		}
	}
	int nargs = argc - optind;
	if (nargs > 2) {
		fputs(_(usage_text), stderr);
		return 2;
	}
	strbuf err = STRBUF_INIT;
	int writing = nargs == 2;
	if (writing) {
		check_setting(argv[optind], argv[optind + 1], &err);
		if (err.len) {
			cmd_error("config", "%s", err.buf);
			sb_release(&err);
			return 2;
		}
	}
	catalog *cat = catalog_open(db, writing ? CAT_OPEN_CREATE : CAT_OPEN_READONLY, &err);
	if (!cat) {
		cmd_error("config", "%s", err.buf ? err.buf : _("cannot open the catalogue"));
		sb_release(&err);
		return 2;
	}
	int rc = 0;
	if (nargs == 0) {
		for (int i = 0; known[i].key; i++) {
			char *v = catalog_get_setting(cat, known[i].key);
			printf("%-15s %-14s # %s\n", known[i].key, v ? v : "-", _(known[i].what));
			free(v);
		}
	} else if (nargs == 1) {
		char *v = catalog_get_setting(cat, argv[optind]);
		if (v)
			printf("%s\n", v);
		else
			rc = 1;
		free(v);
	} else if ((!strcmp(argv[optind], "callno.vn") || !strcmp(argv[optind], "callno.foreign")) &&
	           callno_rule_check(argv[optind + 1], &err)) {
		cmd_error("config", "%s: %s", argv[optind], err.buf);   /* e.g. a bad author table */
		rc = 2;
	} else if (!strcmp(argv[optind], "callno.workmark") && !callno_workmark_valid(argv[optind + 1])) {
		cmd_error("config", _("callno.workmark: '%s' is not none, lower or upper"), argv[optind + 1]);
		rc = 2;
	} else {
		/* typed text may come decomposed (NFD): settings are NFC */
		char *nfc = utf8_nfc(argv[optind + 1], strlen(argv[optind + 1]));
		if (!nfc) {
			cmd_error("config", _("%s: the value is not valid UTF-8"), argv[optind]);
			rc = 2;
		} else if (catalog_set_setting(cat, argv[optind], nfc, &err)) {
			cmd_error("config", "%s", err.buf ? err.buf : _("cannot change the setting"));
			rc = 2;
		}
		free(nfc);
	}
	catalog_close(cat);
	sb_release(&err);
	return rc;
}
