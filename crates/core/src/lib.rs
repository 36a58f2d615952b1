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
