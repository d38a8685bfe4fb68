package sources

import (
	"bytes"
	"log/slog"
	"testing"
)

// TestLog: a record carries the source's name once, before its own
// attributes, and a level the handler leaves out writes nothing.
func TestLog(t *testing.T) {
	var buf bytes.Buffer
	l := Log{L: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})), Name: "wire"}
	l.Debug("hidden", "k", 1)
	l.Info("refreshed", "changed", 2)
	l.Warn("fetch failed", "err", "refused")
	l.Error("not stored")
	want := "level=INFO msg=refreshed source=wire changed=2\n" +
		"level=WARN msg=\"fetch failed\" source=wire err=refused\n" +
		"level=ERROR msg=\"not stored\" source=wire\n"
	if buf.String() != want {
		t.Errorf("logged\n%s\nwant\n%s", buf.String(), want)
	}
}
