package publish

import _ "embed"

// feedXSL renders RSS 2.0 and Atom 1.0 files as a page for people who open
// a feed in a browser. It is XSLT 1.0 with output method html, the most
// that browsers' built-in XSLT engines (libxslt in Chromium) support. A
// string, so the embedded text cannot be altered.
//
//go:embed feed.xsl
var feedXSL string

func stylesheet() []byte { return []byte(feedXSL) }
