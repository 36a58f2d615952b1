//! `pactum openapi-check`, `openapi-diff` and `openapi-coverage`: OpenAPI documents as provider
//! contracts, against consumers' contracts from files or from a broker (the consumer versions
//! deployed or released in an environment, or the broker's default selection). Rendering only;
//! the work is in `pactum-openapi`, and fetching in `pactum-client`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use pactum_client::{Pick, Scope};
use pactum_core::contract::Pact;
use pactum_core::printable::printable;
use pactum_openapi::coverage::{Coverage, coverage};
use pactum_openapi::diff::{Change, diff};
use pactum_openapi::{Document, Severity};
use serde::Serialize;
use serde_json::json;

use super::broker_client_cmd::{Credentials, Output, runtime};
use super::broker_error::{Asked, OPENAPI, flag};
use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};

// Arguments of `pactum openapi-check`.
#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// The provider's OpenAPI document (3.0, 3.1 or Swagger 2.0; JSON or YAML).
    document: PathBuf,
    /// Pact files, or folders of them, to check against it.
    #[arg(required = true)]
    contracts: Vec<PathBuf>,
    /// Output: a table for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
}

// Arguments of `pactum openapi-diff`.
#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    /// The document as it is now (deployed).
    old: PathBuf,
    /// The changed document.
    new: PathBuf,
    /// Consumers' Pact files (or folders): each breaking change is then marked used (naming
    /// the consumers and interactions relying on it) or unused (safe to ship).
    #[arg(long = "pact", value_name = "FILE")]
    pacts: Vec<PathBuf>,
    #[command(flatten)]
    broker: BrokerContracts,
    /// Output: a table for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
}

// Where to take consumers' contracts from a broker: the contracts of the provider's consumer
// versions that matter.
#[derive(Debug, clap::Args)]
pub(super) struct BrokerContracts {
    /// A Pact Broker to take the consumers' contracts from (with --provider).
    #[arg(
        long = "broker-url",
        visible_alias = "broker-base-url",
        short = 'b',
        value_name = "URL",
        env = "PACT_BROKER_BASE_URL"
    )]
    broker_url: Option<String>,
    #[command(flatten)]
    credentials: Credentials,
    /// The provider whose consumers' contracts to take from the broker: the versions deployed
    /// or released anywhere and each consumer's main branch head, or with --to-environment
    /// those deployed or released there.
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Only the consumer versions currently deployed or released (and supported) in this
    /// environment.
    #[arg(long, value_name = "ENVIRONMENT", requires = "provider")]
    to_environment: Option<String>,
    /// On a broker error, also show the broker's answer as received.
    #[arg(long, short = 'v')]
    verbose: bool,
}

// Arguments of `pactum openapi-coverage`.
#[derive(Debug, clap::Args)]
pub(super) struct CoverageArgs {
    /// The provider's OpenAPI document.
    document: PathBuf,
    /// The consumers' Pact files, or folders of them (optional with --provider).
    #[arg(required_unless_present = "provider")]
    contracts: Vec<PathBuf>,
    #[command(flatten)]
    broker: BrokerContracts,
    /// Output: a table for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
}

/// A consumer's contract, from a file or from a broker (with the consumer version and why it
/// counts).
struct ConsumerPact {
    consumer: String,
    version: Option<String>,
    picks: Vec<Pick>,
    /// The file or URL it was read from.
    source: String,
    pact: Pact,
}

impl ConsumerPact {
    /// The consumer, with its version when known: `web`, `web 1.0.0`.
    fn name(&self) -> String {
        versioned(&self.consumer, self.version.as_deref())
    }

    /// The name with why the version counts: `web 1.0.0 (deployed in production)`.
    fn described(&self) -> String {
        if self.picks.is_empty() {
            return self.name();
        }
        let picks: Vec<String> = self.picks.iter().map(ToString::to_string).collect();
        format!("{} ({})", self.name(), picks.join(", "))
    }

    fn report(&self) -> ContractReport {
        ContractReport {
            consumer: self.consumer.clone(),
            version: self.version.clone(),
            picks: self.picks.clone(),
            source: self.source.clone(),
        }
    }
}

/// A consumer with its version when known: `web`, `web 1.0.0`.
fn versioned(consumer: &str, version: Option<&str>) -> String {
    match version {
        Some(version) => format!("{consumer} {version}"),
        None => consumer.to_owned(),
    }
}

/// A contract a report was made from, in `--output json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContractReport {
    consumer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    /// Why the version counts (deployed, released, main branch); empty for files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    picks: Vec<Pick>,
    /// The file or URL the contract was read from.
    source: String,
}

