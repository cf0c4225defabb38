/*
 * collate.c - Vietnamese sort keys: one ICU "vi" collator per process,
 * opened lazily (pthread_once) and shared; ucol_getSortKey takes a const
 * collator and is safe from several threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <unicode/ucol.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

#include "collate.h"

/* How bienmuc makes keys from the collator's, part of both versions
 * below: a new rule makes every catalogue rebuild its keys once.
 * 2: leading punctuation skipped. */
#define COLL_RULE "2"

static pthread_once_t coll_once = PTHREAD_ONCE_INIT;
static UCollator *coll;

static void coll_close(void)
{
	ucol_close(coll);
	coll = NULL;
}

static void coll_open(void)
{
	UErrorCode e = U_ZERO_ERROR;
	UCollator *c = ucol_open("vi", &e);
	if (U_FAILURE(e))
		return;
	coll = c;
	atexit(coll_close);      /* keeps valgrind's leak report clean */
}

static const UCollator *get(void)
{
	pthread_once(&coll_once, coll_open);
	return coll;
}

int coll_sort_key(const char *text, strbuf *out)
{
	const UCollator *c = get();
	if (!c)
		return -1;
	UChar stackbuf[512], *u = stackbuf;
	int32_t ulen = 0;
	UErrorCode e = U_ZERO_ERROR;
	u_strFromUTF8Lenient(u, 512, &ulen, text, -1, &e);
	if (e == U_BUFFER_OVERFLOW_ERROR) {
		u = xmalloc(((size_t)ulen + 1) * sizeof *u);
		e = U_ZERO_ERROR;
		u_strFromUTF8Lenient(u, ulen + 1, &ulen, text, -1, &e);
	}
	int rc = -1;
	if (!U_FAILURE(e)) {
		/* legacy data writes Đ/đ as the look-alike Ð/ð (U+00D0/U+00F0) */
		for (int32_t i = 0; i < ulen; i++)
			if (u[i] == 0xD0 || u[i] == 0xF0)
				u[i] = (UChar)(u[i] == 0xD0 ? 0x110 : 0x111);
		/* leading quotes, brackets, dashes and blanks do not file:
		 * "[Bản đồ ...]" sorts under B (unless nothing else is there) */
		int32_t lead = 0;
		while (lead < ulen && !u_isalnum(u[lead]))
			lead++;
		if (lead == ulen)
			lead = 0;
		sb_grow(out, 256);
		int32_t n = ucol_getSortKey(c, u + lead, ulen - lead, (uint8_t *)out->buf + out->len,
		                            (int32_t)(out->cap - out->len - 1));
		if (n > (int32_t)(out->cap - out->len - 1)) {
			sb_grow(out, (size_t)n + 1);
			n = ucol_getSortKey(c, u + lead, ulen - lead, (uint8_t *)out->buf + out->len, n + 1);
		}
		if (n > 0) {
			out->len += (size_t)n - 1;      /* drop the terminating 0 */
			out->buf[out->len] = 0;
			rc = 0;
		}
	}
	if (u != stackbuf)
		free(u);
	return rc;
}

int coll_version(char *buf, size_t n)
{
	const UCollator *c = get();
	if (!c)
		return -1;
	UVersionInfo v;
	ucol_getVersion(c, v);
	snprintf(buf, n, "%u.%u.%u.%u/%s", v[0], v[1], v[2], v[3], COLL_RULE);
	return 0;
}

void coll_icu_version(char *buf, size_t n)
{
	UVersionInfo v, uv;
	u_getVersion(v);
	u_getUnicodeVersion(uv);
	snprintf(buf, n, "icu %u.%u.%u.%u unicode %u.%u.%u.%u keys %s",
	         v[0], v[1], v[2], v[3], uv[0], uv[1], uv[2], uv[3], COLL_RULE);
}
