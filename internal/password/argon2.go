// Package password hashes passwords with argon2id (RFC 9106), in the PHC
// string format: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"nutrigraph/internal/app"
)

// Params are argon2id cost parameters.
type Params struct {
	MemoryKiB uint32
	Passes    uint32
	Lanes     uint8
	SaltLen   int
	KeyLen    uint32
}

// Default follows the second recommended option of RFC 9106 §4 and OWASP's
// password storage cheat sheet (m=64 MiB is the RFC's; OWASP's minimum is
// m=19 MiB, t=2, p=1): 64 MiB, 3 passes, 1 lane — about 60 ms here.
var Default = Params{MemoryKiB: 64 * 1024, Passes: 3, Lanes: 1, SaltLen: 16, KeyLen: 32}

// Hasher implements app.PasswordHasher with argon2id.
type Hasher struct{ P Params }

var _ app.PasswordHasher = Hasher{}

// Hash implements app.PasswordHasher.
func (h Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, h.P.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, h.P.Passes, h.P.MemoryKiB, h.P.Lanes, h.P.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.P.MemoryKiB, h.P.Passes, h.P.Lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errFormat = errors.New("password: not an argon2id hash")

// Verify implements app.PasswordHasher. rehash is true when the hash was made
// with other parameters than h's.
func (h Hasher) Verify(encoded, pw string) (ok, rehash bool, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, errFormat
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, false, errFormat
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Passes, &p.Lanes); err != nil {
		return false, false, errFormat
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, false, errFormat
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || p.Lanes == 0 || p.Passes == 0 {
		return false, false, errFormat
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(want))
	got := argon2.IDKey([]byte(pw), salt, p.Passes, p.MemoryKiB, p.Lanes, p.KeyLen)
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && p != h.P, nil
}
