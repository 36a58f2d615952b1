//! `pactum openapi-diff` and `openapi-coverage` with the consumers' contracts taken from a real
//! pactum broker, on SQLite and on PostgreSQL: which consumer versions count (deployed or
//! released in `--to-environment`, or anywhere plus main branch heads), each breaking change
//! named by the consumer version and interactions relying on it, exit codes, and the errors for
//! an unreachable broker, an unknown provider and an unknown environment; and the same
//! questions answered by a stand-in with the Pact Broker's resource shapes.
//!
//! The broker holds, for the provider `items` (documented by `openapi/cases/items-30`):
//! * `web` 1.0.0 on `main`, deployed in production — reads an item's `price`;
//! * `admin` 1.0.0 on `main`, deployed in production — deletes an item;
//! * `admin` 2.0.0 on `main`, not deployed — also expects the 404 of a missing item.
//!
//! The new documents remove `price` from `Item` (used in production) and the 404 of
//! `GET /items/{id}` (used only by the undeployed `admin` 2.0.0).

use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends};
use crate::support::{
    ScratchDir, pactum_command, repo_path, run, serve_router, stderr, stdout, text, unused_address,
};

const PROVIDER: &str = "items";

fn old_document() -> String {
    std::fs::read_to_string(repo_path("tests/openapi/cases/items-30/openapi.yaml")).unwrap()
}

fn without_price(document: &str) -> String {
    let changed = document.replace(
        "        price: {type: number, minimum: 0, exclusiveMinimum: true}\n",
        "",
    );
    assert_ne!(changed, document);
    changed
}

fn without_404(document: &str) -> String {
    let changed = document.replace("        404:\n          description: no such item\n", "");
    assert_ne!(changed, document);
    changed
}

/// A V3 contract of `consumer` with `items`.
fn contract(consumer: &str, interactions: Value) -> Value {
    json!({
        "consumer": {"name": consumer},
        "provider": {"name": PROVIDER},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

fn item_with_price() -> Value {
    json!({"description": "one item with its price", "request": {"method": "GET", "path": "/items/1"},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1, "name": "x", "price": 2}}})
}

fn delete_item() -> Value {
    json!({"description": "delete an item", "request": {"method": "DELETE", "path": "/items/1"},
        "response": {"status": 204}})
}

fn missing_item() -> Value {
    json!({"description": "a missing item", "request": {"method": "GET", "path": "/items/9"},
        "response": {"status": 404}})
}

fn assert_ok(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", text(out));
}

/// A broker with the three consumer versions above, `web` 1.0.0 and `admin` 1.0.0 deployed in
/// production (and the provider itself, which is no consumer of itself).
fn broker_with_consumers(kind: Kind) -> (TestDb, TestBroker) {
    let db = TestDb::new(kind);
    let broker = TestBroker::start(&db);
    let publish = |consumer: &str, version: &str, interactions: Value| {
        let (status, body) = broker.publish(
            consumer,
            version,
            Some("main"),
            &[],
            &[contract(consumer, interactions)],
        );
        assert_eq!(status, 200, "{body}");
    };
    publish("web", "1.0.0", json!([item_with_price()]));
    publish("admin", "1.0.0", json!([delete_item()]));
    publish("admin", "2.0.0", json!([delete_item(), missing_item()]));
    for (pacticipant, main) in [("web", "main"), ("admin", "main")] {
        assert_ok(&broker.pactum(&[
            "create-or-update-pacticipant",
            "--name",
            pacticipant,
            "--main-branch",
            main,
        ]));
    }
    assert_ok(&broker.pactum(&["create-environment", "--name", "production", "--production"]));
    assert_ok(&broker.pactum(&["create-environment", "--name", "test"]));
    for (pacticipant, version) in [("web", "1.0.0"), ("admin", "1.0.0"), (PROVIDER, "7")] {
        if pacticipant == PROVIDER {
            assert_ok(&broker.pactum(&[
                "create-version-tag",
                "--pacticipant",
                PROVIDER,
                "--version",
                version,
                "--tag",
                "release",
                "--auto-create-version",
            ]));
        }
        assert_ok(&broker.pactum(&[
            "record-deployment",
            "--pacticipant",
            pacticipant,
            "--version",
            version,
            "--environment",
            "production",
        ]));
    }
    (db, broker)
}

/// The change of `kind` on `operation` in an `openapi-diff --output json` report.
fn change<'a>(report: &'a Value, kind: &str, operation: &str) -> &'a Value {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"]["kind"] == kind && c["change"]["operation"] == operation)
        .unwrap_or_else(|| panic!("no {kind} on {operation} in {report:#}"))
}

