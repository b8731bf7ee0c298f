/* Dedup precision on formulaic news: items of one template that share most
 * of their words and differ in their facts (bond issues of other issuers,
 * money-market notices with other figures, quarterly earnings of other
 * companies, sports results, weather, exchange rates), many a day, through
 * the real pipeline on a real LMDB store. Every item is a story of its own
 * and must be published (0 false merges). Some items are later re-issued
 * as corrections ("CORRECTED - ...", one figure changed) or updates
 * ("UPDATE 1-...", a paragraph added): each must come out as the next
 * revision of its story, under its id, with the right change kind. An
 * exact re-fetch of a page is dropped. Then short teasers (300-600
 * characters, cut with "...", three to a listing page) of other stories of
 * the same templates, and later their full texts: each full text must be
 * published as its teaser's upgrade.
 *
 *   formulaic_eval [ITEMS] [SEED]     (default 3000 items, seed 1)
 *
 * Exits 1 on any false merge, any correction or update not published as a
 * revision, or any re-fetch published. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wd/pipeline.h"
#include "wd/store.h"
#include "rawframe.h"

static uint64_t rng;

static unsigned
rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A name made of syllables: "Karvona", "Tessamir" (invented, distinct). */
static void
name(char *out, size_t cap)
{
    static const char *const syl[] = {"ka",  "ro", "vel", "mar", "ten", "sa",
                                      "dor", "li", "nov", "ber", "tas", "qui",
                                      "len", "po", "zar", "mi",  "hel", "gan"};
    size_t k = 0;
    int n = 2 + (int)rnd(2);
    for (int i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s", syl[rnd(18)]);
    out[0] = (char)(out[0] - 32);
}

struct item {
    char title[256];
    char body[2048];
    char id[40];
    int published; /* revision 1 seen */
};

static void
make(int kind, struct item *it)
{
    char a[32], b[32], c[32];
    name(a, sizeof a);
    name(b, sizeof b);
    name(c, sizeof c);
    static const char *const months[] = {"March", "April", "May", "June"};
    const char *mon = months[rnd(4)];
    int day = 1 + (int)rnd(28);
    switch (kind) {
    case 0: /* a bond issue */
        snprintf(it->title, sizeof it->title,
                 "%s %s issues %d mln euro bond due %d", a, b,
                 50 + 25 * (int)rnd(40), 2027 + (int)rnd(10));
        snprintf(it->body, sizeof it->body,
                 "%s %s has issued a %d mln euro bond due %s %d, %d, lead "
                 "manager %s Bank said. The bond pays an annual coupon of "
                 "%d.%03d percent and was priced at %d.%02d to yield %d.%03d "
                 "percent. Listing is on the %s stock exchange. Payment date "
                 "is %s %d. Denominations are 1,000 and 100,000 euros. The "
                 "issue is rated by the agencies in line with the issuer's "
                 "senior unsecured debt.",
                 a, b, 50 + 25 * (int)rnd(40), mon, day, 2027 + (int)rnd(10), c,
                 1 + (int)rnd(6), (int)rnd(1000), 98 + (int)rnd(3),
                 (int)rnd(100), 1 + (int)rnd(6), (int)rnd(1000), c, mon,
                 1 + (int)rnd(28));
        break;
    case 1: /* a money-market notice */
        snprintf(it->title, sizeof it->title,
                 "%s central bank sets repo rate at %d.%02d pct", a,
                 2 + (int)rnd(8), (int)rnd(100));
        snprintf(it->body, sizeof it->body,
                 "The central bank of %s said on %s %d it had allotted %d mln "
                 "in its weekly repo tender at a marginal rate of %d.%02d "
                 "percent, against bids of %d mln. The average rate was "
                 "%d.%02d percent. The tender settles on %s %d and matures "
                 "in %d days. Banks' reserves at the bank stood at %d mln at "
                 "the end of the previous day, the bank said in a statement.",
                 a, mon, day, 100 + (int)rnd(5000), 2 + (int)rnd(8),
                 (int)rnd(100), 200 + (int)rnd(9000), 2 + (int)rnd(8),
                 (int)rnd(100), mon, 1 + (int)rnd(28), 7 + 7 * (int)rnd(4),
                 1000 + (int)rnd(90000));
        break;
    case 2: /* quarterly earnings */
        snprintf(it->title, sizeof it->title, "%s %s reports %s quarter profit",
                 a, b, rnd(2) ? "first" : "second");
        snprintf(it->body, sizeof it->body,
                 "%s %s said net profit for the quarter rose to %d.%d mln "
                 "dlrs, or %d cts a share, from %d.%d mln dlrs, or %d cts, a "
                 "year earlier. Revenue was %d.%d mln dlrs against %d.%d mln. "
                 "Chief executive %s %s said demand held up in its main "
                 "markets. Shr %d cts vs %d cts. Net %d.%d mln vs %d.%d mln. "
                 "Revs %d.%d mln vs %d.%d mln.",
                 a, b, 1 + (int)rnd(90), (int)rnd(10), 5 + (int)rnd(90),
                 1 + (int)rnd(90), (int)rnd(10), 5 + (int)rnd(90),
                 10 + (int)rnd(900), (int)rnd(10), 10 + (int)rnd(900),
                 (int)rnd(10), c, a, 5 + (int)rnd(90), 5 + (int)rnd(90),
                 1 + (int)rnd(90), (int)rnd(10), 1 + (int)rnd(90), (int)rnd(10),
                 10 + (int)rnd(900), (int)rnd(10), 10 + (int)rnd(900),
                 (int)rnd(10));
        break;
    case 3: /* a football result */
        snprintf(it->title, sizeof it->title,
                 "%s beat %s %d-%d in league match", a, b, 1 + (int)rnd(5),
                 (int)rnd(2));
        snprintf(it->body, sizeof it->body,
                 "%s beat %s %d-%d at home on %s %d to move to %d points "
                 "from %d games. %s scored in the %dth minute and %s added "
                 "the second after %d minutes. The attendance was %d. %s "
                 "stay %dth in the table with %d points.",
                 a, b, 1 + (int)rnd(5), (int)rnd(2), mon, day,
                 10 + (int)rnd(60), 10 + (int)rnd(25), c, 2 + (int)rnd(40), a,
                 45 + (int)rnd(45), 5000 + (int)rnd(60000), b, 1 + (int)rnd(20),
                 (int)rnd(60));
        break;
    case 4: /* weather */
        snprintf(it->title, sizeof it->title, "Weather in %s: %d degrees, %s",
                 a, (int)rnd(40) - 5, rnd(2) ? "rain" : "sunny");
        snprintf(it->body, sizeof it->body,
                 "Forecasters expect temperatures in %s of %d to %d degrees "
                 "Celsius on %s %d, with winds from the %s at %d km an hour "
                 "and a %d percent chance of rain. Humidity will reach %d "
                 "percent. On %s %d the high in %s is expected at %d degrees "
                 "and the low at %d degrees, the weather service said.",
                 a, (int)rnd(20), 20 + (int)rnd(20), mon, day,
                 rnd(2) ? "north" : "south", 5 + (int)rnd(60), (int)rnd(100),
                 20 + (int)rnd(80), mon, 1 + (int)rnd(28), b, (int)rnd(40),
                 (int)rnd(20) - 5);
        break;
    default: /* exchange rates */
        snprintf(it->title, sizeof it->title,
                 "%s central bank sets %s rate at %d.%04d per dollar", a, b,
                 1 + (int)rnd(500), (int)rnd(10000));
        snprintf(it->body, sizeof it->body,
                 "The central bank of %s set the official rate of the %s at "
                 "%d.%04d per U.S. dollar for %s %d, against %d.%04d the "
                 "previous day. The euro was set at %d.%04d and the yuan at "
                 "%d.%04d. Trading volume on the interbank market was %d mln "
                 "dollars, the bank said on its website.",
                 a, b, 1 + (int)rnd(500), (int)rnd(10000), mon, day,
                 1 + (int)rnd(500), (int)rnd(10000), 1 + (int)rnd(500),
                 (int)rnd(10000), 1 + (int)rnd(90), (int)rnd(10000),
                 10 + (int)rnd(900));
        break;
    }
}

struct got {
    int n;
    char id[8][40], title[8][256], change[8][16];
    unsigned revision[8];
};

static int
collect(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    struct got *g = ctx;
    if (strcmp(channel, "all") != 0 || g->n >= 8)
        return 0;
    Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(NULL, len, buf);
    if (!a)
        return 0;
    snprintf(g->id[g->n], 40, "%s", a->id);
    snprintf(g->title[g->n], 256, "%s", a->title);
    snprintf(g->change[g->n], 16, "%s", a->change);
    g->revision[g->n] = a->revision;
    g->n++;
    wiredesk__v1__article__free_unpacked(a, NULL);
    return 0;
}

static void
feed(struct wd_pipeline *p, int n, const char *title, const char *body,
     int64_t now, struct got *g)
{
    char url[64], text[4096];
    snprintf(url, sizeof url, "https://wire.example/item/%d", n);
    int len = snprintf(text, sizeof text, "%s\n\n%s\n", title, body);
    struct wd_page_outcome o;
    g->n = 0;
    bench_feed(p, url, NULL, text, (size_t)len, now, "wire", collect, g, &o);
}

/* Changes the first figure of s that is followed by " mln" or "." (a
 * corrected amount or rate). */
static void
correct_figure(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= '1' && *p <= '8' && (p == s || p[-1] == ' ')) {
            (*p)++;
            return;
        }
}

