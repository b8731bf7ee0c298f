/* The tagger: gazetteer and taxonomy compiled into one trie of words.
 *
 * Words. Text is read as words: runs of letters and digits, case-folded,
 * Latin letters with diacritics folded to their base letter (Türkiye ->
 * turkiye, São -> sao); everything else separates words, apostrophes too
 * ("Kazakhstan’s" -> kazakhstan, s). Letters of other scripts fold to
 * their lower case (Россия -> россия); in scripts written without spaces
 * (Chinese, Japanese, Thai, Burmese ...) every letter is a word, so their
 * names are phrases found inside runs of text (read_word_slow()). Words are
 * found with the bit masks of sixty-four bytes classified at once (SSE2, or
 * AVX2 where the machine has it) and a word's folded characters are hashed
 * eight at a time with a multiply; only words holding bytes >= 0x80 or longer
 * than fifteen bytes are read one character at a time.
 *
 * Trie. Every name and phrase is read into words the same way and is a
 * path from the root of a trie of words, kept in one open-addressing hash
 * table keyed by (node, word hash): Aho-Corasick over words rather than
 * bytes, since every name starts and ends on word boundaries. Each word of
 * a text is looked up once from the root and once after each name still
 * open; a bit filter in front of the table answers most words that start
 * nothing without touching it. A phrase ending in '*' matches a word that
 * starts with its stem: the hashes of the word's prefixes are looked up at
 * the lengths of the stems that begin with its first four letters (an 8
 * KiB table of the shortest stem by those letters answers most words). (A byte
 * automaton over the same names had 34 000 states, a 4 MB table, and was
 * bound by cache misses; this table is a few hundred kilobytes.)
 *
 * Case. A name written with capitals in the data must be capitalised in the
 * text ("Turkey", not "turkey"); one written in capitals only must be so in
 * the text ("US", not "us" or "Us"). Theme phrases ignore case.
 *
 * Ambiguity. One folded name may have several senses: a country, a US
 * state, cities in several countries, a personal name ("Georgia", "Jordan",
 * "Córdoba"). Each sense is scored with a prior (national names 1, cities
 * and subdivisions 0.5 plus up to 0.25 by population among the senses) plus
 * the evidence the rest of the text gives its country: any unambiguous
 * mention for a country-level sense or for cities of several countries,
 * only sub-national mentions (cities, states) when a city or state competes
 * with a country. A name that is also a personal name next to another
 * capitalised word in the body ("Michael Jordan", "Chad Smith") is a
 * person, and anywhere it counts only when the text also names the country
 * unambiguously ("Amman", "Jordanian"): a footballer called Jordan is
 * written bare often enough.
 *
 * Relevance. A mention adds its weight (the kind's for places, the
 * phrase's for themes) times 3 in the title, or times 2 at the start of the
 * body falling to 1 at its end (or at TAG_BRIEF_LEN in a brief). Countries
 * need TAG_COUNTRY_MIN (less in a brief, TAG_BRIEF_LEN; more in a long
 * story, TAG_LONG_LEN) and a share of the best country's score; themes
 * need TAG_THEME_MIN and a relevance (score relative to the best, plus the
 * taxonomy's @cooccur share of the theme among articles led by the best
 * one) of TAG_THEME_REL, at most
 * TAG_THEMES_MAX (emit_themes()). Countries are reported relative to the
 * best, themes by their relevance.
 */
#include "wd/tag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* scan_text() for BMI2 and AVX2 beside the portable one, chosen at run
 * time (-DWD_TAG_DISPATCH=0: the portable one only). */
#ifndef WD_TAG_DISPATCH
#if defined(__x86_64__) && defined(__GNUC__)
#define WD_TAG_DISPATCH 1
#else
#define WD_TAG_DISPATCH 0
#endif
#endif
#if WD_TAG_DISPATCH
#include <immintrin.h>
#endif

#include "wd/err.h"
#include "wd/text.h"

#ifndef WD_DATA_INSTALL_DIR
#define WD_DATA_INSTALL_DIR "/usr/local/share/wiredesk"
#endif
#ifndef WD_DATA_SOURCE_DIR
#define WD_DATA_SOURCE_DIR "data"
#endif

/* Relevance thresholds (see the header comment). */
#ifndef TAG_COUNTRY_MIN /* -D overrides, for tuning runs of tag_eval */
#define TAG_COUNTRY_MIN 2.0f
#define TAG_COUNTRY_REL 0.25f
#define TAG_THEME_MIN 2.5f
#define TAG_THEME_REL 0.4f
#define TAG_THEMES_MAX 2
/* How much a theme's share of the articles led by the best theme that
 * also carry it (the taxonomy's @cooccur lines, learnt from the 114
 * English articles of tests/fixtures/tagset) adds to its relative score.
 * Half: cross-validated on those articles 0.5 and 1.0 are alike (0.789
 * and 0.793), the holdout set is better at 0.5 (0.867 against 0.857), and
 * both labellings of the Russian set are (0.783 against 0.731, and a
 * second, blind one 0.763 against 0.714): at full weight the English
 * labeller's habits (energy with economy, never with trade) outweighed
 * what a story says. */
#define TAG_THEME_COOCCUR 0.5f
#endif
/* A brief has no room to repeat a name: under TAG_BRIEF_LEN characters of body
 * the country floor falls linearly to half of TAG_COUNTRY_MIN (one
 * national name anywhere in a two-sentence item counts). */
#ifndef TAG_BRIEF_LEN
#define TAG_BRIEF_LEN 600
#endif
/* A long story names in passing more places than it is about: over
 * TAG_LONG_LEN characters of body the floor grows with the square root of the
 * length (one mention near the start of a 5 kB feature is not enough; two
 * or one in the title are). */
#ifndef TAG_LONG_LEN
#define TAG_LONG_LEN 1200
#endif
#define TAG_TITLE_WEIGHT 3.0f

/* Base letters of U+00C0..U+017F (' ' where there is none: × ÷). */
static const char latin_fold[] =
    "aaaaaaaceeeeiiiidnooooo ouuuuytsaaaaaaaceeeeiiiidnooooo ouuuuyty"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllll"
    "llnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* The folded character of an ASCII word byte; 0 for a separator and for
 * every byte >= 0x80 (decoded on the slow path). */
static unsigned char ascii_fold[256];
/* 1 for an ASCII separator; 0 for word bytes and bytes >= 0x80. */
static unsigned char ascii_sep[256];

#if WD_TAG_DISPATCH
/* The machine has BMI, BMI2 and AVX2 (scan_text()). */
static bool have_bmi2;
#endif

static void
fill_ascii(void)
{
    for (int c = 0; c < 128; c++) {
        ascii_fold[c] = (unsigned char)wd_ascii_key_char((unsigned char)c);
        ascii_sep[c] = c != 0 && !ascii_fold[c]; /* NUL ends a text */
    }
#if WD_TAG_DISPATCH
    __builtin_cpu_init();
    have_bmi2 = __builtin_cpu_supports("bmi") &&
                __builtin_cpu_supports("bmi2") &&
                __builtin_cpu_supports("avx2");
#endif
}

/* The folded character of a non-ASCII code point: a base letter, 0 for a
 * separator (a combining mark too, outside a word), or 1 for a letter or
 * digit of another script (read_word_slow() folds those). */
static unsigned char
cp_fold(uint32_t cp)
{
    if (cp >= 0xC0 && cp < 0x180) {
        char b = latin_fold[cp - 0xC0];
        return b == ' ' ? 0 : (unsigned char)b;
    }
    if (cp == 0x218 || cp == 0x219)
        return 's';
    if (cp == 0x21A || cp == 0x21B)
        return 't';
    /* The apostrophes Uzbek Latin writes inside words (Oʻzbekiston,
     * O‘zbekiston, O'zbekiston) separate words like the ASCII one, so that
     * every spelling reads "o zbekiston"; U+02BB and U+02BC are letters to
     * Unicode. */
    if (cp == 0x2BB || cp == 0x2BC)
        return 0;
    return wd_cp_is_alnum(cp) ? 1 : 0;
}

/* One word of a text: where it stands, its folded characters and their
 * hash. The hash is a function of the folded characters alone, eight at a
 * time (word_hash()), so the hash of a word's first k characters, wanted
 * for phrases ending in '*', is word_hash() of its first k folded
 * characters: the same as that of the stem read alone. */
#define PREFIX_MAX 24 /* the longest stem before a '*' */
#define FOLD_CAP 32   /* >= PREFIX_MAX + 8: word_hash() reads 8 at a time */
struct word {
    size_t start, end; /* bytes of the text */
    size_t len;        /* folded characters */
    bool slow;         /* read by read_word_slow(): its characters are in
                          the reader's fold already */
    uint64_t hash;
    /* The first folded characters, eight in each, the first in the low
     * byte, zeros after the word (a slow word: head[0] only). The scan
     * keeps a word in registers and writes its characters out
     * (word_fold()) only for the few words that may end in a stem. */
    uint64_t head[2];
};

/* A word's folded characters, for the hashes of its prefixes: the first
 * min(len, FOLD_CAP), then zeros up to 24 at least; FOLD_CAP + 16 bytes
 * readable (word_hash() reads 8 at a time). */
#define FOLD_BYTES (FOLD_CAP + 16)

#define HASH_K1 0x9E3779B97F4A7C15ull
#define HASH_K2 0xD6E8FEB86659FD93ull

/* A word's groups of eight characters are chained with a multiply each
 * (the first one's is by 0: a word of up to sixteen characters costs two
 * multiplies in all), and hash_end() mixes the high bits down: the
 * tables index by the low bits, the filters by the high ones. */
static inline uint64_t
hash_step(uint64_t h, uint64_t chunk)
{
    return h * HASH_K1 ^ chunk;
}

static inline uint64_t
hash_end(uint64_t h, size_t len)
{
    h = (h ^ len) * HASH_K2;
    return h ^ (h >> 32);
}

static inline uint64_t
load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The first of eight bytes in the low byte, whatever the machine. */
static inline uint64_t
le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(v);
#else
    return v;
#endif
}

/* The bytes of f[0..8) that are among the first len characters (zeros
 * for the others), the first in the low byte. */
static inline uint64_t
chunk_of(const unsigned char *f, size_t len)
{
    static const uint64_t masks[9] = {0,
                                      0xff,
                                      0xffff,
                                      0xffffff,
                                      0xffffffff,
                                      0xffffffffffull,
                                      0xffffffffffffull,
                                      0xffffffffffffffull,
                                      ~0ull};
    return le64(load64(f)) & masks[len < 8 ? len : 8];
}

/* The hash of folded characters f[0..len), len <= FOLD_CAP, f readable
 * to f[max(len, 16) + 7]: eight at a time, the first character in the low
 * byte, the last group padded with zeros (folded characters are never 0),
 * at least two groups (so that words of up to sixteen characters, nearly
 * all, hash without a branch on their length), then the length. */
static inline uint64_t
word_hash(const unsigned char *f, size_t len)
{
    uint64_t h = hash_step(0, chunk_of(f, len));
    h = hash_step(h, chunk_of(f + 8, len > 8 ? len - 8 : 0));
    for (size_t i = 16; i < len; i += 8)
        h = hash_step(h, chunk_of(f + i, len - i));
    return hash_end(h, len);
}

