//! `pactum verify` and the `Verifier` library API against a real provider (see `provider`).

use std::path::{Path, PathBuf};
use std::process::Output;

use pactum::consumer::*;
use pactum::contract::{Body, Message, Pact, SpecVersion};
use pactum::pattern;
use pactum::sources::Loaded;
use pactum::verifier::{Options, Outcome, StateAction, Verifier};
use serde_json::{Value, json};

use crate::support::provider::{self, Breakage};
use crate::support::{
    ScratchDir, http, pactum, pactum_command, run, runtime, serve_router, snapshot_filters, stderr,
    stdout, unused_address,
};

const CATALOGUE: &str = "contracts/web-shop-catalogue.json";

/// `pactum verify args`.
fn verify(args: &[&str]) -> Output {
    pactum(&[&["verify"], args].concat())
}

/// `pactum verify` of one contract with the test provider's state and message endpoints.
fn verify_with_hooks(contract: &Path, provider_url: &str) -> Output {
    verify(&[
        "--contract",
        contract.to_str().unwrap(),
        "--provider-base-url",
        provider_url,
        "--state-change-url",
        &format!("{provider_url}/_pact/state"),
        "--message-path",
        "/_pact/message",
    ])
}

#[test]
fn a_correct_provider_passes() {
    let provider = provider::start(Breakage::None);
    let out = verify(&[
        "--contract",
        CATALOGUE,
        "--provider-base-url",
        &provider.url,
        "--state-change-url",
        &format!("{}/_pact/state", provider.url),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("2 interactions: 2 passed, 0 failed, 0 errors"),
        "{text}"
    );
    let _filters = snapshot_filters();
    insta::assert_snapshot!("verify_passed_text", text);
    // States were set up before and torn down after each interaction.
    let calls = provider.app.state_calls.lock().unwrap().clone();
    assert!(
        calls.contains(&("a product exists".into(), "setup".into())),
        "{calls:?}"
    );
    assert!(
        calls.contains(&("a product exists".into(), "teardown".into())),
        "{calls:?}"
    );
}

#[test]
fn each_broken_provider_fails_naming_the_field() {
    let cases = [
        (
            Breakage::ChangedType,
            "body $.id: expected an integer but got \"10\" (string)",
            "verify_changed_type_text",
        ),
        (
            Breakage::MissingField,
            "body $.price: expected key 'price' but it was missing",
            "verify_missing_field_text",
        ),
        (
            Breakage::WrongStatus,
            "status: expected status 200 but got 500",
            "verify_wrong_status_text",
        ),
        (
            Breakage::WrongHeader,
            "header 'Content-Type'",
            "verify_wrong_header_text",
        ),
    ];
    let _filters = snapshot_filters();
    for (breakage, needle, snapshot) in cases {
        let provider = provider::start(breakage);
        let out = verify(&[
            "--contract",
            CATALOGUE,
            "--provider-base-url",
            &provider.url,
        ]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{breakage:?}: {text}");
        assert!(
            text.contains(needle),
            "{breakage:?}: missing {needle:?} in\n{text}"
        );
        assert!(text.contains("1 failed"), "{breakage:?}: {text}");
        insta::assert_snapshot!(snapshot, text);
    }
}

#[test]
fn json_and_junit_reports() {
    let provider = provider::start(Breakage::ChangedType);
    let dir = ScratchDir::new("junit");
    let junit = dir.join("report.xml");
    let out = verify(&[
        "--contract",
        CATALOGUE,
        "--provider-base-url",
        &provider.url,
        "--format",
        "json",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["success"], false);
    let failed = report["contracts"][0]["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "failed")
        .unwrap();
    assert_eq!(failed["mismatches"][0]["location"], "$.id");
    assert_eq!(failed["mismatches"][0]["rule"], "integer");
    let xml = std::fs::read_to_string(junit).unwrap();
    let _filters = snapshot_filters();
    insta::assert_json_snapshot!("verify_report_json", report);
    insta::assert_snapshot!("verify_report_junit", xml);
    assert!(
        xml.contains(
            "<testsuite name=\"web-shop -&gt; catalogue\" tests=\"2\" failures=\"1\" errors=\"0\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"1 mismatch(es)\">body $.id: expected an integer"),
        "{xml}"
    );
}

#[test]
fn setup_errors_exit_two_with_what_to_do() {
    let nobody = format!("http://{}", unused_address());
    // (the arguments after `--contract`, what stderr must say, snapshot)
    let cases: [(&[&str], &[&str], &str); 4] = [
        (
            &[CATALOGUE, "--provider-base-url", &nobody],
            &["cannot connect to the provider", "start the provider"],
            "verify_error_provider_down",
        ),
        (
            &["no/such.json", "--provider-base-url", "http://127.0.0.1:1"],
            &["cannot read no/such.json"],
            "verify_error_missing_contract",
        ),
        (
            &[
                CATALOGUE,
                "--provider-base-url",
                "http://127.0.0.1:1",
                "--provider",
                "someone-else",
            ],
            &["none of the contracts is for provider 'someone-else'"],
            "verify_error_no_contract_for_provider",
        ),
        (
            &[
                CATALOGUE,
                "--provider-base-url",
                "http://127.0.0.1:1",
                "--header",
                "nocolon",
            ],
            &["invalid --header 'nocolon'"],
            "verify_error_invalid_header",
        ),
    ];
    let _filters = snapshot_filters();
    for (args, needles, snapshot) in cases {
        let out = verify(&[&["--contract"], args].concat());
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{snapshot}: {said}");
        for needle in needles {
            assert!(
                said.contains(needle),
                "{snapshot}: missing {needle:?} in {said}"
            );
        }
        insta::assert_snapshot!(snapshot, said);
    }
}

#[test]
fn filters_select_interactions() {
    let provider = provider::start(Breakage::WrongStatus);
    // Only the 404 interaction runs: the broken one is filtered out, so verification passes.
    let out = verify(&[
        "--contract",
        CATALOGUE,
        "--provider-base-url",
        &provider.url,
        "--filter-description",
        "does not exist",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 interactions: 1 passed"), "{text}");
    assert!(text.contains("skipped"), "{text}");
    let out = run(pactum_command()
        .args([
            "verify",
            "--contract",
            CATALOGUE,
            "--provider-base-url",
            &provider.url,
        ])
        .env("PACT_PROVIDER_STATE", "no product 99"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

fn loaded(pact: &Path) -> Vec<Loaded> {
    vec![Loaded {
        origin: pact.display().to_string(),
        pact: Pact::load(pact).unwrap(),
        broker: None,
    }]
}

/// A contract using a provider-state value in the path, a pending interaction, and a message.
fn contract_with_states_and_messages(dir: &Path) -> PathBuf {
    let mut pact = PactBuilder::new("dashboard", "catalogue").output_dir(dir);
    pact.interaction("fetching the item the state created", |i| {
        i.given("an item exists")
            .with_request(|r| r.get(from_provider_state("/items/${itemId}", "/items/1")))
            .will_respond_with(|r| r.json_body(pattern!({"id": like("1"), "status": "ready"})))
    })
    .unwrap();
    pact.interaction("a product the provider does not have yet", |i| {
        i.pending(true)
            .with_request(|r| r.get("/products/11").header("Accept", "application/json"))
            .will_respond_with(|r| r.json_body(pattern!({"id": integer(11)})))
    })
    .unwrap();
    pact.message(
        "an order was placed",
        |m| {
            m.json_contents(pattern!({"orderId": integer(5), "total": decimal(1.5), "placedAt": like("2024-01-01T00:00:00Z")}))
                .metadata("topic", "orders.placed")
        },
        |_| Ok::<_, String>(()),
    )
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let http = http();
    http.get(server.path("/items/1")).send().unwrap();
    http.get(server.path("/products/11"))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    server.finish().unwrap()
}

#[test]
fn states_messages_and_pending_over_http() {
    let dir = ScratchDir::new("states");
    let contract = contract_with_states_and_messages(&dir);
    let provider = provider::start(Breakage::None);
    let out = verify_with_hooks(&contract, &provider.url);
    let text = stdout(&out);
    // The pending interaction fails (the provider has no product 11) but does not fail the run.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("2 passed, 0 failed, 0 errors, 1 pending failures"),
        "{text}"
    );

    let broken = provider::start(Breakage::WrongMetadata);
    let out = verify_with_hooks(&contract, &broken.url);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("metadata 'topic': expected \"orders.placed\" but got \"payments\""),
        "{text}"
    );
}

#[test]
fn a_failing_state_change_is_an_error_that_says_why() {
    let dir = ScratchDir::new("broken-state");
    let mut pact = PactBuilder::new("x", "catalogue").output_dir(&dir);
    pact.interaction("needs a broken state", |i| {
        i.given("a broken state")
            .with_request(|r| r.get("/items/1"))
            .will_respond_with(|r| r.status(200))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    reqwest::blocking::get(server.path("/items/1")).unwrap();
    let contract = server.finish().unwrap();
    let provider = provider::start(Breakage::None);
    let out = verify(&[
        "--contract",
        contract.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
        "--state-change-url",
        &format!("{}/_pact/state", provider.url),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the setup of provider state 'a broken state' via")
            && text.contains("answered 500 Internal Server Error: database unavailable"),
        "{text}"
    );
}

#[test]
fn in_process_router_with_rust_state_handlers_and_message_closures() {
    let dir = ScratchDir::new("in-process");
    let contract = contract_with_states_and_messages(&dir);
    let (router, _app) = provider::router(Breakage::None);
    let runtime = runtime();
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&calls);
    let verifier = Verifier::service(router)
        .state("an item exists", move |_params, action| {
            let seen = std::sync::Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(action);
                let mut values = serde_json::Map::new();
                values.insert("itemId".into(), json!("from-rust"));
                Ok(values)
            }
        })
        .message("an order was placed", |_states| {
            let mut message = Message {
                contents: Body::json(json!({"orderId": 9, "total": 3.25, "placedAt": "x"})),
                ..Message::default()
            };
            message
                .metadata
                .insert("topic".into(), json!("orders.placed"));
            message
                .metadata
                .insert("contentType".into(), json!("application/json"));
            Ok(message)
        });
    let report = runtime
        .block_on(verifier.verify(&loaded(&contract)))
        .unwrap();
    let summary = report.summary();
    assert_eq!(
        (summary.passed, summary.failed, summary.pending_failures),
        (2, 0, 1),
        "{}",
        report.to_text(false)
    );
    assert_eq!(
        *calls.lock().unwrap(),
        vec![StateAction::Setup, StateAction::Teardown]
    );

    // The same contract against a provider that breaks the message fails, in process too.
    let (broken, _) = provider::router(Breakage::None);
    let verifier = Verifier::service(broken).message("an order was placed", |_| {
        Ok(Message {
            contents: Body::json(json!({"orderId": "nine"})),
            ..Message::default()
        })
    });
    let report = runtime
        .block_on(verifier.verify(&loaded(&contract)))
        .unwrap();
    let message_result = report.contracts[0]
        .interactions
        .iter()
        .find(|i| i.description == "an order was placed")
        .unwrap();
    let Outcome::Failed { mismatches } = &message_result.outcome else {
        panic!("{message_result:?}")
    };
    assert!(
        mismatches.iter().any(|m| m.location == "$.orderId"),
        "{mismatches:?}"
    );
}

#[test]
fn parallel_verification_gives_the_same_results() {
    let dir = ScratchDir::new("parallel");
    let mut pact = PactBuilder::new("many", "catalogue")
        .output_dir(&dir)
        .specification(SpecVersion::V4);
    for n in 0..40 {
        pact.interaction(&format!("item {n}"), |i| {
            i.with_request(|r| r.get(format!("/items/{n}").as_str()))
                .will_respond_with(|r| {
                    r.json_body(pattern!({"id": like("x"), "status": regex("ready|done", "done")}))
                })
        })
        .unwrap();
    }
    let server = pact.start_mock_server().unwrap();
    for n in 0..40 {
        reqwest::blocking::get(server.path(&format!("/items/{n}"))).unwrap();
    }
    let contract = server.finish().unwrap();
    let provider = provider::start(Breakage::None);
    let sequential = verify(&[
        "--contract",
        contract.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
        "--format",
        "json",
    ]);
    let parallel = verify(&[
        "--contract",
        contract.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
        "--format",
        "json",
        "--parallel",
        "8",
    ]);
    assert_eq!(sequential.status.code(), Some(0));
    assert_eq!(parallel.status.code(), Some(0));
    let strip = |out: &Output| {
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for i in v["contracts"][0]["interactions"].as_array_mut().unwrap() {
            i.as_object_mut().unwrap().remove("durationMs");
        }
        v
    };
    assert_eq!(
        strip(&sequential),
        strip(&parallel),
        "same results, same order"
    );
    let _ = Options::default();
}

/// Serves `CATALOGUE` at `/pact.json` to requests with the right credentials only.
fn contract_router() -> axum::Router {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    let contract = std::fs::read_to_string(crate::support::repo_path(CATALOGUE)).unwrap();
    axum::Router::new().route(
        "/pact.json",
        axum::routing::get(move |headers: HeaderMap| {
            let contract = contract.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                // "ci:secret" in base64, or the bearer token.
                if auth == "Basic Y2k6c2VjcmV0" || auth == "Bearer t0ken" {
                    ([("content-type", "application/json")], contract).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }
        }),
    )
}

#[test]
fn contracts_from_urls_with_basic_and_bearer_auth() {
    let server = serve_router(contract_router());
    let url = format!("{}/pact.json", server.url);
    let provider = provider::start(Breakage::None);
    let basic = verify(&[
        "--url",
        &url,
        "--provider-base-url",
        &provider.url,
        "--user",
        "ci",
        "--password",
        "secret",
    ]);
    assert_eq!(
        basic.status.code(),
        Some(0),
        "{}{}",
        stdout(&basic),
        stderr(&basic)
    );
    let bearer = verify(&[
        "--url",
        &url,
        "--provider-base-url",
        &provider.url,
        "--token",
        "t0ken",
    ]);
    assert_eq!(bearer.status.code(), Some(0), "{}", stderr(&bearer));
    let refused = verify(&[
        "--url",
        &url,
        "--provider-base-url",
        &provider.url,
        "--token",
        "wrong",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let said = stderr(&refused);
    assert!(
        said.contains(&format!(
            "cannot load the contract at {url}: the server answered 401"
        )),
        "{said}"
    );
}

#[test]
fn a_panicking_interaction_is_reported_in_parallel_runs() {
    let dir = ScratchDir::new("panic");
    let contract = contract_with_states_and_messages(&dir);
    let (router, _) = provider::router(Breakage::None);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let verifier = Verifier::service(router)
        .options(Options {
            parallel: 2,
            parallel_with_states: true,
            ..Options::default()
        })
        .request_filter(|request| {
            if request.path.starts_with("/products/") {
                panic!("filter blew up");
            }
        });
    let report = runtime
        .block_on(verifier.verify(&loaded(&contract)))
        .unwrap();
    let results = &report.contracts[0].interactions;
    assert_eq!(results.len(), 3, "no result goes missing");
    let panicked = results
        .iter()
        .find(|r| r.description == "a product the provider does not have yet")
        .unwrap();
    assert!(
        matches!(&panicked.outcome, Outcome::Error { message } if message.contains("panicked")),
        "{panicked:?}"
    );
}

#[test]
fn framing_headers_in_contracts_do_not_corrupt_requests() {
    let dir = ScratchDir::new("framing");
    // Recorded contracts carry stale framing headers: a Content-Length of 3 for the request
    // body, and (in the stubbed copy) one of 100 for an 8-byte response body.
    let contract = |response_length: Option<&str>| {
        let mut response = json!({"status": 201, "body": {"id": 8}});
        if let Some(length) = response_length {
            response["headers"] = json!({"Content-Length": length});
        }
        json!({
            "consumer": {"name": "c"}, "provider": {"name": "catalogue"},
            "interactions": [{"description": "creating an order",
                "request": {"method": "POST", "path": "/orders",
                    "headers": {"Content-Type": "application/json", "Content-Length": "3"},
                    "body": {"productId": 10, "quantity": 2}},
                "response": response}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        })
    };
    let file = dir.write("framing.json", contract(None).to_string());
    let provider = provider::start(Breakage::None);
    // The provider answers 400 to a truncated body, so passing shows the body arrived whole.
    let out = verify(&[
        "--contract",
        file.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let file = dir.write("framing-stub.json", contract(Some("100")).to_string());
    // And served by the stub, the response body arrives whole.
    let stub = crate::stub::start(&["--contract", file.to_str().unwrap()]);
    let response = http()
        .post(format!("{}/orders", stub.url))
        .header("Content-Type", "application/json")
        .body(r#"{"productId": 10, "quantity": 2}"#)
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.json::<Value>().unwrap(), json!({"id": 8}));
}

#[test]
fn contracts_the_broker_marks_pending_or_work_in_progress_do_not_fail() {
    let (router, _app) = provider::router(Breakage::ChangedType);
    let runtime = runtime();
    let verifier = Verifier::service(router).state("a product exists", |_params, _action| async {
        Ok(serde_json::Map::new())
    });
    let verifier = verifier.state("no product 99 exists", |_params, _action| async {
        Ok(serde_json::Map::new())
    });
    let run = |context: Option<pactum::client::BrokerContext>| {
        let mut contracts = loaded(Path::new(CATALOGUE));
        contracts[0].broker = context;
        runtime.block_on(verifier.verify(&contracts)).unwrap()
    };
    // Not pending: the changed type fails the verification.
    let report = run(Some(pactum::client::BrokerContext::default()));
    assert!(!report.success());
    // Pending, or work in progress (which a Pact Broker reports without `pending` unless asked
    // for pending status): reported, but not failing.
    for context in [
        pactum::client::BrokerContext {
            pending: true,
            ..Default::default()
        },
        pactum::client::BrokerContext {
            wip: true,
            ..Default::default()
        },
    ] {
        let report = run(Some(context.clone()));
        assert!(report.success(), "{context:?}: {}", report.to_text(false));
        assert_eq!(report.summary().pending_failures, 1, "{context:?}");
    }
}

#[test]
fn comments_test_names_and_unhandled_states_are_shown_with_the_result() {
    let dir = ScratchDir::new("comments");
    let catalogue = std::fs::read(crate::support::repo_path(CATALOGUE)).unwrap();
    let mut contract: Value = serde_json::from_slice(&catalogue).unwrap();
    contract["interactions"][1]["comments"] = json!({
        "testname": "catalogue_tests::product_10",
        "text": ["the product page shows this", "ask the catalogue team first"]
    });
    let file = dir.write("commented.json", contract.to_string());
    let provider = provider::start(Breakage::None);

    // Without a state-change URL nothing sets the states up: each result says so.
    let out = verify(&[
        "--contract",
        file.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = &report["contracts"][0]["interactions"];
    assert_eq!(results[1]["testName"], "catalogue_tests::product_10");
    assert_eq!(
        results[1]["comments"],
        json!([
            "the product page shows this",
            "ask the catalogue team first"
        ])
    );
    assert_eq!(
        results[1]["warnings"],
        json!([
            "provider state 'a product exists' was not set up: no handler is registered for it and no state-change URL is configured"
        ])
    );
    assert!(results[0].get("comments").is_none(), "{results}");

    let out = verify(&[
        "--contract",
        file.to_str().unwrap(),
        "--provider-base-url",
        &provider.url,
    ]);
    let text = stdout(&out);
    for line in [
        "    test name: catalogue_tests::product_10",
        "    comment: the product page shows this",
        "    comment: ask the catalogue team first",
        "    warning: provider state 'no product 99 exists' was not set up",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }

    // With a state-change URL the states are set up: no warning.
    let out = verify_with_hooks(&file, &provider.url);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("warning:"), "{text}");
    assert!(
        text.contains("comment: the product page shows this"),
        "{text}"
    );
}
