/*
 * zclient.c - copy cataloguing client (see zclient.h): targets file,
 * CCL -> PQF (Z39.50) or CQL (SRU) per target, asynchronous ZOOM search
 * on several targets driven by the caller's poll loop, records through
 * the charset firewall, and the 035/040 source notes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>

#include <yaz/zoom.h>
#include <yaz/ccl.h>
#include <yaz/yaz-ccl.h>
#include <yaz/pquery.h>
#include <yaz/rpn2cql.h>
#include <yaz/wrbuf.h>
#include <yaz/odr.h>

#include "zclient.h"
#include "marcio.h"
#include "util.h"              /* after yaz: our x* allocators */
#include "cclquery.h"
#include "i18n-lower.h"

/* ---- targets file ---- */

char *ztargets_default_path(void)
{
	const char *e = getenv("BIENMUC_TARGETS");
	if (e && *e)
		return xstrdup(e);
	strbuf sb = STRBUF_INIT;
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x) {
		sb_addf(&sb, "%s/bienmuc/targets", x);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());
			home = pw && pw->pw_dir ? pw->pw_dir : ".";
		}
		sb_addf(&sb, "%s/.config/bienmuc/targets", home);
	}
	return sb_detach(&sb, NULL);
}

void ztarget_release(struct ztarget *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->address);
	free(t->org);
	free(t->user);
	free(t->password);
	free(t->qualifiers);
	memset(t, 0, sizeof *t);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ztarget_copy(struct ztarget *dst, const struct ztarget *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->address = dup_or_null(src->address);
	dst->org = dup_or_null(src->org);
	dst->user = dup_or_null(src->user);
	dst->password = dup_or_null(src->password);
	dst->qualifiers = dup_or_null(src->qualifiers);
}

void ztargets_release(struct ztargets *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++)
		ztarget_release(&ts->t[i]);
	free(ts->t);
	ts->t = NULL;
	ts->n = 0;
}

/* Bring an address to ZOOM's form: z3950://h:p/db -> tcp:h:p/db; user and
 * password in the URL go to *user / *pass. Returns -1 if it does not look
 * like an address at all, -2 if its port is out of range (99999: ZOOM
 * would connect to another port, 99999 - 65536). */
static int normalise_address(const char *a, char **out, char **user, char **pass,
                             int *sru)
{
	*sru = 0;
	if (!strncmp(a, "http://", 7) || !strncmp(a, "https://", 8)) {
		const char *h = strstr(a, "//") + 2;
		size_t hl = strcspn(h, "/?#");
		const char *at = memchr(h, '@', hl);
		const char *ui = h;
		if (at) {
			hl -= (size_t)(at + 1 - h);
			h = at + 1;
		}
		if (!addr_port_ok(h, hl))
			return -2;
		*sru = 1;
		if (at) {
			/* http://user:pass@host/db: ZOOM cannot connect to that; the
			 * credentials go as options (HTTP basic), out of the URL */
			const char *colon = memchr(ui, ':', (size_t)(at - ui));
			if (colon) {
				*user = xstrndup(ui, (size_t)(colon - ui));
				*pass = xstrndup(colon + 1, (size_t)(at - colon - 1));
			} else {
				*user = xstrndup(ui, (size_t)(at - ui));
			}
			strbuf sb = STRBUF_INIT;
			sb_add(&sb, a, (size_t)(ui - a));
			sb_adds(&sb, h);
			*out = sb_detach(&sb, NULL);
			return 0;
		}
		*out = xstrdup(a);
		return 0;
	}
	const char *rest = a;
	if (!strncmp(a, "z3950://", 8))
		rest = a + 8;
	else if (!strncmp(a, "tcp:", 4))
		rest = a + 4;
	else if (!strchr(a, ':') && !strchr(a, '/'))
		return -1;            /* a plain word: a target name */
	const char *at = strchr(rest, '@'), *slash = strchr(rest, '/');
	if (at && (!slash || at < slash)) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon) {
			*user = xstrndup(rest, (size_t)(colon - rest));
			*pass = xstrndup(colon + 1, (size_t)(at - colon - 1));
		} else {
			*user = xstrndup(rest, (size_t)(at - rest));
		}
		rest = at + 1;
	}
	if (!*rest)
		return -1;
	if (!addr_port_ok(rest, strcspn(rest, "/")))
		return -2;
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "tcp:%s", rest);
	*out = sb_detach(&sb, NULL);
	return 0;
}

