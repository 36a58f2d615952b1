//! Runs the Pact compatibility suite (pact-foundation/pact-compatibility-suite: Gherkin features
//! and fixtures for V1–V4) against pactum's real parts: the mock server over HTTP, the verifier
//! against providers served on 127.0.0.1, pactum's own broker for the publishing scenarios, and
//! the matcher and generators for the features that exercise them directly.
//!
//! The suite lives outside the repository: `PACTUM_COMPAT_SUITE` names its folder (the one
//! holding `features` and `fixtures`), else `../shared/pact-compatibility-suite` beside the
//! checkout is used. Without either the run fails, unless `PACTUM_SKIP_COMPAT_SUITE` is set
//! (the rule of `tests/support/prerequisites.rs`). `PACTUM_COMPAT_FILTER` runs only the
//! scenarios whose feature path or name contains the given text (for working on one scenario).
//!
//! Every scenario must pass, except those in [`deviations::DEVIATIONS`], which must fail (with
//! the reason given there): a listed scenario that starts passing fails the run, so the list
//! only shrinks. The step definitions are organised by area, one module each; they all work on
//! one [`CompatWorld`].

mod deviations;
mod generators;
mod http_consumer;
mod http_provider;
mod matching;
mod message;
mod support;
mod written;

// The prerequisites rule shared with the integration tests; this binary uses only its part.
#[path = "../support/prerequisites.rs"]
#[allow(
    dead_code,
    reason = "the other prerequisites are for the integration tests"
)]
mod prerequisites;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use cucumber::World as _;
use cucumber::event::ScenarioFinished;

/// The state of one scenario: the background's interactions plus each area's own state.
#[derive(Default, cucumber::World)]
pub struct CompatWorld {
    /// The interactions of the feature's background table.
    pub interactions: Vec<support::HttpDef>,
    /// HTTP consumer (mock server) steps.
    pub consumer: http_consumer::ConsumerState,
    /// HTTP and message provider (verifier) steps.
    pub provider: http_provider::ProviderSide,
    /// Message consumer steps (V3 messages, V4 asynchronous and synchronous messages).
    pub message: message::MessageState,
    /// Matching steps (the matcher on its own).
    pub matching: matching::MatchingState,
    /// Generator steps.
    pub generators: generators::GeneratorState,
}

impl std::fmt::Debug for CompatWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompatWorld")
            .field("interactions", &self.interactions.len())
            .finish_non_exhaustive()
    }
}

/// How one scenario ended.
struct Finished {
    feature: String,
    scenario: String,
    failure: Option<String>,
}

static FINISHED: Mutex<Vec<Finished>> = Mutex::new(Vec::new());

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = std::time::Instant::now();
    let Some(dir) = prerequisites::compat_suite() else {
        return;
    };
    let features = dir.join("features");
    support::set_suite_dir(dir.clone());
    let filter = std::env::var("PACTUM_COMPAT_FILTER").ok();

    let features_root = features.clone();
    CompatWorld::cucumber()
        .with_default_cli()
        .max_concurrent_scenarios(4)
        .after(move |feature, _rule, scenario, finished, _world| {
            let feature = feature_name(&features_root, feature.path.as_deref());
            let failure = match finished {
                ScenarioFinished::StepPassed => None,
                ScenarioFinished::StepSkipped => {
                    Some("a step has no definition (skipped)".to_string())
                }
                ScenarioFinished::StepFailed(_, _, error) => Some(error.to_string()),
                ScenarioFinished::BeforeHookFailed(_) => Some("the before hook failed".into()),
            };
            FINISHED.lock().unwrap().push(Finished {
                feature,
                scenario: scenario.name.clone(),
                failure,
            });
            Box::pin(async {})
        })
        .filter_run(&features, move |feature, _rule, scenario| {
            filter.as_ref().is_none_or(|f| {
                scenario.name.contains(f.as_str())
                    || feature
                        .path
                        .as_ref()
                        .is_some_and(|p| p.to_string_lossy().contains(f.as_str()))
            })
        })
        .await;

    let finished = std::mem::take(&mut *FINISHED.lock().unwrap());
    let verdict = judge(&finished, started.elapsed());
    std::process::exit(if verdict { 0 } else { 1 });
}

fn feature_name(root: &Path, path: Option<&Path>) -> String {
    let Some(path) = path else {
        return "<unknown>".into();
    };
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root)
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[derive(Default)]
struct Counts {
    passed: usize,
    deviations: usize,
    failed: usize,
}

/// Compares each scenario's outcome with the deviations list, prints the per-feature counts and
/// every unexpected outcome; true when there was none.
fn judge(finished: &[Finished], took: std::time::Duration) -> bool {
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut problems = Vec::new();
    for f in finished {
        let entry = counts.entry(&f.feature).or_default();
        let deviation = deviations::find(&f.feature, &f.scenario);
        match (&f.failure, deviation) {
            (None, None) => entry.passed += 1,
            (Some(failure), None) => {
                entry.failed += 1;
                problems.push(format!("FAILED {} / {}: {failure}", f.feature, f.scenario));
            }
            (Some(failure), Some(d)) if failure.contains(d.fails_with) => entry.deviations += 1,
            (Some(failure), Some(d)) => {
                entry.failed += 1;
                problems.push(format!(
                    "FAILED {} / {}: listed as a deviation ({}) failing with {:?}, but it failed otherwise: {failure}",
                    f.feature, f.scenario, d.reason, d.fails_with
                ));
            }
            (None, Some(d)) => {
                entry.failed += 1;
                problems.push(format!(
                    "PASSED UNEXPECTEDLY {} / {}: listed as a deviation ({}); remove it from tests/compatibility/deviations.rs",
                    f.feature, f.scenario, d.reason
                ));
            }
        }
    }
    let ran_all = finished.len() >= 190 && std::env::var_os("PACTUM_COMPAT_FILTER").is_none();
    if ran_all {
        for d in deviations::DEVIATIONS {
            if !finished
                .iter()
                .any(|f| f.feature == d.feature && f.scenario == d.scenario)
            {
                problems.push(format!(
                    "UNKNOWN DEVIATION {} / {}: no such scenario ran",
                    d.feature, d.scenario
                ));
            }
        }
    }
    if ran_all {
        for unused in matching::unused_wording() {
            problems.push(format!(
                "UNUSED WORDING {unused:?}: no step looked it up; remove it from tests/compatibility/matching.rs"
            ));
        }
    }
    println!("\nPact compatibility suite, per feature (passed / deviations / failed):");
    let mut total = Counts::default();
    for (feature, c) in &counts {
        println!(
            "  {feature:<45} {:>3} / {:>3} / {:>3}",
            c.passed, c.deviations, c.failed
        );
        total.passed += c.passed;
        total.deviations += c.deviations;
        total.failed += c.failed;
    }
    for problem in &problems {
        println!("{problem}");
    }
    println!(
        "{} scenarios: {} passed, {} listed deviations failed as expected, {} unexpected",
        finished.len(),
        total.passed,
        total.deviations,
        problems.len()
    );
    // The closing line in libtest's form, so that scripts/test and CI count the scenarios:
    // listed deviations are reported as ignored (not held to the suite), anything unexpected
    // as failed.
    println!(
        "test result: {}. {} passed; {} failed; {} ignored; 0 measured; 0 filtered out; finished in {:.2}s",
        if problems.is_empty() { "ok" } else { "FAILED" },
        total.passed,
        problems.len(),
        total.deviations,
        took.as_secs_f64()
    );
    problems.is_empty()
}
