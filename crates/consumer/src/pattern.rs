//! Bodies, headers and paths with matchers, written naturally in Rust.
//!
//! A [`Pattern`] is an example value in which some parts carry matching rules ("any integer",
//! "an array of at least one of these") or generators. It compiles into what a contract holds:
//! the example document, rules by path, and generators by path. Build patterns with the helper
//! functions ([`integer`], [`like`], [`each_like`], [`regex()`], ...) and the [`pattern!`](crate::pattern!) macro,
//! which reads like `serde_json::json!`:
//!
//! ```
//! use pactum_consumer::*;
//! let body = pattern!({
//!     "id": integer(10),
//!     "name": like("Widget"),
//!     "tags": each_like("hardware", 1),
//!     "sku": regex(r"[A-Z]{3}-\d{4}", "WID-0001"),
//! });
//! ```

use serde_json::{Map, Value};

use pactum_core::contract::generators::{MockServerUrlRegex, UuidFormat};
use pactum_core::contract::path::{PathExpr, PathToken};
use pactum_core::contract::rules::{
    AnchoredRegex as Regex, ArrayContainsVariant, Combine, DateFormat, MatchingRule, PathRules,
    RuleList, StatusCodes,
};
use pactum_core::contract::{Generator, Generators};
use pactum_core::datetime::DateTimePattern;

/// An example value, parts of which may carry matching rules or generators.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// A plain value: matched by equality (unless a rule above it cascades).
    Value(Value),
    /// An object whose members are patterns.
    Object(Vec<(String, Pattern)>),
    /// An array whose elements are patterns, matched position by position.
    Array(Vec<Pattern>),
    /// An example with rules (and optionally a generator) attached.
    Rule {
        /// The example.
        example: Box<Pattern>,
        /// The rules.
        rules: Vec<Rule>,
        /// How the rules combine.
        combine: Combine,
        /// A generator that replaces the example at replay time.
        generator: Option<Generator>,
    },
    /// An array of elements like `template`, with length limits.
    EachLike {
        /// The element template.
        template: Box<Pattern>,
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: Option<usize>,
    },
}

/// A rule as written in a pattern. Some rules cannot be validated until the pattern is
/// compiled (a regex that does not compile, a bad date format); they are kept as text until
/// then so that declaring an interaction reports them with the interaction's name.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A ready rule.
    Ready(MatchingRule),
    /// A regex, compiled at declaration.
    Regex(String),
    /// `date`, `time` or `datetime` with a Java-style format, compiled at declaration.
    DateTime {
        /// `date`, `time` or `datetime`.
        kind: &'static str,
        /// The format.
        format: String,
    },
    /// `arrayContains` with one pattern per variant.
    ArrayContains(Vec<Pattern>),
    /// `eachKey` / `eachValue` with an inner rule pattern.
    Each {
        /// True for `eachKey`, false for `eachValue`.
        keys: bool,
        /// The inner rules (from a pattern such as `regex(...)`).
        inner: Box<Pattern>,
    },
}

/// A problem with a pattern found while compiling it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PatternError {
    /// Where in the pattern.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

macro_rules! from_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Pattern {
            fn from(v: $t) -> Self {
                Pattern::Value(Value::from(v))
            }
        }
    )*};
}
from_value!(
    &str, String, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool
);

impl From<Value> for Pattern {
    /// A JSON value becomes a plain pattern (objects and arrays are matched member by member).
    fn from(v: Value) -> Self {
        match v {
            Value::Object(map) => Pattern::Object(
                map.into_iter()
                    .map(|(k, v)| (k, Pattern::from(v)))
                    .collect(),
            ),
            Value::Array(items) => Pattern::Array(items.into_iter().map(Pattern::from).collect()),
            other => Pattern::Value(other),
        }
    }
}

impl From<()> for Pattern {
    fn from(_: ()) -> Self {
        Pattern::Value(Value::Null)
    }
}

fn with_rule(example: impl Into<Pattern>, rule: Rule) -> Pattern {
    Pattern::Rule {
        example: Box::new(example.into()),
        rules: vec![rule],
        combine: Combine::And,
        generator: None,
    }
}

fn ready(example: impl Into<Pattern>, rule: MatchingRule) -> Pattern {
    with_rule(example, Rule::Ready(rule))
}