/* Slow path of next_word(): the code point at s[0..n), folded (0: a
 * separator, 1: a letter of another script), and its length. */
static __attribute__((noinline)) unsigned char
fold_cp(const char *s, size_t n, size_t *len)
{
    uint32_t cp;
    *len = wd_utf8_next(s, n, &cp);
    return cp_fold(cp);
}

/* Writes cp as UTF-8 to out (4 bytes); returns the bytes written. */
static size_t
utf8_put(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The general word reader: one character at a time from p, any script,
 * any length; its folded bytes into fold (FOLD_BYTES). Latin letters fold
 * to their base letter (one byte); letters of other scripts to the UTF-8
 * of their lower case, so a word's length and its stems count bytes.
 * Combining marks inside a word are part of it. A letter of a script
 * written without spaces (wd_cp_unspaced(): Han, kana, Thai, Myanmar ...)
 * is a word by itself, with its marks: a name in such a script is a
 * phrase of one-letter words ("中国", "ไทย"), found inside longer runs of
 * text the way a name of several words is. */
static __attribute__((noinline)) const unsigned char *
read_word_slow(const unsigned char *p, const unsigned char *end,
               unsigned char *fold, struct word *w)
{
    uint64_t h = 0, chunk = 0;
    size_t len = 0;
    unsigned nc = 0;
    bool cluster = false; /* an unspaced letter: only marks may follow */
    /* Defined bytes after a short word: word_hash() reads (and masks)
     * them. */
    memset(fold, 0, 24);
    while (p < end) {
        unsigned char out[4];
        size_t n_out = 1, l = 1;
        if (*p < 0x80) {
            out[0] = ascii_fold[*p];
            if (cluster || !out[0])
                break;
        } else {
            uint32_t cp;
            l = wd_utf8_next((const char *)p, (size_t)(end - p), &cp);
            unsigned char f = cp_fold(cp);
            if (f > 1) { /* a Latin letter */
                if (cluster)
                    break;
                out[0] = f;
            } else if (f == 1) { /* a letter or digit of another script */
                bool unspaced = wd_cp_unspaced(cp);
                if (cluster || (unspaced && len))
                    break;
                cluster = unspaced;
                n_out = utf8_put(wd_cp_tolower(cp), out);
            } else if (len && wd_cp_is_mark(cp)) {
                n_out = utf8_put(cp, out);
            } else {
                break;
            }
        }
        for (size_t i = 0; i < n_out; i++) {
            if (len < FOLD_CAP)
                fold[len] = out[i];
            len++;
            chunk |= (uint64_t)out[i] << (8 * nc);
            if (++nc == 8) {
                h = hash_step(h, chunk);
                chunk = 0, nc = 0;
            }
        }
        p += l;
    }
    if (nc)
        h = hash_step(h, chunk);
    for (size_t groups = (len + 7) / 8; groups < 2; groups++)
        h = hash_step(h, 0); /* word_hash() hashes two groups at least */
    w->len = len;
    w->slow = true;
    w->hash = hash_end(h, len);
    w->head[0] = le64(load64(fold));
    w->head[1] = 0;
    return p;
}

/* Words are read from a window of WINDOW bytes of the text classified at
 * once (SSE2 sixteen bytes at a time where there is one): bit i of
 * sep for any byte but an ASCII letter or digit at window byte i, of high
 * for a byte >= 0x80. A word starts at the lowest bit of starts; the run
 * of letters and digits from there is the word when it is shorter than
 * sixteen and ends on an ASCII byte, and is then hashed straight from the
 * text (ASCII letters and digits fold with | 0x20; sixteen bytes are
 * read, the text or pad has them). next_word() moves the window on when
 * the next word could run past its end (the scan loop only when it
 * does), and after a word read by read_word_slow(). */
#define WINDOW 64
struct words {
    const unsigned char *text;
    size_t n;
    size_t at;                /* the window: text[at..at + WINDOW) */
    const unsigned char *src; /* its bytes: the text, or pad near the end */
    uint64_t sep; /* ~alnum: the run of a word ends at its next bit */
    uint64_t high;
    uint64_t starts;    /* letters, digits and bytes >= 0x80 not read yet */
    unsigned char *pad; /* WINDOW + 16 bytes: the text's last ones, then
                           NULs (a word read in the window's last sixteen
                           bytes reads sixteen, scan_text_body()) */
    bool avx2;          /* classify_avx2() (a constant where inlined) */
};

static inline void
classify(const unsigned char *p, uint64_t *alnum, uint64_t *high)
{
#ifdef __SSE2__
    uint64_t a = 0, h = 0;
    for (unsigned i = 0; i < WINDOW; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* Unsigned range tests as signed ones: 'a'..'z' (after | 0x20)
         * and '0'..'9' moved to -128.. */
        __m128i l = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                                 _mm_set1_epi8((char)(0x80 - 'a')));
        __m128i d = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0')));
        __m128i letter = _mm_cmplt_epi8(l, _mm_set1_epi8((char)(0x80 + 26)));
        __m128i digit = _mm_cmplt_epi8(d, _mm_set1_epi8((char)(0x80 + 10)));
        a |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit))
             << i;
        h |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << i;
    }
    *alnum = a, *high = h;
#else
    uint64_t a = 0, h = 0;
    for (unsigned i = 0; i < WINDOW; i++) {
        a |= (uint64_t)(ascii_fold[p[i]] != 0) << i;
        h |= (uint64_t)(p[i] >> 7) << i;
    }
    *alnum = a, *high = h;
#endif
}

#if WD_TAG_DISPATCH
/* classify() thirty-two bytes at a time, for scan_text_bmi2() (a call:
 * the other scan_text() must not inline it; the masks come back in
 * registers). */
struct masks {
    uint64_t alnum, high;
};

static __attribute__((noinline, target("avx2"))) struct masks
classify_avx2(const unsigned char *p)
{
    uint64_t a[2], h[2];
    for (unsigned i = 0; i < 2; i++) {
        __m256i v =
            _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
        __m256i l = _mm256_add_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)),
                                    _mm256_set1_epi8((char)(0x80 - 'a')));
        __m256i d = _mm256_add_epi8(v, _mm256_set1_epi8((char)(0x80 - '0')));
        __m256i letter =
            _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(0x80 + 26)), l);
        __m256i digit =
            _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(0x80 + 10)), d);
        a[i] = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(letter, digit));
        h[i] = (uint32_t)_mm256_movemask_epi8(v);
    }
    return (struct masks){a[0] | a[1] << 32, h[0] | h[1] << 32};
}
#endif

/* Moves the window to text[at..). */
static inline void
window_at(struct words *r, size_t at)
{
    r->at = at;
    if (at + WINDOW + 16 <= r->n) {
        r->src = r->text + at;
    } else if (at < r->n) {
        size_t k = r->n - at < WINDOW + 16 ? r->n - at : WINDOW + 16;
        memset(r->pad, 0, WINDOW + 16);
        memcpy(r->pad, r->text + at, k);
        r->src = r->pad;
    } else {
        r->starts = 0;
        return;
    }
    uint64_t alnum;
#if WD_TAG_DISPATCH
    if (r->avx2) {
        struct masks m = classify_avx2(r->src);
        alnum = m.alnum, r->high = m.high;
    } else
#endif
        classify(r->src, &alnum, &r->high);
    r->sep = ~alnum;
    r->starts = alnum | r->high;
}

/* Prepares r for reading the words of s[0..n) with next_word(); pad:
 * WINDOW + 16 bytes. */
static inline void
words_init(struct words *r, const char *s, size_t n, unsigned char *pad,
           bool avx2)
{
    r->text = (const unsigned char *)s;
    r->n = n;
    r->pad = pad;
    r->avx2 = avx2;
    window_at(r, 0);
}

/* Masks of a word's first 0..15 characters in head[0] and head[1]. */
static const uint64_t head_masks[16][2] = {
    {0x0ull, 0x0ull},
    {0xffull, 0x0ull},
    {0xffffull, 0x0ull},
    {0xffffffull, 0x0ull},
    {0xffffffffull, 0x0ull},
    {0xffffffffffull, 0x0ull},
    {0xffffffffffffull, 0x0ull},
    {0xffffffffffffffull, 0x0ull},
    {0xffffffffffffffffull, 0x0ull},
    {0xffffffffffffffffull, 0xffull},
    {0xffffffffffffffffull, 0xffffull},
    {0xffffffffffffffffull, 0xffffffull},
    {0xffffffffffffffffull, 0xffffffffull},
    {0xffffffffffffffffull, 0xffffffffffull},
    {0xffffffffffffffffull, 0xffffffffffffull},
    {0xffffffffffffffffull, 0xffffffffffffffull},
};

/* Reads the next word of r's text into *w; false when there is none.
 * Words are runs of letters and digits; everything else, apostrophes
 * included ("Kazakhstan's", "d'Ivoire"), separates them. A word of up to
 * fifteen ASCII letters and digits is read from the window's masks and
 * hashed in two steps; one with another byte or a longer one goes to
 * read_word_slow(), which fills fold. */
static inline __attribute__((always_inline)) bool
next_word(struct words *r, struct word *w, unsigned char *fold)
{
    for (;;) {
        if (!r->starts) {
            if (r->at + WINDOW >= r->n)
                return false;
            window_at(r, r->at + WINDOW);
            continue;
        }
        unsigned s = (unsigned)__builtin_ctzll(r->starts);
        if (s > WINDOW - 16) { /* the word's sixteen bytes in the window */
            window_at(r, r->at + s);
            continue;
        }
        unsigned run =
            (unsigned)__builtin_ctz((unsigned)(r->sep >> s) | 0x10000u);
        if (__builtin_expect(run < 16 && !((r->high >> (s + run)) & 1), 1)) {
            const unsigned char *q = r->src + s;
            uint64_t lower = 0x2020202020202020ull;
            w->head[0] = le64(load64(q) | lower) & head_masks[run][0];
            w->head[1] = le64(load64(q + 8) | lower) & head_masks[run][1];
            w->hash =
                hash_end(hash_step(hash_step(0, w->head[0]), w->head[1]), run);
            w->len = run;
            w->slow = false;
            w->start = r->at + s;
            w->end = w->start + run;
            r->starts &= ~0ull << (s + run);
            return true;
        }
        const unsigned char *text = r->text, *end = text + r->n;
        size_t p = r->at + s;
        if (text[p] >= 0x80) {
            size_t l;
            if (!fold_cp((const char *)text + p, r->n - p, &l)) {
                window_at(r, p + l); /* a separator */
                continue;
            }
        }
        /* (Through a copy: w stays in registers.) */
        struct word sw;
        sw.start = p;
        sw.end = (size_t)(read_word_slow(text + p, end, fold, &sw) - text);
        *w = sw;
        window_at(r, w->end);
        return true;
    }
}

/* Writes the folded characters of a word read by next_word() into fold
 * (those of a slow word are there already). */
static inline void
word_fold(const struct word *w, unsigned char *fold)
{
    if (w->slow)
        return;
    uint64_t h0 = le64(w->head[0]), h1 = le64(w->head[1]), zero = 0;
    memcpy(fold, &h0, 8);
    memcpy(fold + 8, &h1, 8);
    memcpy(fold + 16, &zero, 8);
}

