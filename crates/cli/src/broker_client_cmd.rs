//! The broker client commands, named and flagged like the official `pact-broker` CLI:
//! `publish`, `can-i-deploy`, `record-deployment`, `record-undeployment`, `record-release`,
//! `record-support-ended`, `create-environment`, `list-environments`,
//! `create-or-update-pacticipant`, `create-version-tag`, `describe-version` (the webhook
//! commands are in `webhook_cmd`).

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use pactum_broker_api::environments::Contact;
use pactum_broker_api::hal::href;
use pactum_broker_api::{EnvironmentRequest, PacticipantRequest};
use serde::Serialize;

use super::broker_error::{
    Asked, BROKER_COMMANDS, Vocabulary, broker_messages, credential_origin, flag,
};
use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};
use pactum_client::sources::Auth;
use pactum_client::{BrokerClient, ClientError, Missing, Target, VersionSelector};
use pactum_core::printable::printable_line;

// How to reach the broker (the official clients' flags and environment variables).
#[derive(Debug, clap::Args)]
pub(super) struct Connection {
    /// The broker's base URL.
    #[arg(long, short = 'b', value_name = "URL", env = "PACT_BROKER_BASE_URL")]
    broker_base_url: String,
    #[command(flatten)]
    credentials: Credentials,
    /// Output: a table (or text) for people, JSON for scripts (a broker error's answer, as
    /// received, goes to stdout too).
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
    /// On a broker error, also show the broker's answer as received.
    #[arg(long, short = 'v')]
    verbose: bool,
}

// The broker credentials every command talking to a broker takes (the official clients'
// flags and environment variables; the clap ids `broker_token` and `broker_username` name
// them in [`credential_origin`]).
#[derive(Debug, clap::Args)]
pub(super) struct Credentials {
    /// Bearer token.
    #[arg(long, short = 'k', env = "PACT_BROKER_TOKEN", hide_env_values = true)]
    broker_token: Option<String>,
    /// Basic-auth user name.
    #[arg(long, short = 'u', env = "PACT_BROKER_USERNAME")]
    broker_username: Option<String>,
    /// Basic-auth password.
    #[arg(
        long,
        short = 'p',
        env = "PACT_BROKER_PASSWORD",
        hide_env_values = true
    )]
    broker_password: Option<String>,
}

impl Credentials {
    /// A client of the broker at `base_url` with these credentials.
    pub(super) fn client(&self, base_url: &str, asked: &Asked) -> Result<BrokerClient, CliError> {
        let auth = Auth::from_flags(
            self.broker_token.as_deref(),
            self.broker_username.as_deref(),
            self.broker_password.as_deref(),
        );
        BrokerClient::new(base_url, auth).map_err(|e| asked.failure(e))
    }

