/*
 * t-lint.c - table-driven tests of the lint rules: a clean Vietnamese
 * book record, then one edit per case and the rule ids that must appear.
 * Every rule of lint.c has at least one case here (checked at the end).
 *
 * Edit lines (MARCMaker-like, '\' = blank):
 *   =TAG  DATA      replace the first TAG (or append it)
 *   +TAG  DATA      append another TAG
 *   -TAG            delete every TAG
 * DATA is "II$aText$bText" for a data field (II = indicators) and the
 * text itself for a control field; "=LDR  ..." sets the leader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lint.h"
#include "marcdef.h"
#include "rec.h"

static const char *base[] = {
	"=LDR  00000nam a2200000 a 4500",
	"=001  TEST0001",
	"=005  20240101120000.0",
	"=008  240101s2015    vm a          000 1 vie d",
	"=020  \\\\$a9786046025337 (T. 1) :$c85000đ",
	"=040  \\\\$aVN-TVQG$bvie$cVN-TVQG",
	"=041  0\\$avie",
	"=082  04$a895.922334$223",
	"=100  0\\$aNguyễn Du,$d1765-1820.",
	"=245  10$aTruyện Kiều /$cNguyễn Du.",
	"=260  \\\\$aHà Nội :$bVăn học,$c2015.",
	"=300  \\\\$a250 tr. ;$c21 cm.",
	"=650  \\7$aVăn học Việt Nam$2Bộ TK TVQG",
	NULL,
};

static void unesc(char *d, const char *s)
{
	for (; *s; s++)
		*d++ = *s == '\\' ? ' ' : *s;
	*d = 0;
}

/* Put one field described by text (after "TAG  ") into r at index at. */
static void put_field(rec *r, size_t at, const char *tag, const char *text)
{
	size_t n = strlen(text);
	int ctl = tag[0] == '0' && tag[1] == '0';
	if ((n == 2 && !ctl) || (n > 2 && text[2] == '$')) {
		char i1 = text[0] == '\\' ? ' ' : text[0], i2 = text[1] == '\\' ? ' ' : text[1];
		rec_insert_field(r, at, tag, i1, i2);
		const char *p = text + 2;
		while (*p == '$') {
			char code = p[1];
			const char *v = p + 2;
			const char *e = strchr(v, '$');
			size_t len = e ? (size_t)(e - v) : strlen(v);
			rec_add_sub(r, at, code, v, len);
			p = v + len;
		}
	} else {
		char buf[256];
		unesc(buf, text);
		rec_insert_control(r, at, tag, buf, strlen(buf));
	}
}

static void apply(rec *r, const char *line)
{
	char tag[4] = { line[1], line[2], line[3], 0 };
	const char *text = line[4] ? line + 6 : "";
	if (!strcmp(tag, "LDR")) {
		char buf[64];
		unesc(buf, text);
		rec_set_leader(r, buf, strlen(buf));
		return;
	}
	long f = rec_find(r, tag, 0);
	switch (line[0]) {
	case '-':
		while ((f = rec_find(r, tag, 0)) >= 0)
			rec_delete_field(r, (size_t)f);
		break;
	case '=':
		if (f >= 0) {
			rec_delete_field(r, (size_t)f);
			put_field(r, (size_t)f, tag, text);
		} else
			put_field(r, rec_nfields(r), tag, text);
		break;
	case '+':
		put_field(r, rec_nfields(r), tag, text);
		break;
	}
}

static rec *build(const char *const *edits)
{
	rec *r = rec_create();
	for (const char *const *l = base; *l; l++)
		apply(r, *l);
	for (const char *const *l = edits; l && *l; l++)
		apply(r, *l);
	return r;
}

struct found {
	char rules[64][24];
	size_t n;
	char last_tag[8];
	char last_sub;
	int last_occ;
	long last_record;
};

static void collect(const lint_finding *f, void *arg)
{
	struct found *fo = arg;
	if (fo->n < 64)
		snprintf(fo->rules[fo->n++], 24, "%s", f->rule);
	snprintf(fo->last_tag, sizeof fo->last_tag, "%s", f->tag);
	fo->last_sub = f->subfield;
	fo->last_occ = f->occurrence;
	fo->last_record = f->record;
	if (getenv("T_LINT_VERBOSE"))
		fprintf(stderr, "   [%s] %s: %s\n", f->rule, f->tag, f->message);
}

