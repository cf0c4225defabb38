/*
 * t-iso2709.c - the ISO 2709 reader and writer (src/iso2709.c).
 *
 * Own fixtures, built here in C: a good record written by us is
 * byte-identical to what yaz makes of it (yaz_marc_read_iso2709 +
 * yaz_marc_write_iso2709), reads back field for field, and every kind of
 * damage the reader knows about is accepted with the right warning or
 * rejected with the right message, with the next record still read.
 * With ../shared/data: every bib/, vi/ and auth/ ISO 2709 file reads and writes
 * back byte-identical (the known exceptions are listed with their reason)
 * and every bad/ ISO 2709 file is read to the end with each record start
 * accounted for as read or rejected.
 *
 * Tests that need the values exactly as the bytes were use the codec ops
 * directly (no charset firewall); the others go through marc_reader_next.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
/* yaz defines xmalloc & co. as macros: ours are functions (util.h) */
#include <yaz/marcdisp.h>
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup

#include "harness.h"
#include "marcio-impl.h"
#include "rec.h"

/* ---- helpers ---- */

/* Write r with the ISO 2709 codec; returns 0 or -1 (message in err). */
static int put(const rec *r, strbuf *out, strbuf *err)
{
	sb_reset(out);
	sb_reset(err);
	return fmt_iso2709_writer.put(NULL, r, out, err);
}

/* What yaz makes of an ISO 2709 record: read it and write it again. */
static int yaz_rewrite(const char *buf, size_t n, strbuf *out)
{
	yaz_marc_t mt = yaz_marc_create();
	WRBUF w = wrbuf_alloc();
	int rc = yaz_marc_read_iso2709(mt, buf, (int)n);
	sb_reset(out);
	if (rc > 0 && yaz_marc_write_iso2709(mt, w) == 0)
		sb_add(out, wrbuf_buf(w), wrbuf_len(w));
	else
		rc = -1;
	wrbuf_destroy(w);
	yaz_marc_destroy(mt);
	return rc;
}

/* One reading session over a memory buffer or a file. */
struct rd {
	FILE *fp;
	marc_reader *rd;
	void *st;          /* our own codec state, for raw (no charset) reads */
	int nok, nbad;
	char msg[4096];    /* errors and warnings of the last record, joined */
};

static int rd_open_fp(struct rd *s, FILE *fp, const char *name)
{
	memset(s, 0, sizeof *s);
	struct marc_read_opts o = { MF_ISO2709, CS_UTF8, 0 };
	strbuf e = STRBUF_INIT;
	s->fp = fp;
	if (!fp)
		return -1;
	s->rd = marc_reader_open(fp, name, &o, &e);
	if (s->rd)
		s->st = fmt_iso2709_reader.open(s->rd, &e);
	sb_release(&e);
	return s->rd ? 0 : -1;
}

static int rd_open_mem(struct rd *s, const char *buf, size_t n)
{
	/* fmemopen of 0 bytes fails: use a 1-byte buffer read as empty */
	FILE *fp = n ? fmemopen((void *)buf, n, "rb") : fmemopen((void *)"", 1, "r");
	if (fp && !n)
		fgetc(fp);
	return rd_open_fp(s, fp, "mem");
}

static void rd_close(struct rd *s)
{
	if (s->st)
		fmt_iso2709_reader.close(s->st);
	marc_reader_close(s->rd);
	if (s->fp)
		fclose(s->fp);
}

/* Next record through the whole generic layer (charset firewall too). */
static int rd_next(struct rd *s, rec *r)
{
	int rc = marc_reader_next(s->rd, r);
	size_t k = 0;
	s->msg[0] = 0;
	if (rc == MR_BAD) {
		s->nbad++;
		k += (size_t)snprintf(s->msg, sizeof s->msg, "%s", marc_reader_error(s->rd));
	} else if (rc == MR_OK)
		s->nok++;
	for (size_t i = 0; i < marc_reader_nwarnings(s->rd) && k < sizeof s->msg; i++)
		k += (size_t)snprintf(s->msg + k, sizeof s->msg - k, "%s%s", k ? " | " : "",
		                      marc_reader_warning(s->rd, i));
	return rc;
}

/* Next record through the codec only: values are the source bytes. */
static int rd_next_raw(struct rd *s, rec *r)
{
	rec_clear(r);
	int rc = fmt_iso2709_reader.next(s->st, s->rd, r);
	if (rc == MR_BAD) {
		s->nbad++;
		snprintf(s->msg, sizeof s->msg, "%s", marc_reader_error(s->rd));
	} else if (rc == MR_OK)
		s->nok++;
	return rc;
}

/* Read everything in buf (full layer); counts in *ok, *bad; the messages
 * of all records joined in msgs (for strstr checks). */
static void read_all(const char *buf, size_t n, int *ok, int *bad, strbuf *msgs)
{
	struct rd s;
	rec *r = rec_create();
	sb_reset(msgs);
	if (rd_open_mem(&s, buf, n) == 0) {
		int rc;
		while ((rc = rd_next(&s, r)) != MR_EOF)
			sb_addf(msgs, "[%ld %s] %s\n", marc_reader_recno(s.rd), rc == MR_OK ? "ok" : "bad",
			        s.msg);
	}
	*ok = s.nok;
	*bad = s.nbad;
	rd_close(&s);
	rec_destroy(r);
}

static size_t add_sub(rec *r, size_t f, char code, const char *v)
{
	return rec_add_sub(r, f, code, v, strlen(v));
}

/* The sample record: Vietnamese UTF-8, an empty subfield, a 9XX. */
static rec *sample(void)
{
	rec *r = rec_create();
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	rec_add_control(r, "001", "vn0001", 6);
	rec_add_control(r, "008", "240101s2015    vm            000 0 vie d", 40);
	size_t f = rec_add_field(r, "020", ' ', ' ');
	add_sub(r, f, 'a', "9786048012345");
	f = rec_add_field(r, "245", '1', '0');
	add_sub(r, f, 'a', "Truy\xe1\xbb\x87n Ki\xe1\xbb\x81u /");
	add_sub(r, f, 'c', "Nguy\xe1\xbb\x85n Du.");
	f = rec_add_field(r, "650", ' ', '7');
	add_sub(r, f, 'a', "Th\xc6\xa1 Vi\xe1\xbb\x87t Nam");
	add_sub(r, f, '2', "");
	f = rec_add_field(r, "900", ' ', ' ');
	add_sub(r, f, 'a', "");
	add_sub(r, f, 'b', "x");
	return r;
}

