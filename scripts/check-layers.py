#!/usr/bin/env python3
"""The include graph holds the architecture (docs/ARCHITECTURE.md):

- no file of the core (src/core/*.c and every wd/ header they include,
  directly or not) includes libuv, libzmq, LMDB or hiredis, nor a header of
  a shell module;
- no two modules include each other, directly or through others (a module
  is src/*/<m>.c with include/wd/<m>.h).

The link holds the first rule too (core_link_check); this check names the
file and the include. Exits 1 with one line per finding.
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
SYSTEM = re.compile(r'#\s*include\s*<(uv\.h|zmq\.h|lmdb\.h|hiredis/[^>]+)>')
LOCAL = re.compile(r'#\s*include\s*"wd/([a-z0-9_]+)\.h"')


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


SOURCES = {}  # module -> its .c (src/<layer>/ and its folders, e.g. cli/)


def modules(layer):
    found = set()
    for d, _, files in os.walk(os.path.join(top, "src", layer)):
        for f in files:
            if f.endswith(".c"):
                found.add(f[:-2])
                SOURCES[f[:-2]] = os.path.join(d, f)
    return found


core, shell = modules("core"), modules("shell")


def source(m):
    return SOURCES.get(m)


def header(m):
    p = os.path.join(top, "include", "wd", m + ".h")
    return p if os.path.exists(p) else None


def includes(path):
    return LOCAL.findall(read(path)) if path else []


findings = []
# Layer rule: walk every header a core file reaches.
for m in sorted(core):
    seen, todo = set(), [("src/core/%s.c" % m, source(m))]
    while todo:
        name, path = todo.pop()
        if not path or name in seen:
            continue
        seen.add(name)
        text = read(path)
        for lib in SYSTEM.findall(text):
            findings.append("%s (reached from core module %s) includes <%s>" % (name, m, lib))
        for h in LOCAL.findall(text):
            if h in shell:
                findings.append("%s (core module %s) includes the shell's wd/%s.h" % (name, m, h))
            todo.append(("include/wd/%s.h" % h, header(h)))

# Cycle rule: the module graph (a module's .c and .h together).
graph = {}
for m in core | shell | {f[:-2] for f in os.listdir(os.path.join(top, "include", "wd"))}:
    deps = set(includes(source(m))) | set(includes(header(m)))
    graph[m] = sorted(deps - {m})

state = {}


def visit(m, stack):
    state[m] = 1
    stack.append(m)
    for d in graph.get(m, []):
        if state.get(d) == 1:
            cyc = stack[stack.index(d):] + [d]
            findings.append("include cycle: " + " -> ".join(cyc))
        elif d in graph and not state.get(d):
            visit(d, stack)
    stack.pop()
    state[m] = 2


for m in sorted(graph):
    if not state.get(m):
        visit(m, [])

for f in findings:
    print(f)
print("layers: %d core and %d shell modules, %d finding(s)" % (len(core), len(shell), len(findings)))
sys.exit(1 if findings else 0)
