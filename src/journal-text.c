/*
 * journal-text.c - journal summaries in the reader's language (see
 * journal-text.h): the English forms store.c and store-copies.c write,
 * clause by clause, into _().
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "journal-text.h"

/* The fields of a copy, as store-copies.c names them in its summaries
 * ("status withdrawn; location Kho mượn"), and how they are shown. */
static const struct {
	const char *name;
	const char *label;
} copy_labels[] = {
	{ "accno", N_("accession number") },
	{ "branch", N_("branch") },
	{ "location", N_("location") },
	{ "callno", N_("call number") },
	{ "volume", N_("volume") },
	{ "source", N_("source") },
	{ "price", N_("price") },
	{ "added", N_("date added") },
	{ "status", N_("status") },
	{ "note", N_("note") },
};

/* a word or phrase bienmuc stores, and how it is shown */
struct shown {
	const char *text;
	const char *shown;
};

/* whole clauses */
static const struct shown words[] = {
	{ "no change", N_("no change") },
	{ "deleted", N_("deleted") },
	{ "undeleted", N_("undeleted") },
	{ "leader changed", N_("leader changed") },
};

/* the actions of record versions (store.c, catalog.c, auth.c,
 * cmd-import.c, cmd-zsearch.c, cmd-copy.c); at most 8 cells each in the
 * workstation's history list */
static const struct shown actions[] = {
	/* TRANSLATORS: actions in a record's history (8 cells at most):
	 * the record was made in the workstation */
	{ "add", N_("add") },
	{ "edit", N_("edit") },
	{ "delete", N_("delete") },
	{ "undelete", N_("undelete") },
	{ "import", N_("import") },
	/* TRANSLATORS: an import replaced the record with the incoming one */
	{ "replace", N_("replace") },
	{ "merge", N_("merge") },
	{ "rollback", N_("rollback") },
	/* TRANSLATORS: the record came back when an import batch was undone */
	{ "undo", N_("undo") },
	/* TRANSLATORS: headings changed by authority control (8 cells at most) */
	{ "auth", N_("auth") },
};

/* s in the language of the messages if table t[0..n) has it, else NULL */
static const char *shown_of(const struct shown *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, t[i].text))
			return _(t[i].shown);
	return NULL;
}

const char *journal_action(const char *stored)
{
	if (!stored)
		return "";
	const char *a = shown_of(actions, sizeof actions / sizeof *actions, stored);
	return a ? a : stored;
}

