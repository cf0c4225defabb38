/*
 * copies-lint.c - the copies hook of lint (see copies-lint.h).
 */
#include <string.h>

#include "copies-lint.h"
#include "copies.h"

long copies_lint_count(void *arg, const rec *r)
{
	catalog *c = arg;
	const char *id = rec_get_control(r, "001");
	if (!c || !id || !*id || strcmp(catalog_backend(c), "sqlite"))
		return c ? -1 : 0;
	struct copy *cp = NULL;
	size_t n = 0;
	if (copies_list(c, id, &cp, &n, NULL))
		return -1;
	long live = 0;
	for (size_t i = 0; i < n; i++)
		live += strcmp(cp[i].status, COPY_WITHDRAWN) != 0;
	copies_free(cp, n);
	return live;
}
