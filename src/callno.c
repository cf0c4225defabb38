/*
 * callno.c - call numbers: class from 082/084, author marks by a
 * configurable rule (Vietnamese initials, first letters of a word, the
 * LC Cutter Table for foreign names, or an author table the library
 * supplies, looked up the Cutter-Sanborn way). See callno.h for the rules
 * and the table format.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <utf8proc.h>

#include "callno.h"
#include "i18n.h"
#include "marcdef.h"
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

/* ---- author tables ("table:FILE") ---- */

#define DBAR 0x111        /* đ: a letter of its own, after d */

struct tab_entry {
	const char *key;      /* folded prefix (fold_key) */
	const char *num;      /* the number, digits as written */
	utf8proc_int32_t letter; /* first letter of key, lower case (DBAR for đ) */
	int line;
};

struct author_table {
	char *path;           /* resolved path: the cache key */
	struct timespec mtime;
	off_t size;
	struct tab_entry *e;  /* sorted by key, then line */
	size_t n;
	arena *mem;           /* keys and numbers */
	struct author_table *next;
};

static struct author_table *tables;

/* The sort key of a name or a table prefix, malloc'd: marks dropped
 * (strip_marks), lower case, apostrophes dropped, every run of other
 * non-letters one blank, digits before the first letter dropped. đ is
 * "d" followed by the byte 0xff, so it sorts after every d... and before
 * e (or plain "d" when dbar_as_d). *letter = the first letter (DBAR for
 * đ unless dbar_as_d), 0 if there is none. */
static char *fold_key(const char *s, int dbar_as_d, utf8proc_int32_t *letter)
{
	char *f = strip_marks(s);
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	int gap = 0;
	*letter = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)f;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(p, -1, &c);
		if (l <= 0)
			break;
		p += l;
		if (c == '\'' || c == 0x2019 || c == 0x02BC)
			continue;
		if (!word_char(c)) {
			gap = 1;
			continue;
		}
		if (!*letter) {
			if (utf8proc_category(c) == UTF8PROC_CATEGORY_ND)
				continue;
			c = utf8proc_tolower(c);
			*letter = c == DBAR && dbar_as_d ? 'd' : c;
		}
		c = utf8proc_tolower(c);
		if (gap && sb.len)
			sb_addc(&sb, ' ');
		gap = 0;
		if (c == DBAR) {
			sb_addc(&sb, 'd');
			if (!dbar_as_d)
				sb_addc(&sb, (char)0xff);
		} else {
			add_cp(&sb, c, 0);
		}
	}
	free(f);
	return sb_detach(&sb, NULL);
}

static void table_destroy(struct author_table *t)
{
	if (!t)
		return;
	free(t->path);
	free(t->e);
	arena_destroy(t->mem);
	free(t);
}

