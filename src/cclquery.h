/*
 * cclquery.h - the people's query language: CCL, parsed by yaz into RPN.
 *
 * Qualifiers (Bib-1 use attribute in brackets):
 *   ti title (4)   au author (1003)   su subject (21)   pb publisher (1018)
 *   se series (5)  nt notes (63)      kw keyword, any field (1016)
 *   isbn (7)  issn (8)  lccn (9)  id local number/001 (12)
 *   yr year of publication (31), with relations: yr>1990, yr=1990-2000
 * Bare words search kw. Words are ANDed; "quoted words" are a phrase; a
 * trailing ? truncates (nguy?); and, or, not (in any case; "and" quoted is
 * a word), parentheses. Qualifiers are in any case too (TI=).
 */
#ifndef BIENMUC_CCLQUERY_H
#define BIENMUC_CCLQUERY_H

#include "util.h"

struct Z_RPNQuery;
struct odr;

/* Parse query into an RPN query allocated on odr (an ODR from
 * odr_createmem(ODR_ENCODE); freed with it). Returns NULL on a malformed
 * query: *pos (if not NULL) = 0-based byte offset of the problem and err
 * gets "column N: what is wrong" (N 1-based). */
struct Z_RPNQuery *cclq_parse(const char *query, struct odr *odr, int *pos,
                              strbuf *err);

/* The query as PQF (for messages and tests); appended to out. Returns 0,
 * or -1 as cclq_parse. */
int cclq_to_pqf(const char *query, strbuf *out, int *pos, strbuf *err);

/* Append "column N: what is wrong" for yaz CCL error `code` at 0-based
 * byte offset pos (N = pos + 1), or "column 1: empty query" when the query
 * is blank (code < 0), in the interface language: yaz's own texts are
 * English only. Shared with zclient.c, which parses with its own
 * qualifiers. */
void cclq_error(strbuf *err, int code, int pos);
/* The 0-based byte offset to report for yaz CCL error `code` that
 * ccl_find_str gave at byte offset pos: a truncation error points at the
 * '?' (yaz gives the end of the word), others stay at pos. Shared with
 * zclient.c, so search and zsearch name the same column. */
int cclq_error_pos(const char *query, int pos, int code);
/* The 0-based character (not byte) offset of byte offset pos in the
 * UTF-8 query, for the "column N" of cclq_error: "ti=đường đời and"
 * fails at column 16, not 24. */
int cclq_char_pos(const char *query, int pos);

/* 0-based byte offset in query of the index-th (0-based, in query order)
 * operand of q, the RPN cclq_parse made of query, or -1 when it cannot be
 * told: for errors found in the RPN (rpn2sql.h: out->bad). */
int cclq_operand_pos(const char *query, const struct Z_RPNQuery *q, int index);

/* 0-based byte offset of a '"' that opens a phrase and is never closed,
 * or -1 (a '\\' escapes the next character, as in yaz). yaz accepts such a
 * query, ending the phrase at the end of it: cclq_parse refuses it. */
int cclq_open_quote(const char *query);

/* Append "column N: missing closing quote" for the quote at 0-based pos. */
void cclq_quote_error(strbuf *err, int pos);

#endif
