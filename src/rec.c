/*
 * rec.c - the in-memory MARC record (see rec.h for the contract).
 *
 * Strings and subfield arrays live in a per-record arena, so reading a
 * file record by record into one reused `rec` allocates nothing once the
 * arena is warm. The field array itself is a plain growable array so that
 * insert/delete/move are cheap memmoves of small structs. Edits that
 * replace a string leave the old copy in the arena until rec_clear();
 * rec_clone() compacts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>

#include "rec.h"
#include "util.h"
#include "i18n-lower.h"

struct sub {
	char code;
	size_t len;
	char *val;
};

struct field {
	char tag[4];
	char ind1, ind2;
	char control;
	char *data;          /* control fields */
	size_t dlen;
	struct sub *subs;    /* data fields, in the arena */
	size_t nsub, capsub;
};

struct rec {
	char leader[REC_LEADER_LEN + 1];
	struct field *f;
	size_t n, cap;
	arena *a;
	uint64_t stamp;      /* rec_stamp: an epoch in the high 32 bits, edits since */
};

/* Epochs of rec_stamp: one per rec_create or rec_clear in the process. */
static _Atomic uint64_t stamp_epochs;

static void new_epoch(rec *r)
{
	r->stamp = (atomic_fetch_add_explicit(&stamp_epochs, 1, memory_order_relaxed) + 1) << 32;
}

uint64_t rec_stamp(const rec *r)
{
	return r->stamp;
}

static const char blank_leader[] = "                        ";

rec *rec_create(void)
{
	rec *r = xcalloc(1, sizeof *r);
	memcpy(r->leader, blank_leader, REC_LEADER_LEN + 1);
	r->a = arena_create(8192);
	new_epoch(r);
	return r;
}

void rec_destroy(rec *r)
{
	if (!r)
		return;
	free(r->f);
	arena_destroy(r->a);
	free(r);
}

void rec_clear(rec *r)
{
	new_epoch(r);
	r->n = 0;
	memcpy(r->leader, blank_leader, REC_LEADER_LEN + 1);
	arena_reset(r->a);
}

void rec_copy(rec *dst, const rec *src)
{
	assert(dst != src);
	rec_clear(dst);
	memcpy(dst->leader, src->leader, REC_LEADER_LEN + 1);
	for (size_t i = 0; i < src->n; i++)
		rec_insert_copy(dst, dst->n, src, i);
}

rec *rec_clone(const rec *r)
{
	rec *c = rec_create();
	rec_copy(c, r);
	return c;
}

const char *rec_leader(const rec *r)
{
	return r->leader;
}

void rec_set_leader(rec *r, const char *ldr, size_t len)
{
	r->stamp++;
	if (len > REC_LEADER_LEN)
		len = REC_LEADER_LEN;
	memcpy(r->leader, ldr, len);
	memset(r->leader + len, ' ', REC_LEADER_LEN - len);
	r->leader[REC_LEADER_LEN] = 0;
}

void rec_set_leader_at(rec *r, int pos, char c)
{
	r->stamp++;
	assert(pos >= 0 && pos < REC_LEADER_LEN);
	r->leader[pos] = c;
}

size_t rec_nfields(const rec *r)
{
	return r->n;
}

const char *rec_tag(const rec *r, size_t f)
{
	assert(f < r->n);
	return r->f[f].tag;
}

int rec_is_control(const rec *r, size_t f)
{
	assert(f < r->n);
	return r->f[f].control;
}

const char *rec_data(const rec *r, size_t f, size_t *len)
{
	assert(f < r->n);
	if (!r->f[f].control)
		return NULL;
	if (len)
		*len = r->f[f].dlen;
	return r->f[f].data;
}

char rec_ind(const rec *r, size_t f, int n)
{
	assert(f < r->n);
	if (r->f[f].control)
		return ' ';
	return n == 1 ? r->f[f].ind1 : r->f[f].ind2;
}

size_t rec_nsub(const rec *r, size_t f)
{
	assert(f < r->n);
	return r->f[f].nsub;
}

char rec_sub_code(const rec *r, size_t f, size_t s)
{
	assert(f < r->n && s < r->f[f].nsub);
	return r->f[f].subs[s].code;
}

