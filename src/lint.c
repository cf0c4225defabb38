/*
 * lint.c - checks a MARC 21 record against the definitions (marcdef.h)
 * and against content rules: check digits, nonfiling indicators and
 * articles, dates, languages, 880 linkage, ISBD punctuation, name forms.
 *
 * Every rule has a stable id (the X-macro list below), a default
 * severity and a one-line summary; a rules file changes severities. The
 * checker never prints: findings go to the caller's callback, which gets
 * record number, tag, occurrence, subfield or position, severity, rule
 * id and a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "i18n-lower.h"

/* id, default severity, summary */
#define LINT_RULES(X) \
	X(READ, "read", ERROR, N_("the record could not be read")) \
	X(READ_WARN, "read-warning", WARNING, N_("the reader repaired or guessed something (character set, lengths)")) \
	X(FORMAT, "format", WARNING, N_("not a bibliographic or authority record: only structure is checked")) \
	X(LEADER, "leader", ERROR, N_("a Leader position holds a value MARC 21 does not define")) \
	X(TAG_INVALID, "tag-invalid", ERROR, N_("a tag is not three digits or letters")) \
	X(CONTROL, "control-field", ERROR, N_("control field (00X) and data field mixed up, or a subfield delimiter in a control field")) \
	X(TAG_UNDEF, "tag-undefined", WARNING, N_("a tag is not defined by MARC 21 (local 9XX and X9X are not reported)")) \
	X(TAG_OBS, "tag-obsolete", WARNING, N_("a tag is obsolete")) \
	X(FIELD_REPEAT, "field-repeat", ERROR, N_("a non-repeatable field occurs more than once")) \
	X(IND_INVALID, "ind-invalid", ERROR, N_("an indicator value is not defined for the field")) \
	X(IND_OBS, "ind-obsolete", WARNING, N_("an indicator value is obsolete")) \
	X(SUB_UNDEF, "sub-undefined", ERROR, N_("a subfield code is not defined for the field")) \
	X(SUB_OBS, "sub-obsolete", WARNING, N_("a subfield code is obsolete")) \
	X(SUB_REPEAT, "sub-repeat", ERROR, N_("a non-repeatable subfield occurs more than once in a field")) \
	X(SUB_MISSING, "sub-missing", ERROR, N_("a subfield the field cannot do without is missing (245 $a, 1XX $a, $2 when an indicator says the source is in $2)")) \
	X(SUB_ORDER, "sub-order", WARNING, N_("subfields out of the expected order (245 must start with $a, or $6 then $a)")) \
	X(FIELD_EMPTY, "field-empty", ERROR, N_("a field has no data or no subfields")) \
	X(SUB_EMPTY, "sub-empty", ERROR, N_("a subfield is empty")) \
	X(CONTROL_CHAR, "control-char", ERROR, N_("a control character (tab, newline ...) in the data")) \
	X(SPACE, "stray-space", WARNING, N_("a subfield begins or ends with a space, or has two spaces in a row")) \
	X(MISSING, "missing-field", ERROR, N_("a required field is missing (001, 008, 245; 1XX in authority records)")) \
	X(MISSING_FULL, "missing-full", WARNING, N_("a field expected at the record's encoding level is missing (040; 300 and 260/264 at full level)")) \
	X(ONE_1XX, "1xx-count", ERROR, N_("more than one 1XX field (or none, in an authority record)")) \
	X(FIXED_LENGTH, "fixed-length", ERROR, N_("006 or 008 has the wrong length, or 007 is too long")) \
	X(FIXED_SHORT, "fixed-short", WARNING, N_("007 is shorter than its category defines")) \
	X(FIXED_VALUE, "fixed-value", ERROR, N_("a 006/007/008 position holds a value not defined for the material type")) \
	X(FIXED_OBS, "fixed-obsolete", WARNING, N_("a 006/007/008 or Leader position holds an obsolete code")) \
	X(ISBN_CHECK, "isbn-check", ERROR, N_("020 $a ISBN has a wrong check digit")) \
	X(ISBN_FORMAT, "isbn-format", ERROR, N_("020 $a does not begin with a 10- or 13-digit ISBN")) \
	X(ISBN_QUAL, "isbn-qualifier", WARNING, N_("020 $a qualifier not separated from the ISBN by a space")) \
	X(ISBN_Z, "isbn-z-valid", WARNING, N_("020 $z holds a valid ISBN (should it be in $a?)")) \
	X(ISSN_CHECK, "issn-check", ERROR, N_("022 ISSN has a wrong check digit")) \
	X(ISSN_FORMAT, "issn-format", ERROR, N_("022 ISSN is not of the form NNNN-NNNC")) \
	X(ARTICLE, "article", WARNING, N_("nonfiling indicator does not match the initial article of the title in the record's language")) \
	X(NONFILING, "nonfiling-invalid", ERROR, N_("a nonfiling-characters indicator is not a digit")) \
	X(DATE, "date-mismatch", WARNING, N_("008/07-10 (Date 1) does not appear in 260/264 $c")) \
	X(LANG, "lang-mismatch", WARNING, N_("008/35-37 differs from the first language code in 041 $a")) \
	X(LANG_CODE, "lang-code", ERROR, N_("041 holds a language code that is not in the MARC list")) \
	X(LANG_OBS, "lang-obsolete", WARNING, N_("041 holds an obsolete language code")) \
	X(GAC, "gac-format", ERROR, N_("043 $a is not a 7-character geographic area code")) \
	X(GAC_CODE, "gac-code", ERROR, N_("043 $a is not in the MARC Code List for Geographic Areas")) \
	X(GAC_OBS, "gac-obsolete", WARNING, N_("043 $a holds a discontinued geographic area code")) \
	X(LINKAGE, "linkage", ERROR, N_("880 and $6 linkage: missing, malformed or unpaired")) \
	X(PUNCT, "punct", WARNING, N_("ISBD punctuation before a subfield is missing (245 $b ' :', $c ' /', 260/264, 300 ...)")) \
	X(PUNCT_END, "punct-end", WARNING, N_("245 does not end with a full stop")) \
	X(INITIALS, "initials", WARNING, N_("245 $c of an AACR2 record has spaced initials (\"J. R. R.\" instead of \"J.R.R.\")")) \
	X(NAME_FORM, "name-form", WARNING, N_("X00 first indicator does not match the form of the name (inverted or direct order)")) \
	X(TCVN_040B, "tcvn-040b", OFF, N_("040 $b (language of cataloging) is missing or not the profile's language (set cataloging-language; vie by default)")) \
	X(TCVN_041, "tcvn-041", OFF, N_("041 (language code) is missing")) \
	X(TCVN_082, "tcvn-082", OFF, N_("no 082 (Dewey Decimal Classification number)")) \
	X(TCVN_COUNTRY, "tcvn-country", OFF, N_("008/15-17 is blank or unknown (vm for Vietnam)")) \
	/* authority control (asked through lint_set_heading_hook; silent without a catalogue) */ \
	X(HEAD_UNAUTH, "heading-unauthorized", WARNING, N_("a heading is a see-from (4XX) form: use the authorised heading")) \
	X(HEAD_AMBIG, "heading-ambiguous", WARNING, N_("a heading matches several authority records")) \
	X(HEAD_NEAR, "heading-near-miss", WARNING, N_("a heading differs from an authorised heading only by tones, đ, case or dates")) \
	X(HEAD_UNLINKED, "heading-unlinked", WARNING, N_("a heading is authorised but not linked to its authority ($0)")) \
	X(HEAD_UNCONTROLLED, "heading-uncontrolled", OFF, N_("no authority record for a heading")) \
	/* copies (asked through lint_set_copies_hook; silent without a catalogue) */ \
	X(CALLNO_MISSING, "callno-missing", WARNING, N_("the record has copies but no call number (090, 852 $h, 092/099)"))

enum rule_id {
#define X(e, id, sev, sum) R_##e,
	LINT_RULES(X)
#undef X
	R_COUNT
};

static const lint_rule_info rules[R_COUNT] = {
#define X(e, id, sev, sum) { id, LINT_##sev, sum },
	LINT_RULES(X)
#undef X
};

size_t lint_nrules(void)
{
	return R_COUNT;
}

const lint_rule_info *lint_rule_at(size_t i)
{
	return i < R_COUNT ? &rules[i] : NULL;
}

struct linter {
	const marcdef *md;
	int sev[R_COUNT];
	char catlang[16];
	/* per-check scratch */
	int *occ;
	size_t occcap;
	strbuf msg;
	/* authority hook (heading-* rules) */
	lint_heading_fn heading_fn;
	void *heading_arg;
	/* copies hook (callno-missing) */
	lint_copies_fn copies_fn;
	void *copies_arg;
	int english;              /* messages untranslated (lint_set_english) */
};

void lint_set_english(linter *l, int on)
{
	l->english = on;
}

void lint_set_copies_hook(linter *l, lint_copies_fn fn, void *arg)
{
	l->copies_fn = fn;
	l->copies_arg = arg;
}

void lint_set_heading_hook(linter *l, lint_heading_fn fn, void *arg)
{
	l->heading_fn = fn;
	l->heading_arg = arg;
}

linter *lint_create(const marcdef *md)
{
	linter *l = xcalloc(1, sizeof *l);
	l->md = md;
	for (int i = 0; i < R_COUNT; i++)
		l->sev[i] = rules[i].severity;
	strcpy(l->catlang, "vie");
	sb_init(&l->msg);
	return l;
}

void lint_destroy(linter *l)
{
	if (!l)
		return;
	free(l->occ);
	sb_release(&l->msg);
	free(l);
}

static int rule_index(const char *id)
{
	for (int i = 0; i < R_COUNT; i++)
		if (!strcmp(rules[i].id, id))
			return i;
	return -1;
}

int lint_set_rule(linter *l, const char *rule, int severity)
{
	int i = rule_index(rule);
	if (i < 0 || severity < LINT_OFF || severity > LINT_ERROR)
		return -1;
	l->sev[i] = severity;
	return 0;
}

int lint_rule_severity(const linter *l, const char *rule)
{
	int i = rule_index(rule);
	return i < 0 ? -1 : l->sev[i];
}

