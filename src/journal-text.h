/*
 * journal-text.h - journal summaries in the reader's language.
 *
 * The journal stores its summaries in English ("245 changed; 650 added",
 * "new record (17 fields)", "version 2 restored: 245 changed", "copy
 * VN001 removed"): they are data, written once and read later by anyone.
 * journal_text() shows the forms bienmuc writes in the language of the
 * messages (_()); a clause it does not know (written by another program
 * or a later bienmuc) stays as stored. The actions of versions are words
 * of the same kind (journal_action).
 */
#ifndef BIENMUC_JOURNAL_TEXT_H
#define BIENMUC_JOURNAL_TEXT_H

#include "util.h"

/* stored (NULL = "") translated: a new string, for the caller to free. */
char *journal_text(const char *stored);

/* The action of a version as stored ("import", "edit", "rollback", ...;
 * NULL = "") in the language of the messages: a static string, or stored
 * itself when it is not one bienmuc writes. */
const char *journal_action(const char *stored);

#endif
