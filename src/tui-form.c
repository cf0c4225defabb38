/*
 * tui-form.c - modal screens of the workstation (see tui-form.h): the
 * form menu, the fill-in workform and the fixed-field editor, plus the
 * input-method typing shared with tui.c. Curses is used here and in
 * tui.c only; the models are form.c and fixed.c.
 *
 * Every screen fits 80x24 in both interface languages: labels are cut to
 * their column, values scroll inside theirs.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>
#include <curses.h>

#include "tui-form.h"
#include "form.h"
#include "fixed.h"
#include "marcdef.h"
#include "keys.h"
#include "i18n.h"

/* ---------------------------------------------------------------- */
/* drawing */

static int put_w(int y, int x, const wchar_t *w, size_t n, int cells, attr_t a)
{
	int used = 0;
	size_t k = 0;
	while (k < n) {
		int cw = edit_wcwidth(w[k]);
		if (used + cw > cells)
			break;
		used += cw;
		k++;
		while (k < n && edit_wcwidth(w[k]) == 0 && w[k] >= 0x300)
			k++;
	}
	if (k) {
		attrset(a);
		mvaddnwstr(y, x, w, (int)k);
		attrset(A_NORMAL);
	}
	return used;
}

static int put_s(int y, int x, const char *s, int cells, attr_t a)
{
	if (cells <= 0 || !s)
		return 0;
	size_t n;
	wchar_t *w = edit_wcs_from_utf8(s, &n);
	if (!w)
		return 0;
	int u = put_w(y, x, w, n, cells, a);
	free(w);
	return u;
}

static void row_fill(int y, attr_t a)
{
	move(y, 0);
	clrtoeol();
	if (a != A_NORMAL) {
		attrset(a);
		for (int i = 0; i < COLS; i++)
			mvaddch(y, i, ' ');
		attrset(A_NORMAL);
	}
}

static void title_bar(const char *text)
{
	row_fill(0, A_REVERSE);
	put_s(0, 0, text, COLS, A_REVERSE);
}

const char *tui_ime_label(const tsess *s)
{
	return s->opt.input == VNIME_TELEX ? " Telex " : s->opt.input == VNIME_VNI ? " VNI " : "";
}

/* The status line: a message on the left, the input method on the right. */
static void status_line(tsess *s, const char *msg, int err)
{
	int y = LINES - 1;
	row_fill(y, A_NORMAL);
	const char *ime = tui_ime_label(s);
	int iw = (int)strlen(ime);
	put_s(y, 0, msg ? msg : "", COLS - iw - 1, err ? A_BOLD : A_NORMAL);
	if (iw)
		put_s(y, COLS - iw, ime, iw, A_REVERSE);
}

static void help_line(const char *text)
{
	row_fill(LINES - 2, A_NORMAL);
	put_s(LINES - 2, 0, text, COLS, A_DIM);
}

/* Pad a UTF-8 string to `cells` cells (cut if longer). malloc'd. */
static char *padto(const char *s, int cells)
{
	size_t n;
	wchar_t *w = edit_wcs_from_utf8(s ? s : "", &n);
	strbuf sb = STRBUF_INIT;
	int used = 0;
	size_t k = 0;
	while (w && k < n) {
		int cw = edit_wcwidth(w[k]);
		if (used + cw > cells)
			break;
		size_t e = k + 1;
		while (e < n && edit_wcwidth(w[e]) == 0 && w[e] >= 0x300)
			e++;
		char *u = edit_utf8_from_wcs(w + k, e - k);
		sb_adds(&sb, u);
		free(u);
		used += cw;
		k = e;
	}
	free(w);
	while (used++ < cells)
		sb_addc(&sb, ' ');
	return sb_detach(&sb, NULL);
}

/* A line editor's text in a box of `cells` at (y, x), scrolled so the
 * cursor shows: the box in attribute a, the text in ta. Returns the
 * cursor column. */
