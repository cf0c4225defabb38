/*
 * edit.h - the editing core of the workstation, free of curses so that it
 * is unit-tested (tests/t-edit.c) and shared by the TUI and the shell:
 *
 *   ledit   a wide-character line editor: Vietnamese text normalised to
 *           NFC as it is typed (a decomposed tone mark typed after its
 *           letter joins it), cursor moved by grapheme cluster, widths
 *           measured in terminal cells;
 *   edrec   a record being edited, one line per field ("LDR" first), with
 *           field/subfield operations, unlimited undo/redo and a
 *           modified flag;
 *   edmerge a field-by-field comparison of two versions of a record
 *           (mine and theirs) with a choice per row, for save conflicts.
 *
 * Line text format (what the tagged editor shows and edits):
 *   LDR 00000nam a2200000 a 4500
 *   008 850101s1939    vm            000 0 vie d
 *   245 10 $a Tắt đèn / $c Ngô Tất Tố.
 * A data field is TAG, a blank, the two indicators (blank shown as ' ';
 * '#' and '\' are read as blank too), a blank, then subfields "$c value"
 * separated by " $". One blank after the code and one before the next
 * '$' belong to the separator, so any value round-trips. A literal '$' in
 * a value is written "{dollar}".
 */
#ifndef BIENMUC_EDIT_H
#define BIENMUC_EDIT_H

#include <stddef.h>
#include <wchar.h>
#include "rec.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* ledit: one line of wide characters. */
typedef struct ledit {
	wchar_t *buf;        /* NUL-terminated, NFC */
	size_t len, cap;
	size_t cur;          /* cursor, an index at a grapheme boundary */
} ledit;

void ledit_init(ledit *l);
void ledit_free(ledit *l);                    /* leaves l empty */
/* Replace the content with UTF-8 text (NFC applied); cursor at the end.
 * Returns 0, or -1 if s is not valid UTF-8 (content then empty). */
int ledit_set(ledit *l, const char *s);
/* The content as NFC UTF-8 (malloc'd). */
char *ledit_get(const ledit *l);
/* Insert one character at the cursor. Combining marks join the grapheme
 * before the cursor and the result is recomposed (NFC). Control
 * characters (< 0x20, 0x7f) are ignored (returns -1). */
int ledit_insert(ledit *l, wchar_t c);
/* Insert UTF-8 text at the cursor (each character as ledit_insert). */
void ledit_insert_str(ledit *l, const char *s);
void ledit_left(ledit *l);                    /* one grapheme */
void ledit_right(ledit *l);
void ledit_home(ledit *l);
void ledit_end(ledit *l);
void ledit_word_left(ledit *l);
void ledit_word_right(ledit *l);
void ledit_backspace(ledit *l);               /* the grapheme before */
void ledit_delete(ledit *l);                  /* the grapheme under */
void ledit_kill_end(ledit *l);                /* cursor to end */
void ledit_kill_start(ledit *l);              /* start to cursor */
/* Move to the next/previous subfield delimiter '$' (just after "$c "). */
void ledit_next_sub(ledit *l);
void ledit_prev_sub(ledit *l);
/* Index of the grapheme boundary after / before index i. */
size_t ledit_next_gc(const ledit *l, size_t i);
size_t ledit_prev_gc(const ledit *l, size_t i);
/* Terminal cells of one character (0 for marks, 2 for wide, 1 for
 * unprintable) and of buf[from, to). */
int edit_wcwidth(wchar_t c);
size_t ledit_cells(const ledit *l, size_t from, size_t to);
/* Cells of a UTF-8 string. */
size_t edit_str_cells(const char *s);
/* Append s cut to `cells` terminal cells: a string cut ends in '~' (the
 * convention of every column and line that cuts text), never inside a
 * character or before its combining marks. */
void edit_add_cut(strbuf *out, const char *s, size_t cells);

