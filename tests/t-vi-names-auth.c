/*
 * t-vi-names-auth.c - the Vietnamese names of the MARC 21 Authority
 * format (marc/auth-vi-names.def) reach the definitions: fields,
 * indicator values and subfields (also those copied with "like") get
 * name_local, marcdef_name() picks them, and the overlay changes nothing
 * else (English names, R/NR, obsolete flags, allowed values). The
 * directory loader applies it to the authority format, not to bib.
 * Completeness against the English file: tests/vi-names-auth.test.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "marcdef.h"

static const char *sub_vi(const marcdef *md, const char *tag, char code)
{
	const md_field *f = marcdef_field(md, MD_AUTH, tag);
	const md_subfield *sf = f ? marcdef_subfield(f, code) : NULL;
	return sf ? sf->name_local : NULL;
}

static const char *ind_vi(const marcdef *md, const char *tag, int n, char c)
{
	const md_field *f = marcdef_field(md, MD_AUTH, tag);
	const md_code *v = f ? marcdef_ind_value(f, n, c) : NULL;
	return v ? v->name_local : NULL;
}

/* 1 if the two loads define the same authority elements with the same
 * English names and flags; the first difference goes to stderr. */
static int same_definitions(const marcdef *a, const marcdef *b)
{
	if (marcdef_nfields(a, MD_AUTH) != marcdef_nfields(b, MD_AUTH)) {
		fprintf(stderr, "field count differs\n");
		return 0;
	}
	for (size_t i = 0; i < marcdef_nfields(a, MD_AUTH); i++) {
		const md_field *f = marcdef_field_at(a, MD_AUTH, i), *g = marcdef_field_at(b, MD_AUTH, i);
		if (strcmp(f->tag, g->tag) || strcmp(f->name, g->name) || f->repeatable != g->repeatable ||
		    f->obsolete != g->obsolete || f->nsubs != g->nsubs || f->local != g->local) {
			fprintf(stderr, "field %s differs\n", f->tag);
			return 0;
		}
		for (size_t j = 0; j < f->nsubs; j++) {
			const md_subfield *s = &f->subs[j], *t = &g->subs[j];
			if (s->code != t->code || strcmp(s->name, t->name) || s->repeatable != t->repeatable ||
			    s->obsolete != t->obsolete) {
				fprintf(stderr, "%s $%c differs\n", f->tag, s->code);
				return 0;
			}
		}
		for (int k = 0; k < 2; k++) {
			const md_indicator *x = &f->ind[k], *y = &g->ind[k];
			if (x->undefined != y->undefined || x->ncodes != y->ncodes ||
			    (x->name && y->name && strcmp(x->name, y->name))) {
				fprintf(stderr, "%s ind%d differs\n", f->tag, k + 1);
				return 0;
			}
			for (size_t j = 0; j < x->ncodes; j++)
				if (strcmp(x->codes[j].code, y->codes[j].code) ||
				    strcmp(x->codes[j].name, y->codes[j].name) ||
				    x->codes[j].obsolete != y->codes[j].obsolete) {
					fprintf(stderr, "%s ind%d '%s' differs\n", f->tag, k + 1, x->codes[j].code);
					return 0;
				}
		}
	}
	return 1;
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	char en_path[4096], vi_path[4096];
	snprintf(en_path, sizeof en_path, "%s", t_root("marc/marc21-auth.def"));
	snprintf(vi_path, sizeof vi_path, "%s", t_root("marc/auth-vi-names.def"));

	marcdef *en = marcdef_create(), *md = marcdef_create();
	CHECKF(marcdef_load_file(en, en_path, &err) == 0, "%s", err.buf ? err.buf : "");
	sb_reset(&err);
	int rc = marcdef_load_file(md, en_path, &err);
	if (rc == 0)
		rc = marcdef_load_file(md, vi_path, &err);
	CHECKF(rc == 0, "load: %s", err.buf ? err.buf : "");

	/* fields */
	const md_field *f = marcdef_field(md, MD_AUTH, "100");
	CHECK(f != NULL);
	if (f) {
		CHECK_STR(f->name, "Heading - personal name");
		CHECK_STR(f->name_local, "Tiêu đề chuẩn - Tên cá nhân");
		CHECK_STR(marcdef_name(f->name, f->name_local, 1), "Tiêu đề chuẩn - Tên cá nhân");
		CHECK_STR(marcdef_name(f->name, f->name_local, 0), "Heading - personal name");
	}
	f = marcdef_field(md, MD_AUTH, "670");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Nguồn dữ liệu tìm thấy"));
	f = marcdef_field(md, MD_AUTH, "675");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Nguồn dữ liệu không tìm thấy"));
	f = marcdef_field(md, MD_AUTH, "400");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Tiêu đề xem - Tên cá nhân"));
	f = marcdef_field(md, MD_AUTH, "550");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Tiêu đề xem thêm - Thuật ngữ chủ đề"));
	f = marcdef_field(md, MD_AUTH, "001");
	CHECK(f && f->control && f->name_local && !strcmp(f->name_local, "Số kiểm soát"));

	/* subfields, also those 4XX/5XX/7XX copy from 1XX with "like" */
	CHECK_STR(sub_vi(md, "100", 'a'), "Tên cá nhân");
	CHECK_STR(sub_vi(md, "100", 'd'), "Năm sinh, năm mất");
	CHECK_STR(sub_vi(md, "400", 'a'), "Tên cá nhân");
	CHECK_STR(sub_vi(md, "500", 'w'), "Trường con kiểm soát");
	CHECK_STR(sub_vi(md, "751", 'z'), "Đề mục con địa lý");
	CHECK_STR(sub_vi(md, "670", 'a'), "Trích dẫn nguồn");
	CHECK_STR(sub_vi(md, "670", 'b'), "Thông tin tìm thấy");
	CHECK_STR(sub_vi(md, "040", '6'), "Liên kết");
	CHECK_STR(sub_vi(md, "040", '8'), "Số thứ tự và liên kết trường");

	/* indicator values, single and from a range */
	CHECK_STR(ind_vi(md, "100", 1, '1'), "Họ (thứ tự đảo)");
	CHECK_STR(ind_vi(md, "400", 1, '0'), "Tên riêng (thứ tự thuận)");
	CHECK_STR(ind_vi(md, "130", 2, '5'), "Số ký tự bỏ qua khi sắp xếp");
	CHECK_STR(ind_vi(md, "016", 1, ' '), "Thư viện và Lưu trữ Canada");

	/* every authority element has a Vietnamese name */
	size_t nmiss = 0, nel = 0;
	for (size_t i = 0; i < marcdef_nfields(md, MD_AUTH); i++) {
		const md_field *g = marcdef_field_at(md, MD_AUTH, i);
		nel++;
		if (!g->name_local && nmiss++ < 20)
			fprintf(stderr, "no Vietnamese name: %s\n", g->tag);
		for (size_t j = 0; j < g->nsubs; j++) {
			nel++;
			if (!g->subs[j].name_local && nmiss++ < 20)
				fprintf(stderr, "no Vietnamese name: %s $%c\n", g->tag, g->subs[j].code);
		}
		for (int k = 0; k < 2; k++)
			for (size_t j = 0; j < g->ind[k].ncodes; j++) {
				nel++;
				if (!g->ind[k].codes[j].name_local && nmiss++ < 20)
					fprintf(stderr, "no Vietnamese name: %s ind%d '%s'\n", g->tag, k + 1,
					        g->ind[k].codes[j].code);
			}
	}
	CHECKF(nel > 2000, "only %zu authority elements", nel);
	CHECK_INT(nmiss, 0);

	/* the overlay changes nothing but the second-language names */
	CHECK(same_definitions(en, md));
	marcdef_destroy(en);
	marcdef_destroy(md);

	/* the directory loader applies it to the authority format only */
	sb_reset(&err);
	md = marcdef_create();
	rc = marcdef_load_dir(md, t_root("marc"), &err);
	CHECKF(rc == 0, "load_dir: %s", err.buf ? err.buf : "");
	f = marcdef_field(md, MD_AUTH, "100");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Tiêu đề chuẩn - Tên cá nhân"));
	f = marcdef_field(md, MD_AUTH, "670");
	CHECK(f && f->name_local && !strcmp(f->name_local, "Nguồn dữ liệu tìm thấy"));
	f = marcdef_field(md, MD_BIB, "100");
	CHECK(f && (!f->name_local || strcmp(f->name_local, "Tiêu đề chuẩn - Tên cá nhân")));
	marcdef_destroy(md);
	sb_release(&err);
	DONE();
}
