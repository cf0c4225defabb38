/*
 * store-cli.c - helpers shared by the catalogue commands (store-cli.h).
 */
#include <stdlib.h>
#include <string.h>

#include "store-cli.h"
#include "cmd.h"
#include "i18n.h"
#include "matchkey.h"
#include "store.h"

catalog *cli_open(const char *cmd, const char *db, int flags)
{
	strbuf err = STRBUF_INIT;
	catalog *c = catalog_open(db, flags, &err);
	if (!c)
		cmd_error(cmd, "%s", err.buf ? err.buf : _("cannot open the catalogue"));
	sb_release(&err);
	return c;
}

void cli_brief(const rec *r, struct brief *b)
{
	struct cat_summary s;
	cat_summary_of(r, &s);
	b->title = s.title;
	b->author = s.author;
	b->year = s.year;
	b->isbn = s.isbn;
}

void cli_brief_release(struct brief *b)
{
	free(b->title);
	free(b->author);
	free(b->year);
	free(b->isbn);
	memset(b, 0, sizeof *b);
}

void cli_print_brief(FILE *fp, const char *id, const rec *r)
{
	struct brief b;
	cli_brief(r, &b);
	fprintf(fp, "%s\t%s\t%s\t%s\t%s\n", id, b.title, b.author, b.year, b.isbn);
	cli_brief_release(&b);
}

/* The length of the valid UTF-8 sequence at p (0: none there). */
static size_t utf8_seq(const unsigned char *p)
{
	size_t k = *p >= 0xC2 && *p <= 0xDF ? 2 : *p >= 0xE0 && *p <= 0xEF ? 3 :
	           *p >= 0xF0 && *p <= 0xF4 ? 4 : 0;
	for (size_t j = 1; j < k; j++)
		if (!p[j])
			return 0;
	return k && utf8_valid((const char *)p, k, NULL) ? k : 0;
}

void cli_json_str(strbuf *out, const char *s)
{
	sb_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p >= 0x80) {
			/* JSON is UTF-8: a byte of something else (a file name in a
			 * legacy encoding) is written as the Latin-1 character */
			size_t k = utf8_seq(p);
			if (k) {
				sb_add(out, (const char *)p, k);
				p += k - 1;
			} else {
				sb_addf(out, "\\u%04x", *p);
			}
			continue;
		}
		switch (*p) {
		case '"': sb_adds(out, "\\\""); break;
		case '\\': sb_adds(out, "\\\\"); break;
		case '\n': sb_adds(out, "\\n"); break;
		case '\r': sb_adds(out, "\\r"); break;
		case '\t': sb_adds(out, "\\t"); break;
		default:
			if (*p < 0x20)
				sb_addf(out, "\\u%04x", *p);
			else
				sb_addc(out, (char)*p);
		}
	}
	sb_addc(out, '"');
}

int cli_format(const char *name, int allow_brief)
{
	if (allow_brief && !strcmp(name, "brief"))
		return 0;
	int f = marc_format_parse(name);
	return f > 0 ? f : -1;
}

void cli_query_error(const char *cmd, const char *query, int pos, const char *msg)
{
	cmd_error(cmd, "%s", msg);
	if (pos >= 0 && (size_t)pos <= strlen(query)) {
		/* caret under the byte offset: count characters, not bytes */
		int col = 0;
		for (int i = 0; i < pos; i++)
			if (((unsigned char)query[i] & 0xc0) != 0x80)
				col++;
		fprintf(stderr, "  %s\n  %*s^\n", query, col, "");
	}
}
