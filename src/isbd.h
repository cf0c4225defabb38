/*
 * isbd.h - ISBD punctuation supplied to a record typed without it.
 *
 * A record built from a workform has bare values ("Truyện Kiều", "thơ",
 * "Nguyễn Du"); a record that says it carries ISBD punctuation (Leader/18
 * 'a' or 'i') needs the marks between them ("Truyện Kiều :", "thơ /",
 * "Nguyễn Du."). isbd_punctuate() adds the marks that lint's punct and
 * punct-end rules look for, and those that end the description's fields
 * and the headings in MARC 21 practice, where they are missing.
 */
#ifndef BIENMUC_ISBD_H
#define BIENMUC_ISBD_H

#include "rec.h"

/* Add the missing ISBD punctuation to r, if it is bibliographic (not
 * Leader/06 z) and its Leader/18 is 'a' or 'i' (with 'c', 'n' or anything
 * else r is left alone):
 *   245  ' :' before $b (' ;' and ' =' are kept), ' /' before the first
 *        $c, '.' before $n and $p ($p after $n: ','), a full stop at the
 *        end unless it ends in . ? or !;
 *   250  ' /' before $b, a full stop at the end as 245;
 *   260, 264 (not 264 with second indicator 4, a copyright date):
 *        ' ;' before a further $a, ' :' before $b, ',' before $c, a full
 *        stop at the end unless it ends in . ? ! ) ] or - (an open date);
 *   300  ' :' before $b, ' ;' before $c, ' +' before $e, a full stop at
 *        the end when the record has a series (490 or 440);
 *   490  ',' before $x, ' ;' before $v (no full stop at the end);
 *   headings, 1XX 6XX (not 653) 7XX 8XX: in X00 ',' before $c $d $e
 *        and '.' before $t; in X10 '.' before $b and $t, ',' before $e;
 *        830 ' ;' before $v; a full stop at the end unless it ends in
 *        . ? ! ) ] - or '"' ("Nguyễn Du, 1765-1820, tác giả.");
 *   notes, 5XX but 505 with first indicator 1, 510, 516, 535, 536, 565,
 *        583, 586: a full stop at the end unless it ends in . ? ! - '"'
 *        or '>' (after a parenthesis too), not after a closing $u (a URI).
 * Only after a subfield with a letter code (not after $6 or $8), and
 * only between two that are not empty (a template's blank subfields get
 * no marks); a field's full stop goes on its last subfield with a letter
 * code (before $2, $4 or $5). A value that already ends in the mark (for
 * a full stop, also ? or !) is left as it is, as is one ending in '-'
 * before ',' or '.' (an open date); one that ends in the mark's character
 * without its space ("Kiều:") gets the space; trailing blanks are dropped
 * before a mark is added. Returns the number of subfields changed. */
int isbd_punctuate(rec *r);

/* The other way: take out of r the marks isbd_punctuate would add, where
 * they are there (the same rules and places; ' ;' and ' =' before 245 $b
 * and anything else typed are kept; a final "..." stays), if its
 * Leader/18 is 'a' or 'i'. For :saveform, so that a form saved from a
 * punctuated record has bare defaults and a subfield left empty later
 * leaves no mark behind. Returns the number of subfields changed. */
int isbd_unpunctuate(rec *r);

#endif