static int has(const struct found *fo, const char *rule)
{
	for (size_t i = 0; i < fo->n; i++)
		if (!strcmp(fo->rules[i], rule))
			return 1;
	return 0;
}

struct lcase {
	const char *name;
	const char *edits[6];
	const char *expect;       /* space-separated rule ids */
};

static const struct lcase cases[] = {
	{ "leader status", { "=LDR  00000qam a2200000 a 4500" }, "leader" },
	{ "not bib or auth", { "=LDR  00000nu  a2200000 a 4500" }, "format" },
	{ "bad tag", { "+2#5  \\\\$ax" }, "tag-invalid" },
	{ "001 as data field", { "=001  \\\\$aX" }, "control-field" },
	{ "500 as control field", { "+500  plain text" }, "control-field" },
	{ "delimiter in control", { "=005  2024\x1f" "0101" }, "control-field" },
	{ "undefined tag", { "+280  \\\\$ax." }, "tag-undefined" },
	{ "obsolete tag", { "+440  \\0$aTủ sách văn học" }, "tag-obsolete" },
	{ "700 second indicator 0", { "+700  00$aTô Hoài,$d1920-2014." }, "ind-obsolete" },
	{ "obsolete note field", { "+503  \\\\$aIn lần đầu năm 1820." }, "tag-obsolete" },
	{ "NR field twice", { "+040  \\\\$aVN-TVQG$bvie" }, "field-repeat" },
	{ "bad indicator", { "=245  30$aTruyện Kiều /$cNguyễn Du." }, "ind-invalid" },
	{ "undefined subfield", { "=300  \\\\$a250 tr. ;$c21 cm.$j" "x" }, "sub-undefined" },
	{ "obsolete subfield", { "=245  10$aTruyện Kiều /$cNguyễn Du.$dx." }, "sub-obsolete" },
	{ "NR subfield twice", { "=245  10$aTruyện.$aKiều /$cNguyễn Du." }, "sub-repeat" },
	{ "245 without $a", { "=245  10$bTruyện Kiều." }, "sub-missing" },
	{ "650 second indicator 7 without $2", { "+650  \\7$aTruyện thơ." }, "sub-missing" },
	{ "041 second indicator 7 without $2", { "=041  07$avie" }, "sub-missing" },
	{ "245 not starting with $a", { "=245  10$cNguyễn Du /$aTruyện Kiều." }, "sub-order" },
	{ "no subfields", { "+500  \\\\" }, "field-empty" },
	{ "empty control field", { "=005  " }, "field-empty" },
	{ "empty subfield", { "+500  \\\\$a" }, "sub-empty" },
	{ "tab in data", { "+500  \\\\$aMột\tdòng." }, "control-char" },
	{ "leading space", { "+500  \\\\$a Phụ chú." }, "stray-space" },
	{ "double space", { "+500  \\\\$aPhụ  chú." }, "stray-space" },
	{ "no 001", { "-001" }, "missing-field" },
	{ "no 008", { "-008" }, "missing-field" },
	{ "no 245", { "-245" }, "missing-field" },
	{ "no 040", { "-040" }, "missing-full" },
	{ "no 300 at full level", { "-300" }, "missing-full" },
	{ "two 1XX", { "+110  2\\$aThư viện Quốc gia." }, "1xx-count" },
	{ "short 008", { "=008  240101s2015    vm" }, "fixed-length" },
	{ "long 006", { "+006  a                  xx" }, "fixed-length" },
	{ "short 007", { "+007  sd" }, "fixed-short" },
	{ "008/22 bad", { "=008  240101s2015    vm a   x      000 1 vie d" }, "fixed-value" },
	{ "008 country", { "=008  240101s2015    qq a          000 1 vie d" }, "fixed-value" },
	{ "007 category", { "+007  qx" }, "fixed-value" },
	{ "obsolete country", { "=008  240101s2015    vn a          000 1 vie d" }, "fixed-obsolete" },
	{ "serial, obsolete 008/20 and 30-32",
	  { "=LDR  00000nas a2200000 a 4500", "=008  240101c20159999vm mr1p       0uuua0vie d" },
	  "fixed-obsolete" },
	{ "music, obsolete 008/32", { "=LDR  00000ncm a2200000 a 4500",
	  "=008  240101s2015    vm sgn           1n vie d" }, "fixed-obsolete" },
	{ "video, obsolete 008/32 and 34", { "=LDR  00000ngm a2200000 a 4500",
	  "=008  240101s2015    vm 095           0v vie d" }, "fixed-obsolete" },
	{ "ISBN-13 check digit", { "=020  \\\\$a9786046025330" }, "isbn-check" },
	{ "ISBN-10 check digit", { "=020  \\\\$a0452284237" }, "isbn-check" },
	{ "ISBN length", { "=020  \\\\$a12345" }, "isbn-format" },
	{ "ISBN qualifier", { "=020  \\\\$a9786046025337(T. 1)" }, "isbn-qualifier" },
	{ "valid cancelled ISBN", { "+020  \\\\$z9786046025337" }, "isbn-z-valid" },
	{ "ISSN check digit", { "+022  \\\\$a1234-5678" }, "issn-check" },
	{ "ISSN form", { "+022  \\\\$a12345679" }, "issn-format" },
	{ "Vietnamese title, nonfiling 4", { "=245  14$aTruyện Kiều /$cNguyễn Du." }, "article" },
	{ "Vietnamese title beginning with 'La', nonfiling 3",
	  { "=245  13$aLa Sơn phu tử /$cNguyễn Du." }, "article" },
	{ "nonfiling 4 on an English title without article",
	  { "=008  240101s2015    vm a          000 1 eng d", "=041  0\\$aeng",
	    "=245  14$aC466070 instance /$cNguyễn Du." }, "article" },
	{ "series article of the record's language not skipped",
	  { "=008  240101s2015    vm a          000 1 eng d", "=041  0\\$aeng",
	    "+490  1\\$aThe Pelican history", "+830  \\0$aThe Pelican history." }, "article" },
	{ "English article not skipped",
	  { "=008  240101s2015    vm a          000 1 eng d", "=041  0\\$aeng",
	    "=245  10$aThe old man and the sea /$cErnest Hemingway." }, "article" },
	{ "nonfiling not a digit", { "=245  1x$aTruyện Kiều /$cNguyễn Du." }, "nonfiling-invalid" },
	{ "date differs", { "=260  \\\\$aHà Nội :$bVăn học,$c2016." }, "date-mismatch" },
	{ "reprint, date is neither", { "=008  240101r20151925vm a          000 1 vie d",
	  "=260  \\\\$aHà Nội :$bVăn học,$c1930." }, "date-mismatch" },
	{ "041 vs 008", { "=041  0\\$aeng" }, "lang-mismatch" },
	{ "bad language code", { "=041  0\\$avie$bxyz" }, "lang-code" },
	{ "obsolete language code", { "=041  1\\$avie$hfri" }, "lang-obsolete" },
	{ "GAC length", { "+043  \\\\$aa-vt" }, "gac-format" },
	{ "GAC not in the list", { "+043  \\\\$ax-qq---" }, "gac-code" },
	{ "GAC discontinued", { "+043  \\\\$aa-vn---" }, "gac-obsolete" },
	{ "880 without $6", { "+880  10$aTitle." }, "linkage" },
	{ "$6 without 880", { "=245  10$6880-01$aTruyện Kiều /$cNguyễn Du." }, "linkage" },
	{ "880 without partner", { "+880  10$6245-01/$1$a傳翹 /$c阮攸." }, "linkage" },
	{ "$6 malformed", { "+880  10$6245$aX." }, "linkage" },
	{ "245 $b punctuation", { "=245  10$aTruyện Kiều$bthơ /$cNguyễn Du." }, "punct" },
	{ "245 $c punctuation", { "=245  10$aTruyện Kiều$cNguyễn Du." }, "punct" },
	{ "245 $h brackets", { "=245  10$aTruyện Kiều$hsách nói /$cNguyễn Du." }, "punct" },
	{ "245 $n period", { "=245  10$aGiáo trình$nTập 1 /$cNguyễn Văn A." }, "punct" },
	{ "260 $b punctuation", { "=260  \\\\$aHà Nội$bVăn học,$c2015." }, "punct" },
	{ "300 $c punctuation", { "=300  \\\\$a250 tr.$c21 cm." }, "punct" },
	{ "245 final period", { "=245  10$aTruyện Kiều /$cNguyễn Du" }, "punct-end" },
	{ "spaced initials", { "=245  10$aThe hobbit /$cJ. R. R. Tolkien." }, "initials" },
	{ "spaced initials, accented Latin capitals",
	  { "=245  10$aNana /$cpréface de É. Ł. Zola." }, "initials" },
	{ "direct name, surname indicator", { "=100  1\\$aNguyễn Du,$d1765-1820." }, "name-form" },
	{ "inverted name, forename indicator", { "=100  0\\$aHemingway, Ernest." }, "name-form" },
	{ NULL, { NULL }, NULL },
};

