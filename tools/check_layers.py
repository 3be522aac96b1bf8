#!/usr/bin/python3
"""check_layers.py: every #include "layer/module.h" in src/ and include/ names the file's own layer or
a lower one, and the headers' include graph has no cycle. The build enforces the first (each layer
compiles against its own staging include path); this check also catches cycles inside a layer and
prints the whole picture. Exit 1 with a list of violations, 0 when clean.

usage: tools/check_layers.py [REPO]"""
import os
import re
import sys

LAYERS = ["base", "hwdb", "physics", "sim", "config", "study", "io", "api", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z]+)/([a-z0-9_]+)\.h"', re.M)


def layer_of(path, repo):
    rel = os.path.relpath(path, repo).split(os.sep)
    if rel[0] == "src":
        return rel[1]
    if rel[:2] == ["include", "servesim"] and len(rel) > 3:
        return rel[2]
    return None


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems, graph, n_files = [], {}, 0
    for top in ("src", os.path.join("include", "servesim")):
        for d, _, files in os.walk(os.path.join(repo, top)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(d, f)
                me = layer_of(path, repo)
                if me is None:
                    continue
                n_files += 1
                text = open(path, encoding="utf-8").read()
                node = f"{me}/{f}"
                graph.setdefault(node, set())
                for lay, mod in INCLUDE.findall(text):
                    if lay not in LAYERS:
                        continue
                    if LAYERS.index(lay) > LAYERS.index(me):
                        problems.append(f"{os.path.relpath(path, repo)}: includes {lay}/{mod}.h, a higher layer than {me}")
                    if f.endswith(".h"):
                        graph[node].add(f"{lay}/{mod}.h")
    # cycles among headers (depth-first search, white/grey/black)
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                problems.append("include cycle: " + " -> ".join(stack[stack.index(m):] + [m]))
            elif not state.get(m):
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if not state.get(n):
            visit(n)
    if n_files < 50:
        problems.append(f"only {n_files} source files found under {repo}: wrong directory?")
    for p in problems:
        print("FAIL", p)
    print(f"check_layers: {n_files} files, {sum(len(v) for v in graph.values())} header includes, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
