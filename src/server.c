/*
 * server.c - the Z39.50 and SRU server behind `bienmuc serve`: a yaz
 * generic front-end server (GFS) back end over the catalogue interface
 * (catalog.h). Searches go through the same RPN -> SQL translator as
 * `bienmuc search`; SRU's CQL is turned into RPN by GFS with the index
 * map written at start-up (server_cql_properties). Records are served as
 * MARC21 (ISO 2709, UTF-8) or MARCXML; scan browses the heading indexes
 * (from the preferred position: headings before the term first);
 * sort re-runs the query in title, author, year or id order, by up to
 * four keys (each for the records the keys before it leave tied); Extended
 * Services Update (insert, replace, delete) and SRU Update write, for
 * authenticated users with write rights only, with the version check.
 *
 * GFS forks a process per connection by default, so each session opens
 * its own catalogue connection in bend_init and closes it in bend_close.
 *
 * Diagnostics stay English whatever the server's locale: clients read
 * them (catalog-z3950.c recognises a version conflict or a missing record
 * by its English text), so the lower layers' messages (store, copies,
 * charset...) are switched to English (i18n_lower_english) in the process
 * that forks (a forked session inherits it) and again at the start of
 * every session, which with -T is a thread of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>              /* strcasecmp */
#include <unistd.h>
#include <time.h>
#include <pthread.h>

#include <yaz/backend.h>
#include <yaz/diagbib1.h>
#include <yaz/oid_db.h>
#include <yaz/pquery.h>
#include <yaz/querytowrbuf.h>
#include <yaz/log.h>
#include <yaz/srw.h>
#include <yaz/proto.h>            /* yaz_get_esn */
#include <yaz/diagsrw.h>
#include <yaz/nmem.h>              /* nmem_strsplit */

#include "server.h"
#include "catalog.h"
#include "marcio.h"
#include "users.h"
#include "rpn2sql.h"
#include "copies.h"
#include "copies-marc.h"
#include "i18n-lower.h"           /* i18n_lower_english */
#include "util.h"                 /* utf8_valid */

#define MAX_SETS 16
/* A result set keeps its query and hit count and one window of ids:
 * a search fetches the first ids (the piggybacked present's or SRU's
 * maximumRecords, else SET_FIRST: what a client presents first), a present
 * elsewhere re-runs the query for the SET_WINDOW ids holding that position.
 * Materialising thousands of ids per search cost more than the search
 * itself (24 ms instead of 1 on 20,000 records). */
#define SET_FIRST 20
#define SET_WINDOW 100
#define SET_MAX_FIRST 1000

struct rset {
	char *name;
	char *pqf;               /* the query, to re-run for sort or other windows */
	int sort, desc;          /* the sort keys (cat_search_opts) */
	struct cat_sort_key then[CAT_SORT_THEN];
	int nthen;
	long total;              /* hits, as the search answered */
	int estimate;            /* searched with conf->estimate */
	int approx;              /* so total is an estimate */
	long off;                /* position (0-based) of ids[0] */
	char **ids;              /* ids [off, off + n) */
	size_t n;
};

struct session {
	catalog *cat;
	char *user;              /* NULL: anonymous */
	int can_write;
	struct rset sets[MAX_SETS];
	rec *r;
	item_map *holdings;      /* copies -> 852, loaded on first use */
};

static const struct server_conf *conf;
/* BIENMUC_USER as the server started (NULL: unset), and a lock around
 * setting it and opening the catalogue: with -T every session is a thread
 * of one process, so the environment is shared. */
static char *start_user;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

void server_set_conf(const struct server_conf *c)
{
	conf = c;
}

const char *server_cql_properties(void)
{
	return
	"# CQL -> Bib-1 for bienmuc serve (yaz pqf.properties format)\n"
	"set.cql      = info:srw/cql-context-set/1/cql-v1.2\n"
	"set.dc       = info:srw/cql-context-set/1/dc-v1.1\n"
	"set.bath     = http://zing.z3950.org/cql/bath/2.0/\n"
	"set.rec      = info:srw/cql-context-set/2/rec-1.1\n"
	"set          = info:srw/cql-context-set/1/dc-v1.1\n"
	"index.cql.serverChoice = 1=1016\n"
	"index.cql.anywhere     = 1=1016\n"
	"index.cql.allRecords   = 1=1016 2=103\n"
	"index.rec.id           = 1=12\n"
	"index.dc.title         = 1=4\n"
	"index.dc.creator       = 1=1003\n"
	"index.dc.author        = 1=1003\n"
	"index.dc.subject       = 1=21\n"
	"index.dc.publisher     = 1=1018\n"
	"index.dc.date          = 1=31\n"
	"index.dc.year          = 1=31\n"
	"index.dc.identifier    = 1=1007\n"
	"index.dc.isbn          = 1=7\n"
	"index.dc.issn          = 1=8\n"
	"index.dc.series        = 1=5\n"
	"index.dc.notes         = 1=63\n"
	"index.dc.any           = 1=1016\n"
	"index.dc.kw            = 1=1016\n"
	"index.bath.isbn        = 1=7\n"
	"index.bath.issn        = 1=8\n"
	"index.bath.lccn        = 1=9\n"
	"index.bath.name        = 1=1002\n"
	"index.bath.title       = 1=4\n"
	"index.bath.subject     = 1=21\n"
	"index.bath.keyTitle    = 1=4\n"
	"index.bath.any         = 1=1016\n"
	/* No "relation.<=", ">=" or "=" lines: yaz's property reader
	 * tokenises on '=', so "relation.>= = 2=4" would define
	 * "relation.>" with no attributes and hide the real one (CQL ">"
	 * then searched as "="). yaz looks up "le", "ge" and "eq" for them. */
	"relation.<     = 2=1\n"
	"relation.le    = 2=2\n"
	"relation.eq    = 2=3\n"
	"relation.exact = 2=3 4=1\n"
	"relation.ge    = 2=4\n"
	"relation.>     = 2=5\n"
	"relation.<>    = 2=6\n"
	"relation.all   = 4=6\n"
	"relation.any   = 4=105\n"
	"relation.scr   = 2=3\n"
	"relation.adj   = 4=1\n"
	"structure.exact = 4=1\n"
	"structure.all  = 4=6\n"
	"structure.any  = 4=105\n"
	"structure.*    = 4=1\n"
	"position.any   = 3=3 6=1\n"
	"truncation.right = 5=1\n"
	"truncation.none  = 5=100\n"
	"truncation.z3958 = 5=104\n"
	"always = 6=1\n";
}

/* ---- SRU requests, as GFS decodes them ----
 *
 * GFS decodes an SRU request (yaz_sru_decode: GET and form POST;
 * yaz_srw_decode: SOAP) and then acts on it with no back-end hook in
 * between, so the Makefile links with -Wl,--wrap for both: GFS's calls
 * come here, and these call yaz's own (__real_) and then fix the request:
 *  - searchRetrieve without maximumRecords: GFS would present no records
 *    at all; SRU leaves the number to the server, and our explain
 *    record announces SRU_DEFAULT_RECORDS, so that is what it gets;
 *  - a query or scan clause that is not valid UTF-8: the request gets
 *    SRU diagnostic 10 (GFS then answers without searching), and the
 *    string, which the response echoes, has each invalid byte replaced
 *    by U+FFFD, so the response is well-formed XML.
 * (These functions live here because only GFS's session code calls them,
 * and it is linked in only with this file; see the Makefile. So does
 * yaz_diag_bib1_to_srw: see SRW_DIAG_OWN.) */
#define SRU_DEFAULT_RECORDS 10

int __real_yaz_sru_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset, Z_SRW_diagnostic **diag, int *num_diag);
int __real_yaz_srw_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset);
int __wrap_yaz_sru_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset, Z_SRW_diagnostic **diag, int *num_diag);
int __wrap_yaz_srw_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset);
int __real_yaz_diag_bib1_to_srw(int code);
int __wrap_yaz_diag_bib1_to_srw(int code);
Z_SRW_PDU *__real_yaz_srw_get_pdu_e(ODR o, int which, Z_SRW_PDU *req);
Z_SRW_PDU *__wrap_yaz_srw_get_pdu_e(ODR o, int which, Z_SRW_PDU *req);

