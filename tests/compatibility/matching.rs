//! Matching steps (`V3/http_matching.feature`, `V3/matching_rules.feature`,
//! `V4/matching_rules.feature`): an expected request or response in pactum's contract model,
//! actual ones as they arrive over the wire (`Body::received` plus headers), compared with
//! `pactum::matching`.
//!
//! The suite names mismatches by the reference implementation's wording. Where pactum says the
//! same thing in other words, [`WORDING`] gives pactum's text, and the steps require exactly
//! that text at the same place: the mismatch must still be found, of the same kind, at the same
//! location, about the same values.

use std::collections::BTreeSet;
use std::sync::Mutex;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use pactum::contract::rules::MatchingRules;
use pactum::contract::{Body, Headers, Request, Response, parse_query_string};
use pactum::matching::{Mismatch, match_request, match_response};

use crate::CompatWorld;
use crate::support::{self, BodySpec};

/// The reference implementation's mismatch text → pactum's text for the same mismatch.
pub const WORDING: &[(&str, &str)] = &[
    (
        r#"Expected query parameter 'b' but was missing"#,
        r#"expected query parameter 'b' but it was missing"#,
    ),
    (
        r#"Unexpected query parameter 'c' received"#,
        r#"unexpected query parameter 'c'"#,
    ),
    (
        r#"Expected a header 'X-TEST' but was missing"#,
        r#"expected header 'X-TEST' but it was missing"#,
    ),
    (
        r#"Expected 'c' (String) to be equal to 'b' (String)"#,
        r#"expected "b" but got "c""#,
    ),
    (
        r#"Expected a body of 'application/json' but the actual content type was 'application/xml'"#,
        r#"expected a body of type 'application/json' but got 'application/xml'"#,
    ),
    (
        r#"Expected body 'Hello World!' to match 'Hello Mars!' using equality but did not match"#,
        r#"expected body 'Hello World!' but got 'Hello Mars!'"#,
    ),
    (
        r#"Expected a Map with keys [one, two] but received one with keys [one]"#,
        r#"expected key 'two' but it was missing"#,
    ),
    (
        r#"Expected child <two/> but was missing"#,
        r#"expected element <two> but it was missing"#,
    ),
    (
        r#"Actual body [image/jpeg, 30922 bytes, starting with ffd8ffe000104a46494600010101004800480000ffe100ae4578696600004949] is not equal to the expected body [image/jpeg, 28058 bytes, starting with ffd8ffe000104a46494600010101012c012c0000ffe12db64578696600004949]"#,
        r#"the binary body differs from the expected one"#,
    ),
    (
        r#"Expected form post parameter 'c' with value '3' but was '33'"#,
        r#"expected "3" but got "33""#,
    ),
    (
        r#"Expected 100 (Integer) to be the same type as 'a' (String)"#,
        r#"expected a value of the same type as "a" (string) but got 100 (integer)"#,
    ),
    (
        r#"Expected '100' (String) to be the same type as 1 (Integer)"#,
        r#"expected a value of the same type as 1 (integer) but got "100" (string)"#,
    ),
    (
        r#"Expected '9999X' to match '\d{1,4}'"#,
        r#"expected a value matching the regex '\d{1,4}' but got '9999X'"#,
    ),
    (
        r#"Expected '9999ABC' to match '\d{1,4}'"#,
        r#"expected a value matching the regex '\d{1,4}' but got '9999ABC'"#,
    ),
    (
        r#"Expected header 'content-type' to have value 'application/json;\s*charset=UTF-8' but was 'application/json'"#,
        r#"expected header 'content-type' to be 'application/json;charset=UTF-8' but got 'application/json'"#,
    ),
    (
        r#"Expected header 'content-type' to have value 'application/json;\s*charset=UTF-16' but was 'application/json;\s*charset=UTF-8'"#,
        r#"expected header 'content-type' to be 'application/json;charset=UTF-16' but got 'application/json;charset=UTF-8'"#,
    ),
    (
        r#"Expected 'Lovely' (String) to be equal to 'OK' (String)"#,
        r#"expected "OK" but got "Lovely""#,
    ),
    (
        r#"Expected 'dog' to include 'a'"#,
        r#"expected a value including 'a' but got 'dog'"#,
    ),
    (
        r#"Expected [] (size 0) to have minimum size of 1"#,
        r#"expected an array with at least 1 element but got 0"#,
    ),
    (
        r#"Expected [1, 2, 3, 4, 5] (size 5) to have maximum size of 4"#,
        r#"expected an array with at most 4 elements but got 5"#,
    ),
    (
        r#"Expected true (Boolean) to be a number"#,
        r#"expected a number but got true (boolean)"#,
    ),
    (
        r#"Expected '100X01' (String) to be a number"#,
        r#"expected a number but got "100X01" (string)"#,
    ),
    (
        r#"Expected '100' (String) to be a number"#,
        r#"expected a number but got "100" (string)"#,
    ),
    (
        r#"Expected [] (Array) to be an integer"#,
        r#"expected an integer but got [] (array)"#,
    ),
    (
        r#"Expected 100.1 (Decimal) to be an integer"#,
        r#"expected an integer but got 100.1 (decimal)"#,
    ),
    (
        r#"Expected '100X01' (String) to be an integer"#,
        r#"expected an integer but got "100X01" (string)"#,
    ),
    (
        r#"Expected '100' (String) to be an integer"#,
        r#"expected an integer but got "100" (string)"#,
    ),
    (
        r#"Expected null (Null) to be a decimal number"#,
        r#"expected a decimal number but got null (null)"#,
    ),
    (
        r#"Expected 100 (Integer) to be a decimal number"#,
        r#"expected a decimal number but got 100 (integer)"#,
    ),
    (
        r#"Expected '100X01' (String) to be a decimal number"#,
        r#"expected a decimal number but got "100X01" (string)"#,
    ),
    (
        r#"Expected '100.1234' (String) to be a decimal number"#,
        r#"expected a decimal number but got "100.1234" (string)"#,
    ),
    (
        r#"Expected '' (String) to be a null value"#,
        r#"expected null but got "" (string)"#,
    ),
    (
        r#"Expected '23/07/19' to match a date pattern of 'yyyy-MM-dd'"#,
        r#"expected a date in the format 'yyyy-MM-dd' but got '23/07/19'"#,
    ),
    (
        r#"Expected '' (String) to match a boolean"#,
        r#"expected a boolean but got "" (string)"#,
    ),
    (
        r#"Expected binary contents to have content type 'image/jpeg' but detected contents was 'application/pdf'"#,
        r#"expected content of type 'image/jpeg' but the body looks like 'application/pdf'"#,
    ),
    (
        r#"Expected status code 400 to be a Successful response (200–299)"#,
        r#"expected a success (2xx) status but got '400'"#,
    ),
    (
        r#"Expected '' (String) to not be empty"#,
        r#"expected a non-empty value but got """#,
    ),
    (
        r#"Expected [] (Array) to not be empty"#,
        r#"expected a non-empty array but got an empty one"#,
    ),
    (
        r#"Type mismatch: Expected 'b' (String) to be the same type as ["b"] (Array)"#,
        r#"expected a non-empty value of the same type as ["b"] (array) but got "b" (string)"#,
    ),
    (
        r#"Expected [] (0 bytes) to not be empty"#,
        r#"expected a body but got an empty body"#,
    ),
    (
        r#"'1.0' is not a valid semantic version"#,
        r#"expected a semantic version but got '1.0'"#,
    ),
    (
        r#"'1.0abc' is not a valid semantic version"#,
        r#"expected a semantic version but got '1.0abc'"#,
    ),
    (
        r#"Expected '100' to match '[a-z]+"#,
        r#"expected a value matching the regex '[a-z]+' but got '100'"#,
    ),
    (
        r#"Variant at index 1 ({"href":"http://api.x.io/orders/42/items","method":"DELETE","name":"delete-item","title":"Delete Item"}) was not found in the actual list"#,
        r#"expected the array to contain an element matching {"href":"http://api.x.io/orders/42/items","method":"DELETE","name":"delete-item","title":"Delete Item"}"#,
    ),
];

