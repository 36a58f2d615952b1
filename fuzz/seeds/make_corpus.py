#!/usr/bin/env python3
"""Builds seed corpora for the fuzz targets in fuzz/corpus/<target>/.

Seeds come from pactum's example contracts and, when present, the Pact specification's test
cases (PACTUM_SPEC_CASES, or ../shared/pact-spec next to the checkout). Usage, from fuzz/:

    python3 seeds/make_corpus.py
"""
import glob
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.dirname(HERE)
ROOT = os.path.dirname(FUZZ)
SPEC = os.environ.get("PACTUM_SPEC_CASES") or os.path.join(ROOT, "..", "shared", "pact-spec")


def save(target, data):
    folder = os.path.join(FUZZ, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def halves(first, second):
    """`first` and `second` padded with spaces to equal length, so the target splits them."""
    n = max(len(first), len(second))
    return first.ljust(n, b" ") + second.ljust(n, b" ")


def spec_cases():
    for path in sorted(glob.glob(os.path.join(SPEC, "v*", "testcases", "**", "*.json"), recursive=True)):
        try:
            with open(path, "rb") as f:
                yield path, json.loads(f.read().decode("utf-8-sig"))
        except (OSError, ValueError):
            continue


for path in sorted(glob.glob(os.path.join(ROOT, "contracts", "examples", "*.json"))):
    with open(path, "rb") as f:
        save("parse_contract", f.read())

xml_bodies = []
for path, case in spec_cases():
    kind = "request" if "/request/" in path else "response" if "/response/" in path else "message"
    expected, actual = case.get("expected"), case.get("actual")
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        continue
    interaction = {"description": "d", "type": "Synchronous/HTTP", "request": {}, "response": {}}
    if kind == "message":
        interaction = dict(expected, description="d", type="Asynchronous/Messages")
    else:
        interaction[kind] = expected
    version = "4.0" if "/v4/" in path else "3.0.0"
    pact = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": version}},
    }
    save("parse_contract", json.dumps(pact).encode())
    if kind == "response" and "body" in actual:
        body = actual["body"]
        if isinstance(body, dict) and "content" in body:
            body = body["content"]
        text = body if isinstance(body, str) else json.dumps(body)
        if text.lstrip().startswith("<"):
            xml_bodies.append(text.encode())
        else:
            save("match_json", halves(json.dumps(expected).encode(), text.encode()))
    for side in (expected, actual):
        body = side.get("body")
        if isinstance(body, dict):
            body = body.get("content")
        if isinstance(body, str) and body.lstrip().startswith("<"):
            xml_bodies.append(body.encode())
    rules = expected.get("matchingRules")
    if isinstance(rules, dict):
        for key in list(rules.get("body", {}).keys()) if isinstance(rules.get("body"), dict) else list(rules.keys()):
            save("path_expr", key.encode())

for i, body in enumerate(xml_bodies):
    other = xml_bodies[(i + 1) % len(xml_bodies)]
    for selector in range(8):
        save("match_xml", bytes([selector]) + halves(body, body))
        save("match_xml", bytes([selector]) + halves(body, other))

for text in ["$", "$.a.b[2][*].*", "$['x.y']['it\\'s'].@id.#text", "$['a b']", "$[\"q\"]",
             "header.X-Id", "$.items[0].price", "$['*']"]:
    save("path_expr", text.encode())
save("match_json", halves(b'{"a": [1, 2.5, "x", null, true, {"b": {}}]}', b'{"a": [1, 2.5, "y", null, false, {"b": []}]}'))
save("match_xml", b"\x00" + halves(b'<root><item id="1">a</item></root>', b'<root><item id="2">b</item><item/></root>'))
# Rules the specification's cases do not cover.
for rule in [{"match": "contentType", "value": "text/plain"}, {"match": "regex", "regex": "h.*"},
             {"match": "include", "value": "wor"}, {"match": "date", "format": "yyyy-MM-dd"}]:
    save("parse_contract", json.dumps({
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [{"description": "d", "request": {}, "response": {
            "headers": {"Content-Type": "text/plain"},
            "body": "hello world",
            "matchingRules": {"body": {"$": {"matchers": [rule]}}},
        }}],
    }).encode())