/* Split buf[0..len) into rows for display: the first row has `first`
 * cells, the others `rest` cells. Writes row start indexes into starts
 * (at most max) and returns the number of rows (>= 1). Breaks at blanks
 * when a word fits, never inside a grapheme. */
size_t edit_wrap(const wchar_t *buf, size_t len, size_t first, size_t rest,
                 size_t *starts, size_t max);

/* UTF-8 <-> wide helpers (locale independent). edit_wcs_from_utf8
 * returns a malloc'd NUL-terminated array (*n = its length) or NULL for
 * invalid UTF-8; edit_utf8_from_wcs a malloc'd string. */
wchar_t *edit_wcs_from_utf8(const char *s, size_t *n);
char *edit_utf8_from_wcs(const wchar_t *w, size_t n);

/* ------------------------------------------------------------------ */
/* Field line text <-> record. */

/* The line for field f of r, or for the leader when f == EDIT_LDR.
 * malloc'd. */
#define EDIT_LDR ((size_t)-1)
char *edit_field_text(const rec *r, size_t f);
/* Parse a line into `into` (appended as a new last field, or the leader
 * when the line starts with "LDR"). Returns 0 for a field, 1 for the
 * leader, or -1 with err set ("tag '24' must be 3 characters" ...).
 * Text is NFC-normalised. A leading '=' (.mrk style) is accepted. */
int edit_parse_line(const char *line, rec *into, strbuf *err);

/* Parse a "TAG/N" or "TAG" spec (N 1-based occurrence, 0 = first);
 * returns 0 or -1. */
int edit_parse_tagspec(const char *spec, char tag[4], int *nth);

/* ------------------------------------------------------------------ */
/* edrec: a record under edit. Lines are numbered 0 = leader, 1.. = the
 * fields in order (line i shows field i-1). */
typedef struct edrec edrec;

edrec *edrec_create(const rec *r);            /* copies r */
void edrec_destroy(edrec *e);                 /* accepts NULL */
const rec *edrec_rec(const edrec *e);
size_t edrec_nlines(const edrec *e);
size_t edrec_cur(const edrec *e);
void edrec_set_cur(edrec *e, size_t line);    /* clamped */
/* Current subfield (0-based) within the current line, used by the
 * subfield operations; clamped by them. */
size_t edrec_cursub(const edrec *e);
void edrec_set_cursub(edrec *e, size_t s);

/* Modified since creation / the last edrec_mark_saved (undo back to the
 * saved state clears it). */
int edrec_modified(const edrec *e);
void edrec_mark_saved(edrec *e);
/* Modified until the next edrec_mark_saved, whatever undo does (a new
 * record that came with content: a workform, a copy, a Z39.50 record). */
void edrec_mark_unsaved(edrec *e);
/* Drop the undo and redo history: the record as it is becomes the
 * oldest state undo reaches (a merge saved over their version must not
 * be undone back to a record without their changes). */
void edrec_forget_undo(edrec *e);
/* Replace the whole record (after a save assigned 001/005, a rollback,
 * a merge ...). With undoable, it is one undo step; otherwise history
 * is kept but the new state counts as saved. */
void edrec_replace(edrec *e, const rec *r, int undoable);

/* Every change below is one undo step; on error nothing changes and
 * err says why. */
/* Replace line `line` with parsed text (the leader line must stay a
 * leader, a field line must be a field). */
int edrec_set_line(edrec *e, size_t line, const char *text, strbuf *err);
/* Insert a parsed field line before line `at` (at >= 1; at == nlines
 * appends); cursor moves to it. */
int edrec_insert_line(edrec *e, size_t at, const char *text, strbuf *err);
/* Insert a parsed field where its tag belongs (after the last field
 * with a tag <= it); cursor moves to it. */
