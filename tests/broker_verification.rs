//! Pacts for verification on pactum's broker (selectors, squashing, pending, WIP), and the
//! whole provider loop through it: `pactum verify --broker-url … --publish` and the official
//! `pact verifier` (npm pact-cli 18.1.2), on SQLite and PostgreSQL.

use std::process::Output;

use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact};
use crate::support::clients::OfficialClients;
use crate::support::provider::{self, Breakage};
use crate::support::{ScratchDir, pactum, port_of, repo_path, run, snapshot_filters, text};

/// `(consumer, versions, reasons)` of a pacts-for-verification answer, sorted.
fn selected(answer: &Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = answer["_embedded"]["pacts"]
        .as_array()
        .unwrap_or_else(|| panic!("no pacts in {answer}"))
        .iter()
        .map(|p| {
            let name = p["_links"]["self"]["name"].as_str().unwrap().to_owned();
            let description = p["shortDescription"].as_str().unwrap().to_owned();
            (name, vec![description])
        })
        .collect();
    out.sort();
    out
}

fn names(answer: &Value) -> Vec<String> {
    selected(answer).into_iter().map(|(name, _)| name).collect()
}

fn for_verification(broker: &TestBroker, body: Value) -> Value {
    let (status, answer) = broker.post("/pacts/provider/api/for-verification", &body);
    assert_eq!(status, 200, "{body} → {answer}");
    answer
}

/// web: 1 (main, tag prod, deployed to production), 2 (main), 3 (feat/x, new content),
/// 4 (main, same content as 2). mobile: 7 (tag prod, released to production).
fn seed(broker: &TestBroker) -> String {
    assert_eq!(
        broker
            .patch("/pacticipants/web", &json!({"mainBranch": "main"}))
            .0,
        201
    );
    let (_, env) = broker.post(
        "/environments",
        &json!({"name": "production", "production": true}),
    );
    let production = env["uuid"].as_str().unwrap().to_owned();
    let v1 = pact("web", "api", &["one"]);
    let v2 = pact("web", "api", &["one", "two"]);
    let v3 = pact("web", "api", &["one", "two", "three"]);
    assert_eq!(
        broker.publish("web", "1", Some("main"), &["prod"], &[v1]).0,
        200
    );
    assert_eq!(
        broker
            .publish("web", "2", Some("main"), &[], std::slice::from_ref(&v2))
            .0,
        200
    );
    assert_eq!(
        broker.publish("web", "3", Some("feat/x"), &[], &[v3]).0,
        200
    );
    assert_eq!(broker.publish("web", "4", Some("main"), &[], &[v2]).0, 200);
    assert_eq!(
        broker
            .publish(
                "mobile",
                "7",
                Some("release"),
                &["prod"],
                &[pact("mobile", "api", &["m"])]
            )
            .0,
        200
    );
    let deploy = format!("/pacticipants/web/versions/1/deployed-versions/environment/{production}");
    assert_eq!(broker.post(&deploy, &json!({})).0, 201);
    let release =
        format!("/pacticipants/mobile/versions/7/released-versions/environment/{production}");
    assert_eq!(broker.post(&release, &json!({})).0, 201);
    production
}

