-- Ferry server schema, version 11: an erasure's audit row keeps its report (places checked, counts; no pseudonym).
ALTER TABLE erasures ADD COLUMN report TEXT;
