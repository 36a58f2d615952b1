//! Sending webhooks: configuration, the address policy, template rendering, the HTTP sender
//! and the delivery worker.
//!
//! * [`policy`] — allow-lists of schemes, methods and hosts; non-public addresses refused.
//! * [`template`] — `${pactbroker.X}` and `${user.X}` rendering, escaped for where they land.
//! * [`send`] — one request within the policy, logged with credentials redacted.
//! * `worker` — takes due deliveries from the outbox (`store::webhooks`) with a lease and
//!   attempts them off the request path, on the retry schedule.
//!
//! Triggering (which events, which deliveries) is the store's: it happens in the transaction
//! of the change that causes the event.

pub mod policy;
pub mod send;
pub mod template;
mod worker;

use std::collections::BTreeMap;
use std::time::Duration;

pub use policy::{AddressPolicy, HostPattern, HostPatternError, Refusal};
pub(crate) use worker::spawn_worker;

/// How webhooks are sent.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Where webhooks may send.
    pub policy: AddressPolicy,
    /// Values for `${user.NAME}` placeholders.
    pub secrets: BTreeMap<String, String>,
    /// The pause before each retry; a delivery gets one attempt plus one per entry.
    pub retry_schedule: Vec<Duration>,
    /// Status codes that count as delivered, as inclusive ranges.
    pub success_codes: Vec<(u16, u16)>,
    /// How long one request may take.
    pub timeout: Duration,
    /// How much of a response body is kept in the logs.
    pub max_logged_body: usize,
    /// How often an idle worker looks for deliveries other instances wrote (its own commits
    /// wake it at once).
    pub poll_interval: Duration,
}

impl Default for WebhookConfig {
    /// The Pact Broker's defaults: https and POST only; retried after 10 s, 1, 2, 5, 10 and
    /// 20 min; 200–206 count as delivered.
    fn default() -> Self {
        WebhookConfig {
            policy: AddressPolicy::default(),
            secrets: BTreeMap::new(),
            retry_schedule: [10, 60, 120, 300, 600, 1200]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            success_codes: vec![(200, 206)],
            timeout: Duration::from_secs(30),
            max_logged_body: 16 * 1024,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// Webhook settings kept in a file (the broker's auth file, next to its credentials): secrets
/// and allow-list entries, added to those of the command line and environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookSettings {
    /// Values for `${user.NAME}` placeholders.
    pub secrets: BTreeMap<String, String>,
    /// URL schemes webhooks may use.
    pub schemes: Vec<String>,
    /// HTTP methods webhooks may use.
    pub methods: Vec<String>,
    /// Hosts webhooks may send to.
    pub hosts: Vec<HostPattern>,
}

/// Whether `name` can be a secret's name in `${user.NAME}`: letters, digits and `_`.
pub fn is_secret_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl WebhookConfig {
    /// The HTTP sender this configuration describes.
    pub fn sender(&self) -> send::Sender {
        send::Sender::new(
            self.policy.clone(),
            self.success_codes.clone(),
            self.timeout,
            self.max_logged_body,
        )
    }
}
