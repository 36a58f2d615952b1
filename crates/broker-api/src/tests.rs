//! Round trips of the broker's own answers, the shapes the Pact Broker's answers take, and the
//! request bodies the official clients send.
//!
//! `tests/fixtures/*.json` are answers of pactum's broker captured before its resources were
//! typed: reading each into its type and writing it again must give the same JSON, so the types
//! describe every member (nothing dropped, nothing added). The official Pact Broker client's
//! contract with the Pact Broker (`PACTUM_OFFICIAL_CONTRACTS`, or `../shared/official-contracts`
//! next to the checkout) holds the minimal answers that client relies on: each must read.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads `value` as `T` and writes it again.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone()).expect("reads");
    serde_json::to_value(&typed).expect("writes")
}

fn assert_round_trip<T: DeserializeOwned + Serialize>(name: &str) {
    let original = fixture(name);
    assert_eq!(
        round_trip::<T>(&original),
        original,
        "{name}: written differently than the broker wrote it"
    );
}

#[test]
fn the_brokers_answers_round_trip_unchanged() {
    assert_round_trip::<Index>("index");
    assert_round_trip::<Heartbeat>("heartbeat");
    assert_round_trip::<Metrics>("metrics");
    assert_round_trip::<Pacticipant>("pacticipant");
    assert_round_trip::<Pacticipant>("pacticipant-new");
    assert_round_trip::<Pacticipants>("pacticipants");
    assert_round_trip::<Version>("version");
    assert_round_trip::<Versions>("versions");
    assert_round_trip::<Tag>("tag");
    assert_round_trip::<Branch>("branch");
    assert_round_trip::<Branches>("branches");
    assert_round_trip::<Environment>("environment");
    assert_round_trip::<Environments>("environments");
    assert_round_trip::<DeployedVersion>("deployed-version");
    assert_round_trip::<ReleasedVersion>("released-version");
    assert_round_trip::<DeployedVersions>("currently-deployed");
    assert_round_trip::<DeployedVersions>("deployments-of-version");
    assert_round_trip::<PublishResponse>("publish");
    assert_round_trip::<PactResource>("pact-links");
    assert_round_trip::<VerificationResult>("verification-result");
    assert_round_trip::<PactsForVerification>("pacts-for-verification");
    assert_round_trip::<Matrix>("matrix");
    assert_round_trip::<Matrix>("matrix-ignored");
    assert_round_trip::<Matrix>("matrix-unverified");
    assert_round_trip::<PactDiff>("diff");
    assert_round_trip::<PactDiff>("diff-first");
    assert_round_trip::<ProviderPacts>("provider-pacts");
    assert_round_trip::<ErrorBody>("error-conflict");
    assert_round_trip::<ErrorBody>("error-invalid");
    assert_round_trip::<ErrorBody>("error-message");
}

#[test]
fn an_empty_array_of_links_reads_as_no_links() {
    let list: ProviderPacts =
        serde_json::from_value(json!({"_links": {"pb:pacts": [], "pacts": []}})).unwrap();
    assert!(list.links.pacts.is_empty() && list.links.pacts_legacy.is_empty());
    let relation: Relation = serde_json::from_value(json!([])).unwrap();
    assert_eq!(relation, Relation::Many(Vec::new()));
    let relation: Relation = serde_json::from_value(json!({"href": "/x"})).unwrap();
    assert_eq!(relation.links()[0].href, "/x");
}