#[test]
fn selectors_pick_consumer_versions_and_squash_identical_content() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        seed(&broker);
        let pick = |selectors: Value| {
            names(&for_verification(
                &broker,
                json!({"consumerVersionSelectors": selectors}),
            ))
        };
        assert_eq!(
            pick(json!([{"mainBranch": true}])),
            ["Pact between web (4) and api"],
            "{kind:?}"
        );
        assert_eq!(
            pick(json!([{"branch": "feat/x"}])),
            ["Pact between web (3) and api"]
        );
        assert_eq!(
            pick(json!([{"branch": "nope", "fallbackBranch": "main"}])),
            ["Pact between web (4) and api"]
        );
        assert_eq!(
            pick(json!([{"tag": "prod", "latest": true}])),
            [
                "Pact between mobile (7) and api",
                "Pact between web (1) and api"
            ]
        );
        assert_eq!(
            pick(json!([{"tag": "prod", "latest": true, "consumer": "web"}])),
            ["Pact between web (1) and api"]
        );
        assert_eq!(
            pick(
                json!([{"tag": "nope", "latest": true, "fallbackTag": "prod", "consumer": "mobile"}])
            ),
            ["Pact between mobile (7) and api"]
        );
        assert_eq!(
            pick(json!([{"latest": true}])),
            [
                "Pact between mobile (7) and api",
                "Pact between web (4) and api"
            ]
        );
        assert_eq!(
            pick(json!([{"deployed": true}])),
            ["Pact between web (1) and api"]
        );
        assert_eq!(
            pick(json!([{"released": true}])),
            ["Pact between mobile (7) and api"]
        );
        assert_eq!(
            pick(json!([{"deployedOrReleased": true}])),
            [
                "Pact between mobile (7) and api",
                "Pact between web (1) and api"
            ]
        );
        assert_eq!(
            pick(json!([{"environment": "production"}])),
            [
                "Pact between mobile (7) and api",
                "Pact between web (1) and api"
            ]
        );
        // The broker's defaults: main branch, deployed, released.
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!(
            "hal_pacts_for_verification_defaults",
            for_verification(&broker, json!({"consumerVersionSelectors": []}))
        );
        assert_eq!(
            pick(json!([])),
            [
                "Pact between mobile (7) and api",
                "Pact between web (1) and api",
                "Pact between web (4) and api"
            ]
        );
        // Versions 2 and 4 share content: selected by all versions on main, they are one entry
        // naming both versions.
        let answer = for_verification(
            &broker,
            json!({"consumerVersionSelectors": [{"mainBranch": true}, {"branch": "main"}]}),
        );
        insta::assert_json_snapshot!("hal_pacts_for_verification_squashed", answer);
        let pacts = answer["_embedded"]["pacts"].as_array().unwrap();
        assert_eq!(pacts.len(), 1, "{answer}");
        let notice = pacts[0]["verificationProperties"]["notices"][0]["text"]
            .as_str()
            .unwrap();
        assert!(
            notice.contains("latest version from the main branch (4)")
                && notice.contains("latest version from branch 'main' (4)"),
            "{notice}"
        );
        // The self link is the content's permalink with metadata, and it serves the contract.
        let href = pacts[0]["_links"]["self"]["href"].as_str().unwrap();
        assert!(
            href.contains("/pact-version/") && href.contains("/metadata/"),
            "{href}"
        );
        let contract = broker.ok(href);
        assert_eq!(contract["interactions"].as_array().unwrap().len(), 2);
        assert!(
            contract["_links"]["pb:publish-verification-results"]["href"]
                .as_str()
                .unwrap()
                .starts_with(href)
        );
        // matchingBranch follows the provider's branch.
        let answer = for_verification(
            &broker,
            json!({"providerVersionBranch": "feat/x", "consumerVersionSelectors": [{"matchingBranch": true}]}),
        );
        assert_eq!(names(&answer), ["Pact between web (3) and api"]);
        // The GET form takes the same parameters, snake_case, as a nested query string.
        let answer = broker.ok("/pacts/provider/api/for-verification?consumer_version_selectors[][tag]=prod&consumer_version_selectors[][latest]=true");
        assert_eq!(names(&answer).len(), 2);
        assert!(
            answer["_links"]["self"]["href"]
                .as_str()
                .unwrap()
                .ends_with("/pacts/provider/api/for-verification")
        );
    }
}

#[test]
fn invalid_selectors_get_a_400_naming_the_selector() {
    let db = TestDb::new(Kind::Sqlite);
    let broker = TestBroker::start(&db);
    seed(&broker);
    for (selectors, extra, expected) in [
        (
            json!([{"matchingBranch": true}]),
            json!({}),
            "providerVersionBranch",
        ),
        (
            json!([{"branch": "main", "tag": "prod"}]),
            json!({}),
            "cannot be combined",
        ),
        (
            json!([{"tag": "prod", "deployed": true}]),
            json!({}),
            "cannot be combined",
        ),
        (
            json!([{"mainBranch": true}, {"colour": "red"}]),
            json!({}),
            "unknown key `colour`",
        ),
        (json!([{"consumer": "web"}]), json!({}), "selects nothing"),
        (
            json!([{"environment": "staging"}]),
            json!({}),
            "no environment named `staging`",
        ),
        (
            json!([{"tag": "x", "fallbackTag": "y"}]),
            json!({}),
            "fallbackTag needs tag and latest",
        ),
        (
            json!([{"mainBranch": true}]),
            json!({"includeWipPactsSince": "2020-01-01"}),
            "providerVersionBranch",
        ),
        (
            json!([{"mainBranch": true}]),
            json!({"includeWipPactsSince": "yesterday", "providerVersionBranch": "main"}),
            "must be a date",
        ),
    ] {
        let mut body = extra.clone();
        body["consumerVersionSelectors"] = selectors.clone();
        let (status, answer) = broker.post("/pacts/provider/api/for-verification", &body);
        assert_eq!(status, 400, "{body} → {answer}");
        assert!(
            answer["errors"].to_string().contains(expected),
            "{body} → {answer}"
        );
    }
    assert_eq!(
        broker
            .post("/pacts/provider/nobody/for-verification", &json!({}))
            .0,
        404
    );
}