/* The first four folded characters of a word of four or more, as one
 * number: the key of the stems that may start it. */
static inline uint32_t
word_start4(const struct word *w)
{
    return (uint32_t)w->head[0];
}

/* ---- the data --------------------------------------------------------- */

enum sense_type { S_COUNTRY, S_THEME, S_PERSONAL };
enum case_rule { CASE_ANY, CASE_CAP, CASE_UPPER };

enum kind {
    K_COUNTRY,
    K_OFFICIAL,
    K_ALT,
    K_ALIAS,
    K_DEMONYM,
    K_CAPITAL,
    K_LEADER,
    K_INSTITUTION,
    K_CITY,
    K_SUBDIVISION,
    K_PERSONAL,
    K_THEME,
};

static const struct {
    const char *name;
    float weight;
    bool national;
} kinds[] = {
    [K_COUNTRY] = {"country", 1.0f, true},
    [K_OFFICIAL] = {"official", 1.0f, true},
    [K_ALT] = {"alt", 1.0f, true},
    [K_ALIAS] = {"alias", 1.0f, true},
    [K_DEMONYM] = {"demonym", 0.8f, true},
    [K_CAPITAL] = {"capital", 0.8f, true},
    [K_LEADER] = {"leader", 0.8f, true},
    [K_INSTITUTION] = {"institution", 0.8f, true},
    [K_CITY] = {"city", 0.7f, false},
    [K_SUBDIVISION] = {"subdivision", 0.7f, false},
    [K_PERSONAL] = {"personal", 0.0f, false},
    [K_THEME] = {"theme", 0.0f, false},
};

struct sense {
    uint8_t type; /* enum sense_type */
    uint8_t kind; /* enum kind */
    uint8_t rule; /* enum case_rule */
    bool prefix;  /* a phrase or name ending in '*' */
    uint16_t idx; /* country or theme index */
    float weight; /* of one mention */
    uint32_t pop; /* cities: inhabitants */
    int32_t next; /* next sense of the same entry, -1 */
};

/* One distinct folded name or phrase. */
struct entry {
    int32_t sense;  /* first sense */
    bool ambiguous; /* senses name more than one country, or a person */
    bool prefix;    /* some sense is a phrase ending in '*' */
    uint8_t types;  /* bit 1 << t for a sense of type t (mark_ambiguous()):
                       the scoring walks only the senses it can use */
};

#define MAX_COUNTRIES 300
#define MAX_THEMES 64

struct theme {
    char slug[40];
    char code[24];
};

/* The names and phrases form a trie of words, kept in one hash table:
 * (node, word hash) -> child node and the entry that ends there. Node 0
 * is the root. Each word of a text costs one look-up from the root and one
 * per name still open, whatever the number of names, and the table (tens
 * of kilobytes to a few hundred) stays in cache where a byte automaton
 * does not. A bit filter in front answers most look-ups of words that
 * start no name without touching the table. */
struct slot {
    uint64_t key;   /* 0: empty */
    uint32_t child; /* 0: no longer name goes on from here */
    int32_t entry;  /* -1: no name ends here */
};

#define FILTER_BITS 19      /* 64 KiB */
#define ROOT_FILTER_BITS 18 /* 32 KiB, and as much for the pair filter */
#define STEM_FILTER_BITS 13 /* 8 KiB */
#define LEAD_FILTER_BITS 14 /* 2 KiB */
#define PAIR2_FILTER_BITS                                                      \
    18 /* 32 KiB: sized for the 40 000 slots of                                \
          names in 47 languages */

/* The stems that may start a word, by the word's first four folded
 * characters: lens, bit k for a stem of k characters (a stem of three is
 * entered under every fourth character a word can have). */
struct stem_start {
    uint32_t key; /* word_start4(); 0: empty */
    uint32_t lens;
};

struct wd_tagger {
    struct slot *slots;
    size_t n_slots, cap_slots; /* cap: a power of two */
    uint32_t n_nodes;
    uint64_t filter[(1u << FILTER_BITS) / 64];
    /* The scan looks a word up from the root only for the names of one
     * word (root_pair[].root: the keys of the root's slots where a name
     * ends), and after the word before it only when the two may start a
     * name together (.pair: the filter_mask() of the second word
     * of every longer name in the 64 bits of the first one's key,
     * pair_bits(): a word's mask serves both filters) or the word may end
     * in a stem: a third of all words ("the", "in", "a") start some
     * name, few go on with it. The two filters' bits of a key side by
     * side: the scan reads both for every word, from one cache line. */
    struct {
        uint64_t root, pair;
    } root_pair[(1u << ROOT_FILTER_BITS) / 64];
    /* The root slot keys of the first words of names of two words or
     * more: a word that may end in a stem is looked up after the word
     * before only when that one may start such a name (the pair filter
     * knows the stem, not the word). */
    uint64_t lead_filter[(1u << LEAD_FILTER_BITS) / 64];
    /* The pairs themselves (pair2_key() of the first two words of every
     * longer name): the pair filter's bits of a word that starts many
     * names ("the") let most words after it through, and each costs a
     * look-up of its slot (a cache miss) without this. */
    uint64_t pair2_filter[(1u << PAIR2_FILTER_BITS) / 64];
    /* A word costs look-ups of its prefixes only at the lengths of the
     * stems that start as it does, and none when no stem does. */
    struct stem_start *stems;
    size_t n_stems, cap_stems; /* cap: a power of two */
    /* Byte stem_bit(key): the length of the shortest stem that starts
     * with key, or with a key of the same byte (0xff: none). One look-up
     * answers most words without touching stems, those that start no
     * stem and those no longer than the stems that start as they do
     * ("transport" under "transport*"). */
    uint8_t stem_filter[1u << STEM_FILTER_BITS];

    struct entry *entries;
    size_t n_entries, cap_entries;
    struct sense *senses;
    size_t n_senses, cap_senses;

    char countries[MAX_COUNTRIES][3];
    size_t n_countries;
    struct theme themes[MAX_THEMES];
    const char *slugs[MAX_THEMES];
    size_t n_themes;
    /* cooccur[a][b]: the share of the articles whose best theme is a
     * that also carry b (taxonomy @cooccur lines; 0 when not given). */
    float cooccur[MAX_THEMES][MAX_THEMES];
};

/* The key of a word after node (the word's hash is mixed already). */
static inline uint64_t
slot_key(uint32_t node, uint64_t word)
{
    return (word ^ (uint64_t)node * 0x9E3779B97F4A7C15ull) | 1; /* never 0,
                                                     the empty slot */
}

/* The filter: two bits per key in one 64-bit word (a blocked Bloom
 * filter), from key bits the table's index does not use. */
static inline uint64_t
filter_mask(uint64_t key)
{
    /* (As rotations: one instruction each with BMI2, no copy of key.) */
    return 1ull << ((key >> 20 | key << 44) & 63) |
           1ull << ((key >> 26 | key << 38) & 63);
}

static inline bool
filter_has(const struct wd_tagger *t, uint64_t key)
{
    uint64_t m = filter_mask(key);
    return (t->filter[key >> (64 - FILTER_BITS + 6)] & m) == m;
}

/* The same kind of filter over a table of 2^bits bits (the scan tests
 * them inline, with the mask of filter_mask() it has already). */
static inline void
bits_add(uint64_t *f, unsigned bits, uint64_t key)
{
    f[key >> (64 - bits + 6)] |= filter_mask(key);
}

static inline bool
bits_have(const uint64_t *f, unsigned bits, uint64_t key)
{
    uint64_t m = filter_mask(key);
    return (f[key >> (64 - bits + 6)] & m) == m;
}

/* The pair filter's 64 bits for words after the word of slot key first
 * at the root (a word's slot key stands for every word with the same
 * one). */
static inline const uint64_t *
pair_bits(const struct wd_tagger *t, uint64_t first)
{
    return &t->root_pair[first >> (64 - ROOT_FILTER_BITS + 6)].pair;
}

/* The key of the pair of words of slot keys first and second at the
 * root, for pair2_filter. */
static inline uint64_t
pair2_key(uint64_t first, uint64_t second)
{
    return first * 0xD6E8FEB86659FD93ull ^ second;
}

/* The root filter's 64 bits for slot key key at the root. */
static inline const uint64_t *
root_bits(const struct wd_tagger *t, uint64_t key)
{
    return &t->root_pair[key >> (64 - ROOT_FILTER_BITS + 6)].root;
}

static inline const struct slot *
slot_find(const struct wd_tagger *t, uint64_t key)
{
    size_t mask = t->cap_slots - 1;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
        const struct slot *sl = &t->slots[i];
        if (sl->key == key)
            return sl;
        if (sl->key == 0)
            return NULL;
    }
}

