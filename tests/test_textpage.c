/* WD_TEST_LABEL: unit */
/* Text pages in the shapes scrapers send: every text fixture hard-wrapped
 * at 60, 70 and 80 columns, with and without a paragraph indent, with CRLF
 * and tabs, must give the same articles as the unwrapped text; wire briefs
 * and figure tables are articles; datelines are found; angle brackets are
 * text. */
#include <dirent.h>

#include "test.h"

#include "wd/page.h"
#include "wd/textlines.h"

static struct wd_arena arena, arena2;

static int
parse_url(struct wd_arena *a, const char *body, size_t len, const char *url,
          struct wd_page *page)
{
    struct wd_page_input in = {"text/plain; charset=utf-8",
                               (const uint8_t *)body,
                               len,
                               1764000000000LL,
                               url,
                               NULL,
                               0,
                               false};
    wd_arena_reset(a);
    return wd_page_parse(&in, a, page);
}

static int
parse_in(struct wd_arena *a, const char *body, size_t len, struct wd_page *page)
{
    return parse_url(a, body, len, "https://example.test/", page);
}

/* Code points of s[0..n). */
static size_t
width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Folds text as a wire or a fixed-width dump does: every line longer than
 * cols is wrapped at word boundaries; with indent, the first line of each
 * wrapped paragraph is indented by four spaces. Lines end with eol. The
 * caller frees the result. */
static char *
fold(const char *s, size_t n, size_t cols, bool indent, const char *eol,
     size_t *out_len)
{
    size_t cap = n * 3 + 64, o = 0;
    char *out = malloc(cap);
    size_t elen = strlen(eol);
    for (size_t b = 0; b <= n;) {
        const char *nl = memchr(s + b, '\n', n - b);
        size_t e = nl ? (size_t)(nl - s) : n;
        size_t col = 0;
        bool first = true;
        bool wraps = width(s + b, e - b) > cols;
        if (indent && wraps) {
            memcpy(out + o, "    ", 4);
            o += 4;
            col = 4;
        }
        for (size_t i = b; i < e;) {
            size_t j = i;
            while (j < e && s[j] != ' ')
                j++;
            size_t ww = width(s + i, j - i);
            if (!first && col + 1 + ww > cols) {
                memcpy(out + o, eol, elen);
                o += elen;
                col = 0;
                first = true;
            }
            if (!first)
                out[o++] = ' ', col++;
            memcpy(out + o, s + i, j - i);
            o += j - i;
            col += ww;
            first = false;
            i = j;
            while (i < e && s[i] == ' ')
                i++;
        }
        if (!nl)
            break;
        memcpy(out + o, eol, elen);
        o += elen;
        b = e + 1;
    }
    *out_len = o;
    return out;
}

/* s with runs of white space as one space, trimmed, for comparing
 * bodies. */
static char *
squash(const char *s)
{
    char *o = malloc(strlen(s) + 1);
    size_t k = 0;
    bool sp = true;
    for (; *s; s++) {
        bool w = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';
        if (w) {
            if (!sp)
                o[k++] = ' ';
            sp = true;
        } else {
            o[k++] = *s;
            sp = false;
        }
    }
    while (k && o[k - 1] == ' ')
        k--;
    o[k] = '\0';
    return o;
}

static void
check_same(const char *what, const struct wd_page *a, const struct wd_page *b)
{
    if (a->kind != b->kind || a->n_items != b->n_items) {
        WD_FAIL_("%s: kind %d/%d items %zu/%zu", what, a->kind, b->kind,
                 a->n_items, b->n_items);
        return;
    }
    for (size_t i = 0; i < a->n_items; i++) {
        char *x = squash(a->items[i].body), *y = squash(b->items[i].body);
        if (strcmp(a->items[i].title, b->items[i].title) != 0)
            WD_FAIL_("%s: item %zu title\n  %s\n  %s", what, i,
                     a->items[i].title, b->items[i].title);
        if (strcmp(x, y) != 0)
            WD_FAIL_("%s: item %zu body\n  %.300s\n  %.300s", what, i, x, y);
        free(x);
        free(y);
    }
}

static const char *const fixture_dirs[] = {
    WD_FIXTURES "/seeds", WD_FIXTURES "/sites", WD_FIXTURES "/text"};

