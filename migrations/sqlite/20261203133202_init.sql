-- Create "billing_accounts" table
CREATE TABLE `billing_accounts` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `plan` text NOT NULL DEFAULT ('PREMIUM'), `status` text NOT NULL DEFAULT ('TRIALING'), `trial_ends_at` datetime NULL, `current_period_end` datetime NULL, `provider_customer_id` text NULL, `provider_subscription_id` text NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `billing_accounts_users_billing_account` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "billingaccount_user_id" to table: "billing_accounts"
CREATE UNIQUE INDEX `billingaccount_user_id` ON `billing_accounts` (`user_id`) WHERE deleted_at IS NULL;
-- Create index "billingaccount_provider_customer_id" to table: "billing_accounts"
CREATE UNIQUE INDEX `billingaccount_provider_customer_id` ON `billing_accounts` (`provider_customer_id`) WHERE deleted_at IS NULL;
-- Create "billing_events" table
CREATE TABLE `billing_events` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `event_id` text NOT NULL, `type` text NOT NULL, `account_ref` text NOT NULL, `occurred_at` datetime NOT NULL, `outcome` text NOT NULL, `detail` text NULL, `payload` blob NOT NULL, `billing_account_id` uuid NULL, PRIMARY KEY (`id`), CONSTRAINT `billing_events_billing_accounts_events` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts` (`id`) ON DELETE SET NULL);
-- Create index "billingevent_event_id" to table: "billing_events"
CREATE UNIQUE INDEX `billingevent_event_id` ON `billing_events` (`event_id`) WHERE deleted_at IS NULL;
-- Create index "billingevent_billing_account_id_created_at" to table: "billing_events"
CREATE INDEX `billingevent_billing_account_id_created_at` ON `billing_events` (`billing_account_id`, `created_at`);
-- Create "daily_nutritions" table
CREATE TABLE `daily_nutritions` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `local_date` text NOT NULL, `meal_count` integer NOT NULL DEFAULT (0), `energy_kcal` real NOT NULL DEFAULT (0), `energy_kcal_missing` integer NOT NULL DEFAULT (0), `protein_g` real NOT NULL DEFAULT (0), `protein_g_missing` integer NOT NULL DEFAULT (0), `fat_g` real NOT NULL DEFAULT (0), `fat_g_missing` integer NOT NULL DEFAULT (0), `saturated_fat_g` real NOT NULL DEFAULT (0), `saturated_fat_g_missing` integer NOT NULL DEFAULT (0), `carbohydrate_g` real NOT NULL DEFAULT (0), `carbohydrate_g_missing` integer NOT NULL DEFAULT (0), `sugars_g` real NOT NULL DEFAULT (0), `sugars_g_missing` integer NOT NULL DEFAULT (0), `fiber_g` real NOT NULL DEFAULT (0), `fiber_g_missing` integer NOT NULL DEFAULT (0), `sodium_mg` real NOT NULL DEFAULT (0), `sodium_mg_missing` integer NOT NULL DEFAULT (0), `potassium_mg` real NOT NULL DEFAULT (0), `potassium_mg_missing` integer NOT NULL DEFAULT (0), `calcium_mg` real NOT NULL DEFAULT (0), `calcium_mg_missing` integer NOT NULL DEFAULT (0), `iron_mg` real NOT NULL DEFAULT (0), `iron_mg_missing` integer NOT NULL DEFAULT (0), `vitamin_c_mg` real NOT NULL DEFAULT (0), `vitamin_c_mg_missing` integer NOT NULL DEFAULT (0), `entry_count` integer NOT NULL DEFAULT (0), `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `daily_nutritions_users_daily_nutritions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "dailynutrition_user_id_local_date" to table: "daily_nutritions"
CREATE UNIQUE INDEX `dailynutrition_user_id_local_date` ON `daily_nutritions` (`user_id`, `local_date`) WHERE deleted_at IS NULL;
-- Create "foods" table
CREATE TABLE `foods` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `name` text NOT NULL, `food_group` text NULL, `source` text NULL, `source_id` text NULL, `archived_at` datetime NULL, `energy_kcal` real NULL, `protein_g` real NULL, `fat_g` real NULL, `saturated_fat_g` real NULL, `carbohydrate_g` real NULL, `sugars_g` real NULL, `fiber_g` real NULL, `sodium_mg` real NULL, `potassium_mg` real NULL, `calcium_mg` real NULL, `iron_mg` real NULL, `vitamin_c_mg` real NULL, `user_id` uuid NULL, PRIMARY KEY (`id`), CONSTRAINT `foods_users_foods` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "food_source_source_id" to table: "foods"
CREATE UNIQUE INDEX `food_source_source_id` ON `foods` (`source`, `source_id`) WHERE deleted_at IS NULL;
-- Create index "food_user_id_created_at" to table: "foods"
CREATE INDEX `food_user_id_created_at` ON `foods` (`user_id`, `created_at`);
-- Create "food_entries" table
CREATE TABLE `food_entries` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `position` integer NOT NULL DEFAULT (0), `name` text NOT NULL, `grams` real NULL, `energy_kcal` real NULL, `protein_g` real NULL, `fat_g` real NULL, `saturated_fat_g` real NULL, `carbohydrate_g` real NULL, `sugars_g` real NULL, `fiber_g` real NULL, `sodium_mg` real NULL, `potassium_mg` real NULL, `calcium_mg` real NULL, `iron_mg` real NULL, `vitamin_c_mg` real NULL, `food_id` uuid NULL, `meal_id` uuid NOT NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `food_entries_foods_entries` FOREIGN KEY (`food_id`) REFERENCES `foods` (`id`) ON DELETE SET NULL, CONSTRAINT `food_entries_meals_entries` FOREIGN KEY (`meal_id`) REFERENCES `meals` (`id`) ON DELETE CASCADE, CONSTRAINT `food_entries_users_food_entries` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "foodentry_meal_id_position" to table: "food_entries"
CREATE INDEX `foodentry_meal_id_position` ON `food_entries` (`meal_id`, `position`);
-- Create index "foodentry_food_id" to table: "food_entries"
CREATE INDEX `foodentry_food_id` ON `food_entries` (`food_id`);
-- Create index "foodentry_user_id_created_at" to table: "food_entries"
CREATE INDEX `foodentry_user_id_created_at` ON `food_entries` (`user_id`, `created_at`);
-- Create "food_portions" table
CREATE TABLE `food_portions` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `seq` integer NOT NULL, `amount` real NOT NULL, `unit` text NOT NULL, `grams` real NOT NULL, `food_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `food_portions_foods_portions` FOREIGN KEY (`food_id`) REFERENCES `foods` (`id`) ON DELETE CASCADE);
-- Create index "foodportion_food_id_seq" to table: "food_portions"
CREATE UNIQUE INDEX `foodportion_food_id_seq` ON `food_portions` (`food_id`, `seq`) WHERE deleted_at IS NULL;
-- Create "meals" table
CREATE TABLE `meals` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `eaten_at` datetime NOT NULL, `local_date` text NOT NULL, `meal_type` text NOT NULL, `note` text NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `meals_users_meals` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "meal_user_id_local_date_eaten_at" to table: "meals"
CREATE INDEX `meal_user_id_local_date_eaten_at` ON `meals` (`user_id`, `local_date`, `eaten_at`);
-- Create "meal_nutritions" table
CREATE TABLE `meal_nutritions` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `energy_kcal` real NOT NULL DEFAULT (0), `energy_kcal_missing` integer NOT NULL DEFAULT (0), `protein_g` real NOT NULL DEFAULT (0), `protein_g_missing` integer NOT NULL DEFAULT (0), `fat_g` real NOT NULL DEFAULT (0), `fat_g_missing` integer NOT NULL DEFAULT (0), `saturated_fat_g` real NOT NULL DEFAULT (0), `saturated_fat_g_missing` integer NOT NULL DEFAULT (0), `carbohydrate_g` real NOT NULL DEFAULT (0), `carbohydrate_g_missing` integer NOT NULL DEFAULT (0), `sugars_g` real NOT NULL DEFAULT (0), `sugars_g_missing` integer NOT NULL DEFAULT (0), `fiber_g` real NOT NULL DEFAULT (0), `fiber_g_missing` integer NOT NULL DEFAULT (0), `sodium_mg` real NOT NULL DEFAULT (0), `sodium_mg_missing` integer NOT NULL DEFAULT (0), `potassium_mg` real NOT NULL DEFAULT (0), `potassium_mg_missing` integer NOT NULL DEFAULT (0), `calcium_mg` real NOT NULL DEFAULT (0), `calcium_mg_missing` integer NOT NULL DEFAULT (0), `iron_mg` real NOT NULL DEFAULT (0), `iron_mg_missing` integer NOT NULL DEFAULT (0), `vitamin_c_mg` real NOT NULL DEFAULT (0), `vitamin_c_mg_missing` integer NOT NULL DEFAULT (0), `entry_count` integer NOT NULL DEFAULT (0), `meal_id` uuid NOT NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `meal_nutritions_meals_nutrition` FOREIGN KEY (`meal_id`) REFERENCES `meals` (`id`) ON DELETE CASCADE, CONSTRAINT `meal_nutritions_users_meal_nutritions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "mealnutrition_meal_id" to table: "meal_nutritions"
CREATE UNIQUE INDEX `mealnutrition_meal_id` ON `meal_nutritions` (`meal_id`) WHERE deleted_at IS NULL;
-- Create index "mealnutrition_user_id" to table: "meal_nutritions"
CREATE INDEX `mealnutrition_user_id` ON `meal_nutritions` (`user_id`);
-- Create "profiles" table
CREATE TABLE `profiles` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `display_name` text NULL, `sex` text NULL, `birth_date` text NULL, `height_cm` real NULL, `weight_kg` real NULL, `activity_level` text NULL, `goal` text NOT NULL DEFAULT ('MAINTAIN'), `time_zone` text NOT NULL DEFAULT ('UTC'), `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `profiles_users_profile` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "profile_user_id" to table: "profiles"
CREATE UNIQUE INDEX `profile_user_id` ON `profiles` (`user_id`) WHERE deleted_at IS NULL;
-- Create "sessions" table
CREATE TABLE `sessions` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `token_hash` blob NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `last_used_at` datetime NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_users_sessions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "session_token_hash" to table: "sessions"
CREATE UNIQUE INDEX `session_token_hash` ON `sessions` (`token_hash`) WHERE deleted_at IS NULL;
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- Create "targets" table
CREATE TABLE `targets` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `name` text NOT NULL, `active` bool NOT NULL DEFAULT (false), `source` text NOT NULL DEFAULT ('CUSTOM'), `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `targets_users_targets` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "target_one_active_per_user" to table: "targets"
CREATE UNIQUE INDEX `target_one_active_per_user` ON `targets` (`user_id`) WHERE active AND deleted_at IS NULL;
-- Create index "target_user_id_created_at" to table: "targets"
CREATE INDEX `target_user_id_created_at` ON `targets` (`user_id`, `created_at`);
-- Create "target_nutrients" table
CREATE TABLE `target_nutrients` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `nutrient` text NOT NULL, `amount` real NOT NULL, `direction` text NOT NULL, `target_id` uuid NOT NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `target_nutrients_targets_nutrients` FOREIGN KEY (`target_id`) REFERENCES `targets` (`id`) ON DELETE CASCADE, CONSTRAINT `target_nutrients_users_target_nutrients` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "targetnutrient_target_id_nutrient" to table: "target_nutrients"
CREATE UNIQUE INDEX `targetnutrient_target_id_nutrient` ON `target_nutrients` (`target_id`, `nutrient`) WHERE deleted_at IS NULL;
-- Create index "targetnutrient_user_id" to table: "target_nutrients"
CREATE INDEX `targetnutrient_user_id` ON `target_nutrients` (`user_id`);
-- Create "target_snapshots" table
CREATE TABLE `target_snapshots` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `effective_from` text NOT NULL, `goals` json NOT NULL, `target_id` uuid NOT NULL, `user_id` uuid NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `target_snapshots_targets_snapshots` FOREIGN KEY (`target_id`) REFERENCES `targets` (`id`) ON DELETE CASCADE, CONSTRAINT `target_snapshots_users_target_snapshots` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "targetsnapshot_user_id_effective_from_created_at" to table: "target_snapshots"
CREATE INDEX `targetsnapshot_user_id_effective_from_created_at` ON `target_snapshots` (`user_id`, `effective_from`, `created_at`);
-- Create index "targetsnapshot_target_id" to table: "target_snapshots"
CREATE INDEX `targetsnapshot_target_id` ON `target_snapshots` (`target_id`);
-- Create "users" table
CREATE TABLE `users` (`id` uuid NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `deleted_at` datetime NULL, `email` text NOT NULL, `password_hash` text NOT NULL, `plan` text NOT NULL DEFAULT ('FREE'), `trial_ends_at` datetime NULL, PRIMARY KEY (`id`));
-- Create index "user_email" to table: "users"
CREATE UNIQUE INDEX `user_email` ON `users` (`email`) WHERE deleted_at IS NULL;
