/*
 * t-rpn2sql.c - the RPN -> SQL/FTS5 translator, through CCL (cclquery.h):
 * folding of terms, phrases, truncation, fields, years, standard numbers,
 * and refusals with Bib-1 diagnostics for what is not supported.
 */
#include "harness.h"
#include "cclquery.h"
#include "rpn2sql.h"
#include <yaz/odr.h>
#include <yaz/pquery.h>
#include <yaz/diagbib1.h>

static struct rpn_sql rs;
static char errtext[512];
static int qpos;               /* tr: the error's byte offset (cclq_parse) */

/* translate a CCL query; returns 0 or -1 (errtext holds the message) */
static int tr(const char *ccl)
{
	ODR odr = odr_createmem(ODR_ENCODE);
	strbuf err = STRBUF_INIT;
	int pos = -1;
	rpn_sql_release(&rs);
	memset(&rs, 0, sizeof rs);
	struct Z_RPNQuery *q = cclq_parse(ccl, odr, &pos, &err);
	qpos = pos;
	int rc = -1;
	if (q)
		rc = rpn2sql(q, &rs, &err);
	snprintf(errtext, sizeof errtext, "%s", err.buf ? err.buf : "");
	sb_release(&err);
	odr_destroy(odr);
	return rc;
}

/* translate a PQF query (what a Z39.50 client sends) */
static int trp(const char *pqf)
{
	ODR odr = odr_createmem(ODR_ENCODE);
	YAZ_PQF_Parser p = yaz_pqf_create();
	Z_RPNQuery *q = yaz_pqf_parse(p, odr, pqf);
	strbuf err = STRBUF_INIT;
	rpn_sql_release(&rs);
	memset(&rs, 0, sizeof rs);
	int rc = q ? rpn2sql(q, &rs, &err) : -2;
	snprintf(errtext, sizeof errtext, "%s", err.buf ? err.buf : "");
	sb_release(&err);
	yaz_pqf_destroy(p);
	odr_destroy(odr);
	return rc;
}

/* the byte offset cclq_operand_pos gives for the operand rpn2sql refused */
static int bad_pos(const char *ccl)
{
	ODR odr = odr_createmem(ODR_ENCODE);
	strbuf err = STRBUF_INIT;
	struct rpn_sql r;
	struct Z_RPNQuery *q = cclq_parse(ccl, odr, NULL, &err);
	int pos = -2;
	if (q && rpn2sql(q, &r, &err))
		pos = cclq_operand_pos(ccl, q, r.bad);
	rpn_sql_release(&r);
	sb_release(&err);
	odr_destroy(odr);
	return pos;
}

