//! The contract a consumer scenario wrote, read back with pactum's reader, and comparisons of its
//! parts with the suite's bodies and parameters. Shared by the HTTP and message consumer steps.

use std::path::Path;

use cucumber::gherkin::Step;
use pactum::contract::{Pact, ProviderState};
use serde_json::Value;

use crate::CompatWorld;
use crate::support::{self, BodySpec};

/// Reads the contract pactum wrote at `path` into the world.
pub fn read_back(world: &mut CompatWorld, path: &Path) {
    world.consumer.pact =
        Some(Pact::load(path).unwrap_or_else(|e| panic!("pactum cannot read what it wrote: {e}")));
    world.consumer.pact_json = Some(
        serde_json::from_slice(&std::fs::read(path).expect("the written contract"))
            .expect("the written contract is JSON"),
    );
}

/// The written contract, read back.
pub fn written(world: &CompatWorld) -> &Pact {
    world
        .consumer
        .pact
        .as_ref()
        .expect("a contract was written and read back")
}

/// Compares a body from a contract with a fixture: as JSON for `.json` fixtures, else bytes.
pub fn assert_document(body: &pactum::contract::Body, fixture: &str) {
    let expected = support::body_spec(&format!("file: {fixture}"), None).expect("a fixture");
    assert_body(body, &expected, fixture);
}

/// Compares a contract body with the suite's body.
pub fn assert_body(body: &pactum::contract::Body, expected: &BodySpec, what: &str) {
    if expected.is_json() {
        let actual = match &body.content {
            pactum::contract::BodyContent::Json(v) => v.clone(),
            other => panic!("the body is not JSON: {other:?}"),
        };
        assert_eq!(actual, expected.json(), "the body is not {what}");
    } else {
        assert!(
            body.to_bytes() == expected.bytes,
            "the body is not {what}: {}",
            body.display_text()
        );
    }
}

/// Checks a state's parameters against the `parameters` column (one JSON object).
pub fn assert_state_params(states: &[ProviderState], name: &str, step: &Step) {
    let row = support::rows(support::table(step))
        .into_iter()
        .next()
        .expect("a row");
    let want: Value = serde_json::from_str(support::cell(&row, "parameters").expect("parameters"))
        .expect("JSON parameters");
    let state = states
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no provider state {name}"));
    assert_eq!(Value::Object(state.params.clone()), want);
}
