/*
 * tui.c - the full-screen workstation: search line and results, record
 * view (tagged / labelled), the tagged editor with its field line editor,
 * the conflict merge, history and help. Curses lives here only; the
 * logic is in edit.c (buffers, undo), keys.c (bindings) and tcmd*.c
 * (commands). Every key is looked up in the key table of the current
 * view and runs a command line; screen-only commands come back to
 * tui_ui().
 *
 * Drawing: each pass draws the visible part of the current screen into
 * stdscr and lets ncurses send only the cells that changed (no clear()
 * per key). The catalogue is read only for explicit commands and for the
 * visible result rows (cached).
 *
 * Terminal discipline: endwin() on every exit path, from atexit and from
 * the handlers of fatal signals; Ctrl-Z suspends through ncurses' own
 * SIGTSTP handling; SIGWINCH arrives as KEY_RESIZE.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <unistd.h>
#include <wchar.h>
#include <curses.h>

#include "tui.h"
#include "tcmd.h"
#include "edit.h"
#include "keys.h"
#include "vnime.h"
#include "tui-form.h"
#include "tui-auth.h"              /* authority lookup */
#include "i18n.h"
#include "journal-text.h"
#include "tzsearch.h"              /* copy cataloguing */
#include "tui-copies.h"            /* copies panel, shelf list, zsearch results */
#include <poll.h>

enum tui_screen {
	SC_LIST = 0, SC_VIEW, SC_EDIT, SC_CONFLICT, SC_HISTORY, SC_VERSION,
	SC_HELP, SC_MSG,
};

/* Colours by meaning; attributes alone on terminals without colour. */
enum ui_color { UC_TAG = 1, UC_IND, UC_CODE, UC_ERROR, UC_WARN, UC_TITLE, UC_DIM };
static int has_col;

static attr_t ui_attr(int what)
{
	if (has_col)
		switch (what) {
		case UC_TAG: return COLOR_PAIR(UC_TAG) | A_BOLD;
		case UC_IND: return COLOR_PAIR(UC_IND);
		case UC_CODE: return COLOR_PAIR(UC_CODE) | A_BOLD;
		case UC_ERROR: return COLOR_PAIR(UC_ERROR) | A_BOLD;
		case UC_WARN: return COLOR_PAIR(UC_WARN);
		case UC_TITLE: return A_REVERSE;
		case UC_DIM: return A_DIM;
		}
	switch (what) {
	case UC_TAG: return A_BOLD;
	case UC_CODE: return A_BOLD;
	case UC_ERROR: return A_BOLD;
	case UC_WARN: return A_UNDERLINE;
	case UC_TITLE: return A_REVERSE;
	default: return A_NORMAL;
	}
}

struct tui {
	tsess *s;
	int screen;
	int back_screen;             /* where help / messages return to */
	int list_from;               /* screen the record was opened from */
	int hist_from;
	/* search line */
	ledit search;
	int search_focus;
	/* field line editor */
	ledit line;
	int line_active;
	size_t line_no;              /* line being edited (or insertion point) */
	int line_new;                /* a new field, inserted on line-done */
	char *line_orig;             /* the line's text when it was opened */
	int fskip;                   /* rows of a field taller than the screen */
	size_t fskip_line;           /* scrolled off by Down (for that line) */
	int line_cancel_warned;      /* Esc on a changed line: told once */
	vnime ime;
	/* : command line */
	ledit cmd;
	int cmd_active;
	char **hist;                 /* command history */
	size_t nhist, hpos;
	/* scrolling */
	size_t top;                  /* first field / row shown */
	size_t helptop;
	char **text;                 /* help or message lines */
	size_t ntext;
	/* messages of the current command */
	char **msgs;
	size_t nmsgs;
	char status[1024];
	int status_err;
	int small;
	int pending_key;             /* read ahead after an Esc, or 0 */
	int search_sel;              /* the search line's text is selected:
	                                typing replaces it */
	int quit;
	/* cursor wanted after drawing */
	int cur_y, cur_x, cur_vis;
};

static struct tui *g_tui;
static int curses_on;

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static void fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---------------------------------------------------------------- */
/* drawing helpers */

/* Put UTF-8 text at (y, x), at most `cells` cells; returns cells used. */
static int put_wcs(int y, int x, const wchar_t *w, size_t n, int cells, attr_t a)
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
		attr_t old;
		short pair;
		attr_get(&old, &pair, NULL);
		attrset(a);
		mvaddnwstr(y, x, w, (int)k);
		attrset(old);
	}
	return used;
}

static int put_utf8(int y, int x, const char *s, int cells, attr_t a)
{
	size_t n;
	wchar_t *w = edit_wcs_from_utf8(s, &n);
	if (!w) {
		attrset(a);
		mvaddnstr(y, x, s, cells);
		attrset(A_NORMAL);
		return (int)strlen(s);
	}
	int u = put_wcs(y, x, w, n, cells, a);
	free(w);
	return u;
}

/* put_utf8, a cut text ending in '~' (edit_add_cut). marks: characters
 * that go too where the cut falls after them (a result list's title or
 * author: "Bản đồ du lịch thành phố Đà Nẵng~", not "... Nẵng =~", the " ="
 * leading only to the rest), or NULL. */
static int put_utf8_cut(int y, int x, const char *s, int cells, attr_t a, const char *marks)
{
	if (cells <= 0)
		return 0;
	strbuf sb = STRBUF_INIT;
	edit_add_cut(&sb, s, (size_t)cells);
	if (marks && edit_str_cells(s) > (size_t)cells && sb.len && sb.buf[sb.len - 1] == '~') {
		size_t n = sb.len - 1;
		while (n && strchr(marks, sb.buf[n - 1]))
			n--;
		sb.len = n;
		sb_addc(&sb, '~');
	}
	int u = put_utf8(y, x, sb.buf ? sb.buf : "", cells, a);
	sb_release(&sb);
	return u;
}

