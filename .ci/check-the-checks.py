"""Shows that the CTI Flow check and the template check fail where it matters: each runs, under `python -O`
(which drops `assert`), on the real files and then on broken copies of them, one break at a time, and must
pass the first and reject each copy with the problem named. Run with the CI virtualenv's python (the
template check reads the template with cfn-lint's loader)."""

import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VOICE, CHAT = "voice-onConnecting.json", "chat-onConnecting.json"

# (what is broken, file, text replaced, replacement, words the check must print)
CTI_BREAKS = [
    ("a block type that does not exist", VOICE, '"SE_CoreTruthy"', '"SE_CoreIsTruthy"', "no such block type"),
    ("a control name the block does not take", VOICE, '"attributeName": "SfdcCaseId"', '"attribute": "SfdcCaseId"',
     "has control 'attribute'"),
    ("a port name the block does not have", VOICE, '"done": "uid-2"', '"next": "uid-2"', "has port 'next'"),
    ("a port left unwired", VOICE, '"failure": "uid-8"', '"success": "uid-8"', "leaves its 'failure' port unwired"),
    ("a port to a missing action", VOICE, '"done": "uid-5"', '"done": "uid-50"', "leads to 'uid-50', which does not exist"),
    ("a reference to a missing action", VOICE, '"$.actions.uid-5.results.value"', '"$.actions.uid-55.results.value"',
     "there is no action 'uid-55'"),
    ("a reference to an action that runs later", VOICE, '"phoneNumber": "$.actions.uid-4.results.phone"',
     '"phoneNumber": "$.actions.uid-6.results.value"', "uid-6 does not run before it"),
    ("a result field the block does not return", VOICE, '"$.actions.uid-5.results.value"',
     '"$.actions.uid-5.results.formatted"', "not 'formatted'"),
    ("a malformed reference", VOICE, '"$.actions.uid-5.results.value"', '"$.actions.uid-5.result.value"',
     "not $.actions.<id>.results.<field>"),
    ("a payload path no adapter flow reads", VOICE, '"$.actions.uid-4.results.phone"', '"$.contact.phoneNumber"',
     "a path none of the adapter's flows reads"),
    ("a control value of the wrong JSON type", VOICE, '"noPopOnEmpty": true', '"noPopOnEmpty": "true"',
     "is a str, not bool"),
    ("a value outside the samples' choices", VOICE, '"callType": "inbound"', '"callType": "incoming"',
     "not one of ['inbound']"),
    ("a country code that is not ISO 3166", VOICE, '"countryCode": "US"', '"countryCode": "USA"',
     "not an ISO 3166 two-letter code"),
    ("a loop", CHAT, '"done": "uid-8"', '"done": "uid-4"', "loops"),
    ("an action nothing leads to", CHAT, '"true": "uid-6"', '"true": "uid-7"', "uid-6 cannot be reached"),
    ("a block that ends a path without SE_End", CHAT, '"done": "uid-10"', '"done": null', "which does not exist"),
]
CTI_RENAMES = [
    ("a file name with an event its source lacks", VOICE, "voice-onRinging.json", "event 'onRinging', which it has not"),
    ("a file name that names no source", CHAT, "webchat-onConnecting.json", "must say its source and event"),
    ("an adapter export name with an event its source lacks", VOICE, "02-voiceContactOnRinging.json",
     "event 'onRinging', which it has not"),
]
# A flow's "name" in the adapter's form wins over its file name: (label, file, name given, words or None).
CTI_NAMES = [
    ("the adapter's export of a default flow, as it names it", "02-voiceContactOnConnecting.json",
     "VoiceContact.onConnecting", None),
    ("a name that says the event, whatever the file is called", "my-flow.json", "ChatContact.onConnecting", None),
    ("a name with an event its source lacks", "voice-onConnecting.json", "VoiceContact.onRinging",
     'its name "VoiceContact.onRinging" says Amazon Connect Voice Contact event \'onRinging\''),
    ("a name of a source the project ships no flow for", "voice-onConnecting.json", "AgentState.onInit",
     'its name "AgentState.onInit" must say its source and event'),
]
README_BREAKS = [
    ("a README that leaves a flow out", "| `queue-callback-onIncoming.json` |", "| `queue-callback.json` |",
     "no table row names queue-callback-onIncoming.json"),
    ("a README that says Import", "**Upload**", "**Import**", "no Import"),
]