/* ---- building ----------------------------------------------------------- */

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return WD_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static int
slot_add(struct wd_tagger *t, uint64_t key, struct slot **out)
{
    if ((t->n_slots + 1) * 2 > t->cap_slots) {
        size_t cap = t->cap_slots ? t->cap_slots * 2 : 4096;
        struct slot *ns = calloc(cap, sizeof *ns);
        if (!ns)
            return WD_ENOMEM;
        for (size_t i = 0; i < t->cap_slots; i++) {
            if (!t->slots[i].key)
                continue;
            size_t j = t->slots[i].key & (cap - 1);
            while (ns[j].key)
                j = (j + 1) & (cap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap_slots = cap;
    }
    size_t mask = t->cap_slots - 1, i = key & mask;
    while (t->slots[i].key && t->slots[i].key != key)
        i = (i + 1) & mask;
    struct slot *sl = &t->slots[i];
    if (!sl->key) {
        *sl = (struct slot){.key = key, .child = 0, .entry = -1};
        t->n_slots++;
        bits_add(t->filter, FILTER_BITS, key);
    }
    *out = sl;
    return 0;
}

static inline size_t
stem_index(uint32_t key, size_t cap)
{
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 40) & (cap - 1);
}

static inline uint32_t
stem_bit(uint32_t key)
{
    return (key * 0x9E3779B1u) >> (32 - STEM_FILTER_BITS);
}

static int
stem_put(struct wd_tagger *t, uint32_t key, uint32_t lens)
{
    if ((t->n_stems + 1) * 2 > t->cap_stems) {
        size_t cap = t->cap_stems ? t->cap_stems * 2 : 1024;
        struct stem_start *ns = calloc(cap, sizeof *ns);
        if (!ns)
            return WD_ENOMEM;
        for (size_t i = 0; i < t->cap_stems; i++) {
            if (!t->stems[i].key)
                continue;
            size_t j = stem_index(t->stems[i].key, cap);
            while (ns[j].key)
                j = (j + 1) & (cap - 1);
            ns[j] = t->stems[i];
        }
        free(t->stems);
        t->stems = ns;
        t->cap_stems = cap;
    }
    size_t i = stem_index(key, t->cap_stems);
    while (t->stems[i].key && t->stems[i].key != key)
        i = (i + 1) & (t->cap_stems - 1);
    if (!t->stems[i].key) {
        t->stems[i].key = key;
        t->n_stems++;
    }
    t->stems[i].lens |= lens;
    uint32_t b = stem_bit(key);
    unsigned k = (unsigned)__builtin_ctz(lens);
    if (k < t->stem_filter[b])
        t->stem_filter[b] = (uint8_t)k;
    return 0;
}

/* Enters stem w (3 to PREFIX_MAX characters) under the first four
 * characters of the words it may start. */
static int
stem_add(struct wd_tagger *t, const struct word *w)
{
    uint32_t lens = 1u << w->len;
    if (w->len >= 4)
        return stem_put(t, word_start4(w), lens);
    static const char fourth[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint32_t key3 = word_start4(w) & 0xffffffu;
    for (const char *c = fourth; *c; c++)
        if (stem_put(t, key3 | (uint32_t)(unsigned char)*c << 24, lens))
            return WD_ENOMEM;
    return 0;
}

/* False when no stem shorter than a word of len characters starts as it
 * does (key: word_start4()): the words of three or fewer (stems have
 * three letters or more) and most others, without a branch. */
static inline bool
stem_maybe(const struct wd_tagger *t, uint32_t key, size_t len)
{
    /* (0xff: none; a word of 255 characters or more may get a false
     * yes, which stem_lens() answers.) */
    return t->stem_filter[stem_bit(key)] < len;
}

/* The lengths of the stems shorter than a word of len characters that
 * start as it does (key: word_start4()). */
static inline uint32_t
stem_lens(const struct wd_tagger *t, uint32_t key, size_t len)
{
    size_t mask = t->cap_stems - 1;
    for (size_t i = stem_index(key, t->cap_stems);; i = (i + 1) & mask) {
        if (t->stems[i].key == key)
            return len < 32 ? t->stems[i].lens & ((1u << len) - 1)
                            : t->stems[i].lens;
        if (!t->stems[i].key)
            return 0;
    }
}

/* stem_lens() out of line, for the scan loop (fewer registers taken
 * there). */
static __attribute__((noinline)) uint32_t
stem_lens_of(const struct wd_tagger *t, uint32_t key, size_t len)
{
    return stem_lens(t, key, len);
}

/* Adds name[0..n) to the trie and a sense to its entry. Returns 0, 1 when
 * the name has no word that can be matched, 2 when a phrase's stem (the
 * word before its '*') has under 3 or over PREFIX_MAX letters, or
 * WD_ENOMEM. */
static int
insert(struct wd_tagger *t, const char *text, size_t n, struct sense sn)
{
    if (n == 0 || n >= 257)
        return 1;
    struct words r;
    unsigned char pad[WINDOW + 16], fold[FOLD_BYTES];
    words_init(&r, text, n, pad, false);
    struct word w;
    size_t last_len = 0;
    uint32_t node = 0;
    struct slot *sl = NULL;
    uint64_t first_key = 0;
    size_t n_words = 0;
    while (next_word(&r, &w, fold)) {
        if (n_words == 0)
            first_key = slot_key(0, w.hash);
        else if (n_words == 1) {
            t->root_pair[first_key >> (64 - ROOT_FILTER_BITS + 6)].pair |=
                filter_mask(slot_key(0, w.hash));
            bits_add(t->lead_filter, LEAD_FILTER_BITS, first_key);
            bits_add(t->pair2_filter, PAIR2_FILTER_BITS,
                     pair2_key(first_key, slot_key(0, w.hash)));
        }
        n_words++;
        if (sl) { /* the previous word leads on to this one */
            if (sl->child == 0) {
                if (t->n_nodes == UINT32_MAX - 1)
                    return WD_ENOMEM;
                sl->child = ++t->n_nodes;
            }
            node = sl->child;
        }
        if (slot_add(t, slot_key(node, w.hash), &sl))
            return WD_ENOMEM;
        last_len = w.len;
    }
    if (!sl)
        return 1;
    if (sn.prefix && (last_len < 3 || last_len > PREFIX_MAX))
        return 2;
    if (sn.prefix && stem_add(t, &w))
        return WD_ENOMEM;
    int32_t e = sl->entry;
    if (e < 0) {
        if (grow((void **)&t->entries, &t->cap_entries, t->n_entries + 1,
                 sizeof *t->entries))
            return WD_ENOMEM;
        e = (int32_t)t->n_entries++;
        t->entries[e] = (struct entry){.sense = -1};
        sl->entry = e;
    }
    t->entries[e].prefix |= sn.prefix;
    if (node == 0)
        t->root_pair[sl->key >> (64 - ROOT_FILTER_BITS + 6)].root |=
            filter_mask(sl->key);
    /* One sense per (type, idx, prefix): a country named as capital and
     * city keeps the stronger kind and the larger population. */
    for (int32_t i = t->entries[e].sense; i >= 0; i = t->senses[i].next) {
        struct sense *o = &t->senses[i];
        if (o->type == sn.type && o->idx == sn.idx && o->prefix == sn.prefix) {
            if (sn.weight > o->weight ||
                (kinds[sn.kind].national && !kinds[o->kind].national)) {
                o->kind = sn.kind;
                o->weight = sn.weight;
            }
            if (sn.pop > o->pop)
                o->pop = sn.pop;
            if (sn.rule > o->rule)
                o->rule = sn.rule;
            return 0;
        }
    }
    if (grow((void **)&t->senses, &t->cap_senses, t->n_senses + 1,
             sizeof *t->senses))
        return WD_ENOMEM;
    sn.next = t->entries[e].sense;
    t->senses[t->n_senses] = sn;
    t->entries[e].sense = (int32_t)t->n_senses++;
    return 0;
}

static enum case_rule
case_rule_of(const char *s, size_t n)
{
    size_t upper = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        upper += c >= 'A' && c <= 'Z';
        lower += c >= 'a' && c <= 'z';
    }
    if (upper >= 2 && lower == 0)
        return CASE_UPPER;
    /* Capitalised: the text must be too. A name in a script without case
     * (Arabic, Chinese, Korean ...) matches as it is. */
    uint32_t c0;
    wd_utf8_next(s, n, &c0);
    if (wd_cp_is_upper(c0))
        return CASE_CAP;
    return CASE_ANY;
}

/* Line-by-line reading of a data file. */
struct reader {
    const struct wd_tag_file *f;
    size_t pos;
    unsigned line;
    char *err;
    size_t err_cap;
};

/* The next line that is neither blank nor a comment, split on tabs into at
 * most max fields (pointers into the file, lengths in lens). Returns the
 * number of fields, 0 at the end. */
static size_t
next_line(struct reader *r, const char **fields, size_t *lens, size_t max)
{
    while (r->pos < r->f->len) {
        const char *s = r->f->text + r->pos;
        const char *nl = memchr(s, '\n', r->f->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->f->len - r->pos;
        r->pos += n + (nl != NULL);
        r->line++;
        if (n && s[n - 1] == '\r')
            n--;
        if (n == 0 || s[0] == '#')
            continue;
        size_t k = 0, start = 0;
        for (size_t i = 0; i <= n && k < max; i++) {
            if (i == n || s[i] == '\t') {
                fields[k] = s + start;
                lens[k] = i - start;
                k++;
                start = i + 1;
            }
        }
        if (start <= n && k == max && start > 0 && start < n)
            lens[max - 1] = n - (size_t)(fields[max - 1] - s);
        return k;
    }
    return 0;
}

static int
fail_at(struct reader *r, const char *fmt, const char *what, size_t n)
{
    snprintf(r->err, r->err_cap, "%s:%u: ", r->f->name, r->line);
    size_t used = strlen(r->err);
    if (used < r->err_cap)
        snprintf(r->err + used, r->err_cap - used, fmt, (int)(n > 80 ? 80 : n),
                 what);
    return WD_EINVAL;
}

static bool
field_is(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static int
country_index(struct wd_tagger *t, const char *cc, size_t n, uint16_t *idx)
{
    if (n != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
        return WD_EINVAL;
    for (size_t i = 0; i < t->n_countries; i++)
        if (t->countries[i][0] == cc[0] && t->countries[i][1] == cc[1]) {
            *idx = (uint16_t)i;
            return 0;
        }
    if (t->n_countries == MAX_COUNTRIES)
        return WD_EINVAL;
    memcpy(t->countries[t->n_countries], cc, 2);
    t->countries[t->n_countries][2] = 0;
    *idx = (uint16_t)t->n_countries++;
    return 0;
}

static int
parse_number(const char *s, size_t n, double *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return WD_EINVAL;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno || v != v || v < 0 || v > 1e12)
        return WD_EINVAL;
    *out = v;
    return 0;
}

static int
load_gazetteer(struct wd_tagger *t, struct reader *r)
{
    const char *f[4];
    size_t l[4];
    size_t k;
    while ((k = next_line(r, f, l, 4)) > 0) {
        if (k != 4)
            return fail_at(r, "want 4 tab-separated fields, not %.*s", "", 0);
        int kind = -1;
        for (int i = 0; i < (int)(sizeof kinds / sizeof kinds[0]); i++)
            if (i != K_THEME && field_is(f[2], l[2], kinds[i].name))
                kind = i;
        if (kind < 0)
            return fail_at(r, "unknown kind '%.*s'", f[2], l[2]);
        double pop;
        if (parse_number(f[3], l[3], &pop))
            return fail_at(r, "population '%.*s' is not a number", f[3], l[3]);
        /* A name ending in '*' matches words that start with it (a
         * Korean name followed by its particle: "한국은"). */
        bool prefix = l[0] > 1 && f[0][l[0] - 1] == '*';
        size_t nlen = l[0] - prefix;
        if (nlen == 0 || !wd_utf8_valid(f[0], nlen))
            return fail_at(r, "empty or invalid name%.*s", "", 0);
        struct sense sn = {.type = S_COUNTRY,
                           .kind = (uint8_t)kind,
                           .prefix = prefix,
                           .rule = (uint8_t)case_rule_of(f[0], nlen),
                           .weight = kinds[kind].weight,
                           .pop =
                               pop > UINT32_MAX ? UINT32_MAX : (uint32_t)pop};
        if (kind == K_PERSONAL) {
            if (!field_is(f[1], l[1], "-"))
                return fail_at(r, "a personal name has country '-', not '%.*s'",
                               f[1], l[1]);
            sn.type = S_PERSONAL;
        } else if (country_index(t, f[1], l[1], &sn.idx)) {
            return fail_at(r, "'%.*s' is not an ISO 3166-1 alpha-2 code", f[1],
                           l[1]);
        }
        int rc = insert(t, f[0], nlen, sn);
        if (rc == WD_ENOMEM)
            return WD_ENOMEM;
        if (rc == 2)
            return fail_at(r,
                           "name '%.*s': the word before '*' needs 3 to 24 "
                           "bytes (12 Cyrillic letters)",
                           f[0], l[0]);
    }
    return 0;
}

static bool
valid_slug(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((struct theme *)0)->slug))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return false;
    return true;
}

/* Russian nouns in -ка and many in -к- drop or gain a vowel before their
 * last consonant: the genitive plural of "поставка" is "поставок" (of
 * "выставка" "выставок"), the nominative of "обломк-а" is "обломок". A
 * prefix phrase of one Cyrillic word ending in a consonant and "к"
 * ("поставк*") matches none of these, so they are added as words of their
 * own ("поставок", "поставек": the vowel is "о" or "е", and the form that
 * is not a word matches nothing). */
static int
insert_fleeting(struct wd_tagger *t, const char *w, size_t n, struct sense sn)
{
    static const char cons[] = "бвгджзклмнпрстфхцчшщ";
    /* "к" is D0 BA; the letter before it two bytes too. */
    if (n < 6 || memchr(w, ' ', n) || (uint8_t)w[n - 2] != 0xD0 ||
        (uint8_t)w[n - 1] != 0xBA)
        return 0;
    bool consonant = false;
    for (size_t i = 0; i + 1 < sizeof cons; i += 2)
        consonant |= memcmp(w + n - 4, cons + i, 2) == 0;
    if (!consonant)
        return 0;
    static const char *const vowels[] = {"\xD0\xBE", "\xD0\xB5"}; /* о е */
    char form[PREFIX_MAX * 4 + 8];
    if (n + 2 > sizeof form)
        return 0;
    sn.prefix = false;
    for (int v = 0; v < 2; v++) {
        memcpy(form, w, n - 2);
        memcpy(form + n - 2, vowels[v], 2);
        memcpy(form + n, "\xD0\xBA", 2);
        int rc = insert(t, form, n + 2, sn);
        if (rc == WD_ENOMEM)
            return rc;
    }
    return 0;
}

static int
load_taxonomy(struct wd_tagger *t, struct reader *r)
{
    const char *f[4];
    size_t l[4];
    size_t k;
    size_t phrases = 0;
    while ((k = next_line(r, f, l, 4)) > 0) {
        if (field_is(f[0], l[0], "@theme")) {
            if (k < 3)
                return fail_at(r, "want @theme<TAB>slug<TAB>code%.*s", "", 0);
            if (!valid_slug(f[1], l[1]))
                return fail_at(r, "theme slug '%.*s' is not [a-z0-9-]+", f[1],
                               l[1]);
            /* Channel names must be prefix-free (channel.h): ZeroMQ
             * would deliver theme.trade-war to theme.trade's subscribers. */
            for (size_t i = 0; i < t->n_themes; i++) {
                const char *o = t->themes[i].slug;
                size_t ol = strlen(o), common = ol < l[1] ? ol : l[1];
                if (field_is(f[1], l[1], o))
                    return fail_at(r, "theme '%.*s' declared twice", f[1],
                                   l[1]);
                if (memcmp(o, f[1], common) == 0)
                    return fail_at(r,
                                   "theme '%.*s' and an earlier one: one slug "
                                   "is the start of the other, so one channel "
                                   "would get the other's messages",
                                   f[1], l[1]);
            }
            if (t->n_themes == MAX_THEMES)
                return fail_at(r, "more than 64 themes%.*s", "", 0);
            struct theme *th = &t->themes[t->n_themes];
            memcpy(th->slug, f[1], l[1]);
            th->slug[l[1]] = 0;
            size_t cl = l[2] < sizeof th->code ? l[2] : sizeof th->code - 1;
            memcpy(th->code, f[2], cl);
            th->code[cl] = 0;
            t->slugs[t->n_themes] = th->slug;
            t->n_themes++;
            continue;
        }
        if (field_is(f[0], l[0], "@cooccur")) {
            if (k != 4)
                return fail_at(
                    r, "want @cooccur<TAB>slug<TAB>slug<TAB>share%.*s", "", 0);
            int a = -1, b = -1;
            for (size_t i = 0; i < t->n_themes; i++) {
                if (field_is(f[1], l[1], t->themes[i].slug))
                    a = (int)i;
                if (field_is(f[2], l[2], t->themes[i].slug))
                    b = (int)i;
            }
            if (a < 0 || b < 0)
                return fail_at(r, "@cooccur of an unknown theme in '%.*s'",
                               f[a < 0 ? 1 : 2], l[a < 0 ? 1 : 2]);
            double v;
            if (parse_number(f[3], l[3], &v) || v > 1)
                return fail_at(r, "share '%.*s' is not a number in [0, 1]",
                               f[3], l[3]);
            t->cooccur[a][b] = (float)v;
            continue;
        }
        if (k != 3)
            return fail_at(r, "want phrase<TAB>slug<TAB>weight%.*s", "", 0);
        int theme = -1;
        for (size_t i = 0; i < t->n_themes; i++)
            if (field_is(f[1], l[1], t->themes[i].slug))
                theme = (int)i;
        if (theme < 0)
            return fail_at(r, "unknown theme '%.*s' (declare it with @theme)",
                           f[1], l[1]);
        double w;
        if (parse_number(f[2], l[2], &w) || w <= 0 || w > 100)
            return fail_at(r, "weight '%.*s' is not a number in (0, 100]", f[2],
                           l[2]);
        bool prefix = l[0] > 1 && f[0][l[0] - 1] == '*';
        size_t plen = l[0] - prefix;
        if (plen == 0 || !wd_utf8_valid(f[0], plen))
            return fail_at(r, "empty or invalid phrase%.*s", "", 0);
        struct sense sn = {.type = S_THEME,
                           .kind = K_THEME,
                           .rule = CASE_ANY,
                           .prefix = prefix,
                           .idx = (uint16_t)theme,
                           .weight = (float)w};
        int rc = insert(t, f[0], plen, sn);
        if (rc == WD_ENOMEM)
            return rc;
        if (rc == 1)
            return fail_at(r, "phrase '%.*s' has no letter or digit to match",
                           f[0], l[0]);
        if (rc == 2)
            return fail_at(r,
                           "phrase '%.*s': the word before '*' needs 3 to "
                           "24 bytes (12 Cyrillic letters)",
                           f[0], l[0]);
        if (prefix && insert_fleeting(t, f[0], plen, sn) == WD_ENOMEM)
            return WD_ENOMEM;
        phrases++;
    }
    if (t->n_themes == 0)
        return fail_at(r, "no @theme declared%.*s", "", 0);
    (void)phrases;
    return 0;
}

static void
mark_ambiguous(struct wd_tagger *t)
{
    for (size_t e = 0; e < t->n_entries; e++) {
        int country = -1;
        bool amb = false;
        uint8_t types = 0;
        for (int32_t i = t->entries[e].sense; i >= 0; i = t->senses[i].next) {
            const struct sense *s = &t->senses[i];
            types |= (uint8_t)(1u << s->type);
            if (s->type == S_PERSONAL)
                amb = true;
            else if (s->type == S_COUNTRY) {
                if (country >= 0 && country != s->idx)
                    amb = true;
                country = s->idx;
            }
        }
        t->entries[e].ambiguous = amb;
        t->entries[e].types = types;
    }
}

int
wd_tagger_build(const struct wd_tag_file *gaz, size_t n_gaz,
                const struct wd_tag_file *tax, struct wd_tagger **out,
                char *err, size_t err_cap)
{
    *out = NULL;
    if (err_cap)
        err[0] = 0;
    /* Once per process: a reload builds on another thread while the loop
     * thread reads the table. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_ascii);
    struct wd_tagger *t = calloc(1, sizeof *t);
    if (!t)
        return WD_ENOMEM;
    memset(t->stem_filter, 0xff, sizeof t->stem_filter); /* none */
    int rc = 0;
    /* Themes first, so that their indexes are the taxonomy's order. */
    {
        struct reader r = {.f = tax, .err = err, .err_cap = err_cap};
        rc = load_taxonomy(t, &r);
    }
    for (size_t i = 0; rc == 0 && i < n_gaz; i++) {
        struct reader r = {.f = &gaz[i], .err = err, .err_cap = err_cap};
        rc = load_gazetteer(t, &r);
    }
    if (rc) {
        if (rc == WD_ENOMEM && err_cap)
            snprintf(err, err_cap, "out of memory building the tagger");
        wd_tagger_free(t);
        return rc;
    }
    mark_ambiguous(t);
    *out = t;
    return 0;
}

void
wd_tagger_free(struct wd_tagger *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t->stems);
    free(t->entries);
    free(t->senses);
    free(t);
}