/* Copy of s with n bytes at off replaced by rep (len m). */
static void splice(strbuf *dst, const char *s, size_t len, size_t off, size_t n,
                   const char *rep, size_t m)
{
	sb_reset(dst);
	sb_add(dst, s, off);
	sb_add(dst, rep, m);
	sb_add(dst, s + off + n, len - off - n);
}

static void set_num(char *p, long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

/* ---- writer ---- */

static void test_writer(void)
{
	rec *r = sample(), *back = rec_create();
	strbuf out = STRBUF_INIT, err = STRBUF_INIT, y = STRBUF_INIT;
	CHECK_INT(put(r, &out, &err), 0);
	/* computed leader positions */
	CHECK(!memcmp(out.buf, "00", 2));
	CHECK_INT(parse_digits(out.buf, 5), (long)out.len);
	CHECK(!memcmp(out.buf + 10, "22", 2));
	CHECK_INT(parse_digits(out.buf + 12, 5), 24 + 12 * 6 + 1);
	CHECK(!memcmp(out.buf + 20, "4500", 4));
	CHECK_INT((unsigned char)out.buf[out.len - 1], 0x1D);
	CHECK_INT(out.len, rec_iso2709_size(r));
	/* byte-identical to what yaz makes of it */
	CHECK(yaz_rewrite(out.buf, out.len, &y) > 0);
	CHECKF(y.len == out.len && !memcmp(y.buf, out.buf, out.len), "yaz gives %zu bytes, we %zu",
	       y.len, out.len);
	/* and reads back field for field, the empty subfields included */
	struct rd s;
	char diff[256];
	rd_open_mem(&s, out.buf, out.len);
	CHECK_INT(rd_next_raw(&s, back), MR_OK);
	CHECK_INT(rec_compare(r, back, diff, sizeof diff), 0);
	CHECK_INT(rec_nsub(back, 4), 2);
	CHECK_STR(rec_sub_value(back, 4, 1, NULL), "");
	CHECK_STR(rec_sub_value(back, 5, 0, NULL), "");
	CHECK_INT(rd_next_raw(&s, back), MR_EOF);
	rd_close(&s);

	/* leader/10-11 and 20-23 are set whatever the record says */
	rec_set_leader(r, "99999nam a2199999 i 9999", 24);
	CHECK_INT(put(r, &out, &err), 0);
	CHECK(!memcmp(out.buf + 10, "22", 2) && !memcmp(out.buf + 20, "4500", 4));
	CHECK(!memcmp(out.buf + 5, "nam a", 5) && out.buf[18] == 'i');

	/* an empty record: leader, directory terminator, record terminator */
	rec_clear(r);
	CHECK_INT(put(r, &out, &err), 0);
	CHECK_INT(out.len, 26);
	CHECK(!memcmp(out.buf, "00026", 5) && !memcmp(out.buf + 12, "00025", 5));
	rd_open_mem(&s, out.buf, out.len);
	CHECK_INT(rd_next_raw(&s, back), MR_OK);
	CHECK_INT(rec_nfields(back), 0);
	rd_close(&s);

	/* over 99,999 bytes: refused, never truncated */
	rec_clear(r);
	char big[1001];
	memset(big, 'x', 1000);
	big[1000] = 0;
	for (int i = 0; i < 120; i++)
		add_sub(r, rec_add_field(r, "500", ' ', ' '), 'a', big);
	out.len = 0;
	CHECK_INT(put(r, &out, &err), -1);
	CHECK_STR(err.buf, "record is 122066 bytes, over the ISO 2709 limit of 99,999; "
	          "write it as MARCXML or JSON instead");
	CHECK_INT(out.len, 0);
	/* 99,999 exactly is fine: 24 + 12n + 1 + data + 1 */
	rec_clear(r);
	for (int i = 0; i < 90; i++)
		add_sub(r, rec_add_field(r, "500", ' ', ' '), 'a', big);
	{
		/* leader, 91 entries, FT, 90 fields of 1005, one of 5 + last, RT */
		size_t used = 24 + 12 * 91 + 1 + 90 * 1005 + 5 + 1;
		size_t last = 99999 - used;                        /* its $a length */
		char *v = xmalloc(last + 1);
		memset(v, 'y', last);
		rec_add_sub(r, rec_add_field(r, "500", ' ', ' '), 'a', v, last);
		free(v);
	}
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	CHECK_INT(put(r, &out, &err), 0);
	CHECK_INT(out.len, 99999);
	CHECK(!memcmp(out.buf, "99999", 5));
	/* (yaz drops the last field of a record of exactly 99,999 bytes, so
	 * no comparison here; we read it back instead) */
	{
		struct rd s2;
		rd_open_mem(&s2, out.buf, out.len);
		CHECK_INT(rd_next_raw(&s2, back), MR_OK);
		CHECK_INT(rec_compare(r, back, NULL, 0), 0);
		rd_close(&s2);
	}
	rec_add_control(r, "001", "1", 1);
	CHECK_INT(put(r, &out, &err), -1);
	CHECK(strstr(err.buf, "record is 100013 bytes, over the ISO 2709 limit of 99,999") != NULL);

	/* a field over 9,999 bytes: refused */
	rec_clear(r);
	char *huge = xmalloc(10000);
	memset(huge, 'z', 10000);
	rec_add_sub(r, rec_add_field(r, "520", ' ', ' '), 'a', huge, 9995);  /* 2+2+9995+1 */
	CHECK_INT(put(r, &out, &err), -1);
	CHECK_STR(err.buf, "field 520 is 10000 bytes, over the ISO 2709 limit of 9,999; "
	          "write the record as MARCXML or JSON instead");
	rec_clear(r);
	rec_add_sub(r, rec_add_field(r, "520", ' ', ' '), 'a', huge, 9994);
	CHECK_INT(put(r, &out, &err), 0);
	rec_clear(r);
	rec_add_control(r, "001", huge, 9999);
	CHECK_INT(put(r, &out, &err), -1);
	CHECK(strstr(err.buf, "field 001 is 10000 bytes") == err.buf);
	free(huge);

	/* structural bytes in values cannot be written */
	rec_clear(r);
	add_sub(r, rec_add_field(r, "245", '1', '0'), 'a', "a\x1f" "bc");
	CHECK_INT(put(r, &out, &err), -1);
	CHECK(strstr(err.buf, "field 245 $a contains") == err.buf);
	rec_clear(r);
	add_sub(r, rec_add_field(r, "245", '1', '0'), 'a', "a\x1e");
	CHECK_INT(put(r, &out, &err), -1);
	rec_clear(r);
	rec_add_control(r, "001", "a\x1d", 2);
	CHECK_INT(put(r, &out, &err), -1);
	CHECK(strstr(err.buf, "field 001 contains") == err.buf);
	rec_clear(r);
	rec_add_field(r, "245", '\x1f', '0');
	CHECK_INT(put(r, &out, &err), -1);
	rec_clear(r);
	rec_add_sub(r, rec_add_field(r, "245", '1', '0'), '\x1f', "x", 1);
	CHECK_INT(put(r, &out, &err), -1);
	/* ... but a delimiter in control data is harmless and round-trips */
	rec_clear(r);
	rec_add_control(r, "001", "  \x1f" "aX", 5);
	CHECK_INT(put(r, &out, &err), 0);

	sb_release(&out);
	sb_release(&err);
	sb_release(&y);
	rec_destroy(r);
	rec_destroy(back);
}

/* ---- reader: own fixtures ---- */

/* Raw record bytes (for hand-made damage): sample() as ISO 2709. */
static void sample_bytes(strbuf *sb)
{
	rec *r = sample();
	strbuf err = STRBUF_INIT;
	put(r, sb, &err);
	sb_release(&err);
	rec_destroy(r);
}

/* ASCII record with three fields, directory in tag order. */
static void ascii_bytes(strbuf *sb, const char *id)
{
	rec *r = rec_create();
	strbuf err = STRBUF_INIT;
	rec_set_leader(r, "00000cam a2200000 a 4500", 24);
	rec_add_control(r, "001", id, strlen(id));
	size_t f = rec_add_field(r, "245", '0', '0');
	add_sub(r, f, 'a', "A title");
	f = rec_add_field(r, "500", ' ', ' ');
	add_sub(r, f, 'a', "A note.");
	put(r, sb, &err);
	sb_release(&err);
	rec_destroy(r);
}

#define EXPECT(in_, n_, wok, wbad, needle) do { int ok_, bad_; \
	read_all((in_), (n_), &ok_, &bad_, &msgs); \
	CHECKF(ok_ == (wok) && bad_ == (wbad), "read %d ok %d bad, want %d %d:\n%s", \
	       ok_, bad_, (wok), (wbad), msgs.buf ? msgs.buf : ""); \
	CHECKF(!(needle)[0] || (msgs.buf && strstr(msgs.buf, (needle))), \
	       "no '%s' in:\n%s", (needle), msgs.buf ? msgs.buf : ""); } while (0)

