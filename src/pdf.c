/*
 * pdf.c - a minimal PDF 1.4 writer (see pdf.h): one Type0/CIDFontType2
 * font embedded as a subset (FontFile2: a TrueType file that keeps the
 * outlines of the glyphs used only, with their glyph ids unchanged, so
 * /CIDToGIDMap /Identity holds), glyph widths for the glyphs used, a
 * ToUnicode CMap, and page content streams; every stream is compressed
 * (/FlateDecode, zlib). A sheet of labels in DejaVu Sans is about 18 KB
 * (the whole font embedded uncompressed made it 770 KB).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pdf.h"

struct pdf {
	unsigned char *ttf;
	size_t ttf_len;
	unsigned upem;
	unsigned nhmetrics, nglyphs;
	const unsigned char *hmtx, *cmap4, *cmap12;
	const unsigned char *loca, *glyf;
	size_t glyf_len;
	int long_loca;                   /* head.indexToLocFormat == 1 */
	char name[64];                   /* PostScript name, for BaseFont */
	double ascent, descent;          /* in 1000 units */
	double bbox[4];
	/* glyphs used: gid -> code point (0 = unused) */
	uint32_t *used;
	strbuf *pages;                   /* content streams */
	double *pw, *ph;
	size_t npages;
};

static unsigned u16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int16_t s16(const unsigned char *p)
{
	return (int16_t)u16(p);
}

static const unsigned char *table(const pdf *p, const char *tag, size_t *len)
{
	if (p->ttf_len < 12)
		return NULL;
	unsigned n = u16(p->ttf + 4);
	for (unsigned i = 0; i < n && 12 + 16 * (size_t)(i + 1) <= p->ttf_len; i++) {
		const unsigned char *e = p->ttf + 12 + 16 * i;
		if (!memcmp(e, tag, 4)) {
			uint32_t off = u32(e + 8), l = u32(e + 12);
			if ((size_t)off + l > p->ttf_len)
				return NULL;
			if (len)
				*len = l;
			return p->ttf + off;
		}
	}
	return NULL;
}

/* The font's PostScript name (name id 6), kept to the characters a PDF
 * name may hold unescaped; "BienmucFont" if it has none. */
static void font_name(pdf *p)
{
	size_t len, n = 0;
	const unsigned char *t = table(p, "name", &len);
	if (t && len >= 6) {
		unsigned count = u16(t + 2), so = u16(t + 4);
		for (unsigned i = 0; i < count && 6 + 12 * (size_t)(i + 1) <= len && !n; i++) {
			const unsigned char *r = t + 6 + 12 * i;
			unsigned pid = u16(r), nid = u16(r + 6), l = u16(r + 8), off = u16(r + 10);
			if (nid != 6 || (size_t)so + off + l > len)
				continue;
			unsigned wide = pid == 0 || pid == 3;          /* UTF-16BE, else bytes */
			const unsigned char *s = t + so + off;
			for (unsigned k = 0; k + wide < l && n < sizeof p->name - 1; k += 1 + wide) {
				unsigned c = wide ? u16(s + k) : s[k];
				if (c > 32 && c < 127 && !strchr("()<>[]{}/%#", (int)c))
					p->name[n++] = (char)c;
			}
		}
	}
	if (!n)
		n = (size_t)snprintf(p->name, sizeof p->name, "BienmucFont");
	p->name[n] = 0;
}

char *pdf_default_font(void)
{
	const char *env = getenv("BIENMUC_FONT");
	const char *cands[] = { env, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	                        "/usr/share/fonts/TTF/DejaVuSans.ttf",
	                        "/usr/local/share/fonts/DejaVuSans.ttf" };
	for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
		if (!cands[i] || !*cands[i])
			continue;
		FILE *fp = fopen(cands[i], "rb");
		if (fp) {
			fclose(fp);
			return xstrdup(cands[i]);
		}
	}
	return NULL;
}