static void
test_wrapped_variants_read_the_same(void)
{
    static const size_t cols[] = {60, 70, 80};
    int files = 0;
    for (size_t d = 0; d < sizeof fixture_dirs / sizeof fixture_dirs[0]; d++) {
        DIR *dir = opendir(fixture_dirs[d]);
        CHECK(dir != NULL);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t nl = strlen(de->d_name);
            if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", fixture_dirs[d], de->d_name);
            size_t len;
            char *text = wd_test_slurp(path, &len);
            struct wd_page base;
            CHECK_OK(parse_in(&arena, text, len, &base));
            CHECK(base.n_items > 0);
            files++;
            for (size_t c = 0; c < 3; c++)
                for (int ind = 0; ind < 2; ind++)
                    for (int crlf = 0; crlf < 2; crlf++) {
                        size_t flen;
                        char *f = fold(text, len, cols[c], ind,
                                       crlf ? "\r\n" : "\n", &flen);
                        struct wd_page page;
                        CHECK_OK(parse_in(&arena2, f, flen, &page));
                        char what[600];
                        snprintf(what, sizeof what, "%s at %zu cols%s%s",
                                 de->d_name, cols[c], ind ? ", indented" : "",
                                 crlf ? ", CRLF" : "");
                        check_same(what, &base, &page);
                        free(f);
                    }
            free(text);
        }
        closedir(dir);
    }
    CHECK_INT(files, >=, 12);
}

/* Tabs, form feeds and no-break spaces are white space. */
static void
test_tabs_form_feeds_nbsp(void)
{
    const char *plain = "Harbour cranes return to work\n\nDock workers in the "
                        "northern harbour went back to work on Monday after a "
                        "deal on pay was reached late on Sunday night.\n";
    const char *odd = "\tHarbour cranes return to work\f\n\n\xC2\xA0"
                      "Dock "
                      "workers in the northern\tharbour went back to work "
                      "on Monday after a deal on pay was reached late on "
                      "Sunday night.\xC2\xA0\n";
    struct wd_page a, b;
    CHECK_OK(parse_in(&arena, plain, strlen(plain), &a));
    CHECK_OK(parse_in(&arena2, odd, strlen(odd), &b));
    check_same("tabs", &a, &b);
}

static const struct wd_item *
parse_fixture(const char *name, struct wd_page *page)
{
    char path[512];
    snprintf(path, sizeof path, WD_FIXTURES "/text/%s", name);
    size_t len;
    char *text = wd_test_slurp(path, &len);
    int rc = parse_in(&arena, text, len, page);
    free(text);
    CHECK_OK(rc);
    CHECK_INT(page->n_items, ==, 1);
    return page->n_items == 1 ? &page->items[0] : NULL;
}

static void
test_brief_and_table_published(void)
{
    struct wd_page page;
    const struct wd_item *it = parse_fixture("wire_dividend.txt", &page);
    if (it) {
        CHECK_STR(it->title, "NORTHERN STATES POWER CO <NSP> SETS QUARTERLY");
        CHECK_CONTAINS(it->body, "Qtly div 45 cts vs 45 cts prior");
    }
    it = parse_fixture("wire_earnings.txt", &page);
    if (it) {
        CHECK_STR(it->title, "GRANITE STATE BANKSHARES <GSBI> 4TH QTR NET");
        CHECK_CONTAINS(it->body, "Shr 66 cts vs 18 cts");
        CHECK_CONTAINS(it->body, "Year net 3,900,000 vs 2,300,000");
    }
    /* A bare menu and an error page are no story. */
    const char *menu = "Home\nNews\nSport\nWeather\nContact us\n";
    CHECK_OK(parse_in(&arena, menu, strlen(menu), &page));
    CHECK_INT(page.n_items, ==, 0);
    const char *err = "404 Not Found\n\nThe requested URL was not found on "
                      "this server.\n";
    CHECK_OK(parse_in(&arena, err, strlen(err), &page));
    CHECK_INT(page.n_items, ==, 0);
}

/* A listing of the region's sites: headline, date and one short sentence
 * per teaser, with no blank line between them (a language of long words
 * says in ten words what English says in fifteen), two of one day. */