static void test_reader(void)
{
	strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, all = STRBUF_INIT,
	       msgs = STRBUF_INIT, t = STRBUF_INIT;
	rec *r = rec_create();
	struct rd s;
	ascii_bytes(&a, "a1");
	ascii_bytes(&b, "b2");
	sample_bytes(&c);

	/* clean input, and an empty one */
	sb_reset(&all);
	sb_add(&all, a.buf, a.len);
	sb_add(&all, b.buf, b.len);
	sb_add(&all, c.buf, c.len);
	EXPECT(all.buf, all.len, 3, 0, "");
	CHECK_INT(msgs.len, strlen("[1 ok] \n[2 ok] \n[3 ok] \n"));
	EXPECT("", 0, 0, 0, "");

	/* filler between records is skipped: newlines, NULs, ^Z, stray
	 * terminators (like the end of zebra-sample-marc.mrc), a BOM first */
	sb_reset(&all);
	sb_add(&all, "\xEF\xBB\xBF", 3);
	sb_add(&all, a.buf, a.len);
	sb_add(&all, "\r\n\n", 3);
	sb_add(&all, b.buf, b.len);
	sb_add(&all, "\x1d\x1d\0\x1a   \t", 8);
	EXPECT(all.buf, all.len, 2, 0, "");

	/* junk that is not a record is one rejected "record", then resync */
	sb_reset(&all);
	sb_adds(&all, "invalid marc file\n");
	sb_add(&all, a.buf, a.len);
	sb_adds(&all, "some text\n");
	sb_add(&all, b.buf, b.len);
	EXPECT(all.buf, all.len, 2, 2, "[1 bad] not a MARC record: 18 bytes 'invalid marc file' "
	       "before the next record");
	CHECK(strstr(msgs.buf, "[3 bad] not a MARC record: 10 bytes 'some text'"));
	EXPECT("\x1b(3\x1b)4 text\n", 12, 0, 1, "up to the end of the file");

	/* offsets and raw bytes of each record, for the rejects file */
	sb_reset(&all);
	sb_add(&all, a.buf, a.len);
	sb_adds(&all, "junk!");
	sb_add(&all, b.buf, b.len);
	rd_open_mem(&s, all.buf, all.len);
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK_INT(marc_reader_offset(s.rd), 0);
	CHECK_INT(rd_next(&s, r), MR_BAD);
	CHECK_INT(marc_reader_offset(s.rd), (long long)a.len);
	{
		size_t n;
		const char *raw = marc_reader_raw(s.rd, &n);
		CHECK(n == 5 && !memcmp(raw, "junk!", 5));
	}
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK_INT(marc_reader_offset(s.rd), (long long)a.len + 5);
	{
		size_t n;
		const char *raw = marc_reader_raw(s.rd, &n);
		CHECK(n == b.len && !memcmp(raw, b.buf, n));
	}
	CHECK_STR(rec_get_control(r, "001"), "b2");
	CHECK_INT(marc_reader_recno(s.rd), 3);
	CHECK_INT(rd_next(&s, r), MR_EOF);
	rd_close(&s);

	/* truncated file: the last record is cut */
	sb_reset(&all);
	sb_add(&all, a.buf, a.len);
	sb_add(&all, b.buf, b.len - 10);
	EXPECT(all.buf, all.len, 1, 1, "record is truncated: file ends at byte");
	{
		char want[64];
		snprintf(want, sizeof want, "file ends at byte %zu", all.len);
		CHECK(strstr(msgs.buf, want) != NULL);
	}
	EXPECT(a.buf, 20, 0, 1, "record is truncated: file ends at byte 20");
	EXPECT("0012", 4, 0, 1, "record is truncated: file ends at byte 4");

	/* leader length off by one (one byte more than it says) */
	splice(&t, a.buf, a.len, 0, 5, "00000", 5);
	set_num(t.buf, (long)a.len - 1, 5);
	sb_add(&t, b.buf, b.len);
	{
		char want[80];
		snprintf(want, sizeof want, "leader length %05zu but the record is %zu bytes",
		         a.len - 1, a.len);
		EXPECT(t.buf, t.len, 2, 0, want);
		/* or one less */
		set_num(t.buf, (long)a.len + 1, 5);
		snprintf(want, sizeof want, "leader length %05zu but the record is %zu bytes",
		         a.len + 1, a.len);
		EXPECT(t.buf, t.len, 2, 0, want);
	}

	/* a length that swallows the next record: the first terminator wins */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len);
	sb_add(&t, b.buf, b.len);
	set_num(t.buf, (long)(a.len + b.len), 5);
	EXPECT(t.buf, t.len, 2, 0, "[1 ok] leader length 00178 but the record is 89 bytes");
	/* a record terminator in the leader */
	splice(&t, a.buf, a.len, 7, 1, "\x1d", 1);
	EXPECT(t.buf, t.len, 0, 1, "leader/07 is a record terminator");

	/* lengths counted in characters, not bytes (UTF-8 exports) */
	{
		/* rewrite c's directory and leader length in characters */
		strbuf u = STRBUF_INIT;
		sb_add(&u, c.buf, c.len);
		long base = parse_digits(u.buf + 12, 5);
		size_t chars = 0, nent = (size_t)(base - 25) / 12;
		for (size_t i = 0; i < nent; i++) {
			char *e = u.buf + 24 + 12 * i;
			long len = parse_digits(e + 3, 4), off = parse_digits(e + 7, 5);
			size_t cl = 0;
			for (long k = 0; k < len; k++)
				cl += ((unsigned char)u.buf[base + off + k] & 0xC0) != 0x80;
			set_num(e + 3, (long)cl, 4);
			set_num(e + 7, (long)chars, 5);
			chars += cl;
		}
		set_num(u.buf, base + (long)chars + 1, 5);
		CHECK(memcmp(u.buf, c.buf, c.len) != 0);
		EXPECT(u.buf, u.len, 1, 0, "directory lengths and offsets count characters, not bytes");
		CHECK(strstr(msgs.buf, "leader length") != NULL);
		rd_open_mem(&s, u.buf, u.len);
		rec *want = sample();
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_INT(rec_compare(r, want, NULL, 0), 0);
		rec_destroy(want);
		rd_close(&s);
		sb_release(&u);
	}

	/* right length but no record terminator: the next record follows */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len - 1);
	sb_addc(&t, '\x1e');
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 2, 0, "[1 ok] record terminator is missing");
	/* ... at the end of the file */
	EXPECT(t.buf, a.len, 1, 0, "record terminator is missing");
	/* ... with a newline after it, at the end or before the next record */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len - 1);
	sb_adds(&t, "\x1e\r\n");
	EXPECT(t.buf, t.len, 1, 0, "[1 ok] record terminator is missing");
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 2, 0, "[1 ok] record terminator is missing");
	/* no terminator, and something else after the length */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len - 1);
	sb_adds(&t, "\x1etrailing text");
	EXPECT(t.buf, t.len, 0, 1, "[1 bad] record has no terminator before the end of the file "
	       "(byte 102)");

	/* a record terminator byte inside a field, the length right: read to
	 * the length (not cut in two rejects), the byte kept, a warning */
	{
		strbuf u = STRBUF_INIT;
		size_t at = (size_t)(strstr(a.buf + 24, "A title") - a.buf) + 2;   /* the 't' */
		sb_add(&u, a.buf, a.len);
		sb_add(&u, a.buf, a.len);                       /* twice */
		u.buf[at] = u.buf[a.len + at] = '\x1d';
		EXPECT(u.buf, u.len, 2, 0, "[2 ok] byte ");
		CHECKF(strstr(msgs.buf, "is a record terminator (0x1D) inside its data"), "%s", msgs.buf);
		rd_open_mem(&s, u.buf, u.len);
		CHECK_INT(rd_next(&s, r), MR_OK);
		CHECK_STR(rec_get(r, "245", 'a'), "A \x1ditle");
		CHECK_INT(rd_next(&s, r), MR_OK);
		CHECK_STR(rec_get_control(r, "001"), "a1");
		CHECK_INT(rd_next(&s, r), MR_EOF);
		rd_close(&s);
		/* the length wrong as well: read up to the first terminator, as
		 * before (rejected, bytes kept) */
		u.len = a.len;
		u.buf[4] = (char)(u.buf[4] + 1);
		read_all(u.buf, u.len, &(int){ 0 }, &(int){ 0 }, &msgs);
		CHECKF(strstr(msgs.buf, "inside its data") == NULL, "%s", msgs.buf);
		sb_release(&u);
	}

	/* the last record of the file lacks only its record terminator: the
	 * file ends one byte short of its length, on a field terminator */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len);
	sb_add(&t, b.buf, b.len - 1);
	EXPECT(t.buf, t.len, 2, 0, "[2 ok] record terminator is missing at the end of the file");
	CHECKF(strstr(msgs.buf, "but the record is") == NULL, "%s", msgs.buf);
	rd_open_mem(&s, t.buf, t.len);
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK_STR(rec_get_control(r, "001"), "b2");
	CHECK_STR(rec_get(r, "500", 'a'), "A note.");
	{
		size_t n;
		const char *raw = marc_reader_raw(s.rd, &n);
		CHECK(n == b.len - 1 && !memcmp(raw, b.buf, n));
	}
	CHECK_INT(rd_next(&s, r), MR_EOF);
	rd_close(&s);
	/* ... and a newline after it */
	sb_adds(&t, "\r\n");
	EXPECT(t.buf, t.len, 2, 0, "[2 ok] record terminator is missing at the end of the file");
	/* two bytes short: truncated, rejected as before */
	EXPECT(t.buf, a.len + b.len - 2, 1, 1, "[2 bad] record is truncated: file ends at byte 176");
	/* one byte short but not on a field terminator: truncated */
	t.buf[a.len + b.len - 2] = 'x';
	EXPECT(t.buf, a.len + b.len - 1, 1, 1, "[2 bad] record is truncated: file ends at byte 177");

	/* a record cut short and followed by the next one: resync on it */
	sb_reset(&t);
	sb_add(&t, a.buf, a.len - 12);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] record is not terminated: the next record starts at byte");
	CHECK(strstr(msgs.buf, "[2 ok]") != NULL);

	/* the leader length is not a number */
	splice(&t, a.buf, a.len, 0, 5, "00a12", 5);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] not a MARC record");
	splice(&t, a.buf, a.len, 3, 2, "a1", 2);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[2 ok]");

	/* leading blanks in the length (" 0089", "   89"): read as zeros,
	 * with a warning, also after a record, filler or junk */
	splice(&t, a.buf, a.len, 0, 3, "   ", 3);
	sb_adds(&t, "\r\n ");
	sb_add(&t, b.buf + 1, b.len - 1);
	EXPECT(t.buf, t.len, 2, 0, "[1 ok] leader length '   89' starts with blanks; read as 00089");
	CHECK(strstr(msgs.buf, "[2 ok] leader length ' 0089' starts with blanks; read as 00089"));
	rd_open_mem(&s, t.buf, t.len);
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK(!strncmp(rec_leader(r), "00089cam", 8));
	CHECK_INT(rd_next(&s, r), MR_OK);
	CHECK_INT(marc_reader_offset(s.rd), (long long)a.len + 2);
	CHECK_STR(rec_get_control(r, "001"), "b2");
	{
		size_t n;
		const char *raw = marc_reader_raw(s.rd, &n);
		CHECK(n == b.len && raw[0] == ' ' && !memcmp(raw + 1, b.buf + 1, n - 1));
	}
	rd_close(&s);
	splice(&t, a.buf, a.len, 0, 0, "junk! ", 6);
	t.buf[6] = ' ';
	EXPECT(t.buf, t.len, 1, 1, "[2 ok] leader length ' 0089' starts with blanks");
	CHECK(strstr(msgs.buf, "[1 bad] not a MARC record: 6 bytes 'junk!'"));
	/* anything else stays an error */
	splice(&t, a.buf, a.len, 0, 5, " 0a89", 5);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] not a MARC record");
	splice(&t, a.buf, a.len, 0, 5, "89   ", 5);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] not a MARC record");

	/* base address: wrong but the directory is fine -> warning */
	splice(&t, a.buf, a.len, 12, 5, "00157", 5);
	EXPECT(t.buf, t.len, 1, 0, "base address 00157 does not follow the directory (ends at 61); "
	       "read from 61");
	splice(&t, a.buf, a.len, 12, 5, "f0061", 5);
	EXPECT(t.buf, t.len, 1, 0, "base address 'f0061' is not a number; read from 61");
	/* wrong and the fields do not line up either way -> rejected */
	splice(&t, a.buf, a.len, 12, 5, "00049", 5);
	t.buf[60] = 'x';                            /* the directory terminator */
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] base address 00049 does not follow the directory (ends at");
	/* right base, but the directory is not terminated (perl-baddir.usmarc) */
	splice(&t, a.buf, a.len, 60, 1, "\x1f", 1);
	EXPECT(t.buf, t.len, 1, 0, "directory is not terminated: byte 60 of the record is 0x1F");

	/* directory entries: non-numeric length or offset -> rejected */
	splice(&t, a.buf, a.len, 24 + 12 + 3, 1, "x", 1);
	sb_add(&t, b.buf, b.len);
	EXPECT(t.buf, t.len, 1, 1, "[1 bad] directory entry 2 (tag 245) has a non-numeric length 'x012'");
	splice(&t, a.buf, a.len, 24 + 12 + 8, 1, "-", 1);
	EXPECT(t.buf, t.len, 0, 1, "directory entry 2 (tag 245) has a non-numeric offset");
	/* past the end */
	splice(&t, a.buf, a.len, 24 + 24 + 7, 5, "00900", 5);
	EXPECT(t.buf, t.len, 0, 1, "directory entry 3 (tag 500) points past end of record");
	/* a field not terminated where the directory says */
	splice(&t, a.buf, a.len, 24 + 12 + 3, 4, "0013", 4);
	EXPECT(t.buf, t.len, 0, 1, "field 245 (directory entry 2) is not terminated");
	/* directory length */
	splice(&t, a.buf, a.len, 24, 0, "0", 1);
	set_num(t.buf, (long)t.len, 5);
	set_num(t.buf + 12, 62, 5);
	EXPECT(t.buf, t.len, 0, 1, "directory length 37 is not a multiple of 12");
	/* non-numeric tags are kept, with a warning */
	splice(&t, a.buf, a.len, 24 + 24, 3, "30-", 3);
	EXPECT(t.buf, t.len, 1, 0, "1 field has a non-numeric tag ('30-')");
	rd_open_mem(&s, t.buf, t.len);
	CHECK_INT(rd_next_raw(&s, r), MR_OK);
	CHECK_STR(rec_tag(r, 2), "30-");
	CHECK_STR(rec_get(r, "30-", 'a'), "A note.");
	rd_close(&s);

	/* leader/10-11 and 20-23 anomalies are warnings; read as 2/2/4500 */
	splice(&t, a.buf, a.len, 10, 2, "  ", 2);
	memcpy(t.buf + 20, "    ", 4);
	EXPECT(t.buf, t.len, 1, 0, "leader/10-11 is '  ', not '22'");
	CHECK(strstr(msgs.buf, "leader/20-23 is '    ', not '4500'; read as 4500") != NULL);
	rd_open_mem(&s, t.buf, t.len);
	CHECK_INT(rd_next_raw(&s, r), MR_OK);
	CHECK(!memcmp(rec_leader(r) + 10, "22", 2) && !memcmp(rec_leader(r) + 20, "4500", 4));
	rd_close(&s);

	/* NUL bytes cannot be held in values */
	splice(&t, a.buf, a.len, 64, 1, "\0", 1);
	EXPECT(t.buf, t.len, 0, 1, "byte 64 of the record is NUL");

	/* a data field without subfield delimiter; no indicators */
	{
		/* 500 "  A note." -> "  A note.x" is too long; replace bytes */
		size_t p500 = (size_t)(strstr(a.buf + 61, "  \x1f" "aA note.") - a.buf);
		splice(&t, a.buf, a.len, p500, 4, "  ZZ", 4);
		EXPECT(t.buf, t.len, 1, 0, "field 500 (directory entry 3) has no subfield delimiter; "
		       "its text 'ZZA note.' was dropped");
		splice(&t, a.buf, a.len, p500, 4, "  Z\x1f", 4);
		EXPECT(t.buf, t.len, 1, 0, "field 500 (directory entry 3) has text before its first "
		       "subfield; 'Z' was dropped");
		splice(&t, a.buf, a.len, p500, 2, "\x1f" "b", 2);
		EXPECT(t.buf, t.len, 1, 0, "field 500 (directory entry 3) has no indicators; read as blank");
		rd_open_mem(&s, t.buf, t.len);
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_INT(rec_nsub(r, 2), 2);
		CHECK_INT(rec_sub_code(r, 2, 0), 'b');
		CHECK_STR(rec_sub_value(r, 2, 0, NULL), "");
		rd_close(&s);
		/* indicator / code bytes */
		splice(&t, a.buf, a.len, p500, 1, "\x14", 1);
		EXPECT(t.buf, t.len, 1, 0, "has indicator 1 0x14, a control character");
		splice(&t, a.buf, a.len, p500, 1, "\xc3", 1);
		EXPECT(t.buf, t.len, 0, 1, "field 500 (directory entry 3) has indicator 1 0xC3, "
		       "not an ASCII character");
		splice(&t, a.buf, a.len, p500 + 3, 1, "\xef", 1);
		EXPECT(t.buf, t.len, 0, 1, "has subfield code 0xEF, not an ASCII character");
		splice(&t, a.buf, a.len, p500 + 3, 1, "\x1f", 1);
		EXPECT(t.buf, t.len, 1, 0, "has a subfield delimiter with no code; dropped");
		/* a field terminator inside a field */
		splice(&t, a.buf, a.len, p500 + 5, 1, "\x1e", 1);
		EXPECT(t.buf, t.len, 0, 1, "field 500 (directory entry 3) contains a field terminator");
	}

	/* directory order is field order, whatever the data order */
	{
		/* swap the 245 and 500 data, fix their offsets: 001 500 245 in data */
		long base = parse_digits(a.buf + 12, 5);
		long l1 = parse_digits(a.buf + 24 + 3, 4), l2 = parse_digits(a.buf + 36 + 3, 4),
		     l3 = parse_digits(a.buf + 48 + 3, 4);
		sb_reset(&t);
		sb_add(&t, a.buf, (size_t)base + (size_t)l1);
		sb_add(&t, a.buf + base + l1 + l2, (size_t)l3);
		sb_add(&t, a.buf + base + l1, (size_t)l2);
		sb_add(&t, "\x1d", 1);
		set_num(t.buf + 36 + 7, l1 + l3, 5);
		set_num(t.buf + 48 + 7, l1, 5);
		EXPECT(t.buf, t.len, 1, 0, "");
		rd_open_mem(&s, t.buf, t.len);
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_STR(rec_tag(r, 1), "245");
		CHECK_STR(rec_tag(r, 2), "500");
		rd_close(&s);
	}

	/* 13-byte directory entries announced in leader/20-21 ("46") */
	{
		long base = parse_digits(a.buf + 12, 5);
		size_t nent = (size_t)(base - 25) / 12;
		sb_reset(&t);
		sb_add(&t, a.buf, 24);
		for (size_t i = 0; i < nent; i++) {
			sb_add(&t, a.buf + 24 + 12 * i, 7);
			sb_addc(&t, '0');
			sb_add(&t, a.buf + 24 + 12 * i + 7, 5);
		}
		sb_add(&t, a.buf + base - 1, a.len - (size_t)base + 1);
		set_num(t.buf, (long)t.len, 5);
		set_num(t.buf + 12, base + (long)nent, 5);
		memcpy(t.buf + 20, "4600", 4);
		EXPECT(t.buf, t.len, 1, 0, "directory entries are 13 bytes as leader/20-22 '460' says");
		rd_open_mem(&s, t.buf, t.len);
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_STR(rec_get(r, "500", 'a'), "A note.");
		CHECK(!memcmp(rec_leader(r) + 20, "4500", 4));
		rd_close(&s);
		/* the same map in a leader that does not say so: still verifiable */
		memcpy(t.buf + 20, "4500", 4);
		EXPECT(t.buf, t.len, 1, 0, "3 directory entries have wider numbers");
	}

	/* a record over 99,999 bytes with a field over 9,999 bytes, written
	 * with wide directory numbers (as marc4j and BNE do): read, with a
	 * warning, and refused by the writer */
	{
		rec *w = rec_create();
		char *v = xmalloc(12000);
		memset(v, 'q', 12000);
		rec_set_leader(w, "00000nam a2200000 a 4500", 24);
		rec_add_control(w, "001", "wide", 4);
		for (int i = 0; i < 9; i++)
			rec_add_sub(w, rec_add_field(w, "500", ' ', ' '), 'a', v, 9000);
		rec_add_sub(w, rec_add_field(w, "520", ' ', ' '), 'a', v, 12000);
		rec_add_sub(w, rec_add_field(w, "500", ' ', ' '), 'a', v, 9000);
		rec_add_sub(w, rec_add_field(w, "500", ' ', ' '), 'a', v, 10);
		/* build by hand: entries of 12 bytes, 13/14 where needed */
		strbuf dir = STRBUF_INIT, data = STRBUF_INIT;
		size_t off = 0;
		for (size_t f = 0; f < rec_nfields(w); f++) {
			size_t start = data.len;
			if (rec_is_control(w, f)) {
				size_t n;
				const char *d = rec_data(w, f, &n);
				sb_add(&data, d, n);
			} else {
				size_t n;
				const char *d = rec_sub_value(w, f, 0, &n);
				sb_add(&data, "  \x1f" "a", 4);
				sb_add(&data, d, n);
			}
			sb_addc(&data, '\x1e');
			size_t len = data.len - start;
			sb_addf(&dir, len > 9999 ? "%s%05zu" : "%s%04zu", rec_tag(w, f), len);
			sb_addf(&dir, off > 99999 ? "%06zu" : "%05zu", off);
			off += len;
		}
		sb_reset(&t);
		sb_addf(&t, "99999nam a22%05zu a 4500", 24 + dir.len + 1);
		sb_add(&t, dir.buf, dir.len);
		sb_addc(&t, '\x1e');
		sb_add(&t, data.buf, data.len);
		sb_addc(&t, '\x1d');
		sb_add(&t, a.buf, a.len);
		EXPECT(t.buf, t.len, 2, 0, "2 directory entries have wider numbers than ISO 2709 allows");
		rd_open_mem(&s, t.buf, t.len);
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_INT(rec_compare(r, w, NULL, 0), 0);
		strbuf o = STRBUF_INIT, e = STRBUF_INIT;
		CHECK_INT(put(r, &o, &e), -1);
		CHECK(strstr(e.buf, "field 520 is 12005 bytes, over the ISO 2709 limit of 9,999") == e.buf);
		CHECK_INT(rd_next_raw(&s, r), MR_OK);
		CHECK_STR(rec_get_control(r, "001"), "a1");
		rd_close(&s);
		sb_release(&o);
		sb_release(&e);
		sb_release(&dir);
		sb_release(&data);
		free(v);
		rec_destroy(w);
	}

	sb_release(&a);
	sb_release(&b);
	sb_release(&c);
	sb_release(&all);
	sb_release(&msgs);
	sb_release(&t);
	rec_destroy(r);
}

