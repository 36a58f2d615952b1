//! Cross-checks (bi-directional contract testing): a consumer contract checked against a
//! provider's OpenAPI document, stored once per pair of contents (`cross_checks`, migration
//! 0005). A row is both the result and the work item: it is written `pending` in the
//! transaction that publishes either side — so a restart loses nothing —, leased by one
//! instance's worker (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite), and
//! finished `done` while the lease is held. The unique pair key makes concurrent enqueueing
//! harmless: the second insert does nothing.
//!
//! Which pairs are enqueued when a side is published (the pairs the matrix is likely to ask
//! about): a consumer contract with the provider contracts of the provider's branch heads, tag
//! heads, currently deployed and supported released versions, and its newest provider contract;
//! a provider contract with the contracts of each consumer's branch heads, tag heads, deployed
//! and released versions, and each consumer's newest contract. Any other pair is enqueued when
//! the gate first asks about it.
//!
//! Not here: computing a cross-check (`pactum-openapi`, run by `crate::cross_check`) or what a
//! result means for a deployment (`crate::matrix`).

use pactum_openapi::CrossCheck;
use sha2::{Digest, Sha256};

use super::verifications::CountedVerifiers;
use super::{Result, Snapshot, Store, StoreError, now};
use crate::db::{Arg, Row, Tx, args, read_tx, write_tx};

/// The states of a `cross_checks` row.
mod status {
    pub const PENDING: &str = "pending";
    pub const DONE: &str = "done";
}

/// The content hash of a provider contract: SHA-256 of its text, as hex.
pub(crate) fn content_sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored cross-check, pending or done.
#[derive(Debug, Clone)]
pub struct CrossCheckRecord {
    /// Its id.
    pub id: i64,
    /// The consumer contract's content hash.
    pub pact_sha: String,
    /// The provider contract's content hash.
    pub provider_contract_sha: String,
    /// When it was enqueued.
    pub created_at: i64,
    /// The result; `None` while it is being computed.
    pub outcome: Option<CrossCheckOutcome>,
}

/// What a finished cross-check found.
#[derive(Debug, Clone)]
pub struct CrossCheckOutcome {
    /// No finding is an error (and the check could run).
    pub success: bool,
    /// The findings.
    pub result: CrossCheck,
    /// Why the check could not run (one of the contents could not be read), if it could not.
    pub error: Option<String>,
    /// When it was computed.
    pub computed_at: i64,
}

/// A cross-check leased for computing, with both contents.
#[derive(Debug, Clone)]
pub struct LeasedCrossCheck {
    /// Its id.
    pub id: i64,
    /// The consumer contract (JSON text).
    pub pact: String,
    /// The provider contract's content hash.
    pub provider_contract_sha: String,
    /// The provider contract (JSON or YAML text); `None` when no provider contract with that
    /// hash is stored any more.
    pub document: Option<String>,
}

/// A provider version's provider contract, as the gate needs it.
#[derive(Debug, Clone)]
pub struct ProviderContractFacts {
    /// Its content hash (`None` until the worker has hashed a document published before
    /// migration 0005).
    pub sha: Option<String>,
    /// Whether the provider's own tests against it passed.
    pub self_verified: bool,
    /// The tool that ran them.
    pub verifier: Option<String>,
    /// When it was published.
    pub created_at: i64,
}

/// A cross-check with the consumer whose contract it checked, for the results resources.
#[derive(Debug, Clone)]
pub struct ConsumerCrossCheck {
    /// The consumer.
    pub consumer: String,
    /// Its versions whose current contract has this content, newest first (at most
    /// [`VERSIONS_LISTED`]).
    pub consumer_versions: Vec<String>,
    /// The cross-check.
    pub record: CrossCheckRecord,
}

/// A provider version's cross-checks.
#[derive(Debug, Clone)]
pub struct ProviderVersionCrossChecks {
    /// The provider contract.
    pub contract: ProviderContractFacts,
    /// One per consumer contract it was (or is being) checked against, by consumer.
    pub checks: Vec<ConsumerCrossCheck>,
}

