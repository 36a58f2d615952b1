//! Webhooks and their deliveries.
//!
//! A webhook is stored with its request template, credentials included (they are needed to
//! send it; the API redacts them). Triggering is an outbox: [`trigger_for_publication`] and
//! [`trigger_for_verification`] run inside the transaction of the publication or verification
//! that caused the event and insert one `webhook_deliveries` row per webhook and expanded
//! event, holding the template variables' values of that moment ([`DeliveryContext`]). So an
//! event is delivered exactly when the change that caused it is committed, and never lost.
//!
//! Deliveries are taken with a lease ([`Store::lease_deliveries`]): on PostgreSQL the due rows
//! are locked with `FOR UPDATE SKIP LOCKED`, so instances sharing the database take different
//! ones; on SQLite the write transaction holds the database's one write lock. A lease lasts
//! one attempt; an instance that dies mid-attempt leaves it to expire, and the delivery is
//! taken again.

use std::collections::BTreeMap;

use base64::Engine as _;
use pactum_broker_api::WebhookRequest;
use serde::{Deserialize, Serialize};

use super::labels::label_names;
use super::{Result, Store, StoreError, now};
use crate::db::{Row, Tx, args, read_tx, write_tx};

/// Which pacticipants a webhook's consumer or provider side covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One pacticipant.
    Name(String),
    /// Every pacticipant carrying this label when the event happens.
    Label(String),
}

impl Scope {
    fn covers(scope: &Option<Scope>, party: &Party) -> bool {
        match scope {
            None => true,
            Some(Scope::Name(scoped)) => *scoped == party.name,
            Some(Scope::Label(label)) => party.labels.contains(label),
        }
    }

    fn columns(scope: &Option<Scope>) -> (Option<String>, Option<String>) {
        match scope {
            None => (None, None),
            Some(Scope::Name(name)) => (Some(name.clone()), None),
            Some(Scope::Label(label)) => (None, Some(label.clone())),
        }
    }

    fn from_columns(name: Option<String>, label: Option<String>) -> Option<Scope> {
        name.map(Scope::Name).or(label.map(Scope::Label))
    }
}

/// A consumer or provider as a webhook's scope sees it: its name, and its labels when the event
/// happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// The pacticipant's name.
    pub name: String,
    /// The labels it carries.
    pub labels: Vec<String>,
}

impl Party {
    /// Pacticipant `name` with the labels it carries now.
    async fn load(tx: &mut Tx, name: &str) -> Result<Party> {
        Ok(Party {
            name: name.to_owned(),
            labels: label_names(tx, name).await?,
        })
    }
}

/// What a client sets on a webhook.
#[derive(Debug, Clone)]
pub struct WebhookFields {
    /// What it is for.
    pub description: Option<String>,
    /// The consumers it is for; none: all.
    pub consumer: Option<Scope>,
    /// The providers it is for; none: all.
    pub provider: Option<Scope>,
    /// Whether it fires.
    pub enabled: bool,
    /// Event names (validated by the API).
    pub events: Vec<String>,
    /// The request template, credentials included.
    pub request: WebhookRequest,
}

/// A stored webhook.
#[derive(Debug, Clone)]
pub struct StoredWebhook {
    /// Its id.
    pub uuid: String,
    /// Its properties.
    pub fields: WebhookFields,
    /// When it was created.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

impl StoredWebhook {
    /// Whether it fires for `event` between `consumer` and `provider`.
    pub fn fires_for(&self, event: &str, consumer: &Party, provider: &Party) -> bool {
        self.fields.enabled
            && self.fields.events.iter().any(|e| e == event)
            && Scope::covers(&self.fields.consumer, consumer)
            && Scope::covers(&self.fields.provider, provider)
    }

