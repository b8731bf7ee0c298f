/* WD_TEST_LABEL: unit */
/* The event clusterer: articles about one happening written apart join one
 * event, other happenings (even in the same place, on the same theme) stay
 * apart; a story's revision stays in its event; the window, the articles'
 * own dates, the stricter bar without them, the bound on live events, ids
 * never reused, the explanation, and bad text. */
#include <stdlib.h>
#include <string.h>

#include "membuf.h"
#include "test.h"
#include "wd/cluster.h"
#include "wd/err.h"

#define HOUR 3600000LL
#define T0 1760000000000LL

struct doc {
    const char *id, *title, *body, *source;
};

/* Unrelated news, to give the document frequencies something to know. */
static const struct doc background[] = {
    {"bg1", "Central bank holds key rate at 16.5 percent",
     "The national bank kept its base rate unchanged on Friday, citing "
     "slowing inflation and a stable currency. Analysts had expected the "
     "pause after two cuts earlier in the year.",
     "wire"},
    {"bg2", "Football: Astana beat Kairat 2-1 in the cup final",
     "A late header from the captain gave the capital's club the trophy in "
     "front of a full stadium. The coach praised the defence after a tense "
     "second half.",
     "sport"},
    {"bg3", "New metro line opens in Tashkent",
     "Passengers rode the first trains of the ring line on Monday. The city "
     "says the line will carry 120,000 people a day when all stations open.",
     "city"},
    {"bg4", "Wheat harvest beats forecasts in the north",
     "Farmers gathered 17 million tonnes of grain this season, the ministry "
     "of agriculture said, helped by late rains and new storage capacity.",
     "farm"},
    {"bg5", "Museum returns stolen manuscripts to library",
     "Three medieval manuscripts taken from the national library in 1998 "
     "were handed back at a ceremony, after a collector recognised them at "
     "an auction in Vienna.",
     "culture"},
    /* Turkey and earthquakes are in the news every week. */
    {"bg6", "Turkey's inflation eases to 33 percent",
     "Annual consumer inflation in Turkey slowed in September, the "
     "statistics office in Ankara said, as food prices rose less.",
     "wire"},
    {"bg7", "Galatasaray top the league after win in Istanbul",
     "The Istanbul club beat Trabzonspor 3-0 to go two points clear at "
     "the top of Turkey's Super Lig.",
     "sport"},
    {"bg8", "Magnitude 5.2 earthquake shakes northern Japan",
     "A moderate tremor struck off Aomori on Sunday. No tsunami warning "
     "was issued and trains resumed after safety checks.",
     "wire"},
    {"bg9", "Turkish lira steadies as central bank sells reserves",
     "Turkey's currency held near record lows while the bank in Ankara "
     "intervened, traders in Istanbul said.",
     "markets"},
};

static const struct doc quake_a = {
    "qa", "Strong earthquake hits Malatya, killing at least 12",
    "A magnitude 6.1 earthquake struck Malatya province in eastern Turkey "
    "early on Tuesday, collapsing several buildings in the town of "
    "Yesilyurt. Rescue teams from AFAD pulled survivors from the rubble.",
    "wire"};
static const struct doc quake_b = {
    "qb", "Malatya quake: rescuers search rubble as toll rises",
    "Emergency crews in Yesilyurt worked through the night after Tuesday's "
    "6.1 tremor in Malatya. AFAD said the number of dead had risen, and "
    "hundreds of residents slept in tents in eastern Turkey.",
    "daily"};
/* A third outlet's teaser of the first earthquake, in fewer words. */
static const struct doc quake_d = {
    "qd", "A night in tents after the earthquake",
    "Hundreds of families in eastern Turkey slept outdoors as aftershocks "
    "went on through Wednesday in the worst-hit province.",
    "radio"};
/* Another earthquake, the same country, the same week. */
static const struct doc quake_c = {
    "qc", "Magnitude 4.8 tremor shakes Canakkale, no casualties",
    "A moderate earthquake centred off Ayvacik in Canakkale province was "
    "felt in Izmir and on the Aegean islands on Thursday. Officials in "
    "western Turkey reported cracked walls but no injuries.",
    "wire"};

