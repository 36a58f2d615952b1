//! The broker's web pages over HTTP, on SQLite and PostgreSQL: content negotiation (the
//! official clients' `Accept` headers still get exactly the JSON they got, browsers get pages),
//! each page with the hooks the browser tests rely on, a hostile contract (and a hostile consumer
//! name on the coverage page) rendered inert, the security headers, and authentication with the
//! browser's Basic prompt.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::support::broker::{
    TestBroker, TestDb, backends, pact, publish_body, webhooks_to_loopback,
};
use crate::support::{serve_router, text};

/// What Chromium sends when it opens a page.
const BROWSER: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// What the official clients (and curl) send.
const API_ACCEPTS: &[Option<&str>] = &[
    Some("application/hal+json"),
    Some("application/hal+json, application/json, */*; q=0.01"),
    Some("application/json"),
    Some("*/*"),
    None,
];

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn count(&self, needle: &str) -> usize {
        self.body.matches(needle).count()
    }

    /// The page's HTML, after checking it is a 200 page with the headers every page has.
    fn page(self, what: &str) -> String {
        assert_eq!(self.status, 200, "{what}: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            "text/html; charset=utf-8",
            "{what}"
        );
        assert_eq!(
            self.header("content-security-policy"),
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
            "{what}"
        );
        assert_eq!(self.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(self.header("referrer-policy"), "same-origin", "{what}");
        assert_eq!(self.count("<h1>"), 1, "{what}: one h1\n{}", self.body);
        assert!(
            !self.body.contains("<script"),
            "{what}: no script\n{}",
            self.body
        );
        self.body
    }
}

fn fetch(broker: &TestBroker, path: &str, accept: Option<&str>, auth: Option<&str>) -> Answer {
    let mut request = broker.client.get(format!("{}{path}", broker.url));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().unwrap(),
    }
}

fn browse(broker: &TestBroker, path: &str) -> Answer {
    fetch(broker, path, Some(BROWSER), None)
}

/// A V3 contract with rules and generators on its values, and a message interaction.
fn documented_pact() -> Value {
    json!({
        "consumer": {"name": "web"},
        "provider": {"name": "catalogue"},
        "interactions": [{
            "description": "a request for the items",
            "providerStates": [{"name": "items exist", "params": {"count": 2}}],
            "request": {"method": "GET", "path": "/items/10",
                        "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/items/\\d+"}]}}},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"items": [{"id": 1, "name": "pen"}], "total": 2},
                "matchingRules": {"body": {
                    "$.items": {"matchers": [{"match": "type", "min": 1}]},
                    "$.items[*].id": {"matchers": [{"match": "integer"}]},
                    "$.total": {"matchers": [{"match": "regex", "regex": "\\d+"}]}
                }},
                "generators": {"body": {"$.items[*].id": {"type": "RandomInt", "min": 1, "max": 9}}}
            }
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

/// Publishes `contract` for `consumer` `version` and returns its verification results URL.
fn publish(
    broker: &TestBroker,
    consumer: &str,
    version: &str,
    branch: Option<&str>,
    contract: &Value,
) -> String {
    let (status, body) = broker.post(
        "/contracts/publish",
        &publish_body(
            consumer,
            version,
            branch,
            &[],
            std::slice::from_ref(contract),
            None,
        ),
    );
    assert!(status == 200 || status == 201, "{body}");
    let provider = contract["provider"]["name"].as_str().unwrap();
    let stored = broker.ok(&format!(
        "/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
    ));
    stored["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn official_accept_headers_get_the_same_json_and_browsers_get_pages() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        publish(
            &broker,
            "web",
            "1.0.0",
            Some("main"),
            &pact("web", "catalogue", &["a request"]),
        );
        broker.post(
            "/environments",
            &json!({"name": "production", "production": true}),
        );
        let sha_url = broker.ok("/pacts/provider/catalogue/consumer/web/version/1.0.0")["_links"]
            ["pb:pact-version"]["href"]
            .as_str()
            .unwrap()
            .trim_start_matches(&broker.url)
            .to_owned();
        for path in [
            "/",
            "/pacticipants/web",
            "/pacts/provider/catalogue/consumer/web/version/1.0.0",
            "/pacts/provider/catalogue/consumer/web/latest",
            sha_url.as_str(),
            "/matrix?q[][pacticipant]=web&q[][version]=1.0.0&latestby=cvpv",
            "/environments",
            "/webhooks",
        ] {
            let reference = fetch(&broker, path, None, None);
            assert_eq!(reference.status, 200, "{kind:?} {path}: {}", reference.body);
            assert!(
                reference
                    .header("content-type")
                    .starts_with("application/hal+json"),
                "{path}"
            );
            assert!(
                reference.header("vary").contains("Accept"),
                "{path}: {}",
                reference.header("vary")
            );
            let reference_json: Value = serde_json::from_str(&reference.body).unwrap();
            for accept in API_ACCEPTS {
                let answer = fetch(&broker, path, *accept, None);
                assert_eq!(answer.status, 200, "{path} {accept:?}");
                assert_eq!(
                    answer.header("content-type"),
                    reference.header("content-type")
                );
                let json: Value = serde_json::from_str(&answer.body)
                    .unwrap_or_else(|e| panic!("{path} with {accept:?} is not JSON ({e})"));
                assert_eq!(json, reference_json, "{path} with {accept:?}");
            }
            let page = browse(&broker, path);
            assert!(page.header("vary").contains("Accept"), "{path}");
            let html = page.page(path);
            assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
            assert!(html.contains(" · pactum</title>"), "{path}");
        }
        // Not a page: a browser gets the API's JSON (and errors stay JSON).
        let answer = browse(&broker, "/pacticipants");
        assert!(
            answer
                .header("content-type")
                .starts_with("application/hal+json")
        );
        assert!(!answer.header("vary").contains("Accept"));
        // Writes are never pages.
        let (status, _) = broker.post("/pacticipants", &json!({"name": "mobile"}));
        assert_eq!(status, 201);
        // A page that does not exist is a 404 page; so is a pacticipant that does not exist.
        assert_eq!(browse(&broker, "/ui/nothing-here").status, 404);
        let missing = browse(&broker, "/pacticipants/nobody");
        assert_eq!(missing.status, 404);
        assert!(
            missing.body.contains("No pacticipant is named nobody."),
            "{}",
            missing.body
        );
        assert_eq!(
            fetch(&broker, "/pacticipants/nobody", None, None).status,
            404
        );
        // The stylesheet: cacheable CSS, whatever the Accept.
        let css = fetch(&broker, "/ui/style.css", None, None);
        assert_eq!(css.status, 200);
        assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
        assert!(css.header("cache-control").contains("max-age"));
        assert!(css.body.contains("prefers-color-scheme: dark"));
        for class in [
            "status-verified",
            "status-failed",
            "status-pending",
            "status-never",
        ] {
            assert!(css.body.contains(&format!(".{class}")), "{class}");
        }
    }
}

