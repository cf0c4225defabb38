/*
 * cclquery.c - CCL -> RPN with yaz's CCL parser and our qualifier set
 * (see cclquery.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cclquery.h"
#include "i18n-lower.h"

#include <yaz/ccl.h>
#include <yaz/yaz-ccl.h>
#include <yaz/wrbuf.h>
#include <yaz/odr.h>
#include <yaz/z-core.h>
/* yaz/xmalloc.h defines x* macros; use ours (util.h). */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup

/* @case 0: operators (and, AND, And ...) and qualifiers (ti, TI) in any
 * case; a quoted "and" is a word. t=r: right truncation with '?'; s=al:
 * adjacent words are ANDed; r=r for yr: ranges "1990-2000" and relations
 * < <= > >=. */
static const char qualifiers[] =
	"@case 0\n"
	"term u=1016 s=al t=r\n"
	"kw u=1016 s=al t=r\n"
	"ti u=4 s=al t=r\n"
	"au u=1003 s=al t=r\n"
	"su u=21 s=al t=r\n"
	"pb u=1018 s=al t=r\n"
	"se u=5 s=al t=r\n"
	"nt u=63 s=al t=r\n"
	"isbn u=7 t=r\n"
	"issn u=8 t=r\n"
	"lccn u=9 t=r\n"
	"id u=12 t=r\n"
	"yr u=31 r=r\n";

/* yaz's CCL_ERR_* texts (ccl_err_msg), first letter in lower case. */
static const char *const ccl_errors[] = {
	N_("ok"),
	N_("search word expected"),
	N_("')' expected"),
	N_("set name expected"),
	N_("operator expected"),
	N_("unbalanced ')'"),
	N_("unknown qualifier"),
	N_("qualifiers applied twice"),
	N_("'=' expected"),
	N_("bad relation"),
	N_("left truncation not supported"),
	N_("both left - and right truncation not supported"),
	N_("right truncation not supported"),
	N_("embedded truncation not supported"),
	N_("single character mask not supported"),
};

void cclq_error(strbuf *err, int code, int pos)
{
	if (code < 0) {
		sb_adds(err, _("column 1: empty query"));
		return;
	}
	const char *m;
	char low[128];
	if ((size_t)code < sizeof ccl_errors / sizeof ccl_errors[0])
		m = _(ccl_errors[code]);
	else if ((m = ccl_err_msg(code)) != NULL) {
		/* a code newer than this table: yaz's English text */
		snprintf(low, sizeof low, "%s", m);
		low[0] = (char)tolower((unsigned char)low[0]);
		m = low;
	} else
		m = _("syntax error");
	sb_addf(err, _("column %d: %s"), pos + 1, m);
}

/* A word of the query (outside quotes): [start, end). */
#define DELIMS " \t\r\n(),%!<>="

/* yaz reports a truncation error after the word (at the next token): the
 * offset of the '?' or '#' it is about in the last word before pos, or
 * pos when there is none. */
