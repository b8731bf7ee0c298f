/* Dates in the forms news pages write them. A small cursor parser over the
 * bytes: no locale, no allocation, no reads outside s[0..len). The grammar,
 * after an optional label ("Published", "Updated:", "Posted on"):
 *
 *   relative  := "just now" | "today" | "yesterday" | (N | "a" | "an") UNIT
 * "ago" iso       := YYYY ("-" | "/") MM ("-" | "/") DD [("T" | " ") time]
 * [zone] numeric   := DD "." MM "." YYYY [time] textual   := [WEEKDAY [","]]
 * (DAY MONTH | MONTH DAY) [","] YEAR [sep time] time      := H ":" MM [":" SS
 * ["." FRACTION]] [("am" | "pm")] [zone] zone      := "Z" | "UTC" | "GMT" |
 * ("+" | "-") HH [":"] MM
 *
 * A date without a zone is UTC. Anything left over makes the whole string
 * not a date.
 */
#include "wd/date.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"
#include "wd/text.h"

#include "date_names.inc"

#define MS_PER_DAY 86400000LL

struct cur {
    const char *s;
    size_t n, i;
};

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool
is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
at_end(const struct cur *c)
{
    return c->i >= c->n;
}

static int
peek(const struct cur *c)
{
    return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

/* Skips ASCII spaces and tabs, and the UTF-8 no-break space. */
static void
skip_space(struct cur *c)
{
    while (c->i < c->n) {
        if (c->s[c->i] == ' ' || c->s[c->i] == '\t') {
            c->i++;
        } else if (c->i + 1 < c->n && (unsigned char)c->s[c->i] == 0xC2 &&
                   (unsigned char)c->s[c->i + 1] == 0xA0) {
            c->i += 2;
        } else {
            break;
        }
    }
}

static bool
eat_char(struct cur *c, int ch)
{
    if (peek(c) == ch) {
        c->i++;
        return true;
    }
    return false;
}

/* Reads a run of letters of any script (with their combining marks);
 * returns its length in bytes (0 when none). */
static size_t
read_word(struct cur *c, const char **w)
{
    size_t start = c->i;
    while (c->i < c->n) {
        unsigned char b = (unsigned char)c->s[c->i];
        if (is_alpha(b)) {
            c->i++;
            continue;
        }
        if (b < 0x80)
            break;
        uint32_t cp;
        size_t k = wd_utf8_next(c->s + c->i, c->n - c->i, &cp);
        /* (Persian writes a zero-width non-joiner inside words:
         * "سه‌شنبه".) */
        if (!wd_cp_is_alpha(cp) &&
            !(c->i > start && (wd_cp_is_mark(cp) || cp == 0x200C)))
            break;
        c->i += k;
    }
    *w = c->s + start;
    return c->i - start;
}

/* w[0..n) in lower case into buf (NUL-terminated); false when it does not
 * fit. */
static bool
fold_word(const char *w, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)w[i];
        if (b < 0x80) { /* (as below, without decoding) */
            if (o + 1 >= cap)
                return false;
            buf[o++] = (char)lower(b);
            i++;
            continue;
        }
        uint32_t cp;
        i += wd_utf8_next(w + i, n - i, &cp);
        size_t k = wd_utf8_encode(wd_cp_tolower(cp), buf + o, cap - o);
        if (k == 0 || o + k >= cap)
            return false;
        o += k;
    }
    buf[o] = '\0';
    return true;
}

/* The month and weekday names of date_names.inc in open-addressing sets
 * of their places + 1 (0: an empty slot), by a hash of their bytes: a
 * line's word costs a hash and a comparison or two, not a binary search's
 * ten. */
#define NAME_SLOTS 2048
_Static_assert(sizeof date_months / sizeof date_months[0] < NAME_SLOTS / 2 &&
                   sizeof date_weekdays / sizeof date_weekdays[0] <
                       NAME_SLOTS / 2,
               "sparse sets");
/* A slot: the name's place + 1 in its low 16 bits, the top 16 bits of its
 * hash above them (most probes of a word that is no name end there, not
 * in a strcmp). */
static uint32_t month_slots[NAME_SLOTS], weekday_slots[NAME_SLOTS];

static uint32_t
name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void
name_put(uint32_t *slots, const char *name, size_t at)
{
    uint32_t h = name_hash(name), k = h & (NAME_SLOTS - 1);
    while (slots[k])
        k = (k + 1) & (NAME_SLOTS - 1);
    slots[k] = (h & 0xFFFF0000u) | (uint32_t)(at + 1);
}

static void
names_fill(void)
{
    for (size_t i = 0; i < sizeof date_months / sizeof date_months[0]; i++)
        name_put(month_slots, date_months[i].name, i);
    for (size_t i = 0; i < sizeof date_weekdays / sizeof date_weekdays[0]; i++)
        name_put(weekday_slots, date_weekdays[i], i);
}

/* The place of the name buf in slots (names[place] its text: month
 * names when months), -1 when none. */
static long
name_find(const uint32_t *slots, bool months, const char *buf)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, names_fill);
    uint32_t h = name_hash(buf);
    for (uint32_t k = h & (NAME_SLOTS - 1);; k = (k + 1) & (NAME_SLOTS - 1)) {
        if (!slots[k])
            return -1;
        if ((slots[k] ^ h) >> 16)
            continue;
        size_t at = (slots[k] & 0xFFFFu) - 1u;
        if (strcmp(buf, months ? date_months[at].name : date_weekdays[at]) == 0)
            return (long)at;
    }
}

