/* The first tagger: compiled-in tables, one pass over the tokens.
 *
 * Countries: every name, demonym and capital of the table below is split
 * into tokens with the same tokenizer as the text and indexed by its first
 * token (case-sensitive: "US" and "Turkey" are names, "us" and "turkey" are
 * not). At each token of the text the longest pattern starting there wins,
 * so "South Korea" beats "Korea" and "Papua New Guinea" beats "Guinea".
 * Themes: lower-case keyword stems indexed the same way, matched on word
 * starts ("elect" would match "elected"), a trailing "$" demanding the
 * whole word.
 *
 * Relevance: a mention in the title counts 3, in the lead (first 300 bytes
 * of the body) 1.5, elsewhere 1; demonyms and capitals count 0.7 of that.
 * Countries need 2.0 and themes 3.0 to be emitted, so a passing mention in
 * the last paragraph does not put an article on a channel.
 *
 * Ambiguous names: "Jordan" and "Chad" next to another capitalised word
 * ("Michael Jordan", "Chad Smith") are read as people's names, and in a
 * title they count only when the body names the country too; "Georgia" in
 * a text that speaks of Atlanta or a U.S. state is not the country.
 */
#include "wd/tag.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"
#include "wd/text.h"

struct country_def {
    const char *code;
    const char *names;    /* comma-separated */
    const char *demonyms; /* comma-separated */
    const char *cities;   /* capital first, comma-separated */
};

struct theme_def {
    const char *slug;
    const char *stems; /* comma-separated */
};

