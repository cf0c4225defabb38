/*
 * matchkey.c - ISBN/ISSN/LCCN/system-number normalisation for matching
 * (see matchkey.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "matchkey.h"
#include "util.h"

/* Collect up to max digits (and a final X) from s, skipping leading
 * blanks and hyphens/blanks between digits. Returns the count. */
static int collect_digits(const char *s, char *d, int max)
{
	int n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (n >= max)
				return max + 1;
			d[n++] = *s;
		} else if ((*s == 'X' || *s == 'x') && n > 0) {
			if (n >= max)
				return max + 1;
			d[n++] = 'X';
			s++;
			break;
		} else if ((*s == '-' || *s == ' ') && n > 0 &&
		           isdigit((unsigned char)s[1])) {
			continue;
		} else if ((*s == '-' || *s == ' ') && n > 0 &&
		           (s[1] == 'X' || s[1] == 'x')) {
			continue;
		} else {
			break;
		}
	}
	/* a digit run glued to more digits after an X is no number */
	if (n > 0 && d[n - 1] == 'X' && isdigit((unsigned char)*s))
		return 0;
	d[n] = 0;
	return n;
}

static int isbn10_ok(const char *d)
{
	int sum = 0;
	for (int i = 0; i < 10; i++) {
		int v = d[i] == 'X' ? 10 : d[i] - '0';
		if (d[i] == 'X' && i != 9)
			return 0;
		sum += (10 - i) * v;
	}
	return sum % 11 == 0;
}

static int isbn13_check(const char *d)
{
	int sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (d[i] - '0') * (i % 2 ? 3 : 1);
	return (10 - sum % 10) % 10;
}

int mk_isbn(const char *s, char out[14])
{
	char d[16];
	int n = collect_digits(s, d, 13);
	if (n == 10) {
		if (!isbn10_ok(d)) {
			memcpy(out, d, 11);
			return -1;
		}
		memcpy(out, "978", 3);
		memcpy(out + 3, d, 9);
		out[12] = (char)('0' + isbn13_check(out));
		out[13] = 0;
		return 1;
	}
	if (n == 13) {
		if (strchr(d, 'X') || isbn13_check(d) != d[12] - '0') {
			memcpy(out, d, 14);
			return -1;
		}
		memcpy(out, d, 14);
		return 1;
	}
	out[0] = 0;
	return 0;
}

int mk_issn(const char *s, char out[9])
{
	char d[12];
	int n = collect_digits(s, d, 8);
	if (n != 8) {
		out[0] = 0;
		return 0;
	}
	int sum = 0;
	for (int i = 0; i < 7; i++) {
		if (d[i] == 'X') {
			out[0] = 0;
			return 0;
		}
		sum += (8 - i) * (d[i] - '0');
	}
	int c = (11 - sum % 11) % 11;
	char want = c == 10 ? 'X' : (char)('0' + c);
	memcpy(out, d, 9);
	return want == d[7] ? 1 : -1;
}

/* Whether s[0..len) has a letter or digit (any non-ASCII byte counts). */
static int has_alnum(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isalnum((unsigned char)s[i]) || ((unsigned char)s[i] & 0x80))
			return 1;
	return 0;
}

