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
