//! `pactum openapi-check`, `openapi-diff` and `openapi-coverage`: OpenAPI documents as provider
//! contracts, on files (no broker). Rendering only; the work is in `pactum-openapi`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use pactum_core::contract::Pact;
use pactum_core::printable::printable;
use pactum_openapi::coverage::coverage;
use pactum_openapi::diff::{Change, diff};
use pactum_openapi::{Document, Severity};
use serde_json::json;

use super::broker_client_cmd::Output;
use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};

/// Arguments of `pactum openapi-check`.
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

/// Arguments of `pactum openapi-diff`.
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
    /// Output: a table for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
}

/// Arguments of `pactum openapi-coverage`.
#[derive(Debug, clap::Args)]
pub(super) struct CoverageArgs {
    /// The provider's OpenAPI document.
    document: PathBuf,
    /// The consumers' Pact files, or folders of them.
    #[arg(required = true)]
    contracts: Vec<PathBuf>,
    /// Output: a table for people, JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
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

/// For each change, the interactions relying on it: `consumer: description`.
fn reliances(old: &Document, change: &Change, contracts: &[(PathBuf, Pact)]) -> Vec<String> {
    let mut found = Vec::new();
    for (_, pact) in contracts {
        for interaction in &pact.interactions {
            if let Some(usage) = pactum_openapi::usage_of(old, interaction)
                && change.relied_on_by(&usage)
            {
                found.push(format!(
                    "{}: {}",
                    pact.consumer.name, interaction.description
                ));
            }
        }
    }
    found
}

pub(super) fn openapi_diff(args: &DiffArgs) -> Result<Outcome, CliError> {
    let old = load_document(&args.old)?;
    let new = load_document(&args.new)?;
    let contracts = load_contracts(&args.pacts)?;
    let with_contracts = !args.pacts.is_empty();
    let changes = diff(&old, &new);
    let mut used_breaking = 0;
    let mut rows = Vec::new();
    for change in &changes {
        let relied = if change.breaking && with_contracts {
            reliances(&old, change, &contracts)
        } else {
            Vec::new()
        };
        let verdict = match (change.breaking, with_contracts, relied.is_empty()) {
            (false, _, _) => "safe",
            (true, false, _) => "breaking",
            (true, true, true) => "breaking, unused",
            (true, true, false) => "breaking, USED",
        };
        if change.breaking && (!with_contracts || !relied.is_empty()) {
            used_breaking += 1;
        }
        rows.push((change, verdict, relied));
    }
    let stdout = match args.output {
        Output::Json => pretty(&json!({
            "changes": rows.iter().map(|(c, verdict, relied)| json!({
                "change": c, "verdict": verdict, "reliedOnBy": relied,
            })).collect::<Vec<_>>(),
            "breaking": changes.iter().filter(|c| c.breaking).count(),
            "breakingUsed": if with_contracts { Some(used_breaking) } else { None },
        })),
        _ => {
            let mut text = String::new();
            if changes.is_empty() {
                text.push_str("No differences between the documents.\n");
            } else {
                let mut t = table(&["verdict", "change", "operation", "detail", "relied on by"]);
                for (c, verdict, relied) in &rows {
                    t.add_row(vec![
                        verdict.to_string(),
                        c.kind.as_str().to_string(),
                        printable(&c.operation).into_owned(),
                        printable(&c.detail).into_owned(),
                        printable(&relied.join("\n")).into_owned(),
                    ]);
                }
                text.push_str(&format!("{t}\n"));
            }
            let breaking = changes.iter().filter(|c| c.breaking).count();
            text.push_str(&match (with_contracts, used_breaking) {
                (false, 0) => "No breaking changes.\n".to_string(),
                (false, n) => format!("{n} breaking changes (give the consumers' contracts with --pact to see which matter).\n"),
                (true, 0) => format!("{breaking} breaking changes, none relied on by the given contracts: safe to ship.\n"),
                (true, n) => format!("{n} of {breaking} breaking changes are relied on by consumers.\n"),
            });
            text
        }
    };
    let code = if used_breaking == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    Ok(Outcome::new(stdout, code))
}

pub(super) fn openapi_coverage(args: &CoverageArgs) -> Result<Outcome, CliError> {
    let document = load_document(&args.document)?;
    let contracts = load_contracts(&args.contracts)?;
    let named: Vec<(String, &Pact)> = contracts
        .iter()
        .map(|(_, pact)| (pact.consumer.name.clone(), pact))
        .collect();
    let result = coverage(&document, &named);
    let stdout = match args.output {
        Output::Json => pretty(&json!(result)),
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
            let mut text = format!("{t}\n");
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
