//! Provider contracts (PactFlow's API) over real HTTP, on SQLite and on PostgreSQL: an OpenAPI
//! document published with its self-verification reads back as published, publishing again
//! for the same provider version replaces it, and a document that cannot be read is refused
//! with where it breaks, storing nothing. The official `pactflow publish-provider-contract`
//! commands (Rust `pact` 18.1.2, Ruby `pactflow` 16.1.7) publish to it unchanged.

use base64::Engine as _;
use pactum::broker_api::provider_contracts::ProviderContractToPublish;
use pactum::broker_api::{
    ProviderContractRequest, ProviderContractResource, PublishProviderContractRequest,
    SelfVerificationResults,
};
use serde_json::Value;

use crate::support::broker::{TestBroker, TestDb, backends};
use crate::support::clients::OfficialClients;
use crate::support::{ScratchDir, pactum_command, run, stderr, stdout, text};

const OAS_YAML: &str = "openapi: 3.0.3
info:
  title: Items
  version: '1'
paths:
  /items/{id}:
    get:
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: integer}
      responses:
        '200':
          description: an item
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
                  name: {type: string}
";

const OAS_JSON: &str = r#"{"openapi": "3.1.0", "info": {"title": "Items", "version": "2"},
  "paths": {"/items": {"get": {"responses": {"200": {"description": "the items"}}}}}}"#;

fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn self_verification(success: bool) -> SelfVerificationResults {
    SelfVerificationResults {
        success,
        content: Some(base64("42 tests, 0 failures")),
        content_type: Some("text/plain".into()),
        format: Some("text".into()),
        verifier: Some("schemathesis".into()),
        verifier_version: Some("3.1".into()),
    }
}

fn publication(
    version: &str,
    content: &str,
    content_type: &str,
    branch: Option<&str>,
    tags: &[&str],
) -> Value {
    serde_json::to_value(PublishProviderContractRequest {
        pacticipant_version_number: version.into(),
        branch: branch.map(str::to_owned),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        build_url: Some("http://ci/build/7".into()),
        contract: ProviderContractToPublish {
            content: content.into(),
            content_type: content_type.into(),
            specification: "oas".into(),
            self_verification_results: self_verification(true),
        },
    })
    .unwrap()
}

fn read_back(broker: &TestBroker, provider: &str, version: &str) -> ProviderContractResource {
    serde_json::from_value(broker.ok(&format!("/contracts/provider/{provider}/version/{version}")))
        .unwrap()
}

