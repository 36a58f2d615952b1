//! What the broker commands (and `verify` with a broker) say when something goes wrong, and the
//! exit code they say it with: sentences naming what the user passed and what to do, never the
//! broker's field names or raw JSON unless asked (`--verbose`, `--output json`); credentials
//! named by kind and origin, never by value; a base URL without a scheme or a server that is no
//! broker named as such; `create-environment` safe to run twice; `--retry-while-unknown` only
//! waiting for what waiting can bring. Real brokers on SQLite and PostgreSQL, the real binary.

use std::process::Output;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use pactum::consumer::*;
use serde_json::{Value, json};

use crate::support::broker::{TestBroker, TestDb, backends, pact};
use crate::support::provider::{self, Breakage};
use crate::support::{
    ScratchDir, http, pactum_command, run, run_interleaved, serve_router, snapshot_filters, stderr,
    stdout, text,
};

const WRITE_TOKEN: &str = "write-token";
const READ_TOKEN: &str = "read-token";

/// A broker that wants a token: `write-token` writes, `read-token` only reads; `ci` /
/// `ci-password` is a Basic-auth pair that writes.
fn start_broker(db: &TestDb) -> TestBroker {
    TestBroker::start_with(db, |config| {
        config
            .credentials
            .add_token(&format!("write:{WRITE_TOKEN}"))
            .unwrap();
        config
            .credentials
            .add_token(&format!("read:{READ_TOKEN}"))
            .unwrap();
        config
            .credentials
            .add_basic("ci:ci-password", pactum::broker::Role::Write)
            .unwrap();
    })
}

/// `pactum args` against `broker`, with these environment variables (and no others of pactum's).
fn pactum_with(broker: &TestBroker, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = pactum_command();
    command.args(args).env("PACT_BROKER_BASE_URL", &broker.url);
    for (name, value) in env {
        command.env(name, value);
    }
    run(&mut command)
}

/// `pactum args` against `broker` with the write token.
fn pactum_writing(broker: &TestBroker, args: &[&str]) -> Output {
    pactum_with(broker, args, &[("PACT_BROKER_TOKEN", WRITE_TOKEN)])
}

