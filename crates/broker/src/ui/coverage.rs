//! The coverage page (`/cross-checks/provider/{p}/version/{v}/coverage` for browsers): which
//! operations, parameters, request fields, response statuses and response fields of a provider
//! version's OpenAPI document the consumer contracts cross-checked against it rely on — each
//! part with the consumers using it, or marked free to change — and the interactions no
//! operation serves. The same computation as the API resource of that URL.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use maud::{Markup, html};
use pactum_openapi::coverage::{FieldCoverage, OperationCoverage};

use super::{Page, PageError, PageResult, Section, layout, pacticipant_link, page_href, text};
use crate::AppState;
use crate::base_url::Base;
use crate::coverage::{CoverageError, provider_version_coverage};

pub(super) async fn page(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
) -> PageResult {
    let found = provider_version_coverage(&state.store, &provider, &version)
        .await
        .map_err(|error| match error {
            CoverageError::Store(error) => PageError::from(error),
            CoverageError::NoDocument { .. } => PageError::not_found(format!(
                "Version {version} of {provider} published no OpenAPI document; publish one \
                 with pactum publish-provider-contract."
            )),
            CoverageError::Unreadable { .. } => {
                PageError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
        })?;
    let coverage = &found.coverage;
    let [operations, statuses, fields] = coverage.totals();
    let cross_checks = page_href(
        &base,
        &["cross-checks", "provider", &provider, "version", &version],
    );
    let body = html! {
        p {
            "What of " (pacticipant_link(&base, &provider)) " version " (text(&version))
            "'s OpenAPI document the consumer contracts "
            a href=(cross_checks) { "cross-checked against it" }
            " rely on. What no consumer uses is free to change."
        }
        dl class="fields" id="totals" {
            dt { "Operations" } dd data-total="operations" { (used_of_all(operations)) }
            dt { "Response statuses" } dd data-total="statuses" { (used_of_all(statuses)) }
            dt { "Body fields" } dd data-total="fields" { (used_of_all(fields)) }
            dt { "Consumer contracts" } dd {
                @if found.contracts.is_empty() {
                    span class="muted" { "none checked against this document yet" }
                }
                @for (n, contract) in found.contracts.iter().enumerate() {
                    @if n > 0 { ", " }
                    a href=(page_href(&base, &["pacts", "provider", &provider, "consumer", &contract.consumer, "pact-version", &contract.pact_sha])) {
                        (text(&contract.consumer))
                    }
                    @if let Some(error) = &contract.error {
                        " " span class="error" { "(left out: " (text(error)) ")" }
                    }
                }
            }
        }
        @for operation in &coverage.operations {
            (operation_section(operation))
        }
        @if !coverage.unrouted.is_empty() {
            section id="unrouted" {
                h2 { "Interactions no operation serves" }
                p class="muted" {
                    "These interactions call something the document does not describe; their cross-checks name them."
                }
                ul {
                    @for interaction in &coverage.unrouted {
                        li { (text(interaction)) }
                    }
                }
            }
        }
    };
    let title = format!("Coverage: {provider} {version}");
    Ok(Page(layout(&base, Section::Integrations, &title, body)))
}

/// `3 of 5 used`.
fn used_of_all((used, all): (usize, usize)) -> Markup {
    html! { (used) " of " (all) " used" }
}

/// Who uses a part, or that nobody does.
fn used_by(consumers: &[String]) -> Markup {
    html! {
        @if consumers.is_empty() {
            span class="usage usage-unused" { "unused — free to change" }
        } @else {
            span class="usage usage-used" {
                "used by "
                @for (n, consumer) in consumers.iter().enumerate() {
                    @if n > 0 { ", " }
                    span class="consumer" { (text(consumer)) }
                }
            }
        }
    }
}

fn operation_section(operation: &OperationCoverage) -> Markup {
    let state = if operation.used_by.is_empty() {
        "unused"
    } else {
        "used"
    };
    html! {
        section class={ "operation operation-" (state) } data-operation=(operation.operation) {
            h2 { code { (text(&operation.operation)) } " " (used_by(&operation.used_by)) }
            div class="table-scroll" {
                table class="coverage" {
                    thead { tr {
                        th scope="col" { "Part" }
                        th scope="col" { "Name" }
                        th scope="col" { "Used by" }
                    } }
                    tbody {
                        @for parameter in &operation.parameters {
                            tr class="part" data-part="parameter" {
                                td { (parameter.location) " parameter" }
                                td { code { (text(&parameter.name)) } }
                                td { (used_by(&parameter.used_by)) }
                            }
                        }
                        @for field in &operation.request_fields {
                            (field_row("request field", None, field))
                        }
                        @for status in &operation.statuses {
                            tr class="part" data-part="status" data-status=(status.status) {
                                td { "response status" }
                                td { code { (text(&status.status)) } }
                                td { (used_by(&status.used_by)) }
                            }
                            @for field in &status.fields {
                                (field_row("response field", Some(&status.status), field))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn field_row(kind: &str, status: Option<&str>, field: &FieldCoverage) -> Markup {
    let part = if status.is_some() {
        "response-field"
    } else {
        "request-field"
    };
    html! {
        tr class="part" data-part=(part) data-field=(field.field) {
            td {
                (kind)
                @if let Some(status) = status { " (" (text(status)) ")" }
            }
            td { code { (text(&field.field)) } }
            td { (used_by(&field.used_by)) }
        }
    }
}
