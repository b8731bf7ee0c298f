#include "wd/cluster.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* XXH3 inlined (the header's own implementation, the library's values):
 * a hash a shingle, a word or a term, short inputs where the call into
 * libxxhash cost as much as the hash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "wd/dump.h"
#include "wd/err.h"
#include "wd/hugemem.h"
#include "wd/text.h"

#define DEFAULT_EVENTS 16384
#define DEFAULT_WINDOW_MS (36LL * 3600 * 1000)
#define DEFAULT_THRESHOLD 0.22
/* Without dates on both sides (a listing's teasers, fetched in one go,
 * can span months: their arrival says nothing of when they were written),
 * time is no evidence, and the words must say more: the analyses of one
 * region by one desk share its places and people without reporting one
 * happening. */
#define DEFAULT_UNDATED 0.44

#define ART_TERMS 48     /* heaviest terms an article keeps */
#define EV_TERMS 48      /* heaviest terms an event's centroid keeps */
#define MAX_CANDIDATES 8 /* compared in full, of those */
#define QUERY_TERMS 16   /* an article's terms that find candidates */
#define BODY_WORDS                                                             \
    100                     /* words of the body read: its lead, which says    \
                               what happened (the rest is background) */
#define LOCAL_CAP 2048      /* distinct words of one article, at most */
#define EV_SOURCES 32       /* distinct sources counted exactly */
#define EV_TAGS 8           /* countries and themes counted per event */
#define POST_BITS 16        /* 2^16 posting buckets ... */
#define POST_WAYS 8         /* ... of 8 event slots each */
#define DF_BITS 19          /* 2^19 document-frequency counters (1 MiB) */
#define DF_HALVE (1u << 15) /* documents after which every count halves */
#define MAX_THEMES 512      /* distinct theme slugs interned */
#define NONE UINT32_MAX

/* The weights, chosen on the development streams (bench/RESULTS.md). */
#define TITLE_BOOST 2.0     /* a headline's word */
#define NAME_BOOST 2.0      /* a capitalised word inside a sentence */
#define NUMBER_WEIGHT 1.0   /* a number ("5.6" and "5,6" alike) */
#define COUNTRY_WEIGHT 1.0  /* the article's first country, as a term */
#define SKELETON_WEIGHT 2.0 /* a name's skeleton (its other spellings) */
#define LEAD_BOOST                                                             \
    2.5                    /* a word of the lead's first sentence, which       \
                              says what happened (the inverted pyramid) */
#define PHRASE_WEIGHT 0.25 /* two words in a row, as one more term */
#define PHRASE_SALT 0x5a5a5a5au
/* An event's pull fades with its age: a story that comes a whole window
 * after the event's first one needs twice the similarity to join it
 * (coverage of one happening comes in a burst; a second boat sinking off
 * the same island two days later is another event). */
#define AGE_DECAY 0.5

struct term {
    uint32_t t;
    float w;
};

struct event {
    uint32_t gen; /* bumped when the slot is freed */
    bool live;
    uint32_t prev, next; /* the feed order (least recently fed first) */
    char id[WD_CLUSTER_ID_LEN + 1];
    char title[WD_CLUSTER_TITLE];
    float title_sim;
    int64_t first_ms, last_ms;   /* received */
    int64_t pub_first, pub_last; /* its dated articles' dates (0: none) */
    uint32_t articles, sources;
    uint32_t src[EV_SOURCES];
    uint8_t n_src;
    char cc[EV_TAGS][3];
    uint16_t cc_n[EV_TAGS];
    uint16_t th[EV_TAGS]; /* interned theme + 1 (0: none) */
    uint16_t th_n[EV_TAGS];
    uint8_t n_terms;
    float norm;
    struct term terms[EV_TERMS]; /* sorted by t */
};

struct story_ref {
    uint64_t h; /* the story id's hash (0: empty) */
    uint32_t slot, gen;
};

struct local;

struct wd_cluster {
    struct wd_cluster_config cfg;
    struct event *ev;
    size_t n_live;
    uint32_t free_head; /* freed slots chained through next */
    size_t n_used;      /* slots ever used: the rest are untouched */
    uint32_t lru_head, lru_tail;
    uint16_t *df; /* < DF_HALVE each */
    uint64_t docs;
    uint32_t (*post)[POST_WAYS]; /* slot + 1, 0: empty */
    uint8_t *post_next;
    struct story_ref *stories;
    size_t stories_mask;
    uint32_t *stamp; /* per slot: the last decision that visited it */
    uint8_t *pos;    /* per slot: its place among that decision's candidates */
    struct local *scratch; /* one article's words */
    uint32_t visit;
    char themes[MAX_THEMES][40];
    size_t n_themes;
};

/* Function words of the languages the worker tags most, which carry no
 * event: dropped before weighting, so that the first articles after a
 * start (when the document frequencies know nothing yet) are compared on
 * their content. The running frequencies do the rest. */
static const char *const STOP[] = {
    /* en */
    "about",
    "after",
    "again",
    "against",
    "also",
    "among",
    "and",
    "are",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "can",
    "could",
    "did",
    "does",
    "during",
    "each",
    "for",
    "from",
    "had",
    "has",
    "have",
    "her",
    "here",
    "him",
    "his",
    "how",
    "its",
    "into",
    "more",
    "most",
    "not",
    "now",
    "off",
    "once",
    "only",
    "other",
    "our",
    "out",
    "over",
    "said",
    "says",
    "she",
    "should",
    "since",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "under",
    "until",
    "very",
    "was",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "year",
    "years",
    "new",
    "one",
    "two",
    "told",
    "according",
    "last",
    "first",
    "just",
    "still",
    "may",
    "any",
    "all",
    "per",
    "cent",
    "percent",
    "week",
    "day",
    "days",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tomorrow",
    /* ru */
    "это",
    "как",
    "так",
    "что",
    "для",
    "его",
    "она",
    "они",
    "оно",
    "был",
    "была",
    "были",
    "было",
    "быть",
    "будет",
    "при",
    "или",
    "уже",
    "также",
    "того",
    "этого",
    "этом",
    "этой",
    "этих",
    "который",
    "которая",
    "которые",
    "которых",
    "после",
    "более",
    "между",
    "через",
    "года",
    "году",
    "лет",
    "чем",
    "только",
    "сообщает",
    "сообщил",
    "сообщила",
    "заявил",
    "заявила",
    "словам",
    "однако",
    "около",
    "всех",
    "все",
    "всего",
    "над",
    "под",
    "без",
    "где",
    "когда",
    "ещё",
    "еще",
    "его",
    "ее",
    "её",
    "них",
    "нее",
    "понедельник",
    "вторник",
    "среду",
    "четверг",
    "пятницу",
    "субботу",
    "воскресенье",
    "сегодня",
    "вчера",
    /* de, fr, es, tr (the commonest) */
    "der",
    "die",
    "das",
    "und",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einer",
    "mit",
    "von",
    "auf",
    "ist",
    "sich",
    "nicht",
    "auch",
    "les",
    "des",
    "une",
    "dans",
    "pour",
    "par",
    "sur",
    "est",
    "qui",
    "que",
    "avec",
    "del",
    "las",
    "los",
    "una",
    "por",
    "con",
    "para",
    "que",
    "bir",
    "ile",
    "için",
    "olarak",
    "olan",
    "gibi",
    "daha",
    "çok",
};

/* The stop words' hashes in an open-addressing set (a slot 0 is empty; a
 * word whose hash is 0 would be one by zero_stop): one probe or two a
 * word of the text, not a binary search's dozen calls. */
#define STOP_SLOTS 1024
_Static_assert(sizeof STOP / sizeof *STOP < STOP_SLOTS / 2, "a sparse set");
static uint64_t stop_set[STOP_SLOTS];
static bool zero_stop;