/* A search answers with an SRU diagnostic that has no Bib-1 code (88,
 * unsupported path for sort): GFS only passes a Bib-1 code on, through
 * yaz_diag_bib1_to_srw, so the search sets SRW_DIAG_OWN + the SRU code,
 * which this (GFS's call, --wrap) gives back as it is. Only SRU searches
 * set it (sortKeys), so no Z39.50 client sees such a code. */
#define SRW_DIAG_OWN 100000
int __wrap_yaz_diag_bib1_to_srw(int code)
{
	if (code > SRW_DIAG_OWN && code < SRW_DIAG_OWN + 1000)
		return code - SRW_DIAG_OWN;
	return __real_yaz_diag_bib1_to_srw(code);
}

/* If *s is not valid UTF-8: replace it (from o) by a copy with U+FFFD for
 * each invalid byte, put a description in why, and return 0; else 1. */
static int sru_valid_utf8(ODR o, char **s, char *why, size_t whylen)
{
	size_t n = *s ? strlen(*s) : 0, bad;
	if (!*s || utf8_valid(*s, n, &bad))
		return 1;
	snprintf(why, whylen, "not valid UTF-8 (byte 0x%02X at offset %zu)",
	         (unsigned)(unsigned char)(*s)[bad], bad);
	strbuf b = STRBUF_INIT;
	const char *p = *s, *end = *s + n;
	while (p < end) {
		if (utf8_valid(p, (size_t)(end - p), &bad)) {
			sb_add(&b, p, (size_t)(end - p));
			break;
		}
		sb_add(&b, p, bad);
		sb_adds(&b, "\xEF\xBF\xBD");
		p += bad + 1;
	}
	*s = odr_strdup(o, b.buf ? b.buf : "");
	sb_release(&b);
	return 0;
}

/* The sortKeys of a CQL query's "sortby" clause of 3 or more keys, made
 * from o, or NULL to leave the query to GFS. yaz 5.34's CQL parser keeps
 * only the first and the last key of such a clause (sortby dc.creator
 * dc.date dc.title reached the search as "creator,dc,1,0,highValue
 * title,dc,1,0,highValue"), so these keys are read here, as written: an
 * index name, then its modifiers (/sort.descending or /descending,
 * /sort.ascending or /ascending; case and missing-value ones change
 * nothing here) -> "dc.date,,0". A clause that is not that plain (a
 * quoted name, a modifier with a value or one not known) is left to GFS,
 * as is one of 1 or 2 keys, which it reads right. */
static char *cql_sortby_keys(ODR o, const char *q)
{
	const char *at = NULL;
	int quoted = 0;
	for (const char *p = q; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"')
			quoted = 1;
		else if (!strncasecmp(p, "sortby", 6) && (p == q || strchr(" \t\r\n)", p[-1])) &&
		         p[6] && strchr(" \t\r\n", p[6]))
			at = p + 6;
	}
	if (!at || strpbrk(at, "\"=<>()"))
		return NULL;
	static const char *const mods[] = { "ascending", "descending", "ignoreCase", "respectCase",
	                                    "missingOmit", "missingFail", "missingLow",
	                                    "missingHigh" };
	strbuf keys = STRBUF_INIT;
	int nkeys = 0, ok = 1;
	const char *p = at;
	for (;;) {
		while (*p && strchr(" \t\r\n", *p))
			p++;
		if (!*p)
			break;
		int mod = *p == '/';
		if (mod) {
			p++;
			while (*p && strchr(" \t\r\n", *p))
				p++;
		}
		size_t n = strcspn(p, " \t\r\n/");
		if (!n || (mod && !nkeys)) {
			ok = 0;
			break;
		}
		if (!mod) {
			sb_addf(&keys, "%s%.*s,,1", nkeys++ ? " " : "", (int)n, p);
		} else {
			const char *m = p;
			size_t ml = n;
			if (ml > 5 && !strncasecmp(m, "sort.", 5)) {
				m += 5;
				ml -= 5;
			}
			size_t k = 0;
			while (k < sizeof mods / sizeof *mods &&
			       (strlen(mods[k]) != ml || strncasecmp(m, mods[k], ml)))
				k++;
			if (k == sizeof mods / sizeof *mods) {
				ok = 0;
				break;
			}
			if (k < 2)          /* the direction: the key's last character */
				keys.buf[keys.len - 1] = k == 0 ? '1' : '0';
		}
		p += n;
	}
	char *out = ok && nkeys >= 3 ? odr_strdup(o, keys.buf) : NULL;
	sb_release(&keys);
	return out;
}

/* The sortKeys sru_fix_request made of a sortby (NULL: none): the search
 * uses them, the response's echo of the request (SRU 1.1/1.2) must not
 * show a parameter the client never sent. GFS makes the response, echo
 * included, with yaz_srw_get_pdu_e (--wrap) before it searches. */
static _Thread_local const char *sortby_keys;

Z_SRW_PDU *__wrap_yaz_srw_get_pdu_e(ODR o, int which, Z_SRW_PDU *req)
{
	Z_SRW_searchRetrieveRequest *q =
		req && req->which == Z_SRW_searchRetrieve_request ? req->u.request : NULL;
	if (!q || !sortby_keys || q->sort_type != Z_SRW_sort_type_sort ||
	    q->sort.sortKeys != sortby_keys)
		return __real_yaz_srw_get_pdu_e(o, which, req);
	q->sort_type = Z_SRW_sort_type_none;
	q->sort.sortKeys = NULL;
	Z_SRW_PDU *res = __real_yaz_srw_get_pdu_e(o, which, req);
	q->sort_type = Z_SRW_sort_type_sort;
	q->sort.sortKeys = (char *)sortby_keys;
	return res;
}

static void sru_fix_request(Z_SRW_PDU *sr, ODR o, Z_SRW_diagnostic **diag, int *num_diag)
{
	char why[80];
	char **text = NULL;
	if (!sr)
		return;
	if (sr->which == Z_SRW_searchRetrieve_request && sr->u.request) {
		Z_SRW_searchRetrieveRequest *q = sr->u.request;
		if (!q->maximumRecords)
			q->maximumRecords = odr_intdup(o, SRU_DEFAULT_RECORDS);
		text = &q->query;
		/* a sortby of 3 or more keys: given as sortKeys, which GFS passes
		 * on as they are (and prefers to the query's sortby) */
		char *keys = NULL;
		sortby_keys = NULL;
		if (q->query && (!q->queryType || !strcmp(q->queryType, "cql")) &&
		    !(q->sort_type == Z_SRW_sort_type_sort && q->sort.sortKeys) &&
		    (keys = cql_sortby_keys(o, q->query))) {
			q->sort_type = Z_SRW_sort_type_sort;
			q->sort.sortKeys = keys;
			sortby_keys = keys;
		}
	} else if (sr->which == Z_SRW_scan_request && sr->u.scan_request)
		text = &sr->u.scan_request->scanClause;
	if (text && !sru_valid_utf8(o, text, why, sizeof why) && diag && num_diag)
		yaz_add_srw_diagnostic(o, diag, num_diag, YAZ_SRW_QUERY_SYNTAX_ERROR, why);
}

int __wrap_yaz_sru_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset, Z_SRW_diagnostic **diag, int *num_diag)
{
	int r = __real_yaz_sru_decode(hreq, srw_pdu, soap_package, decode, charset, diag,
	                              num_diag);
	if (r == 0)
		sru_fix_request(*srw_pdu, decode, diag, num_diag);
	return r;
}

int __wrap_yaz_srw_decode(Z_HTTP_Request *hreq, Z_SRW_PDU **srw_pdu, Z_SOAP **soap_package,
                          ODR decode, char **charset)
{
	int r = __real_yaz_srw_decode(hreq, srw_pdu, soap_package, decode, charset);
	/* SOAP: the XML parser has already refused bytes that are not UTF-8 */
	if (r == 0)
		sru_fix_request(*srw_pdu, decode, NULL, NULL);
	return r;
}

/* ---- result sets ---- */

static void rset_clear(struct rset *s)
{
	free(s->name);
	free(s->pqf);
	cat_ids_free(s->ids, s->n);
	memset(s, 0, sizeof *s);
}

