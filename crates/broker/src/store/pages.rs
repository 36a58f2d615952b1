//! Reads for the web pages: each answers one page's question with a bounded number of
//! statements, through the indexes and head tables, so a page costs the same on a broker with
//! ten integrations and on one with ten thousand.

use super::environments::{ENVIRONMENT_COLUMNS, environment};
use super::pacticipants::require_pacticipant;
use super::versions::load_versions;
use super::{Environment, Result, Store, StoreError, Version};
use crate::db::{args, read_tx};

/// One row of the integrations page: a consumer/provider pair, its latest contract and the
/// newest verification of that contract's content.
#[derive(Debug, Clone)]
pub struct IntegrationOverview {
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The latest contract, when one is published (deleting versions can leave none).
    pub contract: Option<ContractOverview>,
    /// The newest verification of the latest contract's content.
    pub verification: Option<VerificationOverview>,
    /// Whether some earlier content of this pair was ever verified.
    pub verified_before: bool,
    /// The outcome of the newest finished delivery of an enabled webhook for this pair, when
    /// one was attempted.
    pub webhook: Option<WebhookOutcome>,
}

/// How a webhook delivery ended (so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The receiver accepted it.
    Delivered,
    /// Its attempts failed (it may still be retried).
    Failing,
}

/// The latest contract of a pair.
#[derive(Debug, Clone)]
pub struct ContractOverview {
    /// The consumer version that published it.
    pub consumer_version: String,
    /// One of its branches (the first it was put on).
    pub branch: Option<String>,
    /// Its content hash.
    pub sha: String,
    /// When it was published.
    pub created_at: i64,
}

/// A verification, as lists show it.
#[derive(Debug, Clone)]
pub struct VerificationOverview {
    /// Its number.
    pub id: i64,
    /// The provider version that verified.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// When it was published.
    pub created_at: i64,
}

/// Which integrations a page shows.
#[derive(Debug, Clone, Default)]
pub struct IntegrationFilter {
    /// Part of the consumer's or provider's name (any case).
    pub name: Option<String>,
    /// The latest contract's consumer version is on this branch.
    pub branch: Option<String>,
    /// The consumer or the provider has a version deployed or released in this environment
    /// (by name).
    pub environment: Option<String>,
    /// Start after this consumer and provider (the last row of the previous page).
    pub after: Option<(String, String)>,
}

/// `%` and `_` are wildcards in LIKE: a name part containing them means them literally.
fn like_pattern(part: &str) -> String {
    let mut pattern = String::from("%");
    for c in part.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The newest publication of the pair `i` (an integrations row): its consumer version id.
const LATEST_OF_PAIR: &str = "(SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
     WHERE l2.provider_id = i.provider_id AND l2.consumer_id = i.consumer_id)";

/// The newest delivery to the pair of row `i` (consumer `c`, provider `p`) that has an outcome
/// (attempted: succeeded, failed or waiting to be retried), of a webhook that still exists and
/// is enabled, triggered by an event (not a person's test run): its id. Read backwards through
/// the `(provider_name, consumer_name, id)` index.
const NEWEST_DELIVERY_OF_PAIR: &str = "(SELECT MAX(d.id) FROM webhook_deliveries d \
     WHERE d.provider_name = p.name AND d.consumer_name = c.name \
     AND d.trigger_type = 'resource_creation' \
     AND d.status IN ('success', 'failure', 'retrying') \
     AND EXISTS (SELECT 1 FROM webhooks w WHERE w.uuid = d.webhook_uuid AND w.enabled))";

