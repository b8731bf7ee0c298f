/* The text a text page's article is made of, cleaned for output.
 *
 * Runs of white space become one space and content systems' bracketed
 * shortcodes ("[caption id=...]", "[/caption]") go (wd_textclean_put());
 * a text renderer's marks in brackets (an image "[img]", "[logo.jpg]", a
 * form field, a footnote: one token without spaces) are cut from a line
 * before it is classified (wd_textclean_strip_marks()).
 *
 * Pure: no I/O, output in the caller's buffer or arena.
 */
#ifndef WD_TEXTCLEAN_H
#define WD_TEXTCLEAN_H

#include <stddef.h>

#include "wd/arena.h"

/* An output buffer: cap bytes at p, len used. */
struct wd_outbuf {
    char *p;
    size_t len, cap;
};

/* Appends s[0..n) to o, white space collapsed and shortcodes removed;
 * what does not fit in o->cap is dropped. Trailing spaces are trimmed. */
void wd_textclean_put(struct wd_outbuf *o, const char *s, size_t n);

/* A NUL-terminated cleaned copy of s[0..n) in the arena, or NULL. */
const char *wd_textclean_copy(struct wd_arena *a, const char *s, size_t n);

/* s[0..*n) without its bracketed marks, NUL-terminated in the arena (*n
 * gets the new length), or NULL. */
const char *wd_textclean_strip_marks(struct wd_arena *a, const char *s,
                                     size_t *n);

#endif
