//! Webhooks on SQLite and PostgreSQL with real receivers on 127.0.0.1: which events fire (and
//! which do not), the values sent, retries of a failing receiver with one idempotency key, a
//! delivery resumed by a restarted broker, two broker processes on one PostgreSQL delivering
//! each event once, the address policy (loopback refused unless allow-listed; redirects not
//! followed), validation and redaction, and the webhook commands of pactum and of the official
//! clients.
//!
//! Every request a broker sends here goes to 127.0.0.1; refusals of other ranges are unit tests
//! of the policy (`webhooks::policy`), which never connect.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pactum::broker::BrokerConfig;
use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact, webhooks_to_loopback};
use crate::support::{ServedRouter, serve_router};

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    path_and_query: String,
    idempotency_key: Option<String>,
    authorization: Option<String>,
    /// `X-Sent-By`, for webhooks that send it.
    sent_by: Option<String>,
    body: String,
}

/// A webhook receiver: records every request; answers with the next of `answers` (then 200).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

async fn receive(State(receiver): State<Receiver>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    };
    receiver.received.lock().unwrap().push(Received {
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        idempotency_key: header("idempotency-key"),
        authorization: header("authorization"),
        sent_by: header("x-sent-by"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = {
        let mut answers = receiver.answers.lock().unwrap();
        if answers.is_empty() {
            200
        } else {
            answers.remove(0)
        }
    };
    if status == 302 {
        return (StatusCode::FOUND, [("location", "/redirected")], "moved").into_response();
    }
    (StatusCode::from_u16(status).unwrap(), "ok").into_response()
}

impl Receiver {
    fn serve(answers: &[u16]) -> (Receiver, ServedRouter) {
        let receiver = Receiver::default();
        receiver.answers.lock().unwrap().extend_from_slice(answers);
        let router = Router::new().fallback(receive).with_state(receiver.clone());
        (receiver, serve_router(router))
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests arrived (at most 20 s).
    fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn create_webhook(broker: &TestBroker, body: &Value) -> String {
    let (status, created) = broker.post("/webhooks", body);
    assert_eq!(status, 201, "{created}");
    created["uuid"].as_str().unwrap().to_owned()
}

const EVENTS: &[&str] = &[
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
];

fn verify(broker: &TestBroker, consumer_version: &str, provider_version: &str, success: bool) {
    let document = broker.ok(&format!(
        "/pacts/provider/api/consumer/web/version/{consumer_version}"
    ));
    let results = document["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap();
    let (status, body) = broker.post(
        results,
        &json!({"success": success, "providerApplicationVersion": provider_version}),
    );
    assert_eq!(status, 201, "{body}");
}

/// The requests that arrived for `event`, as their JSON bodies.
fn bodies_for(received: &[Received], event: &str) -> Vec<Value> {
    received
        .iter()
        .filter(|r| r.path_and_query.starts_with(&format!("/{event}?")))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

#[test]
fn each_event_fires_exactly_when_it_should_with_the_values_of_its_moment() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker =
            TestBroker::start_with(&db, webhooks_to_loopback(&[Duration::from_millis(200)]));
        let (receiver, served) = Receiver::serve(&[]);
        let (status, body) = broker.post("/pacticipants", &json!({"name": "api"}));
        assert_eq!(status, 201, "{body}");
        for event in EVENTS {
            create_webhook(
                &broker,
                &json!({
                    "description": format!("on {event}"),
                    "provider": {"name": "api"},
                    "events": [{"name": event}],
                    "request": {
                        "method": "POST",
                        "url": format!("{}/{event}?branch=${{pactbroker.consumerVersionBranch}}", served.url),
                        "headers": {"Content-Type": "application/json"},
                        "body": {
                            "event": "${pactbroker.eventName}",
                            "consumer": "${pactbroker.consumerName}",
                            "consumerVersion": "${pactbroker.consumerVersionNumber}",
                            "branch": "${pactbroker.consumerVersionBranch}",
                            "providerVersion": "${pactbroker.providerVersionNumber}",
                            "github": "${pactbroker.githubVerificationStatus}",
                            "pactUrl": "${pactbroker.pactUrl}",
                            "descriptions": "${pactbroker.providerVersionDescriptions}"
                        }
                    }
                }),
            );
        }
        // The consumer's branch has a quote, a slash and non-ASCII in it.
        let branch = "feat/\"quoted\" é";
        let content_a = pact("web", "api", &["get item"]);
        let content_b = pact("web", "api", &["get item", "get items"]);
        let publish = |version: &str, content: &Value| {
            let (status, body) = broker.publish(
                "web",
                version,
                Some(branch),
                &[],
                std::slice::from_ref(content),
            );
            assert_eq!(status, 200, "{body}");
        };
        // 1: first publication: published, content changed; no provider version to verify it.
        publish("1", &content_a);
        // The same content again: published only.
        publish("1", &content_a);
        // A new tag on an existing version: nothing.
        let (status, body) = broker.put("/pacticipants/web/versions/1/tags/prod", &json!({}));
        assert!(status < 300, "{body}");
        // The provider's main branch gets a version; version 2 publishes the same content:
        // published, and requiring verification by p1 (its main branch's head).
        let (status, body) = broker.put("/pacticipants/api/branches/main/versions/p1", &json!({}));
        assert!(status == 200 || status == 201, "{body}");
        publish("2", &content_a);
        // p1 verifies it: verification published and succeeded.
        verify(&broker, "2", "p1", true);
        // Version 3 publishes the same content: p1 has verified it, nothing requires it.
        publish("3", &content_a);
        // Version 4 changes the content: changed, and requiring verification by p1 again.
        publish("4", &content_b);
        verify(&broker, "4", "p1", false);

        let expected = [
            ("contract_published", 5),
            ("contract_content_changed", 2),
            ("contract_requiring_verification_published", 2),
            ("provider_verification_published", 2),
            ("provider_verification_succeeded", 1),
            ("provider_verification_failed", 1),
        ];
        let total: usize = expected.iter().map(|(_, n)| n).sum();
        receiver.wait_for(total);
        // Anything extra would have come by now too.
        std::thread::sleep(Duration::from_millis(600));
        let received = receiver.received();
        for (event, count) in expected {
            let bodies = bodies_for(&received, event);
            assert_eq!(bodies.len(), count, "{kind:?} {event}: {bodies:#?}");
            for body in &bodies {
                assert_eq!(body["event"], event, "{body}");
                assert_eq!(body["consumer"], "web");
                assert_eq!(body["branch"], branch, "JSON-escaped in the body");
            }
        }
        assert_eq!(received.len(), total, "{kind:?}: {received:#?}");
        // Escaped in the URL.
        assert!(
            received[0]
                .path_and_query
                .ends_with("?branch=feat%2F%22quoted%22%20%C3%A9"),
            "{}",
            received[0].path_and_query
        );
        let requiring = bodies_for(&received, "contract_requiring_verification_published");
        let versions: Vec<&str> = requiring
            .iter()
            .map(|b| b["consumerVersion"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["2", "4"], "{kind:?}");
        for body in &requiring {
            assert_eq!(body["providerVersion"], "p1");
            assert_eq!(body["descriptions"], "latest from main branch");
        }
        let failed = &bodies_for(&received, "provider_verification_failed")[0];
        assert_eq!(failed["github"], "failure");
        assert_eq!(failed["consumerVersion"], "4");
        // The pact URL is a permalink the broker serves.
        let pact_url = failed["pactUrl"].as_str().unwrap();
        let served_pact = broker.ok(pact_url);
        assert_eq!(served_pact["interactions"].as_array().unwrap().len(), 2);
        // Every delivery was attempted once and succeeded, and the metrics count them.
        assert_eq!(broker.count("webhookDeliveriesSucceeded"), total as i64);
        assert_eq!(broker.count("webhookDeliveriesRetrying"), 0);
        drop(broker);
    }
}

/// Waits until the pair's status shows `status` for its one delivery; returns the resource.
fn wait_for_status(broker: &TestBroker, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let resource = broker.ok("/pacts/provider/api/consumer/web/webhooks/status");
        let current = resource["_embedded"]["triggeredWebhooks"][0]["status"].clone();
        if current == status || Instant::now() > deadline {
            assert_eq!(current, status, "{resource}");
            return resource;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn build_webhook(url: &str) -> Value {
    json!({
        "description": "build the provider",
        "consumer": {"name": "web"},
        "provider": {"name": "api"},
        "events": [{"name": "contract_published"}],
        "request": {
            "method": "POST",
            "url": format!("{url}/build"),
            "headers": {"Authorization": "Bearer ${user.CI_TOKEN}"},
            "body": "version ${pactbroker.consumerVersionNumber}"
        }
    })
}

#[test]
fn a_failing_receiver_is_retried_with_one_idempotency_key_even_across_a_restart() {
    for kind in backends() {
        let db = TestDb::new(kind);
        // 500 first: the delivery waits 1.5 s to be retried; the broker stops meanwhile.
        let (receiver, served) = Receiver::serve(&[500]);
        {
            let broker =
                TestBroker::start_with(&db, webhooks_to_loopback(&[Duration::from_millis(1500)]));
            for name in ["web", "api"] {
                let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
                assert_eq!(status, 201, "{body}");
            }
            create_webhook(&broker, &build_webhook(&served.url));
            let published = Instant::now();
            broker.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
            let first = receiver.wait_for(1);
            let latency = published.elapsed();
            assert_eq!(first.len(), 1, "{kind:?}");
            eprintln!("{kind:?}: first attempt within {latency:?} of the publication");
            let status = wait_for_status(&broker, "retrying");
            assert_eq!(status["summary"]["retrying"], 1, "{status}");
        }
        assert_eq!(
            receiver.received().len(),
            1,
            "{kind:?}: nothing sent while stopped"
        );
        // A new broker on the same database finishes the delivery.
        let broker =
            TestBroker::start_with(&db, webhooks_to_loopback(&[Duration::from_millis(1500)]));
        let received = receiver.wait_for(2);
        assert_eq!(received.len(), 2, "{kind:?}");
        let key = received[0]
            .idempotency_key
            .clone()
            .expect("an Idempotency-Key header");
        assert_eq!(
            received[1].idempotency_key.as_deref(),
            Some(key.as_str()),
            "{kind:?}"
        );
        // The secret was sent; the body is text, sent as written.
        assert_eq!(received[1].authorization.as_deref(), Some("Bearer t0k\"en"));
        assert_eq!(received[1].body, "version 1");
        let status = wait_for_status(&broker, "success");
        let delivery = &status["_embedded"]["triggeredWebhooks"][0];
        assert_eq!(delivery["attemptsMade"], 2, "{status}");
        assert_eq!(status["summary"]["successful"], 1, "{status}");
        // The logs resource has both attempts; the secret is not in them.
        let logs = broker.ok(delivery["_links"]["pb:logs"]["href"].as_str().unwrap());
        assert_eq!(logs["uuid"], key.as_str());
        let attempts = logs["executions"].as_array().unwrap();
        assert_eq!(attempts.len(), 2, "{logs}");
        assert_eq!(attempts[0]["status"], 500);
        assert_eq!(attempts[0]["success"], false);
        assert_eq!(attempts[1]["status"], 200);
        assert!(!logs.to_string().contains("t0k"), "{logs}");
        assert!(
            attempts[1]["logs"]
                .as_str()
                .unwrap()
                .contains("Authorization: **********"),
            "{logs}"
        );
        drop(broker);
    }
}

#[test]
fn loopback_is_refused_unless_allow_listed_and_redirects_are_not_followed() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let (receiver, served) = Receiver::serve(&[302]);
        let port = served.url.rsplit(':').next().unwrap().to_owned();
        let open = |config: &mut BrokerConfig| {
            config.webhooks.policy.schemes = vec!["http".into()];
        };
        {
            let broker = TestBroker::start_with(&db, open);
            for host in ["127.0.0.1", "localhost"] {
                let (status, result) = broker.post(
                    "/webhooks/execute",
                    &json!({"request": {"method": "POST", "url": format!("http://{host}:{port}/hook")}}),
                );
                assert_eq!(status, 200, "{result}");
                assert_eq!(result["success"], false, "{result}");
                let message = result["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains("loopback") && message.contains("allow-list"),
                    "{kind:?} {host}: {message}"
                );
            }
            assert!(
                receiver.received().is_empty(),
                "{kind:?}: a refused request was sent"
            );
        }
        let broker = TestBroker::start_with(&db, webhooks_to_loopback(&[]));
        let (status, result) = broker.post(
            "/webhooks/execute",
            &json!({"request": {"method": "POST", "url": format!("http://127.0.0.1:{port}/hook")}}),
        );
        assert_eq!(status, 200, "{result}");
        // Sent; the 302 is not a success and is not followed.
        assert_eq!(result["response"]["status"], 302, "{result}");
        assert_eq!(result["success"], false, "{result}");
        let received = receiver.wait_for(1);
        assert_eq!(received.len(), 1);
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            receiver
                .received()
                .iter()
                .all(|r| r.path_and_query == "/hook"),
            "{:?}",
            receiver.received()
        );
    }
}

#[test]
fn invalid_webhooks_are_refused_naming_the_field_and_credentials_are_never_shown() {
    let db = TestDb::new(Kind::Sqlite);
    let broker = TestBroker::start(&db);
    let request = json!({"method": "POST", "url": "https://ci.example/build"});
    for (body, field, words) in [
        (
            json!({"events": [{"name": "nope"}], "request": request}),
            "events[0].name",
            "not an event",
        ),
        (
            json!({"request": {"method": "POST", "url": "https://${pactbroker.consumerName}.example/x"}}),
            "request.url",
            "host",
        ),
        (
            json!({"request": {"method": "POST", "url": "not a url"}}),
            "request.url",
            "not a valid URL",
        ),
        (
            json!({"request": {"method": "GET", "url": "https://ci.example/x"}}),
            "request.method",
            "not allowed",
        ),
        (
            json!({"request": {"method": "POST", "url": "http://ci.example/x"}}),
            "request.url",
            "scheme",
        ),
        (
            json!({"consumer": {"name": "ghost"}, "request": request}),
            "consumer.name",
            "no pacticipant",
        ),
        (json!({}), "request", "required"),
    ] {
        let (status, answer) = broker.post("/webhooks", &body);
        assert_eq!(status, 400, "{body}: {answer}");
        let messages = answer["errors"][field].to_string();
        assert!(messages.contains(words), "{body}: {answer}");
    }
    assert_eq!(broker.count("webhooks"), 0, "nothing saved");

    // A path scoped to a pacticipant that does not exist is a resource that does not exist
    // (404, as the Pact Broker answers), for creating and for listing; a body that is wrong
    // is still reported first.
    for path in [
        "/webhooks/provider/ghost-api/consumer/ghost-web",
        "/webhooks/consumer/ghost-web",
        "/webhooks/provider/ghost-api",
        "/pacts/provider/ghost-api/consumer/ghost-web/webhooks",
    ] {
        let (status, answer) = broker.post(path, &json!({"request": request}));
        assert_eq!(status, 404, "POST {path}: {answer}");
        assert!(
            answer.to_string().contains("ghost-"),
            "POST {path}: {answer}"
        );
        let (status, answer) = broker.get(path);
        assert_eq!(status, 404, "GET {path}: {answer}");
        let (status, answer) = broker.post(
            path,
            &json!({"events": [{"name": "nope"}], "request": request}),
        );
        assert_eq!(status, 400, "POST {path}: {answer}");
    }
    assert_eq!(broker.count("webhooks"), 0, "nothing saved");

    // PUT creates under the client's id, then replaces.
    let uuid = "0f6c4a2e-5d9b-4a53-9d55-1f7c3b2a9e10";
    let saved = json!({
        "request": {"method": "POST", "url": "https://ci.example/build",
                    "headers": {"Authorization": "Bearer secret-value", "X-Kind": "build"},
                    "username": "ci", "password": "hunter2"}
    });
    let (status, created) = broker.put(&format!("/webhooks/{uuid}"), &saved);
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["uuid"], uuid);
    assert_eq!(
        created["events"],
        json!([{"name": "contract_content_changed"}])
    );
    let (status, _) = broker.put(&format!("/webhooks/{uuid}"), &saved);
    assert_eq!(status, 200);
    for shown in [
        broker.ok(&format!("/webhooks/{uuid}")),
        broker.ok("/webhooks"),
    ] {
        let text = shown.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("secret-value"),
            "{text}"
        );
        assert!(
            text.contains("**********") && text.contains("build"),
            "{text}"
        );
    }
    let index = broker.ok("/");
    assert!(
        index["_links"]["pb:webhooks"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/webhooks")
    );
    let (status, _) = broker.delete(&format!("/webhooks/{uuid}"));
    assert_eq!(status, 204);
    let (status, _) = broker.get(&format!("/webhooks/{uuid}"));
    assert_eq!(status, 404);
}

/// `pactum broker` as a process on `db`, sending webhooks over http to 127.0.0.1, retrying
/// after 1 s.
fn broker_process(db: &TestDb) -> crate::support::Served {
    broker_process_with(db, &[])
}

/// [`broker_process`] with more arguments.
fn broker_process_with(db: &TestDb, more: &[&str]) -> crate::support::Served {
    let mut args = vec![
        "broker",
        "--port",
        "0",
        "--database-url",
        &db.url,
        "--webhook-allow-scheme",
        "http",
        "--webhook-allow-host",
        "127.0.0.1",
        "--webhook-retry-schedule",
        "1",
        "--webhook-secret",
        "CI_TOKEN=from-the-command-line",
    ];
    args.extend_from_slice(more);
    crate::support::serve_pactum(&args)
}

fn send(url: &str, method: reqwest::Method, body: Option<&Value>) -> (u16, Value) {
    let mut request = crate::support::http().request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

#[test]
fn a_delivery_survives_kill_9_of_the_broker_between_attempts() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let (receiver, served) = Receiver::serve(&[500]);
        let first = broker_process(&db);
        for name in ["web", "api"] {
            let (status, body) = send(
                &format!("{}/pacticipants", first.url),
                reqwest::Method::POST,
                Some(&json!({"name": name})),
            );
            assert_eq!(status, 201, "{body}");
        }
        let (status, body) = send(
            &format!("{}/webhooks", first.url),
            reqwest::Method::POST,
            Some(&build_webhook(&served.url)),
        );
        assert_eq!(status, 201, "{body}");
        let publication = crate::support::broker::publish_body(
            "web",
            "1",
            None,
            &[],
            &[pact("web", "api", &["a"])],
            None,
        );
        let (status, body) = send(
            &format!("{}/contracts/publish", first.url),
            reqwest::Method::POST,
            Some(&publication),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(receiver.wait_for(1).len(), 1, "{kind:?}");
        // The 500 is recorded (the delivery is retrying) before the broker is killed.
        let status_url = format!(
            "{}/pacts/provider/api/consumer/web/webhooks/status",
            first.url
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while send(&status_url, reqwest::Method::GET, None).1["summary"]["retrying"] != 1 {
            assert!(
                Instant::now() < deadline,
                "{kind:?}: the first attempt was not recorded"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(first); // SIGKILL
        std::thread::sleep(Duration::from_millis(1200));
        assert_eq!(receiver.received().len(), 1, "{kind:?}");

        let second = broker_process(&db);
        let received = receiver.wait_for(2);
        assert_eq!(received.len(), 2, "{kind:?}: the delivery was not resumed");
        assert_eq!(received[0].idempotency_key, received[1].idempotency_key);
        assert_eq!(
            received[1].authorization.as_deref(),
            Some("Bearer from-the-command-line")
        );
        let status_url = status_url.replace(
            &status_url[..status_url.find("/pacts").unwrap()],
            &second.url,
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, status) = send(&status_url, reqwest::Method::GET, None);
            if status["summary"]["successful"] == 1 {
                assert_eq!(
                    status["_embedded"]["triggeredWebhooks"][0]["attemptsMade"],
                    2
                );
                break;
            }
            assert!(Instant::now() < deadline, "{kind:?}: {status}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn the_official_clients_create_update_test_and_delete_webhooks() {
    let Some(clients) = crate::support::clients::OfficialClients::find() else {
        return;
    };
    let db = TestDb::new(Kind::Sqlite);
    let broker = TestBroker::start_with(&db, webhooks_to_loopback(&[]));
    let (receiver, served) = Receiver::serve(&[]);
    for name in ["web", "api"] {
        let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
        assert_eq!(status, 201, "{body}");
    }
    let run = |mut command: std::process::Command, args: &[&str]| {
        command
            .args(args)
            .env("PACT_BROKER_BASE_URL", &broker.url)
            .env("PACT_DO_NOT_TRACK", "true")
            .env_remove("PACT_BROKER_TOKEN");
        let output = crate::support::run(&mut command);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            crate::support::text(&output)
        );
        crate::support::text(&output)
    };
    let url = format!("{}/build", served.url);
    let webhook_args = |description: &'static str| {
        vec![
            url.clone(),
            "--request".into(),
            "POST".into(),
            "--header".into(),
            "Content-Type: application/json".into(),
            "--data".into(),
            r#"{"version": "${pactbroker.consumerVersionNumber}"}"#.into(),
            "--consumer".into(),
            "web".into(),
            "--provider".into(),
            "api".into(),
            "--description".into(),
            description.into(),
            "--contract-content-changed".into(),
        ]
    };
    let ruby = || std::process::Command::new(clients.ruby_broker_client());
    let rust = || {
        let mut command = clients.pact();
        command.arg("broker");
        command
    };
    // create-webhook, by both clients.
    for (client, description) in [(ruby(), "from ruby"), (rust(), "from rust")] {
        let mut args = vec!["create-webhook".to_owned()];
        args.extend(webhook_args(description));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(client, &args);
    }
    let listed = broker.ok("/webhooks/provider/api/consumer/web");
    let mut descriptions: Vec<&str> = listed["_embedded"]["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["description"].as_str().unwrap())
        .collect();
    descriptions.sort();
    assert_eq!(descriptions, ["from ruby", "from rust"], "{listed}");
    // create-or-update-webhook with a uuid, twice (created, then updated), and test-webhook.
    let uuid = "0f6c4a2e-5d9b-4a53-9d55-1f7c3b2a9e10";
    for description in ["first", "second"] {
        let mut args = vec!["create-or-update-webhook".to_owned()];
        args.extend(webhook_args(description));
        args.extend(["--uuid".to_owned(), uuid.to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(ruby(), &args);
    }
    assert_eq!(
        broker.ok(&format!("/webhooks/{uuid}"))["description"],
        "second"
    );
    broker.publish("web", "7", None, &[], &[pact("web", "api", &["a"])]);
    // Three webhooks fire for the new content.
    assert_eq!(receiver.wait_for(3).len(), 3);
    let before = receiver.received().len();
    run(ruby(), &["test-webhook", "--uuid", uuid]);
    let received = receiver.wait_for(before + 1);
    assert_eq!(received.len(), before + 1);
    assert_eq!(
        serde_json::from_str::<Value>(&received[before].body).unwrap(),
        json!({"version": "7"})
    );
    // The Rust client: create-or-update, test and delete.
    let mut args = vec!["create-or-update-webhook".to_owned()];
    args.extend(webhook_args("third"));
    args.extend(["--uuid".to_owned(), uuid.to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(rust(), &args);
    assert_eq!(
        broker.ok(&format!("/webhooks/{uuid}"))["description"],
        "third"
    );
    run(rust(), &["test-webhook", "--uuid", uuid]);
    assert_eq!(receiver.wait_for(before + 2).len(), before + 2);
    run(rust(), &["delete-webhook", "--uuid", uuid]);
    let (status, _) = broker.get(&format!("/webhooks/{uuid}"));
    assert_eq!(status, 404);
}

/// A transcript entry: the command as typed (after `pactum`), its exit code and what it printed.
fn transcript_entry(args: &[&str], out: &std::process::Output) -> String {
    let typed: Vec<String> = args
        .iter()
        .map(|arg| match arg.contains([' ', '{', '$', '"']) {
            true => format!("'{arg}'"),
            false => (*arg).to_owned(),
        })
        .collect();
    format!(
        "$ pactum {}\nexit {}\n{}",
        typed.join(" "),
        out.status.code().unwrap_or(-1),
        crate::support::text(out)
    )
}

#[test]
fn pactum_creates_updates_tests_and_deletes_webhooks() {
    let mut transcripts = Vec::new();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, webhooks_to_loopback(&[]));
        // The receiver answers the first test with 200, the second with 500.
        let (receiver, served) = Receiver::serve(&[200, 500]);
        for name in ["web", "api"] {
            let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
            assert_eq!(status, 201, "{body}");
        }
        let scratch = crate::support::ScratchDir::new("webhook-cli");
        let body_file = scratch.write(
            "body.json",
            r#"{"version": "${pactbroker.consumerVersionNumber}", "consumer": "${pactbroker.consumerName}"}"#,
        );
        let data = format!("@{}", body_file.display());
        let url = format!("{}/build", served.url);
        let uuid = "0f6c4a2e-5d9b-4a53-9d55-1f7c3b2a9e10";
        let mut transcript = Vec::new();
        let mut run = |args: &[&str]| {
            let out = broker.pactum(args);
            transcript.push(transcript_entry(args, &out));
            out
        };
        let webhook = |command: &'static str, description: &'static str| {
            vec![
                command,
                &url,
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                "Authorization: Bearer ${user.CI_TOKEN}",
                "-d",
                &data,
                "-u",
                "ci:s3cret",
                "--consumer",
                "web",
                "--provider",
                "api",
                "--description",
                description,
                "--contract-content-changed",
                "--provider-verification-failed",
            ]
        };

        // create-webhook: the broker holds what the switches say.
        let out = run(&webhook("create-webhook", "build api"));
        assert!(out.status.success());
        let listed = broker.ok("/webhooks/provider/api/consumer/web");
        let created = &listed["_embedded"]["webhooks"][0];
        assert_eq!(created["description"], "build api");
        assert_eq!(
            created["events"],
            json!([{"name": "contract_content_changed"}, {"name": "provider_verification_failed"}])
        );
        assert_eq!(
            created["request"]["body"],
            json!({"version": "${pactbroker.consumerVersionNumber}", "consumer": "${pactbroker.consumerName}"})
        );
        assert_eq!(created["request"]["username"], "ci");
        assert_eq!(created["request"]["password"], "**********");
        assert_eq!(
            created["request"]["headers"]["Content-Type"],
            "application/json"
        );
        let created_uuid = created["uuid"].as_str().unwrap().to_owned();
        assert!(crate::support::stdout(&out).contains(&created_uuid));

        // create-or-update-webhook: created under the id given, then updated.
        let mut upsert = webhook("create-or-update-webhook", "first");
        upsert.extend(["--uuid", uuid]);
        assert!(run(&upsert).status.success());
        let mut upsert = webhook("create-or-update-webhook", "second");
        upsert.extend(["--uuid", uuid, "--output", "json"]);
        let out = run(&upsert);
        assert!(out.status.success());
        let shown: Value = serde_json::from_str(&crate::support::stdout(&out)).unwrap();
        assert_eq!(shown["uuid"], uuid);
        assert_eq!(shown["description"], "second");
        assert_eq!(
            broker.ok(&format!("/webhooks/{uuid}"))["description"],
            "second"
        );

        // test-webhook: the receiver gets the request (200: exit 0; 500: exit 1).
        let (status, body) = broker.publish("web", "7", None, &[], &[pact("web", "api", &["a"])]);
        assert_eq!(status, 200, "{body}");
        // Both webhooks fire for the new content; the tests come after.
        assert_eq!(receiver.wait_for(2).len(), 2);
        receiver.answers.lock().unwrap().extend([200, 500]);
        let out = run(&["test-webhook", "--uuid", uuid]);
        assert_eq!(out.status.code(), Some(0));
        let out = run(&["test-webhook", "--uuid", uuid]);
        assert_eq!(out.status.code(), Some(1));
        let received = receiver.received();
        assert_eq!(received.len(), 4);
        for test in &received[2..] {
            assert_eq!(
                serde_json::from_str::<Value>(&test.body).unwrap(),
                json!({"version": "7", "consumer": "web"})
            );
            assert_eq!(test.authorization.as_deref(), Some("Bearer t0k\"en"));
        }

        // delete-webhook: gone; deleting again names the id.
        assert!(run(&["delete-webhook", "--uuid", uuid]).status.success());
        let (status, _) = broker.get(&format!("/webhooks/{uuid}"));
        assert_eq!(status, 404);
        assert_eq!(
            run(&["delete-webhook", "--uuid", uuid]).status.code(),
            Some(2)
        );
        assert_eq!(
            run(&["test-webhook", "--uuid", uuid]).status.code(),
            Some(2)
        );

        // Mistakes: refused before anything is sent, or by the broker, naming the switch.
        let before = broker.ok("/webhooks")["_embedded"]["webhooks"]
            .as_array()
            .unwrap()
            .len();
        let mistakes: Vec<Vec<&str>> = vec![
            vec!["create-webhook", &url, "-X", "POST", "--consumer", "web"],
            vec![
                "create-or-update-webhook",
                &url,
                "-X",
                "POST",
                "--contract-published",
                "--uuid",
                "not-a-uuid",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "POST",
                "-H",
                "no colon",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "POST",
                "-d",
                "@/nonexistent/body.json",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "POST",
                "-u",
                "nopassword",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "POST",
                "--consumer",
                "web",
                "--consumer-label",
                "team",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "POST",
                "--consumer",
                "nobody",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                &url,
                "-X",
                "DELETE",
                "--contract-published",
            ],
            vec![
                "create-webhook",
                "http://${pactbroker.consumerName}/x",
                "-X",
                "POST",
                "--contract-published",
            ],
        ];
        for args in &mistakes {
            let out = run(args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
        }
        let after = broker.ok("/webhooks")["_embedded"]["webhooks"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(before, after, "a refused webhook was saved");
        transcripts.push(transcript.join("\n"));
    }
    // The same words on both backends: one snapshot.
    let _filters = crate::support::snapshot_filters();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"(?mi)^date: .*$", "date: [date]");
    for transcript in &transcripts {
        settings.bind(|| insta::assert_snapshot!("webhook_cli", transcript));
    }
}

#[test]
fn two_instances_on_one_postgres_deliver_each_event_once() {
    if !backends().contains(&Kind::Postgres) {
        return; // PACTUM_SKIP_POSTGRES (without it, backends() fails the test).
    }
    const PUBLICATIONS: usize = 200;
    let db = TestDb::new(Kind::Postgres);
    let (receiver, served) = Receiver::serve(&[]);
    // Each instance fills `${user.INSTANCE}` with its own name when it sends.
    let first = broker_process_with(&db, &["--webhook-secret", "INSTANCE=first"]);
    let second = broker_process_with(&db, &["--webhook-secret", "INSTANCE=second"]);
    for name in ["web", "api"] {
        let (status, body) = send(
            &format!("{}/pacticipants", first.url),
            reqwest::Method::POST,
            Some(&json!({"name": name})),
        );
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = send(
        &format!("{}/webhooks", second.url),
        reqwest::Method::POST,
        Some(&json!({
            "consumer": {"name": "web"},
            "provider": {"name": "api"},
            "events": [{"name": "contract_published"}],
            "request": {
                "method": "POST",
                "url": format!("{}/published", served.url),
                "headers": {"X-Sent-By": "${user.INSTANCE}"},
                "body": "${pactbroker.consumerVersionNumber}"
            }
        })),
    );
    assert_eq!(status, 201, "{body}");
    // Half the publications through each instance, both at once.
    std::thread::scope(|scope| {
        for (offset, broker) in [&first, &second].into_iter().enumerate() {
            scope.spawn(move || {
                for version in (offset..PUBLICATIONS).step_by(2) {
                    let publication = crate::support::broker::publish_body(
                        "web",
                        &version.to_string(),
                        None,
                        &[],
                        &[pact("web", "api", &["a"])],
                        None,
                    );
                    let (status, body) = send(
                        &format!("{}/contracts/publish", broker.url),
                        reqwest::Method::POST,
                        Some(&publication),
                    );
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    receiver.wait_for(PUBLICATIONS);
    // Time for a duplicate to arrive (both instances poll every second).
    std::thread::sleep(Duration::from_secs(3));
    let received = receiver.received();
    let mut per_key = std::collections::BTreeMap::new();
    for request in &received {
        let key = request
            .idempotency_key
            .clone()
            .expect("every delivery carries an Idempotency-Key");
        *per_key.entry(key).or_insert(0) += 1;
    }
    let duplicated: Vec<_> = per_key.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        duplicated.is_empty(),
        "delivered more than once: {duplicated:?}"
    );
    assert_eq!(per_key.len(), PUBLICATIONS, "deliveries missing");
    // One delivery per publication: every version's, none twice.
    let mut versions: Vec<usize> = received.iter().map(|r| r.body.parse().unwrap()).collect();
    versions.sort_unstable();
    assert_eq!(versions, (0..PUBLICATIONS).collect::<Vec<_>>());
    // Both instances delivered (each takes what its own commits wrote at once).
    for instance in ["first", "second"] {
        assert!(
            received
                .iter()
                .any(|r| r.sent_by.as_deref() == Some(instance)),
            "the {instance} instance delivered nothing"
        );
    }
}

#[test]
fn secrets_and_allow_lists_come_from_the_auth_file_too() {
    let db = TestDb::new(Kind::Sqlite);
    let (receiver, served) = Receiver::serve(&[]);
    let scratch = crate::support::ScratchDir::new("webhook-auth-file");
    let auth_file = scratch.write(
        "auth.json",
        json!({"webhooks": {
            "secrets": {"CI_TOKEN": "from-the-file", "OTHER": "file"},
            "allowSchemes": ["http"],
            "allowHosts": ["127.0.0.1"]
        }})
        .to_string(),
    );
    let broker = crate::support::serve_pactum(&[
        "broker",
        "--port",
        "0",
        "--database-url",
        &db.url,
        "--auth-file",
        &auth_file.display().to_string(),
        "--webhook-secret",
        "OTHER=flag",
    ]);
    // The file adds no credentials: authentication stays off on loopback.
    assert!(
        broker.first_line.contains("authentication off"),
        "{}",
        broker.first_line
    );
    let (status, result) = send(
        &format!("{}/webhooks/execute", broker.url),
        reqwest::Method::POST,
        Some(&json!({"request": {
            "method": "POST",
            "url": format!("{}/hook", served.url),
            "headers": {"Authorization": "Bearer ${user.CI_TOKEN}", "X-Sent-By": "${user.OTHER}"}
        }})),
    );
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["success"], true, "{result}");
    let received = receiver.wait_for(1);
    assert_eq!(
        received[0].authorization.as_deref(),
        Some("Bearer from-the-file")
    );
    // The command line wins over the file for the same name.
    assert_eq!(received[0].sent_by.as_deref(), Some("flag"));

    // A wrong entry stops the broker, naming the file and the member.
    let bad = scratch.write(
        "bad.json",
        r#"{"webhooks": {"allowHosts": ["not a host"]}}"#,
    );
    let out = crate::support::pactum(&[
        "broker",
        "--port",
        "0",
        "--database-url",
        &db.url,
        "--auth-file",
        &bad.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let said = crate::support::stderr(&out);
    assert!(
        said.contains("bad.json") && said.contains("webhooks.allowHosts[0]"),
        "{said}"
    );
}

#[test]
fn a_webhook_scoped_by_consumer_label_fires_for_labelled_consumers_only() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker =
            TestBroker::start_with(&db, webhooks_to_loopback(&[Duration::from_millis(200)]));
        let (receiver, served) = Receiver::serve(&[]);
        for name in ["web", "mobile"] {
            let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
            assert_eq!(status, 201, "{body}");
        }
        let (status, body) = broker.put("/pacticipants/web/labels/team-a", &json!({}));
        assert_eq!(status, 201, "{body}");
        let uuid = create_webhook(
            &broker,
            &json!({
                "consumer": {"label": "team-a"},
                "events": [{"name": "contract_published"}],
                "request": {
                    "method": "POST",
                    "url": format!("{}/contract_published?c=${{pactbroker.consumerName}}", served.url),
                    "body": {"labels": "${pactbroker.consumerLabels}"}
                }
            }),
        );
        // The scope is kept as sent.
        assert_eq!(
            broker.ok(&format!("/webhooks/{uuid}"))["consumer"],
            json!({"label": "team-a"})
        );

        let publish = |consumer: &str, version: &str| {
            let (status, body) = broker.publish(
                consumer,
                version,
                None,
                &[],
                &[pact(consumer, "api", &["get item"])],
            );
            assert_eq!(status, 200, "{body}");
        };
        // The unlabelled consumer first, then the labelled one: only the second fires.
        publish("mobile", "1");
        publish("web", "1");
        // The pact's webhooks are those whose scope covers its pacticipants now.
        let applying = |consumer: &str| {
            let list = broker.ok(&format!("/pacts/provider/api/consumer/{consumer}/webhooks"));
            list["_links"]["pb:webhooks"].as_array().unwrap().len()
        };
        assert_eq!((applying("web"), applying("mobile")), (1, 0), "{kind:?}");
        // A label put on later counts from then on: mobile's next publication fires.
        let (status, body) = broker.put("/pacticipants/mobile/labels/team-a", &json!({}));
        assert_eq!(status, 201, "{body}");
        assert_eq!(applying("mobile"), 1, "{kind:?}");
        publish("mobile", "2");
        receiver.wait_for(2);
        // Anything extra would have come by now too.
        std::thread::sleep(Duration::from_millis(600));
        let received = receiver.received();
        let paths: Vec<&str> = received.iter().map(|r| r.path_and_query.as_str()).collect();
        assert_eq!(
            paths,
            ["/contract_published?c=web", "/contract_published?c=mobile"],
            "{kind:?}"
        );
        let bodies = bodies_for(&received, "contract_published");
        assert_eq!(bodies[0]["labels"], "team-a");
        drop(broker);
    }
}
