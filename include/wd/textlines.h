/* The blocks of a text page: its lines with hard wraps joined back.
 *
 * Text reaches the worker in many shapes: one paragraph a line (what a
 * scraper that joins a page's text writes), wire copy hard-wrapped at about
 * 70 columns with an indent opening each paragraph, and browser dumps
 * (w3m, lynx, html2text) wrapped at 72-80 columns with bullets, indented
 * lists and marked headings. This module turns any of them into logical
 * lines, one block (paragraph, list item, heading, short line) each, from
 * the structure of the text alone:
 *
 * - The wrap width is estimated from the page: the column W for which most
 *   pairs of adjacent lines read as wrapped (the first line ends at or
 *   before W and the next line's first word would have passed it). A page
 *   where few pairs do is not hard-wrapped and its lines stay as they are.
 * - On a wrapped page a line continues the block above it when that line
 *   was full (the next word would not have fit), it is not indented past
 *   the text of the line above (an indent opens a paragraph), and it does
 *   not start a list item.
 * - List markers (*, +, •, □, numbers), html2text's and Markdown's heading
 *   marks ("***** Title *****", "# Title", a line underlined with = or -)
 *   are removed from the text and kept as flags.
 * - CR, form feeds, tabs and non-breaking spaces are white space.
 *
 * Pure: no I/O, everything in the caller's arena.
 */
#ifndef WD_TEXTLINES_H
#define WD_TEXTLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"

struct wd_tline {
    const char *s; /* the block's text, trimmed; n == 0 for a blank line */
    size_t n;
    uint32_t indent; /* columns before the text of its first raw line */
    uint32_t raw;    /* index of its first raw line */
    uint16_t joined; /* raw lines joined into it (1 when not wrapped) */
    bool bullet;     /* a list item: its marker was removed */
    bool heading;    /* marked as a heading by the page's own syntax */
    uint8_t level;   /* its level: 1 (the page's title) to 6 */
};

/* Splits s[0..n) (valid UTF-8) into blocks. *wrap gets the estimated wrap
 * width, 0 when the page is not hard-wrapped. Returns 0 or WD_ENOMEM. */
int wd_textlines_split(const char *s, size_t n, struct wd_arena *a,
                       struct wd_tline **out, size_t *n_out, uint32_t *wrap);

#endif
