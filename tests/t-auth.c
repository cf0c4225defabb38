/*
 * t-auth.c - authority control: heading keys (tones kept, Vietnamese
 * order rule), the linker against tests/data/auth-vi.mrc with the
 * statuses of tests/data/auth-links.tsv for every heading of
 * tests/data/bib-vi.mrc, see-from flips, and heading-change propagation
 * with its rollback through the batch journal; subject headings linked
 * only within their thesaurus.
 */
#include "harness.h"
#include <unistd.h>
#include "auth.h"
#include "catalog.h"
#include "marcio.h"
#include "lint.h"
#include "marcdef.h"

static char dir[] = "/tmp/t-auth.XXXXXX";

static void keys_tests(void)
{
	struct auth_keys a, b;
	CHECK(auth_text_keys("$aNguyễn Du,$d1765-1820", AT_PERSON, &a) == 0);
	CHECK(auth_text_keys("$aNguyên Du,$d1765-1820.", AT_PERSON, &b) == 0);
	CHECK_STR(a.display, "Nguyễn Du 1765-1820");
	CHECK_STR(a.mkey, "nguyễn du 1765-1820");
	CHECK(strcmp(a.mkey, b.mkey) != 0);          /* tones kept */
	CHECK_STR(a.skey, b.skey);                   /* but the same candidate */
	CHECK_STR(a.dkey, "nguyễn du");
	CHECK(a.has_date);
	auth_keys_release(&a);
	auth_keys_release(&b);

	/* subfield order and case and ISBD punctuation do not matter */
	CHECK(auth_text_keys("$d1765-1820$aNGUYỄN  DU,", AT_PERSON, &a) == 0);
	CHECK_STR(a.mkey, "nguyễn du 1765-1820");
	auth_keys_release(&a);

	/* Vietnamese inverted order = direct order (order key only) */
	CHECK(auth_text_keys("$aNguyễn, Nhật Ánh,$d1955-", AT_PERSON, &a) == 0);
	CHECK(auth_text_keys("$aNguyễn Nhật Ánh,$d1955-", AT_PERSON, &b) == 0);
	CHECK(strcmp(a.mkey, b.mkey) != 0);
	CHECK_STR(a.okey, b.okey);
	auth_keys_release(&a);
	auth_keys_release(&b);
	/* a foreign inverted name is not conflated with a direct form */
	CHECK(auth_text_keys("$aHemingway, Ernest", AT_PERSON, &a) == 0);
	CHECK(auth_text_keys("$aHemingway Ernest", AT_PERSON, &b) == 0);
	CHECK(strcmp(a.okey, b.okey) != 0);
	auth_keys_release(&a);
	auth_keys_release(&b);
	/* nor an untoned "surname" (Le, Nguyen: not on the list) */
	CHECK(auth_text_keys("$aLe, Anh", AT_PERSON, &a) == 0);
	CHECK_STR(a.okey, "le, anh");
	auth_keys_release(&a);
	/* two commas: not a Vietnamese inverted name */
	CHECK(auth_text_keys("$aTrần, Văn, Giàu", AT_PERSON, &a) == 0);
	CHECK_STR(a.okey, "trần, văn, giàu");
	auth_keys_release(&a);
	CHECK(auth_vi_surname("nguyễn", strlen("nguyễn")));
	CHECK(!auth_vi_surname("nguyen", 6));

	/* plain text is $a; subdivisions are not part of the key */
	rec *r = rec_create();
	size_t f = auth_parse_heading(r, "650", ' ', '7', "$aVăn học$zViệt Nam$2Bộ TK TVQG");
	CHECK(auth_field_keys(r, f, AT_TOPICAL, &a) == 0);
	CHECK_STR(a.mkey, "văn học");
	auth_keys_release(&a);
	rec_destroy(r);

	CHECK_INT(auth_bib_type("700"), AT_PERSON);
	CHECK_INT(auth_bib_type("651"), AT_GEO);
	CHECK_INT(auth_bib_type("653"), -1);
	CHECK_INT(auth_bib_type("830"), AT_UNIFORM);
	int kind = 0;
	CHECK_INT(auth_auth_type("451", &kind), AT_GEO);
	CHECK_INT(kind, AK_SEEFROM);
	CHECK_INT(auth_auth_type("555", &kind), AT_GENRE);
	CHECK_INT(kind, AK_SEEALSO);
}

