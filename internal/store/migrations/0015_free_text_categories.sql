-- Free text carries its category (issue 11). Each piece of free text about a
-- person (a MARAC case note, an agency's research, an action's description
-- and note, the rationale of a request to share without consent) is sealed
-- with the category of information it holds and the agency that wrote it, and
-- is released by sharing.Release like a section of the referral. Text written
-- before this migration has no category (''): it is released only to the
-- agency that wrote it and to the originating force.
ALTER TABLE marac_cases ADD COLUMN note_category TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_cases ADD COLUMN note_author TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_research ADD COLUMN summary_category TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_actions ADD COLUMN description_category TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_actions ADD COLUMN description_author TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_actions ADD COLUMN note_category TEXT NOT NULL DEFAULT '';
ALTER TABLE marac_actions ADD COLUMN note_author TEXT NOT NULL DEFAULT '';
ALTER TABLE overrides ADD COLUMN rationale_category TEXT NOT NULL DEFAULT '';
