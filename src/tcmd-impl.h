/*
 * tcmd-impl.h - internals shared by tcmd.c (table, dispatcher) and
 * tcmd-ops.c (the handlers) and tcmd-lint.c. Not for front ends.
 */
#ifndef BIENMUC_TCMD_IMPL_H
#define BIENMUC_TCMD_IMPL_H

#include "tcmd.h"

#define TC_HANDLER(name) int tc_##name(tsess *s, int argc, char **argv, const char *rest)
TC_HANDLER(search); TC_HANDLER(results); TC_HANDLER(open); TC_HANDLER(next);
TC_HANDLER(prev); TC_HANDLER(show); TC_HANDLER(edit); TC_HANDLER(new);
TC_HANDLER(close); TC_HANDLER(goto); TC_HANDLER(field); TC_HANDLER(sub);
TC_HANDLER(save); TC_HANDLER(undo); TC_HANDLER(redo); TC_HANDLER(lint);
TC_HANDLER(take); TC_HANDLER(take_all); TC_HANDLER(conflict);
TC_HANDLER(history); TC_HANDLER(version); TC_HANDLER(rollback);
TC_HANDLER(delete); TC_HANDLER(undelete); TC_HANDLER(export); TC_HANDLER(set);
TC_HANDLER(labels); TC_HANDLER(help); TC_HANDLER(quit);
TC_HANDLER(constants); TC_HANDLER(punctuate); TC_HANDLER(saveform); TC_HANDLER(fixed); TC_HANDLER(input);

void tsess_clear_results(tsess *s);
void tsess_clear_record(tsess *s);
void tsess_clear_history(tsess *s);
void tsess_free_lint(tsess *s);
void tsess_lint_destroy(tsess *s);
void tsess_event(tsess *s, int ev);

#endif
