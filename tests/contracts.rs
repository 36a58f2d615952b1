//! Pact files: reading every version, writing V3 and V4, and what survives a round trip.

use pactum::contract::{BodyContent, InteractionKind, LoadError, Pact, SpecVersion, WriteError};
use serde_json::{Value, json};

use crate::support::{ScratchDir, repo_path};

fn example(name: &str) -> Pact {
    Pact::load(&repo_path("contracts/examples").join(name)).unwrap()
}

fn round_trip(pact: &Pact, version: SpecVersion) -> Pact {
    let written = pact.to_json(version).unwrap();
    Pact::from_json(&written)
        .unwrap_or_else(|e| panic!("re-reading {version} output: {e}\n{written:#}"))
}

/// The parts of a pact that must survive writing, ignoring the declared spec version.
fn essence(pact: &Pact) -> (String, String, Vec<pactum::contract::Interaction>) {
    (
        pact.consumer.name.clone(),
        pact.provider.name.clone(),
        pact.interactions.clone(),
    )
}

#[test]
fn v2_files_are_normalised() {
    let pact = example("v2-http.json");
    assert_eq!(pact.spec, SpecVersion::V2);
    let interaction = &pact.interactions[0];
    assert_eq!(interaction.provider_states[0].name, "widgets exist");
    let InteractionKind::Http { request, response } = &interaction.kind else {
        panic!()
    };
    assert_eq!(request.query["q"], ["widget"]);
    assert_eq!(request.query["page"], ["1"]);
    let paths: Vec<&str> = response
        .matching_rules
        .body
        .entries()
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    assert!(
        paths.contains(&"$.results[*].id"),
        "V2 $.body prefix removed: {paths:?}"
    );
    assert!(
        response
            .matching_rules
            .header_rules("content-type")
            .is_some()
    );
    // Written as V3 it reads back identically.
    assert_eq!(essence(&round_trip(&pact, SpecVersion::V3)), essence(&pact));
}

#[test]
fn v3_message_pacts_round_trip() {
    let pact = example("v3-message.json");
    assert_eq!(pact.spec, SpecVersion::V3);
    let InteractionKind::AsyncMessage(message) = &pact.interactions[0].kind else {
        panic!()
    };
    assert_eq!(message.metadata["topic"], "orders.placed");
    assert_eq!(pact.interactions[0].provider_states[0].params["id"], 5);
    assert_eq!(essence(&round_trip(&pact, SpecVersion::V3)), essence(&pact));
    // As V4 the body declares the content type the V3 metadata gave; nothing else changes.
    let v4 = round_trip(&pact, SpecVersion::V4);
    let InteractionKind::AsyncMessage(v4_message) = &v4.interactions[0].kind else {
        panic!()
    };
    assert_eq!(
        v4_message.contents.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(v4_message.contents.content, message.contents.content);
    assert_eq!(v4_message.metadata, message.metadata);
    assert_eq!(v4_message.matching_rules, message.matching_rules);
    assert_eq!(essence(&round_trip(&v4, SpecVersion::V4)), essence(&v4));
    let v3 = pact.to_json(SpecVersion::V3).unwrap();
    assert!(
        v3["messages"].is_array(),
        "V3 message pacts keep the messages array"
    );
    assert_eq!(
        v3["metadata"]["pactJs"]["version"], "12.1.0",
        "writer metadata kept"
    );
}

#[test]
fn v4_files_keep_every_field() {
    let pact = example("v4-mixed.json");
    assert_eq!(pact.spec, SpecVersion::V4);
    assert_eq!(pact.interactions.len(), 4);
    assert!(pact.interactions[1].pending);
    assert_eq!(pact.interactions[0].key.as_deref(), Some("get-account-7"));
    let InteractionKind::Http { request, .. } = &pact.interactions[1].kind else {
        panic!()
    };
    let BodyContent::Bytes(png) = &request.body.content else {
        panic!("{:?}", request.body)
    };
    assert!(png.starts_with(b"\x89PNG"), "base64 bodies are decoded");

    let written = pact.to_json(SpecVersion::V4).unwrap();
    assert_eq!(written["x-origin"], "hand written for pactum's tests");
    assert_eq!(written["consumer"]["team"], "apps");
    let first = &written["interactions"][0];
    assert_eq!(first["interactionMarkup"]["markupType"], "COMMON_MARK");
    assert_eq!(
        first["comments"]["testname"],
        "account_spec::fetches_an_account"
    );
    assert_eq!(first["response"]["x-vendor-note"], "kept verbatim");
    assert_eq!(
        written["interactions"][1]["request"]["body"]["encoded"],
        "base64"
    );
    assert_eq!(written["interactions"][3]["type"], "Synchronous/Messages");
    assert_eq!(essence(&round_trip(&pact, SpecVersion::V4)), essence(&pact));
}

#[test]
fn v3_cannot_hold_synchronous_messages() {
    let err = example("v4-mixed.json")
        .to_json(SpecVersion::V3)
        .unwrap_err();
    assert!(matches!(err, WriteError::Unsupported { .. }));
    assert_eq!(
        err.to_string(),
        "a V3 pact cannot hold synchronous message interactions; write it as V4"
    );
}

#[test]
fn written_output_is_deterministic() {
    let pact = example("v4-mixed.json");
    let a = serde_json::to_string_pretty(&pact.to_json(SpecVersion::V4).unwrap()).unwrap();
    let b = serde_json::to_string_pretty(
        &round_trip(&pact, SpecVersion::V4)
            .to_json(SpecVersion::V4)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn content_hash_is_the_same_after_a_round_trip_and_differs_between_contracts() {
    let pact = example("v4-mixed.json");
    assert_eq!(
        pact.content_hash(),
        round_trip(&pact, SpecVersion::V4).content_hash()
    );
    assert_ne!(
        pact.content_hash(),
        example("v3-message.json").content_hash()
    );
}

#[test]
fn load_errors_name_the_file_and_place() {
    let dir = ScratchDir::new("contracts");
    let cases: [(&str, Value, &str); 3] = [
        (
            "no-consumer.json",
            json!({"provider": {"name": "p"}}),
            "the pact has no \"consumer\"",
        ),
        (
            "bad-states.json",
            json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d", "providerStates": "x", "request": {}, "response": {}}]}),
            "$.interactions[0].providerStates: expected an array of provider states",
        ),
        (
            "bad-generator.json",
            json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d", "request": {"generators": {"body": {"$.id": {"type": "Magic"}}}}, "response": {}}]}),
            "$.interactions[0].request.generators.body['$.id'].type: unknown generator 'Magic'",
        ),
    ];
    for (name, content, needle) in cases {
        let file = dir.write(name, content.to_string());
        let err = Pact::load(&file).unwrap_err();
        assert!(matches!(err, LoadError::Contract { .. }));
        let text = err.to_string();
        assert!(text.contains(name) && text.contains(needle), "{text}");
    }
    let bom = dir.write(
        "bom.json",
        b"\xEF\xBB\xBF{\"consumer\": {\"name\": \"c\"}, \"provider\": {\"name\": \"p\"}}",
    );
    assert!(
        Pact::load(&bom).is_ok(),
        "a UTF-8 byte-order mark is tolerated"
    );
}