/// A transcript line per command: what was run, its exit code and everything it printed —
/// for one snapshot of several messages.
fn transcript(entries: &[(String, &Output)]) -> String {
    entries
        .iter()
        .map(|(command, out)| {
            format!(
                "$ pactum {command}\nexit {}\n{}",
                out.status.code().unwrap_or(-1),
                text(out)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Arguments as one would type them (quoted when they hold a space).
fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|arg| match arg.contains(' ') {
            true => format!("'{arg}'"),
            false => arg.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fails, showing the whole output, unless the command's output contains `needle`.
fn assert_says(out: &Output, needle: &str) {
    let said = text(out);
    assert!(said.contains(needle), "{needle:?} not in:\n{said}");
}

/// What every message must not show unless asked: the broker's member names and raw JSON.
fn assert_no_internals(out: &Output) {
    let said = text(out);
    for internal in ["q[0]", "{\"errors\"", "\"contracts\"", "contracts:"] {
        assert!(!said.contains(internal), "{internal} shown in:\n{said}");
    }
}

#[test]
fn refusals_are_sentences_naming_what_was_passed_and_exit_two() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let admin = broker.with_auth(&format!("Bearer {WRITE_TOKEN}"));
        admin.post(
            "/environments",
            &json!({"name": "production", "production": true}),
        );
        let (status, body) = admin.publish(
            "web-shop",
            "1",
            Some("main"),
            &[],
            &[pact("web-shop", "catalogue", &["get item"])],
        );
        assert_eq!(status, 200, "{body}");

        // (arguments, what the message must say)
        let cases: [(&[&str], &[&str]); 11] = [
            (
                &[
                    "can-i-deploy",
                    "--pacticipant",
                    "nobody",
                    "--version",
                    "1",
                    "--to-environment",
                    "production",
                ],
                &["no pacticipant named `nobody` (--pacticipant nobody)"],
            ),
            (
                &[
                    "can-i-deploy",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "1",
                    "--to-environment",
                    "nowhere",
                ],
                &[
                    "no environment named `nowhere` (--to-environment nowhere)",
                    "environments: production",
                    "pactum create-environment --name nowhere",
                ],
            ),
            (
                &[
                    "can-i-deploy",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "9",
                    "--to-environment",
                    "production",
                ],
                &["web-shop has no version 9 in the broker (--pacticipant web-shop --version 9)"],
            ),
            (
                &[
                    "can-i-deploy",
                    "--pacticipant",
                    "web-shop",
                    "--branch",
                    "feat/none",
                    "--to-environment",
                    "production",
                ],
                &["web-shop has no version on branch feat/none in the broker"],
            ),
            (
                &[
                    "record-deployment",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "9",
                    "--environment",
                    "production",
                ],
                &["web-shop has no version 9 in the broker"],
            ),
            (
                &[
                    "record-deployment",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "1",
                    "--environment",
                    "staging",
                ],
                &["no environment named `staging` (--environment staging)"],
            ),
            (
                &[
                    "record-undeployment",
                    "--pacticipant",
                    "web-shop",
                    "--environment",
                    "production",
                ],
                &[
                    "web-shop is not currently deployed to production",
                    "--application-instance",
                ],
            ),
            (
                &[
                    "create-version-tag",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "9",
                    "--tag",
                    "rc",
                ],
                &["web-shop has no version 9", "--auto-create-version"],
            ),
            (
                &[
                    "describe-version",
                    "--pacticipant",
                    "web-shop",
                    "--version",
                    "9",
                ],
                &["web-shop has no version 9 in the broker"],
            ),
            // Validation errors name the flag and value, not the request member.
            (
                &["create-environment", "--name", "has space"],
                &["the broker refused --name 'has space': must not contain spaces"],
            ),
            (
                &[
                    "create-or-update-pacticipant",
                    "--name",
                    "web-shop",
                    "--main-branch",
                    "a b",
                ],
                &["the broker refused --main-branch 'a b': must not contain spaces"],
            ),
        ];
        let mut entries = Vec::new();
        let outputs: Vec<(String, Output)> = cases
            .iter()
            .map(|(args, _)| (shell_words(args), pactum_writing(&broker, args)))
            .collect();
        for ((command, out), (_, says)) in outputs.iter().zip(&cases) {
            assert_eq!(out.status.code(), Some(2), "{command}: {}", text(out));
            assert_eq!(stdout(out), "", "{command}");
            for needle in *says {
                assert!(
                    text(out).contains(needle),
                    "{command}: {needle} not in {}",
                    text(out)
                );
            }
            assert_no_internals(out);
            entries.push((command.clone(), out));
        }
        let _filters = snapshot_filters();
        insta::assert_snapshot!("broker_messages_refusals", transcript(&entries));

        // The broker's own words stay available: --verbose shows its answer on stderr,
        // --output json puts it on stdout for scripts.
        let question = [
            "can-i-deploy",
            "--pacticipant",
            "nobody",
            "--version",
            "1",
            "--to-environment",
            "production",
        ];
        let out = pactum_writing(&broker, &[&question[..], &["--verbose"]].concat());
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out)
                .contains(r#"{"errors":{"q[0].pacticipant":["no pacticipant named `nobody`"]}}"#),
            "{}",
            stderr(&out)
        );
        insta::assert_snapshot!("broker_messages_refusal_verbose", text(&out));
        let out = pactum_writing(&broker, &[&question[..], &["--output", "json"]].concat());
        assert_eq!(out.status.code(), Some(2));
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            answer["errors"]["q[0].pacticipant"][0],
            "no pacticipant named `nobody`"
        );
        assert!(
            stderr(&out).contains("--pacticipant nobody"),
            "{}",
            stderr(&out)
        );
        // An unknown version is a "no" from the broker, and "cannot ask" (2) from pactum: the
        // matrix is still there for scripts.
        let out = pactum_writing(
            &broker,
            &[
                "can-i-deploy",
                "--pacticipant",
                "web-shop",
                "--version",
                "9",
                "--to-environment",
                "production",
                "--output",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer["summary"]["deployable"], false, "{answer}");
    }
}

#[test]
fn credential_errors_say_which_was_sent_and_every_way_to_send_one() {
    let secret = "not-the-token-7f3a";
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let list = ["list-environments"];
        let missing = pactum_with(&broker, &list, &[]);
        let wrong_flag = pactum_with(
            &broker,
            &[&list[..], &["--broker-token", secret]].concat(),
            &[],
        );
        let wrong_env = pactum_with(&broker, &list, &[("PACT_BROKER_TOKEN", secret)]);
        let wrong_basic = pactum_with(
            &broker,
            &list,
            &[
                ("PACT_BROKER_USERNAME", "ci"),
                ("PACT_BROKER_PASSWORD", secret),
            ],
        );
        let read_only = pactum_with(
            &broker,
            &["create-environment", "--name", "test"],
            &[("PACT_BROKER_TOKEN", READ_TOKEN)],
        );
        for out in [&missing, &wrong_flag, &wrong_env, &wrong_basic, &read_only] {
            assert_eq!(out.status.code(), Some(2), "{}", text(out));
            let said = text(out);
            assert!(
                !said.contains(secret) && !said.contains(READ_TOKEN),
                "{said}"
            );
            for way in [
                "--broker-token",
                "PACT_BROKER_TOKEN",
                "--broker-username",
                "--broker-password",
                "PACT_BROKER_USERNAME",
                "PACT_BROKER_PASSWORD",
            ] {
                assert!(said.contains(way), "{way} not named in:\n{said}");
            }
        }
        assert_says(&missing, "none were sent");
        assert_says(
            &wrong_flag,
            "rejected the bearer token sent (from --broker-token)",
        );
        assert_says(
            &wrong_env,
            "rejected the bearer token sent (from PACT_BROKER_TOKEN)",
        );
        assert_says(
            &wrong_basic,
            "rejected the user name `ci` and password sent",
        );
        assert_says(
            &read_only,
            "does not allow the bearer token sent (from PACT_BROKER_TOKEN) to POST /environments",
        );
        assert_eq!(
            broker
                .with_auth(&format!("Bearer {WRITE_TOKEN}"))
                .count("environments"),
            0
        );
        let _filters = snapshot_filters();
        insta::assert_snapshot!(
            "broker_messages_credentials",
            transcript(&[
                ("list-environments".into(), &missing),
                (
                    format!("list-environments --broker-token {secret}"),
                    &wrong_flag
                ),
                (
                    "list-environments (PACT_BROKER_TOKEN wrong)".into(),
                    &wrong_env
                ),
                (
                    "list-environments (PACT_BROKER_USERNAME ci, wrong password)".into(),
                    &wrong_basic
                ),
                (
                    "create-environment --name test (PACT_BROKER_TOKEN read-only)".into(),
                    &read_only
                ),
            ])
        );
    }
}

#[test]
fn a_base_url_without_a_scheme_is_named_as_such() {
    let can_i_deploy = run(pactum_command().args([
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1",
        "--broker-base-url",
        "127.0.0.1:9292",
    ]));
    let verify = run(pactum_command().args([
        "verify",
        "--broker-url",
        "localhost:9292",
        "--provider",
        "catalogue",
        "--provider-base-url",
        "http://127.0.0.1:9",
    ]));
    for (out, fix) in [
        (&can_i_deploy, "--broker-base-url http://127.0.0.1:9292"),
        (&verify, "--broker-url http://localhost:9292"),
    ] {
        assert_eq!(out.status.code(), Some(2), "{}", text(out));
        assert!(text(out).contains("has no scheme"), "{}", text(out));
        assert!(text(out).contains(fix), "{}", text(out));
        assert!(!text(out).contains("9292127.0.0.1"), "{}", text(out));
    }
    let _filters = snapshot_filters();
    insta::assert_snapshot!(
        "broker_messages_no_scheme",
        transcript(&[
            (
                "can-i-deploy --pacticipant web --version 1 --broker-base-url 127.0.0.1:9292".into(),
                &can_i_deploy
            ),
            (
                "verify --broker-url localhost:9292 --provider catalogue --provider-base-url http://127.0.0.1:9".into(),
                &verify
            ),
        ])
    );
}

#[test]
fn a_server_that_is_not_a_broker_is_named_as_such() {
    let page = "<html>".to_owned() + &"this is a web site, not a broker ".repeat(200) + "</html>";
    let not_found = page.clone();
    let site = serve_router(
        Router::new()
            .route("/", get(move || async move { page.clone() }))
            .fallback(move || {
                let body = not_found.clone();
                async move { (StatusCode::NOT_FOUND, body) }
            }),
    );
    let work = ScratchDir::new("not-a-broker");
    let contract = work.write("web-api.json", pact("web", "api", &["one"]).to_string());
    let contract = contract.display().to_string();
    let at_root = site.url.clone();
    let below = format!("{}/pact-broker", site.url);
    let commands: Vec<(String, Vec<&str>)> = vec![
        (
            at_root.clone(),
            vec![
                "can-i-deploy",
                "--pacticipant",
                "web",
                "--version",
                "1",
                "--to-environment",
                "production",
            ],
        ),
        (
            below.clone(),
            vec!["can-i-deploy", "--pacticipant", "web", "--version", "1"],
        ),
        (
            below.clone(),
            vec!["publish", &contract, "--consumer-app-version", "1"],
        ),
        (below.clone(), vec!["list-environments"]),
    ];
    let mut outputs = Vec::new();
    for (base, args) in &commands {
        let out = run(pactum_command()
            .args(args)
            .args(["--broker-base-url", base]));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert_says(&out, &format!("{base} does not look like a Pact broker"));
        assert!(
            !text(&out).contains("this is a web site"),
            "the page is not printed: {}",
            text(&out)
        );
        outputs.push((format!("{} --broker-base-url {base}", args.join(" ")), out));
    }
    assert!(text(&outputs[1].1).contains(&format!("no index at {below}/: it answered 404")));
    let _filters = snapshot_filters();
    let entries: Vec<(String, &Output)> = outputs
        .iter()
        .map(|(c, o)| (c.replace(&contract, "web-api.json"), o))
        .collect();
    insta::assert_snapshot!("broker_messages_not_a_broker", transcript(&entries));
}

#[test]
fn create_environment_twice_is_safe_and_other_settings_are_named() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let create = [
            "create-environment",
            "--name",
            "production",
            "--production",
            "--display-name",
            "Production",
            "--contact-name",
            "ops",
            "--contact-email-address",
            "ops@example.com",
        ];
        let first = pactum_writing(&broker, &create);
        assert_eq!(first.status.code(), Some(0), "{}", text(&first));
        assert!(stdout(&first).starts_with("Created production environment"));
        // The README's flow run a second time.
        let again = pactum_writing(&broker, &create);
        assert_eq!(again.status.code(), Some(0), "{}", text(&again));
        assert!(
            stdout(&again).contains("Environment production already exists with these settings"),
            "{}",
            text(&again)
        );
        let as_json = pactum_writing(&broker, &[&create[..], &["--output", "json"]].concat());
        assert_eq!(as_json.status.code(), Some(0), "{}", text(&as_json));
        let env: Value = serde_json::from_slice(&as_json.stdout).unwrap();
        assert_eq!(
            (env["name"].as_str(), env["production"].as_bool()),
            (Some("production"), Some(true))
        );
        // Other settings: an error naming each.
        let other = pactum_writing(
            &broker,
            &[
                "create-environment",
                "--name",
                "production",
                "--display-name",
                "Prod",
                "--contact-name",
                "dev",
            ],
        );
        assert_eq!(other.status.code(), Some(2), "{}", text(&other));
        for needle in [
            "production: true in the broker, false here (--production not given)",
            "display name: `Production` in the broker, `Prod` here (--display-name)",
            "contacts: ops (emailAddress: ops@example.com) in the broker, dev here",
        ] {
            assert!(
                text(&other).contains(needle),
                "{needle} not in {}",
                text(&other)
            );
        }
        assert_no_internals(&other);
        let admin = broker.with_auth(&format!("Bearer {WRITE_TOKEN}"));
        let listed = admin.ok("/environments")["_embedded"]["environments"].clone();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed[0]["displayName"], "Production", "nothing changed");
        let _filters = snapshot_filters();
        insta::assert_snapshot!(
            "broker_messages_create_environment",
            transcript(&[
                (create.join(" "), &first),
                (create.join(" "), &again),
                (
                    "create-environment --name production --display-name Prod --contact-name dev"
                        .into(),
                    &other
                ),
            ])
        );
    }
}

