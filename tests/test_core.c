/* WD_TEST_LABEL: unit */
/* The small pure modules: text keys, fingerprints, channel names, the
 * arena. */
#include "test.h"
#include "textref.h"

#include <stdalign.h>
#include <stddef.h>
#include <unictype.h>
#include <xxhash.h>

#include "wd/arena.h"
#include "wd/channel.h"
#include "wd/fingerprint.h"
#include "wd/stats.h"
#include "wd/text.h"

static void
test_text_key(void)
{
    char a[128], b[128];
    const char *curly = "Kazakhstan’s  “Peace” Plan!";
    wd_text_key(curly, strlen(curly), a, sizeof a);
    wd_text_key("kazakhstan's peace plan", 23, b, sizeof b);
    CHECK_STR(a, "kazakhstans peace plan");
    CHECK_STR(b, a);
    /* Case folding beyond ASCII. */
    wd_text_key("TÜRKIYE Ärger", strlen("TÜRKIYE Ärger"), a, sizeof a);
    CHECK_STR(a, "türkiye ärger");
    /* A key that does not fit is cut on a word boundary. */
    size_t n = wd_text_key("alpha beta gamma", 16, a, 9);
    CHECK_STR(a, "alpha");
    CHECK_INT(n, ==, 5);
    CHECK_INT(wd_text_key("...", 3, a, sizeof a), ==, 0);
    /* ASCII (apostrophes aside) beside other scripts, cut at several
     * sizes: the same key, cut the same way, whichever loop wrote it. */
    const char *mixed =
        "Don't STOP\xe2\x80\x94the 2,000 Caf\xc3\xa9\xe2\x80\x99s "
        "x'y \xe4\xb8\xad\xe6\x96\x87 end...  Z";
    static const struct {
        size_t cap;
        const char *key;
    } cuts[] = {
        {1, ""},
        {8, "dont"},
        {15, "dont stop the"},
        {22, "dont stop the 2 000"},
        {29, "dont stop the 2 000 caf\xc3\xa9s"},
        {36, "dont stop the 2 000 caf\xc3\xa9s xy \xe4\xb8\xad"},
        {43,
         "dont stop the 2 000 caf\xc3\xa9s xy \xe4\xb8\xad \xe6\x96\x87 end"},
        {50,
         "dont stop the 2 000 caf\xc3\xa9s xy \xe4\xb8\xad \xe6\x96\x87 end z"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        n = wd_text_key(mixed, strlen(mixed), a, cuts[i].cap);
        CHECK_STR(a, cuts[i].key);
        CHECK_INT(n, ==, strlen(cuts[i].key));
    }
}

/* The key of long ASCII text, which the worker may write 64 bytes at a
 * time: the same as a plain reference (letters and digits lower-cased,
 * every other run one space), at every alignment, and the same after a
 * word that the byte-wise loop writes. */
static void
test_text_key_long(void)
{
    static const char alphabet[] = "abcXYZ019 .,;-\n\t()QRSmnop";
    char text[3000], ref[3000], key[6100], ek[6100];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof text; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
    for (size_t off = 0; off < 70; off++) {
        const char *t = text + off;
        size_t n = sizeof text - off, r = 0;
        bool in = false;
        for (size_t i = 0; i < n; i++) {
            char k = wd_ascii_key_char((unsigned char)t[i]);
            if (k && !in && r > 0)
                ref[r++] = ' ';
            if (k)
                ref[r++] = k;
            in = k != 0;
        }
        ref[r] = 0;
        CHECK_INT(wd_text_key(t, n, key, sizeof key), ==, r);
        CHECK_STR(key, ref);
        /* After "é ", which the byte-wise loop writes. */
        char with[3010];
        memcpy(with, "\xc3\xa9 ", 3);
        memcpy(with + 3, t, n);
        wd_text_key(with, n + 3, ek, sizeof ek);
        CHECK(strncmp(ek, "\xc3\xa9 ", 3) == 0);
        CHECK_STR(ek + 3, ref);
    }
}

static void
test_utf8_valid(void)
{
    CHECK(wd_utf8_valid("plain", 5));
    CHECK(wd_utf8_valid("Türkiye – “ok”", strlen("Türkiye – “ok”")));
    CHECK(!wd_utf8_valid("\xff", 1));
    CHECK(!wd_utf8_valid("\xe2\x80", 2)); /* cut sequence */
    CHECK(!wd_utf8_valid("\xc0\xaf", 2)); /* overlong */
}

/* The character classes answer as libunistring does for every code
 * point (the ASCII and punctuation short cuts included). */
static void
test_char_classes(void)
{
    long bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++)
        bad += wd_cp_is_alpha(cp) != uc_is_alpha(cp) ||
               wd_cp_is_alnum(cp) != uc_is_alnum(cp);
    CHECK_INT(bad, ==, 0);
    CHECK(!wd_cp_is_alpha(0x2022) && wd_cp_is_alpha(0x2071));
}