    /// Where the credential sent came from, for error messages.
    pub(super) fn origin(&self, matches: &ArgMatches, vocabulary: Vocabulary) -> Option<String> {
        credential_origin(matches, vocabulary, "broker_token", "broker_username")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Output {
    Table,
    Text,
    Json,
}

impl Connection {
    /// How this command asks the broker (its flags, where its credential came from), for
    /// error messages.
    pub(super) fn asked(&self, matches: &ArgMatches) -> Asked {
        let mut asked = Asked::new(BROKER_COMMANDS, &self.broker_base_url);
        asked.credential_origin = self.credentials.origin(matches, BROKER_COMMANDS);
        asked.verbose = self.verbose;
        asked.json = self.json();
        asked
    }

    pub(super) fn client(&self, asked: &Asked) -> Result<BrokerClient, CliError> {
        self.credentials.client(&self.broker_base_url, asked)
    }

    pub(super) fn json(&self) -> bool {
        self.output == Output::Json
    }
}

#[derive(Debug, clap::Args)]
pub(super) struct PublishArgs {
    /// Pact files or directories of them.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// The consumer version.
    #[arg(long, short = 'a', value_name = "VERSION")]
    consumer_app_version: String,
    /// The consumer version's branch.
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// Tags for the consumer version (repeatable or comma-separated).
    #[arg(long, short = 't', value_name = "TAG", value_delimiter = ',')]
    tag: Vec<String>,
    /// CI build URL of the consumer version.
    #[arg(long, value_name = "URL")]
    build_url: Option<String>,
    /// Add the contracts' interactions to what this version already published, instead of
    /// refusing content that differs.
    #[arg(long)]
    merge: bool,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct CanIDeployArgs {
    /// A pacticipant; the version flags after it say which of its versions (repeatable).
    #[arg(long, short = 'a', value_name = "NAME", required = true, action = clap::ArgAction::Append)]
    pacticipant: Vec<String>,
    /// The version of the preceding pacticipant.
    #[arg(long, short = 'e', value_name = "VERSION", action = clap::ArgAction::Append)]
    version: Vec<String>,
    /// The latest version of the preceding pacticipant (with a tag: the latest with that tag).
    #[arg(long, short = 'l', value_name = "TAG", num_args = 0..=1, default_missing_value = "", action = clap::ArgAction::Append)]
    latest: Vec<String>,
    /// The latest version on this branch of the preceding pacticipant.
    #[arg(long, value_name = "BRANCH", action = clap::ArgAction::Append)]
    branch: Vec<String>,
    /// The latest version on the main branch of the preceding pacticipant.
    #[arg(long, num_args = 0, default_missing_value = "true", action = clap::ArgAction::Append)]
    main_branch: Vec<String>,
    /// The environment the versions are going to.
    #[arg(long, value_name = "ENVIRONMENT", conflicts_with = "to")]
    to_environment: Option<String>,
    /// The tag the versions are going to (the latest versions with it count).
    #[arg(long, value_name = "TAG")]
    to: Option<String>,
    /// A pacticipant whose results do not count (repeatable); a --version right after it
    /// ignores only that version (NAME:VERSION works too).
    #[arg(
        long,
        value_name = "NAME[:VERSION]",
        env = "PACT_BROKER_CAN_I_DEPLOY_IGNORE",
        value_delimiter = ','
    )]
    ignore: Vec<String>,
    /// Ask again this many times while the answer is unknown because a verification result is
    /// missing (not when waiting cannot change it, e.g. nothing deployed to the environment).
    #[arg(long, value_name = "N", default_value_t = 0)]
    retry_while_unknown: u32,
    /// Seconds between those tries.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    retry_interval: u64,
    /// Always exit 0 (print the answer only).
    #[arg(long, env = "PACT_BROKER_CAN_I_DEPLOY_DRY_RUN")]
    dry_run: bool,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct RecordArgs {
    /// The pacticipant.
    #[arg(long, short = 'a', value_name = "NAME")]
    pacticipant: String,
    /// The version.
    #[arg(long, short = 'e', value_name = "VERSION")]
    version: String,
    /// The environment.
    #[arg(long, value_name = "ENVIRONMENT")]
    environment: String,
    /// Which instance of the application (deployments only), when several run at once.
    #[arg(long, alias = "target", value_name = "NAME")]
    application_instance: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct UndeployArgs {
    /// The pacticipant.
    #[arg(long, short = 'a', value_name = "NAME")]
    pacticipant: String,
    /// The environment.
    #[arg(long, value_name = "ENVIRONMENT")]
    environment: String,
    /// Which instance of the application.
    #[arg(long, alias = "target", value_name = "NAME")]
    application_instance: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct EnvironmentArgs {
    /// Unique name, no spaces.
    #[arg(long)]
    name: String,
    /// Human-friendly name.
    #[arg(long)]
    display_name: Option<String>,
    /// A production environment.
    #[arg(long)]
    production: bool,
    /// A contact's name.
    #[arg(long)]
    contact_name: Option<String>,
    /// A contact's email address.
    #[arg(long)]
    contact_email_address: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct ListArgs {
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct PacticipantArgs {
    /// The pacticipant's name.
    #[arg(long)]
    name: String,
    /// Human-friendly name.
    #[arg(long)]
    display_name: Option<String>,
    /// The branch releases are made from.
    #[arg(long)]
    main_branch: Option<String>,
    /// Where its source lives.
    #[arg(long)]
    repository_url: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct TagArgs {
    /// The pacticipant.
    #[arg(long, short = 'a', value_name = "NAME")]
    pacticipant: String,
    /// The version.
    #[arg(long, short = 'e', value_name = "VERSION")]
    version: String,
    /// Tags (repeatable or comma-separated).
    #[arg(
        long,
        short = 't',
        value_name = "TAG",
        required = true,
        value_delimiter = ','
    )]
    tag: Vec<String>,
    /// Create the version when it does not exist.
    #[arg(long)]
    auto_create_version: bool,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct DescribeArgs {
    /// The pacticipant.
    #[arg(long, short = 'a', value_name = "NAME")]
    pacticipant: String,
    /// The version (default: the latest).
    #[arg(long, short = 'e', value_name = "VERSION", conflicts_with = "latest")]
    version: Option<String>,
    /// The latest version (with a tag: the latest with that tag).
    #[arg(long, short = 'l', value_name = "TAG", num_args = 0..=1, default_missing_value = "")]
    latest: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

pub(super) fn ok(stdout: String) -> Result<Outcome, CliError> {
    Ok(Outcome::new(stdout, EXIT_OK))
}

/// A broker answer as read, for `--output json`.
pub(super) fn pretty(value: &impl Serialize) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

pub(super) fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

/// A table cell from broker data: control characters escaped, on one line.
pub(super) fn cell(text: &str) -> String {
    printable_line(text).into_owned()
}

/// Whether a `.json` document is meant as a contract: it names a consumer or a provider. (One
/// that does but is invalid is an error; one that does not is some other file.)
fn looks_like_a_contract(document: &serde_json::Value) -> bool {
    document.get("consumer").is_some() || document.get("provider").is_some()
}

/// The contracts to publish: each file named, and the contract files directly in each
/// directory named. In a directory, what is not a contract is skipped with a note on stderr
/// (other files, subdirectories, JSON documents that name no consumer or provider), except the
/// `.pactum` folder where the consumer DSL keeps its lock files.
fn contract_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, serde_json::Value)>, CliError> {
    let mut contracts = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if !path.is_dir() {
            contracts.push((path.clone(), pactum_core::contract::parse_json_file(path)?));
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| CliError::Usage(format!("cannot list {}: {e}", path.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().unwrap_or_default();
            if entry.is_dir() {
                if name != pactum_consumer::pact_file::STATE_DIR {
                    skipped.push(format!(
                        "{}: a directory (publish reads the files directly in {})",
                        entry.display(),
                        path.display()
                    ));
                }
                continue;
            }
            if entry.extension().is_none_or(|e| e != "json") {
                skipped.push(format!("{}: not a .json file", entry.display()));
                continue;
            }
            let document = pactum_core::contract::parse_json_file(&entry)?;
            if !looks_like_a_contract(&document) {
                skipped.push(format!(
                    "{}: not a Pact contract (it names no consumer or provider)",
                    entry.display()
                ));
                continue;
            }
            contracts.push((entry, document));
        }
    }
    for note in &skipped {
        eprintln!("note: skipped {}", printable_line(note));
    }
    // Checked locally first: a malformed contract is a usage error with its file and path.
    for (file, document) in &contracts {
        pactum_core::contract::Pact::from_json(document).map_err(|source| {
            pactum_core::contract::LoadError::Contract {
                file: file.clone(),
                source,
            }
        })?;
    }
    if contracts.is_empty() {
        return Err(CliError::Usage(format!(
            "no pact files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(contracts)
}

pub(super) fn publish(args: &PublishArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let files = contract_files(&args.paths)?;
    let version = &args.consumer_app_version;
    let mut asked = args
        .connection
        .asked(matches)
        .field(
            "pacticipantVersionNumber",
            flag("--consumer-app-version", version),
        )
        .field("tags", flag("--tag", &args.tag.join(",")));
    if let Some(branch) = &args.branch {
        asked = asked.field("branch", flag("--branch", branch));
    }
    if let Some(url) = &args.build_url {
        asked = asked.field("buildUrl", flag("--build-url", url));
    }
    // One request per consumer: contracts[i] is the i-th file only when there is one consumer.
    let consumer = |document: &serde_json::Value| document.pointer("/consumer/name").cloned();
    if files
        .iter()
        .all(|(_, d)| consumer(d) == consumer(&files[0].1))
    {
        for (index, (file, _)) in files.iter().enumerate() {
            asked = asked.field(format!("contracts[{index}]"), file.display().to_string());
        }
    }
    let contracts: Vec<serde_json::Value> = files.into_iter().map(|(_, d)| d).collect();
    let client = args.connection.client(&asked)?;
    let answers = runtime()?.block_on(client.publish_contracts(
        &contracts,
        version,
        args.branch.as_deref(),
        &args.tag,
        args.build_url.as_deref(),
        args.merge,
    ));
    let answers = match answers {
        Ok(answers) => answers,
        Err(ClientError::Refused { reply }) if reply.status == 409 => {
            asked.sentence = Some(format!(
                "the broker refused to change what version {} already published: {}",
                printable_line(version),
                printable_line(&broker_messages(&reply))
            ));
            asked = asked.hint(if args.merge {
                "publish the change under a new --consumer-app-version: merging adds interactions but cannot change one the version already published"
            } else {
                "publish the change under a new --consumer-app-version, or pass --merge to add its new interactions to those the version already published"
            });
            return Err(asked.failure(ClientError::Refused { reply }));
        }
        Err(error) => return Err(asked.failure(error)),
    };
    if args.connection.json() {
        return ok(pretty(&answers));
    }
    let mut out = String::new();
    for notice in answers.iter().flat_map(|answer| &answer.notices) {
        out.push_str(&pactum_core::printable::printable(&notice.text));
        out.push('\n');
    }
    ok(out)
}

/// Who a version flag belongs to: the `--pacticipant` or `--ignore` before it on the command
/// line, as the official CLI groups them.
#[derive(Clone, Copy)]
enum Owner {
    Selector(usize),
    Ignore(usize),
}

/// The selectors and the ignored pacticipants of a can-i-deploy command line.
type Question = (Vec<VersionSelector>, Vec<(String, Option<String>)>);

fn selectors(args: &CanIDeployArgs, matches: &ArgMatches) -> Result<Question, CliError> {
    let positions = |id: &str| -> Vec<usize> {
        matches
            .indices_of(id)
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let mut owners: Vec<(usize, Owner)> = positions("pacticipant")
        .into_iter()
        .enumerate()
        .map(|(n, index)| (index, Owner::Selector(n)))
        .collect();
    // `--ignore` values from PACT_BROKER_CAN_I_DEPLOY_IGNORE have no position; they own nothing.
    owners.extend(
        positions("ignore")
            .into_iter()
            .enumerate()
            .map(|(n, index)| (index, Owner::Ignore(n))),
    );
    owners.sort_by_key(|(index, _)| *index);
    let owner = |index: usize| {
        owners
            .iter()
            .rev()
            .find(|(i, _)| *i < index)
            .map(|(_, o)| *o)
    };
    let mut out: Vec<VersionSelector> = args
        .pacticipant
        .iter()
        .map(|name| VersionSelector {
            pacticipant: name.clone(),
            ..VersionSelector::default()
        })
        .collect();
    let mut ignore: Vec<(String, Option<String>)> = args
        .ignore
        .iter()
        .filter(|i| !i.trim().is_empty())
        .map(|i| match i.split_once(':') {
            Some((p, v)) => (p.to_owned(), Some(v.to_owned())),
            None => (i.clone(), None),
        })
        .collect();
    let mut given = vec![0usize; out.len()];
    let flags: [(&str, &[String]); 4] = [
        ("version", &args.version),
        ("latest", &args.latest),
        ("branch", &args.branch),
        ("main_branch", &args.main_branch),
    ];
    for (id, values) in flags {
        for (index, value) in positions(id).into_iter().zip(values) {
            let flag = id.replace('_', "-");
            match owner(index) {
                Some(Owner::Selector(n)) => {
                    given[n] += 1;
                    let s = &mut out[n];
                    match id {
                        "version" => s.version = Some(value.clone()),
                        "latest" => s.latest = Some(Some(value.clone()).filter(|v| !v.is_empty())),
                        "branch" => s.branch = Some(value.clone()),
                        _ => s.main_branch = true,
                    }
                }
                Some(Owner::Ignore(n)) if id == "version" => ignore[n].1 = Some(value.clone()),
                Some(Owner::Ignore(_)) => {
                    return Err(CliError::Usage(format!(
                        "--{flag} cannot follow --ignore: only a --version can narrow what is ignored"
                    )));
                }
                None => {
                    return Err(CliError::Usage(format!(
                        "--{flag} must follow the --pacticipant it belongs to"
                    )));
                }
            }
        }
    }
    for (s, given) in out.iter().zip(given) {
        if given == 0 {
            return Err(CliError::Usage(format!(
                "say which version of {}: --version, --latest, --branch or --main-branch after its --pacticipant",
                s.pacticipant
            )));
        }
        if given > 1 {
            return Err(CliError::Usage(format!(
                "give one of --version, --latest, --branch and --main-branch for {}, once",
                s.pacticipant
            )));
        }
    }
    Ok((out, ignore))
}

/// A selector as the flags that gave it: `--pacticipant web --version 1`.
fn selector_flags(selector: &VersionSelector) -> String {
    let which = match (&selector.version, &selector.latest, &selector.branch) {
        (Some(version), _, _) => flag("--version", version),
        (None, Some(Some(tag)), _) => flag("--latest", tag),
        (None, Some(None), _) => "--latest".to_owned(),
        (None, None, Some(branch)) => flag("--branch", branch),
        _ => "--main-branch".to_owned(),
    };
    format!("{} {which}", flag("--pacticipant", &selector.pacticipant))
}

/// Whether asking again later can change an unknown answer: only a verification result still
/// to be published can. Unknown for another reason (a provider with no version in the
/// environment) stays unknown however long one waits.
fn waiting_can_help(answer: &pactum_broker_api::Matrix) -> bool {
    let unverified = answer
        .matrix
        .iter()
        .filter(|row| row.ignored != Some(true) && row.verification_result.is_none())
        .count() as u64;
    // Brokers that count unknowns also count what is missing at the destination.
    unverified > 0
        && answer
            .summary
            .unknown
            .is_none_or(|unknown| unknown <= unverified)
}

pub(super) fn can_i_deploy(
    args: &CanIDeployArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let (selectors, ignore) = selectors(args, matches)?;
    let target = match (&args.to_environment, &args.to) {
        (Some(env), _) => Some(Target::Environment(env.clone())),
        (None, Some(tag)) => Some(Target::Tag(tag.clone())),
        _ => None,
    };
    let mut asked = args.connection.asked(matches);
    for (index, selector) in selectors.iter().enumerate() {
        let name = &selector.pacticipant;
        asked = asked
            .field(
                format!("q[{index}].pacticipant"),
                flag("--pacticipant", name),
            )
            .field(format!("q[{index}]"), selector_flags(selector))
            .field(format!("pacticipant:{name}"), flag("--pacticipant", name))
            .field(format!("version:{name}"), selector_flags(selector));
    }
    for (index, (name, version)) in ignore.iter().enumerate() {
        let flag = match version {
            Some(version) => flag("--ignore", &format!("{name}:{version}")),
            None => flag("--ignore", name),
        };
        asked = asked.field(format!("ignore[{index}]"), flag);
    }
    if let Some(env) = &args.to_environment {
        asked = asked
            .field("environment", flag("--to-environment", env))
            .field(format!("environment:{env}"), flag("--to-environment", env));
    }
    if let Some(tag) = &args.to {
        asked = asked.field("tag", flag("--to", tag));
    }
    let client = args.connection.client(&asked)?;
    let runtime = runtime()?;
    let mut tries = 0;
    let answer = loop {
        let answer = runtime
            .block_on(client.can_i_deploy(&selectors, target.as_ref(), &ignore))
            .map_err(|e| asked.failure(e))?;
        if answer.summary.deployable.is_none() && tries < args.retry_while_unknown {
            if !waiting_can_help(&answer) {
                eprintln!(
                    "note: not waiting (--retry-while-unknown): no verification result is missing, so waiting cannot change the answer"
                );
                break answer;
            }
            tries += 1;
            eprintln!(
                "Waiting for verification results to be published (try {tries} of {})...",
                args.retry_while_unknown
            );
            std::thread::sleep(Duration::from_secs(args.retry_interval));
            continue;
        }
        break answer;
    };
    let deployable = answer.summary.deployable;
    let code = if args.dry_run || deployable == Some(true) {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    if args.connection.json() {
        return Ok(Outcome::new(pretty(&answer), code));
    }
    let mut out = String::new();
    if !answer.matrix.is_empty() {
        let mut t = table(&[
            "CONSUMER",
            "C.VERSION",
            "PROVIDER",
            "P.VERSION",
            "SUCCESS?",
            "RESULT",
        ]);
        for row in &answer.matrix {
            let verification = row.verification_result.as_ref();
            let success = match verification.map(|v| v.success) {
                Some(true) => "true",
                Some(false) => "false",
                None => "???",
            };
            let ignored = if row.ignored == Some(true) {
                " (ignored)"
            } else {
                ""
            };
            let number = |side: &pactum_broker_api::MatrixPacticipant| {
                side.version.as_ref().map(|v| cell(&v.number))
            };
            t.add_row(vec![
                cell(&row.consumer.name),
                number(&row.consumer).unwrap_or_default(),
                cell(&row.provider.name),
                number(&row.provider).unwrap_or_else(|| "-".into()),
                format!("{success}{ignored}"),
                // The verification's number: the last segment of its URL.
                verification
                    .and_then(|v| href(v.links.self_.as_ref()))
                    .map(|h| cell(h.rsplit('/').next().unwrap_or_default()))
                    .unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("{t}\n\n"));
    }
    out.push_str(pactum_broker_api::matrix::verdict_line(deployable));
    out.push('\n');
    for notice in &answer.notices {
        if notice.kind != "info" || deployable == Some(true) {
            out.push_str(&format!(
                "\n{}",
                pactum_core::printable::printable(&notice.text)
            ));
        }
    }
    out.push('\n');
    if args.dry_run && deployable != Some(true) {
        out.push_str("\n(dry run: exiting 0 whatever the answer)\n");
    }
    Ok(Outcome::new(out, code))
}

/// How a command that names a pacticipant version and an environment asked.
fn asked_about(
    connection: &Connection,
    matches: &ArgMatches,
    pacticipant: &str,
    version: Option<&str>,
    environment: &str,
) -> Asked {
    let mut asked = connection
        .asked(matches)
        .field(
            format!("pacticipant:{pacticipant}"),
            flag("--pacticipant", pacticipant),
        )
        .field(
            format!("environment:{environment}"),
            flag("--environment", environment),
        );
    if let Some(version) = version {
        asked = asked.field(
            format!("version:{pacticipant}"),
            format!(
                "{} {}",
                flag("--pacticipant", pacticipant),
                flag("--version", version)
            ),
        );
    }
    asked
}

pub(super) fn record(
    args: &RecordArgs,
    matches: &ArgMatches,
    deployed: bool,
) -> Result<Outcome, CliError> {
    let asked = asked_about(
        &args.connection,
        matches,
        &args.pacticipant,
        Some(&args.version),
        &args.environment,
    );
    let client = args.connection.client(&asked)?;
    let runtime = runtime()?;
    let instance = if deployed {
        args.application_instance.as_deref()
    } else {
        None
    };
    // The record as the broker answered it, for --output json.
    let recorded = if deployed {
        runtime
            .block_on(client.record_deployment(
                &args.pacticipant,
                &args.version,
                &args.environment,
                instance,
            ))
            .map(|record| pretty(&record))
    } else {
        runtime
            .block_on(client.record_release(&args.pacticipant, &args.version, &args.environment))
            .map(|record| pretty(&record))
    };
    let json = recorded.map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(json);
    }
    ok(format!(
        "Recorded {} of {} version {} {} {}{}.\n",
        if deployed { "deployment" } else { "release" },
        cell(&args.pacticipant),
        cell(&args.version),
        if deployed { "to" } else { "in" },
        cell(&args.environment),
        instance
            .map(|i| format!(" (application instance {})", cell(i)))
            .unwrap_or_default()
    ))
}

pub(super) fn undeploy(args: &UndeployArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let asked = asked_about(
        &args.connection,
        matches,
        &args.pacticipant,
        None,
        &args.environment,
    );
    let client = args.connection.client(&asked)?;
    let records = runtime()?
        .block_on(client.end_deployments(
            &args.pacticipant,
            &args.environment,
            args.application_instance.as_deref(),
        ))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&records));
    }
    ok(records
        .iter()
        .map(|r| {
            format!(
                "Recorded undeployment of {} version {} from {}.\n",
                cell(&args.pacticipant),
                cell(&r.embedded.version.number),
                cell(&args.environment)
            )
        })
        .collect())
}

pub(super) fn support_ended(args: &RecordArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let asked = asked_about(
        &args.connection,
        matches,
        &args.pacticipant,
        Some(&args.version),
        &args.environment,
    );
    let client = args.connection.client(&asked)?;
    let records = runtime()?
        .block_on(client.end_support(&args.pacticipant, &args.version, &args.environment))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&records));
    }
    ok(format!(
        "Recorded support ended for {} version {} in {}.\n",
        cell(&args.pacticipant),
        cell(&args.version),
        cell(&args.environment)
    ))
}

pub(super) fn create_environment(
    args: &EnvironmentArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let contact = args.contact_name.is_some() || args.contact_email_address.is_some();
    let request = EnvironmentRequest {
        name: args.name.clone(),
        display_name: args.display_name.clone(),
        production: args.production,
        contacts: contact.then(|| {
            vec![Contact {
                name: args.contact_name.clone(),
                details: args.contact_email_address.as_ref().map(|email| {
                    serde_json::Map::from_iter([("emailAddress".to_owned(), email.clone().into())])
                }),
            }]
        }),
    };
    let mut asked = args
        .connection
        .asked(matches)
        .field("name", flag("--name", &args.name))
        .field("production", "--production")
        .field("contacts", "--contact-name, --contact-email-address");
    if let Some(display_name) = &args.display_name {
        asked = asked.field("displayName", flag("--display-name", display_name));
    }
    let client = args.connection.client(&asked)?;
    let (env, created) = runtime()?
        .block_on(client.create_environment(&request))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&env));
    }
    if created {
        ok(format!(
            "Created {} environment with UUID {}\n",
            cell(&args.name),
            cell(&env.uuid)
        ))
    } else {
        ok(format!(
            "Environment {} already exists with these settings (UUID {}); nothing to change.\n",
            cell(&args.name),
            cell(&env.uuid)
        ))
    }
}

pub(super) fn list_environments(
    args: &ListArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let asked = args.connection.asked(matches);
    let client = args.connection.client(&asked)?;
    let environments = runtime()?
        .block_on(client.environments())
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&environments));
    }
    let mut t = table(&["UUID", "NAME", "DISPLAY NAME", "PRODUCTION"]);
    for env in &environments {
        t.add_row(vec![
            cell(&env.uuid),
            cell(&env.name),
            cell(env.display_name.as_deref().unwrap_or_default()),
            env.production.to_string(),
        ]);
    }
    ok(format!("{t}\n"))
}

pub(super) fn create_or_update_pacticipant(
    args: &PacticipantArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let properties = PacticipantRequest {
        display_name: args.display_name.clone(),
        main_branch: args.main_branch.clone(),
        repository_url: args.repository_url.clone(),
        ..PacticipantRequest::default()
    };
    let mut asked = args
        .connection
        .asked(matches)
        .field("name", flag("--name", &args.name));
    for (field, name, value) in [
        ("displayName", "--display-name", &args.display_name),
        ("mainBranch", "--main-branch", &args.main_branch),
        ("repositoryUrl", "--repository-url", &args.repository_url),
    ] {
        if let Some(value) = value {
            asked = asked.field(field, flag(name, value));
        }
    }
    let client = args.connection.client(&asked)?;
    let (resource, created) = runtime()?
        .block_on(client.create_or_update_pacticipant(&args.name, &properties))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&resource));
    }
    ok(format!(
        "Pacticipant {} {}.\n",
        cell(&args.name),
        if created { "created" } else { "updated" }
    ))
}

