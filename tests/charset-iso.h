/*
 * charset-iso.h - a tiny ISO 2709 reader and value walker for the charset
 * tests (t-charset.c, t-legacy.c), so they need neither the real reader
 * nor yaz to split records. Raw bytes go into the record untouched: no
 * charset work happens here.
 */
#ifndef BIENMUC_CHARSET_ISO_H
#define BIENMUC_CHARSET_ISO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "util.h"

/* Read a whole file; NULL if it cannot be read. */
static char *t_slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(&sb, buf, k);
	fclose(fp);
	return sb_detach(&sb, n);
}

static long t_num(const char *s, int n)
{
	long v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse the record at buf[*off]; fills r (cleared first), advances *off.
 * Returns 1, or 0 at the end or on a record it cannot parse. */
static int t_iso_next(const char *buf, size_t n, size_t *off, rec *r)
{
	while (*off < n && (buf[*off] == '\n' || buf[*off] == '\r' || buf[*off] == 0x1D))
		(*off)++;
	if (*off + 24 > n)
		return 0;
	const char *R = buf + *off;
	long len = t_num(R, 5), base = t_num(R + 12, 5);
	if (len < 25 || (size_t)len > n - *off || base < 25 || base > len)
		return 0;
	rec_clear(r);
	rec_set_leader(r, R, 24);
	for (int i = 0; i < 4; i++)             /* as the real reader does */
		rec_set_leader_at(r, 20 + i, "4500"[i]);
	for (const char *d = R + 24; d + 12 <= R + base && *d != 0x1E; d += 12) {
		char tag[4] = { d[0], d[1], d[2], 0 };
		long fl = t_num(d + 3, 4), fo = t_num(d + 7, 5);
		if (fl < 1 || fo < 0 || base + fo + fl > len)
			return 0;
		const char *v = R + base + fo;
		size_t vl = (size_t)fl - 1;          /* without the field terminator */
		if (rec_tag_is_control(tag)) {
			rec_add_control(r, tag, v, vl);
			continue;
		}
		size_t f = rec_add_field(r, tag, vl > 0 ? v[0] : ' ', vl > 1 ? v[1] : ' ');
		const char *p = v + (vl >= 2 ? 2 : vl), *e = v + vl;
		while (p < e) {
			if (*p != 0x1F) {
				p++;
				continue;
			}
			const char *q = memchr(p + 1, 0x1F, (size_t)(e - p - 1));
			if (!q)
				q = e;
			if (q > p + 1)
				rec_add_sub(r, f, p[1], p + 2, (size_t)(q - p - 2));
			p = q;
		}
	}
	*off += (size_t)len;
	return 1;
}

/* Number of values (control data + subfields) and the i-th of them. */
static const char *t_value(const rec *r, size_t i, size_t *len, size_t *fo, long *so)
{
	for (size_t f = 0; f < rec_nfields(r); f++) {
		size_t ns = rec_is_control(r, f) ? 1 : rec_nsub(r, f);
		if (i < ns) {
			*fo = f;
			*so = rec_is_control(r, f) ? -1 : (long)i;
			return rec_is_control(r, f) ? rec_data(r, f, len) : rec_sub_value(r, f, i, len);
		}
		i -= ns;
	}
	return NULL;
}

#endif
