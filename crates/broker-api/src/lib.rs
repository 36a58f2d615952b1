//! The Pact Broker HTTP API's wire formats: every resource the broker serves and every request
//! body a client sends, as serde structs shared by pactum's broker, its client and the tests.
#![warn(missing_docs)]
