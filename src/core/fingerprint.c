#include "wd/fingerprint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
/* XXH3 inlined (the header's own implementation, the library's values):
 * a hash a shingle, a word or a term, short inputs where the call into
 * libxxhash cost as much as the hash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "wd/text.h"

/* MinHash's permutations with AVX-512 beside the portable loop, chosen at
 * run time (-DWD_FP_DISPATCH=0: the portable one only). */
#ifndef WD_FP_DISPATCH
#if defined(__x86_64__) && defined(__GNUC__)
#define WD_FP_DISPATCH 1
#else
#define WD_FP_DISPATCH 0
#endif
#endif
#if WD_FP_DISPATCH
#include <immintrin.h>
#include <stdbool.h>
#endif

/* Every fingerprint is computed over matching keys (wd_text_key): the
 * case-folded words of the text. A key is computed into a stack buffer when
 * it fits, the heap otherwise; wd_fp_story() computes the title's and the
 * body's keys once for all four fingerprints. */
#define KEY_STACK 4096

struct key {
    char *p;
    size_t len;
    char stack[KEY_STACK];
};

static void
key_make(struct key *k, const char *s, size_t n)
{
    size_t cap = n * 2 + 1; /* folding may widen a few code points */
    k->p = cap <= KEY_STACK ? k->stack : malloc(cap);
    if (!k->p) {
        /* Out of memory: the stack buffer cuts the key on a word boundary;
         * fingerprints stay well-defined, if coarser. */
        k->p = k->stack;
        cap = KEY_STACK;
    }
    k->len = wd_text_key(s, n, k->p, cap);
}

static void
key_drop(struct key *k)
{
    if (k->p != k->stack)
        free(k->p);
    k->p = NULL;
}

static void
id_of_keys(const struct key *t, const struct key *b, char id[WD_ID_LEN + 1])
{
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, t->p, t->len);
    XXH3_128bits_update(&st, "\x1f", 1);
    /* The lead: the first WD_ID_LEAD_WORDS words of the body's key. */
    size_t words = 0, cut = b->len;
    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] == ' ' && ++words == WD_ID_LEAD_WORDS) {
            cut = i;
            break;
        }
    }
    XXH3_128bits_update(&st, b->p, cut);
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    XXH128_canonical_t c; /* the 16 bytes, big-endian */
    XXH128_canonicalFromHash(&c, h);
    wd_text_hex(c.digest, sizeof c.digest, id);
}

static uint64_t
content_of_keys(const struct key *t, const struct key *b)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, t->p, t->len);
    XXH3_64bits_update(&st, "\x1f", 1);
    XXH3_64bits_update(&st, b->p, b->len);
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1; /* 0 marks an empty slot in the dedup tables */
}

/* The spaces among p[0..n) (its first 64 bytes at most): bit i set when
 * p[i] is one. Eight bytes at a time: a byte that is a space is 0 after
 * the XOR, and the adds set the top bit of every other byte. */
static uint64_t
space_bits(const char *p, size_t n)
{
    const uint64_t ones7 = 0x7F7F7F7F7F7F7F7FULL;
    char buf[64];
    if (n < 64) {
        memcpy(buf, p, n);
        memset(buf + n, 0, 64 - n);
        p = buf;
    }
    uint64_t out = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t x;
        memcpy(&x, p + 8 * k, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x);
#endif
        uint64_t t = x ^ 0x2020202020202020ULL;
        uint64_t z = ~(((t & ones7) + ones7) | t) & ~ones7;
        /* The eight top bits gathered into one byte, byte j to bit j. */
        out |= (((z >> 7) * 0x0102040810204080ULL) >> 56) << (8 * k);
    }
    return out;
}

/* Calls fn with the hash of each word 3-shingle of the key (of the whole
 * key when it has fewer than three words); returns the shingle count, and
 * the key's words in *words when words is not NULL. The words end at the
 * set bits of space_bits() (and the key's end), not at a branch a byte. */
