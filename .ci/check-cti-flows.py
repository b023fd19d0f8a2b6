#!/usr/bin/env python3
"""Checks the CTI Adapter CTI Flows in cti-flows/ against the vocabulary of the adapter's own published flows
(.ci/cti-vocabulary.json, derived by .ci/derive-cti-vocabulary.py, which names the commit it read):

- the export format: {"actions": [...]} (and an optional "name"), each action an object with id, type,
  controls and position, and optionally meta and ports;
- every block type is one the adapter's samples use; every control is one that block takes, with a value of
  the JSON type the samples give it (and, for controls that pick from a list, a value the samples use);
  every port is one that block has, and each of our blocks wires all of its ports;
- ids are unique, every port leads to an action that exists, there is one SE_Start and at least one SE_End,
  every action is reached from the start, no path loops, and only SE_End ends a path;
- every $.actions.<id>.results.<field> a control reads names an action that runs before it (one that leads
  to it) and a result field that block type returns; every other $. path is one the samples read;
- the flow says the adapter source and event it is for, and that source has that event: in its "name" as
  the adapter names its default flows (VoiceContact.onConnecting), else in its file name, ours
  (voice-, chat-, queue-callback-<event>.json) or the adapter's export (02-voiceContactOnConnecting.json);
- with --readme README.md: the README lists each file with its event, and its upload steps say Upload,
  the default flows, Active and a browser refresh.

Exits 1 naming each problem. Without `assert`, so `python -O` checks the same."""

import json
import pathlib
import re
import sys

VOCABULARY = pathlib.Path(__file__).with_name("cti-vocabulary.json")
REFERENCE = re.compile(r"^\$\.actions\.([^.]+)\.results\.(\w+)")
# File name prefix: (source as Appendix C names it, source as the default flows' names spell it).
SOURCES = {
    "voice": ("Amazon Connect Voice Contact", "VoiceContact"),
    "chat": ("Amazon Connect Chat Contact", "ChatContact"),
    "queue-callback": (None, "QueueCallbackContact"),
}
JSON_TYPES = {dict: "dict", list: "list", str: "str", bool: "bool", int: "int", float: "float", type(None): "NoneType"}


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def check_action(where, action, block, strict):
    problems = []
    missing = {"id", "type", "controls", "position"} - set(action)
    unknown = set(action) - {"id", "type", "meta", "controls", "ports", "position"}
    if missing:
        problems.append(f"{where} lacks {sorted(missing)}")
    if unknown:
        problems.append(f"{where} has fields the export format does not: {sorted(unknown)}")
    position = action.get("position")
    if not (isinstance(position, list) and len(position) == 2 and all(isinstance(p, (int, float)) for p in position)):
        problems.append(f"{where} position must be [x, y], not {position!r}")
    controls = action.get("controls") or {}
    if not isinstance(controls, dict):
        return problems + [f"{where} controls must be an object"]
    for control, value in controls.items():
        if control not in block["controls"]:
            problems.append(f"{where} has control {control!r}, which {action['type']} does not take "
                            f"(it takes {sorted(block['controls'])})")
        elif JSON_TYPES.get(type(value)) not in block["controls"][control]:
            problems.append(f"{where} control {control!r} is a {JSON_TYPES.get(type(value))}, "
                            f"not {' or '.join(block['controls'][control])}")
        elif control in block["choices"] and value not in block["choices"][control]:
            problems.append(f"{where} control {control!r} is {value!r}, not one of {block['choices'][control]}")
        if control == "countryCode" and not (isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value)):
            problems.append(f"{where} countryCode {value!r} is not an ISO 3166 two-letter code")
    for control in block["required_controls"]:
        if control not in controls:
            problems.append(f"{where} lacks control {control!r}")
    ports = action.get("ports") or {}
    if not isinstance(ports, dict):
        return problems + [f"{where} ports must be an object"]
    for port in ports:
        if port not in block["ports"]:
            problems.append(f"{where} has port {port!r}, which {action['type']} does not have "
                            f"(it has {block['ports'] or 'none'})")
    for port in block["ports"] if strict else block["required_ports"]:
        if port not in ports:
            problems.append(f"{where} leaves its {port!r} port unwired")
    return problems


