/*
 * isismap.c - CDS/ISIS (and other non-MARC ISO 2709) to MARC21 mapping
 * (see isismap.h; file format in man/bienmuc-map.5).
 *
 * Each `map` rule sends a source subfield (or a whole source field) to a
 * target tag, indicators and subfield code. Subfields of one source field
 * occurrence that map to the same target tag land in the same target
 * field, so a repeated source field gives a repeated MARC field. What no
 * rule covers is kept in a note field, dropped, or makes the record a
 * reject, as the `rest` statement says: nothing is lost silently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>

#include "isismap.h"
#include "i18n-lower.h"

struct rule {
	char src[4];
	char scode;       /* 0 = whole field, '*' = text before the first ^ */
	char dst[4];
	char ind1, ind2;
	char dcode;       /* 0 for a control field target */
};

struct csub {
	char code;
	char *val;
};

struct cfield {
	char tag[4];
	char ind1, ind2;
	int control;
	char *val;        /* control */
	struct csub *subs;
	size_t nsub;
};

enum { REST_KEEP, REST_DROP, REST_REJECT };

struct isismap {
	char leader[REC_LEADER_LEN + 1];
	struct rule *rules;
	size_t nrules;
	struct cfield *consts;
	size_t nconsts;
	char (*drops)[4];
	size_t ndrops;
	int rest;
	char rest_tag[4];
	int tidy;
	arena *a;
};

/* ---- parsing ---- */

static char *next_word(char **p, arena *a, int *err)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	if (*s == '"') {
		s++;
		while (*s && *s != '"') {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			sb_addc(&sb, *s++);
		}
		if (*s != '"')
			*err = 1;
		else
			s++;
	} else
		while (*s && *s != ' ' && *s != '\t')
			sb_addc(&sb, *s++);
	*p = s;
	char *w = arena_strndup(a, sb.buf ? sb.buf : "", sb.len);
	sb_release(&sb);
	return w;
}

static int tag_ok(const char *t)
{
	if (strlen(t) == 0 || strlen(t) > 3)
		return 0;
	for (const char *p = t; *p; p++)
		if (!isalnum((unsigned char)*p))
			return 0;
	return 1;
}

/* Source tags may be written 1-3 digits ("10", "200"); normalise to 3. */
static void norm_tag(char dst[4], const char *t)
{
	size_t n = strlen(t);
	memset(dst, '0', 3);
	memcpy(dst + 3 - n, t, n);
	dst[3] = 0;
}

static char ind(char c)
{
	return (c == '#' || c == '_' || c == '\\') ? ' ' : c;
}

