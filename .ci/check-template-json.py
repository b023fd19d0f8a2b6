"""Checks what cfn-lint and sam validate cannot see in template.yaml: the JSON it carries as strings (the sample
flows in the Amazon Connect Flow language, the dashboard body), and how long the names it derives from the
stack name can get.

- Flows, against .ci/connect-flow-vocabulary.json (the flow language as AWS documents it, with each page):
  the flow's fields and Version; each action's fields and Identifier; its Type is a documented action whose
  parameters the vocabulary records; its Parameters are that action's, with required ones present and values
  of the documented kind; its Transitions lead to actions that exist, name only errors that action documents
  (its catch-all among them), and carry Conditions only where the action supports them; every action is
  reached from StartAction, and only an action that ends the flow has no NextAction.
- The flows' Invoke block waits at least 0.5 s longer than each allowed response budget, within Connect's 8 s.
- Names: each named resource stays within its service's limit for the longest stack name (128 characters).
- Metrics: every alarm and dashboard graph in the function's namespace names a metric the function emits
  (read from src/metrics.rs and the handlers' counts), and the org's API usage (SalesforceApiUsage) has an
  alarm on the function at a threshold parameter (80% by default) and a dashboard graph.

Run with the CI virtualenv's python (it reads the template with cfn-lint's loader). Prints each problem and
exits 1; without `assert`, so `python -O` checks the same."""

import json
import pathlib
import re
import sys

from cfnlint.decode import cfn_yaml

VOCABULARY = json.loads(pathlib.Path(__file__).with_name("connect-flow-vocabulary.json").read_text())
STACK_NAME_MAX = 128
# Longest values of the pseudo parameters a name may use.
PSEUDO = {"AWS::StackName": STACK_NAME_MAX, "AWS::Region": 25, "AWS::AccountId": 12, "AWS::Partition": 10}
# Resource type: [(property, the service's limit)], as each resource's CloudFormation reference gives them.
NAME_LIMITS = {
    "AWS::Connect::ContactFlow": [("Name", 127), ("Description", 500)],
    "AWS::Serverless::Function": [("FunctionName", 64)],
    "AWS::Lambda::Function": [("FunctionName", 64)],
    "AWS::SQS::Queue": [("QueueName", 80)],
    "AWS::CloudWatch::Alarm": [("AlarmName", 255)],
    "AWS::CloudWatch::Dashboard": [("DashboardName", 255)],
    "AWS::Logs::LogGroup": [("LogGroupName", 512)],
    "AWS::SecretsManager::Secret": [("Name", 512)],
}


def substituted(value, values=None, parameters=None):
    """The text of an Fn::Sub, with each ${Name} replaced by `values[Name]` or a placeholder of the right
    JSON shape: a number for a variable the Sub maps to a Number parameter of `parameters`."""
    values = values or {}
    text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]
    mapping = value["Fn::Sub"][1] if isinstance(value["Fn::Sub"], list) else {}
    numbers = {name for name, ref in mapping.items()
               if isinstance(ref, dict) and (parameters or {}).get(ref.get("Ref"), {}).get("Type") == "Number"}

    def placeholder(match):
        name = match.group(1)
        return values.get(name, "1" if name in numbers else "placeholder")

    return re.sub(r"\$\{([^}!]+)\}", placeholder, text)


def kind_of(value):
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(type(value), type(value).__name__)


def check_parameters(where, kind, parameters, spec):
    problems = []
    if not isinstance(parameters, dict):
        return [f"{where}: Parameters must be an object"]
    documented = spec["parameters"]
    for name, value in parameters.items():
        if name not in documented:
            problems.append(f"{where}: {kind} has no parameter {name!r} (it has {sorted(documented) or 'none'}; "
                            f"{spec['doc']})")
            continue
        rule = documented[name]
        if kind_of(value) != rule["type"]:
            problems.append(f"{where}: {name} must be a {rule['type']}, not a {kind_of(value)}")
            continue
        if "values" in rule and value not in rule["values"]:
            problems.append(f"{where}: {name} is {value!r}, not one of {rule['values']}")
        if "integer_between" in rule:
            low, high = rule["integer_between"]
            if not (value.isdigit() and low <= int(value) <= high):
                problems.append(f"{where}: {name} is {value!r}, not a whole number from {low} to {high}")
        for field, allowed in rule.get("fields", {}).items():
            if value.get(field) not in allowed:
                problems.append(f"{where}: {name}.{field} is {value.get(field)!r}, not one of {allowed}")
        for field in set(value) - set(rule.get("fields", value)):
            problems.append(f"{where}: {name} has no field {field!r}")
    for name, rule in documented.items():
        if rule.get("required") and name not in parameters:
            problems.append(f"{where}: {kind} needs parameter {name!r} ({spec['doc']})")
    if "exactly_one_of" in spec and sum(n in parameters for n in spec["exactly_one_of"]) != 1:
        problems.append(f"{where}: {kind} takes exactly one of {spec['exactly_one_of']}")
    return problems


