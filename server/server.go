// Package server is feedloom's HTTP face. It serves the output folder the
// publisher writes (content types feed readers expect, strong ETags from the
// content, Last-Modified, 304s, precompressed gzip, CORS on feed files) and
// answers /healthz, /status and /metrics. It knows only a folder and a small
// Health interface; it never writes anything and never decides what to publish.
package server

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"
)

// Options configure New. The zero value serves the folder with defaults.
type Options struct {
	MaxAge time.Duration // Cache-Control max-age for feed files and other assets; 0 means 5m
	// ArchiveMaxAge is the max-age of numbered archive documents
	// (archive/<format>/<n>.<ext>), which change only when an item in them
	// does; 0 means 1 day. The latest one is a feed file like the others.
	ArchiveMaxAge time.Duration
	StaleAfter    time.Duration    // /healthz is 503 when no source succeeded within it; 0 means 2h
	Health        Health           // nil: /healthz and /status report no sources
	Node          Node             // a cluster node's id, database and leases; nil reports none
	Metrics       http.Handler     // served at /metrics when non-nil; nil answers 404
	Title         string           // site title shown on /status; "" means "feedloom"
	Now           func() time.Time // the clock for /healthz and /status; nil means time.Now
	// DevBaseURL, for serve --dev, is the site.base_url that HTML pages are
	// served with rewritten to the address the request came to, so that a
	// local preview's links stay local; "" serves files as they are.
	DevBaseURL string
}

// Route paths answered before the output folder is looked at; a file of the
// same name in the folder is shadowed by them.
const (
	healthPath  = "/healthz"
	statusPath  = "/status"
	metricsPath = "/metrics"
)

type handler struct {
	dir      string
	opts     Options
	log      *slog.Logger
	versions *versions
	status   *template.Template
}

// New returns the handler for dir, the output folder. Only GET and HEAD are
// answered (405 with Allow otherwise). Every response carries
// X-Content-Type-Options: nosniff. A nil log discards. The folder may not
// exist yet; it is opened per request, so a folder created or replaced later
// is served.
func New(dir string, opts Options, log *slog.Logger) http.Handler {
	if opts.MaxAge <= 0 {
		opts.MaxAge = 5 * time.Minute
	}
	if opts.ArchiveMaxAge <= 0 {
		opts.ArchiveMaxAge = 24 * time.Hour
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 2 * time.Hour
	}
	if opts.Title == "" {
		opts.Title = "feedloom"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &handler{
		dir:      dir,
		opts:     opts,
		log:      log,
		versions: newVersions(maxVersions, maxVersionBytes),
		status:   statusTemplate,
	}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case healthPath:
		h.serveHealth(w, r)
	case statusPath:
		h.serveStatus(w, r)
	case metricsPath:
		if h.opts.Metrics == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h.opts.Metrics.ServeHTTP(w, r)
	default:
		h.serveFile(w, r)
	}
}

// Limits of NewServer. Requests are bodiless GETs, so reading one is quick;
// writing gets longer because a large feed to a slow mobile client takes time.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
)

// NewServer returns an http.Server for h on addr with every timeout set, so
// a client that sends or reads slowly cannot hold a connection forever, and
// request headers capped at 16 KiB (larger ones get 431).
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}
