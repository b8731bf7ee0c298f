/* WD_TEST_LABEL: unit */
/* The functional core end to end, without sockets: RawPage frames in,
 * (channel, Article) messages out. */
#include <errno.h>
#include "gen.h"
#include "testutil.h"

#include "wd/channel.h"
#include "wd/pipeline.h"

#define MAX_MSGS 4096

struct sink {
    int n;
    char channel[MAX_MSGS][64];
    Wiredesk__V1__Article *art[MAX_MSGS];
    /* $dedup: the decisions, apart */
    int n_dedup;
    Wiredesk__V1__DedupDecision *dedup[MAX_MSGS];
    int n_events; /* $events messages (test_events checks them) */
};

static int
collect(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    if (strcmp(channel, WD_CHANNEL_DEDUP) == 0) {
        if (s->n_dedup >= MAX_MSGS)
            return -1;
        s->dedup[s->n_dedup++] =
            wiredesk__v1__dedup_decision__unpack(NULL, len, buf);
        return 0;
    }
    if (strcmp(channel, WD_CHANNEL_EVENTS) == 0) {
        s->n_events++;
        return 0;
    }
    if (s->n >= MAX_MSGS)
        return -1;
    snprintf(s->channel[s->n], 64, "%s", channel);
    s->art[s->n] = wiredesk__v1__article__unpack(NULL, len, buf);
    s->n++;
    return 0;
}

static void
sink_free(struct sink *s)
{
    for (int i = 0; i < s->n; i++)
        wiredesk__v1__article__free_unpacked(s->art[i], NULL);
    s->n = 0;
    for (int i = 0; i < s->n_dedup; i++)
        wiredesk__v1__dedup_decision__free_unpacked(s->dedup[i], NULL);
    s->n_dedup = 0;
}

static int
count_on(const struct sink *s, const char *channel)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += strcmp(s->channel[i], channel) == 0;
    return n;
}

static struct wd_store store;
static char store_dir[64];

static struct wd_pipeline *
new_pipeline(struct wd_stats *st, size_t max_page)
{
    temp_store(&store, store_dir);
    struct wd_pipeline_config cfg = {.max_page_bytes = max_page,
                                     .store = &store,
                                     .dedup = {0, 0, WD_NEAR_MINHASH}};
    struct wd_pipeline *p = NULL;
    memset(st, 0, sizeof *st);
    CHECK_OK(wd_pipeline_new(&p, &cfg, st));
    return p;
}

static void
free_pipeline(struct wd_pipeline *p)
{
    wd_pipeline_free(p);
    wd_store_close(&store);
    remove_dir(store_dir);
}

static void
push(struct wd_pipeline *p, const char *url, const char *ctype,
     const void *body, size_t len, struct sink *s, struct wd_page_outcome *o)
{
    uint8_t *frame;
    size_t n = make_raw(url, ctype, body, len, &frame);
    wd_pipeline_page(p, frame, n, 1764900000500LL, collect, s, o);
    free(frame);
}