static struct rset *rset_find(struct session *ss, const char *name, int create)
{
	for (int i = 0; i < MAX_SETS; i++)
		if (ss->sets[i].name && !strcmp(ss->sets[i].name, name))
			return &ss->sets[i];
	if (!create)
		return NULL;
	for (int i = 0; i < MAX_SETS; i++)
		if (!ss->sets[i].name) {
			ss->sets[i].name = xstrdup(name);
			return &ss->sets[i];
		}
	/* full: reuse the first */
	rset_clear(&ss->sets[0]);
	ss->sets[0].name = xstrdup(name);
	return &ss->sets[0];
}

static int bib1_for(int st)
{
	switch (st) {
	case CAT_QUERY: return YAZ_BIB1_UNSUPP_SEARCH;
	case CAT_NOTFOUND: return YAZ_BIB1_PRESENT_REQUEST_OUT_OF_RANGE;
	default: return YAZ_BIB1_TEMPORARY_SYSTEM_ERROR;
	}
}

/* Run the set's query (pqf) with its sort, keeping ids [offset, offset+limit)
 * (and, for a search, the hit count). A window re-run (search = 0) keeps
 * the total the search gave. On failure the set is unchanged. */
static int rset_run(struct session *ss, struct rset *s, long offset, long limit, int search,
                    ODR o, int *diag, char **addinfo)
{
	Z_RPNQuery *q = p_query_rpn(o, s->pqf);
	if (!q) {
		*diag = YAZ_BIB1_MALFORMED_QUERY;
		return -1;
	}
	/* a window re-run estimates (or not) as the search did, so that it
	 * takes the same path and order */
	struct cat_search_opts so = { .limit = limit, .offset = offset,
	                              .sort = s->sort, .descending = s->desc,
	                              .nthen = s->nthen,
	                              .estimate = search ? conf->estimate : s->estimate };
	memcpy(so.then, s->then, sizeof so.then);
	struct cat_result res = { 0 };
	strbuf err = STRBUF_INIT;
	int st = catalog_search_rpn(ss->cat, q, &so, &res, &err);
	if (st == CAT_QUERY) {
		/* the translator gives the precise Bib-1 diagnostic (114, 117 ...) */
		struct rpn_sql chk;
		memset(&chk, 0, sizeof chk);
		strbuf cerr = STRBUF_INIT;
		if (rpn2sql(q, &chk, &cerr) != 0) {
			*diag = chk.diag ? chk.diag : YAZ_BIB1_UNSUPP_SEARCH;
			*addinfo = odr_strdup(o, cerr.buf ? cerr.buf : "unsupported query");
			rpn_sql_release(&chk);
			sb_release(&cerr);
			cat_result_free(&res);
			sb_release(&err);
			return -1;
		}
		rpn_sql_release(&chk);
		sb_release(&cerr);
	}
	if (st != CAT_OK) {
		*diag = bib1_for(st);
		*addinfo = odr_strdup(o, err.buf ? err.buf : "search failed");
		cat_result_free(&res);
		sb_release(&err);
		return -1;
	}
	sb_release(&err);
	cat_ids_free(s->ids, s->n);
	s->ids = res.ids;
	s->n = res.n;
	s->off = offset;
	if (search) {
		s->total = res.total;
		s->estimate = conf->estimate;
		s->approx = res.estimated;
	}
	return 0;
}

/* ---- init/close ---- */

static int check_auth(bend_initrequest *q, struct session *ss, strbuf *why)
{
	const char *user = NULL, *pass = NULL;
	char *buf = NULL;
	if (!q->auth)
		return 0;   /* anonymous */
	if (q->auth->which == Z_IdAuthentication_open && q->auth->u.open) {
		buf = xstrdup(q->auth->u.open);
		char *slash = strchr(buf, '/');
		if (slash) {
			*slash = 0;
			pass = slash + 1;
		} else
			pass = "";
		user = buf;
	} else if (q->auth->which == Z_IdAuthentication_idPass && q->auth->u.idPass) {
		user = q->auth->u.idPass->userId;
		pass = q->auth->u.idPass->password;
	} else if (q->auth->which == Z_IdAuthentication_anonymous)
		return 0;
	if (!user || !*user) {
		free(buf);
		return 0;
	}
	int can_write = 0;
	int ok = users_check(conf->users, user, pass ? pass : "", &can_write, why);
	if (ok == 1) {
		ss->user = xstrdup(user);
		ss->can_write = can_write;
	} else if (ok == 0)
		sb_addf(why, "wrong user name or password for '%s'", user);
	free(buf);
	return ok == 1 ? 0 : -1;
}

/* SRU sortKeys (SRU 1.1/1.2, and what GFS makes of a CQL "sortby"): keys
 * separated by blanks, each "path,schema,ascending,caseSensitive,missing"
 * ("title,,1", "dc.date,,0", from sortby "title,dc,1,0,highValue"). The
 * path may carry its context set ("dc.title"); the schema is not
 * otherwise looked at. Records are ordered by the first key, those it
 * leaves tied by the second, and so on (up to 1 + CAT_SORT_THEN keys);
 * every key must name an index serve can sort by (title, creator/author,
 * date/year, rec.id), else diagnostic 88 (unsupported path for sort,
 * details: the path), and its direction must be 1, 0 or empty, else
 * diagnostic 90 (was: the key was ignored and the records came unsorted);
 * more keys get diagnostic 84 (too many sort keys, details: how many
 * serve takes). Returns 0 with s's sort keys set, or the SRU diagnostic
 * with *details (from o). */
static int sru_sort_keys(const char *keys, struct rset *s, ODR o, char **details)
{
	char **key = NULL;
	int nkeys = 0;
	nmem_strsplit_blank(odr_getmem(o), keys, &key, &nkeys);
	s->nthen = 0;
	for (int i = 0; i < nkeys; i++) {
		char **arg = NULL;
		int narg = 0;
		nmem_strsplitx(odr_getmem(o), ",", key[i], &arg, &narg, 0);
		const char *path = narg > 0 ? arg[0] : "";
		const char *dot = strrchr(path, '.');
		const char *name = dot ? dot + 1 : path;
		int k;
		if (!strcasecmp(name, "title"))
			k = CAT_SORT_TITLE;
		else if (!strcasecmp(name, "creator") || !strcasecmp(name, "author"))
			k = CAT_SORT_AUTHOR;
		else if (!strcasecmp(name, "date") || !strcasecmp(name, "year"))
			k = CAT_SORT_YEAR;
		else if (!strcasecmp(name, "id") && (!dot || !strncasecmp(path, "rec.", 4)))
			k = CAT_SORT_ID;
		else {
			*details = odr_strdup(o, path);
			return YAZ_SRW_UNSUPP_PATH_FOR_SORT;
		}
		const char *asc = narg > 2 ? arg[2] : "";
		if (*asc && strcmp(asc, "1") && strcmp(asc, "0")) {
			*details = odr_strdup(o, asc);
			return YAZ_SRW_UNSUPP_DIRECTION_VALUE;
		}
		if (i == 0) {
			s->sort = k;
			s->desc = !strcmp(asc, "0");
		} else if (i <= CAT_SORT_THEN) {
			s->then[i - 1].sort = k;
			s->then[i - 1].descending = !strcmp(asc, "0");
			s->nthen = i;
		}
	}
	if (nkeys > 1 + CAT_SORT_THEN) {
		char n[16];
		snprintf(n, sizeof n, "%d", 1 + CAT_SORT_THEN);
		*details = odr_strdup(o, n);
		return YAZ_SRW_TOO_MANY_SORT_KEYS_TO_SORT;
	}
	return 0;
}

static int srv_search(void *h, bend_search_rr *rr);
/* ---- holdings ---- */

/* The copies of record id that are not withdrawn (*cps malloc'd). */
static size_t live_copies(struct session *ss, const char *id, struct copy **cps)
{
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	*cps = NULL;
	if (copies_list(ss->cat, id, cps, &n, &err) != CAT_OK) {
		sb_release(&err);
		return 0;
	}
	sb_release(&err);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp((*cps)[i].status ? (*cps)[i].status : "", COPY_WITHDRAWN)) {
			copy_clear(&(*cps)[i]);
			continue;
		}
		(*cps)[k++] = (*cps)[i];
	}
	return k;
}

/* Add one 852 per copy to the presented record, so an online lookup shows
 * which branch holds it and where it stands. */
static void add_852(struct session *ss, rec *r, const struct copy *cps, size_t n)
{
	if (!n)
		return;
	if (!ss->holdings) {
		strbuf err = STRBUF_INIT;
		ss->holdings = item_map_default("852", &err);
		sb_release(&err);
		if (!ss->holdings)
			return;
	}
	item_map_append(ss->holdings, r, cps, n);
}