/// The [`WORDING`] entries a step has looked up.
static WORDING_USED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// The text pactum uses for a mismatch the suite words as `reference` (as the feature writes
/// it, quotes escaped).
pub fn pactum_wording(reference: &str) -> String {
    let reference = support::unescape(reference);
    match WORDING.iter().find(|(r, _)| *r == reference) {
        Some((r, p)) => {
            WORDING_USED.lock().unwrap().insert(r);
            p.to_string()
        }
        None => reference,
    }
}

/// [`WORDING`] entries no step looked up (after a full run: entries to remove).
pub fn unused_wording() -> Vec<&'static str> {
    let used = WORDING_USED.lock().unwrap();
    WORDING
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| !used.contains(r))
        .collect()
}

/// The mismatch kind pactum reports for the suite's mismatch type names.
pub fn kind_of(suite_type: &str) -> &'static str {
    match suite_type {
        "query" => "query",
        "header" => "header",
        "body" => "body",
        "body-content-type" => "bodyType",
        "status" => "status",
        "path" => "path",
        "method" => "method",
        "metadata" => "metadata",
        other => panic!("unknown mismatch type {other:?}"),
    }
}

/// A matching scenario.
#[derive(Default)]
pub struct MatchingState {
    /// The expected request.
    pub expected: Option<Request>,
    /// The requests received.
    pub received: Vec<Request>,
    /// The mismatches of each received request.
    pub results: Vec<Vec<Mismatch>>,
    /// The expected response.
    pub expected_response: Option<Response>,
    /// The response received.
    pub received_response: Option<Response>,
    /// The response's mismatches.
    pub response_result: Option<Vec<Mismatch>>,
}

