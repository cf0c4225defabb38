/*
 * t-marcdef.c - the MARC 21 definitions and their loader: lookups by
 * tag, subfield and position, material types, code lists, overlays
 * (local fields, Vietnamese names), syntax errors, load time.
 *
 * With --dump it prints every definition in a normalised form, one per
 * line, for tests/lint-defs.test (which compares ours with the shared
 * machine-readable definitions):
 *   F FMT TAG R|NR [obs]        field
 *   I FMT TAG N VALUES          allowed indicator values ('#' = blank)
 *   S FMT TAG C R|NR [obs]      subfield
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "marcdef.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void dump(const marcdef *md)
{
	const char *fn[] = { "bib", "auth" };
	for (int fmt = 0; fmt < MD_NFORMATS; fmt++)
		for (size_t i = 0; i < marcdef_nfields(md, fmt); i++) {
			const md_field *f = marcdef_field_at(md, fmt, i);
			printf("F %s %s %s%s\n", fn[fmt], f->tag, f->repeatable ? "R" : "NR",
			       f->obsolete ? " obs" : "");
			if (f->control)
				continue;
			for (int k = 0; k < 2; k++) {
				printf("I %s %s %d ", fn[fmt], f->tag, k + 1);
				if (f->ind[k].undefined)
					putchar('#');
				for (size_t j = 0; j < f->ind[k].ncodes; j++)
					if (!f->ind[k].codes[j].obsolete)
						putchar(f->ind[k].codes[j].code[0] == ' ' ? '#' : f->ind[k].codes[j].code[0]);
				putchar('\n');
			}
			for (size_t j = 0; j < f->nsubs; j++)
				printf("S %s %s %c %s%s\n", fn[fmt], f->tag, f->subs[j].code,
				       f->subs[j].repeatable ? "R" : "NR", f->subs[j].obsolete ? " obs" : "");
		}
}

int main(int argc, char **argv)
{
	strbuf err = STRBUF_INIT;
	double t0 = now_ms();
	marcdef *md = marcdef_create();
	int rc = marcdef_load_dir(md, t_root("marc"), &err);
	double t1 = now_ms();
	if (argc > 1 && !strcmp(argv[1], "--dump")) {
		if (rc == 0)
			dump(md);
		marcdef_destroy(md);
		sb_release(&err);
		return rc ? 2 : 0;
	}
	CHECKF(rc == 0, "load: %s", err.buf ? err.buf : "");
	fprintf(stderr, "load time: %.2f ms\n", t1 - t0);
	CHECKF(t1 - t0 < 50, "loading the definitions took %.1f ms", t1 - t0);

	/* breadth */
	CHECKF(marcdef_nfields(md, MD_BIB) >= 230, "%zu bib fields", marcdef_nfields(md, MD_BIB));
	CHECKF(marcdef_nfields(md, MD_AUTH) >= 130, "%zu auth fields", marcdef_nfields(md, MD_AUTH));
	const char *bibtags[] = { "001", "008", "010", "020", "022", "040", "041", "082", "100",
	                          "245", "246", "250", "260", "264", "300", "336", "490", "500",
	                          "505", "520", "600", "650", "651", "655", "700", "710", "773",
	                          "776", "830", "841", "852", "856", "880", "887", NULL };
	for (const char **t = bibtags; *t; t++)
		CHECKF(marcdef_field(md, MD_BIB, *t) != NULL, "bib %s", *t);
	const char *authtags[] = { "008", "040", "100", "110", "150", "151", "155", "400",
	                           "410", "450", "451", "500", "550", "670", "678", "680",
	                           "700", "750", "856", NULL };
	for (const char **t = authtags; *t; t++)
		CHECKF(marcdef_field(md, MD_AUTH, *t) != NULL, "auth %s", *t);

	/* a field */
	const md_field *f = marcdef_field(md, MD_BIB, "245");
	CHECK(f && !f->repeatable && !f->control && !f->obsolete);
	CHECK_STR(f->name, "Title statement");
	CHECK_STR(f->name_local, "Nhan đề và thông tin trách nhiệm");
	CHECK(marcdef_subfield(f, 'a') && !marcdef_subfield(f, 'a')->repeatable);
	CHECK(marcdef_subfield(f, 'n') && marcdef_subfield(f, 'n')->repeatable);
	CHECK(marcdef_subfield(f, 'd') && marcdef_subfield(f, 'd')->obsolete);
	CHECK(marcdef_subfield(f, 'x') == NULL);
	CHECK_STR(marcdef_subfield(f, 'a')->name_local, "Nhan đề chính");
	CHECK_STR(marcdef_name(f->name, f->name_local, 0), "Title statement");
	CHECK(marcdef_ind_value(f, 1, '1') != NULL);
	CHECK(marcdef_ind_value(f, 1, '2') == NULL);
	CHECK(marcdef_ind_value(f, 2, '9') != NULL);
	CHECK(marcdef_ind_value(f, 2, ' ') == NULL);
	CHECK_STR(f->ind[1].name, "Nonfiling characters");
	f = marcdef_field(md, MD_BIB, "500");
	CHECK(f && marcdef_ind_value(f, 1, ' ') && !marcdef_ind_value(f, 1, '0'));
	CHECK(marcdef_field(md, MD_BIB, "440")->obsolete);
	CHECK(marcdef_field(md, MD_BIB, "001")->control);
	/* like: 600 has 100's name subfields and its own thesaurus indicator */
	f = marcdef_field(md, MD_BIB, "600");
	CHECK(marcdef_subfield(f, 'q') && marcdef_subfield(f, 'x'));
	CHECK(marcdef_ind_value(f, 1, '3') && marcdef_ind_value(f, 2, '7'));
	f = marcdef_field(md, MD_BIB, "610");
	CHECK(marcdef_subfield(f, 'q') == NULL || marcdef_subfield(f, 'q')->obsolete == 0);
	CHECK(marcdef_ind_value(f, 1, '2') && !marcdef_ind_value(f, 1, '3'));
	CHECK(marcdef_field(md, MD_BIB, "999") == NULL);
	CHECK(marcdef_field(md, 7, "245") == NULL);

	/* material types */
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nam a2200000 a 4500"), "BK");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nas a2200000 a 4500"), "CR");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nai a2200000 a 4500"), "CR");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000ntm a2200000 a 4500"), "BK");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000njm a2200000 a 4500"), "MU");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nem a2200000 a 4500"), "MP");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000ngm a2200000 a 4500"), "VM");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000nmm a2200000 a 4500"), "CF");
	CHECK_STR(marcdef_material(md, MD_BIB, "00000npc a2200000 a 4500"), "MX");
	CHECK(marcdef_material(md, MD_BIB, "00000nzm a2200000 a 4500") == NULL);
	CHECK_STR(marcdef_material(md, MD_AUTH, "00000nz  a2200000n  4500"), "all");
	CHECK_STR(marcdef_material_006(md, 's'), "CR");
	CHECK_STR(marcdef_material_006(md, 'm'), "CF");
	CHECK_STR(marcdef_material_name(md, "VM"), "Visual materials");

	/* positions */
	const md_pos *pos[64];
	const char *types[] = { "nam", "nas", "ncm", "nem", "ngm", "nmm", "npm", NULL };
	for (const char **t = types; *t; t++) {
		char ldr[25] = "00000nam a2200000 a 4500";
		memcpy(ldr + 5, *t, 3);
		size_t n = marcdef_positions(md, MD_BIB, "008", ldr, NULL, pos, 64);
		int covered = 0, ok = n > 0;
		for (size_t i = 0; i < n; i++) {
			covered += pos[i]->len;
			if (i && pos[i]->start != pos[i - 1]->start + pos[i - 1]->len)
				ok = 0;
		}
		CHECKF(ok && covered == 40, "008 for %s: %zu positions cover %d", *t, n, covered);
		n = marcdef_positions(md, MD_BIB, "006", ldr, (char[]){ (*t)[1], 0 }, pos, 64);
		covered = 0;
		for (size_t i = 0; i < n; i++)
			covered += pos[i]->len;
		CHECKF(covered == 18, "006 for %c covers %d", (*t)[1], covered);
	}
	size_t n = marcdef_positions(md, MD_BIB, "LDR", NULL, NULL, pos, 64);
	CHECK_INT(n, 16);
	n = marcdef_positions(md, MD_AUTH, "008", "00000nz  a2200000n  4500", NULL, pos, 64);
	CHECKF(n >= 20 && pos[n - 1]->start == 39, "authority 008: %zu positions", n);
	n = marcdef_positions(md, MD_BIB, "007", NULL, "vd", pos, 64);
	CHECK_INT(n, 9);
	CHECK_STR(pos[4]->name, "Videorecording format");
	CHECK(marcdef_pos_valid(md, pos[4], "v"));
	CHECK(!marcdef_pos_valid(md, pos[4], "y"));
	CHECK(marcdef_positions(md, MD_BIB, "007", NULL, "x", pos, 64) == 0);
	const char *alpha = "007acdfghkmoqrstvz";
	for (const char *c = alpha + 3; *c; c++) {
		char d[2] = { *c, 0 };
		CHECKF(marcdef_positions(md, MD_BIB, "007", NULL, d, pos, 64) > 0, "007 %c", *c);
	}
	/* kinds of positions */
	n = marcdef_positions(md, MD_BIB, "008", "00000nam a2200000 a 4500", NULL, pos, 64);
	const md_pos *ill = NULL, *lang = NULL, *d1 = NULL, *ctry = NULL;
	for (size_t i = 0; i < n; i++) {
		if (pos[i]->start == 18) ill = pos[i];
		if (pos[i]->start == 35) lang = pos[i];
		if (pos[i]->start == 7) d1 = pos[i];
		if (pos[i]->start == 15) ctry = pos[i];
	}
	CHECK(ill && ill->kind == MDP_EACH && ill->len == 4);
	CHECK(marcdef_pos_valid(md, ill, "ab  "));
	CHECK(!marcdef_pos_valid(md, ill, "a b "));
	CHECK(!marcdef_pos_valid(md, ill, "x   "));
	CHECK(marcdef_pos_valid(md, ill, "||||"));
	CHECK(lang && lang->kind == MDP_LIST && marcdef_pos_valid(md, lang, "vie"));
	CHECK(!marcdef_pos_valid(md, lang, "xxx"));
	CHECK(d1 && marcdef_pos_valid(md, d1, "199u") && marcdef_pos_valid(md, d1, "    "));
	CHECK(!marcdef_pos_valid(md, d1, "19x5"));
	CHECK(ctry && marcdef_pos_valid(md, ctry, "vm ") && !marcdef_pos_valid(md, ctry, "qq "));
	CHECK(marcdef_pos_code(ill, "a") != NULL);

	/* code lists */
	CHECK_STR(marcdef_code(md, "lang", "vie")->name, "Vietnamese");
	CHECK_STR(marcdef_code(md, "country", "vm ")->name, "Vietnam");
	CHECK(marcdef_code(md, "country", "vn")->obsolete);
	CHECK(marcdef_code(md, "lang", "fri")->obsolete);
	CHECK(marcdef_code(md, "lang", "xyz") == NULL);
	CHECK(marcdef_code(md, "nolist", "vie") == NULL);
	CHECKF(marcdef_codelist(md, "lang")->ncodes > 480, "%zu languages", marcdef_codelist(md, "lang")->ncodes);
	CHECKF(marcdef_codelist(md, "country")->ncodes > 350, "%zu countries", marcdef_codelist(md, "country")->ncodes);
	CHECK_INT(marcdef_ncodelists(md), 3);
	CHECK_STR(marcdef_code(md, "gac", "a-vt---")->name, "Vietnam");
	CHECK(marcdef_code(md, "gac", "a-vn---")->obsolete);
	CHECK(marcdef_code(md, "gac", "a-vt") == NULL);
	CHECK(marcdef_codelist_at(md, 5) == NULL);

	/* overlays: a local field and more names, without touching ours */
	const char *local =
		"# local.def\n"
		"format bib\n"
		"lang en\n"
		"952 R Local holdings\n"
		"  ind1 name Shelving\n"
		"  ind1 0-2 Shelving scheme\n"
		"  $a NR Library\n"
		"  $p R Barcode\n"
		"lang vi\n"
		"952 Vốn tư liệu địa phương\n"
		"  $p Mã vạch\n"
		"lang en\n"                  /* a local code: added in English */
		"codelist lang\n"
		"code qaa Local language\n";
	sb_reset(&err);
	CHECKF(marcdef_load_text(md, "local.def", local, strlen(local), &err) == 0, "%s", err.buf);
	f = marcdef_field(md, MD_BIB, "952");
	CHECK(f && f->local && f->repeatable);
	CHECK_STR(f->name_local, "Vốn tư liệu địa phương");
	CHECK_STR(marcdef_subfield(f, 'p')->name_local, "Mã vạch");
	CHECK(marcdef_ind_value(f, 1, '2') && !marcdef_ind_value(f, 1, '3'));
	CHECK(!marcdef_field(md, MD_BIB, "245")->local);
	CHECK(marcdef_code(md, "lang", "qaa") && marcdef_code(md, "lang", "vie"));

	/* syntax errors name file and line */
	const char *bad[] = {
		"format bib\n245\n",                       /* new tag without R/NR */
		"format xyz\n",
		"  $a NR Orphan subfield\n",
		"format bib\n950 R X\n  ind1 10 Bad\n",
		"fixed 008 BK\npos 18-21 weird Illustrations\n",
		"fixed 008 BK\npos 18-21 each Illustrations\n  code ab Two\n",
		"frobnicate\n",
		"format bib\n950 R X\n  like 951\n",
		NULL,
	};
	for (const char **b = bad; *b; b++) {
		marcdef *m2 = marcdef_create();
		sb_reset(&err);
		CHECKF(marcdef_load_text(m2, "bad.def", *b, strlen(*b), &err) < 0, "accepted: %s", *b);
		CHECKF(err.buf && !strncmp(err.buf, "bad.def:", 8), "message: %s", err.buf ? err.buf : "");
		marcdef_destroy(m2);
	}
	marcdef_destroy(NULL);
	marcdef_destroy(md);

	/* search path */
	setenv("BIENMUC_MARCDIR", t_root("marc"), 1);
	char *dir = marcdef_find_dir();
	CHECK_STR(dir, t_root("marc"));
	free(dir);
	sb_reset(&err);
	md = marcdef_open_default(&err);
	CHECK(md != NULL);
	marcdef_destroy(md);
	setenv("BIENMUC_MARCDIR", "/nonexistent", 1);
	sb_reset(&err);
	md = marcdef_open_default(&err);
	CHECK(md == NULL && err.len > 0);
	sb_reset(&err);
	CHECK(marcdef_load_dir((md = marcdef_create()), "/nonexistent", &err) < 0);
	marcdef_destroy(md);
	unsetenv("BIENMUC_MARCDIR");
	sb_release(&err);
	DONE();
}
