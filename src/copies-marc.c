/*
 * copies-marc.c - item fields (Koha 952, MARC 852) <-> copies, by a map
 * file of "CODE FIELD" lines (see marc/koha-952.map).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copies-marc.h"
#include "callno.h"
#include "marcdef.h"
#include "i18n-lower.h"

enum { K_FIELD, K_STATUS, K_CONST };

struct item_line {
	char code;
	int kind;
	char name[16];           /* copy field, "callno.1" / "callno.2" */
	char *value;             /* K_STATUS: status word; K_CONST: constant */
};

struct item_map {
	char tag[4];
	int require_accno;
	size_t n;
	struct item_line *l;
};

static const char builtin_952[] =
	"tag 952\np accno\na branch\nb branch\nc location\no callno\nh volume\ne source\n"
	"g price\nd added\nz note\n0 status=withdrawn\n1 status=lost\n4 status=repair\n"
	"y const=BK\n2 const=ddc\n";
static const char builtin_852[] =
	"tag 852\nrequire accno\na branch\nb location\nh callno.1\ni callno.2\nt volume\n"
	"p accno\nz note\n";

void item_map_destroy(item_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->l[i].value);
	free(m->l);
	free(m);
}

const char *item_map_tag(const item_map *m)
{
	return m->tag;
}

static int valid_field(const char *f)
{
	if (!strcmp(f, "callno.1") || !strcmp(f, "callno.2"))
		return 1;
	for (int i = 0; copy_fields[i]; i++)
		if (!strcmp(copy_fields[i], f))
			return 1;
	return 0;
}

static item_map *parse(const char *text, const char *name, strbuf *err)
{
	item_map *m = xcalloc(1, sizeof *m);
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, len);
		p += len + (e ? 1 : 0);
		lineno++;
		char *h = strchr(line, '#');
		if (h)
			*h = 0;
		char a[64] = "", b[200] = "";
		int k = sscanf(line, "%63s %199s", a, b);
		free(line);
		if (k <= 0)
			continue;
		if (!strcmp(a, "tag") && k == 2 && strlen(b) == 3) {
			memcpy(m->tag, b, 4);
		} else if (!strcmp(a, "require") && k == 2 && !strcmp(b, "accno")) {
			m->require_accno = 1;
		} else if (k == 2 && strlen(a) == 1 && isalnum((unsigned char)a[0])) {
			struct item_line il = { .code = a[0] };
			if (!strncmp(b, "status=", 7)) {
				il.kind = K_STATUS;
				il.value = xstrdup(b + 7);
				struct copy t = { 0 };
				int ok = copy_set(&t, "status", il.value) == 0;
				copy_clear(&t);
				if (!ok) {
					sb_addf(err, _("%s: line %d: unknown status '%s'"), name, lineno, b + 7);
					free(il.value);
					item_map_destroy(m);
					return NULL;
				}
			} else if (!strncmp(b, "const=", 6)) {
				il.kind = K_CONST;
				il.value = xstrdup(b + 6);
			} else if (valid_field(b)) {
				memcpy(il.name, b, strlen(b) + 1);    /* valid_field: <= 8 bytes */
			} else {
				sb_addf(err, _("%s: line %d: unknown copy field '%s'"), name, lineno, b);
				item_map_destroy(m);
				return NULL;
			}
			m->l = xrealloc(m->l, (m->n + 1) * sizeof *m->l);
			m->l[m->n++] = il;
		} else {
			sb_addf(err, _("%s: line %d: expected 'tag TAG' or 'CODE FIELD'"), name, lineno);
			item_map_destroy(m);
			return NULL;
		}
	}
	if (!m->tag[0]) {
		sb_addf(err, _("%s: no 'tag' line"), name);
		item_map_destroy(m);
		return NULL;
	}
	return m;
}

item_map *item_map_load(const char *path, strbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sb_addf(err, _("cannot read '%s': %s"), path, strerror(errno));
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(&sb, buf, k);
	fclose(fp);
	sb_adds(&sb, "");
	item_map *m = parse(sb.buf, path, err);
	sb_release(&sb);
	return m;
}