void callno_tables_free(void)
{
	while (tables) {
		struct author_table *t = tables;
		tables = t->next;
		table_destroy(t);
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct tab_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Parse the table text into t; 0, or -1 with "FILE:LINE: what" in err. */
static int table_parse(struct author_table *t, const char *name, char *text, size_t len,
                       strbuf *err)
{
	size_t cap = 0;
	int lineno = 0;
	char *p = text, *end = text + len;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p, *le = nl ? nl : end;
		p = nl ? nl + 1 : end;
		lineno++;
		size_t bad;
		if (!utf8_valid(line, (size_t)(le - line), &bad)) {
			sb_addf(err, _("%s:%d: not UTF-8 (byte %zu of the line)"), name, lineno, bad + 1);
			return -1;
		}
		*le = 0;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		size_t l = strlen(line);
		while (l && strchr(" \t\r\v\f", line[l - 1]))
			line[--l] = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			continue;
		size_t nd = strcspn(line, " \t");
		char *rest = line + nd;
		int digits = nd > 0 && nd <= 9;
		for (size_t i = 0; digits && i < nd; i++)
			digits = line[i] >= '0' && line[i] <= '9';
		if (!digits) {
			sb_addf(err, _("%s:%d: '%.*s' is not a number (a line is NUMBER PREFIX, "
			               "e.g. '591 Smith, J')"), name, lineno, (int)nd, line);
			return -1;
		}
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (!*rest) {
			sb_addf(err, _("%s:%d: no name after the number %.*s (a line is NUMBER "
			               "PREFIX)"), name, lineno, (int)nd, line);
			return -1;
		}
		utf8proc_int32_t letter;
		char *key = fold_key(rest, 0, &letter);
		if (!letter) {
			sb_addf(err, _("%s:%d: the prefix '%s' has no letter"), name, lineno, rest);
			free(key);
			return -1;
		}
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->e = xrealloc(t->e, cap * sizeof *t->e);
		}
		struct tab_entry *e = &t->e[t->n++];
		e->key = arena_strndup(t->mem, key, strlen(key));
		e->num = arena_strndup(t->mem, line, nd);
		e->letter = letter;
		e->line = lineno;
		free(key);
	}
	if (!t->n) {
		sb_addf(err, _("%s: no entries (a line is NUMBER PREFIX, e.g. '591 Smith, J')"), name);
		return -1;
	}
	qsort(t->e, t->n, sizeof *t->e, entry_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (!strcmp(t->e[i].key, t->e[i - 1].key) && strcmp(t->e[i].num, t->e[i - 1].num)) {
			sb_addf(err, _("%s:%d: the same prefix as line %d with another number "
			               "(%s, %s)"), name, t->e[i].line, t->e[i - 1].line,
			        t->e[i - 1].num, t->e[i].num);
			return -1;
		}
	return 0;
}

static int same_file(const struct author_table *t, const struct stat *st)
{
	return t->size == st->st_size && t->mtime.tv_sec == st->st_mtim.tv_sec &&
	       t->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The table at FILE (absolute, or relative to the marc/ data directory),
 * from the cache or loaded now (again when the file has changed). NULL
 * with the reason in err. */
static const struct author_table *table_get(const char *file, strbuf *err)
{
	static int registered;
	if (!*file) {
		sb_adds(err, _("table: needs a file name (table:FILE)"));
		return NULL;
	}
	char *path;
	if (file[0] == '/') {
		path = xstrdup(file);
	} else {
		char *dir = marcdef_find_dir();
		if (!dir) {
			sb_addf(err, _("cannot find the data directory (marc/) for the author table "
			               "'%s': give an absolute path or set BIENMUC_MARCDIR"), file);
			return NULL;
		}
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s/%s", dir, file);
		free(dir);
		path = sb_detach(&sb, NULL);
	}
	struct author_table **pp = &tables;
	while (*pp && strcmp((*pp)->path, path))
		pp = &(*pp)->next;
	struct stat st;
	if (stat(path, &st) != 0) {
		sb_addf(err, _("cannot open the author table '%s': %s"), path, strerror(errno));
		free(path);
		return NULL;
	}
	if (*pp && same_file(*pp, &st)) {
		free(path);
		return *pp;
	}
	strbuf text = STRBUF_INIT;
	if (!S_ISREG(st.st_mode) || sb_read_file(&text, path) != 0) {
		sb_addf(err, _("cannot read the author table '%s': %s"), path,
		        S_ISREG(st.st_mode) ? strerror(errno) : _("not a file"));
		sb_release(&text);
		free(path);
		return NULL;
	}
	struct author_table *t = xcalloc(1, sizeof *t);
	t->path = path;
	t->size = st.st_size;
	t->mtime = st.st_mtim;
	t->mem = arena_create(0);
	int rc = table_parse(t, path, text.buf ? text.buf : (char *)"", text.len, err);
	sb_release(&text);
	if (rc) {
		table_destroy(t);
		return NULL;
	}
	if (*pp) {                 /* the file changed: replace the old one */
		t->next = (*pp)->next;
		table_destroy(*pp);
	}
	*pp = t;
	if (!registered) {
		registered = 1;
		atexit(callno_tables_free);   /* keeps valgrind's leak report clean */
	}
	return t;
}

/* Number of the last entry of the letter that sorts at or before key, or
 * of the letter's first entry when key sorts before it; NULL when the
 * table has no entries under the letter. */
static const char *table_find(const struct author_table *t, const char *key,
                              utf8proc_int32_t letter)
{
	size_t lo = 0, hi = t->n;     /* lo = number of entries <= key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->e[mid].key, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && t->e[lo - 1].letter == letter)
		return t->e[lo - 1].num;
	if (lo < t->n && t->e[lo].letter == letter)
		return t->e[lo].num;
	return NULL;
}

static char *table_mark(const struct author_table *t, const char *text)
{
	utf8proc_int32_t letter;
	char *key = fold_key(text, 0, &letter);
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	if (letter) {
		add_cp(&sb, letter, 1);
		const char *num = table_find(t, key, letter);
		if (!num && letter == DBAR) {         /* no Đ entries: look under D */
			free(key);
			key = fold_key(text, 1, &letter);
			num = table_find(t, key, letter);
		}
		if (num)
			sb_adds(&sb, num);
	}
	free(key);
	return sb_detach(&sb, NULL);
}

