//! Cross-checks (bi-directional contract testing): consumer contracts checked against a
//! provider version's OpenAPI document, with the comparator's codes. pactum's own resources —
//! PactFlow publishes no API for them —: `GET /cross-checks/provider/{p}/version/{v}` (every
//! consumer contract the document was checked against), `…/consumer/{c}` (one consumer's), and
//! `GET /cross-checks/{id}` (one check). The matrix summarises each in a row's `crossCheck`
//! ([`crate::matrix::MatrixCrossCheck`]). `GET /cross-checks/provider/{p}/version/{v}/coverage`
//! ([`ProviderVersionCoverage`]): which parts of the document those contracts rely on.

use serde::{Deserialize, Serialize};

use crate::hal::{Link, SelfLinks};

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
    /// `self` and `pactum:coverage`.
    #[serde(rename = "_links")]
    pub links: CrossChecksLinks,
}

/// The `_links` of [`ProviderVersionCrossChecks`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrossChecksLinks {
    /// `self`: the resource itself.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// `pactum:coverage`: the document's coverage by the consumer contracts checked against it
    /// (all consumers', also from a one-consumer resource).
    #[serde(rename = "pactum:coverage", skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Link>,
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

/// `GET /cross-checks/provider/{p}/version/{v}/coverage`: which operations, response statuses,
/// parameters and body fields of a provider version's OpenAPI document the consumer contracts
/// cross-checked against it (the contracts [`ProviderVersionCrossChecks`] lists) rely on, and
/// which none does — what the provider can change freely.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProviderVersionCoverage {
    /// The provider.
    pub provider: String,
    /// The provider version.
    pub provider_version: String,
    /// SHA-256 of the document's text (absent until a document published by an older pactum
    /// has been hashed; no contract is listed until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_contract_sha: Option<String>,
    /// The consumer contracts the coverage was computed from, by consumer.
    pub contracts: Vec<CoveringContract>,
    /// How much of the document they use.
    pub totals: CoverageTotals,
    /// Every operation of the document, in document order.
    pub operations: Vec<OperationCoverage>,
    /// HTTP interactions no operation of the document serves, as `consumer: description`.
    pub unrouted: Vec<String>,
    /// `self`, `pactum:cross-checks` and `pb:provider`.
    #[serde(rename = "_links")]
    pub links: CoverageLinks,
}

/// A consumer contract a coverage was computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CoveringContract {
    /// Its consumer.
    pub consumer: String,
    /// Its content hash.
    pub pact_sha: String,
    /// Why it was left out: it cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How many operations, statuses and fields of a document at least one consumer uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoverageTotals {
    /// Operations.
    pub operations: UsedOfAll,
    /// Response statuses, over all operations.
    pub statuses: UsedOfAll,
    /// Request and response body fields, over all operations and statuses.
    pub fields: UsedOfAll,
}

/// A count of parts used, of all there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsedOfAll {
    /// Used by at least one consumer.
    pub used: u64,
    /// In the document.
    pub all: u64,
}

/// One operation of the document and who relies on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OperationCoverage {
    /// `GET /orders/{id}`.
    pub operation: String,
    /// The consumers calling it (sorted; empty: free to change).
    pub used_by: Vec<String>,
    /// Its parameters.
    pub parameters: Vec<ParameterCoverage>,
    /// The fields of its request bodies.
    pub request_fields: Vec<FieldCoverage>,
    /// Its response statuses.
    pub statuses: Vec<StatusCoverage>,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ParameterCoverage {
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Its name.
    pub name: String,
    /// The consumers sending it.
    pub used_by: Vec<String>,
}

/// One response status of an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StatusCoverage {
    /// As the document writes it: `200`, `4XX`, `default`.
    pub status: String,
    /// The consumers expecting it.
    pub used_by: Vec<String>,
    /// The fields of its bodies (every media type's).
    pub fields: Vec<FieldCoverage>,
}

/// One field of a body schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldCoverage {
    /// Its path: `items[].name`.
    pub field: String,
    /// The consumers relying on it.
    pub used_by: Vec<String>,
}

/// The `_links` of [`ProviderVersionCoverage`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoverageLinks {
    /// `self`: the resource itself.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// `pactum:cross-checks`: the cross-checks of the same contracts against the document.
    #[serde(
        rename = "pactum:cross-checks",
        skip_serializing_if = "Option::is_none"
    )]
    pub cross_checks: Option<Link>,
    /// `pb:provider`: the provider.
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
}
