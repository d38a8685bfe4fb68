// Package normalize turns raw stories (sources.Story) into feeds.Item: stable
// tag: ids, the language of the body, dates that keep a listing's order and
// never move once stored, sanitized HTML with absolute links, plain-text
// titles and summaries cut on rune boundaries. It is pure: the clock, the
// zone and what the store already holds are passed in; it does no I/O and
// does not log.
package normalize

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// ErrNoTitle is the reason a story-file story without a title is skipped.
var ErrNoTitle = errors.New("normalize: story has no title")

// ErrEmpty is the reason an upstream item is skipped when it has no title,
// no content, no summary and no link.
var ErrEmpty = errors.New("normalize: item has no title, content, summary or link")

// Version names this release's normalizing rules. Raise it with any change
// that makes Items give another item for the same story (a sanitizer, date,
// language or id rule): stored items made under another version are made
// again from their stories, not left as the old rules made them.
const Version = "5" // 2: items record their date precision; 3: and their translations; 4: feed titles as HTML or their host, email addresses, locale names; 5: content nested too deep to balance kept as its words

// Options are the site-wide settings of a Normalizer.
type Options struct {
	Host       string         // tag: authority (host of site.base_url, lower-case, no port)
	FirstRun   string         // YYYY-MM-DD, the store's first-run date
	Zone       *time.Location // site time zone; nil means UTC
	SiteLink   string         // absolute base for relative links when a story has no Base/Link
	SummaryLen int            // runes; 0 means 280
	// Rules is the version of the rules Key reports; empty means Version.
	// A test sets another to stand for a release whose rules changed.
	Rules string

	// Contradicted, when set, is told after each Items how many of the
	// source's items were given a detected language because their feed's
	// declaration contradicted their script (/status shows it).
	Contradicted func(source string, items int)
}

// Source describes the source a batch of stories came from.
type Source struct {
	Name     string
	Language string         // default when neither declared nor detected
	Zone     *time.Location // zone for zoneless upstream dates; nil = Options.Zone
	Feed     bool           // an upstream feed or page (not story files)
	// Page marks an HTML listing page (Feed is set too): its ids, untitled
	// items and retention are an upstream's, but a page seldom dates its
	// items and its order is its clock, so its items are dated by the
	// listing rule of story files. A date more than a day ahead is clamped
	// to now, as an upstream item's is: a page cannot embargo.
	Page bool
	// Partial says that the stories are some of the source's, the rest
	// unchanged since their items were stored: Options.Contradicted is not
	// told, as its count would miss the rest. Key ignores it.
	Partial bool
}

// Normalizer turns raw stories into items. It is safe for concurrent use.
type Normalizer struct {
	opts     Options
	det      *Detector
	siteBase *url.URL
	strict   *bluemonday.Policy
	ugc      *bluemonday.Policy
	scratch  scratchPool // buffers for contentHTML
}

// New returns a Normalizer. A nil Detector detects nothing: items take their
// declared language, else the source's.
func New(opts Options, det *Detector) *Normalizer {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if opts.SummaryLen <= 0 {
		opts.SummaryLen = defaultSummaryLen
	}
	opts.Host = strings.ToLower(opts.Host)
	n := &Normalizer{opts: opts, det: det, strict: bluemonday.StrictPolicy(), ugc: bluemonday.UGCPolicy()}
	if u, err := url.Parse(strings.TrimSpace(opts.SiteLink)); err == nil && u.IsAbs() {
		n.siteBase = u
	}
	return n
}

// Key stands for everything that decides what Items makes of a story of
// src besides the story and the store: the rules' version, the site-wide
// options, whether it detects languages, and src. Two normalizers with the same Key make the same item of
// the same story, given the same stored items; a store keeps it beside
// what it made, so that a rule or a setting that changes reaches every
// stored item.
func (n *Normalizer) Key(src Source) string {
	var srcZone string
	if src.Zone != nil {
		srcZone = src.Zone.String()
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%t\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00%t\x00%t",
		cmp.Or(n.opts.Rules, Version), n.det != nil, n.opts.Host, n.opts.FirstRun, n.opts.Zone, n.opts.SiteLink,
		n.opts.SummaryLen, src.Name, src.Language, srcZone, src.Feed, src.Page))
	return hex.EncodeToString(sum[:16])
}

