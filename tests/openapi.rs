//! The OpenAPI cross-check against PactFlow's `openapi-pact-comparator` (npm): every case in
//! `tests/openapi/cases` (an OpenAPI document and a Pact contract) is checked by both, and for
//! each interaction the codes each reports must be the same — except where pactum deliberately
//! differs, listed in [`DEVIATIONS`] with the reason (and each listed difference must still
//! occur, so the list stays true).
//!
//! The comparator runs under node (`tests/openapi/comparator.cjs`); it is installed by
//! `scripts/install-openapi-comparator.sh` (`PACTUM_OPENAPI_COMPARATOR` says where;
//! `PACTUM_SKIP_OPENAPI_COMPARATOR` skips the comparison, not pactum's own checks below).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pactum::contract::Pact;
use pactum::openapi::{Code, Document, Severity};
use serde_json::{Value, json};

use crate::support::prerequisites::openapi_comparator;
use crate::support::repo_path;

/// Where pactum and the comparator disagree on purpose: (case, interaction index, code, which
/// side reports it, why). Also the README's table.
pub const DEVIATIONS: &[(&str, usize, &str, Side, &str)] = &[
    (
        "items-30",
        0,
        "response.body.incompatible",
        Side::Comparator,
        "OpenAPI 3.0 `nullable: true` on a schema with an `enum` accepts null in pactum; the \
         comparator still requires null to be listed in the enum, so a nullable enum can never \
         be null there",
    ),
    (
        "items-30",
        26,
        "response.body.incompatible",
        Side::Pactum,
        "a nullable object is closed like any other object: expecting a field the document \
         does not have is an error (the comparator leaves `nullable: true` objects open, so a \
         misspelt field under one passes)",
    ),
];

/// Which side reports a code the other does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// Only pactum reports it.
    Pactum,
    /// Only the comparator reports it.
    Comparator,
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo_path("tests/openapi/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn document_file(dir: &Path) -> PathBuf {
    ["openapi.yaml", "openapi.json"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{} has no openapi.yaml or openapi.json", dir.display()))
}

struct Case {
    name: String,
    document: Document,
    pact_json: Value,
    pact: Pact,
}

fn load(dir: &Path) -> Case {
    let bytes = std::fs::read(document_file(dir)).unwrap();
    let document =
        Document::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let pact_json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("pact.json")).unwrap()).unwrap();
    let pact = Pact::from_json(&pact_json).unwrap();
    Case {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        document,
        pact_json,
        pact,
    }
}

/// (interaction, code) pairs pactum reports.
fn pactum_codes(case: &Case) -> BTreeSet<(usize, String)> {
    case.document
        .cross_check(&case.pact)
        .findings
        .iter()
        .map(|f| (f.interaction, f.code.as_str().to_string()))
        .collect()
}

