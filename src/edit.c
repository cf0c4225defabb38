/*
 * edit.c - the curses-free editing core: wide-character line editor with
 * NFC and grapheme-aware cursor, the field line format, the record under
 * edit with unlimited undo/redo, and the mine/theirs merge (see edit.h).
 *
 * Undo keeps whole-record snapshots: a record is a few kilobytes and a
 * snapshot is one rec_clone, which keeps every operation trivially
 * reversible and costs far less than a screen update.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700          /* wcwidth */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>
#include <wchar.h>
#include <utf8proc.h>

#include "edit.h"

/* ---------------------------------------------------------------- */
/* UTF-8 <-> wide */

wchar_t *edit_wcs_from_utf8(const char *s, size_t *n)
{
	size_t len = strlen(s), k = 0;
	wchar_t *w = xmalloc((len + 1) * sizeof *w);
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t i = 0;
	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t m = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
		if (m <= 0) {
			free(w);
			return NULL;
		}
		w[k++] = (wchar_t)c;
		i += (size_t)m;
	}
	w[k] = 0;
	if (n)
		*n = k;
	return w;
}

char *edit_utf8_from_wcs(const wchar_t *w, size_t n)
{
	char *s = xmalloc(n * 4 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (size_t)utf8proc_encode_char((utf8proc_int32_t)w[i], (utf8proc_uint8_t *)s + k);
	s[k] = 0;
	return s;
}

static char *nfc(const char *s)
{
	utf8proc_uint8_t *o = utf8proc_NFC((const utf8proc_uint8_t *)s);
	return (char *)o;       /* NULL on invalid UTF-8 */
}

/* ---------------------------------------------------------------- */
/* ledit */

void ledit_init(ledit *l)
{
	l->cap = 64;
	l->buf = xmalloc(l->cap * sizeof *l->buf);
	l->buf[0] = 0;
	l->len = l->cur = 0;
}

void ledit_free(ledit *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->cap = l->cur = 0;
}

static void lgrow(ledit *l, size_t extra)
{
	if (!l->buf)
		ledit_init(l);
	if (l->len + extra + 1 > l->cap) {
		while (l->len + extra + 1 > l->cap)
			l->cap *= 2;
		l->buf = xrealloc(l->buf, l->cap * sizeof *l->buf);
	}
}

int ledit_set(ledit *l, const char *s)
{
	if (!l->buf)
		ledit_init(l);
	l->len = l->cur = 0;
	l->buf[0] = 0;
	char *n = nfc(s);
	if (!n)
		return -1;
	size_t k;
	wchar_t *w = edit_wcs_from_utf8(n, &k);
	free(n);
	if (!w)
		return -1;
	lgrow(l, k);
	memcpy(l->buf, w, (k + 1) * sizeof *w);
	free(w);
	l->len = l->cur = k;
	return 0;
}

char *ledit_get(const ledit *l)
{
	char *s = edit_utf8_from_wcs(l->buf, l->len);
	char *n = nfc(s);
	if (n) {
		free(s);
		return n;
	}
	return s;
}

static int is_mark(wchar_t c)
{
	utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
	return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC ||
	       k == UTF8PROC_CATEGORY_ME;
}

size_t ledit_next_gc(const ledit *l, size_t i)
{
	if (i >= l->len)
		return l->len;
	utf8proc_int32_t state = 0;
	size_t j = i + 1;
	while (j < l->len && !utf8proc_grapheme_break_stateful(
	           (utf8proc_int32_t)l->buf[j - 1], (utf8proc_int32_t)l->buf[j], &state))
		j++;
	return j;
}

size_t ledit_prev_gc(const ledit *l, size_t i)
{
	size_t p = 0;
	if (i == 0)
		return 0;
	/* cheap path: step back over marks */
	size_t q = i - 1;
	while (q > 0 && is_mark(l->buf[q]))
		q--;
	if (ledit_next_gc(l, q) == i)
		return q;
	for (;;) {
		size_t n = ledit_next_gc(l, p);
		if (n >= i)
			return p;
		p = n;
	}
}

/* Replace buf[from, to) with w[0, n). */
static void lsplice(ledit *l, size_t from, size_t to, const wchar_t *w, size_t n)
{
	if (n > to - from)
		lgrow(l, n - (to - from));
	memmove(l->buf + from + n, l->buf + to, (l->len - to + 1) * sizeof *l->buf);
	if (n)
		memcpy(l->buf + from, w, n * sizeof *w);
	l->len = l->len - (to - from) + n;
}

int ledit_insert(ledit *l, wchar_t c)
{
	if (!l->buf)
		ledit_init(l);
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0x10ffff)
		return -1;
	if (is_mark(c) && l->cur > 0) {
		size_t st = ledit_prev_gc(l, l->cur);
		size_t n = l->cur - st;
		wchar_t *tmp = xmalloc((n + 2) * sizeof *tmp);
		memcpy(tmp, l->buf + st, n * sizeof *tmp);
		tmp[n] = c;
		char *u = edit_utf8_from_wcs(tmp, n + 1);
		free(tmp);
		char *z = nfc(u);
		free(u);
		size_t k = 0;
		wchar_t *w = z ? edit_wcs_from_utf8(z, &k) : NULL;
		free(z);
		if (!w)
			return -1;
		lsplice(l, st, l->cur, w, k);
		free(w);
		l->cur = st + k;
		return 0;
	}
	lsplice(l, l->cur, l->cur, &c, 1);
	l->cur++;
	return 0;
}

void ledit_insert_str(ledit *l, const char *s)
{
	size_t n;
	wchar_t *w = edit_wcs_from_utf8(s, &n);
	if (!w)
		return;
	for (size_t i = 0; i < n; i++)
		ledit_insert(l, w[i]);
	free(w);
}

