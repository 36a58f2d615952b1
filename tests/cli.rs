//! The `pactum` binary as a user runs it: output and exit codes.

use std::path::Path;

use crate::support::{ScratchDir, pactum, serve_pactum, snapshot_filters, stderr, stdout};

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
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "match: no mismatches\n");
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
    let stdout = stdout(&out);
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
    let _filters = snapshot_filters();
    insta::assert_snapshot!("match_mismatches_text", stdout);
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
    let _filters = snapshot_filters();
    insta::assert_json_snapshot!("match_mismatches_json", report);
}

#[test]
fn bad_input_exits_two_with_a_precise_message() {
    let dir = ScratchDir::new("cli-bad-input");
    let broken_json = dir.write("broken.json", "{\"status\": 200,\n \"body\": ");
    let bad_rule = dir.write(
        "bad-rule.json",
        r#"{"status": 200, "matchingRules": {"body": {"$.x": {"matchers": [{"match": "sometimes"}]}}}}"#,
    );
    let cases: [(&Path, &str, &str); 3] = [
        (&broken_json, "broken.json:2:", "match_error_invalid_json"),
        (
            &bad_rule,
            "$.matchingRules.body['$.x'].matchers[0].match: unknown matcher 'sometimes'",
            "match_error_unknown_matcher",
        ),
        (
            Path::new("does/not/exist.json"),
            "cannot read does/not/exist.json",
            "match_error_missing_file",
        ),
    ];
    let _filters = snapshot_filters();
    for (file, needle, snapshot) in cases {
        let out = pactum(&[
            "match",
            "response",
            "-e",
            file.to_str().unwrap(),
            "-a",
            EXPECTED,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", file.display());
        let stderr = stderr(&out);
        assert!(stderr.contains(needle), "missing {needle:?} in: {stderr}");
        insta::assert_snapshot!(snapshot, stderr);
    }
}

#[test]
fn a_file_of_another_part_is_named_as_such() {
    let out = pactum(&[
        "match",
        "request",
        "-e",
        "contracts/match/expected-response.json",
        "-a",
        "contracts/match/actual-response.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("holds a response (it has `status`), not a request"),
        "{said}"
    );
    insta::assert_snapshot!("match_error_response_given_as_request", said);
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    let _filters = snapshot_filters();
    let teapot = pactum(&["match", "teapot", "-e", "a", "-a", "b"]);
    assert_eq!(teapot.status.code(), Some(2));
    insta::assert_snapshot!("usage_error_unknown_value", stderr(&teapot));
    let unknown_flag = pactum(&["verify", "--no-such-flag"]);
    assert_eq!(unknown_flag.status.code(), Some(2));
    insta::assert_snapshot!("usage_error_unknown_flag", stderr(&unknown_flag));
    assert_eq!(pactum(&["--help"]).status.code(), Some(0));
    // Server limits are checked when the arguments are parsed, before anything starts.
    for (args, snapshot) in [
        (
            &["broker", "--host", "localhost"][..],
            "usage_error_host_not_an_ip",
        ),
        (
            &["broker", "--max-body-size", "lots"][..],
            "usage_error_bad_size",
        ),
        (
            &["broker", "--log-level", "pactum=loud"][..],
            "usage_error_bad_log_filter",
        ),
        (
            &["stub", "--contract", "x.json", "--header-read-timeout", "0"][..],
            "usage_error_zero_timeout",
        ),
    ] {
        let out = pactum(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        insta::assert_snapshot!(snapshot, stderr(&out));
    }
    let version = pactum(&["--version"]);
    assert!(stdout(&version).starts_with("pactum "));
}

#[test]
fn broker_serves_until_sigterm_then_exits_zero() {
    let dir = ScratchDir::new("cli-broker");
    let database = dir.join("broker.sqlite");
    let mut broker = serve_pactum(&[
        "broker",
        "--port",
        "0",
        "--database-url",
        database.to_str().unwrap(),
    ]);
    let first_line = &broker.first_line;
    assert!(
        first_line.starts_with("pactum broker listening on http://127.0.0.1:"),
        "{first_line}"
    );
    assert!(first_line.contains("authentication off"), "{first_line}");
    let health =
        reqwest::blocking::get(format!("{}/diagnostic/status/heartbeat", broker.url)).unwrap();
    assert_eq!(health.status(), 200);
    assert!(database.exists(), "the SQLite file is created");
    assert_eq!(broker.process.terminate().code(), Some(0));
}

#[test]
fn a_broker_whose_database_cannot_be_reached_says_which_and_why_within_seconds() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://pactum:s3cret@127.0.0.1:{port}/broker");
    let started = std::time::Instant::now();
    let output = pactum(&["broker", "--port", "0", "--database-url", &url]);
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        elapsed < std::time::Duration::from_secs(15),
        "took {elapsed:?}:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "connecting to postgres://pactum@127.0.0.1:{port}/broker"
        )),
        "the target is logged before connecting:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "error: cannot connect to postgres://pactum@127.0.0.1:{port}/broker: connection refused"
        )),
        "{text}"
    );
    assert!(
        !text.contains("s3cret"),
        "the password is never shown:\n{text}"
    );
    let _filters = snapshot_filters();
    // The operating system's error numbers differ between systems.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\(os error [0-9]+\)", "(os error [n])");
    let _os_errors = settings.bind_to_scope();
    insta::assert_snapshot!("broker_error_postgres_refused", text);

    let output = pactum(&[
        "broker",
        "--port",
        "0",
        "--database-url",
        "/nonexistent/dir/x.sqlite",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("error: cannot open the SQLite database /nonexistent/dir/x.sqlite: ")
            && text.contains("No such file or directory"),
        "{text}"
    );
    insta::assert_snapshot!("broker_error_sqlite_missing_directory", text);
}

#[test]
fn a_broker_names_a_missing_postgres_database() {
    let Some(admin) = crate::support::prerequisites::postgres_url() else {
        return;
    };
    let Some((server, _)) = admin.rsplit_once('/') else {
        panic!("PACTUM_TEST_DATABASE_URL has no database: {admin}")
    };
    let url = format!("{server}/pactum_no_such_database");
    let output = pactum(&["broker", "--port", "0", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("/pactum_no_such_database: the database does not exist"),
        "{text}"
    );
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
    let _filters = snapshot_filters();
    insta::assert_snapshot!("broker_error_unsupported_database", stderr(&output));
    assert!(
        stderr(&output).contains("unsupported database URL `mysql://db/broker`"),
        "{}",
        stderr(&output)
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
    let stderr = stderr(&output);
    insta::assert_snapshot!("broker_error_public_without_auth", stderr);
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
    let stderr = crate::support::stderr(&output);
    insta::assert_snapshot!("broker_error_unknown_role", stderr);
    assert!(
        stderr.contains("unknown role `root`") && !stderr.contains("abc"),
        "{stderr}"
    );
}
