-- Written by hand (atlas does not manage extensions): trigram matching for
-- food search, used by the GIN index on foods.search_text that the next
-- migration creates. pg_trgm is a trusted extension: the owner of the
-- database may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