static void target_defaults(struct ztarget *t)
{
	t->syntax = ZT_USMARC;
	t->charset = CS_AUTO;
	t->timeout = 20;
}

static struct ztarget *find_target(const struct ztargets *ts, const char *name)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!strcmp(ts->t[i].name, name))
			return &ts->t[i];
	return NULL;
}

/* The key=value words w[0..nw-1] of a target (the targets file's, or
 * those after a -t address) into t. Returns 0, or -1 with msg set. */
static int parse_target_opts(struct ztarget *t, char **w, int nw, strbuf *msg)
{
	for (int i = 0; i < nw; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq) {
			sb_addf(msg, _("'%s': expected key=value"), w[i]);
			return -1;
		}
		*eq = 0;
		const char *k = w[i], *v = eq + 1;
		if (!strcmp(k, "syntax")) {
			if (!strcmp(v, "usmarc") || !strcmp(v, "marc21") || !strcmp(v, "iso2709"))
				t->syntax = ZT_USMARC;
			else if (!strcmp(v, "marcxml") || !strcmp(v, "xml"))
				t->syntax = ZT_MARCXML;
			else {
				sb_addf(msg, _("syntax '%s': usmarc or marcxml"), v);
				return -1;
			}
		} else if (!strcmp(k, "charset")) {
			int cs = marc_charset_parse(v);
			if (cs < 0) {
				sb_addf(msg, _("charset '%s': marc8, utf-8, auto, or latin1, tcvn3, vni, "
				        "viscii, cp1258, auto-vi"), v);
				return -1;
			}
			t->charset = cs;
		} else if (!strcmp(k, "timeout")) {
			char *e;
			long s = strtol(v, &e, 10);
			if (!*v || *e || s < 1 || s > 3600) {
				sb_addf(msg, _("timeout '%s': seconds, 1 to 3600"), v);
				return -1;
			}
			t->timeout = (int)s;
		} else if (!strcmp(k, "org")) {
			free(t->org);
			t->org = xstrdup(v);
		} else if (!strcmp(k, "user")) {
			free(t->user);
			t->user = xstrdup(v);
		} else if (!strcmp(k, "password")) {
			free(t->password);
			t->password = xstrdup(v);
		} else {
			sb_addf(msg, _("unknown key '%s' (syntax, charset, timeout, org, user, password)"), k);
			return -1;
		}
	}
	return 0;
}

static int parse_target_line(struct ztargets *ts, char **w, int nw, strbuf *msg)
{
	if (nw < 3) {
		sb_adds(msg, _("'target' needs a name and an address"));
		return -1;
	}
	if (find_target(ts, w[1])) {
		sb_addf(msg, _("target '%s' is defined twice"), w[1]);
		return -1;
	}
	struct ztarget t;
	memset(&t, 0, sizeof t);
	target_defaults(&t);
	int na = normalise_address(w[2], &t.address, &t.user, &t.password, &t.sru);
	if (na == -2) {
		sb_addf(msg, _("'%s': the port is not a number from 1 to 65535"), w[2]);
		ztarget_release(&t);
		return -1;
	}
	if (na < 0) {
		sb_addf(msg, _("'%s' is not an address (tcp:host:port/db or http://...)"), w[2]);
		ztarget_release(&t);
		return -1;
	}
	t.name = xstrdup(w[1]);
	if (parse_target_opts(&t, w + 3, nw - 3, msg))
		goto bad;
	ts->t = xrealloc(ts->t, (ts->n + 1) * sizeof *ts->t);
	ts->t[ts->n++] = t;
	return 0;
bad:
	ztarget_release(&t);
	return -1;
}

