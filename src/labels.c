/*
 * labels.c - spine labels on A4 sheets (rows x columns, a thin grey cut
 * line round each label: library name, call number one part a line,
 * accession number) and the accession register, a table with a header
 * row repeated on every page.
 */
#include <stdlib.h>
#include <string.h>

#include "labels.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

int labels_split_callno(const char *callno, char **lines, int max)
{
	int n = 0;
	const char *p = nz(callno);
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = p;
		if (n == max - 1) {      /* the last line takes the rest: nothing dropped */
			e = p + strlen(p);
			while (e > p && e[-1] == ' ')
				e--;
		}
		while (n < max - 1 && *e && *e != ' ')
			e++;
		lines[n++] = xstrndup(p, (size_t)(e - p));
		p = e;
	}
	return n;
}

/* text cut to fit width w at size (an ellipsis marks the cut), malloc'd */
static char *fit(pdf *p, const char *s, double size, double w)
{
	char *t = xstrdup(nz(s));
	if (pdf_text_width(p, size, t) <= w)
		return t;
	size_t n = strlen(t);
	while (n > 0) {
		n--;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--;
		strbuf sb = STRBUF_INIT;
		sb_add(&sb, t, n);
		sb_adds(&sb, "…");
		if (pdf_text_width(p, size, sb.buf) <= w) {
			free(t);
			return sb_detach(&sb, NULL);
		}
		sb_release(&sb);
	}
	t[0] = 0;
	return t;
}

/* Whether a character boundary at s[i] may break a line: not inside a
 * UTF-8 sequence nor before a combining mark (U+0300-U+036F). */
static int char_boundary(const char *s, size_t i)
{
	unsigned char a = (unsigned char)s[i], b = a ? (unsigned char)s[i + 1] : 0;
	if ((a & 0xc0) == 0x80)
		return 0;
	return !((a == 0xcc && b >= 0x80) || (a == 0xcd && b >= 0x80 && b <= 0xaf));
}

/* s on at most two lines of width w at size: *l1 the longest start that
 * fits, broken after a word when one fits, else inside the word; *l2 the
 * rest, cut with an ellipsis (fit) when it is still too wide; NULL when
 * s fits on one line. Both malloc'd. */
static void wrap2(pdf *p, const char *s, double size, double w, char **l1, char **l2)
{
	s = nz(s);
	*l2 = NULL;
	if (pdf_text_width(p, size, s) <= w) {
		*l1 = xstrdup(s);
		return;
	}
	size_t len = strlen(s), word = 0, chr = 0;
	for (size_t i = 1; i <= len; i++) {
		if (i < len && !char_boundary(s, i))
			continue;
		char *t = xstrndup(s, i);
		int fits = pdf_text_width(p, size, t) <= w;
		free(t);
		if (!fits)
			break;
		chr = i;
		if (i < len && s[i] == ' ')
			word = i;
	}
	size_t cut = word ? word : chr;
	if (!cut) {                 /* not even one character fits */
		*l1 = fit(p, s, size, w);
		return;
	}
	size_t e = cut;
	while (e > 0 && s[e - 1] == ' ')
		e--;
	*l1 = xstrndup(s, e);
	while (s[cut] == ' ')
		cut++;
	*l2 = fit(p, s + cut, size, w);
}

static void centred(pdf *p, double cx, double y, double size, double w, const char *s)
{
	char *t = fit(p, s, size, w);
	pdf_text(p, cx - pdf_text_width(p, size, t) / 2, y, size, t);
	free(t);
}

/* Height (pt) left for the call number on a label ch high: the pads, the
 * library name with its rule, and the accession number take the rest. */
static double callno_room(double ch, int has_library)
{
	double pad = 4, libsz = ch > 60 ? 7 : 5.5, accsz = ch > 60 ? 7 : 5.5;
	return ch - 2 * pad - (has_library ? libsz + 3 : 0) - (accsz + 2);
}

int labels_max_rows(int has_library)
{
	/* a two-line call number (class, author mark) at 5 pt at least; from
	 * 33 rows on the text ran over the name and came out upside down */
	for (int r = 40; r > 1; r--)
		if (callno_room((PDF_A4_H - 2 * PDF_MM(10)) / r, has_library) >= 2 * 1.25 * 5)
			return r;
	return 1;
}

