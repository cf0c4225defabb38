/*
 * catalog-z3950.c - the networked catalogue back end: a remote catalogue
 * (`bienmuc serve`, or another Z39.50 server) behind the catalogue
 * interface, opened as z3950://[user:pass@]host:port/db (or tcp:...).
 *
 *   search   RPN sent as it is (PQF), ids = the 001 of each hit
 *   fetch    search @attr 1=12 ID, present usmarc (through the firewall)
 *   save     Extended Services Update: insert, or replace carrying the
 *            record's 005 as read (the server refuses a stale one); an
 *            insert carries a request id of its own (see es_update)
 *   delete   ES Update recordDelete, with the 005 read
 *   browse   Z39.50 scan (browse_before: not offered, CAT_UNSUPPORTED;
 *            a scan does not say which terms come before the start)
 *   match    searches by ISBN, ISSN and LCCN
 * A record's version is its 005 as a number (YYYYMMDDhhmmss): the
 * remote journal is not visible through Z39.50, so history, rollback,
 * undelete and batches answer CAT_UNSUPPORTED. A target that refuses
 * updates (no ES, or diagnostic 221-223) makes a save CAT_READONLY.
 *
 * Credentials: from the URL, else $BIENMUC_Z3950_USER / _PASS.
 * Connections are synchronous (the workstation waits for its own
 * catalogue, as with SQLite); $BIENMUC_Z3950_TIMEOUT seconds (default 20).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yaz/zoom.h>
#include <yaz/querytowrbuf.h>
#include <yaz/wrbuf.h>
#include <yaz/diagbib1.h>

#include "catalog-ops.h"
#include "marcio.h"
#include "zclient.h"
#include "matchkey.h"            /* 035 system numbers, as the local match */
#include "util.h"
#include "i18n-lower.h"

#define MAX_IDS 5000            /* limit 0 ("all") is capped here */

struct zcat {
	struct ztarget t;
	char *db;                   /* database name from the address */
	ZOOM_connection c;
	int readonly;
	rec *tmp;
};

/* "<target>: [<what>: ]<ZOOM message>: <addinfo> (<code>)": the target
 * is named (which catalogue failed), and a search error does not say
 * "search" again after the command's own "bienmuc: search: ". */
static void set_err(struct zcat *z, strbuf *err, const char *what)
{
	const char *msg = NULL, *add = NULL;
	int code = ZOOM_connection_error(z->c, &msg, &add);
	sb_addf(err, "%s: ", z->t.name);
	if (what)
		sb_addf(err, "%s: ", what);
	sb_addf(err, "%s%s%s (%d)", msg ? msg : _("error"), add && *add ? ": " : "",
	        add && *add ? add : "", code);
}

static void *z_open(const char *path, int flags, strbuf *err)
{
	struct zcat *z = xcalloc(1, sizeof *z);
	if (ztarget_resolve(NULL, path, &z->t, err) < 0 || z->t.sru) {
		if (z->t.sru)
			sb_addf(err, _("'%s': only Z39.50 (z3950://host:port/db) can be a catalogue"), path);
		ztarget_release(&z->t);
		free(z);
		return NULL;
	}
	const char *slash = strchr(z->t.address + 4, '/');
	z->db = xstrdup(slash && slash[1] ? slash + 1 : "Default");
	const char *u = getenv("BIENMUC_Z3950_USER"), *p = getenv("BIENMUC_Z3950_PASS");
	if (!z->t.user && u && *u)
		z->t.user = xstrdup(u);
	if (!z->t.password && p && *p)
		z->t.password = xstrdup(p);
	const char *to = getenv("BIENMUC_Z3950_TIMEOUT");
	int timeout = to && atoi(to) > 0 ? atoi(to) : 20;
	z->readonly = (flags & CAT_OPEN_READONLY) != 0;
	ZOOM_options o = ZOOM_options_create();
	ZOOM_options_set_int(o, "timeout", timeout);
	ZOOM_options_set(o, "preferredRecordSyntax", "usmarc");
	ZOOM_options_set(o, "elementSetName", "F");
	if (z->t.user)
		ZOOM_options_set(o, "user", z->t.user);
	if (z->t.password)
		ZOOM_options_set(o, "password", z->t.password);
	z->c = ZOOM_connection_create(o);
	ZOOM_options_destroy(o);
	ZOOM_connection_connect(z->c, z->t.address, 0);
	if (ZOOM_connection_errcode(z->c)) {
		set_err(z, err, NULL);
		ZOOM_connection_destroy(z->c);
		ztarget_release(&z->t);
		free(z->db);
		free(z);
		return NULL;
	}
	z->tmp = rec_create();
	return z;
}

