//! Webhooks: the webhook resource and the body that creates or replaces one, the lists of
//! webhooks, the status of a pact's triggered webhooks, a delivery's logs, and the answer of a
//! test execution (`POST /webhooks/{uuid}/execute`, `POST /webhooks/execute`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hal::Link;

/// Every event a webhook can be triggered by, in the Pact Broker's spelling.
pub const EVENT_NAMES: &[&str] = &[
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
];

/// The event a webhook created without `events` is triggered by.
pub const DEFAULT_EVENT: &str = "contract_content_changed";

/// What credentials are shown as in every resource.
pub const REDACTED: &str = "**********";

/// Whether `text` can be a webhook's id (the Pact Broker's rule): 16 to 64 ASCII letters,
/// digits, `-` or `_` — a UUID is one.
pub fn is_webhook_id(text: &str) -> bool {
    (16..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Which consumer or provider a webhook is for: one pacticipant by name, or every pacticipant
/// with a label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookPacticipant {
    /// The pacticipant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A label of pacticipants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An event a webhook is triggered by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookEvent {
    /// One of [`EVENT_NAMES`].
    pub name: String,
}

/// The request a webhook sends, with `${pactbroker.X}` and `${user.X}` placeholders.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookRequest {
    /// The HTTP method.
    pub method: String,
    /// The URL (placeholders allowed, but not in the host).
    pub url: String,
    /// Headers to send.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body: JSON, or text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Basic authentication user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Basic authentication password (shown as [`REDACTED`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /webhooks`, `PUT /webhooks/{uuid}`, `POST /webhooks/execute`, and the scoped
/// creation paths: a webhook as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRequestBody {
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The consumer it is for; none: every consumer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<WebhookPacticipant>,
    /// The provider it is for; none: every provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<WebhookPacticipant>,
    /// Whether it fires (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The events it fires on (default [`DEFAULT_EVENT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WebhookEvent>>,
    /// The request it sends.
    pub request: WebhookRequest,
}

/// A webhook (`/webhooks/{uuid}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Webhook {
    /// Its id.
    pub uuid: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The consumer it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<WebhookPacticipant>,
    /// The provider it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<WebhookPacticipant>,
    /// Whether it fires.
    pub enabled: bool,
    /// The request, credentials shown as [`REDACTED`].
    pub request: WebhookRequest,
    /// The events it fires on.
    pub events: Vec<WebhookEvent>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: WebhookLinks,
}

/// A webhook's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookLinks {
    /// The webhook.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// POST here to run it now.
    #[serde(rename = "pb:execute", skip_serializing_if = "Option::is_none")]
    pub execute: Option<Link>,
    /// The consumer, when named.
    #[serde(rename = "pb:consumer", skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Link>,
    /// The provider, when named.
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
    /// Webhooks of the consumer/provider pair, when both are named.
    #[serde(rename = "pb:pact-webhooks", skip_serializing_if = "Option::is_none")]
    pub pact_webhooks: Option<Link>,
    /// Every webhook.
    #[serde(rename = "pb:webhooks", skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Link>,
}

/// A list of webhooks (`/webhooks`, and the lists scoped to a consumer, a provider or a pair).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Webhooks {
    /// The webhooks, in full.
    #[serde(rename = "_embedded")]
    pub embedded: WebhooksEmbedded,
    /// Its relations; `pb:webhooks` has one link per webhook.
    #[serde(rename = "_links")]
    pub links: WebhooksLinks,
}

/// The webhooks of a list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksEmbedded {
    /// The webhooks.
    pub webhooks: Vec<Webhook>,
}

/// A webhook list's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// POST here to create a webhook in this scope.
    #[serde(rename = "pb:create", skip_serializing_if = "Option::is_none")]
    pub create: Option<Link>,
    /// Each webhook.
    #[serde(rename = "pb:webhooks", deserialize_with = "crate::de::links")]
    pub webhooks: Vec<Link>,
}

