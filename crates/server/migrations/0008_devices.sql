-- Devices and device subscriptions (SPEC §5, issue 13).

CREATE TABLE devices (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organizations (id),
    serial               TEXT    NOT NULL CHECK (length(serial) BETWEEN 1 AND 64),
    model                TEXT    NOT NULL DEFAULT '',
    name                 TEXT    NOT NULL DEFAULT '',
    site                 TEXT    NOT NULL DEFAULT '',
    battery_replace_by   TEXT,
    warranty_expires_on  TEXT,
    created_at           TEXT    NOT NULL
);
-- A serial is unique within an organization, whatever its case.
CREATE UNIQUE INDEX devices_serial ON devices (org_id, serial COLLATE NOCASE);

-- The chain of a device's coverage (`tessera_domain::entitlement`): rewritten as a whole
-- when a plan is assigned, in the transaction that consumed the credits.
CREATE TABLE device_segments (
    device_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    product    TEXT    NOT NULL,
    tier       TEXT    NOT NULL,
    tier_rank  INTEGER NOT NULL,
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    CHECK (starts_on < ends_on)
);
CREATE INDEX device_segments_device ON device_segments (device_id, starts_on);

-- Every assignment, as it happened (the chain above is its result).
CREATE TABLE device_assignments (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    sku         TEXT    NOT NULL,
    months      INTEGER NOT NULL CHECK (months > 0),
    on_day      TEXT    NOT NULL,
    -- The organization whose locker paid (a partner pays for devices shared with it).
    paid_by_org INTEGER NOT NULL REFERENCES organizations (id),
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    at          TEXT    NOT NULL
);

-- A customer shares devices with a partner: some (device_share_items) or all, present and
-- future. Revoking keeps the row, for the record.
CREATE TABLE device_shares (
    id               INTEGER PRIMARY KEY,
    customer_org_id  INTEGER NOT NULL REFERENCES organizations (id),
    partner_org_id   INTEGER NOT NULL REFERENCES organizations (id),
    all_devices      INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL,
    revoked_at       TEXT,
    CHECK (customer_org_id <> partner_org_id)
);
CREATE INDEX device_shares_partner ON device_shares (partner_org_id) WHERE revoked_at IS NULL;
CREATE INDEX device_shares_customer ON device_shares (customer_org_id);

CREATE TABLE device_share_items (
    share_id   INTEGER NOT NULL REFERENCES device_shares (id) ON DELETE CASCADE,
    device_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    PRIMARY KEY (share_id, device_id)
);
CREATE INDEX device_share_items_device ON device_share_items (device_id);
