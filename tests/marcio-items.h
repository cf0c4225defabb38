/*
 * marcio-items.h - helpers for the reader/writer tests (t-json.c,
 * t-marcxml.c): read a whole input through marc_reader into an array of
 * items (record or rejection, warnings, raw bytes, record number and
 * offset), write items back through marc_writer into memory, and compare
 * two reads record by record. Nothing is checked here: the tests do that.
 */
#ifndef BIENMUC_MARCIO_ITEMS_H
#define BIENMUC_MARCIO_ITEMS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marcio.h"
#include "rec.h"
#include "util.h"

struct item {
	rec *r;            /* NULL for a rejected record */
	char *err;         /* rejection reason */
	char *raw;
	size_t rawlen;
	char *warn;        /* warnings joined by '\n' ("" if none) */
	long recno;
	long long off;
};

struct items {
	struct item *v;
	size_t n, good, bad;
};

/* Free what the items hold; it becomes empty. */
static inline void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		rec_destroy(it->v[i].r);
		free(it->v[i].err);
		free(it->v[i].raw);
		free(it->v[i].warn);
	}
	free(it->v);
	memset(it, 0, sizeof *it);
}

/* Read every record of fp as format fmt (CS_AUTO), at most ~100000.
 * Each item owns its record (NULL if rejected, then err says why), its
 * warnings and a copy of its raw bytes. Free with items_free(). */
static inline struct items read_fp(FILE *fp, int fmt)
{
	struct items it = { 0 };
	struct marc_read_opts o = { fmt, CS_AUTO, 0 };
	strbuf err = STRBUF_INIT;
	marc_reader *rd = marc_reader_open(fp, "test", &o, &err);
	sb_release(&err);
	if (!rd)
		return it;
	rec *r = rec_create();
	int rc;
	while ((rc = marc_reader_next(rd, r)) != MR_EOF) {
		it.v = realloc(it.v, (it.n + 1) * sizeof *it.v);
		struct item *x = &it.v[it.n++];
		memset(x, 0, sizeof *x);
		x->recno = marc_reader_recno(rd);
		x->off = marc_reader_offset(rd);
		strbuf w = STRBUF_INIT;
		for (size_t i = 0; i < marc_reader_nwarnings(rd); i++) {
			if (i)
				sb_addc(&w, '\n');
			sb_adds(&w, marc_reader_warning(rd, i));
		}
		x->warn = w.buf ? sb_detach(&w, NULL) : strdup("");
		size_t n;
		const char *raw = marc_reader_raw(rd, &n);
		x->raw = malloc(n + 1);
		memcpy(x->raw, raw, n);
		x->raw[n] = 0;
		x->rawlen = n;
		if (rc == MR_OK) {
			x->r = rec_clone(r);
			it.good++;
		} else {
			x->err = strdup(marc_reader_error(rd));
			it.bad++;
		}
		if (it.n > 100000)
			break;
	}
	rec_destroy(r);
	marc_reader_close(rd);
	return it;
}

/* read_fp() on n bytes of memory (n may be 0). */
static inline struct items read_mem(const char *s, size_t n, int fmt)
{
	/* fmemopen of 0 bytes fails: use a 1-byte buffer, read past */
	FILE *fp = n ? fmemopen((void *)s, n, "rb") : fmemopen((void *)"", 1, "r");
	if (!n)
		fgetc(fp);
	struct items it = read_fp(fp, fmt);
	fclose(fp);
	return it;
}

/* read_fp() on a file; no items if it cannot be opened. */
static inline struct items read_path(const char *path, int fmt)
{
	struct items it = { 0 };
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return it;
	it = read_fp(fp, fmt);
	fclose(fp);
	return it;
}

/* Write the good records of it; returns malloc'd output, counts refusals. */
static inline char *write_items(const struct items *it, int fmt, size_t *len, int *refused)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct marc_write_opts o = { fmt, CS_UTF8, 0 };
	marc_writer *w = marc_writer_open(fp, &o);
	*refused = 0;
	for (size_t i = 0; i < it->n; i++) {
		if (!it->v[i].r)
			continue;
		strbuf e = STRBUF_INIT;
		if (marc_writer_put(w, it->v[i].r, &e) != 0)
			(*refused)++;
		sb_release(&e);
	}
	marc_writer_close(w);
	fclose(fp);
	*len = n;
	return buf;
}

/* Write one record as fmt in charset cs; returns malloc'd output, *rc
 * from marc_writer_put() (err says why it refused). */
static inline char *write_one_cs(const rec *r, int fmt, int cs, strbuf *err, int *rc)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct marc_write_opts o = { fmt, cs, 0 };
	marc_writer *w = marc_writer_open(fp, &o);
	*rc = marc_writer_put(w, r, err);
	marc_writer_close(w);
	fclose(fp);
	return buf;
}

/* The same in UTF-8. */
static inline char *write_one(const rec *r, int fmt, strbuf *err, int *rc)
{
	return write_one_cs(r, fmt, CS_UTF8, err, rc);
}

/* Compare the good records of a and b in order; returns mismatches. */
static inline int compare_items(const struct items *a, const struct items *b, const char *what)
{
	int bad = 0;
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		if (!a->v[i].r) { i++; continue; }
		if (!b->v[j].r) { j++; continue; }
		char diff[512];
		if (rec_compare(a->v[i].r, b->v[j].r, diff, sizeof diff) != 0) {
			if (bad < 3)
				fprintf(stderr, "%s: record %zu: %s\n", what, i + 1, diff);
			bad++;
		}
		i++;
		j++;
	}
	return bad;
}

/* 1 if yaz-marcdump can be run. */
static inline int have_yaz(void)
{
	return system("yaz-marcdump -V >/dev/null 2>&1") == 0;
}

/* Write n bytes to path; 0, or -1 on any error. */
static inline int write_file(const char *path, const char *buf, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	int ok = fwrite(buf, 1, n, fp) == n;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

#endif
