package config

// The raw types mirror the YAML file key for key, as written: durations,
// sizes and percentages stay strings and counts (and a source's own
// switches) are pointers, so that checking, defaults and error positions
// are decided after decoding rather than inside the decoder (which loses
// positions for custom types).

type rawConfig struct {
	Site        rawSite       `yaml:"site"`
	DataDir     string        `yaml:"data_dir"`
	LockTimeout string        `yaml:"lock_timeout"`
	Store       rawStore      `yaml:"store"`
	Output      rawOutput     `yaml:"output"`
	Languages   []rawLanguage `yaml:"languages"`
	Sources     []rawSource   `yaml:"sources"`
	Retention   rawRetention  `yaml:"retention"`
	Scheduler   rawScheduler  `yaml:"scheduler"`
	Fetch       rawFetch      `yaml:"fetch"`
	Serve       rawServe      `yaml:"serve"`
	WebSub      rawWebSub     `yaml:"websub"`
	Channels    []rawChannel  `yaml:"channels"`
}

type rawSite struct {
	Title    string    `yaml:"title"`
	Link     string    `yaml:"link"`
	BaseURL  string    `yaml:"base_url"`
	Timezone string    `yaml:"timezone"`
	Author   rawPerson `yaml:"author"`
}

type rawPerson struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

type rawStore struct {
	Driver string `yaml:"driver"`
	DSN    string `yaml:"dsn"`
	Lease  string `yaml:"lease"`
	Node   string `yaml:"node"`
}

type rawOutput struct {
	Dir         string   `yaml:"dir"`
	MaxItems    *int     `yaml:"max_items"`
	Categories  []string `yaml:"categories"`
	ArchiveSize *int     `yaml:"archive_size"`
	PageSize    *int     `yaml:"page_size"`
}

type rawLanguage struct {
	Tag      string `yaml:"tag"`
	Title    string `yaml:"title"`
	MaxItems *int   `yaml:"max_items"`
}

type rawSource struct {
	Name         string            `yaml:"name"`
	Kind         string            `yaml:"kind"`
	Path         string            `yaml:"path"`
	URL          string            `yaml:"url"`
	Schedule     string            `yaml:"schedule"`
	Labels       []string          `yaml:"labels"`
	Language     string            `yaml:"language"`
	Timezone     string            `yaml:"timezone"`
	Retention    *rawRetention     `yaml:"retention"`
	AllowPrivate *bool             `yaml:"allow_private"`
	Headers      map[string]string `yaml:"headers"`
	Select       *rawSelect        `yaml:"select"`
	Content      string            `yaml:"content"`
	MaxSources   *int              `yaml:"max_sources"`
	// TranslationOnly is translation_only_markers.
	TranslationOnly []string `yaml:"translation_only_markers"`
}

type rawSelect struct {
	Item     string `yaml:"item"`
	Title    string `yaml:"title"`
	Link     string `yaml:"link"`
	Summary  string `yaml:"summary"`
	Date     string `yaml:"date"`
	Category string `yaml:"category"`
	Image    string `yaml:"image"`
	Author   string `yaml:"author"`
}

type rawRetention struct {
	MaxAge   string `yaml:"max_age"`
	MaxItems *int   `yaml:"max_items"`
}

type rawScheduler struct {
	Jitter   string `yaml:"jitter"`
	Debounce string `yaml:"debounce"`
}

type rawFetch struct {
	Concurrency  *int   `yaml:"concurrency"`
	PerHost      *int   `yaml:"per_host"`
	MaxBody      string `yaml:"max_body"`
	Timeout      string `yaml:"timeout"`
	AllowPrivate bool   `yaml:"allow_private"`
	MaxItems     *int   `yaml:"max_items"`
}

type rawServe struct {
	Addr          string `yaml:"addr"`
	MaxAge        string `yaml:"max_age"`
	StaleAfter    string `yaml:"stale_after"`
	ArchiveMaxAge string `yaml:"archive_max_age"`
}

type rawWebSub struct {
	Hub string `yaml:"hub"`
}
