package sources

import (
	"context"
	"log/slog"
)

// Log logs for one source: each record carries the source's name, added
// as it is written. A logger made With the name clones its handler, and a
// refresh of 100,000 sources held as many clones.
type Log struct {
	L    *slog.Logger
	Name string
}

func (l Log) log(level slog.Level, msg string, args ...any) {
	ctx := context.Background()
	if !l.L.Enabled(ctx, level) {
		return
	}
	l.L.Log(ctx, level, msg, append([]any{"source", l.Name}, args...)...)
}

func (l Log) Debug(msg string, args ...any) { l.log(slog.LevelDebug, msg, args...) }
func (l Log) Info(msg string, args ...any)  { l.log(slog.LevelInfo, msg, args...) }
func (l Log) Warn(msg string, args ...any)  { l.log(slog.LevelWarn, msg, args...) }
func (l Log) Error(msg string, args ...any) { l.log(slog.LevelError, msg, args...) }
