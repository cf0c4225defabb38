/*
 * fuzz-mrk.c - libFuzzer target for the .mrk codec (src/mrk.c).
 *
 * The input is read as .mrk (charset detected, then forced to MARC-8 and
 * to UTF-8); every record read is written back as UTF-8 .mrk and must
 * read back equal, and written as MARC-8 .mrk must be pure ASCII. The
 * value coder is checked on the raw input too: decoding what the encoder
 * wrote gives the bytes back. Any failed check aborts (a finding).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marcio.h"
#include "input.h"
#include "mrk-mnemonics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-mrk: check failed: %s\n", what);
		abort();
	}
}

static void roundtrip(const rec *r)
{
	char *buf = NULL;
	size_t len = 0;
	strbuf err = STRBUF_INIT;

	FILE *fp = open_memstream(&buf, &len);
	struct marc_write_opts wo = { MF_MRK, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &wo);
	int rc = marc_writer_put(w, r, &err);
	marc_writer_close(w);
	fclose(fp);
	if (rc == 0 && len) {
		FILE *in = fmemopen(buf, len, "rb");
		struct marc_read_opts ro = { MF_MRK, CS_AUTO, 0 };
		marc_reader *rd = marc_reader_open(in, "roundtrip", &ro, NULL);
		rec *b = rec_create();
		char diff[256];
		check(marc_reader_next(rd, b) == MR_OK, "written record reads back");
		check(rec_compare(r, b, diff, sizeof diff) == 0, "written record reads back equal");
		check(marc_reader_next(rd, b) == MR_EOF, "one record written, one read");
		rec_destroy(b);
		marc_reader_close(rd);
		fclose(in);
	}
	free(buf);

	buf = NULL;
	len = 0;
	fp = open_memstream(&buf, &len);
	struct marc_write_opts wm = { MF_MRK, CS_MARC8, 1 };
	w = marc_writer_open(fp, &wm);
	sb_reset(&err);
	rc = marc_writer_put(w, r, &err);
	marc_writer_close(w);
	fclose(fp);
	if (rc == 0)
		check(is_ascii(buf, len), "MARC-8 .mrk is pure ASCII");
	free(buf);
	sb_release(&err);
}

static void read_all(const uint8_t *data, size_t size, int cs, int rt)
{
	FILE *fp = fmemopen((void *)data, size, "rb");
	struct marc_read_opts o = { MF_MRK, cs, 0 };
	marc_reader *rd = marc_reader_open(fp, "fuzz", &o, NULL);
	/* refused only when it starts as compressed data does (input.h) */
	check(rd != NULL || input_packing_of(data, size) != IN_PLAIN, "reader opens");
	if (!rd) {
		fclose(fp);
		return;
	}
	rec *r = rec_create();
	int rc, n = 0;
	while ((rc = marc_reader_next(rd, r)) != MR_EOF && n++ < 10000) {
		size_t rawlen;
		marc_reader_raw(rd, &rawlen);
		if (rc == MR_BAD)
			check(marc_reader_error(rd)[0] != 0, "a rejected record says why");
		else if (rt)
			roundtrip(r);
	}
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
}

static void values(const char *s, size_t n)
{
	strbuf e = STRBUF_INIT, d = STRBUF_INIT;
	if (memchr(s, 0, n))
		return;                        /* values never hold NUL */
	for (int ctrl = 0; ctrl <= 1; ctrl++) {
		for (int marc8 = 0; marc8 <= 1; marc8++) {
			sb_reset(&e);
			sb_reset(&d);
			mrk_encode_value(&e, s, n, marc8, ctrl);
			check(!memchr(e.buf, '$', e.len) && !memchr(e.buf, '\n', e.len), "no '$' or newline in encoded text");
			if (marc8)
				check(is_ascii(e.buf, e.len), "MARC-8 encoding is ASCII");
			mrk_decode_value(&d, e.buf, e.len, MRK_MARC8, ctrl);
			check(d.len == n && !memcmp(d.buf, s, n), "encode/decode gives the bytes back");
			if (!marc8 && utf8_valid(s, n, NULL)) {
				sb_reset(&d);
				mrk_decode_value(&d, e.buf, e.len, MRK_UTF8, ctrl);
				check(d.len == n && !memcmp(d.buf, s, n), "UTF-8 encode/decode gives the text back");
			}
		}
		sb_reset(&d);
		mrk_decode_value(&d, s, n, MRK_UTF8, ctrl);
		sb_reset(&d);
		mrk_decode_value(&d, s, n, MRK_MARC8, ctrl);
	}
	sb_release(&e);
	sb_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	read_all(data, size, CS_AUTO, 1);
	read_all(data, size, CS_MARC8, 0);
	read_all(data, size, CS_UTF8, 0);
	values((const char *)data, size < 4096 ? size : 4096);
	return 0;
}