/* ---- fuzz regressions (inputs that once misbehaved) ---- */

static void test_regressions(void)
{
	static const struct { const char *in; size_t n; int ok, bad; } cases[] = {
		{ "00026     2200025   4500\x1e\x1d", 26, 1, 0 },
		{ "00025     2200025   4500\x1d", 25, 0, 1 },
		{ "99999", 5, 0, 1 },
		{ "00000000000000000000000000000", 29, 0, 1 },
	};
	strbuf msgs = STRBUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int ok, bad;
		read_all(cases[i].in, cases[i].n, &ok, &bad, &msgs);
		CHECKF(ok == cases[i].ok && bad == cases[i].bad, "case %zu: %d ok %d bad:\n%s", i, ok, bad,
		       msgs.buf);
	}
	sb_release(&msgs);
}

/* ---- shared data ---- */

/* Files whose records do not all write back byte-identical, and why. */
static const struct { const char *file; int ndiff; const char *why; } known_diffs[] = {
	{ "bib/evergreen-oss.marc", 23, "leader/22 blank; written as 4500" },
	{ "bib/folio-sample100.mrc", 4, "leader/22 blank; written as 4500" },
	{ "bib/marctools-marc22-test.mrc", 4, "leader/22 is 0x02 or 0xFF; written as 4500" },
	{ "bib/yaz-marc1-latin1.marc", 1, "danMARC2: 3 indicators (leader/10 '3', the third "
	  "dropped), leader/20-23 '45  '" },
	{ "bib/zebra-sample-marc.mrc", 14, "data area in another order than the directory "
	  "(legal); written in directory order" },
	{ "bib/folio-61PRINT160129.mrc", 1, "record 84: a doubled subfield delimiter in 336, "
	  "dropped (with a warning)" },
	{ "bib/evergreen-sample_acq_order.mrc", 9, "a stray '\\' after the indicators of "
	  "970, dropped (with a warning)" },
	{ "auth/evergreen-auth-1066.mrc", 1066, "leader/20-23 '45 0'; written as 4500" },
	{ "auth/dnb-gnd-DUMP.mrc", 1, "record 8 (= bad/dnb-invalid.mrc): leader length one short" },
};

