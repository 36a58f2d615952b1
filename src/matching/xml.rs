//! XML bodies (placeholder until the XML walker lands): compares the documents as text.

use super::{Mismatch, MismatchKind};
use crate::contract::rules::PathRules;

pub(crate) fn compare_xml(
    _rules: &PathRules,
    _strict: bool,
    expected: &str,
    actual: &str,
    out: &mut Vec<Mismatch>,
) {
    if expected != actual {
        out.push(Mismatch {
            kind: MismatchKind::Body,
            location: "$".into(),
            expected: Some(expected.into()),
            actual: Some(actual.into()),
            rule: None,
            message: "XML differs".into(),
        });
    }
}