void labels_spine_pdf(pdf *p, const struct label_item *it, size_t n,
                      const struct label_sheet *sh)
{
	int rows = sh->rows > 0 ? sh->rows : 10, cols = sh->cols > 0 ? sh->cols : 4;
	double m = PDF_MM(sh->margin_mm > 0 ? sh->margin_mm : 10);
	double cw = (PDF_A4_W - 2 * m) / cols, ch = (PDF_A4_H - 2 * m) / rows;
	size_t per = (size_t)rows * (size_t)cols, skip = (size_t)(sh->skip > 0 ? sh->skip : 0);
	size_t slot = skip % per;
	/* sheets used up entirely by --skip: blank pages, so the labels
	 * print on the sheet where the free places are */
	for (size_t k = 0; k < skip / per; k++)
		pdf_page(p, PDF_A4_W, PDF_A4_H);
	if (!n && skip < per)
		pdf_page(p, PDF_A4_W, PDF_A4_H);
	for (size_t i = 0; i < n; i++, slot++) {
		if (i == 0 || slot == per) {
			if (slot == per)
				slot = 0;
			pdf_page(p, PDF_A4_W, PDF_A4_H);
		}
		int r = (int)(slot / (size_t)cols), c = (int)(slot % (size_t)cols);
		double x = m + c * cw, y = PDF_A4_H - m - (r + 1) * ch;
		pdf_rect(p, x, y, cw, ch, 0.3, 0.7);
		double pad = 4, inner = cw - 2 * pad, cx = x + cw / 2;
		double top = y + ch - pad;
		double libsz = ch > 60 ? 7 : 5.5;
		if (sh->library && *sh->library) {
			centred(p, cx, top - libsz, libsz, inner, sh->library);
			top -= libsz + 3;
			pdf_line(p, x + pad, top, x + cw - pad, top, 0.4, 0);
		}
		char *lines[6];
		int nl = labels_split_callno(it[i].callno, lines, 5);
		if (it[i].volume && *it[i].volume && nl < 6)
			lines[nl++] = xstrdup(it[i].volume);
		double accsz = ch > 60 ? 7 : 5.5;
		double avail = top - (y + pad + accsz + 2);
		double sz = nl ? avail / (nl * 1.25) : 12;
		if (sz > 14)
			sz = 14;
		for (int k = 0; k < nl; k++) {
			double w = pdf_text_width(p, sz, lines[k]);
			double s2 = w > inner ? sz * inner / w : sz;
			double ly = top - (avail - nl * sz * 1.25) / 2 - (k + 1) * sz * 1.25 + sz * 0.25;
			pdf_text(p, cx - pdf_text_width(p, s2, lines[k]) / 2, ly, s2, lines[k]);
			free(lines[k]);
		}
		centred(p, cx, y + pad, accsz, inner, nz(it[i].accno));
	}
}

/* register columns: header, width in mm (the price 20: "120.000 đ" on
 * one line; the title, which may take two, gave the 4 mm) */
static const struct { const char *head; double mm; } regcol[] = {
	{ "Số ĐKCB", 22 }, { "Ngày vào sổ", 21 }, { "Tên sách", 56 }, { "Tác giả", 35 },
	{ "Ký hiệu", 26 }, { "Giá tiền", 20 },
};
#define NREGCOL (sizeof regcol / sizeof *regcol)

static const char *regval(const struct label_item *it, size_t k)
{
	switch (k) {
	case 0: return nz(it->accno);
	case 1: return nz(it->added_vn ? it->added_vn : it->added);
	case 2: return nz(it->title);
	case 3: return nz(it->author);
	case 4: return nz(it->callno);
	default: return nz(it->price);
	}
}

