-- A shop's exchange settings (settings section `exchanges`): how many exchanges one order may
-- have, where the customer pays a difference.
ALTER TABLE shop_settings ADD COLUMN exchanges TEXT NOT NULL DEFAULT '{}';
