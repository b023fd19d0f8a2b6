#!/usr/bin/env python3
"""Plays the CTI Flows in cti-flows/ the way the adapter runs them, for the situations an agent meets, and
checks what each pops or searches. The blocks are played as the adapter's docs describe them:

- Get Contact Attribute returns the attribute, else its default value; Is Truthy? branches on JavaScript
  truthiness (an empty string is false);
- Get Customer Phone Number returns the number as Connect gives it (E.164); Format Phone Number returns it
  formatted for its countryCode (played here as "national(<number>, <country>)");
- Screenpop Object pops its record, and takes `failure` when the pop fails; Search And Screenpop searches,
  and takes `failure` when the search finds nothing (one reading; under the other, a search that finds
  nothing takes `success` and the flow ends, which no situation below depends on).

Exits 1 naming each situation whose pops differ from what the README promises."""

import json
import pathlib
import re
import sys

FOLDER = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "cti-flows")
CALLER = "+14155550100"
NATIONAL = f"national({CALLER}, US)"


def resolve(value, results):
    match = re.fullmatch(r"\$\.actions\.([^.]+)\.results\.(\w+)", value) if isinstance(value, str) else None
    return results.get(match.group(1), {}).get(match.group(2)) if match else value


def play(flow, attributes, failing_pops=(), matches=()):
    """What the flow does: a list of ("pop", record) and ("search", text), in order."""
    actions = {a["id"]: a for a in flow["actions"]}
    current = next(a["id"] for a in flow["actions"] if a["type"] == "SE_Start")
    done, results = [], {}
    for _ in range(len(actions) + 1):
        action = actions[current]
        kind, controls = action["type"], action.get("controls") or {}
        value = {name: resolve(v, results) for name, v in controls.items()}
        port = "done"
        if kind == "SE_End":
            return done
        if kind == "SE_ContactGetAttributeValue":
            results[current] = {"value": attributes.get(value["attributeName"], value["defaultValue"])}
        elif kind == "SE_ContactCustomerPhoneNumber":
            results[current] = {"phone": CALLER, "country": "US"}
        elif kind == "SE_CoreFormatPhoneNumber":
            results[current] = {"value": f"national({value['phoneNumber']}, {value['countryCode']})"}
        elif kind == "SE_CoreTruthy":
            port = "true" if value["value"] else "false"
        elif kind == "SE_SFScreenpopObject":
            if value["recordId"] or not value["noPopOnEmpty"]:
                done.append(("pop", value["recordId"]))
            port = "failure" if value["recordId"] in failing_pops else "success"
        elif kind == "SE_SFSearchAndScreenpop":
            done.append(("search", value["searchParams"]))
            port = "success" if value["searchParams"] in matches else "failure"
        elif kind not in ("SE_Start", "SE_Log"):
            raise ValueError(f"{current}: this player does not know {kind}")
        current = action["ports"][port]
    raise ValueError("the flow loops")


CASE, RECORD = "500Dn0000000001IAA", "003Dn0000000001AAA"
PHONE_FLOW = [
    ("the function stored the call's case", {"SfdcCaseId": CASE}, (), (), [("pop", CASE)]),
    ("no case; the org stores numbers nationally", {}, (), (NATIONAL,), [("search", NATIONAL)]),
    ("no case; the org stores E.164", {}, (), (CALLER,), [("search", NATIONAL), ("search", CALLER)]),
    ("the case cannot be popped (deleted meanwhile)", {"SfdcCaseId": CASE}, (CASE,), (NATIONAL,),
     [("pop", CASE), ("search", NATIONAL)]),
    ("no case and no match", {}, (), (), [("search", NATIONAL), ("search", CALLER)]),
]
SITUATIONS = {
    "voice-onConnecting.json": PHONE_FLOW,
    "queue-callback-onIncoming.json": PHONE_FLOW,
    "chat-onConnecting.json": [
        ("the function stored the chat's case", {"SfdcCaseId": CASE, "acsf-screenpop-record": RECORD}, (), (),
         [("pop", CASE)]),
        ("no case; the chat flow named a record", {"acsf-screenpop-record": RECORD}, (), (), [("pop", RECORD)]),
        ("no case and no record; a search", {"acsf-screenpop-search": "ana@example.com"}, (), ("ana@example.com",),
         [("search", "ana@example.com")]),
        ("the record cannot be popped", {"acsf-screenpop-record": RECORD, "acsf-screenpop-search": "ana@example.com"},
         (RECORD,), ("ana@example.com",), [("pop", RECORD), ("search", "ana@example.com")]),
    ],
}


def main():
    problems, played = [], 0
    for name, situations in SITUATIONS.items():
        flow = json.loads((FOLDER / name).read_text())
        for label, attributes, failing, matches, expected in situations:
            try:
                got = play(flow, attributes, failing, matches)
            except (KeyError, ValueError, StopIteration) as error:
                got = f"an error: {error!r}"
            played += 1
            if got != expected:
                problems.append(f"{name}, {label}: expected {expected}, got {got}")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"CTI Flows: {played} situations played, each popping what the README says")


if __name__ == "__main__":
    main()
