//! Interoperability with the official Pact tools, installed from npm by
//! `scripts/install-pact-clients.sh` (`@pact-foundation/pact-cli` 18.1.2 for the Rust `pact`
//! binary, `@pact-foundation/pact` 17.1.4 for pact-js).
//!
//! The clients are found in `$PACTUM_PACT_CLIENTS` or `.cache/pact-clients`. Without them these
//! tests say so and pass trivially — unless `PACTUM_REQUIRE_INTEROP` is set, as CI does, in
//! which case a missing client is a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pactum::consumer::*;
use pactum::contract::SpecVersion;
use pactum::pattern;
use serde_json::json;

/// The folder holding `node_modules` with the official clients, if installed.
pub(crate) fn clients() -> Option<PathBuf> {
    let dir = std::env::var_os("PACTUM_PACT_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/pact-clients"));
    if dir.join(PACT_BINARY).exists() {
        return Some(dir);
    }
    if std::env::var_os("PACTUM_REQUIRE_INTEROP").is_some() {
        panic!(
            "the official Pact clients are not installed in {}; run scripts/install-pact-clients.sh",
            dir.display()
        );
    }
    eprintln!("skipped: official Pact clients not installed (run scripts/install-pact-clients.sh)");
    None
}

/// The official `pact` binary inside the npm package. Run directly: the npm shim in
/// `.bin/` starts it as a child process, which would outlive a kill of the shim.
const PACT_BINARY: &str = "node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact";

pub(crate) fn pact_cli(clients: &Path) -> Command {
    let mut command = Command::new(clients.join(PACT_BINARY));
    command.env("PACT_DO_NOT_TRACK", "true");
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pactum-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the official `pact stub` serving `contract` on a free port.
fn official_stub(clients: &Path, contract: &Path) -> (Running, u16) {
    let port = free_port();
    let child = pact_cli(clients)
        .args([
            "stub",
            "-f",
            contract.to_str().unwrap(),
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    wait_for(port);
    (running, port)
}

/// Runs one of the pact-js consumer scripts in `tests/interop/`, writing into `dir`.
fn run_pact_js(clients: &Path, script: &str, dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(script);
    let out = Command::new("node")
        .arg(&script)
        .arg(dir)
        .env("NODE_PATH", clients.join("node_modules"))
        .env("SCARF_ANALYTICS", "false")
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pact-js consumer {} failed: {}",
        script.display(),
        text(&out)
    );
}

/// Runs the official verifier against a provider on `port`; returns its output.
fn official_verify(clients: &Path, sources: &[&str], port: u16) -> Output {
    pact_cli(clients)
        .arg("verifier")
        .args(sources)
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--no-colour",
        ])
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
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
    let http = reqwest::blocking::Client::new();
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
    let Some(clients) = clients() else { return };
    for spec in [SpecVersion::V3, SpecVersion::V4] {
        let dir = scratch(&format!("pactum-{spec}"));
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
    let Some(clients) = clients() else { return };
    let good = write_pactum_contract(&scratch("good"), SpecVersion::V4, json!(10));
    let broken = write_pactum_contract(&scratch("broken"), SpecVersion::V4, json!("ten"));
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
    let Some(clients) = clients() else { return };
    let dir = scratch("pact-js");
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
    let port: u16 = stub.url.rsplit(':').next().unwrap().parse().unwrap();
    let out = official_verify(
        &clients,
        &["-d", dir.to_str().unwrap(), "--provider-name", "js-api"],
        port,
    );
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(
        report.matches("has a matching body (OK)").count(),
        3,
        "{report}"
    );
}

/// Writes the pact-js contracts for the test provider (`provider.rs`): V2/V3/V4 HTTP, V3/V4
/// messages.
fn pact_js_provider_contracts(clients: &Path) -> Vec<PathBuf> {
    let dir = scratch("pact-js-provider");
    run_pact_js(clients, "pact-js-provider-contracts.cjs", &dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    files
}

#[test]
fn pactum_and_the_official_verifier_agree_on_pact_js_contracts() {
    use crate::provider::{self, Breakage};
    let Some(clients) = clients() else { return };
    let contracts = pact_js_provider_contracts(&clients);
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
        let port: u16 = provider.url.rsplit(':').next().unwrap().parse().unwrap();
        let state_url = format!("{}/_pact/state", provider.url);
        for contract in &contracts {
            let name = contract.file_name().unwrap().to_string_lossy().into_owned();
            let is_message = name.starts_with("js-messages");
            let should_pass = broken_prefix.is_empty() || !name.starts_with(broken_prefix);

            let ours = Command::new(env!("CARGO_BIN_EXE_pactum"))
                .args([
                    "verify",
                    "--contract",
                    contract.to_str().unwrap(),
                    "--provider-base-url",
                    &provider.url,
                ])
                .args([
                    "--state-change-url",
                    &state_url,
                    "--message-path",
                    "/_pact/message",
                ])
                .output()
                .unwrap();
            let mut official = pact_cli(&clients);
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
            let theirs = official.output().unwrap();

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