void ledit_left(ledit *l) { l->cur = ledit_prev_gc(l, l->cur); }
void ledit_right(ledit *l) { l->cur = ledit_next_gc(l, l->cur); }
void ledit_home(ledit *l) { l->cur = 0; }
void ledit_end(ledit *l) { l->cur = l->len; }

static int is_blank(wchar_t c) { return c == ' ' || c == '\t'; }

void ledit_word_left(ledit *l)
{
	while (l->cur > 0 && is_blank(l->buf[l->cur - 1]))
		l->cur = ledit_prev_gc(l, l->cur);
	while (l->cur > 0 && !is_blank(l->buf[l->cur - 1]))
		l->cur = ledit_prev_gc(l, l->cur);
}

void ledit_word_right(ledit *l)
{
	while (l->cur < l->len && !is_blank(l->buf[l->cur]))
		l->cur = ledit_next_gc(l, l->cur);
	while (l->cur < l->len && is_blank(l->buf[l->cur]))
		l->cur = ledit_next_gc(l, l->cur);
}

void ledit_backspace(ledit *l)
{
	if (l->cur == 0)
		return;
	size_t p = ledit_prev_gc(l, l->cur);
	lsplice(l, p, l->cur, NULL, 0);
	l->cur = p;
}

void ledit_delete(ledit *l)
{
	if (l->cur >= l->len)
		return;
	lsplice(l, l->cur, ledit_next_gc(l, l->cur), NULL, 0);
}

void ledit_kill_end(ledit *l) { lsplice(l, l->cur, l->len, NULL, 0); }

void ledit_kill_start(ledit *l)
{
	lsplice(l, 0, l->cur, NULL, 0);
	l->cur = 0;
}

/* Position just after "$c " for the delimiter at index d. */
static size_t after_delim(const ledit *l, size_t d)
{
	size_t p = d + 1;
	if (p < l->len)
		p++;
	if (p < l->len && l->buf[p] == ' ')
		p++;
	return p;
}

void ledit_next_sub(ledit *l)
{
	for (size_t i = l->cur; i < l->len; i++)
		if (l->buf[i] == '$' && after_delim(l, i) > l->cur) {
			l->cur = after_delim(l, i);
			return;
		}
	l->cur = l->len;
}

void ledit_prev_sub(ledit *l)
{
	/* the delimiter of the current subfield, then the one before */
	long cand = -1;
	for (size_t i = 0; i < l->len && i < l->cur; i++)
		if (l->buf[i] == '$' && after_delim(l, i) < l->cur)
			cand = (long)i;
	if (cand < 0) {
		l->cur = 0;
		return;
	}
	l->cur = after_delim(l, (size_t)cand);
}

int edit_wcwidth(wchar_t c)
{
	if (c == 0)
		return 0;
	int w = wcwidth(c);
	if (w < 0) {
		w = utf8proc_charwidth((utf8proc_int32_t)c);
		if (w == 0 && !is_mark(c) && c != 0x200b && c != 0x200c && c != 0x200d)
			w = 1;
	}
	return w;
}

size_t ledit_cells(const ledit *l, size_t from, size_t to)
{
	size_t w = 0;
	for (size_t i = from; i < to && i < l->len; i++)
		w += (size_t)edit_wcwidth(l->buf[i]);
	return w;
}

size_t edit_str_cells(const char *s)
{
	size_t n, w = 0;
	wchar_t *ws = edit_wcs_from_utf8(s, &n);
	if (!ws)
		return strlen(s);
	for (size_t i = 0; i < n; i++)
		w += (size_t)edit_wcwidth(ws[i]);
	free(ws);
	return w;
}

void edit_add_cut(strbuf *out, const char *str, size_t cells)
{
	if (edit_str_cells(str) <= cells) {
		sb_adds(out, str);
		return;
	}
	size_t n, k = 0, used = 0;
	wchar_t *w = edit_wcs_from_utf8(str, &n);
	while (w && k < n) {
		size_t cw = (size_t)edit_wcwidth(w[k]);
		if (used + cw + 1 > cells)
			break;
		used += cw;
		k++;
		while (k < n && edit_wcwidth(w[k]) == 0)    /* its marks */
			k++;
	}
	char *u = w ? edit_utf8_from_wcs(w, k) : NULL;
	sb_adds(out, u ? u : "");
	if (cells)
		sb_addc(out, '~');
	free(u);
	free(w);
}

size_t edit_wrap(const wchar_t *buf, size_t len, size_t first, size_t rest,
                 size_t *starts, size_t max)
{
	ledit tmp = { (wchar_t *)buf, len, len + 1, 0 };
	size_t rows = 0, s = 0;
	if (first == 0)
		first = 1;
	if (rest == 0)
		rest = 1;
	for (;;) {
		if (rows < max)
			starts[rows] = s;
		rows++;
		size_t width = rows == 1 ? first : rest;
		size_t w = 0, i = s, lastblank = 0;
		while (i < len) {
			size_t n = ledit_next_gc(&tmp, i);
			size_t cw = 0;
			for (size_t k = i; k < n; k++)
				cw += (size_t)edit_wcwidth(buf[k]);
			if (w + cw > width && i > s)
				break;
			w += cw;
			if (is_blank(buf[i]))
				lastblank = n;
			i = n;
		}
		if (i >= len)
			return rows;
		if (lastblank > s && lastblank < i)
			i = lastblank;
		s = i;
	}
}

/* ---------------------------------------------------------------- */
/* field line text */

static void add_escaped(strbuf *sb, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '$')
			sb_adds(sb, "{dollar}");
		else
			sb_addc(sb, v[i]);
	}
}

