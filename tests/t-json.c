/*
 * t-json.c - unit tests of the MARC-in-JSON reader and writer (src/json.c):
 * the three file layouts, escapes, fix-ups and rejects, resynchronisation
 * after bad JSON (record numbers, byte offsets, raw bytes), the writer's
 * exact layout and refusals, XML -> JSON -> XML round trips, and
 * compatibility with yaz-marcdump's JSON in both directions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "marcio-items.h"
#include "marcio.h"
#include "rec.h"

static struct items read_str(const char *s)
{
	return read_mem(s, strlen(s), MF_JSON);
}

static char tmpname[3][512];

static void tmp_init(void)
{
	for (int i = 0; i < 3; i++)
		snprintf(tmpname[i], sizeof tmpname[i], "%s/tests/tmp/t-json-%ld-%d",
		         getenv("BM_ROOT") ? getenv("BM_ROOT") : ".", (long)getpid(), i);
}

static void tmp_cleanup(void)
{
	for (int i = 0; i < 3; i++)
		unlink(tmpname[i]);
}

/* ---- layouts ---- */

#define R1 "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"TV001\"}," \
	"{\"245\":{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{\"a\":\"Truyện Kiều /\"},{\"c\":\"Nguyễn Du.\"}]}}]}"
#define R2 "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"TV002\"}]}"

static void check_r1(const rec *r)
{
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(rec_leader(r), "00000nam a2200000 i 4500");
	CHECK_INT(rec_nfields(r), 2);
	CHECK_STR(rec_get_control(r, "001"), "TV001");
	CHECK_INT(rec_ind(r, 1, 1), '1');
	CHECK_INT(rec_ind(r, 1, 2), '0');
	CHECK_STR(rec_get(r, "245", 'a'), "Truyện Kiều /");
	CHECK_STR(rec_get(r, "245", 'c'), "Nguyễn Du.");
}

static void test_layouts(void)
{
	struct items it;
	/* one object */
	it = read_str(R1);
	CHECK_INT(it.good, 1);
	if (it.good)
		check_r1(it.v[0].r);
	items_free(&it);

	/* an array, one per line; offsets point at each '{' */
	const char *arr = "[\n" R1 ",\n" R2 "\n]\n";
	it = read_str(arr);
	CHECK_INT(it.good, 2);
	CHECK_INT(it.bad, 0);
	if (it.n == 2) {
		check_r1(it.v[0].r);
		CHECK_STR(rec_get_control(it.v[1].r, "001"), "TV002");
		CHECK_INT(it.v[0].off, 2);
		CHECK_INT(it.v[1].off, strstr(arr, R2) - arr);
		CHECK_INT(it.v[1].recno, 2);
	}
	items_free(&it);

	/* one object per line, with a BOM and CRLF */
	it = read_str("\xEF\xBB\xBF" R1 "\r\n" R2 "\r\n");
	CHECK_INT(it.good, 2);
	if (it.n == 2)
		CHECK_INT(it.v[0].off, 3);
	items_free(&it);

	/* pretty-printed objects one after another (yaz-marcdump -o json),
	 * members in yaz's order */
	it = read_str("{\n  \"leader\": \"00000nam a2200000 i 4500\",\n  \"fields\": [\n"
	              "    {\n      \"001\": \"X\"\n    },\n    {\n      \"245\": {\n"
	              "        \"subfields\": [\n          {\n            \"a\": \"t\"\n          }\n"
	              "        ],\n        \"ind1\": \"0\",\n        \"ind2\": \"4\"\n      }\n    }\n  ]\n}\n"
	              "{\n  \"leader\": \"00000nam a2200000 i 4500\",\n  \"fields\": [\n"
	              "    {\n      \"001\": \"Y\"\n    }\n  ]\n}\n");
	CHECK_INT(it.good, 2);
	if (it.good == 2) {
		CHECK_STR(rec_get(it.v[0].r, "245", 'a'), "t");
		CHECK_INT(rec_ind(it.v[0].r, 1, 2), '4');
		CHECK_STR(rec_get_control(it.v[1].r, "001"), "Y");
	}
	items_free(&it);

	/* empty input, empty array */
	it = read_str("");
	CHECK_INT(it.n, 0);
	items_free(&it);
	it = read_str("[\n]\n");
	CHECK_INT(it.n, 0);
	items_free(&it);

	/* detection */
	it = read_mem(R1, strlen(R1), MF_AUTO);
	CHECK_INT(it.good, 1);
	items_free(&it);
	it = read_mem("[" R1 "]", strlen(R1) + 2, MF_AUTO);
	CHECK_INT(it.good, 1);
	items_free(&it);
}

