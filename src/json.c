/*
 * json.c - MARC-in-JSON reader and writer (Ross Singer's layout, the one
 * yaz_marc_write_json produces):
 *
 *   {"leader":"...","fields":[{"001":"..."},
 *     {"245":{"ind1":"1","ind2":"0","subfields":[{"a":"..."},{"c":"..."}]}}]}
 *
 * Reader. A file may hold one object, a JSON array of objects, or objects
 * one after another (one per line, or pretty-printed as yaz-marcdump -o
 * json writes them). Records are split by a streaming brace scan at the
 * top level (aware of strings and escapes), so memory stays bounded by
 * one record; each object is then parsed with yaz's JSON parser
 * (yaz/json.h) and its json_node tree walked here. A record that is not
 * valid JSON is rejected with the byte offset, line and column of the
 * error, and reading goes on with the next top-level object. An object
 * that never closes ends where a new line starts with '{' (the next
 * record in every layout we know), so one broken record does not take
 * the rest of the file with it. Bytes outside any object that are not
 * '[', ']', ',' or blanks are rejected as one "record" each, so nothing
 * in the input goes unaccounted.
 * Fix-ups, each with a warning: a one- or two-digit tag is zero-padded;
 * a leader that is not 24 characters is padded or cut; a missing leader
 * gets a default one; missing indicators (or U+FFFD, the mark of an
 * indicator already lost) become blanks; a data field
 * with no subfields is kept; unknown members are ignored. Rejected: a
 * subfield code or indicator that is not one character, a value that is
 * not a string, "\u0000", anything that is not the layout above. The
 * MARC separators U+001D-U+001F are data like any other control character
 * (the charset firewall warns about them; the ISO 2709 writer refuses a
 * record where they cannot be written), so what the writer writes reads
 * back. Escaped surrogate pairs ("\ud83d\ude00")
 * are joined into one character (yaz's parser leaves them as CESU-8).
 *
 * Writer. A JSON array, one record per line, members in the order shown
 * above; strings escaped as JSON requires (", \, control characters),
 * everything else written as UTF-8. A record holding a NUL byte is refused
 * (the reader cannot take "\u0000"). yaz-marcdump -i json reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaz/json.h>
/* yaz/xmalloc.h (pulled in by yaz/json.h) defines macros named like our
 * util.h allocators */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xstrdup
#undef xstrndup
#undef xfree

#include "marcio-impl.h"
#include "i18n-lower.h"

#define JUNK_MAX (1u << 20)

struct jst {
	strbuf obj;            /* bytes of the current object */
	strbuf tmp;
	json_parser_t jp;
	long long line;        /* line of the next unread byte (1-based) */
	long long line_off;    /* file offset where that line starts */
	long long base;
};

/* ------------------------------------------------------------------ */
/* Reader: splitting the input into top-level objects */

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Consume n bytes from the reader, keeping line numbers. */
static void take(struct jst *st, marc_reader *rd, size_t n)
{
	const char *p = mr_data(rd);
	long long off = mr_tell(rd);
	for (const char *nl = memchr(p, '\n', n); nl; nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - p))) {
		st->line++;
		st->line_off = off + (nl - p) + 1;
	}
	mr_consume(rd, n);
}

/* Skip blanks, '[', ']', ',' and a BOM at the start. Returns the next
 * byte, or -1 at end of input. */
static int skip_between(struct jst *st, marc_reader *rd)
{
	for (;;) {
		size_t n = mr_fill(rd, 3);
		if (n == 0)
			return -1;
		const char *p = mr_data(rd);
		if (mr_tell(rd) == st->base && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
			take(st, rd, 3);
			continue;
		}
		size_t i = 0;
		while (i < n && (is_blank((unsigned char)p[i]) || p[i] == '[' || p[i] == ']' || p[i] == ','))
			i++;
		take(st, rd, i);
		if (i < n)
			return (unsigned char)p[i];
	}
}

/* Scan one object starting at '{' into st->obj. Returns 0 when it
 * closed, -1 if it did not (end of input, or a line starting with '{'
 * while still inside it). */
