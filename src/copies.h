/*
 * copies.h - the physical copies (items) of catalogue records: accession
 * numbers (số đăng ký cá biệt), branch, shelf, call number, status. The
 * SQL lives in store-copies.c (part of the store module, local catalogue
 * only); the interchange with MARC 852 and Koha 952 item fields is in
 * copies-marc.c.
 *
 * An accession number is unique across the catalogue (ASCII case does not
 * matter). It doubles as the barcode. Every change is journaled with the
 * previous state of the copy, so a change can be undone.
 *
 * Accession number patterns: a pattern is literal text with one run of
 * '#' for the number ("VV.######"). The pattern for kind K at branch B is
 * the setting "accno.B.K", else "accno.K", else "K.######".
 *
 * Errors as catalog.h: a cat_status return, a one-line message appended to
 * err (may be NULL). Strings inside struct copy are malloc'd and owned by
 * it (copy_clear frees them).
 */
#ifndef BIENMUC_COPIES_H
#define BIENMUC_COPIES_H

#include <stddef.h>
#include "catalog.h"

/* statuses, stored as these words */
#define COPY_AVAILABLE "available"
#define COPY_WITHDRAWN "withdrawn"
#define COPY_LOST      "lost"
#define COPY_REPAIR    "repair"

struct copy {
	char *record;        /* record id (001) */
	char *accno;         /* accession number / barcode, e.g. "VV.015234" */
	char *branch;        /* library code, e.g. "VN-TVNA" */
	char *location;      /* shelf / collection, e.g. "Kho mượn" */
	char *callno;        /* call number; "" = the title's (copies_callno) */
	char *volume;        /* volume / copy number ("T.1", "c.2") */
	char *source;        /* acquisition source (vendor, gift, legal deposit) */
	char *price;         /* as written, e.g. "98000" (đồng) */
	char *added;         /* date added "YYYY-MM-DD" ("" = today on add) */
	char *status;        /* COPY_AVAILABLE ... */
	char *note;
};
void copy_clear(struct copy *cp);                 /* frees strings, zeroes */
void copies_free(struct copy *cp, size_t n);
/* Set one field by name ("accno", "branch", "location", "callno",
 * "volume", "source", "price", "added", "status", "note"); -1 for an
 * unknown name or a bad value (status not one of the four, date not
 * YYYY-MM-DD). The value is copied. */
int copy_set(struct copy *cp, const char *name, const char *value);
/* Field value by name, "" when unset; NULL for an unknown name. */
const char *copy_get(const struct copy *cp, const char *name);
/* Field names in display order, NULL-terminated. */
extern const char *const copy_fields[];

/* Add n copies of record `id` like tmpl. Accession numbers: tmpl->accno
 * if set (n > 1: it must end in digits and the next copies get the
 * following numbers, same width), else the next free numbers of kind
 * `kind` (pattern above). All or nothing: a number already in use gives
 * CAT_CONFLICT naming it and its record. The numbers given are returned
 * in *accnos (malloc'd; cat_ids_free) when accnos is not NULL. Runs in
 * the caller's transaction (catalog_begin) or its own BEGIN IMMEDIATE. */
int copies_add(catalog *c, const char *id, const struct copy *tmpl, int n,
               const char *kind, char ***accnos, strbuf *err);
/* The next free accession number of kind at branch (NULL = any), malloc'd
 * into *out. */
int copies_next_accno(catalog *c, const char *kind, const char *branch, char **out,
                      strbuf *err);
/* Fill *out with the copy that has this accession number. */
int copies_get(catalog *c, const char *accno, struct copy *out, strbuf *err);
/* Copies of record id (NULL = every record), in accession order (numeric
 * part, then text). Copies of deleted records are left out unless id
 * names one. */
int copies_list(catalog *c, const char *id, struct copy **out, size_t *n, strbuf *err);
/* Copies of live records, in accession order: those of the records saved
 * in import batch `batch` (batch > 0), else the `last` n copies added
 * (last > 0), else those added on or after date `since` (NULL = all). */
int copies_select(catalog *c, const char *since, long last, long batch, struct copy **out,
                  size_t *n, strbuf *err);
/* Replace the copy whose accession number is `accno` by cp (cp->accno may
 * rename it, cp->record may move it to another record). action: journal
 * word ("edit", "withdraw"; NULL = "edit"). */
int copies_update(catalog *c, const char *accno, const struct copy *cp, const char *action,
                  strbuf *err);
/* Remove a copy entirely (mistakes; withdrawn copies keep their row). */
int copies_remove(catalog *c, const char *accno, strbuf *err);
/* Which live record holds accno: CAT_OK and *id (malloc'd), or
 * CAT_NOTFOUND. A deleted record's copies keep their rows (undelete
 * brings them back) but not their numbers: adding a copy with such a
 * number removes the old copy (journaled, so undo brings it back). */
int copies_owner(catalog *c, const char *accno, char **id, strbuf *err);

/* "VN-TVNA 2, VN-TVNAND 1" (copies not withdrawn, per branch), malloc'd
 * ("" when none). */
char *copies_branch_counts(catalog *c, const char *id);

/* ---- journal ---- */
struct copy_change {
	long id;             /* journal entry */
	char time[24];       /* UTC */
	char *user, *action, *accno, *record, *summary;
	int undone;
};
void copy_changes_free(struct copy_change *ch, size_t n);
/* Journal entries of one accession number or record (both NULL = all),
 * oldest first. */
int copies_history(catalog *c, const char *accno, const char *id, struct copy_change **out,
                   size_t *n, strbuf *err);
/* Undo journal entry `jid` (restore the previous state of that copy). Only
 * the latest change of a copy can be undone (CAT_CONFLICT otherwise). */
int copies_undo(catalog *c, long jid, strbuf *err);

#endif