static void z_close(void *be)
{
	struct zcat *z = be;
	if (!z)
		return;
	ZOOM_connection_destroy(z->c);
	ztarget_release(&z->t);
	rec_destroy(z->tmp);
	free(z->db);
	free(z);
}

/* 005 "YYYYMMDDhhmmss.f" -> YYYYMMDDhhmmss; 0 when missing or odd. */
static long version_of(const rec *r)
{
	const char *v = rec_get_control(r, "005");
	if (!v || strlen(v) < 14)
		return 0;
	long n = 0;
	for (int i = 0; i < 14; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

static void fill_version(const rec *r, struct cat_version *ver)
{
	if (!ver)
		return;
	cat_version_clear(ver);
	ver->version = version_of(r);
	const char *v = rec_get_control(r, "005");
	if (v && strlen(v) >= 14)
		snprintf(ver->time, sizeof ver->time, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s",
		         v, v + 4, v + 6, v + 8, v + 10, v + 12);
	ver->user = xstrdup("");
	ver->action = xstrdup("");
	ver->summary = xstrdup("");
}

/* After "Connection lost" (the server restarted, a line dropped) or a
 * failed connect: connect again, so the session goes on once the server
 * is back (ZOOM does not; every later search failed until the workstation
 * was restarted, with the record under edit). 1 if it is worth a retry. */
static int reconnect(struct zcat *z)
{
	int code = ZOOM_connection_errcode(z->c);
	if (code != ZOOM_ERROR_CONNECTION_LOST && code != ZOOM_ERROR_CONNECT)
		return 0;
	ZOOM_connection_connect(z->c, z->t.address, 0);
	return 1;
}

/* Run a PQF search; returns the result set or NULL (err set). */
static ZOOM_resultset run(struct zcat *z, const char *pqf, const char *sortby, strbuf *err)
{
	ZOOM_query q = ZOOM_query_create();
	if (ZOOM_query_prefix(q, pqf)) {
		sb_addf(err, _("bad query '%s'"), pqf);
		ZOOM_query_destroy(q);
		return NULL;
	}
	if (sortby)
		ZOOM_query_sortby(q, sortby);
	ZOOM_resultset rs = ZOOM_connection_search(z->c, q);
	if (ZOOM_connection_errcode(z->c) && reconnect(z)) {
		ZOOM_resultset_destroy(rs);
		rs = ZOOM_connection_search(z->c, q);
	}
	ZOOM_query_destroy(q);
	if (ZOOM_connection_errcode(z->c)) {
		set_err(z, err, NULL);
		ZOOM_resultset_destroy(rs);
		return NULL;
	}
	return rs;
}

static int status_of(struct zcat *z)
{
	int code = ZOOM_connection_errcode(z->c);
	switch (code) {
	case YAZ_BIB1_UNSUPP_USE_ATTRIBUTE:
	case YAZ_BIB1_MALFORMED_QUERY:
	case YAZ_BIB1_UNSUPP_SEARCH:
	case YAZ_BIB1_UNSUPP_RELATION_ATTRIBUTE:
	case YAZ_BIB1_UNSUPP_STRUCTURE_ATTRIBUTE:
	case YAZ_BIB1_UNSUPP_TRUNCATION_ATTRIBUTE:
	case YAZ_BIB1_UNSUPP_POSITION_ATTRIBUTE:
	case ZOOM_ERROR_INVALID_QUERY:
		return CAT_QUERY;
	}
	return CAT_ERROR;
}

/* Record k of rs through the firewall into out. */
static int get_record(struct zcat *z, ZOOM_resultset rs, size_t k, rec *out, strbuf *err)
{
	ZOOM_record zr = ZOOM_resultset_record(rs, k);
	const char *msg = NULL, *add = NULL;
	if (!zr) {
		set_err(z, err, _("present"));
		return CAT_ERROR;
	}
	if (ZOOM_record_error(zr, &msg, &add, NULL)) {
		sb_addf(err, _("record %zu: %s%s%s"), k + 1, msg, add ? ": " : "", add ? add : "");
		return CAT_ERROR;
	}
	int len = 0;
	const char *raw = ZOOM_record_get(zr, "raw", &len);
	if (!raw || len <= 0 ||
	    zclient_parse_record(raw, (size_t)len, z->t.charset, out, err) < 0)
		return CAT_ERROR;
	return CAT_OK;
}

static int z_search(void *be, const struct Z_RPNQuery *q, const struct cat_search_opts *opts,
                    struct cat_result *res, strbuf *err)
{
	struct zcat *z = be;
	WRBUF w = wrbuf_alloc();
	yaz_rpnquery_to_wrbuf(w, q);
	/* the sort keys, one after another (the further ones after a first
	 * relevance key are not sent: the target ranks as it likes) */
	strbuf sortby = STRBUF_INIT;
	int nthen = opts->sort == CAT_SORT_RELEVANCE || opts->nthen < 0 ? 0 :
	            opts->nthen > CAT_SORT_THEN ? CAT_SORT_THEN : opts->nthen;
	for (int i = -1; i < nthen; i++) {
		int k = i < 0 ? opts->sort : opts->then[i].sort;
		int desc = i < 0 ? opts->descending : opts->then[i].descending;
		const char *use = k == CAT_SORT_TITLE ? "4" : k == CAT_SORT_AUTHOR ? "1003" :
		                  k == CAT_SORT_YEAR ? "31" : k == CAT_SORT_ID ? "12" : NULL;
		if (use)
			sb_addf(&sortby, "%s1=%s %s", sortby.len ? " " : "", use, desc ? ">" : "<");
	}
	ZOOM_resultset rs = run(z, wrbuf_cstr(w), sortby.buf, err);
	sb_release(&sortby);
	wrbuf_destroy(w);
	if (!rs)
		return status_of(z);
	size_t size = ZOOM_resultset_size(rs);
	res->total = (long)size;
	size_t from = (size_t)(opts->offset > 0 ? opts->offset : 0);
	size_t lim = opts->limit > 0 ? (size_t)opts->limit : MAX_IDS;
	size_t to = from + lim < size ? from + lim : size;
	int rc = CAT_OK;
	if (to > from) {
		res->ids = xcalloc(to - from, sizeof *res->ids);
		for (size_t k = from; k < to; k++) {
			rec_clear(z->tmp);
			if (get_record(z, rs, k, z->tmp, err) != CAT_OK) {
				rc = CAT_ERROR;
				break;
			}
			const char *id = rec_get_control(z->tmp, "001");
			res->ids[res->n++] = xstrdup(id ? id : "");
		}
	}
	ZOOM_resultset_destroy(rs);
	return rc;
}

/* Append the PQF "@attr 1=USE "TERM"" to pqf, TERM quoted ('"' and '\'
 * escaped). */
static void pqf_term(strbuf *pqf, int use, const char *term)
{
	sb_addf(pqf, "@attr 1=%d \"", use);
	for (const char *p = term; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(pqf, '\\');
		sb_addc(pqf, *p);
	}
	sb_addc(pqf, '"');
}

/* Fetch the current record id into out. */
static int fetch_current(struct zcat *z, const char *id, rec *out, strbuf *err)
{
	strbuf pqf = STRBUF_INIT;
	pqf_term(&pqf, 12, id);
	ZOOM_resultset rs = run(z, pqf.buf, NULL, err);
	sb_release(&pqf);
	if (!rs)
		return status_of(z);
	size_t size = ZOOM_resultset_size(rs);
	int rc = CAT_NOTFOUND;
	for (size_t k = 0; k < size && k < 20; k++) {
		rec_clear(out);
		int st = get_record(z, rs, k, out, err);
		if (st != CAT_OK) {
			rc = st;
			break;
		}
		const char *got = rec_get_control(out, "001");
		if (got && !strcmp(got, id)) {
			rc = CAT_OK;
			break;
		}
	}
	ZOOM_resultset_destroy(rs);
	if (rc == CAT_NOTFOUND) {
		rec_clear(out);
		sb_addf(err, _("no record '%s' in %s"), id, z->t.name);
	}
	return rc;
}

static int z_fetch(void *be, const char *id, long version, rec *out,
                   struct cat_version *ver, strbuf *err)
{
	struct zcat *z = be;
	int rc = fetch_current(z, id, out, err);
	if (rc != CAT_OK)
		return rc;
	if (version > 0 && version != version_of(out)) {
		rec_clear(out);
		sb_addf(err, _("%s keeps no earlier versions visible over Z39.50"), z->t.name);
		return CAT_UNSUPPORTED;
	}
	fill_version(out, ver);
	return CAT_OK;
}

/* A request id for one insert: "bienmuc-insert:" and 32 hex digits from
 * /dev/urandom (else the time, the process and a counter). */
static void new_request_id(char *buf, size_t size)
{
	static unsigned long count;
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	int ok = f && fread(b, 1, sizeof b, f) == sizeof b;
	if (f)
		fclose(f);
	if (ok) {
		size_t n = (size_t)snprintf(buf, size, "bienmuc-insert:");
		for (size_t i = 0; i < sizeof b && n + 2 < size; i++, n += 2)
			snprintf(buf + n, size - n, "%02x", b[i]);
	} else {
		snprintf(buf, size, "bienmuc-insert:%lx-%lx-%lx", (unsigned long)time(NULL),
		         (unsigned long)getpid(), ++count);
	}
}

/* Send one ES Update. rec_bytes NULL for none. Returns a cat_status. */
static int es_update(struct zcat *z, const char *action, const char *id, const rec *r,
                     char **target_ref, strbuf *err)
{
	char *buf = NULL;
	size_t len = 0;
	const char *syntax = "usmarc";
	if (r) {
		for (int attempt = 0; attempt < 2; attempt++) {
			FILE *fp = open_memstream(&buf, &len);
			struct marc_write_opts wo = { .format = attempt ? MF_MARCXML : MF_ISO2709,
			                              .to_charset = CS_UTF8 };
			marc_writer *w = marc_writer_open(fp, &wo);
			strbuf werr = STRBUF_INIT;
			int bad = marc_writer_put(w, r, &werr);
			marc_writer_close(w);
			fclose(fp);
			if (!bad) {
				sb_release(&werr);
				syntax = attempt ? "xml" : "usmarc";
				break;
			}
			free(buf);
			buf = NULL;
			if (attempt) {
				sb_addf(err, _("cannot send the record: %s"), werr.buf);
				sb_release(&werr);
				return CAT_ERROR;
			}
			sb_release(&werr);
		}
	}
	ZOOM_package p = NULL;
	/* a second go on a connection that was lost (the server restarted
	 * while the record was being edited, or the line dropped before the
	 * answer came): a replace or delete carries the version read, so one
	 * that did get through is refused, not doubled. An insert carries no
	 * version, and its record no number yet (the server gives the 001), so
	 * each insert sends a request id of its own, the same on the second go,
	 * as the update's correlationInfo note: `bienmuc serve` keeps the ids
	 * of the last hour's inserts with the catalogue, written in the
	 * insert's own transaction, and answers a repeated id with the record
	 * the first go saved instead of saving it again. The id is not in the
	 * record. (A server that ignores the note may still store two.) */
	char reqid[64] = "";
	if (!strcmp(action, "recordInsert"))
		new_request_id(reqid, sizeof reqid);
	for (int attempt = 0; attempt < 2; attempt++) {
		ZOOM_package_destroy(p);
		p = ZOOM_connection_package(z->c, NULL);
		ZOOM_package_option_set(p, "action", action);
		ZOOM_package_option_set(p, "databaseName", z->db);
		ZOOM_package_option_set(p, "syntax", syntax);
		if (id)
			ZOOM_package_option_set(p, "recordIdOpaque", id);
		if (buf)
			ZOOM_package_option_setl(p, "record", buf, (int)len);
		if (*reqid)
			ZOOM_package_option_set(p, "correlationInfo.note", reqid);
		ZOOM_package_send(p, "update");
		if (attempt || !ZOOM_connection_errcode(z->c) || !reconnect(z))
			break;
	}
	free(buf);
	const char *msg = NULL, *add = NULL;
	int code = ZOOM_connection_error(z->c, &msg, &add);
	int rc = CAT_OK;
	if (code) {
		switch (code) {
		case YAZ_BIB1_ES_EXTENDED_SERVICE_TYPE_UNSUPP:
		case YAZ_BIB1_ES_PERMISSION_DENIED_ON_ES_ID_NOT_AUTHORIZED:
		case YAZ_BIB1_ES_PERMISSION_DENIED_ON_ES_CANNOT_MODIFY_OR_DELETE:
		case YAZ_BIB1_ES_IMMEDIATE_EXECUTION_UNSUPP_FOR_THIS_SERVICE:
		case YAZ_BIB1_ES_EXTENDED_SERVICES_UNSUPP_UNLESS_ACCESS_CONTROL_IS_IN_:
			rc = CAT_READONLY;
			sb_addf(err, _("%s is read-only for you: %s%s%s (%d)"), z->t.name,
			        msg ? msg : "", add && *add ? ": " : "", add && *add ? add : "", code);
			break;
		default:
			if (add && strstr(add, "changed by another user"))
				rc = CAT_CONFLICT;
			else if (add && (strstr(add, "no record") || strstr(add, "not found")))
				rc = CAT_NOTFOUND;
			else
				rc = CAT_ERROR;
			if (rc == CAT_CONFLICT)
				sb_adds(err, add);
			else
				sb_addf(err, "%s: %s%s%s (%d)", z->t.name, msg ? msg : _("error"),
				        add && *add ? ": " : "", add && *add ? add : "", code);
		}
	} else {
		const char *st = ZOOM_package_option_get(p, "operationStatus");
		if (st && !strcmp(st, "failure")) {
			sb_addf(err, _("%s: update failed"), z->t.name);
			rc = CAT_ERROR;
		}
		const char *ref = ZOOM_package_option_get(p, "targetReference");
		if (target_ref && ref && *ref)
			*target_ref = xstrdup(ref);
	}
	ZOOM_package_destroy(p);
	return rc;
}

static int z_save(void *be, rec *r, long expected_version, const struct cat_save_opts *opts,
                  long *new_version, strbuf *err)
{
	struct zcat *z = be;
	(void)opts;       /* the server journals the session's user */
	if (z->readonly) {
		sb_addf(err, _("%s was opened read-only"), z->t.name);
		return CAT_READONLY;
	}
	rec *send = rec_clone(r);
	int rc;
	char *newid = NULL;
	if (expected_version == CAT_NEW) {
		rc = es_update(z, "recordInsert", NULL, send, &newid, err);
	} else {
		const char *id = rec_get_control(r, "001");
		if (!id || !*id) {
			sb_adds(err, _("the record has no 001: nothing to replace"));
			rec_destroy(send);
			return CAT_NOTFOUND;
		}
		long f = rec_find(send, "005", 0);
		if (expected_version == CAT_ANY) {
			if (f >= 0)
				rec_delete_field(send, (size_t)f);
		} else if (version_of(send) != expected_version) {
			/* the version the caller read travels in 005 */
			char v[32];
			snprintf(v, sizeof v, "%014ld.0", expected_version);
			if (f >= 0)
				rec_set_data(send, (size_t)f, v, strlen(v));
			else
				rec_add_control(send, "005", v, strlen(v));
			rec_sort_fields(send);
		}
		rc = es_update(z, "recordReplace", id, send, NULL, err);
		newid = xstrdup(id);
	}
	rec_destroy(send);
	if (rc == CAT_OK && newid) {
		/* read back what the server stored (001, 003, 005) */
		strbuf ferr = STRBUF_INIT;
		rec *got = rec_create();
		if (fetch_current(z, newid, got, &ferr) == CAT_OK) {
			rec_copy(r, got);
			if (new_version)
				*new_version = version_of(got);
		}
		rec_destroy(got);
		sb_release(&ferr);
	} else if (rc == CAT_OK && new_version) {
		*new_version = 0;          /* the server did not say the new id */
	}
	free(newid);
	return rc;
}

static int z_del(void *be, const char *id, long expected_version,
                 const struct cat_save_opts *opts, strbuf *err)
{
	struct zcat *z = be;
	(void)opts;
	if (z->readonly) {
		sb_addf(err, _("%s was opened read-only"), z->t.name);
		return CAT_READONLY;
	}
	rec *cur = rec_create();
	int rc = fetch_current(z, id, cur, err);
	if (rc == CAT_OK && expected_version != CAT_ANY && expected_version != version_of(cur)) {
		sb_addf(err, _("record '%s' was changed by another user (version %ld, you read %ld)"),
		        id, version_of(cur), expected_version);
		rc = CAT_CONFLICT;
	}
	if (rc == CAT_OK)
		rc = es_update(z, "recordDelete", id, cur, NULL, err);
	rec_destroy(cur);
	return rc;
}

static int z_undel(void *be, const char *id, const struct cat_save_opts *opts, strbuf *err)
{
	struct zcat *z = be;
	(void)id;
	(void)opts;
	sb_addf(err, _("%s: undelete is not possible over Z39.50"), z->t.name);
	return CAT_UNSUPPORTED;
}

static int z_history(void *be, const char *id, struct cat_version **v, size_t *n,
                     strbuf *err)
{
	struct zcat *z = be;
	(void)id;
	*v = NULL;
	*n = 0;
	sb_addf(err, _("%s: the history of a record is not visible over Z39.50"), z->t.name);
	return CAT_UNSUPPORTED;
}

static int z_browse(void *be, const char *index, const char *from, size_t n,
                    struct cat_heading **h, size_t *nh, strbuf *err)
{
	struct zcat *z = be;
	int use;
	if (!strcmp(index, "title")) use = 4;
	else if (!strcmp(index, "author")) use = 1003;
	else if (!strcmp(index, "subject")) use = 21;
	else {
		sb_addf(err, _("%s: cannot browse '%s' over Z39.50"), z->t.name, index);
		return CAT_UNSUPPORTED;
	}
	strbuf pqf = STRBUF_INIT;
	pqf_term(&pqf, use, from && *from ? from : "0");
	ZOOM_connection_option_set(z->c, "number", "0");
	char num[24];
	snprintf(num, sizeof num, "%zu", n ? n : 10);
	ZOOM_connection_option_set(z->c, "number", num);
	ZOOM_connection_option_set(z->c, "position", "1");
	ZOOM_scanset ss = ZOOM_connection_scan(z->c, pqf.buf);
	if (ZOOM_connection_errcode(z->c) && reconnect(z)) {
		ZOOM_scanset_destroy(ss);
		ss = ZOOM_connection_scan(z->c, pqf.buf);
	}
	sb_release(&pqf);
	if (ZOOM_connection_errcode(z->c)) {
		set_err(z, err, _("scan"));
		ZOOM_scanset_destroy(ss);
		return CAT_ERROR;
	}
	size_t size = ZOOM_scanset_size(ss);
	*h = xcalloc(size ? size : 1, sizeof **h);
	for (size_t i = 0; i < size && *nh < n; i++) {
		size_t occ = 0, len = 0;
		const char *term = ZOOM_scanset_display_term(ss, i, &occ, &len);
		if (!term)
			continue;
		(*h)[*nh].heading = xstrndup(term, len);
		(*h)[*nh].count = (long)occ;
		(*h)[*nh].id = xstrdup("");
		(*nh)++;
	}
	ZOOM_scanset_destroy(ss);
	return CAT_OK;
}

static void add_ids(char ***ids, size_t *n, const rec *r)
{
	const char *id = rec_get_control(r, "001");
	if (!id)
		return;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*ids)[i], id))
			return;
	*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
	(*ids)[(*n)++] = xstrdup(id);
}