fn load_document(file: &Path) -> Result<Document, CliError> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let document = Document::from_bytes(&bytes).map_err(|source| CliError::OpenApi {
        file: file.to_path_buf(),
        source,
    })?;
    document.compile_all().map_err(|source| CliError::OpenApi {
        file: file.to_path_buf(),
        source,
    })?;
    Ok(document)
}

fn contract_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
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
    Ok(files)
}

fn load_contracts(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Pact)>, CliError> {
    contract_files(paths)?
        .into_iter()
        .map(|file| Ok((file.clone(), Pact::load(&file)?)))
        .collect()
}

impl BrokerContracts {
    /// Whether contracts come from a broker (a provider is named).
    fn asked(&self) -> bool {
        self.provider.is_some()
    }

    /// The contracts of the provider's consumer versions that matter, from the broker; none
    /// without --provider.
    fn load(&self, matches: &ArgMatches, json: bool) -> Result<Vec<ConsumerPact>, CliError> {
        let Some(provider) = &self.provider else {
            if matches.value_source("broker_url") == Some(ValueSource::CommandLine) {
                return Err(CliError::Usage(
                    "--broker-url needs --provider NAME: the broker's contracts are those of a provider's consumers".into(),
                ));
            }
            return Ok(Vec::new());
        };
        let Some(url) = &self.broker_url else {
            return Err(CliError::Usage(format!(
                "{} needs a broker: give --broker-url URL (or PACT_BROKER_BASE_URL)",
                flag("--provider", provider)
            )));
        };
        let mut asked = Asked::new(OPENAPI, url).field(
            format!("pacticipant:{provider}"),
            flag("--provider", provider),
        );
        if let Some(environment) = &self.to_environment {
            asked = asked.field(
                format!("environment:{environment}"),
                flag("--to-environment", environment),
            );
        }
        asked.credential_origin = self.credentials.origin(matches, OPENAPI);
        asked.verbose = self.verbose;
        asked.json = json;
        let client = self.credentials.client(url, &asked)?;
        let scope = match &self.to_environment {
            Some(environment) => Scope::Environment(environment),
            None => Scope::Default,
        };
        let contracts = runtime()?
            .block_on(client.consumer_contracts(provider, scope))
            .map_err(|e| asked.failure(e))?;
        Ok(contracts
            .into_iter()
            .map(|c| ConsumerPact {
                consumer: c.consumer,
                version: Some(c.version),
                picks: c.picks,
                source: c.url,
                pact: c.pact,
            })
            .collect())
    }
}

/// The contracts of the files given and of the broker, if asked.
fn consumer_pacts(
    files: &[PathBuf],
    broker: &BrokerContracts,
    matches: &ArgMatches,
    json: bool,
) -> Result<Vec<ConsumerPact>, CliError> {
    let mut pacts: Vec<ConsumerPact> = load_contracts(files)?
        .into_iter()
        .map(|(file, pact)| ConsumerPact {
            consumer: pact.consumer.name.clone(),
            version: None,
            picks: Vec::new(),
            source: file.display().to_string(),
            pact,
        })
        .collect();
    pacts.extend(broker.load(matches, json)?);
    Ok(pacts)
}

/// The line naming the broker's contracts a report was made from.
fn broker_summary(broker: &BrokerContracts, pacts: &[ConsumerPact]) -> String {
    let (Some(provider), Some(url)) = (&broker.provider, &broker.broker_url) else {
        return String::new();
    };
    let from: Vec<String> = pacts
        .iter()
        .filter(|p| p.version.is_some())
        .map(ConsumerPact::described)
        .collect();
    let which = match &broker.to_environment {
        Some(environment) => format!("deployed or released in {environment}"),
        None => "deployed or released anywhere, or heads of main branches".to_string(),
    };
    if from.is_empty() {
        format!(
            "No consumer version of {} {which} has a contract with it at {}.\n",
            printable(provider),
            printable(url)
        )
    } else {
        format!(
            "Contracts of the consumers of {} from {} ({which}): {}.\n",
            printable(provider),
            printable(url),
            printable(&from.join("; "))
        )
    }
}

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