static size_t
shingles(const struct key *k, void (*fn)(void *ctx, uint64_t h), void *ctx,
         size_t *words)
{
    size_t starts[3] = {0, 0, 0}, nwords = 0, n = 0, start = 0;
    for (size_t base = 0; base <= k->len; base += 64) {
        size_t left = k->len - base;
        uint64_t ends = space_bits(k->p + base, left);
        if (left < 64)
            ends |= 1ULL << left; /* the key's end ends its last word */
        while (ends) {
            size_t i = base + (size_t)__builtin_ctzll(ends);
            ends &= ends - 1;
            if (i > start) {
                starts[nwords % 3] = start;
                nwords++;
                if (nwords >= 3) {
                    size_t s0 = starts[(nwords - 3) % 3];
                    fn(ctx, XXH3_64bits(k->p + s0, i - s0));
                    n++;
                }
            }
            start = i + 1;
        }
    }
    if (nwords > 0 && nwords < 3)
        fn(ctx, XXH3_64bits(k->p, k->len));
    if (words)
        *words = nwords;
    return n;
}

/* SimHash's 64 per-bit votes, counted eight bits at a time: each byte of a
 * shingle hash adds its eight bits to eight 8-bit lanes of one word (one
 * table look-up and one add per byte, not 64 branches per shingle), and the
 * lanes are emptied into 32-bit counts before they can overflow. Bit b is
 * set when more than half the shingles have it. */
struct simacc {
    uint64_t lanes[8]; /* byte i of the hash: bit j counted in lane j */
    uint32_t ones[64];
    uint32_t pending, n;
};

static uint64_t spread[256]; /* byte -> its bits, one per 8-bit lane */

enum { MH_K = WD_MH_BANDS * WD_MH_ROWS };
static uint64_t mh_seeds[MH_K];
#if WD_FP_DISPATCH
/* The machine has AVX-512 F and DQ (mins_add_avx512()). */
static bool have_avx512;
#endif

/* The tables, filled once whichever thread fingerprints first (the worker
 * fingerprints on two). */
static void
fill_tables(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t x = 0;
        for (int j = 0; j < 8; j++)
            x |= (uint64_t)((v >> j) & 1) << (8 * j);
        spread[v] = x;
    }
    /* Fixed seeds: bands must be the same on every worker and run. */
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < MH_K; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        mh_seeds[i] = x;
    }
#if WD_FP_DISPATCH
    __builtin_cpu_init();
    have_avx512 =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
}

static void
tables(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_tables);
}

static void
simacc_init(struct simacc *a)
{
    memset(a, 0, sizeof *a);
    tables();
}

static void
simacc_flush(struct simacc *a)
{
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 8; j++)
            a->ones[8 * i + j] += (uint32_t)(a->lanes[i] >> (8 * j)) & 0xff;
        a->lanes[i] = 0;
    }
    a->pending = 0;
}

static void
simhash_add(void *ctx, uint64_t h)
{
    struct simacc *a = ctx;
    for (int i = 0; i < 8; i++)
        a->lanes[i] += spread[(h >> (8 * i)) & 0xff];
    a->n++;
    if (++a->pending == 255)
        simacc_flush(a);
}

static uint64_t
simhash_finish(struct simacc *a)
{
    simacc_flush(a);
    uint64_t out = 0;
    for (int b = 0; b < 64; b++)
        if (2 * (uint64_t)a->ones[b] > a->n)
            out |= (uint64_t)1 << b;
    return out;
}

static uint64_t
simhash_of_key(const struct key *k)
{
    struct simacc a;
    simacc_init(&a);
    shingles(k, simhash_add, &a, NULL);
    return simhash_finish(&a);
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

/* One shingle hash into n minimums: mins[k] keeps the least of its
 * permutation by mh_seeds[k] (the lead sketch uses the first seeds). */
static inline void
mins_add(uint64_t *mins, int n, uint64_t h)
{
    for (int k = 0; k < n; k++) {
        uint64_t v = permute(h, mh_seeds[k]);
        if (v < mins[k])
            mins[k] = v;
    }
}

struct minhash {
    uint64_t mins[MH_K];
};

#if WD_FP_DISPATCH
/* mins_add() of the first n seeds (a multiple of eight) eight at a time:
 * AVX-512 multiplies 64-bit lanes and takes unsigned minimums, each in one
 * instruction. The same permutations, so the same minimums (bands are
 * stored: they must not depend on the machine). */
static __attribute__((target("avx512f,avx512dq"))) void
mins_add_avx512(uint64_t *mins, int n, uint64_t h)
{
    const __m512i gold =
        _mm512_set1_epi64((long long)(0x9E3779B97F4A7C15ULL | 1));
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i hv = _mm512_set1_epi64((long long)h);
    for (int k = 0; k < n; k += 8) {
        __m512i seed = _mm512_loadu_si512(mh_seeds + k);
        __m512i x = _mm512_mullo_epi64(_mm512_xor_si512(hv, seed), gold);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 32));
        x = _mm512_mullo_epi64(x, _mm512_or_si512(seed, one));
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 29));
        __m512i m = _mm512_loadu_si512(mins + k);
        _mm512_storeu_si512(mins + k, _mm512_min_epu64(m, x));
    }
}
#endif

