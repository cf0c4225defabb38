/*
 * rpn2sql.h - the one translator from a Z39.50 type-1 (RPN) query to SQL
 * over the local catalogue (store.c's schema). The command line, the TUI
 * (through CCL, cclquery.h) and the Z39.50/SRU server all come here.
 *
 * Supported Bib-1 attributes:
 *   use (1):  4 title, 5 series, 6 uniform title, 7 ISBN, 8 ISSN, 9 LCCN,
 *             12 local number (our 001; any case), 21 subject, 30/31 date/year,
 *             63 notes, 1003/1004/1005/1006 author/names, 1007 any
 *             standard identifier (ISBN, ISSN, LCCN, or a system number:
 *             035 "(ORG)number", our (003)001), 1016/1017/1035 any,
 *             1018 publisher;
 *             no use attribute = any.
 *   relation (2): 1 < 2 <= 3 = 4 >= 5 > 6 != (years); 3 elsewhere;
 *             103 AlwaysMatches (every record, whatever the term: SRU's
 *             cql.allRecords).
 *   structure (4): 1 phrase (also the default for a multi-word term),
 *             2/6 words (all of them), others as phrase.
 *   truncation (5): 100 none, 1 right, 104 with a trailing '?' / '*'.
 *   position (3), completeness (6): ignored.
 * Operators: and, or, and-not; proximity is refused.
 * Text terms are folded with fold_search() (charset.h) exactly as the
 * indexed text is, so tones, đ and case do not matter.
 *
 * The result is a SELECT statement returning one column `rid` (the
 * records rowid) for every live match (deleted records are in neither
 * the keyword index nor the match keys, and the year and id terms skip
 * them), so counting its rows counts the hits; plus its parameters (all
 * text). When the whole query is one FTS5
 * expression it is also given alone (fts) so the caller can rank hits.
 */
#ifndef BIENMUC_RPN2SQL_H
#define BIENMUC_RPN2SQL_H

#include "matchkey.h"
#include "util.h"

struct Z_RPNQuery;

/* One operand of a top-level AND: a SELECT of rids and its parameters. */
struct rpn_conj {
	strbuf sql;
	struct mk_list params;
};

struct rpn_sql {
	strbuf sql;              /* SELECT ... (one column: rid) */
	struct mk_list params;   /* ?1 ... ?n in order, text */
	char *fts;               /* whole query as one FTS5 MATCH string, or NULL */
	int diag;                /* on failure: Bib-1 diagnostic (114, 117, ...) */
	int bad;                 /* on failure: 0-based index of the operand at
	                          * fault, in query order (-1: the query) */
	int nops;                /* operands translated (internal) */
	/* When the query is an AND of operands that do not make one FTS5
	 * expression (words and a year range, say): each operand alone
	 * (nconj >= 2; else 0). sql's rows are their intersection, which a
	 * caller may also compute itself from these. */
	struct rpn_conj *conj;
	size_t nconj;
};

/* Translate q. Returns 0, or -1 with out->diag and out->bad set and a
 * message in err ("unsupported use attribute 1=99", "term '...' has no
 * words to search for"). Always call rpn_sql_release(out) afterwards. */
int rpn2sql(const struct Z_RPNQuery *q, struct rpn_sql *out, strbuf *err);
void rpn_sql_release(struct rpn_sql *out);

/* Fold text and split it into index words the way the FTS5 tokenizer
 * (unicode61) does; returns the number of words, appended to l. */
size_t rpn_words(const char *text, size_t len, struct mk_list *l);

#endif