static int parse_map_line(struct ztargets *ts, char **w, int nw, strbuf *msg)
{
	if (nw < 4) {
		sb_adds(msg, _("'map' needs a target, a CCL qualifier and its attributes"));
		return -1;
	}
	struct ztarget *t = find_target(ts, w[1]);
	if (!t) {
		sb_addf(msg, _("map: no target '%s' above"), w[1]);
		return -1;
	}
	for (const char *p = w[2]; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			sb_addf(msg, _("map: '%s' is not a qualifier name"), w[2]);
			return -1;
		}
	strbuf sb = STRBUF_INIT;
	if (t->qualifiers)
		sb_adds(&sb, t->qualifiers);
	sb_adds(&sb, w[2]);
	for (int i = 3; i < nw; i++) {
		/* u=N s=al t=r r=o ...: CCL qualifier attribute syntax */
		if (!strchr(w[i], '=')) {
			sb_addf(msg, _("map: '%s' is not an attribute (u=4, s=pw, t=r ...)"), w[i]);
			sb_release(&sb);
			return -1;
		}
		sb_addc(&sb, ' ');
		sb_adds(&sb, w[i]);
	}
	sb_addc(&sb, '\n');
	free(t->qualifiers);
	t->qualifiers = sb_detach(&sb, NULL);
	return 0;
}

int ztargets_load(struct ztargets *ts, const char *path, int missing_ok, strbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		if (missing_ok && errno == ENOENT)
			return 0;
		sb_addf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		char *w[64];
		int nw = 0;
		char *save = NULL;
		/* # starts a comment only at the start of a word */
		for (char *p = line; *p; p++)
			if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
				*p = 0;
				break;
			}
		for (char *tok = strtok_r(line, " \t\r\n", &save); tok && nw < 64;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = tok;
		if (!nw)
			continue;
		strbuf msg = STRBUF_INIT;
		int st;
		if (!strcmp(w[0], "target"))
			st = parse_target_line(ts, w, nw, &msg);
		else if (!strcmp(w[0], "map"))
			st = parse_map_line(ts, w, nw, &msg);
		else {
			sb_addf(&msg, _("unknown word '%s' (target, map)"), w[0]);
			st = -1;
		}
		if (st < 0) {
			sb_addf(err, "%s:%ld: %s", path, lineno, msg.buf);
			sb_release(&msg);
			rc = -1;
			break;
		}
		sb_release(&msg);
	}
	free(line);
	fclose(fp);
	return rc;
}

static int resolve_address(const char *spec, struct ztarget *out, strbuf *err);

int ztarget_resolve(const struct ztargets *ts, const char *spec, struct ztarget *out,
                    strbuf *err)
{
	memset(out, 0, sizeof *out);
	const struct ztarget *t = ts ? find_target(ts, spec) : NULL;
	if (t) {
		ztarget_copy(out, t);
		return 0;
	}
	target_defaults(out);
	/* "ADDRESS key=value ...": the targets file's keys after an address */
	char *copy = NULL, *w[64];
	int nw = 0;
	if (strpbrk(spec, " \t")) {
		copy = xstrdup(spec);
		char *save = NULL;
		for (char *tok = strtok_r(copy, " \t", &save); tok && nw < 64;
		     tok = strtok_r(NULL, " \t", &save))
			w[nw++] = tok;
		if (nw > 0)
			spec = w[0];
	}
	strbuf msg = STRBUF_INIT;
	if (nw > 1 && parse_target_opts(out, w + 1, nw - 1, &msg)) {
		sb_addf(err, "%s: %s", spec, msg.buf);
		sb_release(&msg);
		ztarget_release(out);
		free(copy);
		return -1;
	}
	sb_release(&msg);
	int rc = resolve_address(spec, out, err);
	free(copy);
	return rc;
}

/* ztarget_resolve's address part: spec into out (defaults and options set). */
static int resolve_address(const char *spec, struct ztarget *out, strbuf *err)
{
	/* user= and password= options win over the address's own, as in the
	 * targets file (where they come after it) */
	char *user = out->user, *password = out->password;
	out->user = out->password = NULL;
	int na = normalise_address(spec, &out->address, &out->user, &out->password, &out->sru);
	if (user) {
		free(out->user);
		out->user = user;
	}
	if (password) {
		free(out->password);
		out->password = password;
	}
	if (na == -2) {
		sb_addf(err, _("'%s': the port is not a number from 1 to 65535"), spec);
		ztarget_release(out);
		return -1;
	}
	if (na < 0) {
		sb_addf(err, _("'%s' is neither a target in the targets file nor an address "
		        "(tcp:host:port/db, http://...)"), spec);
		ztarget_release(out);
		return -1;
	}
	out->name = xstrdup(spec);
	/* credentials out of the name shown to people */
	char *at = strchr(out->name, '@');
	if (at && out->user) {
		free(out->name);
		out->name = out->sru ? xstrdup(out->address) : xstrdup(strchr(spec, '@') + 1);
	}
	return 0;
}

