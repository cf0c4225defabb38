/*
 * input.h - MARC input files as they come: a vendor's or a national
 * library's file is often compressed. gzip is read through zlib, so
 * `import vendor.mrc.gz` works as `import vendor.mrc` does; the other
 * kinds (ZIP, bzip2, xz, zstd, 7z) are recognised and refused with a
 * message that says how to unpack them, instead of being read as one
 * long bad record.
 */
#ifndef BIENMUC_INPUT_H
#define BIENMUC_INPUT_H

#include <stdio.h>
#include "util.h"

enum input_packing { IN_PLAIN = 0, IN_GZIP, IN_ZIP, IN_BZIP2, IN_XZ, IN_ZSTD, IN_7Z };

/* What buf[0, n) (the first bytes of a file) is packed as; IN_PLAIN for
 * anything else, a MARC file of any format included. */
int input_packing_of(const void *buf, size_t n);

/* A packing's name for messages, translated: "gzip-compressed", "a ZIP
 * archive", ...; "" for IN_PLAIN. */
const char *input_packing_name(int p);

/* What fp, open on an input, is packed as: its first bytes read with
 * pread() at offset 0, so fp's position and buffer are not touched.
 * IN_PLAIN for a file that is not a regular one (a pipe, standard input
 * from a pipe: read as it comes, as it is). */
int input_packing(FILE *fp);

/* fp, open on an input (nothing read from it yet, or rewound):
 *  - IN_PLAIN: fp itself;
 *  - IN_GZIP: a new stream of the decompressed bytes (fp is closed with
 *    it, unless fp is stdin: fclose the new one only; fseeko/rewind work
 *    on it, slowly);
 *    *size, when not NULL, is set to the size after decompression as
 *    the gzip trailer says (modulo 4 GiB), for progress;
 *  - other kinds: NULL, fp left open, why = "'PATH' is a ZIP archive,
 *    not a MARC file: unpack it first (unzip 'PATH')".
 * *packing (if not NULL) is set to the kind found. NULL with errno and
 * why set when zlib cannot start. */
FILE *input_unpack(FILE *fp, const char *path, int *packing, long long *size, strbuf *why);

/* The message for a stream from input_unpack whose ferror() is set:
 * "'PATH': the gzip data is damaged or ends early". */
void input_damaged(const char *path, strbuf *why);

#endif
