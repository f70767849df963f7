-- Invitations of co-workers into an organization, and the outbox every mail goes through.

CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations (id),
    -- Normalized like users.email.
    email            TEXT    NOT NULL,
    invited_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Kept so the list still says who invited after that person has left.
    invited_by_name  TEXT    NOT NULL,
    -- SHA-256 of the single-use token; a resend replaces it, killing the old link.
    token_hash       TEXT    NOT NULL UNIQUE,
    -- 'pending' | 'accepted' | 'revoked'; "expired" is pending past expires_at.
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    created_at       TEXT    NOT NULL,
    sent_at          TEXT    NOT NULL,
    expires_at       TEXT    NOT NULL,
    accepted_at      TEXT,
    accepted_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       TEXT
);
CREATE INDEX invitations_org_email ON invitations (org_id, email);
CREATE INDEX invitations_org_sent ON invitations (org_id, sent_at);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    to_addr     TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    text_body   TEXT    NOT NULL,
    html_body   TEXT    NOT NULL,
    -- What the mail is about, e.g. 'invitation'.
    kind        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
