package publish

import (
	"bytes"
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// job renders one output file. cost is about how many items it shows, so
// that the largest files start first and no long render is left to run
// alone at the end.
type job struct {
	cost   int
	render func() (file, error)
}

// render produces every output file in the order they are written: the
// stylesheet and the story pages before the feeds that point at them, the
// merged feed after the language feeds, the index last. unlinked are the
// released items without a link of their own, newest first, and newestAll
// the newest time of every released item. pages holds the story page file
// names (slug + ".html") that must exist; files[:1+len(pages)] are the
// stylesheet and those pages. The files are rendered on every core, and
// come out the same as one by one.
func (p *Publisher) render(unlinked []feeds.Item, newestAll time.Time, sets []feedSet) (files []file, pages []string, err error) {
	jobs := []job{{cost: 1, render: func() (file, error) {
		return file{path: stylesheetFile, data: stylesheet(), mod: newestAll}, nil
	}}}

	for _, it := range storyItems(unlinked) {
		pages = append(pages, pageSlug(it)+".html")
		jobs = append(jobs, job{cost: 1, render: func() (file, error) { return p.renderStory(it) }})
	}

	origins := sourceUpdated(unlinked, sets)
	order := append(slices.Clone(sets[1:]), sets[0])
	for _, s := range order {
		for _, fm := range p.formats {
			jobs = append(jobs, job{cost: len(s.items) + 1, render: func() (file, error) {
				return p.renderFeed(s, sets, fm, newestAll, origins)
			}})
		}
	}

	jobs = append(jobs,
		job{cost: indexHeadings * len(sets), render: func() (file, error) {
			data, err := p.renderOPML(sets)
			return file{path: opmlFile, data: data, mod: newestAll}, err
		}},
		job{cost: indexHeadings * len(sets), render: func() (file, error) {
			data, err := p.renderIndex(sets)
			return file{path: indexFile, data: data, mod: newestAll}, err
		}},
	)
	files, err = runJobs(jobs)
	if err != nil {
		return nil, nil, err
	}
	return files, pages, nil
}

// renderFeed renders one feed set in one format; origins is
// feeds.Feed.SourceUpdated, shared by every feed and only read.
func (p *Publisher) renderFeed(s feedSet, sets []feedSet, fm format, newestAll time.Time, origins map[string]time.Time) (file, error) {
	feed := p.feed(s, sets, fm, newestAll)
	feed.SourceUpdated = origins
	// The writers build the document in memory and hand it over in one
	// Write, so the buffer is allocated once, at its size.
	var buf bytes.Buffer
	if err := fm.write(&buf, feed); err != nil {
		return file{}, fmt.Errorf("publish: render %s%s: %w", s.dir, fm.file, err)
	}
	return file{path: s.dir + fm.file, data: buf.Bytes(), mod: feed.Updated}, nil
}

// runJobs renders every job, on as many goroutines as Go runs at once,
// largest first, and returns their files in job order. The error of the
// first failed job in job order wins.
func runJobs(jobs []job) ([]file, error) {
	files := make([]file, len(jobs))
	errs := make([]error, len(jobs))
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(jobs[b].cost, jobs[a].cost) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= len(order) {
					return
				}
				i := order[n]
				files[i], errs[i] = jobs[i].render()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}
