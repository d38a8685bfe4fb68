package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// LoadOptions adjusts Load. The zero value loads for production from the
// process environment.
type LoadOptions struct {
	// Dev allows @every schedules under one minute (serve --dev).
	Dev bool
	// Getenv reads the environment (FEEDLOOM_DSN); nil means os.Getenv.
	Getenv func(string) string
	// Hostname names this node when store.node is not set; nil means os.Hostname.
	Hostname func() (string, error)
}

// Load reads, checks and completes the config file at path. A file that
// cannot be read gives a plain error; a file with problems gives all of them
// at once, each an *Error naming path (as given), line, column and field,
// joined with errors.Join in file order. On error the Config is nil; without
// one, what deserves a warning is in Config.Warnings.
func Load(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Hostname == nil {
		opts.Hostname = os.Hostname
	}

	p := newProblems(path)
	var raw rawConfig
	if !decodeYAML(data, &raw, p) {
		return nil, p.err()
	}
	c := &Config{Path: abs, Dir: filepath.Dir(abs)}
	b := builder{p: p, opts: opts, dir: c.Dir}
	b.build(&raw, c)
	if err := p.err(); err != nil {
		return nil, err
	}
	c.Warnings = p.warnings()
	return c, nil
}
