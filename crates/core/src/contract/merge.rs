//! Merging interactions into a contract's: what a consumer's tests do when several of them write
//! one contract file, and what the broker does when a consumer version's contract is PATCHed or
//! published again with `onConflict: merge`.
//!
//! An interaction is identified by its description and provider states. An addition whose
//! identity is new is appended; one equal to the interaction already there is kept once; one
//! that differs from it is a [`MergeConflict`] naming the interaction. The merge indexes the
//! existing interactions by identity, so its cost grows with the number of interactions, not
//! with their square. It works on the model ([`Interaction`]) and on interactions as JSON
//! ([`serde_json::Value`], where a broker-assigned `_id` is not part of the comparison). Not
//! here: reading or writing files, and deciding when to merge.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use super::{Interaction, read, write};

/// What identifies an interaction within a contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InteractionIdentity {
    /// The description.
    pub description: String,
    /// The provider states as compact JSON in their V3 form (`[{"name": …, "params": …}]`);
    /// empty when there are none.
    pub provider_states: String,
}

impl InteractionIdentity {
    fn new(description: &str, states: &[super::ProviderState]) -> Self {
        InteractionIdentity {
            description: description.to_owned(),
            provider_states: if states.is_empty() {
                String::new()
            } else {
                write::states_json(states).to_string()
            },
        }
    }
}

impl fmt::Display for InteractionIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.description)?;
        if !self.provider_states.is_empty() {
            write!(f, " given {}", self.provider_states)?;
        }
        Ok(())
    }
}

/// An interaction, as a merge sees it.
pub trait Mergeable {
    /// Its description and provider states.
    fn identity(&self) -> InteractionIdentity;
    /// Whether it says the same as `other`, an interaction with the same identity.
    fn same_as(&self, other: &Self) -> bool;
}

/// Two interactions with one identity but different content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "interaction {identity} differs from the one with the same description and provider states already in the contract"
)]
pub struct MergeConflict {
    /// The interaction.
    pub identity: InteractionIdentity,
}

/// Adds `additions` to `existing`: interactions with a new identity are appended in order, one
/// equal to the interaction with its identity is dropped, and one that differs from it is a
/// conflict (and nothing is merged).
pub fn merge_interactions<T: Mergeable>(
    existing: Vec<T>,
    additions: impl IntoIterator<Item = T>,
) -> Result<Vec<T>, MergeConflict> {
    let mut merged = existing;
    let mut by_identity: HashMap<InteractionIdentity, usize> = HashMap::with_capacity(merged.len());
    for (index, interaction) in merged.iter().enumerate() {
        by_identity.entry(interaction.identity()).or_insert(index);
    }
    for addition in additions {
        let identity = addition.identity();
        match by_identity.get(&identity) {
            Some(&index) if merged[index].same_as(&addition) => {}
            Some(_) => return Err(MergeConflict { identity }),
            None => {
                by_identity.insert(identity, merged.len());
                merged.push(addition);
            }
        }
    }
    Ok(merged)
}

impl Mergeable for Interaction {
    fn identity(&self) -> InteractionIdentity {
        InteractionIdentity::new(&self.description, &self.provider_states)
    }

    /// Compared as a contract file records them (V4), so a re-read interaction that differs
    /// only in representation (a declared content type, say) is the same.
    fn same_as(&self, other: &Self) -> bool {
        without_broker_id(&write::v4_interaction(self), &write::v4_interaction(other))
    }
}

/// An interaction as JSON (any specification version's spelling).
impl Mergeable for Value {
    fn identity(&self) -> InteractionIdentity {
        let description = self
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self.as_object().map(|o| read::provider_states(o, "$")) {
            Some(Ok(states)) => InteractionIdentity::new(description, &states),
            // States the reader rejects still identify the interaction, as written.
            _ => InteractionIdentity {
                description: description.to_owned(),
                provider_states: ["providerStates", "providerState", "provider_state"]
                    .iter()
                    .find_map(|key| self.get(*key))
                    .map(Value::to_string)
                    .unwrap_or_default(),
            },
        }
    }

    fn same_as(&self, other: &Self) -> bool {
        without_broker_id(self, other)
    }
}

/// Whether two interactions are equal apart from the `_id` a broker adds when it stores one.
fn without_broker_id(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let fields = |o: &serde_json::Map<String, Value>| {
                o.len() - usize::from(o.contains_key(BROKER_ID))
            };
            fields(a) == fields(b)
                && a.iter()
                    .filter(|(key, _)| *key != BROKER_ID)
                    .all(|(key, value)| b.get(key) == Some(value))
        }
        _ => a == b,
    }
}