fn verify_content(broker: &TestBroker, pact: &Value, provider_version: &str, success: bool) {
    let url = pact["_links"]["self"]["href"].as_str().unwrap();
    let publish = broker.ok(url)["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = broker.post(
        &publish,
        &json!({"success": success, "providerApplicationVersion": provider_version}),
    );
    assert_eq!(status, 201, "{body}");
}

#[test]
fn pending_until_the_provider_branch_verifies_and_wip_for_unselected_heads() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        seed(&broker);
        let ask = |branch: &str| {
            for_verification(
                &broker,
                json!({
                    "consumerVersionSelectors": [{"mainBranch": true}],
                    "providerVersionBranch": branch,
                    "includePendingStatus": true,
                    "includeWipPactsSince": "2000-01-01",
                }),
            )
        };
        let answer = ask("main");
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_pacts_for_verification_pending_and_wip", answer);
        let pacts = answer["_embedded"]["pacts"].as_array().unwrap();
        // web 4 (main) is selected; web 3 (feat/x) and mobile 7 (release, prod) are newest on
        // their branches/tags and unverified: work in progress. web 1 is the head of tag prod.
        let summary: Vec<(String, bool, bool)> = pacts
            .iter()
            .map(|p| {
                (
                    p["_links"]["self"]["name"].as_str().unwrap().to_owned(),
                    p["verificationProperties"]["pending"].as_bool().unwrap(),
                    p["verificationProperties"]["wip"]
                        .as_bool()
                        .unwrap_or(false),
                )
            })
            .collect();
        let mut sorted = summary.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                ("Pact between mobile (7) and api".to_owned(), true, true),
                ("Pact between web (1) and api".to_owned(), true, true),
                ("Pact between web (3) and api".to_owned(), true, true),
                ("Pact between web (4) and api".to_owned(), true, false),
            ],
            "{kind:?}"
        );
        let main_pact = pacts
            .iter()
            .find(|p| p["verificationProperties"]["wip"].is_null())
            .unwrap()
            .clone();
        let notices = main_pact["verificationProperties"]["notices"].to_string();
        assert!(
            notices.contains("pending state")
                && notices.contains("after_verification:success_true_published_true"),
            "{notices}"
        );

        // A failed verification keeps it pending; a successful one from the branch ends it.
        broker.put("/pacticipants/api/branches/main/versions/100", &json!({}));
        verify_content(&broker, &main_pact, "100", false);
        let pending = |answer: &Value, name: &str| {
            answer["_embedded"]["pacts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["_links"]["self"]["name"] == name)
                .map(|p| p["verificationProperties"]["pending"].clone())
        };
        assert_eq!(
            pending(&ask("main"), "Pact between web (4) and api"),
            Some(json!(true))
        );
        // A branch created before main's success does not inherit it.
        broker.put(
            "/pacticipants/api/branches/feat-early/versions/50",
            &json!({}),
        );
        broker.put("/pacticipants/api/branches/main/versions/101", &json!({}));
        verify_content(&broker, &main_pact, "101", true);
        assert_eq!(
            pending(&ask("main"), "Pact between web (4) and api"),
            Some(json!(false))
        );
        assert_eq!(
            pending(&ask("feat-early"), "Pact between web (4) and api"),
            Some(json!(true))
        );
        // A branch created later inherits main's verification; an older one does not.
        assert_eq!(
            pending(&ask("feat-new"), "Pact between web (4) and api"),
            Some(json!(false))
        );
        // Verified WIP content stops being work in progress for that branch.
        let wip_3 = ask("main")["_embedded"]["pacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["_links"]["self"]["name"] == "Pact between web (3) and api")
            .unwrap()
            .clone();
        verify_content(&broker, &wip_3, "101", true);
        assert_eq!(pending(&ask("main"), "Pact between web (3) and api"), None);
        // WIP only includes contracts published since the date.
        let recent = for_verification(
            &broker,
            json!({
                "consumerVersionSelectors": [{"mainBranch": true}],
                "providerVersionBranch": "other",
                "includePendingStatus": true,
                "includeWipPactsSince": "2999-01-01",
            }),
        );
        assert_eq!(names(&recent), ["Pact between web (4) and api"]);
    }
}

