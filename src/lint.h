/*
 * lint.h - the record checker behind `bienmuc lint`, usable on any `rec`
 * (a file being linted, a catalogue record, the record in the editor).
 *
 * A linter holds the definitions (marcdef.h) it checks against and the
 * severity of every rule. lint_check() walks one record and calls back
 * once per finding; nothing is printed. Each finding names the record
 * number, tag, occurrence, subfield (or fixed-field position), severity,
 * a stable rule id and a plain message.
 *
 * Rules files (--rules FILE, see bienmuc-lint-rules(5)) switch rules off,
 * lower them to warnings or raise them to errors, and set parameters:
 *     # comment
 *     punct off
 *     isbn-check error
 *     tcvn-040b warning
 *     set cataloging-language vie
 */
#ifndef BIENMUC_LINT_H
#define BIENMUC_LINT_H

#include <stddef.h>
#include "marcdef.h"
#include "rec.h"
#include "util.h"

typedef struct linter linter;

enum lint_severity { LINT_OFF = 0, LINT_WARNING = 1, LINT_ERROR = 2 };

typedef struct lint_finding {
	long record;              /* 1-based record number given to lint_check */
	const char *tag;          /* "245", "LDR", "880"; "" for the whole record */
	int occurrence;           /* 1-based occurrence of tag, 0 if not a field */
	char subfield;            /* subfield code, or 0 */
	int position;             /* Leader/00X character position, or -1 */
	long field;               /* index of the field in the record, or -1 */
	int severity;             /* LINT_WARNING or LINT_ERROR */
	const char *rule;         /* stable rule id, e.g. "isbn-check" */
	const char *message;      /* plain explanation, no tag prefix */
} lint_finding;

/* Strings in the finding are valid only during the callback. */
typedef void (*lint_cb)(const lint_finding *f, void *arg);

/* A description of one rule, for --help, man pages and the editor. */
typedef struct lint_rule_info {
	const char *id;
	int severity;             /* default severity (LINT_OFF = not run) */
	const char *summary;
} lint_rule_info;

size_t lint_nrules(void);
const lint_rule_info *lint_rule_at(size_t i);

/* md must outlive the linter. */
linter *lint_create(const marcdef *md);
void lint_destroy(linter *l);                      /* accepts NULL */

/* Set a rule's severity; -1 if no such rule. */
int lint_set_rule(linter *l, const char *rule, int severity);
int lint_rule_severity(const linter *l, const char *rule);
/* Parameters: "cataloging-language" (040 $b expected by tcvn-040b,
 * default "vie"). Returns -1 for an unknown name. */
int lint_set_param(linter *l, const char *name, const char *value);
/* Read a rules file / text; on error -1 and err says "FILE:LINE: why". */
int lint_load_rules(linter *l, const char *path, strbuf *err);
int lint_load_rules_text(linter *l, const char *name, const char *text,
                         size_t len, strbuf *err);

/* "off", "warning", "error" <-> enum; -1 if unknown. */
int lint_severity_parse(const char *s);
const char *lint_severity_name(int sev);

/* Check one record; calls cb for every finding whose rule is not off.
 * Returns the number of findings reported. */
size_t lint_check(linter *l, const rec *r, long recno, lint_cb cb, void *arg);

/* Report a record that could not be read (rule "read") through the same
 * callback; returns 1 if reported, 0 if the rule is off. */
size_t lint_report_unreadable(linter *l, long recno, const char *why,
                              lint_cb cb, void *arg);

/* Report a reader warning (rule "read-warning"), e.g. a guessed charset. */
size_t lint_report_read_warning(linter *l, long recno, const char *why,
                                lint_cb cb, void *arg);

/* Authority hook (authority control, auth.h): lint asks the catalogue
 * about every heading field. fn returns one of LINT_HEADING_* for field f
 * of r and may append a plain explanation to msg ("is a see-from of
 * 'Nam Cao 1915-1951'"). Without a hook (the default, e.g. linting a file)
 * the heading-* rules report nothing. fn NULL removes the hook. */
enum {
	LINT_HEADING_SKIP = 0,        /* not a heading / nothing to say */
	LINT_HEADING_UNLINKED,        /* authorised form, but no $0 */
	LINT_HEADING_UNAUTHORIZED,    /* a see-from (4XX) form */
	LINT_HEADING_AMBIGUOUS,       /* several authorities */
	LINT_HEADING_NEAR,            /* only a near miss (tones/đ/case, dates) */
	LINT_HEADING_UNCONTROLLED,    /* no authority */
};
typedef int (*lint_heading_fn)(void *arg, const rec *r, size_t f, strbuf *msg);
void lint_set_heading_hook(linter *l, lint_heading_fn fn, void *arg);

/* Copies hook: fn returns how many copies the catalogue holds for record
 * r (by its 001; 0 none, -1 unknown). Only with a hook does the rule
 * callno-missing report anything. fn NULL removes the hook. */
typedef long (*lint_copies_fn)(void *arg, const rec *r);
void lint_set_copies_hook(linter *l, lint_copies_fn fn, void *arg);

/* Finding messages are translated to the interface language (i18n.h);
 * on != 0 keeps them in English, e.g. for machine-readable output. */
void lint_set_english(linter *l, int on);

/* ISBN/ISSN check-digit helpers (digits only, 'X' allowed last).
 * Return 1 valid, 0 bad check digit, -1 wrong length. */
int lint_isbn_valid(const char *digits, size_t n);
int lint_issn_valid(const char *digits, size_t n);

#endif