isismap *isismap_parse(const char *text, const char *name, strbuf *err)
{
	isismap *m = xcalloc(1, sizeof *m);
	m->a = arena_create(0);
	memcpy(m->leader, "     nam a22     7a 4500", REC_LEADER_LEN + 1);
	m->rest = REST_KEEP;
	memcpy(m->rest_tag, "500", 4);
	size_t caprules = 0, capconsts = 0, capdrops = 0;
	int lineno = 0;
	strbuf why = STRBUF_INIT;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = arena_strndup(m->a, p, len);
		p += len + (eol ? 1 : 0);
		lineno++;
		if (len && line[len - 1] == '\r')
			line[len - 1] = 0;
		int qerr = 0;
		char *cur = line;
		char *kw = next_word(&cur, m->a, &qerr);
		if (!kw || kw[0] == '#')       /* blank line or comment line */
			continue;
		char *w[16];
		int n = 0;
		while (n < 16 && (w[n] = next_word(&cur, m->a, &qerr)))
			n++;
		if (qerr) {
			sb_adds(&why, _("unterminated quoted string"));
			goto bad;
		}
		if (!strcmp(kw, "map")) {
			/* map SRC[^c] DST [II CODE] */
			if (n != 2 && n != 4) {
				sb_adds(&why, _("use: map SOURCE[^c] TAG IND CODE, or map SOURCE TAG for a control field"));
				goto bad;
			}
			struct rule r = { .scode = 0 };
			char *caret = strchr(w[0], '^');
			if (caret) {
				if (strlen(caret) != 2) {
					sb_addf(&why, _("'%s': a subfield is ^ and one character"), w[0]);
					goto bad;
				}
				r.scode = caret[1];
				*caret = 0;
			}
			if (!tag_ok(w[0]) || !tag_ok(w[1]) || strlen(w[1]) != 3) {
				sb_addf(&why, _("bad tag in '%s %s'"), w[0], w[1]);
				goto bad;
			}
			norm_tag(r.src, w[0]);
			memcpy(r.dst, w[1], 4);
			if (n == 4) {
				if (strlen(w[2]) != 2 || strlen(w[3]) != 1 || rec_tag_is_control(r.dst)) {
					sb_addf(&why, _("'%s %s %s': indicators are two characters (# = blank), the code one"),
					        w[1], w[2], w[3]);
					goto bad;
				}
				r.ind1 = ind(w[2][0]);
				r.ind2 = ind(w[2][1]);
				r.dcode = w[3][0];
			} else if (!rec_tag_is_control(r.dst)) {
				sb_addf(&why, _("'%s' is a data field: give indicators and a subfield code"), w[1]);
				goto bad;
			}
			if (m->nrules == caprules) {
				caprules = caprules ? caprules * 2 : 32;
				m->rules = xrealloc(m->rules, caprules * sizeof *m->rules);
			}
			m->rules[m->nrules++] = r;
		} else if (!strcmp(kw, "const") || !strcmp(kw, "control")) {
			struct cfield c;
			memset(&c, 0, sizeof c);
			if (n < 2 || !tag_ok(w[0]) || strlen(w[0]) != 3) {
				sb_adds(&why, _("use: const TAG IND c=VALUE..., or control TAG \"VALUE\""));
				goto bad;
			}
			memcpy(c.tag, w[0], 4);
			if (rec_tag_is_control(c.tag)) {
				c.control = 1;
				c.val = w[1];
			} else {
				if (strlen(w[1]) != 2 || n < 3) {
					sb_adds(&why, _("use: const TAG IND c=VALUE..."));
					goto bad;
				}
				c.ind1 = ind(w[1][0]);
				c.ind2 = ind(w[1][1]);
				c.subs = arena_alloc(m->a, (size_t)(n - 2) * sizeof *c.subs);
				for (int i = 2; i < n; i++) {
					if (strlen(w[i]) < 2 || w[i][1] != '=') {
						sb_addf(&why, _("'%s': subfields are written c=VALUE"), w[i]);
						goto bad;
					}
					c.subs[c.nsub].code = w[i][0];
					c.subs[c.nsub].val = w[i] + 2;
					c.nsub++;
				}
			}
			if (m->nconsts == capconsts) {
				capconsts = capconsts ? capconsts * 2 : 8;
				m->consts = xrealloc(m->consts, capconsts * sizeof *m->consts);
			}
			m->consts[m->nconsts++] = c;
		} else if (!strcmp(kw, "leader") && n == 1) {
			if (strlen(w[0]) != REC_LEADER_LEN) {
				sb_adds(&why, _("the leader must be 24 characters (in quotes)"));
				goto bad;
			}
			memcpy(m->leader, w[0], REC_LEADER_LEN);
		} else if (!strcmp(kw, "drop") && n >= 1) {
			for (int i = 0; i < n; i++) {
				if (!tag_ok(w[i])) {
					sb_addf(&why, _("bad tag '%s'"), w[i]);
					goto bad;
				}
				if (m->ndrops == capdrops) {
					capdrops = capdrops ? capdrops * 2 : 8;
					m->drops = xrealloc(m->drops, capdrops * sizeof *m->drops);
				}
				norm_tag(m->drops[m->ndrops++], w[i]);
			}
		} else if (!strcmp(kw, "rest") && n >= 1) {
			if (!strcmp(w[0], "drop"))
				m->rest = REST_DROP;
			else if (!strcmp(w[0], "reject"))
				m->rest = REST_REJECT;
			else if (!strcmp(w[0], "keep") && (n == 1 || (n == 2 && strlen(w[1]) == 3))) {
				m->rest = REST_KEEP;
				if (n == 2)
					memcpy(m->rest_tag, w[1], 4);
			} else {
				sb_adds(&why, _("use: rest keep [TAG] | rest drop | rest reject"));
				goto bad;
			}
		} else if (!strcmp(kw, "tidy") && n == 1) {
			m->tidy = !strcmp(w[0], "on");
		} else {
			sb_addf(&why, _("cannot understand '%s'"), kw);
			goto bad;
		}
		continue;
bad:
		if (err)
			sb_addf(err, "%s:%d: %s", name, lineno, why.buf);
		sb_release(&why);
		isismap_destroy(m);
		return NULL;
	}
	sb_release(&why);
	return m;
}

