//! The reference implementation as a command, for the whole-process comparison with
//! `pactum match response`: reads an expected V4 response (as in a pact file, with its
//! matching rules) and an actual one from two files, matches them with
//! `pact_matching::match_response`, prints the number of mismatches and exits 0 (match) or 1.
//!
//! Usage: match-response EXPECTED.json ACTUAL.json

use std::process::ExitCode;

use pact_models::pact::Pact;
use pact_models::sync_interaction::RequestResponseInteraction;
use pact_models::sync_pact::RequestResponsePact;
use pact_models::v4::http_parts::HttpResponse;

fn read(path: &str) -> HttpResponse {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    HttpResponse::from_json(&json).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, expected, actual] = &args[..] else {
        eprintln!("usage: match-response EXPECTED.json ACTUAL.json");
        return ExitCode::from(2);
    };
    let (expected, actual) = (read(expected), read(actual));
    // match_response reads the pact and interaction only for plugins (off here).
    let pact: Box<dyn Pact + Send + Sync + std::panic::RefUnwindSafe> =
        Box::new(RequestResponsePact::default());
    let interaction: Box<dyn pact_models::interaction::Interaction + Send + Sync + std::panic::RefUnwindSafe> =
        Box::new(RequestResponseInteraction::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let mismatches = runtime
        .block_on(pact_matching::match_response(expected, actual, &pact, &interaction))
        .expect("match_response");
    println!("{} mismatches", mismatches.len());
    ExitCode::from(u8::from(!mismatches.is_empty()))
}