static int is_iso_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && (!strcmp(n + l - 4, ".mrc") || !strcmp(n + l - 5, ".marc"))) ||
	       (l > 7 && !strcmp(n + l - 7, ".usmarc")) || (l > 4 && !strcmp(n + l - 4, ".dat"));
}

/* Read a file with the codec only and write each record back; counts. */
static void roundtrip_file(const char *path, const char *rel, int *nrec, int *ndiff, int *nbad)
{
	struct rd s;
	rec *r = rec_create();
	strbuf out = STRBUF_INIT, err = STRBUF_INIT, y = STRBUF_INIT;
	*nrec = *ndiff = *nbad = 0;
	if (rd_open_fp(&s, fopen(path, "rb"), rel) < 0) {
		CHECKF(0, "cannot open %s", path);
		return;
	}
	int rc;
	while ((rc = rd_next_raw(&s, r)) != MR_EOF) {
		if (rc != MR_OK) {
			(*nbad)++;
			fprintf(stderr, "%s: record %ld: %s\n", rel, marc_reader_recno(s.rd), s.msg);
			continue;
		}
		(*nrec)++;
		size_t n;
		const char *raw = marc_reader_raw(s.rd, &n);
		if (put(r, &out, &err) != 0 || out.len != n || memcmp(out.buf, raw, n)) {
			(*ndiff)++;
			if (getenv("T_VERBOSE")) {
				size_t k = 0;
				while (k < n && k < out.len && out.buf[k] == raw[k])
					k++;
				fprintf(stderr, "%s: record %d differs at byte %zu (%zu vs %zu bytes) %s\n",
				        rel, *nrec, k, out.len, n, err.buf ? err.buf : "");
			}
			continue;
		}
		/* and yaz agrees with our bytes */
		if (yaz_rewrite(out.buf, out.len, &y) <= 0 || y.len != out.len ||
		    memcmp(y.buf, out.buf, out.len))
			CHECKF(0, "%s: record %d: yaz writes it differently", rel, *nrec);
	}
	rd_close(&s);
	rec_destroy(r);
	sb_release(&out);
	sb_release(&err);
	sb_release(&y);
}

