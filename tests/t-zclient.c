/*
 * t-zclient.c - the copy cataloguing client without a server: targets
 * file, address forms, CCL -> PQF agreement with the catalogue's CCL,
 * qualifier overrides, records through the firewall (MARC-8), source
 * notes (035/040), and the asynchronous search against a refused port
 * and a socket that never answers (loopback only, bounded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "harness.h"
#include "zclient.h"
#include "cclquery.h"
#include "marcio.h"
#include "rec.h"

static char tmpdir[] = "/tmp/t-zclient.XXXXXX";

static char *write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void test_targets(void)
{
	const char *p = write_file("targets",
		"# copy cataloguing targets\n"
		"target loc tcp:lx2.loc.gov:210/LCDB syntax=usmarc charset=marc8 timeout=15 org=DLC\n"
		"target tv  z3950://ann:pw@127.0.0.1:2100/catalog charset=utf-8   # ours\n"
		"target sru http://127.0.0.1:2100/catalog syntax=marcxml\n"
		"map loc ti u=4 s=pw t=r\n"
		"\n");
	struct ztargets ts = { NULL, 0 };
	strbuf err = STRBUF_INIT;
	CHECK_INT(ztargets_load(&ts, p, 0, &err), 0);
	CHECK_INT(ts.n, 3);
	if (ts.n == 3) {
		CHECK_STR(ts.t[0].address, "tcp:lx2.loc.gov:210/LCDB");
		CHECK_INT(ts.t[0].charset, CS_MARC8);
		CHECK_INT(ts.t[0].timeout, 15);
		CHECK_STR(ts.t[0].org, "DLC");
		CHECK_STR(ts.t[0].qualifiers, "ti u=4 s=pw t=r\n");
		CHECK_STR(ts.t[1].address, "tcp:127.0.0.1:2100/catalog");
		CHECK_STR(ts.t[1].user, "ann");
		CHECK_STR(ts.t[1].password, "pw");
		CHECK_INT(ts.t[1].charset, CS_UTF8);
		CHECK_INT(ts.t[2].sru, 1);
		CHECK_INT(ts.t[2].syntax, ZT_MARCXML);
	}
	struct ztarget t;
	CHECK_INT(ztarget_resolve(&ts, "loc", &t, &err), 0);
	CHECK_STR(t.name, "loc");
	CHECK_INT(t.charset, CS_MARC8);
	ztarget_release(&t);
	CHECK_INT(ztarget_resolve(&ts, "z3950://bob:x@h.example:210/db", &t, &err), 0);
	CHECK_STR(t.address, "tcp:h.example:210/db");
	CHECK_STR(t.user, "bob");
	CHECK_STR(t.password, "x");
	CHECK_STR(t.name, "h.example:210/db");   /* no password in messages */
	ztarget_release(&t);
	/* an SRU URL with credentials: ZOOM could not connect to it as such
	 * ("Connect failed"), and the password showed in every message */
	CHECK_INT(ztarget_resolve(&ts, "http://bob:x@h.example:8080/sru", &t, &err), 0);
	CHECK_STR(t.address, "http://h.example:8080/sru");
	CHECK_STR(t.user, "bob");
	CHECK_STR(t.password, "x");
	CHECK_INT(t.sru, 1);
	CHECK_STR(t.name, "http://h.example:8080/sru");
	ztarget_release(&t);
	CHECK_INT(ztarget_resolve(&ts, "h.example:210/db", &t, &err), 0);
	CHECK_STR(t.address, "tcp:h.example:210/db");
	CHECK_INT(t.timeout, 20);
	ztarget_release(&t);
	/* an address with the targets file's keys after it */
	CHECK_INT(ztarget_resolve(&ts, "h.example:210/db charset=marc8 syntax=marcxml timeout=5 "
	                               "org=VN-X", &t, &err), 0);
	CHECK_STR(t.address, "tcp:h.example:210/db");
	CHECK_STR(t.name, "h.example:210/db");
	CHECK_INT(t.charset, CS_MARC8);
	CHECK_INT(t.syntax, ZT_MARCXML);
	CHECK_INT(t.timeout, 5);
	CHECK_STR(t.org, "VN-X");
	ztarget_release(&t);
	CHECK_INT(ztarget_resolve(&ts, "z3950://bob:x@h.example:210/db  user=ann\tpassword=y",
	                          &t, &err), 0);
	CHECK_STR(t.user, "ann");                  /* the options win, as in the file */
	CHECK_STR(t.password, "y");
	CHECK_STR(t.name, "h.example:210/db");
	ztarget_release(&t);
	sb_reset(&err);
	CHECK_INT(ztarget_resolve(&ts, "h.example:210/db charset=klingon", &t, &err), -1);
	CHECK(err.buf && strstr(err.buf, "h.example:210/db: charset 'klingon'"));
	sb_reset(&err);
	CHECK_INT(ztarget_resolve(&ts, "h.example:99999/db charset=marc8", &t, &err), -1);
	CHECK(err.buf && strstr(err.buf, "1 to 65535"));
	sb_reset(&err);
	CHECK_INT(ztarget_resolve(&ts, "nosuchname", &t, &err), -1);
	CHECK(err.buf && strstr(err.buf, "nosuchname"));
	/* a port past 65535 would wrap to another one (88953 -> 23417) */
	const char *badport[] = { "tcp:127.0.0.1:88953/catalog", "z3950://h:65536/db",
	                          "z3950://u:p@h:0/db", "http://h:99999/sru" };
	for (size_t i = 0; i < sizeof badport / sizeof *badport; i++) {
		sb_reset(&err);
		CHECK_INT(ztarget_resolve(&ts, badport[i], &t, &err), -1);
		CHECK(err.buf && strstr(err.buf, "1 to 65535"));
	}
	const char *goodport[] = { "z3950://h:65535/db", "http://u:123456@h/sru",
	                           "tcp:[::1]:2100/db", "h.example:z3950/db" };
	for (size_t i = 0; i < sizeof goodport / sizeof *goodport; i++) {
		CHECK_INT(ztarget_resolve(&ts, goodport[i], &t, &err), 0);
		ztarget_release(&t);
	}
	ztargets_release(&ts);

	/* mistakes name the line */
	const char *bad[][2] = {
		{ "target x tcp:h:1/d syntax=grs1\n", ":1: syntax 'grs1'" },
		{ "\ntarget x tcp:h:1/d timeout=0\n", ":2: timeout '0'" },
		{ "target x\n", ":1: 'target' needs" },
		{ "target x tcp:h:1/d\ntarget x tcp:h:2/d\n", ":2: target 'x' is defined twice" },
		{ "map y ti u=4\n", ":1: map: no target 'y'" },
		{ "target x tcp:h:1/d\nmap x ti four\n", ":2: map: 'four'" },
		{ "frob\n", ":1: unknown word 'frob'" },
		{ "target x tcp:h:1/d colour=red\n", ":1: unknown key 'colour'" },
		{ "target x tcp:h:70000/d\n", ":1: 'tcp:h:70000/d': the port is not" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = write_file("bad", bad[i][0]);
		sb_reset(&err);
		struct ztargets b = { NULL, 0 };
		CHECK_INT(ztargets_load(&b, p, 0, &err), -1);
		CHECKF(err.buf && strstr(err.buf, bad[i][1]), "want '%s' in '%s'", bad[i][1],
		       err.buf ? err.buf : "");
		ztargets_release(&b);
	}
	/* missing file: fine when missing_ok */
	struct ztargets m = { NULL, 0 };
	CHECK_INT(ztargets_load(&m, "/nonexistent/targets", 1, &err), 0);
	CHECK_INT(ztargets_load(&m, "/nonexistent/targets", 0, &err), -1);
	sb_release(&err);
}