/* ---- files -------------------------------------------------------------- */

static int
read_file(const char *path, struct wd_tag_file *f, char *err, size_t err_cap)
{
    /* Without blocking: a FIFO put in place of a data file would wait for
     * a writer, and the reload with it (and a stop behind the reload). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, err_cap, "%s: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, err_cap, "%s: not a regular file", path);
        return WD_EINVAL;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        int e = errno;
        close(fd);
        snprintf(err, err_cap, "%s: %s", path, strerror(e));
        return -e;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (grow((void **)&buf, &cap, len + 65536, 1)) {
            fclose(fp);
            free(buf);
            snprintf(err, err_cap, "%s: out of memory", path);
            return WD_ENOMEM;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        snprintf(err, err_cap, "%s: read error", path);
        return -EIO;
    }
    f->name = path;
    f->text = buf;
    f->len = len;
    return 0;
}

int
wd_tagger_load(const char *dir, struct wd_tagger **out, char *err,
               size_t err_cap)
{
    static const char *const names[] = {"gazetteer.tsv", "gazetteer-extra.tsv",
                                        "taxonomy.tsv"};
    char paths[3][PATH_MAX];
    struct wd_tag_file files[3] = {{0}};
    int rc = 0;
    size_t n_gaz = 0;
    *out = NULL;
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        struct wd_tag_file f;
        if (snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]) >=
            (int)sizeof paths[i]) {
            snprintf(err, err_cap, "data directory path too long");
            rc = WD_EINVAL;
            break;
        }
        if (i == 1 && access(paths[i], F_OK) != 0)
            continue; /* the hand-maintained names are optional */
        rc = read_file(paths[i], &f, err, err_cap);
        if (rc == 0) {
            f.name = paths[i];
            if (i < 2)
                files[n_gaz++] = f;
            else
                files[2] = f;
        }
    }
    if (rc == 0)
        rc = wd_tagger_build(files, n_gaz, &files[2], out, err, err_cap);
    for (size_t i = 0; i < 3; i++)
        free((char *)files[i].text);
    return rc;
}

static bool
has_taxonomy(const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/taxonomy.tsv", dir) >= (int)sizeof p)
        return false;
    return access(p, R_OK) == 0;
}

const char *
wd_tagger_default_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("WIREDESK_DATA_DIR");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        /* <prefix>/bin/wiredesk -> <prefix>/share/wiredesk */
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            slash = strrchr(exe, '/');
            if (slash) {
                *slash = 0;
                if (snprintf(found, sizeof found, "%s/share/wiredesk", exe) <
                        (int)sizeof found &&
                    has_taxonomy(found))
                    return found;
            }
        }
    }
    if (has_taxonomy(WD_DATA_INSTALL_DIR))
        return WD_DATA_INSTALL_DIR;
    return WD_DATA_SOURCE_DIR;
}

int
wd_tagger_new(struct wd_tagger **out)
{
    char err[512];
    int rc = wd_tagger_load(wd_tagger_default_dir(), out, err, sizeof err);
    if (rc)
        fprintf(stderr, "wiredesk: tagger data: %s\n", err);
    return rc;
}

size_t
wd_tagger_theme_slugs(const struct wd_tagger *t, const char *const **slugs)
{
    *slugs = t->slugs;
    return t->n_themes;
}

void
wd_tagger_size(const struct wd_tagger *t, size_t *patterns, size_t *slots)
{
    *patterns = t->n_senses;
    *slots = t->n_slots;
}

