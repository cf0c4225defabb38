/*
 * form.c - workforms and constant-data sets: parsing forms/NAME.form and
 * forms/NAME.const, building records from the answers of the fill-in
 * screen, applying constant data, and saving a record as a form.
 * The file format is described in man/bienmuc-forms.5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>

#include "form.h"
#include "isbd.h"
#include "i18n-lower.h"

#ifndef BM_DATADIR
#define BM_DATADIR "/usr/local/share/bienmuc"
#endif

struct fieldspec {
	char tag[4];
	char ind1, ind2;
	int repeat;
	int control;
};

struct form {
	char *id, *title_vi, *title_en;
	int authority;
	char leader[REC_LEADER_LEN + 1];
	struct form_elem *el;
	size_t nel, capel;
	struct fieldspec *fs;
	size_t nfs, capfs;
	arena *a;
};

/* ---- tokenizer ---- */

struct tok {
	char *key;     /* for key=value, else NULL */
	char *val;
};

/* Split a line into words; "quoted strings" with \" and \\; key="value"
 * or key=value pairs. Returns the number of tokens, -1 on an unterminated
 * quote. Strings are allocated in the arena. */
static int tokenize(arena *a, const char *s, struct tok *t, int max)
{
	int n = 0;
	strbuf sb = STRBUF_INIT;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || (*s == '#' && n == 0))   /* a comment line */
			break;
		if (n == max)
			break;
		sb_reset(&sb);
		char *key = NULL;
		for (;;) {
			if (*s == '"') {
				s++;
				while (*s && *s != '"') {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					sb_addc(&sb, *s++);
				}
				if (*s != '"') {
					sb_release(&sb);
					return -1;
				}
				s++;
			} else if (*s == '=' && !key && sb.len) {
				key = arena_strndup(a, sb.buf, sb.len);
				sb_reset(&sb);
				s++;
			} else if (!*s || *s == ' ' || *s == '\t') {
				break;
			} else
				sb_addc(&sb, *s++);
		}
		t[n].key = key;
		t[n].val = arena_strndup(a, sb.buf ? sb.buf : "", sb.len);
		n++;
	}
	sb_release(&sb);
	return n;
}

static char ind_char(char c)
{
	return (c == '#' || c == '_' || c == '\\') ? ' ' : c;
}

static void add_elem(form *f, struct form_elem *e)
{
	if (f->nel == f->capel) {
		f->capel = f->capel ? f->capel * 2 : 32;
		f->el = xrealloc(f->el, f->capel * sizeof *f->el);
	}
	f->el[f->nel++] = *e;
}

static int add_field(form *f, const char *tag, char i1, char i2, int repeat, int control)
{
	if (f->nfs == f->capfs) {
		f->capfs = f->capfs ? f->capfs * 2 : 32;
		f->fs = xrealloc(f->fs, f->capfs * sizeof *f->fs);
	}
	struct fieldspec *fs = &f->fs[f->nfs];
	memcpy(fs->tag, tag, 3);
	fs->tag[3] = 0;
	fs->ind1 = i1;
	fs->ind2 = i2;
	fs->repeat = repeat;
	fs->control = control;
	return (int)f->nfs++;
}

static int valid_tag(const char *t)
{
	return strlen(t) == 3 && isalnum((unsigned char)t[0]) && isalnum((unsigned char)t[1]) &&
	       isalnum((unsigned char)t[2]);
}

