#include "wd/text.h"

#include "wd/arena.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* wd_text_key()'s ASCII with AVX-512 VBMI and VBMI2 beside the portable
 * loop, chosen at run time (-DWD_TEXT_DISPATCH=0: the portable one only). */
#ifndef WD_TEXT_DISPATCH
#if defined(__x86_64__) && defined(__GNUC__)
#define WD_TEXT_DISPATCH 1
#else
#define WD_TEXT_DISPATCH 0
#endif
#endif
#if WD_TEXT_DISPATCH
#include <immintrin.h>
#endif

size_t
wd_ascii_span(const char *s, size_t n)
{
    /* Eight bytes at a time: most of every page is ASCII. */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080u)
            break;
    }
    while (i < n && !((unsigned char)s[i] & 0x80))
        i++;
    return i;
}

bool
wd_utf8_valid(const char *s, size_t n)
{
    /* libunistring decides every multi-byte sequence (overlong forms,
     * surrogates, the range's end); ASCII runs between them are skipped
     * word by word, not checked byte by byte. */
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while ((i += wd_ascii_span(s + i, n - i)) < n) {
        ucs4_t uc;
        int k = u8_mbtoucr(&uc, u + i, n - i);
        if (k < 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

const char *
wd_utf8_repair(const char *s, struct wd_arena *a)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (wd_utf8_valid(s, n))
        return s;
    char *out = wd_arena_alloc(a, n * 3 + 1); /* a byte becomes 3 at most */
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = wd_utf8_next(s + i, n - i, &cp);
        if (cp == 0xFFFD &&
            !(k == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0)) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
        }
        i += k;
    }
    out[o] = '\0';
    return out;
}

size_t
wd_utf8_encode(uint32_t cp, char *out, size_t cap)
{
    uint8_t buf[6];
    int k = u8_uctomb(buf, (ucs4_t)cp, sizeof buf);
    if (k <= 0 || (size_t)k > cap)
        return 0;
    memcpy(out, buf, (size_t)k);
    return (size_t)k;
}

size_t
wd_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    ucs4_t uc;
    int len = u8_mbtouc(&uc, (const uint8_t *)s, n);
    if (len <= 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = uc;
    return (size_t)len;
}

/* The General Punctuation block (U+2000..U+206F: spaces, dashes, quotes,
 * the ellipsis, bullets), common in news text, has no letter or digit:
 * answered without libunistring's tables (test_core checks every code
 * point against them). */
static bool
general_punctuation(uint32_t cp)
{
    return cp >= 0x2000 && cp <= 0x206F;
}

bool
wd_cp_is_alpha(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return !general_punctuation(cp) && uc_is_alpha(cp);
}

bool
wd_cp_is_alnum(uint32_t cp)
{
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ||
               (cp >= '0' && cp <= '9');
    return !general_punctuation(cp) && uc_is_alnum(cp);
}

bool
wd_cp_is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    return uc_is_upper(cp);
}

bool
wd_cp_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return cp == 0xA0 || cp == 0x2007 || cp == 0x202F || uc_is_space(cp);
}

uint32_t
wd_cp_tolower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    return uc_tolower(cp);
}

bool
wd_cp_is_mark(uint32_t cp)
{
    return cp >= 0x300 && uc_is_general_category(cp, UC_CATEGORY_M);
}

bool
wd_cp_unspaced(uint32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF) || /* Thai, Lao */
           (cp >= 0x1000 && cp <= 0x109F) || /* Myanmar */
           (cp >= 0x1780 && cp <= 0x17FF) || /* Khmer */
           (cp >= 0x2E80 && cp <= 0x2FDF) || /* CJK radicals */
           (cp >= 0x3040 && cp <= 0x30FF) || /* Hiragana, Katakana */
           (cp >= 0x3400 && cp <= 0x4DBF) || /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) || /* CJK unified */
           (cp >= 0xF900 && cp <= 0xFAFF) || /* CJK compatibility */
           (cp >= 0x20000 && cp <= 0x3134F); /* CJK extensions B-G */
}