// draft is an item being built, with what dating it needs.
type draft struct {
	item  feeds.Item
	known *feeds.Item
	// storedID is the id the item had before its title lost a run that
	// could script a page (safeName) or its link was written as a URI
	// (uriString): an item stored under it keeps it.
	storedID string
	// contradicted: the feed's declared language contradicted the item's
	// script, and detection gave its language.
	contradicted bool
	line         int // the story's line in its file, for error messages

	exact     time.Time // explicit date with a time of day; zero when none
	day       civil     // stated day (explicit day-only date or one written in the text)
	hasDay    bool
	explicit  bool // exact or day came from the story's own date, not its text
	firstSeen bool // dated by the run's clock rather than by a day
}

// Items normalizes the stories of one source, fetched at now. known are the
// source's items already in the store; an item with a known id keeps its
// Published (unless it is still held and its story now gives another
// explicit date), FirstSeen and Slug. It returns the items in story order; a
// story that cannot be normalized is skipped and reported as a
// *sources.FileError in the joined error. Stories of one batch with the same
// id or the same canonical link are one item, the first one; in story files,
// a later one with another body is reported (ErrDuplicate).
func (n *Normalizer) Items(src Source, now time.Time, stories []sources.Story, known []feeds.Item) ([]feeds.Item, error) {
	now = now.Truncate(time.Second)
	byID := make(map[string]*feeds.Item, len(known))
	for i := range known {
		byID[known[i].ID] = &known[i]
	}
	seenYear := n.seenYears(now, known)
	var errs []error
	drafts := make([]*draft, 0, len(stories))
	seenID := make(map[string]*draft, len(stories))
	seenLink := make(map[string]*draft, len(stories))
	var origins originMemo
	for i := range stories {
		s := &stories[i]
		d, err := n.draft(src, now, s, seenYear(s.File), &origins)
		if err != nil {
			if s.Line == 0 && src.Feed {
				// A feed document has no lines to point at: its item's
				// place in it, and its id, say which one.
				err = fmt.Errorf("item %d%s: %w", s.Position+1, quotedID(s.ID), err)
			}
			errs = append(errs, &sources.FileError{Path: s.File, Line: s.Line, Err: err})
			continue
		}
		link := ""
		if d.item.Link != "" {
			link = feeds.CanonicalLink(d.item.Link)
		}
		d.known = byID[d.item.ID]
		if d.known == nil && d.storedID != "" {
			if d.known = storedItem(byID, known, d, link); d.known != nil {
				d.item.ID = d.known.ID
			}
		}
		if first := seenID[d.item.ID]; first != nil {
			how := "(same explicit id)"
			if strings.TrimSpace(s.ID) == "" {
				how = "(same title); give one an explicit id"
			}
			errs = appendDuplicate(errs, src, first, d, "id", how)
			continue
		}
		if first := seenLink[link]; link != "" && first != nil {
			errs = appendDuplicate(errs, src, first, d, "link", "")
			continue
		}
		seenID[d.item.ID] = d
		if link != "" {
			seenLink[link] = d
		}
		drafts = append(drafts, d)
	}

	switch {
	case src.Page:
		for _, d := range drafts {
			d.clampAhead(now, n.opts.Zone)
		}
		for _, file := range groupByFile(drafts) {
			n.dateListing(now, file, false)
		}
	case src.Feed:
		for _, d := range drafts {
			n.dateUpstream(src, now, d)
		}
	default:
		for _, file := range groupByFile(drafts) {
			n.dateListing(now, file, true)
		}
	}

	contradicted := 0
	items := make([]feeds.Item, len(drafts))
	for i, d := range drafts {
		if d.contradicted {
			contradicted++
		}
		it := &d.item
		it.FirstSeen = now
		if d.known != nil {
			it.FirstSeen = d.known.FirstSeen
			it.Slug = d.known.Slug
		}
		if !it.Updated.After(it.Published) {
			it.Updated = it.Published
		}
		it.Precision = d.precision()
		if it.Link == "" && it.Slug == "" {
			it.Slug = slugify(it.Title, it.ID)
		}
		it.Held = !src.Feed && d.embargoed(now)
		items[i] = *it
	}
	if n.opts.Contradicted != nil && !src.Partial {
		n.opts.Contradicted(src.Name, contradicted)
	}
	return items, errors.Join(errs...)
}

// firstEnclosure is the URL of the first enclosure: what names an episode
// that has nothing else.
func firstEnclosure(es []feeds.Enclosure) string {
	if len(es) == 0 {
		return ""
	}
	return es[0].URL
}

