/* WD_TEST_LABEL: unit */
/* Sequence numbers, the per-channel history and its bounds, the request
 * parser, and the subscriber's gap tracker. */
#include "test.h"
#include "wd/channel.h"
#include "wd/snapshot.h"

struct got {
    uint64_t seq[16];
    char text[16][16];
    size_t n;
};

static void
collect(void *ctx, const struct wd_snapshot_item *it)
{
    struct got *g = ctx;
    if (g->n < 16) {
        g->seq[g->n] = it->seq;
        snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)it->len,
                 (const char *)it->data);
        g->n++;
    }
}

static void
record(struct wd_snapshot_store *s, const char *channel, int i)
{
    char buf[16];
    int n = snprintf(buf, sizeof buf, "m%d", i);
    wd_snapshot_record(s, channel, buf, (size_t)n);
}

static void
test_sequence_numbers_per_channel(void)
{
    struct wd_snapshot_store *s;
    CHECK_OK(wd_snapshot_new(&s, 0, 0));
    CHECK_INT(wd_snapshot_seq(s, "all"), ==, 0);
    CHECK_INT(wd_snapshot_record(s, "all", "a", 1), ==, 1);
    CHECK_INT(wd_snapshot_record(s, "country.KZ", "a", 1), ==, 1);
    CHECK_INT(wd_snapshot_record(s, "all", "b", 1), ==, 2);
    CHECK_INT(wd_snapshot_record(s, "$stats", "x", 1), ==, 1);
    CHECK_INT(wd_snapshot_record(s, "all", "c", 1), ==, 3);
    CHECK_INT(wd_snapshot_seq(s, "all"), ==, 3);
    CHECK_INT(wd_snapshot_seq(s, "country.KZ"), ==, 1);
    /* Depth 0: numbered, nothing kept. */
    struct got g = {.n = 0};
    CHECK_INT(wd_snapshot_last(s, "all", 10, collect, &g), ==, 0);
    size_t ch, items, bytes;
    wd_snapshot_usage(s, &ch, &items, &bytes);
    CHECK_INT(ch, ==, 3);
    CHECK_INT(items, ==, 0);
    /* A name too long for a channel is not numbered. */
    char longname[WD_CHANNEL_MAX + 1];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_INT(wd_snapshot_record(s, longname, "a", 1), ==, 0);
    CHECK_INT(wd_snapshot_record(s, "", "a", 1), ==, 0);
    wd_snapshot_free(s);
}

static void
test_channel_table_bound(void)
{
    struct wd_snapshot_store *s;
    CHECK_OK(wd_snapshot_new(&s, 2, 1 << 20));
    char name[32];
    for (int i = 0; i < WD_SNAPSHOT_MAX_CHANNELS; i++) {
        snprintf(name, sizeof name, "theme.t%d", i);
        CHECK_INT(wd_snapshot_record(s, name, "x", 1), ==, 1);
    }
    /* One more channel: not numbered; the known ones go on. */
    CHECK_INT(wd_snapshot_record(s, "theme.extra", "x", 1), ==, 0);
    CHECK_INT(wd_snapshot_record(s, "theme.t7", "y", 1), ==, 2);
    size_t ch, items, bytes;
    wd_snapshot_usage(s, &ch, &items, &bytes);
    CHECK_INT(ch, ==, WD_SNAPSHOT_MAX_CHANNELS);
    CHECK_INT(items, ==, WD_SNAPSHOT_MAX_CHANNELS + 1);
    wd_snapshot_free(s);
}

