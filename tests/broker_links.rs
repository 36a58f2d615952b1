//! Every link the broker advertises resolves, on SQLite and PostgreSQL: from the index, every
//! href of every resource reached is followed (URL templates filled in with values of the data
//! published here, curies with the relations they document), breadth-first, each URL once; a
//! 404 or a 5xx fails the test, naming the relations that led there. Also here: the resources
//! the walk found missing before (the lists of contracts, integrations, `/doc` pages), their
//! shapes, and the messages that used to show Rust's debug formatting.

use std::collections::{BTreeMap, HashSet, VecDeque};

use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact};
use crate::support::snapshot_filters;
use pactum::broker_api::{Integration, Integrations, LatestPacts, PactVersions, ProviderPacts};

/// Runs `test` once per backend, naming the backend when it fails.
fn on_each_backend(test: impl Fn(&TestBroker, Kind)) {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        eprintln!("-- on {kind:?}");
        test(&broker, kind);
    }
}

/// `GET path` read as `T` and written again must be what the broker served.
fn served_as<T: DeserializeOwned + Serialize>(broker: &TestBroker, path: &str) -> (T, Value) {
    let raw = broker.ok(path);
    let typed: T = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("GET {path} does not read as its type: {e}\n{raw}"));
    assert_eq!(
        serde_json::to_value(&typed).unwrap(),
        raw,
        "GET {path}: the type does not describe every member served"
    );
    (typed, raw)
}