static void test_ccl(void)
{
	const char *qs[] = {
		"ti=tắt đèn and au=ngô?", "isbn=9786046952183", "yr>1990", "yr=1990-2000",
		"kiều", "su=\"văn học\" or pb=kim đồng", "id=bm0001", "lccn=2001012345 not se=x",
		"TI=kieu AND au=du Or x Not y", "ti=\"and\" Or x",   /* any case; a quoted word */
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		strbuf a = STRBUF_INIT, b = STRBUF_INIT, e = STRBUF_INIT;
		CHECK_INT(zclient_ccl_to_pqf(NULL, qs[i], &a, NULL, &e), 0);
		CHECK_INT(cclq_to_pqf(qs[i], &b, NULL, &e), 0);
		while (b.len && b.buf[b.len - 1] == ' ')
			b.buf[--b.len] = 0;
		CHECK_STR(a.buf, b.buf);
		sb_release(&a);
		sb_release(&b);
		sb_release(&e);
	}
	struct ztarget t;
	memset(&t, 0, sizeof t);
	t.qualifiers = (char *)"ti u=4 s=pw\nloc u=1016\n";
	strbuf a = STRBUF_INIT, e = STRBUF_INIT;
	CHECK_INT(zclient_ccl_to_pqf(&t, "ti=tắt đèn", &a, NULL, &e), 0);
	CHECK_STR(a.buf, "@attr 4=1 @attr 1=4 \"tắt đèn\"");
	sb_reset(&a);
	CHECK_INT(zclient_ccl_to_pqf(&t, "loc=x", &a, NULL, &e), 0);
	CHECK_STR(a.buf, "@attr 1=1016 x");
	sb_reset(&a);
	int pos = -1;
	CHECK_INT(zclient_ccl_to_pqf(NULL, "ti=(kiều", &a, &pos, &e), -1);
	CHECK(pos >= 0 && e.buf && !strncmp(e.buf, "column ", 7));
	/* a truncation error names the '?', as search does (column 5, not
	 * the end of the word) */
	const char *tq[] = { "ti=s?ng", "?ong", "ti=tắt đèn and ti=ki?u" };
	for (size_t i = 0; i < sizeof tq / sizeof *tq; i++) {
		strbuf le = STRBUF_INIT;
		int lpos = -1;
		sb_reset(&e);
		pos = -1;
		CHECK_INT(zclient_ccl_to_pqf(NULL, tq[i], &a, &pos, &e), -1);
		CHECK_INT(cclq_to_pqf(tq[i], &a, &lpos, &le), -1);
		CHECK_INT(pos, lpos);
		CHECK_STR(e.buf, le.buf);
		CHECK_INT(tq[i][pos], '?');
		sb_release(&le);
	}
	sb_release(&a);
	sb_release(&e);
}