def check_flow(name, flow, vocabulary, sample=False):
    """The problems of one CTI Flow export; `sample` relaxes only our own rule that every port is wired."""
    if not isinstance(flow, dict) or not isinstance(flow.get("actions"), list):
        return [f"{name}: not a CTI Flow export (an object with an \"actions\" list)"]
    problems = []
    if set(flow) - {"actions", "name"}:
        problems.append(f"{name}: fields the export format does not have: {sorted(set(flow) - {'actions', 'name'})}")
    actions = [a for a in flow["actions"] if isinstance(a, dict)]
    if len(actions) != len(flow["actions"]):
        problems.append(f"{name}: every action must be an object")
    ids = [a.get("id") for a in actions]
    if len(ids) != len(set(map(str, ids))) or not all(isinstance(i, str) and i for i in ids):
        problems.append(f"{name}: action ids must be unique, non-empty strings")
    by_id = {a.get("id"): a for a in actions}
    blocks = vocabulary["blocks"]
    for action in actions:
        where = f"{name}: {action.get('id')} ({action.get('type')})"
        if action.get("type") not in blocks:
            problems.append(f"{where}: no such block type in the adapter's flows "
                            f"(.ci/cti-vocabulary.json lists {len(blocks)})")
            continue
        problems += check_action(where + ":", action, blocks[action["type"]], strict=not sample)
        ports = action.get("ports") if isinstance(action.get("ports"), dict) else {}
        for port, target in ports.items():
            if target not in by_id:
                problems.append(f"{where}: port {port!r} leads to {target!r}, which does not exist")
        if action["type"] != "SE_End" and not ports:
            problems.append(f"{where}: leads nowhere; only SE_End ends a path")
    starts = [a for a in actions if a.get("type") == "SE_Start"]
    if len(starts) != 1 or not any(a.get("type") == "SE_End" for a in actions):
        return problems + [f"{name}: needs exactly one SE_Start and at least one SE_End"]
    problems += check_paths(name, by_id, starts[0]["id"], vocabulary)
    return problems


def successors(action):
    ports = action.get("ports")
    return list(ports.values()) if isinstance(ports, dict) else []


def check_paths(name, by_id, start, vocabulary):
    problems, before = [], {start: set()}
    # Depth-first from the start: a loop is a port back to an action on the current path. `before` gathers,
    # for each action, every action that can run before it (its ancestors over all paths).
    order, state = [], {}

    def visit(current, path):
        if state.get(current) == "open":
            problems.append(f"{name}: {' -> '.join(path + [current])} loops")
            return
        if state.get(current) == "done" or current not in by_id:
            return
        state[current] = "open"
        for target in successors(by_id[current]):
            visit(target, path + [current])
        state[current] = "done"
        order.append(current)

    visit(start, [])
    for unreached in sorted(set(by_id) - set(state), key=str):
        problems.append(f"{name}: {unreached} cannot be reached from SE_Start")
    if any("loops" in p for p in problems):
        return problems
    for current in reversed(order):  # topological order: an action's ancestors are settled before it
        for target in successors(by_id[current]):
            if target in by_id:
                before.setdefault(target, set()).update(before[current] | {current})
    for current in order:
        action = by_id[current]
        for text in strings(action.get("controls") or {}):
            problems += check_reference(f"{name}: {current} ({action.get('type')})", text, before[current], by_id,
                                        vocabulary)
    return problems


def check_reference(where, text, earlier, by_id, vocabulary):
    if not text.startswith("$."):
        return []
    if not text.startswith("$.actions."):
        if text not in vocabulary["payload_paths"]:
            return [f"{where} reads {text!r}, a path none of the adapter's flows reads "
                    f"(they read {vocabulary['payload_paths']})"]
        return []
    match = REFERENCE.match(text)
    if not match:
        return [f"{where} reads {text!r}, which is not $.actions.<id>.results.<field>"]
    target, field = match.groups()
    if target not in by_id:
        return [f"{where} reads {text!r}: there is no action {target!r}"]
    if target not in earlier:
        return [f"{where} reads {text!r}: {target} does not run before it"]
    results = vocabulary["blocks"].get(by_id[target].get("type"), {}).get("results", [])
    if field not in results:
        return [f"{where} reads {text!r}: {by_id[target].get('type')} returns {results or 'nothing known'}, "
                f"not {field!r}"]
    return []


