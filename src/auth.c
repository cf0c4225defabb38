/*
 * auth.c - authority control (see auth.h): heading keys, the linker that
 * classifies bibliographic headings against the heading index
 * (store-auth.c) and rewrites them, and heading-change propagation
 * (rename, merge, unlink before delete) in one journaled transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "charset.h"
#include "lint.h"
#include "i18n-lower.h"

/* ------------------------------------------------------------------ */
/* types */

static const char *const type_names[AT_COUNT] = {
	"person", "corporate", "meeting", "title", "topical", "geographic", "genre"
};

/* heading subfields per type (in the order of the key) */
static const char *const type_subs[AT_COUNT] = {
	"abcdgq",            /* person: name, numeration, titles, dates, fuller form */
	"abcdgn",            /* corporate: name, subordinate units, meeting data */
	"acdegnq",           /* meeting */
	"adfghklmnoprst",    /* uniform title */
	"abg",               /* topical */
	"ag",                /* geographic */
	"a",                 /* genre/form */
};

const char *auth_type_name(int type)
{
	return type >= 0 && type < AT_COUNT ? type_names[type] : "?";
}

int auth_type_parse(const char *name)
{
	for (int i = 0; i < AT_COUNT; i++)
		if (!strcmp(name, type_names[i]))
			return i;
	if (!strcmp(name, "personal") || !strcmp(name, "name"))
		return AT_PERSON;
	if (!strcmp(name, "uniform") || !strcmp(name, "subject"))
		return !strcmp(name, "uniform") ? AT_UNIFORM : AT_TOPICAL;
	if (!strcmp(name, "geo") || !strcmp(name, "place"))
		return AT_GEO;
	return -1;
}

int auth_is_authority(const rec *r)
{
	return rec_leader(r)[6] == 'z';
}

static int type_of_x(const char *t2)   /* the last two digits */
{
	if (!strcmp(t2, "00")) return AT_PERSON;
	if (!strcmp(t2, "10")) return AT_CORP;
	if (!strcmp(t2, "11")) return AT_MEETING;
	if (!strcmp(t2, "30")) return AT_UNIFORM;
	return -1;
}

int auth_bib_type(const char *tag)
{
	if (!tag || strlen(tag) != 3)
		return -1;
	switch (tag[0]) {
	case '1':
	case '7':
	case '8':
		return type_of_x(tag + 1);
	case '6':
		if (!strcmp(tag, "650")) return AT_TOPICAL;
		if (!strcmp(tag, "651")) return AT_GEO;
		if (!strcmp(tag, "655")) return AT_GENRE;
		return type_of_x(tag + 1);
	}
	return -1;
}

int auth_auth_type(const char *tag, int *kind)
{
	if (!tag || strlen(tag) != 3 || (tag[0] != '1' && tag[0] != '4' && tag[0] != '5'))
		return -1;
	int t = type_of_x(tag + 1);
	if (t < 0) {
		if (!strcmp(tag + 1, "50")) t = AT_TOPICAL;
		else if (!strcmp(tag + 1, "51")) t = AT_GEO;
		else if (!strcmp(tag + 1, "55")) t = AT_GENRE;
	}
	if (t >= 0 && kind)
		*kind = tag[0] - '0';
	return t;
}

/* ------------------------------------------------------------------ */
/* keys */

/* Vietnamese family names, lowercase NFC with tones (the common ones and
 * those of ethnic minorities that appear in catalogues). */
static const char *const vi_surnames[] = {
	"an", "âu", "bạch", "bảo", "bế", "bùi", "cao", "cù", "châu", "chu", "chử", "cung",
	"đàm", "đan", "đào", "đặng", "đậu", "đinh", "đoàn", "đồng", "đỗ", "đới", "dương",
	"giang", "giáp", "hà", "hàn", "hầu", "hồ", "hoa", "hoàng", "huỳnh", "hứa", "kha",
	"khổng", "khúc", "khuất", "khương", "kiều", "kim", "la", "lạc", "lại", "lâm", "lã",
	"lê", "lò", "lộc", "lục", "lương", "lưu", "lý", "mã", "mạc", "mạch", "mai", "mẫn",
	"ngô", "nghiêm", "ngụy", "nguyễn", "nhâm", "nông", "ông", "phạm", "phan", "phí",
	"phó", "phùng", "quách", "quan", "sầm", "tạ", "tăng", "tào", "thạch", "thái",
	"thân", "thi", "tiêu", "tô", "tôn", "tống", "trần", "triệu", "trịnh", "trình",
	"trương", "từ", "ung", "văn", "vi", "viên", "võ", "vũ", "vương", "vy", "yên",
	NULL
};

int auth_vi_surname(const char *w, size_t n)
{
	for (const char *const *p = vi_surnames; *p; p++)
		if (strlen(*p) == n && !memcmp(*p, w, n))
			return 1;
	return 0;
}

void auth_keys_release(struct auth_keys *k)
{
	if (!k)
		return;
	free(k->display);
	free(k->mkey);
	free(k->okey);
	free(k->skey);
	free(k->dkey);
	memset(k, 0, sizeof *k);
}

/* Trailing blanks and ISBD punctuation of a display piece. */
static size_t trim_end(const char *v, size_t n)
{
	while (n && strchr(" ,.;:/=", v[n - 1]))
		n--;
	return n;
}

/* "nguyễn, nhật ánh" -> "nguyễn nhật ánh" when the rule of auth.h holds. */
static void direct_order(strbuf *a)
{
	char *comma = memchr(a->buf, ',', a->len);
	if (!comma)
		return;
	size_t w = (size_t)(comma - a->buf);
	if (!w || memchr(a->buf, ' ', w) || !auth_vi_surname(a->buf, w))
		return;
	if (memchr(comma + 1, ',', a->len - w - 1))
		return;
	/* "X, Y" / "X,Y" -> "X Y" */
	size_t skip = comma[1] == ' ' ? 2 : 1;
	memmove(comma + 1, comma + skip, a->len - w - skip + 1);
	*comma = ' ';
	a->len -= skip - 1;
}

struct piece {
	char code;
	const char *v;
	size_t n;
};

