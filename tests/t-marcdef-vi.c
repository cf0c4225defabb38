/*
 * t-marcdef-vi.c - Vietnamese names of the fixed fields (marc/bib-vi-fixed.def,
 * marc/auth-vi-fixed.def) through the marcdef API: every block, position
 * and code of the Leader, 006, 007 and 008 (both formats, the 006 blocks
 * made by "copy" included) has a second-language name; material types are
 * named; the overlay syntax for blocks, materials and copies, and its
 * errors; the fixed-field editor's model shows the names (fixed_check,
 * fixed_row_name cut on character boundaries); names are NFC and
 * position names fit the editor's 33-column name column. Indicator
 * labels and the codes of the code lists (languages, countries,
 * geographic areas) have Vietnamese names too; an overlay cannot add a
 * code to a list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "marcdef.h"
#include "fixed.h"
#include "charset.h"

static const char *const mats[] = { "BK", "CR", "MU", "MP", "VM", "CF", "MX", NULL };

/* The fixed blocks of both formats: LDR, 008 and 006 for all materials
 * and each type, 007 for each category. */
static int collect(const marcdef *md, const md_fixed **out, int max)
{
	int n = 0;
	const char *tags[] = { "LDR", "008", "006" };
	for (int fmt = 0; fmt < MD_NFORMATS; fmt++)
		for (int t = 0; t < 3; t++)
			for (int m = -1; m < 0 || mats[m]; m++) {
				if (m >= 0 && !strcmp(tags[t], "LDR"))
					break;
				const md_fixed *fx = marcdef_fixed(md, fmt, tags[t], m < 0 ? "all" : mats[m]);
				if (fx && n < max)
					out[n++] = fx;
			}
	for (char c = 'a'; c <= 'z'; c++) {
		char ty[2] = { c, 0 };
		const md_fixed *fx = marcdef_fixed(md, MD_BIB, "007", ty);
		if (fx && n < max)
			out[n++] = fx;
	}
	return n;
}

/* Every position and code of a block has a Vietnamese name; counts the
 * ones that do not, printing the first few. */
static int missing_in(const md_fixed *fx)
{
	int miss = 0;
	if (!fx->name_local) {
		fprintf(stderr, "no Vietnamese name: %s %s\n", fx->tag, fx->type);
		miss++;
	}
	for (size_t i = 0; i < fx->npos; i++) {
		const md_pos *p = &fx->pos[i];
		if (!p->name_local) {
			if (miss < 10)
				fprintf(stderr, "no Vietnamese name: %s %s/%02d\n", fx->tag, fx->type,
				        p->start);
			miss++;
		}
		for (size_t k = 0; k < p->ncodes; k++)
			if (!p->codes[k].name_local) {
				if (miss < 10)
					fprintf(stderr, "no Vietnamese name: %s %s/%02d code '%s'\n",
					        fx->tag, fx->type, p->start, p->codes[k].code);
				miss++;
			}
	}
	return miss;
}

static const md_pos *pos_at(const md_fixed *fx, int start)
{
	for (size_t i = 0; fx && i < fx->npos; i++)
		if (fx->pos[i].start == start)
			return &fx->pos[i];
	return NULL;
}

static const char *code_vi(const md_fixed *fx, int start, const char *code)
{
	const md_pos *p = pos_at(fx, start);
	const md_code *c = p ? marcdef_pos_code(p, code) : NULL;
	return c ? c->name_local : NULL;
}

static size_t row(const fixedit *f, const char *label)
{
	char buf[32];
	for (size_t i = 0; i < fixed_nrows(f); i++)
		if (!strcmp(fixed_row_label(f, i, buf, sizeof buf), label))
			return i;
	return (size_t)-1;
}

/* 1 if s is valid UTF-8 in NFC */
static int valid(const char *s)
{
	if (!utf8_valid(s, strlen(s), NULL))
		return 0;
	char *n = utf8_nfc(s, strlen(s));
	int ok = n && !strcmp(n, s);
	free(n);
	return ok;
}

/* Names of indicators ("ind1 name" under "lang vi") and of code lists
 * (lang-vi.def, country-vi.def, gac-vi.def): what we ship, then the overlay syntax. */
