//! `pactum match`: explain why a request, response or message does (not) match.

use std::path::Path;

use serde_json::json;

use super::{CliError, EXIT_FAILED, EXIT_OK, Format, MatchArgs, Outcome, Part};
use pactum_core::contract::{
    ContractError, LoadError, Message, Request, Response, SpecVersion, parse_json_file,
};
use pactum_core::matching::{self, Mismatch};
use pactum_core::printable::printable;

fn load<T>(
    file: &Path,
    part: Part,
    spec: SpecVersion,
    read: impl Fn(serde_json::Value, SpecVersion, &str) -> Result<T, ContractError>,
) -> Result<T, CliError> {
    let value = parse_json_file(file)?;
    if let Some(other) = looks_like_another_part(&value, part) {
        return Err(CliError::Usage(format!(
            "{} holds {} (it has `{}`), not {}; use `pactum match {}`, or pass {} file",
            file.display(),
            other.article(),
            other.telltale(),
            part.article(),
            other.command(),
            part.article(),
        )));
    }
    read(value, spec, "$").map_err(|source| {
        CliError::Load(LoadError::Contract {
            file: file.to_path_buf(),
            source,
        })
    })
}

/// Which other part an object is, when its keys say so unmistakably: a request has a
/// `method`, a response a `status`, a message `contents` and neither of the others.
fn looks_like_another_part(value: &serde_json::Value, part: Part) -> Option<Part> {
    let has = |key: &str| value.get(key).is_some();
    let shape = if has("method") && !has("status") {
        Part::Request
    } else if has("status") && !has("method") {
        Part::Response
    } else if has("contents") && !has("method") && !has("status") {
        Part::Message
    } else {
        return None;
    };
    (shape != part).then_some(shape)
}

impl Part {
    fn command(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Response => "response",
            Part::Message => "message",
        }
    }

    fn article(self) -> &'static str {
        match self {
            Part::Request => "a request",
            Part::Response => "a response",
            Part::Message => "a message",
        }
    }

    fn telltale(self) -> &'static str {
        match self {
            Part::Request => "method",
            Part::Response => "status",
            Part::Message => "contents",
        }
    }
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
    let (part, expected, actual) = (args.part, &args.expected, &args.actual);
    let mismatches: Vec<Mismatch> = match part {
        Part::Request => compare(
            load(expected, part, spec, Request::from_value)?,
            load(actual, part, spec, Request::from_value)?,
            matching::match_request,
        ),
        Part::Response => compare(
            load(expected, part, spec, Response::from_value)?,
            load(actual, part, spec, Response::from_value)?,
            matching::match_response,
        ),
        Part::Message => compare(
            load(expected, part, spec, Message::from_value)?,
            load(actual, part, spec, Message::from_value)?,
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
                out.push_str(&format!("  - {}\n", printable(&m.to_string())));
                if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                    out.push_str(&format!(
                        "      expected: {}\n      actual:   {}\n",
                        printable(e),
                        printable(a)
                    ));
                }
                if let Some(rule) = &m.rule {
                    out.push_str(&format!("      rule:     {}\n", printable(rule)));
                }
            }
            out
        }
    };
    Ok(Outcome::new(stdout, code))
}