static char *os(ODR o, const char *s)
{
	return s && *s ? odr_strdup(o, s) : NULL;
}

/* The OPAC record syntax: the MARC record plus a holdings-and-circulation
 * entry per copy (branch, shelf, call number, copy number, availability). */
static Z_OPACRecord *opac_record(ODR o, const char *marc, int len, const struct copy *cps,
                                 size_t n, const char *title_callno)
{
	Z_OPACRecord *op = odr_malloc(o, sizeof *op);
	op->bibliographicRecord = z_ext_record_oid(o, yaz_oid_recsyn_usmarc, marc, len);
	op->num_holdingsData = (int)n;
	op->holdingsData = n ? odr_malloc(o, n * sizeof *op->holdingsData) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct copy *c = &cps[i];
		Z_HoldingsRecord *hr = odr_malloc(o, sizeof *hr);
		Z_HoldingsAndCircData *hd = odr_malloc(o, sizeof *hd);
		memset(hd, 0, sizeof *hd);
		hr->which = Z_HoldingsRecord_holdingsAndCirc;
		hr->u.holdingsAndCirc = hd;
		hd->typeOfRecord = odr_strdup(o, "x");
		hd->nucCode = os(o, c->branch);
		hd->localLocation = os(o, c->branch);
		hd->shelvingLocation = os(o, c->location);
		hd->callNumber = os(o, c->callno && *c->callno ? c->callno : title_callno);
		hd->copyNumber = os(o, c->volume);
		hd->publicNote = os(o, c->note);
		Z_CircRecord *cr = odr_malloc(o, sizeof *cr);
		memset(cr, 0, sizeof *cr);
		int avail = c->status && !strcmp(c->status, COPY_AVAILABLE);
		cr->availableNow = odr_booldup(o, avail);
		cr->renewable = odr_booldup(o, 0);
		cr->onHold = odr_booldup(o, 0);
		cr->itemId = os(o, c->accno);
		if (!avail)
			cr->restrictions = os(o, c->status);
		hd->num_circulationData = 1;
		hd->circulationData = odr_malloc(o, sizeof *hd->circulationData);
		hd->circulationData[0] = cr;
		op->holdingsData[i] = hr;
	}
	return op;
}

static int srv_fetch(void *h, bend_fetch_rr *rr);
static int srv_scan(void *h, bend_scan_rr *rr);
static int srv_sort(void *h, bend_sort_rr *rr);
static int srv_delete(void *h, bend_delete_rr *rr);
/* The task package of a done update: its targetReference is the record's
 * id (for an insert, the id the catalogue gave it), which ZOOM clients
 * read as the package option "targetReference". */
static Z_TaskPackage *task_package(bend_esrequest_rr *rr, const Z_IUOriginPartToKeep *req,
                                   const char *id)
{
	ODR o = rr->stream;
	Z_TaskPackage *tp = odr_malloc(o, sizeof *tp);
	memset(tp, 0, sizeof *tp);
	tp->packageType = odr_oiddup(o, rr->esr->packageType);
	tp->targetReference = odr_create_Odr_oct(o, id, strlen(id));
	tp->taskStatus = odr_intdup(o, Z_TaskPackage_complete);
	Z_External *ext = odr_malloc(o, sizeof *ext);
	memset(ext, 0, sizeof *ext);
	ext->direct_reference = odr_oiddup(o, rr->esr->packageType);
	ext->which = Z_External_update;
	ext->u.update = odr_malloc(o, sizeof *ext->u.update);
	ext->u.update->which = Z_IUUpdate_taskPackage;
	Z_IUUpdateTaskPackage *utp = odr_malloc(o, sizeof *utp);
	ext->u.update->u.taskPackage = utp;
	Z_IUOriginPartToKeep *keep = odr_malloc(o, sizeof *keep);
	memset(keep, 0, sizeof *keep);
	keep->action = odr_intdup(o, *req->action);
	keep->databaseName = req->databaseName ? odr_strdup(o, req->databaseName) : NULL;
	Z_IUTargetPart *tpart = odr_malloc(o, sizeof *tpart);
	memset(tpart, 0, sizeof *tpart);
	tpart->updateStatus = odr_intdup(o, Z_IUTargetPart_success);
	tpart->globalDiagnostics = (Z_DiagRec **)odr_nullval();
	tpart->num_taskPackageRecords = 1;
	tpart->taskPackageRecords = odr_malloc(o, sizeof *tpart->taskPackageRecords);
	Z_IUTaskPackageRecordStructure *trs = odr_malloc(o, sizeof *trs);
	memset(trs, 0, sizeof *trs);
	trs->which = Z_IUTaskPackageRecordStructure_record;
	trs->u.record = z_ext_record_sutrs(o, id, (int)strlen(id));
	trs->recordStatus = odr_intdup(o, Z_IUTaskPackageRecordStructure_success);
	tpart->taskPackageRecords[0] = trs;
	utp->originPart = keep;
	utp->targetPart = tpart;
	tp->taskSpecificParameters = ext;
	return tp;
}

static int srv_es(void *h, bend_esrequest_rr *rr);
static int srv_update(void *h, bend_update_rr *rr);

static bend_initresult *srv_init(bend_initrequest *q)
{
	i18n_lower_english(1);    /* this session's thread (see the top of the file) */
	bend_initresult *r = odr_malloc(q->stream, sizeof *r);
	struct session *ss = xcalloc(1, sizeof *ss);
	strbuf err = STRBUF_INIT;
	r->errcode = 0;
	r->errstring = NULL;
	r->handle = ss;
	q->implementation_name = "bienmuc";
	q->implementation_version = BM_SERVER_VERSION;
	q->query_charset = "UTF-8";
	q->records_in_same_charset = 1;
	q->bend_search = srv_search;
	q->bend_fetch = srv_fetch;
	q->bend_scan = srv_scan;
	q->bend_srw_scan = srv_scan;
	q->bend_sort = srv_sort;
	q->bend_delete = srv_delete;
	q->bend_esrequest = srv_es;
	q->bend_srw_update = srv_update;
	if (check_auth(q, ss, &err) < 0) {
		r->errcode = YAZ_BIB1_INIT_AC_AUTHENTICATION_SYSTEM_ERROR;
		r->errstring = odr_strdup(q->stream, err.buf ? err.buf : "authentication failed");
		yaz_log(YLOG_LOG, "init refused from %s: %s", q->peer_name ? q->peer_name : "?",
		        r->errstring);
		sb_release(&err);
		return r;
	}
	/* the journal names the user who saved: the store reads it at open
	 * (with -T the environment is shared by every session: set it and
	 * open under a lock; an anonymous session gets the starting value) */
	pthread_mutex_lock(&open_lock);
	if (ss->user)
		setenv("BIENMUC_USER", ss->user, 1);
	else if (start_user)
		setenv("BIENMUC_USER", start_user, 1);
	else
		unsetenv("BIENMUC_USER");
	ss->cat = catalog_open(conf->db, conf->readonly ? CAT_OPEN_READONLY : 0, &err);
	pthread_mutex_unlock(&open_lock);
	if (!ss->cat) {
		r->errcode = YAZ_BIB1_DATABASE_UNAVAILABLE;
		r->errstring = odr_strdup(q->stream, err.buf ? err.buf : "cannot open the catalogue");
		yaz_log(YLOG_WARN, "cannot open catalogue %s: %s", conf->db, r->errstring);
	}
	ss->r = rec_create();
	yaz_log(YLOG_LOG, "session from %s, user %s", q->peer_name ? q->peer_name : "?",
	        ss->user ? ss->user : "(anonymous)");
	sb_release(&err);
	return r;
}

static void srv_close(void *h)
{
	struct session *ss = h;
	if (!ss)
		return;
	for (int i = 0; i < MAX_SETS; i++)
		rset_clear(&ss->sets[i]);
	catalog_close(ss->cat);
	rec_destroy(ss->r);
	item_map_destroy(ss->holdings);
	free(ss->user);
	free(ss);
}

static int db_ok(int n, char **names, int *diag, char **addinfo)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], conf->dbname) && strcmp(names[i], "Default")) {
			*diag = YAZ_BIB1_DATABASE_DOES_NOT_EXIST;
			*addinfo = names[i];
			return 0;
		}
	return 1;
}