#[test]
fn pages_show_integrations_contracts_verifications_and_the_gate() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let results_url = publish(&broker, "web", "1.0.0", Some("main"), &documented_pact());
        publish(
            &broker,
            "mobile",
            "3.1.0",
            Some("main"),
            &pact("mobile", "catalogue", &["a request"]),
        );
        publish(
            &broker,
            "admin",
            "0.1.0",
            None,
            &pact("admin", "catalogue", &["a request"]),
        );
        let (status, env) = broker.post(
            "/environments",
            &json!({"name": "production", "production": true}),
        );
        assert_eq!(status, 201, "{env}");
        let env_uuid = env["uuid"].as_str().unwrap();
        broker.put(
            "/pacticipants/catalogue/versions/2.0.0",
            &json!({"buildUrl": "https://ci.example.com/builds/7"}),
        );
        let (status, body) = broker.post(
            &format!(
                "/pacticipants/catalogue/versions/2.0.0/deployed-versions/environment/{env_uuid}"
            ),
            &json!({}),
        );
        assert_eq!(status, 201, "{body}");
        // web's contract fails verification, with a mismatch as `pactum verify` publishes it.
        let (status, failed) = broker.post(&results_url, &json!({
            "success": false,
            "providerApplicationVersion": "2.0.0",
            "testResults": [{
                "interactionDescription": "a request for the items",
                "success": false,
                "mismatches": [{"attribute": "body", "identifier": "$.total",
                    "description": "body $.total: expected a value matching the regex '\\d+' but got 'two'",
                    "expected": "2", "actual": "\"two\"", "rule": "regex '\\d+'"}]
            }]
        }));
        assert_eq!(status, 201, "{failed}");
        // mobile's passes.
        let mobile_results = broker.ok("/pacts/provider/catalogue/consumer/mobile/version/3.1.0")["_links"]
            ["pb:publish-verification-results"]["href"].as_str().unwrap().to_owned();
        let (status, passed) = broker.post(
            &mobile_results,
            &json!({
                "success": true, "providerApplicationVersion": "2.0.0",
                "testResults": [{"interactionDescription": "a request", "success": true}]
            }),
        );
        assert_eq!(status, 201, "{passed}");

        // Integrations: one row per pair, with its status as class and words.
        let html = browse(&broker, "/").page("integrations");
        assert!(html.contains(r#"<table id="integrations">"#), "{html}");
        for (consumer, kind_class, words) in [
            ("web", "failed", "failed"),
            ("mobile", "verified", "verified"),
            ("admin", "never", "never verified"),
        ] {
            let row = html
                .split(&format!(
                    r#"<tr data-consumer="{consumer}" data-provider="catalogue">"#
                ))
                .nth(1)
                .unwrap_or_else(|| panic!("no row for {consumer}: {html}"));
            let row = row.split("</tr>").next().unwrap();
            assert!(
                row.contains(&format!(
                    r#"<td class="status status-{kind_class}">{words}</td>"#
                )),
                "{consumer}: {row}"
            );
        }
        // Filters: by name, by branch, by environment.
        let html = browse(&broker, "/?q=MOB").page("filtered by name");
        assert!(
            html.contains(r#"data-consumer="mobile""#) && !html.contains(r#"data-consumer="web""#),
            "{html}"
        );
        let html = browse(&broker, "/?branch=main").page("filtered by branch");
        assert!(
            html.contains(r#"data-consumer="web""#) && !html.contains(r#"data-consumer="admin""#),
            "{html}"
        );
        let html = browse(&broker, "/?environment=production").page("filtered by environment");
        assert_eq!(
            html.matches("<tr data-consumer=").count(),
            3,
            "catalogue is deployed: {html}"
        );
        let html = browse(&broker, "/?environment=nowhere").page("unknown environment");
        assert!(!html.contains("<tr data-consumer="), "{html}");

        // Contract: interactions as sections, rules and generators next to their values.
        let html = browse(
            &broker,
            "/pacts/provider/catalogue/consumer/web/version/1.0.0",
        )
        .page("contract");
        assert_eq!(html.matches(r#"<section class="interaction">"#).count(), 1);
        assert!(
            html.contains("<h2><bdi>a request for the items</bdi></h2>"),
            "{html}"
        );
        assert!(html.contains("Given <bdi>items exist</bdi>"), "{html}");
        assert!(
            html.contains("<code><bdi>count</bdi></code>"),
            "state params: {html}"
        );
        assert!(html.contains(r#"<code><bdi>1</bdi></code><span class="rule"><bdi>integer</bdi></span><span class="generator"><bdi>generated: random integer 1 to 9</bdi></span>"#), "{html}");
        assert!(
            html.contains(r#"[<span class="rule"><bdi>each like, min 1</bdi></span>"#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<code><bdi>2</bdi></code><span class="rule"><bdi>matches `\d+`</bdi></span>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<code><bdi>/items/10</bdi></code><span class="rule"><bdi>matches `/items/\d+`</bdi></span>"#), "{html}");
        assert!(html.contains("status status-failed"), "{html}");
        assert!(html.contains("The first contract of"), "{html}");
        // The raw JSON is the stored contract.
        let raw_href = html
            .split(r#"type="application/json""#)
            .next()
            .unwrap()
            .rsplit("href=\"")
            .next()
            .unwrap();
        let raw_href = raw_href
            .split('"')
            .next()
            .unwrap()
            .trim_start_matches(&broker.url);
        let raw = fetch(&broker, raw_href, Some(BROWSER), None);
        assert_eq!(raw.header("content-type"), "application/json");
        let raw: Value = serde_json::from_str(&raw.body).unwrap();
        assert_eq!(
            raw["interactions"][0]["description"],
            "a request for the items"
        );
        // A changed contract shows what changed since the previous distinct one.
        let mut changed = documented_pact();
        changed["interactions"].as_array_mut().unwrap().push(json!({
            "description": "a request to delete an item",
            "request": {"method": "DELETE", "path": "/items/1"}, "response": {"status": 204}
        }));
        publish(&broker, "web", "1.1.0", Some("main"), &changed);
        let html = browse(
            &broker,
            "/pacts/provider/catalogue/consumer/web/version/1.1.0",
        )
        .page("changed contract");
        assert!(
            html.contains(
                r#"<li class="diff-added">added: <bdi>a request to delete an item</bdi></li>"#
            ),
            "{html}"
        );
        assert!(
            html.contains("status status-never"),
            "the new content is not verified: {html}"
        );
        let html = browse(&broker, "/").page("integrations after a change");
        assert!(
            html.contains(r#"<td class="status status-pending">"#),
            "{html}"
        );

        // Verification: per interaction, and each mismatch with location, expected and actual.
        let failed_href = failed["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .trim_start_matches(&broker.url)
            .to_owned();
        let html = browse(&broker, &failed_href).page("failed verification");
        assert!(
            html.contains(r#"<section class="result result-failed">"#),
            "{html}"
        );
        let mismatch = html
            .split(r#"<li class="mismatch">"#)
            .nth(1)
            .expect("a mismatch");
        let mismatch = mismatch.split("</li>").next().unwrap();
        for part in [
            "<bdi>$.total</bdi>",
            "<bdi>2</bdi>",
            "<bdi>&quot;two&quot;</bdi>",
            r"regex '\d+'",
        ] {
            assert!(mismatch.contains(part), "{part} in {mismatch}");
        }
        let passed_href = passed["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .trim_start_matches(&broker.url)
            .to_owned();
        let html = browse(&broker, &passed_href).page("passed verification");
        assert!(
            html.contains(r#"<section class="result result-passed">"#),
            "{html}"
        );
        assert!(!html.contains("result-failed"), "{html}");

        // can-i-deploy: the same answer as `pactum can-i-deploy`, with reasons.
        for (pacticipant, version, expected_class) in [
            ("web", "1.0.0", "verdict-no"),
            ("mobile", "3.1.0", "verdict-yes"),
            ("admin", "0.1.0", "verdict-unknown"),
        ] {
            let html = browse(
                &broker,
                &format!("/ui/can-i-deploy?pacticipant={pacticipant}&version={version}&environment=production"),
            )
            .page("can-i-deploy");
            assert!(
                html.contains(r#"<form id="can-i-deploy" method="get""#),
                "{html}"
            );
            for field in ["pacticipant", "version", "environment"] {
                assert!(html.contains(&format!(r#"name="{field}""#)), "{field}");
            }
            let verdict = html
                .split(r#"<p class="verdict "#)
                .nth(1)
                .expect("a verdict");
            assert!(
                verdict.starts_with(expected_class),
                "{pacticipant}: {verdict}"
            );
            let verdict_text = verdict
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap();
            let cli = broker.pactum(&[
                "can-i-deploy",
                "--pacticipant",
                pacticipant,
                "--version",
                version,
                "--to-environment",
                "production",
            ]);
            let said = text(&cli);
            let unescaped = verdict_text.replace("&quot;", "\"");
            assert!(said.contains(&unescaped), "page: {unescaped}\nCLI: {said}");
            let reasons = html
                .split(r#"<ul class="reasons">"#)
                .nth(1)
                .expect("reasons");
            let first_reason = reasons
                .split("<bdi>")
                .nth(1)
                .unwrap()
                .split("</bdi>")
                .next()
                .unwrap();
            assert!(
                said.contains(&first_reason.replace("&quot;", "\"").replace("&#39;", "'")),
                "reason {first_reason} in {said}"
            );
        }
        // The same page for browsers at /matrix, and its questions' mistakes as a 400 page.
        let html = browse(
            &broker,
            "/matrix?pacticipant=web&version=1.0.0&environment=production",
        )
        .page("matrix");
        assert!(html.contains("verdict-no"), "{html}");
        let unknown = browse(&broker, "/ui/can-i-deploy?pacticipant=nobody&version=1");
        assert_eq!(unknown.status, 400);
        assert!(unknown.body.contains("nobody"), "{}", unknown.body);
        let empty = browse(&broker, "/ui/can-i-deploy").page("empty form");
        assert!(!empty.contains("verdict"), "{empty}");

        // Pacticipant: versions, deployments, integrations and the network graph.
        let html = browse(&broker, "/pacticipants/catalogue").page("pacticipant");
        assert!(html.contains("<bdi>2.0.0</bdi>"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://ci.example.com/builds/7" rel="noreferrer noopener">"#
            ),
            "{html}"
        );
        assert!(html.contains("<bdi>production</bdi>"), "{html}");
        assert!(html.contains(r#"<svg class="network""#), "{html}");
        for consumer in ["web", "mobile", "admin"] {
            assert!(
                html.contains(&format!(
                    r#"data-consumer="{consumer}" data-provider="catalogue""#
                )),
                "{consumer}"
            );
            assert!(
                html.contains(&format!(
                    r#"<a href="{}/pacticipants/{consumer}">"#,
                    broker.url
                )),
                "{consumer}"
            );
        }

        // Environments: what is deployed where, since when.
        let html = browse(&broker, "/environments").page("environments");
        let production = html
            .split("<section class=\"environment\">")
            .nth(1)
            .expect("production");
        assert!(
            production.contains("<bdi>catalogue</bdi>") && production.contains("<bdi>2.0.0</bdi>"),
            "{production}"
        );
        assert!(production.contains("<time datetime="), "{production}");

        // Webhooks: each with its deliveries.
        let (status, hook) = broker.post(
            "/webhooks",
            &json!({
                "description": "tell CI", "events": [{"name": "contract_published"}],
                "request": {"method": "POST", "url": "https://ci.example.com/hook"}
            }),
        );
        assert_eq!(status, 201, "{hook}");
        let html = browse(&broker, "/webhooks").page("webhooks");
        assert!(html.contains("<h2><bdi>tell CI</bdi></h2>"), "{html}");
        assert!(html.contains("https://ci.example.com/hook"), "{html}");
        publish(&broker, "web", "1.2.0", None, &documented_pact());
        let html = browse(&broker, "/webhooks").page("webhooks with a delivery");
        assert!(html.contains(r#"<table class="deliveries">"#), "{html}");
        assert!(html.contains("contract_published"), "{html}");
    }
}

#[test]
fn a_hostile_contract_renders_as_inert_text() {
    let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let rlo = "invoice\u{202e}fdp.exe";
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let contract = json!({
            "consumer": {"name": "<script>c</script>"},
            "provider": {"name": "p\"><img src=x>"},
            "interactions": [{
                "description": format!("{hostile} {rlo}"),
                "providerStates": [{"name": hostile, "params": {hostile: hostile}}],
                "request": {"method": "POST", "path": "/x", "headers": {"X-Evil": hostile},
                            "body": {hostile: [hostile]}},
                "response": {"status": 200, "body": hostile}
            }],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        });
        let (status, body) = broker.post(
            "/contracts/publish",
            &json!({
                "pacticipantName": "<script>c</script>", "pacticipantVersionNumber": "1",
                "buildUrl": "javascript:alert(3)",
                "contracts": [{"consumerName": "<script>c</script>", "providerName": "p\"><img src=x>",
                    "specification": "pact", "contentType": "application/json",
                    "content": base64_json(&contract)}]
            }),
        );
        assert!(status == 200 || status == 201, "{kind:?}: {body}");
        let paths = [
            "/".to_owned(),
            "/pacticipants/%3Cscript%3Ec%3C%2Fscript%3E".to_owned(),
            "/pacticipants/p%22%3E%3Cimg%20src%3Dx%3E".to_owned(),
            "/pacts/provider/p%22%3E%3Cimg%20src%3Dx%3E/consumer/%3Cscript%3Ec%3C%2Fscript%3E/version/1".to_owned(),
        ];
        for path in &paths {
            let html = browse(&broker, path).page(path);
            for forbidden in [
                "<script",
                "<img",
                "href=\"javascript:",
                "\u{202e}",
                "onerror=alert(2)>",
            ] {
                assert!(
                    !html.contains(forbidden),
                    "{kind:?} {path}: {forbidden:?} in\n{html}"
                );
            }
            assert!(html.contains("&lt;script&gt;"), "{path}: {html}");
        }
        let contract_page = browse(&broker, &paths[3]).page("hostile contract");
        assert!(
            contract_page.contains("invoice\\u{202e}fdp.exe"),
            "{contract_page}"
        );
        assert!(
            contract_page.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{contract_page}"
        );
        // The build URL is shown, as text.
        let version_page = browse(&broker, &paths[1]).page("hostile pacticipant");
        assert!(
            version_page.contains("<code><bdi>javascript:alert(3)</bdi></code>"),
            "{version_page}"
        );
    }
}

fn base64_json(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(value.to_string())
}

#[test]
fn pages_need_the_read_role_and_prompt_browsers_for_basic_credentials() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| {
            config
                .credentials
                .add_basic("viewer:s3cret", pactum::broker::Role::Read)
                .unwrap();
            config.credentials.add_token("write:w-token").unwrap();
        });
        let writer = broker.with_auth("Bearer w-token");
        publish(
            &writer,
            "web",
            "1.0.0",
            None,
            &pact("web", "catalogue", &["a request"]),
        );
        for path in [
            "/",
            "/pacticipants/web",
            "/ui/can-i-deploy",
            "/environments",
        ] {
            let refused = browse(&broker, path);
            assert_eq!(refused.status, 401, "{kind:?} {path}");
            assert!(
                refused
                    .header("www-authenticate")
                    .starts_with("Basic realm="),
                "{path}"
            );
            assert!(
                !refused.body.contains("web"),
                "{path}: nothing leaks: {}",
                refused.body
            );
            let wrong = fetch(&broker, path, Some(BROWSER), Some("Basic dmlld2VyOndyb25n"));
            assert_eq!(wrong.status, 401, "{path}");
            // viewer:s3cret
            let html = fetch(
                &broker,
                path,
                Some(BROWSER),
                Some("Basic dmlld2VyOnMzY3JldA=="),
            )
            .page(path);
            assert!(html.contains("<h1>"), "{path}");
        }
    }
}

#[test]
fn the_integrations_page_is_paginated_in_name_order() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        for n in 0..55 {
            let consumer = format!("consumer-{n:02}");
            publish(
                &broker,
                &consumer,
                "1",
                None,
                &pact(&consumer, "api", &["a request"]),
            );
        }
        let first = browse(&broker, "/").page("first page");
        assert_eq!(first.matches("<tr data-consumer=").count(), 50);
        assert!(
            first.contains(r#"data-consumer="consumer-00""#)
                && first.contains(r#"data-consumer="consumer-49""#)
        );
        let next = first
            .split(r#"rel="next""#)
            .next()
            .unwrap()
            .rsplit("href=\"")
            .next()
            .unwrap();
        let next = next.split('"').next().unwrap().replace("&amp;", "&");
        let next = next.trim_start_matches(&broker.url);
        let second = browse(&broker, next).page("second page");
        assert_eq!(second.matches("<tr data-consumer=").count(), 5, "{second}");
        assert!(
            second.contains(r#"data-consumer="consumer-50""#)
                && second.contains(r#"data-consumer="consumer-54""#)
        );
        assert!(!second.contains(r#"rel="next""#), "no page after the last");
        assert!(second.contains("First page"));
        // A filter keeps to its matches, pages included; LIKE wildcards are literal.
        let html = browse(&broker, "/?q=consumer-5").page("filtered");
        assert_eq!(html.matches("<tr data-consumer=").count(), 5, "{html}");
        let html = browse(&broker, "/?q=consumer_0").page("underscore is literal");
        assert_eq!(html.matches("<tr data-consumer=").count(), 0, "{html}");
    }
}

/// The `<tr>` of the pair on an integrations page.
fn integration_row<'a>(html: &'a str, consumer: &str, provider: &str) -> &'a str {
    let start = format!(r#"<tr data-consumer="{consumer}" data-provider="{provider}">"#);
    let row = html
        .split(&start)
        .nth(1)
        .unwrap_or_else(|| panic!("no row for {consumer} → {provider}:\n{html}"));
    row.split("</tr>").next().unwrap()
}

/// The `<td class="{class}">` of a row, as the text a person reads (tags removed).
fn cell_text(row: &str, class: &str) -> String {
    let cell = row
        .split(&format!(r#"<td class="{class}">"#))
        .nth(1)
        .unwrap_or_else(|| panic!("no {class} cell in {row}"));
    let cell = cell.split("</td>").next().unwrap();
    let mut shown = String::new();
    let mut in_tag = false;
    for c in cell.chars() {
        match c {
            '<' => {
                in_tag = true;
                shown.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => shown.push(c),
            _ => {}
        }
    }
    shown.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn integration_rows_show_where_each_side_runs_and_how_its_webhooks_fare() {
    let receiver = serve_router(Router::new().route("/ok", post(|| async { "ok" })).route(
        "/down",
        post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "down") }),
    ));
    for kind in backends() {
        let db = TestDb::new(kind);
        // A failed delivery is retried only after a minute: it stays failing while we look.
        let broker = TestBroker::start_with(&db, webhooks_to_loopback(&[Duration::from_secs(60)]));
        for name in ["web", "mobile", "admin", "api"] {
            let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
            assert_eq!(status, 201, "{body}");
        }
        for (consumer, path) in [("web", "/ok"), ("mobile", "/down")] {
            let (status, body) = broker.post(
                "/webhooks",
                &json!({
                    "consumer": {"name": consumer},
                    "provider": {"name": "api"},
                    "events": [{"name": "contract_published"}],
                    "request": {"method": "POST", "url": format!("{}{path}", receiver.url)}
                }),
            );
            assert_eq!(status, 201, "{body}");
        }
        for consumer in ["web", "mobile", "admin"] {
            publish(
                &broker,
                consumer,
                "1.0.0",
                None,
                &pact(consumer, "api", &["a request"]),
            );
        }
        let mut uuids = Vec::new();
        for env in ["production", "test"] {
            let (status, body) = broker.post(
                "/environments",
                &json!({"name": env, "production": env == "production"}),
            );
            assert_eq!(status, 201, "{body}");
            uuids.push(body["uuid"].as_str().unwrap().to_owned());
        }
        broker.put("/pacticipants/api/versions/2.0.0", &json!({}));
        for (path, env) in [
            ("api/versions/2.0.0/deployed-versions", &uuids[0]),
            ("web/versions/1.0.0/released-versions", &uuids[1]),
            ("mobile/versions/1.0.0/deployed-versions", &uuids[0]),
            ("mobile/versions/1.0.0/deployed-versions", &uuids[1]),
        ] {
            let (status, body) = broker.post(
                &format!("/pacticipants/{path}/environment/{env}"),
                &json!({}),
            );
            assert_eq!(status, 201, "{body}");
        }

        // The deliveries are sent in the background: wait until both have an outcome.
        let deadline = Instant::now() + Duration::from_secs(20);
        let html = loop {
            let html = browse(&broker, "/").page("integrations");
            let settled = cell_text(
                integration_row(&html, "web", "api"),
                "webhook webhook-delivered",
            ) == "delivered"
                && html.contains(r#"<td class="webhook webhook-failing">"#);
            if settled || Instant::now() > deadline {
                break html;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let web = integration_row(&html, "web", "api");
        let mobile = integration_row(&html, "mobile", "api");
        let admin = integration_row(&html, "admin", "api");
        assert_eq!(
            cell_text(web, "webhook webhook-delivered"),
            "delivered",
            "{kind:?}: {web}"
        );
        assert_eq!(
            cell_text(mobile, "webhook webhook-failing"),
            "failing",
            "{kind:?}: {mobile}"
        );
        assert_eq!(
            cell_text(admin, "webhook webhook-none"),
            "none",
            "{kind:?}: {admin}"
        );

        // Each side: its environments with the version there.
        assert_eq!(
            cell_text(web, "provider"),
            "api production 2.0.0",
            "{kind:?}"
        );
        assert_eq!(
            cell_text(web, "consumer"),
            "web test 1.0.0 (released)",
            "{kind:?}"
        );
        assert_eq!(
            cell_text(mobile, "consumer"),
            "mobile production 1.0.0 test 1.0.0",
            "{kind:?}"
        );
        assert_eq!(cell_text(admin, "consumer"), "admin", "{kind:?}: nowhere");
        assert_eq!(
            cell_text(admin, "provider"),
            "api production 2.0.0",
            "{kind:?}"
        );
    }
}

#[test]
fn the_pacticipant_page_lists_its_newest_versions_with_their_branches_and_tags() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        // 32 versions: the page shows the newest 30, newest first.
        for n in 1..=32 {
            let branch = if n % 2 == 0 { "main" } else { "feat" };
            publish(
                &broker,
                "web",
                &format!("1.{n}"),
                Some(branch),
                &pact("web", "api", &["a"]),
            );
        }
        for (version, tag) in [
            ("1.32", "prod"),
            ("1.32", "beta"),
            ("1.31", "prod"),
            ("1.5", "old"),
        ] {
            let (status, body) = broker.put(
                &format!("/pacticipants/web/versions/{version}/tags/{tag}"),
                &json!({}),
            );
            assert!(status == 200 || status == 201, "{body}");
        }
        let (status, body) = broker.put(
            "/pacticipants/web/branches/release/versions/1.32",
            &json!({}),
        );
        assert!(status == 200 || status == 201, "{body}");
        let html = browse(&broker, "/pacticipants/web").page("pacticipant");
        let table = html
            .split(r#"<table class="versions">"#)
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap();
        let rows: Vec<Vec<String>> = table
            .split("<tr>")
            .skip(2)
            .map(|row| {
                row.split("<td>")
                    .skip(1)
                    .take(3)
                    .map(|cell| cell_text(&format!("<td class=\"x\">{cell}"), "x"))
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 30, "{kind:?}: {table}");
        assert_eq!(
            rows[0],
            ["1.32", "main , release", "prod , beta"],
            "{kind:?}"
        );
        assert_eq!(rows[1], ["1.31", "feat", "prod"], "{kind:?}");
        assert_eq!(rows[2], ["1.30", "main", ""], "{kind:?}");
        assert_eq!(rows[27], ["1.5", "feat", "old"], "{kind:?}");
        assert_eq!(rows[29], ["1.3", "feat", ""], "{kind:?}");
    }
}

/// orders' document: `GET /orders/{id}` answers an order with a numeric total.
const ORDERS_OAS: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Orders", "version": "1"},
  "paths": {"/orders/{id}": {"get": {
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "an order", "content": {"application/json": {"schema": {
      "type": "object", "required": ["id", "total"],
      "properties": {"id": {"type": "integer"}, "total": {"type": "number"}}
    }}}}}
  }}}
}"#;

#[test]
fn the_cross_check_page_shows_each_consumer_contracts_findings() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        // shop expects a text total, which the document's number is not.
        let contract = json!({
            "consumer": {"name": "shop"},
            "provider": {"name": "orders"},
            "interactions": [{
                "description": "get order 7",
                "request": {"method": "GET", "path": "/orders/7"},
                "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                             "body": {"id": 7, "total": "ten"}}
            }],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        });
        publish(&broker, "shop", "1.0.0", None, &contract);
        broker.publish_openapi("orders", "3.1.0", None, true, ORDERS_OAS);
        broker.wait_for_cross_checks(1);

        let path = "/cross-checks/provider/orders/version/3.1.0";
        let html = browse(&broker, path).page("cross-checks");
        let api: pactum::broker_api::ProviderVersionCrossChecks =
            serde_json::from_value(broker.ok(path)).unwrap();
        let findings = &api.cross_checks[0].findings;
        assert!(
            findings
                .iter()
                .any(|f| f.code == "response.body.incompatible"),
            "{kind:?}: {findings:?}"
        );
        let section = html
            .split(r#"<section class="cross-check" data-consumer="shop">"#)
            .nth(1)
            .unwrap_or_else(|| panic!("{kind:?}: no section for shop: {html}"));
        assert!(
            section.contains(r#"<span class="status status-failed">failed</span>"#),
            "{kind:?}: {section}"
        );
        assert_eq!(
            section.matches(r#"<tr class="finding"#).count(),
            findings.len(),
            "{kind:?}: {section}"
        );
        for finding in findings {
            for shown in [
                format!(r#"<code class="code">{}</code>"#, finding.code),
                format!("<code><bdi>{}</bdi></code>", finding.contract_location),
                format!("<code><bdi>{}</bdi></code>", finding.document_location),
                "0: <bdi>get order 7</bdi>".to_owned(),
            ] {
                assert!(section.contains(&shown), "{kind:?}: {shown} in {section}");
            }
        }
        // API clients still get the resource.
        let json = fetch(&broker, path, Some("application/hal+json"), None);
        assert!(json.body.starts_with('{'), "{}", json.body);

        // Linked from the provider's versions and from the contract page.
        let target = format!("{}{path}\"", broker.url);
        let html = browse(&broker, "/pacticipants/orders").page("provider");
        assert!(
            html.contains(&format!("href=\"{target}>cross-checks</a>")),
            "{kind:?}: {html}"
        );
        let html = browse(&broker, "/pacts/provider/orders/consumer/shop/latest").page("contract");
        assert!(html.contains(&format!("href=\"{target}>document of <bdi>3.1.0</bdi></a> <span class=\"status status-failed\">failed</span>")), "{kind:?}: {html}");
        // A consumer's versions have no documents: no such column.
        let html = browse(&broker, "/pacticipants/shop").page("consumer");
        assert!(!html.contains("cross-checks</a>"), "{kind:?}: {html}");
        // A version without a document: a 404 page saying how to publish one.
        broker.put("/pacticipants/orders/versions/9", &json!({}));
        let missing = browse(&broker, "/cross-checks/provider/orders/version/9");
        assert_eq!(missing.status, 404, "{}", missing.body);
        assert!(
            missing.body.contains("publish-provider-contract"),
            "{}",
            missing.body
        );
    }
}

/// A consumer name that is markup, as a hostile publisher would choose it.
const HOSTILE: &str = r#"x"><img src=x onerror="window.__pwned=1">"#;

#[test]
fn the_coverage_page_names_the_consumers_as_text() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        // The hostile consumer reads order 7's id, and calls a path the document lacks with a
        // description that is markup.
        let contract = json!({
            "consumer": {"name": HOSTILE},
            "provider": {"name": "orders"},
            "interactions": [{
                "description": "get order 7",
                "request": {"method": "GET", "path": "/orders/7"},
                "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                             "body": {"id": 7}}
            }, {
                "description": "<script>window.__pwned=1</script>",
                "request": {"method": "GET", "path": "/<b>nowhere</b>"},
                "response": {"status": 200}
            }],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        });
        publish(&broker, HOSTILE, "1.0.0", None, &contract);
        broker.publish_openapi("orders", "3.1.0", None, true, ORDERS_OAS);

        let path = "/cross-checks/provider/orders/version/3.1.0/coverage";
        let html = browse(&broker, path).page("coverage");
        let api: pactum::broker_api::ProviderVersionCoverage =
            serde_json::from_value(broker.ok(path)).unwrap();
        assert_eq!(api.operations[0].used_by, [HOSTILE], "{kind:?}: {api:?}");
        // Nothing the contract holds became markup.
        for raw in [HOSTILE, "<img", "<script>", "<b>nowhere"] {
            assert!(!html.contains(raw), "{kind:?}: `{raw}` unescaped in {html}");
        }
        let escaped = "x&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;";
        let operation = html
            .split(r#"data-operation="GET /orders/{id}">"#)
            .nth(1)
            .unwrap_or_else(|| panic!("{kind:?}: no operation section: {html}"));
        assert!(
            operation.contains(&format!(
                r#"<span class="usage usage-used">used by <span class="consumer"><bdi>{escaped}</bdi></span></span>"#
            )),
            "{kind:?}: {operation}"
        );
        assert!(
            html.contains(&format!(
                "<li><bdi>{escaped}: &lt;script&gt;window.__pwned=1&lt;/script&gt;</bdi></li>"
            )),
            "{kind:?}: {html}"
        );
        // The contract link carries the name percent-encoded, as one path segment.
        assert!(
            html.contains("/pacts/provider/orders/consumer/x%22%3E%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E/pact-version/"),
            "{kind:?}: {html}"
        );
    }
}

#[test]
fn message_and_binary_interactions_are_documented() {
    let contract = json!({
        "consumer": {"name": "orders"},
        "provider": {"name": "events"},
        "interactions": [
            {"type": "Asynchronous/Messages", "description": "an order created event",
             "contents": {"content": {"id": 1}, "contentType": "application/json", "encoded": false},
             "metadata": {"topic": "orders"},
             "matchingRules": {"body": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}}}},
            {"type": "Synchronous/Messages", "description": "a price query",
             "request": {"contents": {"content": "//4AAQI=", "contentType": "application/octet-stream", "encoded": "base64"}},
             "response": [{"contents": {"content": {"price": 3}, "contentType": "application/json", "encoded": false}}]},
            {"type": "Synchronous/HTTP", "description": "a picture",
             "request": {"method": "GET", "path": "/picture"},
             "response": {"status": 200, "body": {"content": "iVBORw0KGgo=", "contentType": "image/png", "encoded": "base64"}}}
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}}
    });
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        publish(&broker, "orders", "1", None, &contract);
        let html =
            browse(&broker, "/pacts/provider/events/consumer/orders/version/1").page("V4 contract");
        assert_eq!(
            html.matches(r#"<section class="interaction">"#).count(),
            3,
            "{kind:?}: {html}"
        );
        assert!(
            html.contains(
                "<h2><bdi>an order created event</bdi></h2><p class=\"kind\">asynchronous message"
            ),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<code><bdi>1</bdi></code><span class="rule"><bdi>integer</bdi></span>"#
            ),
            "{html}"
        );
        assert!(
            html.contains("Metadata <code><bdi>topic</bdi></code>"),
            "{html}"
        );
        assert!(
            html.contains("synchronous message request and responses"),
            "{html}"
        );
        assert!(
            html.contains("Binary content, 5 bytes"),
            "the request message: {html}"
        );
        assert!(html.contains("Response message 1"), "{html}");
        assert!(
            html.contains("Binary content, 8 bytes") && html.contains("image/png"),
            "the picture: {html}"
        );
    }
}
