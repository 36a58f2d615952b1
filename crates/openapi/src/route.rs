//! Finding the operation a request is for: a tree of path segments, literal segments before
//! templated ones (`/items/new` beats `/items/{id}`), parameters anywhere inside a segment
//! (`/files/{name}.{ext}`), case-sensitive, trailing slash significant — as PactFlow's router.
//! A lookup costs one step per segment whatever the number of operations.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Param(String),
}

#[derive(Debug, Default)]
struct Node {
    literal: HashMap<String, Node>,
    templated: Vec<(Vec<Part>, Node)>,
    /// Method (upper case) → operation index.
    operations: HashMap<String, usize>,
}

/// The router over a document's operations.
#[derive(Debug, Default)]
pub struct Router {
    root: Node,
}

impl Router {
    /// Builds the router over operations given as (method, path template), indexed in that
    /// order; `base_path` (no trailing slash) prefixes every template.
    pub fn new<'a>(
        operations: impl IntoIterator<Item = (&'a str, &'a str)>,
        base_path: &str,
    ) -> Self {
        let mut root = Node::default();
        for (index, (method, path)) in operations.into_iter().enumerate() {
            let template = format!("{base_path}{path}");
            let mut node = &mut root;
            for segment in split(&template) {
                let parts = parse_segment(segment);
                node = match parts.as_slice() {
                    [] => node.literal.entry(String::new()).or_default(),
                    [Part::Literal(text)] => node.literal.entry(text.clone()).or_default(),
                    _ => {
                        let position = node.templated.iter().position(|(p, _)| *p == parts);
                        let position = match position {
                            Some(p) => p,
                            None => {
                                node.templated.push((parts, Node::default()));
                                node.templated.len() - 1
                            }
                        };
                        &mut node.templated[position].1
                    }
                };
            }
            node.operations
                .entry(method.to_ascii_uppercase())
                .or_insert(index);
        }
        Router { root }
    }

    /// The operation index for a method and path, with the path parameters (decoded).
    pub fn find(&self, method: &str, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let segments: Vec<&str> = split(&path).collect();
        let method = method.to_ascii_uppercase();
        let mut params = Vec::new();
        let found = walk(&self.root, &segments, &method, &mut params)?;
        Some((found, params))
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

fn parse_segment(segment: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(start) => {
                let Some(end) = rest[start..].find('}') else {
                    parts.push(Part::Literal(rest.to_string()));
                    break;
                };
                if start > 0 {
                    parts.push(Part::Literal(rest[..start].to_string()));
                }
                // `{name*}` (explode) and `{.name}`/`{;name}` (label, matrix) name the same parameter.
                let name = rest[start + 1..start + end]
                    .trim_start_matches(['.', ';'])
                    .trim_end_matches('*');
                parts.push(Part::Param(name.to_string()));
                rest = &rest[start + end + 1..];
            }
            None => {
                parts.push(Part::Literal(rest.to_string()));
                break;
            }
        }
    }
    parts
}

fn walk(
    node: &Node,
    segments: &[&str],
    method: &str,
    params: &mut Vec<(String, String)>,
) -> Option<usize> {
    let Some((first, rest)) = segments.split_first() else {
        return node.operations.get(method).copied();
    };
    if let Some(child) = node.literal.get(*first)
        && let Some(found) = walk(child, rest, method, params)
    {
        return Some(found);
    }
    for (parts, child) in &node.templated {
        let mark = params.len();
        if match_segment(parts, first, params)
            && let Some(found) = walk(child, rest, method, params)
        {
            return Some(found);
        }
        params.truncate(mark);
    }
    None
}

/// Matches one segment against literal and parameter parts; each parameter takes at least one
/// character, as little as lets the rest match.
fn match_segment(parts: &[Part], text: &str, params: &mut Vec<(String, String)>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Literal(literal), rest)) => {
            text.starts_with(literal.as_str())
                && match_segment(rest, &text[literal.len()..], params)
        }
        Some((Part::Param(name), rest)) => {
            let boundaries: Vec<usize> =
                text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
            for end in boundaries {
                let mark = params.len();
                params.push((name.clone(), decode(&text[..end])));
                if match_segment(rest, &text[end..], params) {
                    return true;
                }
                params.truncate(mark);
            }
            false
        }
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_beats_template_and_parameters_are_captured() {
        let ops = vec![
            ("get", "/items/{id}"),
            ("get", "/items/new"),
            ("post", "/items"),
            ("get", "/files/{name}.{ext}"),
            ("get", "/"),
        ];
        let router = Router::new(ops, "");
        assert_eq!(router.find("GET", "/items/new"), Some((1, vec![])));
        assert_eq!(
            router.find("get", "/items/12"),
            Some((0, vec![("id".into(), "12".into())]))
        );
        assert_eq!(router.find("POST", "/items"), Some((2, vec![])));
        assert_eq!(router.find("DELETE", "/items"), None);
        assert_eq!(router.find("GET", "/items/"), None);
        assert_eq!(router.find("GET", "/Items/new"), None);
        assert_eq!(
            router.find("GET", "/files/report.tar.gz"),
            Some((
                3,
                vec![
                    ("name".into(), "report".into()),
                    ("ext".into(), "tar.gz".into())
                ]
            ))
        );
        assert_eq!(router.find("GET", "/"), Some((4, vec![])));
        assert_eq!(
            router.find("GET", "/items/a%20b"),
            Some((0, vec![("id".into(), "a b".into())]))
        );
    }

    #[test]
    fn base_path_prefixes_templates() {
        let router = Router::new([("get", "/items")], "/api/v1");
        assert_eq!(router.find("GET", "/api/v1/items"), Some((0, vec![])));
        assert_eq!(router.find("GET", "/items"), None);
    }
}