/* The classes of the ASCII characters, as the Unicode functions give
 * them: most of most pages is ASCII, and a table beats a decode and three
 * property look-ups. */
enum { A_ALPHA = 1, A_ALNUM = 2, A_SPACE = 4, A_UPPER = 8 };
static unsigned char ascii_class[256]; /* 0 above 0x7F */
static pthread_once_t ascii_once = PTHREAD_ONCE_INIT;
static void block_init(void);
static char key_lower[256]; /* an ASCII letter or digit as wd_text_key()
                               writes it, 0 for any other byte */
#if WD_TEXT_DISPATCH
static bool have_vbmi2; /* key_block() can run */
#endif

static void
ascii_init(void)
{
    for (uint32_t c = 0; c < 128; c++)
        ascii_class[c] =
            (unsigned char)((wd_cp_is_alpha(c) ? A_ALPHA : 0) |
                            (wd_cp_is_alnum(c) ? A_ALNUM : 0) |
                            (wd_cp_is_space(c) ? A_SPACE : 0) |
                            (uc_is_upper(c) || uc_is_property_titlecase(c)
                                 ? A_UPPER
                                 : 0));
    for (unsigned c = 0; c < 128; c++)
        key_lower[c] = wd_ascii_key_char((unsigned char)c);
#if WD_TEXT_DISPATCH
    __builtin_cpu_init();
    have_vbmi2 = __builtin_cpu_supports("avx512f") &&
                 __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vbmi") &&
                 __builtin_cpu_supports("avx512vbmi2");
#endif
    block_init();
}

/* Apostrophes inside a word ("Kazakhstan’s") keep the word whole, so the
 * key of a possessive does not grow a stray one-letter word. */
static bool
is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

#if WD_TEXT_DISPATCH
/* What wd_text_key()'s byte-wise ASCII loop does, over the 64 bytes at s,
 * all ASCII and none an apostrophe, with room for them and a space at
 * out + *o: the letters and digits lower-cased by a table look-up
 * (key_lower's first half), the byte before each word that has one before
 * it made a space, and those compressed to out + *o. Returns false, writing
 * nothing, when the bytes are not all such. */
static __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2"))) bool
key_block(const char *s, char *out, size_t *o, size_t *word_start_o,
          bool *in_word)
{
    __m512i v = _mm512_loadu_si512(s);
    if (_mm512_movepi8_mask(v) |
        _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\'')))
        return false;
    __m512i lo = _mm512_loadu_si512(key_lower),
            hi = _mm512_loadu_si512(key_lower + 64);
    __m512i k = _mm512_permutex2var_epi8(lo, v, hi);
    uint64_t key = _mm512_test_epi8_mask(k, k);
    /* Word starts: a key byte after a byte that is none (the block's first
     * after the block before). */
    uint64_t starts = key & ~(key << 1 | (uint64_t)*in_word);
    /* A space before each start that has output before it: in the byte
     * before it, or before the block for a start at its first byte. */
    uint64_t spaces = starts >> 1;
    size_t at = *o;
    if (at == 0 && starts) /* the first word of the key: none before it */
        spaces &= ~(starts & -starts) >> 1;
    if ((starts & 1) && at > 0)
        out[at++] = ' ';
    uint64_t keep = key | spaces;
    k = _mm512_mask_blend_epi8(spaces, k, _mm512_set1_epi8(' '));
    _mm512_storeu_si512(out + at, _mm512_maskz_compress_epi8(keep, k));
    if (starts) {
        unsigned last = 63u - (unsigned)__builtin_clzll(starts);
        uint64_t below = last ? keep & (~0ull >> (64 - last)) : 0;
        *word_start_o = at + (size_t)__builtin_popcountll(below);
    }
    *o = at + (size_t)__builtin_popcountll(keep);
    *in_word = key >> 63;
    return true;
}
#endif

