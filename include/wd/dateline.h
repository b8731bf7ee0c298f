/* Wire datelines: "HOUSTON, March 3 -", "ALMATY (Reuters) -", "BAKU,
 * Azerbaijan —", "Astana, 24 October 2025 /Kazinform/ -", "KEENE, N.H.,
 * March 3 -". The place is one to four comma-separated names of capitalised
 * words before a date, an agency in brackets or slashes and a dash; with
 * neither date nor agency it must be in capitals or name two parts (city,
 * country), so that "The company said - ..." is no dateline.
 *
 * Used by the text page parser (a story's dateline goes to Article.dateline
 * and is read as its place by the tagger) and by tag_eval.
 *
 * Pure: no I/O.
 */
#ifndef WD_DATELINE_H
#define WD_DATELINE_H

#include <stddef.h>

/* The place of a wire dateline opening s[0..n) ("HOUSTON, March 3 -",
 * "ALMATY (Reuters) -", "BAKU, Azerbaijan —"): its length in bytes from s,
 * or 0 when the text opens with none. */
size_t wd_dateline_find(const char *s, size_t n);

#endif
