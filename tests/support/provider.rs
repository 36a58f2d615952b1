//! A small real provider for verifier and interoperability tests: an axum app on 127.0.0.1 (or called in process)
//! serving the catalogue API of `contracts/web-shop-catalogue.json`, a provider-state endpoint
//! and a message endpoint. `Breakage` makes it wrong in one specific way.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{ServedRouter, serve_router};

/// One way for the provider to break the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    None,
    /// `id` becomes a string.
    ChangedType,
    /// `price` is left out.
    MissingField,
    /// Product 10 answers 500.
    WrongStatus,
    /// `Content-Type: text/plain`.
    WrongHeader,
    /// The message's `topic` metadata is wrong.
    WrongMetadata,
}

/// The provider's state, shared with the test.
#[derive(Clone)]
pub struct App {
    pub breakage: Breakage,
    /// `(state, action)` of every state-change call, in order.
    pub state_calls: Arc<Mutex<Vec<(String, String)>>>,
}

/// The provider as an axum app (for in-process verification), with its state.
pub fn router(breakage: Breakage) -> (axum::Router, App) {
    let app = App {
        breakage,
        state_calls: Arc::new(Mutex::new(Vec::new())),
    };
    let router = axum::Router::new()
        .route("/products/{id}", get(product))
        .route("/items/{id}", get(item))
        .route("/users/{id}", get(user))
        .route("/orders", get(orders).post(create_order))
        .route("/_pact/state", post(state_change))
        .route("/_pact/message", post(message))
        .with_state(app.clone());
    (router, app)
}

async fn product(State(app): State<App>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    if id != 10 {
        return StatusCode::NOT_FOUND.into_response();
    }
    if app.breakage == Breakage::WrongStatus {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !accept.contains("json") {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    }
    let body = json!({
        "id": 10,
        "name": "Widget deluxe",
        "price": 12.75,
        "sku": "WDG-0010",
        "tags": ["hardware", "sale"],
        "updatedAt": "2025-01-02T03:04:05",
        "self": "http://catalogue.internal/products/10",
    });
    broken_json(app.breakage, body, "price")
}

/// The users API of the pact-js contracts (`tests/interop/pact-js-provider-contracts.cjs`).
async fn user(State(app): State<App>, Path(id): Path<i64>) -> Response {
    if id != 1 {
        return StatusCode::NOT_FOUND.into_response();
    }
    if app.breakage == Breakage::WrongStatus {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let body = json!({"id": 1, "name": "Ann Smith", "email": "ann@example.com", "roles": ["admin", "dev"],
        "active": true, "created": "2025-03-04T05:06:07"});
    broken_json(app.breakage, body, "email")
}

/// The JSON `body` answered as `breakage` says: its `id` as a string, its field `droppable`
/// left out, or with the wrong content type.
fn broken_json(breakage: Breakage, mut body: Value, droppable: &str) -> Response {
    match breakage {
        Breakage::ChangedType => body["id"] = json!(body["id"].to_string()),
        Breakage::MissingField => {
            body.as_object_mut().unwrap().remove(droppable);
        }
        _ => {}
    }
    let content_type = if breakage == Breakage::WrongHeader {
        "text/plain"
    } else {
        "application/json"
    };
    ([("content-type", content_type)], body.to_string()).into_response()
}

async fn orders() -> Response {
    Json(json!({"orders": [{"id": 7, "total": 12.5, "status": "open"}, {"id": 9, "total": 3.25, "status": "closed"}]})).into_response()
}

async fn create_order(Json(body): Json<Value>) -> Response {
    if body["productId"].is_i64() && body["quantity"].is_i64() {
        (StatusCode::CREATED, Json(json!({"id": 8}))).into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            "productId and quantity must be integers",
        )
            .into_response()
    }
}

async fn item(Path(id): Path<String>) -> Response {
    Json(json!({"id": id, "status": "ready"})).into_response()
}

async fn state_change(State(app): State<App>, Json(body): Json<Value>) -> Response {
    let state = body["state"].as_str().unwrap_or("").to_string();
    let action = body["action"].as_str().unwrap_or("").to_string();
    app.state_calls
        .lock()
        .unwrap()
        .push((state.clone(), action));
    if state == "a broken state" {
        return (StatusCode::INTERNAL_SERVER_ERROR, "database unavailable").into_response();
    }
    Json(json!({"itemId": "item-42"})).into_response()
}

async fn message(State(app): State<App>, Json(body): Json<Value>) -> Response {
    let description = body["description"].as_str().unwrap_or("");
    let (contents, metadata) = match description {
        "an order was placed" => (
            json!({"orderId": 77, "total": 99.5, "placedAt": "2025-06-01T12:00:00Z"}),
            json!({"contentType": "application/json", "topic": if app.breakage == Breakage::WrongMetadata { "payments" } else { "orders.placed" }}),
        ),
        _ => return (StatusCode::NOT_FOUND, format!("no message '{description}'")).into_response(),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(metadata.to_string());
    (
        [
            ("content-type", "application/json"),
            ("pact-message-metadata", encoded.as_str()),
        ],
        contents.to_string(),
    )
        .into_response()
}

/// The provider serving on 127.0.0.1; stopped when dropped.
pub struct Running {
    pub url: String,
    pub app: App,
    _server: ServedRouter,
}

/// Starts the provider, broken in the way `breakage` says.
pub fn start(breakage: Breakage) -> Running {
    let (router, app) = router(breakage);
    let server = serve_router(router);
    Running {
        url: server.url.clone(),
        app,
        _server: server,
    }
}