#[test]
fn typed_answers_hold_what_clients_read() {
    let version: Version = serde_json::from_value(fixture("version")).unwrap();
    let environments: Vec<_> = version
        .links
        .record_deployment
        .iter()
        .filter_map(|l| l.name.as_deref())
        .collect();
    assert_eq!(environments, ["production", "test"]);
    assert!(version.embedded.branch_versions[0].name == "feat/x");

    let matrix: Matrix = serde_json::from_value(fixture("matrix-unverified")).unwrap();
    assert_eq!(matrix.summary.deployable, None);
    assert!(matrix.matrix[0].provider.version.is_none());
    assert!(matrix.matrix[0].verification_result.is_none());
    // An unknown answer stays an explicit null: clients tell it from a missing summary.
    assert_eq!(
        serde_json::to_value(&matrix).unwrap()["summary"]["deployable"],
        Value::Null
    );
    assert!(
        serde_json::to_value(&matrix).unwrap()["summary"]
            .as_object()
            .unwrap()
            .contains_key("deployable")
    );

    let index: Index = serde_json::from_value(fixture("index")).unwrap();
    let publish = index.link("pb:publish-contracts").unwrap();
    assert!(publish.href.ends_with("/contracts/publish") && !publish.templated);
    assert!(index.link("pb:pacticipant-version").unwrap().templated);
    assert_eq!(index.links["curies"].links().len(), 2);

    let pacts: PactsForVerification =
        serde_json::from_value(fixture("pacts-for-verification")).unwrap();
    let first = &pacts.embedded.pacts[0];
    assert_eq!(first.verification_properties.pending, Some(true));
    assert!(
        hal::href(first.links.self_.as_ref())
            .unwrap()
            .contains("/metadata/")
    );

    let error: ErrorBody = serde_json::from_value(fixture("error-invalid")).unwrap();
    assert_eq!(error.to_string(), "name: must be a string, got 5");
    let error: ErrorBody = serde_json::from_value(fixture("error-message")).unwrap();
    assert_eq!(error.to_string(), "no pacticipant named `web-shop`");
}

#[test]
fn other_brokers_minimal_answers_read() {
    // Shapes the Pact Broker and PactFlow send: members missing, single links where pactum
    // sends arrays, links without href, extra members.
    let version: Version = serde_json::from_value(json!({
        "_links": {"pb:record-deployment": {"href": "/deploy/here", "name": "prod"}},
        "someExtension": {"x": 1}
    }))
    .unwrap();
    assert_eq!(version.number, "");
    assert_eq!(
        version.links.record_deployment[0].name.as_deref(),
        Some("prod")
    );
    assert!(version.links.record_release.is_empty());

    let answer: PublishResponse = serde_json::from_value(json!({
        "_embedded": {"version": {"number": "1"}},
        "_links": {"pb:branch-version": {}, "pb:pacticipant-version-tags": [{}]},
        "notices": [{"text": "some notice", "type": "info"}]
    }))
    .unwrap();
    assert_eq!(answer.notices[0].text, "some notice");
    assert_eq!(
        hal::href(answer.links.pacticipant_version_tags.first()),
        None
    );

    let matrix: Matrix = serde_json::from_value(json!({
        "summary": {"reason": "an error message"}
    }))
    .unwrap();
    assert_eq!(matrix.summary.deployable, None);
    assert!(matrix.matrix.is_empty());

    let errors: ErrorBody =
        serde_json::from_value(json!({"errors": ["an error message"]})).unwrap();
    assert_eq!(errors.to_string(), "an error message");
    assert!(!errors.is_empty());
    let not_an_error: ErrorBody = serde_json::from_value(json!({"ok": true})).unwrap();
    assert!(not_an_error.is_empty());
}

#[test]
fn selectors_read_the_post_and_get_forms_and_keep_unknown_keys() {
    let post: PactsForVerificationRequest = serde_json::from_value(json!({
        "consumerVersionSelectors": [
            {"mainBranch": true},
            {"branch": "feat/x", "fallbackBranch": "main"},
            {"branch": true},
            {"deployedOrReleased": true, "colour": "red"}
        ],
        "providerVersionBranch": "main",
        "includePendingStatus": true
    }))
    .unwrap();
    let selectors = &post.consumer_version_selectors;
    assert_eq!(selectors[0].main_branch, Some(true));
    assert_eq!(
        selectors[1].branch,
        Some(BranchSelector::Named("feat/x".into()))
    );
    assert_eq!(selectors[2].branch, Some(BranchSelector::Matching));
    assert_eq!(selectors[3].other["colour"], "red");
    assert_eq!(post.include_pending_status, Some(true));

    // The GET form: snake_case keys, text flags (as the nested query parser yields them).
    let get: PactsForVerificationRequest = serde_json::from_value(json!({
        "consumer_version_selectors": [{"tag": "prod", "latest": "true", "main_branch": "false"}],
        "provider_version_tags": ["a", "b"],
        "include_pending_status": "false"
    }))
    .unwrap();
    assert_eq!(get.consumer_version_selectors[0].latest, Some(true));
    assert_eq!(get.consumer_version_selectors[0].main_branch, Some(false));
    assert!(get.consumer_version_selectors[0].other.is_empty());
    assert_eq!(get.provider_version_tags, ["a", "b"]);
    assert_eq!(get.include_pending_status, Some(false));

    let wrong = serde_json::from_value::<ConsumerVersionSelector>(json!({"latest": "yes"}))
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("true or false"), "{wrong}");

    // Written back, a selector has only the keys it was given (unknown ones included).
    assert_eq!(
        serde_json::to_value(&selectors[3]).unwrap(),
        json!({"deployedOrReleased": true, "colour": "red"})
    );
    assert_eq!(
        serde_json::to_value(&selectors[2]).unwrap(),
        json!({"branch": true})
    );
}

