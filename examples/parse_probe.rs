#[path = "../benches/common/mod.rs"]
mod common;
use std::time::Instant;
fn main() {
    let cases = common::cases();
    let case = cases.iter().find(|c| c.name == "10k").unwrap();
    let expected = pactum::contract::Response::from_json(
        &case.expected,
        pactum::contract::SpecVersion::V3,
        "$",
    )
    .unwrap();
    let mut resp = pactum::contract::Response::default();
    resp.headers.add("Content-Type", "application/json");
    resp.body = pactum::contract::Body::received(&case.actual_body);
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(pactum::matching::match_response(&expected, &resp));
    }
    println!("match (incl. parse): {:?}", t.elapsed() / n);
}
