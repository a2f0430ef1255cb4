#!/usr/bin/env python3
"""Reports file-level import cycles in Rust source trees; exits 1 if there are any.

    python3 scripts/check-cycles.py src crates/gotrace/src crates/gotrace-cli/src

Each argument is a folder holding crate roots (`lib.rs`, `main.rs`, `bin/*.rs`).
The module tree is found by following `mod NAME;` declarations from each root
(`NAME.rs` or `NAME/mod.rs`), as rustc does. A file A depends on file B when A
names something in B's module through `crate::`, `super::`, `self::` or a child
module's name, in a `use` tree or in a path in code. A `pub use` re-export is
followed to the file that defines the item, so `crate::Error` counts as a
reference to `error.rs`, not to `lib.rs`. `mod NAME;` itself is not a
reference: a parent declaring a child and the child using `super::*` is the
normal shape of a tree, not a cycle.

Why: dependencies in this project point one way (docs/architecture.md); a cycle
means two files can no longer be understood or changed one at a time.
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_code(text):
    """Blanks out comments, strings and char literals, keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
            continue
        m = re.match(r'b?r(#*)"', text[i:i + 10]) if c in "br" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) else None
        if m:
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
            continue
        if c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:i + 12])
            if m:
                out.append(" ")
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def normalise_use(tree):
    """White space removed, `x as y` written `x@y`."""
    return re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", tree))


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> [[a,b], [a,c,d], [a,c,e]] (renames and globs dropped to their path)."""
    tree = normalise_use(tree)

    def parse(s, pos):
        paths, prefix = [], []
        buf = ""
        while pos < len(s):
            ch = s[pos]
            if s.startswith("::", pos):
                if buf:
                    prefix.append(buf)
                buf = ""
                pos += 2
            elif ch == "{":
                subs, pos = parse_group(s, pos + 1)
                paths += [prefix + p for p in subs]
                return paths, pos
            elif ch in ",}":
                break
            else:
                buf += ch
                pos += 1
        if buf:
            prefix.append(buf.split("@")[0])  # `name as alias` arrives as `name@alias`
        paths.append(prefix)
        return paths, pos

    def parse_group(s, pos):
        out = []
        while pos < len(s) and s[pos] != "}":
            sub, pos = parse(s, pos)
            out += sub
            if pos < len(s) and s[pos] == ",":
                pos += 1
        return out, pos + 1

    paths, _ = parse(tree, 0)
    return [p for p in paths if p]


class Module:
    def __init__(self, path, file, parent):
        self.path = path  # tuple of names from the crate root
        self.file = file
        self.parent = parent
        self.children = {}  # name -> Module (file modules only)
        self.reexports = {}  # name -> absolute path (tuple) of a `pub use`
        self.globs = []  # absolute module paths of `pub use x::*`


def module_files(file, is_root):
    """Where `mod NAME;` in FILE looks for NAME."""
    d = os.path.dirname(file)
    base = os.path.basename(file)
    if not (is_root or base == "mod.rs"):
        d = os.path.join(d, base[:-3])
    return d


def build_crate(root_file):
    modules = {}
    texts = {}

    def visit(file, path, parent, is_root):
        if file in texts:
            return
        text = strip_code(open(file, encoding="utf-8").read())
        texts[file] = text
        mod = Module(path, file, parent)
        modules[path] = mod
        d = module_files(file, is_root)
        # Only top-level `mod x;` declarations of the file (inline modules are part of the file).
        for m in re.finditer(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", text, re.M):
            name = m.group(1)
            for cand in (os.path.join(d, name + ".rs"), os.path.join(d, name, "mod.rs")):
                if os.path.exists(cand):
                    child_path = path + (name,)
                    visit(cand, child_path, mod, False)
                    mod.children[name] = modules[child_path]
                    break

    visit(root_file, (), None, True)
    return modules, texts


def inline_mod_spans(text):
    """(start, end, name) of inline `mod name { ... }` blocks, so `super::` inside them resolves right."""
    spans = []
    for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", text):
        depth, j = 1, m.end()
        while j < len(text) and depth:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
            j += 1
        spans.append((m.start(), j, m.group(1)))
    return spans


def scope_at(spans, pos):
    return [name for (s, e, name) in spans if s <= pos < e]


def absolute(mod, inline, segs):
    """Absolute module path of SEGS as written in MOD (inside inline modules INLINE), or None if external."""
    here = list(mod.path) + inline
    if not segs:
        return None
    head = segs[0]
    if head == "crate":
        return tuple(segs[1:])
    if head in ("self", "super"):
        cur = here
        rest = list(segs)
        while rest and rest[0] in ("self", "super"):
            if rest[0] == "super":
                if not cur:
                    return None
                cur = cur[:-1]
            rest = rest[1:]
        return tuple(cur + rest)
    if not inline and head in mod.children:
        return tuple(here + segs)
    return None


def resolve(modules, abspath, depth=0):
    """The file defining ABSPATH (following `pub use`), or None."""
    if depth > 8:
        return None
    for k in range(len(abspath), -1, -1):
        mod = modules.get(tuple(abspath[:k]))
        if mod is None:
            continue
        rest = abspath[k:]
        if rest and rest[0] in mod.reexports:
            target = mod.reexports[rest[0]] + tuple(rest[1:])
            got = resolve(modules, target, depth + 1)
            if got:
                return got
        if rest and mod.globs:
            for g in mod.globs:
                sub = modules.get(g)
                if sub and (rest[0] in sub.children or rest[0] in sub.reexports):
                    got = resolve(modules, g + tuple(rest), depth + 1)
                    if got:
                        return got
        return mod.file
    return None


USE_RE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
PATH_RE = re.compile(r"(?<![A-Za-z0-9_:])((?:crate|super|self)(?:\s*::\s*" + IDENT + r")+)")


def analyse_crate(root_file):
    modules, texts = build_crate(root_file)
    by_file = {m.file: m for m in modules.values()}
    # Pass 1: re-exports.
    for mod in modules.values():
        text = texts[mod.file]
        spans = inline_mod_spans(text)
        for m in USE_RE.finditer(text):
            if not m.group(1) or scope_at(spans, m.start()):
                continue
            raw = normalise_use(m.group(2))
            for segs in expand_use_tree(raw):
                abs_ = absolute(mod, [], segs)
                if abs_ is None:
                    continue
                if segs[-1] == "*":
                    mod.globs.append(abs_[:-1])
                    continue
                name = segs[-1]
                alias = re.search(r"\b" + re.escape(name) + r"@(" + IDENT + ")", raw)
                mod.reexports[alias.group(1) if alias else name] = abs_
    # Pass 2: references.
    edges = {}
    for mod in modules.values():
        text = texts[mod.file]
        spans = inline_mod_spans(text)
        refs = []
        for m in USE_RE.finditer(text):
            for segs in expand_use_tree(m.group(2)):
                refs.append((m.start(), [x for x in segs if x != "*"]))
        for m in PATH_RE.finditer(text):
            refs.append((m.start(), re.sub(r"\s+", "", m.group(1)).split("::")))
        for pos, segs in refs:
            abs_ = absolute(mod, scope_at(spans, pos), segs)
            if abs_ is None:
                continue
            target = resolve(modules, abs_)
            if target and target != mod.file:
                line = text.count("\n", 0, pos) + 1
                edges.setdefault(mod.file, {}).setdefault(target, (line, "::".join(segs)))
    return set(by_file), edges


def sccs(nodes, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return out


def crate_roots(folder):
    roots = []
    for name in ("lib.rs", "main.rs"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            roots.append(p)
    bindir = os.path.join(folder, "bin")
    if os.path.isdir(bindir):
        for name in sorted(os.listdir(bindir)):
            p = os.path.join(bindir, name)
            if name.endswith(".rs"):
                roots.append(p)
            elif os.path.exists(os.path.join(p, "main.rs")):
                roots.append(os.path.join(p, "main.rs"))
    return roots


def main(folders):
    if not folders:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    found = 0
    files = 0
    for folder in folders:
        roots = crate_roots(folder)
        if not roots:
            print(f"check-cycles: no crate root (lib.rs, main.rs, bin/) in {folder}")
            return 2
        for root in roots:
            nodes, edges = analyse_crate(root)
            files += len(nodes)
            for comp in sccs(nodes, edges):
                found += 1
                print(f"cycle in the crate of {root}:")
                members = set(comp)
                for a in comp:
                    for b, (line, path) in sorted(edges.get(a, {}).items()):
                        if b in members:
                            print(f"  {a}:{line} -> {b}   ({path})")
    if found:
        print(f"{found} import cycle(s) among {files} files")
        return 1
    print(f"no import cycles among {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
