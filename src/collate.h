/*
 * collate.h - Vietnamese sort keys for the browse indexes: the ICU "vi"
 * collator, opened once per process on first use (opening it costs about
 * half a megabyte and a few milliseconds, so a catalogue that is only
 * searched never pays for it).
 */
#ifndef BIENMUC_COLLATE_H
#define BIENMUC_COLLATE_H

#include <stddef.h>
#include "util.h"

/* Append the sort key of TEXT (UTF-8) to OUT, without its terminating 0
 * byte (OUT stays 0-terminated). The look-alikes Ð/ð (U+00D0/U+00F0) sort
 * as Đ/đ; leading characters that are neither letters nor digits (quotes,
 * brackets, dashes, blanks) are skipped. Thread-safe. Returns 0, or -1 when the collator cannot be
 * opened or TEXT cannot be converted (OUT is unchanged). */
int coll_sort_key(const char *text, strbuf *out);

/* The collator's version and bienmuc's key rule ("a.b.c.d/r"): sort keys
 * made under another version must be rebuilt. Opens the collator. Returns 0, or -1. */
int coll_version(char *buf, size_t n);

/* The ICU library and Unicode versions ("icu a.b.c.d unicode a.b.c.d"),
 * known without opening the collator: while they are unchanged the
 * collator version is unchanged too. */
void coll_icu_version(char *buf, size_t n);

#endif
