//! The `pactum` command line: argument parsing, and rendering results and errors for humans.
//!
//! Every command returns an [`Outcome`] or a [`CliError`]; [`main`] turns them into output and
//! the documented exit codes. Library code never prints or exits.

mod broker_client_cmd;
mod broker_cmd;
mod broker_error;
mod cross_check_cmd;
mod file_bytes;
mod match_cmd;
mod openapi_cmd;
mod provider_contract_cmd;
mod signal;
mod stub_cmd;
mod verify_cmd;
mod webhook_cmd;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use pactum_core::contract::{LoadError, SpecVersion};

/// Exit code: success (matched, verified, deployable).
pub const EXIT_OK: u8 = 0;
/// Exit code: the check ran and failed (mismatch, verification failure, not deployable).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage or input, or an environment problem (file missing, invalid JSON).
pub const EXIT_ERROR: u8 = 2;

/// Consumer-driven contract testing with Pact contracts.
#[derive(Debug, Parser)]
#[command(name = "pactum", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// `defer`: a subcommand's arguments are defined only when it is the one run (or its help is
// shown), so `pactum match` does not build the broker's and every other command's arguments
// first (about a million instructions and a few hundred microseconds per run).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
enum Command {
    /// Check whether an actual request, response or message matches an expected one.
    ///
    /// The expected file holds the object exactly as it appears in a pact file (with its
    /// matchingRules); the actual file holds the received one in the same shape. Exit codes:
    /// 0 match, 1 mismatch (each mismatch printed), 2 bad input.
    Match(MatchArgs),
    /// Serve the responses of contracts' HTTP interactions (any spec version).
    ///
    /// Each request gets the response of the first interaction whose request matches, with
    /// generators applied; a request that matches nothing gets a 404 naming the closest
    /// interactions. Runs until Ctrl-C. Exit code 2 when a contract cannot be loaded.
    Stub(StubArgs),
    /// Verify a provider against contracts: replay every interaction and compare.
    ///
    /// Exit codes: 0 all passed (failures of pending interactions are reported but do not
    /// fail), 1 at least one verification failed, 2 usage or setup error (a contract cannot be
    /// loaded, the provider does not answer).
    Verify(Box<VerifyArgs>),
    /// Run the contract broker (Pact Broker API) on SQLite (default) or PostgreSQL.
    ///
    /// Migrates the database at start (safe with several instances), then serves until
    /// Ctrl-C or SIGTERM, finishing requests in flight. Authentication is off by default on a
    /// loopback address and required on any other unless --allow-public-without-auth.
    Broker(Box<BrokerArgs>),
    /// Publish pact files to a broker for a consumer version (with branch and tags).
    Publish(Box<broker_client_cmd::PublishArgs>),
    /// Ask a broker whether versions can be deployed: exit 0 yes, 1 no or unknown, 2 error.
    ///
    /// Name each pacticipant with --pacticipant followed by its version (--version, --latest
    /// [TAG], --branch or --main-branch), and the destination with --to-environment or --to.
    #[command(disable_version_flag = true)]
    #[command(name = "can-i-deploy")]
    CanIDeploy(Box<broker_client_cmd::CanIDeployArgs>),
    /// Publish a provider contract (an OpenAPI document) with the provider's own test result,
    /// as PactFlow's `pactflow publish-provider-contract` does.
    PublishProviderContract(Box<provider_contract_cmd::PublishProviderContractArgs>),
    /// Show the cross-checks of a provider version's OpenAPI document against its consumers'
    /// contracts: exit 0 when all passed, 1 when one failed or is still being computed, 2 error.
    CrossCheck(Box<cross_check_cmd::CrossCheckArgs>),
    /// Record that a version was deployed to an environment.
    #[command(disable_version_flag = true)]
    RecordDeployment(Box<broker_client_cmd::RecordArgs>),
    /// Record that a pacticipant is no longer deployed to an environment.
    RecordUndeployment(Box<broker_client_cmd::UndeployArgs>),
    /// Record that a version was released (and is supported) in an environment.
    #[command(disable_version_flag = true)]
    RecordRelease(Box<broker_client_cmd::RecordArgs>),
    /// Record that a released version is no longer supported in an environment.
    #[command(disable_version_flag = true)]
    RecordSupportEnded(Box<broker_client_cmd::RecordArgs>),
    /// Create an environment in a broker.
    CreateEnvironment(Box<broker_client_cmd::EnvironmentArgs>),
    /// List a broker's environments.
    ListEnvironments(Box<broker_client_cmd::ListArgs>),
    /// Create a pacticipant, or update the given properties of an existing one.
    CreateOrUpdatePacticipant(Box<broker_client_cmd::PacticipantArgs>),
    /// Tag a version.
    #[command(disable_version_flag = true)]
    CreateVersionTag(Box<broker_client_cmd::TagArgs>),
    /// Show a version with its branches and tags.
    #[command(disable_version_flag = true)]
    DescribeVersion(Box<broker_client_cmd::DescribeArgs>),
    /// Create a webhook from curl's switches for the request it sends (URL first).
    ///
    /// -X METHOD, -H 'Name: value', -d DATA|@FILE, -u USER:PASSWORD (the webhook's credentials:
    /// the broker's user name is --broker-username here), --consumer/--provider (or their
    /// labels), and at least one event switch.
    CreateWebhook(Box<webhook_cmd::WebhookArgs>),
    /// Create the webhook with the given --uuid, or replace it (same switches as
    /// create-webhook).
    CreateOrUpdateWebhook(Box<webhook_cmd::UpsertArgs>),
    /// Run a saved webhook now: exit 0 when its receiver answers with success, 1 when not.
    TestWebhook(Box<webhook_cmd::UuidArgs>),
    /// Delete a webhook.
    DeleteWebhook(Box<webhook_cmd::UuidArgs>),
    /// Cross-check Pact contracts against a provider's OpenAPI document.
    ///
    /// Each HTTP interaction must be served by an operation of the document, send what it
    /// accepts and expect a subset of what it answers (PactFlow's comparator rules and codes).
    /// Exit codes: 0 compatible (warnings allowed), 1 an error found, 2 unreadable input.
    #[command(name = "openapi-check")]
    OpenapiCheck(Box<openapi_cmd::CheckArgs>),
    /// Classify the differences between two versions of an OpenAPI document.
    ///
    /// Breaking changes (a request gains a required field, a response loses one, a type
    /// narrows, an operation or status disappears…); with --pact files and/or a broker
    /// (--broker-url, --provider, optionally --to-environment), each is marked used (the
    /// consumer versions and interactions relying on it) or unused. Exit 0 when nothing used
    /// breaks (without contracts: when nothing breaks), 1 otherwise, 2 unreadable input or a
    /// broker error.
    #[command(name = "openapi-diff")]
    OpenapiDiff(Box<openapi_cmd::DiffArgs>),
    /// Show which operations, responses, parameters and fields of an OpenAPI document the
    /// consumers' contracts rely on, and which none does (free to change). The contracts come
    /// from files and/or a broker (--broker-url, --provider, optionally --to-environment).
    #[command(name = "openapi-coverage")]
    OpenapiCoverage(Box<openapi_cmd::CoverageArgs>),
}

