"""Checks the Omni-Channel flow in salesforce/ (a Salesforce DX project the Salesforce CLI deploys) against
.ci/omni-flow-vocabulary.json, derived by .ci/derive-omni-flow-vocabulary.py from the Metadata API's Flow
page and from RoutingFlows retrieved from a real org, since no Salesforce org runs here:

- the project: sfdx-project.json names package directories that exist, and each holds flows;
- the metadata: a Flow in the metadata namespace, of processType RoutingFlow, at an apiVersion at least
  what RoutingFlow and each operator it uses need; each element of the Flow, of its actions, decisions,
  lookups, variables and their parts is a documented field of its type (or of the type it extends), the
  Flow's own elements in the documented order; conditions and filters use documented operators;
- the actions: only Route Work (routeWork) and Add Screen Pop (addScreenPop), each passed only inputs and
  given only outputs that the real org's flows use (isQueueVariable, which no retrieved flow uses, is
  allowed as UNCONFIRMED and listed in docs/real-org.md); every reference names a variable, a constant or
  an element; every connector leads to an element, and every element is reached from start;
- what it is for: recordId and caseId are text inputs; it creates and updates no record (it never makes a
  second case); a call without a case is routed (the decision's default), and the call with one is routed
  with psrInteractionInfo = the screen pops Add Screen Pop made for {!caseId}, in a collection of the
  object the real org's flows keep them in.

    python3 .ci/check-omni-flow.py salesforce

Prints each problem and exits 1; without `assert`, so `python -O` checks the same."""

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

VOCABULARY = json.loads(pathlib.Path(__file__).with_name("omni-flow-vocabulary.json").read_text())
NS = "{http://soap.sforce.com/2006/04/metadata}"
# Route Work inputs no retrieved flow shows, each with where it was seen; docs/real-org.md lists them.
UNCONFIRMED = {("routeWork", "isQueueVariable"): "Salesforce's forcedotcom/sf-skills routing-flow generator"}
# The metadata type of each element, by its tag, under a parent of the given type.
ELEMENT_TYPES = {
    "Flow": {"actionCalls": "FlowActionCall", "constants": "FlowConstant", "decisions": "FlowDecision",
             "recordLookups": "FlowRecordLookup", "start": "FlowStart", "variables": "FlowVariable"},
    "FlowActionCall": {"connector": "FlowConnector", "faultConnector": "FlowConnector",
                       "inputParameters": "FlowActionCallInputParameter",
                       "outputParameters": "FlowActionCallOutputParameter"},
    "FlowActionCallInputParameter": {"value": "FlowElementReferenceOrValue"},
    "FlowConstant": {"value": "FlowElementReferenceOrValue"},
    "FlowDecision": {"defaultConnector": "FlowConnector", "rules": "FlowRule"},
    "FlowRule": {"conditions": "FlowCondition", "connector": "FlowConnector"},
    "FlowCondition": {"rightValue": "FlowElementReferenceOrValue"},
    "FlowRecordLookup": {"connector": "FlowConnector", "faultConnector": "FlowConnector", "filters": "FlowRecordFilter"},
    "FlowRecordFilter": {"value": "FlowElementReferenceOrValue"},
    "FlowStart": {"connector": "FlowConnector"},
    "FlowVariable": {"value": "FlowElementReferenceOrValue"},
}
NODES = ("actionCalls", "assignments", "collectionProcessors", "decisions", "loops", "recordCreates", "recordDeletes",
         "recordLookups", "recordUpdates", "screens", "subflows", "waits")
# Resources a reference may name besides variables, constants and nodes.
RESOURCES = ("formulas", "textTemplates", "choices", "dynamicChoiceSets")


def tag(element):
    return element.tag.removeprefix(NS)


def text(element, name):
    return (element.findtext(f"{NS}{name}") or "").strip()


def version(value):
    return tuple(int(part) for part in value.split(".")) if value else (0,)


def fields_of(type_name):
    """A type's documented fields, its own first, then those of the types it extends."""
    own, inherited = [], []
    current = type_name
    while current:
        entry = VOCABULARY["types"].get(current, {"fields": [], "extends": None})
        (own if current == type_name else inherited).extend(entry["fields"])
        current = entry["extends"]
    return own, inherited