static void fill_row(int y, int x, int cells, attr_t a)
{
	attrset(a);
	for (int i = 0; i < cells; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

/* Draw one field line (wrapped): marker column 0..1, text from column 2,
 * continuation rows from column cont (under the text). Colours tag,
 * indicators and codes.
 * If le is given, the line editor's buffer is drawn and the cursor set.
 * Returns the rows used (may be clipped at maxrow). */
static int draw_field(struct tui *t, int y, int maxrow, const char *text, ledit *le,
                      int selected, const char *mark, attr_t markattr, int cont, int skip)
{
	size_t n;
	wchar_t *w;
	if (le) {
		n = le->len;
		w = xmalloc((n + 1) * sizeof *w);
		wmemcpy(w, le->buf, n + 1);
	} else {
		w = edit_wcs_from_utf8(text, &n);
		if (!w)
			w = edit_wcs_from_utf8("???", &n);
	}
	int indent = 2;
	size_t starts[256];
	size_t rows = edit_wrap(w, n, (size_t)(COLS - indent), (size_t)(COLS - cont), starts, 256);
	if (rows > 256)
		rows = 256;
	/* an open field taller than the rows left: scroll it so that the
	 * cursor's row is the last one shown (typing stays visible) */
	if (skip >= (int)rows)
		skip = rows ? (int)rows - 1 : 0;
	if (le) {
		skip = 0;
		int crow = 0;
		while ((size_t)crow + 1 < rows && le->cur >= starts[crow + 1])
			crow++;
		if (crow >= maxrow - y)
			skip = crow - (maxrow - y) + 1;
	}
	y -= skip;
	int r;
	for (r = skip; r < (int)rows && y + r < maxrow; r++) {
		int x = r ? cont : indent;
		size_t from = starts[r], to = (size_t)r + 1 < rows ? starts[r + 1] : n;
		attr_t base = selected && !le ? A_REVERSE : A_NORMAL;
		move(y + r, 0);
		clrtoeol();
		if (selected && !le)
			fill_row(y + r, 0, COLS, A_REVERSE);
		if (le)
			fill_row(y + r, 0, COLS, A_UNDERLINE);
		if (r == skip && mark)
			put_utf8(y + r, 0, mark, 2, markattr | base);
		else if (r == skip && selected)
			mvaddch(y + r, 0, (skip ? '^' : '>') | base);
		/* colour the tag/indicators/codes only on an unselected line */
		if (le || selected) {
			put_wcs(y + r, x, w + from, to - from, COLS - x, le ? A_UNDERLINE : A_REVERSE);
		} else {
			int cx = x;
			int ctl = n >= 3 && ((w[0] == '0' && w[1] == '0') || w[0] == 'L');
			for (size_t k = from; k < to; k++) {
				attr_t a = A_NORMAL;
				if (k < 3)
					a = ui_attr(UC_TAG);
				else if (k >= 4 && k < 6 && !ctl)
					a = ui_attr(UC_IND);
				else if (w[k] == '$' && k + 1 < n)
					a = ui_attr(UC_CODE);
				else if (k > 0 && w[k - 1] == '$')
					a = ui_attr(UC_CODE);
				cx += put_wcs(y + r, cx, w + k, 1, COLS - cx, a);
			}
		}
		if (le && le->cur >= from && (le->cur < to || (size_t)r + 1 == rows)) {
			t->cur_y = y + r;
			t->cur_x = x + (int)ledit_cells(le, from, le->cur);
			if (t->cur_x >= COLS)
				t->cur_x = COLS - 1;
			t->cur_vis = 1;
		}
	}
	free(w);
	r -= skip;
	return r > 0 ? r : 1;
}

/* Rows a field line takes when wrapped, continuation rows from column
 * cont. */
static int field_rows(const char *text, int cont)
{
	size_t n, st[256];
	wchar_t *w = edit_wcs_from_utf8(text, &n);
	if (!w)
		return 1;
	size_t r = edit_wrap(w, n, (size_t)(COLS - 2), (size_t)(COLS - cont), st, 256);
	free(w);
	return (int)r;
}

/* ---------------------------------------------------------------- */

/* Extra rows the status message takes above the last one (0..2): a long
 * message wraps instead of being cut; set by draw(). */
static int status_extra;

static int area_top(void) { return 2; }
static int area_rows(void) { return LINES - 4 - status_extra; }

/* Rows text takes wrapped to `cells` columns, continuation rows `cont`
 * cells in; with y >= 0 they are drawn from row y (at most to maxrow, the
 * rest cut). Returns the rows (drawn or needed). */
static int put_wrapped(int y, int maxrow, const char *text, int cells, int cont, attr_t a)
{
	size_t n, starts[128];
	if (cells < 8)
		cells = 8;
	if (cont > cells / 2)
		cont = 0;
	wchar_t *w = edit_wcs_from_utf8(text, &n);
	if (!w)
		return 1;
	size_t rows = edit_wrap(w, n, (size_t)cells, (size_t)(cells - cont), starts, 128);
	if (rows > 128)
		rows = 128;
	int r = 0;
	for (; y >= 0 && r < (int)rows && y + r < maxrow; r++) {
		size_t from = starts[r], to = (size_t)r + 1 < rows ? starts[r + 1] : n;
		if (r)
			while (from < to && w[from] == ' ')
				from++;
		int x = r ? cont : 0;
		put_wcs(y + r, x, w + from, to - from, cells - x, a);
	}
	free(w);
	return y >= 0 ? (r ? r : 1) : (int)rows;
}

static void draw_title(struct tui *t)
{
	tsess *s = t->s;
	char buf[512];
	static const char *const names[] = { N_("results"), N_("record"), N_("editor"), N_("conflict"),
	                                      N_("history"), N_("old version"), N_("help"), N_("messages") };
	const char *cat = s->catname ? strrchr(s->catname, '/') : NULL;
	cat = cat ? cat + 1 : s->catname ? s->catname : "-";
	if (s->ed)
		snprintf(buf, sizeof buf, " bienmuc | %s | %s%s%s%s", cat,
		         s->id ? s->id : _("new record"),
		         s->id ? "" : "", s->ed && edrec_modified(s->ed) ? _(" [modified]") : "",
		         s->deleted ? _(" [deleted]") : "");
	else
		snprintf(buf, sizeof buf, " bienmuc | %s", cat);
	fill_row(0, 0, COLS, ui_attr(UC_TITLE));
	put_utf8(0, 0, buf, COLS - 14, ui_attr(UC_TITLE));
	char right[64];
	if (s->ed && s->id)
		snprintf(right, sizeof right, "v%ld  %s ", s->version, _(names[t->screen]));
	else
		snprintf(right, sizeof right, "%s ", _(names[t->screen]));
	{
		int rw = (int)edit_str_cells(right);
		put_utf8(0, COLS - rw, right, rw, ui_attr(UC_TITLE));
	}
}

static void draw_search(struct tui *t)
{
	move(1, 0);
	clrtoeol();
	const char *lab = "Tìm/Search: ";
	int x = put_utf8(1, 0, lab, 20, A_BOLD);
	if (t->search_focus) {
		size_t skip = 0;
		int avail = COLS - x - 1;
		while (ledit_cells(&t->search, skip, t->search.cur) >= (size_t)avail)
			skip = ledit_next_gc(&t->search, skip);
		put_wcs(1, x, t->search.buf + skip, t->search.len - skip, avail,
		        t->search_sel ? A_REVERSE : A_UNDERLINE);
		t->cur_y = 1;
		t->cur_x = x + (int)ledit_cells(&t->search, skip, t->search.cur);
		t->cur_vis = 1;
	} else {
		char *q = ledit_get(&t->search);
		put_utf8(1, x, q, COLS - x - 24, A_NORMAL);
		free(q);
		char cnt[64];
		if (t->s->query) {
			snprintf(cnt, sizeof cnt, t->s->res.estimated ? _("about %ld found") : _("%ld found"),
			         t->s->res.total);
			put_utf8(1, COLS - (int)edit_str_cells(cnt) - 1, cnt, 24, A_DIM);
		}
	}
}

static void draw_list(struct tui *t)
{
	tsess *s = t->s;
	int y0 = area_top(), h = area_rows();
	int tw = COLS - 4 - 1 - 22 - 1 - 4 - 1 - 11 - 1;
	move(y0, 0);
	clrtoeol();
	put_utf8(y0, 0, "   #", 4, A_BOLD);
	put_utf8(y0, 5, "Nhan đề / Title", tw, A_BOLD);
	put_utf8(y0, 6 + tw, "Tác giả / Author", 22, A_BOLD);
	put_utf8(y0, 29 + tw, "Năm", 4, A_BOLD);
	put_utf8(y0, 34 + tw, "Id", 11, A_BOLD);
	int rows = h - 1;
	if (s->sel < (long)t->top)
		t->top = (size_t)s->sel;
	if (s->sel >= (long)t->top + rows)
		t->top = (size_t)s->sel - (size_t)rows + 1;
	for (int r = 0; r < rows; r++) {
		int y = y0 + 1 + r;
		size_t i = t->top + (size_t)r;
		move(y, 0);
		clrtoeol();
		if (i >= s->res.n) {
			if (r == 0 && !s->query)
				put_utf8(y, 2, _("Type a query (ti=tắt đèn, au=nguyễn du, kw=...) and press Enter."), COLS - 4, A_DIM);
			else if (r == 0)
				put_utf8(y, 2, _("No records."), COLS - 4, A_DIM);
			continue;
		}
		int sel = (long)i == s->sel;
		attr_t a = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			fill_row(y, 0, COLS, A_REVERSE);
		char num[32];
		snprintf(num, sizeof num, "%4zu", i + 1);
		put_utf8(y, 0, num, 4, a);
		put_utf8_cut(y, 5, tsess_row(s, i, 0), tw, a, " =:/;,");
		put_utf8_cut(y, 6 + tw, tsess_row(s, i, 1), 22, a, " =:/;,");
		put_utf8(y, 29 + tw, tsess_row(s, i, 2), 4, a);
		put_utf8(y, 34 + tw, s->res.ids[i], 11, a);
	}
}

/* Text of editor line i (0 = leader). */
static char *line_text(const rec *r, size_t i)
{
	return edit_field_text(r, i ? i - 1 : EDIT_LDR);
}

/* Cells of the label column in the labelled display; values (and their
 * continuation rows) start at 2 + LABEL_CELLS. */
#define LABEL_CELLS 26

/* Append head cut to LABEL_CELLS - 1 cells (a longer one ends in '~'),
 * then blanks to LABEL_CELLS: at least one blank before the value. */
static void add_label(strbuf *sb, const char *head)
{
	size_t c = 0, len = strlen(head);
	int cut = edit_str_cells(head) > LABEL_CELLS - 1;
	size_t room = cut ? LABEL_CELLS - 2 : LABEL_CELLS - 1;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	for (size_t i = 0; i < len;) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, head + i, len - i, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		int wd = edit_wcwidth(wc);
		if (c + (size_t)(wd > 0 ? wd : 0) > room)
			break;
		sb_add(sb, head + i, k);
		c += (size_t)(wd > 0 ? wd : 0);
		i += k;
	}
	if (cut) {
		sb_addc(sb, '~');
		c++;
	}
	while (c < LABEL_CELLS) {
		sb_addc(sb, ' ');
		c++;
	}
}

static char *labelled_text(tsess *s, const rec *r, size_t i)
{
	strbuf sb = STRBUF_INIT;
	if (i == 0) {
		add_label(&sb, _("Đầu biểu / Leader"));
		sb_adds(&sb, rec_leader(r));
		return sb_detach(&sb, NULL);
	}
	const char *tag = rec_tag(r, i - 1);
	const char *lab = tsess_field_label(s, tag, 1);
	char head[96];
	snprintf(head, sizeof head, "%s %s", tag, lab ? lab : "");
	add_label(&sb, head);
	char *txt;
	if (rec_is_control(r, i - 1)) {
		const char *d = rec_data(r, i - 1, NULL);
		txt = xstrdup(d ? d : "");
	} else
		txt = rec_field_text(r, i - 1, NULL);
	sb_adds(&sb, txt ? txt : "");
	free(txt);
	return sb_detach(&sb, NULL);
}

/* The record (view, version or editor). */
static void draw_record(struct tui *t, const rec *r, size_t cur, int editing)
{
	tsess *s = t->s;
	int y0 = area_top(), h = area_rows();
	size_t nl = rec_nfields(r) + 1;
	int labelled = s->opt.labelled && !editing;
	int cont = labelled ? 2 + LABEL_CELLS : 9;
	int extra = t->line_active && t->line_new ? 1 : 0;
	(void)extra;
	/* keep cur visible: rows of lines top..cur must fit */
	if (cur < t->top)
		t->top = cur;
	for (;;) {
		int rows = 0;
		for (size_t i = t->top; i <= cur && i < nl; i++) {
			char *tx = labelled ? labelled_text(s, r, i) : line_text(r, i);
			rows += field_rows(tx, cont);
			free(tx);
		}
		if (t->line_active && t->line_new)
			rows += 1;
		if (rows <= h || t->top >= cur)
			break;
		t->top++;
	}
	int y = y0;
	for (size_t i = t->top; i <= nl && y < y0 + h; i++) {
		/* the new line being typed goes before line_no */
		if (t->line_active && t->line_new && editing && i == t->line_no) {
			y += draw_field(t, y, y0 + h, NULL, &t->line, 1, "+", A_BOLD, cont, 0);
		}
		if (i >= nl)
			break;
		if (t->line_active && !t->line_new && editing && i == t->line_no) {
			y += draw_field(t, y, y0 + h, NULL, &t->line, 1, NULL, 0, cont, 0);
			continue;
		}
		char *tx = labelled ? labelled_text(s, r, i) : line_text(r, i);
		const char *mark = NULL;
		attr_t ma = 0;
		if (editing && s->nfind) {
			int err = 0;
			if (tsess_line_finding(s, (long)i, &err)) {
				mark = err ? "!" : "?";
				ma = ui_attr(err ? UC_ERROR : UC_WARN);
			}
		}
		int sel = i == cur && !(t->line_active && editing);
		y += draw_field(t, y, y0 + h, tx, NULL, sel, mark, ma, cont,
		                sel && t->fskip_line == cur ? t->fskip : 0);
		free(tx);
	}
	for (; y < y0 + h; y++) {
		move(y, 0);
		clrtoeol();
	}
}

/* Text wrapped to `cells` columns from column x (every row), from row y
 * up to maxrow; with y < 0 nothing is drawn. Returns the rows it takes. */
static int put_block(int y, int maxrow, int x, const char *text, int cells, attr_t a)
{
	size_t n, starts[64];
	wchar_t *w = edit_wcs_from_utf8(text, &n);
	if (!w)
		return 1;
	size_t rows = edit_wrap(w, n, (size_t)cells, (size_t)cells, starts, 64);
	if (rows > 64)
		rows = 64;
	for (int r = 0; y >= 0 && r < (int)rows && y + r < maxrow; r++) {
		size_t from = starts[r], to = (size_t)r + 1 < rows ? starts[r + 1] : n;
		put_wcs(y + r, x, w + from, to - from, cells, a);
	}
	free(w);
	return (int)rows;
}

/* Rows a merge row takes: 1 when both sides are the same; else mine's
 * and theirs' text, each wrapped in full (a difference at the end of a
 * long 520 must be seen to be chosen). */
static int conflict_rows(const edmerge *m, size_t k)
{
	const edmerge_row *row = &m->rows[k];
	if (row->same)
		return 1;
	int rows = 0;
	for (int side = 0; side < 2; side++) {
		long fi = side ? row->theirs : row->mine;
		char *tx = fi >= 0 ? edit_field_text(side ? m->theirs : m->mine, (size_t)fi) : NULL;
		rows += tx ? put_block(-1, 0, 0, tx, COLS - 20, A_NORMAL) : 1;
		free(tx);
	}
	return rows;
}

static void draw_conflict(struct tui *t)
{
	tsess *s = t->s;
	edmerge *m = s->merge;
	int y0 = area_top(), h = area_rows();
	move(y0, 0);
	clrtoeol();
	char head[256];
	snprintf(head, sizeof head, _("Conflict: %s was saved by someone else (version %ld). "
	         "m mine, t theirs, b both; C-s saves."), s->id ? s->id : "", s->their_version);
	put_utf8(y0, 0, head, COLS, ui_attr(UC_ERROR));
	if (!m) {
		for (int y = y0 + 1; y < y0 + h; y++) {
			move(y, 0);
			clrtoeol();
		}
		return;
	}
	/* rows: differing ones take mine's and theirs' lines, same ones 1 */
	if (s->msel < 0)
		s->msel = 0;
	if ((size_t)s->msel >= m->n && m->n)
		s->msel = (long)m->n - 1;
	if ((size_t)s->msel < t->top)
		t->top = (size_t)s->msel;
	for (;;) {
		int rows = 0;
		for (size_t k = t->top; k <= (size_t)s->msel && k < m->n; k++)
			rows += conflict_rows(m, k);
		if (rows <= h - 1 || t->top >= (size_t)s->msel)
			break;
		t->top++;
	}
	int y = y0 + 1;
	for (size_t k = t->top; k < m->n && y < y0 + h; k++) {
		edmerge_row *row = &m->rows[k];
		int sel = (long)k == s->msel;
		char *a = row->mine >= 0 ? edit_field_text(m->mine, (size_t)row->mine) : NULL;
		char *b = row->theirs >= 0 ? edit_field_text(m->theirs, (size_t)row->theirs) : NULL;
		move(y, 0);
		clrtoeol();
		if (row->same) {
			put_utf8(y, 0, sel ? ">" : " ", 1, A_NORMAL);
			put_utf8(y, 2, "   =", 4, A_DIM);
			put_utf8(y, 11, a, COLS - 11, sel ? A_REVERSE : A_DIM);
			y++;
		} else {
			const char *ch = row->choice == EDM_MINE ? _("[mine]") :
			                 row->choice == EDM_THEIRS ? _("[theirs]") : _("[both]");
			attr_t sa = sel ? A_REVERSE : A_NORMAL;
			attr_t am = row->choice != EDM_THEIRS ? A_BOLD | sa : sa;
			attr_t at = row->choice != EDM_MINE ? A_BOLD | sa : sa;
			const char *ta = a ? a : _("(none)"), *tb = b ? b : _("(none)");
			int ra = put_block(-1, 0, 0, ta, COLS - 20, am);
			for (int r = 0; r < ra && y + r < y0 + h; r++) {
				move(y + r, 0);
				clrtoeol();
			}
			put_utf8(y, 0, sel ? ">" : " ", 1, A_BOLD);
			put_utf8(y, 2, _("mine"), 8, am);
			put_block(y, y0 + h, 11, ta, COLS - 20, am);
			put_utf8(y, COLS - 8, ch, 8, A_BOLD);
			y += ra;
			if (y < y0 + h) {
				int rb = put_block(-1, 0, 0, tb, COLS - 20, at);
				for (int r = 0; r < rb && y + r < y0 + h; r++) {
					move(y + r, 0);
					clrtoeol();
				}
				put_utf8(y, 2, _("theirs"), 8, at);
				put_block(y, y0 + h, 11, tb, COLS - 20, at);
				y += rb;
			}
		}
		free(a);
		free(b);
	}
	for (; y < y0 + h; y++) {
		move(y, 0);
		clrtoeol();
	}
}

static void draw_history(struct tui *t)
{
	tsess *s = t->s;
	int y0 = area_top(), h = area_rows();
	move(y0, 0);
	clrtoeol();
	put_utf8(y0, 0, _("  ver  time (UTC)           user       action   summary"), COLS, A_BOLD);
	int rows = h - 1;
	if (s->hsel < (long)t->top)
		t->top = (size_t)s->hsel;
	if (s->hsel >= (long)t->top + rows)
		t->top = (size_t)s->hsel - (size_t)rows + 1;
	for (int r = 0; r < rows; r++) {
		int y = y0 + 1 + r;
		size_t i = t->top + (size_t)r;
		move(y, 0);
		clrtoeol();
		if (i >= s->nhist)
			continue;
		struct cat_version *v = &s->hist[i];
		int sel = (long)i == s->hsel;
		attr_t a = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			fill_row(y, 0, COLS, A_REVERSE);
		/* by columns, in cells: a user name or action in Vietnamese is
		 * cut between characters, never inside one */
		char buf[512];
		snprintf(buf, sizeof buf, "%5ld  %-19s", v->version, v->time);
		put_utf8(y, 0, buf, COLS, a);
		if (COLS > 28)
			put_utf8_cut(y, 28, v->user ? v->user : "", COLS - 28 < 10 ? COLS - 28 : 10, a, NULL);
		if (COLS > 39)
			put_utf8_cut(y, 39, journal_action(v->action), COLS - 39 < 8 ? COLS - 39 : 8, a, NULL);
		if (COLS > 48) {
			char *sum = journal_text(v->summary);
			snprintf(buf, sizeof buf, "%s%s", sum, v->deleted ? _(" (deleted)") : "");
			free(sum);
			put_utf8_cut(y, 48, buf, COLS - 48, a, NULL);
		}
	}
}

/* Help and message lines: a long line wraps, its continuation rows
 * indented under its text (lint findings, :help TOPIC). */
static int text_cont(const char *line)
{
	int lead = 0;
	while (line[lead] == ' ')
		lead++;
	return lead + 4;
}

static void draw_text(struct tui *t)
{
	int y0 = area_top(), h = area_rows();
	/* the last screenful starts where the rows from there to the end fit */
	size_t last = t->ntext;
	int rows = 0;
	while (last > 0) {
		int k = put_wrapped(-1, 0, t->text[last - 1], COLS, text_cont(t->text[last - 1]), 0);
		if (rows + k > h)
			break;
		rows += k;
		last--;
	}
	if (t->helptop > last)
		t->helptop = last;
	for (int r = 0; r < h; r++) {
		move(y0 + r, 0);
		clrtoeol();
	}
	int y = y0;
	for (size_t i = t->helptop; i < t->ntext && y < y0 + h; i++)
		y += put_wrapped(y, y0 + h, t->text[i], COLS, text_cont(t->text[i]), A_NORMAL);
}

static int screen_view(struct tui *t)
{
	switch (t->screen) {
	case SC_LIST: return t->search_focus ? KV_SEARCH : KV_LIST;
	case SC_VIEW: return KV_VIEW;
	case SC_VERSION: return KV_VIEW;
	case SC_EDIT: return t->line_active ? KV_LINE : KV_EDIT;
	case SC_CONFLICT: return KV_CONFLICT;
	case SC_HISTORY: return KV_HISTORY;
	default: return KV_HELP;
	}
}

static void draw_helpline(struct tui *t)
{
	tsess *s = t->s;
	int y = LINES - 2 - status_extra;
	move(y, 0);
	clrtoeol();
	strbuf sb = STRBUF_INIT;
	if ((t->screen == SC_EDIT || t->screen == SC_VIEW) && s->ed) {
		size_t cur = t->line_active ? t->line_no : edrec_cur(s->ed);
		const rec *r = edrec_rec(s->ed);
		char code = 0;
		if (t->line_active) {
			/* the subfield under the cursor */
			for (size_t k = t->line.cur; k-- > 0;)
				if (t->line.buf[k] == '$' && k + 1 < t->line.len) {
					code = (char)t->line.buf[k + 1];
					break;
				}
		}
		int err = 0;
		/* the line's finding, but not over the help of the subfield the
		 * cursor is in while the line is typed: there the finding is
		 * shown on the tag and indicators (line_new stays set after the
		 * new field's line closed) */
		const char *f = t->screen == SC_EDIT && !(t->line_active && t->line_new) &&
		                !(t->line_active && code) ?
		                tsess_line_finding(s, (long)cur, &err) : NULL;
		if (f) {
			put_utf8_cut(y, 0, f, COLS, ui_attr(err ? UC_ERROR : UC_WARN), NULL);
			sb_release(&sb);
			return;
		}
		if (t->line_active && t->line_new) {
			char tag[4] = { 0 };
			for (int k = 0; k < 3 && (size_t)k < t->line.len; k++)
				tag[k] = (char)t->line.buf[k];
			if (strlen(tag) == 3)
				tsess_field_help_fit(s, tag, code, (size_t)COLS, &sb);
			else
				sb_adds(&sb, _("type TAG IND $a text, Enter to add, Esc to cancel"));
		} else if (cur == 0)
			tsess_field_help(s, "LDR", 0, &sb);
		else if (cur - 1 < rec_nfields(r) && t->line_active && !code &&
		         (t->line.cur == 4 || t->line.cur == 5) && t->line.len > 5 &&
		         t->line.buf[3] == L' ' && !rec_is_control(r, cur - 1))
			/* on an indicator ("245 10 $a..."): what it means */
			tsess_ind_help(s, rec_tag(r, cur - 1), (int)t->line.cur - 3,
			               (char)(t->line.buf[t->line.cur] < 128 ? t->line.buf[t->line.cur] : '?'),
			               &sb);
		else if (cur - 1 < rec_nfields(r))
			tsess_field_help_fit(s, rec_tag(r, cur - 1), code, (size_t)COLS, &sb);
	} else {
		const char *hint = "";
		switch (t->screen) {
		case SC_LIST: hint = t->search_focus ?
			_("Enter search  Esc/Down to the list  C-t Telex/VNI  F1 help  F10 quit") :
			_("Enter open  / search  n new  : command  F1 help  F10 quit"); break;
		case SC_CONFLICT: hint = _("m mine  t theirs  b both  M/T all mine/theirs  C-s save  Esc back"); break;
		case SC_HISTORY: hint = _("Enter view version  r roll back to it  Esc back"); break;
		case SC_VERSION: hint = _("an old version (read only): Esc back, :rollback N restores it"); break;
		default: hint = _("Up/Down PgUp/PgDn scroll  Esc back"); break;
		}
		sb_adds(&sb, hint);
	}
	put_utf8_cut(y, 0, sb.buf ? sb.buf : "", COLS, A_DIM, NULL);
	sb_release(&sb);
}

static void draw_status(struct tui *t)
{
	int y = LINES - 1;
	move(y, 0);
	clrtoeol();
	if (t->cmd_active) {
		mvaddch(y, 0, ':');
		size_t skip = 0;
		while (ledit_cells(&t->cmd, skip, t->cmd.cur) >= (size_t)(COLS - 2))
			skip = ledit_next_gc(&t->cmd, skip);
		put_wcs(y, 1, t->cmd.buf + skip, t->cmd.len - skip, COLS - 2, A_NORMAL);
		t->cur_y = y;
		t->cur_x = 1 + (int)ledit_cells(&t->cmd, skip, t->cmd.cur);
		t->cur_vis = 1;
		return;
	}
	const char *ime = tui_ime_label(t->s);
	int iw = (int)strlen(ime);
	/* a long message wraps onto the rows draw() made for it */
	for (int r = 1; r <= status_extra; r++) {
		move(y - r, 0);
		clrtoeol();
	}
	put_wrapped(y - status_extra, LINES, t->status, COLS - 1 - iw, 2,
	            t->status_err ? ui_attr(UC_ERROR) : A_NORMAL);
	if (iw)
		put_utf8(y, COLS - iw, ime, iw, A_REVERSE);
}

/* Below 80x24: the whole screen says so, wrapped to its width, and
 * returns 1 (modal: a screen over the editor, which cannot be quit from;
 * it goes on when the window is large again). */
static int draw_too_small(int modal)
{
	if (LINES >= 24 && COLS >= 80)
		return 0;
	erase();
	char buf[512];
	snprintf(buf, sizeof buf, _("bienmuc needs a terminal of at least 80x24; this one is %dx%d."),
	         COLS, LINES);
	size_t l = strlen(buf);
	snprintf(buf + l, sizeof buf - l, " %s",
	         modal ? _("Enlarge the window to go on.") : _("Enlarge the window (C-q quits)."));
	size_t n, starts[64];
	wchar_t *w = edit_wcs_from_utf8(buf, &n);
	if (w && COLS > 0) {
		size_t rows = edit_wrap(w, n, (size_t)COLS, (size_t)COLS, starts, 64);
		if (rows > 64)
			rows = 64;
		for (size_t r = 0; r < rows && (int)r < LINES; r++) {
			size_t from = starts[r], to = r + 1 < rows ? starts[r + 1] : n;
			while (from < to && w[from] == ' ')
				from++;
			put_wcs((int)r, 0, w + from, to - from, COLS, A_NORMAL);
		}
	}
	free(w);
	curs_set(0);
	refresh();
	return 1;
}

static void draw(struct tui *t)
{
	t->cur_vis = 0;
	if (draw_too_small(0)) {
		t->small = 1;
		return;
	}
	if (t->small) {
		t->small = 0;
		erase();
	}
	tsess *s = t->s;
	/* a message longer than the status line takes up to 3 rows */
	status_extra = 0;
	if (!t->cmd_active && t->status[0]) {
		int iw = (int)strlen(tui_ime_label(s));
		if ((int)edit_str_cells(t->status) > COLS - 1 - iw) {
			int r = put_wrapped(-1, 0, t->status, COLS - 1 - iw, 2, 0);
			status_extra = r > 3 ? 2 : r - 1;
		}
	}
	draw_title(t);
	draw_search(t);
	switch (t->screen) {
	case SC_LIST: draw_list(t); break;
	case SC_VIEW:
		if (s->ed)
			draw_record(t, edrec_rec(s->ed), edrec_cur(s->ed), 0);
		break;
	case SC_EDIT:
		if (s->ed)
			draw_record(t, edrec_rec(s->ed),
			            t->line_active ? t->line_no : edrec_cur(s->ed), 1);
		break;
	case SC_VERSION:
		if (s->oldrec) {
			static size_t vcur;
			if (vcur >= rec_nfields(s->oldrec) + 1)
				vcur = 0;
			draw_record(t, s->oldrec, t->top, 0);
		}
		break;
	case SC_CONFLICT: draw_conflict(t); break;
	case SC_HISTORY: draw_history(t); break;
	default: draw_text(t); break;
	}
	draw_helpline(t);
	draw_status(t);
	if (t->cur_vis) {
		curs_set(1);
		move(t->cur_y, t->cur_x);
	} else
		curs_set(0);
	refresh();
}

/* ---------------------------------------------------------------- */
/* front end hooks */

static void set_status(struct tui *t, const char *text, int err)
{
	snprintf(t->status, sizeof t->status, "%s", text);
	t->status_err = err;
}

static void add_msg(struct tui *t, const char *text)
{
	t->msgs = xrealloc(t->msgs, (t->nmsgs + 1) * sizeof *t->msgs);
	t->msgs[t->nmsgs++] = xstrdup(text);
}

static void fe_out(void *ctx, const char *text)
{
	struct tui *t = ctx;
	add_msg(t, text);
	set_status(t, text, 0);
}

static void fe_err(void *ctx, const char *text)
{
	struct tui *t = ctx;
	add_msg(t, text);
	set_status(t, text, 1);
	beep();
}

static int read_key(struct tui *t);

static int fe_confirm(void *ctx, const char *q)
{
	struct tui *t = ctx;
	char buf[1024];
	snprintf(buf, sizeof buf, _("%s (y/n)"), q);
	set_status(t, buf, 1);
	draw(t);
	for (;;) {
		int k = read_key(t);
		if (k == 'y' || k == 'Y' || k == 'c' || k == 'C') {
			set_status(t, "", 0);
			return 1;
		}
		if (k == 'n' || k == 'N' || k == KEYC_ESCAPE || k == 'k' || k == 'K' || k == 7) {
			set_status(t, "", 0);
			return 0;
		}
		if (k == KEYC_RESIZE)
			draw(t);
	}
}

static void set_text(struct tui *t, const char *text)
{
	for (size_t i = 0; i < t->ntext; i++)
		free(t->text[i]);
	free(t->text);
	t->text = NULL;
	t->ntext = 0;
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		t->text = xrealloc(t->text, (t->ntext + 1) * sizeof *t->text);
		t->text[t->ntext++] = xstrndup(p, n);
		p += n + (nl ? 1 : 0);
	}
	t->helptop = 0;
}

