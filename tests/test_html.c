/* WD_TEST_LABEL: unit */
/* HTML pages: metadata by trust order, the main text without boilerplate,
 * listings of teasers with their links, charsets, pathological input. */
#include "test.h"

#include "wd/htmlstrip.h"
#include "wd/page.h"
#include "wd/text.h"

static struct wd_arena arena;

static int
parse_html(const char *ctype, const char *body, size_t len,
           struct wd_page *page)
{
    struct wd_page_input in = {ctype,
                               (const uint8_t *)body,
                               len,
                               1764000000000LL,
                               "https://courier.example/news/index.html",
                               NULL,
                               0,
                               false};
    wd_arena_reset(&arena);
    return wd_page_parse(&in, &arena, page);
}

/* The one article of an HTML page; NULL (and a failed check) otherwise. */
static const struct wd_item *
one_article(const char *html, struct wd_page *p)
{
    int rc = parse_html("text/html", html, strlen(html), p);
    CHECK_OK(rc);
    CHECK_INT(rc == 0 ? p->n_items : 0, ==, 1);
    return rc == 0 && p->n_items == 1 ? &p->items[0] : NULL;
}

static int
parse_fixture(const char *name, const char *ctype, struct wd_page *page)
{
    char path[512];
    snprintf(path, sizeof path, WD_FIXTURES "/html/%s", name);
    size_t len;
    char *buf = wd_test_slurp(path, &len);
    int rc = parse_html(ctype, buf, len, page);
    free(buf);
    return rc;
}

