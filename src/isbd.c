/*
 * isbd.c - ISBD punctuation supplied to a record typed without it (the
 * workforms: form_build). The marks between subfields include those lint.c
 * checks for (rules punct and punct-end), so a record built from a form
 * starts clean; the marks at the end of the description's fields and of
 * headings follow the MARC 21 input conventions (LCRI 1.0C).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "isbd.h"
#include "util.h"

/* Before subfield `code` of `tag`, after a subfield with a letter code:
 * `mark`, or any of `also` already there. after = 0: any previous code;
 * otherwise only after that code (and `not_after` excludes one). A tag
 * "x00" stands for 100, 600, 700 and 800 (see tag_is). */
struct isbd_rule {
	const char *tag;
	char code;
	char after, not_after;
	const char *mark;
	const char *also[2];
};

static const struct isbd_rule rules[] = {
	{ "245", 'b', 0, 0, " :", { " ;", " =" } },
	{ "245", 'c', 0, 0, " /", { NULL, NULL } },
	{ "245", 'n', 0, 0, ".", { NULL, NULL } },
	{ "245", 'p', 'n', 0, ",", { NULL, NULL } },
	{ "245", 'p', 0, 'n', ".", { NULL, NULL } },
	{ "260", 'a', 0, 0, " ;", { NULL, NULL } },
	{ "260", 'b', 0, 0, " :", { NULL, NULL } },
	{ "260", 'c', 0, 0, ",", { NULL, NULL } },
	{ "264", 'a', 0, 0, " ;", { NULL, NULL } },
	{ "264", 'b', 0, 0, " :", { NULL, NULL } },
	{ "264", 'c', 0, 0, ",", { NULL, NULL } },
	{ "300", 'b', 0, 0, " :", { NULL, NULL } },
	{ "300", 'c', 0, 0, " ;", { NULL, NULL } },
	{ "300", 'e', 0, 0, " +", { NULL, NULL } },
	{ "490", 'v', 0, 0, " ;", { NULL, NULL } },
	{ "490", 'x', 0, 0, ",", { NULL, NULL } },
	{ "250", 'b', 0, 0, " /", { NULL, NULL } },
	{ "830", 'v', 0, 0, " ;", { NULL, NULL } },
	/* names: "Nguyễn Du, $d 1765-1820, $e tác giả"; a name-title "... $t" */
	{ "x00", 'c', 0, 0, ",", { NULL, NULL } },
	{ "x00", 'd', 0, 0, ",", { NULL, NULL } },
	{ "x00", 'e', 0, 0, ",", { NULL, NULL } },
	{ "x00", 't', 0, 0, ".", { NULL, NULL } },
	{ "x10", 'b', 0, 0, ".", { NULL, NULL } },
	{ "x10", 'e', 0, 0, ",", { NULL, NULL } },
	{ "x10", 't', 0, 0, ".", { NULL, NULL } },
	{ NULL, 0, 0, 0, NULL, { NULL, NULL } },
};

/* The end of a field: its last subfield with a letter code (a $2, $4 or
 * $5 after it stays after the mark) gets a full stop unless it ends in
 * one of `ends`. The description: 245 and 250 always (unless . ? or !),
 * 260 and 264 unless a closing bracket, a parenthesis or an open date
 * ends them, 300 only when a series (4XX) follows; headings (1XX, 6XX
 * but 653, 7XX, 8XX) unless they end in a mark, a parenthesis or an
 * open date ("Nguyễn, Văn A, 1950-"); the notes too, see note_ends.
 * 490 and 246 get none. */
static const struct {
	const char *tags;            /* three characters a tag, blank-separated */
	const char *ends;
} ends_rules[] = {
	{ "245 250", ".?!" },
	{ "260 264", ".?!)]-" },
	{ "100 110 111 130 600 610 611 630 650 651 655 700 710 711 730 740 800 810 811 830",
	  ".?!)]-\"" },
};

