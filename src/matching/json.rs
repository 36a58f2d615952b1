//! Comparing JSON documents under matching rules.
//!
//! The walker descends the expected document and the actual one together, keeping the current
//! location as a stack of borrowed segments, so the success path allocates nothing. At each
//! node it selects the most specific rules (on the node or cascaded from an ancestor) and
//! either applies them or, without rules, requires equality. Objects in requests must not have
//! unexpected keys; in responses and messages extra keys are fine.

use serde_json::{Map, Value};

use super::value::{check_json, check_json_list, effective, json_equal, show, type_name};
use super::{Mismatch, MismatchKind};
use crate::contract::path::{PathExpr, PathToken, Segment, render_location};
use crate::contract::rules::{MatchingRule, PathRules, RuleList};

/// Compares two JSON bodies and appends mismatches to `out`.
pub(crate) fn compare_json(
    rules: &PathRules,
    strict: bool,
    kind: MismatchKind,
    expected: &Value,
    actual: &Value,
    out: &mut Vec<Mismatch>,
) {
    let mut walker = Walker {
        rules,
        scoped: Vec::new(),
        strict,
        kind,
        out,
    };
    let mut path = Vec::with_capacity(8);
    walker.compare(&mut path, expected, actual);
}

/// True if the two documents match (used by `arrayContains` to try candidates).
fn matches_quietly(rules: &PathRules, strict: bool, expected: &Value, actual: &Value) -> bool {
    let mut out = Vec::new();
    compare_json(
        rules,
        strict,
        MismatchKind::Body,
        expected,
        actual,
        &mut out,
    );
    out.is_empty()
}

