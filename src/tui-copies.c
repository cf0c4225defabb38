/*
 * tui-copies.c - the copies panel, the shelf list and the copy
 * cataloguing results list of the workstation (see tui-copies.h). Modal
 * screens like the authority lookup (tui-auth.c): they draw the whole
 * screen and read keys through the host. The catalogue work is in
 * tcmd-copies.c (tcopies.h) and tcmd-zsearch.c (tzsearch.h).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>

#include "tui-copies.h"
#include "tcopies.h"
#include "tzsearch.h"
#include "zclient.h"
#include "store-cli.h"
#include "edit.h"
#include "keys.h"
#include "i18n.h"

/* ---------------------------------------------------------------- */
/* drawing */

static int put(int y, int x, const char *s, int cells, attr_t a)
{
	size_t n;
	if (cells <= 0 || !s)
		return 0;
	wchar_t *w = edit_wcs_from_utf8(s, &n);
	if (!w)
		return 0;
	attrset(a);
	move(y, x);
	int used = 0;
	for (size_t i = 0; i < n; i++) {
		int cw = edit_wcwidth(w[i]);
		if (used + cw > cells)
			break;
		cchar_t cc;
		wchar_t one[2] = { w[i], 0 };
		setcchar(&cc, one, a, 0, NULL);
		add_wch(&cc);
		used += cw;
	}
	attrset(A_NORMAL);
	free(w);
	return used;
}

static void row(int y, attr_t a)
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

static void title_bar(const char *what, const char *right)
{
	char buf[1024];
	snprintf(buf, sizeof buf, " bienmuc | %s", what);
	row(0, A_REVERSE);
	put(0, 0, buf, COLS - 2, A_REVERSE);
	if (right && *right) {
		int w = (int)edit_str_cells(right);
		put(0, COLS - w - 1, right, w, A_REVERSE);
	}
}

static void help_bar(const char *text)
{
	row(LINES - 2, A_REVERSE);
	put(LINES - 2, 0, text, COLS, A_REVERSE);
}

static void note_line(const char *text, int err)
{
	row(LINES - 1, A_NORMAL);
	put(LINES - 1, 0, text, COLS, err ? A_BOLD : A_NORMAL);
}

static void keep_sel(size_t *sel, size_t *top, size_t n, int rows)
{
	if (*sel >= n)
		*sel = n ? n - 1 : 0;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)rows)
		*top = *sel - (size_t)rows + 1;
}

/* Movement keys shared by the lists; 1 when key was one. */
static int move_key(int key, size_t *sel, size_t n, int rows)
{
	if (key == KEYC_UP || key == 16 || key == 'k') {
		if (*sel > 0)
			(*sel)--;
	} else if (key == KEYC_DOWN || key == 14 || key == 'j') {
		if (*sel + 1 < n)
			(*sel)++;
	} else if (key == KEYC_PPAGE) {
		*sel = *sel > (size_t)rows ? *sel - (size_t)rows : 0;
	} else if (key == KEYC_NPAGE || key == ' ') {
		*sel = *sel + (size_t)rows < n ? *sel + (size_t)rows : n ? n - 1 : 0;
	} else if (key == KEYC_HOME) {
		*sel = 0;
	} else if (key == KEYC_END) {
		*sel = n ? n - 1 : 0;
	} else
		return 0;
	return 1;
}

static int is_back(int key)
{
	return key == KEYC_ESCAPE || key == 7 || key == 'q';
}

/* F10, M-0, C-q (the global map's quit keys) do what Esc does on these
 * screens: the program is left from the main screens only. A printable
 * key is typed or a command here, never taken for quit. */
static int is_quit(tsess *s, int key)
{
	if (key >= 0x20 && key < KEYC_BASE)
		return 0;
	const char *c = keymap_lookup(s->km, KV_GLOBAL, key);
	return c && !strcmp(c, "quit");
}

