-- Quotes, orders and their fulfilment (SPEC §9, issue 15).

CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    -- `Q-YYYY-NNNNNN`, for people and paper.
    number           TEXT    NOT NULL UNIQUE,
    partner_org_id   INTEGER NOT NULL REFERENCES organizations (id),
    -- An organization that shares devices with the partner, or NULL for a name and an address.
    customer_org_id  INTEGER REFERENCES organizations (id),
    customer_name    TEXT    NOT NULL,
    customer_email   TEXT,
    state            TEXT    NOT NULL CHECK (state IN ('draft', 'sent', 'accepted', 'declined')),
    currency         TEXT    NOT NULL,
    total            INTEGER NOT NULL,
    -- The day promotions are judged on: when the plans would start.
    starts_on        TEXT    NOT NULL,
    valid_until      TEXT    NOT NULL,
    notes            TEXT    NOT NULL DEFAULT '',
    decline_reason   TEXT,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL,
    sent_at          TEXT,
    decided_at       TEXT
);
CREATE INDEX quotes_partner ON quotes (partner_org_id, id);
CREATE INDEX quotes_customer ON quotes (customer_org_id, id);

CREATE TABLE quote_lines (
    quote_id         INTEGER NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    sku              TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price       INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp      INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    total            INTEGER NOT NULL,
    free_units       INTEGER NOT NULL DEFAULT 0,
    bonus_months     INTEGER NOT NULL DEFAULT 0,
    promotion        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (quote_id, position)
);

-- An accepted quote becomes an order; the vendor fulfils it once, with vouchers.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    quote_id         INTEGER NOT NULL UNIQUE REFERENCES quotes (id),
    installer_email  TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('open', 'fulfilled')),
    created_at       TEXT    NOT NULL,
    fulfilled_at     TEXT,
    fulfilled_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((state = 'fulfilled') = (fulfilled_at IS NOT NULL))
);

-- The vouchers an order was fulfilled with.
ALTER TABLE vouchers ADD COLUMN order_id INTEGER REFERENCES orders (id);
