/* Country and theme tagging: a pure function over an article's text.
 *
 * This is the first version (issue 2): a compiled-in table of country
 * names, demonyms and capitals, and keyword lists per theme. The full tagger
 * (gazetteer from real data, Aho-Corasick, IPTC taxonomy) replaces the
 * tables behind the same interface.
 */
#ifndef WD_TAG_H
#define WD_TAG_H

#include <stddef.h>

#define WD_TAG_MAX 16

struct wd_tag {
    char code[40]; /* "KZ" for a country, "politics" for a theme */
    float score;   /* relevance, higher first; > 0 */
};

struct wd_tags {
    struct wd_tag countries[WD_TAG_MAX]; /* ISO 3166-1 alpha-2, upper case */
    size_t n_countries;
    struct wd_tag themes[WD_TAG_MAX]; /* lower-case slugs */
    size_t n_themes;
};

struct wd_tagger;

/* Builds the matching tables. Returns 0 or WD_ENOMEM. */
int wd_tagger_new(struct wd_tagger **out);

/* Frees a tagger; NULL is a no-op. */
void wd_tagger_free(struct wd_tagger *t);

/* Tags one article. title and body are UTF-8, not necessarily
 * NUL-terminated. Fills *out with the countries and themes whose relevance
 * passes the threshold, ordered by score, highest first. A tagger is
 * read-only after wd_tagger_new(): concurrent calls are safe. Returns 0. */
int wd_tagger_tag(const struct wd_tagger *t, const char *title, size_t tlen,
                  const char *body, size_t blen, struct wd_tags *out);

/* Every theme slug the tagger can emit, for channel-name validation. */
size_t wd_tagger_theme_slugs(const struct wd_tagger *t,
                             const char *const **slugs);

#endif
