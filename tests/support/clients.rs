//! The official Pact tools, installed from npm by `scripts/install-pact-clients.sh`:
//! `@pact-foundation/pact-cli` 18.1.2 (the Rust `pact` binary: stub, verifier, broker client),
//! `@pact-foundation/pact-cli` 16.1.7 in `ruby-cli/` (the Ruby `pact-broker`, the Pact Broker's
//! reference client) and `@pact-foundation/pact` 17.1.4 (pact-js).
//!
//! Found through [`prerequisites::official_clients`]: missing clients fail the tests that need
//! them unless `PACTUM_SKIP_INTEROP` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::prerequisites;

/// The official `pact` binary inside the npm package. Run directly: the npm shim in `.bin/`
/// starts it as a child process, which would outlive a kill of the shim.
const PACT_BINARY: &str = "node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact";

/// The Ruby `pact-broker` client.
const RUBY_BROKER_CLIENT: &str = "ruby-cli/node_modules/.bin/pact-broker";

/// The Ruby `pactflow` client (provider contracts), from the same package.
const RUBY_PACTFLOW_CLIENT: &str = "ruby-cli/node_modules/.bin/pactflow";

/// The installed official clients.
#[derive(Debug, Clone)]
pub struct OfficialClients {
    dir: PathBuf,
}

impl OfficialClients {
    /// The installed clients; `None` when they are to be skipped (see the module comment).
    pub fn find() -> Option<OfficialClients> {
        let dir = prerequisites::official_clients(&[PACT_BINARY, RUBY_BROKER_CLIENT])?;
        Some(OfficialClients { dir })
    }

    /// The Rust `pact` CLI (`pact stub`, `pact verifier`, `pact broker …`).
    pub fn pact(&self) -> Command {
        let mut command = Command::new(self.dir.join(PACT_BINARY));
        command.env("PACT_DO_NOT_TRACK", "true");
        command
    }

    /// The path of the Ruby `pact-broker` client.
    pub fn ruby_broker_client(&self) -> PathBuf {
        self.dir.join(RUBY_BROKER_CLIENT)
    }

    /// The path of the Ruby `pactflow` client (`publish-provider-contract`).
    pub fn ruby_pactflow_client(&self) -> PathBuf {
        self.dir.join(RUBY_PACTFLOW_CLIENT)
    }

    /// `node` running `script` with pact-js on its module path.
    pub fn node(&self, script: &Path) -> Command {
        let mut command = Command::new("node");
        command
            .arg(script)
            .env("NODE_PATH", self.dir.join("node_modules"))
            .env("SCARF_ANALYTICS", "false")
            .env("PACT_DO_NOT_TRACK", "true");
        command
    }
}
