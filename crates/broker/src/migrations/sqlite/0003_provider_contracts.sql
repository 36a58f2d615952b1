-- Provider contracts (PactFlow's bi-directional contract testing): the OpenAPI document a
-- provider version publishes, with the result of the provider's own tests against it. One per
-- provider version; publishing again for the same version replaces it, as PactFlow does.

CREATE TABLE provider_contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_version_id BIGINT NOT NULL UNIQUE REFERENCES versions (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    -- The document as text (JSON or YAML), as published.
    content TEXT NOT NULL,
    content_type TEXT NOT NULL,
    -- 'oas' (the only specification pactum reads).
    specification TEXT NOT NULL,
    -- The provider's self-verification: its outcome, the tool, and its report as published.
    verification_success BOOLEAN NOT NULL,
    verifier TEXT,
    verifier_version TEXT,
    verification_content TEXT,
    verification_content_type TEXT,
    verification_format TEXT,
    build_url TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX provider_contracts_provider ON provider_contracts (provider_id, provider_version_id);
