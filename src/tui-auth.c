/*
 * tui-auth.c - the authority lookup screen of the workstation (see
 * tui-auth.h). Modal, like the form menu: keys come through the host's
 * reader. Keys: Up/Down/PgUp/PgDn move, typing refines the heading the
 * list is positioned at (BSpace deletes), Enter chooses, Insert (or C-o)
 * creates a new authority from the heading, Esc leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>

#include "tui-auth.h"
#include "auth.h"
#include "edit.h"
#include "keys.h"
#include "i18n.h"

/* The heading type in the title bar, in the interface language
 * (auth_type_name is the command line's word for it). */
static const char *type_label(int type)
{
	static const char *const label[AT_COUNT] = {
		/* TRANSLATORS: heading types of the lookup's title bar */
		N_("person"), N_("corporate"), N_("meeting"), N_("title"),
		N_("topical"), N_("geographic"), N_("genre"),
	};
	return type >= 0 && type < AT_COUNT ? _(label[type]) : auth_type_name(type);
}

static void put(int y, int x, const char *s, int cells, attr_t a)
{
	size_t n;
	wchar_t *w = edit_wcs_from_utf8(s, &n);
	if (!w)
		return;
	attrset(a);
	move(y, x);
	int used = 0;
	for (size_t i = 0; i < n; i++) {
		int cw = wcwidth(w[i]);
		if (cw < 0)
			cw = 1;
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

/* The heading type of field f of r (bib or authority 5XX), or -1. */
static int field_type(const rec *r, size_t f)
{
	if (auth_is_authority(r)) {
		int kind = 0;
		int t = auth_auth_type(rec_tag(r, f), &kind);
		return kind == AK_SEEALSO ? t : -1;
	}
	return auth_bib_type(rec_tag(r, f));
}

static void hit_text(const struct auth_hit *h, char *buf, size_t n)
{
	if (h->kind == AK_AUTH)
		snprintf(buf, n, "%s  %s", h->tag, h->heading);
	else if (h->kind == AK_SEEFROM)
		snprintf(buf, n, "%s  %s → xem %s", h->tag, h->heading, h->auth_heading);
	else
		snprintf(buf, n, "%s  %s: xem thêm %s", h->tag, h->auth_heading, h->heading);
}

/* A new authority record from heading field f of r (type t), saved. */
static int create_authority(tsess *s, const rec *r, size_t f, int t, char **id, strbuf *err)
{
	char *org = catalog_get_setting(s->cat, "org_code");
	/* the heading as typed, inside the record being edited: its 245 and
	 * 008 make the 670 citation */
	rec *ctx = s->ed ? rec_clone(edrec_rec(s->ed)) : rec_create();
	size_t g = rec_add_field(ctx, rec_tag(r, f), rec_ind(r, f, 1), rec_ind(r, f, 2));
	for (size_t i = 0; i < rec_nsub(r, f); i++) {
		size_t n;
		const char *v = rec_sub_value(r, f, i, &n);
		rec_add_sub(ctx, g, rec_sub_code(r, f, i), v, n);
	}
	rec *a = auth_new_from_heading(ctx, g, t, org, err);
	rec_destroy(ctx);
	free(org);
	if (!a)
		return -1;
	int rc = catalog_save(s->cat, a, CAT_NEW, NULL, NULL, err);
	if (!rc)
		*id = xstrdup(rec_get_control(a, "001"));
	rec_destroy(a);
	return rc;
}

/* The heading field for a new authority when the heading was retyped in
 * the lookup (typed differs from the field's own heading, shown as
 * `shown`): field f of r with its $a replaced by the typed text. Only
 * when the field's heading is its $a alone (no dates, numeration ...
 * that the typed text would have to be split into); else NULL. */
static rec *typed_heading(const rec *r, size_t f, int type, const char *shown, const char *typed)
{
	rec *only_a = rec_create();
	size_t g = rec_add_field(only_a, rec_tag(r, f), rec_ind(r, f, 1), rec_ind(r, f, 2));
	long as = rec_find_sub(r, f, 'a');
	if (as >= 0) {
		size_t n;
		const char *v = rec_sub_value(r, f, (size_t)as, &n);
		rec_add_sub(only_a, g, 'a', v, n);
	}
	struct auth_keys k;
	int alone;
	if (as < 0)
		alone = !*shown;
	else if (auth_field_keys(only_a, g, type, &k))
		alone = 0;
	else {
		alone = !strcmp(k.display, shown);
		auth_keys_release(&k);
	}
	rec_destroy(only_a);
	if (!alone)
		return NULL;
	rec *out = rec_create();
	g = rec_add_field(out, rec_tag(r, f), rec_ind(r, f, 1), rec_ind(r, f, 2));
	size_t tl = strlen(typed);
	while (tl && typed[tl - 1] == ' ')
		tl--;                               /* "Lưu Quang Vũ " typed on */
	rec_add_sub(out, g, 'a', typed, tl);
	for (size_t i = 0; i < rec_nsub(r, f); i++) {
		if ((long)i == as)
			continue;
		size_t n;
		const char *v = rec_sub_value(r, f, i, &n);
		rec_add_sub(out, g, rec_sub_code(r, f, i), v, n);
	}
	return out;
}

/* Field f of r rewritten with authority `id`; the line text or NULL. */
static char *apply(tsess *s, rec *r, size_t f, const char *id, strbuf *msg)
{
	rec *a = rec_create();
	char *line = NULL;
	if (catalog_fetch(s->cat, id, a, NULL, msg) == CAT_OK) {
		char *ctl = auth_control_number(a);
		auth_apply_heading(r, f, a, ctl);
		line = edit_field_text(r, f);
		long af = rec_find(a, "1..", 0);
		char *h = af >= 0 ? rec_field_text(a, (size_t)af, NULL) : xstrdup("");
		sb_addf(msg, _("linked to %s %s"), ctl ? ctl : id, h);
		free(h);
		free(ctl);
	}
	rec_destroy(a);
	return line;
}

char *tui_auth_lookup(tsess *s, const char *line, const struct tui_host *h, strbuf *msg)
{
	if (!s->cat) {
		sb_adds(msg, _("lookup: no catalogue is open"));
		return NULL;
	}
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	if (!line || edit_parse_line(line, r, &err) != 0 || !rec_nfields(r)) {
		sb_addf(msg, _("lookup: not a heading field%s%s"), err.len ? ": " : "", err.len ? err.buf : "");
		sb_release(&err);
		rec_destroy(r);
		return NULL;
	}
	/* an authority record's 5XX: the editor's record tells */
	if (s->ed && auth_is_authority(edrec_rec(s->ed)))
		rec_set_leader_at(r, 6, 'z');
	size_t f = 0;
	int type = field_type(r, f);
	if (type < 0) {
		sb_addf(msg, _("lookup: %s is not a heading field (1XX 6XX 7XX 8XX; 5XX of an authority)"),
		        rec_tag(r, f));
		sb_release(&err);
		rec_destroy(r);
		return NULL;
	}
	strbuf from = STRBUF_INIT;
	struct auth_keys k;
	if (!auth_field_keys(r, f, type, &k)) {
		sb_adds(&from, k.display);
		auth_keys_release(&k);
	}
	char *shown = xstrdup(from.buf ? from.buf : "");   /* the field's heading */
	char *out = NULL;
	struct auth_hit *hits = NULL;
	size_t nh = 0, sel = 0, top = 0;
	int reload = 1, done = 0;
	const char *note = "";
	while (!done) {
		int rows = LINES - 5;
		if (rows < 3)
			rows = 3;
		if (reload) {
			auth_hits_free(hits, nh);
			size_t before = 0;
			sb_reset(&err);
			if (auth_browse(s->cat, type, from.buf ? from.buf : "", 3, (size_t)rows * 3, &hits,
			                &nh, &before, &err)) {
				sb_addf(msg, "lookup: %s", err.buf);
				break;
			}
			sel = before < nh ? before : nh ? nh - 1 : 0;
			top = sel > 3 ? sel - 3 : 0;
			reload = 0;
		}
		erase();
		char head[512];
		snprintf(head, sizeof head, " bienmuc | %s: %s | %s", _("authority lookup"),
		         type_label(type), from.buf ? from.buf : "");
		row(0, A_REVERSE);
		put(0, 0, head, COLS, A_REVERSE);
		if (sel < top)
			top = sel;
		if (sel >= top + (size_t)rows)
			top = sel - (size_t)rows + 1;
		for (int i = 0; i < rows; i++) {
			size_t j = top + (size_t)i;
			if (j >= nh)
				break;
			attr_t a = j == sel ? A_REVERSE : A_NORMAL;
			char buf[1024];
			hit_text(&hits[j], buf, sizeof buf);
			row(2 + i, a);
			put(2 + i, 0, j == sel ? ">" : " ", 1, a);
			put(2 + i, 2, buf, COLS - 15, a);
			put(2 + i, COLS - 12, hits[j].id, 12, a | A_DIM);
		}
		if (!nh)
			put(2, 2, _("(no authority headings of this type)"), COLS - 4, A_NORMAL);
		row(LINES - 2, A_REVERSE);
		put(LINES - 2, 0, _(" Enter choose  Ins/C-o new authority  type to move  Esc back"), COLS, A_REVERSE);
		row(LINES - 1, A_NORMAL);
		const char *ime = tui_ime_label(s);
		int iw = (int)strlen(ime);
		put(LINES - 1, 0, note, COLS - iw - 1, A_NORMAL);
		if (iw)
			put(LINES - 1, COLS - iw, ime, iw, A_REVERSE);
		curs_set(0);
		refresh();
		int key = h->read_key_in(h->ctx, -1);
		note = "";
		/* F10 / C-q (quit) leave the list as Esc does; the program is
		 * left from the main screens only */
		const char *qc = key < 0x20 || key >= KEYC_BASE ? keymap_lookup(s->km, KV_GLOBAL, key) : NULL;
		if (key == KEYC_ESCAPE || key == 7 || (qc && !strcmp(qc, "quit"))) {
			sb_adds(msg, _("lookup: nothing chosen"));
			break;
		} else if (key == KEYC_UP || key == 16) {
			if (sel > 0)
				sel--;
		} else if (key == KEYC_DOWN || key == 14) {
			if (sel + 1 < nh)
				sel++;
		} else if (key == KEYC_PPAGE) {
			sel = sel > (size_t)rows ? sel - (size_t)rows : 0;
		} else if (key == KEYC_NPAGE) {
			sel = sel + (size_t)rows < nh ? sel + (size_t)rows : nh ? nh - 1 : 0;
		} else if (key == KEYC_ENTER) {
			if (!nh)
				continue;
			/* a see-from or see-also gives its record's authorised form */
			out = apply(s, r, f, hits[sel].id, msg);
			done = 1;
		} else if (key == KEYC_IC || key == 15) {
			char *id = NULL;
			sb_reset(&err);
			/* the heading typed here, when it was changed, is the
			 * new authority's, not the field's older text */
			const char *typed = from.buf ? from.buf : "";
			rec *hr = NULL;
			if (strcmp(typed, shown)) {
				hr = *typed ? typed_heading(r, f, type, shown, typed) : NULL;
				if (!hr) {
					note = _("the heading has more than $a: type the new one in the field, then Insert");
					continue;
				}
			}
			int crc = create_authority(s, hr ? hr : r, hr ? 0 : f, type, &id, &err);
			rec_destroy(hr);
			if (crc) {
				note = _("cannot create the authority");
				sb_reset(msg);
				sb_addf(msg, "lookup: %s", err.buf);
				continue;
			}
			sb_addf(msg, _("new authority %s; "), id);
			out = apply(s, r, f, id, msg);
			free(id);
			done = 1;
		} else if (key == KEYC_BSPACE || key == 127 || key == 8) {
			/* back one character (UTF-8) */
			while (from.len && ((unsigned char)from.buf[from.len - 1] & 0xC0) == 0x80)
				from.len--;
			if (from.len)
				from.len--;
			if (from.buf)
				from.buf[from.len] = 0;
			reload = 1;
		} else if (key >= 0x20 && key < KEYC_BASE) {
			/* typed at the end of the heading, through the input
			 * method the field line had (Telex "Dieeuj" is Diệu) */
			ledit le;
			ledit_init(&le);
			ledit_set(&le, from.buf ? from.buf : "");
			ledit_end(&le);
			tui_ime_type(s, h->ime, &le, key);
			char *nw = ledit_get(&le);
			sb_reset(&from);
			sb_adds(&from, nw);
			free(nw);
			ledit_free(&le);
			reload = 1;
		} else if (key == KEYC_RESIZE) {
			continue;
		}
	}
	auth_hits_free(hits, nh);
	free(shown);
	sb_release(&from);
	sb_release(&err);
	rec_destroy(r);
	curs_set(1);
	return out;
}
