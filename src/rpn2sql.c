/*
 * rpn2sql.c - Z39.50 RPN (Bib-1) -> SQL/FTS5 over the catalogue schema
 * (see rpn2sql.h for what is supported).
 *
 * Each operand becomes a set of record rowids: an FTS5 MATCH for text
 * (title, author, subject, notes, publisher, series, any), a look-up in
 * the match-key table for standard numbers, a range on records.year for
 * dates. Boolean operators over two text operands merge into one FTS5
 * expression (so it can be ranked); otherwise the sets are combined with
 * INTERSECT / UNION / EXCEPT, which lets SQLite drive the query from the
 * small sets instead of scanning the catalogue.
 */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "rpn2sql.h"
#include "charset.h"
#include "matchkey.h"
#include "i18n-lower.h"

#include <yaz/z-core.h>
#include <yaz/diagbib1.h>
#include <utf8proc.h>
/* yaz/xmalloc.h defines x* macros; use ours (util.h). */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup

/* A translated sub-tree: either pure FTS (fts) or SQL (sql + params). */
struct part {
	int is_fts;
	int is_year;             /* sql is YEAR_SQL followed by conditions */
	int is_keys;             /* sql is KEYS_SQL "?, ?, ...)": match keys */
	int top;                 /* fts: its operator (Z_Operator_* + 1; 0: a term) */
	int depth;               /* fts: nesting of parentheses; sql: of subqueries */
	int nsel;                /* sql: SELECTs in its compound (1: a simple one) */
	strbuf fts;
	strbuf sql;
	struct mk_list params;
	struct rpn_conj *conj;   /* an AND of SQL parts: its operands (or NULL) */
	size_t nconj;
};

static void conj_free(struct rpn_conj *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_release(&c[i].sql);
		mk_list_release(&c[i].params);
	}
	free(c);
}

static void part_release(struct part *p)
{
	sb_release(&p->fts);
	sb_release(&p->sql);
	mk_list_release(&p->params);
	conj_free(p->conj, p->nconj);
	p->conj = NULL;
	p->nconj = 0;
}

/* mk_list_add drops duplicates; parameters need every occurrence. */
static void param_add(struct mk_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

static void params_move(struct mk_list *dst, struct mk_list *src)
{
	for (size_t i = 0; i < src->n; i++)
		param_add(dst, src->v[i]);
}

/* Append x's operands to p's (x's own, if x is an AND of SQL parts;
 * else x itself, already SQL), taking them from x. */
static void conj_take(struct part *p, struct part *x)
{
	size_t add = x->nconj ? x->nconj : 1;
	p->conj = xrealloc(p->conj, (p->nconj + add) * sizeof *p->conj);
	if (x->nconj) {
		memcpy(p->conj + p->nconj, x->conj, x->nconj * sizeof *x->conj);
		p->nconj += x->nconj;
		free(x->conj);
		x->conj = NULL;
		x->nconj = 0;
		return;
	}
	struct rpn_conj *c = &p->conj[p->nconj++];
	c->sql = x->sql;
	c->params = x->params;
	x->sql = (strbuf)STRBUF_INIT;
	x->params = (struct mk_list){ 0 };
}

/* Turn an FTS part into an SQL part. */
static void part_to_sql(struct part *p)
{
	if (!p->is_fts)
		return;
	sb_reset(&p->sql);
	sb_adds(&p->sql, "SELECT rowid AS rid FROM fts WHERE fts MATCH ?");
	param_add(&p->params, p->fts.buf);
	p->is_fts = 0;
	p->depth = 0;
	p->nsel = 1;
}

static int is_word_cp(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_CO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
		return 1;
	default:
		return 0;
	}
}

