/* Fingerprints of stories: the stable id, the exact-duplicate key and the
 * 64-bit SimHash. Pure functions over text; hashing is xxHash (XXH3), whose
 * output is specified and identical on every platform and version, so ids
 * stay the same across restarts and across workers. */
#ifndef WD_FINGERPRINT_H
#define WD_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define WD_ID_LEN 32 /* hex digits of a story id, without the NUL */

/* Words of the body's opening that enter the story id. The id must survive
 * the body growing from teaser to full text, so it sees only the title and
 * the lead. */
#define WD_ID_LEAD_WORDS 12

/* Writes the story id of (title, body) as 32 lower-case hex digits and a
 * NUL into id[WD_ID_LEN + 1]: XXH3-128 of the title's key and the key of the
 * first WD_ID_LEAD_WORDS words of the body. */
void wd_fp_story_id(const char *title, size_t tlen, const char *body,
                    size_t blen, char id[WD_ID_LEN + 1]);

/* The exact-duplicate key of a story: XXH3-64 of the keys of its whole title
 * and body, so white space, quotes and case do not matter. Never 0. */
uint64_t wd_fp_content_key(const char *title, size_t tlen, const char *body,
                           size_t blen);

/* The key of a URL for exact-duplicate lookups: XXH3-64 of its bytes as
 * given (no folding: "/a/1" and "/a-1" are different pages). Never 0. */
uint64_t wd_fp_url_key(const char *url, size_t n);

/* 64-bit SimHash over word 3-shingles of the text's key (Charikar; as used
 * by Manku et al., WWW 2007). Near-identical texts differ in few bits. */
uint64_t wd_fp_simhash(const char *text, size_t n);

/* MinHash with LSH banding (Broder; Leskovec et al., "Mining of Massive
 * Datasets" ch. 3): WD_MH_BANDS bands of WD_MH_ROWS minimums over the
 * word 3-shingles of the text's key. Two texts of Jaccard similarity J
 * share a band with probability J^WD_MH_ROWS: near copies (J > 0.8) share
 * most bands, different stories (J < 0.1) share none. Writes one 64-bit
 * hash per band to bands[]. Returns the number of shingles (0: too short,
 * the bands are then those of the text's words). */
#define WD_MH_BANDS 16
#define WD_MH_ROWS 3
size_t wd_fp_minhash_bands(const char *text, size_t n,
                           uint64_t bands[WD_MH_BANDS]);

/* Lead keys: XXH3-64 of each of the first WD_FP_LEADS windows of
 * WD_FP_LEAD_WORDS words of the body's key (words 1-8, 9-16, ...; the
 * window's number is hashed in, so a key says where it stood), 0 for a
 * window the body does not fill. A teaser cut from a text shares its
 * complete windows with that text whatever the headline above it, and all
 * but the windows of a changed word when the copy was edited: the dedup
 * finds a teaser's full text (and a full text's teaser) by them. */
#define WD_FP_LEADS 8
#define WD_FP_LEAD_WORDS 8

/* The lead sketch: a MinHash of WD_FP_SKETCH values over the word
 * 3-shingles of the body's first WD_FP_SKETCH_WORDS words (short of its
 * last word), to tell whether two leads that share one window are one
 * story edited or two stories that open alike. */
#define WD_FP_SKETCH 16
#define WD_FP_SKETCH_WORDS 32

/* All the fingerprints of a story at once, from one matching key of the
 * title and one of the body (what the pipeline uses). */
/* The facts of a story: the figures and the names of its title and lead
 * (a Bloom filter of 256 bits, two bits a fact). Two items of one template
 * (bond issues of two issuers, earnings of two companies, the same market
 * notice on two days) share most words and few facts; a copy-edit or a
 * re-syndication keeps them. */
#define WD_FP_FACT_WORDS 150
struct wd_fp_facts {
    uint64_t bits[4];
};

/* Ones in common over the smaller set, in [0, 1]; -1 when either has too
 * few facts to say (fewer than five). */
double wd_fp_facts_containment(const struct wd_fp_facts *a,
                               const struct wd_fp_facts *b);

void wd_fp_facts(const char *title, size_t tlen, const char *body, size_t blen,
                 struct wd_fp_facts *out);

struct wd_fp_story {
    char id[WD_ID_LEN + 1];
    uint64_t content_key;
    uint64_t simhash;
    uint64_t bands[WD_MH_BANDS];
    size_t shingles;
    uint64_t leads[WD_FP_LEADS];
    uint32_t sketch[WD_FP_SKETCH];
    size_t words; /* of the body's key */
    struct wd_fp_facts facts;
};

void wd_fp_story(const char *title, size_t tlen, const char *body, size_t blen,
                 struct wd_fp_story *out);

/* Number of differing bits. */
int wd_fp_hamming(uint64_t a, uint64_t b);

#endif