// storedItem finds the stored item of a draft whose title safeName cut:
// the one stored under the id the uncut title gave, else a stored item of
// the same file with the same link. Ids never change once published.
func storedItem(byID map[string]*feeds.Item, known []feeds.Item, d *draft, link string) *feeds.Item {
	if k := byID[d.storedID]; k != nil {
		return k
	}
	if link == "" {
		return nil
	}
	for i := range known {
		if k := &known[i]; k.File == d.item.File && k.Link != "" && feeds.CanonicalLink(k.Link) == link {
			return k
		}
	}
	return nil
}

// webHost is the host of an absolute http(s) URL, "" for anything else.
func webHost(s string) string {
	if httpOnly(s) == "" {
		return ""
	}
	u, _ := url.Parse(s) // httpOnly parsed it
	return u.Hostname()
}

// quotedID is " (id …)" for an id that is given, "" otherwise.
func quotedID(id string) string {
	if id = strings.TrimSpace(id); id == "" {
		return ""
	}
	return fmt.Sprintf(" (id %q)", cutRunes(id, 80))
}

// originMemo is the last Origin safeOrigin made safe, for the next story
// of the same feed, which shares it: its title is made text once per
// batch, not once per story.
type originMemo struct {
	raw, made *feeds.Origin
	html      bool
}

// safe is n.safeOrigin(o, isHTML), remembered.
func (m *originMemo) safe(n *Normalizer, o *feeds.Origin, isHTML bool) *feeds.Origin {
	if o == nil || o != m.raw || isHTML != m.html {
		m.raw, m.html, m.made = o, isHTML, n.safeOrigin(o, isHTML)
	}
	return m.made
}

// safeOrigin is o with its title made text (from HTML when isHTML) and cut
// by safeName, or its host when it has none, and its link written as a
// URI; o itself is shared by every story of its feed and left alone.
func (n *Normalizer) safeOrigin(o *feeds.Origin, isHTML bool) *feeds.Origin {
	if o == nil {
		return nil
	}
	title := ""
	if isHTML {
		title = safeName(htmlToText(n.strict, o.Title))
	} else {
		title = safeName(plainText(o.Title))
	}
	link := httpOnly(resolve(nil, o.Link))
	if title == "" {
		// An untitled upstream is known by its host, as a reader would
		// name it.
		title = cmp.Or(webHost(link), webHost(o.ID))
	}
	if title == o.Title && link == o.Link {
		return o
	}
	c := *o
	c.Title, c.Link = title, link
	return &c
}

// precision says how much of its date the story stated: a time, a day
// (explicit or written in its text), or nothing.
func (d *draft) precision() string {
	switch {
	case !d.exact.IsZero():
		return feeds.PrecisionExact
	case d.hasDay:
		return feeds.PrecisionDay
	}
	return feeds.PrecisionDerived
}

// embargoed reports whether a story-file item is held: dated after now by an
// explicit date (a stored item: held when it was stored). A day read from the
// text never holds a story back.
func (d *draft) embargoed(now time.Time) bool {
	if d.known != nil {
		return d.known.Held && d.item.Published.After(now)
	}
	return d.explicit && d.item.Published.After(now)
}

// ErrDuplicate is the reason a story-file story is skipped when an earlier
// story of the batch has its id or link but another body.
var ErrDuplicate = errors.New("normalize: duplicate story")

// appendDuplicate reports d, skipped because first has the same id or link
// ("what"), unless both carry the same body (the same story in two files) or
// they come from an upstream feed, whose repeats are the feed's affair.
func appendDuplicate(errs []error, src Source, first, d *draft, what, how string) []error {
	if src.Feed || first.item.Content == d.item.Content && first.item.Summary == d.item.Summary {
		return errs
	}
	at := first.item.File
	if first.line > 0 {
		at += ":" + strconv.Itoa(first.line)
	}
	msg := "same " + what + " as the story at " + at
	if how != "" {
		msg += " " + how
	}
	return append(errs, &sources.FileError{Path: d.item.File, Line: d.line, Err: fmt.Errorf("%w: %s", ErrDuplicate, msg)})
}

// seenYears returns, for a story file, the year (in the site zone) its
// listing was first seen: the earliest FirstSeen of its stored items; the
// year of now for a file with none.
func (n *Normalizer) seenYears(now time.Time, known []feeds.Item) func(file string) int {
	nowYear := now.In(n.opts.Zone).Year()
	years := make(map[string]int)
	for _, it := range known {
		if it.FirstSeen.IsZero() {
			continue
		}
		y := it.FirstSeen.In(n.opts.Zone).Year()
		if cur, ok := years[it.File]; !ok || y < cur {
			years[it.File] = y
		}
	}
	return func(file string) int { return cmp.Or(years[file], nowYear) }
}

