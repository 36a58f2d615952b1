//! Cross-checks in the gate, on SQLite and PostgreSQL with real brokers: consumer contracts and
//! a provider's OpenAPI document are published, the broker computes the cross-checks in the
//! background, and `pactum can-i-deploy` (table and JSON), `/matrix`, pacts for verification
//! (pending) and `pactum cross-check` use them; a pact verification of the same pair wins; the
//! official Ruby `pact-broker can-i-deploy` agrees. Pending work survives a restart, and two
//! instances on one PostgreSQL compute each pair once. A check not computed yet is pending in
//! the API, "being computed" on the page, and unknown — never verified — in the gate. The
//! document's coverage by the same contracts names who uses each part.

use std::process::Command;

use pactum::broker_api::{ProviderVersionCoverage, ProviderVersionCrossChecks};
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
    publish_oas(broker, version, branch, self_verified, ORDERS_OAS);
}

fn publish_oas(broker: &TestBroker, version: &str, branch: &str, self_verified: bool, oas: &str) {
    broker.publish_openapi(PROVIDER, version, Some(branch), self_verified, oas);
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
        broker.wait_for_cross_checks(2); // the two consumers' newest contracts

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
        broker.wait_for_cross_checks(3);
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
        restarted.wait_for_cross_checks(1);
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
        upgraded.wait_for_cross_checks(1);
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
    second.wait_for_cross_checks(CONSUMERS as i64);
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

/// What Chromium sends when it opens a page.
const BROWSER: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// A GET as a browser sends it: (status, HTML).
fn browse(broker: &TestBroker, path: &str) -> (u16, String) {
    let response = broker
        .client
        .get(format!("{}{path}", broker.url))
        .header("accept", BROWSER)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().unwrap();
    assert_eq!(content_type, "text/html; charset=utf-8", "{path}: {body}");
    (status, body)
}

#[test]
fn an_uncomputed_cross_check_is_pending_everywhere_and_never_counts_as_verified() {
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        // This instance computes no cross-check: the pair stays pending for the whole test.
        let broker = TestBroker::start_with(&db, |config| config.cross_checks.concurrency = 0);
        let production = environment(&broker, "production");
        broker.patch(
            &format!("/pacticipants/{PROVIDER}"),
            &json!({"mainBranch": "main"}),
        );
        publish_pact(&broker, &compatible("web-shop"), "1.0.0", "main");
        publish_document(&broker, "3.0.0", "main", true);
        deploy(&broker, PROVIDER, "3.0.0", &production);

        // The API: one check, pending, with no result yet.
        let path = format!("/cross-checks/provider/{PROVIDER}/version/3.0.0");
        let checks: ProviderVersionCrossChecks = serde_json::from_value(broker.ok(&path)).unwrap();
        assert_eq!(checks.cross_checks.len(), 1, "{kind:?}: {checks:?}");
        let check = &checks.cross_checks[0];
        assert_eq!(check.consumer.as_deref(), Some("web-shop"), "{kind:?}");
        assert_eq!(check.status, "pending", "{kind:?}: {check:?}");
        assert_eq!(check.computed_at, None, "{kind:?}: {check:?}");
        assert!(check.findings.is_empty(), "{kind:?}: {check:?}");
        let one = broker.ok(&format!("/cross-checks/{}", check.id));
        assert_eq!(one["status"], "pending", "{kind:?}: {one}");

        // The page says so, in the consumer's section.
        let (status, html) = browse(&broker, &path);
        assert_eq!(status, 200, "{kind:?}: {html}");
        let section = html
            .split(r#"<section class="cross-check" data-consumer="web-shop">"#)
            .nth(1)
            .unwrap_or_else(|| panic!("{kind:?}: no section for web-shop: {html}"));
        assert!(
            section.contains(r#"<span class="status status-pending">being computed</span>"#),
            "{kind:?}: {section}"
        );
        assert!(!section.contains("passed"), "{kind:?}: {section}");

        // The gate: unknown, not yes — the check stands in for a verification only once it
        // passed. The reason names the check being computed.
        let (code, said, answer) = can_i_deploy(&broker, "web-shop", "1.0.0", "production");
        assert_eq!(code, 1, "{kind:?}: {said}");
        assert!(said.contains("Computer says no"), "{kind:?}: {said}");
        assert_eq!(answer["summary"]["deployable"], Value::Null, "{answer}");
        assert_eq!(answer["summary"]["success"], 0, "{answer}");
        assert_eq!(answer["summary"]["unknown"], 1, "{answer}");
        let reason = answer["summary"]["reason"].as_str().unwrap();
        assert!(
            reason.contains(&format!("is being computed (cross-check {})", check.id)),
            "{kind:?}: {reason}"
        );
        let row = &answer["matrix"][0];
        assert_eq!(row["verificationResult"], Value::Null, "{answer}");
        assert_eq!(row["crossCheck"]["status"], "pending", "{answer}");

        // The matrix of the pair says the same: no verification result stands for it.
        let matrix = broker.ok(&format!(
            "/matrix?q[][pacticipant]=web-shop&q[][version]=1.0.0\
             &q[][pacticipant]={PROVIDER}&q[][version]=3.0.0&latestby=cvpv"
        ));
        let rows = matrix["matrix"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{kind:?}: {matrix}");
        assert_eq!(rows[0]["verificationResult"], Value::Null, "{matrix}");
        assert_eq!(rows[0]["crossCheck"]["status"], "pending", "{matrix}");
        assert_eq!(matrix["summary"]["deployable"], Value::Null, "{matrix}");
        // Asking for successful rows only finds none.
        let passed = broker.ok(&format!(
            "/matrix?q[][pacticipant]=web-shop&q[][version]=1.0.0\
             &q[][pacticipant]={PROVIDER}&q[][version]=3.0.0&latestby=cvpv&success[]=true"
        ));
        assert_eq!(passed["matrix"], json!([]), "{kind:?}: {passed}");

        // Nor does it end the contract's pending status for the provider's main branch.
        assert_eq!(
            pending_of(&broker, "main"),
            vec![(
                "Pact between web-shop (1.0.0) and order-api".to_owned(),
                true
            )]
        );

        // The coverage needs no computed check: it reads the same contract.
        let coverage: ProviderVersionCoverage =
            serde_json::from_value(broker.ok(&format!("{path}/coverage"))).unwrap();
        assert_eq!(coverage.operations[0].used_by, ["web-shop"], "{coverage:?}");
        assert_eq!(broker.count("crossChecksPending"), 1, "{kind:?}");
    }
}

/// A document with parts nobody uses: `GET /orders/{id}` with an `expand` query parameter, a
/// `note` field and a 404; `DELETE /orders/{id}`.
const COVERED_OAS: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Orders", "version": "2"},
  "paths": {
    "/orders/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "get": {
        "parameters": [{"name": "expand", "in": "query", "schema": {"type": "string"}}],
        "responses": {
          "200": {
            "description": "an order",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["id", "total"],
              "properties": {"id": {"type": "integer"}, "total": {"type": "number"},
                             "note": {"type": "string"}}
            }}}
          },
          "404": {"description": "no such order"}
        }
      },
      "delete": {"responses": {"204": {"description": "deleted"}}}
    }
  }
}"#;