/// What the coverage of a provider version's document is computed from.
#[derive(Debug, Clone)]
pub struct CoverageSources {
    /// The provider contract.
    pub contract: ProviderContractFacts,
    /// The document as text.
    pub document: String,
    /// The consumer contracts its cross-checks list (the same set, in the same order).
    pub contracts: Vec<CoveringContractSource>,
}

/// A consumer contract a coverage is computed from.
#[derive(Debug, Clone)]
pub struct CoveringContractSource {
    /// The consumer.
    pub consumer: String,
    /// The contract's content hash.
    pub pact_sha: String,
    /// The contract (JSON text).
    pub content: String,
}

/// Consumer versions listed per cross-check.
pub const VERSIONS_LISTED: usize = 20;

/// The consumer contracts listed with a provider contract — those with a cross-check of it,
/// pending or done — by provider contract hash (`$1`), provider id (`$2`) and consumer name
/// (`$3`, every consumer when empty). One definition, so a coverage is computed from exactly the
/// contracts the cross-checks list.
const CHECKED_CONTRACTS: &str = "FROM cross_checks x \
     JOIN pact_versions pv ON pv.sha = x.pact_sha AND pv.provider_id = $2 \
     JOIN pacticipants c ON c.id = pv.consumer_id \
     WHERE x.provider_contract_sha = $1 AND ($3 = '' OR c.name = $3) \
     ORDER BY c.name, x.id";

const RECORD_COLUMNS: &str = "x.id, x.pact_sha, x.provider_contract_sha, x.created_at, x.status, \
     x.success, x.findings, x.error, x.computed_at";

fn record(row: &Row) -> CrossCheckRecord {
    let outcome = (row.text(4) == status::DONE).then(|| {
        let findings = row.opt_text(6);
        CrossCheckOutcome {
            success: row.opt_bool(5).unwrap_or(false),
            // Written by this module from a `CrossCheck`; an unreadable one reads as empty,
            // and its `success` column still says what it was.
            result: findings
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default(),
            error: row.opt_text(7),
            computed_at: row.opt_int(8).unwrap_or_default(),
        }
    });
    CrossCheckRecord {
        id: row.int(0),
        pact_sha: row.text(1),
        provider_contract_sha: row.text(2),
        created_at: row.int(3),
        outcome,
    }
}

/// Enqueues the pair (does nothing when it is stored already). Returns whether it was new.
async fn enqueue(
    tx: &mut Tx,
    pact_version_id: i64,
    pact_sha: &str,
    provider_contract_sha: &str,
) -> Result<bool> {
    let inserted = tx
        .execute(
            "INSERT INTO cross_checks (pact_sha, pact_version_id, provider_contract_sha, status, \
             attempts, created_at) VALUES ($1, $2, $3, $4, 0, $5) \
             ON CONFLICT (pact_sha, provider_contract_sha) DO NOTHING",
            args![
                pact_sha,
                pact_version_id,
                provider_contract_sha,
                status::PENDING,
                now()
            ],
        )
        .await?;
    Ok(inserted > 0)
}

/// The content hashes of the provider contracts a new consumer contract for provider `$1` is
/// checked against (see the module's documentation).
pub(crate) const PROVIDER_CONTRACTS_TO_CHECK: &str = "SELECT DISTINCT pc.content_sha \
     FROM provider_contracts pc \
     WHERE pc.provider_id = $1 AND pc.content_sha IS NOT NULL AND ( \
       pc.provider_version_id IN (SELECT h.version_id FROM branch_heads h \
         JOIN branches b ON b.id = h.branch_id WHERE b.pacticipant_id = $1) \
       OR pc.provider_version_id IN (SELECT version_id FROM tag_heads WHERE pacticipant_id = $1) \
       OR pc.provider_version_id IN (SELECT version_id FROM deployed_versions \
         WHERE pacticipant_id = $1 AND currently_deployed) \
       OR pc.provider_version_id IN (SELECT version_id FROM released_versions \
         WHERE pacticipant_id = $1 AND currently_supported) \
       OR pc.provider_version_id = (SELECT MAX(provider_version_id) FROM provider_contracts \
         WHERE provider_id = $1))";