#[derive(Debug, clap::Args)]
struct BrokerArgs {
    /// IP address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "PACTUM_HOST")]
    host: std::net::IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, short = 'p', default_value_t = 9292, env = "PACTUM_PORT")]
    port: u16,
    /// Database: a SQLite file (sqlite://FILE or a path; created in WAL mode) or
    /// postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, default_value = "pactum.sqlite", env = "PACTUM_DATABASE_URL")]
    database_url: String,
    /// Base URL written into links, when the broker is reached through a proxy.
    #[arg(long, value_name = "URL", env = "PACTUM_PUBLIC_BASE_URL")]
    public_base_url: Option<String>,
    /// Largest accepted request body (bytes, or with a k/m/g suffix).
    #[arg(long, value_name = "SIZE", default_value = "16m", env = "PACTUM_MAX_BODY_SIZE", value_parser = parse_size)]
    max_body_size: usize,
    /// A bearer token with its role: read, write or admin (repeatable; the environment variable
    /// takes a comma-separated list).
    #[arg(
        long = "token",
        value_name = "ROLE:TOKEN",
        env = "PACTUM_BROKER_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    tokens: Vec<String>,
    /// A Basic-auth pair allowed to read and write (repeatable).
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        env = "PACTUM_BASIC_AUTH",
        value_delimiter = ',',
        hide_env_values = true
    )]
    basic_auth: Vec<String>,
    /// A Basic-auth pair allowed to read only (repeatable).
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        env = "PACTUM_BASIC_AUTH_READ_ONLY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    basic_auth_read_only: Vec<String>,
    /// A JSON file of credentials: {"tokens": [{"token", "role"}], "basic": [{"username",
    /// "password", "role"}], "webhooks": {"secrets": {"NAME": "VALUE"}, "allowSchemes",
    /// "allowMethods", "allowHosts"}}.
    #[arg(long, value_name = "FILE", env = "PACTUM_AUTH_FILE")]
    auth_file: Option<PathBuf>,
    /// Serve without authentication on a non-loopback address.
    #[arg(long, env = "PACTUM_ALLOW_PUBLIC_WITHOUT_AUTH")]
    allow_public_without_auth: bool,
    /// Database connections per broker instance.
    #[arg(long, default_value_t = 10, env = "PACTUM_MAX_CONNECTIONS")]
    max_connections: u32,
    /// Log filter (tracing env-filter syntax), e.g. info or pactum=debug.
    #[arg(long, default_value = "info", env = "PACTUM_LOG", value_parser = parse_log_filter)]
    log_level: String,
    #[command(flatten)]
    connections: ConnectionArgs,
    #[command(flatten)]
    webhooks: broker_cmd::WebhookArgs,
    /// Log format: text for people, json (one object per line) for log collectors.
    #[arg(long, value_enum, default_value = "text", env = "PACTUM_LOG_FORMAT")]
    log_format: LogFormat,
}