/* Code, names, demonyms, capitals and major cities (comma-separated). */
static const struct country_def countries[] = {
    {"AF", "Afghanistan", "Afghan", "Kabul"},
    {"AL", "Albania", "Albanian", "Tirana"},
    {"DZ", "Algeria", "Algerian", "Algiers"},
    {"AD", "Andorra", "Andorran", "Andorra la Vella"},
    {"AO", "Angola", "Angolan", "Luanda"},
    {"AG", "Antigua and Barbuda", "Antiguan", ""},
    {"AR", "Argentina", "Argentine,Argentinian", "Buenos Aires"},
    {"AM", "Armenia", "Armenian", "Yerevan"},
    {"AU", "Australia", "Australian", "Canberra,Sydney,Melbourne"},
    {"AT", "Austria", "Austrian", "Vienna"},
    {"AZ", "Azerbaijan", "Azerbaijani,Azeri", "Baku"},
    {"BS", "Bahamas", "Bahamian", "Nassau"},
    {"BH", "Bahrain", "Bahraini", "Manama"},
    {"BD", "Bangladesh", "Bangladeshi", "Dhaka"},
    {"BB", "Barbados", "Barbadian", "Bridgetown"},
    {"BY", "Belarus", "Belarusian", "Minsk"},
    {"BE", "Belgium", "Belgian", "Brussels"},
    {"BZ", "Belize", "Belizean", "Belmopan"},
    {"BJ", "Benin", "Beninese", "Porto-Novo"},
    {"BT", "Bhutan", "Bhutanese", "Thimphu"},
    {"BO", "Bolivia", "Bolivian", "La Paz,Sucre"},
    {"BA", "Bosnia and Herzegovina,Bosnia", "Bosnian", "Sarajevo"},
    {"BW", "Botswana", "Botswanan", "Gaborone"},
    {"BR", "Brazil", "Brazilian",
     "Brasilia,Brasília,Rio de Janeiro,Sao Paulo,São Paulo"},
    {"BN", "Brunei", "Bruneian", "Bandar Seri Begawan"},
    {"BG", "Bulgaria", "Bulgarian", ""},
    {"BF", "Burkina Faso", "Burkinabe", "Ouagadougou"},
    {"BI", "Burundi", "Burundian", "Gitega"},
    {"CV", "Cape Verde,Cabo Verde", "Cape Verdean", "Praia"},
    {"KH", "Cambodia", "Cambodian", "Phnom Penh"},
    {"CM", "Cameroon", "Cameroonian", "Yaounde,Yaoundé"},
    {"CA", "Canada", "Canadian", "Ottawa,Toronto"},
    {"CF", "Central African Republic", "", "Bangui"},
    {"TD", "Chad", "Chadian", "N'Djamena"},
    {"CL", "Chile", "Chilean", "Santiago"},
    {"CN", "China,People's Republic of China,PRC", "Chinese",
     "Beijing,Shanghai"},
    {"CO", "Colombia", "Colombian", "Bogota,Bogotá"},
    {"KM", "Comoros", "Comoran", "Moroni"},
    {"CG", "Republic of the Congo,Congo-Brazzaville", "", "Brazzaville"},
    {"CD", "Democratic Republic of the Congo,DR Congo,DRC", "Congolese",
     "Kinshasa"},
    {"CR", "Costa Rica", "Costa Rican", "San Jose"},
    {"CI", "Côte d'Ivoire,Cote d'Ivoire,Ivory Coast", "Ivorian",
     "Yamoussoukro,Abidjan"},
    {"HR", "Croatia", "Croatian", "Zagreb"},
    {"CU", "Cuba", "Cuban", "Havana"},
    {"CY", "Cyprus", "Cypriot", "Nicosia"},
    {"CZ", "Czechia,Czech Republic", "Czech", "Prague"},
    {"DK", "Denmark", "Danish", "Copenhagen"},
    {"DJ", "Djibouti", "Djiboutian", ""},
    {"DM", "Dominica", "", "Roseau"},
    {"DO", "Dominican Republic", "", "Santo Domingo"},
    {"EC", "Ecuador", "Ecuadorian", "Quito"},
    {"EG", "Egypt", "Egyptian", "Cairo"},
    {"SV", "El Salvador", "Salvadoran", "San Salvador"},
    {"GQ", "Equatorial Guinea", "Equatoguinean", "Malabo"},
    {"ER", "Eritrea", "Eritrean", "Asmara"},
    {"EE", "Estonia", "Estonian", "Tallinn"},
    {"SZ", "Eswatini,Swaziland", "Swazi", "Mbabane"},
    {"ET", "Ethiopia", "Ethiopian", "Addis Ababa"},
    {"FJ", "Fiji", "Fijian", "Suva"},
    {"FI", "Finland", "Finnish", "Helsinki"},
    {"FR", "France", "French", "Paris,Élysée,Elysee"},
    {"GA", "Gabon", "Gabonese", "Libreville"},
    {"GM", "Gambia", "Gambian", "Banjul"},
    {"GE", "Georgia", "Georgian", "Tbilisi"},
    {"DE", "Germany", "German", "Berlin,Munich,Frankfurt"},
    {"GH", "Ghana", "Ghanaian", "Accra"},
    {"GR", "Greece", "Greek", "Athens"},
    {"GD", "Grenada", "Grenadian", ""},
    {"GT", "Guatemala", "Guatemalan", "Guatemala City"},
    {"GN", "Guinea", "Guinean", "Conakry"},
    {"GW", "Guinea-Bissau", "Bissau-Guinean", "Bissau"},
    {"GY", "Guyana", "Guyanese", ""},
    {"HT", "Haiti", "Haitian", "Port-au-Prince"},
    {"HN", "Honduras", "Honduran", "Tegucigalpa"},
    {"HU", "Hungary", "Hungarian", "Budapest"},
    {"IS", "Iceland", "Icelandic", "Reykjavik,Reykjavík"},
    {"IN", "India", "Indian", "New Delhi,Delhi,Mumbai"},
    {"ID", "Indonesia", "Indonesian", "Jakarta"},
    {"IR", "Iran", "Iranian", "Tehran"},
    {"IQ", "Iraq", "Iraqi", "Baghdad"},
    {"IE", "Ireland", "Irish", "Dublin"},
    {"IL", "Israel", "Israeli", "Jerusalem,Tel Aviv"},
    {"IT", "Italy", "Italian", "Rome,Milan"},
    {"JM", "Jamaica", "Jamaican", "Kingston"},
    {"JP", "Japan", "Japanese", "Tokyo"},
    {"JO", "Jordan", "Jordanian", "Amman"},
    {"KZ", "Kazakhstan", "Kazakh,Kazakhstani", "Astana,Almaty"},
    {"KE", "Kenya", "Kenyan", "Nairobi"},
    {"KI", "Kiribati", "", "Tarawa"},
    {"KP", "North Korea,DPRK", "North Korean", "Pyongyang"},
    {"KR", "South Korea,Republic of Korea", "South Korean", "Seoul"},
    {"XK", "Kosovo", "Kosovar", "Pristina"},
    {"KW", "Kuwait", "Kuwaiti", "Kuwait City"},
    {"KG", "Kyrgyzstan,Kyrgyz Republic", "Kyrgyz", "Bishkek"},
    {"LA", "Laos", "Lao,Laotian", "Vientiane"},
    {"LV", "Latvia", "Latvian", "Riga"},
    {"LB", "Lebanon", "Lebanese", "Beirut"},
    {"LS", "Lesotho", "Basotho", "Maseru"},
    {"LR", "Liberia", "Liberian", "Monrovia"},
    {"LY", "Libya", "Libyan", "Tripoli"},
    {"LI", "Liechtenstein", "", "Vaduz"},
    {"LT", "Lithuania", "Lithuanian", "Vilnius"},
    {"LU", "Luxembourg", "Luxembourgish", ""},
    {"MG", "Madagascar", "Malagasy", "Antananarivo"},
    {"MW", "Malawi", "Malawian", "Lilongwe"},
    {"MY", "Malaysia", "Malaysian", "Kuala Lumpur"},
    {"MV", "Maldives", "Maldivian", ""},
    {"ML", "Mali", "Malian", "Bamako"},
    {"MT", "Malta", "Maltese", "Valletta"},
    {"MH", "Marshall Islands", "Marshallese", "Majuro"},
    {"MR", "Mauritania", "Mauritanian", "Nouakchott"},
    {"MU", "Mauritius", "Mauritian", "Port Louis"},
    {"MX", "Mexico", "Mexican", "Mexico City"},
    {"FM", "Micronesia", "Micronesian", "Palikir"},
    {"MD", "Moldova", "Moldovan", "Chisinau,Chișinău"},
    {"MC", "Monaco", "Monegasque", ""},
    {"MN", "Mongolia", "Mongolian", "Ulaanbaatar,Ulan Bator"},
    {"ME", "Montenegro", "Montenegrin", "Podgorica"},
    {"MA", "Morocco", "Moroccan", "Rabat"},
    {"MZ", "Mozambique", "Mozambican", "Maputo"},
    {"MM", "Myanmar,Burma", "Burmese", "Naypyidaw,Yangon"},
    {"NA", "Namibia", "Namibian", "Windhoek"},
    {"NR", "Nauru", "Nauruan", ""},
    {"NP", "Nepal", "Nepali,Nepalese", "Kathmandu"},
    {"NL", "Netherlands,Holland", "Dutch", "Amsterdam,The Hague"},
    {"NZ", "New Zealand", "New Zealander", "Wellington,Auckland"},
    {"NI", "Nicaragua", "Nicaraguan", "Managua"},
    {"NE", "Niger", "Nigerien", "Niamey"},
    {"NG", "Nigeria", "Nigerian", "Abuja,Lagos"},
    {"MK", "North Macedonia,Macedonia", "Macedonian", "Skopje"},
    {"NO", "Norway", "Norwegian", "Oslo"},
    {"OM", "Oman", "Omani", "Muscat"},
    {"PK", "Pakistan", "Pakistani", "Islamabad,Karachi"},
    {"PW", "Palau", "Palauan", "Ngerulmud"},
    {"PS", "Palestine,West Bank,Gaza", "Palestinian", "Ramallah"},
    {"PA", "Panama", "Panamanian", "Panama City"},
    {"PG", "Papua New Guinea", "Papua New Guinean", "Port Moresby"},
    {"PY", "Paraguay", "Paraguayan", "Asuncion,Asunción"},
    {"PE", "Peru", "Peruvian", "Lima"},
    {"PH", "Philippines", "Filipino,Philippine", "Manila"},
    {"PL", "Poland", "Polish", "Warsaw"},
    {"PT", "Portugal", "Portuguese", "Lisbon"},
    {"QA", "Qatar", "Qatari", "Doha"},
    {"RO", "Romania", "Romanian", "Bucharest"},
    {"RU", "Russia,Russian Federation", "Russian",
     "Moscow,Kremlin,Saint Petersburg,St. Petersburg"},
    {"RW", "Rwanda", "Rwandan", "Kigali"},
    {"KN", "Saint Kitts and Nevis", "", "Basseterre"},
    {"LC", "Saint Lucia", "Saint Lucian", "Castries"},
    {"VC", "Saint Vincent and the Grenadines", "", "Kingstown"},
    {"WS", "Samoa", "Samoan", "Apia"},
    {"SM", "San Marino", "Sammarinese", ""},
    {"ST", "Sao Tome and Principe,São Tomé and Príncipe", "", ""},
    {"SA", "Saudi Arabia", "Saudi", "Riyadh"},
    {"SN", "Senegal", "Senegalese", "Dakar"},
    {"RS", "Serbia", "Serbian", "Belgrade"},
    {"SC", "Seychelles", "Seychellois", ""},
    {"SL", "Sierra Leone", "Sierra Leonean", "Freetown"},
    {"SG", "Singapore", "Singaporean", ""},
    {"SK", "Slovakia", "Slovak", "Bratislava"},
    {"SI", "Slovenia", "Slovenian,Slovene", "Ljubljana"},
    {"SB", "Solomon Islands", "", "Honiara"},
    {"SO", "Somalia", "Somali", "Mogadishu"},
    {"ZA", "South Africa", "South African", "Pretoria,Johannesburg,Cape Town"},
    {"SS", "South Sudan", "South Sudanese", "Juba"},
    {"ES", "Spain", "Spanish", "Madrid,Barcelona"},
    {"LK", "Sri Lanka", "Sri Lankan", "Colombo"},
    {"SD", "Sudan", "Sudanese", "Khartoum"},
    {"SR", "Suriname", "Surinamese", "Paramaribo"},
    {"SE", "Sweden", "Swedish", "Stockholm"},
    {"CH", "Switzerland", "Swiss", "Bern,Geneva,Zurich"},
    {"SY", "Syria", "Syrian", "Damascus"},
    {"TW", "Taiwan", "Taiwanese", "Taipei"},
    {"TJ", "Tajikistan", "Tajik", "Dushanbe"},
    {"TZ", "Tanzania", "Tanzanian", "Dodoma,Dar es Salaam"},
    {"TH", "Thailand", "Thai", "Bangkok"},
    {"TL", "Timor-Leste,East Timor", "Timorese", "Dili"},
    {"TG", "Togo", "Togolese", "Lome,Lomé"},
    {"TO", "Tonga", "Tongan", "Nuku'alofa"},
    {"TT", "Trinidad and Tobago", "Trinidadian", "Port of Spain"},
    {"TN", "Tunisia", "Tunisian", "Tunis"},
    {"TR", "Türkiye,Turkiye,Turkey", "Turkish", "Ankara,Istanbul"},
    {"TM", "Turkmenistan", "Turkmen", "Ashgabat"},
    {"TV", "Tuvalu", "Tuvaluan", "Funafuti"},
    {"UG", "Uganda", "Ugandan", "Kampala"},
    {"UA", "Ukraine", "Ukrainian", "Kyiv,Kiev,Kharkiv,Odesa"},
    {"AE", "United Arab Emirates,UAE", "Emirati", "Abu Dhabi,Dubai"},
    {"GB", "United Kingdom,UK,U.K.,Britain,Great Britain", "British",
     "London,Downing Street"},
    {"US", "United States,United States of America,USA,U.S.,U.S.A.,US,America",
     "American", "Washington,White House,New York"},
    {"UY", "Uruguay", "Uruguayan", "Montevideo"},
    {"UZ", "Uzbekistan", "Uzbek", "Tashkent"},
    {"VU", "Vanuatu", "Ni-Vanuatu", "Port Vila"},
    {"VA", "Vatican,Holy See", "Vatican", ""},
    {"VE", "Venezuela", "Venezuelan", "Caracas"},
    {"VN", "Vietnam,Viet Nam", "Vietnamese", "Hanoi"},
    {"YE", "Yemen", "Yemeni", "Sanaa,Sana'a"},
    {"ZM", "Zambia", "Zambian", "Lusaka"},
    {"ZW", "Zimbabwe", "Zimbabwean", "Harare"},
    {"HK", "Hong Kong", "", ""},
};

