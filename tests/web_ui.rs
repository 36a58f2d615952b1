//! The broker's web pages in a real browser (headless Chromium through ChromeDriver), on SQLite
//! and PostgreSQL. Consumers publish, the provider verifies — passing for one consumer, failing
//! for another — and is deployed; then the test looks at what a person sees: the integrations'
//! status words and colours, the mismatch on the verification page, the rules next to the values
//! on the contract page, the can-i-deploy answer (the same as the CLI's), keyboard focus, a
//! phone-sized window — and that a contract full of markup, script and `javascript:` links
//! renders as inert text. A provider's OpenAPI document, cross-checked against two consumers'
//! contracts: the failed check with its comparator code, and the document's coverage.
//!
//! The SQLite run keeps a screenshot of each page in `docs/screenshots/` (the README shows
//! them).

use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends};
use crate::support::browser::Browser;
use crate::support::provider::{self, Breakage};
use crate::support::{pactum, repo_path, text};

/// The hostile consumer: its name, like everything in its contract, must stay text.
const HOSTILE: &str = r#"x"><img src=x onerror="window.__pwned=1">"#;

/// Markup, script, `javascript:` URLs and a direction override in every place a contract holds
/// text.
fn hostile_contract() -> Value {
    json!({
        "consumer": {"name": HOSTILE},
        "provider": {"name": "inventory"},
        "interactions": [{
            "description": "<script>window.__pwned=1</script> a \u{202e}reversed\u{202c} request",
            "providerStates": [{
                "name": "\"><img src=x onerror=\"window.__pwned=1\">",
                "params": {"<b>key</b>": "<i>value</i>"}
            }],
            "request": {
                "method": "GET",
                "path": "/<script>window.__pwned=1</script>",
                "headers": {"X-Evil": "\"><svg onload=\"window.__pwned=1\">"}
            },
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "link": "javascript:window.__pwned=1",
                    "html": "<script>window.__pwned=1</script>"
                },
                "matchingRules": {"body": {"$.html": {"matchers": [{"match": "regex", "regex": "<script>.*"}]}}}
            }
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

/// The catalogue contract the test provider serves, published by `consumer`.
fn catalogue(consumer: &str) -> Value {
    let mut contract: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("contracts/web-shop-catalogue.json")).unwrap(),
    )
    .unwrap();
    contract["consumer"]["name"] = json!(consumer);
    contract
}

/// `pactum verify` of `consumer`'s main-branch contract with catalogue against the provider at
/// `provider_url`, publishing the results as catalogue `version`; what it printed.
fn verify(broker: &TestBroker, consumer: &str, provider_url: &str, version: &str) -> String {
    let selectors = json!({"mainBranch": true, "consumer": consumer}).to_string();
    let out = pactum(&[
        "verify",
        "--broker-url",
        &broker.url,
        "--provider",
        "catalogue",
        "--provider-base-url",
        provider_url,
        "--state-change-url",
        &format!("{provider_url}/_pact/state"),
        "--consumer-version-selectors",
        &selectors,
        "--publish",
        "--provider-app-version",
        version,
        "--provider-branch",
        "main",
    ]);
    text(&out)
}

/// A broker holding web-shop → catalogue (verified by catalogue 2.0.0), admin-ui → catalogue
/// (failed against catalogue 1.9.0, which changed `id` to a string), the hostile consumer →
/// inventory (never verified); catalogue 2.0.0 deployed to production, 1.9.0 to test.
fn populated(db: &TestDb) -> TestBroker {
    let broker = TestBroker::start(db);
    for consumer in ["web-shop", "admin-ui"] {
        let (status, body) =
            broker.publish(consumer, "1.0.0", Some("main"), &[], &[catalogue(consumer)]);
        assert_eq!(status, 200, "{body}");
        let (status, body) = broker.patch(
            &format!("/pacticipants/{consumer}"),
            &json!({"mainBranch": "main"}),
        );
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = broker.publish(HOSTILE, "1.0.0", Some("main"), &[], &[hostile_contract()]);
    assert_eq!(status, 200, "{body}");

    let broken = provider::start(Breakage::ChangedType);
    let said = verify(&broker, "admin-ui", &broken.url, "1.9.0");
    assert!(said.contains("Published failed verification"), "{said}");
    let good = provider::start(Breakage::None);
    let said = verify(&broker, "web-shop", &good.url, "2.0.0");
    assert!(said.contains("Published successful verification"), "{said}");

    for (environment, production, version) in
        [("production", true, "2.0.0"), ("test", false, "1.9.0")]
    {
        let (status, created) = broker.post(
            "/environments",
            &json!({"name": environment, "production": production}),
        );
        assert_eq!(status, 201, "{created}");
        let uuid = created["uuid"].as_str().unwrap();
        let (status, body) = broker.post(
            &format!(
                "/pacticipants/catalogue/versions/{version}/deployed-versions/environment/{uuid}"
            ),
            &json!({}),
        );
        assert_eq!(status, 201, "{body}");
    }
    broker
}

/// Keeps a screenshot of the page shown (from the SQLite run only, so one set is kept).
fn screenshot(kind: Kind, browser: &Browser, page: &str) {
    if kind == Kind::Sqlite {
        browser.screenshot(&repo_path(&format!("docs/screenshots/{page}.png")));
    }
}

/// Whether a colour (`rgb(r, g, b)` as computed by the browser) is a green or a red.
fn dominant(colour: &str) -> &'static str {
    let channels: Vec<u32> = colour
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|c| {
            c.trim()
                .parse()
                .unwrap_or_else(|_| panic!("a colour: {colour}"))
        })
        .collect();
    // The strongest channel by a clear margin decides (pale tints included).
    match channels[..] {
        [r, g, b] if g >= r.max(b) + 10 => "green",
        [r, g, b] if r >= g.max(b) + 10 => "red",
        _ => "neither",
    }
}

