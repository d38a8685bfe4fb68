// Package fidelity measures how faithfully feedloom reads the feeds people
// publish, with Python feedparser as the reference reader. It holds only a
// test: TestFidelity builds a corpus of real-world feed shapes (generated
// from a table, plus hand-written files in testdata/ modelled on what
// WordPress, Mastodon, micro.blog, Blogger, YouTube, GitHub and podcast
// hosts emit), serves each case over loopback HTTP, reads it through
// sources/feed and normalize as the scheduler does, reads the same bytes
// with feedparser (read.py, run once for the whole corpus), and compares
// entry by entry: kept, title, link, content text, absolute content links,
// dates, languages, and script-capable constructs left in feedloom's
// output. Run it with
//
//	go test ./internal/fidelity -run TestFidelity -v
//
// It needs /usr/bin/python3 with the feedparser module (Debian's
// python3-feedparser); without them it is skipped, unless FEEDLOOM_SAMPLES
// is set, as in CI, where their absence fails it.
package fidelity
