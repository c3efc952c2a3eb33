-- Staff invitations: adding an e-mail to a shop invites that person, who joins by accepting (a
-- new account on its first sign-in). An admin can neither enrol another shop's staff member
-- without their consent nor learn whether an address has an account.
CREATE TABLE invitations (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, staff_id)
);
CREATE INDEX invitations_by_staff ON invitations (staff_id);
