//! `pactum match`: explain why a request, response or message does (not) match.

use std::path::Path;

use serde_json::json;

use super::{CliError, EXIT_FAILED, EXIT_OK, Format, MatchArgs, Outcome, Part};
use pactum_core::contract::{
    ContractError, LoadError, Message, Request, Response, SpecVersion, parse_json_file,
};
use pactum_core::matching::{self, Mismatch};

fn load<T>(
    file: &Path,
    spec: SpecVersion,
    read: impl Fn(serde_json::Value, SpecVersion, &str) -> Result<T, ContractError>,
) -> Result<T, CliError> {
    let value = parse_json_file(file)?;
    read(value, spec, "$").map_err(|source| {
        CliError::Load(LoadError::Contract {
            file: file.to_path_buf(),
            source,
        })
    })
}

/// Matches `actual` against `expected`, then lets both go without freeing them.
///
/// `pactum match` exits right after printing the report, and the two documents can be large
/// trees of small allocations (a 1.7 MB body is hundreds of thousands): walking them only to
/// hand every node back to the allocator costs a visible share of the whole command, while the
/// operating system reclaims the process's memory at exit anyway. Only this one-shot command
/// does this; library code always frees what it loads.
fn compare<T>(expected: T, actual: T, matcher: fn(&T, &T) -> Vec<Mismatch>) -> Vec<Mismatch> {
    let mismatches = matcher(&expected, &actual);
    std::mem::forget(expected);
    std::mem::forget(actual);
    mismatches
}

pub(super) fn run(args: &MatchArgs) -> Result<Outcome, CliError> {
    let spec = SpecVersion::from(args.spec);
    let mismatches: Vec<Mismatch> = match args.part {
        Part::Request => compare(
            load(&args.expected, spec, Request::from_value)?,
            load(&args.actual, spec, Request::from_value)?,
            matching::match_request,
        ),
        Part::Response => compare(
            load(&args.expected, spec, Response::from_value)?,
            load(&args.actual, spec, Response::from_value)?,
            matching::match_response,
        ),
        Part::Message => compare(
            load(&args.expected, spec, Message::from_value)?,
            load(&args.actual, spec, Message::from_value)?,
            matching::match_message,
        ),
    };
    let code = if mismatches.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    let stdout = match args.format {
        Format::Json => {
            let report = json!({"matched": mismatches.is_empty(), "mismatches": mismatches});
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        Format::Text if mismatches.is_empty() => "match: no mismatches\n".to_string(),
        Format::Text => {
            let mut out = format!(
                "mismatch: {} difference{} found\n",
                mismatches.len(),
                if mismatches.len() == 1 { "" } else { "s" }
            );
            for m in &mismatches {
                out.push_str(&format!("  - {m}\n"));
                if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                    out.push_str(&format!("      expected: {e}\n      actual:   {a}\n"));
                }
                if let Some(rule) = &m.rule {
                    out.push_str(&format!("      rule:     {rule}\n"));
                }
            }
            out
        }
    };
    Ok(Outcome { stdout, code })
}