/* ids of our catalogue -> source 001 (from the 035 import keeps) */
struct idmap {
	char *ours[128], *src[128];
	size_t n;
};

static const char *map_src(const struct idmap *m, const char *ours)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->ours[i], ours))
			return m->src[i];
	return "";
}

static const char *map_ours(const struct idmap *m, const char *src)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->src[i], src))
			return m->ours[i];
	return NULL;
}

static int load(catalog *c, const char *path, struct idmap *m)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	strbuf err = STRBUF_INIT;
	struct marc_read_opts ro = { 0 };
	marc_reader *rd = marc_reader_open(fp, path, &ro, &err);
	rec *r = rec_create();
	int st;
	while ((st = marc_reader_next(rd, r)) == MR_OK) {
		char *src = xstrdup(rec_get_control(r, "001"));
		CHECK(catalog_save(c, r, CAT_NEW, NULL, NULL, &err) == CAT_OK);
		if (m->n < 128) {
			m->ours[m->n] = xstrdup(rec_get_control(r, "001"));
			m->src[m->n++] = src;
		} else {
			free(src);
		}
	}
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
	sb_release(&err);
	return 0;
}

static void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->ours[i]);
		free(m->src[i]);
	}
}

/* Every heading of bib-vi against auth-links.tsv, in order. */
static void tsv_tests(catalog *c, const struct idmap *am, const struct idmap *bm)
{
	FILE *tsv = fopen(t_root("tests/data/auth-links.tsv"), "r");
	CHECK(tsv != NULL);
	if (!tsv)
		return;
	char line[1024];
	if (!fgets(line, sizeof line, tsv)) {        /* header */
		fclose(tsv);
		return;
	}
	auth_linker *L = auth_linker_create(c);
	strbuf err = STRBUF_INIT;
	rec *r = rec_create();
	char cur[64] = "";
	struct auth_linkres res = { 0 };
	size_t next = 0;
	long rows = 0, tone_linked = 0;
	while (fgets(line, sizeof line, tsv)) {
		line[strcspn(line, "\n")] = 0;
		char *col[6] = { 0 };
		char *p = line;
		for (int i = 0; i < 6; i++) {
			col[i] = p;
			char *t = p ? strchr(p, '\t') : NULL;
			if (t)
				*t = 0;
			p = t ? t + 1 : NULL;
		}
		if (strcmp(cur, col[0])) {
			snprintf(cur, sizeof cur, "%s", col[0]);
			auth_linkres_release(&res);
			next = 0;
			const char *ours = map_ours(bm, col[0]);
			CHECKF(ours != NULL, "bib %s", col[0]);
			if (!ours)
				continue;
			CHECK(catalog_fetch(c, ours, r, NULL, &err) == CAT_OK);
			CHECK(auth_link_record(L, r, 1, &res, &err) == CAT_OK);
		}
		rows++;
		CHECKF(next < res.n, "%s %s: no finding", col[0], col[1]);
		if (next >= res.n)
			continue;
		const struct auth_finding *x = &res.v[next++];
		CHECK_STR(x->tag, col[1]);
		CHECK_STR(x->heading, col[2]);
		CHECKF(!strcmp(auth_status_name(x->status), col[3]), "%s %s '%s': got %s, want %s",
		       col[0], col[1], col[2], auth_status_name(x->status), col[3]);
		if (*col[4]) {
			CHECKF(x->auth_id && !strcmp(map_src(am, x->auth_id), col[4]), "%s %s: authority %s",
			       col[0], col[1], x->auth_id ? map_src(am, x->auth_id) : "(none)");
			CHECK_STR(x->auth_heading, col[5]);
		}
		/* linked or not, as the status says; near misses never */
		long z = rec_find_sub(r, x->field, '0');
		if (x->status == AS_AUTHORIZED || x->status == AS_SEEFROM) {
			CHECKF(z >= 0, "%s %s: no $0", col[0], col[1]);
		} else {
			CHECKF(z < 0, "%s %s: %s but linked", col[0], col[1], col[3]);
			if (z >= 0 && x->status == AS_NEAR_TONES)
				tone_linked++;
		}
		/* a see-from is flipped to the authorised form */
		if (x->status == AS_SEEFROM) {
			struct auth_keys k;
			CHECK(auth_field_keys(r, x->field, auth_bib_type(x->tag), &k) == 0);
			CHECK_STR(k.display, col[5]);
			auth_keys_release(&k);
		}
	}
	CHECK_INT(rows, 165);
	CHECK_INT(tone_linked, 0);
	auth_linkres_release(&res);
	rec_destroy(r);
	auth_linker_destroy(L);
	sb_release(&err);
	fclose(tsv);
}

