/*
 * copies-lint.h - the copies hook of lint (lint_set_copies_hook): how many
 * copies a local catalogue holds for a record, by its 001. Used by the
 * workstation's editor and by `bienmuc lint -d DB` for the rule
 * callno-missing.
 */
#ifndef BIENMUC_COPIES_LINT_H
#define BIENMUC_COPIES_LINT_H

#include "rec.h"

/* arg is a catalog *; copies not withdrawn of the record whose 001 is
 * r's; 0 for a record without 001 or not in the catalogue, -1 when the
 * catalogue cannot tell (not a local catalogue). */
long copies_lint_count(void *arg, const rec *r);

#endif
