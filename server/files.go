package server

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serveFile answers a request for a file of the output folder. Malformed
// paths (dot segments, empty segments, backslashes, NUL, encoded slashes)
// are 400; dotfiles and dot-folders (the publisher's temporary files),
// folders without index.html, non-regular files and anything outside the
// folder, symlinks included, are 404. Conditional and Range requests are
// left to http.ServeContent.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request) {
	rel, code := cleanPath(r)
	switch code {
	case 0:
	case http.StatusNotFound:
		http.NotFound(w, r)
		return
	case http.StatusMovedPermanently:
		// rel is the clean absolute path; a query goes along.
		if r.URL.RawQuery != "" {
			rel += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", rel)
		w.WriteHeader(code)
		return
	default:
		http.Error(w, http.StatusText(code), code)
		return
	}
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		h.refuse(w, r, ".", err)
		return
	}
	defer root.Close()

	name := rel
	if rel == "" || strings.HasSuffix(rel, "/") {
		name = rel + "index.html"
	}
	feedFile := viewable[path.Base(name)]
	if feedFile && r.Header.Get("Sec-Fetch-Dest") == "document" {
		// A browser navigating to a feed: the folder's page of it, when
		// the publisher wrote one. Feed readers, curl and scripts' fetch
		// send no such header, or another destination.
		if view := path.Join(path.Dir(name), viewFile); isFile(root, view) {
			name = view
		}
	}
	// Stat before opening: opening a FIFO someone left in the folder would block.
	fi, err := root.Stat(filepath.FromSlash(name))
	switch {
	case err != nil:
		h.refuse(w, r, name, err)
		return
	case fi.IsDir():
		h.serveDir(w, r, root, name)
		return
	case !fi.Mode().IsRegular():
		http.NotFound(w, r)
		return
	}
	f, err := root.Open(filepath.FromSlash(name))
	if err != nil {
		h.refuse(w, r, name, err)
		return
	}
	defer f.Close()
	// The descriptor's own metadata, not the earlier Stat's: the file may
	// have been replaced in between, and the version must match the bytes.
	if fi, err = f.Stat(); err != nil {
		h.fail(w, name, err)
		return
	}
	k := kindOf(name)
	if k.html && h.opts.DevBaseURL != "" {
		h.serveDev(w, r, f, fi)
		return
	}
	v, err := h.versions.load(name, f, fi, k.compress)
	if err != nil {
		h.fail(w, name, err)
		return
	}

	hd := w.Header()
	switch {
	case feedFile:
		// The same URL answers a feed or its page by Sec-Fetch-Dest.
		hd.Set("Vary", "Sec-Fetch-Dest, Accept, Accept-Encoding")
	case k.compress:
		hd.Set("Vary", "Accept-Encoding")
	}
	hd.Set("Content-Type", k.contentType)
	hd.Set("Cache-Control", h.cacheControl(name, k))
	if k.feed {
		hd.Set("Access-Control-Allow-Origin", "*")
	}
	if v.gzip != nil && acceptsGzip(r.Header.Values("Accept-Encoding")) {
		hd.Set("Etag", v.etag(true))
		http.ServeContent(gzipLabel{w}, r, "", fi.ModTime(), bytes.NewReader(v.gzip))
		return
	}
	hd.Set("Etag", v.etag(false))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// gzipLabel adds Content-Encoding: gzip to a response that carries the
// gzipped bytes (200, 206) and not to a 304 or an error. Set before
// http.ServeContent, the header would make it drop Content-Length, which it
// leaves to wrappers that compress on the fly; these bytes are already
// compressed, so the length it computes is right.
type gzipLabel struct{ http.ResponseWriter }

func (g gzipLabel) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		g.Header().Set("Content-Encoding", "gzip")
	}
	g.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (g gzipLabel) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// viewFile is the page of a feed folder that the publisher writes for
// people (publish: feed.html), shown instead of the folder's viewable
// feeds to a browser navigating to them.
const viewFile = "feed.html"

var viewable = map[string]bool{"rss.xml": true, "atom.xml": true, "feed.json": true}

// isFile reports whether name is a regular file in root.
func isFile(root *os.Root, name string) bool {
	fi, err := root.Stat(filepath.FromSlash(name))
	return err == nil && fi.Mode().IsRegular()
}