static void
test_ring_keeps_the_last_depth(void)
{
    struct wd_snapshot_store *s;
    CHECK(wd_snapshot_new(&s, WD_SNAPSHOT_MAX_DEPTH + 1, 1) == WD_EINVAL);
    CHECK_OK(wd_snapshot_new(&s, 4, 1 << 20));
    for (int i = 1; i <= 10; i++)
        record(s, "all", i);
    record(s, "country.KZ", 99);
    struct got g = {.n = 0};
    CHECK_INT(wd_snapshot_last(s, "all", 100, collect, &g), ==, 4);
    CHECK_INT(g.seq[0], ==, 7);
    CHECK_INT(g.seq[3], ==, 10);
    CHECK_STR(g.text[0], "m7");
    CHECK_STR(g.text[3], "m10");
    g.n = 0;
    CHECK_INT(wd_snapshot_last(s, "all", 2, collect, &g), ==, 2);
    CHECK_INT(g.seq[0], ==, 9); /* the last two, oldest first */
    CHECK_INT(g.seq[1], ==, 10);
    g.n = 0;
    CHECK_INT(wd_snapshot_last(s, "all", 0, collect, &g), ==, 0);
    CHECK_INT(wd_snapshot_last(s, "theme.none", 5, collect, &g), ==, 0);
    size_t ch, items, bytes;
    wd_snapshot_usage(s, &ch, &items, &bytes);
    CHECK_INT(items, ==, 5);
    CHECK_INT(bytes, ==, 2 + 2 + 2 + 3 + 3); /* "m7".."m10", "m99" */
    wd_snapshot_free(s);
}

static void
test_bytes_bound_drops_the_oldest_of_all(void)
{
    struct wd_snapshot_store *s;
    CHECK_OK(wd_snapshot_new(&s, 100, 10)); /* ten bytes in all */
    record(s, "a.x", 1);                    /* "m1": 2 bytes, oldest */
    record(s, "b.x", 2);                    /* 2 */
    record(s, "a.x", 3);                    /* 2 */
    record(s, "b.x", 4);                    /* 2 */
    record(s, "a.x", 5);                    /* 2: 10 bytes */
    record(s, "b.x", 60);                   /* 3: m1 goes, then m2 */
    size_t ch, items, bytes;
    wd_snapshot_usage(s, &ch, &items, &bytes);
    CHECK_INT(bytes, <=, 10);
    CHECK_INT(items, ==, 4);
    struct got g = {.n = 0};
    CHECK_INT(wd_snapshot_last(s, "a.x", 10, collect, &g), ==, 2);
    CHECK_STR(g.text[0], "m3");
    g.n = 0;
    CHECK_INT(wd_snapshot_last(s, "b.x", 10, collect, &g), ==, 2);
    CHECK_STR(g.text[0], "m4");
    CHECK_INT(g.seq[1], ==, 3);
    /* Larger than the bound: numbered, not kept. */
    CHECK_INT(wd_snapshot_record(s, "a.x", "0123456789ab", 12), ==, 4);
    wd_snapshot_usage(s, &ch, &items, &bytes);
    CHECK_INT(items, ==, 4);
    wd_snapshot_free(s);
}

static void
test_u64_frames(void)
{
    uint8_t b[8];
    wd_snapshot_put_u64(b, 0x0102030405060708ULL);
    CHECK_INT(b[0], ==, 1);
    CHECK_INT(b[7], ==, 8);
    uint64_t v = 0;
    CHECK(wd_snapshot_get_u64(b, 8, &v));
    CHECK(v == 0x0102030405060708ULL);
    CHECK(!wd_snapshot_get_u64(b, 7, &v));
    CHECK(!wd_snapshot_get_u64(b, 0, &v));
}

static void
test_parse_request(void)
{
    uint8_t n8[8];
    wd_snapshot_put_u64(n8, 25);
    struct wd_snapshot_frame f[4] = {
        {"SNAPSHOT", 8}, {"country.KZ", 10}, {n8, 8}, {"x", 1}};
    char ch[WD_CHANNEL_MAX];
    uint64_t n = 0;
    CHECK(wd_snapshot_parse_request(f, 3, ch, &n) == NULL);
    CHECK_STR(ch, "country.KZ");
    CHECK_INT(n, ==, 25);
    CHECK(wd_snapshot_parse_request(f, 2, ch, &n) != NULL);
    CHECK(wd_snapshot_parse_request(f, 4, ch, &n) != NULL);
    struct wd_snapshot_frame bad_cmd[3] = {
        {"SNAPSHOX", 8}, {"all", 3}, {n8, 8}};
    CHECK(wd_snapshot_parse_request(bad_cmd, 3, ch, &n) != NULL);
    struct wd_snapshot_frame bad_n[3] = {{"SNAPSHOT", 8}, {"all", 3}, {n8, 4}};
    CHECK(wd_snapshot_parse_request(bad_n, 3, ch, &n) != NULL);
    struct wd_snapshot_frame empty[3] = {{"SNAPSHOT", 8}, {"", 0}, {n8, 8}};
    CHECK(wd_snapshot_parse_request(empty, 3, ch, &n) != NULL);
    struct wd_snapshot_frame nul[3] = {{"SNAPSHOT", 8}, {"a\0b", 3}, {n8, 8}};
    CHECK(wd_snapshot_parse_request(nul, 3, ch, &n) != NULL);
    char big[WD_CHANNEL_MAX];
    memset(big, 'a', sizeof big);
    struct wd_snapshot_frame lng[3] = {
        {"SNAPSHOT", 8}, {big, sizeof big}, {n8, 8}};
    CHECK(wd_snapshot_parse_request(lng, 3, ch, &n) != NULL);
}

