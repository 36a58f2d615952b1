//! The broker API's wire formats end to end: pactum's broker (SQLite and PostgreSQL) serves
//! exactly the `pactum::broker_api` resources and names the member of a request that does not
//! read as its type; pactum's broker commands read the minimal answers another Pact Broker
//! gives (members left out, single links, empty bodies, relative hrefs).

use std::process::Output;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use pactum::broker_api::{
    DeployedVersion, Environment, Environments, Index, Matrix, PactResource, Pacticipant,
    PactsForVerification, PublishResponse, VerificationResult, Version,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::broker::{TestBroker, TestDb, backends, pact, publish_body};
use crate::support::{ServedRouter, pactum_command, run, serve_router, text};

/// `GET path` read as `T` and written again must be what the broker served.
fn served_as<T: DeserializeOwned + Serialize>(broker: &TestBroker, path: &str) -> T {
    let raw = broker.ok(path);
    let typed: T = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("GET {path} does not read as its type: {e}\n{raw}"));
    assert_eq!(
        serde_json::to_value(&typed).unwrap(),
        raw,
        "GET {path}: the type does not describe every member served"
    );
    typed
}

#[test]
fn the_broker_serves_exactly_the_typed_resources() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        eprintln!("-- on {kind:?}");
        let index: Index = served_as(&broker, "/");
        assert!(index.link("pb:publish-contracts").is_some());

        let (status, body) = broker.post(
            "/environments",
            &json!({"name": "production", "production": true,
                    "contacts": [{"name": "Ops", "details": {"emailAddress": "ops@example.com"}}]}),
        );
        assert_eq!(status, 201, "{body}");
        let uuid = body["uuid"].as_str().unwrap().to_owned();
        let (status, body) = broker.publish(
            "web",
            "1",
            Some("main"),
            &["dev"],
            &[pact("web", "api", &["a"])],
        );
        assert_eq!(status, 200, "{body}");
        let published: PublishResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&published).unwrap(), body);
        assert_eq!(published.links.contracts.len(), 1);

        let version: Version = served_as(&broker, "/pacticipants/web/versions/1");
        let record = &version.links.record_deployment[0];
        assert_eq!(record.name.as_deref(), Some("production"));
        let (status, body) = broker.post(&record.href, &json!({"applicationInstance": "eu"}));
        assert_eq!(status, 201, "{body}");
        let deployed: DeployedVersion = serde_json::from_value(body).unwrap();
        assert_eq!(deployed.application_instance.as_deref(), Some("eu"));
        served_as::<DeployedVersion>(&broker, &format!("/deployed-versions/{}", deployed.uuid));
        served_as::<Pacticipant>(&broker, "/pacticipants/web");
        served_as::<Environment>(&broker, &format!("/environments/{uuid}"));
        let environments: Environments = served_as(&broker, "/environments");
        let contact = &environments.embedded.environments[0]
            .contacts
            .as_ref()
            .unwrap()[0];
        assert_eq!(
            contact.details.as_ref().unwrap()["emailAddress"],
            "ops@example.com"
        );

        let (status, body) = broker.post(
            "/pacts/provider/api/for-verification",
            &json!({"consumerVersionSelectors": [{"mainBranch": true}], "includePendingStatus": true}),
        );
        assert_eq!(status, 200, "{body}");
        let selected: PactsForVerification = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&selected).unwrap(), body);
        let pact_url = selected.embedded.pacts[0].links.self_.clone().unwrap().href;
        // The contract is the consumer's document; the broker's members read as PactResource.
        let document = broker.ok(&pact_url);
        let members: PactResource = serde_json::from_value(document.clone()).unwrap();
        assert_eq!(
            serde_json::to_value(&members.links).unwrap(),
            document["_links"]
        );
        let results = members.links.publish_verification_results.unwrap().href;
        let (status, body) = broker.post(
            &results,
            &json!({"success": true, "providerApplicationVersion": "7",
                    "verifiedBy": {"implementation": "x", "clientLanguage": {"name": "y"}}}),
        );
        assert_eq!(status, 201, "{body}");
        let result: VerificationResult = serde_json::from_value(body).unwrap();
        assert_eq!(result.verified_by.unwrap()["clientLanguage"]["name"], "y");

        let matrix: Matrix = served_as(
            &broker,
            "/matrix?q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=production",
        );
        assert_eq!(matrix.summary.deployable, None, "api is not in production");
    }
}

