//! A contract's regular expression narrowed to ASCII, for the values that are ASCII.
//!
//! Rust's `regex` reads `\d`, `\w`, `\s` and `\b` as Unicode classes, and compiling a Unicode
//! class builds UTF-8 automata with tables of several hundred kilobytes: for `[A-Z]{3}-\d{4}`,
//! ~100 page faults of fresh memory, about a twentieth of a whole `pactum match` run. On a
//! value made of ASCII characters only, every class can only match its ASCII members and a word
//! boundary sees only ASCII neighbours, so the expression with each class intersected with
//! ASCII and each Unicode word boundary made an ASCII one gives the same answer — and compiles
//! without those tables. [`Narrowed`] says when that form differs, and whether the full form
//! can safely wait until a value needs it. Compiling an expression that parses can fail by
//! exceeding the compiled size limit (the caller also checks the anchored text against the
//! nesting limit), so the full form is compiled when the expression is read unless its size has
//! a bound under the limit.

use regex_syntax::hir::{Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};
use regex_syntax::hir::{Look, Repetition};

/// The `regex` crate's default limit on a compiled expression's size.
const SIZE_LIMIT: u64 = 10 << 20;

/// Half of it for the ASCII form, half for what the Unicode classes may add to it.
pub(crate) const ASCII_SIZE_LIMIT: usize = (SIZE_LIMIT / 2) as usize;

/// Bytes a non-ASCII class adds to a compiled expression at most, per range and fixed. The
/// reverse automaton the `regex` crate also builds costs the most: measured (the size limit a
/// class alone needs), 63 bytes per range for `\w`, 190 for `\S`, 271 for ranges of astral
/// code points, 306 for `\P{Noncharacter_Code_Point}`; a range is at most 7 UTF-8 sequences of
/// 4 bytes. A test checks the bound against the compiler for such classes.
const PER_RANGE: u64 = 1024;
const PER_CLASS: u64 = 4096;

/// How an expression reads on ASCII values.
pub(crate) enum Narrowed {
    /// The expression has nothing beyond ASCII: one form serves every value.
    Same,
    /// The expression narrowed to ASCII (printed as an expression), and whether the full form
    /// can be compiled when first needed (its size is bounded well under the limit).
    Ascii { pattern: String, lazy_full: bool },
}

impl Narrowed {
    pub(crate) fn of(hir: &Hir) -> Narrowed {
        let narrowed = narrow(hir);
        if narrowed == *hir {
            return Narrowed::Same;
        }
        Narrowed::Ascii {
            pattern: narrowed.to_string(),
            lazy_full: unicode_size_bound(hir) <= SIZE_LIMIT - ASCII_SIZE_LIMIT as u64,
        }
    }
}

fn narrow(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) if !class.is_ascii() => {
            let mut class = class.clone();
            class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Look(look) => Hir::look(ascii_look(*look)),
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(narrow(&repetition.sub)),
            ..repetition.clone()
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(narrow(&capture.sub)),
            ..capture.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(narrow).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(narrow).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => hir.clone(),
    }
}

/// The ASCII form of a Unicode word-boundary assertion (others are unchanged).
fn ascii_look(look: Look) -> Look {
    match look {
        Look::WordUnicode => Look::WordAscii,
        Look::WordUnicodeNegate => Look::WordAsciiNegate,
        Look::WordStartUnicode => Look::WordStartAscii,
        Look::WordEndUnicode => Look::WordEndAscii,
        Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
        Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
        other => other,
    }
}

