"""Checks the JSON that template.yaml carries as strings, which cfn-lint and sam validate read as opaque text:
the sample flows (Amazon Connect flow language) and the dashboard body. Run with the CI virtualenv's python."""

import json
import re
import sys

from cfnlint.decode import cfn_yaml


def substituted(value, values=None):
    """The text of an Fn::Sub, with each ${Name} replaced by `values[Name]` or a placeholder of the right
    JSON shape."""
    values = values or {}
    text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]

    def placeholder(match):
        name = match.group(1)
        return values.get(name, "1" if name == "Budget" else "placeholder")

    return re.sub(r"\$\{([^}!]+)\}", placeholder, text)


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


def check_waits(template):
    """Every response budget the template allows gets a flow wait at least 0.5 s above it, within Connect's
    8 s: else a slow Salesforce makes the flow take its Error branch after the function made a case."""
    budgets = template["Parameters"]["ResponseBudgetMs"]["AllowedValues"]
    waits = template["Mappings"]["FlowWait"]
    for budget in budgets:
        seconds = int(waits[str(budget)]["Seconds"])
        if not (int(budget) + 500 <= seconds * 1000 <= 8000):
            sys.exit(f"ResponseBudgetMs {budget}: the sample flows wait {seconds} s, not 0.5 s to spare within 8 s")
    return budgets, waits


def main(path):
    template = cfn_yaml.load(path)
    budgets, waits = check_waits(template)
    checked = 0
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Connect::ContactFlow":
            sub = properties["Content"]["Fn::Sub"]
            wait = sub[1].get("FlowWaitSeconds", {}) if isinstance(sub, list) else {}
            if wait != {"Fn::FindInMap": ["FlowWait", {"Ref": "ResponseBudgetMs"}, "Seconds"]}:
                sys.exit(f"{name}: the Invoke block's wait must come from the FlowWait mapping of ResponseBudgetMs")
            for budget in budgets:
                flow = json.loads(substituted(properties["Content"], {"FlowWaitSeconds": waits[str(budget)]["Seconds"]}))
                check_flow(name, flow)
            checked += 1
        elif resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = json.loads(substituted(properties["DashboardBody"]))
            assert body["widgets"], f"{name}: no widgets"
            checked += 1
    assert checked >= 3, "expected two sample flows and a dashboard"
    print(f"{path}: {checked} embedded JSON documents parse, and every flow transition has a target")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
