/* Country and theme tagging: a pure function over an article's text.
 *
 * The tagger is built from three data files (data/ in the source tree,
 * share/wiredesk when installed): gazetteer.tsv (generated from iso-codes,
 * world-countries and GeoNames cities by scripts/make_gazetteer.py),
 * gazetteer-extra.tsv (hand-maintained leaders, institutions, aliases and
 * names that are also personal names) and taxonomy.tsv (IPTC Media Topics
 * and desk themes: phrase -> theme, weight). Every name and phrase is
 * compiled into one trie of words over case- and accent-folded text (Aho-
 * Corasick over words), so tagging is one pass over the words whatever the
 * number of names.
 * docs/ARCHITECTURE.md describes the scoring and the ambiguity rules.
 */
#ifndef WD_TAG_H
#define WD_TAG_H

#include <stddef.h>

#define WD_TAG_MAX 16

struct wd_tag {
    char code[40]; /* "KZ" for a country, "politics" for a theme */
    float score;   /* relevance relative to the best tag of its family, (0,1]
                      (themes: plus their @cooccur share, at most 1) */
};

struct wd_tags {
    struct wd_tag countries[WD_TAG_MAX]; /* ISO 3166-1 alpha-2, upper case */
    size_t n_countries;
    struct wd_tag themes[WD_TAG_MAX]; /* lower-case slugs */
    size_t n_themes;
};

struct wd_tagger;

/* The text of one data file, and the name its error messages use. */
struct wd_tag_file {
    const char *name;
    const char *text;
    size_t len;
};

/* Builds a tagger from the text of its data files: any number of gazetteer
 * files (lines "name<TAB>CC<TAB>kind<TAB>population") and one taxonomy
 * ("@theme<TAB>slug<TAB>code<TAB>label", "phrase<TAB>slug<TAB>weight" and
 * "@cooccur<TAB>slug<TAB>slug<TAB>share", a share in [0, 1]).
 * Returns 0, WD_EINVAL with "file:line: what is wrong" in err (a file the
 * tagger cannot use is refused whole), or WD_ENOMEM. */
int wd_tagger_build(const struct wd_tag_file *gazetteers, size_t n_gazetteers,
                    const struct wd_tag_file *taxonomy, struct wd_tagger **out,
                    char *err, size_t err_cap);

/* Reads DIR/gazetteer.tsv, DIR/gazetteer-extra.tsv (optional) and
 * DIR/taxonomy.tsv and builds a tagger from them. Returns as
 * wd_tagger_build(), or WD_EIO with the file named in err. */
int wd_tagger_load(const char *dir, struct wd_tagger **out, char *err,
                   size_t err_cap);

/* The data directory used when none is given: $WIREDESK_DATA_DIR, else
 * share/wiredesk beside the running binary's prefix, else the installed
 * one, else the source tree's data/ — the first holding taxonomy.tsv. */
const char *wd_tagger_default_dir(void);

/* wd_tagger_load() from wd_tagger_default_dir(); error text on stderr. */
int wd_tagger_new(struct wd_tagger **out);

/* Frees a tagger; NULL is a no-op. */
void wd_tagger_free(struct wd_tagger *t);

/* Tags one article. title and body are UTF-8, not necessarily
 * NUL-terminated. Fills *out with the countries and themes whose relevance
 * passes the thresholds, ordered by score, highest first. A tagger is
 * read-only once built: concurrent calls are safe. Allocates nothing (it
 * uses about 45 KiB of stack). Returns 0. */
int wd_tagger_tag(const struct wd_tagger *t, const char *title, size_t tlen,
                  const char *body, size_t blen, struct wd_tags *out);

/* The country of a dateline's place ("HOUSTON", "BAKU, Azerbaijan",
 * "KEENE, N.H."): its names read as places only (a city that is also a
 * surname is the city), a country or national name before a city, then
 * the most populous. Returns 0 with the ISO code in cc, WD_ENOTFOUND, or
 * WD_ENOMEM. */
int wd_tagger_place(const struct wd_tagger *t, const char *place, size_t n,
                    char cc[3]);

/* Puts country cc first in tags with score 1 (a story's dateline is its
 * place), keeping the others in order (the last one drops when full). */
void wd_tags_put_place(struct wd_tags *tags, const char cc[3]);

/* Every theme slug the tagger can emit, for channel-name validation. */
size_t wd_tagger_theme_slugs(const struct wd_tagger *t,
                             const char *const **slugs);

/* How many names and phrases the tagger holds, and its trie's slots. */
void wd_tagger_size(const struct wd_tagger *t, size_t *patterns, size_t *slots);

#endif