// Limits on client connections, for the servers (`broker`, `stub`).
#[derive(Debug, clap::Args)]
struct ConnectionArgs {
    /// Seconds a client may take to send a request's headers, or keep an idle connection open
    /// between requests, before the server closes it.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, env = "PACTUM_HEADER_READ_TIMEOUT",
          value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// Client connections open at once; beyond it new clients wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024, env = "PACTUM_MAX_OPEN_CONNECTIONS",
          value_parser = clap::value_parser!(u64).range(1..))]
    max_open_connections: u64,
}

impl ConnectionArgs {
    fn limits(&self) -> pactum_http::Limits {
        pactum_http::Limits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout),
            max_connections: usize::try_from(self.max_open_connections).unwrap_or(usize::MAX),
        }
    }
}

/// How the broker writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// A pact file, a directory of pact files, or a URL (repeatable).
    #[arg(long = "contract", short = 'c', value_name = "FILE|DIR|URL")]
    contracts: Vec<String>,
    /// A pact file (repeatable; same as --contract).
    #[arg(long = "file", short = 'f', value_name = "FILE")]
    files: Vec<String>,
    /// A directory of pact files (repeatable).
    #[arg(long = "dir", short = 'd', value_name = "DIR")]
    dirs: Vec<String>,
    /// A pact URL (repeatable).
    #[arg(long = "url", short = 'u', value_name = "URL")]
    urls: Vec<String>,
    /// Base URL of the running provider.
    #[arg(long, value_name = "URL", env = "PACTUM_PROVIDER_BASE_URL")]
    provider_base_url: String,
    /// Verify only contracts for this provider.
    #[arg(
        long = "provider",
        short = 'n',
        visible_alias = "provider-name",
        value_name = "NAME",
        env = "PACT_PROVIDER_NAME"
    )]
    provider: Option<String>,
    /// URL the verifier POSTs {"state", "params", "action"} to before and after each interaction.
    #[arg(long, value_name = "URL")]
    state_change_url: Option<String>,
    /// Path of the provider's message endpoint, for message interactions.
    #[arg(long, default_value = "/", value_name = "PATH")]
    message_path: String,
    /// Header added to every request, as 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Per-request timeout in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    timeout_ms: u64,
    /// Largest response body read from the provider (bytes, or with a k/m/g suffix); a larger
    /// one makes the interaction an error.
    #[arg(long, value_name = "SIZE", default_value = "16m", value_parser = parse_size)]
    max_response_body_size: usize,
    /// Only interactions whose description matches this regular expression.
    #[arg(long, value_name = "REGEX", env = "PACT_DESCRIPTION")]
    filter_description: Option<String>,
    /// Only interactions with a provider state matching this regular expression.
    #[arg(long, value_name = "REGEX", env = "PACT_PROVIDER_STATE")]
    filter_state: Option<String>,
    /// Only contracts of this consumer (repeatable).
    #[arg(long = "filter-consumer", value_name = "NAME")]
    filter_consumers: Vec<String>,
    /// Run up to N interactions at once (those without provider states, unless
    /// --parallel-with-states).
    #[arg(long, default_value_t = 1, value_name = "N")]
    parallel: usize,
    /// Also run interactions with provider states in parallel.
    #[arg(long)]
    parallel_with_states: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// User name for contract URLs.
    #[arg(long, env = "PACT_BROKER_USERNAME")]
    user: Option<String>,
    /// Password for contract URLs.
    #[arg(long, env = "PACT_BROKER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Bearer token for contract URLs and the broker.
    #[arg(long, short = 't', env = "PACT_BROKER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Also verify the contracts a Pact broker selects for the provider (pacts for
    /// verification; needs --provider).
    #[arg(long, short = 'b', value_name = "URL", env = "PACT_BROKER_BASE_URL")]
    broker_url: Option<String>,
    /// A consumer version selector as JSON, e.g. '{"mainBranch": true}' (repeatable). Without
    /// any, the broker's defaults: main branch, deployed and released versions.
    #[arg(long = "consumer-version-selectors", value_name = "JSON")]
    consumer_version_selectors: Vec<String>,
    /// Consumer version tags: each selects the latest version with that tag (repeatable or
    /// comma-separated).
    #[arg(
        long = "consumer-version-tags",
        value_name = "TAG",
        value_delimiter = ','
    )]
    consumer_version_tags: Vec<String>,
    /// Branch of the provider version being verified: decides pending and WIP contracts, and
    /// is recorded with --publish.
    #[arg(long, value_name = "BRANCH", env = "PACT_PROVIDER_BRANCH")]
    provider_branch: Option<String>,
    /// Tags of the provider version (repeatable or comma-separated), recorded with --publish.
    #[arg(long = "provider-tags", value_name = "TAG", value_delimiter = ',')]
    provider_tags: Vec<String>,
    /// Ask the broker which contracts are pending: their failures are reported but do not fail
    /// the verification.
    #[arg(long)]
    enable_pending: bool,
    /// Also verify work-in-progress contracts published since this date (YYYY-MM-DD), pending
    /// until this provider branch verifies them; needs --provider-branch.
    #[arg(long, value_name = "DATE")]
    include_wip_pacts_since: Option<String>,
    /// Publish the results (per interaction) to the broker the contracts came from.
    #[arg(long, requires = "provider_app_version")]
    publish: bool,
    /// The provider version the results are published for.
    #[arg(
        long,
        visible_alias = "provider-version",
        value_name = "VERSION",
        env = "PACT_PROVIDER_VERSION"
    )]
    provider_app_version: Option<String>,
    /// CI build URL published with the results.
    #[arg(long, value_name = "URL")]
    build_url: Option<String>,
    /// On a broker error, also show the broker's answer as received.
    #[arg(long, short = 'v')]
    verbose: bool,
}

