//! Rack-style nested query strings, as the Pact clients send them to `/matrix` and the GET form
//! of pacts-for-verification: `q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&latest=true`.
//!
//! `name[]` appends to an array, `name[key]` nests an object, and `name[][key]` builds an array
//! of objects where a new object starts when the last one already has `key` — the rule that
//! turns the flat list above into two selectors.

use serde_json::{Map, Value};

/// Parses a query string (without `?`) into a JSON object of strings, arrays and objects.
/// Malformed pairs are kept as literal keys rather than rejected: validation of the result
/// says what is missing.
pub fn parse_nested(query: &str) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (head, path) = split_key(&key);
        insert(&mut root, &head, &path, Value::String(value.into_owned()));
    }
    root
}

/// Nesting deeper than this is kept as a literal key: no client sends more than two levels,
/// and unbounded depth would let one URL exhaust the stack.
const MAX_DEPTH: usize = 8;

/// `a[][b][c]` → (`a`, [``, `b`, `c`]).
fn split_key(key: &str) -> (String, Vec<String>) {
    let Some(open) = key.find('[') else {
        return (key.to_owned(), Vec::new());
    };
    let head = key[..open].to_owned();
    let mut path = Vec::new();
    let mut rest = &key[open..];
    while let Some(stripped) = rest.strip_prefix('[') {
        match stripped.find(']') {
            Some(close) => {
                path.push(stripped[..close].to_owned());
                rest = &stripped[close + 1..];
            }
            None => return (key.to_owned(), Vec::new()),
        }
    }
    if !rest.is_empty() || path.len() > MAX_DEPTH {
        return (key.to_owned(), Vec::new());
    }
    (head, path)
}

fn insert(target: &mut Value, key: &str, path: &[String], value: Value) {
    let Value::Object(map) = target else { return };
    match path.split_first() {
        None => {
            map.insert(key.to_owned(), value);
        }
        Some((first, rest)) if first.is_empty() => {
            let slot = map
                .entry(key.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Value::Array(items) = slot else {
                unreachable!()
            };
            match rest.split_first() {
                None => items.push(value),
                Some((child, grandchildren)) => {
                    // Reuse the last object unless it already has this key.
                    let reuse = items
                        .last()
                        .and_then(Value::as_object)
                        .is_some_and(|last| !has_path(last, child, grandchildren));
                    if !reuse {
                        items.push(Value::Object(Map::new()));
                    }
                    let last = items.last_mut().expect("just ensured");
                    insert(last, child, grandchildren, value);
                }
            }
        }
        Some((first, rest)) => {
            let slot = map
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            insert(slot, first, rest, value);
        }
    }
}

fn has_path(object: &Map<String, Value>, key: &str, rest: &[String]) -> bool {
    match (object.get(key), rest.split_first()) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(Value::Object(child)), Some((next, more))) if !next.is_empty() => {
            has_path(child, next, more)
        }
        (Some(_), Some(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_of_objects_start_a_new_object_when_a_key_repeats() {
        let parsed = parse_nested(
            "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][latest]=true&latestby=cvpv&environment=prod",
        );
        assert_eq!(
            parsed,
            json!({
                "q": [{"pacticipant": "Foo", "version": "1.2.3"}, {"pacticipant": "Bar", "latest": "true"}],
                "latestby": "cvpv",
                "environment": "prod"
            })
        );
    }

    #[test]
    fn encoded_brackets_plain_arrays_and_nested_objects() {
        let parsed =
            parse_nested("ignore%5B%5D%5Bpacticipant%5D=A&tags[]=x&tags[]=y&a[b][c]=d&plain=v%2Fw");
        assert_eq!(
            parsed,
            json!({"ignore": [{"pacticipant": "A"}], "tags": ["x", "y"], "a": {"b": {"c": "d"}}, "plain": "v/w"})
        );
    }

    #[test]
    fn malformed_keys_are_kept_literally() {
        assert_eq!(parse_nested("a[b=1&c]=2"), json!({"a[b": "1", "c]": "2"}));
    }

    #[test]
    fn deep_nesting_is_kept_literally() {
        let key = format!("a{}", "[b]".repeat(50_000));
        let parsed = parse_nested(&format!("{key}=1&c[d]=2"));
        assert_eq!(parsed[&key], "1");
        assert_eq!(parsed["c"]["d"], "2");
    }
}