static void
stop_fill(void)
{
    for (size_t i = 0; i < sizeof STOP / sizeof *STOP; i++) {
        uint64_t h = XXH3_64bits(STOP[i], strlen(STOP[i]));
        if (h == 0) {
            zero_stop = true;
            continue;
        }
        size_t k = h & (STOP_SLOTS - 1);
        while (stop_set[k] != 0 && stop_set[k] != h)
            k = (k + 1) & (STOP_SLOTS - 1);
        stop_set[k] = h;
    }
}

static void
stop_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, stop_fill);
}

/* Whether the word whose XXH3_64bits() is h is a stop word. */
static bool
is_stop(uint64_t h)
{
    if (h == 0)
        return zero_stop;
    for (size_t k = h & (STOP_SLOTS - 1);; k = (k + 1) & (STOP_SLOTS - 1)) {
        if (stop_set[k] == h)
            return true;
        if (stop_set[k] == 0)
            return false;
    }
}

/* ---- the article's terms ---- */

struct local {
    uint32_t t[LOCAL_CAP];
    float tf[LOCAL_CAP];         /* boosted occurrences */
    uint16_t idx[LOCAL_CAP * 2]; /* open addressing: index + 1 */
    size_t n;
    uint64_t ranks[LOCAL_CAP * 3]; /* top_terms()' scratch */
};

static void
local_add(struct local *l, uint32_t t, float w)
{
    size_t mask = LOCAL_CAP * 2 - 1;
    for (size_t i = t & mask;; i = (i + 1) & mask) {
        uint16_t k = l->idx[i];
        if (k == 0) {
            if (l->n == LOCAL_CAP)
                return;
            l->t[l->n] = t;
            l->tf[l->n] = w;
            l->idx[i] = (uint16_t)++l->n;
            return;
        }
        if (l->t[k - 1] == t) {
            l->tf[k - 1] += w;
            return;
        }
    }
}

/* A term's id: the hash of its text, its lowest bit set for a name's
 * skeleton (names are counted apart when an article is compared). */
static uint32_t
term_of_hash(uint64_t h, const char *s, size_t n)
{
    uint32_t t = (uint32_t)h & ~1u;
    if (n && s[0] == '\2')
        t |= 1;
    return t ? t : 2;
}

static uint32_t
term_of(const char *s, size_t n)
{
    return term_of_hash(XXH3_64bits(s, n), s, n);
}

/* ---- names across scripts ---- */

/* Latin for a Cyrillic letter (Russian, Kazakh, Uzbek, Kyrgyz, Tajik), as
 * the English press spells the region's names; NULL: none. */
static const char *
cyr_latin(uint32_t cp)
{
    static const char
        *const ru[] = {"a", "b", "v", "g",  "d",  "e",  "zh", "z",    "i",
                       "y", "k", "l", "m",  "n",  "o",  "p",  "r",    "s",
                       "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "",
                       "y", "",  "e", "yu", "ya"}; /* U+0430 .. U+044F */
    if (cp >= 0x430 && cp <= 0x44F)
        return ru[cp - 0x430];
    switch (cp) {
    case 0x451:
        return "e"; /* ё */
    case 0x456:
        return "i"; /* і */
    case 0x4D9:
        return "a"; /* ә */
    case 0x493:
        return "g"; /* ғ */
    case 0x49B:
        return "k"; /* қ */
    case 0x4A3:
        return "n"; /* ң */
    case 0x4E9:
        return "o"; /* ө */
    case 0x4B1:
        return "u"; /* ұ */
    case 0x4AF:
        return "u"; /* ү */
    case 0x4BB:
        return "h"; /* һ */
    case 0x45E:
        return "o"; /* ў */
    case 0x4B3:
        return "h"; /* ҳ */
    case 0x4B7:
        return "j"; /* ҷ */
    case 0x4E3:
        return "i"; /* ӣ */
    case 0x4EF:
        return "u"; /* ӯ */
    default:
        return NULL;
    }
}

/* A Latin letter without its diacritics ("ş" as "sh", "ə" as "a"); NULL
 * for a letter of another script. */
static const char *
latin_plain(uint32_t cp)
{
    static const char ascii[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0"
                                "n\0o\0p\0q\0r\0s\0t\0u\0v\0w\0x\0y\0z";
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z' ? ascii + 2 * (cp - 'a') : NULL;
    switch (cp) {
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0xE4:
    case 0xE5:
    case 0x101:
    case 0x103:
    case 0x105:
    case 0x259:
        return "a";
    case 0xE7:
    case 0x107:
    case 0x10D:
        return "ch";
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
    case 0x113:
    case 0x119:
    case 0x11B:
        return "e";
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF:
    case 0x131:
    case 0x12B:
        return "i";
    case 0xF1:
    case 0x144:
    case 0x148:
        return "n";
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
    case 0xF6:
    case 0xF8:
    case 0x14D:
    case 0x151:
        return "o";
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
    case 0x16B:
    case 0x16F:
    case 0x171:
        return "u";
    case 0xFD:
    case 0xFF:
        return "y";
    case 0x15F:
    case 0x219:
    case 0x161:
    case 0x15B:
        return "sh";
    case 0x163:
    case 0x21B:
    case 0x165:
        return "t";
    case 0x11F:
        return "g";
    case 0x17E:
        return "zh";
    case 0x142:
        return "l";
    case 0x159:
        return "r";
    case 0x17A:
    case 0x17C:
        return "z";
    case 0xDF:
        return "ss";
    default:
        return NULL;
    }
}

static bool
ends_cps(const uint32_t *w, size_t n, const char *ending)
{
    uint32_t e[4];
    size_t k = 0;
    for (size_t i = 0, len = strlen(ending); i < len && k < 4;)
        i += wd_utf8_next(ending + i, len - i, &e[k++]);
    if (k >= n)
        return false;
    for (size_t i = 0; i < k; i++)
        if (w[n - k + i] != e[i])
            return false;
    return true;
}

#define NAME_CPS 48 /* a name's letters read for its skeleton */

/* The Latin spelling of a word not all ASCII into lat[0..cap): its first
 * NAME_CPS letters, transliterated, the Russian case ending cut; returns
 * its length (0: a character that is no letter of a Latin or Cyrillic
 * script). */
static size_t
transliterate(const char *word, size_t wlen, char *lat, size_t cap)
{
    uint32_t w[NAME_CPS];
    size_t n = 0;
    bool cyr = false;
    for (size_t i = 0; i < wlen && n < NAME_CPS;) {
        i += wd_utf8_next(word + i, wlen - i, &w[n]);
        cyr |= w[n] >= 0x400 && w[n] <= 0x4FF;
        n++;
    }
    if (cyr && n >= 5) {
        static const char *const endings[] = {
            "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей",
            "ом",  "ем",  "ым",  "им",  "ах",  "ях",  "ов",  "ев",  "ую", "ая",
            "ые",  "ие",  "а",   "я",   "у",   "ю",   "е",   "ы",   "и",  "ь"};
        for (size_t k = 0; k < sizeof endings / sizeof *endings; k++)
            if (ends_cps(w, n, endings[k])) {
                size_t cut = 0;
                for (const char *p = endings[k]; *p;) {
                    uint32_t x;
                    p += wd_utf8_next(p, strlen(p), &x);
                    cut++;
                }
                /* "Токаеву": the й of -ев stays as the y of -yev. */
                n -= cut;
                break;
            }
    }
    size_t ln = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = cyr ? cyr_latin(w[i]) : latin_plain(w[i]);
        if (!t)
            return 0;
        size_t tl = strlen(t);
        if (ln + tl >= cap)
            break;
        memcpy(lat + ln, t, tl);
        ln += tl;
    }
    return ln;
}