/// In a consumer contract's publication: enqueues its content (`pact_version_id`) against the
/// provider contracts the gate is likely to pair it with (see the module's documentation).
/// Returns how many pairs are new.
///
/// `shas` are the rows of [`PROVIDER_CONTRACTS_TO_CHECK`] for the contract's provider, read in
/// the same transaction (with the publication's other statements, in one batch).
pub(crate) async fn enqueue_for_consumer_contract(
    tx: &mut Tx,
    pact_version_id: i64,
    shas: &[Row],
) -> Result<usize> {
    if shas.is_empty() {
        return Ok(0);
    }
    let pact_sha = tx
        .row(
            "SELECT sha FROM pact_versions WHERE id = $1",
            args![pact_version_id],
        )
        .await?
        .map(|row| row.text(0))
        .expect("the contract was just stored");
    let mut new = 0;
    for row in shas {
        new += usize::from(enqueue(tx, pact_version_id, &pact_sha, &row.text(0)).await?);
    }
    Ok(new)
}

/// In a provider contract's publication: enqueues it (by content hash) against the consumer
/// contracts the gate is likely to pair it with (see the module's documentation). Returns how
/// many pairs are new.
pub(crate) async fn enqueue_for_provider_contract(
    tx: &mut Tx,
    provider_id: i64,
    provider_contract_sha: &str,
) -> Result<usize> {
    let contracts = tx
        .rows(
            "SELECT DISTINCT l.pact_version_id, pv.sha FROM latest_pact_publications l \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             WHERE l.provider_id = $1 AND ( \
               l.consumer_version_id IN (SELECT h.version_id FROM branch_heads h \
                 JOIN branches b ON b.id = h.branch_id WHERE b.pacticipant_id = l.consumer_id) \
               OR l.consumer_version_id IN (SELECT version_id FROM tag_heads \
                 WHERE pacticipant_id = l.consumer_id) \
               OR l.consumer_version_id IN (SELECT version_id FROM deployed_versions \
                 WHERE pacticipant_id = l.consumer_id AND currently_deployed) \
               OR l.consumer_version_id IN (SELECT version_id FROM released_versions \
                 WHERE pacticipant_id = l.consumer_id AND currently_supported) \
               OR l.consumer_version_id = (SELECT MAX(l2.consumer_version_id) \
                 FROM latest_pact_publications l2 \
                 WHERE l2.provider_id = l.provider_id AND l2.consumer_id = l.consumer_id))",
            args![provider_id],
        )
        .await?;
    let mut new = 0;
    for row in &contracts {
        new += usize::from(enqueue(tx, row.int(0), &row.text(1), provider_contract_sha).await?);
    }
    Ok(new)
}

/// The pairs a read found without a cross-check: (consumer content id, its hash, provider
/// contract hash).
pub type MissingCrossCheck = (i64, String, String);

