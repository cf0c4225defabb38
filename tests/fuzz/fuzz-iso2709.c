/*
 * fuzz-iso2709.c - libFuzzer target for the ISO 2709 codec (src/iso2709.c).
 *
 * The input is read as ISO 2709 through the whole reader (marc_reader_open
 * on fmemopen, charset firewall included) to the end. Every record read
 * is written back as ISO 2709 (UTF-8, and MARC-8 losslessly); when the
 * writer accepts it, the output must read back as exactly one record,
 * equal field for field and with no rejection. Every rejected record must
 * carry a message and its raw bytes, and the raw bytes of all records
 * together can never exceed the input. Any failed check aborts.
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
		fprintf(stderr, "fuzz-iso2709: check failed: %s\n", what);
		abort();
	}
}

static void roundtrip(const rec *r, int to_cs)
{
	char *buf = NULL;
	size_t len = 0;
	strbuf err = STRBUF_INIT;
	FILE *fp = open_memstream(&buf, &len);
	struct marc_write_opts wo = { MF_ISO2709, to_cs, 1 };
	marc_writer *w = marc_writer_open(fp, &wo);
	int rc = marc_writer_put(w, r, &err);
	check(marc_writer_close(w) == 0, "writer closes");
	fclose(fp);
	check(rc == 0 ? len > 0 : len == 0, "a refused record leaves no output");
	if (rc == 0) {
		check(len <= 99999, "no record over 99,999 bytes is written");
		FILE *in = fmemopen(buf, len, "rb");
		struct marc_read_opts ro = { MF_ISO2709, to_cs == CS_MARC8 ? CS_MARC8 : CS_AUTO, 0 };
		marc_reader *rd = marc_reader_open(in, "roundtrip", &ro, NULL);
		rec *b = rec_create();
		char diff[256];
		int rc2 = marc_reader_next(rd, b);
		if (rc2 != MR_OK)
			fprintf(stderr, "fuzz-iso2709: %s\n", marc_reader_error(rd));
		check(rc2 == MR_OK, "a written record reads back");
		if (to_cs == CS_UTF8) {
			if (rec_compare(r, b, diff, sizeof diff) != 0)
				fprintf(stderr, "fuzz-iso2709: %s\n", diff);
			check(rec_compare(r, b, diff, sizeof diff) == 0, "it reads back equal");
		}
		check(marc_reader_next(rd, b) == MR_EOF, "one record written, one read");
		rec_destroy(b);
		marc_reader_close(rd);
		fclose(in);
	}
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
	struct marc_read_opts o = { MF_ISO2709, CS_AUTO, 0 };
	marc_reader *rd = marc_reader_open(fp, "fuzz", &o, NULL);
	/* refused only when it starts as compressed data does (input.h) */
	check(rd != NULL || input_packing_of(data, size) != IN_PLAIN, "reader opens");
	if (!rd) {
		fclose(fp);
		return 0;
	}
	rec *r = rec_create();
	size_t rawsum = 0;
	long n = 0;
	int rc;
	while ((rc = marc_reader_next(rd, r)) != MR_EOF) {
		size_t rl;
		marc_reader_raw(rd, &rl);
		check(rl > 0, "every record has raw bytes");
		rawsum += rl;
		check(rawsum <= size, "raw bytes never exceed the input");
		check(marc_reader_recno(rd) == ++n, "records are numbered in order");
		check(marc_reader_offset(rd) >= 0 && marc_reader_offset(rd) < (long long)size,
		      "offsets inside the input");
		if (rc == MR_BAD) {
			check(marc_reader_error(rd)[0] != 0, "a rejection says why");
			continue;
		}
		for (size_t i = 0; i < marc_reader_nwarnings(rd); i++)
			check(marc_reader_warning(rd, i) != NULL, "warnings are there");
		roundtrip(r, CS_UTF8);
		roundtrip(r, CS_MARC8);
	}
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
	return 0;
}