/* The consonant skeleton of a name, the same for its English and its
 * Cyrillic spelling and their case forms ("Tokayev", "Токаеву" and
 * "Токаевым" give "tkv"; "Malatya" and "Малатье" "mlt"): transliterated,
 * the Russian case ending cut, vowels, "h" and doubled letters dropped,
 * j/zh/dz as z, w as v, q and c as k. Writes at most 5 letters to out and
 * returns how many (0: not a name of a Latin or Cyrillic script). */
static size_t
skeleton(const char *word, size_t wlen, char out[6])
{
    char lat[160];
    size_t ln = 0, ascii = 0;
    while (ascii < wlen && (unsigned char)word[ascii] < 0x80)
        ascii++;
    if (ascii == wlen) {
        /* ASCII (most names): each letter is its own Latin, as below. */
        ln = wlen < NAME_CPS ? wlen : NAME_CPS;
        for (size_t i = 0; i < ln; i++)
            if (word[i] < 'a' || word[i] > 'z')
                return 0;
        memcpy(lat, word, ln);
    } else if ((ln = transliterate(word, wlen, lat, sizeof lat)) == 0) {
        return 0;
    }
    /* The vowels and h, dropped after the first letter. */
    const uint32_t dropped = 1u << ('a' - 'a') | 1u << ('e' - 'a') |
                             1u << ('i' - 'a') | 1u << ('o' - 'a') |
                             1u << ('u' - 'a') | 1u << ('y' - 'a') |
                             1u << ('h' - 'a');
    size_t k = 0;
    char last = 0;
    for (size_t i = 0; i < ln && k < 5; i++) {
        char ch = lat[i];
        if (ch == 'd' && i + 1 < ln && (lat[i + 1] == 'z' || lat[i + 1] == 'j'))
            continue; /* dzh, dj: z */
        if (ch == 'j')
            ch = 'z';
        else if (ch == 'w')
            ch = 'v';
        else if (ch == 'q' || ch == 'c')
            ch = 'k';
        if (i > 0 && (dropped >> (ch - 'a') & 1))
            continue;
        if (ch == last)
            continue;
        out[k++] = ch;
        last = ch;
    }
    out[k] = '\0';
    return k >= 2 ? k : 0;
}

/* The words of s[0..n) (at most max of them), each to l with weight
 * boost (times NAME_BOOST for a capitalised word inside a sentence,
 * NUMBER_WEIGHT for a number, LEAD_BOOST in the first sentence when lead),
 * and each two words in a row as a phrase. Returns the words read. */
static size_t
read_words(struct local *l, const char *s, size_t n, float boost, bool lead,
           size_t max)
{
    char word[64], stem[WD_CLUSTER_STEM * 4];
    size_t words = 0, i = 0;
    bool sentence_start = true;
    bool first = lead; /* in the lead's first sentence */
    uint32_t prev = 0; /* the word before, for the phrase (0: none) */
    while (i < n && words < max) {
        uint32_t cp;
        size_t k;
        bool alnum;
        if ((unsigned char)s[i] < 0x80) { /* (as below, without decoding) */
            cp = (unsigned char)s[i];
            k = 1;
            alnum = wd_ascii_key_char((unsigned char)cp) != 0;
        } else {
            k = wd_utf8_next(s + i, n - i, &cp);
            alnum = wd_cp_is_alnum(cp);
        }
        if (!alnum) {
            if (cp == '.' || cp == '!' || cp == '?' || cp == '\n' ||
                cp == ':' || cp == 0x2014 || cp == '"' || cp == 0x201C ||
                cp == 0xAB)
                sentence_start = true;
            /* The first sentence ends at a full stop before a space
             * and a capital, eight words in at least ("U.S." is none). */
            uint32_t next;
            if (first && (cp == '.' || cp == '!' || cp == '?' || cp == '\n') &&
                words >= 8 && i + k + 1 < n &&
                (s[i + k] == ' ' || s[i + k] == '\n') &&
                wd_utf8_next(s + i + k + 1, n - i - k - 1, &next) &&
                wd_cp_is_upper(next))
                first = false;
            /* A phrase spans a space, a hyphen or an apostrophe. */
            if (cp != ' ' && cp != '-' && cp != '\'' && cp != 0x2019)
                prev = 0;
            i += k;
            continue;
        }
        /* One word: letters, digits and their marks. */
        bool upper = cp < 0x80 ? cp >= 'A' && cp <= 'Z' : wd_cp_is_upper(cp),
             alpha = false;
        size_t wlen = 0, slen = 0, letters = 0;
        while (i < n) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x80) {
                /* ASCII, most of most text: no decoding, no look-ups (a
                 * letter or digit as the loop below makes it). */
                char lc = wd_ascii_key_char(c);
                if (lc) {
                    alpha |= c > '9';
                    if (wlen < sizeof word)
                        word[wlen++] = lc;
                    if (letters < WD_CLUSTER_STEM && slen < sizeof stem)
                        stem[slen++] = lc;
                    letters++;
                    i++;
                    continue;
                }
                if ((c == '.' || c == ',') && !alpha && i + 1 < n &&
                    s[i + 1] >= '0' && s[i + 1] <= '9') {
                    i++;
                    continue;
                }
                break;
            }
            k = wd_utf8_next(s + i, n - i, &cp);
            if (!wd_cp_is_alnum(cp) && !wd_cp_is_mark(cp)) {
                /* "6.1", "1,200": one number */
                if ((cp == '.' || cp == ',') && !alpha && i + k < n &&
                    s[i + k] >= '0' && s[i + k] <= '9') {
                    i += k;
                    continue;
                }
                break;
            }
            alpha |= wd_cp_is_alpha(cp);
            uint32_t lc = wd_cp_tolower(cp);
            char enc[4];
            size_t e = wd_utf8_encode(lc, enc, sizeof enc);
            if (wlen + e <= sizeof word) {
                memcpy(word + wlen, enc, e);
                wlen += e;
            }
            if (!wd_cp_is_mark(cp)) {
                if (letters < WD_CLUSTER_STEM && slen + e <= sizeof stem) {
                    memcpy(stem + slen, enc, e);
                    slen += e;
                }
                letters++;
            }
            i += k;
        }
        words++;
        bool start = sentence_start;
        sentence_start = false;
        if (alpha ? letters < 3 : letters < 2)
            continue;
        /* The word's hash, when the stop words ask for it, is its term's
         * too when the word is its own stem (most words: six letters or
         * fewer). */
        uint64_t wh = 0;
        bool hashed = alpha && letters <= 12;
        if (hashed && is_stop(wh = XXH3_64bits(word, wlen)))
            continue;
        float w = boost;
        if (first)
            w *= (float)LEAD_BOOST;
        uint32_t cur = hashed && slen == wlen && memcmp(stem, word, slen) == 0
                           ? term_of_hash(wh, stem, slen)
                           : term_of(stem, slen);
        if (prev) {
            /* Two words in a row: a phrase ("state visit"), which says
             * more of what happened than either word. */
            uint32_t pair[2] = {prev, cur};
            local_add(l, term_of((const char *)pair, sizeof pair) ^ PHRASE_SALT,
                      boost * (float)PHRASE_WEIGHT);
        }
        prev = cur;
        if (!alpha)
            w *= (float)NUMBER_WEIGHT;
        else if (upper && !start)
            w *= (float)NAME_BOOST;
        local_add(l, cur, w);
        /* A name: its skeleton too, which its other spellings share. */
        char sk[8];
        size_t skn;
        if (alpha && upper && (skn = skeleton(word, wlen, sk + 1)) > 0) {
            sk[0] = '\2';
            local_add(l, term_of(sk, skn + 1), w * (float)SKELETON_WEIGHT);
        }
    }
    return words;
}