item_map *item_map_default(const char *tag, strbuf *err)
{
	const char *file, *builtin;
	if (!strcmp(tag, "952")) {
		file = "koha-952.map";
		builtin = builtin_952;
	} else if (!strcmp(tag, "852")) {
		file = "holdings-852.map";
		builtin = builtin_852;
	} else {
		sb_addf(err, _("no item map for tag %s (952 or 852)"), tag);
		return NULL;
	}
	char *dir = marcdef_find_dir();
	if (dir) {
		strbuf path = STRBUF_INIT;
		sb_addf(&path, "%s/%s", dir, file);
		free(dir);
		FILE *fp = fopen(path.buf, "r");
		if (fp) {
			fclose(fp);
			item_map *m = item_map_load(path.buf, err);
			sb_release(&path);
			return m;
		}
		sb_release(&path);
	}
	return parse(builtin, file, err);
}

static void set_if_empty(struct copy *cp, const char *name, const char *v)
{
	const char *cur = copy_get(cp, name);
	if (cur && !*cur && v && *v)
		copy_set(cp, name, v);
}

/* Can field f of r give a copy an accession number under m (a subfield
 * that m reads as accno, not empty)? */
static int has_accno(const item_map *m, const rec *r, size_t f)
{
	size_t ns = rec_nsub(r, f);
	for (size_t s = 0; s < ns; s++) {
		char code = rec_sub_code(r, f, s);
		for (size_t i = 0; i < m->n; i++)
			if (m->l[i].code == code && m->l[i].kind == K_FIELD &&
			    !strcmp(m->l[i].name, "accno") && *rec_sub_value(r, f, s, NULL))
				return 1;
	}
	return 0;
}

void item_map_extract(const item_map *m, rec *r, int remove, struct copy **cps, size_t *n)
{
	for (size_t f = rec_nfields(r); f-- > 0; ) {
		if (strcmp(rec_tag(r, f), m->tag) || rec_is_control(r, f))
			continue;
		if (m->require_accno && !has_accno(m, r, f))
			continue;                /* (a location only: no copy, as below) */
		struct copy cp = { 0 };
		char *c1 = NULL, *c2 = NULL;
		size_t ns = rec_nsub(r, f);
		for (size_t s = 0; s < ns; s++) {
			char code = rec_sub_code(r, f, s);
			const char *v = rec_sub_value(r, f, s, NULL);
			for (size_t i = 0; i < m->n; i++) {
				const struct item_line *il = &m->l[i];
				if (il->code != code)
					continue;
				if (il->kind == K_STATUS) {
					if (v[strspn(v, " 0")])     /* anything but 0 / blank */
						copy_set(&cp, "status", il->value);
				} else if (il->kind == K_FIELD) {
					if (!strcmp(il->name, "callno.1")) {
						if (!c1)
							c1 = xstrdup(v);
					} else if (!strcmp(il->name, "callno.2")) {
						if (!c2)
							c2 = xstrdup(v);
					} else if (!strcmp(il->name, "added")) {
						struct copy t = { 0 };
						if (copy_set(&t, "added", v) == 0)
							set_if_empty(&cp, "added", v);
						copy_clear(&t);
					} else {
						set_if_empty(&cp, il->name, v);
					}
				}
			}
		}
		if (c1 || c2) {
			strbuf sb = STRBUF_INIT;
			sb_adds(&sb, c1 ? c1 : "");
			if (c1 && c2)
				sb_addc(&sb, ' ');
			sb_adds(&sb, c2 ? c2 : "");
			set_if_empty(&cp, "callno", sb.buf);
			sb_release(&sb);
		}
		free(c1);
		free(c2);
		if (m->require_accno && !*copy_get(&cp, "accno")) {
			copy_clear(&cp);
			continue;
		}
		/* fields were walked backwards: insert at the front of the new ones */
		*cps = xrealloc(*cps, (*n + 1) * sizeof **cps);
		(*cps)[(*n)++] = cp;
		if (remove)
			rec_delete_field(r, f);
	}
}

