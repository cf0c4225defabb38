/*
 * copies-cli.c - copies in the output of search and show: the brief line
 * with a count of copies per branch, and the copies as comment lines
 * after a record in MARCMaker (.mrk) form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copies-cli.h"
#include "copies.h"
#include "callno.h"
#include "store-cli.h"

void copies_print_brief(FILE *fp, catalog *c, const char *id, const rec *r)
{
	struct brief b;
	cli_brief(r, &b);
	char *bc = copies_branch_counts(c, id);
	fprintf(fp, "%s\t%s\t%s\t%s\t%s", id, b.title, b.author, b.year, b.isbn);
	if (*bc)
		fprintf(fp, "\tcopies: %s", bc);
	fputc('\n', fp);
	free(bc);
	cli_brief_release(&b);
}

void copies_print_mrk(FILE *fp, catalog *c, const char *id, const rec *r)
{
	struct copy *cps;
	size_t n;
	if (copies_list(c, id, &cps, &n, NULL) || !n)
		return;
	char *cn = callno_of_record(r);
	for (size_t i = 0; i < n; i++) {
		const struct copy *cp = &cps[i];
		fprintf(fp, "# copy %s %s", cp->accno, cp->status);
		const char *v[] = { cp->branch, cp->location, *cp->callno ? cp->callno : cn,
		                    cp->volume, cp->added, cp->price, cp->note };
		for (size_t k = 0; k < sizeof v / sizeof *v; k++)
			if (*v[k])
				fprintf(fp, " | %s", v[k]);
		fputc('\n', fp);
	}
	fputc('\n', fp);
	free(cn);
	copies_free(cps, n);
}
