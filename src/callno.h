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
 *                   Cutter-Sanborn three-figure table;
 *   "table:FILE"    an author table the library supplies, used the way
 *                   the Cutter-Sanborn table is: the first letter (upper
 *                   case) and the number of the last entry that sorts at
 *                   or before the name ("Smith, John" -> "S591" with the
 *                   entry "591 Smith, J"). FILE is absolute or relative
 *                   to the marc/ data directory (marcdef_find_dir).
 *
 * Author tables are text files, UTF-8, one entry a line: "NUMBER PREFIX"
 * (digits, blanks, the name prefix), in any order; '#' starts a comment,
 * blank lines are skipped. Entries and names are compared with case,
 * tone and other marks ignored, punctuation as a word break and
 * apostrophes dropped ("Smith, J." = "smith j", which sorts before
 * "smithe"); Đ is a letter of its own after D (a table with no Đ entries
 * looks Đ names up under D). A name that sorts before the first entry
 * of its letter takes that entry's number; a letter with no entries
 * gives the letter alone. A table is loaded once per process and path
 * (loaded again when the file changes) and freed at exit.
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
#include "util.h"

struct callno_rules {
	const char *vn;          /* NULL = "initials:3" */
	const char *foreign;     /* NULL = "cutter" */
	const char *workmark;    /* NULL or "none"; "lower" / "upper": the
	                          * first letter of the title after the mark
	                          * when the main entry is a name (Cutter-
	                          * Sanborn's work mark: S658t; upper case as in
	                          * Vietnamese author tables: N527T) */
};
/* True if v is a work-mark setting (none, lower, upper). */
int callno_workmark_valid(const char *v);

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
/* True if the rule text is one of the rules above (for "table:FILE": the
 * table loads without error). */
int callno_rule_valid(const char *rule);
/* Same check, with the reason for a bad rule in err (may be NULL): an
 * unknown rule, a table that cannot be found or read, or the first bad
 * line as "FILE:LINE: what is wrong". Returns 0 or -1. */
int callno_rule_check(const char *rule, strbuf *err);
/* Check both rules of r (NULL rules are the defaults, always valid):
 * 0, or -1 with "callno.vn: reason" / "callno.foreign: reason" in err,
 * for commands to warn that the author mark will be left out. */
int callno_rules_check(const struct callno_rules *r, strbuf *err);
/* Free the cached author tables (also done at exit). Not thread-safe:
 * the cache is process-wide. */
void callno_tables_free(void);

#endif