void item_map_append(const item_map *m, rec *r, const struct copy *cps, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct copy *cp = &cps[k];
		size_t f = rec_add_field(r, m->tag, ' ', ' ');
		const char *cn = copy_get(cp, "callno");
		const char *sp = strchr(cn, ' ');
		for (size_t i = 0; i < m->n; i++) {
			const struct item_line *il = &m->l[i];
			const char *v = NULL;
			char *tmp = NULL;
			if (il->kind == K_CONST) {
				v = il->value;
			} else if (il->kind == K_STATUS) {
				v = !strcmp(copy_get(cp, "status"), il->value) ? "1" : NULL;
			} else if (!strcmp(il->name, "callno.1")) {
				v = tmp = sp ? xstrndup(cn, (size_t)(sp - cn)) : xstrdup(cn);
			} else if (!strcmp(il->name, "callno.2")) {
				v = sp ? sp + 1 : NULL;
			} else {
				v = copy_get(cp, il->name);
			}
			if (v && *v)
				rec_add_sub(r, f, il->code, v, strlen(v));
			free(tmp);
		}
		if (!rec_nsub(r, f))
			rec_delete_field(r, f);
	}
}

void copies_import_extract(item_map *const *maps, rec *r, struct copy **cps, size_t *n)
{
	*cps = NULL;
	*n = 0;
	for (size_t i = 0; maps && maps[i]; i++) {
		size_t from = *n;
		item_map_extract(maps[i], r, 1, cps, n);
		/* extraction walks the fields backwards: restore record order */
		for (size_t a = from, b = *n; b > a + 1; a++, b--) {
			struct copy t = (*cps)[a];
			(*cps)[a] = (*cps)[b - 1];
			(*cps)[b - 1] = t;
		}
	}
	if (!*n)
		return;
	char *cn = callno_of_record(r);
	if (!*cn) {
		for (size_t i = 0; i < *n; i++) {
			const char *k = copy_get(&(*cps)[i], "callno");
			if (*k) {
				callno_set(r, k);
				break;
			}
		}
	}
	free(cn);
}

int copies_import_check(catalog *c, const char *own, struct copy **cps, size_t *n,
                        strbuf *why)
{
	for (size_t i = 0; i < *n; i++) {
		const char *a = copy_get(&(*cps)[i], "accno");
		if (!*a)
			continue;
		char *ka = copies_accno_key(a);
		for (size_t j = 0; j < i; j++) {
			char *kb = copies_accno_key(copy_get(&(*cps)[j], "accno"));
			int same = !strcmp(ka, kb);
			free(kb);
			if (same) {
				sb_addf(why, _("accession number %s is given twice in the record"), a);
				free(ka);
				return -1;
			}
		}
		free(ka);
		char *who = NULL;
		int none = 0;
		if (copies_owner_none(c, a, &who, &none, NULL) == CAT_OK) {
			if (own && !strcmp(who, own)) {
				/* own's copy already: it stays as it is */
				free(who);
				copy_clear(&(*cps)[i]);
				memmove(&(*cps)[i], &(*cps)[i + 1], (*n - i - 1) * sizeof **cps);
				--*n;
				i--;
				continue;
			}
			sb_addf(why, _("accession number %s is already in use (record %s); record not "
			        "imported"), a, who);
			free(who);
			return -1;
		}
		/* no copy has it: copies_import_add in this transaction need
		 * not look again */
		(*cps)[i].accno_free = none;
	}
	return (int)*n;
}

int copies_import_take(catalog *c, item_map *const *maps, rec *r, const char *own,
                       struct copy **cps, size_t *n, strbuf *why)
{
	copies_import_extract(maps, r, cps, n);
	return *n ? copies_import_check(c, own, cps, n, why) : 0;
}

int copies_import_add(catalog *c, const char *id, const rec *saved, long batch,
                      struct copy *cps, size_t n, strbuf *err)
{
	char *kind = NULL;                 /* read for the first copy without a number */
	int kind_read = 0;
	for (size_t i = 0; i < n; i++) {
		if (!kind_read && !*copy_get(&cps[i], "accno")) {
			kind = catalog_get_setting(c, "accno.kind");
			kind_read = 1;
		}
		int rc = copies_add_saved(c, id, saved, &cps[i], 1, kind ? kind : "VV", batch, NULL,
		                          err);
		if (rc) {
			free(kind);
			return rc;
		}
	}
	free(kind);
	return CAT_OK;
}
