//! Date/time patterns in the style of Java's `DateTimeFormatter`, as used by Pact.
//!
//! Pact's `date`, `time` and `datetime`/`timestamp` matching rules carry a `format`
//! written in the pattern language of `java.time.format.DateTimeFormatter` (for
//! example `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`), and the `Date`, `Time` and `DateTime`
//! generators use the same patterns to render values. This module compiles such a
//! pattern once with [`DateTimePattern::parse`], then checks strings against it with
//! [`DateTimePattern::matches`] or renders a moment with [`DateTimePattern::format`].
//! When a rule gives no format, [`is_iso_date`], [`is_iso_time`] and
//! [`is_iso_datetime`] check ISO-8601 shapes.
//!
//! What this module is not: a general date parser, or a full port of Java's
//! formatter. `matches` only answers yes or no and never builds a date value. Text
//! (month names, day names, AM/PM, eras) is English only. Fields that depend on the
//! locale in Java (`Y`, `w`, `W`, `e`, `c`) follow ISO-8601 rules (weeks start on
//! Monday and the first week of a year has at least four days). Time-zone ids and
//! names are checked by their shape, not looked up in a time-zone database.

use std::fmt::Write as _;

use jiff::Zoned;
use jiff::civil::{Date, ISOWeekDate, Weekday};

/// How many optional sections a pattern may contain. Matching tries each section
/// both with and without its content, so this bounds the recursion depth.
const MAX_OPTIONAL_SECTIONS: usize = 32;

/// How many "try the optional section" branches one `matches` call may take before
/// it gives up and reports no match. Only crafted patterns get near this.
const MAX_BRANCHES: u32 = 4096;

/// The largest offset Java accepts, in seconds (18 hours).
const MAX_OFFSET_SECONDS: i64 = 18 * 3600;

/// A compiled pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
///
/// Build one with [`DateTimePattern::parse`], then reuse it: matching does not
/// allocate.
#[derive(Debug, Clone)]
pub struct DateTimePattern {
    source: String,
    ops: Vec<Op>,
    /// A precompiled layout when the pattern is only fixed-width numbers and literals (the
    /// common `yyyy-MM-dd'T'HH:mm:ss`), checked without the general matcher.
    fixed: Option<Fixed>,
}

/// A pattern made of fixed-width numeric fields and ASCII literals: positions are known in
/// advance, so matching is a length check, byte comparisons and range checks.
#[derive(Debug, Clone)]
struct Fixed {
    len: usize,
    literals: Vec<(usize, u8)>,
    /// (offset, width, kind); `None` kind is a fraction of a second (any digits).
    fields: Vec<(usize, usize, Option<NumKind>)>,
}

impl Fixed {
    /// The layout of `ops`, if they qualify: only literals and fixed-width year (4 digits),
    /// month, day, hour, minute, second and fraction fields, each kind at most once.
    fn of(ops: &[Op]) -> Option<Fixed> {
        let mut fixed = Fixed {
            len: 0,
            literals: Vec::new(),
            fields: Vec::new(),
        };
        for op in ops {
            match op {
                Op::Literal(text) if text.is_ascii() => {
                    for b in text.bytes() {
                        fixed.literals.push((fixed.len, b));
                        fixed.len += 1;
                    }
                }
                Op::Field(Field::Number(n)) if n.min == n.max && !n.signed && !n.reduced => {
                    let width = usize::from(n.min);
                    let ok = match n.kind {
                        NumKind::YearOfEra | NumKind::Year => width == 4,
                        NumKind::Month
                        | NumKind::Day
                        | NumKind::Hour
                        | NumKind::Minute
                        | NumKind::Second => width == 2,
                        _ => false,
                    };
                    if !ok || fixed.fields.iter().any(|(_, _, k)| *k == Some(n.kind)) {
                        return None;
                    }
                    fixed.fields.push((fixed.len, width, Some(n.kind)));
                    fixed.len += width;
                }
                Op::Field(Field::Fraction { digits })
                    if !fixed.fields.iter().any(|(_, _, k)| k.is_none()) =>
                {
                    fixed.fields.push((fixed.len, usize::from(*digits), None));
                    fixed.len += usize::from(*digits);
                }
                _ => return None,
            }
        }
        // Both year kinds together need the general consistency check.
        let years = fixed
            .fields
            .iter()
            .filter(|(_, _, k)| matches!(k, Some(NumKind::YearOfEra | NumKind::Year)))
            .count();
        (years <= 1).then_some(fixed)
    }

    fn matches(&self, value: &[u8]) -> bool {
        if value.len() != self.len || self.literals.iter().any(|&(at, b)| value[at] != b) {
            return false;
        }
        let (mut year, mut month, mut day) = (None, None, None);
        for &(at, width, kind) in &self.fields {
            // Digits checked and read in one pass; a fraction's value is not needed.
            let mut n = 0i64;
            for &byte in &value[at..at + width] {
                let digit = byte.wrapping_sub(b'0');
                if digit > 9 {
                    return false;
                }
                if kind.is_some() {
                    n = n * 10 + i64::from(digit);
                }
            }
            let in_range = match kind {
                Some(NumKind::YearOfEra) => n >= 1,
                Some(NumKind::Year) => true,
                Some(NumKind::Month) => (1..=12).contains(&n),
                Some(NumKind::Day) => (1..=31).contains(&n),
                Some(NumKind::Hour) => n <= 23,
                Some(NumKind::Minute | NumKind::Second) => n <= 59,
                _ => true,
            };
            if !in_range {
                return false;
            }
            match kind {
                Some(NumKind::YearOfEra | NumKind::Year) => year = Some(n),
                Some(NumKind::Month) => month = Some(n),
                Some(NumKind::Day) => day = Some(n),
                _ => {}
            }
        }
        match (year, month, day) {
            (Some(y), Some(m), Some(d)) => {
                jiff::civil::Date::new(y as i16, m as i8, d as i8).is_ok()
            }
            // Without a year, 29 February is possible.
            (None, Some(m), Some(d)) => {
                d <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize]
            }
            _ => true,
        }
    }
}

/// Why a pattern could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date/time pattern '{pattern}' at character {position}: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// Zero-based index, in characters (not bytes), of the offending part of the pattern.
    pub position: usize,
    /// What is wrong there.
    pub reason: String,
}

/// One step of a compiled pattern.
#[derive(Debug, Clone)]
enum Op {
    /// Text that must appear as is (from quotes or non-letter characters).
    Literal(Box<str>),
    /// Start of an optional section; `end` is the index of its `OptionalEnd`.
    OptionalStart { end: usize },
    /// End of an optional section.
    OptionalEnd,
    /// A pattern letter run.
    Field(Field),
}

