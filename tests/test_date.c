/* WD_TEST_LABEL: unit */
/* Dates in every common written form, and strings that are not dates. */
#include "test.h"

#include "wd/date.h"

#define NOW 1764000000000LL /* 2025-11-24T16:00:00Z */

static int64_t
parse_ok(const char *s, enum wd_date_precision want_prec)
{
    int64_t v = -1;
    enum wd_date_precision p = 0;
    int rc = wd_date_parse(s, strlen(s), NOW, &v, &p);
    if (rc != 0) {
        WD_FAIL_("\"%s\" not parsed: %s", s, wd_strerror(rc));
        return -1;
    }
    if (p != want_prec)
        WD_FAIL_("\"%s\": precision %d, expected %d", s, (int)p,
                 (int)want_prec);
    return v;
}

static void
test_written_forms(void)
{
    /* Expected values from `date -u -d ... +%s`. */
    CHECK_INT(parse_ok("24 Oct 2025 13:36", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("05 December 2025", WD_DATE_DAY), ==, 1764892800000LL);
    CHECK_INT(parse_ok("December 5, 2025", WD_DATE_DAY), ==, 1764892800000LL);
    CHECK_INT(parse_ok("Dec. 5th, 2025", WD_DATE_DAY), ==, 1764892800000LL);
    CHECK_INT(parse_ok("Dec 5, 2025 1:36 PM", WD_DATE_MINUTE), ==,
              1764941760000LL);
    CHECK_INT(parse_ok("Oct 24, 2025 at 1:36 p.m. UTC", WD_DATE_MINUTE), ==,
              1761312960000LL);
    /* Zone abbreviations: 9:36 a.m. EDT is 13:36 UTC, 14:36 CET too. */
    CHECK_INT(parse_ok("Oct 24, 2025 at 9:36 a.m. EDT", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("24 Oct 2025 14:36 CET", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("Friday, 24 October 2025", WD_DATE_DAY), ==,
              1761264000000LL);
    CHECK_INT(parse_ok("Sept 1, 2024", WD_DATE_DAY), ==, 1725148800000LL);
    CHECK_INT(parse_ok("  3 March 2024 | 09:15  ", WD_DATE_MINUTE), ==,
              1709457300000LL);
}

static void
test_machine_forms(void)
{
    CHECK_INT(parse_ok("2025-10-24", WD_DATE_DAY), ==, 1761264000000LL);
    CHECK_INT(parse_ok("2025-10-24T13:36:00Z", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("2025-10-24T13:36:00.123+05:00", WD_DATE_MINUTE), ==,
              1761294960000LL);
    CHECK_INT(parse_ok("2025-10-24 13:36:00-0300", WD_DATE_MINUTE), ==,
              1761323760000LL);
    CHECK_INT(parse_ok("2025-10-24T13:36", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("Fri, 24 Oct 2025 13:36:00 +0000", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("Fri, 24 Oct 2025 13:36:00 GMT", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("24.10.2025", WD_DATE_DAY), ==, 1761264000000LL);
    CHECK_INT(parse_ok("24.10.2025 13:36", WD_DATE_MINUTE), ==,
              1761312960000LL);
    CHECK_INT(parse_ok("2025/10/24", WD_DATE_DAY), ==, 1761264000000LL);
    CHECK_INT(parse_ok("Published: 24 Oct 2025", WD_DATE_DAY), ==,
              1761264000000LL);
    CHECK_INT(parse_ok("Last updated on 2025-10-24", WD_DATE_DAY), ==,
              1761264000000LL);
}

static void
test_relative(void)
{
    CHECK_INT(parse_ok("2 hours ago", WD_DATE_MINUTE), ==, NOW - 2 * 3600000LL);
    CHECK_INT(parse_ok("5 min ago", WD_DATE_MINUTE), ==, NOW - 300000LL);
    CHECK_INT(parse_ok("an hour ago", WD_DATE_MINUTE), ==, NOW - 3600000LL);
    CHECK_INT(parse_ok("3 days ago", WD_DATE_DAY), ==, NOW - 3 * 86400000LL);
    CHECK_INT(parse_ok("just now", WD_DATE_MINUTE), ==, NOW);
    CHECK_INT(parse_ok("Yesterday", WD_DATE_DAY), ==, 1763856000000LL);
    CHECK_INT(parse_ok("today", WD_DATE_DAY), ==, 1763942400000LL);
}

/* The region's languages and the other big news languages (month names,
 * year words and relative forms from CLDR, scripts/make_date_names.py). */
static void
test_other_languages(void)
{
    const int64_t oct24 = 1761264000000LL; /* 2025-10-24 00:00 UTC */
    const int64_t at1336 = oct24 + 13 * 3600000LL + 36 * 60000LL;
    CHECK_INT(parse_ok("24 октября 2025, 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("24 ОКТЯБРЯ 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 октября 2025 г.", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 октября 2025 года, 13:36", WD_DATE_MINUTE), ==,
              at1336);
    CHECK_INT(parse_ok("24 окт. 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 қазан 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("2025 ж. 24 қазан", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("2025-ж., 24-октябрь", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 oktyabr 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24-oktabr, 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 октябр 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 Ekim 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 EKİM 2025 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("24 Kasım 2025", WD_DATE_DAY), ==,
              oct24 + 31 * 86400000LL);
    CHECK_INT(parse_ok("24. Oktober 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 de octubre de 2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("2025. október 24.", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 жовтня 2025 р.", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24.10.2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 Ekim 2025 Cuma", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("24 Ekim 2025 Cuma 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("Güncelleme: 24.10.2025", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("Опубликовано: 24 октября 2025, 13:36", WD_DATE_MINUTE),
              ==, at1336);
    CHECK_INT(parse_ok("13:36 / 24.10.2025", WD_DATE_MINUTE), ==, at1336);
    /* The word before the time ("в", "saat", "à", "ساعت"). */
    CHECK_INT(parse_ok("24 октября 2025 в 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("24 Ekim 2025 saat 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("24 octobre 2025 à 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("24 Oktober 2025 um 13:36", WD_DATE_MINUTE), ==, at1336);
    /* Persian: a weekday with its zero-width non-joiner, the Arabic comma
     * and "ساعت"; the Solar Hijri year in numbers; the Afghan names of
     * its months (2 Aban 1404 = 2 Aqrab 1404 = 24 October 2025). */
    CHECK_INT(
        parse_ok("\u062c\u0645\u0639\u0647\u060c \u06f2 "
                 "\u0622\u0628\u0627\u0646 \u06f1\u06f4\u06f0\u06f4\u060c "
                 "\u0633\u0627\u0639\u062a \u06f1\u06f3:\u06f3\u06f6",
                 WD_DATE_MINUTE),
        ==, at1336);
    CHECK_INT(parse_ok("\u0633\u0647\u200c\u0634\u0646\u0628\u0647 28 "
                       "\u0627\u06a9\u062a\u0628\u0631 2025",
                       WD_DATE_DAY),
              ==, oct24 + 4 * 86400000LL);
    CHECK_INT(parse_ok("1404/08/02 - 13:36", WD_DATE_MINUTE), ==, at1336);
    CHECK_INT(parse_ok("\u06f1\u06f4\u06f0\u06f4/\u06f0\u06f8/\u06f0\u06f2",
                       WD_DATE_DAY),
              ==, oct24);
    CHECK_INT(parse_ok("2 \u0639\u0642\u0631\u0628 1404", WD_DATE_DAY), ==,
              oct24);
    CHECK_INT(parse_ok("2025/10/24 - 13:36", WD_DATE_MINUTE), ==, at1336);
    /* With dashes a year stays ISO: "1453-05-29" is no day of 2074 (it
     * is refused, or that day of 1453, before 1970). */
    {
        int64_t v = 0;
        if (wd_date_parse("1453-05-29", 10, NOW, &v, NULL) == 0)
            CHECK_INT(v, <, 0);
    }
    CHECK_INT(parse_ok("13:36, 24 октября 2025", WD_DATE_MINUTE), ==, at1336);

    /* Persian: the Solar Hijri calendar (15 Aban 1404 = 6 November 2025),
     * Persian and Arabic-Indic digits, the Gregorian months in Persian,
     * the relative forms. */
    const int64_t nov6 = oct24 + 13 * 86400000LL;
    CHECK_INT(parse_ok("۱۵ آبان ۱۴۰۴", WD_DATE_DAY), ==, nov6);
    CHECK_INT(parse_ok("15 آبان 1404", WD_DATE_DAY), ==, nov6);
    CHECK_INT(parse_ok("١٥ آبان ١٤٠٤", WD_DATE_DAY), ==, nov6);
    CHECK_INT(parse_ok("۱۵ آبان ۱۴۰۴ - ۱۳:۳۶", WD_DATE_MINUTE), ==,
              nov6 + 13 * 3600000LL + 36 * 60000LL);
    CHECK_INT(parse_ok("۶ نوامبر ۲۰۲۵", WD_DATE_DAY), ==, nov6);
    CHECK_INT(parse_ok("1 فروردین 1404", WD_DATE_DAY), ==,
              1742515200000LL); /* 2025-03-21, Nowruz */
    CHECK_INT(parse_ok("1 دی 1403", WD_DATE_DAY), ==,
              1734739200000LL); /* 2024-12-21 */
    /* 1403 is a leap year of the calendar, 1402 is not. */
    CHECK_INT(parse_ok("30 اسفند 1403", WD_DATE_DAY), ==,
              1742428800000LL); /* 2025-03-20 */
    int64_t bad;
    CHECK_INT(wd_date_parse("30 اسفند 1402", strlen("30 اسفند 1402"), NOW, &bad,
                            NULL),
              ==, WD_EPARSE);
    CHECK_INT(
        wd_date_parse("31 مهر 1404", strlen("31 مهر 1404"), NOW, &bad, NULL),
        ==, WD_EPARSE); /* Mehr has 30 days */
    CHECK_INT(parse_ok("۲ روز پیش", WD_DATE_DAY), ==, NOW - 2 * 86400000LL);
    CHECK_INT(parse_ok("دیروز", WD_DATE_DAY), ==, 1763856000000LL);

    CHECK_INT(parse_ok("2 часа назад", WD_DATE_MINUTE), ==, NOW - 7200000LL);
    CHECK_INT(parse_ok("5 минут назад", WD_DATE_MINUTE), ==, NOW - 300000LL);
    CHECK_INT(parse_ok("3 дня назад", WD_DATE_DAY), ==, NOW - 3 * 86400000LL);
    CHECK_INT(parse_ok("вчера", WD_DATE_DAY), ==, 1763856000000LL);
    CHECK_INT(parse_ok("Сегодня", WD_DATE_DAY), ==, 1763942400000LL);
    CHECK_INT(parse_ok("3 saat önce", WD_DATE_MINUTE), ==, NOW - 3 * 3600000LL);
    CHECK_INT(parse_ok("5 daqiqa oldin", WD_DATE_MINUTE), ==, NOW - 300000LL);
    CHECK_INT(parse_ok("2 сағат бұрын", WD_DATE_MINUTE), ==, NOW - 7200000LL);
    CHECK_INT(parse_ok("vor 3 Stunden", WD_DATE_MINUTE), ==,
              NOW - 3 * 3600000LL);
    CHECK_INT(parse_ok("hace 5 minutos", WD_DATE_MINUTE), ==, NOW - 300000LL);
    CHECK_INT(parse_ok("il y a 2 heures", WD_DATE_MINUTE), ==, NOW - 7200000LL);

    /* Not dates. */
    /* Without a year: the last such day not after tomorrow. */
    CHECK_INT(parse_ok("24 октября", WD_DATE_DAY), ==, oct24);
    CHECK_INT(parse_ok("21 ноября, 08:15", WD_DATE_MINUTE), ==,
              oct24 + 28 * 86400000LL + 8 * 3600000LL + 15 * 60000LL);
    CHECK_INT(parse_ok("24 декабря", WD_DATE_DAY), ==,
              1734998400000LL); /* 2024-12-24: 2025's is ahead */
    /* A relative day and a time. */
    CHECK_INT(parse_ok("вчера, 16:48", WD_DATE_MINUTE), ==,
              1763856000000LL + 16 * 3600000LL + 48 * 60000LL);
    CHECK_INT(parse_ok("Kecha, 17:40", WD_DATE_MINUTE), ==,
              1763856000000LL + 17 * 3600000LL + 40 * 60000LL);
    CHECK_INT(parse_ok("today at 09:15", WD_DATE_MINUTE), ==,
              1763942400000LL + 9 * 3600000LL + 15 * 60000LL);
    const char *no[] = {"октября",
                        "2 часа",
                        "назад",
                        "вчера, 25:99",
                        "октября 2025",
                        "24 мостов 2025",
                        "Kasım",
                        "2025 ж.",
                        "vor Stunden",
                        "vor3 Stunden",
                        "vor 3,5 Stunden",
                        "hace 12345 minutos",
                        "il y a 2 heures 5",
                        "Cuma",
                        "Güncelleme: yarın",
                        "13:36 /",
                        "Bir iki üç dört: 24.10.2025"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        int64_t v;
        if (wd_date_parse(no[i], strlen(no[i]), NOW, &v, NULL) == 0)
            WD_FAIL_("\"%s\" parsed as a date", no[i]);
    }
}

static void
test_leap_years(void)
{
    CHECK_INT(parse_ok("29 Feb 2024", WD_DATE_DAY), ==, 1709164800000LL);
    CHECK_INT(parse_ok("2000-02-29", WD_DATE_DAY), ==, 951782400000LL);
    int64_t v;
    CHECK_INT(wd_date_parse("29 Feb 2025", 11, NOW, &v, NULL), ==, WD_EPARSE);
    CHECK_INT(wd_date_parse("1900-02-29", 10, NOW, &v, NULL), ==, WD_EPARSE);
    CHECK_INT(wd_date_days_from_civil(1970, 1, 1), ==, 0);
    CHECK_INT(wd_date_days_from_civil(2000, 3, 1), ==, 11017);
}

static void
test_not_dates(void)
{
    static const char *const bad[] = {
        "115",
        "Viewing results 1 - 6 of 16",
        "KGS/USD = 0.01144 0%",
        "Home",
        "",
        "   ",
        "31 February 2025",
        "2025-13-01",
        "2025-10-24T25:00",
        "24 Oct 2025 13:61",
        "May 2025",
        "The talks began on 24 Oct 2025 in Astana.",
        "24 Oct 2025 and more",
        "October",
        "2 potatoes ago",
        "1:36 p.m.",
        "13:36",
        "24 Octopus 2025",
        "24 Oct 20255",
        "2025-10-24T13:36:00+25:00",
        "Published",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        int rc = wd_date_parse(bad[i], strlen(bad[i]), NOW, &v, NULL);
        if (rc != WD_EPARSE)
            WD_FAIL_("\"%s\" parsed as a date (%lld)", bad[i], (long long)v);
    }
}

/* Every prefix of a few strings, each in an exactly sized heap buffer, so
 * that ASan reports any read past the end. */
static void
test_prefixes_in_bounds(void)
{
    static const char *const s[] = {
        "Fri, 24 Oct 2025 13:36:00 +0000", "2025-10-24T13:36:00.123+05:00",
        "Dec 5, 2025 1:36 p.m.", "an hour ago", "24.10.2025 13:36"};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t n = strlen(s[i]);
        for (size_t len = 0; len <= n; len++) {
            char *buf = malloc(len ? len : 1);
            memcpy(buf, s[i], len);
            int64_t v;
            (void)wd_date_parse(buf, len, NOW, &v, NULL);
            free(buf);
        }
    }
}

/* Dates in URLs, as CMSes write them; numbers that are no date are not. */
static void
test_date_from_url(void)
{
    static const struct {
        const char *url;
        const char *day; /* YYYY-MM-DD, or NULL for none */
    } cases[] = {
        {"http://www.cnn.com/2013/11/27/travel/weather/index.html",
         "2013-11-27"},
        {"http://www.news.cn/2023-11/17/c_1212302829.htm", "2023-11-17"},
        {"https://www.chinadaily.com.cn/a/202311/17/WS655712.html",
         "2023-11-17"},
        {"https://example.com/news/harbour-strike-2025-03-11-update",
         "2025-03-11"},
        {"https://example.com/article/20180619/x", "2018-06-19"},
        {"https://example.com/environment/2019/jan/03/sea-story", "2019-01-03"},
        {"https://example.com/world/2019/Sep/30/x", "2019-09-30"},
        {"https://example.com/2019/jax/03/x", NULL},
        {"https://example.com/story/12345678/", NULL},
        {"https://example.com/2025/13/40/x", NULL},
        {"https://example.com/products/1999", NULL},
        {NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = 0;
        int rc = wd_date_from_url(cases[i].url, &ms);
        if (!cases[i].day) {
            CHECK_INT(rc, ==, -1);
            continue;
        }
        CHECK_INT(rc, ==, 0);
        int64_t want;
        CHECK_OK(wd_date_parse(cases[i].day, 10, 0, &want, NULL));
        CHECK_INT(ms, ==, want);
    }
}

/* Every relative form of the generated tables (date_names.inc, searched
 * by halves since they are sorted by bytes) is found: each day word, and
 * each "PREFIX 3 SUFFIX" as three of its units ago (the first entry of a
 * prefix and suffix pair, as the table's order gives it). */
#include "../src/core/date_names.inc"

static void
test_every_table_form(void)
{
    (void)date_months, (void)date_weekdays, (void)date_year_words,
        (void)date_particles;
    int64_t day = NOW / 86400000LL * 86400000LL;
    for (size_t i = 0; i < sizeof date_days / sizeof date_days[0]; i++)
        CHECK_INT(parse_ok(date_days[i].word, WD_DATE_DAY), ==,
                  day + date_days[i].offset * 86400000LL);
    size_t n = sizeof date_rels / sizeof date_rels[0], tried = 0;
    for (size_t i = 0; i < n; i++) {
        const struct date_rel *r = &date_rels[i];
        if (i > 0 && strcmp(r->prefix, date_rels[i - 1].prefix) == 0 &&
            strcmp(r->suffix, date_rels[i - 1].suffix) == 0)
            continue; /* (the first of a pair answers) */
        char line[160];
        snprintf(line, sizeof line, "%s%s3 %s", r->prefix,
                 r->prefix[0] ? " " : "", r->suffix);
        int64_t v = -1;
        int rc = wd_date_parse(line, strlen(line), NOW, &v, NULL);
        if (rc != 0 || v != NOW - 3 * r->unit_ms)
            WD_FAIL_("\"%s\": rc %d, %lld ms ago", line, rc,
                     (long long)(NOW - v));
        tried++;
    }
    CHECK(tried > 100);
}

int
main(void)
{
    RUN(test_date_from_url);
    RUN(test_written_forms);
    RUN(test_machine_forms);
    RUN(test_relative);
    RUN(test_other_languages);
    RUN(test_every_table_form);
    RUN(test_leap_years);
    RUN(test_not_dates);
    RUN(test_prefixes_in_bounds);
    return TEST_DONE();
}
