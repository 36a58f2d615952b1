//! The broker's HTTP API over real HTTP, on SQLite and on PostgreSQL (see `support::broker`).

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact, publish_body};
use crate::support::{runtime, snapshot_filters};
use pactum::broker_api::OnConflict;

/// Runs `test` once per backend, naming the backend when it fails.
fn on_each_backend(test: impl Fn(&TestBroker, Kind)) {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        eprintln!("-- on {kind:?}");
        test(&broker, kind);
    }
}

#[test]
fn index_lists_the_relations_clients_navigate_by() {
    on_each_backend(|broker, _| {
        let index = broker.ok("/");
        for rel in [
            "pb:publish-contracts",
            "pb:publish-pact",
            "pb:pacticipant",
            "pb:pacticipant-version",
            "pb:pacticipant-version-tag",
            "pb:pacticipant-branch-version",
            "pb:environments",
            "pb:environment",
            "pb:latest-provider-pacts",
            "pb:provider-pacts-for-verification",
        ] {
            let link = &index["_links"][rel];
            assert!(
                link["href"]
                    .as_str()
                    .is_some_and(|h| h.starts_with(&broker.url)),
                "{rel}: {link}"
            );
        }
        assert_eq!(index["_links"]["pb:pacticipant"]["templated"], true);
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_index", index);
        assert_eq!(broker.ok("/diagnostic/status/heartbeat")["ok"], true);
    });
}