static void
test_seeds_once_each(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    size_t items = 0;
    for (int i = 0; i < N_SEEDS; i++) {
        size_t len;
        char *buf = read_seed(seed_files[i], &len);
        struct wd_page_outcome o;
        push(p, seed_files[i], "text/plain", buf, len, &s, &o);
        CHECK_OK(o.rc);
        items += o.items;
        free(buf);
    }
    /* 25 title+body items on the seeds, one story twice: 24 stories. */
    CHECK_INT(items, ==, 25);
    CHECK_INT(count_on(&s, "all"), ==, 24);
    CHECK_INT(st.c[WD_C_ARTICLES_PUBLISHED], ==, 24);
    CHECK_INT(st.c[WD_C_ARTICLES_DUPLICATE], ==, 1);

    /* Every id on "all" is distinct: the four stories about one state
     * visit stay four. */
    int on_all = 0, full = 0;
    for (int i = 0; i < s.n; i++) {
        if (strcmp(s.channel[i], "all") != 0)
            continue;
        on_all++;
        CHECK(s.art[i] != NULL);
        full += s.art[i]->kind == WIREDESK__V1__ARTICLE__KIND__KIND_FULL;
        CHECK_INT(s.art[i]->revision, ==, 1);
        CHECK_INT(strlen(s.art[i]->id), ==, 32);
        for (int j = 0; j < i; j++)
            if (strcmp(s.channel[j], "all") == 0)
                CHECK(strcmp(s.art[i]->id, s.art[j]->id) != 0);
    }
    CHECK_INT(full, ==, 1);
    /* One event message a published story. */
    CHECK_INT(s.n_events, ==, on_all);

    /* Channels: the article about Astana and Baku is on KZ and AZ; every
     * message on a country or theme channel is also on "all". */
    for (int i = 0; i < s.n; i++) {
        const Wiredesk__V1__Article *a = s.art[i];
        if (a->kind == WIREDESK__V1__ARTICLE__KIND__KIND_FULL &&
            strcmp(s.channel[i], "all") == 0) {
            CHECK_STR(a->author, "Irina Khalturina");
            /* (The language is detected once the page's stories are
             * fingerprinted, not while it is parsed.) */
            CHECK_STR(a->language, "en");
            CHECK_INT(a->published_at_ms, ==, 1761312960000LL);
            bool kz = false, az = false;
            for (size_t c = 0; c < a->n_countries; c++) {
                kz |= strcmp(a->countries[c], "KZ") == 0;
                az |= strcmp(a->countries[c], "AZ") == 0;
            }
            CHECK(kz && az);
            CHECK(a->n_themes > 0);
        }
        if (strncmp(s.channel[i], "country.", 8) == 0) {
            bool listed = false;
            for (size_t c = 0; c < a->n_countries; c++)
                listed |= strcmp(a->countries[c], s.channel[i] + 8) == 0;
            CHECK(listed);
        }
    }
    CHECK_INT(count_on(&s, "country.KZ"), >=, 10);

    /* A re-fetch of a listing where only the ticker moved: nothing new. */
    size_t len;
    char *buf = read_seed(seed_files[1], &len);
    bump_ticker_digits(buf, len);
    int before = s.n;
    struct wd_page_outcome o;
    push(p, "refetch", "text/plain", buf, len, &s, &o);
    CHECK_OK(o.rc);
    CHECK_INT(o.items, ==, 6);
    CHECK_INT(o.duplicates, ==, 6);
    CHECK_INT(s.n, ==, before);
    free(buf);
    sink_free(&s);
    free_pipeline(p);
}

static void
test_bad_input_counted(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, 64 * 1024);
    static struct sink s;
    struct wd_page_outcome o;

    wd_pipeline_page(p, (const uint8_t *)"\xff\xff\xff", 3, 1, collect, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_MALFORMED);
    push(p, "u", "text/plain", "", 0, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_EMPTY_BODY);
    push(p, "u", "text/plain", "bad \xc3\x28 text", 10, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_INVALID_UTF8);
    push(p, "u", "text/plain", "nul\0byte", 8, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_NUL_BYTE);
    char *big = malloc(100 * 1024);
    memset(big, 'a', 100 * 1024);
    push(p, "https://big.example/page", "text/plain", big, 100 * 1024, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_TOO_LARGE);
    /* Refused on its length, not decoded: its URL is still known for the
     * log line (it was ""). */
    CHECK_STR(o.url, "https://big.example/page");
    free(big);
    push(p, "u", "image/png", "\x89PNG", 4, &s, &o);
    CHECK_INT(o.reason, ==, WD_REJECT_UNSUPPORTED_TYPE);
    wd_pipeline_refuse(p, WD_REJECT_MULTIPART, 10, &o);

    CHECK_INT(st.c[WD_C_PAGES_REJECTED], ==, 7);
    CHECK_INT(st.c[WD_C_PAGES_RECEIVED], ==, 7);
    for (int r = 0; r < WD_REJECT__COUNT; r++)
        if (r != WD_REJECT_INTERNAL)
            CHECK_INT(st.rejected[r], ==, 1);
    CHECK_INT(s.n, ==, 0);

    /* A good page right after the bad ones still goes through. */
    size_t len;
    char *buf = read_seed(seed_files[4], &len);
    push(p, "good", "text/plain", buf, len, &s, &o);
    CHECK_OK(o.rc);
    CHECK_INT(o.published, ==, 1);
    CHECK_INT(count_on(&s, "all"), ==, 1);
    free(buf);
    sink_free(&s);
    free_pipeline(p);
}

