/*
 * matchkey.h - normalised identifiers used to find the same record twice:
 * ISBN (ISBN-10 and ISBN-13 both as ISBN-13), ISSN, LCCN, system control
 * numbers (035, and 001+003 in the same "(ORG)number" form).
 *
 * Keys are strings "kind:value": "isbn:9786041234567", "issn:0378595X",
 * "lccn:n78890351", "sys:(OCoLC)12345". The catalogue stores the keys of
 * every live record and looks incoming records up by the same strings.
 * Pure functions, no allocation except in mk_record_keys.
 */
#ifndef BIENMUC_MATCHKEY_H
#define BIENMUC_MATCHKEY_H

#include <stddef.h>
#include "rec.h"

/* ISBN in s ("978-604-1-23456-7 (pbk.)", "0 19 852663 6", "080442957X
 * : $12.00"): leading spaces, hyphens and spaces between digits are
 * skipped; the number ends at the first other character. On success out
 * holds the 13 digits of the ISBN-13 and 1 is returned. 0 = no 10- or
 * 13-digit number there; -1 = digits found but the check digit is wrong
 * (out then holds the digits as given, so identical bad ISBNs still match
 * each other but a bad ISBN-10 is never converted). */
int mk_isbn(const char *s, char out[14]);

/* ISSN "0378-5955" -> "03785955" (check digit X upper-case). Same return
 * values as mk_isbn. */
int mk_issn(const char *s, char out[9]);

/* LCCN normalised per the Library of Congress rules: blanks removed,
 * anything from '/' on removed, and "85-2" -> "85000002" (the part after
 * a hyphen zero-padded to 6 digits). Returns 1, or 0 if nothing is left
 * or what is left has no letter or digit. */
int mk_lccn(const char *s, char *out, size_t n);

/* System control number as in 035 $a: "(OCoLC)ocm00012345" ->
 * "(OCoLC)12345" (OCLC prefixes ocm/ocn/on and leading zeros dropped);
 * other sources keep their number, trimmed. Returns 1, or 0 if there is
 * no number: empty, or no letter or digit after any "(ORG)" ("*", "-",
 * "(OCoLC)"), which would make every record so marked one book. */
int mk_sysno(const char *s, char *out, size_t n);

/* Key kinds (same values as CAT_MK_* in catalog.h). */
#define MK_ISBN   0x01
#define MK_ISSN   0x02
#define MK_LCCN   0x04
#define MK_035    0x08
#define MK_001    0x10

/* A growable list of malloc'd strings. */
struct mk_list {
	char **v;
	size_t n, cap;
};
void mk_list_add(struct mk_list *l, const char *s);
void mk_list_release(struct mk_list *l);      /* frees strings and array */

/* Append the keys of r of the kinds in mask to l (duplicates removed).
 * 001+003 gives "sys:(003)001", or "sys:001" when there is no 003. */
void mk_record_keys(const rec *r, int mask, struct mk_list *l);
/* The keys of every kind in one pass: by[0] gets the ISBN keys, by[1]
 * ISSN, by[2] LCCN, by[3] 035 and by[4] 001+003 (each list as
 * mk_record_keys with that kind alone would make it). */
#define MK_NKINDS 5
void mk_record_keys_by_kind(const rec *r, struct mk_list by[MK_NKINDS]);

/* The ISBN keys of r ("isbn:978...") that name the book itself, leaving
 * out those of the set it belongs to: a 020 qualified "(set)", "(bộ)" or
 * "(trọn bộ)" (in $a after the number, or in $q). */
void mk_item_isbns(const rec *r, struct mk_list *l);

/* 0 when a and b are two volumes of one set: both have ISBNs of their
 * own (mk_item_isbns) and none in common, so a set ISBN that both carry
 * does not make them one book. 1 otherwise. */
int mk_same_volume(const rec *a, const rec *b);

/* Could a and b be versions of one record? Used when a record carries a
 * catalogue's own number (001+003, or that number kept as 035) and the
 * number is all that links them: two catalogues that keep the same
 * organisation code give the same numbers to different books. 0 only on
 * evidence, when they have no ISBN, ISSN or LCCN in common: both have
 * numbers of one of those kinds (none shared), or both have a title (245
 * $a $n $p, tones and case folded) and no more than half of the shorter
 * title's words are in the other. 1 otherwise. (Not the 005: two
 * catalogues loaded by one script stamp different books alike.) */
int mk_same_record(const rec *a, const rec *b);

#endif
