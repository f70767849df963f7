-- Proof of an address (issue 10): verification and password-reset links, and the rolling
-- counts that keep both from becoming a way to flood someone's inbox.

-- When the person proved they receive mail at their address (NULL: not yet). Accounts made
-- before verification existed were in use already and are taken as verified.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;
UPDATE users SET email_verified_at = created_at;

-- Links mailed to the owner of an address. Only the SHA-256 of the token is stored; "expired"
-- is judged against expires_at by tessera_domain::account_link, like invitations.
CREATE TABLE account_links (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    token_hash     TEXT    NOT NULL UNIQUE,
    created_at     TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    used_at        TEXT,
    -- A newer link of the same purpose was mailed: only the newest works.
    superseded_at  TEXT
);
CREATE INDEX account_links_user ON account_links (user_id, purpose);

-- The mail that carries a link, so the link is blanked as soon as it stops mattering.
ALTER TABLE outbox ADD COLUMN account_link_id INTEGER REFERENCES account_links (id) ON DELETE SET NULL;
CREATE INDEX outbox_account_link ON outbox (account_link_id);

-- Requests counted over a rolling window, whether or not they led anywhere (a reset for an
-- address without an account counts like any other, so the limit says nothing about which
-- addresses have accounts). kind: 'password_reset' (key: address, or '' for the overall
-- count), 'verification_mail' (key: user id), 'registration' and 'invitation_accept' (key:
-- client address).
CREATE TABLE rate_events (
    id     INTEGER PRIMARY KEY,
    kind   TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    at     TEXT    NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (kind, key, at);
CREATE INDEX rate_events_kind ON rate_events (kind, at);