/* A term's place in the order of the heaviest first, then the smallest id,
 * as one integer (the greater, the earlier): the weight's bits made to
 * order as the floats do (a negative one's all flipped, a positive one's
 * sign set), above the id's complement. One integer compare, not a float
 * compare and a tie-break. (Weights are never NaN, and no -0.0: no sum or
 * product here makes one.) */
static uint64_t
rank_of(struct term x)
{
    uint32_t b;
    memcpy(&b, &x.w, sizeof b);
    b = b >> 31 ? ~b : b | 0x80000000u;
    return (uint64_t)b << 32 | (uint32_t)~x.t;
}

static struct term
term_of_rank(uint64_t r)
{
    uint32_t b = (uint32_t)(r >> 32);
    b = b >> 31 ? b & 0x7FFFFFFFu : ~b;
    struct term x;
    x.t = ~(uint32_t)r;
    memcpy(&x.w, &b, sizeof b);
    return x;
}

#define TOP_MAX 64 /* k of top_terms(), at most */
_Static_assert(ART_TERMS <= TOP_MAX && EV_TERMS <= TOP_MAX, "top_terms' k");

static uint64_t
median3(uint64_t a, uint64_t b, uint64_t c)
{
    return a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}

/* The m greatest of the distinct ranks r[0..n) into out[0..m), in no
 * order; s (2n) is scratch, r too. A quickselect whose partition writes
 * each rank to both sides and moves on the one it belongs to, without a
 * branch (a branch on the comparison mispredicts about every other
 * rank). */
static void
select_top(uint64_t *r, size_t n, size_t m, uint64_t *out, uint64_t *s)
{
    uint64_t *buf[3] = {r, s, s + n};
    int from = 0;
    size_t len = n, got = 0;
    while (got < m) {
        const uint64_t *src = buf[from];
        if (len <= m - got) {
            memcpy(out + got, src, len * sizeof *src);
            return;
        }
        uint64_t pivot = median3(src[0], src[len / 2], src[len - 1]);
        int above = (from + 1) % 3, below = (from + 2) % 3;
        uint64_t *hi = buf[above], *lo = buf[below];
        size_t nh = 0, nl = 0;
        for (size_t i = 0; i < len; i++) {
            uint64_t x = src[i];
            hi[nh] = x;
            lo[nl] = x;
            nh += x > pivot;
            nl += x < pivot;
        }
        if (got + nh >= m) { /* all m among those above */
            from = above;
            len = nh;
            continue;
        }
        memcpy(out + got, hi, nh * sizeof *hi);
        got += nh;
        out[got++] = pivot;
        from = below;
        len = nl;
    }
}

/* The k (<= TOP_MAX) first of v[0..n) by rank_of() (a total order: terms
 * are distinct), in that order at v's start; returns how many. scratch
 * holds 3n ranks. An article has hundreds of terms and keeps a few dozen:
 * they are selected (select_top), then inserted in order. */
static size_t
top_terms(struct term *v, size_t n, size_t k, uint64_t *scratch)
{
    uint64_t top[TOP_MAX];
    if (k > TOP_MAX)
        k = TOP_MAX;
    size_t m = n < k ? n : k;
    for (size_t i = 0; i < n; i++)
        scratch[i] = rank_of(v[i]);
    select_top(scratch, n, m, top, scratch + n);
    for (size_t i = 1; i < m; i++) {
        uint64_t x = top[i];
        size_t j = i;
        for (; j > 0 && top[j - 1] < x; j--)
            top[j] = top[j - 1];
        top[j] = x;
    }
    for (size_t i = 0; i < m; i++)
        v[i] = term_of_rank(top[i]);
    return m;
}

/* Terms (distinct) in the order of their ids: a few dozen, inserted. */
static void
sort_by_t(struct term *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct term x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1].t > x.t; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static uint16_t *
df_at(struct wd_cluster *c, uint32_t t)
{
    return &c->df[t & ((1u << DF_BITS) - 1)];
}

/* The article's vector: its heaviest terms, unit length, by weight
 * (heaviest first) in byw[] and sorted by term in out[]; counts the
 * article into the document frequencies first. Returns the terms. */
static size_t
vectorize(struct wd_cluster *c, const struct wd_cluster_article *a,
          struct local *l, struct term *byw, struct term *out)
{
    memset(l->idx, 0, sizeof l->idx);
    l->n = 0;
    if (a->title)
        read_words(l, a->title, a->tlen, (float)TITLE_BOOST, false, 64);
    if (a->body)
        read_words(l, a->body, a->blen, 1.0f, true, BODY_WORDS);
    size_t n_cc = a->tags ? a->tags->n_countries : 0;
    for (size_t i = 0; i < n_cc && i < 4; i++) {
        const char *cc = a->tags->countries[i].code;
        char k[4] = {'\1', cc[0], cc[1], 0};
        /* Each of its first four countries, a term of weight 1 (an
         * order of relevance as tf gave the later ones less than none:
         * 1 + ln(1/3) < 0). */
        local_add(l, term_of(k, 3), (float)COUNTRY_WEIGHT);
    }
    /* Document frequencies, this article included. */
    if (++c->docs >= DF_HALVE) {
        for (size_t i = 0; i < (1u << DF_BITS); i++)
            c->df[i] >>= 1;
        c->docs >>= 1;
    }
    double n_docs = (double)c->docs;
    size_t n = 0;
    /* (The counters are a MiB, each look-up a cache miss: the next few are
     * fetched ahead.) */
    enum { AHEAD = 16 };
    for (size_t i = 0; i < l->n && i < AHEAD; i++)
        __builtin_prefetch(df_at(c, l->t[i]), 1);
    for (size_t i = 0; i < l->n; i++) {
        if (i + AHEAD < l->n)
            __builtin_prefetch(df_at(c, l->t[i + AHEAD]), 1);
        uint16_t *df = df_at(c, l->t[i]);
        if (*df < UINT16_MAX)
            (*df)++;
        double idf = log((n_docs + 1.0) / ((double)*df + 0.5));
        if (idf <= 0)
            continue;
        byw[n++] = (struct term){l->t[i], (float)((1.0 + log(l->tf[i])) * idf)};
    }
    n = top_terms(byw, n, ART_TERMS, l->ranks);
    double sq = 0;
    for (size_t i = 0; i < n; i++)
        sq += (double)byw[i].w * byw[i].w;
    float inv = sq > 0 ? (float)(1.0 / sqrt(sq)) : 0;
    for (size_t i = 0; i < n; i++) {
        byw[i].w *= inv;
        out[i] = byw[i];
    }
    sort_by_t(out, n);
    return n;
}

/* ---- events ---- */

/* An article's query terms by id, for its cosines against the candidates:
 * a filter of 512 bits (most of a centroid's terms are not the query's:
 * one test, no search) and an open-addressing table of their places + 1.
 * The filter and the table take bits above the lowest (a name's mark). */
#define QUERY_SLOTS 128
_Static_assert(ART_TERMS <= QUERY_SLOTS / 2 && ART_TERMS < 256,
               "a sparse table of uint8_t places");

struct query {
    const struct term *v; /* sorted by term */
    uint64_t bits[8];
    uint8_t at[QUERY_SLOTS];
};

static unsigned
query_bit(uint32_t t)
{
    return (t >> 1) & 511;
}

static unsigned
query_slot(uint32_t t)
{
    return (t >> 10) & (QUERY_SLOTS - 1);
}

static void
query_make(struct query *q, const struct term *v, size_t n)
{
    memset(q, 0, sizeof *q);
    q->v = v;
    for (size_t i = 0; i < n && i < ART_TERMS; i++) {
        unsigned b = query_bit(v[i].t), k = query_slot(v[i].t);
        q->bits[b >> 6] |= 1ull << (b & 63);
        while (q->at[k])
            k = (k + 1) & (QUERY_SLOTS - 1);
        q->at[k] = (uint8_t)(i + 1);
    }
}