impl Store {
    /// Enqueues pairs a read found without a cross-check (the gate asks about a pair no
    /// publication enqueued). Returns how many were new.
    pub async fn enqueue_cross_checks(&self, pairs: &[MissingCrossCheck]) -> Result<usize> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let new = write_tx!(self.db, tx => {
            let mut new = 0;
            for (pact_version_id, pact_sha, provider_contract_sha) in pairs {
                new += usize::from(enqueue(tx, *pact_version_id, pact_sha, provider_contract_sha).await?);
            }
            Ok::<_, StoreError>(new)
        })?;
        self.wake_cross_checks(new);
        Ok(new)
    }

    /// Hashes up to `limit` provider contracts published before migration 0005. Returns how
    /// many it hashed; each is then enqueued like a new publication.
    pub async fn hash_provider_contracts(&self, limit: i64) -> Result<usize> {
        let hashed = write_tx!(self.db, tx => {
            let rows = tx
                .rows(
                    "SELECT id, provider_id, content FROM provider_contracts \
                     WHERE content_sha IS NULL ORDER BY id LIMIT $1",
                    args![limit],
                )
                .await?;
            for row in &rows {
                let sha = content_sha(&row.text(2));
                tx.execute(
                    "UPDATE provider_contracts SET content_sha = $2 WHERE id = $1",
                    args![row.int(0), &sha],
                )
                .await?;
                enqueue_for_provider_contract(tx, row.int(1), &sha).await?;
            }
            Ok::<_, StoreError>(rows.len())
        })?;
        Ok(hashed)
    }

    /// Takes up to `limit` pending cross-checks whose lease is free or expired, leased to
    /// `owner` until `lease_until` (microseconds), with both contents.
    pub async fn lease_cross_checks(
        &self,
        owner: &str,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<LeasedCrossCheck>> {
        write_tx!(self.db, tx => {
            // PostgreSQL: rows another instance is leasing right now are skipped, not waited
            // for. SQLite: this write transaction holds the database's write lock.
            let skip_locked = tx.for_update_skip_locked();
            let sql = format!(
                "UPDATE cross_checks SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM cross_checks WHERE status = '{}' \
                 AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4{skip_locked}) \
                 RETURNING id, pact_version_id, provider_contract_sha",
                status::PENDING
            );
            let leased = tx.rows(&sql, args![owner, lease_until, now(), limit]).await?;
            let mut out = Vec::with_capacity(leased.len());
            for row in &leased {
                let pact = tx
                    .row("SELECT content FROM pact_versions WHERE id = $1", args![row.int(1)])
                    .await?
                    .map(|row| row.text(0))
                    .unwrap_or_default();
                let document = tx
                    .row(
                        "SELECT content FROM provider_contracts WHERE content_sha = $1 LIMIT 1",
                        args![row.text(2)],
                    )
                    .await?
                    .map(|row| row.text(0));
                out.push(LeasedCrossCheck {
                    id: row.int(0),
                    pact,
                    provider_contract_sha: row.text(2),
                    document,
                });
            }
            Ok(out)
        })
    }

    /// Records a leased cross-check's result and ends the lease. Returns false, recording
    /// nothing, when the lease was lost (it expired and another instance took the row).
    pub async fn finish_cross_check(
        &self,
        id: i64,
        owner: &str,
        outcome: std::result::Result<&CrossCheck, &str>,
    ) -> Result<bool> {
        let (success, findings, error) = match outcome {
            Ok(result) => (
                result.success(),
                Some(serde_json::to_string(result).expect("findings are JSON")),
                None,
            ),
            Err(error) => (false, None, Some(error.to_owned())),
        };
        write_tx!(self.db, tx => {
            let updated = tx
                .execute(
                    "UPDATE cross_checks SET status = $3, success = $4, findings = $5, error = $6, \
                     computed_at = $7, lease_owner = NULL, lease_until = NULL \
                     WHERE id = $1 AND lease_owner = $2 AND status = $8",
                    args![id, owner, status::DONE, success, &findings, &error, now(), status::PENDING],
                )
                .await?;
            Ok(updated > 0)
        })
    }

    /// Whether a cross-check is waiting (for the worker, after a poll found none to lease).
    pub async fn cross_checks_waiting(&self) -> Result<bool> {
        read_tx!(self.db, tx => Ok(tx
            .int(
                "SELECT 1 FROM cross_checks WHERE status = $1 LIMIT 1",
                args![status::PENDING],
            )
            .await?
            .is_some()))
    }

    /// One cross-check by id, with the consumer and provider whose contracts it checked.
    pub async fn cross_check(&self, id: i64) -> Result<Option<CrossCheckRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM cross_checks x WHERE x.id = $1");
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![id]).await?.map(|row| record(&row))))
    }

    /// The cross-checks of the provider contract of `provider` version `version` (only those
    /// with `consumer`'s contracts, when given); `None` when that version published no provider
    /// contract.
    pub async fn provider_version_cross_checks(
        &self,
        provider: &str,
        version: &str,
        consumer: Option<&str>,
    ) -> Result<Option<ProviderVersionCrossChecks>> {
        let sql = format!("SELECT {RECORD_COLUMNS}, c.name, pv.id {CHECKED_CONTRACTS}");
        read_tx!(self.db, tx => {
            let Some((version_id, provider_id)) = find_provider_version(tx, provider, version).await? else {
                return Ok(None);
            };
            let Some(contract) = provider_contract_facts(tx, version_id).await? else {
                return Ok(None);
            };
            let mut checks = Vec::new();
            if let Some(sha) = &contract.sha {
                let rows = tx.rows(&sql, args![sha, provider_id, consumer.unwrap_or("")]).await?;
                for row in &rows {
                    let versions = tx
                        .rows(
                            "SELECT v.number FROM latest_pact_publications l \
                             JOIN versions v ON v.id = l.consumer_version_id \
                             WHERE l.pact_version_id = $1 ORDER BY l.consumer_version_id DESC LIMIT $2",
                            args![row.int(10), VERSIONS_LISTED as i64],
                        )
                        .await?;
                    checks.push(ConsumerCrossCheck {
                        consumer: row.text(9),
                        consumer_versions: versions.iter().map(|v| v.text(0)).collect(),
                        record: record(row),
                    });
                }
            }
            Ok(Some(ProviderVersionCrossChecks { contract, checks }))
        })
    }

    /// The document of the provider contract of `provider` version `version` and the consumer
    /// contracts its cross-checks list ([`Store::provider_version_cross_checks`]), for its
    /// coverage; `None` when that version published no provider contract.
    pub async fn provider_version_coverage_sources(
        &self,
        provider: &str,
        version: &str,
    ) -> Result<Option<CoverageSources>> {
        let sql = format!("SELECT c.name, pv.sha, pv.content {CHECKED_CONTRACTS}");
        read_tx!(self.db, tx => {
            let Some((version_id, provider_id)) = find_provider_version(tx, provider, version).await? else {
                return Ok(None);
            };
            let Some(contract) = provider_contract_facts(tx, version_id).await? else {
                return Ok(None);
            };
            let document = tx
                .row(
                    "SELECT content FROM provider_contracts WHERE provider_version_id = $1",
                    args![version_id],
                )
                .await?
                .map(|row| row.text(0))
                .expect("the provider contract was just read");
            let mut contracts = Vec::new();
            if let Some(sha) = &contract.sha {
                for row in tx.rows(&sql, args![sha, provider_id, ""]).await? {
                    contracts.push(CoveringContractSource {
                        consumer: row.text(0),
                        pact_sha: row.text(1),
                        content: row.text(2),
                    });
                }
            }
            Ok(Some(CoverageSources { contract, document, contracts }))
        })
    }
}

