/* An HTML page without what libxml2 would read character by character for
 * nothing: the code inside <script> (JSON-LD kept: it is metadata), the
 * rules inside <style>, and comments; a third to a half of a news page's
 * bytes. The elements themselves stay, empty, so the tree keeps its shape.
 * Tags are read as an HTML tokenizer reads them (a ">" inside a quoted
 * attribute value does not end one, and a "<script>" inside one is no
 * script); what cannot be read that way (a tag or a comment left open at
 * the end) is kept as it was and left to libxml2. A tag keeps its first
 * WD_HTMLSTRIP_MAX_ATTRS attributes: libxml2's check for a repeated one is
 * quadratic, and one tag of 100 000 attributes held a page (and every page
 * behind it) for 29 s. Pure, over buffers. */
#ifndef WD_HTMLSTRIP_H
#define WD_HTMLSTRIP_H

#include <stddef.h>

#define WD_HTMLSTRIP_MAX_ATTRS 256

/* Writes s[0..len) without the raw text above into out (len bytes of room;
 * the output is never longer, and is a subsequence of the input). Returns
 * its length. */
size_t wd_htmlstrip(const char *s, size_t len, char *out);

#endif