static void test_escapes(void)
{
	struct items it = read_str(
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"500\":{\"ind1\":\" \",\"ind2\":\" \","
		"\"subfields\":[{\"a\":\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\u1ec7\"},"
		"{\"b\":\"\\ud83d\\ude00 \xF0\x9F\x98\x80\"},{\"c\":\"Vie\\u0323\\u0302t\"},{\"d\":\"\"},"
		"{\"e\":\"{not a brace} [nor a bracket]\"}]}}]}");
	CHECK_INT(it.good, 1);
	if (it.good) {
		const rec *r = it.v[0].r;
		CHECK_STR(rec_get(r, "500", 'a'), "q\"b\\s/n\nt\tuéệ");
		CHECK_STR(rec_get(r, "500", 'b'), "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80");
		CHECK_STR(rec_get(r, "500", 'c'), "Việt");
		CHECK_STR(rec_get(r, "500", 'd'), "");
		CHECK_STR(rec_get(r, "500", 'e'), "{not a brace} [nor a bracket]");
	}
	items_free(&it);

	/* a lone surrogate and an escaped NUL cannot become MARC */
	it = read_str("{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\\ud83d\"}]}\n"
	              "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\\u0000b\"}]}\n"
	              "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\\\\u0000b\"}]}\n"
	              "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\\u001fb\"}]}\n");
	CHECK_INT(it.n, 4);
	if (it.n == 4) {
		CHECK(it.v[0].r == NULL);
		CHECK(it.v[1].r == NULL && strstr(it.v[1].err, "\\u0000"));
		CHECK(it.v[2].r && !strcmp(rec_get_control(it.v[2].r, "001"), "a\\u0000b"));
		/* a separator is data in JSON: kept, with the firewall's warning */
		CHECK(it.v[3].r && !strcmp(rec_get_control(it.v[3].r, "001"), "a\x1f" "b"));
		CHECK(it.v[3].warn && strstr(it.v[3].warn, "U+001F"));
	}
	items_free(&it);
}

