package testdb

import "context"

// Sweep runs the clean-up of abandoned databases again (it runs once per
// test binary on first use).
func Sweep() {
	if s, err := server(); err == nil {
		s.sweep(context.Background())
	}
}