static void
test_short_teasers(void)
{
    const char *page =
        "Іскер әлем\n"
        "Басты бет  Экономика  Қаржы  Бизнес\n\n"
        "Моңғолия Қытайға көмір экспортын рекордтық деңгейге жеткізді\n"
        "20 қараша 2025, 17:25\n"
        "Моңғолия биылғы он айда Қытайға 72 миллион тонна көмір "
        "экспорттады.\n\n"
        "Ұлттық банк базалық мөлшерлемені 18 пайыз деңгейінде сақтады\n"
        "19.11.2025\n"
        "Реттеуші инфляцияның баяулау қарқыны күтілгеннен төмен болды.\n\n"
        "Өзбекстан алтын өндіру көлемін 7 пайызға арттырды\n"
        "19.11.2025\n"
        "Навои кен-металлургия комбинаты тоғыз айда көп алтын өндірді.\n\n"
        "Барлығы: 1 248\n";
    struct wd_page p;
    CHECK_OK(parse_in(&arena, page, strlen(page), &p));
    CHECK_INT(p.kind, ==, WD_PAGE_LISTING);
    CHECK_INT(p.n_items, ==, 3);
    if (p.n_items == 3) {
        CHECK_STR(
            p.items[0].title,
            "Моңғолия Қытайға көмір экспортын рекордтық деңгейге жеткізді");
        CHECK_CONTAINS(p.items[0].body, "72 миллион тонна");
        /* Two teasers of one day: the repeated date line is a date, not
         * the page's frame. */
        CHECK_INT(p.items[1].published_at_ms, ==, 1763510400000LL);
        CHECK_INT(p.items[2].published_at_ms, ==, 1763510400000LL);
    }
}

/* A comment thread below the article is cut at its header, however much
 * text it holds; a sharing bar naming comments is not a header. */
static void
test_comment_thread_cut(void)
{
    static const char para[] =
        "The council voted on Tuesday to expand the city's bus network, "
        "adding four routes that will link the northern suburbs with the "
        "hospital and the university campus by next spring.\n\n";
    static const char comment[] =
        "Reader99 - March 10, 2017 at 12:20 AM\n\nI have been waiting years "
        "for this and it is about time the council listened to the people "
        "who actually ride these buses every single day of the week.\n\n"
        "  • Reply\n\n";
    for (int bar = 0; bar < 2; bar++) {
        char page_text[8192];
        size_t n = (size_t)snprintf(
            page_text, sizeof page_text,
            "City expands bus network\n\n%s%s%s%s\n\n", para, para, para,
            bar ? "Share Tweet Comment" : "There are 12 comments");
        for (int k = 0; k < 12; k++)
            n += (size_t)snprintf(page_text + n, sizeof page_text - n, "%s",
                                  comment);
        struct wd_page page;
        CHECK_OK(parse_in(&arena, page_text, n, &page));
        CHECK_INT(page.n_items, ==, 1);
        if (page.n_items != 1)
            continue;
        CHECK_CONTAINS(page.items[0].body, "bus network");
        if (bar)
            CHECK_CONTAINS(page.items[0].body, "waiting years");
        else
            CHECK(!strstr(page.items[0].body, "waiting years"));
    }
}

/* The URL's path names the headline: of two headline-shaped lines above
 * the text, the one sharing the path's words is the title, wherever it
 * stands; without such a path the nearer line keeps its place. */
static void
test_title_from_url_path(void)
{
    static const char text[] =
        "Four new routes approved\n\n"
        "More stories about the city council and its transport budget\n\n"
        "The council voted on Tuesday to expand the city's bus network, "
        "adding four routes that will link the northern suburbs with the "
        "hospital and the university campus by next spring.\n\n"
        "Officials said the plan would be paid for from the transport "
        "budget without any rise in fares for the city's passengers.\n";
    const char *urls[] = {
        "https://example.test/2026/12/four-new-routes-approved.html",
        "https://example.test/a/123456"};
    for (int k = 0; k < 2; k++) {
        struct wd_page page;
        CHECK_OK(parse_url(&arena, text, strlen(text), urls[k], &page));
        CHECK_INT(page.n_items, ==, 1);
        if (page.n_items != 1)
            continue;
        if (k == 0)
            CHECK_STR(page.items[0].title, "Four new routes approved");
        else
            CHECK_STR(page.items[0].title, "More stories about the city "
                                           "council and its transport budget");
    }
}

/* Browser dumps: the headline a page prints twice (breadcrumb and story)
 * is the title over the chrome nearer the text ("5 min read"); a story
 * headline with its byline under it starts the story, so a consent notice
 * above is not the body's start; a date just above the headline is the
 * story's when none is under it. */
