/* WD_TEST_LABEL: e2e */
/* The real wiredesk binary on loopback TCP: the seed pages, a re-fetch and
 * every kind of bad input go in; what comes out on "all", on a country
 * channel and on "$stats" is checked. */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>

#include "worker.h"

#define DEADLINE_MS 30000

static void
test_seeds_end_to_end(void)
{
    struct worker w;
    const char *extra[] = {"--max-page-bytes", "262144", NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    const char *kz_ch[] = {"country.KZ", NULL};
    void *sub_all = subscriber(zctx, &w, all_ch);
    void *sub_kz = subscriber(zctx, &w, kz_ch);
    CHECK(wait_subscribed(sub_all, DEADLINE_MS));
    CHECK(wait_subscribed(sub_kz, DEADLINE_MS));
    void *push = pusher(zctx, &w);

    /* Bad input between good pages. */
    push_frame(push, "this is not a RawPage \xff\xff", 24);
    size_t len;
    char *seed0 = read_seed(seed_files[0], &len);
    push_page(push, "https://example.test/list/1", "text/plain", seed0, len);
    zmq_send(push, "part one", 8, ZMQ_SNDMORE);
    zmq_send(push, "part two", 8, 0);
    frames_pushed++;
    push_page(push, "https://example.test/empty", "text/plain", "", 0);
    for (int i = 1; i < N_SEEDS; i++) {
        size_t l;
        char *buf = read_seed(seed_files[i], &l);
        push_page(push, seed_files[i], "text/plain; charset=utf-8", buf, l);
        free(buf);
        if (i == 2) {
            push_page(push, "https://example.test/bad-utf8", "text/plain",
                      "Broken \xe2\x28\xa1 text", 14);
            push_page(push, "https://example.test/nul", "text/plain",
                      "Text with a\0NUL byte", 20);
        }
    }
    char *big = malloc(300 * 1024);
    memset(big, 'x', 300 * 1024);
    push_page(push, "https://example.test/huge", "text/plain", big, 300 * 1024);
    free(big);
    /* The re-fetch: the same listing, only the ticker values moved. */
    bump_ticker_digits(seed0, len);
    push_page(push, "https://example.test/list/1?again", "text/plain", seed0,
              len);
    free(seed0);

    static struct collected all, kz;
    long long sent = frames_pushed;
    CHECK(collect_until(sub_all, sent, &all, DEADLINE_MS));
    CHECK(collect_until(sub_kz, sent, &kz, DEADLINE_MS));

    /* Every distinct story exactly once on "all". */
    CHECK_INT(all.n, ==, 24);
    int with_kz = 0;
    for (int i = 0; i < all.n; i++) {
        CHECK_STR(all.m[i].channel, "all");
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, all.m[i].len, all.m[i].data);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK(a->title[0] != '\0');
        CHECK_NOT_CONTAINS(a->body, "USD =");
        CHECK_NOT_CONTAINS(a->body, "Viewing results");
        for (size_t c = 0; c < a->n_countries; c++)
            with_kz += strcmp(a->countries[c], "KZ") == 0;
        for (int j = 0; j < i; j++) {
            Wiredesk__V1__Article *b = wiredesk__v1__article__unpack(
                NULL, all.m[j].len, all.m[j].data);
            if (b) {
                CHECK(strcmp(a->id, b->id) != 0);
                wiredesk__v1__article__free_unpacked(b, NULL);
            }
        }
        wiredesk__v1__article__free_unpacked(a, NULL);
    }
    /* The KZ subscriber got exactly the articles tagged KZ, and nothing
     * from any other channel. */
    CHECK_INT(kz.n, ==, with_kz);
    CHECK_INT(with_kz, >=, 10);
    for (int i = 0; i < kz.n; i++)
        CHECK_STR(kz.m[i].channel, "country.KZ");

    /* Bad input: counted by reason, logged; the good pages flowed. */
    const Wiredesk__V1__WorkerStats *ws = all.last_stats;
    CHECK(ws != NULL);
    if (ws) {
        CHECK_INT(ws->pages_received, ==, sent);
        CHECK_INT(ws->pages_rejected, ==, 6);
        CHECK_INT(ws->articles_published, ==, 24);
        static const char *const reasons[] = {
            "reason=malformed",    "reason=multipart", "reason=empty_body",
            "reason=invalid_utf8", "reason=nul_byte",  "reason=too_large"};
        for (size_t r = 0; r < 6; r++)
            CHECK_INT(stat_value(ws, "pages_rejected", reasons[r]), ==, 1);
        CHECK_INT(stat_value(ws, "articles_duplicate", NULL), ==, 7);
        /* Decisions by kind: the listings' repeat is an exact duplicate,
         * the re-fetch a page duplicate. */
        CHECK_INT(stat_value(ws, "dedup_decisions", "kind=new"), ==, 24);
        CHECK_INT(stat_value(ws, "dedup_decisions", "kind=exact"), ==, 1);
        CHECK_INT(stat_value(ws, "dedup_decisions", "kind=page"), ==, 1);
        CHECK_INT(stat_value(ws, "dedup_decisions", "kind=near"), ==, 0);
    }
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    CHECK(log_contains(&w, "reason=multipart"));
    CHECK(log_contains(&w, "reason=too_large"));
    CHECK(log_contains(&w, "reason=invalid_utf8"));

    collected_free(&all);
    collected_free(&kz);
    zmq_close(push);
    zmq_close(sub_all);
    zmq_close(sub_kz);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

/* Checks that one article on "all" has this title, and then this author. */
static void
check_article(const struct collected *all, const char *title,
              const char *author)
{
    bool found = false;
    for (int i = 0; i < all->n && !found; i++) {
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, all->m[i].len, all->m[i].data);
        if (a && strcmp(a->title, title) == 0) {
            found = true;
            CHECK_STR(a->author, author);
            CHECK(a->body[0] != '\0');
        }
        if (a)
            wiredesk__v1__article__free_unpacked(a, NULL);
    }
    if (!found)
        WD_FAIL_("no article titled \"%s\"", title);
}

