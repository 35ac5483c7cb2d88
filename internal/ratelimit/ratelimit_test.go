package ratelimit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLimiter(t *testing.T) {
	l := New(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		ok, _ := l.Allow("a", t0.Add(time.Duration(i)*time.Second))
		require.True(t, ok, i)
	}
	ok, retry := l.Allow("a", t0.Add(10*time.Second))
	require.False(t, ok)
	require.Equal(t, 50*time.Second, retry, "first attempt leaves the window at t0+60s")
	ok, _ = l.Allow("b", t0.Add(10*time.Second))
	require.True(t, ok, "keys are independent")
	ok, _ = l.Allow("a", t0.Add(60*time.Second+time.Millisecond))
	require.True(t, ok, "the first attempt has left the window")
	ok, _ = l.Allow("a", t0.Add(61*time.Second))
	require.True(t, ok, "the second attempt has left the window too")
	ok, _ = l.Allow("a", t0.Add(61500*time.Millisecond))
	require.False(t, ok, "three attempts (t0+2s, t0+60s, t0+61s) within the last minute")
	l.Allow("c", t0.Add(10*time.Minute))
	require.NotContains(t, l.hits, "b", "idle keys are forgotten")
}
