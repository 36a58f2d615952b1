-- Cross-checks (bi-directional contract testing): a consumer contract checked against a
-- provider's OpenAPI document. The result depends only on the two contents, so it is stored
-- once per pair of content hashes and shared by every consumer and provider version that
-- published those contents. A row is also the work item: written 'pending' in the transaction
-- that publishes either side (or when the gate asks about a pair without one), leased by one
-- broker instance's worker, and finished 'done' with the findings.

-- SHA-256 (hex) of the provider contract's text; NULL for documents published before this
-- migration, until the worker fills it in.
ALTER TABLE provider_contracts ADD COLUMN content_sha TEXT;
CREATE INDEX provider_contracts_content ON provider_contracts (content_sha, provider_id);

CREATE TABLE cross_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The consumer contract's content hash (pact_versions.sha) and one stored copy of it.
    pact_sha TEXT NOT NULL,
    pact_version_id BIGINT NOT NULL REFERENCES pact_versions (id) ON DELETE CASCADE,
    provider_contract_sha TEXT NOT NULL,
    -- 'pending' or 'done'.
    status TEXT NOT NULL,
    -- When done: whether no finding is an error, the findings as JSON (pactum-openapi's
    -- CrossCheck), or why the check could not run (success false, no findings).
    success BOOLEAN,
    findings TEXT,
    error TEXT,
    -- Leases taken so far (each is one computation), and the current one.
    attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    computed_at BIGINT,
    UNIQUE (pact_sha, provider_contract_sha)
);
CREATE INDEX cross_checks_pending ON cross_checks (status, id);
CREATE INDEX cross_checks_provider_contract ON cross_checks (provider_contract_sha);