#[test]
fn requests_of_the_wrong_shape_get_a_400_naming_the_member() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        eprintln!("-- on {kind:?}");
        let refused = |(status, body): (u16, Value), field: &str, says: &str| {
            assert_eq!(status, 400, "{field}: {body}");
            let messages = body["errors"][field].to_string();
            assert!(messages.contains(says), "{field}: {body}");
        };
        let mut request = publish_body("web", "1", None, &[], &[pact("web", "api", &["a"])], None);
        request["contracts"][0]["providerName"] = json!(5);
        refused(
            broker.post("/contracts/publish", &request),
            "contracts[0].providerName",
            "expected a string",
        );
        request["contracts"][0]["providerName"] = json!("api");
        request["contracts"][0]["onConflict"] = json!("replace");
        refused(
            broker.post("/contracts/publish", &request),
            "contracts[0].onConflict",
            "overwrite",
        );
        request["contracts"][0]
            .as_object_mut()
            .unwrap()
            .remove("content");
        request["contracts"][0]
            .as_object_mut()
            .unwrap()
            .remove("onConflict");
        refused(
            broker.post("/contracts/publish", &request),
            "contracts[0].content",
            "is required",
        );
        let mut request = publish_body("web", "1", None, &[], &[pact("web", "api", &["a"])], None);
        request["tags"] = json!("dev");
        refused(
            broker.post("/contracts/publish", &request),
            "tags",
            "sequence",
        );
        assert_eq!(broker.count("pactPublications"), 0, "nothing was published");

        refused(
            broker.post("/environments", &json!({"name": "test"})),
            "production",
            "is required",
        );
        refused(
            broker.post(
                "/environments",
                &json!({"name": "test", "production": false, "contacts": [{"name": 1}]}),
            ),
            "contacts[0].name",
            "expected a string",
        );
        assert_eq!(broker.count("environments"), 0);

        refused(
            broker.post(
                "/pacts/provider/api/for-verification",
                &json!({"consumerVersionSelectors": [{"mainBranch": true}, {"tag": "x", "latest": "yes"}]}),
            ),
            "consumerVersionSelectors[1].latest",
            "true or false",
        );
        refused(
            broker.get("/matrix?q[][pacticipant]=web&q[][latest]=maybe"),
            "q[0].latest",
            "true or false",
        );
        refused(
            broker.get("/matrix?q[][pacticipant]=web&limit=many"),
            "limit",
            "whole number",
        );
        refused(
            broker.post(
                "/pacts/provider/api/consumer/web/pact-version/abc/verification-results",
                &json!({"success": "yes", "providerApplicationVersion": "1"}),
            ),
            "success",
            "expected a boolean",
        );
        refused(
            broker.patch(
                "/deployed-versions/00000000-0000-0000-0000-000000000000",
                &json!({"currentlyDeployed": "no"}),
            ),
            "currentlyDeployed",
            "expected a boolean",
        );
    }
}

// --- another broker ------------------------------------------------------------------------------