/* ---- CCL ---- */

/* The catalogue's qualifiers (cclquery.c); t-zclient checks that both
 * give the same PQF when a target has no overrides. */
static const char default_qualifiers[] =
	"@case 0\n"
	"term u=1016 s=al t=r\n"
	"kw u=1016 s=al t=r\n"
	"ti u=4 s=al t=r\n"
	"au u=1003 s=al t=r\n"
	"su u=21 s=al t=r\n"
	"pb u=1018 s=al t=r\n"
	"se u=5 s=al t=r\n"
	"nt u=63 s=al t=r\n"
	"isbn u=7 t=r\n"
	"issn u=8 t=r\n"
	"lccn u=9 t=r\n"
	"id u=12 t=r\n"
	"yr u=31 r=r\n";

static int line_defines(const char *over, const char *name, size_t nlen)
{
	for (const char *p = over; p && *p; ) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > nlen && !strncmp(p, name, nlen) && p[nlen] == ' ')
			return 1;
		p = e ? e + 1 : p + l;
	}
	return 0;
}

static struct ccl_rpn_node *ccl_parse(const struct ztarget *t, const char *query,
                                      int *pos, strbuf *err)
{
	strbuf q = STRBUF_INIT;
	const char *over = t ? t->qualifiers : NULL;
	for (const char *p = default_qualifiers; *p; ) {
		const char *e = strchr(p, '\n');
		const char *sp = strchr(p, ' ');
		if (!over || !line_defines(over, p, (size_t)(sp - p)))
			sb_add(&q, p, (size_t)(e - p + 1));
		p = e + 1;
	}
	if (over)
		sb_adds(&q, over);
	CCL_bibset bs = ccl_qual_mk();
	ccl_qual_buf(bs, q.buf);
	sb_release(&q);
	int code = 0, p = 0;
	struct ccl_rpn_node *n = NULL;
	const char *s = query;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		cclq_error(err, -1, 0);
	} else if ((p = cclq_open_quote(query)) >= 0) {
		cclq_quote_error(err, cclq_char_pos(query, p));
	} else {
		n = ccl_find_str(bs, query, &code, &p);
		if (!n) {
			p = cclq_error_pos(query, p, code);
			cclq_error(err, code, cclq_char_pos(query, p));
		}
	}
	if (!n && pos)
		*pos = p;
	ccl_qual_rm(&bs);
	return n;
}

