//! The verification result page: per interaction passed or failed, each mismatch with its
//! location, expected and actual values and the rule that decided — the content `pactum verify`
//! prints, from the results the verifier published. Results from other verifiers are read in
//! their shapes too (a list of per-interaction results, or the Ruby verifier's `tests`).

use std::collections::HashMap;

use axum::extract::{Path, State};
use maud::{Markup, html};
use serde_json::Value;

use super::{
    Page, PageError, PageResult, Section, external_link, layout, pacticipant_link, page_href, text,
    when,
};
use crate::AppState;
use crate::base_url::Base;
use crate::store::PactRef;

/// One interaction's result, read from whichever verifier published it.
struct InteractionResult {
    description: String,
    success: bool,
    mismatches: Vec<MismatchShown>,
    errors: Vec<String>,
}

struct MismatchShown {
    location: Option<String>,
    expected: Option<String>,
    actual: Option<String>,
    rule: Option<String>,
    description: Option<String>,
}

fn member(value: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match value.get(*name)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })
}

/// The per-interaction results in `test_results`; `descriptions` names interactions that a
/// result gives only by id.
fn read_results(
    test_results: &Value,
    descriptions: &HashMap<String, String>,
) -> Vec<InteractionResult> {
    let items = match test_results {
        Value::Array(items) => items.as_slice(),
        Value::Object(object) => object
            .get("tests")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default(),
        _ => &[],
    };
    items
        .iter()
        .map(|item| {
            let description = member(
                item,
                &["interactionDescription", "testDescription", "description"],
            )
            .or_else(|| {
                member(item, &["interactionId"])
                    .map(|id| descriptions.get(&id).cloned().unwrap_or(id))
            })
            .unwrap_or_else(|| "(an interaction the result does not name)".into());
            let success = match (item.get("success"), item.get("status")) {
                (Some(Value::Bool(success)), _) => *success,
                (_, Some(Value::String(status))) => status == "passed",
                _ => false,
            };
            let mismatches = item
                .get("mismatches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|m| MismatchShown {
                    location: member(m, &["identifier", "path", "location"]),
                    expected: member(m, &["expected"]),
                    actual: member(m, &["actual"]),
                    rule: member(m, &["rule", "matcher"]),
                    description: member(m, &["description", "mismatch", "message"]),
                })
                .collect();
            let mut errors: Vec<String> = item
                .get("exceptions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| member(e, &["message"]))
                .collect();
            errors.extend(member(item, &["exception"]));
            InteractionResult {
                description,
                success,
                mismatches,
                errors,
            }
        })
        .collect()
}

pub(super) async fn page(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, id)): Path<(String, String, String, String)>,
) -> PageResult {
    let missing = || {
        PageError::not_found(format!(
            "No verification result {id} of the contract {sha} between {c} and {p}."
        ))
    };
    let verification = if id == "latest" {
        state.store.latest_verification(&p, &c, &sha).await?
    } else {
        let number: i64 = id.parse().map_err(|_| missing())?;
        state.store.verification(number).await?
    }
    .filter(|v| v.provider == p && v.consumer == c && v.sha == sha)
    .ok_or_else(missing)?;
    // Interaction ids → descriptions, for verifiers that publish only ids.
    let descriptions: HashMap<String, String> =
        match state.store.pact(&p, &c, PactRef::Sha(&sha)).await? {
            Some(pact) => serde_json::from_str::<Value>(&pact.content)
                .ok()
                .map(|content| {
                    ["interactions", "messages"]
                        .iter()
                        .filter_map(|key| content.get(*key).and_then(Value::as_array))
                        .flatten()
                        .filter_map(|i| {
                            Some((member(i, &["_id", "key"])?, member(i, &["description"])?))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            None => HashMap::new(),
        };
    let results = verification
        .test_results
        .as_ref()
        .map(|r| read_results(r, &descriptions))
        .unwrap_or_default();
    let failed = results.iter().filter(|r| !r.success).count();
    let contract_href = page_href(
        &base,
        &[
            "pacts",
            "provider",
            &p,
            "consumer",
            &c,
            "pact-version",
            &sha,
        ],
    );
    let (kind, words) = if verification.success {
        ("verified", "passed")
    } else {
        ("failed", "failed")
    };
    let body = html! {
        dl class="fields" {
            dt { "Outcome" } dd { span class={ "status status-" (kind) } { (words) } }
            dt { "Provider" } dd { (pacticipant_link(&base, &p)) " version " (text(&verification.provider_version)) }
            dt { "Consumer" } dd { (pacticipant_link(&base, &c)) }
            dt { "Contract" } dd { a href=(contract_href) { code { (sha) } } }
            dt { "Published" } dd { (when(verification.created_at)) }
            @if let Some(build_url) = &verification.build_url {
                dt { "Build" } dd { (external_link(build_url)) }
            }
            @if let Some(verified_by) = &verification.verified_by {
                dt { "Verified by" } dd {
                    (text(&[member(verified_by, &["implementation"]), member(verified_by, &["version"])]
                        .into_iter().flatten().collect::<Vec<_>>().join(" ")))
                }
            }
        }
        @if results.is_empty() {
            p class="muted" { "The verifier published no per-interaction results." }
        } @else {
            p { (results.len()) " interactions, " (failed) " failed." }
            @for result in &results { (result_section(result)) }
        }
    };
    let title = format!("Verification: {p} {} of {c}", verification.provider_version);
    Ok(Page(layout(&base, Section::Integrations, &title, body)))
}

fn result_section(result: &InteractionResult) -> Markup {
    let (class, words) = if result.success {
        ("result result-passed", "passed")
    } else {
        ("result result-failed", "failed")
    };
    html! {
        section class=(class) {
            h2 { (text(&result.description)) }
            span class="result-label" { (words) }
            @if !result.mismatches.is_empty() {
                ul class="mismatches" {
                    @for m in &result.mismatches { (mismatch(m)) }
                }
            }
            @for error in &result.errors {
                p class="error" { "Error: " (text(error)) }
            }
        }
    }
}

fn mismatch(m: &MismatchShown) -> Markup {
    html! {
        li class="mismatch" {
            dl class="fields" {
                @if let Some(location) = &m.location { dt { "Location" } dd { code class="location" { (text(location)) } } }
                @if let Some(expected) = &m.expected { dt { "Expected" } dd { code class="expected" { (text(expected)) } } }
                @if let Some(actual) = &m.actual { dt { "Actual" } dd { code class="actual" { (text(actual)) } } }
                @if let Some(rule) = &m.rule { dt { "Rule" } dd { span class="rule" { (text(rule)) } } }
                @if let Some(description) = &m.description { dt { "Mismatch" } dd { (text(description)) } }
            }
        }
    }
}