static void
minhash_add(void *ctx, uint64_t h)
{
    struct minhash *m = ctx;
#if WD_FP_DISPATCH
    if (have_avx512) {
        mins_add_avx512(m->mins, MH_K, h);
        return;
    }
#endif
    mins_add(m->mins, MH_K, h);
}

static void
minhash_init(struct minhash *m)
{
    tables();
    for (int i = 0; i < MH_K; i++)
        m->mins[i] = UINT64_MAX;
}

static void
minhash_finish(const struct minhash *m, uint64_t bands[WD_MH_BANDS])
{
    for (int b = 0; b < WD_MH_BANDS; b++)
        bands[b] =
            XXH3_64bits_withSeed(&m->mins[b * WD_MH_ROWS],
                                 WD_MH_ROWS * sizeof m->mins[0], (uint64_t)b);
}

static size_t
minhash_of_key(const struct key *k, uint64_t bands[WD_MH_BANDS])
{
    struct minhash m;
    minhash_init(&m);
    size_t n = shingles(k, minhash_add, &m, NULL);
    minhash_finish(&m, bands);
    return n;
}

/* The lead keys of a body's key. ends[k] is where its (k+1)-th word ends,
 * for the first WD_FP_SKETCH_WORDS words. Reads only the words the leads
 * and the sketch take (the key of a full text is thousands of bytes). */
#define LEAD_READ (WD_FP_LEADS * WD_FP_LEAD_WORDS)
_Static_assert(LEAD_READ >= WD_FP_SKETCH_WORDS, "the sketch's words read");

static void
leads_of_key(const struct key *b, uint64_t leads[WD_FP_LEADS],
             size_t ends[WD_FP_SKETCH_WORDS])
{
    size_t words = 0, start = 0, i = 0;
    memset(leads, 0, WD_FP_LEADS * sizeof leads[0]);
    while (i <= b->len && words < LEAD_READ) {
        size_t w = i;
        while (i < b->len && b->p[i] != ' ')
            i++;
        if (i > w) {
            if (words % WD_FP_LEAD_WORDS == 0)
                start = w;
            if (words < WD_FP_SKETCH_WORDS)
                ends[words] = i;
            words++;
            size_t win = words / WD_FP_LEAD_WORDS - 1;
            if (words % WD_FP_LEAD_WORDS == 0 && win < WD_FP_LEADS) {
                uint64_t h = XXH3_64bits_withSeed(b->p + start, i - start,
                                                  (uint64_t)win + 1);
                leads[win] = h ? h : 1;
            }
        }
        i++;
    }
}

struct sketch {
    uint64_t mins[WD_FP_SKETCH];
};
_Static_assert(WD_FP_SKETCH <= MH_K, "the lead sketch takes MinHash seeds");
_Static_assert(MH_K % 8 == 0 && WD_FP_SKETCH % 8 == 0, "eight lanes");

static void
sketch_add(void *ctx, uint64_t h)
{
    struct sketch *k = ctx;
#if WD_FP_DISPATCH
    if (have_avx512) {
        mins_add_avx512(k->mins, WD_FP_SKETCH, h);
        return;
    }
#endif
    mins_add(k->mins, WD_FP_SKETCH, h);
}

/* The lead sketch: MinHash of the 3-shingles of the body's first
 * WD_FP_SKETCH_WORDS words, short of its last word (which a teaser's cut
 * may have shortened). All 0 when fewer than 4 words remain. */