char *edit_field_text(const rec *r, size_t f)
{
	strbuf sb = STRBUF_INIT;
	if (f == EDIT_LDR) {
		sb_adds(&sb, "LDR ");
		sb_adds(&sb, rec_leader(r));
		return sb_detach(&sb, NULL);
	}
	sb_adds(&sb, rec_tag(r, f));
	sb_addc(&sb, ' ');
	if (rec_is_control(r, f)) {
		size_t n;
		const char *d = rec_data(r, f, &n);
		sb_add(&sb, d, n);
		return sb_detach(&sb, NULL);
	}
	sb_addc(&sb, rec_ind(r, f, 1));
	sb_addc(&sb, rec_ind(r, f, 2));
	for (size_t s = 0; s < rec_nsub(r, f); s++) {
		size_t n;
		const char *v = rec_sub_value(r, f, s, &n);
		sb_adds(&sb, " $");
		sb_addc(&sb, rec_sub_code(r, f, s));
		sb_addc(&sb, ' ');
		add_escaped(&sb, v, n);
	}
	if (!rec_nsub(r, f))
		sb_addc(&sb, ' ');
	return sb_detach(&sb, NULL);
}

static char ind_char(char c)
{
	return (c == '#' || c == '\\' || c == '_') ? ' ' : c;
}

static void unescape(strbuf *sb, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '{' && n - i >= 8 && !memcmp(v + i, "{dollar}", 8)) {
			sb_addc(sb, '$');
			i += 7;
		} else
			sb_addc(sb, v[i]);
	}
}

/* Returns 1 for a leader line, 0 for a field, -1 on error. */
static int parse_line(const char *line0, rec *into, strbuf *err)
{
	char *line = nfc(line0);
	int rc = -1;
	if (!line) {
		sb_adds(err, "the line is not valid UTF-8");
		return -1;
	}
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = 0;
	const char *p = line;
	while (*p == ' ')
		p++;
	int mrk = 0;
	if (*p == '=') {           /* .mrk style "=245  10$a..." */
		p++;
		mrk = 1;
	}
	size_t tl = 0;
	while (p[tl] && p[tl] != ' ' && p[tl] != '$' && tl < 4)
		tl++;
	if (tl == 3 && !strncmp(p, "LDR", 3)) {
		const char *d = p + 3;
		if (*d == ' ')
			d++;
		size_t dl = strlen(d);
		if (dl > REC_LEADER_LEN) {
			sb_addf(err, "the leader has %zu characters; it must have 24", dl);
			goto out;
		}
		rec_set_leader(into, d, dl);
		rc = 1;
		goto out;
	}
	if (tl != 3) {
		sb_addf(err, "tag '%.*s' must be 3 characters", (int)tl, p);
		goto out;
	}
	char tag[4] = { p[0], p[1], p[2], 0 };
	for (int i = 0; i < 3; i++)
		if (!isalnum((unsigned char)tag[i])) {
			sb_addf(err, "tag '%s' must be letters or digits", tag);
			goto out;
		}
	p += 3;
	if (rec_tag_is_control(tag)) {
		if (*p == ' ')
			p++;
		if (mrk && *p == ' ')
			p++;
		rec_add_control(into, tag, p, strlen(p));
		rc = 0;
		goto out;
	}
	char i1 = ' ', i2 = ' ';
	if (*p == ' ')
		p++;
	if (mrk && *p == ' ')
		p++;
	if (*p && *p != '$') {
		/* indicators: two characters (a lone one before " $" too) */
		i1 = ind_char(*p++);
		if (*p && *p != '$' && !(p[0] == ' ' && p[1] == '$'))
			i2 = ind_char(*p++);
		else if (*p == ' ' && p[1] == '$')
			i2 = ' ';
	}
	if (!(i1 == ' ' || isalnum((unsigned char)i1)) ||
	    !(i2 == ' ' || isalnum((unsigned char)i2))) {
		sb_addf(err, "%s: indicators must be digits, letters or blanks", tag);
		goto out;
	}
	while (*p == ' ')
		p++;
	if (*p && *p != '$') {
		sb_addf(err, "%s: text before the first subfield (start it with $a)", tag);
		goto out;
	}
	size_t f = rec_add_field(into, tag, i1, i2);
	strbuf v = STRBUF_INIT;
	while (*p == '$') {
		p++;
		char code = *p;
		if (!code || code == ' ' || code == '$' || (unsigned char)code >= 0x80) {
			sb_addf(err, "%s: subfield code missing after '$'", tag);
			sb_release(&v);
			rec_delete_field(into, f);
			goto out;
		}
		p++;
		if (*p == ' ')
			p++;
		const char *e = strchr(p, '$');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (e && n > 0 && p[n - 1] == ' ')
			n--;
		sb_reset(&v);
		unescape(&v, p, n);
		rec_add_sub(into, f, code, v.buf ? v.buf : "", v.len);
		p = e ? e : p + strlen(p);
	}
	sb_release(&v);
	rc = 0;
out:
	free(line);
	return rc;
}

int edit_parse_line(const char *line, rec *into, strbuf *err)
{
	return parse_line(line, into, err);
}

int edit_parse_tagspec(const char *spec, char tag[4], int *nth)
{
	size_t n = strcspn(spec, "/");
	if (n != 3)
		return -1;
	memcpy(tag, spec, 3);
	tag[3] = 0;
	*nth = 0;
	if (spec[3] == '/') {
		char *end;
		long k = strtol(spec + 4, &end, 10);
		if (*end || k < 1 || end == spec + 4)
			return -1;
		*nth = (int)k;
	} else if (spec[3])
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* edrec */

struct snap {
	rec *r;
	size_t cur;
	unsigned long serial;
};

struct snapstack {
	struct snap *v;
	size_t n, cap;
};

struct edrec {
	rec *r;
	size_t cur, cursub;
	unsigned long serial, saved, next;
	struct snapstack undo, redo;
};

static void ss_push(struct snapstack *s, rec *r, size_t cur, unsigned long serial)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].r = r;
	s->v[s->n].cur = cur;
	s->v[s->n].serial = serial;
	s->n++;
}

