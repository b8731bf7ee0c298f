#include "wd/fingerprint.h"

#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "wd/text.h"

/* Keys are computed into a stack buffer when they fit, the heap otherwise,
 * so ordinary stories cost no allocation. */
#define KEY_STACK 4096

static char *
key_of(const char *s, size_t n, char *stack, size_t *klen)
{
    size_t cap = n * 2 + 1; /* folding may widen a few code points */
    char *buf = cap <= KEY_STACK ? stack : malloc(cap);
    if (!buf) {
        /* Out of memory: fall back to the stack buffer, which cuts the key
         * on a word boundary; ids stay well-defined, if coarser. */
        buf = stack;
        cap = KEY_STACK;
    }
    *klen = wd_text_key(s, n, buf, cap);
    return buf;
}

static void
key_done(char *key, char *stack)
{
    if (key != stack)
        free(key);
}

void
wd_fp_story_id(const char *title, size_t tlen, const char *body, size_t blen,
               char id[WD_ID_LEN + 1])
{
    char stack[KEY_STACK];
    XXH3_state_t st;
    XXH3_128bits_reset(&st);

    size_t klen;
    char *key = key_of(title, tlen, stack, &klen);
    XXH3_128bits_update(&st, key, klen);
    key_done(key, stack);
    XXH3_128bits_update(&st, "\x1f", 1);

    /* The lead: the first WD_ID_LEAD_WORDS words of the body's key. */
    size_t lead_bytes = blen < 1024 ? blen : 1024;
    key = key_of(body, lead_bytes, stack, &klen);
    size_t words = 0, cut = klen;
    for (size_t i = 0; i < klen; i++) {
        if (key[i] == ' ' && ++words == WD_ID_LEAD_WORDS) {
            cut = i;
            break;
        }
    }
    /* A cut that may have split the last word of a 1 KiB lead is dropped. */
    if (words < WD_ID_LEAD_WORDS && lead_bytes < blen) {
        while (cut > 0 && key[cut - 1] != ' ')
            cut--;
    }
    XXH3_128bits_update(&st, key, cut);
    key_done(key, stack);

    XXH128_hash_t h = XXH3_128bits_digest(&st);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        uint64_t part = i < 8 ? h.high64 : h.low64;
        unsigned byte = (unsigned)(part >> (56 - 8 * (i % 8))) & 0xff;
        id[2 * i] = hex[byte >> 4];
        id[2 * i + 1] = hex[byte & 15];
    }
    id[WD_ID_LEN] = '\0';
}

uint64_t
wd_fp_content_key(const char *title, size_t tlen, const char *body, size_t blen)
{
    char stack[KEY_STACK];
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    size_t klen;
    char *key = key_of(title, tlen, stack, &klen);
    XXH3_64bits_update(&st, key, klen);
    key_done(key, stack);
    XXH3_64bits_update(&st, "\x1f", 1);
    key = key_of(body, blen, stack, &klen);
    XXH3_64bits_update(&st, key, klen);
    key_done(key, stack);
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1; /* 0 marks an empty slot in the dedup tables */
}

uint64_t
wd_fp_simhash(const char *text, size_t n)
{
    char stack[KEY_STACK];
    size_t klen;
    char *key = key_of(text, n, stack, &klen);

    /* Word starts, for shingles of three consecutive words. */
    int32_t acc[64] = {0};
    size_t starts[3] = {0, 0, 0};
    size_t nwords = 0, i = 0;
    while (i <= klen) {
        size_t start = i;
        while (i < klen && key[i] != ' ')
            i++;
        if (i > start) {
            starts[nwords % 3] = start;
            nwords++;
            if (nwords >= 3) {
                size_t s0 = starts[(nwords - 3) % 3];
                uint64_t h = XXH3_64bits(key + s0, i - s0);
                for (int b = 0; b < 64; b++)
                    acc[b] += (h >> b) & 1 ? 1 : -1;
            }
        }
        i++;
    }
    if (nwords > 0 && nwords < 3) {
        /* Too short for shingles: hash the words themselves. */
        uint64_t h = XXH3_64bits(key, klen);
        for (int b = 0; b < 64; b++)
            acc[b] += (h >> b) & 1 ? 1 : -1;
    }
    key_done(key, stack);
    uint64_t out = 0;
    for (int b = 0; b < 64; b++)
        if (acc[b] > 0)
            out |= (uint64_t)1 << b;
    return out;
}

/* A cheap family of hash functions over one 64-bit shingle hash: multiply
 * by an odd constant and mix (the permutations of MinHash need only be
 * min-wise independent enough for the estimate, not cryptographic). */
static uint64_t
permute(uint64_t h, uint64_t k)
{
    h ^= k;
    h *= 0x9E3779B97F4A7C15ULL | 1;
    h ^= h >> 32;
    h *= k | 1;
    h ^= h >> 29;
    return h;
}

size_t
wd_fp_minhash_bands(const char *text, size_t n, uint64_t bands[WD_MH_BANDS])
{
    enum { K = WD_MH_BANDS * WD_MH_ROWS };
    static uint64_t seeds[K];
    static int seeded;
    if (!seeded) {
        /* Fixed seeds: bands must be the same on every worker and run. */
        uint64_t x = 0x2545F4914F6CDD1DULL;
        for (int i = 0; i < K; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            seeds[i] = x;
        }
        seeded = 1;
    }
    uint64_t mins[K];
    for (int i = 0; i < K; i++)
        mins[i] = UINT64_MAX;

    char stack[KEY_STACK];
    size_t klen;
    char *key = key_of(text, n, stack, &klen);
    size_t starts[3] = {0, 0, 0}, nwords = 0, shingles = 0, i = 0;
    while (i <= klen) {
        size_t start = i;
        while (i < klen && key[i] != ' ')
            i++;
        if (i > start) {
            starts[nwords % 3] = start;
            nwords++;
            /* Texts of one or two words use the words themselves. */
            size_t s0 = nwords >= 3 ? starts[(nwords - 3) % 3] : start;
            if (nwords >= 3 || i == klen) {
                uint64_t h = XXH3_64bits(key + s0, i - s0);
                for (int k = 0; k < K; k++) {
                    uint64_t v = permute(h, seeds[k]);
                    if (v < mins[k])
                        mins[k] = v;
                }
                shingles += nwords >= 3;
            }
        }
        i++;
    }
    key_done(key, stack);
    for (int b = 0; b < WD_MH_BANDS; b++)
        bands[b] = XXH3_64bits_withSeed(
            &mins[b * WD_MH_ROWS], WD_MH_ROWS * sizeof mins[0], (uint64_t)b);
    return shingles;
}

int
wd_fp_hamming(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