static void
sketch_of_lead(const struct key *b, size_t words,
               const size_t ends[WD_FP_SKETCH_WORDS],
               uint32_t out[WD_FP_SKETCH])
{
    memset(out, 0, WD_FP_SKETCH * sizeof out[0]);
    size_t n = words > WD_FP_SKETCH_WORDS ? WD_FP_SKETCH_WORDS : words - 1;
    if (words < 5)
        return;
    tables();
    struct sketch k;
    for (int i = 0; i < WD_FP_SKETCH; i++)
        k.mins[i] = UINT64_MAX;
    struct key lead; /* a view of b: its stack buffer stays unused */
    lead.p = b->p;
    lead.len = ends[n - 1];
    shingles(&lead, sketch_add, &k, NULL);
    for (int i = 0; i < WD_FP_SKETCH; i++)
        out[i] = (uint32_t)(k.mins[i] >> 32) | 1;
}

/* SimHash and MinHash of one text in a single pass over its shingles. */
struct both {
    struct simacc acc;
    struct minhash mh;
};

static void
both_add(void *ctx, uint64_t h)
{
    struct both *b = ctx;
    simhash_add(&b->acc, h);
    minhash_add(&b->mh, h);
}

/* One fact: sets its two bits. */
static void
fact_add(struct wd_fp_facts *f, const char *s, size_t n)
{
    uint64_t h = XXH3_64bits(s, n);
    for (int k = 0; k < 2; k++, h >>= 8)
        f->bits[(h & 255) >> 6] |= 1ull << (h & 63);
}

/* The bytes that end a word: a space, a line feed, a tab, a return. */
static bool
word_break(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* The end of the word that starts at s[i] (the first space, tab, line feed
 * or return, or n), and whether it has a digit and a letter (a byte from
 * 0x80 counts as one), or'ed into *digit and *alpha. */
static size_t
word_end(const char *s, size_t i, size_t n, bool *digit, bool *alpha)
{
#ifdef __SSE2__
    /* Sixteen bytes at a time: most words end in the first sixteen, with
     * a predicted branch rather than one that mispredicts at each word's
     * end. */
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i brk =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))),
                         _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'))));
        /* c - '0' <= 9 and (c | 32) - 'a' <= 25, unsigned. */
        __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
        d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
        __m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)),
                                 _mm_set1_epi8('a'));
        l = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
        unsigned b = (unsigned)_mm_movemask_epi8(brk);
        unsigned before = b ? (b & -b) - 1 : 0xFFFFu; /* the word's bytes */
        *digit |= ((unsigned)_mm_movemask_epi8(d) & before) != 0;
        *alpha |=
            (((unsigned)_mm_movemask_epi8(l) | (unsigned)_mm_movemask_epi8(x)) &
             before) != 0;
        if (b)
            return i + (size_t)__builtin_ctz(b);
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (word_break(c))
            break;
        *digit |= (unsigned)(c - '0') < 10;
        *alpha |= c >= 0x80 || (unsigned)((c | 32) - 'a') < 26;
    }
    return i;
}

/* The facts of one text: numbers (digits and the decimal point kept:
 * "1,200,000" and "1200000" are one fact) and names (a capitalised word
 * that does not open a sentence, lower-cased), from its first max_words
 * words; names only when with_names (a title in capitals has none). */
static void
facts_of(const char *s, size_t n, size_t max_words, bool with_names,
         struct wd_fp_facts *f)
{
    bool sentence_start = true;
    size_t words = 0;
    for (size_t i = 0; i < n && words < max_words;) {
        while (i < n && word_break((unsigned char)s[i]))
            i++;
        /* The word, and whether it has a digit and a letter, in one pass. */
        size_t b = i;
        bool digit = false, alpha = false;
        i = word_end(s, i, n, &digit, &alpha);
        if (i == b)
            break;
        words++;
        char buf[64];
        size_t k = 0;
        char last = s[i - 1];
        bool ends = last == '.' || last == '!' || last == '?' || last == ':' ||
                    last == '"';
        if (digit) {
            for (size_t j = b; j < i && k + 1 < sizeof buf; j++)
                if ((s[j] >= '0' && s[j] <= '9') ||
                    (s[j] == '.' && j + 1 < i && s[j + 1] >= '0' &&
                     s[j + 1] <= '9'))
                    buf[k++] = s[j];
            if (k)
                fact_add(f, buf, k);
        } else if (alpha && with_names && !sentence_start) {
            /* The word without the punctuation around it. */
            size_t wb = b, we = i;
            while (wb < we && !((unsigned char)s[wb] >= 0x80 ||
                                ((s[wb] | 32) >= 'a' && (s[wb] | 32) <= 'z')))
                wb++;
            while (we > wb &&
                   !((unsigned char)s[we - 1] >= 0x80 ||
                     ((s[we - 1] | 32) >= 'a' && (s[we - 1] | 32) <= 'z')))
                we--;
            uint32_t cp = (unsigned char)s[wb];
            if (we > wb + 1) {
                if (cp >= 0x80) /* (ASCII, most words: no decoding) */
                    wd_utf8_next(s + wb, we - wb, &cp);
                if (wd_cp_is_upper(cp)) {
                    for (size_t j = wb; j < we && k + 1 < sizeof buf; j++)
                        buf[k++] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] + 32
                                                                     : s[j]);
                    fact_add(f, buf, k);
                }
            }
        }
        sentence_start = ends;
    }
}

