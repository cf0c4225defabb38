/*
 * tui.h - the full-screen workstation (ncursesw). The screens are drawn
 * from the session (tcmd.h); every key runs a command line through the
 * key tables (keys.h). Curses is used only in tui*.c.
 */
#ifndef BIENMUC_TUI_H
#define BIENMUC_TUI_H

/* Run the workstation on catalogue `db` (NULL = the default catalogue).
 * Optional first command line (e.g. a search). Returns an exit status:
 * 0 normal, 2 if the catalogue or the terminal cannot be opened. */
int tui_main(const char *db, const char *first_cmd);

#endif
