/*
 * marcdef.c - loader and lookups for the MARC 21 definition files in
 * marc/ (syntax: man/bienmuc-marcdef.5).
 *
 * The files are parsed line by line into growable arrays; all strings
 * live in one arena. After each load the field tables are sorted and a
 * tag index (000-999 direct, others by linear search) is rebuilt, and
 * code lists are sorted for binary search. Loading everything we ship
 * (some 12,000 lines) takes a few milliseconds.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "marcdef.h"

#ifndef BM_DATADIR
#define BM_DATADIR "/usr/local/share/bienmuc"
#endif

struct fieldtab {
	md_field *v;
	size_t n, cap;
	int index[1000];          /* numeric tag -> v[] index + 1 */
};

struct material {
	char code[4];
	char ldr06[16];
	char ldr07[16];           /* "" = any */
	char f006[16];
	const char *name;
	const char *name_local;
};

struct marcdef {
	arena *ar;
	struct fieldtab fields[MD_NFORMATS];
	md_fixed *fixed[MD_NFORMATS];
	size_t nfixed[MD_NFORMATS], capfixed[MD_NFORMATS];
	md_codelist *lists;
	size_t nlists, caplists;
	struct material *mat;
	size_t nmat, capmat;
	int loading_ours;         /* files named marc21-*: not "local" */
};

/* ---- small helpers ---- */

/* Grow *p (n elements of size sz) so that one more fits. Capacity is
 * implicit: 4, 8, 16 ... (n == 0 or a power of two >= 4 means full). */
static void grow(void *pp, size_t n, size_t sz)
{
	void **p = pp;
	if (n == 0)
		*p = xmalloc(4 * sz);
	else if (n >= 4 && (n & (n - 1)) == 0)
		*p = xrealloc(*p, 2 * n * sz);
}

static const char *sdup(marcdef *md, const char *s, size_t n)
{
	return arena_strndup(md->ar, s, n);
}

marcdef *marcdef_create(void)
{
	marcdef *md = xcalloc(1, sizeof *md);
	md->ar = arena_create(64 * 1024);
	return md;
}

static void free_codes_of_field(md_field *f)
{
	free((void *)f->ind[0].codes);
	free((void *)f->ind[1].codes);
	free((void *)f->subs);
}

void marcdef_destroy(marcdef *md)
{
	if (!md)
		return;
	for (int fmt = 0; fmt < MD_NFORMATS; fmt++) {
		for (size_t i = 0; i < md->fields[fmt].n; i++)
			free_codes_of_field(&md->fields[fmt].v[i]);
		free(md->fields[fmt].v);
		for (size_t i = 0; i < md->nfixed[fmt]; i++) {
			md_fixed *fx = &md->fixed[fmt][i];
			for (size_t j = 0; j < fx->npos; j++)
				free((void *)fx->pos[j].codes);
			free((void *)fx->pos);
		}
		free(md->fixed[fmt]);
	}
	for (size_t i = 0; i < md->nlists; i++)
		free((void *)md->lists[i].codes);
	free(md->lists);
	free(md->mat);
	arena_destroy(md->ar);
	free(md);
}

/* ---- tables ---- */

static int tag_num(const char *tag)
{
	if (isdigit((unsigned char)tag[0]) && isdigit((unsigned char)tag[1]) &&
	    isdigit((unsigned char)tag[2]) && !tag[3])
		return (tag[0] - '0') * 100 + (tag[1] - '0') * 10 + (tag[2] - '0');
	return -1;
}

static md_field *field_get(marcdef *md, int fmt, const char *tag)
{
	struct fieldtab *ft = &md->fields[fmt];
	int t = tag_num(tag);
	if (t >= 0) {
		/* The index is only rebuilt after a load: search linearly
		 * while loading. */
		if (ft->index[t] && !strcmp(ft->v[ft->index[t] - 1].tag, tag))
			return &ft->v[ft->index[t] - 1];
	}
	for (size_t i = 0; i < ft->n; i++)
		if (!strcmp(ft->v[i].tag, tag))
			return &ft->v[i];
	return NULL;
}

static md_field *field_add(marcdef *md, int fmt, const char *tag)
{
	struct fieldtab *ft = &md->fields[fmt];
	if (ft->n == ft->cap) {
		ft->cap = ft->cap ? ft->cap * 2 : 256;
		ft->v = xrealloc(ft->v, ft->cap * sizeof *ft->v);
	}
	md_field *f = &ft->v[ft->n++];
	memset(f, 0, sizeof *f);
	memcpy(f->tag, tag, 3);
	f->control = tag[0] == '0' && tag[1] == '0';
	f->ind[0].undefined = f->ind[1].undefined = 1;
	int t = tag_num(tag);
	if (t >= 0)
		ft->index[t] = (int)ft->n;
	return f;
}

static int cmp_field(const void *a, const void *b)
{
	return strcmp(((const md_field *)a)->tag, ((const md_field *)b)->tag);
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const md_code *)a)->code, ((const md_code *)b)->code);
}

