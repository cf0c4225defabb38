/* t-input.c - compressed inputs (src/input.c): the kinds are told by
 * their first bytes; a gzip file is read through zlib as the file inside
 * it (the same records, rewind works, the size from its trailer); one cut
 * short sets the stream's error after the bytes before the cut; a ZIP
 * archive is refused with a message saying how to unpack it; a plain file
 * comes back as it is. */
#include <zlib.h>
#include "harness.h"
#include "input.h"
#include "marcio.h"

static long count_records(FILE *fp, const char *name)
{
	marc_reader *rd = marc_reader_open(fp, name, NULL, NULL);
	if (!rd)
		return -1;
	rec *r = rec_create();
	long n = 0;
	int st;
	while ((st = marc_reader_next(rd, r)) != MR_EOF)
		if (st == MR_OK)
			n++;
	rec_destroy(r);
	marc_reader_close(rd);
	return n;
}

int main(void)
{
	const char *src = t_root("tests/data/bib-vi.mrc");
	strbuf raw = STRBUF_INIT;
	CHECK(sb_read_file(&raw, src) == 0);
	char dir[] = "/tmp/t-input.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char gz[256], cut[256], zip[256];
	snprintf(gz, sizeof gz, "%s/v.mrc.gz", dir);
	snprintf(cut, sizeof cut, "%s/cut.gz", dir);
	snprintf(zip, sizeof zip, "%s/v.zip", dir);
	gzFile g = gzopen(gz, "wb");
	CHECK(g && gzwrite(g, raw.buf, (unsigned)raw.len) == (int)raw.len);
	gzclose(g);

	CHECK_INT(input_packing_of("\x1f\x8b\x08", 3), IN_GZIP);
	CHECK_INT(input_packing_of("PK\x03\x04", 4), IN_ZIP);
	CHECK_INT(input_packing_of("BZh9", 4), IN_BZIP2);
	CHECK_INT(input_packing_of("\xFD" "7zXZ\0", 6), IN_XZ);
	CHECK_INT(input_packing_of("00850nam", 8), IN_PLAIN);
	CHECK_INT(input_packing_of("<?xml", 5), IN_PLAIN);
	CHECK_INT(input_packing_of("P", 1), IN_PLAIN);

	/* plain: the same FILE back */
	FILE *fp = fopen(src, "rb");
	int packing = -1;
	strbuf why = STRBUF_INIT;
	FILE *u = input_unpack(fp, src, &packing, NULL, &why);
	CHECK(u == fp);
	CHECK_INT(packing, IN_PLAIN);
	long plain = count_records(u, src);
	CHECK_INT(plain, 46);
	fclose(u);

	/* gzip: the records, its size, rewind */
	fp = fopen(gz, "rb");
	long long size = 0;
	u = input_unpack(fp, gz, &packing, &size, &why);
	CHECK(u != NULL && u != fp);
	CHECK_INT(packing, IN_GZIP);
	CHECK_INT(size, (long long)raw.len);
	if (u) {
		char head[24];
		CHECK(fread(head, 1, sizeof head, u) == sizeof head);
		CHECK(!memcmp(head, raw.buf, sizeof head));
		rewind(u);
		CHECK_INT(count_records(u, gz), plain);
		CHECK(!ferror(u));
		fclose(u);                  /* closes fp too */
	}

	/* cut short: the records before the cut, then an error */
	strbuf z = STRBUF_INIT;
	CHECK(sb_read_file(&z, gz) == 0);
	FILE *w = fopen(cut, "wb");
	CHECK(w && fwrite(z.buf, 1, z.len / 2, w) == z.len / 2);
	fclose(w);
	fp = fopen(cut, "rb");
	u = input_unpack(fp, cut, &packing, NULL, &why);
	CHECK(u != NULL);
	if (u) {
		long n = count_records(u, cut);
		CHECKF(n > 0 && n < plain, "%ld records before the cut", n);
		CHECK(ferror(u));
		fclose(u);
	}
	sb_reset(&why);
	input_damaged(cut, &why);
	CHECK(why.buf && strstr(why.buf, "the gzip data is damaged or ends early"));

	/* a ZIP archive: refused, fp left open */
	w = fopen(zip, "wb");
	CHECK(w && fwrite("PK\x03\x04" "0123456789", 1, 14, w) == 14);
	fclose(w);
	fp = fopen(zip, "rb");
	sb_reset(&why);
	u = input_unpack(fp, zip, &packing, NULL, &why);
	CHECK(u == NULL);
	CHECK_INT(packing, IN_ZIP);
	CHECKF(why.buf && strstr(why.buf, "is a ZIP archive, not a MARC file: unpack it first (unzip '"),
	       "%s", why.buf ? why.buf : "");
	CHECK(fgetc(fp) == 'P');        /* still open, nothing read */
	fclose(fp);

	remove(gz);
	remove(cut);
	remove(zip);
	rmdir(dir);
	sb_release(&raw);
	sb_release(&z);
	sb_release(&why);
	DONE();
}
