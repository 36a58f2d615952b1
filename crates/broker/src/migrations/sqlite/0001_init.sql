-- pactum broker schema, SQLite dialect. Timestamps are microseconds since the Unix epoch (UTC).
-- Row ids grow with creation, so "latest" is always "highest id". The *_heads and latest_*
-- tables keep "latest per X" up to date on every write, so reads never aggregate history.

CREATE TABLE pacticipants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    main_branch TEXT,
    repository_url TEXT,
    repository_name TEXT,
    repository_namespace TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    build_url TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (pacticipant_id, number)
);

CREATE TABLE branches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (pacticipant_id, name)
);

CREATE TABLE branch_versions (
    branch_id BIGINT NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (branch_id, version_id)
);
CREATE INDEX branch_versions_version ON branch_versions (version_id);

CREATE TABLE branch_heads (
    branch_id BIGINT PRIMARY KEY REFERENCES branches (id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE
);

CREATE TABLE tags (
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (version_id, name)
);
CREATE INDEX tags_name ON tags (name, version_id);

CREATE TABLE tag_heads (
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    PRIMARY KEY (pacticipant_id, name)
);

CREATE TABLE environments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    production BOOLEAN NOT NULL,
    contacts TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE deployed_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    environment_id BIGINT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    -- '' when the deployment names no application instance, so the unique index below
    -- also covers that case (NULLs would all be distinct).
    application_instance TEXT NOT NULL,
    currently_deployed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    undeployed_at BIGINT
);
CREATE UNIQUE INDEX deployed_versions_current
    ON deployed_versions (pacticipant_id, environment_id, application_instance)
    WHERE currently_deployed;
CREATE INDEX deployed_versions_environment ON deployed_versions (environment_id, currently_deployed);
CREATE INDEX deployed_versions_version ON deployed_versions (version_id);

CREATE TABLE released_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    environment_id BIGINT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    currently_supported BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    support_ended_at BIGINT,
    UNIQUE (version_id, environment_id)
);
CREATE INDEX released_versions_environment ON released_versions (environment_id, currently_supported);
CREATE INDEX released_versions_pacticipant ON released_versions (pacticipant_id, environment_id);

-- One row per distinct contract content of a consumer/provider pair.
CREATE TABLE pact_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    sha TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (consumer_id, provider_id, sha)
);

-- Every publication (a consumer version publishing content for a provider); a re-publication
-- with other content is a new revision.
CREATE TABLE pact_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer_version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    consumer_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    pact_version_id BIGINT NOT NULL REFERENCES pact_versions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (consumer_version_id, provider_id, revision)
);

-- The current revision per consumer version and provider.
CREATE TABLE latest_pact_publications (
    consumer_version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    consumer_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    pact_publication_id BIGINT NOT NULL REFERENCES pact_publications (id) ON DELETE CASCADE,
    pact_version_id BIGINT NOT NULL REFERENCES pact_versions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (consumer_version_id, provider_id)
);
CREATE INDEX latest_pact_publications_pair
    ON latest_pact_publications (provider_id, consumer_id, consumer_version_id);
CREATE INDEX latest_pact_publications_content ON latest_pact_publications (pact_version_id);
-- Work-in-progress pacts: a provider's publications since a date.
CREATE INDEX latest_pact_publications_recent
    ON latest_pact_publications (provider_id, created_at);

CREATE TABLE verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pact_version_id BIGINT NOT NULL REFERENCES pact_versions (id) ON DELETE CASCADE,
    provider_version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    consumer_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    success BOOLEAN NOT NULL,
    build_url TEXT,
    test_results TEXT,
    verified_by TEXT,
    metadata TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX verifications_content ON verifications (pact_version_id, success, provider_version_id);
CREATE INDEX verifications_provider_version ON verifications (provider_version_id);

-- The newest verification per contract content and provider version.
CREATE TABLE latest_verifications (
    pact_version_id BIGINT NOT NULL REFERENCES pact_versions (id) ON DELETE CASCADE,
    provider_version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    verification_id BIGINT NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    success BOOLEAN NOT NULL,
    PRIMARY KEY (pact_version_id, provider_version_id)
);
CREATE INDEX latest_verifications_provider_version
    ON latest_verifications (provider_version_id, pact_version_id);

CREATE TABLE integrations (
    consumer_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (consumer_id, provider_id)
);
CREATE INDEX integrations_provider ON integrations (provider_id);