isismap *isismap_load(const char *path, strbuf *err)
{
	strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, path) < 0) {
		if (err)
			sb_addf(err, _("cannot read mapping file '%s'"), path);
		sb_release(&sb);
		return NULL;
	}
	isismap *m = isismap_parse(sb.buf ? sb.buf : "", path, err);
	sb_release(&sb);
	return m;
}

void isismap_destroy(isismap *m)
{
	if (!m)
		return;
	free(m->rules);
	free(m->consts);
	free(m->drops);
	arena_destroy(m->a);
	free(m);
}

/* ---- applying ---- */

struct srcsub {
	char code;
	const char *val;
	size_t len;
	int used;
};

/* Split "text^aone^btwo" into subfields; leading text is code '*'. */
static size_t split_subs(const char *s, size_t n, struct srcsub *out, size_t max)
{
	size_t k = 0, i = 0;
	size_t start = 0;
	char code = '*';
	while (i <= n && k < max) {
		if (i == n || (s[i] == '^' && i + 1 < n)) {
			size_t a = start, b = i;
			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			if (b > a || code != '*') {
				out[k].code = code;
				out[k].val = s + a;
				out[k].len = b - a;
				out[k].used = 0;
				if (b > a)
					k++;
			}
			if (i == n)
				break;
			code = (char)tolower((unsigned char)s[i + 1]);
			i += 2;
			start = i;
			continue;
		}
		i++;
	}
	return k;
}

static const char *source_sub(const rec *src, const char *tag, char code, size_t *len)
{
	for (long f = rec_find(src, tag, 0); f >= 0; f = rec_find(src, tag, (size_t)f + 1)) {
		size_t n;
		const char *d = rec_data(src, (size_t)f, &n);
		if (!d)
			continue;
		struct srcsub ss[64];
		size_t k = split_subs(d, n, ss, 64);
		for (size_t i = 0; i < k; i++)
			if (ss[i].code == code || (code == 0 && i == 0)) {
				*len = ss[i].len;
				return ss[i].val;
			}
	}
	return NULL;
}

/* Expand {org}, {today}, {year:TAG^c} (first 4-digit run of a source
 * subfield, else 4 blanks... as "uuuu"), into a malloc'd string. */
static char *expand(const char *v, const rec *src, const char *org)
{
	strbuf sb = STRBUF_INIT;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	for (const char *p = v; *p; ) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (e) {
				size_t n = (size_t)(e - p - 1);
				if (n == 3 && !strncmp(p + 1, "org", 3)) {
					sb_adds(&sb, org ? org : "XX");
					p = e + 1;
					continue;
				}
				if (n == 5 && !strncmp(p + 1, "today", 5)) {
					sb_addf(&sb, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
					p = e + 1;
					continue;
				}
				if (n > 5 && !strncmp(p + 1, "year:", 5)) {
					char tag[4], code = 0, spec[16];
					size_t sl = n - 5 < sizeof spec - 1 ? n - 5 : sizeof spec - 1;
					memcpy(spec, p + 6, sl);
					spec[sl] = 0;
					char *caret = strchr(spec, '^');
					if (caret) {
						code = caret[1];
						*caret = 0;
					}
					const char *year = "uuuu";
					char found[5];
					if (tag_ok(spec)) {
						norm_tag(tag, spec);
						size_t len;
						const char *s = source_sub(src, tag, code, &len);
						for (size_t i = 0; s && i + 4 <= len; i++)
							if (isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1]) &&
							    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
								memcpy(found, s + i, 4);
								found[4] = 0;
								year = found;
								break;
							}
					}
					sb_adds(&sb, year);
					p = e + 1;
					continue;
				}
			}
		}
		sb_addc(&sb, *p++);
	}
	return sb_detach(&sb, NULL);
}