pub(super) fn create_version_tag(
    args: &TagArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let mut asked = args
        .connection
        .asked(matches)
        .field(
            format!("version:{}", args.pacticipant),
            format!(
                "{} {}",
                flag("--pacticipant", &args.pacticipant),
                flag("--version", &args.version)
            ),
        )
        .field("tag", flag("--tag", &args.tag.join(",")));
    let client = args.connection.client(&asked)?;
    let tagged = runtime()?.block_on(client.tag_version(
        &args.pacticipant,
        &args.version,
        &args.tag,
        args.auto_create_version,
    ));
    if let Err(error) = tagged {
        if let ClientError::NotFound {
            missing: Missing::Version(_),
            ..
        } = error
        {
            asked = asked.hint("pass --auto-create-version to create the version with its tags");
        }
        return Err(asked.failure(error));
    }
    ok(format!(
        "Tagged {} version {} with {}.\n",
        cell(&args.pacticipant),
        cell(&args.version),
        cell(&args.tag.join(", "))
    ))
}

pub(super) fn describe_version(
    args: &DescribeArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let selector = VersionSelector {
        pacticipant: args.pacticipant.clone(),
        version: args.version.clone(),
        latest: Some(args.latest.clone().filter(|t| !t.is_empty())),
        ..VersionSelector::default()
    };
    let flags = match (&args.version, &args.latest) {
        (Some(version), _) => flag("--version", version),
        (None, Some(tag)) if !tag.is_empty() => flag("--latest", tag),
        (None, _) => "--latest".to_owned(),
    };
    let asked = args.connection.asked(matches).field(
        format!("version:{}", args.pacticipant),
        format!("{} {flags}", flag("--pacticipant", &args.pacticipant)),
    );
    let client = args.connection.client(&asked)?;
    let runtime = runtime()?;
    let found = match (&args.version, &args.latest) {
        (Some(version), _) => runtime.block_on(client.version(&args.pacticipant, version)),
        (None, Some(tag)) => runtime.block_on(client.latest_version(
            &args.pacticipant,
            Some(tag).filter(|t| !t.is_empty()).map(String::as_str),
        )),
        (None, None) => runtime.block_on(client.latest_version(&args.pacticipant, None)),
    };
    let version = found.map_err(|e| asked.failure(e))?.ok_or_else(|| {
        asked.failure(ClientError::NotFound {
            missing: Missing::Version(selector),
            reply: None,
        })
    })?;
    if args.connection.json() {
        return ok(pretty(&version));
    }
    let branches: Vec<&str> = (version.embedded.branch_versions.iter())
        .map(|b| b.name.as_str())
        .collect();
    let tags: Vec<&str> = version
        .embedded
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let mut t = table(&["NAME", "VERSION", "BRANCHES", "TAGS"]);
    t.add_row(vec![
        cell(&args.pacticipant),
        cell(&version.number),
        cell(&branches.join(", ")),
        cell(&tags.join(", ")),
    ]);
    ok(format!("{t}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pactum_broker_api::{Matrix, MatrixRow, MatrixSummary};

    fn unknown(rows: Vec<MatrixRow>, count: Option<u64>) -> Matrix {
        Matrix {
            summary: MatrixSummary {
                deployable: None,
                unknown: count,
                ..MatrixSummary::default()
            },
            matrix: rows,
            ..Matrix::default()
        }
    }

    #[test]
    fn waiting_helps_only_while_a_verification_result_is_missing() {
        let unverified = MatrixRow::default();
        // One row awaiting its verification, nothing else unknown.
        assert!(waiting_can_help(&unknown(
            vec![unverified.clone()],
            Some(1)
        )));
        // Another broker that does not count unknowns.
        assert!(waiting_can_help(&unknown(vec![unverified.clone()], None)));
        // A provider missing at the destination as well: it stays unknown however long.
        assert!(!waiting_can_help(&unknown(
            vec![unverified.clone()],
            Some(2)
        )));
        // Only the missing provider.
        assert!(!waiting_can_help(&unknown(Vec::new(), Some(1))));
        // An ignored unverified row is not waited for.
        let ignored = MatrixRow {
            ignored: Some(true),
            ..MatrixRow::default()
        };
        assert!(!waiting_can_help(&unknown(vec![ignored], Some(0))));
    }
}