size_t
wd_text_key(const char *s, size_t n, char *out, size_t cap)
{
    pthread_once(&ascii_once, ascii_init);
    size_t o = 0, i = 0, word_start_o = 0;
    bool in_word = false, truncated = false;
    if (cap == 0)
        return 0;
    while (i < n && !truncated) {
#if WD_TEXT_DISPATCH
        /* (64 bytes at a time where the loop below would have written
         * them all: the same key.) */
        if (have_vbmi2)
            while (i + 64 <= n && o + 67 < cap &&
                   key_block(s + i, out, &o, &word_start_o, &in_word))
                i += 64;
#endif
        /* ASCII but the apostrophe, most of any text, while a space and a
         * letter fit: a letter or digit lower-cased by a table, any other
         * byte ends the word; without a branch on which (words are short:
         * a branch at each of their ends was mispredicted). */
        while (i < n && (unsigned char)s[i] < 0x80 && s[i] != '\'' &&
               o + 2 < cap) {
            char k = key_lower[(unsigned char)s[i++]];
            bool start = k && !in_word;
            out[o] = ' ';
            o += start && o > 0;
            word_start_o = start ? o : word_start_o;
            out[o] = k;
            o += k != 0;
            in_word = k != 0;
        }
        if (i == n)
            break;
        /* A run of ASCII letters and digits near the end of the room,
         * lower-cased by a table; the loop below does the same for one
         * code point. */
        if (key_lower[(unsigned char)s[i]]) {
            if (!in_word) {
                if (o > 0) {
                    if (o + 1 >= cap) {
                        truncated = true;
                        break;
                    }
                    out[o++] = ' ';
                }
                word_start_o = o;
                in_word = true;
            }
            char k;
            while (i < n && (k = key_lower[(unsigned char)s[i]]) != 0) {
                if (o + 1 >= cap) {
                    truncated = true;
                    break;
                }
                out[o++] = k;
                i++;
            }
            continue;
        }
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (wd_cp_is_alnum(cp)) {
            /* A letter of a script written without spaces (Chinese,
             * Japanese, Thai) is a word of its own, so that shingles and
             * leads are over characters there. */
            if (in_word && wd_cp_unspaced(cp))
                in_word = false;
            if (!in_word && o > 0) {
                if (o + 1 >= cap) {
                    truncated = true;
                    break;
                }
                out[o++] = ' ';
            }
            if (!in_word)
                word_start_o = o;
            in_word = true;
            uint8_t buf[16];
            if (cp < 0x80) {
                buf[0] = (uint8_t)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
                len = 1;
                if (o + 1 >= cap) {
                    truncated = true;
                    break;
                }
                out[o++] = (char)buf[0];
            } else {
                ucs4_t folded = uc_tolower(cp);
                int w = u8_uctomb(buf, folded, sizeof buf);
                if (w <= 0 || o + (size_t)w >= cap) {
                    truncated = true;
                    break;
                }
                memcpy(out + o, buf, (size_t)w);
                o += (size_t)w;
                if (wd_cp_unspaced(cp))
                    in_word = false;
            }
        } else if (in_word && is_apostrophe(cp) && i + len < n) {
            /* Skip the apostrophe itself; the word goes on if a letter
             * follows. */
            uint32_t next;
            wd_utf8_next(s + i + len, n - i - len, &next);
            if (!wd_cp_is_alnum(next))
                in_word = false;
        } else {
            in_word = false;
        }
        i += len;
    }
    if (truncated) {
        /* Cut on a word boundary so that the key never ends mid-word. */
        o = word_start_o;
        while (o > 0 && out[o - 1] == ' ')
            o--;
    }
    out[o] = '\0';
    return o;
}

static bool
is_open_quote(uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == 0x201C || cp == 0x2018 ||
           cp == 0xAB || cp == '(' || cp == '[';
}

