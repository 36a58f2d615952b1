//! Applying one matching rule to one value: a JSON scalar, or a string from a header, query
//! parameter, path or text body.
//!
//! Each check returns `Err(message)` with a sentence saying what was expected and what was
//! found; the caller adds the location and builds the [`super::Mismatch`].

use serde_json::Value;

use crate::contract::rules::{Combine, DateFormat, MatchingRule, RuleList};
use crate::datetime;

/// A short rendering of a JSON value for messages: scalars in full, containers abbreviated.
pub(crate) fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The JSON type name used in messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "decimal",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Equality that treats `1` and `1.0` as the same number.
pub(crate) fn json_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            if let (Some(e), Some(a)) = (e.as_i64(), a.as_i64()) {
                e == a
            } else if let (Some(e), Some(a)) = (e.as_u64(), a.as_u64()) {
                e == a
            } else {
                e.as_f64() == a.as_f64()
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| json_equal(e, a))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, ev)| a.get(k).is_some_and(|av| json_equal(ev, av)))
        }
        _ => expected == actual,
    }
}

fn same_type(expected: &Value, actual: &Value) -> bool {
    matches!(
        (expected, actual),
        (Value::Null, Value::Null)
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

/// Checks one rule against a JSON value. `cascaded` says the rule was declared on an ancestor.
pub(crate) fn check_json(
    rule: &MatchingRule,
    expected: &Value,
    actual: &Value,
    cascaded: bool,
) -> Result<(), String> {
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
                    "expected a value of the same type as {} ({}) but got {} ({})",
                    show(expected),
                    type_name(expected),
                    show(actual),
                    type_name(actual)
                ));
            }
            if let (Value::Array(items), false) = (actual, cascaded) {
                check_length(items.len(), *min, *max)?;
            }
            Ok(())
        }
        MatchingRule::Integer => match actual {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            other => Err(format!(
                "expected an integer but got {} ({})",
                show(other),
                type_name(other)
            )),
        },
        MatchingRule::Decimal => match actual {
            Value::Number(n) if n.is_f64() => Ok(()),
            other => Err(format!(
                "expected a decimal number but got {} ({})",
                show(other),
                type_name(other)
            )),
        },
        MatchingRule::Number => match actual {
            Value::Number(_) => Ok(()),
            other => Err(format!(
                "expected a number but got {} ({})",
                show(other),
                type_name(other)
            )),
        },
        MatchingRule::Boolean => match actual {
            Value::Bool(_) => Ok(()),
            Value::String(s) if s == "true" || s == "false" => Ok(()),
            other => Err(format!(
                "expected a boolean but got {} ({})",
                show(other),
                type_name(other)
            )),
        },
        MatchingRule::Null => match actual {
            Value::Null => Ok(()),
            other => Err(format!(
                "expected null but got {} ({})",
                show(other),
                type_name(other)
            )),
        },
        MatchingRule::NotEmpty => {
            let empty = match actual {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
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
        MatchingRule::StatusCode(codes) => match actual.as_u64() {
            Some(status) if status <= u16::MAX as u64 && codes.contains(status as u16) => Ok(()),
            _ => Err(format!("expected {codes} but got {}", show(actual))),
        },
        // Shape rules for containers are applied by the document walker.
        MatchingRule::Values
        | MatchingRule::EachKey(_)
        | MatchingRule::EachValue(_)
        | MatchingRule::ArrayContains(_) => Ok(()),
        // Text-based rules: applied to the scalar's text; containers and null do not qualify.
        _ => match actual {
            Value::String(s) => check_text(rule, "", s),
            Value::Number(n) => check_text(rule, "", &n.to_string()),
            Value::Bool(b) => check_text(rule, "", if *b { "true" } else { "false" }),
            other => Err(format!(
                "expected {} but got {} ({})",
                describe(rule),
                show(other),
                type_name(other)
            )),
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
pub(crate) fn check_json_list(
    list: &RuleList,
    expected: &Value,
    actual: &Value,
    cascaded: bool,
) -> Vec<(String, String)> {
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
