package server

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed status.html
var statusHTML string

// statusTemplate is parsed once; a broken template is a build-time bug, so
// Must is right here.
var statusTemplate = template.Must(template.New("status").Parse(statusHTML))

type statusPage struct {
	Title   string
	State   string // ok, stale or error: also the summary's CSS class
	Summary string
	Checked timeCell
	Node    *NodeHealth
	Sources []statusRow
}

type statusRow struct {
	Name, Kind, URL string
	List            string // the list source that names it, under which it is shown
	LastSuccess     timeCell
	LastAttempt     timeCell
	NextRun         timeCell
	Failures        int
	Contradicted    int
	LastError       string
}

// timeCell is a time as people read it (Relative) and as machines do (RFC3339).
type timeCell struct {
	RFC3339  string // "" for never
	Relative string
}

// serveStatus renders the health report as a page, with the same status
// code as /healthz so either can be monitored.
func (h *handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	rep := h.readHealth(r.Context())
	page := statusPage{
		Title:   h.opts.Title,
		State:   rep.state,
		Checked: cell(rep.now, rep.now),
		Node:    rep.node,
	}
	switch {
	case rep.node != nil && rep.node.DatabaseError != "":
		page.Summary = "The database does not answer; this node serves its last published files: " + rep.node.DatabaseError
	case rep.state == stateError:
		page.Summary = "Source health is unavailable: " + rep.err
	case rep.state == stateStale:
		page.Summary = "Stale: no source has succeeded in the last " + shortDuration(h.opts.StaleAfter) + "."
	case len(rep.sources) == 0:
		page.Summary = "No sources are reported."
	default:
		page.Summary = "Healthy: a source succeeded within the last " + shortDuration(h.opts.StaleAfter) + "."
	}
	for _, s := range rep.sources {
		page.Sources = append(page.Sources, statusRow{
			Name:         s.Name,
			Kind:         s.Kind,
			List:         s.List,
			URL:          s.URL,
			LastSuccess:  cell(s.LastSuccess, rep.now),
			LastAttempt:  cell(s.LastAttempt, rep.now),
			NextRun:      cell(s.NextRun, rep.now),
			Failures:     s.Failures,
			Contradicted: s.Contradicted,
			LastError:    s.LastError,
		})
	}
	var buf bytes.Buffer
	if err := h.status.Execute(&buf, page); err != nil {
		h.fail(w, statusPath, err)
		return
	}
	writeLive(w, r, rep.code, "text/html; charset=utf-8", buf.Bytes())
}

func cell(t, now time.Time) timeCell {
	if t.IsZero() {
		return timeCell{Relative: "never"}
	}
	return timeCell{RFC3339: rfc3339(t), Relative: relative(t, now)}
}

// relative says how far t is from now in the largest whole unit: "just now"
// within a minute, then minutes, hours up to 48, then days; "in …" for the future.
func relative(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var n int
	var unit string
	switch {
	case d < time.Minute:
		if future {
			return "in less than a minute"
		}
		return "just now"
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minute"
	case d < 48*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	default:
		n, unit = int(d/(24*time.Hour)), "day"
	}
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// shortDuration drops the zero tails of time.Duration's form: 2h, 1h30m, 90s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
