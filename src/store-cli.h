/*
 * store-cli.h - small helpers shared by the catalogue commands
 * (search, show, import, export, history, rollback, batch, delete):
 * opening the catalogue named by -d, the one-line brief display, writing
 * records in a chosen format, and JSON string escaping.
 */
#ifndef BIENMUC_STORE_CLI_H
#define BIENMUC_STORE_CLI_H

#include <stdio.h>
#include "catalog.h"
#include "marcio.h"

/* Open the catalogue: db (from -d) or the default one. Prints
 * "bienmuc: CMD: ..." and returns NULL on failure. */
catalog *cli_open(const char *cmd, const char *db, int flags);

/* Brief fields of a record: title (245 $a $b $n $p, no final
 * punctuation), first author (1XX, else 7XX), year, first ISBN (as
 * ISBN-13 when valid). Each is malloc'd ("" when missing). */
struct brief {
	char *title, *author, *year, *isbn;
};
void cli_brief(const rec *r, struct brief *b);
void cli_brief_release(struct brief *b);
/* "ID<TAB>title<TAB>author<TAB>year<TAB>isbn\n" to fp. */
void cli_print_brief(FILE *fp, const char *id, const rec *r);

/* Append s as a JSON string (with quotes) to out; bytes that are not
 * UTF-8 are written as the Latin-1 characters (\u00XX), so that the
 * text stays valid JSON. */
void cli_json_str(strbuf *out, const char *s);

/* Parse a display format: "brief" gives 0, otherwise a marc_format
 * (MF_ISO2709, MF_MARCXML, MF_MRK, MF_JSON); -1 when unknown. */
int cli_format(const char *name, int allow_brief);

/* Print a CCL error with a caret under the position. */
void cli_query_error(const char *cmd, const char *query, int pos, const char *msg);

#endif
