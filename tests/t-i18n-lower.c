/*
 * t-i18n-lower.c - the lower layers' messages in Vietnamese (a reader
 * error, a plural, a CCL error) and the per-thread English switch of
 * i18n-lower.h: on for one thread only, nestable, and used by the linter
 * in English mode for the heading hook's message.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "i18n-lower.h"
#include "marcio.h"
#include "cclquery.h"
#include "lint.h"
#include "marcdef.h"

static void *other_thread(void *arg)
{
	const char **out = arg;
	*out = _("unreadable record");
	return NULL;
}

/* The first record of a truncated ISO 2709 stream: its error. */
static void read_truncated(strbuf *msg)
{
	static const char data[] = "00100nam  2200037   4500";
	FILE *fp = fmemopen((void *)data, sizeof data - 1, "rb");
	struct marc_read_opts o = { .format = MF_ISO2709 };
	strbuf err = STRBUF_INIT;
	marc_reader *rd = marc_reader_open(fp, "t.mrc", &o, &err);
	rec *r = rec_create();
	sb_reset(msg);
	if (rd && marc_reader_next(rd, r) == MR_BAD)
		sb_adds(msg, marc_reader_error(rd));
	rec_destroy(r);
	marc_reader_close(rd);
	fclose(fp);
	sb_release(&err);
}

static int hook(void *arg, const rec *r, size_t f, strbuf *msg)
{
	(void)arg;
	if (strcmp(rec_tag(r, f), "100"))
		return 0;
	sb_adds(msg, _("unreadable record"));
	return LINT_HEADING_AMBIGUOUS;
}

static void on_finding(const lint_finding *fd, void *arg)
{
	if (!strcmp(fd->rule, "heading-ambiguous"))
		sb_adds(arg, fd->message);
}

int main(void)
{
	const char *why = t_messages_setup();
	if (why) {
		SKIP(why);
		DONE();
	}
	setenv("LANGUAGE", "vi", 1);
	i18n_init();

	/* translated */
	CHECK_STR(_("unreadable record"), "biểu ghi không đọc được");
	CHECK_STR(ngettext("not a MARC record: %zu byte %s before the next record",
	                   "not a MARC record: %zu bytes %s before the next record", 5),
	          "không phải biểu ghi MARC: %zu byte %s trước biểu ghi tiếp theo");
	strbuf m = STRBUF_INIT;
	read_truncated(&m);
	CHECK_STR(m.buf, "biểu ghi bị cắt cụt: tệp kết thúc tại byte 24");
	strbuf q = STRBUF_INIT, e = STRBUF_INIT;
	CHECK_INT(cclq_to_pqf("ti=(kieu", &q, NULL, &e), -1);
	CHECK_STR(e.buf, "cột 9: thiếu ')'");

	/* English on this thread only */
	CHECK_INT(i18n_lower_english(1), 0);
	CHECK_STR(_("unreadable record"), "unreadable record");
	CHECK_STR(ngettext("%zu field has a non-numeric tag (%s%s)",
	                   "%zu fields have non-numeric tags (%s%s)", 2),
	          "%zu fields have non-numeric tags (%s%s)");
	read_truncated(&m);
	CHECK_STR(m.buf, "record is truncated: file ends at byte 24");
	sb_reset(&e);
	cclq_to_pqf("ti=(kieu", &q, NULL, &e);
	CHECK_STR(e.buf, "column 9: ')' expected");
	const char *there = NULL;
	pthread_t th;
	CHECK_INT(pthread_create(&th, NULL, other_thread, &there), 0);
	pthread_join(th, NULL);
	CHECK_STR(there, "biểu ghi không đọc được");
	/* nesting: the previous setting comes back */
	CHECK_INT(i18n_lower_english(1), 1);
	CHECK_INT(i18n_lower_english(1), 1);
	CHECK_INT(i18n_lower_english(0), 1);
	CHECK_STR(_("unreadable record"), "biểu ghi không đọc được");

	/* the linter's English mode covers the heading hook's message */
	strbuf err = STRBUF_INIT;
	marcdef *md = marcdef_create();
	if (marcdef_load_dir(md, t_root("marc"), &err) < 0) {
		SKIP("no marc definitions");
	} else {
		linter *l = lint_create(md);
		lint_set_heading_hook(l, hook, NULL);
		rec *r = rec_create();
		rec_set_leader(r, "00000nam a2200000 a 4500", 24);
		size_t f = rec_add_field(r, "100", '1', ' ');
		rec_add_sub(r, f, 'a', "Nguyễn, Du", strlen("Nguyễn, Du"));
		strbuf got = STRBUF_INIT;
		lint_check(l, r, 1, on_finding, &got);
		CHECK_STR(got.buf, "biểu ghi không đọc được");
		lint_set_english(l, 1);
		sb_reset(&got);
		lint_check(l, r, 1, on_finding, &got);
		CHECK_STR(got.buf, "unreadable record");
		CHECK_STR(_("unreadable record"), "biểu ghi không đọc được");   /* switched back */
		sb_release(&got);
		rec_destroy(r);
		lint_destroy(l);
	}
	marcdef_destroy(md);
	sb_release(&err);
	sb_release(&m);
	sb_release(&q);
	sb_release(&e);
	DONE();
}
