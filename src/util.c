/*
 * util.c - allocation wrappers, strbuf, arena and UTF-8 checks used by
 * every layer of bienmuc. Nothing here knows about MARC.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *bm_progname = "bienmuc";

void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", bm_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory (%zu bytes)", n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* ---- strbuf ---- */

static char sb_empty[1];

void sb_init(strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void sb_release(strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = 0;
}

void sb_grow(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_add(strbuf *sb, const void *p, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_add(sb, small, (size_t)n);
		return;
	}
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* The absolute name of a file that need not exist yet: its folder
 * resolved, then its own name (malloc'd; NULL if the folder is not). */
static char *abs_name(const char *p)
{
	const char *slash = strrchr(p, '/');
	const char *base = slash ? slash + 1 : p;
	char *dir = slash ? xstrndup(p, slash == p ? 1 : (size_t)(slash - p)) : xstrdup(".");
	char *rd = realpath(dir, NULL);
	free(dir);
	if (!rd)
		return NULL;
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s/%s", rd, base);
	free(rd);
	return sb_detach(&sb, NULL);
}

int same_path(const char *a, const char *b)
{
	struct stat sa, sb;
	int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
	if (ea && eb)
		return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	if (ea != eb)
		return 0;
	char *x = abs_name(a), *y = abs_name(b);
	int same = x && y && !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

int sb_read_file(strbuf *sb, const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(sb, buf, n);
	int bad = ferror(fp), e = errno;
	fclose(fp);
	errno = e;                      /* the read's errno, not fclose's */
	return bad ? -2 : 0;
}

char *sb_detach(strbuf *sb, size_t *len)
{
	char *p = sb->buf ? sb->buf : xstrdup(sb_empty);
	if (len)
		*len = sb->len;
	sb_init(sb);
	return p;
}

/* ---- arena ---- */

struct chunk {
	struct chunk *next;
	size_t size, used;
	/* data follows, aligned */
	max_align_t data[];
};

struct arena {
	struct chunk *head;   /* current chunk (most recent) */
	struct chunk *first;  /* kept on reset */
	size_t chunk;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = xmalloc(sizeof *c + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

arena *arena_create(size_t chunk)
{
	arena *a = xmalloc(sizeof *a);
	a->chunk = chunk ? chunk : 16384;
	a->first = a->head = chunk_new(a->chunk);
	return a;
}

void arena_reset(arena *a)
{
	struct chunk *c = a->head;
	while (c != a->first) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = a->first;
	a->first->used = 0;
}

void arena_destroy(arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *arena_alloc(arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct chunk *c = a->head;
	if (c->used + n > c->size) {
		size_t sz = n > a->chunk ? n : a->chunk;
		c = chunk_new(sz);
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* ---- UTF-8 ---- */

int is_ascii(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080ULL)
			return 0;
	}
	for (; i < n; i++)
		if (p[i] & 0x80)
			return 0;
	return 1;
}

/* 1 if one of the 16 bytes at p has its high bit set. */
static inline int any_high16(const unsigned char *p)
{
	uint64_t a, b;
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	return ((a | b) & UINT64_C(0x8080808080808080)) != 0;
}

int utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		if (c < 0x80) {
			/* ASCII fast path: 16 bytes at a time */
			i++;
			while (i + 16 <= n && !any_high16(p + i))
				i += 16;
			while (i < n && p[i] < 0x80)
				i++;
			continue;
		}
		size_t k;
		unsigned min;
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3; min = 0x10000;
		} else
			goto fail;
		unsigned cp = c & (0x3F >> k);
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (p[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto fail;
		i += k + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

int date_valid(const char *s, int with_time)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t n = strlen(s);
	if (n != 10 && (n != 19 || !with_time))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return n == 10 || (atoi(s + 11) < 24 && atoi(s + 14) < 60 && atoi(s + 17) < 60);
}

long parse_digits(const char *s, int n)
{
	long v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int addr_port_ok(const char *s, size_t n)
{
	const char *colon = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
		else if (s[i] == ']')
			colon = NULL;        /* [::1] alone: no port */
	if (!colon)
		return 1;
	size_t k = (size_t)(s + n - colon - 1);
	const char *p = colon + 1;
	if (!k)
		return 1;
	for (size_t i = 0; i < k; i++)
		if (p[i] < '0' || p[i] > '9')
			return 1;          /* a service name: yaz looks it up */
	long v = 0;
	for (size_t i = 0; i < k; i++) {
		v = v * 10 + (p[i] - '0');
		if (v > 65535)
			return 0;
	}
	return v >= 1;
}

int import_threads(void)
{
	const char *e = getenv("BIENMUC_IMPORT_THREADS");
	if (e && *e)
		return atoi(e);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}