def check_structure(where, element, type_name, problems):
    own, inherited = fields_of(type_name)
    last = -1
    for child in element:
        name = tag(child)
        if name not in own and name not in inherited:
            problems.append(f"{where}: <{name}> is not a field of {type_name} (nor of what it extends)")
            continue
        if name in own:
            if own.index(name) < last:
                problems.append(f"{where}: <{name}> is out of the order the Metadata API documents for {type_name}")
            last = max(last, own.index(name))
        child_type = ELEMENT_TYPES.get(type_name, {}).get(name)
        if child_type:
            label = text(child, "name") or name
            check_structure(f"{where} > {label}", child, child_type, problems)


def check_flow(path, problems):
    where = path.as_posix()
    root = ET.parse(path).getroot()
    if root.tag != f"{NS}Flow":
        return problems.append(f"{where}: not a Flow in the metadata namespace")
    check_structure(where, root, "Flow", problems)
    enums = VOCABULARY["enumerations"]
    api = version(text(root, "apiVersion"))
    process = text(root, "processType")
    if process != "RoutingFlow":
        problems.append(f"{where}: processType is {process!r}, not RoutingFlow (an Omni-Channel flow)")
    needs = [("processType RoutingFlow", enums["FlowProcessType"].get("RoutingFlow"))]
    for condition in root.iter(f"{NS}conditions"):
        operator = text(condition, "operator")
        if operator not in enums["FlowComparisonOperator"]:
            problems.append(f"{where}: a condition's operator {operator!r} is not a FlowComparisonOperator")
        needs.append((f"operator {operator}", enums["FlowComparisonOperator"].get(operator)))
    for lookup_filter in root.iter(f"{NS}filters"):
        operator = text(lookup_filter, "operator")
        if operator not in enums["FlowRecordFilterOperator"]:
            problems.append(f"{where}: a filter's operator {operator!r} is not a FlowRecordFilterOperator")
    for what, needed in needs:
        if needed and api < version(needed):
            problems.append(f"{where}: {what} needs apiVersion {needed} or later, not {text(root, 'apiVersion')}")

    variables = {text(v, "name"): v for v in root.findall(f"{NS}variables")}
    constants = {text(c, "name") for c in root.findall(f"{NS}constants")}
    nodes = {text(n, "name"): n for kind in NODES for n in root.findall(f"{NS}{kind}")}
    resources = {text(r, "name") for kind in RESOURCES for r in root.findall(f"{NS}{kind}")}
    known = set(variables) | constants | set(nodes) | resources
    for reference in [e.text or "" for name in ("elementReference", "assignToReference", "leftValueReference")
                      for e in root.iter(f"{NS}{name}")] + re.findall(r"\{!([^}]+)\}", ET.tostring(root, "unicode")):
        head = reference.strip().split(".")[0]
        if head and not head.startswith("$") and head not in known:
            problems.append(f"{where}: a reference to {reference.strip()!r}, which names no variable, constant or element")

    targets = {}
    for name, node in list(nodes.items()) + [("start", root.find(f"{NS}start"))]:
        if node is None:
            continue
        targets[name] = [t.text.strip() for t in node.iter(f"{NS}targetReference") if t.text]
        for target in targets[name]:
            if target not in nodes:
                problems.append(f"{where}: {name} leads to {target!r}, which is no element")
    reached, stack = set(), list(targets.get("start", []))
    while stack:
        name = stack.pop()
        if name in nodes and name not in reached:
            reached.add(name)
            stack.extend(targets.get(name, []))
    for name in sorted(set(nodes) - reached):
        problems.append(f"{where}: {name} is never reached from start")

    check_actions(where, root, variables, problems)
    check_purpose(where, root, variables, nodes, problems)