/* A one-line prompt on the last row: q, then the answer (starting as def).
 * Returns the answer (malloc'd) or NULL when left with Esc. */
static char *prompt(tsess *s, const struct tui_host *h, const char *q, const char *def)
{
	ledit le;
	ledit_init(&le);
	ledit_set(&le, def ? def : "");
	char *out = NULL;
	for (;;) {
		row(LINES - 1, A_NORMAL);
		int x = put(LINES - 1, 0, q, COLS / 2, A_BOLD);
		x++;
		size_t skip = 0;
		int avail = COLS - x - 1;
		while (ledit_cells(&le, skip, le.cur) >= (size_t)avail)
			skip = ledit_next_gc(&le, skip);
		attrset(A_UNDERLINE);
		if (le.len > skip)
			mvaddnwstr(LINES - 1, x, le.buf + skip, (int)(le.len - skip));
		attrset(A_NORMAL);
		move(LINES - 1, x + (int)ledit_cells(&le, skip, le.cur));
		curs_set(1);
		refresh();
		int key = h->read_key_in(h->ctx, -1);
		if (key == KEYC_ENTER) {
			out = ledit_get(&le);
			break;
		}
		if (key == KEYC_ESCAPE || key == 7 || is_quit(s, key))
			break;
		if (key == KEYC_LEFT || key == 2)
			ledit_left(&le);
		else if (key == KEYC_RIGHT || key == 6)
			ledit_right(&le);
		else if (key == KEYC_HOME || key == 1)
			ledit_home(&le);
		else if (key == KEYC_END || key == 5)
			ledit_end(&le);
		else if (key == KEYC_BSPACE)
			ledit_backspace(&le);
		else if (key == KEYC_DC || key == 4)
			ledit_delete(&le);
		else if (key == 11)
			ledit_kill_end(&le);
		else if (key == 21)
			ledit_kill_start(&le);
		else if (key >= 0x20 && key < KEYC_BASE)
			tui_ime_type(s, h->ime, &le, key);
	}
	ledit_free(&le);
	curs_set(0);
	return out;
}

static int yes(tsess *s, const struct tui_host *h, const char *q)
{
	note_line(q, 1);
	refresh();
	for (;;) {
		int k = h->read_key_in(h->ctx, -1);
		if (k == 'y' || k == 'Y' || k == 'c' || k == 'C')
			return 1;
		if (k == 'n' || k == 'N' || k == 'k' || k == 'K' || k == KEYC_ESCAPE || k == 7 ||
		    is_quit(s, k))
			return 0;
	}
}

/* ---------------------------------------------------------------- */
/* copies panel */

/* The copy form: Up/Down choose a field, Enter types its value, F2 / C-s
 * saves, Esc leaves. Returns 0 saved, 1 left. */
