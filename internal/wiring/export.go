package wiring

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
)

// ExportOPML is cfg's upstream subscriptions as an OPML 2.0 list
// (feedloom opml export), in config order: each feed source, and each
// opml source as a folder of the feeds its list names as the store knows
// them, in the list's folders. Story folders are no subscription. The
// store is only read; one that does not exist yet knows no list's feeds.
// A store that cannot be read is an error wrapping ErrStore.
func ExportOPML(ctx context.Context, cfg *config.Config) ([]byte, error) {
	var subs []sources.Subscription
	st, err := OpenStoreReadOnly(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("wiring: %w: %w", ErrStore, err)
	}
	if st != nil {
		defer st.Close()
		if subs, err = st.Subscriptions(ctx); err != nil {
			return nil, fmt.Errorf("wiring: %w: %w", ErrStore, err)
		}
	}
	var out []publish.Outline
	for _, s := range cfg.Sources {
		switch s.Kind {
		case "feed":
			out = append(out, publish.Outline{Text: s.Name, XMLURL: exportURL(s.URL)})
		case "opml":
			out = append(out, publish.Outline{Text: s.Name, Outlines: listOutlines(s.Name, subs)})
		}
	}
	owner := feeds.Person{Name: cfg.Site.Author.Name, Email: cfg.Site.Author.Email}
	return publish.SubscriptionList(cfg.Site.Title+" · subscriptions", owner, out)
}

// listOutlines are the feeds list names now, those outside any folder
// first, then one folder per category in the order the list first puts
// a feed in it.
func listOutlines(list string, subs []sources.Subscription) []publish.Outline {
	var top []publish.Outline
	var folders []publish.Outline
	at := map[string]int{}
	for _, sub := range subs {
		if sub.List != list || !sub.Active() {
			continue
		}
		title := sub.Title
		if title == "" {
			title = sub.Name
		}
		o := publish.Outline{Text: title, XMLURL: exportURL(sub.URL), HTMLURL: sub.Site}
		if sub.Category == "" {
			top = append(top, o)
			continue
		}
		i, ok := at[sub.Category]
		if !ok {
			i = len(folders)
			at[sub.Category] = i
			folders = append(folders, publish.Outline{Text: sub.Category})
		}
		folders[i].Outlines = append(folders[i].Outlines, o)
	}
	return append(top, folders...)
}

// exportURL is a feed's URL as another reader takes it: a local path as a
// file:// URL.
func exportURL(u string) string {
	if filepath.IsAbs(u) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(u)}).String()
	}
	return u
}
