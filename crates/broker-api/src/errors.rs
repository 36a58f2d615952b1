//! Notices and error bodies.
//!
//! A broker refuses a request with `{"errors": {field: [message, …]}}` (validation; the Pact
//! Broker also sends `{"errors": [message, …]}`), or `{"error": {"message": …}}` (anything
//! else); a conflict also carries `notices`. Publish and matrix answers carry notices too.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A message for people, with its kind (`info`, `warning`, `error`, `success`, `debug`,
/// `prompt`, … — brokers add kinds, so it is text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notice {
    /// The kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message.
    pub text: String,
}

impl Notice {
    /// A notice of `kind`.
    pub fn new(kind: impl Into<String>, text: impl Into<String>) -> Self {
        Notice {
            kind: kind.into(),
            text: text.into(),
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    /// Validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Errors>,
    /// Any other error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorMessage>,
    /// The same errors as typed notices (conflicts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
}

/// Validation errors: by field, or a plain list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Errors {
    /// Messages per field (`contracts[0].content`).
    ByField(BTreeMap<String, Vec<String>>),
    /// Messages about the request as a whole.
    List(Vec<String>),
}

/// `{"message": …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorMessage {
    /// What went wrong.
    pub message: String,
}

impl ErrorBody {
    /// `{"errors": {field: [message, …]}}`.
    pub fn invalid(fields: BTreeMap<String, Vec<String>>) -> Self {
        ErrorBody {
            errors: Some(Errors::ByField(fields)),
            ..ErrorBody::default()
        }
    }

    /// `{"error": {"message": …}}`.
    pub fn message(message: impl Into<String>) -> Self {
        ErrorBody {
            error: Some(ErrorMessage {
                message: message.into(),
            }),
            ..ErrorBody::default()
        }
    }

    /// Whether the body says anything (a JSON answer that is not an error body reads as an
    /// empty one).
    pub fn is_empty(&self) -> bool {
        self.errors.is_none() && self.error.is_none() && self.notices.is_empty()
    }
}

/// For people: `field: message; field: message`, the message, or the notices.
impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        match &self.errors {
            Some(Errors::ByField(fields)) => {
                for (field, messages) in fields {
                    for message in messages {
                        parts.push(format!("{field}: {message}"));
                    }
                }
            }
            Some(Errors::List(messages)) => parts.extend(messages.iter().cloned()),
            None => {}
        }
        if let Some(error) = &self.error {
            parts.push(error.message.clone());
        }
        if parts.is_empty() {
            parts.extend(self.notices.iter().map(|n| n.text.clone()));
        }
        f.write_str(&parts.join("; "))
    }
}
