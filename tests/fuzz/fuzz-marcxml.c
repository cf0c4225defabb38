/* fuzz-marcxml.c - libFuzzer target for the MARCXML codec (src/marcxml.c);
 * the checks are in fuzz-codec.h. A file with no <record> at all is one
 * rejection with no raw bytes. */
#define FUZZ_NAME "fuzz-marcxml"
#define FUZZ_FORMAT MF_MARCXML
#define FUZZ_NORAW "no MARCXML record found"
#include "fuzz-codec.h"
