//! Bytes → JSON → `Pact::from_json`. A pact that reads must write as V4 and read back, and
//! matching each of its interactions against itself must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactum::contract::{InteractionKind, Pact, SpecVersion, parse_json_bytes};
use pactum::matching::{match_message, match_request, match_response};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = parse_json_bytes(data) else {
        return;
    };
    let Ok(pact) = Pact::from_json(&value) else {
        return;
    };
    let written = pact
        .to_json(SpecVersion::V4)
        .expect("every pact can be written as V4");
    let reread = Pact::from_json(&written)
        .unwrap_or_else(|e| panic!("V4 output does not read back: {e}\n{written}"));
    assert_eq!(reread.consumer, pact.consumer);
    assert_eq!(reread.provider, pact.provider);
    assert_eq!(reread.interactions.len(), pact.interactions.len());
    // V3 cannot hold every pact, but what it writes must read back.
    if let Ok(v3) = pact.to_json(SpecVersion::V3) {
        Pact::from_json(&v3).unwrap_or_else(|e| panic!("V3 output does not read back: {e}\n{v3}"));
    }
    for interaction in &pact.interactions {
        match &interaction.kind {
            InteractionKind::Http { request, response } => {
                let _ = match_request(request, request);
                let _ = match_response(response, response);
            }
            InteractionKind::AsyncMessage(message) => {
                let _ = match_message(message, message);
            }
            InteractionKind::SyncMessage { request, responses } => {
                let _ = match_message(request, request);
                for response in responses {
                    let _ = match_message(response, response);
                }
            }
        }
    }
});