#[test]
fn published_contracts_read_back_by_version_branch_tag_and_content() {
    on_each_backend(|broker, _| {
        let contract = pact("web", "api", &["get item", "get other"]);
        let (status, body) = broker.publish(
            "web",
            "1.0.0",
            Some("feat/x"),
            &["dev"],
            std::slice::from_ref(&contract),
        );
        assert_eq!(status, 200, "{body}");
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_publish_answer", body);
        let notices: Vec<&str> = body["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap())
            .collect();
        assert!(
            notices.iter().any(|t| t
                .contains("Pact successfully published for web version 1.0.0 and provider api")),
            "{notices:?}"
        );
        let pact_href = body["_links"]["pb:contracts"][0]["href"].as_str().unwrap();
        assert_eq!(
            pact_href,
            format!(
                "{}/pacts/provider/api/consumer/web/version/1.0.0",
                broker.url
            )
        );
        assert_eq!(
            body["_links"]["pb:pacticipant-version-tags"][0]["name"],
            "dev"
        );

        let by_version = broker.ok(pact_href);
        insta::assert_json_snapshot!("hal_pact", by_version);
        assert_eq!(by_version["consumer"]["name"], "web");
        assert_eq!(by_version["interactions"].as_array().unwrap().len(), 2);
        // Interactions get stable ids for per-interaction verification results.
        let ids: BTreeSet<&str> = by_version["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 2);
        let sha = by_version["_links"]["pb:pact-version"]["name"]
            .as_str()
            .unwrap()
            .to_owned();

        // A branch name with a slash travels as %2F and stays one path segment.
        for path in [
            "/pacts/provider/api/consumer/web/latest".to_owned(),
            "/pacts/provider/api/consumer/web/latest/dev".to_owned(),
            "/pacts/provider/api/consumer/web/branch/feat%2Fx/latest".to_owned(),
            format!("/pacts/provider/api/consumer/web/pact-version/{sha}"),
        ] {
            let pact = broker.ok(&path);
            assert_eq!(
                pact["_links"]["pb:pact-version"]["name"],
                sha.as_str(),
                "{path}"
            );
            assert_eq!(pact["interactions"], by_version["interactions"], "{path}");
        }
        assert_eq!(
            broker.get("/pacts/provider/api/consumer/web/latest/prod").0,
            404
        );
        assert_eq!(
            broker
                .get("/pacts/provider/api/consumer/web/branch/main/latest")
                .0,
            404
        );

        let version = broker.ok("/pacticipants/web/versions/1.0.0");
        assert_eq!(version["_embedded"]["branchVersions"][0]["name"], "feat/x");
        assert_eq!(version["_embedded"]["branchVersions"][0]["latest"], true);
        assert_eq!(version["_embedded"]["tags"][0]["name"], "dev");
        let branch = broker.ok("/pacticipants/web/branches/feat%2Fx");
        assert_eq!(branch["latestVersion"], "1.0.0");

        // The provider's latest pacts list the consumer's contract.
        let latest = broker.ok("/pacts/provider/api/latest");
        assert_eq!(latest["_links"]["pb:pacts"][0]["name"], "web");
    });
}

#[test]
fn the_publish_answer_shows_the_version_and_consumer_as_read_back_after_it() {
    // The answer's version (for a version the publication creates) and consumer are assembled
    // from what the publication wrote instead of being read back; they must equal what the
    // resources show afterwards, latest flags and main branch included.
    on_each_backend(|broker, _| {
        let first_contract = pact("web", "api", &["get item"]);
        let second_contract = pact("web", "api", &["get other"]);
        let version_as_read =
            |number: &str| broker.ok(&format!("/pacticipants/web/versions/{number}"));

        let (status, first) = broker.publish(
            "web",
            "1",
            Some("main"),
            &["b", "a", "b"],
            std::slice::from_ref(&first_contract),
        );
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["_embedded"]["version"], version_as_read("1"));
        let tags = first["_embedded"]["version"]["_embedded"]["tags"]
            .as_array()
            .unwrap();
        assert_eq!(tags.len(), 2, "{tags:?}");
        // The consumer's first branch named `main` became its main branch.
        assert_eq!(first["_embedded"]["pacticipant"]["mainBranch"], "main");
        assert_eq!(
            first["_embedded"]["pacticipant"],
            broker.ok("/pacticipants/web")
        );

        let (status, second) = broker.publish(
            "web",
            "2",
            Some("main"),
            &["a"],
            std::slice::from_ref(&second_contract),
        );
        assert_eq!(status, 200, "{second}");
        assert_eq!(second["_embedded"]["version"], version_as_read("2"));
        assert_eq!(
            second["_embedded"]["pacticipant"],
            broker.ok("/pacticipants/web")
        );

        // An existing version, no longer the branch's latest, with a tag added.
        let (status, again) = broker.publish(
            "web",
            "1",
            Some("main"),
            &["c"],
            std::slice::from_ref(&first_contract),
        );
        assert_eq!(status, 200, "{again}");
        let version = version_as_read("1");
        assert_eq!(again["_embedded"]["version"], version);
        assert_eq!(version["_embedded"]["branchVersions"][0]["latest"], false);
        assert_eq!(version["_embedded"]["tags"].as_array().unwrap().len(), 3);
    });
}

#[test]
fn identical_content_is_stored_once_and_republishing_it_changes_nothing() {
    on_each_backend(|broker, _| {
        let contract = pact("web", "api", &["get item"]);
        // Writer metadata and key order do not make content different.
        let mut reordered = contract.clone();
        reordered["metadata"]["pactJs"] = json!({"version": "9"});
        for version in ["1", "2"] {
            assert_eq!(
                broker
                    .publish("web", version, None, &[], std::slice::from_ref(&contract))
                    .0,
                200
            );
        }
        assert_eq!(broker.publish("web", "3", None, &[], &[reordered]).0, 200);
        let (status, body) = broker.publish("web", "3", None, &[], std::slice::from_ref(&contract));
        assert_eq!(status, 200);
        assert!(
            body["notices"].to_string().contains("no content changes"),
            "{body}"
        );
        assert_eq!(broker.count("pactVersions"), 1);
        assert_eq!(broker.count("pactPublications"), 3);
        assert_eq!(broker.count("versions"), 3);
        let sha = |v: &str| {
            broker.ok(&format!("/pacts/provider/api/consumer/web/version/{v}"))["_links"]["pb:pact-version"]["name"].clone()
        };
        assert_eq!(sha("1"), sha("3"));
    });
}

#[test]
fn changed_content_for_a_published_version_is_a_conflict_unless_overwrite_or_merge() {
    on_each_backend(|broker, _| {
        let first = pact("web", "api", &["one"]);
        let second = pact("web", "api", &["one", "two"]);
        assert_eq!(
            broker
                .publish("web", "1", None, &[], std::slice::from_ref(&first))
                .0,
            200
        );
        let (status, body) = broker.publish("web", "1", None, &[], std::slice::from_ref(&second));
        assert_eq!(status, 409, "{body}");
        assert!(
            body["errors"]["contracts"][0]
                .as_str()
                .unwrap()
                .contains("already published a different contract"),
            "{body}"
        );
        let stored = broker.ok("/pacts/provider/api/consumer/web/version/1");
        assert_eq!(
            stored["interactions"].as_array().unwrap().len(),
            1,
            "a refused publish changes nothing"
        );

        let (status, _) = broker.post(
            "/contracts/publish",
            &publish_body(
                "web",
                "1",
                None,
                &[],
                &[second],
                Some(OnConflict::Overwrite),
            ),
        );
        assert_eq!(status, 200);
        assert_eq!(
            broker.ok("/pacts/provider/api/consumer/web/version/1")["interactions"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        let third = pact("web", "api", &["three"]);
        let (status, body) = broker.post(
            "/contracts/publish",
            &publish_body("web", "1", None, &[], &[third], Some(OnConflict::Merge)),
        );
        assert_eq!(status, 200, "{body}");
        let merged = broker.ok("/pacts/provider/api/consumer/web/version/1");
        let descriptions: BTreeSet<&str> = merged["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["description"].as_str().unwrap())
            .collect();
        assert_eq!(descriptions, BTreeSet::from(["one", "two", "three"]));

        // Merging a contract that repeats published interactions unchanged adds the new ones.
        let (status, body) = broker.post(
            "/contracts/publish",
            &publish_body(
                "web",
                "1",
                None,
                &[],
                &[pact("web", "api", &["one", "two", "four"])],
                Some(OnConflict::Merge),
            ),
        );
        assert_eq!(status, 200, "{body}");
        let merged = broker.ok("/pacts/provider/api/consumer/web/version/1");
        assert_eq!(merged["interactions"].as_array().unwrap().len(), 4);
        // Merging an interaction that changed under the same description and states fails.
        let mut changed = pact("web", "api", &["one"]);
        changed["interactions"][0]["response"]["status"] = json!(201);
        let (status, _) = broker.post(
            "/contracts/publish",
            &publish_body("web", "1", None, &[], &[changed], Some(OnConflict::Merge)),
        );
        assert_eq!(status, 409);
        // The diff resource names what changed against the previous distinct content.
        assert_eq!(
            broker
                .publish(
                    "web",
                    "2",
                    None,
                    &[],
                    &[pact("web", "api", &["one", "five"])]
                )
                .0,
            200
        );
        let diff = broker.ok("/pacts/provider/api/consumer/web/version/2/diff/previous-distinct");
        assert_eq!(diff["previous"]["consumerVersion"], "1");
        assert_eq!(
            diff["added"],
            json!(["five given [{\"name\":\"five exists\"}]"])
        );
        assert_eq!(
            diff["removed"].as_array().unwrap().len(),
            3,
            "two, three and four: {diff}"
        );
    });
}

#[test]
fn the_older_publication_api_puts_pacts_and_tags_separately() {
    on_each_backend(|broker, _| {
        let contract = pact("mobile", "api", &["a"]);
        let (status, body) = broker.put("/pacticipants/mobile/versions/7/tags/prod", &json!({}));
        assert_eq!(status, 201, "{body}");
        let (status, body) = broker.put("/pacts/provider/api/consumer/mobile/version/7", &contract);
        assert_eq!(status, 201, "{body}");
        assert!(
            body["_links"]["pb:publish-verification-results"]["href"]
                .as_str()
                .unwrap()
                .contains("/pact-version/")
        );
        assert_eq!(
            broker
                .put("/pacts/provider/api/consumer/mobile/version/7", &contract)
                .0,
            200
        );
        assert_eq!(
            broker.ok("/pacts/provider/api/consumer/mobile/latest/prod")["consumer"]["name"],
            "mobile"
        );
        // PATCH merges.
        let (status, _) = broker.patch(
            "/pacts/provider/api/consumer/mobile/version/7",
            &pact("mobile", "api", &["b"]),
        );
        assert_eq!(status, 200);
        assert_eq!(
            broker.ok("/pacts/provider/api/consumer/mobile/version/7")["interactions"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // The URL names the pair; the document must agree.
        let (status, body) =
            broker.put("/pacts/provider/other/consumer/mobile/version/7", &contract);
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("provider.name"), "{body}");
        assert_eq!(
            broker
                .delete("/pacts/provider/api/consumer/mobile/version/7")
                .0,
            204
        );
        assert_eq!(
            broker
                .get("/pacts/provider/api/consumer/mobile/version/7")
                .0,
            404
        );
    });
}

#[test]
fn pacticipants_are_created_updated_and_deleted() {
    on_each_backend(|broker, _| {
        let (status, body) = broker.post("/pacticipants", &json!({"name": "billing", "mainBranch": "main", "repositoryUrl": "https://git.example/billing"}));
        assert_eq!(status, 201, "{body}");
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_pacticipant", body);
        assert_eq!(body["displayName"], "Billing");
        let (status, body) = broker.post("/pacticipants", &json!({"name": "billing"}));
        assert_eq!(status, 409, "{body}");
        assert!(body["errors"]["name"].is_array(), "{body}");
        let (status, body) = broker.patch(
            "/pacticipants/billing",
            &json!({"displayName": "Billing Service"}),
        );
        assert_eq!(status, 200);
        assert_eq!(
            body["mainBranch"], "main",
            "PATCH keeps what it does not name"
        );
        assert_eq!(body["displayName"], "Billing Service");
        let (status, body) = broker.put("/pacticipants/billing", &json!({"displayName": "B"}));
        assert_eq!(status, 200);
        assert!(body.get("mainBranch").is_none(), "PUT replaces: {body}");
        assert_eq!(broker.put("/pacticipants/ghost", &json!({})).0, 404);
        assert_eq!(
            broker
                .patch(
                    "/pacticipants/created-by-patch",
                    &json!({"mainBranch": "main"})
                )
                .0,
            201
        );
        assert_eq!(
            broker
                .patch("/pacticipants/billing", &json!({"mainBranch": "has space"}))
                .0,
            400
        );
        let names: Vec<Value> = broker.ok("/pacticipants")["_embedded"]["pacticipants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].clone())
            .collect();
        assert_eq!(names, vec![json!("billing"), json!("created-by-patch")]);

        assert_eq!(
            broker
                .publish(
                    "billing",
                    "1",
                    None,
                    &[],
                    &[pact("billing", "ledger", &["x"])]
                )
                .0,
            200
        );
        assert_eq!(broker.delete("/pacticipants/billing").0, 204);
        assert_eq!(broker.get("/pacticipants/billing").0, 404);
        assert_eq!(
            broker
                .get("/pacts/provider/ledger/consumer/billing/latest")
                .0,
            404
        );
        assert_eq!(broker.count("pactPublications"), 0);
        assert_eq!(broker.delete("/pacticipants/billing").0, 404);
    });
}

#[test]
fn versions_branches_and_tags_track_their_latest() {
    on_each_backend(|broker, _| {
        assert_eq!(
            broker
                .put(
                    "/pacticipants/app/versions/1",
                    &json!({"buildUrl": "https://ci/1"})
                )
                .0,
            201
        );
        assert_eq!(
            broker.put("/pacticipants/app/versions/1", &json!({})).0,
            200
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/branches/main/versions/1", &json!({}))
                .0,
            201
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/branches/main/versions/2", &json!({}))
                .0,
            201
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/branches/main/versions/2", &json!({}))
                .0,
            200
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/versions/1/tags/prod", &json!({}))
                .0,
            201
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/versions/2/tags/prod", &json!({}))
                .0,
            201
        );
        assert_eq!(
            broker
                .put("/pacticipants/app/versions/2/tags/prod", &json!({}))
                .0,
            200
        );

        assert_eq!(
            broker.ok("/pacticipants/app/versions/1")["buildUrl"],
            "https://ci/1"
        );
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_version", broker.ok("/pacticipants/app/versions/2"));
        // A conventional branch name becomes the main branch of a pacticipant without one.
        assert_eq!(broker.ok("/pacticipants/app")["mainBranch"], "main");
        assert_eq!(broker.ok("/pacticipants/app/latest-version")["number"], "2");
        assert_eq!(
            broker.ok("/pacticipants/app/latest-version/prod")["number"],
            "2"
        );
        assert_eq!(
            broker.ok("/pacticipants/app/branches/main")["latestVersion"],
            "2"
        );
        assert_eq!(
            broker.ok("/pacticipants/app/versions/1")["_embedded"]["branchVersions"][0]["latest"],
            false
        );
        assert_eq!(
            broker.ok("/pacticipants/app/versions")["_embedded"]["versions"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // Removing the newest tag or version moves "latest" back.
        assert_eq!(
            broker.delete("/pacticipants/app/versions/2/tags/prod").0,
            204
        );
        assert_eq!(
            broker.ok("/pacticipants/app/latest-version/prod")["number"],
            "1"
        );
        assert_eq!(broker.delete("/pacticipants/app/versions/2").0, 204);
        assert_eq!(
            broker.ok("/pacticipants/app/branches/main")["latestVersion"],
            "1"
        );
        assert_eq!(broker.get("/pacticipants/app/versions/2").0, 404);
        assert_eq!(broker.delete("/pacticipants/app/branches/main").0, 204);
        assert_eq!(broker.get("/pacticipants/app/branches/main").0, 404);
        assert_eq!(
            broker.get("/pacticipants/app/versions/1").0,
            200,
            "deleting a branch keeps its versions"
        );
    });
}

#[test]
fn environments_deployments_and_releases() {
    on_each_backend(|broker, _| {
        let (status, prod) = broker.post("/environments", &json!({"name": "production", "displayName": "Production", "production": true, "contacts": [{"name": "ops", "details": {"emailAddress": "ops@example.com"}}]}));
        assert_eq!(status, 201, "{prod}");
        let _filters = snapshot_filters();
        insta::assert_json_snapshot!("hal_environment", prod);
        let prod_uuid = prod["uuid"].as_str().unwrap().to_owned();
        // A taken name is a conflict on `name` (what the client sent), not on `contracts`.
        let (status, body) = broker.post(
            "/environments",
            &json!({"name": "production", "production": false}),
        );
        assert_eq!(status, 409, "{body}");
        assert_eq!(
            body["errors"],
            json!({"name": ["an environment named `production` already exists"]}),
            "{body}"
        );
        let (status, body) = broker.post(
            "/environments",
            &json!({"name": "has space", "production": false}),
        );
        assert_eq!(status, 400);
        assert!(
            body["errors"]["name"][0]
                .as_str()
                .unwrap()
                .contains("spaces"),
            "{body}"
        );
        let (status, body) = broker.post("/environments", &json!({"name": "test"}));
        assert_eq!(status, 400);
        assert!(body["errors"]["production"].is_array(), "{body}");
        let (_, test) = broker.post(
            "/environments",
            &json!({"name": "test", "production": false}),
        );
        let test_uuid = test["uuid"].as_str().unwrap().to_owned();
        assert_eq!(test["displayName"], "Test");
        let listed = broker.ok("/environments");
        assert_eq!(
            listed["_embedded"]["environments"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(listed["_links"]["pb:environments"][0]["name"], "production");
        assert_eq!(
            broker.ok("/environments?name=test")["_embedded"]["environments"][0]["uuid"],
            test_uuid.as_str()
        );
        let (status, updated) = broker.put(
            &format!("/environments/{test_uuid}"),
            &json!({"name": "test", "displayName": "Testing", "production": false}),
        );
        assert_eq!(status, 200);
        assert_eq!(updated["displayName"], "Testing");

        for v in ["1", "2", "3"] {
            broker.put(&format!("/pacticipants/app/versions/{v}"), &json!({}));
        }
        let version = broker.ok("/pacticipants/app/versions/1");
        let record: Vec<&str> = version["_links"]["pb:record-deployment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap())
            .collect();
        assert_eq!(record, vec!["production", "test"]);
        let deploy = |v: &str, body: Value| {
            broker.post(
                &format!(
                    "/pacticipants/app/versions/{v}/deployed-versions/environment/{prod_uuid}"
                ),
                &body,
            )
        };
        let (status, first) = deploy("1", json!({}));
        assert_eq!(status, 201, "{first}");
        insta::assert_json_snapshot!("hal_deployed_version", first);
        assert_eq!(
            deploy("1", json!({})).1["uuid"],
            first["uuid"],
            "recording the current deployment again returns it"
        );
        let (_, blue) = deploy("2", json!({"applicationInstance": "blue"}));
        assert_eq!(deploy("3", json!({})).0, 201);
        let current = broker.ok(&format!(
            "/environments/{prod_uuid}/deployed-versions/currently-deployed?pacticipant=app"
        ));
        insta::assert_json_snapshot!("hal_currently_deployed_versions", current);
        let mut running: Vec<(String, Option<String>)> = current["_embedded"]["deployedVersions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["_embedded"]["version"]["number"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    d["applicationInstance"].as_str().map(str::to_owned),
                )
            })
            .collect();
        running.sort();
        assert_eq!(
            running,
            vec![("2".into(), Some("blue".into())), ("3".into(), None)],
            "3 replaced 1; blue runs beside it"
        );
        assert_eq!(
            broker.ok(&format!(
                "/deployed-versions/{}",
                first["uuid"].as_str().unwrap()
            ))["currentlyDeployed"],
            false
        );

        let blue_href = blue["_links"]["self"]["href"].as_str().unwrap();
        assert_eq!(
            broker
                .patch(blue_href, &json!({"currentlyDeployed": true}))
                .0,
            422
        );
        let (status, undeployed) = broker.patch(blue_href, &json!({"currentlyDeployed": false}));
        assert_eq!(status, 200);
        assert_eq!(undeployed["currentlyDeployed"], false);
        assert!(undeployed["undeployedAt"].is_string());
        assert_eq!(broker.count("currentlyDeployedVersions"), 1);

        let release = |v: &str| {
            broker.post(
                &format!(
                    "/pacticipants/app/versions/{v}/released-versions/environment/{test_uuid}"
                ),
                &json!({}),
            )
        };
        assert_eq!(release("1").0, 201);
        assert_eq!(release("2").0, 201);
        assert_eq!(release("2").0, 200);
        let supported = broker.ok(&format!(
            "/environments/{test_uuid}/released-versions/currently-supported"
        ));
        assert_eq!(
            supported["_embedded"]["releasedVersions"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "releases do not replace each other"
        );
        let one = broker.ok(&format!("/environments/{test_uuid}/released-versions/currently-supported?pacticipant=app&version=1"));
        let href = one["_embedded"]["releasedVersions"][0]["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            broker.patch(&href, &json!({"currentlySupported": false})).1["currentlySupported"],
            false
        );
        assert_eq!(broker.count("currentlySupportedReleasedVersions"), 1);

        assert_eq!(deploy("404", json!({})).0, 404);
        assert_eq!(
            broker
                .post(
                    "/pacticipants/app/versions/1/deployed-versions/environment/nope",
                    &json!({})
                )
                .0,
            404
        );
        assert_eq!(broker.delete(&format!("/environments/{test_uuid}")).0, 204);
        assert_eq!(broker.get(&format!("/environments/{test_uuid}")).0, 404);
        assert_eq!(broker.count("releasedVersions"), 0);
    });
}

#[test]
fn verification_results_are_recorded_against_contract_content() {
    on_each_backend(|broker, _| {
        broker.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
        let pact = broker.ok("/pacts/provider/api/consumer/web/latest");
        let publish = pact["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap();
        let (status, body) = broker.post(publish, &json!({"success": false, "providerApplicationVersion": "9.9", "buildUrl": "https://ci/9", "testResults": [{"interactionId": "x", "success": false, "mismatches": [{"attribute": "body", "description": "bad"}]}], "verifiedBy": {"implementation": "pactum"}}));
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["success"], false);
        assert_eq!(
            body["testResults"][0]["mismatches"][0]["description"],
            "bad"
        );
        let self_href = body["_links"]["self"]["href"].as_str().unwrap();
        assert_eq!(broker.ok(self_href)["providerApplicationVersion"], "9.9");
        assert_eq!(
            broker.ok("/pacticipants/api/versions/9.9")["number"],
            "9.9",
            "the provider version is created"
        );
        broker.post(
            publish,
            &json!({"success": true, "providerApplicationVersion": "10"}),
        );
        let latest = format!(
            "{}/verification-results/latest",
            pact["_links"]["pb:pact-version"]["href"].as_str().unwrap()
        );
        assert_eq!(broker.ok(&latest)["providerApplicationVersion"], "10");
        assert_eq!(broker.count("verificationResults"), 2);

        let (status, body) = broker.post(publish, &json!({"providerApplicationVersion": "1"}));
        assert_eq!(status, 400);
        assert!(body["errors"]["success"].is_array(), "{body}");
        assert_eq!(
            broker
                .post(
                    publish,
                    &json!({"success": "yes", "providerApplicationVersion": "1"})
                )
                .0,
            400
        );
        assert_eq!(broker.post(publish, &json!({"success": true})).0, 400);
        let unknown = format!(
            "/pacts/provider/api/consumer/web/pact-version/{}/verification-results",
            "0".repeat(64)
        );
        assert_eq!(
            broker
                .post(
                    &unknown,
                    &json!({"success": true, "providerApplicationVersion": "1"})
                )
                .0,
            404
        );
        assert_eq!(
            broker.count("verificationResults"),
            2,
            "refused results are not stored"
        );
    });
}

#[test]
fn bad_input_gets_a_400_that_says_what_is_wrong_and_stores_nothing() {
    on_each_backend(|broker, _| {
        let raw = |body: &str| {
            let response = broker
                .client
                .post(format!("{}/contracts/publish", broker.url))
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().unwrap())
        };
        let (status, body) = raw("{\"pacticipantName\": ");
        assert_eq!(status, 400);
        assert!(
            body["errors"]["body"][0]
                .as_str()
                .unwrap()
                .contains("not valid JSON"),
            "{body}"
        );

        let mut request = publish_body("web", "1", None, &[], &[pact("web", "api", &["a"])], None);
        request["contracts"][0]["content"] = json!("%%% not base64");
        let (status, body) = broker.post("/contracts/publish", &request);
        assert_eq!(status, 400);
        assert!(
            body["errors"]["contracts[0].content"][0]
                .as_str()
                .unwrap()
                .contains("base64"),
            "{body}"
        );

        request["contracts"][0]["content"] =
            json!(base64::engine::general_purpose::STANDARD.encode("not json"));
        assert!(
            broker
                .post("/contracts/publish", &request)
                .1
                .to_string()
                .contains("valid JSON")
        );

        let mut broken = pact("web", "api", &["a"]);
        broken["interactions"][0]["response"]["matchingRules"] =
            json!({"body": {"$.id": {"matchers": [{"match": "no-such-matcher"}]}}});
        let (status, body) = broker.publish("web", "1", None, &[], &[broken]);
        assert_eq!(status, 400);
        let message = body["errors"]["contracts[0].content"][0].as_str().unwrap();
        assert!(
            message.contains("not a valid pact") && message.contains("no-such-matcher"),
            "{message}"
        );

        let (status, body) =
            broker.publish("web", "1", None, &[], &[pact("mobile", "api", &["a"])]);
        assert_eq!(status, 400);
        assert!(
            body.to_string().contains("consumer.name is `mobile`"),
            "{body}"
        );

        let (status, body) =
            broker.publish("web", "1\nrm -rf", None, &[], &[pact("web", "api", &["a"])]);
        assert_eq!(status, 400, "{body}");
        let (status, body) = broker.post("/environments", &json!({"name": 5, "production": true}));
        assert_eq!(status, 400);
        assert!(
            body["errors"]["name"][0]
                .as_str()
                .unwrap()
                .contains("string"),
            "{body}"
        );

        let (status, body) = broker.get("/no/such/thing");
        assert_eq!(status, 404);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/no/such/thing")
        );
        assert_eq!(
            broker.count("pacticipants"),
            0,
            "nothing was stored: {}",
            broker.ok("/metrics")
        );
    });
}

#[test]
fn oversized_bodies_get_a_413_naming_the_limit() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| config.max_body_bytes = 2048);
        let big = pact(
            "web",
            "api",
            &(0..40)
                .map(|_| "a long description of an interaction")
                .collect::<Vec<_>>(),
        );
        let (status, body) = broker.publish("web", "1", None, &[], &[big]);
        assert_eq!(status, 413, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2048 bytes"),
            "{body}"
        );
        assert_eq!(broker.count("versions"), 0);
        assert_eq!(
            broker
                .publish("web", "1", None, &[], &[pact("web", "api", &["a"])])
                .0,
            200
        );
    }
}

/// Every route that changes something, with a body it accepts.
fn write_routes(
    env_uuid: &str,
    deployed_uuid: &str,
    sha: &str,
) -> Vec<(reqwest::Method, String, Value)> {
    use reqwest::Method;
    let contract = pact("web", "api", &["a"]);
    vec![
        (
            Method::POST,
            "/contracts/publish".into(),
            publish_body("web", "2", None, &[], std::slice::from_ref(&contract), None),
        ),
        (
            Method::PUT,
            "/pacts/provider/api/consumer/web/version/3".into(),
            contract.clone(),
        ),
        (
            Method::PATCH,
            "/pacts/provider/api/consumer/web/version/1".into(),
            contract,
        ),
        (Method::POST, "/pacticipants".into(), json!({"name": "new"})),
        (
            Method::PATCH,
            "/pacticipants/web".into(),
            json!({"displayName": "W"}),
        ),
        (
            Method::PUT,
            "/pacticipants/web".into(),
            json!({"displayName": "W"}),
        ),
        (
            Method::PUT,
            "/pacticipants/web/versions/9".into(),
            json!({}),
        ),
        (
            Method::PATCH,
            "/pacticipants/web/versions/1".into(),
            json!({"buildUrl": "x"}),
        ),
        (
            Method::PUT,
            "/pacticipants/web/versions/1/tags/t".into(),
            json!({}),
        ),
        (
            Method::PUT,
            "/pacticipants/web/branches/b/versions/1".into(),
            json!({}),
        ),
        (
            Method::POST,
            format!("/pacticipants/web/versions/1/deployed-versions/environment/{env_uuid}"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/pacticipants/web/versions/1/released-versions/environment/{env_uuid}"),
            json!({}),
        ),
        (
            Method::PATCH,
            format!("/deployed-versions/{deployed_uuid}"),
            json!({"currentlyDeployed": false}),
        ),
        (
            Method::PATCH,
            format!("/released-versions/{deployed_uuid}"),
            json!({"currentlySupported": false}),
        ),
        (
            Method::PUT,
            "/pacts/provider/api/consumer/web/versions/4".into(),
            pact("web", "api", &["a"]),
        ),
        (
            Method::PUT,
            "/pacticipants/web/labels/team-a".into(),
            json!({}),
        ),
        (
            Method::POST,
            format!(
                "/pacts/provider/api/consumer/web/pact-version/{sha}/metadata/e30/verification-results"
            ),
            json!({"success": true, "providerApplicationVersion": "1"}),
        ),
        (
            Method::POST,
            "/environments".into(),
            json!({"name": "other", "production": false}),
        ),
        (
            Method::PUT,
            format!("/environments/{env_uuid}"),
            json!({"name": "prod", "production": false}),
        ),
        (
            Method::POST,
            format!("/pacts/provider/api/consumer/web/pact-version/{sha}/verification-results"),
            json!({"success": true, "providerApplicationVersion": "1"}),
        ),
        (
            Method::DELETE,
            "/pacticipants/web/versions/1/tags/dev".into(),
            Value::Null,
        ),
        (
            Method::DELETE,
            "/pacticipants/web/versions/1".into(),
            Value::Null,
        ),
        (Method::DELETE, "/pacticipants/web".into(), Value::Null),
        (
            Method::DELETE,
            format!("/environments/{env_uuid}"),
            Value::Null,
        ),
        (
            Method::DELETE,
            "/pacts/provider/api/consumer/web/version/1".into(),
            Value::Null,
        ),
        (
            Method::DELETE,
            "/pacticipants/web/branches/main".into(),
            Value::Null,
        ),
    ]
}

#[test]
fn credentials_and_roles() {
    use base64::engine::general_purpose::STANDARD;
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| {
            config.credentials.add_token("read:r-token").unwrap();
            config.credentials.add_token("write:w-token").unwrap();
            config.credentials.add_token("admin:a-token").unwrap();
            config
                .credentials
                .add_basic("ci:ci-pass", pactum::broker::Role::Write)
                .unwrap();
            config
                .credentials
                .add_basic("viewer:view-pass", pactum::broker::Role::Read)
                .unwrap();
        });
        let anonymous = &broker;
        let reader = broker.with_auth("Bearer r-token");
        let basic_reader =
            broker.with_auth(&format!("Basic {}", STANDARD.encode("viewer:view-pass")));
        let writer = broker.with_auth("Bearer w-token");
        let basic_writer = broker.with_auth(&format!("Basic {}", STANDARD.encode("ci:ci-pass")));
        let admin = broker.with_auth("Bearer a-token");

        // Set up one of everything with the writer.
        let (status, _) = writer.publish(
            "web",
            "1",
            Some("main"),
            &["dev"],
            &[pact("web", "api", &["a"])],
        );
        assert_eq!(status, 200);
        let (_, env) = writer.post(
            "/environments",
            &json!({"name": "prod", "production": true}),
        );
        let env_uuid = env["uuid"].as_str().unwrap().to_owned();
        let (_, deployed) = basic_writer.post(
            &format!("/pacticipants/web/versions/1/deployed-versions/environment/{env_uuid}"),
            &json!({}),
        );
        let deployed_uuid = deployed["uuid"].as_str().unwrap().to_owned();
        let sha = writer.ok("/pacts/provider/api/consumer/web/latest")["_links"]["pb:pact-version"]
            ["name"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = admin.ok("/metrics");

        // Anonymous: 401 everywhere but the health check; the challenge names both schemes.
        let (status, body) = anonymous.get("/pacticipants");
        assert_eq!(status, 401, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("PACT_BROKER_TOKEN")
        );
        assert_eq!(anonymous.get("/diagnostic/status/heartbeat").0, 200);
        assert_eq!(broker.with_auth("Bearer wrong").get("/").0, 401);
        assert_eq!(
            broker
                .with_auth(&format!("Basic {}", STANDARD.encode("ci:wrong")))
                .get("/")
                .0,
            401
        );

        // Read-only credentials read, and are refused on every write route.
        for read_only in [&reader, &basic_reader] {
            assert_eq!(
                read_only.get("/pacts/provider/api/consumer/web/latest").0,
                200
            );
            for (method, path, body) in write_routes(&env_uuid, &deployed_uuid, &sha) {
                let body = (!body.is_null()).then_some(&body);
                let (status, response) = read_only.send(method.clone(), &path, body);
                assert_eq!(
                    status, 403,
                    "{method} {path} with a read-only credential: {response}"
                );
            }
        }
        assert_eq!(
            admin.ok("/metrics"),
            before,
            "refused writes changed nothing"
        );

        // Writers may write but not delete; admins may delete.
        assert_eq!(
            writer
                .put("/pacticipants/web/versions/1/tags/t", &json!({}))
                .0,
            201
        );
        assert_eq!(writer.delete("/pacticipants/web/versions/1/tags/t").0, 403);
        assert_eq!(admin.delete("/pacticipants/web/versions/1/tags/t").0, 204);
        for (method, path, body) in write_routes(&env_uuid, &deployed_uuid, &sha) {
            let body = (!body.is_null()).then_some(&body);
            let status = admin.send(method.clone(), &path, body).0;
            assert!(
                // 404/409: an earlier route deleted or changed what this one names.
                status < 400 || [404, 409].contains(&status),
                "{method} {path} as admin: {status}"
            );
        }
    }
}

#[test]
fn a_broker_on_a_public_address_refuses_to_start_without_credentials() {
    let db = TestDb::new(Kind::Sqlite);
    let mut config = pactum::broker::BrokerConfig::new(db.url.clone());
    config.host = "0.0.0.0".parse().unwrap();
    config.port = 0;
    let error = match runtime().block_on(pactum::broker::Broker::bind(config)) {
        Ok(_) => panic!("started without credentials on 0.0.0.0"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("refusing to serve without authentication") && error.contains("--token"),
        "{error}"
    );
}

#[test]
fn concurrent_publishes_and_deployments_lose_and_duplicate_nothing() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| config.max_connections = 8);
        let (_, env) = broker.post(
            "/environments",
            &json!({"name": "prod", "production": true}),
        );
        let env_uuid = env["uuid"].as_str().unwrap().to_owned();
        const CLIENTS: usize = 8;
        const VERSIONS: usize = 12;
        std::thread::scope(|scope| {
            for client in 0..CLIENTS {
                let broker = &broker;
                let env_uuid = &env_uuid;
                scope.spawn(move || {
                    for n in 0..VERSIONS {
                        // Every client publishes its own versions, and all of them also publish
                        // the same shared version with the same content at the same time.
                        let consumer = format!("consumer-{}", client % 4);
                        let contract = pact(&consumer, "api", &["a", if n % 2 == 0 { "b" } else { "c" }]);
                        let version = format!("{client}.{n}");
                        let (status, body) = broker.publish(&consumer, &version, Some("main"), &["dev", &format!("c{client}")], &[contract]);
                        assert_eq!(status, 200, "{version}: {body}");
                        let shared = pact("shared", "api", &["s"]);
                        let (status, body) = broker.publish("shared", "1", Some("main"), &["dev"], &[shared]);
                        assert_eq!(status, 200, "shared: {body}");
                        let (status, body) = broker.post(&format!("/pacticipants/{consumer}/versions/{version}/deployed-versions/environment/{env_uuid}"), &json!({"applicationInstance": format!("i{client}")}));
                        assert_eq!(status, 201, "{body}");
                    }
                });
            }
        });
        let total = (CLIENTS * VERSIONS) as i64;
        assert_eq!(broker.count("versions"), total + 1, "{kind:?}");
        assert_eq!(broker.count("pacticipants"), 4 + 1 + 1);
        assert_eq!(broker.count("pactPublications"), total + 1);
        // Two contents per consumer (a+b, a+c) and one shared.
        assert_eq!(broker.count("pactVersions"), 4 * 2 + 1);
        assert_eq!(broker.count("tags"), total * 2 + 1);
        assert_eq!(broker.count("branches"), 5);
        assert_eq!(broker.count("deployedVersions"), total);
        // One current deployment per consumer and application instance (client).
        assert_eq!(broker.count("currentlyDeployedVersions"), CLIENTS as i64);
        for client in 0..CLIENTS {
            let consumer = format!("consumer-{}", client % 4);
            let version = broker.ok(&format!(
                "/pacticipants/{consumer}/versions/{client}.{}",
                VERSIONS - 1
            ));
            let tags: BTreeSet<&str> = version["_embedded"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap())
                .collect();
            assert_eq!(tags, BTreeSet::from(["dev", format!("c{client}").as_str()]));
            assert_eq!(
                broker.ok(&format!(
                    "/pacticipants/{consumer}/latest-version/c{client}"
                ))["number"],
                format!("{client}.{}", VERSIONS - 1)
            );
        }
        // The branch head is the newest version on it.
        let newest: String = broker.ok("/pacticipants/consumer-0/latest-version")["number"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            broker.ok("/pacticipants/consumer-0/branches/main")["latestVersion"],
            newest.as_str()
        );
    }
}

#[test]
fn concurrent_publishes_of_different_content_for_one_version_keep_exactly_one() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let outcomes: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..6)
                .map(|n| {
                    let broker = &broker;
                    scope.spawn(move || {
                        broker
                            .publish(
                                "web",
                                "1",
                                None,
                                &[],
                                &[pact("web", "api", &[&format!("variant {n}")])],
                            )
                            .0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            outcomes.iter().filter(|s| **s == 200).count(),
            1,
            "{kind:?}: {outcomes:?}"
        );
        assert_eq!(
            outcomes.iter().filter(|s| **s == 409).count(),
            5,
            "{kind:?}: {outcomes:?}"
        );
        assert_eq!(broker.count("pactPublications"), 1);
        assert_eq!(broker.count("pactVersions"), 1);
    }
}

#[test]
fn concurrent_merges_into_one_contract_lose_no_interaction() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| config.max_connections = 8);
        let (status, _) = broker.publish("web", "1", None, &[], &[pact("web", "api", &["base"])]);
        assert_eq!(status, 200);
        const MERGES: usize = 8;
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..MERGES)
                .map(|n| {
                    let broker = &broker;
                    scope.spawn(move || {
                        let addition = pact("web", "api", &["base", &format!("added {n}")]);
                        broker
                            .post(
                                "/contracts/publish",
                                &publish_body(
                                    "web",
                                    "1",
                                    None,
                                    &[],
                                    &[addition],
                                    Some(OnConflict::Merge),
                                ),
                            )
                            .0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(statuses.iter().all(|s| *s == 200), "{kind:?}: {statuses:?}");
        let merged = broker.ok("/pacts/provider/api/consumer/web/version/1");
        let descriptions: BTreeSet<&str> = merged["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["description"].as_str().unwrap())
            .collect();
        let mut expected = BTreeSet::from(["base".to_owned()]);
        expected.extend((0..MERGES).map(|n| format!("added {n}")));
        assert_eq!(
            descriptions,
            expected.iter().map(String::as_str).collect(),
            "{kind:?}"
        );
        // Each merge is one revision on top of the first publication.
        assert_eq!(
            broker.count("pactPublications"),
            MERGES as i64 + 1,
            "{kind:?}"
        );
    }
}

#[test]
fn several_instances_start_together_on_one_database_and_share_state() {
    for kind in backends() {
        let db = TestDb::new(kind);
        // Migrations race: all must start, and the schema must be applied once.
        let brokers: Vec<TestBroker> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| TestBroker::start(&db)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let (status, _) = brokers[0].publish(
            "web",
            "1",
            Some("main"),
            &["dev"],
            &[pact("web", "api", &["a"])],
        );
        assert_eq!(status, 200);
        let (_, env) = brokers[1].post(
            "/environments",
            &json!({"name": "prod", "production": true}),
        );
        let uuid = env["uuid"].as_str().unwrap();
        assert_eq!(
            brokers[2]
                .post(
                    &format!("/pacticipants/web/versions/1/deployed-versions/environment/{uuid}"),
                    &json!({})
                )
                .0,
            201
        );
        for broker in &brokers {
            assert_eq!(
                broker.ok("/pacts/provider/api/consumer/web/latest/dev")["consumer"]["name"],
                "web",
                "{kind:?}"
            );
            let current = broker.ok(&format!(
                "/environments/{uuid}/deployed-versions/currently-deployed"
            ));
            assert_eq!(
                current["_embedded"]["deployedVersions"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
        }
        // Restarting on the existing database finds the schema and the data.
        drop(brokers);
        let again = TestBroker::start(&db);
        assert_eq!(again.count("pactPublications"), 1);
    }
}

fn as_refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

#[test]
fn a_big_merge_does_not_hold_up_other_writes_to_the_version() {
    // Quadratic merging took minutes at this size, and held the write lock all along.
    const SIZE: usize = 8_000;
    let descriptions =
        |prefix: &str| -> Vec<String> { (0..SIZE).map(|n| format!("{prefix} {n}")).collect() };
    let (first, second) = (descriptions("first"), descriptions("second"));
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let (status, body) = broker.publish(
            "web",
            "1",
            None,
            &[],
            &[pact("web", "api", &as_refs(&first))],
        );
        assert_eq!(status, 200, "{body}");
        let addition = pact("web", "api", &as_refs(&second));
        let merging = std::sync::atomic::AtomicBool::new(true);
        let ((status, merged, took), tag_latencies) = std::thread::scope(|scope| {
            let merge = scope.spawn(|| {
                let started = std::time::Instant::now();
                let (status, body) =
                    broker.patch("/pacts/provider/api/consumer/web/version/1", &addition);
                merging.store(false, std::sync::atomic::Ordering::SeqCst);
                let merged = body["interactions"].as_array().map_or(0, Vec::len);
                (status, merged, started.elapsed())
            });
            // Tag the version being merged into, again and again, while the merge runs.
            let tags = scope.spawn(|| {
                let mut latencies = Vec::new();
                while merging.load(std::sync::atomic::Ordering::SeqCst) {
                    let started = std::time::Instant::now();
                    let path = format!("/pacticipants/web/versions/1/tags/t{}", latencies.len());
                    let (status, body) = broker.put(&path, &json!({}));
                    assert_eq!(status, 201, "{path}: {body}");
                    latencies.push(started.elapsed());
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                latencies
            });
            (merge.join().unwrap(), tags.join().unwrap())
        });
        assert_eq!(status, 200, "{kind:?}");
        assert_eq!(merged, 2 * SIZE, "{kind:?}");
        let slowest = tag_latencies.iter().max().copied().unwrap_or_default();
        eprintln!(
            "{kind:?}: merge {took:?}, {} tag PUTs meanwhile, slowest {slowest:?}",
            tag_latencies.len()
        );
        assert!(
            tag_latencies.len() >= 5,
            "{kind:?}: {tag_latencies:?} during {took:?}"
        );
        assert!(
            slowest < took / 4,
            "{kind:?}: a tag PUT waited {slowest:?} during a merge of {took:?}"
        );
        assert_eq!(
            broker.ok("/pacticipants/web/versions/1")["_embedded"]["tags"]
                .as_array()
                .unwrap()
                .len(),
            tag_latencies.len()
        );
    }
}

#[test]
fn matrix_selectors_name_versions_by_number_latest_branch_tag_and_main_branch() {
    on_each_backend(|broker, kind| {
        // web 1 (main, prod), 2 (main), 3 (feat/x, prod), 4 (no branch or tag).
        for (version, branch, tags) in [
            ("1", Some("main"), &["prod"][..]),
            ("2", Some("main"), &[]),
            ("3", Some("feat/x"), &["prod"]),
            ("4", None, &[]),
        ] {
            let (status, body) =
                broker.publish("web", version, branch, tags, &[pact("web", "api", &["a"])]);
            assert_eq!(status, 200, "{body}");
        }
        let check = |selector: &str, expected: &[&str]| {
            let answer = broker.ok(&format!("/matrix?q[][pacticipant]=web{selector}"));
            let numbers: Vec<&str> = answer["matrix"]
                .as_array()
                .unwrap_or_else(|| panic!("{selector}: {answer}"))
                .iter()
                .map(|row| row["consumer"]["version"]["number"].as_str().unwrap())
                .collect();
            assert_eq!(numbers, expected, "{kind:?}: {selector}");
        };
        check("&q[][version]=2", &["2"]);
        check("&q[][latest]=true", &["4"]);
        check("", &["4", "3", "2", "1"]);
        check("&q[][branch]=main&q[][latest]=true", &["2"]);
        check("&q[][branch]=main", &["2", "1"]);
        check("&q[][branch]=feat%2Fx", &["3"]);
        // `main` became web's main branch when it first appeared.
        check("&q[][mainBranch]=true", &["2"]);
        check("&q[][tag]=prod&q[][latest]=true", &["3"]);
        check("&q[][tag]=prod", &["3", "1"]);
        check("&q[][tag]=none", &[]);
        check("&q[][version]=9", &[]);
    });
}

/// Publishes `web` `version` (tagged `tags`) with a contract of its own for `api`, and records
/// `api` `provider_version`'s verification of it.
fn publish_verified(
    broker: &TestBroker,
    version: &str,
    tags: &[&str],
    provider_version: &str,
    success: bool,
) {
    let contract = pact("web", "api", &[&format!("a request from {version}")]);
    let (status, body) = broker.publish("web", version, None, tags, &[contract]);
    assert_eq!(status, 200, "{body}");
    let pact = broker.ok(&format!(
        "/pacts/provider/api/consumer/web/version/{version}"
    ));
    let publish = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap();
    let result = json!({"success": success, "providerApplicationVersion": provider_version});
    assert_eq!(broker.post(publish, &result).0, 201);
}

#[test]
fn matrix_rows_filter_by_verification_outcome_and_ignore_either_side() {
    on_each_backend(|broker, kind| {
        publish_verified(broker, "1", &["prod"], "7", true);
        publish_verified(broker, "2", &["prod"], "7", false);
        broker.publish("web", "3", None, &[], &[pact("web", "api", &["c"])]);
        let rows = |answer: &Value| -> Vec<(String, Value)> {
            answer["matrix"]
                .as_array()
                .unwrap_or_else(|| panic!("{answer}"))
                .iter()
                .map(|row| {
                    let number = row["consumer"]["version"]["number"].as_str().unwrap();
                    (
                        number.to_owned(),
                        row["verificationResult"]["success"].clone(),
                    )
                })
                .collect()
        };
        let all = "/matrix?q[][pacticipant]=web&q[][pacticipant]=api&latestby=cvpv";
        assert_eq!(rows(&broker.ok(all)).len(), 3, "{kind:?}");
        let successful = broker.ok(&format!("{all}&success[]=true"));
        assert_eq!(
            rows(&successful),
            [("1".to_owned(), json!(true))],
            "{kind:?}"
        );
        let failed = broker.ok(&format!("{all}&success=false"));
        assert_eq!(rows(&failed), [("2".to_owned(), json!(false))], "{kind:?}");
        // An empty value asks for the rows never verified.
        let unverified = broker.ok(&format!("{all}&success[]="));
        assert_eq!(
            rows(&unverified),
            [("3".to_owned(), Value::Null)],
            "{kind:?}"
        );
        let (status, body) = broker.get(&format!("{all}&success[]=maybe"));
        assert_eq!(status, 400, "{kind:?}: {body}");
        assert!(
            body["errors"]["success"][0]
                .as_str()
                .unwrap()
                .contains("maybe")
        );

        // Can api 7 be deployed with every web tagged prod, but web 2 (whose verification
        // failed)? The ignored version is on the side asked about, not the other one.
        let answer = broker.ok(
            "/matrix?q[][pacticipant]=api&q[][version]=7&q[][pacticipant]=web&q[][tag]=prod\
             &latestby=cvpv&ignore[][pacticipant]=web&ignore[][version]=2",
        );
        assert_eq!(answer["summary"]["deployable"], true, "{kind:?}: {answer}");
        assert_eq!(answer["summary"]["ignored"], 1, "{kind:?}: {answer}");
        let ignored: Vec<(&str, &Value)> = answer["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["consumer"]["version"]["number"].as_str().unwrap(),
                    &row["ignored"],
                )
            })
            .collect();
        // Considered rows first.
        assert_eq!(
            ignored,
            [("1", &Value::Null), ("2", &json!(true))],
            "{kind:?}"
        );
    });
}

#[test]
fn the_pacticipant_list_and_latest_pacts_carry_what_older_clients_read() {
    on_each_backend(|broker, kind| {
        broker.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
        broker.publish("web", "2", None, &[], &[pact("web", "api", &["b"])]);
        let list = broker.ok("/pacticipants");
        let web = &list["pacticipants"][1];
        assert_eq!(web, &list["_embedded"]["pacticipants"][1], "{kind:?}");
        assert_eq!(web["name"], "web");
        assert_eq!(
            web["_embedded"]["latest-version"]["number"], "2",
            "{kind:?}"
        );
        assert_eq!(web["_embedded"]["latestVersion"]["number"], "2");
        assert_eq!(
            list["pacticipants"][0]["_embedded"]["latest-version"],
            Value::Null
        );
        assert_eq!(list["_links"]["pacticipants"][1]["title"], "web");
        assert_eq!(list["_links"]["pb:pacticipants"][1]["name"], "web");

        // Which version published the contract a `latest` (or tag) reference found.
        let response = broker
            .client
            .get(format!(
                "{}/pacts/provider/api/consumer/web/latest",
                broker.url
            ))
            .send()
            .unwrap();
        assert_eq!(
            response.headers()["x-pact-consumer-version"],
            "2",
            "{kind:?}"
        );
    });
}