static int edit_copy(tsess *s, const struct tui_host *h, struct copy *cp, strbuf *note)
{
	size_t nf = 0, sel = 0;
	while (copy_fields[nf])
		nf++;
	char *orig = xstrdup(cp->accno);
	const char *msg = "";
	int rc = 1, changed = 0, warned = 0;
	for (;;) {
		erase();
		char head[256];
		snprintf(head, sizeof head, "%s %s", _("copy"), orig);
		title_bar(head, s->id);
		for (size_t i = 0; i < nf && (int)i + 2 < LINES - 2; i++) {
			attr_t a = i == sel ? A_REVERSE : A_NORMAL;
			row(2 + (int)i, a);
			put(2 + (int)i, 0, i == sel ? ">" : " ", 1, a);
			put(2 + (int)i, 2, copy_fields[i], 10, a | A_BOLD);
			put(2 + (int)i, 14, copy_get(cp, copy_fields[i]), COLS - 15, a);
		}
		help_bar(_(" Enter change the field  F2/C-s save  Esc back without saving"));
		note_line(msg, warned);
		curs_set(0);
		refresh();
		int key = h->read_key_in(h->ctx, -1);
		msg = "";
		if (key == KEYC_ESCAPE || key == 7 || key == 'q' || is_quit(s, key)) {
			if (!changed || warned)
				break;
			/* what was typed is not thrown away by one Esc (as in
			 * the workform and the fixed-field editor) */
			msg = _("Esc again leaves without saving the changes; F2 or C-s saves the copy");
			warned = 1;
			continue;
		}
		warned = 0;
		if (move_key(key, &sel, nf, (int)nf))
			continue;
		if (key == KEYC_ENTER || key == 'e') {
			char q[64];
			snprintf(q, sizeof q, "%s:", copy_fields[sel]);
			char *was = xstrdup(copy_get(cp, copy_fields[sel]));
			char *v = prompt(s, h, q, was);
			if (v && !strcmp(copy_fields[sel], "price") && strcmp(v, was) &&
			    !copy_has_control(v) && copy_price_check(v, NULL)) {
				/* the rule of bienmuc copy -p and the shell's price= */
				sb_reset(note);
				copy_price_check(v, note);
				msg = note->buf;
			} else if (v && copy_set(cp, copy_fields[sel], v))
				msg = _("not a valid value (status: available withdrawn lost repair; dates YYYY-MM-DD)");
			else if (v && strcmp(was, copy_get(cp, copy_fields[sel])))
				changed = 1;
			free(was);
			free(v);
		} else if (key == KEYC_F(2) || key == (KEYC_META | '2') || key == 19) {
			strbuf err = STRBUF_INIT;
			if (copies_update(s->cat, orig, cp, "edit", &err)) {
				sb_reset(note);
				sb_addf(note, "copies: %s", err.buf ? err.buf : "");
				sb_release(&err);
				msg = note->buf;
				continue;
			}
			sb_release(&err);
			sb_reset(note);
			sb_addf(note, _("copy %s saved"), cp->accno);
			rc = 0;
			break;
		}
	}
	free(orig);
	return rc;
}

static void add_copies(tsess *s, const struct tui_host *h, strbuf *note, int *err)
{
	sb_reset(note);
	*err = 0;
	char *num = prompt(s, h, _("How many copies:"), "1");
	if (!num)
		return;
	int n = 0;
	strbuf e = STRBUF_INIT;
	int bad = copies_count_parse(num, &n, &e);
	free(num);
	if (bad) {              /* the limit of copy add -n and the shell's copies add */
		sb_addf(note, "copies: %s", e.buf);
		sb_release(&e);
		*err = 1;
		return;
	}
	sb_release(&e);
	static char *last_branch, *last_location;
	char *defb = last_branch ? xstrdup(last_branch) : catalog_get_setting(s->cat, "branch");
	if (!defb)
		defb = catalog_get_setting(s->cat, "org_code");
	char *branch = prompt(s, h, _("Branch (library code):"), defb ? defb : "");
	free(defb);
	if (!branch)
		return;
	char *loc = prompt(s, h, _("Shelf / location:"), last_location ? last_location : "");
	if (!loc) {
		free(branch);
		return;
	}
	char *next = tcopies_next_accno(s, branch);
	char q[128];
	snprintf(q, sizeof q, n > 1 ? _("First accession number (then +1 each):") :
	         _("Accession number:"));
	char *first = prompt(s, h, q, next);
	if (first) {
		/* the number offered: let copies_add take the next free ones */
		const char *use = strcmp(first, next) ? first : "";
		if (tcopies_add(s, n, use, branch, loc, note))
			*err = 1;
		free(last_branch);
		free(last_location);
		last_branch = xstrdup(branch);
		last_location = xstrdup(loc);
	}
	free(first);
	free(next);
	free(branch);
	free(loc);
}

