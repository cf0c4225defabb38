/*
 * tcopies.h - copies, call numbers and the shelf list in the workstation
 * and the shell (tcmd-copies.c, free of curses): the :copies, :callno and
 * :shelf commands, and the small operations the copies panel and the
 * shelf screen of the full-screen front end (tui-copies.c) share with
 * them. Copies belong to the saved record under edit (s->id).
 */
#ifndef BIENMUC_TCOPIES_H
#define BIENMUC_TCOPIES_H

#include "tcmd.h"
#include "copies.h"

/* The command handlers (tcmd.c's table).
 *   copies [list | add [N] [FIELD=VALUE...] | edit ACCNO FIELD=VALUE... |
 *           withdraw ACCNO]   (no argument: the panel on a screen, the
 *                              list in the shell)
 *   callno [CALLNO]           set 090 of the record under edit (default:
 *                              the suggested call number)
 *   shelf [FROM]              call numbers in shelf order from FROM (a
 *                              screen; the shell lists 20) */
int tc_copies(tsess *s, int argc, char **argv, const char *rest);
int tc_callno(tsess *s, int argc, char **argv, const char *rest);
int tc_shelf(tsess *s, int argc, char **argv, const char *rest);

/* The title's call number as recorded in the record under edit, and the
 * suggested one (catalogue rules); malloc'd, "" when none. */
char *tcopies_title_callno(tsess *s);
char *tcopies_suggest(tsess *s);
/* Set 090 of the record under edit (one undo step); "" removes it. */
void tcopies_set_callno(tsess *s, const char *callno);
/* The next free accession number for branch (NULL = any) of the default
 * kind (setting "accno.kind", else "VV"), malloc'd; "" on error. */
char *tcopies_next_accno(tsess *s, const char *branch);
/* Add n copies of the record under edit: first = first accession number
 * ("" = the next free ones), branch and location may be "". The numbers
 * given are reported in msg. Returns a cat_status. */
int tcopies_add(tsess *s, int n, const char *first, const char *branch,
                const char *location, strbuf *msg);
/* Withdraw copy accno (status withdrawn, journaled). */
int tcopies_withdraw(tsess *s, const char *accno, strbuf *msg);

#endif