static int draw_ledit(ledit *le, int y, int x, int cells, attr_t a, attr_t ta)
{
	size_t skip = 0;
	while (skip < le->cur && ledit_cells(le, skip, le->cur) >= (size_t)cells)
		skip = ledit_next_gc(le, skip);
	attrset(a);
	for (int i = 0; i < cells; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
	put_w(y, x, le->buf + skip, le->len - skip, cells, ta);
	return x + (int)ledit_cells(le, skip, le->cur);
}

static int line_edit_cmd(ledit *le, const char *c)
{
	if (!c) return 0;
	if (!strcmp(c, "line-left")) ledit_left(le);
	else if (!strcmp(c, "line-right")) ledit_right(le);
	else if (!strcmp(c, "line-home")) ledit_home(le);
	else if (!strcmp(c, "line-end")) ledit_end(le);
	else if (!strcmp(c, "line-word-left")) ledit_word_left(le);
	else if (!strcmp(c, "line-word-right")) ledit_word_right(le);
	else if (!strcmp(c, "line-backspace")) ledit_backspace(le);
	else if (!strcmp(c, "line-delete")) ledit_delete(le);
	else if (!strcmp(c, "line-kill")) ledit_kill_end(le);
	else if (!strcmp(c, "line-kill-start")) ledit_kill_start(le);
	else return 0;
	return 1;
}

/* ---------------------------------------------------------------- */
/* input method */

void tui_ime_type(tsess *s, vnime *ime, ledit *le, int key)
{
	if (key < 0x20 || key >= KEYC_BASE)
		return;
	if (s->opt.input) {
		ime->method = s->opt.input;
		ime->new_style = s->opt.tone_new;
		/* the word starts after any non-letter ("ti=", "(", '"', "$") */
		size_t st = le->cur;
		while (st > 0 && (iswalpha((wint_t)le->buf[st - 1]) ||
		                  (le->buf[st - 1] >= 0x300 && le->buf[st - 1] <= 0x36F)))
			st--;
		/* "$a" typed without a blank: the code is not part of the word */
		if (st > 0 && le->buf[st - 1] == '$' && st < le->cur)
			st++;
		if (st > 0 && le->buf[st - 1] == '$' && st == le->cur) {
			ledit_insert(le, (wchar_t)key);    /* the subfield code itself */
			return;
		}
		char *word = edit_utf8_from_wcs(le->buf + st, le->cur - st);
		char out[256];
		if (vnime_key(ime, word, (uint32_t)key, out, sizeof out)) {
			size_t n;
			wchar_t *w = edit_wcs_from_utf8(out, &n);
			if (w) {
				size_t tail = le->len - le->cur;
				wchar_t *rest = xmalloc((tail + 1) * sizeof *rest);
				wmemcpy(rest, le->buf + le->cur, tail + 1);
				le->len = st;
				le->cur = st;
				le->buf[st] = 0;
				for (size_t i = 0; i < n; i++)
					ledit_insert(le, w[i]);
				size_t keep = le->cur;
				for (size_t i = 0; i < tail; i++)
					ledit_insert(le, rest[i]);
				le->cur = keep;
				free(rest);
				free(w);
			}
			free(word);
			return;
		}
		free(word);
	}
	ledit_insert(le, (wchar_t)key);
}

/* Keys that run a session command from a modal screen (input, set ...):
 * the status message comes back through the front end's out/err, which
 * tui.c shows; here only the status line is redrawn. */
static int run_session(tsess *s, const char *cmd)
{
	return tcmd_run(s, cmd);
}

/* ---------------------------------------------------------------- */
/* form menu */

char *tui_form_menu(tsess *s, const struct tui_host *h)
{
	char **names = form_names(".form");
	size_t nn = 0;
	while (names[nn])
		nn++;
	/* entries: the forms, then empty, then copy (when a record is open) */
	size_t ne = nn + 1 + (s->ed ? 1 : 0);
	char **title = xcalloc(ne, sizeof *title);
	int vi = i18n_is_vi();
	for (size_t i = 0; i < nn; i++) {
		char *path = form_find(names[i], ".form");
		strbuf err = STRBUF_INIT;
		form *f = path ? form_load(path, &err) : NULL;
		title[i] = xstrdup(f ? form_title(f, vi) : names[i]);
		form_destroy(f);
		sb_release(&err);
		free(path);
	}
	title[nn] = xstrdup(_("Empty record"));
	if (s->ed)
		title[nn + 1] = xstrdup(_("Copy of the open record"));
	size_t sel = 0, top = 0;
	for (size_t i = 0; i < nn; i++)
		if (!strcmp(names[i], "book"))
			sel = i;     /* the usual case first */
	char *chosen = NULL;
	const char *msg = "";
	for (;;) {
		erase();
		char head[256];
		snprintf(head, sizeof head, " bienmuc | %s", _("New record: choose a workform"));
		title_bar(head);
		int y0 = 2, rows = LINES - 4;
		if (sel < top)
			top = sel;
		if (sel >= top + (size_t)rows)
			top = sel - (size_t)rows + 1;
		for (int r = 0; r < rows; r++) {
			size_t i = top + (size_t)r;
			if (i >= ne)
				break;
			attr_t a = i == sel ? A_REVERSE : A_NORMAL;
			row_fill(y0 + r, a);
			char line[512];
			snprintf(line, sizeof line, "%c %-16s %s", i == sel ? '>' : ' ',
			         i < nn ? names[i] : i == nn ? "empty" : "copy", title[i]);
			put_s(y0 + r, 1, line, COLS - 2, a);
		}
		help_line(_("Up/Down choose  Enter open  Esc back"));
		status_line(s, msg, 0);
		curs_set(0);
		refresh();
		int k = h->read_key_in(h->ctx, KV_LIST);
		const char *c = keymap_lookup(s->km, KV_LIST, k);
		if (k == KEYC_ENTER) {
			chosen = xstrdup(sel < nn ? names[sel] : sel == nn ? "empty" : "copy");
			break;
		}
		if (k == KEYC_ESCAPE || k == 7 || k == 'q' || (c && !strcmp(c, "quit")))
			break;
		if (k == KEYC_UP || k == 16 || k == 'k') {
			if (sel > 0)
				sel--;
		} else if (k == KEYC_DOWN || k == 14 || k == 'j') {
			if (sel + 1 < ne)
				sel++;
		} else if (k == KEYC_HOME)
			sel = 0;
		else if (k == KEYC_END)
			sel = ne - 1;
		else if (c && !strcmp(c, "input")) {
			run_session(s, "input");
		} else if (k >= '1' && k <= '9' && (size_t)(k - '1') < ne)
			sel = (size_t)(k - '1');
		else if (k > 0x20 && k < 0x7f) {
			/* jump to the first form whose name starts with the key */
			for (size_t i = 0; i < nn; i++)
				if (names[i][0] == k) {
					sel = i;
					break;
				}
		}
	}
	for (size_t i = 0; i < ne; i++)
		free(title[i]);
	free(title);
	form_names_free(names);
	erase();
	return chosen;
}

/* ---------------------------------------------------------------- */
/* fill-in form */

struct frow {
	size_t el;       /* element index */
	ledit val;
	int dflt;        /* val is the form's default, not changed yet */
};

struct fstate {
	tsess *s;
	form *f;
	struct frow *rows;
	size_t n, cap;
	size_t sel, top;
	int vi;
	char msg[512];
	int msg_err;
	int warned;      /* required prompts empty: told once */
	char **init;     /* the values the prompts started with */
	size_t ninit;
	int leave_warned; /* Esc with typed values: told once */
	int dsel;        /* the current prompt's default is selected: a
	                    character or a deletion replaces it, a movement
	                    key keeps it for editing */
	int greeting;    /* msg is the opening message */
};

/* The number of positions of a control field prompt made of coded
 * positions (008: 40, 006: 18; 007: at most 23, its length set by its
 * category), or 0 for any other prompt. */
static size_t fixed_len(const struct form_elem *e)
{
	if (!e || e->code)
		return 0;
	return !strcmp(e->tag, "008") ? 40 : !strcmp(e->tag, "006") ? 18 :
	       !strcmp(e->tag, "007") ? 23 : 0;
}

/* An 007's length follows its category (a map's 8, a sound recording's
 * 14): it may be cut short (C-k), where 006 and 008 are always whole. */
static int fixed_varies(const struct form_elem *e)
{
	return e && !e->code && !strcmp(e->tag, "007");
}

/* Whether anything was typed: a prompt's value differs from the one it
 * started with, or a prompt was repeated. */
static int form_changed(const struct fstate *st)
{
	if (st->n != st->ninit)
		return 1;
	for (size_t i = 0; i < st->n; i++) {
		char *v = ledit_get(&st->rows[i].val);
		int diff = strcmp(v, st->init[i]) != 0;
		free(v);
		if (diff)
			return 1;
	}
	return 0;
}

static void frow_add(struct fstate *st, size_t at, size_t el, const char *val)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 32;
		st->rows = xrealloc(st->rows, st->cap * sizeof *st->rows);
	}
	memmove(st->rows + at + 1, st->rows + at, (st->n - at) * sizeof *st->rows);
	st->rows[at].el = el;
	ledit_init(&st->rows[at].val);
	ledit_set(&st->rows[at].val, val ? val : "");
	st->rows[at].dflt = val && *val;
	st->n++;
}