/* Sixteen bytes at a time. Printable ASCII (0x20-0x7E), most of any
 * page, is classified by comparisons into bit masks (bit k: byte k), and
 * the counts come from the masks: a word starts at an alphanumeric byte
 * after none; a word is made only of digits when adding its start to the
 * digit mask carries past its end onto a byte that is no part of a word.
 * Where the masks' classes are not ascii_class's (never, on any libunistring
 * seen), or without SSE2, every byte takes the loop below. */
static bool block_ok; /* the masks agree with ascii_class */
static unsigned char pop8[256];

static void
block_init(void)
{
    block_ok = true;
    for (unsigned c = 0x20; c < 0x7F; c++) {
        bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        bool digit = c >= '0' && c <= '9';
        unsigned want = (letter ? A_ALPHA | A_ALNUM : 0) |
                        (digit ? A_ALNUM : 0) | (c == ' ' ? A_SPACE : 0);
        if ((ascii_class[c] & (A_ALPHA | A_ALNUM | A_SPACE)) != want)
            block_ok = false;
    }
    for (unsigned i = 0; i < 256; i++)
        pop8[i] = (unsigned char)((i & 1) + pop8[i / 2]);
}

static inline unsigned
pop16(uint32_t x)
{
    return pop8[x & 0xFF] + pop8[(x >> 8) & 0xFF];
}

#ifdef __SSE2__
/* The masks of s[0..16): letters, digits and spaces; false when a byte is
 * not printable ASCII. */
static inline bool
masks16(const char *s, uint32_t *alpha, uint32_t *digit, uint32_t *space)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* (Signed: bytes from 0x80 are negative, below 0x20.) */
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                               _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
    if (_mm_movemask_epi8(bad))
        return false;
    __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));
    __m128i a = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                              _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
    __m128i d = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                              _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    *alpha = (uint32_t)_mm_movemask_epi8(a);
    *digit = (uint32_t)_mm_movemask_epi8(d);
    *space = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
    return true;
}
#endif

void
wd_text_stats(const char *s, size_t n, struct wd_text_stats *out)
{
    pthread_once(&ascii_once, ascii_init);
    /* Counted in a local copy: stores through out could alias s, and the
     * compiler would then keep every counter in memory. */
    struct wd_text_stats st = {0};
    bool in_word = false, word_has_alpha = false, seen_first = false;
    size_t i = 0;
    while (i < n) {
#ifdef __SSE2__
        uint32_t am, dm, sm;
        /* (Once the first letter is seen: the blocks do not look for it.) */
        if (seen_first && block_ok && n - i >= 16 &&
            masks16(s + i, &am, &dm, &sm)) {
            uint32_t wm = am | dm;
            uint32_t starts = wm & ~((wm << 1) | in_word);
            /* A word of digits so far, going on into the block. */
            bool digits_on = in_word && !word_has_alpha;
            if (digits_on && !(wm & 1))
                st.num_words++;
            uint32_t sum = dm + ((starts & dm) | (digits_on && (dm & 1)));
            st.num_words += pop16(sum & ~dm & ~wm & 0xFFFF);
            st.words += pop16(starts);
            st.letters += pop16(am);
            st.digits += pop16(dm);
            st.other += 16 - pop16(wm) - pop16(sm);
            in_word = wm >> 15;
            /* A carry out of the block: its last word is digits so far. */
            word_has_alpha = in_word && !(sum >> 16);
            i += 16;
            continue;
        }
#endif
        uint32_t cp;
        size_t len;
        bool alpha, alnum;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && (ascii_class[c] & A_ALPHA)) {
            /* A run of ASCII letters, most of any text, in one loop. */
            if (!in_word)
                st.words++, word_has_alpha = false, in_word = true;
            word_has_alpha = true;
            if (!seen_first)
                seen_first = true, st.first_upper = ascii_class[c] & A_UPPER;
            size_t j = i + 1;
            while (j < n && (ascii_class[(unsigned char)s[j]] & A_ALPHA))
                j++;
            st.letters += j - i;
            i = j;
            continue;
        }
        if (c < 0x80) {
            cp = c;
            len = 1;
            alpha = ascii_class[c] & A_ALPHA;
            alnum = alpha || (ascii_class[c] & A_ALNUM);
        } else {
            len = wd_utf8_next(s + i, n - i, &cp);
            alpha = wd_cp_is_alpha(cp);
            alnum = alpha || wd_cp_is_alnum(cp);
        }
        if (alnum) {
            if (!in_word) {
                st.words++;
                word_has_alpha = false;
            }
            in_word = true;
            if (alpha) {
                st.letters++;
                word_has_alpha = true;
            } else {
                st.digits++;
            }
            if (!seen_first) {
                seen_first = true;
                st.first_upper =
                    !alpha || (cp < 0x80 ? (ascii_class[cp] & A_UPPER)
                                         : uc_is_upper(cp) ||
                                               uc_is_property_titlecase(cp));
            }
        } else {
            if (in_word && !word_has_alpha)
                st.num_words++;
            in_word = false;
            if (!(cp < 0x80 ? (ascii_class[cp] & A_SPACE)
                            : wd_cp_is_space(cp))) {
                st.other++;
                if (!seen_first && !is_open_quote(cp) && cp != 0x2022 &&
                    cp != '-' && cp != '*')
                    seen_first = true, st.first_upper = false;
            }
        }
        i += len;
    }
    if (in_word && !word_has_alpha)
        st.num_words++;
    /* Every word has a letter or is digits only. */
    st.alpha_words = st.words - st.num_words;
    *out = st;
}

