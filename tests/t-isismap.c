/* t-isismap.c - CDS/ISIS to MARC21 mapping (src/isismap.c) with the
 * shipped example marc/cdsisis-books.map on hand-built raw records. */
#include "harness.h"
#include "isismap.h"

static void raw(rec *r, const char *tag, const char *data)
{
	rec_add_control(r, tag, data, strlen(data));
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	isismap *m = isismap_load(t_root("marc/cdsisis-books.map"), &err);
	CHECKF(m != NULL, "%s", err.buf ? err.buf : "");
	if (!m)
		DONE();
	rec *src = rec_create(), *dst = rec_create();
	rec_set_leader(src, "00000nam  2200000   4500", 24);
	raw(src, "001", "NA0023871");
	raw(src, "002", "^a9786042193849^c65000đ");
	raw(src, "010", "895.92211");
	raw(src, "100", "Nguyễn Du^d1765-1820");
	raw(src, "110", "Đào Duy Anh");
	raw(src, "110", "Trần Văn Giáp");
	raw(src, "200", "^aTruyện Kiều^bthơ^cNguyễn Du");
	raw(src, "210", "^aH.^bNxb. Văn học^c2019");
	raw(src, "215", "^a347 tr.^c21 cm");
	raw(src, "600", "Văn học trung đại");
	raw(src, "600", "Truyện thơ");
	raw(src, "900", "VV.012345");
	raw(src, "902", "20050317");
	raw(src, "950", "^xsomething local");
	int rc = isismap_apply(m, src, dst, "VN-TVNA", &err);
	CHECK_INT(rc, 0);
	CHECK_STR(rec_get_control(dst, "001"), "NA0023871");
	CHECK_STR(rec_get(dst, "020", 'a'), "9786042193849");
	CHECK_STR(rec_get(dst, "020", 'c'), "65000đ");
	CHECK_STR(rec_get(dst, "040", 'a'), "VN-TVNA");
	CHECK_STR(rec_get(dst, "082", 'a'), "895.92211");
	CHECK_STR(rec_get(dst, "100", 'a'), "Nguyễn Du,");
	CHECK_STR(rec_get(dst, "100", 'd'), "1765-1820.");
	/* tidy: ISBD punctuation and 245 indicators */
	CHECK_STR(rec_get(dst, "245", 'a'), "Truyện Kiều :");
	CHECK_STR(rec_get(dst, "245", 'b'), "thơ /");
	CHECK_STR(rec_get(dst, "245", 'c'), "Nguyễn Du.");
	long f245 = rec_find(dst, "245", 0);
	CHECK(f245 >= 0 && rec_ind(dst, (size_t)f245, 1) == '1' && rec_ind(dst, (size_t)f245, 2) == '0');
	CHECK_STR(rec_get(dst, "260", 'a'), "H. :");
	CHECK_STR(rec_get(dst, "260", 'b'), "Nxb. Văn học,");
	CHECK_STR(rec_get(dst, "260", 'c'), "2019.");
	CHECK_STR(rec_get(dst, "300", 'a'), "347 tr. ;");
	/* 008 from the template: year from 210^c */
	const char *d008 = rec_get_control(dst, "008");
	CHECK(d008 && strlen(d008) == 40 && !strncmp(d008 + 6, "s2019", 5) && !strncmp(d008 + 35, "vie", 3));
	/* repeated source fields give repeated MARC fields */
	long a = rec_find(dst, "700", 0);
	CHECK(a >= 0 && rec_find(dst, "700", (size_t)a + 1) > a);
	a = rec_find(dst, "653", 0);
	CHECK(a >= 0 && rec_find(dst, "653", (size_t)a + 1) > a);
	CHECK_STR(rec_get(dst, "852", 'p'), "VV.012345");
	/* 902 dropped, 950 kept as a note, nothing lost */
	CHECK_STR(rec_get(dst, "500", 'a'), "[950^x] something local.");   /* tidy ends notes with a period */
	for (size_t f = 0; f < rec_nfields(dst); f++)
		CHECK(strcmp(rec_tag(dst, f), "902"));
	/* fields come out in tag order */
	for (size_t f = 1; f < rec_nfields(dst); f++)
		CHECK(strcmp(rec_tag(dst, f - 1), rec_tag(dst, f)) <= 0);
	isismap_destroy(m);

	/* rest reject */
	sb_reset(&err);
	m = isismap_parse("map 200^a 245 10 a\nrest reject\n", "t.map", &err);
	CHECK(m != NULL);
	sb_reset(&err);
	CHECK_INT(isismap_apply(m, src, dst, NULL, &err), -1);
	CHECK(err.buf && strstr(err.buf, "source field 001 has no mapping"));
	CHECK(err.buf && strstr(err.buf, "source field 200 ^b has no mapping"));
	isismap_destroy(m);

	/* syntax errors name the line */
	sb_reset(&err);
	CHECK(isismap_parse("# x\nmap 200^a 245 10\n", "bad.map", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "bad.map:2:"));
	sb_reset(&err);
	CHECK(isismap_parse("rest sometimes\n", "bad2.map", &err) == NULL);
	CHECK(err.buf && strstr(err.buf, "bad2.map:1:"));

	rec_destroy(src);
	rec_destroy(dst);
	sb_release(&err);
	DONE();
}
