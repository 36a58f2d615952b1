//! Comparing XML documents under matching rules.
//!
//! Both documents are parsed with `roxmltree` and walked together from the root element. Names
//! compare by namespace URI and local name, so prefixes may differ. At each element:
//!
//! * every expected attribute must be present with an equal value, or one that passes the rules
//!   for `@name`; unexpected attributes are mismatches in requests only (strict mode);
//! * the text (the element's text nodes, concatenated and trimmed) must be equal, or pass the
//!   rules for `#text`, which may also cascade from the element or an ancestor;
//! * child elements are grouped by name (namespace and local name); the order of different
//!   names does not matter. Without a `type` rule on a group the actual element must have at
//!   least the expected members (exactly as many in strict mode), compared in order. With a
//!   `type` rule (on the group, or cascaded from an ancestor, and not overridden by a more
//!   specific `equality`) the examples are a template: each actual member is compared with the
//!   example at its index, or the first one; `min`/`max` declared on the group's path bound the
//!   number of members (declared on the root element, they bound its number of children); and
//!   child names the example does not have are mismatches even in lenient mode. Other
//!   unexpected children fail in strict mode only. Value rules on a group (a regex on the
//!   elements' text, say) do not change how many members are expected.
//!
//! Locations are written `$.root.child[1]['#text']` and `$.root.child[0].@id`: the root
//! element's name is the first step, every other element is its name plus its index among the
//! siblings of that name. Rule paths are matched against the same location spelt three ways,
//! which covers the forms found in contracts: with names only (`$.root.child.@id`), with names
//! and indexes (`$.root.child[*].@id`), and with each element's position among all its sibling
//! elements before its name (`$.root[*].child.@id`, where `$.root[*]` is every child of the
//! root). Names may be written with the expected document's prefixes (`$['ns:root']`) or
//! without. The most specific rule wins, as for JSON.
//!
//! Parse errors are `BodyType` mismatches at `$` naming the side, line and column. Documents
//! with a DTD are refused (entity expansion is a denial-of-service risk), as are documents
//! nested more than [`MAX_DEPTH`] levels deep.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use super::value::{check_text_list, effective};
use super::{Mismatch, MismatchKind, truncate};
use crate::contract::path::{Segment, render_location};
use crate::contract::rules::{Combine, MatchingRule, PathRules, RuleList};

/// Documents nesting elements deeper than this are refused: the parser and the walk both
/// recurse once per level, and must not overflow the stack whatever the input. (`serde_json`
/// refuses JSON nested deeper than 128 levels too.)
const MAX_DEPTH: usize = 128;

/// Compares two XML bodies and appends mismatches to `out`.
pub(crate) fn compare_xml(
    rules: &PathRules,
    strict: bool,
    expected: &str,
    actual: &str,
    out: &mut Vec<Mismatch>,
) {
    let (e, a) = match (parse(expected), parse(actual)) {
        (Ok(e), Ok(a)) => (e, a),
        (e, a) => {
            for (side, result) in [("expected", e.err()), ("actual", a.err())] {
                if let Some(message) = result {
                    out.push(Mismatch {
                        kind: MismatchKind::BodyType,
                        location: "$".into(),
                        expected: Some(truncate(expected)),
                        actual: Some(truncate(actual)),
                        rule: None,
                        message: format!("the {side} body {message}"),
                    });
                }
            }
            return;
        }
    };
    let (e, a) = (e.root_element(), a.root_element());
    let root = Step::of(e, 0, 0);
    if !same_name(e, a) {
        out.push(Mismatch {
            kind: MismatchKind::Body,
            location: render_location(&[Segment::Key(root.qualified)]),
            expected: Some(format!("<{}>", root.qualified)),
            actual: Some(snippet(a)),
            rule: None,
            message: format!(
                "expected root element {} but got {}",
                describe_name(e, a),
                describe_name(a, e)
            ),
        });
        return;
    }
    let mut walker = Walker { rules, strict, out };
    let mut chain = vec![root];
    walker.compare_element(&mut chain, e, a);
}

/// Parses a body. Whitespace (or a byte-order mark) before the XML declaration is tolerated;
/// errors are reported for the text as given. Documents nested deeper than [`MAX_DEPTH`] are
/// refused before parsing, as the parser recurses once per level.
fn parse(text: &str) -> Result<Document<'_>, String> {
    if nested_too_deep(text, MAX_DEPTH) {
        return Err(format!(
            "nests elements more than {MAX_DEPTH} levels deep, which is not supported"
        ));
    }
    let describe = |error: roxmltree::Error| {
        use roxmltree::Error as E;
        let position = match error {
            E::UnclosedRootNode | E::UnexpectedEndOfStream => Some(end_position(text)),
            E::NoRootNode
            | E::DtdDetected
            | E::NodesLimitReached
            | E::AttributesLimitReached
            | E::NamespacesLimitReached => None,
            _ => Some((error.pos().row, error.pos().col)),
        };
        match position {
            Some((line, column)) => {
                format!("is not well-formed XML (line {line}, column {column}): {error}")
            }
            None => format!("is not well-formed XML: {error}"),
        }
    };
    Document::parse(text).or_else(|error| {
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.len() == text.len() {
            Err(describe(error))
        } else {
            Document::parse(trimmed).map_err(|_| describe(error))
        }
    })
}