int lint_set_param(linter *l, const char *name, const char *value)
{
	if (!strcmp(name, "cataloging-language") || !strcmp(name, "cataloguing-language")) {
		if (strlen(value) >= sizeof l->catlang)
			return -1;
		strcpy(l->catlang, value);
		for (char *p = l->catlang; *p; p++)      /* MARC language codes are lower case */
			*p = (char)tolower((unsigned char)*p);
		return 0;
	}
	return -1;
}

int lint_severity_parse(const char *s)
{
	if (!strcmp(s, "off"))
		return LINT_OFF;
	if (!strcmp(s, "warning") || !strcmp(s, "warn"))
		return LINT_WARNING;
	if (!strcmp(s, "error"))
		return LINT_ERROR;
	return -1;
}

const char *lint_severity_name(int sev)
{
	return sev == LINT_ERROR ? "error" : sev == LINT_WARNING ? "warning" : "off";
}

int lint_load_rules_text(linter *l, const char *name, const char *text,
                         size_t len, strbuf *err)
{
	const char *end = text + len;
	int lineno = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))   /* a BOM (Notepad) */
		text += 3;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		const char *le = nl ? nl : end;
		char line[512];
		size_t n = (size_t)(le - text);
		lineno++;
		if (n >= sizeof line) {
			sb_addf(err, _("%s:%d: line too long"), name, lineno);
			return -1;
		}
		memcpy(line, text, n);
		line[n] = 0;
		text = nl ? nl + 1 : end;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *w[4] = { 0 };
		int nw = 0;
		for (char *p = strtok(line, " \t\r"); p && nw < 4; p = strtok(NULL, " \t\r"))
			w[nw++] = p;
		if (nw == 0)
			continue;
		if (!strcmp(w[0], "set")) {
			if (nw != 3 || lint_set_param(l, w[1], w[2]) < 0) {
				sb_addf(err, _("%s:%d: 'set NAME VALUE' with a known parameter expected"),
				        name, lineno);
				return -1;
			}
			continue;
		}
		int sev = nw == 2 ? lint_severity_parse(w[1]) : -1;
		if (sev < 0) {
			sb_addf(err, _("%s:%d: 'RULE off|warning|error' expected"), name, lineno);
			return -1;
		}
		if (!strcmp(w[0], "all")) {
			for (int i = 0; i < R_COUNT; i++)
				if (i != R_READ)
					l->sev[i] = sev;
			continue;
		}
		if (lint_set_rule(l, w[0], sev) < 0) {
			sb_addf(err, _("%s:%d: no rule '%s' (see 'bienmuc lint --list-rules')"),
			        name, lineno, w[0]);
			return -1;
		}
	}
	return 0;
}

int lint_load_rules(linter *l, const char *path, strbuf *err)
{
	strbuf sb = STRBUF_INIT;
	int got = sb_read_file(&sb, path);
	if (got < 0) {                 /* -2: opened but not read (a directory, ...) */
		sb_addf(err, got == -1 ? _("cannot open '%s': %s") : _("cannot read '%s': %s"), path,
		        strerror(errno));
		sb_release(&sb);
		return -1;
	}
	int rc = lint_load_rules_text(l, path, sb.buf ? sb.buf : "", sb.len, err);
	sb_release(&sb);
	return rc;
}

/* ------------------------------------------------------------------ */
/* check digits */

int lint_isbn_valid(const char *d, size_t n)
{
	if (n == 10) {
		int sum = 0;
		for (int i = 0; i < 10; i++) {
			int v;
			if (isdigit((unsigned char)d[i]))
				v = d[i] - '0';
			else if (i == 9 && (d[i] == 'X' || d[i] == 'x'))
				v = 10;
			else
				return -1;
			sum += v * (10 - i);
		}
		return sum % 11 == 0;
	}
	if (n == 13) {
		int sum = 0;
		for (int i = 0; i < 13; i++) {
			if (!isdigit((unsigned char)d[i]))
				return -1;
			sum += (d[i] - '0') * (i % 2 ? 3 : 1);
		}
		return sum % 10 == 0;
	}
	return -1;
}

int lint_issn_valid(const char *d, size_t n)
{
	if (n != 8)
		return -1;
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int v;
		if (isdigit((unsigned char)d[i]))
			v = d[i] - '0';
		else if (i == 7 && (d[i] == 'X' || d[i] == 'x'))
			v = 10;
		else
			return -1;
		sum += v * (8 - i);
	}
	return sum % 11 == 0;
}

/* ------------------------------------------------------------------ */
/* the check */

struct ctx {
	linter *l;
	const rec *r;
	long recno;
	lint_cb cb;
	void *arg;
	size_t count;
	int fmt;                  /* MD_BIB, MD_AUTH, -1 other */
	const char *leader;
	int isbd;                 /* ISBD punctuation expected (Leader/18) */
};

static void report(struct ctx *c, int rule, long f, char sub, int pos,
                   const char *fmt, ...) BM_PRINTF(6, 7);
static void report(struct ctx *c, int rule, long f, char sub, int pos,
                   const char *fmt, ...)
{
	linter *l = c->l;
	if (l->sev[rule] == LINT_OFF)
		return;
	va_list ap;
	sb_reset(&l->msg);
	va_start(ap, fmt);
	sb_vaddf(&l->msg, l->english ? fmt : _(fmt), ap);   /* fmt: N_() at the call */
	va_end(ap);
	lint_finding fd = {
		.record = c->recno,
		.tag = "",
		.occurrence = 0,
		.subfield = sub,
		.position = pos,
		.field = f,
		.severity = l->sev[rule],
		.rule = rules[rule].id,
		.message = l->msg.buf,
	};
	char tag[4];
	if (f >= 0) {
		memcpy(tag, rec_tag(c->r, (size_t)f), 4);
		fd.tag = tag;
		fd.occurrence = l->occ[f];
	} else if (pos >= 0) {
		fd.tag = "LDR";
	}
	c->count++;
	c->cb(&fd, c->arg);
}

/* A rule that applies to a tag other than a field's: 008 missing etc. */
static void report_tag(struct ctx *c, int rule, const char *tag, const char *fmt, ...)
	BM_PRINTF(4, 5);
static void report_tag(struct ctx *c, int rule, const char *tag, const char *fmt, ...)
{
	linter *l = c->l;
	if (l->sev[rule] == LINT_OFF)
		return;
	va_list ap;
	sb_reset(&l->msg);
	va_start(ap, fmt);
	sb_vaddf(&l->msg, l->english ? fmt : _(fmt), ap);   /* fmt: N_() at the call */
	va_end(ap);
	lint_finding fd = {
		.record = c->recno, .tag = tag, .occurrence = 0, .subfield = 0,
		.position = -1, .field = -1, .severity = l->sev[rule],
		.rule = rules[rule].id, .message = l->msg.buf,
	};
	c->count++;
	c->cb(&fd, c->arg);
}

size_t lint_report_unreadable(linter *l, long recno, const char *why,
                              lint_cb cb, void *arg)
{
	struct ctx c = { .l = l, .recno = recno, .cb = cb, .arg = arg, .fmt = -1 };
	report_tag(&c, R_READ, "", "%s", why);
	return c.count;
}

size_t lint_report_read_warning(linter *l, long recno, const char *why,
                                lint_cb cb, void *arg)
{
	struct ctx c = { .l = l, .recno = recno, .cb = cb, .arg = arg, .fmt = -1 };
	report_tag(&c, R_READ_WARN, "", "%s", why);
	return c.count;
}

static int is_local_tag(const char *tag)
{
	return tag[0] == '9' || tag[1] == '9';
}

/* A message fragment in the linter's language (N_() at the call). */
static const char *tr(const linter *l, const char *s)
{
	return l->english ? s : _(s);
}

/* Describe a character for messages: 'x', or blank, or a hex byte. */
static const char *show(const linter *l, char ch, char buf[8])
{
	if (ch == ' ')
		return tr(l, N_("blank"));
	if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
		snprintf(buf, 8, "0x%02X", (unsigned char)ch);
	else
		snprintf(buf, 8, "'%c'", ch);
	return buf;
}

/* "0, 1 or 2" / "blank" list of an indicator's allowed values. */
static void ind_allowed(const linter *l, const md_field *fd, int n, strbuf *sb)
{
	const md_indicator *ind = &fd->ind[n - 1];
	if (ind->undefined) {
		sb_adds(sb, tr(l, N_("blank")));
		return;
	}
	/* current values only: obsolete ones are defined so that they can be
	 * reported as obsolete, but they are not to be suggested */
	size_t cur = 0, k = 0;
	for (size_t i = 0; i < ind->ncodes; i++)
		cur += !ind->codes[i].obsolete;
	for (size_t i = 0; i < ind->ncodes; i++) {
		if (ind->codes[i].obsolete)
			continue;
		if (k++)
			sb_adds(sb, k == cur ? tr(l, N_(" or ")) : ", ");
		if (ind->codes[i].code[0] == ' ')
			sb_adds(sb, tr(l, N_("blank")));
		else
			sb_addc(sb, ind->codes[i].code[0]);
	}
}

/* ---- fixed fields ---- */

static void check_positions(struct ctx *c, long f, const char *tag, const char *data,
                            size_t len, const md_pos **pos, size_t npos, int ldr)
{
	const marcdef *md = c->l->md;
	char buf[8];
	for (size_t i = 0; i < npos; i++) {
		const md_pos *p = pos[i];
		if ((size_t)(p->start + p->len) > len)
			continue;
		const char *v = data + p->start;
		if (ldr && ((p->start >= 0 && p->start <= 4) || (p->start >= 12 && p->start <= 16)))
			continue;         /* computed by the writer */
		if (!marcdef_pos_valid(md, p, v)) {
			int rule = ldr ? R_LEADER : R_FIXED_VALUE;
			if (p->len == 1)
				report(c, rule, f, 0, p->start, N_("%s/%02d (%s): %s is not a defined value"),
				       tag, p->start, p->name, show(c->l, *v, buf));
			else
				report(c, rule, f, 0, p->start, N_("%s/%02d-%02d (%s): '%.*s' is not a defined value"),
				       tag, p->start, p->start + p->len - 1, p->name, p->len, v);
			continue;
		}
		const md_code *code = NULL;
		if (p->kind == MDP_LIST) {
			char key[16];
			if (p->len < (int)sizeof key) {
				memcpy(key, v, (size_t)p->len);
				key[p->len] = 0;
				code = marcdef_code(md, p->list, key);
			}
		} else if (p->kind == MDP_CODE)
			code = marcdef_pos_code(p, v);
		if (code && code->obsolete)
			report(c, R_FIXED_OBS, f, 0, p->start, N_("%s/%02d (%s): '%.*s' (%s) is obsolete"),
			       tag, p->start, p->name, p->len, v, code->name ? code->name : "");
	}
}

