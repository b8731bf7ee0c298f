/* The tagger: gazetteer and taxonomy compiled into one trie of words.
 *
 * Words. Text is read as words: runs of letters and digits, case-folded,
 * Latin letters with diacritics folded to their base letter (Türkiye ->
 * turkiye, São -> sao); everything else separates words, apostrophes too
 * ("Kazakhstan’s" -> kazakhstan, s). A word is hashed (FNV-1a over its
 * folded characters) as it is read, keeping the hash of each prefix.
 *
 * Trie. Every name and phrase is read into words the same way and is a
 * path from the root of a trie of words, kept in one open-addressing hash
 * table keyed by (node, word hash): Aho-Corasick over words rather than
 * bytes, since every name starts and ends on word boundaries. Each word of
 * a text is looked up once from the root and once after each name still
 * open; a bit filter in front of the table answers most words that start
 * nothing without touching it. A phrase ending in '*' matches a word that
 * starts with its stem: the word's prefix hashes are looked up at the
 * lengths of the stems that begin with its first three letters. (A byte
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
 * body falling to 1 at its end. Countries need TAG_COUNTRY_MIN and a share
 * of the best country's score; themes likewise, at most TAG_THEMES_MAX.
 * Scores are reported relative to the best of their family.
 */
#include "wd/tag.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define TAG_THEME_MIN 2.0f
#define TAG_THEME_REL 0.45f
#define TAG_THEMES_MAX 3
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

static void
fill_ascii(void)
{
    for (int c = 0; c < 128; c++) {
        if (c >= 'a' && c <= 'z')
            ascii_fold[c] = (unsigned char)c;
        else if (c >= 'A' && c <= 'Z')
            ascii_fold[c] = (unsigned char)(c - 'A' + 'a');
        else if (c >= '0' && c <= '9')
            ascii_fold[c] = (unsigned char)c;
        ascii_sep[c] = c != 0 && !ascii_fold[c]; /* NUL ends a text */
    }
}

/* The folded character of a non-ASCII code point: a base letter, 0 for a
 * separator, or 1 for a letter of another script. */
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
    return wd_cp_is_alnum(cp) ? 1 : 0;
}

/* One word of a text: where it stands, and the hashes of its folded form
 * and of its first PREFIX_MAX prefixes (for phrases ending in '*'). */
#define PREFIX_MAX 24
#define PREFIX_RING 32 /* a power of two */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
struct word {
    size_t start, end; /* bytes of the text */
    size_t len;        /* folded characters */
    bool other;        /* holds a letter of another script: matches nothing */
    uint64_t hash;
    uint64_t hash3; /* of the first three characters (len >= 3) */
    /* prefix[k - 1]: hash of the first k characters, for k <= len and
     * len <= PREFIX_RING (longer words: word_prefixes()). */
    uint64_t prefix[PREFIX_RING];
};

/* The hashes of the first max (<= PREFIX_MAX) prefixes of word w of s,
 * into prefix[k - 1] for the prefix of k characters; returns how many.
 * Only words that may start a stem ("elect*") get here. */
static size_t
word_prefixes(const char *s, const struct word *w, uint64_t *prefix, size_t max)
{
    uint64_t h = FNV_OFFSET;
    size_t k = 0, i = w->start;
    while (i < w->end && k < max) {
        unsigned char b = (unsigned char)s[i];
        unsigned char f;
        size_t l = 1;
        if (b < 0x80) {
            f = ascii_fold[b];
        } else {
            uint32_t cp;
            l = wd_utf8_next(s + i, w->end - i, &cp);
            f = cp_fold(cp);
        }
        h = (h ^ f) * FNV_PRIME;
        prefix[k++] = h;
        i += l;
    }
    return k;
}

/* The fast path of next_word(): hashes the run of ASCII letters and
 * digits at p and returns where it ends. Out of line on purpose: alone, the
 * loop keeps everything in registers (about 8 instructions a byte); inlined
 * into the scanner it spilled to the stack (15). */