pdf *pdf_create(const char *path, strbuf *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		sb_addf(err, "cannot read the font '%s'", path);
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(&sb, buf, k);
	fclose(fp);
	pdf *p = xcalloc(1, sizeof *p);
	p->ttf = (unsigned char *)sb_detach(&sb, &p->ttf_len);
	size_t hl, cl, hhl, ml, mtl = 0;
	const unsigned char *head = table(p, "head", &hl), *hhea = table(p, "hhea", &hhl);
	const unsigned char *maxp = table(p, "maxp", &ml), *cmap = table(p, "cmap", &cl);
	p->hmtx = table(p, "hmtx", &mtl);
	if (!head || hl < 54 || !hhea || hhl < 36 || !maxp || ml < 6 || !cmap || !p->hmtx) {
		sb_addf(err, "'%s' is not a TrueType font bienmuc can use", path);
		pdf_destroy(p);
		return NULL;
	}
	p->upem = u16(head + 18);
	if (!p->upem)
		p->upem = 2048;
	for (int i = 0; i < 4; i++)
		p->bbox[i] = s16(head + 36 + 2 * i) * 1000.0 / p->upem;
	p->ascent = s16(hhea + 4) * 1000.0 / p->upem;
	p->descent = s16(hhea + 6) * 1000.0 / p->upem;
	p->nhmetrics = u16(hhea + 34);
	p->nglyphs = u16(maxp + 4);
	size_t ll = 0;
	p->loca = table(p, "loca", &ll);
	p->glyf = table(p, "glyf", &p->glyf_len);
	p->long_loca = s16(head + 50) == 1;
	if (!p->nglyphs || !p->nhmetrics || mtl < 4 * (size_t)p->nhmetrics || !p->loca || !p->glyf ||
	    ll < ((size_t)p->nglyphs + 1) * (p->long_loca ? 4 : 2)) {
		sb_addf(err, "'%s' is not a TrueType font bienmuc can use", path);
		pdf_destroy(p);
		return NULL;
	}
	font_name(p);
	unsigned nsub = u16(cmap + 2);
	for (unsigned i = 0; i < nsub && 4 + 8 * (size_t)(i + 1) <= cl; i++) {
		const unsigned char *e = cmap + 4 + 8 * i;
		unsigned pid = u16(e), eid = u16(e + 2);
		uint32_t off = u32(e + 4);
		if (off + 8 > cl || !(pid == 3 || pid == 0))
			continue;
		const unsigned char *st = cmap + off;
		if (u16(st) == 4 && (pid == 0 || eid == 1))
			p->cmap4 = st;
		else if (u16(st) == 12 && (pid == 0 || eid == 10))
			p->cmap12 = st;
	}
	if (!p->cmap4 && !p->cmap12) {
		sb_addf(err, "the font '%s' has no Unicode character map", path);
		pdf_destroy(p);
		return NULL;
	}
	p->used = xcalloc(p->nglyphs + 1, sizeof *p->used);
	return p;
}

void pdf_destroy(pdf *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->npages; i++)
		sb_release(&p->pages[i]);
	free(p->pages);
	free(p->pw);
	free(p->ph);
	free(p->used);
	free(p->ttf);
	free(p);
}

static unsigned glyph(const pdf *p, uint32_t c)
{
	if (p->cmap12) {
		uint32_t n = u32(p->cmap12 + 12);
		for (uint32_t i = 0; i < n; i++) {
			const unsigned char *g = p->cmap12 + 16 + 12 * i;
			uint32_t a = u32(g), b = u32(g + 4);
			if (c >= a && c <= b)
				return (unsigned)(u32(g + 8) + (c - a));
		}
		return 0;
	}
	if (c > 0xffff)
		return 0;
	const unsigned char *t = p->cmap4;
	unsigned segs = u16(t + 6) / 2;
	const unsigned char *ends = t + 14, *starts = ends + 2 * segs + 2;
	const unsigned char *deltas = starts + 2 * segs, *offs = deltas + 2 * segs;
	for (unsigned i = 0; i < segs; i++) {
		if (c > u16(ends + 2 * i))
			continue;
		unsigned s = u16(starts + 2 * i);
		if (c < s)
			return 0;
		unsigned ro = u16(offs + 2 * i);
		if (!ro)
			return (c + u16(deltas + 2 * i)) & 0xffff;
		const unsigned char *gp = offs + 2 * i + ro + 2 * (c - s);
		unsigned g = u16(gp);
		return g ? (g + u16(deltas + 2 * i)) & 0xffff : 0;
	}
	return 0;
}