/* The dot product of the query and a centroid b, sorted by term: the
 * products of the terms in both, added in the order of their ids. (A
 * merge of the two lists was a chain of dependent steps, each waiting on
 * the last one's loads.) */
static double
dot(const struct query *q, const struct term *b, size_t nb)
{
    double d = 0;
    for (size_t j = 0; j < nb; j++) {
        uint32_t y = b[j].t;
        unsigned bit = query_bit(y);
        if (!(q->bits[bit >> 6] >> (bit & 63) & 1))
            continue;
        for (unsigned k = query_slot(y); q->at[k];
             k = (k + 1) & (QUERY_SLOTS - 1)) {
            const struct term *x = &q->v[q->at[k] - 1];
            if (x->t == y) {
                d += (double)x->w * b[j].w;
                break;
            }
        }
    }
    return d;
}

static double
cosine(const struct query *q, const struct event *e)
{
    if (e->norm <= 0)
        return 0;
    return dot(q, e->terms, e->n_terms) / e->norm;
}

/* Adds the unit vector a to the event's centroid, keeping its heaviest
 * EV_TERMS terms. */
static void
centroid_add(struct event *e, const struct term *a, size_t na)
{
    struct term m[EV_TERMS + ART_TERMS];
    uint64_t ranks[(EV_TERMS + ART_TERMS) * 3];
    size_t n = 0, i = 0, j = 0;
    while (i < na || j < e->n_terms) {
        if (j == e->n_terms || (i < na && a[i].t < e->terms[j].t))
            m[n++] = a[i++];
        else if (i == na || e->terms[j].t < a[i].t)
            m[n++] = e->terms[j++];
        else {
            m[n] = e->terms[j++];
            m[n++].w += a[i++].w;
        }
    }
    if (n > EV_TERMS) {
        n = top_terms(m, n, EV_TERMS, ranks);
        sort_by_t(m, n);
    }
    memcpy(e->terms, m, n * sizeof *m);
    e->n_terms = (uint8_t)n;
    double sq = 0;
    for (size_t k = 0; k < n; k++)
        sq += (double)m[k].w * m[k].w;
    e->norm = (float)sqrt(sq);
}

static void
lru_unlink(struct wd_cluster *c, uint32_t s)
{
    struct event *e = &c->ev[s];
    if (e->prev != NONE)
        c->ev[e->prev].next = e->next;
    else
        c->lru_head = e->next;
    if (e->next != NONE)
        c->ev[e->next].prev = e->prev;
    else
        c->lru_tail = e->prev;
}

static void
lru_append(struct wd_cluster *c, uint32_t s)
{
    struct event *e = &c->ev[s];
    e->prev = c->lru_tail;
    e->next = NONE;
    if (c->lru_tail != NONE)
        c->ev[c->lru_tail].next = s;
    else
        c->lru_head = s;
    c->lru_tail = s;
}

static void
event_free(struct wd_cluster *c, uint32_t s)
{
    struct event *e = &c->ev[s];
    lru_unlink(c, s);
    e->live = false;
    e->gen++;
    e->next = c->free_head;
    c->free_head = s;
    c->n_live--;
}

/* The article's time and the event's first and last on one clock: their
 * own dates when both are dated (returns true), else their arrival. */
static bool
clock_of(const struct event *e, const struct wd_cluster_article *a, int64_t *at,
         int64_t *first, int64_t *last)
{
    bool dated = a->published_ms > 0 && e->pub_first > 0;
    *at = dated ? a->published_ms : a->at_ms;
    *first = dated ? e->pub_first : e->first_ms;
    *last = dated ? e->pub_last : e->last_ms;
    return dated;
}

static bool
in_window(const struct wd_cluster *c, const struct event *e,
          const struct wd_cluster_article *a)
{
    int64_t at, first, last;
    clock_of(e, a, &at, &first, &last);
    return at - last <= c->cfg.window_ms && first - at <= c->cfg.window_ms;
}

/* Frees the events nobody fed within the window (a few a call), and the
 * least recently fed one when every slot is taken. */
static void
expire(struct wd_cluster *c, int64_t now)
{
    for (int k = 0; k < 4 && c->lru_head != NONE; k++) {
        struct event *e = &c->ev[c->lru_head];
        if (now - e->last_ms <= c->cfg.window_ms)
            break;
        event_free(c, c->lru_head);
    }
    if (c->free_head == NONE && c->n_used == c->cfg.max_events)
        event_free(c, c->lru_head);
}

static void
post_add(struct wd_cluster *c, uint32_t t, uint32_t slot)
{
    size_t b = t & ((1u << POST_BITS) - 1);
    uint32_t *ways = c->post[b];
    for (int k = 0; k < POST_WAYS; k++)
        if (ways[k] == slot + 1)
            return;
    ways[c->post_next[b]] = slot + 1;
    c->post_next[b] = (uint8_t)((c->post_next[b] + 1) % POST_WAYS);
}

#define STORY_WAYS 4

static bool
ref_alive(const struct wd_cluster *c, const struct story_ref *r)
{
    return r->h && c->ev[r->slot].live && c->ev[r->slot].gen == r->gen;
}

/* The story's place in the map: its own entry when it has one, else the
 * entry to take in its bucket of STORY_WAYS: an empty one, else one whose
 * event is gone, else the one whose event was fed least recently. */
static struct story_ref *
story_at(struct wd_cluster *c, uint64_t h)
{
    struct story_ref *b =
        &c->stories[(h & c->stories_mask) & ~(size_t)(STORY_WAYS - 1)];
    struct story_ref *victim = NULL;
    for (int k = 0; k < STORY_WAYS; k++) {
        if (b[k].h == h)
            return &b[k];
        if (!ref_alive(c, &b[k])) {
            if (!victim || ref_alive(c, victim))
                victim = &b[k];
        } else if (!victim ||
                   (ref_alive(c, victim) &&
                    c->ev[b[k].slot].last_ms < c->ev[victim->slot].last_ms)) {
            victim = &b[k];
        }
    }
    return victim;
}

static uint16_t
theme_intern(struct wd_cluster *c, const char *slug)
{
    for (size_t i = 0; i < c->n_themes; i++)
        if (strcmp(c->themes[i], slug) == 0)
            return (uint16_t)(i + 1);
    if (c->n_themes == MAX_THEMES || strlen(slug) >= sizeof c->themes[0])
        return 0;
    strcpy(c->themes[c->n_themes], slug);
    return (uint16_t)++c->n_themes;
}

/* Counts one article's tags, sources and time into the event. */
static void
event_count(struct wd_cluster *c, struct event *e,
            const struct wd_cluster_article *a)
{
    if (a->at_ms < e->first_ms)
        e->first_ms = a->at_ms;
    if (a->at_ms > e->last_ms)
        e->last_ms = a->at_ms;
    uint32_t sh = (uint32_t)XXH3_64bits(a->source ? a->source : "",
                                        a->source ? strlen(a->source) : 0);
    bool seen = false;
    for (size_t i = 0; i < e->n_src && !seen; i++)
        seen = e->src[i] == sh;
    if (!seen) {
        e->sources++;
        if (e->n_src < EV_SOURCES)
            e->src[e->n_src++] = sh;
    }
    const struct wd_tags *t = a->tags;
    for (size_t i = 0; t && i < t->n_countries && i < EV_TAGS; i++) {
        const char *cc = t->countries[i].code;
        if (strlen(cc) != 2)
            continue;
        size_t k = 0;
        while (k < EV_TAGS && e->cc_n[k] && memcmp(e->cc[k], cc, 2) != 0)
            k++;
        if (k == EV_TAGS)
            continue;
        if (!e->cc_n[k])
            memcpy(e->cc[k], cc, 3);
        if (e->cc_n[k] < UINT16_MAX)
            e->cc_n[k]++;
    }
    for (size_t i = 0; t && i < t->n_themes && i < EV_TAGS; i++) {
        uint16_t th = theme_intern(c, t->themes[i].code);
        size_t k = 0;
        while (k < EV_TAGS && e->th_n[k] && e->th[k] != th)
            k++;
        if (!th || k == EV_TAGS)
            continue;
        e->th[k] = th;
        if (e->th_n[k] < UINT16_MAX)
            e->th_n[k]++;
    }
}