int mk_lccn(const char *s, char *out, size_t n)
{
	char buf[64];
	size_t k = 0;
	for (; *s && *s != '/' && k < sizeof buf - 1; s++)
		if (*s != ' ' && *s != '\t')
			buf[k++] = (char)tolower((unsigned char)*s);
	buf[k] = 0;
	if (!has_alnum(buf, k))              /* "*", "-": no number */
		buf[0] = 0;
	char *h = buf[0] ? strchr(buf, '-') : NULL;
	if (h) {
		char tail[64];
		size_t tl = 0;
		for (char *p = h + 1; *p && tl < sizeof tail - 1; p++)
			if (isdigit((unsigned char)*p))
				tail[tl++] = *p;
		tail[tl] = 0;
		*h = 0;
		if (tl < 6) {
			char pad[64];
			memset(pad, '0', 6 - tl);
			memcpy(pad + 6 - tl, tail, tl + 1);
			memcpy(tail, pad, 7);
		}
		if (strlen(buf) + strlen(tail) + 1 < sizeof buf)
			strcat(buf, tail);
	}
	if (!buf[0] || strlen(buf) + 1 > n) {
		if (n)
			out[0] = 0;
		return 0;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 1;
}

int mk_sysno(const char *s, char *out, size_t n)
{
	while (*s == ' ')
		s++;
	size_t len = strlen(s);
	while (len && s[len - 1] == ' ')
		len--;
	/* the number after any "(ORG)" needs a letter or a digit: "*", "-"
	 * or a bare "(OCoLC)" would make every such record one book */
	const char *close = len && *s == '(' ? memchr(s, ')', len) : NULL;
	size_t pre = close ? (size_t)(close - s) + 1 : 0;
	if (!len || len + 1 > n || !has_alnum(s + pre, len - pre)) {
		if (n)
			out[0] = 0;
		return 0;
	}
	if (len > 7 && !strncmp(s, "(OCoLC)", 7)) {
		const char *p = s + 7, *e = s + len;
		/* ocm ocn on, and blanks ("(OCoLC) 12345", "(OCoLC)ocm 12345") */
		while (p < e && (isalpha((unsigned char)*p) || *p == ' '))
			p++;
		while (p < e - 1 && *p == '0')
			p++;
		if (p == e) {                   /* "(OCoLC)ocm": no number */
			if (n)
				out[0] = 0;
			return 0;
		}
		size_t k = (size_t)(e - p);
		memcpy(out, "(OCoLC)", 7);
		memcpy(out + 7, p, k);
		out[7 + k] = 0;
		return 1;
	}
	memcpy(out, s, len);
	out[len] = 0;
	return 1;
}

void mk_list_add(struct mk_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

void mk_list_release(struct mk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static void add_kv(struct mk_list *l, const char *kind, const char *v)
{
	char buf[300];
	size_t kl = strlen(kind), vl = strlen(v);
	if (kl + vl + 2 > sizeof buf)
		return;
	memcpy(buf, kind, kl);
	buf[kl] = ':';
	memcpy(buf + kl + 1, v, vl + 1);
	mk_list_add(l, buf);
}

/* The keys of r of the kinds in mask into l[step * i], where i is the
 * kind's place (0 ISBN, 1 ISSN, 2 LCCN, 3 035, 4 001+003): step 0 puts
 * them all into l[0], step 1 each kind into a list of its own. */
static void record_keys(const rec *r, int mask, struct mk_list *l, int step)
{
	char k[260];
	size_t nf = mask & (MK_ISBN | MK_ISSN | MK_LCCN | MK_035) ? rec_nfields(r) : 0;
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(r, f);
		int kind = !strcmp(tag, "020") ? MK_ISBN : !strcmp(tag, "022") ? MK_ISSN :
		           !strcmp(tag, "010") ? MK_LCCN : !strcmp(tag, "035") ? MK_035 : 0;
		if (!(kind & mask) || rec_is_control(r, f))
			continue;
		struct mk_list *to = l + step * (kind == MK_ISBN ? 0 : kind == MK_ISSN ? 1 :
		                                 kind == MK_LCCN ? 2 : 3);
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			if (rec_sub_code(r, f, s) != 'a')
				continue;
			const char *v = rec_sub_value(r, f, s, NULL);
			if (kind == MK_ISBN && mk_isbn(v, k))
				add_kv(to, "isbn", k);
			else if (kind == MK_ISSN && mk_issn(v, k))
				add_kv(to, "issn", k);
			else if (kind == MK_LCCN && mk_lccn(v, k, sizeof k))
				add_kv(to, "lccn", k);
			else if (kind == MK_035 && mk_sysno(v, k, sizeof k))
				add_kv(to, "sys", k);
		}
	}
	if (mask & MK_001) {
		const char *id = rec_get_control(r, "001");
		const char *org = rec_get_control(r, "003");
		if (id && *id) {
			strbuf sb = STRBUF_INIT;
			if (org && *org) {
				sb_addc(&sb, '(');
				sb_adds(&sb, org);
				sb_addc(&sb, ')');
			}
			sb_adds(&sb, id);
			if (mk_sysno(sb.buf, k, sizeof k))
				add_kv(l + step * 4, "sys", k);
			sb_release(&sb);
		}
	}
}

void mk_record_keys(const rec *r, int mask, struct mk_list *l)
{
	record_keys(r, mask, l, 0);
}

void mk_record_keys_by_kind(const rec *r, struct mk_list by[MK_NKINDS])
{
	record_keys(r, MK_ISBN | MK_ISSN | MK_LCCN | MK_035 | MK_001, by, 1);
}

/* Whether the text s (an ISBN's qualifier: 020 $a after the number, or
 * $q) says the number is the set's: "(set)", "(bộ)", "(trọn bộ)". */
static int set_qualifier(const char *s, size_t n)
{
	char *f = n ? fold_search(s, n) : NULL;
	int set = 0;
	for (const char *p = f; p && *p && !set;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		const char *w = p;
		while (isalnum((unsigned char)*p))
			p++;
		size_t k = (size_t)(p - w);
		set = (k == 3 && !strncmp(w, "set", 3)) || (k == 2 && !strncmp(w, "bo", 2));
		if (!k && *p)
			p++;
	}
	free(f);
	return set;
}

void mk_item_isbns(const rec *r, struct mk_list *l)
{
	char k[14];
	for (long f = rec_find(r, "020", 0); f >= 0; f = rec_find(r, "020", (size_t)f + 1)) {
		size_t ns = rec_nsub(r, (size_t)f);
		int set = 0;
		for (size_t s = 0; s < ns && !set; s++) {
			size_t len;
			const char *v = rec_sub_value(r, (size_t)f, s, &len);
			char c = rec_sub_code(r, (size_t)f, s);
			if (c == 'q')
				set = set_qualifier(v, len);
			else if (c == 'a') {
				/* the qualifier after the number: past its digits, X, - and blanks */
				size_t i = 0;
				while (i < len && (isdigit((unsigned char)v[i]) || v[i] == 'X' ||
				                   v[i] == 'x' || v[i] == '-' || v[i] == ' '))
					i++;
				set = set_qualifier(v + i, len - i);
			}
		}
		for (size_t s = 0; s < ns && !set; s++)
			if (rec_sub_code(r, (size_t)f, s) == 'a' &&
			    mk_isbn(rec_sub_value(r, (size_t)f, s, NULL), k))
				add_kv(l, "isbn", k);
	}
}

int mk_same_volume(const rec *a, const rec *b)
{
	struct mk_list ka = { 0 }, kb = { 0 };
	mk_item_isbns(a, &ka);
	mk_item_isbns(b, &kb);
	int common = 0;
	for (size_t i = 0; i < ka.n && !common; i++)
		for (size_t j = 0; j < kb.n && !common; j++)
			common = !strcmp(ka.v[i], kb.v[j]);
	int same = common || !ka.n || !kb.n;
	mk_list_release(&ka);
	mk_list_release(&kb);
	return same;
}

/* The folded words of r's title (245 $a $n $p), space-separated with a
 * space at each end (" tat den "), or NULL when it has none. */
static char *title_words(const rec *r)
{
	long f = rec_find(r, "245", 0);
	if (f < 0)
		return NULL;
	strbuf t = STRBUF_INIT;
	size_t ns = rec_nsub(r, (size_t)f);
	for (size_t s = 0; s < ns; s++) {
		char c = rec_sub_code(r, (size_t)f, s);
		if (c != 'a' && c != 'n' && c != 'p')
			continue;
		size_t len;
		const char *v = rec_sub_value(r, (size_t)f, s, &len);
		sb_addc(&t, ' ');
		sb_add(&t, v, len);
	}
	char *folded = t.len ? fold_search(t.buf, t.len) : NULL;
	sb_release(&t);
	if (!folded)
		return NULL;
	strbuf w = STRBUF_INIT;
	sb_addc(&w, ' ');
	for (const char *p = folded; *p;) {
		if (!isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80)) {
			p++;
			continue;
		}
		const char *st = p;
		while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80)))
			p++;
		sb_add(&w, st, (size_t)(p - st));
		sb_addc(&w, ' ');
	}
	free(folded);
	if (w.len == 1) {
		sb_release(&w);
		return NULL;
	}
	return sb_detach(&w, NULL);
}