/// What a script planted by a contract would have set; `true` when nothing ran.
fn nothing_ran(browser: &Browser) -> bool {
    browser.script("return window.__pwned === undefined;", vec![]) == json!(true)
}

#[test]
fn a_person_sees_integrations_contracts_verifications_and_the_gate() {
    for kind in backends() {
        let Some(browser) = Browser::start() else {
            return;
        };
        let db = TestDb::new(kind);
        let broker = populated(&db);

        // Integrations: every pair with its status in words and colour.
        browser.open(&broker.url);
        assert_eq!(
            browser.text("h1").as_deref(),
            Some("Integrations"),
            "{kind:?}"
        );
        let row = |consumer: &str, provider: &str| {
            format!(r#"#integrations tr[data-consumer="{consumer}"][data-provider="{provider}"]"#)
        };
        let verified = format!("{} td.status", row("web-shop", "catalogue"));
        let failed = format!("{} td.status", row("admin-ui", "catalogue"));
        assert_eq!(browser.count("#integrations tbody tr"), 3, "{kind:?}");
        assert!(
            browser.count(&format!("{verified}.status-verified")) == 1
                && browser.text(&verified).unwrap().contains("verified"),
            "{kind:?}: web-shop → catalogue shows {:?}",
            browser.text(&verified)
        );
        assert!(
            browser.count(&format!("{failed}.status-failed")) == 1
                && browser.text(&failed).unwrap().contains("failed"),
            "{kind:?}: admin-ui → catalogue shows {:?}",
            browser.text(&failed)
        );
        let green = browser.style(&verified, "background-color").unwrap();
        let red = browser.style(&failed, "background-color").unwrap();
        assert_eq!(dominant(&green), "green", "{kind:?}: verified is {green}");
        assert_eq!(dominant(&red), "red", "{kind:?}: failed is {red}");
        screenshot(kind, &browser, "integrations");

        // Keyboard: the first Tab reaches a link.
        let (tag, _) = browser.tab_to(1);
        assert_eq!(tag, "A", "{kind:?}: the first Tab stop is a link");

        // The failed verification, reached from its row: the mismatch a person must fix.
        browser.click(&format!("{} td:last-child a", row("admin-ui", "catalogue")));
        assert!(
            browser.current_url().contains("/verification-results/"),
            "{kind:?}: {}",
            browser.current_url()
        );
        assert!(browser.count("section.result-failed") >= 1, "{kind:?}");
        let mismatches = browser.texts("li.mismatch");
        assert!(
            mismatches
                .iter()
                .any(|m| m.contains("$.id") && m.contains("integer")),
            "{kind:?}: the mismatch names $.id and the integer rule: {mismatches:?}"
        );
        assert_eq!(
            browser.text("li.mismatch code.location").as_deref(),
            Some("$.id"),
            "{kind:?}"
        );
        screenshot(kind, &browser, "verification");

        // The contract page: each rule next to the value it governs.
        browser.open(&format!(
            "{}/pacts/provider/catalogue/consumer/web-shop/version/1.0.0",
            broker.url
        ));
        assert_eq!(browser.count("section.interaction"), 2, "{kind:?}");
        let rule_next_to = |key: &str| {
            browser.script(
                "const li = Array.from(document.querySelectorAll('section.interaction li'))
                   .find(li => { const k = li.querySelector(':scope > .key'); return k && k.innerText === arguments[0]; });
                 const rule = li && li.querySelector(':scope > .rule');
                 return rule ? rule.innerText : null;",
                vec![json!(format!("\"{key}\""))],
            )
        };
        assert_eq!(rule_next_to("id"), json!("integer"), "{kind:?}");
        assert_eq!(rule_next_to("price"), json!("decimal"), "{kind:?}");
        assert_eq!(
            rule_next_to("sku"),
            json!(r"matches `[A-Z]{3}-\d{4}`"),
            "{kind:?}"
        );
        assert!(
            browser.count("section.interaction .generator") >= 1,
            "{kind:?}: the mock server URL generator is shown"
        );
        screenshot(kind, &browser, "contract");

        // can-i-deploy, asked through the form as a person would, answers as the CLI does.
        // Yes (verified by what runs there), unknown (never verified by what runs there), no
        // (failed against what runs there).
        for (consumer, environment, deployable) in [
            ("web-shop", "production", Some(true)),
            ("admin-ui", "production", None),
            ("admin-ui", "test", Some(false)),
        ] {
            browser.open(&format!("{}/ui/can-i-deploy", broker.url));
            browser.fill("#can-i-deploy input[name=pacticipant]", consumer);
            browser.fill("#can-i-deploy input[name=version]", "1.0.0");
            browser.click(&format!(
                "#can-i-deploy select[name=environment] option[value={environment}]"
            ));
            browser.click("#can-i-deploy button[type=submit]");
            let cli = pactum(&[
                "can-i-deploy",
                "--broker-base-url",
                &broker.url,
                "--pacticipant",
                consumer,
                "--version",
                "1.0.0",
                "--to-environment",
                environment,
                "--output",
                "json",
            ]);
            let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
            assert_eq!(
                cli["summary"]["deployable"],
                json!(deployable),
                "{kind:?}: {cli}"
            );
            let verdict = match deployable {
                Some(true) => "verdict-yes",
                Some(false) => "verdict-no",
                None => "verdict-unknown",
            };
            assert_eq!(
                browser.count(&format!("p.verdict.{verdict}")),
                1,
                "{kind:?}: {consumer}: the page says {:?}",
                browser.text("p.verdict")
            );
            let reasons = browser.text("ul.reasons").unwrap_or_default();
            let cli_reason = cli["summary"]["reason"].as_str().unwrap_or_default();
            assert!(
                !cli_reason.is_empty() && browser.page_text().contains(cli_reason),
                "{kind:?}: the CLI's reason `{cli_reason}` is on the page: {reasons}"
            );
            if deployable == Some(false) {
                screenshot(kind, &browser, "can-i-deploy");
            }
        }

        // The pacticipant, its network and the environments.
        browser.open(&format!("{}/pacticipants/catalogue", broker.url));
        assert_eq!(
            browser
                .text("h1")
                .as_deref()
                .map(|h| h.contains("catalogue")),
            Some(true)
        );
        assert!(browser.count("svg") >= 1, "{kind:?}: the network graph");
        assert!(
            browser.page_text().contains("production"),
            "{kind:?}: the deployment to production"
        );
        screenshot(kind, &browser, "pacticipant");
        browser.open(&format!("{}/environments", broker.url));
        let environments = browser.page_text();
        assert!(
            environments.contains("production")
                && environments.contains("catalogue")
                && environments.contains("2.0.0"),
            "{kind:?}: {environments}"
        );
        screenshot(kind, &browser, "environments");

        // A phone-sized window: nothing wider than the screen but the tables' own scrolling.
        browser.resize(390, 844);
        browser.open(&broker.url);
        let overflow = browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        );
        assert_eq!(
            overflow,
            json!(0),
            "{kind:?}: the page scrolls sideways on a phone"
        );
        screenshot(kind, &browser, "integrations-phone");
    }
}