static int is_tag(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* s is all digits (at least one) */
static int is_number(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Does c (NUL-terminated) read "<pre>X<post>" with X not empty and, if
 * number, all digits? X goes to *x (a pointer into c) and *xn. */
static int form(const char *c, const char *pre, const char *post, int number, const char **x,
                size_t *xn)
{
	size_t n = strlen(c), a = strlen(pre), b = strlen(post);
	if (n <= a + b || strncmp(c, pre, a) || strcmp(c + n - b, post))
		return 0;
	*x = c + a;
	*xn = n - a - b;
	return !number || is_number(*x, *xn);
}

/* Append the note c (what made the version: before ": ", or the whole
 * summary) translated and return 1; 0 (nothing appended) if it is not
 * one bienmuc writes. */
static int note(const char *c, strbuf *out)
{
	const char *x;
	size_t xn;
	if (form(c, "version ", " restored", 1, &x, &xn))
		sb_addf(out, _("version %.*s restored"), (int)xn, x);
	else if (form(c, "batch ", " undone", 1, &x, &xn))
		sb_addf(out, _("batch %.*s undone"), (int)xn, x);
	else if (form(c, "copied from ", "", 0, &x, &xn))
		sb_addf(out, _("copied from %.*s"), (int)xn, x);
	else if (form(c, "copy ", "", 0, &x, &xn) && !memchr(x, ' ', xn))
		sb_addf(out, _("copy %.*s"), (int)xn, x);
	else
		return 0;
	return 1;
}

/* Append the clause c translated, or as it is. */
static void clause(const char *c, strbuf *out)
{
	const char *x, *y;
	size_t xn, yn;
	const char *whole = shown_of(words, sizeof words / sizeof *words, c);
	if (whole) {
		sb_adds(out, whole);
		return;
	}
	size_t n = strlen(c);
	if (n > 4 && is_tag(c) && c[3] == ' ') {
		/* "TAG changed", "TAG added (several)" ... */
		char tag[4] = { c[0], c[1], c[2], 0 };
		const char *w = c + 4;
		size_t wn = n - 4;
		int several = wn > 10 && !strcmp(w + wn - 10, " (several)");
		if (several)
			wn -= 10;
		if (wn == 7 && !strncmp(w, "changed", wn)) {
			sb_addf(out, several ? _("%s changed (several)") : _("%s changed"), tag);
			return;
		}
		if (wn == 5 && !strncmp(w, "added", wn)) {
			sb_addf(out, several ? _("%s added (several)") : _("%s added"), tag);
			return;
		}
		if (wn == 7 && !strncmp(w, "removed", wn)) {
			sb_addf(out, several ? _("%s removed (several)") : _("%s removed"), tag);
			return;
		}
	}
	if (form(c, "new record (", " fields)", 1, &x, &xn)) {
		sb_addf(out, _("new record (%.*s fields)"), (int)xn, x);
		return;
	}
	if (form(c, "copy ", " added", 0, &x, &xn)) {
		sb_addf(out, _("copy %.*s added"), (int)xn, x);
		return;
	}
	/* a batch undo's copy left with the record it deleted */
	static const char kept[] = " kept with deleted record ";
	if (!strncmp(c, "copy ", 5) && (y = strstr(c + 5, kept)) && y > c + 5 &&
	    y[sizeof kept - 1]) {
		sb_addf(out, _("copy %.*s kept with deleted record %s"), (int)(y - c - 5), c + 5,
		        y + sizeof kept - 1);
		return;
	}
	if (form(c, "copy ", " removed", 0, &x, &xn)) {
		sb_addf(out, _("copy %.*s removed"), (int)xn, x);
		return;
	}
	if (form(c, "moved to record ", "", 0, &x, &xn)) {
		sb_addf(out, _("moved to record %.*s"), (int)xn, x);
		return;
	}
	if (form(c, "change ", ") undone", 0, &x, &xn) && (y = memchr(x, ' ', xn)) &&
	    is_number(x, (size_t)(y - x)) && y[1] == '(') {
		yn = xn - (size_t)(y - x) - 2;
		sb_addf(out, _("change %.*s (%.*s) undone"), (int)(y - x), x, (int)yn, y + 2);
		return;
	}
	for (size_t i = 0; i < sizeof copy_labels / sizeof *copy_labels; i++) {
		size_t k = strlen(copy_labels[i].name);
		if (!strncmp(c, copy_labels[i].name, k) && c[k] == ' ') {
			const char *v = c + k + 1;
			sb_addf(out, "%s %s", _(copy_labels[i].label), !strcmp(v, "(none)") ? _("(none)") : v);
			return;
		}
	}
	if (!note(c, out))
		sb_adds(out, c);
}

char *journal_text(const char *stored)
{
	strbuf out = STRBUF_INIT;
	sb_adds(&out, "");
	char *s = xstrdup(stored ? stored : "");
	char *p = s;
	char *colon = strstr(p, ": ");
	if (colon) {
		*colon = 0;
		if (note(p, &out)) {
			sb_adds(&out, ": ");
			p = colon + 2;
			/* older bienmuc wrote "version 1 restored: ; 245 changed" */
			if (!strncmp(p, "; ", 2))
				p += 2;
		} else {
			*colon = ':';
		}
	}
	for (int first = 1; p; first = 0) {
		char *semi = strstr(p, "; ");
		if (semi)
			*semi = 0;
		if (!first)
			sb_adds(&out, "; ");
		clause(p, &out);
		p = semi ? semi + 2 : NULL;
	}
	free(s);
	return out.buf;
}
