//! `pactum stub` as a user runs it: the real binary on a free port, real HTTP requests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running `pactum stub`; killed when dropped.
pub struct Stub {
    child: Child,
    pub url: String,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `pactum stub` with `args` on a free port and waits for its address.
pub fn start(args: &[&str]) -> Stub {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .arg("stub")
        .args(["--port", "0", "--log-level", "warn"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("pactum runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Stub { child, url }
}

fn get(url: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
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
    let preflight = reqwest::blocking::Client::new()
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
    let dir = std::env::temp_dir().join(format!("pactum-stub-url-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let contract = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts/examples/v2-http.json"),
    )
    .unwrap();
    let serving = serde_json::json!({
        "consumer": {"name": "x"}, "provider": {"name": "files"},
        "interactions": [{"description": "the contract", "request": {"method": "GET", "path": "/pact.json"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": serde_json::from_str::<Value>(&contract).unwrap()}}]
    });
    let file = dir.join("serving.json");
    std::fs::write(&file, serving.to_string()).unwrap();
    let files = start(&["--contract", file.to_str().unwrap()]);
    let stub = start(&["--contract", &format!("{}/pact.json", files.url)]);
    assert_eq!(
        get(&format!("{}/products?q=widget&page=1", stub.url)).status(),
        200
    );
}

#[test]
fn bad_contracts_exit_two_with_a_precise_message() {
    let dir = std::env::temp_dir().join(format!("pactum-stub-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let invalid_json = dir.join("invalid.json");
    std::fs::write(
        &invalid_json,
        "{\"consumer\": {\"name\": \"c\"},\n  \"provider\": ",
    )
    .unwrap();
    let bad_rule = dir.join("bad-rule.json");
    std::fs::write(
        &bad_rule,
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d",
            "request": {"method": "GET", "path": "/", "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "["}]}}},
            "response": {"status": 200}}]}"#,
    )
    .unwrap();
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let cases = [
        (invalid_json.to_str().unwrap().to_string(), "invalid.json:2:".to_string()),
        (
            bad_rule.to_str().unwrap().to_string(),
            "$.interactions[0].request.matchingRules.path.matchers[0].regex: invalid regular expression '['".to_string(),
        ),
        ("no/such/file.json".to_string(), "cannot read no/such/file.json".to_string()),
        (empty.to_str().unwrap().to_string(), "contains no .json contract files".to_string()),
        ("contracts/examples/v3-message.json".to_string(), "the contracts have no HTTP interactions".to_string()),
    ];
    for (contract, needle) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
            .args(["stub", "--port", "0", "--contract", &contract])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{contract}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&needle),
            "{contract}: missing {needle:?} in {stderr}"
        );
    }
}

#[test]
fn oversized_bodies_get_413_and_sigterm_stops_the_stub() {
    let mut stub = start(&["--contract", "contracts/examples/v2-http.json"]);
    let body = vec![b'x'; 17 * 1024 * 1024];
    let response = reqwest::blocking::Client::new()
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

    let pid = stub.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = stub.child.try_wait().unwrap() {
            assert!(status.success(), "a clean exit on SIGTERM: {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stub did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
