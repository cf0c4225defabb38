/*
 * form.h - workforms: which fields a new record of some kind gets, in
 * which order, with prompts (Vietnamese and English), defaults and
 * constant values. Forms are text files in forms/ (format in
 * bienmuc-forms(5)) so that a library edits data, not C.
 *
 * A form is a leader, control fields, and a list of *elements*: one
 * element per subfield to be prompted for, grouped into fields. The
 * fill-in screen walks the elements (pre-filling each with its default);
 * form_build() turns the answers into a record. A field is kept when its
 * first prompted subfield is filled in (a field of constants only is
 * always kept), so a pre-filled $e relator alone does not keep a 100.
 * Constant-data sets (forms/NAME.const) use the same syntax and are applied
 * to an existing record with form_apply_constants().
 *
 * Placeholders in values: {org} the library's MARC organisation code,
 * {today} yymmdd, {year} yyyy, {date} yyyymmdd.
 */
#ifndef BIENMUC_FORM_H
#define BIENMUC_FORM_H

#include <stddef.h>
#include "rec.h"
#include "util.h"

typedef struct form form;

enum form_flags {
	FORM_REQUIRED = 1,   /* must not be empty */
	FORM_REPEAT = 2,     /* the screen offers another occurrence */
	FORM_CONST = 4,      /* fixed value, not prompted */
};

struct form_elem {
	char tag[4];
	char ind1, ind2;
	char code;           /* subfield code; 0 for a control field element */
	int field;           /* index of the field this element belongs to */
	int flags;
	const char *value;   /* default or constant, placeholders unexpanded */
	const char *prompt_vi, *prompt_en, *help;
};

/* Parse a form file. NULL + err ("FILE:LINE: what is wrong") on error. */
form *form_load(const char *path, strbuf *err);
/* Parse from a string (name used in messages). */
form *form_parse(const char *text, const char *name, strbuf *err);
void form_destroy(form *f);

/* The search path for forms: $BIENMUC_FORMDIR, the user's forms
 * directory (form_user_dir), ./forms beside the binary, BM_DATADIR/forms. Finds NAME.form (or NAME.const). Returns a
 * malloc'd path or NULL. */
char *form_find(const char *name, const char *ext);
/* Names of the forms found (NULL-terminated, malloc'd array of malloc'd
 * strings; free with form_names_free). */
char **form_names(const char *ext);
void form_names_free(char **names);
/* Where "save as form" writes: $BIENMUC_FORMDIR, else
 * $XDG_DATA_HOME/bienmuc/forms, else ~/.local/share/bienmuc/forms
 * (malloc'd; NULL without HOME). Not created here. */
char *form_user_dir(void);

const char *form_id(const form *f);              /* "book" */
const char *form_title(const form *f, int vi);   /* Vietnamese or English title */
int form_is_authority(const form *f);
size_t form_nelems(const form *f);
const struct form_elem *form_elem(const form *f, size_t i);

/* Values for placeholders. */
struct form_env {
	const char *org;     /* e.g. "VN-TVNA"; NULL = "XX" */
	long long now;       /* time_t; 0 = time(NULL) */
};
/* Expand placeholders into a malloc'd string. */
char *form_expand(const char *value, const struct form_env *env);

/* Build a new record: answers[i] is the text for element i (NULL or "" =
 * empty; ignored for constants, whose value is used). Fields with no
 * non-empty prompted subfield are dropped (constants alone do not keep a
 * field). Returns 0, or -1 with err naming each required element that
 * is empty ("245 $a (Nhan đề chính) is required"). On -1 the record is
 * still built, so the screen can show it. */
int form_build(const form *f, const char *const *answers,
               const struct form_env *env, rec *out, strbuf *err);

/* Apply a constant-data set to an existing record: a control field or a
 * data field of the set that the record lacks is added (in tag order);
 * for a field the record has, subfields it lacks are appended. Existing
 * values are never overwritten. Returns the number of changes. */
int form_apply_constants(const form *cd, const struct form_env *env, rec *r);

/* Write a form file that reproduces record r as a template ("save as
 * form"): leader, control fields, and each data field with its subfields
 * as defaults. */
void form_from_record(const rec *r, const char *id, const char *title, strbuf *out);

#endif