/// Runs the comparator on every case; (interaction, code) pairs per case.
fn comparator_codes(dir: &Path, cases: &[Case]) -> BTreeMap<String, BTreeSet<(usize, String)>> {
    let input: Vec<Value> = cases
        .iter()
        .map(|c| json!({"name": c.name, "oas": c.document.root(), "pact": c.pact_json}))
        .collect();
    let mut child = Command::new("node")
        .arg(repo_path("tests/openapi/comparator.cjs"))
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the comparator script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: BTreeMap<String, Value> = serde_json::from_slice(&output.stdout).unwrap();
    results
        .into_iter()
        .map(|(name, found)| {
            let found = found
                .as_array()
                .unwrap_or_else(|| panic!("the comparator could not check {name}: {found}"));
            let codes = found
                .iter()
                .map(|r| {
                    (
                        r["interaction"].as_u64().expect("an interaction index") as usize,
                        r["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (name, codes)
        })
        .collect()
}

#[test]
fn pactum_agrees_with_pactflows_comparator() {
    let cases: Vec<Case> = cases().iter().map(|d| load(d)).collect();
    assert!(cases.len() >= 5, "the corpus is in tests/openapi/cases");
    let Some(dir) = openapi_comparator() else {
        return;
    };
    let theirs = comparator_codes(&dir, &cases);
    let mut disagreements = BTreeSet::new();
    let mut all_codes = BTreeSet::new();
    let mut interactions = 0;
    for case in &cases {
        interactions += case.pact.interactions.len();
        let ours = pactum_codes(case);
        let reference = &theirs[&case.name];
        all_codes.extend(reference.iter().map(|(_, c)| c.clone()));
        for (i, code) in ours.difference(reference) {
            disagreements.insert((case.name.clone(), *i, code.clone(), Side::Pactum));
        }
        for (i, code) in reference.difference(&ours) {
            disagreements.insert((case.name.clone(), *i, code.clone(), Side::Comparator));
        }
    }
    let listed: BTreeSet<(String, usize, String, Side)> = DEVIATIONS
        .iter()
        .map(|(case, i, code, side, _)| (case.to_string(), *i, code.to_string(), *side))
        .collect();
    let unexplained: Vec<_> = disagreements.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&disagreements).collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "disagreements with the comparator not in DEVIATIONS: {unexplained:#?}\n\
         listed in DEVIATIONS but no longer occurring: {stale:#?}"
    );
    // The corpus must exercise most of what the comparator can say, or agreement means little.
    assert!(interactions >= 60, "{interactions} interactions");
    assert!(
        all_codes.len() >= 18,
        "the corpus only produces {all_codes:?}"
    );
}

/// pactum's own verdicts on a few corpus interactions, checked without the comparator, with
/// their locations on both sides.
#[test]
fn findings_name_the_field_on_both_sides() {
    let case = load(&repo_path("tests/openapi/cases/items-30"));
    let result = case.document.cross_check(&case.pact);
    assert!(!result.success());
    let find = |description: &str, code: Code| {
        result
            .findings
            .iter()
            .find(|f| f.description == description && f.code == code)
            .unwrap_or_else(|| panic!("no {code} for '{description}' in {:#?}", result.findings))
    };
    let extra = find(
        "list items expecting a field the provider does not have",
        Code::ResponseBodyIncompatible,
    );
    assert_eq!(
        extra.contract_location,
        "[root].interactions[2].response.body.items[0].rating"
    );
    assert_eq!(
        extra.document_location,
        "[root].components.schemas.Item.additionalProperties"
    );
    assert_eq!(extra.operation.as_deref(), Some("GET /items"));
    assert_eq!(extra.severity, Severity::Error);
    let wrong_type = find("wrong type in the response", Code::ResponseBodyIncompatible);
    assert_eq!(
        wrong_type.contract_location,
        "[root].interactions[6].response.body.id"
    );
    assert_eq!(
        wrong_type.document_location,
        "[root].components.schemas.Item.properties.id.type"
    );
    let subset = "list items with a subset of fields";
    assert!(
        result.findings.iter().all(|f| f.description != subset),
        "a subset of the response is compatible"
    );
}

#[test]
fn unreadable_documents_say_where() {
    let broken = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Missing'\n";
    let err = Document::from_bytes(broken).unwrap_err().to_string();
    assert_eq!(
        err,
        "[root].paths./a.get.responses.200.$ref: $ref '#/components/responses/Missing' does not resolve"
    );
    let not_yaml = b"openapi: 3.0.3\npaths: [\n";
    assert!(
        Document::from_bytes(not_yaml)
            .unwrap_err()
            .to_string()
            .starts_with("line ")
    );
    let bad_schema = br#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": 12}}}}}}}}}"#;
    let document = Document::from_bytes(bad_schema).unwrap();
    let err = document.compile_all().unwrap_err().to_string();
    assert!(
        err.starts_with(
            "[root].paths./a.get.responses.200.content.application/json.schema: invalid schema"
        ),
        "{err}"
    );
}

mod cli {
    use super::*;
    use crate::support::{ScratchDir, pactum, snapshot_filters, stdout};

    fn case_file(case: &str, file: &str) -> String {
        repo_path(&format!("tests/openapi/cases/{case}/{file}"))
            .display()
            .to_string()
    }

    #[test]
    fn check_prints_each_finding_and_fails_on_errors() {
        let out = pactum(&[
            "openapi-check",
            &case_file("security-30", "openapi.yaml"),
            &case_file("security-30", "pact.json"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", crate::support::text(&out));
        let _filters = snapshot_filters();
        let text = stdout(&out).replace(&repo_path("").display().to_string(), "<repo>/");
        insta::assert_snapshot!("openapi_check_table", text);
    }

    #[test]
    fn check_json_and_a_compatible_contract() {
        let dir = ScratchDir::new("openapi-check");
        let pact = dir.write(
            "pact.json",
            serde_json::to_vec(&json!({
                "consumer": {"name": "app"}, "provider": {"name": "secure"},
                "interactions": [{"description": "public", "request": {"method": "GET", "path": "/public"}, "response": {"status": 200}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}}
            }))
            .unwrap(),
        );
        let out = pactum(&[
            "openapi-check",
            &case_file("security-30", "openapi.yaml"),
            &pact.display().to_string(),
            "--output",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", crate::support::text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(report["success"], true);
        assert_eq!(report["contracts"][0]["result"]["interactionsChecked"], 1);
        assert_eq!(report["contracts"][0]["result"]["findings"], json!([]));
    }

    #[test]
    fn check_names_where_a_document_is_broken() {
        let dir = ScratchDir::new("openapi-broken");
        let document = dir.write("openapi.yaml", "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/nowhere'}\n");
        let out = pactum(&[
            "openapi-check",
            &document.display().to_string(),
            &case_file("items-30", "pact.json"),
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = crate::support::stderr(&out);
        assert!(err.contains("openapi.yaml: [root].paths./a.get.responses.200.$ref: $ref '#/nowhere' does not resolve"), "{err}");
    }

    /// A breaking change is used when a consumer's interaction relies on it, and unused
    /// otherwise; the exit code is 0 only when nothing used breaks.
    #[test]
    fn diff_names_the_consumers_a_breaking_change_affects() {
        let dir = ScratchDir::new("openapi-diff");
        let old = std::fs::read_to_string(case_file("items-30", "openapi.yaml")).unwrap();
        // `price` is removed from Item (the first interaction expects it); the 404 of GET
        // /items/{id} is removed (no interaction expects it).
        let new = old
            .replace(
                "        price: {type: number, minimum: 0, exclusiveMinimum: true}\n",
                "",
            )
            .replace("        404:\n          description: no such item\n", "");
        assert_ne!(old, new);
        let new_file = dir.write("new.yaml", new);
        let consumer = dir.write(
            "pact.json",
            serde_json::to_vec(&json!({
                "consumer": {"name": "web"}, "provider": {"name": "items"},
                "interactions": [{"description": "one item with its price", "request": {"method": "GET", "path": "/items/1"},
                    "response": {"status": 200, "body": {"id": 1, "name": "x", "price": 2}}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}}
            }))
            .unwrap(),
        );
        let out = pactum(&[
            "openapi-diff",
            &case_file("items-30", "openapi.yaml"),
            &new_file.display().to_string(),
            "--pact",
            &consumer.display().to_string(),
            "--output",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", crate::support::text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let changes = report["changes"].as_array().unwrap();
        let verdict = |kind: &str, operation: &str| {
            changes
                .iter()
                .find(|c| c["change"]["kind"] == kind && c["change"]["operation"] == operation)
                .unwrap_or_else(|| panic!("no {kind} on {operation} in {changes:#?}"))
        };
        let removed = verdict("response.field.removed", "GET /items/{id}");
        assert_eq!(removed["verdict"], "breaking, USED");
        assert_eq!(
            removed["reliedOnBy"],
            json!(["web: one item with its price"])
        );
        let status = verdict("response.status.removed", "GET /items/{id}");
        assert_eq!(status["verdict"], "breaking, unused");

        // Without the consumer that relies on `price`, nothing used breaks.
        let unrelated = dir.write(
            "other.json",
            serde_json::to_vec(&json!({
                "consumer": {"name": "admin"}, "provider": {"name": "items"},
                "interactions": [{"description": "delete", "request": {"method": "DELETE", "path": "/items/1"}, "response": {"status": 204}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}}
            }))
            .unwrap(),
        );
        let out = pactum(&[
            "openapi-diff",
            &case_file("items-30", "openapi.yaml"),
            &new_file.display().to_string(),
            "--pact",
            &unrelated.display().to_string(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", crate::support::text(&out));
        assert!(stdout(&out).contains("none relied on by the given contracts: safe to ship"));
    }

    #[test]
    fn coverage_shows_what_no_consumer_uses() {
        let out = pactum(&[
            "openapi-coverage",
            &case_file("security-30", "openapi.yaml"),
            &case_file("security-30", "pact.json"),
            "--output",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", crate::support::text(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let me = report["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == "GET /me")
            .unwrap();
        assert_eq!(me["usedBy"], json!(["app"]));
        let statuses: Vec<(&str, usize)> = me["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["status"].as_str().unwrap(),
                    s["usedBy"].as_array().unwrap().len(),
                )
            })
            .collect();
        assert_eq!(statuses, vec![("200", 1), ("401", 1)]);
        let name = &me["statuses"][0]["fields"][0];
        assert_eq!(name["field"], "name");
        assert_eq!(name["usedBy"], json!(["app"]));
    }
}
