/*
 * t-fixed.c - the fixed-field editor's model: rows for Leader + 008 of a
 * book, names and codes, validation of dates and language/country codes
 * as typed, setting values, the 008 re-laid out when Leader/06 changes
 * (a -> e: maps), 006/007 chosen by their first character.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fixed.h"

static long find_row(const fixedit *f, const char *label)
{
	char buf[32];
	for (size_t i = 0; i < fixed_nrows(f); i++)
		if (!strcmp(fixed_row_label(f, i, buf, sizeof buf), label))
			return (long)i;
	return -1;
}

static int has_name(const fixedit *f, const char *name)
{
	for (size_t i = 0; i < fixed_nrows(f); i++) {
		const md_pos *p = fixed_row(f, i, NULL);
		if (p->name && strstr(p->name, name))
			return 1;
	}
	return 0;
}

int main(void)
{
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), &err) < 0) {
		fprintf(stderr, "%s\n", err.buf);
		CHECK(0);
		DONE();
	}
	const char *ldr = "00000nam a2200000 i 4500";
	const char *d008 = "250101s2024    vm            000 0 vie d";
	fixedit *f = fixed_create(md, MD_BIB, ldr, "008", d008);
	CHECK_STR(fixed_tag(f), "008");
	CHECK_STR(fixed_material(f), "BK");
	CHECK_STR(fixed_data(f), d008);
	CHECK_STR(fixed_leader(f), ldr);
	CHECK(fixed_nrows(f) > 20);
	CHECK(has_name(f, "Illustrations"));
	CHECK(!has_name(f, "Relief"));
	CHECK_INT(fixed_nerrors(f), 0);

	/* rows and values */
	long r06 = find_row(f, "LDR/06"), rlang = find_row(f, "008/35-37");
	long rdate = find_row(f, "008/07-10"), rctry = find_row(f, "008/15-17");
	CHECK(r06 >= 0 && rlang > r06 && rdate > 0 && rctry > 0);
	char *v = fixed_get(f, (size_t)rlang);
	CHECK_STR(v, "vie");
	free(v);
	int part = -1;
	CHECK(fixed_row(f, (size_t)r06, &part) != NULL);
	CHECK_INT(part, 0);
	fixed_row(f, (size_t)rlang, &part);
	CHECK_INT(part, 1);

	/* validation as typed */
	strbuf d = STRBUF_INIT;
	CHECK(fixed_check(f, (size_t)rlang, "vie", 0, &d));
	CHECK(d.buf && strstr(d.buf, "Vietnamese"));
	sb_reset(&d);
	CHECK(!fixed_check(f, (size_t)rlang, "vi", 0, NULL));      /* partial */
	CHECK(!fixed_check(f, (size_t)rlang, "xyz", 0, &d));
	CHECK(!fixed_check(f, (size_t)rlang, "vieq", 0, NULL));    /* too long */
	CHECK(fixed_check(f, (size_t)rctry, "vm", 0, NULL));
	CHECK(!fixed_check(f, (size_t)rctry, "qq", 0, NULL));
	CHECK(fixed_check(f, (size_t)rdate, "19uu", 0, NULL));
	CHECK(fixed_check(f, (size_t)rdate, "1939", 0, NULL));
	sb_reset(&d);
	CHECK(!fixed_check(f, (size_t)rdate, "19x9", 0, &d));
	CHECK(d.buf && strstr(d.buf, "digits"));
	CHECK(fixed_check(f, (size_t)rdate, "||||", 0, NULL));     /* fill */
	CHECK(!fixed_check(f, (size_t)r06, "b", 0, NULL));
	CHECK(!fixed_check(f, (size_t)rdate, "19\xc3\xa9", 0, NULL));
	sb_reset(&d);
	CHECK(fixed_check(f, (size_t)r06, "e", 0, &d));
	CHECK(d.buf && strstr(d.buf, "Cartographic"));

	/* being typed: the start of an allowed value is no error yet */
	CHECK(fixed_incomplete(f, (size_t)rdate, ""));
	CHECK(fixed_incomplete(f, (size_t)rdate, "2"));
	CHECK(fixed_incomplete(f, (size_t)rdate, "20"));
	CHECK(fixed_incomplete(f, (size_t)rdate, "19u"));
	CHECK(fixed_incomplete(f, (size_t)rdate, "||"));
	CHECK(!fixed_incomplete(f, (size_t)rdate, "2x"));       /* no date can be */
	CHECK(!fixed_incomplete(f, (size_t)rdate, "202x"));     /* full: judge it */
	CHECK(!fixed_incomplete(f, (size_t)rdate, "2026"));
	CHECK(fixed_incomplete(f, (size_t)rlang, "vi"));
	CHECK(!fixed_incomplete(f, (size_t)rlang, "qx"));       /* no code starts so */
	CHECK(fixed_incomplete(f, (size_t)rctry, "v"));
	CHECK(!fixed_incomplete(f, (size_t)rctry, "q1"));
	CHECK(!fixed_incomplete(f, (size_t)r06, "b"));          /* one character: full */
	sb_reset(&err);
	CHECK_INT(fixed_set(f, (size_t)rdate, "20", &err), -1);  /* taken short: refused */
	CHECK(err.buf && strstr(err.buf, "digits or u"));

	/* pick-list */
	size_t nc;
	const md_code *codes = fixed_codes(f, (size_t)r06, &nc);
	CHECK(codes && nc >= 10);
	codes = fixed_codes(f, (size_t)rlang, &nc);
	CHECK(codes && nc > 100);

	/* set: an invalid value is refused, a valid one lands in the string */
	sb_reset(&err);
	CHECK_INT(fixed_set(f, (size_t)rlang, "xyz", &err), -1);
	CHECK(err.buf && strstr(err.buf, "008/35-37"));
	CHECK_STR(fixed_data(f), d008);
	sb_reset(&err);
	CHECK_INT(fixed_set(f, (size_t)rlang, "eng", &err), 0);
	CHECK(!strncmp(fixed_data(f) + 35, "eng", 3));
	CHECK_INT(fixed_set(f, (size_t)rdate, "1939", &err), 0);
	CHECK(!strncmp(fixed_data(f) + 7, "1939", 4));

	/* Leader/06 a -> e: the 008 becomes a map's */
	CHECK_INT(fixed_set(f, (size_t)r06, "e", &err), 1);
	CHECK_STR(fixed_material(f), "MP");
	CHECK(fixed_leader(f)[6] == 'e');
	CHECK(has_name(f, "Relief"));
	CHECK(!has_name(f, "Illustrations"));
	CHECK(!strncmp(fixed_data(f) + 35, "eng", 3));   /* common positions kept */
	CHECK(!strncmp(fixed_data(f) + 7, "1939", 4));
	CHECK(!strncmp(fixed_data(f) + 18, "                 ", 17));
	CHECK_INT(strlen(fixed_data(f)), 40);
	/* back to a book */
	r06 = find_row(f, "LDR/06");
	CHECK_INT(fixed_set(f, (size_t)r06, "a", &err), 1);
	CHECK_STR(fixed_material(f), "BK");
	/* a change that does not select the layout */
	long r05 = find_row(f, "LDR/05");
	CHECK_INT(fixed_set(f, (size_t)r05, "c", &err), 0);
	CHECK(fixed_leader(f)[5] == 'c');
	fixed_destroy(f);

	/* short data is padded to the layout; leader alone */
	f = fixed_create(md, MD_BIB, ldr, "008", "250101");
	CHECK_INT(strlen(fixed_data(f)), 40);
	fixed_destroy(f);
	f = fixed_create(md, MD_BIB, NULL, "LDR", NULL);
	CHECK(fixed_tag(f) == NULL && fixed_data(f) == NULL);
	CHECK(fixed_nrows(f) > 5);
	CHECK_STR(fixed_leader(f), ldr);
	fixed_destroy(f);

	/* 007: category from the first character; changing it re-lays out */
	f = fixed_create(md, MD_BIB, ldr, "007", "ta");
	long r0 = find_row(f, "007/00");
	CHECK(fixed_material(f) == NULL || r0 >= 0);
	fixed_destroy(f);
	f = fixed_create(md, MD_BIB, ldr, "007", "cr |||||||||||");
	CHECK_STR(fixed_material(f), "c");
	r0 = find_row(f, "007/00");
	CHECK(r0 >= 0);
	if (r0 >= 0) {
		CHECK_INT(fixed_set(f, (size_t)r0, "a", &err), 1);
		CHECK_STR(fixed_material(f), "a");
		CHECK(fixed_data(f)[0] == 'a');
	}
	fixed_destroy(f);

	/* 006 for an online resource */
	f = fixed_create(md, MD_BIB, ldr, "006", "m     o  d        ");
	CHECK_STR(fixed_material(f), "CF");
	fixed_destroy(f);

	/* authority 008 */
	f = fixed_create(md, MD_AUTH, NULL, "008", "250101n| azannaabn          |a aaa      ");
	CHECK(fixed_nrows(f) > 10);
	fixed_destroy(f);
	fixed_destroy(NULL);

	sb_release(&d);
	sb_release(&err);
	marcdef_destroy(md);
	DONE();
}
