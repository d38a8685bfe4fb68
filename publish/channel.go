package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// subscriptionLister is a store that knows the feeds of list sources
// (OPML): a channel that names a list selects all its feeds.
type subscriptionLister interface {
	Subscriptions(ctx context.Context) ([]sources.Subscription, error)
}

// withListFeeds returns chans with every list source among their Sources
// replaced by the feeds the store knows for it, retired ones included
// (their items stay until retention takes them). chans is left alone.
func (p *Publisher) withListFeeds(ctx context.Context, chans []*Channel) ([]*Channel, error) {
	l, ok := p.r.(subscriptionLister)
	if !ok || !slices.ContainsFunc(chans, func(c *Channel) bool { return len(c.Sources) > 0 }) {
		return chans, nil
	}
	subs, err := l.Subscriptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("publish: read the feeds of list sources: %w", err)
	}
	feedsOf := map[string][]string{}
	for _, s := range subs {
		feedsOf[s.List] = append(feedsOf[s.List], s.Name)
	}
	out := make([]*Channel, len(chans))
	for i, c := range chans {
		out[i] = c
		var expanded []string
		for _, name := range c.Sources {
			expanded = append(expanded, name)
			expanded = append(expanded, feedsOf[name]...)
		}
		if len(expanded) != len(c.Sources) {
			cp := *c
			cp.Sources, cp.listed = expanded, c.Sources
			out[i] = &cp
		}
	}
	return out, nil
}

// Channel is a feed set that chooses what it publishes: the items of some
// languages, sources and categories whose title or summary matches.
type Channel struct {
	Name       string   // its folder is channels/<name>/ and its embed page embed/<name>.html
	Title      string   // feed title
	Languages  []string // tags (RFC 4647 basic filtering); nil for all
	Sources    []string // source names; nil for all
	Categories []string // any of them, compared by feeds.CategoryKey; nil for any
	Include    []Rule   // any of them on title and summary; nil for all
	Exclude    []Rule   // none of them
	Content    string   // "summary" or "headlines" trim the items; anything else is "full"
	// listed are Sources as configured when they name list sources, whose
	// feeds Sources then holds too; nil otherwise. Archives are cut by the
	// configured selection, which a list's changes do not move.
	listed   []string
	MaxItems int // 0 means Options.MaxItems
}

// Rule is an include or exclude rule of a channel; String is how it was
// written, which the manifest's fingerprint records.
type Rule interface {
	Matches(text string) bool
	String() string
}

// headlineSummary is the most a headlines channel says of an item.
const headlineSummary = 200

// channelScan is how many more items than it needs a channel reads at
// first, and each time it needs more: filters that keep one item in many
// read a few windows, not the store.
const channelScan = 4

// selects reports whether ch publishes it; categories are ch.Categories
// as feeds.CategoryKey folds them, worked out once per read.
func (ch *Channel) selects(it *feeds.Item, categories []string) bool {
	if len(ch.Languages) > 0 && !slices.ContainsFunc(ch.Languages, func(tag string) bool { return feeds.MatchLang(it.Language, tag) }) {
		return false
	}
	if len(ch.Sources) > 0 && !slices.Contains(ch.Sources, it.Source) {
		return false
	}
	if len(categories) > 0 && !slices.ContainsFunc(it.Categories, func(c string) bool {
		return slices.Contains(categories, feeds.CategoryKey(c))
	}) {
		return false
	}
	text := it.Title + "\n" + it.Summary
	if len(ch.Include) > 0 && !slices.ContainsFunc(ch.Include, func(r Rule) bool { return r.Matches(text) }) {
		return false
	}
	return !slices.ContainsFunc(ch.Exclude, func(r Rule) bool { return r.Matches(text) })
}

// channelItems reads the newest items ch selects, newest first: a window
// of the store's newest items (of its language or source when it names
// one), widened until it holds enough or the store has no more. The
// windows are read without content (and without text unless ch has rules
// on words), since a narrow channel may look at much of the store; only
// the items it selects are read whole.
func (p *Publisher) channelItems(ctx context.Context, ch *Channel) ([]feeds.Item, error) {
	want := ch.MaxItems
	if want <= 0 {
		want = p.opts.MaxItems
	}
	q := store.Query{Limit: want * channelScan, Sparse: true}
	if len(ch.Include)+len(ch.Exclude) > 0 {
		q.Sparse, q.NoContent = false, true
	}
	if len(ch.Languages) == 1 {
		q.Language = ch.Languages[0]
	}
	if len(ch.Sources) == 1 {
		q.Source = ch.Sources[0]
	}
	var categories []string
	for _, c := range ch.Categories {
		categories = append(categories, feeds.CategoryKey(c))
	}
	for {
		items, err := p.r.Items(ctx, q)
		if err != nil {
			return nil, err
		}
		ids := []string{}
		for i := range items {
			if ch.selects(&items[i], categories) {
				if ids = append(ids, items[i].ID); len(ids) == want {
					break
				}
			}
		}
		if len(ids) < want && len(items) == q.Limit {
			q.Limit *= channelScan
			continue
		}
		// Read in the same order as the windows: newest first, then by id.
		whole, err := p.r.Items(ctx, store.Query{IDs: ids})
		if err != nil {
			return nil, err
		}
		for i := range whole {
			whole[i] = ch.trim(whole[i])
		}
		return whole, nil
	}
}