fn notices(body: &Value) -> Vec<(String, String)> {
    body["notices"]
        .as_array()
        .unwrap_or_else(|| panic!("no notices: {body}"))
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap_or_default().to_owned(),
                n["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn error_at(body: &Value, member: &str) -> String {
    body["errors"][member][0]
        .as_str()
        .unwrap_or_else(|| panic!("no error at {member}: {body}"))
        .to_owned()
}

#[test]
fn a_provider_contract_publishes_reads_back_and_is_replaced_by_the_next_for_its_version() {
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let index = broker.ok("/");
        let publish = index["_links"]["pf:publish-provider-contract"]["href"]
            .as_str()
            .unwrap()
            .replace("{provider}", "items-api");

        let (status, body) = broker.post(
            &publish,
            &publication(
                "1.0.0",
                &base64(OAS_YAML),
                "application/yaml",
                Some("main"),
                &["dev"],
            ),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["_embedded"]["version"]["number"], "1.0.0");
        assert!(
            body["_links"]["pb:branch-version"]["href"]
                .as_str()
                .is_some_and(
                    |h| h.ends_with("/pacticipants/items-api/branches/main/versions/1.0.0")
                ),
            "{body}"
        );
        assert_eq!(
            body["_links"]["pb:pacticipant-version-tags"][0]["name"],
            "dev"
        );
        let notices_1 = notices(&body);
        assert!(
            notices_1
                .iter()
                .any(|(kind, text)| kind == "success" && text.contains("items-api version 1.0.0")),
            "{notices_1:?}"
        );
        assert!(
            !notices_1.iter().any(|(kind, _)| kind == "warning"),
            "{notices_1:?}"
        );

        let stored = read_back(&broker, "items-api", "1.0.0");
        assert_eq!(stored.content, OAS_YAML);
        assert_eq!(stored.content_type, "application/yaml");
        assert_eq!(stored.specification, "oas");
        assert_eq!(stored.self_verification_results, self_verification(true));
        let version = broker.ok("/pacticipants/items-api/versions/1.0.0");
        assert_eq!(version["buildUrl"], "http://ci/build/7");
        assert_eq!(
            broker.ok("/pacticipants/items-api/versions/1.0.0/tags/dev")["name"],
            "dev"
        );

        // The same version again, with another document: it replaces the first.
        let (status, body) = broker.post(
            &publish,
            &publication("1.0.0", &base64(OAS_JSON), "application/json", None, &[]),
        );
        assert_eq!(status, 200, "{body}");
        assert!(
            notices(&body)
                .iter()
                .any(|(kind, text)| kind == "success" && text.contains("replaced")),
            "{body}"
        );
        let stored = read_back(&broker, "items-api", "1.0.0");
        assert_eq!(stored.content, OAS_JSON);
        assert_eq!(stored.content_type, "application/json");

        // The older PUT: 201 for a new version's contract, 200 when it replaces one.
        let legacy = serde_json::to_value(ProviderContractRequest {
            content: base64(OAS_YAML),
            content_type: "application/yaml".into(),
            contract_type: "oas".into(),
            verification_results: self_verification(false),
        })
        .unwrap();
        let (status, body) = broker.put("/contracts/provider/items-api/version/2.0.0", &legacy);
        assert_eq!(status, 201, "{body}");
        assert!(
            notices(&body)
                .iter()
                .any(|(kind, text)| kind == "warning" && text.contains("own tests")),
            "{body}"
        );
        let (status, body) = broker.put("/contracts/provider/items-api/version/2.0.0", &legacy);
        assert_eq!(status, 200, "{body}");
        let stored = read_back(&broker, "items-api", "2.0.0");
        assert!(!stored.self_verification_results.success);
        assert_eq!(read_back(&broker, "items-api", "1.0.0").content, OAS_JSON);

        assert_eq!(
            broker.count("providerContracts"),
            2,
            "one per provider version"
        );
        let (status, body) = broker.get("/contracts/provider/items-api/version/3.0.0");
        assert_eq!(status, 404, "{body}");
    }
}

#[test]
fn a_provider_contract_that_cannot_be_read_is_refused_naming_where_and_nothing_is_stored() {
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let publish = "/provider-contracts/provider/items-api/publish";

        // A YAML syntax error: the line and column of it.
        let broken = "openapi: 3.0.3\npaths:\n  /items: {get: [\n";
        let (status, body) = broker.post(
            publish,
            &publication("1.0.0", &base64(broken), "application/yaml", None, &[]),
        );
        assert_eq!(status, 400, "{body}");
        let message = error_at(&body, "contract.content");
        assert!(
            message.contains("not valid YAML") && message.contains("line "),
            "{message}"
        );

        let (status, body) = broker.post(
            publish,
            &publication("1.0.0", "not base64!", "application/yaml", None, &[]),
        );
        assert_eq!(status, 400, "{body}");
        assert!(
            error_at(&body, "contract.content").contains("base64"),
            "{body}"
        );

        let (status, body) = broker.post(
            publish,
            &publication("1.0.0", &base64(OAS_YAML), "text/html", None, &[]),
        );
        assert_eq!(status, 400, "{body}");
        assert!(
            error_at(&body, "contract.contentType").contains("text/html"),
            "{body}"
        );

        let mut wrong_kind = publication("1.0.0", &base64(OAS_YAML), "application/yaml", None, &[]);
        wrong_kind["contract"]["specification"] = "pact".into();
        let (status, body) = broker.post(publish, &wrong_kind);
        assert_eq!(status, 400, "{body}");
        assert!(
            error_at(&body, "contract.specification").contains("`oas`"),
            "{body}"
        );

        let mut no_result = publication("1.0.0", &base64(OAS_YAML), "application/yaml", None, &[]);
        no_result["contract"]["selfVerificationResults"]
            .as_object_mut()
            .unwrap()
            .remove("success");
        let (status, body) = broker.post(publish, &no_result);
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            error_at(&body, "contract.selfVerificationResults.success"),
            "is required"
        );

        // Nothing of the refused publications was stored: no provider, no version.
        assert_eq!(broker.count("providerContracts"), 0);
        assert_eq!(broker.get("/pacticipants/items-api").0, 404);
        assert_eq!(
            broker.get("/contracts/provider/items-api/version/1.0.0").0,
            404
        );

        // Readable, but not an OpenAPI document: stored (as PactFlow stores it) with a warning
        // that says what is wrong.
        let (status, body) = broker.post(
            publish,
            &publication(
                "1.0.0",
                &base64("some: contract\n"),
                "application/yaml",
                None,
                &[],
            ),
        );
        assert_eq!(status, 200, "{body}");
        let warnings: Vec<_> = notices(&body)
            .into_iter()
            .filter(|(kind, _)| kind == "warning")
            .collect();
        assert!(
            warnings.iter().any(
                |(_, text)| text.contains("not an OpenAPI document") && text.contains("[root]")
            ),
            "{warnings:?}"
        );
        assert_eq!(
            read_back(&broker, "items-api", "1.0.0").content,
            "some: contract\n"
        );
    }
}

