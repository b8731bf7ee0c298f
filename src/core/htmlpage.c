#include "wd/htmlpage.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"
#include "wd/htmlbody.h"
#include "wd/htmllisting.h"
#include "wd/htmlmeta.h"
#include "wd/htmlnode.h"
#include "wd/htmlstrip.h"
#include "wd/htmltext.h"
#include "wd/stats.h"
#include "wd/textpage.h"
#include "wd/xmlarena.h"

/* s with white space runs as one space, trimmed, in the arena. */
static char *
fold_space(const char *s, size_t n, struct wd_arena *a)
{
    char *o = wd_arena_alloc(a, n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    bool sp = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool w = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (w) {
            if (!sp)
                o[k++] = ' ';
            sp = true;
        } else {
            o[k++] = c;
            sp = false;
        }
    }
    while (k && o[k - 1] == ' ')
        k--;
    o[k] = '\0';
    return o;
}

/* The JSON-LD articleBody as the body (paragraphs at its line breaks),
 * when it is at least a third longer than body[0..len), holds body's
 * start, and is no teaser; else NULL. */
static char *
use_article_body(const char *ab, const char *body, size_t len,
                 struct wd_arena *a)
{
    size_t n = strlen(ab);
    while (n && (ab[n - 1] == ' ' || ab[n - 1] == '\n'))
        n--;
    if (n < 200 || 3 * n < 4 * len ||
        (n >= 3 && (memcmp(ab + n - 3, "...", 3) == 0 ||
                    memcmp(ab + n - 3, "\xE2\x80\xA6", 3) == 0)))
        return NULL;
    char *fab = fold_space(ab, n, a);
    char *fb = fold_space(body ? body : "", len, a);
    if (!fab || !fb)
        return NULL;
    size_t lead = strlen(fb) < 60 ? strlen(fb) : 60;
    while (lead && ((unsigned char)fb[lead] & 0xC0) == 0x80)
        lead--;
    fb[lead] = '\0';
    if (lead && !strstr(fab, fb))
        return NULL;
    /* Paragraphs: each line break of the articleBody starts one. */
    char *out = wd_arena_alloc(a, 2 * n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && ab[e] != '\n')
            e++;
        char *para = fold_space(ab + i, e - i, a);
        if (para && *para) {
            if (k)
                out[k++] = '\n', out[k++] = '\n';
            size_t pl = strlen(para);
            memcpy(out + k, para, pl);
            k += pl;
        }
        i = e + 1;
    }
    out[k] = '\0';
    return k ? out : NULL;
}

/* Bytes of text in the <p> elements under n. */
static size_t
paragraph_text(xmlNode *n, int depth)
{
    size_t total = 0;
    for (; n && depth < 400; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (wd_htmlnode_is(n, "p")) {
            xmlChar *t = xmlNodeGetContent(n);
            total += t ? (size_t)xmlStrlen(t) : 0;
            xmlFree(t);
            continue;
        }
        total += paragraph_text(n->children, depth + 1);
    }
    return total;
}

static void
quiet(void *ctx, const char *msg, ...)
{
}

void
wd_htmlpage_init(void)
{
    wd_xmlarena_install(); /* before libxml2 allocates anything */
    xmlInitParser();
}

/* With the page's libxml2 memory in wd_xmlarena the tree goes at once in
 * wd_xmlarena_end(); freeing it node by node is only for malloc. */
static _Thread_local bool tree_in_arena;

static void
drop_doc(htmlDocPtr doc)
{
    if (!tree_in_arena)
        xmlFreeDoc(doc);
}

static int parse_page(const char *body, size_t len, const char *charset,
                      const char *url, int64_t now, struct wd_arena *a,
                      struct wd_page *out);

int
wd_htmlpage_parse(const char *body, size_t len, const char *charset,
                  const char *url, int64_t now, struct wd_arena *a,
                  struct wd_page *out)
{
    memset(out, 0, sizeof *out);
    if (len > INT32_MAX)
        return WD_ETOOBIG;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, wd_htmlpage_init);
    char *lean = malloc(len ? len : 1);
    if (!lean)
        return WD_ENOMEM;
    size_t lean_len = wd_htmlstrip(body, len, lean);
    tree_in_arena = wd_xmlarena_begin();
    int rc = parse_page(lean, lean_len, charset, url, now, a, out);
    wd_xmlarena_end();
    free(lean);
    return rc;
}