#[test]
fn coverage_names_the_consumers_relying_on_each_part_of_the_document() {
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        // web-shop reads the total, and calls something the document does not have.
        let mut web_shop = compatible("web-shop");
        web_shop["interactions"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "description": "get customer 1",
                "request": {"method": "GET", "path": "/customers/1"},
                "response": {"status": 200}
            }));
        publish_pact(&broker, &web_shop, "1.0.0", "main");
        // mobile-app reads only the id.
        publish_pact(
            &broker,
            &order_pact("mobile-app", "get order 7", json!({"id": 7})),
            "2.0.0",
            "main",
        );
        publish_oas(&broker, "4.0.0", "main", true, COVERED_OAS);

        let checks_path = format!("/cross-checks/provider/{PROVIDER}/version/4.0.0");
        let path = format!("{checks_path}/coverage");
        let raw = broker.ok(&path);
        let coverage: ProviderVersionCoverage = serde_json::from_value(raw.clone()).unwrap();
        // Served exactly as the wire type writes it: nothing dropped, nothing added.
        assert_eq!(serde_json::to_value(&coverage).unwrap(), raw, "{kind:?}");

        // Computed from exactly the contracts the cross-checks list.
        let checks: ProviderVersionCrossChecks =
            serde_json::from_value(broker.ok(&checks_path)).unwrap();
        let listed: Vec<(String, String)> = checks
            .cross_checks
            .iter()
            .map(|c| (c.consumer.clone().unwrap(), c.pact_sha.clone()))
            .collect();
        let used: Vec<(String, String)> = coverage
            .contracts
            .iter()
            .map(|c| (c.consumer.clone(), c.pact_sha.clone()))
            .collect();
        assert_eq!(used, listed, "{kind:?}");
        assert_eq!(used.len(), 2, "{kind:?}: {used:?}");
        assert!(coverage.contracts.iter().all(|c| c.error.is_none()));
        assert_eq!(
            coverage.provider_contract_sha, checks.provider_contract.sha,
            "{kind:?}"
        );

        let operation = |label: &str| {
            coverage
                .operations
                .iter()
                .find(|o| o.operation == label)
                .unwrap_or_else(|| panic!("{kind:?}: no {label} in {coverage:?}"))
        };
        let get = operation("GET /orders/{id}");
        assert_eq!(get.used_by, ["mobile-app", "web-shop"], "{get:?}");
        let delete = operation("DELETE /orders/{id}");
        assert!(delete.used_by.is_empty(), "{kind:?}: {delete:?}");
        assert!(delete.statuses.iter().all(|s| s.used_by.is_empty()));

        let parameter = |name: &str| {
            &get.parameters
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("no parameter {name}: {get:?}"))
                .used_by
        };
        assert_eq!(parameter("id"), &["mobile-app", "web-shop"], "{get:?}");
        assert!(parameter("expand").is_empty(), "{get:?}");
        let status = |code: &str| {
            get.statuses
                .iter()
                .find(|s| s.status == code)
                .unwrap_or_else(|| panic!("no status {code}: {get:?}"))
        };
        assert!(status("404").used_by.is_empty(), "{get:?}");
        let ok = status("200");
        assert_eq!(ok.used_by, ["mobile-app", "web-shop"], "{get:?}");
        let field = |name: &str| {
            &ok.fields
                .iter()
                .find(|f| f.field == name)
                .unwrap_or_else(|| panic!("no field {name}: {ok:?}"))
                .used_by
        };
        assert_eq!(field("id"), &["mobile-app", "web-shop"], "{ok:?}");
        assert_eq!(field("total"), &["web-shop"], "{ok:?}");
        assert!(field("note").is_empty(), "{ok:?}");

        assert_eq!(
            (
                coverage.totals.operations.used,
                coverage.totals.operations.all
            ),
            (1, 2)
        );
        assert_eq!(
            (coverage.totals.statuses.used, coverage.totals.statuses.all),
            (1, 3)
        );
        assert_eq!(
            (coverage.totals.fields.used, coverage.totals.fields.all),
            (2, 3)
        );
        assert_eq!(coverage.unrouted, ["web-shop: get customer 1"], "{kind:?}");

        // Linked both ways, and to the provider.
        let link = |l: &Option<pactum::broker_api::Link>| l.as_ref().unwrap().href.clone();
        assert_eq!(link(&coverage.links.self_), format!("{}{path}", broker.url));
        assert_eq!(
            link(&coverage.links.cross_checks),
            format!("{}{checks_path}", broker.url)
        );
        assert_eq!(
            link(&coverage.links.provider),
            format!("{}/pacticipants/{PROVIDER}", broker.url)
        );
        assert_eq!(
            link(&checks.links.coverage),
            format!("{}{path}", broker.url)
        );
        // HAL+JSON, as every resource.
        let answer = broker
            .client
            .get(format!("{}{path}", broker.url))
            .header("accept", "application/hal+json")
            .send()
            .unwrap();
        assert_eq!(
            answer.headers()["content-type"],
            "application/hal+json;charset=utf-8"
        );

        // The page shows the same.
        let (status, html) = browse(&broker, &path);
        assert_eq!(status, 200, "{kind:?}: {html}");
        let section = |label: &str| {
            html.split(&format!(r#"data-operation="{label}">"#))
                .nth(1)
                .and_then(|rest| rest.split("</section>").next())
                .unwrap_or_else(|| panic!("{kind:?}: no section for {label}: {html}"))
                .to_owned()
        };
        let get = section("GET /orders/{id}");
        assert!(
            get.contains(
                r#"<span class="usage usage-used">used by <span class="consumer"><bdi>mobile-app</bdi></span>, <span class="consumer"><bdi>web-shop</bdi></span></span>"#
            ),
            "{kind:?}: {get}"
        );
        let row = |field: &str| {
            get.split(&format!(r#"data-field="{field}">"#))
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_else(|| panic!("{kind:?}: no row for {field}: {get}"))
                .to_owned()
        };
        assert!(row("total").contains("<bdi>web-shop</bdi>"), "{kind:?}");
        assert!(!row("total").contains("mobile-app"), "{kind:?}");
        assert!(row("note").contains("unused — free to change"), "{kind:?}");
        let delete = section("DELETE /orders/{id}");
        assert!(
            delete.contains(r#"<h2><code><bdi>DELETE /orders/{id}</bdi></code> <span class="usage usage-unused">unused — free to change</span></h2>"#),
            "{kind:?}: {delete}"
        );
        assert!(!delete.contains("used by"), "{kind:?}: {delete}");
        assert!(
            html.contains("<dd data-total=\"operations\">1 of 2 used</dd>"),
            "{kind:?}: {html}"
        );
        assert!(
            html.contains("<li><bdi>web-shop: get customer 1</bdi></li>"),
            "{kind:?}: {html}"
        );
        // The cross-check page links to it.
        let (_, checks_html) = browse(&broker, &checks_path);
        assert!(
            checks_html.contains(&format!(r#"<a id="coverage" href="{}{path}">"#, broker.url)),
            "{kind:?}: {checks_html}"
        );

        // A version that published no document: 404 saying so, to clients and to browsers.
        broker.put(
            &format!("/pacticipants/{PROVIDER}/versions/5.0.0"),
            &json!({}),
        );
        for version in ["5.0.0", "9.9.9"] {
            let missing = format!("/cross-checks/provider/{PROVIDER}/version/{version}/coverage");
            let (status, body) = broker.get(&missing);
            assert_eq!(status, 404, "{kind:?}: {body}");
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(&format!(
                    "version {version} of {PROVIDER} published no OpenAPI document"
                )),
                "{kind:?}: {body}"
            );
            let (status, html) = browse(&broker, &missing);
            assert_eq!(status, 404, "{kind:?}: {html}");
            assert!(
                html.contains("publish-provider-contract"),
                "{kind:?}: {html}"
            );
        }

        // A stored contract that no longer reads (as a newer pactum might find an old one) is
        // left out, saying why; the others still count.
        execute(
            &db,
            kind,
            "UPDATE pact_versions SET content = 'not a contract' WHERE consumer_id = \
             (SELECT id FROM pacticipants WHERE name = 'mobile-app')",
        );
        let coverage: ProviderVersionCoverage = serde_json::from_value(broker.ok(&path)).unwrap();
        let left_out = &coverage.contracts[0];
        assert_eq!(left_out.consumer, "mobile-app", "{kind:?}: {coverage:?}");
        assert!(
            left_out
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("the contract cannot be read")),
            "{kind:?}: {left_out:?}"
        );
        assert_eq!(coverage.operations[0].used_by, ["web-shop"], "{kind:?}");
        // A stored document that no longer reads: 422 naming it, not a coverage of nothing.
        execute(
            &db,
            kind,
            "UPDATE provider_contracts SET content = '{\"openapi\": ' WHERE content_sha IS NOT NULL",
        );
        let (status, body) = broker.get(&path);
        assert_eq!(status, 422, "{kind:?}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!(
                    "the provider contract of {PROVIDER} version 4.0.0 cannot be read"
                )),
            "{kind:?}: {body}"
        );
        let (status, html) = browse(&broker, &path);
        assert_eq!(status, 422, "{kind:?}: {html}");
        assert!(html.contains("cannot be read"), "{kind:?}: {html}");
    }
}