static void ss_clear(struct snapstack *s)
{
	for (size_t i = 0; i < s->n; i++)
		rec_destroy(s->v[i].r);
	s->n = 0;
}

edrec *edrec_create(const rec *r)
{
	edrec *e = xcalloc(1, sizeof *e);
	e->r = r ? rec_clone(r) : rec_create();
	e->cur = e->r && rec_nfields(e->r) ? 1 : 0;
	e->serial = e->saved = e->next = 1;
	return e;
}

void edrec_destroy(edrec *e)
{
	if (!e)
		return;
	ss_clear(&e->undo);
	ss_clear(&e->redo);
	free(e->undo.v);
	free(e->redo.v);
	rec_destroy(e->r);
	free(e);
}

const rec *edrec_rec(const edrec *e) { return e->r; }
size_t edrec_nlines(const edrec *e) { return rec_nfields(e->r) + 1; }
size_t edrec_cur(const edrec *e) { return e->cur; }
size_t edrec_cursub(const edrec *e) { return e->cursub; }
void edrec_set_cursub(edrec *e, size_t s) { e->cursub = s; }

void edrec_set_cur(edrec *e, size_t line)
{
	size_t n = edrec_nlines(e);
	e->cur = line >= n ? n - 1 : line;
	e->cursub = 0;
}

int edrec_modified(const edrec *e) { return e->serial != e->saved; }
void edrec_mark_saved(edrec *e) { e->saved = e->serial; }
void edrec_mark_unsaved(edrec *e) { e->saved = 0; }   /* serial starts at 1 */

void edrec_forget_undo(edrec *e)
{
	ss_clear(&e->undo);
	ss_clear(&e->redo);
}

/* Before a change: remember the current state. */
static void checkpoint(edrec *e)
{
	ss_push(&e->undo, rec_clone(e->r), e->cur, e->serial);
	ss_clear(&e->redo);
	e->serial = ++e->next;
}

void edrec_replace(edrec *e, const rec *r, int undoable)
{
	if (undoable)
		checkpoint(e);
	rec_copy(e->r, r);
	if (!undoable) {
		e->serial = ++e->next;
		e->saved = e->serial;
	}
	edrec_set_cur(e, e->cur);
}

static int check_field_line(const edrec *e, size_t line, strbuf *err)
{
	if (line == 0 || line >= edrec_nlines(e)) {
		sb_adds(err, line == 0 ? "the leader is not a field" : "no such field");
		return -1;
	}
	return 0;
}

int edrec_set_line(edrec *e, size_t line, const char *text, strbuf *err)
{
	if (line >= edrec_nlines(e)) {
		sb_adds(err, "no such field");
		return -1;
	}
	rec *tmp = rec_create();
	int k = parse_line(text, tmp, err);
	if (k < 0 || (k == 1) != (line == 0)) {
		if (k >= 0)
			sb_adds(err, line == 0 ? "the first line is the leader: LDR and 24 characters"
			                       : "LDR is only the first line");
		rec_destroy(tmp);
		return -1;
	}
	/* unchanged: no undo step */
	char *old = line ? edit_field_text(e->r, line - 1) : edit_field_text(e->r, EDIT_LDR);
	char *neu = line ? edit_field_text(tmp, 0) : edit_field_text(tmp, EDIT_LDR);
	int same = !strcmp(old, neu);
	free(old);
	free(neu);
	if (!same) {
		checkpoint(e);
		if (line == 0)
			rec_set_leader(e->r, rec_leader(tmp), REC_LEADER_LEN);
		else {
			rec_delete_field(e->r, line - 1);
			rec_insert_copy(e->r, line - 1, tmp, 0);
		}
	}
	rec_destroy(tmp);
	e->cur = line;
	return 0;
}

static rec *parse_field(const char *text, strbuf *err)
{
	rec *tmp = rec_create();
	int k = parse_line(text, tmp, err);
	if (k != 0) {
		if (k == 1)
			sb_adds(err, "the leader cannot be added as a field");
		rec_destroy(tmp);
		return NULL;
	}
	return tmp;
}

int edrec_insert_line(edrec *e, size_t at, const char *text, strbuf *err)
{
	if (at == 0)
		at = 1;
	if (at > edrec_nlines(e))
		at = edrec_nlines(e);
	rec *tmp = parse_field(text, err);
	if (!tmp)
		return -1;
	checkpoint(e);
	rec_insert_copy(e->r, at - 1, tmp, 0);
	rec_destroy(tmp);
	e->cur = at;
	e->cursub = 0;
	return 0;
}

int edrec_add_field(edrec *e, const char *text, strbuf *err)
{
	rec *tmp = parse_field(text, err);
	if (!tmp)
		return -1;
	const char *tag = rec_tag(tmp, 0);
	size_t n = rec_nfields(e->r), at = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rec_tag(e->r, i), tag) <= 0)
			at = i + 1;
	checkpoint(e);
	rec_insert_copy(e->r, at, tmp, 0);
	rec_destroy(tmp);
	e->cur = at + 1;
	e->cursub = 0;
	return 0;
}

int edrec_delete_line(edrec *e, size_t line, strbuf *err)
{
	if (check_field_line(e, line, err))
		return -1;
	checkpoint(e);
	rec_delete_field(e->r, line - 1);
	edrec_set_cur(e, line);
	return 0;
}

