/* WD_TEST_LABEL: unit */
/* The page parser on the seed pages (one real site) and on made-up pages of
 * other layouts, plus the refusals of bad input. */
#include "test.h"

#include "wd/page.h"

#define SEEDS WD_FIXTURES "/seeds/"

static struct wd_arena arena;

static int
parse(const char *ctype, const char *body, size_t len, struct wd_page *page)
{
    struct wd_page_input in = {ctype,
                               (const uint8_t *)body,
                               len,
                               1764000000000LL,
                               "https://example.test/",
                               NULL,
                               0,
                               false};
    wd_arena_reset(&arena);
    return wd_page_parse(&in, &arena, page);
}

static int
parse_file(const char *name, struct wd_page *page)
{
    char path[512];
    snprintf(path, sizeof path, SEEDS "%s", name);
    size_t len;
    char *buf = wd_test_slurp(path, &len);
    int rc = parse("text/plain; charset=utf-8", buf, len, page);
    /* The page's strings live in the arena, not in buf. */
    free(buf);
    return rc;
}

/* Nothing a reader would call boilerplate may reach a title or a body. */
static void
check_clean(const struct wd_item *it)
{
    static const char *const junk[] = {
        "USD =",   "Viewing results", "KGS/",      "\nHome",
        "TMT/USD", "[caption",        "[/caption]"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        CHECK_NOT_CONTAINS(it->title, junk[i]);
        CHECK_NOT_CONTAINS(it->body, junk[i]);
    }
    CHECK(strlen(it->title) > 10);
    CHECK(strlen(it->body) > 100);
    size_t bl = strlen(it->body);
    CHECK(bl < 3 || strcmp(it->body + bl - 3, "...") != 0);
    CHECK(it->body[0] != ' ' && it->body[bl - 1] != ' ');
}