/* Pages of three differently shaped text sites and of HTML sites, pushed
 * to the real worker, come out as the right Articles. */
static void
test_sites_end_to_end(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    long long before = frames_pushed;
    static const struct {
        const char *file, *ctype;
    } pages[] = {
        {"seeds/004_5a5ebf73775bfc62.txt", "text/plain"},
        {"sites/gazette_listing.txt", "text/plain"},
        {"sites/farmweekly_article.txt", "text/plain"},
        {"html/cms_jsonld.html", "text/html"},
        {"html/og_cp1251.html", "text/html"},
        {"html/listing.html", "text/html; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, WD_FIXTURES "/%s", pages[i].file);
        size_t len;
        char *buf = wd_test_slurp(path, &len);
        push_page(push, "https://courier.example/news/index.html",
                  pages[i].ctype, buf, len);
        free(buf);
    }
    static struct collected all;
    CHECK(collect_until(sub, frames_pushed - before, &all, DEADLINE_MS));
    /* 1 + 3 + 1 + 1 + 1 + 4 stories. */
    CHECK_INT(all.n, ==, 11);
    static const char *const want[][2] = {
        {"Astana and Baku: Strategic Alignment Between the South Caucasus "
         "and Central Asia",
         "Irina Khalturina"},
        {"City Council Approves New Tram Line", ""},
        {"Drought Forces Farmers to Rethink Irrigation", "Maria Lopez"},
        {"Harbour Strike Enters Third Week as Talks Stall", "Maria Lopez"},
        {"Новый мост открыт", "Ivan Petrov"},
        {"Museum reopens after repairs", ""},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        check_article(&all, want[k][0], want[k][1]);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    collected_free(&all);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

/* Every page of the extraction corpus (tests/fixtures/extract: 13 HTML
 * page styles telling 8 stories) through the real worker: each story comes
 * out once, with the title and author of its truth file. */
static void
test_corpus_end_to_end(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    long long before = frames_pushed;
    static char titles[32][300], authors[32][100];
    int n_truth = 0;
    for (int i = 0; i < 32; i++) {
        char path[512];
        snprintf(path, sizeof path, WD_FIXTURES "/extract/%02d_", i);
        /* Find the file with this number. */
        DIR *d = opendir(WD_FIXTURES "/extract");
        struct dirent *e;
        char name[256] = "";
        while (d && (e = readdir(d)) != NULL)
            if (strncmp(e->d_name, path + strlen(WD_FIXTURES "/extract/"), 3) ==
                    0 &&
                strstr(e->d_name, ".html"))
                snprintf(name, sizeof name, "%s", e->d_name);
        if (d)
            closedir(d);
        if (!name[0])
            break;
        snprintf(path, sizeof path, WD_FIXTURES "/extract/%s", name);
        size_t len;
        char *html = wd_test_slurp(path, &len);
        push_page(push, "https://corpus.example/page", "text/html", html, len);
        free(html);
        snprintf(path + strlen(path) - 5, 6, ".json");
        char *js = wd_test_slurp(path, &len);
        json_error_t err;
        json_t *truth = json_loads(js, 0, &err);
        const char *t = json_string_value(json_object_get(truth, "title"));
        bool seen = false;
        for (int k = 0; k < n_truth; k++)
            seen |= strcmp(titles[k], t) == 0;
        if (!seen && n_truth < 32) {
            snprintf(titles[n_truth], sizeof titles[0], "%s", t);
            snprintf(authors[n_truth], sizeof authors[0], "%s",
                     json_string_value(json_object_get(truth, "author")));
            n_truth++;
        }
        json_decref(truth);
        free(js);
    }
    CHECK_INT(frames_pushed - before, >=, 13);
    static struct collected all;
    CHECK(collect_until(sub, frames_pushed - before, &all, DEADLINE_MS));
    CHECK_INT(all.n, ==, n_truth); /* each story once */
    for (int k = 0; k < n_truth; k++)
        check_article(&all, titles[k], authors[k]);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    collected_free(&all);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_seeds_end_to_end);
    RUN(test_sites_end_to_end);
    RUN(test_corpus_end_to_end);
    return TEST_DONE();
}