#[derive(Debug, clap::Args)]
struct StubArgs {
    /// A pact file, a directory of pact files, or a URL (repeatable).
    #[arg(
        long = "contract",
        short = 'c',
        value_name = "FILE|DIR|URL",
        required = true
    )]
    contracts: Vec<String>,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, short = 'p', default_value_t = 8080, env = "PACTUM_STUB_PORT")]
    port: u16,
    /// IP address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "PACTUM_STUB_HOST")]
    host: std::net::IpAddr,
    /// Serve only interactions with a provider state of this name (a regular expression).
    #[arg(long, value_name = "NAME")]
    state: Option<String>,
    /// Answer CORS pre-flight requests and allow any origin.
    #[arg(long)]
    cors: bool,
    #[command(flatten)]
    connections: ConnectionArgs,
    /// Log level for the per-request log on stderr (error, warn, info, debug, trace).
    #[arg(long, default_value = "info", env = "PACTUM_LOG", value_parser = parse_log_filter)]
    log_level: String,
}

/// Parses a byte size: `16777216`, `512k`, `16m`, `1g` (binary multiples).
fn parse_size(text: &str) -> Result<usize, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (digits, multiplier) = match lower.as_bytes().last() {
        Some(b'k') => (&lower[..lower.len() - 1], 1 << 10),
        Some(b'm') => (&lower[..lower.len() - 1], 1 << 20),
        Some(b'g') => (&lower[..lower.len() - 1], 1 << 30),
        _ => (lower.as_str(), 1),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a size: use bytes or a k/m/g suffix, e.g. 16m"))
}