static int z_match(void *be, const rec *r, const void *prep, int keys, char ***ids, size_t *n,
                   strbuf *err)
{
	struct zcat *z = be;
	(void)prep;                /* this back end prepares nothing */
	static const struct { int key; const char *tag; int use; } k[] = {
		{ CAT_MK_ISBN, "020", 7 }, { CAT_MK_ISSN, "022", 8 }, { CAT_MK_LCCN, "010", 9 },
	};
	for (size_t j = 0; j < sizeof k / sizeof k[0]; j++) {
		if (!(keys & k[j].key))
			continue;
		for (long f = rec_find(r, k[j].tag, 0); f >= 0; f = rec_find(r, k[j].tag, (size_t)f + 1)) {
			const char *v = NULL;
			for (size_t s = 0; s < rec_nsub(r, (size_t)f); s++)
				if (rec_sub_code(r, (size_t)f, s) == 'a')
					v = rec_sub_value(r, (size_t)f, s, NULL);
			if (!v)
				continue;
			char term[64];
			size_t t = 0;
			for (const char *p = v; *p && *p != ' ' && t + 1 < sizeof term; p++)
				if (*p != '"' && *p != '\\')
					term[t++] = *p;
			term[t] = 0;
			if (!t)
				continue;
			strbuf pqf = STRBUF_INIT;
			sb_addf(&pqf, "@attr 1=%d \"%s\"", k[j].use, term);
			ZOOM_resultset rs = run(z, pqf.buf, NULL, err);
			sb_release(&pqf);
			if (!rs)
				return status_of(z);
			size_t size = ZOOM_resultset_size(rs);
			for (size_t i = 0; i < size && i < 20; i++) {
				rec_clear(z->tmp);
				if (get_record(z, rs, i, z->tmp, err) == CAT_OK)
					add_ids(ids, n, z->tmp);
			}
			ZOOM_resultset_destroy(rs);
		}
	}
	/* 035: the server's standard-identifier index (use 1007) holds every
	 * record's 035 system numbers and its own (003)001 */
	if (keys & CAT_MK_035) {
		struct mk_list kl = { 0 };
		mk_record_keys(r, MK_035, &kl);
		for (size_t i = 0; i < kl.n; i++) {
			const char *sys = kl.v[i] + 4;           /* after "sys:" */
			strbuf pqf = STRBUF_INIT;
			pqf_term(&pqf, 1007, sys);
			ZOOM_resultset rs = run(z, pqf.buf, NULL, err);
			sb_release(&pqf);
			if (!rs) {
				mk_list_release(&kl);
				return status_of(z);
			}
			size_t size = ZOOM_resultset_size(rs);
			for (size_t j = 0; j < size && j < 20; j++) {
				rec_clear(z->tmp);
				if (get_record(z, rs, j, z->tmp, err) != CAT_OK)
					continue;
				/* a number in the catalogue's own organisation code (the
				 * 003 of its records): two catalogues with the same code
				 * number their records alike, so only the same record
				 * counts, as in the local match */
				const char *org = rec_get_control(z->tmp, "003");
				size_t ol = org ? strlen(org) : 0;
				int ours = ol && sys[0] == '(' && !strncmp(sys + 1, org, ol) && sys[1 + ol] == ')';
				if (!ours || mk_same_record(r, z->tmp))
					add_ids(ids, n, z->tmp);
			}
			ZOOM_resultset_destroy(rs);
		}
		mk_list_release(&kl);
	}
	return CAT_OK;
}

static char *z_get_setting(void *be, const char *key)
{
	(void)be;
	if (!strcmp(key, "org_code")) {
		const char *o = getenv("BIENMUC_ORG");
		return o && *o ? xstrdup(o) : NULL;
	}
	return NULL;
}

const struct catalog_ops z3950_catalog_ops = {
	.name = "z3950",
	.open = z_open,
	.close = z_close,
	.search_rpn = z_search,
	.fetch = z_fetch,
	.save = z_save,
	.del = z_del,
	.undel = z_undel,
	.history = z_history,
	.browse = z_browse,
	.match = z_match,
	.get_setting = z_get_setting,
};
