/*
 * cmd.c - the command table (built from commands.def) and the helpers
 * every command uses for its messages. Kept apart from main.c so that
 * tests and fuzz targets can link everything but main().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#include "cmd.h"
#include "i18n.h"

#define CMD(name, summary) { #name, cmd_##name, summary },
const struct cmd_entry bm_commands[] = {
#include "commands.def"
	{ NULL, NULL, NULL },
};
#undef CMD

const struct cmd_entry *cmd_lookup(const char *name)
{
	for (const struct cmd_entry *c = bm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", bm_progname);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, NULL, fmt, ap);
	va_end(ap);
}

void cmd_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, _("warning"), fmt, ap);
	va_end(ap);
}

void cmd_record_warnings(struct cmd_warnings *w, const char *file, long recno, long long off,
                         size_t n, const char *(*text)(const void *src, size_t i),
                         const void *src)
{
	if (!n)
		return;
	if (w->quiet || w->records >= CMD_WARN_RECORDS) {
		w->hidden += (long)n;
		return;
	}
	w->records++;
	for (size_t i = 0; i < n; i++)
		cmd_error(w->cmd, _("%s: record %ld (byte %lld): warning: %s"), file, recno, off,
		          text(src, i));
	if (w->records == CMD_WARN_RECORDS)
		cmd_warn(w->cmd, _("further warnings are not shown (the summary counts them)"));
}

void cmd_record_warnings_end(const struct cmd_warnings *w)
{
	if (w->hidden > 0 && !w->quiet)
		cmd_error(w->cmd, _("%ld more warnings not shown"), w->hidden);
}

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

