/* fuzz-json.c - libFuzzer target for the MARC-in-JSON codec (src/json.c);
 * the checks are in fuzz-codec.h. Every rejection carries raw bytes. */
#define FUZZ_NAME "fuzz-json"
#define FUZZ_FORMAT MF_JSON
#define FUZZ_NORAW NULL
#include "fuzz-codec.h"
