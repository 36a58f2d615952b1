//! pactum's integration tests, in one binary so a 2-core machine links once.
//!
//! * `conformance` — every Pact specification test case (V1–V4) through the matcher, plus the
//!   table of cases where pactum deliberately follows a different expectation.

mod conformance;
