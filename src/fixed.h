/*
 * fixed.h - the fixed-field editor's model, free of curses: the Leader
 * and one 006/007/008 edited position by position with the names and
 * allowed codes of marcdef.h.
 *
 * A fixedit holds two strings ("parts"): part 0 the leader (24
 * characters), part 1 the field being edited (006, 007 or 008; absent
 * when only the leader is edited). Its rows are the positions that apply
 * now: the leader's positions, then the field's, whose layout follows the
 * leader (008: Leader/06-07 select the material type) or the field's own
 * first character (006/00, 007/00). Changing such a selecting position
 * rebuilds the rows (a -> e at Leader/06 shows the maps 008); the
 * characters of the 008 that belong to the old material (18-34) are then
 * blanked, since their codes mean something else for the new one.
 *
 * Values are validated as they are typed: fixed_check() says whether a
 * (possibly partial) value is allowed for a row and describes it ("vie
 * Vietnamese"); fixed_set() refuses an invalid value.
 */
#ifndef BIENMUC_FIXED_H
#define BIENMUC_FIXED_H

#include <stddef.h>
#include "util.h"
#include "marcdef.h"

typedef struct fixedit fixedit;

/* Create from a leader (NULL = a blank book leader) and a field: tag
 * "006", "007", "008" with its data, or tag NULL / "LDR" for the leader
 * alone. fmt is MD_BIB or MD_AUTH. md must outlive the editor. Short
 * data is padded with blanks to the layout's length. */
fixedit *fixed_create(const marcdef *md, int fmt, const char *leader,
                      const char *tag, const char *data);
void fixed_destroy(fixedit *f);                 /* accepts NULL */

/* The current strings: part 0 leader, part 1 the field (NULL if none). */
const char *fixed_leader(const fixedit *f);
const char *fixed_data(const fixedit *f);
const char *fixed_tag(const fixedit *f);        /* "008" ..., NULL if none */
/* Material type of the field's layout ("BK", "MP", the 007 letter ...),
 * NULL if it cannot be resolved (then the field has no rows). */
const char *fixed_material(const fixedit *f);

/* Rows: positions that apply now, leader first. */
size_t fixed_nrows(const fixedit *f);
const md_pos *fixed_row(const fixedit *f, size_t i, int *part);
/* "LDR/06", "008/35-37" into buf. */
const char *fixed_row_label(const fixedit *f, size_t i, char *buf, size_t n);
/* The name of row i (the Vietnamese one when local is on and there is
 * one) fitted to exactly cols terminal columns into buf: cut at a
 * character boundary (never inside a UTF-8 sequence or before a
 * combining mark) one column short and ended with '~', or padded with
 * blanks, for column layouts that printf
 * widths (bytes) would break. Returns buf. */
const char *fixed_row_name(const fixedit *f, size_t i, int local, int cols,
                           char *buf, size_t n);
/* The characters of row i (malloc'd, pos->len bytes). */
char *fixed_get(const fixedit *f, size_t i);

/* Check a value typed for row i (may be shorter than the position: it
 * is blank-padded; partial dates and codes count as "not yet valid").
 * Returns 1 if valid, 0 if not; desc (may be NULL) gets the meaning of
 * a coded value or why it is wrong. `local` prefers Vietnamese names. */
int fixed_check(const fixedit *f, size_t i, const char *val, int local,
                strbuf *desc);
/* Whether val, typed for row i and not yet as long as the position, is
 * the start of an allowed value: digits (or 'u' in a date) so far, the
 * first characters of one of the codes, fill characters. The editor shows
 * no error for such a value while it is being typed ("20" of a date):
 * only once it is as long as the position, or is taken (fixed_set() then
 * refuses it if it is still not valid). 0 for a value as long as the
 * position, or one that no more typing can make valid ("2x" of a date). */
int fixed_incomplete(const fixedit *f, size_t i, const char *val);
/* Set row i to val (blank-padded; longer is an error). Returns 0, 1 if
 * the layout changed (rows rebuilt), or -1 with err. */
int fixed_set(fixedit *f, size_t i, const char *val, strbuf *err);

/* The allowed values of row i for a pick-list: codes of the position or
 * the entries of its code list. *n gets the count. */
const md_code *fixed_codes(const fixedit *f, size_t i, size_t *n);

/* Rows whose current value is invalid (0 if all are fine). */
size_t fixed_nerrors(const fixedit *f);

#endif
