package httpapi

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// graphiqlFiles holds GraphiQL's page and assets; see graphiql/README.md for
// where each file comes from.
//
//go:embed graphiql/index.html graphiql/init.js graphiql/*.gz
var graphiqlFiles embed.FS

// graphiqlCSP lets the page load only its own scripts and talk only to this
// server. GraphiQL styles itself inline and inlines its fonts.
const graphiqlCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func graphiqlPage(w http.ResponseWriter, _ *http.Request) {
	page, err := graphiqlFiles.ReadFile("graphiql/index.html")
	if err != nil {
		http.Error(w, "GraphiQL is missing from this build", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", graphiqlCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}

// graphiqlAsset serves /graphiql/NAME. Compressed assets are sent as they
// are to clients that accept gzip and decompressed for the others.
func graphiqlAsset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	var contentType string
	switch path.Ext(name) {
	case ".js":
		contentType = "text/javascript; charset=utf-8"
	case ".css":
		contentType = "text/css; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	if data, err := graphiqlFiles.ReadFile("graphiql/" + name); err == nil {
		_, _ = w.Write(data)
		return
	}
	data, err := graphiqlFiles.ReadFile("graphiql/" + name + ".gz")
	if err != nil {
		h.Del("Content-Type")
		h.Del("Cache-Control")
		http.NotFound(w, r)
		return
	}
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(data)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		panic(err) // the embedded file is broken: a build problem
	}
	_, _ = io.Copy(w, zr)
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.TrimSpace(coding)
		if !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}
