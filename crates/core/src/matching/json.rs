//! Comparing JSON documents under matching rules.
//!
//! The walker descends the expected document (a contract `Value`) and the actual one (any
//! [`JsonView`]) together. The success path allocates nothing: the location is a stack of
//! borrowed segments, and rule selection is incremental — each step keeps only the rule paths
//! that still match the location so far, so a node costs a few comparisons however many rules
//! the contract has. At each node the most specific rules apply (on the node itself or cascaded
//! from an ancestor); without rules, values must be equal. Objects in requests must not have
//! unexpected keys; in responses and messages extra keys are fine.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::mem::ManuallyDrop;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::node::{JsonView, Key, Kind, Node, NodeVisitor, Num};
use super::text::{Cursor, PlainKey, Unread};
use super::value::{check_json, check_json_list, effective, json_equal, show, type_name};
use super::{Mismatch, MismatchKind};
use crate::contract::path::{PathExpr, PathToken, Segment, render_location};
use crate::contract::rules::{ArrayContainsVariant, Combine, MatchingRule, PathRules, RuleList};

/// Compares two JSON documents and appends mismatches to `out`.
pub(crate) fn compare_json<A: JsonView>(
    rules: &PathRules,
    strict: bool,
    kind: MismatchKind,
    expected: &Value,
    actual: &A,
    out: &mut Vec<Mismatch>,
) {
    let mut walker = Walker::new(rules, strict, kind, out);
    let mut path = Vec::with_capacity(8);
    walker.compare(&mut path, expected, actual);
}

/// True if the two documents match (used by `arrayContains` to try candidates).
fn matches_quietly<A: JsonView>(
    rules: &PathRules,
    strict: bool,
    expected: &Value,
    actual: &A,
) -> bool {
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

/// Finds the best rule for each location as the walker moves down and up the document.
///
/// The rule paths are compiled into a trie; the selector keeps, per depth, the trie nodes that
/// still match the location with their weights so far, so one step costs a lookup per live
/// node (usually one or two) rather than a pass over every rule.
struct Selector<'r> {
    entries: &'r [(PathExpr, RuleList)],
    /// No rule path names a concrete index (`[2]`, `.2`): then the selection below a node does
    /// not depend on which element of an array it is, and steps can be replayed.
    index_free: bool,
    trie: Vec<TrieNode<'r>>,
    /// `(trie node, weight so far)` for nodes still matching; sliced per frame.
    active: Vec<(u32, u64)>,
    frames: Vec<Frame>,
}

#[derive(Default)]
struct TrieNode<'r> {
    fields: Vec<(&'r str, u32)>,
    indexes: Vec<(usize, u32)>,
    star: Option<u32>,
    star_index: Option<u32>,
    /// Field names here that are numbers (they also address array indexes), with their
    /// children, sorted by number (stably: in the order written among equal numbers).
    numeric_fields: Vec<(usize, u32)>,
    /// The rule entry whose path ends here.
    entry: Option<u32>,
    /// Whether any path continues below this node.
    has_children: bool,
}

/// Children lists up to this long are searched in order; longer ones (rules for each element
/// of a large array, written one path per element) are sorted and binary-searched.
const LINEAR_CHILDREN: usize = 8;

impl TrieNode<'_> {
    fn field(&self, key: &str) -> Option<u32> {
        if self.fields.len() <= LINEAR_CHILDREN {
            self.fields.iter().find(|(n, _)| *n == key).map(|(_, c)| *c)
        } else {
            self.fields
                .binary_search_by(|(n, _)| (*n).cmp(key))
                .ok()
                .map(|i| self.fields[i].1)
        }
    }

    fn index(&self, i: usize) -> Option<u32> {
        if self.indexes.len() <= LINEAR_CHILDREN {
            self.indexes.iter().find(|(n, _)| *n == i).map(|(_, c)| *c)
        } else {
            self.indexes
                .binary_search_by_key(&i, |(n, _)| *n)
                .ok()
                .map(|at| self.indexes[at].1)
        }
    }

    /// The child for a field name that is the number `i` (`$.a.2` addressing an element); the
    /// first written when several spell it (`2`, `02`).
    fn numeric_field(&self, i: usize) -> Option<u32> {
        // Sorted by number, stably: the first of equal numbers is the first written.
        let at = self.numeric_fields.partition_point(|(n, _)| *n < i);
        self.numeric_fields
            .get(at)
            .filter(|(n, _)| *n == i)
            .map(|(_, c)| *c)
    }
}

/// A child of a trie node while the trie is built.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ChildKey<'r> {
    Field(&'r str),
    Index(usize),
}

/// A recorded selector step: the live trie nodes and the best entry after it.
#[derive(Clone)]
struct Step {
    active: Vec<(u32, u64)>,
    best: Option<(u32, u64, usize)>,
}

#[derive(Clone, Copy)]
struct Frame {
    start: usize,
    end: usize,
    /// The best complete entry at this depth or above: (entry, score, entry depth).
    best: Option<(u32, u64, usize)>,
}