size_t rpn_words(const char *text, size_t len, struct mk_list *l)
{
	char *f = fold_search(text, len);
	if (!f)
		return 0;
	size_t n = 0, i = 0, flen = strlen(f);
	strbuf w = STRBUF_INIT;
	while (i <= flen) {
		utf8proc_int32_t c = 0;
		utf8proc_ssize_t k = i < flen ?
			utf8proc_iterate((const utf8proc_uint8_t *)f + i, (utf8proc_ssize_t)(flen - i), &c) : 0;
		if (i < flen && k <= 0) {        /* cannot happen after folding */
			k = 1;
			c = ' ';
		}
		if (i < flen && is_word_cp(c)) {
			sb_add(&w, f + i, (size_t)k);
		} else if (w.len) {
			param_add(l, w.buf);
			sb_reset(&w);
			n++;
		}
		if (i == flen)
			break;
		i += (size_t)k;
	}
	sb_release(&w);
	free(f);
	return n;
}

struct attrs {
	long use, rel, structure, trunc;
};

static int get_attrs(const Z_AttributeList *al, struct attrs *a, struct rpn_sql *out, strbuf *err)
{
	a->use = a->rel = a->structure = a->trunc = 0;
	for (int i = 0; al && i < al->num_attributes; i++) {
		const Z_AttributeElement *e = al->attributes[i];
		if (e->which != Z_AttributeValue_numeric) {
			out->diag = YAZ_BIB1_UNSUPP_ATTRIBUTE_TYPE;
			sb_adds(err, _("complex attribute values are not supported"));
			return -1;
		}
		long t = (long)*e->attributeType, v = (long)*e->value.numeric;
		switch (t) {
		case 1: a->use = v; break;
		case 2: a->rel = v; break;
		case 3: break;
		case 4: a->structure = v; break;
		case 5: a->trunc = v; break;
		case 6: break;
		default:
			out->diag = YAZ_BIB1_UNSUPP_ATTRIBUTE_TYPE;
			sb_addf(err, _("unsupported attribute type %ld"), t);
			return -1;
		}
	}
	return 0;
}

enum target { T_FTS, T_ISBN, T_ISSN, T_LCCN, T_STDID, T_LOCAL, T_YEAR };

/* Bib-1 use -> target and FTS column ("" = any). */
static int map_use(long use, const char **col)
{
	*col = "";
	switch (use) {
	case 0: case 1016: case 1017: case 1035: return T_FTS;
	case 4: case 6: *col = "title"; return T_FTS;
	case 5: *col = "series"; return T_FTS;
	case 21: *col = "subject"; return T_FTS;
	case 63: *col = "notes"; return T_FTS;
	case 1: case 1003: case 1004: case 1005: case 1006: *col = "author"; return T_FTS;
	case 1018: *col = "publisher"; return T_FTS;
	case 7: return T_ISBN;
	case 8: return T_ISSN;
	case 9: return T_LCCN;
	case 1007: return T_STDID;
	case 12: return T_LOCAL;
	case 30: case 31: return T_YEAR;
	default: return -1;
	}
}

static void fts_quote(strbuf *sb, const char *w)
{
	sb_addc(sb, '"');
	for (; *w; w++) {
		if (*w == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *w);
	}
	sb_addc(sb, '"');
}