/* An article received at at, dated published (0: undated). */
static void
feed_dated(struct wd_cluster *c, const struct doc *d, uint32_t revision,
           int64_t at, int64_t published, struct wd_cluster_result *r)
{
    struct wd_cluster_article a = {
        .story_id = d->id,
        .revision = revision,
        .title = d->title,
        .tlen = strlen(d->title),
        .body = d->body,
        .blen = strlen(d->body),
        .source = d->source,
        .at_ms = at,
        .published_ms = published,
    };
    wd_cluster_assign(c, &a, r, NULL);
}

/* An article dated when it is received (a live feed). */
static void
feed(struct wd_cluster *c, const struct doc *d, uint32_t revision, int64_t at,
     struct wd_cluster_result *r)
{
    feed_dated(c, d, revision, at, at, r);
}

static struct wd_cluster *
warm(const struct wd_cluster_config *cfg)
{
    struct wd_cluster *c;
    CHECK_OK(wd_cluster_new(&c, cfg));
    struct wd_cluster_result r;
    /* Days before the articles of the test, each its own event. */
    size_t n = sizeof background / sizeof *background;
    for (size_t i = 0; i < n; i++) {
        feed(c, &background[i], 1, T0 - (int64_t)(n - i) * 48 * HOUR, &r);
        CHECK(r.created);
    }
    return c;
}

static void
test_one_event_two_outlets(void)
{
    struct wd_cluster *c = warm(NULL);
    struct wd_cluster_result a, b, q;
    feed(c, &quake_a, 1, T0 + HOUR, &a);
    CHECK(a.created);
    CHECK_INT(a.size, ==, 1);
    feed(c, &quake_b, 1, T0 + 5 * HOUR, &b);
    CHECK(!b.created);
    CHECK_STR(b.event_id, a.event_id);
    CHECK_INT(b.size, ==, 2);
    CHECK(b.similarity >= 0.2f && b.similarity <= 1.0f);
    /* The other earthquake: its own event, the first one its runner-up
     * (the explanation names the event it was compared with). */
    feed(c, &quake_c, 1, T0 + 30 * HOUR, &q);
    CHECK(q.created);
    CHECK(strcmp(q.event_id, a.event_id) != 0);
    CHECK(q.runner_up_similarity < b.similarity);
    /* The summary of the busiest event. */
    struct wd_cluster_event ev[3];
    /* The background's events are gone: nothing joined them within the
     * window. */
    CHECK_INT(wd_cluster_busiest(c, ev, 3), ==, 2);
    size_t live, bytes;
    wd_cluster_usage(c, &live, &bytes);
    CHECK_INT(live, ==, 2);
    CHECK_STR(ev[0].id, a.event_id);
    CHECK_INT(ev[0].articles, ==, 2);
    CHECK_INT(ev[0].sources, ==, 2);
    CHECK_INT(ev[0].first_ms, ==, T0 + HOUR);
    CHECK_INT(ev[0].last_ms, ==, T0 + 5 * HOUR);
    wd_cluster_free(c);
}

static void
test_revision_stays(void)
{
    struct wd_cluster *c = warm(NULL);
    struct wd_cluster_result a, b;
    feed(c, &quake_a, 1, T0, &a);
    /* The same story's full text, whatever it now says. */
    struct doc upgraded = {"qa", "Malatya earthquake",
                           "Completely other "
                           "words about planting orchards in spring.",
                           "wire"};
    feed(c, &upgraded, 2, T0 + HOUR, &b);
    CHECK_STR(b.event_id, a.event_id);
    CHECK(!b.created);
    CHECK_INT(b.size, ==, 1); /* a story counts once */
    CHECK(b.similarity == 1.0f);
    /* The first revision published again (a crash between its send and
     * its commit): still one story. */
    feed(c, &quake_a, 1, T0 + 2 * HOUR, &b);
    CHECK_STR(b.event_id, a.event_id);
    CHECK_INT(b.size, ==, 1);
    wd_cluster_free(c);
}