/// Any value of the same type as the example (objects and arrays: same shape, any values).
pub fn like(example: impl Into<Pattern>) -> Pattern {
    ready(
        example,
        MatchingRule::Type {
            min: None,
            max: None,
        },
    )
}

/// Any string.
pub fn string(example: &str) -> Pattern {
    like(example)
}

/// An array of at least `min` elements, each like `template`.
pub fn each_like(template: impl Into<Pattern>, min: usize) -> Pattern {
    Pattern::EachLike {
        template: Box::new(template.into()),
        min,
        max: None,
    }
}

/// An array of `min..=max` elements, each like `template`.
pub fn each_like_between(template: impl Into<Pattern>, min: usize, max: usize) -> Pattern {
    Pattern::EachLike {
        template: Box::new(template.into()),
        min,
        max: Some(max),
    }
}

/// A string matching the regular expression (the whole string must match).
pub fn regex(expression: &str, example: &str) -> Pattern {
    with_rule(example, Rule::Regex(expression.to_string()))
}

/// An integer.
pub fn integer(example: i64) -> Pattern {
    ready(example, MatchingRule::Integer)
}

/// A number with a fractional part.
pub fn decimal(example: f64) -> Pattern {
    ready(example, MatchingRule::Decimal)
}

/// Any number.
pub fn number(example: impl Into<serde_json::Number>) -> Pattern {
    ready(Value::Number(example.into()), MatchingRule::Number)
}

/// `true` or `false`.
pub fn boolean(example: bool) -> Pattern {
    ready(example, MatchingRule::Boolean)
}

/// JSON `null`.
pub fn null() -> Pattern {
    ready(Value::Null, MatchingRule::Null)
}

/// A date in a Java-style format (`yyyy-MM-dd`).
pub fn date(format: &str, example: &str) -> Pattern {
    with_rule(
        example,
        Rule::DateTime {
            kind: "date",
            format: format.into(),
        },
    )
}

/// A time in a Java-style format (`HH:mm:ss`).
pub fn time(format: &str, example: &str) -> Pattern {
    with_rule(
        example,
        Rule::DateTime {
            kind: "time",
            format: format.into(),
        },
    )
}

/// A date-time in a Java-style format (`yyyy-MM-dd'T'HH:mm:ssXXX`).
pub fn datetime(format: &str, example: &str) -> Pattern {
    with_rule(
        example,
        Rule::DateTime {
            kind: "datetime",
            format: format.into(),
        },
    )
}

/// A lower-case hyphenated UUID.
pub fn uuid(example: &str) -> Pattern {
    regex(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        example,
    )
}

/// A UUID that the mock server generates afresh for each response.
pub fn uuid_generated(example: &str) -> Pattern {
    uuid(example).generated_by(Generator::Uuid {
        format: UuidFormat::LowerCaseHyphenated,
    })
}

/// A string containing `fragment`.
pub fn include(fragment: &str, example: &str) -> Pattern {
    ready(example, MatchingRule::Include(fragment.to_string()))
}

/// A map whose values are all like the example's values; the keys may be anything.
pub fn values(example: impl Into<Pattern>) -> Pattern {
    ready(example, MatchingRule::Values)
}

/// A map whose keys all satisfy `key_rule` (a pattern such as `regex(...)`).
pub fn each_key(example: impl Into<Pattern>, key_rule: Pattern) -> Pattern {
    with_rule(
        example,
        Rule::Each {
            keys: true,
            inner: Box::new(key_rule),
        },
    )
}

/// A map or array whose values all satisfy `value_rule` (a pattern such as `integer(1)`).
pub fn each_value(example: impl Into<Pattern>, value_rule: Pattern) -> Pattern {
    with_rule(
        example,
        Rule::Each {
            keys: false,
            inner: Box::new(value_rule),
        },
    )
}

/// An array containing, in any order, an element matching each variant.
pub fn array_contains(variants: Vec<Pattern>) -> Pattern {
    Pattern::Rule {
        example: Box::new(Pattern::Array(variants.clone())),
        rules: vec![Rule::ArrayContains(variants)],
        combine: Combine::And,
        generator: None,
    }
}

/// A non-empty value of the example's type.
pub fn not_empty(example: impl Into<Pattern>) -> Pattern {
    ready(example, MatchingRule::NotEmpty)
}

/// A semantic version (`1.2.3`).
pub fn semver(example: &str) -> Pattern {
    ready(example, MatchingRule::Semver)
}

