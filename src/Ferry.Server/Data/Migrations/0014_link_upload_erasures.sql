-- Ferry server schema, version 14: erasures that ran while a donation-link upload was open. The server learns
-- an upload's donor only when it finishes (the manifest is the bundle's last entry), so an erasure marks every open
-- upload of its company with a keyed marker of the erased pseudonym; the finish refuses the upload when its donor's
-- marker is there. Cleared when the upload ends.
ALTER TABLE donation_link_uploads ADD COLUMN erased_donors TEXT NULL;