fn pretty(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

pub(super) fn check(args: &CheckArgs) -> Result<Outcome, CliError> {
    let document = load_document(&args.document)?;
    let contracts = load_contracts(&args.contracts)?;
    let mut ok = true;
    let mut reports = Vec::new();
    let mut text = String::new();
    for (file, pact) in &contracts {
        let result = document.cross_check(pact);
        ok &= result.success();
        match args.output {
            Output::Json => reports.push(json!({
                "contract": file.display().to_string(),
                "consumer": pact.consumer.name,
                "provider": pact.provider.name,
                "success": result.success(),
                "result": result,
            })),
            Output::Table | Output::Text => {
                text.push_str(&format!(
                    "{} ({} → {}): {} — {} interactions checked, {} errors, {} warnings\n",
                    printable(&file.display().to_string()),
                    printable(&pact.consumer.name),
                    printable(&pact.provider.name),
                    if result.success() {
                        "compatible"
                    } else {
                        "INCOMPATIBLE"
                    },
                    result.interactions_checked,
                    result.errors().count(),
                    result.warnings().count(),
                ));
                if !result.findings.is_empty() {
                    let mut t =
                        table(&["", "code", "interaction", "contract", "document", "message"]);
                    for f in &result.findings {
                        t.add_row(vec![
                            match f.severity {
                                Severity::Error => "error".to_string(),
                                Severity::Warning => "warning".to_string(),
                            },
                            f.code.as_str().to_string(),
                            printable(&f.description).into_owned(),
                            printable(&f.contract_location).into_owned(),
                            printable(&f.document_location).into_owned(),
                            printable(&f.message).into_owned(),
                        ]);
                    }
                    text.push_str(&format!("{t}\n"));
                }
            }
        }
    }
    let stdout = match args.output {
        Output::Json => pretty(
            &json!({"document": args.document.display().to_string(), "success": ok, "contracts": reports}),
        ),
        _ => text,
    };
    Ok(Outcome::new(stdout, if ok { EXIT_OK } else { EXIT_FAILED }))
}

/// A consumer (version) relying on a breaking change, in `--output json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UsedBy {
    consumer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    /// Why the version counts (deployed, released, main branch).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    picks: Vec<Pick>,
    /// The descriptions of the interactions relying on the change.
    interactions: Vec<String>,
}

/// One difference and its verdict, in `--output json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeReport<'a> {
    change: &'a Change,
    /// `safe`, `breaking`, `breaking, unused` or `breaking, USED`.
    verdict: &'static str,
    /// `consumer: description` per interaction relying on it.
    relied_on_by: Vec<String>,
    /// The same, per consumer version.
    used_by: Vec<UsedBy>,
}

/// `openapi-diff --output json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DiffReport<'a> {
    changes: Vec<ChangeReport<'a>>,
    /// How many changes break some consumer.
    breaking: usize,
    /// How many of those consumers rely on; null when no contracts were asked for.
    breaking_used: Option<usize>,
    /// The contracts considered.
    contracts: Vec<ContractReport>,
}

/// The consumer versions relying on a change, each with its interactions relying on it.
fn used_by(old: &Document, change: &Change, pacts: &[ConsumerPact]) -> Vec<UsedBy> {
    let mut found = Vec::new();
    for consumer in pacts {
        let interactions: Vec<String> = consumer
            .pact
            .interactions
            .iter()
            .filter(|interaction| {
                pactum_openapi::usage_of(old, interaction)
                    .is_some_and(|usage| change.relied_on_by(&usage))
            })
            .map(|interaction| interaction.description.clone())
            .collect();
        if !interactions.is_empty() {
            found.push(UsedBy {
                consumer: consumer.consumer.clone(),
                version: consumer.version.clone(),
                picks: consumer.picks.clone(),
                interactions,
            });
        }
    }
    found
}

