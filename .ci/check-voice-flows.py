"""Checks the template's Salesforce Voice flows against the vocabulary of Salesforce's own Voice sample flows
(.ci/voice-vocabulary.json, derived by .ci/derive-voice-vocabulary.py), since neither Connect nor
Salesforce's Telephony Integration function runs here:

- every action type is one the samples use;
- every call of the Telephony Integration function (the block whose LambdaFunctionARN is
  ${TelephonyArn}) names a method the samples call, passes only attributes the samples pass to it (and, to
  executeOmniFlow, any `flowInput-<name>`: the function hands each to the Omni-Channel flow as input
  `<name>`, as ServiceCloudVoiceLambdas' invokeTelephonyIntegrationApi/utils.js constructFlowInputParams
  does), and the block after a successful call keeps only what the samples keep of that method's answer,
  under the samples' names;
- on the success path, the flow makes the leg's VoiceCall (createVoiceCall, or createTransferVC for a
  transfer), keeps it in `voiceCallId`, invokes this function with `VoiceCallId` = `$.Attributes.voiceCallId`,
  keeps `SfdcCaseId` from its answer, and only then routes with executeOmniFlow, passing
  `flowInput-recordId` = the VoiceCall and `flowInput-caseId` = the case.

Run with the CI virtualenv's python (it reads the template with cfn-lint's loader). Prints each problem and
exits 1; without `assert`, so `python -O` checks the same."""

import json
import pathlib
import re
import sys

from cfnlint.decode import cfn_yaml

VOCABULARY = json.loads(pathlib.Path(__file__).with_name("voice-vocabulary.json").read_text())
# The template's Voice flows: logical id -> the method that makes the leg's VoiceCall.
VOICE_FLOWS = {"VoiceInboundFlow": "createVoiceCall", "VoiceTransferFlow": "createTransferVC"}
TELEPHONY = "${TelephonyArn}"
FUNCTION = "${FunctionArn}"
FLOW_INPUT = "flowInput-"


def flow_of(resource):
    """The flow's JSON, with the Fn::Sub placeholders left as they are (strings in the JSON)."""
    content = resource["Properties"]["Content"]["Fn::Sub"]
    text = content[0] if isinstance(content, list) else content
    return json.loads(text)


def success_path(flow):
    """The actions from StartAction following NextAction, in order."""
    by_id = {a["Identifier"]: a for a in flow["Actions"]}
    path, current = [], flow.get("StartAction")
    while current in by_id and current not in [a["Identifier"] for a in path]:
        path.append(by_id[current])
        current = by_id[current].get("Transitions", {}).get("NextAction")
    return path


def invoked(action):
    parameters = action.get("Parameters", {})
    return parameters.get("LambdaFunctionARN"), parameters.get("LambdaInvocationAttributes") or {}


def check_flow(name, flow, makes):
    problems = []
    types = set(VOCABULARY["action_types"])
    methods = VOCABULARY["methods"]
    by_id = {a["Identifier"]: a for a in flow["Actions"]}
    for action in flow["Actions"]:
        where = f"{name}: {action['Identifier']} ({action['Type']})"
        if action["Type"] not in types:
            problems.append(f"{where}: no Salesforce Voice sample uses this action type")
        arn, attributes = invoked(action) if action["Type"] == "InvokeLambdaFunction" else (None, {})
        if arn != TELEPHONY:
            continue
        method = attributes.get("methodName")
        if method not in methods:
            problems.append(f"{where}: calls {method!r}, a method no sample calls (they call {sorted(methods)})")
            continue
        for key in sorted(attributes):
            flow_input = method == "executeOmniFlow" and key.startswith(FLOW_INPUT) and len(key) > len(FLOW_INPUT)
            if key not in methods[method]["attributes"] and not flow_input:
                problems.append(f"{where}: passes {key!r} to {method}, which the samples never pass "
                                f"(they pass {methods[method]['attributes']})")
        following = by_id.get(action.get("Transitions", {}).get("NextAction"))
        kept = following.get("Parameters", {}).get("Attributes", {}) if following else {}
        for attribute, value in sorted(kept.items()):
            if str(value).startswith("$.External.") and methods[method]["results"].get(attribute) != value:
                problems.append(f"{where}: keeps {attribute} = {value}, but the samples keep of {method}'s answer "
                                f"only {methods[method]['results']}")
    problems += check_order(name, success_path(flow), makes)
    return problems


def check_order(name, path, makes):
    """The success path makes the VoiceCall, keeps it, invokes this function with it, keeps the case, and
    then routes with both."""
    steps = []
    for action in path:
        arn, attributes = invoked(action) if action["Type"] == "InvokeLambdaFunction" else (None, {})
        kept = action.get("Parameters", {}).get("Attributes", {}) if action["Type"] == "UpdateContactAttributes" else {}
        if arn == TELEPHONY:
            steps.append(("telephony", attributes.get("methodName"), attributes))
        elif arn == FUNCTION:
            steps.append(("function", None, attributes))
        elif kept:
            steps.append(("keep", None, kept))
    order = [step[1] or step[0] for step in steps if step[0] != "keep"]
    wanted = [makes, "function", "executeOmniFlow"]
    if order != wanted:
        return [f"{name}: the success path calls {order}, not {wanted}"]
    problems = []
    position = {label: n for n, (kind, method, _) in enumerate(steps) for label in [method or kind]}
    kept_before = lambda label, attribute, value: any(  # noqa: E731
        kind == "keep" and attributes.get(attribute) == value
        for kind, _, attributes in steps[: position[label]]
    )
    if not kept_before("function", "voiceCallId", "$.External.voiceCallId"):
        problems.append(f"{name}: voiceCallId is not kept from {makes}'s answer before this function is invoked")
    if steps[position["function"]][2].get("VoiceCallId") != "$.Attributes.voiceCallId":
        problems.append(f"{name}: this function is not invoked with VoiceCallId = $.Attributes.voiceCallId")
    if not kept_before("executeOmniFlow", "SfdcCaseId", "$.External.SfdcCaseId"):
        problems.append(f"{name}: SfdcCaseId is not kept from this function's answer before executeOmniFlow")
    route = steps[position["executeOmniFlow"]][2]
    for key, value in (("flowInput-recordId", "$.Attributes.voiceCallId"), ("flowInput-caseId", "$.Attributes.SfdcCaseId")):
        if route.get(key) != value:
            problems.append(f"{name}: executeOmniFlow gets {key} = {route.get(key)!r}, not {value}")
    return problems


def main(argv):
    template = cfn_yaml.load(argv[1] if len(argv) > 1 else "template.yaml")
    resources = template.get("Resources", {})
    problems = []
    for logical_id, makes in VOICE_FLOWS.items():
        if logical_id not in resources:
            problems.append(f"template: no {logical_id}")
            continue
        try:
            flow = flow_of(resources[logical_id])
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"{logical_id}: its Content is not a flow ({error})")
            continue
        problems += check_flow(logical_id, flow, makes)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"Salesforce Voice flows: {len(VOICE_FLOWS)} checked against the action types, Telephony Integration "
          f"methods, their attributes and kept answers of Salesforce's {len(VOCABULARY['read'])} sample flows "
          f"({VOCABULARY['repository']} at {VOCABULARY['commit'][:12]})")


if __name__ == "__main__":
    main(sys.argv)