static double advance(const pdf *p, unsigned g)
{
	unsigned i = g < p->nhmetrics ? g : p->nhmetrics - 1;
	return u16(p->hmtx + 4 * i) * 1000.0 / p->upem;
}

/* next code point of UTF-8 (invalid bytes as U+FFFD) */
static uint32_t next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t c = *p++;
	int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	if (c >= 0x80 && !extra) {
		*s = p;
		return 0xfffd;
	}
	c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0x7f;
	while (extra-- > 0) {
		if ((*p & 0xc0) != 0x80) {
			*s = p;
			return 0xfffd;
		}
		c = c << 6 | (*p++ & 0x3f);
	}
	*s = p;
	return c;
}

void pdf_page(pdf *p, double w, double h)
{
	p->pages = xrealloc(p->pages, (p->npages + 1) * sizeof *p->pages);
	p->pw = xrealloc(p->pw, (p->npages + 1) * sizeof *p->pw);
	p->ph = xrealloc(p->ph, (p->npages + 1) * sizeof *p->ph);
	sb_init(&p->pages[p->npages]);
	p->pw[p->npages] = w;
	p->ph[p->npages] = h;
	p->npages++;
}

static strbuf *cur(pdf *p)
{
	if (!p->npages)
		pdf_page(p, PDF_A4_W, PDF_A4_H);
	return &p->pages[p->npages - 1];
}

double pdf_text_width(pdf *p, double size, const char *utf8)
{
	double w = 0;
	const unsigned char *s = (const unsigned char *)utf8;
	while (*s)
		w += advance(p, glyph(p, next_cp(&s)));
	return w * size / 1000.0;
}

void pdf_text(pdf *p, double x, double y, double size, const char *utf8)
{
	strbuf *sb = cur(p);
	sb_addf(sb, "BT /F1 %.2f Tf %.2f %.2f Td <", size, x, y);
	const unsigned char *s = (const unsigned char *)utf8;
	while (*s) {
		uint32_t c = next_cp(&s);
		unsigned g = glyph(p, c);
		if (g < p->nglyphs && !p->used[g])
			p->used[g] = c;
		sb_addf(sb, "%04X", g);
	}
	sb_adds(sb, "> Tj ET\n");
}

void pdf_line(pdf *p, double x1, double y1, double x2, double y2, double lw, double grey)
{
	sb_addf(cur(p), "%.3f G %.2f w %.2f %.2f m %.2f %.2f l S\n", grey, lw, x1, y1, x2, y2);
}

void pdf_rect(pdf *p, double x, double y, double w, double h, double lw, double grey)
{
	sb_addf(cur(p), "%.3f G %.2f w %.2f %.2f %.2f %.2f re S\n", grey, lw, x, y, w, h);
}

/* ---- the font subset ---- */

static void put16(unsigned char *d, unsigned v)
{
	d[0] = (unsigned char)(v >> 8);
	d[1] = (unsigned char)v;
}

static void put32(unsigned char *d, uint32_t v)
{
	put16(d, (unsigned)(v >> 16));
	put16(d + 2, (unsigned)(v & 0xffff));
}

/* glyph g's outline in glyf; NULL and *len 0 when it is empty or its
 * loca entries are out of range */
static const unsigned char *glyph_data(const pdf *p, unsigned g, size_t *len)
{
	*len = 0;
	if (g >= p->nglyphs)
		return NULL;
	size_t a = p->long_loca ? u32(p->loca + 4 * g) : 2 * (size_t)u16(p->loca + 2 * g);
	size_t b = p->long_loca ? u32(p->loca + 4 * g + 4) : 2 * (size_t)u16(p->loca + 2 * g + 2);
	if (a >= b || b > p->glyf_len)
		return NULL;
	*len = b - a;
	return p->glyf + a;
}