/* ---- tagging ------------------------------------------------------------ */

/* One mention found by the scan. */
struct mention {
    uint32_t entry;
    uint32_t start, end; /* bytes of the text, [start, end) */
    bool title;
    float pos; /* position weight */
};

#define MAX_MENTIONS 2048

#define MAX_OPEN 16

/* A name still open after the words before: the trie node it reached and
 * where it starts. */
struct open_name {
    uint32_t node, start;
};

struct scan {
    const struct wd_tagger *t;
    /* The field being scanned (scan_text()). */
    bool title;
    size_t len;
    size_t brief_bytes; /* TAG_BRIEF_LEN characters of the body, in bytes */
    /* The names still open: few words leave any, so they are kept here
     * rather than in the scan loop's registers (scan_open()). */
    struct open_name open[MAX_OPEN];
    size_t n_open;
    struct mention m[MAX_MENTIONS];
    size_t n;
};

static bool
upper_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    uint32_t cp;
    wd_utf8_next(s + i, n - i, &cp);
    return wd_cp_is_upper(cp);
}

static bool
case_ok(enum case_rule rule, const char *s, size_t n, size_t start, size_t end)
{
    if (rule == CASE_ANY)
        return true;
    if (rule == CASE_CAP)
        return upper_at(s, n, start);
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            return false;
    }
    return true;
}

/* Records a mention in the field being scanned (sc->title, sc->len). */
static __attribute__((noinline)) void
add_mention(struct scan *sc, int32_t entry, size_t start, size_t end,
            bool whole)
{
    if (sc->n == MAX_MENTIONS)
        return;
    struct mention *m = &sc->m[sc->n++];
    m->entry = (uint32_t)entry;
    m->start = (uint32_t)start;
    m->end = (uint32_t)end | (whole ? 0 : 0x80000000u);
    m->title = sc->title;
    /* In a brief every word is near the start: the fall is over
     * TAG_BRIEF_LEN characters at least. */
    size_t span = sc->len > sc->brief_bytes ? sc->len : sc->brief_bytes;
    m->pos = sc->title ? TAG_TITLE_WEIGHT : 2.0f - (float)end / (float)span;
}

/* The names ending in a stem of a word (fold: its folded characters,
 * word_fold(); end: where it ends): lens has bit k when some stem of k
 * characters starts as the word does. */
static __attribute__((noinline)) void
look_up_stems(struct scan *sc, uint32_t node, size_t start,
              const unsigned char *fold, size_t end, uint32_t lens)
{
    const struct wd_tagger *t = sc->t;
    while (lens) {
        unsigned k = (unsigned)__builtin_ctz(lens);
        lens &= lens - 1;
        uint64_t key = slot_key(node, word_hash(fold, k));
        if (!filter_has(t, key))
            continue;
        const struct slot *sl = slot_find(t, key);
        if (sl && sl->entry >= 0 && t->entries[sl->entry].prefix)
            add_mention(sc, sl->entry, start, end, false);
    }
}

/* Looks a word (its hash, where it ends, fold and lens as for
 * look_up_stems()) up after node (a name still open, or one the word
 * before starts), records the names that end with it and returns the node
 * it leads on to (0: none). */
static inline __attribute__((always_inline)) uint32_t
look_up(struct scan *sc, uint32_t node, size_t start, uint64_t hash, size_t end,
        const unsigned char *fold, uint32_t lens)
{
    const struct wd_tagger *t = sc->t;
    uint32_t child = 0;
    uint64_t key = slot_key(node, hash);
    if (filter_has(t, key)) {
        const struct slot *sl = slot_find(t, key);
        if (sl) {
            if (sl->entry >= 0)
                add_mention(sc, sl->entry, start, end, true);
            child = sl->child;
        }
    }
    /* Phrases ending in '*' whose stem is shorter than the word. */
    if (lens)
        look_up_stems(sc, node, start, fold, end, lens);
    return child;
}

/* The rare part of a word's scan: the names that the words before left
 * open (sc->open[0..n_open)) and, when pair, the names of two words or
 * more the word before may start (prev_key: its slot key at the root),
 * looked up with the word (hash: its hash, or its slot key at the root,
 * which slot_key() takes the same). Leaves the names still open in
 * sc->open (in place: the k-th goes to k or before) and returns how
 * many. */
static inline __attribute__((always_inline)) size_t
scan_open(struct scan *sc, size_t n_open, bool pair, uint64_t prev_key,
          uint32_t prev_start, uint64_t hash, size_t end,
          const unsigned char *fold, uint32_t lens)
{
    struct open_name *open = sc->open;
    size_t n_next = 0;
    for (size_t k = 0; k < n_open; k++) {
        uint32_t start = open[k].start;
        uint32_t child =
            look_up(sc, open[k].node, start, hash, end, fold, lens);
        if (child) {
            open[n_next].node = child;
            open[n_next].start = start;
            n_next++;
        }
    }
    if (pair) {
        const struct slot *sl = slot_find(sc->t, prev_key);
        if (sl && sl->child) {
            uint32_t child =
                look_up(sc, sl->child, prev_start, hash, end, fold, lens);
            if (child && n_next < MAX_OPEN) {
                open[n_next].node = child;
                open[n_next].start = prev_start;
                n_next++;
            }
        }
    }
    return n_next;
}

/* The names of one word, after the root filter has let its key through
 * (scan_word() inlines it; the scan loop calls look_up_root(), out of
 * line). */
static inline __attribute__((always_inline)) void
look_up_root_inline(struct scan *sc, uint64_t key, size_t start, size_t end)
{
    const struct slot *sl = slot_find(sc->t, key);
    if (sl && sl->entry >= 0)
        add_mention(sc, sl->entry, start, end, true);
}

static __attribute__((noinline)) void
look_up_root(struct scan *sc, uint64_t key, size_t start, size_t end)
{
    look_up_root_inline(sc, key, start, end);
}

/* What the scan keeps of a word for the next one: the pair filter's bits
 * for it (all ones while names are open: the next word goes to
 * scan_word()) and its slot key at the root (0: no name it starts could
 * still be open). */
struct scan_next {
    uint64_t bits, key;
};

/* The whole scan of a word that is not the common case (no name open, no
 * pair, no stem, a short ASCII word): the names open in sc->open
 * (sc->n_open of them), the pair with the word before (prev_key,
 * prev_start), the names of one word and the stems (fold, lens). */
static __attribute__((noinline)) struct scan_next
scan_word(struct scan *sc, uint64_t prev_key, uint32_t prev_start,
          uint64_t hash, size_t start, size_t end, const unsigned char *fold,
          uint32_t lens)
{
    const struct wd_tagger *t = sc->t;
    uint64_t key = slot_key(0, hash), m = filter_mask(key);
    /* A name of two words or more started by the word before. */
    bool pair =
        prev_key != 0 &&
        (((*pair_bits(t, prev_key) & m) == m &&
          bits_have(t->pair2_filter, PAIR2_FILTER_BITS,
                    pair2_key(prev_key, key))) ||
         (lens != 0 && bits_have(t->lead_filter, LEAD_FILTER_BITS, prev_key)));
    size_t n_next = 0;
    if (sc->n_open | pair)
        n_next = scan_open(sc, sc->n_open, pair, prev_key, prev_start, key, end,
                           fold, lens);
    if ((*root_bits(t, key) & m) == m)
        look_up_root_inline(sc, key, start, end);
    if (lens)
        look_up_stems(sc, 0, start, fold, end, lens);
    sc->n_open = n_next;
    return (struct scan_next){n_next ? ~0ull : *pair_bits(t, key),
                              n_next < MAX_OPEN ? key : 0};
}

/* Every name and phrase in one field, word by word: a look-up from the
 * root for the names of one word, one after the word before for the names
 * the two may start (put off until this word: most words that start a
 * name, "the", "in", "a", are not followed by the rest of one), and one
 * for each name that the words before left open. The mentions come in the
 * same order as from a walk that opens every name a word starts: by their
 * ends, then by their starts. The loop reads the common word (up to
 * fifteen ASCII letters and digits, next_word()'s fast case) itself and
 * does only its hash and the filters, with few values live (the open
 * names are in sc), and leaves anything more to scan_word(). */
static inline __attribute__((always_inline)) void
scan_text_body(struct scan *sc, const char *s, size_t n, bool title, bool avx2)
{
    const struct wd_tagger *t = sc->t;
    sc->title = title;
    sc->len = n;
    sc->n_open = 0;
    /* The word before (scan_next). */
    uint64_t prev_bits = 0, prev_key = 0;
    uint32_t prev_start = 0;
    struct words r;
    unsigned char pad[WINDOW + 16], fold[FOLD_BYTES];
    words_init(&r, s, n, pad, avx2);
    for (;;) {
        if (!r.starts) {
            if (r.at + WINDOW >= r.n)
                return;
            window_at(&r, r.at + WINDOW);
            continue;
        }
        unsigned b = (unsigned)__builtin_ctzll(r.starts);
        unsigned run =
            (unsigned)__builtin_ctz((unsigned)(r.sep >> b) | 0x10000u);
        /* The byte after the run is no letter or digit: it is in starts
         * when it is one >= 0x80 (r.high is not needed in the loop). */
        if (__builtin_expect(run == 16 || ((r.starts >> (b + run)) & 1), 0)) {
            /* A word running past the window's end (read again from a
             * window where it starts), a long word or another byte. */
            if (b > WINDOW - 16) {
                window_at(&r, r.at + b);
                continue;
            }
            struct word w;
            if (!next_word(&r, &w, fold))
                return;
            uint32_t lens = 0;
            if (stem_maybe(t, word_start4(&w), w.len)) {
                lens = stem_lens(t, word_start4(&w), w.len);
                word_fold(&w, fold);
            }
            struct scan_next nx = scan_word(sc, prev_key, prev_start, w.hash,
                                            w.start, w.end, fold, lens);
            prev_bits = nx.bits, prev_key = nx.key;
            prev_start = (uint32_t)w.start;
            continue;
        }
        const unsigned char *q = r.src + b;
        uint64_t lower = 0x2020202020202020ull;
        uint64_t h0 = le64(load64(q) | lower) & head_masks[run][0];
        uint64_t h1 = le64(load64(q + 8) | lower) & head_masks[run][1];
        uint64_t hash = hash_end(hash_step(hash_step(0, h0), h1), run);
        size_t start = r.at + b;
        r.starts &= ~0ull << (b + run);
        uint64_t key = slot_key(0, hash), m = filter_mask(key);
        /* Stems shorter than the word (a stem as long is an exact
         * match): many of the words the filter lets through have none. */
        uint32_t lens = 0;
        if (__builtin_expect(stem_maybe(t, (uint32_t)h0, run), 0))
            lens = stem_lens_of(t, (uint32_t)h0, run);
        if (__builtin_expect((lens != 0) | ((prev_bits & m) == m), 0)) {
            /* Stems, a name open or a pair. */
            if (lens) {
                struct word w = {.head = {h0, h1}};
                word_fold(&w, fold);
            }
            struct scan_next nx = scan_word(sc, prev_key, prev_start, hash,
                                            start, start + run, fold, lens);
            prev_bits = nx.bits, prev_key = nx.key;
            prev_start = (uint32_t)start;
            continue;
        }
        /* The names of one word. */
        if ((*root_bits(t, key) & m) == m)
            look_up_root(sc, key, start, start + run);
        prev_bits = *pair_bits(t, key), prev_key = key;
        prev_start = (uint32_t)start;
    }
}

