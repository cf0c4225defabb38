/*
 * catalog-search.c - search latency of the catalogue, in process (built
 * and run by tests/bench/catalog.sh; not a test). Reads queries, one a
 * line "KIND<TAB>CCL", runs each like a search screen does (search, hit
 * count, first 10 ids, fetch those 10 records; like the workstation's
 * search it lets a broad query's count be an estimate, "about N":
 * BENCH_EXACT=1 asks for exact counts instead) and prints per kind the
 * number of queries, median and p99 latency in ms (wall clock, and the
 * process's CPU time, which other load on the machine does not inflate),
 * and mean hits. "browse<TAB>INDEX FROM" lines are a browse page of 20
 * headings instead (catalog_browse: the scan of Z39.50, the shelf list).
 * usage: catalog-search DB < queries
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"

#define MAXQ 100000
#define NKIND 8

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: catalog-search DB < queries\n");
		return 2;
	}
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(argv[1], CAT_OPEN_READONLY, &err);
	if (!c) {
		fprintf(stderr, "%s\n", err.buf);
		return 2;
	}
	static double t[NKIND][MAXQ], u[NKIND][MAXQ];
	static long hits[NKIND];
	char kinds[NKIND][32];
	int nk = 0, n[NKIND] = { 0 };
	char line[4096];
	rec *r = rec_create();
	struct cat_search_opts so = { .limit = 10, .estimate = getenv("BENCH_EXACT") == NULL };
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		int k;
		for (k = 0; k < nk && strcmp(kinds[k], line); k++)
			;
		if (k == nk) {
			if (nk == NKIND)
				continue;
			snprintf(kinds[nk++], sizeof kinds[0], "%.31s", line);
		}
		struct cat_result res;
		double t0 = now_ms(), c0 = cpu_ms();
		if (!strcmp(kinds[k], "browse")) {
			char *from = strchr(tab + 1, ' ');
			if (from)
				*from++ = 0;
			struct cat_heading *h = NULL;
			size_t nh = 0;
			if (catalog_browse(c, tab + 1, from, 20, &h, &nh, &err) != CAT_OK)
				fprintf(stderr, "browse '%s': %s\n", tab + 1, err.buf);
			cat_headings_free(h, nh);
			if (n[k] < MAXQ) {
				u[k][n[k]] = cpu_ms() - c0;
				t[k][n[k]++] = now_ms() - t0;
			}
			hits[k] += (long)nh;
			continue;
		}
		int rc = catalog_search_ccl(c, tab + 1, &so, &res, NULL, &err);
		for (size_t i = 0; rc == CAT_OK && i < res.n; i++)
			catalog_fetch(c, res.ids[i], r, NULL, NULL);
		double dt = now_ms() - t0, dc = cpu_ms() - c0;
		if (rc != CAT_OK)
			fprintf(stderr, "query '%s': %s\n", tab + 1, err.buf);
		if (getenv("BENCH_SLOW") && dc >= atof(getenv("BENCH_SLOW")))
			fprintf(stderr, "slow: %.2f ms cpu, %ld hits%s: %s\n", dc, res.total,
			        res.estimated ? " (estimated)" : "", tab + 1);
		if (n[k] < MAXQ) {
			u[k][n[k]] = dc;
			t[k][n[k]++] = dt;
		}
		hits[k] += res.total;
		cat_result_free(&res);
	}
	for (int k = 0; k < nk; k++) {
		qsort(t[k], (size_t)n[k], sizeof t[k][0], cmp);
		qsort(u[k], (size_t)n[k], sizeof u[k][0], cmp);
		int i99 = (int)(n[k] * 0.99) < n[k] ? (int)(n[k] * 0.99) : n[k] - 1;
		if (!n[k])
			continue;
		printf("%-8s %5d queries  wall median %7.2f ms  p99 %7.2f ms  |  cpu median %7.2f ms  "
		       "p99 %7.2f ms  |  mean hits %ld\n", kinds[k], n[k], t[k][n[k] / 2], t[k][i99],
		       u[k][n[k] / 2], u[k][i99], hits[k] / n[k]);
	}
	rec_destroy(r);
	catalog_close(c);
	sb_release(&err);
	return 0;
}