/* Bytes that end a run of plain string bytes ('\n' for the resync). */
static const unsigned char str_special[256] = {
	['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

static int scan_object(struct jst *st, marc_reader *rd)
{
	int depth = 0, in_str = 0, esc = 0, prev_nl = 0;
	sb_reset(&st->obj);
	for (;;) {
		size_t n = mr_fill(rd, 1);
		if (n == 0)
			return -1;
		const char *p = mr_data(rd);
		size_t i;
		int done = 0, cut = 0;
		for (i = 0; i < n; i++) {
			char c = p[i];
			if (prev_nl && c == '{' && st->obj.len + i > 0) {
				cut = 1;
				break;
			}
			prev_nl = c == '\n';
			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0;
				else if (c != '\n') {
					/* the common case: plain string bytes */
					while (i + 1 < n && !str_special[(unsigned char)p[i + 1]])
						i++;
				}
				continue;
			}
			if (c == '"')
				in_str = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0) {
					i++;
					done = 1;
					break;
				}
			}
		}
		sb_add(&st->obj, p, i);
		take(st, rd, i);
		if (done)
			return 0;
		if (cut)
			return -1;
	}
}

/* Bytes up to the next '{' (or end of input): something that is not a
 * record. */
static void scan_junk(struct jst *st, marc_reader *rd)
{
	sb_reset(&st->obj);
	for (;;) {
		size_t n = mr_fill(rd, 1);
		if (n == 0)
			return;
		const char *p = mr_data(rd);
		const char *b = memchr(p, '{', n);
		size_t k = b ? (size_t)(b - p) : n;
		if (st->obj.len < JUNK_MAX)
			sb_add(&st->obj, p, k < JUNK_MAX - st->obj.len ? k : JUNK_MAX - st->obj.len);
		take(st, rd, k);
		if (b)
			return;
	}
}

/* ------------------------------------------------------------------ */
/* Reader: the json_node tree -> rec */

/* yaz writes an escaped surrogate pair as two 3-byte sequences (CESU-8);
 * join them into one 4-byte UTF-8 character. Lone surrogates are left
 * for the charset firewall to reject as invalid UTF-8. */
static const char *fix_cesu(const char *s, size_t *len, strbuf *tmp)
{
	size_t n = strlen(s);
	*len = n;
	const char *e = memchr(s, 0xED, n);
	if (!e)
		return s;
	sb_reset(tmp);
	size_t i = 0;
	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (i + 6 <= n && u[0] == 0xED && u[1] >= 0xA0 && u[1] <= 0xAF && u[3] == 0xED &&
		    u[4] >= 0xB0 && u[4] <= 0xBF) {
			unsigned hi = 0xD000 | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
			unsigned lo = 0xD000 | ((u[4] & 0x3Fu) << 6) | (u[5] & 0x3Fu);
			unsigned cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
			char b[4] = { (char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
			              (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)) };
			sb_add(tmp, b, 4);
			i += 6;
		} else
			sb_addc(tmp, s[i++]);
	}
	*len = tmp->len;
	return tmp->buf;
}

static const char *type_name(const struct json_node *n)
{
	switch (n->type) {
	case json_node_object: return _("an object");
	case json_node_array: return _("an array");
	case json_node_string: return _("a string");
	case json_node_number: return _("a number");
	case json_node_true:
	case json_node_false: return _("a boolean");
	case json_node_null: return "null";
	default: return _("something else");
	}
}

/* Iterate the pairs of an object / the elements of an array. */
#define FOR_LIST(l, container) \
	for (const struct json_node *l = (container)->u.link[0]; l; l = l->u.link[1])

static const char *pair_key(const struct json_node *pair)
{
	const struct json_node *k = pair->u.link[0];
	return k && k->type == json_node_string && k->u.string ? k->u.string : "";
}

static int norm_tag(const char *t, char out[4], int *padded)
{
	size_t n = strlen(t);
	*padded = 0;
	if (n == 3) {
		for (int i = 0; i < 3; i++)
			if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
				return -1;
		memcpy(out, t, 4);
		return 0;
	}
	if (n == 1 || n == 2) {
		for (size_t i = 0; i < n; i++)
			if (t[i] < '0' || t[i] > '9')
				return -1;
		memcpy(out, "000", 4);
		memcpy(out + 3 - n, t, n);
		*padded = 1;
		return 0;
	}
	return -1;
}