TEMPLATE_BREAKS = [
    ("an unknown Connect action type", '"Type": "UpdateContactTargetQueue"', '"Type": "SetWorkingQueue"',
     "'SetWorkingQueue' is no flow-language action"),
    ("a misspelled LambdaFunctionARN", '"LambdaFunctionARN"', '"LambdaFunctionArn"',
     "has no parameter 'LambdaFunctionArn'"),
    ("no Version", '"Version": "2019-10-30",', "", "the flow needs Version"),
    ("a condition pointing to a missing action",
     '"Transitions": {\n                  "NextAction": "transfer-to-queue",\n                  "Errors": [ { "NextAction": "transfer-to-queue", "ErrorType": "NoMatchingError" } ]',
     '"Transitions": {\n                  "NextAction": "transfer-to-queue",\n                  "Conditions": [ { "NextAction": "nowhere", "Condition": { "Operator": "Equals", "Operands": [ "x" ] } } ],\n                  "Errors": [ { "NextAction": "transfer-to-queue", "ErrorType": "NoMatchingError" } ]',
     "condition goes to 'nowhere'"),
    ("an error branch to a missing action", '{ "NextAction": "disconnect", "ErrorType": "QueueAtCapacity" }',
     '{ "NextAction": "hang-up", "ErrorType": "QueueAtCapacity" }', "goes to 'hang-up'"),
    ("an error type the action does not document", '"ErrorType": "QueueAtCapacity"', '"ErrorType": "QueueFull"',
     "has no error 'QueueFull'"),
    ("no catch-all error branch", '"Errors": [ { "NextAction": "set-queue", "ErrorType": "NoMatchingError" } ]',
     '"Errors": []', "handles no NoMatchingError"),
    ("a parameter value outside the documented ones", '"ResponseType": "STRING_MAP"', '"ResponseType": "XML"',
     "ResponseValidation.ResponseType is 'XML'"),
    ("a Lambda wait over Connect's 8 s", '"7500": { Seconds: "8" }', '"7500": { Seconds: "9" }',
     "not a whole number from 1 to 8"),
    ("a flow name that outgrows Connect's 127 characters",
     "Name: !Sub\n        - Salesforce case handoff, inbound (${StackUuid})\n        - StackUuid: !Select [2, !Split [\"/\", !Ref AWS::StackId]]",
     "Name: !Sub ${AWS::StackName} inbound with Salesforce case", "Name can reach 157 characters"),
    ("a function name that outgrows Lambda's 64 characters", "      Description: Finds or creates",
     "      FunctionName: !Sub ${AWS::StackName}-handoff\n      Description: Finds or creates",
     "FunctionName can reach 136 characters"),
    ("an alarm on a metric the function never emits", "      MetricName: SalesforceApiUsage",
     "      MetricName: SalesforceAPIUsage", "alarms on SalesforceAPIUsage, which the function never emits"),
    ("a dashboard graph of a metric the function never emits", '"LegsWritten", "FunctionName"',
     '"LegWritten", "FunctionName"', "graphs LegWritten, which the function never emits"),
    ("no graph of the API usage", '[ "ConnectCaseHandoff", "SalesforceApiUsage",', '[ "ConnectCaseHandoff", "SalesforceRequests",',
     "no graph of the org's API usage"),
    ("an API usage alarm at a fixed threshold", "      Threshold: !Ref ApiUsageAlarmPercent", "      Threshold: 80",
     "its Threshold must be a stack parameter"),
    ("an API usage threshold that defaults to 90%", "  ApiUsageAlarmPercent:\n    Type: Number\n    Default: 80",
     "  ApiUsageAlarmPercent:\n    Type: Number\n    Default: 90", "defaults to 90, not 80"),
    ("an API usage alarm on every function's metric", "      MetricName: SalesforceApiUsage\n      Dimensions:\n        - Name: FunctionName\n          Value: !Ref HandoffFunction\n",
     "      MetricName: SalesforceApiUsage\n", "must watch the function's own metric"),
]

