/*
 * t-edit-cmd.c - unit tests of the workstation command layer (tcmd.h)
 * without a terminal or a catalogue: splitting, dispatch and its
 * preconditions, field/subfield commands on a new record, undo/redo,
 * lint blocking, help text and completion.
 */
#include "harness.h"
#include "tcmd.h"

static strbuf outs, errs;
static void o(void *c, const char *t) { (void)c; sb_addf(&outs, "%s\n", t); }
static void e(void *c, const char *t) { (void)c; sb_addf(&errs, "%s\n", t); }

static void test_split(void)
{
	char **argv;
	int argc = tcmd_split("field add 245 10 \"a b\" 'c d' e\\ f", &argv);
	CHECK_INT(argc, 7);
	CHECK_STR(argv[4], "a b");
	CHECK_STR(argv[5], "c d");
	CHECK_STR(argv[6], "e f");
	tcmd_free_argv(argc, argv);
	CHECK_INT(tcmd_split("x \"open", &argv), -1);
	CHECK_STR(tcmd_rest(":field add 245 10 $a Tắt  đèn", 3), "10 $a Tắt  đèn");
	CHECK(tcmd_find("w") == tcmd_find("save"));
	CHECK(tcmd_known("quit!"));
	CHECK(tcmd_known("field del 245"));
	CHECK(!tcmd_known("frob"));
}