struct Walker<'r, 'o> {
    rules: &'r PathRules,
    /// Rules that apply only inside an `eachValue` container: `(container path + *, rules)`.
    scoped: Vec<(PathExpr, &'r RuleList)>,
    strict: bool,
    kind: MismatchKind,
    out: &'o mut Vec<Mismatch>,
}

impl<'r> Walker<'r, '_> {
    /// The rules that apply at `path` and whether they are inherited from an ancestor.
    fn best(&self, path: &[Segment<'_>]) -> Option<(&'r RuleList, bool)> {
        let mut best: Option<(&'r RuleList, usize, u64)> = None;
        let candidates = self
            .rules
            .entries()
            .iter()
            .map(|(e, l)| (e, l))
            .chain(self.scoped.iter().map(|(e, l)| (e, *l)));
        for (expr, list) in candidates {
            if let Some(weight) = expr.weight(path) {
                let score = weight.saturating_mul(expr.tokens().len() as u64);
                if best.is_none_or(|(_, _, s)| score >= s) {
                    best = Some((list, expr.depth(), score));
                }
            }
        }
        best.map(|(list, depth, _)| (list, depth < path.len()))
            .filter(|(list, cascaded)| effective(list, *cascaded))
    }

    fn mismatch(
        &mut self,
        path: &[Segment<'_>],
        expected: String,
        actual: String,
        rule: Option<String>,
        message: String,
    ) {
        self.out.push(Mismatch {
            kind: self.kind,
            location: render_location(path),
            expected: Some(expected),
            actual: Some(actual),
            rule,
            message,
        });
    }

    fn compare<'a>(&mut self, path: &mut Vec<Segment<'a>>, expected: &'a Value, actual: &'a Value) {
        let best = self.best(path);
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => self.compare_objects(path, e, a, best),
            (Value::Array(e), Value::Array(a)) => self.compare_arrays(path, e, a, best),
            _ => match best {
                Some((list, cascaded)) => {
                    for (message, rule) in check_json_list(list, expected, actual, cascaded) {
                        self.mismatch(path, show(expected), show(actual), Some(rule), message);
                    }
                }
                None => {
                    if !json_equal(expected, actual) {
                        let message = if std::mem::discriminant(expected)
                            != std::mem::discriminant(actual)
                            && (expected.is_object()
                                || expected.is_array()
                                || actual.is_object()
                                || actual.is_array())
                        {
                            format!(
                                "expected {} ({}) but got {} ({})",
                                show(expected),
                                type_name(expected),
                                show(actual),
                                type_name(actual)
                            )
                        } else {
                            format!("expected {} but got {}", show(expected), show(actual))
                        };
                        self.mismatch(path, show(expected), show(actual), None, message);
                    }
                }
            },
        }
    }

    /// Applies the container-level part of rules to an object or array: shape rules and the
    /// checks that make sense for a container (type, length, non-empty, null).
    fn container_checks(
        &mut self,
        path: &[Segment<'_>],
        list: &RuleList,
        cascaded: bool,
        expected: &Value,
        actual: &Value,
    ) {
        let container_rules: Vec<&MatchingRule> = list
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    MatchingRule::Type { .. }
                        | MatchingRule::NotEmpty
                        | MatchingRule::Null
                        | MatchingRule::Equality
                ) && (!cascaded || r.cascades())
            })
            .collect();
        if container_rules.is_empty() {
            return;
        }
        let failures: Vec<(String, String)> = container_rules
            .iter()
            .filter_map(|rule| match rule {
                // Equality of a container is checked element by element by the walker itself.
                MatchingRule::Equality => None,
                _ => check_json(rule, expected, actual, cascaded)
                    .err()
                    .map(|m| (m, rule.to_string())),
            })
            .collect();
        let or_passed = list.combine == crate::contract::rules::Combine::Or
            && failures.len() < list.rules.len();
        if !or_passed {
            for (message, rule) in failures {
                self.mismatch(path, show(expected), show(actual), Some(rule), message);
            }
        }
    }

    fn compare_objects<'a>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a Map<String, Value>,
        actual: &'a Map<String, Value>,
        best: Option<(&'r RuleList, bool)>,
    ) {
        let mut values_mode = false;
        let mut each_value: Option<&'r RuleList> = None;
        let mut free_keys = false;
        if let Some((list, cascaded)) = best {
            self.container_checks_obj(path, list, cascaded, expected, actual);
            if !cascaded {
                for rule in &list.rules {
                    match rule {
                        MatchingRule::Values => {
                            values_mode = true;
                            free_keys = true;
                        }
                        MatchingRule::EachValue(inner) => {
                            values_mode = true;
                            free_keys = true;
                            each_value = Some(inner);
                        }
                        MatchingRule::EachKey(inner) => {
                            free_keys = true;
                            for key in actual.keys() {
                                path.push(Segment::Key(key));
                                for (message, rule) in super::value::check_text_list(inner, "", key)
                                {
                                    let message = format!("key '{key}': {message}");
                                    self.mismatch(
                                        path,
                                        String::new(),
                                        format!("{key:?}"),
                                        Some(rule),
                                        message,
                                    );
                                }
                                path.pop();
                            }
                        }
                        _ => {}
                    }
                }
            }
        }

        if values_mode {
            let scope = each_value.map(|inner| {
                let mut tokens = vec![PathToken::Root];
                tokens.extend(path.iter().map(|s| match s {
                    Segment::Key(k) => PathToken::Field((*k).to_string()),
                    Segment::Index(i) => PathToken::Index(*i),
                }));
                tokens.push(PathToken::Star);
                (PathExpr::from_tokens(tokens), inner)
            });
            let pushed = scope.is_some();
            if let Some(scope) = scope {
                self.scoped.push(scope);
            }
            for (key, a) in actual {
                let Some(template) = expected.get(key).or_else(|| expected.values().next()) else {
                    continue;
                };
                path.push(Segment::Key(key));
                self.compare(path, template, a);
                path.pop();
            }
            if pushed {
                self.scoped.pop();
            }
            return;
        }

        if !free_keys {
            for key in expected.keys() {
                if !actual.contains_key(key) {
                    path.push(Segment::Key(key));
                    let message = format!("expected key '{key}' but it was missing");
                    self.mismatch(
                        path,
                        show(&expected[key]),
                        "<missing>".into(),
                        None,
                        message,
                    );
                    path.pop();
                }
            }
            if self.strict {
                for (key, value) in actual {
                    if !expected.contains_key(key) {
                        path.push(Segment::Key(key));
                        let message = format!("unexpected key '{key}' with value {}", show(value));
                        self.mismatch(path, "<absent>".into(), show(value), None, message);
                        path.pop();
                    }
                }
            }
        }
        for (key, e) in expected {
            if let Some(a) = actual.get(key) {
                path.push(Segment::Key(key));
                self.compare(path, e, a);
                path.pop();
            }
        }
    }

    fn container_checks_obj(
        &mut self,
        path: &[Segment<'_>],
        list: &RuleList,
        cascaded: bool,
        expected: &Map<String, Value>,
        actual: &Map<String, Value>,
    ) {
        // Only rules that can fail for an object need the values; avoid cloning otherwise.
        let relevant = list.rules.iter().any(|r| {
            matches!(r, MatchingRule::NotEmpty | MatchingRule::Null) && (!cascaded || r.cascades())
        });
        if relevant {
            let (e, a) = (
                Value::Object(expected.clone()),
                Value::Object(actual.clone()),
            );
            self.container_checks(path, list, cascaded, &e, &a);
        }
    }

    fn compare_arrays<'a>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [Value],
        best: Option<(&'r RuleList, bool)>,
    ) {
        let Some((list, cascaded)) = best else {
            self.compare_arrays_exactly(path, expected, actual);
            return;
        };

        // Length and emptiness rules apply to the array itself.
        let length_rules: Vec<&MatchingRule> = list
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    MatchingRule::Type { .. } | MatchingRule::NotEmpty | MatchingRule::Null
                )
            })
            .collect();
        if !length_rules.is_empty() {
            let mut failures = Vec::new();
            for rule in &length_rules {
                let result = match rule {
                    MatchingRule::Type { min, max } if !cascaded => {
                        length_check(actual.len(), *min, *max)
                    }
                    MatchingRule::Type { .. } => Ok(()),
                    MatchingRule::NotEmpty if actual.is_empty() => {
                        Err("expected a non-empty array but got an empty one".to_string())
                    }
                    MatchingRule::Null => Err(format!(
                        "expected null but got an array of {} elements",
                        actual.len()
                    )),
                    _ => Ok(()),
                };
                if let Err(message) = result {
                    failures.push((message, rule.to_string()));
                }
            }
            let or_passed = list.combine == crate::contract::rules::Combine::Or
                && failures.len() < list.rules.len();
            if !or_passed {
                for (message, rule) in failures {
                    let expected_text = format!("{rule}");
                    self.mismatch(
                        path,
                        expected_text,
                        format!("{} elements", actual.len()),
                        Some(rule),
                        message,
                    );
                }
            }
        }

        if !cascaded {
            for rule in &list.rules {
                match rule {
                    MatchingRule::ArrayContains(variants) => {
                        self.array_contains(path, variants, expected, actual);
                        return;
                    }
                    MatchingRule::EachValue(inner) => {
                        let mut tokens = vec![PathToken::Root];
                        tokens.extend(path.iter().map(|s| match s {
                            Segment::Key(k) => PathToken::Field((*k).to_string()),
                            Segment::Index(i) => PathToken::Index(*i),
                        }));
                        tokens.push(PathToken::StarIndex);
                        self.scoped.push((PathExpr::from_tokens(tokens), inner));
                        self.compare_with_template(path, expected, actual);
                        self.scoped.pop();
                        return;
                    }
                    _ => {}
                }
            }
        }

        if list
            .rules
            .iter()
            .all(|r| matches!(r, MatchingRule::Equality))
        {
            self.compare_arrays_exactly(path, expected, actual);
        } else {
            self.compare_with_template(path, expected, actual);
        }
    }

    /// Each actual element is compared with the expected element at the same index, or with
    /// the first expected element when the actual array is longer (the example is a template).
    fn compare_with_template<'a>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [Value],
    ) {
        let Some(first) = expected.first() else {
            return;
        };
        for (index, a) in actual.iter().enumerate() {
            let e = expected.get(index).unwrap_or(first);
            path.push(Segment::Index(index));
            self.compare(path, e, a);
            path.pop();
        }
    }

    fn compare_arrays_exactly<'a>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [Value],
    ) {
        if expected.len() != actual.len() {
            let message = if expected.is_empty() {
                format!(
                    "expected an empty array but got {} element(s)",
                    actual.len()
                )
            } else {
                format!(
                    "expected an array of {} element(s) but got {}",
                    expected.len(),
                    actual.len()
                )
            };
            self.mismatch(
                path,
                format!("{} elements", expected.len()),
                format!("{} elements", actual.len()),
                None,
                message,
            );
        }
        for (index, (e, a)) in expected.iter().zip(actual).enumerate() {
            path.push(Segment::Index(index));
            self.compare(path, e, a);
            path.pop();
        }
    }

    fn array_contains(
        &mut self,
        path: &[Segment<'_>],
        variants: &[crate::contract::rules::ArrayContainsVariant],
        expected: &[Value],
        actual: &[Value],
    ) {
        let default_rules = PathRules::default();
        let indexes: Vec<(usize, &PathRules)> = if variants.is_empty() {
            (0..expected.len()).map(|i| (i, &default_rules)).collect()
        } else {
            variants.iter().map(|v| (v.index, &v.rules)).collect()
        };
        for (index, rules) in indexes {
            let Some(e) = expected.get(index) else {
                let message = format!(
                    "arrayContains variant {index} has no example: the expected array has {} element(s)",
                    expected.len()
                );
                self.mismatch(
                    path,
                    format!("variant {index}"),
                    show(&Value::Array(actual.to_vec())),
                    None,
                    message,
                );
                continue;
            };
            if !actual
                .iter()
                .any(|a| matches_quietly(rules, self.strict, e, a))
            {
                let message = format!(
                    "expected the array to contain an element matching {}",
                    show(e)
                );
                self.mismatch(
                    path,
                    show(e),
                    show(&Value::Array(actual.to_vec())),
                    Some("arrayContains".into()),
                    message,
                );
            }
        }
    }
}

