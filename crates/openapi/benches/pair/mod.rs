//! The benchmark pair of the cross-check: a generated OpenAPI 3.0 document of 500 operations
//! and a contract of 1,000 interactions spread over them (about one in ten carries an error).
//! Shared by `benches/cross_check.rs` and `examples/first_cross_check.rs`.

use serde_json::{Value, json};

pub const PATHS: usize = 250;
pub const INTERACTIONS: usize = 1000;

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "Money".into(),
        json!({"type": "object", "required": ["amount", "currency"], "properties": {
            "amount": {"type": "number", "minimum": 0}, "currency": {"type": "string", "enum": ["EUR", "USD", "NZD"]}}}),
    );
    schemas.insert(
        "Tag".into(),
        json!({"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}}),
    );
    for p in 0..PATHS {
        let name = format!("Resource{p}");
        schemas.insert(
            name.clone(),
            json!({"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string", "minLength": 1},
                "price": {"$ref": "#/components/schemas/Money"},
                "created": {"type": "string", "format": "date-time"},
                "active": {"type": "boolean"},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                "note": {"type": "string", "nullable": true},
                "rank": {"type": "integer", "minimum": 1, "maximum": 10}}}),
        );
        let reference = format!("#/components/schemas/{name}");
        paths.insert(
            format!("/resources{p}/{{id}}"),
            json!({
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {
                    "parameters": [{"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}],
                    "responses": {
                        "200": {"description": "found", "content": {"application/json": {"schema": {"$ref": reference}}}},
                        "404": {"description": "not found"}}},
                "put": {
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": reference}}}},
                    "responses": {"200": {"description": "updated", "content": {"application/json": {"schema": {"$ref": reference}}}}}}
            }),
        );
    }
    json!({"openapi": "3.0.3", "info": {"title": "bench", "version": "1"}, "paths": paths, "components": {"schemas": schemas}})
}

pub fn contract() -> Value {
    let interactions: Vec<Value> = (0..INTERACTIONS)
        .map(|i| {
            let p = (i * 7) % PATHS;
            let body = json!({"id": i, "name": format!("thing {i}"), "price": {"amount": 9.5, "currency": "EUR"},
                "created": "2024-05-06T07:08:09Z", "active": true, "tags": [{"name": "a", "children": [{"name": "b"}]}],
                "note": null, "rank": (i % 10) + 1});
            let mut response_body = body.clone();
            if i % 10 == 3 {
                response_body["unexpected"] = json!(true);
            }
            if i % 2 == 0 {
                json!({"description": format!("get {i}"),
                    "request": {"method": "GET", "path": format!("/resources{p}/{i}"), "query": {"fields": ["id,name"]}},
                    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": response_body}})
            } else {
                json!({"description": format!("put {i}"),
                    "request": {"method": "PUT", "path": format!("/resources{p}/{i}"), "headers": {"Content-Type": "application/json"}, "body": body},
                    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": response_body}})
            }
        })
        .collect();
    json!({"consumer": {"name": "bench-consumer"}, "provider": {"name": "bench-provider"},
        "interactions": interactions, "metadata": {"pactSpecification": {"version": "3.0.0"}}})
}
