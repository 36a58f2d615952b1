//! The consumer side as a Rust consumer test uses it: declare interactions, call the mock
//! server over real HTTP, and check the contract file written (or not written).

use std::path::Path;
use std::process::Command;

use pactum::consumer::*;
use pactum::contract::{InteractionKind, Pact, SpecVersion};
use pactum::pattern;
use serde_json::{Value, json};

use crate::support::{ScratchDir, http};

fn catalogue_pact(dir: &Path) -> PactBuilder {
    let mut pact = PactBuilder::new("web-shop", "catalogue").output_dir(dir);
    pact.interaction("a request for product 10", |i| {
        i.given_with("a product exists", json!({"id": 10}))
            .with_request(|r| {
                r.get("/products/10")
                    .header("Accept", "application/json")
                    .query("fields", "all")
            })
            .will_respond_with(|r| {
                r.status(200).json_body(pattern!({
                    "id": integer(10),
                    "name": like("Widget"),
                    "price": decimal(9.99),
                    "tags": each_like("hardware", 1),
                    "updated": datetime("yyyy-MM-dd'T'HH:mm:ss", "2024-05-01T10:00:00"),
                }))
            })
    })
    .unwrap();
    pact.interaction("a search with no results", |i| {
        i.with_request(|r| r.get(regex("/search/[a-z]+", "/search/nothing")))
            .will_respond_with(|r| r.status(404))
    })
    .unwrap();
    pact
}

#[test]
fn a_passing_test_writes_a_v4_contract() {
    let dir = ScratchDir::new("passing");
    let server = catalogue_pact(&dir).start_mock_server().unwrap();
    let response = http()
        .get(server.path("/products/10?fields=all"))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    assert_eq!(body["id"], 10);
    assert_eq!(body["tags"], json!(["hardware"]));
    assert_eq!(
        http()
            .get(server.path("/search/gizmos"))
            .send()
            .unwrap()
            .status(),
        404
    );

    let file = server.finish().unwrap();
    assert_eq!(file, dir.join("web-shop-catalogue.json"));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written["metadata"]["pactSpecification"]["version"], "4.0");
    assert_eq!(
        written["metadata"]["pactum"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    let first = &written["interactions"][0];
    assert_eq!(
        first["description"], "a request for product 10",
        "interactions are sorted"
    );
    assert_eq!(first["providerStates"][0]["params"]["id"], 10);
    let rules = &first["response"]["matchingRules"]["body"];
    assert_eq!(rules["$.id"]["matchers"][0]["match"], "integer");
    assert_eq!(
        rules["$.tags"]["matchers"][0],
        json!({"match": "type", "min": 1})
    );
    assert_eq!(
        rules["$.updated"]["matchers"][0]["format"],
        "yyyy-MM-dd'T'HH:mm:ss"
    );
    assert_eq!(
        written["interactions"][1]["request"]["matchingRules"]["path"]["matchers"][0]["match"],
        "regex"
    );
    // The written file loads back, and pretty output ends with a newline.
    assert!(Pact::load(&file).is_ok());
    assert!(std::fs::read_to_string(&file).unwrap().ends_with("}\n"));
}

#[test]
fn v3_is_written_on_request() {
    let dir = ScratchDir::new("v3");
    let server = catalogue_pact(&dir)
        .specification(SpecVersion::V3)
        .start_mock_server()
        .unwrap();
    http()
        .get(server.path("/products/10?fields=all"))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    http().get(server.path("/search/x")).send().unwrap();
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(server.finish().unwrap()).unwrap()).unwrap();
    assert_eq!(written["metadata"]["pactSpecification"]["version"], "3.0.0");
    assert!(
        written["interactions"][0]["response"]["body"].is_object(),
        "V3 bodies are plain JSON"
    );
}

#[test]
fn an_unexpected_request_gets_a_500_explaining_the_closest_interaction_and_no_contract() {
    let dir = ScratchDir::new("unexpected");
    let server = catalogue_pact(&dir).start_mock_server().unwrap();
    let response = http()
        .get(server.path("/products/11?fields=all"))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["closest"][0]["interaction"],
        "a request for product 10"
    );
    assert_eq!(body["closest"][0]["mismatches"][0]["kind"], "path");
    let err = server.finish().unwrap_err();
    let report = err.to_string();
    assert!(
        report.contains("unexpected request: GET /products/11?fields=all"),
        "{report}"
    );
    assert!(
        report.contains("never received: 'a request for product 10'"),
        "{report}"
    );
    assert!(
        report.contains("expected path '/products/10' but got '/products/11'"),
        "{report}"
    );
    assert!(
        !dir.join("web-shop-catalogue.json").exists(),
        "no contract after a failure"
    );
}