static void
check_listing(const char *file, const char *first_title, const char *last_title,
              const bool *truncated)
{
    struct wd_page page;
    CHECK_OK(parse_file(file, &page));
    CHECK_INT(page.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(page.n_items, ==, 6);
    if (page.n_items != 6)
        return;
    CHECK_STR(page.items[0].title, first_title);
    CHECK_STR(page.items[5].title, last_title);
    for (size_t i = 0; i < page.n_items; i++) {
        check_clean(&page.items[i]);
        CHECK(!page.items[i].full);
        CHECK_INT(page.items[i].truncated, ==, truncated[i]);
        CHECK(page.items[i].author == NULL);
    }
}

/* Teasers cut by the site end with an ellipsis; a teaser that ends with a
 * full stop is the site's complete text. */
static void
test_seed_listing_000(void)
{
    static const bool cut[6] = {1, 1, 1, 1, 1, 0};
    check_listing("000_2965303afe5faa20.txt",
                  "Aliyev–Tokayev Talks Rekindle Momentum for Trump’s Peace "
                  "Corridor",
                  "Armenia’s PM to Visit Kazakhstan Amid Historic Peace "
                  "Breakthrough and Economic Opportunities",
                  cut);
}

static void
test_seed_listing_001(void)
{
    static const bool cut[6] = {1, 1, 1, 0, 0, 1};
    check_listing("001_9060e6353d04331a.txt",
                  "Kazakhstan–Uzbekistan Partnership Signals a New Era in "
                  "Central Asia",
                  "Azerbaijan and Kazakhstan Deepen Strategic Partnership "
                  "Through Middle Corridor",
                  cut);
}

static void
test_seed_listing_002(void)
{
    static const bool cut[6] = {1, 1, 1, 1, 1, 1};
    check_listing("002_169b421efc6a4b65.txt",
                  "How Tokayev’s Kazakhstan Bridges Global Powers",
                  "Kazakhstan is Striving for Investment Amid “Resource "
                  "Nationalism”",
                  cut);
}

static void
test_seed_listing_003(void)
{
    static const bool cut[6] = {1, 0, 1, 0, 1, 1};
    check_listing("003_b68fa506791f493d.txt",
                  "What Does Turkey’s “Return” to Europe Mean for Central "
                  "Asia?",
                  "“Mayday! Mayday!” Kazakhstan Releases Report on AZAL "
                  "Plane Crash",
                  cut);
}

static void
test_seed_article_004(void)
{
    struct wd_page page;
    CHECK_OK(parse_file("004_5a5ebf73775bfc62.txt", &page));
    CHECK_INT(page.kind, ==, WD_PAGE_ARTICLE);
    CHECK_INT(page.n_items, ==, 1);
    if (page.n_items != 1)
        return;
    const struct wd_item *it = &page.items[0];
    CHECK_STR(it->title, "Astana and Baku: Strategic Alignment Between the "
                         "South Caucasus and Central Asia");
    CHECK_STR(it->author, "Irina Khalturina");
    CHECK_INT(it->published_at_ms, ==, 1761312960000LL);
    CHECK(it->full);
    CHECK(!it->truncated);
    check_clean(it);
    CHECK_CONTAINS(it->body, "The state visit of Azerbaijani President");
    CHECK_CONTAINS(it->body, "change the geopolitical balance in the region.");
    /* The tail is metadata, never body. */
    CHECK_NOT_CONTAINS(it->body, "Khalturina");
    CHECK_NOT_CONTAINS(it->body, "Home");
    CHECK_NOT_CONTAINS(it->body, "13:36");
    size_t bl = strlen(it->body);
    CHECK(bl > 4 && strcmp(it->body + bl - 3, "115") != 0);
    /* Nine lines of text: eight paragraphs after the title. */
    int paras = 1;
    for (const char *p = it->body; (p = strstr(p, "\n\n")) != NULL; p += 2)
        paras++;
    CHECK_INT(paras, ==, 8);
}

/* A made-up site: a menu bar, a listing without blank lines or ellipses,
 * each teaser under its headline with a date line, a footer. */
static void
test_other_site_listing(void)
{
    const char *page_text =
        "News | Sport | Weather | Contact\n"
        "Latest headlines\n"
        "Port Strike Enters Third Week as Talks Stall\n"
        "12 March 2024\n"
        "Dock workers in the northern harbour extended their walkout on "
        "Monday after negotiators failed to agree on a new wage deal for "
        "the coming two years.\n"
        "City Council Approves New Tram Line\n"
        "11 March 2024\n"
        "The council voted twenty-one to nine in favour of the eastern tram "
        "extension, which is expected to open to passengers in the spring "
        "of 2027.\n"
        "Local Team Wins Regional Chess Title\n"
        "10 March 2024\n"
        "Students from the old grammar school beat eleven rival teams over "
        "a long weekend of play that ended with a tense final round on "
        "Sunday.\n"
        "Page 1 of 12\n"
        "(c) 2024 Harbour Gazette. All rights reserved.\n";
    struct wd_page page;
    CHECK_OK(parse("text/plain", page_text, strlen(page_text), &page));
    CHECK_INT(page.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(page.n_items, ==, 3);
    if (page.n_items != 3)
        return;
    CHECK_STR(page.items[0].title,
              "Port Strike Enters Third Week as Talks Stall");
    CHECK_STR(page.items[2].title, "Local Team Wins Regional Chess Title");
    CHECK_INT(page.items[1].published_at_ms, ==, 1710115200000LL);
    for (size_t i = 0; i < 3; i++) {
        CHECK(!page.items[i].truncated);
        CHECK_NOT_CONTAINS(page.items[i].body, "Page 1");
        CHECK_NOT_CONTAINS(page.items[i].body, "rights reserved");
        CHECK_NOT_CONTAINS(page.items[i].body, "Sport |");
    }
}

/* Another made-up site: an article with a byline under the title, an ISO
 * date, sub-headings, and share buttons after the text. */
static void
test_other_site_article(void)
{
    const char *page_text =
        "Menu\n"
        "Search\n"
        "\n"
        "Drought Forces Farmers to Rethink Irrigation\n"
        "By Maria Lopez\n"
        "2024-06-03T08:15:00+02:00\n"
        "\n"
        "Farmers across the southern plain are switching to drip irrigation "
        "as the third dry summer in a row empties the reservoirs that fed "
        "their fields for decades.\n"
        "\n"
        "Water prices\n"
        "\n"
        "The regional water board raised prices by a third this spring, and "
        "officials say further increases are likely unless the winter brings "
        "more rain than forecasters expect.\n"
        "\n"
        "Many growers told this newspaper that the new pipes paid for "
        "themselves within two seasons, although the upfront cost remains a "
        "barrier for smaller farms.\n"
        "\n"
        "Share\n"
        "Tweet\n"
        "Related stories\n";
    struct wd_page page;
    CHECK_OK(parse("text/plain", page_text, strlen(page_text), &page));
    CHECK_INT(page.kind, ==, WD_PAGE_ARTICLE);
    CHECK_INT(page.n_items, ==, 1);
    if (page.n_items != 1)
        return;
    const struct wd_item *it = &page.items[0];
    CHECK_STR(it->title, "Drought Forces Farmers to Rethink Irrigation");
    CHECK_STR(it->author, "Maria Lopez");
    CHECK_INT(it->published_at_ms, ==, 1717395300000LL);
    CHECK_CONTAINS(it->body, "\n\nWater prices\n\nThe regional water board");
    CHECK_NOT_CONTAINS(it->body, "Share");
    CHECK_NOT_CONTAINS(it->body, "Related");
    CHECK_NOT_CONTAINS(it->body, "Menu");
    CHECK_NOT_CONTAINS(it->body, "By Maria");
}

static void
test_refusals(void)
{
    struct wd_page page;
    CHECK_INT(parse("text/plain", "", 0, &page), ==, WD_EEMPTY);
    CHECK_INT(parse("text/plain", " \n\t\n", 4, &page), ==, WD_EEMPTY);
    CHECK_INT(parse("text/plain", "abc\xff\xfe def", 9, &page), ==, WD_EUTF8);
    CHECK_INT(parse("text/plain", "abc\0def", 7, &page), ==, WD_ENUL);
    CHECK_INT(parse("application/pdf", "%PDF-1.4", 8, &page), ==,
              WD_EUNSUPPORTED);
    CHECK_INT(parse("text/plain; charset=x-no-such", "abc", 3, &page), ==,
              WD_EUNSUPPORTED);
    /* Overlong encoding of '/' and a lone surrogate are not UTF-8. */
    CHECK_INT(parse("text/plain", "a\xc0\xaf", 3, &page), ==, WD_EUTF8);
    CHECK_INT(parse("text/plain", "a\xed\xa0\x80", 4, &page), ==, WD_EUTF8);
    /* Binary bytes labelled HTML; but UTF-16 HTML is full of NULs. */
    CHECK_INT(parse("text/html", "<p>a\0\x01\x02</p>", 12, &page), ==, WD_ENUL);
    static const char u16[] = "\xff\xfe<\0p\0>\0H\0i\0<\0/\0p\0>\0";
    CHECK(parse("text/html", u16, sizeof u16 - 1, &page) != WD_ENUL);
    CHECK(parse("text/html; charset=utf-16le", u16 + 2, sizeof u16 - 3,
                &page) != WD_ENUL);
}

static void
test_charset_conversion(void)
{
    /* Latin-1 text: "Café" in the title, converted to UTF-8. */
    const char *latin1 =
        "Caf\xe9 Owners Protest New Licence Fees\n"
        "Owners of small caf\xe9s marched to the town hall on Tuesday to "
        "protest against licence fees that they say will force many of them "
        "to close before the end of the year.\n"
        "Staff Writer Desk\n";
    struct wd_page page;
    CHECK_OK(
        parse("text/plain; charset=ISO-8859-1", latin1, strlen(latin1), &page));
    CHECK_INT(page.n_items, ==, 1);
    if (page.n_items == 1)
        CHECK_STR(page.items[0].title,
                  "Caf\xc3\xa9 Owners Protest New Licence Fees");
}

static void
test_no_paragraph_no_item(void)
{
    const char *menu = "Home\nAbout\nContact us\n2024-01-01\n";
    struct wd_page page;
    CHECK_OK(parse("text/plain", menu, strlen(menu), &page));
    CHECK_INT(page.n_items, ==, 0);
}

static void
test_content_type(void)
{
    char t[64], cs[64];
    wd_page_content_type("Text/Plain; Charset=\"UTF-8\"", t, sizeof t, cs,
                         sizeof cs);
    CHECK_STR(t, "text/plain");
    CHECK_STR(cs, "utf-8");
    wd_page_content_type("text/html", t, sizeof t, cs, sizeof cs);
    CHECK_STR(t, "text/html");
    CHECK_STR(cs, "");
}

int
main(void)
{
    wd_arena_init(&arena, 0);
    RUN(test_seed_listing_000);
    RUN(test_seed_listing_001);
    RUN(test_seed_listing_002);
    RUN(test_seed_listing_003);
    RUN(test_seed_article_004);
    RUN(test_other_site_listing);
    RUN(test_other_site_article);
    RUN(test_refusals);
    RUN(test_charset_conversion);
    RUN(test_no_paragraph_no_item);
    RUN(test_content_type);
    wd_arena_fini(&arena);
    return TEST_DONE();
}
