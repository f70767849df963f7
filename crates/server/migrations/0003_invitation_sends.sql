-- Every invitation mail sent (first send and each resend), for the hourly limit: a resend
-- updates the invitation's sent_at in place, so counting invitations would let resends
-- through uncounted.

CREATE TABLE invitation_sends (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id),
    invitation_id  INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    sent_at        TEXT    NOT NULL
);
CREATE INDEX invitation_sends_org_sent ON invitation_sends (org_id, sent_at);

INSERT INTO invitation_sends (org_id, invitation_id, sent_at)
SELECT org_id, id, sent_at FROM invitations;
