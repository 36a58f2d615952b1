//! Any text → `PathExpr::parse`. An expression that parses keeps its text, starts at the root,
//! and the text rebuilt from its tokens parses to the same expression.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactum::contract::path::{PathExpr, PathToken};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = PathExpr::parse(text) else {
        return;
    };
    assert_eq!(parsed.as_str(), text);
    assert_eq!(parsed.tokens().first(), Some(&PathToken::Root));
    let rebuilt = PathExpr::from_tokens(parsed.tokens().to_vec());
    let reparsed = PathExpr::parse(rebuilt.as_str()).unwrap_or_else(|e| {
        panic!(
            "{:?} rebuilt as {:?} does not parse: {e}",
            text,
            rebuilt.as_str()
        )
    });
    assert_eq!(
        reparsed,
        parsed,
        "{text:?} rebuilt as {:?}",
        rebuilt.as_str()
    );
});
