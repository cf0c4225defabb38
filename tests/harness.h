/*
 * harness.h - the unit-test harness: CHECK macros that count, and DONE()
 * which prints "N passed, N failed" (the line tests/run-tests sums).
 * BM_ROOT (repo root) and BM_SHARED (../shared/data) come from the
 * environment; see tests/run-tests.
 */
#ifndef BIENMUC_HARNESS_H
#define BIENMUC_HARNESS_H

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int t_pass, t_fail, t_skip;

#define CHECK(cond) do { if (cond) t_pass++; else { t_fail++; \
	fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECKF(cond, ...) do { if (cond) t_pass++; else { t_fail++; \
	fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && !strcmp(a_, b_)) t_pass++; else { t_fail++; \
	fprintf(stderr, "%s:%d: FAIL: %s == %s\n   got: '%s'\n  want: '%s'\n", \
	        __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ == b_) t_pass++; else { t_fail++; \
	fprintf(stderr, "%s:%d: FAIL: %s == %s: got %lld, want %lld\n", \
	        __FILE__, __LINE__, #a, #b, a_, b_); } } while (0)
#define SKIP(why) do { t_skip++; fprintf(stderr, "skipped: %s\n", why); } while (0)
#define DONE() do { \
	printf(t_skip ? "%d passed, %d failed, %d skipped\n" : "%d passed, %d failed\n", \
	       t_pass, t_fail, t_skip); \
	return t_fail ? 1 : 0; } while (0)

/* Path of a file in the shared corpus, or NULL when ../shared/data is absent. */
static inline const char *t_shared(const char *rel)
{
	static char buf[4096];
	const char *base = getenv("BM_SHARED");
	struct stat st;
	if (!base || stat(base, &st) != 0)
		return NULL;
	snprintf(buf, sizeof buf, "%s/%s", base, rel);
	return buf;
}

/* Path of a file relative to the repo root. */
static inline const char *t_root(const char *rel)
{
	static char buf[4096];
	const char *base = getenv("BM_ROOT");
	snprintf(buf, sizeof buf, "%s/%s", base ? base : ".", rel);
	return buf;
}

/* Remove an SQLite catalogue and the files beside it (-wal, -shm, and
 * bienmuc's -wait). */
static inline void t_rm_db(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-wait" };
	char p[4096];
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		snprintf(p, sizeof p, "%s%s", path, ext[i]);
		unlink(p);
	}
}

/* Messages from the build tree's catalogues (build/locale) in a C.UTF-8
 * locale, for tests of translations: NULL when ready (the caller then
 * calls i18n_init() and picks the language), else why not, for SKIP. */
static inline const char *t_messages_setup(void)
{
	struct stat st;
	if (stat(t_root("build/locale/vi/LC_MESSAGES/bienmuc.mo"), &st) != 0)
		return "no build/locale (msgfmt missing?)";
	setenv("BIENMUC_LOCALEDIR", t_root("build/locale"), 1);
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return "no C.UTF-8 locale";
	return NULL;
}

#endif
