//! The core of pactum: the Pact contract model, the matching engine and generators.
//!
//! * [`contract`] — the Pact file model: read every spec version (V1–V4), write V3/V4, content
//!   hashes.
//! * [`matching`] — decide whether an actual request/response/message satisfies an expected one,
//!   and explain every mismatch.
//! * [`generate`] — apply generators (random values, dates, provider-state values, mock server
//!   URLs) to requests, responses and messages.
//! * [`datetime`] — Java-style date/time patterns used by date matchers and generators.
//! * [`date_expression`] — relative date expressions (`+ 1 day @ midnight`) of date generators.
//! * [`printable`] — text from contracts and brokers made safe to print to a terminal.
//!
//! This crate does no network IO and needs no async runtime: every other pactum crate builds on
//! it, including the consumer crate that consumer teams compile into their tests.
#![warn(missing_docs)]

pub mod contract;
pub mod date_expression;
pub mod datetime;
pub mod generate;
pub mod matching;
pub mod printable;

#[cfg(test)]
mod test_support {
    /// Property tests run `cases` cases unless `PROPTEST_CASES` asks for another number.
    pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
        proptest::test_runner::Config {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(cases),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        }
    }
}
