//! Interoperability with the official Pact tools (see `support::clients`): pactum's contracts
//! through the official stub and verifier, pact-js contracts through pactum's stub and verifier,
//! and the official verifier and pactum agreeing on every broken provider.
//!
//! Without the clients these tests fail, unless `PACTUM_SKIP_INTEROP` is set.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use pactum::consumer::*;
use pactum::contract::SpecVersion;
use pactum::pattern;
use serde_json::json;

use crate::support::clients::OfficialClients;
use crate::support::provider::{self, Breakage};
use crate::support::{
    Process, ScratchDir, free_port, http, pactum, port_of, repo_path, run, text, wait_for_port,
};

/// Starts the official `pact stub` serving `contract` on a free port.
fn official_stub(clients: &OfficialClients, contract: &Path) -> (Process, u16) {
    let port = free_port();
    let process = Process::spawn(clients.pact().stdout(Stdio::null()).args([
        "stub",
        "-f",
        contract.to_str().unwrap(),
        "-p",
        &port.to_string(),
    ]));
    wait_for_port(port);
    (process, port)
}

/// Runs one of the pact-js consumer scripts in `tests/interop/`, writing into `dir`.
fn run_pact_js(clients: &OfficialClients, script: &str, dir: &Path) {
    let script = repo_path("tests/interop").join(script);
    let out = run(clients.node(&script).arg(dir));
    assert!(
        out.status.success(),
        "pact-js consumer {} failed: {}",
        script.display(),
        text(&out)
    );
}

/// Runs the official verifier against a provider on `port`; returns its output.
fn official_verify(clients: &OfficialClients, sources: &[&str], port: u16) -> Output {
    run(clients.pact().arg("verifier").args(sources).args([
        "--hostname",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--no-colour",
    ]))
}

/// Writes a contract with pactum's DSL, exercising the mock server as a consumer test would.
fn write_pactum_contract(dir: &Path, spec: SpecVersion, id: serde_json::Value) -> PathBuf {
    let mut pact = PactBuilder::new("pactum-web", "pactum-api")
        .output_dir(dir)
        .specification(spec);
    let id_pattern = match id {
        serde_json::Value::Number(_) => integer(id.as_i64().unwrap()),
        other => like(other),
    };
    pact.interaction("a request for item 10", |i| {
        i.given_with("item 10 exists", json!({"id": 10}))
            .with_request(|r| {
                r.get("/items/10")
                    .query("view", "full")
                    .header("Accept", "application/json")
            })
            .will_respond_with(|r| {
                r.status(200)
                    .header("Content-Type", "application/json")
                    .json_body(pattern!({
                        "id": id_pattern.clone(),
                        "name": like("Widget"),
                        "price": decimal(9.99),
                        "sku": regex("[A-Z]{3}-\\d{4}", "WID-0001"),
                        "tags": each_like("hardware", 1),
                        "updated": datetime("yyyy-MM-dd'T'HH:mm:ss", "2024-05-01T10:00:00"),
                    }))
            })
    })
    .unwrap();
    pact.interaction("creating an item", |i| {
        i.with_request(|r| {
            r.post("/items")
                .json_body(pattern!({"name": like("Gadget"), "quantity": integer(2)}))
        })
        .will_respond_with(|r| r.status(201).json_body(pattern!({"id": integer(11)})))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let http = http();
    let response = http
        .get(server.path("/items/10?view=full"))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .post(server.path("/items"))
        .header("Content-Type", "application/json")
        .body(r#"{"name": "Thing", "quantity": 5}"#)
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    server.finish().unwrap()
}

#[test]
fn pactum_contracts_pass_the_official_stub_and_verifier() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    for spec in [SpecVersion::V3, SpecVersion::V4] {
        let dir = ScratchDir::new(&format!("pactum-{spec}"));
        let contract = write_pactum_contract(&dir, spec, json!(10));
        let (_stub, port) = official_stub(&clients, &contract);
        let out = official_verify(&clients, &["-f", contract.to_str().unwrap()], port);
        let report = text(&out);
        assert_eq!(out.status.code(), Some(0), "{spec}: {report}");
        assert_eq!(
            report.matches("has a matching body (OK)").count(),
            2,
            "{spec}: {report}"
        );
    }
}

#[test]
fn the_official_verifier_fails_a_provider_that_breaks_a_pactum_contract() {
    // Control for the test above: the official stub serves a contract whose `id` is a string,
    // and the official verifier checks the contract that says it is an integer.
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let (good_dir, broken_dir) = (ScratchDir::new("good"), ScratchDir::new("broken"));
    let good = write_pactum_contract(&good_dir, SpecVersion::V4, json!(10));
    let broken = write_pactum_contract(&broken_dir, SpecVersion::V4, json!("ten"));
    let (_stub, port) = official_stub(&clients, &broken);
    let out = official_verify(&clients, &["-f", good.to_str().unwrap()], port);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("$.id"),
        "the failure names the field: {report}"
    );
}

#[test]
fn pact_js_contracts_served_by_pactum_stub_pass_the_official_verifier() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let dir = ScratchDir::new("pact-js");
    run_pact_js(&clients, "pact-js-consumer.cjs", &dir);
    let written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        written.len(),
        2,
        "pact-js wrote a V3 and a V4 contract: {written:?}"
    );

    let stub = crate::stub::start(&["--contract", dir.to_str().unwrap()]);
    let out = official_verify(
        &clients,
        &["-d", dir.to_str().unwrap(), "--provider-name", "js-api"],
        port_of(&stub.url),
    );
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(
        report.matches("has a matching body (OK)").count(),
        3,
        "{report}"
    );
}