/* composite glyph flags (TrueType 'glyf') */
enum {
	ARG_1_AND_2_ARE_WORDS = 0x0001, WE_HAVE_A_SCALE = 0x0008, MORE_COMPONENTS = 0x0020,
	WE_HAVE_AN_X_AND_Y_SCALE = 0x0040, WE_HAVE_A_TWO_BY_TWO = 0x0080
};

/* The glyphs to embed (malloc'd, one byte a glyph): .notdef, the glyphs
 * used, and, recursively, the components of composite ones (Vietnamese
 * letters with tone marks are mostly composites). */
static unsigned char *glyph_closure(const pdf *p)
{
	unsigned char *keep = xcalloc(p->nglyphs, 1);
	unsigned *stack = xmalloc(p->nglyphs * sizeof *stack);
	size_t sp = 0;
	for (unsigned g = 0; g < p->nglyphs; g++)
		if (g == 0 || p->used[g]) {
			keep[g] = 1;
			stack[sp++] = g;
		}
	while (sp) {
		size_t len, o = 10;
		const unsigned char *d = glyph_data(p, stack[--sp], &len);
		unsigned flags = MORE_COMPONENTS;
		if (!d || len < 10 || s16(d) >= 0)
			continue;                        /* empty or simple */
		while ((flags & MORE_COMPONENTS) && o + 4 <= len) {
			flags = u16(d + o);
			unsigned c = u16(d + o + 2);
			o += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
			if (flags & WE_HAVE_A_SCALE)
				o += 2;
			else if (flags & WE_HAVE_AN_X_AND_Y_SCALE)
				o += 4;
			else if (flags & WE_HAVE_A_TWO_BY_TWO)
				o += 8;
			if (c < p->nglyphs && !keep[c]) {
				keep[c] = 1;
				stack[sp++] = c;
			}
		}
	}
	free(stack);
	return keep;
}

/* TrueType table checksum: the sum of its big-endian words, zero-padded */
static uint32_t checksum(const unsigned char *d, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < n; i += 4) {
		unsigned char w[4] = { 0 };
		memcpy(w, d + i, n - i < 4 ? n - i : 4);
		sum += u32(w);
	}
	return sum;
}

/* The font program to embed (malloc'd, *len bytes): the tables a PDF
 * TrueType font needs, in tag order as the directory must be; glyf keeps
 * the outlines in keep only, the others are empty, so glyph ids do not
 * change; loca is rewritten in the long format (head says so). */
static unsigned char *font_subset(const pdf *p, const unsigned char *keep, size_t *len)
{
	static const char *const tags[] = { "cvt ", "fpgm", "glyf", "head", "hhea", "hmtx",
	                                    "loca", "maxp", "prep" };
	enum { NT = sizeof tags / sizeof *tags };
	strbuf glyf = STRBUF_INIT, loca = STRBUF_INIT;
	unsigned char b[4];
	for (unsigned g = 0;; g++) {
		put32(b, (uint32_t)glyf.len);
		sb_add(&loca, b, 4);
		if (g == p->nglyphs)
			break;
		size_t n;
		const unsigned char *d = keep[g] ? glyph_data(p, g, &n) : NULL;
		if (d) {
			sb_add(&glyf, d, n);
			while (glyf.len % 4)
				sb_addc(&glyf, 0);
		}
	}
	const unsigned char *src[NT];
	size_t slen[NT], total = 12;
	unsigned nt = 0, which[NT];
	for (unsigned i = 0; i < NT; i++) {
		const unsigned char *d;
		size_t l = 0;
		if (!strcmp(tags[i], "glyf"))
			d = (const unsigned char *)glyf.buf, l = glyf.len;
		else if (!strcmp(tags[i], "loca"))
			d = (const unsigned char *)loca.buf, l = loca.len;
		else if (!(d = table(p, tags[i], &l)))
			continue;
		src[nt] = d;
		slen[nt] = l;
		which[nt++] = i;
		total += 16 + (l + 3) / 4 * 4;
	}
	unsigned char *f = xcalloc(total, 1), *head = NULL;
	unsigned es = 0;
	while (2u << es <= nt)
		es++;
	put32(f, 0x00010000);
	put16(f + 4, nt);
	put16(f + 6, 16u << es);                     /* searchRange */
	put16(f + 8, es);                            /* entrySelector */
	put16(f + 10, nt * 16 - (16u << es));        /* rangeShift */
	size_t off = 12 + 16 * (size_t)nt;
	for (unsigned i = 0; i < nt; i++) {
		unsigned char *t = f + off, *e = f + 12 + 16 * i;
		if (slen[i])
			memcpy(t, src[i], slen[i]);
		if (!strcmp(tags[which[i]], "head")) {
			head = t;
			put32(t + 8, 0);                     /* checkSumAdjustment, below */
			put16(t + 50, 1);                    /* indexToLocFormat: long */
		}
		memcpy(e, tags[which[i]], 4);
		put32(e + 4, checksum(t, slen[i]));
		put32(e + 8, (uint32_t)off);
		put32(e + 12, (uint32_t)slen[i]);
		off += (slen[i] + 3) / 4 * 4;
	}
	assert(head && off == total);
	put32(head + 8, 0xB1B0AFBAu - checksum(f, total));
	sb_release(&glyf);
	sb_release(&loca);
	*len = total;
	return f;
}