def check_transitions(where, kind, transitions, spec, actions):
    shape = VOCABULARY["action"]
    if not isinstance(transitions, dict):
        return [f"{where}: Transitions must be an object"]
    problems = [f"{where}: Transitions has no field {f!r}" for f in sorted(set(transitions) - set(shape["transitions"]))]
    targets = []
    if "NextAction" in transitions:
        targets.append(("NextAction", transitions["NextAction"]))
    elif not spec.get("ends_flow"):
        problems.append(f"{where}: no NextAction; only an action that ends the flow may have none")
    handled = []
    for error in transitions.get("Errors", []):
        if set(error) != set(shape["error"]):
            problems.append(f"{where}: an error transition has exactly {shape['error']}, not {sorted(error)}")
        handled.append(error.get("ErrorType"))
        if error.get("ErrorType") not in spec["errors"]:
            problems.append(f"{where}: {kind} has no error {error.get('ErrorType')!r} "
                            f"(it has {spec['errors'] or 'none'}; {spec['doc']})")
        targets.append((f"error {error.get('ErrorType')}", error.get("NextAction")))
    catch_all = [e for e in spec["errors"] if e.startswith("NoMatching")]
    if catch_all and catch_all[0] not in handled:
        problems.append(f"{where}: handles no {catch_all[0]}; every documented catch-all error needs a branch")
    conditions = transitions.get("Conditions", [])
    if conditions and not spec["conditions"]:
        problems.append(f"{where}: {kind} supports no Conditions ({spec['doc']})")
    for condition in conditions:
        body = condition.get("Condition")
        if set(condition) != set(shape["condition"]) or not isinstance(body, dict) or set(body) != set(
            shape["condition_body"]
        ):
            problems.append(f"{where}: a condition is {{NextAction, Condition: {{Operator, Operands}}}}")
        targets.append(("condition", condition.get("NextAction")))
    for label, target in targets:
        if target not in actions:
            problems.append(f"{where}: {label} goes to {target!r}, which is no action of this flow")
    return problems


def check_flow(name, flow):
    """The problems of one flow in the flow language."""
    shape, problems = VOCABULARY["flow"], []
    if not isinstance(flow, dict) or not isinstance(flow.get("Actions"), list):
        return [f"{name}: a flow is an object with an Actions list"]
    problems += [f"{name}: the flow needs {field}" for field in shape["required"] if field not in flow]
    problems += [f"{name}: the flow has no field {f!r}" for f in sorted(set(flow) - set(shape["allowed"]))]
    if flow.get("Version") not in shape["versions"]:
        problems.append(f"{name}: Version is {flow.get('Version')!r}, not one of {shape['versions']}")
    known = {t for types in VOCABULARY["types"].values() for t in types}
    rules = VOCABULARY["action"]
    actions = {}
    for action in flow["Actions"]:
        identifier = action.get("Identifier")
        where = f"{name}: action {identifier!r}"
        if identifier in actions:
            problems.append(f"{where}: duplicate Identifier")
        actions[identifier] = action
        if not isinstance(identifier, str) or not 0 < len(identifier) <= rules["identifier_max_length"]:
            problems.append(f"{where}: an Identifier is a string of 1 to {rules['identifier_max_length']} characters")
        elif set(identifier) & set(rules["identifier_forbidden_characters"]) or identifier in rules[
            "identifier_forbidden_names"
        ]:
            problems.append(f"{where}: the flow language forbids this Identifier")
        problems += [f"{where}: lacks {f}" for f in rules["required"] if f not in action]
        problems += [f"{where}: has no field {f!r}" for f in sorted(set(action) - set(rules["required"]))]
    if flow.get("StartAction") not in actions:
        problems.append(f"{name}: StartAction {flow.get('StartAction')!r} names no action")
    for identifier, action in actions.items():
        where, kind = f"{name}: action {identifier!r}", action.get("Type")
        if kind not in known:
            problems.append(f"{where}: {kind!r} is no flow-language action ({VOCABULARY['docs']['actions']})")
            continue
        spec = VOCABULARY["actions"].get(kind)
        if spec is None:
            problems.append(f"{where}: {kind} is documented, but .ci/connect-flow-vocabulary.json does not record "
                            "its parameters yet; add them from its page")
            continue
        problems += check_parameters(where, kind, action.get("Parameters", {}), spec)
        problems += check_transitions(where, kind, action.get("Transitions", {}), spec, actions)
    reached, todo = set(), [flow.get("StartAction")]
    while todo:
        current = todo.pop()
        if current in reached or current not in actions:
            continue
        reached.add(current)
        transitions = actions[current].get("Transitions")
        transitions = transitions if isinstance(transitions, dict) else {}
        todo.append(transitions.get("NextAction"))
        todo += [e.get("NextAction") for e in transitions.get("Errors", []) + transitions.get("Conditions", [])]
    problems += [f"{name}: action {a!r} cannot be reached from StartAction" for a in actions if a not in reached]
    return problems