/// The data the walk runs over: two consumers (`web`, `mobile`) with contracts for two
/// providers (`api`, `billing`), every pacticipant with a version `1.0.0` on branch `main`
/// tagged `prod` (so the index's templates filled in with those values name existing
/// resources), `web` also with `1.1.0` on `feat/x` tagged `dev`; every contract content
/// verified; `web` 1.0.0 deployed to and `mobile` 1.0.0 released in `production`; an OpenAPI
/// document published for `api` 1.0.0. Returns
/// the environment's uuid.
fn publish_the_data(broker: &TestBroker) -> String {
    let (status, body) = broker.post(
        "/environments",
        &json!({"name": "production", "production": true}),
    );
    assert_eq!(status, 201, "{body}");
    let uuid = body["uuid"].as_str().unwrap().to_owned();
    let publish = |consumer: &str, version: &str, branch: &str, tag: &str, pacts: &[Value]| {
        let (status, body) = broker.publish(consumer, version, Some(branch), &[tag], pacts);
        assert_eq!(status, 200, "{body}");
    };
    publish(
        "web",
        "1.0.0",
        "main",
        "prod",
        &[
            pact("web", "api", &["get item"]),
            pact("web", "billing", &["get invoice"]),
        ],
    );
    publish(
        "web",
        "1.1.0",
        "feat/x",
        "dev",
        &[pact("web", "api", &["get item", "get items"])],
    );
    publish(
        "mobile",
        "1.0.0",
        "main",
        "prod",
        &[pact("mobile", "api", &["get item for mobile"])],
    );
    for provider in ["api", "billing"] {
        for path in [
            format!("/pacticipants/{provider}/branches/main/versions/1.0.0"),
            format!("/pacticipants/{provider}/versions/1.0.0/tags/prod"),
        ] {
            let (status, body) = broker.put(&path, &json!({}));
            assert!(status == 200 || status == 201, "PUT {path}: {body}");
        }
    }
    for (provider, consumer, version) in [
        ("api", "web", "1.0.0"),
        ("api", "web", "1.1.0"),
        ("api", "mobile", "1.0.0"),
        ("billing", "web", "1.0.0"),
    ] {
        let document = broker.ok(&format!(
            "/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
        ));
        let results = document["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap();
        let (status, body) = broker.post(
            results,
            &json!({"success": true, "providerApplicationVersion": "1.0.0"}),
        );
        assert_eq!(status, 201, "{body}");
    }
    for (pacticipant, kind) in [("web", "deployed"), ("mobile", "released")] {
        let path = format!(
            "/pacticipants/{pacticipant}/versions/1.0.0/{kind}-versions/environment/{uuid}"
        );
        let (status, body) = broker.post(&path, &json!({}));
        assert_eq!(status, 201, "POST {path}: {body}");
    }
    // An OpenAPI document for api 1.0.0, so its cross-checks resource exists.
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let (status, body) = broker.post(
        "/provider-contracts/provider/api/publish",
        &json!({
            "pacticipantVersionNumber": "1.0.0",
            "contract": {
                "content": encode(r#"{"openapi": "3.0.3", "info": {"title": "api", "version": "1"}, "paths": {}}"#),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {"success": true}
            }
        }),
    );
    assert_eq!(status, 200, "publish a provider contract: {body}");
    // A webhook, made last so that nothing above triggers it, disabled, and aimed at loopback
    // (which the default address policy refuses): the walk only reads it.
    let (status, body) = broker.put(
        &format!("/webhooks/{WEBHOOK_UUID}"),
        &json!({
            "description": "build api",
            "enabled": false,
            "consumer": {"name": "web"},
            "provider": {"name": "api"},
            "events": [{"name": "contract_requiring_verification_published"}],
            "request": {"method": "POST", "url": "https://127.0.0.1:9/build?pact=${pactbroker.pactUrl}"}
        }),
    );
    assert_eq!(status, 201, "PUT webhook: {body}");
    uuid
}

/// The uuid of the webhook [`publish_the_data`] makes.
const WEBHOOK_UUID: &str = "5b9f3c1e-links-test-webhook";

/// What URL template placeholders are filled in with (`rel`, in curies, is filled in with the
/// relations they document).
#[derive(Default)]
struct Values {
    /// By placeholder name.
    common: BTreeMap<&'static str, String>,
    /// `{uuid}` names another kind of thing in each relation: by relation.
    uuids: BTreeMap<&'static str, String>,
}

/// The values of the data [`publish_the_data`] publishes. A relation whose template names
/// `{uuid}` (a webhook's, say) needs its thing published there and its uuid here; until then
/// the walk fails naming the placeholder and the relation.
fn template_values(environment_uuid: &str) -> Values {
    Values {
        common: BTreeMap::from([
            ("pacticipant", "web".to_owned()),
            ("consumer", "web".to_owned()),
            ("provider", "api".to_owned()),
            ("version", "1.0.0".to_owned()),
            ("consumerApplicationVersion", "1.0.0".to_owned()),
            ("tag", "prod".to_owned()),
            ("branch", "main".to_owned()),
            ("environment", "production".to_owned()),
        ]),
        uuids: BTreeMap::from([
            ("pb:environment", environment_uuid.to_owned()),
            ("pb:webhook", WEBHOOK_UUID.to_owned()),
        ]),
    }
}

/// `template` with each `{name}` replaced by `fill(name)`, or the name nothing fills.
fn expand(template: &str, fill: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("unclosed placeholder in {template}"))?;
        let name = &rest[open + 1..close];
        let value = fill(name).ok_or_else(|| format!("no value for {{{name}}} in {template}"))?;
        out.push_str(&rest[..open]);
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `value` as one URL path segment or query value, as clients fill in templates.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a walk found.
#[derive(Default)]
struct Walk {
    /// Every URL requested, with its status.
    visited: BTreeMap<String, u16>,
    /// Each failure, with the relations that led there.
    failures: Vec<String>,
}

/// A link found in a resource.
struct Found {
    /// The relations that led to it.
    trail: String,
    /// Its relation.
    rel: String,
    href: String,
    templated: bool,
    /// Values of the resource the link is in, which its template's placeholders name before
    /// the walk's own: a version's `{tag}` is one of its tags, not any tag.
    own: BTreeMap<&'static str, String>,
}

/// The values a resource gives its own templates: a version's number, its first tag and
/// branch.
fn own_values(resource: &serde_json::Map<String, Value>) -> BTreeMap<&'static str, String> {
    let mut own = BTreeMap::new();
    let first_name = |key: &str| {
        resource.get("_embedded")?[key].as_array()?.first()?["name"]
            .as_str()
            .map(str::to_owned)
    };
    if let Some(number) = resource.get("number").and_then(Value::as_str) {
        own.insert("version", number.to_owned());
    }
    if let Some(tag) = first_name("tags") {
        own.insert("tag", tag);
    }
    if let Some(branch) = first_name("branchVersions") {
        own.insert("branch", branch);
    }
    own
}

/// The links of `resource`, at any depth (`_embedded` resources, matrix rows…). Curies are
/// expanded with the relations of the same `_links` they document.
fn links_of(resource: &Value, trail: &str, out: &mut Vec<Found>) {
    match resource {
        Value::Object(members) => {
            if let Some(Value::Object(links)) = members.get("_links") {
                let own = own_values(members);
                let curies: Vec<(&str, &str)> = links
                    .get("curies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| Some((c["name"].as_str()?, c["href"].as_str()?)))
                    .collect();
                for (rel, relation) in links {
                    if rel == "curies" {
                        continue;
                    }
                    let items = match relation {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for link in items {
                        if let Some(href) = link["href"].as_str() {
                            out.push(Found {
                                trail: format!("{trail} → {rel}"),
                                rel: rel.clone(),
                                href: href.to_owned(),
                                templated: link["templated"] == true,
                                own: own.clone(),
                            });
                        }
                    }
                    if let Some((prefix, name)) = rel.split_once(':') {
                        for (curie, href) in &curies {
                            if curie == &prefix {
                                out.push(Found {
                                    trail: format!("{trail} → curies[{curie}]({rel})"),
                                    rel: "curies".to_owned(),
                                    href: href.replace("{rel}", name),
                                    templated: false,
                                    own: BTreeMap::new(),
                                });
                            }
                        }
                    }
                }
            }
            for (key, value) in members {
                if key != "_links" {
                    links_of(value, trail, out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                links_of(item, trail, out);
            }
        }
        _ => {}
    }
}

/// Follows every link from `start`, breadth-first, each URL once.
fn walk(broker: &TestBroker, start: &[&str], values: &Values) -> Walk {
    let mut walk = Walk::default();
    let mut queue: VecDeque<(String, String)> = start
        .iter()
        .map(|path| (format!("{}{path}", broker.url), format!("GET {path}")))
        .collect();
    let mut seen: HashSet<String> = queue.iter().map(|(url, _)| url.clone()).collect();
    while let Some((url, trail)) = queue.pop_front() {
        let response = match broker.client.get(&url).send() {
            Ok(response) => response,
            Err(error) => {
                walk.failures.push(format!("{trail}: {url}: {error}"));
                continue;
            }
        };
        let status = response.status().as_u16();
        walk.visited.insert(url.clone(), status);
        let is_json = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let body = response.text().unwrap_or_default();
        if status == 404 || status >= 500 {
            walk.failures
                .push(format!("{trail}: GET {url} answered {status}: {body}"));
            continue;
        }
        if !(200..300).contains(&status) || !is_json {
            continue;
        }
        let Ok(resource) = serde_json::from_str::<Value>(&body) else {
            walk.failures
                .push(format!("{trail}: GET {url} is not JSON: {body}"));
            continue;
        };
        let mut found = Vec::new();
        links_of(&resource, &trail, &mut found);
        for Found {
            trail,
            rel,
            href,
            templated,
            own,
        } in found
        {
            let target = if templated {
                let value = |name: &str| match name {
                    "uuid" => values.uuids.get(rel.as_str()),
                    _ => own.get(name).or_else(|| values.common.get(name)),
                };
                match expand(&href, |name| value(name).map(|v| encode(v))) {
                    Ok(url) => url,
                    Err(problem) => {
                        walk.failures.push(format!("{trail}: {problem}"));
                        continue;
                    }
                }
            } else {
                href
            };
            if !target.starts_with(&broker.url) {
                walk.failures
                    .push(format!("{trail}: {target} is not on the broker"));
                continue;
            }
            if seen.insert(target.clone()) {
                queue.push_back((target, trail));
            }
        }
    }
    walk
}

#[test]
fn every_link_from_the_index_resolves() {
    on_each_backend(|broker, _| {
        let uuid = publish_the_data(broker);
        let values = template_values(&uuid);
        let found = walk(broker, &["/"], &values);
        assert!(
            found.failures.is_empty(),
            "{} of {} links do not resolve:\n{}",
            found.failures.len(),
            found.visited.len(),
            found.failures.join("\n")
        );
        // The walk reached what it is meant to check: every index relation, the resources
        // behind them, and a documentation page per curied relation.
        let reached = |path: &str| found.visited.get(&format!("{}{path}", broker.url)).copied();
        for path in [
            "/pacts/latest",
            "/pacts/provider/api",
            "/pacts/provider/api/tag/prod",
            "/pacts/provider/api/latest/prod",
            "/pacts/provider/api/consumer/web/tag/prod",
            "/integrations",
            "/integrations/provider/api/consumer/web",
            "/matrix/provider/api/consumer/web",
            "/pacticipants/web/branches/feat%2Fx",
            "/doc/publish-pact?context=index",
            "/doc/provider-pacts-for-verification?context=index",
            "/doc/pacts?context=pacts",
            "/webhooks",
            "/webhooks/5b9f3c1e-links-test-webhook",
            "/pacts/provider/api/consumer/web/webhooks",
            "/doc/webhooks?context=index",
        ] {
            assert_eq!(reached(path), Some(200), "{path} was not reached with 200");
        }
        let docs = found.visited.keys().filter(|u| u.contains("/doc/")).count();
        assert!(docs >= 20, "only {docs} /doc pages reached");
        assert!(
            found.visited.len() >= 80,
            "only {} URLs reached",
            found.visited.len()
        );

        // And the walk would notice a link that leads nowhere.
        let broken = walk(
            broker,
            &["/pacts/provider/api/consumer/nobody/tag/x"],
            &values,
        );
        assert_eq!(broken.failures.len(), 1, "{:?}", broken.failures);
        let unfilled = walk(broker, &["/"], &Values::default());
        assert!(
            unfilled
                .failures
                .iter()
                .any(|f| f.contains("no value for {provider}")),
            "{:?}",
            unfilled.failures
        );
    });
}

#[test]
fn lists_of_contracts_have_the_pact_brokers_shapes() {
    on_each_backend(|broker, _| {
        publish_the_data(broker);
        let _filters = snapshot_filters();

        let (latest, raw): (LatestPacts, _) = served_as(broker, "/pacts/latest");
        let pairs: Vec<(&str, &str, &str)> = latest
            .pacts
            .iter()
            .map(|p| {
                let consumer = &p.embedded.consumer;
                let version = consumer
                    .embedded
                    .as_ref()
                    .map(|e| e.version.number.as_str());
                (
                    consumer.name.as_str(),
                    p.embedded.provider.name.as_str(),
                    version.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("mobile", "api", "1.0.0"),
                ("web", "api", "1.1.0"),
                ("web", "billing", "1.0.0")
            ]
        );
        insta::assert_json_snapshot!("hal_latest_pacts", raw);

        let (all, _): (ProviderPacts, _) = served_as(broker, "/pacts/provider/api");
        let listed: Vec<_> = all
            .links
            .pacts
            .iter()
            .map(|l| l.title.clone().unwrap())
            .collect();
        assert_eq!(
            listed,
            [
                "Pact between mobile (1.0.0) and api",
                "Pact between web (1.0.0) and api",
                "Pact between web (1.1.0) and api"
            ]
        );
        let (prod, raw): (ProviderPacts, _) = served_as(broker, "/pacts/provider/api/tag/prod");
        assert_eq!(prod.links.pacts.len(), 2);
        insta::assert_json_snapshot!("hal_provider_pacts_with_tag", raw);
        let (dev, _): (ProviderPacts, _) = served_as(broker, "/pacts/provider/api/tag/dev");
        assert_eq!(dev.links.pacts[0].name.as_deref(), Some("web"));
        assert_eq!(dev.links.pacts.len(), 1);

        let (tagged, raw): (PactVersions, _) =
            served_as(broker, "/pacts/provider/api/consumer/web/tag/prod");
        assert_eq!(tagged.embedded.pacts.len(), 1);
        assert_eq!(
            tagged.embedded.pacts[0].embedded.consumer_version.number,
            "1.0.0"
        );
        insta::assert_json_snapshot!("hal_tagged_pact_versions", raw);

        for missing in [
            "/pacts/provider/nobody",
            "/pacts/provider/nobody/tag/prod",
            "/pacts/provider/api/consumer/nobody/tag/prod",
        ] {
            let (status, body) = broker.get(missing);
            assert_eq!(status, 404, "{missing}: {body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("nobody"),
                "{body}"
            );
        }
        // A tag nobody has is an empty list, not an error: the pair exists.
        let (none, _): (PactVersions, _) =
            served_as(broker, "/pacts/provider/api/consumer/web/tag/none");
        assert!(none.embedded.pacts.is_empty());

        // DELETE removes the tagged versions' contracts, and only those.
        assert_eq!(
            broker.delete("/pacts/provider/api/consumer/web/tag/dev").0,
            204
        );
        assert_eq!(
            broker
                .get("/pacts/provider/api/consumer/web/version/1.1.0")
                .0,
            404
        );
        assert_eq!(
            broker.ok("/pacts/provider/api/consumer/web/latest")["_links"]["pb:consumer-version"]["name"],
            "1.0.0"
        );
        assert_eq!(
            broker.ok("/pacticipants/web/versions/1.1.0")["number"],
            "1.1.0"
        );
    });
}

#[test]
fn integrations_are_listed_filtered_paged_and_deleted() {
    on_each_backend(|broker, _| {
        publish_the_data(broker);
        let _filters = snapshot_filters();
        let names = |list: &Integrations| -> Vec<String> {
            list.embedded
                .integrations
                .iter()
                .map(|i| format!("{}→{}", i.consumer.name, i.provider.name))
                .collect()
        };

        let (all, raw): (Integrations, _) = served_as(broker, "/integrations");
        assert_eq!(names(&all), ["mobile→api", "web→api", "web→billing"]);
        assert!(all.page.is_none());
        insta::assert_json_snapshot!("hal_integrations", raw);

        let (billing, _): (Integrations, _) = served_as(broker, "/integrations?q=BILL");
        assert_eq!(names(&billing), ["web→billing"]);
        let (none, _): (Integrations, _) = served_as(broker, "/integrations?q=zzz");
        assert!(none.embedded.integrations.is_empty());

        let (second, _): (Integrations, _) = served_as(broker, "/integrations?page=2&size=2");
        assert_eq!(names(&second), ["web→billing"]);
        let page = second.page.unwrap();
        assert_eq!(
            (
                page.number,
                page.size,
                page.total_elements,
                page.total_pages
            ),
            (2, 2, 3, 2)
        );
        assert!(second.links.next.is_none());
        let previous = second.links.previous.unwrap().href;
        let (first, _): (Integrations, _) = served_as(broker, &previous);
        assert_eq!(names(&first), ["mobile→api", "web→api"]);
        assert!(first.links.next.is_some());
        assert_eq!(broker.get("/integrations?page=0").0, 400);
        assert_eq!(broker.get("/integrations?size=lots").0, 400);

        let (pair, raw): (Integration, _) =
            served_as(broker, "/integrations/provider/billing/consumer/web");
        assert_eq!(pair.provider.name, "billing");
        insta::assert_json_snapshot!("hal_integration", raw);
        let matrix = broker.ok(&pair.links.matrix.unwrap().href);
        assert_eq!(matrix["matrix"].as_array().unwrap().len(), 1, "{matrix}");
        assert_eq!(matrix["matrix"][0]["verificationResult"]["success"], true);

        // Deleting the pair removes its contracts and their verification results; the
        // pacticipants and their versions stay.
        let verifications = broker.count("verificationResults");
        let delete = pair.links.delete_integration.unwrap().href;
        assert_eq!(broker.delete(&delete).0, 204);
        assert_eq!(broker.get(&delete).0, 404);
        assert_eq!(broker.delete(&delete).0, 404);
        assert_eq!(
            broker.get("/pacts/provider/billing/consumer/web/latest").0,
            404
        );
        assert_eq!(broker.count("verificationResults"), verifications - 1);
        assert_eq!(broker.count("integrations"), 2);
        assert_eq!(
            broker.ok("/pacticipants/billing/versions/1.0.0")["number"],
            "1.0.0"
        );
        assert_eq!(
            broker.ok("/pacts/provider/api/consumer/web/latest")["_links"]["pb:consumer-version"]["name"],
            "1.1.0"
        );
        let (left, _): (Integrations, _) = served_as(broker, "/integrations");
        assert_eq!(names(&left), ["mobile→api", "web→api"]);
    });
}

#[test]
fn doc_pages_describe_each_relation_and_unknown_ones_are_a_json_404() {
    on_each_backend(|broker, kind| {
        let index = broker.ok("/");
        let curie = index["_links"]["curies"][0]["href"].as_str().unwrap();
        let url = curie.replace("{rel}", "integrations");
        let response = broker.client.get(&url).send().unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        let page = response.text().unwrap();
        for part in [
            "<h1>Integrations</h1>",
            "<code>GET</code>",
            &format!("GET {}/integrations?q=web-shop", broker.url),
        ] {
            assert!(page.contains(part), "{part} missing from:\n{page}");
        }
        if kind == Kind::Sqlite {
            let _filters = snapshot_filters();
            insta::assert_snapshot!("doc_integrations", page);
        }

        // The base URL comes from the Host header, which must be a host and port: markup in it
        // is refused with a JSON error, never put into a page.
        let response = broker
            .client
            .get(format!("{}/doc/pb:metrics", broker.url))
            .header("host", "x\"><script>")
            .send()
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/hal+json")
        );
        let body = response.text().unwrap();
        assert!(!body.contains("<html"), "{body}");

        let (status, body) = broker.get("/doc/no-such-relation?context=index");
        assert_eq!(status, 404);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no documentation for the relation `no-such-relation`"),
            "{body}"
        );
    });
}

#[test]
fn messages_name_what_was_asked_in_words_not_debug_text() {
    on_each_backend(|broker, _| {
        broker.publish("web", "1", None, &["dev"], &[pact("web", "api", &["a"])]);
        let (status, body) = broker.get("/pacticipants/web/latest-version/x");
        assert_eq!(status, 404);
        assert_eq!(
            body["error"]["message"],
            "pacticipant `web` has no latest version tagged `x`"
        );
        let (status, body) = broker.get("/pacticipants/web/versions/9");
        assert_eq!(status, 404);
        assert_eq!(
            body["error"]["message"],
            "pacticipant `web` has no version `9`"
        );

        let (status, body) = broker.post(
            "/environments",
            &json!({"name": "two words", "production": false}),
        );
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["errors"]["name"][0],
            "must not contain spaces, got `two words`"
        );
        let text = body.to_string();
        assert!(!text.contains("\\\""), "no Debug quoting: {text}");
    });
}