impl Store {
    /// A page of integrations by consumer then provider name, at most `limit`, with their
    /// latest contract and its newest verification: one statement, keyed on the names, so
    /// every page costs the same. Verifications are found through `latest_verifications` (the
    /// newest result overall is the newest of its provider version), never by reading history.
    pub async fn integrations_overview(
        &self,
        filter: &IntegrationFilter,
        limit: usize,
    ) -> Result<Vec<IntegrationOverview>> {
        let sql = format!(
            "SELECT c.name, p.name, cv.number, pv.sha, lp.created_at, \
             (SELECT MIN(b.name) FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id \
              WHERE bv.version_id = lp.consumer_version_id), \
             vr.id, prv.number, vr.success, vr.created_at, \
             CASE WHEN EXISTS (SELECT 1 FROM pact_versions px \
                  JOIN latest_verifications vx ON vx.pact_version_id = px.id \
                  WHERE px.consumer_id = i.consumer_id AND px.provider_id = i.provider_id) \
             THEN TRUE ELSE FALSE END, \
             wd.status \
             FROM integrations i \
             JOIN pacticipants c ON c.id = i.consumer_id \
             JOIN pacticipants p ON p.id = i.provider_id \
             LEFT JOIN latest_pact_publications lp ON lp.provider_id = i.provider_id \
                  AND lp.consumer_version_id = {LATEST_OF_PAIR} \
             LEFT JOIN versions cv ON cv.id = lp.consumer_version_id \
             LEFT JOIN pact_versions pv ON pv.id = lp.pact_version_id \
             LEFT JOIN verifications vr ON vr.id = \
                  (SELECT MAX(v2.verification_id) FROM latest_verifications v2 \
                   WHERE v2.pact_version_id = lp.pact_version_id) \
             LEFT JOIN versions prv ON prv.id = vr.provider_version_id \
             LEFT JOIN webhook_deliveries wd ON wd.id = {NEWEST_DELIVERY_OF_PAIR} \
             WHERE ($1 IS NULL OR c.name > $1 OR (c.name = $1 AND p.name > $2)) \
             AND ($3 IS NULL OR LOWER(c.name) LIKE $3 ESCAPE '\\' OR LOWER(p.name) LIKE $3 ESCAPE '\\') \
             AND ($4 IS NULL OR EXISTS (SELECT 1 FROM branch_versions bv \
                  JOIN branches b ON b.id = bv.branch_id \
                  WHERE bv.version_id = lp.consumer_version_id AND b.name = $4)) \
             AND ($5 IS NULL OR EXISTS (SELECT 1 FROM environments e \
                  WHERE e.name = $5 AND ( \
                  EXISTS (SELECT 1 FROM deployed_versions d WHERE d.environment_id = e.id \
                          AND d.currently_deployed AND d.pacticipant_id IN (i.consumer_id, i.provider_id)) \
                  OR EXISTS (SELECT 1 FROM released_versions r WHERE r.environment_id = e.id \
                          AND r.currently_supported AND r.pacticipant_id IN (i.consumer_id, i.provider_id))))) \
             ORDER BY c.name, p.name LIMIT $6"
        );
        let (after_consumer, after_provider) = match &filter.after {
            Some((consumer, provider)) => (Some(consumer.as_str()), Some(provider.as_str())),
            None => (None, None),
        };
        let name = filter.name.as_deref().map(like_pattern);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_tx!(self.db, tx => {
            let rows = tx
                .rows(
                    &sql,
                    args![
                        after_consumer,
                        after_provider,
                        name,
                        filter.branch.as_deref(),
                        filter.environment.as_deref(),
                        limit
                    ],
                )
                .await?;
            Ok::<_, StoreError>(
                rows.iter()
                    .map(|row| IntegrationOverview {
                        consumer: row.text(0),
                        provider: row.text(1),
                        contract: row.opt_text(2).map(|consumer_version| ContractOverview {
                            consumer_version,
                            sha: row.text(3),
                            created_at: row.int(4),
                            branch: row.opt_text(5),
                        }),
                        verification: row.opt_int(6).map(|id| VerificationOverview {
                            id,
                            provider_version: row.text(7),
                            success: row.bool(8),
                            created_at: row.int(9),
                        }),
                        verified_before: row.bool(10),
                        webhook: match row.opt_text(11).as_deref() {
                            Some("success") => Some(WebhookOutcome::Delivered),
                            Some(_) => Some(WebhookOutcome::Failing),
                            None => None,
                        },
                    })
                    .collect(),
            )
        })
    }

