package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// A list source (kind opml) names feeds, and each becomes a source of its
// own: Job.Feeds makes its job from the store's subscription, which gave
// it its name. The list's refresh stores what it names (store.Batch.List);
// RunOnce then refreshes the feeds the store knows, and Run adds and
// retires them as the list changes. A refresh of a list that failed, or
// that was not modified, changes no subscription.

// listing is this process's copy of the store's subscriptions, by list,
// safe for concurrent use. A listed feed's refresh reads its folder here,
// so a feed moved to another folder takes the new one at its next
// refresh without a new job.
type listing struct {
	mu      sync.Mutex
	byList  map[string][]sources.Subscription
	folder  map[string]string // feed source name → the folder the list puts it in
	clashed map[string]bool   // names left out for a configured source's, logged once
}

// load replaces the copy with the store's.
func (ls *listing) load(ctx context.Context, st store.Store) error {
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("%w: subscriptions: %w", ErrStore, err)
	}
	// A list's subscriptions come one after the other: each list takes
	// its run of subs rather than a copy (100,000 of them are 14 MB).
	byList := map[string][]sources.Subscription{}
	folder := map[string]string{}
	for i := 0; i < len(subs); {
		j := i + 1
		for j < len(subs) && subs[j].List == subs[i].List {
			j++
		}
		if run, list := subs[i:j:j], subs[i].List; byList[list] == nil {
			byList[list] = run
		} else {
			byList[list] = slices.Clip(append(byList[list], run...))
		}
		i = j
	}
	for _, s := range subs {
		if s.Category != "" {
			folder[s.Name] = s.Category
		}
	}
	ls.mu.Lock()
	ls.byList, ls.folder = byList, folder
	ls.mu.Unlock()
	return nil
}

// of returns list's subscriptions, in the store's order. They are shared,
// not copied: load replaces them whole and never changes them, and their
// capacity ends with them, so an append copies.
func (ls *listing) of(list string) []sources.Subscription {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.byList[list]
}

// category is the folder the list puts the feed source name in; "" for
// none, and for a source no list names.
func (ls *listing) category(name string) string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.folder[name]
}

// clash reports whether name is newly found taken by a configured source,
// so that it is logged once, not at every sync.
func (ls *listing) clash(name string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.clashed[name] {
		return false
	}
	if ls.clashed == nil {
		ls.clashed = map[string]bool{}
	}
	ls.clashed[name] = true
	return true
}

// expand is jobs with each list followed by the jobs of the feeds it
// names now, as the store knows them, so that config order (which decides
// who keeps a story two sources carry) puts a list's feeds where the list
// is. A listed feed whose name a configured source has is left out: that
// name was the configured source's first.
func (s *Scheduler) expand(jobs []Job) []Job {
	out := make([]Job, 0, len(jobs))
	for _, job := range jobs {
		out = append(out, job)
		out = s.appendListed(out, job)
	}
	return out
}

// listedJobs are the jobs of the feeds list names now; none when list is
// not a list.
func (s *Scheduler) listedJobs(list Job) []Job {
	return s.appendListed(nil, list)
}

// appendListed appends listedJobs(list) to jobs: expand builds one slice,
// not one per list, 100,000 jobs being 13 MB.
func (s *Scheduler) appendListed(jobs []Job, list Job) []Job {
	if list.Feeds == nil {
		return jobs
	}
	for _, sub := range s.listed.of(list.Source.Name()) {
		if !sub.Active() {
			continue
		}
		if slices.Contains(s.reserved, sub.Name) {
			// The list named it before the configured source was added.
			if s.listed.clash(sub.Name) {
				s.log.Error("listed feed left out: a configured source has its name", "source", list.Source.Name(),
					"name", sub.Name, "url", sources.RedactURL(sub.URL))
			}
			continue
		}
		job := list.Feeds(sub)
		job.List = list.Source.Name()
		jobs = append(jobs, job)
	}
	return jobs
}

// folder is the folder a listed feed's list puts it in; "" for a feed no
// list names.
func (s *Scheduler) folder(job Job) string {
	if job.List == "" {
		return ""
	}
	return s.listed.category(job.Source.Name())
}

// addFolder gives each story of a listed feed its folder (folder), as a
// category, unless it has that category already.
func addFolder(cat string, stories []sources.Story) {
	if cat == "" {
		return
	}
	for i := range stories {
		has := slices.ContainsFunc(stories[i].Categories, func(c string) bool { return strings.EqualFold(c, cat) })
		if !has {
			stories[i].Categories = append(slices.Clip(stories[i].Categories), cat)
		}
	}
}

// listBatch is what a list's answer stores: the feeds it names, which the
// configured sources' names are kept from.
func (s *Scheduler) listBatch(listed []sources.Listed, now time.Time) *store.List {
	return &store.List{Feeds: listed, Reserved: s.reserved, At: now}
}

// afterList brings this process's copy of the subscriptions up to date
// after a check of list was stored, and prunes the items of the feeds list
// retired by its retention: a retired feed is never refreshed, so its own
// refreshes cannot prune it. It returns how many items it pruned.
//
// A check that stored no subscription (listed false: the list was not
// modified) leaves the copy as it is: reading 100,000 subscriptions again
// was 2 % of the CPU of a pass of 304s. What another process stored
// meanwhile is read at the next sync (Options.ReleaseEvery), as when this
// process stores nothing.
func (s *Scheduler) afterList(ctx context.Context, list Job, listed bool, now time.Time) (int, error) {
	if listed {
		if err := s.listed.load(ctx, s.store); err != nil {
			return 0, err
		}
	}
	r := list.Retention
	if r.MaxAge <= 0 && r.MaxItems <= 0 {
		return 0, nil
	}
	pruned := 0
	for _, sub := range s.listed.of(list.Source.Name()) {
		if sub.Active() || slices.Contains(s.reserved, sub.Name) {
			continue
		}
		done, err := s.store.Apply(ctx, sub.Name, store.Batch{Retain: retain(r, nil, nil, now)})
		if err != nil {
			return pruned, fmt.Errorf("%w: retired source %q: %w", ErrStore, sub.Name, err)
		}
		pruned += done.Pruned
	}
	return pruned, nil
}

// syncLists brings Run's sources in line with the store's subscriptions:
// the feeds a list names now are added, those it retired are retired. It
// runs after this process stored a list, and every ReleaseEvery, for the
// lists that another process (a cron build, another node) refreshed.
func (l *loop) syncLists(reload bool) {
	s := l.s
	if l.ctx.Err() != nil {
		return
	}
	if reload {
		if err := s.listed.load(l.ctx, s.store); err != nil {
			if l.ctx.Err() == nil {
				s.log.Error("subscriptions not read", "err", err)
			}
			return
		}
	}
	for _, list := range s.jobs {
		if list.Feeds == nil {
			continue
		}
		want := s.listedJobs(list)
		wanted := make(map[string]bool, len(want))
		for _, job := range want {
			wanted[job.Source.Name()] = true
		}
		for _, e := range l.snapshot() {
			if e.job.List == list.Source.Name() && !wanted[e.name()] && l.retire(e.name()) {
				s.log.Info("listed feed retired: the list no longer names it", "source", e.name(), "list", list.Source.Name())
			}
		}
		for _, job := range want {
			if l.entry(job.Source.Name()) != nil {
				continue
			}
			if err := l.add(job); err != nil {
				s.log.Error("listed feed not added", "source", job.Source.Name(), "err", err)
				continue
			}
			s.log.Info("listed feed added", "source", job.Source.Name(), "list", list.Source.Name())
		}
	}
}