static void finalize(marcdef *md)
{
	for (int fmt = 0; fmt < MD_NFORMATS; fmt++) {
		struct fieldtab *ft = &md->fields[fmt];
		if (ft->n)
			qsort(ft->v, ft->n, sizeof *ft->v, cmp_field);
		memset(ft->index, 0, sizeof ft->index);
		for (size_t i = 0; i < ft->n; i++) {
			int t = tag_num(ft->v[i].tag);
			if (t >= 0)
				ft->index[t] = (int)i + 1;
		}
	}
	for (size_t i = 0; i < md->nlists; i++)
		if (md->lists[i].ncodes)
			qsort((void *)md->lists[i].codes, md->lists[i].ncodes,
			      sizeof(md_code), cmp_code);
}

/* Add or replace a code in an array (linear: arrays are short, except
 * code lists, which are searched by binary search once sorted). */
static md_code *code_put(marcdef *md, const md_code **arr, size_t *n,
                         const char *code, int sorted)
{
	md_code *v = (md_code *)*arr;
	if (sorted && *n) {
		md_code key = { .code = code };
		md_code *hit = bsearch(&key, v, *n, sizeof *v, cmp_code);
		if (hit)
			return hit;
	} else {
		for (size_t i = 0; i < *n; i++)
			if (!strcmp(v[i].code, code))
				return &v[i];
	}
	grow(&v, *n, sizeof *v);
	*arr = v;
	md_code *c = &v[(*n)++];
	memset(c, 0, sizeof *c);
	c->code = sdup(md, code, strlen(code));
	return c;
}

/* A code of a list, or NULL: binary search if the list should be sorted
 * (it was loaded by an earlier file), else (or on a miss, in case codes
 * were appended in this file) linear. */
static md_code *code_find(md_codelist *l, const char *code, int sorted)
{
	md_code *v = (md_code *)l->codes;
	if (sorted && l->ncodes) {
		md_code key = { .code = code };
		md_code *hit = bsearch(&key, v, l->ncodes, sizeof *v, cmp_code);
		if (hit)
			return hit;
	}
	for (size_t i = 0; i < l->ncodes; i++)
		if (!strcmp(v[i].code, code))
			return &v[i];
	return NULL;
}

static md_codelist *list_get(marcdef *md, const char *name)
{
	for (size_t i = 0; i < md->nlists; i++)
		if (!strcmp(md->lists[i].name, name))
			return &md->lists[i];
	return NULL;
}

static md_fixed *fixed_get(marcdef *md, int fmt, const char *tag, const char *type)
{
	for (size_t i = 0; i < md->nfixed[fmt]; i++) {
		md_fixed *fx = &md->fixed[fmt][i];
		if (!strcmp(fx->tag, tag) && !strcmp(fx->type, type))
			return fx;
	}
	return NULL;
}

/* ---- parser ---- */

struct parser {
	marcdef *md;
	const char *file;
	int line;
	strbuf *err;
	int fmt;
	int local_lang;           /* names go to name_local */
	md_field *field;
	md_fixed *fixed;
	md_pos *pos;
	md_codelist *list;
	int code_target;          /* 0 none, 1 pos, 2 list */
	int list_sorted;          /* current list sorted (overlay of a loaded list) */
};

static int perr(struct parser *p, const char *fmt, ...) BM_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	sb_addf(p->err, "%s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	sb_vaddf(p->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split off the next whitespace-separated token. */
static const char *tok(const char **s, size_t *n)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *b = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*n = (size_t)(p - b);
	while (*p == ' ' || *p == '\t')
		p++;
	*s = p;
	return b;
}

static int tokeq(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(t, word, n);
}

/* Optional repeatability (R|NR) and "obs" flags. Returns 1 if R/NR was
 * present, 0 if not; sets *rep and *obs. */
static int parse_flags(const char **s, int *rep, int *obs)
{
	const char *save = *s;
	size_t n;
	const char *t = tok(s, &n);
	int had = 0;
	*obs = 0;
	if (tokeq(t, n, "R") || tokeq(t, n, "NR")) {
		*rep = n == 1;
		had = 1;
		save = *s;
		t = tok(s, &n);
	}
	if (tokeq(t, n, "obs"))
		*obs = 1;
	else
		*s = save;
	return had;
}

static void set_name(struct parser *p, const char **name, const char **local, const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return;
	if (p->local_lang)
		*local = sdup(p->md, s, n);
	else
		*name = sdup(p->md, s, n);
}

/* "#" stands for a blank in codes and indicator values. */
static void blanks(char *s)
{
	for (; *s; s++)
		if (*s == '#')
			*s = ' ';
}

static int parse_range(const char *t, size_t n, int *a, int *b)
{
	char buf[16];
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, t, n);
	buf[n] = 0;
	char *e;
	long x = strtol(buf, &e, 10), y = x;
	if (e == buf || x < 0)
		return -1;
	if (*e == '-') {
		char *e2;
		y = strtol(e + 1, &e2, 10);
		if (e2 == e + 1 || *e2)
			return -1;
	} else if (*e)
		return -1;
	if (y < x || y > 99999)
		return -1;
	*a = (int)x;
	*b = (int)y;
	return 0;
}

static int is_tag(const char *t, size_t n)
{
	if (n != 3)
		return 0;
	for (int i = 0; i < 3; i++)
		if (!isdigit((unsigned char)t[i]) && !isupper((unsigned char)t[i]))
			return 0;
	return 1;
}

