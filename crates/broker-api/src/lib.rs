//! The Pact Broker HTTP API's wire formats: every resource the broker serves and every request
//! body a client sends, as serde structs shared by pactum's broker, its client and the tests.
//!
//! * [`hal`] — links and relations; [`errors`] — notices and error bodies.
//! * [`index`] — the index, heartbeat and metrics.
//! * [`pacticipants`], [`versions`] (with tags and branches), [`environments`] (with deployed
//!   and released versions).
//! * [`publish`] — `POST /contracts/publish` and its answer; [`pacts`] — what the broker adds
//!   to a served contract, a provider's latest contracts, diffs.
//! * [`for_verification`] — pacts for verification; [`verifications`] — verification results.
//! * [`integrations`] — the consumer/provider pairs.
//! * [`provider_contracts`] — OpenAPI documents providers publish (PactFlow's API);
//!   [`cross_checks`] — consumer contracts checked against them, and the documents' coverage.
//! * [`matrix`] — the matrix and can-i-deploy questions and answer.
//! * [`webhooks`] — webhooks, their deliveries' status and logs, test executions.
//!
//! Resources are read tolerantly, as other brokers (the Pact Broker, PactFlow) add members and
//! leave optional ones out: unknown members are ignored and every member may be missing (it
//! then reads as its default — empty, `None`, `false`). Optional members that are absent are
//! not written; members whose `null` means something (an unknown can-i-deploy answer, a matrix
//! row without provider version) are written as `null`. Request bodies are read strictly
//! enough for a broker to say which member is wrong. Contracts themselves are the consumer's
//! documents, not broker resources: they stay JSON.
#![warn(missing_docs)]

pub mod cross_checks;
mod de;
pub mod environments;
pub mod errors;
pub mod for_verification;
pub mod hal;
pub mod index;
pub mod integrations;
pub mod matrix;
pub mod pacticipants;
pub mod pacts;
pub mod provider_contracts;
pub mod publish;
pub mod verifications;
pub mod versions;
pub mod webhooks;

#[cfg(test)]
mod tests;

pub use cross_checks::{
    CrossCheckFinding, CrossCheckResource, CrossCheckedContract, CrossChecksLinks,
    ProviderVersionCoverage, ProviderVersionCrossChecks,
};
pub use environments::{
    Contact, CurrentDeploymentsQuery, DeployedVersion, DeployedVersionPatch, DeployedVersions,
    DeploymentEmbedded, Environment, EnvironmentLinks, EnvironmentRequest, Environments,
    EnvironmentsQuery, RecordDeploymentRequest, ReleasedVersion, ReleasedVersionPatch,
    ReleasedVersions,
};
pub use errors::{ErrorBody, Errors, Notice};
pub use for_verification::{
    BranchSelector, ConsumerVersionSelector, PactForVerification, PactsForVerification,
    PactsForVerificationRequest, VerificationNotice, VerificationProperties,
};
pub use hal::{Link, Links, Relation, SelfLinks};
pub use index::{Heartbeat, Index, Metrics};
pub use integrations::{Integration, Integrations, IntegrationsQuery};
pub use matrix::{
    CanIDeployRequest, Matrix, MatrixPacticipant, MatrixRequest, MatrixRow, MatrixSummary,
    MatrixVersion,
};
pub use pacticipants::{Pacticipant, PacticipantRequest, Pacticipants};
pub use pacts::{LatestPacts, PactDiff, PactLinks, PactResource, PactVersions, ProviderPacts};
pub use provider_contracts::{
    ProviderContractPublished, ProviderContractRequest, ProviderContractResource,
    PublishProviderContractRequest, SelfVerificationResults,
};
pub use publish::{ContractToPublish, OnConflict, PublishRequest, PublishResponse};
pub use verifications::{VerificationResult, VerificationResultRequest, VerifiedBy};
pub use versions::{Branch, Branches, Tag, Version, VersionRequest, Versions};
pub use webhooks::{
    TriggeredWebhook, TriggeredWebhookLogs, Webhook, WebhookAttempt, WebhookEvent,
    WebhookExecutionResult, WebhookPacticipant, WebhookRequest, WebhookRequestBody, Webhooks,
    WebhooksStatus,
};
