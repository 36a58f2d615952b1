//! Shared inputs for the JSON response-matching benchmarks.
//!
//! Two benchmark programs read these inputs: pactum's own bench
//! (`benches/matching.rs`) and the peer bench in `benches/peer/`, which runs
//! the reference implementation (`pact_matching::match_response`). The inputs
//! are kept in this one file so both programs match exactly the same bytes
//! against exactly the same contract. Otherwise the two timings could not be
//! compared. This file depends only on `std` and `serde_json` so that both
//! crates can include it with `#[path = ...] mod common;`.
//!
//! Each [`Case`] is one pact *response* as it would appear in a V3 pact file
//! (`status`, `headers`, `body` example, `matchingRules`), plus an actual
//! response body. Every rule in the pact is satisfied by that body, but the
//! values differ from the example. A correct matcher therefore reports zero
//! mismatches, and both benches assert this before they start timing.
//!
//! The cases:
//! * `small`: an order object with six top-level fields (one per rule kind:
//!   integer, type, decimal, regex, datetime, null) and an `items` array of
//!   two elements. The actual body is 493 bytes.
//! * `1k`: `{"items": [...]}` with 1,000 elements. The actual body is about
//!   175 KB (175,483 bytes).
//! * `10k`: the same shape with 10,000 elements. The actual body is about
//!   1.76 MB (1,763,668 bytes).
//!
//! In every case the expected example has ONE element in `items`. The array
//! is matched by `type` with `min: 1`, and each element field has its own
//! rule (see [`item_rules`]).
//!
//! The actual values come from a small fixed-seed LCG, so the data is the
//! same on every run and on every machine.
//!
//! The file also provides [`PeakAlloc`], a global allocator wrapper that
//! tracks current and peak heap use, so each bench can report the peak heap
//! of a single match.

#![allow(dead_code)]

