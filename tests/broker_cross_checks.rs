//! Cross-checks in the gate, on SQLite and PostgreSQL with real brokers: consumer contracts and
//! a provider's OpenAPI document are published, the broker computes the cross-checks in the
//! background, and `pactum can-i-deploy` (table and JSON), `/matrix`, pacts for verification
//! (pending) and `pactum cross-check` use them; a pact verification of the same pair wins; the
//! official Ruby `pact-broker can-i-deploy` agrees. Pending work survives a restart, and two
//! instances on one PostgreSQL compute each pair once.

use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use pactum::broker_api::ProviderVersionCrossChecks;
use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends};
use crate::support::clients::OfficialClients;
use crate::support::{run, runtime, text};

const PROVIDER: &str = "order-api";

/// order-api's document: `GET /orders/{id}` answers an order with a numeric total.
const ORDERS_OAS: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Orders", "version": "1"},
  "paths": {
    "/orders/{id}": {
      "get": {
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {
          "200": {
            "description": "an order",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["id", "total"],
              "properties": {"id": {"type": "integer"}, "total": {"type": "number"}}
            }}}
          }
        }
      }
    }
  }
}"#;

/// A contract of `consumer` with order-api: one interaction, `GET /orders/7`, expecting `body`.
fn order_pact(consumer: &str, description: &str, body: Value) -> Value {
    json!({
        "consumer": {"name": consumer},
        "provider": {"name": PROVIDER},
        "interactions": [{
            "description": description,
            "request": {"method": "GET", "path": "/orders/7"},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": body
            }
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

/// A contract the document satisfies.
fn compatible(consumer: &str) -> Value {
    order_pact(consumer, "get order 7", json!({"id": 7, "total": 10.5}))
}

/// A contract expecting a text total, which the document's number is not.
fn incompatible(consumer: &str) -> Value {
    order_pact(consumer, "get order 7", json!({"id": 7, "total": "ten"}))
}

fn publish_document(broker: &TestBroker, version: &str, branch: &str, self_verified: bool) {
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let (status, body) = broker.post(
        &format!("/provider-contracts/provider/{PROVIDER}/publish"),
        &json!({
            "pacticipantVersionNumber": version,
            "branch": branch,
            "contract": {
                "content": encode(ORDERS_OAS),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {
                    "success": self_verified,
                    "content": encode("12 tests"),
                    "contentType": "text/plain",
                    "verifier": "schemathesis"
                }
            }
        }),
    );
    assert_eq!(status, 200, "{body}");
}

fn publish_pact(broker: &TestBroker, pact: &Value, version: &str, branch: &str) {
    let consumer = pact["consumer"]["name"].as_str().unwrap();
    let (status, body) = broker.publish(
        consumer,
        version,
        Some(branch),
        &[],
        std::slice::from_ref(pact),
    );
    assert_eq!(status, 200, "{body}");
}

fn environment(broker: &TestBroker, name: &str) -> String {
    let (status, body) = broker.post("/environments", &json!({"name": name, "production": true}));
    assert_eq!(status, 201, "{body}");
    body["uuid"].as_str().unwrap().to_owned()
}

fn deploy(broker: &TestBroker, pacticipant: &str, version: &str, env_uuid: &str) {
    let (status, body) = broker.post(
        &format!("/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{env_uuid}"),
        &json!({}),
    );
    assert!(status == 200 || status == 201, "{body}");
}

/// Waits until the broker holds `expected` cross-checks and none is pending (`/metrics`).
fn wait_for_cross_checks(broker: &TestBroker, expected: i64) {
    let started = Instant::now();
    while broker.count("crossChecksPending") != 0 || broker.count("crossChecks") != expected {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not {expected} cross-checks computed after a minute: {}",
            broker.ok("/metrics")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `pactum can-i-deploy` for one version to an environment: (exit code, text, JSON answer).
fn can_i_deploy(
    broker: &TestBroker,
    pacticipant: &str,
    version: &str,
    env: &str,
) -> (i32, String, Value) {
    let args = [
        "can-i-deploy",
        "--pacticipant",
        pacticipant,
        "--version",
        version,
        "--to-environment",
        env,
    ];
    let out = broker.pactum(&args);
    let said = text(&out);
    let json_out = broker.pactum(&[&args[..], &["--output", "json"]].concat());
    assert_eq!(json_out.status.code(), out.status.code(), "{said}");
    let answer: Value = serde_json::from_slice(&json_out.stdout).unwrap_or_else(|e| {
        panic!(
            "can-i-deploy --output json is not JSON ({e}): {}",
            text(&json_out)
        )
    });
    (out.status.code().unwrap(), said, answer)
}

fn pending_of(broker: &TestBroker, branch: &str) -> Vec<(String, bool)> {
    let (status, body) = broker.post(
        &format!("/pacts/provider/{PROVIDER}/for-verification"),
        &json!({"providerVersionBranch": branch, "includePendingStatus": true,
                "consumerVersionSelectors": [{"mainBranch": true}]}),
    );
    assert_eq!(status, 200, "{body}");
    let mut found: Vec<(String, bool)> = body["_embedded"]["pacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pact| {
            let name = pact["_links"]["self"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (
                name,
                pact["verificationProperties"]["pending"].as_bool().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn cross_checks_gate_deployments_with_the_comparator_code_named() {
    let official = OfficialClients::find();
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let production = environment(&broker, "production");
        for consumer in ["web-shop", "mobile-app"] {
            broker.patch(
                &format!("/pacticipants/{consumer}"),
                &json!({"mainBranch": "main"}),
            );
        }
        broker.patch(
            &format!("/pacticipants/{PROVIDER}"),
            &json!({"mainBranch": "main"}),
        );
        // web-shop 0.9.0 is superseded on its branch before the document exists: no
        // publication enqueues its pair, the gate's question does.
        publish_pact(
            &broker,
            &order_pact("web-shop", "get order seven", json!({"id": 7})),
            "0.9.0",
            "main",
        );
        publish_pact(&broker, &compatible("web-shop"), "1.0.0", "main");
        publish_pact(&broker, &incompatible("mobile-app"), "2.0.0", "main");
        publish_document(&broker, "3.0.0", "main", true);
        deploy(&broker, PROVIDER, "3.0.0", &production);
        wait_for_cross_checks(&broker, 2); // the two consumers' newest contracts

        // A passing pair: yes, from the cross-check, which stands in for a verification.
        let (code, said, answer) = can_i_deploy(&broker, "web-shop", "1.0.0", "production");
        assert_eq!(code, 0, "{said}");
        assert!(said.contains("Computer says yes"), "{said}");
        assert!(
            said.contains("compatible with order-api's OpenAPI document"),
            "{said}"
        );
        let row = &answer["matrix"][0];
        assert_eq!(row["verificationResult"]["success"], true, "{answer}");
        assert_eq!(row["crossCheck"]["status"], "success", "{answer}");
        assert_eq!(
            row["crossCheck"]["selfVerificationSuccess"], true,
            "{answer}"
        );

        // A failing pair: no, naming the code, the interaction and the field, in both forms.
        let (code, said, answer) = can_i_deploy(&broker, "mobile-app", "2.0.0", "production");
        assert_eq!(code, 1, "{said}");
        let named = "response.body.incompatible in 'get order 7' at response.body.total";
        assert!(said.contains("Computer says no"), "{said}");
        assert!(said.contains(named), "{said}");
        assert!(
            answer["summary"]["reason"]
                .as_str()
                .unwrap()
                .contains(named),
            "{answer}"
        );
        assert_eq!(answer["summary"]["deployable"], false, "{answer}");
        let row = &answer["matrix"][0];
        assert_eq!(row["verificationResult"]["success"], false, "{answer}");
        assert_eq!(row["crossCheck"]["status"], "failure", "{answer}");
        assert_eq!(row["crossCheck"]["errors"], 1, "{answer}");

        // The official Ruby client reads the same answers.
        if let Some(clients) = &official {
            for (consumer, version, exit) in [("web-shop", "1.0.0", 0), ("mobile-app", "2.0.0", 1)]
            {
                let out = run(Command::new(clients.ruby_broker_client())
                    .args([
                        "can-i-deploy",
                        "--pacticipant",
                        consumer,
                        "--version",
                        version,
                    ])
                    .args([
                        "--to-environment",
                        "production",
                        "--broker-base-url",
                        &broker.url,
                    ]));
                assert_eq!(
                    out.status.code(),
                    Some(exit),
                    "official Ruby can-i-deploy {consumer}\n{}",
                    text(&out)
                );
            }
        }

        // Pending: a passed cross-check on the provider's branch ends pending, a failed one not.
        assert_eq!(
            pending_of(&broker, "main"),
            vec![
                (
                    "Pact between mobile-app (2.0.0) and order-api".to_owned(),
                    true
                ),
                (
                    "Pact between web-shop (1.0.0) and order-api".to_owned(),
                    false
                ),
            ]
        );

        // `pactum cross-check`: every finding, exit 1 while one fails; one consumer's: exit 0.
        let out = broker.pactum(&[
            "cross-check",
            "--provider",
            PROVIDER,
            "--provider-version",
            "3.0.0",
        ]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        for expected in [
            "response.body.incompatible in 'get order 7' (GET /orders/{id})",
            "in the contract: [root].interactions[0].response.body.total",
            "in the document: [root].paths./orders/{id}.get.responses.200",
            "self-verification by schemathesis passed",
        ] {
            assert!(said.contains(expected), "missing `{expected}`:\n{said}");
        }
        let out = broker.pactum(&[
            "cross-check",
            "--provider",
            PROVIDER,
            "--provider-version",
            "3.0.0",
            "--consumer",
            "web-shop",
            "--output",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let checks: ProviderVersionCrossChecks = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(checks.cross_checks.len(), 1, "{checks:?}");
        assert_eq!(checks.cross_checks[0].consumer.as_deref(), Some("web-shop"));
        assert_eq!(
            checks.cross_checks[0].consumer_versions,
            vec!["1.0.0".to_owned()]
        );
        assert_eq!(checks.cross_checks[0].status, "success");
        let out = broker.pactum(&[
            "cross-check",
            "--provider",
            PROVIDER,
            "--provider-version",
            "9.9.9",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));

        // A pair no publication enqueued: unknown while being computed, then known.
        // (One question: the worker may have computed it by the next.)
        let answer =
            broker.ok("/can-i-deploy?pacticipant=web-shop&version=0.9.0&environment=production");
        assert_eq!(answer["summary"]["deployable"], Value::Null, "{answer}");
        let reason = answer["summary"]["reason"].as_str().unwrap();
        assert!(reason.contains("is being computed"), "{answer}");
        wait_for_cross_checks(&broker, 3);
        let (code, said, _) = can_i_deploy(&broker, "web-shop", "0.9.0", "production");
        assert_eq!(code, 0, "{said}");

        // A pact verification of the pair by the provider version wins over the cross-check.
        let contract = broker.ok(&format!(
            "/pacts/provider/{PROVIDER}/consumer/mobile-app/version/2.0.0"
        ));
        let url = contract["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap();
        let (status, body) = broker.post(
            url,
            &json!({"success": true, "providerApplicationVersion": "3.0.0"}),
        );
        assert_eq!(status, 201, "{body}");
        let (code, said, answer) = can_i_deploy(&broker, "mobile-app", "2.0.0", "production");
        assert_eq!(code, 0, "{said}");
        assert!(answer["matrix"][0].get("crossCheck").is_none(), "{answer}");
        assert!(said.contains("verified successfully"), "{said}");

        // A document whose own tests failed: no, saying so, whatever the cross-check says.
        let staging = environment(&broker, "staging");
        publish_document(&broker, "3.1.0", "main", false);
        deploy(&broker, PROVIDER, "3.1.0", &staging);
        let (code, said, answer) = can_i_deploy(&broker, "web-shop", "1.0.0", "staging");
        assert_eq!(code, 1, "{said}");
        assert_eq!(answer["summary"]["deployable"], false, "{answer}");
        assert!(
            said.contains("failed self-verification (schemathesis)"),
            "{said}"
        );
    }
}

#[test]
fn pending_cross_checks_survive_a_restart() {
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        // An instance that computes none: the work waits in the database.
        let idle = TestBroker::start_with(&db, |config| config.cross_checks.concurrency = 0);
        let production = environment(&idle, "production");
        publish_pact(&idle, &compatible("web-shop"), "1.0.0", "main");
        publish_document(&idle, "3.0.0", "main", true);
        deploy(&idle, PROVIDER, "3.0.0", &production);
        let (code, said, answer) = can_i_deploy(&idle, "web-shop", "1.0.0", "production");
        assert_eq!(code, 1, "{said}");
        assert_eq!(answer["summary"]["deployable"], Value::Null, "{answer}");
        assert!(said.contains("is being computed"), "{said}");
        assert_eq!(
            answer["matrix"][0]["crossCheck"]["status"], "pending",
            "{answer}"
        );
        assert_eq!(idle.count("crossChecksPending"), 1);
        let out = idle.pactum(&[
            "cross-check",
            "--provider",
            PROVIDER,
            "--provider-version",
            "3.0.0",
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("web-shop: being computed by the broker"),
            "{}",
            text(&out)
        );
        drop(idle);

        let restarted = TestBroker::start(&db);
        wait_for_cross_checks(&restarted, 1);
        let (code, said, _) = can_i_deploy(&restarted, "web-shop", "1.0.0", "production");
        assert_eq!(code, 0, "{said}");
        drop(restarted);

        // A document stored before migration 0005 has no hash and no cross-checks: the worker
        // hashes it at start and computes its pairs.
        execute(
            &db,
            kind,
            "UPDATE provider_contracts SET content_sha = NULL; DELETE FROM cross_checks",
        );
        let upgraded = TestBroker::start(&db);
        wait_for_cross_checks(&upgraded, 1);
        let (code, said, _) = can_i_deploy(&upgraded, "web-shop", "1.0.0", "production");
        assert_eq!(code, 0, "{said}");
    }
}

/// Runs SQL on a test database directly (to make it look like an older broker left it).
fn execute(db: &TestDb, kind: Kind, sql: &str) {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    runtime().block_on(async {
        match kind {
            Kind::Sqlite => {
                let url = format!("sqlite://{}", db.url);
                let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
            }
            Kind::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
            }
        }
    });
}

#[test]
fn two_instances_on_one_postgres_compute_each_pair_once() {
    if !backends().contains(&Kind::Postgres) {
        return; // PACTUM_SKIP_POSTGRES: backends() has already applied the skip policy
    }
    let db = TestDb::new(Kind::Postgres);
    let first = TestBroker::start(&db);
    let second = TestBroker::start(&db);
    publish_document(&first, "3.0.0", "main", true);
    const CONSUMERS: usize = 16;
    for n in 0..CONSUMERS {
        let broker = if n % 2 == 0 { &first } else { &second };
        publish_pact(
            broker,
            &compatible(&format!("consumer-{n}")),
            "1.0.0",
            "main",
        );
    }
    wait_for_cross_checks(&second, CONSUMERS as i64);
    let (rows, fewest, most) = runtime().block_on(async {
        use sqlx::{Connection, Row};
        let mut connection = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(attempts), MAX(attempts) FROM cross_checks WHERE status = 'done'",
        )
        .fetch_one(&mut connection)
        .await
        .unwrap();
        (
            row.get::<i64, _>(0),
            row.get::<i64, _>(1),
            row.get::<i64, _>(2),
        )
    });
    assert_eq!(rows, CONSUMERS as i64, "one row per pair");
    assert_eq!((fewest, most), (1, 1), "each pair computed once");
}
