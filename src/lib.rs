//! pactum: consumer-driven contract testing that speaks the Pact specification (V1–V4).
//!
//! This crate is a facade over the workspace's crates, one per layer:
//!
//! * [`contract`], [`matching`], [`generate`], [`datetime`] — `pactum-core`: the Pact file model,
//!   the matching engine and generators (no IO, no async runtime).
//! * [`consumer`] and [`stub`] — `pactum-consumer`: the Rust consumer DSL, the mock server and the
//!   stub server. Consumer teams depend on `pactum-consumer` directly: it is much smaller than
//!   this facade.
//! * [`broker_api`] — `pactum-broker-api`: the Pact Broker API's resources as typed structs.
//! * [`client`] and [`sources`] — `pactum-client`: a Pact Broker API client, and loading
//!   contracts from files, directories and URLs.
//! * [`verifier`] — `pactum-verifier`: replay contracts against a provider.
//! * [`broker`] — `pactum-broker`: the contract store with a Pact-Broker-compatible HTTP API, on
//!   SQLite or PostgreSQL.
//! * [`openapi`] — `pactum-openapi`: OpenAPI documents as provider contracts (cross-checks of
//!   Pact contracts, diffs, coverage).
//! * [`cli`] — `pactum-cli`: the `pactum` command line (the binary is a thin wrapper around it).
#![warn(missing_docs)]

pub use pactum_broker as broker;
pub use pactum_broker_api as broker_api;
pub use pactum_cli as cli;
pub use pactum_client as client;
pub use pactum_client::sources;
pub use pactum_consumer as consumer;
pub use pactum_consumer::pattern;
pub use pactum_consumer::stub;
pub use pactum_core::{contract, datetime, generate, matching};
pub use pactum_openapi as openapi;
pub use pactum_verifier as verifier;