def check_actions(where, root, variables, problems):
    actions = VOCABULARY["actions"]
    for call in root.findall(f"{NS}actionCalls"):
        name, action = text(call, "name"), text(call, "actionType")
        if action not in actions:
            problems.append(f"{where}: {name} calls {action!r}; an Omni-Channel flow here calls only {sorted(actions)}")
            continue
        if text(call, "actionName") != action:
            problems.append(f"{where}: {name}'s actionName is not {action}")
        for parameter in call.findall(f"{NS}inputParameters"):
            key = text(parameter, "name")
            if key not in actions[action]["inputs"] and (action, key) not in UNCONFIRMED:
                problems.append(f"{where}: {name} passes {key!r} to {action}, which no retrieved RoutingFlow passes "
                                f"(they pass {actions[action]['inputs']})")
        for parameter in call.findall(f"{NS}outputParameters"):
            key = text(parameter, "name")
            if key not in actions[action]["outputs"]:
                problems.append(f"{where}: {name} reads {key!r} from {action}, which gives {actions[action]['outputs']}")


def inputs(call):
    return {text(p, "name"): p.find(f"{NS}value") for p in call.findall(f"{NS}inputParameters")}


def check_purpose(where, root, variables, nodes, problems):
    for name in ("recordId", "caseId"):
        variable = variables.get(name)
        if variable is None or text(variable, "dataType") != "String" or text(variable, "isInput") != "true":
            problems.append(f"{where}: {name} must be a text input variable (executeOmniFlow passes flowInput-{name})")
    for kind in ("recordCreates", "recordUpdates", "recordDeletes"):
        if root.find(f"{NS}{kind}") is not None:
            problems.append(f"{where}: it has {kind}; it must create no case (every call already has its one)")
    calls = [n for n in nodes.values() if tag(n) == "actionCalls"]
    routes = [c for c in calls if text(c, "actionType") == "routeWork"]
    pops = [c for c in calls if text(c, "actionType") == "addScreenPop"]
    for route in routes:
        record = inputs(route).get("recordId")
        if record is None or text(record, "elementReference") != "recordId":
            problems.append(f"{where}: {text(route, 'name')} does not route recordId (the VoiceCall)")
    popped = [r for r in routes if "psrInteractionInfo" in inputs(r)]
    if not pops or not popped:
        return problems.append(f"{where}: no Route Work gets psrInteractionInfo from Add Screen Pop: the case would not pop")
    if len(popped) == len(routes):
        problems.append(f"{where}: no Route Work without the pop: a call without a case would not be routed")
    for pop in pops:
        screen = text(inputs(pop).get("screenPop") or ET.Element("x"), "stringValue")
        if "{!caseId}" not in screen:
            problems.append(f"{where}: {text(pop, 'name')} does not pop {{!caseId}}")
        kept = [text(o, "assignToReference") for o in pop.findall(f"{NS}outputParameters")
                if text(o, "name") == "routingInteractionInfoList"]
        variable = variables.get(kept[0]) if kept else None
        objects = VOCABULARY["screen_pop_object"]
        if variable is None or text(variable, "isCollection") != "true" or text(variable, "objectType") not in objects:
            problems.append(f"{where}: {text(pop, 'name')}'s screen pops are not kept in a collection of {objects}")
            continue
        for route in popped:
            given = text(inputs(route)["psrInteractionInfo"], "elementReference")
            if given != kept[0]:
                problems.append(f"{where}: {text(route, 'name')} gets psrInteractionInfo {given!r}, not the pops in {kept[0]}")


def main(argv):
    project = pathlib.Path(argv[1] if len(argv) > 1 else "salesforce")
    problems = []
    try:
        config = json.loads((project / "sfdx-project.json").read_text())
        folders = [project / d["path"] for d in config["packageDirectories"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        folders = []
        problems.append(f"{project}/sfdx-project.json: not a Salesforce DX project file ({error})")
    flows = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: a package directory that does not exist")
        flows += sorted(folder.glob("**/flows/*.flow-meta.xml"))
    if folders and not flows:
        problems.append(f"{project}: no flows/*.flow-meta.xml in its package directories")
    for path in flows:
        try:
            check_flow(path, problems)
        except ET.ParseError as error:
            problems.append(f"{path}: not XML ({error})")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"Omni-Channel flows: {len(flows)} checked against the Metadata API's Flow type and the Route Work and Add "
          f"Screen Pop parameters of RoutingFlows retrieved from a real org; unconfirmed, to verify on a real org: "
          f"{', '.join(f'{a}.{p}' for a, p in UNCONFIRMED)}")


if __name__ == "__main__":
    main(sys.argv)