/* Apply attribute tokens (flags and key=value) to an element. */
static int elem_attrs(struct form_elem *e, struct tok *t, int n, strbuf *why)
{
	for (int i = 0; i < n; i++) {
		if (!t[i].key) {
			if (!strcmp(t[i].val, "required"))
				e->flags |= FORM_REQUIRED;
			else if (!strcmp(t[i].val, "repeat"))
				e->flags |= FORM_REPEAT;
			else if (!strcmp(t[i].val, "const"))
				e->flags |= FORM_CONST;
			else {
				sb_addf(why, _("unknown word '%s'"), t[i].val);
				return -1;
			}
		} else if (!strcmp(t[i].key, "vi"))
			e->prompt_vi = t[i].val;
		else if (!strcmp(t[i].key, "en"))
			e->prompt_en = t[i].val;
		else if (!strcmp(t[i].key, "help"))
			e->help = t[i].val;
		else if (!strcmp(t[i].key, "default"))
			e->value = t[i].val;
		else if (!strcmp(t[i].key, "const")) {
			e->value = t[i].val;
			e->flags |= FORM_CONST;
		} else {
			sb_addf(why, _("unknown attribute '%s'"), t[i].key);
			return -1;
		}
	}
	return 0;
}

form *form_parse(const char *text, const char *name, strbuf *err)
{
	form *f = xcalloc(1, sizeof *f);
	f->a = arena_create(0);
	memcpy(f->leader, "     nam a22     7i 4500", REC_LEADER_LEN + 1);
	int lineno = 0, cur_field = -1;
	strbuf why = STRBUF_INIT;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, len);
		p += len + (eol ? 1 : 0);
		lineno++;
		if (len && line[len - 1] == '\r')
			line[len - 1] = 0;
		struct tok t[32];
		int n = tokenize(f->a, line, t, 32);
		free(line);
		if (n < 0) {
			sb_adds(&why, _("unterminated quoted string"));
			goto bad;
		}
		if (n == 0)
			continue;
		const char *kw = t[0].val;
		if (t[0].key) {
			sb_addf(&why, _("a line must start with a keyword, not '%s='"), t[0].key);
			goto bad;
		}
		if (!strcmp(kw, "form") && n == 2) {
			f->id = t[1].val;
		} else if (!strcmp(kw, "title.vi") || !strcmp(kw, "title.en")) {
			/* the rest of the line, words joined */
			strbuf s = STRBUF_INIT;
			for (int i = 1; i < n; i++) {
				if (i > 1)
					sb_addc(&s, ' ');
				sb_adds(&s, t[i].val);
			}
			char *v = arena_strndup(f->a, s.buf ? s.buf : "", s.len);
			sb_release(&s);
			if (kw[6] == 'v')
				f->title_vi = v;
			else
				f->title_en = v;
		} else if (!strcmp(kw, "kind") && n == 2) {
			if (!strcmp(t[1].val, "authority"))
				f->authority = 1;
			else if (strcmp(t[1].val, "bib") && strcmp(t[1].val, "constant")) {
				sb_addf(&why, _("kind must be bib, authority or constant, not '%s'"), t[1].val);
				goto bad;
			}
		} else if (!strcmp(kw, "leader") && n == 2) {
			if (strlen(t[1].val) != REC_LEADER_LEN) {
				sb_addf(&why, _("the leader must be 24 characters, not %zu"), strlen(t[1].val));
				goto bad;
			}
			memcpy(f->leader, t[1].val, REC_LEADER_LEN);
		} else if (!strcmp(kw, "control") && n >= 3) {
			if (!valid_tag(t[1].val) || !rec_tag_is_control(t[1].val)) {
				sb_addf(&why, _("'%s' is not a control field tag (001-009)"), t[1].val);
				goto bad;
			}
			struct form_elem e = { .code = 0, .value = t[2].val };
			memcpy(e.tag, t[1].val, 4);
			e.ind1 = e.ind2 = ' ';
			e.field = add_field(f, t[1].val, ' ', ' ', 0, 1);
			if (elem_attrs(&e, t + 3, n - 3, &why))
				goto bad;
			add_elem(f, &e);
			cur_field = -1;
		} else if (!strcmp(kw, "field") && n >= 3) {
			if (!valid_tag(t[1].val) || rec_tag_is_control(t[1].val)) {
				sb_addf(&why, _("'%s' is not a data field tag"), t[1].val);
				goto bad;
			}
			if (strlen(t[2].val) != 2) {
				sb_addf(&why, _("indicators must be two characters (# for blank), not '%s'"),
				        t[2].val);
				goto bad;
			}
			int repeat = 0;
			for (int i = 3; i < n; i++) {
				if (!t[i].key && !strcmp(t[i].val, "repeat"))
					repeat = 1;
				else {
					sb_addf(&why, _("unknown word '%s' after field"), t[i].val);
					goto bad;
				}
			}
			cur_field = add_field(f, t[1].val, ind_char(t[2].val[0]),
			                      ind_char(t[2].val[1]), repeat, 0);
		} else if (!strcmp(kw, "sub") && n >= 2) {
			if (cur_field < 0) {
				sb_adds(&why, _("'sub' outside a 'field'"));
				goto bad;
			}
			if (strlen(t[1].val) != 1 || !isalnum((unsigned char)t[1].val[0])) {
				sb_addf(&why, _("subfield code must be one letter or digit, not '%s'"), t[1].val);
				goto bad;
			}
			struct fieldspec *fs = &f->fs[cur_field];
			struct form_elem e = { .code = t[1].val[0], .field = cur_field };
			memcpy(e.tag, fs->tag, 4);
			e.ind1 = fs->ind1;
			e.ind2 = fs->ind2;
			if (elem_attrs(&e, t + 2, n - 2, &why))
				goto bad;
			add_elem(f, &e);
		} else {
			sb_addf(&why, _("cannot understand '%s' here"), kw);
			goto bad;
		}
		continue;
