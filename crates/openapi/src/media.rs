//! Media types: which of the document's media types a contract's `Accept` or `Content-Type`
//! selects (RFC 9110 negotiation as PactFlow's comparator does it), and which bodies can be
//! validated at all.

/// Finds the media type among `available` (as written in the document) that `requested` (an
/// `Accept` or `Content-Type` value, possibly a list with q-values) selects. Tried in order,
/// for each requested type from the highest q-value: exact match; match without parameters;
/// match ignoring a structured-syntax suffix's prefix (`application/vnd.x+json` matches
/// `application/json`); a wildcard in the document (`application/*`, `*/*`); a wildcard in
/// the request.
pub fn find_matching<'a>(requested: &str, available: &'a [String]) -> Option<&'a str> {
    if available.is_empty() {
        return None;
    }
    let mut wanted: Vec<(f32, String)> = requested
        .split(',')
        .map(|t| {
            let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let t = t.to_ascii_lowercase();
            let q = quality(&t);
            (q, remove_quality(&t))
        })
        .collect();
    // Stable: equal q-values keep their written order.
    wanted.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let wanted: Vec<String> = wanted.into_iter().map(|(_, t)| t).collect();
    let offered: Vec<String> = available
        .iter()
        .map(|t| {
            t.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect();
    let pick = |i: usize| Some(available[i].as_str());

    for w in &wanted {
        if let Some(i) = offered.iter().position(|o| o == w) {
            return pick(i);
        }
    }
    let bare_wanted: Vec<&str> = wanted.iter().map(|w| without_parameters(w)).collect();
    let bare_offered: Vec<&str> = offered.iter().map(|o| without_parameters(o)).collect();
    for w in &bare_wanted {
        if let Some(i) = bare_offered.iter().position(|o| o == w) {
            return pick(i);
        }
    }
    for w in &bare_wanted {
        if let Some(i) = bare_offered
            .iter()
            .position(|o| main_type(o) == main_type(w) && suffix_subtype(o) == suffix_subtype(w))
        {
            return pick(i);
        }
    }
    for w in &bare_wanted {
        if let Some(i) = bare_offered
            .iter()
            .position(|o| suffix_subtype(o) == Some("*") && main_type(o) == main_type(w))
        {
            return pick(i);
        }
    }
    if let Some(i) = bare_offered.iter().position(|o| *o == "*/*") {
        return pick(i);
    }
    for w in &bare_wanted {
        if suffix_subtype(w) == Some("*")
            && let Some(i) = bare_offered
                .iter()
                .position(|o| main_type(o) == main_type(w))
        {
            return pick(i);
        }
    }
    if bare_wanted.contains(&"*/*") {
        return pick(0);
    }
    None
}

fn quality(t: &str) -> f32 {
    t.split(';')
        .skip(1)
        .find_map(|p| p.strip_prefix("q="))
        .and_then(|q| q.parse::<f32>().ok())
        .unwrap_or(1.0)
}

fn remove_quality(t: &str) -> String {
    t.split(';')
        .filter(|p| !p.starts_with("q="))
        .collect::<Vec<_>>()
        .join(";")
}

fn without_parameters(t: &str) -> &str {
    t.split(';').next().unwrap_or(t)
}

fn main_type(t: &str) -> &str {
    t.split('/').next().unwrap_or(t)
}

/// The subtype, or its structured-syntax suffix when it has one (`vnd.x+json` → `json`).
fn suffix_subtype(t: &str) -> Option<&str> {
    let sub = t.split('/').nth(1)?;
    sub.rsplit('+').next()
}

/// The media types whose bodies the cross-check validates against a schema.
const VALIDATABLE: [&str; 2] = ["application/json", "application/x-www-form-urlencoded"];

/// What to do with a body of a media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyCheck {
    /// Validate it against the schema.
    Validate,
    /// It cannot be validated (XML, images, multipart…): warn that it was not checked.
    Unvalidatable,
    /// Nothing to check.
    Skip,
}

/// Decides whether a body of `media_type` can be validated.
pub fn body_check(media_type: &str, has_body: bool) -> BodyCheck {
    let validatable: Vec<String> = VALIDATABLE.iter().map(|s| s.to_string()).collect();
    if find_matching(media_type, &validatable).is_some() {
        BodyCheck::Validate
    } else if has_body {
        BodyCheck::Unvalidatable
    } else {
        BodyCheck::Skip
    }
}

/// True for form bodies (`application/x-www-form-urlencoded`).
pub fn is_form(media_type: &str) -> bool {
    media_type
        .to_ascii_lowercase()
        .contains("application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn negotiation() {
        let offered = types(&["application/xml", "application/json"]);
        assert_eq!(
            find_matching("application/json", &offered),
            Some("application/json")
        );
        assert_eq!(
            find_matching("application/json;charset=utf-8", &offered),
            Some("application/json")
        );
        assert_eq!(
            find_matching("application/xml;q=0.5, application/json", &offered),
            Some("application/json")
        );
        assert_eq!(
            find_matching("application/vnd.api+json", &offered),
            Some("application/json")
        );
        assert_eq!(find_matching("text/plain", &offered), None);
        assert_eq!(find_matching("*/*", &offered), Some("application/xml"));
        assert_eq!(
            find_matching("application/*", &offered),
            Some("application/xml")
        );
        assert_eq!(
            find_matching("text/html", &types(&["text/*"])),
            Some("text/*")
        );
        assert_eq!(find_matching("image/png", &types(&["*/*"])), Some("*/*"));
    }

    #[test]
    fn validatable_bodies() {
        assert_eq!(
            body_check("application/hal+json", true),
            BodyCheck::Validate
        );
        assert_eq!(
            body_check("application/xml", true),
            BodyCheck::Unvalidatable
        );
        assert_eq!(body_check("application/xml", false), BodyCheck::Skip);
    }
}