struct lintseen {
	int unauth, near, unlinked, ambig;
	char msg[512];
};

static void lint_seen(const lint_finding *f, void *arg)
{
	struct lintseen *ls = arg;
	if (!strcmp(f->rule, "heading-unauthorized")) {
		ls->unauth++;
		snprintf(ls->msg, sizeof ls->msg, "%s", f->message);
	}
	ls->near += !strcmp(f->rule, "heading-near-miss");
	ls->unlinked += !strcmp(f->rule, "heading-unlinked");
	ls->ambig += !strcmp(f->rule, "heading-ambiguous");
}

/* The lint rules through the hook; silent without it. */
static void lint_tests(catalog *c, const struct idmap *bm)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	CHECK(marcdef_load_dir(md, t_root("marc"), &err) >= 0);
	linter *l = lint_create(md);
	rec *r = rec_create();
	const char *th = map_ours(bm, "TH0007710");
	const char *na = map_ours(bm, "NA0023871");
	struct lintseen ls = { 0 };
	CHECK(th && catalog_fetch(c, th, r, NULL, &err) == CAT_OK);
	lint_check(l, r, 1, lint_seen, &ls);
	CHECK_INT(ls.unauth + ls.near + ls.unlinked, 0);      /* no hook: silent */
	auth_linker *L = auth_linker_create(c);
	lint_set_heading_hook(l, auth_lint_heading, L);
	lint_check(l, r, 1, lint_seen, &ls);
	CHECK_INT(ls.unauth, 1);
	CHECK(strstr(ls.msg, "use 'Nam Cao 1915-1951'") != NULL);
	CHECK_INT(ls.unlinked, 2);                            /* 650 and 655 */
	memset(&ls, 0, sizeof ls);
	CHECK(na && catalog_fetch(c, na, r, NULL, &err) == CAT_OK);
	lint_check(l, r, 1, lint_seen, &ls);
	CHECK_INT(ls.near, 1);
	CHECK_INT(ls.unauth, 0);
	CHECK_INT(lint_rule_severity(l, "heading-uncontrolled"), LINT_OFF);
	auth_linker_destroy(L);
	rec_destroy(r);
	lint_destroy(l);
	marcdef_destroy(md);
	sb_release(&err);
}