static int get_ind(marc_reader *rd, const char *tag, int which, const struct json_node *v,
                   char *out)
{
	if (!v) {
		mr_warn(rd, _("field %s: missing ind%d; read as blank"), tag, which);
		*out = ' ';
		return 0;
	}
	if (v->type != json_node_string)
		return mr_bad(rd, _("field %s: ind%d is %s, not a string"), tag, which, type_name(v));
	const char *s = v->u.string;
	if (!*s) {
		mr_warn(rd, _("field %s: empty ind%d; read as blank"), tag, which);
		*out = ' ';
		return 0;
	}
	if (!strcmp(s, "\xEF\xBF\xBD")) {
		/* U+FFFD: the indicator was already lost upstream */
		mr_warn(rd, _("field %s: ind%d is U+FFFD (replacement character); read as blank"),
		        tag, which);
		*out = ' ';
		return 0;
	}
	if (s[1] || (unsigned char)s[0] < 0x20 || (unsigned char)s[0] >= 0x7f)
		return mr_bad(rd, _("field %s: ind%d \"%s\" is not one character"), tag, which, s);
	*out = s[0];
	return 0;
}

static int walk_datafield(struct jst *st, marc_reader *rd, rec *r, const char *tag,
                          const struct json_node *obj)
{
	const struct json_node *i1n = NULL, *i2n = NULL, *subs = NULL;
	FOR_LIST(l, obj) {
		const struct json_node *pair = l->u.link[0];
		const char *k = pair_key(pair);
		if (!strcmp(k, "ind1") && !i1n)
			i1n = pair->u.link[1];
		else if (!strcmp(k, "ind2") && !i2n)
			i2n = pair->u.link[1];
		else if (!strcmp(k, "subfields") && !subs)
			subs = pair->u.link[1];
		else
			mr_warn(rd, _("field %s: member \"%s\" ignored"), tag, k);
	}
	char i1, i2;
	if (get_ind(rd, tag, 1, i1n, &i1) != 0 || get_ind(rd, tag, 2, i2n, &i2) != 0)
		return MR_BAD;
	size_t f = rec_add_field(r, tag, i1, i2);
	if (!subs) {
		mr_warn(rd, _("field %s has no subfields"), tag);
		return MR_OK;
	}
	if (subs->type != json_node_array)
		return mr_bad(rd, _("field %s: \"subfields\" is %s, not an array"), tag, type_name(subs));
	FOR_LIST(l, subs) {
		const struct json_node *so = l->u.link[0];
		if (!so || so->type != json_node_object || !so->u.link[0] || so->u.link[0]->u.link[1])
			return mr_bad(rd, _("field %s: a subfield must be an object with one member"), tag);
		const struct json_node *pair = so->u.link[0]->u.link[0];
		const char *code = pair_key(pair);
		const struct json_node *v = pair->u.link[1];
		if (!code[0])
			return mr_bad(rd, _("field %s: subfield with an empty code"), tag);
		if (code[1])
			return mr_bad(rd, _("field %s: subfield code \"%s\" is not one character"), tag, code);
		if ((unsigned char)code[0] < 0x20 || (unsigned char)code[0] >= 0x7f)
			return mr_bad(rd, _("field %s: subfield code 0x%02X is not a printable character"),
			              tag, (unsigned char)code[0]);
		if (v->type != json_node_string)
			return mr_bad(rd, _("field %s $%c: value is %s, not a string"), tag, code[0],
			              type_name(v));
		size_t n;
		const char *s = fix_cesu(v->u.string, &n, &st->tmp);
		rec_add_sub(r, f, code[0], s, n);
	}
	if (!rec_nsub(r, f))
		mr_warn(rd, _("field %s has no subfields"), tag);
	return MR_OK;
}