/* Theme keywords: lower-case stems matched on word starts; a "$" at the
 * end asks for the whole word; several words match as a phrase whose last
 * word may be a stem. */
static const struct theme_def themes[] = {
    {"arts-culture-entertainment-media",
     "artist,artwork,museum,exhibition,theatre,theater,cinema,film,movie,actor,"
     "actress,novel,novelist,poet,poetry,musician,concert,orchestra,opera,"
     "album,festival,heritage,cultural,culture,painting,sculpture,literature,"
     "journalis,newspaper,broadcast,television,celebrit,entertainment,"
     "documentar,unesco,ballet,singer"},
    {"conflict-war-peace",
     "war$,wars$,warfare,wartime,military,troops,army,armed,soldier,invasion,"
     "invade,missile,drone,airstrike,shelling,ceasefire,peace,conflict,clash,"
     "insurg,militant,rebel,terror,hostilit,occupation,frontline,weapon,"
     "artillery,combat,battle,casualt,refugee,defence,defense,nato,offensive,"
     "annex,escalat"},
    {"crime-law-justice",
     "court,judge,trial,lawsuit,prosecut,police,arrest,crime,criminal,murder,"
     "fraud,corruption,convict,sentenc,verdict,prison,jail,lawyer,attorney,"
     "investigat,indict,smuggl,bribe,illegal,detain,suspect,theft,justice"},
    {"disaster-accident-emergency",
     "disaster,earthquake,flood,wildfire,hurricane,typhoon,cyclone,tsunami,"
     "landslide,avalanche,crash,accident,collision,derail,explosion,blast,"
     "emergency,rescue,evacuat,victim,survivor,death "
     "toll,killed,injured,wreckage,debris,fire$,fires$,firefight,drought"},
    {"economy-business-finance",
     "econom,trade,trading,market,invest,investor,bank,banking,finance,"
     "financial,business,company,companies,corporat,industr,export,import$,"
     "imports$,imported,importer,tariff,inflation,gdp,growth,budget,tax$,taxes$"
     ",taxation,oil,gas,energy,pipeline,freight,cargo,logistic,infrastructure,"
     "currenc,price,revenue,profit,stock,shares,loan,debt,transit,shipping,"
     "railway,supply chain,commerc,turnover,entrepreneur"},
    {"education",
     "school,university,universities,student,teacher,education,educational,"
     "classroom,curricul,academic,scholarship,college,pupil,exam$,exams$,"
     "examination,literacy,tuition,graduat,kindergarten,lecturer,professor"},
    {"environment", "environment,climate,emission,carbon,pollut,biodivers,"
                    "conservation,wildlife,deforest,renewable,solar,wind "
                    "power,recycl,ecolog,ecosystem,greenhouse,glacier,water "
                    "scarcity,sustainab,species,habitat"},
    {"health",
     "health,hospital,medical,medicine,doctor,nurse,patient,disease,virus,"
     "vaccin,pandemic,epidemic,covid,cancer,infection,outbreak,clinic,surgery,"
     "mental health,drug,pharmac,treatment,diagnos,obesity,diabetes"},
    {"human-interest",
     "centenarian,birthday,wedding,heartwarming,reunion,adopted,anniversary,"
     "pet$,pets$,hero$,heroes$,heroic,rescued dog,lottery,viral "
     "video,record-breaking,oldest,youngest"},
    {"labour", "worker,workers,employ,unemploy,labour$,labor$,trade "
               "union,labour union,labor "
               "union,strike,wage,salary,salaries,pension,job$,jobs$,workforce,"
               "migrant worker,layoff,hiring,workplace,overtime"},
    {"lifestyle-leisure", "travel,tourism,tourist,holiday,vacation,restaurant,"
                          "cuisine,recipe,fashion,hobby,leisure,shopping,hotel,"
                          "resort,fitness,gardening,lifestyle,wellness"},
    {"politics",
     "president,presidential,prime "
     "minister,minister,ministry,government,parliament,parliamentary,senate,"
     "congress,election,elected,electoral,vote,voter,ballot,campaign,party,"
     "opposition,diploma,ambassador,embassy,summit,bilateral,foreign "
     "policy,politic,policy,cabinet,reform,geopolitic,sovereign,treaty,accord$,"
     "accords$,agreement,negotiat,state visit,official "
     "visit,leader,kremlin,white house,un general assembly,secretary of "
     "state,regime,democra,referendum,sanction,legislat,constitution"},
    {"religion",
     "religio,church,mosque,temple,synagogue,islam$,islamic,islamist,muslim,"
     "christian,catholic,orthodox,jewish,judaism,buddhis,hindu,pope,imam,"
     "priest,clergy,faith,pilgrim,ramadan,easter,christmas,bishop"},
    {"science-technology",
     "science,scientist,research,researcher,technolog,digital,artificial "
     "intelligence,ai$,software,internet,cyber,satellite,space,rocket,nasa,"
     "physics,chemistry,biology,innovation,startup,robot,computer,"
     "semiconductor,telecom,5g,data center,fiber-optic,fibre-optic"},
    {"society",
     "society,social,community,communities,family,families,population,"
     "demograph,poverty,inequality,migration,migrant,housing,welfare,gender,"
     "women,youth,children,minority,minorities,discrimination,protest,civil "
     "society,charity,volunteer,humanitarian"},
    {"sport", "sport,football,soccer,basketball,tennis,olympic,championship,"
              "tournament,athlete,coach,league,match,medal,world "
              "cup,fifa,uefa,cricket,rugby,boxing,wrestling,marathon,cyclist,"
              "stadium,playoff,referee,striker"},
    {"weather", "weather,forecast,temperature,heatwave,heat "
                "wave,snowfall,snowstorm,blizzard,rainfall,storm,frost,"
                "meteorolog,humidity,thunderstorm,sunny,cold snap"},
};

