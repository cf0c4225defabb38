/*
 * t-vi-names-bib.c - the Vietnamese names of the bibliographic format
 * (marc/bib-vi-names.def) through the loader: every field of ours, every
 * indicator value and every subfield (those copied with "like" too) has a
 * second-language name, NFC and at most 64 characters; marcdef_name()
 * picks it only when asked; and the overlay changes nothing but names
 * (repeatability, obsolete flags, indicator values and subfield codes are
 * those of marc21-bib.def alone). tests/vi-names-bib.test checks the same
 * on the files and through the shell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "harness.h"
#include "marcdef.h"

/* Characters (code points) of a UTF-8 string. */
static size_t u8len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int is_nfc(const char *s)
{
	utf8proc_uint8_t *n = utf8proc_NFC((const utf8proc_uint8_t *)s);
	int ok = n && !strcmp((const char *)n, s);
	free(n);
	return ok;
}

/* An English phrase left untranslated (codes such as "ISSN-H" or "ANSI
 * Z39.42" are the same in both languages). */
static int untranslated(const char *en, const char *vi)
{
	if (!en || strcmp(en, vi))
		return 0;
	for (const char *p = vi; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return 1;
	return 0;
}

static int bad_names, missing;

static void check_name(const char *tag, const char *what, const char *en, const char *vi)
{
	if (!vi) {
		if (missing++ < 20)
			fprintf(stderr, "  no Vietnamese name: %s %s (%s)\n", tag, what, en ? en : "");
		return;
	}
	if (!*vi || !is_nfc(vi) || u8len(vi) > 64 || untranslated(en, vi)) {
		if (bad_names++ < 20)
			fprintf(stderr, "  bad Vietnamese name: %s %s '%s'\n", tag, what, vi);
	}
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	int rc = marcdef_load_dir(md, t_root("marc"), &err);
	CHECKF(rc == 0, "load: %s", err.buf ? err.buf : "");
	sb_release(&err);
	marcdef *en = marcdef_create();
	rc = marcdef_load_file(en, t_root("marc/marc21-bib.def"), &err);
	CHECKF(rc == 0, "load marc21-bib.def: %s", err.buf ? err.buf : "");
	sb_release(&err);

	size_t nfields = 0, ninds = 0, nsubs = 0, differ = 0;
	for (size_t i = 0; i < marcdef_nfields(md, MD_BIB); i++) {
		const md_field *f = marcdef_field_at(md, MD_BIB, i);
		if (f->local)
			continue;     /* oclc.def and a library's own files */
		nfields++;
		check_name(f->tag, "", f->name, f->name_local);
		const md_field *e = marcdef_field(en, MD_BIB, f->tag);
		if (!e || e->repeatable != f->repeatable || e->obsolete != f->obsolete ||
		    e->control != f->control || e->nsubs != f->nsubs) {
			if (differ++ < 20)
				fprintf(stderr, "  %s differs from marc21-bib.def alone\n", f->tag);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			char what[32];
			if (e->ind[k].ncodes != f->ind[k].ncodes || e->ind[k].undefined != f->ind[k].undefined) {
				if (differ++ < 20)
					fprintf(stderr, "  %s ind%d differs\n", f->tag, k + 1);
				continue;
			}
			for (size_t j = 0; j < f->ind[k].ncodes; j++) {
				const md_code *c = &f->ind[k].codes[j];
				ninds++;
				snprintf(what, sizeof what, "ind%d '%c'", k + 1, c->code[0]);
				check_name(f->tag, what, c->name, c->name_local);
				if (strcmp(c->code, e->ind[k].codes[j].code) || c->obsolete != e->ind[k].codes[j].obsolete)
					differ++;
			}
		}
		for (size_t j = 0; j < f->nsubs; j++) {
			const md_subfield *s = &f->subs[j];
			const md_subfield *es = marcdef_subfield(e, s->code);
			char what[8];
			nsubs++;
			snprintf(what, sizeof what, "$%c", s->code);
			check_name(f->tag, what, s->name, s->name_local);
			if (!es || es->repeatable != s->repeatable || es->obsolete != s->obsolete) {
				if (differ++ < 20)
					fprintf(stderr, "  %s $%c differs from marc21-bib.def alone\n", f->tag, s->code);
			}
		}
	}
	fprintf(stderr, "%zu fields, %zu indicator values, %zu subfields\n", nfields, ninds, nsubs);
	CHECK(nfields >= 250);
	CHECK(nsubs >= 2000);
	CHECK_INT(missing, 0);
	CHECK_INT(bad_names, 0);
	CHECK_INT(differ, 0);
	CHECK_INT(marcdef_nfields(en, MD_BIB), nfields);

	/* The name shown follows the interface language. */
	const md_field *f = marcdef_field(md, MD_BIB, "245");
	CHECK(f != NULL);
	if (f) {
		CHECK_STR(marcdef_name(f->name, f->name_local, 1), "Nhan đề và thông tin trách nhiệm");
		CHECK_STR(marcdef_name(f->name, f->name_local, 0), "Title statement");
		const md_subfield *s = marcdef_subfield(f, 'c');
		CHECK(s && !strcmp(marcdef_name(s->name, s->name_local, 1), "Thông tin trách nhiệm"));
		const md_code *c = marcdef_ind_value(f, 1, '1');
		CHECK(c && !strcmp(marcdef_name(c->name, c->name_local, 1), "Tạo tiêu đề bổ sung cho nhan đề"));
	}
	/* One English term, one Vietnamese term: $6 and $8 everywhere. */
	size_t n6 = 0, bad6 = 0;
	for (size_t i = 0; i < marcdef_nfields(md, MD_BIB); i++) {
		const md_field *g = marcdef_field_at(md, MD_BIB, i);
		for (size_t j = 0; !g->local && j < g->nsubs; j++) {
			const md_subfield *s = &g->subs[j];
			if (!s->name || !s->name_local)
				continue;
			if (!strcmp(s->name, "Linkage")) {
				n6++;
				bad6 += strcmp(s->name_local, "Liên kết") != 0;
			} else if (!strcmp(s->name, "Field link and sequence number")) {
				n6++;
				bad6 += strcmp(s->name_local, "Số thứ tự và liên kết trường") != 0;
			}
		}
	}
	CHECK(n6 > 300);
	CHECK_INT(bad6, 0);
	/* A field copied with "like" (700 from 100) has its own names. */
	f = marcdef_field(md, MD_BIB, "700");
	if (f) {
		const md_subfield *s = marcdef_subfield(f, 'q');
		CHECK(s && s->name_local && !strcmp(s->name_local, "Dạng đầy đủ của tên"));
		const md_code *c = marcdef_ind_value(f, 1, '1');
		CHECK(c && c->name_local && !strcmp(c->name_local, "Họ (thứ tự đảo)"));
	}

	marcdef_destroy(en);
	marcdef_destroy(md);
	DONE();
}