static void
set_title(struct event *e, const struct wd_cluster_article *a, float sim)
{
    size_t n = !a->title                       ? 0
               : a->tlen < sizeof e->title - 1 ? a->tlen
                                               : sizeof e->title - 1;
    /* Cut on a character boundary. */
    while (n > 0 && n < a->tlen && ((unsigned char)a->title[n] & 0xC0) == 0x80)
        n--;
    memcpy(e->title, a->title ? a->title : "", a->title ? n : 0);
    e->title[a->title ? n : 0] = '\0';
    e->title_sim = sim;
}

static uint32_t
event_new(struct wd_cluster *c, const struct wd_cluster_article *a)
{
    expire(c, a->at_ms);
    uint32_t s = c->free_head;
    if (s == NONE)
        s = (uint32_t)c->n_used++;
    else
        c->free_head = c->ev[s].next;
    struct event *e = &c->ev[s];
    uint32_t gen = e->gen;
    memset(e, 0, sizeof *e);
    e->gen = gen;
    e->live = true;
    e->first_ms = e->last_ms = a->at_ms;
    e->pub_first = e->pub_last = a->published_ms > 0 ? a->published_ms : 0;
    const char *sid = a->story_id ? a->story_id : "";
    uint64_t h = XXH3_64bits_withSeed(sid, strlen(sid), a->revision);
    wd_text_hex64(h, e->id);
    lru_append(c, s);
    c->n_live++;
    return s;
}

/* The places of the WD_CLUSTER_TOP most counted of counts[0..EV_TAGS)
 * (0: an empty place), most first, the first counted first on ties, into
 * order[]; returns how many. */
static size_t
most_counted(const uint16_t counts[EV_TAGS], int order[WD_CLUSTER_TOP])
{
    bool used[EV_TAGS] = {0};
    size_t n = 0;
    while (n < WD_CLUSTER_TOP) {
        int best = -1;
        for (int k = 0; k < EV_TAGS; k++)
            if (counts[k] && !used[k] && (best < 0 || counts[k] > counts[best]))
                best = k;
        if (best < 0)
            break;
        used[best] = true;
        order[n++] = best;
    }
    return n;
}

static void
summarise(const struct wd_cluster *c, const struct event *e,
          struct wd_cluster_event *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->id, e->id, sizeof out->id);
    memcpy(out->title, e->title, sizeof out->title);
    out->first_ms = e->first_ms;
    out->last_ms = e->last_ms;
    out->articles = e->articles;
    out->sources = e->sources;
    int order[WD_CLUSTER_TOP];
    out->n_countries = most_counted(e->cc_n, order);
    for (size_t r = 0; r < out->n_countries; r++)
        memcpy(out->countries[r], e->cc[order[r]], 3);
    out->n_themes = most_counted(e->th_n, order);
    for (size_t r = 0; r < out->n_themes; r++)
        wd_text_copy(out->themes[r], sizeof out->themes[0],
                     c->themes[e->th[order[r]] - 1]);
}

int
wd_cluster_new(struct wd_cluster **out, const struct wd_cluster_config *cfg)
{
    *out = NULL;
    struct wd_cluster_config k = cfg ? *cfg : (struct wd_cluster_config){0};
    if (!k.max_events)
        k.max_events = DEFAULT_EVENTS;
    if (!k.window_ms)
        k.window_ms = DEFAULT_WINDOW_MS;
    if (k.threshold == 0)
        k.threshold = DEFAULT_THRESHOLD;
    if (k.undated_threshold == 0)
        k.undated_threshold =
            k.threshold > DEFAULT_UNDATED ? k.threshold : DEFAULT_UNDATED;
    if (!(k.threshold > 0 && k.threshold <= 1) ||
        !(k.undated_threshold > 0 && k.undated_threshold <= 1) ||
        k.window_ms < 0 || k.max_events >= NONE / 2)
        return WD_EINVAL;
    stop_init();
    struct wd_cluster *c = calloc(1, sizeof *c);
    if (!c)
        return WD_ENOMEM;
    c->cfg = k;
    size_t ns = 1;
    while (ns < k.max_events * 4)
        ns <<= 1;
    c->stories_mask = ns - 1;
    /* (The events, the counters, the posting buckets and the stories are
     * read at random, each of an article's terms a look-up: huge pages,
     * for those of 2 MiB or more.) */
    c->ev = wd_huge_calloc(k.max_events, sizeof *c->ev);
    c->df = wd_huge_calloc((size_t)1 << DF_BITS, sizeof *c->df);
    c->post = wd_huge_calloc((size_t)1 << POST_BITS, sizeof *c->post);
    c->post_next = calloc((size_t)1 << POST_BITS, 1);
    c->stories = wd_huge_calloc(ns, sizeof *c->stories);
    c->stamp = calloc(k.max_events, sizeof *c->stamp);
    c->pos = calloc(k.max_events, 1);
    c->scratch = malloc(sizeof *c->scratch);
    if (!c->scratch || !c->pos || !c->ev || !c->df || !c->post ||
        !c->post_next || !c->stories || !c->stamp) {
        wd_cluster_free(c);
        return WD_ENOMEM;
    }
    c->free_head = NONE;
    c->lru_head = c->lru_tail = NONE;
    *out = c;
    return 0;
}

void
wd_cluster_free(struct wd_cluster *c)
{
    if (!c)
        return;
    wd_huge_free(c->ev, c->cfg.max_events, sizeof *c->ev);
    wd_huge_free(c->df, (size_t)1 << DF_BITS, sizeof *c->df);
    wd_huge_free(c->post, (size_t)1 << POST_BITS, sizeof *c->post);
    free(c->post_next);
    wd_huge_free(c->stories, c->stories_mask + 1, sizeof *c->stories);
    free(c->stamp);
    free(c->pos);
    free(c->scratch);
    free(c);
}

