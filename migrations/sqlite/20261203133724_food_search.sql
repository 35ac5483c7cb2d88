-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_foods" table
CREATE TABLE `new_foods` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `name` text NOT NULL, `food_group` text NULL, `source` text NULL, `source_id` text NULL, `archived_at` datetime NULL, `source_version` integer NULL, `search_text` text NOT NULL DEFAULT (' '), `search_rank` integer NOT NULL DEFAULT (1000000), `energy_kcal` real NULL, `protein_g` real NULL, `fat_g` real NULL, `saturated_fat_g` real NULL, `carbohydrate_g` real NULL, `sugars_g` real NULL, `fiber_g` real NULL, `sodium_mg` real NULL, `potassium_mg` real NULL, `calcium_mg` real NULL, `iron_mg` real NULL, `vitamin_c_mg` real NULL, `user_id` uuid NULL, PRIMARY KEY (`id`), CONSTRAINT `foods_users_foods` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "foods" to new temporary table "new_foods"
INSERT INTO `new_foods` (`id`, `created_at`, `updated_at`, `deleted_at`, `name`, `food_group`, `source`, `source_id`, `archived_at`, `energy_kcal`, `protein_g`, `fat_g`, `saturated_fat_g`, `carbohydrate_g`, `sugars_g`, `fiber_g`, `sodium_mg`, `potassium_mg`, `calcium_mg`, `iron_mg`, `vitamin_c_mg`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `deleted_at`, `name`, `food_group`, `source`, `source_id`, `archived_at`, `energy_kcal`, `protein_g`, `fat_g`, `saturated_fat_g`, `carbohydrate_g`, `sugars_g`, `fiber_g`, `sodium_mg`, `potassium_mg`, `calcium_mg`, `iron_mg`, `vitamin_c_mg`, `user_id` FROM `foods`;
-- Drop "foods" table after copying rows
DROP TABLE `foods`;
-- Rename temporary table "new_foods" to "foods"
ALTER TABLE `new_foods` RENAME TO `foods`;
-- Create index "food_source_source_id" to table: "foods"
CREATE UNIQUE INDEX `food_source_source_id` ON `foods` (`source`, `source_id`) WHERE deleted_at IS NULL;
-- Create index "food_user_id_created_at" to table: "foods"
CREATE INDEX `food_user_id_created_at` ON `foods` (`user_id`, `created_at`);
-- Create index "food_search_text" to table: "foods"
CREATE INDEX `food_search_text` ON `foods` (`search_text`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