int edrec_dup_line(edrec *e, size_t line, strbuf *err)
{
	if (check_field_line(e, line, err))
		return -1;
	checkpoint(e);
	rec *tmp = rec_clone(e->r);
	rec_insert_copy(e->r, line, tmp, line - 1);
	rec_destroy(tmp);
	e->cur = line + 1;
	return 0;
}

int edrec_move_line(edrec *e, size_t line, int delta, strbuf *err)
{
	if (check_field_line(e, line, err))
		return -1;
	long to = (long)line + delta;
	if (to < 1 || to >= (long)edrec_nlines(e)) {
		sb_adds(err, delta < 0 ? "already the first field" : "already the last field");
		return -1;
	}
	checkpoint(e);
	rec_move_field(e->r, line - 1, (size_t)to - 1);
	e->cur = (size_t)to;
	return 0;
}

static int check_data_line(const edrec *e, size_t line, strbuf *err)
{
	if (check_field_line(e, line, err))
		return -1;
	if (rec_is_control(e->r, line - 1)) {
		sb_addf(err, "%s is a control field: it has no subfields", rec_tag(e->r, line - 1));
		return -1;
	}
	return 0;
}

int edrec_sub_add(edrec *e, size_t line, size_t at, char code,
                  const char *val, strbuf *err)
{
	if (check_data_line(e, line, err))
		return -1;
	if (!code || code == ' ' || code == '$' || (unsigned char)code >= 0x80) {
		sb_adds(err, "a subfield code is one letter or digit");
		return -1;
	}
	char *v = nfc(val ? val : "");
	if (!v) {
		sb_adds(err, "the text is not valid UTF-8");
		return -1;
	}
	size_t ns = rec_nsub(e->r, line - 1);
	if (at > ns)
		at = ns;
	checkpoint(e);
	rec_insert_sub(e->r, line - 1, at, code, v, strlen(v));
	free(v);
	e->cur = line;
	e->cursub = at;
	return 0;
}

int edrec_sub_delete(edrec *e, size_t line, size_t s, strbuf *err)
{
	if (check_data_line(e, line, err))
		return -1;
	if (s >= rec_nsub(e->r, line - 1)) {
		sb_adds(err, "no such subfield");
		return -1;
	}
	checkpoint(e);
	rec_delete_sub(e->r, line - 1, s);
	e->cur = line;
	size_t ns = rec_nsub(e->r, line - 1);
	e->cursub = s < ns ? s : (ns ? ns - 1 : 0);
	return 0;
}

int edrec_sub_move(edrec *e, size_t line, size_t s, int delta, strbuf *err)
{
	if (check_data_line(e, line, err))
		return -1;
	size_t ns = rec_nsub(e->r, line - 1);
	long to = (long)s + delta;
	if (s >= ns || to < 0 || to >= (long)ns) {
		sb_adds(err, "the subfield cannot move further");
		return -1;
	}
	checkpoint(e);
	rec_move_sub(e->r, line - 1, s, (size_t)to);
	e->cur = line;
	e->cursub = (size_t)to;
	return 0;
}

int edrec_copy(const edrec *e, size_t from, size_t n, rec *clip, strbuf *err)
{
	if (check_field_line(e, from, err))
		return -1;
	rec_clear(clip);
	for (size_t i = from; i < from + n && i < edrec_nlines(e); i++)
		rec_insert_copy(clip, rec_nfields(clip), e->r, i - 1);
	return 0;
}

int edrec_paste(edrec *e, size_t at, const rec *clip, strbuf *err)
{
	if (!clip || !rec_nfields(clip)) {
		sb_adds(err, "nothing to paste: copy a field first");
		return -1;
	}
	if (at == 0)
		at = 1;
	if (at > edrec_nlines(e))
		at = edrec_nlines(e);
	checkpoint(e);
	for (size_t i = 0; i < rec_nfields(clip); i++)
		rec_insert_copy(e->r, at - 1 + i, clip, i);
	e->cur = at;
	return 0;
}

long edrec_find(const edrec *e, const char *tag, int nth)
{
	long f = -1;
	size_t from = 0;
	int k = nth < 1 ? 1 : nth;
	for (int i = 0; i < k; i++) {
		f = rec_find(e->r, tag, from);
		if (f < 0)
			return -1;
		from = (size_t)f + 1;
	}
	return f + 1;
}

static int swap_state(edrec *e, struct snapstack *from, struct snapstack *to)
{
	if (!from->n)
		return -1;
	struct snap s = from->v[--from->n];
	ss_push(to, e->r, e->cur, e->serial);
	e->r = s.r;
	e->serial = s.serial;
	edrec_set_cur(e, s.cur);
	return 0;
}

int edrec_undo(edrec *e)
{
	/* the redo entry remembers where the cursor was after the change */
	return swap_state(e, &e->undo, &e->redo);
}

int edrec_redo(edrec *e) { return swap_state(e, &e->redo, &e->undo); }
size_t edrec_undo_depth(const edrec *e) { return e->undo.n; }
size_t edrec_redo_depth(const edrec *e) { return e->redo.n; }

