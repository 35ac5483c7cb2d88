package app

import "context"

// Viewer is who a request is made by: the user and the session that
// authenticated it.
type Viewer struct {
	UserID    ID
	SessionID ID
}

type viewerKey struct{}
type systemKey struct{}

// WithViewer returns a context for requests made by v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer of the request, if any.
func ViewerFrom(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok && !v.UserID.IsZero()
}

// AsSystem returns a context for the few steps that must act without a
// viewer: finding a user by email to log in, a session by its token, a
// billing account named by a provider event, creating a new account. The ent
// privacy rules let such a context through; use it for exactly those steps.
func AsSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemKey{}, true)
}

// IsSystem reports whether ctx was made by AsSystem.
func IsSystem(ctx context.Context) bool {
	v, _ := ctx.Value(systemKey{}).(bool)
	return v
}

// requireViewer returns the viewer or an UNAUTHENTICATED error.
func requireViewer(ctx context.Context) (Viewer, error) {
	v, ok := ViewerFrom(ctx)
	if !ok {
		return Viewer{}, errUnauthenticated
	}
	return v, nil
}

type clientIPKey struct{}

// WithClientIP returns a context carrying the address a request comes from,
// for rate limiting.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the address set by WithClientIP, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