#[test]
fn the_official_pactflow_clients_publish_provider_contracts() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let scratch = ScratchDir::new("provider-contract-clients");
    let document = scratch.write("openapi.yaml", OAS_YAML);
    let report = scratch.write("report.txt", "42 tests, 0 failures\n");
    let (document, report) = (document.to_str().unwrap(), report.to_str().unwrap());
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);

        let mut rust = clients.pact();
        rust.args(["pactflow", "publish-provider-contract", document])
            .args(["--broker-base-url", &broker.url, "--provider", "items-api"])
            .args([
                "--provider-app-version",
                "1.0.0",
                "--branch",
                "main",
                "--tag",
                "dev",
            ])
            .args([
                "--content-type",
                "application/yaml",
                "--verification-success",
            ])
            .args([
                "--verification-results",
                report,
                "--verification-results-content-type",
            ])
            .args(["text/plain", "--verifier", "schemathesis", "--retries", "0"]);
        let output = run(&mut rust);
        assert!(output.status.success(), "pact pactflow: {}", text(&output));

        let mut ruby = std::process::Command::new(clients.ruby_pactflow_client());
        ruby.args(["publish-provider-contract", document])
            .args(["--broker-base-url", &broker.url, "--provider", "items-api"])
            .args(["--provider-app-version", "2.0.0", "--branch", "main"])
            .args([
                "--content-type",
                "application/yaml",
                "--verification-exit-code",
                "1",
            ])
            .args([
                "--verification-results",
                report,
                "--verification-results-content-type",
            ])
            .args(["text/plain", "--verifier", "schemathesis"]);
        let output = run(&mut ruby);
        assert!(
            output.status.success(),
            "pactflow (Ruby): {}",
            text(&output)
        );

        let first = read_back(&broker, "items-api", "1.0.0");
        assert_eq!(first.content, OAS_YAML);
        assert_eq!(first.specification, "oas");
        assert!(first.self_verification_results.success);
        assert_eq!(
            first.self_verification_results.verifier.as_deref(),
            Some("schemathesis")
        );
        assert_eq!(
            first.self_verification_results.content.as_deref(),
            Some(base64("42 tests, 0 failures\n").as_str())
        );
        assert_eq!(
            broker.ok("/pacticipants/items-api/versions/1.0.0/tags/dev")["name"],
            "dev"
        );
        let second = read_back(&broker, "items-api", "2.0.0");
        assert_eq!(second.content, OAS_YAML);
        assert!(
            !second.self_verification_results.success,
            "exit code 1 is a failure"
        );
        let branch = broker.ok("/pacticipants/items-api/branches/main/versions/2.0.0");
        assert_eq!(branch["number"], "2.0.0", "{branch}");
    }
}

