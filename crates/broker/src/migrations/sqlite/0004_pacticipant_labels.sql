-- Labels on pacticipants: free-form names grouping pacticipants (a team, a domain), listed with
-- /pacticipants/label/{name} and matched by webhooks scoped by label. A label is on a
-- pacticipant at most once, and goes with it.

CREATE TABLE pacticipant_labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pacticipant_id BIGINT NOT NULL REFERENCES pacticipants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (pacticipant_id, name)
);
CREATE INDEX pacticipant_labels_name ON pacticipant_labels (name, pacticipant_id);