# Breaks of the Salesforce Voice flows, for .ci/check-voice-flows.py: (what, text replaced once, replacement,
# words the check must print).
VOICE_BREAKS = [
    ("a Telephony Integration method no sample calls", '"methodName": "createVoiceCall"',
     '"methodName": "createVoiceCalls"', "'createVoiceCalls', a method no sample calls"),
    ("an attribute executeOmniFlow is never passed", '"flowDevName": "${RoutingFlow}"', '"flowName": "${RoutingFlow}"',
     "passes 'flowName' to executeOmniFlow"),
    ("a VoiceCall id kept from a field the answer lacks", '"Attributes": { "voiceCallId": "$.External.voiceCallId" }',
     '"Attributes": { "voiceCallId": "$.External.voiceCallID" }', "keeps voiceCallId = $.External.voiceCallID"),
    ("Omni-Channel routing before the case is made", '"NextAction": "keep-voice-call",',
     '"NextAction": "route-with-omni-channel",', "the success path calls ['createVoiceCall', 'executeOmniFlow']"),
    ("the Omni-Channel flow not given the case", '"flowInput-caseId": "$.Attributes.SfdcCaseId"',
     '"flowInput-case": "$.Attributes.SfdcCaseId"', "executeOmniFlow gets flowInput-caseId = None"),
    ("this function not told the VoiceCall", '"LambdaInvocationAttributes": { "VoiceCallId": "$.Attributes.voiceCallId" }',
     '"LambdaInvocationAttributes": { "VoiceCall": "$.Attributes.voiceCallId" }',
     "not invoked with VoiceCallId = $.Attributes.voiceCallId"),
    ("an action type no Voice sample uses", '"Parameters": { "QueueId": "$.Attributes.queueArn" },',
     '"Parameters": { "QueueId": "$.Attributes.queueArn" }, "Type": "UpdateContactQueuePriority",',
     "no Salesforce Voice sample uses this action type"),
]

OMNI_FLOW = "salesforce/force-app/main/default/flows/Case_Handoff_Voice_Routing.flow-meta.xml"
# Breaks of the Omni-Channel flow, for .ci/check-omni-flow.py: (what, text replaced once, replacement, words).
OMNI_BREAKS = [
    ("a flow that is not an Omni-Channel flow", "<processType>RoutingFlow</processType>",
     "<processType>AutoLaunchedFlow</processType>", "not RoutingFlow"),
    ("an Add Screen Pop input no org's flow passes", "<name>pendingServiceRoutingInteractionInfoInputList</name>",
     "<name>screenPopList</name>", "passes 'screenPopList' to addScreenPop"),
    ("Route Work not given the screen pops", "<elementReference>screenPops</elementReference>\n            </value>\n        </inputParameters>\n        <inputParameters>\n            <name>serviceChannelDevName</name>",
     "<elementReference>recordId</elementReference>\n            </value>\n        </inputParameters>\n        <inputParameters>\n            <name>serviceChannelDevName</name>",
     "gets psrInteractionInfo 'recordId', not the pops in screenPops"),
    ("a flow that makes a case", "    <recordLookups>",
     "    <recordCreates>\n        <name>Make_a_Case</name>\n        <label>Make a Case</label>\n        <locationX>0</locationX>\n        <locationY>0</locationY>\n        <object>Case</object>\n    </recordCreates>\n    <recordLookups>",
     "it must create no case"),
    ("the case not popped", "{!caseId}", "{!recordId}", "does not pop {!caseId}"),
    ("caseId not an input", "<name>caseId</name>\n        <dataType>String</dataType>\n        <isCollection>false</isCollection>\n        <isInput>true</isInput>",
     "<name>caseId</name>\n        <dataType>String</dataType>\n        <isCollection>false</isCollection>\n        <isInput>false</isInput>",
     "caseId must be a text input variable"),
    ("an element out of the documented order",
     "    <label>Case Handoff Voice Routing</label>\n    <processType>RoutingFlow</processType>",
     "    <processType>RoutingFlow</processType>\n    <label>Case Handoff Voice Routing</label>",
     "<label> is out of the order the Metadata API documents for Flow"),
    ("an operator newer than the flow's API version", "<apiVersion>66.0</apiVersion>", "<apiVersion>58.0</apiVersion>",
     "operator IsBlank needs apiVersion 61.0"),
    ("a connector to no element", "<targetReference>Has_a_Case</targetReference>", "<targetReference>Has_Case</targetReference>",
     "leads to 'Has_Case', which is no element"),
    ("a field the type does not have", "<getFirstRecordOnly>true</getFirstRecordOnly>",
     "<getFirstRecordOnly>true</getFirstRecordOnly>\n        <firstOnly>true</firstOnly>", "<firstOnly> is not a field of FlowRecordLookup"),
]