/// A value the provider supplies from its state: the verifier replaces it with the result of
/// `expression` (`${id}` placeholders filled from the state's values); the example must be of
/// the same type.
pub fn from_provider_state(expression: &str, example: impl Into<Pattern>) -> Pattern {
    like(example).generated_by(Generator::ProviderState {
        expression: expression.to_string(),
        data_type: None,
    })
}

/// A URL pointing at the mock server: the mock server rewrites the example's base URL to its
/// own. `regex` must match the example and capture the part after the base URL in group 1.
pub fn mock_server_url(regex_: &str, example: &str) -> Pattern {
    let pattern = regex(regex_, example);
    match MockServerUrlRegex::new(regex_) {
        Ok(compiled) => pattern.generated_by(Generator::MockServerUrl {
            example: example.to_string(),
            regex: compiled,
        }),
        // The same expression is the pattern's regex rule, which reports it, with the
        // interaction's name, when the interaction is declared.
        Err(_) => pattern,
    }
}

/// Status classes for responses; see [`crate::ResponseBuilder::status_class`].
pub type StatusClass = StatusCodes;

impl Pattern {
    /// Attaches a generator.
    pub fn generated_by(self, generator: Generator) -> Pattern {
        match self {
            Pattern::Rule {
                example,
                rules,
                combine,
                ..
            } => Pattern::Rule {
                example,
                rules,
                combine,
                generator: Some(generator),
            },
            other => Pattern::Rule {
                example: Box::new(other),
                rules: Vec::new(),
                combine: Combine::And,
                generator: Some(generator),
            },
        }
    }

    /// Combines this pattern's rules with another's using OR (e.g. `integer(1).or(null())`);
    /// the example is this pattern's.
    pub fn or(self, other: Pattern) -> Pattern {
        let (example, mut rules, generator) = match self {
            Pattern::Rule {
                example,
                rules,
                generator,
                ..
            } => (example, rules, generator),
            other => (Box::new(other), Vec::new(), None),
        };
        match other {
            Pattern::Rule { rules: more, .. } => rules.extend(more),
            // An array alternative keeps its length limits; a plain value means "equal to it".
            Pattern::EachLike { min, max, .. } => rules.push(Rule::Ready(MatchingRule::Type {
                min: Some(min),
                max,
            })),
            _ => rules.push(Rule::Ready(MatchingRule::Equality)),
        }
        Pattern::Rule {
            example,
            rules,
            combine: Combine::Or,
            generator,
        }
    }

