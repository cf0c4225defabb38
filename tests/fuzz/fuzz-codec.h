/*
 * fuzz-codec.h - the body of the libFuzzer targets for the Unicode codecs
 * (fuzz-marcxml.c, fuzz-json.c): include it after defining FUZZ_NAME (for
 * messages), FUZZ_FORMAT (the reader's format) and FUZZ_NORAW (a message
 * prefix of rejections that carry no raw bytes, or NULL).
 *
 * The input is read in that format through the whole reader (charset
 * firewall included) to the end. Checks: records are numbered in order,
 * their offsets lie inside the input and never go backwards, every
 * rejection says why and (but for FUZZ_NORAW) carries raw bytes that are
 * part of the input. Every record read is written back as MARCXML and as
 * JSON; when the writer accepts it, the output must read back as exactly
 * one record, equal field for field. Any failed check aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marcio.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, FUZZ_NAME ": check failed: %s\n", what);
		abort();
	}
}

static void roundtrip(const rec *r, int fmt)
{
	char *buf = NULL;
	size_t len = 0;
	strbuf err = STRBUF_INIT;
	FILE *fp = open_memstream(&buf, &len);
	struct marc_write_opts wo = { fmt, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &wo);
	int rc = marc_writer_put(w, r, &err);
	check(marc_writer_close(w) == 0, "writer closes");
	fclose(fp);
	check(rc == 0 || (err.buf && err.len), "a refusal says why");
	FILE *in = fmemopen(buf, len, "rb");
	struct marc_read_opts ro = { fmt, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(in, "roundtrip", &ro, NULL);
	check(rd != NULL, "reader opens");
	rec *b = rec_create();
	if (rc == 0) {
		char diff[256];
		int rc2 = marc_reader_next(rd, b);
		if (rc2 != MR_OK)
			fprintf(stderr, FUZZ_NAME ": %s\n", marc_reader_error(rd));
		check(rc2 == MR_OK, "a written record reads back");
		if (rec_compare(r, b, diff, sizeof diff) != 0)
			fprintf(stderr, FUZZ_NAME ": %s\n", diff);
		check(rec_compare(r, b, diff, sizeof diff) == 0, "it reads back equal");
	}
	check(marc_reader_next(rd, b) == MR_EOF, "nothing else was written");
	rec_destroy(b);
	marc_reader_close(rd);
	fclose(in);
	free(buf);
	sb_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	struct marc_read_opts o = { FUZZ_FORMAT, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(fp, "fuzz", &o, NULL);
	/* refused only when it starts as compressed data does (input.h) */
	check(rd != NULL || input_packing_of(data, size) != IN_PLAIN, "reader opens");
	if (!rd) {
		fclose(fp);
		return 0;
	}
	rec *r = rec_create();
	long n = 0;
	long long last = -1;
	int rc;
	while ((rc = marc_reader_next(rd, r)) != MR_EOF) {
		size_t rl;
		const char *raw = marc_reader_raw(rd, &rl);
		long long off = marc_reader_offset(rd);
		check(marc_reader_recno(rd) == ++n, "records are numbered in order");
		check(n <= (long)size, "no more records than bytes");
		check(off >= 0 && off <= (long long)size, "offsets inside the input");
		check(off >= last, "offsets never go backwards");
		last = off;
		for (size_t i = 0; i < marc_reader_nwarnings(rd); i++)
			check(marc_reader_warning(rd, i) != NULL, "warnings are there");
		if (rc == MR_BAD) {
			const char *e = marc_reader_error(rd);
			check(e[0] != 0, "a rejection says why");
			if (!FUZZ_NORAW || strncmp(e, FUZZ_NORAW, strlen(FUZZ_NORAW)) != 0) {
				check(rl > 0, "a rejected record has raw bytes");
				check(rl <= size - (size_t)off, "raw bytes lie inside the input");
				check(!memcmp(raw, data + off, rl), "raw bytes are the input's");
			}
			continue;
		}
		roundtrip(r, MF_MARCXML);
		roundtrip(r, MF_JSON);
	}
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
	return 0;
}
