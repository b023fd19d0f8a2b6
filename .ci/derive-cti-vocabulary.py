#!/usr/bin/env python3
"""Derives .ci/cti-vocabulary.json, the CTI Flow vocabulary that .ci/check-cti-flows.py checks against,
from the Amazon Connect CTI Adapter's published samples and docs.

    git clone https://github.com/amazon-connect/amazon-connect-salesforce-cti adapter
    python3 .ci/derive-cti-vocabulary.py adapter > .ci/cti-vocabulary.json

`adapter` may also be a bare git directory (its HEAD is read). What it reads:
- every CTI Flow the adapter publishes: static/json/cti-flow-examples/shared/*.json, static/json/lightning/*.json
  and the default flows inside static/json/cti-flow-examples/shared/DefaultFlows.zip;
- Appendix C (sources and events) and Appendix F (blocks) of the Lightning docs.

From the samples it takes, for each block type: its controls (those in every sample are required), the JSON
types of their values, its ports (those in every sample are required), and the result fields other blocks
read from it ($.actions.<id>.results.<field>). It also records the values seen for controls that pick from a
fixed list, and the payload paths ($.contact..., $.payload...) the samples read. From the docs it takes each
source's events, and checks that every block type has a documented title (TITLES below, matched by hand).
It ends by running the check on every sample: the vocabulary must accept the adapter's own flows."""

import collections
import importlib.util
import io
import json
import pathlib
import re
import subprocess
import sys
import zipfile

REPOSITORY = "amazon-connect/amazon-connect-salesforce-cti"
SAMPLES = ("static/json/cti-flow-examples/shared/", "static/json/lightning/")
DEFAULTS = "static/json/cti-flow-examples/shared/DefaultFlows.zip"
APPENDIX_C = "docs/lightning/05-appendices/appendix-c-cti-flow-sources-and-events/01-cti-flow-sources-and-events.md"
APPENDIX_F = "docs/lightning/05-appendices/appendix-f-cti-flow-blocks/01-cti-flow-blocks.md"
GUIDE = "docs/lightning/03-cti-adapter/03-cti-flows.md"

# Each sample block type's title in Appendix F (the editor shows titles; the export holds types).
TITLES = {
    "SE_Start": None,
    "SE_End": None,
    "SE_AgentDialNumber": "Dial Number",
    "SE_ContactCustomerPhoneNumber": "Get Customer Phone Number",
    "SE_ContactGetAttributeValue": "Get Contact Attribute",
    "SE_ContactProperties": "Get Contact Properties",
    "SE_ContactUpdateAttributes": None,
    "SE_CoreExtractValue": "Extract Value",
    "SE_CoreFormatPhoneNumber": "Format Phone Number",
    "SE_CoreFormatPhoneNumberE164": "Format Phone Number (E164)",
    "SE_CoreTruthy": "Is Truthy?",
    "SE_GetProperty": "Get Property",
    "SE_Log": "Log to Console",
    "SE_SFCompleteHvsWorkWithTaskSaved": "Complete High Velocity Sales Work With Task Saved",
    "SE_SFCreateTask": "Create a Task",
    "SE_SFGetContactId": "Get Salesforce Contact Id",
    "SE_SFGetLeadId": "Get Salesforce Lead Id",
    "SE_SFRetrieve": "Retrieve Salesforce Record",
    "SE_SFSaveLog": "Save (or Create) a Record",
    "SE_SFScreenpopNewRecord": "Screenpop New Record",
    "SE_SFScreenpopObject": "Screenpop Object",
    "SE_SFSearchAndScreenpop": "Search And Screenpop",
    "SE_SetProperty": "Set Property",
}
# Controls whose samples pick from a fixed list: the check accepts only the values seen.
CHOICES = {("SE_Log", "level"), ("SE_SFSearchAndScreenpop", "callType")}
# Results the guide names in prose rather than a sample reading them: "returns two values, phone and country".
DOCUMENTED_RESULTS = {"SE_ContactCustomerPhoneNumber": ["country", "phone"]}
REFERENCE = re.compile(r"\$\.actions\.([\w-]+)\.results\.(\w+)")