#[test]
fn publishing_changed_content_names_the_flags_that_fix_it() {
    let work = ScratchDir::new("publish-changed");
    let original = work.write("v1.json", pact("web", "api", &["one"]).to_string());
    let added = work.write(
        "v1-added.json",
        pact("web", "api", &["one", "two"]).to_string(),
    );
    let mut changed = pact("web", "api", &["one"]);
    changed["interactions"][0]["response"]["status"] = json!(201);
    let changed = work.write("v1-changed.json", changed.to_string());
    let publish = |broker: &TestBroker, file: &std::path::Path, extra: &[&str]| {
        let file = file.display().to_string();
        let args = [
            &["publish", file.as_str(), "--consumer-app-version", "1"][..],
            extra,
        ]
        .concat();
        pactum_writing(broker, &args)
    };
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        assert_eq!(publish(&broker, &original, &[]).status.code(), Some(0));
        let refused = publish(&broker, &added, &[]);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
        assert_says(&refused, "pass --merge");
        assert_says(&refused, "--consumer-app-version");
        assert_no_internals(&refused);
        let merged = publish(&broker, &added, &["--merge"]);
        assert_eq!(merged.status.code(), Some(0), "{}", text(&merged));
        let conflict = publish(&broker, &changed, &["--merge"]);
        assert_eq!(conflict.status.code(), Some(2), "{}", text(&conflict));
        assert_says(
            &conflict,
            "publish the change under a new --consumer-app-version",
        );
        assert_no_internals(&conflict);
        let _filters = snapshot_filters();
        insta::assert_snapshot!(
            "broker_messages_publish_changed",
            transcript(&[
                (
                    "publish v1-added.json --consumer-app-version 1".into(),
                    &refused
                ),
                (
                    "publish v1-changed.json --consumer-app-version 1 --merge".into(),
                    &conflict
                ),
            ])
            .replace(&work.display().to_string(), "[dir]")
        );
    }
}

