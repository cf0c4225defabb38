/*
 * tzsearch.h - copy cataloguing in the workstation (tcmd-zsearch.c):
 * the :zsearch, :zresults, :zopen and :import commands, and the hooks a
 * screen front end calls from its own poll loop so a search in progress
 * never blocks the keyboard. Free of curses.
 */
#ifndef BIENMUC_TZSEARCH_H
#define BIENMUC_TZSEARCH_H

#include <poll.h>
#include <stddef.h>
#include "tcmd.h"

/* 1 while a :zsearch started on a screen front end is still waiting for
 * some target. */
int tzs_active(void);
/* The sockets to watch (at most max) and the longest wait in ms. */
size_t tzs_pollfds(struct pollfd *fds, size_t max, int *timeout_ms);
/* After poll(): do the I/O; reports each target that answers (or times
 * out) and, when all are done, the result list, through s's front end. */
void tzs_process(tsess *s, const struct pollfd *fds, size_t nfds);
/* The command handlers (tcmd.c's table). */
int tc_zsearch(tsess *s, int argc, char **argv, const char *rest);
int tc_zresults(tsess *s, int argc, char **argv, const char *rest);
int tc_zopen(tsess *s, int argc, char **argv, const char *rest);
int tc_import(tsess *s, int argc, char **argv, const char *rest);
/* 1 (and an error naming it, as command cmd: "save", "import") when the
 * new record under edit is already in the catalogue (ISBN, ISSN, LCCN,
 * 035), else 0. */
int tzs_duplicate(tsess *s, const char *cmd);
/* The running or last search (NULL if none), for a results screen. */
struct zsearch *tzs_current(void);
/* Free everything (at exit). */
void tzs_cleanup(void);

#endif
