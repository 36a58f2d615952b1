//! Relative date expressions (`+ 1 day @ midnight`, `next monday`, `today + 2 hours`): parsed
//! once, when a contract is read, and evaluated against "now" each time a date, time or
//! date-time generator runs.
//!
//! The grammar is described on [`DateExpression`]. This module knows nothing of generators or
//! contracts; formatting the evaluated moment is [`crate::datetime`]'s job.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::{Span, Zoned};

/// A parsed date expression, evaluated relative to a moment with [`DateExpression::evaluate`].
///
/// Expressions are evaluated left to right from now, case-insensitively, with any whitespace
/// between words:
///
/// ```text
/// expression := [ part ] [ "@" time-part ]            (empty: now)
/// part       := anchor { shift } | shift { shift }
/// time-part  := [ time-anchor ] { shift }
/// anchor     := "now" | "today" | "tomorrow" | "yesterday" | time-anchor
///             | ("next" | "last") (unit | weekday | month)
/// time-anchor:= "now" | "midnight" | "noon" | "midday"
///             | HOUR "o'clock" ["am" | "pm"] | HOUR ("am" | "pm")          (HOUR: 1 to 12)
///             | ("next" | "last") time-unit
/// shift      := ("+" | "-") INTEGER unit
/// unit       := time-unit | "day(s)" | "week(s)" | "fortnight(s)" | "month(s)" | "year(s)"
/// time-unit  := "hour(s)" | "minute(s)" | "second(s)" | "millisecond(s)"
/// weekday    := "monday" | "mon" | "tuesday" | "tue" | "tues" | ... | "sunday" | "sun"
/// month      := "january" | "jan" | ... | "september" | "sep" | "sept" | ... | "dec"
/// ```
///
/// `today` is now (the time of day is kept, as Pact does); `tomorrow`/`yesterday` are a day
/// either side. `next monday` is the first Monday after today, `last monday` the last one before
/// it. `next june` is the 1st of the first June after the current month, `last june` the 1st of
/// the last June before it (the time of day is kept). `next <unit>` is `+ 1 <unit>`. `midnight`,
/// `noon` and `N o'clock` set the time of day to the whole hour (`12 o'clock am` is midnight);
/// `N o'clock` without `am`/`pm` is whichever of N am and N pm is the next one today (N pm when
/// both have passed). Months and years added to the 31st land on the month's last day. Examples:
/// `+ 1 day @ midnight`, `today + 2 hours`, `yesterday @ noon - 1 hour`,
/// `next june + 2 weeks @ 3 o'clock`.
#[derive(Debug, Clone)]
pub struct DateExpression {
    source: String,
    /// The evaluation steps, each with the character position it came from (for errors).
    steps: Vec<(Step, usize)>,
}

