/*
 * labels.h - spine labels and the accession register (sổ đăng ký cá
 * biệt) as PDF pages (pdf.h) or plain text. Knows nothing of the
 * catalogue: the caller fills struct label_item.
 */
#ifndef BIENMUC_LABELS_H
#define BIENMUC_LABELS_H

#include <stdio.h>
#include "pdf.h"

struct label_item {
	const char *accno, *callno, *volume, *title, *author, *added, *price, *branch,
	           *location;
	const char *added_vn;    /* the date as printed in the register (dd/mm/yyyy) */
};

struct label_sheet {
	int rows, cols;          /* labels per A4 sheet */
	int skip;                /* labels already used (beyond a sheet: the
	                          * following sheets, blank pages first) */
	double margin_mm;        /* page margin (default 10) */
	const char *library;     /* printed on every label / the register */
};

/* Call number split into lines: at spaces, and a class number's decimal
 * part stays with it ("895.92211 NTT" -> "895.92211", "NTT"). Returns the
 * number of lines (at most max), each malloc'd into lines[]; with more
 * parts than max, the last line holds all the rest (nothing is dropped). */
int labels_split_callno(const char *callno, char **lines, int max);

/* The most rows of labels on an A4 sheet (10 mm margins) that leave a
 * readable call number, with or without the library name on them. */
int labels_max_rows(int has_library);

void labels_spine_pdf(pdf *p, const struct label_item *it, size_t n,
                      const struct label_sheet *sh);
void labels_register_pdf(pdf *p, const struct label_item *it, size_t n, const char *library);
void labels_spine_text(FILE *fp, const struct label_item *it, size_t n,
                       const struct label_sheet *sh);
void labels_register_text(FILE *fp, const struct label_item *it, size_t n,
                          const char *library);

#endif
