/* WD_TEST_LABEL: unit */
/* The clusterer's restore refuses a dump whose checksum holds but whose
 * state does not hang together (a file edited, or damaged past its
 * checksum): each case is made by changing a restored clusterer's state
 * in memory and dumping it again (a dump is not checked), and must come
 * back WD_EPARSE with the clusterer left new. White-box: it includes
 * cluster.c for the state's fields. */
#include "../src/core/cluster.c"

#include "membuf.h"
#include "test.h"

#define T0 1760000000000LL

static void
feed(struct wd_cluster *c, const char *id, const char *title, const char *body,
     int64_t at)
{
    struct wd_cluster_article a = {
        .story_id = id,
        .revision = 1,
        .title = title,
        .tlen = strlen(title),
        .body = body,
        .blen = strlen(body),
        .source = id,
        .at_ms = at,
        .published_ms = at,
    };
    struct wd_cluster_result r;
    wd_cluster_assign(c, &a, &r, NULL);
}

/* A clusterer with a few events, one of them of two articles, one freed
 * (a free list), restored from its own dump. */
static struct wd_cluster *
sample(void)
{
    struct wd_cluster_config cfg = {.max_events = 16, .window_ms = 7200000};
    struct wd_cluster *c;
    CHECK_OK(wd_cluster_new(&c, &cfg));
    feed(c, "a", "Earthquake hits Malatya",
         "A strong earthquake struck "
         "Malatya province early on Tuesday.",
         T0);
    feed(c, "b", "Central bank holds rate",
         "The national bank kept its "
         "base rate unchanged on Friday.",
         T0 + 1000);
    feed(c, "c", "Malatya earthquake toll rises",
         "Rescuers in Malatya "
         "searched the rubble after the earthquake.",
         T0 + 2000);
    feed(c, "x", "Metro line opens in Tashkent",
         "Passengers rode the "
         "first trains of the ring line.",
         T0 + 5400000LL);
    /* Three hours on, the first two events have expired (the window is
     * two hours): a new one takes one of their slots, the other stays
     * free. */
    feed(c, "d", "Museum returns manuscripts",
         "Three manuscripts went "
         "back to the library.",
         T0 + 3 * 3600000LL);
    return c;
}

/* Dumps c, restores the bytes into a new clusterer of the same bounds:
 * the result, and whether that clusterer is new after it. */
static int
round_trip(const struct wd_cluster *c, bool *left_new)
{
    struct membuf m = {0};
    CHECK_OK(wd_cluster_dump(c, membuf_write, &m));
    struct wd_cluster *d;
    CHECK_OK(wd_cluster_new(&d, &c->cfg));
    int rc = wd_cluster_restore(d, m.len, membuf_read, &m);
    *left_new = d->n_used == 0 && d->n_live == 0 && d->docs == 0 &&
                d->lru_head == NONE && d->free_head == NONE;
    wd_cluster_free(d);
    free(m.p);
    return rc;
}

static void
test_refused(void)
{
    struct wd_cluster *c = sample();
    bool fresh;
    CHECK_INT(round_trip(c, &fresh), ==, 0);
    CHECK(c->n_live >= 2 && c->n_used > c->n_live); /* a free list too */
    uint32_t head = c->lru_head, tail = c->lru_tail;
    for (int k = 0; k < 9; k++) {
        struct wd_cluster *d = sample();
        switch (k) {
        case 0: /* a posting bucket's next way out of its 8 */
            d->post_next[123] = POST_WAYS;
            break;
        case 1: /* the LRU list a cycle */
            d->ev[d->lru_tail].next = d->lru_head;
            break;
        case 2: /* every slot dead, no list at all */
            for (size_t i = 0; i < d->n_used; i++)
                d->ev[i].live = false;
            d->n_live = 0;
            d->lru_head = d->lru_tail = d->free_head = NONE;
            break;
        case 3: /* the free list through a live slot */
            d->free_head = head;
            break;
        case 4: /* a theme counted under no theme */
            d->ev[tail].th[0] = 0;
            d->ev[tail].th_n[0] = 1;
            break;
        case 5: /* dated backwards */
            d->ev[tail].pub_first = d->ev[tail].pub_last + 1;
            break;
        case 6: /* more documents than the halving allows */
            d->docs = DF_HALVE;
            break;
        case 7: /* a back-link wrong */
            d->ev[tail].prev = NONE;
            break;
        case 8: /* a story mapped to a slot never used */
            for (size_t i = 0; i <= d->stories_mask; i++)
                if (d->stories[i].h) {
                    d->stories[i].slot = (uint32_t)d->n_used;
                    break;
                }
            break;
        }
        int rc = round_trip(d, &fresh);
        if (rc != WD_EPARSE || !fresh)
            fprintf(stderr, "case %d: rc %d, left new %d\n", k, rc, fresh);
        CHECK_INT(rc, ==, WD_EPARSE);
        CHECK(fresh);
        wd_cluster_free(d);
    }
    wd_cluster_free(c);
}

int
main(void)
{
    RUN(test_refused);
    return TEST_DONE();
}