#[test]
fn matrix_questions_read_from_the_nested_query() {
    let question: MatrixRequest = serde_json::from_value(json!({
        "q": [{"pacticipant": "Foo", "version": "1.2.3"}, {"pacticipant": "Bar", "latest": "true", "tag": "prod"}],
        "latestby": "cvpv",
        "ignore": [{"pacticipant": "Baz"}],
        "limit": "25"
    }))
    .unwrap();
    assert_eq!(question.q.len(), 2);
    assert_eq!(question.q[1].latest, Some(true));
    assert_eq!(question.ignore[0].pacticipant.as_deref(), Some("Baz"));
    assert_eq!(question.latest_by.as_deref(), Some("cvpv"));
    assert_eq!(question.limit, Some(25));

    // `q[pacticipant]=Foo` (an object, not an array) is a list of one.
    let one: MatrixRequest =
        serde_json::from_value(json!({"q": {"pacticipant": "Foo"}, "mainBranch": "true"})).unwrap();
    assert_eq!(one.q[0].pacticipant.as_deref(), Some("Foo"));
    assert_eq!(one.main_branch, Some(true));

    let wrong = serde_json::from_value::<MatrixRequest>(json!({"limit": "many"}))
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("whole number"), "{wrong}");
}

#[test]
fn request_bodies_are_written_as_the_official_clients_write_them() {
    let mut contract = ContractToPublish::pact("UserWebV4", "UserService", "eyJ9");
    contract.on_conflict = Some(OnConflict::Overwrite);
    let request = PublishRequest {
        pacticipant_name: "UserWebV4".into(),
        pacticipant_version_number: "1.0.0".into(),
        branch: Some("main".into()),
        tags: vec!["dev".into()],
        build_url: None,
        contracts: vec![contract],
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "pacticipantName": "UserWebV4", "pacticipantVersionNumber": "1.0.0",
            "branch": "main", "tags": ["dev"],
            "contracts": [{
                "consumerName": "UserWebV4", "providerName": "UserService",
                "specification": "pact", "contentType": "application/json",
                "content": "eyJ9", "onConflict": "overwrite"
            }]
        })
    );
    assert_eq!(
        serde_json::to_value(RecordDeploymentRequest::instance(Some("blue"))).unwrap(),
        json!({"applicationInstance": "blue", "target": "blue"})
    );
    assert_eq!(
        serde_json::to_value(RecordDeploymentRequest::instance(None)).unwrap(),
        json!({})
    );
    assert_eq!(
        serde_json::to_value(DeployedVersionPatch {
            currently_deployed: Some(false)
        })
        .unwrap(),
        json!({"currentlyDeployed": false})
    );
    let verifier = VerificationResultRequest {
        success: true,
        provider_application_version: "2.0.0".into(),
        build_url: None,
        test_results: Some(json!([])),
        verified_by: Some(VerifiedBy {
            implementation: Some("pactum".into()),
            version: Some("0.1.0".into()),
            other: Default::default(),
        }),
    };
    assert_eq!(
        serde_json::to_value(&verifier).unwrap(),
        json!({
            "success": true, "providerApplicationVersion": "2.0.0", "testResults": [],
            "verifiedBy": {"implementation": "pactum", "version": "0.1.0"}
        })
    );
    // What the official verifier sends reads, its extra `verifiedBy` members kept.
    let official: VerificationResultRequest = serde_json::from_value(json!({
        "providerApplicationVersion": "2.0.0", "success": true, "testResults": [],
        "verifiedBy": {"clientLanguage": {"name": "pact_verifier_cli"}, "implementation": "Pact-Rust", "version": "1.4.7"}
    }))
    .unwrap();
    let by = official.verified_by.unwrap();
    assert_eq!(by.implementation.as_deref(), Some("Pact-Rust"));
    assert_eq!(by.other["clientLanguage"]["name"], "pact_verifier_cli");
}