#[test]
fn pending_by_provider_tags_takes_more_tags_than_sql_can_bind_one_by_one() {
    // SQLite binds at most 32,766 values per statement, PostgreSQL 65,535: a list is one value.
    const TAGS: usize = 70_000;
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        seed(&broker);
        let ask = |tags: &[String]| {
            let body = json!({
                "consumerVersionSelectors": [{"mainBranch": true}],
                "providerVersionTags": tags,
                "includePendingStatus": true,
            });
            let (status, answer) = broker.post("/pacts/provider/api/for-verification", &body);
            assert_eq!(
                status,
                200,
                "{kind:?}, {} provider tags: {answer}",
                tags.len()
            );
            answer["_embedded"]["pacts"][0]["verificationProperties"]["pending"].clone()
        };
        let mut tags: Vec<String> = (0..TAGS).map(|n| format!("tag-{n}")).collect();
        let main_pact = for_verification(
            &broker,
            json!({"consumerVersionSelectors": [{"mainBranch": true}]}),
        )["_embedded"]["pacts"][0]
            .clone();
        assert_eq!(ask(&tags), json!(true), "{kind:?}: nothing verified yet");
        broker.put("/pacticipants/api/versions/100/tags/prod", &json!({}));
        verify_content(&broker, &main_pact, "100", true);
        assert_eq!(ask(&tags), json!(true), "{kind:?}: prod is not asked for");
        tags.push("prod".to_owned());
        assert_eq!(ask(&tags), json!(false), "{kind:?}: verified with tag prod");
    }
}

/// Records catalogue `version` as deployed to a new `production` environment, unverified.
fn deploy_catalogue_to_production(broker: &TestBroker, version: &str) {
    let (_, environment) = broker.post(
        "/environments",
        &json!({"name": "production", "production": true}),
    );
    let production = environment["uuid"].as_str().unwrap();
    broker.put(
        &format!("/pacticipants/catalogue/versions/{version}"),
        &json!({}),
    );
    let (status, body) = broker.post(
        &format!(
            "/pacticipants/catalogue/versions/{version}/deployed-versions/environment/{production}"
        ),
        &json!({}),
    );
    assert_eq!(status, 201, "{body}");
}

/// Whether web-shop 1.0.0 can be deployed to production (`null` for unknown).
fn web_shop_deployable(broker: &TestBroker) -> Value {
    broker.ok("/can-i-deploy?pacticipant=web-shop&version=1.0.0&environment=production")["summary"]
        ["deployable"]
        .clone()
}

/// `pactum verify args`.
fn pactum_verify(args: &[&str]) -> Output {
    pactum(&[&["verify"], args].concat())
}

