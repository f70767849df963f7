-- Licenses (SPEC §4, issue 12): made from a locker's credits, owned by an organization.

CREATE TABLE licenses (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations (id),
    -- The compact 16 symbols (no dashes). Not a secret like a voucher code: the customer
    -- reads it on the license's page whenever they need it, so it is stored as it is.
    activation_id    TEXT    NOT NULL UNIQUE CHECK (length(activation_id) = 16),
    product          TEXT    NOT NULL,
    tier             TEXT    NOT NULL,
    -- The term of the last purchase (creation or renewal): with the tier, the SKU that
    -- increases consume.
    term_months      INTEGER NOT NULL CHECK (term_months > 0),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    starts_on        TEXT    NOT NULL,
    -- The first day no longer covered.
    expires_on       TEXT    NOT NULL,
    installer_email  TEXT    NOT NULL,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    CHECK (starts_on < expires_on)
);
CREATE INDEX licenses_org ON licenses (org_id, expires_on, id);

-- An add-on module runs until the license's end date (and is renewed with it).
CREATE TABLE license_addons (
    license_id  INTEGER NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
    sku         TEXT    NOT NULL,
    added_on    TEXT    NOT NULL,
    PRIMARY KEY (license_id, sku)
);

-- The license's history, append-only like the ledger it is paid from.
CREATE TABLE license_events (
    id          INTEGER PRIMARY KEY,
    license_id  INTEGER NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('created', 'increased', 'renewed', 'amended', 'add_on')),
    -- The server's day it happened on (the clock dev mode moves), and when.
    on_day      TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    -- What it consumed: a JSON array of {"sku", "device_months"}.
    consumed    TEXT    NOT NULL
);
CREATE INDEX license_events_license ON license_events (license_id, id);

CREATE TRIGGER license_events_no_update BEFORE UPDATE ON license_events
BEGIN
    SELECT RAISE(ABORT, 'license events are append-only');
END;

-- Idempotency-Key (SPEC §11): the first successful answer to a credit-consuming request,
-- kept per person and key, so that a retry gets it again and consumes nothing more. Written
-- in the transaction that consumed.
CREATE TABLE idempotency_keys (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           TEXT    NOT NULL,
    -- SHA-256 of the operation and its body: the same key with another request is refused.
    request_hash  TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    body          TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