#define N_COUNTRIES (sizeof countries / sizeof countries[0])
#define N_THEMES (sizeof themes / sizeof themes[0])
#define MAX_PAT_TOKENS 6
#define TOKEN_MAX 64 /* bytes of a lower-cased theme token */
#define LEAD_BYTES 300

enum { AMBIG_NONE, AMBIG_PERSON, AMBIG_US_STATE };

struct pattern {
    const char *text; /* the pattern's own string (not NUL-terminated) */
    uint16_t len;
    uint16_t target; /* country or theme index */
    uint8_t ntok;
    bool whole;    /* theme: the last word must end where the stem ends */
    uint8_t ambig; /* country: AMBIG_* */
    float weight;
    int32_t next; /* next pattern with the same first-token key, or -1 */
};

struct index {
    uint64_t *keys; /* hash of the first token, 0 = empty */
    int32_t *heads; /* first pattern of the chain */
    size_t mask;
};

struct wd_tagger {
    struct pattern *pats;
    size_t npats, cap;
    struct index countries, themes;
    const char *slugs[N_THEMES];
};

/* A token: letters and digits of any script, with '.', '-' and apostrophes
 * kept inside a word ("U.S", "Guinea-Bissau", "N'Djamena"); a possessive
 * "'s" / "’s" is not part of it. */
