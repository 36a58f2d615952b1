//! Applying one matching rule to one value: a JSON scalar, or a string from a header, query
//! parameter, path or text body.
//!
//! Each check returns `Err(message)` with a sentence saying what was expected and what was
//! found; the caller adds the location and builds the [`super::Mismatch`].

use serde_json::Value;

use super::node::{JsonView, Kind, Num};

use crate::contract::rules::{Combine, DateFormat, MatchingRule, RuleList};
use crate::datetime;

/// A short rendering of a JSON value for messages: scalars in full, containers abbreviated.
pub(crate) fn show<A: JsonView + ?Sized>(value: &A) -> String {
    let text = match (value.as_str(), value.as_number()) {
        (Some(s), _) => Value::String(s.to_string()).to_string(),
        (_, Some(n)) => n.to_string(),
        _ => value.to_value().to_string(),
    };
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The JSON type name used in messages.
pub(crate) fn type_name<A: JsonView + ?Sized>(value: &A) -> &'static str {
    match value.kind() {
        Kind::Null => "null",
        Kind::Bool => "boolean",
        Kind::Number if value.as_number().is_some_and(|n| !n.is_integer()) => "decimal",
        Kind::Number => "integer",
        Kind::String => "string",
        Kind::Array => "array",
        Kind::Object => "object",
    }
}

fn numbers_equal(e: Num, a: Num) -> bool {
    match (e, a) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::UInt(x), Num::UInt(y)) => x == y,
        (x, y) if x.is_integer() && y.is_integer() => false,
        (x, y) => x.as_f64() == y.as_f64(),
    }
}

/// Equality that treats `1` and `1.0` as the same number.
pub(crate) fn json_equal<A: JsonView>(expected: &Value, actual: &A) -> bool {
    match expected {
        Value::Null => actual.kind() == Kind::Null,
        Value::Bool(b) => actual.as_bool() == Some(*b),
        Value::Number(n) => actual
            .as_number()
            .is_some_and(|a| numbers_equal(Num::of_json(n), a)),
        Value::String(s) => actual.as_str() == Some(s.as_str()),
        Value::Array(e) => actual
            .array()
            .is_some_and(|a| e.len() == a.len() && e.iter().zip(a).all(|(e, a)| json_equal(e, a))),
        Value::Object(e) => {
            actual.object_len() == Some(e.len())
                && e.iter()
                    .all(|(k, ev)| actual.get(k).is_some_and(|av| json_equal(ev, av)))
        }
    }
}

fn same_type<A: JsonView>(expected: &Value, actual: &A) -> bool {
    expected.kind() == actual.kind()
}

