/*
 * util.h - small helpers shared by every layer: allocation that dies on
 * out-of-memory, a growable byte buffer (strbuf), a bump arena and the
 * hash of in-memory hash tables (fnv1a).
 *
 * Contract: x*alloc never return NULL (they print and exit 3 instead);
 * every *_free / *_destroy accepts NULL.
 */
#ifndef BIENMUC_UTIL_H
#define BIENMUC_UTIL_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

#if defined(__GNUC__)
#define BM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define BM_NORETURN __attribute__((noreturn))
#else
#define BM_PRINTF(a, b)
#define BM_NORETURN
#endif

/* yaz/xmalloc.h defines xmalloc and friends as macros; a file that
 * includes yaz headers before this one gets our functions back here. */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Print "bienmuc: MSG" to stderr and exit(3). For broken invariants and OOM. */
BM_NORETURN void die(const char *fmt, ...) BM_PRINTF(1, 2);

/* Program name used as the first word of every message ("bienmuc"). */
extern const char *bm_progname;

/* Growable byte buffer, always NUL-terminated (buf[len] == 0). */
typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;
#define STRBUF_INIT { NULL, 0, 0 }
void sb_init(strbuf *sb);
void sb_release(strbuf *sb);          /* frees buf, leaves sb empty */
void sb_reset(strbuf *sb);            /* len = 0, keeps memory */
void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *p, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) BM_PRINTF(2, 3);
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Append the whole file at path. Returns 0; -1 (errno set) if it cannot
 * be opened, so nothing was appended; -2 (errno set) if reading fails
 * after opening (EISDIR for a directory), and sb keeps what was read.
 * Callers that only care about success test `< 0` or `!= 0`. */
int sb_read_file(strbuf *sb, const char *path);

/* Do two paths name the same regular file (or, where neither exists yet,
 * the same name in the same folder)? A device such as /dev/null may be
 * both. */
int same_path(const char *a, const char *b);

/* FNV-1a over p[0, n), continuing from h (start with FNV1A_SEED): the
 * hash of the in-memory hash tables. */
#define FNV1A_SEED 2166136261u
static inline uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}
/* Take ownership of the buffer (caller frees); sb becomes empty. */
char *sb_detach(strbuf *sb, size_t *len);

/* Bump-pointer arena: many small allocations, freed together. */
typedef struct arena arena;
arena *arena_create(size_t chunk);    /* chunk 0 = default (16 KiB) */
void arena_destroy(arena *a);
void arena_reset(arena *a);           /* frees all but the first chunk */
void *arena_alloc(arena *a, size_t n);          /* 8-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n); /* NUL-terminated copy */

/* UTF-8 helpers. */
/* Returns 1 if [s, s+n) is valid UTF-8 (no overlongs, no surrogates);
 * otherwise 0 and *bad = offset of the first invalid byte. */
int utf8_valid(const char *s, size_t n, size_t *bad);
/* Returns 1 if the n bytes are all < 0x80. */
int is_ascii(const char *s, size_t n);

/* Parse a decimal number of exactly n digits; -1 if any is not a digit. */
/* s is "YYYY-MM-DD" (or, with with_time, also "YYYY-MM-DD HH:MM:SS"),
 * a date that exists: the forms the journal's times compare with as text. */
int date_valid(const char *s, int with_time);

long parse_digits(const char *s, int n);

/* The port of a network address's host part [s, s+n) ("host:2100",
 * "[::1]:2100", "@:2100"): 1 when it has no numeric port (none, or a
 * service name) or one from 1 to 65535; 0 when the port is all digits
 * but out of range ("99999" would wrap to another port). */
int addr_port_ok(const char *s, size_t n);

/* How many threads an import may keep busy: $BIENMUC_IMPORT_THREADS if
 * set, else the processors online (at least 1). */
int import_threads(void);

#endif
