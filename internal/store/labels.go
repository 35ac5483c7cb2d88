package store

import (
	"strings"

	"nutrigraph/ent/billingaccount"
	"nutrigraph/ent/billingevent"
	"nutrigraph/ent/dailynutrition"
	"nutrigraph/ent/food"
	"nutrigraph/ent/foodentry"
	"nutrigraph/ent/foodportion"
	"nutrigraph/ent/meal"
	"nutrigraph/ent/mealnutrition"
	"nutrigraph/ent/profile"
	"nutrigraph/ent/session"
	"nutrigraph/ent/target"
	"nutrigraph/ent/targetnutrient"
	"nutrigraph/ent/targetsnapshot"
	"nutrigraph/ent/user"
)

// labels maps each SQL table to the singular, human name of its rows, for
// messages ("daily_nutritions" → "daily nutrition").
var labels = func() map[string]string {
	m := map[string]string{}
	for table, label := range map[string]string{
		billingaccount.Table: billingaccount.Label,
		billingevent.Table:   billingevent.Label,
		dailynutrition.Table: dailynutrition.Label,
		food.Table:           food.Label,
		foodentry.Table:      foodentry.Label,
		foodportion.Table:    foodportion.Label,
		meal.Table:           meal.Label,
		mealnutrition.Table:  mealnutrition.Label,
		profile.Table:        profile.Label,
		session.Table:        session.Label,
		target.Table:         target.Label,
		targetnutrient.Table: targetnutrient.Label,
		targetsnapshot.Table: targetsnapshot.Label,
		user.Table:           user.Label,
	} {
		m[table] = strings.ReplaceAll(label, "_", " ")
	}
	return m
}()
