//! Response matching speed on JSON bodies with the common rules (type with min, integer,
//! decimal, regex, datetime, null on every element): a small body, 1,000 and 10,000 elements.
//!
//! The inputs come from `benches/common`, shared with the peer bench in `benches/peer/` that
//! runs the reference implementation on the same bytes. Each timed iteration parses the actual
//! body from its bytes and matches it, as a verifier or mock server does per response.
//!
//! Run: `cargo bench --bench matching` (add `-- --quick` for a fast look).

#[path = "common/mod.rs"]
mod common;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pactum::contract::{Body, Response, SpecVersion};
use pactum::matching::match_response;

#[global_allocator]
static ALLOC: common::PeakAlloc = common::PeakAlloc;

fn actual_response(body: &[u8]) -> Response {
    let mut response = Response::default();
    response.headers.add("Content-Type", "application/json");
    response.body = Body::received(body);
    response
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("pactum/match_response");
    for case in common::cases() {
        let expected = Response::from_json(&case.expected, SpecVersion::V3, "$")
            .expect("bench contract loads");
        let mismatches = match_response(&expected, &actual_response(&case.actual_body));
        assert!(
            mismatches.is_empty(),
            "{}: the bench input must match: {mismatches:?}",
            case.name
        );

        // Peak heap of one match, not counting the input (as in the peer bench).
        let actual = actual_response(&case.actual_body);
        common::reset_peak();
        let result = match_response(&expected, &actual);
        drop(result);
        println!("peak-heap pactum {} {}", case.name, common::peak_bytes());

        group.throughput(Throughput::Bytes(case.actual_body.len() as u64));
        if case.name == "10k" {
            group.sample_size(20);
        }
        group.bench_with_input(
            BenchmarkId::from_parameter(case.name),
            &case.actual_body,
            // As in the peer bench, building the input response is not timed; parsing the
            // body is, because matching does it.
            |b, body| {
                b.iter_batched(
                    || actual_response(body),
                    |actual| match_response(&expected, &actual),
                    BatchSize::LargeInput,
                )
            },
        );
    }
    group.finish();
}

/// Loading a contract against its floor: a plain `serde_json::from_slice::<IgnoredAny>` of the
/// same bytes (parsing without building anything), and a `Value` tree (what loading a single
/// request or response builds before the model takes the parts it needs; a whole pact is read
/// one interaction's tree at a time).
fn load(c: &mut Criterion) {
    let (expected, _) = common::whole_process_case(10_000, 1);
    let cases = [
        (
            "expected response, 10,000 elements",
            serde_json::to_vec(&expected).unwrap(),
            false,
        ),
        (
            "pact, 1,000 interactions",
            serde_json::to_vec(&common::verifier_contract(1_000)).unwrap(),
            true,
        ),
    ];
    let mut group = c.benchmark_group("pactum/load");
    for (name, bytes, whole_pact) in &cases {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("floor: IgnoredAny", name),
            bytes,
            |b, bytes| b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(bytes).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("serde_json::Value", name),
            bytes,
            |b, bytes| b.iter(|| serde_json::from_slice::<serde_json::Value>(bytes).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("pactum", name), bytes, |b, bytes| {
            b.iter(|| {
                if *whole_pact {
                    // What `Pact::load` does with a file's bytes.
                    drop(pactum::contract::Pact::from_slice(bytes).unwrap());
                } else {
                    let value = pactum::contract::parse_json_bytes(bytes).unwrap();
                    drop(Response::from_value(value, SpecVersion::V4, "$").unwrap());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, load);
criterion_main!(benches);