static const char *elem_prompt(const struct fstate *st, const struct form_elem *e)
{
	const char *p = st->vi ? e->prompt_vi : e->prompt_en;
	if (!p)
		p = st->vi ? e->prompt_en : e->prompt_vi;
	return p ? p : "";
}

static void form_draw(struct fstate *st, const char *title)
{
	tsess *s = st->s;
	char head[512];
	snprintf(head, sizeof head, " bienmuc | %s: %s (%s)", _("Workform"), title, form_id(st->f));
	title_bar(head);
	row_fill(1, A_NORMAL);
	put_s(1, 0, _("* required   Tab/C-n next  S-Tab/C-p previous  C-o repeat  C-s done  Esc cancel"),
	      COLS, A_BOLD);
	int y0 = 2, h = LINES - 4;
	if (st->sel < st->top)
		st->top = st->sel;
	if (st->sel >= st->top + (size_t)h)
		st->top = st->sel - (size_t)h + 1;
	int cy = -1, cx = 0;
	const int tagw = 7, promptw = 29, valx = 2 + tagw + promptw + 1;
	for (int r = 0; r < h; r++) {
		size_t i = st->top + (size_t)r;
		int y = y0 + r;
		row_fill(y, A_NORMAL);
		if (i >= st->n)
			continue;
		const struct form_elem *e = form_elem(st->f, st->rows[i].el);
		int first = i == 0 || form_elem(st->f, st->rows[i - 1].el)->field != e->field ||
		            st->rows[i - 1].el > st->rows[i].el;
		int selected = i == st->sel;
		if (selected)
			put_s(y, 0, ">", 1, A_BOLD);
		if (e->flags & FORM_REQUIRED)
			put_s(y, 1, "*", 1, A_BOLD);
		char tag[16];
		if (e->code)
			snprintf(tag, sizeof tag, "%s $%c", first ? e->tag : "   ", e->code);
		else
			snprintf(tag, sizeof tag, "%s", e->tag);
		put_s(y, 2, tag, tagw, A_BOLD);
		char *pr = padto(elem_prompt(st, e), promptw);
		put_s(y, 2 + tagw, pr, promptw, selected ? A_BOLD : A_NORMAL);
		free(pr);
		if (selected) {
			cx = draw_ledit(&st->rows[i].val, y, valx, COLS - valx, A_UNDERLINE,
			                st->dsel ? A_REVERSE : A_UNDERLINE);
			cy = y;
		} else
			put_w(y, valx, st->rows[i].val.buf, st->rows[i].val.len, COLS - valx, A_NORMAL);
	}
	/* help: the element's help, else the MARC name of field and subfield */
	strbuf hb = STRBUF_INIT;
	if (st->n) {
		const struct form_elem *e = form_elem(st->f, st->rows[st->sel].el);
		if (e->help && *e->help)
			sb_adds(&hb, e->help);
		else
			tsess_field_help_fit(s, e->tag, e->code, (size_t)COLS, &hb);
	}
	help_line(hb.buf ? hb.buf : "");
	sb_release(&hb);
	/* a selected default says what typing does (a message that is
	 * more than the opening one comes first) */
	size_t flen = st->n ? fixed_len(form_elem(st->f, st->rows[st->sel].el)) : 0;
	if (st->dsel && (!st->msg[0] || st->greeting))
		status_line(s, _("Typing replaces the default; Left/Right edit it"), 0);
	else if (flen && (!st->msg[0] || st->greeting)) {
		/* which position the cursor is on, and what typing does there */
		char pos[160];
		const struct form_elem *e = form_elem(st->f, st->rows[st->sel].el);
		snprintf(pos, sizeof pos, _("%s/%02zu: typing replaces the position; Left/Right move"),
		         e->tag, st->rows[st->sel].val.cur);
		status_line(s, pos, 0);
	} else
		status_line(s, st->msg, st->msg_err);
	if (cy >= 0) {
		curs_set(1);
		move(cy, cx < COLS ? cx : COLS - 1);
	} else
		curs_set(0);
	refresh();
}

/* Repeat the current row: a repeatable subfield repeats alone, else the
 * whole field's prompts repeat (when the field is repeatable). */
static void form_repeat(struct fstate *st)
{
	if (!st->n)
		return;
	const struct form_elem *e = form_elem(st->f, st->rows[st->sel].el);
	marcdef *md = tsess_marcdef(st->s);
	const md_field *mf = md ? marcdef_field(md, form_is_authority(st->f) ? MD_AUTH : MD_BIB, e->tag) : NULL;
	if (e->flags & FORM_REPEAT) {
		frow_add(st, st->sel + 1, st->rows[st->sel].el, "");
		st->sel++;
		return;
	}
	if (!e->code || (mf && !mf->repeatable)) {
		snprintf(st->msg, sizeof st->msg, _("%s is not repeatable"), e->tag);
		st->msg_err = 1;
		return;
	}
	/* the block of rows of this occurrence: back to its first element */
	size_t a = st->sel, b = st->sel;
	while (a > 0 && form_elem(st->f, st->rows[a - 1].el)->field == e->field &&
	       st->rows[a - 1].el < st->rows[a].el)
		a--;
	while (b + 1 < st->n && form_elem(st->f, st->rows[b + 1].el)->field == e->field &&
	       st->rows[b + 1].el > st->rows[b].el)
		b++;
	/* put the new occurrence after every occurrence of the field */
	size_t at = b + 1;
	while (at < st->n && form_elem(st->f, st->rows[at].el)->field == e->field)
		at++;
	size_t k = 0;
	for (size_t i = a; i <= b; i++) {
		const struct form_elem *ei = form_elem(st->f, st->rows[i].el);
		/* defaults come again (e.g. a relator), other answers start empty */
		char *def = ei->value && !(ei->flags & FORM_REQUIRED) ? form_expand(ei->value, NULL) : NULL;
		frow_add(st, at + k, st->rows[i].el, def);
		free(def);
		k++;
	}
	st->sel = at;
}

