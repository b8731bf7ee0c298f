#!/usr/bin/env python3
"""Holds the docs to the worker's option table (ctest options_documented).

`wiredesk run --print-config`, run with no WIREDESK_* variable set, prints
every setting of `run` with its default: the option table in
src/shell/cli/cmd_run.c is the one place a default is written. Each setting
must then appear, with that default, in
  - README.md's configuration table:  | `name` | `WIREDESK_NAME` | default |
  - docs/OPERATIONS.md's table:       | `--name` | default | ... |
  - docs/wiredesk.1:                  .BI \\-\\-name ... "Default: ..."
A setting without a default ("# name = (off)") must be said to be off or
none there. Exits 1 listing every mismatch.

Usage: check-options.py WIREDESK_BINARY [SOURCE_DIR]
"""
import os
import re
import subprocess
import sys


def settings(binary):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WIREDESK_")}
    out = subprocess.run([binary, "run", "--print-config"], env=env,
                         check=True, capture_output=True, text=True).stdout
    got = []
    for line in out.splitlines():
        m = re.fullmatch(r"(#\s*)?([a-z0-9-]+) = (.*)", line)
        if not m:
            raise SystemExit("check-options: cannot read %r" % line)
        unset = bool(m.group(1))
        got.append((m.group(2), None if unset else m.group(3),
                    m.group(3).strip("()") if unset else None))
    return got


def says_unset(text, shown):
    """An unset setting's docs: off, none, or what --help shows."""
    low = text.lower()
    return "off" in low or "none" in low or \
        shown.split(",")[0].split(";")[0].strip().lower() in low


def main():
    binary = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    readme = open(os.path.join(src, "README.md"), encoding="utf-8").read()
    ops = open(os.path.join(src, "docs", "OPERATIONS.md"),
               encoding="utf-8").read()
    man = open(os.path.join(src, "docs", "wiredesk.1"),
               encoding="utf-8").read()
    bad = []
    got = settings(binary)
    for name, value, shown in got:
        env = "WIREDESK_" + name.upper().replace("-", "_")
        # README
        m = re.search(r"^\| `%s` \| `%s` \| (.*) \|$" % (re.escape(name),
                                                          env),
                      readme, re.M)
        if not m:
            bad.append("README.md: no row | `%s` | `%s` | ... |" %
                       (name, env))
        elif value is not None and "`%s`" % value not in m.group(1):
            bad.append("README.md: %s's default is not `%s`: %s" %
                       (name, value, m.group(1)))
        elif value is None and not says_unset(m.group(1), shown):
            bad.append("README.md: %s is off by default: %s" %
                       (name, m.group(1)))
        # OPERATIONS
        m = re.search(r"^\| `--%s` \| ([^|]*) \|" % re.escape(name), ops,
                      re.M)
        if not m:
            bad.append("docs/OPERATIONS.md: no row | `--%s` | ... |" % name)
        elif value is not None and "`%s`" % value not in m.group(1):
            bad.append("docs/OPERATIONS.md: --%s's default is not `%s`: %s" %
                       (name, value, m.group(1)))
        elif value is None and not says_unset(m.group(1), shown):
            bad.append("docs/OPERATIONS.md: --%s is off by default: %s" %
                       (name, m.group(1)))
        # the man page: from the option's tag to the next paragraph
        tag = r"\-\-" + name.replace("-", r"\-")
        i = man.find(".BI %s " % tag)
        if i < 0:
            bad.append("docs/wiredesk.1: no .BI %s entry" % tag)
            continue
        j = min([k for k in (man.find("\n.TP", i), man.find("\n.SH", i))
                 if k >= 0] or [len(man)])
        entry = man[i:j]
        flat = " ".join(l for l in entry.splitlines()[1:])
        flat = re.sub(r"^\.[A-Z]+ ?", "", flat)
        flat = re.sub(r" \.[A-Z]+ ", " ", flat).replace("\\-", "-")
        d = flat.find("Default:")
        if d < 0:
            bad.append("docs/wiredesk.1: %s says no Default:" % name)
        elif value is not None and value not in flat[d:]:
            bad.append("docs/wiredesk.1: %s's default is not %s: %s" %
                       (name, value, flat[d:d + 80]))
        elif value is None and not says_unset(flat[d:], shown):
            bad.append("docs/wiredesk.1: %s is off by default: %s" %
                       (name, flat[d:d + 80]))
    for b in bad:
        print(b)
    print("check-options: %d settings, %d mismatch(es)" % (len(got),
                                                           len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
