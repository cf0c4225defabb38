/*
 * isismap.h - turning non-MARC ISO 2709 records (CDS/ISIS exports, whose
 * tags and "^a" subfield delimiters are the library's own) into MARC21,
 * driven by a mapping file (format in bienmuc-map(5)).
 *
 * The source record is read in "raw" mode: every field is kept as one
 * string (rec_is_control() true for every field, whatever its tag), and
 * the charset firewall has already turned it into UTF-8 NFC. A source
 * field is split into subfields at '^' + code; text before the first
 * '^' is subfield '*' (the whole field when it has no delimiters).
 */
#ifndef BIENMUC_ISISMAP_H
#define BIENMUC_ISISMAP_H

#include "rec.h"
#include "util.h"

typedef struct isismap isismap;

/* Load a mapping file; NULL + err ("FILE:LINE: ...") on error. */
isismap *isismap_load(const char *path, strbuf *err);
isismap *isismap_parse(const char *text, const char *name, strbuf *err);
void isismap_destroy(isismap *m);

/* Map one raw source record into dst (cleared first). org is the
 * library's MARC code for {org} (NULL = "XX"). Returns 0, or -1 when the
 * mapping says to reject records with unmapped fields (`rest reject`) or
 * a required target is missing; err says which source field. */
int isismap_apply(const isismap *m, const rec *src, rec *dst, const char *org, strbuf *err);

#endif