// groupByFile splits drafts by story file, keeping the order files first
// appear in, each file's drafts ordered by position (top first).
func groupByFile(drafts []*draft) [][]*draft {
	index := make(map[string]int)
	var files [][]*draft
	for _, d := range drafts {
		i, ok := index[d.item.File]
		if !ok {
			i = len(files)
			index[d.item.File] = i
			files = append(files, nil)
		}
		files[i] = append(files[i], d)
	}
	for _, f := range files {
		slices.SortStableFunc(f, func(a, b *draft) int { return a.item.Position - b.item.Position })
	}
	return files
}

// draft builds everything of an item but its dates.
func (n *Normalizer) draft(src Source, now time.Time, s *sources.Story, seenYear int, origins *originMemo) (*draft, error) {
	d := &draft{line: s.Line}
	it := &d.item
	it.Source = src.Name
	it.File = s.File
	it.Position = s.Position

	// Names keep what their format says (HTML typed names decoded, plain
	// text literal) less any run that could script a page they are
	// inserted into; rawTitle is the title before that cut, for the ids
	// of items stored before it.
	rawTitle := ""
	if s.TitleHTML {
		rawTitle = htmlToText(n.strict, s.Title)
	} else {
		rawTitle = plainText(s.Title)
	}
	it.Title = safeName(rawTitle)
	it.Origin = origins.safe(n, s.Origin, s.OriginHTML)

	// Link: relative to the story's base, else the site.
	storyBase := n.parseBase(s.Base)
	linkBase := cmp.Or(storyBase, n.siteBase)
	it.Link = httpOnly(resolve(linkBase, s.Link))
	contentBase := linkBase
	if storyBase == nil && it.Link != "" {
		contentBase, _ = url.Parse(it.Link)
	}

	// The element holding the body may declare a base of its own.
	bodyBase := contentBase
	if b := n.parseBase(s.ContentBase); b != nil {
		bodyBase = b
	}

	var text, picture string // picture: the content's first
	switch {
	case strings.TrimSpace(s.Content) != "":
		it.Content, text, picture = contentHTML(&n.scratch, n.ugc, s.Content, bodyBase)
	case len(s.Text) > 0:
		it.Content, text = paragraphsHTML(s.Text)
	case s.SummaryHTML && strings.TrimSpace(s.Summary) != "":
		// An RSS item whose only body is its description: that HTML is the
		// story, as every reader shows it.
		it.Content, text, picture = contentHTML(&n.scratch, n.ugc, s.Summary, bodyBase)
	}
	summary := ""
	if s.SummaryHTML {
		summary = htmlToText(n.strict, s.Summary)
	} else {
		summary = plainText(s.Summary)
	}
	if summary == "" {
		summary = text
	}
	it.Summary = cutRunes(safeName(summary), n.opts.SummaryLen)

	for _, a := range s.Authors {
		p := feeds.Person{Name: safeName(plainText(a.Name)), Email: emailAddress(a.Email), URL: httpOnly(resolve(linkBase, a.URL))}
		if p != (feeds.Person{}) {
			it.Authors = append(it.Authors, p)
		}
	}
	for _, c := range s.Categories {
		if c = safeName(plainText(c)); c != "" && !slices.Contains(it.Categories, c) {
			it.Categories = append(it.Categories, c)
		}
	}
	// A story file's image is a path on the site (or an absolute URL); an
	// upstream's resolves as its other links do. With none declared, the
	// first picture of the content stands in.
	imageBase := contentBase
	if !src.Feed {
		imageBase = n.siteBase
	}
	it.Image = httpOnly(resolve(imageBase, s.Image))
	if it.Image == "" {
		it.Image = picture
	}
	for _, e := range s.Enclosures {
		if u := httpOnly(resolve(contentBase, e.URL)); u != "" {
			it.Enclosures = append(it.Enclosures, feeds.Enclosure{URL: u, Type: strings.TrimSpace(e.Type), Length: max(e.Length, 0)})
		}
	}

	// An upstream item may lack a title (RSS 2.0 with a description, JSON
	// Feed, microblogs, podcast episodes): it is kept untitled when it has
	// content, a summary, a link or an enclosure, and writers and pages
	// derive a display title (feeds.DisplayTitle). A story file must have
	// one.
	switch {
	case it.Title != "":
	case !src.Feed:
		return nil, ErrNoTitle
	case it.Content == "" && it.Summary == "" && it.Link == "" && len(it.Enclosures) == 0:
		return nil, ErrEmpty
	}

	body := text
	if body == "" {
		body = summary
	}
	if body == "" {
		body = it.Title
	}
	it.Language, d.contradicted = n.language(src, s.Language, s.FeedLanguage, body)
	it.TranslationKey = strings.TrimSpace(s.TranslationKey)
	it.Translations = translations(linkBase, it, s.Translations)

	published := s.Published.Truncate(time.Second)
	it.Updated = s.Updated.Truncate(time.Second)
	id := func(title, link string) string {
		if src.Page && link != "" {
			link = pageLinkKey(link)
		}
		if src.Feed {
			return n.upstreamID(src.Name, s.ID, link, cmp.Or(title, text, summary, it.Content, firstEnclosure(it.Enclosures)), published)
		}
		return n.tagID(src.Name, fileKey(s.ID, title))
	}
	it.ID = id(it.Title, it.Link)
	oldLink := it.Link
	if src.Feed && it.Link != "" && strings.TrimSpace(s.ID) == "" {
		oldLink = storedLink(linkBase, s.Link)
	}
	if rawTitle != it.Title || oldLink != it.Link {
		d.storedID = id(rawTitle, oldLink)
	}

	switch {
	case published.IsZero():
	case s.DateOnly:
		d.day, d.hasDay, d.explicit = civilOf(published), true, true
	default:
		d.exact, d.explicit = published, true
	}
	if (!src.Feed || src.Page) && !d.explicit {
		d.day, d.hasDay = textDay(civilOf(now.In(n.opts.Zone)), s.Year, seenYear, it.Title, text, s.DateText)
	}
	return d, nil
}

