/*
 * bloom.h - a Bloom filter over 32-bit hashes (bloom.c): answers "certainly
 * never added" or "maybe added". The store keeps one over the browse
 * headings and one over the match keys during a bulk load, so that the
 * many records whose headings and keys are new skip the lookup that would
 * find nothing.
 */
#ifndef BIENMUC_BLOOM_H
#define BIENMUC_BLOOM_H

#include <stddef.h>
#include <stdint.h>

typedef struct bloom bloom;

/* A filter sized for about n entries at bits_per bits each (a power of 2
 * of bits, at most max_bytes bytes: more entries than that was sized for
 * only make "maybe" more frequent). Never NULL (aborts on no memory). */
bloom *bloom_create(size_t n, unsigned bits_per, size_t max_bytes);
void bloom_destroy(bloom *b);              /* accepts NULL */

/* Add an entry with hash h (any 32-bit hash of it). */
void bloom_add(bloom *b, uint32_t h);

/* 0: no entry with hash h was added (certain); 1: one may have been
 * (entries with the same h always answer 1, and others now and then). */
int bloom_maybe(const bloom *b, uint32_t h);

/* Its size in bytes. */
size_t bloom_bytes(const bloom *b);

#endif