static __attribute__((noinline)) const unsigned char *
hash_run(const unsigned char *p, uint64_t *hp, uint64_t *pre, size_t *lenp)
{
    uint64_t h = *hp;
    size_t len = *lenp;
    unsigned char f;
    while ((f = ascii_fold[*p]) != 0) {
        h = (h ^ f) * FNV_PRIME;
        pre[len++ & (PREFIX_RING - 1)] = h;
        p++;
    }
    *hp = h;
    *lenp = len;
    return p;
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

/* Reads the next word of s[0..n) from *pos on; false when there is none.
 * Words are runs of letters and digits; everything else, apostrophes
 * included ("Kazakhstan's", "d'Ivoire"), separates them. s[n] must be
 * readable and NUL: the fast loops stop on it without counting. */
static inline __attribute__((always_inline)) bool
next_word(const char *s, size_t n, size_t *pos, struct word *w)
{
    const unsigned char *p = (const unsigned char *)s + *pos;
    const unsigned char *end = (const unsigned char *)s + n;
    /* Skip separators: ASCII ones on the fast path (NUL stops it). */
    for (;;) {
        while (ascii_sep[*p])
            p++;
        if (p >= end)
            return *pos = n, false;
        if (*p == 0) {
            p++;
            continue;
        }
        if (*p < 0x80)
            break;
        size_t l;
        if (fold_cp((const char *)p, (size_t)(end - p), &l))
            break;
        p += l;
    }
    const unsigned char *start = p;
    size_t len = 0;
    bool other = false;
    uint64_t h = FNV_OFFSET;
    uint64_t *pre = w->prefix;
    for (;;) {
        p = hash_run(p, &h, pre, &len);
        if (p >= end || *p < 0x80)
            break;
        size_t l;
        unsigned char f = fold_cp((const char *)p, (size_t)(end - p), &l);
        if (!f)
            break;
        other |= f == 1;
        h = (h ^ f) * FNV_PRIME;
        pre[len++ & (PREFIX_RING - 1)] = h;
        p += l;
    }
    w->start = (size_t)(start - (const unsigned char *)s);
    w->end = (size_t)(p - (const unsigned char *)s);
    w->len = len;
    w->other = other;
    w->hash = h;
    w->hash3 = len >= 3 ? pre[2] : 0;
    if (len > PREFIX_RING) /* the ring went round: the first ones again */
        w->hash3 = word_prefixes(s, w, pre, PREFIX_MAX) >= 3 ? pre[2] : 0;
    *pos = w->end;
    return true;
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
    bool prefix;  /* theme phrase ending in '*' */
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

#define FILTER_BITS 17     /* 16 KiB */
#define STEM_START_BITS 12 /* 16 KiB */

struct wd_tagger {
    struct slot *slots;
    size_t n_slots, cap_slots; /* cap: a power of two */
    uint32_t n_nodes;
    uint64_t filter[(1u << FILTER_BITS) / 64];
    /* By the hash of a stem's first three letters, the lengths of the
     * stems that start so (bit k: k letters): a word costs look-ups of its
     * prefixes only at those lengths, and none when no stem starts so. */
    uint32_t stem_lens3[1u << STEM_START_BITS];

    struct entry *entries;
    size_t n_entries, cap_entries;
    struct sense *senses;
    size_t n_senses, cap_senses;

    char countries[MAX_COUNTRIES][3];
    size_t n_countries;
    struct theme themes[MAX_THEMES];
    const char *slugs[MAX_THEMES];
    size_t n_themes;
};

static inline uint64_t
slot_key(uint32_t node, uint64_t word)
{
    uint64_t k = (word ^ ((uint64_t)node * 0x9E3779B97F4A7C15ull));
    k ^= k >> 29;
    return k | 1; /* never 0, the empty slot */
}

static inline bool
filter_has(const struct wd_tagger *t, uint64_t key)
{
    uint64_t b = key >> (64 - FILTER_BITS);
    return (t->filter[b >> 6] >> (b & 63)) & 1;
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
        uint64_t b = key >> (64 - FILTER_BITS);
        t->filter[b >> 6] |= 1ull << (b & 63);
    }
    *out = sl;
    return 0;
}

/* Adds name[0..n) to the trie and a sense to its entry. Returns 0, 1 when
 * the name has no word that can be matched, 2 when a phrase's stem (the
 * word before its '*') has under 3 or over PREFIX_MAX letters, or
 * WD_ENOMEM. */
static int
insert(struct wd_tagger *t, const char *text, size_t n, struct sense sn)
{
    char name[257]; /* NUL-terminated, as next_word() wants */
    if (n == 0 || n >= sizeof name)
        return 1;
    memcpy(name, text, n);
    name[n] = 0;
    struct word w;
    size_t pos = 0, last_len = 0;
    uint32_t node = 0;
    struct slot *sl = NULL;
    while (next_word(name, n, &pos, &w)) {
        if (w.other)
            return 1; /* a letter the fold does not know: never matched */
        if (sl) {     /* the previous word leads on to this one */
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
    if (sn.prefix) {
        t->stem_lens3[w.hash3 >> (64 - STEM_START_BITS)] |= 1u << last_len;
    }
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
    unsigned char c0 = (unsigned char)s[0];
    if ((c0 >= 'A' && c0 <= 'Z') || c0 >= 0xC0)
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
        if (l[0] == 0 || !wd_utf8_valid(f[0], l[0]))
            return fail_at(r, "empty or invalid name%.*s", "", 0);
        struct sense sn = {.type = S_COUNTRY,
                           .kind = (uint8_t)kind,
                           .rule = (uint8_t)case_rule_of(f[0], l[0]),
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
        if (insert(t, f[0], l[0], sn) == WD_ENOMEM)
            return WD_ENOMEM;
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
                           "24 letters",
                           f[0], l[0]);
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
        for (int32_t i = t->entries[e].sense; i >= 0; i = t->senses[i].next) {
            const struct sense *s = &t->senses[i];
            if (s->type == S_PERSONAL)
                amb = true;
            else if (s->type == S_COUNTRY) {
                if (country >= 0 && country != s->idx)
                    amb = true;
                country = s->idx;
            }
        }
        t->entries[e].ambiguous = amb;
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
    free(t->entries);
    free(t->senses);
    free(t);
}

/* ---- files -------------------------------------------------------------- */

static int
read_file(const char *path, struct wd_tag_file *f, char *err, size_t err_cap)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
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

struct scan {
    const struct wd_tagger *t;
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

/* The class of the symbol at s[j..], for the end boundary of a match that
 * ends before j (cls is not filled that far yet). */
static void
add_mention(struct scan *sc, int32_t entry, size_t start, size_t end,
            bool whole, bool title, size_t n)
{
    if (sc->n == MAX_MENTIONS)
        return;
    struct mention *m = &sc->m[sc->n++];
    m->entry = (uint32_t)entry;
    m->start = (uint32_t)start;
    m->end = (uint32_t)end | (whole ? 0 : 0x80000000u);
    m->title = title;
    m->pos = title ? TAG_TITLE_WEIGHT : 2.0f - (float)end / (float)n;
}

/* Looks word w up after node (the root, or a name still open), records
 * the names that end with it and returns the node it leads on to (0:
 * none). */
static uint32_t
look_up(struct scan *sc, uint32_t node, size_t start, const struct word *w,
        bool title, size_t n)
{
    const struct wd_tagger *t = sc->t;
    uint32_t child = 0;
    uint64_t key = slot_key(node, w->hash);
    if (filter_has(t, key)) {
        const struct slot *sl = slot_find(t, key);
        if (sl) {
            if (sl->entry >= 0)
                add_mention(sc, sl->entry, start, w->end, true, title, n);
            child = sl->child;
        }
    }
    /* Phrases ending in '*' whose stem is shorter than the word. */
    if (w->len <= 3)
        return child;
    /* Stems shorter than the word (a stem as long is an exact match). */
    uint32_t lens = t->stem_lens3[w->hash3 >> (64 - STEM_START_BITS)];
    if (w->len < 32)
        lens &= (1u << w->len) - 1;
    if (!lens)
        return child;
    const uint64_t *prefix = w->prefix;
    while (lens) {
        unsigned k = (unsigned)__builtin_ctz(lens);
        lens &= lens - 1;
        key = slot_key(node, prefix[k - 1]);
        if (!filter_has(t, key))
            continue;
        const struct slot *sl = slot_find(t, key);
        if (sl && sl->entry >= 0 && t->entries[sl->entry].prefix)
            add_mention(sc, sl->entry, start, w->end, false, title, n);
    }
    return child;
}

/* Every name and phrase in one field, word by word: a look-up from the
 * root for the names the word may start, and one for each name that the
 * words before it left open. */
#define MAX_OPEN 16
static void
scan_text(struct scan *sc, const char *s, size_t n, bool title)
{
    struct open_name {
        uint32_t node, start;
    } bufs[2][MAX_OPEN];
    struct open_name *open = bufs[0], *next = bufs[1];
    size_t n_open = 0, pos = 0;
    struct word w;
    while (next_word(s, n, &pos, &w)) {
        size_t n_next = 0;
        if (!w.other) {
            for (size_t k = 0; k <= n_open; k++) {
                bool root = k == n_open;
                uint32_t start = root ? (uint32_t)w.start : open[k].start;
                uint32_t child =
                    look_up(sc, root ? 0 : open[k].node, start, &w, title, n);
                if (child && n_next < MAX_OPEN) {
                    next[n_next].node = child;
                    next[n_next].start = start;
                    n_next++;
                }
            }
        }
        struct open_name *tmp = open;
        open = next, next = tmp;
        n_open = n_next;
    }
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
static bool sense_applies(const struct sense *sn, const struct mention *m,
                          const char *s, size_t n);

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

static void
keep_longest(const struct wd_tagger *t, struct mention *m, size_t from,
             size_t to, const char *s, size_t n)
{
    /* Mentions come in the order of their ends: a mention containing m[i]
     * ends at or after it, so it stands after i, or before i with the same
     * end; names are shorter than 256 bytes. */
    for (size_t i = from; i < to; i++) {
        uint32_t ei = m[i].end & 0x7fffffffu;
        bool inside = false;
        for (size_t j = i + 1; j < to && !inside; j++) {
            if ((m[j].end & 0x7fffffffu) - ei > 256)
                break;
            inside = contains(&m[j], &m[i]) && mention_holds(t, &m[j], s, n);
        }
        for (size_t j = i; j-- > from && !inside;) {
            if ((m[j].end & 0x7fffffffu) != ei)
                break;
            inside = contains(&m[j], &m[i]) && mention_holds(t, &m[j], s, n);
        }
        if (inside)
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
    float theme[MAX_THEMES];
};

static bool
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
emit(const float *score, size_t n, float min, float rel, size_t max,
     struct wd_tag *out, size_t *n_out,
     const char *(*name)(const void *, size_t), const void *ctx)
{
    /* The candidates over the floor, best first (few: insertion sort). */
    uint16_t cand[WD_TAG_MAX];
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
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
    *n_out = 0;
    for (size_t k = 0; k < nc && *n_out < max; k++) {
        float top = score[cand[0]];
        if (score[cand[k]] < rel * top)
            break;
        struct wd_tag *tg = &out[(*n_out)++];
        snprintf(tg->code, sizeof tg->code, "%s", name(ctx, cand[k]));
        tg->score = score[cand[k]] / top;
    }
}

static const char *
country_name(const void *ctx, size_t i)
{
    return ((const struct wd_tagger *)ctx)->countries[i];
}

static const char *
theme_name(const void *ctx, size_t i)
{
    return ((const struct wd_tagger *)ctx)->themes[i].slug;
}

int
wd_tagger_tag(const struct wd_tagger *t, const char *title, size_t tlen,
              const char *body, size_t blen, struct wd_tags *out)
{
    memset(out, 0, sizeof *out);
    struct scan *sc = malloc(sizeof *sc);
    struct scores *sv = calloc(1, sizeof *sv);
    /* Copies that end in NUL: the scanner's fast loops stop on it. */
    char *copy = malloc(tlen + blen + 2);
    if (!sc || !sv || !copy) {
        free(sc), free(sv), free(copy);
        return 0; /* no tags rather than no article */
    }
    memcpy(copy, title, tlen);
    copy[tlen] = 0;
    memcpy(copy + tlen + 1, body, blen);
    copy[tlen + 1 + blen] = 0;
    title = copy;
    body = copy + tlen + 1;
    sc->t = t;
    sc->n = 0;
    scan_text(sc, title, tlen, true);
    size_t n_title = sc->n;
    keep_longest(t, sc->m, 0, n_title, title, tlen);
    scan_text(sc, body, blen, false);
    keep_longest(t, sc->m, n_title, sc->n, body, blen);

    /* Evidence from unambiguous mentions. */
    struct repeat rep;
    memset(rep.key, 0xff, sizeof rep.key);
    for (size_t i = 0; i < sc->n; i++) {
        const struct mention *m = &sc->m[i];
        if (m->entry == UINT32_MAX)
            continue;
        const struct entry *en = &t->entries[m->entry];
        if (en->ambiguous)
            continue;
        const char *s = m->title ? title : body;
        size_t n = m->title ? tlen : blen;
        bool place = false;
        for (int32_t k = en->sense; k >= 0; k = t->senses[k].next) {
            const struct sense *sn = &t->senses[k];
            if (sn->type == S_COUNTRY && sense_applies(sn, m, s, n)) {
                place = true;
                sv->country[sn->idx] += sn->weight * m->pos;
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
        float damp = 1.0f / (float)repeat_count(&rep, m->entry);
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
            }
        }
    }
    /* Ambiguous names: the sense the text supports best. */
    for (size_t i = 0; i < sc->n; i++) {
        const struct mention *m = &sc->m[i];
        if (m->entry == UINT32_MAX)
            continue;
        const struct entry *en = &t->entries[m->entry];
        if (!en->ambiguous)
            continue;
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
        sv->country[best->idx] += best->weight * m->pos;
    }
    emit(sv->country, t->n_countries, TAG_COUNTRY_MIN, TAG_COUNTRY_REL,
         WD_TAG_MAX, out->countries, &out->n_countries, country_name, t);
    emit(sv->theme, t->n_themes, TAG_THEME_MIN, TAG_THEME_REL, TAG_THEMES_MAX,
         out->themes, &out->n_themes, theme_name, t);
    free(sc), free(sv), free(copy);
    return 0;
}
