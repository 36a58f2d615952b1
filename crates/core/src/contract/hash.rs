//! The stable content hash of a contract.
//!
//! The broker stores each distinct contract once, keyed by this hash, so it must not change
//! with things that do not change the contract's meaning: the order of JSON keys, the order of
//! interactions, or the metadata a writer adds (tool versions). It covers the consumer and
//! provider names, the specification version and every interaction in its normalised V4 form.

use std::fmt;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Pact, write};

/// A SHA-256 content hash, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// Parses 64 hex digits (either case).
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| ContentHash(text.to_ascii_lowercase()))
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(super) fn content_hash(pact: &Pact) -> ContentHash {
    // serde_json's map keeps keys sorted, so compact serialisation is already canonical per
    // interaction; sorting the serialised interactions removes their order.
    let mut interactions: Vec<String> = pact
        .interactions
        .iter()
        .map(|i| write::v4_interaction(i).to_string())
        .collect();
    interactions.sort();
    let canonical = json!({
        "consumer": pact.consumer.name,
        "provider": pact.provider.name,
        "specification": pact.spec.as_str(),
        "interactions": interactions,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    ContentHash(digest.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pact(text: &str) -> Pact {
        Pact::from_json(&serde_json::from_str(text).unwrap()).unwrap()
    }

    const A: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [
          {"description": "one", "request": {"method": "GET", "path": "/1"}, "response": {"status": 200, "body": {"a": 1, "b": 2}}},
          {"description": "two", "request": {"method": "GET", "path": "/2"}, "response": {"status": 404}}
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}, "pactJs": {"version": "1"}}}"#;

    const A_REORDERED: &str = r#"{"metadata": {"pactSpecification": {"version": "3.0.0"}, "pactJs": {"version": "2"}},
        "provider": {"name": "p"}, "consumer": {"name": "c"},
        "interactions": [
          {"response": {"status": 404}, "request": {"path": "/2", "method": "GET"}, "description": "two"},
          {"description": "one", "request": {"method": "GET", "path": "/1"}, "response": {"body": {"b": 2, "a": 1}, "status": 200}}
        ]}"#;

    #[test]
    fn hash_ignores_key_order_interaction_order_and_writer_metadata() {
        assert_eq!(pact(A).content_hash(), pact(A_REORDERED).content_hash());
    }

    #[test]
    fn hash_changes_with_content() {
        let changed = A.replace("\"b\": 2", "\"b\": 3");
        assert_ne!(pact(A).content_hash(), pact(&changed).content_hash());
        let renamed = A.replace("\"name\": \"p\"", "\"name\": \"q\"");
        assert_ne!(pact(A).content_hash(), pact(&renamed).content_hash());
    }

    #[test]
    fn hash_is_64_hex_digits() {
        let h = pact(A).content_hash();
        assert_eq!(ContentHash::parse(h.as_str()), Some(h.clone()));
        assert_eq!(h.as_str().len(), 64);
    }
}