static int walk_record(struct jst *st, marc_reader *rd, const struct json_node *root, rec *r)
{
	if (root->type != json_node_object)
		return mr_bad(rd, _("a record must be a JSON object, not %s"), type_name(root));
	const struct json_node *leader = NULL, *fields = NULL;
	FOR_LIST(l, root) {
		const struct json_node *pair = l->u.link[0];
		const char *k = pair_key(pair);
		if (!strcmp(k, "leader")) {
			if (leader)
				mr_warn(rd, _("more than one leader; the first was kept"));
			else
				leader = pair->u.link[1];
		} else if (!strcmp(k, "fields")) {
			if (fields)
				return mr_bad(rd, _("more than one \"fields\" member"));
			fields = pair->u.link[1];
		} else
			mr_warn(rd, _("member \"%s\" ignored"), k);
	}
	if (leader) {
		if (leader->type != json_node_string)
			return mr_bad(rd, _("leader is %s, not a string"), type_name(leader));
		const char *s = leader->u.string;
		size_t n = strlen(s);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x80)
				return mr_bad(rd, _("leader: character at position %zu is not printable ASCII"), i);
		if (n < REC_LEADER_LEN)
			mr_warn(rd, _("leader is %zu characters, not 24; padded with blanks"), n);
		else if (n > REC_LEADER_LEN)
			mr_warn(rd, _("leader is %zu characters, not 24; cut to 24 (dropped \"%.*s\")"), n,
			        (int)(n - REC_LEADER_LEN > 40 ? 40 : n - REC_LEADER_LEN), s + REC_LEADER_LEN);
		rec_set_leader(r, s, n);
	}
	if (fields) {
		if (fields->type != json_node_array)
			return mr_bad(rd, _("\"fields\" is %s, not an array"), type_name(fields));
		long i = 0;
		FOR_LIST(l, fields) {
			const struct json_node *fo = l->u.link[0];
			i++;
			if (!fo || fo->type != json_node_object || !fo->u.link[0] || fo->u.link[0]->u.link[1])
				return mr_bad(rd, _("fields[%ld]: a field must be an object with one member (its tag)"),
				              i - 1);
			const struct json_node *pair = fo->u.link[0]->u.link[0];
			const char *t = pair_key(pair);
			const struct json_node *v = pair->u.link[1];
			char tag[4];
			int padded;
			if (norm_tag(t, tag, &padded) != 0)
				return mr_bad(rd, _("fields[%ld]: \"%s\" is not a MARC tag"), i - 1, t);
			if (padded)
				mr_warn(rd, _("tag \"%s\" read as %s"), t, tag);
			if (v->type == json_node_string) {
				size_t n;
				const char *s = fix_cesu(v->u.string, &n, &st->tmp);
				rec_add_control(r, tag, s, n);
			} else if (v->type == json_node_object) {
				if (walk_datafield(st, rd, r, tag, v) != MR_OK)
					return MR_BAD;
			} else
				return mr_bad(rd, _("field %s is %s; expected a string or an object"), tag,
				              type_name(v));
		}
	}
	if (!leader) {
		if (!rec_nfields(r))
			return mr_bad(rd, _("empty record (no leader, no fields)"));
		rec_set_leader(r, "00000nam a2200000   4500", REC_LEADER_LEN);
		mr_warn(rd, _("record has no leader; a default leader was used"));
	}
	return MR_OK;
}

/* Offset of an escaped NUL ("\u0000") in a JSON text, or -1. */
static long escaped_nul(const char *s, size_t n)
{
	for (const char *p = s; (p = memchr(p, '\\', n - (size_t)(p - s))) != NULL; ) {
		size_t k = 0;
		while (p + k < s + n && p[k] == '\\')
			k++;
		if ((k & 1) && p + k + 5 <= s + n && !memcmp(p + k, "u0000", 5))
			return (long)(p + k - 1 - s);
		p += k;
		if (p >= s + n)
			break;
	}
	return -1;
}

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)err;
	struct jst *st = xcalloc(1, sizeof *st);
	st->jp = json_parser_create();
	st->base = mr_tell(rd);
	st->line = 1;
	st->line_off = st->base;
	return st;
}

/* Line and column of offset `pos` within the object that started at
 * file offset `start`, line `line`, line start `lo`. */
static void obj_linecol(const strbuf *obj, size_t pos, long long start, long long line,
                        long long lo, long long *l, long long *c)
{
	long long ls = lo;
	for (size_t i = 0; i < pos && i < obj->len; i++)
		if (obj->buf[i] == '\n') {
			line++;
			ls = start + (long long)i + 1;
		}
	*l = line;
	*c = start + (long long)pos - ls + 1;
}