use serde_json::{Map, Value, json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One benchmark input: a V3 pact response and the actual body to match
/// against it.
pub struct Case {
    /// Case name used as the benchmark id: `small`, `1k` or `10k`.
    pub name: &'static str,
    /// The expected response, exactly as it would appear in a V3 pact file:
    /// `{"status", "headers", "body", "matchingRules": {"body": {...}}}`.
    pub expected: Value,
    /// The actual response body: compact JSON that satisfies every rule.
    pub actual_body: Vec<u8>,
}

/// Regex that every `sku` must match.
pub const SKU_REGEX: &str = r"^[A-Z]{3}-\d{4}$";
/// Regex that the small case's top-level `reference` must match.
pub const REFERENCE_REGEX: &str = r"^ORD-\d{6}$";
/// Datetime format (Java `DateTimeFormatter` style, as in pact files).
pub const DATETIME_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss";
/// Status the actual response must have.
pub const STATUS: u16 = 200;
/// Content type of the expected and the actual response.
pub const CONTENT_TYPE: &str = "application/json";

/// The three benchmark cases, in order `small`, `1k`, `10k`.
pub fn cases() -> Vec<Case> {
    vec![
        small_case(),
        items_case("1k", 1_000),
        items_case("10k", 10_000),
    ]
}

/// Fixed-seed linear congruential generator (Knuth's MMIX constants).
/// Deterministic on every platform.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform-ish value in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The one example element of the expected `items` array.
fn example_item() -> Value {
    json!({
        "id": 1,
        "name": "Example item",
        "price": 9.99,
        "sku": "XYZ-0001",
        "updatedAt": "2000-01-01T00:00:00",
        "discontinuedAt": null,
        "dimensions": {"width": 1, "height": 1},
        "tags": ["example"]
    })
}

/// Decimal number with a non-zero fractional part, so that it is a JSON
/// float (for example `12.34`, never `12` or `12.0`).
fn price(rng: &mut Lcg) -> f64 {
    let mut cents = 101 + rng.below(99_800);
    if cents.is_multiple_of(100) {
        cents += 1;
    }
    cents as f64 / 100.0
}

fn timestamp(rng: &mut Lcg) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn sku(rng: &mut Lcg) -> String {
    let mut s = String::with_capacity(8);
    for _ in 0..3 {
        s.push((b'A' + rng.below(26) as u8) as char);
    }
    s.push_str(&format!("-{:04}", rng.below(10_000)));
    s
}

/// One actual element. It satisfies every item rule, but its values differ
/// from [`example_item`].
fn actual_item(i: u64, rng: &mut Lcg) -> Value {
    let tag_count = 1 + rng.below(2);
    let tags: Vec<Value> = (0..tag_count)
        .map(|_| Value::String(format!("t{}", rng.below(50))))
        .collect();
    json!({
        "id": 10_000 + i,
        "name": format!("Item {i}"),
        "price": price(rng),
        "sku": sku(rng),
        "updatedAt": timestamp(rng),
        "discontinuedAt": null,
        "dimensions": {"width": 2 + rng.below(200), "height": 2 + rng.below(200)},
        "tags": tags
    })
}

fn rule(matcher: Value) -> Value {
    json!({"matchers": [matcher]})
}

/// Body matching rules for the `items` array and for every field of its
/// elements. `prefix` is the JSON path of the object that holds `items`
/// (always `$` here).
///
/// | path | rule |
/// | --- | --- |
/// | `$.items` | `{"match": "type", "min": 1}` |
/// | `$.items[*].id` | `{"match": "integer"}` |
/// | `$.items[*].name` | `{"match": "type"}` |
/// | `$.items[*].price` | `{"match": "decimal"}` |
/// | `$.items[*].sku` | `{"match": "regex", "regex": SKU_REGEX}` |
/// | `$.items[*].updatedAt` | `{"match": "datetime", "format": DATETIME_FORMAT}` |
/// | `$.items[*].discontinuedAt` | `{"match": "null"}` |
/// | `$.items[*].dimensions.width` | `{"match": "integer"}` |
/// | `$.items[*].dimensions.height` | `{"match": "integer"}` |
/// | `$.items[*].tags` | `{"match": "type", "min": 1}` |
pub fn item_rules(prefix: &str, rules: &mut Map<String, Value>) {
    let items = format!("{prefix}.items");
    let each = format!("{items}[*]");
    rules.insert(items, rule(json!({"match": "type", "min": 1})));
    let field_rules = [
        ("id", json!({"match": "integer"})),
        ("name", json!({"match": "type"})),
        ("price", json!({"match": "decimal"})),
        ("sku", json!({"match": "regex", "regex": SKU_REGEX})),
        (
            "updatedAt",
            json!({"match": "datetime", "format": DATETIME_FORMAT}),
        ),
        ("discontinuedAt", json!({"match": "null"})),
        ("dimensions.width", json!({"match": "integer"})),
        ("dimensions.height", json!({"match": "integer"})),
        ("tags", json!({"match": "type", "min": 1})),
    ];
    for (field, matcher) in field_rules {
        rules.insert(format!("{each}.{field}"), rule(matcher));
    }
}

/// Wraps an example body and its body rules into a V3 pact response object.
fn pact_response(body: Value, body_rules: Map<String, Value>) -> Value {
    json!({
        "status": STATUS,
        "headers": {"Content-Type": CONTENT_TYPE},
        "body": body,
        "matchingRules": {"body": Value::Object(body_rules)}
    })
}

fn items_case(name: &'static str, count: u64) -> Case {
    let mut rules = Map::new();
    item_rules("$", &mut rules);
    let expected = pact_response(json!({"items": [example_item()]}), rules);

    let mut rng = Lcg(0x5EED_0000 ^ count);
    let items: Vec<Value> = (0..count).map(|i| actual_item(i, &mut rng)).collect();
    let actual_body = serde_json::to_vec(&json!({"items": items})).expect("serialize body");
    Case {
        name,
        expected,
        actual_body,
    }
}

/// The whole-process case: an expected V4 response whose example body holds
/// `expected_count` elements with the [`item_rules`] on every element, and an actual V4
/// response with `count` other elements that satisfy them — the two files `pactum match
/// response --spec v4` and the peer's harness read.
pub fn whole_process_case(expected_count: u64, count: u64) -> (Value, Value) {
    let mut rules = Map::new();
    item_rules("$", &mut rules);
    let v4 = |items: Vec<Value>, rules: Option<Map<String, Value>>| {
        let mut response = json!({
            "status": STATUS,
            "headers": {"Content-Type": [CONTENT_TYPE]},
            "body": {"content": {"items": items}, "contentType": CONTENT_TYPE, "encoded": false},
        });
        if let Some(rules) = rules {
            response["matchingRules"] = json!({"body": rules});
        }
        response
    };
    let mut expected_rng = Lcg(0xE4_0000 ^ count);
    let mut actual_rng = Lcg(0xAC_0000 ^ count);
    let expected = (0..expected_count)
        .map(|i| actual_item(i, &mut expected_rng))
        .collect();
    let actual = (0..count)
        .map(|i| actual_item(i, &mut actual_rng))
        .collect();
    (v4(expected, Some(rules)), v4(actual, None))
}

/// The verifier benchmark's contract: a V4 pact of `n` HTTP interactions `GET /items/{i}`, each
/// response with the common matchers (integer, type, decimal, regex, datetime, type with min,
/// null).
pub fn verifier_contract(n: usize) -> Value {
    let interactions: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "type": "Synchronous/HTTP",
                "description": format!("a request for item {i}"),
                "request": {"method": "GET", "path": format!("/items/{i}"), "headers": {"Accept": ["application/json"]}},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"contentType": "application/json", "encoded": false, "content": {
                        "id": i, "name": "item", "price": 9.99, "sku": "ABC-0001",
                        "updatedAt": "2024-01-01T10:00:00", "tags": ["a"], "discontinuedAt": null}},
                    "matchingRules": {"body": {
                        "$.id": {"matchers": [{"match": "integer"}]},
                        "$.name": {"matchers": [{"match": "type"}]},
                        "$.price": {"matchers": [{"match": "decimal"}]},
                        "$.sku": {"matchers": [{"match": "regex", "regex": "[A-Z]{3}-\\d{4}"}]},
                        "$.updatedAt": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss"}]},
                        "$.tags": {"matchers": [{"match": "type", "min": 1}]},
                        "$.discontinuedAt": {"matchers": [{"match": "null"}]}
                    }}
                }
            })
        })
        .collect();
    json!({
        "consumer": {"name": "bench-consumer"}, "provider": {"name": "bench-provider"},
        "interactions": interactions, "metadata": {"pactSpecification": {"version": "4.0"}}
    })
}