static void
test_dump_headline(void)
{
    static const char story[] =
        "Dock workers in the northern harbour went back to work on Monday "
        "after a deal on pay was reached late on Sunday night, the union "
        "said in a statement.\n\n"
        "The cranes had stood still for nine days, and ships waiting to "
        "unload were sent on to other ports along the coast.\n\n"
        "Both sides said the agreement would run for three years and would "
        "be put to a vote of the members next month.\n";
    static const char twice[] =
        "Ports\nHarbour cranes return to work after pay deal\nSave story\n"
        "5 min read\n\nHarbour cranes return to work after pay deal\n\n";
    static const char consent[] =
        "Please review our privacy choices\n\nWe use cookies and similar "
        "tools to measure traffic and to show offers, and we may share data "
        "with partners; by going on you accept this use of your data.\n\n"
        "Sign in\n\nHarbour cranes return to work after pay deal\n"
        "By Maria Lopez\n\n";
    static const char dated[] = "Nov 7, 2025 2:00 AM\n\nHarbour cranes "
                                "return to work after pay deal\n\n";
    const char *heads[] = {twice, consent, dated};
    for (int k = 0; k < 3; k++) {
        char text[4096];
        size_t n = (size_t)snprintf(text, sizeof text, "%s%s", heads[k], story);
        struct wd_page page;
        CHECK_OK(parse_in(&arena, text, n, &page));
        CHECK_INT(page.n_items, ==, 1);
        if (page.n_items != 1)
            continue;
        const struct wd_item *it = &page.items[0];
        CHECK_STR(it->title, "Harbour cranes return to work after pay deal");
        CHECK_CONTAINS(it->body, "Dock workers in the northern harbour");
        CHECK(!strstr(it->body, "cookies"));
        if (k == 1)
            CHECK_STR(it->author, "Maria Lopez");
        if (k == 2) /* 2025-11-07T02:00:00Z */
            CHECK_INT(it->published_at_ms, ==, 1762480800000LL);
    }
}

/* Shapes inside a dump's story: a list its lead-in introduces ("You will
 * need:") is the story's, however short its items; a gallery's slides
 * ("2/12 Caption") and a live feed's entries ("14:05 Update") are not. */
static void
test_dump_story_shapes(void)
{
    static const char para1[] =
        "The library on Main Street reopened on Saturday after a year of "
        "repairs to its roof, its heating and the reading rooms upstairs.\n\n";
    static const char para2[] =
        "Volunteers carried the last boxes of books back in on Friday "
        "night, and the first readers were waiting at the door by nine.\n\n";
    static const char para3[] =
        "The council said the repairs came in under budget and that the "
        "building should now last another fifty years without major work.\n\n"
        "3 of 4 readers asked on the first morning said they would come back "
        "every week now that the reading rooms upstairs are open again.\n\n";
    char text[8192];
    size_t n = (size_t)snprintf(
        text, sizeof text,
        "Library reopens after a year of repairs\n\n%s"
        "What the readers will find:\n\n  * Maps\n  * Globes\n  * Atlases\n"
        "  * Newspapers\n  * Films\n  * Music\n  * Games\n  * Toys\n\n%s"
        "2/12 The old reading room\n\nThe old reading room before the "
        "repairs began, with buckets under the leaking roof and the shelves "
        "covered in plastic sheets.\n\n"
        "3/12 The new roof\n\nWorkers lay the last tiles of the new roof in "
        "the autumn, weeks before the first snow of the winter arrived in "
        "the town.\n\n"
        "%s"
        "  * 14:05 Council meeting moved to the new hall of the library "
        "building on Monday\n"
        "  * 13:40 Road works on the bridge end a week early says the city "
        "transport office\n",
        para1, para2, para3);
    struct wd_page page;
    CHECK_OK(parse_in(&arena, text, n, &page));
    CHECK_INT(page.n_items, ==, 1);
    if (page.n_items != 1)
        return;
    const char *b = page.items[0].body;
    CHECK_CONTAINS(b, "reopened on Saturday");
    CHECK_CONTAINS(b, "What the readers will find:");
    CHECK_CONTAINS(b, "Atlases");
    CHECK_CONTAINS(b, "first readers were waiting");
    CHECK_CONTAINS(b, "another fifty years");
    CHECK_CONTAINS(b, "3 of 4 readers asked"); /* prose, not a slide */
    CHECK(!strstr(b, "buckets under the leaking roof"));
    CHECK(!strstr(b, "last tiles of the new roof"));
    CHECK(!strstr(b, "Council meeting moved"));
}

static void
test_angle_brackets_are_text(void)
{
    struct wd_page page;
    const struct wd_item *it = parse_fixture("wire_acquisition.txt", &page);
    if (it) {
        CHECK_STR(it->title, "COFAB INC <CFAB> BUYS GULFEX");
        CHECK_CONTAINS(it->body, "HOUSTON, March 3 - Cofab Inc said");
    }
    const char *amp = "Smith & Wesson <SWHC> profit rises\n\nSmith & Wesson "
                      "Holding Corp said quarterly profit rose to 3 < 4 "
                      "cents a share & revenue grew by a tenth as demand "
                      "held up.\n";
    CHECK_OK(parse_in(&arena, amp, strlen(amp), &page));
    CHECK_INT(page.n_items, ==, 1);
    if (page.n_items == 1) {
        CHECK_STR(page.items[0].title, "Smith & Wesson <SWHC> profit rises");
        CHECK_CONTAINS(page.items[0].body, "3 < 4 cents a share & revenue");
    }
}