int tui_copies_panel(tsess *s, const struct tui_host *h)
{
	struct copy *cp = NULL;
	size_t n = 0, sel = 0, top = 0;
	int reload = 1, err = 0;
	strbuf note = STRBUF_INIT;
	for (;;) {
		int rows = LINES - 7;
		if (rows < 3)
			rows = 3;
		if (reload) {
			copies_free(cp, n);
			cp = NULL;
			n = 0;
			strbuf e = STRBUF_INIT;
			if (copies_list(s->cat, s->id, &cp, &n, &e)) {
				sb_reset(&note);
				sb_addf(&note, "copies: %s", e.buf ? e.buf : "");
				err = 1;
			}
			sb_release(&e);
			reload = 0;
		}
		keep_sel(&sel, &top, n, rows);
		erase();
		char head[256];
		snprintf(head, sizeof head, "%s", _("copies"));
		title_bar(head, s->id);
		struct cat_summary sum;
		cat_summary_of(edrec_rec(s->ed), &sum);
		char line[1024];
		snprintf(line, sizeof line, "%s%s%s", sum.title, *sum.author ? " / " : "", sum.author);
		put(1, 0, line, COLS, A_BOLD);
		cat_summaries_free(&sum, 1);
		char *tcn = tcopies_title_callno(s), *sug = tcopies_suggest(s);
		snprintf(line, sizeof line, _("Call number: %s   (suggested: %s)"), *tcn ? tcn : "-",
		         *sug ? sug : "-");
		put(2, 0, line, COLS, A_NORMAL);
		snprintf(line, sizeof line, "  %-14s %-11s %-16s %-20s %s", _("Accession"), _("Branch"),
		         _("Shelf"), _("Call number"), _("Status"));
		row(3, A_NORMAL);
		put(3, 0, line, COLS, A_BOLD);
		for (int i = 0; i < rows; i++) {
			size_t j = top + (size_t)i;
			if (j >= n)
				break;
			attr_t a = j == sel ? A_REVERSE : A_NORMAL;
			row(4 + i, a);
			put(4 + i, 0, j == sel ? ">" : " ", 1, a);
			put(4 + i, 2, cp[j].accno, 14, a);
			put(4 + i, 17, cp[j].branch, 11, a);
			put(4 + i, 29, cp[j].location, 16, a);
			put(4 + i, 46, *cp[j].callno ? cp[j].callno : tcn, 20, a);
			put(4 + i, 67, cp[j].status, COLS - 67, a | (strcmp(cp[j].status, COPY_AVAILABLE) ? A_DIM : 0));
		}
		if (!n)
			put(4, 2, _("(no copies yet: a adds them)"), COLS - 4, A_NORMAL);
		free(tcn);
		free(sug);
		help_bar(_(" a add  e/Enter edit  w withdraw  c call number  Esc back"));
		note_line(note.buf ? note.buf : "", err);
		curs_set(0);
		refresh();
		int key = h->read_key_in(h->ctx, -1);
		if (key == KEYC_RESIZE)
			continue;
		sb_reset(&note);
		err = 0;
		if (is_back(key) || is_quit(s, key))
			break;
		if (move_key(key, &sel, n, rows))
			continue;
		if (key == 'a' || key == KEYC_IC) {
			add_copies(s, h, &note, &err);
			if (!err && note.len) {
				reload = 1;
				sel = n + 1000;   /* to the new ones at the end */
			}
		} else if ((key == 'e' || key == KEYC_ENTER) && n) {
			struct copy c;
			memset(&c, 0, sizeof c);
			strbuf e = STRBUF_INIT;
			if (copies_get(s->cat, cp[sel].accno, &c, &e) == CAT_OK)
				edit_copy(s, h, &c, &note);
			else
				sb_addf(&note, "copies: %s", e.buf ? e.buf : "");
			sb_release(&e);
			copy_clear(&c);
			reload = 1;
		} else if ((key == 'w' || key == KEYC_DC) && n) {
			char q[256];
			snprintf(q, sizeof q, _("Withdraw copy %s? (y/n)"), cp[sel].accno);
			if (yes(s, h, q)) {
				if (tcopies_withdraw(s, cp[sel].accno, &note))
					err = 1;
				reload = 1;
			}
		} else if (key == 'c') {
			char *cur = tcopies_title_callno(s);
			if (!*cur) {
				free(cur);
				cur = tcopies_suggest(s);
			}
			char *v = prompt(s, h, _("Call number (class mark):"), cur);
			if (v) {
				tcopies_set_callno(s, v);
				sb_addf(&note, _("call number %s (090); :save keeps it"), *v ? v : "-");
			}
			free(v);
			free(cur);
		}
	}
	if (note.len)
		tsess_out(s, "%s", note.buf);
	copies_free(cp, n);
	sb_release(&note);
	curs_set(1);
	return 0;
}

