-- Modify "foods" table
ALTER TABLE "foods" ADD COLUMN "source_version" bigint NULL, ADD COLUMN "search_text" character varying NOT NULL DEFAULT ' ', ADD COLUMN "search_rank" bigint NOT NULL DEFAULT 1000000;
-- Create index "food_search_text" to table: "foods"
CREATE INDEX "food_search_text" ON "foods" USING gin ("search_text" gin_trgm_ops);
