/*
 * auth.h - authority control: heading keys, linking bibliographic
 * headings to authority records, and keeping linked headings right when
 * an authority changes (rename, merge, delete).
 *
 * Authority records (Leader/06 'z') live in the same catalogue as the
 * bibliographic ones. The heading index (store-auth.c) holds, for every
 * authority 1XX (authorised), 4XX (see from) and 5XX (see also), per
 * heading type, four keys built here:
 *
 *   matching key  NFC, case folded, spacing collapsed, ISBD punctuation at
 *                 the ends of each subfield trimmed, heading subfields in
 *                 code order (the order of repeated codes kept), relators
 *                 ($e $4), $0, $2 and subdivisions ($v $x $y $z) left out.
 *                 Tone marks are KEPT: "Nguyễn Du" != "Nguyên Du".
 *   order key     the matching key with the Vietnamese inverted order made
 *                 direct. Rule: a personal name whose $a is "X, Y" where X
 *                 is ONE word found in the list of Vietnamese family names
 *                 (with its tones: nguyễn, trần, lê, phạm ... not "le" or
 *                 "nguyen") and Y holds no further comma is the same name
 *                 as "X Y". Any other inverted name ("Hemingway, Ernest",
 *                 "Kim, Dae-jung", "Le, Anh") keeps its comma, so foreign
 *                 names are never conflated with a direct-order form.
 *   search key    the order key with tones, đ and case folded (fold_search):
 *                 only for finding candidates, never for linking.
 *   date-less key the order key without $d (personal names whose heading
 *                 has $d): "Tô Hoài" finds "Tô Hoài, 1920-2014".
 *
 * $0 written into a linked bib heading: "(ORG)ID", the authority record's
 * 003 and 001 in this catalogue (e.g. "(VN-BIENMUC)bm00000012"). When
 * reading a $0, any identifier of the authority is accepted: its 001,
 * "(003)001", any 035 $a (the source's control number, e.g.
 * "(VN-TVQG)TVQGA000101", kept by import) and 010 $a.
 */
#ifndef BIENMUC_AUTH_H
#define BIENMUC_AUTH_H

#include <stddef.h>
#include "rec.h"
#include "util.h"
#include "catalog.h"

enum auth_type {
	AT_PERSON = 0,   /* X00 */
	AT_CORP,         /* X10 */
	AT_MEETING,      /* X11 */
	AT_UNIFORM,      /* X30 */
	AT_TOPICAL,      /* 650 / 150 */
	AT_GEO,          /* 651 / 151 */
	AT_GENRE,        /* 655 / 155 */
	AT_COUNT
};

/* "person", "corporate", "meeting", "title", "topical", "geographic",
 * "genre"; parse returns -1 for an unknown name. */
const char *auth_type_name(int type);
int auth_type_parse(const char *name);

/* Kind of an authority heading. */
enum { AK_AUTH = 1, AK_SEEFROM = 4, AK_SEEALSO = 5 };

/* 1 if r is an authority record (Leader/06 'z'). */
int auth_is_authority(const rec *r);

/* Heading type of a bibliographic heading tag (1XX, 6XX, 7XX, 8XX:
 * 100 110 111 130 600 610 611 630 650 651 655 700 710 711 730 800 810
 * 811 830), or -1. */
int auth_bib_type(const char *tag);
/* Heading type of an authority heading tag (1XX, 4XX, 5XX) and its kind
 * (AK_*) in *kind; -1 if the tag is not a heading of a known type. */
int auth_auth_type(const char *tag, int *kind);

/* The keys of heading field f of r (bib or authority) of type `type`. */
struct auth_keys {
	char *display;   /* heading subfields joined by one blank, ISBD end
	                    punctuation removed: "Nguyễn Du 1765-1820" */
	char *mkey;      /* matching key */
	char *okey;      /* order key */
	char *skey;      /* search key */
	char *dkey;      /* date-less key, NULL unless a personal name with $d */
	int has_date;    /* the heading has $d */
};
/* Returns 0, or -1 if the field holds no heading (no heading subfield,
 * or a name/title heading with $t, which is not controlled here). */
