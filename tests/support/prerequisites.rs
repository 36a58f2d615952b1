//! What some suites need from the machine — the Pact specification's test cases, the Pact
//! compatibility suite, the official clients' contracts with the Pact Broker, the official Pact
//! clients, a PostgreSQL server, a browser — and what happens when it is missing.
//!
//! A green run must mean that everything ran. So a missing prerequisite fails the tests that
//! need it, with a message saying how to provide it and which `PACTUM_SKIP_*` variable skips
//! them instead. When that variable is set (to anything but `0`; its value may say why, and
//! `scripts/test` puts the reason there), those tests skip — even where the prerequisite is
//! present — and say so. `scripts/test` sets a variable only for what the machine cannot
//! provide and lists them in its summary; CI sets none.
//!
//! Locating each prerequisite is here too, so the rule is applied the same way everywhere; what
//! a suite does with it is not.

use std::path::{Path, PathBuf};

/// Something a suite needs that the repository does not contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prerequisite {
    /// The Pact specification's test cases (`PACTUM_SPEC_CASES`).
    SpecCases,
    /// The Pact compatibility suite's features and fixtures (`PACTUM_COMPAT_SUITE`).
    #[allow(dead_code, reason = "used by the compatibility test binary")]
    CompatSuite,
    /// The official Ruby broker client's contracts with the Pact Broker and PactFlow
    /// (`PACTUM_OFFICIAL_CONTRACTS`).
    OfficialContracts,
    /// The official Pact clients from npm (`PACTUM_PACT_CLIENTS`).
    OfficialClients,
    /// A PostgreSQL server for the broker tests (`PACTUM_TEST_DATABASE_URL`).
    Postgres,
    /// PactFlow's `openapi-pact-comparator` from npm (`PACTUM_OPENAPI_COMPARATOR`), the
    /// reference for the OpenAPI cross-check.
    OpenapiComparator,
    /// Headless Chromium and ChromeDriver for the web UI tests (`PACTUM_CHROMIUM`,
    /// `PACTUM_CHROMEDRIVER`).
    Browser,
}

impl Prerequisite {
    /// The variable that skips the tests needing it.
    pub fn skip_variable(self) -> &'static str {
        match self {
            Prerequisite::SpecCases => "PACTUM_SKIP_SPEC_CASES",
            Prerequisite::CompatSuite => "PACTUM_SKIP_COMPAT_SUITE",
            Prerequisite::OfficialContracts => "PACTUM_SKIP_OFFICIAL_CONTRACTS",
            Prerequisite::OfficialClients => "PACTUM_SKIP_INTEROP",
            Prerequisite::Postgres => "PACTUM_SKIP_POSTGRES",
            Prerequisite::OpenapiComparator => "PACTUM_SKIP_OPENAPI_COMPARATOR",
            Prerequisite::Browser => "PACTUM_SKIP_BROWSER",
        }
    }

    /// What the tests needing it cover, for the skip notice.
    fn tests(self) -> &'static str {
        match self {
            Prerequisite::SpecCases => "the Pact specification conformance cases",
            Prerequisite::CompatSuite => "the Pact compatibility suite",
            Prerequisite::OfficialContracts => {
                "the verification of the broker against the official client's contracts"
            }
            Prerequisite::OfficialClients => "the tests against the official Pact clients",
            Prerequisite::Postgres => "the broker tests on PostgreSQL",
            Prerequisite::OpenapiComparator => {
                "the agreement of the OpenAPI cross-check with PactFlow's comparator"
            }
            Prerequisite::Browser => "the browser tests",
        }
    }

    /// Whether its skip variable is set; if so, says that the tests are skipped and why.
    pub fn skipped(self) -> bool {
        let variable = self.skip_variable();
        match std::env::var(variable) {
            Ok(value) if !value.is_empty() && value != "0" => {
                eprintln!("skipped: {} ({variable}={value})", self.tests());
                true
            }
            _ => false,
        }
    }

    /// Fails the test: the prerequisite is missing (`problem`) and was not to be skipped.
    /// `remedy` says how to provide it.
    pub fn missing(self, problem: &str, remedy: &str) -> ! {
        panic!(
            "{problem}.\nTo run {tests}: {remedy} (scripts/test does this).\nTo skip them: set {variable}=1.",
            tests = self.tests(),
            variable = self.skip_variable(),
        )
    }
}

