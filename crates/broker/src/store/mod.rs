//! What the broker stores, as operations: every public function is one transaction, and this
//! module (with [`crate::db`]) is the only place that knows SQL.
//!
//! Writes go through `write_tx!`, so a publication, a version with its branch and tags, a
//! deployment and the head rows they move are committed together or not at all, and retried as
//! a whole when a concurrent writer got in first. The head tables (`branch_heads`, `tag_heads`,
//! `latest_pact_publications`, `latest_verifications`) only ever move to a higher id, so
//! concurrent writers agree on them whatever order they commit in.
//!
//! One file per kind of thing: `pacticipants`, `versions` (with branches and tags),
//! `environments` (with deployments and releases), `contracts`, `verifications`,
//! `integrations` (the consumer/provider pairs), `provider_contracts` (OpenAPI documents
//! providers publish, one per provider version), `cross_checks` (consumer contracts checked
//! against them: results and the queue of work, written with the publication of either side),
//! `webhooks` (webhooks and the outbox of their deliveries, written in the transaction of the
//! event that triggers them), `pages` (the reads only the web pages make), and
//! `resolve`, the one place where "latest", "latest with a tag", "the main branch's head",
//! "deployed in an environment"… become version ids. Answers that take many queries read one
//! `Snapshot`, whose typed methods sit beside the tables they read.
//!
//! Not here: HTTP and JSON resources (`api`), which contracts a provider should verify
//! ([`crate::selection`]) and what can be deployed ([`crate::matrix`]) — those decide, and ask
//! this module for rows.

mod contracts;
mod cross_checks;
mod environments;
mod integrations;
mod labels;
mod pacticipants;
mod pages;
mod provider_contracts;
mod resolve;
mod verifications;
mod versions;
mod webhooks;

pub use crate::timestamp::{now, rfc3339};
pub use contracts::{
    InteractionChanges, NewContract, OnConflict, PactRef, PactSummary, Publication, PublishOutcome,
    Published, StoredPact, interaction_changes,
};
pub use cross_checks::{
    ConsumerCrossCheck, CoverageSources, CoveringContractSource, CrossCheckOutcome,
    CrossCheckRecord, LeasedCrossCheck, MissingCrossCheck, ProviderContractFacts,
    ProviderVersionCrossChecks,
};
pub use environments::{Deployment, DeploymentKind, Environment, EnvironmentFields};
pub use integrations::Integration;
pub use labels::Label;
pub use pacticipants::{Pacticipant, PacticipantFields};
pub use pages::{
    ContractCrossCheck, ContractOverview, IntegrationFilter, IntegrationOverview, Placement,
    VerificationOverview, WebhookOutcome,
};
pub use provider_contracts::{
    NewProviderContract, ProviderContract, ProviderContractPublished, SelfVerification,
};
pub(crate) use resolve::Among;
pub use resolve::VersionRef;
pub(crate) use verifications::CountedVerifiers;
pub use verifications::{NewVerification, Verification};
pub use versions::{Branch, Tag, Version};
pub use webhooks::{
    AttemptRecord, DeliveryContext, DeliveryRecord, LeasedDelivery, Party, Scope, StoredAttempt,
    StoredWebhook, WebhookFields, WebhookFilter, status as delivery_status,
};

use crate::db::{Arg, AsTransient, Db, DbError, Tx, args, read_tx};

/// Why a broker operation failed; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (500).
    #[error(transparent)]
    Db(#[from] DbError),
    /// Something named in the request does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (409): the request member that conflicts
    /// (`name`, `contracts`), and why.
    #[error("{message}")]
    Conflict {
        /// The member of the request that conflicts with what is stored.
        field: &'static str,
        /// What conflicts.
        message: String,
    },
    /// The request is invalid: field → messages (400).
    #[error("invalid request")]
    Invalid(Vec<(String, String)>),
}

impl AsTransient for StoreError {
    fn is_transient(&self) -> bool {
        matches!(self, StoreError::Db(error) if error.is_transient())
    }
}

impl StoreError {
    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![(field.into(), message.into())])
    }

    /// A conflict with what is stored, on the request member `field`.
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            field,
            message: message.into(),
        }
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The id of the row `select` finds, inserted by `insert` (an `INSERT … ON CONFLICT DO NOTHING
/// RETURNING id`) when missing, and whether it was inserted. It tries the likelier statement
/// first, so the common case is one statement; a concurrent insert between the two is found by
/// the final select.
async fn find_or_insert(
    tx: &mut Tx,
    select: &str,
    select_args: Vec<Arg>,
    insert: &str,
    insert_args: Vec<Arg>,
    likely_new: bool,
) -> Result<(i64, bool)> {
    if !likely_new && let Some(id) = tx.int(select, select_args.clone()).await? {
        return Ok((id, false));
    }
    if let Some(id) = tx.int(insert, insert_args).await? {
        return Ok((id, true));
    }
    let id = tx
        .int(select, select_args)
        .await?
        .expect("the row exists: the insert found it there");
    Ok((id, false))
}