/* ---- search ---- */

static int srv_search(void *h, bend_search_rr *rr)
{
	struct session *ss = h;
	if (!ss->cat) {
		rr->errcode = YAZ_BIB1_DATABASE_UNAVAILABLE;
		return 0;
	}
	if (!db_ok(rr->num_bases, rr->basenames, &rr->errcode, &rr->errstring))
		return 0;
	if (rr->query->which != Z_Query_type_1 && rr->query->which != Z_Query_type_101) {
		rr->errcode = YAZ_BIB1_QUERY_TYPE_UNSUPP;
		return 0;
	}
	WRBUF w = wrbuf_alloc();
	yaz_rpnquery_to_wrbuf(w, rr->query->u.type_1);
	struct rset *s = rset_find(ss, rr->setname ? rr->setname : "default", 1);
	free(s->pqf);
	s->pqf = xstrdup(wrbuf_cstr(w));
	wrbuf_destroy(w);
	s->sort = CAT_SORT_RELEVANCE;
	s->desc = 0;
	s->nthen = 0;
	if (rr->srw_sortKeys && *rr->srw_sortKeys) {
		int srw = sru_sort_keys(rr->srw_sortKeys, s, rr->stream, &rr->errstring);
		if (srw) {
			/* GFS turns errcode into an SRU diagnostic: see
			 * __wrap_yaz_diag_bib1_to_srw */
			rr->errcode = SRW_DIAG_OWN + srw;
			yaz_log(YLOG_LOG, "search %s: sortKeys '%s': SRU diagnostic %d %s", s->pqf,
			        rr->srw_sortKeys, srw, rr->errstring ? rr->errstring : "");
			return 0;
		}
	}
	char *addinfo = NULL;
	long first = rr->present_number > SET_FIRST ? (long)rr->present_number : SET_FIRST;
	if (first > SET_MAX_FIRST)
		first = SET_MAX_FIRST;
	if (rset_run(ss, s, 0, first, 1, rr->stream, &rr->errcode, &addinfo) < 0) {
		rr->errstring = addinfo;
		yaz_log(YLOG_LOG, "search %s: diagnostic %d %s", s->pqf, rr->errcode,
		        addinfo ? addinfo : "");
		return 0;
	}
	rr->hits = s->total;
	rr->estimated_hit_count = s->approx;
	yaz_log(YLOG_LOG, "search %s: %ld hits", s->pqf, s->total);
	return 0;
}

/* ---- fetch ---- */

/* Serialise r as fmt into a buffer from the ODR stream; for MARCXML, one
 * <record> element with the MARC21/slim namespace (no XML declaration,
 * no collection), as SRU and Z39.50 XML syntax expect. */
static char *serialise(ODR o, const rec *r, int fmt, int *len, strbuf *err)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	if (!fp) {
		sb_adds(err, "out of memory");
		return NULL;
	}
	struct marc_write_opts wo = { fmt, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &wo);
	int rc = w ? marc_writer_put(w, r, err) : -1;
	marc_writer_close(w);
	fclose(fp);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	const char *start = buf, *end = buf + n;
	strbuf x = STRBUF_INIT;
	if (fmt == MF_MARCXML) {
		const char *a = strstr(buf, "<record");
		const char *b = a ? strstr(a, "</record>") : NULL;
		if (!a || !b) {
			free(buf);
			sb_adds(err, "cannot write the record as MARCXML");
			return NULL;
		}
		b += strlen("</record>");
		const char *gt = strchr(a, '>');
		sb_adds(&x, "<record xmlns=\"http://www.loc.gov/MARC21/slim\"");
		if (!strstr(a, "xmlns") || strstr(a, "xmlns") > gt)
			sb_add(&x, a + 7, (size_t)(b - a - 7));
		else
			sb_add(&x, gt, (size_t)(b - gt));
		start = x.buf;
		end = x.buf + x.len;
	}
	*len = (int)(end - start);
	char *out = odr_strdupn(o, start, (size_t)(end - start));
	sb_release(&x);
	free(buf);
	return out;
}

/* Is esn (NULL or "": none) an element set name or SRU record schema we
 * serve in format fmt? F and B, in every syntax, give the full record
 * (there is no brief form); the MARCXML schema names only in XML. */
static int esn_ok(const char *esn, int fmt)
{
	if (!esn || !*esn || !strcmp(esn, "F") || !strcmp(esn, "B"))
		return 1;
	return fmt == MF_MARCXML && (!strcmp(esn, "marcxml") || !strcmp(esn, "MARC21-xml") ||
	                             !strcmp(esn, "info:srw/schema/1/marcxml-v1.1"));
}

static int srv_fetch(void *h, bend_fetch_rr *rr)
{
	struct session *ss = h;
	struct rset *s = rset_find(ss, rr->setname ? rr->setname : "default", 0);
	if (!s) {
		rr->errcode = YAZ_BIB1_SPECIFIED_RESULT_SET_DOES_NOT_EXIST;
		rr->errstring = rr->setname;
		return 0;
	}
	long pos = rr->number;         /* 1-based */
	if (pos < 1 || pos > s->total) {
		rr->errcode = YAZ_BIB1_PRESENT_REQUEST_OUT_OF_RANGE;
		return 0;
	}
	if (pos - 1 < s->off || pos - 1 >= s->off + (long)s->n) {
		/* outside the window: fetch the window holding pos */
		char *addinfo = NULL;
		long from = (pos - 1) / SET_WINDOW * SET_WINDOW;
		if (rset_run(ss, s, from, SET_WINDOW, 0, rr->stream, &rr->errcode, &addinfo) < 0 ||
		    pos - 1 >= s->off + (long)s->n) {
			if (!rr->errcode)
				rr->errcode = YAZ_BIB1_PRESENT_REQUEST_OUT_OF_RANGE;
			rr->errstring = addinfo;
			return 0;
		}
	}
	const char *id = s->ids[pos - 1 - s->off];
	strbuf err = STRBUF_INIT;
	int st = catalog_fetch(ss->cat, id, ss->r, NULL, &err);
	if (st != CAT_OK) {
		rr->errcode = YAZ_BIB1_SYSTEM_ERROR_IN_PRESENTING_RECORDS;
		rr->errstring = odr_strdup(rr->stream, err.buf ? err.buf : id);
		rr->surrogate_flag = 1;
		goto done;
	}
	const Odr_oid *want = rr->request_format;
	int fmt, opac = 0;
	if (!want || !oid_oidcmp(want, yaz_oid_recsyn_usmarc) ||
	    !oid_oidcmp(want, yaz_oid_recsyn_marc21))
		fmt = MF_ISO2709;
	else if (!oid_oidcmp(want, yaz_oid_recsyn_xml))
		fmt = MF_MARCXML;
	else if (!oid_oidcmp(want, yaz_oid_recsyn_opac)) {
		fmt = MF_ISO2709;
		opac = 1;
	} else {
		rr->errcode = YAZ_BIB1_RECORD_SYNTAX_UNSUPP;
		rr->surrogate_flag = 1;
		goto done;
	}
	/* SRU gives its recordSchema in rr->schema, Z39.50 an element set name */
	const char *esn = rr->schema && *rr->schema ? rr->schema : yaz_get_esn(rr->comp);
	if (!esn_ok(esn, fmt)) {
		rr->errcode = YAZ_BIB1_SPECIFIED_ELEMENT_SET_NAME_NOT_VALID_FOR_SPECIFIED_;
		rr->errstring = odr_strdup(rr->stream, esn);
		rr->surrogate_flag = 1;
		goto done;
	}
	struct copy *cps = NULL;
	size_t ncp = live_copies(ss, id, &cps);
	if (!opac)
		add_852(ss, ss->r, cps, ncp);
	rr->record = serialise(rr->stream, ss->r, fmt, &rr->len, &err);
	if (rr->record && opac) {
		const char *cn_a = rec_get(ss->r, "090", 'a'), *cn_b = rec_get(ss->r, "090", 'b');
		strbuf cn = STRBUF_INIT;
		if (cn_a)
			sb_adds(&cn, cn_a);
		if (cn_b) {
			if (cn.len)
				sb_addc(&cn, ' ');
			sb_adds(&cn, cn_b);
		}
		rr->record = (char *)opac_record(rr->stream, rr->record, rr->len, cps, ncp, cn.buf);
		rr->len = -1;
		sb_release(&cn);
	}
	copies_free(cps, ncp);
	if (!rr->record) {
		/* e.g. too long for ISO 2709: say so, suggest XML */
		rr->errcode = YAZ_BIB1_RECORD_EXCEEDS_PREFERRED_MESSAGE_SIZE;
		rr->errstring = odr_strdup(rr->stream, err.buf ? err.buf : "cannot serialise");
		rr->surrogate_flag = 1;
		goto done;
	}
	rr->output_format = odr_oiddup(rr->stream, opac ? yaz_oid_recsyn_opac :
	                               fmt == MF_MARCXML ? yaz_oid_recsyn_xml : yaz_oid_recsyn_usmarc);
	if (fmt == MF_MARCXML)
		rr->schema = odr_strdup(rr->stream, "info:srw/schema/1/marcxml-v1.1");
	rr->basename = odr_strdup(rr->stream, conf->dbname);
	rr->last_in_set = pos == s->total;
done:
	sb_release(&err);
	return 0;
}

