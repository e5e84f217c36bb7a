-- Ferry server schema, version 16: an upload job may skip files whose bytes the project already holds under
-- another key (duplicates by content), as `ferry upload --skip-duplicates` and the upload page's "Skip duplicates" do.
ALTER TABLE upload_jobs ADD COLUMN skip_duplicates {bool} NOT NULL DEFAULT {false};
