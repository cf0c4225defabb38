/* iso2709.c - ISO2709 reader and writer (placeholder: being written). */
#include "marcio-impl.h"

static void *r_open(marc_reader *rd, strbuf *err)
{
	(void)rd;
	sb_adds(err, "the iso2709 reader is not implemented yet");
	return NULL;
}
static int r_next(void *st, marc_reader *rd, rec *r) { (void)st; (void)rd; (void)r; return MR_EOF; }
static void r_close(void *st) { (void)st; }
const struct fmt_reader fmt_iso2709_reader = { MF_ISO2709, 0, r_open, r_next, r_close };

static void w_begin(marc_writer *w, strbuf *out) { (void)w; (void)out; }
static int w_put(marc_writer *w, const rec *r, strbuf *out, strbuf *err)
{
	(void)w; (void)r; (void)out;
	sb_adds(err, "the iso2709 writer is not implemented yet");
	return -1;
}
static void w_end(marc_writer *w, strbuf *out) { (void)w; (void)out; }
const struct fmt_writer fmt_iso2709_writer = { MF_ISO2709, 0, w_begin, w_put, w_end };