int edrec_add_field(edrec *e, const char *text, strbuf *err);
int edrec_delete_line(edrec *e, size_t line, strbuf *err);
int edrec_dup_line(edrec *e, size_t line, strbuf *err);
/* Move line by delta (-1 up, +1 down); cursor follows. */
int edrec_move_line(edrec *e, size_t line, int delta, strbuf *err);
/* Subfields of the field on `line`. */
int edrec_sub_add(edrec *e, size_t line, size_t at, char code,
                  const char *val, strbuf *err);
int edrec_sub_delete(edrec *e, size_t line, size_t s, strbuf *err);
int edrec_sub_move(edrec *e, size_t line, size_t s, int delta, strbuf *err);

/* Copy lines [from, from+n) into clip (a record used as a list of
 * fields; cleared first). Paste inserts clip's fields before `at`. */
int edrec_copy(const edrec *e, size_t from, size_t n, rec *clip, strbuf *err);
int edrec_paste(edrec *e, size_t at, const rec *clip, strbuf *err);

/* Line of the nth (1-based; 0 = first) field with tag (wildcard '.'),
 * or -1. */
long edrec_find(const edrec *e, const char *tag, int nth);

/* Undo/redo one step; return 0, or -1 when there is nothing to undo. */
int edrec_undo(edrec *e);
int edrec_redo(edrec *e);
size_t edrec_undo_depth(const edrec *e);
size_t edrec_redo_depth(const edrec *e);

/* A new record from `src` (NULL = empty book record): fields copied,
 * 001/003/005 and 035 removed, leader positions 0-4, 12-16 reset, 008/00-05
 * (date entered on file) today's. malloc'd rec. */
rec *edit_new_record(const rec *src);

/* ------------------------------------------------------------------ */
/* edmerge: mine vs theirs, field by field. Fields are paired by tag and
 * then by content (edit_pair_fields over the occurrences of each tag), so
 * a 650 inserted before the others is one added row and the rest stay
 * the same. With the base (the version both started from, paired with
 * each side the same way), a field only they changed (added, edited,
 * deleted) starts as theirs and every other difference as mine, so taking
 * the defaults keeps both sides' work; without it every difference starts
 * as mine. Rows follow mine's order; a field only theirs has comes before
 * the next field of its tag it precedes in theirs, else after the one it
 * follows, else after the last row of a lower or equal tag. */

/* Pair two lists of field texts (the occurrences of one tag, in order):
 * identical texts first, in order (longest common subsequence), then
 * identical ones out of order (a move), then, between the pairs in
 * order, the most similar remaining ones in order (by the words they
 * share); a field alone on both sides of such a gap is paired whatever
 * its text (an edit). pair[i] is the index in b paired with a[i], or -1. */
void edit_pair_fields(const char *const *a, size_t na,
                      const char *const *b, size_t nb, long *pair);
enum { EDM_MINE = 0, EDM_THEIRS = 1, EDM_BOTH = 2 };

typedef struct edmerge_row {
	char tag[4];
	long mine;           /* field index in mine, or -1 */
	long theirs;         /* field index in theirs, or -1 */
	int same;            /* both present and equal */
	int choice;          /* EDM_*: the default, see above */
} edmerge_row;

typedef struct edmerge {
	rec *mine, *theirs;  /* owned copies */
	rec *base;           /* owned copy, or NULL */
	edmerge_row *rows;
	size_t n;
	size_t ndiff;        /* rows that differ */
	int leader_same;
	int leader_choice;   /* EDM_MINE or EDM_THEIRS */
} edmerge;

edmerge *edmerge_create(const rec *mine, const rec *theirs, const rec *base);
void edmerge_destroy(edmerge *m);             /* accepts NULL */
/* Build the merged record: for each row the chosen side (BOTH keeps
 * mine then theirs), in tag order. 001/003/005 come from theirs.
 * malloc'd rec. */
rec *edmerge_result(const edmerge *m);
/* Set every differing row to choice. */
void edmerge_choose_all(edmerge *m, int choice);

#endif
