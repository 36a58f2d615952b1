//! The result of a cross-check: findings with PactFlow's comparator codes, each located in the
//! contract and in the document. Serialisable, so the broker can store results and the CLI can
//! print them as JSON.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The contract and the document are incompatible.
    Error,
    /// Worth knowing; compatible all the same.
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $severity:ident, $doc:literal;)*) => {
        /// What a finding is about: the codes of PactFlow's `openapi-pact-comparator`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $(
                #[doc = $doc]
                #[serde(rename = $text)]
                $variant,
            )*
        }

        impl Code {
            /// The code as the comparator writes it, e.g. `response.body.incompatible`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// Whether it is an error or a warning.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
        }
    };
}

codes! {
    RequestAcceptIncompatible = "request.accept.incompatible", Error, "The `Accept` header selects none of the media types the operation produces.";
    RequestAcceptUnknown = "request.accept.unknown", Warning, "An `Accept` header is sent but the operation declares no response media types.";
    RequestAuthorizationMissing = "request.authorization.missing", Error, "The operation's security requirement is not met by the request.";
    RequestBodyIncompatible = "request.body.incompatible", Error, "The request body does not satisfy the document's schema.";
    RequestBodyUnknown = "request.body.unknown", Warning, "A request body is sent but the document has no schema for it.";
    RequestBodyUnvalidatable = "request.body.unvalidatable", Warning, "The request body's media type cannot be validated (XML, binary, multipart…).";
    RequestContentTypeIncompatible = "request.content-type.incompatible", Error, "The request's `Content-Type` is not one the operation consumes.";
    RequestContentTypeMissing = "request.content-type.missing", Warning, "A request body is sent without a `Content-Type`, and the operation declares media types.";
    RequestContentTypeUnknown = "request.content-type.unknown", Warning, "A `Content-Type` is sent but the operation declares no request media types.";
    RequestHeaderIncompatible = "request.header.incompatible", Error, "A request header is missing or does not satisfy its parameter's schema.";
    RequestHeaderUnknown = "request.header.unknown", Warning, "A request header the document does not declare.";
    RequestPathOrMethodUnknown = "request.path-or-method.unknown", Error, "No operation for the method and path (or a path parameter of the wrong type).";
    RequestQueryIncompatible = "request.query.incompatible", Error, "A query parameter is missing or does not satisfy its schema.";
    RequestQueryUnknown = "request.query.unknown", Warning, "A query parameter the document does not declare.";
    ResponseBodyIncompatible = "response.body.incompatible", Error, "The expected response body is not a subset of what the document allows.";
    ResponseBodyUnknown = "response.body.unknown", Error, "A response body is expected but the document has no schema for it.";
    ResponseBodyUnvalidatable = "response.body.unvalidatable", Warning, "The response body's media type cannot be validated.";
    ResponseContentTypeIncompatible = "response.content-type.incompatible", Error, "The expected `Content-Type` is not one the response produces.";
    ResponseContentTypeUnknown = "response.content-type.unknown", Warning, "A `Content-Type` is expected but the response declares no media types.";
    ResponseHeaderIncompatible = "response.header.incompatible", Error, "An expected response header does not satisfy its schema.";
    ResponseHeaderUndefined = "response.header.undefined", Warning, "A standard HTTP response header is expected that the document does not declare.";
    ResponseHeaderUnknown = "response.header.unknown", Error, "A response header is expected that the document does not declare.";
    ResponseStatusDefault = "response.status.default", Warning, "The status is only covered by the `default` response.";
    ResponseStatusUnknown = "response.status.unknown", Error, "The status code is not a response of the operation.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a cross-check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The comparator code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, for people.
    pub message: String,
    /// The interaction's index in the contract.
    pub interaction: usize,
    /// The interaction's description.
    pub description: String,
    /// The interaction's provider states, joined with `, ` (empty when none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider_state: String,
    /// Where in the contract, e.g. `[root].interactions[2].response.body.items[0].name`.
    pub contract_location: String,
    /// Where in the document, e.g. `[root].components.schemas.Item.additionalProperties`.
    pub document_location: String,
    /// The operation the interaction was routed to, e.g. `GET /items/{id}` (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// The outcome of checking one contract against one document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossCheck {
    /// What was found, in interaction order.
    pub findings: Vec<Finding>,
    /// How many HTTP interactions were checked.
    pub interactions_checked: usize,
    /// How many interactions were not (messages: an OpenAPI document does not describe them).
    pub interactions_skipped: usize,
}

impl CrossCheck {
    /// True when nothing is an error.
    pub fn success(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }
}