/* ---- writing ---- */

struct out {
	FILE *fp;
	long pos;
	long *off;
	size_t noff;
};

static void emit(struct out *o, const void *d, size_t n)
{
	fwrite(d, 1, n, o->fp);
	o->pos += (long)n;
}

static void emitf(struct out *o, const char *fmt, ...) BM_PRINTF(2, 3);
static void emitf(struct out *o, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	emit(o, sb.buf, sb.len);
	sb_release(&sb);
}

static void obj_start(struct out *o, size_t n)
{
	o->off[n] = o->pos;
	emitf(o, "%zu 0 obj\n", n);
}

/* A stream object's dictionary (with extra entries, "" for none), its
 * data compressed with zlib, and the end of the object. */
static void emit_stream(struct out *o, const void *d, size_t n, const char *extra)
{
	uLongf zn = compressBound((uLong)n);
	unsigned char *z = xmalloc(zn);
	if (compress2(z, &zn, d ? d : "", (uLong)n, Z_BEST_COMPRESSION) != Z_OK)
		die("out of memory compressing a PDF stream");
	emitf(o, "<< /Length %lu /Filter /FlateDecode%s >>\nstream\n", (unsigned long)zn, extra);
	emit(o, z, zn);
	emitf(o, "\nendstream\nendobj\n");
	free(z);
}

static void pdf_string(strbuf *sb, const char *s)
{
	/* UTF-16BE with BOM, as hex */
	sb_adds(sb, "<FEFF");
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c = next_cp(&p);
		if (c > 0xffff) {
			c -= 0x10000;
			sb_addf(sb, "%04X%04X", 0xd800 + (unsigned)(c >> 10), 0xdc00 + (unsigned)(c & 0x3ff));
		} else {
			sb_addf(sb, "%04X", (unsigned)c);
		}
	}
	sb_addc(sb, '>');
}