static int do_ind(struct parser *p, int which, const char *rest)
{
	if (!p->field)
		return perr(p, "ind%d outside a field", which + 1);
	md_indicator *ind = &p->field->ind[which];
	size_t n;
	const char *save = rest;
	const char *t = tok(&rest, &n);
	if (tokeq(t, n, "name")) {
		set_name(p, &ind->name, &ind->name_local, rest);
		return 0;
	}
	if (tokeq(t, n, "undefined")) {
		ind->undefined = 1;
		return 0;
	}
	char lo, hi;
	if (n == 1) {
		lo = hi = *t;
	} else if (n == 3 && t[1] == '-') {
		lo = t[0];
		hi = t[2];
	} else {
		(void)save;
		return perr(p, "bad indicator value '%.*s'", (int)n, t);
	}
	if (lo == '#')
		lo = hi = ' ';
	int rep, obs;
	parse_flags(&rest, &rep, &obs);
	if (!*rest)
		return perr(p, "indicator value without a meaning");
	if (!p->local_lang)
		ind->undefined = 0;
	for (int c = (unsigned char)lo; c <= (unsigned char)hi; c++) {
		char code[2] = { (char)c, 0 };
		md_code *mc;
		if (p->local_lang) {
			mc = NULL;
			for (size_t i = 0; i < ind->ncodes; i++)
				if (ind->codes[i].code[0] == c)
					mc = (md_code *)&ind->codes[i];
			if (!mc)
				return perr(p, "name for undefined indicator value '%c'", c);
		} else {
			mc = code_put(p->md, &ind->codes, &ind->ncodes, code, 0);
			mc->obsolete = obs;
		}
		set_name(p, &mc->name, &mc->name_local, rest);
	}
	return 0;
}

static int do_sub(struct parser *p, char code, const char *rest)
{
	if (!p->field)
		return perr(p, "subfield $%c outside a field", code);
	md_field *f = p->field;
	md_subfield *sf = NULL;
	for (size_t i = 0; i < f->nsubs; i++)
		if (f->subs[i].code == code)
			sf = (md_subfield *)&f->subs[i];
	int rep = 0, obs = 0;
	int had = parse_flags(&rest, &rep, &obs);
	if (!sf) {
		if (!had)
			return perr(p, "subfield $%c: R or NR expected", code);
		md_subfield *v = (md_subfield *)f->subs;
		grow(&v, f->nsubs, sizeof *v);
		f->subs = v;
		sf = &v[f->nsubs++];
		memset(sf, 0, sizeof *sf);
		sf->code = code;
	}
	if (had) {
		sf->repeatable = rep;
		sf->obsolete = obs;
	}
	set_name(p, &sf->name, &sf->name_local, rest);
	return 0;
}

static int do_tag(struct parser *p, const char *t, const char *rest)
{
	char tag[4];
	memcpy(tag, t, 3);
	tag[3] = 0;
	md_field *f = field_get(p->md, p->fmt, tag);
	int rep = 0, obs = 0;
	int had = parse_flags(&rest, &rep, &obs);
	if (!f) {
		if (!had)
			return perr(p, "field %s: R or NR expected", tag);
		f = field_add(p->md, p->fmt, tag);
		f->local = !p->md->loading_ours;
	}
	if (had) {
		f->repeatable = rep;
		f->obsolete = obs;
	}
	set_name(p, &f->name, &f->name_local, rest);
	p->field = f;
	p->fixed = NULL;
	p->pos = NULL;
	p->code_target = 0;
	return 0;
}

/* "like TAG [ind1] [ind2] [subfields]": copy the indicators and/or
 * subfields of an already defined field of the same format into the
 * current one (all three when none is named). */
static int do_like(struct parser *p, const char *rest)
{
	size_t n;
	const char *t = tok(&rest, &n);
	if (!p->field)
		return perr(p, "like outside a field");
	if (!is_tag(t, n))
		return perr(p, "like: tag expected");
	char tag[4] = { t[0], t[1], t[2], 0 };
	const md_field *src = field_get(p->md, p->fmt, tag);
	if (src == p->field)
		return perr(p, "like: a field cannot be like itself");
	if (!src)
		return perr(p, "like: field %s is not defined (yet)", tag);
	int parts = 0;               /* 1 ind1, 2 ind2, 4 subfields */
	while (*rest) {
		t = tok(&rest, &n);
		if (tokeq(t, n, "ind1"))
			parts |= 1;
		else if (tokeq(t, n, "ind2"))
			parts |= 2;
		else if (tokeq(t, n, "subfields"))
			parts |= 4;
		else
			return perr(p, "like: ind1, ind2 or subfields expected");
	}
	if (!parts)
		parts = 7;
	md_field *f = p->field;
	for (int i = 0; i < 2; i++) {
		if (!(parts & (1 << i)))
			continue;
		f->ind[i].undefined = src->ind[i].undefined;
		f->ind[i].name = src->ind[i].name;
		f->ind[i].name_local = src->ind[i].name_local;
		for (size_t j = 0; j < src->ind[i].ncodes; j++) {
			md_code *c = code_put(p->md, &f->ind[i].codes, &f->ind[i].ncodes,
			                      src->ind[i].codes[j].code, 0);
			const md_code *sc = &src->ind[i].codes[j];
			c->name = sc->name;
			c->name_local = sc->name_local;
			c->obsolete = sc->obsolete;
		}
	}
	for (size_t j = 0; (parts & 4) && j < src->nsubs; j++) {
		const md_subfield *ss = &src->subs[j];
		md_subfield *v = (md_subfield *)f->subs;
		size_t k;
		for (k = 0; k < f->nsubs && v[k].code != ss->code; k++)
			;
		if (k == f->nsubs) {
			grow(&v, f->nsubs, sizeof *v);
			f->subs = v;
			f->nsubs++;
		}
		v[k] = *ss;
	}
	return 0;
}