/* tag is pat, or pat is "x00"/"x10" and tag is its 1XX, 6XX, 7XX or 8XX */
static int tag_is(const char *pat, const char *tag)
{
	if (pat[0] != 'x')
		return !strcmp(pat, tag);
	return tag[0] && strchr("1678", tag[0]) && !strcmp(pat + 1, tag + 1);
}

/* A note (5XX) that ends with a full stop, unless a mark, a quotation or
 * an open date ends it (not a parenthesis or a bracket: "(tr. 5)."): not
 * 505 with first indicator 1 (incomplete contents), 510, 516, 535, 536,
 * 565, 583, 586 (LC practice). */
static int note_ends(const rec *r, size_t f, const char *tag)
{
	if (tag[0] != '5' || !isdigit((unsigned char)tag[1]) || !isdigit((unsigned char)tag[2]))
		return 0;
	int n = atoi(tag);
	if (n == 505)
		return rec_ind(r, f, 1) != '1';
	static const int never[] = { 510, 516, 535, 536, 565, 583, 586 };
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		if (n == never[i])
			return 0;
	return 1;
}

/* The marks that end field f (tag) so that it needs no full stop, or NULL
 * if the field gets none at its end. */
static const char *end_marks(const rec *r, size_t f, const char *tag)
{
	if (note_ends(r, f, tag))
		return ".?!-\">";
	if (!strcmp(tag, "300"))          /* before a series statement only */
		return rec_find(r, "490", 0) >= 0 || rec_find(r, "440", 0) >= 0 ? "." : NULL;
	for (size_t i = 0; i < sizeof ends_rules / sizeof ends_rules[0]; i++)
		for (const char *t = ends_rules[i].tags; *t; t += t[3] ? 4 : 3)
			if (!strncmp(t, tag, 3))
				return ends_rules[i].ends;
	return NULL;
}

static int ends_with(const char *v, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(v + n - k, suffix, k);
}

/* Give subfield s of field f the ending `mark` unless it ends in it or in
 * one of also[]; 1 if it changed. */
static int put_mark(rec *r, size_t f, size_t s, const char *mark, const char *const also[2])
{
	size_t n;
	const char *v = rec_sub_value(r, f, s, &n);
	size_t e = n;
	while (e && v[e - 1] == ' ')
		e--;
	if (ends_with(v, e, mark) && e == n)
		return 0;
	for (int i = 0; i < 2 && also[i]; i++)
		if (ends_with(v, e, also[i]) && e == n)
			return 0;
	if (!strcmp(mark, ".") && e == n && e && strchr("?!", v[e - 1]))
		return 0;             /* "Ai?" before $n stays; "Ai?." would be wrong */
	if ((!strcmp(mark, ".") || !strcmp(mark, ",")) && e && v[e - 1] == '-')
		return 0;             /* an open date: "1950- $e tác giả" */
	strbuf sb = STRBUF_INIT;
	size_t ml = strlen(mark);
	char ch = mark[ml - 1];
	if (ml == 2 && e && v[e - 1] == ch) {
		/* "Kiều:" -> "Kiều :", "Kiều :  " -> "Kiều :" */
		size_t k = e - 1;
		while (k && v[k - 1] == ' ')
			k--;
		sb_add(&sb, v, k);
		sb_adds(&sb, mark);
	} else if (ml == 1 && e && v[e - 1] == ch) {
		sb_add(&sb, v, e);
	} else {
		sb_add(&sb, v, e);
		sb_adds(&sb, mark);
	}
	char code = rec_sub_code(r, f, s);
	rec_set_sub(r, f, s, code, sb.buf, sb.len);
	sb_release(&sb);
	return 1;
}

static int blank(const rec *r, size_t f, size_t s)
{
	size_t n;
	const char *v = rec_sub_value(r, f, s, &n);
	while (n && v[n - 1] == ' ')
		n--;
	return !n;
}