static int build_keys(struct piece *p, size_t np, int type, struct auth_keys *k)
{
	memset(k, 0, sizeof *k);
	if (!np)
		return -1;
	strbuf disp = STRBUF_INIT, m = STRBUF_INIT, o = STRBUF_INIT, d = STRBUF_INIT;
	/* display in record order */
	for (size_t i = 0; i < np; i++) {
		size_t n = trim_end(p[i].v, p[i].n);
		size_t a = 0;
		while (a < n && p[i].v[a] == ' ')
			a++;
		if (a == n)
			continue;
		if (disp.len)
			sb_addc(&disp, ' ');
		sb_add(&disp, p[i].v + a, n - a);
	}
	/* keys in code order (stable: repeated codes keep their order) */
	const char *order = type_subs[type];
	for (const char *c = order; *c; c++) {
		for (size_t i = 0; i < np; i++) {
			if (p[i].code != *c)
				continue;
			char *f = fold_match(p[i].v, p[i].n);
			if (!f || !*f) {
				free(f);
				continue;
			}
			strbuf piece = STRBUF_INIT;
			sb_adds(&piece, f);
			free(f);
			if (m.len)
				sb_addc(&m, ' ');
			sb_add(&m, piece.buf, piece.len);
			if (type == AT_PERSON && *c == 'a')
				direct_order(&piece);
			if (o.len)
				sb_addc(&o, ' ');
			sb_add(&o, piece.buf, piece.len);
			if (*c == 'd') {
				k->has_date = 1;
			} else {
				if (d.len)
					sb_addc(&d, ' ');
				sb_add(&d, piece.buf, piece.len);
			}
			sb_release(&piece);
		}
	}
	if (!m.len || !disp.len) {
		sb_release(&disp);
		sb_release(&m);
		sb_release(&o);
		sb_release(&d);
		return -1;
	}
	k->display = sb_detach(&disp, NULL);
	k->mkey = sb_detach(&m, NULL);
	k->skey = fold_search(o.buf, o.len);
	if (!k->skey)
		k->skey = xstrdup(o.buf);
	k->okey = sb_detach(&o, NULL);
	if (type == AT_PERSON && k->has_date && d.len)
		k->dkey = sb_detach(&d, NULL);
	sb_release(&d);
	return 0;
}

int auth_field_keys(const rec *r, size_t f, int type, struct auth_keys *k)
{
	memset(k, 0, sizeof *k);
	if (type < 0 || type >= AT_COUNT || rec_is_control(r, f))
		return -1;
	size_t ns = rec_nsub(r, f);
	if (type <= AT_MEETING && rec_find_sub(r, f, 't') >= 0)
		return -1;                               /* name/title: not controlled here */
	struct piece stackp[16], *p = ns <= 16 ? stackp : xmalloc(ns * sizeof *p);
	size_t np = 0;
	for (size_t s = 0; s < ns; s++) {
		char c = rec_sub_code(r, f, s);
		if (!strchr(type_subs[type], c))
			continue;
		p[np].code = c;
		p[np].v = rec_sub_value(r, f, s, &p[np].n);
		np++;
	}
	int rc = build_keys(p, np, type, k);
	if (p != stackp)
		free(p);
	return rc;
}

size_t auth_parse_heading(rec *r, const char *tag, char ind1, char ind2, const char *text)
{
	size_t f = rec_add_field(r, tag, ind1, ind2);
	while (*text == ' ')
		text++;
	if (text[0] != '$' || !text[1]) {
		size_t n = strlen(text);
		while (n && text[n - 1] == ' ')
			n--;
		rec_add_sub(r, f, 'a', text, n);
		return f;
	}
	const char *p = text;
	while (*p == '$' && p[1]) {
		char code = p[1];
		const char *v = p + 2, *e = strchr(v, '$');
		if (!e)
			e = v + strlen(v);
		rec_add_sub(r, f, code, v, (size_t)(e - v));
		p = e;
	}
	return f;
}

int auth_text_keys(const char *text, int type, struct auth_keys *k)
{
	memset(k, 0, sizeof *k);
	if (type < 0 || type >= AT_COUNT)
		return -1;
	rec *r = rec_create();
	size_t f = auth_parse_heading(r, "100", ' ', ' ', text);
	int rc = auth_field_keys(r, f, type, k);
	rec_destroy(r);
	return rc;
}

char *auth_control_number(const rec *r)
{
	const char *id = rec_get_control(r, "001");
	const char *org = rec_get_control(r, "003");
	if (!id)
		return NULL;
	strbuf sb = STRBUF_INIT;
	if (org && *org)
		sb_addf(&sb, "(%s)%s", org, id);
	else
		sb_adds(&sb, id);
	return sb_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* rewriting a heading */

void auth_apply_heading(rec *r, size_t f, const rec *a, const char *ctl)
{
	long af = rec_find(a, "1..", 0);
	if (af < 0)
		return;
	int atype = auth_auth_type(rec_tag(a, (size_t)af), NULL);
	int btype = auth_bib_type(rec_tag(r, f));
	const char *subs = btype >= 0 ? type_subs[btype] : type_subs[atype >= 0 ? atype : 0];
	const char *asubs = atype >= 0 ? type_subs[atype] : subs;
	/* the punctuation that ended the old heading part, if other subfields follow */
	size_t ns = rec_nsub(r, f);
	long last_head = -1;
	for (size_t s = 0; s < ns; s++)
		if (strchr(subs, rec_sub_code(r, f, s)))
			last_head = (long)s;
	char endp = 0;
	if (last_head >= 0) {
		size_t n;
		const char *v = rec_sub_value(r, f, (size_t)last_head, &n);
		if (n && strchr(".,", v[n - 1]))
			endp = v[n - 1];
	}
	/* new field: authority heading subfields, then the field's others */
	rec *tmp = rec_create();
	char ind1 = rec_ind(r, f, 1);
	if (atype == btype && (atype == AT_PERSON || atype == AT_CORP || atype == AT_MEETING))
		ind1 = rec_ind(a, (size_t)af, 1);
	size_t nf = rec_add_field(tmp, rec_tag(r, f), ind1, rec_ind(r, f, 2));
	size_t ans = rec_nsub(a, (size_t)af);
	long lastnew = -1;
	for (size_t s = 0; s < ans; s++) {
		char c = rec_sub_code(a, (size_t)af, s);
		if (!strchr(asubs, c))
			continue;
		size_t n;
		const char *v = rec_sub_value(a, (size_t)af, s, &n);
		lastnew = (long)rec_add_sub(tmp, nf, c, v, n);
	}
	int inserted_rest = 0;
	for (size_t s = 0; s < ns; s++) {
		char c = rec_sub_code(r, f, s);
		if (strchr(subs, c))
			continue;
		if (c == '0' && ctl)
			continue;                       /* replaced below */
		size_t n;
		const char *v = rec_sub_value(r, f, s, &n);
		rec_add_sub(tmp, nf, c, v, n);
		inserted_rest = 1;
	}
	if (endp && lastnew >= 0) {
		size_t n;
		const char *v = rec_sub_value(tmp, nf, (size_t)lastnew, &n);
		if (n && !strchr(".,-?!)", v[n - 1])) {
			strbuf sb = STRBUF_INIT;
			sb_add(&sb, v, n);
			sb_addc(&sb, inserted_rest && endp == ',' ? ',' : endp);
			rec_set_sub(tmp, nf, (size_t)lastnew, rec_sub_code(tmp, nf, (size_t)lastnew),
			            sb.buf, sb.len);
			sb_release(&sb);
		}
	}
	if (ctl) {
		/* $0 before $2/$4/$5/$6/$8 if any, else last */
		size_t tn = rec_nsub(tmp, nf), at = tn;
		for (size_t s = 0; s < tn; s++)
			if (strchr("24568", rec_sub_code(tmp, nf, s))) {
				at = s;
				break;
			}
		rec_insert_sub(tmp, nf, at, '0', ctl, strlen(ctl));
	}
	/* replace field f by tmp's field */
	rec_delete_field(r, f);
	rec_insert_copy(r, f, tmp, nf);
	rec_destroy(tmp);
}

/* ------------------------------------------------------------------ */
/* linking */

const char *auth_status_name(int st)
{
	static const char *const n[AS_COUNT] = {
		"authorized", "see-from", "ambiguous", "near-miss (tones/đ/case)",
		"near-miss (dates)", "no authority"
	};
	return st >= 0 && st < AS_COUNT ? n[st] : "?";
}

void auth_linkres_release(struct auth_linkres *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].heading);
		free(res->v[i].auth_id);
		free(res->v[i].auth_heading);
		free(res->v[i].ctl);
		free(res->v[i].candidates);
	}
	free(res->v);
	memset(res, 0, sizeof *res);
}

