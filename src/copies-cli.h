/*
 * copies-cli.h - copies in the output of `search` and `show`
 * (copies-cli.c).
 */
#ifndef BIENMUC_COPIES_CLI_H
#define BIENMUC_COPIES_CLI_H

#include <stdio.h>
#include "catalog.h"

/* The brief line of cli_print_brief, plus "\tcopies: BRANCH N, ..." when
 * the record has copies (withdrawn ones not counted). */
void copies_print_brief(FILE *fp, catalog *c, const char *id, const rec *r);
/* "# copy ACCNO STATUS | branch | shelf | call number | ..." lines and a
 * blank line, when the record has copies (for .mrk output). */
void copies_print_mrk(FILE *fp, catalog *c, const char *id, const rec *r);

#endif
