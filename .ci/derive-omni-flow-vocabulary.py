#!/usr/bin/env python3
"""Derives .ci/omni-flow-vocabulary.json, what .ci/check-omni-flow.py holds the shipped Omni-Channel flow to,
from two public sources (neither Salesforce nor its CLI runs here):

- the Metadata API Developer Guide's "Flow" page (a copy is documentation/Flow.md in batesbw/lang): each
  metadata type the flow uses, with its fields in the documented order and the type it extends; the values
  of FlowProcessType, FlowComparisonOperator and FlowRecordFilterOperator, with the API version each needs;
- RoutingFlows retrieved from real orgs and published: every input and output parameter name they give the
  Route Work (`routeWork`) and Add Screen Pop (`addScreenPop`) actions, and the object type of the variable
  that carries screen pops.

    python3 .ci/derive-omni-flow-vocabulary.py <Flow.md> <its label> <the flows' label> <flow-meta.xml>...

Refuses to write a vocabulary in which an exported flow's own elements would be unknown."""

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

OUT = pathlib.Path(__file__).with_name("omni-flow-vocabulary.json")
NS = "{http://soap.sforce.com/2006/04/metadata}"
TYPES = [
    "Flow", "FlowNode", "FlowElement", "FlowBaseElement", "FlowActionCall", "FlowActionCallInputParameter",
    "FlowActionCallOutputParameter", "FlowConnector", "FlowConstant", "FlowDecision", "FlowRule", "FlowCondition",
    "FlowElementReferenceOrValue", "FlowRecordLookup", "FlowRecordFilter", "FlowStart", "FlowVariable",
]
ENUMS = ["FlowProcessType", "FlowComparisonOperator", "FlowRecordFilterOperator"]
ACTIONS = ["routeWork", "addScreenPop"]


def sections(text):
    """Each `Name\\n----` section of the page: name -> its text."""
    parts = re.split(r"\n([A-Z][A-Za-z]+)\n-{3,}\n", text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def fields(section):
    """The field names of a section's table, in order, and the type it extends."""
    extends = re.search(r"[Ee]xtends \[(Flow[A-Za-z]+)\]", section)
    table = section.split("Field Name\n\nField Type\n\nDescription\n\n", 1)
    names = []
    if len(table) == 2:
        paragraphs = table[1].split("\n\n")
        for n, paragraph in enumerate(paragraphs[:-1]):
            following = paragraphs[n + 1]
            looks_like_type = re.match(r"^(\[?[A-Za-z]+\]?(\(#[A-Za-z]+\))?(\\\[\\\])?|[a-z]+|.*enumeration of type string\))$", following)
            if re.fullmatch(r"[a-z][A-Za-z0-9]*", paragraph) and looks_like_type:
                names.append(paragraph)
    return names, extends.group(1) if extends else None


def enumeration(text, name):
    """The values an enumeration's bulleted list documents under the field of that type, with the API
    version each needs (None: always there)."""
    values = {}
    for match in re.finditer(rf"{name} \(enumeration of type string\)\n\n(.*?)(?=\n\n[a-z][A-Za-z0-9]*\n\n|\n[A-Z][A-Za-z]+\n-{{3,}})", text, re.S):
        for line in match.group(1).splitlines():
            item = re.match(r"^\*\s+([A-Za-z]+)(?:—(.*))?$", line)
            if item:
                version = re.search(r"API version (\d+\.\d)", item.group(2) or "")
                values[item.group(1)] = version.group(1) if version else None
    return values


def action_parameters(paths):
    found = {action: {"inputs": set(), "outputs": set(), "seen_in": []} for action in ACTIONS}
    pop_types = set()
    for label, path in paths:
        root = ET.parse(path).getroot()
        for call in root.findall(f"{NS}actionCalls"):
            action = call.findtext(f"{NS}actionType")
            if action not in found:
                continue
            found[action]["inputs"].update(p.findtext(f"{NS}name") for p in call.findall(f"{NS}inputParameters"))
            found[action]["outputs"].update(p.findtext(f"{NS}name") for p in call.findall(f"{NS}outputParameters"))
            if label not in found[action]["seen_in"]:
                found[action]["seen_in"].append(label)
        for variable in root.findall(f"{NS}variables"):
            if variable.findtext(f"{NS}name") == "screenPop":
                pop_types.add(variable.findtext(f"{NS}objectType"))
    for entry in found.values():
        entry["inputs"], entry["outputs"] = sorted(entry["inputs"]), sorted(entry["outputs"])
    return found, sorted(t for t in pop_types if t)


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    page = pathlib.Path(argv[1]).read_text(encoding="utf-8")
    by_name = sections(page)
    types = {}
    for name in TYPES:
        if name not in by_name:
            sys.exit(f"the Flow page has no section {name}")
        names, extends = fields(by_name[name])
        types[name] = {"fields": names, "extends": extends}
    enums = {name: enumeration(page, name) for name in ENUMS}
    flows = [(pathlib.Path(p).name, p) for p in argv[4:]]
    actions, pop_types = action_parameters(flows)
    vocabulary = {
        "about": "Derived by .ci/derive-omni-flow-vocabulary.py; do not edit by hand.",
        "sources": {
            "metadata_api": "Metadata API Developer Guide, Flow (https://developer.salesforce.com/docs/atlas.en-us."
                            f"api_meta.meta/api_meta/meta_visual_workflow.htm), as copied in {argv[2]}",
            "routing_flows": f"RoutingFlows retrieved from a real org: {argv[3]}",
        },
        "types": types,
        "enumerations": enums,
        "actions": actions,
        "screen_pop_object": pop_types,
    }
    if "RoutingFlow" not in enums["FlowProcessType"] or not all(actions[a]["inputs"] for a in ACTIONS):
        sys.exit("the sources do not document RoutingFlow, routeWork and addScreenPop")
    OUT.write_text(json.dumps(vocabulary, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.name}: {len(types)} types, {len(flows)} routing flows")


if __name__ == "__main__":
    main(sys.argv)
