/*
 * copies.h - the physical copies (items) of catalogue records: accession
 * numbers (số đăng ký cá biệt), branch, shelf, call number, status. The
 * SQL lives in store-copies.c (part of the store module, local catalogue
 * only); the interchange with MARC 852 and Koha 952 item fields is in
 * copies-marc.c.
 *
 * An accession number is unique across the catalogue. It is stored
 * normalised (copies_accno_norm: NFC, no spaces at either end) and
 * compared by its key (copies_accno_key: full Unicode case folding, so
 * "ĐC.000215" and "đc.000215" are one number). It doubles as the barcode. Every change is journaled with the
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
	/* not a field: copies_import_check found that no copy has accno (not
	 * even a deleted record's), so adding the copy in the same
	 * transaction need not look again */
	int accno_free;
};
void copy_clear(struct copy *cp);                 /* frees strings, zeroes */
void copies_free(struct copy *cp, size_t n);
/* Set one field by name ("accno", "branch", "location", "callno",
 * "volume", "source", "price", "added", "status", "note"); -1 for an
 * unknown name or a bad value (status not one of the four, date not a
 * real YYYY-MM-DD date, a control character). The value is copied in NFC. */
int copy_set(struct copy *cp, const char *name, const char *value);
/* Whether s has a control character (C0, DEL, C1: a tab, a newline):
 * copy fields refuse them (copy_set returns -1, copies_add and
 * copies_update CAT_ERROR). */
int copy_has_control(const char *s);
/* Whether s is a price as libraries write one: a number (120000, 120.000,
 * 1.200.000,50, 25.50, 120 000) with a currency before or after it if
 * need be ("120.000 đ", "120000 VND", "25.50 USD", "$12"); blank is no
 * price. 0 when it is, else -1 and "'S' is not a price: ..." in why (may
 * be NULL). What `copy -p`, the shell's price= and the copy form check;
 * copy_set and import keep any text (prices written before this rule and
 * item fields are kept as they are). */
int copy_price_check(const char *s, strbuf *why);
/* The accession number a as stored: spaces at either end trimmed, NFC
 * (malloc'd); NULL with a message in err when it is blank or has a
 * control character. */
char *copies_accno_norm(const char *a, strbuf *err);
/* The comparison key of accession number a: trimmed, NFC, case folded
 * (full Unicode folding), malloc'd. Two numbers are the same number when
 * their keys are equal. */
char *copies_accno_key(const char *a);
/* Field value by name, "" when unset; NULL for an unknown name. */
const char *copy_get(const struct copy *cp, const char *name);
/* Field names in display order, NULL-terminated. */
extern const char *const copy_fields[];

/* The most copies one add takes (copies_add; copy add -n, the shell's
 * copies add N and the workstation's copies panel). */
#define COPIES_ADD_MAX 10000
/* A number of copies to add typed by a user: 0 and *n when s is a whole
 * number from 1 to COPIES_ADD_MAX, else -1 and "'S' is not a number of
 * copies from 1 to 10000" in err (the same words everywhere). */
int copies_count_parse(const char *s, int *n, strbuf *err);

/* Add n copies of record `id` (a live bibliographic record, not an
 * authority) like tmpl. Accession numbers: tmpl->accno if set (n > 1: it
 * must end in digits and the next copies get the following numbers, same
 * width), else the next free numbers of kind `kind` (NULL or "": the
 * setting accno.kind, else "VV"; pattern above). An empty tmpl->branch
 * takes the setting "branch". All or nothing: a number already in use
 * gives CAT_CONFLICT naming it and its record; so do numbers that do not
 * fit (a full pattern, n numbers past the digits of tmpl->accno, a
 * tmpl->accno with no digits to count up from): refusals, not errors
 * (CAT_ERROR is for I/O and database errors). The numbers given are returned
 * in *accnos (malloc'd; cat_ids_free) when accnos is not NULL. Runs in
 * the caller's transaction (catalog_begin) or its own BEGIN IMMEDIATE. */
int copies_add(catalog *c, const char *id, const struct copy *tmpl, int n,
               const char *kind, char ***accnos, strbuf *err);
/* copies_add as part of import batch `batch` (0: none): the copies and
 * their journal entries carry it, and undoing the batch takes them back,
 * or leaves them with the records it added, deleted (catalog_batch_undo). */
int copies_add_batch(catalog *c, const char *id, const struct copy *tmpl, int n,
                     const char *kind, long batch, char ***accnos, strbuf *err);
/* copies_add_batch for record id that the caller has just saved as r
 * (an import): r's leader says whether it is an authority record, which
 * cannot hold copies, so the record is not read back to see. */
int copies_add_saved(catalog *c, const char *id, const rec *r, const struct copy *tmpl,
                     int n, const char *kind, long batch, char ***accnos, strbuf *err);
/* The next free accession number of kind (NULL: setting accno.kind, else
 * VV) at branch (NULL: the setting "branch"), malloc'd into *out;
 * CAT_CONFLICT when the pattern's digits are all used up. */
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
 * word ("edit", "withdraw"; NULL = "edit"). A copy moves only to a live
 * bibliographic record. Nothing is written or journaled when cp equals
 * the copy as it is (CAT_OK). */
int copies_update(catalog *c, const char *accno, const struct copy *cp, const char *action,
                  strbuf *err);
/* Remove a copy entirely (mistakes; withdrawn copies keep their row). */
int copies_remove(catalog *c, const char *accno, strbuf *err);
/* Which live record holds accno: CAT_OK and *id (malloc'd), or
 * CAT_NOTFOUND. A deleted record's copies keep their rows (undelete
 * brings them back) but not their numbers: adding a copy with such a
 * number removes the old copy (journaled, so undo brings it back). */
int copies_owner(catalog *c, const char *accno, char **id, strbuf *err);
/* copies_owner, and *none: 1 when no copy has accno at all (not even a
 * deleted record's), else 0. */
int copies_owner_none(catalog *c, const char *accno, char **id, int *none, strbuf *err);

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
 * the latest change of a copy can be undone (CAT_CONFLICT otherwise);
 * changes already undone and the undo entries themselves do not count,
 * so changes can be undone one after the other, newest first. */
int copies_undo(catalog *c, long jid, strbuf *err);

#endif