/* A cached classification of one (type, matching key). */
struct verdict {
	char *key;
	int status;
	char *auth_id, *auth_heading, *ctl, *candidates;
	struct verdict *next;
};

#define NBUCKET 4096

struct auth_linker {
	catalog *c;
	struct verdict *bucket[NBUCKET];
	size_t ncached;
	rec *arec;            /* authority record cache (see-from flips) */
	char *arec_id;
};

auth_linker *auth_linker_create(catalog *c)
{
	auth_linker *L = xcalloc(1, sizeof *L);
	L->c = c;
	L->arec = rec_create();
	return L;
}

static void verdict_free(struct verdict *v)
{
	free(v->key);
	free(v->auth_id);
	free(v->auth_heading);
	free(v->ctl);
	free(v->candidates);
	free(v);
}

void auth_linker_flush(auth_linker *L)
{
	if (!L)
		return;
	for (size_t i = 0; i < NBUCKET; i++) {
		struct verdict *v = L->bucket[i];
		while (v) {
			struct verdict *nx = v->next;
			verdict_free(v);
			v = nx;
		}
		L->bucket[i] = NULL;
	}
	L->ncached = 0;
	free(L->arec_id);
	L->arec_id = NULL;
}

void auth_linker_destroy(auth_linker *L)
{
	if (!L)
		return;
	auth_linker_flush(L);
	rec_destroy(L->arec);
	free(L);
}

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Distinct authority ids among hits (kinds in mask); returns count, and
 * the first in *first. */
static size_t distinct(const struct auth_hit *h, size_t n, int mask, size_t *first)
{
	size_t cnt = 0;
	for (size_t i = 0; i < n; i++) {
		if (mask && !((mask >> h[i].kind) & 1))
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			if ((!mask || ((mask >> h[j].kind) & 1)) && !strcmp(h[j].id, h[i].id))
				seen = 1;
		if (!seen) {
			if (!cnt && first)
				*first = i;
			cnt++;
		}
	}
	return cnt;
}

static void add_candidates(strbuf *sb, const struct auth_hit *h, size_t n, int mask)
{
	for (size_t i = 0; i < n; i++) {
		if (mask && !((mask >> h[i].kind) & 1))
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			if (!strcmp(h[j].id, h[i].id))
				seen = 1;
		if (seen || strstr(sb->buf ? sb->buf : "", h[i].id))
			continue;
		if (sb->len)
			sb_adds(sb, "; ");
		sb_addf(sb, "%s %s", h[i].id, h[i].auth_heading);
	}
}

/* ---- thesauri ----
 * A topical, geographic or genre heading names its thesaurus in the second indicator (7: the
 * source code in $2), an authority record in 008/11 (z: the code in
 * 040 $f). Both become a source code (lcsh, mesh, ...; MARC's "Subject
 * Heading and Term Source Codes"), lower case, without an edition
 * ("sears/19") or a final full stop. Such a heading is only linked to
 * an authority of the same thesaurus; when either side names none
 * (second indicator 4 or blank, 008/11 n or fill, no $2 or 040 $f), any
 * will do. */

static const char *code_of(const char *v, char *buf, size_t n)
{
	size_t k = 0;
	for (; v && v[k] && v[k] != '/' && k + 1 < n; k++)
		buf[k] = (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] - 'A' + 'a' : v[k]);
	while (k && (buf[k - 1] == '.' || buf[k - 1] == ' '))
		k--;
	buf[k] = 0;
	return k ? buf : NULL;
}

/* The thesauri with a code of their own in the second indicator of a
 * 6XX and in 008/11 of an authority (0 when there is none). */
static const struct thesaurus {
	char ind2, f008;
	const char *code;
} thesauri[] = {
	{ '0', 'a', "lcsh" }, { '1', 'b', "lcshac" }, { '2', 'c', "mesh" }, { '3', 'd', "nalt" },
	{ '5', 'k', "cash" }, { '6', 'v', "rvm" }, { 0, 'r', "aat" }, { 0, 's', "sears" },
};
#define NTHESAURI (sizeof thesauri / sizeof *thesauri)

/* Field f's thesaurus (650, 651, 655), or NULL. buf: room for the code.
 * Names (600, 610, 611, 630) are not compared: one name authority serves
 * every thesaurus (an LC name record says LCSH in 008/11, and a library
 * with a thesaurus of its own uses it in its 600s). */