static void walk(const char *base, const char *rel, int depth, int *files)
{
	char path[4096], sub[4096];
	snprintf(path, sizeof path, "%s/%s", base, rel);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	char *names[512];
	int nn = 0;
	while ((de = readdir(d)) && nn < 512)
		if (de->d_name[0] != '.')
			names[nn++] = xstrdup(de->d_name);
	closedir(d);
	for (int i = 0; i < nn; i++) {
		if (snprintf(sub, sizeof sub, "%s/%s", rel, names[i]) >= (int)sizeof sub ||
		    snprintf(path, sizeof path, "%s/%s", base, sub) >= (int)sizeof path) {
			free(names[i]);
			continue;
		}
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (depth > 0)
				walk(base, sub, depth - 1, files);
		} else if (is_iso_name(names[i])) {
			int nrec, ndiff, nbad, want = 0;
			roundtrip_file(path, sub, &nrec, &ndiff, &nbad);
			for (size_t k = 0; k < sizeof known_diffs / sizeof *known_diffs; k++)
				if (!strcmp(known_diffs[k].file, sub))
					want = known_diffs[k].ndiff;
			CHECKF(nbad == 0 && nrec > 0, "%s: %d read, %d rejected", sub, nrec, nbad);
			CHECKF(ndiff == want, "%s: %d of %d records differ when written back, want %d",
			       sub, ndiff, nrec, want);
			(*files)++;
		}
		free(names[i]);
	}
}