#[test]
fn pactum_publishes_a_provider_contract_with_the_official_flags() {
    let scratch = ScratchDir::new("pactum-provider-contract");
    let document = scratch.write("openapi.yml", OAS_YAML);
    let report = scratch.write("report.txt", "42 tests, 0 failures\n");
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let output = run(pactum_command()
            .arg("publish-provider-contract")
            .arg(&document)
            .args(["--broker-base-url", &broker.url, "--provider", "items-api"])
            .args(["--provider-app-version", "1.0.0", "--branch", "main"])
            .args(["--tag", "dev", "--verification-exit-code", "0"])
            .arg("--verification-results")
            .arg(&report)
            .args(["--verification-results-content-type", "text/plain"])
            .args(["--verification-results-format", "text"])
            .args(["--verifier", "schemathesis", "--verifier-version", "3.1"])
            .args(["--build-url", "http://ci/build/7", "--output", "json"]));
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(
            answer["_embedded"]["version"]["number"], "1.0.0",
            "{answer}"
        );

        // Content type from the extension, report base64-encoded, exit code 0 a success.
        let stored = read_back(&broker, "items-api", "1.0.0");
        assert_eq!(stored.content, OAS_YAML);
        assert_eq!(stored.content_type, "application/yaml");
        assert_eq!(stored.specification, "oas");
        assert_eq!(
            stored.self_verification_results,
            SelfVerificationResults {
                content: Some(base64("42 tests, 0 failures\n")),
                ..self_verification(true)
            }
        );
        assert_eq!(
            broker.ok("/pacticipants/items-api/versions/1.0.0")["buildUrl"],
            "http://ci/build/7"
        );
        assert_eq!(
            broker.ok("/pacticipants/items-api/branches/main/versions/1.0.0")["number"],
            "1.0.0"
        );
        assert_eq!(
            broker.ok("/pacticipants/items-api/versions/1.0.0/tags/dev")["name"],
            "dev"
        );

        // A failed self-verification, as text output: the broker's notices.
        let output = run(pactum_command()
            .arg("publish-provider-contract")
            .arg(&document)
            .args(["--broker-base-url", &broker.url, "--provider", "items-api"])
            .args([
                "--provider-app-version",
                "2.0.0",
                "--verification-exit-code",
                "3",
            ]));
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(
            stdout(&output).contains("items-api version 2.0.0"),
            "{}",
            text(&output)
        );
        assert!(
            !read_back(&broker, "items-api", "2.0.0")
                .self_verification_results
                .success
        );
    }
}

#[test]
fn pactum_publish_provider_contract_refuses_what_it_cannot_send_naming_it() {
    let scratch = ScratchDir::new("pactum-provider-contract-errors");
    let document = scratch.write("openapi.yaml", OAS_YAML);
    let missing = document.with_file_name("nowhere.yaml");
    for kind in backends() {
        eprintln!("-- on {kind:?}");
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let publish = |file: &std::path::Path, extra: &[&str]| {
            run(pactum_command()
                .arg("publish-provider-contract")
                .arg(file)
                .args(["--broker-base-url", &broker.url, "--provider", "items-api"])
                .args(["--provider-app-version", "1.0.0"])
                .args(extra))
        };

        let output = publish(&missing, &["--verification-success"]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        let message = stderr(&output);
        assert!(
            message.contains("cannot read the provider contract")
                && message.contains("nowhere.yaml"),
            "{message}"
        );

        // Neither --verification-success nor --verification-exit-code: the Ruby client sends
        // no success at all (and the broker refuses it); pactum says so before asking.
        let output = publish(&document, &[]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            stderr(&output).contains("--verification-success")
                && stderr(&output).contains("--verification-exit-code"),
            "{}",
            text(&output)
        );

        // The broker's refusal is named: a media type it does not take.
        let output = publish(
            &document,
            &["--verification-success", "--content-type", "text/html"],
        );
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(stderr(&output).contains("text/html"), "{}", text(&output));
        assert_eq!(
            broker.get("/pacticipants/items-api").0,
            404,
            "nothing stored"
        );
    }
}
