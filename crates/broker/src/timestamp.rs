//! The broker's timestamps: microseconds since the Unix epoch (UTC), as stored in every
//! `*_at` column, and their RFC 3339 form for JSON resources.

/// Microseconds since the Unix epoch, the broker's timestamp unit.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// A stored timestamp as RFC 3339 text.
pub fn rfc3339(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.round(jiff::Unit::Millisecond).unwrap_or(t).to_string())
        .unwrap_or_default()
}