void
wd_fp_facts(const char *title, size_t tlen, const char *body, size_t blen,
            struct wd_fp_facts *out)
{
    memset(out, 0, sizeof *out);
    /* The title's figures only: headlines capitalise every word (and
     * re-posts change them). */
    facts_of(title, tlen, 40, false, out);
    facts_of(body, blen, WD_FP_FACT_WORDS, true, out);
}

double
wd_fp_facts_containment(const struct wd_fp_facts *a,
                        const struct wd_fp_facts *b)
{
    int pa = 0, pb = 0, both = 0;
    for (int i = 0; i < 4; i++) {
        pa += __builtin_popcountll(a->bits[i]);
        pb += __builtin_popcountll(b->bits[i]);
        both += __builtin_popcountll(a->bits[i] & b->bits[i]);
    }
    if (pa < 10 || pb < 10)
        return -1;
    return (double)both / (double)(pa < pb ? pa : pb);
}

void
wd_fp_story(const char *title, size_t tlen, const char *body, size_t blen,
            struct wd_fp_story *out)
{
    wd_fp_facts(title, tlen, body, blen, &out->facts);
    struct key t, b;
    key_make(&t, title, tlen);
    key_make(&b, body, blen);
    id_of_keys(&t, &b, out->id);
    out->content_key = content_of_keys(&t, &b);
    struct both acc;
    simacc_init(&acc.acc);
    minhash_init(&acc.mh);
    out->shingles = shingles(&b, both_add, &acc, &out->words);
    out->simhash = simhash_finish(&acc.acc);
    minhash_finish(&acc.mh, out->bands);
    size_t ends[WD_FP_SKETCH_WORDS];
    leads_of_key(&b, out->leads, ends);
    sketch_of_lead(&b, out->words, ends, out->sketch);
    key_drop(&t);
    key_drop(&b);
}

void
wd_fp_story_id(const char *title, size_t tlen, const char *body, size_t blen,
               char id[WD_ID_LEN + 1])
{
    struct key t, b;
    key_make(&t, title, tlen);
    key_make(&b, body, blen);
    id_of_keys(&t, &b, id);
    key_drop(&t);
    key_drop(&b);
}

uint64_t
wd_fp_content_key(const char *title, size_t tlen, const char *body, size_t blen)
{
    struct key t, b;
    key_make(&t, title, tlen);
    key_make(&b, body, blen);
    uint64_t h = content_of_keys(&t, &b);
    key_drop(&t);
    key_drop(&b);
    return h;
}

uint64_t
wd_fp_simhash(const char *text, size_t n)
{
    struct key k;
    key_make(&k, text, n);
    uint64_t h = simhash_of_key(&k);
    key_drop(&k);
    return h;
}

size_t
wd_fp_minhash_bands(const char *text, size_t n, uint64_t bands[WD_MH_BANDS])
{
    struct key k;
    key_make(&k, text, n);
    size_t s = minhash_of_key(&k, bands);
    key_drop(&k);
    return s;
}

uint64_t
wd_fp_url_key(const char *url, size_t n)
{
    uint64_t h = XXH3_64bits(url, n);
    return h ? h : 1;
}

int
wd_fp_hamming(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
