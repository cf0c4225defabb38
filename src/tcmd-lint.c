/*
 * tcmd-lint.c - the workstation's view of the MARC definitions and of
 * lint: help lines and labels for fields, and the checks run before a
 * save and shown next to fields. Definitions are loaded on first use
 * only (start-up stays fast).
 *
 * The checks are the lint engine's (lint.h, the same rules as `bienmuc
 * lint`), created on first use. Without definitions the editor falls
 * back to its own checks: structure (a 245, no empty subfields or data
 * fields, 008 length). Errors block a save; warnings do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcmd.h"
#include "tcmd-impl.h"
#include "i18n.h"
#include "marcdef.h"
#include "lint.h"
#include "copies-lint.h"
#include "auth.h"                  /* heading-* rules against the catalogue */

void *tsess_marcdef(tsess *s)
{
	if (!s->md && !s->md_tried) {
		strbuf err = STRBUF_INIT;
		s->md_tried = 1;
		s->md = marcdef_open_default(&err);
		sb_release(&err);
	}
	return s->md;
}

/* Short labels for the labelled display (Vietnamese / English). */
static const struct { const char *tag, *vi, *en; } labels[] = {
	{ "001", "Số hiệu", "Control number" },
	{ "003", "Mã cơ quan", "Control agency" },
	{ "005", "Ngày cập nhật", "Last change" },
	{ "008", "Dữ liệu cố định", "Fixed data" },
	{ "010", "LCCN", "LCCN" },
	{ "020", "ISBN", "ISBN" },
	{ "022", "ISSN", "ISSN" },
	{ "035", "Số hệ thống", "System number" },
	{ "040", "Nguồn biên mục", "Cataloging source" },
	{ "041", "Ngôn ngữ", "Language" },
	{ "044", "Nước xuất bản", "Country" },
	{ "080", "UDC", "UDC" },
	{ "082", "Phân loại DDC", "DDC" },
	{ "084", "Phân loại khác", "Other class." },
	{ "090", "Ký hiệu xếp giá", "Call number" },
	{ "100", "Tác giả", "Author" },
	{ "110", "Tác giả tập thể", "Corporate author" },
	{ "111", "Hội nghị", "Meeting" },
	{ "130", "Nhan đề đồng nhất", "Uniform title" },
	{ "240", "Nhan đề đồng nhất", "Uniform title" },
	{ "242", "Nhan đề dịch", "Translated title" },
	{ "245", "Nhan đề", "Title" },
	{ "246", "Nhan đề khác", "Variant title" },
	{ "250", "Lần xuất bản", "Edition" },
	{ "260", "Xuất bản", "Publication" },
	{ "264", "Xuất bản", "Publication" },
	{ "300", "Mô tả vật lý", "Physical descr." },
	{ "336", "Loại nội dung", "Content type" },
	{ "337", "Loại phương tiện", "Media type" },
	{ "338", "Loại vật mang", "Carrier type" },
	{ "440", "Tùng thư", "Series" },
	{ "490", "Tùng thư", "Series" },
	{ "500", "Ghi chú", "Note" },
	{ "504", "Thư mục", "Bibliography" },
	{ "505", "Mục lục", "Contents" },
	{ "520", "Tóm tắt", "Summary" },
	{ "546", "Ghi chú ngôn ngữ", "Language note" },
	{ "600", "Chủ đề cá nhân", "Subject person" },
	{ "610", "Chủ đề tập thể", "Subject body" },
	{ "650", "Chủ đề", "Subject" },
	{ "651", "Địa danh", "Subject place" },
	{ "653", "Từ khóa", "Keywords" },
	{ "655", "Thể loại", "Genre" },
	{ "700", "Tác giả phụ", "Added author" },
	{ "710", "Tập thể phụ", "Added body" },
	{ "740", "Nhan đề phụ", "Added title" },
	{ "773", "Tài liệu chủ", "Host item" },
	{ "830", "Tùng thư", "Series" },
	{ "852", "Nơi lưu giữ", "Location" },
	{ "856", "Truy cập điện tử", "Electronic access" },
	{ NULL, NULL, NULL },
};

/* The MARC format of the record being edited (authority for Leader/06 z). */
static int edit_format(tsess *s)
{
	return s->ed && rec_leader(edrec_rec(s->ed))[6] == 'z' ? MD_AUTH : MD_BIB;
}

const char *tsess_field_label(tsess *s, const char *tag, int local)
{
	static char buf[128];
	int fmt = edit_format(s);
	for (int i = 0; fmt == MD_BIB && labels[i].tag; i++)
		if (!strcmp(labels[i].tag, tag)) {
			if (local)
				snprintf(buf, sizeof buf, "%s / %s", labels[i].vi, labels[i].en);
			else
				snprintf(buf, sizeof buf, "%s", labels[i].en);
			return buf;
		}
	marcdef *md = tsess_marcdef(s);
	const md_field *f = md ? marcdef_field(md, fmt, tag) : NULL;
	if (f && f->name) {
		snprintf(buf, sizeof buf, "%s", marcdef_name(f->name, f->name_local, local));
		return buf;
	}
	return NULL;
}