/// The catalogue contract the test provider serves, as consumer `web-shop` publishes it.
fn catalogue() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo_path("contracts/web-shop-catalogue.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn pactum_verify_fetches_from_the_broker_and_publishes_results() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| {
            config.credentials.add_token("write:ci-token").unwrap();
        });
        let api = broker.with_auth("Bearer ci-token");
        api.patch("/pacticipants/web-shop", &json!({"mainBranch": "main"}));
        assert_eq!(
            api.publish("web-shop", "1.0.0", Some("main"), &[], &[catalogue()])
                .0,
            200
        );
        // catalogue 2.0.0 runs in production, unverified: web-shop 1.0.0 cannot follow yet.
        deploy_catalogue_to_production(&api, "2.0.0");
        let deployable = || web_shop_deployable(&api);
        assert_eq!(deployable(), Value::Null);
        let good = provider::start(Breakage::None);
        let common = |provider_url: &str| -> Vec<String> {
            [
                "--broker-url",
                &broker.url,
                "--provider",
                "catalogue",
                "--token",
                "ci-token",
                "--provider-base-url",
                provider_url,
                "--state-change-url",
                &format!("{provider_url}/_pact/state"),
                "--consumer-version-selectors",
                r#"{"mainBranch": true}"#,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        // A broken provider with pending on: the contract was never verified, so its failure
        // is reported but does not fail the build; the failure is still published.
        let broken = provider::start(Breakage::ChangedType);
        let mut args = common(&broken.url);
        args.extend(
            [
                "--enable-pending",
                "--provider-branch",
                "main",
                "--publish",
                "--provider-app-version",
                "2.0.0-broken",
            ]
            .map(String::from),
        );
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let output = text(&out);
        assert_eq!(out.status.code(), Some(0), "{output}");
        assert!(
            output.contains("[pending]") && output.contains("pending state"),
            "{output}"
        );
        assert!(
            output.contains("Published failed verification of web-shop -> catalogue"),
            "{output}"
        );

        // The good provider passes and publishes with its branch and tags.
        let mut args = common(&good.url);
        args.extend(
            [
                "--enable-pending",
                "--provider-branch",
                "main",
                "--provider-tags",
                "dev,ci",
                "--publish",
                "--provider-app-version",
                "2.0.0",
                "--build-url",
                "https://ci/7",
            ]
            .map(String::from),
        );
        // A local contract for another provider is left out, and does not shift which result
        // goes to which broker contract.
        let dir = ScratchDir::new("other-provider");
        let other = dir.write(
            "other-provider.json",
            pact("web-shop", "someone-else", &["x"]).to_string(),
        );
        args.extend(["--contract".to_owned(), other.display().to_string()]);
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let output = text(&out);
        assert_eq!(out.status.code(), Some(0), "{output}");
        assert!(
            output.contains("Published successful verification of web-shop -> catalogue"),
            "{output}"
        );
        let version = api.ok("/pacticipants/catalogue/versions/2.0.0");
        assert_eq!(version["_embedded"]["branchVersions"][0]["name"], "main");
        let tags: Vec<&str> = version["_embedded"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(tags, ["dev", "ci"]);
        let contract = api.ok("/pacts/provider/catalogue/consumer/web-shop/latest");
        let latest = api.ok(&format!(
            "{}/verification-results/latest",
            contract["_links"]["pb:pact-version"]["href"]
                .as_str()
                .unwrap()
        ));
        assert_eq!(latest["success"], true);
        assert_eq!(latest["providerApplicationVersion"], "2.0.0");
        assert_eq!(latest["buildUrl"], "https://ci/7");
        assert_eq!(latest["verifiedBy"]["implementation"], "pactum");
        let results = latest["testResults"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let ids: Vec<&str> = contract["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["_id"].as_str().unwrap())
            .collect();
        for result in results {
            assert_eq!(result["success"], true);
            assert!(
                ids.contains(&result["interactionId"].as_str().unwrap()),
                "{result}"
            );
        }
        assert_eq!(api.count("verificationResults"), 2);
        assert_eq!(
            deployable(),
            json!(true),
            "the published results flip can-i-deploy to yes"
        );

        // Now verified on main: no longer pending, so the broken provider fails the build.
        let mut args = common(&broken.url);
        args.extend(["--enable-pending", "--provider-branch", "main"].map(String::from));
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let output = text(&out);
        assert_eq!(out.status.code(), Some(1), "{output}");
        assert!(
            output.contains("$.id") && !output.contains("[pending]"),
            "{output}"
        );

        // Errors: no provider name, a wrong token, filters with --publish, nothing selected.
        let out = pactum_verify(&[
            "--broker-url",
            &broker.url,
            "--provider-base-url",
            &good.url,
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out).contains("--broker-url needs --provider"),
            "{}",
            text(&out)
        );
        let mut args = common(&good.url);
        args[5] = "wrong".into();
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).contains("PACT_BROKER_TOKEN"), "{}", text(&out));
        let mut args = common(&good.url);
        args.extend(
            [
                "--publish",
                "--provider-app-version",
                "3",
                "--filter-description",
                "product 10",
            ]
            .map(String::from),
        );
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out).contains("partial verification"),
            "{}",
            text(&out)
        );
        let mut args = common(&good.url);
        args[11] = r#"{"branch": "nope"}"#.into();
        let out = pactum_verify(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out).contains("selected no contracts"),
            "{}",
            text(&out)
        );
        assert_eq!(
            api.count("verificationResults"),
            2,
            "nothing more was published"
        );
    }
}

