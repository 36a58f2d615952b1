//! Provider contracts (PactFlow's bi-directional contract testing): the body of
//! `POST /provider-contracts/provider/{p}/publish` and of the older
//! `PUT /contracts/provider/{p}/version/{v}`, the answer to both, and a stored provider
//! contract as the broker serves it.

use serde::{Deserialize, Serialize};

use crate::errors::Notice;
use crate::hal::Link;
use crate::versions::Version;

/// The body of `POST /provider-contracts/provider/{p}/publish`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishProviderContractRequest {
    /// The provider version the document belongs to.
    #[serde(alias = "providerApplicationVersion")]
    pub pacticipant_version_number: String,
    /// The version's branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Tags for the version.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The CI build that made the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
    /// The document and the provider's own test result.
    pub contract: ProviderContractToPublish,
}

/// The `contract` member of a provider contract publication.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderContractToPublish {
    /// The document (OpenAPI, JSON or YAML), base64-encoded.
    pub content: String,
    /// The document's media type: `application/json` or `application/yaml`.
    pub content_type: String,
    /// The kind of document: `oas`.
    pub specification: String,
    /// What the provider's own tests against the document said.
    pub self_verification_results: SelfVerificationResults,
}

/// The provider's own test result against its document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfVerificationResults {
    /// Whether the tests passed.
    pub success: bool,
    /// The test report, base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The report's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The report's format (`text`, `json`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The tool that ran the tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_version: Option<String>,
}

/// The body of the older `PUT /contracts/provider/{p}/version/{v}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderContractRequest {
    /// The document, base64-encoded.
    pub content: String,
    /// The document's media type.
    pub content_type: String,
    /// The kind of document: `oas`.
    pub contract_type: String,
    /// What the provider's own tests against the document said.
    pub verification_results: SelfVerificationResults,
}

/// The answer to a provider contract publication.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderContractPublished {
    /// What happened, for people.
    pub notices: Vec<Notice>,
    /// The provider version.
    #[serde(rename = "_embedded")]
    pub embedded: ProviderContractEmbedded,
    /// The version, its branch and tags, and the stored contract.
    #[serde(rename = "_links")]
    pub links: ProviderContractPublishedLinks,
}

/// What a provider contract publication's answer embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderContractEmbedded {
    /// The provider version.
    pub version: Version,
}

/// The relations of a provider contract publication's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderContractPublishedLinks {
    /// The provider version.
    #[serde(
        rename = "pb:pacticipant-version",
        skip_serializing_if = "Option::is_none"
    )]
    pub pacticipant_version: Option<Link>,
    /// The version on the branch it was published with.
    #[serde(rename = "pb:branch-version", skip_serializing_if = "Option::is_none")]
    pub branch_version: Option<Link>,
    /// The version's tags given with the publication.
    #[serde(
        rename = "pb:pacticipant-version-tags",
        deserialize_with = "crate::de::links"
    )]
    pub pacticipant_version_tags: Vec<Link>,
    /// The stored provider contract.
    #[serde(
        rename = "pf:provider-contract",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_contract: Option<Link>,
}

/// A stored provider contract (`GET /contracts/provider/{p}/version/{v}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProviderContractResource {
    /// The document as published (text, not base64).
    pub content: String,
    /// The document's media type.
    pub content_type: String,
    /// The kind of document: `oas`.
    pub specification: String,
    /// The provider's own test result (its report base64-encoded, as published).
    pub self_verification_results: SelfVerificationResults,
    /// When it was published (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `self`, the provider and the provider version.
    #[serde(rename = "_links")]
    pub links: crate::hal::Links,
}
