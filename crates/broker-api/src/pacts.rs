//! What the broker adds to a contract it serves (`_links`, `createdAt`), the latest contracts
//! of a provider, and the diff with the previous distinct contract.
//!
//! The contract itself is the consumer's document, not a broker resource: it stays JSON.

use serde::{Deserialize, Serialize};

use crate::hal::Link;

/// The broker's members of a served contract: read them from the contract document (other
/// members are ignored), or write them after its members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PactResource {
    /// The contract's relations.
    #[serde(rename = "_links")]
    pub links: PactLinks,
    /// When this version published it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// The relations of a served contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactLinks {
    /// The contract published by this consumer version.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The consumer.
    #[serde(rename = "pb:consumer", skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Link>,
    /// The consumer version.
    #[serde(
        rename = "pb:consumer-version",
        skip_serializing_if = "Option::is_none"
    )]
    pub consumer_version: Option<Link>,
    /// The provider (its `pb:branch-version` and `pb:version-tag` templates are where a
    /// verifier records its own version's branch and tags).
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
    /// The content, by hash.
    #[serde(rename = "pb:pact-version", skip_serializing_if = "Option::is_none")]
    pub pact_version: Option<Link>,
    /// The latest contract between the pair.
    #[serde(
        rename = "pb:latest-pact-version",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_pact_version: Option<Link>,
    /// What changed since the previous distinct content.
    #[serde(
        rename = "pb:diff-previous-distinct",
        skip_serializing_if = "Option::is_none"
    )]
    pub diff_previous_distinct: Option<Link>,
    /// Where to POST a verification result.
    #[serde(
        rename = "pb:publish-verification-results",
        skip_serializing_if = "Option::is_none"
    )]
    pub publish_verification_results: Option<Link>,
    /// The latest verification result of the content.
    #[serde(
        rename = "pb:latest-verification-results",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_verification_results: Option<Link>,
}

/// `GET /pacts/provider/{p}/latest[/{tag}]`: the latest contract of each consumer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderPacts {
    /// The contracts, as links.
    #[serde(rename = "_links")]
    pub links: ProviderPactsLinks,
}

/// The relations of a provider's latest contracts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderPactsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The provider.
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
    /// The same, under the older relation name.
    #[serde(rename = "provider", skip_serializing_if = "Option::is_none")]
    pub provider_legacy: Option<Link>,
    /// One contract per consumer, named by the consumer.
    #[serde(rename = "pb:pacts", deserialize_with = "crate::de::links")]
    pub pacts: Vec<Link>,
    /// The same, under the older relation name.
    #[serde(rename = "pacts", deserialize_with = "crate::de::links")]
    pub pacts_legacy: Vec<Link>,
}

/// `GET …/version/{v}/diff/previous-distinct`: interactions added, removed and changed since
/// the previous distinct content, by description and provider states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactDiff {
    /// This version's contract.
    pub current: DiffSide,
    /// The previous distinct contract (`null` when this is the first).
    pub previous: Option<DiffSide>,
    /// Interactions only in the current contract.
    pub added: Vec<String>,
    /// Interactions only in the previous one.
    pub removed: Vec<String>,
    /// Interactions in both, with different content.
    pub changed: Vec<String>,
    /// The diff, the contract and the previous one.
    #[serde(rename = "_links")]
    pub links: PactDiffLinks,
}

/// One side of a diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DiffSide {
    /// The consumer version that published it.
    pub consumer_version: String,
    /// Its content hash.
    pub sha: String,
}

/// The relations of a diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactDiffLinks {
    /// The diff.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The current contract.
    #[serde(rename = "pb:pact", skip_serializing_if = "Option::is_none")]
    pub pact: Option<Link>,
    /// The previous distinct contract (`null` when there is none).
    #[serde(rename = "pb:previous-distinct")]
    pub previous_distinct: Option<Link>,
}
