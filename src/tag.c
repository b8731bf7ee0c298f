/* The tagger: gazetteer and taxonomy compiled into one Aho-Corasick DFA.
 *
 * Folding. Every byte of the text gets a class: a-z (case folded), 0-9,
 * apostrophe (' and ’), separator (white space, punctuation, dashes),
 * "other letter" (letters of scripts the data does not name), or "ignore"
 * (UTF-8 continuation bytes and the second and later separators of a run).
 * Latin letters with diacritics fold to their base letter (Türkiye ->
 * turkiye, São -> sao), so one byte of the class array stands for one byte
 * of the text and a match's position in the text is known exactly.
 *
 * Automaton. Every name and phrase is folded the same way and inserted with
 * a leading separator, so matches start on word boundaries; the end
 * boundary is checked when a match is reported (a phrase ending in '*'
 * needs none). Missing transitions are filled from the failure links, so
 * the scan is one table load per byte: state = delta[state][class].
 * "ignore" loops on every state, and a separator loops on the states that
 * a separator entered, which collapses runs of separators for free.
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
 * person; in a title (where every word may be capitalised) it counts only
 * when the body names the same country unambiguously.
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
#define TAG_THEME_REL 0.5f
#define TAG_THEMES_MAX 3
#endif
#define TAG_TITLE_WEIGHT 3.0f

/* Byte classes. */
enum {
    C_IGN = 0,
    C_SEP = 1,
    C_APOS = 2,
    C_OTHER = 3,
    C_DIGIT = 4,  /* 4..13 */
    C_ALPHA = 14, /* 14..39 */
    NCLS = 40,
};

static inline bool
cls_is_word(uint8_t c)
{
    return c >= C_OTHER;
}

/* Base letters of U+00C0..U+017F (' ' where there is none: × ÷). */
static const char latin_fold[] =
    "aaaaaaaceeeeiiiidnooooo ouuuuytsaaaaaaaceeeeiiiidnooooo ouuuuyty"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllll"
    "llnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

static uint8_t ascii_cls[128];

static void
init_ascii(void)
{
    if (ascii_cls['a'])
        return;
    for (int c = 0; c < 128; c++) {
        uint8_t k = C_SEP;
        if (c >= 'a' && c <= 'z')
            k = (uint8_t)(C_ALPHA + (c - 'a'));
        else if (c >= 'A' && c <= 'Z')
            k = (uint8_t)(C_ALPHA + (c - 'A'));
        else if (c >= '0' && c <= '9')
            k = (uint8_t)(C_DIGIT + (c - '0'));
        else if (c == '\'')
            k = C_APOS;
        ascii_cls[c] = k;
    }
}

static uint8_t
cp_class(uint32_t cp)
{
    if (cp >= 0xC0 && cp < 0x180) {
        char b = latin_fold[cp - 0xC0];
        return b == ' ' ? C_SEP : (uint8_t)(C_ALPHA + (b - 'a'));
    }
    if (cp == 0x218 || cp == 0x219)
        return C_ALPHA + ('s' - 'a');
    if (cp == 0x21A || cp == 0x21B)
        return C_ALPHA + ('t' - 'a');
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x2BC)
        return C_APOS;
    if (wd_cp_is_alnum(cp))
        return C_OTHER;
    return C_SEP;
}

/* Classes of s[0..n) into cls. Runs of separators keep their
 * first byte as C_SEP, the rest become C_IGN. prev_sep says whether a
 * separator stands before s (folding names: yes). */
static void
fold(const char *s, size_t n, uint8_t *cls, bool prev_sep)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        uint8_t k;
        size_t len = 1;
        if (b < 0x80) {
            k = ascii_cls[b];
        } else {
            uint32_t cp;
            len = wd_utf8_next(s + i, n - i, &cp);
            k = cp_class(cp);
            for (size_t j = 1; j < len; j++)
                cls[i + j] = C_IGN;
        }
        if (k == C_SEP) {
            if (prev_sep)
                k = C_IGN;
            prev_sep = true;
        } else {
            prev_sep = false;
        }
        cls[i] = k;
        i += len;
    }
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

/* One distinct folded string. */
struct entry {
    uint32_t len;   /* folded symbols, leading separator included */
    int32_t sense;  /* first sense */
    bool ambiguous; /* senses name more than one country, or a person */
};

#define MAX_COUNTRIES 300
#define MAX_THEMES 64

struct theme {
    char slug[40];
    char code[24];
};

