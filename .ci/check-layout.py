#!/usr/bin/env python3
"""The layout the project promises itself: no Rust source file over 500 lines, no import cycle between the
top-level modules of src/, and nothing that points at files outside the repository (../shared)."""
import pathlib
import re
import subprocess
import sys

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

# Top-level module of each file under src/: src/x.rs and src/x/** belong to x (lib.rs and main.rs to none).
src = root / "src"
edges = {}
for path in src.rglob("*.rs"):
    rel = path.relative_to(src)
    module = rel.parts[0].removesuffix(".rs")
    if module in ("lib", "main"):
        continue
    text = path.read_text(encoding="utf-8")
    text = text.split("#[cfg(test)]")[0]  # unit tests may reach anywhere
    used = set(re.findall(r"\bcrate::(\w+)", text))
    used |= {m for group in re.findall(r"\bcrate::\{([^}]*)\}", text) for m in re.findall(r"(\w+)", group)}
    edges.setdefault(module, set()).update(m for m in used if m != module)

modules = set(edges)
for module in modules:
    edges[module] &= modules


def cycle_from(start):
    stack, seen = [(start, [start])], set()
    while stack:
        node, trail = stack.pop()
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                return trail + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, trail + [nxt]))
    return None


cycles = {" -> ".join(c) for c in (cycle_from(m) for m in sorted(modules)) if c}
problems += [f"import cycle between top-level modules: {c}" for c in sorted(cycles)]

order = []
remaining = {m: set(e) for m, e in edges.items()}
while remaining and not cycles:
    leaves = sorted(m for m, e in remaining.items() if not e)
    order += leaves
    for m in leaves:
        del remaining[m]
    for e in remaining.values():
        e.difference_update(leaves)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"layout ok: {len(tracked)} files; modules from the leaves up: {', '.join(order)}")