static int dropped(const isismap *m, const char *tag)
{
	for (size_t i = 0; i < m->ndrops; i++)
		if (!strcmp(m->drops[i], tag))
			return 1;
	return 0;
}

/* ---- ISBD tidying ---- */

static int ends_with_any(const char *s, size_t n, const char *set)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n > 0 && strchr(set, s[n - 1]) != NULL;
}

/* Append punct to subfield s of field f unless it already ends in one of
 * `unless`. */
static void add_punct(rec *r, size_t f, size_t s, const char *punct, const char *unless)
{
	size_t n;
	const char *v = rec_sub_value(r, f, s, &n);
	if (!n || ends_with_any(v, n, unless))
		return;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, v, n);
	sb_adds(&sb, punct);
	rec_set_sub(r, f, s, rec_sub_code(r, f, s), sb.buf, sb.len);
	sb_release(&sb);
}

static void tidy_field(rec *r, size_t f)
{
	const char *tag = rec_tag(r, f);
	size_t ns = rec_nsub(r, f);
	if (!ns)
		return;
	for (size_t s = 0; s + 1 < ns; s++) {
		char next = rec_sub_code(r, f, s + 1);
		char cur = rec_sub_code(r, f, s);
		if (!strcmp(tag, "245")) {
			if (next == 'b')
				add_punct(r, f, s, " :", ":;=/");
			else if (next == 'c')
				add_punct(r, f, s, " /", "/");
			else if (next == 'n' || next == 'p')
				add_punct(r, f, s, ".", ".?!");
		} else if (!strcmp(tag, "260") || !strcmp(tag, "264")) {
			if (next == 'b' && cur == 'a')
				add_punct(r, f, s, " :", ":;");
			else if (next == 'c')
				add_punct(r, f, s, ",", ",");
		} else if (!strcmp(tag, "300")) {
			if (next == 'b')
				add_punct(r, f, s, " :", ":");
			else if (next == 'c')
				add_punct(r, f, s, " ;", ";");
		} else if (!strcmp(tag, "490")) {
			if (next == 'v')
				add_punct(r, f, s, " ;", ";");
		} else if (tag[0] == '1' || tag[0] == '7' || !strcmp(tag, "600")) {
			if (cur == 'a' && next == 'd' && (tag[1] == '0'))
				add_punct(r, f, s, ",", ",-");
		}
	}
	/* final punctuation */
	if (!strcmp(tag, "245") || !strcmp(tag, "250") || !strcmp(tag, "260") ||
	    !strcmp(tag, "264") || !strcmp(tag, "500") || !strcmp(tag, "520") ||
	    ((tag[0] == '1' || tag[0] == '7') && tag[1] == '0'))
		add_punct(r, f, ns - 1, ".", ".?!-");
}

static void tidy(rec *r)
{
	int has1xx = rec_find(r, "1..", 0) >= 0;
	for (size_t f = 0; f < rec_nfields(r); f++) {
		if (rec_is_control(r, f))
			continue;
		const char *tag = rec_tag(r, f);
		if (!strcmp(tag, "245"))
			rec_set_ind(r, f, has1xx ? '1' : '0', rec_ind(r, f, 2) == ' ' ? '0' : rec_ind(r, f, 2));
		/* personal names: an inverted "Surname, Forename" takes indicator 1,
		 * a name in direct order (Vietnamese practice) indicator 0 */
		if ((tag[0] == '1' || tag[0] == '6' || tag[0] == '7') && tag[1] == '0' && tag[2] == '0') {
			long a = rec_find_sub(r, f, 'a');
			const char *v = a >= 0 ? rec_sub_value(r, f, (size_t)a, NULL) : NULL;
			const char *comma = v ? strstr(v, ", ") : NULL;
			int inverted = comma && comma[2];
			if (v && (rec_ind(r, f, 1) == '0' || rec_ind(r, f, 1) == '1'))
				rec_set_ind(r, f, inverted ? '1' : '0', rec_ind(r, f, 2));
		}
		tidy_field(r, f);
	}
}

