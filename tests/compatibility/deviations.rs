//! Scenarios of the compatibility suite where pactum deliberately differs, or does not (yet) do
//! what the scenario asks, with the reason. The runner expects each of them to fail with
//! `fails_with` in the failure text: one that starts passing, or fails for another reason,
//! fails the run, so this list only shrinks and always says why.

/// One scenario pactum does not pass, and why.
pub struct Deviation {
    /// The feature file, relative to the suite's `features` folder (`V1/http_consumer.feature`).
    pub feature: &'static str,
    /// The scenario's name.
    pub scenario: &'static str,
    /// Why pactum differs.
    pub reason: &'static str,
    /// Text the scenario's failure must contain (so it fails for the documented reason).
    pub fails_with: &'static str,
}

/// The deviations.
pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        feature: "V1/http_consumer.feature",
        scenario: "Request with a multipart body (negative case)",
        reason: "pactum compares multipart bodies byte for byte and reports the whole body as \
                 different; the reference implementation parses the parts and names the part \
                 that differs",
        fails_with: "no body mismatch with error",
    },
    Deviation {
        feature: "V2/http_consumer.feature",
        scenario: "Supports a regex matcher (negative case)",
        reason: "the interaction's example ('a') does not match its own regex (\\w{3}\\d{3}); \
                 pactum's consumer DSL refuses such an interaction when it is declared \
                 (ConsumerError::ExampleBreaksRule), as a contract whose example breaks its own \
                 rule fails against any correct provider",
        fails_with: "an example does not satisfy its own matcher",
    },
    Deviation {
        feature: "V2/http_consumer.feature",
        scenario: "Supports a regex matcher (positive case)",
        reason: "the same interaction as the negative case: its example breaks its own regex, so \
                 pactum refuses to declare it",
        fails_with: "an example does not satisfy its own matcher",
    },
    Deviation {
        feature: "V2/http_consumer.feature",
        scenario: "Supports a matcher for request paths",
        reason: "pactum's regex must match the whole value, and the example path '/aaa/100/' \
                 (trailing slash) does not match \\/\\w{3}\\/\\d{3} as a whole (the reference \
                 implementation searches for a match anywhere), so the DSL refuses the \
                 interaction whose example breaks its own rule",
        fails_with: "an example does not satisfy its own matcher",
    },
    Deviation {
        feature: "V3/message_provider.feature",
        scenario: "Supports messages with body formatted for the Kafka schema registry",
        reason: "pactum does not strip the Kafka schema registry's framing (magic byte and schema \
                 id) from application/vnd.schemaregistry.v1+json bodies; the suite marks the \
                 scenario @wip",
        fails_with: "expected a JSON body but it does not parse",
    },
];

/// The deviation listed for a scenario, if any.
pub fn find(feature: &str, scenario: &str) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|d| d.feature == feature && d.scenario == scenario)
}
