//! The consumer side: declare interactions in Rust tests, serve them from a mock server, and
//! write the contract.
//!
//! ```no_run
//! use pactum_consumer::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut pact = PactBuilder::new("web-shop", "catalogue");
//! pact.interaction("a request for product 10", |i| {
//!     i.given("product 10 exists")
//!         .with_request(|r| r.get("/products/10").header("Accept", "application/json"))
//!         .will_respond_with(|r| r.status(200).json_body(pattern!({"id": integer(10), "name": like("Widget")})))
//! })?;
//! let server = pact.start_mock_server()?;
//! // ... point the code under test at server.url() ...
//! let written = server.finish()?; // checks every interaction was received, then writes
//! # Ok(()) }
//! ```
//!
//! Also here: [`stub`], the server behind `pactum stub`, which shares the HTTP plumbing
//! (`serve`) with the mock server.
//!
//! Not here: matching (see [`pactum_core::matching`]) and loading contracts from files or URLs
//! (`pactum_client::sources`). This crate is what a consumer team compiles into its tests, so it
//! depends on no SQL driver, no TLS library and no CLI crate, and builds on every platform Rust
//! supports.
#![warn(missing_docs)]

mod builder;
mod mock_server;
pub mod pact_file;
pub mod pattern;
mod serve;
pub mod stub;

pub use builder::{
    InteractionBuilder, MessageBuilder, PactBuilder, RequestBuilder, ResponseBuilder,
    SyncMessageBuilder,
};
pub use mock_server::{MockServer, MockServerReport, Unexpected};
pub use pact_file::PactFileError;
pub use pattern::*;

use pactum_core::matching::Mismatch;

/// What can go wrong on the consumer side.
///
/// Its `Debug` is the same readable report as its `Display`: a test returning
/// `Result<(), Box<dyn Error>>` prints an error with `Debug`, and a dump of internal structs
/// would bury what was missing and why a request did not match.
#[derive(thiserror::Error)]
pub enum ConsumerError {
    /// A matcher in a pattern is invalid (bad regex, bad date format).
    #[error("interaction '{interaction}': {source}")]
    Pattern {
        /// The interaction.
        interaction: String,
        /// The problem.
        source: PatternError,
    },
    /// An example does not satisfy its own matcher.
    #[error(
        "interaction '{interaction}': an example does not satisfy its own matcher:\n{}",
        list(mismatches)
    )]
    ExampleBreaksRule {
        /// The interaction.
        interaction: String,
        /// Each failing example.
        mismatches: Vec<Mismatch>,
    },
    /// The same description and provider states were declared twice, differently.
    #[error("interaction '{interaction}' is declared twice with different content")]
    Conflict {
        /// The interaction.
        interaction: String,
    },
    /// The consumer's message handler rejected the generated message.
    #[error("the handler for message '{interaction}' failed: {message}")]
    Handler {
        /// The interaction.
        interaction: String,
        /// What the handler said.
        message: String,
    },
    /// A generator could not produce a value.
    #[error(transparent)]
    Generate(#[from] pactum_core::generate::GenerateError),
    /// The mock server could not start.
    #[error("cannot start the mock server: {0}")]
    Server(std::io::Error),
    /// The mock server did not receive what the contract declares.
    #[error("{0}")]
    Expectations(Box<MockServerReport>),
    /// `finish` was already called.
    #[error("the mock server was already finished")]
    AlreadyFinished,
    /// HTTP interactions can only be confirmed through a mock server.
    #[error("the pact has HTTP interactions; start a mock server and call finish() to write it")]
    UnverifiedHttp,
    /// The contract file could not be written.
    #[error(transparent)]
    File(#[from] PactFileError),
}

impl std::fmt::Debug for ConsumerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

fn list(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(|m| format!("  - {m}"))
        .collect::<Vec<_>>()
        .join(
            "
",
        )
}
