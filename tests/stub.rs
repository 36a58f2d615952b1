//! `pactum stub` as a user runs it: the real binary on a free port, real HTTP requests.

use serde_json::Value;

use crate::support::{
    ScratchDir, Served, http, pactum, repo_path, serve_pactum, snapshot_filters, stderr,
};

/// Starts `pactum stub` with `args` on a free port.
pub fn start(args: &[&str]) -> Served {
    serve_pactum(&[&["stub", "--port", "0"], args].concat())
}

fn get(url: &str) -> reqwest::blocking::Response {
    http()
        .get(url)
        .header("Accept", "application/json")
        .send()
        .unwrap()
}

#[test]
fn serves_responses_with_generators_applied() {
    let stub = start(&["--contract", "contracts/examples/v4-mixed.json"]);
    let response = get(&format!("{}/accounts/7?fields=id&fields=name", stub.url));
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().unwrap();
    assert_eq!(body["name"], "Ada");
    let id = body["id"].as_i64().unwrap();
    assert!(
        (1..=1000).contains(&id),
        "RandomInt generator applied: {id}"
    );
}

#[test]
fn unmatched_requests_get_a_404_naming_the_closest_interaction() {
    let stub = start(&["--contract", "contracts/examples/v4-mixed.json"]);
    let response = get(&format!("{}/accounts/8?fields=id&fields=name", stub.url));
    assert_eq!(response.status(), 404);
    let body: Value = response.json().unwrap();
    assert_eq!(body["closest"][0]["interaction"], "a request for account 7");
    assert_eq!(body["closest"][0]["mismatches"][0]["location"], "path");
}

#[test]
fn serves_every_contract_in_a_directory_and_filters_by_state() {
    let stub = start(&["--contract", "contracts/examples"]);
    assert_eq!(
        get(&format!("{}/products?q=widget&page=1", stub.url)).status(),
        200
    );
    assert_eq!(
        get(&format!("{}/accounts/7?fields=id&fields=name", stub.url)).status(),
        200
    );

    let filtered = start(&[
        "--contract",
        "contracts/examples",
        "--state",
        "widgets exist",
    ]);
    assert_eq!(
        get(&format!("{}/products?q=widget&page=1", filtered.url)).status(),
        200
    );
    assert_eq!(
        get(&format!(
            "{}/accounts/7?fields=id&fields=name",
            filtered.url
        ))
        .status(),
        404
    );
}

#[test]
fn cors_on_request() {
    let stub = start(&["--contract", "contracts/examples/v2-http.json", "--cors"]);
    let preflight = http()
        .request(reqwest::Method::OPTIONS, format!("{}/products", stub.url))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
}

#[test]
fn loads_contracts_from_urls() {
    // One stub serves a contract file as the body of a response; a second loads it by URL.
    let dir = ScratchDir::new("stub-url");
    let contract = std::fs::read_to_string(repo_path("contracts/examples/v2-http.json")).unwrap();
    let serving = serde_json::json!({
        "consumer": {"name": "x"}, "provider": {"name": "files"},
        "interactions": [{"description": "the contract", "request": {"method": "GET", "path": "/pact.json"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": serde_json::from_str::<Value>(&contract).unwrap()}}]
    });
    let file = dir.write("serving.json", serving.to_string());
    let files = start(&["--contract", file.to_str().unwrap()]);
    let stub = start(&["--contract", &format!("{}/pact.json", files.url)]);
    assert_eq!(
        get(&format!("{}/products?q=widget&page=1", stub.url)).status(),
        200
    );
}

#[test]
fn bad_contracts_exit_two_with_a_precise_message() {
    let dir = ScratchDir::new("stub-bad");
    let invalid_json = dir.write(
        "invalid.json",
        "{\"consumer\": {\"name\": \"c\"},\n  \"provider\": ",
    );
    let bad_rule = dir.write(
        "bad-rule.json",
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d",
            "request": {"method": "GET", "path": "/", "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "["}]}}},
            "response": {"status": 200}}]}"#,
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let cases = [
        (
            invalid_json.to_str().unwrap(),
            "invalid.json:2:",
            "stub_error_invalid_json",
        ),
        (
            bad_rule.to_str().unwrap(),
            "$.interactions[0].request.matchingRules.path.matchers[0].regex: invalid regular expression '['",
            "stub_error_invalid_regex",
        ),
        (
            "no/such/file.json",
            "cannot read no/such/file.json",
            "stub_error_missing_file",
        ),
        (
            empty.to_str().unwrap(),
            "contains no .json contract files",
            "stub_error_empty_directory",
        ),
        (
            "contracts/examples/v3-message.json",
            "the contracts have no HTTP interactions",
            "stub_error_no_http_interactions",
        ),
    ];
    let _filters = snapshot_filters();
    for (contract, needle, snapshot) in cases {
        let out = pactum(&["stub", "--port", "0", "--contract", contract]);
        assert_eq!(out.status.code(), Some(2), "{contract}");
        let stderr = stderr(&out);
        assert!(
            stderr.contains(needle),
            "{contract}: missing {needle:?} in {stderr}"
        );
        insta::assert_snapshot!(snapshot, stderr);
    }
}

#[test]
fn oversized_bodies_get_413_and_sigterm_stops_the_stub() {
    let mut stub = start(&["--contract", "contracts/examples/v2-http.json"]);
    let body = vec![b'x'; 17 * 1024 * 1024];
    let response = http()
        .post(format!("{}/products", stub.url))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(
        response
            .text()
            .unwrap()
            .contains("over the stub's limit of 16777216 bytes")
    );

    let status = stub.process.terminate();
    assert!(status.success(), "a clean exit on SIGTERM: {status}");
}