static int do_fixed(struct parser *p, const char *rest)
{
	size_t n1, n2;
	const char *tg = tok(&rest, &n1);
	const char *ty = tok(&rest, &n2);
	if (!(tokeq(tg, n1, "LDR") || tokeq(tg, n1, "006") || tokeq(tg, n1, "007") ||
	      tokeq(tg, n1, "008")))
		return perr(p, "fixed: LDR, 006, 007 or 008 expected");
	if (n2 == 0 || n2 > 3)
		return perr(p, "fixed: type expected (all, BK ... or a 007 category)");
	char tag[4] = { 0 }, type[4] = { 0 };
	memcpy(tag, tg, n1);
	memcpy(type, ty, n2);
	md_fixed *fx = fixed_get(p->md, p->fmt, tag, type);
	if (!fx && p->local_lang)
		return perr(p, "name for undefined block %s %s", tag, type);
	if (!fx) {
		int fmt = p->fmt;
		marcdef *md = p->md;
		if (md->nfixed[fmt] == md->capfixed[fmt]) {
			md->capfixed[fmt] = md->capfixed[fmt] ? md->capfixed[fmt] * 2 : 32;
			md->fixed[fmt] = xrealloc(md->fixed[fmt], md->capfixed[fmt] * sizeof(md_fixed));
		}
		fx = &md->fixed[fmt][md->nfixed[fmt]++];
		memset(fx, 0, sizeof *fx);
		memcpy(fx->tag, tag, 4);
		memcpy(fx->type, type, 4);
	}
	set_name(p, &fx->name, &fx->name_local, rest);
	p->fixed = fx;
	p->field = NULL;
	p->pos = NULL;
	p->code_target = 0;
	return 0;
}

/* Under a second language, "copy" names what the English copy made:
 * the second-language names of src's positions a-b and of their codes
 * go to the current block's positions moved by delta. */
static int copy_names(struct parser *p, const md_fixed *src, int a, int b, int delta)
{
	md_fixed *fx = p->fixed;
	for (size_t i = 0; i < src->npos; i++) {
		const md_pos *sp = &src->pos[i];
		if (sp->start < a || sp->start > b)
			continue;
		md_pos *tp = NULL;
		for (size_t j = 0; j < fx->npos; j++)
			if (fx->pos[j].start == sp->start + delta)
				tp = (md_pos *)&fx->pos[j];
		if (!tp)
			return perr(p, "copy: name for undefined position %d", sp->start + delta);
		if (sp->name_local)
			tp->name_local = sp->name_local;
		for (size_t k = 0; k < sp->ncodes; k++) {
			if (!sp->codes[k].name_local)
				continue;
			for (size_t m = 0; m < tp->ncodes; m++)
				if (!strcmp(tp->codes[m].code, sp->codes[k].code))
					((md_code *)tp->codes)[m].name_local = sp->codes[k].name_local;
		}
	}
	p->pos = NULL;
	p->code_target = 0;
	return 0;
}

/* "copy TAG TYPE FROM-TO DELTA": copy positions FROM-TO of another
 * block into the current one, moved by DELTA (006 = 008/18-34 - 17). */
static int do_copy(struct parser *p, const char *rest)
{
	if (!p->fixed)
		return perr(p, "copy outside a fixed block");
	size_t n1, n2, n3, n4;
	const char *tg = tok(&rest, &n1);
	const char *ty = tok(&rest, &n2);
	const char *rg = tok(&rest, &n3);
	const char *dl = tok(&rest, &n4);
	int a, b;
	char tag[4] = { 0 }, type[4] = { 0 }, dbuf[16] = { 0 };
	if (n1 != 3 || !n2 || n2 > 3 || parse_range(rg, n3, &a, &b) || !n4 || n4 >= sizeof dbuf)
		return perr(p, "copy: TAG TYPE FROM-TO DELTA expected");
	memcpy(tag, tg, 3);
	memcpy(type, ty, n2);
	memcpy(dbuf, dl, n4);
	int delta = atoi(dbuf);
	const md_fixed *src = fixed_get(p->md, p->fmt, tag, type);
	if (!src)
		return perr(p, "copy: no block %s %s", tag, type);
	if (p->local_lang)
		return copy_names(p, src, a, b, delta);
	md_fixed *fx = p->fixed;
	for (size_t i = 0; i < src->npos; i++) {
		const md_pos *sp = &src->pos[i];
		if (sp->start < a || sp->start > b)
			continue;
		md_pos *v = (md_pos *)fx->pos;
		grow(&v, fx->npos, sizeof *v);
		fx->pos = v;
		md_pos *np = &v[fx->npos++];
		*np = *sp;
		np->start = sp->start + delta;
		if (sp->ncodes) {
			md_code *c = xmalloc((sp->ncodes < 4 ? 4 : sp->ncodes * 2) * sizeof *c);
			memcpy(c, sp->codes, sp->ncodes * sizeof *c);
			np->codes = c;
		}
	}
	p->pos = NULL;
	p->code_target = 0;
	return 0;
}

