/*
 * tcmd.h - the workstation's command table and session, shared by the
 * full-screen `:` line (tui.c), the key bindings (keys.h: every key runs a
 * command line) and the line shell (cmd-shell.c). Free of curses.
 *
 * A session (tsess) holds the open catalogue, the last search and its
 * results, the record being edited (edrec) with the version it was read
 * at, the field clipboard, the open conflict (edmerge), the history list,
 * key bindings and options. Commands change the session and report
 * through a front end (struct tfront): text output, errors, a yes/no
 * question and "show this screen" events. Commands that only make sense
 * on a screen (cursor movement, the line editor) are in the table too
 * (flag TC_UI), so that help, completion and the config checker know
 * them; the dispatcher hands them to the front end's `ui` hook.
 *
 * Status of a command: 0 ok, 1 refused or findings (lint errors, a
 * conflict, unsaved changes), 2 usage or I/O error.
 */
#ifndef BIENMUC_TCMD_H
#define BIENMUC_TCMD_H

#include <stddef.h>
#include "util.h"
#include "rec.h"
#include "catalog.h"
#include "edit.h"
#include "keys.h"

typedef struct tsess tsess;

/* Screens a command may ask the front end to show. */
enum tevent {
	TE_RESULTS = 1,   /* results changed: show the list */
	TE_RECORD,        /* a record was opened (show it) */
	TE_EDIT,          /* enter the tagged editor */
	TE_CHANGED,       /* the record under edit changed (redraw) */
	TE_CONFLICT,      /* a save conflict is open: show the merge */
	TE_HISTORY,       /* history list loaded */
	TE_VERSION,       /* an old version is loaded for viewing (s->oldrec) */
	TE_HELP,          /* show help (s->helptopic may name a command) */
	TE_QUIT,          /* leave */
	TE_CLOSED,        /* the current record was closed (deleted) */
};

struct tfront {
	void *ctx;
	/* A line (or lines) of normal output: the shell prints it, the TUI
	 * shows the last line on the status line. */
	void (*out)(void *ctx, const char *text);
	/* An error or warning line. */
	void (*err)(void *ctx, const char *text);
	/* Ask; 1 = yes. NULL = always yes (scripts use the ! forms). */
	int (*confirm)(void *ctx, const char *question);
	void (*event)(void *ctx, int ev);
	/* TC_UI commands; return a status. NULL: they are refused. */
	int (*ui)(void *ctx, int argc, char **argv);
};

/* A finding of the lint step (or of the editor's own checks). */
struct tfinding {
	int error;           /* 1 error, 0 warning */
	long line;           /* editor line (0 leader, i = field i-1), -1 = record */
	char *text;          /* "245: ind1 '5' is not valid" */
};

struct tsess {
	catalog *cat;
	char *catname;
	struct tfront fe;
	keymap *km;
	struct key_options opt;

	/* search */
	char *query;
	struct cat_result res;
	long sel;                 /* selected result (0-based) */
	int res_more;             /* more results follow the loaded ones */
	/* per result row: "title\tauthor\tyear" cache, filled lazily */
	char **rowcache;

	/* current record */
	edrec *ed;                /* NULL: none open */
	char *id;                 /* NULL for a new record */
	long version;             /* version read; CAT_NEW for a new record */
	int deleted;
	int copy;                 /* the new record is a copy (:zopen): saving it
	                             checks the catalogue for it first */

	rec *clip;                /* copied fields */

	/* lint findings of the current record (after tsess_lint) */
	struct tfinding *find;
	size_t nfind;
	int lint_stale;

	/* conflict */
	edmerge *merge;
	long their_version;
	long msel;                /* selected merge row; -1 = leader */

	/* history */
	struct cat_version *hist;
	size_t nhist;
	long hsel;
	rec *oldrec;              /* a version being viewed */
	long oldver;

	char *helptopic;
	int force;                /* the command was given with '!' */
	int quit;
	int worst;                /* worst status so far (shell exit code) */

	void *md;                 /* marcdef, loaded on first use */
	int md_tried;
	void *lint;               /* lint engine, loaded on first use */
	int lint_tried;
};

/* Command flags. */
#define TC_CAT     0x01   /* needs an open catalogue */
#define TC_REC     0x02   /* needs an open record */
#define TC_UI      0x04   /* screen only: handled by fe.ui */
#define TC_WRITE   0x08   /* writes to the catalogue */

struct tcmd_entry {
	const char *name;
	const char *alias;       /* or NULL */
	int min, max;            /* argument counts (max -1 = any) */
	int flags;
	const char *usage;       /* "QUERY..." */
	const char *summary;
	int (*exec)(tsess *s, int argc, char **argv, const char *rest);
	/* subcommands, for completion ("add del set ..."), or NULL */
	const char *subs;
};