/* The cursor came to the current prompt: its default, while nobody has
 * changed it, is selected, the cursor after it. Not a fixed-length
 * control field's (the 008): its positions are changed where they are
 * (form_fixed_type), from its first, and a stray key must not replace
 * the whole field. */
static void form_enter(struct fstate *st)
{
	st->dsel = 0;
	if (!st->n)
		return;
	struct frow *r = &st->rows[st->sel];
	const struct form_elem *e = form_elem(st->f, r->el);
	if (fixed_len(e))
		ledit_home(&r->val);
	else if (r->dflt && r->val.len && e && e->code) {
		st->dsel = 1;
		ledit_end(&r->val);
	}
}

/* Key k (command c) on a control field prompt of coded positions: a
 * character replaces the position under the cursor and moves on (one
 * position, one ASCII character: no input method; the cursor stays on the
 * last), and the deletions blank positions instead of closing them up
 * (Backspace moves back, Delete blanks the one under the cursor, C-k to
 * the end, C-u to the start): the field keeps its length, every position
 * its place. A shorter value grows as typed, up to len; an 007 (varies)
 * is cut at the cursor by C-k instead. Only printable keys and the line
 * moves and deletions come here (form_type). */
static void form_fixed_type(struct fstate *st, ledit *le, size_t len, int varies, int k,
                            const char *c, int printable)
{
	st->msg[0] = 0;                 /* the position hint instead (form_draw) */
	st->msg_err = 0;
	st->greeting = 0;
	if (printable) {
		if (k >= 0x7f) {
			snprintf(st->msg, sizeof st->msg, "%s",
			         _("a fixed field's positions take ASCII letters, digits, blanks and |"));
			st->msg_err = 1;
		} else if (le->cur < le->len) {
			le->buf[le->cur] = (wchar_t)k;
			le->cur++;
		} else if (le->len < len) {
			ledit_insert(le, (wchar_t)k);
		}
	} else if (!strcmp(c, "line-backspace"))
		ledit_left(le);
	else if (!strcmp(c, "line-delete")) {
		if (le->cur < le->len)
			le->buf[le->cur] = L' ';
	} else if (!strcmp(c, "line-kill") && varies) {
		ledit_kill_end(le);
	} else if (!strcmp(c, "line-kill")) {
		for (size_t i = le->cur; i < le->len; i++)
			le->buf[i] = L' ';
	} else if (!strcmp(c, "line-kill-start")) {
		for (size_t i = 0; i < le->cur; i++)
			le->buf[i] = L' ';
	} else
		line_edit_cmd(le, c);                  /* the movements */
	if (le->len >= len && le->cur >= len)   /* on the last, not after it */
		le->cur = len - 1;
}

static int line_moves(const char *c)
{
	return c && (!strcmp(c, "line-left") || !strcmp(c, "line-right") ||
	             !strcmp(c, "line-home") || !strcmp(c, "line-end") ||
	             !strcmp(c, "line-word-left") || !strcmp(c, "line-word-right"));
}

static int line_deletes(const char *c)
{
	return c && (!strcmp(c, "line-backspace") || !strcmp(c, "line-delete") ||
	             !strcmp(c, "line-kill") || !strcmp(c, "line-kill-start"));
}

/* Key k (command c, NULL when unbound) typed into the current prompt:
 * a character through the input method, or a line-editing command.
 * On a selected default the first character (and so the first letter
 * the input method makes) or a deletion replaces the whole default;
 * a movement drops the selection: Left and Home to its start, Right
 * and End to its end. Returns 0
 * when the key is not one of these. */
static int form_type(struct fstate *st, const struct tui_host *h, int k, const char *c)
{
	if (!st->n)
		return 0;
	int printable = !c && k >= 0x20 && k < KEYC_BASE && !(k & KEYC_META);
	if (!printable && !line_moves(c) && !line_deletes(c))
		return 0;
	struct frow *r = &st->rows[st->sel];
	ledit *le = &r->val;
	char *before = r->dflt ? ledit_get(le) : NULL;
	const struct form_elem *fe = form_elem(st->f, r->el);
	size_t flen = fixed_len(fe);
	if (flen) {
		form_fixed_type(st, le, flen, fixed_varies(fe), k, c, printable);
		goto out;
	}
	if (st->dsel) {
		st->dsel = 0;
		if (printable || line_deletes(c))
			ledit_set(le, "");
		if (line_deletes(c))
			goto out;
		/* Left puts the cursor at the default's start, Right at its
		 * end, as a text box does (Left went one back from the end) */
		if (c && (!strcmp(c, "line-left") || !strcmp(c, "line-word-left"))) {
			ledit_home(le);
			goto out;
		}
		if (c && (!strcmp(c, "line-right") || !strcmp(c, "line-word-right"))) {
			ledit_end(le);
			goto out;
		}
	}
	if (printable) {
		tui_ime_type(st->s, h->ime, le, k);
		st->warned = 0;
	} else
		line_edit_cmd(le, c);
out:
	if (before) {
		/* typed or edited: no longer the default, never selected again */
		char *now = ledit_get(le);
		if (strcmp(before, now))
			r->dflt = 0;
		free(now);
		free(before);
	}
	return 1;
}