static void
test_tracker_gaps_repeats_and_restarts(void)
{
    struct wd_snapshot_track *t;
    CHECK_OK(wd_snapshot_track_new(&t));
    uint64_t last = 99;
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 40, &last), ==, WD_SEQ_FIRST);
    CHECK_INT(last, ==, 0);
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 41, &last), ==, WD_SEQ_NEXT);
    CHECK_INT(last, ==, 40);
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 53, &last), ==, WD_SEQ_GAP);
    CHECK_INT(last, ==, 41); /* 11 missed: 42..52 */
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 53, &last), ==, WD_SEQ_OLD);
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 50, &last), ==, WD_SEQ_OLD);
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 54, NULL), ==, WD_SEQ_NEXT);
    /* Channels are separate streams. */
    CHECK_INT(wd_snapshot_track_see(t, "country.KZ", 7, 3, NULL), ==,
              WD_SEQ_FIRST);
    CHECK_INT(wd_snapshot_track_see(t, "country.KZ", 7, 4, NULL), ==,
              WD_SEQ_NEXT);
    /* A restart (another epoch) is not a gap, nor a repeat. */
    CHECK_INT(wd_snapshot_track_see(t, "all", 8, 1, &last), ==,
              WD_SEQ_NEW_EPOCH);
    CHECK_INT(wd_snapshot_track_see(t, "all", 8, 2, NULL), ==, WD_SEQ_NEXT);
    /* Two workers through a proxy: each stream keeps its own count. */
    CHECK_INT(wd_snapshot_track_see(t, "all", 7, 55, NULL), ==, WD_SEQ_NEXT);
    CHECK_INT(wd_snapshot_track_see(t, "all", 8, 3, NULL), ==, WD_SEQ_NEXT);
    /* No sequence number: an older worker's message. */
    CHECK_INT(wd_snapshot_track_see(t, "all", 0, 0, NULL), ==,
              WD_SEQ_UNTRACKED);
    /* After a snapshot that ended at 20: up to 20 is old, 21 next. */
    wd_snapshot_track_set(t, "theme.energy", 7, 20);
    CHECK_INT(wd_snapshot_track_see(t, "theme.energy", 7, 19, NULL), ==,
              WD_SEQ_OLD);
    CHECK_INT(wd_snapshot_track_see(t, "theme.energy", 7, 20, NULL), ==,
              WD_SEQ_OLD);
    CHECK_INT(wd_snapshot_track_see(t, "theme.energy", 7, 21, NULL), ==,
              WD_SEQ_NEXT);
    /* A snapshot of a channel with nothing yet: the first is next. */
    wd_snapshot_track_set(t, "theme.sport", 7, 0);
    CHECK_INT(wd_snapshot_track_see(t, "theme.sport", 7, 1, NULL), ==,
              WD_SEQ_NEXT);
    wd_snapshot_track_free(t);
}

int
main(void)
{
    RUN(test_sequence_numbers_per_channel);
    RUN(test_channel_table_bound);
    RUN(test_ring_keeps_the_last_depth);
    RUN(test_bytes_bound_drops_the_oldest_of_all);
    RUN(test_u64_frames);
    RUN(test_parse_request);
    RUN(test_tracker_gaps_repeats_and_restarts);
    return TEST_DONE();
}