/// Checks a log filter (tracing's env-filter syntax) when the arguments are parsed.
fn parse_log_filter(text: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(text)
        .map(|_| text.to_owned())
        .map_err(|error| {
            format!("`{text}` is not a log filter ({error}); use a level such as info or debug, or directives such as pactum=debug")
        })
}

/// What is being matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    Request,
    Response,
    Message,
}

/// Output format for results.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// A spec version as written on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SpecArg {
    #[value(name = "v1")]
    V1,
    #[value(name = "v1.1")]
    V1_1,
    #[value(name = "v2")]
    V2,
    #[value(name = "v3")]
    V3,
    #[value(name = "v4")]
    V4,
}

impl From<SpecArg> for SpecVersion {
    fn from(s: SpecArg) -> Self {
        match s {
            SpecArg::V1 => SpecVersion::V1,
            SpecArg::V1_1 => SpecVersion::V1_1,
            SpecArg::V2 => SpecVersion::V2,
            SpecArg::V3 => SpecVersion::V3,
            SpecArg::V4 => SpecVersion::V4,
        }
    }
}

#[derive(Debug, clap::Args)]
struct MatchArgs {
    /// request, response or message.
    part: Part,
    /// The expected object, as in a pact file.
    #[arg(long, short = 'e', value_name = "FILE")]
    expected: PathBuf,
    /// The actual object, in the same shape.
    #[arg(long, short = 'a', value_name = "FILE")]
    actual: PathBuf,
    /// The Pact specification version the objects are written in.
    #[arg(long, value_enum, default_value = "v4")]
    spec: SpecArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// A failure that stops a command before it can give its answer. Every variant maps to exit
/// code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A contract or input file could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The stub server could not load its contracts or start.
    #[error(transparent)]
    Stub(#[from] pactum_consumer::stub::StubError),
    /// The verification could not be carried out.
    #[error(transparent)]
    Verify(#[from] pactum_verifier::VerifyError),
    /// A request to the broker failed.
    #[error(transparent)]
    Broker(Box<broker_error::BrokerFailure>),
    /// A contract could not be loaded.
    #[error(transparent)]
    Source(#[from] pactum_client::sources::SourceError),
    /// The broker could not start.
    #[error(transparent)]
    BrokerStart(#[from] pactum_broker::BrokerError),
    /// An OpenAPI document could not be used.
    #[error("{}: {source}", file.display())]
    OpenApi {
        /// The document.
        file: PathBuf,
        /// Where and what.
        source: pactum_openapi::LoadError,
    },
    /// An argument is invalid.
    #[error("{0}")]
    Usage(String),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Renders an error for people: its message, each cause that the message does not already
/// include, and what to do where the CLI knows a flag that helps.
pub fn render_error(error: &CliError) -> String {
    // A broker failure renders its own causes (with --verbose).
    if let CliError::Broker(failure) = error {
        return failure.render();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str("\n  caused by: ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    if let CliError::Verify(pactum_verifier::VerifyError::ProviderUnreachable(_)) = error {
        text.push_str("\n  hint: start the provider, or point --provider-base-url at it");
    }
    text
}

/// What a command produced: text for stdout and an exit code.
#[derive(Debug)]
pub struct Outcome {
    /// Text for standard output.
    pub stdout: String,
    /// The exit code.
    pub code: u8,
    /// A failure to report after the output, which stands (verification results that could
    /// not be published).
    pub then: Option<CliError>,
    /// What the command built and no longer needs (see [`Leftovers`]).
    pub(crate) leftovers: Leftovers,
}

/// What a command built and no longer needs once its output is written, handed back so that
/// the binary can exit without freeing it allocation by allocation: a loaded contract is
/// thousands of small allocations, and freeing them one by one was ~10% of the CPU of a
/// `pactum verify` of 1,000 interactions. When [`run`] is used as a library (tests), they are
/// dropped as usual.
#[derive(Default)]
pub(crate) struct Leftovers {
    /// The contracts `pactum verify` verified.
    pub(crate) contracts: Vec<pactum_client::sources::Loaded>,
    /// Its report.
    pub(crate) report: Option<pactum_verifier::Report>,
}

impl Leftovers {
    /// Leaves the small allocations to the operating system, which takes a process's memory
    /// back at once when it exits. The arrays of interactions are freed: each is one large block
    /// returned to the system at once, and keeping them would only raise the peak RSS measured
    /// at exit.
    fn abandon(self) {
        for loaded in self.contracts {
            loaded
                .pact
                .interactions
                .into_iter()
                .for_each(std::mem::forget);
        }
        std::mem::forget(self.report);
    }
}

impl std::fmt::Debug for Leftovers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Leftovers({} contracts)", self.contracts.len())
    }
}

impl Outcome {
    /// `stdout` with exit code `code`.
    pub fn new(stdout: String, code: u8) -> Outcome {
        Outcome {
            stdout,
            code,
            then: None,
            leftovers: Leftovers::default(),
        }
    }
}

/// Parses arguments and runs the command. Used by the binary and by tests.
pub fn run<I, T>(args: I) -> Result<Outcome, CliOrUsage>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command()
        .try_get_matches_from(args)
        .map_err(CliOrUsage::Usage)?;
    let cli = Cli::from_arg_matches(&matches).map_err(CliOrUsage::Usage)?;
    let sub = matches
        .subcommand()
        .map(|(_, m)| m)
        .expect("a subcommand is required");
    let outcome = match cli.command {
        Command::Match(args) => match_cmd::run(&args)?,
        Command::Stub(args) => stub_cmd::run(&args)?,
        Command::Verify(args) => verify_cmd::run(&args, sub)?,
        Command::Broker(args) => broker_cmd::run(&args)?,
        Command::Publish(args) => broker_client_cmd::publish(&args, sub)?,
        Command::CanIDeploy(args) => broker_client_cmd::can_i_deploy(&args, sub)?,
        Command::PublishProviderContract(args) => {
            provider_contract_cmd::publish_provider_contract(&args, sub)?
        }
        Command::CrossCheck(args) => cross_check_cmd::cross_check(&args, sub)?,
        Command::RecordDeployment(args) => broker_client_cmd::record(&args, sub, true)?,
        Command::RecordUndeployment(args) => broker_client_cmd::undeploy(&args, sub)?,
        Command::RecordRelease(args) => broker_client_cmd::record(&args, sub, false)?,
        Command::RecordSupportEnded(args) => broker_client_cmd::support_ended(&args, sub)?,
        Command::CreateEnvironment(args) => broker_client_cmd::create_environment(&args, sub)?,
        Command::ListEnvironments(args) => broker_client_cmd::list_environments(&args, sub)?,
        Command::CreateOrUpdatePacticipant(args) => {
            broker_client_cmd::create_or_update_pacticipant(&args, sub)?
        }
        Command::CreateVersionTag(args) => broker_client_cmd::create_version_tag(&args, sub)?,
        Command::DescribeVersion(args) => broker_client_cmd::describe_version(&args, sub)?,
        Command::CreateWebhook(args) => webhook_cmd::create(&args, sub)?,
        Command::CreateOrUpdateWebhook(args) => webhook_cmd::create_or_update(&args, sub)?,
        Command::TestWebhook(args) => webhook_cmd::test(&args, sub)?,
        Command::DeleteWebhook(args) => webhook_cmd::delete(&args, sub)?,
        Command::OpenapiCheck(args) => openapi_cmd::check(&args)?,
        Command::OpenapiDiff(args) => openapi_cmd::openapi_diff(&args, sub)?,
        Command::OpenapiCoverage(args) => openapi_cmd::openapi_coverage(&args, sub)?,
    };
    Ok(outcome)
}

/// Either a command failure or a usage problem (bad flags, `--help`, `--version`).
#[derive(Debug)]
pub enum CliOrUsage {
    /// The command failed.
    Failed(CliError),
    /// clap's own result: help text, version, or a usage error.
    Usage(clap::Error),
}

impl From<CliError> for CliOrUsage {
    fn from(e: CliError) -> Self {
        CliOrUsage::Failed(e)
    }
}

/// The binary's entry point: runs with the process arguments and returns the exit code.
pub fn main() -> u8 {
    match run(std::env::args_os()) {
        Ok(outcome) => {
            if write_stdout(&outcome.stdout).is_err() {
                return EXIT_ERROR;
            }
            if let Some(error) = &outcome.then {
                print_error(error);
            }
            // The process ends here: the operating system takes the memory back at once.
            outcome.leftovers.abandon();
            outcome.code
        }
        Err(CliOrUsage::Usage(e)) => {
            let _ = e.print();
            if e.use_stderr() { EXIT_ERROR } else { EXIT_OK }
        }
        Err(CliOrUsage::Failed(e)) => {
            // With --output json, scripts get the broker's answer as it came.
            if let CliError::Broker(failure) = &e
                && failure.json_output()
                && let Some(reply) = failure.json_reply()
            {
                let _ = write_stdout(&format!("{}\n", reply.trim_end()));
            }
            print_error(&e);
            EXIT_ERROR
        }
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Prints an error for people on stderr, control characters escaped.
fn print_error(error: &CliError) {
    eprintln!(
        "error: {}",
        pactum_core::printable::printable(&render_error(error))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999g").is_err());
    }

    #[test]
    fn log_filters_are_checked_when_parsed() {
        assert!(parse_log_filter("info").is_ok());
        assert!(parse_log_filter("pactum=debug,tower=warn").is_ok());
        assert!(parse_log_filter("pactum=loud").is_err());
    }

    /// clap's own consistency checks, over every subcommand: their arguments are deferred, so
    /// a mistake in one would otherwise surface only when that command is run.
    #[test]
    fn every_command_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// A deferred `Args` struct's doc comment would replace its command's description when
    /// the arguments are added (after the command's own `about`): the struct must have none.
    #[test]
    fn deferred_arguments_keep_each_command_description() {
        use clap::CommandFactory;
        for command in Cli::command().get_subcommands() {
            let mut built = command.clone();
            built.build();
            assert_eq!(
                (built.get_about(), built.get_long_about()),
                (command.get_about(), command.get_long_about()),
                "pactum {}: a doc comment on its arguments' struct (or one flattened into it) \
                 replaced its description; make it a plain comment",
                command.get_name()
            );
        }
    }

    #[test]
    fn deferred_arguments_are_parsed() {
        let Err(CliOrUsage::Usage(error)) = run(["pactum", "match", "response", "--bogus"]) else {
            panic!("an unknown flag is a usage error");
        };
        assert!(error.to_string().contains("--bogus"), "{error}");
        let Err(CliOrUsage::Usage(error)) = run(["pactum", "match", "--help"]) else {
            panic!("--help is reported through the usage path");
        };
        assert!(error.to_string().contains("--expected"), "{error}");
    }
}