#[test]
fn retry_while_unknown_waits_only_for_missing_verification_results() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let admin = broker.with_auth(&format!("Bearer {WRITE_TOKEN}"));
        let (_, env) = admin.post(
            "/environments",
            &json!({"name": "production", "production": true}),
        );
        let env = env["uuid"].as_str().unwrap().to_owned();
        admin.publish(
            "web",
            "1",
            Some("main"),
            &[],
            &[pact("web", "api", &["one"])],
        );
        let ask = |retries: &str, interval: &str| {
            let started = Instant::now();
            let out = pactum_writing(
                &broker,
                &[
                    "can-i-deploy",
                    "--pacticipant",
                    "web",
                    "--version",
                    "1",
                    "--to-environment",
                    "production",
                    "--retry-while-unknown",
                    retries,
                    "--retry-interval",
                    interval,
                ],
            );
            (out, started.elapsed())
        };
        // No api version in production: waiting cannot help, so it answers at once.
        let (out, took) = ask("5", "10");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            took < Duration::from_secs(5),
            "took {took:?}: {}",
            text(&out)
        );
        assert!(stderr(&out).contains("note: not waiting"), "{}", text(&out));
        assert!(
            !stderr(&out).contains("Waiting for verification results"),
            "{}",
            text(&out)
        );
        let _filters = snapshot_filters();
        insta::assert_snapshot!("broker_messages_retry_pointless", text(&out));
        // api 1 runs in production but never verified the contract: waiting can help.
        admin.put("/pacticipants/api/versions/1", &json!({}));
        let (status, body) = admin.post(
            &format!("/pacticipants/api/versions/1/deployed-versions/environment/{env}"),
            &json!({}),
        );
        assert_eq!(status, 201, "{body}");
        let (out, took) = ask("1", "1");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(took >= Duration::from_secs(1), "took {took:?}");
        assert!(
            stderr(&out).contains("Waiting for verification results to be published (try 1 of 1)"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn verify_publish_with_a_read_only_token_prints_the_report_then_the_failure() {
    let provider = provider::start(Breakage::None);
    let contract: Value = serde_json::from_str(
        &std::fs::read_to_string("contracts/web-shop-catalogue.json").unwrap(),
    )
    .unwrap();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let admin = broker.with_auth(&format!("Bearer {WRITE_TOKEN}"));
        let (status, body) = admin.publish(
            "web-shop",
            "1",
            Some("main"),
            &[],
            std::slice::from_ref(&contract),
        );
        assert_eq!(status, 200, "{body}");
        let (status, output) = run_interleaved(
            pactum_command()
                .args([
                    "verify",
                    "--broker-url",
                    &broker.url,
                    "--provider",
                    "catalogue",
                    "--provider-base-url",
                    &provider.url,
                    "--state-change-url",
                    &format!("{}/_pact/state", provider.url),
                    "--publish",
                    "--provider-app-version",
                    "2",
                ])
                .env("PACT_BROKER_TOKEN", READ_TOKEN),
        );
        assert_eq!(status.code(), Some(2), "{output}");
        let report = output
            .find("interactions:")
            .unwrap_or_else(|| panic!("no report: {output}"));
        let failure = output
            .find("error: cannot publish the verification results")
            .unwrap_or_else(|| panic!("no failure: {output}"));
        assert!(report < failure, "the report comes first:\n{output}");
        assert!(
            output
                .contains("does not allow the bearer token sent (from PACT_BROKER_TOKEN) to POST"),
            "{output}"
        );
        assert_eq!(
            admin.count("verificationResults"),
            0,
            "nothing was published"
        );
        let failure_text = &output[failure..];
        let _filters = snapshot_filters();
        insta::assert_snapshot!("broker_messages_verify_publish_read_only", failure_text);
    }
}

#[test]
fn publishing_the_consumer_tests_output_directory_skips_what_is_not_a_contract() {
    let dir = ScratchDir::new("consumer-output");
    // The consumer DSL writes the contract (and keeps its lock in `.pactum`).
    let mut builder = PactBuilder::new("web", "api").output_dir(&dir);
    builder
        .interaction("a request", |i| {
            i.with_request(|r| r.get("/things"))
                .will_respond_with(|r| r.status(200))
        })
        .unwrap();
    let server = builder.start_mock_server().unwrap();
    assert_eq!(
        http().get(server.path("/things")).send().unwrap().status(),
        200
    );
    server.finish().unwrap();
    assert!(dir.join(".pactum").is_dir());
    // What else ends up in such a directory.
    dir.write("notes.txt", "not a contract");
    dir.write("package.json", r#"{"name": "web"}"#);
    std::fs::create_dir(dir.join("old")).unwrap();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let out = pactum_writing(
            &broker,
            &[
                "publish",
                &dir.display().to_string(),
                "--consumer-app-version",
                "1",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            stdout(&out).contains("Pact successfully published for web version 1 and provider api")
        );
        for skipped in [
            "notes.txt: not a .json file",
            "package.json: not a Pact contract",
            "old: a directory",
        ] {
            assert!(
                stderr(&out).contains(skipped),
                "{skipped} not in {}",
                stderr(&out)
            );
        }
        assert!(!stderr(&out).contains(".pactum"), "{}", stderr(&out));
        let _filters = snapshot_filters();
        insta::assert_snapshot!("broker_messages_publish_directory_notes", stderr(&out));
    }
}

/// A broker that did not check what it stored (pactum's refuses such names): one environment
/// whose display name clears the screen and rings the bell.
fn start_unchecking_broker() -> crate::support::ServedRouter {
    serve_router(
        Router::new()
            .route(
                "/",
                get(|| async {
                    json!({"_links": {"pb:environments": {"href": "/environments"}}}).to_string()
                }),
            )
            .route(
                "/environments",
                get(|| async {
                    json!({"_embedded": {"environments": [{
                        "uuid": "9b0f4c4e-1d2a-4f7e-8c3b-5a6d7e8f9a0b",
                        "name": "production",
                        "displayName": "Prod\u{1b}[2J\u{7}",
                        "production": true
                    }]}})
                    .to_string()
                }),
            ),
    )
}

#[test]
fn broker_data_is_printed_with_control_characters_escaped() {
    let unchecking = start_unchecking_broker();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = start_broker(&db);
        let admin = broker.with_auth(&format!("Bearer {WRITE_TOKEN}"));
        let (status, body) = admin.post(
            "/environments",
            &json!({"name": "production", "displayName": "Prod\u{1b}[2J\u{7}", "production": true}),
        );
        assert_eq!(status, 400, "pactum's broker refuses such a name: {body}");
        let table = run(pactum_command()
            .args(["list-environments"])
            .env("PACT_BROKER_BASE_URL", &unchecking.url));
        assert_eq!(table.status.code(), Some(0), "{}", text(&table));
        let refused = pactum_writing(
            &broker,
            &[
                "can-i-deploy",
                "--pacticipant",
                "ev\u{1b}]8;;il",
                "--version",
                "1",
            ],
        );
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
        for out in [&table, &refused] {
            assert!(
                !text(out).contains('\u{1b}') && !text(out).contains('\u{7}'),
                "{:?}",
                text(out)
            );
        }
        assert!(
            stdout(&table).contains("Prod\\u{1b}[2J\\u{7}"),
            "{}",
            stdout(&table)
        );
        assert!(
            stderr(&refused).contains("ev\\u{1b}]8;;il"),
            "{}",
            stderr(&refused)
        );
        let _filters = snapshot_filters();
        insta::assert_snapshot!(
            "broker_messages_control_characters",
            transcript(&[
                ("list-environments".into(), &table),
                (
                    "can-i-deploy --pacticipant $'ev\\e]8;;il' --version 1".into(),
                    &refused
                ),
            ])
        );
    }
}