/// The official client's contracts: `PACTUM_OFFICIAL_CONTRACTS`, else
/// `../shared/official-contracts` beside the checkout. Missing, the test fails unless
/// `PACTUM_SKIP_OFFICIAL_CONTRACTS` is set (the rule of the integration tests' prerequisites).
fn official_contracts() -> Option<PathBuf> {
    if std::env::var("PACTUM_SKIP_OFFICIAL_CONTRACTS").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!(
            "skipped: the official client's contracts (PACTUM_SKIP_OFFICIAL_CONTRACTS is set)"
        );
        return None;
    }
    let dir = match std::env::var_os("PACTUM_OFFICIAL_CONTRACTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/official-contracts"),
    };
    assert!(
        dir.is_dir(),
        "the official client's contracts are not in {}: set PACTUM_OFFICIAL_CONTRACTS to the \
         folder of pact_broker-client's spec/pacts (scripts/test does this), or set \
         PACTUM_SKIP_OFFICIAL_CONTRACTS=1 to skip",
        dir.display()
    );
    Some(dir)
}

/// Reads every answer (and request body) of the official Ruby client's contracts with the Pact
/// Broker and PactFlow that has a pactum type.
#[test]
fn the_pact_brokers_answers_in_the_official_clients_contracts_read() {
    let Some(dir) = official_contracts() else {
        return;
    };
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let contract: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for interaction in contract["interactions"].as_array().unwrap() {
            let description = interaction["description"].as_str().unwrap();
            let method = interaction["request"]["method"].as_str().unwrap();
            let path = interaction["request"]["path"].as_str().unwrap();
            let status = interaction["response"]["status"].as_u64().unwrap();
            let body = &interaction["response"]["body"];
            let request = &interaction["request"]["body"];
            if body.is_null() {
                continue;
            }
            let at = format!("{description} ({method} {path} → {status})");
            if status >= 400 {
                let error: ErrorBody = serde_json::from_value(body.clone()).expect(&at);
                assert!(!error.to_string().is_empty(), "{at}");
                read += 1;
                continue;
            }
            let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            match (method, parts.as_slice()) {
                ("GET", [""]) => {
                    let index: Index = serde_json::from_value(body.clone()).expect(&at);
                    assert!(
                        index
                            .links
                            .values()
                            .all(|rel| rel.links().iter().all(|l| !l.href.is_empty())),
                        "{at}"
                    );
                }
                ("GET", ["matrix"]) => {
                    let matrix: Matrix = serde_json::from_value(body.clone()).expect(&at);
                    for row in &matrix.matrix {
                        assert!(!row.consumer.name.is_empty(), "{at}");
                    }
                }
                ("POST", ["contracts", "publish"]) => {
                    let answer: PublishResponse = serde_json::from_value(body.clone()).expect(&at);
                    assert_eq!(
                        answer.embedded.version.number,
                        body["_embedded"]["version"]["number"].as_str().unwrap(),
                        "{at}"
                    );
                    let sent: PublishRequest = serde_json::from_value(request.clone()).expect(&at);
                    assert_eq!(
                        serde_json::to_value(&sent).unwrap(),
                        *request,
                        "{at}: the request body reads and writes back unchanged"
                    );
                }
                ("POST", ["provider-contracts", "provider", _, "publish"]) => {
                    let answer: ProviderContractPublished =
                        serde_json::from_value(body.clone()).expect(&at);
                    assert_eq!(
                        answer.embedded.version.number,
                        body["_embedded"]["version"]["number"].as_str().unwrap(),
                        "{at}"
                    );
                    assert!(!answer.notices.is_empty(), "{at}");
                    let sent: PublishProviderContractRequest =
                        serde_json::from_value(request.clone()).expect(&at);
                    assert_eq!(
                        serde_json::to_value(&sent).unwrap(),
                        *request,
                        "{at}: the request body reads and writes back unchanged"
                    );
                }
                ("PUT", ["contracts", "provider", _, "version", _]) => {
                    let _: ProviderContractPublished =
                        serde_json::from_value(body.clone()).expect(&at);
                    let sent: ProviderContractRequest =
                        serde_json::from_value(request.clone()).expect(&at);
                    assert_eq!(
                        serde_json::to_value(&sent).unwrap(),
                        *request,
                        "{at}: the request body reads and writes back unchanged"
                    );
                }
                ("GET", ["environments"]) => {
                    let list: Environments = serde_json::from_value(body.clone()).expect(&at);
                    assert!(
                        !list.links.environments.is_empty()
                            || !list.embedded.environments.is_empty(),
                        "{at}"
                    );
                }
                ("POST", ["environments"]) => {
                    let created: Environment = serde_json::from_value(body.clone()).expect(&at);
                    assert_eq!(created.name, body["name"], "{at}");
                    let sent: EnvironmentRequest =
                        serde_json::from_value(request.clone()).expect(&at);
                    assert_eq!(serde_json::to_value(&sent).unwrap(), *request, "{at}");
                }
                ("GET", ["environments", _]) => {
                    let env: Environment = serde_json::from_value(body.clone()).expect(&at);
                    assert!(env.links.currently_deployed.is_some(), "{at}");
                }
                ("GET", ["environments", _, "deployed-versions", _]) => {
                    let list: DeployedVersions = serde_json::from_value(body.clone()).expect(&at);
                    let first = &list.embedded.deployed_versions[0];
                    assert!(hal::href(first.links.self_.as_ref()).is_some(), "{at}");
                    assert!(first.application_instance.is_some(), "{at}");
                }
                ("PATCH", ["deployed-versions", _]) => {
                    let record: DeployedVersion = serde_json::from_value(body.clone()).expect(&at);
                    assert!(!record.currently_deployed, "{at}");
                    let sent: DeployedVersionPatch =
                        serde_json::from_value(request.clone()).expect(&at);
                    assert_eq!(sent.currently_deployed, Some(false), "{at}");
                }
                ("POST", ["pacticipants", _, "versions", _, "deployed-versions", ..]) => {
                    let _: DeployedVersion = serde_json::from_value(body.clone()).expect(&at);
                    let _: RecordDeploymentRequest =
                        serde_json::from_value(request.clone()).expect(&at);
                }
                (
                    "GET",
                    ["pacticipants", _, "versions", _] | ["pacticipants", _, "latest-version", ..],
                ) => {
                    let version: Version = serde_json::from_value(body.clone()).expect(&at);
                    let links = version.links.record_deployment.iter();
                    assert!(
                        links
                            .chain(&version.links.record_release)
                            .all(|l| l.name.is_some()),
                        "{at}"
                    );
                }
                ("GET" | "PATCH", ["pacticipants", _]) | ("POST", ["pacticipants"]) => {
                    let pacticipant: Pacticipant = serde_json::from_value(body.clone()).expect(&at);
                    assert!(pacticipant.links.self_.is_some(), "{at}");
                }
                ("GET", ["pacticipants"]) => {
                    let list: Pacticipants = serde_json::from_value(body.clone()).expect(&at);
                    assert!(!list.links.pacticipants_legacy.is_empty(), "{at}");
                }
                ("PUT", ["pacticipants", _, "versions", _, "tags", _]) => {
                    let tag: Tag = serde_json::from_value(body.clone()).expect(&at);
                    assert!(tag.links.self_.is_some(), "{at}");
                }
                ("GET", ["pacts", "latest"]) => {
                    let latest: LatestPacts = serde_json::from_value(body.clone()).expect(&at);
                    let first = &latest.pacts[0];
                    assert_eq!(first.embedded.consumer.name, "Condor", "{at}");
                    assert_eq!(
                        first
                            .embedded
                            .consumer
                            .embedded
                            .as_ref()
                            .map(|e| e.version.number.as_str()),
                        Some("1.3.0"),
                        "{at}"
                    );
                    assert_eq!(first.links.self_.len(), 2, "{at}");
                }
                ("GET", ["pacts", "provider", _, "latest", ..]) => {
                    let latest: ProviderPacts = serde_json::from_value(body.clone()).expect(&at);
                    assert_eq!(
                        latest.links.pacts[0].name.as_deref(),
                        Some("Condor"),
                        "{at}"
                    );
                }
                _ => continue,
            }
            read += 1;
        }
    }
    assert!(
        read >= 30,
        "only {read} answers of {} matched a type",
        dir.display()
    );
}