int tui_form_fill(tsess *s, const char *name, const struct tui_host *h)
{
	char *path = form_find(name, ".form");
	if (!path) {
		tsess_err(s, _("new: no workform '%s'"), name);
		return 2;
	}
	strbuf err = STRBUF_INIT;
	form *f = form_load(path, &err);
	free(path);
	if (!f) {
		tsess_err(s, "new: %s", err.buf);
		sb_release(&err);
		return 2;
	}
	struct fstate st;
	memset(&st, 0, sizeof st);
	st.s = s;
	st.f = f;
	st.vi = i18n_is_vi();
	char *org;
	tsess_form_env(s, &org);
	struct form_env env = { org, 0 };
	size_t ne = form_nelems(f);
	for (size_t i = 0; i < ne; i++) {
		const struct form_elem *e = form_elem(f, i);
		if (e->flags & FORM_CONST)
			continue;
		char *v = e->value ? form_expand(e->value, &env) : NULL;
		frow_add(&st, st.n, i, v);
		free(v);
	}
	st.ninit = st.n;
	st.init = xcalloc(st.n + 1, sizeof *st.init);
	for (size_t i = 0; i < st.n; i++)
		st.init[i] = ledit_get(&st.rows[i].val);
	snprintf(st.msg, sizeof st.msg, "%s", _("Fill in the prompts; empty fields are left out."));
	st.greeting = 1;
	const char *title = form_title(f, st.vi);
	int rc = 1;
	size_t entered = (size_t)-1;    /* the prompt form_enter() last saw */
	for (;;) {
		if (st.sel != entered) {
			entered = st.sel;
			form_enter(&st);
		}
		form_draw(&st, title);
		int k = h->read_key_in(h->ctx, KV_FORM);
		if (k == KEYC_RESIZE)
			continue;
		const char *c = keymap_lookup(s->km, KV_FORM, k);
		/* F10 / C-q (quit) close this screen as Esc does: the program
		 * is left from the main screens only */
		if (c && (!strcmp(c, "quit") || !strcmp(c, "back")))
			c = "form-cancel";
		if (!c || strcmp(c, "form-cancel"))
			st.leave_warned = 0;
		if (form_type(&st, h, k, c) || !c)
			continue;
		st.msg[0] = 0;
		st.msg_err = 0;
		st.greeting = 0;
		if (!strcmp(c, "form-next")) {
			if (st.sel + 1 < st.n)
				st.sel++;
		} else if (!strcmp(c, "form-prev")) {
			if (st.sel > 0)
				st.sel--;
		} else if (!strcmp(c, "form-page-down")) {
			st.sel += (size_t)(LINES - 5);
			if (st.sel >= st.n)
				st.sel = st.n ? st.n - 1 : 0;
		} else if (!strcmp(c, "form-page-up")) {
			st.sel = st.sel > (size_t)(LINES - 5) ? st.sel - (size_t)(LINES - 5) : 0;
		} else if (!strcmp(c, "form-repeat")) {
			form_repeat(&st);
		} else if (!strcmp(c, "form-cancel")) {
			/* a slow Esc 2 (F2 on a vt100) or a stray Esc must not
			 * throw a filled-in form away: the second one does */
			if (!st.leave_warned && form_changed(&st)) {
				snprintf(st.msg, sizeof st.msg, "%s",
				         _("Esc again leaves the form and drops what was typed; C-s makes the record"));
				st.msg_err = 1;
				st.leave_warned = 1;
				continue;
			}
			rc = 1;
			break;
		} else if (!strcmp(c, "form-done")) {
			/* answers: the rows of an element joined by newlines */
			char **ans = xcalloc(ne + 1, sizeof *ans);
			strbuf *sbs = xcalloc(ne + 1, sizeof *sbs);
			for (size_t i = 0; i < st.n; i++) {
				size_t el = st.rows[i].el;
				char *v = ledit_get(&st.rows[i].val);
				if (sbs[el].buf)
					sb_addc(&sbs[el], '\n');
				sb_adds(&sbs[el], v);
				free(v);
			}
			for (size_t i = 0; i < ne; i++)
				ans[i] = sbs[i].buf;
			rec *r = rec_create();
			sb_reset(&err);
			int brc = form_build(f, (const char *const *)ans, &env, r, &err);
			for (size_t i = 0; i < ne; i++)
				sb_release(&sbs[i]);
			free(sbs);
			free(ans);
			if (brc < 0 && !st.warned) {
				const char *e1 = err.buf ? err.buf : "";
				const char *nl = strchr(e1, '\n');
				snprintf(st.msg, sizeof st.msg, "%.*s%s %s", (int)(nl ? nl - e1 : (long)strlen(e1)), e1,
				         nl ? " ..." : "", _("(done again: use it anyway)"));
				st.msg_err = 1;
				st.warned = 1;
				/* to the first empty required prompt */
				for (size_t i = 0; i < st.n; i++) {
					const struct form_elem *e = form_elem(f, st.rows[i].el);
					if ((e->flags & FORM_REQUIRED) && st.rows[i].val.len == 0) {
						st.sel = i;
						break;
					}
				}
				rec_destroy(r);
				continue;
			}
			erase();
			tsess_set_new(s, r, form_id(f));
			rec_destroy(r);
			rc = 0;
			break;
		} else if (!strncmp(c, "input", 5) || !strncmp(c, "set ", 4)) {
			run_session(s, c);
		} else if (!strcmp(c, "help")) {
			snprintf(st.msg, sizeof st.msg, "%s",
			         _("Type the answer; Tab next, S-Tab previous, C-o repeat, C-t Telex/VNI, C-s done"));
		}
	}
	for (size_t i = 0; i < st.n; i++)
		ledit_free(&st.rows[i].val);
	free(st.rows);
	for (size_t i = 0; i < st.ninit; i++)
		free(st.init[i]);
	free(st.init);
	free(org);
	form_destroy(f);
	sb_release(&err);
	if (rc == 1)
		tsess_out(s, _("form left; no record made"));
	erase();
	return rc;
}

/* ---------------------------------------------------------------- */
/* fixed-field editor */

static const char *const material_names[] = {
	N_("Books"), N_("Continuing resources"), N_("Music"), N_("Maps"),
	N_("Visual materials"), N_("Computer files"), N_("Mixed materials"),
};