/* An HTML page goes through the whole core: parsed, tagged, published with
 * its canonical URL. */
static void
test_html_page(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    size_t len;
    char *buf = wd_test_slurp(WD_FIXTURES "/html/cms_jsonld.html", &len);
    struct wd_page_outcome o;
    push(p, "https://courier.example/news/x", "text/html", buf, len, &s, &o);
    CHECK_OK(o.rc);
    CHECK_INT(o.published, ==, 1);
    CHECK_INT(count_on(&s, "all"), ==, 1);
    for (int i = 0; i < s.n; i++)
        if (strcmp(s.channel[i], "all") == 0) {
            CHECK_STR(s.art[i]->url, "https://courier.example/news/2025/"
                                     "harbour-strike-third-week");
            CHECK_STR(s.art[i]->author, "Maria Lopez");
            CHECK_STR(s.art[i]->source_url, "https://courier.example/news/x");
        }
    free(buf);
    sink_free(&s);
    free_pipeline(p);
}

/* A wire story whose only place is its dateline is tagged with the
 * dateline's country, the city read as a place though it is also a
 * surname; the same story without its dateline gets no country. */
static void
test_dateline_tagged(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    static const char *const pages[] = {
        "COFAB INC <CFAB> BUYS GULFEX\n\nHOUSTON, March 3 - Cofab Inc said "
        "it acquired Gulfex Inc, a privately held fabricator of custom "
        "high-pressure process vessels, for an undisclosed amount of cash "
        "and stock.\n",
        "CORFAB INC <CRFB> SELLS VALVE UNIT\n\nCorfab Inc said it sold its "
        "valve unit, a maker of custom high-pressure fittings for process "
        "plants, to its managers for an undisclosed amount of cash and "
        "notes.\n"};
    for (int k = 0; k < 2; k++) {
        struct wd_page_outcome o;
        push(p, "https://wire.example/a", "text/plain", pages[k],
             strlen(pages[k]), &s, &o);
        CHECK_INT(o.published, ==, 1);
    }
    int seen = 0;
    for (int i = 0; i < s.n; i++) {
        if (strcmp(s.channel[i], "all") != 0)
            continue;
        const Wiredesk__V1__Article *a = s.art[i];
        if (strstr(a->title, "GULFEX")) {
            CHECK(a->n_countries >= 1);
            if (a->n_countries >= 1)
                CHECK_STR(a->countries[0], "US");
            seen++;
        } else {
            CHECK_INT(a->n_countries, ==, 0);
            seen++;
        }
    }
    CHECK_INT(seen, ==, 2);
    sink_free(&s);
    free_pipeline(p);
}

/* Every drop is said on $dedup with its reason and the story it copies:
 * a page fetched again (page), another version of the same headline and
 * lead (near, same id), a copy-edit under another headline (near, found by
 * MinHash bands, with their share as similarity). */