int pdf_write(pdf *p, FILE *fp, const char *title)
{
	if (!p->npages)
		pdf_page(p, PDF_A4_W, PDF_A4_H);
	/* objects: 1 catalog, 2 pages, 3 font, 4 cidfont, 5 descriptor,
	 * 6 fontfile, 7 tounicode, 8 info, then per page: page, content */
	/* the font subset, named with a tag (PDF 1.7 9.6.4: six capital
	 * letters and '+') hashed from the font's name and the glyphs kept,
	 * so the same subset always gets the same name */
	unsigned char *keep = glyph_closure(p);
	size_t flen;
	unsigned char *font = font_subset(p, keep, &flen);
	uint32_t h = fnv1a(FNV1A_SEED, p->name, strlen(p->name));
	for (unsigned g = 0; g < p->nglyphs; g++)
		if (keep[g])
			h = (h ^ g) * 16777619u;             /* FNV-1a over the ids kept */
	free(keep);
	char name[sizeof p->name + 8];
	for (int i = 0; i < 6; i++, h /= 26)
		name[i] = (char)('A' + h % 26);
	snprintf(name + 6, sizeof name - 6, "+%s", p->name);
	size_t nobj = 8 + 2 * p->npages;
	struct out o = { fp, 0, xcalloc(nobj + 1, sizeof(long)), nobj };
	emit(&o, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
	obj_start(&o, 1);
	emitf(&o, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	obj_start(&o, 2);
	emitf(&o, "<< /Type /Pages /Count %zu /Kids [", p->npages);
	for (size_t i = 0; i < p->npages; i++)
		emitf(&o, " %zu 0 R", 9 + 2 * i);
	emitf(&o, " ] >>\nendobj\n");
	obj_start(&o, 3);
	emitf(&o, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
	          "/DescendantFonts [4 0 R] /ToUnicode 7 0 R >>\nendobj\n", name);
	obj_start(&o, 4);
	emitf(&o, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
	          "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
	          "/FontDescriptor 5 0 R /CIDToGIDMap /Identity /DW 600 /W [", name);
	for (unsigned g = 0; g < p->nglyphs; g++)
		if (p->used[g] || g == 0)
			emitf(&o, " %u [%.0f]", g, advance(p, g));
	emitf(&o, " ] >>\nendobj\n");
	obj_start(&o, 5);
	emitf(&o, "<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%.0f %.0f "
	          "%.0f %.0f] /ItalicAngle 0 /Ascent %.0f /Descent %.0f /CapHeight %.0f /StemV 80 "
	          "/FontFile2 6 0 R >>\nendobj\n", name, p->bbox[0], p->bbox[1], p->bbox[2],
	      p->bbox[3], p->ascent, p->descent, p->ascent);
	obj_start(&o, 6);
	char len1[32];
	snprintf(len1, sizeof len1, " /Length1 %zu", flen);
	emit_stream(&o, font, flen, len1);
	free(font);
	/* ToUnicode */
	strbuf cm = STRBUF_INIT;
	sb_adds(&cm, "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
	             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
	             "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
	             "1 begincodespacerange <0000> <FFFF> endcodespacerange\n");
	size_t inblock = 0;
	strbuf blk = STRBUF_INIT;
	for (unsigned g = 1; g < p->nglyphs; g++) {
		uint32_t c = p->used[g];
		if (!c || c > 0xffff)
			continue;
		sb_addf(&blk, "<%04X> <%04X>\n", g, (unsigned)c);
		if (++inblock == 100) {
			sb_addf(&cm, "%zu beginbfchar\n%sendbfchar\n", inblock, blk.buf);
			sb_reset(&blk);
			inblock = 0;
		}
	}
	if (inblock)
		sb_addf(&cm, "%zu beginbfchar\n%sendbfchar\n", inblock, blk.buf);
	sb_release(&blk);
	sb_adds(&cm, "endcmap CMapName currentdict /CMap defineresource pop end end\n");
	obj_start(&o, 7);
	emit_stream(&o, cm.buf, cm.len, "");
	sb_release(&cm);
	obj_start(&o, 8);
	strbuf t = STRBUF_INIT;
	pdf_string(&t, title ? title : "bienmuc");
	emitf(&o, "<< /Title %s /Producer (bienmuc) >>\nendobj\n", t.buf);
	sb_release(&t);
	for (size_t i = 0; i < p->npages; i++) {
		obj_start(&o, 9 + 2 * i);
		emitf(&o, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font "
		          "<< /F1 3 0 R >> >> /Contents %zu 0 R >>\nendobj\n", p->pw[i], p->ph[i],
		      10 + 2 * i);
		obj_start(&o, 10 + 2 * i);
		emit_stream(&o, p->pages[i].buf, p->pages[i].len, "");
	}
	long xref = o.pos;
	emitf(&o, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
	for (size_t i = 1; i <= nobj; i++)
		emitf(&o, "%010ld 00000 n \n", o.off[i]);
	emitf(&o, "trailer\n<< /Size %zu /Root 1 0 R /Info 8 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
	      nobj + 1, xref);
	free(o.off);
	return ferror(fp) ? -1 : 0;
}