struct tok {
    size_t start, len;
};

static bool
is_inner_punct(uint32_t cp)
{
    return cp == '.' || cp == '-' || cp == '\'' || cp == 0x2019;
}

/* Finds the next token at or after *pos; returns false at the end. */
static bool
next_token(const char *s, size_t n, size_t *pos, struct tok *t)
{
    size_t i = *pos;
    while (i < n) {
        uint32_t cp;
        size_t l = wd_utf8_next(s + i, n - i, &cp);
        if (wd_cp_is_alnum(cp))
            break;
        i += l;
    }
    if (i >= n) {
        *pos = n;
        return false;
    }
    size_t start = i, end = i;
    while (i < n) {
        uint32_t cp;
        size_t l = wd_utf8_next(s + i, n - i, &cp);
        if (wd_cp_is_alnum(cp)) {
            i += l;
            end = i;
            continue;
        }
        if (is_inner_punct(cp) && i + l < n) {
            uint32_t nx;
            wd_utf8_next(s + i + l, n - i - l, &nx);
            if (wd_cp_is_alnum(nx)) {
                i += l;
                continue;
            }
        }
        break;
    }
    /* Strip a possessive: "Kazakhstan's", "Kazakhstan’s". */
    if (end - start > 2 && s[end - 1] == 's') {
        if (s[end - 2] == '\'')
            end -= 2;
        else if (end - start > 4 && (unsigned char)s[end - 2] == 0x99 &&
                 (unsigned char)s[end - 3] == 0x80 &&
                 (unsigned char)s[end - 4] == 0xE2)
            end -= 4;
    }
    t->start = start;
    t->len = end - start;
    *pos = i;
    return true;
}

