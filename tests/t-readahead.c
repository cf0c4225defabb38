/*
 * t-readahead.c - the import's read-ahead thread (src/readahead.c): every
 * record comes back in input order with its number, offset, raw bytes,
 * error or warnings, prepared when it should be; reading on one thread
 * and on two gives the same; stopping early (or before the first record)
 * neither hangs nor leaks. Built plain, with ASan and with ThreadSanitizer
 * (tests/readahead-tsan.test).
 */
#include <unistd.h>
#include "harness.h"
#include "readahead.h"
#include "catalog.h"
#include "charset.h"

static char *input;
static size_t inlen;
static char inpath[256];

/* A bad record, the Vietnamese fixtures five times (one copy's first
 * record with leader/09 blank: read with a warning), a truncated tail. */
static int make_input(void)
{
	char p[512];
	snprintf(p, sizeof p, "%s/tests/data/bib-vi.mrc", getenv("BM_ROOT") ? getenv("BM_ROOT") : ".");
	FILE *f = fopen(p, "rb");
	if (!f)
		return -1;
	char *bib = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 65536 > cap)
			bib = realloc(bib, cap = 2 * cap + 65536);
		size_t got = fread(bib + n, 1, 65536, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	strbuf in = STRBUF_INIT;
	sb_adds(&in, "00026xxxxxxxxxxxxxxxxxxx\035");
	for (int i = 0; i < 5; i++) {
		size_t at = in.len;
		sb_add(&in, bib, n);
		if (i == 2)
			in.buf[at + 9] = ' ';
	}
	sb_adds(&in, "00500nam");
	free(bib);
	snprintf(inpath, sizeof inpath, "%s/t-readahead-%d.mrc",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	f = fopen(inpath, "wb");
	if (!f)
		return -1;
	fwrite(in.buf, 1, in.len, f);
	fclose(f);
	input = sb_detach(&in, &inlen);
	return 0;
}

/* A hook (ra_hook) that takes the 650s out of a record, as an import
 * takes its item fields: what it took is their number. takes and drops
 * are counted on the reading thread (read after readahead_stop). */
static long takes, drops;

static void take_650s(void *arg, rec *r, void **took)
{
	long *n = xcalloc(1, sizeof *n);
	long f;
	while ((f = rec_find(r, "650", 0)) >= 0) {
		rec_delete_field(r, (size_t)f);
		++*n;
	}
	*took = n;
	++*(long *)arg;
}

static void drop_650s(void *arg, void *took)
{
	(void)arg;
	free(took);
	drops++;
}

/* Read the whole input (or stop after `stop` records, -1 = never) and
 * describe what came back, one line a record; hook: with take_650s. */
static void run_hook(catalog *c, int threads, long no_prep, long stop, int hook, strbuf *out)
{
	if (threads == 1)
		setenv("BIENMUC_IMPORT_THREADS", "1", 1);
	else
		unsetenv("BIENMUC_IMPORT_THREADS");
	FILE *fp = fopen(inpath, "rb");
	CHECK(fp != NULL);
	if (!fp)
		return;
	struct marc_read_opts ro;
	memset(&ro, 0, sizeof ro);
	strbuf err = STRBUF_INIT;
	marc_reader *rd = marc_reader_open(fp, inpath, &ro, &err);
	CHECK(rd != NULL);
	cat_preparer *p = catalog_preparer_create(c);
	CHECK(p != NULL);
	takes = drops = 0;
	struct ra_hook h = { take_650s, drop_650s, &takes };
	readahead *ra = hook ? readahead_start_hook(rd, p, no_prep, &h) :
	                readahead_start(rd, p, no_prep);
	const struct ra_item *it;
	long n = 0;
	/* readahead_ready: a file's next record (or its end) comes well
	 * within the wait, whether the caller holds a record or not */
	int ready = 1;
	while (stop != 0 && (ready &= readahead_ready(ra, 5.0), (it = readahead_next(ra)) != NULL)) {
		n++;
		CHECK_INT(it->recno, n);
		/* the raw bytes are the input's at the record's offset */
		CHECK(it->off >= 0 && (size_t)it->off + it->raw.len <= inlen &&
		      !memcmp(input + it->off, it->raw.buf, it->raw.len));
		int want_prep = it->st == MR_OK && it->recno > no_prep;
		CHECKF((it->prep != NULL) == want_prep, "record %ld: prep %p", n, it->prep);
		CHECKF((it->took != NULL) == (hook && want_prep), "record %ld: took %p", n, it->took);
		if (it->took) {
			CHECK(rec_find(it->r, "650", 0) < 0);
			sb_addf(out, "(%ld 650s) ", *(long *)it->took);
		}
		sb_addf(out, "%ld %lld %d %zu [%s] %zu", it->recno, it->off, it->st, it->raw.len,
		        it->error.buf ? it->error.buf : "", it->nwarn);
		if (it->nwarn)
			sb_addf(out, " <%s>", it->warn.buf);
		if (it->st == MR_OK)
			sb_addf(out, " %s", rec_get(it->r, "245", 'a') ? rec_get(it->r, "245", 'a') : "-");
		sb_addc(out, '\n');
		if (stop > 0 && n == stop)
			break;
	}
	CHECK(ready);
	if (stop < 0)
		CHECK(readahead_ready(ra, 0));          /* the end: ready at once */
	readahead_stop(ra);
	CHECKF(takes == drops, "%ld taken, %ld dropped", takes, drops);
	catalog_preparer_destroy(p);
	marc_reader_close(rd);
	fclose(fp);
	sb_release(&err);
}

static void run(catalog *c, int threads, long no_prep, long stop, strbuf *out)
{
	run_hook(c, threads, no_prep, stop, 0, out);
}

int main(void)
{
	if (make_input()) {
		fprintf(stderr, "cannot make the input\n");
		return 1;
	}
	char db[300];
	snprintf(db, sizeof db, "%s.db", inpath);
	t_rm_db(db);
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(db, CAT_OPEN_CREATE, &err);
	CHECKF(c != NULL, "%s", err.buf);
	if (!c)
		DONE();
	strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	run(c, 1, 0, -1, &one);
	run(c, 2, 0, -1, &two);
	CHECK(one.len > 1000);
	CHECKF(one.len == two.len && !memcmp(one.buf, two.buf, one.len),
	       "one thread:\n%s\ntwo:\n%s", one.buf, two.buf);
	/* 1 bad + 5 x 46 + the truncated tail */
	size_t lines = 0;
	for (size_t i = 0; i < one.len; i++)
		lines += one.buf[i] == '\n';
	CHECK_INT(lines, 232);
	CHECK(strncmp(one.buf, "1 0 -1 25 [", 11) == 0);
	CHECK(strstr(one.buf, "leader/09 is blank") != NULL);
	CHECK(strstr(one.buf, "\n232 ") != NULL && strstr(strstr(one.buf, "\n232 "), " -1 8 [") != NULL);
	/* a resumed import: the first 100 are read, not prepared */
	sb_reset(&two);
	run(c, 2, 100, -1, &two);
	CHECKF(one.len == two.len && !memcmp(one.buf, two.buf, one.len), "resumed:\n%.300s", two.buf);
	/* stopping early, several times over (the reader may be anywhere) */
	for (long stop = 0; stop < 200; stop += 7) {
		strbuf part = STRBUF_INIT;
		run(c, 2, 0, stop, &part);
		CHECKF(part.len <= one.len && (!part.len || !memcmp(part.buf, one.buf, part.len)),
		       "stop %ld:\n%.300s\n---\n%.300s", stop, part.buf, one.buf);
		sb_release(&part);
	}
	/* a hook taking fields out before the prep: on one thread and two
	 * the same, not run on the records a resumed import skips, what it
	 * took dropped (stopping early too) */
	sb_reset(&one);
	sb_reset(&two);
	run_hook(c, 1, 0, -1, 1, &one);
	run_hook(c, 2, 0, -1, 1, &two);
	CHECK(strstr(one.buf, "(2 650s) ") != NULL);
	CHECKF(one.len == two.len && !memcmp(one.buf, two.buf, one.len),
	       "hook, one thread:\n%.300s\ntwo:\n%.300s", one.buf, two.buf);
	sb_reset(&two);
	run_hook(c, 2, 100, -1, 1, &two);
	CHECK(takes > 100 && takes < 232);
	for (long stop = 0; stop < 200; stop += 13) {
		strbuf part = STRBUF_INIT;
		run_hook(c, 2, 0, stop, 1, &part);
		CHECKF(part.len <= one.len && (!part.len || !memcmp(part.buf, one.buf, part.len)),
		       "hook, stop %ld:\n%.300s\n---\n%.300s", stop, part.buf, one.buf);
		sb_release(&part);
	}
	sb_release(&one);
	sb_release(&two);
	catalog_close(c);
	sb_release(&err);
	free(input);
	unlink(inpath);
	t_rm_db(db);
	DONE();
}
