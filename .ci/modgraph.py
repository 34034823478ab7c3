#!/usr/bin/env python3
"""Module dependency graph of src/: prints the cycles between top-level modules and between
files (each file's references to crate::a::b, outside #[cfg(test)] modules)."""
import os, re, sys, itertools
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
def module_of(path):
    rel = os.path.relpath(path, root)[:-3]
    parts = rel.split('/')
    if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
    return tuple(parts)
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            files[module_of(p)] = p
def strip_tests(text):
    out = []; lines = text.split('\n'); i = 0
    while i < len(lines):
        if lines[i].strip() == '#[cfg(test)]' and i + 1 < len(lines) and re.match(r'\s*(pub )?mod \w+ \{', lines[i+1]):
            depth = 0; i += 1
            while i < len(lines):
                depth += lines[i].count('{') - lines[i].count('}')
                i += 1
                if depth <= 0: break
            continue
        out.append(lines[i]); i += 1
    return '\n'.join(out)
mods = set(files)
edges = {m: set() for m in mods}
for m, p in files.items():
    text = strip_tests(open(p).read())
    text = re.sub(r'//[^\n]*', '', text)
    refs = set()
    for match in re.finditer(r'crate::((?:\w+::)*\w+)', text):
        refs.add(tuple(match.group(1).split('::')))
    for match in re.finditer(r'\bsuper::((?:\w+::)*\w+)', text):
        base = m[:-1] if not p.endswith('mod.rs') else m[:-1]
        refs.add(base + tuple(match.group(1).split('::')))
    for match in re.finditer(r'use super::\{([^}]*)\}', text):
        base = m[:-1]
        for item in match.group(1).split(','):
            item = item.strip().split('::')[0]
            if item and item != 'self': refs.add(base + (item,))
    for r in refs:
        # longest module prefix
        for n in range(len(r), 0, -1):
            if r[:n] in mods:
                if r[:n] != m and not (m[:len(r[:n])] == r[:n]):
                    edges[m].add(r[:n])
                break
def cycles(graph):
    index = {}; low = {}; stack = []; on = set(); out = []; counter = [0]
    def strong(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index: strong(v)
    return out
top = {}
for m, targets in edges.items():
    if not m: continue
    for t in targets:
        if t and t[0] != m[0]:
            top.setdefault(m[0], set()).add(t[0])
found = False
for c in cycles(top):
    found = True
    print('top-level cycle:', ' <-> '.join(c))
    for a in c:
        for m, targets in edges.items():
            if m and m[0] == a:
                for t in targets:
                    if t and t[0] in c and t[0] != a:
                        print('   ', '::'.join(m), '->', '::'.join(t))
for c in cycles(edges):
    found = True
    print('file cycle:', ' <-> '.join('::'.join(x) for x in c))
sys.exit(1 if found else 0)