/// The id of `provider` version `version` and the provider's id, if the version exists.
async fn find_provider_version(
    tx: &mut Tx,
    provider: &str,
    version: &str,
) -> Result<Option<(i64, i64)>> {
    let Some(version_id) = super::resolve::find_version_id(tx, provider, version).await? else {
        return Ok(None);
    };
    let provider_id = tx
        .int(
            "SELECT pacticipant_id FROM versions WHERE id = $1",
            args![version_id],
        )
        .await?
        .expect("the version exists");
    Ok(Some((version_id, provider_id)))
}

async fn provider_contract_facts(
    tx: &mut Tx,
    provider_version_id: i64,
) -> Result<Option<ProviderContractFacts>> {
    Ok(tx
        .row(
            "SELECT content_sha, verification_success, verifier, created_at \
             FROM provider_contracts WHERE provider_version_id = $1",
            args![provider_version_id],
        )
        .await?
        .map(|row| ProviderContractFacts {
            sha: row.opt_text(0),
            self_verified: row.bool(1),
            verifier: row.opt_text(2),
            created_at: row.int(3),
        }))
}

impl Snapshot {
    /// The provider contract provider version `provider_version_id` published, if any.
    pub(crate) async fn provider_contract_facts(
        &mut self,
        provider_version_id: i64,
    ) -> Result<Option<ProviderContractFacts>> {
        provider_contract_facts(&mut self.tx, provider_version_id).await
    }