/* First record of a file as raw bytes. */
static char *first_raw(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = malloc(200000);
	size_t n = fread(buf, 1, 200000, fp);
	fclose(fp);
	*len = n >= 5 ? (size_t)atoi((char[6]){ buf[0], buf[1], buf[2], buf[3], buf[4], 0 }) : 0;
	if (*len > n)
		*len = n;
	return buf;
}

static void test_records(void)
{
	size_t l8 = 0, lu = 0;
	char *m8 = first_raw(t_root("tests/data/bib-vi-marc8.mrc"), &l8);
	char *u8 = first_raw(t_root("tests/data/bib-vi.mrc"), &lu);
	if (!m8 || !u8) {
		SKIP("tests/data/bib-vi*.mrc missing");
		free(m8);
		free(u8);
		return;
	}
	rec *a = rec_create(), *b = rec_create();
	strbuf err = STRBUF_INIT;
	CHECK_INT(zclient_parse_record(m8, l8, CS_MARC8, a, &err), 0);
	CHECK_INT(zclient_parse_record(u8, lu, CS_UTF8, b, &err), 0);
	char diff[200] = "";
	CHECKF(rec_compare(a, b, diff, sizeof diff) == 0, "MARC-8 target record: %s", diff);
	CHECK_INT(rec_leader(a)[9], 'a');
	/* MARC-8 bytes under leader/09 'a' (a target that converts without
	 * telling): refused, and the hint is the targets file's charset=,
	 * since zsearch has no --from-charset */
	m8[9] = 'a';
	sb_reset(&err);
	CHECK_INT(zclient_parse_record(m8, l8, CS_AUTO, a, &err), -1);
	CHECKF(err.buf && strstr(err.buf, "charset=marc8") && !strstr(err.buf, "--from-charset"),
	       "hint: %s", err.buf ? err.buf : "");
	CHECK_INT(zclient_parse_record(m8, l8, CS_MARC8, a, &err), 0);
	CHECK_INT(zclient_parse_record("garbage", 7, CS_AUTO, a, &err), -1);
	CHECK_INT(zclient_parse_record(NULL, 0, CS_AUTO, a, &err), -1);
	sb_release(&err);
	rec_destroy(a);
	rec_destroy(b);
	free(m8);
	free(u8);
}