#[test]
fn a_hostile_contract_renders_as_inert_text() {
    for kind in backends() {
        let Some(browser) = Browser::start() else {
            return;
        };
        // Only the hostile contract: verifications and deployments add nothing here.
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let (status, body) =
            broker.publish(HOSTILE, "1.0.0", Some("main"), &[], &[hostile_contract()]);
        assert_eq!(status, 200, "{body}");
        // Every byte percent-encoded: the name as one path segment.
        let consumer: String = HOSTILE.bytes().map(|b| format!("%{b:02X}")).collect();
        // The contract page last: its text is checked after the loop.
        for page in [
            String::new(),
            format!("/pacticipants/{consumer}"),
            "/pacticipants/inventory".to_owned(),
            format!("/pacts/provider/inventory/consumer/{consumer}/version/1.0.0"),
        ] {
            browser.open(&format!("{}{page}", broker.url));
            assert!(
                browser.count("h1") == 1,
                "{kind:?}: {page} did not render a page: {}",
                browser.page_text()
            );
            assert!(
                nothing_ran(&browser),
                "{kind:?}: a contract's script ran on {page}"
            );
            let planted = browser.script(
                "return document.querySelectorAll('main img, main svg[onload], main script, \
                 [onerror], [onload]').length;",
                vec![],
            );
            assert_eq!(
                planted,
                json!(0),
                "{kind:?}: markup from the contract became elements on {page}"
            );
            let javascript_links = browser.script(
                "return Array.from(document.querySelectorAll('a[href]'))
                   .filter(a => a.protocol === 'javascript:').length;",
                vec![],
            );
            assert_eq!(javascript_links, json!(0), "{kind:?}: {page}");
            assert!(
                browser.page_text().contains(HOSTILE)
                    || page.starts_with("/pacticipants/inventory"),
                "{kind:?}: the hostile name is shown as text on {page}: {}",
                browser.page_text()
            );
        }
        // The contract page shows the markup as the characters it is.
        let contract = browser.page_text();
        for shown in [
            "<script>window.__pwned=1</script>",
            "javascript:window.__pwned=1",
            "<b>key</b>",
        ] {
            assert!(
                contract.contains(shown),
                "{kind:?}: `{shown}` as text: {contract}"
            );
        }
        // The direction override does not reorder what follows it: it is shown, not obeyed.
        assert!(
            !contract.contains('\u{202e}'),
            "{kind:?}: the direction override reaches the page as a control character"
        );
        screenshot(kind, &browser, "hostile-contract");
    }
}