static int text_term(const char *term, size_t len, const struct attrs *a, const char *col,
                     struct part *p, struct rpn_sql *out, strbuf *err)
{
	int right = 0;
	char *t = xstrndup(term, len);
	size_t tl = strlen(t);
	if (a->trunc == 1) {
		right = 1;
	} else if (a->trunc == 104) {
		if (tl && (t[tl - 1] == '?' || t[tl - 1] == '*')) {
			t[--tl] = 0;
			right = 1;
		}
		char *m = strpbrk(t, "?#*");
		if (m) {
			/* Bib-1 120, SRU diagnostic 28 (masking character not
			 * supported). The mask is not echoed: an SRU client's '*'
			 * and '?' reach us as Z39.58's '?' and '#' (the CQL map's
			 * truncation.z3958), so the word is named without it. */
			out->diag = YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE;
			if (m == t || m[-1] == ' ') {
				const char *w = m + strspn(m, "?#*");
				sb_addf(err, _("left truncation is not supported (a mask before '%.*s'): "
				               "only right truncation, a mask at the end of a word"),
				        (int)strcspn(w, " "), w);
			} else {
				const char *w = m;
				while (w > t && w[-1] != ' ')
					w--;
				sb_addf(err, _("a mask inside a word is not supported (a mask after '%.*s'): "
				               "only right truncation, a mask at the end of a word"),
				        (int)(m - w), w);
			}
			free(t);
			return -1;
		}
	} else if (a->trunc && a->trunc != 100) {
		out->diag = YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE;
		sb_addf(err, _("unsupported truncation attribute 5=%ld (only right truncation)"), a->trunc);
		free(t);
		return -1;
	}
	struct mk_list w = { 0 };
	size_t n = rpn_words(t, tl, &w);
	free(t);
	if (!n) {
		mk_list_release(&w);
		out->diag = YAZ_BIB1_TERM_TYPE_UNSUPP;
		sb_addf(err, _("'%.*s' has no words to search for"), (int)len, term);
		return -1;
	}
	int phrase = !(a->structure == 2 || a->structure == 6 || a->structure == 105 ||
	               a->structure == 106);
	p->is_fts = 1;
	p->depth = 1;
	if (*col)
		sb_addf(&p->fts, "{%s} : ", col);
	if (phrase || n == 1) {
		strbuf ph = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_addc(&ph, ' ');
			sb_adds(&ph, w.v[i]);
		}
		fts_quote(&p->fts, ph.buf);
		sb_release(&ph);
		if (right)
			sb_adds(&p->fts, " *");
	} else {
		sb_addc(&p->fts, '(');
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_adds(&p->fts, " AND ");
			fts_quote(&p->fts, w.v[i]);
			if (right && i == n - 1)
				sb_adds(&p->fts, " *");
		}
		sb_addc(&p->fts, ')');
	}
	mk_list_release(&w);
	return 0;
}

/* Exact standard numbers: one look-up of all the keys of an OR. */
#define KEYS_SQL "SELECT rid FROM keys WHERE key IN ("

static int key_term(int target, const char *term, size_t len, const struct attrs *a,
                    struct part *p, struct rpn_sql *out, strbuf *err)
{
	char *t = xstrndup(term, len);
	char k[300];
	int right = a->trunc == 1 || (a->trunc == 104 && len && (t[len - 1] == '?' || t[len - 1] == '*'));
	if (a->trunc == 104 && right)
		t[len - 1] = 0;
	if (a->trunc && a->trunc != 100 && !right) {
		free(t);
		out->diag = YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE;
		sb_addf(err, _("unsupported truncation attribute 5=%ld (only right truncation)"), a->trunc);
		return -1;
	}
	strbuf key = STRBUF_INIT;
	if (right) {
		/* prefix of a standard number: keep only its digits / X */
		sb_adds(&key, target == T_ISBN ? "isbn:" : target == T_ISSN ? "issn:" :
		              target == T_LCCN ? "lccn:" : "");
		for (const char *s = t; *s; s++)
			if (isalnum((unsigned char)*s))
				sb_addc(&key, (char)(target == T_LCCN ? tolower((unsigned char)*s) :
				                     toupper((unsigned char)*s)));
		for (size_t i = 0; i < key.len; i++)     /* GLOB specials cannot occur */
			if (strchr("*?[", key.buf[i]))
				key.buf[i] = '_';
		sb_addc(&key, '*');
		if (target == T_STDID) {
			strbuf k2 = STRBUF_INIT;
			sb_addf(&k2, "*:%s", key.buf);
			sb_release(&key);
			key = k2;
		}
		/* an ISBN-10's beginning is also the ISBN-13's after 978 (the
		 * keys are all ISBN-13); a whole ISBN-10 loses its check digit */
		size_t nd = target == T_ISBN ? key.len - 6 : 0;   /* between "isbn:" and '*' */
		if (nd && nd <= 10 && strspn(key.buf + 5, "0123456789") >= (nd == 10 ? 9 : nd)) {
			strbuf k13 = STRBUF_INIT;
			sb_addf(&k13, "isbn:978%.*s*", (int)(nd == 10 ? 9 : nd), key.buf + 5);
			/* one SELECT, so that it composes with EXCEPT and INTERSECT */
			sb_adds(&p->sql, "SELECT rid FROM (SELECT rid FROM keys WHERE key GLOB ? "
			                 "UNION SELECT rid FROM keys WHERE key GLOB ?)");
			param_add(&p->params, key.buf);
			param_add(&p->params, k13.buf);
			sb_release(&k13);
		} else {
			sb_adds(&p->sql, "SELECT rid FROM keys WHERE key GLOB ?");
			param_add(&p->params, key.buf);
		}
	} else if (target == T_STDID) {
		sb_adds(&p->sql, KEYS_SQL "?, ?, ?, ?)");
		p->is_keys = 1;
		int r1 = mk_isbn(t, k);
		sb_addf(&key, "isbn:%s", r1 ? k : t);
		param_add(&p->params, key.buf);
		sb_reset(&key);
		int r2 = mk_issn(t, k);
		sb_addf(&key, "issn:%s", r2 ? k : t);
		param_add(&p->params, key.buf);
		sb_reset(&key);
		sb_addf(&key, "lccn:%s", mk_lccn(t, k, sizeof k) ? k : t);
		param_add(&p->params, key.buf);
		sb_reset(&key);
		/* a system number: a 035 "(ORG)number", or a record's own (003)001 */
		sb_addf(&key, "sys:%s", mk_sysno(t, k, sizeof k) ? k : t);
		param_add(&p->params, key.buf);
	} else {
		int ok = target == T_ISBN ? mk_isbn(t, k) : target == T_ISSN ? mk_issn(t, k) :
		         mk_lccn(t, k, sizeof k);
		if (!ok) {
			free(t);
			sb_release(&key);
			out->diag = YAZ_BIB1_TERM_TYPE_UNSUPP;
			sb_addf(err, target == T_ISBN ? _("'%.*s' is not an ISBN") :
			             target == T_ISSN ? _("'%.*s' is not an ISSN") : _("'%.*s' is not an LCCN"),
			        (int)len, term);
			return -1;
		}
		sb_addf(&key, "%s:%s", target == T_ISBN ? "isbn" : target == T_ISSN ? "issn" : "lccn", k);
		sb_adds(&p->sql, KEYS_SQL "?)");
		p->is_keys = 1;
		param_add(&p->params, key.buf);
	}
	sb_release(&key);
	free(t);
	return 0;
}

