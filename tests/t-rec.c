/* t-rec.c - unit tests of the record model (src/rec.c). */
#include "harness.h"
#include "rec.h"

static void build(rec *r)
{
	rec_set_leader(r, "00000nam a2200000 i 4500", 24);
	rec_add_control(r, "001", "TVQG0001", 8);
	rec_add_control(r, "008", "150101s2015    vm            000 0 vie d", 40);
	size_t f = rec_add_field(r, "245", '1', '0');
	rec_add_sub(r, f, 'a', "Tắt đèn :", strlen("Tắt đèn :"));
	rec_add_sub(r, f, 'b', "tiểu thuyết /", strlen("tiểu thuyết /"));
	rec_add_sub(r, f, 'c', "Ngô Tất Tố.", strlen("Ngô Tất Tố."));
	f = rec_add_field(r, "100", '0', ' ');
	rec_add_sub(r, f, 'a', "Ngô Tất Tố,", strlen("Ngô Tất Tố,"));
}

/* rec_stamp: every edit changes it; no two records share one */
static void test_stamp(void)
{
	rec *a = rec_create(), *b = rec_create();
	build(a);
	build(b);
	CHECK(rec_stamp(a) != rec_stamp(b));
	uint64_t s = rec_stamp(a);
	CHECK(rec_stamp(a) == s);                      /* reading does not */
	(void)rec_get(a, "245", 'a');
	CHECK(rec_stamp(a) == s);
#define EDITED(what) do { CHECK(rec_stamp(a) != s); s = rec_stamp(a); } while (0); (void)(what)
	rec_set_sub(a, 2, 0, 'a', "Tắt đèn ;", strlen("Tắt đèn ;"));
	EDITED("a value");
	rec_set_ind(a, 2, '0', '0');
	EDITED("indicators");
	rec_set_tag(a, 3, "700");
	EDITED("a tag");
	rec_set_leader_at(a, 6, 'z');
	EDITED("a leader position");
	rec_set_leader(a, "00000nam a2200000 a 4500", 24);
	EDITED("the leader");
	rec_set_data(a, 0, "TVQG0002", 8);
	EDITED("control data");
	rec_add_sub(a, 2, 'c', "x", 1);
	EDITED("a subfield added");
	rec_move_sub(a, 2, 0, 1);
	EDITED("a subfield moved");
	rec_delete_sub(a, 2, 0);
	EDITED("a subfield deleted");
	rec_move_field(a, 3, 2);
	EDITED("a field moved");
	rec_add_field(a, "999", ' ', ' ');
	EDITED("a field added");
	rec_add_control(a, "007", "ta", 2);
	EDITED("a control field added");
	rec_sort_fields(a);
	EDITED("fields sorted");
	rec_delete_field(a, 0);
	EDITED("a field deleted");
	rec_copy(a, b);
	EDITED("copied over");
	rec_clear(a);
	EDITED("cleared");
	CHECK(rec_stamp(a) != rec_stamp(b));
	rec_clear(b);                                  /* cleared twice: still apart */
	CHECK(rec_stamp(a) != rec_stamp(b));
#undef EDITED
	rec_destroy(a);
	rec_destroy(b);
}

int main(void)
{
	test_stamp();
	rec *r = rec_create();
	build(r);
	CHECK_INT(rec_nfields(r), 4);
	CHECK_STR(rec_tag(r, 2), "245");
	CHECK(rec_is_control(r, 0));
	CHECK(!rec_is_control(r, 2));
	CHECK_INT(rec_ind(r, 2, 1), '1');
	CHECK_INT(rec_ind(r, 2, 2), '0');
	CHECK_STR(rec_get(r, "245", 'b'), "tiểu thuyết /");
	CHECK_STR(rec_get_control(r, "001"), "TVQG0001");
	CHECK_INT(rec_find(r, "1..", 0), 3);
	CHECK_INT(rec_find(r, "9..", 0), -1);

	char *t = rec_field_text(r, 2, "ab");
	CHECK_STR(t, "Tắt đèn : tiểu thuyết /");
	free(t);

	/* clone and compare */
	rec *c = rec_clone(r);
	char diff[256];
	CHECK_INT(rec_compare(r, c, diff, sizeof diff), 0);
	rec_set_sub(c, 2, 0, 'a', "Tắt đèn", strlen("Tắt đèn"));
	CHECK(rec_compare(r, c, diff, sizeof diff) != 0);
	CHECK(strstr(diff, "245") != NULL);

	/* sort, move, delete */
	rec_sort_fields(c);
	CHECK_STR(rec_tag(c, 2), "100");
	CHECK_STR(rec_tag(c, 3), "245");
	rec_move_field(c, 3, 0);
	CHECK_STR(rec_tag(c, 0), "245");
	rec_delete_field(c, 0);
	CHECK_INT(rec_nfields(c), 3);
	CHECK_INT(rec_find(c, "245", 0), -1);

	/* subfield edits */
	size_t f = (size_t)rec_find(r, "245", 0);
	rec_insert_sub(r, f, 0, '6', "880-01", 6);
	CHECK_INT(rec_sub_code(r, f, 0), '6');
	CHECK_INT(rec_nsub(r, f), 4);
	rec_move_sub(r, f, 0, 3);
	CHECK_INT(rec_sub_code(r, f, 3), '6');
	rec_delete_sub(r, f, 3);
	CHECK_INT(rec_nsub(r, f), 3);
	/* many subfields force the arena array to grow */
	for (int i = 0; i < 100; i++)
		rec_add_sub(r, f, 'x', "y", 1);
	CHECK_INT(rec_nsub(r, f), 103);
	CHECK_STR(rec_sub_value(r, f, 1, NULL), "tiểu thuyết /");

	/* leader */
	rec_set_leader_at(r, 9, ' ');
	CHECK_INT(rec_leader(r)[9], ' ');
	rec_set_leader(r, "abc", 3);
	CHECK_INT(strlen(rec_leader(r)), 24);

	CHECK(rec_tag_is_control("001"));
	CHECK(rec_tag_is_control("009"));
	CHECK(!rec_tag_is_control("010"));
	CHECK(!rec_tag_is_control("000"));

	/* clear and reuse */
	rec_clear(r);
	CHECK_INT(rec_nfields(r), 0);
	build(r);
	CHECK_INT(rec_compare(r, r, NULL, 0), 0);
	CHECK(rec_iso2709_size(r) > 100);

	rec_destroy(c);
	rec_destroy(r);
	rec_destroy(NULL);
	DONE();
}
