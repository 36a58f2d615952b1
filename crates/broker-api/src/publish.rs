//! Publishing contracts: the body of `POST /contracts/publish` (one consumer version, one
//! contract per provider) and the broker's answer.

use serde::{Deserialize, Serialize};

use crate::errors::Notice;
use crate::hal::Link;
use crate::pacticipants::Pacticipant;
use crate::versions::Version;

/// The body of `POST /contracts/publish`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishRequest {
    /// The consumer.
    pub pacticipant_name: String,
    /// The consumer version the contracts belong to.
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
    /// The contracts, one per provider.
    #[serde(default)]
    pub contracts: Vec<ContractToPublish>,
}

/// One contract of a publish request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractToPublish {
    /// The consumer (the request's `pacticipantName`).
    pub consumer_name: String,
    /// The provider.
    pub provider_name: String,
    /// The kind of contract: `pact`.
    pub specification: String,
    /// The media type of `content`: `application/json`.
    pub content_type: String,
    /// The pact JSON, base64-encoded.
    pub content: String,
    /// What to do when this version already published different content for the provider
    /// (the broker refuses by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_conflict: Option<OnConflict>,
}

impl ContractToPublish {
    /// A pact between `consumer` and `provider`; `content` is the pact JSON, base64-encoded.
    pub fn pact(
        consumer: impl Into<String>,
        provider: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        ContractToPublish {
            consumer_name: consumer.into(),
            provider_name: provider.into(),
            specification: "pact".into(),
            content_type: "application/json".into(),
            content: content.into(),
            on_conflict: None,
        }
    }
}

/// What to do with changed content for a version that already published a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Replace it.
    Overwrite,
    /// Add the new interactions to the published ones.
    Merge,
}

/// The answer to a publish request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishResponse {
    /// What happened, for people.
    pub notices: Vec<Notice>,
    /// The same as log lines (older clients read these).
    pub logs: Vec<Log>,
    /// The consumer and its version.
    #[serde(rename = "_embedded")]
    pub embedded: PublishEmbedded,
    /// The consumer, its version, the tags and the published contracts.
    #[serde(rename = "_links")]
    pub links: PublishLinks,
}

/// A log line of a publish answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Log {
    /// The notice kind.
    pub level: String,
    /// The notice text.
    pub message: String,
    /// Why it is deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation_warning: Option<String>,
}

/// What a publish answer embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishEmbedded {
    /// The consumer.
    pub pacticipant: Pacticipant,
    /// The consumer version.
    pub version: Version,
}

/// The relations of a publish answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishLinks {
    /// The consumer.
    #[serde(rename = "pb:pacticipant", skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<Link>,
    /// The consumer version.
    #[serde(
        rename = "pb:pacticipant-version",
        skip_serializing_if = "Option::is_none"
    )]
    pub pacticipant_version: Option<Link>,
    /// The version's tags, named.
    #[serde(
        rename = "pb:pacticipant-version-tags",
        deserialize_with = "crate::de::links"
    )]
    pub pacticipant_version_tags: Vec<Link>,
    /// The published contracts.
    #[serde(rename = "pb:contracts", deserialize_with = "crate::de::links")]
    pub contracts: Vec<Link>,
}