static void
test_story_id_stable(void)
{
    char id1[WD_ID_LEN + 1], id2[WD_ID_LEN + 1], id3[WD_ID_LEN + 1];
    const char *t = "Port Strike Enters Third Week";
    const char *teaser = "Dock workers in the northern harbour extended their "
                         "walkout on Monday after negotiators failed";
    const char *full = "Dock workers in the northern harbour extended their "
                       "walkout on Monday after negotiators failed to agree "
                       "on a new wage deal. More paragraphs follow here.";
    wd_fp_story_id(t, strlen(t), teaser, strlen(teaser), id1);
    wd_fp_story_id(t, strlen(t), full, strlen(full), id2);
    CHECK_STR(id1, id2); /* teaser and full text share the id */
    CHECK_INT(strlen(id1), ==, WD_ID_LEN);
    /* Known value: ids never change across versions and machines. */
    CHECK_STR(id1, "0489f4d2948564481815f4adab751d2a");
    /* Known bands: they are stored, and whichever code computes the
     * permutations (AVX-512 or the portable loop) must give these. */
    uint64_t bands[WD_MH_BANDS];
    static const uint64_t want[WD_MH_BANDS] = {
        0x33b5dcc10eeb098fULL, 0xc41566b30a093a7dULL, 0x7942b674fcdc542aULL,
        0x04c0fe6801ba88c4ULL, 0xcde3d13fa8f73039ULL, 0x083c76dc0f706685ULL,
        0xeea8905f645eaf5bULL, 0xe4713108ded0d34aULL, 0x1ed4fbcf48f59aadULL,
        0xe312cb554b3c254aULL, 0xf874b668bd8517c5ULL, 0x22953f52be9be8a3ULL,
        0x2388967012c065c1ULL, 0xb2fb47fb107eaeecULL, 0x92637eb2f06433a5ULL,
        0x2d4fcf6259c6511fULL};
    CHECK_INT(wd_fp_minhash_bands(full, strlen(full), bands), ==, 23);
    for (int b = 0; b < WD_MH_BANDS; b++)
        CHECK_INT(bands[b], ==, want[b]);
    const char *t2 = "Port Strike Ends";
    wd_fp_story_id(t2, strlen(t2), full, strlen(full), id3);
    CHECK(strcmp(id1, id3) != 0);
}

static void
test_content_key(void)
{
    const char *b1 = "Some “body” text.", *b2 = "Some \"body\"   text";
    uint64_t a = wd_fp_content_key("A Title", 7, b1, strlen(b1));
    uint64_t b = wd_fp_content_key("a title", 7, b2, strlen(b2));
    uint64_t c = wd_fp_content_key("a title", 7, "Some other text", 15);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a != 0);
}

static void
test_url_key(void)
{
    const char *a = "https://x.example/story/101",
               *b = "https://x.example/story-101";
    CHECK(wd_fp_url_key(a, strlen(a)) != wd_fp_url_key(b, strlen(b)));
    CHECK(wd_fp_url_key(a, strlen(a)) == wd_fp_url_key(a, strlen(a)));
    CHECK(wd_fp_url_key("", 0) != 0);
}

static void
test_simhash(void)
{
    const char *x = "The council voted twenty-one to nine in favour of the "
                    "eastern tram extension, which is expected to open to "
                    "passengers in the spring of 2027 after years of delay.";
    const char *y = "The council voted twenty-one to nine in favour of the "
                    "eastern tram extension, which is expected to open to "
                    "passengers in the spring of 2028 after years of delay.";
    const char *z = "Students from the old grammar school beat eleven rival "
                    "teams over a long weekend of play that ended with a "
                    "tense final round on Sunday afternoon in the hall.";
    uint64_t hx = wd_fp_simhash(x, strlen(x)), hy = wd_fp_simhash(y, strlen(y));
    uint64_t hz = wd_fp_simhash(z, strlen(z));
    CHECK_INT(wd_fp_hamming(hx, hy), <, wd_fp_hamming(hx, hz));
    CHECK_INT(wd_fp_hamming(hx, hz), >, 10);
    CHECK(wd_fp_simhash(x, strlen(x)) == hx);
}

/* Words ending on and beside the 64-byte blocks that the shingles' scan
 * reads (fingerprint.c space_bits): a SimHash of one shingle is that
 * shingle's hash, of two the AND of both (a bit needs more than half the
 * votes), so the exact words of each shingle show. */