static int trunc_pos(const char *query, int pos, int code)
{
	int found = -1, start = -1, quoted = 0, len = (int)strlen(query);
	if (pos > len)
		pos = len;
	for (int i = 0; i <= pos; i++) {
		char c = i < pos ? query[i] : ' ';
		if (c == '\\' && i + 1 < pos) {
			if (start < 0)
				start = i;
			i++;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		if (quoted || c == '"' || !strchr(DELIMS, c)) {
			if (start < 0)
				start = i;
			continue;
		}
		if (start < 0)
			continue;
		/* the word [start, i): its first '?' or '#' of the kind */
		for (int k = start; k < i; k++) {
			char t = query[k];
			if (((code == CCL_ERR_TRUNC_NOT_LEFT || code == CCL_ERR_TRUNC_NOT_BOTH) &&
			     k == start && t == '?') ||
			    (code == CCL_ERR_TRUNC_NOT_RIGHT && k == i - 1 && t == '?') ||
			    (code == CCL_ERR_TRUNC_NOT_EMBED && k > start && k < i - 1 && t == '?') ||
			    (code == CCL_ERR_TRUNC_NOT_SINGLE && t == '#')) {
				found = k;
				break;
			}
		}
		start = -1;
	}
	return found >= 0 ? found : pos;
}

int cclq_error_pos(const char *query, int pos, int code)
{
	if (code >= CCL_ERR_TRUNC_NOT_LEFT && code <= CCL_ERR_TRUNC_NOT_SINGLE)
		return trunc_pos(query, pos, code);
	return pos;
}

/* The operands' terms of s in order (pointers into the RPN). */
struct terms {
	const char **t;
	size_t *len;
	size_t n, cap;
};

static void collect(const Z_RPNStructure *s, struct terms *ts)
{
	if (s->which == Z_RPNStructure_complex) {
		collect(s->u.complex->s1, ts);
		collect(s->u.complex->s2, ts);
		return;
	}
	const char *t = "";
	size_t len = 0;
	const Z_Operand *o = s->u.simple;
	if (o->which == Z_Operand_APT) {
		const Z_Term *term = o->u.attributesPlusTerm->term;
		if (term->which == Z_Term_general) {
			t = (const char *)term->u.general->buf;
			len = (size_t)term->u.general->len;
		} else if (term->which == Z_Term_characterString) {
			t = term->u.characterString;
			len = strlen(t);
		}
	}
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 16;
		ts->t = xrealloc(ts->t, ts->cap * sizeof *ts->t);
		ts->len = xrealloc(ts->len, ts->cap * sizeof *ts->len);
	}
	ts->t[ts->n] = t;
	ts->len[ts->n++] = len;
}

/* A token of the query as yaz's scanner splits it: a word (quotes and
 * backslashes removed, in w) or a relation / '=' (rel). */
struct tok {
	int start, rel;
	strbuf w;
};

/* The next token at or after *i; 0 at the end. */
static int next_tok(const char *q, int *i, struct tok *t)
{
	sb_reset(&t->w);
	while (q[*i] && strchr(" \t\r\n(),", q[*i]))
		(*i)++;
	if (!q[*i])
		return 0;
	t->start = *i;
	t->rel = strchr("<>=%!", q[*i]) != NULL;
	if (t->rel) {
		while (q[*i] && strchr("<>=%!", q[*i]))
			sb_addc(&t->w, q[(*i)++]);
		return 1;
	}
	int quoted = 0;
	while (q[*i] && (quoted || !strchr(DELIMS, q[*i]))) {
		if (q[*i] == '\\' && q[*i + 1])
			(*i)++;
		else if (q[*i] == '"') {
			quoted = !quoted;
			(*i)++;
			continue;
		}
		sb_addc(&t->w, q[(*i)++]);
	}
	return 1;
}

static int is_operator(const strbuf *w)
{
	static const char *const ops[] = { "and", "or", "not", "andnot" };
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (w->len == strlen(ops[k]) && !strncasecmp(w->buf, ops[k], w->len))
			return 1;
	return 0;
}

/* Where the nth word of the query that is term (exact), or failing that
 * that holds it between '-' or its ends (a range, "1990-abc"), starts; or
 * -1. A word before '=' or a relation is a qualifier, not a term; a '='
 * or relation is taken for a term (as yaz does) only first, after an
 * operator, or after '(' or ','. */
