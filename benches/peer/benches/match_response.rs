//! Times the reference implementation, `pact_matching::match_response`
//! (pact_matching 2.1.0), on the inputs from `benches/common/mod.rs`. These
//! are the same inputs that pactum's own bench (`benches/matching.rs`) uses.
//!
//! For each case the bench:
//! 1. checks that the match reports no mismatches; any mismatch would mean
//!    the inputs are wrong and the comparison worthless, so it panics;
//! 2. measures the peak heap of one match and prints
//!    `peak-heap pact_matching <case> <bytes>`;
//! 3. times the match in the criterion group `pact_matching/match_response`.

#[path = "../../common/mod.rs"]
mod common;

use std::hint::black_box;
use std::panic::RefUnwindSafe;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use pact_matching::Mismatch;
use pact_models::PactSpecification;
use pact_models::bodies::OptionalBody;
use pact_models::content_types::ContentType;
use pact_models::interaction::Interaction;
use pact_models::pact::Pact;
use pact_models::response::Response;
use pact_models::sync_interaction::RequestResponseInteraction;
use pact_models::sync_pact::RequestResponsePact;
use pact_models::v4::http_parts::HttpResponse;
use tokio::runtime::Runtime;

#[global_allocator]
static ALLOC: common::PeakAlloc = common::PeakAlloc;

type BoxedPact = Box<dyn Pact + Send + Sync + RefUnwindSafe>;
type BoxedInteraction = Box<dyn Interaction + Send + Sync + RefUnwindSafe>;

/// Everything one `match_response` call needs, built once per case.
struct Prepared {
    name: &'static str,
    body_len: usize,
    expected: HttpResponse,
    actual: HttpResponse,
    pact: BoxedPact,
    interaction: BoxedInteraction,
}

fn prepare(case: &common::Case) -> Prepared {
    // The expected side is parsed the way a V3 pact file would be.
    let expected = Response::from_json(&case.expected, &PactSpecification::V3)
        .unwrap_or_else(|e| panic!("case {}: bad expected response: {e}", case.name))
        .as_v4_response();

    let mut headers = std::collections::HashMap::new();
    headers.insert("Content-Type".to_string(), vec![common::CONTENT_TYPE.to_string()]);
    let actual = HttpResponse {
        status: common::STATUS,
        headers: Some(headers),
        body: OptionalBody::Present(
            Bytes::from(case.actual_body.clone()),
            Some(ContentType::from(common::CONTENT_TYPE)),
            None,
        ),
        ..HttpResponse::default()
    };

    // match_response only reads the pact and interaction for plugin
    // configuration (plugins are switched off here) and for the optional V2
    // engine, so empty ones are enough.
    let pact: BoxedPact = Box::new(RequestResponsePact::default());
    let interaction: BoxedInteraction = Box::new(RequestResponseInteraction::default());

    Prepared {
        name: case.name,
        body_len: case.actual_body.len(),
        expected,
        actual,
        pact,
        interaction,
    }
}

/// One match. The expected and actual responses are passed by value, as
/// `match_response` takes them.
fn run_match(
    rt: &Runtime,
    p: &Prepared,
    expected: HttpResponse,
    actual: HttpResponse,
) -> Vec<Mismatch> {
    rt.block_on(pact_matching::match_response(expected, actual, &p.pact, &p.interaction))
        .unwrap_or_else(|e| panic!("case {}: match_response failed: {e}", p.name))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let prepared: Vec<Prepared> = common::cases().iter().map(prepare).collect();

    for p in &prepared {
        // Correctness gate: the inputs are built to match. This first call
        // also warms any lazily initialised state before the heap is measured.
        let mismatches = run_match(&rt, p, p.expected.clone(), p.actual.clone());
        if !mismatches.is_empty() {
            eprintln!("case {}: {} mismatch(es):", p.name, mismatches.len());
            for m in &mismatches {
                eprintln!("  {m:?}");
            }
            panic!("case {}: pact_matching reported mismatches on matching inputs", p.name);
        }

        // Peak heap of one match. The clones are made before the reset, so
        // only what match_response allocates itself is counted.
        let (expected, actual) = (p.expected.clone(), p.actual.clone());
        common::reset_peak();
        let mismatches = run_match(&rt, p, expected, actual);
        let peak = common::peak_bytes();
        drop(mismatches);
        println!("peak-heap pact_matching {} {}", p.name, peak);
    }

    let mut group = c.benchmark_group("pact_matching/match_response");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.body_len as u64));
        if p.name == "1k" {
            // About 70 ms per match: 100 samples need more than the default 5 s.
            group.measurement_time(Duration::from_secs(8));
        }
        if p.name == "10k" {
            // About 0.65 s per match: few samples, one iteration each.
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(10));
        }
        group.bench_function(p.name, |b| {
            b.iter_batched(
                || (p.expected.clone(), p.actual.clone()),
                |(expected, actual)| black_box(run_match(&rt, p, expected, actual)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