static int do_pos(struct parser *p, const char *rest)
{
	if (!p->fixed)
		return perr(p, "pos outside a fixed block");
	size_t n;
	const char *t = tok(&rest, &n);
	int a, b;
	if (parse_range(t, n, &a, &b))
		return perr(p, "pos: bad position '%.*s'", (int)n, t);
	md_fixed *fx = p->fixed;
	md_pos *pos = NULL;
	for (size_t i = 0; i < fx->npos; i++)
		if (fx->pos[i].start == a)
			pos = (md_pos *)&fx->pos[i];
	if (p->local_lang) {
		if (!pos)
			return perr(p, "name for undefined position %d", a);
		set_name(p, &pos->name, &pos->name_local, rest);
		p->pos = pos;
		p->code_target = 1;
		return 0;
	}
	const char *kt = tok(&rest, &n);
	int kind;
	const char *list = NULL;
	if (tokeq(kt, n, "code"))
		kind = MDP_CODE;
	else if (tokeq(kt, n, "each"))
		kind = MDP_EACH;
	else if (tokeq(kt, n, "num"))
		kind = MDP_NUM;
	else if (tokeq(kt, n, "date"))
		kind = MDP_DATE;
	else if (tokeq(kt, n, "text"))
		kind = MDP_TEXT;
	else if (n > 5 && !memcmp(kt, "list=", 5)) {
		kind = MDP_LIST;
		list = sdup(p->md, kt + 5, n - 5);
	} else
		return perr(p, "pos: kind expected (code, each, num, date, text, list=NAME)");
	int rep, obs;
	parse_flags(&rest, &rep, &obs);
	if (!pos) {
		md_pos *v = (md_pos *)fx->pos;
		grow(&v, fx->npos, sizeof *v);
		fx->pos = v;
		pos = &v[fx->npos++];
		memset(pos, 0, sizeof *pos);
		pos->start = a;
	}
	pos->len = b - a + 1;
	pos->kind = kind;
	pos->list = list;
	pos->obsolete = obs;
	set_name(p, &pos->name, &pos->name_local, rest);
	p->pos = pos;
	p->code_target = 1;
	return 0;
}

static int do_code(struct parser *p, const char *rest)
{
	size_t n;
	const char *t = tok(&rest, &n);
	if (!n)
		return perr(p, "code: value expected");
	char buf[64];
	if (n >= sizeof buf)
		return perr(p, "code: value too long");
	memcpy(buf, t, n);
	buf[n] = 0;
	int rep, obs;
	parse_flags(&rest, &rep, &obs);
	md_code *c;
	if (p->code_target == 1) {
		md_pos *pos = p->pos;
		blanks(buf);
		if (pos->kind == MDP_EACH ? n != 1 : (int)n != pos->len)
			return perr(p, "code '%s' does not fit position %d (length %d)",
			            buf, pos->start, pos->kind == MDP_EACH ? 1 : pos->len);
		if (p->local_lang) {
			c = NULL;
			for (size_t i = 0; i < pos->ncodes; i++)
				if (!strcmp(pos->codes[i].code, buf))
					c = (md_code *)&pos->codes[i];
			if (!c)
				return perr(p, "name for undefined code '%s'", buf);
		} else
			c = code_put(p->md, &pos->codes, &pos->ncodes, buf, 0);
	} else if (p->code_target == 2 && p->local_lang) {
		/* an overlay names the codes of a list, it adds none */
		c = code_find(p->list, buf, p->list_sorted);
		if (!c)
			return perr(p, "name for undefined code '%s' of list %s", buf, p->list->name);
	} else if (p->code_target == 2) {
		size_t before = p->list->ncodes;
		c = code_put(p->md, &p->list->codes, &p->list->ncodes, buf, p->list_sorted);
		if (p->list->ncodes != before)
			p->list_sorted = 0;   /* appended: no longer sorted */
	} else
		return perr(p, "code outside a position or code list");
	if (!p->local_lang)
		c->obsolete = obs;
	set_name(p, &c->name, &c->name_local, rest);
	return 0;
}

static int do_codelist(struct parser *p, const char *rest)
{
	size_t n;
	const char *t = tok(&rest, &n);
	if (!n)
		return perr(p, "codelist: name expected");
	char name[64];
	if (n >= sizeof name)
		return perr(p, "codelist: name too long");
	memcpy(name, t, n);
	name[n] = 0;
	marcdef *md = p->md;
	md_codelist *l = list_get(md, name);
	if (!l && p->local_lang)
		return perr(p, "name for undefined code list %s", name);
	p->list_sorted = l != NULL;
	if (!l) {
		if (md->nlists == md->caplists) {
			md->caplists = md->caplists ? md->caplists * 2 : 8;
			md->lists = xrealloc(md->lists, md->caplists * sizeof *md->lists);
		}
		l = &md->lists[md->nlists++];
		memset(l, 0, sizeof *l);
		l->name = sdup(md, name, n);
	}
	const char *dummy = NULL;
	if (!p->local_lang)
		set_name(p, &l->title, &dummy, rest);
	p->list = l;
	p->code_target = 2;
	p->field = NULL;
	p->fixed = NULL;
	return 0;
}