static const char *material_label(const marcdef *md, const char *type)
{
	const char *n = type ? marcdef_material_name(md, type) : NULL;
	if (!n)
		return type ? type : "?";
	for (size_t i = 0; i < sizeof material_names / sizeof material_names[0]; i++)
		if (!strcmp(n, material_names[i]))
			return _(material_names[i]);
	return n;
}

struct xstate {
	tsess *s;
	marcdef *md;
	fixedit *fx;
	size_t sel, top;
	int mode;             /* 0 browse, 1 typing, 2 pick-list */
	ledit val;
	int val_sel;          /* typing: the old value is selected, so the
	                         first character typed replaces it */
	int val_taken;        /* typing: Enter refused the value as it is, so a
	                         short one ("20" of a date) is judged now */
	size_t psel, ptop;
	char prefix[8];
	int vi;
	char msg[512];
	int msg_err;
	int changed;
	int leave_warned;     /* Esc/q with changes: told once */
};

/* put_s, a cut text ending in '~' (edit_add_cut): a name or meaning
 * longer than its column */
static int put_cut(int y, int x, const char *text, int cells, attr_t a)
{
	if (cells <= 0 || !text)
		return 0;
	strbuf sb = STRBUF_INIT;
	edit_add_cut(&sb, text, (size_t)cells);
	int u = put_s(y, x, sb.buf ? sb.buf : "", cells, a);
	sb_release(&sb);
	return u;
}

/* A raw string with the selected position highlighted. */
static void draw_raw(int y, const char *tag, const char *data, int from, int len)
{
	row_fill(y, A_NORMAL);
	put_s(y, 0, tag, 4, A_BOLD);
	int x = 4;
	for (int i = 0; data[i] && x < COLS; i++, x++) {
		attr_t a = from >= 0 && i >= from && i < from + len ? A_REVERSE : A_NORMAL;
		attrset(a);
		mvaddch(y, x, data[i] == ' ' ? ' ' : (chtype)(unsigned char)data[i]);
		attrset(A_NORMAL);
	}
	/* position ruler under the blanks is in the rows' labels */
}

static void fixed_draw(struct xstate *x)
{
	tsess *s = x->s;
	fixedit *fx = x->fx;
	char head[256];
	const char *tag = fixed_tag(fx);
	if (tag)
		snprintf(head, sizeof head, " bienmuc | %s: LDR + %s (%s)", _("Fixed fields"), tag,
		         !strcmp(tag, "007") ? (fixed_material(fx) ? fixed_material(fx) : "?") :
		         material_label(x->md, fixed_material(fx)));
	else
		snprintf(head, sizeof head, " bienmuc | %s: LDR", _("Fixed fields"));
	title_bar(head);
	int part = 0;
	const md_pos *sp = fixed_row(fx, x->sel, &part);
	draw_raw(1, "LDR", fixed_leader(fx), sp && part == 0 ? sp->start : -1, sp ? sp->len : 0);
	if (tag)
		draw_raw(2, tag, fixed_data(fx), sp && part == 1 ? sp->start : -1, sp ? sp->len : 0);
	else
		row_fill(2, A_NORMAL);
	int y0 = 4, h = LINES - 6;
	int cy = -1, cx = 0;
	row_fill(3, A_NORMAL);
	const int labw = 11, namew = 33, valx = 1 + labw + namew + 1, valw = 6, mx = valx + valw + 1;
	if (x->mode == 2) {
		/* pick-list */
		char lab[32];
		char t[256];
		snprintf(t, sizeof t, "%s %s %s", _("Choose a value for"),
		         fixed_row_label(fx, x->sel, lab, sizeof lab),
		         sp ? marcdef_name(sp->name, sp->name_local, x->vi) : "");
		put_s(3, 0, t, COLS, A_BOLD);
		size_t nc;
		const md_code *codes = fixed_codes(fx, x->sel, &nc);
		if (x->psel < x->ptop)
			x->ptop = x->psel;
		if (x->psel >= x->ptop + (size_t)h)
			x->ptop = x->psel - (size_t)h + 1;
		for (int r = 0; r < h; r++) {
			size_t i = x->ptop + (size_t)r;
			row_fill(y0 + r, i == x->psel ? A_REVERSE : A_NORMAL);
			if (i >= nc)
				continue;
			char code[16];
			snprintf(code, sizeof code, "%s", codes[i].code);
			for (char *q = code; *q; q++)
				if (*q == ' ')
					*q = '#';
			char line[512];
			snprintf(line, sizeof line, "%c %-5s %s%s", i == x->psel ? '>' : ' ', code,
			         marcdef_name(codes[i].name, codes[i].name_local, x->vi),
			         codes[i].obsolete ? _(" (obsolete)") : "");
			put_cut(y0 + r, 1, line, COLS - 2, i == x->psel ? A_REVERSE : A_NORMAL);
		}
		help_line(_("Up/Down choose  type a code to jump  Enter take  Esc back  (# = blank)"));
	} else {
		char t[256];
		char *c1 = padto(_("Position"), labw), *c2 = padto(_("Name"), namew),
		     *c3 = padto(_("Value"), valw);
		snprintf(t, sizeof t, " %s%s %s %s", c1, c2, c3, _("Meaning"));
		free(c1); free(c2); free(c3);
		put_s(3, 0, t, COLS, A_BOLD);
		size_t n = fixed_nrows(fx);
		if (x->sel < x->top)
			x->top = x->sel;
		if (x->sel >= x->top + (size_t)h)
			x->top = x->sel - (size_t)h + 1;
		for (int r = 0; r < h; r++) {
			size_t i = x->top + (size_t)r;
			int y = y0 + r;
			int selected = i == x->sel;
			row_fill(y, selected && x->mode == 0 ? A_REVERSE : A_NORMAL);
			if (i >= n)
				continue;
			attr_t a = selected && x->mode == 0 ? A_REVERSE : A_NORMAL;
			const md_pos *p = fixed_row(fx, i, NULL);
			char lab[32];
			fixed_row_label(fx, i, lab, sizeof lab);
			char *v = fixed_get(fx, i);
			strbuf d = STRBUF_INIT;
			int ok = fixed_check(fx, i, v, x->vi, &d);
			if (!ok)
				put_s(y, 0, "!", 1, a | A_BOLD);
			put_s(y, 1, lab, labw, a);
			put_cut(y, 1 + labw, marcdef_name(p->name, p->name_local, x->vi), namew, a);
			if (selected && x->mode == 1) {
				/* one cell more: room for the cursor after a full value */
				attr_t va = x->val_sel ? A_REVERSE : A_UNDERLINE;
				cx = draw_ledit(&x->val, y, valx, valw + 1, va, va);
				cy = y;
				char *tv = ledit_get(&x->val);
				sb_reset(&d);
				ok = fixed_check(fx, i, tv, x->vi, &d);
				/* "20" of a date is no error yet: it is judged when
				 * the position is full or the value is taken */
				int typing = !ok && !x->val_taken && fixed_incomplete(fx, i, tv);
				free(tv);
				/* a value without a meaning of its own (a date, a
				 * number): nothing after it, as when not typing */
				if (!typing && (!ok || (d.buf && *d.buf))) {
					put_s(y, mx, ok ? "= " : "! ", 2, A_BOLD);
					put_cut(y, mx + 2, d.buf ? d.buf : "", COLS - mx - 2,
					        ok ? A_NORMAL : A_BOLD);
				}
			} else {
				for (char *q = v; *q; q++)
					if (*q == ' ')
						*q = '#';
				put_s(y, valx, v, valw, a | A_BOLD);
				put_cut(y, mx, d.buf ? d.buf : "", COLS - mx, a);
			}
			sb_release(&d);
			free(v);
		}
		help_line(x->mode == 1 ? _("Type the value (blank = #)  Enter take  Esc back") :
		          _("Enter/Space list  e type  C-s done  Esc cancel  (# = blank, | = fill)"));
	}
	status_line(s, x->msg, x->msg_err);
	if (cy >= 0) {
		curs_set(1);
		move(cy, cx);
	} else
		curs_set(0);
	refresh();
}

