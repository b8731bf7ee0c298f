/* WD_TEST_LABEL: unit */
/* The first tagger on made-up sentences and on one seed article. */
#include "test.h"

#include "wd/channel.h"
#include "wd/err.h"
#include "wd/tag.h"

static struct wd_tagger *tg;

static struct wd_tags
tag(const char *title, const char *body)
{
    struct wd_tags t;
    CHECK_OK(wd_tagger_tag(tg, title, strlen(title), body, strlen(body), &t));
    return t;
}

static bool
has_country(const struct wd_tags *t, const char *cc)
{
    for (size_t i = 0; i < t->n_countries; i++)
        if (strcmp(t->countries[i].code, cc) == 0)
            return true;
    return false;
}

static bool
has_theme(const struct wd_tags *t, const char *slug)
{
    for (size_t i = 0; i < t->n_themes; i++)
        if (strcmp(t->themes[i].code, slug) == 0)
            return true;
    return false;
}

/* A long body of neutral sentences, to push a mention past the lead. */
static const char filler[] =
    "The meeting lasted for several hours and covered a number of topics. "
    "Participants said the discussion was open and constructive in tone. "
    "Further talks are expected to follow in the coming months as well. "
    "Observers noted that the tone of the exchange had changed over time. "
    "A joint statement is due to be released later in the week by staff. ";

static void
test_title_mention_tags(void)
{
    struct wd_tags t = tag("Mongolia Opens New Border Crossing", filler);
    CHECK(has_country(&t, "MN"));
    CHECK_INT(t.n_countries, ==, 1);
}

static void
test_passing_mention_does_not(void)
{
    char body[2048];
    snprintf(body, sizeof body, "%s%s Officials from Peru also attended.",
             filler, filler);
    struct wd_tags t = tag("Officials Meet to Discuss Plans", body);
    CHECK(!has_country(&t, "PE"));
    /* The same country named in the lead and again later does count. */
    snprintf(body, sizeof body, "Peru hosted the talks. %s Peru said so.",
             filler);
    t = tag("Officials Meet to Discuss Plans", body);
    CHECK(has_country(&t, "PE"));
}

/* A brief has no room to repeat a name: one mention counts there, while
 * the same sentence at the top of a long story does not; a brief naming
 * no place still gets no country. */
static void
test_briefs(void)
{
    const char *brief = "Russia announced that it will help Iran get "
                        "nuclear fuel, raising questions about the deal.";
    struct wd_tags t = tag("Fuel deal questioned", brief);
    CHECK(has_country(&t, "RU"));
    CHECK(has_country(&t, "IR"));
    char body[2048];
    snprintf(body, sizeof body, "%s %s%s", brief, filler, filler);
    t = tag("Fuel deal questioned", body);
    CHECK(!has_country(&t, "IR"));
    t = tag("Traders react", "Some traders found Wednesday's Fed statement "
                             "to be a bit gloomier than expected.");
    CHECK(has_country(&t, "US"));
    t = tag("Shares fall", "Shares fell sharply on Tuesday as investors "
                           "weighed the company's weaker outlook.");
    CHECK_INT(t.n_countries, ==, 0);
    /* Surnames that are also places: "Michael Mann", "Batman" the film. */
    t = tag("Climate debate", "Those interpretations are disputed by Michael "
                              "Mann, a climate scientist. Mann writes that "
                              "the models are about right.");
    CHECK_INT(t.n_countries, ==, 0);
    t = tag("Games", "The Batman game is out. Fans of Batman will like it.");
    CHECK_INT(t.n_countries, ==, 0);
}

static void
test_possessive_and_curly_quotes(void)
{
    struct wd_tags t = tag("Kazakhstan’s New Rail Line", filler);
    CHECK(has_country(&t, "KZ"));
    t = tag("Uzbekistan's Budget Grows", filler);
    CHECK(has_country(&t, "UZ"));
}

