#!/usr/bin/env python3
"""Generates src/core/date_names.inc: month names, "yesterday"/"today" and
the relative past forms ("2 часа назад", "vor 3 Stunden", "5 saat önce")
of the languages news pages of the region and of the world's big news
languages are written in, from Debian's CLDR (unicode-cldr-core):

    scripts/make_date_names.py [CLDR_MAIN_DIR] > src/core/date_names.inc

Every name is lower-cased (as date.c folds what it reads). A name that
would mean two different months in two languages is left out. Turkish
dotless i also gets its ASCII spelling ("kasım", "kasim"), as pages in
capitals fold to it.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

CLDR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode/cldr/common/main"
# The region's languages (both scripts where there are two), then the big
# news languages in Latin, Cyrillic, Armenian and Georgian script
# (Croatian left out: its "listopad" is October, Polish and Czech November).
LANGS = ["en", "ru", "uk", "be", "kk", "ky", "uz", "uz_Cyrl", "tg", "tk",
         "az", "az_Cyrl", "tr", "mn", "hy", "ka", "de", "fr", "es", "pt",
         "it", "pl", "ro", "cs", "sk", "nl", "sv", "da", "nb", "fi", "lv",
         "lt", "et", "hu", "sr", "sr_Latn", "bg", "sl", "fa", "fa_AF"]
# The Solar Hijri (Persian) calendar's months, in these languages: month
# m is written 12 + m in date_months, and the date converted
# ("15 آبان 1404" = 6 November 2025).
PERSIAN_LANGS = ["fa", "fa_AF"]
# Year words news text writes that CLDR's date patterns do not hold
# ("24 октября 2025 года", "2025 жылы").
EXTRA_YEAR_WORDS = ["года", "року", "жылы", "yil", "yılı"]
UNITS = {"second": 1000, "minute": 60000, "hour": 3600000,
         "day": 86400000, "week": 7 * 86400000}


def load(lang):
    """The locale's XML and its parents' (uz_Cyrl falls back to uz for
    nothing we read, but keep the chain for completeness)."""
    return ET.parse(os.path.join(CLDR, lang + ".xml")).getroot()


def clean(s):
    s = (s or "").strip().lower().rstrip(".")
    return re.sub(r"\s+", " ", s)


def variants(s):
    out = {s}
    if "ı" in s:
        out.add(s.replace("ı", "i"))
    # Persian: CLDR writes the ezafe ("ژانویهٔ"), news often does not.
    if "\u0654" in s:
        out.add(s.replace("\u0654", ""))
    return out


def main():
    months = {}   # name -> set of months
    weekdays = set()  # names and abbreviations of the days of the week
    days = {}     # word -> offset
    rels = set()  # (prefix, suffix, unit_ms)
    years = set(EXTRA_YEAR_WORDS)  # words after a year: "г", "ж", "gada"
    particles = set()  # words between day, month and year: "de"
    for lang in LANGS:
        root = load(lang)
        cal = root.find(".//calendars/calendar[@type='gregorian']")
        if cal is not None:
            for p in cal.findall("dateFormats/dateFormatLength/dateFormat/pattern"):
                for lit in re.findall(r"y[-. ]*'([^']+)'", p.text or ""):
                    w = clean(lit)
                    if w and w.isalpha():
                        years.update(variants(w))
                # "24 de octubre de 2025": the words around the month.
                for lit in re.findall(r"d\s*'([^']+)'\s*M|M\s*'([^']+)'\s*y",
                                      p.text or ""):
                    for part in lit:
                        w = clean(part)
                        if w and w.isalpha():
                            particles.update(variants(w))
            for ctx in cal.findall("months/monthContext"):
                for width in ctx.findall("monthWidth"):
                    if width.get("type") not in ("wide", "abbreviated"):
                        continue
                    for m in width.findall("month"):
                        name = clean(m.text)
                        if len(name) < 3 or not any(ch.isalpha() for ch in name):
                            continue
                        for v in variants(name):
                            months.setdefault(v, set()).add(int(m.get("type")))
        if cal is not None:
            for ctx in cal.findall("days/dayContext"):
                for width in ctx.findall("dayWidth"):
                    if width.get("type") not in ("wide", "abbreviated"):
                        continue
                    for d in width.findall("day"):
                        name = clean(d.text)
                        if len(name) >= 3 and any(ch.isalpha() for ch in name):
                            weekdays.update(variants(name))
        for f in root.findall(".//fields/field"):
            t = f.get("type")
            if t == "day":
                for r in f.findall("relative"):
                    if r.get("type") in ("-1", "0") and r.text:
                        for v in variants(clean(r.text)):
                            days.setdefault(v, int(r.get("type")))
            if t not in UNITS:
                continue
            for rt in f.findall("relativeTime"):
                if rt.get("type") != "past":
                    continue
                for p in rt.findall("relativeTimePattern"):
                    pat = clean(p.text)
                    if "{0}" not in pat:
                        continue
                    pre, _, suf = pat.partition("{0}")
                    for pv in variants(pre.strip()):
                        for sv in variants(suf.strip()):
                            rels.add((pv, sv, UNITS[t]))
    for lang in PERSIAN_LANGS:
        cal = load(lang).find(".//calendars/calendar[@type='persian']")
        for ctx in cal.findall("months/monthContext"):
            for width in ctx.findall("monthWidth"):
                if width.get("type") not in ("wide", "abbreviated"):
                    continue
                for m in width.findall("month"):
                    name = clean(m.text)
                    if len(name) < 2:
                        continue
                    for v in variants(name):
                        months.setdefault(v, set()).add(12 + int(m.get("type")))
    clash = sorted(n for n, ms in months.items() if len(ms) > 1)
    for n in clash:
        print(f"make_date_names: {n!r} names months {sorted(months[n])}: left out",
              file=sys.stderr)
        del months[n]

    def c(s):
        return '"' + "".join(ch if ch not in '"\\' else "\\" + ch for ch in s) + '"'

    print("/* Generated by scripts/make_date_names.py from Debian's CLDR")
    print(" * (unicode-cldr-core) for " + ", ".join(LANGS) + ".")
    print(" * Do not edit. */")
    print("/* Month names and abbreviations, lower case, sorted by bytes; 13..24:")
    print(" * the months of the Solar Hijri calendar. */")
    print("static const struct date_month {\n    const char *name;\n    int month;\n} date_months[] = {")
    for n in sorted(months, key=lambda s: s.encode()):
        print(f"    {{{c(n)}, {next(iter(months[n]))}}},")
    print("};")
    print("/* Days of the week, lower case, sorted by bytes. */")
    print("static const char *const date_weekdays[] = {")
    for w in sorted(weekdays - set(months), key=lambda s: s.encode()):
        print(f"    {c(w)},")
    print("};")
    # date.c's parse_relative_intl() skips these for a line with a digit,
    # and reads a count's phrase as [PREFIX ]COUNT SUFFIX.
    assert not any(ch.isdigit() for w in days for ch in w)
    assert not any(ch.isdigit() for r in rels for ch in r[0] + r[1])
    print("/* \"Yesterday\" (-1) and \"today\" (0). */")
    print("static const struct date_day {\n    const char *word;\n    int offset;\n} date_days[] = {")
    for w in sorted(days, key=lambda s: s.encode()):
        print(f"    {{{c(w)}, {days[w]}}},")
    print("};")
    print("/* The longest of them, in bytes. */")
    print(f"#define DATE_DAY_WORD_MAX {max(len(w.encode()) for w in days)}")
    print("/* Words written after a year (\"2025 г.\", \"2025 ж.\"). */")
    print("static const char *const date_year_words[] = {")
    for w in sorted(years, key=lambda s: s.encode()):
        print(f"    {c(w)},")
    print("};")
    print("/* Words between the day, the month and the year (\"de\"). */")
    print("static const char *const date_particles[] = {")
    for w in sorted(particles, key=lambda s: s.encode()):
        print(f"    {c(w)},")
    print("};")
    print("/* Past relative forms: PREFIX N SUFFIX, N units ago. */")
    print("static const struct date_rel {\n    const char *prefix, *suffix;\n    long long unit_ms;\n} date_rels[] = {")
    for pre, suf, ms in sorted(rels, key=lambda r: (r[0].encode(), r[1].encode(), r[2])):
        print(f"    {{{c(pre)}, {c(suf)}, {ms}LL}},")
    print("};")
    print(f"make_date_names: {len(months)} month names, {len(days)} day words, "
          f"{len(rels)} relative forms", file=sys.stderr)


if __name__ == "__main__":
    main()
