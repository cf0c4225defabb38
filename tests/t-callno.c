/* t-callno.c - author marks (Vietnamese initials, first letters, LC
 * Cutter table), class numbers from 082/084, 090 read and written. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "callno.h"
#include "rec.h"

static void mark(const char *text, const char *rule, const char *want)
{
	char *m = callno_mark(text, rule);
	CHECK_STR(m ? m : "(null)", want);
	free(m);
}

static rec *book(const char *f100, char ind1, const char *title, int nonfiling, const char *lang,
                 const char *f082)
{
	rec *r = rec_create();
	char f008[41];
	memset(f008, ' ', 40);
	f008[40] = 0;
	memcpy(f008 + 35, lang, 3);
	rec_add_control(r, "008", f008, 40);
	if (f082) {
		size_t f = rec_add_field(r, "082", '0', '4');
		rec_add_sub(r, f, 'a', f082, strlen(f082));
	}
	if (f100) {
		size_t f = rec_add_field(r, "100", ind1, ' ');
		rec_add_sub(r, f, 'a', f100, strlen(f100));
	}
	size_t f = rec_add_field(r, "245", '1', (char)('0' + nonfiling));
	rec_add_sub(r, f, 'a', title, strlen(title));
	return r;
}

int main(void)
{
	mark("Ngô Tất Tố", "initials", "NTT");
	mark("Ngô Tất Tố", "initials:2", "NT");
	mark("Đặng Thùy Trâm", "initials:3", "ĐTT");
	mark("Ánh, Nguyễn Nhật", "initials:3", "ANN");
	mark("Truyện Kiều", "initials", "TK");
	mark("Nguyễn Du", "word", "Ngu");
	mark("Ở rừng", "word:2", "O");      /* one letter in the first word */
	mark("Lều chõng", "word:2", "Le");
	/* LC Cutter table */
	mark("Dickens, Charles", "cutter", "D53");
	mark("Smith", "cutter", "S65");
	mark("Adams", "cutter", "A33");
	mark("Quinn", "cutter", "Q56");
	mark("Chen", "cutter", "C44");
	mark("Ibsen", "cutter", "I27");
	CHECK(callno_mark("x", "sanborn") == NULL);
	CHECK(!callno_rule_valid("initials:0"));
	CHECK(callno_rule_valid("word:4"));

	rec *r = book("Ngô, Tất Tố,", '1', "Tắt đèn /", 0, "vie", "895.922/332");
	char *s = callno_suggest(r, NULL);
	CHECK_STR(s, "895.922332 NTT");
	free(s);
	s = callno_of_record(r);
	CHECK_STR(s, "");
	free(s);
	callno_set(r, "895.922332 NG-T");
	s = callno_of_record(r);
	CHECK_STR(s, "895.922332 NG-T");
	free(s);
	CHECK_STR(rec_get(r, "090", 'b'), "NG-T");
	CHECK_STR(rec_tag(r, 1), "082");   /* 090 after 082, before 100 */
	CHECK_STR(rec_tag(r, 2), "090");
	callno_set(r, "");
	CHECK(rec_find(r, "090", 0) < 0);
	rec_destroy(r);

	r = book("Dickens, Charles,", '1', "The old curiosity shop /", 4, "eng", "823.8");
	s = callno_suggest(r, NULL);
	CHECK_STR(s, "823.8 D53");
	free(s);
	struct callno_rules vn_only = { "initials:2", "initials:2" };
	s = callno_suggest(r, &vn_only);
	CHECK_STR(s, "823.8 DC");
	free(s);
	rec_destroy(r);

	r = book(NULL, ' ', "The old curiosity shop", 4, "eng", NULL);
	s = callno_suggest(r, NULL);
	CHECK_STR(s, "OCS");                /* title entry, nonfiling skipped */
	free(s);
	rec_destroy(r);
	DONE();
}