#[test]
fn breaking_changes_are_named_by_the_deployed_consumer_versions_they_break() {
    for kind in backends() {
        let (_db, broker) = broker_with_consumers(kind);
        let dir = ScratchDir::new("openapi-broker-diff");
        let old = dir.write("old.yaml", old_document());
        let both = dir.write("both.yaml", without_404(&without_price(&old_document())));
        let only_404 = dir.write("only-404.yaml", without_404(&old_document()));
        let diff = |new: &std::path::Path, extra: &[&str]| {
            let mut args = vec![
                "openapi-diff",
                old.to_str().unwrap(),
                new.to_str().unwrap(),
                "--broker-url",
                &broker.url,
                "--provider",
                PROVIDER,
            ];
            args.extend_from_slice(extra);
            broker.pactum(&args)
        };

        // Production: `price` is used by web 1.0.0, the 404 by no deployed version.
        let out = diff(
            &both,
            &["--to-environment", "production", "--output", "json"],
        );
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let price = change(&report, "response.field.removed", "GET /items/{id}");
        assert_eq!(price["verdict"], "breaking, USED", "{kind:?}");
        assert_eq!(
            price["usedBy"],
            json!([{"consumer": "web", "version": "1.0.0",
                "picks": [{"kind": "deployed", "environment": "production"}],
                "interactions": ["one item with its price"]}]),
            "{kind:?}"
        );
        assert_eq!(
            price["reliedOnBy"],
            json!(["web 1.0.0: one item with its price"])
        );
        let status = change(&report, "response.status.removed", "GET /items/{id}");
        assert_eq!(status["verdict"], "breaking, unused", "{kind:?}");
        assert_eq!(status["usedBy"], json!([]));
        // The versions considered: the two consumers deployed there, not admin 2.0.0 and not
        // the provider itself.
        let considered: Vec<(&str, &str)> = report["contracts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["consumer"].as_str().unwrap(),
                    c["version"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(considered, vec![("admin", "1.0.0"), ("web", "1.0.0")]);
        assert_eq!(report["breakingUsed"], 1);

        // The table names the consumer version, where it is deployed and the interaction.
        let out = diff(&both, &["--to-environment", "production"]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", text(&out));
        let table = stdout(&out);
        assert!(
            table.contains("web 1.0.0 (deployed in production): one item with its price"),
            "{table}"
        );
        assert!(table.contains("breaking, unused"), "{table}");
        assert!(
            table.contains("1 of 4 breaking changes are relied on by consumers."),
            "{table}"
        );

        // Removing only the 404 is safe to ship to production (exit 0) …
        let out = diff(&only_404, &["--to-environment", "production"]);
        assert_ok(&out);
        assert!(
            stdout(&out).contains("none relied on by the given contracts: safe to ship"),
            "{}",
            stdout(&out)
        );
        // … but without an environment the main branch head admin 2.0.0 counts too, and it
        // relies on the 404.
        let out = diff(&only_404, &["--output", "json"]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let status = change(&report, "response.status.removed", "GET /items/{id}");
        assert_eq!(
            status["usedBy"],
            json!([{"consumer": "admin", "version": "2.0.0",
                "picks": [{"kind": "mainBranch", "branch": "main"}],
                "interactions": ["a missing item"]}]),
            "{kind:?}"
        );

        // An environment where nothing is deployed: every breaking change is unused.
        let out = diff(&both, &["--to-environment", "test"]);
        assert_ok(&out);
        assert!(
            stdout(&out).contains("No consumer version of items deployed or released in test"),
            "{}",
            stdout(&out)
        );
        // A version released (not deployed) there counts as well.
        assert_ok(&broker.pactum(&[
            "record-release",
            "--pacticipant",
            "admin",
            "--version",
            "2.0.0",
            "--environment",
            "test",
        ]));
        let out = diff(&only_404, &["--to-environment", "test", "--output", "json"]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let status = change(&report, "response.status.removed", "GET /items/{id}");
        assert_eq!(
            status["usedBy"][0]["picks"],
            json!([{"kind": "released", "environment": "test"}]),
            "{kind:?}"
        );

        // Pact files and the broker together: a file's consumer is named without a version.
        let mobile = dir.write(
            "mobile.json",
            serde_json::to_vec(&contract("mobile", json!([item_with_price()]))).unwrap(),
        );
        let out = diff(
            &both,
            &[
                "--to-environment",
                "production",
                "--pact",
                mobile.to_str().unwrap(),
                "--output",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let users: Vec<String> =
            change(&report, "response.field.removed", "GET /items/{id}")["reliedOnBy"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_owned())
                .collect();
        assert_eq!(
            users,
            vec![
                "mobile: one item with its price",
                "web 1.0.0: one item with its price"
            ]
        );
    }
}

#[test]
fn coverage_names_the_consumer_versions_from_the_broker() {
    for kind in backends() {
        let (_db, broker) = broker_with_consumers(kind);
        let dir = ScratchDir::new("openapi-broker-coverage");
        let document = dir.write("openapi.yaml", old_document());
        let coverage = |extra: &[&str]| {
            let mut args = vec![
                "openapi-coverage",
                document.to_str().unwrap(),
                "--provider",
                PROVIDER,
                "--output",
                "json",
            ];
            args.extend_from_slice(extra);
            let out = broker.pactum(&args);
            assert_ok(&out);
            serde_json::from_str::<Value>(&stdout(&out)).unwrap()
        };
        let operation = |report: &Value, label: &str| -> Value {
            report["operations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["operation"] == label)
                .cloned()
                .unwrap_or_else(|| panic!("no {label} in {report:#}"))
        };
        let status = |op: &Value, code: &str| -> Value {
            op["statuses"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["status"] == code)
                .cloned()
                .unwrap()
        };

        let production = coverage(&["--to-environment", "production"]);
        let get = operation(&production, "GET /items/{id}");
        assert_eq!(get["usedBy"], json!(["web 1.0.0"]), "{kind:?}");
        assert_eq!(status(&get, "404")["usedBy"], json!([]), "{kind:?}");
        let price = status(&get, "200")["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == "price")
            .cloned()
            .unwrap();
        assert_eq!(price["usedBy"], json!(["web 1.0.0"]));
        assert_eq!(
            operation(&production, "DELETE /items/{id}")["usedBy"],
            json!(["admin 1.0.0"])
        );
        assert_eq!(operation(&production, "POST /items")["usedBy"], json!([]));

        let everywhere = coverage(&[]);
        let get = operation(&everywhere, "GET /items/{id}");
        assert_eq!(
            get["usedBy"],
            json!(["admin 2.0.0", "web 1.0.0"]),
            "{kind:?}"
        );
        assert_eq!(status(&get, "404")["usedBy"], json!(["admin 2.0.0"]));
        assert_eq!(
            operation(&everywhere, "DELETE /items/{id}")["usedBy"],
            json!(["admin 1.0.0", "admin 2.0.0"])
        );

        // The table says where the contracts came from.
        let out = broker.pactum(&[
            "openapi-coverage",
            document.to_str().unwrap(),
            "--provider",
            PROVIDER,
            "--to-environment",
            "production",
        ]);
        assert_ok(&out);
        assert!(
            stdout(&out).contains(
                "admin 1.0.0 (deployed in production); web 1.0.0 (deployed in production)"
            ),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn broker_problems_are_clear_errors() {
    let dir = ScratchDir::new("openapi-broker-errors");
    let old = dir.write("old.yaml", old_document());
    let new = dir.write("new.yaml", without_price(&old_document()));
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());

    let nowhere = format!("http://{}", unused_address());
    let out = crate::support::pactum(&[
        "openapi-diff",
        old,
        new,
        "--broker-url",
        &nowhere,
        "--provider",
        PROVIDER,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot reach the broker at {nowhere}")),
        "{err}"
    );
    assert!(err.contains("--broker-url"), "{err}");

    let out = crate::support::pactum(&["openapi-diff", old, new, "--provider", PROVIDER]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("--provider items needs a broker: give --broker-url URL"),
        "{}",
        stderr(&out)
    );

    for kind in backends() {
        let (_db, broker) = broker_with_consumers(kind);
        let out = broker.pactum(&["openapi-diff", old, new, "--provider", "nope"]);
        assert_eq!(out.status.code(), Some(2), "{kind:?}: {}", text(&out));
        let err = stderr(&out);
        assert!(
            err.contains("`nope`") && err.contains("(--provider nope)"),
            "{err}"
        );

        let out = broker.pactum(&[
            "openapi-coverage",
            old,
            "--provider",
            PROVIDER,
            "--to-environment",
            "staging",
        ]);
        assert_eq!(out.status.code(), Some(2), "{kind:?}: {}", text(&out));
        let err = stderr(&out);
        assert!(err.contains("(--to-environment staging)"), "{err}");
        assert!(
            err.contains("the broker's environments: production, test"),
            "{err}"
        );
        // Nothing was written to stdout: no partial report.
        assert_eq!(stdout(&out), "");
    }
}

/// The broker's credentials are the broker commands' flags; without them a broker that wants
/// them is a clear error.
#[test]
fn a_broker_that_wants_credentials_gets_the_broker_commands_ones() {
    let dir = ScratchDir::new("openapi-broker-auth");
    let document = dir.write("openapi.yaml", old_document());
    let document = document.to_str().unwrap();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| {
            config.credentials.add_token("read:reader-token").unwrap();
            config.credentials.add_token("write:writer-token").unwrap();
        });
        let writer = broker.with_auth("Bearer writer-token");
        let (status, body) = writer.publish(
            "web",
            "1.0.0",
            Some("main"),
            &[],
            &[contract("web", json!([item_with_price()]))],
        );
        assert_eq!(status, 200, "{body}");
        let (status, body) = writer.patch("/pacticipants/web", &json!({"mainBranch": "main"}));
        assert!(status < 300, "{status} {body}");

        let out = crate::support::pactum(&[
            "openapi-coverage",
            document,
            "--broker-url",
            &broker.url,
            "--provider",
            PROVIDER,
            "--broker-token",
            "reader-token",
            "--output",
            "json",
        ]);
        assert_ok(&out);
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            report["contracts"][0]["picks"],
            json!([{"kind": "mainBranch", "branch": "main"}]),
            "{kind:?}"
        );

        let out = crate::support::pactum(&[
            "openapi-coverage",
            document,
            "--broker-url",
            &broker.url,
            "--provider",
            PROVIDER,
        ]);
        assert_eq!(out.status.code(), Some(2), "{kind:?}: {}", text(&out));
        assert!(
            stderr(&out).contains("requires credentials, and none were sent"),
            "{}",
            stderr(&out)
        );
    }
}

/// Answers as the Pact Broker does where its resources differ from pactum's broker's: hrefs
/// relative to the base, a branch without `latestVersion` whose `pb:latest-version` is a page
/// of the branch's versions, provider pacts named by consumer.
async fn pact_broker_shapes(uri: axum::http::Uri) -> (axum::http::StatusCode, String) {
    let answer = match uri.path() {
        "/" => json!({"_links": {
            "pb:pacticipant": {"href": "/pacticipants/{pacticipant}", "templated": true},
            "pb:latest-provider-pacts": {"href": "/pacts/provider/{provider}/latest", "templated": true},
            "pb:environments": {"href": "/environments"},
            "pb:pacticipant-branch": {"href": "/pacticipants/{pacticipant}/branches/{branch}", "templated": true},
            "pb:publish-pact": {"href": "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}", "templated": true}
        }}),
        "/pacticipants/items" => json!({"name": PROVIDER}),
        "/pacticipants/web" => json!({"name": "web", "mainBranch": "trunk"}),
        "/pacts/provider/items/latest" => json!({"_links": {"pb:pacts": [
            {"href": "/pacts/provider/items/consumer/web/version/3", "title": "Pact between web (3) and items", "name": "web"}
        ]}}),
        "/environments" => json!({"_embedded": {"environments": []}}),
        "/pacticipants/web/branches/trunk" => json!({"name": "trunk", "_links": {
            "pb:latest-version": {"href": "/pacticipants/web/branches/trunk/versions?pageSize=1"}
        }}),
        "/pacticipants/web/branches/trunk/versions" => {
            json!({"_embedded": {"versions": [{"number": "3"}]}})
        }
        "/pacts/provider/items/consumer/web/version/3" => {
            contract("web", json!([item_with_price()]))
        }
        _ => return (axum::http::StatusCode::NOT_FOUND, String::new()),
    };
    (axum::http::StatusCode::OK, answer.to_string())
}

/// The consumer versions are found through the Pact Broker's resources too.
#[test]
fn another_pact_broker_answers_as_well() {
    let other = serve_router(axum::Router::new().fallback(pact_broker_shapes));
    let dir = ScratchDir::new("openapi-other-broker");
    let old = dir.write("old.yaml", old_document());
    let new = dir.write("new.yaml", without_price(&old_document()));
    let out = run(pactum_command().args([
        "openapi-diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--broker-url",
        &other.url,
        "--provider",
        PROVIDER,
        "--output",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        change(&report, "response.field.removed", "GET /items/{id}")["usedBy"],
        json!([{"consumer": "web", "version": "3",
            "picks": [{"kind": "mainBranch", "branch": "trunk"}],
            "interactions": ["one item with its price"]}])
    );
}