/// The field a Pact Broker adds to each interaction it stores.
const BROKER_ID: &str = "_id";

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use serde_json::json;

    use super::*;

    fn interaction(description: &str, state: Option<&str>, status: u16) -> Value {
        let mut value = json!({
            "description": description,
            "request": {"method": "GET", "path": "/"},
            "response": {"status": status},
        });
        if let Some(state) = state {
            value["providerStates"] = json!([{"name": state}]);
        }
        value
    }

    #[test]
    fn new_interactions_are_appended_equal_ones_kept_once() {
        let existing = vec![
            interaction("a", None, 200),
            interaction("b", Some("s"), 200),
        ];
        let merged = merge_interactions(
            existing.clone(),
            [
                interaction("b", Some("s"), 200),
                interaction("b", Some("other"), 200),
                interaction("c", None, 200),
                interaction("c", None, 200),
            ],
        )
        .unwrap();
        let names: Vec<InteractionIdentity> = merged.iter().map(Mergeable::identity).collect();
        assert_eq!(
            names.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "'a'",
                r#"'b' given [{"name":"s"}]"#,
                r#"'b' given [{"name":"other"}]"#,
                "'c'"
            ]
        );
    }

    #[test]
    fn a_changed_interaction_is_a_conflict_naming_it() {
        let error = merge_interactions(
            vec![interaction("a", Some("s"), 200)],
            [
                interaction("z", None, 200),
                interaction("a", Some("s"), 500),
            ],
        )
        .unwrap_err();
        assert_eq!(error.identity.description, "a");
        assert!(
            error.to_string().contains(r#"'a' given [{"name":"s"}]"#),
            "{error}"
        );
    }

    #[test]
    fn broker_ids_are_not_compared_and_state_spellings_are_one_identity() {
        let mut stored = interaction("a", Some("s"), 200);
        stored["_id"] = json!("0123abcd");
        // The V2 spelling of the same state.
        let mut v2 = interaction("a", None, 200);
        v2["providerState"] = json!("s");
        assert_eq!(stored.identity(), v2.identity());
        let republished = interaction("a", Some("s"), 200);
        let merged = merge_interactions(vec![stored.clone()], [republished]).unwrap();
        assert_eq!(merged, [stored]);
    }

    #[test]
    fn model_interactions_merge_by_the_same_identity() {
        let pact = |interactions: Vec<Value>| {
            super::super::Pact::from_json(&json!({
                "consumer": {"name": "c"}, "provider": {"name": "p"},
                "interactions": interactions,
            }))
            .unwrap()
            .interactions
        };
        let existing = pact(vec![interaction("a", Some("s"), 200)]);
        let merged = merge_interactions(
            existing.clone(),
            pact(vec![
                interaction("a", Some("s"), 200),
                interaction("b", None, 200),
            ]),
        )
        .unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0].identity(),
            interaction("a", Some("s"), 200).identity()
        );
        assert!(
            merge_interactions(existing, pact(vec![interaction("a", Some("s"), 404)])).is_err()
        );
    }

    /// Counts what the merge asks of each interaction.
    struct Counted<'a> {
        id: usize,
        identities: &'a Cell<usize>,
        comparisons: &'a Cell<usize>,
    }

    impl Mergeable for Counted<'_> {
        fn identity(&self) -> InteractionIdentity {
            self.identities.set(self.identities.get() + 1);
            InteractionIdentity {
                description: self.id.to_string(),
                provider_states: String::new(),
            }
        }
        fn same_as(&self, other: &Self) -> bool {
            self.comparisons.set(self.comparisons.get() + 1);
            self.id == other.id
        }
    }

    #[test]
    fn each_identity_is_computed_once_and_only_equal_identities_are_compared() {
        const SIZE: usize = 15_000;
        let (identities, comparisons) = (Cell::new(0), Cell::new(0));
        let make = |id| Counted {
            id,
            identities: &identities,
            comparisons: &comparisons,
        };
        let existing: Vec<Counted> = (0..SIZE).map(make).collect();
        // Half the additions are already there, half are new.
        let additions: Vec<Counted> = (SIZE / 2..SIZE + SIZE / 2).map(make).collect();
        let merged = merge_interactions(existing, additions).unwrap();
        assert_eq!(merged.len(), SIZE + SIZE / 2);
        assert_eq!(identities.get(), 2 * SIZE, "one identity per interaction");
        assert_eq!(
            comparisons.get(),
            SIZE / 2,
            "one comparison per repeated one"
        );
    }
}
