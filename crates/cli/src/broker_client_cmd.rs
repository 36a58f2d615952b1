//! The broker client commands, named and flagged like the official `pact-broker` CLI:
//! `publish`, `can-i-deploy`, `record-deployment`, `record-undeployment`, `record-release`,
//! `record-support-ended`, `create-environment`, `list-environments`,
//! `create-or-update-pacticipant`, `create-version-tag`, `describe-version`.

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use pactum_broker_api::environments::Contact;
use pactum_broker_api::hal::href;
use pactum_broker_api::{EnvironmentRequest, PacticipantRequest};
use serde::Serialize;

use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};
use pactum_client::sources::Auth;
use pactum_client::{BrokerClient, ClientError, Target, VersionSelector};

/// How to reach the broker (the official clients' flags and environment variables).
#[derive(Debug, clap::Args)]
pub(super) struct Connection {
    /// The broker's base URL.
    #[arg(long, short = 'b', value_name = "URL", env = "PACT_BROKER_BASE_URL")]
    broker_base_url: String,
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
    /// Output: a table (or text) for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Output {
    Table,
    Text,
    Json,
}

impl Connection {
    fn client(&self) -> Result<BrokerClient, CliError> {
        let auth = Auth::from_flags(
            self.broker_token.as_deref(),
            self.broker_username.as_deref(),
            self.broker_password.as_deref(),
        );
        Ok(BrokerClient::new(&self.broker_base_url, auth)?)
    }