def run(*args):
    done = subprocess.run([sys.executable, "-O", *map(str, args)], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def expect(label, code, output, words, failures):
    if words is None and code != 0:
        failures.append(f"{label}: the check rejected the real files:\n{output}")
    elif words is not None and (code != 1 or words not in output):
        failures.append(f"{label}: expected exit 1 naming {words!r}, got exit {code}:\n{output}")
    else:
        print(f"  ok  {label}" + ("" if words is None else f": {words}"))


def check_cti(scratch, failures):
    checker = ROOT / ".ci/check-cti-flows.py"
    print("CTI Flow check (.ci/check-cti-flows.py)")
    expect("the shipped flows", *run(checker, ROOT / "cti-flows"), None, failures)
    # The adapter's default flows' shape: a "name", no "meta", SE_End with null controls and no ports.
    folder = scratch / "defaults"
    folder.mkdir()
    flow = json.loads((ROOT / "cti-flows" / VOICE).read_text())
    for action in flow["actions"]:
        action.pop("meta")
        if action["type"] == "SE_End":
            action["controls"] = None
            action.pop("ports")
    (folder / VOICE).write_text(json.dumps({"name": "VoiceContact.onConnecting", **flow}))
    expect("a flow in the shape of the adapter's default flows", *run(checker, folder), None, failures)
    for number, (label, name, old, new, words) in enumerate(CTI_BREAKS):
        folder = scratch / f"cti-{number}"
        shutil.copytree(ROOT / "cti-flows", folder)
        text = (folder / name).read_text()
        if old not in text:
            failures.append(f"{label}: {old!r} is not in cti-flows/{name}; update this break")
            continue
        (folder / name).write_text(text.replace(old, new, 1))
        expect(label, *run(checker, folder), words, failures)
    readme = (ROOT / "README.md").read_text()
    for number, (label, old, new, words) in enumerate(README_BREAKS):
        copy = scratch / f"README-{number}.md"
        if old not in readme:
            failures.append(f"{label}: {old!r} is not in README.md; update this break")
            continue
        copy.write_text(readme.replace(old, new))
        expect(label, *run(checker, ROOT / "cti-flows", "--readme", copy), words, failures)
    for number, (label, name, renamed, words) in enumerate(CTI_RENAMES):
        folder = scratch / f"cti-name-{number}"
        shutil.copytree(ROOT / "cti-flows", folder)
        (folder / name).rename(folder / renamed)
        expect(label, *run(checker, folder), words, failures)
    for number, (label, file_name, flow_name, words) in enumerate(CTI_NAMES):
        folder = scratch / f"cti-named-{number}"
        folder.mkdir()
        flow = json.loads((ROOT / "cti-flows" / VOICE).read_text())
        (folder / file_name).write_text(json.dumps({"name": flow_name, **flow}))
        expect(label, *run(checker, folder), words, failures)


def check_template_breaks(scratch, failures, checker, title, breaks, prefix):
    """`checker` passes template.yaml and rejects each of `breaks` applied to a copy of it."""
    checker = ROOT / checker
    print(title)
    expect("template.yaml", *run(checker, ROOT / "template.yaml"), None, failures)
    text = (ROOT / "template.yaml").read_text()
    for number, (label, old, new, words) in enumerate(breaks):
        if old not in text:
            failures.append(f"{label}: {old!r} is not in template.yaml; update this break")
            continue
        copy = scratch / f"{prefix}-{number}.yaml"
        copy.write_text(text.replace(old, new, 1))
        expect(label, *run(checker, copy), words, failures)


def check_template(scratch, failures):
    check_template_breaks(scratch, failures, ".ci/check-template-json.py", "template check (.ci/check-template-json.py)",
                          TEMPLATE_BREAKS, "template")


def check_voice(scratch, failures):
    check_template_breaks(scratch, failures, ".ci/check-voice-flows.py",
                          "Salesforce Voice flow check (.ci/check-voice-flows.py)", VOICE_BREAKS, "voice")


def check_omni(scratch, failures):
    checker = ROOT / ".ci/check-omni-flow.py"
    print("Omni-Channel flow check (.ci/check-omni-flow.py)")
    expect("salesforce/", *run(checker, ROOT / "salesforce"), None, failures)
    text = (ROOT / OMNI_FLOW).read_text()
    for number, (label, old, new, words) in enumerate(OMNI_BREAKS):
        if old not in text:
            failures.append(f"{label}: {old!r} is not in {OMNI_FLOW}; update this break")
            continue
        copy = scratch / f"omni-{number}"
        shutil.copytree(ROOT / "salesforce", copy)
        (copy / OMNI_FLOW.removeprefix("salesforce/")).write_text(text.replace(old, new, 1))
        expect(label, *run(checker, copy), words, failures)


def main():
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        check_omni(pathlib.Path(scratch), failures)
        check_cti(pathlib.Path(scratch), failures)
        check_template(pathlib.Path(scratch), failures)
        check_voice(pathlib.Path(scratch), failures)
    for failure in failures:
        print(f"FAILED {failure}")
    if failures:
        sys.exit(1)
    print(f"the checks pass the real files and reject all {len(CTI_BREAKS) + len(CTI_RENAMES) + len(CTI_NAMES) + len(README_BREAKS) + len(TEMPLATE_BREAKS) + len(VOICE_BREAKS) + len(OMNI_BREAKS)} "
          "broken copies")


if __name__ == "__main__":
    main()
