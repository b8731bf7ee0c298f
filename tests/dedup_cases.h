/* The dedup decisions as test cases over whatever store the including test
 * opens: test_dedup.c runs them on LMDB, test_dedup_redis.c on a real
 * redis-server. The includer defines reopen_store() (close then open the
 * same store again) and empty_store() (the same, emptied). */
#ifndef WD_TEST_DEDUP_CASES_H
#define WD_TEST_DEDUP_CASES_H

#include "testutil.h"

#include "wd/dedup.h"
#include "wd/fingerprint.h"

static void reopen_store(void);
static void empty_store(void); /* closes, empties and opens the store */

static struct wd_store store;

static struct wd_dedup *
open_dedup(uint64_t max_stories, int64_t max_age_ms)
{
    struct wd_dedup_config cfg = {max_stories, max_age_ms, WD_NEAR_MINHASH};
    struct wd_dedup *d;
    CHECK_OK(wd_dedup_open(&d, &store, &cfg));
    return d;
}

static struct wd_story_fp
fp_of(const char *title, const char *body, bool teaser)
{
    struct wd_fp_story f;
    wd_fp_story(title, strlen(title), body, strlen(body), &f);
    struct wd_story_fp fp;
    wd_dedup_fp_make(&fp, &f, 0, strlen(body), teaser);
    return fp;
}

/* One page of one story: begin, decide, commit. */
static enum wd_dup
decide1(struct wd_dedup *d, struct wd_story_fp *fp, int64_t now, uint32_t *rev)
{
    CHECK_OK(wd_dedup_begin(d));
    enum wd_dup r = wd_dedup_decide(d, fp, now, rev);
    CHECK_OK(wd_dedup_commit(d, 0, now));
    return r;
}

static const char *const title = "Harbour Strike Enters Third Week";
static const char *const full =
    "Dock workers in the northern harbour extended their walkout on Monday "
    "after negotiators failed to agree on a new wage deal for the coming "
    "two years. The union said talks would resume on Thursday. Shipping "
    "companies have diverted dozens of vessels to other ports, and traders "
    "warned of shortages of fresh fruit within days if the strike goes on.";
static const char *const teaser =
    "Dock workers in the northern harbour extended their walkout on Monday "
    "after negotiators failed to agree on a new wage deal";