static void test_shared_roundtrip(void)
{
	const char *base = t_shared("");
	if (!base) {
		SKIP("../shared/data not found: shared round trips");
		return;
	}
	char b[4096];
	snprintf(b, sizeof b, "%s", base);
	int files = 0;
	walk(b, "bib", 2, &files);
	/* vi/ *.mrc (not vi/authored, which has legacy 8-bit encodings) */
	walk(b, "vi", 0, &files);
	walk(b, "auth", 0, &files);
	CHECKF(files >= 57, "only %d shared ISO 2709 files found", files);
}

/* bad/: every record start is accounted for as read or rejected. */
static const struct {
	const char *file;
	int ok, bad;           /* what we make of it */
	const char *needle;    /* a message (error or warning) expected */
} bad_files[] = {
	{ "dnb-invalid.mrc", 1, 0, "leader length 01686 but the record is 1687 bytes" },
	{ "filemarc-bad_example.mrc", 1, 0, "1 field has a non-numeric tag ('30-')" },
	{ "filemarc-wronglen.mrc", 0, 1, "field 949 (directory entry 14) is not terminated" },
	{ "folio-invalidMarcFile.mrc", 0, 1, "not a MARC record: 18 bytes" },
	{ "marc4j-008008027-truncated.mrc", 18, 1, "record is truncated: file ends at byte 65536" },
	{ "marc4j-bad-characters-in-various-fields.mrc", 1, 0, "indicator 1 0x14" },
	{ "marc4j-bad_leaders_10_11.mrc", 1, 0, "leader/10-11 is '  ', not '22'" },
	{ "marc4j-bad_oversize_field_bad_directory.mrc", 5, 0, "1 directory entry has wider numbers" },
	{ "marc4j-bad_too_long_plus_2.mrc", 2, 1, "leader length 23375 but the record is 123375 bytes" },
	{ "marc4j-chinese_mangled_multibyte.mrc", 4, 0, "" },
	{ "marc4j-datos-20161010-slice.mrc", 1, 0, "557 directory entries have wider numbers" },
	{ "marc4j-error.mrc", 0, 1, "field 250 (directory entry 9) is not terminated" },
	{ "marc4j-incomplete_esc_seq.mrc", 1, 0, "" },
	{ "marc4j-unordered-directory-entries.mrc", 1, 0, "" },
	{ "openlibrary-dasrmischepriv00rein_meta.mrc", 1, 0, "count characters, not bytes" },
	{ "openlibrary-lesabndioeinas00sche_meta.mrc", 1, 0, "count characters, not bytes" },
	{ "openlibrary-upei_short_008.mrc", 0, 1,
	  "base address 00157 does not follow the directory (ends at 205)" },
	{ "perl-baddir.usmarc", 1, 0, "directory is not terminated: byte 144 of the record is 0x1F" },
	/* 8 "by structure" counts an empty chunk between two terminators,
	 * which we skip as filler; the last "record" is a lone '7' */
	{ "perl-badldr.usmarc", 6, 1, "record is truncated: file ends at byte 1718" },
	{ "perl-farsi.marc", 0, 1, "not a MARC record: 155 bytes" },
	{ "pymarc-bad_eacc_encoding.dat", 1, 0, "" },
	{ "pymarc-bad_indicator.dat", 1, 0, "non-numeric tag ('0 2')" },
	{ "pymarc-bad_marc8_escape.dat", 1, 0, "" },
	{ "pymarc-bad_records.mrc", 6, 2, "directory length 13 is not a multiple of 12" },
	{ "pymarc-bad_subfield_code.dat", 0, 1, "subfield code 0xC3, not an ASCII character" },
	{ "pymarc-utf8_invalid.mrc", 0, 1, "subfield code 0xEF, not an ASCII character" },
	{ "rubymarc-marc_with_bad_utf8.utf8.marc", 0, 1, "field 110 (directory entry 7) is not terminated" },
	{ "rubymarc-utf8_with_bad_bytes.marc", 1, 0, "" },
	{ "solrmarc-errorRecs.mrc", 5, 0, "" },
	{ "traject-bad_utf_byte.utf8.marc", 1, 0, "" },
	/* the length is written twice: 5 bytes of junk, then a good record */
	{ "yaz-marc4-badleader.marc", 1, 1, "not a MARC record: 5 bytes '00914' before the next record" },
};