static const char *heading_thesaurus(const rec *r, size_t f, char *buf, size_t n)
{
	const char *tag = rec_tag(r, f);
	if (strcmp(tag, "650") && strcmp(tag, "651") && strcmp(tag, "655"))
		return NULL;
	char ind2 = rec_ind(r, f, 2);
	if (ind2 == '7') {
		long s = rec_find_sub(r, f, '2');
		return s >= 0 ? code_of(rec_sub_value(r, f, (size_t)s, NULL), buf, n) : NULL;
	}
	for (size_t i = 0; i < NTHESAURI; i++)
		if (thesauri[i].ind2 == ind2)
			return thesauri[i].code;
	return NULL;
}

/* Authority record a's thesaurus (008/11), or NULL. An 008 without its
 * date of entry is not trusted: the workstation's "new authority" wrote
 * one saying LCSH (blank date) for every heading before it took the
 * heading's thesaurus. */
static const char *authority_thesaurus(const rec *a, char *buf, size_t n)
{
	const char *f008 = rec_get_control(a, "008");
	if (!f008 || strlen(f008) < 12 || !strncmp(f008, "      ", 6))
		return NULL;
	if (f008[11] == 'z') {
		long f = rec_find(a, "040", 0);
		long s = f >= 0 ? rec_find_sub(a, (size_t)f, 'f') : -1;
		return s >= 0 ? code_of(rec_sub_value(a, (size_t)f, (size_t)s, NULL), buf, n) : NULL;
	}
	for (size_t i = 0; i < NTHESAURI; i++)
		if (thesauri[i].f008 == f008[11])
			return thesauri[i].code;
	return NULL;
}

static const rec *auth_record(auth_linker *L, const char *id);

/* 008/11 for the thesaurus code of a heading (heading_thesaurus): its
 * letter, z for another code (named in 040 $f), fill for none */
static char thesaurus_008(const char *code)
{
	if (!code)
		return '|';
	for (size_t i = 0; i < NTHESAURI; i++)
		if (!strcmp(thesauri[i].code, code))
			return thesauri[i].f008;
	return 'z';
}

rec *auth_new_from_heading(const rec *r, size_t f, int t, const char *org, strbuf *err)
{
	static const char *const tags[AT_COUNT] = { "100", "110", "111", "130", "150", "151", "155" };
	if (t < 0 || t >= AT_COUNT || rec_is_control(r, f)) {
		sb_adds(err, _("the field has no heading to make an authority of"));
		return NULL;
	}
	if (!org || !*org)
		org = "VN-BIENMUC";
	rec *a = rec_create();
	rec_set_leader(a, "00000nz  a2200000n  4500", 24);
	char tb[32];
	const char *thes = heading_thesaurus(r, f, tb, sizeof tb);
	int subject_only = t == AT_TOPICAL || t == AT_GEO || t == AT_GENRE;
	char f008[41];
	/* 6 n, 7 |, 9 a established, 10 c AACR2, 12-13 n, 17 n, 28 |,
	 * 29 a, 31 a, 32 person: differentiated, 33 a, 39 d other source */
	memcpy(f008, "      n| acannaabn          |a aaa     d", 40);
	f008[40] = 0;
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm)) {
		char d[40];
		snprintf(d, sizeof d, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
		memcpy(f008, d, 6);
	}
	f008[11] = thesaurus_008(thes);
	if (subject_only)
		f008[14] = 'b';            /* main/added entry: not appropriate */
	if (t != AT_PERSON)
		f008[32] = 'n';
	rec_add_control(a, "008", f008, 40);
	size_t g = rec_add_field(a, "040", ' ', ' ');
	rec_add_sub(a, g, 'a', org, strlen(org));
	rec_add_sub(a, g, 'b', "vie", 3);
	rec_add_sub(a, g, 'c', org, strlen(org));
	if (f008[11] == 'z') {
		long s = rec_find_sub(r, f, '2');
		size_t n;
		const char *v = rec_sub_value(r, f, (size_t)s, &n);
		while (n && strchr(" .", v[n - 1]))
			n--;
		rec_add_sub(a, g, 'f', v, n);
	}
	char ind1 = t <= AT_MEETING ? rec_ind(r, f, 1) : ' ';
	g = rec_add_field(a, tags[t], ind1, ' ');
	size_t ns = rec_nsub(r, f);
	for (size_t i = 0; i < ns; i++) {
		char c = rec_sub_code(r, f, i);
		if (strchr("0245689evxyz", c))
			continue;
		size_t n;
		const char *v = rec_sub_value(r, f, i, &n);
		while (n && strchr(" .,", v[n - 1]) && !(c == 'd' && v[n - 1] == '-'))
			n--;
		rec_add_sub(a, g, c, v, n);
	}
	struct auth_keys k;
	if (auth_field_keys(a, g, t, &k)) {
		sb_adds(err, _("the field has no heading to make an authority of"));
		rec_destroy(a);
		return NULL;
	}
	auth_keys_release(&k);
	/* 670: where the heading was found (title, year) */
	long tf = rec_find(r, "245", 0);
	long ts = tf >= 0 ? rec_find_sub(r, (size_t)tf, 'a') : -1;
	if (ts >= 0) {
		size_t n;
		const char *v = rec_sub_value(r, (size_t)tf, (size_t)ts, &n);
		while (n && strchr(" /:;=.,", v[n - 1]))
			n--;
		strbuf cite = STRBUF_INIT;
		sb_add(&cite, v, n);
		const char *f8 = rec_get_control(r, "008");
		if (f8 && strlen(f8) >= 11 && f8[7] >= '0' && f8[7] <= '9' && f8[8] >= '0' &&
		    f8[8] <= '9' && f8[9] >= '0' && f8[9] <= '9' && f8[10] >= '0' && f8[10] <= '9')
			sb_addf(&cite, ", %.4s", f8 + 7);
		g = rec_add_field(a, "670", ' ', ' ');
		rec_add_sub(a, g, 'a', cite.buf, cite.len);
		sb_release(&cite);
	}
	return a;
}

/* Look for the heading with keys k among types t1 (and t2 if >= 0), in
 * thesaurus thes (NULL: any). */