static void
test_dedup_decisions_published(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    const char *story =
        "Harbour cranes return to work\n\nDock workers in the northern "
        "harbour went back to work on Monday after a deal on pay was reached "
        "late on Sunday night, the union said, ending a strike that had "
        "stopped 40 ships and cost the port 12 million euros a day. Talks "
        "had gone on for three weeks. The port authority said loading would "
        "be back to normal by Wednesday.\n";
    const char *edited =
        "Dock strike ends as deal is reached\n\nDock workers in the northern "
        "harbour went back to work on Monday after a deal on pay was reached "
        "late on Sunday night, the union said, ending a strike that had "
        "stopped 40 ships and cost the port 12 million euros a day. Talks "
        "had gone on for three weeks. The port authority said loading would "
        "be back to normal by Wednesday morning.\n";
    struct wd_page_outcome o;
    push(p, "https://a.example/1", "text/plain", story, strlen(story), &s, &o);
    CHECK_INT(o.published, ==, 1);
    char first_id[40] = "";
    for (int i = 0; i < s.n; i++)
        if (strcmp(s.channel[i], "all") == 0)
            snprintf(first_id, sizeof first_id, "%s", s.art[i]->id);
    push(p, "https://a.example/1", "text/plain", story, strlen(story), &s, &o);
    /* The same headline and lead, a later sentence changed: same id. */
    char later[2048];
    snprintf(later, sizeof later, "%s", story);
    memcpy(strstr(later, "Wednesday"), "Thursday.", 9);
    push(p, "https://b.example/2", "text/plain", later, strlen(later), &s, &o);
    push(p, "https://c.example/3", "text/plain", edited, strlen(edited), &s,
         &o);
    CHECK_INT(o.published, ==, 0);
    CHECK_INT(s.n_dedup, ==, 3);
    if (s.n_dedup == 3 && s.dedup[0] && s.dedup[1] && s.dedup[2]) {
        CHECK_STR(s.dedup[0]->kind, "page");
        CHECK_STR(s.dedup[0]->reason, "page");
        CHECK_STR(s.dedup[0]->page_url, "https://a.example/1");
        CHECK_STR(s.dedup[1]->kind, "near");
        CHECK_STR(s.dedup[1]->reason, "same_id");
        CHECK_STR(s.dedup[1]->matched_id, first_id);
        CHECK_STR(s.dedup[1]->title, "Harbour cranes return to work");
        CHECK_STR(s.dedup[2]->kind, "near");
        CHECK_STR(s.dedup[2]->reason, "bands");
        CHECK_STR(s.dedup[2]->matched_id, first_id);
        CHECK(s.dedup[2]->similarity > 0.1 && s.dedup[2]->similarity <= 1);
        CHECK_STR(s.dedup[2]->page_url, "https://c.example/3");
    }
    sink_free(&s);
    free_pipeline(p);
}

/* A made-up site whose every page ends with the same long "follow us"
 * sentence (prose by its shape): once the worker has seen it on most of
 * the site's recent pages it is boilerplate there, and only there. */
static void
test_learned_boilerplate(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    static const char *const topics[] = {"bridge", "harbour", "school",
                                         "market", "museum",  "railway",
                                         "forest", "airport"};
    const char *footer = "Follow the Valley Post on social media for more "
                         "updates from our newsroom team every single day.";
    char page[2048];
    for (int i = 0; i < 8; i++) {
        /* Stories of their own (random words): no near copies. */
        uint64_t rng = (uint64_t)i * 7919 + 17;
        char p1[512], p2[512];
        sentence(&rng, p1, sizeof p1, 30);
        sentence(&rng, p2, sizeof p2, 30);
        snprintf(page, sizeof page,
                 "Valley Post | Home | Politics | Economy\n"
                 "Town Debates the Future of the Old %s\n%s.\n%s.\n%s\n",
                 topics[i], p1, p2, footer);
        struct wd_page_outcome o;
        char url[64];
        snprintf(url, sizeof url, "https://valleypost.example/a%d", i);
        push(p, url, "text/plain", page, strlen(page), &s, &o);
        CHECK_INT(o.published, ==, 1);
    }
    int with_footer_early = 0, with_footer_late = 0, n = 0;
    for (int i = 0; i < s.n; i++) {
        if (strcmp(s.channel[i], "all") != 0)
            continue;
        bool has = strstr(s.art[i]->body, "Follow the Valley Post") != NULL;
        if (n < 2)
            with_footer_early += has;
        if (n >= 5)
            with_footer_late += has;
        n++;
    }
    CHECK_INT(n, ==, 8);
    CHECK_INT(with_footer_early, ==, 2); /* not learned yet */
    CHECK_INT(with_footer_late, ==, 0);  /* learned */
    /* Another source is not affected by what this one taught. */
    sink_free(&s);
    snprintf(page, sizeof page,
             "A Different Site Reports on Its Own River Festival\n"
             "The river festival drew thousands of visitors on Saturday, "
             "with boat races, music and food stalls along both banks.\n"
             "%s\n",
             footer);
    struct wd_page_outcome o;
    push(p, "https://othersite.example/b", "text/plain", page, strlen(page), &s,
         &o);
    CHECK_INT(o.published, ==, 1);
    for (int i = 0; i < s.n; i++)
        if (strcmp(s.channel[i], "all") == 0)
            CHECK_CONTAINS(s.art[i]->body, "Follow the Valley Post");
    sink_free(&s);
    free_pipeline(p);
}