    fn json(&self) -> bool {
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
    /// Merge with what this version already published instead of refusing changed content.
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
    /// Ask again this many times while the answer is unknown (results not yet published).
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

/// A broker failure: 2 when the broker cannot be reached or refuses the credentials, 1 when it
/// answered that the operation cannot be done.
fn failed(error: ClientError) -> Result<Outcome, CliError> {
    match error {
        // The broker answered that it cannot be done (not found, invalid, conflict); a 5xx is
        // the broker failing, which is not an answer.
        ClientError::Status { status, .. } if (400..500).contains(&status) => {
            eprintln!("error: {error}");
            Ok(Outcome {
                stdout: String::new(),
                code: EXIT_FAILED,
            })
        }
        other => Err(CliError::Broker(other)),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

fn ok(stdout: String) -> Result<Outcome, CliError> {
    Ok(Outcome {
        stdout,
        code: EXIT_OK,
    })
}

/// A broker answer as read, for `--output json`.
fn pretty(value: &impl Serialize) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

pub(super) fn publish(args: &PublishArgs) -> Result<Outcome, CliError> {
    let mut files = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| CliError::Usage(format!("cannot list {}: {e}", path.display())))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut contracts = Vec::new();
    for file in &files {
        // Checked locally first: a malformed contract is a usage error with its file and path.
        let value = pactum_core::contract::parse_json_file(file)?;
        pactum_core::contract::Pact::from_json(&value).map_err(|source| {
            pactum_core::contract::LoadError::Contract {
                file: file.clone(),
                source,
            }
        })?;
        contracts.push(value);
    }
    if contracts.is_empty() {
        return Err(CliError::Usage(
            "no pact files found in the given paths".into(),
        ));
    }
    let client = args.connection.client()?;
    let answers = runtime()?.block_on(client.publish_contracts(
        &contracts,
        &args.consumer_app_version,
        args.branch.as_deref(),
        &args.tag,
        args.build_url.as_deref(),
        args.merge,
    ));
    let answers = match answers {
        Ok(answers) => answers,
        Err(error) => return failed(error),
    };
    if args.connection.json() {
        return ok(pretty(&answers));
    }
    let mut out = String::new();
    for notice in answers.iter().flat_map(|answer| &answer.notices) {
        out.push_str(&notice.text);
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
    let client = args.connection.client()?;
    let runtime = runtime()?;
    let mut tries = 0;
    let answer = loop {
        let answer =
            match runtime.block_on(client.can_i_deploy(&selectors, target.as_ref(), &ignore)) {
                Ok(answer) => answer,
                Err(ClientError::Status {
                    status: 400,
                    message,
                    ..
                }) => {
                    return Err(CliError::Usage(format!(
                        "the broker refused the question: {message}"
                    )));
                }
                Err(error) => return Err(CliError::Broker(error)),
            };
        if answer.summary.deployable.is_none() && tries < args.retry_while_unknown {
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
        return Ok(Outcome {
            stdout: pretty(&answer),
            code,
        });
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
                side.version.as_ref().map(|v| v.number.clone())
            };
            t.add_row(vec![
                row.consumer.name.clone(),
                number(&row.consumer).unwrap_or_default(),
                row.provider.name.clone(),
                number(&row.provider).unwrap_or_else(|| "-".into()),
                format!("{success}{ignored}"),
                // The verification's number: the last segment of its URL.
                verification
                    .and_then(|v| href(v.links.self_.as_ref()))
                    .map(|h| h.rsplit('/').next().unwrap_or_default().to_owned())
                    .unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("{t}\n\n"));
    }
    out.push_str(match deployable {
        Some(true) => "Computer says yes \\o/\n",
        Some(false) => "Computer says no ¯\\_(ツ)_/¯\n",
        None => "Computer says no: the answer is unknown (results missing) ¯\\_(ツ)_/¯\n",
    });
    for notice in &answer.notices {
        if notice.kind != "info" || deployable == Some(true) {
            out.push_str(&format!("\n{}", notice.text));
        }
    }
    out.push('\n');
    if args.dry_run && deployable != Some(true) {
        out.push_str("\n(dry run: exiting 0 whatever the answer)\n");
    }
    Ok(Outcome { stdout: out, code })
}

pub(super) fn record(args: &RecordArgs, deployed: bool) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
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
    match recorded {
        Ok(json) if args.connection.json() => ok(json),
        Ok(_) => ok(format!(
            "Recorded {} of {} version {} {} {}{}.\n",
            if deployed { "deployment" } else { "release" },
            args.pacticipant,
            args.version,
            if deployed { "to" } else { "in" },
            args.environment,
            instance
                .map(|i| format!(" (application instance {i})"))
                .unwrap_or_default()
        )),
        Err(error) => failed(error),
    }
}

pub(super) fn undeploy(args: &UndeployArgs) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
    match runtime()?.block_on(client.end_deployments(
        &args.pacticipant,
        &args.environment,
        args.application_instance.as_deref(),
    )) {
        Ok(records) if args.connection.json() => ok(pretty(&records)),
        Ok(records) => ok(records
            .iter()
            .map(|r| {
                format!(
                    "Recorded undeployment of {} version {} from {}.\n",
                    args.pacticipant, r.embedded.version.number, args.environment
                )
            })
            .collect()),
        Err(error) => failed(error),
    }
}

pub(super) fn support_ended(args: &RecordArgs) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
    match runtime()?.block_on(client.end_support(
        &args.pacticipant,
        &args.version,
        &args.environment,
    )) {
        Ok(records) if args.connection.json() => ok(pretty(&records)),
        Ok(_) => ok(format!(
            "Recorded support ended for {} version {} in {}.\n",
            args.pacticipant, args.version, args.environment
        )),
        Err(error) => failed(error),
    }
}

pub(super) fn create_environment(args: &EnvironmentArgs) -> Result<Outcome, CliError> {
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
    let client = args.connection.client()?;
    match runtime()?.block_on(client.create_environment(&request)) {
        Ok(env) if args.connection.json() => ok(pretty(&env)),
        Ok(env) => ok(format!(
            "Created {} environment with UUID {}\n",
            args.name, env.uuid
        )),
        Err(error) => failed(error),
    }
}

pub(super) fn list_environments(args: &ListArgs) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
    let environments = match runtime()?.block_on(client.environments()) {
        Ok(list) => list,
        Err(error) => return failed(error),
    };
    if args.connection.json() {
        return ok(pretty(&environments));
    }
    let mut t = table(&["UUID", "NAME", "DISPLAY NAME", "PRODUCTION"]);
    for env in &environments {
        t.add_row(vec![
            env.uuid.clone(),
            env.name.clone(),
            env.display_name.clone().unwrap_or_default(),
            env.production.to_string(),
        ]);
    }
    ok(format!("{t}\n"))
}

pub(super) fn create_or_update_pacticipant(args: &PacticipantArgs) -> Result<Outcome, CliError> {
    let properties = PacticipantRequest {
        display_name: args.display_name.clone(),
        main_branch: args.main_branch.clone(),
        repository_url: args.repository_url.clone(),
        ..PacticipantRequest::default()
    };
    let client = args.connection.client()?;
    match runtime()?.block_on(client.create_or_update_pacticipant(&args.name, &properties)) {
        Ok((resource, _)) if args.connection.json() => ok(pretty(&resource)),
        Ok((_, created)) => ok(format!(
            "Pacticipant {} {}.\n",
            args.name,
            if created { "created" } else { "updated" }
        )),
        Err(error) => failed(error),
    }
}

pub(super) fn create_version_tag(args: &TagArgs) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
    match runtime()?.block_on(client.tag_version(
        &args.pacticipant,
        &args.version,
        &args.tag,
        args.auto_create_version,
    )) {
        Ok(()) => ok(format!(
            "Tagged {} version {} with {}.\n",
            args.pacticipant,
            args.version,
            args.tag.join(", ")
        )),
        Err(error) => failed(error),
    }
}

pub(super) fn describe_version(args: &DescribeArgs) -> Result<Outcome, CliError> {
    let client = args.connection.client()?;
    let runtime = runtime()?;
    let found = match (&args.version, &args.latest) {
        (Some(version), _) => runtime.block_on(client.version(&args.pacticipant, version)),
        (None, Some(tag)) => runtime.block_on(client.latest_version(
            &args.pacticipant,
            Some(tag).filter(|t| !t.is_empty()).map(String::as_str),
        )),
        (None, None) => runtime.block_on(client.latest_version(&args.pacticipant, None)),
    };
    let version = match found {
        Ok(Some(version)) => version,
        Ok(None) => {
            eprintln!(
                "error: {} has no such version in the broker",
                args.pacticipant
            );
            return Ok(Outcome {
                stdout: String::new(),
                code: EXIT_FAILED,
            });
        }
        Err(error) => return failed(error),
    };
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
        args.pacticipant.clone(),
        version.number.clone(),
        branches.join(", "),
        tags.join(", "),
    ]);
    ok(format!("{t}\n"))
}