int main(void)
{
	CHECK_INT(bad_pos("yr=abc"), 3);
	CHECK_INT(bad_pos("isbn=abc"), 5);
	CHECK_INT(bad_pos("=van"), 0);
	CHECK_INT(bad_pos("ti=van and (=x)"), 12);
	CHECK_INT(bad_pos("yr=1990-abc"), 8);
	CHECK_INT(bad_pos("abc and yr=abc"), 11);       /* the second abc */
	CHECK_INT(bad_pos("isbn=isbn"), 5);             /* not the qualifier */
	CHECK_INT(bad_pos("YR = \"a b\""), 5);

	CHECK_INT(tr("Tắt đèn"), 0);
	CHECK_STR(rs.fts, "(\"tat\") AND (\"den\")");
	CHECK_INT(tr("ti=\"Truyện Kiều\""), 0);
	CHECK_STR(rs.fts, "{title} : \"truyen kieu\"");
	CHECK_INT(tr("au=Đào"), 0);
	CHECK_STR(rs.fts, "{author} : \"dao\"");
	CHECK_INT(tr("au=ÐÀO"), 0);                       /* eth look-alike, upper case */
	CHECK_STR(rs.fts, "{author} : \"dao\"");
	CHECK_INT(tr("su=nguy?"), 0);
	CHECK_STR(rs.fts, "{subject} : \"nguy\" *");
	CHECK_INT(tr("pb=kim or se=x not nt=y"), 0);
	CHECK_STR(rs.fts, "(({publisher} : \"kim\") OR ({series} : \"x\")) NOT ({notes} : \"y\")");
	CHECK_INT(tr("kieu and yr>1990"), 0);
	CHECK(rs.fts == NULL);
	CHECK(strstr(rs.sql.buf, "INTERSECT") != NULL);
	CHECK(strstr(rs.sql.buf, "year > CAST(? AS INTEGER)") != NULL);
	CHECK_INT(rs.params.n, 2);
	if (rs.params.n == 2) {
		CHECK_STR(rs.params.v[0], "\"kieu\"");
		CHECK_STR(rs.params.v[1], "1990");
	}
	/* ... and its operands alone, for a caller that intersects itself */
	CHECK_INT(rs.nconj, 2);
	if (rs.nconj == 2) {
		CHECK_STR(rs.conj[0].sql.buf, "SELECT rowid AS rid FROM fts WHERE fts MATCH ?");
		CHECK_INT(rs.conj[0].params.n, 1);
		CHECK_STR(rs.conj[0].params.v[0], "\"kieu\"");
		CHECK(strstr(rs.conj[1].sql.buf, "year > CAST(? AS INTEGER)") != NULL);
		CHECK_INT(rs.conj[1].params.n, 1);
		CHECK_STR(rs.conj[1].params.v[0], "1990");
	}
	/* an AND chain gives every operand; words ANDed stay one FTS operand */
	CHECK_INT(tr("nam and ha and yr<2000 and isbn=0-19-852663-6"), 0);
	CHECK_INT(rs.nconj, 3);
	if (rs.nconj == 3) {
		CHECK_STR(rs.conj[0].params.v[0], "(\"nam\") AND (\"ha\")");
		CHECK_STR(rs.conj[1].params.v[0], "2000");
		CHECK(strstr(rs.conj[2].sql.buf, "keys") != NULL);
	}
	/* not under an OR, nor for one FTS expression or one year range */
	CHECK_INT(tr("(kieu and yr>1990) or nam"), 0);
	CHECK_INT(rs.nconj, 0);
	CHECK_INT(tr("kieu and nam"), 0);
	CHECK_INT(rs.nconj, 0);
	CHECK_INT(tr("yr>1990 and yr<2000"), 0);
	CHECK_INT(rs.nconj, 0);
	CHECK_INT(tr("kieu not yr>1990"), 0);
	CHECK_INT(rs.nconj, 0);
	CHECK_INT(tr("isbn=0-19-852663-6"), 0);
	CHECK_INT(rs.params.n, 1);
	if (rs.params.n)
		CHECK_STR(rs.params.v[0], "isbn:9780198526636");
	CHECK_INT(tr("issn=0378-5955 or lccn=n78-890351"), 0);   /* one look-up of both */
	CHECK_STR(rs.sql.buf, "SELECT rid FROM keys WHERE key IN (?, ?)");
	CHECK_INT(rs.params.n, 2);
	if (rs.params.n == 2) {
		CHECK_STR(rs.params.v[0], "issn:03785955");
		CHECK_STR(rs.params.v[1], "lccn:n78890351");
	}
	CHECK_INT(tr("yr=1990-2000"), 0);
	CHECK_INT(tr("id=bm00000001"), 0);
	CHECK_INT(tr("isbn=hello"), -1);
	CHECK(strstr(errtext, "not an ISBN") != NULL);
	CHECK_INT(tr("yr=nineteen"), -1);
	CHECK(strstr(errtext, "not a year") != NULL);
	CHECK_INT(tr("ti=\"...\""), -1);
	CHECK(strstr(errtext, "no words") != NULL);

	/* PQF from a Z39.50 client */
	/* a term that is not UTF-8 (Latin-1 from a client that did not
	 * negotiate): malformed term 125, said so (was "has no words", 229) */
	CHECK_INT(trp("@attr 1=4 t\xe1t"), -1);
	CHECK_INT(rs.diag, 125);
	CHECK_STR(errtext, "the term is not UTF-8 (byte 2 of it)");
	/* relation 103, AlwaysMatches (SRU cql.allRecords=1): every record
	 * of the keyword index, whatever the term (was a search for "1") */
	CHECK_INT(trp("@attr 2=103 @attr 1=1016 1"), 0);
	CHECK(rs.fts == NULL);
	CHECK_STR(rs.sql.buf, "SELECT rowid AS rid FROM fts");
	CHECK_INT(trp("@not @attr 2=103 @attr 1=1016 1 @attr 1=4 kieu"), 0);
	CHECK(rs.sql.buf && strstr(rs.sql.buf, "SELECT rowid AS rid FROM fts EXCEPT ") == rs.sql.buf);
	CHECK_INT(trp("@attr 1=4 @attr 4=1 \"tat den\""), 0);
	CHECK_STR(rs.fts, "{title} : \"tat den\"");
	CHECK_INT(trp("@attr 1=4 @attr 4=2 \"tat den\""), 0);
	CHECK_STR(rs.fts, "{title} : (\"tat\" AND \"den\")");
	CHECK_INT(trp("@attr 1=1016 @attr 5=1 nguy"), 0);
	CHECK_STR(rs.fts, "\"nguy\" *");
	CHECK_INT(trp("@attr 1=1016 @attr 5=104 nguy?"), 0);
	CHECK_STR(rs.fts, "\"nguy\" *");
	/* a mask elsewhere (SRU dc.title=*den arrives as 5=104 "?den"): Bib-1
	 * 120 (SRU 28, masking character not supported), the word named
	 * without the mask, whose notation the client may not have used */
	CHECK_INT(trp("@attr 1=4 @attr 5=104 ?den"), -1);
	CHECK_INT(rs.diag, YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE);
	CHECK_STR(errtext, "left truncation is not supported (a mask before 'den'): "
	          "only right truncation, a mask at the end of a word");
	CHECK_INT(trp("@attr 1=4 @attr 5=104 \"tat ?#den\""), -1);
	CHECK_STR(errtext, "left truncation is not supported (a mask before 'den'): "
	          "only right truncation, a mask at the end of a word");
	CHECK_INT(trp("@attr 1=4 @attr 5=104 \"tat d#n\""), -1);
	CHECK_INT(rs.diag, YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE);
	CHECK_STR(errtext, "a mask inside a word is not supported (a mask after 'd'): "
	          "only right truncation, a mask at the end of a word");
	CHECK_INT(trp("@attr 1=7 9780198526636"), 0);
	CHECK_INT(trp("@attr 1=12 bm00000001"), 0);
	CHECK_INT(trp("@attr 1=1007 0378-5955"), 0);
	/* 1007 also finds system numbers (035, and our own (003)001) */
	CHECK_INT(trp("@attr 1=1007 \"(DLC)LC0042\""), 0);
	CHECK_INT((long)rs.params.n, 4);
	CHECK_STR(rs.params.n == 4 ? rs.params.v[3] : "", "sys:(DLC)LC0042");
	CHECK_INT(trp("@attr 1=31 @attr 2=2 2000"), 0);
	CHECK(strstr(rs.sql.buf, "year <= ") != NULL);
	CHECK_INT(trp("@attr 1=9999 x"), -1);
	CHECK_INT(rs.diag, 114);
	CHECK_INT(trp("@attr 1=4 @attr 5=2 x"), -1);
	CHECK_INT(rs.diag, 120);
	CHECK_INT(trp("@attr 1=4 @attr 2=5 x"), -1);
	CHECK_INT(rs.diag, 117);
	CHECK_INT(trp("@attr 1=31 @attr 2=99 1990"), -1);
	CHECK_INT(rs.diag, 117);
	CHECK_INT(trp("@prox 0 1 1 2 k 2 a b"), -1);
	CHECK(rs.diag != 0);
	CHECK_INT(trp("@attr 9=1 x"), -1);
	CHECK_INT(trp("@and @attr 1=4 a @attr 1=1003 b"), 0);
	CHECK_STR(rs.fts, "({title} : \"a\") AND ({author} : \"b\")");
	/* operators and qualifiers in any case; a quoted operator is a word */
	CHECK_INT(tr("kieu AND TI=tat"), 0);
	CHECK_STR(rs.fts, "(\"kieu\") AND ({title} : \"tat\")");
	CHECK_INT(tr("kieu Or tat NOT den"), 0);
	CHECK_STR(rs.fts, "((\"kieu\") OR (\"tat\")) NOT (\"den\")");
	CHECK_INT(tr("ti=AND"), -1);
	CHECK_INT(tr("ti=\"AND\""), 0);
	CHECK_STR(rs.fts, "{title} : \"and\"");
	/* ids without case, through the id index: every case of the letters */
	CHECK_INT(tr("id=BM01"), 0);
	CHECK_STR(rs.sql.buf, "SELECT rid FROM records WHERE +deleted = 0 AND id IN (?, ?, ?, ?)");
	CHECK_INT(rs.params.n, 4);
	if (rs.params.n == 4) {
		CHECK_STR(rs.params.v[0], "bm01");
		CHECK_STR(rs.params.v[3], "BM01");
	}
	/* a truncated ISBN-10 also as the ISBN-13 it becomes (978, no check digit) */
	CHECK_INT(tr("isbn=0-19-85?"), 0);
	CHECK_STR(rs.sql.buf, "SELECT rid FROM (SELECT rid FROM keys WHERE key GLOB ? "
	          "UNION SELECT rid FROM keys WHERE key GLOB ?)");
	CHECK_INT(rs.params.n, 2);
	if (rs.params.n == 2) {
		CHECK_STR(rs.params.v[0], "isbn:01985*");
		CHECK_STR(rs.params.v[1], "isbn:97801985*");
	}
	CHECK_INT(tr("isbn=0198526636?"), 0);
	if (rs.params.n == 2)
		CHECK_STR(rs.params.v[1], "isbn:978019852663*");
	CHECK_INT(tr("isbn=97801985266?"), 0);        /* 11 digits: an ISBN-13's beginning only */
	CHECK_INT(rs.params.n, 1);
	CHECK_INT(tr("id=bm0?"), 0);
	CHECK_STR(rs.sql.buf, "SELECT rid FROM records WHERE +deleted = 0 AND "
	          "(id GLOB ? OR id GLOB ? OR id GLOB ? OR id GLOB ?)");
	if (rs.params.n == 4)
		CHECK_STR(rs.params.v[1], "Bm0*");
	CHECK_INT(tr("id=abcdefg1"), 0);                  /* many letters: as typed, lower, upper */
	CHECK_INT(rs.params.n, 2);
	/* an unclosed quote is refused where it is */
	CHECK_INT(tr("ti=\"tat den"), -1);
	CHECK_STR(errtext, "column 4: missing closing quote");
	CHECK_INT(tr("tat\""), -1);
	CHECK_STR(errtext, "column 4: missing closing quote");
	CHECK_INT(tr("\"tat \\\" den\""), 0);          /* an escaped quote */
	CHECK_INT(cclq_open_quote("a \"b\" \"c"), 6);
	CHECK_INT(cclq_open_quote("a \\\"b"), -1);
	/* truncation errors point at the '?' (yaz: after the word) */
	CHECK_INT(tr("ti=?van"), -1);
	CHECK_INT(qpos, 3);
	CHECK_STR(errtext, "column 4: left truncation not supported");
	CHECK_INT(tr("yr=199?"), -1);
	CHECK_INT(qpos, 6);
	CHECK_INT(tr("issn=?"), -1);
	CHECK_INT(qpos, 5);
	CHECK_INT(tr("v?n"), -1);
	CHECK_INT(qpos, 1);
	CHECK_INT(tr("ti=van? hoc and ti=?x"), -1);
	CHECK_INT(qpos, 19);
	CHECK_INT(tr("ti=v#n"), -1);
	CHECK_INT(qpos, 4);
	/* long queries: a chain of one operator stays flat for FTS5's parser */
	CHECK_INT(tr("a b c"), 0);
	CHECK_STR(rs.fts, "(\"a\") AND (\"b\") AND (\"c\")");
	CHECK_INT(tr("a or b or c not d not e"), 0);
	CHECK_STR(rs.fts, "((\"a\") OR (\"b\") OR (\"c\")) NOT (\"d\") NOT (\"e\")");
	CHECK_INT(tr("a not (b not c)"), 0);
	CHECK_STR(rs.fts, "(\"a\") NOT ((\"b\") NOT (\"c\"))");
	CHECK_INT(tr("a or (b or c)"), 0);
	CHECK_STR(rs.fts, "(\"a\") OR (\"b\") OR (\"c\")");
	{
		strbuf q = STRBUF_INIT;
		for (int i = 0; i < 300; i++)
			sb_addf(&q, "%sisbn=97860469702%02d", i ? " or " : "", i % 100);
		CHECK_INT(tr(q.buf), 0);                    /* one IN list */
		CHECK_INT(rs.params.n, 300);
		CHECK(strncmp(rs.sql.buf, "SELECT rid FROM keys WHERE key IN (?, ?, ", 41) == 0);
		sb_reset(&q);
		for (int i = 0; i < 1000; i++)            /* more than a compound's 500 */
			sb_addf(&q, "%syr=%d", i ? " or " : "", 1000 + i);
		CHECK_INT(tr(q.buf), 0);
		CHECK_INT(rs.params.n, 1000);
		sb_reset(&q);
		sb_adds(&q, "a");
		for (int i = 0; i < 40; i++) {           /* deep: split into MATCHes */
			strbuf t = STRBUF_INIT;
			sb_addf(&t, "ti=x or (b and (%s))", q.buf);
			sb_release(&q);
			q = t;
		}
		CHECK_INT(tr(q.buf), 0);
		CHECK(rs.fts == NULL);
		sb_reset(&q);
		sb_adds(&q, "a");
		for (int i = 0; i < 10; i++) {           /* deep EXCEPTs: refused */
			strbuf t = STRBUF_INIT;
			sb_addf(&t, "yr=1990 not (b and (%s))", q.buf);
			sb_release(&q);
			q = t;
		}
		CHECK_INT(tr(q.buf), -1);
		CHECK(strstr(errtext, "nested too deeply") != NULL);
		CHECK_INT(rs.diag, 6);
		sb_release(&q);
	}
	rpn_sql_release(&rs);
	DONE();
}