bad:
		if (err)
			sb_addf(err, "%s:%d: %s", name, lineno, why.buf);
		sb_release(&why);
		form_destroy(f);
		return NULL;
	}
	sb_release(&why);
	if (!f->id)
		f->id = arena_strndup(f->a, "form", 4);
	return f;
}

form *form_load(const char *path, strbuf *err)
{
	strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, path) < 0) {
		if (err)
			sb_addf(err, _("cannot read '%s'"), path);
		sb_release(&sb);
		return NULL;
	}
	form *f = form_parse(sb.buf ? sb.buf : "", path, err);
	sb_release(&sb);
	return f;
}

void form_destroy(form *f)
{
	if (!f)
		return;
	free(f->el);
	free(f->fs);
	arena_destroy(f->a);
	free(f);
}

/* ---- search path ---- */

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *form_user_dir(void)
{
	const char *env = getenv("BIENMUC_FORMDIR");
	if (env && *env)
		return xstrdup(env);
	strbuf p = STRBUF_INIT;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		sb_addf(&p, "%s/bienmuc/forms", xdg);
	else if (home && *home)
		sb_addf(&p, "%s/.local/share/bienmuc/forms", home);
	else
		return NULL;
	return sb_detach(&p, NULL);
}

/* Candidate directories, in order; returns how many were written
 * (malloc'd strings, caller frees). */
static int form_dirs(char **dirs, int max)
{
	int n = 0;
	const char *env = getenv("BIENMUC_FORMDIR");
	if (env && *env && n < max)
		dirs[n++] = xstrdup(env);
	char *user = form_user_dir();
	if (user && n < max && (!env || strcmp(user, env)))
		dirs[n++] = user;
	else
		free(user);
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0 && n < max) {
		exe[k] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			strbuf p = STRBUF_INIT;
			sb_add(&p, exe, (size_t)(slash - exe));
			sb_adds(&p, "/forms");
			dirs[n++] = sb_detach(&p, NULL);
		}
	}
	if (n < max)
		dirs[n++] = xstrdup(BM_DATADIR "/forms");
	return n;
}

static void free_dirs(char **dirs, int n)
{
	for (int i = 0; i < n; i++)
		free(dirs[i]);
}

