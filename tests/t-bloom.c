/*
 * t-bloom.c - the Bloom filter (src/bloom.c): what was added always
 * answers "maybe"; what was not mostly answers "no", at about the rate its
 * size promises; the size stays within its limit.
 */
#include "harness.h"
#include "bloom.h"
#include <stdio.h>
#include "util.h"

static uint32_t h_of(unsigned i)
{
	char k[32];
	int n = snprintf(k, sizeof k, "isbn:978604%07u", i);
	return fnv1a(FNV1A_SEED, k, (size_t)n);
}

int main(void)
{
	bloom *b = bloom_create(100000, 10, 1 << 20);
	CHECK(bloom_bytes(b) >= 100000 * 10 / 8 && bloom_bytes(b) <= (1 << 20));
	CHECK(!bloom_maybe(b, h_of(1)));               /* empty: nothing maybe */
	for (unsigned i = 0; i < 100000; i++)
		bloom_add(b, h_of(i));
	int all = 1;
	for (unsigned i = 0; i < 100000; i++)
		all &= bloom_maybe(b, h_of(i));
	CHECK(all);                                     /* no false "no" */
	unsigned fp = 0;
	for (unsigned i = 100000; i < 200000; i++)
		fp += (unsigned)bloom_maybe(b, h_of(i));
	/* 3 bits in 64-byte blocks at 10+ bits an entry: a few percent */
	CHECK(fp < 6000);
	bloom_destroy(b);
	/* capped: overfull gives more "maybe", never a false "no" */
	b = bloom_create(1000000, 10, 4096);
	CHECK(bloom_bytes(b) == 4096);
	for (unsigned i = 0; i < 20000; i++)
		bloom_add(b, h_of(i));
	all = 1;
	for (unsigned i = 0; i < 20000; i++)
		all &= bloom_maybe(b, h_of(i));
	CHECK(all);
	bloom_destroy(b);
	bloom_destroy(NULL);
	/* a tiny one still works */
	b = bloom_create(0, 0, 0);
	CHECK(bloom_bytes(b) == 64);
	bloom_add(b, 42);
	CHECK(bloom_maybe(b, 42));
	bloom_destroy(b);
	DONE();
}
