/*
 * marcdef.h - MARC 21 format definitions (bibliographic and authority),
 * loaded from the human-editable text files in marc/ (format described
 * in bienmuc-marcdef(5)).
 *
 * What is defined: every tag with its name, repeatability and obsolete
 * flag; indicator values with meanings; subfield codes with names and
 * repeatability; the Leader, 006, 007 and 008 by position for each
 * material type with allowed codes; named code lists (languages,
 * countries ...). A second language for names (Vietnamese) and local
 * fields come from extra files that are loaded after ours.
 *
 * The handle is opaque. Lookups return pointers to read-only views
 * (struct md_field etc.) which stay valid until the next load call or
 * marcdef_destroy(). Lower layer: nothing is printed; load errors go to
 * the caller's strbuf as "FILE:LINE: message".
 */
#ifndef BIENMUC_MARCDEF_H
#define BIENMUC_MARCDEF_H

#include <stddef.h>
#include "util.h"

typedef struct marcdef marcdef;

enum md_format { MD_BIB = 0, MD_AUTH = 1, MD_NFORMATS };

/* One coded value: an indicator value, a fixed-field code or an entry of
 * a code list. code is NUL-terminated; a blank is a real ' '. */
typedef struct md_code {
	const char *code;
	const char *name;
	const char *name_local;   /* second-language name, or NULL */
	int obsolete;
} md_code;

typedef struct md_indicator {
	const char *name;         /* "Nonfiling characters"; NULL if not given */
	int undefined;            /* 1: only blank is allowed */
	size_t ncodes;
	const md_code *codes;     /* allowed values ('#' in files = ' ') */
	const char *name_local;   /* second-language name ("ind1 name" under
	                           * "lang vi"), or NULL */
} md_indicator;

typedef struct md_subfield {
	char code;
	int repeatable;
	int obsolete;
	const char *name;
	const char *name_local;
} md_subfield;

typedef struct md_field {
	char tag[4];
	int repeatable;
	int obsolete;
	int control;              /* 00X: no indicators/subfields */
	int local;                /* defined by a file other than ours */
	const char *name;
	const char *name_local;
	md_indicator ind[2];
	size_t nsubs;
	const md_subfield *subs;
} md_field;

/* Kinds of fixed-field positions. */
enum md_pos_kind {
	MDP_CODE,     /* the whole position is one of the codes */
	MDP_EACH,     /* each character is one of the codes (blanks after) */
	MDP_LIST,     /* a value of the code list `list` (blank-padded) */
	MDP_NUM,      /* digits, or one of the codes */
	MDP_DATE,     /* digits, 'u', or one of the codes */
	MDP_TEXT,     /* anything */
};

typedef struct md_pos {
	int start;                /* 0-based first character */
	int len;
	int kind;                 /* enum md_pos_kind */
	int obsolete;
	const char *name;
	const char *name_local;
	const char *list;         /* MDP_LIST: code list name */
	size_t ncodes;
	const md_code *codes;
} md_pos;

/* One block of positions: LDR, 008 "all" or 008 for a material type, 006
 * for a material type, 007 for a category of material. */
typedef struct md_fixed {
	char tag[4];              /* "LDR", "006", "007", "008" */
	char type[4];             /* "all", "BK" ..., or the 007/00 letter */
	const char *name;
	size_t npos;
	const md_pos *pos;
	const char *name_local;   /* second-language name, or NULL */
} md_fixed;

typedef struct md_codelist {
	const char *name;         /* "lang", "country" ... */
	const char *title;
	size_t ncodes;
	const md_code *codes;     /* sorted by code */
} md_codelist;

/* ---- life cycle ---- */
marcdef *marcdef_create(void);
void marcdef_destroy(marcdef *md);       /* accepts NULL */

/* Load every file of a definitions directory: first the files named
 * marc21-*.def (ours), then every other *.def (local additions and
 * second-language names), each group in name order. Returns 0 or -1
 * (err says which file and line). */
int marcdef_load_dir(marcdef *md, const char *dir, strbuf *err);
/* Load one more file (same syntax). */
int marcdef_load_file(marcdef *md, const char *path, strbuf *err);
/* Load definitions from memory; name is used in messages. */
int marcdef_load_text(marcdef *md, const char *name, const char *text,
                      size_t len, strbuf *err);

/* The definitions directory: $BIENMUC_MARCDIR, else ./marc next to the
 * running binary (or its parent directory, for build trees), else
 * BM_DATADIR "/marc". Returns a malloc'd path (caller frees) or NULL. */
char *marcdef_find_dir(void);
/* Create and load from marcdef_find_dir(); NULL and err on failure. */
marcdef *marcdef_open_default(strbuf *err);

/* ---- lookups ---- */
/* Field definition by tag ("245", "LDR" is not a field), or NULL. */
const md_field *marcdef_field(const marcdef *md, int fmt, const char *tag);
/* All fields of a format in tag order. */
size_t marcdef_nfields(const marcdef *md, int fmt);
const md_field *marcdef_field_at(const marcdef *md, int fmt, size_t i);
const md_subfield *marcdef_subfield(const md_field *f, char code);
/* The indicator value, or NULL if not allowed (undefined indicators
 * allow only ' '). n = 1 or 2. */
const md_code *marcdef_ind_value(const md_field *f, int n, char c);

/* Material type of a bibliographic record from Leader/06-07: "BK",
 * "CR", "MU", "MP", "VM", "CF", "MX", or NULL if Leader/06 is not a
 * bibliographic type. For MD_AUTH always "all". */
const char *marcdef_material(const marcdef *md, int fmt, const char *leader);
/* Material type for an 006 whose first character is c, or NULL. */
const char *marcdef_material_006(const marcdef *md, char c);
/* Name of a material type ("Books"), or NULL. */
const char *marcdef_material_name(const marcdef *md, const char *type);
/* Its second-language name ("Sách", from a "material BK Sách" line
 * under a second language), or NULL. */
const char *marcdef_material_name_local(const marcdef *md, const char *type);

/* A block of fixed-field positions, or NULL. */
const md_fixed *marcdef_fixed(const marcdef *md, int fmt, const char *tag,
                              const char *type);
/* The positions that apply to a fixed field, in order: tag "LDR", "006",
 * "007" or "008"; leader is the record's leader (for 008), data the
 * field's data (for 006/007: the first character selects the block).
 * Writes up to max pointers into out; returns how many apply (which may
 * exceed max), 0 if the material cannot be resolved. */
size_t marcdef_positions(const marcdef *md, int fmt, const char *tag,
                         const char *leader, const char *data,
                         const md_pos **out, size_t max);
/* Code of a position matching the characters at p (pos->len bytes; for
 * MDP_EACH the one character at p), or NULL. */
const md_code *marcdef_pos_code(const md_pos *pos, const char *p);
/* 1 if the len characters at p are a valid value for pos (code lists
 * are looked up in md). Fill characters '|' are always valid. */
int marcdef_pos_valid(const marcdef *md, const md_pos *pos, const char *p);

/* Code lists. */
const md_codelist *marcdef_codelist(const marcdef *md, const char *name);
/* Entry for code (trailing blanks ignored), or NULL. */
const md_code *marcdef_code(const marcdef *md, const char *list, const char *code);
size_t marcdef_ncodelists(const marcdef *md);
const md_codelist *marcdef_codelist_at(const marcdef *md, size_t i);

/* Prefer second-language names (the "lang" of the overlay files) when
 * they exist: returns name_local if set and local is on, else name. */
const char *marcdef_name(const char *name, const char *name_local, int local);

#endif