#[derive(Debug, Clone, Copy)]
enum Field {
    Number(Number),
    /// `S`: exactly `digits` digits of fraction of second.
    Fraction {
        digits: u8,
    },
    Text {
        kind: TextKind,
        style: Style,
    },
    /// `V`/`VV`.
    ZoneId,
    /// `z` (short) / `zzzz` (full).
    ZoneName {
        full: bool,
    },
    /// `O`/`OOOO`, and `ZZZZ` (full, with `Z` accepted).
    GmtOffset {
        full: bool,
        zulu: bool,
    },
    /// `X`, `x` and `Z`/`ZZ`/`ZZZ`/`ZZZZZ`.
    IsoOffset {
        style: OffsetStyle,
        zulu: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Number {
    kind: NumKind,
    /// Fewest digits accepted; also the zero-padding width when formatting.
    min: u8,
    /// Most digits accepted.
    max: u8,
    /// A leading `+` or `-` is accepted (`u`).
    signed: bool,
    /// Two-digit year with base 2000 (`yy`, `uu`, `YY`).
    reduced: bool,
    /// Digits to leave for the fixed-width numeric fields that directly follow
    /// (Java's "adjacent value parsing", e.g. `yMMdd`).
    reserve: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumKind {
    YearOfEra,
    Year,
    WeekYear,
    DayOfYear,
    Month,
    Day,
    Quarter,
    WeekOfYear,
    WeekOfMonth,
    AlignedWeekOfMonth,
    DayOfWeek,
    Hour,
    ClockHour,
    HourOfAmPm,
    ClockHourOfAmPm,
    Minute,
    Second,
    MilliOfDay,
    NanoOfSecond,
    NanoOfDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Era,
    Month,
    Quarter,
    DayOfWeek,
    AmPm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Short,
    Full,
    Narrow,
}

/// Shape of an ISO-style offset (`+HH`, `+HHMM`, `+HH:MM`, ...).
#[derive(Debug, Clone, Copy)]
struct OffsetStyle {
    colon: bool,
    minutes_optional: bool,
    seconds_allowed: bool,
}

/// Values seen while matching, so that fields can be checked against each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Era,
    YearOfEra,
    Year,
    WeekYear,
    DayOfYear,
    Month,
    Day,
    Quarter,
    WeekOfYear,
    WeekOfMonth,
    AlignedWeekOfMonth,
    DayOfWeek,
    AmPm,
    HourOfAmPm,
    Hour,
    Minute,
    Second,
    Nano,
    MilliOfDay,
    NanoOfDay,
    Offset,
}

const SLOT_COUNT: usize = Slot::Offset as usize + 1;

#[derive(Debug, Clone, Copy, Default)]
struct Parsed {
    values: [Option<i64>; SLOT_COUNT],
}

impl Parsed {
    fn get(&self, slot: Slot) -> Option<i64> {
        self.values[slot as usize]
    }

    /// Records a value; false if the same field was already seen with another value.
    fn set(&mut self, slot: Slot, value: i64) -> bool {
        let entry = &mut self.values[slot as usize];
        match *entry {
            Some(old) => old == value,
            None => {
                *entry = Some(value);
                true
            }
        }
    }
}

const MONTHS_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS_FULL: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DAYS_SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const QUARTERS_FULL: [&str; 4] = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];
const QUARTERS_SHORT: [&str; 4] = ["Q1", "Q2", "Q3", "Q4"];

/// Accepted spellings when matching text: (text, value). A negative value means
/// the text does not identify a single value (narrow names) and is not recorded.
const ERA_SHORT: &[(&str, i64)] = &[("AD", 1), ("BC", 0)];
const ERA_FULL: &[(&str, i64)] = &[("Anno Domini", 1), ("Before Christ", 0)];
const ERA_NARROW: &[(&str, i64)] = &[("A", 1), ("B", 0)];
const AM_PM: &[(&str, i64)] = &[("AM", 0), ("PM", 1)];
const MONTH_SHORT_TEXT: &[(&str, i64)] = &[
    ("Jan", 1),
    ("Feb", 2),
    ("Mar", 3),
    ("Apr", 4),
    ("May", 5),
    ("Jun", 6),
    ("Jul", 7),
    ("Aug", 8),
    ("Sep", 9),
    ("Sept", 9),
    ("Oct", 10),
    ("Nov", 11),
    ("Dec", 12),
];
const MONTH_FULL_TEXT: &[(&str, i64)] = &[
    ("January", 1),
    ("February", 2),
    ("March", 3),
    ("April", 4),
    ("May", 5),
    ("June", 6),
    ("July", 7),
    ("August", 8),
    ("September", 9),
    ("October", 10),
    ("November", 11),
    ("December", 12),
];
const MONTH_NARROW_TEXT: &[(&str, i64)] = &[
    ("J", -1),
    ("F", -1),
    ("M", -1),
    ("A", -1),
    ("S", -1),
    ("O", -1),
    ("N", -1),
    ("D", -1),
];
const DAY_SHORT_TEXT: &[(&str, i64)] = &[
    ("Mon", 1),
    ("Tue", 2),
    ("Wed", 3),
    ("Thu", 4),
    ("Fri", 5),
    ("Sat", 6),
    ("Sun", 7),
];
const DAY_FULL_TEXT: &[(&str, i64)] = &[
    ("Monday", 1),
    ("Tuesday", 2),
    ("Wednesday", 3),
    ("Thursday", 4),
    ("Friday", 5),
    ("Saturday", 6),
    ("Sunday", 7),
];
const DAY_NARROW_TEXT: &[(&str, i64)] = &[("M", -1), ("T", -1), ("W", -1), ("F", -1), ("S", -1)];
const QUARTER_SHORT_TEXT: &[(&str, i64)] = &[("Q1", 1), ("Q2", 2), ("Q3", 3), ("Q4", 4)];
const QUARTER_FULL_TEXT: &[(&str, i64)] = &[
    ("1st quarter", 1),
    ("2nd quarter", 2),
    ("3rd quarter", 3),
    ("4th quarter", 4),
];

/// English long names for common zone abbreviations, used by `zzzz` when formatting.
const ZONE_FULL_NAMES: &[(&str, &str)] = &[
    ("UTC", "Coordinated Universal Time"),
    ("GMT", "Greenwich Mean Time"),
    ("BST", "British Summer Time"),
    ("WET", "Western European Standard Time"),
    ("WEST", "Western European Summer Time"),
    ("CET", "Central European Standard Time"),
    ("CEST", "Central European Summer Time"),
    ("EET", "Eastern European Standard Time"),
    ("EEST", "Eastern European Summer Time"),
    ("EST", "Eastern Standard Time"),
    ("EDT", "Eastern Daylight Time"),
    ("CST", "Central Standard Time"),
    ("CDT", "Central Daylight Time"),
    ("MST", "Mountain Standard Time"),
    ("MDT", "Mountain Daylight Time"),
    ("PST", "Pacific Standard Time"),
    ("PDT", "Pacific Daylight Time"),
    ("JST", "Japan Standard Time"),
    ("AEST", "Australian Eastern Standard Time"),
    ("AEDT", "Australian Eastern Daylight Time"),
];

impl DateTimePattern {
    /// Compiles a Java `DateTimeFormatter` pattern.
    ///
    /// # Errors
    ///
    /// Fails on unknown or unsupported pattern letters, on too many repetitions
    /// of a letter for its field (`MMMMMM`, `ddd`), on an unterminated quote, on a
    /// `]` without a matching `[`, and on the reserved characters `#`, `{` and `}`.
    /// An optional section left open at the end of the pattern is closed there, as
    /// Java does.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let error = |position: usize, reason: String| PatternError {
            pattern: pattern.to_owned(),
            position,
            reason,
        };
        let chars: Vec<char> = pattern.chars().collect();
        let mut ops: Vec<Op> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut sections = 0usize;
        let mut literal = String::new();
        let flush = |literal: &mut String, ops: &mut Vec<Op>| {
            if !literal.is_empty() {
                ops.push(Op::Literal(std::mem::take(literal).into_boxed_str()));
            }
        };

        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c.is_ascii_alphabetic() {
                let start = i;
                while chars.get(i) == Some(&c) {
                    i += 1;
                }
                let field = build_field(c, i - start).map_err(|reason| error(start, reason))?;
                flush(&mut literal, &mut ops);
                ops.push(Op::Field(field));
                continue;
            }
            match c {
                '\'' => {
                    let start = i;
                    i += 1;
                    if chars.get(i) == Some(&'\'') {
                        literal.push('\'');
                        i += 1;
                        continue;
                    }
                    loop {
                        match chars.get(i) {
                            None => {
                                return Err(error(start, "unterminated quoted text".to_owned()));
                            }
                            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                                literal.push('\'');
                                i += 2;
                            }
                            Some('\'') => {
                                i += 1;
                                break;
                            }
                            Some(&other) => {
                                literal.push(other);
                                i += 1;
                            }
                        }
                    }
                }
                '[' => {
                    sections += 1;
                    if sections > MAX_OPTIONAL_SECTIONS {
                        return Err(error(
                            i,
                            format!("more than {MAX_OPTIONAL_SECTIONS} optional sections"),
                        ));
                    }
                    flush(&mut literal, &mut ops);
                    open.push(ops.len());
                    ops.push(Op::OptionalStart { end: 0 });
                    i += 1;
                }
                ']' => {
                    let Some(start) = open.pop() else {
                        return Err(error(i, "']' without a matching '['".to_owned()));
                    };
                    flush(&mut literal, &mut ops);
                    let end = ops.len();
                    ops.push(Op::OptionalEnd);
                    ops[start] = Op::OptionalStart { end };
                    i += 1;
                }
                '#' | '{' | '}' => {
                    return Err(error(
                        i,
                        format!("'{c}' is reserved for future use; quote it to use it as text"),
                    ));
                }
                _ => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        flush(&mut literal, &mut ops);
        while let Some(start) = open.pop() {
            let end = ops.len();
            ops.push(Op::OptionalEnd);
            ops[start] = Op::OptionalStart { end };
        }
        compute_reserves(&mut ops);
        let fixed = Fixed::of(&ops);
        Ok(Self {
            source: pattern.to_owned(),
            ops,
            fixed,
        })
    }

    /// The original pattern text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `value` is written in this pattern.
    ///
    /// Besides the shape, values are checked: each field must be in range, the
    /// date must exist when year, month and day are all present (so
    /// `2023-02-29` fails and `2024-02-29` passes), and fields that say the same
    /// thing twice (a day name and a full date, `H` and `h`+`a`, a quarter and a
    /// month, a field repeated) must agree. Month and day names, eras and AM/PM are
    /// matched without regard to ASCII case. Never panics and does not allocate.
    pub fn matches(&self, value: &str) -> bool {
        match &self.fixed {
            Some(fixed) => fixed.matches(value.as_bytes()),
            None => self.matches_generally(value),
        }
    }

    /// The general matcher, which handles every pattern.
    fn matches_generally(&self, value: &str) -> bool {
        let mut budget = MAX_BRANCHES;
        self.run(0, value.as_bytes(), 0, Parsed::default(), &mut budget)
    }

    /// Renders `at` with this pattern. Optional sections are rendered.
    ///
    /// Text is English; fractions are truncated to the number of `S` letters;
    /// `V`/`VV` give the IANA zone name, or the offset when the zone has none; `z`
    /// gives the zone abbreviation (or `GMT+HH:MM` when the zone has no alphabetic
    /// one).
    pub fn format(&self, at: &Zoned) -> String {
        let mut out = String::with_capacity(self.source.len() + 16);
        for op in &self.ops {
            match op {
                Op::Literal(text) => out.push_str(text),
                Op::OptionalStart { .. } | Op::OptionalEnd => {}
                Op::Field(field) => field.format(at, &mut out),
            }
        }
        out
    }

    fn run(
        &self,
        mut ip: usize,
        input: &[u8],
        mut pos: usize,
        mut parsed: Parsed,
        budget: &mut u32,
    ) -> bool {
        while let Some(op) = self.ops.get(ip) {
            match op {
                Op::Literal(text) => {
                    let text = text.as_bytes();
                    match input.get(pos..pos + text.len()) {
                        Some(found) if found == text => pos += text.len(),
                        _ => return false,
                    }
                }
                Op::OptionalStart { end } => {
                    if *budget == 0 {
                        return false;
                    }
                    *budget -= 1;
                    if self.run(ip + 1, input, pos, parsed, budget) {
                        return true;
                    }
                    ip = end + 1;
                    continue;
                }
                Op::OptionalEnd => {}
                Op::Field(field) => match field.parse(input, pos, &mut parsed) {
                    Some(next) => pos = next,
                    None => return false,
                },
            }
            ip += 1;
        }
        pos == input.len() && parsed.is_consistent()
    }
}

/// Builds the field for `count` repetitions of pattern letter `letter`.
fn build_field(letter: char, count: usize) -> Result<Field, String> {
    let too_many = |max: usize| -> Result<(), String> {
        if count > max {
            Err(format!(
                "too many pattern letters '{letter}' ({count}); at most {max} allowed"
            ))
        } else {
            Ok(())
        }
    };
    let num = |kind: NumKind, min: usize, max: usize| {
        Field::Number(Number {
            kind,
            min: min as u8,
            max: max as u8,
            signed: false,
            reduced: false,
            reserve: 0,
        })
    };
    // `count` is at most 19 wherever it reaches a `u8`, thanks to `too_many`.
    let field = match letter {
        'G' => {
            too_many(5)?;
            Field::Text {
                kind: TextKind::Era,
                style: text_style(count),
            }
        }
        'y' | 'u' | 'Y' => {
            too_many(9)?;
            let kind = match letter {
                'y' => NumKind::YearOfEra,
                'u' => NumKind::Year,
                _ => NumKind::WeekYear,
            };
            let (min, max) = match count {
                1 => (1, 9),
                2 => (2, 2),
                3 => (3, 9),
                n => (n, n),
            };
            Field::Number(Number {
                kind,
                min: min as u8,
                max: max as u8,
                signed: letter == 'u',
                reduced: count == 2,
                reserve: 0,
            })
        }
        'D' => {
            too_many(3)?;
            num(NumKind::DayOfYear, count, 3)
        }
        'M' | 'L' => {
            too_many(5)?;
            match count {
                1 => num(NumKind::Month, 1, 2),
                2 => num(NumKind::Month, 2, 2),
                n => Field::Text {
                    kind: TextKind::Month,
                    style: text_style(n),
                },
            }
        }
        'd' => {
            too_many(2)?;
            num(NumKind::Day, count, 2)
        }
        'Q' | 'q' => {
            too_many(5)?;
            match count {
                1 | 5 => num(NumKind::Quarter, 1, 1),
                2 => num(NumKind::Quarter, 2, 2),
                n => Field::Text {
                    kind: TextKind::Quarter,
                    style: text_style(n),
                },
            }
        }
        'w' => {
            too_many(2)?;
            num(NumKind::WeekOfYear, count, 2)
        }
        'W' => {
            too_many(1)?;
            num(NumKind::WeekOfMonth, 1, 1)
        }
        'F' => {
            too_many(1)?;
            num(NumKind::AlignedWeekOfMonth, 1, 1)
        }
        'E' => {
            too_many(5)?;
            Field::Text {
                kind: TextKind::DayOfWeek,
                style: text_style(count),
            }
        }
        'e' | 'c' => {
            too_many(5)?;
            match count {
                1 => num(NumKind::DayOfWeek, 1, 1),
                2 if letter == 'e' => num(NumKind::DayOfWeek, 2, 2),
                2 => return Err("pattern letter 'c' cannot appear twice".to_owned()),
                n => Field::Text {
                    kind: TextKind::DayOfWeek,
                    style: text_style(n),
                },
            }
        }
        'a' => {
            too_many(1)?;
            Field::Text {
                kind: TextKind::AmPm,
                style: Style::Short,
            }
        }
        'h' | 'K' | 'k' | 'H' | 'm' | 's' => {
            too_many(2)?;
            let kind = match letter {
                'h' => NumKind::ClockHourOfAmPm,
                'K' => NumKind::HourOfAmPm,
                'k' => NumKind::ClockHour,
                'H' => NumKind::Hour,
                'm' => NumKind::Minute,
                _ => NumKind::Second,
            };
            num(kind, count, 2)
        }
        'S' => {
            too_many(9)?;
            Field::Fraction {
                digits: count as u8,
            }
        }
        'A' | 'n' | 'N' => {
            too_many(19)?;
            let (kind, widest) = match letter {
                'A' => (NumKind::MilliOfDay, 8),
                'n' => (NumKind::NanoOfSecond, 9),
                _ => (NumKind::NanoOfDay, 14),
            };
            if count == 1 {
                num(kind, 1, widest)
            } else {
                num(kind, count, count)
            }
        }
        'V' => {
            too_many(2)?;
            Field::ZoneId
        }
        'z' => {
            too_many(4)?;
            Field::ZoneName { full: count == 4 }
        }
        'O' => match count {
            1 | 4 => Field::GmtOffset {
                full: count == 4,
                zulu: false,
            },
            _ => return Err("pattern letter 'O' must appear once or four times".to_owned()),
        },
        'X' | 'x' => {
            too_many(5)?;
            Field::IsoOffset {
                style: iso_offset_style(count),
                zulu: letter == 'X',
            }
        }
        'Z' => {
            too_many(5)?;
            match count {
                1..=3 => Field::IsoOffset {
                    style: iso_offset_style(2),
                    zulu: false,
                },
                4 => Field::GmtOffset {
                    full: true,
                    zulu: true,
                },
                _ => Field::IsoOffset {
                    style: iso_offset_style(5),
                    zulu: true,
                },
            }
        }
        'B' | 'p' | 'v' | 'g' => {
            return Err(format!(
                "pattern letter '{letter}' is reserved by Java but not supported"
            ));
        }
        _ => return Err(format!("unknown pattern letter '{letter}'")),
    };
    Ok(field)
}

