/* The parser of text/html pages, on libxml2's HTML parser (the parser
 * under lxml, which trafilatura uses): it tolerates broken markup and
 * converts the page's encoding to UTF-8.
 *
 * Metadata, in this order of trust: JSON-LD (NewsArticle / Article, also
 * inside @graph), OpenGraph and article:* meta, <meta name=author>,
 * <time datetime>, <title> / <h1>; the canonical URL from
 * <link rel=canonical> or og:url, resolved against the page URL.
 * Main text: script, style, navigation, header, footer, aside, forms and
 * comment / share / related blocks are set aside, then the element whose
 * paragraphs carry the most text outside links is the body (the idea
 * behind readability and trafilatura), paragraph breaks kept.
 * Listing pages (several <article> teasers, each a heading with a link)
 * yield one teaser per item, with the item's link as its URL.
 *
 * Each part is a module of its own: htmlmeta reads the metadata, htmlbody
 * finds the main text (htmltext writes it), htmllisting reads listings.
 * This one parses the page, runs the main text's fallback chain, weighs
 * JSON-LD's articleBody against the markup's text, and hands a page whose
 * markup gave no story to the text parser.
 */
#ifndef WD_HTMLPAGE_H
#define WD_HTMLPAGE_H

#include "wd/arena.h"
#include "wd/item.h"

/* Sets libxml2 up; call once on the main thread before parsing on others
 * (libxml2's own rule for threaded programs). Idempotent. */
void wd_htmlpage_init(void);

/* Parses body[0..len) (charset: the content type's, "" when none).
 * Returns 0 (possibly with no items), WD_EPARSE or WD_ENOMEM. */
int wd_htmlpage_parse(const char *body, size_t len, const char *charset,
                      const char *url, int64_t fetched_at_ms,
                      struct wd_arena *arena, struct wd_page *out);

#endif
