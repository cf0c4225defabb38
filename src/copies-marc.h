/*
 * copies-marc.h - copies in MARC records: item fields (Koha 952, MARC 852)
 * mapped to and from struct copy by a small map file (marc/koha-952.map,
 * marc/holdings-852.map; the format is described in those files and in
 * bienmuc(1) COPIES). Used by import, export and the server.
 */
#ifndef BIENMUC_COPIES_MARC_H
#define BIENMUC_COPIES_MARC_H

#include "copies.h"
#include "rec.h"

typedef struct item_map item_map;

/* Load a map file. Returns NULL with err set on a bad line. */
item_map *item_map_load(const char *path, strbuf *err);
/* The shipped map for tag "952" or "852": marc/koha-952.map or
 * marc/holdings-852.map from the definitions folder, else the same map
 * built in. NULL for another tag. */
item_map *item_map_default(const char *tag, strbuf *err);
void item_map_destroy(item_map *m);                     /* accepts NULL */
const char *item_map_tag(const item_map *m);

/* Copies described by the item fields of r (appended to *cps / *n; the
 * record id is left empty). remove: delete those fields from r. An item
 * field with no accession number gives a copy with accno "" (the caller
 * assigns one) unless the map says "require accno" (then it is not an
 * item and stays). */
void item_map_extract(const item_map *m, rec *r, int remove, struct copy **cps, size_t *n);
/* Append one item field per copy to r. */
void item_map_append(const item_map *m, rec *r, const struct copy *cps, size_t n);

/* Import: take the item fields of r for every map (NULL-terminated array)
 * into copies; if r then has no call number and a copy has one, 090 is
 * set from it. Checks that no accession number is used twice in r or is
 * already in the catalogue: returns -1 and a reason in why otherwise.
 * own: the catalogue record r replaces or merges into (or NULL): a copy
 * that is already own's (by accession number) is left out, not a clash.
 * Returns the number of copies. */
int copies_import_take(catalog *c, item_map *const *maps, rec *r, const char *own,
                       struct copy **cps, size_t *n, strbuf *why);
/* copies_import_take in two: the part that needs only the record (the
 * item fields taken into *cps / *n, 090 set; an import does it on its
 * reading thread, before the record's index work is prepared) and the
 * part that needs the catalogue (the numbers checked, own's copies left
 * out of *cps / *n; the same return value). */
void copies_import_extract(item_map *const *maps, rec *r, struct copy **cps, size_t *n);
int copies_import_check(catalog *c, const char *own, struct copy **cps, size_t *n,
                        strbuf *why);
/* Add the copies taken by copies_import_take to record id (numbers for
 * copies without one: the setting "accno.kind", else "VV"), in the
 * transaction they were checked in (a number the check found no copy
 * with, accno_free, is not looked up again), as part of import batch
 * `batch` (0: none), so undoing the batch takes them back.
 * saved: the record as the caller has just saved it as id (its leader
 * is not read back: copies_add_saved), or NULL. */
int copies_import_add(catalog *c, const char *id, const rec *saved, long batch,
                      struct copy *cps, size_t n, strbuf *err);

#endif
