//! Provider contracts in OpenAPI: a provider describes its API in an OpenAPI document (3.0,
//! 3.1 or Swagger 2.0, JSON or YAML) instead of running a Pact verifier, and each consumer's
//! Pact contract is cross-checked against that document.
//!
//! * [`Document`] — a loaded document: operations, parameters, bodies, responses, security,
//!   with every internal `$ref` checked (recursive schemas included); errors name where.
//! * [`Document::cross_check`] — a [`pactum_core::contract::Pact`] against the document, with
//!   the semantics and result codes of PactFlow's `openapi-pact-comparator` ([`Code`]), each
//!   finding located in the contract and in the document.
//! * [`diff`] — the differences between two versions of a document, each classified as
//!   breaking or not (request gains a required field, response loses one, a type narrows, an
//!   operation or status disappears…), with what a consumer would have to use for it to matter.
//! * [`coverage`] — which operations, statuses and fields of a document consumers rely on.
//!
//! No IO and no network: documents arrive as bytes or JSON, `$ref`s to other files are refused.
#![warn(missing_docs)]

mod check;
pub mod coverage;
pub mod diff;
mod document;
mod findings;
mod load;
mod location;
mod media;
mod route;
mod schema;
mod usage;
mod values;

pub use document::{
    Document, MediaSpec, Operation, Parameter, ParameterIn, RequestBodySpec, ResponseSpec,
    SecurityScheme,
};
pub use findings::{Code, CrossCheck, Finding, Severity};
pub use load::{LoadError, OasVersion};
pub use usage::{Usage, usage as usage_of};