// trim cuts an item down to what ch's content mode carries: "summary"
// drops the story's text; "headlines" keeps the title, link, date, image
// and a short summary.
func (ch *Channel) trim(it feeds.Item) feeds.Item {
	switch ch.Content {
	case "summary":
		it.Content = ""
	case "headlines":
		it.Content = ""
		it.Summary = cutText(it.Summary, headlineSummary)
		it.Authors, it.Categories, it.Enclosures = nil, nil, nil
	}
	return it
}

// cutText shortens s to at most n characters, ending in "…" when cut, at a
// space when one falls in the last quarter.
func cutText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))*3/4 {
		return strings.TrimRight(string(r)[:i], " ") + "…"
	}
	return string(r) + "…"
}

// categorySlugsKey is the store value that holds every category's slug,
// by feeds.CategoryKey.
const categorySlugsKey = "category-slugs"

// assignSlugs gives every category of cats without a slug in slugs (by
// feeds.CategoryKey) its own: feeds.CategorySlug, or with -2, -3 when
// another category holds that already. It reports whether it gave any.
func assignSlugs(slugs map[string]string, cats []string) bool {
	taken := make(map[string]bool, len(slugs))
	for _, s := range slugs {
		taken[s] = true
	}
	added := false
	for _, c := range cats {
		key := feeds.CategoryKey(c)
		if _, ok := slugs[key]; ok {
			continue
		}
		slug := feeds.CategorySlug(c)
		for n := 2; taken[slug]; n++ {
			slug = fmt.Sprintf("%s-%d", feeds.CategorySlug(c), n)
		}
		slugs[key], taken[slug], added = slug, true, true
	}
	return added
}

// resolveSlugs settles the categories' slugs once per Publisher: from the
// store when it keeps values, so that a category keeps its folder however
// the list is reordered or grows and every node agrees on a clash; else
// in the order the categories are listed.
func (p *Publisher) resolveSlugs(ctx context.Context) error {
	p.slugsMu.Lock()
	defer p.slugsMu.Unlock()
	if p.categories != nil || len(p.opts.Categories) == 0 {
		return nil
	}
	values, ok := p.r.(valueStore)
	if !ok {
		slugs := map[string]string{}
		assignSlugs(slugs, p.opts.Categories)
		p.categories = p.categoryChannels(slugs)
		return nil
	}
	// A second round reads what another node saved first.
	for range 2 {
		old, found, err := values.Value(ctx, categorySlugsKey)
		if err != nil {
			return fmt.Errorf("publish: read the category slugs: %w", err)
		}
		slugs := map[string]string{}
		if found {
			if err := json.Unmarshal([]byte(old), &slugs); err != nil {
				return fmt.Errorf("publish: read the category slugs: %w", err)
			}
		}
		if !assignSlugs(slugs, p.opts.Categories) {
			p.categories = p.categoryChannels(slugs)
			return nil
		}
		b, err := json.Marshal(slugs) // keys in order: the same text on every node
		if err != nil {
			return fmt.Errorf("publish: save the category slugs: %w", err)
		}
		if !found {
			old = ""
		}
		saved, err := values.SwapValue(ctx, categorySlugsKey, old, string(b))
		if err != nil {
			return fmt.Errorf("publish: save the category slugs: %w", err)
		}
		if saved {
			p.categories = p.categoryChannels(slugs)
			return nil
		}
	}
	return errors.New("publish: the category slugs changed twice while being saved; try again")
}

// categoryChannels are output.categories as channels: one per category and
// language, under <language folder>/categories/<slug>/, slugs by
// feeds.CategoryKey.
func (p *Publisher) categoryChannels(slugs map[string]string) []categoryChannel {
	var out []categoryChannel
	for _, l := range p.opts.Languages {
		for _, c := range p.opts.Categories {
			slug := slugs[feeds.CategoryKey(c)]
			title := l.Title
			if title == "" {
				title = p.opts.Title
			}
			out = append(out, categoryChannel{
				dir: feeds.LangFolder(l.Tag) + "/categories/" + slug + "/",
				Channel: Channel{
					Name: c, Title: title + " — " + c, Languages: []string{l.Tag}, Categories: []string{c},
					MaxItems: l.MaxItems,
				},
			})
		}
	}
	return out
}

// categoryChannel is a category channel and its folder.
type categoryChannel struct {
	Channel
	dir string
}
