package server

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

// Bounds of the version cache: at most this many files, and this many bytes
// of precompressed bodies; the least recently served are dropped first.
// Files larger than maxPrecompress are hashed as a stream and never gzipped.
const (
	maxVersions     = 4096
	maxVersionBytes = 64 << 20
	maxPrecompress  = 8 << 20
)

// versionKey tells one version of a file from the next. Size and mtime alone
// are not enough: the publisher sets a feed's mtime to its newest item's
// time, so a corrected headline of the same length keeps both. The file's
// identity and change time (where the platform has them) differ after every
// atomic replace.
type versionKey struct {
	size    int64
	modTime int64
	id      fileID
}

// version is what is computed once per file version: the hash of the bytes
// for the ETag and, for text, the gzipped bytes.
type version struct {
	key  versionKey
	name string
	hash string // the first 16 hex digits of the SHA-256 of the file
	gzip []byte // nil when not compressible or not smaller
}

// etag is the strong ETag of one representation of the version: the hash,
// then "-gzip" for the compressed bytes, so no two representations share a
// tag (RFC 9110 §8.8.3) and each still answers its own If-None-Match with
// 304. A feed's page (feed.html) has its own bytes and so its own tag.
func (v *version) etag(gzipped bool) string {
	if gzipped {
		return `"` + v.hash + `-gzip"`
	}
	return `"` + v.hash + `"`
}

// versions is a bounded LRU of file versions by path; safe for concurrent use.
type versions struct {
	mu       sync.Mutex
	byName   map[string]*list.Element
	order    *list.List // front is the most recently served
	bytes    int
	maxCount int
	maxBytes int
}

func newVersions(maxCount, maxBytes int) *versions {
	return &versions{byName: map[string]*list.Element{}, order: list.New(), maxCount: maxCount, maxBytes: maxBytes}
}

// load returns the version of the open file f (at offset 0, described by fi),
// computing it when the cache holds none or an older one. Two requests for a
// new version may both compute it; the result is the same.
func (c *versions) load(name string, f *os.File, fi fs.FileInfo, compress bool) (*version, error) {
	key := versionKey{size: fi.Size(), modTime: fi.ModTime().UnixNano(), id: fileIdentity(fi)}
	c.mu.Lock()
	if e, ok := c.byName[name]; ok {
		if v := e.Value.(*version); v.key == key {
			c.order.MoveToFront(e)
			c.mu.Unlock()
			return v, nil
		}
	}
	c.mu.Unlock()

	v, err := computeVersion(name, key, f, compress)
	if err != nil {
		return nil, err
	}
	c.put(v)
	return v, nil
}

func (c *versions) put(v *version) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byName[v.name]; ok {
		c.remove(e)
	}
	c.byName[v.name] = c.order.PushFront(v)
	c.bytes += len(v.gzip)
	for c.order.Len() > c.maxCount || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *versions) remove(e *list.Element) {
	v := c.order.Remove(e).(*version)
	delete(c.byName, v.name)
	c.bytes -= len(v.gzip)
}

// computeVersion reads f once: hash, and gzip when asked and worthwhile.
// Compression happens here, once per version, at the best level, instead of
// on every request.
func computeVersion(name string, key versionKey, f *os.File, compress bool) (*version, error) {
	h := sha256.New()
	v := &version{key: key, name: name}
	if !compress || key.size > maxPrecompress {
		if _, err := io.Copy(h, f); err != nil {
			return nil, fmt.Errorf("server: hash %s: %w", name, err)
		}
		v.hash = hex.EncodeToString(h.Sum(nil)[:8])
		return v, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("server: read %s: %w", name, err)
	}
	h.Write(data)
	v.hash = hex.EncodeToString(h.Sum(nil)[:8])

	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("server: gzip %s: %w", name, err)
	}
	zw.Write(data) // a bytes.Buffer never fails
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("server: gzip %s: %w", name, err)
	}
	if buf.Len() < len(data) {
		v.gzip = buf.Bytes()
	}
	return v, nil
}