static void test_shared_bad(void)
{
	if (!t_shared("")) {
		SKIP("../shared/data not found: bad files");
		return;
	}
	rec *r = rec_create();
	for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
		const char *path = t_shared("bad/");
		char p[8192];
		if (snprintf(p, sizeof p, "%s%s", path, bad_files[i].file) >= (int)sizeof p)
			continue;
		struct rd s;
		if (rd_open_fp(&s, fopen(p, "rb"), p) < 0) {
			CHECKF(0, "cannot open %s", p);
			continue;
		}
		int found = !bad_files[i].needle[0], rc;
		while ((rc = rd_next_raw(&s, r)) != MR_EOF) {
			if (rc == MR_BAD && strstr(s.msg, bad_files[i].needle))
				found = 1;
			/* warnings are only visible through marc_reader_next: */
		}
		rd_close(&s);
		CHECKF(s.nok == bad_files[i].ok && s.nbad == bad_files[i].bad, "%s: %d read, %d rejected, "
		       "want %d and %d", bad_files[i].file, s.nok, s.nbad, bad_files[i].ok, bad_files[i].bad);
		if (!found) {
			/* look among warnings, through the full layer (raw: the charset
			 * layer may reject on top of us, which is not what we test) */
			if (rd_open_fp(&s, fopen(p, "rb"), p) == 0) {
				while (rd_next(&s, r) != MR_EOF)
					if (strstr(s.msg, bad_files[i].needle))
						found = 1;
				rd_close(&s);
			}
		}
		CHECKF(found, "%s: no message '%s'", bad_files[i].file, bad_files[i].needle);
	}
	rec_destroy(r);
}

int main(void)
{
	test_writer();
	test_reader();
	test_regressions();
	test_shared_roundtrip();
	test_shared_bad();
	DONE();
}
