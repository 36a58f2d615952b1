//! Locations in a document or a contract, written the way PactFlow's comparator writes them:
//! `[root].paths./items/{id}.get.responses.200` and `[root].interactions[3].response.body.name`
//! (member names as they are, dots between, array indexes in brackets). One format for both
//! sides keeps reports and the comparator's results comparable.

use std::fmt;

/// A location being built while walking a tree.
#[derive(Debug, Clone, Default)]
pub struct DocPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

impl DocPath {
    /// The document root, `[root]`.
    pub fn root() -> Self {
        DocPath::default()
    }

    /// Steps into a member.
    pub fn push(&mut self, key: &str) {
        self.segments.push(Segment::Key(key.to_string()));
    }

    /// Steps into an array element.
    pub fn push_index(&mut self, index: usize) {
        self.segments.push(Segment::Index(index));
    }

    /// Steps back out.
    pub fn pop(&mut self) {
        self.segments.pop();
    }
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[root]")?;
        for segment in &self.segments {
            match segment {
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Turns an internal reference (`#/components/schemas/Pet`) into a location
/// (`[root].components.schemas.Pet`).
pub fn pointer_to_location(reference: &str) -> String {
    let pointer = reference.trim_start_matches('#');
    let mut out = String::from("[root]");
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let token = percent_encoding::percent_decode_str(&token)
            .decode_utf8_lossy()
            .into_owned();
        out.push('.');
        out.push_str(&token);
    }
    out
}

/// Appends a JSON pointer reported by the schema validator (`/items/0/name`) to a location
/// (`…body` → `…body.items[0].name`): numeric tokens under arrays become indexes.
pub fn append_instance_path(base: &str, pointer: &str, instance: &serde_json::Value) -> String {
    let mut out = base.to_string();
    let mut node = Some(instance);
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        match node {
            Some(serde_json::Value::Array(items)) => {
                let index = token.parse::<usize>().ok();
                out.push('[');
                out.push_str(&token);
                out.push(']');
                node = index.and_then(|i| items.get(i));
            }
            Some(serde_json::Value::Object(object)) => {
                out.push('.');
                out.push_str(&token);
                node = object.get(&token);
            }
            _ => {
                out.push('.');
                out.push_str(&token);
                node = None;
            }
        }
    }
    out
}

/// Appends a schema path reported by the validator (`/properties/name/type`) to a location.
pub fn append_schema_path(base: &str, pointer: &str) -> String {
    let mut out = base.to_string();
    for token in pointer.split('/').skip(1) {
        out.push('.');
        out.push_str(&token.replace("~1", "/").replace("~0", "~"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats() {
        let mut p = DocPath::root();
        p.push("paths");
        p.push("/items/{id}");
        p.push("parameters");
        p.push_index(0);
        assert_eq!(p.to_string(), "[root].paths./items/{id}.parameters[0]");
        assert_eq!(
            pointer_to_location("#/paths/~1items~1%7Bid%7D/get"),
            "[root].paths./items/{id}.get"
        );
        let body = json!({"items": [{"name": 1}]});
        assert_eq!(
            append_instance_path(
                "[root].interactions[0].response.body",
                "/items/0/name",
                &body
            ),
            "[root].interactions[0].response.body.items[0].name"
        );
    }
}