int
main(int argc, char **argv)
{
    int n_items = argc > 1 ? atoi(argv[1]) : 3000;
    rng = argc > 2 ? strtoull(argv[2], NULL, 10) * 2654435761u + 7 : 7;
    char dir[] = "/tmp/wd-formulaic-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    struct wd_store store;
    if (wd_store_open_lmdb(&store, dir, 4096) != 0)
        return 2;
    struct wd_stats stats = {0};
    struct wd_pipeline_config cfg = {.max_page_bytes = 8 << 20,
                                     .store = &store,
                                     .dedup = {0, 0, WD_NEAR_MINHASH}};
    struct wd_pipeline *p;
    if (wd_pipeline_new(&p, &cfg, &stats) != 0)
        return 2;
    struct item *items = calloc((size_t)n_items, sizeof *items);
    static struct got g;
    int64_t now = 1764000000000LL;
    long published = 0, merged = 0, corrections = 0, corrections_ok = 0,
         updates = 0, updates_ok = 0, refetches = 0, refetch_published = 0;
    int page = 0;
    for (int i = 0; i < n_items; i++) {
        make(i % 6, &items[i]);
        now += 1000;
        feed(p, page++, items[i].title, items[i].body, now, &g);
        if (g.n == 1 && g.revision[0] == 1) {
            published++;
            snprintf(items[i].id, sizeof items[i].id, "%s", g.id[0]);
        } else {
            merged++;
            if (merged <= 5)
                fprintf(stderr, "merged: %s\n", items[i].title);
        }
        /* Every 10th item, ten items later: a correction or an update of
         * it; every 25th, an exact re-fetch of its page. */
        int j = i - 10;
        if (j >= 0 && j % 10 == 0 && items[j].id[0]) {
            bool corr = (j / 10) % 2 == 0;
            char title[300], body[2300];
            if (corr) {
                snprintf(title, sizeof title, "CORRECTED - %s", items[j].title);
                snprintf(body, sizeof body, "%s", items[j].body);
                correct_figure(body);
                corrections++;
            } else {
                snprintf(title, sizeof title, "UPDATE 1-%s", items[j].title);
                snprintf(body, sizeof body,
                         "%s Officials gave no further details when asked "
                         "on the telephone later in the day.",
                         items[j].body);
                updates++;
            }
            now += 1000;
            feed(p, page++, title, body, now, &g);
            bool ok = g.n == 1 && g.revision[0] >= 2 &&
                      strcmp(g.id[0], items[j].id) == 0 &&
                      strcmp(g.change[0], corr ? "correction" : "update") == 0;
            if (corr)
                corrections_ok += ok;
            else
                updates_ok += ok;
            if (!ok &&
                (corrections - corrections_ok) + (updates - updates_ok) <= 5)
                fprintf(stderr, "not a revision: %s (%d out, rev %u, %s)\n",
                        title, g.n, g.n ? g.revision[0] : 0,
                        g.n ? g.change[0] : "");
        }
        if (i % 25 == 0) {
            refetches++;
            now += 1000;
            feed(p, page++, items[i].title, items[i].body, now, &g);
            refetch_published += g.n;
        }
    }
    /* Short teasers, then their full texts. */
    long teasers = 0, teasers_out = 0, upgraded = 0;
    int n_teased = n_items / 3;
    struct item *full = calloc((size_t)n_teased, sizeof *full);
    for (int i = 0; i + 3 <= n_teased; i += 3) {
        char listing[8192];
        size_t k = 0;
        for (int j = i; j < i + 3; j++) {
            make(j % 6, &full[j]);
            size_t cut = 300 + rnd(300);
            size_t bl = strlen(full[j].body);
            if (cut > bl - 20)
                cut = bl - 20;
            while (cut > 0 && full[j].body[cut] != ' ')
                cut--;
            k += (size_t)snprintf(listing + k, sizeof listing - k,
                                  "%s\n\n%.*s...\n\n", full[j].title, (int)cut,
                                  full[j].body);
        }
        char url[64];
        snprintf(url, sizeof url, "https://wire.example/list/%d", i);
        now += 1000;
        struct wd_page_outcome o;
        g.n = 0;
        bench_feed(p, url, NULL, listing, k, now, "wire", collect, &g, &o);
        teasers += 3;
        teasers_out += g.n;
        char ids[3][40] = {"", "", ""};
        for (int q = 0; q < g.n && q < 3; q++)
            snprintf(ids[q], 40, "%s", g.id[q]);
        for (int j = i; j < i + 3; j++) {
            now += 1000;
            feed(p, page++, full[j].title, full[j].body, now, &g);
            bool up = g.n == 1 && g.revision[0] == 2 &&
                      strcmp(g.change[0], "upgrade") == 0 &&
                      strcmp(g.id[0], ids[j - i]) == 0;
            upgraded += up;
            if (!up && teasers - upgraded <= 3)
                fprintf(stderr, "no upgrade: %s (%d out, rev %u)\n",
                        full[j].title, g.n, g.n ? g.revision[0] : 0);
        }
    }
    free(full);
    printf("formulaic stream: %d items of 6 templates, %d pages\n", n_items,
           page);
    printf("  published as new stories: %ld, false merges: %ld\n", published,
           merged);
    printf("  corrections as revisions: %ld of %ld; updates as revisions: "
           "%ld of %ld\n",
           corrections_ok, corrections, updates_ok, updates);
    printf("  exact re-fetches published again: %ld of %ld\n",
           refetch_published, refetches);
    printf("  short teasers (300-600 characters): %ld published of %ld; "
           "full texts as their upgrades: %ld (%.2f %%)\n",
           teasers_out, teasers, upgraded,
           teasers ? 100.0 * (double)upgraded / (double)teasers : 0);
    printf("  decisions by kind: new %llu upgrade %llu correction %llu "
           "update %llu exact %llu near %llu page %llu\n",
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_NEW],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_UPGRADE],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_CORRECTION],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_UPDATE],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_EXACT],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_NEAR],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_PAGE]);
    wd_pipeline_free(p);
    wd_store_close(&store);
    free(items);
    bench_remove_dir(dir);
    bool ok = merged == 0 && corrections_ok == corrections &&
              updates_ok == updates && refetch_published == 0 &&
              teasers_out == teasers && 1000 * upgraded >= 995 * teasers;
    printf("%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
