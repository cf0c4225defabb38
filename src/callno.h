/*
 * callno.h - call numbers (ký hiệu xếp giá): class number + author mark.
 *
 * The class comes from 082 $a (DDC; the '/' and ' segmentation marks
 * dropped), else 084 $a (other schemes, e.g. BBK). The author mark is made
 * from the main entry (1XX $a; a record entered under title: 245 $a after
 * the nonfiling characters) by a rule:
 *   "initials[:N]"  the first letter of each of the first N words (default
 *                   3), upper case, tone marks dropped, Đ kept
 *                   ("Ngô Tất Tố" -> "NTT", "Truyện Kiều" -> "TK");
 *   "word[:N]"      the first N letters (default 3) of the first word
 *                   ("Nguyễn Du" -> "Ngu");
 *   "cutter"        the LC Cutter Table (a simplified Cutter rule: one
 *                   letter and two figures, "Dickens" -> "D53"), not the
 *                   Cutter-Sanborn three-figure table.
 * Vietnamese headings use the rule `vn` (default "initials:3"); foreign
 * names (an inverted name "Surname, Forename" in a record whose language,
 * 008/35-37, is not "vie") use the rule `foreign` (default "cutter").
 *
 * The title's call number is kept in 090 $a (class) $b (author mark).
 * Every function returns malloc'd strings (possibly "").
 */
#ifndef BIENMUC_CALLNO_H
#define BIENMUC_CALLNO_H

#include "rec.h"

struct callno_rules {
	const char *vn;          /* NULL = "initials:3" */
	const char *foreign;     /* NULL = "cutter" */
};

/* Class number from 082/084, "" if none. */
char *callno_class(const rec *r);
/* Author mark of text by rule (see above); NULL when the rule is unknown. */
char *callno_mark(const char *text, const char *rule);
/* The mark for record r: picks the heading and the rule. rules may be NULL. */
char *callno_record_mark(const rec *r, const struct callno_rules *rules);
/* Suggested call number "class mark" (either part may be missing). */
char *callno_suggest(const rec *r, const struct callno_rules *rules);
/* The title's call number as recorded: 090 $a $b, else 852 $h $i, else
 * 099/092 $a; "" if none. */
char *callno_of_record(const rec *r);
/* Set 090 (replacing any) from "class mark": the first word is $a, the
 * rest $b. An empty callno removes 090. */
void callno_set(rec *r, const char *callno);
/* True if the rule text is one of the rules above. */
int callno_rule_valid(const char *rule);

#endif