/// Checks one rule against a JSON value. `cascaded` says the rule was declared on an ancestor.
#[inline]
pub(crate) fn check_json<A: JsonView>(
    rule: &MatchingRule,
    expected: &Value,
    actual: &A,
    cascaded: bool,
) -> Result<(), String> {
    let got = || format!("{} ({})", show(actual), type_name(actual));
    match rule {
        MatchingRule::Equality => {
            if json_equal(expected, actual) {
                Ok(())
            } else {
                Err(format!(
                    "expected {} but got {}",
                    show(expected),
                    show(actual)
                ))
            }
        }
        MatchingRule::Type { min, max } => {
            if !same_type(expected, actual) {
                return Err(format!(
                    "expected a value of the same type as {} ({}) but got {}",
                    show(expected),
                    type_name(expected),
                    got()
                ));
            }
            if let (Some(items), false) = (actual.array(), cascaded) {
                check_length(items.len(), *min, *max)?;
            }
            Ok(())
        }
        MatchingRule::Integer => match actual.as_number() {
            Some(n) if n.is_integer() => Ok(()),
            _ => Err(format!("expected an integer but got {}", got())),
        },
        MatchingRule::Decimal => match actual.as_number() {
            Some(n) if !n.is_integer() => Ok(()),
            _ => Err(format!("expected a decimal number but got {}", got())),
        },
        MatchingRule::Number => match actual.as_number() {
            Some(_) => Ok(()),
            None => Err(format!("expected a number but got {}", got())),
        },
        MatchingRule::Boolean => match (actual.as_bool(), actual.as_str()) {
            (Some(_), _) | (_, Some("true" | "false")) => Ok(()),
            _ => Err(format!("expected a boolean but got {}", got())),
        },
        MatchingRule::Null => match actual.kind() {
            Kind::Null => Ok(()),
            _ => Err(format!("expected null but got {}", got())),
        },
        MatchingRule::NotEmpty => {
            // A non-empty value of the example's type: `["b"]` is not satisfied by `"b"`.
            if !expected.is_null() && !same_type(expected, actual) {
                return Err(format!(
                    "expected a non-empty value of the same type as {} ({}) but got {}",
                    show(expected),
                    type_name(expected),
                    got()
                ));
            }
            let empty = match actual.kind() {
                Kind::Null => true,
                Kind::String => actual.as_str().is_some_and(str::is_empty),
                Kind::Array => actual.array().is_some_and(<[A]>::is_empty),
                Kind::Object => actual.object_len() == Some(0),
                _ => false,
            };
            if empty {
                Err(format!(
                    "expected a non-empty value but got {}",
                    show(actual)
                ))
            } else {
                Ok(())
            }
        }
        MatchingRule::StatusCode(codes) => match actual.as_number().and_then(|n| n.as_u64()) {
            Some(status) if status <= u16::MAX as u64 && codes.contains(status as u16) => Ok(()),
            _ => Err(format!("expected {codes} but got {}", show(actual))),
        },
        // Shape rules for containers are applied by the document walker.
        MatchingRule::Values
        | MatchingRule::EachKey(_)
        | MatchingRule::EachValue(_)
        | MatchingRule::ArrayContains(_) => Ok(()),
        // Text-based rules: applied to the scalar's text; containers and null do not qualify.
        _ => match (actual.as_str(), actual.as_number(), actual.as_bool()) {
            (Some(s), _, _) => check_text(rule, "", s),
            (_, Some(n), _) => check_text(rule, "", &n.to_string()),
            (_, _, Some(b)) => check_text(rule, "", if b { "true" } else { "false" }),
            _ => Err(format!("expected {} but got {}", describe(rule), got())),
        },
    }
}