fn text_style(count: usize) -> Style {
    match count {
        0..=3 => Style::Short,
        4 => Style::Full,
        _ => Style::Narrow,
    }
}

/// The offset shape of `X`/`x` repeated `count` times (1 to 5).
fn iso_offset_style(count: usize) -> OffsetStyle {
    let (colon, minutes_optional, seconds_allowed) = match count {
        1 => (false, true, false),
        2 => (false, false, false),
        3 => (true, false, false),
        4 => (false, false, true),
        _ => (true, false, true),
    };
    OffsetStyle {
        colon,
        minutes_optional,
        seconds_allowed,
    }
}

/// Width in digits of a field that always has the same width, if it is one.
fn fixed_width(op: &Op) -> Option<usize> {
    match op {
        Op::Field(Field::Number(n)) if n.min == n.max && !n.signed => Some(n.min as usize),
        Op::Field(Field::Fraction { digits }) => Some(*digits as usize),
        _ => None,
    }
}

/// For each variable-width number, counts the digits needed by the fixed-width
/// numbers that directly follow it, so `yMMdd` can match `20240229`.
fn compute_reserves(ops: &mut [Op]) {
    for i in 0..ops.len() {
        let variable = matches!(&ops[i], Op::Field(Field::Number(n)) if n.min < n.max);
        if !variable {
            continue;
        }
        let reserve: usize = ops[i + 1..].iter().map_while(fixed_width).sum();
        if let Op::Field(Field::Number(n)) = &mut ops[i] {
            n.reserve = reserve;
        }
    }
}

impl NumKind {
    /// Accepted range of the number as written.
    fn range(self, reduced: bool) -> (i64, i64) {
        if reduced {
            return (0, 99);
        }
        match self {
            NumKind::YearOfEra => (1, 999_999_999),
            NumKind::Year | NumKind::WeekYear => (-999_999_999, 999_999_999),
            NumKind::DayOfYear => (1, 366),
            NumKind::Month => (1, 12),
            NumKind::Day => (1, 31),
            NumKind::Quarter => (1, 4),
            NumKind::WeekOfYear => (1, 53),
            NumKind::WeekOfMonth => (0, 6),
            NumKind::AlignedWeekOfMonth => (1, 5),
            NumKind::DayOfWeek => (1, 7),
            NumKind::Hour => (0, 23),
            NumKind::ClockHour => (1, 24),
            NumKind::HourOfAmPm => (0, 11),
            NumKind::ClockHourOfAmPm => (1, 12),
            NumKind::Minute | NumKind::Second => (0, 59),
            NumKind::MilliOfDay => (0, 86_399_999),
            NumKind::NanoOfSecond => (0, 999_999_999),
            NumKind::NanoOfDay => (0, 86_399_999_999_999),
        }
    }

    /// Where a matched value is recorded, and in which unit.
    fn store(self, value: i64, reduced: bool) -> (Slot, i64) {
        let year = if reduced { 2000 + value } else { value };
        match self {
            NumKind::YearOfEra => (Slot::YearOfEra, year),
            NumKind::Year => (Slot::Year, year),
            NumKind::WeekYear => (Slot::WeekYear, year),
            NumKind::DayOfYear => (Slot::DayOfYear, value),
            NumKind::Month => (Slot::Month, value),
            NumKind::Day => (Slot::Day, value),
            NumKind::Quarter => (Slot::Quarter, value),
            NumKind::WeekOfYear => (Slot::WeekOfYear, value),
            NumKind::WeekOfMonth => (Slot::WeekOfMonth, value),
            NumKind::AlignedWeekOfMonth => (Slot::AlignedWeekOfMonth, value),
            NumKind::DayOfWeek => (Slot::DayOfWeek, value),
            NumKind::Hour => (Slot::Hour, value),
            NumKind::ClockHour => (Slot::Hour, value % 24),
            NumKind::HourOfAmPm => (Slot::HourOfAmPm, value),
            NumKind::ClockHourOfAmPm => (Slot::HourOfAmPm, value % 12),
            NumKind::Minute => (Slot::Minute, value),
            NumKind::Second => (Slot::Second, value),
            NumKind::MilliOfDay => (Slot::MilliOfDay, value),
            NumKind::NanoOfSecond => (Slot::Nano, value),
            NumKind::NanoOfDay => (Slot::NanoOfDay, value),
        }
    }

    /// The value of this field for `at`.
    fn value(self, at: &Zoned) -> i64 {
        let hour = i64::from(at.hour());
        let second_of_day = hour * 3600 + i64::from(at.minute()) * 60 + i64::from(at.second());
        let nano = i64::from(at.subsec_nanosecond());
        match self {
            NumKind::YearOfEra => i64::from(at.era_year().0),
            NumKind::Year => i64::from(at.year()),
            NumKind::WeekYear => i64::from(at.date().iso_week_date().year()),
            NumKind::DayOfYear => i64::from(at.day_of_year()),
            NumKind::Month => i64::from(at.month()),
            NumKind::Day => i64::from(at.day()),
            NumKind::Quarter => (i64::from(at.month()) - 1) / 3 + 1,
            NumKind::WeekOfYear => i64::from(at.date().iso_week_date().week()),
            NumKind::WeekOfMonth => iso_week_of_month(at.date()),
            NumKind::AlignedWeekOfMonth => (i64::from(at.day()) - 1) / 7 + 1,
            NumKind::DayOfWeek => i64::from(at.weekday().to_monday_one_offset()),
            NumKind::Hour => hour,
            NumKind::ClockHour => {
                if hour == 0 {
                    24
                } else {
                    hour
                }
            }
            NumKind::HourOfAmPm => hour % 12,
            NumKind::ClockHourOfAmPm => {
                if hour % 12 == 0 {
                    12
                } else {
                    hour % 12
                }
            }
            NumKind::Minute => i64::from(at.minute()),
            NumKind::Second => i64::from(at.second()),
            NumKind::MilliOfDay => second_of_day * 1000 + nano / 1_000_000,
            NumKind::NanoOfSecond => nano,
            NumKind::NanoOfDay => second_of_day * 1_000_000_000 + nano,
        }
    }
}

/// Week of month with ISO rules: weeks start on Monday, and the first week is the
/// one holding at least four days of the month (days before it are in week 0).
fn iso_week_of_month(date: Date) -> i64 {
    let first = date.first_of_month().weekday().to_monday_zero_offset();
    let first = i64::from(first);
    let days_in_first_week = 7 - first;
    let base = if days_in_first_week >= 4 { 1 } else { 0 };
    (i64::from(date.day()) - 1 + first) / 7 + base
}

impl TextKind {
    fn options(self, style: Style) -> &'static [(&'static str, i64)] {
        match (self, style) {
            (TextKind::Era, Style::Short) => ERA_SHORT,
            (TextKind::Era, Style::Full) => ERA_FULL,
            (TextKind::Era, Style::Narrow) => ERA_NARROW,
            (TextKind::Month, Style::Short) => MONTH_SHORT_TEXT,
            (TextKind::Month, Style::Full) => MONTH_FULL_TEXT,
            (TextKind::Month, Style::Narrow) => MONTH_NARROW_TEXT,
            (TextKind::Quarter, Style::Full) => QUARTER_FULL_TEXT,
            (TextKind::Quarter, _) => QUARTER_SHORT_TEXT,
            (TextKind::DayOfWeek, Style::Short) => DAY_SHORT_TEXT,
            (TextKind::DayOfWeek, Style::Full) => DAY_FULL_TEXT,
            (TextKind::DayOfWeek, Style::Narrow) => DAY_NARROW_TEXT,
            (TextKind::AmPm, _) => AM_PM,
        }
    }

    fn slot(self) -> Slot {
        match self {
            TextKind::Era => Slot::Era,
            TextKind::Month => Slot::Month,
            TextKind::Quarter => Slot::Quarter,
            TextKind::DayOfWeek => Slot::DayOfWeek,
            TextKind::AmPm => Slot::AmPm,
        }
    }

    fn text(self, style: Style, at: &Zoned) -> &'static str {
        let month = (at.month() as usize).clamp(1, 12) - 1;
        let day = (at.weekday().to_monday_zero_offset() as usize).min(6);
        let narrow = |name: &'static str| name.get(..1).unwrap_or(name);
        match (self, style) {
            (TextKind::Era, style) => {
                let ad = at.year() >= 1;
                match (style, ad) {
                    (Style::Short, true) => "AD",
                    (Style::Short, false) => "BC",
                    (Style::Full, true) => "Anno Domini",
                    (Style::Full, false) => "Before Christ",
                    (Style::Narrow, true) => "A",
                    (Style::Narrow, false) => "B",
                }
            }
            (TextKind::Month, Style::Short) => MONTHS_SHORT[month],
            (TextKind::Month, Style::Full) => MONTHS_FULL[month],
            (TextKind::Month, Style::Narrow) => narrow(MONTHS_FULL[month]),
            (TextKind::Quarter, Style::Full) => QUARTERS_FULL[month / 3],
            (TextKind::Quarter, _) => QUARTERS_SHORT[month / 3],
            (TextKind::DayOfWeek, Style::Short) => DAYS_SHORT[day],
            (TextKind::DayOfWeek, Style::Full) => DAYS_FULL[day],
            (TextKind::DayOfWeek, Style::Narrow) => narrow(DAYS_FULL[day]),
            (TextKind::AmPm, _) => {
                if at.hour() < 12 {
                    "AM"
                } else {
                    "PM"
                }
            }
        }
    }
}

