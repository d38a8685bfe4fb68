package normalize

import (
	"time"
)

// dateUpstream dates an item of an upstream feed: its explicit date (a date
// more than a day ahead of now is a clock error and becomes now; a day-only
// date is midnight in the source's zone), else now minus one second per
// position, so that the feed's own order holds.
func (n *Normalizer) dateUpstream(src Source, now time.Time, d *draft) {
	if d.known != nil {
		d.item.Published = d.known.Published
		// A stored item's update date more than a day ahead is the same
		// clock error as on its first run: keep what was stored then, or
		// the item would jump ahead and rewrite the feeds on every run.
		if d.item.Updated.After(now.Add(24 * time.Hour)) {
			d.item.Updated = d.known.Updated
		}
		return
	}
	zone := src.Zone
	if zone == nil {
		zone = n.opts.Zone
	}
	// A date from before there were feeds is a placeholder (year 1, the
	// Unix epoch) or a typo, not when the item was published: the item is
	// dated as an undated one, and such an update date is dropped.
	if !d.exact.IsZero() && d.exact.Before(plausibleFrom) || d.exact.IsZero() && d.hasDay && d.day.midnight(zone).Before(plausibleFrom) {
		d.exact, d.day, d.hasDay = time.Time{}, civil{}, false
	}
	if d.item.Updated.Before(plausibleFrom) {
		d.item.Updated = time.Time{}
	}
	var t time.Time
	switch {
	case !d.exact.IsZero():
		t = d.exact
	case d.hasDay:
		t = d.day.midnight(zone)
	default:
		t = now.Add(-time.Duration(d.item.Position) * time.Second)
		d.firstSeen = true
	}
	if t.After(now.Add(24 * time.Hour)) {
		t = now
	}
	if up := d.item.Updated; up.After(now.Add(24 * time.Hour)) {
		d.item.Updated = now
	}
	d.item.Published = t
}

// plausibleFrom is the earliest date an upstream item may have been
// published: the W3C feed validator's, which calls earlier ones implausible.
var plausibleFrom = time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)

// dateListing dates the stories of one story file, top first.
//
// A story embargoed by an explicit date after now keeps that date (a
// day-only one: midnight, a minute more for each embargoed story of that day
// below it) and takes no part in what follows: its neighbours are dated as if
// it were not there, so that it never carries them past now. A stored story
// still held takes the explicit date its story gives now (the embargo was
// moved); once released, its date never changes.
//
// On a file's first sight (no story known):
//  1. a story with a stated day (explicit day-only date or one written in its
//     text) gets that day; an explicit date with a time is kept exactly;
//  2. an undated story takes the day of the nearest dated story below it,
//     else of the nearest above, else the day of now;
//  3. the listing is newest first: a day later than the day of the story
//     above takes that day (an explicit date is still kept as given); then,
//     within one day, the lowest story gets 00:00:00 site time and each one
//     above it a minute more (exact times are not counted).
//
// Later, stored stories never move and new ones are fitted around them:
//   - above every stored story: undated stories at the very top get their
//     first-seen time (now, now-1s, …); the rest of that block follows rules
//     1-3; all of it is bumped to stay strictly later than the story below
//     (by a minute, or a second for first-seen times);
//   - between two stored stories: the gap is split evenly, to the second;
//   - below every stored story: rules 1-3, stepped a minute below the story
//     above where needed.
//
// Without embargo (a page), no story is held: a date ahead of now is kept
// as upstream dates are (clampAhead has made those more than a day ahead
// now).
func (n *Normalizer) dateListing(now time.Time, all []*draft, embargo bool) {
	zone := n.opts.Zone
	today := civilOf(now.In(zone))
	ds := make([]*draft, 0, len(all))
	var held []*draft
	for _, d := range all {
		switch {
		case d.known != nil:
			d.item.Published = d.known.Published
			if embargo && d.known.Held && d.explicit {
				d.item.Published = d.explicitTime(zone)
			}
			if d.known.Held && d.item.Published.After(now) {
				held = append(held, d)
				continue
			}
		case embargo && d.explicit && d.explicitTime(zone).After(now):
			held = append(held, d)
			continue
		case !d.exact.IsZero():
			d.item.Published = d.exact.In(zone)
		}
		ds = append(ds, d)
	}
	n.dateHeld(held)

	first, last := -1, -1
	for i, d := range ds {
		if d.known != nil {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		n.assignDays(ds, today)
		return
	}

	// Above every stored story.
	top := ds[:first]
	lead := 0
	for lead < len(top) && top[lead].exact.IsZero() && !top[lead].hasDay {
		top[lead].item.Published = now.Add(-time.Duration(lead) * time.Second)
		top[lead].firstSeen = true
		lead++
	}
	n.assignDays(top[lead:], today)
	lower := ds[first].item.Published
	for i := len(top) - 1; i >= 0; i-- {
		d := top[i]
		if !d.exact.IsZero() {
			lower = later(lower, d.item.Published)
			continue
		}
		step := time.Minute
		if d.firstSeen {
			step = time.Second
		}
		if !d.item.Published.After(lower) {
			d.item.Published = lower.Add(step)
		}
		lower = d.item.Published
	}

	// Between stored stories.
	above := first
	for i := first + 1; i <= last; i++ {
		if ds[i].known == nil {
			continue
		}
		n.splitGap(ds[above+1:i], ds[above].item.Published, ds[i].item.Published)
		above = i
	}

	// Below every stored story.
	bottom := ds[last+1:]
	n.assignDays(bottom, today)
	upper := ds[last].item.Published
	for _, d := range bottom {
		if !d.exact.IsZero() {
			upper = earlier(upper, d.item.Published)
			continue
		}
		if !d.item.Published.Before(upper) {
			d.item.Published = upper.Add(-time.Minute)
		}
		upper = d.item.Published
	}
}

// clampAhead makes an explicit date more than a day ahead of now the time
// now, as dateUpstream does for a feed's: a clock error, not an embargo.
func (d *draft) clampAhead(now time.Time, zone *time.Location) {
	if d.explicit && d.explicitTime(zone).After(now.Add(24*time.Hour)) {
		d.exact, d.day, d.hasDay = now, civil{}, false
	}
}

// explicitTime is the story's explicit date: its time, or midnight of its
// day in zone.
func (d *draft) explicitTime(zone *time.Location) time.Time {
	if d.exact.IsZero() {
		return d.day.midnight(zone)
	}
	return d.exact.In(zone)
}

// dateHeld dates embargoed stories by their explicit dates, a day-only date
// at midnight plus a minute per embargoed story of that day below it. A
// stored story whose story no longer gives a date keeps the stored one.
func (n *Normalizer) dateHeld(ds []*draft) {
	rank := make(map[civil]int)
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		switch {
		case !d.explicit:
		case d.exact.IsZero():
			d.item.Published = d.day.midnight(n.opts.Zone).Add(time.Duration(rank[d.day]) * time.Minute)
			rank[d.day]++
		default:
			d.item.Published = d.exact.In(n.opts.Zone)
		}
	}
}