    /// A pacticipant's newest versions (at most `limit`), with branches and tags: four
    /// statements however many.
    pub async fn recent_versions(&self, pacticipant: &str, limit: usize) -> Result<Vec<Version>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            load_versions(
                tx,
                "SELECT id FROM versions WHERE pacticipant_id = $1 ORDER BY id DESC LIMIT $2",
                args![p.id, limit],
            )
            .await
        })
    }

    /// Which of `pacticipant`'s newest `limit` versions published a provider contract (an
    /// OpenAPI document): their numbers, for links to their cross-checks. One statement.
    pub async fn versions_with_provider_contracts(
        &self,
        pacticipant: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            Ok::<_, StoreError>(
                tx.rows(
                    "SELECT v.number FROM provider_contracts pc \
                     JOIN versions v ON v.id = pc.provider_version_id \
                     WHERE pc.provider_version_id IN \
                     (SELECT id FROM versions WHERE pacticipant_id = $1 ORDER BY id DESC LIMIT $2)",
                    args![p.id, limit],
                )
                .await?
                .iter()
                .map(|row| row.text(0))
                .collect(),
            )
        })
    }

    /// For the contract page: `None` when `provider` has published no OpenAPI document;
    /// otherwise the provider versions (newest first, at most `limit`) whose document was
    /// (or is being) cross-checked against the consumer contract content `pact_sha`.
    pub async fn cross_checks_of_contract(
        &self,
        provider: &str,
        pact_sha: &str,
        limit: usize,
    ) -> Result<Option<Vec<ContractCrossCheck>>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, provider).await?;
            let documents = tx
                .row("SELECT 1 FROM provider_contracts WHERE provider_id = $1 LIMIT 1", args![p.id])
                .await?;
            if documents.is_none() {
                return Ok(None);
            }
            Ok::<_, StoreError>(Some(
                tx.rows(
                    "SELECT v.number, x.status, x.success FROM cross_checks x \
                     JOIN provider_contracts pc ON pc.content_sha = x.provider_contract_sha \
                          AND pc.provider_id = $2 \
                     JOIN versions v ON v.id = pc.provider_version_id \
                     WHERE x.pact_sha = $1 ORDER BY v.id DESC LIMIT $3",
                    args![pact_sha, p.id, limit],
                )
                .await?
                .iter()
                .map(|row| ContractCrossCheck {
                    provider_version: row.text(0),
                    passed: (row.text(1) == "done").then(|| row.opt_bool(2).unwrap_or(false)),
                })
                .collect(),
            ))
        })
    }

    /// Every version currently deployed or released anywhere (of the given pacticipants, when
    /// given), by environment name then pacticipant: the environments page, the pacticipant
    /// page and the integrations page (for the pacticipants of its rows, in one statement).
    pub async fn current_placements(
        &self,
        pacticipants: Option<&[String]>,
    ) -> Result<Vec<Placement>> {
        read_tx!(self.db, tx => {
            let names = tx.in_list("$2");
            let sql = format!("SELECT x.kind, x.pacticipant, x.number, x.instance, x.created_at, \
             e.name, e.display_name, e.production FROM ( \
               SELECT 'deployed' AS kind, p.name AS pacticipant, v.number AS number, \
                      d.application_instance AS instance, d.created_at AS created_at, \
                      d.environment_id AS environment_id \
               FROM deployed_versions d JOIN pacticipants p ON p.id = d.pacticipant_id \
               JOIN versions v ON v.id = d.version_id \
               WHERE d.currently_deployed AND (NOT $1 OR p.name IN {names}) \
               UNION ALL \
               SELECT 'released', p.name, v.number, '', r.created_at, r.environment_id \
               FROM released_versions r JOIN pacticipants p ON p.id = r.pacticipant_id \
               JOIN versions v ON v.id = r.version_id \
               WHERE r.currently_supported AND (NOT $1 OR p.name IN {names}) \
             ) x JOIN environments e ON e.id = x.environment_id \
             ORDER BY e.name, x.pacticipant, x.created_at");
            let scoped = pacticipants.is_some();
            let names = crate::db::Arg::TextList(pacticipants.unwrap_or_default().to_vec());
            Ok::<_, StoreError>(
                tx.rows(&sql, vec![crate::db::Arg::from(scoped), names])
                    .await?
                    .iter()
                    .map(|row| Placement {
                        released: row.text(0) == "released",
                        pacticipant: row.text(1),
                        version: row.text(2),
                        application_instance: row.opt_text(3).filter(|i| !i.is_empty()),
                        since: row.int(4),
                        environment: row.text(5),
                        environment_display_name: row.opt_text(6),
                        production: row.bool(7),
                    })
                    .collect(),
            )
        })
    }

    /// Every environment, by name.
    pub async fn all_environments(&self) -> Result<Vec<Environment>> {
        let sql = format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name");
        read_tx!(self.db, tx => Ok::<_, StoreError>(tx.rows(&sql, args![]).await?.iter().map(environment).collect()))
    }

    /// The pairs `pacticipant` is part of, and the pairs of its partners (for the network
    /// graph): consumer and provider names, at most `limit`.
    pub async fn neighbourhood(
        &self,
        pacticipant: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            Ok::<_, StoreError>(
                tx.rows(
                    "SELECT c.name, pr.name FROM integrations i \
                     JOIN pacticipants c ON c.id = i.consumer_id \
                     JOIN pacticipants pr ON pr.id = i.provider_id \
                     WHERE i.consumer_id = $1 OR i.provider_id = $1 \
                     ORDER BY c.name, pr.name LIMIT $2",
                    args![p.id, limit],
                )
                .await?
                .iter()
                .map(|row| (row.text(0), row.text(1)))
                .collect(),
            )
        })
    }
}

/// A provider version whose OpenAPI document was cross-checked against a consumer contract.
#[derive(Debug, Clone)]
pub struct ContractCrossCheck {
    /// The provider version that published the document.
    pub provider_version: String,
    /// Whether the check passed; `None` while it is being computed.
    pub passed: Option<bool>,
}

/// A version currently deployed or released in an environment.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Released (supported) rather than deployed (running).
    pub released: bool,
    /// The pacticipant.
    pub pacticipant: String,
    /// The version.
    pub version: String,
    /// Which instance, for a deployment that names one.
    pub application_instance: Option<String>,
    /// Since when.
    pub since: i64,
    /// The environment's name.
    pub environment: String,
    /// The environment's display name.
    pub environment_display_name: Option<String>,
    /// Whether it is a production environment.
    pub production: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_name_part_are_literal() {
        assert_eq!(like_pattern("Web_Shop%"), "%web\\_shop\\%%");
    }
}