/// An order: one top-level field per rule kind, plus a short `items` array.
///
/// Top-level rules, in addition to [`item_rules`]:
/// `$.orderId` integer, `$.customer` type, `$.total` decimal,
/// `$.reference` regex [`REFERENCE_REGEX`], `$.placedAt` datetime
/// [`DATETIME_FORMAT`], `$.cancelledAt` null.
fn small_case() -> Case {
    let mut rules = Map::new();
    rules.insert("$.orderId".into(), rule(json!({"match": "integer"})));
    rules.insert("$.customer".into(), rule(json!({"match": "type"})));
    rules.insert("$.total".into(), rule(json!({"match": "decimal"})));
    rules.insert(
        "$.reference".into(),
        rule(json!({"match": "regex", "regex": REFERENCE_REGEX})),
    );
    rules.insert(
        "$.placedAt".into(),
        rule(json!({"match": "datetime", "format": DATETIME_FORMAT})),
    );
    rules.insert("$.cancelledAt".into(), rule(json!({"match": "null"})));
    item_rules("$", &mut rules);

    let example = json!({
        "orderId": 1,
        "customer": "Example Customer",
        "total": 9.99,
        "reference": "ORD-000001",
        "placedAt": "2000-01-01T00:00:00",
        "cancelledAt": null,
        "items": [example_item()]
    });
    let expected = pact_response(example, rules);

    let mut rng = Lcg(0x5EED_0001);
    let items: Vec<Value> = (0..2).map(|i| actual_item(i, &mut rng)).collect();
    let actual = json!({
        "orderId": 48_213,
        "customer": "Jane Q. Public",
        "total": 149.97,
        "reference": "ORD-482130",
        "placedAt": timestamp(&mut rng),
        "cancelledAt": null,
        "items": items
    });
    let actual_body = serde_json::to_vec(&actual).expect("serialize body");
    Case {
        name: "small",
        expected,
        actual_body,
    }
}

// ---------------------------------------------------------------------------
// Peak heap measurement.

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static BASELINE: AtomicUsize = AtomicUsize::new(0);

/// Global allocator over [`System`] that counts the bytes currently allocated
/// and the highest count seen. A bench crate installs it with
/// `#[global_allocator] static ALLOC: common::PeakAlloc = common::PeakAlloc;`.
pub struct PeakAlloc;

#[inline]
fn add(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[inline]
fn sub(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call goes to `System` with the caller's arguments unchanged.
// Only the counters are added.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        sub(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            let old = layout.size();
            if new_size > old {
                add(new_size - old);
            } else {
                sub(old - new_size);
            }
        }
        p
    }
}

/// Starts a new peak measurement. The current heap use becomes both the
/// baseline and the peak, so inputs that were already built are left out of
/// the next [`peak_bytes`].
pub fn reset_peak() {
    let now = CURRENT.load(Ordering::Relaxed);
    BASELINE.store(now, Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
}

/// Highest heap use since the last [`reset_peak`], minus the heap use at that
/// reset. In other words, the extra peak memory of the code that ran in
/// between.
pub fn peak_bytes() -> usize {
    PEAK.load(Ordering::Relaxed)
        .saturating_sub(BASELINE.load(Ordering::Relaxed))
}

/// Bytes currently allocated through [`PeakAlloc`].
pub fn current_bytes() -> usize {
    CURRENT.load(Ordering::Relaxed)
}
