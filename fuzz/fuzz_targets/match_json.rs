//! The first half of the input is the expected side, as JSON: read as a V4 response (body,
//! headers and matching rules) when it is one, and in any case used as a JSON body by itself.
//! The second half is an actual body as received over the wire with `Content-Type:
//! application/json`. Matching (lenient and strict) must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactum::contract::{Body, Headers, Request, Response, SpecVersion, parse_json_bytes};
use pactum::matching::{match_request, match_response};

fn json_headers() -> Headers {
    let mut headers = Headers::new();
    headers.add("Content-Type", "application/json");
    headers
}

fn check(expected: &Response, received: &Body) {
    let actual = Response {
        headers: json_headers(),
        body: received.clone(),
        ..Response::default()
    };
    let _ = match_response(expected, &actual);
    let expected = Request {
        headers: expected.headers.clone(),
        body: expected.body.clone(),
        matching_rules: expected.matching_rules.clone(),
        ..Request::default()
    };
    let actual = Request {
        headers: json_headers(),
        body: received.clone(),
        ..Request::default()
    };
    let _ = match_request(&expected, &actual);
}

fuzz_target!(|data: &[u8]| {
    let (expected, actual) = data.split_at(data.len() / 2);
    let Ok(value) = parse_json_bytes(expected) else {
        return;
    };
    let received = Body::received(actual);
    if let Ok(response) = Response::from_json(&value, SpecVersion::V4, "$") {
        check(&response, &received);
    }
    let body_only = Response {
        headers: json_headers(),
        body: Body::json(value),
        ..Response::default()
    };
    check(&body_only, &received);
});
