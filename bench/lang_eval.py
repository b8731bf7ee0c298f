#!/usr/bin/env python3
"""Language of the corpora's pages: wiredesk's Article.language against
the truth (the `lang` of each page's JSON), per set and rendering.

    lang_eval.py CORPUS_PARSE [--corpora DIR] [--floor RENDERING=VALUE ...]

On the HTML the page's own declaration comes first (and is what most of the
truth was taken from); on the text renderings (w3m, lynx, html2text) there
is none, so the language is the detector's alone. A page counts as right
when the primary subtags agree ("en-US" = "en"); an answer of no language
counts as wrong. Real pages only (no synthetic ones). Exits 1 when a
rendering's accuracy over all sets is below its --floor.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_eval import RENDERINGS, default_corpora, page_files  # noqa: E402


def primary(tag):
    return (tag or "").replace("_", "-").split("-")[0].lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus_parse")
    ap.add_argument("--corpora", default=default_corpora())
    ap.add_argument("--floor", action="append", default=[])
    args = ap.parse_args()
    floors = dict((k, float(v)) for k, v in (f.split("=", 1) for f in args.floor))
    truth = {}
    for s in sorted(os.listdir(args.corpora)):
        d = os.path.join(args.corpora, s)
        if not os.path.isdir(d):
            continue
        for f in os.listdir(d):
            if not f.endswith(".json"):
                continue
            with open(os.path.join(d, f), encoding="utf-8") as fh:
                t = json.load(fh)
            if t.get("lang") and not t.get("synthetic"):
                truth[(s, f[:-5])] = primary(t["lang"])
    print(f"pages with a language in their truth (real): {len(truth)}; "
          f"languages: {', '.join(sorted(set(truth.values())))}")
    print(f"{'rendering':10} {'set':12} {'pages':>5} {'right':>5} {'none':>5} "
          f"{'wrong':>5} {'accuracy':>8}")
    failed = False
    for r in RENDERINGS:
        files = [f for f in page_files(args.corpora, r)
                 if (f.split("/")[0], os.path.basename(f).split(".")[0]) in truth]
        out = subprocess.run([args.corpus_parse, args.corpora] + files,
                             capture_output=True, text=True, check=True).stdout
        per_set = {}
        for line in out.splitlines():
            o = json.loads(line)
            s = o["name"].split("/")[0]
            key = (s, os.path.basename(o["name"]).split(".")[0])
            got = primary(o.get("lang"))
            row = per_set.setdefault(s, [0, 0, 0, 0])
            row[0] += 1
            if not got:
                row[2] += 1
            elif got == truth[key]:
                row[1] += 1
            else:
                row[3] += 1
        total = [sum(v[i] for v in per_set.values()) for i in range(4)]
        for s, (n, ok, none, wrong) in sorted(per_set.items()) + [("all", total)]:
            acc = ok / n if n else float("nan")
            print(f"{r:10} {s:12} {n:5} {ok:5} {none:5} {wrong:5} {acc:8.3f}")
        acc = total[1] / total[0] if total[0] else 0.0
        if r in floors and acc < floors[r]:
            print(f"FLOOR: {r} accuracy {acc:.3f} < {floors[r]}")
            failed = True
    if floors:
        print("floor: " + ("FAIL" if failed else "PASS"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
