//! `publish-provider-contract`: an OpenAPI document and the provider's own test result to a
//! broker, with the official `pactflow publish-provider-contract` flags.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use pactum_client::ProviderContractPublication;
use pactum_core::printable::{printable, printable_line};

use super::broker_client_cmd::{Connection, ok, pretty, runtime};
use super::broker_error::flag;
use super::{CliError, Outcome};

#[derive(Debug, clap::Args)]
pub(super) struct PublishProviderContractArgs {
    /// The OpenAPI document (JSON or YAML).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The provider.
    #[arg(long, value_name = "NAME")]
    provider: String,
    /// The provider version the document belongs to.
    #[arg(long, short = 'a', value_name = "VERSION")]
    provider_app_version: String,
    /// The provider version's branch.
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// Tags for the provider version (repeatable or comma-separated).
    #[arg(long, short = 't', value_name = "TAG", value_delimiter = ',')]
    tag: Vec<String>,
    /// The document's media type (default: from the file extension, .json or .yaml/.yml).
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// The provider's own tests against the document passed.
    #[arg(long, conflicts_with_all = ["no_verification_success", "verification_exit_code"])]
    verification_success: bool,
    /// The provider's own tests against the document failed.
    #[arg(long, conflicts_with = "verification_exit_code")]
    no_verification_success: bool,
    /// The exit code of the provider's own tests (0 is success), instead of
    /// --verification-success / --no-verification-success.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    verification_exit_code: Option<i32>,
    /// The report of those tests.
    #[arg(long, value_name = "FILE")]
    verification_results: Option<PathBuf>,
    /// The report's media type (e.g. text/plain).
    #[arg(long, value_name = "TYPE")]
    verification_results_content_type: Option<String>,
    /// The report's format (e.g. text, junit).
    #[arg(long, value_name = "FORMAT")]
    verification_results_format: Option<String>,
    /// The tool that ran the tests.
    #[arg(long, value_name = "NAME")]
    verifier: Option<String>,
    /// Its version.
    #[arg(long, value_name = "VERSION")]
    verifier_version: Option<String>,
    /// CI build URL of the provider version.
    #[arg(long, value_name = "URL")]
    build_url: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the {what} {}: {e}",
            printable_line(&path.display().to_string())
        ))
    })
}

/// The document's media type: the flag, else from the file extension.
fn content_type(args: &PublishProviderContractArgs) -> Result<String, CliError> {
    if let Some(given) = &args.content_type {
        return Ok(given.clone());
    }
    let extension = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => Ok("application/json".into()),
        Some("yaml" | "yml") => Ok("application/yaml".into()),
        _ => Err(CliError::Usage(format!(
            "cannot tell the media type of {} from its extension: name it .json, .yaml or .yml, or pass --content-type application/json or application/yaml",
            printable_line(&args.file.display().to_string())
        ))),
    }
}

/// Whether the provider's own tests passed, from whichever flag says it.
fn success(args: &PublishProviderContractArgs) -> Result<bool, CliError> {
    match (
        args.verification_success,
        args.no_verification_success,
        args.verification_exit_code,
    ) {
        (true, _, _) => Ok(true),
        (_, true, _) => Ok(false),
        (_, _, Some(code)) => Ok(code == 0),
        _ => Err(CliError::Usage(
            "whether the provider's own tests against the document passed is required: pass --verification-success, --no-verification-success or --verification-exit-code N".into(),
        )),
    }
}

pub(super) fn publish_provider_contract(
    args: &PublishProviderContractArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    let success = success(args)?;
    let content_type = content_type(args)?;
    let document = read(&args.file, "provider contract")?;
    let report = args
        .verification_results
        .as_deref()
        .map(|path| read(path, "verification results"))
        .transpose()?;
    let mut asked = args
        .connection
        .asked(matches)
        .field(
            "pacticipantVersionNumber",
            flag("--provider-app-version", &args.provider_app_version),
        )
        .field("tags", flag("--tag", &args.tag.join(",")))
        .field("contract.content", args.file.display().to_string())
        .field(
            "contract.contentType",
            flag("--content-type", &content_type),
        );
    if let Some(branch) = &args.branch {
        asked = asked.field("branch", flag("--branch", branch));
    }
    if let Some(url) = &args.build_url {
        asked = asked.field("buildUrl", flag("--build-url", url));
    }
    let publication = ProviderContractPublication {
        provider: args.provider.clone(),
        version: args.provider_app_version.clone(),
        branch: args.branch.clone(),
        tags: args.tag.clone(),
        build_url: args.build_url.clone(),
        document,
        content_type,
        success,
        report,
        report_content_type: args.verification_results_content_type.clone(),
        report_format: args.verification_results_format.clone(),
        verifier: args.verifier.clone(),
        verifier_version: args.verifier_version.clone(),
    };
    let client = args.connection.client(&asked)?;
    let answer = runtime()?
        .block_on(client.publish_provider_contract(&publication))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&answer));
    }
    let mut out = String::new();
    for notice in &answer.notices {
        out.push_str(&printable(&notice.text));
        out.push('\n');
    }
    ok(out)
}
