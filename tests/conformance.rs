//! Runs the Pact specification's own test cases through pactum's matcher.
//!
//! The cases live outside the repository (upstream pact-foundation/pact-specification, one
//! folder per version); `PACTUM_SPEC_CASES` points at the folder holding `v1`, `v1.1`, `v2`,
//! `v3` and `v4`. Without it, `../shared/pact-spec` next to the checkout is used. Without
//! either the test fails, unless `PACTUM_SKIP_SPEC_CASES` is set.

use std::path::{Path, PathBuf};

use pactum::contract::{Message, Request, Response, SpecVersion};
use pactum::matching::{match_message, match_request, match_response, render_text};
use serde_json::Value;

/// Cases where pactum deliberately does not follow the upstream `match` value. Each entry:
/// (version folder, case path, pactum's verdict, why).
pub const DEVIATIONS: &[(&str, &str, bool, &str)] = &[
    (
        "v1",
        "request/query/different param order.json",
        true,
        "query strings are parsed into parameters; the order of different parameters carries no meaning (as the reference implementation does)",
    ),
    (
        "v1",
        "request/query/trailing amperand.json",
        true,
        "a trailing '&' adds no parameter once the query is parsed (as the reference implementation does)",
    ),
];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Runs one case; returns the mismatches pactum found, or an error if the case did not load.
fn run_case(
    version: SpecVersion,
    kind: &str,
    case: &Value,
) -> Result<Vec<pactum::matching::Mismatch>, String> {
    let expected = &case["expected"];
    let actual = &case["actual"];
    let e = |err: pactum::contract::ContractError| err.to_string();
    Ok(match kind {
        "request" => match_request(
            &Request::from_json(expected, version, "$.expected").map_err(e)?,
            &Request::from_json(actual, version, "$.actual").map_err(e)?,
        ),
        "response" => match_response(
            &Response::from_json(expected, version, "$.expected").map_err(e)?,
            &Response::from_json(actual, version, "$.actual").map_err(e)?,
        ),
        "message" => match_message(
            &Message::from_json(expected, version, "$.expected").map_err(e)?,
            &Message::from_json(actual, version, "$.actual").map_err(e)?,
        ),
        other => return Err(format!("unknown case kind {other}")),
    })
}

#[test]
fn every_specification_case_gets_the_expected_verdict() {
    let Some(root) = crate::support::prerequisites::spec_cases() else {
        return;
    };
    let mut failures = Vec::new();
    let mut total = 0;
    let mut deviations_used = 0;
    for (folder, version) in [
        ("v1", SpecVersion::V1),
        ("v1.1", SpecVersion::V1_1),
        ("v2", SpecVersion::V2),
        ("v3", SpecVersion::V3),
        ("v4", SpecVersion::V4),
    ] {
        let mut files = Vec::new();
        collect(&root.join(folder).join("testcases"), &mut files);
        for file in files {
            total += 1;
            let relative = file
                .strip_prefix(root.join(folder).join("testcases"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let kind = relative.split('/').next().unwrap().to_string();
            let bytes = std::fs::read(&file).unwrap();
            let case = pactum::contract::parse_json_bytes(&bytes).unwrap();
            let mut want = case["match"].as_bool().expect("case has a boolean match");
            if let Some((_, _, verdict, _)) = DEVIATIONS
                .iter()
                .find(|(v, p, _, _)| *v == folder && *p == relative)
            {
                want = *verdict;
                deviations_used += 1;
            }
            match run_case(version, &kind, &case) {
                Ok(mismatches) if mismatches.is_empty() == want => {}
                Ok(mismatches) => failures.push(format!(
                    "{folder}/{relative}: expected match={want}, got {} mismatch(es)\n{}",
                    mismatches.len(),
                    render_text(&mismatches)
                )),
                Err(err) => failures.push(format!("{folder}/{relative}: did not load: {err}")),
            }
        }
    }
    assert_eq!(
        deviations_used,
        DEVIATIONS.len(),
        "every documented deviation names an existing case"
    );
    assert!(total >= 803, "expected all 803 cases, found {total}");
    assert!(
        failures.is_empty(),
        "{} of {total} specification cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