/* Link every bib for real; rename Nam Cao; roll back. */
static void propagate_tests(catalog *c, const struct idmap *am, const struct idmap *bm)
{
	strbuf err = STRBUF_INIT;
	auth_linker *L = auth_linker_create(c);
	rec *r = rec_create();
	CHECK(catalog_begin(c, &err) == CAT_OK);
	for (size_t i = 0; i < bm->n; i++) {
		struct cat_version v = { 0 };
		struct auth_linkres res = { 0 };
		CHECK(catalog_fetch(c, bm->ours[i], r, &v, &err) == CAT_OK);
		CHECK(auth_link_record(L, r, 1, &res, &err) == CAT_OK);
		if (res.changed)
			CHECK(catalog_save(c, r, v.version, NULL, NULL, &err) == CAT_OK);
		auth_linkres_release(&res);
		cat_version_clear(&v);
	}
	CHECK(catalog_commit(c, &err) == CAT_OK);
	auth_linker_destroy(L);

	const char *namcao = map_ours(am, "TVQGA000105");
	const char *th = map_ours(bm, "TH0007710");    /* was Trần Hữu Tri: flipped */
	CHECK(namcao && th);
	if (!namcao || !th)
		goto out;
	char **ids;
	size_t n;
	CHECK(auth_users(c, namcao, &ids, &n, &err) == CAT_OK);
	CHECK_INT(n, 2);
	cat_ids_free(ids, n);

	struct auth_change ch;
	CHECK(auth_rename(c, namcao, "$aNam Cao (nhà văn),$d1915-1951", 0, 1, "t", &ch, &err) == 0);
	CHECK_INT(ch.records, 2);
	CHECK_INT(ch.batch, 0);                      /* dry run */
	CHECK(catalog_fetch(c, th, r, NULL, &err) == CAT_OK);
	CHECK_STR(rec_get(r, "100", 'a'), "Nam Cao,");
	CHECK(auth_rename(c, namcao, "$aNam Cao (nhà văn),$d1915-1951", 0, 0, "t", &ch, &err) == 0);
	CHECK_INT(ch.records, 2);
	CHECK(ch.batch > 0);
	CHECK(catalog_fetch(c, th, r, NULL, &err) == CAT_OK);
	CHECK_STR(rec_get(r, "100", 'a'), "Nam Cao (nhà văn),");
	CHECK(rec_get(r, "100", '0') != NULL);
	CHECK(catalog_fetch(c, namcao, r, NULL, &err) == CAT_OK);
	int seefrom = 0;
	for (long f = rec_find(r, "400", 0); f >= 0; f = rec_find(r, "400", (size_t)f + 1))
		seefrom |= !strcmp(rec_sub_value(r, (size_t)f, 0, NULL), "Nam Cao,");
	CHECK(seefrom);                              /* the old form is a see-from now */
	/* the old form now links as see-from, the new one as authorised */
	{
		struct auth_keys k;
		struct auth_hit *h;
		size_t nh;
		CHECK(auth_text_keys("$aNam Cao,$d1915-1951", AT_PERSON, &k) == 0);
		CHECK(auth_find(c, AT_PERSON, AKEY_MATCH, k.mkey, 0, 0, &h, &nh, &err) == CAT_OK);
		CHECK_INT(nh, 1);
		if (nh)
			CHECK_INT(h[0].kind, AK_SEEFROM);
		auth_hits_free(h, nh);
		auth_keys_release(&k);
	}
	/* rollback: the whole change is one batch */
	long restored = 0, removed = 0, conflicts = 0;
	CHECK(catalog_batch_undo(c, ch.batch, 0, &restored, &removed, &conflicts, NULL, &err) == CAT_OK);
	CHECK_INT(restored, 3);
	CHECK(catalog_fetch(c, th, r, NULL, &err) == CAT_OK);
	CHECK_STR(rec_get(r, "100", 'a'), "Nam Cao,");
	CHECK(catalog_fetch(c, namcao, r, NULL, &err) == CAT_OK);
	CHECK_STR(rec_get(r, "100", 'a'), "Nam Cao,");

	/* delete: merge relinks, then the other is gone */
	const char *nd = map_ours(am, "TVQGA000101");
	CHECK(auth_merge(c, nd, namcao, 1, 0, "t", &ch, &err) == 0);
	CHECK_INT(ch.records, 2);
	CHECK(catalog_fetch(c, namcao, r, NULL, &err) == CAT_DELETED);
	CHECK(catalog_fetch(c, th, r, NULL, &err) == CAT_OK);
	CHECK_STR(rec_get(r, "100", 'a'), "Nguyễn Du,");
	CHECK(auth_users(c, namcao, &ids, &n, &err) == CAT_OK);
	CHECK_INT(n, 0);
	cat_ids_free(ids, n);
out:
	rec_destroy(r);
	sb_release(&err);
}