/* What is done at each place a rule names: put_mark or take_mark. */
typedef int (*mark_fn)(rec *r, size_t f, size_t s, const char *mark, const char *const also[2]);

/* The places of field f where the rules put a mark (after subfield s,
 * before s + 1; and its end, see end_marks), each given to fn. add: fn
 * adds marks (the end only when it has none of end_marks there). */
static int walk_field(rec *r, size_t f, mark_fn fn, int add)
{
	const char *tag = rec_tag(r, f);
	int changed = 0, c_seen = 0;
	if (!strcmp(tag, "264") && rec_ind(r, f, 2) == '4')
		return 0;             /* copyright date: just the date */
	const char *ends = end_marks(r, f, tag);
	size_t ns = rec_nsub(r, f);
	for (size_t s = 1; s < ns; s++) {
		char code = rec_sub_code(r, f, s), pcode = rec_sub_code(r, f, s - 1);
		if (!isalpha((unsigned char)pcode) || blank(r, f, s) || blank(r, f, s - 1))
			continue;             /* an empty subfield (a template's) gets no mark */
		if (!strcmp(tag, "245") && code == 'c' && c_seen++)
			continue;
		for (const struct isbd_rule *p = rules; p->tag; p++) {
			if (!tag_is(p->tag, tag) || p->code != code || (p->after && p->after != pcode) ||
			    (p->not_after && p->not_after == pcode))
				continue;
			changed += fn(r, f, s - 1, p->mark, p->also);
			break;
		}
	}
	size_t last = ns;
	while (ends && last && !isalpha((unsigned char)rec_sub_code(r, f, last - 1)))
		last--;
	if (ends && last && tag[0] == '5' && rec_sub_code(r, f, last - 1) == 'u')
		ends = NULL;               /* a note ending in a URI: no stop on it */
	if (ends && last) {
		static const char *const none[2] = { NULL, NULL };
		size_t n;
		const char *v = rec_sub_value(r, f, last - 1, &n);
		size_t e = n;
		while (e && v[e - 1] == ' ')
			e--;
		if (!add || (e && !strchr(ends, v[e - 1])))
			changed += fn(r, f, last - 1, ".", none);
	}
	return changed;
}

/* Every field of r through walk_field, if Leader/18 says ISBD and r is
 * bibliographic (an authority's headings end bare, and its Leader/18 is
 * its punctuation policy). */
static int walk(rec *r, mark_fn fn, int add)
{
	const char *ldr = rec_leader(r);
	if (!ldr || (ldr[18] != 'a' && ldr[18] != 'i') || ldr[6] == 'z')
		return 0;
	int changed = 0;
	for (size_t f = 0; f < rec_nfields(r); f++)
		if (!rec_is_control(r, f))
			changed += walk_field(r, f, fn, add);
	return changed;
}

/* Take `mark` (and the blanks before it) off the end of subfield s of
 * field f; 1 if it was there. */
static int take_mark(rec *r, size_t f, size_t s, const char *mark, const char *const also[2])
{
	(void)also;                /* a parallel title's ' =' and the like stay */
	size_t n;
	const char *v = rec_sub_value(r, f, s, &n);
	size_t e = n;
	while (e && v[e - 1] == ' ')
		e--;
	if (!ends_with(v, e, mark))
		return 0;
	e -= strlen(mark);
	if (!strcmp(mark, ".") && e && v[e - 1] == '.')
		return 0;             /* "..." is text, not a full stop */
	while (e && v[e - 1] == ' ')
		e--;
	char *t = xstrndup(v, e);
	rec_set_sub(r, f, s, rec_sub_code(r, f, s), t, e);
	free(t);
	return 1;
}

int isbd_unpunctuate(rec *r)
{
	return walk(r, take_mark, 0);
}

int isbd_punctuate(rec *r)
{
	return walk(r, put_mark, 1);
}