    /// Whether its request uses the variable `name` (`${pactbroker.NAME}`) anywhere.
    pub fn uses_variable(&self, name: &str) -> bool {
        let placeholder = format!("${{pactbroker.{name}}}");
        let request = &self.fields.request;
        request.url.contains(&placeholder)
            || request.headers.values().any(|v| v.contains(&placeholder))
            || request
                .body
                .as_ref()
                .is_some_and(|b| b.to_string().contains(&placeholder))
    }
}

const WEBHOOK_COLUMNS: &str = "uuid, description, consumer_name, consumer_label, provider_name, \
     provider_label, enabled, events, request, created_at, updated_at";

fn webhook(row: &Row) -> StoredWebhook {
    StoredWebhook {
        uuid: row.text(0),
        fields: WebhookFields {
            description: row.opt_text(1),
            consumer: Scope::from_columns(row.opt_text(2), row.opt_text(3)),
            provider: Scope::from_columns(row.opt_text(4), row.opt_text(5)),
            enabled: row.bool(6),
            events: serde_json::from_str(&row.text(7)).unwrap_or_default(),
            request: serde_json::from_str(&row.text(8)).unwrap_or_default(),
        },
        created_at: row.int(9),
        updated_at: row.int(10),
    }
}

/// Which webhooks a list shows.
#[derive(Debug, Clone, Copy)]
pub enum WebhookFilter<'a> {
    /// Every webhook.
    All,
    /// Those whose consumer is this one.
    Consumer(&'a str),
    /// Those whose provider is this one.
    Provider(&'a str),
    /// Those whose consumer and provider are these.
    Pair {
        /// The provider.
        provider: &'a str,
        /// The consumer.
        consumer: &'a str,
    },
    /// Those that fire for contracts between these (including unscoped ones).
    ApplyingTo {
        /// The provider.
        provider: &'a str,
        /// The consumer.
        consumer: &'a str,
    },
}

/// The status of a delivery, as the Pact Broker names it.
pub mod status {
    /// Not attempted yet.
    pub const NOT_RUN: &str = "not_run";
    /// Failed, more attempts to come.
    pub const RETRYING: &str = "retrying";
    /// Delivered.
    pub const SUCCESS: &str = "success";
    /// Given up.
    pub const FAILURE: &str = "failure";
}

/// What a delivery knows of the event that triggered it: the variables' values at that moment,
/// and what the pact and verification URLs are built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryContext {
    /// The broker's base URL when the event happened.
    pub base: String,
    /// `${pactbroker.NAME}` values known as text (names without the prefix).
    pub variables: BTreeMap<String, String>,
    /// The contract's content hash.
    pub sha: String,
    /// The consumer version the pact URL's metadata names.
    pub consumer_version: String,
    /// The verification, for `verificationResultUrl`.
    pub verification_id: Option<i64>,
}

/// A delivery taken for one attempt.
#[derive(Debug, Clone)]
pub struct LeasedDelivery {
    /// Row id.
    pub id: i64,
    /// Its id, sent as the `Idempotency-Key` header.
    pub uuid: String,
    /// The webhook.
    pub webhook_uuid: String,
    /// The event.
    pub event_name: String,
    /// The event's values.
    pub context: DeliveryContext,
    /// Attempts before this one.
    pub attempts_made: i64,
}

/// One attempt's outcome.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// Whether the receiver answered with a success code.
    pub success: bool,
    /// The status code, when it answered.
    pub response_status: Option<u16>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// The exchange as text (redacted, bounded).
    pub logs: String,
    /// When it started.
    pub started_at: i64,
}

/// A delivery as the status and logs resources show it.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    /// Its id.
    pub uuid: String,
    /// The webhook.
    pub webhook_uuid: String,
    /// The webhook's description, when it still exists.
    pub webhook_description: Option<String>,
    /// Whether the webhook still exists.
    pub webhook_exists: bool,
    /// The event.
    pub event_name: String,
    /// `resource_creation` or `user`.
    pub trigger_type: String,
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// See [`status`].
    pub status: String,
    /// Attempts so far.
    pub attempts_made: i64,
    /// When it was triggered.
    pub created_at: i64,
}

/// One attempt as stored.
#[derive(Debug, Clone)]
pub struct StoredAttempt {
    /// Its number.
    pub attempt: i64,
    /// The outcome.
    pub record: AttemptRecord,
}

const DELIVERY_COLUMNS: &str = "d.uuid, d.webhook_uuid, w.description, w.uuid, d.event_name, \
     d.trigger_type, d.consumer_name, d.provider_name, d.status, d.attempts_made, d.created_at";
const DELIVERY_FROM: &str =
    "FROM webhook_deliveries d LEFT JOIN webhooks w ON w.uuid = d.webhook_uuid";

fn delivery(row: &Row) -> DeliveryRecord {
    DeliveryRecord {
        uuid: row.text(0),
        webhook_uuid: row.text(1),
        webhook_description: row.opt_text(2),
        webhook_exists: row.opt_text(3).is_some(),
        event_name: row.text(4),
        trigger_type: row.text(5),
        consumer: row.text(6),
        provider: row.text(7),
        status: row.text(8),
        attempts_made: row.int(9),
        created_at: row.int(10),
    }
}

/// Every enabled webhook, oldest first. Read before anything else a trigger needs: most
/// brokers have none, and then a publication or verification need not load its parties.
async fn enabled_webhooks(tx: &mut Tx) -> Result<Vec<StoredWebhook>> {
    Ok(enabled_webhooks_in(
        &tx.rows(&enabled_webhooks_sql(), args![]).await?,
    ))
}

/// The statement [`enabled_webhooks`] runs (no arguments), for a batch.
pub(crate) fn enabled_webhooks_sql() -> String {
    format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE enabled ORDER BY id")
}

/// The webhooks in the rows of [`enabled_webhooks_sql`].
pub(crate) fn enabled_webhooks_in(rows: &[Row]) -> Vec<StoredWebhook> {
    rows.iter().map(webhook).collect()
}

/// The webhooks of `enabled` listening for one of `events` between `consumer` and `provider`.
fn listening(
    enabled: Vec<StoredWebhook>,
    events: &[&str],
    consumer: &Party,
    provider: &Party,
) -> Vec<StoredWebhook> {
    enabled
        .into_iter()
        .filter(|w| {
            events
                .iter()
                .any(|event| w.fires_for(event, consumer, provider))
        })
        .collect()
}