/* Under a second language: "material CODE NAME" names every line of
 * that material type. */
static int material_name(struct parser *p, const char *rest)
{
	size_t n;
	const char *t = tok(&rest, &n);
	marcdef *md = p->md;
	int found = 0;
	for (size_t i = 0; n && i < md->nmat; i++)
		if (!memcmp(md->mat[i].code, t, n) && !md->mat[i].code[n]) {
			set_name(p, &md->mat[i].name, &md->mat[i].name_local, rest);
			found = 1;
		}
	if (!found)
		return perr(p, "name for undefined material type '%.*s'", (int)n, t);
	return 0;
}

static int do_material(struct parser *p, const char *rest)
{
	if (p->local_lang)
		return material_name(p, rest);
	size_t n[4];
	const char *t[4];
	for (int i = 0; i < 4; i++) {
		t[i] = tok(&rest, &n[i]);
		if (!n[i] || n[i] > 15)
			return perr(p, "material: CODE LDR06 LDR07 006 NAME expected");
	}
	if (n[0] > 3)
		return perr(p, "material: code too long");
	marcdef *md = p->md;
	struct material *m = NULL;
	for (size_t i = 0; i < md->nmat; i++)
		if (!memcmp(md->mat[i].code, t[0], n[0]) && !md->mat[i].code[n[0]] &&
		    !memcmp(md->mat[i].ldr06, t[1], n[1]) && !md->mat[i].ldr06[n[1]])
			m = &md->mat[i];
	if (!m) {
		if (md->nmat == md->capmat) {
			md->capmat = md->capmat ? md->capmat * 2 : 8;
			md->mat = xrealloc(md->mat, md->capmat * sizeof *md->mat);
		}
		m = &md->mat[md->nmat++];
		memset(m, 0, sizeof *m);
	}
	memcpy(m->code, t[0], n[0]);
	memcpy(m->ldr06, t[1], n[1]);
	if (!tokeq(t[2], n[2], "*"))
		memcpy(m->ldr07, t[2], n[2]);
	memcpy(m->f006, t[3], n[3]);
	m->name = sdup(md, rest, strlen(rest));
	return 0;
}

static int parse_line(struct parser *p, char *s)
{
	size_t n;
	const char *rest = s;
	const char *t = tok(&rest, &n);
	if (!n || *t == '#')
		return 0;
	if (*t == '$' && n == 2)
		return do_sub(p, t[1], rest);
	if (is_tag(t, n))
		return do_tag(p, t, rest);
	if (tokeq(t, n, "ind1") || tokeq(t, n, "ind2"))
		return do_ind(p, t[3] - '1', rest);
	if (tokeq(t, n, "code"))
		return do_code(p, rest);
	if (tokeq(t, n, "like"))
		return do_like(p, rest);
	if (tokeq(t, n, "copy"))
		return do_copy(p, rest);
	if (tokeq(t, n, "pos"))
		return do_pos(p, rest);
	if (tokeq(t, n, "fixed"))
		return do_fixed(p, rest);
	if (tokeq(t, n, "codelist"))
		return do_codelist(p, rest);
	if (tokeq(t, n, "material"))
		return do_material(p, rest);
	if (tokeq(t, n, "format")) {
		const char *f = tok(&rest, &n);
		if (tokeq(f, n, "bib"))
			p->fmt = MD_BIB;
		else if (tokeq(f, n, "auth"))
			p->fmt = MD_AUTH;
		else
			return perr(p, "format: bib or auth expected");
		p->field = NULL;
		p->fixed = NULL;
		p->code_target = 0;
		return 0;
	}
	if (tokeq(t, n, "lang")) {
		const char *l = tok(&rest, &n);
		if (!n)
			return perr(p, "lang: language code expected");
		p->local_lang = !tokeq(l, n, "en");
		return 0;
	}
	return perr(p, "unknown keyword '%.*s'", (int)n, t);
}

int marcdef_load_text(marcdef *md, const char *name, const char *text,
                      size_t len, strbuf *err)
{
	struct parser p = { .md = md, .file = name, .err = err, .fmt = MD_BIB };
	strbuf line = STRBUF_INIT;
	const char *end = text + len;
	int rc = 0;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		const char *le = nl ? nl : end;
		p.line++;
		sb_reset(&line);
		sb_add(&line, text, (size_t)(le - text));
		while (line.len && (line.buf[line.len - 1] == ' ' || line.buf[line.len - 1] == '\t' ||
		                    line.buf[line.len - 1] == '\r'))
			line.buf[--line.len] = 0;
		if (line.len && parse_line(&p, line.buf) < 0) {
			rc = -1;
			break;
		}
		text = nl ? nl + 1 : end;
	}
	sb_release(&line);
	finalize(md);
	return rc;
}

