//! Cross-checks (bi-directional contract testing): consumer contracts checked against a
//! provider version's OpenAPI document, with the comparator's codes. pactum's own resources —
//! PactFlow publishes no API for them —: `GET /cross-checks/provider/{p}/version/{v}` (every
//! consumer contract the document was checked against), `…/consumer/{c}` (one consumer's), and
//! `GET /cross-checks/{id}` (one check). The matrix summarises each in a row's `crossCheck`
//! ([`crate::matrix::MatrixCrossCheck`]).

use serde::{Deserialize, Serialize};

use crate::hal::SelfLinks;

/// The state of a cross-check.
pub mod status {
    /// Being computed.
    pub const PENDING: &str = "pending";
    /// Computed: no finding is an error.
    pub const SUCCESS: &str = "success";
    /// Computed: an error was found, or the check could not run.
    pub const FAILURE: &str = "failure";
}

/// `GET /cross-checks/provider/{p}/version/{v}[/consumer/{c}]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProviderVersionCrossChecks {
    /// The provider.
    pub provider: String,
    /// The provider version.
    pub provider_version: String,
    /// The version's OpenAPI document.
    pub provider_contract: CrossCheckedContract,
    /// One per consumer contract the document was checked against (or is being), by consumer.
    pub cross_checks: Vec<CrossCheckResource>,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The provider contract of a cross-check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CrossCheckedContract {
    /// SHA-256 of the document's text (absent until a document published by an older pactum
    /// has been hashed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// Whether the provider's own tests against the document passed.
    pub self_verification_success: bool,
    /// The tool that ran them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
}

/// `GET /cross-checks/{id}`, and each entry of [`ProviderVersionCrossChecks`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CrossCheckResource {
    /// Its id.
    pub id: i64,
    /// The consumer whose contract was checked (absent in `GET /cross-checks/{id}`, which
    /// several consumers' identical contracts may share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// The consumer versions whose current contract has this content, newest first (at most
    /// 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumer_versions: Vec<String>,
    /// The consumer contract's content hash.
    pub pact_sha: String,
    /// The provider contract's content hash.
    pub provider_contract_sha: String,
    /// [`status::PENDING`], [`status::SUCCESS`] or [`status::FAILURE`].
    pub status: String,
    /// Why the check could not run (one of the contracts cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// HTTP interactions checked.
    pub interactions_checked: u64,
    /// Interactions not checked (messages: an OpenAPI document does not describe them).
    pub interactions_skipped: u64,
    /// Errors and warnings, in interaction order.
    pub findings: Vec<CrossCheckFinding>,
    /// When it was enqueued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_at: Option<String>,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// One finding, with PactFlow's comparator code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CrossCheckFinding {
    /// The comparator code, e.g. `response.body.incompatible`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// The interaction's position in the contract.
    pub interaction: u64,
    /// The interaction's description.
    pub description: String,
    /// Its provider states, joined with `, `.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub provider_state: String,
    /// Where in the contract: `[root].interactions[2].response.body.total`.
    pub contract_location: String,
    /// Where in the document: `[root].paths./orders/{id}.get.responses.200…`.
    pub document_location: String,
    /// The operation the interaction was routed to: `GET /orders/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}
