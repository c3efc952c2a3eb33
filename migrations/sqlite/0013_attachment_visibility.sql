-- Who sees a file: `customer` (the customer's own uploads, and what staff choose to show) or
-- `internal` (inspection photos and the like, for staff only). Files already there stay as shown.
ALTER TABLE attachments ADD COLUMN visibility TEXT NOT NULL DEFAULT 'customer';