static void test_fixups(void)
{
	struct items it = read_str(
		"{\"leader\":\"00000nam  22      a4500\",\"fields\":[{\"42\":{\"ind1\":\"0\",\"subfields\":[{\"a\":\"x\"}]}},"
		"{\"082\":{\"ind1\":\"0\",\"ind2\":\"4\",\"subfields\":[]}},{\"083\":{\"ind1\":\"\",\"ind2\":\"\\ufffd\"}}],"
		"\"extra\":1}\n"
		"{\"fields\":[{\"001\":\"no leader\"}]}\n");
	CHECK_INT(it.good, 2);
	if (it.good == 2) {
		const rec *r = it.v[0].r;
		CHECK_STR(rec_leader(r), "00000nam a22      a4500 ");
		CHECK_STR(rec_tag(r, 0), "042");
		CHECK_INT(rec_ind(r, 0, 2), ' ');
		CHECK_INT(rec_nsub(r, 1), 0);
		CHECK_INT(rec_ind(r, 2, 1), ' ');
		const char *w = it.v[0].warn;
		CHECK(strstr(w, "leader is 23 characters") != NULL);
		CHECK(strstr(w, "tag \"42\" read as 042") != NULL);
		CHECK(strstr(w, "missing ind2") != NULL);
		CHECK(strstr(w, "field 082 has no subfields") != NULL);
		CHECK(strstr(w, "field 083 has no subfields") != NULL);
		CHECK(strstr(w, "empty ind1") != NULL);
		CHECK(strstr(w, "ind2 is U+FFFD") != NULL);
		CHECK_INT(rec_ind(r, 2, 2), ' ');
		CHECK(strstr(w, "member \"extra\" ignored") != NULL);
		CHECK(strstr(it.v[1].warn, "no leader") != NULL);
	}
	items_free(&it);

	static const char *bad[] = {
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{\"ab\":\"x\"}]}}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":{\"ind1\":\"10\",\"ind2\":\"0\",\"subfields\":[{\"a\":\"x\"}]}}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":{\"ind1\":1,\"ind2\":\"0\",\"subfields\":[{\"a\":\"x\"}]}}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{\"a\":7}]}}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{\"a\":\"x\",\"b\":\"y\"}]}}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\",\"002\":\"b\"}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"2450\":\"a\"}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"245\":[\"a\"]}]}",
		"{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":{\"001\":\"a\"}}",
		"{\"leader\":00000,\"fields\":[]}",
		"{}",
		"\"just a string\"",
	};
	static const char *why[] = {
		"subfield code \"ab\" is not one character", "ind1 \"10\" is not one character",
		"ind1 is a number", "value is a number", "one member", "one member (its tag)",
		"is not a MARC tag", "expected a string or an object", "\"fields\" is an object",
		"invalid JSON", "empty record", "not a JSON object",
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		strbuf s = STRBUF_INIT;
		sb_adds(&s, "[\n" R1 ",\n");
		size_t at = s.len;
		sb_adds(&s, bad[k]);
		sb_adds(&s, ",\n" R1 "\n]\n");
		it = read_mem(s.buf, s.len, MF_JSON);
		CHECKF(it.n == 3 && it.good == 2, "case %zu: n=%zu good=%zu", k, it.n, it.good);
		if (it.n == 3) {
			CHECKF(it.v[1].err && strstr(it.v[1].err, why[k]), "case %zu: %s", k,
			       it.v[1].err ? it.v[1].err : "(accepted)");
			CHECK_INT(it.v[1].off, at);
			CHECK_INT(it.v[1].recno, 2);
			check_r1(it.v[2].r);
		}
		items_free(&it);
		sb_release(&s);
	}
}

static void test_resync(void)
{
	struct items it;
	/* a syntax error: position given, the next record still reads */
	const char *bad = "{\"leader\":\"00000nam a2200000 i 4500\",\n\"fields\":[{\"001\" \"x\"}]}";
	strbuf s = STRBUF_INIT;
	sb_adds(&s, R1 "\n");
	size_t at = s.len;
	sb_adds(&s, bad);
	sb_adds(&s, "\n" R2 "\n");
	it = read_mem(s.buf, s.len, MF_JSON);
	CHECK_INT(it.n, 3);
	if (it.n == 3) {
		CHECK(it.v[1].err && strstr(it.v[1].err, "invalid JSON at line 3, column 18"));
		CHECKF(it.v[1].err && strstr(it.v[1].err, "missing :"), "%s", it.v[1].err);
		char want[64];
		snprintf(want, sizeof want, "(byte %zu)", at + (strstr(bad, " \"x\"") - bad) + 1);
		CHECKF(it.v[1].err && strstr(it.v[1].err, want), "%s / %s", it.v[1].err, want);
		CHECK_INT(it.v[1].off, at);
		CHECK_INT(it.v[1].rawlen, strlen(bad));
		CHECK(it.v[1].raw && !memcmp(it.v[1].raw, bad, strlen(bad)));
		CHECK(it.v[2].r && !strcmp(rec_get_control(it.v[2].r, "001"), "TV002"));
	}
	items_free(&it);

	/* an object that never closes: cut at the next line starting with '{' */
	sb_reset(&s);
	sb_adds(&s, R1 "\n{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"oops}]}\n" R2 "\n");
	it = read_mem(s.buf, s.len, MF_JSON);
	CHECK_INT(it.n, 3);
	CHECK_INT(it.good, 2);
	if (it.n == 3)
		CHECK(it.v[1].err && strstr(it.v[1].err, "not closed before the next record"));
	items_free(&it);

	/* ... or at the end of input */
	it = read_str(R1 "\n{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[");
	CHECK_INT(it.n, 2);
	if (it.n == 2)
		CHECK(it.v[1].err && strstr(it.v[1].err, "not closed before the end of input"));
	items_free(&it);

	/* junk between records is accounted for */
	it = read_str(R1 "\ngarbage here\n" R2 "\n");
	CHECK_INT(it.n, 3);
	CHECK_INT(it.good, 2);
	if (it.n == 3) {
		CHECK(it.v[1].err && strstr(it.v[1].err, "not a JSON object"));
		CHECK_STR(it.v[1].raw, "garbage here\n");
	}
	items_free(&it);

	/* a raw control character in a string is invalid JSON */
	it = read_str("{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\tb\"}]}");
	CHECK_INT(it.bad, 1);
	items_free(&it);
	sb_release(&s);
}

/* ---- writer ---- */

static void test_writer(void)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	rec_add_control(r, "001", "A\"B", 3);
	size_t f = rec_add_field(r, "245", '1', '0');
	const char *v = "q\"b\\s/n\nt\tr\rc\x01" "d\x7f" "Việt";
	rec_add_sub(r, f, 'a', v, strlen(v));
	rec_add_sub(r, f, 'c', "x", 1);
	rec_add_field(r, "082", '0', '4');
	strbuf err = STRBUF_INIT;
	int rc;
	char *out = write_one(r, MF_JSON, &err, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "[\n{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"A\\\"B\"},"
	          "{\"245\":{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{\"a\":\"q\\\"b\\\\s/n\\nt\\tr\\rc\\u0001d\x7fViệt\"},"
	          "{\"c\":\"x\"}]}},{\"082\":{\"ind1\":\"0\",\"ind2\":\"4\",\"subfields\":[]}}]}\n]\n");
	/* reads back the same */
	struct items it = read_str(out);
	CHECK_INT(it.good, 1);
	if (it.good) {
		char diff[256] = "";
		CHECKF(rec_compare(r, it.v[0].r, diff, sizeof diff) == 0, "%s", diff);
	}
	items_free(&it);
	free(out);

	/* refusals */
	rec_set_sub(r, 1, 0, 'a', "a\xC3", 2);
	sb_reset(&err);
	out = write_one(r, MF_JSON, &err, &rc);
	CHECK_INT(rc, -1);
	CHECK(err.buf && strstr(err.buf, "invalid UTF-8") && strstr(err.buf, "(245) $a"));
	CHECK_STR(out, "[\n]\n");
	free(out);
	rec_set_sub(r, 1, 0, 'a', "a\0b", 3);
	sb_reset(&err);
	out = write_one(r, MF_JSON, &err, &rc);
	CHECK_INT(rc, -1);
	CHECK(err.buf && strstr(err.buf, "NUL byte at byte 2") && strstr(err.buf, "(245) $a"));
	free(out);
	rec_set_sub(r, 1, 0, (char)0xC3, "a", 1);
	sb_reset(&err);
	out = write_one(r, MF_JSON, &err, &rc);
	CHECK_INT(rc, -1);
	CHECK(err.buf && strstr(err.buf, "subfield code 0xC3"));
	free(out);
	sb_release(&err);

	/* the MARC separators are written and read back (as in 001 of
	 * yaz-marc1-latin1.marc) */
	{
		rec *q = rec_create();
		rec_set_leader(q, "00000nam a2200000 i 4500", 24);
		rec_add_control(q, "001", "000\x1f" "a9\x1e" "x\x1d", 9);
		rec_add_sub(q, rec_add_field(q, "500", ' ', ' '), 'a', "p\x1fq", 3);
		sb_reset(&err);
		out = write_one(q, MF_JSON, &err, &rc);
		CHECK_INT(rc, 0);
		CHECK(out && strstr(out, "\"000\\u001fa9\\u001ex\\u001d\""));
		it = read_str(out ? out : "");
		CHECK_INT(it.good, 1);
		if (it.good) {
			char diff[256] = "";
			CHECKF(rec_compare(q, it.v[0].r, diff, sizeof diff) == 0, "%s", diff);
		}
		items_free(&it);
		free(out);
		rec_destroy(q);
	}

	/* several records: a JSON array, one record per line */
	rec_set_sub(r, 1, 0, 'a', "ok", 2);
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct marc_write_opts o = { MF_JSON, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &o);
	/* a second writer open at the same time keeps its own count */
	char *buf2 = NULL;
	size_t n2 = 0;
	FILE *fp2 = open_memstream(&buf2, &n2);
	marc_writer *w2 = marc_writer_open(fp2, &o);
	for (int i = 0; i < 3; i++)
		marc_writer_put(w, r, NULL);
	marc_writer_put(w2, r, NULL);
	marc_writer_close(w);
	marc_writer_close(w2);
	fclose(fp);
	fclose(fp2);
	int lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	CHECK_INT(lines, 5);
	CHECK(!strncmp(buf, "[\n{", 3));
	CHECK(strstr(buf, "]},\n{\"leader\"") != NULL);
	CHECK(!strcmp(buf + n - 4, "]}\n]") || !strcmp(buf + n - 3, "\n]\n"));
	CHECK(!strncmp(buf2, "[\n{", 3) && !strstr(buf2, "},\n{"));
	it = read_mem(buf, n, MF_JSON);
	CHECK_INT(it.good, 3);
	items_free(&it);
	free(buf);
	free(buf2);
	rec_destroy(r);
}

/* ---- round trips and yaz ---- */

/* XML -> JSON -> XML: same records as read from the XML. */
static void xml_json_xml(const char *path, const char *label)
{
	struct items a = read_path(path, MF_MARCXML);
	size_t n1, n2;
	int ref1, ref2;
	char *j = write_items(&a, MF_JSON, &n1, &ref1);
	struct items b = read_mem(j, n1, MF_JSON);
	char *x = write_items(&b, MF_MARCXML, &n2, &ref2);
	struct items c = read_mem(x, n2, MF_MARCXML);
	CHECKF(ref1 == 0 && ref2 == 0, "%s: refused %d/%d", label, ref1, ref2);
	CHECKF(b.bad == 0 && b.good == a.good, "%s: %zu of %zu back from JSON", label, b.good, a.good);
	CHECKF(c.good == a.good, "%s: %zu of %zu back from XML", label, c.good, a.good);
	CHECKF(compare_items(&a, &b, label) == 0, "%s: XML -> JSON differs", label);
	CHECKF(compare_items(&a, &c, label) == 0, "%s: XML -> JSON -> XML differs", label);
	/* JSON -> JSON is stable */
	size_t n3;
	int ref3;
	char *j2 = write_items(&b, MF_JSON, &n3, &ref3);
	CHECKF(n3 == n1 && !memcmp(j, j2, n1), "%s: JSON second generation differs", label);
	free(j);
	free(j2);
	free(x);
	items_free(&a);
	items_free(&b);
	items_free(&c);
}

/* yaz-marcdump -o json output (pretty, concatenated) reads as the same
 * records; and each line of ours reads in yaz-marcdump -i json. */
static void yaz_compat(const char *path, const char *label, int each_line)
{
	char cmd[8192];
	struct items a = read_path(path, MF_MARCXML);
	snprintf(cmd, sizeof cmd, "yaz-marcdump -i marcxml -o json '%s' > '%s' 2>/dev/null", path,
	         tmpname[0]);
	if (system(cmd) == 0) {
		struct items y = read_path(tmpname[0], MF_JSON);
		CHECKF(y.bad == 0, "%s: %zu of yaz's JSON records rejected", label, y.bad);
		size_t cmp = 0;
		int bad = 0;
		for (size_t i = 0; i < a.n && i < y.n; i++) {
			if (!a.v[i].r || !y.v[i].r)
				continue;
			char diff[512];
			cmp++;
			if (rec_compare(a.v[i].r, y.v[i].r, diff, sizeof diff) != 0 && bad++ < 2)
				fprintf(stderr, "%s: record %zu, yaz JSON: %s\n", label, i + 1, diff);
		}
		CHECKF(bad == 0, "%s: %d records differ in yaz's JSON", label, bad);
		CHECKF(cmp > 0, "%s: nothing compared", label);
		items_free(&y);
	}
	if (each_line) {
		/* yaz-marcdump -i json reads one object per file: feed it each line */
		size_t n;
		int ref;
		char *j = write_items(&a, MF_JSON, &n, &ref);
		size_t k = 0, ok = 0, rec_i = 0;
		for (char *p = j, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			if (*p != '{')
				continue;
			size_t len = (size_t)(nl - p);
			if (len && p[len - 1] == ',')
				len--;
			while (rec_i < a.n && !a.v[rec_i].r)
				rec_i++;
			if (rec_i >= a.n)
				break;
			k++;
			write_file(tmpname[1], p, len);
			snprintf(cmd, sizeof cmd, "yaz-marcdump -i json -o marcxml '%s' > '%s' 2>/dev/null",
			         tmpname[1], tmpname[2]);
			if (system(cmd) == 0) {
				struct items y = read_path(tmpname[2], MF_MARCXML);
				if (y.good == 1 && rec_compare(a.v[rec_i].r, y.v[0].r, NULL, 0) == 0)
					ok++;
				items_free(&y);
			}
			rec_i++;
		}
		CHECKF(k > 0 && ok == k, "%s: yaz read %zu of our %zu JSON records back", label, ok, k);
		free(j);
	}
	items_free(&a);
}

static void test_files(void)
{
	const char *files[] = { "tests/data/bib-vi.xml", "tests/data/auth-vi.xml" };
	for (size_t k = 0; k < 2; k++) {
		xml_json_xml(t_root(files[k]), files[k]);
		if (have_yaz())
			yaz_compat(t_root(files[k]), files[k], k == 0);
		else
			SKIP("yaz-marcdump not installed");
	}
	if (!t_shared("xml")) {
		SKIP("../shared/data absent: corpus tests skipped");
		return;
	}
	const char *corpus[] = {
		"xml/catmandu-marc.xml", "xml/evergreen-badisbns.xml", "xml/evergreen-serials_marc21.xml",
		"xml/evergreen-serials_mfhd.xml", "xml/folio-UChicago_SampleBibs.xml",
		"xml/lc-dataset-british_library.xml", "xml/lc-dataset-dnb.xml", "xml/lc-dataset-gwu.xml",
		"xml/lc-dataset-loc_general.xml", "xml/lc-dataset-oclc.xml", "xml/marc4j-sample1a.xml",
		"xml/openlibrary-nybc200247_marc.xml", "xml/openlibrary-warofrebellionco1473unit_marc.xml",
		"xml/perl-batch-ns.xml", "xml/searchworks-troublesomeRecords.xml",
		"xml/solrmarc-specTestRecs_withBOM.xml", "xml/traject-test_data.utf8.marc.xml",
		"xml/zebra-collection-opera-43.xml", "vi/yaz-marc7-utf8.xml",
	};
	for (size_t k = 0; k < sizeof corpus / sizeof *corpus; k++) {
		xml_json_xml(t_shared(corpus[k]), corpus[k]);
		/* yaz's JSON of evergreen-serials has 1 record and catmandu's
		 * leader-after-field order confuses yaz: only compare others */
		if (have_yaz() && !strstr(corpus[k], "serials_marc21") && !strstr(corpus[k], "catmandu"))
			yaz_compat(t_shared(corpus[k]), corpus[k], 0);
	}
}

int main(void)
{
	tmp_init();
	test_layouts();
	test_escapes();
	test_fixups();
	test_resync();
	test_writer();
	test_files();
	tmp_cleanup();
	DONE();
}