/* A month by its name or abbreviation in one of the languages of
 * date_names.inc, English among them ("September", "Sept", "sep",
 * "октября", "қазан", "Ekim", "oktabr"); 0 when none. */
static int
month_of(const char *w, size_t n)
{
    char buf[64];
    if (!fold_word(w, n, buf, sizeof buf))
        return 0;
    long at = name_find(month_slots, true, buf);
    return at < 0 ? 0 : date_months[at].month;
}

static bool
word_is(const char *w, size_t n, const char *lit)
{
    /* (lit's end found on the way, not by a strlen first.) */
    for (size_t i = 0; i < n; i++)
        if (!lit[i] || lower((unsigned char)w[i]) != (unsigned char)lit[i])
            return false;
    return lit[n] == '\0';
}

/* Consumes the word lit (case-insensitive) when it stands next. */
static bool
eat_word(struct cur *c, const char *lit)
{
    size_t save = c->i;
    const char *w;
    size_t n = read_word(c, &w);
    if (n && word_is(w, n, lit))
        return true;
    c->i = save;
    return false;
}

/* Reads 1..max digits; *digits receives how many. */
static bool
read_num(struct cur *c, int max, long *v, int *digits)
{
    long x = 0;
    int d = 0;
    while (d < max && c->i < c->n && is_digit((unsigned char)c->s[c->i])) {
        x = x * 10 + (c->s[c->i] - '0');
        c->i++;
        d++;
    }
    /* More digits than allowed: not this field. */
    if (d == 0 || (c->i < c->n && is_digit((unsigned char)c->s[c->i])))
        return false;
    *v = x;
    if (digits)
        *digits = d;
    return true;
}

/* A weekday by its name or abbreviation in one of the languages of
 * date_names.inc (the English ones among them), or "Tues", "Thurs". */
static bool
is_weekday(const char *w, size_t n)
{
    if (word_is(w, n, "tues") || word_is(w, n, "thurs"))
        return true;
    char buf[64];
    if (!fold_word(w, n, buf, sizeof buf))
        return false;
    return name_find(weekday_slots, false, buf) >= 0;
}

static bool
leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
valid_date(long y, long m, long d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && leap(y));
    return d <= max;
}

int64_t
wd_date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Zone: "Z", "UTC", "GMT" (optionally followed by an offset), "+05:00",
 * "-0300", "+05", or a common abbreviation ("EDT", "CET", "JST"). Sets *off_min
 * (east positive). Returns false on a malformed offset; absent zones leave
 * *off_min at 0. */