/// One consistent read of the broker's data, for answers that take many queries (the matrix,
/// pacts for verification). Each query is a typed method, defined beside the tables it reads.
/// Made by the `snapshot!` macro, which ends it.
pub(crate) struct Snapshot {
    tx: Tx,
}

/// Runs a block with one [`Snapshot`] of the store (PostgreSQL: `REPEATABLE READ`), given to
/// it as `$snapshot: &mut Snapshot`, then ends the snapshot. `?` and `return` in the block leave
/// the block, not the enclosing function.
macro_rules! snapshot {
    ($store:expr, $snapshot:ident => $body:expr) => {{
        let mut owned = $store.snapshot().await?;
        let outcome = {
            let $snapshot = &mut owned;
            async { $body }.await
        };
        owned.end().await;
        outcome
    }};
}
pub(crate) use snapshot;

impl Snapshot {
    /// Ends the snapshot (it only read, so there is nothing to commit).
    pub(crate) async fn end(self) {
        // A failed rollback closes the connection; the reads are done either way.
        let _ = self.tx.rollback().await;
    }
}

/// The broker's storage: typed operations over a [`Db`].
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// Woken after a commit that wrote webhook deliveries, so they go out at once.
    outbox: std::sync::Arc<tokio::sync::Notify>,
    /// Woken after a commit that enqueued cross-checks, so they are computed at once.
    cross_checks: std::sync::Arc<tokio::sync::Notify>,
    /// Contracts prepared for storage recently, by their bytes (publishing the same bytes
    /// again skips preparing them).
    recently_prepared: std::sync::Arc<contracts::RecentlyPrepared>,
}

impl Store {
    /// Wraps a migrated database.
    pub fn new(db: Db) -> Self {
        Store {
            db,
            outbox: Default::default(),
            cross_checks: Default::default(),
            recently_prepared: Default::default(),
        }
    }

    /// Notified after every commit that wrote webhook deliveries (the delivery worker waits on
    /// it between polls).
    pub fn outbox(&self) -> &tokio::sync::Notify {
        &self.outbox
    }

    fn wake_outbox(&self, deliveries: usize) {
        if deliveries > 0 {
            self.outbox.notify_one();
        }
    }

    /// Notified after every commit that enqueued cross-checks (the cross-check worker waits on
    /// it between polls).
    pub fn cross_check_queue(&self) -> &tokio::sync::Notify {
        &self.cross_checks
    }

    fn wake_cross_checks(&self, enqueued: usize) {
        if enqueued > 0 {
            self.cross_checks.notify_one();
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Starts a [`Snapshot`]; callers use the [`snapshot!`] macro, which ends it.
    pub(crate) async fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot {
            tx: self.db.begin(false).await?,
        })
    }

    /// How many of each thing the broker holds (the `/metrics` resource).
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        const COUNTS: &[(&str, &str)] = &[
            ("pacticipants", "SELECT COUNT(*) FROM pacticipants"),
            ("versions", "SELECT COUNT(*) FROM versions"),
            ("branches", "SELECT COUNT(*) FROM branches"),
            ("tags", "SELECT COUNT(*) FROM tags"),
            ("pactVersions", "SELECT COUNT(*) FROM pact_versions"),
            ("pactPublications", "SELECT COUNT(*) FROM pact_publications"),
            ("integrations", "SELECT COUNT(*) FROM integrations"),
            ("verificationResults", "SELECT COUNT(*) FROM verifications"),
            ("environments", "SELECT COUNT(*) FROM environments"),
            ("deployedVersions", "SELECT COUNT(*) FROM deployed_versions"),
            (
                "currentlyDeployedVersions",
                "SELECT COUNT(*) FROM deployed_versions WHERE currently_deployed",
            ),
            ("releasedVersions", "SELECT COUNT(*) FROM released_versions"),
            (
                "currentlySupportedReleasedVersions",
                "SELECT COUNT(*) FROM released_versions WHERE currently_supported",
            ),
            (
                "providerContracts",
                "SELECT COUNT(*) FROM provider_contracts",
            ),
            ("crossChecks", "SELECT COUNT(*) FROM cross_checks"),
            (
                "crossChecksPending",
                "SELECT COUNT(*) FROM cross_checks WHERE status = 'pending'",
            ),
            ("webhooks", "SELECT COUNT(*) FROM webhooks"),
            (
                "webhookDeliveriesSucceeded",
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'success'",
            ),
            (
                "webhookDeliveriesFailed",
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failure'",
            ),
            (
                "webhookDeliveriesRetrying",
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'retrying'",
            ),
            (
                "webhookDeliveriesNotRun",
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'not_run'",
            ),
        ];
        read_tx!(self.db, tx => {
            let mut out = Vec::with_capacity(COUNTS.len());
            for (name, sql) in COUNTS {
                out.push((*name, tx.int(sql, args![]).await?.unwrap_or(0)));
            }
            Ok(out)
        })
    }

    /// Checks that the database answers (health endpoint).
    pub async fn ping(&self) -> Result<()> {
        read_tx!(self.db, tx => {
            tx.int("SELECT 1", args![]).await?;
            Ok(())
        })
    }
}
