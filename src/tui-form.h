/*
 * tui-form.h - the workstation's form menu, fill-in workform screen and
 * fixed-field editor (curses, tui-form.c). They run as modal screens
 * inside tui.c's session: keys come through the host's reader and are
 * looked up in the "form" and "fixed" key tables (keys.h); the results go
 * back into the session (tsess_set_new, tsess_fixed_apply).
 */
#ifndef BIENMUC_TUI_FORM_H
#define BIENMUC_TUI_FORM_H

#include "tcmd.h"
#include "edit.h"
#include "vnime.h"

struct tui_host {
	void *ctx;
	int (*read_key)(void *ctx);     /* next key (keys.h codes) */
	vnime *ime;                     /* the input method state */
	/* the next key for a screen of keymap view `view` (keys.h KV_*; -1
	 * for screens with fixed keys): an Esc-key pair that is not bound
	 * there comes as Escape, then the key */
	int (*read_key_in)(void *ctx, int view);
};

/* The form menu: returns the chosen form name (malloc'd; "empty" for an
 * empty record, "copy" for a copy of the open record), NULL if left. */
char *tui_form_menu(tsess *s, const struct tui_host *h);
/* Fill in workform `name`; on done the record opens in the editor
 * (tsess_set_new). Returns 0 done, 1 cancelled, 2 error (reported). */
int tui_form_fill(tsess *s, const char *name, const struct tui_host *h);
/* The fixed-field editor for editor line `line` (0: the leader alone;
 * else the leader with that 006/007/008). Returns 0 applied, 1 left. */
int tui_fixed_edit(tsess *s, long line, const struct tui_host *h);

/* Type key into le through the input method of the session's options
 * (s->opt.input, tone style): the word before the cursor is handed to
 * vnime_key(); the word starts after any non-letter ("ti=", "(", a
 * blank), or after a "$c" subfield code, which is never touched. Plain insert when the method is off. */
void tui_ime_type(tsess *s, vnime *ime, ledit *le, int key);
/* " Telex " / " VNI " or "" for the status line. */
const char *tui_ime_label(const tsess *s);

#endif
