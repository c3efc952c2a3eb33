-- A shop's own import layouts (settings section `import_layouts`): exports no platform layout
-- matches, their columns mapped once, as a JSON list. Existing shops have none.
ALTER TABLE shop_settings ADD COLUMN import_layouts TEXT NOT NULL DEFAULT '[]';