static void go(struct tui *t, int screen)
{
	if (screen != t->screen)
		t->top = 0;
	t->screen = screen;
	t->search_focus = 0;
}

static void fe_event(void *ctx, int ev)
{
	struct tui *t = ctx;
	tsess *s = t->s;
	switch (ev) {
	case TE_RESULTS:
		go(t, SC_LIST);
		s->sel = 0;
		if (s->query)
			ledit_set(&t->search, s->query);
		break;
	case TE_RECORD:
		t->line_active = 0;
		go(t, SC_VIEW);
		break;
	case TE_EDIT:
		t->line_active = 0;
		go(t, SC_EDIT);
		if (s->opt.live_lint)
			tsess_lint(s);
		break;
	case TE_CHANGED:
		if (t->screen == SC_EDIT && s->opt.live_lint && s->ed)
			tsess_lint(s);
		if (t->screen == SC_CONFLICT && !s->merge)
			go(t, SC_EDIT);
		break;
	case TE_CONFLICT:
		if (t->screen != SC_CONFLICT)
			go(t, SC_CONFLICT);
		break;
	case TE_HISTORY:
		if (t->screen != SC_HISTORY)
			t->hist_from = t->screen == SC_EDIT ? SC_EDIT : SC_VIEW;
		go(t, SC_HISTORY);
		break;
	case TE_VERSION:
		go(t, SC_VERSION);
		break;
	case TE_HELP: {
		strbuf sb = STRBUF_INIT;
		int view = screen_view(t);
		if (t->screen != SC_HELP && t->screen != SC_MSG)
			t->back_screen = t->screen;
		tcmd_help_text(s, view, s->helptopic, &sb);
		set_text(t, sb.buf);
		sb_release(&sb);
		t->screen = SC_HELP;
		t->search_focus = 0;
		t->line_active = 0;
		break;
	}
	case TE_QUIT:
		t->quit = 1;
		break;
	case TE_CLOSED:
		t->line_active = 0;
		go(t, SC_LIST);
		break;
	}
}

