package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// SourceHealth is one source's state as the scheduler last saw it. Zero
// times mean "never" (or, for NextRun, "not scheduled").
type SourceHealth struct {
	Name string
	Kind string // files, feed, page or opml
	// List is the list source (kind opml) that names this feed; empty for
	// a configured source. Sources lists a list's feeds right after it.
	List        string
	URL         string // feed sources; empty for files
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string // of the last attempt; empty after a success
	Failures    int    // consecutive failures
	NextRun     time.Time
	// Contradicted counts the items of the last refresh whose language
	// was detected because the feed's declaration contradicted their
	// script: a feed declaring the wrong language.
	Contradicted int
}

// Health is what /healthz and /status need; the scheduler implements it.
// Sources returns the sources in the order to show them.
type Health interface {
	Sources(ctx context.Context) ([]SourceHealth, error)
}

// NodeHealth is this process's place in a cluster of nodes sharing one
// database.
type NodeHealth struct {
	ID            string
	DatabaseError string // "" while the database answers
	Leases        int    // sources this node holds leases on right now
}

// Node reports a cluster node's health; the scheduler implements it.
type Node interface {
	Node(ctx context.Context) NodeHealth
}

// Overall states of a health report.
const (
	stateOK    = "ok"
	stateStale = "stale"
	stateError = "error"
)

// report is one reading of the sources' health, shared by /healthz and /status.
type report struct {
	state   string
	code    int
	err     string
	sources []SourceHealth
	node    *NodeHealth
	now     time.Time
}

// readHealth asks Health for the sources and judges them: stale (503) when
// sources exist and none has succeeded within StaleAfter of now; an error
// from Health is 503 too. A success stamped in the future (clock skew
// between nodes) counts as fresh.
//
// A node whose database does not answer is 503 whatever its sources: a
// load balancer should send readers to a node that is keeping up, though
// this one still serves its last published files.
func (h *handler) readHealth(ctx context.Context) report {
	var node *NodeHealth
	if h.opts.Node != nil {
		n := h.opts.Node.Node(ctx)
		node = &n
	}
	rep := h.readSources(ctx)
	rep.node = node
	if node != nil && node.DatabaseError != "" {
		rep.state, rep.code = stateError, http.StatusServiceUnavailable
		if rep.err == "" {
			rep.err = "database: " + node.DatabaseError
		}
	}
	return rep
}

func (h *handler) readSources(ctx context.Context) report {
	if h.opts.Health == nil {
		return report{state: stateOK, code: http.StatusOK, now: h.opts.Now()}
	}
	srcs, err := h.opts.Health.Sources(ctx)
	// Read the clock after the call, so a slow call cannot put a success in the future.
	now := h.opts.Now()
	rep := report{state: stateOK, code: http.StatusOK, now: now}
	if err != nil {
		h.log.Warn("health unavailable", "err", err)
		return report{state: stateError, code: http.StatusServiceUnavailable, err: err.Error(), now: now}
	}
	rep.sources = srcs
	if len(srcs) == 0 {
		return rep
	}
	for _, s := range srcs {
		if !s.LastSuccess.IsZero() && now.Sub(s.LastSuccess) <= h.opts.StaleAfter {
			return rep
		}
	}
	rep.state, rep.code = stateStale, http.StatusServiceUnavailable
	return rep
}

type healthJSON struct {
	Status  string       `json:"status"`
	Error   string       `json:"error,omitempty"`
	Node    *nodeJSON    `json:"node,omitempty"`
	Sources []sourceJSON `json:"sources"`
}

type nodeJSON struct {
	ID            string `json:"id"`
	Database      string `json:"database"` // ok or error
	DatabaseError string `json:"database_error,omitempty"`
	Leases        int    `json:"leases"`
}

type sourceJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	List        string `json:"list,omitempty"`
	URL         string `json:"url,omitempty"`
	LastAttempt string `json:"last_attempt,omitempty"`
	LastSuccess string `json:"last_success,omitempty"`
	LastError   string `json:"last_error,omitempty"`
	Failures    int    `json:"failures"`
	NextRun     string `json:"next_run,omitempty"`
	// Items whose script contradicted the feed's declared language.
	LanguageContradicted int `json:"language_contradicted,omitempty"`
}

// serveHealth writes the report as JSON; sources is always an array.
func (h *handler) serveHealth(w http.ResponseWriter, r *http.Request) {
	rep := h.readHealth(r.Context())
	out := healthJSON{Status: rep.state, Error: rep.err, Sources: make([]sourceJSON, 0, len(rep.sources))}
	if n := rep.node; n != nil {
		out.Node = &nodeJSON{ID: n.ID, Database: "ok", DatabaseError: n.DatabaseError, Leases: n.Leases}
		if n.DatabaseError != "" {
			out.Node.Database = "error"
		}
	}
	for _, s := range rep.sources {
		out.Sources = append(out.Sources, sourceJSON{
			Name:        s.Name,
			Kind:        s.Kind,
			List:        s.List,
			URL:         s.URL,
			LastAttempt: rfc3339(s.LastAttempt),
			LastSuccess: rfc3339(s.LastSuccess),
			LastError:   s.LastError,
			Failures:    s.Failures,
			NextRun:     rfc3339(s.NextRun),

			LanguageContradicted: s.Contradicted,
		})
	}
	body, err := json.Marshal(out)
	if err != nil { // only strings and ints: cannot fail
		h.fail(w, healthPath, err)
		return
	}
	writeLive(w, r, rep.code, "application/json", append(body, '\n'))
}

// writeLive writes a page of live state: never stored by a cache, with its
// length so HEAD answers the same headers as GET.
func writeLive(w http.ResponseWriter, r *http.Request, code int, contentType string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// rfc3339 formats t in UTC to the second; "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
