//! Verification results: the body a verifier POSTs to a contract's
//! `pb:publish-verification-results` link, and the recorded result.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::hal::Link;

/// The body of a verification result POST.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResultRequest {
    /// Whether every interaction passed.
    pub success: bool,
    /// The provider version that was verified (created if new).
    pub provider_application_version: String,
    /// The CI build that verified it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
    /// Per-interaction results, in the verifier's own shape (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_results: Option<Value>,
    /// The tool that verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<VerifiedBy>,
}

/// The tool that verified, as the verifier describes itself (members other than these two,
/// such as the official verifier's `clientLanguage`, are kept).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifiedBy {
    /// The verifier (`pactum`, `Pact-Rust`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implementation: Option<String>,
    /// Its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Anything else it said.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A recorded verification result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VerificationResult {
    /// The provider.
    pub provider_name: String,
    /// The provider version that verified.
    pub provider_application_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// When it was recorded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_date: Option<String>,
    /// The CI build that verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_url: Option<String>,
    /// Per-interaction results, as the verifier sent them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_results: Option<Value>,
    /// The tool that verified, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<Value>,
    /// The result, the contract content and the provider version.
    #[serde(rename = "_links")]
    pub links: VerificationResultLinks,
}

/// The relations of a verification result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationResultLinks {
    /// The result.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The verified contract content.
    #[serde(rename = "pb:pact-version", skip_serializing_if = "Option::is_none")]
    pub pact_version: Option<Link>,
    /// The provider version.
    #[serde(
        rename = "pb:provider-version",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_version: Option<Link>,
}