int
wd_cluster_assign(struct wd_cluster *c, const struct wd_cluster_article *a,
                  struct wd_cluster_result *r, struct wd_cluster_event *ev)
{
    memset(r, 0, sizeof *r);
    uint64_t sh = XXH3_64bits(a->story_id ? a->story_id : "",
                              a->story_id ? strlen(a->story_id) : 0);
    sh |= 1;
    struct story_ref *ref = story_at(c, sh);
    uint32_t slot = NONE;
    /* A story already in a live event stays there, counted once: a later
     * revision, or the same one published again (after a crash). */
    if (ref->h == sh && ref_alive(c, ref)) {
        slot = ref->slot;
        struct event *e = &c->ev[slot];
        /* (Its tags and source were counted with it already.) */
        if (a->at_ms > e->last_ms)
            e->last_ms = a->at_ms;
        lru_unlink(c, slot);
        lru_append(c, slot);
        r->similarity = 1;
        wd_text_copy(r->event_id, sizeof r->event_id, e->id);
        r->size = e->articles;
        if (ev)
            summarise(c, e, ev);
        return 0;
    }
    struct term byw[LOCAL_CAP], vec[ART_TERMS], qv[ART_TERMS], qw[ART_TERMS];
    size_t n = vectorize(c, a, c->scratch, byw, vec);
    /* The query: the terms some other article had too (a word seen for
     * the first time can match no event, and only dilutes the cosine of
     * a long article), in the vector and by weight. */
    size_t nw = 0;
    double sq = 0;
    for (size_t i = 0; i < n; i++)
        if (*df_at(c, byw[i].t) >= 2) {
            qw[nw++] = byw[i];
            sq += (double)byw[i].w * byw[i].w;
        }
    float inv = sq > 0 ? (float)(1.0 / sqrt(sq)) : 0;
    /* The same terms in the order of their ids: the vector's, which has
     * them (the n heaviest), kept in its order. */
    size_t nq = 0;
    for (size_t i = 0; i < n; i++)
        if (*df_at(c, vec[i].t) >= 2) {
            qv[nq] = vec[i];
            qv[nq++].w *= inv;
        }
    /* The candidates: the events posted under its heaviest terms. */
    uint32_t best = NONE, second = NONE;
    double best_sim = 0, second_sim = 0;
    if (++c->visit == 0) {
        memset(c->stamp, 0, c->cfg.max_events * sizeof *c->stamp);
        c->visit = 1;
    }
    /* Each candidate's share of the query's weight that posted it: only
     * the MAX_CANDIDATES best are compared in full. */
    enum { MAX_MET = QUERY_TERMS * POST_WAYS };
    uint32_t cand[MAX_MET];
    float hit[MAX_MET];
    size_t n_cand = 0, nqt = nw < QUERY_TERMS ? nw : QUERY_TERMS;
    /* In three passes, so that the cache misses overlap: the terms'
     * posting buckets (2 MiB of them) fetched, the events they post
     * gathered with their hits in the order first met, and only then each
     * event's state (events are most of a KiB each, MiBs in all) fetched
     * and the dead or out of the window dropped. */
    for (size_t q = 0; q < nqt; q++)
        __builtin_prefetch(c->post[qw[q].t & ((1u << POST_BITS) - 1)]);
    for (size_t q = 0; q < nqt; q++) {
        uint32_t *ways = c->post[qw[q].t & ((1u << POST_BITS) - 1)];
        for (int k = 0; k < POST_WAYS; k++) {
            if (!ways[k])
                continue;
            uint32_t s = ways[k] - 1;
            if (c->stamp[s] == c->visit) {
                hit[c->pos[s]] += qw[q].w;
                continue;
            }
            c->stamp[s] = c->visit;
            c->pos[s] = (uint8_t)n_cand;
            cand[n_cand] = s;
            hit[n_cand++] = qw[q].w;
            __builtin_prefetch(&c->ev[s].live);
            __builtin_prefetch(&c->ev[s].first_ms);
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n_cand; i++) {
        const struct event *e = &c->ev[cand[i]];
        if (e->live && in_window(c, e, a)) {
            cand[kept] = cand[i];
            hit[kept++] = hit[i];
        }
    }
    n_cand = kept;
    if (n_cand > MAX_CANDIDATES) {
        /* The heaviest first (a partial selection; ties by position). */
        for (size_t i = 0; i < MAX_CANDIDATES; i++) {
            size_t m = i;
            for (size_t j = i + 1; j < n_cand; j++)
                if (hit[j] > hit[m])
                    m = j;
            uint32_t ts = cand[i];
            float th = hit[i];
            cand[i] = cand[m];
            hit[i] = hit[m];
            cand[m] = ts;
            hit[m] = th;
        }
        n_cand = MAX_CANDIDATES;
    }
    /* (Their centroids fetched before the first is compared.) */
    for (size_t i = 0; i < n_cand; i++) {
        const char *p = (const char *)&c->ev[cand[i]].norm;
        for (size_t o = 0; o < sizeof(float) + sizeof c->ev->terms; o += 64)
            __builtin_prefetch(p + o);
    }
    /* The most similar event that the article may join wins; the best
     * other one is the runner-up. */
    bool best_ok = false;
    struct query query;
    if (n_cand)
        query_make(&query, qv, nq);
    for (size_t i = 0; i < n_cand; i++) {
        uint32_t s = cand[i];
        struct event *e = &c->ev[s];
        double sim = cosine(&query, e);
        int64_t at, first, last;
        bool t = clock_of(e, a, &at, &first, &last);
        int64_t age = at - first;
        if (age < 0)
            age = -age;
        double f = 1.0 - AGE_DECAY * (double)age / (double)c->cfg.window_ms;
        sim *= f > 0 ? f : 0;
        bool ok = sim >= (t ? c->cfg.threshold : c->cfg.undated_threshold);
        bool better = best == NONE || (ok && !best_ok) ||
                      (ok == best_ok &&
                       (sim > best_sim || (sim == best_sim &&
                                           strcmp(e->id, c->ev[best].id) < 0)));
        if (better) {
            second = best;
            second_sim = best_sim;
            best = s;
            best_sim = sim;
            best_ok = ok;
        } else if (second == NONE || sim > second_sim) {
            second = s;
            second_sim = sim;
        }
    }
    if (best_ok) {
        slot = best;
        r->similarity = (float)best_sim;
        if (second != NONE) {
            wd_text_copy(r->runner_up, sizeof r->runner_up, c->ev[second].id);
            r->runner_up_similarity = (float)second_sim;
        }
    } else {
        /* The best candidate, found too weak, named before a new event
         * may take its slot. */
        if (best != NONE) {
            wd_text_copy(r->runner_up, sizeof r->runner_up, c->ev[best].id);
            r->runner_up_similarity = (float)best_sim;
        }
        slot = event_new(c, a);
        r->created = true;
        r->similarity = 1;
    }
    struct event *e = &c->ev[slot];
    if (a->published_ms > 0 &&
        (!e->pub_first || a->published_ms < e->pub_first))
        e->pub_first = a->published_ms;
    if (a->published_ms > e->pub_last)
        e->pub_last = a->published_ms;
    if (r->created || best_sim > e->title_sim)
        set_title(e, a, r->created ? 0.5f : (float)best_sim);
    centroid_add(e, vec, n);
    e->articles++;
    event_count(c, e, a);
    lru_unlink(c, slot);
    lru_append(c, slot);
    for (size_t q = 0; q < n && q < QUERY_TERMS; q++)
        post_add(c, byw[q].t, slot);
    *ref = (struct story_ref){sh, slot, e->gen};
    wd_text_copy(r->event_id, sizeof r->event_id, e->id);
    r->size = e->articles;
    if (ev)
        summarise(c, e, ev);
    return 0;
}

static bool
busier(const struct event *a, const struct event *b)
{
    if (a->articles != b->articles)
        return a->articles > b->articles;
    return a->last_ms > b->last_ms;
}

size_t
wd_cluster_busiest(const struct wd_cluster *c, struct wd_cluster_event *out,
                   size_t n)
{
    if (n == 0)
        return 0;
    uint32_t top[64];
    size_t k = 0, cap = n < 64 ? n : 64;
    for (uint32_t s = c->lru_head; s != NONE; s = c->ev[s].next) {
        const struct event *e = &c->ev[s];
        if (k < cap)
            top[k++] = s;
        else if (busier(e, &c->ev[top[k - 1]]))
            top[k - 1] = s;
        else
            continue;
        for (size_t i = k - 1;
             i > 0 && busier(&c->ev[top[i]], &c->ev[top[i - 1]]); i--) {
            uint32_t t = top[i];
            top[i] = top[i - 1];
            top[i - 1] = t;
        }
    }
    for (size_t i = 0; i < k; i++)
        summarise(c, &c->ev[top[i]], &out[i]);
    return k;
}

void
wd_cluster_usage(const struct wd_cluster *c, size_t *events, size_t *bytes)
{
    *events = c->n_live;
    *bytes = sizeof *c +
             c->cfg.max_events * (sizeof *c->ev + sizeof *c->stamp + 1) +
             ((size_t)1 << DF_BITS) * sizeof *c->df +
             ((size_t)1 << POST_BITS) * (sizeof *c->post + 1) +
             (c->stories_mask + 1) * sizeof *c->stories + sizeof *c->scratch;
}

/* ---- the state across a restart ---- */

/* Change it with the layout or with how an article's terms are made
 * (vectorize(), read_words(), the weights): a dump of other terms would
 * match nothing. */
#define DUMP_MAGIC "wdevnt01"

struct dump_head {
    char magic[8];
    uint32_t event_size, ref_size; /* this build's layouts */
    uint64_t max_events, stories_mask;
    uint64_t n_live, n_used, docs, n_themes;
    uint32_t free_head, lru_head, lru_tail, pad;
};

/* The arrays a dump holds, in its order. */
static size_t
dump_parts(const struct wd_cluster *c, size_t n_used, size_t n_themes,
           struct wd_dump_part parts[6])
{
    parts[0] = (struct wd_dump_part){c->ev, n_used * sizeof *c->ev};
    parts[1] =
        (struct wd_dump_part){c->df, ((size_t)1 << DF_BITS) * sizeof *c->df};
    parts[2] = (struct wd_dump_part){c->post, ((size_t)1 << POST_BITS) *
                                                  sizeof *c->post};
    parts[3] = (struct wd_dump_part){c->post_next, (size_t)1 << POST_BITS};
    parts[4] = (struct wd_dump_part){c->stories, (c->stories_mask + 1) *
                                                     sizeof *c->stories};
    parts[5] = (struct wd_dump_part){(void *)c->themes,
                                     n_themes * sizeof c->themes[0]};
    return 6;
}

int
wd_cluster_dump(const struct wd_cluster *c, wd_dump_write_fn write, void *ctx)
{
    struct dump_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, DUMP_MAGIC, 8);
    h.event_size = sizeof(struct event);
    h.ref_size = sizeof(struct story_ref);
    h.max_events = c->cfg.max_events;
    h.stories_mask = c->stories_mask;
    h.n_live = c->n_live;
    h.n_used = c->n_used;
    h.docs = c->docs;
    h.n_themes = c->n_themes;
    h.free_head = c->free_head;
    h.lru_head = c->lru_head;
    h.lru_tail = c->lru_tail;
    struct wd_dump_part parts[6];
    size_t n = dump_parts(c, c->n_used, c->n_themes, parts);
    return wd_dump_write(&h, sizeof h, parts, n, write, ctx);
}

