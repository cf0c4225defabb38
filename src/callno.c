/*
 * callno.c - call numbers: class from 082/084, author marks by a
 * configurable rule (Vietnamese initials, first letters of a word, or the
 * LC Cutter Table for foreign names). See callno.h for the rules.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "callno.h"
#include "util.h"

/* text with tone and other marks dropped (Đ/đ stay: they do not
 * decompose), malloc'd */
static char *strip_marks(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
	                 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                 UTF8PROC_STRIPMARK) < 0)
		return xstrdup(s);
	char *r = xstrdup((char *)out);
	free(out);
	return r;
}

/* Append code point c, upper or lower case. */
static void add_cp(strbuf *sb, utf8proc_int32_t c, int upper)
{
	utf8proc_uint8_t b[4];
	c = upper ? utf8proc_toupper(c) : utf8proc_tolower(c);
	utf8proc_ssize_t n = utf8proc_encode_char(c, b);
	sb_add(sb, b, (size_t)n);
}

static int word_char(utf8proc_int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	       (cat == UTF8PROC_CATEGORY_ND);
}

static int rule_n(const char *rule, const char *name, int def)
{
	size_t l = strlen(name);
	if (strncmp(rule, name, l))
		return -1;
	if (!rule[l])
		return def;
	if (rule[l] != ':')
		return -1;
	int n = atoi(rule + l + 1);
	return n >= 1 && n <= 9 ? n : -1;
}

/* LC Cutter Table digit for the letter after the initial. */
static int cutter_digit(char init, const char *rest, int *used)
{
	char c = (char)tolower((unsigned char)rest[0]);
	*used = 1;
	if (strchr("aeiou", init)) {
		if (c < 'd') return 2;
		if (c < 'l') return 3;
		if (c < 'n') return 4;
		if (c < 'p') return 5;
		if (c < 'r') return 6;
		if (c < 's') return 7;
		if (c < 'u') return 8;
		return 9;
	}
	if (init == 's') {
		if (c < 'c') return 2;
		if (c < 'd') return 3;     /* ch */
		if (c < 'h') return 4;
		if (c < 'm') return 5;
		if (c < 't') return 6;
		if (c < 'u') return 7;
		if (c < 'w') return 8;
		return 9;
	}
	if (init == 'q') {
		if (c != 'u')
			return 2;
		c = (char)tolower((unsigned char)rest[1]);
		*used = 2;
		if (c < 'e') return 3;
		if (c < 'i') return 4;
		if (c < 'o') return 5;
		if (c < 'r') return 6;
		if (c < 't') return 7;
		if (c < 'y') return 8;
		return 9;
	}
	if (c < 'e') return 3;
	if (c < 'i') return 4;
	if (c < 'o') return 5;
	if (c < 'r') return 6;
	if (c < 'u') return 7;
	if (c < 'y') return 8;
	return 9;
}

static int expansion_digit(char c)
{
	c = (char)tolower((unsigned char)c);
	if (c < 'e') return 3;
	if (c < 'i') return 4;
	if (c < 'm') return 5;
	if (c < 'p') return 6;
	if (c < 't') return 7;
	if (c < 'w') return 8;
	return 9;
}

static char *cutter(const char *folded)
{
	char w[64];
	size_t n = 0;
	for (const char *p = folded; *p && n < sizeof w - 1; p++) {
		if (isalpha((unsigned char)*p))
			w[n++] = (char)tolower((unsigned char)*p);
		else if (n && ((unsigned char)*p < 0x80))
			break;
	}
	w[n] = 0;
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	if (!n)
		return sb_detach(&sb, NULL);
	sb_addc(&sb, (char)toupper((unsigned char)w[0]));
	if (n > 1) {
		int used;
		sb_addf(&sb, "%d", cutter_digit(w[0], w + 1, &used));
		if ((size_t)(1 + used) < n)
			sb_addf(&sb, "%d", expansion_digit(w[1 + used]));
	}
	return sb_detach(&sb, NULL);
}

int callno_rule_valid(const char *rule)
{
	return rule && (rule_n(rule, "initials", 3) > 0 || rule_n(rule, "word", 3) > 0 ||
	                !strcmp(rule, "cutter"));
}