static void
test_case_matters(void)
{
    struct wd_tags t = tag("Talks With US Officials Resume", filler);
    CHECK(has_country(&t, "US"));
    t = tag("Let us cook the turkey for Christmas", filler);
    CHECK(!has_country(&t, "US"));
    CHECK(!has_country(&t, "TR"));
    t = tag("Turkey and Greece Sign Deal", filler);
    CHECK(has_country(&t, "TR"));
    CHECK(has_country(&t, "GR"));
}

static void
test_longest_phrase_wins(void)
{
    struct wd_tags t = tag("South Korea and Papua New Guinea Agree", filler);
    CHECK(has_country(&t, "KR"));
    CHECK(has_country(&t, "PG"));
    CHECK(!has_country(&t, "GN")); /* not "Guinea" */
    CHECK(!has_country(&t, "KP"));
}

static void
test_ambiguous_names(void)
{
    struct wd_tags t = tag("Michael Jordan Visits Chicago", filler);
    CHECK(!has_country(&t, "JO"));
    t = tag("Jordan Opens Border With Syria",
            "Jordanian officials in Amman said trucks may cross again.");
    CHECK(has_country(&t, "JO"));
    CHECK(has_country(&t, "SY"));
    t = tag("Storm Hits Georgia",
            "Heavy rain fell on Atlanta and the coast of the U.S. state.");
    CHECK(!has_country(&t, "GE"));
    t = tag("Georgia Holds Elections", "Voters in Tbilisi went to the polls.");
    CHECK(has_country(&t, "GE"));
}

/* The common words of wire copy that are also places, each as a place
 * and as a word (the issue of headlines in capitals), and a story that
 * names no place at all. */