char *form_find(const char *name, const char *ext)
{
	if (strchr(name, '/'))
		return access(name, R_OK) == 0 ? xstrdup(name) : NULL;
	char *dirs[4];
	int n = form_dirs(dirs, 4);
	char *found = NULL;
	for (int i = 0; i < n && !found; i++) {
		if (!is_dir(dirs[i]))
			continue;
		strbuf p = STRBUF_INIT;
		sb_addf(&p, "%s/%s%s", dirs[i], name, ext);
		if (access(p.buf, R_OK) == 0)
			found = sb_detach(&p, NULL);
		sb_release(&p);
	}
	free_dirs(dirs, n);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **form_names(const char *ext)
{
	char *dirs[4];
	int nd = form_dirs(dirs, 4);
	char **names = NULL;
	size_t n = 0, cap = 0, el = strlen(ext);
	for (int i = 0; i < nd; i++) {
		DIR *d = opendir(dirs[i]);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l <= el || strcmp(de->d_name + l - el, ext))
				continue;
			char *nm = xstrndup(de->d_name, l - el);
			int dup = 0;
			for (size_t j = 0; j < n; j++)
				if (!strcmp(names[j], nm))
					dup = 1;
			if (dup) {
				free(nm);
				continue;
			}
			if (n + 2 > cap) {
				cap = cap ? cap * 2 : 16;
				names = xrealloc(names, cap * sizeof *names);
			}
			names[n++] = nm;
		}
		closedir(d);
	}
	free_dirs(dirs, nd);
	if (!names)
		names = xcalloc(1, sizeof *names);
	qsort(names, n, sizeof *names, cmp_str);
	names[n] = NULL;
	return names;
}

void form_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

/* ---- accessors ---- */

const char *form_id(const form *f) { return f->id; }
const char *form_title(const form *f, int vi)
{
	const char *t = vi ? f->title_vi : f->title_en;
	if (!t)
		t = vi ? f->title_en : f->title_vi;
	return t ? t : f->id;
}
int form_is_authority(const form *f) { return f->authority; }
size_t form_nelems(const form *f) { return f->nel; }
const struct form_elem *form_elem(const form *f, size_t i) { return i < f->nel ? &f->el[i] : NULL; }

/* ---- building ---- */

char *form_expand(const char *value, const struct form_env *env)
{
	time_t now = env && env->now ? (time_t)env->now : time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char buf[32];
	strbuf sb = STRBUF_INIT;
	for (const char *p = value; *p; ) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (e) {
				size_t n = (size_t)(e - p - 1);
				const char *rep = NULL;
				if (n == 3 && !strncmp(p + 1, "org", 3))
					rep = env && env->org ? env->org : "XX";
				else if (n == 5 && !strncmp(p + 1, "today", 5)) {
					snprintf(buf, sizeof buf, "%02d%02d%02d", tm.tm_year % 100,
					         tm.tm_mon + 1, tm.tm_mday);
					rep = buf;
				} else if (n == 4 && !strncmp(p + 1, "year", 4)) {
					strftime(buf, sizeof buf, "%Y", &tm);
					rep = buf;
				} else if (n == 4 && !strncmp(p + 1, "date", 4)) {
					strftime(buf, sizeof buf, "%Y%m%d", &tm);
					rep = buf;
				}
				if (rep) {
					sb_adds(&sb, rep);
					p = e + 1;
					continue;
				}
			}
		}
		sb_addc(&sb, *p++);
	}
	return sb_detach(&sb, NULL);
}

static int empty(const char *s)
{
	if (!s)
		return 1;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return !*s;
}

/* Add the subfields of elements [from, to) of field spec fi to field idx
 * of out; occurrence `occ` picks the occ-th line of repeated answers for
 * a repeatable field. Returns the number of non-empty prompted values. */
static int fill_field(const form *f, size_t from, size_t to, const char *const *answers,
                      const struct form_env *env, rec *out, size_t idx, int occ)
{
	int prompted = 0;
	for (size_t i = from; i < to; i++) {
		const struct form_elem *e = &f->el[i];
		const char *ans = e->flags & FORM_CONST ? e->value : (answers ? answers[i] : NULL);
		if (empty(ans))
			continue;
		char *val = form_expand(ans, env);
		/* split lines: repeated subfields, or the occ-th line of a repeated field */
		int line = 0;
		for (char *s = val; s; line++) {
			char *nl = strchr(s, '\n');
			if (nl)
				*nl = 0;
			int take = f->fs[e->field].repeat && !(e->flags & FORM_CONST) ? line == occ : 1;
			if (take && !empty(s)) {
				rec_add_sub(out, idx, e->code, s, strlen(s));
				if (!(e->flags & FORM_CONST))
					prompted++;
			}
			s = nl ? nl + 1 : NULL;
			if (!(e->flags & FORM_REPEAT) && !f->fs[e->field].repeat)
				break;
		}
		free(val);
	}
	return prompted;
}