int marcdef_load_file(marcdef *md, const char *path, strbuf *err)
{
	strbuf sb = STRBUF_INIT;
	int got = sb_read_file(&sb, path);
	if (got < 0) {
		if (got == -1)
			sb_addf(err, "cannot open '%s': %s", path, strerror(errno));
		else
			sb_addf(err, "cannot read '%s'", path);
		sb_release(&sb);
		return -1;
	}
	int rc = marcdef_load_text(md, path, sb.buf ? sb.buf : "", sb.len, err);
	sb_release(&sb);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int marcdef_load_dir(marcdef *md, const char *dir, strbuf *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		sb_addf(err, "cannot open directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".def") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int rc = 0, found = 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = 0; i < n && !rc; i++) {
			int ours = !strncmp(names[i], "marc21-", 7);
			if (ours != (pass == 0))
				continue;
			found += ours;
			strbuf path = STRBUF_INIT;
			sb_addf(&path, "%s/%s", dir, names[i]);
			md->loading_ours = ours;
			rc = marcdef_load_file(md, path.buf, err);
			md->loading_ours = 0;
			sb_release(&path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc && !found) {
		sb_addf(err, "no marc21-*.def files in '%s'", dir);
		rc = -1;
	}
	return rc;
}

static int has_defs(const char *dir)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s/marc21-bib.def", dir);
	int ok = access(sb.buf, R_OK) == 0;
	sb_release(&sb);
	return ok;
}

char *marcdef_find_dir(void)
{
	const char *env = getenv("BIENMUC_MARCDIR");
	if (env && *env)
		return xstrdup(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		for (int up = 0; slash && up < 2; up++) {
			*slash = 0;
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "%s/marc", exe);
			if (has_defs(sb.buf))
				return sb_detach(&sb, NULL);
			sb_release(&sb);
			slash = strrchr(exe, '/');
		}
	}
	if (has_defs(BM_DATADIR "/marc"))
		return xstrdup(BM_DATADIR "/marc");
	return NULL;
}

marcdef *marcdef_open_default(strbuf *err)
{
	char *dir = marcdef_find_dir();
	if (!dir) {
		sb_adds(err, "cannot find the MARC definitions (marc/marc21-bib.def); "
		        "set BIENMUC_MARCDIR");
		return NULL;
	}
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, dir, err) < 0) {
		marcdef_destroy(md);
		md = NULL;
	}
	free(dir);
	return md;
}

/* ---- lookups ---- */

const md_field *marcdef_field(const marcdef *md, int fmt, const char *tag)
{
	if (!md || fmt < 0 || fmt >= MD_NFORMATS || !tag)
		return NULL;
	const struct fieldtab *ft = &md->fields[fmt];
	int t = tag_num(tag);
	if (t >= 0)
		return ft->index[t] ? &ft->v[ft->index[t] - 1] : NULL;
	for (size_t i = 0; i < ft->n; i++)
		if (!strcmp(ft->v[i].tag, tag))
			return &ft->v[i];
	return NULL;
}

size_t marcdef_nfields(const marcdef *md, int fmt)
{
	return fmt >= 0 && fmt < MD_NFORMATS ? md->fields[fmt].n : 0;
}

const md_field *marcdef_field_at(const marcdef *md, int fmt, size_t i)
{
	return i < marcdef_nfields(md, fmt) ? &md->fields[fmt].v[i] : NULL;
}

const md_subfield *marcdef_subfield(const md_field *f, char code)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->nsubs; i++)
		if (f->subs[i].code == code)
			return &f->subs[i];
	return NULL;
}

const md_code *marcdef_ind_value(const md_field *f, int n, char c)
{
	static const md_code blank = { " ", "Undefined", NULL, 0 };
	if (!f || n < 1 || n > 2)
		return NULL;
	const md_indicator *ind = &f->ind[n - 1];
	if (ind->undefined)
		return c == ' ' ? &blank : NULL;
	for (size_t i = 0; i < ind->ncodes; i++)
		if (ind->codes[i].code[0] == c)
			return &ind->codes[i];
	return NULL;
}

const char *marcdef_material(const marcdef *md, int fmt, const char *leader)
{
	if (fmt == MD_AUTH)
		return "all";
	if (!leader || !leader[6])
		return NULL;
	for (size_t i = 0; i < md->nmat; i++) {
		const struct material *m = &md->mat[i];
		if (!strchr(m->ldr06, leader[6]))
			continue;
		if (m->ldr07[0] && !strchr(m->ldr07, leader[7] ? leader[7] : '?'))
			continue;
		return m->code;
	}
	return NULL;
}

const char *marcdef_material_006(const marcdef *md, char c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < md->nmat; i++)
		if (strchr(md->mat[i].f006, c))
			return md->mat[i].code;
	return NULL;
}

const char *marcdef_material_name(const marcdef *md, const char *type)
{
	for (size_t i = 0; type && i < md->nmat; i++)
		if (!strcmp(md->mat[i].code, type))
			return md->mat[i].name;
	return NULL;
}

const char *marcdef_material_name_local(const marcdef *md, const char *type)
{
	for (size_t i = 0; type && i < md->nmat; i++)
		if (!strcmp(md->mat[i].code, type))
			return md->mat[i].name_local;
	return NULL;
}

const md_fixed *marcdef_fixed(const marcdef *md, int fmt, const char *tag,
                              const char *type)
{
	if (!md || fmt < 0 || fmt >= MD_NFORMATS || !tag || !type)
		return NULL;
	return fixed_get((marcdef *)md, fmt, tag, type);
}