/* Cases run with the TCVN 7539 profile (marc/tcvn7539.rules). */
static const struct lcase tcvn_cases[] = {
	{ "040 $b eng", { "=040  \\\\$aVN-TVQG$beng$cVN-TVQG" }, "tcvn-040b" },
	{ "no 040 $b", { "=040  \\\\$aVN-TVQG$cVN-TVQG" }, "tcvn-040b" },
	{ "no 041", { "-041" }, "tcvn-041" },
	{ "no 082", { "-082" }, "tcvn-082" },
	{ "blank country", { "=008  240101s2015    \\\\\\a          000 1 vie d" }, "tcvn-country" },
	{ NULL, { NULL }, NULL },
};

/* Valid records: edits after which the listed rules must NOT be reported
 * (false warnings teach cataloguers to ignore the marks). */
static const struct lcase valid_cases[] = {
	{ "LCCN, old structure", { "+010  \\\\$a   85000002 $z   84000001 " }, "stray-space" },
	{ "serial, obsolete 008/20 and 30-32",
	  { "=LDR  00000nas a2200000 a 4500", "=008  240101c20159999vm mr1p       0uuua0vie d" },
	  "fixed-value" },
	{ "music, obsolete 008/32", { "=LDR  00000ncm a2200000 a 4500",
	  "=008  240101s2015    vm sgn           1n vie d" }, "fixed-value" },
	{ "reprint: 260 $c has the original's date (008/06 r, Date 2)",
	  { "=008  240101r20151925vm a          000 1 vie d", "=260  \\\\$aHà Nội :$bVăn học,$c1925." },
	  "date-mismatch" },
	{ "English title on a Spanish record",
	  { "=008  240101s2015    vm a          000 1 spa d", "=041  0\\$aspa",
	    "=245  14$aThe duke of bachata /$cHorizon Line." }, "article" },
	{ "Welsh article (not in lint's list)",
	  { "=008  240101s2015    vm a          000 1 wel d", "=041  0\\$awel",
	    "=245  13$aYr ymarfer /$cDafydd." }, "article" },
	{ "bracketed title, leading bracket counted",
	  { "=245  15$a[The New Testament] /$cNguyễn Du." }, "article" },
	{ "series 'De Gruyter' (not a Dutch article) in an English record",
	  { "=008  240101s2015    vm a          000 1 eng d", "=041  0\\$aeng",
	    "+490  1\\$aDe Gruyter studies", "+830  \\0$aDe Gruyter studies." }, "article" },
	{ "non-ISBD record (Leader/18 blank): no ISBD punctuation expected",
	  { "=LDR  00000nam a2200000   4500", "=245  10$aTruyện Kiều,$bthơ$cby Nguyễn Du." },
	  "punct" },
	{ "obsolete note field is not 'undefined'", { "+503  \\\\$aIn lần đầu năm 1820." },
	  "tag-undefined sub-undefined" },
	{ "full-width CJK punctuation (ideographic space, U+FF0F, U+FF0E)",
	  { "=245  10$a北韓法令集\u3000\uff0f$c鄭慶謨\uff0e" }, "punct punct-end" },
	{ "right-to-left: RLM after the mark, Arabic comma",
	  { "=260  \\\\$a\u062a\u0647\u0631\u0627\u0646 :\u200f$b\u0637\u0631\u062d \u0646\u0648\u060c\u200f$c2015." },
	  "punct" },
	{ "video, obsolete 008/32 and 34", { "=LDR  00000ngm a2200000 a 4500",
	  "=008  240101s2015    vm 095           0v vie d" }, "fixed-value" },
	{ "086 with blank first indicator and no $2 (pre-2000 records)",
	  { "+086  \\\\$aC13.10:500-8." }, "sub-missing" },
	{ "886 with the foreign field's own $a subfields",
	  { "+886  2\\$2UK MARC$a690$b00$aschools$zp1030$amicrocomputer systems" }, "sub-repeat" },
	{ "sound recording with the pre-AACR 2 imprint 262",
	  { "=LDR  00000njm a2200000 a 4500", "=008  240101s1975    vm mun           n  vie d",
	    "-260", "+262  \\\\$aHà Nội :$bHãng đĩa Việt Nam,$c1975." }, "missing-full" },
	{ "archival control (Leader/08 a): no imprint expected",
	  { "=LDR  00000nkcaa2200000 a 4500", "-260" }, "missing-full" },
	{ "700 with the old second indicator 0 (alternative entry)",
	  { "+700  00$aTô Hoài,$d1920-2014." }, "ind-invalid" },
	{ "LCCN, 2001 structure", { "+010  \\\\$a  2001000002" }, "stray-space" },
	{ "spaced initials in Cyrillic (GOST practice spaces them)",
	  { "=245  10$aАнализ взаимодействия /$cА. А. Иванов." }, "initials" },
	{ "spaced initials in an RDA record (transcribed as on the source)",
	  { "=040  \\\\$aVN-TVQG$bvie$erda$cVN-TVQG", "=245  10$aThe hobbit /$cJ. R. R. Tolkien." },
	  "initials" },
	{ "spaced initials in a pre-AACR 2 record (Leader/18 blank)",
	  { "=LDR  00000nam a2200000   4500", "=245  10$aThe hobbit,$cby J. R. R. Tolkien." },
	  "initials" },
	{ "spaced initials in an ISBD record of other rules (Leader/18 i)",
	  { "=LDR  00000nam a2200000 i 4500", "=245  10$aThe hobbit /$cJ. R. R. Tolkien." },
	  "initials" },
	{ "abbreviations in small letters ('v.' for von) are not initials",
	  { "=245  10$aMeine Botschafterzeit /$cübersetzt von D. v. Pfaff." }, "initials" },
	{ "a letter after a prefix is no initial (romanized Hebrew 'ha-R.')",
	  { "=245  10$aSefer Halikhot Eliyahu /$cme-et Eliyahu ben m. ha-R. E. ha-Levi." }, "initials" },
	{ "$9 for local use (a Koha authority link, a DNB source)",
	  { "=100  0\\$aNguyễn Du,$d1765-1820.$9123", "+035  \\\\$a(DE-588)118540238$9v:zg" },
	  "sub-undefined" },
	{ NULL, { NULL }, NULL },
};

