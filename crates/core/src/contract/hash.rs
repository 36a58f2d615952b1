//! The stable content hash of a contract.
//!
//! The broker stores each distinct contract once, keyed by this hash, so it must not change
//! with things that do not change the contract's meaning: the order of JSON keys, the order of
//! interactions, or the metadata a writer adds (tool versions). It covers the consumer and
//! provider names, the specification version and every interaction in its normalised V4 form.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ContractError, Interaction, Pact, SpecVersion, read, write};

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
    digest(
        &pact.consumer.name,
        &pact.provider.name,
        pact.spec,
        pact.interactions.iter().map(canonical).collect(),
    )
}

/// An interaction in its normalised V4 form, as compact JSON (serde_json's map keeps keys
/// sorted, so this is canonical).
fn canonical(interaction: &Interaction) -> String {
    write::v4_interaction(interaction).to_string()
}

/// What is hashed: `{"consumer":…,"interactions":[…],"provider":…,"specification":…}`, compact,
/// with the canonical interactions as sorted strings (so their order does not count). Written
/// straight into the hasher.
#[derive(Serialize)]
struct Canonical<'a> {
    consumer: &'a str,
    interactions: &'a [String],
    provider: &'a str,
    specification: &'a str,
}

fn digest(
    consumer: &str,
    provider: &str,
    spec: SpecVersion,
    mut interactions: Vec<String>,
) -> ContentHash {
    interactions.sort_unstable();
    let mut hasher = Sha256::new();
    let canonical = Canonical {
        consumer,
        interactions: &interactions,
        provider,
        specification: spec.as_str(),
    };
    if serde_json::to_writer(&mut hasher, &canonical).is_err() {
        // Strings into a hasher: neither can fail.
        unreachable!("serialising strings into a hasher failed");
    }
    ContentHash(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// [`Pact::from_slice`] followed by [`Pact::content_hash`] for a contract given as (well-formed)
/// JSON text, reading one interaction at a time and keeping only its canonical text: neither
/// the whole JSON tree nor the whole model is ever built, so a contract of 100,000
/// interactions costs about its own size rather than many times that. Errors are
/// [`Pact::from_slice`]'s. Each interaction's members named in `ignored` are left out (the broker
/// drops the `_id` it adds when serving).
pub(super) fn content_hash_of_text(
    text: &str,
    ignored: &[&str],
) -> Result<ContentHash, ContractError> {
    let mut interactions = Canonicals(Vec::new());
    let pact = read::visit_text(text, ignored, &mut interactions)?;
    Ok(digest(
        &pact.consumer.name,
        &pact.provider.name,
        pact.spec,
        interactions.0,
    ))
}

/// The canonical texts of interactions, kept instead of the interactions.
struct Canonicals(Vec<String>);

impl read::Interactions for Canonicals {
    fn expect(&mut self, count: usize) {
        self.0.reserve_exact(count);
    }

    fn take(&mut self, interaction: Interaction) {
        self.0.push(canonical(&interaction));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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

    /// The hash of a few contracts as the first release computed it (the canonical JSON built
    /// as a value, then written out): stored contracts are found by it, so it must not change.
    #[test]
    fn the_hash_is_the_one_stored_contracts_were_keyed_by() {
        for text in [A, A_REORDERED, MESSAGES, V4, V2] {
            let pact = pact(text);
            let mut interactions: Vec<String> = pact
                .interactions
                .iter()
                .map(|i| write::v4_interaction(i).to_string())
                .collect();
            interactions.sort();
            let canonical = serde_json::json!({
                "consumer": pact.consumer.name,
                "provider": pact.provider.name,
                "specification": pact.spec.as_str(),
                "interactions": interactions,
            });
            let digest = Sha256::digest(canonical.to_string().as_bytes());
            let expected: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(pact.content_hash().as_str(), expected, "{text}");
        }
    }

    const MESSAGES: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"},
        "messages": [{"description": "an event", "providerStates": [{"name": "s"}], "contents": {"id": 1},
                      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;

    const V4: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [
          {"type": "Synchronous/HTTP", "description": "one", "_id": "abc", "pending": false,
           "request": {"method": "POST", "path": "/1", "body": {"content": {"a": "é\u0000"}, "contentType": "application/json", "encoded": false}},
           "response": {"status": 201, "generators": {"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}}}},
          {"type": "Asynchronous/Messages", "description": "two", "contents": {"content": "x"}}
        ]}"#;

    const V2: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [{"description": "one", "providerState": "s",
          "request": {"method": "GET", "path": "/1", "query": "a=1&b=2"},
          "response": {"status": 200, "body": [1, 2.5, "x"], "matchingRules": {"$.body[0]": {"match": "type"}}}}],
        "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#;

    #[test]
    fn reading_one_interaction_at_a_time_gives_the_same_hash_and_errors() {
        let drop_ids: &[&str] = &["_id"];
        for text in [A, A_REORDERED, MESSAGES, V2] {
            assert_eq!(
                Pact::check_and_hash(text.as_bytes(), drop_ids).unwrap(),
                pact(text).content_hash(),
                "{text}"
            );
        }
        // An ignored member is left out of each interaction: not ignored, the `_id` counts.
        let without_id: Value = {
            let mut value: Value = serde_json::from_str(V4).unwrap();
            value["interactions"][0]
                .as_object_mut()
                .unwrap()
                .remove("_id");
            value
        };
        let expected = Pact::from_value(without_id).unwrap().content_hash();
        assert_eq!(
            Pact::check_and_hash(V4.as_bytes(), drop_ids).unwrap(),
            expected
        );
        assert_ne!(Pact::check_and_hash(V4.as_bytes(), &[]).unwrap(), expected);
        // A byte order mark is allowed, as when reading a file.
        let bom = format!("\u{feff}{A}");
        assert_eq!(
            Pact::check_and_hash(bom.as_bytes(), drop_ids).unwrap(),
            pact(A).content_hash()
        );
        for broken in [
            "[]",
            "{}",
            r#"{"consumer": {"name": "c"}}"#,
            r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": {}}"#,
            r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "x", "request": {"method": 1}}]}"#,
            r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "9"}}}"#,
        ] {
            let streamed = Pact::check_and_hash(broken.as_bytes(), drop_ids).unwrap_err();
            let whole = Pact::from_value(serde_json::from_str(broken).unwrap()).unwrap_err();
            assert_eq!(streamed.to_string(), whole.to_string(), "{broken}");
        }
        assert!(
            Pact::check_and_hash(b"{\"consumer\": ", drop_ids)
                .unwrap_err()
                .to_string()
                .contains("invalid JSON")
        );
    }

    #[test]
    fn hash_is_64_hex_digits() {
        let h = pact(A).content_hash();
        assert_eq!(ContentHash::parse(h.as_str()), Some(h.clone()));
        assert_eq!(h.as_str().len(), 64);
    }
}