static void check_leader(struct ctx *c)
{
	const md_pos *pos[64];
	int fmt = c->fmt < 0 ? MD_BIB : c->fmt;
	size_t n = marcdef_positions(c->l->md, fmt, "LDR", c->leader, NULL, pos, 64);
	if (n > 64)
		n = 64;
	if (c->fmt < 0) {
		/* Unknown type: check only the structural positions. */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (pos[i]->start >= 10 && pos[i]->start != 17 && pos[i]->start != 18 &&
			    pos[i]->start != 19 && pos[i]->start != 12)
				pos[k++] = pos[i];
		n = k;
	}
	check_positions(c, -1, "Leader", c->leader, REC_LEADER_LEN, pos, n, 1);
}

static void check_fixed(struct ctx *c, size_t f, const char *tag)
{
	size_t len;
	const char *data = rec_data(c->r, f, &len);
	if (!data)
		return;
	const marcdef *md = c->l->md;
	const md_pos *pos[64];
	char buf[8];
	if (!strcmp(tag, "008")) {
		if (len != 40) {
			report(c, R_FIXED_LENGTH, (long)f, 0, -1,
			       N_("008 must be 40 characters long, but it has %zu"), len);
			if (len < 40)
				return;
		}
		size_t n = marcdef_positions(md, c->fmt, "008", c->leader, data, pos, 64);
		check_positions(c, (long)f, "008", data, len, pos, n > 64 ? 64 : n, 0);
	} else if (!strcmp(tag, "006")) {
		if (len != 18)
			report(c, R_FIXED_LENGTH, (long)f, 0, -1,
			       N_("006 must be 18 characters long, but it has %zu"), len);
		if (!len)
			return;
		size_t n = marcdef_positions(md, c->fmt, "006", c->leader, data, pos, 64);
		if (!n) {
			report(c, R_FIXED_VALUE, (long)f, 0, 0,
			       N_("006/00 (Form of material): %s is not a defined value"), show(c->l, data[0], buf));
			return;
		}
		check_positions(c, (long)f, "006", data, len, pos, n > 64 ? 64 : n, 0);
	} else if (!strcmp(tag, "007")) {
		if (!len)
			return;
		size_t n = marcdef_positions(md, c->fmt, "007", c->leader, data, pos, 64);
		if (!n) {
			report(c, R_FIXED_VALUE, (long)f, 0, 0,
			       N_("007/00 (Category of material): %s is not a defined value"), show(c->l, data[0], buf));
			return;
		}
		if (n > 64)
			n = 64;
		size_t max = 0;
		for (size_t i = 0; i < n; i++)
			if ((size_t)(pos[i]->start + pos[i]->len) > max)
				max = (size_t)(pos[i]->start + pos[i]->len);
		if (len > max)
			report(c, R_FIXED_LENGTH, (long)f, 0, -1,
			       N_("007 for category '%c' has at most %zu characters, but it has %zu"),
			       data[0], max, len);
		else if (len < max)
			report(c, R_FIXED_SHORT, (long)f, 0, -1,
			       N_("007 for category '%c' defines %zu characters, but it has %zu"),
			       data[0], max, len);
		check_positions(c, (long)f, "007", data, len, pos, n, 0);
	}
}

/* ---- subfield helpers ---- */

static const char *sub(const rec *r, size_t f, size_t s, size_t *len)
{
	return rec_sub_value(r, f, s, len);
}

static int ends_with(const char *v, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(v + n - k, suffix, k);
}

/* ---- 020 / 022 ---- */

static void check_020(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	for (size_t s = 0; s < rec_nsub(r, f); s++) {
		char code = rec_sub_code(r, f, s);
		if (code != 'a' && code != 'z')
			continue;
		size_t n;
		const char *v = sub(r, f, s, &n);
		char d[32];
		size_t k = 0, i = 0;
		while (i < n && v[i] == ' ')
			i++;
		size_t start = i;
		for (; i < n && k < sizeof d - 1; i++) {
			if (isdigit((unsigned char)v[i]) || v[i] == 'X' || v[i] == 'x')
				d[k++] = v[i];
			else if (v[i] != '-')
				break;
		}
		d[k] = 0;
		if (code == 'z') {
			if (lint_isbn_valid(d, k) == 1 && (k == 10 || k == 13))
				report(c, R_ISBN_Z, (long)f, 'z', -1,
				       N_("$z (canceled/invalid ISBN) %.*s has a valid check digit"), (int)k, d);
			continue;
		}
		if (k != 10 && k != 13) {
			report(c, R_ISBN_FORMAT, (long)f, 'a', -1,
			       N_("$a should begin with a 10- or 13-digit ISBN: '%.*s'"), (int)n, v);
			continue;
		}
		if (memchr(v + start, '-', i - start))
			report(c, R_ISBN_FORMAT, (long)f, 'a', -1,
			       N_("the ISBN in $a should be written without hyphens: '%.*s'"), (int)n, v);
		if (i < n && v[i] == '(')
			report(c, R_ISBN_QUAL, (long)f, 'a', -1,
			       N_("the qualifier after the ISBN should be preceded by a space: '%.*s'"), (int)n, v);
		if (start > 0)
			report(c, R_ISBN_FORMAT, (long)f, 'a', -1,
			       N_("$a should begin with the ISBN: '%.*s'"), (int)n, v);
		int ok = lint_isbn_valid(d, k);
		if (ok == 0) {
			/* compute the right check digit for the message */
			char good = '?';
			if (k == 13) {
				int sum = 0;
				for (int j = 0; j < 12; j++)
					sum += (d[j] - '0') * (j % 2 ? 3 : 1);
				good = (char)('0' + (10 - sum % 10) % 10);
			} else {
				int sum = 0;
				for (int j = 0; j < 9; j++)
					sum += (d[j] - '0') * (10 - j);
				int cd = (11 - sum % 11) % 11;
				good = cd == 10 ? 'X' : (char)('0' + cd);
			}
			report(c, R_ISBN_CHECK, (long)f, 'a', -1,
			       N_("ISBN %s has a wrong check digit (%d digits; it should end in %c)"),
			       d, (int)k, good);
		} else if (ok < 0) {
			report(c, R_ISBN_FORMAT, (long)f, 'a', -1,
			       N_("$a should begin with a 10- or 13-digit ISBN: '%.*s'"), (int)n, v);
		}
	}
}

static void check_022(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	for (size_t s = 0; s < rec_nsub(r, f); s++) {
		char code = rec_sub_code(r, f, s);
		if (code != 'a' && code != 'l')
			continue;
		size_t n;
		const char *v = sub(r, f, s, &n);
		char d[16];
		size_t k = 0;
		int ok_form = n >= 9 && v[4] == '-';
		for (size_t i = 0; i < n && i < 9; i++) {
			if (i == 4)
				continue;
			if (k < 8)
				d[k++] = v[i];
		}
		d[k] = 0;
		if (!ok_form || (n > 9 && v[9] != ' ')) {
			report(c, R_ISSN_FORMAT, (long)f, code, -1,
			       N_("ISSN '%.*s' is not of the form NNNN-NNNC"), (int)n, v);
			continue;
		}
		int ok = lint_issn_valid(d, k);
		if (ok < 0)
			report(c, R_ISSN_FORMAT, (long)f, code, -1,
			       N_("ISSN '%.*s' is not of the form NNNN-NNNC"), (int)n, v);
		else if (!ok)
			report(c, R_ISSN_CHECK, (long)f, code, -1,
			       N_("ISSN %.9s has a wrong check digit"), v);
	}
}

/* ---- 041 / 043 ---- */

static void check_041(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	if (rec_ind(r, f, 2) == '7')
		return;
	for (size_t s = 0; s < rec_nsub(r, f); s++) {
		char code = rec_sub_code(r, f, s);
		if (!isalpha((unsigned char)code))
			continue;
		size_t n;
		const char *v = sub(r, f, s, &n);
		if (n == 0)
			continue;
		if (n % 3) {
			report(c, R_LANG_CODE, (long)f, code, -1,
			       N_("'%.*s' is not a three-letter language code (or a run of them)"), (int)n, v);
			continue;
		}
		for (size_t i = 0; i + 3 <= n; i += 3) {
			char key[4] = { v[i], v[i + 1], v[i + 2], 0 };
			const md_code *lc = marcdef_code(c->l->md, "lang", key);
			if (!lc)
				report(c, R_LANG_CODE, (long)f, code, -1,
				       N_("'%s' is not a MARC language code"), key);
			else if (lc->obsolete)
				report(c, R_LANG_OBS, (long)f, code, -1,
				       N_("'%s' (%s) is an obsolete language code"), key, lc->name);
		}
	}
}

static void check_043(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	for (size_t s = 0; s < rec_nsub(r, f); s++) {
		if (rec_sub_code(r, f, s) != 'a')
			continue;
		size_t n;
		const char *v = sub(r, f, s, &n);
		int ok = n == 7;
		for (size_t i = 0; ok && i < 7; i++)
			if (!islower((unsigned char)v[i]) && v[i] != '-')
				ok = 0;
		if (!ok) {
			report(c, R_GAC, (long)f, 'a', -1,
			       N_("'%.*s' is not a 7-character geographic area code (like a-vt---)"), (int)n, v);
			continue;
		}
		/* $a is always MARC's list ($2 names the source of $b only);
		 * without the list (an old definitions directory) the form
		 * check above is all there is */
		if (!marcdef_codelist(c->l->md, "gac"))
			continue;
		char key[8];
		memcpy(key, v, 7);
		key[7] = 0;
		const md_code *gc = marcdef_code(c->l->md, "gac", key);
		if (!gc)
			report(c, R_GAC_CODE, (long)f, 'a', -1,
			       N_("'%s' is not a MARC geographic area code"), key);
		else if (gc->obsolete)
			report(c, R_GAC_OBS, (long)f, 'a', -1,
			       N_("'%s' (%s) is a discontinued geographic area code"), key, gc->name);
	}
}