static void
test_datelines(void)
{
    static const struct {
        const char *file, *place, *title;
    } cases[] = {
        {"wire_acquisition.txt", "HOUSTON", "COFAB INC <CFAB> BUYS GULFEX"},
        {"wire_dividend.txt", "MINNEAPOLIS", NULL},
        {"wire_earnings.txt", "KEENE, N.H.", NULL},
        {"wire_kazinform.txt", "Astana", NULL},
        {"wire_baku.txt", "BAKU, Azerbaijan", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct wd_page page;
        const struct wd_item *it = parse_fixture(cases[i].file, &page);
        if (!it)
            continue;
        CHECK_STR(it->dateline, cases[i].place);
        /* Kept in the body as the wire has it, out of the title. */
        CHECK(strncmp(it->body, cases[i].place, strlen(cases[i].place)) == 0);
        CHECK_NOT_CONTAINS(it->title, cases[i].place);
    }
    static const struct {
        const char *text, *place;
    } inline_cases[] = {
        {"ALMATY (Reuters) - Kazakhstan's central bank kept its base rate "
         "unchanged on Friday, saying inflation was slowing as expected.",
         "ALMATY"},
        {"Tashkent, Uzbekistan - The government said on Monday it would "
         "sell stakes in two state banks to foreign investors next year.",
         "Tashkent, Uzbekistan"},
        {"NEW YORK--Verizon Communications is preparing a new service for "
         "business customers, people familiar with the plans said.",
         "NEW YORK"},
        {"A well--known analyst said on Friday that the shares were priced "
         "too high for a company of its size and growth.",
         NULL},
        {"The company said - in a statement issued late on Friday - that its "
         "profit would fall short of what analysts had expected.",
         NULL},
        {"Prices rose 3 percent - the fastest pace in a decade - as fuel and "
         "food costs climbed across the region last month.",
         NULL},
    };
    for (size_t i = 0; i < sizeof inline_cases / sizeof inline_cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "Markets close the week on a quiet "
                 "note\n\n%s\n",
                 inline_cases[i].text);
        struct wd_page page;
        CHECK_OK(parse_in(&arena, text, strlen(text), &page));
        CHECK_INT(page.n_items, ==, 1);
        if (page.n_items != 1)
            continue;
        if (inline_cases[i].place)
            CHECK_STR(page.items[0].dateline, inline_cases[i].place);
        else
            CHECK(page.items[0].dateline == NULL);
    }
}

/* The block reader by itself: a wrap width is found only in wrapped text. */
static void
test_wrap_width(void)
{
    const char *wrapped =
        "The ministers met in the capital on Friday and agreed to\n"
        "raise the volume of freight carried on the route by a third\n"
        "over the next three years, officials said after the talks.\n";
    struct wd_tline *t;
    size_t n;
    uint32_t w;
    wd_arena_reset(&arena);
    CHECK_OK(wd_textlines_split(wrapped, strlen(wrapped), &arena, &t, &n, &w));
    CHECK(w >= 55 && w <= 62);
    CHECK(n >= 1 && t[0].joined == 3);
    const char *lines = "Headline of the day\nBy A Writer\n"
                        "One paragraph on its own line. It is long enough "
                        "to be a paragraph and ends with a full stop.\n"
                        "Another paragraph on its own line, also long, that "
                        "ends with a full stop.\n";
    wd_arena_reset(&arena);
    CHECK_OK(wd_textlines_split(lines, strlen(lines), &arena, &t, &n, &w));
    CHECK_INT(w, ==, 0);
    CHECK_INT(n, ==, 5);
}

int
main(void)
{
    wd_arena_init(&arena, 0);
    wd_arena_init(&arena2, 0);
    RUN(test_wrapped_variants_read_the_same);
    RUN(test_tabs_form_feeds_nbsp);
    RUN(test_brief_and_table_published);
    RUN(test_angle_brackets_are_text);
    RUN(test_comment_thread_cut);
    RUN(test_short_teasers);
    RUN(test_title_from_url_path);
    RUN(test_dump_headline);
    RUN(test_dump_story_shapes);
    RUN(test_datelines);
    RUN(test_wrap_width);
    wd_arena_fini(&arena);
    wd_arena_fini(&arena2);
    return TEST_DONE();
}
