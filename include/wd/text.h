/* UTF-8 text helpers shared by the parsers, the fingerprints and the tagger:
 * pure functions over buffers, built on GNU libunistring so that validation,
 * letter classes and case folding follow Unicode rather than ASCII guesses.
 */
#ifndef WD_TEXT_H
#define WD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF). */
bool wd_utf8_valid(const char *s, size_t n);

/* The length of s's leading run of ASCII bytes. */
size_t wd_ascii_span(const char *s, size_t n);

/* An ASCII letter or digit as the matching keys write it (lower case), 0
 * for any other byte: what wd_text_key, the tagger's and the clusterer's
 * word readers make of ASCII without decoding it. */
static inline char
wd_ascii_key_char(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? (char)c : 0;
}

/* Whether the eight bytes of x (as loaded from memory) are all ASCII from
 * the space up (0x20-0x7F) and none is c: exact tests of the bytes as one
 * word ("Bit Twiddling Hacks": hasless, haszero). For the loops that take
 * the common run of a line eight bytes at a time. */
static inline bool
wd_ascii8_from_space(uint64_t x, unsigned char c)
{
    const uint64_t L = 0x0101010101010101ULL, H = 0x8080808080808080ULL;
    uint64_t e = x ^ (L * c);
    return !((x & H) | ((x - L * 0x20) & ~x & H) | ((e - L) & ~e & H));
}

/* The next line of text[*pos..len), without its '\n': sets *line, returns
 * its length and moves *pos past the newline. Call while *pos < len. */
size_t wd_text_line(const char *text, size_t len, size_t *pos,
                    const char **line);

/* Moves *s past leading ASCII white space and returns the length of what
 * is left of s[0..n) without trailing white space. */
size_t wd_text_trim(const char **s, size_t n);

/* The length of the first of forms[0..count) that s[0..n) starts with
 * (ends with), or 0. */
size_t wd_text_starts_any(const char *s, size_t n, const char *const *forms,
                          size_t count);
size_t wd_text_ends_any(const char *s, size_t n, const char *const *forms,
                        size_t count);

/* True when needle occurs in hay, ASCII letters compared without case. */
bool wd_text_contains_ci(const char *hay, const char *needle);

struct wd_arena;

/* s as valid UTF-8: s itself when it is, else a copy in the arena with each
 * invalid sequence replaced by U+FFFD (NULL when s is NULL or memory ran
 * out). */
const char *wd_utf8_repair(const char *s, struct wd_arena *a);

/* Encodes code point cp as UTF-8 into out; returns the bytes written, 0
 * when they do not fit in cap. */
size_t wd_utf8_encode(uint32_t cp, char *out, size_t cap);

/* Decodes one code point at s[0..n), n > 0. Returns the bytes consumed (at
 * least 1); an invalid sequence yields U+FFFD and consumes one byte. */
size_t wd_utf8_next(const char *s, size_t n, uint32_t *cp);

/* True for letters and digits of any script. */
bool wd_cp_is_alnum(uint32_t cp);

/* True for letters of any script. */
bool wd_cp_is_alpha(uint32_t cp);

/* True for upper-case (and title-case) letters of any script. */
bool wd_cp_is_upper(uint32_t cp);

/* True for Unicode white space, including NO-BREAK SPACE. */
bool wd_cp_is_space(uint32_t cp);

/* The lower-case form of cp (cp itself when it has none). */
uint32_t wd_cp_tolower(uint32_t cp);

/* True for a combining mark (general category M: Mn, Mc, Me), which
 * belongs to the letter before it. */
bool wd_cp_is_mark(uint32_t cp);

/* True for a letter of a script written without spaces between words:
 * Han, Hiragana, Katakana, Thai, Lao, Myanmar, Khmer. Each such letter
 * (with its marks) is a word to the tagger. */
bool wd_cp_unspaced(uint32_t cp);

/* White space to a text page: Unicode white space, the byte-order mark and
 * ZERO WIDTH SPACE. */
bool wd_cp_is_blank(uint32_t cp);

/* Trims wd_cp_is_blank() characters at both ends of s[0..*n): returns the
 * start, *n gets the length. (wd_text_trim() trims ASCII only.) */
const char *wd_text_strip(const char *s, size_t *n);

/* The last code point of s[0..n), n > 0. */
uint32_t wd_text_last_cp(const char *s, size_t n);

/* b[0..n) as 2n lower-case hex digits and a NUL, into out[2n + 1]. */
void wd_text_hex(const uint8_t *b, size_t n, char *out);

/* v as 16 lower-case hex digits, the most significant first, and a NUL,
 * into out[17] (printf's "%016llx"). */
void wd_text_hex64(uint64_t v, char out[17]);

/* Copies the string src into dst[0..cap) (cap > 0), cut to fit and always
 * ended: snprintf(dst, cap, "%s", src) without reading a format or the rest
 * of a long src. Returns the bytes copied. */
size_t wd_text_copy(char *dst, size_t cap, const char *src);

/* Writes a matching key for s[0..n) to out (capacity cap, always
 * NUL-terminated when cap > 0): case-folded words of letters and digits
 * separated by single spaces, punctuation, quotes and spacing dropped, so
 * that "Kazakhstan’s  “Peace”" and "kazakhstan's peace" give the same key.
 * Returns the key's length; a key that would not fit is cut on a word
 * boundary. */
size_t wd_text_key(const char *s, size_t n, char *out, size_t cap);

/* Statistics of one line of text, for the page parsers. */
struct wd_text_stats {
    size_t words;       /* runs of letters/digits */
    size_t alpha_words; /* words that contain a letter */
    size_t num_words;   /* words made only of digits */
    size_t letters;
    size_t digits;
    size_t other;     /* neither letter, digit nor space */
    bool first_upper; /* first letter is upper case (or a digit/quote) */
};

void wd_text_stats(const char *s, size_t n, struct wd_text_stats *st);

#endif