fn check_length(len: usize, min: Option<usize>, max: Option<usize>) -> Result<(), String> {
    if let Some(min) = min
        && len < min
    {
        return Err(format!(
            "expected an array with at least {min} element{} but got {len}",
            if min == 1 { "" } else { "s" }
        ));
    }
    if let Some(max) = max
        && len > max
    {
        return Err(format!(
            "expected an array with at most {max} element{} but got {len}",
            if max == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// What a rule wants, as a noun phrase ("an integer", "a date in the format 'yyyy-MM-dd'").
pub(crate) fn describe(rule: &MatchingRule) -> String {
    match rule {
        MatchingRule::Regex(p) => format!("a value matching the regex '{}'", p.as_str()),
        MatchingRule::Include(s) => format!("a value including '{s}'"),
        MatchingRule::Integer => "an integer".into(),
        MatchingRule::Decimal => "a decimal number".into(),
        MatchingRule::Number => "a number".into(),
        MatchingRule::Boolean => "a boolean".into(),
        MatchingRule::Null => "null".into(),
        MatchingRule::Date(f) => format!("a date{}", format_suffix(f)),
        MatchingRule::Time(f) => format!("a time{}", format_suffix(f)),
        MatchingRule::DateTime(f) => format!("a date-time{}", format_suffix(f)),
        MatchingRule::Semver => "a semantic version".into(),
        MatchingRule::ContentType(ct) => format!("content of type '{ct}'"),
        MatchingRule::StatusCode(c) => c.to_string(),
        MatchingRule::NotEmpty => "a non-empty value".into(),
        other => format!("a value matching '{other}'"),
    }
}

fn format_suffix(format: &DateFormat) -> String {
    match format.as_str() {
        Some(p) => format!(" in the format '{p}'"),
        None => " in ISO 8601 format".into(),
    }
}

/// Checks one rule against text (a header, query value, path, or text body). `expected` is the
/// example value from the contract.
pub(crate) fn check_text(rule: &MatchingRule, expected: &str, actual: &str) -> Result<(), String> {
    let ok = match rule {
        MatchingRule::Equality | MatchingRule::Values => {
            return if expected == actual {
                Ok(())
            } else {
                Err(format!("expected '{expected}' but got '{actual}'"))
            };
        }
        MatchingRule::Regex(p) => p.matches(actual),
        MatchingRule::Type { .. } => true,
        MatchingRule::Include(s) => actual.contains(s.as_str()),
        MatchingRule::Integer => {
            let digits = actual.strip_prefix('-').unwrap_or(actual);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        MatchingRule::Decimal => is_decimal_text(actual),
        MatchingRule::Number => actual.trim().parse::<f64>().is_ok_and(f64::is_finite),
        MatchingRule::Boolean => actual == "true" || actual == "false",
        MatchingRule::Null => actual.is_empty() || actual == "null",
        MatchingRule::Date(f) => match &f.0 {
            Some(p) => p.matches(actual),
            None => datetime::is_iso_date(actual),
        },
        MatchingRule::Time(f) => match &f.0 {
            Some(p) => p.matches(actual),
            None => datetime::is_iso_time(actual),
        },
        MatchingRule::DateTime(f) => match &f.0 {
            Some(p) => p.matches(actual),
            None => datetime::is_iso_datetime(actual),
        },
        MatchingRule::Semver => {
            return semver::Version::parse(actual)
                .map(|_| ())
                .map_err(|e| format!("expected a semantic version but got '{actual}' ({e})"));
        }
        MatchingRule::NotEmpty => !actual.is_empty(),
        MatchingRule::StatusCode(codes) => actual.parse::<u16>().is_ok_and(|s| codes.contains(s)),
        MatchingRule::ContentType(ct) => {
            let detected = super::content::sniff(actual.as_bytes());
            super::content::same_essence(detected, ct)
        }
        MatchingRule::EachKey(_) | MatchingRule::EachValue(_) | MatchingRule::ArrayContains(_) => {
            true
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {} but got '{actual}'", describe(rule)))
    }
}

fn is_decimal_text(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    match t.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && !frac.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Applies a rule list to a JSON value, honouring AND/OR. Rules that do not cascade are
/// skipped when the list comes from an ancestor. Returns the failures as (message, rule).
#[inline]
pub(crate) fn check_json_list<A: JsonView>(
    list: &RuleList,
    expected: &Value,
    actual: &A,
    cascaded: bool,
) -> Vec<(String, String)> {
    // The usual list of one rule, checked without the loop's bookkeeping: this runs for every
    // value of a body.
    if let [rule] = list.rules.as_slice() {
        if cascaded && !rule.cascades() {
            return Vec::new();
        }
        return match check_json(rule, expected, actual, cascaded) {
            Ok(()) => Vec::new(),
            Err(message) => vec![(message, rule.to_string())],
        };
    }
    let mut failures = Vec::new();
    let mut any_passed = false;
    for rule in &list.rules {
        if cascaded && !rule.cascades() {
            continue;
        }
        match check_json(rule, expected, actual, cascaded) {
            Ok(()) => any_passed = true,
            Err(message) => failures.push((message, rule.to_string())),
        }
    }
    if list.combine == Combine::Or && any_passed {
        failures.clear();
    }
    failures
}

/// Applies a rule list to text, honouring AND/OR.
pub(crate) fn check_text_list(
    list: &RuleList,
    expected: &str,
    actual: &str,
) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    let mut any_passed = false;
    for rule in &list.rules {
        match check_text(rule, expected, actual) {
            Ok(()) => any_passed = true,
            Err(message) => failures.push((message, rule.to_string())),
        }
    }
    if list.combine == Combine::Or && any_passed {
        failures.clear();
    }
    failures
}

/// True if a list, after dropping rules that do not cascade, still has rules to apply.
pub(crate) fn effective(list: &RuleList, cascaded: bool) -> bool {
    !cascaded || list.rules.iter().any(MatchingRule::cascades)
}
