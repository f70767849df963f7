-- Organizations, people and their sessions.
-- Timestamps are RFC 3339 UTC text; ids are integers internal to one deployment.

CREATE TABLE organizations (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('customer', 'partner', 'vendor')),
    -- A home owner's customer organization of one.
    individual          INTEGER NOT NULL DEFAULT 0,
    members_may_invite  INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL
);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    org_id                INTEGER NOT NULL REFERENCES organizations (id),
    -- Stored normalized (trimmed, lower case): see tessera_domain::email.
    email                 TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    role                  TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT    NOT NULL
);
CREATE INDEX users_org ON users (org_id);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, for throttling. Kept in the database so that several server
-- processes share one count.
CREATE TABLE auth_failures (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL,
    failed_at  TEXT    NOT NULL
);
CREATE INDEX auth_failures_key ON auth_failures (key, failed_at);