impl Field {
    /// Matches this field at `pos`; returns the position after it.
    fn parse(&self, input: &[u8], pos: usize, parsed: &mut Parsed) -> Option<usize> {
        match *self {
            Field::Number(number) => {
                let (value, next) = parse_number(&number, input, pos)?;
                let (lo, hi) = number.kind.range(number.reduced);
                if value < lo || value > hi {
                    return None;
                }
                let (slot, stored) = number.kind.store(value, number.reduced);
                parsed.set(slot, stored).then_some(next)
            }
            Field::Fraction { digits } => {
                let digits = usize::from(digits);
                let value = fixed_digits(input, pos, digits)?;
                let nanos = value * 10i64.pow(9 - digits as u32);
                parsed.set(Slot::Nano, nanos).then_some(pos + digits)
            }
            Field::Text { kind, style } => {
                let (value, next) = match_text(input, pos, kind.options(style))?;
                if value >= 0 && !parsed.set(kind.slot(), value) {
                    return None;
                }
                Some(next)
            }
            Field::ZoneId => parse_zone_id(input, pos),
            Field::ZoneName { full } => parse_zone_name(input, pos, full),
            Field::GmtOffset { full, zulu } => {
                if zulu && input.get(pos) == Some(&b'Z') {
                    return parsed.set(Slot::Offset, 0).then_some(pos + 1);
                }
                let (offset, next) = parse_gmt_offset(input, pos, full)?;
                parsed.set(Slot::Offset, offset).then_some(next)
            }
            Field::IsoOffset { style, zulu } => {
                if zulu && input.get(pos) == Some(&b'Z') {
                    return parsed.set(Slot::Offset, 0).then_some(pos + 1);
                }
                let (offset, next) = parse_iso_offset(input, pos, style)?;
                parsed.set(Slot::Offset, offset).then_some(next)
            }
        }
    }

    /// Appends this field's rendering of `at` to `out`.
    fn format(&self, at: &Zoned, out: &mut String) {
        match *self {
            Field::Number(number) => {
                let value = number.kind.value(at);
                if number.reduced {
                    push_padded(out, value.rem_euclid(100), 2);
                } else {
                    push_padded(out, value, usize::from(number.min));
                }
            }
            Field::Fraction { digits } => {
                let digits = u32::from(digits);
                let nanos = i64::from(at.subsec_nanosecond());
                push_padded(out, nanos / 10i64.pow(9 - digits), digits as usize);
            }
            Field::Text { kind, style } => out.push_str(kind.text(style, at)),
            Field::ZoneId => match at.time_zone().iana_name() {
                Some(name) => out.push_str(name),
                None => push_iso_offset(out, offset_seconds(at), iso_offset_style(5), true),
            },
            Field::ZoneName { full } => push_zone_name(out, at, full),
            Field::GmtOffset { full, .. } => push_gmt_offset(out, offset_seconds(at), full),
            Field::IsoOffset { style, zulu } => {
                push_iso_offset(out, offset_seconds(at), style, zulu);
            }
        }
    }
}

fn offset_seconds(at: &Zoned) -> i64 {
    i64::from(at.offset().seconds())
}

/// Appends `value`, zero-padded to `width` digits (after a `-` if negative).
fn push_padded(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    let _ = write!(out, "{:0width$}", value.unsigned_abs());
}

fn push_two(out: &mut String, value: i64) {
    push_padded(out, value, 2);
}

fn push_iso_offset(out: &mut String, offset: i64, style: OffsetStyle, zulu: bool) {
    if zulu && offset == 0 {
        out.push('Z');
        return;
    }
    out.push(if offset < 0 { '-' } else { '+' });
    let total = offset.abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    push_two(out, hours);
    if style.minutes_optional && minutes == 0 {
        return;
    }
    if style.colon {
        out.push(':');
    }
    push_two(out, minutes);
    if style.seconds_allowed && seconds != 0 {
        if style.colon {
            out.push(':');
        }
        push_two(out, seconds);
    }
}

fn push_gmt_offset(out: &mut String, offset: i64, full: bool) {
    out.push_str("GMT");
    if offset == 0 {
        return;
    }
    out.push(if offset < 0 { '-' } else { '+' });
    let total = offset.abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    if full {
        push_two(out, hours);
        out.push(':');
        push_two(out, minutes);
    } else {
        let _ = write!(out, "{hours}");
        if minutes != 0 || seconds != 0 {
            out.push(':');
            push_two(out, minutes);
        }
    }
    if seconds != 0 {
        out.push(':');
        push_two(out, seconds);
    }
}

fn push_zone_name(out: &mut String, at: &Zoned, full: bool) {
    let info = at.time_zone().to_offset_info(at.timestamp());
    let abbreviation = info.abbreviation();
    let alphabetic = (2..=5).contains(&abbreviation.len())
        && abbreviation.bytes().all(|b| b.is_ascii_alphabetic());
    if !alphabetic {
        let offset = offset_seconds(at);
        out.push_str("GMT");
        if offset != 0 {
            push_iso_offset(out, offset, iso_offset_style(5), false);
        }
        return;
    }
    if full && let Some((_, name)) = ZONE_FULL_NAMES.iter().find(|(a, _)| *a == abbreviation) {
        out.push_str(name);
        return;
    }
    out.push_str(abbreviation);
}

/// Reads a number of `number`'s width at `pos`; returns its value and the end.
fn parse_number(number: &Number, input: &[u8], pos: usize) -> Option<(i64, usize)> {
    let mut start = pos;
    let mut negative = false;
    if number.signed {
        match input.get(start) {
            Some(b'-') => {
                negative = true;
                start += 1;
            }
            Some(b'+') => start += 1,
            _ => {}
        }
    }
    let rest = input.get(start..)?;
    let limit = usize::from(number.max) + number.reserve;
    let available = rest
        .iter()
        .take(limit)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let take = available
        .checked_sub(number.reserve)?
        .min(usize::from(number.max));
    if take < usize::from(number.min) {
        return None;
    }
    let value = digits_value(rest.get(..take)?)?;
    Some((if negative { -value } else { value }, start + take))
}

/// The value of a run of ASCII digits, or `None` on overflow or a non-digit.
fn digits_value(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0i64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })
}

/// Exactly `count` ASCII digits at `pos`.
fn fixed_digits(input: &[u8], pos: usize, count: usize) -> Option<i64> {
    digits_value(input.get(pos..pos.checked_add(count)?)?)
}

/// The longest option that appears at `pos`, ignoring ASCII case.
fn match_text(input: &[u8], pos: usize, options: &[(&str, i64)]) -> Option<(i64, usize)> {
    let mut best: Option<(i64, usize)> = None;
    for &(name, value) in options {
        let len = name.len();
        let Some(found) = input.get(pos..pos + len) else {
            continue;
        };
        if found.eq_ignore_ascii_case(name.as_bytes()) && best.is_none_or(|(_, l)| len > l) {
            best = Some((value, len));
        }
    }
    best.map(|(value, len)| (value, pos + len))
}

fn sign_at(input: &[u8], pos: usize) -> Option<i64> {
    match input.get(pos) {
        Some(b'+') => Some(1),
        Some(b'-') => Some(-1),
        _ => None,
    }
}

fn offset_in_range(hours: i64, minutes: i64, seconds: i64) -> Option<i64> {
    let total = hours * 3600 + minutes * 60 + seconds;
    (minutes <= 59 && seconds <= 59 && total <= MAX_OFFSET_SECONDS).then_some(total)
}

/// `+HH`, `+HHMM`, `+HH:MM`, ... as described by `style`.
fn parse_iso_offset(input: &[u8], pos: usize, style: OffsetStyle) -> Option<(i64, usize)> {
    let sign = sign_at(input, pos)?;
    let mut p = pos + 1;
    let hours = fixed_digits(input, p, 2)?;
    p += 2;
    let separator = usize::from(style.colon);
    let field_at = |p: usize| -> Option<i64> {
        if style.colon && input.get(p) != Some(&b':') {
            return None;
        }
        fixed_digits(input, p + separator, 2)
    };
    let mut minutes = 0;
    let mut seconds = 0;
    match field_at(p) {
        Some(value) => {
            minutes = value;
            p += separator + 2;
            if style.seconds_allowed
                && let Some(value) = field_at(p)
            {
                seconds = value;
                p += separator + 2;
            }
        }
        None if style.minutes_optional => {}
        None => return None,
    }
    Some((sign * offset_in_range(hours, minutes, seconds)?, p))
}

/// `GMT`, `GMT+8`, `GMT+08:00` (`full` wants two-digit hours and minutes).
fn parse_gmt_offset(input: &[u8], pos: usize, full: bool) -> Option<(i64, usize)> {
    if input.get(pos..pos + 3) != Some(&b"GMT"[..]) {
        return None;
    }
    let mut p = pos + 3;
    let Some(sign) = sign_at(input, p) else {
        return Some((0, p));
    };
    p += 1;
    let colon_field = |p: usize| -> Option<i64> {
        if input.get(p) != Some(&b':') {
            return None;
        }
        fixed_digits(input, p + 1, 2)
    };
    let (hours, mut minutes, mut seconds) = (
        if full {
            let hours = fixed_digits(input, p, 2)?;
            p += 2;
            hours
        } else {
            let width = if input.get(p + 1).is_some_and(u8::is_ascii_digit) {
                2
            } else {
                1
            };
            let hours = fixed_digits(input, p, width)?;
            p += width;
            hours
        },
        0,
        0,
    );
    match colon_field(p) {
        Some(value) => {
            minutes = value;
            p += 3;
            if let Some(value) = colon_field(p) {
                seconds = value;
                p += 3;
            }
        }
        None if !full => {}
        None => return None,
    }
    Some((sign * offset_in_range(hours, minutes, seconds)?, p))
}

/// A loosely written offset as in zone ids: `+h`, `+hh`, `+hh:mm`, `+hhmm`,
/// `+hh:mm:ss`, `+hhmmss`.
fn parse_loose_offset(input: &[u8], pos: usize) -> Option<usize> {
    sign_at(input, pos)?;
    let mut p = pos + 1;
    let width = match (input.get(p), input.get(p + 1)) {
        (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit() => 2,
        (Some(a), _) if a.is_ascii_digit() => 1,
        _ => return None,
    };
    let hours = fixed_digits(input, p, width)?;
    p += width;
    let mut parts = [0i64; 2];
    for part in &mut parts {
        let colon = usize::from(input.get(p) == Some(&b':'));
        match fixed_digits(input, p + colon, 2) {
            Some(value) => {
                *part = value;
                p += colon + 2;
            }
            None => break,
        }
    }
    offset_in_range(hours, parts[0], parts[1])?;
    Some(p)
}

fn is_region_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'~' | b'/' | b'.' | b'_' | b'+' | b'-')
}

/// A zone id: `Z`, an offset, `UTC`/`GMT`/`UT` with an offset, or a region id
/// such as `Europe/London` (checked by shape only).
fn parse_zone_id(input: &[u8], pos: usize) -> Option<usize> {
    let first = *input.get(pos)?;
    if first == b'+' || first == b'-' {
        return parse_loose_offset(input, pos);
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if let Some(end) = prefixed_offset(input, pos) {
        return Some(end);
    }
    let len = 1 + input
        .get(pos + 1..)?
        .iter()
        .take_while(|&&b| is_region_byte(b))
        .count();
    (len >= 2 || first == b'Z').then_some(pos + len)
}

/// `UTC+01:00`, `GMT-5`, `UT+3`.
fn prefixed_offset(input: &[u8], pos: usize) -> Option<usize> {
    for prefix in [&b"UTC"[..], &b"GMT"[..], &b"UT"[..]] {
        if input.get(pos..pos + prefix.len()) == Some(prefix)
            && let Some(end) = parse_loose_offset(input, pos + prefix.len())
        {
            return Some(end);
        }
    }
    None
}

/// A zone name: `GMT+01:00`-style, or 2 to 5 letters (`UTC`, `PST`, `CEST`), or
/// for `full` one or more words of letters (`Pacific Standard Time`).
fn parse_zone_name(input: &[u8], pos: usize, full: bool) -> Option<usize> {
    if let Some(end) = prefixed_offset(input, pos) {
        return Some(end);
    }
    let letters_at = |p: usize| {
        input.get(p..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_alphabetic()).count()
        })
    };
    let first = letters_at(pos);
    if !full {
        return (2..=5).contains(&first).then_some(pos + first);
    }
    if first == 0 {
        return None;
    }
    let mut total = first;
    let mut p = pos + first;
    while input.get(p) == Some(&b' ') {
        let word = letters_at(p + 1);
        if word == 0 {
            break;
        }
        total += word;
        p += 1 + word;
    }
    (total >= 2).then_some(p)
}

