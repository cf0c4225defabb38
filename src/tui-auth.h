/*
 * tui-auth.h - the workstation's authority lookup (curses, tui-auth.c):
 * a modal browse list of authority headings positioned at the heading
 * being typed, in Vietnamese collation, with see-from ("→ xem") and
 * see-also ("xem thêm") references. Choosing one gives the field line
 * with the authorised heading and its $0; Insert creates a new authority
 * record from the typed heading and links the field to it.
 */
#ifndef BIENMUC_TUI_AUTH_H
#define BIENMUC_TUI_AUTH_H

#include "tcmd.h"
#include "tui-form.h"

/* line: the editor line of a heading field (1XX 6XX 7XX 8XX of a bib
 * record, 5XX of an authority record), as typed. Returns the new line
 * text (malloc'd) or NULL when nothing was chosen; msg gets a status
 * line either way (why not, or what was chosen). */
char *tui_auth_lookup(tsess *s, const char *line, const struct tui_host *h, strbuf *msg);

#endif