void labels_register_pdf(pdf *p, const struct label_item *it, size_t n, const char *library)
{
	double m = PDF_MM(15), rowh = PDF_MM(6.5), sz = 8.5, lead = sz * 1.2;
	double width = 0;
	for (size_t k = 0; k < NREGCOL; k++)
		width += PDF_MM(regcol[k].mm);
	double left = (PDF_A4_W - width) / 2;
	size_t i = 0;
	int page = 0;
	do {
		pdf_page(p, PDF_A4_W, PDF_A4_H);
		page++;
		double y = PDF_A4_H - m;
		if (page == 1) {
			centred(p, PDF_A4_W / 2, y - 14, 14, width, "SỔ ĐĂNG KÝ CÁ BIỆT");
			y -= 20;
			if (library && *library) {
				centred(p, PDF_A4_W / 2, y - 11, 10, width, library);
				y -= 16;
			}
			y -= 6;
		}
		/* header row */
		double x = left;
		pdf_line(p, left, y, left + width, y, 0.8, 0);
		for (size_t k = 0; k < NREGCOL; k++) {
			char *h = fit(p, regcol[k].head, sz, PDF_MM(regcol[k].mm) - 4);
			pdf_text(p, x + 2, y - rowh + 5, sz, h);
			free(h);
			x += PDF_MM(regcol[k].mm);
		}
		y -= rowh;
		pdf_line(p, left, y, left + width, y, 0.8, 0);
		double tabletop = y + rowh;
		while (i < n) {
			/* a title, author or price wider than its column goes on a
			 * second line, and only that one is cut (they were cut on the
			 * first line with an ellipsis: "120.00…" for "120.000 đ");
			 * the row is one line higher then */
			char *l1[NREGCOL], *l2[NREGCOL];
			int two = 0;
			for (size_t k = 0; k < NREGCOL; k++) {
				double cw = PDF_MM(regcol[k].mm) - 4;
				l2[k] = NULL;
				if (k == 2 || k == 3 || k == NREGCOL - 1)     /* title, author, price */
					wrap2(p, regval(&it[i], k), sz, cw, &l1[k], &l2[k]);
				else
					l1[k] = fit(p, regval(&it[i], k), sz, cw);
				two |= l2[k] != NULL;
			}
			double h = two ? rowh + lead : rowh;
			int fits = y - h > m + 14;
			x = left;
			for (size_t k = 0; k < NREGCOL; k++) {
				double cw = PDF_MM(regcol[k].mm) - 4;
				if (fits) {
					double tx = k == NREGCOL - 1 ? x + 2 + cw - pdf_text_width(p, sz, l1[k])
					                             : x + 2;
					pdf_text(p, tx, y - rowh + 5, sz, l1[k]);
					if (l2[k])
						pdf_text(p, k == NREGCOL - 1 ? x + 2 + cw - pdf_text_width(p, sz, l2[k])
						                             : x + 2, y - rowh + 5 - lead, sz, l2[k]);
				}
				free(l1[k]);
				free(l2[k]);
				x += PDF_MM(regcol[k].mm);
			}
			if (!fits)
				break;      /* on the next page */
			y -= h;
			pdf_line(p, left, y, left + width, y, 0.3, 0.6);
			i++;
		}
		pdf_line(p, left, y, left + width, y, 0.8, 0);
		x = left;
		for (size_t k = 0; k <= NREGCOL; k++) {
			pdf_line(p, x, tabletop, x, y, k == 0 || k == NREGCOL ? 0.8 : 0.3, 0);
			if (k < NREGCOL)
				x += PDF_MM(regcol[k].mm);
		}
		char foot[32];
		snprintf(foot, sizeof foot, "Trang %d", page);
		centred(p, PDF_A4_W / 2, m, 8, width, foot);
	} while (i < n);
}

void labels_spine_text(FILE *fp, const struct label_item *it, size_t n,
                       const struct label_sheet *sh)
{
	for (size_t i = 0; i < n; i++) {
		if (sh->library && *sh->library)
			fprintf(fp, "%s\n", sh->library);
		char *lines[6];
		int nl = labels_split_callno(it[i].callno, lines, 5);
		for (int k = 0; k < nl; k++) {
			fprintf(fp, "  %s\n", lines[k]);
			free(lines[k]);
		}
		if (it[i].volume && *it[i].volume)
			fprintf(fp, "  %s\n", it[i].volume);
		fprintf(fp, "%s\n\n", nz(it[i].accno));
	}
}

void labels_register_text(FILE *fp, const struct label_item *it, size_t n, const char *library)
{
	fprintf(fp, "SỔ ĐĂNG KÝ CÁ BIỆT%s%s\n\n", library && *library ? " - " : "", nz(library));
	for (size_t k = 0; k < NREGCOL; k++)
		fprintf(fp, "%s%s", k ? "\t" : "", regcol[k].head);
	fputc('\n', fp);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < NREGCOL; k++)
			fprintf(fp, "%s%s", k ? "\t" : "", regval(&it[i], k));
		fputc('\n', fp);
	}
}
