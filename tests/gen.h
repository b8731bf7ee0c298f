/* Made-up pages for tests: each is a distinct story of random words, so
 * that no two are exact or near duplicates of each other. */
#ifndef WD_TEST_GEN_H
#define WD_TEST_GEN_H

#include <stdint.h>
#include <stdio.h>

/* Words for made-up stories: each page draws its own sentences, so that
 * every page is a distinct story to the near-duplicate detector too (pages
 * that differ only in a number are, rightly, near duplicates). */
static const char *const words[] = {
    "council",   "harbour",    "valley",   "budget",    "river",    "school",
    "bridge",    "market",     "farmers",  "minister",  "railway",  "festival",
    "drought",   "museum",     "court",    "factory",   "election", "storm",
    "hospital",  "airport",    "workers",  "students",  "village",  "police",
    "energy",    "water",      "forest",   "tourists",  "traders",  "engineers",
    "approved",  "rejected",   "opened",   "closed",    "delayed",  "expanded",
    "protested", "celebrated", "repaired", "inspected", "funded",   "planned",
    "new",       "old",        "northern", "southern",  "local",    "regional",
    "annual",    "rural",      "coastal",  "historic",  "modern",   "small",
    "large",     "after",      "before",   "during",    "despite",  "because"};
#define N_WORDS (sizeof words / sizeof words[0])

static inline uint64_t
next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static inline size_t
sentence(uint64_t *rng, char *buf, size_t cap, int nwords)
{
    size_t n = 0;
    for (int w = 0; w < nwords && n + 16 < cap; w++) {
        const char *word = words[next_rand(rng) % N_WORDS];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", w ? " " : "", word);
    }
    if (n > 0 && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 32);
    return n;
}

/* A page of some other made-up site: headline, byline, two paragraphs, a
 * date. */
static inline size_t
make_page(int i, char *buf, size_t cap)
{
    uint64_t rng = (uint64_t)i * 2654435761u + 1;
    char title[256], p1[1024], p2[1024];
    sentence(&rng, title, sizeof title, 7);
    sentence(&rng, p1, sizeof p1, 40);
    sentence(&rng, p2, sizeof p2, 40);
    return (size_t)snprintf(
        buf, cap, "%s %d\nBy Jane Doe\n%s.\n%s.\n14 May 2024 09:%02d\n", title,
        i, p1, p2, i % 60);
}

#endif