def check_waits(template):
    """Every response budget the template allows gets a flow wait at least 0.5 s above it, within Connect's
    8 s: else a slow Salesforce makes the flow take its Error branch after the function made a case."""
    problems = []
    budgets = template["Parameters"]["ResponseBudgetMs"]["AllowedValues"]
    waits = template["Mappings"]["FlowWait"]
    for budget in budgets:
        seconds = int(waits.get(str(budget), {}).get("Seconds", 0))
        if not (int(budget) + 500 <= seconds * 1000 <= 8000):
            problems.append(f"ResponseBudgetMs {budget}: the sample flows wait {seconds} s, not 0.5 s to spare within 8 s")
    return budgets, waits, problems


def longest(value, parameters, variables=None):
    """The longest text `value` can become, or None when it cannot be bounded."""
    variables = variables or {}
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (function, argument), = value.items()
    if function == "Ref":
        if argument in PSEUDO:
            return PSEUDO[argument]
        return parameters.get(argument, {}).get("MaxLength")
    if function == "Fn::Sub":
        text, given = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
        total = len(re.sub(r"\$\{[^}]+\}", "", text))
        for name in re.findall(r"\$\{([^}!]+)\}", text):
            bound = longest(given[name], parameters) if name in given else longest({"Ref": name}, parameters)
            if bound is None:
                return None
            total += bound
        return total
    if function == "Fn::Select" and argument[1] == {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}:
        # arn:<partition>:cloudformation:<region>:<account>:stack / <stack name> / <uuid>
        return [60, STACK_NAME_MAX, 36][int(argument[0])]
    return None


def check_names(template):
    problems, parameters = [], template.get("Parameters", {})
    for name, resource in template["Resources"].items():
        for field, limit in NAME_LIMITS.get(resource["Type"], []):
            value = resource.get("Properties", {}).get(field)
            if value is None:
                continue
            bound = longest(value, parameters)
            if bound is None:
                problems.append(f"{name}: cannot bound the length of its {field}; build it from text, pseudo "
                                "parameters and parameters with a MaxLength")
            elif bound > limit:
                problems.append(f"{name}: its {field} can reach {bound} characters with a {STACK_NAME_MAX}-character "
                                f"stack name, over the {limit} that {resource['Type']} allows: a deploy would fail "
                                "half-way")
    return problems


NAMESPACE = "ConnectCaseHandoff"
USAGE_METRIC = "SalesforceApiUsage"


def emitted_metrics():
    """The metric names the function writes: those src/metrics.rs declares, and the handlers' counts."""
    src = pathlib.Path(__file__).resolve().parent.parent / "src"
    names = set(re.findall(r'"Name": "([A-Za-z]+)"', (src / "metrics.rs").read_text()))
    for handler in (src / "handler").glob("*.rs"):
        for body in re.findall(r"fn counts\(.*?\n    \}", handler.read_text(), re.S):
            names |= set(re.findall(r'\("([A-Z][A-Za-z]+)", ', body))
    return names