static int r_next(void *vst, marc_reader *rd, rec *r)
{
	struct jst *st = vst;
	int c = skip_between(st, rd);
	if (c < 0)
		return MR_EOF;
	long long start = mr_tell(rd), line = st->line, lo = st->line_off;
	mr_begin(rd, start);
	if (c != '{') {
		scan_junk(st, rd);
		mr_set_raw(rd, st->obj.buf, st->obj.len);
		return mr_bad(rd, _("line %lld, column %lld: not a JSON object (starts with '%c')"),
		              line, start - lo + 1, c);
	}
	int closed = scan_object(st, rd) == 0;
	mr_set_raw(rd, st->obj.buf, st->obj.len);
	if (!closed)
		return mr_bad(rd, mr_avail(rd) ? _("line %lld, column %lld: JSON object not closed "
		                                   "before the next record")
		                               : _("line %lld, column %lld: JSON object not closed "
		                                   "before the end of input"),
		              line, start - lo + 1);
	long long el, ec;
	const char *nul = memchr(st->obj.buf, 0, st->obj.len);
	if (nul) {
		size_t pos = (size_t)(nul - st->obj.buf);
		obj_linecol(&st->obj, pos, start, line, lo, &el, &ec);
		return mr_bad(rd, _("invalid JSON at line %lld, column %lld (byte %lld): NUL byte"),
		              el, ec, start + (long long)pos);
	}
	long en = escaped_nul(st->obj.buf, st->obj.len);
	if (en >= 0) {
		obj_linecol(&st->obj, (size_t)en, start, line, lo, &el, &ec);
		return mr_bad(rd, _("line %lld, column %lld (byte %lld): \\u0000 (NUL) cannot be "
		              "held in MARC"), el, ec, start + en);
	}
	struct json_node *root = json_parser_parse(st->jp, st->obj.buf);
	if (!root) {
		size_t pos = json_parser_get_position(st->jp);
		const char *msg = json_parser_get_errmsg(st->jp);
		obj_linecol(&st->obj, pos, start, line, lo, &el, &ec);
		return mr_bad(rd, _("invalid JSON at line %lld, column %lld (byte %lld): %s"), el, ec,
		              start + (long long)pos, msg ? msg : _("parse error"));
	}
	int rc = walk_record(st, rd, root, r);
	json_remove_node(root);
	return rc;
}

static void r_close(void *vst)
{
	struct jst *st = vst;
	if (!st)
		return;
	json_parser_destroy(st->jp);
	sb_release(&st->obj);
	sb_release(&st->tmp);
	free(st);
}

const struct fmt_reader fmt_json_reader = { MF_JSON, 1, r_open, r_next, r_close };

/* ------------------------------------------------------------------ */
/* Writer */

/* The writer needs to know whether a record was already written (for the
 * commas of the array). Writers have no per-codec state slot, so we keep
 * a count per open writer here; begin() registers, end() forgets. */
static struct wcount {
	const marc_writer *w;
	long n;
} *wcounts;
static size_t nwcounts;

static struct wcount *wcount_of(const marc_writer *w)
{
	for (size_t i = 0; i < nwcounts; i++)
		if (wcounts[i].w == w)
			return &wcounts[i];
	wcounts = xrealloc(wcounts, (nwcounts + 1) * sizeof *wcounts);
	wcounts[nwcounts].w = w;
	wcounts[nwcounts].n = 0;
	return &wcounts[nwcounts++];
}

static void wcount_drop(const marc_writer *w)
{
	for (size_t i = 0; i < nwcounts; i++)
		if (wcounts[i].w == w) {
			wcounts[i] = wcounts[--nwcounts];
			break;
		}
	if (!nwcounts) {
		free(wcounts);
		wcounts = NULL;
	}
}

/* Append s as a JSON string (with quotes). -1 on invalid UTF-8, -2 on a
 * NUL byte (which the reader refuses: "\u0000" cannot be a C string);
 * *bad is then the 0-based offset. Every other character is written. */