extern const struct tcmd_entry tcmd_table[];
/* Entry by name or alias ("w" -> save); "quit!" and "save!" are looked up
 * as themselves. NULL if unknown. */
const struct tcmd_entry *tcmd_find(const char *name);
/* For keys_load_text: 1 if the first word of `line` is a command. */
int tcmd_known(const char *line);

/* Split a command line into words: blanks separate, "double" and
 * 'single' quotes group, backslash escapes. *argv malloc'd (free with
 * tcmd_free_argv). Returns argc, or -1 on an unclosed quote. */
int tcmd_split(const char *line, char ***argv);
void tcmd_free_argv(int argc, char **argv);
/* The raw text after the first n words of line (leading blanks
 * skipped), pointing into line. */
const char *tcmd_rest(const char *line, int n);

tsess *tsess_create(const struct tfront *fe);
void tsess_destroy(tsess *s);                 /* accepts NULL; closes the catalogue */
/* Open a catalogue (closing any open one). Returns 0 or 2 (error reported). */
int tsess_open_catalog(tsess *s, const char *name, int create);
/* Load the default bindings, then the user's config (errors reported
 * through fe.err). */
void tsess_load_config(tsess *s, const char *path);

/* Run one command line (a leading ':' is skipped; blank lines and
 * "# comments" do nothing). Returns the status and folds it into
 * s->worst. */
int tcmd_run(tsess *s, const char *line);

/* Report helpers (through fe). */
void tsess_out(tsess *s, const char *fmt, ...) BM_PRINTF(2, 3);
void tsess_err(tsess *s, const char *fmt, ...) BM_PRINTF(2, 3);

/* Title / author / year of result row i (cached); "" when unknown. */
const char *tsess_row(tsess *s, size_t i, int which);
/* Fetch further result pages (s->opt.page at a time) until row `want`
 * (0-based) is loaded or the results end; want (size_t)-1: all of them.
 * Returns the number of rows now loaded. For lists that move past the
 * page read by :search. */
size_t tsess_results_more(tsess *s, size_t want);

/* Run the lint step over the record under edit (fills s->find). Returns
 * the number of errors. */
size_t tsess_lint(tsess *s);
/* The finding shown for one editor line: its first error, else its first
 * warning (NULL if none); *error says which. */
const char *tsess_line_finding(tsess *s, long line, int *error);

/* Definitions (marcdef.h), loaded on first use; NULL if unavailable. */
void *tsess_marcdef(tsess *s);
/* Help line for a field (and subfield code, 0 = none): "245 Title
 * Statement — $a Title" (names from marcdef, local names preferred when
 * `local`). Writes into out. */
void tsess_field_help(tsess *s, const char *tag, char code, strbuf *out);
/* The same for a help line of `cells` terminal cells: when both names
 * make it longer, the field is named in the interface language only, and
 * cut (ending in '~') so that the subfield part shows whole. */
void tsess_field_help_fit(tsess *s, const char *tag, char code, size_t cells, strbuf *out);
/* The help line for indicator which (1 or 2) of tag holding value v:
 * what the indicator is about and what v means, in the interface
 * language ("245 ind1 Added entry: 1 = Added entry"). */
void tsess_ind_help(tsess *s, const char *tag, int which, char v, strbuf *out);
/* Label for the labelled display: "Nhan đề / Title" style; NULL if
 * unknown. */
const char *tsess_field_label(tsess *s, const char *tag, int local);

/* ---- workforms, constant data, fixed fields (tcmd-form.c) ---- */
/* Make r the record under edit as a new, unsaved record (the editor's
 * undo starts here); `what` names its origin in the message. */
void tsess_set_new(tsess *s, const rec *r, const char *what);
/* Placeholder values for forms: the catalogue's org_code setting
 * (malloc'd into *org, free it; NULL = unset). */
void tsess_form_env(tsess *s, char **org);
/* The fixed field to edit for the current editor line, or for tagspec
 * (LDR, 006, 007, 008, TAG/N): *line gets the field's editor line (0
 * when only the leader is edited). Returns a fixed-field model (fixed.h,
 * as void *) or NULL with an error reported. */
void *tsess_fixed_open(tsess *s, const char *tagspec, long *line);
/* Write a fixed-field model back into the record (leader and field, one
 * undo step each when changed). Returns 0, or 2 with an error reported. */
int tsess_fixed_apply(tsess *s, void *fx, long line);

/* Help text: commands with usage, keys bound in `view` and summary; if
 * topic names a command, only it. */
void tcmd_help_text(tsess *s, int view, const char *topic, strbuf *out);

/* Completion of the word ending at pos in line: candidates (malloc'd
 * strings, NULL-terminated malloc'd array) for commands, subcommands,
 * tags (for goto/field) and record ids (for open id=). */
char **tcmd_complete(tsess *s, const char *line, size_t pos);
void tcmd_free_list(char **list);

#endif
