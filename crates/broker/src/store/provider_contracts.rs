//! Provider contracts (PactFlow's bi-directional contract testing): the OpenAPI document a
//! provider version published, with the provider's own test result. One per provider version;
//! publishing again for that version replaces it, as PactFlow does.
//!
//! Not here: whether the document is readable (the API checks it before storing) or how
//! consumer contracts compare with it (`pactum-openapi`).

use super::cross_checks::{content_sha, enqueue_for_provider_contract};
use super::pacticipants::ensure_pacticipant;
use super::resolve::find_version_id;
use super::versions::{Version, add_tag, add_to_branch, ensure_version, load_version};
use super::{Result, Store, StoreError, now};
use crate::db::{Row, args, read_tx, write_tx};

/// A provider contract to store, with the version facts published with it.
#[derive(Debug, Clone)]
pub struct NewProviderContract {
    /// The provider version number.
    pub provider_version: String,
    /// The branch the version is on, when given.
    pub branch: Option<String>,
    /// Tags to add to the version.
    pub tags: Vec<String>,
    /// The provider build that published it.
    pub build_url: Option<String>,
    /// The document as text.
    pub content: String,
    /// Its media type (`application/yaml`, `application/json`).
    pub content_type: String,
    /// `oas`.
    pub specification: String,
    /// The provider's own test result.
    pub self_verification: SelfVerification,
}

/// What the provider's own tests against its document said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfVerification {
    /// Whether they passed.
    pub success: bool,
    /// The tool that ran them.
    pub verifier: Option<String>,
    /// Its version.
    pub verifier_version: Option<String>,
    /// The report, base64 as published.
    pub content: Option<String>,
    /// The report's media type.
    pub content_type: Option<String>,
    /// The report's format (`text`, `json`, …), as published.
    pub format: Option<String>,
}

/// A stored provider contract.
#[derive(Debug, Clone)]
pub struct ProviderContract {
    /// The provider.
    pub provider: String,
    /// The provider version number.
    pub provider_version: String,
    /// The document as text.
    pub content: String,
    /// Its media type.
    pub content_type: String,
    /// `oas`.
    pub specification: String,
    /// The provider's own test result.
    pub self_verification: SelfVerification,
    /// The provider build that published it.
    pub build_url: Option<String>,
    /// When it was (last) published.
    pub created_at: i64,
}

/// What publishing a provider contract did.
#[derive(Debug, Clone)]
pub struct ProviderContractPublished {
    /// The provider version, with its branches and tags.
    pub version: Version,
    /// Whether the provider version was created by this publication.
    pub version_created: bool,
    /// Whether an earlier contract of this version was replaced.
    pub replaced: bool,
    /// How many cross-checks (against consumer contracts) the publication enqueued.
    pub cross_checks: usize,
}

const PROVIDER_CONTRACT_SELECT: &str = "SELECT p.name, v.number, pc.content, pc.content_type, \
     pc.specification, pc.verification_success, pc.verifier, pc.verifier_version, \
     pc.verification_content, pc.verification_content_type, pc.verification_format, \
     pc.build_url, pc.created_at FROM provider_contracts pc \
     JOIN versions v ON v.id = pc.provider_version_id \
     JOIN pacticipants p ON p.id = pc.provider_id";

fn provider_contract(row: &Row) -> ProviderContract {
    ProviderContract {
        provider: row.text(0),
        provider_version: row.text(1),
        content: row.text(2),
        content_type: row.text(3),
        specification: row.text(4),
        self_verification: SelfVerification {
            success: row.bool(5),
            verifier: row.opt_text(6),
            verifier_version: row.opt_text(7),
            content: row.opt_text(8),
            content_type: row.opt_text(9),
            format: row.opt_text(10),
        },
        build_url: row.opt_text(11),
        created_at: row.int(12),
    }
}

impl Store {
    /// Stores the provider contract of a provider version (provider, version, branch and tags
    /// created when missing), replacing the one that version had.
    pub async fn publish_provider_contract(
        &self,
        provider: &str,
        contract: &NewProviderContract,
    ) -> Result<ProviderContractPublished> {
        let sha = content_sha(&contract.content);
        let published = write_tx!(self.db, tx => {
            let provider_id = ensure_pacticipant(tx, provider).await?;
            let (version_id, version_created) =
                ensure_version(tx, provider_id, &contract.provider_version).await?;
            if let Some(build_url) = &contract.build_url {
                tx.execute(
                    "UPDATE versions SET build_url = $2, updated_at = $3 WHERE id = $1",
                    args![version_id, build_url, now()],
                )
                .await?;
            }
            if let Some(branch) = &contract.branch {
                add_to_branch(tx, provider_id, version_id, branch).await?;
            }
            for tag in &contract.tags {
                add_tag(tx, provider_id, version_id, tag).await?;
            }
            let replaced = tx
                .execute(
                    "DELETE FROM provider_contracts WHERE provider_version_id = $1",
                    args![version_id],
                )
                .await?
                > 0;
            let verification = &contract.self_verification;
            tx.execute(
                "INSERT INTO provider_contracts (provider_version_id, provider_id, content, \
                 content_type, specification, verification_success, verifier, \
                 verifier_version, verification_content, verification_content_type, \
                 verification_format, build_url, created_at, content_sha) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                args![
                    version_id,
                    provider_id,
                    &contract.content,
                    &contract.content_type,
                    &contract.specification,
                    verification.success,
                    &verification.verifier,
                    &verification.verifier_version,
                    &verification.content,
                    &verification.content_type,
                    &verification.format,
                    &contract.build_url,
                    now(),
                    &sha
                ],
            )
            .await?;
            // Cross-checks against the consumers' contracts: enqueued with the publication,
            // computed off the request path.
            let cross_checks = enqueue_for_provider_contract(tx, provider_id, &sha).await?;
            Ok::<_, StoreError>(ProviderContractPublished {
                version: load_version(tx, version_id).await?,
                version_created,
                replaced,
                cross_checks,
            })
        })?;
        self.wake_cross_checks(published.cross_checks);
        Ok(published)
    }

    /// The provider contract of a provider version, if it published one.
    pub async fn provider_contract(
        &self,
        provider: &str,
        version: &str,
    ) -> Result<Option<ProviderContract>> {
        let sql = format!("{PROVIDER_CONTRACT_SELECT} WHERE pc.provider_version_id = $1");
        read_tx!(self.db, tx => {
            let Some(version_id) = find_version_id(tx, provider, version).await? else {
                return Ok(None);
            };
            Ok(tx.row(&sql, args![version_id]).await?.map(|row| provider_contract(&row)))
        })
    }
}