static void
test_shingle_ends(void)
{
    static const size_t mid[] = {1, 2, 7, 62, 63, 64, 65, 66};
    char t[300];
    for (size_t l1 = 1; l1 <= 70; l1++)
        for (size_t m = 0; m < sizeof mid / sizeof *mid; m++)
            for (size_t l3 = 1; l3 <= 65; l3 += 64)
                for (size_t l4 = 0; l4 <= 3; l4 += 3) {
                    size_t len[4] = {l1, mid[m], l3, l4}, n = 0, sp[4];
                    for (int w = 0; w < 4; w++) {
                        if (len[w] == 0)
                            break;
                        if (w)
                            t[n++] = ' ';
                        sp[w] = n;
                        for (size_t k = 0; k < len[w]; k++)
                            t[n++] = (char)('a' + (w * 7 + k) % 26);
                    }
                    uint64_t want = XXH3_64bits(t, l4 ? sp[3] - 1 : n);
                    if (l4)
                        want &= XXH3_64bits(t + sp[1], n - sp[1]);
                    uint64_t bands[WD_MH_BANDS];
                    CHECK(wd_fp_simhash(t, n) == want);
                    CHECK_INT(wd_fp_minhash_bands(t, n, bands), ==, l4 ? 2 : 1);
                }
}

static void
test_channel_names(void)
{
    char buf[WD_CHANNEL_MAX];
    CHECK_OK(wd_channel_country("KZ", buf, sizeof buf));
    CHECK_STR(buf, "country.KZ");
    CHECK_INT(wd_channel_country("kz", buf, sizeof buf), ==, WD_EINVAL);
    CHECK_INT(wd_channel_country("KAZ", buf, sizeof buf), ==, WD_EINVAL);
    CHECK_OK(wd_channel_theme("conflict-war-peace", buf, sizeof buf));
    CHECK_STR(buf, "theme.conflict-war-peace");
    CHECK_INT(wd_channel_theme("Bad Slug", buf, sizeof buf), ==, WD_EINVAL);
    const char *bad[] = {"theme.sport", "theme.sports"};
    size_t a = 9, b = 9;
    CHECK(!wd_channel_prefix_free(bad, 2, &a, &b));
    CHECK_INT(a, ==, 0);
    CHECK_INT(b, ==, 1);
    CHECK_STR(wd_channel_family("country.KZ"), "country");
    CHECK_STR(wd_channel_family("all"), "all");
}

static void
test_arena(void)
{
    struct wd_arena a;
    wd_arena_init(&a, 64);
    char *s = wd_arena_strndup(&a, "hello world", 5);
    CHECK_STR(s, "hello");
    void *big = wd_arena_alloc(&a, 10000); /* larger than a chunk */
    CHECK(big != NULL);
    memset(big, 1, 10000);
    CHECK(((uintptr_t)wd_arena_alloc(&a, 3) % sizeof(void *)) == 0);
    wd_arena_reset(&a);
    CHECK(wd_arena_alloc(&a, 9000) != NULL); /* reuses the kept chunk */
    wd_arena_fini(&a);
}

/* A buffer sized for the worst case gives its unused end back: the next
 * allocation follows what was kept. Only the last allocation shrinks. */
static void
test_arena_shrink(void)
{
    struct wd_arena a;
    wd_arena_init(&a, 4096);
    char *p = wd_arena_alloc(&a, 1000);
    wd_arena_shrink(&a, p, 10);
    char *q = wd_arena_alloc(&a, 16);
    CHECK(q == p + alignof(max_align_t)); /* 10 bytes, aligned */
    memset(q, 'x', 16);
    memset(p, 'y', 10); /* p's kept bytes: its own still */
    CHECK(q[0] == 'x');
    /* Not the last allocation: nothing moves. */
    char *r = wd_arena_alloc(&a, 32);
    wd_arena_shrink(&a, q, 1);
    char *s = wd_arena_alloc(&a, 8);
    CHECK(s == r + 32);
    /* A shrink to more than it has does not grow it. */
    wd_arena_shrink(&a, s, 1000);
    char *t = wd_arena_alloc(&a, 8);
    CHECK(t == s + alignof(max_align_t));
    /* After a reset, a pointer from before is not the last allocation. */
    wd_arena_reset(&a);
    char *u = wd_arena_alloc(&a, 8);
    wd_arena_shrink(&a, t, 0);
    CHECK(wd_arena_alloc(&a, 8) == u + alignof(max_align_t));
    wd_arena_fini(&a);
}

/* Per-source figures stay bounded: the first WD_STATS_SOURCES sources
 * named, every later one counted as "other". */