rec *edit_new_record(const rec *src)
{
	rec *r;
	if (src) {
		r = rec_clone(src);
		/* and the 035s: the original's numbers in other systems
		 * (OCLC ...) would make the copy match it at the next import */
		for (long f; (f = rec_find(r, "001", 0)) >= 0 ||
		             (f = rec_find(r, "003", 0)) >= 0 ||
		             (f = rec_find(r, "005", 0)) >= 0 ||
		             (f = rec_find(r, "035", 0)) >= 0;)
			rec_delete_field(r, (size_t)f);
		for (int i = 0; i < 5; i++)
			rec_set_leader_at(r, i, '0');
		for (int i = 12; i < 17; i++)
			rec_set_leader_at(r, i, '0');
		rec_set_leader_at(r, 5, 'n');
		/* 008/00-05 is the date the record entered the file: today's
		 * for the copy, not the original's */
		long f8 = rec_find(r, "008", 0);
		size_t len;
		const char *d = f8 >= 0 ? rec_data(r, (size_t)f8, &len) : NULL;
		if (d && len >= 6) {
			char *nd = xmalloc(len + 1);
			memcpy(nd, d, len);
			nd[len] = 0;
			time_t t = time(NULL);
			struct tm tm;
			gmtime_r(&t, &tm);
			char date[16];
			snprintf(date, sizeof date, "%02d%02d%02d", tm.tm_year % 100,
			         (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
			memcpy(nd, date, 6);
			rec_set_data(r, (size_t)f8, nd, len);
			free(nd);
		}
		return r;
	}
	r = rec_create();
	rec_set_leader(r, "00000nam a2200000 a 4500", 24);
	char d008[41], date[16];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(date, sizeof date, "%02d%02d%02ds%04d", tm.tm_year % 100,
	         (tm.tm_mon + 1) % 100, tm.tm_mday % 100, (tm.tm_year + 1900) % 10000);
	memcpy(d008, "000000s0000    vm                  vie d", 41);
	memcpy(d008, date, 11);
	rec_add_control(r, "008", d008, strlen(d008));
	size_t f = rec_add_field(r, "041", '0', ' ');
	rec_add_sub(r, f, 'a', "vie", 3);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "", 0);
	f = rec_add_field(r, "264", ' ', '1');
	rec_add_sub(r, f, 'a', "", 0);
	rec_add_sub(r, f, 'b', "", 0);
	rec_add_sub(r, f, 'c', "", 0);
	f = rec_add_field(r, "300", ' ', ' ');
	rec_add_sub(r, f, 'a', "", 0);
	return r;
}

/* ---------------------------------------------------------------- */
/* edmerge */

static int field_equal(const rec *a, size_t fa, const rec *b, size_t fb)
{
	char *x = edit_field_text(a, fa), *y = edit_field_text(b, fb);
	int eq = !strcmp(x, y);
	free(x);
	free(y);
	return eq;
}

/* Words of a field text for the similarity: split at blanks and before
 * each '$' (subfield codes are words of their own). At most `max`. */
static size_t words(const char *s, const char **w, size_t *wl, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *st = s++;
		while (*s && *s != ' ' && *s != '$')
			s++;
		w[n] = st;
		wl[n++] = (size_t)(s - st);
	}
	return n;
}

#define PAIR_MAXW 256

/* Similarity of two field texts, 0..1000: twice the words they share in
 * order over the words of both (Dice over the word LCS). */
static int similarity(const char *x, const char *y)
{
	const char *wx[PAIR_MAXW], *wy[PAIR_MAXW];
	size_t lx[PAIR_MAXW], ly[PAIR_MAXW];
	size_t nx = words(x, wx, lx, PAIR_MAXW), ny = words(y, wy, ly, PAIR_MAXW);
	if (!nx || !ny)
		return !nx && !ny ? 1000 : 0;
	unsigned short *row = xcalloc((ny + 1) * 2, sizeof *row);
	unsigned short *prev = row, *cur = row + ny + 1;
	for (size_t i = 1; i <= nx; i++) {
		cur[0] = 0;
		for (size_t j = 1; j <= ny; j++) {
			if (lx[i - 1] == ly[j - 1] && !memcmp(wx[i - 1], wy[j - 1], lx[i - 1]))
				cur[j] = (unsigned short)(prev[j - 1] + 1);
			else
				cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
		}
		unsigned short *t = prev;
		prev = cur;
		cur = t;
	}
	int l = prev[ny];
	free(row);
	return (int)(2000L * l / (long)(nx + ny));
}

/* Below this similarity two fields are not paired in a gap with more
 * than one field on a side: they show as one deleted and one added. */
#define PAIR_MIN_SIM 300

/* Pair the unpaired fields of a[a0..a1) with those of b[b0..b1) in
 * order, maximising the total similarity. */
static void pair_gap(const char *const *a, size_t a0, size_t a1,
                     const char *const *b, size_t b0, size_t b1,
                     long *pair, const char *bused)
{
	size_t *ia = xcalloc(a1 - a0 + 1, sizeof *ia), *ib = xcalloc(b1 - b0 + 1, sizeof *ib);
	size_t ga = 0, gb = 0;
	for (size_t i = a0; i < a1; i++)
		if (pair[i] < 0)
			ia[ga++] = i;
	for (size_t j = b0; j < b1; j++)
		if (!bused[j])
			ib[gb++] = j;
	if (ga == 1 && gb == 1)
		pair[ia[0]] = (long)ib[0];     /* the field was edited */
	if (!ga || !gb || (ga == 1 && gb == 1)) {
		free(ia);
		free(ib);
		return;
	}
	int *sim = xcalloc(ga * gb, sizeof *sim);
	long *best = xcalloc((ga + 1) * (gb + 1), sizeof *best);
	for (size_t i = 0; i < ga; i++)
		for (size_t j = 0; j < gb; j++)
			sim[i * gb + j] = similarity(a[ia[i]], b[ib[j]]);
#define B(i, j) best[(i) * (gb + 1) + (j)]
	for (size_t i = ga; i-- > 0;)
		for (size_t j = gb; j-- > 0;) {
			long v = B(i + 1, j) > B(i, j + 1) ? B(i + 1, j) : B(i, j + 1);
			int sm = sim[i * gb + j];
			if (sm >= PAIR_MIN_SIM && B(i + 1, j + 1) + sm >= v)
				v = B(i + 1, j + 1) + sm;
			B(i, j) = v;
		}
	size_t i = 0, j = 0;
	while (i < ga && j < gb) {
		int sm = sim[i * gb + j];
		if (sm >= PAIR_MIN_SIM && B(i, j) == B(i + 1, j + 1) + sm) {
			pair[ia[i]] = (long)ib[j];
			i++, j++;
		} else if (B(i, j) == B(i + 1, j))
			i++;
		else
			j++;
	}
#undef B
	free(sim);
	free(best);
	free(ia);
	free(ib);
}

