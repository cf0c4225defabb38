/*
 * store-runs.c - a bulk load's deferred browse headings in sorted runs
 * (see store-runs.h).
 *
 * File: the runs one after another. A run is a sequence of entries, each
 * a varint length and then: varint index, varint key length, key, varint
 * text length, text, varint count of rids, the rids as varint differences
 * (ascending, the first from 0). Unsigned LEB128 varints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "store-runs.h"
#include "util.h"

struct run {
	off_t start, end;
};

/* a run being read by the merge */
struct reader {
	off_t off, end;            /* next byte to read, end of the run */
	unsigned char *buf;
	size_t pos, len, cap;      /* unread bytes: buf[pos, len) */
	/* the current entry (valid while has) */
	int has;
	int idx;
	const unsigned char *key;
	size_t klen;
	const unsigned char *text;
	size_t tlen;
	const unsigned char *rp;   /* its rids, still encoded */
	size_t nrids;
	size_t next;               /* buf offset after the entry */
};

struct hruns {
	int fd;
	off_t size;                /* bytes written */
	struct run *v;
	size_t n, cap;
	/* writing */
	unsigned char *wb;
	size_t wn, wcap;
	off_t wstart;              /* the run being written began here (-1: none) */
	int werr;
	int64_t *sorted;           /* hruns_put's rids, sorted */
	size_t scap;
	/* merging */
	struct reader *rd;
	size_t nrd;
	size_t *heap, nheap;
	unsigned char *gkey;       /* the heading hruns_next gives */
	char *gtext;
	size_t gkcap, gtcap;
	int64_t *grids;
	size_t gncap;
};

#define WBUF (256 * 1024)
#define RBUF (32 * 1024)

hruns *hruns_create(const char *path)
{
	strbuf name = STRBUF_INIT;
	sb_adds(&name, path);
	sb_adds(&name, "-browse-XXXXXX");
	int fd = mkstemp(name.buf);
	if (fd >= 0)
		unlink(name.buf);
	sb_release(&name);
	if (fd < 0)
		return NULL;
	hruns *h = xcalloc(1, sizeof *h);
	h->fd = fd;
	h->wstart = -1;
	return h;
}

void hruns_destroy(hruns *h)
{
	if (!h)
		return;
	close(h->fd);
	for (size_t i = 0; i < h->nrd; i++)
		free(h->rd[i].buf);
	free(h->rd);
	free(h->heap);
	free(h->v);
	free(h->wb);
	free(h->sorted);
	free(h->gkey);
	free(h->gtext);
	free(h->grids);
	free(h);
}

size_t hruns_count(const hruns *h)
{
	return h ? h->n : 0;
}

/* ---- writing ---- */

static int wflush(hruns *h)
{
	size_t done = 0;
	while (done < h->wn) {
		ssize_t w = pwrite(h->fd, h->wb + done, h->wn - done, h->size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			h->werr = 1;
			return -1;
		}
		done += (size_t)w;
		h->size += w;
	}
	h->wn = 0;
	return 0;
}

static void wreserve(hruns *h, size_t n)
{
	if (h->wn + n <= h->wcap)
		return;
	if (h->wn && !h->werr)
		wflush(h);
	if (n > h->wcap) {
		h->wcap = n > WBUF ? n : WBUF;
		h->wb = xrealloc(h->wb, h->wcap);
	}
	h->wn = 0;                 /* (after an error the bytes are lost anyway) */
}

static size_t varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