/// Maps a year to one with the same calendar (leap years and weekdays repeat
/// every 400 years), inside the range jiff supports.
fn calendar_year(year: i64) -> i16 {
    (2000 + year.rem_euclid(400)) as i16
}

fn days_in_month_any_year(month: i64) -> i64 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Parsed {
    /// Cross-field checks, done once the whole value has been read.
    fn is_consistent(&self) -> bool {
        // Year: era + year-of-era, proleptic year.
        let mut year = self.get(Slot::Year);
        let era = self.get(Slot::Era);
        if let Some(year_of_era) = self.get(Slot::YearOfEra) {
            let resolved = if era == Some(0) {
                1 - year_of_era
            } else {
                year_of_era
            };
            if year.is_some_and(|y| y != resolved) {
                return false;
            }
            year = Some(resolved);
        } else if let (Some(era), Some(y)) = (era, year)
            && (y >= 1) != (era == 1)
        {
            return false;
        }

        // Hour: H/k against h/K with a.
        let hour = self.get(Slot::Hour);
        let am_pm = self.get(Slot::AmPm);
        match (self.get(Slot::HourOfAmPm), am_pm, hour) {
            (Some(h12), Some(ap), Some(h)) if ap * 12 + h12 != h => return false,
            (Some(h12), None, Some(h)) if h % 12 != h12 => return false,
            (None, Some(ap), Some(h)) if i64::from(h >= 12) != ap => return false,
            _ => {}
        }

        let month = self.get(Slot::Month);
        let day = self.get(Slot::Day);
        if let (Some(q), Some(m)) = (self.get(Slot::Quarter), month)
            && (m - 1) / 3 + 1 != q
        {
            return false;
        }
        if let (Some(f), Some(d)) = (self.get(Slot::AlignedWeekOfMonth), day)
            && (d - 1) / 7 + 1 != f
        {
            return false;
        }

        // Calendar date.
        let mut date = None;
        match (year, month, day) {
            (Some(y), Some(m), Some(d)) => match Date::new(calendar_year(y), m as i8, d as i8) {
                Ok(found) => date = Some(found),
                Err(_) => return false,
            },
            (None, Some(m), Some(d)) if d > days_in_month_any_year(m) => return false,
            _ => {}
        }
        if let (Some(doy), Some(y)) = (self.get(Slot::DayOfYear), year) {
            let Ok(first) = Date::new(calendar_year(y), 1, 1) else {
                return false;
            };
            if doy > 365 + i64::from(first.in_leap_year()) {
                return false;
            }
            match date {
                Some(found) if i64::from(found.day_of_year()) != doy => return false,
                Some(_) => {}
                None => match first.with().day_of_year(doy as i16).build() {
                    Ok(found) => date = Some(found),
                    Err(_) => return false,
                },
            }
        }
        if let (Some(weekday), Some(found)) = (self.get(Slot::DayOfWeek), date)
            && i64::from(found.weekday().to_monday_one_offset()) != weekday
        {
            return false;
        }
        if let (Some(week_year), Some(week)) =
            (self.get(Slot::WeekYear), self.get(Slot::WeekOfYear))
            && ISOWeekDate::new(calendar_year(week_year), week as i8, Weekday::Monday).is_err()
        {
            return false;
        }
        true
    }
}

/// Whether `value` is an ISO-8601 calendar date, `YYYY-MM-DD` (for example
/// `2024-02-29`), that exists. A sign allows 4 to 6 year digits (`+012024-01-01`).
pub fn is_iso_date(value: &str) -> bool {
    let input = value.as_bytes();
    iso_date(input, 0) == Some(input.len())
}

/// Whether `value` is an ISO-8601 time of day: `HH:mm` or `HH:mm:ss`, with an
/// optional fraction of 1 to 9 digits after the seconds (`.` or `,`) and an
/// optional offset (`Z`, `+HH:MM`, `+HHMM` or `+HH`). Seconds go up to 59.
pub fn is_iso_time(value: &str) -> bool {
    let input = value.as_bytes();
    iso_time(input, 0)
        .map(|p| iso_offset(input, p).unwrap_or(p))
        .is_some_and(|p| p == input.len())
}

/// Whether `value` is an ISO-8601 / RFC 3339 date-time: a date as for
/// [`is_iso_date`], `T` (or `t`), a time as for [`is_iso_time`], an optional
/// offset (`Z`, `z`, `+HH:MM`, `+HHMM`, `+HH`) and, as Java's `ISO_DATE_TIME`
/// allows, an optional zone id in brackets (`[Europe/London]`).
pub fn is_iso_datetime(value: &str) -> bool {
    let input = value.as_bytes();
    let Some(mut p) = iso_date(input, 0) else {
        return false;
    };
    if !matches!(input.get(p), Some(b'T' | b't')) {
        return false;
    }
    let Some(end) = iso_time(input, p + 1) else {
        return false;
    };
    p = iso_offset(input, end).unwrap_or(end);
    if input.get(p) == Some(&b'[') {
        match parse_zone_id(input, p + 1) {
            Some(end) if input.get(end) == Some(&b']') => p = end + 1,
            _ => return false,
        }
    }
    p == input.len()
}