/// `/pacts/provider/{p}/consumer/{c}/webhooks/status`: the latest delivery of each webhook for
/// the pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebhooksStatus {
    /// Counts by outcome.
    pub summary: WebhooksStatusSummary,
    /// The deliveries.
    #[serde(rename = "_embedded")]
    pub embedded: TriggeredWebhooksEmbedded,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: WebhooksStatusLinks,
}

/// Counts of deliveries by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebhooksStatusSummary {
    /// Delivered.
    pub successful: u64,
    /// Given up.
    pub failed: u64,
    /// Failed at least once, more attempts to come.
    pub retrying: u64,
    /// Not attempted yet.
    pub not_run: u64,
}

/// The deliveries of a status resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TriggeredWebhooksEmbedded {
    /// The deliveries, newest first.
    pub triggered_webhooks: Vec<TriggeredWebhook>,
}

/// A status resource's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksStatusLinks {
    /// The status.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The logs of deliveries that failed or are retrying.
    #[serde(rename = "pb:error-logs", deserialize_with = "crate::de::links")]
    pub error_logs: Vec<Link>,
    /// The pair's webhooks.
    #[serde(rename = "pb:pact-webhooks", skip_serializing_if = "Option::is_none")]
    pub pact_webhooks: Option<Link>,
    /// The consumer.
    #[serde(rename = "pb:consumer", skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Link>,
    /// The provider.
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
}

/// One delivery of a webhook for an event (a "triggered webhook").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TriggeredWebhook {
    /// The webhook's description.
    pub name: String,
    /// `not_run`, `retrying`, `success` or `failure`.
    pub status: String,
    /// Attempts so far.
    pub attempts_made: u64,
    /// Attempts left.
    pub attempts_remaining: u64,
    /// `resource_creation` (an event) or `user` (a test execution).
    pub trigger_type: String,
    /// The event.
    pub event_name: String,
    /// When the event happened (RFC 3339).
    pub triggered_at: String,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: TriggeredWebhookLinks,
}

/// A delivery's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TriggeredWebhookLinks {
    /// Its attempts.
    #[serde(rename = "pb:logs", skip_serializing_if = "Option::is_none")]
    pub logs: Option<Link>,
    /// The webhook.
    #[serde(rename = "pb:webhook", skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Link>,
}

/// `/triggered-webhooks/{uuid}/logs`: a delivery and its attempts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TriggeredWebhookLogs {
    /// The delivery's id, also sent as the `Idempotency-Key` header.
    pub uuid: String,
    /// The event.
    pub event_name: String,
    /// The consumer.
    pub consumer_name: String,
    /// The provider.
    pub provider_name: String,
    /// `not_run`, `retrying`, `success` or `failure`.
    pub status: String,
    /// The attempts, oldest first.
    pub executions: Vec<WebhookAttempt>,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: TriggeredWebhookLinks,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebhookAttempt {
    /// Its number, from 1.
    pub attempt: u64,
    /// Whether the receiver answered with a success code.
    pub success: bool,
    /// The receiver's status code, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it failed without an answer (refused by policy, unreachable, timed out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The request and response as text, credentials redacted, the body cut short.
    pub logs: String,
    /// When it started (RFC 3339).
    pub created_at: String,
}

/// What a test execution sent and got (`POST /webhooks/{uuid}/execute`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookExecutionResult {
    /// The request sent, credentials redacted.
    pub request: ExecutedRequest,
    /// The answer, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ExecutedResponse>,
    /// Why no answer came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ExecutionError>,
    /// The whole exchange as text.
    pub logs: String,
    /// Whether the receiver answered with a success code.
    pub success: bool,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: ExecutionLinks,
}

/// A request as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutedRequest {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The headers (credentials redacted).
    pub headers: BTreeMap<String, String>,
    /// The body: JSON when it parses, text otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// An answer as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutedResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: BTreeMap<String, String>,
    /// The body (cut short): JSON when it parses, text otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// Why a request got no answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutionError {
    /// The reason.
    pub message: String,
}

/// A test execution's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutionLinks {
    /// The webhook, when it is saved.
    #[serde(rename = "pb:webhook", skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Link>,
}