/* an authority record: 008/11 = thes (0: no 008), 040 $f = src */
static char *mk_auth(catalog *c, const char *tag, const char *heading, char thes, const char *src)
{
	rec *a = rec_create();
	rec_set_leader(a, "00000nz  a2200000n  4500", 24);
	if (thes) {
		char f008[41];
		memcpy(f008, "150310nn|acznnaabn           a aaa      ", 40);
		f008[11] = thes;
		f008[40] = 0;
		rec_add_control(a, "008", f008, 40);
	}
	if (src) {
		size_t f = rec_add_field(a, "040", ' ', ' ');
		rec_add_sub(a, f, 'a', "VN-TVQG", 7);
		rec_add_sub(a, f, 'f', src, strlen(src));
	}
	auth_parse_heading(a, tag, ' ', ' ', heading);
	strbuf err = STRBUF_INIT;
	CHECKF(catalog_save(c, a, CAT_NEW, NULL, NULL, &err) == CAT_OK, "%s", err.buf ? err.buf : "");
	char *id = xstrdup(rec_get_control(a, "001"));
	rec_destroy(a);
	sb_release(&err);
	return id;
}

/* link one heading of a bib record: "status id" */
static const char *link1(auth_linker *L, const char *tag, char ind2, const char *heading)
{
	static char out[200];
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	auth_parse_heading(r, tag, tag[0] == '6' && tag[2] == '0' && tag[1] == '0' ? '1' : ' ', ind2,
	                   heading);
	struct auth_linkres res = { 0 };
	strbuf err = STRBUF_INIT;
	out[0] = 0;
	if (auth_link_record(L, r, 0, &res, &err) == CAT_OK && res.n == 1)
		snprintf(out, sizeof out, "%s %s", auth_status_name(res.v[0].status),
		         res.v[0].auth_id && res.v[0].status != AS_AMBIGUOUS ? res.v[0].auth_id : "-");
	auth_linkres_release(&res);
	rec_destroy(r);
	sb_release(&err);
	return out;
}

/* A topical, geographic or genre heading is linked only to an authority
 * of its own thesaurus (second indicator, $2 / 008/11, 040 $f); either
 * side naming none matches any; names are not compared. */
