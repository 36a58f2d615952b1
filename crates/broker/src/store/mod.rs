//! What the broker stores, as operations: every public function is one transaction, and this
//! module (with [`crate::db`]) is the only place that knows SQL.
//!
//! Writes go through `write_tx!`, so a publication, a version with its branch and tags, a
//! deployment and the head rows they move are committed together or not at all, and retried as
//! a whole when a concurrent writer got in first. The head tables (`branch_heads`, `tag_heads`,
//! `latest_pact_publications`, `latest_verifications`) only ever move to a higher id, so
//! concurrent writers agree on them whatever order they commit in.
//!
//! One file per kind of thing: [`pacticipants`], [`versions`] (with branches and tags),
//! [`environments`] (with deployments and releases), [`contracts`], [`verifications`].
//! Not here: HTTP and JSON resources (`api`), which contracts a provider should verify
//! ([`crate::selection`]) and what can be deployed ([`crate::matrix`]) — those decide, and ask
//! this module for rows.

mod contracts;
mod environments;
mod pacticipants;
mod verifications;
mod versions;

pub use crate::timestamp::{now, rfc3339};
pub use contracts::{
    NewContract, OnConflict, PactRef, Publication, PublishOutcome, Published, StoredPact,
};
pub(crate) use contracts::{interaction_identity, without_id};
pub use environments::{Deployment, DeploymentKind, Environment, EnvironmentFields};
pub use pacticipants::{Pacticipant, PacticipantFields};
pub use verifications::{NewVerification, Verification};
pub(crate) use versions::load_version;
pub use versions::{Branch, Tag, Version, VersionRef};

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
    /// The request conflicts with what is stored (409).
    #[error("{0}")]
    Conflict(String),
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

/// The broker's storage: typed operations over a [`Db`].
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Wraps a migrated database.
    pub fn new(db: Db) -> Self {
        Store { db }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
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
