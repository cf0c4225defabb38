/*
 * fixed.c - the fixed-field editor's model (see fixed.h): Leader and
 * 006/007/008 as rows of positions from marcdef, re-laid out when a
 * selecting position (Leader/06-07, 006/00, 007/00) changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <utf8proc.h>

#include "fixed.h"
#include "i18n-lower.h"

#define MAXROWS 128

struct fixedit {
	const marcdef *md;
	int fmt;
	char leader[25];
	char tag[4];          /* "" when only the leader */
	char *data;           /* the field */
	size_t dlen;
	char material[8];
	int has_material;
	const md_pos *rows[MAXROWS];
	int part[MAXROWS];
	size_t nrows;
};

/* Length the field needs for its layout. */
static size_t layout_len(const md_pos **p, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		if ((size_t)(p[i]->start + p[i]->len) > len)
			len = (size_t)(p[i]->start + p[i]->len);
	return len;
}

static void layout(fixedit *f)
{
	const md_pos *tmp[MAXROWS];
	size_t n = marcdef_positions(f->md, f->fmt, "LDR", f->leader, NULL, tmp, MAXROWS);
	if (n > MAXROWS)
		n = MAXROWS;
	f->nrows = 0;
	for (size_t i = 0; i < n; i++) {
		f->rows[f->nrows] = tmp[i];
		f->part[f->nrows++] = 0;
	}
	f->has_material = 0;
	f->material[0] = 0;
	if (!f->tag[0])
		return;
	const char *type = NULL;
	char one[2] = { f->data && f->dlen ? f->data[0] : 0, 0 };
	if (!strcmp(f->tag, "008"))
		type = marcdef_material(f->md, f->fmt, f->leader);
	else if (!strcmp(f->tag, "006"))
		type = marcdef_material_006(f->md, one[0]);
	else if (!strcmp(f->tag, "007"))
		type = marcdef_fixed(f->md, f->fmt, "007", one) ? one : NULL;
	if (type) {
		snprintf(f->material, sizeof f->material, "%s", type);
		f->has_material = 1;
	}
	size_t room = MAXROWS - f->nrows;
	n = marcdef_positions(f->md, f->fmt, f->tag, f->leader, f->data, tmp, room);
	if (n > room)
		n = room;
	size_t need = layout_len(tmp, n);
	if (need > f->dlen) {
		f->data = xrealloc(f->data, need + 1);
		memset(f->data + f->dlen, ' ', need - f->dlen);
		f->dlen = need;
		f->data[need] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		f->rows[f->nrows] = tmp[i];
		f->part[f->nrows++] = 1;
	}
}

fixedit *fixed_create(const marcdef *md, int fmt, const char *leader,
                      const char *tag, const char *data)
{
	fixedit *f = xcalloc(1, sizeof *f);
	f->md = md;
	f->fmt = fmt;
	memset(f->leader, ' ', 24);
	const char *def = fmt == MD_AUTH ? "00000nz  a2200000n  4500" : "00000nam a2200000 i 4500";
	memcpy(f->leader, def, 24);
	if (leader)
		for (size_t i = 0; i < 24 && leader[i]; i++)
			f->leader[i] = leader[i];
	f->leader[24] = 0;
	if (tag && strcmp(tag, "LDR")) {
		snprintf(f->tag, sizeof f->tag, "%s", tag);
		f->data = xstrdup(data ? data : "");
		f->dlen = strlen(f->data);
	}
	layout(f);
	return f;
}

void fixed_destroy(fixedit *f)
{
	if (!f)
		return;
	free(f->data);
	free(f);
}

const char *fixed_leader(const fixedit *f) { return f->leader; }
const char *fixed_data(const fixedit *f) { return f->tag[0] ? f->data : NULL; }
const char *fixed_tag(const fixedit *f) { return f->tag[0] ? f->tag : NULL; }
const char *fixed_material(const fixedit *f) { return f->has_material ? f->material : NULL; }
size_t fixed_nrows(const fixedit *f) { return f->nrows; }

const md_pos *fixed_row(const fixedit *f, size_t i, int *part)
{
	if (i >= f->nrows)
		return NULL;
	if (part)
		*part = f->part[i];
	return f->rows[i];
}

const char *fixed_row_label(const fixedit *f, size_t i, char *buf, size_t n)
{
	if (i >= f->nrows) {
		snprintf(buf, n, "?");
		return buf;
	}
	const md_pos *p = f->rows[i];
	const char *t = f->part[i] ? f->tag : "LDR";
	if (p->len > 1)
		snprintf(buf, n, "%s/%02d-%02d", t, p->start, p->start + p->len - 1);
	else
		snprintf(buf, n, "%s/%02d", t, p->start);
	return buf;
}

