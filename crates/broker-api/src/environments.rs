//! Environments, the deployed and released versions recorded in them, and the bodies that
//! create environments and record or end deployments and releases.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::hal::{Link, SelfLinks};
use crate::pacticipants::{PacticipantSummary, VersionSummary};

/// An environment (`/environments/{uuid}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Environment {
    /// Its id.
    pub uuid: String,
    /// Its unique name (no spaces).
    pub name: String,
    /// A name for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A production environment.
    pub production: bool,
    /// Who to ask about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Its relations.
    #[serde(rename = "_links")]
    pub links: EnvironmentLinks,
}

/// A contact for an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// A person or team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How to reach them (`emailAddress`, …), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Map<String, Value>>,
}

/// An environment's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvironmentLinks {
    /// The environment.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The versions currently deployed to it (filters: `pacticipant`, `version`,
    /// `applicationInstance`).
    #[serde(
        rename = "pb:currently-deployed-deployed-versions",
        skip_serializing_if = "Option::is_none"
    )]
    pub currently_deployed: Option<Link>,
    /// The versions released and supported in it.
    #[serde(
        rename = "pb:currently-supported-released-versions",
        skip_serializing_if = "Option::is_none"
    )]
    pub currently_supported: Option<Link>,
    /// Every environment.
    #[serde(rename = "pb:environments", skip_serializing_if = "Option::is_none")]
    pub environments: Option<Link>,
}

/// `GET /environments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environments {
    /// The environments.
    #[serde(rename = "_embedded")]
    pub embedded: EnvironmentsEmbedded,
    /// `self` and a link per environment.
    #[serde(rename = "_links")]
    pub links: EnvironmentsLinks,
}

/// The environments of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvironmentsEmbedded {
    /// Each environment.
    pub environments: Vec<Environment>,
}

/// The relations of the environment list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvironmentsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// Each environment, named by its name.
    #[serde(rename = "pb:environments", deserialize_with = "crate::de::links")]
    pub environments: Vec<Link>,
}

/// The query of `GET /environments`: `?name=` finds one by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentsQuery {
    /// Only the environment with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The query of the currently deployed (or currently supported) versions of an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentDeploymentsQuery {
    /// Only this pacticipant's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<String>,
    /// Only this version's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Only this application instance's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_instance: Option<String>,
    /// The same, under its older name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// The body of `POST /environments` and `PUT /environments/{uuid}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentRequest {
    /// Its unique name (no spaces).
    pub name: String,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A production environment.
    pub production: bool,
    /// Who to ask about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

/// A deployment of a version to an environment (`/deployed-versions/{uuid}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeployedVersion {
    /// Its id.
    pub uuid: String,
    /// Still deployed.
    pub currently_deployed: bool,
    /// The application instance (older name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Which instance of the application, when several run at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_instance: Option<String>,
    /// When the deployment was recorded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was recorded as undeployed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undeployed_at: Option<String>,
    /// The pacticipant, version and environment.
    #[serde(rename = "_embedded")]
    pub embedded: DeploymentEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// A release of a version in an environment (`/released-versions/{uuid}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReleasedVersion {
    /// Its id.
    pub uuid: String,
    /// Still supported.
    pub currently_supported: bool,
    /// When the release was recorded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When its support ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_ended_at: Option<String>,
    /// The pacticipant, version and environment.
    #[serde(rename = "_embedded")]
    pub embedded: DeploymentEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// What a deployment or release record embeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeploymentEmbedded {
    /// The pacticipant.
    pub pacticipant: PacticipantSummary,
    /// The version.
    pub version: VersionSummary,
    /// The environment.
    pub environment: Environment,
}

/// A list of deployments: those currently deployed to an environment, or those of one version
/// in one environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeployedVersions {
    /// The deployments.
    #[serde(rename = "_embedded")]
    pub embedded: DeployedVersionsEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The deployments of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeployedVersionsEmbedded {
    /// Each deployment.
    pub deployed_versions: Vec<DeployedVersion>,
}

/// A list of releases, likewise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleasedVersions {
    /// The releases.
    #[serde(rename = "_embedded")]
    pub embedded: ReleasedVersionsEmbedded,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The releases of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReleasedVersionsEmbedded {
    /// Each release.
    pub released_versions: Vec<ReleasedVersion>,
}

/// The body of a `pb:record-deployment` or `pb:record-release` POST.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordDeploymentRequest {
    /// Which instance of the application (deployments only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_instance: Option<String>,
    /// The same, under its older name (the Pact Broker still reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl RecordDeploymentRequest {
    /// A request for `instance`, under both names.
    pub fn instance(instance: Option<&str>) -> Self {
        RecordDeploymentRequest {
            application_instance: instance.map(str::to_owned),
            target: instance.map(str::to_owned),
        }
    }
}

/// The merge-patch body of `PATCH /deployed-versions/{uuid}`: `{"currentlyDeployed": false}`
/// records the undeployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedVersionPatch {
    /// `false` to end the deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currently_deployed: Option<bool>,
}

/// The merge-patch body of `PATCH /released-versions/{uuid}`: `{"currentlySupported": false}`
/// ends support.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleasedVersionPatch {
    /// `false` to end support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currently_supported: Option<bool>,
}