static void fixed_take(struct xstate *x, const char *val)
{
	strbuf err = STRBUF_INIT;
	char *v = xstrdup(val);
	for (char *q = v; *q; q++)
		if (*q == '#')
			*q = ' ';
	char lab[32];
	fixed_row_label(x->fx, x->sel, lab, sizeof lab);
	int k = fixed_set(x->fx, x->sel, v, &err);
	free(v);
	x->msg_err = k < 0;
	if (k < 0)
		snprintf(x->msg, sizeof x->msg, "%s", err.buf ? err.buf : "?");
	else {
		x->changed = 1;
		if (k == 1)
			snprintf(x->msg, sizeof x->msg, _("the %s is now laid out for %s"),
			         fixed_tag(x->fx) ? fixed_tag(x->fx) : "LDR",
			         !strcmp(fixed_tag(x->fx), "007") ? fixed_material(x->fx) :
			         material_label(x->md, fixed_material(x->fx)));
		else
			snprintf(x->msg, sizeof x->msg, "%s = '%s'", lab, val);
		/* the rows may have moved: stay on the same label */
		for (size_t i = 0; i < fixed_nrows(x->fx); i++) {
			char l2[32];
			if (!strcmp(fixed_row_label(x->fx, i, l2, sizeof l2), lab)) {
				x->sel = i;
				break;
			}
		}
	}
	sb_release(&err);
}

