//! Verification results: what a provider version reported for a contract's content, with the
//! `latest_verifications` head row per content and provider version.

use serde_json::Value;

use super::versions::ensure_version;
use super::webhooks::trigger_for_verification;
use super::{Result, Snapshot, Store, StoreError, now};
use crate::db::{Arg, Row, args, read_tx, write_tx};

/// A verification result published by a provider.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Its number (global sequence).
    pub id: i64,
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The verified content.
    pub sha: String,
    /// The provider version that verified it.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// The provider build.
    pub build_url: Option<String>,
    /// Per-interaction results, as sent.
    pub test_results: Option<Value>,
    /// The verifier that produced it, as sent.
    pub verified_by: Option<Value>,
    /// When it was published.
    pub created_at: i64,
}

/// A verification result to record.
#[derive(Debug, Clone)]
pub struct NewVerification {
    /// The provider version.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// The provider build.
    pub build_url: Option<String>,
    /// Per-interaction results.
    pub test_results: Option<Value>,
    /// The verifier.
    pub verified_by: Option<Value>,
    /// The pacts-for-verification metadata the verifier fetched the contract with.
    pub metadata: Option<String>,
    /// The broker's base URL, for the links webhooks triggered by this verification send.
    pub base_url: String,
}

fn verification(row: &Row) -> Verification {
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Verification {
        id: row.int(0),
        consumer: row.text(1),
        provider: row.text(2),
        sha: row.text(3),
        provider_version: row.text(4),
        success: row.bool(5),
        build_url: row.opt_text(6),
        test_results: json(row.opt_text(7)),
        verified_by: json(row.opt_text(8)),
        created_at: row.int(9),
    }
}

const VERIFICATION_SELECT: &str = "SELECT vr.id, c.name, p.name, pv.sha, v.number, vr.success, \
     vr.build_url, vr.test_results, vr.verified_by, vr.created_at FROM verifications vr \
     JOIN pact_versions pv ON pv.id = vr.pact_version_id \
     JOIN versions v ON v.id = vr.provider_version_id \
     JOIN pacticipants c ON c.id = vr.consumer_id \
     JOIN pacticipants p ON p.id = vr.provider_id";

impl Store {
    /// Records a verification of content `sha` by a provider version (created when missing).
    pub async fn record_verification(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
        result: &NewVerification,
    ) -> Result<Verification> {
        let (verification, deliveries) = write_tx!(self.db, tx => {
            let row = tx
                .row(
                    "SELECT pv.id, pv.consumer_id, pv.provider_id FROM pact_versions pv \
                     JOIN pacticipants c ON c.id = pv.consumer_id \
                     JOIN pacticipants p ON p.id = pv.provider_id \
                     WHERE p.name = $1 AND c.name = $2 AND pv.sha = $3",
                    args![provider, consumer, sha],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "no contract between consumer `{consumer}` and provider `{provider}` with content {sha}"
                    ))
                })?;
            let (pact_version_id, consumer_id, provider_id) = (row.int(0), row.int(1), row.int(2));
            let (provider_version_id, _) =
                ensure_version(tx, provider_id, &result.provider_version).await?;
            let id = tx
                .int(
                    "INSERT INTO verifications (pact_version_id, provider_version_id, \
                     consumer_id, provider_id, success, build_url, test_results, verified_by, \
                     metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     RETURNING id",
                    args![
                        pact_version_id,
                        provider_version_id,
                        consumer_id,
                        provider_id,
                        result.success,
                        &result.build_url,
                        result.test_results.as_ref().map(Value::to_string),
                        result.verified_by.as_ref().map(Value::to_string),
                        &result.metadata,
                        now()
                    ],
                )
                .await?
                .expect("RETURNING gives the id");
            tx.execute(
                "INSERT INTO latest_verifications (pact_version_id, provider_version_id, \
                 verification_id, success) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (pact_version_id, provider_version_id) DO UPDATE SET \
                 verification_id = excluded.verification_id, success = excluded.success \
                 WHERE excluded.verification_id > latest_verifications.verification_id",
                args![pact_version_id, provider_version_id, id, result.success],
            )
            .await?;
            // Webhooks: the deliveries commit with the verification (an outbox).
            let deliveries =
                trigger_for_verification(tx, &result.base_url, id, result.metadata.as_deref()).await?;
            let sql = format!("{VERIFICATION_SELECT} WHERE vr.id = $1");
            Ok::<_, StoreError>((verification(&tx.row(&sql, args![id]).await?.expect("just inserted")), deliveries))
        })?;
        self.wake_outbox(deliveries);
        Ok(verification)
    }

    /// A verification result by number.
    pub async fn verification(&self, id: i64) -> Result<Option<Verification>> {
        let sql = format!("{VERIFICATION_SELECT} WHERE vr.id = $1");
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![id]).await?.map(|row| verification(&row))))
    }

    /// The newest verification of content `sha` (by any provider version).
    pub async fn latest_verification(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
    ) -> Result<Option<Verification>> {
        let sql = format!(
            "{VERIFICATION_SELECT} WHERE p.name = $1 AND c.name = $2 AND pv.sha = $3 \
             ORDER BY vr.id DESC LIMIT 1"
        );
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![provider, consumer, sha]).await?.map(|row| verification(&row))))
    }
}

