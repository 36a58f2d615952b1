//! The OpenAPI cross-check against PactFlow's `openapi-pact-comparator` on the same pair: a
//! generated OpenAPI 3.0 document of 500 operations (250 paths, `GET` and `PUT` on each, shared
//! component schemas with references, path and query parameters, bodies) and a contract of
//! 1,000 interactions spread over them (about one in ten carries an error).
//!
//! pactum is timed three ways: `cold` (load the document from bytes, then cross-check: what the
//! broker does for a new document), `first contract` (cross-check with a freshly loaded
//! document: every schema compiled on first use) and `warm` (the document's schemas already
//! compiled), plus `broker worker` (the stored contract's text read, then checked against a
//! document already loaded and compiled, as the broker's cross-check worker does for each
//! consumer contract of a provider contract it keeps loaded). The comparator's times come from `tests/openapi/comparator.cjs --time` (a new
//! `Comparator` per comparison, and a reused one), printed once when it is installed
//! (`scripts/install-openapi-comparator.sh`, `PACTUM_OPENAPI_COMPARATOR`).
//!
//! Run: `cargo bench -p pactum-openapi` (a bench of this crate alone: it builds only what the
//! cross-check needs).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use pactum_core::contract::Pact;
use pactum_openapi::Document;
use serde_json::{Value, json};

mod pair;

use pair::{INTERACTIONS, contract, document};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn comparator_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PACTUM_OPENAPI_COMPARATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".cache/openapi-comparator"));
    dir.join("node_modules/@pactflow/openapi-pact-comparator")
        .exists()
        .then_some(dir)
}

/// The comparator's mean milliseconds per comparison (new comparator, reused comparator).
fn comparator_times(dir: &Path, oas: &Value, pact: &Value, runs: usize) -> Option<(f64, f64)> {
    let script = workspace().join("tests/openapi/comparator.cjs");
    let mut child = Command::new("node")
        .arg(script)
        .arg(dir)
        .arg("--time")
        .arg(runs.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let input = json!([{"name": "bench", "oas": oas, "pact": pact}]);
    child
        .stdin
        .take()?
        .write_all(input.to_string().as_bytes())
        .ok()?;
    let output = child.wait_with_output().ok()?;
    let times: Value = serde_json::from_slice(&output.stdout).ok()?;
    Some((times["coldMs"].as_f64()?, times["warmMs"].as_f64()?))
}

fn bench(c: &mut Criterion) {
    let oas = document();
    let pact_json = contract();
    let bytes = serde_json::to_vec(&oas).unwrap();
    let pact = Pact::from_json(&pact_json).unwrap();
    let check = Document::from_bytes(&bytes).unwrap().cross_check(&pact);
    let errors = check.errors().count();
    assert!(errors > 0 && check.interactions_checked == INTERACTIONS);
    println!(
        "pair: {} operations, {INTERACTIONS} interactions, {errors} errors",
        Document::from_bytes(&bytes).unwrap().operations().len()
    );

    let mut group = c.benchmark_group("openapi cross-check 500 operations × 1000 interactions");
    group.sample_size(10);
    group.bench_function("pactum cold (load + check)", |b| {
        b.iter(|| Document::from_bytes(&bytes).unwrap().cross_check(&pact))
    });
    group.bench_function(
        "pactum first contract (check, schemas compiled on use)",
        |b| {
            b.iter_batched(
                || Document::from_bytes(&bytes).unwrap(),
                |document| document.cross_check(&pact),
                BatchSize::PerIteration,
            )
        },
    );
    let warm = Document::from_bytes(&bytes).unwrap();
    warm.cross_check(&pact);
    group.bench_function("pactum warm (schemas compiled)", |b| {
        b.iter(|| warm.cross_check(&pact))
    });
    // What the broker's cross-check worker does for each consumer contract once it holds the
    // document (it keeps recent ones loaded): read the stored contract text, then check.
    let pact_text = serde_json::to_vec(&pact_json).unwrap();
    group.bench_function(
        "pactum broker worker (contract text + check, document kept)",
        |b| b.iter(|| warm.cross_check(&Pact::from_slice(&pact_text).unwrap())),
    );
    group.finish();

    match comparator_dir() {
        Some(dir) => match comparator_times(&dir, &oas, &pact_json, 5) {
            Some((cold, warm)) => println!(
                "openapi-pact-comparator 2.3.1 on the same pair: {cold:.1} ms per comparison with a new Comparator, {warm:.1} ms reusing one"
            ),
            None => println!("openapi-pact-comparator: could not be run (is node on the PATH?)"),
        },
        None => println!(
            "openapi-pact-comparator not installed (scripts/install-openapi-comparator.sh): no comparison"
        ),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
