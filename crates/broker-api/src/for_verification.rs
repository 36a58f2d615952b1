//! Pacts for verification: the question a verifier asks (`POST
//! /pacts/provider/{p}/for-verification`, or the same as a GET query in snake_case) and the
//! contracts the broker selects, each with its pending/WIP status and notices.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::hal::SelfLinks;

/// The body of a pacts-for-verification request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PactsForVerificationRequest {
    /// Which consumer versions' contracts to verify; none means the broker's defaults.
    #[serde(default, alias = "consumer_version_selectors")]
    pub consumer_version_selectors: Vec<ConsumerVersionSelector>,
    /// The branch of the provider version about to verify.
    #[serde(
        default,
        alias = "provider_version_branch",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_version_branch: Option<String>,
    /// Its tags.
    #[serde(
        default,
        alias = "provider_version_tags",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider_version_tags: Vec<String>,
    /// Say which contracts are pending.
    #[serde(
        default,
        alias = "include_pending_status",
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_pending_status: Option<bool>,
    /// Add work-in-progress contracts published since this date (`2024-01-31` or RFC 3339).
    #[serde(
        default,
        alias = "include_wip_pacts_since",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_wip_pacts_since: Option<String>,
}

/// One consumer version selector. Keys are camelCase (snake_case in the GET form); flags may
/// be `"true"`/`"false"` text. Keys this version does not know are kept in `other`, so a
/// client passes them on and the broker can name them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerVersionSelector {
    /// The latest version from each consumer's main branch.
    #[serde(
        default,
        alias = "main_branch",
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub main_branch: Option<bool>,
    /// The latest version from a branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchSelector>,
    /// The branch to use when `branch` has no versions.
    #[serde(
        default,
        alias = "fallback_branch",
        skip_serializing_if = "Option::is_none"
    )]
    pub fallback_branch: Option<String>,
    /// The latest version from the branch named like the provider's.
    #[serde(
        default,
        alias = "matching_branch",
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub matching_branch: Option<bool>,
    /// Versions with a tag (all, or the latest with `latest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The tag to use when `tag` has no versions.
    #[serde(
        default,
        alias = "fallback_tag",
        skip_serializing_if = "Option::is_none"
    )]
    pub fallback_tag: Option<String>,
    /// Only the latest (with `tag`); alone, each consumer's latest version.
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest: Option<bool>,
    /// Only this consumer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// Versions currently deployed (to `environment`, if given).
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub deployed: Option<bool>,
    /// Versions currently released and supported (in `environment`, if given).
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub released: Option<bool>,
    /// Versions deployed or released.
    #[serde(
        default,
        alias = "deployed_or_released",
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub deployed_or_released: Option<bool>,
    /// An environment; alone, versions deployed or released there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Keys this version does not know.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The `branch` of a selector: a branch name, or `true` — an alias of `matchingBranch` that
/// some clients' documentation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchSelector {
    /// This branch.
    Named(String),
    /// The branch named like the provider's.
    Matching,
}

impl Serialize for BranchSelector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            BranchSelector::Named(name) => serializer.serialize_str(name),
            BranchSelector::Matching => serializer.serialize_bool(true),
        }
    }
}

impl<'de> Deserialize<'de> for BranchSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Branch;
        impl Visitor<'_> for Branch {
            type Value = BranchSelector;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a branch name, or true for the branch named like the provider's")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(BranchSelector::Named(name.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
                if value {
                    Ok(BranchSelector::Matching)
                } else {
                    Err(E::invalid_value(de::Unexpected::Bool(value), &self))
                }
            }
        }
        deserializer.deserialize_any(Branch)
    }
}

/// The contracts to verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactsForVerification {
    /// The contracts.
    #[serde(rename = "_embedded")]
    pub embedded: PactsForVerificationEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The contracts of the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PactsForVerificationEmbedded {
    /// Each contract.
    pub pacts: Vec<PactForVerification>,
}

/// One contract to verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PactForVerification {
    /// Why it was selected, briefly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Pending and WIP status, and what to tell people.
    pub verification_properties: VerificationProperties,
    /// `self`: the contract, with the selection in its URL (results published through it
    /// carry the selection back to the broker).
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The status of a contract to verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationProperties {
    /// Pending: a failure does not fail the build (only when pending status was asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
    /// A work-in-progress contract (always pending).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wip: Option<bool>,
    /// What to tell people, and when.
    pub notices: Vec<VerificationNotice>,
}

/// A message for people about a contract to verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationNotice {
    /// When to show it: `before_verification`, or
    /// `after_verification:success_{true,false}_published_{true,false}`.
    pub when: String,
    /// The message.
    pub text: String,
}

/// When to show a [`VerificationNotice`] that is meant for before the verification.
pub const BEFORE_VERIFICATION: &str = "before_verification";