    /// The cross-check of the pair, if one is stored (pending or done).
    pub(crate) async fn cross_check_of(
        &mut self,
        pact_sha: &str,
        provider_contract_sha: &str,
    ) -> Result<Option<CrossCheckRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM cross_checks x \
             WHERE x.pact_sha = $1 AND x.provider_contract_sha = $2"
        );
        Ok(self
            .tx
            .row(&sql, args![pact_sha, provider_contract_sha])
            .await?
            .map(|row| record(&row)))
    }

    /// The versions of provider `provider_id` whose provider contract was cross-checked with
    /// content `content_id` (finished checks only), newest first, at most `limit`.
    pub(crate) async fn cross_checked_provider_versions(
        &mut self,
        content_id: i64,
        provider_id: i64,
        limit: usize,
    ) -> Result<Vec<i64>> {
        Ok(self
            .tx
            .rows(
                "SELECT pc.provider_version_id FROM provider_contracts pc \
                 JOIN pact_versions pv ON pv.id = $1 \
                 JOIN cross_checks x ON x.pact_sha = pv.sha AND x.provider_contract_sha = pc.content_sha \
                 WHERE pc.provider_id = $2 AND x.status = $3 \
                 ORDER BY pc.provider_version_id DESC LIMIT $4",
                args![
                    content_id,
                    provider_id,
                    status::DONE,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
            )
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect())
    }

    /// The versions of consumer `consumer_id` whose current contract was cross-checked with
    /// the provider contract of provider version `provider_version_id` (finished checks only),
    /// newest first, at most `limit`.
    pub(crate) async fn consumer_versions_cross_checked_by(
        &mut self,
        provider_version_id: i64,
        consumer_id: i64,
        limit: usize,
    ) -> Result<Vec<i64>> {
        Ok(self
            .tx
            .rows(
                "SELECT l.consumer_version_id FROM provider_contracts pc \
                 JOIN cross_checks x ON x.provider_contract_sha = pc.content_sha AND x.status = $3 \
                 JOIN pact_versions pv ON pv.sha = x.pact_sha AND pv.provider_id = pc.provider_id \
                   AND pv.consumer_id = $2 \
                 JOIN latest_pact_publications l ON l.pact_version_id = pv.id \
                 WHERE pc.provider_version_id = $1 \
                 ORDER BY l.consumer_version_id DESC LIMIT $4",
                args![
                    provider_version_id,
                    consumer_id,
                    status::DONE,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
            )
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect())
    }

    /// Whether content `content_id` passed a cross-check with the provider contract of a
    /// version of provider `provider_id` that `counted` lets count, whose self-verification
    /// passed and which has no pact verification of that content (a pact verification is the
    /// stronger evidence and is counted by `verified_successfully`).
    pub(crate) async fn cross_checked_successfully(
        &mut self,
        content_id: i64,
        provider_id: i64,
        counted: CountedVerifiers<'_>,
    ) -> Result<bool> {
        const PASSED: &str = "FROM provider_contracts pc \
             JOIN pact_versions pv ON pv.id = $1 \
             JOIN cross_checks x ON x.pact_sha = pv.sha AND x.provider_contract_sha = pc.content_sha \
             AND x.status = 'done' AND x.success";
        const COUNTED: &str = "pc.provider_id = $2 AND pc.verification_success \
             AND NOT EXISTS (SELECT 1 FROM latest_verifications lv \
               WHERE lv.pact_version_id = $1 AND lv.provider_version_id = pc.provider_version_id)";
        let found = match counted {
            CountedVerifiers::Branch(branch) => {
                let sql = format!(
                    "SELECT 1 {PASSED} \
                     JOIN branch_versions bv ON bv.version_id = pc.provider_version_id \
                     JOIN branches b ON b.id = bv.branch_id \
                     WHERE {COUNTED} AND b.pacticipant_id = $2 \
                     AND (b.name = $3 OR pc.created_at < COALESCE( \
                         (SELECT created_at FROM branches WHERE pacticipant_id = $2 AND name = $3), $4)) \
                     LIMIT 1"
                );
                self.tx
                    .int(&sql, args![content_id, provider_id, branch, i64::MAX])
                    .await?
            }
            CountedVerifiers::Tags(tags) => {
                let sql = format!(
                    "SELECT 1 {PASSED} JOIN tags t ON t.version_id = pc.provider_version_id \
                     WHERE {COUNTED} AND t.name IN {} LIMIT 1",
                    self.tx.in_list("$3")
                );
                self.tx
                    .int(
                        &sql,
                        vec![
                            content_id.into(),
                            provider_id.into(),
                            Arg::TextList(tags.to_vec()),
                        ],
                    )
                    .await?
            }
            CountedVerifiers::Any => {
                let sql = format!("SELECT 1 {PASSED} WHERE {COUNTED} LIMIT 1");
                self.tx.int(&sql, args![content_id, provider_id]).await?
            }
        };
        Ok(found.is_some())
    }
}
