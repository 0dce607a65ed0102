-- Messages on a share's thread carry the category of information they hold
-- (issue 11), like every other piece of free text: the agency of the thread
-- reads a message of the police only where it may see that category. Older
-- messages have none (''): they stay with the police and the thread's agency
-- as before, which wrote or received them.
ALTER TABLE share_messages ADD COLUMN category TEXT NOT NULL DEFAULT '';
