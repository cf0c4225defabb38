/*
 * pdf.h - a minimal PDF writer for labels and lists: A4 pages, text in one
 * embedded TrueType font (so Vietnamese shows on any computer; default
 * DejaVu Sans from Debian's fonts-dejavu-core), lines and rectangles.
 * Text is drawn by glyph id (Identity-H) with a ToUnicode map, so
 * pdftotext and copy-paste give the text back. Coordinates are PDF
 * points (1/72 inch) from the bottom-left corner of the page.
 */
#ifndef BIENMUC_PDF_H
#define BIENMUC_PDF_H

#include <stdio.h>
#include "util.h"

#define PDF_A4_W 595.28
#define PDF_A4_H 841.89
#define PDF_MM(x) ((x) * 72.0 / 25.4)

typedef struct pdf pdf;

/* The default font file: $BIENMUC_FONT, else DejaVu Sans in the usual
 * Debian place; NULL if none is found. malloc'd. */
char *pdf_default_font(void);
/* Load the TrueType font (glyf outlines, cmap format 4 or 12, hmtx).
 * NULL + err. */
pdf *pdf_create(const char *ttf_path, strbuf *err);
void pdf_destroy(pdf *p);                    /* accepts NULL */
/* Start a new page of w x h points. */
void pdf_page(pdf *p, double w, double h);
/* Width of UTF-8 text at size (points). */
double pdf_text_width(pdf *p, double size, const char *utf8);
/* Draw text with its baseline starting at (x, y). Characters the font
 * lacks are drawn as its .notdef glyph. */
void pdf_text(pdf *p, double x, double y, double size, const char *utf8);
/* Lines and rectangle outlines, line width lw points, grey 0 (black) .. 1. */
void pdf_line(pdf *p, double x1, double y1, double x2, double y2, double lw, double grey);
void pdf_rect(pdf *p, double x, double y, double w, double h, double lw, double grey);
/* Write the document (every page) to fp, with the font embedded as a
 * subset (the glyphs drawn and their components) and every stream
 * compressed. 0, or -1 on an I/O error. */
int pdf_write(pdf *p, FILE *fp, const char *title);

#endif
