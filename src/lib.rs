//! pactum: consumer-driven contract testing that speaks the Pact specification (V1–V4).
//!
//! The library is organised by concern:
//!
//! * [`contract`] — the Pact file model: read every spec version, write V3/V4, content hashes.
//! * [`matching`] — decide whether an actual request/response/message satisfies an expected one,
//!   and explain every mismatch.
//! * [`generate`] — apply generators (random values, dates, provider-state values, mock server
//!   URLs) to requests, responses and messages.
//! * [`datetime`] — Java-style date/time patterns used by date matchers and generators.
//! * [`broker`] — the contract store with a Pact-Broker-compatible HTTP API, on SQLite or
//!   PostgreSQL.
//! * [`client`] — a Pact Broker API client: pacts for verification, publishing results.
//! * [`cli`] — the `pactum` command line (the binary is a thin wrapper around it).
#![warn(missing_docs)]

pub mod broker;
pub mod cli;
pub mod client;
pub mod consumer;
pub mod contract;
pub mod datetime;
pub mod generate;
pub mod matching;
mod serve;
pub mod sources;
pub mod stub;
pub mod verifier;