/* ---------------------------------------------------------------- */
/* keys */

static int map_key(int rc, wint_t wc)
{
	if (rc == OK) {
		if (wc == 13 || wc == 10)
			return KEYC_ENTER;
		if (wc == 9)
			return KEYC_TAB;
		if (wc == 127 || wc == 8)
			return KEYC_BSPACE;
		if (wc == 27)
			return KEYC_ESCAPE;
		return (int)wc;
	}
	switch (wc) {
	case KEY_UP: return KEYC_UP;
	case KEY_DOWN: return KEYC_DOWN;
	case KEY_LEFT: return KEYC_LEFT;
	case KEY_RIGHT: return KEYC_RIGHT;
	case KEY_HOME: return KEYC_HOME;
	case KEY_END: return KEYC_END;
	case KEY_PPAGE: return KEYC_PPAGE;
	case KEY_NPAGE: return KEYC_NPAGE;
	case KEY_IC: return KEYC_IC;
	case KEY_DC: return KEYC_DC;
	case KEY_BACKSPACE: return KEYC_BSPACE;
	case KEY_ENTER: return KEYC_ENTER;
	case KEY_BTAB: return KEYC_BTAB;
	case KEY_RESIZE: return KEYC_RESIZE;
	case KEY_A1: return KEYC_HOME;
	case KEY_C1: return KEYC_END;
	case KEY_A3: return KEYC_PPAGE;
	case KEY_C3: return KEYC_NPAGE;
	}
	if (wc >= (wint_t)KEY_F(1) && wc <= (wint_t)KEY_F(20))
		return KEYC_F((int)(wc - KEY_F0));
	return -1;
}