def graphed_metrics(body):
    """(namespace, metric name) of every metric a dashboard graphs: rows ("." repeats the row above's) and
    SEARCH expressions."""
    graphed = []
    for widget in body.get("widgets", []):
        previous = []
        for row in widget.get("properties", {}).get("metrics", []):
            names = [item for item in row if isinstance(item, str)]
            if names == ["..."]:
                names = previous
            names = [new if new != "." else old for new, old in zip(names, previous + names[len(previous):])]
            if len(names) >= 2:
                graphed.append((names[0], names[1]))
            previous = names
            for item in row:
                if isinstance(item, dict) and "expression" in item:
                    for namespace, metric in re.findall(r"\{(\w+),.*?MetricName=\"(\w+)\"", item["expression"]):
                        graphed.append((namespace, metric))
    return graphed


def check_metrics(template, dashboards):
    problems = []
    emitted = emitted_metrics()
    usage_alarms = []
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] != "AWS::CloudWatch::Alarm" or properties.get("Namespace") != NAMESPACE:
            continue
        if properties.get("MetricName") not in emitted:
            problems.append(f"{name}: alarms on {properties.get('MetricName')}, which the function never emits")
        if properties.get("MetricName") == USAGE_METRIC:
            usage_alarms.append((name, properties))
    for dashboard, body in dashboards:
        for namespace, metric in graphed_metrics(body):
            if namespace == NAMESPACE and metric not in emitted:
                problems.append(f"{dashboard}: graphs {metric}, which the function never emits")
        if not any(metric == USAGE_METRIC for namespace, metric in graphed_metrics(body) if namespace == NAMESPACE):
            problems.append(f"{dashboard}: no graph of the org's API usage ({USAGE_METRIC})")
    if not usage_alarms:
        problems.append(f"no alarm on the org's API usage ({USAGE_METRIC})")
    parameters = template.get("Parameters", {})
    for name, properties in usage_alarms:
        threshold = properties.get("Threshold")
        parameter = parameters.get(threshold.get("Ref")) if isinstance(threshold, dict) else None
        if parameter is None:
            problems.append(f"{name}: its Threshold must be a stack parameter, not {threshold!r}")
        elif str(parameter.get("Default")) != "80":
            problems.append(f"{name}: its threshold parameter defaults to {parameter.get('Default')}, not 80 (%)")
        if properties.get("ComparisonOperator") != "GreaterThanOrEqualToThreshold":
            problems.append(f"{name}: must go off when the usage reaches the threshold (GreaterThanOrEqualToThreshold)")
        dimensions = properties.get("Dimensions", [])
        if dimensions != [{"Name": "FunctionName", "Value": {"Ref": "HandoffFunction"}}]:
            problems.append(f"{name}: must watch the function's own metric (FunctionName: !Ref HandoffFunction)")
    return problems


def main(path):
    template = cfn_yaml.load(path)
    budgets, waits, problems = check_waits(template)
    flows = 0
    dashboards = []
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Connect::ContactFlow":
            sub = properties["Content"]["Fn::Sub"]
            wait = sub[1].get("FlowWaitSeconds", {}) if isinstance(sub, list) else {}
            if wait != {"Fn::FindInMap": ["FlowWait", {"Ref": "ResponseBudgetMs"}, "Seconds"]}:
                problems.append(f"{name}: the Invoke block's wait must come from the FlowWait mapping of ResponseBudgetMs")
            for budget in budgets:
                seconds = waits.get(str(budget), {}).get("Seconds", "0")
                try:
                    flow = json.loads(substituted(properties["Content"], {"FlowWaitSeconds": str(seconds)}))
                except ValueError as error:
                    problems.append(f"{name}: its Content is not JSON ({error})")
                    break
                found = check_flow(name, flow)
                if found:
                    problems += found
                    break
            flows += 1
        elif resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = json.loads(substituted(properties["DashboardBody"], parameters=template.get("Parameters", {})))
            if not body.get("widgets"):
                problems.append(f"{name}: a dashboard with no widgets")
            dashboards.append((name, body))
    if flows < 2 or not dashboards:
        problems.append(f"expected two sample flows and a dashboard, found {flows} and {len(dashboards)}")
    problems += check_names(template)
    problems += check_metrics(template, dashboards)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"{path}: {flows} flows follow the documented flow language for every response budget; the dashboard "
          f"parses and graphs only metrics the function emits, the API usage among them, with its alarm; every "
          f"derived name fits its limit with a {STACK_NAME_MAX}-character stack name")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
