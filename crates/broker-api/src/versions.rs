//! Pacticipant versions, their tags and branches, the lists of them, and the body that creates
//! or updates a version.

use serde::{Deserialize, Serialize};

use crate::hal::{Link, SelfLinks};

/// A version of a pacticipant (`/pacticipants/{p}/versions/{number}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Version {
    /// The version number (usually a commit SHA).
    pub number: String,
    /// The CI build that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Its branches and tags.
    #[serde(rename = "_embedded")]
    pub embedded: VersionEmbedded,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: VersionLinks,
}

/// What a version embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VersionEmbedded {
    /// The branches it is on.
    pub branch_versions: Vec<BranchRef>,
    /// The same, under the older key.
    pub branches: Vec<BranchRef>,
    /// Its tags.
    pub tags: Vec<TagRef>,
}

/// A branch a version is on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BranchRef {
    /// The branch name.
    pub name: String,
    /// Whether the version is the branch's latest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<bool>,
    /// `self`: the branch version.
    #[serde(rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<SelfLinks>,
}

/// A tag of a version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TagRef {
    /// The tag.
    pub name: String,
    /// Whether the version is the latest with this tag (in matrix rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<bool>,
    /// `self`: the tag.
    #[serde(rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<SelfLinks>,
}

/// A version's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionLinks {
    /// The version.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Its pacticipant.
    #[serde(rename = "pb:pacticipant", skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<Link>,
    /// Template: one of its tags (`{tag}`).
    #[serde(rename = "pb:tag", skip_serializing_if = "Option::is_none")]
    pub tag: Option<Link>,
    /// Where to record a deployment of it: one link per environment, named by the
    /// environment's name (always an array, as the official Rust client requires).
    #[serde(rename = "pb:record-deployment", deserialize_with = "crate::de::links")]
    pub record_deployment: Vec<Link>,
    /// Where to record a release of it, likewise.
    #[serde(rename = "pb:record-release", deserialize_with = "crate::de::links")]
    pub record_release: Vec<Link>,
}

/// `GET /pacticipants/{p}/versions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Versions {
    /// The versions.
    #[serde(rename = "_embedded")]
    pub embedded: VersionsEmbedded,
    /// `self` and a link per version.
    #[serde(rename = "_links")]
    pub links: VersionsLinks,
}

/// The versions of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionsEmbedded {
    /// Each version.
    pub versions: Vec<Version>,
}

/// The relations of a version list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Each version, named by its number.
    #[serde(rename = "pb:versions", deserialize_with = "crate::de::links")]
    pub versions: Vec<Link>,
}

/// The body of `PUT`/`PATCH /pacticipants/{p}/versions/{number}` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRequest {
    /// The CI build that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
}

/// A tag (`/pacticipants/{p}/versions/{number}/tags/{tag}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Tag {
    /// The tag.
    pub name: String,
    /// When the version was tagged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: TagLinks,
}

/// A tag's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TagLinks {
    /// The tag.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The tagged version.
    #[serde(rename = "pb:version", skip_serializing_if = "Option::is_none")]
    pub version: Option<Link>,
    /// The same, under the older relation name.
    #[serde(rename = "version", skip_serializing_if = "Option::is_none")]
    pub version_legacy: Option<Link>,
    /// The pacticipant.
    #[serde(rename = "pb:pacticipant", skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<Link>,
}

/// A branch (`/pacticipants/{p}/branches/{branch}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Branch {
    /// The branch name.
    pub name: String,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The number of its latest version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: BranchLinks,
}

/// A branch's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BranchLinks {
    /// The branch.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Its pacticipant.
    #[serde(rename = "pb:pacticipant", skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<Link>,
    /// Its latest version.
    #[serde(rename = "pb:latest-version", skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<Link>,
}

/// `GET /pacticipants/{p}/branches`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branches {
    /// The branches.
    #[serde(rename = "_embedded")]
    pub embedded: BranchesEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The branches of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BranchesEmbedded {
    /// Each branch.
    pub branches: Vec<Branch>,
}
