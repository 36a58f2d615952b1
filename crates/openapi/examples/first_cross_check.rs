//! A new document's first cross-check, a given number of times, for counting instructions
//! (timings on a shared machine are noisier than the changes they would measure):
//!
//! ```text
//! cargo build --release -p pactum-openapi --example first_cross_check
//! perf stat -e instructions:u target/release/examples/first_cross_check 0   # building the pair
//! perf stat -e instructions:u target/release/examples/first_cross_check 5   # + 5 first checks
//! ```
//!
//! The pair is the benchmark's (`benches/pair/mod.rs`). Each round loads the document from its
//! bytes and cross-checks the contract with it, as the broker does for a new document.

use pactum_core::contract::Pact;
use pactum_openapi::Document;

#[path = "../benches/pair/mod.rs"]
mod pair;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let bytes = serde_json::to_vec(&pair::document()).expect("the document serialises");
    let pact = Pact::from_json(&pair::contract()).expect("the contract loads");
    let mut errors = 0;
    for _ in 0..rounds {
        let document = Document::from_bytes(&bytes).expect("the document loads");
        errors += document.cross_check(&pact).errors().count();
        // The broker keeps a document it checked; a process would leave it to the OS.
        std::mem::forget(document);
    }
    println!("{rounds} first cross-checks, {errors} errors");
}