/* ---- scan ---- */

static int use_attr(const Z_AttributeList *al)
{
	if (!al)
		return 0;
	for (int i = 0; i < al->num_attributes; i++) {
		const Z_AttributeElement *e = al->attributes[i];
		if (e->attributeType && *e->attributeType == 1 && e->which == Z_AttributeValue_numeric)
			return (int)*e->value.numeric;
	}
	return 0;
}

static int srv_scan(void *h, bend_scan_rr *rr)
{
	struct session *ss = h;
	if (!rr->term || !rr->term->term || rr->term->term->which != Z_Term_general) {
		rr->errcode = YAZ_BIB1_UNSUPP_SEARCH;
		return 0;
	}
	const char *index;
	switch (use_attr(rr->term->attributes)) {
	case 0: case 4: case 6: case 1016: index = "title"; break;
	case 1003: case 1004: case 1005: case 1006: case 1002: index = "author"; break;
	case 21: index = "subject"; break;
	case 13: case 16: case 20: index = "callno"; break;
	default:
		rr->errcode = YAZ_BIB1_UNSUPP_USE_ATTRIBUTE;
		return 0;
	}
	char *from = odr_strdupn(rr->stream, (const char *)rr->term->term->u.general->buf,
	                         (size_t)rr->term->term->u.general->len);
	struct cat_heading *hd = NULL, *fwd = NULL;
	size_t nh = 0, nf = 0;
	strbuf err = STRBUF_INIT;
	int want = rr->num_entries > 0 ? rr->num_entries : 10;
	/* the client's preferred position of the term (GFS puts Z39.50's
	 * preferredPositionInResponse and SRU's responsePosition in
	 * term_position): the headings before it come first; a back end
	 * that cannot look back answers from the term on */
	int back = rr->term_position > 1 ? rr->term_position - 1 : 0;
	if (back > want)
		back = want;
	int st = CAT_OK;
	if (back && *from) {
		st = catalog_browse_before(ss->cat, index, from, (size_t)back, &hd, &nh, &err);
		if (st == CAT_UNSUPPORTED) {
			st = CAT_OK;
			sb_reset(&err);
		}
	}
	if (st == CAT_OK && (int)nh < want)
		st = catalog_browse(ss->cat, index, from, (size_t)want - nh, &fwd, &nf, &err);
	if (st != CAT_OK) {
		rr->errcode = YAZ_BIB1_TEMPORARY_SYSTEM_ERROR;
		rr->errstring = odr_strdup(rr->stream, err.buf ? err.buf : "scan failed");
		cat_headings_free(hd, nh);
		cat_headings_free(fwd, nf);
		sb_release(&err);
		return 0;
	}
	size_t n = nh + nf;
	rr->entries = odr_malloc(rr->stream, (n ? n : 1) * sizeof *rr->entries);
	for (size_t i = 0; i < n; i++) {
		const struct cat_heading *x = i < nh ? &hd[i] : &fwd[i - nh];
		memset(&rr->entries[i], 0, sizeof rr->entries[i]);
		rr->entries[i].term = odr_strdup(rr->stream, x->heading);
		rr->entries[i].display_term = rr->entries[i].term;
		rr->entries[i].occurrences = x->count;
	}
	rr->num_entries = (int)n;
	/* where the term (or the first heading after it) stands: after the
	 * headings found before it, fewer than asked for at the index's start */
	rr->term_position = (int)nh + 1;
	rr->status = (int)n < want ? BEND_SCAN_PARTIAL : BEND_SCAN_SUCCESS;
	cat_headings_free(hd, nh);
	cat_headings_free(fwd, nf);
	sb_release(&err);
	return 0;
}

/* ---- sort ---- */

static int srv_sort(void *h, bend_sort_rr *rr)
{
	struct session *ss = h;
	if (rr->num_input_setnames != 1) {
		rr->errcode = YAZ_BIB1_SORT_TOO_MANY_INPUT_RESULTS;
		rr->sort_status = Z_SortResponse_failure;
		return 0;
	}
	struct rset *in = rset_find(ss, rr->input_setnames[0], 0);
	if (!in) {
		rr->errcode = YAZ_BIB1_SPECIFIED_RESULT_SET_DOES_NOT_EXIST;
		rr->errstring = rr->input_setnames[0];
		rr->sort_status = Z_SortResponse_failure;
		return 0;
	}
	/* the keys in order: the first orders the records, each further one
	 * those the keys before it leave tied; none: by title */
	int sort = CAT_SORT_TITLE, desc = 0, nthen = 0;
	struct cat_sort_key then[CAT_SORT_THEN];
	int nspecs = rr->sort_sequence ? rr->sort_sequence->num_specs : 0;
	if (nspecs > 1 + CAT_SORT_THEN) {
		char why[40];
		snprintf(why, sizeof why, "at most %d sort keys", 1 + CAT_SORT_THEN);
		rr->errcode = YAZ_BIB1_TOO_MANY_SORT_KEYS;
		rr->errstring = odr_strdup(rr->stream, why);
		rr->sort_status = Z_SortResponse_failure;
		return 0;
	}
	for (int i = 0; i < nspecs; i++) {
		Z_SortKeySpec *spec = rr->sort_sequence->specs[i];
		int k = CAT_SORT_TITLE;
		int d = spec->sortRelation && *spec->sortRelation == Z_SortKeySpec_descending;
		if (spec->sortElement && spec->sortElement->which == Z_SortElement_generic) {
			Z_SortKey *key = spec->sortElement->u.generic;
			int use = 0;
			const char *field = NULL;
			if (key->which == Z_SortKey_sortAttributes)
				use = use_attr(key->u.sortAttributes->list);
			else if (key->which == Z_SortKey_sortField)
				field = key->u.sortField;
			if (use == 1003 || use == 1004 || (field && strstr(field, "author")))
				k = CAT_SORT_AUTHOR;
			else if (use == 30 || use == 31 || (field && (strstr(field, "year") || strstr(field, "date"))))
				k = CAT_SORT_YEAR;
			else if (use == 12 || (field && (!strcmp(field, "id") || !strcmp(field, "rec.id"))))
				k = CAT_SORT_ID;
			else if (use == 4 || use == 0 || (field && strstr(field, "title")))
				k = CAT_SORT_TITLE;
			else {
				/* which key, so that a client can tell (addinfo) */
				char why[160];       /* the longest: 126 bytes */
				if (field)
					snprintf(why, sizeof why, "sort key %d: cannot sort by '%.60s' "
					         "(title, author, date, id)", i + 1, field);
				else
					snprintf(why, sizeof why, "sort key %d: cannot sort by use attribute %d "
					         "(4 title, 1003 author, 31 date, 12 id)", i + 1, use);
				rr->errcode = YAZ_BIB1_CANNOT_SORT_ACCORDING_TO_SEQUENCE;
				rr->errstring = odr_strdup(rr->stream, why);
				rr->sort_status = Z_SortResponse_failure;
				return 0;
			}
		}
		if (i == 0) {
			sort = k;
			desc = d;
		} else {
			then[nthen].sort = k;
			then[nthen++].descending = d;
		}
	}
	char *pqf = xstrdup(in->pqf);
	struct rset *out = rset_find(ss, rr->output_setname, 1);
	if (out != in) {
		free(out->pqf);
		out->pqf = pqf;
	} else
		free(pqf);
	out->sort = sort;
	out->desc = desc;
	out->nthen = nthen;
	memcpy(out->then, then, (size_t)nthen * sizeof *then);
	char *addinfo = NULL;
	if (rset_run(ss, out, 0, SET_FIRST, 1, rr->stream, &rr->errcode, &addinfo) < 0) {
		rr->errstring = addinfo;
		rr->sort_status = Z_SortResponse_failure;
		return 0;
	}
	rr->sort_status = Z_SortResponse_success;
	return 0;
}

