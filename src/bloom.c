/*
 * bloom.c - a Bloom filter over 32-bit hashes (see bloom.h): three bits an
 * entry, at positions made from the hash by double hashing, in one 64-byte
 * block (one cache line a lookup; "blocked" Bloom filter).
 */
#include <stdlib.h>

#include "bloom.h"
#include "util.h"

struct bloom {
	uint64_t *w;               /* the bits, in blocks of 8 words (512 bits) */
	size_t nblocks;            /* a power of 2 */
};

#define BLOCK_WORDS 8

bloom *bloom_create(size_t n, unsigned bits_per, size_t max_bytes)
{
	bloom *b = xcalloc(1, sizeof *b);
	size_t want = (n ? n : 1) * (bits_per ? bits_per : 8) / 512 + 1, max = max_bytes / 64;
	b->nblocks = 1;
	while (b->nblocks < want && b->nblocks * 2 <= (max ? max : 1))
		b->nblocks *= 2;
	b->w = xcalloc(b->nblocks * BLOCK_WORDS, sizeof *b->w);
	return b;
}

void bloom_destroy(bloom *b)
{
	if (!b)
		return;
	free(b->w);
	free(b);
}

/* The block of h, and the three bit numbers (0-511) in it. */
static uint64_t *place(const bloom *b, uint32_t h, unsigned bit[3])
{
	uint32_t x = h * 0x9E3779B1u;              /* a second, mixed hash */
	x ^= x >> 15;
	uint32_t step = (x >> 9) | 1;
	for (int i = 0; i < 3; i++)
		bit[i] = (x + (uint32_t)i * step) & 511;
	/* the block from the high bits of a differently mixed h, so that the
	 * bits within the block stay independent of which block */
	uint32_t y = (h ^ (h >> 16)) * 0x85EBCA6Bu;
	y ^= y >> 13;
	return b->w + (size_t)(y & (uint32_t)(b->nblocks - 1)) * BLOCK_WORDS;
}

void bloom_add(bloom *b, uint32_t h)
{
	unsigned bit[3];
	uint64_t *blk = place(b, h, bit);
	for (int i = 0; i < 3; i++)
		blk[bit[i] >> 6] |= (uint64_t)1 << (bit[i] & 63);
}

int bloom_maybe(const bloom *b, uint32_t h)
{
	unsigned bit[3];
	const uint64_t *blk = place(b, h, bit);
	for (int i = 0; i < 3; i++)
		if (!(blk[bit[i] >> 6] & (uint64_t)1 << (bit[i] & 63)))
			return 0;
	return 1;
}

size_t bloom_bytes(const bloom *b)
{
	return b->nblocks * BLOCK_WORDS * sizeof *b->w;
}