/* While a copy cataloguing search is out, wait for the keyboard and the
 * targets' sockets together: each answer updates the status line, and a
 * key is taken at once (tzsearch.h). */
static void (*modal_redraw)(void *);     /* a modal screen's (tui-copies.h) */
static void *modal_arg;

void tui_set_modal_redraw(void (*fn)(void *arg), void *arg)
{
	modal_redraw = fn;
	modal_arg = arg;
}

static void wait_key_or_targets(struct tui *t)
{
	while (tzs_active()) {
		struct pollfd fds[65];
		int to;
		size_t nf = tzs_pollfds(fds + 1, 64, &to);
		fds[0].fd = 0;
		fds[0].events = POLLIN;
		fds[0].revents = 0;
		int rc = poll(fds, nf + 1, to);
		tzs_process(t->s, fds + 1, rc > 0 ? nf : 0);
		if (modal_redraw)
			modal_redraw(modal_arg);
		else
			draw(t);
		if (rc > 0 && fds[0].revents)
			return;
	}
}

static int read_key(struct tui *t)
{
	if (t->pending_key) {
		int k = t->pending_key;
		t->pending_key = 0;
		return k;
	}
	for (;;) {
		wint_t wc;
		wait_key_or_targets(t);
		int rc = get_wch(&wc);
		if (rc == ERR)
			continue;
		int k = map_key(rc, wc);
		if (k == KEYC_ESCAPE) {
			/* ESC then a key: Meta. A terminal sends Alt-x as ESC x in
			 * one write, so anything within esc-delay ms is Meta; a
			 * person typing ESC 2 (= F2) takes longer, so a character
			 * within half a second is Meta too, but an arrow or other
			 * special key after esc-delay is Escape and then the key. */
			int ms = t->s->opt.esc_delay > 0 ? t->s->opt.esc_delay : 100;
			timeout(ms);
			rc = get_wch(&wc);
			int quick = rc != ERR;
			if (!quick && ms < 500) {
				timeout(500 - ms);
				rc = get_wch(&wc);
			}
			timeout(-1);
			if (rc == ERR)
				return KEYC_ESCAPE;
			int k2 = map_key(rc, wc);
			if (k2 < 0)
				continue;
			if (k2 == KEYC_ESCAPE || (!quick && (k2 >= KEYC_BASE || k2 < 0x20))) {
				t->pending_key = k2;
				return KEYC_ESCAPE;
			}
			return KEYC_META | k2;
		}
		if (k < 0)
			continue;
		return k;
	}
}

/* Sequences vt100 / console terminfo does not know but xterm-like
 * terminals send anyway: teach them to ncurses. */
