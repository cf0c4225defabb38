/*
 * rec.h - the one in-memory MARC record used by every layer of bienmuc.
 *
 * A record is a 24-byte leader and an ordered list of fields. A field is
 * either a control field (tag 001-009: one data string) or a data field
 * (two indicators and an ordered list of subfields, each a one-byte code
 * and a value). Text inside the program is UTF-8 NFC; the codecs and the
 * charset firewall (charset.h) guarantee that for everything they read.
 *
 * Fields and subfields are addressed by index (0-based, in record order).
 * Indexes of later fields shift when a field is inserted or deleted.
 *
 * Ownership: the record owns all its strings; pointers returned by the
 * getters stay valid until the record is changed, cleared or destroyed.
 * Every setter copies its input. Strings are stored NUL-terminated with
 * their length; MARC values never contain NUL.
 */
#ifndef BIENMUC_REC_H
#define BIENMUC_REC_H

#include <stddef.h>
#include <stdint.h>

typedef struct rec rec;

#define REC_LEADER_LEN 24

rec *rec_create(void);
void rec_destroy(rec *r);                 /* accepts NULL */
/* Remove every field and reset the leader to 24 blanks (memory is kept,
 * so a reader can reuse one record for a whole file). */
void rec_clear(rec *r);
/* A deep copy. */
rec *rec_clone(const rec *r);
/* Replace dst's content with a copy of src. */
void rec_copy(rec *dst, const rec *src);

/* ---- leader ---- */
/* Always 24 bytes, NUL-terminated. */
const char *rec_leader(const rec *r);
/* Copies up to 24 bytes of ldr; a shorter string is padded with blanks. */
void rec_set_leader(rec *r, const char *ldr, size_t len);
void rec_set_leader_at(rec *r, int pos, char c);

/* ---- reading fields ---- */
size_t rec_nfields(const rec *r);
/* Tag as a 3-byte NUL-terminated string (may be non-digits in bad data). */
const char *rec_tag(const rec *r, size_t f);
/* 1 for a control field (a field with no indicators/subfields). */
int rec_is_control(const rec *r, size_t f);
/* Control field data (NULL for a data field); *len may be NULL. */
const char *rec_data(const rec *r, size_t f, size_t *len);
/* Indicator 1 or 2 (n = 1 or 2) of a data field; ' ' for control fields. */
char rec_ind(const rec *r, size_t f, int n);
size_t rec_nsub(const rec *r, size_t f);
char rec_sub_code(const rec *r, size_t f, size_t s);
const char *rec_sub_value(const rec *r, size_t f, size_t s, size_t *len);

/* Index of the first field with tag at or after index `from`, or -1.
 * tag may use '.' as a wildcard per position ("6..", "1.0"). */
long rec_find(const rec *r, const char *tag, size_t from);
/* Index of the first subfield with code in field f, or -1. */
long rec_find_sub(const rec *r, size_t f, char code);
/* Value of the first $code of the first field with tag, or NULL. */
const char *rec_get(const rec *r, const char *tag, char code);
/* Control data of the first field with tag, or NULL. */
const char *rec_get_control(const rec *r, const char *tag);

/* True if tag names a control field (001-009, "00X"); "LDR" is not. */
int rec_tag_is_control(const char *tag);

/* ---- changing fields ---- */
/* Append a control field; returns its index. */
size_t rec_add_control(rec *r, const char *tag, const char *data, size_t len);
/* Append a data field with no subfields; returns its index. */
size_t rec_add_field(rec *r, const char *tag, char ind1, char ind2);
/* Insert before index at (at == nfields appends); returns at. */
size_t rec_insert_control(rec *r, size_t at, const char *tag, const char *data, size_t len);
size_t rec_insert_field(rec *r, size_t at, const char *tag, char ind1, char ind2);
/* Copy field f of src into r before index at; returns at. */
size_t rec_insert_copy(rec *r, size_t at, const rec *src, size_t f);
void rec_delete_field(rec *r, size_t f);
/* Move field from index `from` so that it ends up at index `to`. */
void rec_move_field(rec *r, size_t from, size_t to);
void rec_set_tag(rec *r, size_t f, const char *tag);
void rec_set_ind(rec *r, size_t f, char ind1, char ind2);
void rec_set_data(rec *r, size_t f, const char *data, size_t len);

/* Append a subfield to data field f; returns the subfield index. */
size_t rec_add_sub(rec *r, size_t f, char code, const char *val, size_t len);
size_t rec_insert_sub(rec *r, size_t f, size_t at, char code, const char *val, size_t len);
void rec_delete_sub(rec *r, size_t f, size_t s);
void rec_move_sub(rec *r, size_t f, size_t from, size_t to);
void rec_set_sub(rec *r, size_t f, size_t s, char code, const char *val, size_t len);

/* Convenience: the first $a..$z text of field f joined with spaces,
 * written into a malloc'd string (caller frees). `codes` NULL = all. */
char *rec_field_text(const rec *r, size_t f, const char *codes);

/* ---- comparing ---- */
/* 0 if equal field by field (tags, indicators, subfield codes and values,
 * control data, and leader positions 5-11 and 17-23; the computed
 * positions 0-4 and 12-16 are ignored). Otherwise nonzero, and if diff is
 * not NULL a human-readable description of the first difference is
 * written there (at most n bytes, NUL-terminated). */
int rec_compare(const rec *a, const rec *b, char *diff, size_t n);

/* A number that changes with every edit of r (each function above that
 * takes a non-const rec, rec_clear included) and that no other rec of the
 * process has had: work done ahead on r (catalog_prepare) is still good
 * while r's stamp is the one it was done at (nothing is read but the
 * number; hashing the whole record again was 2% of an import). */
uint64_t rec_stamp(const rec *r);

/* Sort fields into tag order, stable (control fields first). */
void rec_sort_fields(rec *r);

/* Approximate number of bytes the record occupies as ISO 2709. */
size_t rec_iso2709_size(const rec *r);

#endif
