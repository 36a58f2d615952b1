//! The integrations page (`/`): every consumer → provider pair with its latest contract, the
//! newest verification of it, where each side is deployed or released and how the pair's
//! webhooks fare, filtered by name, branch or environment, a page at a time. A page costs three
//! statements whatever its rows: the rows, the placements of their pacticipants, the
//! environments for the filter.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::Uri;
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    Page, PageResult, Section, layout, pacticipant_link, page_href, query, query_value, text, when,
};
use crate::AppState;
use crate::base_url::Base;
use crate::store::{IntegrationFilter, IntegrationOverview, Placement, WebhookOutcome};

/// Rows per page.
const PAGE_SIZE: usize = 50;

/// The page's query: the filters, and where the page starts.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    /// The consumer and provider of the last row of the previous page.
    #[serde(default)]
    after_consumer: Option<String>,
    #[serde(default)]
    after_provider: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// What a row's status cell says: its class suffix and its words.
pub(super) fn status(row: &IntegrationOverview) -> (&'static str, &'static str) {
    match (&row.verification, row.verified_before) {
        (Some(v), _) if v.success => ("verified", "verified"),
        (Some(_), _) => ("failed", "failed"),
        (None, true) => ("pending", "not yet verified (changed since last verified)"),
        (None, false) => ("never", "never verified"),
    }
}

pub(super) async fn page(State(state): State<AppState>, Base(base): Base, uri: Uri) -> PageResult {
    let filters: Filters = query(&uri)?;
    let filter = IntegrationFilter {
        name: given(&filters.q),
        branch: given(&filters.branch),
        environment: given(&filters.environment),
        after: filters
            .after_consumer
            .clone()
            .zip(filters.after_provider.clone()),
    };
    // One more than a page tells whether there is a next one.
    let mut rows = state
        .store
        .integrations_overview(&filter, PAGE_SIZE + 1)
        .await?;
    let more = rows.len() > PAGE_SIZE;
    rows.truncate(PAGE_SIZE);
    let names: Vec<String> = rows
        .iter()
        .flat_map(|row| [row.consumer.clone(), row.provider.clone()])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let placements = if names.is_empty() {
        Vec::new()
    } else {
        state.store.current_placements(Some(&names)).await?
    };
    let mut placed: BTreeMap<&str, Vec<&Placement>> = BTreeMap::new();
    for placement in &placements {
        placed
            .entry(placement.pacticipant.as_str())
            .or_default()
            .push(placement);
    }
    let environments = state.store.all_environments().await?;
    let filtered_query = {
        let mut query = String::new();
        for (name, value) in [
            ("q", &filter.name),
            ("branch", &filter.branch),
            ("environment", &filter.environment),
        ] {
            if let Some(value) = value {
                query.push_str(&format!("{name}={}&", query_value(value)));
            }
        }
        query
    };
    let next = rows.last().filter(|_| more).map(|last| {
        format!(
            "{base}/?{filtered_query}after_consumer={}&after_provider={}",
            query_value(&last.consumer),
            query_value(&last.provider)
        )
    });
    let body = html! {
        form class="filters" method="get" action={ (base) "/" } role="search" {
            label { "Name contains"
                input type="search" name="q" value=[filter.name.as_deref()];
            }
            label { "Consumer branch"
                input type="text" name="branch" value=[filter.branch.as_deref()];
            }
            label { "Deployed to"
                select name="environment" {
                    option value="" { "any environment" }
                    @for env in &environments {
                        @if filter.environment.as_deref() == Some(env.name.as_str()) {
                            option value=(env.name) selected { (env.name) }
                        } @else {
                            option value=(env.name) { (env.name) }
                        }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
        @if rows.is_empty() {
            p { "No integrations"
                @if filter.after.is_some() { " on this page" }
                @if filter.name.is_some() || filter.branch.is_some() || filter.environment.is_some() {
                    " match these filters"
                }
                ". A consumer's first published contract creates its integration." }
        } @else {
            div class="table-scroll" {
                table id="integrations" {
                    caption class="muted" { "Latest contract of each consumer → provider pair, the newest verification of it, where each side is deployed or released, and the newest webhook delivery for the pair" }
                    thead { tr {
                        th scope="col" { "Consumer" }
                        th scope="col" { "Provider" }
                        th scope="col" { "Latest contract" }
                        th scope="col" { "Published" }
                        th scope="col" { "Webhooks" }
                        th scope="col" { "Status" }
                        th scope="col" { "Verified by" }
                    } }
                    tbody {
                        @for row in &rows { (integration_row(&base, row, &placed)) }
                    }
                }
            }
        }
        nav class="pagination" aria-label="Pages" {
            @if filter.after.is_some() {
                a href={ (base) "/?" (filtered_query) } { "First page" }
            }
            @if let Some(next) = &next {
                a href=(next) rel="next" { "Next page" }
            }
        }
    };
    Ok(Page(layout(
        &base,
        Section::Integrations,
        "Integrations",
        body,
    )))
}

/// Where a pacticipant is deployed or released, one line per environment and version
/// ("production 2.0.0"); nothing when nowhere.
fn placements(of: Option<&Vec<&Placement>>) -> Markup {
    html! {
        @if let Some(of) = of {
            ul class="placements" {
                @for placement in of {
                    li data-environment=(placement.environment) {
                        (text(&placement.environment)) " " (text(&placement.version))
                        @if placement.released { " " span class="muted" { "(released)" } }
                    }
                }
            }
        }
    }
}

/// What a row's webhook cell says: its class suffix and its words.
fn webhook_status(outcome: Option<WebhookOutcome>) -> (&'static str, &'static str) {
    match outcome {
        Some(WebhookOutcome::Delivered) => ("delivered", "delivered"),
        Some(WebhookOutcome::Failing) => ("failing", "failing"),
        None => ("none", "none"),
    }
}

fn integration_row(
    base: &str,
    row: &IntegrationOverview,
    placed: &BTreeMap<&str, Vec<&Placement>>,
) -> Markup {
    let (kind, words) = status(row);
    let (webhook_kind, webhook_words) = webhook_status(row.webhook);
    html! {
        tr data-consumer=(row.consumer) data-provider=(row.provider) {
            td class="consumer" {
                (pacticipant_link(base, &row.consumer))
                (placements(placed.get(row.consumer.as_str())))
            }
            td class="provider" {
                (pacticipant_link(base, &row.provider))
                (placements(placed.get(row.provider.as_str())))
            }
            @if let Some(contract) = &row.contract {
                td {
                    a href=(page_href(base, &["pacts", "provider", &row.provider, "consumer", &row.consumer, "version", &contract.consumer_version])) {
                        (text(&contract.consumer_version))
                    }
                    @if let Some(branch) = &contract.branch {
                        " " span class="muted" { "on " (text(branch)) }
                    }
                }
                td { (when(contract.created_at)) }
            } @else {
                td class="muted" { "none" }
                td {}
            }
            td class={ "webhook webhook-" (webhook_kind) } { (webhook_words) }
            td class={ "status status-" (kind) } { (words) }
            @if let (Some(verification), Some(contract)) = (&row.verification, &row.contract) {
                td {
                    a href=(page_href(base, &["pacts", "provider", &row.provider, "consumer", &row.consumer, "pact-version", &contract.sha, "verification-results", &verification.id.to_string()])) {
                        (text(&verification.provider_version))
                    }
                    " " span class="muted" { (when(verification.created_at)) }
                }
            } @else {
                td {}
            }
        }
    }
}