const char *rec_sub_value(const rec *r, size_t f, size_t s, size_t *len)
{
	assert(f < r->n && s < r->f[f].nsub);
	if (len)
		*len = r->f[f].subs[s].len;
	return r->f[f].subs[s].val;
}

static int tag_match(const char *pat, const char *tag)
{
	for (int i = 0; i < 3; i++)
		if (pat[i] != '.' && pat[i] != tag[i])
			return 0;
	return 1;
}

long rec_find(const rec *r, const char *tag, size_t from)
{
	for (size_t i = from; i < r->n; i++)
		if (tag_match(tag, r->f[i].tag))
			return (long)i;
	return -1;
}

long rec_find_sub(const rec *r, size_t f, char code)
{
	assert(f < r->n);
	for (size_t s = 0; s < r->f[f].nsub; s++)
		if (r->f[f].subs[s].code == code)
			return (long)s;
	return -1;
}

const char *rec_get(const rec *r, const char *tag, char code)
{
	for (long f = rec_find(r, tag, 0); f >= 0; f = rec_find(r, tag, (size_t)f + 1)) {
		long s = rec_find_sub(r, (size_t)f, code);
		if (s >= 0)
			return r->f[f].subs[s].val;
	}
	return NULL;
}

const char *rec_get_control(const rec *r, const char *tag)
{
	for (long f = rec_find(r, tag, 0); f >= 0; f = rec_find(r, tag, (size_t)f + 1))
		if (r->f[f].control)
			return r->f[f].data;
	return NULL;
}

int rec_tag_is_control(const char *tag)
{
	return tag[0] == '0' && tag[1] == '0' && tag[2] != 0 && tag[2] != '0' &&
	       ((tag[2] >= '1' && tag[2] <= '9') || tag[2] == 'X' || tag[2] == 'x');
}

/* ---- changing ---- */

static struct field *open_slot(rec *r, size_t at)
{
	r->stamp++;
	assert(at <= r->n);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->f = xrealloc(r->f, r->cap * sizeof *r->f);
	}
	memmove(r->f + at + 1, r->f + at, (r->n - at) * sizeof *r->f);
	r->n++;
	struct field *fl = &r->f[at];
	memset(fl, 0, sizeof *fl);
	return fl;
}

static void set_tag3(char *dst, const char *tag)
{
	size_t i;
	for (i = 0; i < 3 && tag[i]; i++)
		dst[i] = tag[i];
	for (; i < 3; i++)
		dst[i] = ' ';
	dst[3] = 0;
}

size_t rec_insert_control(rec *r, size_t at, const char *tag, const char *data, size_t len)
{
	struct field *fl = open_slot(r, at);
	set_tag3(fl->tag, tag);
	fl->control = 1;
	fl->ind1 = fl->ind2 = ' ';
	fl->data = arena_strndup(r->a, data, len);
	fl->dlen = len;
	return at;
}

size_t rec_insert_field(rec *r, size_t at, const char *tag, char ind1, char ind2)
{
	struct field *fl = open_slot(r, at);
	set_tag3(fl->tag, tag);
	fl->ind1 = ind1;
	fl->ind2 = ind2;
	return at;
}

size_t rec_add_control(rec *r, const char *tag, const char *data, size_t len)
{
	return rec_insert_control(r, r->n, tag, data, len);
}

size_t rec_add_field(rec *r, const char *tag, char ind1, char ind2)
{
	return rec_insert_field(r, r->n, tag, ind1, ind2);
}

size_t rec_insert_copy(rec *r, size_t at, const rec *src, size_t f)
{
	assert(f < src->n);
	const struct field *sf = &src->f[f];
	if (sf->control)
		return rec_insert_control(r, at, sf->tag, sf->data, sf->dlen);
	rec_insert_field(r, at, sf->tag, sf->ind1, sf->ind2);
	struct field *df = &r->f[at];
	if (sf->nsub) {
		df->subs = arena_alloc(r->a, sf->nsub * sizeof *df->subs);
		df->capsub = df->nsub = sf->nsub;
		for (size_t s = 0; s < sf->nsub; s++) {
			df->subs[s].code = sf->subs[s].code;
			df->subs[s].len = sf->subs[s].len;
			df->subs[s].val = arena_strndup(r->a, sf->subs[s].val, sf->subs[s].len);
		}
	}
	return at;
}

