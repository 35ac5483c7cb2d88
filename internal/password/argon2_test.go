package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fast keeps the tests quick; the format and logic are the same.
var fast = Params{MemoryKiB: 1024, Passes: 1, Lanes: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	h := Hasher{P: fast}
	enc, err := h.Hash("correct horse")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$"), enc)
	enc2, err := h.Hash("correct horse")
	require.NoError(t, err)
	require.NotEqual(t, enc, enc2, "salted")

	for _, tc := range []struct {
		name, pw   string
		h          Hasher
		ok, rehash bool
	}{
		{"right", "correct horse", h, true, false},
		{"wrong", "correct horsE", h, false, false},
		{"empty", "", h, false, false},
		{"params changed", "correct horse", Hasher{P: Params{MemoryKiB: 2048, Passes: 1, Lanes: 1, SaltLen: 16, KeyLen: 32}}, true, true},
		{"params changed, wrong", "nope", Hasher{P: Default}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := tc.h.Verify(enc, tc.pw)
			require.NoError(t, err)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.rehash, rehash)
		})
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"} {
		_, _, err := h.Verify(bad, "x")
		require.Error(t, err, bad)
	}
}