static void
test_common_words_need_corroboration(void)
{
    static const struct {
        const char *title, *body, *cc;
        bool place;
    } cases[] = {
        {"AMERTEX CORP COMPLETES SALE OF PIPE COATING UNIT",
         "Amertex Corp said it completed the sale of its pipe coating unit "
         "to a group of investors for 12 mln dlrs.",
         "MA", false},
        {"Floods cut roads around Sale and Rabat",
         "Rain flooded streets in Salé and Rabat, Moroccan officials said, "
         "and trains to Casablanca were halted.",
         "MA", true},
        {"GULF CREST RESOURCES 2ND QTR NET",
         "Gulf Crest Resources Inc said quarterly net income rose to 3.1 mln "
         "dlrs on higher refining margins.",
         "PG", false},
        {"Landslide blocks highway in Papua New Guinea's Gulf province",
         "A landslide in Gulf province cut the road to Kerema, officials in "
         "Port Moresby said.",
         "PG", true},
        {"Potato shortage leaves diners short of French fries",
         "Restaurants in Idaho and Ohio ran short of French fries as the "
         "potato harvest fell by a fifth.",
         "TF", false},
        {"French farmers block roads near Paris",
         "French farmers drove tractors onto roads around Paris to protest "
         "against fuel taxes.",
         "FR", true},
        {"Restored Douglas DC-3 returns to the sky after 20 years",
         "A Douglas DC-3 restored by volunteers in Oregon flew again on "
         "Saturday.",
         "IM", false},
        {"Isle of Man budget raises spending on Douglas harbour",
         "The Isle of Man government in Douglas said the harbour would get "
         "new berths.",
         "IM", true},
        {"TURKEY PRICES FALL AHEAD OF THANKSGIVING AS FLOCKS RECOVER",
         "Wholesale turkey prices fell 8 percent as farmers in Minnesota and "
         "Iowa rebuilt their flocks.",
         "TR", false},
        {"TURKEY RAISES INTEREST RATES AGAIN",
         "Turkey's central bank in Ankara raised its main rate to 45 percent "
         "on Thursday.",
         "TR", true},
        {"GAO FAULTS PENTAGON OVER SPARE PARTS TRACKING",
         "The Government Accountability Office (GAO) said the Pentagon could "
         "not account for spare parts worth 1.4 bln dlrs.",
         "ML", false},
        {"Fighting near Gao forces thousands to flee in northern Mali",
         "Clashes near Gao and Timbuktu drove thousands of people from their "
         "homes, Malian officials said.",
         "ML", true},
        {"Chad Smith to leave the band after the tour",
         "Drummer Chad Smith said he would play his last shows with the band "
         "in the autumn and then rest.",
         "TD", false},
        {"Chad declares state of emergency after floods",
         "Chad's government in N'Djamena said floods had destroyed 40,000 "
         "homes along the Chari river.",
         "TD", true},
        {"Floods displace 40,000 in Nigeria's Niger State",
         "Floods in Niger State, in central Nigeria, drove 40,000 people from "
         "their homes, Nigerian officials said in Abuja.",
         "NE", false},
        {"Nigeria and Niger reopen border crossings to revive trade",
         "Nigeria and Niger reopened their border on Monday; officials in "
         "Niamey and Abuja said trucks began crossing at once.",
         "NE", true},
        {"Denzel Washington stars in a new courtroom drama",
         "Denzel Washington plays a lawyer in the film, which opens in "
         "cinemas next month.",
         "US", false},
        {"Soviet archives opened to historians",
         "Archives of the Soviet Union's foreign ministry were opened to "
         "historians, the archive said.",
         "RU", true},
        {"New tablet ships with a longer battery life",
         "The tablet ships next month with a larger screen, a faster chip and "
         "a battery that lasts twelve hours, the maker said.",
         NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct wd_tags t = tag(cases[i].title, cases[i].body);
        if (!cases[i].cc) {
            CHECK_INT(t.n_countries, ==, 0);
            continue;
        }
        if (has_country(&t, cases[i].cc) != cases[i].place)
            WD_FAIL_("\"%s\": %s %s", cases[i].title, cases[i].cc,
                     cases[i].place ? "missed" : "invented");
    }
}

/* A dateline's place: its names read as places, the later part deciding
 * ("SAVANNAH, Ga.": Savannah is also a region of Ghana). */
static void
test_dateline_places(void)
{
    static const struct {
        const char *place, *cc;
    } cases[] = {{"HOUSTON", "US"},       {"BAKU, Azerbaijan", "AZ"},
                 {"SAVANNAH, Ga.", "US"}, {"KEENE, N.H.", "US"},
                 {"ALMATY", "KZ"},        {"Tashkent, Uzbekistan", "UZ"},
                 {"NEW YORK", "US"},      {"WASHINGTON", "US"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cc[3];
        CHECK_OK(
            wd_tagger_place(tg, cases[i].place, strlen(cases[i].place), cc));
        CHECK_STR(cc, cases[i].cc);
    }
    char cc[3];
    CHECK_INT(wd_tagger_place(tg, "Foo Bar", 7, cc), ==, WD_ENOTFOUND);
}

static void
test_order_and_scores(void)
{
    struct wd_tags t =
        tag("Chile Signs Deal", "Chile and Peru agreed on the terms. Peru "
                                "will open its ports. Chile welcomed it.");
    CHECK(t.n_countries >= 2);
    if (t.n_countries >= 2) {
        CHECK_STR(t.countries[0].code, "CL");
        CHECK(t.countries[0].score == 1.0f);
        CHECK(t.countries[1].score < 1.0f && t.countries[1].score > 0.0f);
    }
    for (size_t i = 0; i < t.n_countries; i++) {
        const char *c = t.countries[i].code;
        CHECK(strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' &&
              c[1] <= 'Z');
    }
}

static void
test_themes(void)
{
    struct wd_tags t = tag(
        "Parliament Votes on New Government",
        "The prime minister told parliament the election would be held in "
        "spring. Opposition parties said the vote was rushed by the cabinet.");
    CHECK(has_theme(&t, "politics"));
    t = tag("Local Club Wins Football Championship",
            "The team beat its rivals in the final match of the tournament, "
            "and the coach praised the players and the fans in the stadium.");
    CHECK(has_theme(&t, "sport"));
    CHECK(!has_theme(&t, "politics"));
    /* In Russian, with case endings. */
    t = tag("Сборная выиграла чемпионат по футболу",
            "Команда обыграла соперников в финальном матче турнира, тренер "
            "похвалил футболистов и болельщиков на стадионе.");
    CHECK(has_theme(&t, "sport"));
    CHECK(!has_theme(&t, "politics"));
    t = tag("Парламент утвердил дату выборов",
            "Депутаты проголосовали за проведение парламентских выборов "
            "весной, оппозиционные партии раскритиковали решение.");
    CHECK(has_theme(&t, "politics"));
    t = tag("Earthquake Kills Dozens",
            "Rescue teams searched the debris for survivors after the "
            "earthquake; the death toll rose as the emergency went on.");
    CHECK(has_theme(&t, "disaster-accident-emergency"));
    /* Stems must not fire inside unrelated words. */
    t = tag("An Important Example", "It is important, for example, to be "
                                    "warm in the office in Islamabad.");
    CHECK_INT(t.n_themes, ==, 0);
}

static void
test_slugs_prefix_free(void)
{
    const char *const *slugs;
    size_t n = wd_tagger_theme_slugs(tg, &slugs);
    CHECK_INT(n, ==, 22); /* 17 IPTC top-level topics and 5 desk themes */
    /* The whole channel set: all, $stats, every possible country channel,
     * every theme channel. No name may be a prefix of another. */
    static char names[2 + 26 * 26 + 64][WD_CHANNEL_MAX];
    const char *ptrs[2 + 26 * 26 + 64];
    size_t k = 0;
    snprintf(names[k++], WD_CHANNEL_MAX, "%s", WD_CHANNEL_ALL);
    snprintf(names[k++], WD_CHANNEL_MAX, "%s", WD_CHANNEL_STATS);
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            char cc[3] = {a, b, 0};
            CHECK_OK(wd_channel_country(cc, names[k++], WD_CHANNEL_MAX));
        }
    for (size_t i = 0; i < n; i++)
        CHECK_OK(wd_channel_theme(slugs[i], names[k++], WD_CHANNEL_MAX));
    for (size_t i = 0; i < k; i++)
        ptrs[i] = names[i];
    size_t a = 0, b = 0;
    bool ok = wd_channel_prefix_free(ptrs, k, &a, &b);
    if (!ok)
        WD_FAIL_("channel %s is a prefix of %s", ptrs[a], ptrs[b]);
}

static void
test_empty(void)
{
    struct wd_tags t = tag("", "");
    CHECK_INT(t.n_countries, ==, 0);
    CHECK_INT(t.n_themes, ==, 0);
}

static void
test_seed_article(void)
{
    size_t len;
    char *buf =
        wd_test_slurp(WD_FIXTURES "/seeds/004_5a5ebf73775bfc62.txt", &len);
    char *nl = strchr(buf, '\n');
    CHECK(nl != NULL);
    struct wd_tags t;
    CHECK_OK(wd_tagger_tag(tg, buf, (size_t)(nl - buf), nl + 1,
                           len - (size_t)(nl + 1 - buf), &t));
    CHECK(has_country(&t, "KZ"));
    CHECK(has_country(&t, "AZ"));
    /* Its hand labels: transport-logistics, diplomacy, energy. */
    CHECK(has_theme(&t, "transport-logistics"));
    free(buf);
}

static void
test_folding_and_shared_names(void)
{
    /* Accents and dotted abbreviations fold onto the data's names. */
    struct wd_tags t = tag("Türkiye and the U.S. Agree on Grain", filler);
    CHECK(has_country(&t, "TR"));
    CHECK(has_country(&t, "US"));
    /* A city of several countries: the most populous, unless the text
     * names another of them. */
    t = tag("Hyderabad Opens Metro Line", filler);
    CHECK(has_country(&t, "IN"));
    CHECK(!has_country(&t, "PK"));
    t = tag("Hyderabad Traders Protest", "Traders in Hyderabad, in Pakistan's "
                                         "Sindh province, closed shops.");
    CHECK(has_country(&t, "PK"));
    CHECK(!has_country(&t, "IN"));
    /* A place name is not a theme word: Réunion is no reunion, and the
     * port in Port-au-Prince is no port. */
    t = tag("Cyclone Nears Réunion", "Réunion braced for the cyclone.");
    CHECK(has_country(&t, "RE"));
    CHECK(!has_theme(&t, "human-interest"));
    t = tag("Port-au-Prince Gangs Advance", "Gangs in Port-au-Prince advanced "
                                            "on Port-au-Prince's centre.");
    CHECK(has_country(&t, "HT"));
    CHECK(!has_theme(&t, "transport-logistics"));
}

static void
test_repeats_count_less(void)
{
    /* One word said six times does not drown three others of another
     * theme: the k-th use of a phrase counts 1/k. */
    struct wd_tags t = tag("News", "football football football football "
                                   "football football. The election, the "
                                   "parliament and the voters.");
    CHECK(has_theme(&t, "sport"));
    CHECK(has_theme(&t, "politics"));
}

/* A tagger of one gazetteer and one taxonomy given as text ("gaz.tsv",
 * "tax.tsv"); *rc the build's answer, the tagger NULL when it failed. */
static struct wd_tagger *
tagger_of(const char *gaz, const char *tax, char *err, size_t cap, int *rc)
{
    struct wd_tag_file g = {"gaz.tsv", gaz, strlen(gaz)};
    struct wd_tag_file x = {"tax.tsv", tax, strlen(tax)};
    struct wd_tagger *t = NULL;
    *rc = wd_tagger_build(&g, 1, &x, &t, err, cap);
    return t;
}

static int
build(const char *gaz, const char *tax, char *err, size_t cap)
{
    int rc;
    struct wd_tagger *t = tagger_of(gaz, tax, err, cap, &rc);
    if (rc == 0) {
        struct wd_tags out;
        CHECK_OK(wd_tagger_tag(t, "Freedonia Votes", 15,
                               "Freedonians voted in an election.", 33, &out));
        CHECK_INT(out.n_countries, ==, 1);
        CHECK_STR(out.countries[0].code, "FD");
        CHECK_INT(out.n_themes, ==, 1);
        CHECK_STR(out.themes[0].code, "votes");
    }
    wd_tagger_free(t);
    return rc;
}

static void
test_data_files(void)
{
    char err[256];
    const char *gaz = "# comment\nFreedonia\tFD\tcountry\t0\n"
                      "Freedonians\tFD\tdemonym\t0\n";
    const char *tax = "@theme\tvotes\tx\tVotes\n\nelect*\tvotes\t2\n"
                      "voted\tvotes\t1\n";
    CHECK_OK(build(gaz, tax, err, sizeof err));
    /* Every error names the file and the line. */
    CHECK_INT(
        build(gaz, "@theme\tvotes\tx\tV\nelect*\tvotez\t2\n", err, sizeof err),
        ==, WD_EINVAL);
    CHECK(strstr(err, "tax.tsv:2: unknown theme 'votez'") != NULL);
    CHECK_INT(build(gaz, "@theme\tvotes\tx\tV\nelect*\tvotes\tmany\n", err,
                    sizeof err),
              ==, WD_EINVAL);
    CHECK(strstr(err, "tax.tsv:2: weight 'many'") != NULL);
    CHECK_INT(build(gaz, "@theme\tVotes!\tx\tV\n", err, sizeof err), ==,
              WD_EINVAL);
    CHECK(strstr(err, "tax.tsv:1:") != NULL);
    CHECK_INT(build(gaz, "@theme\ttrade\tx\tT\n@theme\ttrade-war\tx\tTW\n", err,
                    sizeof err),
              ==, WD_EINVAL);
    CHECK(strstr(err, "tax.tsv:2: theme 'trade-war' and an earlier one") !=
          NULL);
    CHECK_INT(build(gaz, "# nothing\n", err, sizeof err), ==, WD_EINVAL);
    CHECK(strstr(err, "no @theme") != NULL);
    CHECK_INT(build("Freedonia\tFDX\tcountry\t0\n", tax, err, sizeof err), ==,
              WD_EINVAL);
    CHECK(strstr(err, "gaz.tsv:1: 'FDX' is not an ISO 3166-1") != NULL);
    CHECK_INT(build("A\tFD\tplanet\t0\n", tax, err, sizeof err), ==, WD_EINVAL);
    CHECK(strstr(err, "gaz.tsv:1: unknown kind 'planet'") != NULL);
    CHECK_INT(build("Freedonia\tFD\tcountry\n", tax, err, sizeof err), ==,
              WD_EINVAL);
    CHECK(strstr(err, "gaz.tsv:1: want 4") != NULL);
    /* A directory without the files: the path in the message. */
    struct wd_tagger *t;
    CHECK(wd_tagger_load("/nonexistent-dir", &t, err, sizeof err) != 0);
    CHECK(strstr(err, "/nonexistent-dir/gazetteer.tsv") != NULL);
}

/* The word reader's fast path reads sixteen bytes at a time: names at
 * the very end of a text, after long words, beside bytes >= 0x80 and
 * NULs, in texts of every length around sixteen, all the same. */
static void
test_word_edges(void)
{
    static const char *const bodies[] = {
        "Kazakhstan",
        "Supercalifragilisticexpialidocious Kazakhstan",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9 Kazakhstan",
        "\xe2\x80\x9cKazakhstan\xe2\x80\x9d",
        "x Kazakhstan\xe2\x80\x99s",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct wd_tags t = tag("Kazakhstan", bodies[i]);
        CHECK(has_country(&t, "KZ"));
    }
    /* The same name at every offset of a 48-byte buffer, exactly sized. */
    for (size_t pad = 0; pad < 40; pad++) {
        char body[64];
        memset(body, ' ', pad);
        memcpy(body + pad, "Peru", 4);
        char *exact = malloc(pad + 4);
        memcpy(exact, body, pad + 4);
        struct wd_tags t;
        CHECK_OK(wd_tagger_tag(tg, "Peru", 4, exact, pad + 4, &t));
        CHECK(has_country(&t, "PE"));
        free(exact);
    }
    /* A NUL inside the text separates words like a space. */
    struct wd_tags t;
    CHECK_OK(wd_tagger_tag(tg, "Peru", 4, "Lima\0Peru", 9, &t));
    CHECK(has_country(&t, "PE"));
    /* Stems match long words; a stem is never matched inside one. */
    t = tag("Elections", "electioneeringcampaigners electioneeringly");
    CHECK(has_theme(&t, "politics"));
}

/* @cooccur lines: a theme that often comes with the leading one needs
 * less evidence of its own; bad lines are refused with their number. */
static void
test_cooccur(void)
{
    const char *gaz = "Freedonia\tFD\tcountry\t0\n";
    const char *base = "@theme\tvotes\tx\tVotes\n@theme\tmoney\tx\tMoney\n"
                       "elect*\tvotes\t2\nbudget\tmoney\t2\n";
    const char *body = "The budget. The election, the elections, the "
                       "electorate, the elected and the electors.";
    char tax[512], err[256];
    for (int with = 0; with < 2; with++) {
        snprintf(tax, sizeof tax, "%s%s", base,
                 with ? "@cooccur\tvotes\tmoney\t0.5\n" : "");
        int rc;
        struct wd_tagger *t = tagger_of(gaz, tax, err, sizeof err, &rc);
        CHECK_OK(rc);
        if (!t)
            continue;
        struct wd_tags out;
        CHECK_OK(wd_tagger_tag(t, "Election", 8, body, strlen(body), &out));
        CHECK_INT(out.n_themes, ==, (size_t)(with ? 2 : 1));
        CHECK_STR(out.themes[0].code, "votes");
        if (with && out.n_themes == 2)
            CHECK_STR(out.themes[1].code, "money");
        wd_tagger_free(t);
    }
    static const struct {
        const char *line, *want;
    } bad[] = {
        {"@cooccur\tvotes\tmoney\n", "tax.tsv:5: want @cooccur"},
        {"@cooccur\tvotes\tcash\t0.5\n", "tax.tsv:5: @cooccur of an unknown"},
        {"@cooccur\tvotes\tmoney\t1.5\n", "tax.tsv:5: share '1.5'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(tax, sizeof tax, "%s%s", base, bad[i].line);
        int rc;
        struct wd_tagger *t = tagger_of(gaz, tax, err, sizeof err, &rc);
        CHECK_INT(rc, ==, WD_EINVAL);
        CHECK(strstr(err, bad[i].want) != NULL);
        CHECK(t == NULL);
    }
}

/* Russian nouns whose vowel comes and goes before their last "к": a prefix
 * phrase "поставк*" (поставка, поставки) also finds "поставок" (genitive
 * plural) and "обломк*" finds "обломок" (nominative); a stem ending in a
 * vowel and "к" ("урок*") gets no such form. */
static void
test_russian_fleeting_vowel(void)
{
    const char *gaz = "Freedonia\tFD\tcountry\t0\n";
    const char *tax = "@theme\ttrade\tx\tTrade\n@theme\tschool\tx\tSchool\n"
                      "поставк*\ttrade\t2\nурок*\tschool\t2\n";
    char err[256];
    int rc;
    struct wd_tagger *t = tagger_of(gaz, tax, err, sizeof err, &rc);
    CHECK_OK(rc);
    if (!t)
        return;
    struct wd_tags out;
    const char *title = "Объем поставок газа вырос";
    CHECK_OK(wd_tagger_tag(t, title, strlen(title), "", 0, &out));
    CHECK_INT(out.n_themes, ==, 1);
    if (out.n_themes)
        CHECK_STR(out.themes[0].code, "trade");
    const char *none = "Сорок уроков уроков";
    CHECK_OK(wd_tagger_tag(t, none, strlen(none), "", 0, &out));
    CHECK_INT(out.n_themes, ==, 1); /* уроков: урок* as it was */
    const char *rock = "Рок и урок";
    CHECK_OK(wd_tagger_tag(t, rock, strlen(rock), "", 0, &out));
    CHECK_INT(out.n_themes, ==, 1);
    wd_tagger_free(t);
}

/* Names in other languages and scripts (data/gazetteer.tsv, from CLDR):
 * scripts with case fold ("РОССИЯ"), names in scripts written without
 * spaces are found inside runs of text, Korean names take their particle,
 * inflected names their ending, Arabic its glued "and"/"in". */
static void
test_other_scripts(void)
{
    struct wd_tags t = tag("中国与美国举行贸易谈判", "双方代表在北京会面。");
    CHECK(has_country(&t, "CN"));
    CHECK(has_country(&t, "US"));
    t = tag("東京で会談", "日本の首相は東京で記者会見を開いた。");
    CHECK(has_country(&t, "JP"));
    t = tag("한국은 이란과 협상했다", "정부는 서울에서 이란 대표단을 만났다.");
    CHECK(has_country(&t, "KR"));
    CHECK(has_country(&t, "IR"));
    t = tag("Переговоры в России", "Делегация прибыла в Москву. РОССИЯ "
                                   "и Казахстан подписали соглашение.");
    CHECK(has_country(&t, "RU"));
    CHECK(has_country(&t, "KZ"));
    t = tag("معارك في سوريا", "قالت مصادر في دمشق إن القتال استمر وسوريا تشهد "
                              "توترا.");
    CHECK(has_country(&t, "SY"));
    t = tag("ไทยเจรจาการค้า", "รัฐบาลไทยประชุมที่กรุงเทพ");
    CHECK(has_country(&t, "TH"));
    t = tag("Golpe a ETA en Francia", "La policía detuvo a tres personas.");
    CHECK(has_country(&t, "FR"));
    /* A Russian story is as long as an English one of as many letters
     * (not bytes: two each): a country named twice in 900 letters is a
     * subject, as in English. */
    t = tag("Грузопоток через границу вырос",
            "Объем грузов, прошедших через сухой порт на границе, за десять "
            "месяцев увеличился на двадцать четыре процента по сравнению с тем "
            "же периодом прошлого года, сообщили в пресс-службе национальной "
            "железнодорожной компании. Мы ежедневно принимаем до четырнадцати "
            "контейнерных поездов, рассказал заместитель председателя "
            "правления компании. Чтобы избежать заторов, в октябре запустили "
            "дополнительный перегрузочный комплекс, и теперь обработка состава "
            "занимает около четырех часов. Эксперты при этом предупреждают, "
            "что инфраструктура работает на пределе, а узким местом остаются "
            "порты, где суда подолгу простаивают в ожидании погрузки. "
            "Основную часть грузов составляют товары из Китая, которые "
            "следуют транзитом в Европу и страны Персидского залива. Рост "
            "объемов связан с договоренностями, достигнутыми летом с "
            "представителями Китая, отмечают в министерстве транспорта.");
    CHECK(has_country(&t, "CN"));
    /* National adjectives: Turkish (capitalised), Kazakh (with endings). */
    t = tag("Moğol judocu altın madalya kazandı",
            "Turnuvada Moğol sporcu finalde rakibini yendi. Moğol judocu "
            "törende konuştu.");
    CHECK(has_country(&t, "MN"));
    t = tag("Жапондық компания зауыт салады",
            "Жапондық инвесторлар жаңа зауыттың құрылысын бастады. "
            "Жапондықтардың жобасы екі жылға созылады.");
    CHECK(has_country(&t, "JP"));
    /* Uzbek Latin with each apostrophe sites write (ASCII, U+2018, U+02BB)
     * and a suffix. */
    t = tag("O'zbekiston va Qozog‘iston kelishdi",
            "O‘zbekiston Prezidenti Qozogʻistonda bo'ldi. "
            "O'zbekistonning eksporti oshdi.");
    CHECK(has_country(&t, "UZ"));
    CHECK(has_country(&t, "KZ"));
    /* A stem in Latin script that would start an English word or name is
     * not made ("Franci*", France in Czech, would read "San Francisco"). */
    t = tag("SAN FRANCISCO APPROVES RULES", "San Francisco regulators on "
                                            "Thursday approved new rules.");
    CHECK(!has_country(&t, "FR"));
    CHECK(has_country(&t, "US"));
    /* Nothing in a text of another script that names no place. */
    t = tag("新产品发布", "该公司今天发布了一款新手机，价格较低。");
    CHECK_INT(t.n_countries, ==, 0);
    t = tag("Новый смартфон", "Компания представила новый телефон с большим "
                              "экраном.");
    CHECK_INT(t.n_countries, ==, 0);
}

int
main(void)
{
    CHECK_OK(wd_tagger_new(&tg));
    RUN(test_title_mention_tags);
    RUN(test_passing_mention_does_not);
    RUN(test_possessive_and_curly_quotes);
    RUN(test_case_matters);
    RUN(test_longest_phrase_wins);
    RUN(test_ambiguous_names);
    RUN(test_common_words_need_corroboration);
    RUN(test_dateline_places);
    RUN(test_order_and_scores);
    RUN(test_themes);
    RUN(test_slugs_prefix_free);
    RUN(test_empty);
    RUN(test_seed_article);
    RUN(test_folding_and_shared_names);
    RUN(test_repeats_count_less);
    RUN(test_data_files);
    RUN(test_word_edges);
    RUN(test_cooccur);
    RUN(test_russian_fleeting_vowel);
    RUN(test_briefs);
    RUN(test_other_scripts);
    wd_tagger_free(tg);
    return TEST_DONE();
}