/* ---------------------------------------------------------------- */
/* shelf list */

/* Up (by, 1) or PgUp (by, a page) on the first call number read: the n
 * call numbers before `at` (the first read, or what was typed when none
 * was found), if any: from is set to the first of them and *sel to the
 * one to select once the list is read from there. 1 when there were
 * some; 0 at the start of the index (or for a catalogue that cannot look
 * back). */
static int shelf_back(tsess *s, const char *at, size_t by, size_t n, strbuf *from, size_t *sel)
{
	struct cat_heading *bh = NULL;
	size_t nb = 0;
	int moved = 0;
	strbuf err = STRBUF_INIT;       /* not said: Up at the top stays put */
	if (at && *at &&
	    catalog_browse_before(s->cat, "callno", at, n, &bh, &nb, &err) == CAT_OK && nb) {
		char *first = xstrdup(bh[0].heading);
		sb_reset(from);
		sb_adds(from, first);
		free(first);
		*sel = nb > by ? nb - by : 0;
		moved = 1;
	}
	cat_headings_free(bh, nb);
	sb_release(&err);
	return moved;
}

int tui_shelf(tsess *s, const char *from0, const struct tui_host *h)
{
	strbuf from = STRBUF_INIT;
	sb_adds(&from, from0 ? from0 : "");
	struct cat_heading *hd = NULL;
	size_t nh = 0, sel = 0, top = 0;
	struct cat_summary *sum = NULL;
	int reload = 1, rc = 1;
	size_t want_sel = 0;            /* sel after a reload */
	strbuf note = STRBUF_INIT;
	for (;;) {
		int rows = LINES - 5;
		if (rows < 3)
			rows = 3;
		if (reload) {
			cat_headings_free(hd, nh);
			cat_summaries_free(sum, nh);
			free(sum);
			hd = NULL;
			sum = NULL;
			nh = 0;
			strbuf e = STRBUF_INIT;
			if (catalog_browse(s->cat, "callno", from.buf ? from.buf : "", (size_t)rows * 4, &hd, &nh, &e)) {
				sb_reset(&note);
				sb_addf(&note, "shelf: %s", e.buf ? e.buf : "");
			}
			sum = xcalloc(nh + 1, sizeof *sum);
			char **ids = xcalloc(nh + 1, sizeof *ids);
			for (size_t i = 0; i < nh; i++)
				ids[i] = hd[i].id ? hd[i].id : (char *)"";
			if (nh)
				catalog_summaries(s->cat, ids, nh, sum, NULL);
			free(ids);
			sb_release(&e);
			sel = want_sel < nh ? want_sel : 0;
			top = sel;
			want_sel = 0;
			reload = 0;
		}
		keep_sel(&sel, &top, nh, rows);
		erase();
		char head[512];
		snprintf(head, sizeof head, "%s: %s", _("shelf list (call number order)"), from.buf ? from.buf : "");
		title_bar(head, NULL);
		char line[1024];
		snprintf(line, sizeof line, "  %-22s %5s  %s", _("Call number"), "#", _("Title / author"));
		row(1, A_NORMAL);
		put(1, 0, line, COLS, A_BOLD);
		for (int i = 0; i < rows; i++) {
			size_t j = top + (size_t)i;
			if (j >= nh)
				break;
			attr_t a = j == sel ? A_REVERSE : A_NORMAL;
			row(2 + i, a);
			put(2 + i, 0, j == sel ? ">" : " ", 1, a);
			snprintf(line, sizeof line, "%-22s %5ld  %s%s%s", hd[j].heading, hd[j].count,
			         sum[j].title ? sum[j].title : "", sum[j].author && *sum[j].author ? " / " : "",
			         sum[j].author ? sum[j].author : "");
			put(2 + i, 2, line, COLS - 2, a);
		}
		if (!nh)
			put(2, 2, _("(no call numbers from here on)"), COLS - 4, A_NORMAL);
		help_bar(_(" Enter open the record  type to move  Up/Down PgUp/PgDn  Esc back"));
		note_line(note.buf ? note.buf : "", 0);
		curs_set(0);
		refresh();
		int key = h->read_key_in(h->ctx, -1);
		if (key == KEYC_RESIZE)
			continue;
		if (key == KEYC_ESCAPE || key == 7 || is_quit(s, key))
			break;
		if ((key == KEYC_UP || key == 16 || key == KEYC_PPAGE) && sel == 0 &&
		    shelf_back(s, nh ? hd[0].heading : from.buf, key == KEYC_PPAGE ? (size_t)rows : 1,
		               (size_t)rows, &from, &want_sel)) {
			reload = 1;         /* before the first one read: read from earlier */
			continue;
		}
		if (move_key(key == 'j' || key == 'k' || key == ' ' ? 0 : key, &sel, nh, rows)) {
			if (sel + 1 >= nh && nh && (key == KEYC_DOWN || key == KEYC_NPAGE) && nh >= (size_t)rows * 4) {
				/* at the end of what was read: read on from here */
				sb_reset(&from);
				sb_adds(&from, hd[sel].heading);
				reload = 1;
			}
			continue;
		}
		if (key == KEYC_ENTER && nh && hd[sel].id) {
			char cmd[200];
			snprintf(cmd, sizeof cmd, "open id=%s", hd[sel].id);
			if (tcmd_run(s, cmd) == 0) {
				rc = 0;
				break;
			}
		} else if (key == KEYC_BSPACE) {
			while (from.len && ((unsigned char)from.buf[from.len - 1] & 0xC0) == 0x80)
				from.len--;
			if (from.len)
				from.len--;
			if (from.buf)
				from.buf[from.len] = 0;
			reload = 1;
		} else if (key >= 0x20 && key < KEYC_BASE) {
			char u[8];
			mbstate_t ps;
			memset(&ps, 0, sizeof ps);
			size_t k = wcrtomb(u, (wchar_t)key, &ps);
			if (k != (size_t)-1) {
				sb_add(&from, u, k);
				reload = 1;
			}
		}
	}
	cat_headings_free(hd, nh);
	cat_summaries_free(sum, nh);
	free(sum);
	sb_release(&from);
	sb_release(&note);
	curs_set(1);
	return rc;
}

