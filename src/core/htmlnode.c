/* Small questions about one node of libxml2's HTML tree. See
 * include/wd/htmlnode.h. */
#include "wd/htmlnode.h"

#include "wd/text.h"

#include <libxml/uri.h>
#include <string.h>
#include <strings.h>

bool
wd_htmlnode_is(const xmlNode *n, const char *name)
{
    /* libxml2's HTML parser gives element names in lower case: a byte
     * compare, the first byte first. */
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           n->name[0] == (xmlChar)name[0] &&
           strcmp((const char *)n->name, name) == 0;
}

bool
wd_htmlnode_is_any(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (wd_htmlnode_is(n, *names))
            return true;
    return false;
}

static const char *const block_tags[] = {
    "address", "article", "aside",  "blockquote", "dd",         "details",
    "div",     "dl",      "dt",     "fieldset",   "figcaption", "figure",
    "footer",  "form",    "h1",     "h2",         "h3",         "h4",
    "h5",      "h6",      "header", "hr",         "li",         "main",
    "nav",     "ol",      "p",      "pre",        "section",    "table",
    "tbody",   "thead",   "tr",     "ul",         "td",         "th",
    "body",    NULL};

bool
wd_htmlnode_is_block(const xmlNode *n)
{
    return wd_htmlnode_is_any(n, block_tags);
}

const char *
wd_htmlnode_attr_text(const xmlNode *n, const char *name)
{
    for (const xmlAttr *p = n->properties; p; p = p->next)
        if (p->name && strcasecmp((const char *)p->name, name) == 0)
            return p->children && p->children->type == XML_TEXT_NODE &&
                           !p->children->next && p->children->content
                       ? (const char *)p->children->content
                       : "";
    return NULL;
}

char *
wd_htmlnode_attr(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, BAD_CAST name);
}

char *
wd_htmlnode_resolve(const char *href, const char *base, struct wd_arena *a)
{
    if (!href)
        return NULL;
    xmlChar *u = xmlBuildURI(BAD_CAST href, BAD_CAST(base ? base : ""));
    char *out = u ? wd_arena_strndup(a, (char *)u, strlen((char *)u))
                  : wd_arena_strndup(a, href, strlen(href));
    xmlFree(u);
    return out;
}

bool
wd_htmlnode_is_date(xmlNode *n)
{
    static const char *const skip[] = {"meta", "time", "script", "style", NULL};
    if (n->type != XML_ELEMENT_NODE || wd_htmlnode_is_any(n, skip))
        return false;
    static const char *const attrs[] = {"class", "id", "itemprop"};
    bool yes = false;
    for (size_t i = 0; i < 3 && !yes; i++) {
        char *v = wd_htmlnode_attr(n, attrs[i]);
        yes = v && (wd_text_contains_ci(v, "date") ||
                    wd_text_contains_ci(v, "time") ||
                    wd_text_contains_ci(v, "publish") ||
                    wd_text_contains_ci(v, "posted"));
        xmlFree(v);
    }
    return yes;
}
