#!/usr/bin/env python3
"""The layout the project promises itself, in every crate of the workspace (the function, the stand-in org,
the test kit): no Rust source file over 500 lines; no import cycle between the top-level modules of a
crate's src/, nor between two files of one module folder; no arrow back up (a module importing through its crate's
root, `crate::Item` rather than `crate::module::Item`: the root re-exports for users, it does not serve its
own modules); and nothing that points at files outside
the repository (../shared). And one home for errors: docs/contract.md's table (meaning, retried or not) and
docs/troubleshooting.md's (cause, fix) name the same error types, in the same order.

Imports are read from the source text: `crate::x`, `crate::{x, y::z}`, and in a module folder `super::x`
or a name the folder's mod.rs re-exports from x. Unit tests (`#[cfg(test)]` onwards) may reach anywhere."""
import pathlib
import re
import subprocess
import sys
import tomllib

MAX_LINES = 500
root = pathlib.Path(__file__).resolve().parent.parent
problems = []

tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
for name in tracked:
    path = root / name
    if name.endswith(".rs") and path.exists():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{name}: {lines} lines (at most {MAX_LINES}): is it still one concern?")
    if path.is_file() and not name.startswith(".ci/") and "../shared" in path.read_text(encoding="utf-8", errors="replace"):
        problems.append(f"{name}: points at ../shared, which a user who clones the project does not have")


def error_types(doc, heading):
    """The error types a doc's table lists under `heading`, in order."""
    text = (root / doc).read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0] if heading in text else ""
    return re.findall(r"^\| `([A-Za-z]+)` \|", section, re.M)


contract_errors = error_types("docs/contract.md", "## How it fails")
troubleshooting_errors = error_types("docs/troubleshooting.md", "## Errors")
if not contract_errors or contract_errors != troubleshooting_errors:
    problems.append(
        f"the error tables differ: docs/contract.md lists {contract_errors}, "
        f"docs/troubleshooting.md lists {troubleshooting_errors}"
    )


def code(path):
    """A file's text without its unit tests and comments (a `#[cfg(test)]` item elsewhere stays out too)."""
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests\b", path.read_text(encoding="utf-8"))[0]
    text = re.sub(r"#\[cfg\(test\)\]\s*(pub(\([\w:]+\))?\s+)?use [^;]*;", "", text)
    return re.sub(r"//[^\n]*", "", text)


def brace_group(text, start):
    """The text inside the braces opening at text[start], nested braces included."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i]
    return text[start + 1 :]


def first_segments(group):
    """The first path segment of each item of a `{a::b, c, d::{e, f}}` group."""
    items, depth, current = [], 0, ""
    for ch in group:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        current += ch
    items.append(current)
    return {m.group(1) for item in items if (m := re.match(r"\s*(\w+)", item))}


def used_after(text, prefix):
    """Every first segment named after `prefix::` (`crate`, `super`) in text."""
    used = set()
    for m in re.finditer(rf"\b{prefix}::(\{{|\w+)", text):
        if m.group(1) == "{":
            used |= first_segments(brace_group(text, m.end(1) - 1))
        else:
            used.add(m.group(1))
    return used


def cycles(edges):
    found = set()
    for start in sorted(edges):
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start:
                    found.add(" -> ".join(trail + [start]))
                    stack = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
    return sorted(found)


def leaves_up(edges):
    order, remaining = [], {m: set(e) for m, e in edges.items()}
    while remaining:
        leaves = sorted(m for m, e in remaining.items() if not e)
        if not leaves:
            break
        order += leaves
        for m in leaves:
            del remaining[m]
        for e in remaining.values():
            e.difference_update(leaves)
    return order


def reexports(path):
    """Names a lib.rs or mod.rs re-exports, to the module each comes from."""
    text, exported = code(path), {}
    for m in re.finditer(r"pub(?:\([\w:]+\))?\s+use\s+(\w+)::(\{|\w+)", text):
        names = first_segments(brace_group(text, m.end(2) - 1)) if m.group(2) == "{" else {m.group(2)}
        for name in names:
            exported[name] = m.group(1)
    return exported


def check_crate(crate):
    src = crate / "src"
    rel = src.relative_to(root)
    # Top-level modules: src/x.rs and src/x/** belong to x (lib.rs and main.rs to none).
    exported = reexports(src / "lib.rs") if (src / "lib.rs").exists() else {}
    modules = set()
    if (src / "lib.rs").exists():
        modules = set(re.findall(r"^\s*(?:pub(?:\([\w:]+\))?\s+)?mod\s+(\w+)\s*;", code(src / "lib.rs"), re.M))
    edges = {}
    for path in src.rglob("*.rs"):
        module = path.relative_to(src).parts[0].removesuffix(".rs")
        if module in ("lib", "main"):
            continue
        named = used_after(code(path), "crate")
        for item in sorted(named - modules - {"self"}) if modules else []:
            problems.append(
                f"{path.relative_to(root)}: imports crate::{item} through the crate root (an arrow back up): "
                "import it from its module, or move it to a leaf"
            )
        used = {exported.get(m, m) for m in named}
        edges.setdefault(module, set()).update(m for m in used if m != module)
    for module in edges:
        edges[module] &= set(edges)
    for cycle in cycles(edges):
        problems.append(f"{rel}: import cycle between top-level modules: {cycle}")

    # Files of one module folder: x.rs and y.rs must not import each other, directly or through mod.rs.
    for mod_rs in src.rglob("mod.rs"):
        folder = mod_rs.parent
        siblings = {p.stem: p for p in folder.glob("*.rs") if p.name != "mod.rs"}
        exported = reexports(mod_rs)
        top = folder.relative_to(src).parts[0]
        file_edges = {}
        for stem, path in siblings.items():
            text = code(path)
            named = used_after(text, "super") | used_after(text, f"crate::{top}")
            file_edges[stem] = {exported.get(n, n) for n in named} & (set(siblings) - {stem})
        for cycle in cycles(file_edges):
            problems.append(f"{folder.relative_to(root)}: import cycle between files: {cycle}")
    return leaves_up(edges)


manifest = tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))
crates = [root] + [root / member for member in manifest.get("workspace", {}).get("members", [])]
orders = {}
for crate in crates:
    orders[crate.relative_to(root).as_posix() if crate != root else "."] = check_crate(crate)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"layout ok: {len(tracked)} files")
for crate, order in orders.items():
    print(f"  {crate}: modules from the leaves up: {', '.join(order) or '(one file)'}")