const char *fixed_row_name(const fixedit *f, size_t i, int local, int cols,
                           char *buf, size_t n)
{
	if (!n)
		return buf;
	const char *s = "";
	if (i < f->nrows) {
		const md_pos *p = f->rows[i];
		s = marcdef_name(p->name, p->name_local, local);
	}
	if (!s)
		s = "";
	/* a name wider than cols is cut one column sooner and ends in '~' */
	int total = 0;
	for (const utf8proc_uint8_t *t = (const utf8proc_uint8_t *)s; *t;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(t, -1, &c);
		int w = k > 0 ? utf8proc_charwidth(c) : 1;
		total += w < 0 ? 1 : w;
		t += k > 0 ? k : 1;
	}
	int cut = total > cols && cols > 0;
	if (cut)
		cols--;
	size_t o = 0;
	int used = 0;
	const utf8proc_uint8_t *q = (const utf8proc_uint8_t *)s;
	while (*q) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(q, -1, &c);
		if (k <= 0) {
			c = '?';   /* not UTF-8: one column, one byte */
			k = 1;
		}
		int w = utf8proc_charwidth(c);
		if (w < 0)
			w = 1;
		if (o + (size_t)k >= n) {
			buf[o] = 0;       /* buf too small: cut, no padding */
			return buf;
		}
		if (used + w > cols)
			break;
		if (c == '?' && *q != '?')
			buf[o] = '?';
		else
			memcpy(buf + o, q, (size_t)k);
		o += (size_t)k;
		used += w;
		q += k;
	}
	while (used < cols && o + 1 < n) {
		buf[o++] = ' ';
		used++;
	}
	if (cut && o + 1 < n)
		buf[o++] = '~';
	buf[o] = 0;
	return buf;
}

static const char *row_chars(const fixedit *f, size_t i)
{
	return (f->part[i] ? f->data : f->leader) + f->rows[i]->start;
}

char *fixed_get(const fixedit *f, size_t i)
{
	if (i >= f->nrows)
		return xstrdup("");
	return xstrndup(row_chars(f, i), (size_t)f->rows[i]->len);
}

const md_code *fixed_codes(const fixedit *f, size_t i, size_t *n)
{
	*n = 0;
	if (i >= f->nrows)
		return NULL;
	const md_pos *p = f->rows[i];
	if (p->kind == MDP_LIST) {
		const md_codelist *l = marcdef_codelist(f->md, p->list);
		if (l) {
			*n = l->ncodes;
			return l->codes;
		}
		return NULL;
	}
	*n = p->ncodes;
	return p->codes;
}

/* val blank-padded to the position's length into buf; -1 if too long. */
static int pad(const md_pos *p, const char *val, char *buf, size_t n)
{
	size_t l = strlen(val);
	if (l > (size_t)p->len || (size_t)p->len >= n)
		return -1;
	memset(buf, ' ', (size_t)p->len);
	memcpy(buf, val, l);
	buf[p->len] = 0;
	return 0;
}

int fixed_check(const fixedit *f, size_t i, const char *val, int local, strbuf *desc)
{
	if (i >= f->nrows)
		return 0;
	const md_pos *p = f->rows[i];
	char buf[64];
	for (const char *q = val; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f) {
			if (desc)
				sb_adds(desc, _("only ASCII letters, digits and blanks"));
			return 0;
		}
	if (pad(p, val, buf, sizeof buf) < 0) {
		if (desc && p->len == 1)
			sb_adds(desc, _("one character only"));
		else if (desc)
			sb_addf(desc, _("at most %d characters"), p->len);
		return 0;
	}
	int ok = marcdef_pos_valid(f->md, p, buf);
	/* the leader's lengths and addresses are computed when the record is
	 * written: blanks there are fine */
	if (!f->part[i] && p->kind == MDP_NUM && strspn(buf, " ") == (size_t)p->len)
		ok = 1;
	/* 006/00 and 007/00 select the layout: any value with a layout */
	if (f->part[i] && p->start == 0 && p->len == 1 && buf[0] != ' ' &&
	    (!strcmp(f->tag, "006") || !strcmp(f->tag, "007"))) {
		char one[2] = { buf[0], 0 };
		const char *ty = !strcmp(f->tag, "006") ? marcdef_material_006(f->md, buf[0]) : one;
		const md_fixed *fx = ty ? marcdef_fixed(f->md, f->fmt, f->tag, ty) : NULL;
		ok = fx != NULL;
		if (desc && fx) {
			const char *nm = !strcmp(f->tag, "006") ?
			        marcdef_name(marcdef_material_name(f->md, ty),
			                     marcdef_material_name_local(f->md, ty), local) :
			        marcdef_name(fx->name, fx->name_local, local);
			sb_adds(desc, nm ? nm : ty);
			return ok;
		}
	}
	if (!desc)
		return ok;
	if (p->kind == MDP_EACH) {
		for (int k = 0; k < p->len && buf[k] != ' '; k++) {
			const md_code *c = marcdef_pos_code(p, buf + k);
			if (k)
				sb_adds(desc, "; ");
			sb_addf(desc, "%c %s", buf[k], c ? marcdef_name(c->name, c->name_local, local) : "?");
		}
		if (buf[0] == ' ') {
			const md_code *c = marcdef_pos_code(p, buf);
			if (c)
				sb_addf(desc, "# %s", marcdef_name(c->name, c->name_local, local));
		}
	} else {
		const md_code *c = marcdef_pos_code(p, buf);
		if (!c && p->kind == MDP_LIST)
			c = marcdef_code(f->md, p->list, buf);
		if (c)
			sb_adds(desc, marcdef_name(c->name, c->name_local, local));
		else if (!ok && (p->kind == MDP_DATE || p->kind == MDP_NUM))
			sb_adds(desc, p->kind == MDP_DATE ? _("digits or u") : _("digits"));
		else if (!ok && p->kind == MDP_LIST)
			sb_addf(desc, _("not in the %s code list"), p->list ? p->list : "");
		else if (!ok)
			sb_adds(desc, _("not an allowed code"));
	}
	return ok;
}

