-- Which invitation an outbox mail carries the link of, so that the link can be blanked as
-- soon as it stops mattering (accepted, revoked, resent, expired), not only on delivery:
-- a copy of the database then opens nothing, SMTP or not. `redacted_at` says the bodies
-- no longer hold a live token; such a mail is not delivered any more.

ALTER TABLE outbox ADD COLUMN invitation_id INTEGER REFERENCES invitations (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN redacted_at TEXT;
CREATE INDEX outbox_invitation ON outbox (invitation_id);

-- A mail is written in the transaction that sets its invitation's sent_at, so the newest
-- mail of each invitation matches it; older ones (before a resend) stay unlinked and are
-- blanked by housekeeping.
UPDATE outbox SET invitation_id = (
    SELECT i.id FROM invitations i
    WHERE i.email = outbox.to_addr AND i.sent_at = outbox.created_at
    ORDER BY i.id DESC LIMIT 1
) WHERE kind = 'invitation';

-- Delivered mail was redacted when it was delivered.
UPDATE outbox SET redacted_at = sent_at WHERE sent_at IS NOT NULL;