static uint64_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static int
index_init(struct index *ix, size_t entries)
{
    size_t size = 64;
    while (size < entries * 2)
        size *= 2;
    ix->keys = calloc(size, sizeof *ix->keys);
    ix->heads = malloc(size * sizeof *ix->heads);
    if (!ix->keys || !ix->heads)
        return WD_ENOMEM;
    for (size_t i = 0; i < size; i++)
        ix->heads[i] = -1;
    ix->mask = size - 1;
    return 0;
}

static size_t
index_slot(const struct index *ix, uint64_t h)
{
    size_t i = (size_t)(h ^ (h >> 29)) & ix->mask;
    while (ix->keys[i] && ix->keys[i] != h)
        i = (i + 1) & ix->mask;
    return i;
}

static int32_t
index_find(const struct index *ix, const char *s, size_t n)
{
    size_t i = index_slot(ix, hash_bytes(s, n));
    return ix->keys[i] ? ix->heads[i] : -1;
}

/* Two texts hold the same tokens, compared exactly or (fold) ASCII
 * case-insensitively; with prefix_last the pattern's last token may be a
 * prefix of the text's. Returns the number of text bytes matched from
 * *pos (0 = no match) and leaves *pos after the match. */
static bool
match_tokens(const struct pattern *p, const char *s, size_t n, size_t pos,
             const struct tok *first, bool fold, size_t *end_pos,
             struct tok *last_tok)
{
    size_t ppos = 0;
    struct tok pt, st = *first;
    size_t spos = pos;
    for (int k = 0; k < p->ntok; k++) {
        if (!next_token(p->text, p->len, &ppos, &pt))
            return false;
        if (k > 0 && !next_token(s, n, &spos, &st))
            return false;
        bool last = k == p->ntok - 1;
        bool prefix_ok = fold && last && !p->whole;
        if (st.len < pt.len || (!prefix_ok && st.len != pt.len))
            return false;
        for (size_t b = 0; b < pt.len; b++) {
            char a = s[st.start + b], c = p->text[pt.start + b];
            if (fold && a >= 'A' && a <= 'Z')
                a = (char)(a + 32);
            if (a != c)
                return false;
        }
        *last_tok = st;
    }
    *end_pos = spos;
    return true;
}