/// A body as a contract holds it: parsed by its content type, which it declares.
fn contract_body(spec: &BodySpec, headers: &mut Headers) -> Body {
    let mut body = Body::from_bytes(&spec.bytes, Some(&spec.content_type));
    body.content_type = Some(spec.content_type.clone());
    if headers.get("content-type").is_none() {
        headers.add("Content-Type", spec.content_type.clone());
    }
    body
}

/// A body as it arrives: bytes, typed only by the `Content-Type` header.
fn wire_body(spec: &BodySpec, headers: &mut Headers) -> Body {
    if headers.get("content-type").is_none() {
        headers.add("Content-Type", spec.content_type.clone());
    }
    Body::received(&spec.bytes)
}

/// Reads a row with `body`, `content type`, `query`, `headers`, `matching rules` (and `desc`).
fn request_from_row(row: &[(String, String)], expected: bool) -> Request {
    let content_type = support::cell(row, "content type").filter(|c| !c.is_empty());
    let mut request = Request {
        method: "POST".into(),
        path: "/".into(),
        ..Request::default()
    };
    if let Some(query) = support::cell(row, "query") {
        request.query = parse_query_string(query);
    }
    if let Some(headers) = support::cell(row, "headers") {
        for (name, value) in support::headers(headers) {
            request.headers.add(&name, value);
        }
    }
    if let Some(spec) = support::cell(row, "body").and_then(|b| support::body_spec(b, content_type))
    {
        request.body = if expected {
            contract_body(&spec, &mut request.headers)
        } else {
            wire_body(&spec, &mut request.headers)
        };
    }
    if let Some(rules) = support::cell(row, "matching rules").filter(|r| !r.is_empty()) {
        request.matching_rules =
            MatchingRules::from_json(&support::json_or_fixture(rules), "$.matchingRules")
                .unwrap_or_else(|e| panic!("the suite's matching rules do not load: {e}"));
    }
    request
}

#[given(expr = "an expected request with a(n) {string} header of {string}")]
fn expected_header(world: &mut CompatWorld, name: String, value: String) {
    let mut request = Request::default();
    request.headers.add(&name, value);
    world.matching.expected = Some(request);
}

#[given(expr = "a request is received with a(n) {string} header of {string}")]
fn received_header(world: &mut CompatWorld, name: String, value: String) {
    let mut request = Request::default();
    request.headers.add(&name, value);
    world.matching.received = vec![request];
}

#[given("an expected request configured with the following:")]
fn expected_configured(world: &mut CompatWorld, step: &Step) {
    let row = support::rows(support::table(step)).remove(0);
    world.matching.expected = Some(request_from_row(&row, true));
}

#[given("a request is received with the following:")]
#[given("the following requests are received:")]
fn received_configured(world: &mut CompatWorld, step: &Step) {
    let expected = world.matching.expected.clone().unwrap_or_default();
    world.matching.received = support::rows(support::table(step))
        .iter()
        .map(|row| {
            let mut request = request_from_row(row, false);
            // What the table leaves out is as expected.
            request.method = expected.method.clone();
            request.path = expected.path.clone();
            if support::cell(row, "query").is_none() {
                request.query = expected.query.clone();
            }
            if support::cell(row, "headers").is_none() {
                for (name, values) in expected.headers.iter() {
                    if request.headers.get(name).is_none() {
                        request.headers.set(name, values.to_vec());
                    }
                }
            }
            request
        })
        .collect();
}

#[when("the request is compared to the expected one")]
#[when("the requests are compared to the expected one")]
fn compared(world: &mut CompatWorld) {
    let expected = world
        .matching
        .expected
        .as_ref()
        .expect("an expected request");
    world.matching.results = world
        .matching
        .received
        .iter()
        .map(|actual| match_request(expected, actual))
        .collect();
}