int hruns_run_begin(hruns *h)
{
	h->wstart = h->size;
	h->werr = 0;
	h->wn = 0;
	return 0;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* rids sorted and without repeats into h->sorted; their count */
static size_t sort_rids(int64_t **to, size_t *cap, const int64_t *rids, size_t n)
{
	if (n > *cap) {
		*cap = n;
		*to = xrealloc(*to, n * sizeof **to);
	}
	if (*to != rids)
		memcpy(*to, rids, n * sizeof *rids);
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = (*to)[i - 1] < (*to)[i];
	if (sorted)
		return n;
	qsort(*to, n, sizeof **to, i64_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || (*to)[i] != (*to)[m - 1])
			(*to)[m++] = (*to)[i];
	return m;
}

int hruns_put(hruns *h, int idx, const void *key, size_t klen, const char *text,
              const int64_t *rids, size_t nrids)
{
	if (h->wstart < 0 || h->werr)
		return -1;
	nrids = sort_rids(&h->sorted, &h->scap, rids, nrids);
	size_t tlen = strlen(text);
	size_t body = varint_len((uint64_t)idx) + varint_len(klen) + klen + varint_len(tlen) + tlen +
	              varint_len(nrids);
	int64_t prev = 0;
	for (size_t i = 0; i < nrids; i++) {
		body += varint_len((uint64_t)(h->sorted[i] - prev));
		prev = h->sorted[i];
	}
	wreserve(h, body + 10);
	if (h->werr)
		return -1;
	unsigned char *p = h->wb + h->wn;
	p += varint_put(p, body);
	p += varint_put(p, (uint64_t)idx);
	p += varint_put(p, klen);
	memcpy(p, key, klen);
	p += klen;
	p += varint_put(p, tlen);
	memcpy(p, text, tlen);
	p += tlen;
	p += varint_put(p, nrids);
	prev = 0;
	for (size_t i = 0; i < nrids; i++) {
		p += varint_put(p, (uint64_t)(h->sorted[i] - prev));
		prev = h->sorted[i];
	}
	h->wn = (size_t)(p - h->wb);
	return 0;
}

int hruns_run_end(hruns *h)
{
	if (h->wstart < 0)
		return -1;
	int rc = h->werr ? -1 : wflush(h);
	if (rc || h->size == h->wstart) {     /* failed, or empty: no run */
		if (rc)
			h->size = h->wstart;          /* the next run overwrites it */
		h->wstart = -1;
		return rc;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n].start = h->wstart;
	h->v[h->n++].end = h->size;
	h->wstart = -1;
	return 0;
}

/* ---- reading ---- */

static int varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char c = *(*p)++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* At least n unread bytes in r's buffer (fewer only at the run's end).
 * 0 or -1. */
static int rfill(hruns *h, struct reader *r, size_t n)
{
	if (r->len - r->pos >= n)
		return 0;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (n > r->cap) {
		r->cap = n > RBUF ? n : RBUF;
		r->buf = xrealloc(r->buf, r->cap);
	}
	while (r->len < r->cap && r->off < r->end) {
		size_t want = r->cap - r->len;
		if ((off_t)want > r->end - r->off)
			want = (size_t)(r->end - r->off);
		ssize_t got = pread(h->fd, r->buf + r->len, want, r->off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (!got)
				errno = EIO;
			return -1;
		}
		r->len += (size_t)got;
		r->off += got;
		if (r->len - r->pos >= n)
			break;
	}
	return 0;
}

/* r's next entry into its fields (has = 0 at the end). 0 or -1. */
static int radvance(hruns *h, struct reader *r)
{
	if (r->has)
		r->pos = r->next;
	r->has = 0;
	if (rfill(h, r, 10))
		return -1;
	if (r->pos == r->len)
		return 0;
	const unsigned char *p = r->buf + r->pos, *end = r->buf + r->len;
	uint64_t body;
	if (varint_get(&p, end, &body))
		goto bad;
	size_t head = (size_t)(p - (r->buf + r->pos));
	if (rfill(h, r, head + body))
		return -1;
	if (r->len - r->pos < head + body)
		goto bad;
	p = r->buf + r->pos + head;
	end = p + body;
	uint64_t idx, klen, tlen, n;
	if (varint_get(&p, end, &idx) || varint_get(&p, end, &klen) || klen > (uint64_t)(end - p))
		goto bad;
	r->idx = (int)idx;
	r->key = p;
	r->klen = (size_t)klen;
	p += klen;
	if (varint_get(&p, end, &tlen) || tlen > (uint64_t)(end - p))
		goto bad;
	r->text = p;
	r->tlen = (size_t)tlen;
	p += tlen;
	if (varint_get(&p, end, &n) || n > (uint64_t)(end - p))
		goto bad;
	r->rp = p;
	r->nrids = (size_t)n;
	r->next = r->pos + head + body;
	r->has = 1;
	return 0;
bad:
	errno = EIO;
	return -1;
}

static int rcmp(const struct reader *a, size_t ia, const struct reader *b, size_t ib)
{
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return ia < ib ? -1 : ia > ib;       /* the earlier run first */
}

static int hless(const hruns *h, size_t a, size_t b)
{
	return rcmp(&h->rd[a], a, &h->rd[b], b) < 0;
}

