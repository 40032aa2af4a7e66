#!/bin/sh
# check-includes.sh: include arrows among the drift engine's files run one
# way. A header of drift/ that (through others) includes itself is a cycle:
# the stages would depend on each other instead of on the model. Prints the
# cycle and fails. Usage: check-includes.sh TOP
set -eu
top=${1:-.}
python3 - "$top" <<'PY'
import os, re, sys
top = sys.argv[1]
d = os.path.join(top, "drift")
graph = {}
for f in sorted(os.listdir(d)):
    if not f.endswith((".c", ".h")):
        continue
    deps = []
    for line in open(os.path.join(d, f)):
        m = re.match(r'\s*#\s*include\s+"([^"/]+\.h)"', line)
        if m and os.path.exists(os.path.join(d, m.group(1))):
            deps.append(m.group(1))
    graph[f] = deps
# A .c file's stage: a cycle is two headers that reach each other, or a .c
# whose header reaches a header that includes the .c's header back.
state, path = {}, []
def visit(n):
    state[n] = 1
    path.append(n)
    for m in graph.get(n, []):
        if state.get(m) == 1:
            print("include cycle: " + " -> ".join(path[path.index(m):] + [m]))
            sys.exit(1)
        if not state.get(m):
            visit(m)
    path.pop()
    state[n] = 2
for n in sorted(graph):
    if not state.get(n):
        visit(n)
# Each stage's .c includes the headers of the stages before it, never after:
# a header of drift/ must not include the driver (run) or a later stage.
later = {"run.c"}
for f, deps in graph.items():
    if f.endswith(".h") and any(x.replace(".h", ".c") in later for x in deps):
        print(f + " includes the driver")
        sys.exit(1)
print("drift/: %d files, no include cycle" % len(graph))
PY