static void
test_window(void)
{
    struct wd_cluster_config cfg = {.window_ms = 24 * HOUR};
    struct wd_cluster *c = warm(&cfg);
    struct wd_cluster_result a, b;
    feed(c, &quake_a, 1, T0, &a);
    /* The same text well after the window: a new event. */
    struct doc again = quake_b;
    feed(c, &again, 1, T0 + 25 * HOUR, &b);
    CHECK(b.created);
    CHECK(strcmp(a.event_id, b.event_id) != 0);
    wd_cluster_free(c);
}

static void
test_bounded_and_never_reused(void)
{
    struct wd_cluster_config cfg = {.max_events = 4};
    struct wd_cluster *c;
    CHECK_OK(wd_cluster_new(&c, &cfg));
    char ids[40][WD_CLUSTER_ID_LEN + 1];
    for (int i = 0; i < 40; i++) {
        /* Words of their own: three letters that say i, then more. */
        char id[16],
            w[4] = {(char)('b' + i % 20), (char)('c' + i / 20), 'q', 0};
        char title[96], body[200];
        snprintf(id, sizeof id, "s%d", i);
        snprintf(title, sizeof title, "%sorama %sendix", w, w);
        snprintf(body, sizeof body, "%salpha %sbravo %scharlie %sdelta.", w, w,
                 w, w);
        struct doc d = {id, title, body, "src"};
        struct wd_cluster_result r;
        feed(c, &d, 1, T0 + i, &r);
        CHECK(r.created);
        snprintf(ids[i], sizeof ids[i], "%s", r.event_id);
        size_t live, bytes;
        wd_cluster_usage(c, &live, &bytes);
        CHECK_INT(live, <=, 4);
        CHECK_INT(bytes, >, 0);
    }
    for (int i = 0; i < 40; i++)
        for (int j = i + 1; j < 40; j++)
            CHECK(strcmp(ids[i], ids[j]) != 0);
    /* A story founding again after its event left (forgotten, or a later
     * revision) gets another id. */
    struct doc d0 = {"s0", "bcqorama bcqendix", "bcqalpha.", "src"};
    struct wd_cluster_result r;
    feed(c, &d0, 2, T0 + 100, &r);
    for (int i = 0; i < 40; i++)
        CHECK(strcmp(ids[i], r.event_id) != 0);
    wd_cluster_free(c);
}

static void
test_explanation_when_full(void)
{
    /* One slot: the event the article was compared with leaves to make
     * room for the article's own, and the explanation still names it. */
    struct wd_cluster_config cfg = {.max_events = 1};
    struct wd_cluster *c;
    CHECK_OK(wd_cluster_new(&c, &cfg));
    struct wd_cluster_result a, b;
    feed(c, &quake_a, 1, T0, &a);
    feed(c, &background[0], 1, T0 + HOUR, &b);
    struct doc other = {"o", "Malatya orchards report record apricot harvest",
                        "Growers around Malatya picked more apricots than in "
                        "any year, the chamber of agriculture said.",
                        "farm"};
    feed(c, &other, 1, T0 + 2 * HOUR, &b);
    CHECK(b.created);
    CHECK(strcmp(b.runner_up, b.event_id) != 0);
    wd_cluster_free(c);
}

static void
test_old_event_takes_nothing(void)
{
    /* The same report again and again (a copy a story, as a wire's
     * re-dated repeats): it joins while the event is young, and twice
     * the window after the event's first story its pull is gone even
     * though the event was fed within the window; the similarity said is
     * not below 0. */
    struct wd_cluster_config cfg = {.window_ms = 10 * HOUR};
    struct wd_cluster *c = warm(&cfg);
    struct wd_cluster_result r, first;
    feed(c, &quake_a, 1, T0, &first);
    static const char *const ids[] = {"u1", "u2", "late"};
    static const int64_t at[] = {9 * HOUR, 15 * HOUR, 21 * HOUR};
    for (int i = 0; i < 3; i++) {
        struct doc d = quake_a;
        d.id = ids[i];
        feed(c, &d, 1, T0 + at[i], &r);
        if (i < 2) {
            CHECK_STR(r.event_id, first.event_id);
        } else {
            CHECK(r.created);
            CHECK_STR(r.runner_up, first.event_id);
            CHECK(r.runner_up_similarity >= 0.0f);
        }
    }
    wd_cluster_free(c);
}

