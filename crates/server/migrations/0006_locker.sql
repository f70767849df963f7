-- The Digital Locker (SPEC §3, issue 11): vouchers, lockers and the ledger of credits.
-- Credits are money to the people who hold them: the rules that keep them whole are
-- written here as constraints and triggers, so they hold whatever code writes the rows
-- (and move with the schema to PostgreSQL), not only because one connection writes.

-- Each person has one locker; sharing puts several people in one. owner_id is the original
-- owner, the only one who may invite others into it.
CREATE TABLE lockers (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT    NOT NULL
);

CREATE TABLE locker_members (
    locker_id  INTEGER NOT NULL REFERENCES lockers (id),
    -- A person is in exactly one locker.
    user_id    INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    joined_at  TEXT    NOT NULL,
    PRIMARY KEY (locker_id, user_id)
);

CREATE TABLE vouchers (
    id                  INTEGER PRIMARY KEY,
    -- SHA-256 of the compact code: like every token, a copy of the database redeems nothing.
    code_hash           TEXT    NOT NULL UNIQUE,
    -- The last four symbols, so that people can tell vouchers apart in lists.
    code_hint           TEXT    NOT NULL,
    sku                 TEXT    NOT NULL,
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    -- What redeeming adds, fixed when issued (quantity × term months, or quantity for a
    -- month-unit SKU), so that a later catalog change cannot change a voucher's worth.
    device_months       INTEGER NOT NULL CHECK (device_months > 0),
    email               TEXT,
    -- Last day it redeems (inclusive, UTC); NULL: no expiry.
    expires_on          TEXT,
    issued_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    issued_at           TEXT    NOT NULL,
    redeemed_at         TEXT,
    redeemed_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    redeemed_locker     INTEGER REFERENCES lockers (id),
    -- Kept as they were at redemption, for the vendor's list.
    redeemed_org_name   TEXT,
    CHECK ((redeemed_at IS NULL) = (redeemed_locker IS NULL))
);
CREATE INDEX vouchers_issued ON vouchers (issued_at, id);

-- Append-only: every change of a balance, in device-months per SKU.
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY,
    locker_id      INTEGER NOT NULL REFERENCES lockers (id),
    sku            TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('redeem', 'consume', 'refund', 'merge', 'adjust')),
    device_months  INTEGER NOT NULL CHECK (device_months <> 0),
    voucher_id     INTEGER REFERENCES vouchers (id),
    -- What the entry was for, e.g. `license:12`; shown in the consumption history.
    reference      TEXT,
    -- No foreign key action: an entry never changes, also not when its actor's account is
    -- closed (SET NULL would be an UPDATE, which the append-only trigger refuses).
    actor_id       INTEGER,
    -- Kept as it was, so the history still says who after that person has left.
    actor_name     TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    -- A merge moves credits between lockers: out of one (negative), into the other (positive).
    CHECK (
        (kind IN ('redeem', 'refund') AND device_months > 0)
        OR (kind = 'consume' AND device_months < 0)
        OR kind IN ('merge', 'adjust')
    ),
    CHECK ((kind = 'redeem') = (voucher_id IS NOT NULL))
);
CREATE INDEX ledger_entries_locker ON ledger_entries (locker_id, id);
-- A voucher credits a locker once, ever: the last line of defence behind the transaction.
CREATE UNIQUE INDEX ledger_entries_voucher ON ledger_entries (voucher_id) WHERE voucher_id IS NOT NULL;

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

-- The sum of each locker's entries per SKU, kept by the trigger below in the statement that
-- writes the entry. The CHECK is the "never negative" rule: an entry that would take a
-- balance below zero fails, and with it the transaction that wrote it.
CREATE TABLE balances (
    locker_id      INTEGER NOT NULL REFERENCES lockers (id),
    sku            TEXT    NOT NULL,
    device_months  INTEGER NOT NULL CHECK (device_months >= 0),
    PRIMARY KEY (locker_id, sku)
);

-- The rules are raised with ABORT in a BEFORE trigger, because the conflict clause of the
-- statement that fires a trigger (INSERT OR IGNORE / OR REPLACE) overrides the clauses and
-- CHECKs inside it, and REPLACE fires no DELETE trigger: without this, `INSERT OR IGNORE` of
-- an overdraft would keep the entry and skip the balance (found by tests/ledger_invariant.rs).
CREATE TRIGGER ledger_entries_guard BEFORE INSERT ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only')
    WHERE EXISTS (SELECT 1 FROM ledger_entries WHERE id = NEW.id);
    SELECT RAISE(ABORT, 'a voucher credits a locker once')
    WHERE NEW.voucher_id IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_entries WHERE voucher_id = NEW.voucher_id);
    SELECT RAISE(ABORT, 'a balance cannot go below zero')
    WHERE COALESCE((SELECT device_months FROM balances WHERE locker_id = NEW.locker_id AND sku = NEW.sku), 0)
          + NEW.device_months < 0;
    SELECT RAISE(ABORT, 'a balance cannot overflow')
    WHERE NEW.device_months > 0
      AND COALESCE((SELECT device_months FROM balances WHERE locker_id = NEW.locker_id AND sku = NEW.sku), 0)
          > 9223372036854775807 - NEW.device_months;
END;

CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
BEGIN
    INSERT INTO balances (locker_id, sku, device_months)
    SELECT NEW.locker_id, NEW.sku, 0
    WHERE NOT EXISTS (SELECT 1 FROM balances WHERE locker_id = NEW.locker_id AND sku = NEW.sku);
    UPDATE balances SET device_months = device_months + NEW.device_months
    WHERE locker_id = NEW.locker_id AND sku = NEW.sku;
END;


-- Sharing a locker reuses the invitations of co-workers (their tokens, expiry, hourly limit
-- and mail handling): an invitation with a locker_id invites into that locker instead of
-- into the organization.
ALTER TABLE invitations ADD COLUMN locker_id INTEGER REFERENCES lockers (id);