void edit_pair_fields(const char *const *a, size_t na,
                      const char *const *b, size_t nb, long *pair)
{
	for (size_t i = 0; i < na; i++)
		pair[i] = -1;
	if (!na || !nb)
		return;
	/* identical texts in order: the longest common subsequence */
	size_t *L = xcalloc((na + 1) * (nb + 1), sizeof *L);
#define L_(i, j) L[(i) * (nb + 1) + (j)]
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			L_(i, j) = !strcmp(a[i], b[j]) ? L_(i + 1, j + 1) + 1 :
			           L_(i + 1, j) > L_(i, j + 1) ? L_(i + 1, j) : L_(i, j + 1);
	char *bused = xcalloc(nb + 1, 1);
	size_t *anchor = xcalloc(na + 2, sizeof *anchor);   /* a's of the LCS */
	size_t nanch = 0;
	for (size_t i = 0, j = 0; i < na && j < nb;) {
		if (!strcmp(a[i], b[j]) && L_(i, j) == L_(i + 1, j + 1) + 1) {
			pair[i] = (long)j;
			bused[j] = 1;
			anchor[nanch++] = i;
			i++, j++;
		} else if (L_(i + 1, j) >= L_(i, j + 1))
			i++;
		else
			j++;
	}
#undef L_
	free(L);
	/* identical texts out of order: a field moved */
	for (size_t i = 0; i < na; i++) {
		if (pair[i] >= 0)
			continue;
		for (size_t j = 0; j < nb; j++)
			if (!bused[j] && !strcmp(a[i], b[j])) {
				pair[i] = (long)j;
				bused[j] = 1;
				break;
			}
	}
	/* the gaps between the in-order pairs: the most similar */
	size_t a0 = 0, b0 = 0;
	for (size_t k = 0; k <= nanch; k++) {
		size_t a1 = k < nanch ? anchor[k] : na;
		size_t b1 = k < nanch ? (size_t)pair[anchor[k]] : nb;
		pair_gap(a, a0, a1, b, b0, b1, pair, bused);
		for (size_t i = a0; i < a1; i++)
			if (pair[i] >= 0)
				bused[pair[i]] = 1;
		a0 = a1 + 1;
		b0 = b1 + 1;
	}
	free(anchor);
	free(bused);
}

/* Pair every field of a with one of b of the same tag (edit_pair_fields
 * over each tag's occurrences): out[i] is a field index of b or -1. */
static void pair_records(const rec *a, const rec *b, long *out)
{
	size_t na = rec_nfields(a), nb = rec_nfields(b);
	char **ta = xcalloc(na + 1, sizeof *ta), **tb = xcalloc(nb + 1, sizeof *tb);
	for (size_t i = 0; i < na; i++)
		ta[i] = edit_field_text(a, i);
	for (size_t j = 0; j < nb; j++)
		tb[j] = edit_field_text(b, j);
	size_t *ia = xcalloc(na + 1, sizeof *ia), *ib = xcalloc(nb + 1, sizeof *ib);
	const char **sa = xcalloc(na + 1, sizeof *sa), **sb = xcalloc(nb + 1, sizeof *sb);
	long *p = xcalloc(na + 1, sizeof *p);
	char *done = xcalloc(na + 1, 1);
	for (size_t i = 0; i < na; i++)
		out[i] = -1;
	for (size_t i = 0; i < na; i++) {
		if (done[i])
			continue;
		const char *tag = rec_tag(a, i);
		size_t ka = 0, kb = 0;
		for (size_t x = i; x < na; x++)
			if (!strcmp(rec_tag(a, x), tag)) {
				done[x] = 1;
				ia[ka] = x;
				sa[ka++] = ta[x];
			}
		for (size_t y = 0; y < nb; y++)
			if (!strcmp(rec_tag(b, y), tag)) {
				ib[kb] = y;
				sb[kb++] = tb[y];
			}
		edit_pair_fields(sa, ka, sb, kb, p);
		for (size_t k = 0; k < ka; k++)
			out[ia[k]] = p[k] >= 0 ? (long)ib[p[k]] : -1;
	}
	for (size_t i = 0; i < na; i++)
		free(ta[i]);
	for (size_t j = 0; j < nb; j++)
		free(tb[j]);
	free(ta);
	free(tb);
	free(ia);
	free(ib);
	free(sa);
	free(sb);
	free(p);
	free(done);
}

/* Whether a side changed the row's field from the base: idx is its field
 * (or -1), tobase its pairing with the base; other_base is the base field
 * the other side's field of the row is paired with (-1 if none). */
static int changed_from_base(const rec *r, long idx, const long *tobase,
                             const rec *base, long other_base)
{
	if (idx < 0)
		return other_base >= 0;     /* the base had it: deleted here */
	long b = tobase[idx];
	return b < 0 || !field_equal(r, (size_t)idx, base, (size_t)b);
}

static int leader_equal(const rec *a, const rec *b)
{
	return !strcmp(rec_leader(a) + 5, rec_leader(b) + 5) ||
	       (!memcmp(rec_leader(a) + 5, rec_leader(b) + 5, 7) &&
	        !memcmp(rec_leader(a) + 17, rec_leader(b) + 17, 7));
}

