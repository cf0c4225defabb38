/* t-callno.c - author marks (Vietnamese initials, first letters, LC
 * Cutter table, author tables looked up the Cutter-Sanborn way), class
 * numbers from 082/084, 090 read and written. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "callno.h"
#include "rec.h"
#include "util.h"

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

/* Write text to a file in the test's temp directory; returns the rule
 * "table:PATH" (static buffer). */
static const char *table_file(const char *dir, const char *name, const char *text)
{
	static char rule[4096];
	char path[3000];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
	snprintf(rule, sizeof rule, "table:%s", path);
	return rule;
}

/* The rule is refused, and the message has every part of want (| between). */
static void bad_table(const char *rule, const char *want)
{
	strbuf err = STRBUF_INIT;
	CHECK(!callno_rule_valid(rule));
	CHECK_INT(callno_rule_check(rule, &err), -1);
	char *w = xstrdup(want);
	for (char *part = strtok(w, "|"); part; part = strtok(NULL, "|"))
		CHECKF(err.buf && strstr(err.buf, part), "'%s' not in '%s'", part,
		       err.buf ? err.buf : "");
	free(w);
	CHECK(callno_mark("Smith", rule) == NULL);
	sb_release(&err);
}

static void author_tables(void)
{
	char sample[4096];
	snprintf(sample, sizeof sample, "table:%s", t_root("marc/author-table-sample.txt"));
	CHECK(callno_rule_valid(sample));
	/* exact entries */
	mark("Smith", sample, "S580");
	mark("Smith, J.", sample, "S590");
	mark("Smithe", sample, "S650");
	/* between entries: the last entry at or before the name */
	mark("Smith, John", sample, "S590");      /* "Smith, J" <= it < "Smith, M" */
	mark("Smith, Adam", sample, "S580");      /* "Smith" <= it < "Smith, J" */
	mark("Smithers, Anne", sample, "S650");   /* after "Smithe", before "St" */
	mark("Smyth", sample, "S650");
	mark("Dickens, Charles", sample, "D500");
	mark("adams", sample, "A100");            /* case does not count */
	mark("O'Brien, Flann", sample, "O100");   /* apostrophe dropped */
	/* before the first entry of the letter: its number */
	mark("Xavier, Francis", sample, "X100");  /* first X entry is "Xe" */
	mark("Đàm, Thanh", sample, "Đ200");       /* before "Đặng" */
	/* after the last entry of the letter */
	mark("Zweig, Stefan", sample, "Z500");
	mark("Wordsworth", sample, "W500");
	/* Vietnamese names: marks and case ignored, Đ after D */
	mark("Nguyễn, Văn An", sample, "N450");
	mark("NGUYEN VAN AN", sample, "N450");
	mark("Nguyễn, Thị Minh", sample, "N400");
	mark("Ngô, Tất Tố", sample, "N300");
	mark("Lê, Văn Hưu", sample, "L300");
	mark("Đặng, Thùy Trâm", sample, "Đ200");
	mark("Đoàn, Thị Điểm", sample, "Đ600");   /* "do" <= "doan" */
	mark("Dương, Thu Hương", sample, "D800"); /* D, not Đ */
	mark("Ánh, Nguyễn Nhật", sample, "A500");
	mark("", sample, "");
	mark("1984", sample, "");

	/* a relative FILE is looked up in the marc/ data directory */
	char *old = getenv("BIENMUC_MARCDIR") ? xstrdup(getenv("BIENMUC_MARCDIR")) : NULL;
	setenv("BIENMUC_MARCDIR", t_root("marc"), 1);
	mark("Smith, John", "table:author-table-sample.txt", "S590");
	bad_table("table:no-such-table.txt", "no-such-table.txt|No such file");
	if (old)
		setenv("BIENMUC_MARCDIR", old, 1);
	else
		unsetenv("BIENMUC_MARCDIR");
	free(old);

	char dir[] = "/tmp/t-callno.XXXXXX";
	if (!mkdtemp(dir)) {
		SKIP("mkdtemp");
		return;
	}
	/* unsorted, comments, blank lines, CRLF, a byte-order mark */
	const char *r = table_file(dir, "ok.txt",
		"\xef\xbb\xbf# local table\r\n\r\n  30 Bach  # composer\r\n"
		"10 B\n\t20 Ba\n15 b. t.\n10 B\n5 Ca\n");
	CHECK(callno_rule_valid(r));
	mark("Bach, Johann Sebastian", r, "B30");
	mark("Baa", r, "B20");
	mark("B. Traven", r, "B15");              /* "b t" < "b traven" < "ba" */
	mark("Bab", r, "B20");
	mark("Bo", r, "B30");
	mark("Casals", r, "C5");
	mark("Dvořák", r, "D");                   /* no D entries: the letter alone */
	/* no Đ entries: Đ names looked up under D, the mark keeps Đ */
	r = table_file(dir, "d.txt", "11 D\n22 Da\n33 Do\n");
	mark("Đặng Thai Mai", r, "Đ22");
	mark("Đỗ Chu", r, "Đ33");

	/* bad tables: the file and the line named */
	bad_table(table_file(dir, "num.txt", "# x\n10 A\nSmith 589\n"), "num.txt:3:|'Smith'");
	bad_table(table_file(dir, "noname.txt", "10 A\n\n20   # Ab\n"), "noname.txt:3:|number 20");
	bad_table(table_file(dir, "noletter.txt", "10 A\n20 ,.-\n"), "noletter.txt:2:|no letter");
	bad_table(table_file(dir, "utf8.txt", "10 A\n20 Caf\xe9\n"), "utf8.txt:2:|UTF-8");
	bad_table(table_file(dir, "dup.txt", "10 Smith, J.\n20 Ab\n30 smith j\n"),
	          "dup.txt:3:|line 1");
	bad_table(table_file(dir, "long.txt", "1234567890 Ab\n"), "long.txt:1:");
	bad_table(table_file(dir, "empty.txt", "# nothing\n\n"), "empty.txt|no entries");
	bad_table("table:", "table:FILE");
	bad_table("table:/nonexistent/t.txt", "/nonexistent/t.txt");
	bad_table("table:/tmp", "not a file");
	bad_table("sanborn", "'sanborn' is not an author-mark rule");

	/* the cache notices a changed file (the size changes here) */
	r = table_file(dir, "ch.txt", "10 A\n20 Am\n");
	mark("Amis", r, "A20");
	r = table_file(dir, "ch.txt", "10 A\n20 Am\n30 Ami\n");
	mark("Amis", r, "A30");
	r = table_file(dir, "ch.txt", "oops\n");
	bad_table(r, "ch.txt:1:");

	/* in a record: a foreign inverted name takes callno.foreign */
	rec *b = book("Smith, John,", '1', "A book /", 2, "eng", "823.914");
	struct callno_rules tr = { NULL, sample, NULL };
	char *s = callno_suggest(b, &tr);
	CHECK_STR(s, "823.914 S590");
	free(s);
	rec_destroy(b);
	b = book("Nguyễn, Văn An,", '1', "Thơ /", 0, "vie", "895.9221");
	struct callno_rules tv = { sample, NULL, NULL };
	s = callno_suggest(b, &tv);
	CHECK_STR(s, "895.9221 N450");
	free(s);
	/* with a work mark: the title's first letter, marks stripped */
	tv.workmark = "upper";
	s = callno_suggest(b, &tv);
	CHECK_STR(s, "895.9221 N450T");
	free(s);
	rec_destroy(b);
	b = book("Smith, John,", '1', "The ánh sáng /", 4, "eng", "823.914");
	tr.workmark = "lower";
	s = callno_suggest(b, &tr);
	CHECK_STR(s, "823.914 S590a");          /* nonfiling "The " skipped */
	free(s);
	tr.workmark = "none";
	s = callno_suggest(b, &tr);
	CHECK_STR(s, "823.914 S590");
	free(s);
	rec_destroy(b);
	CHECK(callno_workmark_valid("upper") && callno_workmark_valid("none"));
	CHECK(!callno_workmark_valid("title") && !callno_workmark_valid(NULL));

	const char *names[] = { "ok.txt", "d.txt", "num.txt", "noname.txt", "noletter.txt",
	                        "utf8.txt", "dup.txt", "long.txt", "empty.txt", "ch.txt" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char p[3000];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	callno_tables_free();
	callno_tables_free();                     /* twice is harmless */
	mark("Smith", sample, "S580");            /* loaded again after a free */
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
	struct callno_rules vn_only = { "initials:2", "initials:2", NULL };
	s = callno_suggest(r, &vn_only);
	CHECK_STR(s, "823.8 DC");
	free(s);
	rec_destroy(r);

	r = book(NULL, ' ', "The old curiosity shop", 4, "eng", NULL);
	s = callno_suggest(r, NULL);
	CHECK_STR(s, "OCS");                /* title entry, nonfiling skipped */
	free(s);
	struct callno_rules wm = { NULL, NULL, "lower" };
	s = callno_suggest(r, &wm);
	CHECK_STR(s, "OCS");                /* no work mark after a title entry */
	free(s);
	rec_destroy(r);

	author_tables();
	DONE();
}
