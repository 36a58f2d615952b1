//! Every matcher, in both directions, beyond what the specification's cases cover (they only
//! exercise `type` and `regex`). Each row: a rule, an example, an actual value, and whether it
//! must match.

use pactum::contract::{Message, Request, Response, SpecVersion};
use pactum::matching::{Mismatch, match_message, match_request, match_response};
use serde_json::{Value, json};

/// Matches a response whose body is `{"v": example}` with `rule` on `$.v` against `{"v": actual}`.
fn check_body(rule: Value, example: Value, actual: Value) -> Vec<Mismatch> {
    let expected = Response::from_json(
        &json!({"status": 200, "body": {"v": example}, "matchingRules": {"body": {"$.v": {"matchers": [rule]}}}}),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let actual = Response::from_json(
        &json!({"status": 200, "body": {"v": actual}}),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    match_response(&expected, &actual)
}

fn check(rule: Value, example: Value, actual: Value, should_match: bool) {
    let mismatches = check_body(rule.clone(), example.clone(), actual.clone());
    assert_eq!(
        mismatches.is_empty(),
        should_match,
        "rule {rule}, example {example}, actual {actual}: {mismatches:?}"
    );
    if !should_match {
        let m = &mismatches[0];
        assert!(m.location.starts_with("$.v"), "{m:?}");
        // Failures at the rule's own location name the rule; deeper ones may be plain equality.
        assert!(
            m.location != "$.v" || m.rule.is_some(),
            "a rule failure names its rule: {m:?}"
        );
        assert!(!m.message.is_empty());
    }
}

#[test]
fn scalar_matchers_both_directions() {
    let rows = [
        (json!({"match": "equality"}), json!("a"), json!("a"), true),
        (json!({"match": "equality"}), json!("a"), json!("b"), false),
        (json!({"match": "equality"}), json!(1), json!(1.0), true),
        (
            json!({"match": "regex", "regex": "\\d{3}"}),
            json!("123"),
            json!("456"),
            true,
        ),
        (
            json!({"match": "regex", "regex": "\\d{3}"}),
            json!("123"),
            json!("4567"),
            false,
        ),
        (
            json!({"match": "regex", "regex": "\\d+"}),
            json!("1"),
            json!(42),
            true,
        ),
        (
            json!({"match": "regex", "regex": "\\d+"}),
            json!("1"),
            json!(null),
            false,
        ),
        (json!({"match": "type"}), json!("x"), json!("y"), true),
        (json!({"match": "type"}), json!("x"), json!(1), false),
        (json!({"match": "type"}), json!(1), json!(2.5), true),
        (
            json!({"match": "include", "value": "ell"}),
            json!("hello"),
            json!("yellow"),
            true,
        ),
        (
            json!({"match": "include", "value": "ell"}),
            json!("hello"),
            json!("help"),
            false,
        ),
        (json!({"match": "integer"}), json!(1), json!(-7), true),
        (json!({"match": "integer"}), json!(1), json!(1.5), false),
        (json!({"match": "integer"}), json!(1), json!("1"), false),
        (json!({"match": "decimal"}), json!(1.5), json!(2.25), true),
        (json!({"match": "decimal"}), json!(1.5), json!(2), false),
        (json!({"match": "number"}), json!(1), json!(2.5), true),
        (json!({"match": "number"}), json!(1), json!("2.5"), false),
        (json!({"match": "boolean"}), json!(true), json!(false), true),
        (json!({"match": "boolean"}), json!(true), json!(0), false),
        (json!({"match": "null"}), json!(null), json!(null), true),
        (json!({"match": "null"}), json!(null), json!(""), false),
        (
            json!({"match": "date", "format": "yyyy-MM-dd"}),
            json!("2024-01-01"),
            json!("2024-02-29"),
            true,
        ),
        (
            json!({"match": "date", "format": "yyyy-MM-dd"}),
            json!("2024-01-01"),
            json!("2023-02-29"),
            false,
        ),
        (
            json!({"match": "date"}),
            json!("2024-01-01"),
            json!("2030-12-31"),
            true,
        ),
        (
            json!({"match": "date"}),
            json!("2024-01-01"),
            json!("31/12/2030"),
            false,
        ),
        (
            json!({"match": "time", "format": "HH:mm"}),
            json!("10:00"),
            json!("23:59"),
            true,
        ),
        (
            json!({"match": "time", "format": "HH:mm"}),
            json!("10:00"),
            json!("24:00"),
            false,
        ),
        (
            json!({"match": "time"}),
            json!("10:00:00"),
            json!("12:30:15"),
            true,
        ),
        (
            json!({"match": "time"}),
            json!("10:00:00"),
            json!("noon"),
            false,
        ),
        (
            json!({"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}),
            json!("2024-01-01T10:00:00.000Z"),
            json!("2025-06-30T08:15:30.123+02:00"),
            true,
        ),
        (
            json!({"match": "timestamp", "timestamp": "yyyy-MM-dd HH:mm:ss"}),
            json!("2024-01-01 10:00:00"),
            json!("2024-01-01T10:00:00"),
            false,
        ),
        (
            json!({"match": "datetime"}),
            json!("2024-01-01T10:00:00Z"),
            json!("2024-01-01T10:00:00+01:00"),
            true,
        ),
        (
            json!({"match": "datetime"}),
            json!("2024-01-01T10:00:00Z"),
            json!("yesterday"),
            false,
        ),
        (
            json!({"match": "semver"}),
            json!("1.0.0"),
            json!("2.10.3-beta.1"),
            true,
        ),
        (
            json!({"match": "semver"}),
            json!("1.0.0"),
            json!("2.10"),
            false,
        ),
        (json!({"match": "notEmpty"}), json!("x"), json!("y"), true),
        (json!({"match": "notEmpty"}), json!("x"), json!(""), false),
        (json!({"match": "notEmpty"}), json!([1]), json!([]), false),
        (
            json!({"match": "statusCode", "status": "success"}),
            json!(200),
            json!(204),
            true,
        ),
        (
            json!({"match": "statusCode", "status": "success"}),
            json!(200),
            json!(404),
            false,
        ),
        (
            json!({"match": "statusCode", "status": [200, 202]}),
            json!(200),
            json!(202),
            true,
        ),
    ];
    for (rule, example, actual, ok) in rows {
        check(rule, example, actual, ok);
    }
}

#[test]
fn container_matchers_both_directions() {
    let rows = [
        (
            json!({"match": "type", "min": 1}),
            json!([1]),
            json!([1, 2, 3]),
            true,
        ),
        (
            json!({"match": "type", "min": 1}),
            json!([1]),
            json!([]),
            false,
        ),
        (
            json!({"match": "type", "max": 2}),
            json!([1]),
            json!([1, 2, 3]),
            false,
        ),
        (
            json!({"match": "type", "min": 1, "max": 3}),
            json!(["a"]),
            json!(["b", "c"]),
            true,
        ),
        (
            json!({"match": "type", "min": 1}),
            json!(["a"]),
            json!(["b", 2]),
            false,
        ),
        (
            json!({"match": "values"}),
            json!({"a": 1}),
            json!({"x": 1, "y": 1}),
            true,
        ),
        (
            json!({"match": "values"}),
            json!({"a": 1}),
            json!({"x": 1, "y": 2}),
            false,
        ),
        (
            json!({"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!({"a": 1}),
            json!({"abc": 1, "def": 2}),
            true,
        ),
        (
            json!({"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!({"a": 1}),
            json!({"abc": 1, "D3": 2}),
            false,
        ),
        (
            json!({"match": "eachValue", "rules": [{"match": "integer"}]}),
            json!({"a": 1}),
            json!({"x": 5, "y": 6}),
            true,
        ),
        (
            json!({"match": "eachValue", "rules": [{"match": "integer"}]}),
            json!({"a": 1}),
            json!({"x": 5, "y": "6"}),
            false,
        ),
        (
            json!({"match": "eachValue", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!(["a"]),
            json!(["b", "cd"]),
            true,
        ),
        (
            json!({"match": "eachValue", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!(["a"]),
            json!(["b", "CD"]),
            false,
        ),
        (
            json!({"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}}]}),
            json!([{"id": 1, "type": "a"}]),
            json!([{"id": "x", "type": "b"}, {"id": 99, "type": "a"}]),
            true,
        ),
        (
            json!({"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}}]}),
            json!([{"id": 1, "type": "a"}]),
            json!([{"id": "x", "type": "a"}]),
            false,
        ),
        (
            json!({"match": "notEmpty"}),
            json!({"a": 1}),
            json!({}),
            false,
        ),
    ];
    for (rule, example, actual, ok) in rows {
        check(rule, example, actual, ok);
    }
}

#[test]
fn combined_rules_and_or() {
    let or = json!({"status": 200, "body": {"v": 1}, "matchingRules": {"body": {"$.v": {"combine": "OR", "matchers": [{"match": "integer"}, {"match": "null"}]}}}});
    let and = json!({"status": 200, "body": {"v": "ab"}, "matchingRules": {"body": {"$.v": {"combine": "AND", "matchers": [{"match": "regex", "regex": "[a-z]+"}, {"match": "include", "value": "b"}]}}}});
    let rows = [
        (&or, json!(null), true),
        (&or, json!(3), true),
        (&or, json!("3"), false),
        (&and, json!("xbz"), true),
        (&and, json!("xyz"), false),
        (&and, json!("Xb"), false),
    ];
    for (expected, v, ok) in rows {
        let expected = Response::from_json(expected, SpecVersion::V3, "$").unwrap();
        let actual = Response::from_json(
            &json!({"status": 200, "body": {"v": v}}),
            SpecVersion::V3,
            "$",
        )
        .unwrap();
        assert_eq!(match_response(&expected, &actual).is_empty(), ok, "{v}");
    }
}

#[test]
fn most_specific_path_wins() {
    let expected = Response::from_json(
        &json!({
            "status": 200,
            "body": {"items": [{"id": 1, "code": "A1"}]},
            "matchingRules": {"body": {
                "$.items": {"matchers": [{"match": "type", "min": 1}]},
                "$.items[*].id": {"matchers": [{"match": "integer"}]},
                "$.items[1].code": {"matchers": [{"match": "regex", "regex": "B\\d"}]},
                "$['items'][*].code": {"matchers": [{"match": "regex", "regex": "[A-Z]\\d"}]}
            }}
        }),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let actual = |items: Value| {
        Response::from_json(
            &json!({"status": 200, "body": {"items": items}}),
            SpecVersion::V3,
            "$",
        )
        .unwrap()
    };
    assert!(
        match_response(
            &expected,
            &actual(json!([{"id": 5, "code": "C3"}, {"id": 6, "code": "B7"}]))
        )
        .is_empty()
    );
    let m = match_response(
        &expected,
        &actual(json!([{"id": 5, "code": "C3"}, {"id": 6, "code": "C7"}])),
    );
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].location, "$.items[1].code");
}

#[test]
fn http_parts_with_rules() {
    let expected = Request::from_json(
        &json!({
            "method": "GET",
            "path": "/items/10",
            "query": {"page": ["1"], "ids": ["1", "2"]},
            "headers": {"X-Request-Id": "abc-123", "Accept": "application/json"},
            "matchingRules": {
                "path": {"matchers": [{"match": "regex", "regex": "/items/\\d+"}]},
                "query": {"page": {"matchers": [{"match": "integer"}]}, "ids": {"matchers": [{"match": "type", "min": 1}]}},
                "header": {"X-Request-Id": {"matchers": [{"match": "regex", "regex": "[a-z]+-\\d+"}]}}
            }
        }),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let actual = |path: &str, query: Value, headers: Value| {
        Request::from_json(
            &json!({"method": "get", "path": path, "query": query, "headers": headers}),
            SpecVersion::V3,
            "$",
        )
        .unwrap()
    };
    let good = actual(
        "/items/99",
        json!({"page": ["3"], "ids": ["7", "8", "9"]}),
        json!({"x-request-id": "xyz-9", "accept": "application/json"}),
    );
    assert!(
        match_request(&expected, &good).is_empty(),
        "{:?}",
        match_request(&expected, &good)
    );

    let rows: [(Request, &str); 5] = [
        (
            actual(
                "/items/abc",
                json!({"page": ["3"], "ids": ["7"]}),
                json!({"X-Request-Id": "a-1", "Accept": "application/json"}),
            ),
            "path",
        ),
        (
            actual(
                "/items/1",
                json!({"page": ["x"], "ids": ["7"]}),
                json!({"X-Request-Id": "a-1", "Accept": "application/json"}),
            ),
            "query parameter 'page'",
        ),
        (
            actual(
                "/items/1",
                json!({"page": ["1"], "ids": []}),
                json!({"X-Request-Id": "a-1", "Accept": "application/json"}),
            ),
            "query parameter 'ids'",
        ),
        (
            actual(
                "/items/1",
                json!({"page": ["1"], "ids": ["1"], "debug": ["1"]}),
                json!({"X-Request-Id": "a-1", "Accept": "application/json"}),
            ),
            "query parameter 'debug'",
        ),
        (
            actual(
                "/items/1",
                json!({"page": ["1"], "ids": ["1"]}),
                json!({"X-Request-Id": "NOPE", "Accept": "application/json"}),
            ),
            "header 'X-Request-Id'",
        ),
    ];
    for (request, location) in rows {
        let m = match_request(&expected, &request);
        assert_eq!(m.len(), 1, "{location}: {m:?}");
        assert_eq!(m[0].location, location);
    }
}

#[test]
fn status_code_classes() {
    let expected = Response::from_json(
        &json!({"status": 200, "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": "success"}]}}}),
        SpecVersion::V4,
        "$",
    )
    .unwrap();
    for (status, ok) in [
        (200, true),
        (201, true),
        (299, true),
        (301, false),
        (500, false),
    ] {
        let actual = Response::from_json(&json!({"status": status}), SpecVersion::V4, "$").unwrap();
        assert_eq!(
            match_response(&expected, &actual).is_empty(),
            ok,
            "{status}"
        );
    }
}

#[test]
fn content_type_matcher_checks_the_bytes() {
    // A 1x1 PNG, base64.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let expected = Response::from_json(
        &json!({"status": 200, "headers": {"Content-Type": ["image/png"]},
            "body": {"content": png, "contentType": "image/png", "encoded": "base64"},
            "matchingRules": {"body": {"$": {"matchers": [{"match": "contentType", "value": "image/png"}]}}}}),
        SpecVersion::V4,
        "$",
    )
    .unwrap();
    let actual = |content: &str| {
        Response::from_json(
            &json!({"status": 200, "headers": {"Content-Type": ["image/png"]}, "body": {"content": content, "contentType": "image/png", "encoded": "base64"}}),
            SpecVersion::V4,
            "$",
        )
        .unwrap()
    };
    assert!(match_response(&expected, &actual(png)).is_empty());
    let m = match_response(&expected, &actual("JVBERi0xLjQK")); // "%PDF-1.4"
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("application/pdf"), "{}", m[0].message);
}

#[test]
fn message_contents_and_metadata() {
    let expected = Message::from_json(
        &json!({
            "contents": {"content": {"orderId": 1, "status": "NEW"}, "contentType": "application/json", "encoded": false},
            "metadata": {"contentType": "application/json", "topic": "orders", "partition": 3},
            "matchingRules": {
                "body": {"$.orderId": {"matchers": [{"match": "integer"}]}},
                "metadata": {"topic": {"matchers": [{"match": "regex", "regex": "orders(-\\w+)?"}]}}
            }
        }),
        SpecVersion::V4,
        "$",
    )
    .unwrap();
    let actual = |contents: Value, metadata: Value| {
        Message::from_json(&json!({"contents": {"content": contents, "contentType": "application/json"}, "metadata": metadata}), SpecVersion::V4, "$").unwrap()
    };
    let good = actual(
        json!({"orderId": 77, "status": "NEW", "extra": true}),
        json!({"contentType": "application/json", "topic": "orders-eu", "partition": "3"}),
    );
    assert!(
        match_message(&expected, &good).is_empty(),
        "{:?}",
        match_message(&expected, &good)
    );
    let bad = actual(
        json!({"orderId": "77", "status": "NEW"}),
        json!({"contentType": "application/json", "topic": "payments"}),
    );
    let m = match_message(&expected, &bad);
    let locations: Vec<&str> = m.iter().map(|m| m.location.as_str()).collect();
    assert_eq!(
        locations,
        ["$.orderId", "metadata 'partition'", "metadata 'topic'"],
        "{m:?}"
    );
}

#[test]
fn body_presence_and_type() {
    let with_body = |body: Value, ct: &str| {
        Response::from_json(
            &json!({"status": 200, "headers": {"Content-Type": ct}, "body": body}),
            SpecVersion::V3,
            "$",
        )
        .unwrap()
    };
    let expected = with_body(json!({"a": 1}), "application/json");
    let no_body = Response::from_json(
        &json!({"status": 200, "headers": {"Content-Type": "application/json"}}),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    assert_eq!(
        match_response(&expected, &no_body)[0].message,
        "expected a body but got no body"
    );
    let xml = with_body(json!("<a>1</a>"), "application/xml");
    let kinds: Vec<_> = match_response(&expected, &xml)
        .iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            pactum::matching::MismatchKind::Header,
            pactum::matching::MismatchKind::BodyType
        ]
    );
    let broken = with_body(json!("{not json"), "application/json");
    assert!(
        match_response(&expected, &broken)[0]
            .message
            .contains("does not parse")
    );
}

#[test]
fn form_bodies_compare_by_field() {
    let expected = Request::from_json(
        &json!({"method": "POST", "path": "/", "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": "name=Ann&age=30",
            "matchingRules": {"body": {"$.age": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}}}),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let actual = |body: &str| {
        Request::from_json(
            &json!({"method": "POST", "path": "/", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": body}),
            SpecVersion::V3,
            "$",
        )
        .unwrap()
    };
    assert!(match_request(&expected, &actual("age=41&name=Ann")).is_empty());
    assert_eq!(
        match_request(&expected, &actual("age=old&name=Ann")).len(),
        1
    );
    assert_eq!(
        match_request(&expected, &actual("age=41&name=Bob")).len(),
        1
    );
}

#[test]
fn not_empty_requires_the_examples_type() {
    let not_empty = json!({"match": "notEmpty"});
    check(not_empty.clone(), json!(["b"]), json!(["c", "d"]), true);
    check(not_empty.clone(), json!(["b"]), json!("b"), false);
    check(not_empty.clone(), json!("a"), json!("x"), true);
    check(not_empty.clone(), json!("a"), json!(5), false);
    check(not_empty.clone(), json!({"k": 1}), json!(["k"]), false);
    check(not_empty, json!("a"), json!(""), false);
    let m = check_body(json!({"match": "notEmpty"}), json!(["b"]), json!("b"));
    assert!(
        m[0].message.contains("same type as [\"b\"] (array)"),
        "{}",
        m[0].message
    );
}

#[test]
fn header_rules_apply_to_each_value_of_a_repeated_header() {
    let expected = Response::from_json(
        &json!({"status": 200, "headers": {"X-Test": ["1"]},
            "matchingRules": {"header": {"X-Test": {"matchers": [{"match": "regex", "regex": "\\d{1,4}"}]}}}}),
        SpecVersion::V4,
        "$",
    )
    .unwrap();
    let actual = |values: Value| {
        Response::from_json(
            &json!({"status": 200, "headers": {"X-Test": values}}),
            SpecVersion::V4,
            "$",
        )
        .unwrap()
    };
    let good = match_response(&expected, &actual(json!(["1000", "1234", "9999"])));
    assert!(good.is_empty(), "{good:?}");
    let bad = match_response(&expected, &actual(json!(["1000", "12AB"])));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].actual.as_deref(), Some("12AB"), "{bad:?}");
    assert_eq!(bad[0].location, "header 'X-Test'");
}

#[test]
fn not_empty_or_type_on_a_whole_binary_body_accepts_other_bytes() {
    // A 1x1 PNG and the start of a PDF, base64.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let other = "JVBERi0xLjQK";
    let body = |content: &str| json!({"content": content, "contentType": "image/png", "encoded": "base64"});
    let expected = |rule: Option<Value>| {
        let mut json =
            json!({"status": 200, "headers": {"Content-Type": ["image/png"]}, "body": body(png)});
        if let Some(rule) = rule {
            json["matchingRules"] = json!({"body": {"$": {"matchers": [rule]}}});
        }
        Response::from_json(&json, SpecVersion::V4, "$").unwrap()
    };
    let actual = |content: &str| {
        Response::from_json(
            &json!({"status": 200, "headers": {"Content-Type": ["image/png"]}, "body": body(content)}),
            SpecVersion::V4,
            "$",
        )
        .unwrap()
    };
    for rule in [json!({"match": "notEmpty"}), json!({"match": "type"})] {
        let m = match_response(&expected(Some(rule.clone())), &actual(other));
        assert!(m.is_empty(), "{rule}: {m:?}");
        let empty = match_response(&expected(Some(rule.clone())), &actual(""));
        assert_eq!(empty.len(), 1, "{rule}: an empty body is still a mismatch");
    }
    // Without a rule the bytes must be equal.
    assert_eq!(match_response(&expected(None), &actual(other)).len(), 1);
    assert!(match_response(&expected(None), &actual(png)).is_empty());
}
