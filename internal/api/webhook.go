package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// MaxWebhookBody bounds a billing event body.
const MaxWebhookBody = 64 << 10

// EventHandler applies verified billing events; *app.Billing is one.
type EventHandler interface {
	HandleEvent(ctx context.Context, body []byte) (app.EventOutcome, error)
}

// BillingWebhook is POST /webhooks/billing: it checks the signature header
// (app.SignatureHeader: HMAC-SHA256 with secret over "timestamp.body", at
// most 5 minutes old) and applies the event once per event id.
//
//	401  bad or missing signature, or a stale timestamp; nothing changes
//	400  a signed body that is not a valid event
//	200  {"outcome": "applied" | "duplicate" | "rejected"}
//
// A rejected event (unknown account, impossible transition) is recorded and
// answered 200, so that the provider does not retry it.
func BillingWebhook(h EventHandler, secret []byte, now func() time.Time, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, nutrition.CodeInvalid, "use POST")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, nutrition.CodeInvalid, "the event is too large")
				return
			}
			writeError(w, http.StatusBadRequest, nutrition.CodeInvalid, "could not read the body")
			return
		}
		if err := app.VerifyBillingSignature(secret, r.Header.Get(app.SignatureHeader), body, now()); err != nil {
			if nutrition.CodeOf(err) != nutrition.CodeUnauthenticated {
				log.Error("billing webhook is not configured", "error", err.Error())
			}
			writeError(w, http.StatusUnauthorized, nutrition.CodeUnauthenticated, "invalid signature")
			return
		}
		outcome, err := h.HandleEvent(r.Context(), body)
		switch code := nutrition.CodeOf(err); {
		case err == nil:
		case code == nutrition.CodeInvalid:
			writeFieldError(w, err)
			return
		default:
			log.ErrorContext(r.Context(), "billing event failed", "error", err.Error())
			writeError(w, http.StatusInternalServerError, nutrition.CodeInternal, "internal error")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		writeJSON(w, map[string]any{"outcome": outcome})
	})
}
