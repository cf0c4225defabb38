/*
 * isbd.c - ISBD punctuation supplied to a record typed without it (the
 * workforms: form_build). The marks are those lint.c checks for (rules
 * punct and punct-end), so a record built from a form starts clean.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "isbd.h"
#include "util.h"

/* Before subfield `code` of `tag`, after a subfield with a letter code:
 * `mark`, or any of `also` already there. after = 0: any previous code;
 * otherwise only after that code (and `not_after` excludes one). */
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
	{ NULL, 0, 0, 0, NULL, { NULL, NULL } },
};

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
 * before s + 1; for 245 also its end), each given to fn. add: fn adds
 * marks (the end of 245 only when it has no . ? or ! there). */
static int walk_field(rec *r, size_t f, mark_fn fn, int add)
{
	const char *tag = rec_tag(r, f);
	int changed = 0, c_seen = 0;
	if (!strcmp(tag, "264") && rec_ind(r, f, 2) == '4')
		return 0;             /* copyright date: just the date */
	size_t ns = rec_nsub(r, f);
	for (size_t s = 1; s < ns; s++) {
		char code = rec_sub_code(r, f, s), pcode = rec_sub_code(r, f, s - 1);
		if (!isalpha((unsigned char)pcode) || blank(r, f, s) || blank(r, f, s - 1))
			continue;             /* an empty subfield (a template's) gets no mark */
		if (!strcmp(tag, "245") && code == 'c' && c_seen++)
			continue;
		for (const struct isbd_rule *p = rules; p->tag; p++) {
			if (strcmp(p->tag, tag) || p->code != code || (p->after && p->after != pcode) ||
			    (p->not_after && p->not_after == pcode))
				continue;
			changed += fn(r, f, s - 1, p->mark, p->also);
			break;
		}
	}
	if (!strcmp(tag, "245") && ns) {
		static const char *const none[2] = { NULL, NULL };
		size_t n;
		const char *v = rec_sub_value(r, f, ns - 1, &n);
		size_t e = n;
		while (e && v[e - 1] == ' ')
			e--;
		if (!add || (e && !strchr(".?!", v[e - 1])))
			changed += fn(r, f, ns - 1, ".", none);
	}
	return changed;
}

/* Every field of r through walk_field, if Leader/18 says ISBD. */
static int walk(rec *r, mark_fn fn, int add)
{
	const char *ldr = rec_leader(r);
	if (!ldr || (ldr[18] != 'a' && ldr[18] != 'i'))
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