/// The (line, column) just after the end of `text`, both counted from 1.
fn end_position(text: &str) -> (u32, u32) {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// True if elements open more than `limit` levels deep at some point. A light scan that sees
/// tags as the parser does: comments, CDATA sections, processing instructions and declarations
/// are skipped, and `>` inside quoted attribute values does not end a tag.
fn nested_too_deep(text: &str, limit: usize) -> bool {
    let bytes = text.as_bytes();
    let skip_past = |from: usize, end: &[u8]| -> usize {
        bytes
            .get(from..)
            .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
            .map_or(bytes.len(), |i| from + i + end.len())
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &bytes[i..];
        if rest.starts_with(b"<!--") {
            i = skip_past(i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_past(i + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_past(i + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            i = skip_past(i + 2, b">");
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = skip_past(i + 2, b">");
        } else {
            // An opening tag: find its end outside quoted values.
            let mut j = i + 1;
            let mut quote = None;
            while j < bytes.len() {
                match (quote, bytes[j]) {
                    (None, b'"' | b'\'') => quote = Some(bytes[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            if bytes.get(j - 1) != Some(&b'/') {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            i = j + 1;
        }
    }
    false
}

/// One element on the way from the root to the current node.
#[derive(Debug, Clone, Copy)]
struct Step<'n> {
    /// Local name.
    local: &'n str,
    /// The name as written in the expected document (with its prefix, if any).
    qualified: &'n str,
    /// Index among the sibling elements with the same name.
    same: usize,
    /// Index among all sibling elements.
    all: usize,
}

impl<'n> Step<'n> {
    fn of(node: Node<'_, 'n>, same: usize, all: usize) -> Self {
        let local = node.tag_name().name();
        Step {
            local,
            qualified: written_name(node).unwrap_or(local),
            same,
            all,
        }
    }
}

/// What a rule lookup is about, below the elements of the chain.
#[derive(Debug, Clone, Copy)]
enum Leaf<'n> {
    /// The last element of the chain itself.
    Element,
    /// The children of the last element with this (local, qualified) name, as a group.
    Group(&'n str, &'n str),
    /// An attribute, as (`@local`, `@qualified`).
    Attribute(&'n str, &'n str),
    /// The text of the last element.
    Text,
}

/// The ways a location is spelt when matching rule paths.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `$.root.child.grandchild`
    Names,
    /// `$.root.child[0].grandchild[2]` (also how locations are reported)
    NameIndex,
    /// `$.root[0].child[2].grandchild`: position among all sibling elements, then the name.
    IndexName,
}

fn spell<'n>(
    chain: &[Step<'n>],
    leaf: Leaf<'n>,
    form: Form,
    qualified: bool,
    out: &mut Vec<Segment<'n>>,
) {
    out.clear();
    let pick = |local: &'n str, written: &'n str| if qualified { written } else { local };
    for (depth, step) in chain.iter().enumerate() {
        let name = Segment::Key(pick(step.local, step.qualified));
        if depth == 0 {
            out.push(name);
            continue;
        }
        match form {
            Form::Names => out.push(name),
            Form::NameIndex => {
                out.push(name);
                out.push(Segment::Index(step.same));
            }
            Form::IndexName => {
                out.push(Segment::Index(step.all));
                out.push(name);
            }
        }
    }
    match leaf {
        Leaf::Element => {}
        Leaf::Group(local, written) | Leaf::Attribute(local, written) => {
            out.push(Segment::Key(pick(local, written)));
        }
        Leaf::Text => out.push(Segment::Key("#text")),
    }
}

/// The location as reported in mismatches.
fn location(chain: &[Step<'_>], leaf: Leaf<'_>) -> String {
    let mut path = Vec::with_capacity(chain.len() * 2 + 1);
    spell(chain, leaf, Form::NameIndex, true, &mut path);
    render_location(&path)
}

/// Rules selected for a location, and whether they come from an ancestor.
#[derive(Debug, Clone, Copy)]
struct Selected<'r> {
    list: &'r RuleList,
    cascaded: bool,
}

impl Selected<'_> {
    fn has_type(&self) -> bool {
        self.list
            .rules
            .iter()
            .any(|r| matches!(r, MatchingRule::Type { .. }))
    }

    /// The `min`/`max` bounds of the list's type rules, if declared on this very location.
    fn bounds(&self) -> Vec<(Option<usize>, Option<usize>, &MatchingRule)> {
        if self.cascaded {
            return Vec::new();
        }
        self.list
            .rules
            .iter()
            .filter_map(|r| match r {
                MatchingRule::Type { min, max } if min.is_some() || max.is_some() => {
                    Some((*min, *max, r))
                }
                _ => None,
            })
            .collect()
    }
}

struct Walker<'r, 'o> {
    rules: &'r PathRules,
    strict: bool,
    out: &'o mut Vec<Mismatch>,
}

impl<'r> Walker<'r, '_> {
    /// Every rule entry that applies to a location, with its score: (weight × length over the
    /// best spelling of the location, declared on the location itself rather than inherited).
    fn candidates(&self, chain: &[Step<'_>], leaf: Leaf<'_>) -> Vec<((u64, bool), &'r RuleList)> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let prefixed = chain.iter().any(|s| s.local != s.qualified)
            || matches!(leaf, Leaf::Group(l, q) | Leaf::Attribute(l, q) if l != q);
        let mut spellings = Vec::with_capacity(6);
        for qualified in [false, true] {
            if qualified && !prefixed {
                continue;
            }
            for form in [Form::Names, Form::NameIndex, Form::IndexName] {
                let mut path = Vec::with_capacity(chain.len() * 2 + 1);
                spell(chain, leaf, form, qualified, &mut path);
                spellings.push(path);
            }
        }
        let mut found = Vec::new();
        for (expr, list) in self.rules.entries() {
            let mut entry: Option<(u64, bool)> = None;
            for path in &spellings {
                if let Some(weight) = expr.weight(path) {
                    let key = (
                        weight.saturating_mul(expr.tokens().len() as u64),
                        expr.depth() >= path.len(),
                    );
                    if entry.is_none_or(|k| key > k) {
                        entry = Some(key);
                    }
                }
            }
            if let Some(key) = entry {
                found.push((key, list));
            }
        }
        found
    }

    /// The most specific rules for a location: the greatest score, preferring rules declared
    /// on the location itself over inherited ones, and later entries on a tie (as the JSON
    /// walker does).
    fn select(&self, chain: &[Step<'_>], leaf: Leaf<'_>) -> Option<Selected<'r>> {
        let mut best: Option<((u64, bool), &'r RuleList)> = None;
        for (key, list) in self.candidates(chain, leaf) {
            if best.is_none_or(|(k, _)| key >= k) {
                best = Some((key, list));
            }
        }
        best.map(|((_, exact), list)| Selected {
            list,
            cascaded: !exact,
        })
        .filter(|s| effective(s.list, s.cascaded))
    }

    /// The type rule that makes a group of child elements follow the example as a template:
    /// the most specific rules that say something about the group's shape decide. A list with
    /// a `type` rule turns template matching on, one of only `equality` rules turns it off, and
    /// value rules such as a regex on the elements leave the decision to less specific rules.
    fn template_rule(&self, chain: &[Step<'_>], leaf: Leaf<'_>) -> Option<Selected<'r>> {
        let mut candidates: Vec<(usize, (u64, bool), &'r RuleList)> = self
            .candidates(chain, leaf)
            .into_iter()
            .enumerate()
            .map(|(i, (key, list))| (i, key, list))
            .collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        for (_, (_, exact), list) in candidates {
            let selected = Selected {
                list,
                cascaded: !exact,
            };
            if !effective(list, selected.cascaded) {
                continue;
            }
            if selected.has_type() {
                return Some(selected);
            }
            if list
                .rules
                .iter()
                .all(|r| matches!(r, MatchingRule::Equality))
            {
                return None;
            }
        }
        None
    }

    fn mismatch(
        &mut self,
        location: String,
        expected: String,
        actual: String,
        rule: Option<String>,
        message: String,
    ) {
        self.out.push(Mismatch {
            kind: MismatchKind::Body,
            location,
            expected: Some(expected),
            actual: Some(actual),
            rule,
            message,
        });
    }

    /// Compares two elements with the same name; `chain` ends with the expected element.
    fn compare_element<'e>(&mut self, chain: &mut Vec<Step<'e>>, e: Node<'_, 'e>, a: Node<'_, '_>) {
        // Unreachable after the check in `parse`; kept so the recursion is bounded locally.
        if chain.len() > MAX_DEPTH {
            let message = format!(
                "the document is nested more than {MAX_DEPTH} elements deep; deeper content was not compared"
            );
            self.mismatch(
                location(chain, Leaf::Element),
                snippet(e),
                snippet(a),
                None,
                message,
            );
            return;
        }
        if let Some(selected) = self.select(chain, Leaf::Element)
            && !selected.cascaded
        {
            self.element_rules(chain, selected, a);
        }
        self.compare_attributes(chain, e, a);
        self.compare_text(chain, e, a);
        self.compare_children(chain, e, a);
    }

    /// Rules declared on an element itself: `notEmpty`, and `min`/`max` on the root, which
    /// bound its number of child elements (on other elements they bound the group of elements
    /// of that name, see [`Walker::compare_children`]).
    fn element_rules(&mut self, chain: &[Step<'_>], selected: Selected<'_>, a: Node<'_, '_>) {
        let name = chain.last().map_or("", |s| s.qualified);
        let mut failures = Vec::new();
        if selected
            .list
            .rules
            .iter()
            .any(|r| matches!(r, MatchingRule::NotEmpty))
            && a.attributes().next().is_none()
            && !a.children().any(|c| c.is_element())
            && element_text(a).is_empty()
        {
            failures.push((
                format!("expected a non-empty element <{name}> but it has no content"),
                "notEmpty".to_string(),
            ));
        }
        if chain.len() == 1 {
            let count = a.children().filter(Node::is_element).count();
            for (min, max, rule) in selected.bounds() {
                if let Err((bound, n)) = count_check(count, min, max) {
                    failures.push((
                        format!(
                            "expected <{name}> to have {bound} {n} child element{} but it has {count}",
                            plural(n)
                        ),
                        rule.to_string(),
                    ));
                }
            }
        }
        let or_passed =
            selected.list.combine == Combine::Or && failures.len() < selected.list.rules.len();
        if !or_passed {
            for (message, rule) in failures {
                self.mismatch(
                    location(chain, Leaf::Element),
                    format!("<{name}>"),
                    snippet(a),
                    Some(rule),
                    message,
                );
            }
        }
    }

    fn compare_attributes(&mut self, chain: &[Step<'_>], e: Node<'_, '_>, a: Node<'_, '_>) {
        for ea in e.attributes() {
            let local = format!("@{}", ea.name());
            let written = written_attribute_name(e, &ea).map(|n| format!("@{n}"));
            let leaf = Leaf::Attribute(&local, written.as_deref().unwrap_or(&local));
            let shown = written.as_deref().unwrap_or(&local)[1..].to_string();
            let found = a
                .attributes()
                .find(|aa| aa.name() == ea.name() && aa.namespace() == ea.namespace());
            let Some(aa) = found else {
                let message = format!(
                    "expected attribute '{shown}'='{}' but it was missing",
                    truncate(ea.value())
                );
                self.mismatch(
                    location(chain, leaf),
                    ea.value().to_string(),
                    "<missing>".into(),
                    None,
                    message,
                );
                continue;
            };
            match self.select(chain, leaf) {
                Some(selected) => {
                    for (message, rule) in text_failures(selected, ea.value(), aa.value()) {
                        self.mismatch(
                            location(chain, leaf),
                            ea.value().to_string(),
                            aa.value().to_string(),
                            Some(rule),
                            format!("attribute '{shown}': {message}"),
                        );
                    }
                }
                None if ea.value() != aa.value() => {
                    let message = format!(
                        "expected attribute '{shown}'='{}' but got '{}'",
                        truncate(ea.value()),
                        truncate(aa.value())
                    );
                    self.mismatch(
                        location(chain, leaf),
                        ea.value().to_string(),
                        aa.value().to_string(),
                        None,
                        message,
                    );
                }
                None => {}
            }
        }
        if self.strict {
            for aa in a.attributes() {
                let expected = e
                    .attributes()
                    .any(|ea| ea.name() == aa.name() && ea.namespace() == aa.namespace());
                if !expected {
                    let written = written_attribute_name(a, &aa).unwrap_or(aa.name());
                    let key = format!("@{written}");
                    let message = format!(
                        "unexpected attribute '{written}'='{}'",
                        truncate(aa.value())
                    );
                    self.mismatch(
                        location(chain, Leaf::Attribute(&key, &key)),
                        "<absent>".into(),
                        aa.value().to_string(),
                        None,
                        message,
                    );
                }
            }
        }
    }

    fn compare_text(&mut self, chain: &[Step<'_>], e: Node<'_, '_>, a: Node<'_, '_>) {
        let (et, at) = (element_text(e), element_text(a));
        match self.select(chain, Leaf::Text) {
            // An element that only holds other elements has no value of its own for an
            // inherited rule to judge.
            Some(selected)
                if selected.cascaded && et.is_empty() && e.children().any(|c| c.is_element()) => {}
            Some(selected) => {
                for (message, rule) in text_failures(selected, &et, &at) {
                    self.mismatch(
                        location(chain, Leaf::Text),
                        truncate(&et),
                        truncate(&at),
                        Some(rule),
                        message,
                    );
                }
            }
            None if et != at => {
                let message = match (et.is_empty(), at.is_empty()) {
                    (true, _) => format!("expected no text but got '{}'", truncate(&at)),
                    (_, true) => format!("expected text '{}' but got none", truncate(&et)),
                    _ => format!(
                        "expected text '{}' but got '{}'",
                        truncate(&et),
                        truncate(&at)
                    ),
                };
                self.mismatch(
                    location(chain, Leaf::Text),
                    truncate(&et),
                    truncate(&at),
                    None,
                    message,
                );
            }
            None => {}
        }
    }

    fn compare_children<'e>(
        &mut self,
        chain: &mut Vec<Step<'e>>,
        e: Node<'_, 'e>,
        a: Node<'_, '_>,
    ) {
        let expected = group_children(e);
        let actual = group_children(a);
        let mut actual_index: HashMap<(Option<&str>, &str), usize> = HashMap::new();
        for (i, group) in actual.iter().enumerate() {
            actual_index.insert(group.key, i);
        }

        for group in &expected {
            let Some(&(first, _)) = group.members.first() else {
                continue;
            };
            let step = Step::of(first, 0, 0);
            let leaf = Leaf::Group(step.local, step.qualified);
            let members: &[(Node, usize)] = actual_index
                .get(&group.key)
                .map_or(&[], |&i| actual[i].members.as_slice());
            match self.template_rule(chain, leaf) {
                Some(selected) => {
                    self.compare_group_by_template(chain, selected, &group.members, members);
                }
                None => self.compare_group_in_order(chain, &group.members, members),
            }
        }

        let expected_keys: HashSet<(Option<&str>, &str)> = expected.iter().map(|g| g.key).collect();
        for group in &actual {
            if expected_keys.contains(&group.key) {
                continue;
            }
            let Some(&(first, _)) = group.members.first() else {
                continue;
            };
            let local = first.tag_name().name();
            let written = written_name(first).unwrap_or(local);
            let typed = self.template_rule(chain, Leaf::Group(local, written));
            if !self.strict && typed.is_none() {
                continue;
            }
            let rule = typed.and_then(|s| {
                s.list
                    .rules
                    .iter()
                    .find(|r| matches!(r, MatchingRule::Type { .. }))
                    .map(ToString::to_string)
            });
            // The chain borrows from the expected document; these names come from the actual one.
            let mut path: Vec<Step<'_>> = chain.clone();
            for (i, &(member, all)) in group.members.iter().enumerate() {
                path.push(Step {
                    local,
                    qualified: written,
                    same: i,
                    all,
                });
                let message = if rule.is_some() {
                    format!(
                        "unexpected element <{written}>: the example has no element of that name"
                    )
                } else {
                    format!("unexpected element <{written}>")
                };
                self.mismatch(
                    location(&path, Leaf::Element),
                    "<absent>".into(),
                    snippet(member),
                    rule.clone(),
                    message,
                );
                path.pop();
            }
        }
    }

    /// Without a type rule: the expected members in order; more actual members are fine in
    /// lenient mode only.
    fn compare_group_in_order<'e>(
        &mut self,
        chain: &mut Vec<Step<'e>>,
        expected: &[(Node<'_, 'e>, usize)],
        actual: &[(Node<'_, '_>, usize)],
    ) {
        for (i, &(e, e_all)) in expected.iter().enumerate() {
            match actual.get(i) {
                Some(&(a, a_all)) => {
                    chain.push(Step::of(e, i, a_all));
                    self.compare_element(chain, e, a);
                    chain.pop();
                }
                None => {
                    chain.push(Step::of(e, i, e_all));
                    let name = chain.last().map_or("", |s| s.qualified);
                    let message = if actual.is_empty() {
                        format!("expected element <{name}> but it was missing")
                    } else {
                        format!(
                            "expected element <{name}> but it was missing ({} of {} present)",
                            actual.len(),
                            expected.len()
                        )
                    };
                    self.mismatch(
                        location(chain, Leaf::Element),
                        snippet(e),
                        "<missing>".into(),
                        None,
                        message,
                    );
                    chain.pop();
                }
            }
        }
        if self.strict {
            let Some(&(first, _)) = expected.first() else {
                return;
            };
            for (i, &(a, a_all)) in actual.iter().enumerate().skip(expected.len()) {
                chain.push(Step::of(first, i, a_all));
                let name = chain.last().map_or("", |s| s.qualified);
                let message = format!(
                    "unexpected element <{name}> (expected {} but got {})",
                    expected.len(),
                    actual.len()
                );
                self.mismatch(
                    location(chain, Leaf::Element),
                    "<absent>".into(),
                    snippet(a),
                    None,
                    message,
                );
                chain.pop();
            }
        }
    }

    /// With a type rule: each actual member is compared with the example at its index, or
    /// the first example; `min`/`max` declared on the group bound the number of members.
    fn compare_group_by_template<'e>(
        &mut self,
        chain: &mut Vec<Step<'e>>,
        selected: Selected<'_>,
        expected: &[(Node<'_, 'e>, usize)],
        actual: &[(Node<'_, '_>, usize)],
    ) {
        let Some(&(first, first_all)) = expected.first() else {
            return;
        };
        let template = Step::of(first, 0, first_all);
        let leaf = Leaf::Group(template.local, template.qualified);
        let name = template.qualified;

        let bounds = selected.bounds();
        let mut failures = Vec::new();
        for &(min, max, rule) in &bounds {
            if let Err((bound, n)) = count_check(actual.len(), min, max) {
                failures.push((
                    format!(
                        "expected {bound} {n} <{name}> element{} but got {}",
                        plural(n),
                        actual.len()
                    ),
                    rule.to_string(),
                ));
            }
        }
        let or_passed =
            selected.list.combine == Combine::Or && failures.len() < selected.list.rules.len();
        let count_failed = !failures.is_empty() && !or_passed;
        if count_failed {
            for (message, rule) in failures {
                self.mismatch(
                    location(chain, leaf),
                    format!("{} <{name}>", expected.len()),
                    format!("{} <{name}>", actual.len()),
                    Some(rule),
                    message,
                );
            }
        }

        if actual.is_empty() {
            let allowed = bounds.iter().any(|(min, _, _)| *min == Some(0));
            if !allowed && !count_failed {
                chain.push(template);
                let message = format!("expected element <{name}> but it was missing");
                self.mismatch(
                    location(chain, Leaf::Element),
                    snippet(first),
                    "<missing>".into(),
                    None,
                    message,
                );
                chain.pop();
            }
            return;
        }
        for (i, &(a, a_all)) in actual.iter().enumerate() {
            let (e, _) = expected.get(i).copied().unwrap_or((first, first_all));
            chain.push(Step::of(e, i, a_all));
            self.compare_element(chain, e, a);
            chain.pop();
        }
    }
}

/// Child elements of one name, in document order, each with its index among all sibling
/// elements.
struct Group<'a, 'i> {
    key: (Option<&'a str>, &'i str),
    members: Vec<(Node<'a, 'i>, usize)>,
}

/// The element children of `node`, grouped by (namespace, local name) in order of first
/// appearance.
fn group_children<'a, 'i>(node: Node<'a, 'i>) -> Vec<Group<'a, 'i>> {
    let mut groups: Vec<Group<'a, 'i>> = Vec::new();
    let mut index: HashMap<(Option<&'a str>, &'i str), usize> = HashMap::new();
    for (all, child) in node.children().filter(Node::is_element).enumerate() {
        let name = child.tag_name();
        let key = (name.namespace(), name.name());
        match index.get(&key) {
            Some(&i) => groups[i].members.push((child, all)),
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    key,
                    members: vec![(child, all)],
                });
            }
        }
    }
    groups
}

/// Applies rules to a text value (an attribute or an element's text). Rules about the shape
/// of containers (`values`, `eachKey`, `eachValue`, `arrayContains`) say nothing about text,
/// which is also why they never cascade.
fn text_failures(selected: Selected<'_>, expected: &str, actual: &str) -> Vec<(String, String)> {
    if selected.list.rules.iter().all(MatchingRule::cascades) {
        return check_text_list(selected.list, expected, actual);
    }
    let list = RuleList {
        rules: selected
            .list
            .rules
            .iter()
            .filter(|r| r.cascades())
            .cloned()
            .collect(),
        combine: selected.list.combine,
    };
    if list.rules.is_empty() {
        return Vec::new();
    }
    check_text_list(&list, expected, actual)
}

/// `Err(("at least", 2))` when `count` is outside the bounds.
fn count_check(
    count: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), (&'static str, usize)> {
    if let Some(min) = min
        && count < min
    {
        return Err(("at least", min));
    }
    if let Some(max) = max
        && count > max
    {
        return Err(("at most", max));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The element's text nodes, concatenated and trimmed.
fn element_text(node: Node<'_, '_>) -> String {
    let mut text = String::new();
    for child in node.children().filter(Node::is_text) {
        if let Some(t) = child.text() {
            text.push_str(t);
        }
    }
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

fn same_name(e: Node<'_, '_>, a: Node<'_, '_>) -> bool {
    e.tag_name().name() == a.tag_name().name()
        && e.tag_name().namespace() == a.tag_name().namespace()
}

/// `<name>`, with the namespace when it differs from the other element's.
fn describe_name(node: Node<'_, '_>, other: Node<'_, '_>) -> String {
    let name = node.tag_name();
    let local = written_name(node).unwrap_or(name.name());
    if name.namespace() == other.tag_name().namespace() {
        format!("<{local}>")
    } else {
        match name.namespace() {
            Some(ns) => format!("<{local}> in namespace '{ns}'"),
            None => format!("<{local}> in no namespace"),
        }
    }
}

/// The element's name as written in its document, prefix included.
fn written_name<'i>(node: Node<'_, 'i>) -> Option<&'i str> {
    let text = node.document().input_text();
    let start = node.range().start.checked_add(1)?;
    let rest = text.get(start..)?;
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    let name = rest.get(..end)?;
    let local = node.tag_name().name();
    (name == local || name.strip_suffix(local).is_some_and(|p| p.ends_with(':'))).then_some(name)
}

/// The attribute's name as written in its document, prefix included.
fn written_attribute_name<'i>(
    node: Node<'_, 'i>,
    attribute: &roxmltree::Attribute<'_, 'i>,
) -> Option<&'i str> {
    let name = node.document().input_text().get(attribute.range_qname())?;
    let local = attribute.name();
    (name == local || name.strip_suffix(local).is_some_and(|p| p.ends_with(':'))).then_some(name)
}

/// The element's source text, shortened, for mismatch reports.
fn snippet(node: Node<'_, '_>) -> String {
    let text = node.document().input_text();
    match text.get(node.range()) {
        Some(source) => truncate(source),
        None => format!("<{}>", node.tag_name().name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn run(rules: Value, strict: bool, expected: &str, actual: &str) -> Vec<Mismatch> {
        let rules = PathRules::from_json(&rules, "$").unwrap();
        let mut out = Vec::new();
        compare_xml(&rules, strict, expected, actual, &mut out);
        out
    }

    fn check(rules: Value, strict: bool, expected: &str, actual: &str) -> Vec<String> {
        run(rules, strict, expected, actual)
            .into_iter()
            .map(|m| format!("{}: {}", m.location, m.message))
            .collect()
    }

    fn regex(pattern: &str) -> Value {
        json!({"matchers": [{"match": "regex", "regex": pattern}]})
    }

    fn type_rule(min: Option<usize>, max: Option<usize>) -> Value {
        let mut rule = json!({"match": "type"});
        if let Some(min) = min {
            rule["min"] = json!(min);
        }
        if let Some(max) = max {
            rule["max"] = json!(max);
        }
        json!({"matchers": [rule]})
    }

    #[test]
    fn names_compare_by_namespace_uri_and_local_name() {
        let expected = r#"<a:zoo xmlns:a="urn:zoo" xmlns:n="urn:names" n:id="1"><a:cage/></a:zoo>"#;
        let actual = r#"<zoo xmlns="urn:zoo" xmlns:x="urn:names" x:id="1"><cage/></zoo>"#;
        assert!(check(json!({}), true, expected, actual).is_empty());

        assert_eq!(
            check(
                json!({}),
                false,
                r#"<a:zoo xmlns:a="urn:zoo"/>"#,
                r#"<a:zoo xmlns:a="urn:farm"/>"#
            ),
            vec![
                "$.a:zoo: expected root element <a:zoo> in namespace 'urn:zoo' but got <a:zoo> in namespace 'urn:farm'"
            ]
        );
        // A default namespace the expectation does not have changes the element's name.
        assert_eq!(
            check(json!({}), false, "<zoo/>", r#"<zoo xmlns="urn:zoo"/>"#).len(),
            1
        );
        // A child in another namespace is a different element.
        assert_eq!(
            check(
                json!({}),
                false,
                r#"<zoo xmlns:a="urn:a"><a:cage/></zoo>"#,
                r#"<zoo xmlns:b="urn:b"><b:cage/></zoo>"#
            ),
            vec!["$.zoo.a:cage[0]: expected element <a:cage> but it was missing"]
        );
        // Unprefixed attributes are in no namespace, whatever the default namespace.
        assert_eq!(
            check(
                json!({}),
                true,
                r#"<zoo xmlns="urn:zoo" id="1"/>"#,
                r#"<z:zoo xmlns:z="urn:zoo" z:id="1"/>"#
            ),
            vec![
                "$.zoo.@id: expected attribute 'id'='1' but it was missing",
                "$.zoo.@z:id: unexpected attribute 'z:id'='1'"
            ]
        );
    }

    #[test]
    fn rule_paths_may_use_the_expected_prefixes_or_local_names() {
        let expected = r#"<a:zoo xmlns:a="urn:zoo"><a:cage id="1"/></a:zoo>"#;
        let actual = r#"<zoo xmlns="urn:zoo"><cage id="x"/></zoo>"#;
        for path in [
            "$.a:zoo.a:cage.@id",
            "$['a:zoo']['a:cage'][*]['@id']",
            "$.zoo.cage.@id",
        ] {
            let out = check(json!({ path: regex("\\d+") }), true, expected, actual);
            assert_eq!(
                out,
                vec![
                    "$.a:zoo.a:cage[0].@id: attribute 'id': expected a value matching the regex '\\d+' but got 'x'"
                ],
                "{path}"
            );
        }
    }

    #[test]
    fn attributes() {
        let expected = r#"<pet name="Mary" age="3"/>"#;
        assert!(check(json!({}), true, expected, r#"<pet age="3" name="Mary"/>"#).is_empty());
        assert_eq!(
            check(json!({}), false, expected, r#"<pet age="4"/>"#),
            vec![
                "$.pet.@name: expected attribute 'name'='Mary' but it was missing",
                "$.pet.@age: expected attribute 'age'='3' but got '4'"
            ]
        );
        // Unexpected attributes: a mismatch for requests only.
        let extra = r#"<pet name="Mary" age="3" phone=""/>"#;
        assert_eq!(
            check(json!({}), true, expected, extra),
            vec!["$.pet.@phone: unexpected attribute 'phone'=''"]
        );
        assert!(check(json!({}), false, expected, extra).is_empty());
        // Namespace declarations are not attributes.
        assert!(
            check(
                json!({}),
                true,
                expected,
                r#"<pet xmlns:x="urn:x" name="Mary" age="3"/>"#
            )
            .is_empty()
        );
        // Rules on attributes, also through the element.
        let rules = json!({"$.pet['@age']": {"matchers": [{"match": "integer"}]}});
        assert!(
            check(
                rules.clone(),
                true,
                expected,
                r#"<pet name="Mary" age="12"/>"#
            )
            .is_empty()
        );
        assert_eq!(
            check(rules, true, expected, r#"<pet name="Mary" age="old"/>"#),
            vec!["$.pet.@age: attribute 'age': expected an integer but got 'old'"]
        );
        let rules = json!({"$.pet": type_rule(None, None)});
        assert!(check(rules, true, expected, r#"<pet name="Fred" age="7"/>"#).is_empty());
    }

    #[test]
    fn repeated_elements_without_rules() {
        let expected = "<zoo><pet>cat</pet><pet>dog</pet><keeper/></zoo>";
        // Groups of different names may come in any order; members of a group may not.
        assert!(
            check(
                json!({}),
                true,
                expected,
                "<zoo><keeper/><pet>cat</pet><pet>dog</pet></zoo>"
            )
            .is_empty()
        );
        assert_eq!(
            check(
                json!({}),
                false,
                expected,
                "<zoo><pet>dog</pet><pet>cat</pet><keeper/></zoo>"
            )
            .len(),
            2
        );
        assert_eq!(
            check(json!({}), false, expected, "<zoo><pet>cat</pet></zoo>"),
            vec![
                "$.zoo.pet[1]: expected element <pet> but it was missing (1 of 2 present)",
                "$.zoo.keeper[0]: expected element <keeper> but it was missing"
            ]
        );
        // More members, or other children: fine for responses, not for requests.
        let more = "<zoo><pet>cat</pet><pet>dog</pet><pet>eel</pet><keeper/><vet/></zoo>";
        assert!(check(json!({}), false, expected, more).is_empty());
        assert_eq!(
            check(json!({}), true, expected, more),
            vec![
                "$.zoo.pet[2]: unexpected element <pet> (expected 2 but got 3)",
                "$.zoo.vet[0]: unexpected element <vet>"
            ]
        );
    }

    #[test]
    fn repeated_elements_with_type_min_and_max() {
        let rules = json!({"$.zoo.pet": type_rule(Some(2), Some(3))});
        let expected = r#"<zoo><pet name="Tom"/></zoo>"#;
        assert!(
            check(
                rules.clone(),
                true,
                expected,
                r#"<zoo><pet name="A"/><pet name="B"/></zoo>"#
            )
            .is_empty()
        );
        assert_eq!(
            check(
                rules.clone(),
                true,
                expected,
                r#"<zoo><pet name="A"/></zoo>"#
            ),
            vec!["$.zoo.pet: expected at least 2 <pet> elements but got 1"]
        );
        let four = r#"<zoo><pet name="A"/><pet name="B"/><pet name="C"/><pet/></zoo>"#;
        assert_eq!(
            check(rules, true, expected, four),
            vec![
                "$.zoo.pet: expected at most 3 <pet> elements but got 4",
                "$.zoo.pet[3].@name: expected attribute 'name'='Tom' but it was missing"
            ]
        );
        // Under a type rule the example is a template: other element names fail even for
        // responses.
        assert_eq!(
            check(
                json!({"$.zoo": type_rule(None, None)}),
                false,
                expected,
                r#"<zoo><pet name="A"/><pet name="B"/><cat/></zoo>"#
            ),
            vec!["$.zoo.cat[0]: unexpected element <cat>: the example has no element of that name"]
        );
        // min/max on the root bound its children; min 0 allows a missing group.
        let rules = json!({"$.zoo": type_rule(Some(2), None)});
        assert_eq!(
            check(rules, false, expected, r#"<zoo><pet name="A"/></zoo>"#),
            vec!["$.zoo: expected <zoo> to have at least 2 child elements but it has 1"]
        );
        let rules = json!({"$.zoo.pet": type_rule(Some(0), None)});
        assert!(check(rules, true, expected, "<zoo/>").is_empty());
        assert_eq!(
            check(
                json!({"$.zoo.pet": type_rule(None, None)}),
                true,
                expected,
                "<zoo/>"
            ),
            vec!["$.zoo.pet[0]: expected element <pet> but it was missing"]
        );
    }

    #[test]
    fn template_members_follow_the_example_at_their_index() {
        let rules = json!({"$.zoo": type_rule(None, None)});
        let expected = r#"<zoo><pet kind="cat" claws="5"/><pet kind="fish" fins="2"/></zoo>"#;
        let actual = r#"<zoo><pet kind="dog" claws="4"/><pet kind="eel" fins="1"/><pet kind="cow" claws="4"/></zoo>"#;
        assert!(check(rules.clone(), true, expected, actual).is_empty());
        assert_eq!(
            check(
                rules,
                true,
                expected,
                r#"<zoo><pet kind="dog" fins="4"/></zoo>"#
            ),
            vec![
                "$.zoo.pet[0].@claws: expected attribute 'claws'='5' but it was missing",
                "$.zoo.pet[0].@fins: unexpected attribute 'fins'='4'"
            ]
        );
    }

    #[test]
    fn equality_stops_a_cascading_type_rule() {
        let rules = json!({
            "$.zoo": type_rule(None, None),
            "$.zoo.pet": {"matchers": [{"match": "equality"}]}
        });
        assert_eq!(
            check(
                rules,
                false,
                "<zoo><pet>cat</pet></zoo>",
                "<zoo><pet>dog</pet></zoo>"
            ),
            vec!["$.zoo.pet[0].#text: expected 'cat' but got 'dog'"]
        );
    }

    #[test]
    fn value_rules_on_elements_do_not_change_how_many_are_expected() {
        let rules = json!({"$.a.colour": regex("red|blue")});
        let expected = "<a><colour>red</colour><colour>blue</colour></a>";
        assert!(
            check(
                rules.clone(),
                true,
                expected,
                "<a><colour>blue</colour><colour>red</colour></a>"
            )
            .is_empty()
        );
        assert_eq!(
            check(
                rules.clone(),
                true,
                expected,
                "<a><colour>blue</colour><colour>red</colour><colour>red</colour></a>"
            ),
            vec!["$.a.colour[2]: unexpected element <colour> (expected 2 but got 3)"]
        );
        assert_eq!(
            check(
                rules,
                true,
                expected,
                "<a><colour>blue</colour><colour>green</colour></a>"
            ),
            vec![
                "$.a.colour[1].#text: expected a value matching the regex 'red|blue' but got 'green'"
            ]
        );
    }

    #[test]
    fn text_with_regex_rules_in_each_path_form() {
        let expected = "<dates><date>29/10/2015</date></dates>";
        let actual =
            "<dates><date>01/11/2010</date><date>15/12/2014</date><date>2015-06-30</date></dates>";
        for path in [
            "$.dates.date['#text']",
            "$.dates.date[*]['#text']",
            "$.dates[*].date.#text",
            "$.dates.date",
        ] {
            let rules =
                json!({"$.dates": type_rule(Some(1), None), path: regex("\\d{2}/\\d{2}/\\d{4}")});
            assert_eq!(
                check(rules, false, expected, actual),
                vec![
                    "$.dates.date[2].#text: expected a value matching the regex '\\d{2}/\\d{2}/\\d{4}' but got '2015-06-30'"
                ],
                "{path}"
            );
        }
        // Without a rule, text is compared trimmed.
        assert!(check(json!({}), true, "<a>  x </a>", "<a>\n x\n</a>").is_empty());
        assert_eq!(
            check(json!({}), true, "<a>x</a>", "<a/>"),
            vec!["$.a.#text: expected text 'x' but got none"]
        );
        // An inherited rule does not judge the (empty) text of an element holding elements.
        let rules = json!({"$.a": regex("\\d+")});
        assert!(check(rules, true, "<a><b>1</b></a>", "<a><b>22</b></a>").is_empty());
    }

    #[test]
    fn parse_errors_are_body_type_mismatches() {
        let out = run(json!({}), true, "<a>", "<a/>");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, MismatchKind::BodyType);
        assert_eq!(out[0].location, "$");
        assert!(
            out[0]
                .message
                .starts_with("the expected body is not well-formed XML (line 1, column 4)"),
            "{}",
            out[0].message
        );
        let out = run(json!({}), false, "<a/>", "<a>\n  <b></c>\n</a>");
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .message
                .starts_with("the actual body is not well-formed XML (line 2, column"),
            "{}",
            out[0].message
        );
        assert_eq!(run(json!({}), false, "", "not xml").len(), 2);
        let out = run(
            json!({}),
            false,
            "<a/>",
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
        );
        assert_eq!(
            out[0].message,
            "the actual body is not well-formed XML: XML with DTD detected"
        );
        // Whitespace before the declaration is tolerated.
        assert!(check(json!({}), true, "\n <?xml version=\"1.0\"?><a/>", "<a/>").is_empty());
    }

    #[test]
    fn mismatch_locations_and_details() {
        let expected =
            "<alligator><colours><colour>red</colour><colour>blue</colour></colours></alligator>";
        let actual =
            "<alligator><colours><colour>red</colour><colour>taupe</colour></colours></alligator>";
        let out = run(json!({}), false, expected, actual);
        assert_eq!(out.len(), 1);
        let m = &out[0];
        assert_eq!(m.kind, MismatchKind::Body);
        assert_eq!(m.location, "$.alligator.colours[0].colour[1].#text");
        assert_eq!(m.expected.as_deref(), Some("blue"));
        assert_eq!(m.actual.as_deref(), Some("taupe"));
        assert_eq!(m.rule, None);
        assert_eq!(m.message, "expected text 'blue' but got 'taupe'");
        assert_eq!(
            check(json!({}), false, "<a/>", "<b/>"),
            vec!["$.a: expected root element <a> but got <b>"]
        );
    }

    #[test]
    fn never_panics() {
        // The parser recurses per level: deep documents are refused before parsing.
        let nest = |n: usize| format!("{}{}", "<a x='>'>".repeat(n), "</a>".repeat(n));
        let out = run(
            json!({"$.a": type_rule(None, None)}),
            true,
            &nest(5000),
            &nest(5000),
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0].kind, MismatchKind::BodyType);
        assert!(
            out[1].message.contains("more than 128 levels deep"),
            "{out:?}"
        );
        assert!(
            check(
                json!({"$.a": type_rule(None, None)}),
                true,
                &nest(128),
                &nest(128)
            )
            .is_empty()
        );
        let flat = format!(
            "<a>{}</a>",
            "<b/><!-- <c> --><![CDATA[<d>]]><?p <e>?>".repeat(5000)
        );
        assert!(check(json!({}), true, &flat, &flat).is_empty());
        for text in [
            "",
            "<",
            "<a",
            "<?xml?>",
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
            "<a>&unknown;</a>",
            "\u{feff}<a/>",
            "<a xmlns:p='urn:p'><p:b p:c='1'/></a>",
            "<a><![CDATA[x]]>y<!-- c --><?pi x?></a>",
        ] {
            for other in ["<a/>", text] {
                let _ = check(json!({"$": type_rule(Some(1), None)}), true, text, other);
                let _ = check(json!({}), false, other, text);
            }
        }
    }

    fn tree() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just("<a/>".to_string()),
            Just("<b x='1'/>".to_string()),
            "[a-c1 ]{0,3}".prop_map(|t| format!("<c>{t}</c>")),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            (
                prop::sample::select(vec!["a", "b", "p:c"]),
                prop::collection::vec(inner, 0..4),
                any::<bool>(),
            )
                .prop_map(|(name, children, attribute)| {
                    let ns = if name.starts_with("p:") {
                        " xmlns:p='urn:p'"
                    } else {
                        ""
                    };
                    let attribute = if attribute { " y='2'" } else { "" };
                    format!("<{name}{ns}{attribute}>{}</{name}>", children.concat())
                })
        })
    }

    proptest::proptest! {
        #[test]
        fn any_text_compares_without_panicking(
            expected in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..12),
            actual in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..12),
            rules in proptest::sample::select(RULE_SETS),
            strict: bool,
        ) {
            let rules: Value = serde_json::from_str(rules).unwrap();
            let _ = run(rules, strict, &expected.concat(), &actual.concat());
        }

        #[test]
        fn documents_match_themselves_and_never_panic(
            expected in tree(),
            actual in tree(),
            rules in proptest::sample::select(RULE_SETS),
            strict: bool,
        ) {
            let rules: Value = serde_json::from_str(rules).unwrap();
            let _ = run(rules, strict, &expected, &actual);
            let plain = run(Value::Object(Default::default()), strict, &expected, &expected);
            proptest::prop_assert!(plain.is_empty(), "{:?}", plain);
            let typed = run(json!({"$": type_rule(None, None)}), strict, &expected, &expected);
            proptest::prop_assert!(typed.is_empty(), "{:?}", typed);
        }
    }

    const FRAGMENTS: &[&str] = &[
        "<a>",
        "</a>",
        "<b x='1'>",
        "</b>",
        "<p:c xmlns:p='urn:p'>",
        "</p:c>",
        "<a/>",
        "text",
        " ",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "&amp;",
        "&bad;",
        "<",
        ">",
        "\"",
        "<?xml version='1.0'?>",
        "<!DOCTYPE a>",
        "\u{feff}",
        "é",
        "<p:d/>",
        "/>",
    ];

    const RULE_SETS: &[&str] = &[
        "{}",
        r#"{"$": {"matchers": [{"match": "type", "min": 1, "max": 2}]}}"#,
        r#"{"$.a": {"matchers": [{"match": "type", "min": 2}]}, "$.a.b['@x']": {"matchers": [{"match": "regex", "regex": "\\d"}]}}"#,
        r#"{"$.*.*": {"combine": "OR", "matchers": [{"match": "notEmpty"}, {"match": "integer"}]}}"#,
        r#"{"$[*].p:c[*]": {"matchers": [{"match": "eachValue", "rules": [{"match": "type"}]}]}, "$.a.b": {"matchers": [{"match": "equality"}]}}"#,
        r#"{"$.a.c.#text": {"matchers": [{"match": "values"}, {"match": "date", "format": "yyyy"}]}}"#,
    ];
}