/// orders' document: `GET /orders/{id}` answers an order with a numeric total (and a note, and a
/// 404, that nobody reads); `DELETE /orders/{id}` nobody calls.
const ORDERS_OAS: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Orders", "version": "1"},
  "paths": {
    "/orders/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "get": {
        "responses": {
          "200": {"description": "an order", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "total"],
            "properties": {"id": {"type": "integer"}, "total": {"type": "number"},
                           "note": {"type": "string"}}
          }}}},
          "404": {"description": "no such order"}
        }
      },
      "delete": {"responses": {"204": {"description": "deleted"}}}
    }
  }
}"#;

/// `consumer`'s contract with orders: `GET /orders/7`, expecting `body`.
fn order_contract(consumer: &str, body: Value) -> Value {
    json!({
        "consumer": {"name": consumer},
        "provider": {"name": "orders"},
        "interactions": [{
            "description": "get order 7",
            "request": {"method": "GET", "path": "/orders/7"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": body}
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

#[test]
fn a_person_sees_a_failed_cross_check_and_what_of_the_document_is_used() {
    for kind in backends() {
        let Some(browser) = Browser::start() else {
            return;
        };
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        // shop expects a text total, which the document's number is not; app reads the id.
        for (consumer, body) in [
            ("shop", json!({"id": 7, "total": "ten"})),
            ("app", json!({"id": 7})),
        ] {
            let (status, body) = broker.publish(
                consumer,
                "1.0.0",
                Some("main"),
                &[],
                &[order_contract(consumer, body)],
            );
            assert_eq!(status, 200, "{body}");
        }
        broker.publish_openapi("orders", "3.1.0", None, true, ORDERS_OAS);
        broker.wait_for_cross_checks(2);

        // The cross-check page: shop's check failed, in red, with the comparator's code.
        browser.open(&format!(
            "{}/cross-checks/provider/orders/version/3.1.0",
            broker.url
        ));
        assert_eq!(
            browser.text("h1").as_deref(),
            Some("Cross-checks: orders 3.1.0"),
            "{kind:?}"
        );
        let shop = r#"section.cross-check[data-consumer="shop"]"#;
        let app = r#"section.cross-check[data-consumer="app"]"#;
        let failed = format!("{shop} h2 .status");
        assert_eq!(browser.text(&failed).as_deref(), Some("failed"), "{kind:?}");
        let red = browser.style(&failed, "background-color").unwrap();
        assert_eq!(dominant(&red), "red", "{kind:?}: failed is {red}");
        assert_eq!(
            browser.text(&format!("{app} h2 .status")).as_deref(),
            Some("passed"),
            "{kind:?}"
        );
        let codes = browser.texts(&format!("{shop} tr.finding-error code.code"));
        assert_eq!(codes, ["response.body.incompatible"], "{kind:?}");
        let row = browser.text(&format!("{shop} tr.finding-error")).unwrap();
        assert!(
            row.contains("get order 7") && row.contains("response.body.total"),
            "{kind:?}: the finding names the interaction and the field: {row}"
        );
        assert_eq!(
            browser.count(&format!("{app} tr.finding-error")),
            0,
            "{kind:?}"
        );
        screenshot(kind, &browser, "cross-checks");

        // Its link to the coverage, followed as a person would.
        browser.click("a#coverage");
        assert!(
            browser
                .current_url()
                .ends_with("/cross-checks/provider/orders/version/3.1.0/coverage"),
            "{kind:?}: {}",
            browser.current_url()
        );
        assert_eq!(
            browser.text("h1").as_deref(),
            Some("Coverage: orders 3.1.0"),
            "{kind:?}"
        );
        assert_eq!(
            browser.text(r#"dd[data-total="operations"]"#).as_deref(),
            Some("1 of 2 used"),
            "{kind:?}"
        );
        let get = r#"section.operation[data-operation="GET /orders/{id}"]"#;
        let delete = r#"section.operation[data-operation="DELETE /orders/{id}"]"#;
        assert_eq!(
            browser.text(&format!("{get} h2 .usage")).as_deref(),
            Some("used by app, shop"),
            "{kind:?}"
        );
        assert_eq!(
            browser.text(&format!("{delete} h2 .usage")).as_deref(),
            Some("unused — free to change"),
            "{kind:?}"
        );
        let usage = |field: &str| {
            browser.text(&format!(
                r#"{get} tr[data-part="response-field"][data-field="{field}"] .usage"#
            ))
        };
        assert_eq!(usage("total").as_deref(), Some("used by shop"), "{kind:?}");
        assert_eq!(
            usage("note").as_deref(),
            Some("unused — free to change"),
            "{kind:?}"
        );
        // Used and unused look different: green for used, grey for free to change.
        let used = browser
            .style(&format!("{get} h2 .usage"), "background-color")
            .unwrap();
        assert_eq!(dominant(&used), "green", "{kind:?}: used is {used}");
        let unused = browser
            .style(&format!("{delete} h2 .usage"), "background-color")
            .unwrap();
        assert_eq!(dominant(&unused), "neither", "{kind:?}: unused is {unused}");
        screenshot(kind, &browser, "coverage");
    }
}
