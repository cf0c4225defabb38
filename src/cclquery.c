/*
 * cclquery.c - CCL -> RPN with yaz's CCL parser and our qualifier set
 * (see cclquery.h).
 */
#include <ctype.h>
#include <string.h>

#include "cclquery.h"
#include "i18n-lower.h"

#include <yaz/ccl.h>
#include <yaz/yaz-ccl.h>
#include <yaz/wrbuf.h>
#include <yaz/odr.h>
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
			cclq_quote_error(err, p);
	} else {
		n = ccl_find_str(bs, query, &code, &p);
		if (!n && err)
			cclq_error(err, code, p);
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
