// Package searchtext turns food names into the normalised text that food
// search matches against, and search strings into the words it looks for.
// It holds the search semantics of the catalogue (see docs/foods.md) and
// imports no database code, so that the ent schema (which keeps a food's
// search columns in step with its name) and the SQL side of search agree.
//
// Normalised text is lower case without accents ("Crème brûlée" → "creme
// brulee"; Latin script becomes ASCII, letters of other scripts are kept),
// apostrophes join ("McDONALD'S" → "mcdonalds") and every other character
// that is not a letter or a digit separates words.
package searchtext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxQueryWords is the largest number of distinct words a search may have.
const MaxQueryWords = 10

// MaxQueryLen is the longest search string accepted, in bytes.
const MaxQueryLen = 200

// special folds letters that do not decompose into a base letter and marks.
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
	'þ': "th", 'ı': "i", 'ĳ': "ij", 'ŋ': "n", 'ħ': "h",
}

// Words returns the normalised words of s in order.
func Words(s string) []string {
	var (
		words []string
		cur   strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			cur.WriteRune(r + 'a' - 'A')
		case r == '\'' || r == '’' || r == 'ʼ':
			// Apostrophes join: "Campbell's" is one word, "campbells".
		case r < utf8.RuneSelf:
			flush()
		default:
			l := unicode.ToLower(r)
			if f, ok := special[l]; ok {
				cur.WriteString(f)
			} else if f, ok := latin(l); ok {
				cur.WriteString(f)
			} else if unicode.IsLetter(l) || unicode.IsDigit(l) {
				// Letters of other scripts are kept as they are, marks
				// included ("ご" stays "ご").
				cur.WriteRune(l)
			} else {
				flush()
			}
		}
	}
	flush()
	return words
}

// latin folds a letter of the Latin script with accents, or a compatibility
// form of an ASCII letter or digit ("é" → "e", "ﬁ" → "fi", "Ａ" → "a"), to
// ASCII.
func latin(r rune) (string, bool) {
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(r)) {
		switch {
		case d >= 'a' && d <= 'z' || d >= '0' && d <= '9':
			b.WriteRune(d)
		case d >= 'A' && d <= 'Z':
			b.WriteRune(d + 'a' - 'A')
		case unicode.Is(unicode.Mn, d):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Normalize returns the normalised words of s joined by single spaces.
func Normalize(s string) string { return strings.Join(Words(s), " ") }

// Text is the value of a food's search_text column for the food name: its
// normalised words with a space before and after each, so that a SQL
// `LIKE '% word%'` is a prefix match at the start of a word and
// `LIKE '% word %'` a whole-word match, and `LIKE ' word%'` matches the
// first word of the name.
func Text(name string) string {
	w := Words(name)
	if len(w) == 0 {
		return " "
	}
	return " " + strings.Join(w, " ") + " "
}

// Term is one word of a search.
type Term struct {
	// Prefix is what a word of the name must start with.
	Prefix string
	// Whole lists the forms that count as the whole word rather than a
	// longer word that merely starts with Prefix ("egg", "eggs", but not
	// "eggplant").
	Whole []string
}

// Query returns the terms of the search string q: its normalised words,
// each reduced to a stem so that a plural finds the singular too
// ("apples" → "apple", "peaches" → "peach", "berries" → "berr"), without
// duplicates, in order. A stem is always a prefix of the word typed, so
// stemming only widens the match. ok is false when q has more than
// MaxQueryWords distinct words or is longer than MaxQueryLen.
func Query(q string) (terms []Term, ok bool) {
	if len(q) > MaxQueryLen {
		return nil, false
	}
	seen := map[string]bool{}
	for _, w := range Words(q) {
		t := stem(w)
		if seen[t.Prefix] {
			continue
		}
		seen[t.Prefix] = true
		terms = append(terms, t)
	}
	if len(terms) > MaxQueryWords {
		return nil, false
	}
	return terms, true
}

// stem reduces a plural English word to a prefix of it and lists its whole
// forms. Words of fewer than four letters are left alone.
func stem(w string) Term {
	switch {
	case len(w) >= 5 && strings.HasSuffix(w, "ies"):
		s := w[:len(w)-3]
		return Term{Prefix: s, Whole: []string{s + "y", s + "ies"}}
	case len(w) >= 5 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") ||
		strings.HasSuffix(w, "oes") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "sses")):
		s := w[:len(w)-2]
		return Term{Prefix: s, Whole: []string{s, s + "s", s + "es"}}
	case len(w) >= 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		s := w[:len(w)-1]
		return Term{Prefix: s, Whole: []string{s, s + "s", s + "es"}}
	default:
		return Term{Prefix: w, Whole: []string{w, w + "s", w + "es"}}
	}
}

// groupPenalty ranks whole food groups of the USDA data below basic foods:
// prepared meals, fast food, baby food and sweets rarely are what a search
// for one word means.
var groupPenalty = map[string]int{
	"Fast Foods":                          3,
	"Restaurant Foods":                    3,
	"Baby Foods":                          3,
	"Meals, Entrees, and Side Dishes":     2,
	"American Indian/Alaska Native Foods": 2,
	"Snacks":                              1,
	"Sweets":                              1,
	"Baked Products":                      1,
	"Breakfast Cereals":                   1,
	"Soups, Sauces, and Gravies":          1,
	"Sausages and Luncheon Meats":         1,
}

// processed marks words of a name that say a food was processed.
var processed = map[string]bool{
	"canned": true, "frozen": true, "fried": true, "breaded": true, "prepared": true,
	"mix": true, "commercially": true, "instant": true, "microwaved": true,
	"recipe": true, "imitation": true, "dehydrated": true, "batter": true,
}

// notBrand are upper-case words of names that are not brand names.
var notBrand = map[string]bool{"BBQ": true, "NFS": true, "DHA": true, "ARA": true, "II": true, "III": true}

// MaxRank bounds Rank: every rank is in [0, MaxRank).
const MaxRank = 1_000_000

// Rank is the query-independent part of a food's search order (its
// search_rank column; lower comes first): simple, common foods before long,
// processed or branded ones. It counts, in this order of weight,
//
//   - the comma-separated segments of the name beyond the first,
//   - the words of the first segment beyond the first (at most 3),
//   - a penalty for prepared or special food groups (fast food, baby food…),
//   - 3 for an upper-case brand name ("KELLOGG'S"),
//   - 1 for a word that says the food was processed ("canned", "fried"…),
//   - minus 1 for a "raw" segment (the plain food),
//
// and then the length of the name: Rank = 1000 × points + length.
func Rank(name, group string) int {
	segments := strings.Split(name, ",")
	points := len(segments) - 1 + groupPenalty[group]
	// A head of several words ("Milk shakes", "Egg substitute") names a
	// product made of the basic food the one-word heads name ("Milk, …").
	points += min(len(Words(segments[0])), 4) - 1
	for _, seg := range segments {
		if Normalize(seg) == "raw" {
			points--
			break
		}
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '\'')
	}) {
		if len(w) >= 3 && strings.ToUpper(w) == w && !notBrand[w] {
			points += 3
			break
		}
	}
	for _, w := range Words(name) {
		if processed[w] {
			points++
			break
		}
	}
	points = min(max(points+5, 0), MaxRank/1000-1)
	return points*1000 + min(len(name), 999)
}