impl<'r> Selector<'r> {
    fn new(rules: &'r PathRules) -> Self {
        let entries = rules.entries();
        let mut trie = vec![TrieNode::default()];
        // Named children by parent while building: one lookup per token, however many
        // siblings there are.
        let mut children: HashMap<(u32, ChildKey<'r>), u32> = HashMap::new();
        for (i, (expr, _)) in entries.iter().enumerate() {
            let mut node = 0usize;
            for token in &expr.tokens()[1..] {
                let key = match token {
                    PathToken::Field(name) => Some(ChildKey::Field(name)),
                    PathToken::Index(i) => Some(ChildKey::Index(*i)),
                    PathToken::Star | PathToken::StarIndex | PathToken::Root => None,
                };
                let existing = match (token, key) {
                    (_, Some(key)) => children.get(&(node as u32, key)).copied(),
                    (PathToken::Star, None) => trie[node].star,
                    (PathToken::StarIndex, None) => trie[node].star_index,
                    (_, None) => Some(node as u32),
                };
                let child = match existing {
                    Some(child) => child,
                    None => {
                        let child = trie.len() as u32;
                        trie.push(TrieNode::default());
                        let parent = &mut trie[node];
                        match token {
                            PathToken::Field(name) => {
                                if let Ok(n) = name.parse::<usize>() {
                                    parent.numeric_fields.push((n, child));
                                }
                                parent.fields.push((name, child));
                            }
                            PathToken::Index(i) => parent.indexes.push((*i, child)),
                            PathToken::Star => parent.star = Some(child),
                            PathToken::StarIndex => parent.star_index = Some(child),
                            PathToken::Root => {}
                        }
                        if let Some(key) = key {
                            children.insert((node as u32, key), child);
                        }
                        child
                    }
                };
                node = child as usize;
            }
            trie[node].entry = Some(i as u32);
        }
        for node in &mut trie {
            node.has_children = !node.fields.is_empty()
                || !node.indexes.is_empty()
                || node.star.is_some()
                || node.star_index.is_some();
            if node.fields.len() > LINEAR_CHILDREN {
                node.fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            if node.indexes.len() > LINEAR_CHILDREN {
                node.indexes.sort_unstable_by_key(|(i, _)| *i);
            }
            node.numeric_fields.sort_by_key(|(n, _)| *n);
        }
        let best = trie[0].entry.map(|e| (e, 2, 0));
        let mut active = Vec::with_capacity(16);
        if trie[0].has_children {
            active.push((0, 2));
        }
        let root = Frame {
            start: 0,
            end: active.len(),
            best,
        };
        let index_free = entries.iter().all(|(expr, _)| {
            expr.tokens().iter().all(|t| match t {
                PathToken::Index(_) => false,
                PathToken::Field(name) => name.parse::<usize>().is_err(),
                _ => true,
            })
        });
        Selector {
            entries,
            index_free,
            trie,
            active,
            frames: vec![root],
        }
    }

    fn depth(&self) -> usize {
        self.frames.len() - 1
    }

    fn push(&mut self, segment: Segment<'_>) {
        let parent = *self.frames.last().expect("root frame");
        let depth = self.depth() + 1;
        let start = self.active.len();
        let mut best = parent.best;
        let score_of = |weight: u64| weight.saturating_mul(depth as u64 + 1);
        for slot in parent.start..parent.end {
            let (node_id, weight) = self.active[slot];
            let node = &self.trie[node_id as usize];
            // At most four children can match one segment: exact, numeric alias, `[*]`, `*`.
            let mut reached: [(u32, u64); 4] = [(0, 0); 4];
            let mut count = 0;
            let mut reach = |child: Option<u32>, factor: u64| {
                if let Some(child) = child {
                    reached[count] = (child, weight.saturating_mul(factor));
                    count += 1;
                }
            };
            match segment {
                Segment::Key(key) => {
                    reach(node.field(key), 2);
                    if (!node.indexes.is_empty() || node.star_index.is_some())
                        && let Ok(i) = key.parse::<usize>()
                    {
                        reach(node.index(i), 2);
                        reach(node.star_index, 1);
                    }
                }
                Segment::Index(i) => {
                    reach(node.index(i), 2);
                    if !node.numeric_fields.is_empty() {
                        reach(node.numeric_field(i), 2);
                    }
                    reach(node.star_index, 1);
                }
            }
            reach(node.star, 1);
            for &(child, weight) in &reached[..count] {
                let target = &self.trie[child as usize];
                if let Some(entry) = target.entry {
                    let score = score_of(weight);
                    // Ties go to the entry written later, as in `PathRules::best`.
                    if best.is_none_or(|(e, s, _)| score > s || (score == s && entry >= e)) {
                        best = Some((entry, score, depth));
                    }
                }
                if target.has_children {
                    self.active.push((child, weight));
                }
            }
        }
        self.frames.push(Frame {
            start,
            end: self.active.len(),
            best,
        });
    }

    /// The current step, to replay for a location that is known to select the same way.
    fn snapshot(&self) -> Step {
        let frame = self.frames.last().expect("root frame");
        Step {
            active: self.active[frame.start..frame.end].to_vec(),
            best: frame.best,
        }
    }

    /// Pushes a step recorded by [`Selector::snapshot`] instead of computing it.
    #[inline]
    fn replay(&mut self, step: &Step) {
        let start = self.active.len();
        // Most steps are onto leaves, below which no rule path goes on.
        if !step.active.is_empty() {
            self.active.extend_from_slice(&step.active);
        }
        self.frames.push(Frame {
            start,
            end: self.active.len(),
            best: step.best,
        });
    }

    fn pop(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.active.truncate(frame.start);
        }
    }

    /// The best rules here: (rules, score, whether inherited from an ancestor).
    fn best(&self) -> Option<(&'r RuleList, u64, bool)> {
        let frame = self.frames.last()?;
        let depth = self.depth();
        frame
            .best
            .map(|(index, score, at)| (&self.entries[index as usize].1, score, at < depth))
    }
}

struct Walker<'r, 'o> {
    selector: Selector<'r>,
    /// Rules that apply only inside an `eachValue` container: `(container path + *, rules)`.
    scoped: Vec<(PathExpr, &'r RuleList)>,
    strict: bool,
    kind: MismatchKind,
    out: &'o mut Vec<Mismatch>,
}

impl<'r, 'o> Walker<'r, 'o> {
    fn new(
        rules: &'r PathRules,
        strict: bool,
        kind: MismatchKind,
        out: &'o mut Vec<Mismatch>,
    ) -> Self {
        Walker {
            selector: Selector::new(rules),
            scoped: Vec::new(),
            strict,
            kind,
            out,
        }
    }
}

impl<'r> Walker<'r, '_> {
    /// The rules that apply at `path` and whether they are inherited from an ancestor.
    #[inline]
    fn best(&self, path: &[Segment<'_>]) -> Option<(&'r RuleList, bool)> {
        let mut best = self.selector.best();
        for (expr, list) in &self.scoped {
            if let Some(weight) = expr.weight(path) {
                let score = weight.saturating_mul(expr.tokens().len() as u64);
                if best.is_none_or(|(_, s, _)| score >= s) {
                    best = Some((list, score, expr.depth() < path.len()));
                }
            }
        }
        best.map(|(list, _, cascaded)| (list, cascaded))
            .filter(|(list, cascaded)| effective(list, *cascaded))
    }

    /// The rules `best` would give one level down after the recorded `step`, when no rules
    /// are scoped to a container (`eachValue`): then the step alone decides.
    #[inline]
    fn best_after(&self, step: &Step) -> Option<(&'r RuleList, bool)> {
        debug_assert!(self.scoped.is_empty());
        let depth = self.selector.depth() + 1;
        step.best
            .map(|(index, _, at)| (&self.selector.entries[index as usize].1, at < depth))
            .filter(|(list, cascaded)| effective(list, *cascaded))
    }

    fn enter<'a>(&mut self, path: &mut Vec<Segment<'a>>, segment: Segment<'a>) {
        self.selector.push(segment);
        path.push(segment);
    }

    /// Like `enter`, replaying a recorded step when there is one, recording it otherwise.
    #[inline]
    fn enter_memo<'a>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        segment: Segment<'a>,
        memo: &mut Option<Step>,
    ) {
        match memo {
            Some(step) => self.selector.replay(step),
            None => {
                self.selector.push(segment);
                if self.selector.index_free {
                    *memo = Some(self.selector.snapshot());
                }
            }
        }
        path.push(segment);
    }