/* scan_text() twice: for the machines with BMI2 and AVX2 (the shifts by
 * a variable count, bit masks and SSE code take fewer instructions), and
 * for the others; chosen once per process (fill_ascii()). */
#if WD_TAG_DISPATCH
static __attribute__((target("bmi,bmi2,avx2"))) void
scan_text_bmi2(struct scan *sc, const char *s, size_t n, bool title)
{
    scan_text_body(sc, s, n, title, true);
}
#endif

static void
scan_text(struct scan *sc, const char *s, size_t n, bool title)
{
#if WD_TAG_DISPATCH
    if (have_bmi2) {
        scan_text_bmi2(sc, s, n, title);
        return;
    }
#endif
    scan_text_body(sc, s, n, title, false);
}

/* Is the word touching [start, end) of s a capitalised word of the same
 * sentence (a name around a personal-name place: "Michael Jordan")? */
static bool
beside_capitalised(const char *s, size_t n, size_t start, size_t end)
{
    size_t j = end;
    while (j < n && s[j] == ' ')
        j++;
    if (j > end && j < n && upper_at(s, n, j))
        return true;
    size_t i = start;
    if (i == 0 || s[i - 1] != ' ')
        return false;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    size_t w = i;
    while (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n')
        w--;
    if (w == i || !upper_at(s, n, w))
        return false;
    /* A capital after a sentence's end is no evidence. */
    size_t b = w;
    while (b > 0 && s[b - 1] == ' ')
        b--;
    if (b == 0 || s[b - 1] == '\n')
        return false;
    char c = s[b - 1];
    return c != '.' && c != '!' && c != '?' && c != ':';
}

/* True when some sense of the mention's entry holds at its place. */
static inline bool sense_applies(const struct sense *sn,
                                 const struct mention *m, const char *s,
                                 size_t n);

static bool
mention_holds(const struct wd_tagger *t, const struct mention *m, const char *s,
              size_t n)
{
    for (int32_t k = t->entries[m->entry].sense; k >= 0; k = t->senses[k].next)
        if (sense_applies(&t->senses[k], m, s, n))
            return true;
    return false;
}

/* Drops the mentions inside a longer one that holds: "Guinea" in "Papua
 * New Guinea", "port" in "Port-au-Prince", "trade" in "trade union". The
 * mentions [from, to) are one field's, in the order of their ends. */
static bool
contains(const struct mention *outer, const struct mention *inner)
{
    uint32_t so = outer->start, eo = outer->end & 0x7fffffffu;
    uint32_t si = inner->start, ei = inner->end & 0x7fffffffu;
    return outer->entry != UINT32_MAX && so <= si && eo >= ei &&
           eo - so > ei - si;
}

/* Whether m[i] lies inside a longer mention of m[from..to) that holds
 * (keep_longest()). */
static __attribute__((noinline)) bool
inside_longer(const struct wd_tagger *t, const struct mention *m, size_t from,
              size_t to, size_t i, uint32_t span, const char *s, size_t n)
{
    uint32_t ei = m[i].end & 0x7fffffffu;
    uint64_t last = (uint64_t)m[i].start + span;
    bool inside = false;
    for (size_t j = i + 1; j < to && !inside; j++) {
        uint32_t ej = m[j].end & 0x7fffffffu;
        if (ej - ei > 256 || ej > last)
            break;
        inside = contains(&m[j], &m[i]) && mention_holds(t, &m[j], s, n);
    }
    for (size_t j = i; j-- > from && !inside;) {
        if ((m[j].end & 0x7fffffffu) != ei)
            break;
        inside = contains(&m[j], &m[i]) && mention_holds(t, &m[j], s, n);
    }
    return inside;
}

static void
keep_longest(const struct wd_tagger *t, struct mention *m, size_t from,
             size_t to, const char *s, size_t n)
{
    /* Mentions come in the order of their ends: a mention containing m[i]
     * ends at or after it, so it stands after i, or before i with the same
     * end; names are shorter than 256 bytes, and none of these mentions is
     * longer than span, so one that starts at or before m[i] ends by
     * m[i].start + span. */
    uint32_t span = 0;
    for (size_t i = from; i < to; i++)
        if ((m[i].end & 0x7fffffffu) - m[i].start > span)
            span = (m[i].end & 0x7fffffffu) - m[i].start;
    for (size_t i = from; i < to; i++) {
        /* Most mentions stand apart: none after them ends by last, none
         * before ends where they do. */
        uint32_t ei = m[i].end & 0x7fffffffu;
        uint64_t last = (uint64_t)m[i].start + span;
        uint32_t en = i + 1 < to ? m[i + 1].end & 0x7fffffffu : UINT32_MAX;
        bool near = (i + 1 < to) & (en - ei <= 256) & (en <= last);
        near |= (i > from) && (m[i - 1].end & 0x7fffffffu) == ei;
        if (near && inside_longer(t, m, from, to, i, span, s, n))
            m[i].entry = UINT32_MAX;
    }
}

/* How often each phrase was seen so far in one article: a small
 * open-addressing table (an article using more distinct phrases than it
 * holds counts the rest as first uses). */
#define REPEAT_SLOTS 512
struct repeat {
    uint32_t key[REPEAT_SLOTS];
    uint16_t count[REPEAT_SLOTS];
};

static unsigned
repeat_count(struct repeat *r, uint32_t entry)
{
    uint32_t h = (entry * 2654435761u) >> 23; /* 9 bits */
    for (unsigned probe = 0; probe < 16; probe++) {
        uint32_t i = (h + probe) & (REPEAT_SLOTS - 1);
        if (r->key[i] == entry)
            return ++r->count[i];
        if (r->key[i] == UINT32_MAX) {
            r->key[i] = entry;
            r->count[i] = 1;
            return 1;
        }
    }
    return 1;
}

struct scores {
    float country[MAX_COUNTRIES];
    uint16_t ev_any[MAX_COUNTRIES]; /* unambiguous mentions */
    uint16_t ev_sub[MAX_COUNTRIES]; /* unambiguous cities and subdivisions */
    /* Corroboration (see corroborate()): the first entry that named each
     * country, whether another did, whether the body did, and whether a
     * strong name did (a national one, or a city of 100 000 or more). */
    uint32_t first_entry[MAX_COUNTRIES];
    uint8_t several[MAX_COUNTRIES], in_body[MAX_COUNTRIES],
        strong[MAX_COUNTRIES];
    float theme[MAX_THEMES];
    /* Bit i: country[i] (theme[i]) was added to; emit() looks only at
     * those. */
    uint64_t country_set[(MAX_COUNTRIES + 63) / 64];
    uint64_t theme_set[(MAX_THEMES + 63) / 64];
};

/* Notes which entry gave country idx evidence. */
static inline void
note_evidence(struct scores *sv, size_t idx, uint32_t entry,
              const struct sense *sn, bool title)
{
    if (!(sv->country_set[idx / 64] & 1ull << (idx % 64)))
        sv->first_entry[idx] = entry;
    else if (sv->first_entry[idx] != entry)
        sv->several[idx] = 1;
    sv->in_body[idx] |= !title;
    sv->strong[idx] |= kinds[sn->kind].national || sn->pop >= 100000;
}

/* Evidence that needs corroboration (common words read as places): a
 * country named only in a headline in capitals ("TURKEY PRICES FALL AHEAD
 * OF THANKSGIVING", "AMERTEX COMPLETES SALE OF UNIT") counts only when the
 * body names it too, since capitals hide whether a word is a name; a
 * country whose only evidence is one small place (a region or a town under
 * 100 000: "Gulf", "Gao", "Salé") counts only with another name of it. */
static void
corroborate(const struct wd_tagger *t, struct scores *sv, bool caps_title)
{
    for (size_t w = 0; w < (t->n_countries + 63) / 64; w++)
        for (uint64_t bits = sv->country_set[w]; bits; bits &= bits - 1) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
            bool weak = (caps_title && !sv->in_body[i]) ||
                        (!sv->strong[i] && !sv->several[i]);
            if (weak)
                sv->country[i] = 0;
        }
}

static inline __attribute__((always_inline)) bool
sense_applies(const struct sense *sn, const struct mention *m, const char *s,
              size_t n)
{
    bool boundary = !(m->end & 0x80000000u);
    size_t end = m->end & 0x7fffffffu;
    if (!boundary && !sn->prefix)
        return false;
    return case_ok((enum case_rule)sn->rule, s, n, m->start, end);
}

static void
emit(const float *score, const uint64_t *set, size_t n, float min, float rel,
     size_t max, struct wd_tag *out, size_t *n_out,
     const char *(*name)(const void *, size_t), const void *ctx)
{
    /* The candidates over the floor, best first (few: insertion sort),
     * in the order of their indexes among equals. */
    uint16_t cand[WD_TAG_MAX];
    size_t nc = 0;
    for (size_t b = 0; b < (n + 63) / 64; b++) {
        for (uint64_t bits = set[b]; bits; bits &= bits - 1) {
            size_t i = b * 64 + (size_t)__builtin_ctzll(bits);
            if (score[i] < min)
                continue;
            size_t k = nc < WD_TAG_MAX ? nc++ : WD_TAG_MAX;
            while (k > 0 && score[cand[k - 1]] < score[i]) {
                if (k < WD_TAG_MAX)
                    cand[k] = cand[k - 1];
                k--;
            }
            if (k < WD_TAG_MAX)
                cand[k] = (uint16_t)i;
        }
    }
    *n_out = 0;
    for (size_t k = 0; k < nc && *n_out < max; k++) {
        float top = score[cand[0]];
        if (score[cand[k]] < rel * top)
            break;
        struct wd_tag *tg = &out[(*n_out)++];
        const char *nm = name(ctx, cand[k]);
        size_t len = strnlen(nm, sizeof tg->code - 1);
        memcpy(tg->code, nm, len);
        tg->code[len] = 0;
        tg->score = score[cand[k]] / top;
    }
}

/* Themes: the best one, then those over TAG_THEME_MIN whose relevance
 * (score relative to the best, plus TAG_THEME_COOCCUR times how often the
 * best theme's articles also carry them in the labelled set) reaches
 * TAG_THEME_REL, best first; at most TAG_THEMES_MAX. */
