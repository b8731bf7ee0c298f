/* The language of a text, as a BCP 47 tag, for pages that do not declare
 * theirs: Compact Language Detector 2 (Debian's libcld2), which knows the
 * region's languages (Russian, Kazakh, Kyrgyz, Uzbek, Tajik, Azerbaijani,
 * Turkish, Persian) among some 80 others, reads a kilobyte in tens of
 * microseconds and says when it is not sure.
 *
 * A language written in two scripts gets the script subtag when the text
 * is in the one that is not its usual one ("uz-Cyrl", "kk-Latn", "az-Cyrl"),
 * as CLDR's likely subtags have it. Pure: no state, any thread. */
#ifndef WD_LANG_H
#define WD_LANG_H

#include <stddef.h>

struct wd_arena;
struct wd_page;

/* Bytes of text read at most: the detector is sure of itself long before. */
#define WD_LANG_SAMPLE 1024

/* The language of text (UTF-8), in the arena; NULL when the detector
 * cannot tell (too little text, unreliable, or not a language it knows). */
const char *wd_lang_detect(const char *text, size_t len, struct wd_arena *a);

/* Gives the page's items without a declared language the one of their
 * text: one detection per page over the items' titles and bodies (a
 * listing's teasers share their page's language). */
void wd_lang_fill(struct wd_page *page, struct wd_arena *a);

/* The C++ side (lang_cld2.cc): CLD2's code for text ("en", "ru", "zh-Hant";
 * "un" when unknown), *reliable set. */
const char *wd_lang_cld2(const char *text, int len, int *reliable);

#endif