static int srv_delete(void *h, bend_delete_rr *rr)
{
	struct session *ss = h;
	for (int i = 0; i < rr->num_setnames; i++) {
		struct rset *s = rset_find(ss, rr->setnames[i], 0);
		if (s)
			rset_clear(s);
	}
	if (rr->function == Z_DeleteResultSetRequest_all)
		for (int i = 0; i < MAX_SETS; i++)
			rset_clear(&ss->sets[i]);
	rr->delete_status = Z_DeleteStatus_success;
	return 0;
}

/* ---- updates ---- */

/* Read one record (ISO 2709, MARCXML, ...) from bytes. */
static int parse_record(const char *buf, size_t len, rec *r, strbuf *err)
{
	FILE *fp = fmemopen((void *)buf, len, "rb");
	if (!fp) {
		sb_adds(err, "cannot read the record");
		return -1;
	}
	struct marc_read_opts ro = { MF_AUTO, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(fp, "update", &ro, err);
	int rc = -1;
	if (rd) {
		int st = marc_reader_next(rd, r);
		if (st == MR_OK)
			rc = 0;
		else if (st == MR_BAD)
			sb_addf(err, "bad record: %s", marc_reader_error(rd));
		else
			sb_adds(err, "no record in the update");
	}
	marc_reader_close(rd);
	fclose(fp);
	return rc;
}

/* Take out of r the 852 fields add_852 presented for the copies of id
 * (those whose $p is one of its accession numbers): a client that saves
 * the record it read sends them back, and stored they would be presented
 * again beside the live ones, once more after every save. */
static void drop_presented_852(struct session *ss, rec *r, const char *id)
{
	struct copy *cps = NULL;
	size_t n = 0;
	strbuf err = STRBUF_INIT;
	if (copies_list(ss->cat, id, &cps, &n, &err) != CAT_OK || !n) {
		sb_release(&err);
		return;
	}
	sb_release(&err);
	for (long f = rec_find(r, "852", 0); f >= 0; ) {
		long sp = rec_find_sub(r, (size_t)f, 'p');
		const char *p = sp >= 0 ? rec_sub_value(r, (size_t)f, (size_t)sp, NULL) : NULL;
		int ours = 0;
		for (size_t i = 0; p && !ours && i < n; i++)
			ours = cps[i].accno && !strcmp(cps[i].accno, p);
		if (ours) {
			rec_delete_field(r, (size_t)f);
			f = rec_find(r, "852", (size_t)f);
		} else {
			f = rec_find(r, "852", (size_t)f + 1);
		}
	}
	copies_free(cps, n);
}

/* Inserts sent twice. A client whose connection is lost after it sent an
 * insert cannot tell whether the insert arrived, and sends it again
 * (catalog-z3950.c): the record has no number of its own yet, so the
 * second go would make a second copy. The client therefore sends each
 * insert with a request id of its own (the ES Update's correlationInfo
 * note, the same on the second go), and the server keeps the ids of the
 * last hour's inserts in one catalogue setting, INSERT_IDS_KEY, one line
 * "TIME<tab>USER<tab>REQUEST<tab>RECORD-ID" per insert (at most
 * INSERT_IDS_MAX), written in the insert's own transaction: the record
 * and its request id are saved together or not at all, and two sessions
 * with the same id (the first go still running) take turns, so the one
 * that comes second finds the first one's line and answers with that
 * record instead of saving another. Nothing is added to the record. */
#define INSERT_IDS_KEY "es_insert_ids"
#define INSERT_IDS_AGE 3600
#define INSERT_IDS_MAX 1000

/* A request id fit to keep: short, printable, no tab or newline. */
static int reqid_ok(const char *q)
{
	size_t n = 0;
	for (; q && q[n]; n++)
		if ((unsigned char)q[n] < 0x20 || n >= 100)
			return 0;
	return n > 0;
}

/* Split line (modified) into its 4 tab-separated parts; 0 if it has not. */
static int insert_line(char *line, char *part[4])
{
	for (int i = 0; i < 4; i++) {
		part[i] = line;
		char *t = strchr(line, '\t');
		if (i < 3 && !t)
			return 0;
		if (t && i < 3) {
			*t = 0;
			line = t + 1;
		}
	}
	return 1;
}

/* The record id an insert with request id reqid by user saved in the
 * last INSERT_IDS_AGE seconds (malloc'd), or NULL. */
static char *insert_seen(catalog *cat, const char *user, const char *reqid)
{
	char *list = catalog_get_setting(cat, INSERT_IDS_KEY), *found = NULL;
	long now = (long)time(NULL);
	for (char *line = list, *next; line && *line && !found; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		char *part[4];
		if (insert_line(line, part) && now - atol(part[0]) <= INSERT_IDS_AGE &&
		    !strcmp(part[1], user) && !strcmp(part[2], reqid))
			found = xstrdup(part[3]);
	}
	free(list);
	return found;
}

/* Add "now user reqid id" to the setting, dropping lines over the age
 * and the oldest over INSERT_IDS_MAX. */
static int insert_keep(catalog *cat, const char *user, const char *reqid, const char *id,
                       strbuf *err)
{
	char *list = catalog_get_setting(cat, INSERT_IDS_KEY);
	long now = (long)time(NULL);
	size_t nl = 0;
	for (const char *p = list; p && *p; p++)
		nl += *p == '\n';
	size_t skip = nl + 1 > INSERT_IDS_MAX ? nl + 1 - INSERT_IDS_MAX : 0;
	strbuf out = STRBUF_INIT;
	for (char *line = list, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (skip) {
			skip--;
			continue;
		}
		if (now - atol(line) <= INSERT_IDS_AGE)
			sb_addf(&out, "%s\n", line);
	}
	sb_addf(&out, "%ld\t%s\t%s\t%s\n", now, user, reqid, id);
	int st = catalog_set_setting(cat, INSERT_IDS_KEY, out.buf, err);
	sb_release(&out);
	free(list);
	return st;
}

/* The common part of Z39.50 ES Update and SRU Update. op: 'i' insert,
 * 'r' replace, 'd' delete; reqid: the client's id of an insert (see
 * INSERT_IDS_KEY), or NULL. Returns 0 or a Bib-1 diagnostic, with a
 * message in err; *newid gets the record's id. */
static int do_update(struct session *ss, int op, const char *id, const char *reqid,
                     const char *data, size_t len, char **newid, strbuf *err)
{
	if (!ss->user || !ss->can_write) {
		sb_adds(err, ss->user ? "this user may only search" :
		        "updates need a user name and password (bienmuc passwd)");
		return YAZ_BIB1_ES_PERMISSION_DENIED_ON_ES_CANNOT_MODIFY_OR_DELETE;
	}
	if (!ss->cat) {
		sb_adds(err, "the catalogue is not open");
		return YAZ_BIB1_DATABASE_UNAVAILABLE;
	}
	rec *r = ss->r;
	rec_clear(r);
	if (data && len && parse_record(data, len, r, err) < 0)
		return YAZ_BIB1_ES_IMMEDIATE_EXECUTION_FAILED;
	if ((!data || !len) && op != 'd') {
		sb_adds(err, "the update carries no record");
		return YAZ_BIB1_ES_MISSING_MANDATORY_PARAMETER_FOR_SPECIFIED_FUNCTION_;
	}
	const char *rid = id && *id ? id : rec_get_control(r, "001");
	struct cat_save_opts so = { .action = NULL };
	int st;
	if (op == 'i') {
		long v;
		/* a request id: look for it and save in one transaction (a
		 * catalogue that has none saves as without) */
		strbuf terr = STRBUF_INIT;
		int bst = reqid_ok(reqid) ? catalog_begin(ss->cat, &terr) : CAT_UNSUPPORTED;
		int tx = bst == CAT_OK;
		if (bst != CAT_OK && bst != CAT_UNSUPPORTED) {
			sb_adds(err, terr.buf ? terr.buf : "cannot start the insert");
			sb_release(&terr);
			return YAZ_BIB1_ES_IMMEDIATE_EXECUTION_FAILED;
		}
		sb_release(&terr);
		char *seen = tx ? insert_seen(ss->cat, ss->user, reqid) : NULL;
		if (seen) {
			yaz_log(YLOG_LOG, "update i %s by %s: a repeated request (%s): saved already",
			        seen, ss->user, reqid);
			catalog_abort(ss->cat);
			st = CAT_OK;
			if (newid)
				*newid = seen;
			else
				free(seen);
		} else {
			st = catalog_save(ss->cat, r, CAT_NEW, &so, &v, err);
			if (st == CAT_OK && tx)
				st = insert_keep(ss->cat, ss->user, reqid, rec_get_control(r, "001"), err);
			if (st == CAT_OK && tx)
				st = catalog_commit(ss->cat, err);
			else if (tx)
				catalog_abort(ss->cat);
			if (st == CAT_OK && newid)
				*newid = xstrdup(rec_get_control(r, "001"));
		}
	} else {
		if (!rid) {
			sb_adds(err, "no record id (recordIdOpaque or 001)");
			return YAZ_BIB1_ES_MISSING_MANDATORY_PARAMETER_FOR_SPECIFIED_FUNCTION_;
		}
		/* the version the client read travels in 005: compare */
		rec *cur = rec_create();
		struct cat_version ver;
		memset(&ver, 0, sizeof ver);
		st = catalog_fetch(ss->cat, rid, cur, &ver, err);
		const char *sent005 = data && len ? rec_get_control(r, "005") : NULL;
		const char *cur005 = rec_get_control(cur, "005");
		if (st == CAT_OK && sent005 && cur005 && strcmp(sent005, cur005)) {
			sb_addf(err, "record '%s' was changed by another user since it was read "
			        "(its version is %s, yours %s)", rid, cur005, sent005);
			st = CAT_CONFLICT;
		} else if (st == CAT_OK && op == 'r') {
			if (!rec_get_control(r, "001"))
				rec_insert_control(r, 0, "001", rid, strlen(rid));
			else if (strcmp(rec_get_control(r, "001"), rid)) {
				long f = rec_find(r, "001", 0);
				rec_set_data(r, (size_t)f, rid, strlen(rid));
			}
			drop_presented_852(ss, r, rid);
			st = catalog_save(ss->cat, r, ver.version, &so, NULL, err);
		} else if (st == CAT_OK)
			st = catalog_delete(ss->cat, rid, ver.version, &so, err);
		if (newid)
			*newid = xstrdup(rid);
		cat_version_clear(&ver);
		rec_destroy(cur);
	}
	if (st == CAT_OK)
		return 0;
	if (st == CAT_NOTFOUND)
		return YAZ_BIB1_ES_IMMEDIATE_EXECUTION_FAILED;
	return YAZ_BIB1_ES_IMMEDIATE_EXECUTION_FAILED;
}

static int srv_es(void *h, bend_esrequest_rr *rr)
{
	struct session *ss = h;
	Z_External *ext = rr->esr->taskSpecificParameters;
	if (!ext || ext->which != Z_External_update || ext->u.update->which != Z_IUUpdate_esRequest) {
		rr->errcode = YAZ_BIB1_ES_EXTENDED_SERVICE_TYPE_UNSUPP;
		return 0;
	}
	Z_IUUpdateEsRequest *up = ext->u.update->u.esRequest;
	Z_IUOriginPartToKeep *keep = up->toKeep;
	if (!keep || !keep->action) {
		rr->errcode = YAZ_BIB1_ES_INVALID_ACTION;
		return 0;
	}
	if (keep->databaseName && strcmp(keep->databaseName, conf->dbname) &&
	    strcmp(keep->databaseName, "Default")) {
		rr->errcode = YAZ_BIB1_DATABASE_DOES_NOT_EXIST;
		rr->errstring = keep->databaseName;
		return 0;
	}
	int op;
	switch (*keep->action) {
	case Z_IUOriginPartToKeep_recordInsert: op = 'i'; break;
	case Z_IUOriginPartToKeep_recordReplace: op = 'r'; break;
	case Z_IUOriginPartToKeep_recordDelete: op = 'd'; break;
	case Z_IUOriginPartToKeep_specialUpdate: op = 'r'; break;
	default:
		rr->errcode = YAZ_BIB1_ES_INVALID_ACTION;
		return 0;
	}
	Z_IUOriginPartNotToKeep *nk = up->notToKeep;
	if (!nk || nk->num < 1) {
		rr->errcode = YAZ_BIB1_ES_MISSING_MANDATORY_PARAMETER_FOR_SPECIFIED_FUNCTION_;
		rr->errstring = "no record in the update";
		return 0;
	}
	for (int i = 0; i < nk->num; i++) {
		Z_IUSuppliedRecords_elem *el = nk->elements[i];
		char id[256] = "";
		if (el->u.opaque && el->which == Z_IUSuppliedRecords_elem_opaque) {
			size_t n = (size_t)el->u.opaque->len < sizeof id - 1 ? (size_t)el->u.opaque->len : sizeof id - 1;
			memcpy(id, el->u.opaque->buf, n);
			id[n] = 0;
		} else if (el->which == Z_IUSuppliedRecords_elem_number && el->u.number)
			snprintf(id, sizeof id, "%lld", (long long)*el->u.number);
		else if (el->which == Z_IUSuppliedRecords_elem_string && el->u.string)
			snprintf(id, sizeof id, "%s", el->u.string);
		const char *data = NULL;
		size_t len = 0;
		if (el->record && el->record->which == Z_External_octet) {
			data = (const char *)el->record->u.octet_aligned->buf;
			len = (size_t)el->record->u.octet_aligned->len;
		} else if (el->record && el->record->which == Z_External_sutrs) {
			data = (const char *)el->record->u.sutrs->buf;
			len = (size_t)el->record->u.sutrs->len;
		}
		const char *reqid = el->correlationInfo ? el->correlationInfo->note : NULL;
		strbuf err = STRBUF_INIT;
		char *newid = NULL;
		int diag = do_update(ss, op, id, op == 'i' ? reqid : NULL, data, len, &newid, &err);
		yaz_log(YLOG_LOG, "update %c %s by %s: %s", op, newid ? newid : id,
		        ss->user ? ss->user : "(anonymous)", diag ? err.buf : "done");
		if (!diag && newid)
			rr->taskPackage = task_package(rr, keep, newid);
		free(newid);
		if (diag) {
			rr->errcode = diag;
			rr->errstring = odr_strdup(rr->stream, err.buf ? err.buf : "update failed");
			sb_release(&err);
			return 0;
		}
		sb_release(&err);
	}
	rr->errcode = 0;
	return 0;
}

static int srv_update(void *h, bend_update_rr *rr)
{
	struct session *ss = h;
	int op = 0;
	if (rr->operation) {
		if (strstr(rr->operation, "insert"))
			op = 'i';
		else if (strstr(rr->operation, "replace"))
			op = 'r';
		else if (strstr(rr->operation, "delete"))
			op = 'd';
	}
	if (!op) {
		rr->operation_status = "fail";
		rr->message = "unknown operation";
		return 0;
	}
	strbuf err = STRBUF_INIT;
	char *newid = NULL;
	int diag = do_update(ss, op, rr->record_id, NULL, rr->record_data,
	                     rr->record_data ? strlen(rr->record_data) : 0, &newid, &err);
	if (diag) {
		rr->operation_status = "fail";
		rr->message = odr_strdup(rr->stream, err.buf ? err.buf : "update failed");
	} else {
		rr->operation_status = "success";
		if (newid)
			rr->record_id = odr_strdup(rr->stream, newid);
	}
	free(newid);
	sb_release(&err);
	return 0;
}

int server_run(int argc, char **argv)
{
	const char *u = getenv("BIENMUC_USER");
	start_user = u ? xstrdup(u) : NULL;
	int was_english = i18n_lower_english(1);   /* inherited by forked sessions */
	int rc = statserv_main(argc, argv, srv_init, srv_close);
	i18n_lower_english(was_english);
	free(start_user);
	start_user = NULL;
	return rc;
}
