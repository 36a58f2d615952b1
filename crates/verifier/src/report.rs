//! Verification results and how they are shown: text for people (coloured on a terminal),
//! JSON for tools, JUnit XML for CI dashboards.
//!
//! JSON schema (`pactum verify --format json`):
//! `{"summary": {"interactions", "passed", "failed", "errors", "pendingFailures", "success"},
//!   "contracts": [{"consumer", "provider", "source", "interactions": [{"description",
//!   "providerStates": [..], "pending", "status": "passed"|"failed"|"error", "durationMs",
//!   "testName"?, "comments"?: [..], "warnings"?: [..], "mismatches": [Mismatch...],
//!   "error"?}]}]}` where a Mismatch is
//! `{"kind", "location", "expected"?, "actual"?, "rule"?, "message"}`.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use pactum_core::matching::Mismatch;
use pactum_core::printable::{printable, printable_line as line};

/// How one interaction went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum Outcome {
    /// The provider satisfied the interaction.
    Passed,
    /// The provider answered, but not as the contract says.
    Failed {
        /// Every difference.
        mismatches: Vec<Mismatch>,
    },
    /// The interaction could not be checked (state setup failed, timeout, ...).
    Error {
        /// What went wrong.
        message: String,
    },
    /// Skipped by a filter.
    Skipped,
}

/// The result of one interaction.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionResult {
    /// Its description.
    pub description: String,
    /// Its provider state names.
    pub provider_states: Vec<String>,
    /// Whether its failures are reported without failing verification.
    pub pending: bool,
    /// The test that wrote the interaction (V4 `comments.testname`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_name: Option<String>,
    /// The interaction's comments (V4 `comments.text`), shown with its result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<String>,
    /// What the verifier noticed that does not fail the interaction, such as a provider state
    /// nothing could set up.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// How long it took, in milliseconds.
    #[serde(rename = "durationMs")]
    pub duration_ms: u128,
}

impl InteractionResult {
    /// A result for the interaction, not yet run (skipped): its description, states, pending
    /// flag, test name and comments.
    pub(crate) fn of(interaction: &pactum_core::contract::Interaction) -> Self {
        let comments = &interaction.comments;
        InteractionResult {
            description: interaction.description.clone(),
            provider_states: interaction
                .provider_states
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            pending: interaction.pending,
            test_name: comments
                .get("testname")
                .and_then(|t| t.as_str())
                .map(str::to_string),
            comments: comments
                .get("text")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            warnings: Vec::new(),
            outcome: Outcome::Skipped,
            duration_ms: 0,
        }
    }

    /// True if this result fails the verification (a non-pending failure or error).
    pub fn fails_verification(&self) -> bool {
        !self.pending && matches!(self.outcome, Outcome::Failed { .. } | Outcome::Error { .. })
    }
}

/// The results for one contract.
#[derive(Debug, Clone, Serialize)]
pub struct ContractResult {
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// Where the contract came from.
    pub source: String,
    /// What the broker said about it (why it was selected, whether it is pending).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// One result per interaction, in contract order.
    pub interactions: Vec<InteractionResult>,
}

/// All results of a verification run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per contract.
    pub contracts: Vec<ContractResult>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Interactions checked (not skipped).
    pub interactions: usize,
    /// Passed.
    pub passed: usize,
    /// Failed, not pending.
    pub failed: usize,
    /// Errors, not pending.
    pub errors: usize,
    /// Failures and errors of pending interactions.
    pub pending_failures: usize,
    /// True when nothing fails the verification.
    pub success: bool,
}

