//! `cross-check`: the cross-checks of a provider version's OpenAPI document (its provider
//! contract) against its consumers' contracts, as the broker computed them — each finding with
//! the comparator's code, the interaction, and where in the contract and in the document.

use clap::ArgMatches;
use pactum_broker_api::ProviderVersionCrossChecks;
use pactum_broker_api::cross_checks::status;
use pactum_core::printable::printable;

use super::broker_client_cmd::{Connection, cell, pretty, runtime, table};
use super::broker_error::flag;
use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub(super) struct CrossCheckArgs {
    /// The provider.
    #[arg(long, value_name = "NAME")]
    provider: String,
    /// The provider version whose provider contract to show.
    #[arg(long, value_name = "VERSION")]
    provider_version: String,
    /// Only this consumer's contracts.
    #[arg(long, value_name = "NAME")]
    consumer: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// Exit 0 when every cross-check passed, 1 when one failed or is still being computed.
fn exit_code(answer: &ProviderVersionCrossChecks) -> u8 {
    if answer
        .cross_checks
        .iter()
        .all(|check| check.status == status::SUCCESS)
    {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

pub(super) fn cross_check(
    args: &CrossCheckArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let mut asked = args
        .connection
        .asked(matches)
        .field(
            format!("pacticipant:{}", args.provider),
            flag("--provider", &args.provider),
        )
        .field(
            format!("version:{}", args.provider),
            flag("--provider-version", &args.provider_version),
        );
    if let Some(consumer) = &args.consumer {
        asked = asked.field(
            format!("pacticipant:{consumer}"),
            flag("--consumer", consumer),
        );
    }
    let client = args.connection.client(&asked)?;
    let answer = runtime()?
        .block_on(client.cross_checks(
            &args.provider,
            &args.provider_version,
            args.consumer.as_deref(),
        ))
        .map_err(|e| asked.failure(e))?;
    let code = exit_code(&answer);
    if args.connection.json() {
        return Ok(Outcome::new(pretty(&answer), code));
    }
    Ok(Outcome::new(render(&answer), code))
}

fn render(answer: &ProviderVersionCrossChecks) -> String {
    let mut out = String::new();
    let contract = &answer.provider_contract;
    let verifier = contract
        .verifier
        .as_deref()
        .map(|v| format!(" by {}", printable(v)))
        .unwrap_or_default();
    out.push_str(&format!(
        "Provider contract of {} {}: self-verification{verifier} {}\n",
        printable(&answer.provider),
        printable(&answer.provider_version),
        if contract.self_verification_success {
            "passed"
        } else {
            "FAILED"
        }
    ));
    if answer.cross_checks.is_empty() {
        out.push_str("\nNo consumer contract has been checked against it yet.\n");
        return out;
    }
    let mut t = table(&[
        "CONSUMER",
        "C.VERSIONS",
        "CROSS-CHECK",
        "ERRORS",
        "WARNINGS",
    ]);
    for check in &answer.cross_checks {
        let count = |severity: &str| {
            check
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .count()
                .to_string()
        };
        t.add_row(vec![
            cell(check.consumer.as_deref().unwrap_or_default()),
            cell(&check.consumer_versions.join(", ")),
            cell(&check.status),
            count("error"),
            count("warning"),
        ]);
    }
    out.push_str(&format!("\n{t}\n"));
    for check in &answer.cross_checks {
        let consumer = printable(check.consumer.as_deref().unwrap_or_default());
        if check.status == status::PENDING {
            out.push_str(&format!(
                "\n{consumer}: being computed by the broker; ask again shortly.\n"
            ));
        }
        if let Some(error) = &check.error {
            out.push_str(&format!(
                "\n{consumer}: the cross-check could not run: {}\n",
                printable(error)
            ));
        }
        if check.findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{consumer}:\n"));
        for finding in &check.findings {
            let operation = finding
                .operation
                .as_deref()
                .map(|op| format!(" ({})", printable(op)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {} in '{}'{operation}\n    in the contract: {}\n    in the document: {}\n    {}\n",
                finding.severity,
                printable(&finding.code),
                printable(&finding.description),
                printable(&finding.contract_location),
                printable(&finding.document_location),
                printable(&finding.message),
            ));
        }
    }
    out
}