def load_checker():
    """.ci/check-cti-flows.py, which this script shares the walk over a flow's strings with, and whose
    check every published flow must pass."""
    spec = importlib.util.spec_from_file_location("check_cti_flows", pathlib.Path(__file__).with_name("check-cti-flows.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKER = load_checker()


def git(directory, *args, binary=False):
    git_dir = directory / ".git" if (directory / ".git").exists() else directory
    out = subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True).stdout
    return out if binary else out.decode()


def flows(directory):
    """(name, flow) for every published CTI Flow, the zipped defaults included."""
    for path in sorted(git(directory, "ls-tree", "-r", "--name-only", "HEAD").split()):
        if path.endswith(".json") and path.rsplit("/", 1)[0] + "/" in SAMPLES:
            yield path, json.loads(git(directory, "show", f"HEAD:{path}"))
    with zipfile.ZipFile(io.BytesIO(git(directory, "show", f"HEAD:{DEFAULTS}", binary=True))) as archive:
        for member in sorted(archive.namelist()):
            if member.endswith(".json") and "__MACOSX" not in member:
                yield f"{DEFAULTS}:{member}", json.loads(archive.read(member))


def sources_and_events(text):
    """Appendix C: '- Source' lines at the margin, '  - event -- meaning' lines under them."""
    sources, current = {}, None
    for line in text.splitlines():
        top = re.match(r"^- (.+?)\s*$", line)
        event = re.match(r"^\s+- (on\w+)", line)
        if top:
            current = top.group(1)
            sources[current] = []
        elif event and current:
            sources[current].append(event.group(1))
    return sources


def derive(directory):
    commit = git(directory, "rev-parse", "HEAD").strip()
    blocks = collections.defaultdict(
        lambda: {"count": 0, "controls": collections.Counter(), "types": collections.defaultdict(set),
                 "ports": collections.Counter(), "results": set(), "values": collections.defaultdict(set),
                 "seen_in": set()}
    )
    paths, names, files = set(), {}, []
    for name, flow in flows(directory):
        files.append(name)
        if "name" in flow:
            names[name] = flow["name"]
        types = {action["id"]: action["type"] for action in flow["actions"]}
        for action in flow["actions"]:
            block = blocks[action["type"]]
            block["count"] += 1
            block["seen_in"].add(name.rsplit("/", 1)[-1])
            for control, value in (action.get("controls") or {}).items():
                block["controls"][control] += 1
                block["types"][control].add(type(value).__name__)
                if (action["type"], control) in CHOICES:
                    block["values"][control].add(value)
            for port in action.get("ports") or {}:
                block["ports"][port] += 1
            for text in CHECKER.strings(action.get("controls") or {}):
                for target, field in REFERENCE.findall(text):
                    blocks[types[target]]["results"].add(field)
                if text.startswith("$.") and not text.startswith("$.actions."):
                    paths.add(text)
    titles = git(directory, "show", f"HEAD:{APPENDIX_F}")
    vocabulary = {}
    for kind in sorted(blocks):
        block = blocks[kind]
        if kind not in TITLES:
            sys.exit(f"{kind}: a block type with no title in TITLES; find it in {APPENDIX_F} and add it")
        if TITLES[kind] and f"### {TITLES[kind]}" not in titles:
            sys.exit(f"{kind}: title {TITLES[kind]!r} is not a heading of {APPENDIX_F}")
        vocabulary[kind] = {
            "title": TITLES[kind],
            "controls": {c: sorted(block["types"][c]) for c in sorted(block["controls"])},
            "required_controls": sorted(c for c, n in block["controls"].items() if n == block["count"]),
            "choices": {c: sorted(v) for c, v in sorted(block["values"].items())},
            "ports": sorted(block["ports"]),
            "required_ports": sorted(p for p, n in block["ports"].items() if n == block["count"]),
            "results": sorted(block["results"] | set(DOCUMENTED_RESULTS.get(kind, []))),
            "seen_in": sorted(block["seen_in"]),
        }
    return {
        "about": (
            "Derived by .ci/derive-cti-vocabulary.py from the CTI Adapter's published CTI Flows and docs; "
            "do not edit by hand. Rerun it on a newer adapter checkout to follow the adapter."
        ),
        "repository": REPOSITORY,
        "commit": commit,
        "flows": files,
        "docs": [APPENDIX_C, APPENDIX_F, GUIDE],
        "flow_names": names,
        "sources": sources_and_events(git(directory, "show", f"HEAD:{APPENDIX_C}")),
        "payload_paths": sorted(paths),
        "blocks": vocabulary,
    }


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    directory = pathlib.Path(argv[1])
    vocabulary = derive(directory)
    # Every published flow must pass the check under the derived vocabulary.
    problems = []
    for name, flow in flows(directory):
        problems += CHECKER.check_flow(name, flow, vocabulary, sample=True)
    if problems:
        sys.exit("the derived vocabulary rejects the adapter's own flows:\n" + "\n".join(problems))
    json.dump(vocabulary, sys.stdout, indent=1, sort_keys=False)
    print()


if __name__ == "__main__":
    main(sys.argv)