static int covered[128];

/* stand-in for the catalogue's copy count (copies-lint.h): two copies */
static long fake_copies_hook(void *arg, const rec *r)
{
	(void)arg;
	(void)r;
	return 2;
}

/* stand-in for auth_lint_heading (auth.h): one heading status per tag */
static int fake_heading_hook(void *arg, const rec *r, size_t f, strbuf *msg)
{
	(void)arg;
	const char *tag = rec_tag(r, f);
	sb_adds(msg, "heading");
	if (!strcmp(tag, "100")) return LINT_HEADING_UNAUTHORIZED;
	if (!strcmp(tag, "600")) return LINT_HEADING_AMBIGUOUS;
	if (!strcmp(tag, "650")) return LINT_HEADING_NEAR;
	if (!strcmp(tag, "651")) return LINT_HEADING_UNLINKED;
	if (!strcmp(tag, "700")) return LINT_HEADING_UNCONTROLLED;
	return LINT_HEADING_SKIP;
}

static void run_cases(linter *l, const struct lcase *cs)
{
	for (const struct lcase *c = cs; c->name; c++) {
		rec *r = build(c->edits);
		struct found fo = { .n = 0 };
		lint_check(l, r, 7, collect, &fo);
		char exp[128];
		snprintf(exp, sizeof exp, "%s", c->expect);
		for (char *t = strtok(exp, " "); t; t = strtok(NULL, " ")) {
			CHECKF(has(&fo, t), "case '%s': rule %s not reported (%zu findings, first %s)",
			       c->name, t, fo.n, fo.n ? fo.rules[0] : "-");
			for (size_t i = 0; i < lint_nrules(); i++)
				if (!strcmp(lint_rule_at(i)->id, t) && i < 128)
					covered[i] = 1;
		}
		rec_destroy(r);
	}
}

