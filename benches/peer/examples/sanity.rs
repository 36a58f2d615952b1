#[path = "../../common/mod.rs"]
mod common;
use pact_models::{PactSpecification, bodies::OptionalBody, content_types::ContentType, response::Response, v4::http_parts::HttpResponse};
use pact_models::{sync_pact::RequestResponsePact, sync_interaction::RequestResponseInteraction, pact::Pact, interaction::Interaction};
use std::panic::RefUnwindSafe;
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let pact: Box<dyn Pact + Send + Sync + RefUnwindSafe> = Box::new(RequestResponsePact::default());
    let inter: Box<dyn Interaction + Send + Sync + RefUnwindSafe> = Box::new(RequestResponseInteraction::default());
    for c in common::cases() {
        println!("{} body {} bytes, expected {}", c.name, c.actual_body.len(), serde_json::to_string(&c.expected).unwrap().len());
        if c.name == "small" { println!("{}", String::from_utf8_lossy(&c.actual_body)); println!("{}", serde_json::to_string_pretty(&c.expected).unwrap()); }
    }
    let c = &common::cases()[0];
    let exp = Response::from_json(&c.expected, &PactSpecification::V3).unwrap().as_v4_response();
    let base: serde_json::Value = serde_json::from_slice(&c.actual_body).unwrap();
    let muts: Vec<(&str, serde_json::Value)> = vec![
        ("/orderId", 1.5.into()), ("/total", 3.into()), ("/reference", "ORD-12".into()), ("/placedAt", "2024-01-01 10:00:00".into()),
        ("/cancelledAt", "x".into()), ("/items/1/id", "7".into()), ("/items/1/price", 4.into()), ("/items/1/sku", "ab-1234".into()),
        ("/items/1/updatedAt", "2024-13-01T00:00:00".into()), ("/items/1/discontinuedAt", 0.into()), ("/items/1/dimensions/width", 1.5.into()),
        ("/items/1/tags", serde_json::json!([])), ("/items/1/tags/0", 5.into()), ("/items/1/name", 5.into()), ("/items", serde_json::json!([])),
    ];
    for (ptr, v) in muts {
        let mut b = base.clone();
        *b.pointer_mut(ptr).unwrap() = v;
        let mut h = std::collections::HashMap::new();
        h.insert("Content-Type".to_string(), vec!["application/json".to_string()]);
        let act = HttpResponse { status: 200, headers: Some(h), body: OptionalBody::Present(serde_json::to_vec(&b).unwrap().into(), Some(ContentType::from("application/json")), None), ..HttpResponse::default() };
        let m = rt.block_on(pact_matching::match_response(exp.clone(), act, &pact, &inter)).unwrap();
        println!("{ptr}: {} mismatches {:?}", m.len(), m.iter().map(|m| m.description()).collect::<Vec<_>>());
    }
}