/* ---------------------------------------------------------------- */
/* copy cataloguing results */

struct zview {
	tsess *s;
	size_t sel, top;
	const char *note;
};

static void zdraw(void *arg)
{
	struct zview *v = arg;
	zsearch *zs = tzs_current();
	erase();
	title_bar(_("copy cataloguing (Z39.50/SRU)"), tzs_active() ? _("searching…") : _("done"));
	size_t nt = zs ? zsearch_ntargets(zs) : 0;
	int y = 1;
	for (size_t i = 0; i < nt && y < LINES / 2; i++, y++) {
		const struct zt_status *st = zsearch_status(zs, i);
		char line[1024];
		switch (st->state) {
		case ZS_DONE:
			snprintf(line, sizeof line, ngettext("  %-16s %ld hit, %zu received (%.1f s)",
			                                     "  %-16s %ld hits, %zu received (%.1f s)",
			                                     (unsigned long)st->hits),
			         st->name, st->hits, st->nrecords, st->seconds);
			break;
		case ZS_TIMEOUT:
			snprintf(line, sizeof line, _("  %-16s timeout: %s"), st->name, st->error ? st->error : "");
			break;
		case ZS_ERROR:
			snprintf(line, sizeof line, _("  %-16s error: %s"), st->name, st->error ? st->error : "");
			break;
		default:
			snprintf(line, sizeof line, _("  %-16s searching…"), st->name);
			break;
		}
		row(y, A_NORMAL);
		put(y, 0, line, COLS, st->state == ZS_DONE ? A_NORMAL : st->state == ZS_CONNECTING ? A_DIM : A_BOLD);
	}
	size_t n = zs ? zsearch_nrecords(zs) : 0;
	row(y, A_NORMAL);
	char line[1024];
	snprintf(line, sizeof line, "  %4s  %-12s %s", "#", _("Target"), _("Title / author  year"));
	put(y, 0, line, COLS, A_BOLD);
	y++;
	int rows = LINES - 2 - y;
	if (rows < 1)
		rows = 1;
	keep_sel(&v->sel, &v->top, n, rows);
	for (int i = 0; i < rows; i++) {
		size_t j = v->top + (size_t)i;
		if (j >= n)
			break;
		const struct zrecord *zr = zsearch_record(zs, j);
		struct brief b;
		cli_brief(zr->r, &b);
		snprintf(line, sizeof line, "%4zu  %-12.12s %s%s%s  %s", j + 1, zsearch_status(zs, zr->target)->name,
		         b.title, *b.author ? " / " : "", b.author, b.year);
		cli_brief_release(&b);
		attr_t a = j == v->sel ? A_REVERSE : A_NORMAL;
		row(y + i, a);
		put(y + i, 0, j == v->sel ? ">" : " ", 1, a);
		put(y + i, 2, line, COLS - 2, a);
	}
	if (!n)
		put(y, 2, tzs_active() ? _("(waiting for the targets)") : _("(no records)"), COLS - 4, A_DIM);
	help_bar(_(" Enter open as a new record  i import  Up/Down PgUp/PgDn  Esc back"));
	note_line(v->note ? v->note : "", 0);
	curs_set(0);
	refresh();
}