static void
test_new_exact_near(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of(title, full, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(rev, ==, 1);
    CHECK_INT(decide1(d, &a, 2000, &rev), ==, WD_DUP_EXACT);
    /* Other spacing, quotes and case: the same normalised text. */
    struct wd_story_fp b =
        fp_of("HARBOUR strike enters third week", full, false);
    CHECK_INT(decide1(d, &b, 2000, &rev), ==, WD_DUP_EXACT);
    /* A copy-edit under another title: a word changed deep in the text. */
    char edited[1024];
    snprintf(edited, sizeof edited, "%s", full);
    char *w = strstr(edited, "dozens");
    memcpy(w, "scores", 6);
    struct wd_story_fp c = fp_of("Dock Strike Goes On", edited, false);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEAR);
    /* Another story entirely. */
    struct wd_story_fp e = fp_of(
        "Museum Reopens After Repairs",
        "The city museum reopened its doors on Saturday after two years of "
        "repairs to the roof and the old exhibition halls, and hundreds of "
        "visitors queued in the rain to see the restored collection of maps "
        "and paintings from the age of sail.",
        false);
    CHECK_INT(decide1(d, &e, 4000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(wd_dedup_stories(d), ==, 2);
    wd_dedup_close(d);
}

static void
test_teaser_then_full(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp t = fp_of(title, teaser, true);
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK(memcmp(t.id, f.id, 16) == 0); /* one story, one id */
    CHECK_INT(decide1(d, &t, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(rev, ==, 1);
    CHECK_INT(decide1(d, &f, 2000, &rev), ==, WD_DUP_UPGRADE);
    CHECK_INT(rev, ==, 2);
    /* Later: the teaser again, the full text again: nothing. */
    CHECK_INT(decide1(d, &t, 3000, &rev), ==, WD_DUP_EXACT);
    CHECK_INT(decide1(d, &f, 3000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
}

static void
test_full_then_teaser(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp t = fp_of(title, teaser, true);
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    /* A shorter version never replaces the longer one. */
    enum wd_dup r = decide1(d, &t, 2000, &rev);
    CHECK(r == WD_DUP_NEAR || r == WD_DUP_EXACT);
    wd_dedup_close(d);
}

/* A teaser, its full text and a re-post of the full text under another
 * headline with a word of its lead changed, in every order: one story,
 * published once as new (and at most once more as its full text), always
 * under one id, and its full text comes out. */
static void
test_any_order(void)
{
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    /* The teaser: the first 40 words; the re-post: "northern" (word 5),
     * "wage" (word 20) and "union" (word 28) changed, so that it shares
     * one window of eight words with the teaser. */
    char tz[1024], re[2048], longer[2048];
    /* A full text long enough that its teaser is not a near copy of it. */
    snprintf(longer, sizeof longer, "%s%s", full,
             " Port officials estimated the losses at several million a "
             "day and asked the government to mediate. Truck drivers "
             "waiting at the gates said they had been there since Friday "
             "with no word on when loading would start again, and some "
             "had already turned back toward the border crossings in the "
             "east. The transport ministry promised an emergency plan.");
    const char *p = full;
    for (int w = 0; w < 40; p++)
        w += *p == ' ';
    snprintf(tz, sizeof tz, "%.*s...", (int)(p - full - 1), full);
    const char *north = strstr(full, "northern"), *wage = strstr(full, "wage"),
               *un = strstr(full, "union");
    snprintf(re, sizeof re, "%.*ssouthern%.*spay%.*sguild%s",
             (int)(north - full), full, (int)(wage - north - 8), north + 8,
             (int)(un - wage - 4), wage + 4, longer + (un + 5 - full));
    for (int o = 0; o < 6; o++) {
        if (o > 0)
            empty_store();
        struct wd_dedup *d = open_dedup(0, 0);
        struct wd_story_fp v[3] = {
            fp_of(title, tz, true), fp_of(title, longer, false),
            fp_of("Port Walkout Drags On As Talks Stall", re, false)};
        int news = 0, upgrades = 0;
        bool full_out = false;
        uint8_t first[16];
        for (int k = 0; k < 3; k++) {
            int i = orders[o][k];
            uint32_t rev;
            enum wd_dup r = decide1(d, &v[i], 1000 + k, &rev);
            if (r != WD_DUP_NEW && r != WD_DUP_UPGRADE)
                continue;
            if (news + upgrades == 0)
                memcpy(first, v[i].id, 16);
            CHECK(memcmp(first, v[i].id, 16) == 0);
            news += r == WD_DUP_NEW;
            upgrades += r == WD_DUP_UPGRADE;
            full_out |= i != 0;
        }
        CHECK_INT(news, ==, 1);
        CHECK_INT(upgrades, <=, 1);
        CHECK(full_out);
        wd_dedup_close(d);
    }
}

/* Two stories that open with the same sentence (a daily report, a wire
 * template) and go on differently stay two, in full and as teasers. */
/* Cyrillic text: a Russian story re-posted with edits (another title, a
 * word changed, a sentence cut) is a near copy; another Russian story on
 * the same subject, in the same words of the beat, stays a story of its
 * own. */
static void
test_russian_repost(void)
{
    static const char *const body =
        "Правительство Казахстана утвердило план строительства новых дорог "
        "в южных регионах страны. Работы начнутся весной следующего года и "
        "продлятся три года, сообщили в министерстве транспорта. На проект "
        "выделят средства из республиканского бюджета и кредиты "
        "международных банков. Первые участки трассы откроют для движения "
        "уже через восемнадцать месяцев, а всего построят около тысячи "
        "километров дорог.";
    /* Copy-edited: a figure reworded, the last sentence cut short. */
    static const char *const edited =
        "Правительство Казахстана утвердило план строительства новых дорог "
        "в южных регионах страны. Работы начнутся весной следующего года и "
        "продлятся три года, сообщили в министерстве транспорта. На проект "
        "выделят средства из республиканского бюджета и кредиты "
        "международных банков. Первые участки трассы откроют для движения "
        "уже через полтора года.";
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a =
        fp_of("Казахстан построит новые дороги", body, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp b =
        fp_of("В Казахстане утвердили план строительства дорог", edited, false);
    CHECK_INT(decide1(d, &b, 2000, &rev), ==, WD_DUP_NEAR);
    struct wd_story_fp c = fp_of(
        "Казахстан отремонтирует мосты",
        "Министерство транспорта Казахстана объявило о ремонте старых мостов "
        "в северных регионах страны. Работы начнутся летом и продлятся два "
        "года. Подрядчиков выберут на открытом конкурсе, а деньги выделят "
        "из местных бюджетов. Движение по мостам во время ремонта будет "
        "частично ограничено, предупредили в ведомстве.",
        false);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(wd_dedup_stories(d), ==, 2);
    wd_dedup_close(d);
}

/* Chinese, written without spaces: a copy-edited re-post (a figure and a
 * phrase changed) is a near copy; another story stays new. Its shingles
 * are over characters. */
static void
test_chinese_repost(void)
{
    static const char *const body =
        "新疆维吾尔自治区政府星期一宣布，将在未来三年内投资一百二十亿元"
        "建设新的铁路和公路，连接边境口岸和内地城市。官员表示，项目将于明年"
        "春天开工，预计创造两万个就业岗位，并大幅缩短货物运输时间。当地企业"
        "对这一计划表示欢迎，认为它将促进出口和旅游业的发展。";
    static const char *const edited =
        "新疆维吾尔自治区政府星期一宣布，将在未来三年内投资一百三十亿元"
        "建设新的铁路和公路，连接边境口岸和内地城市。官员表示，项目将于明年"
        "春季开工，预计创造两万个就业岗位，并大幅缩短货物运输时间。当地企业"
        "对这一计划表示欢迎，认为它将促进出口和旅游业的发展。";
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of("新疆投资建设铁路公路", body, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp b = fp_of("新疆宣布交通投资计划", edited, false);
    CHECK_INT(decide1(d, &b, 2000, &rev), ==, WD_DUP_NEAR);
    struct wd_story_fp c = fp_of(
        "上海举办国际电影节",
        "第二十七届上海国际电影节星期六开幕，来自五十多个国家和地区的四百多部"
        "影片将在十天内放映。组委会表示，今年的观众人数有望创下新纪录，许多"
        "年轻导演将首次在国际舞台上展示自己的作品。",
        false);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(wd_dedup_stories(d), ==, 2);
    wd_dedup_close(d);
}

static void
test_same_opening_two_stories(void)
{
    static const char *const opening =
        "The national bank kept its base rate unchanged at the meeting of "
        "its monetary policy committee held in the capital this week, ";
    char a[1024], b[1024], ta[1024];
    snprintf(a, sizeof a, "%s%s", opening,
             "citing slowing inflation in food prices and a stronger "
             "currency. Analysts had expected the decision and said a cut "
             "could follow in the spring if wages stop rising so fast.");
    snprintf(b, sizeof b, "%s%s", opening,
             "while the finance ministry announced a new bond issue for "
             "road building. Farmers protested outside the parliament "
             "against import quotas on grain from neighbouring states.");
    snprintf(ta, sizeof ta, "%s%s", opening, "citing slowing");
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp fa = fp_of("Bank Holds Rate", a, false);
    struct wd_story_fp fb = fp_of("Bond Issue And Grain Protest", b, false);
    CHECK_INT(decide1(d, &fa, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(decide1(d, &fb, 2000, &rev), ==, WD_DUP_NEW);
    /* A teaser that shows only the shared opening cannot be told apart:
     * it is a copy of the first. */
    struct wd_story_fp t = fp_of("Rate Decision", ta, true);
    CHECK_INT(decide1(d, &t, 3000, &rev), !=, WD_DUP_NEW);
    wd_dedup_close(d);
}

/* After a crash: a story last published in the window comes out again
 * (same revision) when its page comes again; before the window, or with
 * the window off, it is a duplicate. */
static void
test_republish_window(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &f, 5000, &rev), ==, WD_DUP_NEW);
    CHECK_OK(wd_dedup_commit(d, 77, 5000));
    CHECK_OK(wd_dedup_begin(d));
    CHECK(wd_dedup_page_seen(d, 77));
    wd_dedup_abort(d);
    wd_dedup_republish(d, 4000, 9000);
    CHECK_OK(wd_dedup_begin(d));
    CHECK(!wd_dedup_page_seen(d, 77));
    CHECK_INT(wd_dedup_decide(d, &f, 9500, &rev), ==, WD_DUP_REPUBLISH);
    CHECK_INT(rev, ==, 1);
    CHECK_OK(wd_dedup_commit(d, 77, 9500));
    /* Once: the same page again is a duplicate. */
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &f, 9550, &rev), ==, WD_DUP_EXACT);
    CHECK_OK(wd_dedup_commit(d, 0, 9550));
    wd_dedup_republish(d, 6000, 9000);
    CHECK_OK(wd_dedup_begin(d));
    CHECK(wd_dedup_page_seen(d, 77));
    CHECK_INT(wd_dedup_decide(d, &f, 9600, &rev), ==, WD_DUP_EXACT);
    CHECK_OK(wd_dedup_commit(d, 0, 9600));
    wd_dedup_close(d);
}

static void
test_batch_abort_and_page(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_OK(wd_dedup_begin(d));
    CHECK(!wd_dedup_page_seen(d, 42));
    CHECK_INT(wd_dedup_decide(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    /* Within the batch the story is already known. */
    CHECK_INT(wd_dedup_decide(d, &f, 1000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_abort(d); /* e.g. the publish failed: nothing remembered */
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_OK(wd_dedup_commit(d, 42, 1000));
    CHECK_OK(wd_dedup_begin(d));
    CHECK(wd_dedup_page_seen(d, 42));
    wd_dedup_abort(d);
    wd_dedup_close(d);
}

/* The strike story remembered, and the store closed (cleanly). */
static void
one_story_closed(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
    wd_store_close(&store);
}

static void
test_persists_across_reopen(void)
{
    one_story_closed();
    reopen_store();
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &f, 2000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
}

static struct wd_story_fp numbered(int i);

/* Everything a key finds is found again after a reopen (LMDB rebuilds its
 * look-ups from the records): a near copy (bands), a teaser of an
 * upgraded story (the teaser's content key), a teaser found by its lead,
 * the page, and the ages (retention after the reopen). */
static void
test_index_after_reopen(void)
{
    struct wd_dedup *d = open_dedup(0, 10000);
    uint32_t rev;
    struct wd_story_fp t = fp_of(title, teaser, true);
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &t, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(decide1(d, &f, 2000, &rev), ==, WD_DUP_UPGRADE);
    struct wd_story_fp o = numbered(3);
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &o, 9000, &rev), ==, WD_DUP_NEW);
    CHECK_OK(wd_dedup_commit(d, 77, 9000));
    wd_dedup_close(d);
    wd_store_close(&store);
    reopen_store();
    d = open_dedup(0, 10000);
    CHECK_OK(wd_dedup_begin(d));
    CHECK(wd_dedup_page_seen(d, 77));
    wd_dedup_abort(d);
    char edited[1024];
    snprintf(edited, sizeof edited, "%s", full);
    memcpy(strstr(edited, "dozens"), "scores", 6);
    struct wd_story_fp c = fp_of("Dock Strike Goes On", edited, false);
    CHECK_INT(decide1(d, &c, 9500, &rev), ==, WD_DUP_NEAR);
    CHECK_INT(decide1(d, &t, 9500, &rev), ==, WD_DUP_EXACT);
    struct wd_story_fp t2 = fp_of("Harbour walkout goes on", teaser, true);
    CHECK(decide1(d, &t2, 9500, &rev) != WD_DUP_NEW);
    /* Past the window of the first two: forgotten; the third stays. */
    struct wd_story_fp n = numbered(4);
    decide1(d, &n, 15000, &rev);
    CHECK_INT(decide1(d, &f, 15001, &rev), ==, WD_DUP_NEW);
    CHECK_INT(decide1(d, &o, 15002, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
}

static struct wd_story_fp
numbered(int i)
{
    /* Distinct texts: each word drawn from the number's digits. */
    static const char *const w[] = {"alpha", "bravo",   "charlie", "delta",
                                    "echo",  "foxtrot", "golf",    "hotel",
                                    "india", "juliet"};
    char body[512], t[64];
    size_t n = 0;
    unsigned x = (unsigned)i * 2654435761u;
    for (int k = 0; k < 40; k++, x = x * 1103515245u + 12345u)
        n += (size_t)snprintf(body + n, sizeof body - n, "%s ",
                              w[(x >> 16) % 10]);
    snprintf(t, sizeof t, "Story number %d", i);
    return fp_of(t, body, false);
}

static void
test_retention_by_count(void)
{
    struct wd_dedup *d = open_dedup(100, 0);
    uint32_t rev;
    for (int i = 0; i < 300; i++) {
        struct wd_story_fp f = numbered(i);
        decide1(d, &f, 1000 + i, &rev);
    }
    CHECK_INT(wd_dedup_stories(d), <=, 100);
    CHECK_INT(wd_dedup_evicted(d), >=, 200);
    /* The newest are remembered, the oldest forgotten. */
    struct wd_story_fp last = numbered(299), first = numbered(0);
    CHECK_INT(decide1(d, &last, 5000, &rev), !=, WD_DUP_NEW);
    CHECK_INT(decide1(d, &first, 5000, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
}

static void
test_retention_by_age(void)
{
    struct wd_dedup *d = open_dedup(0, 10000); /* 10 s */
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(decide1(d, &f, 5000, &rev), ==, WD_DUP_EXACT);
    /* A commit after the window forgets it. */
    struct wd_story_fp other = numbered(7);
    decide1(d, &other, 20000, &rev);
    CHECK_INT(decide1(d, &f, 20001, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
}

/* Two items of one template (a bond issue's words, another issuer and
 * other figures) are two stories; a copy-edit of one is a near copy. */
static const char *const bond_a =
    "Karvona Tessamir has issued a 975 mln euro bond due March 3, 2036, lead "
    "manager Dorlin Bank said. The bond pays an annual coupon of 3.125 "
    "percent and was priced at 99.50 to yield 3.215 percent. Listing is on "
    "the Dorlin stock exchange. Payment date is March 9. Denominations are "
    "1,000 and 100,000 euros. The issue is rated in line with the issuer's "
    "senior unsecured debt.";
static const char *const bond_b =
    "Velromar Helpo has issued a 625 mln euro bond due April 12, 2028, lead "
    "manager Marsaqui Bank said. The bond pays an annual coupon of 4.500 "
    "percent and was priced at 98.10 to yield 4.710 percent. Listing is on "
    "the Marsaqui stock exchange. Payment date is April 20. Denominations "
    "are 1,000 and 100,000 euros. The issue is rated in line with the "
    "issuer's senior unsecured debt.";

static void
test_template_siblings(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of("Karvona issues 975 mln euro bond", bond_a,
                                 false),
                       b = fp_of("Velromar issues 625 mln euro bond", bond_b,
                                 false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    CHECK_INT(decide1(d, &b, 2000, &rev), ==, WD_DUP_NEW);
    /* A re-post of the first under another headline, one word edited. */
    char edited[1024];
    snprintf(edited, sizeof edited, "%s", bond_a);
    memcpy(strstr(edited, "annual"), "yearly", 6);
    struct wd_story_fp c = fp_of("Karvona Tessamir sells bond", edited, false);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEAR);
    wd_dedup_close(d);
}

/* A correction (a figure changed) and an update (a paragraph added) of a
 * story are its next revisions, under its id, with their kind; a copy of
 * the correction is a duplicate. */
static void
test_corrections_are_revisions(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    const char *t = "Karvona issues 975 mln euro bond";
    struct wd_story_fp a = fp_of(t, bond_a, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    char corrected[1024], ct[128];
    snprintf(corrected, sizeof corrected, "%s", bond_a);
    memcpy(strstr(corrected, "3.125"), "3.375", 5);
    snprintf(ct, sizeof ct, "CORRECTED - %s", t);
    struct wd_story_fp c = fp_of(ct, corrected, false);
    c.marker = (uint8_t)wd_dedup_marker(ct, strlen(ct));
    CHECK_INT(c.marker, ==, WD_CHANGE_CORRECTION);
    CHECK_INT(decide1(d, &c, 2000, &rev), ==, WD_DUP_UPGRADE);
    CHECK_INT(rev, ==, 2);
    CHECK_INT(c.change, ==, WD_CHANGE_CORRECTION);
    CHECK(memcmp(c.id, a.id, 16) == 0);
    char updated[1200], ut[128];
    snprintf(updated, sizeof updated,
             "%s The issuer said it would use the proceeds to refinance "
             "debt maturing next year.",
             corrected);
    snprintf(ut, sizeof ut, "UPDATE 1-%s", t);
    struct wd_story_fp u = fp_of(ut, updated, false);
    u.marker = (uint8_t)wd_dedup_marker(ut, strlen(ut));
    CHECK_INT(decide1(d, &u, 3000, &rev), ==, WD_DUP_UPGRADE);
    CHECK_INT(rev, ==, 3);
    CHECK_INT(u.change, ==, WD_CHANGE_UPDATE);
    CHECK(memcmp(u.id, a.id, 16) == 0);
    struct wd_story_fp again = fp_of(ct, corrected, false);
    again.marker = c.marker;
    CHECK_INT(decide1(d, &again, 4000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
}

static void
test_change_markers(void)
{
    static const struct {
        const char *title;
        enum wd_change want;
    } cases[] = {
        {"CORRECTED - COFAB INC BUYS GULFEX", WD_CHANGE_CORRECTION},
        {"CORRECTED-Bond issue by Karvona", WD_CHANGE_CORRECTION},
        {"Correction: Harbour strike ends", WD_CHANGE_CORRECTION},
        {"UPDATE 2-Oil rises on supply worries", WD_CHANGE_UPDATE},
        {"REFILE-Oil rises", WD_CHANGE_UPDATE},
        {"Oil rises on supply worries (Updated)", WD_CHANGE_UPDATE},
        /* Inside: at any parenthesis, not only the first; a correction
         * anywhere first, as the list has it. */
        {"Oil (Brent) rises (Reuters) (UPDATE 3)", WD_CHANGE_UPDATE},
        {"Oil rises (updated) (corrected)", WD_CHANGE_CORRECTION},
        {"Oil rises (in March) (Upd", WD_CHANGE_NONE},
        {"Updates to the tax code pass the senate", WD_CHANGE_NONE},
        {"Corrections officers strike in Ohio", WD_CHANGE_NONE},
        {"Harbour strike enters third week", WD_CHANGE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(wd_dedup_marker(cases[i].title, strlen(cases[i].title)), ==,
                  cases[i].want);
}

/* fp made story number n (1, 2 ...) of its own in every key but those
 * kept: content, id, bands (all but keep_bands), lead windows (all but
 * keep_leads), sketch. */
static void
other_but(struct wd_story_fp *fp, uint8_t n, unsigned keep_bands,
          unsigned keep_leads)
{
    fp->content_key ^= n;
    fp->id[0] ^= n;
    for (int b = 0; b < WD_MH_BANDS; b++)
        if (!(keep_bands >> b & 1))
            fp->bands[b] ^= n;
    for (int i = 0; i < WD_FP_LEADS; i++)
        if (!(keep_leads >> i & 1) && fp->leads[i])
            fp->leads[i] ^= n;
    for (int i = 0; i < WD_FP_SKETCH; i++)
        fp->sketch[i] ^= n;
}

/* The look-ups hold every other band and the first lead windows
 * (dupindex.h); a story one of them finds is compared in full with its
 * record. So two bands shared, one of them held, make a near copy though
 * one look-up alone answers; two held-back bands alone do not (the
 * trade for half the entries). A teaser sharing a held window and one
 * held back (its sketch unlike) is a copy by its lead. */
static void
test_near_by_record(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of(title, full, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp b = a;
    other_but(&b, 1, 1u << 2 | 1u << 3, 0);
    CHECK_INT(decide1(d, &b, 2000, &rev), ==, WD_DUP_NEAR);
    CHECK_INT(b.reason, ==, WD_REASON_BANDS);
    struct wd_story_fp c = a;
    other_but(&c, 2, 1u << 3 | 1u << 5, 0);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp t = a;
    other_but(&t, 3, 0, 1u << 0 | 1u << 6);
    t.teaser = true;
    t.words = 100;
    CHECK_INT(decide1(d, &t, 4000, &rev), ==, WD_DUP_NEAR);
    CHECK_INT(t.reason, ==, WD_REASON_LEAD);
    wd_dedup_close(d);
}

#define DEDUP_CASES(SETUP_RUN)                                                 \
    do {                                                                       \
        SETUP_RUN(test_new_exact_near);                                        \
        SETUP_RUN(test_teaser_then_full);                                      \
        SETUP_RUN(test_full_then_teaser);                                      \
        SETUP_RUN(test_any_order);                                             \
        SETUP_RUN(test_same_opening_two_stories);                              \
        SETUP_RUN(test_russian_repost);                                        \
        SETUP_RUN(test_chinese_repost);                                        \
        SETUP_RUN(test_republish_window);                                      \
        SETUP_RUN(test_batch_abort_and_page);                                  \
        SETUP_RUN(test_persists_across_reopen);                                \
        SETUP_RUN(test_index_after_reopen);                                    \
        SETUP_RUN(test_retention_by_count);                                    \
        SETUP_RUN(test_retention_by_age);                                      \
        SETUP_RUN(test_template_siblings);                                     \
        SETUP_RUN(test_corrections_are_revisions);                             \
        SETUP_RUN(test_change_markers);                                        \
        SETUP_RUN(test_near_by_record);                                        \
    } while (0)

#endif