#[test]
fn a_request_with_a_wrong_body_field_is_reported_with_the_field() {
    let dir = ScratchDir::new("body");
    let mut pact = PactBuilder::new("web-shop", "orders").output_dir(&dir);
    pact.interaction("creating an order", |i| {
        i.with_request(|r| {
            r.post("/orders")
                .json_body(pattern!({"productId": integer(10), "quantity": integer(1)}))
        })
        .will_respond_with(|r| r.status(201))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let response = http()
        .post(server.path("/orders"))
        .header("Content-Type", "application/json")
        .body(r#"{"productId": "10", "quantity": 1}"#)
        .send()
        .unwrap();
    assert_eq!(response.status(), 500);
    let report = server.finish().unwrap_err().to_string();
    assert!(
        report.contains("$.productId: expected an integer but got \"10\" (string)"),
        "{report}"
    );
}

#[test]
fn dropping_an_unsatisfied_mock_server_fails_the_test() {
    let dir = ScratchDir::new("drop");
    let result = std::panic::catch_unwind(|| {
        let server = catalogue_pact(&dir).start_mock_server().unwrap();
        drop(server);
    });
    let panic = result.unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("never received"), "{message}");
}

#[test]
fn examples_that_break_their_own_matcher_are_rejected_when_declared() {
    let cases: [(Pattern, &str); 4] = [
        (
            pattern!({"id": regex("\\d+", "abc")}),
            "$.id: expected a value matching the regex '\\d+' but got 'abc'",
        ),
        (
            pattern!({"when": date("yyyy-MM-dd", "01/02/2024")}),
            "$.when: expected a date in the format 'yyyy-MM-dd'",
        ),
        (
            pattern!({"n": each_like_between(1, 3, 2)}),
            "max (2) is less than min (3)",
        ),
        (
            pattern!({"re": regex("(", "x")}),
            "invalid regular expression '('",
        ),
    ];
    for (body, needle) in cases {
        let mut pact = PactBuilder::new("c", "p");
        let err = pact
            .interaction("bad", |i| {
                i.will_respond_with(|r| r.json_body(body.clone()))
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("interaction 'bad'") && err.contains(needle),
            "{err}"
        );
    }
}

#[test]
fn cors_preflight_is_answered() {
    let dir = ScratchDir::new("cors");
    let mut pact = PactBuilder::new("browser-app", "api").output_dir(&dir);
    pact.interaction("a list", |i| {
        i.with_request(|r| r.get("/list"))
            .will_respond_with(|r| r.json_body(json!([])))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let preflight = http()
        .request(reqwest::Method::OPTIONS, server.path("/list"))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let response = http()
        .get(server.path("/list"))
        .header("Origin", "http://localhost:3000")
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    server.finish().unwrap();
}

#[test]
fn generators_run_in_mock_responses() {
    let dir = ScratchDir::new("generators");
    let mut pact = PactBuilder::new("c", "links").output_dir(&dir);
    pact.interaction("an item with links", |i| {
        i.with_request(|r| r.get("/items/1"))
            .will_respond_with(|r| {
                r.json_body(pattern!({
                    "self": mock_server_url(".*(/items/\\d+)$", "http://example.org/items/1"),
                    "token": uuid_generated("00000000-0000-4000-8000-000000000000"),
                }))
            })
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let body: Value = http()
        .get(server.path("/items/1"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(body["self"], format!("{}/items/1", server.url()));
    assert_ne!(body["token"], "00000000-0000-4000-8000-000000000000");
    server.finish().unwrap();
}

#[test]
fn messages_are_handed_to_the_handler_and_recorded() {
    let dir = ScratchDir::new("messages");
    let mut pact = PactBuilder::new("invoicing", "orders").output_dir(&dir);
    let mut seen = Vec::new();
    pact.message(
        "an order was placed",
        |m| {
            m.given("an order exists")
                .json_contents(pattern!({"orderId": integer(5), "total": decimal(12.5)}))
                .metadata("topic", "orders.placed")
        },
        |message| {
            let contents: Value =
                serde_json::from_slice(&message.contents.to_bytes()).map_err(|e| e.to_string())?;
            seen.push(contents["orderId"].clone());
            Ok::<_, String>(())
        },
    )
    .unwrap();
    let err = pact
        .message(
            "a rejected message",
            |m| m.json_contents(json!({"x": 1})),
            |_| Err("cannot handle it"),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the handler for message 'a rejected message' failed: cannot handle it")
    );
    pact.sync_message(
        "a price query",
        |s| {
            s.request(|m| m.json_contents(json!({"sku": "A-1"})))
                .response(|m| m.json_contents(pattern!({"price": decimal(1.5)})))
        },
        |request, responses| {
            assert_eq!(request.metadata["contentType"], "application/json");
            assert_eq!(responses.len(), 1);
            Ok::<_, String>(())
        },
    )
    .unwrap();
    assert_eq!(seen, vec![json!(5)]);
    let file = pact.write().unwrap();
    let written = Pact::load(&file).unwrap();
    assert_eq!(
        written.interactions.len(),
        2,
        "the rejected message is not recorded"
    );
    // Sorted by description, so files do not depend on the order tests ran in.
    let kinds: Vec<&str> = written
        .interactions
        .iter()
        .map(|i| i.kind.v4_type())
        .collect();
    assert_eq!(kinds, ["Synchronous/Messages", "Asynchronous/Messages"]);
    let InteractionKind::AsyncMessage(message) = &written.interactions[1].kind else {
        panic!()
    };
    assert_eq!(message.metadata["topic"], "orders.placed");
}

#[test]
fn parallel_tests_merge_into_one_contract_and_conflicts_are_errors() {
    let dir = ScratchDir::new("parallel");
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let dir = dir.to_path_buf();
            std::thread::spawn(move || {
                let mut pact = PactBuilder::new("app", "api").output_dir(&dir);
                pact.interaction(&format!("request {n}"), |i| {
                    i.with_request(|r| r.get(format!("/things/{n}").as_str()))
                        .will_respond_with(|r| r.status(200))
                })
                .unwrap();
                let server = pact.start_mock_server().unwrap();
                assert_eq!(
                    http()
                        .get(server.path(&format!("/things/{n}")))
                        .send()
                        .unwrap()
                        .status(),
                    200
                );
                server.finish().unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let written = Pact::load(&dir.join("app-api.json")).unwrap();
    let descriptions: Vec<&str> = written
        .interactions
        .iter()
        .map(|i| i.description.as_str())
        .collect();
    assert_eq!(
        descriptions,
        (0..8).map(|n| format!("request {n}")).collect::<Vec<_>>()
    );
    // The lock (and any temporary file) stays in the hidden `.pactum` folder: the directory
    // lists the contract only, ready for `pactum publish`.
    assert_eq!(listing(&dir), ["app-api.json", ".pactum"]);
    assert_eq!(listing(&dir.join(".pactum")), ["app-api.json.lock"]);

    // The same interaction declared differently by another test is a clear error.
    let mut pact = PactBuilder::new("app", "api").output_dir(&dir);
    pact.interaction("request 3", |i| {
        i.with_request(|r| r.get("/things/3"))
            .will_respond_with(|r| r.status(500))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    http().get(server.path("/things/3")).send().unwrap();
    let err = server.finish().unwrap_err().to_string();
    assert!(
        err.contains("interaction 'request 3' is declared twice with different content"),
        "{err}"
    );
    assert_eq!(
        Pact::load(&dir.join("app-api.json"))
            .unwrap()
            .interactions
            .len(),
        8,
        "nothing lost"
    );
}

/// Run by `separate_processes_merge_into_one_contract` in child processes; does nothing when
/// run normally.
#[test]
fn writer_process() {
    let (Ok(dir), Ok(n)) = (
        std::env::var("PACTUM_TEST_WRITER_DIR"),
        std::env::var("PACTUM_TEST_WRITER_ID"),
    ) else {
        return;
    };
    let mut pact = PactBuilder::new("multi", "process").output_dir(&dir);
    for k in 0..5 {
        pact.interaction(&format!("process {n} request {k}"), |i| {
            i.with_request(|r| r.get(format!("/p/{n}/{k}").as_str()))
                .will_respond_with(|r| r.status(204))
        })
        .unwrap();
    }
    let server = pact.start_mock_server().unwrap();
    for k in 0..5 {
        http()
            .get(server.path(&format!("/p/{n}/{k}")))
            .send()
            .unwrap();
    }
    server.finish().unwrap();
}

/// The names in a directory: files by name, then folders.
fn listing(dir: &Path) -> Vec<String> {
    let mut entries: Vec<(bool, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_type().unwrap().is_dir(),
                entry.file_name().to_string_lossy().into_owned(),
            )
        })
        .collect();
    entries.sort();
    entries.into_iter().map(|(_, name)| name).collect()
}

fn run_writers(dir: &Path, run_id: &str, ids: std::ops::Range<usize>) {
    let children: Vec<_> = ids
        .map(|n| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "consumer::writer_process", "--nocapture"])
                .env("PACTUM_TEST_WRITER_DIR", dir)
                .env("PACTUM_TEST_WRITER_ID", n.to_string())
                .env("PACTUM_PACT_RUN_ID", run_id)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn separate_processes_merge_into_one_contract_and_a_new_run_starts_afresh() {
    let dir = ScratchDir::new("processes");
    run_writers(&dir, "run-1", 0..4);
    let written = Pact::load(&dir.join("multi-process.json")).unwrap();
    assert_eq!(
        written.interactions.len(),
        20,
        "4 processes x 5 interactions, none lost or duplicated"
    );

    // A later test run replaces what the earlier run wrote.
    run_writers(&dir, "run-2", 7..8);
    let written = Pact::load(&dir.join("multi-process.json")).unwrap();
    let descriptions: Vec<&str> = written
        .interactions
        .iter()
        .map(|i| i.description.as_str())
        .collect();
    assert_eq!(descriptions.len(), 5);
    assert!(
        descriptions.iter().all(|d| d.starts_with("process 7 ")),
        "{descriptions:?}"
    );
    assert_eq!(listing(&dir), ["multi-process.json", ".pactum"]);
}

#[test]
fn a_test_that_fails_after_its_requests_writes_no_contract() {
    let dir = ScratchDir::new("failing-test");
    let result = std::panic::catch_unwind(|| {
        let mut pact = PactBuilder::new("c", "p").output_dir(&dir);
        pact.interaction("x", |i| {
            i.with_request(|r| r.get("/x"))
                .will_respond_with(|r| r.status(200))
        })
        .unwrap();
        let server = pact.start_mock_server().unwrap();
        let status = http().get(server.path("/x")).send().unwrap().status();
        assert_eq!(status, 201, "the consumer's own assertion fails");
        drop(server);
    });
    assert!(result.is_err());
    assert!(
        !dir.join("c-p.json").exists(),
        "no contract from a failing test"
    );
}

#[test]
fn the_same_request_under_two_provider_states_is_served_once_each() {
    let dir = ScratchDir::new("same-request");
    let mut pact = PactBuilder::new("c", "users").output_dir(&dir);
    pact.interaction("get user", |i| {
        i.given("user exists")
            .with_request(|r| r.get("/u/1"))
            .will_respond_with(|r| r.status(200))
    })
    .unwrap();
    pact.interaction("get user", |i| {
        i.given("user gone")
            .with_request(|r| r.get("/u/1"))
            .will_respond_with(|r| r.status(404))
    })
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    let first = http().get(server.path("/u/1")).send().unwrap().status();
    let second = http().get(server.path("/u/1")).send().unwrap().status();
    assert_eq!((first.as_u16(), second.as_u16()), (200, 404));
    server.finish().unwrap();
}

#[test]
fn an_array_or_null_alternative() {
    let dir = ScratchDir::new("or");
    let mut pact = PactBuilder::new("c", "p").output_dir(&dir);
    pact.interaction("maybe items", |i| {
        i.with_request(|r| r.get("/items"))
            .will_respond_with(|r| r.json_body(pattern!({"items": each_like(1, 1).or(null())})))
    })
    .unwrap();
    let InteractionKind::Http { response, .. } = &pact.pact().interactions[0].kind else {
        panic!()
    };
    let actual = |body: Value| {
        pactum::contract::Response::from_json(
            &json!({"status": 200, "headers": {"Content-Type": "application/json"}, "body": body}),
            SpecVersion::V4,
            "$",
        )
        .unwrap()
    };
    assert!(
        pactum::matching::match_response(response, &actual(json!({"items": [5, 6]}))).is_empty()
    );
    assert!(pactum::matching::match_response(response, &actual(json!({"items": null}))).is_empty());
    assert!(
        !pactum::matching::match_response(response, &actual(json!({"items": "no"}))).is_empty()
    );
    let server = pact.start_mock_server().unwrap();
    http().get(server.path("/items")).send().unwrap();
    server.finish().unwrap();
}

#[test]
fn pairs_whose_names_share_a_file_name_are_not_merged() {
    let dir = ScratchDir::new("names");
    for (consumer, provider) in [("a-b", "c"), ("a", "b-c")] {
        let mut pact = PactBuilder::new(consumer, provider).output_dir(&dir);
        pact.interaction("x", |i| {
            i.with_request(|r| r.get("/x"))
                .will_respond_with(|r| r.status(200))
        })
        .unwrap();
        let server = pact.start_mock_server().unwrap();
        http().get(server.path("/x")).send().unwrap();
        let result = server.finish();
        if consumer == "a" {
            let err = result.unwrap_err().to_string();
            assert!(
                err.contains("holds the contract between 'a-b' and 'c', not this one"),
                "{err}"
            );
        } else {
            result.unwrap();
        }
    }
}

#[test]
fn repeated_query_values_must_agree_on_their_matcher() {
    let mut pact = PactBuilder::new("c", "p");
    let err = pact
        .interaction("ids", |i| {
            i.with_request(|r| {
                r.get("/x")
                    .query("id", "abc")
                    .query("id", regex("\\d+", "2"))
            })
            .will_respond_with(|r| r.status(200))
        })
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("query parameter 'id': its values carry different matchers"),
        "{err}"
    );
    // The same matcher on every value is fine, and applies to each.
    pact.interaction("ids", |i| {
        i.with_request(|r| {
            r.get("/x")
                .query("id", regex("\\d+", "1"))
                .query("id", regex("\\d+", "2"))
        })
        .will_respond_with(|r| r.status(200))
    })
    .unwrap();
}

#[test]
fn v4_key_pending_and_comments_are_written_for_every_kind_of_interaction() {
    let dir = ScratchDir::new("v4-attributes");
    let mut pact = PactBuilder::new("web-shop", "catalogue").output_dir(&*dir);
    pact.interaction("an HTTP request", |i| {
        i.key("http-1")
            .pending(true)
            .comment("first")
            .comment("second")
            .with_request(|r| r.get("/a"))
    })
    .unwrap();
    pact.message(
        "a message",
        |m| {
            m.key("async-1")
                .pending(true)
                .comment("about the message")
                .json_contents(json!({"a": 1}))
        },
        |_| Ok::<_, String>(()),
    )
    .unwrap();
    pact.sync_message(
        "a synchronous message",
        |s| {
            s.given("a state")
                .key("sync-1")
                .comment("about the exchange")
                .pending(true)
                .request(|m| m.json_contents(json!({"q": 1})))
                .response(|m| m.json_contents(json!({"r": 2})))
        },
        |_, _| Ok::<_, String>(()),
    )
    .unwrap();
    let server = pact.start_mock_server().unwrap();
    assert_eq!(http().get(server.path("/a")).send().unwrap().status(), 200);
    let file = server.finish().unwrap();
    let json: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let by_key = |key: &str| {
        json["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap_or_else(|| panic!("no interaction with key {key}: {json}"))
            .clone()
    };
    let http = by_key("http-1");
    assert_eq!(http["pending"], true);
    assert_eq!(http["comments"], json!({"text": ["first", "second"]}));
    let message = by_key("async-1");
    assert_eq!(message["type"], "Asynchronous/Messages");
    assert_eq!(message["pending"], true);
    assert_eq!(message["comments"], json!({"text": ["about the message"]}));
    let exchange = by_key("sync-1");
    assert_eq!(exchange["type"], "Synchronous/Messages");
    assert_eq!(exchange["pending"], true);
    assert_eq!(
        exchange["comments"],
        json!({"text": ["about the exchange"]})
    );
    assert_eq!(exchange["providerStates"][0]["name"], "a state");
}
