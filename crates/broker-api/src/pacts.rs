//! What the broker adds to a contract it serves (`_links`, `createdAt`), lists of contracts (a
//! provider's, every pair's latest, a pair's by consumer version tag), and the diff with the
//! previous distinct contract.
//!
//! The contract itself is the consumer's document, not a broker resource: it stays JSON.

use serde::{Deserialize, Serialize};

use crate::hal::{Link, SelfLinks};
use crate::pacticipants::VersionSummary;

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

/// A provider's contracts: `GET /pacts/provider/{p}/latest[/{tag}]`, the latest contract of
/// each consumer (of its versions with a tag); `GET /pacts/provider/{p}[/tag/{tag}]`, every
/// consumer version's contract (with a tag).
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

/// `GET /pacts/latest`: the latest contract of every consumer/provider pair, by consumer and
/// provider name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestPacts {
    /// The contracts.
    pub pacts: Vec<LatestPact>,
    /// The list, and each contract as a link.
    #[serde(rename = "_links")]
    pub links: LatestPactsLinks,
}

/// The relations of the latest contracts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestPactsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The latest contract of each pair.
    #[serde(rename = "pb:pacts", deserialize_with = "crate::de::links")]
    pub pacts: Vec<Link>,
    /// The same, under the older relation name.
    #[serde(rename = "pacts", deserialize_with = "crate::de::links")]
    pub pacts_legacy: Vec<Link>,
    /// Where the `pb:` relations are documented (`{rel}` is the name after `pb:`).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::de::links"
    )]
    pub curies: Vec<Link>,
}

/// One pair's latest contract in [`LatestPacts`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LatestPact {
    /// When the consumer version published it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The consumer (with the version that published it) and the provider.
    #[serde(rename = "_embedded")]
    pub embedded: LatestPactEmbedded,
    /// `self`: the contract as the pair's latest, and as its consumer version's.
    #[serde(rename = "_links")]
    pub links: LatestPactLinks,
}

/// The parties of a latest contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestPactEmbedded {
    /// The consumer, with the version that published the contract.
    pub consumer: PactParty,
    /// The provider.
    pub provider: PactParty,
}

/// The relations of a latest contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestPactLinks {
    /// Two links to the same contract: the pair's latest, then by consumer version.
    #[serde(rename = "self", deserialize_with = "crate::de::links")]
    pub self_: Vec<Link>,
}

/// The consumer or provider of a contract in a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactParty {
    /// The pacticipant's name.
    pub name: String,
    /// The version that published the contract (consumers only).
    #[serde(rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<PactPartyEmbedded>,
    /// `self`: the pacticipant.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// What a contract's consumer embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactPartyEmbedded {
    /// The consumer version.
    pub version: VersionSummary,
}

/// `GET /pacts/provider/{p}/consumer/{c}/tag/{tag}`: a pair's contracts published by the
/// consumer versions with a tag, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactVersions {
    /// The contracts.
    #[serde(rename = "_embedded")]
    pub embedded: PactVersionsEmbedded,
    /// The list, the pair, and each contract as a link.
    #[serde(rename = "_links")]
    pub links: PactVersionsLinks,
}

/// The contracts of a [`PactVersions`] list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactVersionsEmbedded {
    /// Each contract, by the consumer version that published it.
    pub pacts: Vec<PactVersionSummary>,
}

/// A contract in a list, by the consumer version that published it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PactVersionSummary {
    /// When the consumer version published it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The consumer version.
    #[serde(rename = "_embedded")]
    pub embedded: PactVersionSummaryEmbedded,
    /// `self`: the contract.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// What a contract in a list embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PactVersionSummaryEmbedded {
    /// The consumer version that published it.
    pub consumer_version: VersionSummary,
}

/// The relations of a [`PactVersions`] list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactVersionsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The consumer.
    #[serde(rename = "pb:consumer", skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Link>,
    /// The provider.
    #[serde(rename = "pb:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<Link>,
    /// Each contract, named by consumer version and date.
    #[serde(rename = "pb:pact-versions", deserialize_with = "crate::de::links")]
    pub pact_versions: Vec<Link>,
}
