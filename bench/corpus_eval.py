#!/usr/bin/env python3
"""The parser over every page and rendering of the development corpora.

    corpus_eval.py CORPUS_PARSE [--corpora DIR] [--floor KEY=VALUE ...]
                   [--out DIR] [--worst N]

Runs bench/corpus_parse (the worker's own parser) over every page of
../shared/corpora as HTML and as each of its three text renderings (w3m,
lynx, html2text), scores each rendering with the corpora's score.py
(--no-synthetic: real pages only) and prints score.py's table per set and
per rendering, then one summary line per rendering.

--floor RENDERING.MEASURE=VALUE (e.g. w3m.body_f1=0.40, lynx.title=0.30)
makes it exit 1 when a measure over all real pages of that rendering falls
below the value: the ctest test corpus_eval_floor holds the floors of
bench/RESULTS.md. Measures: body_f1, body_p, body_r, prefix_r, title,
authors, date. The corpora are a development set: never tune a rule to one
of their sites, strings or files.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

RENDERINGS = ("html", "w3m", "lynx", "html2text")


def default_corpora():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "corpora"))


def page_files(root, rendering):
    out = []
    for s in sorted(os.listdir(root)):
        d = os.path.join(root, s)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".html"):
                continue
            name = f[: -len(".html")]
            if not os.path.exists(os.path.join(d, name + ".json")):
                continue
            if rendering == "html":
                out.append(f"{s}/{f}")
            else:
                rel = f"{s}/text/{name}.{rendering}.txt"
                if os.path.exists(os.path.join(root, rel)):
                    out.append(rel)
    return out


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def summary(rows):
    def m(key):
        return mean([float(r[key]) for r in rows if r.get(key) is not None])
    return {
        "body_f1": m("body_f1"), "body_p": m("body_p"), "body_r": m("body_r"),
        "prefix_r": m("prefix_recall"), "title": m("title_ok"),
        "authors": m("authors_ok"), "date": m("date_ok"),
        "pages": len(rows), "no_output": sum(1 for r in rows if r["missing"]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus_parse")
    ap.add_argument("--corpora", default=default_corpora())
    ap.add_argument("--floor", action="append", default=[])
    ap.add_argument("--out", help="keep the JSON-lines outputs here")
    ap.add_argument("--worst", type=int, default=5)
    ap.add_argument("--only", action="append", default=[], help="only these renderings")
    args = ap.parse_args()
    score = os.path.join(args.corpora, "score.py")
    if not os.path.exists(score):
        sys.exit(f"corpus_eval: no corpora at {args.corpora}")
    out_dir = args.out or tempfile.mkdtemp(prefix="corpus-eval-")
    os.makedirs(out_dir, exist_ok=True)
    results = {}
    for r in RENDERINGS:
        if args.only and r not in args.only:
            continue
        files = page_files(args.corpora, r)
        jsonl = os.path.join(out_dir, f"{r}.jsonl")
        with open(jsonl, "w", encoding="utf-8") as f:
            subprocess.run([args.corpus_parse, args.corpora] + files, stdout=f,
                           check=True)
        rows_path = os.path.join(out_dir, f"{r}.rows.jsonl")
        print(f"\n== {r}: {len(files)} pages")
        sys.stdout.flush()
        subprocess.run([sys.executable, score, args.corpora, jsonl, "--no-synthetic",
                        "--worst", str(args.worst), "--per-page", rows_path], check=True)
        with open(rows_path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        results[r] = summary(rows)

    print("\n== summary, real pages (--no-synthetic)")
    print(f"{'rendering':<10} {'pages':>5} {'body F1':>8} {'P':>6} {'R':>6} "
          f"{'prefix R':>8} {'title':>6} {'authors':>7} {'date':>6}")
    for r, s in results.items():
        print(f"{r:<10} {s['pages']:>5} {s['body_f1']:>8.3f} {s['body_p']:>6.3f} "
              f"{s['body_r']:>6.3f} {s['prefix_r']:>8.3f} {s['title']:>6.3f} "
              f"{s['authors']:>7.3f} {s['date']:>6.3f}")
    failed = 0
    for fl in args.floor:
        key, _, value = fl.partition("=")
        rendering, _, measure = key.partition(".")
        if rendering not in results or measure not in results[rendering]:
            print(f"corpus_eval: unknown floor {fl}")
            failed += 1
            continue
        got = results[rendering][measure]
        ok = got >= float(value)
        print(f"floor {key} >= {value}: {got:.3f} {'ok' if ok else 'BELOW'}")
        failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
