/*
 * tui-copies.h - modal screens of the workstation (curses, tui-copies.c):
 * the copies panel of the record under edit, the shelf list (call numbers
 * in shelf order) and the copy cataloguing results list. Keys come
 * through the host's reader (tui-form.h); each screen returns when left.
 * On all three (and the copy form, prompts and questions in the panel)
 * the quit keys F10, M-0 and C-q do what Esc does: the program is left
 * from the main screens only.
 */
#ifndef BIENMUC_TUI_COPIES_H
#define BIENMUC_TUI_COPIES_H

#include "tcmd.h"
#include "tui-form.h"

/* The copies panel: the record's call number and its copies; a add
 * copies (several at once, consecutive numbers from the next free one),
 * e/Enter edit the selected copy, w withdraw it, c set the call number.
 * Returns 0 (left with Esc). */
int tui_copies_panel(tsess *s, const struct tui_host *h);
/* Call numbers in shelf order from `from`; Enter opens the record
 * (returns 0), Esc returns 1. */
int tui_shelf(tsess *s, const char *from, const struct tui_host *h);
/* The results of the running / last :zsearch, per-target status lines
 * updated as targets answer; Enter opens a result in the editor as a new
 * record (returns 0), i opens and imports it, Esc returns 1. */
int tui_zresults(tsess *s, const struct tui_host *h);

/* Implemented by tui.c: while fn is set, the reader redraws with fn(arg)
 * (instead of the main screens) when copy cataloguing answers arrive. */
void tui_set_modal_redraw(void (*fn)(void *arg), void *arg);

#endif