#[test]
fn the_official_verifier_fetches_from_pactum_broker_and_publishes() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        broker.patch("/pacticipants/web-shop", &json!({"mainBranch": "main"}));
        assert_eq!(
            broker
                .publish("web-shop", "1.0.0", Some("main"), &[], &[catalogue()])
                .0,
            200
        );
        // A work-in-progress contract on a feature branch: same API, one interaction fewer.
        let mut wip = catalogue();
        wip["interactions"].as_array_mut().unwrap().truncate(1);
        assert_eq!(
            broker
                .publish("web-shop", "1.1.0", Some("feat/y"), &[], &[wip])
                .0,
            200
        );
        let verify = |provider_url: &str, version: &str| {
            run(clients.pact().args([
                "verifier",
                "--broker-url",
                &broker.url,
                "--provider-name",
                "catalogue",
                "--hostname",
                "127.0.0.1",
                "--port",
                &port_of(provider_url).to_string(),
                "--state-change-url",
                &format!("{provider_url}/_pact/state"),
                "--consumer-version-selectors",
                r#"{"mainBranch": true}"#,
                "--enable-pending",
                "--include-wip-pacts-since",
                "2020-01-01",
                "--provider-branch",
                "main",
                "--publish",
                "--provider-version",
                version,
                "--retries",
                "0",
            ]))
        };
        deploy_catalogue_to_production(&broker, "9.0.0");
        let deployable = || web_shop_deployable(&broker);
        assert_eq!(deployable(), Value::Null, "unverified: unknown");
        let broken = provider::start(Breakage::ChangedType);
        let out = verify(&broken.url, "9.0.0-broken");
        let output = text(&out);
        // Both contracts are pending (never verified on main): the official verifier reports
        // the failures and still succeeds.
        assert!(output.contains("a request for product 10"), "{output}");
        assert_eq!(out.status.code(), Some(0), "{output}");
        // It fetched the main-branch contract and the WIP one, and published for each. The WIP
        // contract only has the 404 interaction, which the broken provider still honours.
        assert_eq!(broker.count("verificationResults"), 2, "{output}");
        let feature =
            broker.ok("/pacts/provider/catalogue/consumer/web-shop/branch/feat%2Fy/latest");
        let wip_result = broker.ok(&format!(
            "{}/verification-results/latest",
            feature["_links"]["pb:pact-version"]["href"]
                .as_str()
                .unwrap()
        ));
        assert_eq!(
            (
                wip_result["success"].as_bool(),
                wip_result["providerApplicationVersion"].as_str()
            ),
            (Some(true), Some("9.0.0-broken"))
        );
        let good = provider::start(Breakage::None);
        let out = verify(&good.url, "9.0.0");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        // The WIP contract is verified on main now, so only the main-branch one is fetched.
        assert_eq!(broker.count("verificationResults"), 3, "{}", text(&out));
        let main = broker.ok("/pacts/provider/catalogue/consumer/web-shop/branch/main/latest");
        let latest = broker.ok(&format!(
            "{}/verification-results/latest",
            main["_links"]["pb:pact-version"]["href"].as_str().unwrap()
        ));
        assert_eq!(latest["success"], true);
        assert_eq!(latest["providerApplicationVersion"], "9.0.0");
        assert_eq!(latest["verifiedBy"]["implementation"], "Pact-Rust");
        assert_eq!(
            deployable(),
            json!(true),
            "the official verifier's results flip can-i-deploy to yes"
        );
        let version = broker.ok("/pacticipants/catalogue/versions/9.0.0");
        assert_eq!(version["_embedded"]["branchVersions"][0]["name"], "main");
        // Once verified on main, nothing is pending or work in progress any more.
        let answer = for_verification_for(&broker);
        let pending: Vec<Value> = answer["_embedded"]["pacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["verificationProperties"]["pending"].clone())
            .collect();
        assert_eq!(pending, [json!(false)], "{answer}");
    }
}

fn for_verification_for(broker: &TestBroker) -> Value {
    let (status, answer) = broker.post(
        "/pacts/provider/catalogue/for-verification",
        &json!({"consumerVersionSelectors": [{"mainBranch": true}], "providerVersionBranch": "main", "includePendingStatus": true, "includeWipPactsSince": "2020-01-01"}),
    );
    assert_eq!(status, 200);
    answer
}
