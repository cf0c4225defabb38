/*
 * t-matchkey.c - ISBN/ISSN/LCCN/system-number normalisation and the keys
 * of a record.
 */
#include "harness.h"
#include "matchkey.h"
#include "rec.h"

/* a book with 001 id, 003 VN-BIENMUC and optionally an ISBN and a 245 $a */
static rec *book(const char *id, const char *isbn, const char *title)
{
	rec *r = rec_create();
	rec_add_control(r, "001", id, strlen(id));
	rec_add_control(r, "003", "VN-BIENMUC", 10);
	if (isbn) {
		size_t f = rec_add_field(r, "020", ' ', ' ');
		rec_add_sub(r, f, 'a', isbn, strlen(isbn));
	}
	if (title) {
		size_t f = rec_add_field(r, "245", '1', '0');
		rec_add_sub(r, f, 'a', title, strlen(title));
	}
	return r;
}

int main(void)
{
	char k[300];
	/* ISBN-10 -> 13; hyphens, blanks and qualifiers ignored */
	CHECK_INT(mk_isbn("0-19-852663-6", k), 1);
	CHECK_STR(k, "9780198526636");
	CHECK_INT(mk_isbn("0198526636 (pbk.)", k), 1);
	CHECK_STR(k, "9780198526636");
	CHECK_INT(mk_isbn("978-0-19-852663-6", k), 1);
	CHECK_STR(k, "9780198526636");
	CHECK_INT(mk_isbn("  978 0 19 852663 6 : 12.000đ", k), 1);
	CHECK_STR(k, "9780198526636");
	CHECK_INT(mk_isbn("080442957X", k), 1);
	CHECK_STR(k, "9780804429573");
	CHECK_INT(mk_isbn("080442957x (v. 1)", k), 1);
	CHECK_STR(k, "9780804429573");
	/* bad check digits: kept as given, never converted */
	CHECK_INT(mk_isbn("0198526637", k), -1);
	CHECK_STR(k, "0198526637");
	CHECK_INT(mk_isbn("9780198526637", k), -1);
	/* not ISBNs */
	CHECK_INT(mk_isbn("12345", k), 0);
	CHECK_INT(mk_isbn("(pbk.)", k), 0);
	CHECK_INT(mk_isbn("", k), 0);
	CHECK_INT(mk_isbn("97801985266361", k), 0);
	/* ISSN */
	CHECK_INT(mk_issn("0378-5955", k), 1);
	CHECK_STR(k, "03785955");
	CHECK_INT(mk_issn("2434-561x", k), 1);
	CHECK_STR(k, "2434561X");
	CHECK_INT(mk_issn("0378-5956", k), -1);
	CHECK_INT(mk_issn("123", k), 0);
	/* LCCN (LC normalisation rules) */
	CHECK_INT(mk_lccn("n78-890351", k, sizeof k), 1);
	CHECK_STR(k, "n78890351");
	CHECK_INT(mk_lccn("n78-89035", k, sizeof k), 1);
	CHECK_STR(k, "n78089035");
	CHECK_INT(mk_lccn("   85000002 ", k, sizeof k), 1);
	CHECK_STR(k, "85000002");
	CHECK_INT(mk_lccn("85-2 ", k, sizeof k), 1);
	CHECK_STR(k, "85000002");
	CHECK_INT(mk_lccn("   79139101 /AC/r932", k, sizeof k), 1);
	CHECK_STR(k, "79139101");
	CHECK_INT(mk_lccn("2001-000002", k, sizeof k), 1);
	CHECK_STR(k, "2001000002");
	CHECK_INT(mk_lccn("   ", k, sizeof k), 0);
	/* system numbers */
	CHECK_INT(mk_sysno("(OCoLC)ocm00012345", k, sizeof k), 1);
	CHECK_STR(k, "(OCoLC)12345");
	CHECK_INT(mk_sysno("(OCoLC)on1234 ", k, sizeof k), 1);
	CHECK_STR(k, "(OCoLC)1234");
	CHECK_INT(mk_sysno(" (VN-HaNoi)A-17", k, sizeof k), 1);
	CHECK_STR(k, "(VN-HaNoi)A-17");
	CHECK_INT(mk_sysno("  ", k, sizeof k), 0);
	/* no number: "035 $a * $b ..." (Sirsi exports) would match every
	 * record so marked */
	CHECK_INT(mk_sysno("* ", k, sizeof k), 0);
	/* blanks after the prefix, as some systems write it */
	CHECK_INT(mk_sysno("(OCoLC) 10947223", k, sizeof k), 1);
	CHECK_STR(k, "(OCoLC)10947223");
	CHECK_INT(mk_sysno("(OCoLC)ocm 0012345", k, sizeof k), 1);
	CHECK_STR(k, "(OCoLC)12345");
	CHECK_INT(mk_sysno("(OCoLC)  ", k, sizeof k), 0);
	CHECK_INT(mk_sysno("(OCoLC) ocm", k, sizeof k), 0);
	CHECK_INT(mk_sysno("(OCoLC)", k, sizeof k), 0);
	CHECK_INT(mk_sysno("(OCoLC)ocm", k, sizeof k), 0);
	CHECK_INT(mk_sysno("(Sirsi) *", k, sizeof k), 0);
	CHECK_INT(mk_sysno("(VN-HaNoi)Đ", k, sizeof k), 1);
	CHECK_INT(mk_lccn(" * ", k, sizeof k), 0);
	CHECK_INT(mk_lccn("-", k, sizeof k), 0);

	/* keys of a record */
	rec *r = rec_create();
	rec_add_control(r, "001", "12345", 5);
	rec_add_control(r, "003", "OCoLC", 5);
	size_t f = rec_add_field(r, "010", ' ', ' ');
	rec_add_sub(r, f, 'a', "  85-2 ", 7);
	f = rec_add_field(r, "020", ' ', ' ');
	rec_add_sub(r, f, 'a', "0198526636 (pbk.)", 17);
	rec_add_sub(r, f, 'z', "0000000000", 10);         /* cancelled: not a key */
	f = rec_add_field(r, "020", ' ', ' ');
	rec_add_sub(r, f, 'a', "978-0-19-852663-6", 17);  /* same book again */
	f = rec_add_field(r, "022", ' ', ' ');
	rec_add_sub(r, f, 'a', "0378-5955", 9);
	f = rec_add_field(r, "035", ' ', ' ');
	rec_add_sub(r, f, 'a', "(OCoLC)ocm00012345", 18);
	struct mk_list l = { 0 };
	mk_record_keys(r, MK_ISBN | MK_ISSN | MK_LCCN | MK_035 | MK_001, &l);
	CHECK_INT(l.n, 4);                               /* 035 and 001+003 agree */
	if (l.n == 4) {
		CHECK_STR(l.v[0], "lccn:85000002");
		CHECK_STR(l.v[1], "isbn:9780198526636");
		CHECK_STR(l.v[2], "issn:03785955");
		CHECK_STR(l.v[3], "sys:(OCoLC)12345");
	}
	mk_list_release(&l);
	mk_record_keys(r, MK_ISBN, &l);
	CHECK_INT(l.n, 1);
	mk_list_release(&l);
	/* all kinds in one pass, a list each: as one kind at a time */
	struct mk_list by[MK_NKINDS] = { { 0 } };
	static const int kinds[MK_NKINDS] = { MK_ISBN, MK_ISSN, MK_LCCN, MK_035, MK_001 };
	static const size_t nk[MK_NKINDS] = { 1, 1, 1, 1, 1 };
	mk_record_keys_by_kind(r, by);
	for (int i = 0; i < MK_NKINDS; i++) {
		mk_record_keys(r, kinds[i], &l);
		CHECK_INT(by[i].n, nk[i]);
		CHECK_INT(by[i].n, l.n);
		for (size_t j = 0; j < l.n && j < by[i].n; j++)
			CHECK_STR(by[i].v[j], l.v[j]);
		mk_list_release(&l);
		mk_list_release(&by[i]);
	}
	rec_destroy(r);

	/* mk_same_record: only evidence makes two records different */
	rec *a = book("bm00000001", "9786041234567", "Truyện Kiều"),
	    *b = book("bm00000001", "0471383147", "Programming the Perl DBI");
	CHECK_INT(mk_same_record(a, b), 0);                 /* ISBNs and titles differ */
	rec_destroy(b);
	b = book("bm00000001", "978-604-1-23456-7 (bìa mềm)", "Truyen kieu");
	CHECK_INT(mk_same_record(a, b), 1);                 /* one ISBN in common */
	rec_destroy(b);
	b = book("bm00000001", "9786046970217", "Truyện Kiều");
	CHECK_INT(mk_same_record(a, b), 0);                 /* another edition: ISBNs differ */
	rec_destroy(b);
	b = book("bm00000001", NULL, "Truyện Kiều : bản mới");
	CHECK_INT(mk_same_record(a, b), 1);                 /* no ISBN; the title's words are there */
	CHECK_INT(mk_same_record(b, a), 1);
	rec_destroy(b);
	b = book("bm00000001", NULL, "Tắt đèn");
	CHECK_INT(mk_same_record(a, b), 0);                 /* no ISBN, another title */
	rec_destroy(b);
	b = book("bm00000001", NULL, "Kiều và những người khác trong văn học");
	CHECK_INT(mk_same_record(a, b), 0);                 /* 1 of the shorter's 2 words: not more than half */
	rec_destroy(b);
	b = book("bm00000001", NULL, NULL);
	CHECK_INT(mk_same_record(a, b), 1);                 /* nothing to tell them apart */
	rec_destroy(b);
	b = book("bm00000001", NULL, "Truyện Kiều");
	size_t fb = rec_add_field(b, "022", ' ', ' ');
	rec_add_sub(b, fb, 'a', "0378-5955", 9);            /* an ISSN, a kind a lacks */
	CHECK_INT(mk_same_record(a, b), 1);
	rec_destroy(b);
	rec_destroy(a);

	/* mk_same_volume: two volumes that carry their set's ISBN too */
	a = book("x", "9786041234642 (T. 1)", "Lịch sử Việt Nam");
	b = book("x", "9786041234666 (T. 2)", "Lịch sử Việt Nam");
	size_t fa = rec_add_field(a, "020", ' ', ' ');
	rec_add_sub(a, fa, 'a', "9786041234659 (trọn bộ)", strlen("9786041234659 (trọn bộ)"));
	fb = rec_add_field(b, "020", ' ', ' ');
	rec_add_sub(b, fb, 'a', "9786041234659", 13);
	rec_add_sub(b, fb, 'q', "(set)", 5);
	struct mk_list il = { 0 };
	mk_item_isbns(a, &il);
	CHECK_INT(il.n, 1);                                 /* the set's left out */
	if (il.n == 1)
		CHECK_STR(il.v[0], "isbn:9786041234642");
	mk_list_release(&il);
	CHECK_INT(mk_same_volume(a, b), 0);                 /* T. 1 and T. 2 */
	rec_destroy(b);
	b = book("x", "978-604-1-23464-2", "Lịch sử Việt Nam. Tập 1");
	CHECK_INT(mk_same_volume(a, b), 1);                 /* T. 1 again */
	rec_destroy(b);
	b = book("x", "9786041234659 (bộ)", "Lịch sử Việt Nam");
	CHECK_INT(mk_same_volume(a, b), 1);                 /* the set's record: nothing to tell */
	rec_destroy(b);
	b = book("x", "9786041234659 (bìa mềm)", "Lịch sử Việt Nam");
	mk_item_isbns(b, &il);
	CHECK_INT(il.n, 1);                                 /* "bìa" is no "bộ" */
	mk_list_release(&il);
	rec_destroy(b);
	rec_destroy(a);
	DONE();
}
