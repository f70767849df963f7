-- Renewal notices (SPEC §8, issue 14): each (item, expiry, threshold) is mailed once, ever.
-- The row is written in the transaction that queues the mails, so a second run, a restart or
-- another server process on the same database finds it and sends nothing again.
CREATE TABLE renewal_notices (
    item_kind   TEXT    NOT NULL CHECK (item_kind IN ('license', 'device')),
    item_id     INTEGER NOT NULL,
    product     TEXT    NOT NULL,
    -- A renewal moves the expiry: the new term gets its own notices.
    expires_on  TEXT    NOT NULL,
    threshold   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL REFERENCES organizations (id),
    sent_at     TEXT    NOT NULL,
    PRIMARY KEY (item_kind, item_id, product, expires_on, threshold)
);

-- An admin may turn renewal notices off for themselves (Your account).
ALTER TABLE users ADD COLUMN renewal_notices INTEGER NOT NULL DEFAULT 1;

-- "Send renewal notices to my reseller": a partner organization the customer chose.
ALTER TABLE organizations ADD COLUMN reseller_org_id INTEGER REFERENCES organizations (id);
