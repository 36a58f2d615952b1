//! pactum's integration tests, in one binary so a 2-core machine links once.
//!
//! * `conformance` — every Pact specification test case (V1–V4) through the matcher, plus the
//!   table of cases where pactum deliberately follows a different expectation.
//! * `matchers` — every matcher in both directions, rule selection, HTTP parts, messages.
//! * `consumer` — the Rust DSL and mock server over real HTTP, contract files from threads and processes.
//! * `properties` — generated documents, contracts, paths and bodies (proptest).
//! * `contracts` — pact files: every version read, V3/V4 written, unknown fields kept.
//! * `openapi` — the OpenAPI cross-check: agreement with PactFlow's comparator (npm) on the
//!   corpus in `openapi/cases`, locations, unreadable documents.
//! * `generators` — every generator, checked against the matcher it pairs with, both directions.
//! * `stub` — `pactum stub` serving contracts over real HTTP.
//! * `interop` — the official Pact CLI and pact-js against pactum (clients from npm).
//! * `verifier` — `pactum verify` and the `Verifier` API against `support::provider`, a real
//!   test app.
//! * `broker` — the broker's HTTP API on SQLite and PostgreSQL (`support::broker` runs them).
//! * `broker_migrations` — schema migrations: older databases, changed migrations refused, the
//!   same schema on both backends.
//! * `broker_interop` — the official Rust and Ruby broker clients against pactum's broker.
//! * `broker_cross_checks` — consumer contracts cross-checked against a provider's OpenAPI
//!   document in the background, and the result in can-i-deploy, the matrix, pending and
//!   `pactum cross-check`; restarts and two instances on one PostgreSQL; a check not computed
//!   yet (pending, never verified); the document's coverage resource and page.
//! * `broker_links` — every link the broker advertises resolves (a walk from the index on both
//!   backends); the lists of contracts, integrations and `/doc` pages it found missing.
//! * `broker_webhooks` — webhooks with real receivers on 127.0.0.1: which events fire, retries,
//!   a restart resuming a delivery, two instances on one PostgreSQL, the address policy,
//!   validation and redaction, `pactum create-webhook` and the other webhook commands.
//! * `broker_wire` — the broker serves exactly the typed wire resources and names the member of
//!   a request that does not read; pactum's broker commands read another broker's minimal answers.
//! * `broker_verification` — pacts for verification, pending/WIP, and `pactum verify` and the
//!   official verifier fetching from and publishing to pactum's broker.
//! * `broker_openapi` — `openapi-diff` and `openapi-coverage` with contracts from the broker:
//!   consumer versions deployed in an environment or on main branches, exit codes, errors.
//! * `broker_messages` — what broker commands say when something goes wrong (sentences naming
//!   the flags, credentials by kind, not-a-broker, safe re-runs) and their exit codes.
//! * `broker_ui` — the broker's web pages over HTTP on both backends: negotiation (the official
//!   clients' JSON unchanged), each page's hooks, a hostile contract (and consumer name on the
//!   coverage page) rendered inert, auth.
//! * `official_contracts` — the broker verified by pactum's verifier against the official Ruby
//!   broker client's own contracts with the Pact Broker and PactFlow, on both backends; what
//!   cannot pass yet is listed with the reason.
//! * `can_i_deploy` — the release gate through a release cycle, agreeing with the official clients.
//! * `cli` — the `pactum` binary: output and exit codes.
//! * `hardening` — regression tests for the adversarial review: hosts a contract cannot reach,
//!   limits a request cannot exceed.
//! * `web_ui` — the broker's pages in headless Chromium on both backends: what a person sees
//!   after publishing, verifying and deploying, a hostile contract rendered inert, and a failed
//!   cross-check with the document's coverage.
//!
//! `support` holds what they share (running the binary, scratch directories, servers, brokers,
//! the test provider, the official clients, snapshot filters, the skip policy for missing
//! prerequisites). Snapshots of rendered output are in `snapshots/` (insta).

mod broker;
mod broker_cross_checks;
mod broker_interop;
mod broker_labels;
mod broker_links;
mod broker_messages;
mod broker_migrations;
mod broker_openapi;
mod broker_provider_contracts;
mod broker_ui;
mod broker_verification;
mod broker_webhooks;
mod broker_wire;
mod can_i_deploy;
mod cli;
mod conformance;
mod consumer;
mod contracts;
mod generators;
mod hardening;
mod interop;
mod matchers;
mod official_contracts;
mod openapi;
mod properties;
mod stub;
mod support;
mod verifier;
mod web_ui;