void rec_delete_field(rec *r, size_t f)
{
	r->stamp++;
	assert(f < r->n);
	memmove(r->f + f, r->f + f + 1, (r->n - f - 1) * sizeof *r->f);
	r->n--;
}

void rec_move_field(rec *r, size_t from, size_t to)
{
	r->stamp++;
	assert(from < r->n && to < r->n);
	if (from == to)
		return;
	struct field tmp = r->f[from];
	if (from < to)
		memmove(r->f + from, r->f + from + 1, (to - from) * sizeof *r->f);
	else
		memmove(r->f + to + 1, r->f + to, (from - to) * sizeof *r->f);
	r->f[to] = tmp;
}

void rec_set_tag(rec *r, size_t f, const char *tag)
{
	r->stamp++;
	assert(f < r->n);
	set_tag3(r->f[f].tag, tag);
}

void rec_set_ind(rec *r, size_t f, char ind1, char ind2)
{
	r->stamp++;
	assert(f < r->n);
	r->f[f].ind1 = ind1;
	r->f[f].ind2 = ind2;
}

void rec_set_data(rec *r, size_t f, const char *data, size_t len)
{
	r->stamp++;
	assert(f < r->n);
	struct field *fl = &r->f[f];
	fl->control = 1;
	fl->nsub = 0;
	fl->data = arena_strndup(r->a, data, len);
	fl->dlen = len;
}

size_t rec_insert_sub(rec *r, size_t f, size_t at, char code, const char *val, size_t len)
{
	r->stamp++;
	assert(f < r->n);
	struct field *fl = &r->f[f];
	assert(at <= fl->nsub);
	fl->control = 0;
	if (fl->nsub == fl->capsub) {
		size_t cap = fl->capsub ? fl->capsub * 2 : 4;
		struct sub *ns = arena_alloc(r->a, cap * sizeof *ns);
		if (fl->nsub)
			memcpy(ns, fl->subs, fl->nsub * sizeof *ns);
		fl->subs = ns;
		fl->capsub = cap;
	}
	memmove(fl->subs + at + 1, fl->subs + at, (fl->nsub - at) * sizeof *fl->subs);
	fl->nsub++;
	fl->subs[at].code = code;
	fl->subs[at].len = len;
	fl->subs[at].val = arena_strndup(r->a, val, len);
	return at;
}

size_t rec_add_sub(rec *r, size_t f, char code, const char *val, size_t len)
{
	assert(f < r->n);
	return rec_insert_sub(r, f, r->f[f].nsub, code, val, len);
}

void rec_delete_sub(rec *r, size_t f, size_t s)
{
	r->stamp++;
	assert(f < r->n && s < r->f[f].nsub);
	struct field *fl = &r->f[f];
	memmove(fl->subs + s, fl->subs + s + 1, (fl->nsub - s - 1) * sizeof *fl->subs);
	fl->nsub--;
}

void rec_move_sub(rec *r, size_t f, size_t from, size_t to)
{
	r->stamp++;
	assert(f < r->n);
	struct field *fl = &r->f[f];
	assert(from < fl->nsub && to < fl->nsub);
	if (from == to)
		return;
	struct sub tmp = fl->subs[from];
	if (from < to)
		memmove(fl->subs + from, fl->subs + from + 1, (to - from) * sizeof *fl->subs);
	else
		memmove(fl->subs + to + 1, fl->subs + to, (from - to) * sizeof *fl->subs);
	fl->subs[to] = tmp;
}

void rec_set_sub(rec *r, size_t f, size_t s, char code, const char *val, size_t len)
{
	r->stamp++;
	assert(f < r->n && s < r->f[f].nsub);
	struct sub *sb = &r->f[f].subs[s];
	sb->code = code;
	sb->val = arena_strndup(r->a, val, len);
	sb->len = len;
}