static void
emit_themes(const struct wd_tagger *t, const float *score, uint64_t set,
            struct wd_tags *out)
{
    size_t best = SIZE_MAX;
    for (uint64_t bits = set; bits; bits &= bits - 1) {
        size_t i = (size_t)__builtin_ctzll(bits);
        if (best == SIZE_MAX || score[i] > score[best])
            best = i;
    }
    out->n_themes = 0;
    if (best == SIZE_MAX || score[best] < TAG_THEME_MIN)
        return;
    float top = score[best];
    struct {
        uint16_t idx;
        float rel;
    } cand[MAX_THEMES];
    size_t nc = 0;
    cand[nc].idx = (uint16_t)best, cand[nc++].rel = 1.0f;
    for (uint64_t bits = set & ~(1ull << best); bits; bits &= bits - 1) {
        size_t i = (size_t)__builtin_ctzll(bits);
        if (score[i] < TAG_THEME_MIN)
            continue;
        float rel = score[i] / top + TAG_THEME_COOCCUR * t->cooccur[best][i];
        if (rel < TAG_THEME_REL)
            continue;
        size_t k = nc++;
        while (k > 1 && cand[k - 1].rel < rel) {
            cand[k] = cand[k - 1];
            k--;
        }
        cand[k].idx = (uint16_t)i, cand[k].rel = rel;
    }
    for (size_t k = 0; k < nc && k < TAG_THEMES_MAX && k < WD_TAG_MAX; k++) {
        struct wd_tag *tg = &out->themes[out->n_themes++];
        const char *nm = t->themes[cand[k].idx].slug;
        size_t len = strnlen(nm, sizeof tg->code - 1);
        memcpy(tg->code, nm, len);
        tg->code[len] = 0;
        tg->score = cand[k].rel < 1.0f ? cand[k].rel : 1.0f;
    }
}

static const char *
country_name(const void *ctx, size_t i)
{
    return ((const struct wd_tagger *)ctx)->countries[i];
}

int
wd_tagger_tag(const struct wd_tagger *t, const char *title, size_t tlen,
              const char *body, size_t blen, struct wd_tags *out)
{
    memset(out, 0, sizeof *out);
    /* Everything on the stack (about 49 KiB): no allocation per call. */
    struct scan scan, *sc = &scan;
    struct scores scores, *sv = &scores;
    memset(sv, 0, sizeof *sv);
    sc->t = t;
    sc->n = 0;
    /* Lengths in Latin letters: a letter of an alphabet written with two
     * bytes in UTF-8 (Cyrillic, Greek, Armenian, Hebrew, Arabic, Latin
     * with diacritics) counts one, as an English letter does, so that a
     * Russian story is as long as an English one of as many letters. A
     * character of three bytes or four (Han, kana, Thai: about as much as
     * a short word) keeps counting its bytes. */
    size_t bchars = blen, at = 0;
    const unsigned char *ub = (const unsigned char *)body;
    for (; at + 8 <= blen; at += 8) { /* eight bytes at a time: 0xC0..0xDF */
        uint64_t y =
            (load64(ub + at) & 0xE0E0E0E0E0E0E0E0ull) ^ 0xC0C0C0C0C0C0C0C0ull;
        uint64_t z = ~(((y & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) |
                       y | 0x7F7F7F7F7F7F7F7Full);
        /* (z has bit 7 of a byte set for each such byte: summed by a
         * multiply, as the build may have no popcount instruction.) */
        bchars -= (size_t)(((z >> 7) * 0x0101010101010101ull) >> 56);
    }
    for (; at < blen; at++)
        bchars -= (ub[at] & 0xE0) == 0xC0;
    sc->brief_bytes =
        bchars ? (size_t)((double)TAG_BRIEF_LEN * (double)blen / (double)bchars)
               : TAG_BRIEF_LEN;
    scan_text(sc, title, tlen, true);
    size_t n_title = sc->n;
    keep_longest(t, sc->m, 0, n_title, title, tlen);
    scan_text(sc, body, blen, false);
    keep_longest(t, sc->m, n_title, sc->n, body, blen);
    /* The mentions' senses, fetched all at once rather than one miss
     * after another in the loops below. */
    for (size_t i = 0; i < sc->n; i++)
        if (sc->m[i].entry != UINT32_MAX)
            __builtin_prefetch(&t->senses[t->entries[sc->m[i].entry].sense]);

    /* Evidence from unambiguous mentions; the ambiguous ones are kept for
     * the second loop (amb: their indexes, in order). */
    struct repeat rep;
    memset(rep.key, 0xff, sizeof rep.key);
    uint16_t amb[MAX_MENTIONS];
    size_t n_amb = 0;
    for (size_t i = 0; i < sc->n; i++) {
        const struct mention *m = &sc->m[i];
        if (m->entry == UINT32_MAX)
            continue;
        const struct entry *en = &t->entries[m->entry];
        if (en->ambiguous) {
            amb[n_amb++] = (uint16_t)i;
            continue;
        }
        const char *s = m->title ? title : body;
        size_t n = m->title ? tlen : blen;
        bool place = false;
        for (int32_t k = (en->types & 1u << S_COUNTRY) ? en->sense : -1; k >= 0;
             k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (sn->type == S_COUNTRY && sense_applies(sn, m, s, n)) {
                place = true;
                note_evidence(sv, sn->idx, m->entry, sn, m->title);
                sv->country[sn->idx] += sn->weight * m->pos;
                sv->country_set[sn->idx / 64] |= 1ull << (sn->idx % 64);
                if (!m->title) {
                    sv->ev_any[sn->idx]++;
                    if (!kinds[sn->kind].national)
                        sv->ev_sub[sn->idx]++;
                }
            }
        }
        if (place) /* "Réunion" the place is not a reunion */
            continue;
        /* The k-th use of one phrase counts 1/k: a word repeated all
         * through a story ("plane") does not outweigh every other. */
        /* (Counted for every entry, themes or not: the table fills as
         * before.) */
        unsigned uses = repeat_count(&rep, m->entry);
        if (!(en->types & 1u << S_THEME))
            continue;
        float damp = 1.0f / (float)uses;
        for (int32_t k = en->sense; k >= 0; k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (sn->type == S_THEME && sense_applies(sn, m, s, n)) {
#ifdef TAG_DEBUG
                fprintf(stderr, "  %s <- '%.*s' %.2f\n",
                        t->themes[sn->idx].slug,
                        (int)((m->end & 0x7fffffffu) - m->start), s + m->start,
                        sn->weight * m->pos * damp);
#endif
                sv->theme[sn->idx] += sn->weight * m->pos * damp;
                sv->theme_set[sn->idx / 64] |= 1ull << (sn->idx % 64);
            }
        }
    }
    /* Ambiguous names: the sense the text supports best. */
    for (size_t a = 0; a < n_amb; a++) {
        const struct mention *m = &sc->m[amb[a]];
        const struct entry *en = &t->entries[m->entry];
        const char *s = m->title ? title : body;
        size_t n = m->title ? tlen : blen;
        bool personal = false, national = false;
        uint32_t max_pop = 1;
        for (int32_t k = en->sense; k >= 0; k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (!sense_applies(sn, m, s, n))
                continue;
            if (sn->type == S_PERSONAL)
                personal = true;
            if (sn->type == S_COUNTRY && kinds[sn->kind].national)
                national = true;
            if (sn->type == S_COUNTRY && sn->pop > max_pop)
                max_pop = sn->pop;
        }
        const struct sense *best = NULL;
        float best_v = -1;
        for (int32_t k = en->sense; k >= 0; k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (sn->type != S_COUNTRY || !sense_applies(sn, m, s, n))
                continue;
            bool nat = kinds[sn->kind].national;
            float prior =
                nat ? 1.0f : 0.5f + 0.25f * (float)sn->pop / (float)max_pop;
            float support =
                (!nat && national) ? sv->ev_sub[sn->idx] : sv->ev_any[sn->idx];
            float v = prior + support;
            if (v > best_v)
                best_v = v, best = sn;
        }
        if (!best)
            continue;
        /* A name that is also a person's counts only when the text names
         * the country another way too ("Amman", "Jordanian"), and, in the
         * body, not beside another capitalised word ("Michael Jordan"). */
        if (personal &&
            (sv->ev_any[best->idx] == 0 ||
             (!m->title &&
              beside_capitalised(s, n, m->start, m->end & 0x7fffffffu))))
            continue;
        note_evidence(sv, best->idx, m->entry, best, m->title);
        sv->country[best->idx] += best->weight * m->pos;
        sv->country_set[best->idx / 64] |= 1ull << (best->idx % 64);
    }
    bool caps_title = tlen > 0;
    bool any_letter = false;
    for (size_t i = 0; i < tlen && caps_title; i++) {
        caps_title = !(title[i] >= 'a' && title[i] <= 'z');
        any_letter |= title[i] >= 'A' && title[i] <= 'Z';
    }
    corroborate(t, sv, caps_title && any_letter);
    float cmin = TAG_COUNTRY_MIN;
    if (bchars < TAG_BRIEF_LEN)
        cmin *= 0.5f + 0.5f * (float)bchars / (float)TAG_BRIEF_LEN;
    else if (bchars > TAG_LONG_LEN)
        cmin *= sqrtf((float)bchars / (float)TAG_LONG_LEN);
    emit(sv->country, sv->country_set, t->n_countries, cmin, TAG_COUNTRY_REL,
         WD_TAG_MAX, out->countries, &out->n_countries, country_name, t);
    emit_themes(t, sv->theme, sv->theme_set[0], out);
    return 0;
}

int
wd_tagger_place(const struct wd_tagger *t, const char *place, size_t n,
                char cc[3])
{
    cc[0] = '\0';
    /* A dateline's place is a place: every name in it is read with its
     * place senses only (Houston the city, not the surname), the most
     * national kind winning, then the later part, then the most populous.
     * "BAKU, Azerbaijan" gives AZ from both; "KEENE, N.H." and "SAVANNAH,
     * Ga." (a region of Ghana too) give US from the state. */
    struct scan *sc = malloc(sizeof *sc);
    if (!sc)
        return WD_ENOMEM;
    sc->t = t;
    sc->n = 0;
    scan_text(sc, place, n, false);
    int best = -1, best_rank = -1;
    uint32_t best_pop = 0, best_start = 0;
    for (size_t i = 0; i < sc->n; i++) {
        const struct mention *m = &sc->m[i];
        if (m->entry == UINT32_MAX)
            continue;
        const struct entry *en = &t->entries[m->entry];
        for (int32_t k = (en->types & 1u << S_COUNTRY) ? en->sense : -1; k >= 0;
             k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (sn->type != S_COUNTRY || sn->kind == K_PERSONAL)
                continue;
            /* A later part qualifies an earlier one ("SAVANNAH, Ga."):
             * at the same rank it wins, then the most populous. */
            int rank = kinds[sn->kind].national ? 2 : 1;
            if (rank > best_rank ||
                (rank == best_rank &&
                 (m->start > best_start ||
                  (m->start == best_start && sn->pop > best_pop)))) {
                best = sn->idx;
                best_rank = rank;
                best_pop = sn->pop;
                best_start = m->start;
            }
        }
    }
    free(sc);
    if (best < 0)
        return WD_ENOTFOUND;
    memcpy(cc, t->countries[best], 3);
    return 0;
}

void
wd_tags_put_place(struct wd_tags *tags, const char cc[3])
{
    size_t at = tags->n_countries;
    for (size_t i = 0; i < tags->n_countries; i++)
        if (strcmp(tags->countries[i].code, cc) == 0)
            at = i;
    if (at == tags->n_countries) {
        if (tags->n_countries < WD_TAG_MAX)
            tags->n_countries++;
        at = tags->n_countries - 1;
    }
    memmove(&tags->countries[1], &tags->countries[0],
            at * sizeof tags->countries[0]);
    memset(&tags->countries[0], 0, sizeof tags->countries[0]);
    memcpy(tags->countries[0].code, cc, 3);
    tags->countries[0].score = 1.0f;
}
