//! XML bodies: the first byte picks a set of matching rules, the rest is split in two halves,
//! the expected and the actual body, both with `Content-Type: application/xml`. Matching
//! (lenient and strict) must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactum::contract::{Body, Headers, MatchingRules, Request, Response};
use pactum::matching::{match_request, match_response};

/// Rule sets covering the XML walker's rule-dependent paths.
const RULES: &[&str] = &[
    r#"{}"#,
    r#"{"body": {"$.root": {"matchers": [{"match": "type"}]}}}"#,
    r#"{"body": {"$.root.item": {"matchers": [{"match": "type", "min": 1, "max": 3}]}}}"#,
    r#"{"body": {"$.root.item['#text']": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}}"#,
    r#"{"body": {"$.root.item.@id": {"matchers": [{"match": "integer"}]}}}"#,
    r#"{"body": {"$.root[*].item": {"matchers": [{"match": "type"}]}, "$.root.item.name": {"matchers": [{"match": "equality"}]}}}"#,
    r#"{"body": {"$.*": {"matchers": [{"match": "type"}]}, "$.root.*.@id": {"matchers": [{"match": "include", "value": "a"}]}}}"#,
    r#"{"body": {"$['ns:root']": {"matchers": [{"match": "type", "min": 0}]}, "$.a.b": {"matchers": [{"match": "notEmpty"}], "combine": "OR"}}}"#,
];

fn xml_headers() -> Headers {
    let mut headers = Headers::new();
    headers.add("Content-Type", "application/xml");
    headers
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (expected, actual) = rest.split_at(rest.len() / 2);
    let rules =
        pactum::contract::parse_json_bytes(RULES[selector as usize % RULES.len()].as_bytes())
            .map(|v| MatchingRules::from_json(&v, "$").expect("the rule sets are valid"))
            .expect("the rule sets are JSON");
    let response = |bytes: &[u8], rules: MatchingRules| Response {
        headers: xml_headers(),
        body: Body::received(bytes),
        matching_rules: rules,
        ..Response::default()
    };
    let _ = match_response(
        &response(expected, rules.clone()),
        &response(actual, MatchingRules::default()),
    );
    let request = |bytes: &[u8], rules: MatchingRules| Request {
        headers: xml_headers(),
        body: Body::received(bytes),
        matching_rules: rules,
        ..Request::default()
    };
    let _ = match_request(
        &request(expected, rules),
        &request(actual, MatchingRules::default()),
    );
});
