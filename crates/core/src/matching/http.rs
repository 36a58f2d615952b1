//! Matching the non-body parts of HTTP exchanges: method, path, query, headers and status.

use super::value::check_text_list;
use super::{Mismatch, MismatchKind};
use crate::contract::rules::{MatchingRules, RuleList};
use crate::contract::{Headers, Query};

fn mismatch(
    kind: MismatchKind,
    location: &str,
    expected: &str,
    actual: &str,
    rule: Option<String>,
    message: String,
) -> Mismatch {
    Mismatch {
        kind,
        location: location.to_string(),
        expected: Some(expected.to_string()),
        actual: Some(actual.to_string()),
        rule,
        message,
    }
}

fn apply_rules(
    kind: MismatchKind,
    location: &str,
    list: &RuleList,
    expected: &str,
    actual: &str,
    out: &mut Vec<Mismatch>,
) {
    for (message, rule) in check_text_list(list, expected, actual) {
        out.push(mismatch(
            kind,
            location,
            expected,
            actual,
            Some(rule),
            message,
        ));
    }
}

pub(crate) fn match_method(
    expected: &str,
    actual: &str,
    rules: &MatchingRules,
    out: &mut Vec<Mismatch>,
) {
    if let Some(list) = &rules.method {
        return apply_rules(MismatchKind::Method, "method", list, expected, actual, out);
    }
    if !expected.eq_ignore_ascii_case(actual) {
        out.push(mismatch(
            MismatchKind::Method,
            "method",
            expected,
            actual,
            None,
            format!(
                "expected method {} but got {}",
                expected.to_ascii_uppercase(),
                actual.to_ascii_uppercase()
            ),
        ));
    }
}

pub(crate) fn match_path(
    expected: &str,
    actual: &str,
    rules: &MatchingRules,
    out: &mut Vec<Mismatch>,
) {
    if let Some(list) = &rules.path {
        return apply_rules(MismatchKind::Path, "path", list, expected, actual, out);
    }
    if expected != actual {
        out.push(mismatch(
            MismatchKind::Path,
            "path",
            expected,
            actual,
            None,
            format!("expected path '{expected}' but got '{actual}'"),
        ));
    }
}

pub(crate) fn match_status(
    expected: u16,
    actual: u16,
    rules: &MatchingRules,
    out: &mut Vec<Mismatch>,
) {
    let (e, a) = (expected.to_string(), actual.to_string());
    if let Some(list) = &rules.status {
        return apply_rules(MismatchKind::Status, "status", list, &e, &a, out);
    }
    if expected != actual {
        out.push(mismatch(
            MismatchKind::Status,
            "status",
            &e,
            &a,
            None,
            format!("expected status {expected} but got {actual}"),
        ));
    }
}

/// Query parameters: every expected parameter must be present with matching values (in order);
/// a request must not carry parameters the contract does not mention.
pub(crate) fn match_query(
    expected: &Query,
    actual: &Query,
    rules: &MatchingRules,
    out: &mut Vec<Mismatch>,
) {
    for (name, expected_values) in expected {
        let location = format!("query parameter '{name}'");
        let Some(actual_values) = actual.get(name) else {
            out.push(mismatch(
                MismatchKind::Query,
                &location,
                &expected_values.join(", "),
                "<missing>",
                None,
                format!("expected query parameter '{name}' but it was missing"),
            ));
            continue;
        };
        match rules.query.get(name) {
            Some(list) => {
                let template = expected_values.first().map(String::as_str).unwrap_or("");
                for (i, a) in actual_values.iter().enumerate() {
                    let e = expected_values
                        .get(i)
                        .map(String::as_str)
                        .unwrap_or(template);
                    apply_rules(MismatchKind::Query, &location, list, e, a, out);
                }
                // A type rule with min/max constrains how many values there are.
                for rule in &list.rules {
                    if let crate::contract::MatchingRule::Type { min, max } = rule {
                        let n = actual_values.len();
                        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                            out.push(mismatch(
                                MismatchKind::Query,
                                &location,
                                &rule.to_string(),
                                &n.to_string(),
                                Some(rule.to_string()),
                                format!(
                                    "query parameter '{name}' has {n} value(s), which breaks {rule}"
                                ),
                            ));
                        }
                    }
                }
            }
            None => {
                if expected_values != actual_values {
                    out.push(mismatch(
                        MismatchKind::Query,
                        &location,
                        &expected_values.join(", "),
                        &actual_values.join(", "),
                        None,
                        format!(
                            "expected query parameter '{name}' to be [{}] but got [{}]",
                            quote_all(expected_values),
                            quote_all(actual_values)
                        ),
                    ));
                }
            }
        }
    }
    for (name, values) in actual {
        if !expected.contains_key(name) {
            out.push(mismatch(
                MismatchKind::Query,
                &format!("query parameter '{name}'"),
                "<absent>",
                &values.join(", "),
                None,
                format!(
                    "unexpected query parameter '{name}' with value(s) [{}]",
                    quote_all(values)
                ),
            ));
        }
    }
}