static void
test_undated_needs_more(void)
{
    /* Dated, the second outlet's report joins the first's. */
    struct wd_cluster *c = warm(NULL);
    struct wd_cluster_result a, b;
    feed(c, &quake_a, 1, T0, &a);
    feed(c, &quake_d, 1, T0 + 5 * HOUR, &b);
    CHECK(!b.created);
    float joined = b.similarity;
    wd_cluster_free(c);
    /* Undated on either side (a listing's teasers, fetched in one go,
     * may be months apart), the same words are not enough: it founds its
     * own event, the first one its runner-up at the same similarity. */
    for (int side = 0; side < 2; side++) {
        c = warm(NULL);
        feed_dated(c, &quake_a, 1, T0, side ? T0 : 0, &a);
        feed_dated(c, &quake_d, 1, T0 + 5 * HOUR, side ? 0 : T0 + 5 * HOUR, &b);
        CHECK(b.created);
        CHECK_STR(b.runner_up, a.event_id);
        CHECK(b.runner_up_similarity > joined - 1e-6f &&
              b.runner_up_similarity < joined + 1e-6f);
        /* A copy of the first report says enough. */
        struct doc copy = quake_a;
        copy.id = "copy";
        feed_dated(c, &copy, 1, T0 + 6 * HOUR, 0, &b);
        CHECK(!b.created);
        CHECK_STR(b.event_id, a.event_id);
        wd_cluster_free(c);
    }
    /* A threshold for undated articles outside (0, 1] is refused. */
    struct wd_cluster_config bad = {.undated_threshold = -0.5};
    CHECK_INT(wd_cluster_new(&c, &bad), ==, WD_EINVAL);
}

static void
test_dates_place_in_time(void)
{
    /* A backlog received at once: the articles' own dates decide. Two
     * reports written hours apart join; a copy of one dated four days
     * later (twice the window and more) does not. */
    struct wd_cluster *c = warm(NULL);
    struct wd_cluster_result a, b;
    int64_t now = T0 + 200 * HOUR;
    feed_dated(c, &quake_a, 1, now, T0, &a);
    feed_dated(c, &quake_b, 1, now, T0 + 5 * HOUR, &b);
    CHECK(!b.created);
    CHECK_STR(b.event_id, a.event_id);
    struct doc later = quake_a;
    later.id = "later";
    feed_dated(c, &later, 1, now, T0 + 96 * HOUR, &b);
    CHECK(b.created);
    wd_cluster_free(c);
}