fn iso_date(input: &[u8], pos: usize) -> Option<usize> {
    let mut p = pos;
    let sign = sign_at(input, p);
    if sign.is_some() {
        p += 1;
    }
    let run = input
        .get(p..)?
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let ok = match sign {
        Some(_) => (4..=6).contains(&run),
        None => run == 4,
    };
    if !ok {
        return None;
    }
    let year = sign.unwrap_or(1) * fixed_digits(input, p, run)?;
    p += run;
    if input.get(p) != Some(&b'-') {
        return None;
    }
    let month = fixed_digits(input, p + 1, 2)?;
    if input.get(p + 3) != Some(&b'-') {
        return None;
    }
    let day = fixed_digits(input, p + 4, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Date::new(calendar_year(year), month as i8, day as i8).ok()?;
    Some(p + 6)
}

fn iso_time(input: &[u8], pos: usize) -> Option<usize> {
    let hour = fixed_digits(input, pos, 2)?;
    if input.get(pos + 2) != Some(&b':') {
        return None;
    }
    let minute = fixed_digits(input, pos + 3, 2)?;
    if hour > 23 || minute > 59 {
        return None;
    }
    let mut p = pos + 5;
    if input.get(p) != Some(&b':') {
        return Some(p);
    }
    let second = fixed_digits(input, p + 1, 2)?;
    if second > 59 {
        return None;
    }
    p += 3;
    if matches!(input.get(p), Some(b'.' | b',')) {
        let digits = input
            .get(p + 1..)?
            .iter()
            .take(10)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        p += 1 + digits;
    }
    Some(p)
}

fn iso_offset(input: &[u8], pos: usize) -> Option<usize> {
    if matches!(input.get(pos), Some(b'Z' | b'z')) {
        return Some(pos + 1);
    }
    let styles = [
        iso_offset_style(5),
        iso_offset_style(4),
        iso_offset_style(1),
    ];
    styles
        .into_iter()
        .filter_map(|style| parse_iso_offset(input, pos, style))
        .map(|(_, end)| end)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use jiff::tz::{self, TimeZone};

    #[track_caller]
    fn check(pattern: &str, value: &str, expected: bool) {
        let compiled = DateTimePattern::parse(pattern)
            .unwrap_or_else(|e| panic!("pattern {pattern:?} should compile: {e}"));
        assert_eq!(
            compiled.matches(value),
            expected,
            "pattern {pattern:?} against {value:?}"
        );
    }

    #[track_caller]
    fn check_all(cases: &[(&str, &str, bool)]) {
        for &(pattern, value, expected) in cases {
            check(pattern, value, expected);
        }
    }

    #[track_caller]
    fn invalid(pattern: &str, position: usize, reason_part: &str) {
        let err = DateTimePattern::parse(pattern).expect_err(pattern);
        assert_eq!(err.pattern, pattern);
        assert_eq!(err.position, position, "{pattern:?}: {err}");
        assert!(
            err.reason.contains(reason_part),
            "{pattern:?}: {:?} should mention {reason_part:?}",
            err.reason
        );
    }

    fn zoned(text: &str, zone: TimeZone) -> Zoned {
        text.parse::<Timestamp>().unwrap().to_zoned(zone)
    }

    /// A moment in a fixed +05:30 zone: Thursday 2024-02-29 13:05:09.123456789.
    fn sample() -> Zoned {
        zoned(
            "2024-02-29T07:35:09.123456789Z",
            TimeZone::fixed(tz::Offset::from_seconds(5 * 3600 + 30 * 60).unwrap()),
        )
    }

    #[track_caller]
    fn renders(pattern: &str, at: &Zoned, expected: &str) {
        let compiled = DateTimePattern::parse(pattern).unwrap();
        let text = compiled.format(at);
        assert_eq!(text, expected, "format of {pattern:?}");
        assert!(compiled.matches(&text), "{pattern:?} should match {text:?}");
    }

    #[test]
    fn api_basics() {
        let p = DateTimePattern::parse("yyyy-MM-dd").unwrap();
        assert_eq!(p.as_str(), "yyyy-MM-dd");
        let empty = DateTimePattern::parse("").unwrap();
        assert!(empty.matches(""));
        assert!(!empty.matches("x"));
        let err = DateTimePattern::parse("yyyy-bb").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid date/time pattern 'yyyy-bb' at character 5: unknown pattern letter 'b'"
        );
    }

    #[test]
    fn era() {
        check_all(&[
            ("G", "AD", true),
            ("G", "BC", true),
            ("G", "ad", true),
            ("G", "A", false),
            ("GGGG", "Anno Domini", true),
            ("GGGG", "Before Christ", true),
            ("GGGG", "AD", false),
            ("GGGGG", "A", true),
            ("GGGGG", "B", true),
            ("yyyy G", "0044 BC", true),
            ("uuuu G", "2024 BC", false),
            ("uuuu G", "2024 AD", true),
            ("uuuu G", "-0043 BC", true),
        ]);
    }

    #[test]
    fn years() {
        check_all(&[
            ("yyyy", "2024", true),
            ("yyyy", "024", false),
            ("yyyy", "20245", false),
            ("yyyy", "0000", false),
            ("yyyy", "-2024", false),
            ("yy", "24", true),
            ("yy", "2024", false),
            ("yy", "4", false),
            ("y", "5", true),
            ("y", "2024", true),
            ("y", "123456789", true),
            ("y", "1234567890", false),
            ("yyy", "24", false),
            ("yyy", "024", true),
            ("yyy", "2024", true),
            ("yyyyy", "02024", true),
            ("yyyyy", "2024", false),
            ("uuuu", "2024", true),
            ("uuuu", "-0044", true),
            ("uuuu", "+2024", true),
            ("uuuu", "0000", true),
            ("u", "-44", true),
            ("u", "-", false),
            ("uu", "99", true),
            ("YYYY", "2024", true),
            ("YY", "24", true),
            ("YYYY", "24", false),
            // Adjacent value parsing: a variable-width year leaves digits for what follows.
            ("yMMdd", "20240229", true),
            ("yMMdd", "0229", false),
            ("yMMdd", "123450101", true),
        ]);
    }

    #[test]
    fn leap_years() {
        check_all(&[
            ("yyyy-MM-dd", "2024-02-29", true),
            ("yyyy-MM-dd", "2023-02-29", false),
            ("yyyy-MM-dd", "2000-02-29", true),
            ("yyyy-MM-dd", "1900-02-29", false),
            ("yyyy-MM-dd", "2100-02-29", false),
            ("yyyy-MM-dd", "2400-02-29", true),
            ("yyyy-MM-dd", "2023-04-31", false),
            ("yyyy-MM-dd", "2023-04-30", true),
            ("yyyyMMdd", "20240229", true),
            ("yyyyMMdd", "20230229", false),
            ("yy-MM-dd", "00-02-29", true),
            ("yy-MM-dd", "23-02-29", false),
            ("y-MM-dd", "123456-02-29", true),
            ("y-MM-dd", "123457-02-29", false),
            ("uuuu-MM-dd", "-0004-02-29", true),
            ("uuuu-MM-dd", "-0001-02-29", false),
            // Without a year, February 29 is allowed but February 30 is not.
            ("MM-dd", "02-29", true),
            ("MM-dd", "02-30", false),
            ("MM-dd", "04-31", false),
            ("yyyy-DDD", "2024-366", true),
            ("yyyy-DDD", "2023-366", false),
            ("yyyy-DDD", "2023-365", true),
        ]);
    }

    #[test]
    fn day_of_year() {
        check_all(&[
            ("D", "1", true),
            ("D", "366", true),
            ("D", "367", false),
            ("D", "0", false),
            ("DD", "05", true),
            ("DD", "5", false),
            ("DD", "123", true),
            ("DDD", "005", true),
            ("DDD", "05", false),
            ("yyyy-MM-dd DDD", "2024-03-01 061", true),
            ("yyyy-MM-dd DDD", "2024-03-01 060", false),
            ("yyyy DDD EEE", "2024 060 Thu", true),
            ("yyyy DDD EEE", "2024 060 Fri", false),
        ]);
    }

    #[test]
    fn months() {
        check_all(&[
            ("M", "1", true),
            ("M", "12", true),
            ("M", "13", false),
            ("M", "0", false),
            ("M", "012", false),
            ("MM", "01", true),
            ("MM", "1", false),
            ("MM", "00", false),
            ("MMM", "Jan", true),
            ("MMM", "jan", true),
            ("MMM", "JAN", true),
            ("MMM", "Sep", true),
            ("MMM", "Sept", true),
            ("MMM", "January", false),
            ("MMM", "Jn", false),
            ("MMMM", "January", true),
            ("MMMM", "september", true),
            ("MMMM", "Jan", false),
            ("MMMM", "May", true),
            ("MMMMM", "J", true),
            ("MMMMM", "X", false),
            ("LLL", "Feb", true),
            ("LL", "02", true),
            ("LLLL", "February", true),
            ("dd MMM yyyy", "29 Feb 2023", false),
            ("dd MMMM yyyy", "29 February 2024", true),
        ]);
    }

    #[test]
    fn days_of_month() {
        check_all(&[
            ("d", "5", true),
            ("d", "25", true),
            ("d", "05", true),
            ("d", "32", false),
            ("d", "0", false),
            ("d", "123", false),
            ("dd", "05", true),
            ("dd", "5", false),
            ("dd", "31", true),
            ("dd", "32", false),
            ("d/M/yyyy", "5/3/2024", true),
            ("d/M/yyyy", "31/12/2024", true),
            ("d/M/yyyy", "31/11/2024", false),
        ]);
    }

    #[test]
    fn quarters() {
        check_all(&[
            ("Q", "1", true),
            ("Q", "4", true),
            ("Q", "5", false),
            ("Q", "0", false),
            ("QQ", "03", true),
            ("QQ", "3", false),
            ("QQQ", "Q3", true),
            ("QQQ", "q3", true),
            ("QQQ", "Q5", false),
            ("QQQQ", "2nd quarter", true),
            ("QQQQ", "Q2", false),
            ("QQQQQ", "2", true),
            ("qqq", "Q1", true),
            ("yyyy-MM QQQ", "2024-05 Q2", true),
            ("yyyy-MM QQQ", "2024-05 Q3", false),
        ]);
    }

    #[test]
    fn weeks() {
        check_all(&[
            ("w", "1", true),
            ("w", "53", true),
            ("w", "54", false),
            ("w", "0", false),
            ("ww", "07", true),
            ("ww", "7", false),
            ("YYYY-'W'ww", "2020-W53", true),
            ("YYYY-'W'ww", "2021-W53", false),
            ("YYYY-'W'ww-e", "2024-W09-4", true),
            ("W", "0", true),
            ("W", "5", true),
            ("W", "7", false),
            ("W", "10", false),
            ("F", "1", true),
            ("F", "5", true),
            ("F", "6", false),
            ("F", "0", false),
            ("yyyy-MM-dd F", "2024-02-29 5", true),
            ("yyyy-MM-dd F", "2024-02-29 4", false),
        ]);
    }

    #[test]
    fn day_names() {
        check_all(&[
            ("E", "Mon", true),
            ("EE", "Tue", true),
            ("EEE", "Wed", true),
            ("EEE", "wed", true),
            ("EEE", "Wednesday", false),
            ("EEE", "Wen", false),
            ("EEEE", "Thursday", true),
            ("EEEE", "THURSDAY", true),
            ("EEEE", "Thu", false),
            ("EEEEE", "T", true),
            ("EEEEE", "X", false),
            ("EEE, dd MMM yyyy", "Thu, 29 Feb 2024", true),
            ("EEE, dd MMM yyyy", "Fri, 29 Feb 2024", false),
            ("EEEE dd/MM/yyyy", "Sunday 01/09/2024", true),
            ("EEEE dd/MM/yyyy", "Monday 01/09/2024", false),
            // A day name without a full date cannot be checked, so it is accepted.
            ("EEE dd MMM", "Fri 29 Feb", true),
        ]);
    }

    #[test]
    fn localized_day_numbers() {
        check_all(&[
            ("e", "1", true),
            ("e", "7", true),
            ("e", "8", false),
            ("e", "0", false),
            ("ee", "07", true),
            ("ee", "7", false),
            ("eee", "Mon", true),
            ("eeee", "Monday", true),
            ("eeeee", "M", true),
            ("c", "3", true),
            ("c", "03", false),
            ("ccc", "Sat", true),
            ("cccc", "Saturday", true),
            ("yyyy-MM-dd e", "2024-02-29 4", true),
            ("yyyy-MM-dd e", "2024-02-29 5", false),
            ("yyyy-MM-dd c", "2024-09-01 7", true),
        ]);
    }

    #[test]
    fn hours_and_am_pm() {
        check_all(&[
            ("a", "AM", true),
            ("a", "PM", true),
            ("a", "pm", true),
            ("a", "XM", false),
            ("h", "12", true),
            ("h", "1", true),
            ("h", "0", false),
            ("h", "13", false),
            ("hh", "01", true),
            ("hh", "1", false),
            ("K", "0", true),
            ("K", "11", true),
            ("K", "12", false),
            ("KK", "00", true),
            ("k", "24", true),
            ("k", "1", true),
            ("k", "0", false),
            ("k", "25", false),
            ("kk", "24", true),
            ("H", "0", true),
            ("H", "23", true),
            ("H", "24", false),
            ("HH", "00", true),
            ("HH", "7", false),
            ("HH", "007", false),
            ("hh:mm a", "12:30 PM", true),
            ("hh:mm a", "12:30 AM", true),
            ("hh:mm a", "13:30 PM", false),
            ("HH hh a", "13 01 PM", true),
            ("HH hh a", "13 01 AM", false),
            ("HH a", "13 PM", true),
            ("HH a", "13 AM", false),
            ("HH K", "13 1", true),
            ("HH K", "13 2", false),
            ("HH kk", "00 24", true),
            ("HH kk", "01 24", false),
        ]);
    }

    #[test]
    fn minutes_and_seconds() {
        check_all(&[
            ("m", "0", true),
            ("m", "59", true),
            ("m", "60", false),
            ("mm", "05", true),
            ("mm", "5", false),
            ("s", "7", true),
            ("s", "59", true),
            ("s", "60", false),
            ("ss", "00", true),
            ("ss", "0", false),
            ("HH:mm:ss", "13:45:00", true),
            ("HH:mm:ss", "13:45", false),
            ("HH:mm:ss", "13:45:00 ", false),
            ("HH:mm:ss", "24:00:00", false),
            ("H:m:s", "1:2:3", true),
            ("H:m:s", "01:02:03", true),
            ("Hmm", "930", true),
            ("Hmm", "1230", true),
            ("HHmmss", "235959", true),
            ("HHmmss", "236000", false),
        ]);
    }

    #[test]
    fn fractions_and_counts() {
        check_all(&[
            ("S", "1", true),
            ("S", "12", false),
            ("SSS", "123", true),
            ("SSS", "12", false),
            ("SSS", "1234", false),
            ("SSSSSSSSS", "123456789", true),
            ("ss.SSS", "05.000", true),
            ("ss.SSSSSS", "05.000123", true),
            ("A", "0", true),
            ("A", "86399999", true),
            ("A", "86400000", false),
            ("AAAAAAAA", "00001000", true),
            ("AAAAAAAA", "1000", false),
            ("n", "0", true),
            ("n", "999999999", true),
            ("n", "1000000000", false),
            ("nnnnnnnnn", "000000001", true),
            ("nnnnnnnnn", "1", false),
            ("N", "86399999999999", true),
            ("N", "86400000000000", false),
            ("N", "5", true),
            ("ss.SSS n", "01.123 123000000", true),
            ("ss.SSS n", "01.123 123000001", false),
        ]);
    }

    #[test]
    fn zone_ids() {
        check_all(&[
            ("VV", "Europe/London", true),
            ("VV", "America/Argentina/Buenos_Aires", true),
            ("VV", "UTC", true),
            ("VV", "Z", true),
            ("VV", "Etc/GMT+5", true),
            ("VV", "+01:00", true),
            ("VV", "-0530", true),
            ("VV", "+5", true),
            ("VV", "UTC+01:00", true),
            ("VV", "GMT-5", true),
            ("V", "Asia/Tokyo", true),
            ("VV", "", false),
            ("VV", "A", false),
            ("VV", "1Europe", false),
            ("VV", "+19:00", false),
            ("VV", "Europe London", false),
            (
                "yyyy-MM-dd'T'HH:mmXXX'['VV']'",
                "2024-02-29T13:05+01:00[Europe/Paris]",
                true,
            ),
            (
                "yyyy-MM-dd'T'HH:mmXXX'['VV']'",
                "2024-02-29T13:05+01:00[]",
                false,
            ),
        ]);
    }

    #[test]
    fn zone_names() {
        check_all(&[
            ("z", "UTC", true),
            ("z", "GMT", true),
            ("zz", "PST", true),
            ("zzz", "CEST", true),
            ("z", "AEST", true),
            ("z", "ChST", true),
            ("z", "GMT+01:00", true),
            ("z", "UTC-5", true),
            ("z", "Z", false),
            ("z", "ABCDEF", false),
            ("z", "+01:00", false),
            ("z", "P1T", false),
            ("zzzz", "Pacific Standard Time", true),
            ("zzzz", "Coordinated Universal Time", true),
            ("zzzz", "GMT+08:00", true),
            ("zzzz", "UTC", true),
            ("zzzz", "Pacific  Time", false),
            ("zzzz", "Pacific Time ", false),
            ("zzzz yyyy", "Pacific Standard Time 2024", true),
            ("HH:mm z", "13:05 CET", true),
        ]);
    }

    #[test]
    fn localized_offsets() {
        check_all(&[
            ("O", "GMT", true),
            ("O", "GMT+8", true),
            ("O", "GMT+08", true),
            ("O", "GMT-5:30", true),
            ("O", "GMT+08:00", true),
            ("O", "GMT+8:00:30", true),
            ("O", "GMT+19", false),
            ("O", "GMT+", false),
            ("O", "UTC+8", false),
            ("O", "gmt+8", false),
            ("OOOO", "GMT", true),
            ("OOOO", "GMT+08:00", true),
            ("OOOO", "GMT+8", false),
            ("OOOO", "GMT+08", false),
            ("OOOO", "GMT-05:30:15", true),
            ("ZZZZ", "GMT+08:00", true),
            ("ZZZZ", "GMT", true),
            ("ZZZZ", "Z", true),
            ("ZZZZ", "+08:00", false),
        ]);
    }

    #[test]
    fn iso_offsets() {
        check_all(&[
            ("X", "Z", true),
            ("X", "+01", true),
            ("X", "+0130", true),
            ("X", "+01:30", false),
            ("X", "+1", false),
            ("XX", "Z", true),
            ("XX", "+0130", true),
            ("XX", "+01", false),
            ("XXX", "Z", true),
            ("XXX", "-05:00", true),
            ("XXX", "-0500", false),
            ("XXX", "+18:00", true),
            ("XXX", "+18:01", false),
            ("XXX", "+19:00", false),
            ("XXX", "+01:60", false),
            ("XXX", "z", false),
            ("XXXX", "+0130", true),
            ("XXXX", "+013015", true),
            ("XXXX", "Z", true),
            ("XXXXX", "+01:30:15", true),
            ("XXXXX", "+01:30", true),
            ("XXXXX", "+01:30:", false),
            ("x", "+01", true),
            ("x", "Z", false),
            ("xx", "+0000", true),
            ("xxx", "+00:00", true),
            ("xxx", "Z", false),
            ("xxxx", "-013015", true),
            ("xxxxx", "-01:30:15", true),
            ("Z", "+0100", true),
            ("ZZ", "-0530", true),
            ("ZZZ", "+0000", true),
            ("Z", "Z", false),
            ("Z", "+01:00", false),
            ("ZZZZZ", "Z", true),
            ("ZZZZZ", "+01:00", true),
            ("ZZZZZ", "+0100", false),
            // Two offsets in one value must agree.
            ("XXX Z", "+01:00 +0100", true),
            ("XXX Z", "+01:00 +0200", false),
        ]);
    }

    #[test]
    fn quoting_and_literals() {
        check_all(&[
            ("yyyy-MM-dd'T'HH:mm", "2024-02-29T13:05", true),
            ("yyyy-MM-dd'T'HH:mm", "2024-02-29t13:05", false),
            ("yyyy-MM-dd'T'HH:mm", "2024-02-29 13:05", false),
            ("hh 'o''clock' a", "05 o'clock PM", true),
            ("hh 'o''clock' a", "05 oclock PM", false),
            ("''yy", "'24", true),
            ("'It''s' yyyy", "It's 2024", true),
            ("'yyyy'", "yyyy", true),
            ("'yyyy'", "2024", false),
            ("''", "'", true),
            ("HH'h'mm", "13h05", true),
            ("dd.MM.yyyy", "29.02.2024", true),
            ("dd.MM.yyyy", "29-02-2024", false),
            ("yyyy/MM/dd HH:mm:ss", "2024/02/29 13:05:09", true),
            ("'Día' dd", "Día 05", true),
            ("'Día' dd", "Dia 05", false),
            ("dd 日", "05 日", true),
            ("dd 日", "05 月", false),
            ("'[x]' yyyy", "[x] 2024", true),
        ]);
    }

    #[test]
    fn optional_sections() {
        check_all(&[
            ("HH:mm[:ss]", "13:05", true),
            ("HH:mm[:ss]", "13:05:09", true),
            ("HH:mm[:ss]", "13:05:", false),
            ("HH:mm[:ss]", "13:05:60", false),
            ("HH:mm[:ss[.SSS]]", "13:05:09.123", true),
            ("HH:mm[:ss[.SSS]]", "13:05:09", true),
            ("HH:mm[:ss[.SSS]]", "13:05.123", false),
            ("yyyy-MM-dd['T'HH:mm:ss][XXX]", "2024-02-29", true),
            ("yyyy-MM-dd['T'HH:mm:ss][XXX]", "2024-02-29T13:05:09Z", true),
            ("yyyy-MM-dd['T'HH:mm:ss][XXX]", "2024-02-29+01:00", true),
            ("yyyy-MM-dd['T'HH:mm:ss][XXX]", "2024-02-29T13:05", false),
            // Backtracking: the optional digits must be given up for the rest to match.
            ("[ss]ss", "05", true),
            ("[ss]ss", "0505", true),
            ("[ss]ss", "0506", false),
            ("[MM]MM", "02", true),
            ("[HH:]mm", "05", true),
            ("[HH:]mm", "13:05", true),
            ("[ss]", "", true),
            // Unclosed sections close at the end of the pattern.
            ("HH:mm[:ss", "13:05", true),
            ("HH:mm[:ss", "13:05:09", true),
            ("[[[[[[[[HH]]]]]]]]", "13", true),
            ("[[[[[[[[HH]]]]]]]]", "", true),
        ]);
    }

    #[test]
    fn empty_and_non_ascii_input() {
        let patterns = [
            "yyyy-MM-dd",
            "MMM",
            "EEEE",
            "z",
            "zzzz",
            "VV",
            "XXX",
            "O",
            "a",
            "G",
            "SSS",
            "y",
        ];
        for pattern in patterns {
            check(pattern, "", false);
            check(pattern, "é", false);
            check(pattern, "日本", false);
            check(pattern, "🎉🎉🎉🎉", false);
        }
        check_all(&[
            ("yyyy-MM-dd", "２０２４-02-29", false),
            ("yyyy-MM-dd", "2024-02-29é", false),
            ("MMM", "Jañ", false),
            ("EEE", "Mo\u{301}n", false),
            ("d", "٣", false),
            ("VV", "Europe/Zürich", false),
            ("zzzz", "Pacific Stándard Time", false),
            ("[yyyy]", "", true),
        ]);
    }

    #[test]
    fn invalid_patterns() {
        invalid("yyyy-bb-dd", 5, "unknown pattern letter 'b'");
        invalid("t", 0, "unknown pattern letter 't'");
        invalid("MMMMMM", 0, "too many pattern letters 'M'");
        invalid("yyyy-MM-ddd", 8, "too many pattern letters 'd'");
        invalid("HHH", 0, "'H'");
        invalid("hhh", 0, "'h'");
        invalid("mmm", 0, "'m'");
        invalid("sss", 0, "'s'");
        invalid("DDDD", 0, "'D'");
        invalid("EEEEEE", 0, "'E'");
        invalid("aa", 0, "'a'");
        invalid("WW", 0, "'W'");
        invalid("FF", 0, "'F'");
        invalid("www", 0, "'w'");
        invalid("SSSSSSSSSS", 0, "'S'");
        invalid("yyyyyyyyyy", 0, "'y'");
        invalid("VVV", 0, "'V'");
        invalid("zzzzz", 0, "'z'");
        invalid("OO", 0, "'O'");
        invalid("OOO", 0, "'O'");
        invalid("XXXXXX", 0, "'X'");
        invalid("xxxxxx", 0, "'x'");
        invalid("ZZZZZZ", 0, "'Z'");
        invalid("GGGGGG", 0, "'G'");
        invalid("QQQQQQ", 0, "'Q'");
        invalid("cc", 0, "'c'");
        invalid("B", 0, "not supported");
        invalid("HH p", 3, "not supported");
        invalid("v", 0, "not supported");
        invalid("g", 0, "not supported");
        invalid("yyyy#", 4, "reserved");
        invalid("{yyyy}", 0, "reserved");
        invalid("yyyy}", 4, "reserved");
        invalid("'unterminated", 0, "unterminated");
        invalid("HH 'h", 3, "unterminated");
        invalid("HH]", 2, "']'");
        invalid("[HH]]", 4, "']'");
        invalid("日 yyyy-bb", 7, "'b'");
        let too_deep = "[".repeat(MAX_OPTIONAL_SECTIONS + 1);
        invalid(&too_deep, MAX_OPTIONAL_SECTIONS, "optional sections");
        // Non-ASCII letters are literals, as in Java.
        assert!(DateTimePattern::parse("é").unwrap().matches("é"));
    }

    #[test]
    fn format_fields() {
        let at = sample();
        let cases = [
            ("G GGGG GGGGG", "AD Anno Domini A"),
            ("y yy yyy yyyy yyyyy", "2024 24 2024 2024 02024"),
            ("u uu uuuu", "2024 24 2024"),
            ("Y YY YYYY w ww", "2024 24 2024 9 09"),
            ("D DD DDD", "60 60 060"),
            ("M MM MMM MMMM MMMMM", "2 02 Feb February F"),
            ("L LL LLL LLLL", "2 02 Feb February"),
            ("d dd", "29 29"),
            ("Q QQ QQQ QQQQ QQQQQ", "1 01 Q1 1st quarter 1"),
            ("W F", "5 5"),
            ("E EE EEE EEEE EEEEE", "Thu Thu Thu Thursday T"),
            ("e ee eee eeee c ccc", "4 04 Thu Thursday 4 Thu"),
            ("a h hh K KK k kk H HH", "PM 1 01 1 01 13 13 13 13"),
            ("m mm s ss", "5 05 9 09"),
            // One `S` run per pattern: different widths record different fractions.
            ("S", "1"),
            ("SS", "12"),
            ("SSS", "123"),
            ("SSSSSS", "123456"),
            ("SSSSSSSSS", "123456789"),
            ("A", "47109123"),
            ("n nnnnnnnnnn", "123456789 0123456789"),
            ("N", "47109123456789"),
            ("VV", "+05:30"),
            ("z", "GMT+05:30"),
            ("O OOOO", "GMT+5:30 GMT+05:30"),
            ("X XX XXX XXXX XXXXX", "+0530 +0530 +05:30 +0530 +05:30"),
            ("x xx xxx", "+0530 +0530 +05:30"),
            ("Z ZZ ZZZ ZZZZ ZZZZZ", "+0530 +0530 +0530 GMT+05:30 +05:30"),
            ("yyyy-MM-dd['T'HH:mm]", "2024-02-29T13:05"),
            ("hh 'o''clock' a", "01 o'clock PM"),
        ];
        for (pattern, expected) in cases {
            renders(pattern, &at, expected);
        }
    }

    #[test]
    fn format_edge_values() {
        let utc = zoned("2023-01-01T00:00:00Z", TimeZone::UTC);
        renders("X x Z ZZZZ ZZZZZ O", &utc, "Z +00 +0000 GMT Z GMT");
        renders("VV z zzzz", &utc, "UTC UTC Coordinated Universal Time");
        renders("k h K a", &utc, "24 12 0 AM");
        renders("YYYY-'W'ww-e", &utc, "2022-W52-7");
        renders("W", &utc, "0");
        renders("SSS n A N", &utc, "000 0 0 0");
        let negative = zoned("2023-06-15T12:00:00Z", TimeZone::fixed(tz::offset(-8)));
        renders("XXX xx O OOOO", &negative, "-08:00 -0800 GMT-8 GMT-08:00");
        let bc = zoned("-000043-03-15T12:00:00Z", TimeZone::UTC);
        renders("uuuu yyyy G", &bc, "-0043 0044 BC");
        let late = zoned("2024-12-31T23:59:59.999Z", TimeZone::UTC);
        renders("D w YYYY", &late, "366 1 2025");
        if let Ok(london) = TimeZone::get("Europe/London") {
            let summer = zoned("2024-07-01T12:00:00Z", london.clone());
            renders(
                "VV z zzzz",
                &summer,
                "Europe/London BST British Summer Time",
            );
            let winter = zoned("2024-01-01T12:00:00Z", london);
            renders("HH:mm z XXX", &winter, "12:00 GMT Z");
        }
    }

    const ROUND_TRIP_PATTERNS: &[&str] = &[
        "yyyy-MM-dd",
        "HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "EEE, dd MMM yyyy HH:mm:ss z",
        "MM/dd/yyyy hh:mm a",
        "yyyyMMdd",
        "yyyy-MM-dd'T'HH:mm:ssZ",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.SSSSSS",
        "dd.MM.yy",
        "d MMMM yyyy",
        "EEEE, MMMM d, yyyy",
        "h:mm a",
        "HH:mm:ss.SSS",
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSxxx'['VV']'",
        "yyyy-DDD",
        "YYYY-'W'ww-e",
        "uuuu-MM-dd'T'HH:mmO",
        "yyyy-MM-dd'T'HH:mm:ssZZZZZ",
        "dd MMM yyyy HH:mm zzzz",
        "G yyyy QQQ",
        "yyyy-MM-dd['T'HH:mm[:ss]]",
        "k:mm K:mm",
        "A n N",
        "yyMMddHHmmss",
        "yMMdd",
    ];

    fn round_trip_moments() -> Vec<Zoned> {
        let mut moments = vec![
            Zoned::now(),
            sample(),
            zoned("2023-01-01T00:00:00Z", TimeZone::UTC),
            zoned(
                "2024-12-31T23:59:59.999999999Z",
                TimeZone::fixed(tz::offset(-11)),
            ),
            zoned("2021-01-03T12:30:00Z", TimeZone::fixed(tz::offset(14))),
            zoned("2000-02-29T11:59:59Z", TimeZone::fixed(tz::offset(-3))),
        ];
        for name in ["Europe/London", "America/New_York", "Asia/Kolkata"] {
            if let Ok(zone) = TimeZone::get(name) {
                moments.push(zoned("2024-07-14T18:45:30.5Z", zone));
            }
        }
        moments
    }

    #[test]
    fn format_then_match_round_trips() {
        for at in round_trip_moments() {
            for pattern in ROUND_TRIP_PATTERNS {
                let compiled = DateTimePattern::parse(pattern).unwrap();
                let text = compiled.format(&at);
                assert!(
                    compiled.matches(&text),
                    "{pattern:?} should match its own output {text:?} for {at}"
                );
            }
        }
    }

    #[test]
    fn iso_helpers() {
        let dates = [
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("2024-13-01", false),
            ("2024-00-10", false),
            ("2024-01-00", false),
            ("2024-1-01", false),
            ("24-01-01", false),
            ("20240101", false),
            ("+012024-01-01", true),
            ("-0044-03-15", true),
            ("2024-01-01T00:00", false),
            ("2024-01-01 ", false),
            ("", false),
            ("２０２４-01-01", false),
        ];
        for (value, expected) in dates {
            assert_eq!(is_iso_date(value), expected, "date {value:?}");
        }
        let times = [
            ("13:45:00", true),
            ("13:45", true),
            ("13:45:00.123", true),
            ("13:45:00,5", true),
            ("13:45:00.123456789", true),
            ("13:45:00.1234567890", false),
            ("13:45:00.", false),
            ("13:45:00Z", true),
            ("13:45:00+01:00", true),
            ("13:45:00-0530", true),
            ("13:45:00+01", true),
            ("13:45:00+1", false),
            ("24:00:00", false),
            ("13:60:00", false),
            ("13:45:60", false),
            ("1:45:00", false),
            ("13:45:0", false),
            ("", false),
            ("13:45:00é", false),
        ];
        for (value, expected) in times {
            assert_eq!(is_iso_time(value), expected, "time {value:?}");
        }
        let datetimes = [
            ("2024-02-29T13:45:00", true),
            ("2024-02-29T13:45:00Z", true),
            ("2024-02-29t13:45:00z", true),
            ("2024-02-29T13:45:00.123456+05:30", true),
            ("2024-02-29T13:45", true),
            ("2024-02-29T13:45:00+01:00[Europe/Paris]", true),
            ("2024-02-29T13:45:00+01:00[Europe/Paris", false),
            ("2024-02-29T13:45:00+01:00[]", false),
            ("2023-02-29T13:45:00Z", false),
            ("2024-02-29 13:45:00", false),
            ("2024-02-29", false),
            ("2024-02-29T", false),
            ("2024-02-29T25:00:00", false),
            ("2024-02-29T13:45:00ZZ", false),
            ("", false),
            ("2024-02-29T13:45:00+01:00🎉", false),
        ];
        for (value, expected) in datetimes {
            assert_eq!(is_iso_datetime(value), expected, "datetime {value:?}");
        }
    }

    /// A small deterministic generator (64-bit LCG, upper bits used).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as usize
        }
    }

    const FUZZ_CHARS: &[char] = &[
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', '2', '9', '-', ':', '+', 'T',
        '.', 'Z', ' ', '/', ',', 'a', 'M', 'P', 'G', 'J', 'n', 'e', 'U', 'C', '[', ']', '\'', 'é',
        '日', '🎉', '\u{301}', 'ß',
    ];

    const FUZZ_PATTERNS: &[&str] = &[
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "EEE, dd MMM yyyy HH:mm:ss z",
        "MM/dd/yyyy hh:mm a",
        "yMMdd",
        "d/M/y H:m:s",
        "HH:mm[:ss[.SSS]][XXX]",
        "uuuu-DDD G",
        "zzzz VV O OOOO",
        "X XX XXX XXXX XXXXX x Z ZZZZ ZZZZZ",
        "YYYY-'W'ww-e W F Q QQQQ",
        "A n N k K",
        "[[yy]yy][MM]",
        "",
    ];

    #[test]
    fn fuzz_matches_never_panics() {
        let mut rng = Lcg(0x5eed);
        let compiled: Vec<DateTimePattern> = FUZZ_PATTERNS
            .iter()
            .map(|p| DateTimePattern::parse(p).unwrap())
            .collect();
        let seeds: Vec<String> = compiled.iter().map(|p| p.format(&sample())).collect();
        let mut matched = 0usize;
        for round in 0..2000 {
            let value: String = if round % 2 == 0 {
                // Random text.
                let len = rng.next() % 24;
                (0..len)
                    .map(|_| FUZZ_CHARS[rng.next() % FUZZ_CHARS.len()])
                    .collect()
            } else {
                // A valid value with one character replaced, inserted or removed.
                let seed = &seeds[rng.next() % seeds.len()];
                let mut chars: Vec<char> = seed.chars().collect();
                let at = rng.next() % (chars.len() + 1);
                let c = FUZZ_CHARS[rng.next() % FUZZ_CHARS.len()];
                match rng.next() % 3 {
                    0 if at < chars.len() => chars[at] = c,
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ => chars.insert(at, c),
                }
                chars.into_iter().collect()
            };
            for pattern in &compiled {
                matched += usize::from(pattern.matches(&value));
            }
            let _ = (is_iso_date(&value), is_iso_time(&value));
            let _ = is_iso_datetime(&value);
        }
        // Some mutations keep the value valid; the loop must not reject everything.
        assert!(matched > 0);
    }

    #[test]
    fn fuzz_patterns_never_panic() {
        let mut rng = Lcg(42);
        let letters: Vec<char> = "GuyDMLdQqYwWEecFahKkHmsSAnNVzOXxZ'[]-: é".chars().collect();
        let at = sample();
        for _ in 0..2000 {
            let len = rng.next() % 12;
            let pattern: String = (0..len)
                .map(|_| letters[rng.next() % letters.len()])
                .collect();
            if let Ok(compiled) = DateTimePattern::parse(&pattern) {
                let text = compiled.format(&at);
                let _ = compiled.matches(&text);
                let _ = compiled.matches("2024-02-29T13:05:09Z");
            }
        }
    }

    #[test]
    fn pathological_optional_sections_terminate() {
        let pattern = "[H]".repeat(MAX_OPTIONAL_SECTIONS) + "'x'";
        let compiled = DateTimePattern::parse(&pattern).unwrap();
        assert!(!compiled.matches(&"1".repeat(MAX_OPTIONAL_SECTIONS)));
    }

    #[test]
    fn the_fixed_layout_agrees_with_the_general_matcher() {
        let patterns = [
            "yyyy-MM-dd",
            "yyyy-MM-dd'T'HH:mm:ss",
            "yyyy-MM-dd'T'HH:mm:ss.SSS",
            "yyyy-MM-dd HH:mm",
            "MM/dd",
            "HH:mm:ss",
            "yyyyMMdd",
            "dd.MM.yyyy",
        ];
        let alphabet = b"0123456789012345678901239-:T./ x";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for pattern in patterns {
            let p = DateTimePattern::parse(pattern).unwrap();
            assert!(p.fixed.is_some(), "{pattern} should use the fixed layout");
            let mut checked = 0;
            for _ in 0..20_000 {
                // Mutate a valid-looking value so that both answers occur.
                let mut value: Vec<u8> = pattern
                    .replace('\'', "")
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphabetic() && b != b'T' {
                            b'0' + (next() % 10) as u8
                        } else {
                            b
                        }
                    })
                    .collect();
                if next() % 3 == 0 {
                    let at = next() % value.len();
                    value[at] = alphabet[next() % alphabet.len()];
                }
                let value = String::from_utf8(value).unwrap();
                assert_eq!(
                    p.matches(&value),
                    p.matches_generally(&value),
                    "{pattern} on {value:?}"
                );
                checked += 1;
            }
            assert_eq!(checked, 20_000);
            for good in ["2024-02-29", "2024-02-29T23:59:59", "02/29", "20240229"] {
                if p.matches_generally(good) {
                    assert!(p.matches(good), "{pattern} {good}");
                }
            }
        }
        // Patterns with text, optional sections or variable widths keep the general matcher.
        for pattern in [
            "EEE, dd MMM yyyy",
            "yyyy-MM-dd['T'HH:mm]",
            "d/M/y",
            "yyyy-MM-dd'T'HH:mm:ssXXX",
            "uuuu-MM-dd",
        ] {
            assert!(
                DateTimePattern::parse(pattern).unwrap().fixed.is_none(),
                "{pattern}"
            );
        }
    }
}