fn quote_all(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Headers whose values are media types with parameters: the parameters may come in any order
/// and extra ones in the actual value are fine.
fn is_media_type_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("accept")
}

/// Headers: every expected header must be present (names compare case-insensitively); extra
/// actual headers are always fine.
pub(crate) fn match_headers(
    expected: &Headers,
    actual: &Headers,
    rules: &MatchingRules,
    out: &mut Vec<Mismatch>,
) {
    for (name, expected_values) in expected.iter() {
        if crate::contract::is_framing_header(name) {
            continue;
        }
        let location = format!("header '{name}'");
        let expected_text = expected_values.join(", ");
        let Some(actual_values) = actual.get(name) else {
            out.push(mismatch(
                MismatchKind::Header,
                &location,
                &expected_text,
                "<missing>",
                None,
                format!("expected header '{name}' but it was missing"),
            ));
            continue;
        };
        let actual_text = actual_values.join(", ");
        if let Some(list) = rules.header_rules(name) {
            if actual_values.len() > 1 {
                // A header repeated on several lines: the rules apply to each value, as they
                // do to each value of a repeated query parameter.
                let template = expected_values.first().map(String::as_str).unwrap_or("");
                for (i, a) in actual_values.iter().enumerate() {
                    let e = expected_values
                        .get(i)
                        .map(String::as_str)
                        .unwrap_or(template);
                    apply_rules(MismatchKind::Header, &location, list, e, a, out);
                }
            } else {
                apply_rules(
                    MismatchKind::Header,
                    &location,
                    list,
                    &expected_text,
                    &actual_text,
                    out,
                );
            }
            continue;
        }
        let equal = if is_media_type_header(name) {
            media_types_match(&expected_text, &actual_text)
        } else {
            split_values(&expected_text) == split_values(&actual_text)
        };
        if !equal {
            out.push(mismatch(
                MismatchKind::Header,
                &location,
                &expected_text,
                &actual_text,
                None,
                format!("expected header '{name}' to be '{expected_text}' but got '{actual_text}'"),
            ));
        }
    }
}

/// Splits a header value on commas, ignoring the whitespace around them.
fn split_values(value: &str) -> Vec<&str> {
    value.split(',').map(str::trim).collect()
}

/// Compares media-type lists (`application/json; charset=utf-8, text/plain`): the same types in
/// the same order, each expected parameter present in the actual one (parameter names and
/// values compare case-insensitively).
fn media_types_match(expected: &str, actual: &str) -> bool {
    let (e, a) = (split_media_list(expected), split_media_list(actual));
    e.len() == a.len()
        && e.iter()
            .zip(&a)
            .all(|((e_type, e_params), (a_type, a_params))| {
                e_type == a_type
                    && e_params.iter().all(|(k, v)| {
                        a_params.iter().any(|(ak, av)| {
                            ak.eq_ignore_ascii_case(k) && av.eq_ignore_ascii_case(v)
                        })
                    })
            })
}

type MediaType<'a> = (&'a str, Vec<(&'a str, &'a str)>);

fn split_media_list(value: &str) -> Vec<MediaType<'_>> {
    value
        .split(',')
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let essence = parts.next().unwrap_or("");
            let params = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.trim(), v.trim().trim_matches('"')),
                    None => (p, ""),
                })
                .collect();
            (essence, params)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_parameters() {
        assert!(media_types_match(
            "application/json",
            "application/json; charset=UTF-8"
        ));
        assert!(media_types_match(
            "application/json;charset=utf-8",
            "application/json; charset=UTF-8"
        ));
        assert!(!media_types_match(
            "application/json; charset=UTF-16",
            "application/json; charset=UTF-8"
        ));
        assert!(media_types_match("a/b; x=1; y=\"2\"", "a/b; y=2; x=1"));
        assert!(!media_types_match("alligators", "Alligators"));
    }

    #[test]
    fn comma_whitespace_is_ignored_but_order_is_not() {
        assert_eq!(split_values("a,b"), split_values("a, b"));
        assert_ne!(split_values("a, b"), split_values("b, a"));
    }
}