int tui_zresults(tsess *s, const struct tui_host *h)
{
	struct zview v = { s, 0, 0, "" };
	int rc = 1;
	if (!tzs_current()) {
		tsess_err(s, _("zresults: no copy cataloguing search yet (:zsearch QUERY)"));
		return 2;
	}
	tui_set_modal_redraw(zdraw, &v);
	for (;;) {
		zdraw(&v);
		int key = h->read_key_in(h->ctx, -1);
		zsearch *zs = tzs_current();          /* records came in meanwhile */
		size_t n = zs ? zsearch_nrecords(zs) : 0;
		v.note = "";
		if (key == KEYC_RESIZE)
			continue;
		if (is_back(key) || is_quit(s, key))
			break;
		if (move_key(key, &v.sel, n, LINES / 2 - 2))
			continue;
		if ((key == KEYC_ENTER || key == 'i') && n) {
			char cmd[64];
			snprintf(cmd, sizeof cmd, "zopen %zu", v.sel + 1);
			if (tcmd_run(s, cmd) != 0) {
				v.note = _("cannot open it (unsaved changes? :save or :zopen! N)");
				continue;
			}
			if (key == 'i')
				tcmd_run(s, "import");
			rc = 0;
			break;
		}
	}
	tui_set_modal_redraw(NULL, NULL);
	curs_set(1);
	return rc;
}