static void define_extra_keys(void)
{
	static const struct { const char *seq; int code; } ks[] = {
		{ "\033[11~", KEY_F(1) }, { "\033[12~", KEY_F(2) }, { "\033[13~", KEY_F(3) },
		{ "\033[14~", KEY_F(4) }, { "\033[15~", KEY_F(5) }, { "\033[17~", KEY_F(6) },
		{ "\033[18~", KEY_F(7) }, { "\033[19~", KEY_F(8) }, { "\033[20~", KEY_F(9) },
		{ "\033[21~", KEY_F(10) }, { "\033[23~", KEY_F(11) }, { "\033[24~", KEY_F(12) },
		{ "\033OP", KEY_F(1) }, { "\033OQ", KEY_F(2) }, { "\033OR", KEY_F(3) },
		{ "\033OS", KEY_F(4) }, { "\033[[A", KEY_F(1) }, { "\033[[B", KEY_F(2) },
		{ "\033[[C", KEY_F(3) }, { "\033[[D", KEY_F(4) }, { "\033[[E", KEY_F(5) },
		{ "\033[1~", KEY_HOME }, { "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END }, { "\033[F", KEY_END }, { "\033OF", KEY_END },
		{ "\033[2~", KEY_IC }, { "\033[3~", KEY_DC }, { "\033[5~", KEY_PPAGE },
		{ "\033[6~", KEY_NPAGE }, { "\033[Z", KEY_BTAB },
		{ "\033[A", KEY_UP }, { "\033[B", KEY_DOWN }, { "\033[C", KEY_RIGHT },
		{ "\033[D", KEY_LEFT }, { "\033OA", KEY_UP }, { "\033OB", KEY_DOWN },
		{ "\033OC", KEY_RIGHT }, { "\033OD", KEY_LEFT },
	};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
		if (key_defined(ks[i].seq) == 0)
			define_key(ks[i].seq, ks[i].code);
}

/* ---------------------------------------------------------------- */
/* screen-only commands */

static void page_rows(struct tui *t, long *sel, long n, int dir, int page)
{
	long step = page ? (long)area_rows() - 2 : 1;
	if (step < 1)
		step = 1;
	*sel += dir * step;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	(void)t;
}

static void start_line(struct tui *t, size_t line, int isnew, const char *text)
{
	t->line_active = 1;
	t->line_no = line;
	t->line_new = isnew;
	ledit_set(&t->line, text);
	free(t->line_orig);
	t->line_orig = ledit_get(&t->line);
	t->line_cancel_warned = 0;
	if (!isnew) {
		/* cursor at the start of the first subfield value */
		ledit_home(&t->line);
		ledit_next_sub(&t->line);
		if (t->line.cur >= t->line.len && t->line.len > 4)
			t->line.cur = t->line.len;
	}
}

/* Commit the line; returns 0, or -1 (message shown, still editing). */
static int finish_line(struct tui *t)
{
	tsess *s = t->s;
	if (!t->line_active)
		return 0;
	char *text = ledit_get(&t->line);
	strbuf err = STRBUF_INIT;
	int rc;
	if (t->line_new) {
		const char *p = text;
		while (*p == ' ')
			p++;
		if (!*p) {          /* nothing typed: nothing added */
			free(text);
			t->line_active = 0;
			return 0;
		}
		rc = edrec_insert_line(s->ed, t->line_no, text, &err);
	} else
		rc = edrec_set_line(s->ed, t->line_no, text, &err);
	free(text);
	if (rc < 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", err.buf ? err.buf : _("cannot use that line"));
		set_status(t, msg, 1);
		beep();
		sb_release(&err);
		return -1;
	}
	sb_release(&err);
	t->line_active = 0;
	s->lint_stale = 1;
	if (s->opt.live_lint)
		tsess_lint(s);
	return 0;
}

static void type_char(struct tui *t, ledit *le, int key)
{
	/* the line editor and the search line type through the input method */
	tui_ime_type(t->s, &t->ime, le, key);
}

static int line_cmd(ledit *le, const char *c)
{
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
	else if (!strcmp(c, "line-next-sub")) ledit_next_sub(le);
	else if (!strcmp(c, "line-prev-sub")) ledit_prev_sub(le);
	else
		return 0;
	return 1;
}

static void run_line(struct tui *t, const char *line);

static int host_read_key(void *ctx)
{
	return read_key(ctx);
}

/* For modal screens: an Esc-key pair not bound in `view` (-1: none but
 * Esc-digit, the F-key twins, are) comes as Escape, then the key. */
static int host_read_key_in(void *ctx, int view)
{
	struct tui *t = ctx;
	int k;
	for (;;) {
		/* a modal screen below 80x24: the size message instead, until
		 * the window is large again; then the screen redraws */
		int small = draw_too_small(1);
		k = read_key(t);
		if (!small)
			break;
		if (LINES >= 24 && COLS >= 80)
			return KEYC_RESIZE;
		if (k != KEYC_RESIZE)
			beep();
	}
	if (!(k & KEYC_META) || k == (KEYC_META | KEYC_ESCAPE))
		return k;
	int bare = k & ~KEYC_META;
	int bound = view >= 0 ? keymap_lookup(t->s->km, view, k) != NULL
	                      : bare >= '0' && bare <= '9';
	if (bound)
		return k;
	t->pending_key = bare;
	return KEYC_ESCAPE;
}

/* After a modal screen: its messages (input toggles ...) were shown
 * there; keep only the last one for the status line. */
static int modal_done(struct tui *t, int rc)
{
	if (t->nmsgs > 1) {
		for (size_t i = 0; i + 1 < t->nmsgs; i++)
			free(t->msgs[i]);
		t->msgs[0] = t->msgs[t->nmsgs - 1];
		t->nmsgs = 1;
	}
	return rc == 1 ? 0 : rc;
}

static int fe_ui(void *ctx, int argc, char **argv)
{
	struct tui *t = ctx;
	tsess *s = t->s;
	const char *c = argv[0];
	struct tui_host host = { t, host_read_key, &t->ime, host_read_key_in };
	if (!strcmp(c, "lookup")) {
		/* authority lookup on the heading field (tui-auth.c) */
		if (!s->ed || (!t->line_active && edrec_cur(s->ed) == 0)) {
			set_status(t, _("lookup: open a heading field in the editor first"), 1);
			return 1;
		}
		char *cur = t->line_active ? ledit_get(&t->line)
		                           : edit_field_text(edrec_rec(s->ed), edrec_cur(s->ed) - 1);
		strbuf msg = STRBUF_INIT;
		char *nl = tui_auth_lookup(s, cur, &host, &msg);
		int rc = nl ? 0 : 1;
		if (nl && t->line_active) {
			ledit_set(&t->line, nl);
		} else if (nl) {
			strbuf err = STRBUF_INIT;
			if (edrec_set_line(s->ed, edrec_cur(s->ed), nl, &err) < 0) {
				sb_reset(&msg);
				sb_adds(&msg, err.buf ? err.buf : "");
				rc = 1;
			}
			sb_release(&err);
			s->lint_stale = 1;
			if (s->opt.live_lint)
				tsess_lint(s);      /* the marks follow the new link */
		}
		set_status(t, msg.buf ? msg.buf : "", rc);
		free(nl);
		free(cur);
		sb_release(&msg);
		return rc;
	}
	if (!strcmp(c, "copies-panel"))       /* tui-copies.c */
		return modal_done(t, tui_copies_panel(s, &host));
	if (!strcmp(c, "shelf-screen"))
		return modal_done(t, tui_shelf(s, argc > 1 ? argv[1] : "", &host));
	if (!strcmp(c, "zresults-screen"))
		return modal_done(t, tui_zresults(s, &host));
	if (!strcmp(c, "form-menu")) {
		char *name = tui_form_menu(s, &host);
		int rc = 0;
		if (name) {
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "new %s", name);
			if (!strcmp(name, "empty") || !strcmp(name, "copy"))
				rc = tcmd_run(s, sb.buf);
			else
				rc = tui_form_fill(s, name, &host);
			sb_release(&sb);
			free(name);
		}
		return modal_done(t, rc);
	}
	if (!strcmp(c, "form-fill")) {
		if (argc < 2)
			return 2;
		int rc = tui_form_fill(s, argv[1], &host);
		return modal_done(t, rc);
	}
	if (!strcmp(c, "fixed-edit")) {
		if (!s->ed)
			return 2;
		if (t->line_active && finish_line(t) < 0)
			return 1;
		if (t->screen != SC_EDIT)
			fe_event(t, TE_EDIT);
		int rc = tui_fixed_edit(s, argc > 1 ? atol(argv[1]) : 0, &host);
		return modal_done(t, rc);
	}
	if (!strncmp(c, "form-", 5) || !strncmp(c, "fixed-", 6))
		return 0;     /* keys of the modal screens, handled there */
	if (!strcmp(c, "field")) {
		/* field ins / new / edit without text: open the line editor */
		if (t->screen != SC_EDIT) {
			if (!s->ed)
				return 2;
			fe_event(t, TE_EDIT);
		}
		size_t cur = edrec_cur(s->ed);
		if (!strcmp(argv[1], "edit"))
			start_line(t, cur, 0, "");
		else
			start_line(t, !strcmp(argv[1], "ins") ? (cur ? cur : 1) : cur + 1, 1, "");
		return 0;
	}
	if (!strcmp(c, "cmdline")) {
		t->cmd_active = 1;
		ledit_set(&t->cmd, argc > 1 ? argv[1] : "");   /* cmdline "zsearch " */
		t->hpos = t->nhist;
		return 0;
	}
	if (!strcmp(c, "search-prompt")) {
		if (t->line_active && finish_line(t) < 0)
			return 1;
		go(t, SC_LIST);
		t->search_focus = 1;
		ledit_end(&t->search);
		/* the last query, selected: typing replaces it, Enter runs it
		 * again, a movement key keeps it for editing */
		t->search_sel = t->search.len > 0;
		return 0;
	}
	if (!strcmp(c, "search-run")) {
		char *q = ledit_get(&t->search);
		const char *p = q;
		while (*p == ' ')
			p++;
		int rc = 0;
		if (*p) {
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "search %s", p);
			rc = tcmd_run(s, sb.buf);
			sb_release(&sb);
		}
		free(q);
		if (rc == 0)
			t->search_focus = 0;
		return rc;
	}
	if (!strcmp(c, "redraw")) {
		clearok(curscr, TRUE);
		return 0;
	}
	if (!strcmp(c, "suspend")) {
		def_prog_mode();
		endwin();
		raise(SIGTSTP);
		reset_prog_mode();
		refresh();
		return 0;
	}
	if (!strcmp(c, "back")) {
		switch (t->screen) {
		case SC_LIST:
			if (t->search_focus)
				t->search_focus = 0;
			break;
		case SC_VIEW: go(t, SC_LIST); break;
		case SC_EDIT:
			if (t->line_active) {
				t->line_active = 0;
				break;
			}
			go(t, SC_VIEW);
			break;
		case SC_CONFLICT: go(t, SC_EDIT); break;
		case SC_HISTORY: go(t, t->hist_from ? t->hist_from : SC_VIEW); break;
		case SC_VERSION: go(t, SC_HISTORY); break;
		default: t->screen = t->back_screen; t->top = 0; break;
		}
		return 0;
	}
	if (t->screen == SC_EDIT && t->line_active) {
		if (line_cmd(&t->line, c))
			return 0;
		if (!strcmp(c, "line-done"))
			return finish_line(t) < 0 ? 1 : 0;
		if (!strcmp(c, "line-cancel")) {
			/* a field typed at length is not thrown away by one
			 * stray Esc (or Esc 2 typed slowly on a vt100) */
			char *now = ledit_get(&t->line);
			int changed = !t->line_orig || strcmp(now, t->line_orig);
			free(now);
			if (changed && !t->line_cancel_warned) {
				t->line_cancel_warned = 1;
				set_status(t, _("Esc again abandons what was typed in this field; Enter keeps it"), 1);
				return 0;
			}
			t->line_active = 0;
			set_status(t, _("line not changed"), 0);
			return 0;
		}
		if (!strcmp(c, "line-up") || !strcmp(c, "line-down")) {
			size_t at = t->line_no;
			int was_new = t->line_new;
			if (finish_line(t) < 0)
				return 1;
			long next = (long)at + (c[5] == 'u' ? -1 : (was_new ? 1 : 1));
			if (was_new && c[5] == 'u')
				next = (long)at - 1;
			if (next < 0)
				next = 0;
			if ((size_t)next >= edrec_nlines(s->ed))
				next = (long)edrec_nlines(s->ed) - 1;
			edrec_set_cur(s->ed, (size_t)next);
			char *tx = line_text(edrec_rec(s->ed), (size_t)next);
			start_line(t, (size_t)next, 0, tx);
			free(tx);
			return 0;
		}
	}
	if (!strcmp(c, "edit-line")) {
		if (t->screen != SC_EDIT || !s->ed)
			return 0;
		if (s->deleted)
			return 1;
		size_t cur = edrec_cur(s->ed);
		char *tx = line_text(edrec_rec(s->ed), cur);
		start_line(t, cur, 0, tx);
		free(tx);
		return 0;
	}
	if (!strcmp(c, "history-view")) {
		if (s->hsel >= 0 && (size_t)s->hsel < s->nhist) {
			char buf[64];
			snprintf(buf, sizeof buf, "version %ld", s->hist[s->hsel].version);
			return tcmd_run(s, buf);
		}
		return 0;
	}
	/* movement */
	int up = !strcmp(c, "up"), down = !strcmp(c, "down");
	int pu = !strcmp(c, "page-up"), pd = !strcmp(c, "page-down");
	int top = !strcmp(c, "top"), bot = !strcmp(c, "bottom");
	if (up || down || pu || pd || top || bot) {
		int dir = (up || pu) ? -1 : 1;
		long big = 1L << 40;
		switch (t->screen) {
		case SC_LIST:
			/* past the rows read so far: read on (the next page; End
			 * all of them) */
			if (bot)
				tsess_results_more(s, (size_t)-1);
			else if (dir > 0)
				tsess_results_more(s, (size_t)s->sel + (size_t)((pu || pd) ? area_rows() : 1));
			if (top || bot)
				s->sel = top ? 0 : (long)s->res.n - 1;
			else
				page_rows(t, &s->sel, (long)s->res.n, dir, pu || pd);
			if (up && s->sel == 0 && t->top == 0 && !s->res.n) {
				t->search_focus = 1;
				t->search_sel = 0;
			}
			break;
		case SC_VIEW: case SC_EDIT: {
			if (!s->ed)
				break;
			long cur = (long)edrec_cur(s->ed);
			/* a field taller than the screen (a long 505 or 520):
			 * Down shows its next row until its end is on the
			 * screen, Up goes back up it, then they move on */
			if (t->fskip_line != (size_t)cur)
				t->fskip = 0;
			if (up || down) {
				int labelled = s->opt.labelled && t->screen == SC_VIEW;
				const rec *r = edrec_rec(s->ed);
				char *tx = labelled ? labelled_text(s, r, (size_t)cur) : line_text(r, (size_t)cur);
				int rows = field_rows(tx, labelled ? 2 + LABEL_CELLS : 9);
				free(tx);
				if (down && rows - t->fskip > area_rows()) {
					t->fskip++;
					t->fskip_line = (size_t)cur;
					break;
				}
				if (up && t->fskip > 0) {
					t->fskip--;
					break;
				}
			}
			t->fskip = 0;
			if (top || bot)
				cur = top ? 0 : big;
			else
				page_rows(t, &cur, (long)edrec_nlines(s->ed), dir, pu || pd);
			if (cur >= (long)edrec_nlines(s->ed))
				cur = (long)edrec_nlines(s->ed) - 1;
			edrec_set_cur(s->ed, (size_t)cur);
			break;
		}
		case SC_VERSION: {
			long cur = (long)t->top;
			if (s->oldrec)
				page_rows(t, &cur, (long)rec_nfields(s->oldrec) + 1, dir, pu || pd || 1);
			t->top = (size_t)cur;
			break;
		}
		case SC_CONFLICT:
			if (s->merge) {
				if (top || bot)
					s->msel = top ? 0 : (long)s->merge->n - 1;
				else
					page_rows(t, &s->msel, (long)s->merge->n, dir, pu || pd);
			}
			break;
		case SC_HISTORY:
			if (top || bot)
				s->hsel = top ? 0 : (long)s->nhist - 1;
			else
				page_rows(t, &s->hsel, (long)s->nhist, dir, pu || pd);
			break;
		default: {
			long h = (long)t->helptop;
			if (top || bot)
				h = top ? 0 : big;
			else
				h += dir * ((pu || pd) ? area_rows() - 1 : 1);
			if (h < 0)
				h = 0;
			if (h > (long)t->ntext)
				h = (long)t->ntext;
			t->helptop = (size_t)h;
			break;
		}
		}
		return 0;
	}
	if (!strncmp(c, "line-", 5))
		return 0;
	set_status(t, _("not here"), 1);
	return 1;
}