static void
test_jsonld_article(void)
{
    struct wd_page p;
    CHECK_OK(parse_fixture("cms_jsonld.html", "text/html", &p));
    CHECK_INT(p.kind, ==, WD_PAGE_ARTICLE);
    CHECK_INT(p.n_items, ==, 1);
    if (p.n_items != 1)
        return;
    const struct wd_item *it = &p.items[0];
    /* JSON-LD outranks og:title, <h1> and <title>. */
    CHECK_STR(it->title, "Harbour Strike Enters Third Week as Talks Stall");
    CHECK_STR(it->author, "Maria Lopez");
    CHECK_STR(it->language, "en");
    CHECK_INT(it->published_at_ms, ==, 1761305760000LL);
    CHECK_STR(it->url, "https://courier.example/news/2025/"
                       "harbour-strike-third-week");
    CHECK_CONTAINS(it->body, "Dock workers in the northern harbour");
    CHECK_CONTAINS(it->body, "\n\nShortages feared\n\nTraders warned");
    static const char *const junk[] = {
        "Share on",  "Related stories", "Reader comment", "All rights",
        "Subscribe", "World",           "color:red"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        CHECK_NOT_CONTAINS(it->body, junk[i]);
}

static void
test_og_and_charset(void)
{
    struct wd_page p;
    /* The charset comes from <meta charset>: the content type names none. */
    CHECK_OK(parse_fixture("og_cp1251.html", "text/html", &p));
    CHECK_INT(p.n_items, ==, 1);
    if (p.n_items != 1)
        return;
    const struct wd_item *it = &p.items[0];
    CHECK_STR(it->title, "Новый мост открыт");
    CHECK_STR(it->author, "Ivan Petrov");
    CHECK_INT(it->published_at_ms, ==, 1764925200000LL);
    CHECK_CONTAINS(it->body, "В субботу в центре города открыли новый мост");
    CHECK_CONTAINS(it->body, "The new bridge across the river");
    CHECK_NOT_CONTAINS(it->body, "Popular:");

    /* The server says UTF-8 and is wrong: the page's own <meta> charset
     * reads it, and nothing invalid reaches an Article (its strings must
     * be UTF-8; CLD2 crashed on them). */
    CHECK_OK(parse_fixture("og_cp1251.html", "text/html; charset=utf-8", &p));
    CHECK_INT(p.n_items, ==, 1);
    if (p.n_items != 1)
        return;
    it = &p.items[0];
    CHECK_STR(it->title, "Новый мост открыт");
    CHECK_CONTAINS(it->body, "В субботу в центре города открыли новый мост");
    CHECK(wd_utf8_valid(it->body, strlen(it->body)));
    CHECK(wd_utf8_valid(it->author, strlen(it->author)));
}

/* A date the page only prints: a date element after the headline, not a
 * sidebar's before it; metadata beats both. */
static void
test_visible_date(void)
{
    const char *page =
        "<html><head><title>Yeni köprü açıldı - Haber</title></head><body>"
        "<div class=\"sidebar\"><span class=\"date\">01.09.2025</span>"
        "<a href=\"/x\">Eski haber</a></div>"
        "<article><h1>Yeni köprü açıldı</h1>"
        "<span class=\"post-date\">Güncelleme: 12.09.2025 - 14:30</span>"
        "<p>Şehir merkezinde nehrin üzerindeki yeni köprü cumartesi günü "
        "törenle trafiğe açıldı, yetkililer açıklama yaptı.</p><p>Köprünün "
        "yapımı üç yıl sürdü ve birkaç kez hava koşulları nedeniyle "
        "ertelendi.</p></article></body></html>";
    struct wd_page p;
    const struct wd_item *it = one_article(page, &p);
    if (it)
        CHECK_INT(it->published_at_ms, ==,
                  1757635200000LL + 14 * 3600000LL + 30 * 60000LL);
    /* With a <time> without datetime, its text. */
    const char *timed =
        "<html><body><article><h1>Köprü</h1><time>24 Ekim 2025</time>"
        "<p>Şehir merkezinde nehrin üzerindeki yeni köprü cumartesi günü "
        "törenle trafiğe açıldı, yetkililer açıklama yaptı.</p><p>Köprünün "
        "yapımı üç yıl sürdü.</p></article></body></html>";
    it = one_article(timed, &p);
    if (it)
        CHECK_INT(it->published_at_ms, ==, 1761264000000LL);
    /* A line under the headline that no class names a date (a "when",
     * a "pub"): the first short leaf after the <h1> that reads as one. */
    const char *plain =
        "<html><body><article><h1>Köprü</h1><div class=\"when\">24 Ekim "
        "2025, 13:36</div><p>Şehir merkezinde nehrin üzerindeki yeni köprü "
        "cumartesi günü törenle trafiğe açıldı, yetkililer açıklama yaptı."
        "</p><p>Köprünün yapımı üç yıl sürdü.</p></article></body></html>";
    it = one_article(plain, &p);
    if (it)
        CHECK_INT(it->published_at_ms, ==,
                  1761264000000LL + 13 * 3600000LL + 36 * 60000LL);
    /* ... but not a date far below it (a list of other stories). */
    const char *far =
        "<html><body><article><h1>Köprü</h1><p>Şehir merkezinde nehrin "
        "üzerindeki yeni köprü cumartesi günü törenle trafiğe açıldı.</p>"
        "<p>Bir.</p><p>İki.</p><p>Üç.</p><p>Dört.</p><p>Beş.</p><p>Altı."
        "</p><p>Yedi.</p><p>Sekiz.</p><p>Dokuz.</p><p>On.</p><p>On bir.</p>"
        "<p>On iki.</p><ul><li><a href=\"/y\">Eski haber</a> <em>01.09.2025"
        "</em></li></ul></article></body></html>";
    it = one_article(far, &p);
    if (it)
        CHECK_INT(it->published_at_ms, ==, 0);
    /* Nor a date the URL contradicts, one set in a sentence, a relative
     * date below the first line, or a headline that is a day word. */
    const char *weak[] = {
        "<html><head><link rel=\"canonical\" href=\"https://x.test/2023/05/"
        "10/kopru\"></head><body><article><h1>Köprü</h1><div>24 Ekim 2025"
        "</div><p>Şehir merkezinde nehrin üzerindeki yeni köprü açıldı, "
        "yetkililer açıklama yaptı.</p></article></body></html>",
        "<html><body><article><h1>Köprü</h1><p>Yeni köprü <b>12 Mayıs 2025"
        "</b></p><p>Şehir merkezinde nehrin üzerindeki yeni köprü açıldı, "
        "yetkililer açıklama yaptı.</p></article></body></html>",
        "<html><body><article><h1>Köprü</h1><p>Şehir merkezinde nehrin "
        "üzerindeki yeni köprü açıldı, yetkililer açıklama yaptı.</p><div>"
        "1 saat önce</div></article></body></html>",
        "<html><body><article><h1>Bugün</h1><p>Şehir merkezinde nehrin "
        "üzerindeki yeni köprü açıldı, yetkililer açıklama yaptı.</p>"
        "</article></body></html>",
    };
    for (size_t k = 0; k < sizeof weak / sizeof *weak; k++) {
        it = one_article(weak[k], &p);
        if (it)
            CHECK_INT(it->published_at_ms, ==, k == 0 ? 1683676800000LL : 0);
    }
    /* A relative date as the very line under the headline is one. */
    const char *rel =
        "<html><body><article><h1>Köprü</h1><div class=\"when\">3 saat önce"
        "</div><p>Şehir merkezinde nehrin üzerindeki yeni köprü açıldı, "
        "yetkililer açıklama yaptı.</p></article></body></html>";
    it = one_article(rel, &p);
    if (it)
        CHECK(it->published_at_ms != 0);
    /* Metadata wins. */
    const char *meta =
        "<html><head><meta property=\"article:published_time\" "
        "content=\"2025-10-01T08:00:00Z\"></head><body><article><h1>Köprü"
        "</h1><span class=\"date\">24.10.2025</span><p>Şehir merkezinde "
        "nehrin üzerindeki yeni köprü cumartesi günü törenle trafiğe açıldı, "
        "yetkililer açıklama yaptı.</p><p>Köprünün yapımı üç yıl sürdü."
        "</p></article></body></html>";
    it = one_article(meta, &p);
    if (it)
        CHECK_INT(it->published_at_ms, ==, 1759305600000LL);
    /* og:title cut before the subtitle the page's <h1> carries. */
    const char *sub =
        "<html><head><meta property=\"og:title\" content=\"Bakü'de ortak "
        "sergi açıldı\"></head><body><article><h1>Bakü'de ortak sergi "
        "açıldı: \"İpek Yolu'nun İki Ucu\"</h1><p>Şehir merkezinde "
        "nehrin üzerindeki galeride iki ülkenin sanatçılarının eserleri "
        "cumartesi günü törenle açıldı.</p><p>Sergi bir ay sürecek."
        "</p></article></body></html>";
    it = one_article(sub, &p);
    if (it)
        CHECK_STR(it->title,
                  "Bakü'de ortak sergi açıldı: \"İpek Yolu'nun İki Ucu\"");
    /* A section page: each teaser's printed date, or its link's. */
    const char *listing =
        "<html><body><h1>Наука</h1>"
        "<div class=\"item\"><h3><a href=\"/a/one\">Астрономы открыли "
        "новую переменную звезду в созвездии Лебедя</a></h3><span "
        "class=\"date\">13 сентября 2025</span><p>Звезда меняет блеск с "
        "периодом в одиннадцать дней, сообщили в обсерватории.</p></div>"
        "<div class=\"item\"><h3><a href=\"/2025/09/12/drony\">В Самаре "
        "разработали беспилотник для мониторинга лесов</a></h3><p>Аппарат "
        "пролетает до двухсот километров без подзарядки, рассказали "
        "инженеры.</p></div>"
        "<div class=\"item\"><h3><a href=\"/a/three\">Экологи оценили "
        "состояние воды в крупнейших реках региона</a></h3><span "
        "class=\"post-time\">11.09.2025 10:15</span><p>Пробы взяли в "
        "сорока точках, вода в большинстве из них чище прошлогоднего.</p>"
        "</div></body></html>";
    CHECK_OK(parse_html("text/html", listing, strlen(listing), &p));
    CHECK_INT(p.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(p.n_items, ==, 3);
    if (p.n_items == 3) {
        CHECK_INT(p.items[0].published_at_ms, ==, 1757721600000LL);
        CHECK_INT(p.items[1].published_at_ms, ==, 1757635200000LL);
        CHECK_INT(p.items[2].published_at_ms, ==,
                  1757548800000LL + 10 * 3600000LL + 15 * 60000LL);
    }
}

/* Whatever a parser lets through, an item's strings are valid UTF-8:
 * invalid bytes become U+FFFD, valid text (and a real U+FFFD) is kept. */
static void
test_utf8_repair(void)
{
    CHECK_STR(wd_utf8_repair("plain", &arena), "plain");
    CHECK_STR(wd_utf8_repair("мост", &arena), "мост");
    CHECK_STR(wd_utf8_repair("a\xF1\xF3"
                             "b",
                             &arena),
              "a\xEF\xBF\xBD\xEF\xBF\xBD"
              "b");
    CHECK_STR(wd_utf8_repair("end\xD0", &arena), "end\xEF\xBF\xBD");
    CHECK_STR(wd_utf8_repair("\xEF\xBF\xBD ok", &arena), "\xEF\xBF\xBD ok");
    CHECK(wd_utf8_repair(NULL, &arena) == NULL);
}

/* A page whose <meta> names a charset its bytes are not in (re-saved as
 * UTF-8 with the old declaration kept) is read as UTF-8; a page really in
 * windows-1251 still follows its <meta>. */
static void
test_utf8_under_wrong_meta(void)
{
    const char *page =
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
        "charset=gb2312\"><title>Новый мост открыт</title></head><body>"
        "<article><h1>Новый мост открыт</h1><p>В субботу в центре города "
        "открыли новый мост через реку, и первыми по нему прошли "
        "школьники.</p><p>Мост строили три года, и его открытие "
        "несколько раз откладывали из-за погоды.</p></article></body></html>";
    struct wd_page p;
    const struct wd_item *it = one_article(page, &p);
    if (it) {
        CHECK_STR(it->title, "Новый мост открыт");
        CHECK_CONTAINS(it->body, "открыли новый мост через реку");
    }
}

/* JSON-LD wrapped in CDATA (as XHTML-minded templates write it) is read. */
static void
test_jsonld_in_cdata(void)
{
    const char *page =
        "<html><head><title>x</title><script type=\"application/ld+json\">\n"
        "  <![CDATA[\n  {\"@context\":\"https://schema.org\",\"@type\":"
        "\"NewsArticle\",\"headline\":\"Harbour cranes return\","
        "\"datePublished\":\"2025-03-11T09:30:00+02:00\",\"author\":"
        "{\"@type\":\"Person\",\"name\":\"Maria Lopez\"}}\n  ]]>\n"
        "</script></head><body><article><p>Dock workers in the northern "
        "harbour "
        "went back to work on Monday after a deal on pay was reached late on "
        "Sunday night, the union said.</p></article></body></html>";
    struct wd_page p;
    const struct wd_item *it = one_article(page, &p);
    if (it) {
        CHECK_STR(it->title, "Harbour cranes return");
        CHECK_STR(it->author, "Maria Lopez");
        /* 09:30 at +02:00 is 07:30 UTC */
        CHECK_INT(it->published_at_ms, ==, 1741678200000LL);
    }
}

/* Script code, style rules and comments never reach the body, however
 * they are written: markup inside them, an end tag in another case, a
 * "</scripts" that ends nothing, a ">" inside a quoted attribute before
 * them; JSON-LD after them is still read, and an unclosed comment at the
 * end loses nothing before it. */
static void
test_raw_text(void)
{
    const char *html =
        "<html><head><title>x</title>"
        "<script src=\"a.js?x=1>2\" async>var s = \"<p>fake story paragraph "
        "that is no story at all, written inside a script</p></scripts>\";"
        "</SCRIPT >"
        "<style media='a > b'>p:before { content: \"</p><p>style text "
        "inside a rule\" }</Style>"
        "<script type='application/ld+json'>{\"@type\":\"NewsArticle\","
        "\"headline\":\"Raw text kept apart\",\"author\":{\"@type\":"
        "\"Person\",\"name\":\"Ana Ruiz\"}}</script></head>"
        "<body><!-- <script> <p>a comment's paragraph, no story</p> -->"
        "<div data-note=\"<script>\"><p>The real story starts here and runs "
        "long enough to be taken as the body of the page.</p></div>"
        "<script>document.write('<p>written by script</p>')</script>"
        "</body></html><!-- left open";
    struct wd_page p;
    const struct wd_item *it = one_article(html, &p);
    if (it) {
        CHECK_STR(it->body, "The real story starts here and runs long "
                            "enough to be taken as the body of the "
                            "page.");
        CHECK_STR(it->title, "Raw text kept apart");
        CHECK_STR(it->author, "Ana Ruiz");
    }
}

/* The cut itself: comments go, script and style keep their tags but not
 * their text, JSON-LD keeps its text, a quoted ">" or "<script>" in an
 * attribute is part of its tag, and an unclosed comment stays as it was. */
static void
test_htmlstrip(void)
{
    static const char in[] =
        "a<!-- c -->b<script src='x>y'>var s='<p>';</script>"
        "<div title=\"<script>\">d</div><STYLE>p{}</STYLE>"
        "<script type=\"application/ld+json\">{\"k\":1}</script>e<!-- open";
    static const char want[] =
        "ab<script src='x>y'></script><div title=\"<script>\">d</div>"
        "<STYLE></STYLE><script type=\"application/ld+json\">{\"k\":1}"
        "</script>e<!-- open";
    char out[sizeof in];
    size_t n = wd_htmlstrip(in, sizeof in - 1, out);
    out[n] = '\0';
    CHECK_STR(out, want);
}

/* A tag of more attributes than WD_HTMLSTRIP_MAX_ATTRS keeps its first
 * ones and its end, whatever their shapes (quoted values holding spaces
 * and ">", bare values, names alone); a long tag of few attributes (one
 * 20 kB value) stays whole. Then the page parses in good time with its
 * text (100 000 attributes took libxml2 29 s before). */
static void
test_many_attributes(void)
{
    size_t cap = 4u << 20, n = 0;
    char *in = malloc(cap), *out = malloc(cap);
    CHECK(in && out);
    if (!in || !out)
        goto done;
    n += (size_t)snprintf(in + n, cap - n, "<html><body><div");
    for (int a = 0; a < 100000; a++)
        n += (size_t)snprintf(in + n, cap - n,
                              a % 3 == 0   ? " a%d=\"x > y %d\""
                              : a % 3 == 1 ? " b%d = v%d"
                                           : " c%d%d",
                              a, a);
    n += (size_t)snprintf(in + n, cap - n,
                          "><p>The harbour reopened on Tuesday after the "
                          "storm, officials said, and ships came in.</p></div>"
                          "<img src=\"x.png\"/></body></html>");
    size_t m = wd_htmlstrip(in, n, out);
    out[m] = '\0';
    CHECK(m < 20000);
    int attrs = 0;
    /* (a quoted value holds a ">": count up to the tag's real end) */
    const char *div = strstr(out, "<div"),
               *end = div ? strstr(div, "><p>") : NULL;
    CHECK(end != NULL);
    for (const char *p = div; p && end && p < end; p++)
        attrs += p[0] == ' ' && (p[1] == 'a' || p[1] == 'b' || p[1] == 'c') &&
                 p[2] >= '0' && p[2] <= '9';
    CHECK_INT(attrs, ==, WD_HTMLSTRIP_MAX_ATTRS);
    CHECK_CONTAINS(out, "<p>The harbour reopened");
    CHECK_CONTAINS(out, "<img src=\"x.png\"/>");
    /* One long value: untouched. */
    n = (size_t)snprintf(in, cap, "<div data-x=\"");
    memset(in + n, 'q', 20000);
    n += 20000;
    n += (size_t)snprintf(in + n, cap - n, "\" id=\"k\">t</div>");
    m = wd_htmlstrip(in, n, out);
    CHECK_INT(m, ==, n);
    CHECK(memcmp(in, out, n) == 0);
    /* The whole page. */
    n = 0;
    n += (size_t)snprintf(in + n, cap - n, "<html><body><div");
    for (int a = 0; a < 100000; a++)
        n += (size_t)snprintf(in + n, cap - n, " a%d=\"%d\"", a, a);
    n += (size_t)snprintf(in + n, cap - n,
                          "><h1>Harbour reopens</h1><p>The harbour reopened "
                          "on Tuesday after the storm, officials said, and "
                          "the first ships came in at dawn with fuel and food "
                          "for the islands, which had been cut off for a "
                          "week.</p></div></body></html>");
    struct wd_page p;
    CHECK_OK(parse_html("text/html", in, n, &p));
    CHECK_INT(p.n_items, ==, 1);
    if (p.n_items == 1)
        CHECK_CONTAINS(p.items[0].body, "first ships came in");
done:
    free(in);
    free(out);
}

static void
test_listing(void)
{
    struct wd_page p;
    CHECK_OK(parse_fixture("listing.html", "text/html; charset=utf-8", &p));
    CHECK_INT(p.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(p.n_items, ==, 4);
    if (p.n_items != 4)
        return;
    CHECK_STR(p.items[0].title, "Council approves new tram line");
    CHECK_STR(p.items[0].url, "https://courier.example/story/101");
    CHECK_STR(p.items[2].url, "https://other.example/story/103");
    CHECK_STR(p.items[3].url, "https://courier.example/news/story/104");
    CHECK(p.items[0].truncated);
    CHECK(!p.items[2].truncated);
    CHECK(p.items[3].truncated); /* "…" */
    CHECK_INT(p.items[0].published_at_ms, ==, 1741651200000LL);
    CHECK_NOT_CONTAINS(p.items[0].body, "...");
    CHECK_NOT_CONTAINS(p.items[0].body, "11 March");
}

/* Teasers in plain blocks (no <article>): a heading with a link each,
 * side by side under one parent. */
static void
test_div_listing(void)
{
    struct wd_page p;
    CHECK_OK(parse_fixture("div_listing.html", "text/html", &p));
    CHECK_INT(p.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(p.n_items, ==, 3);
    if (p.n_items != 3)
        return;
    CHECK_STR(p.items[1].title, "Airport expansion delayed again");
    CHECK_STR(p.items[1].url, "https://courier.example/s/2");
    CHECK(p.items[1].truncated);
    CHECK(!p.items[2].truncated);
    CHECK_NOT_CONTAINS(p.items[0].body, "Home");
}

/* Paragraphs separated by <br><br> inside one <p> stay paragraphs. */
static void
test_br_paragraphs(void)
{
    const char *html = "<html><body><div><p>First paragraph of the story, "
                       "long enough to be one.<br><br>Second paragraph, "
                       "after a blank line.<br>Still the second one."
                       "</p></div></body></html>";
    struct wd_page p;
    const struct wd_item *it = one_article(html, &p);
    if (it)
        CHECK_STR(it->body,
                  "First paragraph of the story, long enough to be one.\n\n"
                  "Second paragraph, after a blank line. Still the second "
                  "one.");
}

static void
test_pathological(void)
{
    struct wd_page p;
    /* 100 000 nested elements: bounded work, no crash. */
    size_t n = 100000;
    char *deep = malloc(n * 5 + 64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(deep + k, "<div>");
    k += (size_t)sprintf(deep + k, "<p>deep text</p>");
    int rc = parse_html("text/html", deep, k, &p);
    CHECK(rc == 0 || rc == WD_EPARSE);
    free(deep);
    /* No body at all. */
    CHECK_OK(parse_html("text/html", "<html><head></head></html>", 26, &p));
    CHECK_INT(p.n_items, ==, 0);
    /* A 2 MB attribute. */
    size_t big = 2u << 20;
    char *attr = malloc(big + 64);
    k = (size_t)sprintf(attr, "<p title=\"");
    memset(attr + k, 'a', big);
    k += big;
    k += (size_t)sprintf(attr + k, "\">x</p>");
    rc = parse_html("text/html", attr, k, &p);
    CHECK(rc == 0 || rc == WD_EPARSE);
    free(attr);
    CHECK_INT(parse_html("text/html", "", 0, &p), ==, WD_EEMPTY);
    /* Bytes that are not UTF-8 in a page that says UTF-8: never passed
     * through (libxml2 falls back to Latin-1 for the page). */
    const char *bad = "<html><head><meta charset=\"utf-8\"><title>Bad \xff\xfe"
                      "</title></head><body><div><p>Some text with a broken "
                      "\xc3\x28 sequence and enough words to be a paragraph."
                      "</p></div></body></html>";
    CHECK_OK(parse_html("text/html", bad, strlen(bad), &p));
    for (size_t i = 0; i < p.n_items; i++) {
        CHECK(wd_utf8_valid(p.items[i].title, strlen(p.items[i].title)));
        CHECK(wd_utf8_valid(p.items[i].body, strlen(p.items[i].body)));
    }
}

int
main(void)
{
    wd_arena_init(&arena, 0);
    RUN(test_jsonld_article);
    RUN(test_og_and_charset);
    RUN(test_utf8_repair);
    RUN(test_visible_date);
    RUN(test_utf8_under_wrong_meta);
    RUN(test_jsonld_in_cdata);
    RUN(test_raw_text);
    RUN(test_htmlstrip);
    RUN(test_many_attributes);
    RUN(test_listing);
    RUN(test_div_listing);
    RUN(test_br_paragraphs);
    RUN(test_pathological);
    wd_arena_fini(&arena);
    return TEST_DONE();
}