/// Writes the pact-js contracts for the test provider (`support::provider`): V2/V3/V4 HTTP,
/// V3/V4 messages, into `dir`.
fn pact_js_provider_contracts(clients: &OfficialClients, dir: &Path) -> Vec<PathBuf> {
    run_pact_js(clients, "pact-js-provider-contracts.cjs", dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    files
}

#[test]
fn pactum_and_the_official_verifier_agree_on_pact_js_contracts() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let dir = ScratchDir::new("pact-js-provider");
    let contracts = pact_js_provider_contracts(&clients, &dir);
    // (breakage, which contracts it breaks, what pactum must name)
    let corpus = [
        (Breakage::None, "", ""),
        (
            Breakage::ChangedType,
            "js-http",
            "$.id: expected an integer but got \"1\" (string)",
        ),
        (
            Breakage::MissingField,
            "js-http",
            "$.email: expected key 'email' but it was missing",
        ),
        (
            Breakage::WrongStatus,
            "js-http",
            "status: expected status 200 but got 500",
        ),
        (Breakage::WrongHeader, "js-http", "header 'Content-Type'"),
        (
            Breakage::WrongMetadata,
            "js-messages",
            "metadata 'topic': expected \"orders.placed\" but got \"payments\"",
        ),
    ];
    for (breakage, broken_prefix, needle) in corpus {
        let provider = provider::start(breakage);
        let port = port_of(&provider.url);
        let state_url = format!("{}/_pact/state", provider.url);
        for contract in &contracts {
            let name = contract.file_name().unwrap().to_string_lossy().into_owned();
            let is_message = name.starts_with("js-messages");
            let should_pass = broken_prefix.is_empty() || !name.starts_with(broken_prefix);

            let ours = pactum(&[
                "verify",
                "--contract",
                contract.to_str().unwrap(),
                "--provider-base-url",
                &provider.url,
                "--state-change-url",
                &state_url,
                "--message-path",
                "/_pact/message",
            ]);
            let mut official = clients.pact();
            official.args([
                "verifier",
                "-f",
                contract.to_str().unwrap(),
                "--hostname",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ]);
            official.args(["--state-change-url", &state_url, "--no-colour"]);
            if is_message {
                official.args(["--base-path", "/_pact/message"]);
            }
            let theirs = run(&mut official);

            let ours_passed = ours.status.code() == Some(0);
            let theirs_passed = theirs.status.code() == Some(0);
            assert_eq!(
                ours_passed,
                should_pass,
                "pactum on {name} with {breakage:?}:\n{}",
                text(&ours)
            );
            assert_eq!(
                theirs_passed,
                ours_passed,
                "official verifier disagrees on {name} with {breakage:?}:\n{}",
                text(&theirs)
            );
            if !should_pass {
                assert_eq!(
                    ours.status.code(),
                    Some(1),
                    "{name} {breakage:?}: {}",
                    text(&ours)
                );
                assert!(
                    text(&ours).contains(needle),
                    "{name} {breakage:?}: missing {needle:?} in\n{}",
                    text(&ours)
                );
            }
        }
    }
}