#define YEAR_SQL "SELECT rid FROM records WHERE deleted = 0 AND "

/* Parser limits. FTS5 and SQLite parse with fixed stacks (FTS5 overflows
 * near 20 levels of "x OR (y AND (...", SQLite near 10 nested subqueries):
 * an FTS5 expression deeper than FTS_MAX_DEPTH is split into several
 * MATCHes combined in SQL; subqueries deeper than SQL_MAX_DEPTH are
 * refused. SQLite allows 500 SELECTs in a compound. */
#define FTS_MAX_DEPTH 8
#define SQL_MAX_DEPTH 6
#define SQL_MAX_COMPOUND 400

static int year_term(const char *term, size_t len, const struct attrs *a, struct part *p,
                     struct rpn_sql *out, strbuf *err)
{
	static const char *ops[] = { NULL, "<", "<=", "=", ">=", ">", "<>" };
	long rel = a->rel ? a->rel : 3;
	if (rel < 1 || rel > 6) {
		out->diag = YAZ_BIB1_UNSUPP_RELATION_ATTRIBUTE;
		sb_addf(err, _("unsupported relation attribute 2=%ld"), rel);
		return -1;
	}
	char buf[16];
	size_t k = 0;
	while (len && *term == ' ')
		term++, len--;
	while (len && term[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)term[i]) || k >= 4) {
			out->diag = YAZ_BIB1_TERM_TYPE_UNSUPP;
			sb_addf(err, _("'%.*s' is not a year"), (int)len, term);
			return -1;
		}
		buf[k++] = term[i];
	}
	if (!k) {
		out->diag = YAZ_BIB1_TERM_TYPE_UNSUPP;
		sb_adds(err, _("empty year"));
		return -1;
	}
	buf[k] = 0;
	sb_addf(&p->sql, YEAR_SQL "year %s CAST(? AS INTEGER)", ops[rel]);
	param_add(&p->params, buf);
	p->is_year = 1;
	return 0;
}

