package feed

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/feedloom/feedloom/sources"
)

// redactError returns err with the secrets of every http(s) URL in its text
// redacted (see sources.RedactText), still wrapping err for errors.Is and
// errors.As. The scheduler stores and shows err.Error(), and net/http's
// errors quote whole URLs, passwords and query keys included.
func redactError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := sources.RedactText(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactLogger wraps l so that no record it writes shows a URL's secrets,
// whichever line of the package logged it and however it passed the URL.
func redactLogger(l *slog.Logger) *slog.Logger {
	return slog.New(redactHandler{l.Handler()})
}

// redactHandler redacts URLs in a record's message and in its attribute
// values (strings, errors and *url.URL, within groups too)
// before handing it on.
type redactHandler struct{ h slog.Handler }

func (r redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, sources.RedactText(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return redactHandler{r.h.WithAttrs(red)}
}

func (r redactHandler) WithGroup(name string) slog.Handler { return redactHandler{r.h.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(sources.RedactText(v.String()))
	case slog.KindGroup:
		group := v.Group()
		red := make([]slog.Attr, len(group))
		for i, g := range group {
			red[i] = redactAttr(g)
		}
		v = slog.GroupValue(red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case *url.URL:
			if x != nil {
				v = slog.StringValue(sources.RedactURL(x.String()))
			}
		case error:
			v = slog.AnyValue(redactError(x))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
