-- The buyer's phone as a platform exported it masked or encrypted (138****5678, ##…): kept on the
-- order as given, since it cannot identify a customer; the portal lets a customer whose phone
-- fits its visible digits in.
ALTER TABLE orders ADD COLUMN contact_masked TEXT;