impl Report {
    /// Counts results.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for result in self.contracts.iter().flat_map(|c| &c.interactions) {
            if matches!(result.outcome, Outcome::Skipped) {
                continue;
            }
            s.interactions += 1;
            match (&result.outcome, result.pending) {
                (Outcome::Passed, _) => s.passed += 1,
                (_, true) => s.pending_failures += 1,
                (Outcome::Failed { .. }, false) => s.failed += 1,
                _ => s.errors += 1,
            }
        }
        s.success = s.failed == 0 && s.errors == 0;
        s
    }

    /// True when every non-pending interaction passed.
    pub fn success(&self) -> bool {
        self.summary().success
    }

    /// The JSON report.
    pub fn to_json(&self) -> serde_json::Value {
        json!({"summary": self.summary(), "contracts": self.contracts})
    }

    /// The human-readable report; `colour` adds ANSI colours.
    pub fn to_text(&self, colour: bool) -> String {
        let paint = |code: &str, text: &str| {
            if colour {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let mut out = String::new();
        let mut failures = Vec::new();
        for contract in &self.contracts {
            let _ = writeln!(
                out,
                "\nVerifying a pact between {} and {} ({})",
                line(&contract.consumer),
                line(&contract.provider),
                line(&contract.source)
            );
            for notice in &contract.notices {
                let _ = writeln!(out, "  {}", paint("2", &printable(notice)));
            }
            for result in &contract.interactions {
                let pending = if result.pending { " [pending]" } else { "" };
                let status = match &result.outcome {
                    Outcome::Passed => paint("32", "passed"),
                    Outcome::Failed { .. } => paint("31", "FAILED"),
                    Outcome::Error { .. } => paint("31", "ERROR"),
                    Outcome::Skipped => paint("33", "skipped"),
                };
                let _ = writeln!(
                    out,
                    "  {}{pending} ... {status} ({} ms)",
                    line(&result.description),
                    result.duration_ms
                );
                for state in &result.provider_states {
                    let _ = writeln!(out, "    given {}", line(state));
                }
                if let Some(test_name) = &result.test_name {
                    let _ = writeln!(out, "    test name: {}", line(test_name));
                }
                for comment in &result.comments {
                    let _ = writeln!(out, "    comment: {}", line(comment));
                }
                for warning in &result.warnings {
                    let _ = writeln!(
                        out,
                        "    {}",
                        paint("33", &format!("warning: {}", line(warning)))
                    );
                }
                if matches!(
                    result.outcome,
                    Outcome::Failed { .. } | Outcome::Error { .. }
                ) {
                    failures.push((contract, result));
                }
            }
        }
        if !failures.is_empty() {
            let _ = writeln!(out, "\nFailures:");
            for (n, (contract, result)) in failures.iter().enumerate() {
                let pending = if result.pending {
                    " (pending: does not fail the verification)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "\n{}) {} -> {}: {}{pending}",
                    n + 1,
                    line(&contract.consumer),
                    line(&contract.provider),
                    line(&result.description)
                );
                match &result.outcome {
                    Outcome::Failed { mismatches } => {
                        for m in mismatches {
                            let _ = writeln!(out, "    {}", printable(&m.to_string()));
                            if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                                let _ = writeln!(out, "        expected: {}", printable(e));
                                let _ = writeln!(out, "        actual:   {}", printable(a));
                            }
                            if let Some(rule) = &m.rule {
                                let _ = writeln!(out, "        rule:     {}", printable(rule));
                            }
                        }
                    }
                    Outcome::Error { message } => {
                        let _ = writeln!(out, "    {}", printable(message));
                    }
                    _ => {}
                }
            }
        }
        let s = self.summary();
        let line = format!(
            "\n{} interactions: {} passed, {} failed, {} errors{}",
            s.interactions,
            s.passed,
            s.failed,
            s.errors,
            if s.pending_failures > 0 {
                format!(", {} pending failures", s.pending_failures)
            } else {
                String::new()
            }
        );
        out.push_str(&if s.success {
            paint("32", &line)
        } else {
            paint("31", &line)
        });
        out.push('\n');
        out
    }

    /// JUnit XML: one test suite per contract, one test case per interaction.
    pub fn to_junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        for contract in &self.contracts {
            let failures = contract
                .interactions
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Failed { .. }) && !r.pending)
                .count();
            let errors = contract
                .interactions
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Error { .. }) && !r.pending)
                .count();
            let time: u128 = contract.interactions.iter().map(|r| r.duration_ms).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
                xml(&format!("{} -> {}", contract.consumer, contract.provider)),
                contract.interactions.len(),
                seconds(time)
            );
            for result in &contract.interactions {
                let _ = write!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                    xml(&result.description),
                    xml(&format!("{}.{}", contract.consumer, contract.provider)),
                    seconds(result.duration_ms)
                );
                match (&result.outcome, result.pending) {
                    (Outcome::Passed, _) => out.push_str("/>\n"),
                    (Outcome::Skipped, _) => out.push_str("><skipped/></testcase>\n"),
                    (Outcome::Failed { .. } | Outcome::Error { .. }, true) => out.push_str(
                        "><skipped message=\"pending interaction failed\"/></testcase>\n",
                    ),
                    (Outcome::Failed { mismatches }, false) => {
                        let detail: Vec<String> =
                            mismatches.iter().map(|m| m.to_string()).collect();
                        let _ = write!(
                            out,
                            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                            xml(&format!("{} mismatch(es)", mismatches.len())),
                            xml(&detail.join("\n"))
                        );
                    }
                    (Outcome::Error { message }, false) => {
                        let _ = write!(
                            out,
                            ">\n      <error message=\"{}\"/>\n    </testcase>\n",
                            xml(message)
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn seconds(ms: u128) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn xml(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Milliseconds of a duration, for results.
pub(crate) fn millis(d: Duration) -> u128 {
    d.as_millis()
}