struct wd_tagger {
    uint32_t *delta; /* n_states * NCLS */
    int32_t *out;    /* entry ending at a state, -1 */
    uint32_t *dict;  /* next state on the failure chain with an output, 0 */
    size_t n_states, cap_states;

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
new_state(struct wd_tagger *t, uint32_t *id)
{
    if (t->n_states >= UINT32_MAX / NCLS)
        return WD_ENOMEM;
    size_t cap = t->cap_states;
    if (grow((void **)&t->delta, &cap, t->n_states + 1,
             NCLS * sizeof(uint32_t)))
        return WD_ENOMEM;
    if (cap != t->cap_states) {
        int32_t *o = realloc(t->out, cap * sizeof *o);
        if (!o)
            return WD_ENOMEM;
        t->out = o;
        t->cap_states = cap;
    }
    *id = (uint32_t)t->n_states++;
    memset(t->delta + (size_t)*id * NCLS, 0, NCLS * sizeof(uint32_t));
    t->out[*id] = -1;
    return 0;
}

/* Inserts the folded form of name[0..n) and adds a sense to its entry.
 * Returns 0, 1 when the name folds to nothing usable, or WD_ENOMEM. */
static int
insert(struct wd_tagger *t, const char *name, size_t n, struct sense sn)
{
    uint8_t cls[256];
    if (n == 0 || n > sizeof cls)
        return 1;
    fold(name, n, cls, true);
    /* A trailing separator ("U.S.") is not part of the name: the end
     * boundary check stands for it. */
    size_t last = n;
    while (last > 0 && (cls[last - 1] == C_IGN || cls[last - 1] == C_SEP))
        last--;
    if (last == 0)
        return 1;
    uint32_t s = 0, len = 0;
    for (size_t i = 0; i <= last; i++) {
        uint8_t c = i == 0 ? C_SEP : cls[i - 1];
        if (c == C_IGN)
            continue;
        if (c == C_OTHER)
            return 1; /* a letter the fold does not know: never matched */
        uint32_t *slot = &t->delta[(size_t)s * NCLS + c];
        if (*slot == 0) {
            uint32_t id;
            if (new_state(t, &id))
                return WD_ENOMEM;
            slot = &t->delta[(size_t)s * NCLS + c]; /* delta moved */
            *slot = id;
        }
        s = *slot;
        len++;
    }
    int32_t e = t->out[s];
    if (e < 0) {
        if (grow((void **)&t->entries, &t->cap_entries, t->n_entries + 1,
                 sizeof *t->entries))
            return WD_ENOMEM;
        e = (int32_t)t->n_entries++;
        t->entries[e] = (struct entry){.len = len, .sense = -1};
        t->out[s] = e;
    }
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
            for (size_t i = 0; i < t->n_themes; i++)
                if (field_is(f[1], l[1], t->themes[i].slug))
                    return fail_at(r, "theme '%.*s' declared twice", f[1],
                                   l[1]);
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
        phrases++;
    }
    if (t->n_themes == 0)
        return fail_at(r, "no @theme declared%.*s", "", 0);
    (void)phrases;
    return 0;
}

/* Breadth-first over the trie: failure links, missing transitions, the
 * separator self-loops, and the chain of outputs per state. */