/* ---- titles: nonfiling indicators and articles ---- */

struct article {
	const char *word;         /* lowercase, with the apostrophe when elided */
	const char *langs;
};

static const struct article articles[] = {
	{ "a", "eng glg hun por" }, { "an", "eng" }, { "the", "eng" },
	{ "das", "ger" }, { "dem", "ger" }, { "der", "ger" }, { "die", "ger" },
	{ "ein", "ger" }, { "eine", "ger" }, { "einem", "ger" }, { "einen", "ger" },
	{ "einer", "ger" }, { "eines", "ger" },
	{ "el", "spa" }, { "els", "cat" }, { "en", "cat dan nor swe" }, { "et", "dan nor" },
	{ "ett", "swe" }, { "det", "dan nor swe" }, { "den", "dan nor swe" },
	{ "gl'", "ita" }, { "gli", "ita" }, { "i", "ita" }, { "il", "ita mlt" },
	{ "l'", "cat fre ita mlt" }, { "la", "cat fre ita spa" }, { "las", "spa" },
	{ "le", "fre ita" }, { "les", "cat fre" }, { "lo", "ita spa" }, { "los", "spa" },
	{ "o", "por" }, { "os", "por" }, { "as", "por" },
	{ "um", "por" }, { "uma", "por" }, { "un", "cat spa fre ita rum" },
	{ "una", "cat spa ita" }, { "une", "fre" }, { "uno", "ita" }, { "un'", "ita" },
	{ "de", "dut" }, { "het", "dut" }, { "een", "dut" }, { "'t", "dut" },
	{ "ho", "grc" }, { "he", "grc" }, { "to", "grc" },
	{ NULL, NULL },
};

/* Titles that begin with an article-like word that is not an article. */
static const char *const article_exceptions[] = {
	"a & e", "a & ", "a-", "a+", "a is ", "a isn't ", "a l'", "a la ",
	"a posteriori", "a priori", "a to ", "el nino", "el salvador", "l is ",
	"l-", "la salle", "las vegas", "lo cual", "lo mein", "lo que",
	"los alamos", "los angeles", NULL,
};

/* Languages without articles: a nonzero nonfiling indicator on a title
 * in one of them that begins with no article of another language is
 * surely wrong. For a language neither here nor in articles[] (Welsh,
 * Arabic, Hebrew...) lint cannot tell, and says nothing. */
static const char article_free[] =
	"vie chi jpn kor tha lao khm bur rus ukr bel pol cze slo slv hrv srp bos "
	"bul mac lit lav est fin lat ind may tgl";