edmerge *edmerge_create(const rec *mine, const rec *theirs, const rec *base)
{
	edmerge *m = xcalloc(1, sizeof *m);
	m->mine = rec_clone(mine);
	m->theirs = rec_clone(theirs);
	m->base = base ? rec_clone(base) : NULL;
	size_t nm = rec_nfields(mine), nt = rec_nfields(theirs);
	m->rows = xcalloc(nm + nt + 1, sizeof *m->rows);
	long *pm = xcalloc(nm + 1, sizeof *pm);
	pair_records(mine, theirs, pm);
	char *used = xcalloc(nt + 1, 1);      /* paired or in a row */
	for (size_t i = 0; i < nm; i++)
		if (pm[i] >= 0)
			used[pm[i]] = 1;
	for (size_t i = 0; i < nm; i++) {
		long j = pm[i];
		/* their fields of the tag before its pair, not paired: here */
		for (long t = 0; t < j; t++) {
			if (used[t] || strcmp(rec_tag(theirs, (size_t)t), rec_tag(mine, i)))
				continue;
			edmerge_row *row = &m->rows[m->n++];
			memcpy(row->tag, rec_tag(theirs, (size_t)t), 4);
			row->mine = -1;
			row->theirs = t;
			used[t] = 1;
		}
		edmerge_row *row = &m->rows[m->n++];
		memcpy(row->tag, rec_tag(mine, i), 4);
		row->mine = (long)i;
		row->theirs = j;
	}
	for (size_t j = 0; j < nt; j++) {
		if (used[j])
			continue;
		const char *tag = rec_tag(theirs, j);
		size_t at = 0;
		/* after the row of the field of its tag it follows in theirs */
		long after = -1, best = -1;
		for (size_t k = 0; k < m->n; k++)
			if (m->rows[k].theirs >= 0 && m->rows[k].theirs < (long)j &&
			    m->rows[k].theirs > best && !strcmp(m->rows[k].tag, tag)) {
				best = m->rows[k].theirs;
				after = (long)k;
			}
		if (after >= 0)
			at = (size_t)after + 1;
		else
			/* else after the last row whose tag <= this tag */
			for (size_t k = 0; k < m->n; k++)
				if (strcmp(m->rows[k].tag, tag) <= 0)
					at = k + 1;
		memmove(m->rows + at + 1, m->rows + at, (m->n - at) * sizeof *m->rows);
		m->n++;
		edmerge_row *row = &m->rows[at];
		memset(row, 0, sizeof *row);
		memcpy(row->tag, tag, 4);
		row->mine = -1;
		row->theirs = (long)j;
		used[j] = 1;
	}
	free(used);
	free(pm);
	long *mb = NULL, *tb = NULL;
	if (base) {
		mb = xcalloc(nm + 1, sizeof *mb);
		tb = xcalloc(nt + 1, sizeof *tb);
		pair_records(mine, base, mb);
		pair_records(theirs, base, tb);
	}
	for (size_t k = 0; k < m->n; k++) {
		edmerge_row *row = &m->rows[k];
		row->same = row->mine >= 0 && row->theirs >= 0 &&
		            field_equal(mine, (size_t)row->mine, theirs, (size_t)row->theirs);
		row->choice = EDM_MINE;
		if (!row->same && strcmp(row->tag, "005"))
			m->ndiff++;
		if (!row->same && base) {
			long mbase = row->mine >= 0 ? mb[row->mine] : -1;
			long tbase = row->theirs >= 0 ? tb[row->theirs] : -1;
			if (!changed_from_base(mine, row->mine, mb, base, tbase) &&
			    changed_from_base(theirs, row->theirs, tb, base, mbase))
				row->choice = EDM_THEIRS;
		}
	}
	free(mb);
	free(tb);
	m->leader_same = leader_equal(mine, theirs);
	m->leader_choice = EDM_MINE;
	if (!m->leader_same && base && leader_equal(mine, base))
		m->leader_choice = EDM_THEIRS;
	return m;
}

void edmerge_destroy(edmerge *m)
{
	if (!m)
		return;
	rec_destroy(m->mine);
	rec_destroy(m->theirs);
	rec_destroy(m->base);
	free(m->rows);
	free(m);
}

void edmerge_choose_all(edmerge *m, int choice)
{
	for (size_t k = 0; k < m->n; k++)
		if (!m->rows[k].same)
			m->rows[k].choice = choice;
	if (!m->leader_same)
		m->leader_choice = choice == EDM_THEIRS ? EDM_THEIRS : EDM_MINE;
}

rec *edmerge_result(const edmerge *m)
{
	rec *r = rec_create();
	const rec *lsrc = m->leader_choice == EDM_THEIRS ? m->theirs : m->mine;
	rec_set_leader(r, rec_leader(lsrc), REC_LEADER_LEN);
	for (size_t k = 0; k < m->n; k++) {
		const edmerge_row *row = &m->rows[k];
		int ch = row->choice;
		if (!strcmp(row->tag, "001") || !strcmp(row->tag, "003") ||
		    !strcmp(row->tag, "005"))
			ch = EDM_THEIRS;
		if (row->same)
			ch = EDM_MINE;
		if ((ch == EDM_MINE || ch == EDM_BOTH) && row->mine >= 0)
			rec_insert_copy(r, rec_nfields(r), m->mine, (size_t)row->mine);
		if ((ch == EDM_THEIRS || ch == EDM_BOTH) && row->theirs >= 0)
			rec_insert_copy(r, rec_nfields(r), m->theirs, (size_t)row->theirs);
	}
	return r;
}