/* Run a command line from a key or the : line. */
static void run_line(struct tui *t, const char *line)
{
	tsess *s = t->s;
	for (size_t i = 0; i < t->nmsgs; i++)
		free(t->msgs[i]);
	t->nmsgs = 0;
	/* a tall field's scroll lasts while Up and Down move in it; any
	 * other command (a delete, a move) may put another field there */
	if (strcmp(line, "up") && strcmp(line, "down") && strcmp(line, "cmdline"))
		t->fskip = 0;
	/* a pending field line is committed before commands that use the record */
	if (t->line_active) {
		char **argv;
		int argc = tcmd_split(line, &argv);
		const struct tcmd_entry *e = argc > 0 ? tcmd_find(argv[0]) : NULL;
		int commit = argc > 0 && strncmp(argv[0], "line-", 5) && strcmp(argv[0], "help") &&
		             strcmp(argv[0], "cmdline") && strcmp(argv[0], "redraw") &&
		             strcmp(argv[0], "suspend") && strcmp(argv[0], "back") &&
		             strcmp(argv[0], "input") &&
		             (!e || !(e->flags & TC_UI) || !strcmp(argv[0], "search-prompt"));
		if (argc > 0 && (!strcmp(argv[0], "save!") || !strcmp(argv[0], "quit!")))
			commit = strcmp(argv[0], "quit!") != 0;
		tcmd_free_argv(argc, argv);
		if (commit && finish_line(t) < 0)
			return;
	}
	int rc = tcmd_run(s, line);
	if (t->nmsgs > 1 && t->screen != SC_HELP) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < t->nmsgs; i++)
			sb_addf(&sb, "%s\n", t->msgs[i]);
		set_text(t, sb.buf);
		sb_release(&sb);
		if (t->screen != SC_MSG)
			t->back_screen = t->screen;
		t->screen = SC_MSG;
		t->search_focus = 0;
	}
	(void)rc;
}