static int
parse_page(const char *body, size_t len, const char *charset, const char *url,
           int64_t now, struct wd_arena *a, struct wd_page *out)
{
    xmlSetGenericErrorFunc(NULL, quiet);
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
               HTML_PARSE_NONET | HTML_PARSE_COMPACT;
    htmlDocPtr doc = htmlReadMemory(body, (int)len, url,
                                    charset && *charset ? charset : NULL, opts);
    if (!doc && charset && *charset) /* a charset libxml2 does not know */
        doc = htmlReadMemory(body, (int)len, url, NULL, opts);
    if (!doc)
        return WD_EPARSE;
    xmlNode *root = xmlDocGetRootElement(doc);
    int rc = 0;
    struct wd_htmlmeta m;
    wd_htmlmeta_read(root, url, now, a, &m);
    const char *base = m.canonical ? m.canonical : url;
    /* The main text through a fallback chain (readability.js's): a thin
     * result (under 250 characters, while the page's paragraphs hold more
     * than twice as much) is tried again on a fresh parse, first keeping
     * the blocks whose names look unlikely, then without class weights
     * (readability.js retries under 500 characters; a short news item is
     * often longer than 250 and a retry costs two parses). The chosen
     * attempt's tree stays for the listing test. */
    char *text = NULL; /* the main text, malloc'd */
    size_t text_len = 0;
    xmlNode *best = NULL;
    struct wd_htmlbody_stash *stash = malloc(sizeof *stash);
    if (!stash) {
        drop_doc(doc);
        return WD_ENOMEM;
    }
    stash->n = 0;
    int won = -1, tried = 0;
    for (int attempt = 0; attempt < 3 && root; attempt++) {
        if (attempt == 0) {
            wd_htmlbody_prune(root, stash);
        } else if (attempt == 1) {
            wd_htmlbody_restore(stash);
            /* A short result that holds most of the page's paragraph text
             * is the whole story, not a miss. */
            if (2 * text_len >= paragraph_text(root, 0))
                break;
        }
        tried++;
        size_t n = 0;
        xmlNode *top = NULL;
        char *t =
            wd_htmlbody_main(root, attempt < 2, m.title, m.author, &n, &top);
        if (!t) {
            wd_htmlbody_stash_free(stash);
            free(stash);
            free(text);
            drop_doc(doc);
            return WD_ENOMEM;
        }
        /* A later attempt's text is taken only when it holds what the
         * first found (it goes on with the story), or when that was next
         * to nothing: a longer comment thread is no better story. */
        bool extends = text_len < 250 && n > text_len; /* next to nothing */
        if (!extends && n > text_len) {
            char lead[64];
            size_t k = text_len < sizeof lead - 1 ? text_len : sizeof lead - 1;
            while (k && ((unsigned char)text[k] & 0xC0) == 0x80)
                k--;
            memcpy(lead, text, k);
            lead[k] = '\0';
            extends = strstr(t, lead) != NULL;
        }
        if (attempt == 0 || extends) {
            free(text);
            text = t;
            text_len = n;
            best = top;
            won = attempt;
        } else {
            free(t);
        }
        if (text_len >= 250)
            break;
    }
    /* The listing test reads the winning attempt's tree: the first one's
     * is without the unlikely blocks. */
    if (won == 0 && tried > 1)
        wd_htmlbody_prune(root, stash);

    if (root &&
        (rc = wd_htmllisting_read(root, base, m.language, now, best, text_len,
                                  m.is_article, a, out)) != 0) {
        wd_htmlbody_stash_free(stash);
        free(stash);
        free(text);
        drop_doc(doc);
        return rc < 0 ? rc : 0;
    }
    /* The blocks set aside go before the tree they came from. */
    wd_htmlbody_stash_free(stash);
    free(stash);
    /* JSON-LD's articleBody as evidence: when it is much longer than what
     * the page's markup gave and goes on from it (the rest of the story is
     * loaded by script, or hidden behind a "read more"), it is the body; a
     * teaser ("...") is not. */
    if (m.article_body) {
        char *alt = use_article_body(m.article_body, text, text_len, a);
        if (alt) {
            free(text);
            text_len = strlen(alt);
            text = malloc(text_len + 1);
            if (!text) {
                drop_doc(doc);
                return WD_ENOMEM;
            }
            memcpy(text, alt, text_len + 1);
        }
    }
    /* A few characters ("x" under a 600 kB attribute, one word under
     * 100 000 nested elements) are no story: the text reader decides. */
    size_t chars = 0;
    for (size_t i = 0; i < text_len; i++)
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (chars < 12)
        text_len = 0;
    if (text_len == 0) {
        /* No paragraphs: read the page's text, one line per block, as a
         * text page; the page's metadata still wins over what the text
         * parser guesses. */
        free(text);
        text = NULL;
        size_t lines_len = 0;
        char *lines =
            root ? wd_htmltext_lines(root->children, &lines_len) : NULL;
        rc = wd_textpage_parse(lines ? lines : "", lines_len, now, url, NULL, 0,
                               a, out);
        out->n_line_hashes = 0; /* HTML frames are not learned (yet) */
        if (rc == 0 && out->n_items == 0 && out->empty == WD_EMPTY_NO_TEXT)
            out->empty = WD_EMPTY_NO_ARTICLE;
        free(lines);
        if (rc == 0 && out->kind == WD_PAGE_ARTICLE && out->n_items == 1) {
            struct wd_item *one = &out->items[0];
            if (m.title)
                one->title = m.title;
            if (m.author) {
                one->author = m.author;
                one->authors = m.authors;
                one->n_authors = m.n_authors;
            }
            if (m.published_ms)
                one->published_at_ms = m.published_ms;
            if (m.canonical)
                one->url = wd_htmlnode_resolve(m.canonical, url, a);
            one->language = m.language;
        }
        drop_doc(doc);
        return rc;
    }
    struct wd_item *it = wd_arena_alloc(a, sizeof *it);
    if (!it) {
        free(text);
        drop_doc(doc);
        return WD_ENOMEM;
    }
    memset(it, 0, sizeof *it);
    it->body = wd_arena_strndup(a, text, text_len);
    free(text);
    it->title = m.title ? m.title : "";
    it->author = m.author;
    it->authors = m.authors;
    it->n_authors = m.n_authors;
    it->published_at_ms = m.published_ms;
    it->url = m.canonical ? wd_htmlnode_resolve(m.canonical, url, a)
              : m.og_url  ? wd_htmlnode_resolve(m.og_url, url, a)
                          : NULL;
    it->full = true;
    it->language = m.language;
    out->kind = WD_PAGE_ARTICLE;
    out->items = it;
    out->n_items = 1;
    drop_doc(doc);
    return 0;
}