static void thesaurus_tests(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/thes.db", dir);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(path, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	char *vn = mk_auth(c, "150", "$aThiên văn học", 'z', "Bộ TK TVQG");
	char *lc = mk_auth(c, "150", "$aThiên văn học", 'a', NULL);
	char *any = mk_auth(c, "150", "$aHóa học", 'n', NULL);
	char *nofix = mk_auth(c, "150", "$aSinh học", 0, NULL);
	char *person = mk_auth(c, "100", "$aHồ, Chí Minh,$d1890-1969", 'a', NULL);
	char *place = mk_auth(c, "151", "$aHà Nội", 'z', "Bộ TK TVQG");
	/* as the workstation's "new authority" made them before: a fixed 008
	 * with no date, saying LCSH */
	char *old = NULL;
	{
		rec *a = rec_create();
		rec_set_leader(a, "00000nz  a2200000n  4500", 24);
		rec_add_control(a, "008", "      n| acannaabn          |a aaa      ", 40);
		auth_parse_heading(a, "150", ' ', ' ', "$aĐịa chất học");
		CHECK(catalog_save(c, a, CAT_NEW, NULL, NULL, &err) == CAT_OK);
		old = xstrdup(rec_get_control(a, "001"));
		rec_destroy(a);
	}
	auth_linker *L = auth_linker_create(c);
	strbuf want = STRBUF_INIT;
#define WANT(st, id) (sb_reset(&want), sb_addf(&want, "%s %s", st, id), want.buf)
	CHECK_STR(link1(L, "650", '7', "$aThiên văn học$2Bộ TK TVQG"), WANT("authorized", vn));
	CHECK_STR(link1(L, "650", '7', "$aThiên văn học$2bộ tk tvqg."), WANT("authorized", vn));
	CHECK_STR(link1(L, "650", '0', "$aThiên văn học"), WANT("authorized", lc));
	CHECK_STR(link1(L, "650", '7', "$aThiên văn học$2lcsh"), WANT("authorized", lc));
	CHECK_STR(link1(L, "650", '4', "$aThiên văn học"), "ambiguous -");   /* source unnamed */
	CHECK_STR(link1(L, "650", '7', "$aThiên văn học"), "ambiguous -");   /* no $2 */
	CHECK_STR(link1(L, "650", '2', "$aThiên văn học"), "no authority -"); /* MeSH: neither */
	CHECK_STR(link1(L, "650", '7', "$aThiên văn hoc$2sears"), "no authority -");
	CHECK_STR(link1(L, "650", '7', "$aThiên văn hoc$2Bộ TK TVQG"),
	          WANT("near-miss (tones/đ/case)", vn));
	/* an authority naming no thesaurus (008/11 n, or no 008) fits any */
	CHECK_STR(link1(L, "650", '2', "$aHóa học"), WANT("authorized", any));
	CHECK_STR(link1(L, "650", '7', "$aSinh học$2Bộ TK TVQG"), WANT("authorized", nofix));
	CHECK_STR(link1(L, "651", '7', "$aHà Nội$2Bộ TK TVQG"), WANT("authorized", place));
	CHECK_STR(link1(L, "651", '0', "$aHà Nội"), "no authority -");
	CHECK_STR(link1(L, "650", '7', "$aĐịa chất học$2Bộ TK TVQG"), WANT("authorized", old));
	/* names serve every thesaurus */
	CHECK_STR(link1(L, "600", '0', "$aHồ, Chí Minh,$d1890-1969"), WANT("authorized", person));
	CHECK_STR(link1(L, "600", '7', "$aHồ, Chí Minh,$d1890-1969$2Bộ TK TVQG"),
	          WANT("authorized", person));
	CHECK_STR(link1(L, "100", ' ', "$aHồ, Chí Minh,$d1890-1969"), WANT("authorized", person));

	/* a new authority made from a heading (the lookup's "new authority")
	 * carries the heading's thesaurus, so the next record links to it */
	rec *bib = rec_create();
	rec_set_leader(bib, "00000nam a2200000 i 4500", 24);
	rec_add_control(bib, "008", "150310s2015    vm            000 0 vie d", 40);
	auth_parse_heading(bib, "245", '1', '0', "$aThiên văn học đại cương /$cLê Văn A.");
	size_t f1 = auth_parse_heading(bib, "650", ' ', '7', "$aVũ trụ học$xLịch sử$2Bộ TK TVQG.");
	size_t f2 = auth_parse_heading(bib, "650", ' ', '0', "$aVũ trụ học");
	size_t f3 = auth_parse_heading(bib, "100", '1', ' ', "$aNguyễn, Văn A,$d1950-");
	size_t f4 = auth_parse_heading(bib, "650", ' ', '4', "$xLịch sử");
	rec *na = auth_new_from_heading(bib, f1, AT_TOPICAL, "VN-TEST", &err);
	CHECK(na != NULL);
	if (na) {
		const char *f008 = rec_get_control(na, "008");
		CHECK(f008 && strlen(f008) == 40);
		if (f008 && strlen(f008) == 40) {
			CHECK(strspn(f008, "0123456789") >= 6);       /* entered today */
			CHECK(f008[11] == 'z' && f008[14] == 'b' && f008[15] == 'a' && f008[32] == 'n');
		}
		CHECK(rec_leader(na)[6] == 'z');
		CHECK_STR(rec_get(na, "040", 'a'), "VN-TEST");
		CHECK_STR(rec_get(na, "040", 'b'), "vie");
		CHECK_STR(rec_get(na, "040", 'f'), "Bộ TK TVQG");
		CHECK_STR(rec_get(na, "150", 'a'), "Vũ trụ học");
		CHECK(rec_find_sub(na, (size_t)rec_find(na, "150", 0), 'x') < 0);
		CHECK_STR(rec_get(na, "670", 'a'), "Thiên văn học đại cương, 2015");
		CHECK(catalog_save(c, na, CAT_NEW, NULL, NULL, &err) == CAT_OK);
		auth_linker_flush(L);
		strbuf w2 = STRBUF_INIT;
		sb_addf(&w2, "authorized %s", rec_get_control(na, "001"));
		CHECK_STR(link1(L, "650", '7', "$aVũ trụ học$2Bộ TK TVQG"), w2.buf);
		CHECK_STR(link1(L, "650", '0', "$aVũ trụ học"), "no authority -");
		sb_release(&w2);
		rec_destroy(na);
	}
	na = auth_new_from_heading(bib, f2, AT_TOPICAL, NULL, &err);
	CHECK(na != NULL);
	if (na) {
		CHECK(rec_get_control(na, "008")[11] == 'a');
		CHECK(rec_get(na, "040", 'f') == NULL);
		CHECK_STR(rec_get(na, "040", 'a'), "VN-BIENMUC");
		rec_destroy(na);
	}
	na = auth_new_from_heading(bib, f3, AT_PERSON, "VN-TEST", &err);
	CHECK(na != NULL);
	if (na) {
		const char *f008 = rec_get_control(na, "008");
		CHECK(f008[11] == '|' && f008[14] == 'a' && f008[32] == 'a');
		long g = rec_find(na, "100", 0);
		CHECK(g >= 0 && rec_ind(na, (size_t)g, 1) == '1');
		CHECK_STR(rec_get(na, "100", 'd'), "1950-");
		rec_destroy(na);
	}
	sb_reset(&err);
	CHECK(auth_new_from_heading(bib, f4, AT_TOPICAL, "VN-TEST", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "no heading") != NULL);
	rec_destroy(bib);
#undef WANT
	auth_linker_destroy(L);
	catalog_close(c);
	free(vn);
	free(lc);
	free(any);
	free(nofix);
	free(person);
	free(place);
	free(old);
	sb_release(&want);
	sb_release(&err);
}