static int prefix_of_codes(const md_code *c, size_t n, const char *val, size_t l)
{
	for (size_t k = 0; k < n; k++)
		if (c[k].code && !strncmp(c[k].code, val, l))
			return 1;
	return 0;
}

int fixed_incomplete(const fixedit *f, size_t i, const char *val)
{
	if (i >= f->nrows)
		return 0;
	const md_pos *p = f->rows[i];
	size_t l = strlen(val), k;
	if (l >= (size_t)p->len)
		return 0;                       /* complete: validate it */
	for (k = 0; k < l && val[k] == '|'; k++)
		;
	if (k == l)
		return 1;                       /* nothing yet, or fill characters */
	if (prefix_of_codes(p->codes, p->ncodes, val, l))
		return 1;
	switch (p->kind) {
	case MDP_DATE:
	case MDP_NUM:
		for (k = 0; k < l; k++)
			if (!isdigit((unsigned char)val[k]) && !(p->kind == MDP_DATE && val[k] == 'u'))
				return 0;
		return 1;
	case MDP_LIST: {
		size_t n;
		const md_code *c = fixed_codes(f, i, &n);
		return prefix_of_codes(c, n, val, l);
	}
	case MDP_TEXT:
		return 1;
	}
	return 0;                           /* MDP_CODE, MDP_EACH: as it stands */
}

int fixed_set(fixedit *f, size_t i, const char *val, strbuf *err)
{
	if (i >= f->nrows) {
		sb_adds(err, _("no such position"));
		return -1;
	}
	const md_pos *p = f->rows[i];
	char buf[64];
	strbuf why = STRBUF_INIT;
	if (!fixed_check(f, i, val, 0, &why)) {
		char lab[32];
		sb_addf(err, _("%s: '%s' is not valid (%s)"), fixed_row_label(f, i, lab, sizeof lab),
		        val, why.buf ? why.buf : "");
		sb_release(&why);
		return -1;
	}
	sb_release(&why);
	pad(p, val, buf, sizeof buf);
	int part = f->part[i];
	char *dst = (part ? f->data : f->leader) + p->start;
	if (!memcmp(dst, buf, (size_t)p->len))
		return 0;
	/* does this position select the field's layout? */
	int selects = 0;
	if (part == 0 && !strcmp(f->tag, "008") && p->start <= 7 && p->start + p->len > 6)
		selects = 1;
	if (part == 1 && (!strcmp(f->tag, "006") || !strcmp(f->tag, "007")) && p->start == 0)
		selects = 1;
	char oldmat[8];
	snprintf(oldmat, sizeof oldmat, "%s", f->material);
	memcpy(dst, buf, (size_t)p->len);
	if (!selects)
		return 0;
	layout(f);
	if (!strcmp(f->material, oldmat))
		return 0;
	/* the material changed: its own positions mean something else now */
	if (!strcmp(f->tag, "008") && f->fmt == MD_BIB && f->dlen >= 35)
		memset(f->data + 18, ' ', 17);
	else if (!strcmp(f->tag, "006"))
		memset(f->data + 1, ' ', f->dlen - 1);
	else if (!strcmp(f->tag, "007")) {
		memset(f->data + 1, ' ', f->dlen - 1);
		/* the new category may be shorter */
		size_t need = 0;
		for (size_t k = 0; k < f->nrows; k++)
			if (f->part[k] && (size_t)(f->rows[k]->start + f->rows[k]->len) > need)
				need = (size_t)(f->rows[k]->start + f->rows[k]->len);
		if (need && need < f->dlen) {
			f->dlen = need;
			f->data[need] = 0;
		}
	}
	return 1;
}

size_t fixed_nerrors(const fixedit *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		char *v = fixed_get(f, i);
		if (!fixed_check(f, i, v, 0, NULL))
			n++;
		free(v);
	}
	return n;
}