// serveDir answers a path that names a folder: with its index.html when the
// path ends in a slash, with a redirect to the slash form when the folder
// has one (so relative links in it resolve), and with 404 otherwise. It
// never lists a folder.
func (h *handler) serveDir(w http.ResponseWriter, r *http.Request, root *os.Root, name string) {
	if strings.HasSuffix(name, "/index.html") || name == "index.html" {
		http.NotFound(w, r) // index.html is itself a folder
		return
	}
	fi, err := root.Stat(filepath.FromSlash(name + "/index.html"))
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	// Relative, like http.FileServer, so a path prefix added by a proxy survives.
	w.Header().Set("Location", path.Base(name)+"/")
	w.WriteHeader(http.StatusMovedPermanently)
}

// refuse answers 404 for a file that cannot be served. A missing file is
// routine; anything else (a symlink out of the folder, a permission error)
// is logged, since it points at a folder that is not what the publisher wrote.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, name string, err error) {
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		h.log.Warn("file refused", "path", name, "err", err)
	}
	http.NotFound(w, r)
}

// fail answers 500 for a file that was found but could not be read.
func (h *handler) fail(w http.ResponseWriter, name string, err error) {
	h.log.Error("file unreadable", "path", name, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// cleanPath checks the request path and returns it relative to the folder,
// in slash form, with a trailing slash kept ("" for the root). A non-zero
// code rejects the request, or, for 301, sends it to the clean absolute
// path it returns. The checks are lexical; os.Root then refuses
// whatever still resolves outside the folder.
func cleanPath(r *http.Request) (rel string, code int) {
	p := r.URL.Path
	raw := strings.ToLower(r.URL.EscapedPath())
	switch {
	case !strings.HasPrefix(p, "/"):
		return "", http.StatusBadRequest
	case strings.ContainsAny(p, "\\\x00"):
		return "", http.StatusBadRequest
	// An encoded slash would split a segment after the checks below saw it whole.
	case strings.Contains(raw, "%2f"), strings.Contains(raw, "%5c"), strings.Contains(raw, "%00"):
		return "", http.StatusBadRequest
	}
	rel = p[1:]
	trimmed := strings.TrimSuffix(rel, "/")
	if trimmed == "" {
		if rel != "" {
			return "/", http.StatusMovedPermanently // "//": harmless, and a typo's
		}
		return "", 0
	}
	code = 0
	for seg := range strings.SplitSeq(trimmed, "/") {
		switch {
		case seg == "..":
			return "", http.StatusBadRequest // climbing: nothing to find there
		case seg == "", seg == ".":
			// "/en//rss.xml", "/./rss.xml": harmless, sent to the clean form.
			clean := path.Clean(p)
			if strings.HasSuffix(p, "/") && clean != "/" {
				clean += "/"
			}
			return clean, http.StatusMovedPermanently
		case seg[0] == '.' && code == 0:
			code = http.StatusNotFound
		}
	}
	if code != 0 {
		return "", code
	}
	return rel, 0
}

// fileKind is what the server needs to know about a file from its name.
type fileKind struct {
	contentType string
	feed        bool // a feed or the OPML list: CORS and max-age
	html        bool // a page: revalidated on every use
	compress    bool // text worth gzipping
}

// feedTypes are the published feed files, matched by base name in any folder.
var feedTypes = map[string]string{
	"rss.xml":    "application/rss+xml; charset=utf-8",
	"atom.xml":   "application/atom+xml; charset=utf-8",
	"feed.json":  "application/feed+json; charset=utf-8",
	"feeds.opml": "text/x-opml; charset=utf-8",
}

// extTypes fix the types of what the publisher writes, and of common assets,
// so they don't depend on the host's mime.types.
var extTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".opml":  "text/x-opml; charset=utf-8",
	".xml":   "application/xml; charset=utf-8",
	".xsl":   "text/xsl; charset=utf-8",
	".json":  "application/json",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".ico":   "image/vnd.microsoft.icon",
	".woff2": "font/woff2",
}

// kindOf types a file by its name: the feed names first, then the
// extension table, then the host's MIME table, else application/octet-stream
// (never sniffed: nosniff is set on every response).
func kindOf(name string) fileKind {
	base := path.Base(name)
	if ct, ok := feedTypes[base]; ok {
		return fileKind{contentType: ct, feed: true, compress: true}
	}
	if ct, ok := archiveType(name); ok {
		return fileKind{contentType: ct, feed: true, compress: true}
	}
	ext := strings.ToLower(path.Ext(base))
	ct, ok := extTypes[ext]
	if !ok {
		ct = mime.TypeByExtension(ext)
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	return fileKind{contentType: ct, html: ext == ".html", compress: compressible(ct)}
}

// compressible reports whether a content type is text that gzip shrinks.
func compressible(ct string) bool {
	media, _, _ := strings.Cut(ct, ";")
	media = strings.TrimSpace(media)
	switch {
	case strings.HasPrefix(media, "text/"),
		strings.HasSuffix(media, "+xml"),
		strings.HasSuffix(media, "+json"),
		media == "application/xml",
		media == "application/json",
		media == "application/javascript":
		return true
	}
	return false
}

// cacheControl: feeds and assets may be reused for MaxAge, numbered
// archive documents for ArchiveMaxAge; pages are revalidated each time (a
// 304 is cheap), so a person sees a new headline at once.
func (h *handler) cacheControl(name string, k fileKind) string {
	switch {
	case k.html:
		return "public, no-cache"
	case numberedArchive(name):
		return "public, max-age=" + strconv.FormatInt(int64(h.opts.ArchiveMaxAge.Seconds()), 10)
	}
	return "public, max-age=" + strconv.FormatInt(int64(h.opts.MaxAge.Seconds()), 10)
}

// archiveFiles are the formats of archive documents: the folder under
// archive/ and the file name each is written under.
var archiveFiles = map[string]struct{ ext, feed string }{
	"rss":  {".xml", "rss.xml"},
	"atom": {".xml", "atom.xml"},
	"json": {".json", "feed.json"},
}

// archiveDoc splits name (slash-separated, from the root) as an archive
// document that publish writes, archive/<format>/<n or latest>.<ext> under
// a feed folder: its number or "latest", and its content type.
func archiveDoc(name string) (doc, contentType string, ok bool) {
	dir, file := path.Dir(name), path.Base(name)
	f, known := archiveFiles[path.Base(dir)]
	if !known || path.Base(path.Dir(dir)) != "archive" || !strings.HasSuffix(file, f.ext) {
		return "", "", false
	}
	doc = strings.TrimSuffix(file, f.ext)
	if doc != "latest" && (doc == "" || strings.Trim(doc, "0123456789") != "") {
		return "", "", false
	}
	return doc, feedTypes[f.feed], true
}

// archiveType is the content type of an archive document.
func archiveType(name string) (string, bool) {
	_, ct, ok := archiveDoc(name)
	return ct, ok
}

// numberedArchive reports whether name is a full archive document, which
// changes only when an item in it does.
func numberedArchive(name string) bool {
	doc, _, ok := archiveDoc(name)
	return ok && doc != "latest"
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip) is
// acceptable when listed with a non-zero weight, or when absent and "*" is.
func acceptsGzip(values []string) bool {
	if q := max(weight(values, "gzip"), weight(values, "x-gzip")); q >= 0 {
		return q > 0
	}
	return weight(values, "*") > 0
}

// weight is the highest q (RFC 9110 §12.4.2) given to token in a list-valued
// header such as Accept or Accept-Encoding, compared without case; -1 when
// the token is not listed. A q that doesn't parse counts as 0.
func weight(values []string, token string) float64 {
	best := -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(name), token) {
				continue
			}
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(param, "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0
					}
					q = f
				}
			}
			best = max(best, q)
		}
	}
	return best
}

// serveDev serves a page with the site's base URL rewritten to the address
// the request came to (serve --dev): a preview whose links lead back to
// the preview. Nothing of it is cached, by the browser or here.
func (h *handler) serveDev(w http.ResponseWriter, r *http.Request, f *os.File, fi os.FileInfo) {
	data, err := io.ReadAll(io.LimitReader(f, fi.Size()+1))
	if err != nil {
		h.fail(w, fi.Name(), err)
		return
	}
	base := strings.TrimSuffix(h.opts.DevBaseURL, "/") + "/"
	data = bytes.ReplaceAll(data, []byte(base), []byte("http://"+r.Host+"/"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