static void test_note_source(void)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 a 4500", 24);
	rec_add_control(r, "001", "   11224466 ", 12);
	rec_add_control(r, "003", "DLC", 3);
	rec_add_control(r, "005", "20240101000000.0", 16);
	size_t f = rec_add_field(r, "040", ' ', ' ');
	rec_add_sub(r, f, 'a', "DLC", 3);
	rec_add_sub(r, f, 'c', "DLC", 3);
	f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "X", 1);
	/* the source's holdings and items go (else they become our copies) */
	f = rec_add_field(r, "852", ' ', ' ');
	rec_add_sub(r, f, 'a', "DLC", 3);
	rec_add_sub(r, f, 'p', "MV.031877", 9);
	f = rec_add_field(r, "952", ' ', ' ');
	rec_add_sub(r, f, 'p', "B0001", 5);
	f = rec_add_field(r, "852", ' ', ' ');
	rec_add_sub(r, f, 'a', "DLC", 3);
	zclient_note_source(r, "FALLBACK", "VN-HNLIB");
	CHECK(rec_find(r, "852", 0) < 0);
	CHECK(rec_find(r, "952", 0) < 0);
	CHECK_STR(rec_get(r, "245", 'a'), "X");
	CHECK(rec_get_control(r, "001") == NULL);
	CHECK(rec_get_control(r, "003") == NULL);
	CHECK(rec_get_control(r, "005") == NULL);
	CHECK_STR(rec_get(r, "035", 'a'), "(DLC)11224466");
	CHECK_STR(rec_tag(r, 0), "035");
	long f40 = rec_find(r, "040", 0);
	CHECK(f40 >= 0);
	CHECK_INT(rec_nsub(r, (size_t)f40), 3);
	CHECK_STR(rec_sub_value(r, (size_t)f40, 2, NULL), "VN-HNLIB");
	/* again: nothing doubled (001 is gone, $d already ours) */
	zclient_note_source(r, "FALLBACK", "VN-HNLIB");
	CHECK_INT(rec_nsub(r, (size_t)rec_find(r, "040", 0)), 3);
	CHECK(rec_find(r, "035", rec_find(r, "035", 0) + 1) < 0);
	rec_destroy(r);

	/* no 003, no 040: the target's org; copying without editing adds no 040 */
	r = rec_create();
	rec_add_control(r, "001", "42", 2);
	zclient_note_source(r, "VN-TVQG", NULL);
	CHECK_STR(rec_get(r, "035", 'a'), "(VN-TVQG)42");
	CHECK(rec_find(r, "040", 0) < 0);
	/* then edited: 040 created with the source and our $d */
	rec_add_control(r, "001", "42", 2);
	zclient_note_source(r, "VN-TVQG", "VN-HNLIB");
	CHECK_STR(rec_get(r, "040", 'a'), "VN-TVQG");
	CHECK_STR(rec_get(r, "040", 'd'), "VN-HNLIB");
	CHECK(rec_find(r, "035", rec_find(r, "035", 0) + 1) < 0);
	rec_destroy(r);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_async(void)
{
	/* a listening socket that accepts (kernel backlog) but never answers */
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 4) ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		SKIP("no loopback socket");
		return;
	}
	/* a closed port: bind, note the port, close */
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in ca;
	memset(&ca, 0, sizeof ca);
	ca.sin_family = AF_INET;
	ca.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t cl = sizeof ca;
	bind(cs, (struct sockaddr *)&ca, sizeof ca);
	getsockname(cs, (struct sockaddr *)&ca, &cl);
	close(cs);

	char a1[64], a2[64];
	snprintf(a1, sizeof a1, "tcp:127.0.0.1:%d/x", ntohs(sa.sin_port));
	snprintf(a2, sizeof a2, "tcp:127.0.0.1:%d/x", ntohs(ca.sin_port));
	struct ztarget t[2];
	memset(t, 0, sizeof t);
	t[0].name = (char *)"silent";
	t[0].address = a1;
	t[0].timeout = 1;
	t[1].name = (char *)"closed";
	t[1].address = a2;
	t[1].timeout = 1;
	strbuf err = STRBUF_INIT;
	int pos = -1;
	CHECK(zsearch_start(t, 2, "ti=(", 5, &pos, &err) == NULL);
	CHECK(pos >= 0);
	double t0 = now_s();
	zsearch *zs = zsearch_start(t, 2, "ti=kiều", 5, &pos, &err);
	CHECK(zs != NULL);
	if (!zs)
		return;
	/* the caller's own loop */
	int rounds = 0, max_to = -1;
	while (!zsearch_finished(zs) && rounds++ < 1000 && now_s() - t0 < 10) {
		struct pollfd fds[8];
		int to;
		size_t nf = zsearch_pollfds(zs, fds, 8, &to);
		if (to > max_to)
			max_to = to;
		int rc = poll(fds, nf, to > 200 ? 200 : to);  /* as a UI would: short waits */
		zsearch_process(zs, fds, rc > 0 ? nf : 0);
	}
	/* one check however many rounds the loop took, so the count is stable */
	CHECKF(max_to <= 1100, "poll timeout asked for: %d ms", max_to);
	double took = now_s() - t0;
	CHECK(zsearch_finished(zs));
	CHECKF(took < 3.0, "took %.2f s", took);
	CHECK_INT(zsearch_status(zs, 0)->state, ZS_TIMEOUT);
	CHECK(zsearch_status(zs, 0)->error && strstr(zsearch_status(zs, 0)->error, "timeout"));
	CHECK_INT(zsearch_status(zs, 1)->state, ZS_ERROR);
	CHECK_INT(zsearch_status(zs, 1)->code, 10000);
	CHECK_INT(zsearch_nrecords(zs), 0);
	zsearch_destroy(zs);
	zsearch_destroy(NULL);
	close(ls);
	sb_release(&err);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_targets();
	test_ccl();
	test_records();
	test_note_source();
	test_async();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd)) {
	}
	DONE();
}