int zclient_ccl_to_pqf(const struct ztarget *t, const char *ccl, strbuf *out, int *pos,
                       strbuf *err)
{
	struct ccl_rpn_node *n = ccl_parse(t, ccl, pos, err);
	if (!n)
		return -1;
	WRBUF w = wrbuf_alloc();
	ccl_pquery(w, n);
	sb_adds(out, wrbuf_cstr(w));
	wrbuf_destroy(w);
	ccl_rpn_delete(n);
	/* ccl_pquery leaves a trailing blank */
	while (out->len && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = 0;
	return 0;
}

/* RPN -> CQL for SRU targets, with the common Dublin Core / Bath indexes. */
static const char cql_props[] =
	"set.dc = info:srw/cql-context-set/1/dc-v1.1\n"
	"set.bath = http://zing.z3950.org/cql/bath/2.0/\n"
	"set.cql = info:srw/cql-context-set/1/cql-v1.2\n"
	"index.cql.serverChoice = 1=1016\n"
	"index.dc.title = 1=4\n"
	"index.dc.creator = 1=1003\n"
	"index.dc.subject = 1=21\n"
	"index.dc.publisher = 1=1018\n"
	"index.dc.date = 1=31\n"
	"index.dc.notes = 1=63\n"
	"index.dc.series = 1=5\n"
	"index.bath.isbn = 1=7\n"
	"index.bath.issn = 1=8\n"
	"index.bath.lccn = 1=9\n"
	"index.rec.id = 1=12\n"
	"index.dc.identifier = 1=12\n"
	"truncation.right = 5=1\n"
	"truncation.none = 5=100\n";

static int pqf_to_cql(const char *pqf, strbuf *out, strbuf *err)
{
	FILE *fp = fmemopen((void *)cql_props, sizeof cql_props - 1, "r");
	if (!fp) {
		sb_adds(err, _("cannot set up CQL"));
		return -1;
	}
	cql_transform_t ct = cql_transform_open_FILE(fp);
	fclose(fp);
	ODR odr = odr_createmem(ODR_ENCODE);
	Z_RPNQuery *q = p_query_rpn(odr, pqf);
	WRBUF w = wrbuf_alloc();
	int rc = -1;
	if (ct && q && cql_transform_rpn2cql_wrbuf(ct, w, q) == 0) {
		sb_adds(out, wrbuf_cstr(w));
		rc = 0;
	} else {
		const char *add = NULL;
		int code = ct ? cql_transform_error(ct, &add) : 0;
		sb_addf(err, _("query cannot be expressed in CQL (error %d%s%s)"), code,
		        add ? ": " : "", add ? add : "");
	}
	wrbuf_destroy(w);
	odr_destroy(odr);
	if (ct)
		cql_transform_close(ct);
	return rc;
}

/* ---- records ---- */

int zclient_parse_record(const char *buf, size_t len, int charset, rec *r, strbuf *err)
{
	if (!buf || !len) {
		sb_adds(err, _("empty record"));
		return -1;
	}
	FILE *fp = fmemopen((void *)buf, len, "rb");
	if (!fp) {
		sb_adds(err, _("cannot read the record"));
		return -1;
	}
	struct marc_read_opts ro = { MF_AUTO, charset, 0 };
	marc_reader *rd = marc_reader_open(fp, "z3950", &ro, err);
	marc_reader_from_target(rd);
	int rc = -1;
	if (rd) {
		int st = marc_reader_next(rd, r);
		if (st == MR_OK)
			rc = 0;
		else if (st == MR_BAD)
			sb_adds(err, marc_reader_error(rd));
		else
			sb_adds(err, _("no record"));
	}
	marc_reader_close(rd);
	fclose(fp);
	return rc;
}

static long find_sub_eq(const rec *r, const char *tag, char code, const char *val)
{
	for (long f = rec_find(r, tag, 0); f >= 0; f = rec_find(r, tag, (size_t)f + 1))
		for (size_t s = 0; s < rec_nsub(r, (size_t)f); s++)
			if (rec_sub_code(r, (size_t)f, s) == code &&
			    !strcmp(rec_sub_value(r, (size_t)f, s, NULL), val))
				return f;
	return -1;
}

static void delete_fields(rec *r, const char *tag)
{
	long f;
	while ((f = rec_find(r, tag, 0)) >= 0)
		rec_delete_field(r, (size_t)f);
}

/* Insert a data field in tag order; returns its index. */
static size_t insert_in_order(rec *r, const char *tag)
{
	size_t at = 0, nf = rec_nfields(r);
	while (at < nf && strcmp(rec_tag(r, at), tag) <= 0)
		at++;
	return rec_insert_field(r, at, tag, ' ', ' ');
}

void zclient_note_source(rec *r, const char *fallback_org, const char *our_org)
{
	const char *id = rec_get_control(r, "001");
	const char *org = rec_get_control(r, "003");
	if (!org || !*org)
		org = rec_get(r, "040", 'a');
	if (!org || !*org)
		org = fallback_org;
	char *srcorg = org && *org ? xstrdup(org) : NULL;
	if (id && *id) {
		strbuf v = STRBUF_INIT;
		/* trim blanks around the number (LC pads its 001) */
		const char *b = id, *e = id + strlen(id);
		while (*b == ' ')
			b++;
		while (e > b && e[-1] == ' ')
			e--;
		if (srcorg)
			sb_addf(&v, "(%s)", srcorg);
		sb_add(&v, b, (size_t)(e - b));
		if (e > b && find_sub_eq(r, "035", 'a', v.buf) < 0) {
			size_t f = insert_in_order(r, "035");
			rec_add_sub(r, f, 'a', v.buf, v.len);
		}
		sb_release(&v);
	}
	delete_fields(r, "001");
	delete_fields(r, "003");
	delete_fields(r, "005");
	/* the source library's holdings and items are not ours: kept, import
	 * would make copies of its accession numbers, and serve would present
	 * them as this catalogue's */
	delete_fields(r, "852");
	delete_fields(r, "952");
	if (our_org && *our_org) {
		long f = rec_find(r, "040", 0);
		if (f < 0) {
			f = (long)insert_in_order(r, "040");
			if (srcorg) {
				rec_add_sub(r, (size_t)f, 'a', srcorg, strlen(srcorg));
				rec_add_sub(r, (size_t)f, 'c', srcorg, strlen(srcorg));
			}
		}
		/* once: the last $d already ours means we noted it */
		size_t ns = rec_nsub(r, (size_t)f);
		int have = 0;
		for (size_t s = 0; s < ns; s++)
			if (rec_sub_code(r, (size_t)f, s) == 'd')
				have = !strcmp(rec_sub_value(r, (size_t)f, s, NULL), our_org);
		if (!have)
			rec_add_sub(r, (size_t)f, 'd', our_org, strlen(our_org));
	}
	free(srcorg);
}

/* ---- asynchronous search ---- */

struct ztstate {
	struct ztarget t;
	ZOOM_connection c;
	ZOOM_resultset rs;
	ZOOM_query q;
	struct zt_status st;
	char *error;
	double start, last;      /* monotonic seconds */
	int pending;
};

struct zsearch {
	struct ztstate *ts;
	size_t n;
	long want;
	struct zrecord *recs;
	size_t nrecs;
	char **problems;
	size_t nproblems;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(struct ztstate *s, int state, int code, const char *msg)
{
	s->st.state = state;
	s->st.code = code;
	free(s->error);
	s->error = xstrdup(msg);
	s->st.error = s->error;
	s->st.seconds = now_s() - s->start;
	s->pending = 0;
}

static void add_problem(zsearch *zs, const char *fmt, ...) BM_PRINTF(2, 3);
static void add_problem(zsearch *zs, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	zs->problems = xrealloc(zs->problems, (zs->nproblems + 1) * sizeof *zs->problems);
	zs->problems[zs->nproblems++] = sb_detach(&sb, NULL);
}

/* A target whose connection went idle: error, or hits and records. */
static void finish(zsearch *zs, size_t i)
{
	struct ztstate *s = &zs->ts[i];
	const char *msg = NULL, *add = NULL;
	int err = ZOOM_connection_error(s->c, &msg, &add);
	if (err) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s", msg ? msg : _("error"));
		if (add && *add)
			sb_addf(&sb, ": %s", add);
		sb_addf(&sb, " (%d)", err);
		fail(s, err == ZOOM_ERROR_TIMEOUT ? ZS_TIMEOUT : ZS_ERROR, err, sb.buf);
		sb_release(&sb);
		return;
	}
	s->st.state = ZS_DONE;
	s->st.hits = (long)ZOOM_resultset_size(s->rs);
	s->st.seconds = now_s() - s->start;
	s->pending = 0;
	long n = s->st.hits < zs->want ? s->st.hits : zs->want;
	for (long k = 0; k < n; k++) {
		ZOOM_record zr = ZOOM_resultset_record_immediate(s->rs, (size_t)k);
		if (!zr)
			break;
		const char *emsg = NULL, *eadd = NULL;
		if (ZOOM_record_error(zr, &emsg, &eadd, NULL)) {
			s->st.nbad++;
			add_problem(zs, _("%s: record %ld: %s%s%s"), s->t.name, k + 1,
			            emsg ? emsg : _("error"), eadd ? ": " : "", eadd ? eadd : "");
			continue;
		}
		int len = 0;
		const char *raw = ZOOM_record_get(zr, "raw", &len);
		rec *r = rec_create();
		strbuf perr = STRBUF_INIT;
		if (!raw || len <= 0 ||
		    zclient_parse_record(raw, (size_t)len, s->t.charset, r, &perr) < 0) {
			s->st.nbad++;
			add_problem(zs, _("%s: record %ld: %s"), s->t.name, k + 1,
			            perr.buf ? perr.buf : _("empty record"));
			rec_destroy(r);
		} else {
			zs->recs = xrealloc(zs->recs, (zs->nrecs + 1) * sizeof *zs->recs);
			zs->recs[zs->nrecs].target = i;
			zs->recs[zs->nrecs].position = k + 1;
			zs->recs[zs->nrecs].r = r;
			zs->nrecs++;
			s->st.nrecords++;
		}
		sb_release(&perr);
	}
}

zsearch *zsearch_start(const struct ztarget *t, size_t n, const char *ccl, long want,
                       int *pos, strbuf *err)
{
	/* check the query once, with the default qualifiers */
	strbuf pqf = STRBUF_INIT;
	if (zclient_ccl_to_pqf(NULL, ccl, &pqf, pos, err) < 0) {
		sb_release(&pqf);
		return NULL;
	}
	sb_release(&pqf);
	zsearch *zs = xcalloc(1, sizeof *zs);
	zs->ts = xcalloc(n ? n : 1, sizeof *zs->ts);
	zs->n = n;
	zs->want = want < 0 ? 0 : want;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		struct ztstate *s = &zs->ts[i];
		ztarget_copy(&s->t, &t[i]);
		s->st.name = s->t.name;
		s->st.state = ZS_CONNECTING;
		s->start = s->last = t0;
		strbuf q = STRBUF_INIT, qerr = STRBUF_INIT;
		int p = 0;
		if (zclient_ccl_to_pqf(&s->t, ccl, &q, &p, &qerr) < 0) {
			fail(s, ZS_ERROR, 10010, qerr.buf);
			sb_release(&q);
			sb_release(&qerr);
			continue;
		}
		s->q = ZOOM_query_create();
		if (s->t.sru) {
			strbuf cql = STRBUF_INIT;
			if (pqf_to_cql(q.buf, &cql, &qerr) < 0) {
				fail(s, ZS_ERROR, 10010, qerr.buf);
				sb_release(&cql);
				sb_release(&q);
				sb_release(&qerr);
				continue;
			}
			ZOOM_query_cql(s->q, cql.buf);
			sb_release(&cql);
		} else if (ZOOM_query_prefix(s->q, q.buf)) {
			fail(s, ZS_ERROR, 10010, _("bad query"));
			sb_release(&q);
			sb_release(&qerr);
			continue;
		}
		sb_release(&q);
		sb_release(&qerr);
		ZOOM_options o = ZOOM_options_create();
		ZOOM_options_set(o, "async", "1");
		ZOOM_options_set_int(o, "timeout", s->t.timeout);
		ZOOM_options_set_int(o, "count", (int)zs->want);
		ZOOM_options_set(o, "elementSetName", "F");
		if (s->t.sru) {
			ZOOM_options_set(o, "sru", "get");
			ZOOM_options_set(o, "schema", "marcxml");
		} else {
			ZOOM_options_set(o, "preferredRecordSyntax",
			                 s->t.syntax == ZT_MARCXML ? "xml" : "usmarc");
		}
		if (s->t.user)
			ZOOM_options_set(o, "user", s->t.user);
		if (s->t.password)
			ZOOM_options_set(o, "password", s->t.password);
		s->c = ZOOM_connection_create(o);
		ZOOM_options_destroy(o);
		ZOOM_connection_connect(s->c, s->t.address, 0);
		s->rs = ZOOM_connection_search(s->c, s->q);
		s->pending = 1;
	}
	/* queue the first I/O of each connection (connect) */
	zsearch_process(zs, NULL, 0);
	return zs;
}

