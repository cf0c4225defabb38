/*
 * isbd.h - ISBD punctuation supplied to a record typed without it.
 *
 * A record built from a workform has bare values ("Truyện Kiều", "thơ",
 * "Nguyễn Du"); a record that says it carries ISBD punctuation (Leader/18
 * 'a' or 'i') needs the marks between them ("Truyện Kiều :", "thơ /",
 * "Nguyễn Du."). isbd_punctuate() adds the marks that lint's punct and
 * punct-end rules look for, where they are missing, and nothing else.
 */
#ifndef BIENMUC_ISBD_H
#define BIENMUC_ISBD_H

#include "rec.h"

/* Add the missing ISBD punctuation to r, if its Leader/18 is 'a' or 'i'
 * (with 'c', 'n' or anything else r is left alone):
 *   245  ' :' before $b (' ;' and ' =' are kept), ' /' before the first
 *        $c, '.' before $n and $p ($p after $n: ','), a full stop at the
 *        end unless it ends in . ? or !;
 *   260, 264 (not 264 with second indicator 4, a copyright date):
 *        ' ;' before a further $a, ' :' before $b, ',' before $c;
 *   300  ' :' before $b, ' ;' before $c, ' +' before $e;
 *   490  ' ;' before $v.
 * Only after a subfield with a letter code (not after $6 or $8), and
 * only between two that are not empty (a template's blank subfields get
 * no marks). A value that already ends in the mark (for a full stop,
 * also ? or !) is left as it is; one that ends in the mark's character
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