static size_t add_block(const md_fixed *fx, const md_pos **out, size_t max, size_t k)
{
	for (size_t i = 0; fx && i < fx->npos; i++, k++)
		if (k < max)
			out[k] = &fx->pos[i];
	return k;
}

size_t marcdef_positions(const marcdef *md, int fmt, const char *tag,
                         const char *leader, const char *data,
                         const md_pos **out, size_t max)
{
	size_t k = 0;
	if (!strcmp(tag, "LDR"))
		return add_block(marcdef_fixed(md, fmt, "LDR", "all"), out, max, 0);
	if (!strcmp(tag, "008")) {
		k = add_block(marcdef_fixed(md, fmt, "008", "all"), out, max, 0);
		if (fmt == MD_BIB) {
			const char *type = marcdef_material(md, fmt, leader);
			if (!type)
				return 0;
			k = add_block(marcdef_fixed(md, fmt, "008", type), out, max, k);
		}
	} else if (!strcmp(tag, "006")) {
		const char *type = data ? marcdef_material_006(md, data[0]) : NULL;
		if (!type)
			return 0;
		k = add_block(marcdef_fixed(md, fmt, "006", "all"), out, max, 0);
		k = add_block(marcdef_fixed(md, fmt, "006", type), out, max, k);
	} else if (!strcmp(tag, "007")) {
		char type[2] = { data ? data[0] : 0, 0 };
		const md_fixed *fx = type[0] ? marcdef_fixed(md, fmt, "007", type) : NULL;
		if (!fx)
			return 0;
		k = add_block(fx, out, max, 0);
	}
	/* Sort by start position (blocks may interleave, e.g. 008 all/type). */
	size_t m = k < max ? k : max;
	for (size_t i = 1; i < m; i++)
		for (size_t j = i; j > 0 && out[j - 1]->start > out[j]->start; j--) {
			const md_pos *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return k;
}

const md_code *marcdef_pos_code(const md_pos *pos, const char *p)
{
	size_t len = pos->kind == MDP_EACH ? 1 : (size_t)pos->len;
	for (size_t i = 0; i < pos->ncodes; i++)
		if (strlen(pos->codes[i].code) == len && !memcmp(pos->codes[i].code, p, len))
			return &pos->codes[i];
	return NULL;
}

static int in_codes(const md_pos *pos, char c)
{
	for (size_t i = 0; i < pos->ncodes; i++)
		if (pos->codes[i].code[0] == c)
			return 1;
	return 0;
}

int marcdef_pos_valid(const marcdef *md, const md_pos *pos, const char *p)
{
	int len = pos->len, i;
	for (i = 0; i < len && p[i] == '|'; i++)
		;
	if (i == len)
		return 1;           /* fill characters: no attempt to code */
	switch (pos->kind) {
	case MDP_TEXT:
		return 1;
	case MDP_CODE:
		if (marcdef_pos_code(pos, p))
			return 1;
		/* Undefined positions (code "###"): each one is blank or fill
		 * on its own (authority 008/34-37 ' |||') */
		for (i = 0; i < len && (p[i] == ' ' || p[i] == '|'); i++)
			;
		if (i == len && len > 1) {
			char blanks[16];
			if (len >= (int)sizeof blanks)
				return 0;
			memset(blanks, ' ', (size_t)len);
			return marcdef_pos_code(pos, blanks) != NULL;
		}
		return 0;
	case MDP_EACH: {
		int blank = 0;
		for (i = 0; i < len; i++) {
			if (p[i] == ' ') {
				blank = 1;
				continue;
			}
			if (blank || !in_codes(pos, p[i]))
				return 0;
		}
		return 1;
	}
	case MDP_NUM:
	case MDP_DATE:
		if (marcdef_pos_code(pos, p))
			return 1;
		for (i = 0; i < len; i++)
			if (!isdigit((unsigned char)p[i]) &&
			    !(pos->kind == MDP_DATE && p[i] == 'u'))
				return 0;
		return 1;
	case MDP_LIST: {
		char buf[16];
		if (len >= (int)sizeof buf)
			return 0;
		memcpy(buf, p, (size_t)len);
		buf[len] = 0;
		if (marcdef_pos_code(pos, p))
			return 1;
		return marcdef_code(md, pos->list, buf) != NULL;
	}
	}
	return 0;
}

const md_codelist *marcdef_codelist(const marcdef *md, const char *name)
{
	return md && name ? list_get((marcdef *)md, name) : NULL;
}

const md_code *marcdef_code(const marcdef *md, const char *list, const char *code)
{
	const md_codelist *l = marcdef_codelist(md, list);
	if (!l || !code)
		return NULL;
	char buf[64];
	size_t n = strlen(code);
	while (n && code[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof buf)
		return NULL;
	memcpy(buf, code, n);
	buf[n] = 0;
	md_code key = { .code = buf };
	return bsearch(&key, l->codes, l->ncodes, sizeof(md_code), cmp_code);
}

size_t marcdef_ncodelists(const marcdef *md)
{
	return md->nlists;
}

const md_codelist *marcdef_codelist_at(const marcdef *md, size_t i)
{
	return i < md->nlists ? &md->lists[i] : NULL;
}

const char *marcdef_name(const char *name, const char *name_local, int local)
{
	return local && name_local ? name_local : name;
}