/// An upper bound on what the expression's non-ASCII classes add to its compiled size, with
/// every repetition counted as many times as it can be unrolled.
fn unicode_size_bound(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) if !class.is_ascii() => {
            PER_CLASS + PER_RANGE * class.ranges().len() as u64
        }
        HirKind::Repetition(repetition) => {
            let copies = repetition.max.unwrap_or(repetition.min).max(repetition.min);
            unicode_size_bound(&repetition.sub).saturating_mul(u64::from(copies) + 1)
        }
        HirKind::Capture(capture) => unicode_size_bound(&capture.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs
            .iter()
            .map(unicode_size_bound)
            .fold(0, u64::saturating_add),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn hir(pattern: &str) -> Hir {
        regex_syntax::Parser::new().parse(pattern).unwrap()
    }

    #[test]
    fn only_expressions_beyond_ascii_are_narrowed() {
        for pattern in ["[A-Z]{3}-[0-9]{4}", "a.b", "(?-u:\\b)x", "^abc$", "é+"] {
            let narrowed = Narrowed::of(&hir(pattern));
            // `.` is every character but a newline: beyond ASCII, so narrowed.
            assert_eq!(
                matches!(narrowed, Narrowed::Same),
                pattern != "a.b",
                "{pattern}"
            );
        }
        let Narrowed::Ascii { pattern, lazy_full } = Narrowed::of(&hir(r"[A-Z]{3}-\d{4}")) else {
            panic!("\\d is Unicode");
        };
        assert_eq!(pattern, r"(?:[A-Z]{3}\-[0-9]{4})");
        assert!(lazy_full);
    }

    #[test]
    fn large_repetitions_of_unicode_classes_are_compiled_up_front() {
        // `\w{1000}` exceeds the size limit when compiled in full (a contract with it is an
        // error when read): its full form must not wait.
        assert!(Regex::new(r"^(?:\w{1000})$").is_err());
        let Narrowed::Ascii { lazy_full, .. } = Narrowed::of(&hir(r"\w{1000}")) else {
            panic!("\\w is Unicode");
        };
        assert!(!lazy_full);
        let Narrowed::Ascii { lazy_full, .. } = Narrowed::of(&hir(r"\w{1,3}@\w+")) else {
            panic!("\\w is Unicode");
        };
        assert!(lazy_full);
        // Compiled alone, the ASCII form of this fits in half the limit, the full one does not.
        let Narrowed::Ascii { lazy_full, .. } = Narrowed::of(&hir(r"a{150000}\D{464}")) else {
            panic!("\\D is Unicode");
        };
        assert!(!lazy_full);
    }

    #[test]
    fn the_size_bound_holds_for_the_costliest_classes() {
        let mut astral = String::from("[");
        for i in 0..128u32 {
            let from = 0x1_003f + i * 0x2000;
            astral.push_str(&format!("\\x{{{from:X}}}-\\x{{{:X}}}", from + 0x1000));
        }
        astral.push(']');
        for pattern in [
            r"\w",
            r"\W",
            r"\D",
            r"\S",
            r"\P{Noncharacter_Code_Point}",
            r"(?i)\p{Lu}",
            &astral,
        ] {
            let bound = unicode_size_bound(&hir(pattern));
            let built = regex::RegexBuilder::new(pattern)
                .size_limit(bound as usize)
                .build();
            assert!(
                built.is_ok(),
                "{pattern} needs more than its bound, {bound} bytes"
            );
        }
    }

    /// Expressions built from the constructs whose meaning depends on Unicode.
    fn pattern() -> impl Strategy<Value = String> {
        let atom = prop::sample::select(vec![
            r"\d",
            r"\w",
            r"\s",
            r"\D",
            r"\W",
            r"\S",
            ".",
            r"[^a]",
            r"[a-zé]",
            r"\p{Greek}",
            r"\P{L}",
            "(?i)k",
            "(?i)s",
            "(?i)[a-c]",
            "a",
            "é",
            "1",
            "-",
            " ",
            r"\b",
            r"\B",
            r"\b{start}",
            r"\b{end}",
            "(?s:.)",
            "(?m:^)",
            "(?-u:[a-c])",
        ]);
        let atoms = prop::collection::vec(atom, 1..5).prop_map(|atoms| atoms.concat());
        (
            atoms.clone(),
            atoms,
            prop::sample::select(vec!["", "+", "*", "?", "{2}", "{1,3}"]),
        )
            .prop_map(|(a, b, repeat)| format!("(?:{a}){repeat}|{b}"))
    }

    proptest! {
        #![proptest_config(crate::test_support::proptest_config(1024))]

        /// On ASCII values the narrowed expression answers as the full one does.
        #[test]
        fn the_narrowed_form_agrees_on_ascii_values(
            pattern in pattern(),
            values in prop::collection::vec("[aAkKsS1 _\\-.\\n]{0,6}", 1..12),
        ) {
            let full = Regex::new(&format!("^(?:{pattern})$")).unwrap();
            if let Narrowed::Ascii { pattern: narrowed, .. } = Narrowed::of(&hir(&pattern)) {
                let ascii = Regex::new(&format!("^(?:{narrowed})$")).unwrap();
                for value in &values {
                    prop_assert_eq!(ascii.is_match(value), full.is_match(value), "{} on {:?}", narrowed, value);
                }
            }
        }
    }
}
