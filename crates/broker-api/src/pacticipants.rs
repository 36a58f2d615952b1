//! Pacticipants (the applications that consume or provide), the list of them, and the body
//! that creates or updates one.

use serde::{Deserialize, Serialize};

use crate::hal::{Link, SelfLinks};

/// A pacticipant (`/pacticipants/{name}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Pacticipant {
    /// Its unique name.
    pub name: String,
    /// A name for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The branch releases are made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_branch: Option<String>,
    /// Where its source lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    /// The repository's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    /// The repository's owner or group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_namespace: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Its labels and latest version.
    #[serde(rename = "_embedded")]
    pub embedded: PacticipantEmbedded,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: PacticipantLinks,
}

/// What a pacticipant embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacticipantEmbedded {
    /// Its labels.
    pub labels: Vec<Label>,
    /// Its latest version, if it has one.
    #[serde(rename = "latestVersion", skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<VersionSummary>,
    /// The same, under the older key some clients read.
    #[serde(rename = "latest-version", skip_serializing_if = "Option::is_none")]
    pub latest_version_legacy: Option<VersionSummary>,
}

/// A label on a pacticipant (`/pacticipants/{name}/labels/{label}`, and embedded in the
/// pacticipant).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Label {
    /// The label.
    pub name: String,
    /// When it was put on the pacticipant (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Its relations.
    #[serde(rename = "_links", skip_serializing_if = "LabelLinks::is_empty")]
    pub links: LabelLinks,
}

/// A label's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelLinks {
    /// The label.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The labelled pacticipant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<Link>,
}

impl LabelLinks {
    /// Whether it has no relation.
    pub fn is_empty(&self) -> bool {
        self.self_.is_none() && self.pacticipant.is_none()
    }
}

/// A version, by number and link (in pacticipants and deployment records).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionSummary {
    /// The version number.
    pub number: String,
    /// `self`: the version.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// A pacticipant, by name and link (in deployment records).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacticipantSummary {
    /// The pacticipant's name.
    pub name: String,
    /// `self`: the pacticipant.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// A pacticipant's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacticipantLinks {
    /// The pacticipant.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Its versions.
    #[serde(rename = "pb:versions", skip_serializing_if = "Option::is_none")]
    pub versions: Option<Link>,
    /// Its versions, under the older relation name.
    #[serde(rename = "versions", skip_serializing_if = "Option::is_none")]
    pub versions_legacy: Option<Link>,
    /// Template: one version (`{version}`).
    #[serde(rename = "pb:version", skip_serializing_if = "Option::is_none")]
    pub version: Option<Link>,
    /// Template: a tag of a version (`{version}`, `{tag}`).
    #[serde(rename = "pb:version-tag", skip_serializing_if = "Option::is_none")]
    pub version_tag: Option<Link>,
    /// Template: a version on a branch (`{branch}`, `{version}`).
    #[serde(rename = "pb:branch-version", skip_serializing_if = "Option::is_none")]
    pub branch_version: Option<Link>,
    /// Its branches.
    #[serde(rename = "pb:branches", skip_serializing_if = "Option::is_none")]
    pub branches: Option<Link>,
    /// Its latest version.
    #[serde(rename = "pb:latest-version", skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<Link>,
}

/// `GET /pacticipants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pacticipants {
    /// The pacticipants.
    #[serde(rename = "_embedded")]
    pub embedded: PacticipantsEmbedded,
    /// The same, outside `_embedded`, where older clients read them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pacticipants: Vec<Pacticipant>,
    /// `self` and a link per pacticipant.
    #[serde(rename = "_links")]
    pub links: PacticipantsLinks,
}

/// The pacticipants of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacticipantsEmbedded {
    /// Each pacticipant.
    pub pacticipants: Vec<Pacticipant>,
}

/// The relations of the pacticipant list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PacticipantsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Each pacticipant, named.
    #[serde(rename = "pb:pacticipants", deserialize_with = "crate::de::links")]
    pub pacticipants: Vec<Link>,
    /// The same, under the older relation name.
    #[serde(rename = "pacticipants", deserialize_with = "crate::de::links")]
    pub pacticipants_legacy: Vec<Link>,
}

/// The body of `POST /pacticipants` (with `name`), and of `PATCH`/`PUT /pacticipants/{name}`
/// (the properties to set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PacticipantRequest {
    /// The name (creating only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The branch releases are made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_branch: Option<String>,
    /// Where its source lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    /// The repository's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    /// The repository's owner or group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_namespace: Option<String>,
}