int auth_field_keys(const rec *r, size_t f, int type, struct auth_keys *k);
void auth_keys_release(struct auth_keys *k);
/* Keys of a heading typed as text (the lookup): "$aNam Cao,$d1915-1951"
 * (subfield form) or plain text taken as $a. */
int auth_text_keys(const char *text, int type, struct auth_keys *k);
/* 1 if the one-word family name w (lowercase, NFC, tones kept) is on the
 * Vietnamese family-name list. */
int auth_vi_surname(const char *w, size_t n);

/* "(ORG)ID" for authority record r (001 alone if it has no 003). malloc'd. */
char *auth_control_number(const rec *r);

/* ------------------------------------------------------------------ */
/* Looking up headings (sqlite catalogues only; others: CAT_UNSUPPORTED). */

struct auth_hit {
	char *id;            /* authority record id (001) */
	char *ctl;           /* its $0 value, "(ORG)ID" */
	int type, kind;      /* AT_*, AK_* */
	char tag[4];         /* "100", "400", "551" ... */
	char *heading;       /* this heading (display form) */
	char *auth_heading;  /* the record's authorised (1XX) heading */
};
void auth_hits_free(struct auth_hit *h, size_t n);

/* Which key auth_find compares. */
enum { AKEY_MATCH, AKEY_ORDER, AKEY_SEARCH, AKEY_NODATE, AKEY_SEARCH_PREFIX };

/* Headings of type `type` (-1 = any) whose key equals `key` (or, for
 * AKEY_SEARCH_PREFIX, starts with it), limited to the kinds in
 * kinds_mask (bit 1<<AK_*; 0 = all). At most `max` hits (0 = 500). */
int auth_find(catalog *c, int type, int keycol, const char *key, int kinds_mask,
              size_t max, struct auth_hit **h, size_t *n, strbuf *err);
/* n headings (all kinds) in Vietnamese collation from the first one >=
 * `from`; type -1 = every type. *before (may be NULL) = how many of the
 * returned hits sort before `from` (the list is positioned so that a few
 * earlier headings show above the typed one: `back` of them). */
int auth_browse(catalog *c, int type, const char *from, size_t back, size_t n,
                struct auth_hit **h, size_t *nh, size_t *before, strbuf *err);
/* The authority record id a $0 value names, or NULL (malloc'd). */
char *auth_resolve(catalog *c, const char *ctl);
/* Ids of the records (bib or authority) whose headings link ($0) to
 * authority `auth_id`, in id order. */
int auth_users(catalog *c, const char *auth_id, char ***ids, size_t *n, strbuf *err);
/* How many records link to authority `auth_id` (0 also when it cannot
 * be told, e.g. over Z39.50): what a plain delete must refuse. */
size_t auth_user_count(catalog *c, const char *auth_id);

/* ------------------------------------------------------------------ */
/* Linking */

enum auth_status {
	AS_AUTHORIZED = 0,   /* equals an authorised heading: $0 set */
	AS_SEEFROM,          /* equals a see-from (or the inverted Vietnamese
	                        form of a name): replaced by the authorised form */
	AS_AMBIGUOUS,        /* equals headings of several authorities: not linked */
	AS_NEAR_TONES,       /* equal only once tones/đ/case are folded: not linked */
	AS_NEAR_DATES,       /* equal to a name with $d, the heading has none: not linked */
	AS_NONE,             /* no authority */
	AS_COUNT
};
/* "authorized", "see-from", "ambiguous", "near-miss (tones/đ/case)",
 * "near-miss (dates)", "no authority" (the words of auth-links.tsv). */
const char *auth_status_name(int st);

struct auth_finding {
	size_t field;        /* index of the field in the record (after changes) */
	char tag[4];
	int status;          /* enum auth_status */
	char *heading;       /* the heading as it was (display form) */
	char *auth_id;       /* the authority (linked, or the one candidate) */
	char *auth_heading;  /* its authorised form */
	char *ctl;           /* $0 written (authorized / see-from) */
	char *candidates;    /* ambiguous / near: "ID heading; ID heading" */
	int changed;         /* the field was changed (see-from flip, $0 added) */
};
struct auth_linkres {
	struct auth_finding *v;
	size_t n, cap;
	int changed;         /* some field changed */
};
void auth_linkres_release(struct auth_linkres *res);