int callno_rule_check(const char *rule, strbuf *err)
{
	if (rule && (rule_n(rule, "initials", 3) > 0 || rule_n(rule, "word", 3) > 0 ||
	             !strcmp(rule, "cutter")))
		return 0;
	strbuf own = STRBUF_INIT;
	if (!err)
		err = &own;
	int rc = -1;
	if (rule && !strncmp(rule, "table:", 6))
		rc = table_get(rule + 6, err) ? 0 : -1;
	else
		sb_addf(err, _("'%s' is not an author-mark rule (initials:N or word:N with N "
		               "from 1 to 9, cutter, table:FILE)"), rule ? rule : "");
	sb_release(&own);
	return rc;
}

int callno_rules_check(const struct callno_rules *r, strbuf *err)
{
	const char *name[2] = { "callno.vn", "callno.foreign" };
	const char *rule[2] = { r ? r->vn : NULL, r ? r->foreign : NULL };
	for (int i = 0; i < 2; i++) {
		strbuf why = STRBUF_INIT;
		if (rule[i] && callno_rule_check(rule[i], &why)) {
			sb_addf(err, "%s: %s", name[i], why.buf ? why.buf : "");
			sb_release(&why);
			return -1;
		}
		sb_release(&why);
	}
	return 0;
}

int callno_rule_valid(const char *rule)
{
	return callno_rule_check(rule, NULL) == 0;
}

char *callno_mark(const char *text, const char *rule)
{
	if (rule && !strncmp(rule, "table:", 6)) {
		strbuf err = STRBUF_INIT;
		const struct author_table *t = table_get(rule + 6, &err);
		sb_release(&err);
		return t ? table_mark(t, text ? text : "") : NULL;
	}
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

int callno_workmark_valid(const char *v)
{
	return v && (!strcmp(v, "none") || !strcmp(v, "lower") || !strcmp(v, "upper"));
}

/* 245 $a after its nonfiling characters (2nd indicator), malloc'd; NULL
 * if there is none. */
static char *title_proper(const rec *r)
{
	long f = rec_find(r, "245", 0);
	char *t = f >= 0 ? sub_text(r, f, "a") : NULL;
	if (!t)
		return NULL;
	char i2 = rec_ind(r, (size_t)f, 2);
	size_t skip = i2 >= '1' && i2 <= '9' ? (size_t)(i2 - '0') : 0;
	if (skip && strlen(t) > skip)
		memmove(t, t + skip, strlen(t + skip) + 1);
	return t;
}

/* The first letter of the title proper, marks stripped (Đ kept),
 * appended in the given case. */
static void add_work_letter(const rec *r, int upper, strbuf *out)
{
	char *t = title_proper(r);
	if (!t)
		return;
	char *s = strip_marks(t);
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(p, -1, &c);
		if (l <= 0)
			break;
		p += l;
		if (word_char(c)) {
			add_cp(out, c, upper);
			break;
		}
	}
	free(s);
	free(t);
}

char *callno_record_mark(const rec *r, const struct callno_rules *rules)
{
	const char *vn = rules && rules->vn ? rules->vn : "initials:3";
	const char *foreign = rules && rules->foreign ? rules->foreign : "cutter";
	long f = rec_find(r, "1..", 0);
	while (f >= 0 && rec_is_control(r, (size_t)f))
		f = rec_find(r, "1..", (size_t)f + 1);
	char *text = NULL;
	int inverted = 0, name_entry = f >= 0;   /* a work mark only after a name */
	if (f >= 0) {
		text = sub_text(r, f, "a");
		inverted = !strcmp(rec_tag(r, (size_t)f), "100") && rec_ind(r, (size_t)f, 1) == '1' &&
		           strchr(text, ',');
	} else {
		text = title_proper(r);
	}
	if (!text)
		return xstrdup("");
	trim(text);
	const char *lang = rec_get_control(r, "008");
	int vie = lang && strlen(lang) >= 38 && !strncmp(lang + 35, "vie", 3);
	char *m = callno_mark(text, inverted && !vie ? foreign : vn);
	free(text);
	if (!m)
		return xstrdup("");
	const char *wm = rules ? rules->workmark : NULL;
	if (name_entry && *m && wm && (!strcmp(wm, "lower") || !strcmp(wm, "upper"))) {
		strbuf sb = STRBUF_INIT;
		sb_adds(&sb, m);
		add_work_letter(r, !strcmp(wm, "upper"), &sb);
		free(m);
		m = sb_detach(&sb, NULL);
	}
	return m;
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
