//! A complete consumer contract test, ready to copy into a Rust project's tests.
//!
//! The consumer is a small client for a product catalogue. The test declares what the client
//! needs from the provider, runs the client against pactum's mock server, and — if every
//! declared interaction was exercised as declared — writes the contract
//! `contracts/web-shop-catalogue.json` for the provider to verify.
//!
//! Run it with `cargo run --example consumer`. In a real project the body of `main` is a
//! `#[test]` function, and the contract goes to `target/pacts/` (or `$PACTUM_PACT_DIR`).

use pactum::consumer::{
    PactBuilder, datetime, decimal, each_like, integer, like, mock_server_url, regex,
};
use pactum::pattern;
use serde_json::Value;

/// The consumer code under test: it only knows the provider by its base URL.
struct CatalogueClient {
    base_url: String,
    http: reqwest::blocking::Client,
}

#[derive(Debug, PartialEq)]
struct Product {
    id: i64,
    name: String,
    price: f64,
}

impl CatalogueClient {
    fn new(base_url: &str) -> Self {
        CatalogueClient {
            base_url: base_url.to_string(),
            http: reqwest::blocking::Client::new(),
        }
    }

    fn product(&self, id: i64) -> Result<Option<Product>, Box<dyn std::error::Error>> {
        let response = self
            .http
            .get(format!("{}/products/{id}", self.base_url))
            .header("Accept", "application/json")
            .send()?;
        if response.status() == 404 {
            return Ok(None);
        }
        let body: Value = response.error_for_status()?.json()?;
        Ok(Some(Product {
            id: body["id"].as_i64().ok_or("id is not an integer")?,
            name: body["name"]
                .as_str()
                .ok_or("name is not a string")?
                .to_string(),
            price: body["price"].as_f64().ok_or("price is not a number")?,
        }))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pact = PactBuilder::new("web-shop", "catalogue").output_dir("contracts");

    pact.interaction("a request for product 10", |i| {
        i.given_with("a product exists", serde_json::json!({"id": 10}))
            .with_request(|r| r.get("/products/10").header("Accept", "application/json"))
            .will_respond_with(|r| {
                r.status(200).json_body(pattern!({
                    "id": integer(10),
                    "name": like("Widget"),
                    "price": decimal(9.99),
                    "sku": regex(r"[A-Z]{3}-\d{4}", "WID-0001"),
                    "tags": each_like("hardware", 1),
                    "updatedAt": datetime("yyyy-MM-dd'T'HH:mm:ss", "2024-05-01T10:00:00"),
                    "self": mock_server_url(r".*(/products/\d+)$", "http://localhost:8080/products/10"),
                }))
            })
    })?;

    pact.interaction("a request for a product that does not exist", |i| {
        i.given("no product 99 exists")
            .with_request(|r| r.get("/products/99").header("Accept", "application/json"))
            .will_respond_with(|r| r.status(404))
    })?;

    let server = pact.start_mock_server()?;
    let client = CatalogueClient::new(server.url());

    let product = client.product(10)?.expect("product 10 exists");
    assert_eq!(product.id, 10);
    assert_eq!(product.name, "Widget");
    assert_eq!(client.product(99)?, None);

    let contract = server.finish()?;
    println!("contract written to {}", contract.display());
    Ok(())
}