static void
test_source_stats_bounded(void)
{
    static struct wd_stats st;
    memset(&st, 0, sizeof st);
    char name[32];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "scraper-%d", i);
        wd_stats_source(&st, name, 1, i % 2, 3);
        wd_stats_source(&st, name, 0, 0, 1); /* (a retry's articles) */
    }
    wd_stats_source(&st, NULL, 1, 1, 0);
    CHECK_INT(st.n_sources, ==, WD_STATS_SOURCES);
    CHECK_STR(st.sources[0].name, "scraper-0");
    CHECK_INT(st.sources[0].pages, ==, 1);
    CHECK_INT(st.sources[0].articles, ==, 4);
    CHECK_STR(st.sources[WD_STATS_SOURCES].name, "other");
    CHECK_INT(st.sources[WD_STATS_SOURCES].pages, ==, 40 - 32 + 1);
}

/* wd_text_stats against the plain count over code points of textref.h.
 * Random text of ASCII words, digits, spaces, punctuation, other scripts,
 * control and invalid bytes, so that sixteen-byte blocks of ASCII meet
 * every other kind. */
static void
test_text_stats_random(void)
{
    /* The first eight make prose; the others come now and then. */
    static const char *pieces[] = {
        "a",    "Z",          "qu", "7",  "2025", " ",    " ",    ".",
        "news", "Kazakhstan", "0",  "  ", ",",    "-",    "'",    "\"",
        "(",    "*",          "\t", "\n", "\x01", "\x7f", "\xff", "[",
        "é",    "Жд",         "٣",  "’",  "•",    "“",    "ǅ",    "\xe2\x80"};
    uint64_t r = 0x9E3779B97F4A7C15ULL;
    char buf[512];
    int bad = 0;
    for (int t = 0; t < 50000 && bad < 5; t++) {
        size_t n = 0;
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t want = (size_t)(r >> 33) % 200;
        /* Mostly words and single spaces, as prose; now and then others. */
        while (n < want) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned k = (unsigned)(r >> 40) % 64;
            const char *p =
                k < 48 ? pieces[k % 8]
                       : pieces[k % (sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            if (n + l >= sizeof buf)
                break;
            memcpy(buf + n, p, l);
            n += l;
        }
        struct wd_text_stats got, ref;
        wd_text_stats(buf, n, &got);
        ref_stats(buf, n, &ref);
        if (memcmp(&got, &ref, offsetof(struct wd_text_stats, first_upper)) ||
            got.first_upper != ref.first_upper) {
            bad++;
            WD_FAIL_("text %d \"%.*s\": words %zu/%zu alpha %zu/%zu num "
                     "%zu/%zu letters %zu/%zu digits %zu/%zu other %zu/%zu "
                     "upper %d/%d",
                     t, (int)n, buf, got.words, ref.words, got.alpha_words,
                     ref.alpha_words, got.num_words, ref.num_words, got.letters,
                     ref.letters, got.digits, ref.digits, got.other, ref.other,
                     got.first_upper, ref.first_upper);
        }
    }
    CHECK_INT(bad, ==, 0);
}
/* wd_text_copy() as snprintf(dst, cap, "%s", src); wd_text_hex64() as
 * "%016llx". */
static void
test_text_copy_hex64(void)
{
    static const char *const srcs[] = {"", "a", "abcdefg", "abcdefgh",
                                       "\xc3\xa9t\xc3\xa9 long"};
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++)
        for (size_t cap = 1; cap <= 10; cap++) {
            char got[16], want[16];
            memset(got, 'x', sizeof got);
            snprintf(want, cap, "%s", srcs[i]);
            size_t len = strlen(want);
            CHECK_INT(wd_text_copy(got, cap, srcs[i]), ==, len);
            CHECK_STR(got, want);
            CHECK(got[cap] == 'x'); /* nothing written past dst[cap) */
        }
    static const uint64_t vs[] = {0, 1, 0xabcdef, 0x0123456789abcdefull,
                                  UINT64_MAX};
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) {
        char got[17], want[17];
        wd_text_hex64(vs[i], got);
        snprintf(want, sizeof want, "%016llx", (unsigned long long)vs[i]);
        CHECK_STR(got, want);
    }
}

int
main(void)
{
    RUN(test_text_key);
    RUN(test_text_key_long);
    RUN(test_text_copy_hex64);
    RUN(test_utf8_valid);
    RUN(test_char_classes);
    RUN(test_text_stats_random);
    RUN(test_story_id_stable);
    RUN(test_content_key);
    RUN(test_url_key);
    RUN(test_simhash);
    RUN(test_shingle_ends);
    RUN(test_channel_names);
    RUN(test_arena);
    RUN(test_arena_shrink);
    RUN(test_source_stats_bounded);
    return TEST_DONE();
}
