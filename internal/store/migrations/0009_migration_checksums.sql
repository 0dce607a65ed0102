-- An applied migration never changes. Each row records the SHA-256 of the
-- file as it was applied; the migrator compares it with the embedded file on
-- every start and refuses a database whose history the binary does not
-- share. Rows of 0001..0008 are filled in by the first start of a binary that
-- knows this column, from the files as they were released.

ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