static int
compile(struct wd_tagger *t)
{
    size_t n = t->n_states;
    uint32_t *fail = calloc(n, sizeof *fail);
    uint32_t *queue = malloc(n * sizeof *queue);
    uint8_t *via = calloc(n, 1); /* class that entered the state */
    t->dict = calloc(n, sizeof *t->dict);
    if (!fail || !queue || !via || !t->dict) {
        free(fail), free(queue), free(via);
        return WD_ENOMEM;
    }
    size_t head = 0, tail = 0;
    uint32_t *root = t->delta;
    for (int c = 0; c < NCLS; c++)
        if (root[c]) {
            fail[root[c]] = 0;
            via[root[c]] = (uint8_t)c;
            queue[tail++] = root[c];
        }
    root[C_IGN] = 0;
    while (head < tail) {
        uint32_t s = queue[head++];
        uint32_t *row = t->delta + (size_t)s * NCLS;
        const uint32_t *frow = t->delta + (size_t)fail[s] * NCLS;
        for (int c = 1; c < NCLS; c++) {
            if (row[c]) {
                uint32_t u = row[c];
                fail[u] = frow[c];
                via[u] = (uint8_t)c;
                queue[tail++] = u;
            } else if (c == C_SEP && via[s] == C_SEP) {
                row[c] = s;
            } else {
                row[c] = frow[c];
            }
        }
        row[C_IGN] = s;
        uint32_t f = fail[s];
        t->dict[s] = t->out[f] >= 0 ? f : t->dict[f];
    }
    free(fail), free(queue), free(via);
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
    init_ascii();
    struct wd_tagger *t = calloc(1, sizeof *t);
    if (!t)
        return WD_ENOMEM;
    uint32_t root;
    int rc = new_state(t, &root);
    /* Themes first, so that their indexes are the taxonomy's order. */
    if (rc == 0) {
        struct reader r = {.f = tax, .err = err, .err_cap = err_cap};
        rc = load_taxonomy(t, &r);
    }
    for (size_t i = 0; rc == 0 && i < n_gaz; i++) {
        struct reader r = {.f = &gaz[i], .err = err, .err_cap = err_cap};
        rc = load_gazetteer(t, &r);
    }
    if (rc == 0)
        rc = compile(t);
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
    free(t->delta);
    free(t->out);
    free(t->dict);
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
wd_tagger_size(const struct wd_tagger *t, size_t *patterns, size_t *states)
{
    *patterns = t->n_senses;
    *states = t->n_states;
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

/* Scans one field: title (text = title) or body. */
static void
scan_text(struct scan *sc, const char *s, size_t n, uint8_t *cls, bool title)
{
    const struct wd_tagger *t = sc->t;
    fold(s, n, cls, true);
    const uint32_t *delta = t->delta;
    uint32_t st = delta[C_SEP]; /* a separator stands before the text */
    for (size_t i = 0; i < n; i++) {
        st = delta[(size_t)st * NCLS + cls[i]];
        if (t->out[st] < 0 && t->dict[st] == 0)
            continue;
        /* Where the next symbol stands decides the end boundary. */
        size_t j = i + 1;
        while (j < n && cls[j] == C_IGN)
            j++;
        bool boundary = j == n || !cls_is_word(cls[j]);
        for (uint32_t o = t->out[st] >= 0 ? st : t->dict[st]; o;
             o = t->dict[o]) {
            uint32_t e = (uint32_t)t->out[o];
            const struct entry *en = &t->entries[e];
            bool any = false;
            for (int32_t k = en->sense; k >= 0; k = t->senses[k].next)
                if (boundary || t->senses[k].prefix)
                    any = true;
            if (!any || sc->n == MAX_MENTIONS)
                continue;
            /* Walk back over the entry's symbols to its first byte. */
            size_t left = en->len - 1, p = i + 1;
            while (left > 0 && p > 0) {
                p--;
                if (cls[p] != C_IGN)
                    left--;
            }
            struct mention *m = &sc->m[sc->n++];
            m->entry = e;
            m->start = (uint32_t)p;
            m->end = (uint32_t)(i + 1);
            while (m->end < n && cls[m->end] == C_IGN)
                m->end++;
            m->title = title;
            m->pos = title ? TAG_TITLE_WEIGHT
                           : 2.0f - (n ? (float)i / (float)n : 0.0f);
            /* boundary is rechecked per sense at scoring */
            if (!boundary)
                m->end |= 0x80000000u;
        }
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
static void
keep_longest(const struct wd_tagger *t, struct mention *m, size_t from,
             size_t to, const char *s, size_t n)
{
    for (size_t i = from; i < to; i++) {
        uint32_t si = m[i].start, ei = m[i].end & 0x7fffffffu;
        for (size_t j = from; j < to; j++) {
            uint32_t sj = m[j].start, ej = m[j].end & 0x7fffffffu;
            if (ej < ei) {
                /* ends are in order: skip ahead cheaply */
                if (ei - ej > 256)
                    j = i;
                continue;
            }
            if (ej - ei > 256)
                break;
            if (j == i || m[j].entry == UINT32_MAX || sj > si ||
                ej - sj <= ei - si)
                continue;
            if (mention_holds(t, &m[j], s, n)) {
                m[i].entry = UINT32_MAX;
                break;
            }
        }
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
emit(float *score, size_t n, float min, float rel, size_t max,
     struct wd_tag *out, size_t *n_out,
     const char *(*name)(const void *, size_t), const void *ctx)
{
    *n_out = 0;
    float top = 0;
    for (size_t i = 0; i < n; i++)
        if (score[i] > top)
            top = score[i];
    if (top < min)
        return;
    while (*n_out < max) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (score[i] >= min && score[i] >= rel * top &&
                (best == n || score[i] > score[best]))
                best = i;
        if (best == n)
            break;
        struct wd_tag *tg = &out[(*n_out)++];
        snprintf(tg->code, sizeof tg->code, "%s", name(ctx, best));
        tg->score = score[best] / top;
        score[best] = -1;
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
    size_t maxlen = tlen > blen ? tlen : blen;
    uint8_t *cls = malloc(maxlen ? maxlen : 1);
    if (!sc || !sv || !cls) {
        free(sc), free(sv), free(cls);
        return 0; /* no tags rather than no article */
    }
    sc->t = t;
    sc->n = 0;
    scan_text(sc, title, tlen, cls, true);
    size_t n_title = sc->n;
    keep_longest(t, sc->m, 0, n_title, title, tlen);
    scan_text(sc, body, blen, cls, false);
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
        if (personal) {
            if (m->title
                    ? sv->ev_any[best->idx] == 0
                    : beside_capitalised(s, n, m->start, m->end & 0x7fffffffu))
                continue;
        }
        sv->country[best->idx] += best->weight * m->pos;
    }
    emit(sv->country, t->n_countries, TAG_COUNTRY_MIN, TAG_COUNTRY_REL,
         WD_TAG_MAX, out->countries, &out->n_countries, country_name, t);
    emit(sv->theme, t->n_themes, TAG_THEME_MIN, TAG_THEME_REL, TAG_THEMES_MAX,
         out->themes, &out->n_themes, theme_name, t);
    free(sc), free(sv), free(cls);
    return 0;
}
