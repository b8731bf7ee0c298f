/* WD_TEST_LABEL: unit */
/* The pure parts of CurveZMQ support: key files and allow-lists parsed,
 * errors that name the line but never quote it, the set sorted and
 * deduplicated, and the ZAP handler's verdicts (RFC 27). */
#include <zmq.h>

#include "test.h"
#include "wd/curve.h"

/* Two fixed public keys (the examples of libzmq's zmq_curve(7) page). */
#define KEY_A "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define KEY_B "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

static void
test_parse_keys(void)
{
    struct wd_curve_allow a = {0};
    char err[256];
    const char text[] = "# clients of the desk\n"
                        "\n" KEY_A "\n"
                        "   " KEY_B "  \r\n"
                        "#another comment\n" KEY_A "\n";
    CHECK_OK(
        wd_curve_parse_keys("allow", text, strlen(text), &a, err, sizeof err));
    CHECK_INT(a.n, ==, 3);
    wd_curve_allow_finish(&a);
    CHECK_INT(a.n, ==, 2);
    uint8_t k[32];
    CHECK(zmq_z85_decode(k, KEY_A) != NULL);
    CHECK(wd_curve_allowed(&a, k));
    CHECK(zmq_z85_decode(k, KEY_B) != NULL);
    CHECK(wd_curve_allowed(&a, k));
    k[0] ^= 1;
    CHECK(!wd_curve_allowed(&a, k));
    wd_curve_allow_free(&a);

    /* A key without its newline; a file of comments only. */
    CHECK_OK(wd_curve_parse_keys("k", KEY_A, 40, &a, err, sizeof err));
    CHECK_INT(a.n, ==, 1);
    wd_curve_allow_free(&a);
    CHECK_OK(wd_curve_parse_keys("k", "# none\n", 7, &a, err, sizeof err));
    CHECK_INT(a.n, ==, 0);
    wd_curve_allow_free(&a);
}

static void
test_bad_lines(void)
{
    const char *bad[] = {
        KEY_A "x\n",                                   /* 41 characters */
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\n",   /* 39 */
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{h\"D\n", /* not Z85 */
        KEY_A " " KEY_B "\n",                          /* two on a line */
        "secret = " KEY_A "\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wd_curve_allow a = {0};
        char err[256] = "";
        char text[256];
        snprintf(text, sizeof text, "# a key\n%s", bad[i]);
        CHECK_INT(wd_curve_parse_keys("f.key", text, strlen(text), &a, err,
                                      sizeof err),
                  ==, WD_EINVAL);
        CHECK_CONTAINS(err, "f.key:2:");
        /* The line may be a mistyped secret key: never quoted. */
        CHECK_NOT_CONTAINS(err, "Yne@");
        wd_curve_allow_free(&a);
    }
    /* A NUL byte inside a key line. */
    struct wd_curve_allow a = {0};
    char err[256], text[41];
    memcpy(text, KEY_A "\n", 41);
    text[7] = '\0';
    CHECK_INT(wd_curve_parse_keys("nul", text, 41, &a, err, sizeof err), ==,
              WD_EINVAL);
    wd_curve_allow_free(&a);
}

static struct wd_zap_verdict
decide(const struct wd_curve_allow *a, const char *version,
       const char *mechanism, const uint8_t *key, size_t key_len, size_t n)
{
    struct wd_zap_frame f[7] = {
        {version, strlen(version)},
        {"7", 1},
        {"ingest", 6},
        {"127.0.0.1", 9},
        {"", 0},
        {mechanism, strlen(mechanism)},
        {key, key_len},
    };
    struct wd_zap_verdict v;
    wd_curve_zap_decide(a, f, n, &v);
    return v;
}

static void
test_zap_verdicts(void)
{
    struct wd_curve_allow a = {0};
    char err[256];
    CHECK_OK(wd_curve_parse_keys("allow", KEY_A "\n", 41, &a, err, sizeof err));
    wd_curve_allow_finish(&a);
    uint8_t ka[32], kb[32];
    zmq_z85_decode(ka, KEY_A);
    zmq_z85_decode(kb, KEY_B);

    struct wd_zap_verdict v = decide(&a, "1.0", "CURVE", ka, 32, 7);
    CHECK_STR(v.status, "200");
    CHECK_STR(v.domain, "ingest");
    CHECK_STR(v.address, "127.0.0.1");

    v = decide(&a, "1.0", "CURVE", kb, 32, 7);
    CHECK_STR(v.status, "400");
    CHECK_INT(v.why, ==, WD_REFUSE_UNKNOWN_KEY);

    v = decide(&a, "1.0", "PLAIN", ka, 32, 7);
    CHECK_STR(v.status, "400");
    CHECK_INT(v.why, ==, WD_REFUSE_BAD_REQUEST);
    v = decide(&a, "1.0", "CURVE", ka, 31, 7);
    CHECK_INT(v.why, ==, WD_REFUSE_BAD_REQUEST);
    v = decide(&a, "2.0", "CURVE", ka, 32, 7);
    CHECK_STR(v.status, "500");
    v = decide(&a, "1.0", "CURVE", ka, 32, 3);
    CHECK_STR(v.status, "500");
    CHECK_INT(v.why, ==, WD_REFUSE_BAD_REQUEST);
    v = decide(&a, "1.0", "CURVE", ka, 32, 0);
    CHECK_STR(v.status, "500");

    /* An empty list admits nobody. */
    struct wd_curve_allow none = {0};
    v = decide(&none, "1.0", "CURVE", ka, 32, 7);
    CHECK_STR(v.status, "400");
    wd_curve_allow_free(&a);
}

int
main(void)
{
    RUN(test_parse_keys);
    RUN(test_bad_lines);
    RUN(test_zap_verdicts);
    return TEST_DONE();
}
