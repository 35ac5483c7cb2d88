// Package ratelimit is an in-memory sliding-window rate limiter for login
// attempts. It is per process: behind several API servers, each limits on
// its own (documented in docs/security.md).
package ratelimit

import (
	"sync"
	"time"

	"nutrigraph/internal/app"
)

// Limiter allows at most Max attempts per key within Window.
type Limiter struct {
	Max    int
	Window time.Duration

	mu     sync.Mutex
	hits   map[string][]time.Time
	lastGC time.Time
}

var _ app.RateLimiter = (*Limiter)(nil)

// New returns a Limiter of max attempts per window.
func New(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, hits: map[string][]time.Time{}}
}

// Allow implements app.RateLimiter.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastGC) > l.Window {
		l.gc(now)
	}
	recent := l.prune(l.hits[key], now)
	if len(recent) >= l.Max {
		l.hits[key] = recent
		return false, recent[0].Add(l.Window).Sub(now)
	}
	l.hits[key] = append(recent, now)
	return true, 0
}

// prune drops the attempts older than the window.
func (l *Limiter) prune(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-l.Window)) {
		i++
	}
	return ts[i:]
}

// gc forgets keys without recent attempts, bounding memory.
func (l *Limiter) gc(now time.Time) {
	for k, ts := range l.hits {
		if len(l.prune(ts, now)) == 0 {
			delete(l.hits, k)
		}
	}
	l.lastGC = now
}