/// The folder holding the specification's cases (`v1` … `v4`): `PACTUM_SPEC_CASES`, else
/// `../shared/pact-spec` beside the checkout. `None` when they are to be skipped.
pub fn spec_cases() -> Option<PathBuf> {
    let need = Prerequisite::SpecCases;
    if need.skipped() {
        return None;
    }
    let remedy =
        "set PACTUM_SPEC_CASES to the folder holding v1 … v4 of pact-foundation/pact-specification";
    if let Some(dir) = std::env::var_os("PACTUM_SPEC_CASES") {
        let dir = PathBuf::from(dir);
        if !dir.join("v1").is_dir() {
            need.missing(
                &format!("PACTUM_SPEC_CASES={} has no v1 folder", dir.display()),
                remedy,
            );
        }
        return Some(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pact-spec");
    if !beside.join("v1").is_dir() {
        need.missing(
            &format!(
                "the Pact specification's test cases are not in {} and PACTUM_SPEC_CASES is not set",
                beside.display()
            ),
            remedy,
        );
    }
    Some(beside)
}

/// The folder of the Pact compatibility suite (holding `features` and `fixtures`):
/// `PACTUM_COMPAT_SUITE`, else `../shared/pact-compatibility-suite` beside the checkout. `None`
/// when it is to be skipped.
#[allow(dead_code, reason = "used by the compatibility test binary")]
pub fn compat_suite() -> Option<PathBuf> {
    let need = Prerequisite::CompatSuite;
    if need.skipped() {
        return None;
    }
    let remedy = "set PACTUM_COMPAT_SUITE to the folder of pact-foundation/pact-compatibility-suite \
                  (holding features/ and fixtures/)";
    if let Some(dir) = std::env::var_os("PACTUM_COMPAT_SUITE") {
        let dir = PathBuf::from(dir);
        if !dir.join("features").is_dir() {
            need.missing(
                &format!(
                    "PACTUM_COMPAT_SUITE={} has no features folder",
                    dir.display()
                ),
                remedy,
            );
        }
        return Some(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pact-compatibility-suite");
    if !beside.join("features").is_dir() {
        need.missing(
            &format!(
                "the Pact compatibility suite is not in {} and PACTUM_COMPAT_SUITE is not set",
                beside.display()
            ),
            remedy,
        );
    }
    Some(beside)
}

/// The folder of the official broker client's contracts (`*.json` pact files):
/// `PACTUM_OFFICIAL_CONTRACTS`, else `../shared/official-contracts` beside the checkout. `None`
/// when they are to be skipped. The folder must hold at least one `.json` file.
pub fn official_contracts() -> Option<PathBuf> {
    let need = Prerequisite::OfficialContracts;
    if need.skipped() {
        return None;
    }
    let remedy = "set PACTUM_OFFICIAL_CONTRACTS to a folder holding the pact files of \
                  pact-foundation/pact_broker-client (spec/pacts: `Pact Broker Client V2-Pact \
                  Broker.json`, `Pact Broker Client V2-PactFlow.json`)";
    let holds_contracts = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        })
    };
    let dir = match std::env::var_os("PACTUM_OFFICIAL_CONTRACTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/official-contracts"),
    };
    if !holds_contracts(&dir) {
        let problem = if std::env::var_os("PACTUM_OFFICIAL_CONTRACTS").is_some() {
            format!(
                "PACTUM_OFFICIAL_CONTRACTS={} is not a folder holding .json contracts",
                dir.display()
            )
        } else {
            format!(
                "the official client's contracts are not in {} and PACTUM_OFFICIAL_CONTRACTS is not set",
                dir.display()
            )
        };
        need.missing(&problem, remedy);
    }
    Some(dir)
}

/// The folder holding `node_modules` with the official clients: `PACTUM_PACT_CLIENTS`, else
/// `.cache/pact-clients` in the checkout. `None` when they are to be skipped. Every file in
/// `required` (relative to that folder) must exist.
pub fn official_clients(required: &[&str]) -> Option<PathBuf> {
    let need = Prerequisite::OfficialClients;
    if need.skipped() {
        return None;
    }
    let dir = std::env::var_os("PACTUM_PACT_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/pact-clients"));
    for file in required {
        if !dir.join(file).exists() {
            need.missing(
                &format!(
                    "the official Pact clients are not installed in {} (no {file})",
                    dir.display()
                ),
                "install them with scripts/install-pact-clients.sh, and set PACTUM_PACT_CLIENTS \
                 to that folder if it is not .cache/pact-clients",
            );
        }
    }
    Some(dir)
}

/// The folder holding `node_modules/@pactflow/openapi-pact-comparator`:
/// `PACTUM_OPENAPI_COMPARATOR`, else `.cache/openapi-comparator` in the checkout. `None` when
/// it is to be skipped. Node must be on the `PATH`.
pub fn openapi_comparator() -> Option<PathBuf> {
    let need = Prerequisite::OpenapiComparator;
    if need.skipped() {
        return None;
    }
    let remedy = "install it with scripts/install-openapi-comparator.sh (needs node and npm), and \
                  set PACTUM_OPENAPI_COMPARATOR to that folder if it is not .cache/openapi-comparator";
    let dir = std::env::var_os("PACTUM_OPENAPI_COMPARATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/openapi-comparator"));
    if !dir
        .join("node_modules/@pactflow/openapi-pact-comparator/package.json")
        .exists()
    {
        need.missing(
            &format!(
                "PactFlow's openapi-pact-comparator is not installed in {}",
                dir.display()
            ),
            remedy,
        );
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        need.missing("node is not on the PATH", remedy);
    }
    Some(dir)
}

/// The URL of a PostgreSQL server for broker tests (`PACTUM_TEST_DATABASE_URL`; the tests
/// create and drop their own databases on it). `None` when PostgreSQL is to be skipped.
pub fn postgres_url() -> Option<String> {
    let need = Prerequisite::Postgres;
    if need.skipped() {
        return None;
    }
    match std::env::var("PACTUM_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => need.missing(
            "PACTUM_TEST_DATABASE_URL is not set",
            "point it at a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres",
        ),
    }
}