void tsess_ind_help(tsess *s, const char *tag, int which, char v, strbuf *out)
{
	marcdef *md = tsess_marcdef(s);
	const md_field *f = md ? marcdef_field(md, edit_format(s), tag) : NULL;
	if (!f || f->control || which < 1 || which > 2) {
		tsess_field_help(s, tag, 0, out);
		return;
	}
	int local = i18n_is_vi();
	const md_indicator *in = &f->ind[which - 1];
	sb_addf(out, _("%s indicator %d"), tag, which);
	if (in->name)
		sb_addf(out, " %s", marcdef_name(in->name, in->name_local, local));
	if (in->undefined) {
		sb_addf(out, ": %s", _("undefined (blank)"));
		return;
	}
	char c[2] = { v, 0 };
	for (size_t i = 0; i < in->ncodes; i++)
		if (!strcmp(in->codes[i].code, c)) {
			sb_addf(out, ": %c = %s", v == ' ' ? '#' : v,
			        marcdef_name(in->codes[i].name, in->codes[i].name_local, local));
			return;
		}
	sb_addf(out, ": %c %s", v == ' ' ? '#' : v, _("is not a defined value"));
}

void tsess_field_help(tsess *s, const char *tag, char code, strbuf *out)
{
	marcdef *md = tsess_marcdef(s);
	if (!strcmp(tag, "LDR")) {
		sb_adds(out, _("LDR Leader: 24 positions (05 status, 06 type, 07 level, 17 encoding, 18 form)"));
		return;
	}
	int fmt = edit_format(s);      /* authority names for an authority record */
	int local = i18n_is_vi();
	const md_field *f = md ? marcdef_field(md, fmt, tag) : NULL;
	if (!f) {
		const char *l = tsess_field_label(s, tag, 1);
		sb_addf(out, "%s %s", tag, l ? l : (md ? _("(not defined in MARC 21)") : ""));
		return;
	}
	sb_addf(out, "%s %s%s%s (%s)", tag, f->name,
	        f->name_local ? " / " : "", f->name_local ? f->name_local : "",
	        f->repeatable ? "R" : "NR");
	if (f->obsolete)
		sb_adds(out, _(" (obsolete)"));
	if (code) {
		const md_subfield *sf = marcdef_subfield(f, code);
		if (sf)
			sb_addf(out, " | $%c %s%s", code,
			        sf->name ? marcdef_name(sf->name, sf->name_local, local) : "",
			        sf->repeatable ? " (R)" : " (NR)");
		else
			sb_addf(out, " | $%c %s", code, _("not defined"));
	} else if (!f->control) {
		sb_adds(out, " | $");
		for (size_t i = 0; i < f->nsubs && i < 12; i++)
			sb_addc(out, f->subs[i].code);
	}
}

void tsess_field_help_fit(tsess *s, const char *tag, char code, size_t cells, strbuf *out)
{
	strbuf full = STRBUF_INIT;
	tsess_field_help(s, tag, code, &full);
	const char *fb = full.buf ? full.buf : "";
	marcdef *md = tsess_marcdef(s);
	const md_field *f = md && strcmp(tag, "LDR") ? marcdef_field(md, edit_format(s), tag) : NULL;
	if (edit_str_cells(fb) <= cells || !f) {
		edit_add_cut(out, fb, cells);
		sb_release(&full);
		return;
	}
	sb_release(&full);
	/* too long with both names: the field's name in the interface
	 * language only, and cut so that the subfield part shows whole */
	int local = i18n_is_vi();
	strbuf head = STRBUF_INIT, tail = STRBUF_INIT;
	sb_addf(&head, "%s %s (%s)%s", tag, marcdef_name(f->name, f->name_local, local),
	        f->repeatable ? "R" : "NR", f->obsolete ? _(" (obsolete)") : "");
	if (code) {
		const md_subfield *sf = marcdef_subfield(f, code);
		if (sf)
			sb_addf(&tail, " | $%c %s%s", code,
			        sf->name ? marcdef_name(sf->name, sf->name_local, local) : "",
			        sf->repeatable ? " (R)" : " (NR)");
		else
			sb_addf(&tail, " | $%c %s", code, _("not defined"));
	} else if (!f->control) {
		sb_adds(&tail, " | $");
		for (size_t i = 0; i < f->nsubs && i < 12; i++)
			sb_addc(&tail, f->subs[i].code);
	}
	const char *hb = head.buf ? head.buf : "", *tb = tail.buf ? tail.buf : "";
	size_t hw = edit_str_cells(hb), tw = edit_str_cells(tb);
	if (hw + tw > cells && cells > tw + 12) {
		strbuf line = STRBUF_INIT;
		edit_add_cut(&line, hb, cells - tw);
		sb_adds(&line, tb);
		edit_add_cut(out, line.buf, cells);
		sb_release(&line);
	} else {
		strbuf line = STRBUF_INIT;
		sb_adds(&line, hb);
		sb_adds(&line, tb);
		edit_add_cut(out, line.buf, cells);
		sb_release(&line);
	}
	sb_release(&head);
	sb_release(&tail);
}

