//! The cross-check page (`/cross-checks/provider/{p}/version/{v}` for browsers): a provider
//! version's OpenAPI document checked against each consumer contract — passed, failed or being
//! computed — with every finding: its comparator code, the interaction, where in the contract
//! and where in the document. The same reads as the API resource of that URL. Links to the
//! document's coverage page (`coverage.rs`).

use axum::extract::{Path, State};
use maud::{Markup, html};
use pactum_openapi::{Finding, Severity};

use super::{
    Page, PageError, PageResult, Section, layout, pacticipant_link, page_href, text, when,
};
use crate::AppState;
use crate::base_url::Base;
use crate::store::{ConsumerCrossCheck, CrossCheckOutcome};

pub(super) async fn page(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
) -> PageResult {
    let found = state
        .store
        .provider_version_cross_checks(&provider, &version, None)
        .await?
        .ok_or_else(|| {
            PageError::not_found(format!(
                "Version {version} of {provider} published no OpenAPI document; publish one \
                 with pactum publish-provider-contract."
            ))
        })?;
    let contract = &found.contract;
    let body = html! {
        dl class="fields" {
            dt { "Provider" } dd { (pacticipant_link(&base, &provider)) " version " (text(&version)) }
            dt { "OpenAPI document" } dd {
                @match &contract.sha {
                    Some(sha) => code { (sha) },
                    None => span class="muted" { "not hashed yet" },
                }
                " " span class="muted" { "published " (when(contract.created_at)) }
            }
            dt { "Self-verification" } dd {
                @if contract.self_verified {
                    span class="status status-verified" { "passed" }
                } @else {
                    span class="status status-failed" { "failed" }
                }
                @if let Some(verifier) = &contract.verifier { " by " (text(verifier)) }
            }
            dt { "Coverage" } dd {
                a id="coverage" href=(page_href(&base, &["cross-checks", "provider", &provider, "version", &version, "coverage"])) {
                    "what of the document the consumers use"
                }
            }
        }
        @if found.checks.is_empty() {
            p class="muted" { "No consumer contract with " (text(&provider)) " has been checked against this document yet." }
        }
        @for check in &found.checks {
            (consumer_check(&base, &provider, check))
        }
    };
    let title = format!("Cross-checks: {provider} {version}");
    Ok(Page(layout(&base, Section::Integrations, &title, body)))
}

/// What a cross-check's status says: its class suffix and its words.
fn outcome_status(outcome: Option<&CrossCheckOutcome>) -> (&'static str, &'static str) {
    match outcome {
        Some(done) if done.success => ("verified", "passed"),
        Some(_) => ("failed", "failed"),
        None => ("pending", "being computed"),
    }
}

fn consumer_check(base: &str, provider: &str, check: &ConsumerCrossCheck) -> Markup {
    let outcome = check.record.outcome.as_ref();
    let (kind, words) = outcome_status(outcome);
    html! {
        section class="cross-check" data-consumer=(check.consumer) {
            h2 { (text(&check.consumer)) " "
                span class={ "status status-" (kind) } { (words) } }
            p {
                "Contract "
                a href=(page_href(base, &["pacts", "provider", provider, "consumer", &check.consumer, "pact-version", &check.record.pact_sha])) {
                    code { (check.record.pact_sha) }
                }
                @if !check.consumer_versions.is_empty() {
                    ", published by " (pacticipant_link(base, &check.consumer)) " "
                    @for (n, version) in check.consumer_versions.iter().enumerate() {
                        @if n > 0 { ", " }
                        (text(version))
                    }
                }
                "."
            }
            @if let Some(done) = outcome {
                @if let Some(error) = &done.error {
                    p class="error" { "The check could not run: " (text(error)) }
                }
                p class="muted" {
                    (done.result.interactions_checked) " HTTP interactions checked"
                    @if done.result.interactions_skipped > 0 {
                        ", " (done.result.interactions_skipped) " message interactions skipped"
                    }
                    ", computed " (when(done.computed_at)) "."
                }
                @if !done.result.findings.is_empty() {
                    div class="table-scroll" {
                        table class="findings" {
                            thead { tr {
                                th scope="col" { "Severity" }
                                th scope="col" { "Code" }
                                th scope="col" { "Interaction" }
                                th scope="col" { "In the contract" }
                                th scope="col" { "In the document" }
                                th scope="col" { "What" }
                            } }
                            tbody {
                                @for finding in &done.result.findings { (finding_row(finding)) }
                            }
                        }
                    }
                }
            } @else {
                p class="muted" { "The broker is computing this check; reload the page in a moment." }
            }
        }
    }
}

fn finding_row(finding: &Finding) -> Markup {
    let severity = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    html! {
        tr class={ "finding finding-" (severity) } {
            td { (severity) }
            td { code class="code" { (finding.code.as_str()) } }
            td {
                (finding.interaction) ": " (text(&finding.description))
                @if !finding.provider_state.is_empty() {
                    " " span class="muted" { "given " (text(&finding.provider_state)) }
                }
                @if let Some(operation) = &finding.operation {
                    br; span class="muted" { "→ " (text(operation)) }
                }
            }
            td { code { (text(&finding.contract_location)) } }
            td { code { (text(&finding.document_location)) } }
            td { (text(&finding.message)) }
        }
    }
}