/// What the other broker received: method, path and query, body.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// Answers as the Pact Broker does in the official Ruby client's contract with it: only the
/// members that client relies on, hrefs relative to the base, one link where pactum's broker
/// sends an array of one, no body for a recorded deployment.
async fn other_broker(
    received: Received,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> impl IntoResponse {
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    received.lock().unwrap().push((
        method.to_string(),
        path_and_query.to_owned(),
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let answer = match (method.as_str(), uri.path()) {
        ("GET", "/") => json!({"_links": {
            "pb:pacticipant-version": {"href": "/pacticipants/{pacticipant}/versions/{version}"},
            "pb:latest-version": {"href": "/pacticipants/{pacticipant}/latest-version"},
            "pb:environments": {"href": "/environments"},
            "pf:something-else": {"href": "/elsewhere"}
        }}),
        ("GET", "/pacticipants/Foo/versions/1") => json!({
            "_links": {"pb:record-deployment": {"href": "/deploy-here", "name": "test"}},
            "aFutureMember": {"x": 1}
        }),
        ("POST", "/deploy-here") => return (StatusCode::CREATED, String::new()),
        ("GET", "/pacticipants/Foo/latest-version") => {
            json!({"number": "2", "_links": {"self": {"href": "/some-url"}}})
        }
        ("GET", "/environments") => {
            json!({"_embedded": {"environments": [{"name": "test", "uuid": "u-1", "production": false}]}})
        }
        ("GET", "/matrix") => json!({
            "summary": {"deployable": true, "reason": "some text"},
            "matrix": [{
                "consumer": {"name": "Foo", "version": {"number": "4"}},
                "provider": {"name": "Bar", "version": {"number": "5"}},
                "verificationResult": {"success": true, "_links": {"self": {"href": "http://result/77"}}},
                "verificationType": "pactflow-only"
            }]
        }),
        _ => return (StatusCode::NOT_FOUND, String::new()),
    };
    (StatusCode::OK, answer.to_string())
}

/// The other broker on 127.0.0.1:0, until the returned server is dropped.
fn start_other_broker(received: Received) -> ServedRouter {
    serve_router(
        Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
            other_broker(received.clone(), method, uri, body)
        }),
    )
}

/// `pactum args` against the broker at `base`, with no credentials from the environment
/// (`pactum_command` starts from a clean one).
fn pactum(args: &[&str], base: &str) -> Output {
    run(pactum_command()
        .args(args)
        .env("PACT_BROKER_BASE_URL", base))
}

#[test]
fn broker_commands_read_another_brokers_minimal_answers() {
    let received: Received = Arc::default();
    let other = start_other_broker(received.clone());
    let base = other.url.clone();

    let out = pactum(
        &[
            "record-deployment",
            "--pacticipant",
            "Foo",
            "--version",
            "1",
            "--environment",
            "test",
            "--application-instance",
            "blue",
        ],
        &base,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out)
            .contains("Recorded deployment of Foo version 1 to test (application instance blue)"),
        "{}",
        text(&out)
    );
    let posted = received
        .lock()
        .unwrap()
        .iter()
        .find(|(method, path, _)| method == "POST" && path == "/deploy-here")
        .map(|(_, _, body)| serde_json::from_str::<Value>(body).unwrap())
        .expect("the deployment was posted to the version's link");
    assert_eq!(
        posted,
        json!({"applicationInstance": "blue", "target": "blue"})
    );

    let out = pactum(
        &[
            "record-deployment",
            "--pacticipant",
            "Foo",
            "--version",
            "1",
            "--environment",
            "prod",
        ],
        &base,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no environment named `prod`")
            && text(&out).contains("the broker's environments: test"),
        "{}",
        text(&out)
    );

    let out = pactum(&["describe-version", "--pacticipant", "Foo"], &base);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = text(&out);
    assert!(
        table
            .lines()
            .any(|l| l.contains("Foo") && l.contains(" 2 ")),
        "{table}"
    );

    let out = pactum(&["list-environments", "--output", "json"], &base);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["uuid"], "u-1");

    let out = pactum(
        &[
            "can-i-deploy",
            "--pacticipant",
            "Foo",
            "--version",
            "4",
            "--to-environment",
            "test",
        ],
        &base,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let text = text(&out);
    assert!(text.contains("Computer says yes"), "{text}");
    assert!(text.contains("Bar") && text.contains("77"), "{text}");
}