/* Run what ZOOM has queued; record activity; finish idle connections. */
static int drain(zsearch *zs)
{
	int changed = 0;
	ZOOM_connection cs[256];
	size_t map[256];
	for (;;) {
		int nc = 0;
		for (size_t i = 0; i < zs->n && nc < 256; i++)
			if (zs->ts[i].pending) {
				map[nc] = i;
				cs[nc++] = zs->ts[i].c;
			}
		if (!nc)
			break;
		int k = ZOOM_event_nonblock(nc, cs);
		if (k <= 0)
			break;
		zs->ts[map[k - 1]].last = now_s();
	}
	for (size_t i = 0; i < zs->n; i++) {
		struct ztstate *s = &zs->ts[i];
		if (!s->pending)
			continue;
		if (ZOOM_connection_is_idle(s->c) ||
		    (ZOOM_connection_get_socket(s->c) < 0 && ZOOM_connection_error(s->c, NULL, NULL))) {
			finish(zs, i);
			changed++;
		}
	}
	return changed;
}

size_t zsearch_pollfds(zsearch *zs, struct pollfd *fds, size_t max, int *timeout_ms)
{
	size_t nf = 0;
	double now = now_s(), next = -1;
	for (size_t i = 0; i < zs->n; i++) {
		struct ztstate *s = &zs->ts[i];
		if (!s->pending)
			continue;
		double due = s->last + s->t.timeout - now;
		if (due < 0)
			due = 0;
		if (next < 0 || due < next)
			next = due;
		int fd = ZOOM_connection_get_socket(s->c);
		int mask = ZOOM_connection_get_mask(s->c);
		if (fd < 0 || !mask || nf >= max)
			continue;
		fds[nf].fd = fd;
		fds[nf].events = (short)(((mask & ZOOM_SELECT_READ) ? POLLIN : 0) |
		                         ((mask & ZOOM_SELECT_WRITE) ? POLLOUT : 0));
		fds[nf].revents = 0;
		nf++;
	}
	if (timeout_ms)
		*timeout_ms = next < 0 ? -1 : (int)(next * 1000.0) + 1;
	return nf;
}