static void sift_down(hruns *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < h->nheap && hless(h, h->heap[l], h->heap[m]))
			m = l;
		if (l + 1 < h->nheap && hless(h, h->heap[l + 1], h->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t t = h->heap[i];
		h->heap[i] = h->heap[m];
		h->heap[m] = t;
		i = m;
	}
}

static void merge_free(hruns *h)
{
	for (size_t i = 0; i < h->nrd; i++)
		free(h->rd[i].buf);
	free(h->rd);
	free(h->heap);
	h->rd = NULL;
	h->heap = NULL;
	h->nrd = h->nheap = 0;
}

int hruns_merge_begin(hruns *h)
{
	merge_free(h);
	h->nrd = h->n;
	h->rd = xcalloc(h->nrd ? h->nrd : 1, sizeof *h->rd);
	h->heap = xmalloc((h->nrd ? h->nrd : 1) * sizeof *h->heap);
	for (size_t i = 0; i < h->nrd; i++) {
		h->rd[i].off = h->v[i].start;
		h->rd[i].end = h->v[i].end;
		if (radvance(h, &h->rd[i]))
			return -1;
		if (h->rd[i].has)
			h->heap[h->nheap++] = i;
	}
	for (size_t i = h->nheap / 2; i-- > 0;)
		sift_down(h, i);
	return 0;
}

/* The rids of r's entry, decoded and appended to the group's. */
static int take_rids(hruns *h, const struct reader *r, size_t *n)
{
	if (*n + r->nrids > h->gncap) {
		h->gncap = 2 * (*n + r->nrids);
		h->grids = xrealloc(h->grids, h->gncap * sizeof *h->grids);
	}
	const unsigned char *p = r->rp, *end = r->buf + r->next;
	int64_t prev = 0;
	for (size_t i = 0; i < r->nrids; i++) {
		uint64_t d;
		if (varint_get(&p, end, &d)) {
			errno = EIO;
			return -1;
		}
		prev += (int64_t)d;
		h->grids[(*n)++] = prev;
	}
	return 0;
}

int hruns_next(hruns *h, struct hruns_head *out)
{
	if (!h->nheap)
		return 0;
	size_t top = h->heap[0];
	struct reader *r = &h->rd[top];
	/* the first run's heading: copied, its reader moves on */
	if (r->klen > h->gkcap) {
		h->gkcap = 2 * r->klen;
		h->gkey = xrealloc(h->gkey, h->gkcap);
	}
	memcpy(h->gkey, r->key, r->klen);
	if (r->tlen + 1 > h->gtcap) {
		h->gtcap = 2 * (r->tlen + 1);
		h->gtext = xrealloc(h->gtext, h->gtcap);
	}
	memcpy(h->gtext, r->text, r->tlen);
	h->gtext[r->tlen] = '\0';
	out->idx = r->idx;
	out->key = h->gkey;
	out->klen = r->klen;
	out->text = h->gtext;
	size_t n = 0, runs = 0;
	for (;;) {
		top = h->heap[0];
		r = &h->rd[top];
		if (r->idx != out->idx || r->klen != out->klen || memcmp(r->key, h->gkey, r->klen))
			break;
		if (take_rids(h, r, &n) || radvance(h, r))
			return -1;
		runs++;
		if (!r->has)
			h->heap[0] = h->heap[--h->nheap];
		if (!h->nheap)
			break;
		sift_down(h, 0);
	}
	if (runs > 1)
		n = sort_rids(&h->grids, &h->gncap, h->grids, n);
	out->rids = h->grids;
	out->nrids = n;
	return 1;
}

void hruns_merge_done(hruns *h)
{
	merge_free(h);
	h->n = 0;
}

int hruns_compact(hruns *h, size_t max)
{
	if (h->n <= max)
		return 0;
	size_t had = h->n;
	off_t start = h->size;
	if (hruns_merge_begin(h) || hruns_run_begin(h)) {
		merge_free(h);
		return -1;
	}
	struct hruns_head g;
	int got;
	while ((got = hruns_next(h, &g)) == 1)
		if (hruns_put(h, g.idx, g.key, g.klen, g.text, g.rids, g.nrids))
			break;
	merge_free(h);
	if (got != 0) {
		h->size = start;           /* the runs stay as they were */
		h->wstart = -1;
		return -1;
	}
	if (hruns_run_end(h))
		return -1;
	/* the merged run replaces the ones it was made of */
	memmove(h->v, h->v + had, (h->n - had) * sizeof *h->v);
	h->n -= had;
	return 0;
}