static int lang_has(const char *langs, const char *lang)
{
	size_t n = strlen(lang);
	for (const char *p = langs; (p = strstr(p, lang)); p += n)
		if ((p == langs || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* Record language from 008/35-37 (bibliographic), or "" if unknown. */
static void record_lang(struct ctx *c, char out[4])
{
	out[0] = 0;
	const char *d = rec_get_control(c->r, "008");
	if (!d || strlen(d) < 38)
		return;
	if (!islower((unsigned char)d[35]) || !islower((unsigned char)d[36]) ||
	    !islower((unsigned char)d[37]))
		return;
	memcpy(out, d + 35, 3);
	out[3] = 0;
}

static void check_article(struct ctx *c, size_t f, const char *tag)
{
	const rec *r = c->r;
	int which = (!strcmp(tag, "130") || !strcmp(tag, "630") || !strcmp(tag, "730") ||
	             !strcmp(tag, "740")) ? 1 : 2;
	char ind = rec_ind(r, f, which);
	char buf[8];
	if (!isdigit((unsigned char)ind)) {
		report(c, R_NONFILING, (long)f, 0, -1,
		       N_("indicator %d (nonfiling characters) must be a digit, not %s"),
		       which, show(c->l, ind, buf));
		return;
	}
	long s = rec_find_sub(r, f, 'a');
	if (s < 0)
		return;
	size_t n;
	const char *t = sub(r, f, (size_t)s, &n);
	char lang[4];
	record_lang(c, lang);
	/* Uniform and series titles are in the language of the work, not of
	 * the record: any language's articles count there. */
	int any = strcmp(tag, "245") || !lang[0] || !strcmp(lang, "mul") ||
	          !strcmp(lang, "und") || !marcdef_code(c->l->md, "lang", lang);
	char rlang[4];            /* the record's language, when it is coded */
	memcpy(rlang, lang, sizeof rlang);
	if (!lang[0] || !strcmp(lang, "mul") || !strcmp(lang, "und") ||
	    !marcdef_code(c->l->md, "lang", lang))
		rlang[0] = 0;
	if (any && strcmp(tag, "245"))
		lang[0] = 0;
	/* leading punctuation counts as nonfiling only before an article
	 * (a leading space is stray-space's business) */
	size_t lead = 0;
	while (lead < n && strchr("\"'[(* ", t[lead]))
		lead++;
	/* first word, lowercased (ASCII letters only: articles are ASCII) */
	char word[16];
	size_t w = 0, i = lead;
	while (i < n && w < sizeof word - 1 && !strchr(" ()[]\"-", t[i])) {
		if (t[i] == '\'') {
			word[w++] = '\'';
			i++;
			break;
		}
		word[w++] = (char)tolower((unsigned char)t[i]);
		i++;
	}
	word[w] = 0;
	const struct article *art = NULL;
	for (const struct article *a = articles; a->word; a++)
		if (!strcmp(a->word, word) && (any || lang_has(a->langs, lang)))
			art = a;
	if (art) {
		char low[24];
		size_t k;
		for (k = 0; k < n && k < sizeof low - 1; k++)
			low[k] = (char)tolower((unsigned char)t[k]);
		low[k] = 0;
		for (const char *const *e = article_exceptions; *e; e++)
			if (!strncmp(low, *e, strlen(*e)))
				art = NULL;
	}
	int expect;
	if (art) {
		size_t cnt = i;       /* lead + word (+ apostrophe) */
		if (word[w ? w - 1 : 0] != '\'') {
			/* the separator and any punctuation before the next word */
			while (cnt < n && strchr(" \"'[]()*", t[cnt]))
				cnt++;
		}
		expect = (int)cnt;
		if (expect > 9)
			expect = 9;
	} else
		expect = 0;
	if (ind - '0' == expect)
		return;
	if (!strcmp(word, "en") && (ind == '0' || ind == '3'))
		return;               /* "en" is also a preposition */
	if (art && ind == '0' && rlang[0] && strcmp(tag, "245")) {
		/* a series or uniform title with indicator 0 whose first word
		 * is an article only in other languages than the record's
		 * ("De Gruyter studies", "I can read book", "LA conference
		 * series" in English records): most likely not an article */
		int in_rlang = 0;
		for (const struct article *a = articles; a->word; a++)
			if (!strcmp(a->word, word) && lang_has(a->langs, rlang))
				in_rlang = 1;
		if (!in_rlang)
			return;
	}
	if (!art && ind != '0') {
		/* The title may be in another language than the record (an
		 * English title on a Spanish film, a Latin one on a Greek
		 * dictionary): an article of any language whose length the
		 * indicator matches is taken as the cataloguer's reading. Not in
		 * a record in a language without articles, where the word is
		 * more likely its own ("La Sơn phu tử", "Den"), unless it is
		 * English 'the'. */
		size_t cnt = i;
		if (w && word[w - 1] != '\'')
			while (cnt < n && strchr(" \"'[]()*", t[cnt]))
				cnt++;
		int foreign_ok = !lang[0] || !lang_has(article_free, lang) || !strcmp(word, "the");
		for (const struct article *a = articles; foreign_ok && a->word; a++)
			if (!strcmp(a->word, word) && (size_t)(ind - '0') == (cnt > 9 ? 9 : cnt))
				return;
		if (lang[0]) {
			int known = lang_has(article_free, lang);
			for (const struct article *a = articles; !known && a->word; a++)
				known = lang_has(a->langs, lang);
			if (!known)
				return;
		}
	}
	if (art)
		report(c, R_ARTICLE, (long)f, 0, -1,
		       N_("title begins with the article '%s' (%s); indicator %d should be %d, not %c"),
		       word, any ? tr(c->l, N_("language not coded")) : lang, which, expect, ind);
	else if (lang[0])
		report(c, R_ARTICLE, (long)f, 0, -1,
		       N_("title does not begin with an article of %s; indicator %d should be 0, not %c"),
		       lang, which, ind);
	else
		report(c, R_ARTICLE, (long)f, 0, -1,
		       N_("title does not begin with an article; indicator %d should be 0, not %c"),
		       which, ind);
}

/* ---- 245 ---- */

/* The last few characters of v as ASCII punctuation, for the ISBD checks:
 * invisible bidirectional marks that right-to-left 880 fields carry after
 * their punctuation (LRM/RLM, ALM, embeddings, isolates) are skipped, and
 * the Arabic comma and semicolon and the full-width CJK marks with the
 * ideographic space count as their ASCII forms ("\u062a\u0647\u0631\u0627\u0646 :\u200f",
 * "\u5317\u97d3\u3000\uff0f" end in " :" and " /"). Other letters become 'x'.
 * A line break with its indentation at the end ("Title /\n    ", from
 * pretty-printed MARCXML) is not looked at: control-char reports it. */
static size_t punct_tail(const char *v, size_t n, char out[8])
{
	char rev[8];
	size_t k = 0;
	size_t e = n;
	int brk = 0;
	while (e && (v[e - 1] == ' ' || v[e - 1] == '\n' || v[e - 1] == '\r' || v[e - 1] == '\t'))
		brk |= v[--e] != ' ';
	if (brk)
		n = e;
	while (n && k < sizeof rev) {
		size_t st = n - 1;
		while (st > 0 && n - st < 4 && ((unsigned char)v[st] & 0xC0) == 0x80)
			st--;
		const unsigned char *u = (const unsigned char *)v + st;
		size_t len = n - st;
		unsigned long cp = u[0];
		if (len == 2 && (u[0] & 0xE0) == 0xC0)
			cp = ((u[0] & 0x1Ful) << 6) | (u[1] & 0x3F);
		else if (len == 3 && (u[0] & 0xF0) == 0xE0)
			cp = ((u[0] & 0x0Ful) << 12) | ((u[1] & 0x3Ful) << 6) | (u[2] & 0x3F);
		else if (len > 1)
			cp = 0xFFFD;
		n = st;
		if (cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			continue;
		char a;
		switch (cp) {
		case 0x3000: a = ' '; break;
		case 0x060C: case 0xFF0C: case 0x3001: a = ','; break;
		case 0x061B: case 0xFF1B: a = ';'; break;
		case 0xFF1A: a = ':'; break;
		case 0xFF0F: a = '/'; break;
		case 0xFF1D: a = '='; break;
		case 0xFF0E: case 0x3002: a = '.'; break;
		case 0xFF1F: case 0x061F: a = '?'; break;
		case 0xFF01: a = '!'; break;
		default: a = cp < 0x80 ? (char)cp : 'x'; break;
		}
		rev[k++] = a;
	}
	for (size_t i = 0; i < k; i++)
		out[i] = rev[k - 1 - i];
	return k;
}

static size_t letter_len(const char *p, size_t n)
{
	if (!n)
		return 0;
	unsigned char ch = (unsigned char)*p;
	if (isalpha(ch))
		return 1;
	if (ch < 0xC0)
		return 0;
	size_t k = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			return 0;
	return k;
}

/* The code point of the UTF-8 sequence at p of length len (letter_len). */
static unsigned long cp_of(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	switch (len) {
	case 1: return u[0];
	case 2: return ((u[0] & 0x1Ful) << 6) | (u[1] & 0x3F);
	case 3: return ((u[0] & 0x0Ful) << 12) | ((u[1] & 0x3Ful) << 6) | (u[2] & 0x3F);
	}
	return ((u[0] & 0x07ul) << 18) | ((u[1] & 0x3Ful) << 12) | ((u[2] & 0x3Ful) << 6) |
	       (u[3] & 0x3F);
}

/* Length of a capital letter of the Latin script at p (A-Z, the capitals
 * of Latin-1, Latin Extended-A, Vietnamese Ơ/Ư and Latin Extended
 * Additional: "É", "Ł", "Ấ"), with any combining marks after it; 0 for
 * anything else (a small letter, a digit, Cyrillic, Greek, Hebrew ...). */
static size_t latin_capital_len(const char *p, size_t n)
{
	size_t k = letter_len(p, n);
	if (!k)
		return 0;
	unsigned long cp = cp_of(p, k);
	int cap = (cp >= 'A' && cp <= 'Z') ||
	          (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	          (cp >= 0x100 && cp <= 0x137 && !(cp & 1)) ||
	          (cp >= 0x139 && cp <= 0x148 && (cp & 1)) ||
	          (cp >= 0x14A && cp <= 0x177 && !(cp & 1)) ||
	          cp == 0x178 || cp == 0x179 || cp == 0x17B || cp == 0x17D ||
	          cp == 0x1A0 || cp == 0x1AF ||
	          (cp >= 0x1E00 && cp <= 0x1EFF && !(cp & 1) && !(cp >= 0x1E96 && cp <= 0x1E9D));
	if (!cap)
		return 0;
	for (size_t m; k + 2 <= n && (m = letter_len(p + k, n - k)) == 2 &&
	     cp_of(p + k, 2) >= 0x300 && cp_of(p + k, 2) <= 0x36F;)
		k += m;
	return k;
}

/* The record says it follows RDA (040 $e rda). */
static int is_rda(const rec *r)
{
	for (long f = rec_find(r, "040", 0); f >= 0; f = rec_find(r, "040", (size_t)f + 1))
		for (size_t s = 0; s < rec_nsub(r, (size_t)f); s++) {
			size_t n;
			const char *v = rec_sub_value(r, (size_t)f, s, &n);
			if (rec_sub_code(r, (size_t)f, s) == 'e' && n == 3 &&
			    tolower((unsigned char)v[0]) == 'r' && tolower((unsigned char)v[1]) == 'd' &&
			    tolower((unsigned char)v[2]) == 'a')
				return 1;
		}
	return 0;
}

/* Spaced initials in 245 $c ("J. R. R. Tolkien" for "J.R.R. Tolkien").
 * Closing them up is an AACR2 convention, LCRI 1.0C ("record initials
 * ... without internal spaces, regardless of how they are presented in
 * the source"), so it is checked only where it applies and is reliable:
 * - records that say they are AACR2 (Leader/18 a). Not RDA (040 $e rda):
 *   RDA transcribes the statement of responsibility as it appears on the
 *   source (RDA 1.7, 2.4.1.4); closing up initials there is the policy of
 *   some agencies (LC-PCC PS 1.7.1), not a rule of RDA. Not where Leader/18
 *   does not say AACR2 (blank, c, i, n, u): pre-AACR2 records spaced
 *   initials (LC's old records: "By S. H. Aurand"), and an 'i' record
 *   is ISBD under other rules (RDA, national ones);
 * - Latin-script capital letters only ("A. B.", "É. Z."): Russian
 *   cataloguing spaces Cyrillic initials (the Russian State Library's
 *   "А. А."), LCRI 1.0C is about the Latin-script (romanized) record, and
 *   other scripts have no such initials; a small letter with a full stop
 *   is an abbreviation ("D. v. Pfaff": von; "t. 1."), not an initial;
 * - each initial begins a word: "ha-R. E." (a prefix, romanized Hebrew)
 *   and "l'A." are not initials;
 * - not where the cataloguer corrected the source ("[i.e. ...]"). */
static void check_initials(struct ctx *c, size_t f, const char *v, size_t vn)
{
	if (c->leader[18] != 'a' || is_rda(c->r))
		return;
	for (size_t i = 0; i + 5 <= vn; i++)
		if (!memcmp(v + i, "[i.e.", 5))
			return;
	for (size_t i = 0; i < vn; i++) {
		if (i && (isalnum((unsigned char)v[i - 1]) || (unsigned char)v[i - 1] >= 0x80 ||
		          v[i - 1] == '-' || v[i - 1] == '\''))
			continue;
		size_t a = latin_capital_len(v + i, vn - i);
		if (!a || i + a + 2 >= vn || v[i + a] != '.' || v[i + a + 1] != ' ')
			continue;
		size_t j = i + a + 2;
		size_t b = latin_capital_len(v + j, vn - j);
		if (!b || j + b >= vn || v[j + b] != '.')
			continue;
		if (j + b + 1 < vn && letter_len(v + j + b + 1, vn - j - b - 1))
			continue;
		report(c, R_INITIALS, (long)f, 'c', -1,
		       N_("initials in $c should not be spaced: '%.*s'"), (int)(j + b + 1 - i), v + i);
		return;
	}
}

static void check_245(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	size_t ns = rec_nsub(r, f);
	if (rec_find_sub(r, f, 'a') < 0)
		report(c, R_SUB_MISSING, (long)f, 'a', -1, N_("245 must have a subfield $a (title)"));
	if (!ns)
		return;
	size_t first = 0;
	if (rec_sub_code(r, f, 0) == '6')
		first = 1;
	if (first < ns && rec_sub_code(r, f, first) != 'a')
		report(c, R_SUB_ORDER, (long)f, rec_sub_code(r, f, first), -1,
		       N_("the first subfield%s must be $a, not $%c"), first ? " after $6" : "",
		       rec_sub_code(r, f, first));
	if (first == 1 && ns < 2)
		report(c, R_SUB_ORDER, (long)f, '6', -1, N_("245 has only a $6"));
	if (c->leader[18] == 'c' || c->leader[18] == 'n')
		return;               /* punctuation omitted by declaration */
	size_t n;
	char tail[8];
	const char *last = sub(r, f, ns - 1, &n);
	n = punct_tail(last, n, tail);
	last = tail;
	if (!n || !strchr(".?!", last[n - 1]))
		report(c, R_PUNCT_END, (long)f, rec_sub_code(r, f, ns - 1), -1,
		       N_("245 should end with a full stop (.)"));
	int c_seen = 0;
	for (size_t s = 1; s < ns; s++) {
		char code = rec_sub_code(r, f, s);
		size_t pn, vn;
		char ptail[8];
		const char *prev = sub(r, f, s - 1, &pn);
		pn = punct_tail(prev, pn, ptail);
		prev = ptail;
		const char *v = sub(r, f, s, &vn);
		char pcode = rec_sub_code(r, f, s - 1);
		if (pcode == '6')
			continue;
		switch (code) {
		case 'b':
			if (c->isbd && !(ends_with(prev, pn, " :") || ends_with(prev, pn, " ;") ||
			      ends_with(prev, pn, " =")))
				report(c, R_PUNCT, (long)f, 'b', -1,
				       N_("$b should be preceded by ' :', ' ;' or ' =' (ISBD)"));
			break;
		case 'c':
			if (c_seen++)
				break;
			if (c->isbd && !(pn >= 2 && prev[pn - 1] == '/' && isspace((unsigned char)prev[pn - 2])))
				report(c, R_PUNCT, (long)f, 'c', -1,
				       N_("$c should be preceded by ' /' (ISBD)"));
			check_initials(c, f, v, vn);
			break;
		case 'h':
			if (c->isbd && pn && prev[pn - 1] == ' ' && !ends_with(prev, pn, "-- "))
				report(c, R_PUNCT, (long)f, 'h', -1,
				       N_("$h should not be preceded by a space"));
			if (c->isbd && (!vn || v[0] != '[' || !memchr(v, ']', vn)))
				report(c, R_PUNCT, (long)f, 'h', -1,
				       N_("$h (medium) should be in square brackets: '%.*s'"), (int)vn, v);
			break;
		case 'n':
			if (c->isbd && !(pn >= 2 && prev[pn - 1] == '.' && (prev[pn - 2] != ' ' || ends_with(prev, pn, "-- ."))))
				report(c, R_PUNCT, (long)f, 'n', -1,
				       N_("$n should be preceded by a full stop (.)"));
			break;
		case 'p':
			if (!c->isbd)
				break;
			if (pcode == 'n') {
				if (!(pn >= 2 && prev[pn - 1] == ',' && (prev[pn - 2] != ' ' || ends_with(prev, pn, "-- ,"))))
					report(c, R_PUNCT, (long)f, 'p', -1,
					       N_("$p should be preceded by a comma (,) when it follows $n"));
			} else if (!(pn >= 2 && prev[pn - 1] == '.' && (prev[pn - 2] != ' ' || ends_with(prev, pn, "-- ."))))
				report(c, R_PUNCT, (long)f, 'p', -1,
				       N_("$p should be preceded by a full stop (.) when it follows a subfield other than $n"));
			break;
		}
	}
}

/* ISBD punctuation in 260/264/300: "subfield X is preceded by one of ..." */
struct punct_rule {
	const char *tag;
	char code;
	const char *before[3];
	const char *desc;
};

static const struct punct_rule punct_rules[] = {
	{ "260", 'a', { " ;", NULL, NULL }, N_("' ;' (a further place)") },
	{ "260", 'b', { " :", NULL, NULL }, "' :'" },
	{ "260", 'c', { ",", NULL, NULL }, "','" },
	{ "264", 'a', { " ;", NULL, NULL }, N_("' ;' (a further place)") },
	{ "264", 'b', { " :", NULL, NULL }, "' :'" },
	{ "264", 'c', { ",", NULL, NULL }, "','" },
	{ "300", 'b', { " :", NULL, NULL }, "' :'" },
	{ "300", 'c', { " ;", NULL, NULL }, "' ;'" },
	{ "300", 'e', { " +", NULL, NULL }, "' +'" },
	{ NULL, 0, { NULL, NULL, NULL }, NULL },
};

static void check_punct_table(struct ctx *c, size_t f, const char *tag)
{
	const rec *r = c->r;
	if (c->leader[18] != 'a' && c->leader[18] != 'i')
		return;
	for (size_t s = 1; s < rec_nsub(r, f); s++) {
		char code = rec_sub_code(r, f, s);
		char pcode = rec_sub_code(r, f, s - 1);
		if (!isalpha((unsigned char)pcode))
			continue;
		for (const struct punct_rule *p = punct_rules; p->tag; p++) {
			if (strcmp(p->tag, tag) || p->code != code)
				continue;
			if (!strcmp(tag, "264") && rec_ind(r, f, 2) == '4')
				continue;     /* copyright date: just the date */
			size_t pn;
			char tail[8];
			const char *prev = sub(r, f, s - 1, &pn);
			pn = punct_tail(prev, pn, tail);
			prev = tail;
			int ok = 0;
			for (int i = 0; i < 3 && p->before[i]; i++)
				if (ends_with(prev, pn, p->before[i]))
					ok = 1;
			/* a bracketed or abbreviated element may end in ']' or '.'
			 * before the mark: "[S.l.] :" still ends in " :" */
			if (!ok)
				report(c, R_PUNCT, (long)f, code, -1,
				       N_("$%c should be preceded by %s (ISBD)"), code, tr(c->l, p->desc));
		}
	}
}

/* ---- names ---- */

static void check_name_form(struct ctx *c, size_t f)
{
	const rec *r = c->r;
	long s = rec_find_sub(r, f, 'a');
	if (s < 0)
		return;
	size_t n;
	const char *v = sub(r, f, (size_t)s, &n);
	/* strip trailing punctuation */
	while (n && strchr(",. ", v[n - 1]))
		n--;
	const char *comma = memchr(v, ',', n);
	const char *space = memchr(v, ' ', n);
	char ind = rec_ind(r, f, 1);
	if (ind == '1' && !comma && space)
		report(c, R_NAME_FORM, (long)f, 'a', -1,
		       N_("indicator 1 is 1 (surname) but '%.*s' is not inverted (no comma); "
		       "a name in direct order (Vietnamese names) takes indicator 0"), (int)n, v);
	else if (ind == '0' && comma)
		report(c, R_NAME_FORM, (long)f, 'a', -1,
		       N_("indicator 1 is 0 (forename, direct order) but '%.*s' looks inverted; "
		       "an inverted surname takes indicator 1"), (int)n, v);
}

/* ---- $6 and 880 ---- */

/* Parse "TAG-NN..." into tag and occurrence; 0 if malformed. */
static int parse_6(const char *v, size_t n, char tag[4], char occ[3])
{
	if (n < 6 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
	    !isdigit((unsigned char)v[2]) || v[3] != '-' || !isdigit((unsigned char)v[4]) ||
	    !isdigit((unsigned char)v[5]))
		return 0;
	if (n > 6 && v[6] != '/')
		return 0;
	memcpy(tag, v, 3);
	tag[3] = 0;
	occ[0] = v[4];
	occ[1] = v[5];
	occ[2] = 0;
	return 1;
}

static const char *get6(const rec *r, size_t f, size_t *n)
{
	long s = rec_find_sub(r, f, '6');
	return s < 0 ? NULL : sub(r, f, (size_t)s, n);
}

static void check_linkage(struct ctx *c)
{
	const rec *r = c->r;
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		if (rec_is_control(r, f))
			continue;
		const char *tag = rec_tag(r, f);
		size_t n;
		const char *v = get6(r, f, &n);
		int is880 = !strcmp(tag, "880");
		if (!v) {
			if (is880)
				report(c, R_LINKAGE, (long)f, '6', -1,
				       N_("880 must have a $6 naming the field it belongs to"));
			continue;
		}
		char ltag[4], occ[3];
		if (!parse_6(v, n, ltag, occ)) {
			report(c, R_LINKAGE, (long)f, '6', -1,
			       N_("$6 '%.*s' is not of the form TAG-NN[/script]"), (int)n, v);
			continue;
		}
		if (rec_find_sub(r, f, '6') != 0)
			report(c, R_LINKAGE, (long)f, '6', -1, N_("$6 should be the first subfield"));
		if (is880) {
			if (!strcmp(occ, "00"))
				continue;     /* unlinked 880 */
			if (!strcmp(ltag, "880")) {
				report(c, R_LINKAGE, (long)f, '6', -1, N_("880 $6 cannot point to 880"));
				continue;
			}
		} else if (strcmp(ltag, "880")) {
			if (strcmp(occ, "00"))
				report(c, R_LINKAGE, (long)f, '6', -1,
				       N_("$6 '%.*s' in %s should point to an 880 (880-%s)"), (int)n, v, tag, occ);
			continue;
		}
		/* find the partner: a field of tag ltag whose $6 is "TAG-occ" */
		int found = 0;
		for (size_t g = 0; g < nf && !found; g++) {
			if (g == f || rec_is_control(r, g) || strcmp(rec_tag(r, g), ltag))
				continue;
			size_t m;
			const char *w = get6(r, g, &m);
			char t2[4], o2[3];
			if (w && parse_6(w, m, t2, o2) && !strcmp(t2, tag) && !strcmp(o2, occ))
				found = 1;
		}
		if (!found) {
			if (is880)
				report(c, R_LINKAGE, (long)f, '6', -1,
				       N_("880 $6 '%.*s' has no %s with $6 880-%s"), (int)n, v, ltag, occ);
			else
				report(c, R_LINKAGE, (long)f, '6', -1,
				       N_("$6 '%.*s' has no 880 with $6 %s-%s"), (int)n, v, tag, occ);
		}
	}
}

/* ---- cross-field checks ---- */

static void check_dates(struct ctx *c)
{
	const rec *r = c->r;
	const char *d = rec_get_control(r, "008");
	if (!d || strlen(d) < 15)
		return;
	if (!strchr("cdeimpqrstu", d[6]) || d[6] == 'q')
		return;
	for (int i = 7; i < 11; i++)
		if (!isdigit((unsigned char)d[i]))
			return;
	/* 264 _1 first, else 260 */
	long f = -1;
	for (long g = 0; (g = rec_find(r, "264", (size_t)g)) >= 0; g++)
		if (rec_ind(r, (size_t)g, 2) == '1') {
			f = g;
			break;
		}
	if (f < 0)
		f = rec_find(r, "260", 0);
	if (f < 0)
		return;
	/* r (reprint: Date 2 is the original's date, which 260 $c gives for
	 * a facsimile or microform), p (Date 2 production) and t (Date 2
	 * copyright): the imprint may carry either date */
	int date2 = strchr("prt", d[6]) != NULL;
	for (int i = 11; i < 15; i++)
		if (!isdigit((unsigned char)d[i]))
			date2 = 0;
	long s = rec_find_sub(r, (size_t)f, 'c');
	if (s < 0)
		return;
	size_t n;
	const char *v = sub(r, (size_t)f, (size_t)s, &n);
	int years = 0, match = 0;
	for (size_t i = 0; i + 4 <= n; i++) {
		if (isdigit((unsigned char)v[i]) && isdigit((unsigned char)v[i + 1]) &&
		    isdigit((unsigned char)v[i + 2]) && isdigit((unsigned char)v[i + 3]) &&
		    (i == 0 || !isdigit((unsigned char)v[i - 1])) &&
		    (i + 4 == n || !isdigit((unsigned char)v[i + 4]))) {
			years++;
			if (!memcmp(v + i, d + 7, 4) || (date2 && !memcmp(v + i, d + 11, 4)))
				match = 1;
			i += 3;
		}
	}
	if (years && !match)
		report(c, R_DATE, f, 'c', -1,
		       N_("008/07-10 (Date 1) is %.4s but %s $c says '%.*s'"),
		       d + 7, rec_tag(r, (size_t)f), (int)n, v);
}

static void check_lang(struct ctx *c)
{
	const rec *r = c->r;
	char lang[4];
	record_lang(c, lang);
	long f = rec_find(r, "041", 0);
	if (f < 0 || !lang[0] || rec_ind(r, (size_t)f, 2) == '7')
		return;
	long s = rec_find_sub(r, (size_t)f, 'a');
	if (s < 0)
		return;
	size_t n;
	const char *v = sub(r, (size_t)f, (size_t)s, &n);
	if (n < 3)
		return;
	if (memcmp(v, lang, 3))
		report(c, R_LANG, f, 'a', -1,
		       N_("008/35-37 is '%s' but the first 041 $a is '%.3s'; they should agree"), lang, v);
}

/* ---- the field walk ---- */

static int has_double_space(const char *v, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (v[i] == ' ' && v[i + 1] == ' ')
			return 1;
	return 0;
}

/* Pretty-printed MARCXML wraps long text: "la\n        japonesa", "Title /\n
 * </subfield>" leave a line break and its indentation in the value. That
 * is one defect, reported once (control-char); the stray-space checks look
 * at the value with each run of spaces that holds a line break or tab
 * taken as one space, or as none at either end. 0: no such run (v is to
 * be looked at as it is); 1: out holds the folded value. */
static int fold_breaks(const char *v, size_t n, strbuf *out)
{
	if (!memchr(v, '\n', n) && !memchr(v, '\r', n) && !memchr(v, '\t', n))
		return 0;
	sb_reset(out);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int brk = 0;
		while (j < n && (v[j] == ' ' || v[j] == '\n' || v[j] == '\r' || v[j] == '\t'))
			brk |= v[j++] != ' ';
		if (j == i) {
			sb_addc(out, v[i++]);
			continue;
		}
		if (!brk)
			sb_add(out, v + i, j - i);
		else if (i > 0 && j < n)
			sb_addc(out, ' ');
		i = j;
	}
	return 1;
}

/* 010 $a, $b and $z hold an LC control number in its fixed structure
 * ("   85000002 ", "  2001000002"): the blanks are part of the number. */
static int blanks_are_data(const char *tag, char code)
{
	return !strcmp(tag, "010") && (code == 'a' || code == 'b' || code == 'z');
}

/* A control character (C0 or DEL) in subfield s of f: the first is
 * reported. Every subfield of every data field is checked, whatever the
 * record's format and whatever else is wrong with the field: bienmuc
 * lint has the reader keep quiet about these (marc_read_opts
 * .quiet_controls), so that a newline in MARCXML text is reported once,
 * here, with its field and subfield, not also as a read warning. */
static void check_sub_controls(struct ctx *c, size_t f, size_t s)
{
	size_t n;
	const char *v = sub(c->r, f, s, &n);
	char code = rec_sub_code(c->r, f, s), buf[8];
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			report(c, R_CONTROL_CHAR, (long)f, code, -1,
			       N_("subfield $%c has a control character (%s) at byte %zu"),
			       code, show(c->l, v[i], buf), i + 1);
			return;
		}
}

/* The same for a data field whose other checks stop early. */
static void check_controls(struct ctx *c, size_t f)
{
	if (rec_is_control(c->r, f))
		return;
	for (size_t s = 0; s < rec_nsub(c->r, f); s++)
		check_sub_controls(c, f, s);
}

static void check_subfields(struct ctx *c, size_t f, const md_field *fd, const char *deftag)
{
	const rec *r = c->r;
	size_t ns = rec_nsub(r, f);
	unsigned char seen[128] = { 0 };
	strbuf folded = STRBUF_INIT;
	for (size_t s = 0; s < ns; s++) {
		char code = rec_sub_code(r, f, s);
		size_t n;
		const char *v = sub(r, f, s, &n);
		if (fd) {
			const md_subfield *sd = marcdef_subfield(fd, code);
			/* MARC 21 leaves $9 to local use in most fields (Koha links
			 * its authorities with it, DNB names GND sources in it): a $9
			 * the definitions do not define is not reported; where they
			 * define one (886), that definition is checked */
			if (!sd && code == '9')
				;
			else if (!sd) {
				char cs[8] = { '$', code, 0 };
				if (!isgraph((unsigned char)code))
					snprintf(cs, sizeof cs, "0x%02X", (unsigned char)code);
				report(c, R_SUB_UNDEF, (long)f, code, -1,
				       N_("subfield %s is not defined for %s"), cs, deftag);
			} else {
				if (sd->obsolete)
					report(c, R_SUB_OBS, (long)f, code, -1,
					       N_("subfield $%c (%s) is obsolete in %s"), code, sd->name, deftag);
				if (!sd->repeatable && (unsigned char)code < 128 &&
				    seen[(unsigned char)code] == 1)
					report(c, R_SUB_REPEAT, (long)f, code, -1,
					       N_("subfield $%c (%s) is not repeatable"), code, sd->name);
			}
		}
		if ((unsigned char)code < 128 && seen[(unsigned char)code] < 2)
			seen[(unsigned char)code]++;
		if (n == 0) {
			report(c, R_SUB_EMPTY, (long)f, code, -1, N_("subfield $%c is empty"), code);
			continue;
		}
		check_sub_controls(c, f, s);
		if (blanks_are_data(deftag, code))
			continue;
		if (fold_breaks(v, n, &folded)) {
			v = folded.buf;
			n = folded.len;
			if (!n)
				continue;
		}
		if (v[0] == ' ')
			report(c, R_SPACE, (long)f, code, -1, N_("subfield $%c begins with a space"), code);
		else if (v[n - 1] == ' ' && !ends_with(v, n, "-- "))
			report(c, R_SPACE, (long)f, code, -1, N_("subfield $%c ends with a space"), code);
		else if (has_double_space(v, n))
			report(c, R_SPACE, (long)f, code, -1,
			       N_("subfield $%c has two spaces in a row"), code);
	}
	sb_release(&folded);
}

/* An indicator value that means "source specified in subfield $2"
 * (6XX second indicator 7, 041/072 second, 016/024/052 first, 082 first
 * 7 ...: the definitions say so) needs the $2. */
static void check_source_2(struct ctx *c, size_t f, const md_field *fd)
{
	const rec *r = c->r;
	if (rec_find_sub(r, f, '2') >= 0)
		return;
	char buf[8];
	for (int i = 1; i <= 2; i++) {
		char iv = rec_ind(r, f, i);
		if (iv == ' ')
			continue;     /* 086 #: "undefined" before it meant "source in $2" */
		const md_code *code = marcdef_ind_value(fd, i, iv);
		if (code && !code->obsolete && code->name && strstr(code->name, "$2")) {
			report(c, R_SUB_MISSING, (long)f, '2', -1,
			       N_("indicator %d is %s (%s), but the field has no $2"), i,
			       show(c->l, iv, buf), code->name);
			return;
		}
	}
}

static int is_name_tag(const char *t)
{
	return (t[1] == '0' && t[2] == '0' && strchr("1678", t[0]));
}

static void check_field(struct ctx *c, size_t f, unsigned char *seen, unsigned char *seen880)
{
	const rec *r = c->r;
	const char *tag = rec_tag(r, f);
	char buf[8];
	for (int i = 0; i < 3; i++)
		if (!isalnum((unsigned char)tag[i])) {
			report(c, R_TAG_INVALID, (long)f, 0, -1,
			       N_("tag '%s' is not three digits or letters"), tag);
			check_controls(c, f);
			return;
		}
	int ctl_tag = rec_tag_is_control(tag);
	int ctl = rec_is_control(r, f);
	if (ctl_tag && !ctl) {
		report(c, R_CONTROL, (long)f, 0, -1,
		       N_("%s is a control field but has indicators and subfields"), tag);
		check_controls(c, f);
		return;
	}
	if (!ctl_tag && ctl) {
		report(c, R_CONTROL, (long)f, 0, -1,
		       N_("%s is a data field but has no indicators or subfields"), tag);
		return;
	}
	if (ctl) {
		size_t len;
		const char *d = rec_data(r, f, &len);
		if (!len)
			report(c, R_FIELD_EMPTY, (long)f, 0, -1, N_("%s is empty"), tag);
		if (d && memchr(d, 0x1f, len))
			report(c, R_CONTROL, (long)f, 0, -1,
			       N_("%s is a control field but contains a subfield delimiter"), tag);
	}
	if (c->fmt < 0) {
		check_controls(c, f);     /* holdings, classification ... */
		return;
	}
	const marcdef *md = c->l->md;
	/* 880 takes its definition from the field named in $6 */
	const char *deftag = tag;
	char ltag[4];
	int is880 = !strcmp(tag, "880");
	if (is880) {
		size_t n;
		const char *v = get6(r, f, &n);
		char occ[3];
		if (v && parse_6(v, n, ltag, occ))
			deftag = ltag;
	}
	const md_field *fd = marcdef_field(md, c->fmt, deftag);
	int num = isdigit((unsigned char)deftag[0]) && isdigit((unsigned char)deftag[1]) &&
	          isdigit((unsigned char)deftag[2]) ? atoi(deftag) : -1;
	if (!fd) {
		if (!is_local_tag(deftag) && !(is880 && deftag == tag))
			report(c, R_TAG_UNDEF, (long)f, 0, -1, N_("%s is not a defined %s tag"),
			       deftag, c->fmt == MD_AUTH ? "authority" : "bibliographic");
	} else {
		if (fd->obsolete)
			report(c, R_TAG_OBS, (long)f, 0, -1, N_("%s (%s) is obsolete"), deftag, fd->name);
		if (num >= 0 && !fd->repeatable) {
			unsigned char *sn = is880 && deftag != tag ? seen880 : seen;
			if (sn[num] == 1)
				report(c, R_FIELD_REPEAT, (long)f, 0, -1,
				       N_("%s (%s) is not repeatable"), deftag, fd->name);
			if (sn[num] < 2)
				sn[num]++;
		}
	}
	if (ctl)
		return;
	if (rec_nsub(r, f) == 0) {
		report(c, R_FIELD_EMPTY, (long)f, 0, -1, N_("%s has no subfields"), tag);
		return;
	}
	if (fd && !is880) {
		for (int i = 1; i <= 2; i++) {
			char iv = rec_ind(r, f, i);
			const md_code *code = marcdef_ind_value(fd, i, iv);
			if (!code) {
				strbuf al = STRBUF_INIT;
				ind_allowed(c->l, fd, i, &al);
				report(c, R_IND_INVALID, (long)f, 0, -1,
				       N_("indicator %d must be %s, not %s"), i, al.buf, show(c->l, iv, buf));
				sb_release(&al);
			} else if (code->obsolete)
				report(c, R_IND_OBS, (long)f, 0, -1,
				       N_("indicator %d value %s (%s) is obsolete"), i, show(c->l, iv, buf), code->name);
		}
	} else if (fd && is880) {
		/* indicators of 880 follow the linked field */
		for (int i = 1; i <= 2; i++) {
			char iv = rec_ind(r, f, i);
			if (!marcdef_ind_value(fd, i, iv)) {
				strbuf al = STRBUF_INIT;
				ind_allowed(c->l, fd, i, &al);
				report(c, R_IND_INVALID, (long)f, 0, -1,
				       N_("indicator %d must be %s (as in %s), not %s"), i, al.buf, deftag,
				       show(c->l, iv, buf));
				sb_release(&al);
			}
		}
	}
	check_subfields(c, f, fd, deftag);
	if (fd)
		check_source_2(c, f, fd);
	if (c->fmt != MD_BIB)
		return;
	if (!strcmp(deftag, "020"))
		check_020(c, f);
	else if (!strcmp(deftag, "022"))
		check_022(c, f);
	else if (!strcmp(deftag, "041") && !is880)
		check_041(c, f);
	else if (!strcmp(deftag, "043"))
		check_043(c, f);
	else if (!strcmp(deftag, "245")) {
		check_245(c, f);
		check_article(c, f, "245");
	} else if (!strcmp(deftag, "260") || !strcmp(deftag, "264") || !strcmp(deftag, "300"))
		check_punct_table(c, f, deftag);
	else if (!strcmp(deftag, "130") || !strcmp(deftag, "240") || !strcmp(deftag, "630") ||
	         !strcmp(deftag, "730") || !strcmp(deftag, "830") || !strcmp(deftag, "440"))
		check_article(c, f, deftag);
	if (is_name_tag(deftag) && !is880)
		check_name_form(c, f);
	if (deftag[0] == '1' && !is880 && rec_find_sub(r, f, 'a') < 0 && strcmp(deftag, "130"))
		report(c, R_SUB_MISSING, (long)f, 'a', -1, N_("%s must have a subfield $a"), deftag);
}

static void check_required(struct ctx *c, size_t n1xx)
{
	const rec *r = c->r;
	char el = c->leader[17];
	if (rec_find(r, "001", 0) < 0)
		report_tag(c, R_MISSING, "001", N_("the record has no 001 (control number)"));
	if (rec_find(r, "008", 0) < 0)
		report_tag(c, R_MISSING, "008", N_("the record has no 008 (fixed-length data elements)"));
	if (c->fmt == MD_BIB) {
		if (rec_find(r, "245", 0) < 0)
			report_tag(c, R_MISSING, "245", N_("the record has no 245 (title statement)"));
		if (n1xx > 1)
			report_tag(c, R_ONE_1XX, "1XX", N_("only one 1XX (main entry) is allowed, but there are %zu"),
			           n1xx);
		if (el == '3' || el == '5' || el == '8' || el == 'u' || el == 'z')
			return;
		if (rec_find(r, "040", 0) < 0)
			report_tag(c, R_MISSING_FULL, "040", N_("the record has no 040 (cataloging source)"));
		if (el == ' ' || el == '1' || el == '4' || el == 'I') {
			const char *mt = marcdef_material(c->l->md, MD_BIB, c->leader);
			if (rec_find(r, "300", 0) < 0 && mt && strcmp(mt, "CR") && strcmp(mt, "CF"))
				report_tag(c, R_MISSING_FULL, "300",
				           N_("a full-level record has no 300 (physical description)"));
			/* 261 (films, pre-AACR 1 rev.) and 262 (sound recordings,
			 * pre-AACR 2) are the imprint of older records; manuscripts,
			 * mixed materials and archival control have none */
			if (rec_find(r, "260", 0) < 0 && rec_find(r, "264", 0) < 0 &&
			    rec_find(r, "261", 0) < 0 && rec_find(r, "262", 0) < 0 &&
			    c->leader[6] != 't' && c->leader[6] != 'd' && c->leader[6] != 'f' &&
			    c->leader[6] != 'p' && c->leader[8] != 'a')
				report_tag(c, R_MISSING_FULL, "260",
				           N_("a full-level record has no 260 or 264 (publication)"));
		}
	} else if (c->fmt == MD_AUTH) {
		if (n1xx != 1)
			report_tag(c, R_ONE_1XX, "1XX",
			           N_("an authority record must have exactly one 1XX (heading), but has %zu"), n1xx);
		if (rec_find(r, "040", 0) < 0)
			report_tag(c, R_MISSING_FULL, "040", N_("the record has no 040 (cataloging source)"));
	}
}

static void check_tcvn(struct ctx *c)
{
	const rec *r = c->r;
	if (c->fmt != MD_BIB)
		return;
	long f = rec_find(r, "040", 0);
	const char *b = NULL;
	if (f >= 0) {
		long s = rec_find_sub(r, (size_t)f, 'b');
		if (s >= 0)
			b = sub(r, (size_t)f, (size_t)s, NULL);
	}
	if (!b)
		report_tag(c, R_TCVN_040B, "040",
		           N_("040 $b (language of cataloging) should be given: '%s'"), c->l->catlang);
	else if (strcmp(b, c->l->catlang))
		report(c, R_TCVN_040B, f, 'b', -1,
		       N_("040 $b (language of cataloging) is '%s'; this profile expects '%s'"),
		       b, c->l->catlang);
	if (rec_find(r, "041", 0) < 0)
		report_tag(c, R_TCVN_041, "041", N_("the record has no 041 (language code)"));
	if (rec_find(r, "082", 0) < 0)
		report_tag(c, R_TCVN_082, "082", N_("the record has no 082 (Dewey Decimal Classification number)"));
	const char *d = rec_get_control(r, "008");
	if (d && strlen(d) >= 18) {
		char cc[4] = { d[15], d[16], d[17], 0 };
		long f8 = rec_find(r, "008", 0);
		if (!strcmp(cc, "   ") || !marcdef_code(c->l->md, "country", cc))
			report(c, R_TCVN_COUNTRY, f8, 0, 15,
			       N_("008/15-17 (place of publication) '%s' is not a country code (vm for Vietnam)"), cc);
	}
}

/* Authority control: ask the hook about every field (heading-* rules). */
static void check_headings(struct ctx *c)
{
	static const int rule_of[] = {
		[LINT_HEADING_UNLINKED] = R_HEAD_UNLINKED, [LINT_HEADING_UNAUTHORIZED] = R_HEAD_UNAUTH,
		[LINT_HEADING_AMBIGUOUS] = R_HEAD_AMBIG, [LINT_HEADING_NEAR] = R_HEAD_NEAR,
		[LINT_HEADING_UNCONTROLLED] = R_HEAD_UNCONTROLLED,
	};
	linter *l = c->l;
	strbuf msg = STRBUF_INIT;
	size_t nf = rec_nfields(c->r);
	for (size_t f = 0; f < nf; f++) {
		if (rec_is_control(c->r, f))
			continue;
		sb_reset(&msg);
		/* the hook's message in the linter's language too */
		int was = l->english ? i18n_lower_english(1) : 0;
		int st = l->heading_fn(l->heading_arg, c->r, f, &msg);
		if (l->english)
			i18n_lower_english(was);
		if (st > 0 && st <= LINT_HEADING_UNCONTROLLED)
			report(c, rule_of[st], (long)f, 0, -1, "%s", msg.buf ? msg.buf : "");
	}
	sb_release(&msg);
}

/* A record with copies needs a call number (the copies hook counts them). */
static void check_callno(struct ctx *c)
{
	static const char *const tags[] = { "090", "852", "092", "099" };
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		long f = rec_find(c->r, tags[i], 0);
		if (f < 0)
			continue;
		char want = i == 1 ? 'h' : 'a';
		for (size_t k = 0; k < rec_nsub(c->r, (size_t)f); k++) {
			size_t n = 0;
			if (rec_sub_code(c->r, (size_t)f, k) == want && rec_sub_value(c->r, (size_t)f, k, &n) && n)
				return;
		}
	}
	long ncopies = c->l->copies_fn(c->l->copies_arg, c->r);
	if (ncopies > 0)
		report_tag(c, R_CALLNO_MISSING, "090",
		           N_("the record has %ld copies but no call number (090 $a $b; :callno or bienmuc copy callno --set)"),
		           ncopies);
}

size_t lint_check(linter *l, const rec *r, long recno, lint_cb cb, void *arg)
{
	struct ctx c = { .l = l, .r = r, .recno = recno, .cb = cb, .arg = arg };
	c.leader = rec_leader(r);
	char t = c.leader[6];
	if (t == 'z')
		c.fmt = MD_AUTH;
	else if (t && strchr("acdefgijkmoprt", t))
		c.fmt = MD_BIB;
	else
		c.fmt = -1;
	size_t nf = rec_nfields(r);
	if (nf > l->occcap) {
		l->occcap = nf + 64;
		l->occ = xrealloc(l->occ, l->occcap * sizeof *l->occ);
	}
	/* occurrences: count per tag */
	{
		unsigned short cnt[1000];
		memset(cnt, 0, sizeof cnt);
		for (size_t f = 0; f < nf; f++) {
			const char *tag = rec_tag(r, f);
			if (isdigit((unsigned char)tag[0]) && isdigit((unsigned char)tag[1]) &&
			    isdigit((unsigned char)tag[2])) {
				int k = atoi(tag);
				if (cnt[k] < 65535)
					cnt[k]++;
				l->occ[f] = cnt[k];
			} else {
				int k = 1;
				for (size_t g = 0; g < f; g++)
					if (!strcmp(rec_tag(r, g), tag))
						k++;
				l->occ[f] = k;
			}
		}
	}
	if (c.fmt < 0) {
		char buf[8];
		report_tag(&c, R_FORMAT, "LDR",
		           N_("Leader/06 %s is not a bibliographic or authority type of record; only the structure is checked"),
		           show(c.l, t, buf));
	}
	check_leader(&c);
	c.isbd = c.leader[18] == 'a' || c.leader[18] == 'i';
	unsigned char seen[1000], seen880[1000];
	memset(seen, 0, sizeof seen);
	memset(seen880, 0, sizeof seen880);
	size_t n1xx = 0;
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(r, f);
		if (tag[0] == '1' && isdigit((unsigned char)tag[1]) && isdigit((unsigned char)tag[2]))
			n1xx++;
		check_field(&c, f, seen, seen880);
		if (c.fmt >= 0 && rec_is_control(r, f) &&
		    (!strcmp(tag, "008") || (c.fmt == MD_BIB && (!strcmp(tag, "006") || !strcmp(tag, "007")))))
			check_fixed(&c, f, tag);
	}
	if (c.fmt >= 0) {
		check_required(&c, n1xx);
		check_linkage(&c);
		if (c.fmt == MD_BIB) {
			check_dates(&c);
			check_lang(&c);
		}
		check_tcvn(&c);
	}
	if (c.fmt >= 0 && l->heading_fn)
		check_headings(&c);
	if (c.fmt == MD_BIB && l->copies_fn)
		check_callno(&c);
	return c.count;
}
