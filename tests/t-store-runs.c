/*
 * t-store-runs.c - a bulk load's deferred browse headings in sorted runs
 * (src/store-runs.c): the merge gives every heading once, in (index, key)
 * order with keys as bytes and a prefix first, with the rids of every run
 * sorted and without repeats, and the first run's text; compacting keeps
 * the same merge; large entries (a heading of 100,000 records, a long
 * key) cross the read buffers; the scratch file is gone from the
 * directory at once; a run that was never ended is not read.
 */
#include <dirent.h>
#include <stdint.h>
#include "harness.h"
#include "store-runs.h"

static char dir[] = "/tmp/t-store-runs.XXXXXX";
static char db_path[64];

/* files in dir */
static int files_in_dir(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* the merge as text: "idx key text: rid rid ...", one heading a line */
static char *merge_text(hruns *h)
{
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	out[0] = '\0';
	struct hruns_head g;
	int got;
	if (hruns_merge_begin(h))
		return out;
	while ((got = hruns_next(h, &g)) == 1) {
		char line[512];
		int n = snprintf(line, sizeof line, "%d %.*s %s:", g.idx, (int)g.klen, (const char *)g.key,
		                 g.text);
		for (size_t i = 0; i < g.nrids && i < 8; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, " %lld", (long long)g.rids[i]);
		if (g.nrids > 8)
			n += snprintf(line + n, sizeof line - (size_t)n, " ... (%zu)", g.nrids);
		line[n++] = '\n';
		line[n] = '\0';
		if (len + (size_t)n + 1 > cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
		memcpy(out + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	if (got < 0) {
		free(out);
		out = strdup("(read error)");
	}
	return out;
}

static int put(hruns *h, int idx, const char *key, const char *text, const int64_t *rids,
               size_t n)
{
	return hruns_put(h, idx, key, strlen(key), text, rids, n);
}

static void test_merge(void)
{
	hruns *h = hruns_create(db_path);
	CHECK(h != NULL);
	if (!h)
		return;
	CHECK_INT(files_in_dir(), 0);          /* unlinked at once */
	CHECK_INT(hruns_count(h), 0);
	/* run 0 */
	int64_t a[] = { 5, 3, 5 }, b[] = { 7 }, c[] = { 2 };
	CHECK_INT(hruns_run_begin(h), 0);
	CHECK_INT(put(h, 1, "an", "An", a, 3), 0);
	CHECK_INT(put(h, 1, "ba", "Ba", b, 1), 0);
	CHECK_INT(put(h, 3, "an", "An (subject)", c, 1), 0);
	CHECK_INT(hruns_run_end(h), 0);
	/* run 1: a heading of run 0 again (its own text), a key that is a
	 * prefix of one of run 0's, one between */
	int64_t d[] = { 12, 11 }, e[] = { 13 }, f[] = { 14, 3 };
	CHECK_INT(hruns_run_begin(h), 0);
	CHECK_INT(put(h, 1, "a", "A", e, 1), 0);
	CHECK_INT(put(h, 1, "an", "AN", d, 2), 0);
	CHECK_INT(put(h, 2, "zz", "Zz", f, 2), 0);
	CHECK_INT(hruns_run_end(h), 0);
	/* an empty run is none */
	CHECK_INT(hruns_run_begin(h), 0);
	CHECK_INT(hruns_run_end(h), 0);
	CHECK_INT(hruns_count(h), 2);
	const char *want =
		"1 a A: 13\n"
		"1 an An: 3 5 11 12\n"
		"1 ba Ba: 7\n"
		"2 zz Zz: 3 14\n"
		"3 an An (subject): 2\n";
	char *got = merge_text(h);
	CHECK_STR(got, want);
	free(got);
	/* a run begun but never ended is not read */
	CHECK_INT(hruns_run_begin(h), 0);
	CHECK_INT(put(h, 1, "b", "B", e, 1), 0);
	got = merge_text(h);
	CHECK_STR(got, want);
	free(got);
	/* compacting into one run: the same merge */
	CHECK_INT(hruns_run_begin(h), 0);      /* (drops the unended one) */
	CHECK_INT(put(h, 4, "x", "X", e, 1), 0);
	CHECK_INT(hruns_run_end(h), 0);
	CHECK_INT(hruns_count(h), 3);
	CHECK_INT(hruns_compact(h, 3), 0);     /* not more than 3: nothing */
	CHECK_INT(hruns_count(h), 3);
	CHECK_INT(hruns_compact(h, 1), 0);
	CHECK_INT(hruns_count(h), 1);
	got = merge_text(h);
	char *want2 = malloc(strlen(want) + 16);
	sprintf(want2, "%s4 x X: 13\n", want);
	CHECK_STR(got, want2);
	free(got);
	free(want2);
	/* after a merge is done its runs are gone */
	hruns_merge_done(h);
	CHECK_INT(hruns_count(h), 0);
	got = merge_text(h);
	CHECK_STR(got, "");
	free(got);
	hruns_destroy(h);
	CHECK_INT(files_in_dir(), 0);
}

/* entries larger than a read buffer, and many runs */
static void test_large(void)
{
	hruns *h = hruns_create(db_path);
	CHECK(h != NULL);
	if (!h)
		return;
	size_t n = 100000;
	int64_t *rids = malloc(n * sizeof *rids);
	for (size_t i = 0; i < n; i++)
		rids[i] = (int64_t)(n - i) * 1000;      /* descending: sorted on the way in */
	char key[3000];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	for (int r = 0; r < 40; r++) {
		CHECK_INT(hruns_run_begin(h), 0);
		int64_t one = r;
		char k[16];
		snprintf(k, sizeof k, "m%02d", 39 - r);
		CHECK_INT(put(h, 1, key, "Long", &one, 1), 0);
		CHECK_INT(put(h, 1, k, k, &one, 1), 0);
		if (r == 7)
			CHECK_INT(put(h, 2, "big", "Big", rids, n), 0);
		CHECK_INT(hruns_run_end(h), 0);
	}
	CHECK_INT(hruns_count(h), 40);
	CHECK_INT(hruns_compact(h, 16), 0);
	CHECK_INT(hruns_count(h), 1);
	CHECK_INT(hruns_merge_begin(h), 0);
	struct hruns_head g;
	int k = 0, ok = 1;
	while (hruns_next(h, &g) == 1) {
		if (k == 0) {
			CHECK_INT(g.klen, sizeof key - 1);
			CHECK_INT(g.nrids, 40);
			for (size_t i = 0; i < g.nrids; i++)
				ok &= g.rids[i] == (int64_t)i;
		} else if (k <= 40) {
			char want[16];
			snprintf(want, sizeof want, "m%02d", k - 1);
			ok &= g.klen == 3 && !memcmp(g.key, want, 3) && g.nrids == 1 &&
			      g.rids[0] == 39 - (k - 1);
		} else {
			CHECK_STR(g.text, "Big");
			CHECK_INT(g.nrids, n);
			for (size_t i = 0; i < g.nrids; i++)
				ok &= g.rids[i] == (int64_t)(i + 1) * 1000;
		}
		k++;
	}
	CHECK_INT(k, 42);
	CHECK(ok);
	hruns_merge_done(h);
	free(rids);
	hruns_destroy(h);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof db_path, "%s/cat.db", dir);
	test_merge();
	test_large();
	/* a directory one cannot write to: no scratch file */
	hruns *h = hruns_create("/nonexistent/dir/cat.db");
	CHECK(h == NULL);
	hruns_destroy(NULL);
	rmdir(dir);
	DONE();
}