    /// The example value, with every rule's example in place.
    pub fn example(&self) -> Value {
        match self {
            Pattern::Value(v) => v.clone(),
            Pattern::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, p)| (k.clone(), p.example()))
                    .collect::<Map<_, _>>(),
            ),
            Pattern::Array(items) => Value::Array(items.iter().map(Pattern::example).collect()),
            Pattern::Rule { example, .. } => example.example(),
            Pattern::EachLike { template, min, .. } => {
                let one = template.example();
                Value::Array(vec![one; (*min).max(1)])
            }
        }
    }

    /// Compiles the pattern at `root` (normally `$`): adds its rules and generators and returns
    /// the example. Rules that cannot be built (bad regex or date format) are errors.
    pub fn compile_into(
        &self,
        root: Vec<PathToken>,
        rules: &mut PathRules,
        generators: &mut Generators,
    ) -> Result<Value, PatternError> {
        let mut path = root;
        self.compile(&mut path, rules, generators)
    }

    fn compile(
        &self,
        path: &mut Vec<PathToken>,
        rules: &mut PathRules,
        generators: &mut Generators,
    ) -> Result<Value, PatternError> {
        match self {
            Pattern::Value(v) => Ok(v.clone()),
            Pattern::Object(members) => {
                let mut out = Map::new();
                for (key, member) in members {
                    path.push(PathToken::Field(key.clone()));
                    let value = member.compile(path, rules, generators);
                    path.pop();
                    out.insert(key.clone(), value?);
                }
                Ok(Value::Object(out))
            }
            Pattern::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(PathToken::Index(i));
                    let value = item.compile(path, rules, generators);
                    path.pop();
                    out.push(value?);
                }
                Ok(Value::Array(out))
            }
            Pattern::EachLike { template, min, max } => {
                let here = PathExpr::from_tokens(path.clone());
                if let Some(max) = max
                    && max < min
                {
                    return Err(error(
                        &here,
                        format!("each_like: max ({max}) is less than min ({min})"),
                    ));
                }
                rules.add(
                    here,
                    RuleList::single(MatchingRule::Type {
                        min: Some(*min),
                        max: *max,
                    }),
                );
                path.push(PathToken::StarIndex);
                let element = template.compile(path, rules, generators);
                path.pop();
                Ok(Value::Array(vec![element?; (*min).max(1)]))
            }
            Pattern::Rule {
                example,
                rules: list,
                combine,
                generator,
            } => {
                let here = PathExpr::from_tokens(path.clone());
                let mut built = Vec::with_capacity(list.len());
                for rule in list {
                    built.push(build_rule(rule, &here)?);
                }
                let value = example.compile(path, rules, generators)?;
                if !built.is_empty() {
                    rules.add(
                        here.clone(),
                        RuleList {
                            rules: built,
                            combine: *combine,
                        },
                    );
                }
                if let Some(generator) = generator {
                    generators.body.push((here, generator.clone()));
                }
                Ok(value)
            }
        }
    }

    /// The rules of a pattern used for a single value (a header, query parameter or path):
    /// returns the example as text and the rules, if any.
    pub(crate) fn compile_single(
        &self,
        at: &str,
    ) -> Result<(String, Option<RuleList>, Option<Generator>), PatternError> {
        let mut rules = PathRules::default();
        let mut generators = Generators::default();
        let example = self
            .compile_into(vec![PathToken::Root], &mut rules, &mut generators)
            .map_err(|e| PatternError {
                path: at.to_string(),
                message: e.message,
            })?;
        let text = match example {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let list = rules
            .entries()
            .iter()
            .find(|(p, _)| p.is_root())
            .map(|(_, l)| l.clone());
        let generator = generators
            .body
            .into_iter()
            .find(|(p, _)| p.is_root())
            .map(|(_, g)| g);
        Ok((text, list, generator))
    }
}

fn error(at: &PathExpr, message: String) -> PatternError {
    PatternError {
        path: at.as_str().to_string(),
        message,
    }
}

fn build_rule(rule: &Rule, at: &PathExpr) -> Result<MatchingRule, PatternError> {
    Ok(match rule {
        Rule::Ready(rule) => rule.clone(),
        Rule::Regex(source) => {
            MatchingRule::Regex(Regex::new(source).map_err(|e| error(at, e.to_string()))?)
        }
        Rule::DateTime { kind, format } => {
            let pattern = DateTimePattern::parse(format).map_err(|e| error(at, e.to_string()))?;
            let format = DateFormat(Some(pattern));
            match *kind {
                "date" => MatchingRule::Date(format),
                "time" => MatchingRule::Time(format),
                _ => MatchingRule::DateTime(format),
            }
        }
        Rule::ArrayContains(variants) => {
            let mut built = Vec::with_capacity(variants.len());
            for (index, variant) in variants.iter().enumerate() {
                let mut rules = PathRules::default();
                let mut generators = Generators::default();
                variant.compile_into(vec![PathToken::Root], &mut rules, &mut generators)?;
                built.push(ArrayContainsVariant {
                    index,
                    rules,
                    generators: None,
                });
            }
            MatchingRule::ArrayContains(built)
        }
        Rule::Each { keys, inner } => {
            let mut rules = PathRules::default();
            let mut generators = Generators::default();
            inner.compile_into(vec![PathToken::Root], &mut rules, &mut generators)?;
            let list = rules
                .entries()
                .iter()
                .find(|(p, _)| p.is_root())
                .map(|(_, l)| l.clone())
                .ok_or_else(|| {
                    error(
                        at,
                        "each_key/each_value need a rule pattern such as regex(..) or integer(..)"
                            .into(),
                    )
                })?;
            if *keys {
                MatchingRule::EachKey(list)
            } else {
                MatchingRule::EachValue(list)
            }
        }
    })
}