int tui_fixed_edit(tsess *s, long line, const struct tui_host *h)
{
	char spec[16];
	const rec *r = edrec_rec(s->ed);
	if (line > 0)
		snprintf(spec, sizeof spec, "%s", rec_tag(r, (size_t)line - 1));
	long l2 = line;
	/* open exactly that field (the nth occurrence): count it */
	if (line > 0) {
		int nth = 0;
		for (long i = 1; i <= line; i++)
			if (!strcmp(rec_tag(r, (size_t)i - 1), spec))
				nth++;
		snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "/%d", nth);
	} else
		snprintf(spec, sizeof spec, "LDR");
	fixedit *fx = tsess_fixed_open(s, spec, &l2);
	if (!fx)
		return 2;
	struct xstate x;
	memset(&x, 0, sizeof x);
	x.s = s;
	x.md = tsess_marcdef(s);
	x.fx = fx;
	x.vi = i18n_is_vi();
	ledit_init(&x.val);
	/* start on the row of 008/06 for an 008, else the first */
	if (fixed_tag(fx))
		for (size_t i = 0; i < fixed_nrows(fx); i++) {
			int part;
			fixed_row(fx, i, &part);
			if (part == 1) {
				x.sel = x.top = i;
				break;
			}
		}
	snprintf(x.msg, sizeof x.msg, "%s", _("Leader and fixed field by position; C-s puts them back"));
	int rc = 1;
	for (;;) {
		fixed_draw(&x);
		int k = h->read_key_in(h->ctx, x.mode == 1 ? KV_LINE : x.mode == 2 ? KV_GLOBAL : KV_FIXED);
		if (k == KEYC_RESIZE)
			continue;
		/* F10 / C-q (quit) do what Esc does in each mode: leave the
		 * typing or the list, then (asking once when a value was set)
		 * the editor; the program is left from the main screens only */
		const char *qc = keymap_lookup(s->km, KV_FIXED, k);
		if (qc && !strcmp(qc, "quit") && (k < 0x20 || k >= KEYC_BASE))
			k = KEYC_ESCAPE;
		if (x.mode == 1) {
			const char *c = keymap_lookup(s->km, KV_LINE, k);
			x.val_taken = k == KEYC_ENTER;
			if (x.val_sel && k != KEYC_ENTER) {
				/* the old value is selected: a character or a
				 * deletion replaces it, a movement keeps it */
				x.val_sel = 0;
				if (k >= 0x20 && k < 0x7f)
					ledit_set(&x.val, "");
				else if (c && (!strcmp(c, "line-backspace") || !strcmp(c, "line-delete") ||
				               !strcmp(c, "line-kill") || !strcmp(c, "line-kill-start"))) {
					ledit_set(&x.val, "");
					continue;
				}
			}
			if (k == KEYC_ENTER) {
				char *v = ledit_get(&x.val);
				fixed_take(&x, v);
				free(v);
				if (!x.msg_err)
					x.mode = 0;
			} else if (k == KEYC_ESCAPE || k == 7) {
				x.mode = 0;
				x.msg[0] = 0;
			} else if (line_edit_cmd(&x.val, c)) {
				;
			} else if (k >= 0x20 && k < 0x7f)
				ledit_insert(&x.val, (wchar_t)k);
			continue;
		}
		if (x.mode == 2) {
			size_t nc;
			const md_code *codes = fixed_codes(fx, x.sel, &nc);
			const char *c = keymap_lookup(s->km, KV_GLOBAL, k);
			if (k == KEYC_ENTER) {
				if (x.psel < nc)
					fixed_take(&x, codes[x.psel].code);
				x.mode = 0;
			} else if (k == KEYC_ESCAPE || k == 7) {
				x.mode = 0;
			} else if (k == KEYC_UP || k == 16) {
				if (x.psel > 0)
					x.psel--;
			} else if (k == KEYC_DOWN || k == 14) {
				if (x.psel + 1 < nc)
					x.psel++;
			} else if (k == KEYC_NPAGE || (c && !strcmp(c, "page-down") && k != ' ')) {
				x.psel += (size_t)(LINES - 7);
				if (x.psel >= nc)
					x.psel = nc ? nc - 1 : 0;
			} else if (k == KEYC_PPAGE || (c && !strcmp(c, "page-up"))) {
				x.psel = x.psel > (size_t)(LINES - 7) ? x.psel - (size_t)(LINES - 7) : 0;
			} else if (k == KEYC_HOME) {
				x.psel = 0;
			} else if (k == KEYC_END) {
				x.psel = nc ? nc - 1 : 0;
			} else if (k >= 0x20 && k < 0x7f) {
				/* type-ahead: jump to the first code with the prefix */
				size_t pl = strlen(x.prefix);
				if (pl + 1 >= sizeof x.prefix)
					pl = 0;
				x.prefix[pl] = (char)(k == '#' ? ' ' : k);
				x.prefix[pl + 1] = 0;
				size_t i;
				for (i = 0; i < nc; i++)
					if (!strncmp(codes[i].code, x.prefix, pl + 1))
						break;
				if (i == nc) {
					x.prefix[0] = (char)(k == '#' ? ' ' : k);
					x.prefix[1] = 0;
					for (i = 0; i < nc; i++)
						if (codes[i].code[0] == x.prefix[0])
							break;
				}
				if (i < nc)
					x.psel = i;
			}
			continue;
		}
		const char *c = keymap_lookup(s->km, KV_FIXED, k);
		if (!c)
			continue;
		if (!strcmp(c, "quit"))
			c = "fixed-cancel";
		int leaving = !strcmp(c, "fixed-cancel") || !strcmp(c, "back");
		if (leaving && x.changed && !x.leave_warned) {
			/* values set here are not thrown away by one Esc or q */
			snprintf(x.msg, sizeof x.msg, "%s",
			         _("Esc again leaves without the changes; C-s puts them in the record"));
			x.msg_err = 1;
			x.leave_warned = 1;
			continue;
		}
		x.leave_warned = 0;
		x.msg[0] = 0;
		x.msg_err = 0;
		size_t n = fixed_nrows(fx);
		if (!strcmp(c, "up")) {
			if (x.sel > 0)
				x.sel--;
		} else if (!strcmp(c, "down")) {
			if (x.sel + 1 < n)
				x.sel++;
		} else if (!strcmp(c, "page-down")) {
			x.sel += (size_t)(LINES - 7);
			if (x.sel >= n)
				x.sel = n ? n - 1 : 0;
		} else if (!strcmp(c, "page-up")) {
			x.sel = x.sel > (size_t)(LINES - 7) ? x.sel - (size_t)(LINES - 7) : 0;
		} else if (!strcmp(c, "top")) {
			x.sel = 0;
		} else if (!strcmp(c, "bottom")) {
			x.sel = n ? n - 1 : 0;
		} else if (!strcmp(c, "fixed-pick") || !strcmp(c, "fixed-type")) {
			size_t nc;
			const md_code *codes = fixed_codes(fx, x.sel, &nc);
			const md_pos *p = fixed_row(fx, x.sel, NULL);
			char *v = fixed_get(fx, x.sel);
			if (!strcmp(c, "fixed-pick") && nc && p->kind != MDP_EACH) {
				x.mode = 2;
				x.psel = 0;
				x.prefix[0] = 0;
				for (size_t i = 0; i < nc; i++)
					if (!strncmp(codes[i].code, v, strlen(codes[i].code)) &&
					    strlen(codes[i].code) >= strlen(v) - strspn(v, " ") ) {
						x.psel = i;
						break;
					}
				const md_code *cur = marcdef_pos_code(p, v);
				if (cur)
					x.psel = (size_t)(cur - codes) < nc ? (size_t)(cur - codes) : x.psel;
				else if (p->kind == MDP_LIST) {
					const md_code *lc = marcdef_code(x.md, p->list, v);
					if (lc)
						x.psel = (size_t)(lc - codes);
				}
			} else {
				x.mode = 1;
				x.val_taken = 0;
				/* the old value, trailing blanks off, selected:
				 * typing replaces it, a movement key edits it */
				size_t l = strlen(v);
				while (l && v[l - 1] == ' ')
					v[--l] = 0;
				ledit_set(&x.val, v);
				x.val_sel = l > 0;
			}
			free(v);
		} else if (!strcmp(c, "fixed-done")) {
			rc = tsess_fixed_apply(s, fx, l2) ? 2 : 0;
			if (rc == 0)
				tsess_out(s, x.changed ? _("fixed fields changed") : _("fixed fields not changed"));
			break;
		} else if (!strcmp(c, "fixed-cancel") || !strcmp(c, "back")) {
			tsess_out(s, _("fixed fields not changed"));
			rc = 1;
			break;
		} else if (!strncmp(c, "input", 5)) {
			run_session(s, c);
		} else {
			snprintf(x.msg, sizeof x.msg, "%s", _("not here"));
		}
	}
	ledit_free(&x.val);
	fixed_destroy(fx);
	erase();
	return rc;
}
