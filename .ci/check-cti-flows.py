#!/usr/bin/env python3
"""Checks the CTI Adapter CTI Flows in cti-flows/: each is the adapter's export format (an "actions" list
of {id, type, meta, controls, ports, position}), has one SE_Start and at least one SE_End, every action
type is an SE_ action, ids are unique, every port leads to an action that exists, and every action can
be reached from the start. Exits non-zero, naming each problem, otherwise."""
import json
import pathlib
import sys

problems = []
flows = sorted(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "cti-flows").glob("*.json"))
if not flows:
    problems.append("no CTI Flow found in cti-flows/")
for path in flows:
    try:
        actions = json.loads(path.read_text())["actions"]
    except (ValueError, KeyError, TypeError) as error:
        problems.append(f"{path}: not a CTI Flow export ({error})")
        continue
    ids = [a.get("id") for a in actions]
    if len(ids) != len(set(ids)):
        problems.append(f"{path}: duplicate action ids")
    by_id = {a.get("id"): a for a in actions}
    for action in actions:
        missing = {"id", "type", "meta", "controls", "ports", "position"} - set(action)
        if missing:
            problems.append(f"{path}: {action.get('id')} lacks {sorted(missing)}")
        if not str(action.get("type", "")).startswith("SE_"):
            problems.append(f"{path}: {action.get('id')} has type {action.get('type')!r}, not an SE_ action")
        for port, target in (action.get("ports") or {}).items():
            if target not in by_id:
                problems.append(f"{path}: {action.get('id')} port {port!r} leads to {target!r}, which does not exist")
        if action.get("type") != "SE_End" and not action.get("ports"):
            problems.append(f"{path}: {action.get('id')} ({action.get('type')}) leads nowhere")
    starts = [a for a in actions if a.get("type") == "SE_Start"]
    if len(starts) != 1 or not any(a.get("type") == "SE_End" for a in actions):
        problems.append(f"{path}: needs exactly one SE_Start and at least one SE_End")
        continue
    reached, todo = set(), [starts[0]["id"]]
    while todo:
        current = todo.pop()
        if current in reached or current not in by_id:
            continue
        reached.add(current)
        todo.extend((by_id[current].get("ports") or {}).values())
    for unreached in sorted(set(by_id) - reached):
        problems.append(f"{path}: {unreached} cannot be reached from SE_Start")

for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"CTI Flows: {len(flows)} checked, every port leads to an action that exists")