int zsearch_process(zsearch *zs, const struct pollfd *fds, size_t nfds)
{
	int changed = 0;
	for (size_t f = 0; f < nfds; f++) {
		if (!fds[f].revents)
			continue;
		for (size_t i = 0; i < zs->n; i++) {
			struct ztstate *s = &zs->ts[i];
			if (!s->pending || ZOOM_connection_get_socket(s->c) != fds[f].fd)
				continue;
			int mask = 0;
			if (fds[f].revents & POLLIN)
				mask |= ZOOM_SELECT_READ;
			if (fds[f].revents & POLLOUT)
				mask |= ZOOM_SELECT_WRITE;
			if (fds[f].revents & (POLLERR | POLLHUP | POLLNVAL))
				mask |= ZOOM_SELECT_EXCEPT | ZOOM_SELECT_READ;
			ZOOM_connection_fire_event_socket(s->c, mask);
			s->last = now_s();
			break;
		}
	}
	changed += drain(zs);
	double now = now_s();
	for (size_t i = 0; i < zs->n; i++) {
		struct ztstate *s = &zs->ts[i];
		if (s->pending && now - s->last >= s->t.timeout) {
			ZOOM_connection_fire_event_timeout(s->c);
			char msg[96];
			snprintf(msg, sizeof msg, _("no answer within %d s (timeout)"), s->t.timeout);
			fail(s, ZS_TIMEOUT, ZOOM_ERROR_TIMEOUT, msg);
			changed++;
		}
	}
	return changed;
}