fn length_check(len: usize, min: Option<usize>, max: Option<usize>) -> Result<(), String> {
    check_json(
        &MatchingRule::Type { min, max },
        &Value::Array(vec![]),
        &Value::Array(vec![Value::Null; len]),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(rules: Value, strict: bool, expected: Value, actual: Value) -> Vec<String> {
        let rules = PathRules::from_json(&rules, "$").unwrap();
        let mut out = Vec::new();
        compare_json(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &actual,
            &mut out,
        );
        out.into_iter()
            .map(|m| format!("{}: {}", m.location, m.message))
            .collect()
    }

    #[test]
    fn locations_point_at_the_failing_element() {
        let out = check(
            json!({"$.items": {"matchers": [{"match": "type", "min": 1}]}, "$.items[*].price": {"matchers": [{"match": "decimal"}]}}),
            false,
            json!({"items": [{"price": 1.5}]}),
            json!({"items": [{"price": 2.5}, {"price": 3.25}, {"price": 12}]}),
        );
        assert_eq!(
            out,
            vec!["$.items[2].price: expected a decimal number but got 12 (integer)"]
        );
    }

    #[test]
    fn requests_reject_unexpected_keys_responses_allow_them() {
        let e = json!({"a": 1});
        let a = json!({"a": 1, "b": 2});
        assert_eq!(
            check(json!({}), true, e.clone(), a.clone()),
            vec!["$.b: unexpected key 'b' with value 2"]
        );
        assert!(check(json!({}), false, e, a).is_empty());
    }

    #[test]
    fn length_limits() {
        let rules = json!({"$": {"matchers": [{"match": "type", "min": 2, "max": 3}]}});
        assert!(check(rules.clone(), false, json!([1]), json!([1, 2])).is_empty());
        assert_eq!(check(rules.clone(), false, json!([1]), json!([1])).len(), 1);
        assert_eq!(
            check(rules, false, json!([1]), json!([1, 2, 3, 4])).len(),
            1
        );
    }

    #[test]
    fn each_key_and_each_value() {
        let rules = json!({"$": {"matchers": [
            {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]},
            {"match": "eachValue", "rules": [{"match": "type"}]}
        ]}});
        assert!(
            check(
                rules.clone(),
                false,
                json!({"a": 1}),
                json!({"x": 5, "y": 6})
            )
            .is_empty()
        );
        let out = check(rules, false, json!({"a": 1}), json!({"X1": 5, "y": "six"}));
        assert_eq!(out.len(), 2, "{out:?}");
    }

    #[test]
    fn array_contains_in_any_order() {
        let rules = json!({"$": {"matchers": [{"match": "arrayContains", "variants": [
            {"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}},
            {"index": 1, "rules": {}}
        ]}]}});
        let expected = json!([{"id": 1, "kind": "a"}, {"id": 2, "kind": "b"}]);
        assert!(
            check(
                rules.clone(),
                false,
                expected.clone(),
                json!([{"id": 2, "kind": "b"}, {"id": 99, "kind": "a"}])
            )
            .is_empty()
        );
        assert_eq!(
            check(rules, false, expected, json!([{"id": 99, "kind": "a"}])).len(),
            1
        );
    }

    #[test]
    fn or_combination() {
        let rules = json!({"$.v": {"combine": "OR", "matchers": [{"match": "integer"}, {"match": "null"}]}});
        assert!(check(rules.clone(), false, json!({"v": 1}), json!({"v": null})).is_empty());
        assert!(check(rules.clone(), false, json!({"v": 1}), json!({"v": 7})).is_empty());
        assert_eq!(
            check(rules, false, json!({"v": 1}), json!({"v": "x"})).len(),
            2
        );
    }
}