/* words of x (" a b ") also in y, and how many x has */
static void words_in(const char *x, const char *y, int *common, int *total)
{
	*common = *total = 0;
	char buf[300];
	for (const char *p = x + 1; *p;) {
		const char *e = strchr(p, ' ');
		size_t n = (size_t)(e - p);
		if (n + 3 <= sizeof buf) {
			buf[0] = ' ';
			memcpy(buf + 1, p, n);
			buf[n + 1] = ' ';
			buf[n + 2] = 0;
			++*total;
			if (strstr(y, buf))
				++*common;
		}
		p = e + 1;
	}
}

int mk_same_record(const rec *a, const rec *b)
{
	struct mk_list ka = { 0 }, kb = { 0 };
	mk_record_keys(a, MK_ISBN | MK_ISSN | MK_LCCN, &ka);
	mk_record_keys(b, MK_ISBN | MK_ISSN | MK_LCCN, &kb);
	/* a number in common; or a kind both have, with no number in common */
	int shared = 0, differ = 0;
	static const char *const kinds[] = { "isbn:", "issn:", "lccn:" };
	for (int k = 0; k < 3; k++) {
		int ina = 0, inb = 0;
		for (size_t i = 0; i < ka.n; i++)
			ina |= !strncmp(ka.v[i], kinds[k], 5);
		for (size_t j = 0; j < kb.n; j++)
			inb |= !strncmp(kb.v[j], kinds[k], 5);
		int common = 0;
		for (size_t i = 0; i < ka.n; i++)
			for (size_t j = 0; j < kb.n && !strncmp(ka.v[i], kinds[k], 5); j++)
				common |= !strcmp(ka.v[i], kb.v[j]);
		shared |= common;
		differ |= ina && inb && !common;
	}
	mk_list_release(&ka);
	mk_list_release(&kb);
	if (shared)
		return 1;
	if (differ)
		return 0;
	char *ta = title_words(a), *tb = title_words(b);
	int same = 1;
	if (ta && tb) {
		int ca, na, cb, nb;
		words_in(ta, tb, &ca, &na);
		words_in(tb, ta, &cb, &nb);
		/* more than half of the shorter title's words in the other */
		same = na <= nb ? 2 * ca > na : 2 * cb > nb;
	}
	free(ta);
	free(tb);
	return same;
}