static int max_lines(const form *f, size_t from, size_t to, const char *const *answers)
{
	int m = 1;
	for (size_t i = from; i < to; i++) {
		if (f->el[i].flags & FORM_CONST || !answers || !answers[i])
			continue;
		int n = 1;
		for (const char *s = answers[i]; *s; s++)
			if (*s == '\n' && s[1])
				n++;
		if (n > m)
			m = n;
	}
	return m;
}

int form_build(const form *f, const char *const *answers,
               const struct form_env *env, rec *out, strbuf *err)
{
	int rc = 0;
	rec_clear(out);
	rec_set_leader(out, f->leader, REC_LEADER_LEN);
	for (size_t i = 0; i < f->nel; ) {
		const struct form_elem *e = &f->el[i];
		const struct fieldspec *fs = &f->fs[e->field];
		size_t j = i;
		while (j < f->nel && f->el[j].field == e->field)
			j++;
		if (fs->control) {
			const char *ans = e->flags & FORM_CONST ? e->value : (answers ? answers[i] : NULL);
			if (empty(ans) && !(e->flags & FORM_CONST))
				ans = e->value;
			if (!empty(ans)) {
				char *v = form_expand(ans, env);
				rec_add_control(out, fs->tag, v, strlen(v));
				free(v);
			}
		} else {
			int all_const = 1;
			for (size_t k = i; k < j; k++)
				if (!(f->el[k].flags & FORM_CONST))
					all_const = 0;
			/* the first prompted subfield decides whether the field is kept */
			size_t key = i;
			while (key < j && (f->el[key].flags & FORM_CONST))
				key++;
			int occs = fs->repeat ? max_lines(f, i, j, answers) : 1;
			for (int occ = 0; occ < occs; occ++) {
				size_t idx = rec_add_field(out, fs->tag, fs->ind1, fs->ind2);
				int prompted = fill_field(f, i, j, answers, env, out, idx, occ);
				int keep = all_const || (prompted && rec_find_sub(out, idx, f->el[key].code) >= 0);
				if (!keep || rec_nsub(out, idx) == 0)
					rec_delete_field(out, idx);
			}
		}
		for (size_t k = i; k < j; k++) {
			const struct form_elem *x = &f->el[k];
			if ((x->flags & FORM_REQUIRED) && !(x->flags & FORM_CONST) &&
			    (!answers || empty(answers[k]))) {
				if (err) {
					if (err->len)
						sb_adds(err, "; ");
					strbuf what = STRBUF_INIT;
					if (x->code)
						sb_addf(&what, "%s $%c", x->tag, x->code);
					else
						sb_addf(&what, "%s", x->tag);
					if (x->prompt_vi || x->prompt_en)
						sb_addf(&what, " (%s)", x->prompt_vi ? x->prompt_vi : x->prompt_en);
					/* TRANSLATORS: %s is a field, e.g. "245 $a (Nhan đề chính)" */
					sb_addf(err, _("%s is required"), what.buf);
					sb_release(&what);
				}
				rc = -1;
			}
		}
		i = j;
	}
	isbd_punctuate(out);      /* the cataloguer types the values, not the marks */
	return rc;
}

/* Index at which a field with tag should be inserted to keep tag order. */
static size_t tag_position(const rec *r, const char *tag)
{
	size_t n = rec_nfields(r), i = n;
	while (i > 0 && strcmp(rec_tag(r, i - 1), tag) > 0)
		i--;
	return i;
}