int isismap_apply(const isismap *m, const rec *src, rec *dst, const char *org, strbuf *err)
{
	int rc = 0;
	rec_clear(dst);
	rec_set_leader(dst, m->leader, REC_LEADER_LEN);
	strbuf note = STRBUF_INIT;
	for (size_t f = 0; f < rec_nfields(src); f++) {
		const char *tag = rec_tag(src, f);
		if (dropped(m, tag))
			continue;
		size_t n;
		const char *d = rec_data(src, f, &n);
		if (!d) {
			/* not read raw: take the subfields as they are */
			d = "";
			n = 0;
		}
		struct srcsub ss[128];
		size_t k = split_subs(d, n, ss, 128);
		/* target fields created for this source occurrence */
		long made[32];
		char madetag[32][4];
		size_t nmade = 0;
		int any_rule = 0;
		for (size_t ri = 0; ri < m->nrules; ri++) {
			const struct rule *r = &m->rules[ri];
			if (strcmp(r->src, tag))
				continue;
			any_rule = 1;
			for (size_t i = 0; i < k; i++) {
				const char *val = ss[i].val;
				size_t len = ss[i].len;
				if (r->scode == 0) {
					/* whole field: the leading text, or everything if no ^ */
					if (k > 1 && ss[i].code != '*')
						continue;
					if (k == 1) {
						val = ss[0].val;
						len = ss[0].len;
					}
				} else if (ss[i].code != r->scode)
					continue;
				ss[i].used = 1;
				if (!r->dcode) {
					if (rec_find(dst, r->dst, 0) < 0)
						rec_add_control(dst, r->dst, val, len);
					continue;
				}
				long tf = -1;
				for (size_t j = 0; j < nmade; j++)
					if (!strcmp(madetag[j], r->dst))
						tf = made[j];
				if (tf < 0 && nmade < 32) {
					tf = (long)rec_add_field(dst, r->dst, r->ind1, r->ind2);
					made[nmade] = tf;
					memcpy(madetag[nmade], r->dst, 4);
					nmade++;
				}
				if (tf >= 0)
					rec_add_sub(dst, (size_t)tf, r->dcode, val, len);
			}
		}
		for (size_t i = 0; i < k; i++) {
			if (ss[i].used)
				continue;
			if (m->rest == REST_DROP)
				continue;
			if (m->rest == REST_REJECT) {
				if (err) {
					if (err->len)
						sb_adds(err, "; ");
					if (ss[i].code == '*')
						sb_addf(err, _("source field %s has no mapping"), tag);
					else
						sb_addf(err, _("source field %s ^%c has no mapping"), tag, ss[i].code);
				}
				rc = -1;
				continue;
			}
			sb_reset(&note);
			if (ss[i].code == '*' && !any_rule)
				sb_addf(&note, "[%s] ", tag);
			else
				sb_addf(&note, "[%s^%c] ", tag, ss[i].code);
			sb_add(&note, ss[i].val, ss[i].len);
			size_t nf = rec_add_field(dst, m->rest_tag, ' ', ' ');
			rec_add_sub(dst, nf, 'a', note.buf, note.len);
		}
	}
	sb_release(&note);
	for (size_t c = 0; c < m->nconsts; c++) {
		const struct cfield *cf = &m->consts[c];
		if (rec_find(dst, cf->tag, 0) >= 0)
			continue;
		if (cf->control) {
			char *v = expand(cf->val, src, org);
			rec_add_control(dst, cf->tag, v, strlen(v));
			free(v);
		} else {
			size_t nf = rec_add_field(dst, cf->tag, cf->ind1, cf->ind2);
			for (size_t s = 0; s < cf->nsub; s++) {
				char *v = expand(cf->subs[s].val, src, org);
				rec_add_sub(dst, nf, cf->subs[s].code, v, strlen(v));
				free(v);
			}
		}
	}
	rec_sort_fields(dst);
	if (m->tidy)
		tidy(dst);
	return rc;
}
