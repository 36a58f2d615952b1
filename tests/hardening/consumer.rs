//! The mock server and the stub keep bounded state for requests nothing matches, echo bounded
//! text, and never allow credentials to an echoed origin.

use std::net::SocketAddr;

use pactum::consumer::*;
use pactum::contract::Pact;
use serde_json::json;

use crate::support::{ScratchDir, ServerThread, http, runtime};

fn mock(dir: &ScratchDir) -> MockServer {
    let mut pact = PactBuilder::new("hardening-consumer", "hardening-provider")
        .cors(true)
        .output_dir(dir.to_path_buf());
    pact.interaction("a list", |i| {
        i.with_request(|r| r.get("/list"))
            .will_respond_with(|r| r.json_body(json!([])))
    })
    .unwrap();
    pact.start_mock_server().unwrap()
}

#[test]
fn the_mock_server_keeps_the_first_unexpected_requests_and_counts_the_rest() {
    let dir = ScratchDir::new("pacts");
    let server = mock(&dir);
    let long_path = format!("/{}", "x".repeat(8 * 1024));
    for _ in 0..100 {
        let response = http().get(server.path(&long_path)).send().unwrap();
        assert_eq!(response.status(), 500);
        // The answer repeats the request only shortened.
        let answer: serde_json::Value = response.json().unwrap();
        let echoed = answer["request"]["path"].as_str().unwrap();
        assert!(echoed.ends_with("(8193 bytes in all)"), "{echoed:.100}");
    }
    http().get(server.path("/list")).send().unwrap();
    let error = server.finish().unwrap_err();
    let report = error.to_string();
    assert_eq!(
        report.matches("unexpected request:").count(),
        20,
        "{report}"
    );
    assert!(
        report.contains("... and 80 more unexpected requests"),
        "{report}"
    );
}

#[test]
fn a_consumer_error_debug_prints_the_readable_report() {
    let dir = ScratchDir::new("pacts");
    let server = mock(&dir);
    http().get(server.path("/nope")).send().unwrap();
    let error = server.finish().unwrap_err();
    let debug = format!("{error:?}");
    assert_eq!(debug, error.to_string());
    assert!(debug.contains("never received: 'a list'"), "{debug}");
    assert!(!debug.contains("MockServerReport {"), "{debug}");
}

#[test]
fn cors_answers_echo_the_origin_without_allowing_credentials() {
    let dir = ScratchDir::new("pacts");
    let server = mock(&dir);
    let preflight = http()
        .request(reqwest::Method::OPTIONS, server.path("/list"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .unwrap();
    let response = http()
        .get(server.path("/list"))
        .header("Origin", "https://evil.example")
        .send()
        .unwrap();
    for answer in [&preflight, &response] {
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            "https://evil.example"
        );
        assert!(
            answer
                .headers()
                .get("access-control-allow-credentials")
                .is_none(),
            "{:?}",
            answer.headers()
        );
    }
    server.finish().unwrap();
}

/// A stub serving `count` interactions `GET /items/{i}` on 127.0.0.1, until dropped.
fn stub(count: usize) -> (SocketAddr, ServerThread) {
    let interactions: Vec<_> = (0..count)
        .map(|i| {
            json!({
                "description": format!("item {i}"),
                "request": {"method": "GET", "path": format!("/items/{i}")},
                "response": {"status": 200, "body": {"id": i}},
            })
        })
        .collect();
    stub_of(interactions)
}

fn stub_of(interactions: Vec<serde_json::Value>) -> (SocketAddr, ServerThread) {
    let pact = Pact::from_json(&json!({
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }))
    .unwrap();
    let selected = pactum::stub::select([("memory".to_owned(), pact)], None).unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let server = ServerThread::spawn(move |stop| {
        runtime()
            .block_on(pactum::stub::serve(
                selected,
                "127.0.0.1:0".parse().unwrap(),
                false,
                pactum::stub::Limits::default(),
                |addr| ready_tx.send(addr).unwrap(),
                async {
                    let _ = stop.await;
                },
            ))
            .unwrap();
    });
    (ready_rx.recv().unwrap(), server)
}

#[test]
fn the_stub_explains_a_miss_with_a_bounded_answer() {
    let (addr, _server) = stub(20_000);
    let body = "y".repeat(1 << 20);
    let response = http()
        .post(format!("http://{addr}/items/7"))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    let answer: serde_json::Value = response.json().unwrap();
    let closest = answer["closest"].as_array().unwrap();
    assert!(!closest.is_empty() && closest.len() <= 3, "{answer}");
    let echoed = answer["request"]["body"].as_str().unwrap();
    assert!(echoed.len() < 4096, "echoed {} bytes", echoed.len());
    assert!(echoed.ends_with("(1048576 bytes in all)"), "{echoed:.100}");
}

/// A `MockServerURL` generator makes a URL on the mock server whatever its regex picks out of the
/// example: a part like `@elsewhere/x` or `:19401/x` becomes a path, not the host or port.
#[test]
fn generated_mock_server_urls_stay_on_the_mock_server() {
    let dir = ScratchDir::new("pacts");
    let mut pact = PactBuilder::new("url-consumer", "url-provider").output_dir(dir.to_path_buf());
    pact.interaction("links", |i| {
        i.with_request(|r| r.get("/links")).will_respond_with(|r| {
            r.json_body(pattern!({
                "userinfo": mock_server_url("^http://x(.*)$", "http://x@evil.example/steal"),
                "port": mock_server_url("^http://x(.*)$", "http://x:19401/steal"),
                "relative": mock_server_url("^http://x/(.*)$", "http://x/items/1"),
            }))
        })
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let answer: serde_json::Value = http()
        .get(server.path("/links"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let base = reqwest::Url::parse(server.url()).unwrap();
    for (key, path) in [
        ("userinfo", "/@evil.example/steal"),
        ("port", "/:19401/steal"),
        ("relative", "/items/1"),
    ] {
        let generated = reqwest::Url::parse(answer[key].as_str().unwrap()).unwrap();
        assert_eq!(generated.origin(), base.origin(), "{key}: {generated}");
        assert_eq!(generated.username(), "", "{key}: {generated}");
        assert_eq!(generated.path(), path, "{key}: {generated}");
    }
    server.finish().unwrap();
}

/// 500 generators of 1 MiB each (each within the per-generator limit) would make every answer
/// 500 MiB; the generated body is capped as a whole, and the stub answers with the contract's
/// own example instead.
#[test]
fn the_stub_caps_a_generated_response_as_a_whole() {
    let fields = 500;
    let body: serde_json::Map<String, serde_json::Value> =
        (0..fields).map(|i| (format!("f{i}"), json!("x"))).collect();
    let generators: serde_json::Map<String, serde_json::Value> = (0..fields)
        .map(|i| {
            (
                format!("$.f{i}"),
                json!({"type": "RandomString", "size": pactum::contract::generators::MAX_GENERATED_LEN}),
            )
        })
        .collect();
    let (addr, _server) = stub_of(vec![json!({
        "description": "a huge generated answer",
        "request": {"method": "GET", "path": "/huge"},
        "response": {"status": 200, "body": body, "generators": {"body": generators}},
    })]);
    let response = http().get(format!("http://{addr}/huge")).send().unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().unwrap();
    assert_eq!(answer["f0"], "x", "the example, not generated values");
    assert_eq!(answer.as_object().unwrap().len(), fields);
}