impl DateExpression {
    /// Parses an expression; an error names the character where it went wrong.
    pub fn parse(source: &str) -> Result<Self, DateExpressionError> {
        let steps = ExpressionParser::new(source)?.parse()?;
        Ok(DateExpression {
            source: source.to_string(),
            steps,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The moment the expression names, relative to `now`; an error when it falls outside the
    /// range of representable dates.
    pub fn evaluate(&self, now: &Zoned) -> Result<Zoned, DateExpressionError> {
        evaluate(&self.source, &self.steps, now)
    }
}

impl PartialEq for DateExpression {
    /// Equal when written the same.
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl fmt::Display for DateExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A date expression that cannot be parsed, or whose result is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date expression '{expression}' at character {position}: {reason}")]
pub struct DateExpressionError {
    /// The expression as written.
    pub expression: String,
    /// Zero-based character index of the problem.
    pub position: usize,
    /// What was wrong, and what was expected.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Int(u64),
    Plus,
    Minus,
    At,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Fortnight,
    Month,
    Year,
}

impl Unit {
    fn parse(word: &str) -> Option<Unit> {
        let singular = word.strip_suffix('s').unwrap_or(word);
        Some(match singular {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "fortnight" => Unit::Fortnight,
            "month" => Unit::Month,
            "year" => Unit::Year,
            _ => return None,
        })
    }

    fn is_time(self) -> bool {
        matches!(
            self,
            Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour
        )
    }

    fn span(self, amount: i64) -> Result<Span, jiff::Error> {
        let s = Span::new();
        match self {
            Unit::Millisecond => s.try_milliseconds(amount),
            Unit::Second => s.try_seconds(amount),
            Unit::Minute => s.try_minutes(amount),
            Unit::Hour => s.try_hours(amount),
            Unit::Day => s.try_days(amount),
            Unit::Week => s.try_weeks(amount),
            Unit::Fortnight => s.try_weeks(amount.saturating_mul(2)),
            Unit::Month => s.try_months(amount),
            Unit::Year => s.try_years(amount),
        }
    }
}

fn parse_weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

fn parse_month(word: &str) -> Option<i8> {
    Some(match word {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// One evaluation step of a parsed date expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Add (or, negative, subtract) an amount of a unit.
    Shift(Unit, i64),
    /// Set the time of day to a whole hour (0-23).
    SetHour(i8),
    /// `N o'clock` without am/pm: hour 1-12.
    Clock(i8),
    /// The next (`true`) or last weekday of that name, strictly after/before the date.
    Weekday(Weekday, bool),
    /// The 1st of the next (`true`) or last month of that number.
    Month(i8, bool),
}

struct ExpressionParser<'e> {
    expression: &'e str,
    tokens: Vec<(Token, usize)>,
    next: usize,
}

impl<'e> ExpressionParser<'e> {
    fn new(expression: &'e str) -> Result<Self, DateExpressionError> {
        let mut tokens = Vec::new();
        let chars: Vec<char> = expression.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let start = i;
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let token = match c {
                '+' => {
                    i += 1;
                    Token::Plus
                }
                '-' => {
                    i += 1;
                    Token::Minus
                }
                '@' => {
                    i += 1;
                    Token::At
                }
                c if c.is_ascii_digit() => {
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    let digits: String = chars[start..i].iter().collect();
                    match digits.parse::<u64>() {
                        Ok(n) => Token::Int(n),
                        Err(_) => {
                            return Err(date_error(expression, start, "the number is too large"));
                        }
                    }
                }
                c if c.is_alphabetic() => {
                    while i < chars.len()
                        && (chars[i].is_alphabetic() || chars[i] == '\'' || chars[i] == '\u{2019}')
                    {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    Token::Word(word.to_lowercase())
                }
                other => {
                    return Err(date_error(
                        expression,
                        start,
                        &format!("unexpected character '{other}'"),
                    ));
                }
            };
            tokens.push((token, start));
        }
        Ok(ExpressionParser {
            expression,
            tokens,
            next: 0,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    /// Position of the next token, or the end of the expression.
    fn position(&self) -> usize {
        self.tokens
            .get(self.next)
            .map_or(self.expression.chars().count(), |(_, p)| *p)
    }

    fn error(&self, reason: &str) -> DateExpressionError {
        date_error(self.expression, self.position(), reason)
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "the end".into(),
            Some(Token::Word(w)) => format!("'{w}'"),
            Some(Token::Int(n)) => format!("'{n}'"),
            Some(Token::Plus) => "'+'".into(),
            Some(Token::Minus) => "'-'".into(),
            Some(Token::At) => "'@'".into(),
        }
    }

    fn parse(mut self) -> Result<Vec<(Step, usize)>, DateExpressionError> {
        let mut steps = Vec::new();
        self.segment(false, &mut steps)?;
        if self.peek() == Some(&Token::At) {
            self.next += 1;
            if self.peek().is_none() {
                return Err(self
                    .error("expected a time after '@' (now, midnight, noon, N o'clock, + or -)"));
            }
            self.segment(true, &mut steps)?;
            if self.peek().is_some() {
                return Err(self.error(&format!(
                    "unexpected {}; expected '+' or '-'",
                    self.describe_next()
                )));
            }
        } else if self.peek().is_some() {
            return Err(self.error(&format!(
                "unexpected {}; expected '+', '-' or '@'",
                self.describe_next()
            )));
        }
        Ok(steps)
    }

    /// `[anchor] {shift}`; after `@` only time anchors are allowed.
    fn segment(
        &mut self,
        time_only: bool,
        steps: &mut Vec<(Step, usize)>,
    ) -> Result<(), DateExpressionError> {
        let position = self.position();
        match self.peek().cloned() {
            Some(Token::Word(word)) => {
                self.next += 1;
                match word.as_str() {
                    "now" => {}
                    "today" | "tomorrow" | "yesterday" if time_only => {
                        return Err(date_error(
                            self.expression,
                            position,
                            &format!(
                                "'{word}' is a date; after '@' expected now, midnight, noon or N o'clock"
                            ),
                        ));
                    }
                    "today" => {}
                    "tomorrow" => steps.push((Step::Shift(Unit::Day, 1), position)),
                    "yesterday" => steps.push((Step::Shift(Unit::Day, -1), position)),
                    "midnight" => steps.push((Step::SetHour(0), position)),
                    "noon" | "midday" => steps.push((Step::SetHour(12), position)),
                    "next" | "last" => {
                        let forward = word == "next";
                        let step = self.offset(forward, time_only)?;
                        steps.push((step, position));
                    }
                    _ => {
                        return Err(date_error(
                            self.expression,
                            position,
                            &format!(
                                "unexpected '{word}'; expected {}",
                                if time_only {
                                    "now, midnight, noon, N o'clock, next, last, + or -"
                                } else {
                                    "now, today, tomorrow, yesterday, midnight, noon, next, last, + or -"
                                }
                            ),
                        ));
                    }
                }
            }
            Some(Token::Int(hour)) => {
                self.next += 1;
                let step = self.clock(hour, position)?;
                steps.push((step, position));
            }
            _ => {}
        }
        while let Some(sign @ (Token::Plus | Token::Minus)) = self.peek().cloned() {
            let position = self.position();
            self.next += 1;
            let amount = match self.peek() {
                Some(Token::Int(n)) => *n,
                _ => {
                    return Err(self.error(&format!(
                        "expected a number after '{}', found {}",
                        if sign == Token::Plus { '+' } else { '-' },
                        self.describe_next()
                    )));
                }
            };
            self.next += 1;
            let unit = match self.peek() {
                Some(Token::Word(w)) => Unit::parse(w),
                _ => None,
            }
            .ok_or_else(|| {
                self.error(&format!(
                    "expected a unit (millisecond, second, minute, hour, day, week, fortnight, \
                     month or year), found {}",
                    self.describe_next()
                ))
            })?;
            self.next += 1;
            let amount = i64::try_from(amount)
                .map_err(|_| date_error(self.expression, position, "the number is too large"))?;
            let amount = if sign == Token::Minus {
                -amount
            } else {
                amount
            };
            steps.push((Step::Shift(unit, amount), position));
        }
        Ok(())
    }

    /// What follows `next`/`last`.
    fn offset(&mut self, forward: bool, time_only: bool) -> Result<Step, DateExpressionError> {
        let Some(Token::Word(word)) = self.peek().cloned() else {
            return Err(self.error(&format!(
                "expected a unit, weekday or month after '{}', found {}",
                if forward { "next" } else { "last" },
                self.describe_next()
            )));
        };
        let sign = if forward { 1 } else { -1 };
        let step = if let Some(unit) = Unit::parse(&word) {
            if time_only && !unit.is_time() {
                return Err(self.error(&format!(
                    "'{word}' is not a time unit; after '@' expected hour, minute, second or millisecond"
                )));
            }
            Step::Shift(unit, sign)
        } else if let (false, Some(day)) = (time_only, parse_weekday(&word)) {
            Step::Weekday(day, forward)
        } else if let (false, Some(month)) = (time_only, parse_month(&word)) {
            Step::Month(month, forward)
        } else {
            return Err(self.error(&format!(
                "unexpected '{word}'; expected {}",
                if time_only {
                    "hour, minute, second or millisecond"
                } else {
                    "a unit (day, week, month, hour, ...), a weekday or a month"
                }
            )));
        };
        self.next += 1;
        Ok(step)
    }

    /// `N o'clock [am|pm]` or `N am|pm`, the number already taken.
    fn clock(&mut self, hour: u64, position: usize) -> Result<Step, DateExpressionError> {
        if !(1..=12).contains(&hour) {
            return Err(date_error(
                self.expression,
                position,
                "expected an hour from 1 to 12 before o'clock",
            ));
        }
        let hour = hour as i8;
        let mut said_oclock = false;
        if let Some(Token::Word(w)) = self.peek()
            && matches!(w.as_str(), "o'clock" | "oclock" | "o\u{2019}clock")
        {
            said_oclock = true;
            self.next += 1;
        }
        let meridiem = match self.peek() {
            Some(Token::Word(w)) if w == "am" => Some(Meridiem::Am),
            Some(Token::Word(w)) if w == "pm" => Some(Meridiem::Pm),
            _ => None,
        };
        if meridiem.is_some() {
            self.next += 1;
        }
        Ok(match meridiem {
            Some(Meridiem::Am) => Step::SetHour(hour % 12),
            Some(Meridiem::Pm) => Step::SetHour(hour % 12 + 12),
            None if said_oclock => Step::Clock(hour),
            None => {
                return Err(self.error(&format!(
                    "expected o'clock, am or pm after {hour}, found {}",
                    self.describe_next()
                )));
            }
        })
    }
}

fn date_error(expression: &str, position: usize, reason: &str) -> DateExpressionError {
    DateExpressionError {
        expression: expression.to_string(),
        position,
        reason: reason.to_string(),
    }
}

/// Runs parsed steps from `now`; `expression` is for errors.
fn evaluate(
    expression: &str,
    steps: &[(Step, usize)],
    now: &Zoned,
) -> Result<Zoned, DateExpressionError> {
    let mut at = now.clone();
    for &(step, position) in steps {
        let out_of_range = |e: jiff::Error| {
            date_error(
                expression,
                position,
                &format!("the result is out of range: {e}"),
            )
        };
        at = match step {
            Step::Shift(unit, amount) => at
                .checked_add(unit.span(amount).map_err(out_of_range)?)
                .map_err(out_of_range)?,
            Step::SetHour(hour) => set_hour(&at, hour).map_err(out_of_range)?,
            Step::Clock(hour) => {
                let am = hour % 12;
                let am_time = Time::new(am, 0, 0, 0).map_err(out_of_range)?;
                let hour = if at.time() < am_time { am } else { am + 12 };
                set_hour(&at, hour).map_err(out_of_range)?
            }
            Step::Weekday(day, forward) => at
                .nth_weekday(if forward { 1 } else { -1 }, day)
                .map_err(out_of_range)?,
            Step::Month(month, forward) => {
                let current = at.month();
                let year = match (forward, month > current, month < current) {
                    (true, true, _) | (false, _, true) => at.year(),
                    (true, false, _) => at.year().checked_add(1).unwrap_or(at.year()),
                    (false, _, false) => at.year().checked_sub(1).unwrap_or(at.year()),
                };
                let date = Date::new(year, month, 1).map_err(out_of_range)?;
                at.with().date(date).build().map_err(out_of_range)?
            }
        };
    }
    Ok(at)
}

fn set_hour(at: &Zoned, hour: i8) -> Result<Zoned, jiff::Error> {
    at.with().time(Time::new(hour, 0, 0, 0)?).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluate_date_expression(
        expression: &str,
        now: &Zoned,
    ) -> Result<Zoned, DateExpressionError> {
        DateExpression::parse(expression)?.evaluate(now)
    }

    fn fixed(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    /// 2000-01-01 (a Saturday) 10:00 UTC, the base the Pact documentation uses.
    fn base() -> Zoned {
        fixed("2000-01-01T10:00:00+00:00[UTC]")
    }

    fn eval(expression: &str) -> String {
        match evaluate_date_expression(expression, &base()) {
            Ok(z) => z.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            Err(e) => panic!("{expression}: {e}"),
        }
    }

    #[test]
    fn date_expressions_from_the_pact_documentation() {
        let cases = [
            ("", "2000-01-01T10:00:00.000"),
            ("   ", "2000-01-01T10:00:00.000"),
            ("now", "2000-01-01T10:00:00.000"),
            ("today", "2000-01-01T10:00:00.000"),
            ("yesterday", "1999-12-31T10:00:00.000"),
            ("tomorrow", "2000-01-02T10:00:00.000"),
            ("+ 1 day", "2000-01-02T10:00:00.000"),
            ("+ 1 week", "2000-01-08T10:00:00.000"),
            ("- 2 weeks", "1999-12-18T10:00:00.000"),
            ("+ 4 years", "2004-01-01T10:00:00.000"),
            ("tomorrow+ 4 years", "2004-01-02T10:00:00.000"),
            ("next week", "2000-01-08T10:00:00.000"),
            ("last month", "1999-12-01T10:00:00.000"),
            ("next fortnight", "2000-01-15T10:00:00.000"),
            ("next monday", "2000-01-03T10:00:00.000"),
            ("last wednesday", "1999-12-29T10:00:00.000"),
            ("next mon", "2000-01-03T10:00:00.000"),
            ("last december", "1999-12-01T10:00:00.000"),
            ("next jan", "2001-01-01T10:00:00.000"),
            ("next june + 2 weeks", "2000-06-15T10:00:00.000"),
            ("last mon + 2 weeks", "2000-01-10T10:00:00.000"),
            // Time parts.
            ("midnight", "2000-01-01T00:00:00.000"),
            ("noon", "2000-01-01T12:00:00.000"),
            ("1 o'clock", "2000-01-01T13:00:00.000"),
            ("1 o'clock am", "2000-01-01T01:00:00.000"),
            ("1 o'clock pm", "2000-01-01T13:00:00.000"),
            ("+ 1 hour", "2000-01-01T11:00:00.000"),
            ("- 2 minutes", "2000-01-01T09:58:00.000"),
            ("+ 4 seconds", "2000-01-01T10:00:04.000"),
            ("+ 4 milliseconds", "2000-01-01T10:00:00.004"),
            ("midnight+ 4 minutes", "2000-01-01T00:04:00.000"),
            ("next hour", "2000-01-01T11:00:00.000"),
            ("last minute", "2000-01-01T09:59:00.000"),
            ("now + 2 hours - 4 minutes", "2000-01-01T11:56:00.000"),
            (" + 2 hours - 4 minutes", "2000-01-01T11:56:00.000"),
            // Date and time together.
            ("today @ 1 o'clock", "2000-01-01T13:00:00.000"),
            ("yesterday @ midnight", "1999-12-31T00:00:00.000"),
            ("yesterday @ midnight - 1 hour", "1999-12-30T23:00:00.000"),
            ("tomorrow @ now", "2000-01-02T10:00:00.000"),
            ("+ 1 day @ noon", "2000-01-02T12:00:00.000"),
            ("+ 1 week @ +1 hour", "2000-01-08T11:00:00.000"),
            ("- 2 weeks @ now + 1 hour", "1999-12-18T11:00:00.000"),
            ("+ 4 years @ midnight", "2004-01-01T00:00:00.000"),
            (
                "tomorrow+ 4 years @ 3 o'clock + 40 milliseconds",
                "2004-01-02T15:00:00.040",
            ),
            ("next week @ next hour", "2000-01-08T11:00:00.000"),
            ("last month @ last hour", "1999-12-01T09:00:00.000"),
        ];
        for (expression, expected) in cases {
            assert_eq!(eval(expression), expected, "{expression:?}");
        }
    }

    #[test]
    fn date_expression_extensions() {
        let cases = [
            ("today + 2 hours", "2000-01-01T12:00:00.000"),
            ("+ 1 day @ midnight", "2000-01-02T00:00:00.000"),
            ("@ 2 o'clock", "2000-01-01T14:00:00.000"),
            ("@ noon", "2000-01-01T12:00:00.000"),
            ("TOMORROW @ Midnight", "2000-01-02T00:00:00.000"),
            ("+3 months", "2000-04-01T10:00:00.000"),
            ("- 30 minutes", "2000-01-01T09:30:00.000"),
            ("last year", "1999-01-01T10:00:00.000"),
            ("next year", "2001-01-01T10:00:00.000"),
            ("next day", "2000-01-02T10:00:00.000"),
            ("next saturday", "2000-01-08T10:00:00.000"),
            ("last saturday", "1999-12-25T10:00:00.000"),
            ("next tues", "2000-01-04T10:00:00.000"),
            ("last sept", "1999-09-01T10:00:00.000"),
            ("next december", "2000-12-01T10:00:00.000"),
            ("last january", "1999-01-01T10:00:00.000"),
            ("+ 2 fortnights", "2000-01-29T10:00:00.000"),
            ("12 o'clock", "2000-01-01T12:00:00.000"),
            ("12 o'clock am", "2000-01-01T00:00:00.000"),
            ("12 o'clock pm", "2000-01-01T12:00:00.000"),
            ("11 o'clock", "2000-01-01T11:00:00.000"),
            ("10 o'clock", "2000-01-01T22:00:00.000"),
            ("3pm", "2000-01-01T15:00:00.000"),
            ("7 am", "2000-01-01T07:00:00.000"),
            ("@ 9 oclock", "2000-01-01T21:00:00.000"),
            ("1 o\u{2019}clock am", "2000-01-01T01:00:00.000"),
            ("+ 1 day + 1 day - 3 days", "1999-12-31T10:00:00.000"),
            ("yesterday @ noon - 1 hour", "1999-12-31T11:00:00.000"),
            ("next june + 2 weeks @ 3 o'clock", "2000-06-15T15:00:00.000"),
            ("+ 0 days", "2000-01-01T10:00:00.000"),
        ];
        for (expression, expected) in cases {
            assert_eq!(eval(expression), expected, "{expression:?}");
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let jan31 = fixed("2001-01-31T08:00:00+00:00[UTC]");
        let at = |e: &str| {
            evaluate_date_expression(e, &jan31)
                .unwrap()
                .strftime("%Y-%m-%d")
                .to_string()
        };
        assert_eq!(at("+ 1 month"), "2001-02-28");
        assert_eq!(at("- 2 months"), "2000-11-30");
        let leap = fixed("2000-02-29T08:00:00+00:00[UTC]");
        let z = evaluate_date_expression("+ 1 year", &leap).unwrap();
        assert_eq!(z.strftime("%Y-%m-%d").to_string(), "2001-02-28");
    }

    #[test]
    fn afternoon_clock_times_pick_the_next_one_today() {
        let afternoon = fixed("2000-01-01T15:30:00+00:00[UTC]");
        let at = |e: &str| {
            evaluate_date_expression(e, &afternoon)
                .unwrap()
                .strftime("%H:%M")
                .to_string()
        };
        assert_eq!(at("4 o'clock"), "16:00");
        assert_eq!(at("3 o'clock"), "15:00");
        assert_eq!(at("1 o'clock"), "13:00");
        assert_eq!(at("1 o'clock am"), "01:00");
    }

    #[test]
    fn offsets_are_kept() {
        let z = fixed("2000-01-01T23:30:00+10:00[+10:00]");
        let out = evaluate_date_expression("+ 1 hour", &z).unwrap();
        assert_eq!(out.to_string(), "2000-01-02T00:30:00+10:00[+10:00]");
    }

    #[test]
    fn invalid_date_expressions_are_errors_with_positions() {
        let cases = [
            ("not valid", 0, "unexpected 'not'"),
            ("+ 1", 3, "expected a unit"),
            ("+ day", 2, "expected a number"),
            ("+ 1 fortnite", 4, "expected a unit"),
            ("tomorrow noon", 9, "expected '+', '-' or '@'"),
            ("today @", 7, "expected a time after '@'"),
            ("@ tomorrow", 2, "is a date"),
            ("@ next monday", 7, "expected hour"),
            ("next", 4, "expected a unit, weekday or month"),
            ("next blue", 5, "unexpected 'blue'"),
            ("13 o'clock", 0, "from 1 to 12"),
            ("0 o'clock", 0, "from 1 to 12"),
            ("3", 1, "expected o'clock"),
            ("+ 1 day * 2", 8, "unexpected character '*'"),
            ("+ 99999999999999999999999 days", 2, "too large"),
            ("+ 1 day @ noon @ midnight", 15, "expected '+' or '-'"),
            ("+ 1 day - - 1 day", 10, "expected a number"),
        ];
        for (expression, position, reason) in cases {
            match evaluate_date_expression(expression, &base()) {
                Err(DateExpressionError {
                    position: p,
                    reason: r,
                    ..
                }) => {
                    assert_eq!(p, position, "{expression:?}: {r}");
                    assert!(r.contains(reason), "{expression:?}: {r}");
                }
                other => panic!("{expression:?}: expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn out_of_range_dates_are_errors_not_panics() {
        for expression in [
            "+ 100000 years",
            "- 9223372036854775807 milliseconds",
            "+ 9223372036854775807 fortnights",
            "+ 9223372036854775807 days",
            "- 99999999 months",
        ] {
            let err = evaluate_date_expression(expression, &base()).unwrap_err();
            assert!(
                err.to_string().contains("out of range"),
                "{expression}: {err}"
            );
        }
    }
}