int main(void)
{
	keys_tests();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	thesaurus_tests();
	char path[256];
	snprintf(path, sizeof path, "%s/c.db", dir);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(path, CAT_OPEN_CREATE, &err);
	CHECK(c != NULL);
	if (c) {
		struct idmap am = { 0 }, bm = { 0 };
		CHECK(load(c, t_root("tests/data/auth-vi.mrc"), &am) == 0);
		CHECK_INT(am.n, 43);
		CHECK(load(c, t_root("tests/data/bib-vi.mrc"), &bm) == 0);
		CHECK_INT(bm.n, 46);
		tsv_tests(c, &am, &bm);
		lint_tests(c, &bm);
		/* browse positioned in Vietnamese order, with see-from rows */
		struct auth_hit *h;
		size_t n, before;
		CHECK(auth_browse(c, AT_PERSON, "Trần", 2, 5, &h, &n, &before, &err) == CAT_OK);
		CHECK_INT(before, 2);
		CHECK(n >= 3);
		if (n >= 3) {
			CHECK_STR(h[2].heading, "Trần Hữu Tri 1915-1951");
			CHECK_INT(h[2].kind, AK_SEEFROM);
		}
		auth_hits_free(h, n);
		propagate_tests(c, &am, &bm);
		idmap_free(&am);
		idmap_free(&bm);
		catalog_close(c);
	}
	sb_release(&err);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	DONE();
}