static void
test_dump_restore(void)
{
    /* A clusterer dumped and restored goes on as the one that ran on: the
     * same decisions, the same events, the same ids. */
    struct wd_cluster *c = warm(NULL), *d;
    struct wd_cluster_result a, b, r1, r2;
    feed(c, &quake_a, 1, T0, &a);
    struct membuf m = {0};
    CHECK_OK(wd_cluster_dump(c, membuf_write, &m));
    CHECK_OK(wd_cluster_new(&d, NULL));
    CHECK_OK(wd_cluster_restore(d, m.len, membuf_read, &m));
    feed(c, &quake_b, 1, T0 + 5 * HOUR, &r1);
    feed(d, &quake_b, 1, T0 + 5 * HOUR, &r2);
    CHECK(!r2.created);
    CHECK_STR(r2.event_id, a.event_id);
    CHECK(r1.similarity == r2.similarity);
    CHECK_INT(r2.size, ==, 2);
    /* A revision of a story from before the restart stays in its event. */
    feed(d, &quake_a, 2, T0 + 6 * HOUR, &b);
    CHECK_STR(b.event_id, a.event_id);
    CHECK_INT(b.size, ==, 2);
    size_t lc, ld, bc, bd;
    wd_cluster_usage(c, &lc, &bc);
    wd_cluster_usage(d, &ld, &bd);
    CHECK_INT(lc, ==, ld);
    struct wd_cluster_event ec[2], ed[2];
    CHECK_INT(wd_cluster_busiest(d, ed, 2), ==, wd_cluster_busiest(c, ec, 2));
    CHECK_STR(ed[0].id, ec[0].id);
    CHECK_STR(ed[0].title, ec[0].title);
    /* Restoring into a clusterer that has run is refused. */
    m.at = 0;
    CHECK_INT(wd_cluster_restore(d, m.len, membuf_read, &m), ==, WD_EINVAL);
    wd_cluster_free(d);
    /* A damaged dump, a short one, another --max-events: refused, and the
     * clusterer is as new (its first article founds an event). */
    for (int k = 0; k < 3; k++) {
        struct wd_cluster_config small = {.max_events = 64};
        CHECK_OK(wd_cluster_new(&d, k == 2 ? &small : NULL));
        m.at = 0;
        size_t len = m.len;
        if (k == 0)
            m.p[m.len / 2] ^= 0x40;
        if (k == 1)
            len -= 9;
        CHECK_INT(wd_cluster_restore(d, len, membuf_read, &m), ==, WD_EPARSE);
        if (k == 0)
            m.p[m.len / 2] ^= 0x40;
        wd_cluster_usage(d, &ld, &bd);
        CHECK_INT(ld, ==, 0);
        feed(d, &quake_b, 1, T0, &b);
        CHECK(b.created);
        wd_cluster_free(d);
    }
    free(m.p);
    wd_cluster_free(c);
}

static void
test_deterministic(void)
{
    char first[8][WD_CLUSTER_ID_LEN + 1];
    for (int round = 0; round < 2; round++) {
        struct wd_cluster *c = warm(NULL);
        const struct doc *docs[] = {&quake_a, &quake_c, &quake_b};
        for (int i = 0; i < 3; i++) {
            struct wd_cluster_result r;
            feed(c, docs[i], 1, T0 + i * HOUR, &r);
            if (round == 0)
                snprintf(first[i], sizeof first[i], "%s", r.event_id);
            else
                CHECK_STR(r.event_id, first[i]);
        }
        wd_cluster_free(c);
    }
}

static void
test_bad_text(void)
{
    struct wd_cluster *c = warm(NULL);
    struct wd_cluster_result r;
    struct doc empty = {"e", "", "", ""};
    feed(c, &empty, 1, T0, &r);
    CHECK(r.created);
    struct doc stops = {"f", "the and of", "which were there", NULL};
    feed(c, &stops, 1, T0, &r);
    CHECK(r.created);
    /* Invalid UTF-8, NUL-free, and a very long word. */
    char bad[9000];
    for (size_t i = 0; i < sizeof bad - 1; i++)
        bad[i] = (char)(0x80 + (i % 64));
    bad[sizeof bad - 1] = '\0';
    struct doc junk = {"g", bad, bad, "x"};
    feed(c, &junk, 1, T0, &r);
    char longw[5000];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    struct doc lw = {"h", longw, longw, "x"};
    feed(c, &lw, 1, T0, &r);
    CHECK(r.event_id[0] != '\0');
    wd_cluster_free(c);
    struct wd_cluster_config no = {.threshold = 1.5};
    CHECK_INT(wd_cluster_new(&c, &no), ==, WD_EINVAL);
}

int
main(void)
{
    RUN(test_one_event_two_outlets);
    RUN(test_revision_stays);
    RUN(test_window);
    RUN(test_bounded_and_never_reused);
    RUN(test_explanation_when_full);
    RUN(test_old_event_takes_nothing);
    RUN(test_undated_needs_more);
    RUN(test_dates_place_in_time);
    RUN(test_dump_restore);
    RUN(test_deterministic);
    RUN(test_bad_text);
    return TEST_DONE();
}