// translations are a story's own links to itself in other languages, kept
// when the tag is valid BCP 47 (written canonically) and the URL an
// absolute http(s) one: not the item's own language or link, and the
// first of each language only.
func translations(base *url.URL, it *feeds.Item, given []feeds.Translation) []feeds.Translation {
	var out []feeds.Translation
	for _, tr := range given {
		tag, err := canonicalLang(tr.Language)
		u := httpOnly(resolve(base, tr.URL))
		if err != nil || u == "" || u == it.Link || strings.EqualFold(tag, it.Language) ||
			slices.ContainsFunc(out, func(o feeds.Translation) bool { return strings.EqualFold(o.Language, tag) }) {
			continue
		}
		out = append(out, feeds.Translation{Language: tag, URL: u})
	}
	return out
}

// parseBase returns the story's base URL made absolute against the site, or
// nil when it has none.
func (n *Normalizer) parseBase(base string) *url.URL {
	base = strings.TrimSpace(base)
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil
	}
	if n.siteBase != nil {
		u = n.siteBase.ResolveReference(u)
	}
	if !u.IsAbs() {
		return nil
	}
	return u
}

// httpOnly keeps an absolute http(s) URL and drops anything else
// (javascript:, data:, relative links that had no base).
func httpOnly(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return ""
	}
	return s
}

// language picks, in order: the item's declared tag (when it is a valid
// BCP 47 tag); the detected language of body when the feed's declared tag
// contradicts its script (Latin text under a CJK tag, Han text under a
// Latin-script one); the feed's declared tag; the detected language; the
// source's default. contradicted reports the second case.
func (n *Normalizer) language(src Source, declared, feedDeclared, body string) (tag string, contradicted bool) {
	if src.Feed {
		// Feeds in the wild write locale names (fr_CA, zh_TW) where a tag
		// belongs; they mean the tag. Config and story files are ours, and
		// held to BCP 47.
		declared, feedDeclared = strings.ReplaceAll(declared, "_", "-"), strings.ReplaceAll(feedDeclared, "_", "-")
	}
	if declared != "" {
		if tag, err := canonicalLang(declared); err == nil {
			return tag, false
		}
	}
	detected := ""
	if n.det != nil {
		detected = n.det.Detect(body)
	}
	if feedDeclared != "" {
		if tag, err := canonicalLang(feedDeclared); err == nil {
			if contradicts(tag, detected) {
				return detected, true
			}
			return tag, false
		}
	}
	if detected != "" {
		return detected, false
	}
	if tag, err := canonicalLang(src.Language); err == nil {
		return tag, false
	}
	return src.Language, false
}