async fn insert_delivery(
    tx: &mut Tx,
    webhook_uuid: &str,
    event: &str,
    consumer: &str,
    provider: &str,
    context: &DeliveryContext,
) -> Result<()> {
    let now = now();
    let context = serde_json::to_string(context).expect("a delivery context is JSON");
    tx.execute(
        "INSERT INTO webhook_deliveries (uuid, webhook_uuid, event_name, trigger_type, \
         consumer_name, provider_name, context, status, attempts_made, next_attempt_at, \
         created_at, updated_at) VALUES ($1, $2, $3, 'resource_creation', $4, $5, $6, $7, 0, \
         $8, $8, $8)",
        args![
            uuid::Uuid::new_v4().to_string(),
            webhook_uuid,
            event,
            consumer,
            provider,
            context,
            status::NOT_RUN,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Inserts the deliveries of `event` for every listening webhook, one per expanded context:
/// per currently deployed provider version for webhooks that use
/// `currentlyDeployedProviderVersionNumber`. Returns how many were inserted.
async fn deliver(
    tx: &mut Tx,
    webhooks: &[StoredWebhook],
    event: &str,
    consumer: &Party,
    provider: &Party,
    contexts: &[DeliveryContext],
    deployed_provider_versions: &[String],
) -> Result<usize> {
    let (consumer_party, provider_party) = (consumer, provider);
    let (consumer, provider) = (consumer.name.as_str(), provider.name.as_str());
    let mut count = 0;
    for webhook in webhooks
        .iter()
        .filter(|w| w.fires_for(event, consumer_party, provider_party))
    {
        for context in contexts {
            let mut context = context.clone();
            context.variables.insert("eventName".into(), event.into());
            if webhook.uses_variable("currentlyDeployedProviderVersionNumber") {
                for number in deployed_provider_versions {
                    let mut expanded = context.clone();
                    expanded.variables.insert(
                        "currentlyDeployedProviderVersionNumber".into(),
                        number.clone(),
                    );
                    insert_delivery(tx, &webhook.uuid, event, consumer, provider, &expanded)
                        .await?;
                    count += 1;
                }
            } else {
                insert_delivery(tx, &webhook.uuid, event, consumer, provider, &context).await?;
                count += 1;
            }
        }
    }
    Ok(count)
}

/// The distinct version numbers of `pacticipant_id` currently deployed anywhere.
async fn deployed_versions(tx: &mut Tx, pacticipant_id: i64) -> Result<Vec<String>> {
    Ok(tx
        .rows(
            "SELECT DISTINCT v.number, v.id FROM deployed_versions d \
             JOIN versions v ON v.id = d.version_id \
             WHERE d.pacticipant_id = $1 AND d.currently_deployed ORDER BY v.id",
            args![pacticipant_id],
        )
        .await?
        .iter()
        .map(|row| row.text(0))
        .collect())
}

/// A version's number, branch (the newest it is on), tags (joined by ", ") and build URL.
async fn version_facts(tx: &mut Tx, version_id: i64) -> Result<(String, String, String, String)> {
    let row = tx
        .row(
            "SELECT number, build_url FROM versions WHERE id = $1",
            args![version_id],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no version with id {version_id}")))?;
    let branch = tx
        .rows(
            "SELECT b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id \
             WHERE bv.version_id = $1 ORDER BY bv.created_at DESC, b.id DESC LIMIT 1",
            args![version_id],
        )
        .await?
        .first()
        .map(|r| r.text(0))
        .unwrap_or_default();
    let tags: Vec<String> = tx
        .rows(
            "SELECT name FROM tags WHERE version_id = $1 ORDER BY created_at, name",
            args![version_id],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect();
    Ok((
        row.text(0),
        branch,
        tags.join(", "),
        row.opt_text(1).unwrap_or_default(),
    ))
}

/// The values a verification gives the variables.
fn verification_variables(
    variables: &mut BTreeMap<String, String>,
    success: Option<bool>,
    provider_version: Option<(String, String, String)>,
) {
    let status = |yes: &str, no: &str, pending: &str| match success {
        Some(true) => yes.to_owned(),
        Some(false) => no.to_owned(),
        None => pending.to_owned(),
    };
    variables.insert(
        "githubVerificationStatus".into(),
        status("success", "failure", "pending"),
    );
    variables.insert(
        "bitbucketVerificationStatus".into(),
        status("SUCCESSFUL", "FAILED", "INPROGRESS"),
    );
    variables.insert(
        "gitlabVerificationStatus".into(),
        status("success", "failed", "pending"),
    );
    variables.insert(
        "azureDevOpsVerificationStatus".into(),
        status("succeeded", "failed", "pending"),
    );
    let (number, branch, tags) = provider_version.unwrap_or_default();
    variables.insert("providerVersionNumber".into(), number);
    variables.insert("providerVersionBranch".into(), branch);
    variables.insert("providerVersionTags".into(), tags);
}

/// The variables every event of a pact has, from the consumer version's side.
async fn pact_context(
    tx: &mut Tx,
    base: &str,
    consumer: &Party,
    provider: &Party,
    consumer_version_id: i64,
    sha: &str,
) -> Result<DeliveryContext> {
    let (number, branch, tags, build_url) = version_facts(tx, consumer_version_id).await?;
    let mut variables = BTreeMap::new();
    variables.insert("consumerName".into(), consumer.name.clone());
    variables.insert("providerName".into(), provider.name.clone());
    variables.insert("consumerVersionNumber".into(), number.clone());
    variables.insert("consumerVersionBranch".into(), branch);
    variables.insert("consumerVersionTags".into(), tags);
    variables.insert("consumerLabels".into(), consumer.labels.join(", "));
    variables.insert("providerLabels".into(), provider.labels.join(", "));
    variables.insert("buildUrl".into(), build_url);
    variables.insert("providerVersionDescriptions".into(), String::new());
    variables.insert(
        "currentlyDeployedProviderVersionNumber".into(),
        String::new(),
    );
    Ok(DeliveryContext {
        base: base.to_owned(),
        variables,
        sha: sha.to_owned(),
        consumer_version: number,
        verification_id: None,
    })
}

/// What a publication changed for one provider, as [`trigger_for_publication`] needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentChange {
    /// The same content was published again.
    Unchanged,
    /// A first publication for this consumer version and provider.
    New,
    /// The version's content was replaced (overwritten or merged).
    Replaced,
}

const CONTRACT_EVENTS: &[&str] = &[
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
];

/// Triggers the contract events of one published contract (inside the publication's
/// transaction): `contract_published` always; `contract_content_changed` when the content is
/// new for the version, or differs from the previous consumer version's — with the same tag,
/// for each of the version's tags, or any previous version when it has none;
/// `contract_requiring_verification_published` once per provider version that should verify
/// the content and has not (the main branch's head, every deployed and every supported
/// released version). Returns how many deliveries were written.
pub(crate) async fn trigger_for_publication(
    tx: &mut Tx,
    enabled: &[StoredWebhook],
    base: &str,
    consumer_version_id: i64,
    provider_id: i64,
    change: ContentChange,
) -> Result<usize> {
    if enabled.is_empty() {
        return Ok(0);
    }
    let enabled = enabled.to_vec();
    let row = tx
        .row(
            "SELECT c.name, p.name, pv.id, pv.sha, c.id FROM latest_pact_publications l \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             JOIN pacticipants c ON c.id = l.consumer_id \
             JOIN pacticipants p ON p.id = l.provider_id \
             WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
            args![consumer_version_id, provider_id],
        )
        .await?
        .expect("the publication was just stored");
    let (consumer, provider, content_id, sha, consumer_id) = (
        row.text(0),
        row.text(1),
        row.int(2),
        row.text(3),
        row.int(4),
    );
    let consumer = Party::load(tx, &consumer).await?;
    let provider = Party::load(tx, &provider).await?;
    let webhooks = listening(enabled, CONTRACT_EVENTS, &consumer, &provider);
    if webhooks.is_empty() {
        return Ok(0);
    }
    let mut context =
        pact_context(tx, base, &consumer, &provider, consumer_version_id, &sha).await?;
    // As the Pact Broker: the contract events carry the main branch's newest verification.
    let main_verification = tx
        .row(
            "SELECT vr.id, vr.success, vr.provider_version_id FROM verifications vr \
             JOIN branch_versions bv ON bv.version_id = vr.provider_version_id \
             JOIN branches b ON b.id = bv.branch_id \
             JOIN pacticipants p ON p.id = b.pacticipant_id AND p.main_branch = b.name \
             WHERE vr.pact_version_id = $1 AND vr.provider_id = $2 ORDER BY vr.id DESC LIMIT 1",
            args![content_id, provider_id],
        )
        .await?
        .map(|row| (row.int(0), row.bool(1), row.int(2)));
    match main_verification {
        Some((id, success, provider_version_id)) => {
            let (number, branch, tags, _) = version_facts(tx, provider_version_id).await?;
            verification_variables(
                &mut context.variables,
                Some(success),
                Some((number, branch, tags)),
            );
            context.verification_id = Some(id);
        }
        None => verification_variables(&mut context.variables, None, None),
    }
    let deployed = deployed_versions(tx, provider_id).await?;

    let mut count = deliver(
        tx,
        &webhooks,
        "contract_published",
        &consumer,
        &provider,
        std::slice::from_ref(&context),
        &deployed,
    )
    .await?;
    let changed = match change {
        ContentChange::Unchanged => false,
        ContentChange::Replaced => true,
        ContentChange::New => {
            content_differs_from_previous(tx, consumer_id, provider_id, consumer_version_id, &sha)
                .await?
        }
    };
    if changed {
        count += deliver(
            tx,
            &webhooks,
            "contract_content_changed",
            &consumer,
            &provider,
            std::slice::from_ref(&context),
            &deployed,
        )
        .await?;
    }
    let required = required_verifications(tx, content_id, provider_id).await?;
    let mut contexts = Vec::with_capacity(required.len());
    for (provider_version_id, branch, descriptions) in required {
        let (number, version_branch, tags, _) = version_facts(tx, provider_version_id).await?;
        let mut expanded = context.clone();
        verification_variables(
            &mut expanded.variables,
            None,
            Some((number, branch.unwrap_or(version_branch), tags)),
        );
        expanded.verification_id = None;
        expanded.variables.insert(
            "providerVersionDescriptions".into(),
            descriptions.join(", "),
        );
        contexts.push(expanded);
    }
    count += deliver(
        tx,
        &webhooks,
        "contract_requiring_verification_published",
        &consumer,
        &provider,
        &contexts,
        &deployed,
    )
    .await?;
    Ok(count)
}

/// Whether content `sha`, newly published by a consumer version, differs from what the previous
/// consumer version published: per tag of the version (the previous version with that tag),
/// or, for an untagged version, the previous version; no previous publication counts as a
/// difference.
async fn content_differs_from_previous(
    tx: &mut Tx,
    consumer_id: i64,
    provider_id: i64,
    consumer_version_id: i64,
    sha: &str,
) -> Result<bool> {
    let tags: Vec<String> = tx
        .rows(
            "SELECT name FROM tags WHERE version_id = $1",
            args![consumer_version_id],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect();
    let previous = |tagged: bool| {
        format!(
            "SELECT pv.sha FROM latest_pact_publications l \
             JOIN pact_versions pv ON pv.id = l.pact_version_id {} \
             WHERE l.consumer_id = $1 AND l.provider_id = $2 AND l.consumer_version_id < $3 \
             ORDER BY l.consumer_version_id DESC LIMIT 1",
            if tagged {
                "JOIN tags t ON t.version_id = l.consumer_version_id AND t.name = $4"
            } else {
                ""
            }
        )
    };
    if tags.is_empty() {
        let sql = previous(false);
        let before = tx
            .row(&sql, args![consumer_id, provider_id, consumer_version_id])
            .await?;
        return Ok(before.is_none_or(|row| row.text(0) != sha));
    }
    let sql = previous(true);
    for tag in tags {
        let before = tx
            .row(
                &sql,
                args![consumer_id, provider_id, consumer_version_id, tag],
            )
            .await?;
        if before.is_none_or(|row| row.text(0) != sha) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The provider versions that should verify content `content_id` and have not: the main
/// branch's head, every currently deployed and every currently supported released version —
/// each once, with the main branch's name when it is its head, and why it is required.
async fn required_verifications(
    tx: &mut Tx,
    content_id: i64,
    provider_id: i64,
) -> Result<Vec<(i64, Option<String>, Vec<String>)>> {
    let candidates = tx
        .rows(
            "SELECT h.version_id, b.name, 'latest from main branch', 0 FROM branch_heads h \
             JOIN branches b ON b.id = h.branch_id \
             JOIN pacticipants p ON p.id = b.pacticipant_id AND p.main_branch = b.name \
             WHERE p.id = $1 \
             UNION ALL \
             SELECT d.version_id, NULL, 'deployed in ' || e.name, 1 FROM deployed_versions d \
             JOIN environments e ON e.id = d.environment_id \
             WHERE d.pacticipant_id = $1 AND d.currently_deployed \
             UNION ALL \
             SELECT r.version_id, NULL, 'released in ' || e.name, 2 FROM released_versions r \
             JOIN environments e ON e.id = r.environment_id \
             WHERE r.pacticipant_id = $1 AND r.currently_supported \
             ORDER BY 4, 3",
            args![provider_id],
        )
        .await?;
    let mut required: Vec<(i64, Option<String>, Vec<String>)> = Vec::new();
    let mut verified: Vec<i64> = Vec::new();
    for row in &candidates {
        let (version_id, branch, description) = (row.int(0), row.opt_text(1), row.text(2));
        if verified.contains(&version_id) {
            continue;
        }
        if let Some(entry) = required.iter_mut().find(|(id, ..)| *id == version_id) {
            if !entry.2.contains(&description) {
                entry.2.push(description);
            }
            continue;
        }
        let has_verified = tx
            .int(
                "SELECT 1 FROM verifications WHERE pact_version_id = $1 AND provider_version_id = $2 \
                 LIMIT 1",
                args![content_id, version_id],
            )
            .await?
            .is_some();
        if has_verified {
            verified.push(version_id);
        } else {
            required.push((version_id, branch, vec![description]));
        }
    }
    Ok(required)
}

const VERIFICATION_EVENTS: &[&str] = &[
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
];

/// The consumer versions a pact URL's metadata names (`{"cv": [...]}`, base64url JSON), as
/// pacts for verification writes it.
fn metadata_consumer_versions(metadata: Option<&str>) -> Vec<String> {
    #[derive(Deserialize)]
    struct Metadata {
        #[serde(default)]
        cv: Vec<String>,
    }
    metadata
        .and_then(|m| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(m.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Metadata>(&bytes).ok())
        .map(|m| m.cv)
        .unwrap_or_default()
}

/// Triggers the verification events of verification `verification_id` (inside its
/// transaction): `provider_verification_published`, and `_succeeded` or `_failed`, once per
/// consumer version the verified pact URL's metadata names (or, without metadata, for the
/// newest consumer version with that content). Returns how many deliveries were written.
pub(crate) async fn trigger_for_verification(
    tx: &mut Tx,
    base: &str,
    verification_id: i64,
    metadata: Option<&str>,
) -> Result<usize> {
    let enabled = enabled_webhooks(tx).await?;
    if enabled.is_empty() {
        return Ok(0);
    }
    let row = tx
        .row(
            "SELECT c.name, p.name, pv.id, pv.sha, vr.success, vr.provider_version_id, \
             vr.build_url, p.id FROM verifications vr \
             JOIN pact_versions pv ON pv.id = vr.pact_version_id \
             JOIN pacticipants c ON c.id = vr.consumer_id \
             JOIN pacticipants p ON p.id = vr.provider_id WHERE vr.id = $1",
            args![verification_id],
        )
        .await?
        .expect("the verification was just stored");
    let (consumer, provider, content_id, sha, success, provider_version_id, build_url, provider_id) = (
        row.text(0),
        row.text(1),
        row.int(2),
        row.text(3),
        row.bool(4),
        row.int(5),
        row.opt_text(6).unwrap_or_default(),
        row.int(7),
    );
    let consumer = Party::load(tx, &consumer).await?;
    let provider = Party::load(tx, &provider).await?;
    let webhooks = listening(enabled, VERIFICATION_EVENTS, &consumer, &provider);
    if webhooks.is_empty() {
        return Ok(0);
    }
    let mut consumer_version_ids = Vec::new();
    for number in metadata_consumer_versions(metadata) {
        let id = tx
            .int(
                "SELECT l.consumer_version_id FROM latest_pact_publications l \
                 JOIN versions v ON v.id = l.consumer_version_id \
                 WHERE l.pact_version_id = $1 AND v.number = $2",
                args![content_id, number],
            )
            .await?;
        if let Some(id) = id.filter(|id| !consumer_version_ids.contains(id)) {
            consumer_version_ids.push(id);
        }
    }
    if consumer_version_ids.is_empty() {
        consumer_version_ids.extend(
            tx.int(
                "SELECT MAX(consumer_version_id) FROM latest_pact_publications \
                 WHERE pact_version_id = $1",
                args![content_id],
            )
            .await?,
        );
    }
    let (number, branch, tags, _) = version_facts(tx, provider_version_id).await?;
    let mut contexts = Vec::with_capacity(consumer_version_ids.len());
    for consumer_version_id in consumer_version_ids {
        let mut context =
            pact_context(tx, base, &consumer, &provider, consumer_version_id, &sha).await?;
        verification_variables(
            &mut context.variables,
            Some(success),
            Some((number.clone(), branch.clone(), tags.clone())),
        );
        context
            .variables
            .insert("buildUrl".into(), build_url.clone());
        context.verification_id = Some(verification_id);
        contexts.push(context);
    }
    let deployed = deployed_versions(tx, provider_id).await?;
    let outcome_event = if success {
        "provider_verification_succeeded"
    } else {
        "provider_verification_failed"
    };
    let mut count = 0;
    for event in ["provider_verification_published", outcome_event] {
        count += deliver(
            tx, &webhooks, event, &consumer, &provider, &contexts, &deployed,
        )
        .await?;
    }
    Ok(count)
}

impl Store {
    /// Creates or replaces webhook `uuid`; returns it and whether it was created.
    pub async fn put_webhook(
        &self,
        uuid: &str,
        fields: &WebhookFields,
    ) -> Result<(StoredWebhook, bool)> {
        let (consumer_name, consumer_label) = Scope::columns(&fields.consumer);
        let (provider_name, provider_label) = Scope::columns(&fields.provider);
        let events = serde_json::to_string(&fields.events).expect("names are JSON");
        let request = serde_json::to_string(&fields.request).expect("a request is JSON");
        write_tx!(self.db, tx => {
            let now = now();
            let updated = tx
                .execute(
                    "UPDATE webhooks SET description = $2, consumer_name = $3, consumer_label = $4, \
                     provider_name = $5, provider_label = $6, enabled = $7, events = $8, \
                     request = $9, updated_at = $10 WHERE uuid = $1",
                    args![uuid, &fields.description, &consumer_name, &consumer_label,
                        &provider_name, &provider_label, fields.enabled, &events, &request, now],
                )
                .await?;
            if updated == 0 {
                tx.execute(
                    "INSERT INTO webhooks (uuid, description, consumer_name, consumer_label, \
                     provider_name, provider_label, enabled, events, request, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                    args![uuid, &fields.description, &consumer_name, &consumer_label,
                        &provider_name, &provider_label, fields.enabled, &events, &request, now],
                )
                .await?;
            }
            let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE uuid = $1");
            let stored = webhook(&tx.row(&sql, args![uuid]).await?.expect("just written"));
            Ok((stored, updated == 0))
        })
    }

    /// Webhook `uuid`.
    pub async fn webhook(&self, uuid: &str) -> Result<Option<StoredWebhook>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE uuid = $1");
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![uuid]).await?.map(|row| webhook(&row))))
    }

    /// The webhooks a list shows, oldest first.
    pub async fn webhooks(&self, filter: WebhookFilter<'_>) -> Result<Vec<StoredWebhook>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id");
        // For a pair, the labels its pacticipants carry now decide which label scopes apply.
        let (all, parties): (Vec<StoredWebhook>, Option<(Party, Party)>) = read_tx!(self.db, tx => {
            let all = tx.rows(&sql, args![]).await?.iter().map(webhook).collect();
            let parties = match filter {
                WebhookFilter::ApplyingTo { provider, consumer } => Some((
                    Party::load(tx, consumer).await?,
                    Party::load(tx, provider).await?,
                )),
                _ => None,
            };
            Ok::<_, StoreError>((all, parties))
        })?;
        let named = |scope: &Option<Scope>, name: &str| *scope == Some(Scope::Name(name.into()));
        Ok(all
            .into_iter()
            .filter(|w| match filter {
                WebhookFilter::All => true,
                WebhookFilter::Consumer(c) => named(&w.fields.consumer, c),
                WebhookFilter::Provider(p) => named(&w.fields.provider, p),
                WebhookFilter::Pair { provider, consumer } => {
                    named(&w.fields.consumer, consumer) && named(&w.fields.provider, provider)
                }
                WebhookFilter::ApplyingTo { .. } => {
                    parties.as_ref().is_some_and(|(consumer, provider)| {
                        Scope::covers(&w.fields.consumer, consumer)
                            && Scope::covers(&w.fields.provider, provider)
                    })
                }
            })
            .collect())
    }

    /// Deletes webhook `uuid`; its pending deliveries fail at their next attempt.
    pub async fn delete_webhook(&self, uuid: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let deleted = tx.execute("DELETE FROM webhooks WHERE uuid = $1", args![uuid]).await?;
            if deleted == 0 {
                return Err(StoreError::NotFound(format!("no webhook with uuid {uuid}")));
            }
            Ok(())
        })
    }

    /// Takes up to `limit` due deliveries for one attempt each, leased to `owner` until
    /// `lease_until` (microseconds).
    pub async fn lease_deliveries(
        &self,
        owner: &str,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<LeasedDelivery>> {
        write_tx!(self.db, tx => {
            let now = now();
            // PostgreSQL: rows another instance is leasing right now are skipped, not waited
            // for. SQLite: this write transaction holds the database's write lock.
            let skip_locked = tx.for_update_skip_locked();
            let sql = format!(
                "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 WHERE id IN \
                 (SELECT id FROM webhook_deliveries WHERE status IN ('{}', '{}') \
                 AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
                 ORDER BY next_attempt_at, id LIMIT $4{skip_locked}) \
                 RETURNING id, uuid, webhook_uuid, event_name, context, attempts_made",
                status::NOT_RUN,
                status::RETRYING
            );
            let rows = tx.rows(&sql, args![owner, lease_until, now, limit]).await?;
            Ok(rows
                .iter()
                .map(|row| LeasedDelivery {
                    id: row.int(0),
                    uuid: row.text(1),
                    webhook_uuid: row.text(2),
                    event_name: row.text(3),
                    context: serde_json::from_str(&row.text(4)).unwrap_or_default(),
                    attempts_made: row.int(5),
                })
                .collect())
        })
    }

    /// Records an attempt at a leased delivery and ends the lease: the delivery is done
    /// (`success`/`failure`) or due again at `next_attempt_at` (`retrying`). Returns false,
    /// recording nothing, when the lease was lost (it expired and another instance took it).
    pub async fn finish_attempt(
        &self,
        delivery: &LeasedDelivery,
        owner: &str,
        record: &AttemptRecord,
        new_status: &str,
        next_attempt_at: i64,
    ) -> Result<bool> {
        write_tx!(self.db, tx => {
            let attempt = delivery.attempts_made + 1;
            let updated = tx
                .execute(
                    "UPDATE webhook_deliveries SET status = $3, attempts_made = $4, \
                     next_attempt_at = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6 \
                     WHERE id = $1 AND lease_owner = $2",
                    args![delivery.id, owner, new_status, attempt, next_attempt_at, now()],
                )
                .await?;
            if updated == 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO webhook_attempts (delivery_id, attempt, success, response_status, \
                 error, duration_ms, logs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                args![
                    delivery.id,
                    attempt,
                    record.success,
                    record.response_status.map(i64::from),
                    &record.error,
                    record.duration_ms,
                    &record.logs,
                    record.started_at
                ],
            )
            .await?;
            Ok(true)
        })
    }

    /// When the next delivery is due (microseconds), if any is waiting.
    pub async fn next_delivery_due(&self) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status IN ('{}', '{}')",
            status::NOT_RUN,
            status::RETRYING
        );
        read_tx!(self.db, tx => Ok(tx.int(&sql, args![]).await?))
    }

    /// Delivery `uuid` and its attempts, oldest first.
    pub async fn delivery(
        &self,
        uuid: &str,
    ) -> Result<Option<(DeliveryRecord, Vec<StoredAttempt>)>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS}, d.id {DELIVERY_FROM} WHERE d.uuid = $1");
        read_tx!(self.db, tx => {
            let Some(row) = tx.row(&sql, args![uuid]).await? else {
                return Ok(None);
            };
            let record = delivery(&row);
            let attempts = tx
                .rows(
                    "SELECT attempt, success, response_status, error, duration_ms, logs, created_at \
                     FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt",
                    args![row.int(11)],
                )
                .await?
                .iter()
                .map(|row| StoredAttempt {
                    attempt: row.int(0),
                    record: AttemptRecord {
                        success: row.bool(1),
                        response_status: row.opt_int(2).and_then(|s| u16::try_from(s).ok()),
                        error: row.opt_text(3),
                        duration_ms: row.int(4),
                        logs: row.text(5),
                        started_at: row.int(6),
                    },
                })
                .collect();
            Ok(Some((record, attempts)))
        })
    }

    /// The newest delivery of each webhook for contracts between `consumer` and `provider`.
    pub async fn latest_deliveries(
        &self,
        provider: &str,
        consumer: &str,
    ) -> Result<Vec<DeliveryRecord>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} {DELIVERY_FROM} WHERE d.id IN \
             (SELECT MAX(id) FROM webhook_deliveries WHERE provider_name = $1 AND consumer_name = $2 \
             GROUP BY webhook_uuid) ORDER BY d.id DESC"
        );
        read_tx!(self.db, tx => Ok(tx.rows(&sql, args![provider, consumer]).await?.iter().map(delivery).collect()))
    }

    /// The newest `limit` deliveries of webhook `uuid`, newest first, each with its attempts
    /// (two statements, through the `(webhook_uuid, id)` and `(delivery_id, attempt)` indexes).
    pub async fn recent_deliveries(
        &self,
        uuid: &str,
        limit: usize,
    ) -> Result<Vec<(DeliveryRecord, Vec<StoredAttempt>)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS}, d.id {DELIVERY_FROM} WHERE d.webhook_uuid = $1 \
             ORDER BY d.id DESC LIMIT $2"
        );
        read_tx!(self.db, tx => {
            let rows = tx.rows(&sql, args![uuid, limit]).await?;
            let Some(oldest) = rows.last().map(|row| row.int(11)) else {
                return Ok(Vec::new());
            };
            let mut attempts: BTreeMap<i64, Vec<StoredAttempt>> = BTreeMap::new();
            for row in tx
                .rows(
                    "SELECT a.delivery_id, a.attempt, a.success, a.response_status, a.error, \
                     a.duration_ms, a.logs, a.created_at FROM webhook_attempts a \
                     JOIN webhook_deliveries d ON d.id = a.delivery_id \
                     WHERE d.webhook_uuid = $1 AND d.id >= $2 ORDER BY a.delivery_id, a.attempt",
                    args![uuid, oldest],
                )
                .await?
            {
                attempts.entry(row.int(0)).or_default().push(StoredAttempt {
                    attempt: row.int(1),
                    record: AttemptRecord {
                        success: row.bool(2),
                        response_status: row.opt_int(3).and_then(|s| u16::try_from(s).ok()),
                        error: row.opt_text(4),
                        duration_ms: row.int(5),
                        logs: row.text(6),
                        started_at: row.int(7),
                    },
                });
            }
            Ok(rows
                .iter()
                .map(|row| (delivery(row), attempts.remove(&row.int(11)).unwrap_or_default()))
                .collect())
        })
    }

    /// Deliveries by status (`/metrics`).
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>> {
        read_tx!(self.db, tx => Ok(tx
            .rows("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status ORDER BY status", args![])
            .await?
            .iter()
            .map(|row| (row.text(0), row.int(1)))
            .collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_consumer_versions_and_anything_else_names_none() {
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"cv":["1.0.0","2.0.0"],"p":true,"w":false}"#);
        assert_eq!(
            metadata_consumer_versions(Some(&encoded)),
            ["1.0.0", "2.0.0"]
        );
        assert!(metadata_consumer_versions(Some("not base64!")).is_empty());
        assert!(metadata_consumer_versions(None).is_empty());
    }

    #[test]
    fn a_webhook_fires_for_its_events_and_scope_only_when_enabled() {
        let mut hook = StoredWebhook {
            uuid: "u".into(),
            fields: WebhookFields {
                description: None,
                consumer: Some(Scope::Name("web".into())),
                provider: None,
                enabled: true,
                events: vec!["contract_published".into()],
                request: WebhookRequest::default(),
            },
            created_at: 0,
            updated_at: 0,
        };
        let party = |name: &str, labels: &[&str]| Party {
            name: name.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        };
        let (web, api) = (party("web", &[]), party("api", &[]));
        assert!(hook.fires_for("contract_published", &web, &api));
        assert!(!hook.fires_for("contract_content_changed", &web, &api));
        assert!(!hook.fires_for("contract_published", &party("mobile", &[]), &api));
        hook.fields.consumer = Some(Scope::Label("team-a".into()));
        assert!(!hook.fires_for("contract_published", &web, &api));
        let labelled = party("web", &["team-b", "team-a"]);
        assert!(hook.fires_for("contract_published", &labelled, &api));
        // The label is on the consumer side only.
        assert!(!hook.fires_for("contract_published", &web, &labelled));
        hook.fields.consumer = None;
        hook.fields.enabled = false;
        assert!(!hook.fires_for("contract_published", &web, &api));
    }
}
