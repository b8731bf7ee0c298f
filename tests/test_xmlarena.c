/* WD_TEST_LABEL: unit */
/* libxml2's per-page arena: inside a page libxml2's blocks come from the
 * arena and outlive their free until the page ends; outside a page, and
 * on other threads, they are malloc's; a block may be freed on the other
 * side of a page's start or end; realloc keeps the bytes; under
 * AddressSanitizer a freed block is poisoned. */
#include "test.h"

#include <libxml/HTMLparser.h>
#include <libxml/xmlmemory.h>
#include <pthread.h>

#include "wd/htmlpage.h"
#include "wd/xmlarena.h"
#include "wd/asan.h"

static void
test_installed(void)
{
    wd_htmlpage_init();
    CHECK(wd_xmlarena_install());
    xmlFreeFunc f;
    xmlMallocFunc m;
    xmlReallocFunc r;
    xmlStrdupFunc s;
    CHECK_INT(xmlMemGet(&f, &m, &r, &s), ==, 0);
    CHECK(m != malloc); /* libxml2 really goes through the arena */
}

static void
test_page_blocks(void)
{
    char *outside = xmlMalloc(32); /* malloc's, freed inside a page */
    memcpy(outside, "kept across the page's start", 29);
    CHECK(wd_xmlarena_begin());
    char *a = xmlMalloc(100), *b = xmlMalloc(100);
    CHECK(a && b);
    /* One bump arena: the second block follows the first and its
     * 16-byte header. */
    CHECK_INT(b - a, ==, 128); /* 16 + 100, rounded up to 16 */
    memset(a, 'x', 100);
    char *c = xmlRealloc(a, 5000); /* grows by a copy */
    CHECK(c != NULL);
    CHECK_INT(c[0], ==, 'x');
    CHECK_INT(c[99], ==, 'x');
    char *d = (char *)xmlStrdup((const xmlChar *)"dup");
    CHECK_STR(d, "dup");
    CHECK_STR(outside, "kept across the page's start");
    xmlFree(outside);
    outside = xmlRealloc(NULL, 8); /* realloc(NULL) allocates, in the arena */
    CHECK(outside != NULL);
    xmlFree(c);
#ifdef WD_ASAN
    CHECK(__asan_address_is_poisoned(c));     /* a use after free is reported */
    CHECK(!__asan_address_is_poisoned(b));    /* its neighbour is not touched */
    CHECK(__asan_address_is_poisoned(b - 1)); /* the header between */
#endif
    xmlFree(b);
    xmlFree(d);
    wd_xmlarena_end();
    /* After the page: malloc again, and the arena's memory is reused. */
    char *e = xmlMalloc(64);
    CHECK(e != NULL);
    strcpy(e, "after");
    CHECK(wd_xmlarena_begin());
    char *g = xmlMalloc(100);
    CHECK(g == a); /* the same chunk, from its start */
    xmlFree(e);    /* a malloc block freed inside a page */
    xmlFree(g);
    wd_xmlarena_end();
}

static void *
other_thread(void *arg)
{
    (void)arg;
    /* No page on this thread: malloc's, even while main has one open. */
    char *p = xmlMalloc(16);
    if (p)
        strcpy(p, "thread");
    return p;
}

static void
test_threads(void)
{
    CHECK(wd_xmlarena_begin());
    pthread_t t;
    void *p = NULL;
    CHECK_INT(pthread_create(&t, NULL, other_thread, NULL), ==, 0);
    CHECK_INT(pthread_join(t, &p), ==, 0);
    wd_xmlarena_end();
    CHECK_STR((char *)p, "thread"); /* the page's end did not take it */
    xmlFree(p);
}

static void
test_parse_many(void)
{
    /* Pages in a row on one thread: each tree is dropped at its page's
     * end; the text read back is right each time (no reuse too early). */
    for (int i = 0; i < 50; i++) {
        char html[256];
        snprintf(html, sizeof html,
                 "<html><head><title>Page %d</title></head><body><p>Story "
                 "number %d is here.</p></body></html>",
                 i, i);
        CHECK(wd_xmlarena_begin());
        htmlDocPtr doc =
            htmlReadMemory(html, (int)strlen(html), "http://x/", NULL,
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
        CHECK(doc != NULL);
        xmlChar *t = xmlNodeGetContent(xmlDocGetRootElement(doc));
        char want[64];
        snprintf(want, sizeof want, "Story number %d is here.", i);
        CHECK(t && strstr((char *)t, want));
        xmlFree(t);
        wd_xmlarena_end(); /* no xmlFreeDoc: the arena drops the tree */
    }
}

int
main(void)
{
    RUN(test_installed);
    RUN(test_page_blocks);
    RUN(test_threads);
    RUN(test_parse_many);
    return TEST_DONE();
}