/// The newest verification of a content by one provider version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LatestVerification {
    /// Its number.
    pub id: i64,
    /// Whether every interaction passed.
    pub success: bool,
    /// When it was published.
    pub created_at: i64,
}

/// Whose successful verifications count when deciding whether a content is still pending for
/// a provider.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CountedVerifiers<'a> {
    /// Provider versions on this branch, and those on other branches that verified before this
    /// branch was created: a new branch inherits what was verified before it existed (a new
    /// feature branch does not make everything pending again), not what other branches verify
    /// later. A branch that does not exist yet inherits every verification so far.
    Branch(&'a str),
    /// Provider versions with one of these tags.
    Tags(&'a [String]),
    /// Any provider version.
    Any,
}

impl Snapshot {
    /// The newest verification of content `content_id` by provider version
    /// `provider_version_id`.
    pub(crate) async fn latest_verification(
        &mut self,
        content_id: i64,
        provider_version_id: i64,
    ) -> Result<Option<LatestVerification>> {
        Ok(self
            .tx
            .row(
                "SELECT lv.verification_id, lv.success, v.created_at FROM latest_verifications lv \
                 JOIN verifications v ON v.id = lv.verification_id \
                 WHERE lv.pact_version_id = $1 AND lv.provider_version_id = $2",
                args![content_id, provider_version_id],
            )
            .await?
            .map(|row| LatestVerification {
                id: row.int(0),
                success: row.bool(1),
                created_at: row.int(2),
            }))
    }

    /// The provider versions that verified content `content_id`, newest first, at most `limit`.
    pub(crate) async fn verifiers_of(&mut self, content_id: i64, limit: usize) -> Result<Vec<i64>> {
        Ok(self
            .tx
            .rows(
                "SELECT provider_version_id FROM latest_verifications WHERE pact_version_id = $1 \
                 ORDER BY provider_version_id DESC LIMIT $2",
                args![content_id, i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect())
    }

    /// The versions of consumer `consumer_id` whose current contract provider version
    /// `provider_version_id` verified, newest first, at most `limit`.
    pub(crate) async fn consumer_versions_verified_by(
        &mut self,
        provider_version_id: i64,
        consumer_id: i64,
        limit: usize,
    ) -> Result<Vec<i64>> {
        Ok(self
            .tx
            .rows(
                "SELECT l.consumer_version_id FROM latest_verifications lv \
                 JOIN latest_pact_publications l ON l.pact_version_id = lv.pact_version_id \
                 WHERE lv.provider_version_id = $1 AND l.consumer_id = $2 \
                 ORDER BY l.consumer_version_id DESC LIMIT $3",
                args![
                    provider_version_id,
                    consumer_id,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
            )
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect())
    }

    /// Whether content `content_id` was verified successfully by a version of provider
    /// `provider_id` that `counted` lets count (content is per consumer and provider, so only
    /// that provider's versions ever verified it).
    pub(crate) async fn verified_successfully(
        &mut self,
        content_id: i64,
        provider_id: i64,
        counted: CountedVerifiers<'_>,
    ) -> Result<bool> {
        let found = match counted {
            CountedVerifiers::Branch(branch) => {
                self.tx
                    .int(
                        "SELECT 1 FROM verifications v \
                         JOIN branch_versions bv ON bv.version_id = v.provider_version_id \
                         JOIN branches b ON b.id = bv.branch_id \
                         WHERE v.pact_version_id = $1 AND v.success AND b.pacticipant_id = $2 \
                         AND (b.name = $3 OR v.created_at < COALESCE( \
                             (SELECT created_at FROM branches WHERE pacticipant_id = $2 AND name = $3), $4)) \
                         LIMIT 1",
                        args![content_id, provider_id, branch, i64::MAX],
                    )
                    .await?
            }
            CountedVerifiers::Tags(tags) => {
                // The tags are one bound value, however many there are.
                let sql = format!(
                    "SELECT 1 FROM verifications v JOIN tags t ON t.version_id = v.provider_version_id \
                     WHERE v.pact_version_id = $1 AND v.success AND t.name IN {} LIMIT 1",
                    self.tx.in_list("$2")
                );
                self.tx
                    .int(&sql, vec![content_id.into(), Arg::TextList(tags.to_vec())])
                    .await?
            }
            CountedVerifiers::Any => {
                self.tx
                    .int(
                        "SELECT 1 FROM verifications v WHERE v.pact_version_id = $1 AND v.success \
                         LIMIT 1",
                        args![content_id],
                    )
                    .await?
            }
        };
        Ok(found.is_some())
    }
}
