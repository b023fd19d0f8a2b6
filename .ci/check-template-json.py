"""Checks the JSON that template.yaml carries as strings, which cfn-lint and sam validate read as opaque text:
the sample flows (Amazon Connect flow language) and the dashboard body. Run with the CI virtualenv's python."""

import json
import re
import sys

from cfnlint.decode import cfn_yaml


def substituted(value):
    """The text of an Fn::Sub, with each ${Name} replaced by a placeholder of the right JSON shape."""
    text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]
    return re.sub(r"\$\{([^}!]+)\}", lambda m: "1" if m.group(1) == "Budget" else "placeholder", text)


def check_flow(name, flow):
    actions = {action["Identifier"]: action for action in flow["Actions"]}
    assert len(actions) == len(flow["Actions"]), f"{name}: duplicate action identifiers"
    assert flow["StartAction"] in actions, f"{name}: StartAction names no action"
    for action in flow["Actions"]:
        transitions = action.get("Transitions", {})
        targets = [transitions.get("NextAction")] + [e["NextAction"] for e in transitions.get("Errors", [])]
        for target in filter(None, targets):
            assert target in actions, f"{name}: {action['Identifier']} goes to missing action {target}"
        if action["Type"] == "InvokeLambdaFunction":
            limit = int(action["Parameters"]["InvocationTimeLimitSeconds"])
            assert 0 < limit <= 8, f"{name}: Connect waits 1 to 8 s for a Lambda"


def main(path):
    template = cfn_yaml.load(path)
    checked = 0
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Connect::ContactFlow":
            check_flow(name, json.loads(substituted(properties["Content"])))
            checked += 1
        elif resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = json.loads(substituted(properties["DashboardBody"]))
            assert body["widgets"], f"{name}: no widgets"
            checked += 1
    assert checked >= 3, "expected two sample flows and a dashboard"
    print(f"{path}: {checked} embedded JSON documents parse, and every flow transition has a target")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