static void cmdline_key(struct tui *t, int k)
{
	const char *c = keymap_lookup(t->s->km, KV_LINE, k);
	if (k == KEYC_ENTER) {
		char *line = ledit_get(&t->cmd);
		t->cmd_active = 0;
		if (*line) {
			t->hist = xrealloc(t->hist, (t->nhist + 1) * sizeof *t->hist);
			t->hist[t->nhist++] = xstrdup(line);
			set_status(t, "", 0);
			run_line(t, line);
		}
		free(line);
		return;
	}
	if (k == KEYC_ESCAPE || k == 7) {
		t->cmd_active = 0;
		return;
	}
	if (k == KEYC_UP || k == KEYC_DOWN) {
		if (k == KEYC_UP && t->hpos > 0)
			t->hpos--;
		else if (k == KEYC_DOWN && t->hpos < t->nhist)
			t->hpos++;
		ledit_set(&t->cmd, t->hpos < t->nhist ? t->hist[t->hpos] : "");
		return;
	}
	if (k == KEYC_TAB) {
		char *line = ledit_get(&t->cmd);
		size_t n = strlen(line);
		char **cand = tcmd_complete(t->s, line, n);
		size_t nc = 0;
		while (cand[nc])
			nc++;
		size_t ws = n;
		while (ws > 0 && line[ws - 1] != ' ')
			ws--;
		if (nc) {
			size_t cp = strlen(cand[0]);
			for (size_t i = 1; i < nc; i++) {
				size_t q = 0;
				while (q < cp && cand[i][q] == cand[0][q])
					q++;
				cp = q;
			}
			char *ins = xstrndup(cand[0] + (n - ws), cp > n - ws ? cp - (n - ws) : 0);
			ledit_end(&t->cmd);
			ledit_insert_str(&t->cmd, ins);
			if (nc == 1)
				ledit_insert(&t->cmd, ' ');
			free(ins);
			if (nc > 1) {
				strbuf sb = STRBUF_INIT;
				for (size_t i = 0; i < nc; i++)
					sb_addf(&sb, "%s ", cand[i]);
				/* shown above the : line */
				set_status(t, sb.buf, 0);
				sb_release(&sb);
			}
		} else
			beep();
		tcmd_free_list(cand);
		free(line);
		return;
	}
	if (c && line_cmd(&t->cmd, c))
		return;
	if (k >= 0x20 && k < KEYC_BASE)
		ledit_insert(&t->cmd, (wchar_t)k);
}

static void handle_key(struct tui *t, int k)
{
	tsess *s = t->s;
	if (k == KEYC_RESIZE)
		return;
	if (t->small) {
		if (k == 17 || k == KEYC_F(10) || k == (KEYC_META | '0'))
			run_line(t, "quit");
		else
			beep();      /* not taken: the screen says why */
		return;
	}
	if (t->cmd_active) {
		cmdline_key(t, k);
		return;
	}
	int view = screen_view(t);
	const char *c = keymap_lookup(s->km, view, k);
	if (view == KV_LINE && t->line_cancel_warned && (!c || strcmp(c, "line-cancel"))) {
		t->line_cancel_warned = 0;       /* typing goes on: the warning goes */
		set_status(t, "", 0);
	}
	if (!c && (k & KEYC_META) && k != (KEYC_META | KEYC_ESCAPE)) {
		/* an unbound ESC-key pair: Escape, then the key on its own */
		handle_key(t, KEYC_ESCAPE);
		handle_key(t, k & ~KEYC_META);
		return;
	}
	/* the last query stays selected through the input method's
	 * toggles (C-t, F8, M-8): the typing that follows replaces it */
	if (view == KV_SEARCH && t->search_sel && !(c && !strncmp(c, "input", 5))) {
		t->search_sel = 0;
		if ((!c && k >= 0x20 && k < KEYC_BASE) ||
		    (!c && (c = keymap_lookup(s->km, KV_LINE, k)) &&
		     (!strcmp(c, "line-backspace") || !strcmp(c, "line-delete")))) {
			ledit_set(&t->search, "");
			if (c)
				return;
		}
		c = keymap_lookup(s->km, view, k);
	}
	if (view == KV_SEARCH && (k == ':' || k == '?') && !c && t->search.len == 0) {
		/* neither can start a query (a leading '?' would be left
		 * truncation): on an empty search line ':' opens the command
		 * line (':new', ':set lang vi') and '?' the help, as the
		 * welcome says; after a term '?' is typed (truncation) */
		run_line(t, k == ':' ? "cmdline" : "help");
		return;
	}
	if (view == KV_SEARCH || view == KV_LINE) {
		ledit *le = view == KV_SEARCH ? &t->search : &t->line;
		if (!c && view == KV_SEARCH)
			c = keymap_lookup(s->km, KV_LINE, k);
		if (c && line_cmd(le, c))
			return;
		if (!c) {
			if (k >= 0x20 && k < KEYC_BASE)
				type_char(t, le, k);
			return;
		}
	}
	if (!c) {
		if (t->screen == SC_EDIT && k >= 0x20 && k < KEYC_BASE)
			set_status(t, _("Enter or e edits the field; f the fixed fields; F1 lists the keys"), 0);
		return;
	}
	if (t->status_err || t->status[0])
		set_status(t, "", 0);
	run_line(t, c);
}

/* ---------------------------------------------------------------- */

int tui_main(const char *db, const char *first_cmd)
{
	struct tui t;
	memset(&t, 0, sizeof t);
	g_tui = &t;
	struct tfront fe = { &t, fe_out, fe_err, fe_confirm, fe_event, fe_ui };
	t.s = tsess_create(&fe);
	ledit_init(&t.search);
	ledit_init(&t.line);
	ledit_init(&t.cmd);
	vnime_init(&t.ime, VNIME_OFF);
	char *cfg = keys_config_path();
	/* config errors are shown on the first screen */
	tsess_load_config(t.s, cfg);
	free(cfg);
	int rc = 0;
	if (tsess_open_catalog(t.s, db, 0) != 0) {
		for (size_t i = 0; i < t.nmsgs; i++)
			fprintf(stderr, "bienmuc: %s\n", t.msgs[i]);
		rc = 2;
		goto out;
	}
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, _("bienmuc: the workstation needs a terminal (use 'bienmuc shell' for scripts)\n"));
		rc = 2;
		goto out;
	}
	signal(SIGSEGV, fatal_signal);
	signal(SIGBUS, fatal_signal);
	signal(SIGFPE, fatal_signal);
	signal(SIGILL, fatal_signal);
	signal(SIGABRT, fatal_signal);
	signal(SIGTERM, fatal_signal);
	signal(SIGHUP, fatal_signal);
	atexit(restore_terminal);
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "bienmuc: cannot start the terminal (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		rc = 2;
		goto out;
	}
	curses_on = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	define_extra_keys();
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		has_col = 1;
		init_pair(UC_TAG, COLOR_BLUE, -1);
		init_pair(UC_IND, COLOR_MAGENTA, -1);
		init_pair(UC_CODE, COLOR_RED, -1);
		init_pair(UC_ERROR, COLOR_RED, -1);
		init_pair(UC_WARN, COLOR_YELLOW, -1);
		init_pair(UC_DIM, COLOR_CYAN, -1);
	}
	t.screen = SC_LIST;
	t.search_focus = 1;
	if (t.nmsgs) {
		/* config errors: show them */
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < t.nmsgs; i++)
			sb_addf(&sb, "%s\n", t.msgs[i]);
		set_text(&t, sb.buf);
		sb_release(&sb);
		t.back_screen = SC_LIST;
		t.screen = SC_MSG;
	} else
		set_status(&t, _("Welcome. Type a search, then Enter; :new for a new record; F1 (Esc 1, ?) help."), 0);
	if (first_cmd)
		run_line(&t, first_cmd);
	while (!t.quit) {
		draw(&t);
		int k = read_key(&t);
		handle_key(&t, k);
	}
	restore_terminal();
out:
	rc = rc ? rc : 0;
	tzs_cleanup();
	tsess_destroy(t.s);
	ledit_free(&t.search);
	ledit_free(&t.line);
	free(t.line_orig);
	ledit_free(&t.cmd);
	for (size_t i = 0; i < t.nhist; i++)
		free(t.hist[i]);
	free(t.hist);
	for (size_t i = 0; i < t.nmsgs; i++)
		free(t.msgs[i]);
	free(t.msgs);
	set_text(&t, "");
	g_tui = NULL;
	return rc;
}