/* Every upper/lower case form of id's ASCII letters when it has at most
 * ID_CASE_LETTERS of them, else id as given, in lower and in upper case;
 * appended to l. */
#define ID_CASE_LETTERS 5
static void id_case_forms(const char *id, struct mk_list *l)
{
	size_t pos[ID_CASE_LETTERS], k = 0, len = strlen(id);
	for (size_t i = 0; i < len; i++) {
		if (!isalpha((unsigned char)id[i]))
			continue;
		if (k == ID_CASE_LETTERS) {
			k = ID_CASE_LETTERS + 1;
			break;
		}
		pos[k++] = i;
	}
	char *f = xstrdup(id);
	if (k > ID_CASE_LETTERS) {
		param_add(l, id);
		for (int up = 0; up < 2; up++) {
			for (size_t i = 0; i < len; i++)
				f[i] = (char)(up ? toupper((unsigned char)id[i]) : tolower((unsigned char)id[i]));
			if (strcmp(f, id))
				param_add(l, f);
		}
	} else {
		for (unsigned m = 0; m < 1u << k; m++) {
			for (size_t j = 0; j < k; j++)
				f[pos[j]] = (char)(m >> j & 1 ? toupper((unsigned char)id[pos[j]])
				                              : tolower((unsigned char)id[pos[j]]));
			param_add(l, f);
		}
	}
	free(f);
}