size_t
wd_text_line(const char *text, size_t len, size_t *pos, const char **line)
{
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *pos += l + (nl != NULL);
    *line = s;
    return l;
}

size_t
wd_text_starts_any(const char *s, size_t n, const char *const *forms,
                   size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t k = strlen(forms[i]);
        if (n >= k && memcmp(s, forms[i], k) == 0)
            return k;
    }
    return 0;
}

size_t
wd_text_ends_any(const char *s, size_t n, const char *const *forms,
                 size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t k = strlen(forms[i]);
        if (n >= k && memcmp(s + n - k, forms[i], k) == 0)
            return k;
    }
    return 0;
}

bool
wd_text_contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    int first = tolower((unsigned char)needle[0]);
    for (; *hay; hay++)
        if (tolower((unsigned char)*hay) == first &&
            strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

size_t
wd_text_trim(const char **s, size_t n)
{
    while (n && isspace((unsigned char)**s))
        (*s)++, n--;
    while (n && isspace((unsigned char)(*s)[n - 1]))
        n--;
    return n;
}

bool
wd_cp_is_blank(uint32_t cp)
{
    return wd_cp_is_space(cp) || cp == 0xFEFF || cp == 0x200B;
}

/* Trims Unicode white space at both ends of s[0..*n). */
const char *
wd_text_strip(const char *s, size_t *n)
{
    size_t b = 0, e = *n;
    while (b < e) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + b, e - b, &cp);
        if (!wd_cp_is_blank(cp))
            break;
        b += len;
    }
    while (e > b) {
        /* Step back to the start of the last code point. */
        size_t p = e - 1;
        while (p > b && ((unsigned char)s[p] & 0xC0) == 0x80)
            p--;
        uint32_t cp;
        wd_utf8_next(s + p, e - p, &cp);
        if (!wd_cp_is_blank(cp))
            break;
        e = p;
    }
    *n = e - b;
    return s + b;
}

/* The last code point of s[0..n), n > 0. */
uint32_t
wd_text_last_cp(const char *s, size_t n)
{
    size_t p = n - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    uint32_t cp;
    wd_utf8_next(s + p, n - p, &cp);
    return cp;
}

void
wd_text_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digit[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digit[b[i] >> 4];
        out[2 * i + 1] = digit[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void
wd_text_hex64(uint64_t v, char out[17])
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    wd_text_hex(b, 8, out);
}

size_t
wd_text_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}
