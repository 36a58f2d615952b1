//! The `pactum` binary as a user runs it: output and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pactum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the pactum binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pactum-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

const EXPECTED: &str = "contracts/match/expected-response.json";

#[test]
fn match_exits_zero_when_the_response_matches() {
    let out = pactum(&[
        "match",
        "response",
        "-e",
        EXPECTED,
        "-a",
        "contracts/match/actual-response.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "match: no mismatches\n");
}

#[test]
fn match_exits_one_and_lists_every_mismatch() {
    let out = pactum(&[
        "match",
        "response",
        "-e",
        EXPECTED,
        "-a",
        "contracts/match/actual-response-broken.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for needle in [
        "mismatch: 5 differences found",
        "body $.id: expected an integer but got \"42\" (string)",
        "body $.price: expected a decimal number but got 12 (integer)",
        "body $.sku:",
        "body $.tags: expected an array with at least 1 element but got 0",
        "body $.updatedAt: expected a date-time in the format",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
}

#[test]
fn match_json_output_is_structured() {
    let out = pactum(&[
        "match",
        "response",
        "-e",
        EXPECTED,
        "-a",
        "contracts/match/actual-response-broken.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["matched"], false);
    let first = &report["mismatches"][0];
    assert_eq!(first["kind"], "body");
    assert_eq!(first["location"], "$.id");
    assert_eq!(first["rule"], "integer");
    assert_eq!(first["expected"], "10");
    assert_eq!(first["actual"], "\"42\"");
}

#[test]
fn bad_input_exits_two_with_a_precise_message() {
    let broken_json = scratch("broken.json", "{\"status\": 200,\n \"body\": ");
    let bad_rule = scratch(
        "bad-rule.json",
        r#"{"status": 200, "matchingRules": {"body": {"$.x": {"matchers": [{"match": "sometimes"}]}}}}"#,
    );
    let cases: [(&Path, &str); 3] = [
        (&broken_json, "broken.json:2:"),
        (
            &bad_rule,
            "$.matchingRules.body['$.x'].matchers[0].match: unknown matcher 'sometimes'",
        ),
        (
            Path::new("does/not/exist.json"),
            "cannot read does/not/exist.json",
        ),
    ];
    for (file, needle) in cases {
        let out = pactum(&[
            "match",
            "response",
            "-e",
            file.to_str().unwrap(),
            "-a",
            EXPECTED,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", file.display());
        let stderr = text(&out.stderr);
        assert!(stderr.contains(needle), "missing {needle:?} in: {stderr}");
    }
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    assert_eq!(
        pactum(&["match", "teapot", "-e", "a", "-a", "b"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(pactum(&["--help"]).status.code(), Some(0));
    let version = pactum(&["--version"]);
    assert!(text(&version.stdout).starts_with("pactum "));
}

#[test]
fn broker_serves_until_sigterm_then_exits_zero() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("pactum-cli-broker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("broker.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["broker", "--port", "0", "--database-url"])
        .arg(&database)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    assert!(
        first_line.starts_with("pactum broker listening on http://127.0.0.1:"),
        "{first_line}"
    );
    assert!(first_line.contains("authentication off"), "{first_line}");
    let url = first_line.split_whitespace().nth(4).unwrap();
    let health = reqwest::blocking::get(format!("{url}/diagnostic/status/heartbeat")).unwrap();
    assert_eq!(health.status(), 200);
    assert!(database.exists(), "the SQLite file is created");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the broker did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broker_setup_errors_exit_two_and_say_what_to_do() {
    let output = pactum(&[
        "broker",
        "--port",
        "0",
        "--database-url",
        "mysql://db/broker",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("unsupported database URL `mysql://db/broker`"),
        "{}",
        text(&output.stderr)
    );

    let output = pactum(&[
        "broker",
        "--port",
        "0",
        "--host",
        "0.0.0.0",
        "--database-url",
        "sqlite::memory:",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("refusing to serve without authentication") && stderr.contains("--token"),
        "{stderr}"
    );

    let output = pactum(&[
        "broker",
        "--port",
        "0",
        "--token",
        "root:abc",
        "--database-url",
        "sqlite::memory:",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("unknown role `root`") && !stderr.contains("abc"),
        "{stderr}"
    );
}
