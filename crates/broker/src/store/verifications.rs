//! Verification results: what a provider version reported for a contract's content, with the
//! `latest_verifications` head row per content and provider version.

use serde_json::Value;

use super::versions::ensure_version;
use super::{Result, Store, StoreError, now};
use crate::db::{Row, args, read_tx, write_tx};

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
        write_tx!(self.db, tx => {
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
            let sql = format!("{VERIFICATION_SELECT} WHERE vr.id = $1");
            Ok(verification(&tx.row(&sql, args![id]).await?.expect("just inserted")))
        })
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
