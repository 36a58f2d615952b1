//! The webhooks page (`/webhooks` for browsers): each webhook — what it listens for, for whom,
//! where it sends — with its recent deliveries and every attempt of each. A delivery's status
//! is its own (success, retrying, failure, not run), so a webhook deleted since, or one that
//! failed once and then succeeded, reads as what happened.

use axum::extract::State;
use maud::{Markup, html};

use super::{Page, PageResult, Section, layout, text, when};
use crate::AppState;
use crate::base_url::Base;
use crate::store::{DeliveryRecord, Scope, StoredAttempt, WebhookFilter};

/// Deliveries shown per webhook (the newest).
const DELIVERIES_SHOWN: usize = 10;

pub(super) async fn page(State(state): State<AppState>, Base(base): Base) -> PageResult {
    let webhooks = state.store.webhooks(WebhookFilter::All).await?;
    let mut sections = Vec::with_capacity(webhooks.len());
    for webhook in &webhooks {
        let deliveries = state
            .store
            .recent_deliveries(&webhook.uuid, DELIVERIES_SHOWN)
            .await?;
        let fields = &webhook.fields;
        let title = fields
            .description
            .clone()
            .unwrap_or_else(|| format!("Webhook {}", webhook.uuid));
        sections.push(html! {
            section class="webhook" {
                h2 { (text(&title)) }
                dl class="fields" {
                    dt { "Id" } dd { code { (webhook.uuid) } }
                    dt { "Enabled" } dd { (if fields.enabled { "yes" } else { "no: it does not fire" }) }
                    dt { "Events" } dd { (text(&fields.events.join(", "))) }
                    dt { "Consumer" } dd { (scope(fields.consumer.as_ref())) }
                    dt { "Provider" } dd { (scope(fields.provider.as_ref())) }
                    dt { "Sends" } dd { code { (text(&fields.request.method)) " " (text(&fields.request.url)) } }
                    dt { "Updated" } dd { (when(webhook.updated_at)) }
                }
                @if deliveries.is_empty() {
                    p class="muted" { "Not triggered yet." }
                } @else {
                    h3 { "Recent deliveries" }
                    (delivery_table(&deliveries))
                }
            }
        });
    }
    let body = html! {
        @if webhooks.is_empty() {
            p { "No webhooks. Create one with " code { "pactum create-webhook" } "." }
        }
        @for section in sections { (section) }
    };
    Ok(Page(layout(&base, Section::Webhooks, "Webhooks", body)))
}

fn scope(scope: Option<&Scope>) -> Markup {
    html! {
        @match scope {
            None => "every one",
            Some(Scope::Name(name)) => (text(name)),
            Some(Scope::Label(label)) => { "any with the label " (text(label)) },
        }
    }
}

fn delivery_table(deliveries: &[(DeliveryRecord, Vec<StoredAttempt>)]) -> Markup {
    html! {
        div class="table-scroll" {
            table class="deliveries" {
                thead { tr {
                    th scope="col" { "Triggered" }
                    th scope="col" { "Event" }
                    th scope="col" { "Between" }
                    th scope="col" { "Status" }
                    th scope="col" { "Attempts" }
                } }
                tbody {
                    @for (delivery, attempts) in deliveries {
                        tr {
                            td { (when(delivery.created_at)) }
                            td { (text(&delivery.event_name))
                                @if delivery.trigger_type == "user" { " (test run)" } }
                            td { (text(&delivery.consumer)) " → " (text(&delivery.provider)) }
                            td { span class={ "delivery-status delivery-" (status_class(&delivery.status)) } { (status_words(&delivery.status)) } }
                            td {
                                @if attempts.is_empty() { span class="muted" { "none yet" } }
                                ol class="attempts" {
                                    @for attempt in attempts {
                                        li {
                                            (when(attempt.record.started_at)) ": "
                                            @if attempt.record.success { "succeeded" } @else { "failed" }
                                            @if let Some(status) = attempt.record.response_status { ", HTTP " (status) }
                                            @if let Some(error) = &attempt.record.error { ", " (text(error)) }
                                            " (" (attempt.record.duration_ms) " ms)"
                                            @if !attempt.record.logs.is_empty() {
                                                details { summary { "Log" } pre { (text(&attempt.record.logs)) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "success" => "success",
        "failure" => "failure",
        "retrying" => "retrying",
        _ => "not_run",
    }
}

fn status_words(status: &str) -> &'static str {
    match status {
        "success" => "delivered",
        "failure" => "failed (gave up)",
        "retrying" => "failed, will retry",
        _ => "not attempted yet",
    }
}