/* A listing page fetched again and again is one page to the boilerplate
 * learner, not eight votes for its teasers' lines: then the full text of
 * one of its stories, from the same site, is that story's upgrade
 * (revision 2), not a page of learned boilerplate answered duplicate. */
static void
test_refetched_listing_not_learned(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    const char *menu = "Valley Post | Home | Politics | Economy\n";
    const char *head = "Harbour Strike Enters Third Week";
    const char *lead =
        "Dock workers in the northern harbour extended their walkout on "
        "Monday after negotiators failed to agree on a new wage deal for the "
        "coming two years, and shipping companies diverted their vessels";
    char page[4096];
    int published = 0;
    for (int i = 0; i < 8; i++) {
        snprintf(page, sizeof page,
                 "%s\n%s\n%s ...\n\nCouncil Approves New Budget For Schools\n"
                 "The city council approved a new budget on Tuesday after a "
                 "long debate over spending on schools, roads and the public "
                 "library that ran late into the night ...\n\n"
                 "Museum Reopens After Two Years Of Work\n"
                 "The city museum reopened on Saturday after two years of "
                 "renovation, with a new wing for the regional collection "
                 "and a cafe on the roof ...\n\nUpdated %d minutes ago\n",
                 menu, head, lead, i + 1);
        struct wd_page_outcome o;
        push(p, "https://valleypost.example/", "text/plain", page, strlen(page),
             &s, &o);
        CHECK_OK(o.rc);
        published += o.published;
    }
    CHECK_INT(published, ==, 3); /* the three teasers, once */
    snprintf(page, sizeof page,
             "%s\n%s\n%s to other ports.\n\nThe union said talks would "
             "resume on Thursday, and traders warned of shortages of fresh "
             "fruit within days if the strike went on through the weekend.\n\n"
             "Port officials estimated the losses at several million a day "
             "and asked the government to mediate between the two sides.\n",
             menu, head, lead);
    struct wd_page_outcome o;
    int before = s.n;
    push(p, "https://valleypost.example/harbour-strike", "text/plain", page,
         strlen(page), &s, &o);
    CHECK_OK(o.rc);
    CHECK_INT(o.published, ==, 1);
    bool upgraded = false;
    for (int i = before; i < s.n; i++)
        if (strcmp(s.channel[i], "all") == 0 && s.art[i]) {
            upgraded = s.art[i]->revision == 2;
            CHECK_CONTAINS(s.art[i]->body, "Dock workers in the northern");
        }
    CHECK(upgraded);
    sink_free(&s);
    free_pipeline(p);
}

/* A re-fetch seen lately is not fingerprinted by prepare; when finish
 * does need the fingerprints after all (here: the first copy's stories are
 * in the republish window of a restart after a crash), it makes them. */
static void
test_refetch_fingerprinted_when_needed(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    size_t len;
    char *buf = read_seed(seed_files[1], &len);
    struct wd_page_outcome o;
    push(p, "listing", "text/plain", buf, len, &s, &o);
    CHECK_OK(o.rc);
    CHECK_INT(o.published, ==, 6);
    /* The same stories again: a plain re-fetch is a duplicate page. */
    bump_ticker_digits(buf, len);
    push(p, "listing", "text/plain", buf, len, &s, &o);
    CHECK(o.page_duplicate);
    CHECK_INT(o.published, ==, 0);
    /* In the window, the page is not taken as seen: its stories are
     * decided one by one, each a republish under its first id. */
    wd_pipeline_republish(p, 1764900000000LL, 1764900001000LL);
    bump_ticker_digits(buf, len);
    int before = s.n;
    push(p, "listing", "text/plain", buf, len, &s, &o);
    CHECK_OK(o.rc);
    CHECK(!o.page_duplicate);
    CHECK_INT(o.published, ==, 6);
    CHECK_INT(st.dedup[WD_DEDUP_KIND_REPUBLISH], ==, 6);
    for (int i = before; i < s.n; i++) {
        bool first = false;
        for (int j = 0; j < before && !first; j++)
            first =
                s.art[j] && s.art[i] && strcmp(s.art[j]->id, s.art[i]->id) == 0;
        CHECK(first);
        /* Fingerprinted while deciding (the page's key was seen): its
         * language too. */
        CHECK(s.art[i] && strcmp(s.art[i]->language, "en") == 0);
    }
    free(buf);
    sink_free(&s);
    free_pipeline(p);
}

