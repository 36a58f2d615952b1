//! Content-type detection from bytes, for the `contentType` matcher and for bodies that arrive
//! without a `Content-Type` header. Covers the formats contracts meet in practice; anything
//! unrecognised is `application/octet-stream` (or `text/plain` when it is valid UTF-8).

/// Guesses the content type of a body from its first bytes.
pub(crate) fn sniff(bytes: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1F\x8B", "application/gzip"),
        (b"BM", "image/bmp"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
    ];
    for (magic, kind) in SIGNATURES {
        if bytes.starts_with(magic) {
            return kind;
        }
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return "image/webp";
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "application/octet-stream";
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(trimmed).is_ok()
    {
        "application/json"
    } else if trimmed.starts_with("<?xml") {
        "application/xml"
    } else if trimmed
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("<html"))
        || trimmed.starts_with("<!DOCTYPE html")
    {
        "text/html"
    } else {
        "text/plain"
    }
}

/// True if two content types name the same media type, ignoring parameters and case.
pub(crate) fn same_essence(a: &str, b: &str) -> bool {
    let essence = |s: &str| {
        s.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    essence(a) == essence(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_formats() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(sniff(b"%PDF-1.7"), "application/pdf");
        assert_eq!(sniff(br#"{"a": 1}"#), "application/json");
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><a/>"), "application/xml");
        assert_eq!(sniff(b"hello"), "text/plain");
        assert_eq!(sniff(&[0, 159, 146, 150]), "application/octet-stream");
        assert!(same_essence(
            "application/json; charset=utf-8",
            "Application/JSON"
        ));
    }
}
