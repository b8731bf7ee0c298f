/* Bylines to people: "By Dana A. Ford, James S.A. Corey and Tom Watkins,
 * CNN" -> ["Dana A. Ford", "James S.A. Corey", "Tom Watkins"]. A pure
 * function over a buffer, shared by the page parsers.
 *
 * The byline's "By" (and its common forms in a few languages) goes; lists
 * split on commas, semicolons, bars, slashes and the word "and" (und, et,
 * y, e, i, и, ve); parenthesised asides ("(http://…)", "(AFP)") and what is
 * no person's name are dropped: an address or e-mail, digits, more than
 * five words, one short word or an acronym ("CNN", "AFP", "MA").
 */
#ifndef WD_AUTHOR_H
#define WD_AUTHOR_H

#include <stddef.h>

#include "wd/arena.h"

#define WD_AUTHORS_MAX 8

/* Splits the byline s[0..n) into at most max names, each NUL-terminated in
 * the arena, without duplicates. Returns how many (0 when none is a
 * name, or when out of memory). */
size_t wd_authors_split(const char *s, size_t n, struct wd_arena *a,
                        const char **out, size_t max);

#endif