// assignDays applies rules 1-3 of dateListing to a block of new stories.
func (n *Normalizer) assignDays(ds []*draft, fallback civil) {
	zone := n.opts.Zone
	days := make([]civil, len(ds))
	dated := make([]bool, len(ds))
	for i, d := range ds {
		switch {
		case !d.exact.IsZero():
			days[i], dated[i] = civilOf(d.exact.In(zone)), true
		case d.hasDay:
			days[i], dated[i] = d.day, true
		}
	}
	for i := range ds {
		if dated[i] {
			continue
		}
		days[i] = fallback
		if j := nearestDated(dated, i); j >= 0 {
			days[i] = days[j]
		}
	}
	// A stated day out of the listing's order (an anniversary, a date
	// quoted from the past) yields to the order.
	for i := 1; i < len(days); i++ {
		if days[i].after(days[i-1]) {
			days[i] = days[i-1]
		}
	}
	rank := make(map[civil]int)
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if !d.exact.IsZero() {
			continue
		}
		day := days[i]
		if d.explicit {
			day = d.day
		}
		d.item.Published = day.midnight(zone).Add(time.Duration(rank[day]) * time.Minute)
		rank[day]++
	}
}

// nearestDated is the index of the nearest dated story below i, else above
// it, else -1.
func nearestDated(dated []bool, i int) int {
	for j := i + 1; j < len(dated); j++ {
		if dated[j] {
			return j
		}
	}
	for j := i - 1; j >= 0; j-- {
		if dated[j] {
			return j
		}
	}
	return -1
}

// splitGap spreads the new stories between two stored ones (hi above, lo
// below) evenly over the gap, to the second. Exact explicit times are kept.
func (n *Normalizer) splitGap(ds []*draft, hi, lo time.Time) {
	k := 0
	for _, d := range ds {
		if d.exact.IsZero() {
			k++
		}
	}
	a, b := hi.Unix(), lo.Unix()
	i := k
	for _, d := range ds {
		if !d.exact.IsZero() {
			continue
		}
		d.item.Published = time.Unix(b+(a-b)*int64(i)/int64(k+1), 0).In(n.opts.Zone)
		i--
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
