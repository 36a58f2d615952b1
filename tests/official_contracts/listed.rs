//! The interactions of the official client's contracts that are not expected to pass, each
//! with the reason, and the query strings the client really sends to `/matrix`.
//!
//! README.md ("The official client's contracts") has the same table for people; keep them
//! together.

/// One interaction of a contract, by its provider's name, description and first provider state.
pub struct Listed {
    /// The contract's provider (`Pact Broker`, `PactFlow`).
    pub provider: &'static str,
    pub description: &'static str,
    /// The first provider state's name; `None` for an interaction without one.
    pub state: Option<&'static str>,
    pub reason: &'static str,
}

const fn broker(
    description: &'static str,
    state: Option<&'static str>,
    reason: &'static str,
) -> Listed {
    Listed {
        provider: "Pact Broker",
        description,
        state,
        reason,
    }
}

const fn pactflow(
    description: &'static str,
    state: Option<&'static str>,
    reason: &'static str,
) -> Listed {
    Listed {
        provider: "PactFlow",
        description,
        state,
        reason,
    }
}

/// Interactions that depend on features still to come. They run, and must still fail: one that
/// passes fails the test until it is taken off this list, so the list only shrinks.
pub const NOT_YET: &[Listed] = &[pactflow(
    "a request to create a provider contract",
    Some("there is a pf:ui href in the response"),
    "the `pf:ui` link points at PactFlow's web page for the provider contract; pactum has no \
     web interface to point at yet (the link comes with the provider contract page)",
)];

/// Interactions where pactum's broker answers differently on purpose, and the official client
/// reads pactum's answer too. They run, and must still fail (an entry that starts passing must
/// go).
pub const DIFFERS: &[Listed] = &[broker(
    "a request for the compatibility matrix for a pacticipant that does not exist",
    None,
    "pactum refuses a matrix question with `{\"errors\": {member: [message]}}`, naming the query \
     member (`q[0].pacticipant`) as every pactum validation error does and its CLI turns into \
     the flag to fix (`--pacticipant`); the Pact Broker sends a plain list here. The Ruby client \
     reads both (matrix.rb joins a list, or `member: message` pairs)",
)];

/// Interactions whose provider state pactum cannot honestly set up: not run, counted apart.
pub const CANNOT_SET_UP: &[Listed] = &[pactflow(
    "a request to create a webhook for a team",
    Some("a team with UUID 2abbc12a-427d-432a-a521-c870af1739d9 exists"),
    "teams are PactFlow's (its user and permission model); pactum has none to create one with \
     this UUID",
)];

/// Query strings of `/matrix` as the Ruby client sends them (its consumer tests, pact_broker-
/// client `spec/pact/providers/PactBroker/pact_broker_client_matrix*_spec.rb`), names and values
/// unencoded.
///
/// A V2 contract keeps a query as one string, and the client's mock server wrote it with the
/// parameters sorted by name — `q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1.2.3…` —
/// which loses which version belongs to which pacticipant: a Rack-style `q[]` array is grouped
/// by the order of its parameters. No broker can read the sorted form; the Pact Broker's own
/// verification of these contracts restores the client's order in a proxy before its app sees
/// the request, and so does this test: a request whose parameters are exactly those of an entry
/// here (the same names and values, in any order) is sent in the entry's order. Nothing else is
/// changed.
pub const CLIENT_QUERIES: &[&str] = &[
    "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][version]=4.5.6&latestby=cvpv",
    "q[][pacticipant]=Foo Thing&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][version]=4.5.6&latestby=cvpv",
    "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][version]=9.9.9&latestby=cvpv",
    "q[][pacticipant]=Wiffle&q[][version]=1.2.3&q[][pacticipant]=Meep&q[][version]=9.9.9&latestby=cvpv",
    "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][latest]=true&q[][tag]=prod&latestby=cvpv",
    "q[][pacticipant]=Foo&q[][version]=1.2.4&q[][pacticipant]=Bar&q[][latest]=true&latestby=cvpv",
    "q[][pacticipant]=Bar&q[][version]=4.5.6&q[][pacticipant]=Foo&q[][tag]=prod&latestby=cvpv&ignore[][pacticipant]=Foo&ignore[][version]=3.4.5",
];