static int find2(auth_linker *L, int t1, int t2, int keycol, const char *key, int mask,
                 const char *thes, struct auth_hit **h, size_t *n, strbuf *err)
{
	int rc = auth_find(L->c, t1, keycol, key, mask, 50, h, n, err);
	if (!rc && t2 >= 0) {
		struct auth_hit *h2;
		size_t n2;
		rc = auth_find(L->c, t2, keycol, key, mask, 50, &h2, &n2, err);
		if (rc)
			return rc;
		if (n2) {
			*h = xrealloc(*h, (*n + n2) * sizeof **h);
			memcpy(*h + *n, h2, n2 * sizeof *h2);
			*n += n2;
		}
		free(h2);
	}
	if (rc || !thes)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		const rec *a = auth_record(L, (*h)[i].id);
		char buf[32];
		const char *at = a ? authority_thesaurus(a, buf, sizeof buf) : NULL;
		if (at && strcmp(at, thes)) {           /* another thesaurus's heading */
			free((*h)[i].id);
			free((*h)[i].ctl);
			free((*h)[i].heading);
			free((*h)[i].auth_heading);
		} else
			(*h)[kept++] = (*h)[i];
	}
	*n = kept;
	return CAT_OK;
}

#define M1 (1 << AK_AUTH)
#define M4 (1 << AK_SEEFROM)

static int classify(auth_linker *L, int t1, int t2, const struct auth_keys *k,
                    const char *thes, struct verdict *v, strbuf *err)
{
	struct auth_hit *h = NULL;
	size_t n = 0, first = 0;
	strbuf cand = STRBUF_INIT;
	int rc = find2(L, t1, t2, AKEY_MATCH, k->mkey, M1 | M4, thes, &h, &n, err);
	if (rc)
		goto out;
	size_t n1 = distinct(h, n, M1, &first);
	if (n1 == 1) {
		v->status = AS_AUTHORIZED;
	} else if (n1 > 1) {
		v->status = AS_AMBIGUOUS;
		add_candidates(&cand, h, n, M1);
	} else {
		size_t n4 = distinct(h, n, M4, &first);
		if (n4 == 1) {
			v->status = AS_SEEFROM;
		} else if (n4 > 1) {
			v->status = AS_AMBIGUOUS;
			add_candidates(&cand, h, n, M4);
		} else {
			/* Vietnamese direct/inverted order */
			auth_hits_free(h, n);
			h = NULL;
			n = 0;
			if (t1 == AT_PERSON) {
				rc = find2(L, t1, -1, AKEY_ORDER, k->okey, M1 | M4, thes, &h, &n, err);
				if (rc)
					goto out;
			}
			size_t no = distinct(h, n, M1 | M4, &first);
			if (no == 1) {
				v->status = AS_SEEFROM;
			} else if (no > 1) {
				v->status = AS_AMBIGUOUS;
				add_candidates(&cand, h, n, M1 | M4);
			} else {
				/* near misses: never linked */
				auth_hits_free(h, n);
				h = NULL;
				n = 0;
				rc = find2(L, t1, t2, AKEY_SEARCH, k->skey, M1 | M4, thes, &h, &n, err);
				if (rc)
					goto out;
				if (n) {
					v->status = AS_NEAR_TONES;
				} else if (t1 == AT_PERSON && !k->has_date) {
					rc = find2(L, t1, -1, AKEY_NODATE, k->okey, M1, thes, &h, &n, err);
					if (rc)
						goto out;
					v->status = n ? AS_NEAR_DATES : AS_NONE;
				} else {
					v->status = AS_NONE;
				}
				if (n) {
					distinct(h, n, 0, &first);
					add_candidates(&cand, h, n, 0);
				}
			}
		}
	}
	if (n && v->status != AS_NONE) {
		v->auth_id = xstrdup(h[first].id);
		v->auth_heading = xstrdup(h[first].auth_heading);
		if (v->status == AS_AUTHORIZED || v->status == AS_SEEFROM)
			v->ctl = xstrdup(h[first].ctl);
	}
	if (cand.len)
		v->candidates = sb_detach(&cand, NULL);
out:
	sb_release(&cand);
	auth_hits_free(h, n);
	return rc;
}

static struct verdict *lookup(auth_linker *L, int t1, int t2, const struct auth_keys *k,
                              const char *thes, strbuf *err, int *rc)
{
	strbuf key = STRBUF_INIT;
	sb_addf(&key, "%d|%d|%d|%s|%s", t1, t2, k->has_date, thes ? thes : "", k->mkey);
	unsigned long b = hash(key.buf) % NBUCKET;
	for (struct verdict *v = L->bucket[b]; v; v = v->next)
		if (!strcmp(v->key, key.buf)) {
			sb_release(&key);
			return v;
		}
	struct verdict *v = xcalloc(1, sizeof *v);
	*rc = classify(L, t1, t2, k, thes, v, err);
	if (*rc) {
		verdict_free(v);
		sb_release(&key);
		return NULL;
	}
	v->key = sb_detach(&key, NULL);
	if (L->ncached > 200000)
		auth_linker_flush(L);
	v->next = L->bucket[b];
	L->bucket[b] = v;
	L->ncached++;
	return v;
}

static struct auth_finding *new_finding(struct auth_linkres *res)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? 2 * res->cap : 8;
		res->v = xrealloc(res->v, res->cap * sizeof *res->v);
	}
	struct auth_finding *x = &res->v[res->n++];
	memset(x, 0, sizeof *x);
	return x;
}

static const rec *auth_record(auth_linker *L, const char *id)
{
	if (L->arec_id && !strcmp(L->arec_id, id))
		return L->arec;
	free(L->arec_id);
	L->arec_id = NULL;
	if (catalog_fetch(L->c, id, L->arec, NULL, NULL) != CAT_OK)
		return NULL;
	L->arec_id = xstrdup(id);
	return L->arec;
}

/* The authority a $0 of field f names, or NULL; *zs = its subfield. */
static char *linked_id(auth_linker *L, const rec *r, size_t f, long *zs)
{
	size_t ns = rec_nsub(r, f);
	for (size_t s = 0; s < ns; s++) {
		if (rec_sub_code(r, f, s) != '0')
			continue;
		char *id = auth_resolve(L->c, rec_sub_value(r, f, s, NULL));
		if (id) {
			*zs = (long)s;
			return id;
		}
	}
	return NULL;
}

