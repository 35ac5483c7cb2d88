package nutrition

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// User is an account of a person.
type User struct {
	ID           ID
	Email        string
	PasswordHash string
	// Plan is the plan as last computed from the billing account (at
	// registration and at each billing event); the plan in force is always
	// BillingAccount.EffectivePlan, which also sees a trial end by the clock.
	Plan        Plan
	TrialEndsAt *time.Time
	CreatedAt   time.Time
}

// NormalizeEmail trims and lower-cases an email address and checks its
// shape; field is the input path reported on error.
func NormalizeEmail(field, raw string) (string, error) {
	if err := ValidateText(field, raw); err != nil {
		return "", err
	}
	email := strings.ToLower(strings.TrimSpace(raw))
	if email == "" {
		return "", Invalid(field, "an email address is required")
	}
	if len(email) > 254 {
		return "", Invalid(field, "an email address has at most 254 characters")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", Invalid(field, "%q is not an email address", raw)
	}
	return email, nil
}

// Password length bounds (NIST SP 800-63B §5.1.1.2: at least 8 characters;
// a generous maximum bounds the hashing work).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// ValidatePassword checks a new password; field is the input path.
func ValidatePassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return Invalid(field, "the password is not valid UTF-8")
	case n < MinPasswordLen:
		return Invalid(field, "a password has at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return Invalid(field, "a password has at most %d characters", MaxPasswordLen)
	}
	return nil
}

// Session is a login session; only the hash of its bearer token is kept.
type Session struct {
	ID        ID
	UserID    ID
	TokenHash []byte
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// SessionLifetime is how long a login session lasts.
const SessionLifetime = 30 * 24 * time.Hour

// Valid reports whether the session authenticates at now.
func (s Session) Valid(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// Sex is the biological sex the energy equations distinguish.
type Sex string

// Sexes.
const (
	Female Sex = "FEMALE"
	Male   Sex = "MALE"
)

// ActivityLevel is the physical activity level of a person.
type ActivityLevel string

// Activity levels.
const (
	Sedentary  ActivityLevel = "SEDENTARY"
	Light      ActivityLevel = "LIGHT"
	Moderate   ActivityLevel = "MODERATE"
	Active     ActivityLevel = "ACTIVE"
	VeryActive ActivityLevel = "VERY_ACTIVE"
)

// WeightGoal is what a person wants their weight to do.
type WeightGoal string

// Weight goals.
const (
	Lose     WeightGoal = "LOSE"
	Maintain WeightGoal = "MAINTAIN"
	Gain     WeightGoal = "GAIN"
)

// Profile holds the personal data targets are computed from.
type Profile struct {
	ID            ID
	UserID        ID
	DisplayName   string
	Sex           *Sex
	BirthDate     *Date
	HeightCm      *float64
	WeightKg      *float64
	ActivityLevel *ActivityLevel
	Goal          WeightGoal
	TimeZone      string
}

// NewProfile returns the profile of a new registration.
func NewProfile(userID ID, displayName, timeZone string) Profile {
	if timeZone == "" {
		timeZone = "UTC"
	}
	return Profile{UserID: userID, DisplayName: strings.TrimSpace(displayName), Goal: Maintain, TimeZone: timeZone}
}

// Plausible bounds of body measures. They reject typing mistakes, not people:
// the tallest and heaviest people recorded were 272 cm and 635 kg.
const (
	MinHeightCm = 40.0
	MaxHeightCm = 275.0
	MinWeightKg = 2.0
	MaxWeightKg = 650.0
	MaxAgeYears = 130
)

// Validate checks every field of p against today (the user's local date);
// prefix is the input path of the profile ("input").
func (p Profile) Validate(prefix string, today Date) error {
	path := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	if err := ValidateText(path("displayName"), p.DisplayName); err != nil {
		return err
	}
	if utf8.RuneCountInString(p.DisplayName) > 100 {
		return Invalid(path("displayName"), "a display name has at most 100 characters")
	}
	if p.Sex != nil && *p.Sex != Female && *p.Sex != Male {
		return Invalid(path("sex"), "unknown sex %q", *p.Sex)
	}
	if p.BirthDate != nil {
		if p.BirthDate.After(today) {
			return Invalid(path("birthDate"), "a birth date cannot be in the future")
		}
		if p.BirthDate.Before(today.AddYears(-MaxAgeYears)) {
			return Invalid(path("birthDate"), "a birth date more than %d years ago is not plausible", MaxAgeYears)
		}
	}
	if p.HeightCm != nil && !(*p.HeightCm >= MinHeightCm && *p.HeightCm <= MaxHeightCm) {
		return Invalid(path("heightCm"), "height must be between %g and %g cm", MinHeightCm, MaxHeightCm)
	}
	if p.WeightKg != nil && !(*p.WeightKg >= MinWeightKg && *p.WeightKg <= MaxWeightKg) {
		return Invalid(path("weightKg"), "weight must be between %g and %g kg", MinWeightKg, MaxWeightKg)
	}
	if p.ActivityLevel != nil {
		if _, ok := activityFactors[*p.ActivityLevel]; !ok {
			return Invalid(path("activityLevel"), "unknown activity level %q", *p.ActivityLevel)
		}
	}
	switch p.Goal {
	case Lose, Maintain, Gain:
	default:
		return Invalid(path("goal"), "unknown goal %q", p.Goal)
	}
	if _, err := LoadZone(p.TimeZone); err != nil {
		return Invalid(path("timeZone"), "%q is not an IANA time zone", p.TimeZone)
	}
	return nil
}

// activityFactors are the physical activity multipliers of the BMR (FAO/WHO/UNU,
// "Human energy requirements", 2004, Table 4.1 PAL bands, as commonly rounded
// for the Mifflin–St Jeor equation: 1.2 sedentary … 1.9 very active).
var activityFactors = map[ActivityLevel]float64{
	Sedentary:  1.2,
	Light:      1.375,
	Moderate:   1.55,
	Active:     1.725,
	VeryActive: 1.9,
}
