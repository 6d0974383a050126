#!/usr/bin/env python3
"""Finds source files that import each other, in every package of the workspace.

A file imports another when it names an item of the other's module: in a `use`, or inline
(`crate::http::send`, `super::Method`, `agent::exchange` from the module that declares
`agent`). A parent module and its child count like any two files. Prints each pair and
exits 1 when there is one; prints nothing and exits 0 otherwise.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def crate_roots():
    """(package dir, crate root file) for every library and binary in the workspace."""
    for pkg in ["", "pinn-mock", "pinn-cli", "quickstart"]:
        src = os.path.join(ROOT, pkg, "src")
        for root in ["lib.rs", "main.rs"]:
            path = os.path.join(src, root)
            if os.path.exists(path):
                yield src, path


def strip(text):
    """The code without comments, string and character literals (lifetimes are kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif re.match(r'(?:b|c)?r#*"', text[i:i + 80]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'(?:b|c)?r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + m.end())
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'":
            m = re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def modules(src, root):
    """Module path (tuple) -> file, for one crate, following `mod` declarations."""
    found = {}

    def walk(path, mod_path, dir_for_children):
        found[mod_path] = path
        code = strip(open(path).read())
        for m in re.finditer(r"(?:#\[path\s*=\s*\"([^\"]+)\"\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code):
            name = m.group(2)
            for cand in [os.path.join(dir_for_children, name + ".rs"),
                         os.path.join(dir_for_children, name, "mod.rs")]:
                if os.path.exists(cand):
                    child_dir = os.path.join(dir_for_children, name)
                    walk(cand, mod_path + (name,), child_dir)
                    break

    walk(root, (), src)
    return found


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", tree, re.S)
    if not m:
        return [tree]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out.extend(prefix + q for q in expand_use(p))
    return out


def inline_depths(code):
    """For each position, how many inline `mod name { ... }` blocks enclose it (as a list of
    (start, end) spans)."""
    spans = []
    for m in re.finditer(r"\bmod\s+\w+\s*\{", code):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        spans.append((m.end(), i))
    return spans


def references(code):
    """Every path a file names, from `use` trees and inline `a::b` paths, with the number of
    inline modules around it (a `super::` inside `mod tests { }` starts from the file)."""
    spans = inline_depths(code)
    depth = lambda pos: sum(1 for a, b in spans if a <= pos < b)
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        paths.extend((p, depth(m.start())) for p in expand_use(m.group(1)))
    code_wo_use = re.sub(r"\buse\s+[^;]+;", lambda m: " " * len(m.group(0)), code)
    for m in re.finditer(r"\b(?:[A-Za-z_]\w*::)+[A-Za-z_]\w*", code_wo_use):
        paths.append((m.group(0), depth(m.start())))
    return [(re.sub(r"\s+", "", p), d) for p, d in paths]


def resolve(path, here, mods, inline=0):
    """The module a path lands in (the longest prefix that is a module), or None. `inline`:
    how many inline modules of the file enclose the path."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    while inline and segs and segs[0] == "super":
        segs, inline = segs[1:], inline - 1
    if inline and segs and segs[0] != "crate":
        return None  # a path relative to an inline module: its own items, or a local
    if not segs:
        return here
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = here
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    elif here + (segs[0],) in mods:
        base = here  # a child module named directly
    elif (segs[0],) in mods and here == ():
        base = ()
    else:
        return None
    best = base if base in mods else None
    cur = base
    for s in segs:
        cur = cur + (s,)
        if cur in mods:
            best = cur
        else:
            break
    return best


def main():
    rings = set()
    for src, root in crate_roots():
        mods = modules(src, root)
        edges = {}
        for mod_path, file in mods.items():
            code = strip(open(file).read())
            targets = set()
            for p, inline in references(code):
                t = resolve(p, mod_path, mods, inline)
                if t is not None and t != mod_path:
                    targets.add(t)
            edges[mod_path] = targets
        for a, ts in edges.items():
            for b in ts:
                if a in edges.get(b, ()) and mods[a] < mods[b]:
                    rel = lambda f: os.path.relpath(f, ROOT)
                    rings.add(f"{rel(mods[a])} <-> {rel(mods[b])}")
    for r in sorted(rings):
        print(r)
    sys.exit(1 if rings else 0)


def explain(file):
    """The references of one file and where they land (for debugging this script)."""
    for src, root in crate_roots():
        mods = modules(src, root)
        for mod_path, f in mods.items():
            if os.path.abspath(f) == os.path.abspath(file):
                for p, inline in references(strip(open(f).read())):
                    print(p, inline, "->", resolve(p, mod_path, mods, inline))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        explain(sys.argv[1])
    else:
        main()
