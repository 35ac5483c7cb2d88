package migrate

// Internals exposed to the external tests of this package.
var (
	ApplyDir    = apply
	StatusOfDir = status
)
