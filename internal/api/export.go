package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// EntrySource streams a user's entries; store.Exporter is one.
type EntrySource interface {
	Entries(ctx context.Context, user uuid.UUID, from, to nutrition.Date, fn func(store.ExportRow) error) error
}

// ZoneOf returns the time zone a user's times are shown in.
type ZoneOf func(ctx context.Context, user uuid.UUID) (*time.Location, error)

// exportHeader is the CSV header: fixed columns, then one per nutrient.
func exportHeader() []string {
	h := []string{"local_date", "eaten_at", "meal_type", "food_name", "grams"}
	for _, n := range nutrition.Catalogue {
		h = append(h, n.Column)
	}
	return h
}

// ExportCSV is GET /export/entries.csv?from=YYYY-MM-DD&to=YYYY-MM-DD: one row
// per live entry of the viewer (RFC 4180, UTF-8, a header row), eaten-at in
// the viewer's time zone, unknown amounts left empty (not 0). Rows stream
// from the database as they are read. Without a bearer token → 401; a bad
// range → 400 naming the parameter (at most 366 days).
func ExportCSV(src EntrySource, zone ZoneOf) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := app.ViewerFrom(r.Context())
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, nutrition.CodeUnauthenticated, "authentication required")
			return
		}
		from, to, err := parseRange(r)
		if err != nil {
			writeFieldError(w, err)
			return
		}
		uid := uuid.UUID(v.UserID)
		loc, err := zone(r.Context(), uid)
		if err != nil {
			writeError(w, http.StatusInternalServerError, nutrition.CodeInternal, "internal error")
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="entries-`+from.String()+`-`+to.String()+`.csv"`)
		cw := csv.NewWriter(w)
		cw.UseCRLF = true // RFC 4180
		if err := cw.Write(exportHeader()); err != nil {
			return
		}
		n := 0
		rec := make([]string, 0, 5+len(nutrition.Catalogue))
		err = src.Entries(r.Context(), uid, from, to, func(row store.ExportRow) error {
			rec = append(rec[:0], row.LocalDate, row.EatenAt.In(loc).Format(time.RFC3339), row.MealType, row.Name, num(row.Grams))
			for _, a := range row.Amounts {
				rec = append(rec, num(a))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			if n++; n%200 == 0 {
				cw.Flush()
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
			}
			return cw.Error()
		})
		cw.Flush()
		if err != nil {
			// The status is sent; a broken stream is all a client can see.
			// Abort the response so that it is not mistaken for a full file.
			panic(http.ErrAbortHandler)
		}
	})
}

// num formats an optional amount: empty when unknown, shortest exact form otherwise.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// parseRange reads and checks ?from=&to=.
func parseRange(r *http.Request) (from, to nutrition.Date, err error) {
	q := r.URL.Query()
	if from, err = nutrition.ParseDate("from", q.Get("from")); err != nil {
		return
	}
	if to, err = nutrition.ParseDate("to", q.Get("to")); err != nil {
		return
	}
	err = nutrition.ValidateRange("from", "to", from, to)
	return
}

// writeFieldError answers 400 with the error's code and field.
func writeFieldError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	body := map[string]any{"errors": []any{map[string]any{"message": nutrition.MessageOf(err),
		"extensions": map[string]any{"code": nutrition.CodeOf(err), "field": nutrition.FieldOf(err)}}}}
	writeJSON(w, body)
}