static int find_term(const char *query, const char *term, size_t len, int nth)
{
	for (int pass = 0; pass < 2; pass++) {
		struct tok t = { 0, 0, STRBUF_INIT };
		int i = 0, seen = 0, at = -1, prev_end = -1, prev_op = 0;
		while (at < 0 && next_tok(query, &i, &t)) {
			int candidate;
			if (t.rel) {
				candidate = prev_end < 0 || prev_op;
				for (int k = prev_end < 0 ? 0 : prev_end; k < t.start; k++)
					if (query[k] == '(' || query[k] == ',')
						candidate = 1;
			} else {
				int k = i;
				while (query[k] == ' ' || query[k] == '\t')
					k++;
				candidate = !strchr("<>=", query[k]) || !query[k];
			}
			prev_end = i;
			prev_op = !t.rel && is_operator(&t.w);
			if (!candidate || t.w.len < len)
				continue;
			if (pass == 0) {
				if (t.w.len == len && !memcmp(t.w.buf, term, len) && seen++ == nth)
					at = t.start;
				continue;
			}
			for (size_t k = 0; k + len <= t.w.len && at < 0; k++)
				if ((k == 0 || t.w.buf[k - 1] == '-') && !memcmp(t.w.buf + k, term, len) &&
				    (k + len == t.w.len || t.w.buf[k + len] == '-') && seen++ == nth)
					/* at the term itself when the word is as typed */
					at = t.start + ((size_t)(i - t.start) == t.w.len ? (int)k : 0);
		}
		sb_release(&t.w);
		if (at >= 0)
			return at;
	}
	return -1;
}

int cclq_operand_pos(const char *query, const struct Z_RPNQuery *q, int index)
{
	if (!query || !q || !q->RPNStructure || index < 0)
		return -1;
	struct terms ts = { 0 };
	collect(q->RPNStructure, &ts);
	int pos = -1;
	if ((size_t)index < ts.n && ts.len[index]) {
		int nth = 0;
		for (int k = 0; k < index; k++)
			if (ts.len[k] == ts.len[index] && !memcmp(ts.t[k], ts.t[index], ts.len[k]))
				nth++;
		pos = find_term(query, ts.t[index], ts.len[index], nth);
	}
	free(ts.t);
	free(ts.len);
	return pos;
}

int cclq_open_quote(const char *query)
{
	int open = -1;
	for (int i = 0; query[i]; i++) {
		if (query[i] == '\\' && query[i + 1])
			i++;                   /* yaz: \" is a quote in the word */
		else if (query[i] == '"')
			open = open < 0 ? i : -1;
	}
	return open;
}

void cclq_quote_error(strbuf *err, int pos)
{
	sb_addf(err, _("column %d: %s"), pos + 1, _("missing closing quote"));
}

int cclq_char_pos(const char *query, int pos)
{
	int n = 0;
	for (int i = 0; i < pos && query[i]; i++)
		if (((unsigned char)query[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static struct ccl_rpn_node *parse(const char *query, int *pos, strbuf *err)
{
	CCL_bibset bs = ccl_qual_mk();
	ccl_qual_buf(bs, qualifiers);
	int code = 0, p = 0;
	struct ccl_rpn_node *n = NULL;
	const char *s = query;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		p = 0;
		if (err)
			cclq_error(err, -1, 0);
	} else if ((p = cclq_open_quote(query)) >= 0) {
		/* yaz would end the phrase at the end of the query */
		if (err)
			cclq_quote_error(err, cclq_char_pos(query, p));
	} else {
		n = ccl_find_str(bs, query, &code, &p);
		if (!n)
			p = cclq_error_pos(query, p, code);
		if (!n && err)
			cclq_error(err, code, cclq_char_pos(query, p));
	}
	if (!n && pos)
		*pos = p;
	ccl_qual_rm(&bs);
	return n;
}

struct Z_RPNQuery *cclq_parse(const char *query, struct odr *odr, int *pos, strbuf *err)
{
	struct ccl_rpn_node *n = parse(query, pos, err);
	if (!n)
		return NULL;
	Z_RPNQuery *q = ccl_rpn_query(odr, n);
	ccl_rpn_delete(n);
	return q;
}

int cclq_to_pqf(const char *query, strbuf *out, int *pos, strbuf *err)
{
	struct ccl_rpn_node *n = parse(query, pos, err);
	if (!n)
		return -1;
	WRBUF w = wrbuf_alloc();
	ccl_pquery(w, n);
	sb_adds(out, wrbuf_cstr(w));
	wrbuf_destroy(w);
	ccl_rpn_delete(n);
	return 0;
}