char *callno_mark(const char *text, const char *rule)
{
	if (!callno_rule_valid(rule))
		return NULL;
	char *f = strip_marks(text ? text : "");
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	if (!strcmp(rule, "cutter")) {
		free(sb.buf);
		char *r = cutter(f);
		free(f);
		return r;
	}
	int initials = rule_n(rule, "initials", 3), nword = rule_n(rule, "word", 3);
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)f;
	int inword = 0, words = 0, letters = 0;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(p, -1, &c);
		if (l <= 0)
			break;
		p += l;
		if (!word_char(c)) {
			if (inword && nword > 0)
				break;
			inword = 0;
			continue;
		}
		if (initials > 0) {
			if (!inword) {
				add_cp(&sb, c, 1);
				if (++words >= initials)
					break;
			}
		} else {
			add_cp(&sb, c, letters == 0);
			if (++letters >= nword)
				break;
		}
		inword = 1;
	}
	free(f);
	return sb_detach(&sb, NULL);
}

static char *sub_text(const rec *r, long f, const char *codes)
{
	return f >= 0 ? rec_field_text(r, (size_t)f, codes) : NULL;
}

/* trim trailing ISBD punctuation and spaces */
static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && strchr(" /:;,.=", s[n - 1]))
		s[--n] = 0;
}

char *callno_class(const rec *r)
{
	const char *a = rec_get(r, "082", 'a');
	if (!a)
		a = rec_get(r, "084", 'a');
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	for (const char *p = a ? a : ""; *p; p++)
		if (*p != '/' && *p != '\'' && *p != ' ')
			sb_addc(&sb, *p);
	return sb_detach(&sb, NULL);
}

char *callno_record_mark(const rec *r, const struct callno_rules *rules)
{
	const char *vn = rules && rules->vn ? rules->vn : "initials:3";
	const char *foreign = rules && rules->foreign ? rules->foreign : "cutter";
	long f = rec_find(r, "1..", 0);
	while (f >= 0 && rec_is_control(r, (size_t)f))
		f = rec_find(r, "1..", (size_t)f + 1);
	char *text = NULL;
	int inverted = 0;
	if (f >= 0) {
		text = sub_text(r, f, "a");
		inverted = !strcmp(rec_tag(r, (size_t)f), "100") && rec_ind(r, (size_t)f, 1) == '1' &&
		           strchr(text, ',');
	} else {
		f = rec_find(r, "245", 0);
		char *t = sub_text(r, f, "a");
		if (t) {
			char i2 = rec_ind(r, (size_t)f, 2);
			size_t skip = i2 >= '1' && i2 <= '9' ? (size_t)(i2 - '0') : 0;
			text = xstrdup(strlen(t) > skip ? t + skip : t);
			free(t);
		}
	}
	if (!text)
		return xstrdup("");
	trim(text);
	const char *lang = rec_get_control(r, "008");
	int vie = lang && strlen(lang) >= 38 && !strncmp(lang + 35, "vie", 3);
	char *m = callno_mark(text, inverted && !vie ? foreign : vn);
	free(text);
	return m ? m : xstrdup("");
}

char *callno_suggest(const rec *r, const struct callno_rules *rules)
{
	char *cl = callno_class(r), *m = callno_record_mark(r, rules);
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, cl);
	if (*cl && *m)
		sb_addc(&sb, ' ');
	sb_adds(&sb, m);
	free(cl);
	free(m);
	return sb_detach(&sb, NULL);
}

char *callno_of_record(const rec *r)
{
	static const struct { const char *tag, *codes; } src[] = {
		{ "090", "ab" }, { "852", "hi" }, { "099", "a" }, { "092", "ab" },
	};
	for (size_t i = 0; i < sizeof src / sizeof *src; i++) {
		long f = rec_find(r, src[i].tag, 0);
		for (; f >= 0; f = rec_find(r, src[i].tag, (size_t)f + 1)) {
			if (rec_is_control(r, (size_t)f))
				continue;
			char *t = rec_field_text(r, (size_t)f, src[i].codes);
			if (t && *t)
				return t;
			free(t);
		}
	}
	return xstrdup("");
}

void callno_set(rec *r, const char *callno)
{
	long f;
	while ((f = rec_find(r, "090", 0)) >= 0)
		rec_delete_field(r, (size_t)f);
	while (callno && *callno == ' ')
		callno++;
	if (!callno || !*callno)
		return;
	size_t at = 0, nf = rec_nfields(r);
	while (at < nf && strcmp(rec_tag(r, at), "090") < 0)
		at++;
	rec_insert_field(r, at, "090", ' ', ' ');
	const char *sp = strchr(callno, ' ');
	size_t la = sp ? (size_t)(sp - callno) : strlen(callno);
	rec_add_sub(r, at, 'a', callno, la);
	if (sp) {
		while (*sp == ' ')
			sp++;
		if (*sp)
			rec_add_sub(r, at, 'b', sp, strlen(sp));
	}
}