static int
add_pattern(struct wd_tagger *t, struct index *ix, const char *text, size_t len,
            uint16_t target, float weight, uint8_t ambig, bool fold)
{
    bool whole = false;
    if (len > 0 && text[len - 1] == '$') {
        whole = true;
        len--;
    }
    size_t pos = 0;
    struct tok first, tk;
    if (!next_token(text, len, &pos, &first))
        return 0;
    uint8_t ntok = 1;
    while (next_token(text, len, &pos, &tk))
        ntok++;
    if (ntok > MAX_PAT_TOKENS)
        return WD_EINVAL;
    if (t->npats == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct pattern *np = realloc(t->pats, cap * sizeof *np);
        if (!np)
            return WD_ENOMEM;
        t->pats = np;
        t->cap = cap;
    }
    uint64_t h = hash_bytes(text + first.start, first.len);
    size_t slot = index_slot(ix, h);
    /* The same words twice (a name listed under two headings) count once. */
    for (int32_t q = ix->keys[slot] ? ix->heads[slot] : -1; q >= 0;
         q = t->pats[q].next)
        if (t->pats[q].len == len && memcmp(t->pats[q].text, text, len) == 0)
            return 0;
    struct pattern *p = &t->pats[t->npats];
    p->text = text;
    p->len = (uint16_t)len;
    p->target = target;
    p->ntok = ntok;
    p->whole = whole;
    p->ambig = ambig;
    p->weight = weight;
    p->next = ix->keys[slot] ? ix->heads[slot] : -1;
    ix->keys[slot] = h;
    ix->heads[slot] = (int32_t)t->npats;
    t->npats++;
    (void)fold;
    return 0;
}

/* Adds every comma-separated item of list. */
static int
add_list(struct wd_tagger *t, struct index *ix, const char *list,
         uint16_t target, float weight, bool fold)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        uint8_t ambig = AMBIG_NONE;
        if ((len == 6 && memcmp(p, "Jordan", 6) == 0) ||
            (len == 4 && memcmp(p, "Chad", 4) == 0))
            ambig = AMBIG_PERSON;
        else if (len == 7 && memcmp(p, "Georgia", 7) == 0)
            ambig = AMBIG_US_STATE;
        int rc = add_pattern(t, ix, p, len, target, weight, ambig, fold);
        if (rc)
            return rc;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int