static int json_str(strbuf *out, const char *s, size_t n, size_t *bad)
{
	if (!utf8_valid(s, n, bad))
		return -1;
	const char *z = memchr(s, 0, n);
	if (z) {
		*bad = (size_t)(z - s);
		return -2;
	}
	sb_grow(out, n + 2);
	sb_addc(out, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_adds(out, "\\\""); break;
		case '\\': sb_adds(out, "\\\\"); break;
		case '\n': sb_adds(out, "\\n"); break;
		case '\r': sb_adds(out, "\\r"); break;
		case '\t': sb_adds(out, "\\t"); break;
		case '\b': sb_adds(out, "\\b"); break;
		case '\f': sb_adds(out, "\\f"); break;
		default: sb_addf(out, "\\u%04x", c); break;
		}
	}
	sb_add(out, s + run, n - run);
	sb_addc(out, '"');
	return 0;
}

/* The reason json_str() refused a value. */
static void str_why(strbuf *err, int rc, size_t bad)
{
	if (rc == -2)
		sb_addf(err, _("a NUL byte at byte %zu of the value cannot be written in JSON"), bad + 1);
	else
		sb_addf(err, _("invalid UTF-8 at byte %zu of the value"), bad);
}

static int printable(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

static void w_begin(marc_writer *w, strbuf *out)
{
	wcount_of(w)->n = 0;
	sb_adds(out, "[\n");
}

static int w_put(marc_writer *w, const rec *r, strbuf *out, strbuf *err)
{
	struct wcount *wc = wcount_of(w);
	size_t bad;
	if (wc->n)
		sb_adds(out, ",\n");
	sb_adds(out, "{\"leader\":");
	int rc = json_str(out, rec_leader(r), REC_LEADER_LEN, &bad);
	if (rc != 0) {
		sb_adds(err, _("leader: "));
		str_why(err, rc, bad);
		return -1;
	}
	sb_adds(out, ",\"fields\":[");
	size_t nf = rec_nfields(r);
	for (size_t f = 0; f < nf; f++) {
		const char *tag = rec_tag(r, f);
		for (int k = 0; tag[k]; k++)
			if (!printable(tag[k])) {
				sb_addf(err, _("field %zu: tag byte 0x%02X cannot be written in JSON"), f + 1,
				        (unsigned char)tag[k]);
				return -1;
			}
		if (f)
			sb_addc(out, ',');
		sb_addc(out, '{');
		json_str(out, tag, strlen(tag), &bad);
		sb_addc(out, ':');
		if (rec_is_control(r, f)) {
			size_t n;
			const char *d = rec_data(r, f, &n);
			if ((rc = json_str(out, d, n, &bad)) != 0) {
				sb_addf(err, _("field %zu (%s): "), f + 1, tag);
				str_why(err, rc, bad);
				return -1;
			}
			sb_addc(out, '}');
			continue;
		}
		char i1 = rec_ind(r, f, 1), i2 = rec_ind(r, f, 2);
		if (!printable(i1) || !printable(i2)) {
			sb_addf(err, _("field %zu (%s): indicator 0x%02X cannot be written in JSON"), f + 1,
			        tag, (unsigned char)(printable(i1) ? i2 : i1));
			return -1;
		}
		sb_adds(out, "{\"ind1\":");
		json_str(out, &i1, 1, &bad);
		sb_adds(out, ",\"ind2\":");
		json_str(out, &i2, 1, &bad);
		sb_adds(out, ",\"subfields\":[");
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			char code = rec_sub_code(r, f, s);
			size_t n;
			const char *v = rec_sub_value(r, f, s, &n);
			if (!printable(code)) {
				sb_addf(err, _("field %zu (%s): subfield code 0x%02X cannot be written in JSON"),
				        f + 1, tag, (unsigned char)code);
				return -1;
			}
			if (s)
				sb_addc(out, ',');
			sb_addc(out, '{');
			json_str(out, &code, 1, &bad);
			sb_addc(out, ':');
			if ((rc = json_str(out, v, n, &bad)) != 0) {
				sb_addf(err, _("field %zu (%s) $%c: "), f + 1, tag, code);
				str_why(err, rc, bad);
				return -1;
			}
			sb_addc(out, '}');
		}
		sb_adds(out, "]}}");
	}
	sb_adds(out, "]}");
	wc->n++;
	return 0;
}

static void w_end(marc_writer *w, strbuf *out)
{
	sb_adds(out, wcount_of(w)->n ? "\n]\n" : "]\n");
	wcount_drop(w);
}

const struct fmt_writer fmt_json_writer = { MF_JSON, 0, w_begin, w_put, w_end };