pub(super) fn openapi_diff(args: &DiffArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let old = load_document(&args.old)?;
    let new = load_document(&args.new)?;
    let json = args.output == Output::Json;
    let pacts = consumer_pacts(&args.pacts, &args.broker, matches, json)?;
    let with_contracts = !args.pacts.is_empty() || args.broker.asked();
    let changes = diff(&old, &new);
    let mut used_breaking = 0;
    let mut rows = Vec::new();
    for change in &changes {
        let users = if change.breaking && with_contracts {
            used_by(&old, change, &pacts)
        } else {
            Vec::new()
        };
        let verdict = match (change.breaking, with_contracts, users.is_empty()) {
            (false, _, _) => "safe",
            (true, false, _) => "breaking",
            (true, true, true) => "breaking, unused",
            (true, true, false) => "breaking, USED",
        };
        if change.breaking && (!with_contracts || !users.is_empty()) {
            used_breaking += 1;
        }
        let relied_on_by = users
            .iter()
            .flat_map(|u| {
                let name = versioned(&u.consumer, u.version.as_deref());
                u.interactions
                    .iter()
                    .map(move |description| format!("{name}: {description}"))
            })
            .collect();
        rows.push(ChangeReport {
            change,
            verdict,
            relied_on_by,
            used_by: users,
        });
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let stdout = if json {
        pretty(&json!(DiffReport {
            changes: rows,
            breaking,
            breaking_used: with_contracts.then_some(used_breaking),
            contracts: pacts.iter().map(ConsumerPact::report).collect(),
        }))
    } else {
        let mut text = broker_summary(&args.broker, &pacts);
        if changes.is_empty() {
            text.push_str("No differences between the documents.\n");
        } else {
            let mut t = table(&["verdict", "change", "operation", "detail", "relied on by"]);
            for row in &rows {
                let relied: Vec<String> = row
                    .used_by
                    .iter()
                    .flat_map(|u| {
                        let who = pacts
                            .iter()
                            .find(|p| p.consumer == u.consumer && p.version == u.version)
                            .map(ConsumerPact::described)
                            .unwrap_or_else(|| u.consumer.clone());
                        u.interactions
                            .iter()
                            .map(move |description| format!("{who}: {description}"))
                    })
                    .collect();
                t.add_row(vec![
                    row.verdict.to_string(),
                    row.change.kind.as_str().to_string(),
                    printable(&row.change.operation).into_owned(),
                    printable(&row.change.detail).into_owned(),
                    printable(&relied.join("\n")).into_owned(),
                ]);
            }
            text.push_str(&format!("{t}\n"));
        }
        text.push_str(&match (with_contracts, used_breaking) {
            (false, 0) => "No breaking changes.\n".to_string(),
            (false, n) => format!("{n} breaking changes (give the consumers' contracts with --pact, or a broker with --broker-url and --provider, to see which matter).\n"),
            (true, 0) => format!("{breaking} breaking changes, none relied on by the given contracts: safe to ship.\n"),
            (true, n) => format!("{n} of {breaking} breaking changes are relied on by consumers.\n"),
        });
        text
    };
    let code = if used_breaking == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    Ok(Outcome::new(stdout, code))
}

/// `openapi-coverage --output json`: the coverage, and the contracts it was computed from.
#[derive(Debug, Serialize)]
struct CoverageReport<'a> {
    #[serde(flatten)]
    coverage: &'a Coverage,
    contracts: Vec<ContractReport>,
}

pub(super) fn openapi_coverage(
    args: &CoverageArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let document = load_document(&args.document)?;
    let json = args.output == Output::Json;
    let pacts = consumer_pacts(&args.contracts, &args.broker, matches, json)?;
    let named: Vec<(String, &Pact)> = pacts.iter().map(|p| (p.name(), &p.pact)).collect();
    let result = coverage(&document, &named);
    let stdout = match args.output {
        Output::Json => pretty(&json!(CoverageReport {
            coverage: &result,
            contracts: pacts.iter().map(ConsumerPact::report).collect(),
        })),
        _ => {
            let mut t = table(&["operation", "what", "used by"]);
            let users = |u: &[String]| {
                if u.is_empty() {
                    "— (free to change)".to_string()
                } else {
                    u.join(", ")
                }
            };
            for op in &result.operations {
                t.add_row(vec![
                    printable(&op.operation).into_owned(),
                    String::new(),
                    printable(&users(&op.used_by)).into_owned(),
                ]);
                for p in &op.parameters {
                    t.add_row(vec![
                        String::new(),
                        format!("{} parameter {}", p.location, printable(&p.name)),
                        printable(&users(&p.used_by)).into_owned(),
                    ]);
                }
                for f in &op.request_fields {
                    t.add_row(vec![
                        String::new(),
                        format!("request field {}", printable(&f.field)),
                        printable(&users(&f.used_by)).into_owned(),
                    ]);
                }
                for s in &op.statuses {
                    t.add_row(vec![
                        String::new(),
                        format!("response {}", s.status),
                        printable(&users(&s.used_by)).into_owned(),
                    ]);
                    for f in &s.fields {
                        t.add_row(vec![
                            String::new(),
                            format!("  field {}", printable(&f.field)),
                            printable(&users(&f.used_by)).into_owned(),
                        ]);
                    }
                }
            }
            let [ops, statuses, fields] = result.totals();
            let mut text = broker_summary(&args.broker, &pacts);
            text.push_str(&format!("{t}\n"));
            text.push_str(&format!(
                "Used: {} of {} operations, {} of {} responses, {} of {} fields.\n",
                ops.0, ops.1, statuses.0, statuses.1, fields.0, fields.1
            ));
            let mut unrouted: BTreeMap<&str, ()> = BTreeMap::new();
            for u in &result.unrouted {
                unrouted.insert(u, ());
            }
            for u in unrouted.keys() {
                text.push_str(&format!("Not in the document: {}\n", printable(u)));
            }
            text
        }
    };
    Ok(Outcome::new(stdout, EXIT_OK))
}