typedef struct auth_linker auth_linker;
/* A linker caches lookups for one run; c must outlive it. */
auth_linker *auth_linker_create(catalog *c);
void auth_linker_destroy(auth_linker *L);           /* accepts NULL */
/* Forget cached lookups (after authority records were saved). */
void auth_linker_flush(auth_linker *L);
/* Check every heading of bib record r (authority records: their 5XX).
 * apply: add $0 to authorised headings and replace see-from forms with
 * the authorised form (other subfields, $e, subdivisions, $2 kept).
 * Findings are appended to res (one per heading). Returns 0 or a
 * cat_status with err set. */
int auth_link_record(auth_linker *L, rec *r, int apply, struct auth_linkres *res,
                     strbuf *err);

/* Rewrite heading field f of r with the authorised heading of authority
 * record a (its 1XX subfields, indicator 1 for names, $0 = ctl); other
 * subfields of f are kept. For the lookup and for propagation. */
void auth_apply_heading(rec *r, size_t f, const rec *a, const char *ctl);

/* A new authority record (not saved) for heading field f (of type t, AT_*)
 * of bibliographic record r: the field's heading subfields in the 1XX
 * (subdivisions, $0 and the like left out), 008 with today's date, the
 * heading's thesaurus (650/651/655: second indicator, 7 = "z" with the $2
 * code in 040 $f; otherwise "|") and its uses (a topical, geographic or
 * genre heading is for subjects only), 040 $a/$c org and $b vie, and a 670
 * citing r (title and year). NULL, with err, when the field has no heading. */
rec *auth_new_from_heading(const rec *r, size_t f, int t, const char *org, strbuf *err);

/* A lint_heading_fn (lint.h) over a linker: pass the auth_linker as arg.
 * Returns the LINT_HEADING_* code of heading field f (0 = nothing to say). */
int auth_lint_heading(void *linker, const rec *r, size_t f, strbuf *msg);

/* ------------------------------------------------------------------ */
/* Heading changes (one transaction each; every record saved is journaled
 * with action "auth" in one import batch, so `bienmuc batch undo N` takes
 * the whole change back). */

struct auth_change {
	long batch;          /* the batch (0 with dry_run) */
	long records;        /* bib records changed (or that would be) */
	long fields;         /* heading fields changed */
};

/* Records that would change if authority `id` were propagated: every
 * record linked to it whose heading differs from its current 1XX. */
/* Bring every heading linked to authority `id` to its current 1XX (after
 * the authority was edited); the 1XX of the version before, if the edit
 * changed it, is kept as a 4XX see-from unless no_seefrom. */
int auth_propagate(catalog *c, const char *id, int no_seefrom, int dry_run, const char *command,
                   struct auth_change *out, strbuf *err);
/* Set authority `id`'s 1XX to the subfields of `heading` (subfield form
 * "$aX,$dY" or plain $a text), keep the old form as a 4XX see-from
 * (unless no_seefrom), and propagate. */
int auth_rename(catalog *c, const char *id, const char *heading, int no_seefrom,
                int dry_run, const char *command, struct auth_change *out, strbuf *err);
/* Merge authority `from` into `into`: records linked to `from` are
 * relinked to `into` (headings rewritten), `from`'s 1XX and 4XX become
 * 4XX of `into` (unless no_seefrom), and `from` is deleted. */
int auth_merge(catalog *c, const char *into, const char *from, int no_seefrom,
               int dry_run, const char *command, struct auth_change *out, strbuf *err);
/* Unlink every heading linked to `id` ($0 removed, text kept) and
 * delete it. (Delete without users is plain catalog_delete.) */
int auth_unlink_delete(catalog *c, const char *id, int dry_run, const char *command,
                       struct auth_change *out, strbuf *err);

/* Parse "$aX,$dY" (or plain text = $a) into a field of r with tag and
 * indicators; returns the field index. */
size_t auth_parse_heading(rec *r, const char *tag, char ind1, char ind2, const char *text);

#endif