/* Whether a slot link is NONE or a slot in use. */
static bool
link_ok(uint32_t s, size_t n_used)
{
    return s == NONE || s < n_used;
}

/* Whether the restored state holds together: every link and slot in
 * range, the LRU list and the free list whole (each slot on exactly one,
 * no cycle, the counts right), the tags and times sane, so that a damaged
 * dump whose checksum happened to hold cannot send a decision out of its
 * arrays or into a loop. */
static bool
restored_ok(const struct wd_cluster *c)
{
    if (!link_ok(c->free_head, c->n_used) || !link_ok(c->lru_head, c->n_used) ||
        !link_ok(c->lru_tail, c->n_used) || c->n_live > c->n_used ||
        c->docs >= DF_HALVE)
        return false;
    size_t live = 0;
    for (size_t i = 0; i < c->n_used; i++) {
        const struct event *e = &c->ev[i];
        unsigned char live_byte; /* (a bool read from a file) */
        memcpy(&live_byte, &e->live, 1);
        if (live_byte > 1 || !link_ok(e->prev, c->n_used) ||
            !link_ok(e->next, c->n_used) || e->n_terms > EV_TERMS ||
            e->n_src > EV_SOURCES || memchr(e->id, 0, sizeof e->id) == NULL ||
            memchr(e->title, 0, sizeof e->title) == NULL ||
            e->first_ms > e->last_ms || e->pub_first < 0 ||
            e->pub_first > e->pub_last ||
            (e->pub_first == 0) != (e->pub_last == 0))
            return false;
        for (int k = 0; k < EV_TAGS; k++)
            if ((e->th_n[k] && (e->th[k] < 1 || e->th[k] > c->n_themes)) ||
                e->th[k] > c->n_themes || memchr(e->cc[k], 0, 3) == NULL)
                return false;
        live += e->live;
    }
    if (live != c->n_live)
        return false;
    /* The LRU list: the live slots, each once, linked both ways. */
    size_t n = 0;
    uint32_t prev = NONE;
    for (uint32_t s = c->lru_head; s != NONE; s = c->ev[s].next) {
        if (++n > c->n_live || !c->ev[s].live || c->ev[s].prev != prev)
            return false;
        prev = s;
    }
    if (n != c->n_live || prev != c->lru_tail)
        return false;
    /* The free list: every other slot, each once. */
    n = 0;
    for (uint32_t s = c->free_head; s != NONE; s = c->ev[s].next)
        if (++n > c->n_used - c->n_live || c->ev[s].live)
            return false;
    if (n != c->n_used - c->n_live)
        return false;
    for (size_t i = 0; i < ((size_t)1 << POST_BITS); i++) {
        if (c->post_next[i] >= POST_WAYS)
            return false;
        for (int k = 0; k < POST_WAYS; k++)
            if (c->post[i][k] > c->n_used)
                return false;
    }
    for (size_t i = 0; i <= c->stories_mask; i++)
        if (c->stories[i].h && c->stories[i].slot >= c->n_used)
            return false;
    for (size_t i = 0; i < c->n_themes; i++)
        if (memchr(c->themes[i], 0, sizeof c->themes[i]) == NULL)
            return false;
    return true;
}

/* The state of a new clusterer. */
static void
reset(struct wd_cluster *c)
{
    memset(c->ev, 0, c->cfg.max_events * sizeof *c->ev);
    memset(c->df, 0, ((size_t)1 << DF_BITS) * sizeof *c->df);
    memset(c->post, 0, ((size_t)1 << POST_BITS) * sizeof *c->post);
    memset(c->post_next, 0, (size_t)1 << POST_BITS);
    memset(c->stories, 0, (c->stories_mask + 1) * sizeof *c->stories);
    memset(c->stamp, 0, c->cfg.max_events * sizeof *c->stamp);
    c->visit = 0;
    c->n_live = c->n_used = 0;
    c->docs = 0;
    c->n_themes = 0;
    c->free_head = c->lru_head = c->lru_tail = NONE;
}

int
wd_cluster_restore(struct wd_cluster *c, uint64_t size, wd_dump_read_fn read,
                   void *ctx)
{
    struct dump_head h;
    if (c->n_used || c->docs)
        return WD_EINVAL;
    if (size < sizeof h + sizeof(uint64_t))
        return WD_EPARSE;
    int rc = read(ctx, &h, sizeof h);
    if (rc)
        return rc;
    if (memcmp(h.magic, DUMP_MAGIC, 8) != 0 ||
        h.event_size != sizeof(struct event) ||
        h.ref_size != sizeof(struct story_ref) ||
        h.max_events != c->cfg.max_events ||
        h.stories_mask != c->stories_mask || h.n_used > h.max_events ||
        h.n_themes > MAX_THEMES)
        return WD_EPARSE;
    struct wd_dump_part parts[6];
    size_t n = dump_parts(c, (size_t)h.n_used, (size_t)h.n_themes, parts);
    if (wd_dump_size(sizeof h, parts, n) != size)
        return WD_EPARSE;
    rc = wd_dump_read(&h, sizeof h, parts, n, read, ctx);
    c->n_live = (size_t)h.n_live;
    c->n_used = (size_t)h.n_used;
    c->docs = h.docs;
    c->n_themes = (size_t)h.n_themes;
    c->free_head = h.free_head;
    c->lru_head = h.lru_head;
    c->lru_tail = h.lru_tail;
    if (rc == 0 && !restored_ok(c))
        rc = WD_EPARSE;
    if (rc)
        reset(c);
    return rc;
}