int form_apply_constants(const form *cd, const struct form_env *env, rec *r)
{
	int changes = 0;
	rec *tmp = rec_create();
	/* build the constant record: every element's value is taken */
	for (size_t i = 0; i < cd->nel; ) {
		const struct form_elem *e = &cd->el[i];
		const struct fieldspec *fs = &cd->fs[e->field];
		size_t j = i;
		while (j < cd->nel && cd->el[j].field == e->field)
			j++;
		long have = rec_find(r, fs->tag, 0);
		if (fs->control) {
			if (have < 0 && !empty(e->value)) {
				char *v = form_expand(e->value, env);
				rec_insert_control(r, tag_position(r, fs->tag), fs->tag, v, strlen(v));
				free(v);
				changes++;
			}
		} else if (have < 0) {
			size_t idx = rec_add_field(tmp, fs->tag, fs->ind1, fs->ind2);
			for (size_t k = i; k < j; k++) {
				if (empty(cd->el[k].value))
					continue;
				char *v = form_expand(cd->el[k].value, env);
				rec_add_sub(tmp, idx, cd->el[k].code, v, strlen(v));
				free(v);
			}
			if (rec_nsub(tmp, idx)) {
				rec_insert_copy(r, tag_position(r, fs->tag), tmp, idx);
				changes++;
			}
		} else {
			for (size_t k = i; k < j; k++) {
				if (empty(cd->el[k].value) || rec_find_sub(r, (size_t)have, cd->el[k].code) >= 0)
					continue;
				char *v = form_expand(cd->el[k].value, env);
				rec_add_sub(r, (size_t)have, cd->el[k].code, v, strlen(v));
				free(v);
				changes++;
			}
		}
		i = j;
	}
	rec_destroy(tmp);
	return changes;
}

static void put_quoted(strbuf *out, const char *s, size_t n)
{
	sb_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			sb_addc(out, '\\');
		sb_addc(out, s[i]);
	}
	sb_addc(out, '"');
}

void form_from_record(const rec *r, const char *id, const char *title, strbuf *out)
{
	sb_addf(out, "# %s.form - saved from a record by bienmuc; edit freely (see bienmuc-forms(5))\n", id);
	sb_addf(out, "form %s\n", id);
	if (title && *title) {
		sb_adds(out, "title.vi ");
		sb_adds(out, title);
		sb_adds(out, "\ntitle.en ");
		sb_adds(out, title);
		sb_addc(out, '\n');
	}
	sb_adds(out, (rec_leader(r)[6] == 'z') ? "kind authority\n" : "kind bib\n");
	sb_adds(out, "leader ");
	char ldr[REC_LEADER_LEN + 1];
	memcpy(ldr, rec_leader(r), sizeof ldr);
	memset(ldr, ' ', 5);           /* length: computed */
	memset(ldr + 12, ' ', 5);      /* base address: computed */
	put_quoted(out, ldr, REC_LEADER_LEN);
	sb_addc(out, '\n');
	for (size_t f = 0; f < rec_nfields(r); f++) {
		const char *tag = rec_tag(r, f);
		if (!strcmp(tag, "001") || !strcmp(tag, "005"))
			continue;   /* identity and version belong to the saved record */
		if (rec_is_control(r, f)) {
			size_t n;
			const char *d = rec_data(r, f, &n);
			sb_addf(out, "control %s ", tag);
			put_quoted(out, d, n);
			sb_addc(out, '\n');
			continue;
		}
		char i1 = rec_ind(r, f, 1), i2 = rec_ind(r, f, 2);
		sb_addf(out, "field %s %c%c\n", tag, i1 == ' ' ? '#' : i1, i2 == ' ' ? '#' : i2);
		for (size_t s = 0; s < rec_nsub(r, f); s++) {
			size_t n;
			const char *v = rec_sub_value(r, f, s, &n);
			sb_addf(out, "  sub %c default=", rec_sub_code(r, f, s));
			put_quoted(out, v, n);
			sb_addc(out, '\n');
		}
	}
}
