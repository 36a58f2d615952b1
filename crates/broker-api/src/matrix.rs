//! The matrix and can-i-deploy: the questions (`GET /matrix?q[][pacticipant]=…`, read from
//! the Rack-style query as JSON, and `GET /can-i-deploy?pacticipant=…`) and the answer both
//! give.

use serde::{Deserialize, Serialize};

use crate::errors::Notice;
use crate::hal::SelfLinks;
use crate::versions::{BranchRef, TagRef};

/// A `/matrix` question. Query strings carry text, so flags and numbers are read from text
/// too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRequest {
    /// The versions asked about (`q[][pacticipant]=A&q[][version]=1`; one `q[pacticipant]`
    /// object counts as a list of one).
    #[serde(default, deserialize_with = "crate::de::one_or_many")]
    pub q: Vec<MatrixSelectorParams>,
    /// Where they are going: an environment…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// …or the latest versions with a tag (with `latest=true`)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// …or the latest versions (with `tag`: of that tag).
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest: Option<bool>,
    /// …or the main branches' latest versions.
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub main_branch: Option<bool>,
    /// Pacticipants (optionally one version) whose results do not count.
    #[serde(default, deserialize_with = "crate::de::one_or_many")]
    pub ignore: Vec<IgnoreParams>,
    /// How rows are grouped: `cvp`, `cvpv`, …
    #[serde(default, rename = "latestby", skip_serializing_if = "Option::is_none")]
    pub latest_by: Option<String>,
    /// Only rows with these verification outcomes: `true`, `false`, or empty for rows not
    /// verified (`success[]=true`).
    #[serde(
        default,
        deserialize_with = "crate::de::texts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub success: Vec<String>,
    /// Rows at most.
    #[serde(
        default,
        deserialize_with = "crate::de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
}

/// One `q[]` entry: a pacticipant and which of its versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixSelectorParams {
    /// The pacticipant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<String>,
    /// A version number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The latest (of the tag or branch, if given).
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest: Option<bool>,
    /// Versions with this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Versions on this branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Versions on the main branch.
    #[serde(
        default,
        deserialize_with = "crate::de::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub main_branch: Option<bool>,
}

/// One `ignore[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoreParams {
    /// The pacticipant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<String>,
    /// Only this version of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A `/can-i-deploy` question: one version, to an environment or to a tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanIDeployRequest {
    /// The pacticipant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacticipant: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The environment it is going to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The tag it is going to (the latest versions with it count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// The answer to a matrix or can-i-deploy question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Matrix {
    /// The decision and its counts.
    pub summary: MatrixSummary,
    /// Reasons and advice (clients print these rather than `summary.reason`).
    pub notices: Vec<Notice>,
    /// The rows considered, then the ignored ones.
    pub matrix: Vec<MatrixRow>,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixSummary {
    /// Yes, no, or unknown (`null`: results missing).
    pub deployable: Option<bool>,
    /// The reasons, one per line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Rows verified successfully.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<u64>,
    /// Rows whose verification failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    /// Rows never verified, plus required integrations missing at the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<u64>,
    /// Rows ignored as asked (only when something was to be ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<u64>,
}

/// One row: a consumer version, a provider version, the contract and its verification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatrixRow {
    /// The consumer and its version.
    pub consumer: MatrixPacticipant,
    /// The provider and its version (`null` version: none to compare with).
    pub provider: MatrixPacticipant,
    /// The contract.
    pub pact: MatrixPact,
    /// The newest verification of the contract by the provider version (`null`: never).
    pub verification_result: Option<MatrixVerificationResult>,
    /// The question asked to ignore this row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<bool>,
    /// pactum's member: when the provider version published an OpenAPI document and did not
    /// verify the contract with a pact verification, the cross-check that stands in for one
    /// (`verificationResult` then carries its outcome, so any client counts it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_check: Option<MatrixCrossCheck>,
}

/// The cross-check of a matrix row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatrixCrossCheck {
    /// `pending`, `success` or `failure` (of the cross-check alone).
    pub status: String,
    /// Whether the provider's own tests against its document passed.
    pub self_verification_success: bool,
    /// Errors found.
    pub errors: u64,
    /// Warnings found.
    pub warnings: u64,
    /// `self`: the cross-check (absent until it is enqueued).
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// A side of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixPacticipant {
    /// The pacticipant's name.
    pub name: String,
    /// Its version.
    pub version: Option<MatrixVersion>,
    /// `self`: the pacticipant.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// A version in a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatrixVersion {
    /// The version number.
    pub number: String,
    /// Its (last) branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Its branches (older key).
    pub branches: Vec<BranchRef>,
    /// Its branches.
    pub branch_versions: Vec<BranchRef>,
    /// Its tags.
    pub tags: Vec<TagRef>,
    /// `self`: the version.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The contract of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatrixPact {
    /// When the consumer version published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// `self`: the contract.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The verification of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatrixVerificationResult {
    /// Whether it passed.
    pub success: bool,
    /// When it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    /// `self`: the verification result.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// The answer of a can-i-deploy question in one line, as `pactum can-i-deploy` prints it and
/// the broker's can-i-deploy page shows it.
pub fn verdict_line(deployable: Option<bool>) -> &'static str {
    match deployable {
        Some(true) => "Computer says yes \\o/",
        Some(false) => "Computer says no ¯\\_(ツ)_/¯",
        None => "Computer says no: the answer is unknown (results missing) ¯\\_(ツ)_/¯",
    }
}
