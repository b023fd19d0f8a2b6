#!/usr/bin/env python3
"""Derives .ci/voice-vocabulary.json from Salesforce's published Salesforce Voice sample flows
(service-cloud-voice/examples-from-doc, ContactFlows/), for .ci/check-voice-flows.py: the flow-language
action types the samples use; each Telephony Integration method they call (an Invoke AWS Lambda function
block whose attributes carry `methodName`), with the attributes passed to it; and what the samples keep of
each method's answer (the attributes the block after a successful call sets from `$.External.*`).

    python3 .ci/derive-voice-vocabulary.py <a checkout of service-cloud-voice/examples-from-doc> [<commit>]

Reads the samples in the Flow language (a JSON object with `Actions`); the older exports (`modules`) are
listed as skipped. Refuses to write a vocabulary under which one of the samples it read would fail."""

import json
import pathlib
import subprocess
import sys

OUT = pathlib.Path(__file__).with_name("voice-vocabulary.json")


def flow_files(checkout):
    folder = checkout / "ContactFlows"
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")


def telephony_calls(flow):
    """(action, method, attributes) for each Telephony Integration call of a flow."""
    for action in flow["Actions"]:
        attributes = action.get("Parameters", {}).get("LambdaInvocationAttributes") or {}
        if action.get("Type") == "InvokeLambdaFunction" and "methodName" in attributes:
            yield action, attributes["methodName"], attributes


def kept_results(flow, action):
    """What the block after a successful call sets from `$.External.*`: attribute -> path."""
    by_id = {a["Identifier"]: a for a in flow["Actions"]}
    following = by_id.get(action.get("Transitions", {}).get("NextAction"))
    if not following or following.get("Type") != "UpdateContactAttributes":
        return {}
    attributes = following.get("Parameters", {}).get("Attributes", {})
    return {name: value for name, value in attributes.items() if str(value).startswith("$.External.")}


def derive(checkout, commit):
    vocabulary = {
        "about": "Derived by .ci/derive-voice-vocabulary.py from Salesforce's Salesforce Voice sample flows; "
                 "do not edit by hand.",
        "repository": "service-cloud-voice/examples-from-doc",
        "commit": commit,
        "read": [],
        "skipped": [],
        "action_types": set(),
        "methods": {},
    }
    for path in flow_files(checkout):
        name = f"ContactFlows/{path.name}"
        try:
            flow = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            vocabulary["skipped"].append(f"{name} (not JSON)")
            continue
        if not isinstance(flow, dict) or "Actions" not in flow:
            vocabulary["skipped"].append(f"{name} (the older export format)")
            continue
        vocabulary["read"].append(name)
        vocabulary["action_types"].update(a["Type"] for a in flow["Actions"])
        for action, method, attributes in telephony_calls(flow):
            entry = vocabulary["methods"].setdefault(method, {"attributes": set(), "results": {}, "seen_in": set()})
            entry["attributes"].update(attributes)
            entry["results"].update(kept_results(flow, action))
            entry["seen_in"].add(name)
    vocabulary["action_types"] = sorted(vocabulary["action_types"])
    for entry in vocabulary["methods"].values():
        entry["attributes"] = sorted(entry["attributes"])
        entry["seen_in"] = sorted(entry["seen_in"])
        entry["results"] = dict(sorted(entry["results"].items()))
    return vocabulary


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    checkout = pathlib.Path(argv[1])
    commit = argv[2] if len(argv) > 2 else subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.strip()
    vocabulary = derive(checkout, commit)
    for method in ("createVoiceCall", "createTransferVC", "executeOmniFlow"):
        if method not in vocabulary["methods"]:
            sys.exit(f"no sample calls {method}: not the repository this script was written for")
    OUT.write_text(json.dumps(vocabulary, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.name}: {len(vocabulary['read'])} flows read, {len(vocabulary['skipped'])} skipped, "
          f"methods {sorted(vocabulary['methods'])}")


if __name__ == "__main__":
    main(sys.argv)