static void run_valid_cases(linter *l, const struct lcase *cs)
{
	for (const struct lcase *c = cs; c->name; c++) {
		rec *r = build(c->edits);
		struct found fo = { .n = 0 };
		lint_check(l, r, 7, collect, &fo);
		char exp[128];
		snprintf(exp, sizeof exp, "%s", c->expect);
		for (char *t = strtok(exp, " "); t; t = strtok(NULL, " "))
			CHECKF(!has(&fo, t), "valid case '%s': rule %s reported", c->name, t);
		rec_destroy(r);
	}
}

static void count_cb(const lint_finding *f, void *arg)
{
	(void)f;
	(*(int *)arg)++;
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), &err) < 0) {
		fprintf(stderr, "cannot load definitions: %s\n", err.buf);
		CHECK(0);
		DONE();
	}
	linter *l = lint_create(md);

	/* the base record is clean */
	{
		rec *r = build(NULL);
		struct found fo = { .n = 0 };
		size_t n = lint_check(l, r, 1, collect, &fo);
		CHECKF(n == 0, "clean record has %zu findings, first: %s", n, fo.n ? fo.rules[0] : "");
		rec_destroy(r);
	}
	run_cases(l, cases);
	run_valid_cases(l, valid_cases);

	/* finding details: record number, tag, occurrence, subfield */
	{
		const char *ed[] = { "+650  \\7$aThơ$2Bộ TK TVQG", "+650  \\7$a Truyện thơ.$2Bộ TK TVQG", NULL };
		rec *r = build(ed);
		struct found fo = { .n = 0 };
		lint_check(l, r, 42, collect, &fo);
		CHECK_INT(fo.n, 1);
		CHECK_STR(fo.last_tag, "650");
		CHECK_INT(fo.last_occ, 3);
		CHECK_INT(fo.last_sub, 'a');
		CHECK_INT(fo.last_record, 42);
		rec_destroy(r);
	}

	/* rules: switching off, raising, parameters, bad lines */
	{
		const char *ed[] = { "=245  10$aTruyện Kiều /$cNguyễn Du", NULL };
		rec *r = build(ed);
		int n = 0;
		CHECK_INT(lint_rule_severity(l, "punct-end"), LINT_WARNING);
		CHECK(lint_load_rules_text(l, "t", "# x\npunct-end off\n", 17, &err) == 0);
		lint_check(l, r, 1, count_cb, &n);
		CHECK_INT(n, 0);
		CHECK(lint_load_rules_text(l, "t", "punct-end error", 15, &err) == 0);
		CHECK_INT(lint_rule_severity(l, "punct-end"), LINT_ERROR);
		sb_reset(&err);
		CHECK(lint_load_rules_text(l, "t.rules", "\nno-such-rule off\n", 18, &err) < 0);
		CHECK(err.buf && strstr(err.buf, "t.rules:2:"));
		sb_reset(&err);
		CHECK(lint_load_rules_text(l, "t", "punct-end loud", 14, &err) < 0);
		sb_reset(&err);
		CHECK(lint_load_rules_text(l, "t", "set nothing x", 13, &err) < 0);
		CHECK_INT(lint_set_rule(l, "nope", LINT_ERROR), -1);
		CHECK(lint_set_param(l, "cataloging-language", "eng") == 0);
		CHECK(lint_set_param(l, "cataloging-language", "vie") == 0);
		rec_destroy(r);
		lint_set_rule(l, "punct-end", LINT_WARNING);
	}

	/* the unreadable-record path */
	{
		struct found fo = { .n = 0 };
		CHECK_INT(lint_report_unreadable(l, 9, "directory is broken", collect, &fo), 1);
		CHECK(has(&fo, "read"));
		CHECK_INT(fo.last_record, 9);
		CHECK_INT(lint_report_read_warning(l, 9, "guessed charset", collect, &fo), 1);
		CHECK(has(&fo, "read-warning"));
		for (size_t i = 0; i < lint_nrules(); i++)
			if (!strcmp(lint_rule_at(i)->id, "read") || !strcmp(lint_rule_at(i)->id, "read-warning"))
				covered[i] = 1;
	}

	/* the TCVN 7539 profile */
	{
		linter *lt = lint_create(md);
		sb_reset(&err);
		CHECKF(lint_load_rules(lt, t_root("marc/tcvn7539.rules"), &err) == 0, "%s", err.buf);
		rec *r = build(NULL);
		int n = 0;
		lint_check(lt, r, 1, count_cb, &n);
		CHECK_INT(n, 0);          /* the base record follows the profile */
		rec_destroy(r);
		run_cases(lt, tcvn_cases);
		CHECK_INT(lint_rule_severity(lt, "tcvn-040b"), LINT_ERROR);
		lint_destroy(lt);
	}

	/* local definitions: a 9XX field, obsolete indicator and subfield */
	{
		const char *local =
			"format bib\n"
			"952 R Local holdings\n"
			"  ind1 # Undefined\n"
			"  ind1 1 obs Old practice\n"
			"  $a NR Library\n"
			"  $b NR obs Old branch code\n";
		sb_reset(&err);
		CHECKF(marcdef_load_text(md, "local.def", local, strlen(local), &err) == 0, "%s", err.buf);
		const char *ed[] = { "+952  1\\$aTVQG$bK1$aX$zq", NULL };
		rec *r = build(ed);
		struct found fo = { .n = 0 };
		lint_check(l, r, 1, collect, &fo);
		CHECK(has(&fo, "ind-obsolete"));
		CHECK(has(&fo, "sub-obsolete"));
		CHECK(has(&fo, "sub-repeat"));
		CHECK(has(&fo, "sub-undefined"));
		for (size_t i = 0; i < lint_nrules(); i++)
			if (!strcmp(lint_rule_at(i)->id, "ind-obsolete"))
				covered[i] = 1;
		rec_destroy(r);
	}

	/* a $9 the definitions define is checked as defined */
	{
		const char *local =
			"format bib\n"
			"953 R Local links\n"
			"  $a NR Library\n"
			"  $9 NR obs Old link\n";
		sb_reset(&err);
		CHECKF(marcdef_load_text(md, "local9.def", local, strlen(local), &err) == 0, "%s", err.buf);
		const char *ed[] = { "+953  \\\\$aTVQG$91$92", NULL };
		rec *r = build(ed);
		struct found fo = { .n = 0 };
		lint_check(l, r, 1, collect, &fo);
		CHECK(has(&fo, "sub-obsolete"));
		CHECK(has(&fo, "sub-repeat"));
		CHECK_INT(fo.last_sub, '9');
		rec_destroy(r);
	}

	/* an authority record */
	{
		rec *r = rec_create();
		rec_set_leader(r, "00000nz  a2200000n  4500", 24);
		rec_add_control(r, "001", "TVQGA000101", 11);
		rec_add_control(r, "008", "240101n| acannaabn          |a aaa     d", 40);
		size_t f = rec_add_field(r, "040", ' ', ' ');
		rec_add_sub(r, f, 'a', "VN-TVQG", 7);
		rec_add_sub(r, f, 'b', "vie", 3);
		rec_add_sub(r, f, 'f', "Bộ TK TVQG", strlen("Bộ TK TVQG"));
		f = rec_add_field(r, "100", '0', ' ');
		rec_add_sub(r, f, 'a', "Nguyễn Du,", strlen("Nguyễn Du,"));
		rec_add_sub(r, f, 'd', "1765-1820", 9);
		f = rec_add_field(r, "400", '1', ' ');
		rec_add_sub(r, f, 'a', "Nguyễn, Du,", strlen("Nguyễn, Du,"));
		rec_add_sub(r, f, 'd', "1765-1820", 9);
		struct found fo = { .n = 0 };
		lint_check(l, r, 1, collect, &fo);
		CHECKF(fo.n == 0, "authority record: %zu findings, first %s", fo.n, fo.n ? fo.rules[0] : "");
		/* undefined 008/34-37: blank or fill, each position on its own */
		rec_set_data(r, 1, "240101n| acannaabn          |a aaa ||| d", 40);
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		CHECKF(!has(&fo, "fixed-value"), "authority 008/34-37 ' |||' reported as %s", fo.rules[0]);
		/* 008/17 blank: undefined before 1986 (old LC name authorities):
		 * obsolete, a warning, not an undefined value */
		rec_set_data(r, 1, "240101n| acannaab           |a aaa     d", 40);
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		CHECKF(!has(&fo, "fixed-value"), "authority 008/17 blank reported as %s", fo.rules[0]);
		CHECK(has(&fo, "fixed-obsolete"));
		CHECK(fo.n == 1 && !strcmp(fo.last_tag, "008"));
		rec_delete_field(r, 3);   /* the 100 */
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		CHECK(has(&fo, "1xx-count"));
		rec_destroy(r);
	}

	/* authority control: the heading-* rules come from a hook (auth.h in
	 * the program); a stand-in hook here, by tag */
	{
		rec *r = rec_create();
		rec_set_leader(r, "00000nam a2200000 a 4500", 24);
		static const char *const tags[] = { "100", "600", "650", "651", "700" };
		for (int i = 0; i < 5; i++) {
			size_t f = rec_add_field(r, tags[i], '0', ' ');
			rec_add_sub(r, f, 'a', "X", 1);
		}
		struct found fo = { .n = 0 };
		lint_check(l, r, 1, collect, &fo);
		CHECK(!has(&fo, "heading-unauthorized"));            /* no hook: silent */
		lint_set_heading_hook(l, fake_heading_hook, NULL);
		lint_set_rule(l, "heading-uncontrolled", LINT_WARNING);
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		static const char *const hr[] = { "heading-unauthorized", "heading-ambiguous",
		                                  "heading-near-miss", "heading-unlinked",
		                                  "heading-uncontrolled" };
		for (int i = 0; i < 5; i++) {
			CHECKF(has(&fo, hr[i]), "hook: %s not reported", hr[i]);
			for (size_t j = 0; j < lint_nrules(); j++)
				if (!strcmp(lint_rule_at(j)->id, hr[i]) && j < 128)
					covered[j] = 1;
		}
		lint_set_heading_hook(l, NULL, NULL);
		lint_set_rule(l, "heading-uncontrolled", LINT_OFF);
		rec_destroy(r);
	}

	/* copies: callno-missing asks a hook how many live copies a record has */
	{
		rec *r = rec_create();
		rec_set_leader(r, "00000nam a2200000 a 4500", 24);
		rec_add_control(r, "001", "bm1", 3);
		size_t f = rec_add_field(r, "245", '0', '0');
		rec_add_sub(r, f, 'a', "X.", 2);
		struct found fo = { .n = 0 };
		lint_check(l, r, 1, collect, &fo);
		CHECK(!has(&fo, "callno-missing"));                   /* no hook: silent */
		lint_set_copies_hook(l, fake_copies_hook, NULL);
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		CHECK(has(&fo, "callno-missing"));                    /* copies, no 090 */
		f = rec_add_field(r, "090", ' ', ' ');
		rec_add_sub(r, f, 'a', "895.922332", 10);
		rec_add_sub(r, f, 'b', "NTT", 3);
		fo.n = 0;
		lint_check(l, r, 1, collect, &fo);
		CHECK(!has(&fo, "callno-missing"));                   /* call number present */
		for (size_t j = 0; j < lint_nrules(); j++)
			if (!strcmp(lint_rule_at(j)->id, "callno-missing") && j < 128)
				covered[j] = 1;
		lint_set_copies_hook(l, NULL, NULL);
		rec_destroy(r);
	}

	/* every rule has a case */
	for (size_t i = 0; i < lint_nrules(); i++)
		CHECKF(covered[i], "rule %s has no test case", lint_rule_at(i)->id);

	/* check-digit helpers */
	CHECK_INT(lint_isbn_valid("9786046025337", 13), 1);
	CHECK_INT(lint_isbn_valid("9786046025330", 13), 0);
	CHECK_INT(lint_isbn_valid("080442957X", 10), 1);
	CHECK_INT(lint_isbn_valid("12345", 5), -1);
	CHECK_INT(lint_issn_valid("03785955", 8), 1);
	CHECK_INT(lint_issn_valid("12345678", 8), 0);
	CHECK_INT(lint_issn_valid("1234567X", 8), 0);

	lint_destroy(l);
	lint_destroy(NULL);
	marcdef_destroy(md);
	sb_release(&err);
	DONE();
}