static bool
read_zone(struct cur *c, long *off_min)
{
    size_t save = c->i;
    skip_space(c);
    if (eat_char(c, 'Z') || eat_char(c, 'z'))
        return true;
    if (eat_word(c, "utc") || eat_word(c, "gmt")) {
        if (peek(c) != '+' && peek(c) != '-')
            return true;
    }
    /* The abbreviations news pages print (IST and others that name
     * several zones are not read). */
    static const struct {
        const char *name;
        short off_min;
    } zones[] = {{"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300},
                 {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
                 {"bst", 60},   {"cet", 60},   {"cest", 120}, {"jst", 540},
                 {"kst", 540},  {"aest", 600}, {"aedt", 660}};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++)
        if (eat_word(c, zones[z].name)) {
            *off_min = zones[z].off_min;
            return true;
        }
    int sign = peek(c);
    if (sign != '+' && sign != '-') {
        c->i = save;
        return true;
    }
    c->i++;
    long hh, mm = 0;
    int digits;
    if (!read_num(c, 4, &hh, &digits))
        return false;
    if (digits == 4) {
        mm = hh % 100;
        hh /= 100;
    } else if (digits <= 2 && eat_char(c, ':')) {
        if (!read_num(c, 2, &mm, NULL))
            return false;
    } else if (digits > 2) {
        return false;
    }
    if (hh > 14 || mm > 59)
        return false;
    *off_min = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
    return true;
}

/* time := H ":" MM [":" SS ["." F]] [am|pm] [zone] */
static bool
read_time(struct cur *c, long *ms_of_day, long *off_min)
{
    long h, mi, sec = 0;
    if (!read_num(c, 2, &h, NULL) || !eat_char(c, ':') ||
        !read_num(c, 2, &mi, NULL))
        return false;
    if (eat_char(c, ':')) {
        if (!read_num(c, 2, &sec, NULL))
            return false;
        if (eat_char(c, '.') || eat_char(c, ',')) {
            long frac;
            int fd;
            if (!read_num(c, 9, &frac, &fd))
                return false;
        }
    }
    size_t save = c->i;
    skip_space(c);
    bool pm = false, am = false;
    const char *w;
    size_t n = read_word(c, &w);
    if (word_is(w, n, "pm") || word_is(w, n, "am")) {
        pm = lower(w[0]) == 'p';
        am = !pm;
    } else if ((word_is(w, n, "p") || word_is(w, n, "a")) && eat_char(c, '.') &&
               eat_word(c, "m")) {
        /* "p.m." */
        pm = lower(w[0]) == 'p';
        am = !pm;
        eat_char(c, '.');
    } else {
        c->i = save;
    }
    if (am || pm) {
        if (h < 1 || h > 12)
            return false;
        if (am && h == 12)
            h = 0;
        if (pm && h != 12)
            h += 12;
    }
    if (h > 23 || mi > 59 || sec > 60)
        return false;
    if (!read_zone(c, off_min))
        return false;
    *ms_of_day = ((h * 60 + mi) * 60 + sec) * 1000;
    return true;
}

static bool
finish(struct cur *c)
{
    skip_space(c);
    return at_end(c);
}

/* A date of the Solar Hijri calendar (Iran's and Afghanistan's: month 1
 * Farvardin starts at the March equinox) as a Gregorian one: the 33-year
 * arithmetic cycle, exact for the years news writes (1300-1500 AP, 1921-2121;
 * "15 آبان 1404" = 6 November 2025). False for a day the month has not. */
/* The day number (of the arithmetic below) of a Solar Hijri date. */
static long
jalali_days(long jy, long jm, long jd)
{
    long j = jy + 1595;
    return -355668 + 365 * j + (j / 33) * 8 + ((j % 33) + 3) / 4 + jd +
           (jm < 7 ? (jm - 1) * 31 : (jm - 7) * 30 + 186);
}

static bool
jalali_to_civil(long jy, long jm, long jd, long *y, long *m, long *d)
{
    if (jy < 1300 || jy > 1500 || jm < 1 || jm > 12 || jd < 1 ||
        jd > (jm <= 6 ? 31 : 30))
        return false;
    long days = jalali_days(jy, jm, jd);
    /* 30 Esfand only in a leap year: else it is 1 Farvardin of the next. */
    if (jm == 12 && jd == 30 && days == jalali_days(jy + 1, 1, 1))
        return false;
    long gy = 400 * (days / 146097);
    days %= 146097;
    if (days > 36524) {
        days--;
        gy += 100 * (days / 36524);
        days %= 36524;
        if (days >= 365)
            days++;
    }
    gy += 4 * (days / 1461);
    days %= 1461;
    if (days > 365) {
        gy += (days - 1) / 365;
        days = (days - 1) % 365;
    }
    const int mdays[13] = {
        0, 31, leap(gy) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long gm = 1, gd = days + 1;
    while (gm <= 12 && gd > mdays[gm])
        gd -= mdays[gm++];
    if (gm > 12) /* 30 Esfand of a common year */
        return false;
    *y = gy, *m = gm, *d = gd;
    return true;
}

static int
result(long y, long m, long d, long ms_of_day, long off_min, bool has_time,
       int64_t *out, enum wd_date_precision *prec)
{
    /* Months 13..24: the Solar Hijri calendar's (date_names.inc). */
    if (m > 12 && !jalali_to_civil(y, m - 12, d, &y, &m, &d))
        return WD_EPARSE;
    if (!valid_date(y, m, d))
        return WD_EPARSE;
    *out = wd_date_days_from_civil(y, (unsigned)m, (unsigned)d) * MS_PER_DAY +
           ms_of_day - (int64_t)off_min * 60000;
    if (prec)
        *prec = has_time ? WD_DATE_MINUTE : WD_DATE_DAY;
    return 0;
}

/* The word that some languages write between a date and its time ("at",
 * Russian "в", Turkish "saat", Persian "ساعت", German "um", French "à",
 * ...), with its dot when it has one ("kl."). */
static bool
eat_time_word(struct cur *c)
{
    static const char *const words[] = {"at",   "в",  "о",  "saat",
                                        "ساعت", "um", "à",  "às",
                                        "alle", "om", "kl", "klo"};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (eat_word(c, words[k])) {
            eat_char(c, '.');
            return true;
        }
    return false;
}

/* The end of a dated string: nothing, or a separator (",", "-", "|", "/")
 * and a time word, either or both, and a time of day; then the value of
 * the whole. */
static int
finish_date(struct cur *c, long y, long m, long d, int64_t *out,
            enum wd_date_precision *prec)
{
    long tod = 0, off = 0;
    bool has_time = false;
    skip_space(c);
    /* A weekday after the date, as Turkish and Azerbaijani write it
     * ("24 Ekim 2025 Cuma"). */
    size_t save = c->i;
    eat_char(c, ',');
    skip_space(c);
    const char *w;
    size_t n = read_word(c, &w);
    if (n && is_weekday(w, n)) {
        eat_char(c, '.');
        skip_space(c);
    } else {
        c->i = save;
    }
    if (!at_end(c)) {
        if (eat_char(c, ',') || eat_char(c, '-') || eat_char(c, '|') ||
            eat_char(c, '/'))
            skip_space(c);
        if (eat_time_word(c))
            skip_space(c);
        if (!read_time(c, &tod, &off))
            return WD_EPARSE;
        has_time = true;
    }
    if (!finish(c))
        return WD_EPARSE;
    return result(y, m, d, tod, off, has_time, out, prec);
}

/* ISO 8601 and its slash variant: YYYY-MM-DD[Thh:mm[:ss[.f]]][zone]. */
static int
parse_iso(struct cur *c, int64_t *out, enum wd_date_precision *prec)
{
    long y, m, d;
    int yd;
    if (!read_num(c, 4, &y, &yd) || yd != 4)
        return WD_EPARSE;
    int sep = peek(c);
    if (sep != '-' && sep != '/')
        return WD_EPARSE;
    c->i++;
    if (!read_num(c, 2, &m, NULL) || !eat_char(c, sep) ||
        !read_num(c, 2, &d, NULL))
        return WD_EPARSE;
    long tod = 0, off = 0;
    bool has_time = false;
    if (peek(c) == 'T' || peek(c) == 't' || peek(c) == ' ') {
        size_t save = c->i;
        c->i++;
        skip_space(c);
        /* "2025/10/24 - 09:45", "1404/07/28 | 09:45" */
        if (peek(c) == '-' || peek(c) == '|' || peek(c) == ',') {
            c->i++;
            skip_space(c);
        }
        if (read_time(c, &tod, &off))
            has_time = true;
        else
            c->i = save;
    }
    if (!has_time && !read_zone(c, &off))
        return WD_EPARSE;
    if (!finish(c))
        return WD_EPARSE;
    /* A year of the 14th century of the Solar Hijri calendar, with
     * slashes as Iranian and Afghan sites write it ("1404/08/05" = 27
     * October 2025; "1453-05-29" stays ISO). */
    if (sep == '/' && y >= 1300 && y < 1500 && m >= 1 && m <= 12)
        m += 12;
    return result(y, m, d, tod, off, has_time, out, prec);
}

/* DD.MM.YYYY [time] */
static int
parse_dotted(struct cur *c, int64_t *out, enum wd_date_precision *prec)
{
    long d, m, y;
    int yd;
    if (!read_num(c, 2, &d, NULL) || !eat_char(c, '.') ||
        !read_num(c, 2, &m, NULL) || !eat_char(c, '.') ||
        !read_num(c, 4, &y, &yd) || yd != 4)
        return WD_EPARSE;
    return finish_date(c, y, m, d, out, prec);
}

/* An ordinal suffix after a day number: "1st", "22nd", "3rd", "24th". */
static void
skip_ordinal(struct cur *c)
{
    size_t save = c->i;
    const char *w;
    size_t n = read_word(c, &w);
    if (!(word_is(w, n, "st") || word_is(w, n, "nd") || word_is(w, n, "rd") ||
          word_is(w, n, "th")))
        c->i = save;
}

/* Skips a word written after a year ("г.", "года", "ж.", "gada"), with
 * its dot. */
static void
skip_year_word(struct cur *c)
{
    size_t save = c->i;
    skip_space(c);
    const char *w;
    size_t n = read_word(c, &w);
    char buf[32];
    if (n && fold_word(w, n, buf, sizeof buf))
        for (size_t i = 0;
             i < sizeof date_year_words / sizeof date_year_words[0]; i++)
            if (strcmp(buf, date_year_words[i]) == 0) {
                eat_char(c, '.');
                return;
            }
    c->i = save;
}

/* Skips a word written between the day, the month and the year ("de"). */
static void
skip_particle(struct cur *c)
{
    size_t save = c->i;
    skip_space(c);
    const char *w;
    size_t n = read_word(c, &w);
    char buf[16];
    if (n && fold_word(w, n, buf, sizeof buf))
        for (size_t i = 0; i < sizeof date_particles / sizeof date_particles[0];
             i++)
            if (strcmp(buf, date_particles[i]) == 0)
                return;
    c->i = save;
}

/* D[ordinal][-|.] [de] Month[.] [de] or Month[.] D[ordinal]: the day and the
 * month of a written date ("24 октября", "24-oktabr", "24. Oktober",
 * "24 de octubre de", "October 24th"). */
static bool
read_day_month(struct cur *c, long *d, long *m)
{
    const char *w;
    size_t n;
    if (is_digit(peek(c))) {
        if (!read_num(c, 2, d, NULL))
            return false;
        skip_ordinal(c);
        if (!eat_char(c, '-')) /* Uzbek, Kyrgyz: "24-oktabr" */
            eat_char(c, '.');  /* "24. Oktober" */
        skip_particle(c);
        skip_space(c);
        n = read_word(c, &w);
        if (!(*m = month_of(w, n)))
            return false;
        eat_char(c, '.');
        skip_particle(c);
        return true;
    }
    n = read_word(c, &w);
    if (!(*m = month_of(w, n)))
        return false;
    eat_char(c, '.');
    skip_space(c);
    if (!read_num(c, 2, d, NULL))
        return false;
    skip_ordinal(c);
    return true;
}

/* [weekday[,]] (D Month | Month D)[,] YYYY [[,|at|-|'|'] time] */
static int
parse_textual(struct cur *c, int64_t *out, enum wd_date_precision *prec)
{
    const char *w;
    size_t n;
    size_t save = c->i;
    n = read_word(c, &w);
    if (n && is_weekday(w, n)) {
        eat_char(c, '.');
        skip_space(c);
        eat_char(c, ',');
        skip_space(c);
    } else {
        c->i = save;
    }
    long d = 0, m = 0, y = 0;
    if (!read_day_month(c, &d, &m))
        return WD_EPARSE;
    skip_space(c);
    eat_char(c, ',');
    skip_space(c);
    int yd;
    if (!read_num(c, 4, &y, &yd) || yd != 4)
        return WD_EPARSE;
    skip_year_word(c);
    return finish_date(c, y, m, d, out, prec);
}

/* Year first, as Kazakh, Kyrgyz, Hungarian, Latvian, Lithuanian and
 * Mongolian write it: YYYY[.] [year word[.]][,|-] (D[.|-] Month | Month
 * D[.]) ["2025 ж. 24 қазан", "2025-ж., 24-октябрь", "2025. október 24."]. */
static int
parse_year_first(struct cur *c, int64_t *out, enum wd_date_precision *prec)
{
    long y, m, d;
    int yd;
    if (!read_num(c, 4, &y, &yd) || yd != 4)
        return WD_EPARSE;
    eat_char(c, '.');
    eat_char(c, '-');
    skip_year_word(c);
    eat_char(c, ',');
    skip_space(c);
    bool day_first = is_digit(peek(c));
    if (!read_day_month(c, &d, &m))
        return WD_EPARSE;
    if (!day_first) {
        eat_char(c, '.');
        /* Lithuanian "24 d." */
        size_t save = c->i;
        const char *w;
        skip_space(c);
        size_t n = read_word(c, &w);
        if (!(n == 1 && lower(w[0]) == 'd' && eat_char(c, '.')))
            c->i = save;
    }
    return finish_date(c, y, m, d, out, prec);
}

static int64_t
start_of_day(int64_t ms)
{
    int64_t day = ms / MS_PER_DAY;
    if (ms < 0 && ms % MS_PER_DAY)
        day--;
    return day * MS_PER_DAY;
}

static int
by_day(const void *key, const void *elem)
{
    return strcmp(key, ((const struct date_day *)elem)->word);
}

/* A relative form's prefix and suffix, compared as date_rels is sorted. */
struct rel_key {
    const char *prefix, *suffix;
};

static int
rel_cmp(const struct rel_key *k, const struct date_rel *r)
{
    int c = strcmp(k->prefix, r->prefix);
    return c ? c : strcmp(k->suffix, r->suffix);
}

/* Whether the code point at s[i] (before end) folds to a space, as
 * parse_relative_intl() folds: a space, a tab, a no-break space. */
static bool
folds_to_space(const char *s, size_t i, size_t end)
{
    if (s[i] == ' ' || s[i] == '\t')
        return true;
    return i + 1 < end && (unsigned char)s[i] == 0xC2 &&
           (unsigned char)s[i + 1] == 0xA0;
}

/* The shape of a relative form with a count, on s[from..end) whose first
 * digit is at first: what the folded copy would show, "[PREFIX ]COUNT
 * SUFFIX" with a count of one to four digits. */
static bool
relative_shape(const char *s, size_t from, size_t end, size_t first)
{
    /* Before the count, a space: its last byte (a no-break space ends in
     * 0xA0, which no other code point folding to a space does). */
    if (first > from) {
        size_t b = first - 1;
        bool nbsp = b > from && (unsigned char)s[b] == 0xA0 &&
                    (unsigned char)s[b - 1] == 0xC2;
        if (!nbsp && s[b] != ' ' && s[b] != '\t')
            return false;
    }
    size_t i = first;
    while (i < end && i - first < 4 && s[i] >= '0' && s[i] <= '9')
        i++;
    return i < end && folds_to_space(s, i, end);
}

/* The relative forms of the other languages (date_names.inc): "вчера",
 * "bugün", "2 часа назад", "vor 3 Stunden", "hace 5 minutos", "3 saat
 * önce", "5 daqiqa oldin". The rest of the string, folded, must be one of
 * them. */
static int
parse_relative_intl(struct cur *c, int64_t now, int64_t *out,
                    enum wd_date_precision *prec)
{
    char buf[128];
    size_t n = c->n - c->i;
    if (n == 0 || n >= sizeof buf / 2)
        return WD_EPARSE;
    /* Without a digit only a day word can match ("вчера": at most
     * DATE_DAY_WORD_MAX bytes, and a few spaces more that fold away): most
     * lines a page's classifier asks about are refused here, before they
     * are folded. */
    bool digit = false;
    size_t first = c->n; /* its first digit */
    for (size_t i = c->i; i < c->n && !digit; i++)
        if ((digit = c->s[i] >= '0' && c->s[i] <= '9'))
            first = i;
    if (!digit && n > DATE_DAY_WORD_MAX + 8)
        return WD_EPARSE;
    /* With a digit, the shape below ("[PREFIX ]COUNT SUFFIX": a space
     * before the count unless it opens the line, at most four digits and a
     * space after) read on the line as it is, where folding keeps digits
     * and turns only spaces into spaces: most lines are refused before
     * they are folded. */
    if (digit && !relative_shape(c->s, c->i, c->n, first))
        return WD_EPARSE;
    /* Fold letter by letter; spaces (and no-break spaces) become one. */
    size_t o = 0;
    for (size_t i = c->i; i < c->n;) {
        unsigned char b = (unsigned char)c->s[i];
        if (b < 0x80 && b != ' ' && b != '\t') {
            /* (ASCII but the spaces: as below, without decoding.) */
            if (o + 1 >= sizeof buf)
                return WD_EPARSE;
            buf[o++] = (char)lower(b);
            i++;
            continue;
        }
        uint32_t cp;
        i += wd_utf8_next(c->s + i, c->n - i, &cp);
        /* (Invalid bytes fold to U+FFFD, three bytes each: the copy can
         * outgrow the string, and every write is bounded.) */
        if (o + 1 >= sizeof buf)
            return WD_EPARSE;
        if (cp == ' ' || cp == '\t' || cp == 0xA0) {
            if (o && buf[o - 1] != ' ')
                buf[o++] = ' ';
            continue;
        }
        size_t k =
            wd_utf8_encode(wd_cp_tolower(cp), buf + o, sizeof buf - 1 - o);
        if (k == 0)
            return WD_EPARSE;
        o += k;
    }
    while (o && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
    if (!digit) { /* (no day word has a digit) */
        const struct date_day *d =
            bsearch(buf, date_days, sizeof date_days / sizeof date_days[0],
                    sizeof date_days[0], by_day);
        if (!d)
            return WD_EPARSE;
        *out = start_of_day(now) + d->offset * MS_PER_DAY;
        if (prec)
            *prec = WD_DATE_DAY;
        return 0;
    }
    /* The line's shape first, "[PREFIX ]COUNT SUFFIX" (the table's words
     * have no digit): most lines with a digit are refused here, not by
     * each of the table's entries in turn. */
    const char *num = buf;
    while (*num && !(*num >= '0' && *num <= '9'))
        num++;
    size_t pl = (size_t)(num - buf);
    if (pl && buf[pl - 1] != ' ')
        return WD_EPARSE;
    pl = pl ? pl - 1 : 0;
    const char *p = num;
    long count = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4)
        count = count * 10 + (*p++ - '0'), digits++;
    if (*p != ' ')
        return WD_EPARSE;
    /* The table is sorted by prefix, then suffix (bytes): the first entry
     * of the line's pair, as a scan in order would find it. */
    buf[pl] = '\0'; /* (the prefix alone; it was followed by a space) */
    struct rel_key k = {buf, p + 1};
    size_t lo = 0, hi = sizeof date_rels / sizeof date_rels[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rel_cmp(&k, &date_rels[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == sizeof date_rels / sizeof date_rels[0] ||
        rel_cmp(&k, &date_rels[lo]) != 0)
        return WD_EPARSE;
    const struct date_rel *r = &date_rels[lo];
    *out = now - count * r->unit_ms;
    if (prec)
        *prec = r->unit_ms >= MS_PER_DAY ? WD_DATE_DAY : WD_DATE_MINUTE;
    return 0;
}

/* "just now", "today", "yesterday", "N units ago", "an hour ago". */
static int
parse_relative(struct cur *c, int64_t now, int64_t *out,
               enum wd_date_precision *prec)
{
    size_t save = c->i;
    /* The first word, read once (each form below starts with it). */
    const char *first;
    size_t fn = read_word(c, &first);
    c->i = save;
    if (fn && word_is(first, fn, "just")) {
        c->i = save + fn;
        skip_space(c);
        if (eat_word(c, "now") && finish(c)) {
            *out = now;
            if (prec)
                *prec = WD_DATE_MINUTE;
            return 0;
        }
        c->i = save;
        return WD_EPARSE;
    }
    c->i = save + fn;
    if (fn && (word_is(first, fn, "today") || word_is(first, fn, "now")) &&
        finish(c)) {
        *out = start_of_day(now);
        if (prec)
            *prec = WD_DATE_DAY;
        return 0;
    }
    if (fn && word_is(first, fn, "yesterday") && finish(c)) {
        *out = start_of_day(now) - MS_PER_DAY;
        if (prec)
            *prec = WD_DATE_DAY;
        return 0;
    }
    long count;
    if (fn && (word_is(first, fn, "a") || word_is(first, fn, "an"))) {
        count = 1;
    } else {
        c->i = save;
        if (!read_num(c, 4, &count, NULL))
            return WD_EPARSE;
    }
    skip_space(c);
    const char *w;
    size_t n = read_word(c, &w);
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {
        {"second", 1000},
        {"seconds", 1000},
        {"sec", 1000},
        {"secs", 1000},
        {"s", 1000},
        {"minute", 60000},
        {"minutes", 60000},
        {"min", 60000},
        {"mins", 60000},
        {"m", 60000},
        {"hour", 3600000},
        {"hours", 3600000},
        {"hr", 3600000},
        {"hrs", 3600000},
        {"h", 3600000},
        {"day", MS_PER_DAY},
        {"days", MS_PER_DAY},
        {"d", MS_PER_DAY},
        {"week", 7 * MS_PER_DAY},
        {"weeks", 7 * MS_PER_DAY},
    };
    int64_t unit = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (word_is(w, n, units[i].name))
            unit = units[i].ms;
    if (!unit)
        return WD_EPARSE;
    skip_space(c);
    if (!eat_word(c, "ago") || !finish(c))
        return WD_EPARSE;
    *out = now - count * unit;
    if (prec)
        *prec = unit >= MS_PER_DAY ? WD_DATE_DAY : WD_DATE_MINUTE;
    return 0;
}

/* Skips a leading label such as "Published:", "Last updated on". */
static void
skip_label(struct cur *c)
{
    size_t save = c->i;
    /* The first word read once, not once a label it might be. */
    const char *w;
    size_t n = read_word(c, &w);
    if (n && word_is(w, n, "last")) {
        skip_space(c);
        n = read_word(c, &w);
    }
    if (n && (word_is(w, n, "published") || word_is(w, n, "updated") ||
              word_is(w, n, "posted") || word_is(w, n, "modified") ||
              word_is(w, n, "date"))) {
        skip_space(c);
        if (eat_word(c, "on") || eat_word(c, "at"))
            skip_space(c);
        eat_char(c, ':');
        skip_space(c);
        return;
    }
    c->i = save;
    /* A label of one to three words and a colon, in any language
     * ("Güncelleme:", "Опубликовано:", "Yangilandi:"): what follows must
     * still be a whole date. (Most lines have no colon at all.) */
    if (!memchr(c->s + c->i, ':', c->n - c->i))
        return;
    for (int words = 0; words < 3; words++) {
        if (!read_word(c, &w))
            break;
        if (eat_char(c, ':')) {
            skip_space(c);
            return;
        }
        skip_space(c);
    }
    c->i = save;
}

/* The time first: "13:36 / 24.10.2025", "13:36, 24 октября 2025". */
static int
parse_time_first(struct cur *c, int64_t *out, enum wd_date_precision *prec)
{
    long tod = 0, off = 0;
    if (!read_time(c, &tod, &off))
        return WD_EPARSE;
    skip_space(c);
    if (eat_char(c, '/') || eat_char(c, '|') || eat_char(c, ',') ||
        eat_char(c, '-'))
        skip_space(c);
    if (at_end(c))
        return WD_EPARSE;
    size_t start = c->i;
    int (*forms[])(struct cur *, int64_t *, enum wd_date_precision *) = {
        parse_dotted, parse_textual, parse_year_first};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        int64_t v;
        enum wd_date_precision p;
        c->i = start;
        if (forms[f](c, &v, &p) == 0 && p == WD_DATE_DAY) {
            *out = v + tod - (int64_t)off * 60000;
            if (prec)
                *prec = WD_DATE_MINUTE;
            return 0;
        }
    }
    return WD_EPARSE;
}

/* s[from..to) as a relative date of any language: English first, then the
 * others (date_names.inc). */
static int
parse_relative_any(const char *s, size_t from, size_t to, int64_t now,
                   int64_t *out, enum wd_date_precision *prec)
{
    struct cur d = {s, to, from};
    if (parse_relative(&d, now, out, prec) == 0)
        return 0;
    d.i = from;
    return parse_relative_intl(&d, now, out, prec);
}

/* A relative day and a time: "вчера, 16:48", "Kecha, 17:40", "today at
 * 09:15", "bugün 14:00". */
static int
parse_day_time(struct cur *c, int64_t now, int64_t *out,
               enum wd_date_precision *prec)
{
    /* The time is the last field: after the last comma or space. */
    size_t end = c->n, k = end;
    while (k > c->i && c->s[k - 1] != ',' && c->s[k - 1] != ' ')
        k--;
    if (k == c->i || k == end)
        return WD_EPARSE;
    struct cur t = {c->s, end, k};
    long tod = 0, off = 0;
    if (!read_time(&t, &tod, &off) || !finish(&t))
        return WD_EPARSE;
    /* The day: the rest, without the comma and an "at"/"в" before it. */
    size_t dn = k - 1;
    while (dn > c->i && (c->s[dn - 1] == ' ' || c->s[dn - 1] == ','))
        dn--;
    int64_t day;
    enum wd_date_precision p;
    if (parse_relative_any(c->s, c->i, dn, now, &day, &p) != 0) {
        /* "... at": drop the last word and try once more. */
        size_t w = dn;
        while (w > c->i && c->s[w - 1] != ' ')
            w--;
        if (w == c->i ||
            parse_relative_any(c->s, c->i, w - 1, now, &day, &p) != 0)
            return WD_EPARSE;
    }
    if (p != WD_DATE_DAY)
        return WD_EPARSE;
    *out = day + tod - (int64_t)off * 60000;
    if (prec)
        *prec = WD_DATE_MINUTE;
    return 0;
}

/* A day and a month without a year ("21 ноября, 08:15", "24 Ekim"): the
 * last such day that is not after tomorrow. */
static int
parse_no_year(struct cur *c, int64_t now, int64_t *out,
              enum wd_date_precision *prec)
{
    long d, m;
    /* A Solar Hijri month needs its year. */
    if (!read_day_month(c, &d, &m) || m > 12)
        return WD_EPARSE;
    int64_t days = now / MS_PER_DAY;
    /* The year of now (civil_from_days, years only). */
    long y = (long)(1970 + days / 365);
    while (wd_date_days_from_civil(y, 1, 1) > days)
        y--;
    while (wd_date_days_from_civil(y + 1, 1, 1) <= days)
        y++;
    int64_t v;
    enum wd_date_precision p;
    size_t at = c->i;
    if (finish_date(c, y, m, d, &v, &p) != 0)
        return WD_EPARSE;
    if (v > now + MS_PER_DAY) {
        c->i = at;
        if (finish_date(c, y - 1, m, d, &v, &p) != 0)
            return WD_EPARSE;
    }
    *out = v;
    if (prec)
        *prec = p;
    return 0;
}

size_t
wd_date_digit(const char *s, size_t n, int *value)
{
    const uint8_t *u = (const uint8_t *)s;
    if (n >= 1 && u[0] >= '0' && u[0] <= '9') {
        *value = u[0] - '0';
        return 1;
    }
    if (n >= 2 && ((u[0] == 0xDB && u[1] >= 0xB0 && u[1] <= 0xB9) ||
                   (u[0] == 0xD9 && u[1] >= 0xA0 && u[1] <= 0xA9))) {
        *value = u[1] - (u[0] == 0xDB ? 0xB0 : 0xA0);
        return 2;
    }
    return 0;
}

/* s with its Persian (U+06F0..) and Arabic-Indic (U+0660..) digits as
 * ASCII ones, and the Arabic comma and semicolon (U+060C, U+061B) as ","
 * and ";", in buf; NULL when it has none (or is too long to copy). */
static const char *
ascii_digits(const char *s, size_t *len, char *buf, size_t cap)
{
    size_t n = *len, o = 0;
    /* Each of them is two bytes from 0x80 up: ASCII, most lines, has none
     * (not copied). */
    if (wd_ascii_span(s, n) == n)
        return NULL;
    /* Their first bytes are 0xD8, 0xD9 or 0xDB: a line of other scripts
     * (or with typographic quotes) has none of them. */
    size_t lead = 0;
    while (lead < n &&
           (((uint8_t)s[lead] & 0xFC) != 0xD8 || (uint8_t)s[lead] == 0xDA))
        lead++;
    if (lead == n)
        return NULL;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *u = (const uint8_t *)s + i;
        bool punct =
            i + 1 < n && u[0] == 0xD8 && (u[1] == 0x8C || u[1] == 0x9B);
        int v;
        size_t k = punct ? 0 : wd_date_digit(s + i, n - i, &v);
        if (o + 1 >= cap)
            return NULL;
        if (punct) {
            buf[o++] = u[1] == 0x8C ? ',' : ';';
            i++;
            any = true;
        } else if (k == 2) {
            buf[o++] = (char)('0' + v);
            i++;
            any = true;
        } else {
            buf[o++] = s[i];
        }
    }
    *len = o;
    return any ? buf : NULL;
}

int
wd_date_parse(const char *s, size_t len, int64_t now_ms, int64_t *out_ms,
              enum wd_date_precision *precision)
{
    char digits[256];
    size_t dlen = len;
    const char *ds = ascii_digits(s, &dlen, digits, sizeof digits);
    if (ds)
        s = ds, len = dlen;
    struct cur c = {s, len, 0};
    skip_space(&c);
    while (c.n > c.i && (c.s[c.n - 1] == ' ' || c.s[c.n - 1] == '\t' ||
                         c.s[c.n - 1] == '\r' || c.s[c.n - 1] == '\n'))
        c.n--;
    skip_label(&c);
    if (at_end(&c))
        return WD_EPARSE;
    size_t start = c.i;
    int64_t v;
    enum wd_date_precision p;
    /* Every form but the relative ones has a number (a day, a year, a
     * time; other scripts' digits are ASCII by now): a line without a
     * digit, most of the short lines a page asks about, tries those
     * alone. */
    bool digit = false;
    for (size_t i = start; i < c.n && !digit; i++)
        digit = is_digit((unsigned char)c.s[i]);
    static int (*const forms[])(struct cur *, int64_t *,
                                enum wd_date_precision *) = {
        parse_iso, parse_dotted, parse_textual, parse_year_first,
        parse_time_first};
    for (size_t f = 0; digit && f < sizeof forms / sizeof forms[0]; f++) {
        c.i = start;
        if (forms[f](&c, &v, &p) == 0) {
            *out_ms = v;
            if (precision)
                *precision = p;
            return 0;
        }
    }
    c.i = start;
    if (parse_relative_any(c.s, start, c.n, now_ms, &v, &p) == 0 ||
        (c.i = start, digit && parse_day_time(&c, now_ms, &v, &p) == 0) ||
        (c.i = start,
         digit && now_ms > 0 && parse_no_year(&c, now_ms, &v, &p) == 0)) {
        *out_ms = v;
        if (precision)
            *precision = p;
        return 0;
    }
    return WD_EPARSE;
}

int
wd_date_from_url(const char *u, int64_t *ms)
{
    size_t n = u ? strlen(u) : 0;
    for (size_t i = 1; i + 8 <= n; i++) {
        char prev = u[i - 1];
        if (prev != '/' && prev != '-' && prev != '_')
            continue;
        size_t j = i;
        int v[3] = {0, 0, 0}, widths[3] = {4, 2, 2}, f;
        for (f = 0; f < 3 && j < n; f++) {
            if (f > 0 && (u[j] == '/' || u[j] == '-' || u[j] == '_'))
                j++;
            int k;
            for (k = 0; k < widths[f] && j < n && u[j] >= '0' && u[j] <= '9';
                 k++, j++)
                v[f] = v[f] * 10 + (u[j] - '0');
            /* A month by its English abbreviation: /2019/jan/03/ */
            if (f == 1 && k == 0 && j + 4 <= n && u[j + 3] == '/') {
                static const char months[] = "janfebmaraprmayjunjul"
                                             "augsepoctnovdec";
                char m[3] = {(char)(u[j] | 0x20), (char)(u[j + 1] | 0x20),
                             (char)(u[j + 2] | 0x20)};
                for (int mo = 0; mo < 12 && !k; mo++)
                    if (memcmp(months + 3 * mo, m, 3) == 0)
                        v[f] = mo + 1, k = widths[f], j += 3;
            }
            if (k != widths[f])
                break;
        }
        if (f < 3 || (j < n && u[j] >= '0' && u[j] <= '9'))
            continue;
        if (v[0] < 1995 || v[0] > 2099 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
            v[2] > 31)
            continue;
        char iso[16];
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", v[0], v[1], v[2]);
        if (wd_date_parse(iso, strlen(iso), 0, ms, NULL) == 0)
            return 0;
    }
    return -1;
}