char *rec_field_text(const rec *r, size_t f, const char *codes)
{
	assert(f < r->n);
	strbuf sb = STRBUF_INIT;
	const struct field *fl = &r->f[f];
	if (fl->control) {
		sb_add(&sb, fl->data, fl->dlen);
		return sb_detach(&sb, NULL);
	}
	for (size_t s = 0; s < fl->nsub; s++) {
		if (codes && !strchr(codes, fl->subs[s].code))
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_add(&sb, fl->subs[s].val, fl->subs[s].len);
	}
	return sb_detach(&sb, NULL);
}

/* ---- comparing ---- */

static int leader_pos_compared(int i)
{
	return !(i <= 4 || (i >= 12 && i <= 16));
}

int rec_compare(const rec *a, const rec *b, char *diff, size_t n)
{
#define DIFF(...) do { if (diff && n) snprintf(diff, n, __VA_ARGS__); return 1; } while (0)
	for (int i = 0; i < REC_LEADER_LEN; i++)
		if (leader_pos_compared(i) && a->leader[i] != b->leader[i])
			DIFF(_("leader/%02d: '%c' vs '%c'"), i, a->leader[i], b->leader[i]);
	size_t m = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < m; i++) {
		const struct field *x = &a->f[i], *y = &b->f[i];
		if (strcmp(x->tag, y->tag))
			DIFF(_("field %zu: tag %s vs %s"), i + 1, x->tag, y->tag);
		if (x->control != y->control)
			DIFF(_("field %zu (%s): control vs data field"), i + 1, x->tag);
		if (x->control) {
			if (x->dlen != y->dlen || memcmp(x->data, y->data, x->dlen))
				DIFF(_("field %zu (%s): '%s' vs '%s'"), i + 1, x->tag, x->data, y->data);
			continue;
		}
		if (x->ind1 != y->ind1 || x->ind2 != y->ind2)
			DIFF(_("field %zu (%s): indicators '%c%c' vs '%c%c'"), i + 1, x->tag,
			     x->ind1, x->ind2, y->ind1, y->ind2);
		size_t ms = x->nsub < y->nsub ? x->nsub : y->nsub;
		for (size_t s = 0; s < ms; s++) {
			const struct sub *p = &x->subs[s], *q = &y->subs[s];
			if (p->code != q->code)
				DIFF(_("field %zu (%s) subfield %zu: $%c vs $%c"), i + 1, x->tag, s + 1,
				     p->code, q->code);
			if (p->len != q->len || memcmp(p->val, q->val, p->len))
				DIFF(_("field %zu (%s) $%c: '%s' vs '%s'"), i + 1, x->tag, p->code,
				     p->val, q->val);
		}
		if (x->nsub != y->nsub)
			DIFF(_("field %zu (%s): %zu vs %zu subfields"), i + 1, x->tag, x->nsub, y->nsub);
	}
	if (a->n != b->n)
		DIFF(_("%zu vs %zu fields"), a->n, b->n);
	return 0;
#undef DIFF
}

static int field_cmp(const struct field *a, const struct field *b)
{
	return memcmp(a->tag, b->tag, 3);
}

void rec_sort_fields(rec *r)
{
	r->stamp++;
	/* insertion sort: stable, and records are nearly sorted already */
	for (size_t i = 1; i < r->n; i++) {
		struct field tmp = r->f[i];
		size_t j = i;
		while (j > 0 && field_cmp(&r->f[j - 1], &tmp) > 0) {
			r->f[j] = r->f[j - 1];
			j--;
		}
		r->f[j] = tmp;
	}
}

size_t rec_iso2709_size(const rec *r)
{
	size_t sz = REC_LEADER_LEN + 1 + 1;   /* leader, directory FT, record RT */
	for (size_t i = 0; i < r->n; i++) {
		const struct field *fl = &r->f[i];
		sz += 12 + 1;                     /* directory entry, field terminator */
		if (fl->control)
			sz += fl->dlen;
		else {
			sz += 2;
			for (size_t s = 0; s < fl->nsub; s++)
				sz += 2 + fl->subs[s].len;
		}
	}
	return sz;
}