static void test_indicators_and_lists(strbuf *err)
{
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), err) < 0) {
		fprintf(stderr, "%s\n", err->buf);
		CHECK(0);
		marcdef_destroy(md);
		return;
	}
	const md_field *f = marcdef_field(md, MD_BIB, "245");
	CHECK_STR(f->ind[0].name, "Title added entry");
	CHECK(f->ind[0].name_local != NULL && strcmp(f->ind[0].name_local, f->ind[0].name));
	CHECK(f->ind[0].name_local && valid(f->ind[0].name_local));
	CHECK_STR(marcdef_name(f->ind[1].name, f->ind[1].name_local, 0), "Nonfiling characters");
	CHECK(marcdef_name(f->ind[1].name, f->ind[1].name_local, 1) == f->ind[1].name_local);
	/* a field whose indicators came from "like" in the English file */
	f = marcdef_field(md, MD_BIB, "600");
	CHECK(f && f->ind[0].name && f->ind[0].name_local);
	f = marcdef_field(md, MD_AUTH, "100");
	CHECK(f && f->ind[0].name && f->ind[0].name_local);
	/* every English indicator name of both formats has a Vietnamese one
	 * (fields of our files: local additions such as OCLC's are not ours) */
	int miss = 0;
	for (int fmt = 0; fmt < MD_NFORMATS; fmt++)
		for (size_t i = 0; i < marcdef_nfields(md, fmt); i++) {
			const md_field *g = marcdef_field_at(md, fmt, i);
			for (int k = 0; k < 2 && !g->local; k++)
				if (g->ind[k].name && !g->ind[k].name_local) {
					if (miss++ < 10)
						fprintf(stderr, "no Vietnamese name: %s %s ind%d\n",
						        fmt ? "auth" : "bib", g->tag, k + 1);
				}
		}
	CHECK_INT(miss, 0);

	/* code lists */
	const md_code *c = marcdef_code(md, "lang", "vie");
	CHECK_STR(c ? c->name_local : NULL, "tiếng Việt");
	CHECK_STR(c ? c->name : NULL, "Vietnamese");
	c = marcdef_code(md, "lang", "eng");
	CHECK_STR(c ? c->name_local : NULL, "tiếng Anh");
	c = marcdef_code(md, "lang", "chi");
	CHECK_STR(c ? c->name_local : NULL, "tiếng Trung Quốc");
	c = marcdef_code(md, "country", "vm ");
	CHECK_STR(c ? c->name_local : NULL, "Việt Nam");
	CHECK_STR(c ? c->name : NULL, "Vietnam");
	c = marcdef_code(md, "country", "txu");
	CHECK_STR(c ? c->name_local : NULL, "Hoa Kỳ: Texas");
	c = marcdef_code(md, "country", "ja");
	CHECK_STR(c ? c->name_local : NULL, "Nhật Bản");
	/* the overlays add no codes: as many as the English files define */
	c = marcdef_code(md, "gac", "a-vt---");
	CHECK_STR(c ? c->name_local : NULL, "Việt Nam");
	c = marcdef_code(md, "gac", "ao-----");
	CHECK_STR(c ? c->name_local : NULL, "Biển Đông");
	const char *lists[] = { "lang", "country", "gac" };
	for (int i = 0; i < 3; i++) {
		const md_codelist *l = marcdef_codelist(md, lists[i]);
		size_t unnamed = 0, bad = 0;
		for (size_t k = 0; l && k < l->ncodes; k++) {
			unnamed += !l->codes[k].name_local;
			bad += l->codes[k].name_local && !valid(l->codes[k].name_local);
			bad += !l->codes[k].name;    /* a code only the overlay knows */
		}
		CHECKF(l && l->ncodes > 300, "list %s", lists[i]);
		CHECKF(unnamed == 0, "%zu codes of %s without a Vietnamese name", unnamed, lists[i]);
		CHECKF(bad == 0, "%zu codes of %s not NFC or without an English name", bad, lists[i]);
	}
	/* the fixed-field editor: 008/15-17 and 35-37 mean the list's names */
	fixedit *fx = fixed_create(md, MD_BIB, "00000nam a2200000 i 4500", "008",
	                           "250101s2024    vm            000 0 vie d");
	strbuf d = STRBUF_INIT;
	CHECK(fixed_check(fx, row(fx, "008/35-37"), "vie", 1, &d));
	CHECK_STR(d.buf, "tiếng Việt");
	sb_reset(&d);
	CHECK(fixed_check(fx, row(fx, "008/35-37"), "vie", 0, &d));
	CHECK_STR(d.buf, "Vietnamese");
	sb_reset(&d);
	CHECK(fixed_check(fx, row(fx, "008/15-17"), "vm", 1, &d));
	CHECK_STR(d.buf, "Việt Nam");
	sb_reset(&d);
	size_t nc = 0;
	const md_code *codes = fixed_codes(fx, row(fx, "008/35-37"), &nc);
	CHECK(nc > 300 && codes && codes[0].name_local);
	sb_release(&d);
	fixed_destroy(fx);
	marcdef_destroy(md);

	/* the overlay syntax: indicator names, list codes */
	const char *base =
		"format bib\n"
		"245 NR Title Statement\n"
		"  ind1 name Title added entry\n"
		"  ind1 0 No added entry\n"
		"  ind2 undefined\n"
		"  $a NR Title\n"
		"246 R Varying Form of Title\n"
		"  like 245 ind1\n"
		"codelist lang MARC language codes\n"
		"code vie Vietnamese\n"
		"code eng English\n"
		"code esk obs Eskimo languages\n";
	const char *vi =
		"lang vi\n"
		"format bib\n"
		"245 Nhan đề\n"
		"  ind1 name Tiêu đề bổ sung nhan đề\n"
		"  ind2 name Không xác định\n"
		"codelist lang\n"
		"code vie tiếng Việt\n"
		"code esk các ngôn ngữ Eskimo\n";
	md = marcdef_create();
	CHECKF(marcdef_load_text(md, "base.def", base, strlen(base), err) == 0, "%s", err->buf);
	CHECKF(marcdef_load_text(md, "vi.def", vi, strlen(vi), err) == 0, "%s", err->buf);
	f = marcdef_field(md, MD_BIB, "245");
	CHECK_STR(f->ind[0].name, "Title added entry");
	CHECK_STR(f->ind[0].name_local, "Tiêu đề bổ sung nhan đề");
	CHECK(f->ind[1].name == NULL);
	CHECK_STR(f->ind[1].name_local, "Không xác định");
	CHECK(f->ind[1].undefined);                 /* an overlay changes nothing else */
	CHECK_INT(f->ind[0].ncodes, 1);
	f = marcdef_field(md, MD_BIB, "246");
	CHECK_STR(f->ind[0].name, "Title added entry");
	CHECK(f->ind[0].name_local == NULL);        /* named before the overlay */
	const md_codelist *l = marcdef_codelist(md, "lang");
	CHECK_INT(l->ncodes, 3);
	CHECK_STR(l->title, "MARC language codes");
	c = marcdef_code(md, "lang", "vie");
	CHECK_STR(c->name, "Vietnamese");
	CHECK_STR(c->name_local, "tiếng Việt");
	c = marcdef_code(md, "lang", "esk");
	CHECK(c->obsolete);
	CHECK_STR(c->name_local, "các ngôn ngữ Eskimo");
	CHECK(marcdef_code(md, "lang", "eng")->name_local == NULL);
	const char *bads[] = {
		"lang vi\ncodelist lang\ncode xyz Không có\n",   /* an undefined code */
		"lang vi\ncodelist lang\ncode vie tiếng Việt\ncode zzz Không có\n",
		"lang vi\ncodelist nosuch\ncode vie tiếng Việt\n", /* an undefined list */
		NULL,
	};
	for (const char **b = bads; *b; b++) {
		sb_reset(err);
		CHECKF(marcdef_load_text(md, "bad.def", *b, strlen(*b), err) < 0, "accepted: %s", *b);
		CHECKF(err->buf && strstr(err->buf, "bad.def:"), "message: %s", err->buf ? err->buf : "");
	}
	sb_reset(err);
	CHECK_INT(marcdef_codelist(md, "lang")->ncodes, 3);   /* nothing was added */
	CHECK(marcdef_code(md, "lang", "xyz") == NULL);
	CHECK(marcdef_codelist(md, "nosuch") == NULL);
	CHECK_INT(marcdef_ncodelists(md), 1);
	/* an English file may still add codes to a loaded list */
	const char *more = "codelist lang\ncode fre French\n";
	CHECKF(marcdef_load_text(md, "more.def", more, strlen(more), err) == 0, "%s", err->buf);
	CHECK_STR(marcdef_code(md, "lang", "fre")->name, "French");
	CHECK_STR(marcdef_code(md, "lang", "vie")->name_local, "tiếng Việt");
	marcdef_destroy(md);
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), &err) < 0) {
		fprintf(stderr, "%s\n", err.buf);
		CHECK(0);
		marcdef_destroy(md);
		sb_release(&err);
		DONE();
	}

	/* coverage: every block that exists has all its names */
	const md_fixed *all[64];
	int nall = collect(md, all, 64);
	int miss = 0;
	for (int i = 0; i < nall; i++)
		miss += missing_in(all[i]);
	CHECKF(nall >= 1 + 8 + 8 + 14 + 2, "%d fixed blocks", nall);
	CHECKF(miss == 0, "%d fixed-field elements of %d blocks have no Vietnamese name", miss, nall);
	for (const char *const *m = mats; *m; m++)
		CHECKF(marcdef_material_name_local(md, *m) != NULL, "material %s", *m);

	/* spot checks */
	const md_fixed *ldr = marcdef_fixed(md, MD_BIB, "LDR", "all");
	CHECK_STR(ldr->name_local, "Đầu biểu");
	CHECK_STR(pos_at(ldr, 6)->name_local, "Dạng tài liệu");
	CHECK_STR(code_vi(ldr, 6, "a"), "Tài liệu ngôn ngữ");
	CHECK_STR(code_vi(ldr, 7, "m"), "Chuyên khảo/Tài liệu");
	CHECK_STR(code_vi(ldr, 17, " "), "Mức đầy đủ");
	CHECK_STR(marcdef_name(ldr->name, ldr->name_local, 0), "Leader");
	const md_fixed *bk = marcdef_fixed(md, MD_BIB, "008", "BK");
	CHECK_STR(pos_at(bk, 23)->name_local, "Hình thức tài liệu");
	CHECK_STR(code_vi(bk, 23, "o"), "Trực tuyến");
	CHECK_STR(pos_at(bk, 23)->name, "Form of item");
	/* the 006 copies of 008/18-34 are named too, 17 to the left */
	const md_fixed *b6 = marcdef_fixed(md, MD_BIB, "006", "BK");
	CHECK_STR(pos_at(b6, 6)->name_local, "Hình thức tài liệu");
	CHECK_STR(code_vi(b6, 6, "o"), "Trực tuyến");
	CHECK_INT(b6->npos, 11);    /* the Vietnamese copy adds no positions */
	CHECK_STR(marcdef_material_name_local(md, "BK"), "Sách");
	CHECK_STR(marcdef_material_name(md, "BK"), "Books");
	CHECK_STR(marcdef_fixed(md, MD_BIB, "007", "a")->name_local, "Bản đồ");
	CHECK_STR(marcdef_fixed(md, MD_BIB, "007", "v")->name, "Videorecording");
	const md_fixed *al = marcdef_fixed(md, MD_AUTH, "LDR", "all");
	CHECK_STR(pos_at(al, 6)->name_local, "Loại biểu ghi");
	CHECK_STR(code_vi(al, 17, "n"), "Biểu ghi tiêu đề chuẩn đầy đủ");
	CHECK_STR(code_vi(marcdef_fixed(md, MD_AUTH, "008", "all"), 9, "a"), "Tiêu đề đã thiết lập");

	/* names are NFC UTF-8; position names fit the editor's 33 columns */
	int bad = 0, wide = 0;
	for (int i = 0; i < nall; i++)
		for (size_t j = 0; j < all[i]->npos; j++) {
			const md_pos *p = &all[i]->pos[j];
			if (!p->name_local)
				continue;
			bad += !valid(p->name_local);
			int cols = 0;
			for (const char *q = p->name_local; *q; q++)
				cols += ((unsigned char)*q & 0xc0) != 0x80;
			if (cols > 33) {
				fprintf(stderr, "too wide (%d columns): %s\n", cols, p->name_local);
				wide++;
			}
			for (size_t k = 0; k < p->ncodes; k++)
				if (p->codes[k].name_local)
					bad += !valid(p->codes[k].name_local);
		}
	CHECK_INT(bad, 0);
	CHECK_INT(wide, 0);

	/* the fixed-field editor's model */
	fixedit *f = fixed_create(md, MD_BIB, "00000nam a2200000 i 4500", "006",
	                          "a     o     000 0 ");
	strbuf d = STRBUF_INIT;
	size_t r0 = row(f, "006/00"), r6 = row(f, "006/06");
	CHECK(fixed_check(f, r0, "a", 1, &d));
	CHECK_STR(d.buf, "Sách");
	sb_reset(&d);
	CHECK(fixed_check(f, r0, "a", 0, &d));
	CHECK_STR(d.buf, "Books");
	sb_reset(&d);
	CHECK(fixed_check(f, r6, "o", 1, &d));
	CHECK_STR(d.buf, "Trực tuyến");
	sb_reset(&d);
	char nm[128];
	CHECK_STR(fixed_row_name(f, r6, 1, 20, nm, sizeof nm), "Hình thức tài liệu  ");
	CHECK_STR(fixed_row_name(f, r6, 1, 6, nm, sizeof nm), "Hình ~");   /* cut: one column short, then ~ */
	CHECK_STR(fixed_row_name(f, r6, 0, 14, nm, sizeof nm), "Form of item  ");
	/* a small buffer: cut before a character that does not fit whole */
	CHECK_STR(fixed_row_name(f, r6, 1, 30, nm, 3), "H");
	CHECK_STR(fixed_row_name(f, r6, 1, 30, nm, 4), "Hì");
	CHECK(valid(fixed_row_name(f, r6, 1, 30, nm, 4)));
	fixed_destroy(f);
	f = fixed_create(md, MD_BIB, NULL, "007", "ta");
	CHECK(fixed_check(f, row(f, "007/00"), "a", 1, &d));
	CHECK_STR(d.buf, "Bản đồ");
	sb_reset(&d);
	CHECK(fixed_check(f, row(f, "007/01"), "a", 1, &d));   /* of a text */
	CHECK_STR(d.buf, "Chữ in thường");
	sb_release(&d);
	fixed_destroy(f);
	marcdef_destroy(md);

	/* the overlay syntax */
	const char *base =
		"format bib\n"
		"material BK at * at Books\n"
		"fixed 008 BK Books\n"
		"pos 23 code Form of item\n"
		"  code o Online\n"
		"fixed 006 BK Books\n"
		"copy 008 BK 18-34 -17\n";
	const char *vi =
		"lang vi\n"
		"material BK Sách\n"
		"fixed 008 BK Sách\n"
		"pos 23 Hình thức tài liệu\n"
		"  code o Trực tuyến\n"
		"fixed 006 BK Sách\n"
		"copy 008 BK 18-34 -17\n";
	md = marcdef_create();
	CHECKF(marcdef_load_text(md, "base.def", base, strlen(base), &err) == 0, "%s", err.buf);
	CHECKF(marcdef_load_text(md, "vi.def", vi, strlen(vi), &err) == 0, "%s", err.buf);
	CHECK_STR(marcdef_material_name(md, "BK"), "Books");
	CHECK_STR(marcdef_material_name_local(md, "BK"), "Sách");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nam a2200000 i 4500"), "BK");
	const md_fixed *x = marcdef_fixed(md, MD_BIB, "006", "BK");
	CHECK_INT(x->npos, 1);
	CHECK_STR(x->name, "Books");
	CHECK_STR(x->name_local, "Sách");
	CHECK_STR(x->pos[0].name_local, "Hình thức tài liệu");
	CHECK_STR(x->pos[0].codes[0].name_local, "Trực tuyến");
	const char *bads[] = {
		"lang vi\nfixed 007 x Không có\n",          /* an overlay cannot make a block */
		"lang vi\nmaterial ZZ Không có\n",
		"lang vi\nfixed 008 BK Sách\npos 24 Không có\n",
		"lang vi\nfixed 008 BK Sách\npos 23 Hình thức\n  code x Không có\n",
		"lang vi\nfixed 008 BK Sách\ncopy 008 BK 18-34 -17\n",   /* no 008/06 */
		NULL,
	};
	for (const char **b = bads; *b; b++) {
		sb_reset(&err);
		CHECKF(marcdef_load_text(md, "bad.def", *b, strlen(*b), &err) < 0, "accepted: %s", *b);
	}
	CHECK(marcdef_fixed(md, MD_BIB, "007", "x") == NULL);
	marcdef_destroy(md);

	test_indicators_and_lists(&err);
	sb_release(&err);
	DONE();
}