static void test_session(void)
{
	struct tfront fe = { NULL, o, e, NULL, NULL, NULL };
	tsess *s = tsess_create(&fe);
	tsess_load_config(s, NULL);
	CHECK_INT(errs.len, 0);
	/* preconditions from the table */
	CHECK_INT(tcmd_run(s, "search ti=x"), 2);
	CHECK(strstr(errs.buf, "no catalogue") != NULL);
	CHECK_INT(tcmd_run(s, "field del 245"), 2);
	CHECK(strstr(errs.buf, "no record is open") != NULL);
	CHECK_INT(tcmd_run(s, "frobnicate"), 2);
	CHECK_INT(tcmd_run(s, "goto"), 2);             /* usage */
	CHECK_INT(tcmd_run(s, "up"), 2);               /* screen only */
	CHECK(strstr(errs.buf, "only in the full-screen") != NULL);
	CHECK_INT(tcmd_run(s, "# a comment"), 0);
	CHECK_INT(tcmd_run(s, ""), 0);

	/* :punctuate adds the ISBD marks lint asks for, once; undo takes them back
	 * (:fixed needs the MARC definitions) */
	setenv("BIENMUC_MARCDIR", t_root("marc"), 1);
	CHECK_INT(tcmd_run(s, ":new"), 0);
	CHECK_INT(rec_leader(edrec_rec(s->ed))[18], 'a');
	CHECK_INT(tcmd_run(s, "field set 245 10 $a Tắt đèn $b tiểu thuyết $c Ngô Tất Tố"), 0);
	CHECK_INT(tcmd_run(s, "field set 264 _1 $a Hà Nội $b Văn học $c 2020"), 0);
	CHECK_INT(tcmd_run(s, "field add 300 $a 120 tr. $b $c 19 cm"), 0);   /* an empty $b */
	sb_reset(&outs);
	CHECK_INT(tcmd_run(s, "punctuate"), 0);
	CHECK(outs.buf && strstr(outs.buf, "punctuate: 6 subfields changed"));
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'a'), "Tắt đèn :");
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'b'), "tiểu thuyết /");
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'c'), "Ngô Tất Tố.");
	CHECK_STR(rec_get(edrec_rec(s->ed), "264", 'b'), "Văn học,");
	CHECK_STR(rec_get(edrec_rec(s->ed), "264", 'c'), "2020.");    /* 264 ends with a stop */
	long f300 = rec_find(edrec_rec(s->ed), "300", 0);   /* the template's: blanks, no marks */
	CHECK(f300 >= 0 && !strcmp(rec_sub_value(edrec_rec(s->ed), (size_t)f300, 0, NULL), ""));
	sb_reset(&outs);
	CHECK_INT(tcmd_run(s, "punctuate"), 0);
	CHECK(outs.buf && strstr(outs.buf, "punctuate: 0 subfields changed"));
	CHECK_INT(tcmd_run(s, "undo"), 0);
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'a'), "Tắt đèn");
	CHECK_INT(tcmd_run(s, "fixed LDR LDR/18=c"), 0);
	sb_reset(&errs);
	CHECK_INT(tcmd_run(s, "punctuate"), 2);
	CHECK(errs.buf && strstr(errs.buf, "Leader/18 is 'c'"));
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'a'), "Tắt đèn");
	CHECK_INT(tcmd_run(s, "close!"), 0);

	/* a new record edited by commands */
	CHECK_INT(tcmd_run(s, ":new"), 0);
	CHECK(s->ed != NULL);
	CHECK_INT(tcmd_run(s, "field set 245 10 $a Truyện Kiều / $c Nguyễn Du."), 0);
	CHECK_STR(rec_get(edrec_rec(s->ed), "245", 'a'), "Truyện Kiều /");
	CHECK_INT(tcmd_run(s, "field add 100 0 $a Nguyễn Du, $d 1765-1820."), 0);
	CHECK_INT(tcmd_run(s, "field add 650 _7 $a Văn học Việt Nam $2 Bộ TK TVQG"), 0);
	CHECK_INT(rec_ind(edrec_rec(s->ed), (size_t)rec_find(edrec_rec(s->ed), "650", 0), 2), '7');
	CHECK_INT(tcmd_run(s, "field add 500 $a Ghi chú"), 0);
	CHECK_STR(rec_get(edrec_rec(s->ed), "500", 'a'), "Ghi chú");
	CHECK_INT(tcmd_run(s, "goto 650"), 0);
	CHECK_INT(tcmd_run(s, "sub add x Thơ"), 0);
	CHECK_INT(rec_nsub(edrec_rec(s->ed), (size_t)rec_find(edrec_rec(s->ed), "650", 0)), 3);
	CHECK_INT(tcmd_run(s, "sub del 3"), 0);
	CHECK_INT(tcmd_run(s, "field copy"), 0);
	CHECK_INT(tcmd_run(s, "field paste"), 0);
	CHECK(rec_find(edrec_rec(s->ed), "650", (size_t)rec_find(edrec_rec(s->ed), "650", 0) + 1) >= 0);
	CHECK_INT(tcmd_run(s, "field del 650/2"), 0);
	CHECK_INT(tcmd_run(s, "field del 650/2"), 2);
	CHECK_INT(tcmd_run(s, "goto 999"), 2);
	CHECK_INT(tcmd_run(s, "undo"), 0);
	CHECK(rec_find(edrec_rec(s->ed), "650", (size_t)rec_find(edrec_rec(s->ed), "650", 0) + 1) >= 0);
	CHECK_INT(tcmd_run(s, "redo"), 0);
	CHECK_INT(tcmd_run(s, "field set 245 10 bad"), 2);
	/* lint: the empty template subfields are errors */
	CHECK_INT(tcmd_run(s, "lint"), 1);
	CHECK(strstr(outs.buf, "is empty") != NULL);
	/* quit refuses unsaved changes; quit! leaves */
	CHECK_INT(tcmd_run(s, "quit"), 1);
	CHECK(!s->quit);
	CHECK_INT(tcmd_run(s, "quit!"), 0);
	CHECK(s->quit);
	CHECK_INT(s->worst, 2);

	/* set / labels */
	CHECK_INT(tcmd_run(s, "set display labelled"), 0);
	CHECK_INT(s->opt.labelled, 1);
	CHECK_INT(tcmd_run(s, "set display sideways"), 2);
	CHECK_INT(tcmd_run(s, "labels"), 0);
	CHECK_INT(s->opt.labelled, 0);

	/* help lists every command, with its keys */
	strbuf h = STRBUF_INIT;
	tcmd_help_text(s, KV_EDIT, NULL, &h);
	for (const struct tcmd_entry *c = tcmd_table; c->name; c++) {
		if (c->flags & TC_UI)
			continue;
		char want[64];
		snprintf(want, sizeof want, ":%s", c->name);
		CHECKF(strstr(h.buf, want) != NULL, "help has %s", want);
	}
	CHECK(strstr(h.buf, "[C-s, F2, M-2]") != NULL);
	sb_release(&h);

	/* completion: commands, subcommands, tags of the record */
	char **c = tcmd_complete(s, "fi", 2);
	CHECK(c[0] && !strcmp(c[0], "field") && c[1] && !strcmp(c[1], "fixed") && !c[2]);
	tcmd_free_list(c);
	c = tcmd_complete(s, "fie", 3);
	CHECK(c[0] && !strcmp(c[0], "field") && !c[1]);
	tcmd_free_list(c);
	c = tcmd_complete(s, "field d", 7);
	CHECK(c[0] && !strcmp(c[0], "del") && c[1] && !strcmp(c[1], "down") &&
	      c[2] && !strcmp(c[2], "dup") && !c[3]);
	tcmd_free_list(c);
	c = tcmd_complete(s, "goto 6", 6);
	int has650 = 0;
	for (size_t i = 0; c[i]; i++)
		has650 |= !strcmp(c[i], "650");
	CHECK(has650);
	tcmd_free_list(c);
	c = tcmd_complete(s, "set display l", 13);
	CHECK(c[0] && !strcmp(c[0], "labelled"));
	tcmd_free_list(c);
	c = tcmd_complete(s, "zz", 2);
	CHECK(c[0] == NULL);
	tcmd_free_list(c);
	tsess_destroy(s);
	tsess_destroy(NULL);
}

int main(void)
{
	test_split();
	test_session();
	sb_release(&outs);
	sb_release(&errs);
	DONE();
}