#[then("the comparison should be OK")]
fn comparison_ok(world: &mut CompatWorld) {
    for (i, mismatches) in world.matching.results.iter().enumerate() {
        assert!(
            mismatches.is_empty(),
            "request {} did not match:\n{}",
            i + 1,
            pactum::matching::render_text(mismatches)
        );
    }
    assert!(!world.matching.results.is_empty(), "nothing was compared");
}

#[then("the comparison should NOT be OK")]
fn comparison_not_ok(world: &mut CompatWorld) {
    // Every request listed is a negative example.
    for (i, mismatches) in world.matching.results.iter().enumerate() {
        assert!(!mismatches.is_empty(), "request {} matched", i + 1);
    }
    assert!(!world.matching.results.is_empty(), "nothing was compared");
}

/// `$[100]` and `$.100` both name the key `100` (the suite writes the former).
fn bracketed_digits_as_keys(path: &str) -> String {
    let pattern = regex::Regex::new(r"\[(\d+)\]").expect("a valid pattern");
    pattern.replace_all(path, ".$1").into_owned()
}

/// True when a mismatch is at the suite's path (a body path, or a header or query name).
fn at(mismatch: &Mismatch, path: &str) -> bool {
    let lower = mismatch.location.to_ascii_lowercase();
    bracketed_digits_as_keys(&mismatch.location) == bracketed_digits_as_keys(path)
        || lower == format!("header '{}'", path.to_ascii_lowercase())
        || mismatch.location == format!("query parameter '{path}'")
}

/// Finds a mismatch with `error` (pactum's wording of it) among `mismatches`.
pub fn assert_found(mismatches: &[&Mismatch], path: Option<&str>, error: &str) {
    let wanted = pactum_wording(error);
    let found = mismatches
        .iter()
        .any(|m| path.is_none_or(|p| at(m, p)) && m.message.contains(&wanted));
    assert!(
        found,
        "no mismatch{} with error {wanted:?} among:\n{}",
        path.map(|p| format!(" at {p}")).unwrap_or_default(),
        mismatches
            .iter()
            .map(|m| format!("  {} | {}", m.location, m.message))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[then(expr = "the mismatches will contain a mismatch with error {string} -> {string}")]
fn mismatch_at(world: &mut CompatWorld, path: String, error: String) {
    let all: Vec<&Mismatch> = world.matching.results.iter().flatten().collect();
    assert_found(&all, Some(&path), &error);
}

#[given("an expected response configured with the following:")]
fn expected_response(world: &mut CompatWorld, step: &Step) {
    let row = support::rows(support::table(step)).remove(0);
    let mut response = Response::default();
    if let Some(status) = support::cell(&row, "status") {
        response.status = status.parse().expect("a status");
    }
    if let Some(rules) = support::cell(&row, "matching rules") {
        response.matching_rules =
            MatchingRules::from_json(&support::json_or_fixture(rules), "$.matchingRules")
                .unwrap_or_else(|e| panic!("the suite's matching rules do not load: {e}"));
    }
    world.matching.expected_response = Some(response);
}

#[given(expr = "a status {int} response is received")]
fn response_received(world: &mut CompatWorld, status: u16) {
    world.matching.received_response = Some(Response {
        status,
        ..Response::default()
    });
}

#[when("the response is compared to the expected one")]
fn response_compared(world: &mut CompatWorld) {
    let expected = world
        .matching
        .expected_response
        .as_ref()
        .expect("an expected response");
    let actual = world
        .matching
        .received_response
        .as_ref()
        .expect("a received response");
    world.matching.response_result = Some(match_response(expected, actual));
}

fn response_mismatches(world: &CompatWorld) -> &[Mismatch] {
    world
        .matching
        .response_result
        .as_deref()
        .expect("the response was compared")
}

#[then("the response comparison should be OK")]
fn response_ok(world: &mut CompatWorld) {
    let mismatches = response_mismatches(world);
    assert!(
        mismatches.is_empty(),
        "{}",
        pactum::matching::render_text(mismatches)
    );
}

#[then("the response comparison should NOT be OK")]
fn response_not_ok(world: &mut CompatWorld) {
    assert!(
        !response_mismatches(world).is_empty(),
        "the response matched"
    );
}

#[then(expr = "the response mismatches will contain a {string} mismatch with error {string}")]
fn response_mismatch(world: &mut CompatWorld, kind: String, error: String) {
    let want = kind_of(&kind);
    let of_kind: Vec<&Mismatch> = response_mismatches(world)
        .iter()
        .filter(|m| serde_json::to_value(m.kind).ok() == Some(serde_json::json!(want)))
        .collect();
    assert_found(&of_kind, None, &error);
}