EXPORT_NAME = re.compile(r"^(?:\d+-)?([a-z][A-Za-z]*?Contact)(On[A-Z]\w*)$")


def source_and_event(path, flow):
    """Which adapter source and event a flow is for, and how that was read: from its "name" when it has
    one in the adapter's form (`VoiceContact.onConnecting`, as the default flows are named), else from its
    file name: ours (`voice-onConnecting.json`) or the adapter's export (`02-voiceContactOnConnecting.json`).
    Answers (api source name or None, event or None, where it was read)."""
    name = flow.get("name") if isinstance(flow, dict) else None
    if isinstance(name, str) and re.fullmatch(r"[A-Za-z]+\.on[A-Z]\w*", name.strip()):
        api_name, event = name.strip().split(".", 1)
        return api_name, event, f'its name "{name.strip()}"'
    exported = EXPORT_NAME.match(path.stem)
    if exported:
        api_name = exported.group(1)[0].upper() + exported.group(1)[1:]
        event = "o" + exported.group(2)[1:]
        return api_name, event, "its file name"
    for prefix, (_, api_name) in sorted(SOURCES.items(), key=lambda item: -len(item[0])):
        if path.stem.startswith(prefix + "-"):
            return api_name, path.stem[len(prefix) + 1:], "its file name"
    return None, None, "its file name"


def check_file_name(path, flow, vocabulary):
    """The source and event a flow is for (its name, else its file name) are a source this project ships
    flows for and an event that source has."""
    api_name, event, read_from = source_and_event(path, flow)
    known = {api: source for source, api in SOURCES.values()}
    if api_name not in known:
        shapes = ", ".join(p + "-<event>.json" for p in SOURCES)
        return [f"{path}: {read_from} must say its source and event: a name like VoiceContact.onConnecting, "
                f"or a file name {shapes} or the adapter's NN-voiceContactOnConnecting.json"]
    source = known[api_name]
    documented = vocabulary["sources"].get(source, []) if source else []
    defaults = [n.split(".", 1)[1] for n in vocabulary["flow_names"].values() if n.startswith(api_name + ".")]
    if event not in documented + defaults:
        return [f"{path}: {read_from} says {source or api_name} event {event!r}, which it has not "
                f"(it has {sorted(set(documented + defaults))})"]
    return []


def check_readme(readme, flows):
    """The README's table lists each flow with its event, and its upload steps say what the adapter's editor
    needs: Upload (there is no Import), the default flows, Active, and a browser refresh."""
    text = readme.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    problems = []
    for path, flow in flows:
        event = source_and_event(path, flow)[1] or path.stem
        if not any(f"`{path.name}`" in row and event in row for row in rows):
            problems.append(f"{readme}: no table row names {path.name} with its event {event}")
    for words in ("**Upload**", "default flow", "**Active**", "Refresh the browser"):
        if words not in text:
            problems.append(f"{readme}: the upload steps do not say {words!r}")
    if "**Import**" in text:
        problems.append(f"{readme}: the adapter's CTI Flow editor has Download and Upload, no Import")
    return problems


def main(argv):
    folder = pathlib.Path(argv[1] if len(argv) > 1 else "cti-flows")
    vocabulary = json.loads(VOCABULARY.read_text())
    problems = []
    paths = sorted(folder.glob("*.json"))
    if not paths:
        problems.append(f"no CTI Flow found in {folder}/")
    flows = []
    for path in paths:
        try:
            flow = json.loads(path.read_text())
        except ValueError as error:
            problems.append(f"{path}: not JSON ({error})")
            continue
        flows.append((path, flow))
        problems += check_file_name(path, flow, vocabulary)
        problems += check_flow(str(path), flow, vocabulary)
    if len(argv) > 3 and argv[2] == "--readme":
        problems += check_readme(pathlib.Path(argv[3]), flows)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"CTI Flows: {len(paths)} checked against the block types, controls, ports and results of the CTI "
          f"Adapter's {len(vocabulary['flows'])} published flows ({vocabulary['repository']} at "
          f"{vocabulary['commit'][:12]})")


if __name__ == "__main__":
    main(sys.argv)