int auth_link_record(auth_linker *L, rec *r, int apply, struct auth_linkres *res, strbuf *err)
{
	int is_auth = auth_is_authority(r);
	int rc = CAT_OK;
	for (size_t f = 0; f < rec_nfields(r) && !rc; f++) {
		if (rec_is_control(r, f))
			continue;
		const char *tag = rec_tag(r, f);
		int type, kind = 0;
		if (is_auth) {
			type = auth_auth_type(tag, &kind);
			if (kind != AK_SEEALSO)
				continue;
		} else {
			type = auth_bib_type(tag);
		}
		if (type < 0)
			continue;
		struct auth_keys k;
		if (auth_field_keys(r, f, type, &k))
			continue;
		struct auth_finding *x = new_finding(res);
		x->field = f;
		snprintf(x->tag, sizeof x->tag, "%s", tag);
		x->heading = xstrdup(k.display);
		/* already linked by $0 to an authority of ours */
		long zs = -1;
		char *lid = rec_find_sub(r, f, '0') >= 0 ? linked_id(L, r, f, &zs) : NULL;
		if (lid) {
			const rec *a = auth_record(L, lid);
			long af = a ? rec_find(a, "1..", 0) : -1;
			struct auth_keys ak;
			int same = 0;
			if (af >= 0 && !auth_field_keys(a, (size_t)af, auth_auth_type(rec_tag(a, (size_t)af), NULL), &ak)) {
				same = !strcmp(ak.mkey, k.mkey);
				x->auth_heading = xstrdup(ak.display);
				auth_keys_release(&ak);
			}
			x->auth_id = lid;
			x->ctl = xstrdup(rec_sub_value(r, f, (size_t)zs, NULL));
			x->status = same ? AS_AUTHORIZED : AS_SEEFROM;
			if (!same && apply && a) {
				auth_apply_heading(r, f, a, NULL);
				x->changed = res->changed = 1;
			}
			auth_keys_release(&k);
			continue;
		}
		/* a 110/710 of a jurisdiction alone is also looked for as 151 */
		int t2 = -1;
		if (type == AT_CORP && rec_ind(r, f, 1) == '1' && rec_nsub(r, f) &&
		    rec_find_sub(r, f, 'b') < 0)
			t2 = AT_GEO;
		char tb[32];
		const char *thes = is_auth ? NULL : heading_thesaurus(r, f, tb, sizeof tb);
		struct verdict *v = lookup(L, type, t2, &k, thes, err, &rc);
		auth_keys_release(&k);
		if (!v)
			break;
		x->status = v->status;
		x->auth_id = v->auth_id ? xstrdup(v->auth_id) : NULL;
		x->auth_heading = v->auth_heading ? xstrdup(v->auth_heading) : NULL;
		x->candidates = v->candidates ? xstrdup(v->candidates) : NULL;
		if (v->ctl)
			x->ctl = xstrdup(v->ctl);
		if (!apply || (v->status != AS_AUTHORIZED && v->status != AS_SEEFROM))
			continue;
		if (v->status == AS_AUTHORIZED) {
			size_t ns = rec_nsub(r, f), at = ns;
			for (size_t s = 0; s < ns; s++)
				if (strchr("24568", rec_sub_code(r, f, s))) {
					at = s;
					break;
				}
			rec_insert_sub(r, f, at, '0', v->ctl, strlen(v->ctl));
		} else {
			const rec *a = auth_record(L, v->auth_id);
			if (!a)
				continue;
			auth_apply_heading(r, f, a, v->ctl);
		}
		x->changed = res->changed = 1;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* heading changes */

/* Rewrite, in every record linked to `from`, the headings linked to it
 * with authority record a (ctl = its $0). Saves inside the caller's
 * transaction; counts into out. */
static int relink_users(catalog *c, const char *from, const rec *a, const char *ctl,
                        int unlink, int dry, long batch, struct auth_change *out, strbuf *err)
{
	char **ids;
	size_t n;
	int rc = auth_users(c, from, &ids, &n, err);
	if (rc)
		return rc;
	auth_linker *L = auth_linker_create(c);
	rec *r = rec_create();
	struct auth_keys ak = { 0 };
	long af = a ? rec_find(a, "1..", 0) : -1;
	if (af >= 0)
		auth_field_keys(a, (size_t)af, auth_auth_type(rec_tag(a, (size_t)af), NULL), &ak);
	for (size_t i = 0; i < n && !rc; i++) {
		struct cat_version v = { 0 };
		rc = catalog_fetch(c, ids[i], r, &v, err);
		if (rc) {
			cat_version_clear(&v);
			break;
		}
		long changed = 0;
		for (size_t f = 0; f < rec_nfields(r); f++) {
			if (rec_is_control(r, f) || rec_find_sub(r, f, '0') < 0)
				continue;
			long zs = -1;
			char *lid = linked_id(L, r, f, &zs);
			if (!lid)
				continue;
			int mine = !strcmp(lid, from);
			free(lid);
			if (!mine)
				continue;
			if (unlink) {
				rec_delete_sub(r, f, (size_t)zs);
				changed++;
				continue;
			}
			int type = auth_bib_type(rec_tag(r, f));
			if (auth_is_authority(r))
				type = auth_auth_type(rec_tag(r, f), NULL);
			struct auth_keys k;
			int same = 0;
			if (!auth_field_keys(r, f, type, &k)) {
				same = ak.mkey && !strcmp(k.mkey, ak.mkey) &&
				       !strcmp(rec_sub_value(r, f, (size_t)zs, NULL), ctl);
				auth_keys_release(&k);
			}
			if (same)
				continue;
			auth_apply_heading(r, f, a, ctl);
			changed++;
		}
		if (changed) {
			out->records++;
			out->fields += changed;
			if (!dry) {
				struct cat_save_opts so = { .action = "auth", .batch = batch };
				rc = catalog_save(c, r, v.version, &so, NULL, err);
			}
		}
		cat_version_clear(&v);
	}
	auth_keys_release(&ak);
	rec_destroy(r);
	auth_linker_destroy(L);
	cat_ids_free(ids, n);
	return rc;
}

static int fetch_auth(catalog *c, const char *id, rec *a, struct cat_version *v, strbuf *err)
{
	int rc = catalog_fetch(c, id, a, v, err);
	if (rc == CAT_DELETED) {
		sb_addf(err, _("authority '%s' is deleted"), id);
		return rc;
	}
	if (rc)
		return rc;
	if (!auth_is_authority(a) || rec_find(a, "1..", 0) < 0) {
		sb_addf(err, _("record '%s' is not an authority record (Leader/06 z with a 1XX)"), id);
		return CAT_ERROR;
	}
	return CAT_OK;
}

static int start(catalog *c, int dry, const char *command, struct auth_change *out, strbuf *err)
{
	memset(out, 0, sizeof *out);
	if (dry)
		return catalog_begin(c, err);
	/* the batch row in the change's own transaction: a change that fails
	 * or is killed leaves no batch behind (it stayed 'running') */
	int rc = catalog_begin(c, err);
	if (!rc)
		rc = catalog_batch_start(c, command ? command : "bienmuc auth", &out->batch, err);
	return rc;
}

static int finish(catalog *c, int rc, int dry, struct auth_change *out, strbuf *err)
{
	if (rc || dry) {
		catalog_abort(c);                        /* the batch row with it */
		out->batch = 0;
		return rc;
	}
	struct cat_batch cnt = { .replaced = out->records };
	rc = catalog_batch_progress(c, out->batch, "auth", out->records, 0, 1, &cnt, err);
	if (!rc)
		rc = catalog_batch_finish(c, out->batch, "done", err);
	if (!rc)
		rc = catalog_commit(c, err);
	else
		catalog_abort(c);
	if (rc)
		out->batch = 0;
	return rc;
}

static void add_seefrom(rec *a, const rec *src, size_t f);

int auth_propagate(catalog *c, const char *id, int no_seefrom, int dry, const char *command,
                   struct auth_change *out, strbuf *err)
{
	int rc = start(c, dry, command, out, err);
	if (rc)
		return rc;
	rec *a = rec_create();
	struct cat_version v = { 0 };
	rc = fetch_auth(c, id, a, &v, err);
	if (!rc && !no_seefrom && v.version > 1) {
		/* the form the edit replaced stays as a see-from, as rename keeps
		 * it (nothing is added when the 1XX did not change) */
		rec *prev = rec_create();
		long fp = catalog_fetch_version(c, id, v.version - 1, prev, NULL, NULL) == CAT_OK
		          ? rec_find(prev, "1..", 0) : -1;
		long fa = rec_find(a, "1..", 0);
		if (fp >= 0 && fa >= 0 && auth_auth_type(rec_tag(prev, (size_t)fp), NULL) ==
		                          auth_auth_type(rec_tag(a, (size_t)fa), NULL)) {
			size_t n0 = rec_nfields(a);
			add_seefrom(a, prev, (size_t)fp);
			if (rec_nfields(a) != n0 && !dry) {
				struct cat_save_opts so = { .action = "auth", .batch = out->batch };
				rc = catalog_save(c, a, v.version, &so, NULL, err);
			}
		}
		rec_destroy(prev);
	}
	cat_version_clear(&v);
	char *ctl = rc ? NULL : auth_control_number(a);
	if (!rc)
		rc = relink_users(c, id, a, ctl, 0, dry, out->batch, out, err);
	free(ctl);
	rec_destroy(a);
	return finish(c, rc, dry, out, err);
}

/* Add a 4XX see-from copy of field f of src to a (unless already there). */
static void add_seefrom(rec *a, const rec *src, size_t f)
{
	int type = auth_auth_type(rec_tag(src, f), NULL);
	struct auth_keys k;
	if (auth_field_keys(src, f, type, &k))
		return;
	for (size_t g = 0; g < rec_nfields(a); g++) {
		int kind;
		if (rec_is_control(a, g) || auth_auth_type(rec_tag(a, g), &kind) != type)
			continue;
		if (kind != AK_AUTH && kind != AK_SEEFROM)
			continue;
		struct auth_keys k2;
		if (auth_field_keys(a, g, type, &k2))
			continue;
		int same = !strcmp(k.mkey, k2.mkey);
		auth_keys_release(&k2);
		if (same) {
			auth_keys_release(&k);
			return;
		}
	}
	auth_keys_release(&k);
	char tag[4];
	snprintf(tag, sizeof tag, "4%s", rec_tag(src, f) + 1);
	/* after the last 4XX, else after the 1XX */
	size_t at = 0;
	for (size_t g = 0; g < rec_nfields(a); g++) {
		const char *t = rec_tag(a, g);
		if (t[0] == '1' || t[0] == '4')
			at = g + 1;
	}
	rec_insert_copy(a, at, src, f);
	rec_set_tag(a, at, tag);
	for (size_t s = rec_nsub(a, at); s-- > 0;)
		if (rec_sub_code(a, at, s) == '0')
			rec_delete_sub(a, at, s);
}

int auth_rename(catalog *c, const char *id, const char *heading, int no_seefrom,
                int dry, const char *command, struct auth_change *out, strbuf *err)
{
	int rc = start(c, dry, command, out, err);
	if (rc)
		return rc;
	rec *a = rec_create(), *old = NULL;
	struct cat_version v = { 0 };
	rc = fetch_auth(c, id, a, &v, err);
	if (!rc) {
		old = rec_clone(a);
		size_t af = (size_t)rec_find(a, "1..", 0);
		int type = auth_auth_type(rec_tag(a, af), NULL);
		rec *tmp = rec_create();
		size_t nf = auth_parse_heading(tmp, rec_tag(a, af), rec_ind(a, af, 1), rec_ind(a, af, 2),
		                               heading);
		struct auth_keys k;
		long sa = rec_find_sub(tmp, nf, 'a');
		const char *av = sa >= 0 ? rec_sub_value(tmp, nf, (size_t)sa, NULL) : NULL;
		if (!av || !av[strspn(av, " ")]) {                   /* every heading has a $a */
			sb_addf(err, _("'%s' has no $a: a heading needs its name or term in $a"), heading);
			rc = CAT_ERROR;
		} else if (auth_field_keys(tmp, nf, type, &k)) {
			sb_addf(err, _("'%s' is not a %s heading"), heading, auth_type_name(type));
			rc = CAT_ERROR;
		} else {
			auth_keys_release(&k);
			rec_delete_field(a, af);
			rec_insert_copy(a, af, tmp, nf);
			if (!no_seefrom)
				add_seefrom(a, old, af);
			struct cat_save_opts so = { .action = "auth", .batch = out->batch };
			if (!dry)
				rc = catalog_save(c, a, v.version, &so, NULL, err);
		}
		rec_destroy(tmp);
	}
	char *ctl = rc ? NULL : auth_control_number(a);
	if (!rc)
		rc = relink_users(c, id, a, ctl, 0, dry, out->batch, out, err);
	free(ctl);
	cat_version_clear(&v);
	rec_destroy(old);
	rec_destroy(a);
	return finish(c, rc, dry, out, err);
}

int auth_merge(catalog *c, const char *into, const char *from, int no_seefrom,
               int dry, const char *command, struct auth_change *out, strbuf *err)
{
	if (!strcmp(into, from)) {
		sb_adds(err, _("cannot merge an authority into itself"));
		return CAT_ERROR;
	}
	int rc = start(c, dry, command, out, err);
	if (rc)
		return rc;
	rec *a = rec_create(), *b = rec_create();
	struct cat_version va = { 0 }, vb = { 0 };
	rc = fetch_auth(c, into, a, &va, err);
	if (!rc)
		rc = fetch_auth(c, from, b, &vb, err);
	if (!rc) {
		/* a person's headings cannot become a topic's, and so on: the
		 * records' fields would change meaning (a 100 holding a topic) */
		long fa = rec_find(a, "1..", 0), fb = rec_find(b, "1..", 0);
		int ta = fa >= 0 ? auth_auth_type(rec_tag(a, (size_t)fa), NULL) : -1;
		int tb = fb >= 0 ? auth_auth_type(rec_tag(b, (size_t)fb), NULL) : -1;
		if (ta != tb) {
			sb_addf(err, _("%s is a %s heading and %s a %s heading: only headings of one type "
			               "can be merged"), from, tb >= 0 ? auth_type_name(tb) : "?", into,
			        ta >= 0 ? auth_type_name(ta) : "?");
			rc = CAT_ERROR;
		}
	}
	if (!rc && !no_seefrom) {
		for (size_t f = 0; f < rec_nfields(b); f++) {
			int kind;
			if (rec_is_control(b, f) || auth_auth_type(rec_tag(b, f), &kind) < 0)
				continue;
			if (kind == AK_AUTH || kind == AK_SEEFROM)
				add_seefrom(a, b, f);
		}
		struct cat_save_opts so = { .action = "merge", .batch = out->batch };
		if (!dry)
			rc = catalog_save(c, a, va.version, &so, NULL, err);
	}
	char *ctl = rc ? NULL : auth_control_number(a);
	if (!rc)
		rc = relink_users(c, from, a, ctl, 0, dry, out->batch, out, err);
	if (!rc && !dry) {
		struct cat_save_opts so = { .action = "merge", .batch = out->batch };
		rc = catalog_delete(c, from, CAT_ANY, &so, err);
	}
	free(ctl);
	cat_version_clear(&va);
	cat_version_clear(&vb);
	rec_destroy(a);
	rec_destroy(b);
	return finish(c, rc, dry, out, err);
}

int auth_unlink_delete(catalog *c, const char *id, int dry, const char *command,
                       struct auth_change *out, strbuf *err)
{
	int rc = start(c, dry, command, out, err);
	if (rc)
		return rc;
	rec *a = rec_create();
	rc = fetch_auth(c, id, a, NULL, err);
	if (!rc)
		rc = relink_users(c, id, a, NULL, 1, dry, out->batch, out, err);
	if (!rc && !dry) {
		struct cat_save_opts so = { .action = "delete", .batch = out->batch };
		rc = catalog_delete(c, id, CAT_ANY, &so, err);
	}
	rec_destroy(a);
	return finish(c, rc, dry, out, err);
}

/* ------------------------------------------------------------------ */
/* lint hook */

int auth_lint_heading(void *linker, const rec *r, size_t f, strbuf *msg)
{
	auth_linker *L = linker;
	if (!L || rec_is_control(r, f))
		return 0;
	int type, kind = 0;
	if (auth_is_authority(r)) {
		type = auth_auth_type(rec_tag(r, f), &kind);
		if (kind != AK_SEEALSO)
			return 0;
	} else {
		type = auth_bib_type(rec_tag(r, f));
	}
	struct auth_keys k;
	if (type < 0 || auth_field_keys(r, f, type, &k))
		return 0;
	int out = 0;
	long zs = -1;
	char *lid = rec_find_sub(r, f, '0') >= 0 ? linked_id(L, r, f, &zs) : NULL;
	if (lid) {
		const rec *a = auth_record(L, lid);
		long af = a ? rec_find(a, "1..", 0) : -1;
		struct auth_keys ak;
		if (af >= 0 && !auth_field_keys(a, (size_t)af, auth_auth_type(rec_tag(a, (size_t)af), NULL), &ak)) {
			if (strcmp(ak.mkey, k.mkey)) {
				sb_addf(msg, _("'%s' differs from the heading of its authority %s: '%s'"), k.display,
				        lid, ak.display);
				out = LINT_HEADING_UNAUTHORIZED;
			}
			auth_keys_release(&ak);
		}
		free(lid);
		auth_keys_release(&k);
		return out;
	}
	int t2 = -1;
	if (type == AT_CORP && rec_ind(r, f, 1) == '1' && rec_find_sub(r, f, 'b') < 0)
		t2 = AT_GEO;
	int rc = 0;
	strbuf err = STRBUF_INIT;
	char tb[32];
	const char *thes = auth_is_authority(r) ? NULL : heading_thesaurus(r, f, tb, sizeof tb);
	struct verdict *v = lookup(L, type, t2, &k, thes, &err, &rc);
	sb_release(&err);
	if (v) {
		switch (v->status) {
		case AS_AUTHORIZED:
			sb_addf(msg, _("'%s' is authorised (authority %s) but not linked: add $0 %s"),
			        k.display, v->auth_id, v->ctl);
			out = LINT_HEADING_UNLINKED;
			break;
		case AS_SEEFROM:
			sb_addf(msg, _("'%s' is a see-from form: use '%s' (authority %s)"), k.display,
			        v->auth_heading, v->auth_id);
			out = LINT_HEADING_UNAUTHORIZED;
			break;
		case AS_AMBIGUOUS:
			sb_addf(msg, _("'%s' matches several authorities: %s"), k.display,
			        v->candidates ? v->candidates : "");
			out = LINT_HEADING_AMBIGUOUS;
			break;
		case AS_NEAR_TONES:
		case AS_NEAR_DATES:
			sb_addf(msg, v->status == AS_NEAR_TONES
			             ? _("'%s' has no authority; near miss (tones/đ/case): %s")
			             : _("'%s' has no authority; near miss (dates): %s"), k.display,
			        v->candidates ? v->candidates : "");
			out = LINT_HEADING_NEAR;
			break;
		default:
			sb_addf(msg, _("no authority for '%s'"), k.display);
			out = LINT_HEADING_UNCONTROLLED;
		}
	}
	auth_keys_release(&k);
	return out;
}