void tsess_lint_destroy(tsess *s)
{
	tsess_free_lint(s);
	lint_destroy(s->lint);
	s->lint = NULL;
}

void tsess_free_lint(tsess *s)
{

	for (size_t i = 0; i < s->nfind; i++)
		free(s->find[i].text);
	free(s->find);
	s->find = NULL;
	s->nfind = 0;
	s->lint_stale = 1;
}

static void add(tsess *s, int error, long line, const char *fmt, ...) BM_PRINTF(4, 5);
static void add(tsess *s, int error, long line, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	s->find = xrealloc(s->find, (s->nfind + 1) * sizeof *s->find);
	s->find[s->nfind].error = error;
	s->find[s->nfind].line = line;
	s->find[s->nfind].text = sb_detach(&sb, NULL);
	s->nfind++;
}

static void lint_found(const lint_finding *f, void *arg)
{
	tsess *s = arg;
	/* a new record gets its 001 and 005 from the catalogue when saved */
	if (!s->id && f->field < 0 && f->tag && (!strcmp(f->tag, "001") || !strcmp(f->tag, "005")))
		return;
	strbuf sb = STRBUF_INIT;
	long line = f->field >= 0 ? f->field + 1 : (!strcmp(f->tag, "LDR") ? 0 : -1);
	if (f->tag && *f->tag)
		sb_adds(&sb, f->tag);
	if (f->subfield)
		sb_addf(&sb, " $%c", f->subfield);
	if (f->position >= 0)
		sb_addf(&sb, "/%02d", f->position);
	add(s, f->severity == LINT_ERROR, line, "%s%s%s [%s]", sb.buf ? sb.buf : "",
	    sb.len ? ": " : "", f->message, f->rule);
	sb_release(&sb);
}

size_t tsess_lint(tsess *s)
{
	tsess_free_lint(s);
	s->lint_stale = 0;
	if (!s->ed)
		return 0;
	const rec *r = edrec_rec(s->ed);
	marcdef *md0 = tsess_marcdef(s);
	if (md0 && !s->lint && !s->lint_tried) {
		s->lint_tried = 1;
		s->lint = lint_create(md0);
	}
	if (s->lint) {
		/* authority control: the heading-* rules ask the open catalogue */
		auth_linker *al = s->cat && !strcmp(catalog_backend(s->cat), "sqlite") ?
		                  auth_linker_create(s->cat) : NULL;
		lint_set_heading_hook(s->lint, al ? auth_lint_heading : NULL, al);
		/* callno-missing: does the catalogue hold copies of it? */
		lint_set_copies_hook(s->lint, s->cat && s->id ? copies_lint_count : NULL, s->cat);
		lint_check(s->lint, r, 1, lint_found, s);
		lint_set_heading_hook(s->lint, NULL, NULL);
		lint_set_copies_hook(s->lint, NULL, NULL);
		auth_linker_destroy(al);
		size_t errors = 0;
		for (size_t i = 0; i < s->nfind; i++)
			errors += s->find[i].error != 0;
		return errors;
	}
	size_t n = rec_nfields(r);
	if (rec_find(r, "245", 0) < 0)
		add(s, 1, -1, "245: the record has no title (245)");
	for (size_t i = 0; i < n; i++) {
		long line = (long)i + 1;
		const char *tag = rec_tag(r, i);
		if (rec_is_control(r, i)) {
			size_t len;
			rec_data(r, i, &len);
			if (!len && strcmp(tag, "001") && strcmp(tag, "005"))
				add(s, 1, line, "%s: empty control field", tag);
			if (!strcmp(tag, "008") && len != 40)
				add(s, 1, line, "008: %zu characters; it must have 40", len);
			continue;
		}
		if (!rec_nsub(r, i))
			add(s, 1, line, "%s: a data field needs at least one subfield", tag);
		for (size_t j = 0; j < rec_nsub(r, i); j++) {
			size_t len;
			const char *v = rec_sub_value(r, i, j, &len);
			size_t k = 0;
			while (k < len && v[k] == ' ')
				k++;
			if (k == len)
				add(s, 1, line, "%s: $%c is empty", tag, rec_sub_code(r, i, j));
		}
	}
	size_t errors = 0;
	for (size_t i = 0; i < s->nfind; i++)
		errors += s->find[i].error != 0;
	return errors;
}

const char *tsess_line_finding(tsess *s, long line, int *error)
{
	/* an error before the warnings: the mark beside the field is '!' */
	const char *first = NULL;
	for (size_t i = 0; i < s->nfind; i++)
		if (s->find[i].line == line) {
			if (s->find[i].error) {
				if (error)
					*error = 1;
				return s->find[i].text;
			}
			if (!first)
				first = s->find[i].text;
		}
	if (first && error)
		*error = 0;
	return first;
}