    #[inline]
    fn leave(&mut self, path: &mut Vec<Segment<'_>>) {
        self.selector.pop();
        path.pop();
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

    /// Reports a key a strict comparison did not expect.
    fn unexpected_key(&mut self, path: &[Segment<'_>], key: &str, value: &Node<'_>) {
        let mut location: Vec<Segment<'_>> = path.to_vec();
        location.push(Segment::Key(key));
        let message = format!("unexpected key '{key}' with value {}", show(value));
        self.mismatch(&location, "<absent>".into(), show(value), None, message);
    }

    fn compare<'a, A: JsonView>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a Value,
        actual: &'a A,
    ) {
        let best = self.best(path);
        match (expected, actual.kind()) {
            (Value::Object(e), Kind::Object) => self.compare_objects(path, e, actual, best),
            (Value::Array(e), Kind::Array) => {
                self.compare_arrays(path, e, actual.array().unwrap_or(&[]), best)
            }
            _ => self.compare_leaf(path, best, expected, actual),
        }
    }

    /// Compares where at least one side is not a container, or their kinds differ.
    fn compare_leaf<A: JsonView>(
        &mut self,
        path: &[Segment<'_>],
        best: Option<(&'r RuleList, bool)>,
        expected: &Value,
        actual: &A,
    ) {
        match best {
            Some((list, cascaded)) => {
                for (message, rule) in check_json_list(list, expected, actual, cascaded) {
                    self.mismatch(path, show(expected), show(actual), Some(rule), message);
                }
            }
            None => {
                if !json_equal(expected, actual) {
                    let containers = |k: Kind| matches!(k, Kind::Array | Kind::Object);
                    let message = if expected.kind() != actual.kind()
                        && (containers(expected.kind()) || containers(actual.kind()))
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
        }
    }

    /// Reports failures of rules on a container as a whole, unless OR-combined rules passed.
    fn report_container_failures(
        &mut self,
        path: &[Segment<'_>],
        list: &RuleList,
        failures: Vec<(String, String)>,
        actual: &dyn std::fmt::Display,
    ) {
        let or_passed = list.combine == Combine::Or && failures.len() < list.rules.len();
        if !or_passed {
            for (message, rule) in failures {
                self.mismatch(path, rule.clone(), actual.to_string(), Some(rule), message);
            }
        }
    }

    /// Applies the rules that can fail for a container as a whole: emptiness and null.
    fn container_rules<A: JsonView>(
        &mut self,
        path: &[Segment<'_>],
        list: &RuleList,
        cascaded: bool,
        expected: &Value,
        actual: &A,
    ) {
        let mut failures = Vec::new();
        for rule in &list.rules {
            if cascaded && !rule.cascades() {
                continue;
            }
            let check = match rule {
                MatchingRule::NotEmpty | MatchingRule::Null => {
                    check_json(rule, expected, actual, cascaded)
                }
                MatchingRule::Type { min, max } if !cascaded && actual.kind() == Kind::Array => {
                    check_json(
                        &MatchingRule::Type {
                            min: *min,
                            max: *max,
                        },
                        expected,
                        actual,
                        false,
                    )
                }
                _ => Ok(()),
            };
            if let Err(message) = check {
                failures.push((message, rule.to_string()));
            }
        }
        self.report_container_failures(path, list, failures, &type_name(actual));
    }

    fn compare_objects<'a, A: JsonView>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a Map<String, Value>,
        actual: &'a A,
        best: Option<(&'r RuleList, bool)>,
    ) {
        let mut values_mode = false;
        let mut each_value: Option<&'r RuleList> = None;
        let mut free_keys = false;
        if let Some((list, cascaded)) = best {
            if list
                .rules
                .iter()
                .any(|r| matches!(r, MatchingRule::NotEmpty | MatchingRule::Null))
            {
                let e = Value::Object(expected.clone());
                self.container_rules(path, list, cascaded, &e, actual);
            }
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
                            let mut bad = Vec::new();
                            actual.for_each_entry(&mut |key, _| {
                                for (message, rule) in super::value::check_text_list(inner, "", key)
                                {
                                    bad.push((key, message, rule));
                                }
                            });
                            for (key, message, rule) in bad {
                                path.push(Segment::Key(key));
                                self.mismatch(
                                    path,
                                    String::new(),
                                    // The key as a JSON string, as other actual values.
                                    Value::String(key.to_string()).to_string(),
                                    Some(rule),
                                    format!("key '{key}': {message}"),
                                );
                                path.pop();
                            }
                        }
                        _ => {}
                    }
                }
            }
        }

        if values_mode {
            if let Some(inner) = each_value {
                self.scoped.push((scope_path(path, PathToken::Star), inner));
            }
            let mut entries: Vec<(&'a str, &'a A)> = Vec::new();
            actual.for_each_entry(&mut |k, v| entries.push((k, v)));
            for (key, a) in entries {
                let Some(template) = expected.get(key).or_else(|| expected.values().next()) else {
                    continue;
                };
                self.enter(path, Segment::Key(key));
                self.compare(path, template, a);
                self.leave(path);
            }
            if each_value.is_some() {
                self.scoped.pop();
            }
            return;
        }

        for (key, e) in expected {
            match actual.get(key) {
                Some(a) => {
                    self.enter(path, Segment::Key(key));
                    self.compare(path, e, a);
                    self.leave(path);
                }
                None if !free_keys => {
                    path.push(Segment::Key(key));
                    let message = format!("expected key '{key}' but it was missing");
                    self.mismatch(path, show(e), "<missing>".into(), None, message);
                    path.pop();
                }
                None => {}
            }
        }
        if self.strict && !free_keys {
            let mut unexpected: Vec<(&'a str, &'a A)> = Vec::new();
            actual.for_each_entry(&mut |k, v| {
                if !expected.contains_key(k) {
                    unexpected.push((k, v));
                }
            });
            for (key, value) in unexpected {
                path.push(Segment::Key(key));
                let message = format!("unexpected key '{key}' with value {}", show(value));
                self.mismatch(path, "<absent>".into(), show(value), None, message);
                path.pop();
            }
        }
    }

    fn compare_arrays<'a, A: JsonView>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [A],
        best: Option<(&'r RuleList, bool)>,
    ) {
        let Some((list, cascaded)) = best else {
            self.compare_arrays_exactly(path, expected, actual);
            return;
        };
        if list.rules.iter().any(|r| {
            matches!(
                r,
                MatchingRule::Type { .. } | MatchingRule::NotEmpty | MatchingRule::Null
            )
        }) {
            self.array_length_rules(path, list, cascaded, actual.len());
        }
        if !cascaded {
            for rule in &list.rules {
                match rule {
                    MatchingRule::ArrayContains(variants) => {
                        self.array_contains(path, variants, expected, actual);
                        return;
                    }
                    MatchingRule::EachValue(inner) => {
                        self.scoped
                            .push((scope_path(path, PathToken::StarIndex), inner));
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

    /// Rules on an array that only need its length: type min/max, notEmpty, null.
    fn array_length_rules(
        &mut self,
        path: &[Segment<'_>],
        list: &RuleList,
        cascaded: bool,
        len: usize,
    ) {
        let mut failures = Vec::new();
        for rule in &list.rules {
            let result = match rule {
                MatchingRule::Type { min, max } if !cascaded => length_check(len, *min, *max),
                MatchingRule::NotEmpty if len == 0 => {
                    Err("expected a non-empty array but got an empty one".to_string())
                }
                MatchingRule::Null => {
                    Err(format!("expected null but got an array of {len} elements"))
                }
                _ => Ok(()),
            };
            if let Err(message) = result {
                failures.push((message, rule.to_string()));
            }
        }
        // Rendered only for a failure: this runs for every array of a large body.
        self.report_container_failures(path, list, failures, &format_args!("{len} elements"));
    }

    /// Each actual element is compared with the expected element at the same index, or with
    /// the first expected element when the actual array is longer (the example is a template).
    fn compare_with_template<'a, A: JsonView>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [A],
    ) {
        let Some(first) = expected.first() else {
            return;
        };
        for (index, a) in actual.iter().enumerate() {
            let e = expected.get(index).unwrap_or(first);
            self.enter(path, Segment::Index(index));
            self.compare(path, e, a);
            self.leave(path);
        }
    }

    fn length_mismatch(&mut self, path: &[Segment<'_>], expected: usize, actual: usize) {
        let message = if expected == 0 {
            format!("expected an empty array but got {actual} element(s)")
        } else {
            format!("expected an array of {expected} element(s) but got {actual}")
        };
        self.mismatch(
            path,
            format!("{expected} elements"),
            format!("{actual} elements"),
            None,
            message,
        );
    }

    fn compare_arrays_exactly<'a, A: JsonView>(
        &mut self,
        path: &mut Vec<Segment<'a>>,
        expected: &'a [Value],
        actual: &'a [A],
    ) {
        if expected.len() != actual.len() {
            self.length_mismatch(path, expected.len(), actual.len());
        }
        for (index, (e, a)) in expected.iter().zip(actual).enumerate() {
            self.enter(path, Segment::Index(index));
            self.compare(path, e, a);
            self.leave(path);
        }
    }

    fn array_contains<A: JsonView>(
        &mut self,
        path: &[Segment<'_>],
        variants: &[ArrayContainsVariant],
        expected: &[Value],
        actual: &[A],
    ) {
        let default_rules = PathRules::default();
        let indexes: Vec<(usize, &PathRules)> = if variants.is_empty() {
            (0..expected.len()).map(|i| (i, &default_rules)).collect()
        } else {
            variants.iter().map(|v| (v.index, &v.rules)).collect()
        };
        let actual_text = || {
            let items: Vec<Value> = actual.iter().map(JsonView::to_value).collect();
            show(&Value::Array(items))
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
                    actual_text(),
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
                    actual_text(),
                    Some("arrayContains".into()),
                    message,
                );
            }
        }
    }
}

/// Compares a received JSON text with the expected document while parsing it.
///
/// Most of a received body can be checked in one pass, in document order, without building a
/// tree: each value is compared as soon as it is read. Subtrees that need random access
/// (`arrayContains`, `values`, `eachKey`, `eachValue`, `notEmpty`/`null` on objects, a kind
/// mismatch) are parsed into a [`Node`] tree and handed to the tree walker. If the text is not
/// valid JSON, the mismatches found so far are discarded and the parse error is returned.
pub(crate) fn compare_json_text(
    rules: &PathRules,
    strict: bool,
    kind: MismatchKind,
    expected: &Value,
    text: &str,
    out: &mut Vec<Mismatch>,
) -> Result<(), serde_json::Error> {
    let before = out.len();
    let mut cursor = Cursor::new(text);
    let read = compare_json_cursor(rules, strict, kind, expected, &mut cursor, out);
    if read.and_then(|_| cursor.end()).is_ok() {
        return Ok(());
    }
    // Not read in place: serde_json reads it, and says why if it is not JSON.
    out.truncate(before);
    let mut de = serde_json::Deserializer::from_str(text);
    let result =
        compare_json_from(rules, strict, kind, expected, &mut de, out).and_then(|_| de.end());
    if result.is_err() {
        out.truncate(before);
    }
    result
}

/// What a JSON value read by [`compare_json_from`] was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Object,
    Array,
    Scalar,
}

/// Compares the JSON value `deserializer` is at with the expected document while reading it
/// (see [`compare_json_text`]); on an error, mismatches already appended stay in `out`.
pub(crate) fn compare_json_from<'de, D: Deserializer<'de>>(
    rules: &PathRules,
    strict: bool,
    kind: MismatchKind,
    expected: &Value,
    deserializer: D,
    out: &mut Vec<Mismatch>,
) -> Result<Shape, D::Error> {
    let mut walker = Walker::new(rules, strict, kind, out);
    let mut path = Vec::with_capacity(8);
    let mut flat = FlatObjects::default();
    deserializer.deserialize_any(Shaped(Stream {
        walker: &mut walker,
        path: &mut path,
        expected,
        flat: &mut flat,
    }))
}

/// A [`Stream`] at the top of a document, telling what the document was.
struct Shaped<'s, 'e, 'r, 'o>(Stream<'s, 'e, 'r, 'o>);

impl<'de> Visitor<'de> for Shaped<'_, '_, '_, '_> {
    type Value = Shape;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Shape, E> {
        self.0.visit_unit().map(|()| Shape::Scalar)
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Shape, E> {
        self.0.visit_bool(v).map(|()| Shape::Scalar)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Shape, E> {
        self.0.visit_i64(v).map(|()| Shape::Scalar)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Shape, E> {
        self.0.visit_u64(v).map(|()| Shape::Scalar)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Shape, E> {
        self.0.visit_f64(v).map(|()| Shape::Scalar)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Shape, E> {
        self.0.visit_str(v).map(|()| Shape::Scalar)
    }
    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Shape, M::Error> {
        self.0.visit_map(map).map(|()| Shape::Object)
    }
    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Shape, S::Error> {
        self.0.visit_seq(seq).map(|()| Shape::Array)
    }
}

struct Stream<'s, 'e, 'r, 'o> {
    walker: &'s mut Walker<'r, 'o>,
    path: &'s mut Vec<Segment<'e>>,
    expected: &'e Value,
    flat: &'s mut FlatObjects<'e>,
}

/// Expected objects flattened into vectors, by address. A template object is looked up once
/// per actual element, so scanning a small vector (lengths compared first) beats walking the
/// sorted map each time. Bounded: only the first few distinct objects are kept.
#[derive(Default)]
struct FlatObjects<'e> {
    objects: Vec<(*const Map<String, Value>, FlatObject<'e>)>,
    /// Per object and key, the selector step into that member (see `Selector::index_free`).
    steps: Vec<Vec<Option<Step>>>,
    /// Per expected array, by address, the selector step into its elements: an array inside
    /// every element of a large one (`tags` of each item) is entered once per element, and
    /// its step is the same each time.
    element_steps: Vec<(*const Vec<Value>, Option<Step>)>,
}

/// An expected object's members in key order, each with its key prepared for comparing with a
/// JSON text where it stands, if it can be.
type FlatObject<'e> = Vec<(&'e str, &'e Value, Option<PlainKey<'e>>)>;

impl<'e> FlatObjects<'e> {
    const LIMIT: usize = 16;

    /// The slot holding `map` flattened, adding it if there is room (and it is small enough).
    fn slot(&mut self, map: &'e Map<String, Value>) -> Option<usize> {
        if map.len() > 64 {
            return None;
        }
        let address = map as *const _;
        if let Some(i) = self.objects.iter().position(|(a, _)| *a == address) {
            return Some(i);
        }
        if self.objects.len() >= Self::LIMIT {
            return None;
        }
        self.objects.push((
            address,
            map.iter()
                .map(|(k, v)| (k.as_str(), v, PlainKey::new(k)))
                .collect(),
        ));
        self.steps.push(vec![None; map.len()]);
        Some(self.objects.len() - 1)
    }

    /// The position and entry of `key` in the flattened object at `slot`, trying `likely`
    /// first: documents usually write an object's keys in the same order as its template.
    #[inline]
    fn find(&self, slot: usize, key: &str, likely: usize) -> Option<(usize, (&'e str, &'e Value))> {
        let entries = &self.objects[slot].1;
        if let Some(&(k, v, _)) = entries.get(likely)
            && k == key
        {
            return Some((likely, (k, v)));
        }
        entries
            .iter()
            .position(|(k, _, _)| *k == key)
            .map(|i| (i, (entries[i].0, entries[i].1)))
    }

    /// Takes the recorded step into the elements of `array`, if any; give it back with
    /// [`FlatObjects::put_element_step`] (taken, not borrowed: the elements are walked with
    /// this cache in hand).
    fn take_element_step(&mut self, array: *const Vec<Value>) -> Option<Step> {
        self.element_steps
            .iter_mut()
            .find(|(a, _)| *a == array)
            .and_then(|(_, step)| step.take())
    }

    /// Keeps `step` as the step into the elements of `array`, if there is room.
    fn put_element_step(&mut self, array: *const Vec<Value>, step: Option<Step>) {
        let Some(step) = step else { return };
        if let Some((_, slot)) = self.element_steps.iter_mut().find(|(a, _)| *a == array) {
            *slot = Some(step);
        } else if self.element_steps.len() < Self::LIMIT {
            self.element_steps.push((array, Some(step)));
        }
    }
}

/// A member of an expected object found for a received key: (key, value, place in the
/// flattened object when it is cached).
type Member<'e> = (&'e str, &'e Value, Option<usize>);

/// Which members of an expected object a received object has had so far, and where its next
/// key probably is.
struct ObjectScan<'e> {
    expected: &'e Map<String, Value>,
    /// A bit per key for the usual small object (found by a linear scan, which compares
    /// lengths first), a set for large ones.
    small: bool,
    seen_bits: u64,
    seen_set: BTreeSet<&'e str>,
    slot: Option<usize>,
    /// Where the next key probably is among the expected ones: after the last one found.
    likely: usize,
}

impl<'e> ObjectScan<'e> {
    fn new(expected: &'e Map<String, Value>, flat: &mut FlatObjects<'e>) -> Self {
        let small = expected.len() <= 64;
        ObjectScan {
            expected,
            small,
            seen_bits: 0,
            seen_set: BTreeSet::new(),
            slot: if small { flat.slot(expected) } else { None },
            likely: 0,
        }
    }

    /// The expected member named `key`, marked as seen.
    #[inline]
    fn find(&mut self, flat: &FlatObjects<'e>, key: &str) -> Option<Member<'e>> {
        if !self.small {
            let (k, v) = self.expected.get_key_value(key)?;
            self.seen_set.insert(k.as_str());
            return Some((k.as_str(), v, None));
        }
        let (i, (k, v)) = match self.slot {
            Some(slot) => flat.find(slot, key, self.likely)?,
            None => self
                .expected
                .iter()
                .enumerate()
                .find(|(_, (k, _))| k.as_str() == key)
                .map(|(i, (k, v))| (i, (k.as_str(), v)))?,
        };
        self.seen_bits |= 1 << i;
        self.likely = i + 1;
        Some((k, v, self.slot.map(|_| i)))
    }

    /// The member expected next, when its key can be compared with the text as it stands.
    #[inline]
    fn likely_plain(&self, flat: &FlatObjects<'e>) -> Option<(Member<'e>, PlainKey<'e>)> {
        let slot = self.slot?;
        let &(k, v, plain) = flat.objects[slot].1.get(self.likely)?;
        Some(((k, v, Some(self.likely)), plain?))
    }

    /// Marks the member [`ObjectScan::likely_plain`] gave as seen.
    #[inline]
    fn found_likely(&mut self) {
        self.seen_bits |= 1 << self.likely;
        self.likely += 1;
    }

    /// Moves the walker onto `member`, replaying its recorded selector step when there is one.
    #[inline]
    fn enter<'a>(
        &self,
        walker: &mut Walker<'_, '_>,
        path: &mut Vec<Segment<'a>>,
        flat: &mut FlatObjects<'e>,
        member: Member<'a>,
    ) {
        match (self.slot, member.2) {
            (Some(slot), Some(i)) => {
                walker.enter_memo(path, Segment::Key(member.0), &mut flat.steps[slot][i])
            }
            _ => walker.enter(path, Segment::Key(member.0)),
        }
    }

    /// Reports the expected keys the received object did not have.
    fn report_missing(&self, walker: &mut Walker<'_, '_>, path: &mut Vec<Segment<'e>>) {
        let seen_count = if self.small {
            self.seen_bits.count_ones() as usize
        } else {
            self.seen_set.len()
        };
        if seen_count == self.expected.len() {
            return;
        }
        for (i, (key, value)) in self.expected.iter().enumerate() {
            let found = if self.small {
                self.seen_bits & (1 << i) != 0
            } else {
                self.seen_set.contains(key.as_str())
            };
            if !found {
                path.push(Segment::Key(key));
                let message = format!("expected key '{key}' but it was missing");
                walker.mismatch(path, show(value), "<missing>".into(), None, message);
                path.pop();
            }
        }
    }
}

impl Stream<'_, '_, '_, '_> {
    #[inline]
    fn leaf(self, actual: &Node<'_>) {
        let best = self.walker.best(self.path);
        self.walker
            .compare_leaf(self.path, best, self.expected, actual);
    }

    /// Hands a subtree to the tree walker (the selector is already positioned on it).
    fn delegate(self, actual: &Node<'_>) {
        let mut path: Vec<Segment<'_>> = self.path.to_vec();
        self.walker.compare(&mut path, self.expected, actual);
    }
}

/// Whether an object under these rules can be checked in one pass.
fn object_streams(best: Option<(&RuleList, bool)>) -> bool {
    best.is_none_or(|(list, cascaded)| {
        list.rules.iter().all(|r| match r {
            MatchingRule::NotEmpty | MatchingRule::Null => false,
            MatchingRule::Values | MatchingRule::EachKey(_) | MatchingRule::EachValue(_) => {
                cascaded
            }
            _ => true,
        })
    })
}

/// Whether an array under these rules can be checked in one pass.
fn array_streams(best: Option<(&RuleList, bool)>) -> bool {
    best.is_none_or(|(list, cascaded)| {
        cascaded
            || !list.rules.iter().any(|r| {
                matches!(
                    r,
                    MatchingRule::ArrayContains(_) | MatchingRule::EachValue(_)
                )
            })
    })
}

impl<'de> DeserializeSeed<'de> for Stream<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Stream<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    // A scalar's node owns nothing (a borrowed string at most): `ManuallyDrop` spares every
    // value of the body a call to the node's generic drop.
    fn visit_unit<E>(self) -> Result<(), E> {
        self.leaf(&ManuallyDrop::new(Node::Null));
        Ok(())
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.leaf(&ManuallyDrop::new(Node::Bool(v)));
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.leaf(&ManuallyDrop::new(Node::Number(Num::Int(v))));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        let n = i64::try_from(v).map(Num::Int).unwrap_or(Num::UInt(v));
        self.leaf(&ManuallyDrop::new(Node::Number(n)));
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.leaf(&ManuallyDrop::new(Node::Number(Num::Float(v))));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.leaf(&ManuallyDrop::new(Node::String(Cow::Borrowed(v))));
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let best = self.walker.best(self.path);
        let expected = match self.expected {
            Value::Object(expected) if object_streams(best) => expected,
            _ => {
                let node = NodeVisitor.visit_map(map)?;
                self.delegate(&node);
                return Ok(());
            }
        };
        let mut scan = ObjectScan::new(expected, self.flat);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match scan.find(self.flat, &key) {
                Some(member) => {
                    scan.enter(self.walker, self.path, self.flat, member);
                    let result = map.next_value_seed(Stream {
                        walker: &mut *self.walker,
                        path: &mut *self.path,
                        expected: member.1,
                        flat: &mut *self.flat,
                    });
                    self.walker.leave(self.path);
                    result?;
                }
                None if self.walker.strict => {
                    let value: Node<'de> = map.next_value()?;
                    self.walker.unexpected_key(self.path, &key, &value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        scan.report_missing(self.walker, self.path);
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let best = self.walker.best(self.path);
        let expected = match self.expected {
            Value::Array(expected) if array_streams(best) => expected,
            _ => {
                let node = NodeVisitor.visit_seq(seq)?;
                self.delegate(&node);
                return Ok(());
            }
        };
        let mut scan = ArrayScan::new(best, expected, self.flat);
        loop {
            let more = match scan.template() {
                Some(template) => {
                    scan.enter(self.walker, self.path);
                    let result = seq.next_element_seed(Stream {
                        walker: &mut *self.walker,
                        path: &mut *self.path,
                        expected: template,
                        flat: &mut *self.flat,
                    });
                    self.walker.leave(self.path);
                    result?.is_some()
                }
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                break;
            }
            scan.len += 1;
        }
        scan.finish(self.walker, self.path, self.flat);
        Ok(())
    }
}

/// A received array read element by element against an expected one.
struct ArrayScan<'e, 'r> {
    best: Option<(&'r RuleList, bool)>,
    expected: &'e Vec<Value>,
    /// Without rules other than equality, the arrays must be equal element by element;
    /// otherwise every element past the example's is compared with its first.
    exact: bool,
    /// Elements read so far.
    len: usize,
    /// Every element selects rules the same way when no rule names an index, and so does
    /// every array reached through the same expected one.
    element_step: Option<Step>,
}

impl<'e, 'r> ArrayScan<'e, 'r> {
    fn new(
        best: Option<(&'r RuleList, bool)>,
        expected: &'e Vec<Value>,
        flat: &mut FlatObjects<'_>,
    ) -> Self {
        let exact = best.is_none_or(|(list, _)| {
            list.rules
                .iter()
                .all(|r| matches!(r, MatchingRule::Equality))
        });
        ArrayScan {
            best,
            expected,
            exact,
            len: 0,
            element_step: flat.take_element_step(expected),
        }
    }

    /// The expected value for the next element, if it is compared with one.
    #[inline]
    fn template(&self) -> Option<&'e Value> {
        if self.exact {
            self.expected.get(self.len)
        } else {
            self.expected.get(self.len).or(self.expected.first())
        }
    }

    #[inline]
    fn enter(&mut self, walker: &mut Walker<'_, '_>, path: &mut Vec<Segment<'_>>) {
        walker.enter_memo(path, Segment::Index(self.len), &mut self.element_step);
    }

    /// Checks the array's length once all its elements are read.
    fn finish(self, walker: &mut Walker<'r, '_>, path: &[Segment<'_>], flat: &mut FlatObjects<'_>) {
        flat.put_element_step(self.expected, self.element_step);
        if let Some((list, cascaded)) = self.best
            && !self.exact
        {
            walker.array_length_rules(path, list, cascaded, self.len);
        } else if self.len != self.expected.len() {
            walker.length_mismatch(path, self.expected.len(), self.len);
        }
    }
}

/// The one-pass comparison over a [`Cursor`]: [`Stream`]'s walk, with each key compared with
/// the text where it stands when it is the one expected next.
struct TextStream<'s, 'e, 'r, 'o, 't> {
    walker: &'s mut Walker<'r, 'o>,
    path: &'s mut Vec<Segment<'e>>,
    flat: &'s mut FlatObjects<'e>,
    cursor: &'s mut Cursor<'t>,
}

impl<'e, 'r> TextStream<'_, 'e, 'r, '_, '_> {
    fn value(&mut self, expected: &'e Value) -> Result<Shape, Unread> {
        match self.cursor.peek()? {
            b'{' => self.object(expected).map(|()| Shape::Object),
            b'[' => self.array(expected).map(|()| Shape::Array),
            _ => self.leaf(expected).map(|()| Shape::Scalar),
        }
    }

    #[inline]
    fn leaf(&mut self, expected: &Value) -> Result<(), Unread> {
        let best = self.walker.best(self.path);
        self.leaf_under(best, expected)
    }

    #[inline]
    fn leaf_under(
        &mut self,
        best: Option<(&'r RuleList, bool)>,
        expected: &Value,
    ) -> Result<(), Unread> {
        // As in `Stream`, a scalar usually owns nothing; only an unescaped copy is dropped.
        let actual = ManuallyDrop::new(self.cursor.scalar()?);
        self.walker
            .compare_leaf(self.path, best, expected, &*actual);
        if let Node::String(Cow::Owned(_)) = &*actual {
            drop(ManuallyDrop::into_inner(actual));
        }
        Ok(())
    }

    /// Reads the scalar at the cursor as the member or element `segment`, under `best` (see
    /// [`scalar_after`]), without moving the selector. Inlined into both callers: as a call it
    /// costs ~20 instructions per value (1.9 M of the benchmark's 76 M).
    #[inline(always)]
    fn scalar_at(
        &mut self,
        segment: Segment<'e>,
        best: Option<(&'r RuleList, bool)>,
        expected: &'e Value,
    ) -> Result<(), Unread> {
        self.path.push(segment);
        let result = self.leaf_under(best, expected);
        self.path.pop();
        result
    }

    /// Reads the value at the cursor as the member or element `segment` of the container
    /// being read; `memo` is where the selector step into it is recorded, if it can be.
    #[inline]
    fn enter_value(
        &mut self,
        segment: Segment<'e>,
        memo: Option<&mut Option<Step>>,
        expected: &'e Value,
    ) -> Result<(), Unread> {
        match memo {
            Some(memo) => {
                if let Some(step) = memo
                    && let Some(best) = scalar_after(self.walker, self.cursor, step)?
                {
                    return self.scalar_at(segment, best, expected);
                }
                self.walker.enter_memo(self.path, segment, memo);
            }
            None => self.walker.enter(self.path, segment),
        }
        let result = self.value(expected);
        self.walker.leave(self.path);
        result.map(drop)
    }

    /// Reads the value as a tree for the tree walker (the selector is already on it).
    fn delegate(&mut self, expected: &'e Value) -> Result<(), Unread> {
        let node = self.cursor.node()?;
        let mut path: Vec<Segment<'_>> = self.path.to_vec();
        self.walker.compare(&mut path, expected, &node);
        Ok(())
    }

    fn object(&mut self, expected: &'e Value) -> Result<(), Unread> {
        let best = self.walker.best(self.path);
        let expected = match expected {
            Value::Object(expected) if object_streams(best) => expected,
            _ => return self.delegate(expected),
        };
        let mut scan = ObjectScan::new(expected, self.flat);
        self.cursor.begin_object()?;
        let mut first = true;
        while self.cursor.has_member(&mut first)? {
            let member = match scan.likely_plain(self.flat) {
                Some((member, key)) if self.cursor.key_is(key)? => {
                    scan.found_likely();
                    member
                }
                _ => {
                    let key = self.cursor.key()?;
                    match scan.find(self.flat, &key) {
                        Some(member) => member,
                        None if self.walker.strict => {
                            let value = self.cursor.node()?;
                            self.walker.unexpected_key(self.path, &key, &value);
                            continue;
                        }
                        None => {
                            self.cursor.skip_value()?;
                            continue;
                        }
                    }
                }
            };
            let at = scan.slot.zip(member.2);
            if let Some((slot, i)) = at
                && let Some(step) = &self.flat.steps[slot][i]
                && let Some(best) = scalar_after(self.walker, self.cursor, step)?
            {
                self.scalar_at(Segment::Key(member.0), best, member.1)?;
                continue;
            }
            // The recorded step is taken out while the member is read (the cache is needed
            // below it) and put back after.
            let mut memo = at.and_then(|(slot, i)| self.flat.steps[slot][i].take());
            let memo_slot = at.is_some().then_some(&mut memo);
            let result = self.enter_value(Segment::Key(member.0), memo_slot, member.1);
            if let Some((slot, i)) = at {
                self.flat.steps[slot][i] = memo;
            }
            result?;
        }
        scan.report_missing(self.walker, self.path);
        Ok(())
    }

    fn array(&mut self, expected: &'e Value) -> Result<(), Unread> {
        let best = self.walker.best(self.path);
        let expected = match expected {
            Value::Array(expected) if array_streams(best) => expected,
            _ => return self.delegate(expected),
        };
        let mut scan = ArrayScan::new(best, expected, self.flat);
        self.cursor.begin_array()?;
        let mut first = true;
        while self.cursor.has_element(&mut first)? {
            match scan.template() {
                Some(template) => {
                    let segment = Segment::Index(scan.len);
                    self.enter_value(segment, Some(&mut scan.element_step), template)?;
                }
                None => {
                    self.cursor.skip_value()?;
                }
            }
            scan.len += 1;
        }
        scan.finish(self.walker, self.path, self.flat);
        Ok(())
    }
}

/// When a scalar comes next at `cursor` and no rule path goes below the recorded `step` into
/// it, the rules that apply to it (`Some(None)` for none): the step decides them, and the
/// selector need not move.
#[inline]
#[allow(clippy::type_complexity)]
fn scalar_after<'r>(
    walker: &Walker<'r, '_>,
    cursor: &mut Cursor<'_>,
    step: &Step,
) -> Result<Option<Option<(&'r RuleList, bool)>>, Unread> {
    Ok((step.active.is_empty()
        && walker.scoped.is_empty()
        && !matches!(cursor.peek()?, b'{' | b'['))
    .then(|| walker.best_after(step)))
}

/// Compares the JSON value at `cursor` with the expected document while reading it, as
/// [`compare_json_from`] does through serde; on [`Unread`], mismatches already appended stay in
/// `out` and the caller reads the text with serde_json instead.
pub(crate) fn compare_json_cursor(
    rules: &PathRules,
    strict: bool,
    kind: MismatchKind,
    expected: &Value,
    cursor: &mut Cursor<'_>,
    out: &mut Vec<Mismatch>,
) -> Result<Shape, Unread> {
    let mut walker = Walker::new(rules, strict, kind, out);
    let mut path = Vec::with_capacity(8);
    let mut flat = FlatObjects::default();
    TextStream {
        walker: &mut walker,
        path: &mut path,
        flat: &mut flat,
        cursor,
    }
    .value(expected)
}

/// The path of everything directly inside the container at `path`.
fn scope_path(path: &[Segment<'_>], wildcard: PathToken) -> PathExpr {
    let mut tokens = vec![PathToken::Root];
    tokens.extend(path.iter().map(|s| match s {
        Segment::Key(k) => PathToken::Field((*k).to_string()),
        Segment::Index(i) => PathToken::Index(*i),
    }));
    tokens.push(wildcard);
    PathExpr::from_tokens(tokens)
}

fn length_check(len: usize, min: Option<usize>, max: Option<usize>) -> Result<(), String> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if let Some(min) = min
        && len < min
    {
        return Err(format!(
            "expected an array with at least {min} element{} but got {len}",
            plural(min)
        ));
    }
    if let Some(max) = max
        && len > max
    {
        return Err(format!(
            "expected an array with at most {max} element{} but got {len}",
            plural(max)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A contract that writes a rule path for every field of every element of a large array
    /// (40,000 paths, as some consumer libraries do) loads and matches in time linear in the
    /// number of paths: the rules are merged by path through a hash index, and the selector's
    /// trie finds a child among thousands of siblings by binary search. When either was a
    /// linear scan this took minutes in a debug build; now it takes about a second.
    #[test]
    fn forty_thousand_rule_paths_load_and_match_quickly() {
        const ELEMENTS: usize = 10_000;
        let started = std::time::Instant::now();
        let mut rules = Map::new();
        let mut expected = Vec::with_capacity(ELEMENTS);
        let mut actual = Vec::with_capacity(ELEMENTS);
        for i in 0..ELEMENTS {
            for (field, rule) in [
                ("id", json!({"match": "integer"})),
                ("name", json!({"match": "type"})),
                ("price", json!({"match": "decimal"})),
                ("sku", json!({"match": "regex", "regex": "[A-Z]{3}-\\d{4}"})),
            ] {
                rules.insert(format!("$.items[{i}].{field}"), json!({"matchers": [rule]}));
            }
            expected.push(json!({"id": 1, "name": "x", "price": 1.5, "sku": "ABC-0001"}));
            actual.push(json!({"id": i, "name": format!("item {i}"), "price": i as f64 + 0.25, "sku": "XYZ-1234"}));
        }
        // One violation, at the last element, must be found with the right rule.
        actual[ELEMENTS - 1]["sku"] = json!("not a sku");
        let rules = PathRules::from_json(&Value::Object(rules), "$").unwrap();
        assert_eq!(rules.entries().len(), 4 * ELEMENTS);
        let mut out = Vec::new();
        compare_json(
            &rules,
            false,
            MismatchKind::Body,
            &json!({"items": expected}),
            &json!({"items": actual}),
            &mut out,
        );
        let found: Vec<String> = out.iter().map(|m| format!("{m}")).collect();
        assert_eq!(out.len(), 1, "{found:?}");
        assert_eq!(out[0].location, format!("$.items[{}].sku", ELEMENTS - 1));
        let elapsed = started.elapsed();
        // Generous for a loaded machine and a debug build; quadratic work took minutes.
        assert!(
            elapsed < std::time::Duration::from_secs(30),
            "40,000 rule paths took {elapsed:?}"
        );
    }

    /// Runs the comparison on both document representations and checks they agree.
    fn check(rules: Value, strict: bool, expected: Value, actual: Value) -> Vec<String> {
        let rules = PathRules::from_json(&rules, "$").unwrap();
        let mut from_value = Vec::new();
        compare_json(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &actual,
            &mut from_value,
        );
        let text = actual.to_string();
        let node = Node::parse(&text).unwrap();
        let mut from_node = Vec::new();
        compare_json(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &node,
            &mut from_node,
        );
        assert_eq!(from_value, from_node, "Value and Node walks agree");
        let mut streamed = Vec::new();
        compare_json_text(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &text,
            &mut streamed,
        )
        .unwrap();
        // Read in place (the way above) and through serde's visitor (the way taken when the
        // cursor leaves a text to serde_json), the same mismatches in the same order.
        let mut in_place = Vec::new();
        let mut cursor = Cursor::new(&text);
        compare_json_cursor(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &mut cursor,
            &mut in_place,
        )
        .unwrap();
        let mut through_serde = Vec::new();
        compare_json_from(
            &rules,
            strict,
            MismatchKind::Body,
            &expected,
            &mut serde_json::Deserializer::from_str(&text),
            &mut through_serde,
        )
        .unwrap();
        assert_eq!(in_place, through_serde, "in place and through serde");
        assert_eq!(in_place, streamed);
        let sorted = |v: &[Mismatch]| {
            let mut v: Vec<String> = v.iter().map(|m| format!("{m:?}")).collect();
            v.sort();
            v
        };
        assert_eq!(
            sorted(&from_value),
            sorted(&streamed),
            "streaming finds the same mismatches"
        );
        from_value
            .into_iter()
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

    #[test]
    fn incremental_selection_agrees_with_full_scan() {
        let rules = PathRules::from_json(
            &json!({
                "$": {"matchers": [{"match": "type"}]},
                "$.a": {"matchers": [{"match": "integer"}]},
                "$.a[*].b": {"matchers": [{"match": "decimal"}]},
                "$.*.b": {"matchers": [{"match": "null"}]},
                "$.a[1].b": {"matchers": [{"match": "boolean"}]},
                "$['a'][*]": {"matchers": [{"match": "number"}]},
                "$.c.*.d": {"matchers": [{"match": "semver"}]}
            }),
            "$",
        )
        .unwrap();
        use Segment::{Index as I, Key as K};
        let paths: Vec<Vec<Segment<'static>>> = vec![
            vec![],
            vec![K("a")],
            vec![K("a"), I(0)],
            vec![K("a"), I(1), K("b")],
            vec![K("a"), I(2), K("b")],
            vec![K("x"), K("b")],
            vec![K("c"), K("q"), K("d")],
            vec![K("c"), K("q"), K("d"), K("e")],
        ];
        for path in paths {
            let mut selector = Selector::new(&rules);
            for s in &path {
                selector.push(*s);
            }
            let incremental = selector.best().map(|(l, _, c)| (l, c));
            assert_eq!(incremental, rules.best(&path), "{path:?}");
        }
    }
}