static int operand(const Z_Operand *o, struct part *p, struct rpn_sql *out, strbuf *err)
{
	if (o->which != Z_Operand_APT) {
		out->diag = YAZ_BIB1_RESULT_SET_UNSUPP_AS_A_SEARCH_TERM;
		sb_adds(err, _("result sets as search terms are not supported"));
		return -1;
	}
	const Z_AttributesPlusTerm *apt = o->u.attributesPlusTerm;
	struct attrs a;
	if (get_attrs(apt->attributes, &a, out, err))
		return -1;
	const char *term;
	size_t len;
	char num[32];
	switch (apt->term->which) {
	case Z_Term_general:
		term = (const char *)apt->term->u.general->buf;
		len = (size_t)apt->term->u.general->len;
		break;
	case Z_Term_characterString:
		term = apt->term->u.characterString;
		len = strlen(term);
		break;
	case Z_Term_numeric:
		snprintf(num, sizeof num, "%lld", (long long)*apt->term->u.numeric);
		term = num;
		len = strlen(num);
		break;
	default:
		out->diag = YAZ_BIB1_TERM_TYPE_UNSUPP;
		sb_adds(err, _("unsupported term type"));
		return -1;
	}
	/* a client that sends Latin-1 or MARC-8 without negotiating: say so,
	 * rather than that the term has no words */
	size_t badbyte;
	if (!utf8_valid(term, len, &badbyte)) {
		out->diag = YAZ_BIB1_MALFORMED_SEARCH_TERM;
		sb_addf(err, _("the term is not UTF-8 (byte %zu of it)"), badbyte + 1);
		return -1;
	}
	const char *col;
	int target = map_use(a.use, &col);
	if (target < 0) {
		out->diag = YAZ_BIB1_UNSUPP_USE_ATTRIBUTE;
		sb_addf(err, _("unsupported use attribute 1=%ld"), a.use);
		return -1;
	}
	if (a.rel == 103) {
		/* AlwaysMatches (SRU cql.allRecords=1): every live bibliographic
		 * record, i.e. every row of the keyword index, whatever the term */
		sb_adds(&p->sql, "SELECT rowid AS rid FROM fts");
		return 0;
	}
	if (target != T_YEAR && a.rel && a.rel != 3 && a.rel != 102) {
		out->diag = YAZ_BIB1_UNSUPP_RELATION_ATTRIBUTE;
		sb_addf(err, _("relation 2=%ld is only supported for years"), a.rel);
		return -1;
	}
	switch (target) {
	case T_FTS:
		return text_term(term, len, &a, col, p, out, err);
	case T_YEAR:
		return year_term(term, len, &a, p, out, err);
	case T_LOCAL: {
		char *t = xstrndup(term, len);
		char *s = t, *e = t + strlen(t);
		while (*s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			*--e = 0;
		int right = a.trunc == 1 || (a.trunc == 104 && e > s && (e[-1] == '?' || e[-1] == '*'));
		if (a.trunc == 104 && right)
			*--e = 0;
		if (a.trunc && a.trunc != 100 && !right) {
			free(t);
			out->diag = YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE;
			sb_addf(err, _("unsupported truncation attribute 5=%ld (only right truncation)"), a.trunc);
			return -1;
		}
		/* ids are compared without case, yet through the id index: look
		 * up every upper/lower case form of the id's letters (the prefix,
		 * "bm" or "BM" ...), or when it has more than ID_CASE_LETTERS
		 * letters, the id as typed, in lower and in upper case */
		struct mk_list forms = { 0 };
		id_case_forms(s, &forms);
		sb_adds(&p->sql, "SELECT rid FROM records WHERE +deleted = 0 AND ");
		if (right)
			sb_addc(&p->sql, '(');
		else
			sb_adds(&p->sql, "id IN (");
		for (size_t i = 0; i < forms.n; i++) {
			if (right) {
				/* prefix: GLOB with its special characters escaped */
				strbuf g = STRBUF_INIT;
				for (const char *c = forms.v[i]; *c; c++) {
					if (strchr("*?[", *c))
						sb_addf(&g, "[%c]", *c);
					else
						sb_addc(&g, *c);
				}
				sb_addc(&g, '*');
				sb_adds(&p->sql, i ? " OR id GLOB ?" : "id GLOB ?");
				param_add(&p->params, g.buf);
				sb_release(&g);
			} else {
				sb_adds(&p->sql, i ? ", ?" : "?");
				param_add(&p->params, forms.v[i]);
			}
		}
		sb_addc(&p->sql, ')');
		mk_list_release(&forms);
		free(t);
		return 0;
	}
	default:
		return key_term(target, term, len, &a, p, out, err);
	}
}

static int structure(const Z_RPNStructure *s, struct part *p, struct rpn_sql *out, strbuf *err)
{
	if (s->which == Z_RPNStructure_simple) {
		int idx = out->nops++;
		int rc = operand(s->u.simple, p, out, err);
		if (rc)
			out->bad = idx;
		return rc;
	}
	const Z_Complex *c = s->u.complex;
	int op = c->roperator->which;
	if (op != Z_Operator_and && op != Z_Operator_or && op != Z_Operator_and_not) {
		out->diag = YAZ_BIB1_UNSUPP_SEARCH;
		sb_adds(err, _("proximity searches are not supported"));
		return -1;
	}
	struct part a = { 0 }, b = { 0 };
	int rc = -1;
	if (structure(c->s1, &a, out, err) || structure(c->s2, &b, out, err))
		goto done;
	int top = op + 1;
	/* FTS5's parser has a small stack: keep chains of one operator flat
	 * ("a" AND "b" AND "c", not ((a AND b) AND c)), and a left operand with
	 * the same operator bare (FTS5 groups from the left) */
	int wrap_a = a.top != top, wrap_b = !(b.top == top && op != Z_Operator_and_not);
	int fts_depth = a.depth + wrap_a > b.depth + wrap_b ? a.depth + wrap_a : b.depth + wrap_b;
	if (a.is_year && b.is_year && op == Z_Operator_and) {
		/* yr=1990-2000 is two ranges ANDed: one scan of the year index
		 * rather than the intersection of two large sets */
		p->is_year = 1;
		p->nsel = 1;
		sb_addf(&p->sql, "%s AND %s", a.sql.buf, b.sql.buf + strlen(YEAR_SQL));
		params_move(&p->params, &a.params);
		params_move(&p->params, &b.params);
	} else if (a.is_keys && b.is_keys && op == Z_Operator_or) {
		/* a batch of ISBNs: one IN list, whatever its length */
		p->is_keys = 1;
		p->nsel = 1;
		sb_adds(&p->sql, a.sql.buf);
		p->sql.buf[--p->sql.len] = 0;       /* the ")" */
		sb_addf(&p->sql, ", %s", b.sql.buf + strlen(KEYS_SQL));
		params_move(&p->params, &a.params);
		params_move(&p->params, &b.params);
	} else if (a.is_fts && b.is_fts && fts_depth <= FTS_MAX_DEPTH) {
		p->is_fts = 1;
		p->top = top;
		p->depth = fts_depth;
		const char *o = op == Z_Operator_and ? "AND" : op == Z_Operator_or ? "OR" : "NOT";
		sb_addf(&p->fts, wrap_a ? "(%s) %s " : "%s %s ", a.fts.buf, o);
		sb_addf(&p->fts, wrap_b ? "(%s)" : "%s", b.fts.buf);
	} else {
		part_to_sql(&a);
		part_to_sql(&b);
		if (!a.nsel)
			a.nsel = 1;
		if (!b.nsel)
			b.nsel = 1;
		/* a compound SELECT groups from the left: a stays bare (while
		 * SQLite's limit on its SELECTs allows), b is a subquery when it
		 * is a compound itself. INTERSECT and UNION do not care about
		 * order: the deeper compound goes left, so that a chain nested
		 * to the right ("x or (y and (z or ...") stays flat too. */
		if (op != Z_Operator_and_not && b.nsel > 1 &&
		    (a.nsel == 1 || b.depth > a.depth)) {
			struct part t = a;
			a = b;
			b = t;
		}
		int sub_a = a.nsel >= SQL_MAX_COMPOUND, sub_b = b.nsel > 1;
		int depth = a.depth + sub_a > b.depth + sub_b ? a.depth + sub_a : b.depth + sub_b;
		if (depth > SQL_MAX_DEPTH) {
			out->diag = YAZ_BIB1_TOO_MANY_BOOLEAN_OPERATORS;
			out->bad = out->nops - 1;
			sb_addf(err, _("the query is nested too deeply (at most %d levels of "
			               "parentheses that mix words with numbers or years)"), SQL_MAX_DEPTH);
			goto done;
		}
		const char *o = op == Z_Operator_and ? "INTERSECT" : op == Z_Operator_or ? "UNION"
		                                                                        : "EXCEPT";
		sb_addf(&p->sql, sub_a ? "SELECT rid FROM (%s) %s " : "%s %s ", a.sql.buf, o);
		sb_addf(&p->sql, sub_b ? "SELECT rid FROM (%s)" : "%s", b.sql.buf);
		p->depth = depth;
		p->nsel = (sub_a ? 1 : a.nsel) + 1;
		params_move(&p->params, &a.params);
		params_move(&p->params, &b.params);
		if (op == Z_Operator_and) {
			conj_take(p, &a);
			conj_take(p, &b);
		}
	}
	rc = 0;
done:
	part_release(&a);
	part_release(&b);
	return rc;
}

int rpn2sql(const struct Z_RPNQuery *q, struct rpn_sql *out, strbuf *err)
{
	memset(out, 0, sizeof *out);
	out->bad = -1;
	if (!q || !q->RPNStructure) {
		out->diag = YAZ_BIB1_MALFORMED_QUERY;
		sb_adds(err, _("empty query"));
		return -1;
	}
	struct part p = { 0 };
	if (structure(q->RPNStructure, &p, out, err)) {
		part_release(&p);
		return -1;
	}
	if (p.is_fts)
		out->fts = xstrdup(p.fts.buf);
	part_to_sql(&p);
	out->sql = p.sql;
	p.sql = (strbuf)STRBUF_INIT;
	out->params = p.params;
	p.params = (struct mk_list){ 0 };
	out->conj = p.conj;
	out->nconj = p.nconj;
	p.conj = NULL;
	p.nconj = 0;
	part_release(&p);
	return 0;
}

void rpn_sql_release(struct rpn_sql *out)
{
	if (!out)
		return;
	sb_release(&out->sql);
	mk_list_release(&out->params);
	conj_free(out->conj, out->nconj);
	out->conj = NULL;
	out->nconj = 0;
	free(out->fts);
	out->fts = NULL;
}