wd_tagger_new(struct wd_tagger **out)
{
    *out = NULL;
    struct wd_tagger *t = calloc(1, sizeof *t);
    if (!t)
        return WD_ENOMEM;
    int rc = index_init(&t->countries, N_COUNTRIES * 6);
    if (rc == 0)
        rc = index_init(&t->themes, N_THEMES * 64);
    for (size_t c = 0; rc == 0 && c < N_COUNTRIES; c++) {
        rc = add_list(t, &t->countries, countries[c].names, (uint16_t)c, 1.0f,
                      false);
        if (rc == 0)
            rc = add_list(t, &t->countries, countries[c].demonyms, (uint16_t)c,
                          0.7f, false);
        if (rc == 0)
            rc = add_list(t, &t->countries, countries[c].cities, (uint16_t)c,
                          0.7f, false);
    }
    for (size_t k = 0; rc == 0 && k < N_THEMES; k++) {
        t->slugs[k] = themes[k].slug;
        rc = add_list(t, &t->themes, themes[k].stems, (uint16_t)k, 1.0f, true);
    }
    if (rc) {
        wd_tagger_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void
wd_tagger_free(struct wd_tagger *t)
{
    if (!t)
        return;
    free(t->pats);
    free(t->countries.keys);
    free(t->countries.heads);
    free(t->themes.keys);
    free(t->themes.heads);
    free(t);
}

static bool
starts_upper(const char *s, size_t n)
{
    struct wd_text_stats st;
    size_t l = n < 4 ? n : 4;
    wd_text_stats(s, l, &st);
    return st.letters > 0 && st.first_upper;
}

/* Whether the token before position `start` ends a sentence (or there is
 * none): then a capitalised previous word says nothing about a name. */
static bool
sentence_start(const char *s, size_t start)
{
    while (start > 0) {
        char c = s[start - 1];
        if (c == ' ' || c == '\t' || c == '"' || c == '\n') {
            if (c == '\n')
                return true;
            start--;
            continue;
        }
        return c == '.' || c == '!' || c == '?' || c == ':';
    }
    return true;
}

/* A capitalised word that is not the start of a sentence stands next to an
 * ambiguous name: then the name is read as a person's. */
static bool
looks_like_person(const char *s, size_t n, const struct tok *t,
                  const struct tok *prev, bool have_prev)
{
    if (have_prev && starts_upper(s + prev->start, prev->len) &&
        !sentence_start(s, prev->start))
        return true;
    size_t pos = t->start + t->len;
    /* Only a following word in the same sentence counts. */
    if (pos < n && s[pos] == ' ') {
        struct tok nx;
        size_t p2 = pos;
        if (next_token(s, n, &p2, &nx) && nx.start == pos + 1 &&
            starts_upper(s + nx.start, nx.len))
            return true;
    }
    return false;
}

struct acc {
    float score[N_COUNTRIES > N_THEMES ? N_COUNTRIES : N_THEMES];
};

/* Scans one text (title or body) and adds weighted mentions. */
static void
scan(const struct wd_tagger *t, const char *s, size_t n, bool is_title,
     bool us_context, struct acc *countries_acc, struct acc *themes_acc)
{
    size_t pos = 0;
    struct tok tk, prev = {0, 0};
    bool have_prev = false;
    char low[TOKEN_MAX];
    while (next_token(s, n, &pos, &tk)) {
        size_t after = pos;
        float where = is_title ? 3.0f : (tk.start < LEAD_BYTES ? 1.5f : 1.0f);

        /* Countries: the longest pattern starting here. */
        const struct pattern *best = NULL;
        size_t best_end = 0;
        for (int32_t q = index_find(&t->countries, s + tk.start, tk.len);
             q >= 0; q = t->pats[q].next) {
            const struct pattern *p = &t->pats[q];
            size_t end;
            struct tok last;
            if (match_tokens(p, s, n, after, &tk, false, &end, &last) &&
                (!best || p->ntok > best->ntok)) {
                best = p;
                best_end = end;
            }
        }
        if (best) {
            bool skip = (best->ambig == AMBIG_PERSON &&
                         looks_like_person(s, n, &tk, &prev, have_prev)) ||
                        (best->ambig == AMBIG_US_STATE && us_context);
            if (!skip)
                countries_acc->score[best->target] += where * best->weight;
            if (best->ntok > 1)
                pos = best_end; /* the phrase's words are used up */
        }

        /* Themes: every prefix of the lower-cased token that is a stem. */
        if (tk.len < TOKEN_MAX) {
            bool ascii = true;
            for (size_t b = 0; b < tk.len; b++) {
                char c = s[tk.start + b];
                if ((unsigned char)c >= 0x80)
                    ascii = false;
                low[b] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            for (size_t l = 2; ascii && l <= tk.len; l++) {
                for (int32_t q = index_find(&t->themes, low, l); q >= 0;
                     q = t->pats[q].next) {
                    const struct pattern *p = &t->pats[q];
                    size_t end;
                    struct tok last;
                    /* A one-word stem is a prefix of the token; a phrase's
                     * first word must be the whole token. */
                    if (p->ntok > 1 && l != tk.len)
                        continue;
                    if (match_tokens(p, s, n, after, &tk, true, &end, &last))
                        themes_acc->score[p->target] += where;
                }
            }
        }
        prev = tk;
        have_prev = true;
    }
}

static int
by_score(const void *a, const void *b)
{
    const struct wd_tag *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->code, y->code);
}

/* Copies the entries over threshold, sorted and normalised to (0,1]. */
static size_t
emit(const float *score, size_t n, float threshold, bool countries_kind,
     struct wd_tag *out)
{
    size_t k = 0;
    struct wd_tag tmp[N_COUNTRIES > N_THEMES ? N_COUNTRIES : N_THEMES];
    for (size_t i = 0; i < n; i++) {
        if (score[i] < threshold)
            continue;
        const char *code = countries_kind ? countries[i].code : themes[i].slug;
        strncpy(tmp[k].code, code, sizeof tmp[k].code - 1);
        tmp[k].code[sizeof tmp[k].code - 1] = '\0';
        tmp[k].score = score[i];
        k++;
    }
    qsort(tmp, k, sizeof tmp[0], by_score);
    if (k > WD_TAG_MAX)
        k = WD_TAG_MAX;
    for (size_t i = 0; i < k; i++) {
        out[i] = tmp[i];
        out[i].score = tmp[i].score / tmp[0].score;
    }
    return k;
}

static bool
contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, lit, k) == 0)
            return true;
    return false;
}

int
wd_tagger_tag(const struct wd_tagger *t, const char *title, size_t tlen,
              const char *body, size_t blen, struct wd_tags *out)
{
    memset(out, 0, sizeof *out);
    struct acc c, th;
    memset(&c, 0, sizeof c);
    memset(&th, 0, sizeof th);
    bool us_context =
        contains(title, tlen, "Atlanta") || contains(body, blen, "Atlanta") ||
        contains(body, blen, "U.S. state") || contains(body, blen, "Savannah");
    /* The body first: a title's ambiguous names are judged by it. */
    scan(t, body, blen, false, us_context, &c, &th);
    scan(t, title, tlen, true, us_context, &c, &th);
    out->n_countries = emit(c.score, N_COUNTRIES, 2.0f, true, out->countries);
    out->n_themes = emit(th.score, N_THEMES, 3.0f, false, out->themes);
    return 0;
}

size_t
wd_tagger_theme_slugs(const struct wd_tagger *t, const char *const **slugs)
{
    *slugs = t->slugs;
    return N_THEMES;
}