/* A store whose commits fail while commit_failures > 0 (a full disk); the
 * rest is the real LMDB store's. */
static const struct wd_store_ops *real_ops;
static int commit_failures;

static int
failing_commit(void *impl)
{
    if (commit_failures > 0) {
        commit_failures--;
        real_ops->abort(impl);
        return -ENOSPC;
    }
    return real_ops->commit(impl);
}

/* A commit that fails leaves the page's story sent but not remembered: the
 * page is held (retry), the worker not ready, and each retry commits the
 * same decision without sending or counting the story again; once a
 * commit goes through the page is done (published, to be answered
 * "accepted") and the worker ready, and the story is remembered. */
static void
test_failed_commit_retried(void)
{
    struct wd_stats st;
    struct wd_pipeline *p = new_pipeline(&st, WD_DEFAULT_MAX_PAGE);
    static struct sink s;
    struct wd_store_ops ops = *store.ops;
    real_ops = store.ops;
    ops.commit = failing_commit;
    store.ops = &ops;
    const char *page =
        "Ferry Service Resumes After Storm\n"
        "The island ferry resumed service on Tuesday morning after the storm "
        "passed, the operator said, and the first crossing of the day was "
        "full of people who had waited on the quay for three days.\n";
    uint8_t *frame;
    size_t n = make_raw("https://ferry.example/1", "text/plain", page,
                        strlen(page), &frame);
    commit_failures = 2;
    struct wd_prepared *pp = wd_prepared_get(p, frame, n, 1764900000500LL);
    CHECK(pp != NULL);
    if (!pp)
        return;
    wd_pipeline_prepare(p, pp);
    struct wd_page_outcome o;
    wd_pipeline_finish(p, pp, collect, &s, &o);
    CHECK(o.retry && o.commit_failed && !o.contended);
    CHECK_INT(o.store_rc, ==, -ENOSPC);
    CHECK_INT(o.sent, ==, 1);
    CHECK(!wd_pipeline_store_ok(p));
    CHECK_INT(count_on(&s, "all"), ==, 1);
    wd_pipeline_finish(p, pp, collect, &s, &o); /* fails again */
    CHECK(o.retry && o.commit_failed);
    CHECK_INT(o.sent, ==, 0);
    wd_pipeline_finish(p, pp, collect, &s, &o); /* goes through */
    CHECK(!o.retry);
    CHECK_INT(o.rc, ==, 0);
    CHECK_INT(o.published, ==, 1);
    CHECK_INT(o.sent, ==, 0);
    CHECK(wd_pipeline_store_ok(p));
    CHECK_INT(count_on(&s, "all"), ==, 1); /* sent once */
    CHECK_INT(st.c[WD_C_ARTICLES_PUBLISHED], ==, 1);
    CHECK_INT(st.c[WD_C_STORE_ERRORS], ==, 2);
    CHECK_INT(st.c[WD_C_PAGES_RECEIVED], ==, 1);
    wd_prepared_put(p, pp);
    free(frame);
    /* Remembered: the same story again is a duplicate. */
    struct wd_page_outcome o2;
    push(p, "https://ferry.example/2", "text/plain", page, strlen(page), &s,
         &o2);
    CHECK_INT(o2.published, ==, 0);
    CHECK(o2.duplicates > 0 || o2.page_duplicate);
    store.ops = real_ops;
    sink_free(&s);
    free_pipeline(p);
}

int
main(void)
{
    RUN(test_seeds_once_each);
    RUN(test_bad_input_counted);
    RUN(test_html_page);
    RUN(test_dateline_tagged);
    RUN(test_dedup_decisions_published);
    RUN(test_learned_boilerplate);
    RUN(test_refetched_listing_not_learned);
    RUN(test_failed_commit_retried);
    RUN(test_refetch_fingerprinted_when_needed);
    return TEST_DONE();
}