int zsearch_finished(const zsearch *zs)
{
	for (size_t i = 0; i < zs->n; i++)
		if (zs->ts[i].pending)
			return 0;
	return 1;
}

void zsearch_run(zsearch *zs, void (*fn)(void *arg, zsearch *zs, size_t target), void *arg)
{
	int *seen = xcalloc(zs->n ? zs->n : 1, sizeof *seen);
	for (;;) {
		for (size_t i = 0; fn && i < zs->n; i++)
			if (!seen[i] && !zs->ts[i].pending) {
				seen[i] = 1;
				fn(arg, zs, i);
			}
		if (zsearch_finished(zs))
			break;
		struct pollfd fds[256];
		int to;
		size_t nf = zsearch_pollfds(zs, fds, 256, &to);
		int rc = poll(fds, nf, to);
		if (rc < 0 && errno != EINTR)
			break;
		zsearch_process(zs, fds, rc > 0 ? nf : 0);
	}
	free(seen);
}

size_t zsearch_ntargets(const zsearch *zs)
{
	return zs->n;
}

const struct zt_status *zsearch_status(const zsearch *zs, size_t target)
{
	return target < zs->n ? &zs->ts[target].st : NULL;
}

size_t zsearch_nrecords(const zsearch *zs)
{
	return zs->nrecs;
}

const struct zrecord *zsearch_record(const zsearch *zs, size_t i)
{
	return i < zs->nrecs ? &zs->recs[i] : NULL;
}

size_t zsearch_nproblems(const zsearch *zs)
{
	return zs->nproblems;
}

const char *zsearch_problem(const zsearch *zs, size_t i)
{
	return i < zs->nproblems ? zs->problems[i] : NULL;
}

void zsearch_destroy(zsearch *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->n; i++) {
		struct ztstate *s = &zs->ts[i];
		ZOOM_resultset_destroy(s->rs);
		ZOOM_query_destroy(s->q);
		ZOOM_connection_destroy(s->c);
		free(s->error);
		ztarget_release(&s->t);
	}
	for (size_t i = 0; i < zs->nrecs; i++)
		rec_destroy(zs->recs[i].r);
	for (size_t i = 0; i < zs->nproblems; i++)
		free(zs->problems[i]);
	free(zs->problems);
	free(zs->recs);
	free(zs->ts);
	free(zs);
}