/// Builds a [`Pattern`] with JSON syntax; values are any expression convertible into a
/// pattern (literals, `serde_json::Value`s, or matcher helpers such as `integer(1)`).
#[macro_export]
macro_rules! pattern {
    // Objects.
    ({ $($body:tt)* }) => { $crate::pattern!(@object [] $($body)*) };
    (@object [$($out:expr,)*]) => {
        $crate::Pattern::Object(vec![$($out),*])
    };
    (@object [$($out:expr,)*] $key:literal : { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::pattern!(@object [$($out,)* (String::from($key), $crate::pattern!({ $($inner)* })),] $($($rest)*)?)
    };
    (@object [$($out:expr,)*] $key:literal : [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::pattern!(@object [$($out,)* (String::from($key), $crate::pattern!([ $($inner)* ])),] $($($rest)*)?)
    };
    (@object [$($out:expr,)*] $key:literal : $value:expr $(, $($rest:tt)*)?) => {
        $crate::pattern!(@object [$($out,)* (String::from($key), $crate::Pattern::from($value)),] $($($rest)*)?)
    };
    // Arrays.
    ([ $($body:tt)* ]) => { $crate::pattern!(@array [] $($body)*) };
    (@array [$($out:expr,)*]) => {
        $crate::Pattern::Array(vec![$($out),*])
    };
    (@array [$($out:expr,)*] { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::pattern!(@array [$($out,)* $crate::pattern!({ $($inner)* }),] $($($rest)*)?)
    };
    (@array [$($out:expr,)*] [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::pattern!(@array [$($out,)* $crate::pattern!([ $($inner)* ]),] $($($rest)*)?)
    };
    (@array [$($out:expr,)*] $value:expr $(, $($rest:tt)*)?) => {
        $crate::pattern!(@array [$($out,)* $crate::Pattern::from($value),] $($($rest)*)?)
    };
    // Anything else.
    ($value:expr) => { $crate::Pattern::from($value) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compile(p: &Pattern) -> (Value, Value, Value) {
        let mut rules = PathRules::default();
        let mut generators = Generators::default();
        let example = p
            .compile_into(vec![PathToken::Root], &mut rules, &mut generators)
            .unwrap();
        (example, rules.to_json(), generators.to_json())
    }

    #[test]
    fn the_macro_builds_nested_patterns() {
        let p = pattern!({
            "id": integer(10),
            "name": "Widget",
            "tags": each_like("a", 2),
            "dims": {"w": decimal(1.5), "h": [1, like(2)]},
            "ok": true,
        });
        let (example, rules, _) = compile(&p);
        assert_eq!(
            example,
            json!({"id": 10, "name": "Widget", "tags": ["a", "a"], "dims": {"w": 1.5, "h": [1, 2]}, "ok": true})
        );
        assert_eq!(
            rules,
            json!({
                "$.id": {"matchers": [{"match": "integer"}]},
                "$.tags": {"matchers": [{"match": "type", "min": 2}]},
                "$.dims.w": {"matchers": [{"match": "decimal"}]},
                "$.dims.h[1]": {"matchers": [{"match": "type"}]}
            })
        );
    }

    #[test]
    fn each_like_rules_apply_to_every_element() {
        let p = each_like(pattern!({"id": integer(1)}), 1);
        let (_, rules, _) = compile(&p);
        assert_eq!(rules["$[*].id"]["matchers"][0]["match"], "integer");
    }

    #[test]
    fn generators_are_recorded_at_their_path() {
        let p = pattern!({"id": from_provider_state("${id}", 5), "self": mock_server_url(".*(/items/\\d+)$", "http://x/items/1")});
        let (_, rules, generators) = compile(&p);
        assert_eq!(generators["body"]["$.id"]["type"], "ProviderState");
        assert_eq!(generators["body"]["$.self"]["type"], "MockServerURL");
        assert_eq!(rules["$.self"]["matchers"][0]["match"], "regex");
    }

    #[test]
    fn bad_rules_are_reported_with_their_path() {
        let mut rules = PathRules::default();
        let mut generators = Generators::default();
        let err = pattern!({"a": regex("(", "x")})
            .compile_into(vec![PathToken::Root], &mut rules, &mut generators)
            .unwrap_err();
        assert_eq!(err.path, "$.a");
        let err = pattern!({"d": date("yyyy-MM-dd B", "x")})
            .compile_into(vec![PathToken::Root], &mut rules, &mut generators)
            .unwrap_err();
        assert!(err.message.contains("invalid date/time pattern"), "{err}");
    }

    #[test]
    fn or_combines_rules() {
        let (_, rules, _) = compile(&pattern!({"v": integer(1).or(null())}));
        assert_eq!(rules["$.v"]["combine"], "OR");
        assert_eq!(rules["$.v"]["matchers"].as_array().unwrap().len(), 2);
    }
}
