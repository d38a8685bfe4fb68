package publish

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/store"
)

// storyWriters is how many story pages are written at once: each write
// mostly waits for its fsync, so they overlap well beyond the cores.
const storyWriters = 8

// errSkipped marks a file not started because an earlier one failed.
var errSkipped = errors.New("publish: skipped after an earlier failure")

// outcome is one file's write, as writeFiles hands it from the goroutine
// that rendered it to the one that commits it.
type outcome struct {
	s    *stream // rendered, not yet committed (ordered writes only)
	w    written
	err  error
	done chan struct{}
}

// writeFiles renders and writes files on up to workers goroutines, the
// largest first, and returns what the output folder now holds of each
// (their manifest entries, in files' order) and the paths it changed.
// Ordered, each file is renamed into place only after every file before it
// is, so that a file that points at another never appears first; else in
// any order. The first error stops it: no file is started after it,
// ordered files after the failed one keep their old content, and the
// files renamed before it stay.
func (p *Publisher) writeFiles(ctx context.Context, files []file, workers int, ordered bool) ([]store.OutputFile, []string, error) {
	outs := make([]outcome, len(files))
	for i := range outs {
		outs[i].done = make(chan struct{})
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(files[b].cost, files[a].cost) })

	var (
		failed atomic.Bool
		next   atomic.Int64
		wg     sync.WaitGroup
	)
	for range min(workers, len(files)) {
		wg.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= len(order) {
					return
				}
				i := order[n]
				o := &outs[i]
				if failed.Load() {
					o.err = errSkipped
					close(o.done)
					continue
				}
				s, err := p.render(ctx, files[i], ordered)
				if err == nil && !ordered {
					o.w, err = s.commit()
					s = nil
				}
				if err != nil {
					failed.Store(true)
				}
				o.s, o.err = s, err
				close(o.done)
			}
		})
	}

	var (
		entries []store.OutputFile
		changed []string
		first   error // the first failure in files' order
		stop    bool  // ordered: a file before this one was not written
	)
	for i := range outs {
		o := &outs[i]
		<-o.done
		if o.s != nil {
			if stop {
				o.s.abort()
				continue
			}
			if o.w, o.err = o.s.commit(); o.err != nil {
				failed.Store(true)
			}
		}
		if o.err != nil {
			stop = stop || ordered
			if first == nil && !errors.Is(o.err, errSkipped) {
				first = o.err
			}
			continue
		}
		if o.w.changed {
			changed = append(changed, files[i].path)
			p.log.Debug("wrote file", "path", files[i].path)
		}
		entries = append(entries, o.w.entry(files[i].path))
	}
	wg.Wait()
	if first == nil {
		// Files skipped before the one that failed: report the failure.
		for i := range outs {
			if err := outs[i].err; err != nil && !errors.Is(err, errSkipped) {
				first = err
				break
			}
		}
	}
	return entries, changed, first
}

// render renders f into a stream on the file; ordered, the new content
// is synced here, on a worker, so that the commit in order only renames.
func (p *Publisher) render(ctx context.Context, f file, ordered bool) (*stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	full := filepath.Join(p.opts.Dir, filepath.FromSlash(f.path))
	s, err := openStream(full, f.mod)
	if err != nil {
		return nil, fmt.Errorf("publish: write %s: %w", full, err)
	}
	if err := f.write(s); err != nil {
		s.abort()
		if s.err != nil {
			return nil, fmt.Errorf("publish: write %s: %w", full, s.err)
		}
		return nil, err
	}
	if err := s.finish(ordered); err != nil {
		s.abort()
		return nil, fmt.Errorf("publish: write %s: %w", full, err)
	}
	return s, nil
}

// written is what a file holds once written: whether writing changed it,
// and its size, hash and stamp.
type written struct {
	changed bool
	size    int64
	hash    [sha256.Size]byte
	stamp   string
}

func (w written) entry(path string) store.OutputFile {
	return store.OutputFile{Path: path, Size: w.size, Hash: fmt.Sprintf("%x", w.hash), Stamp: w.stamp}
}

// compareChunk is how much of the old file a stream reads at a time.
const compareChunk = 256 << 10

// stream is an io.Writer that replaces the file at path with what is
// written to it, only if that differs from what the file holds. It
// compares the bytes as they come with the old file's; from the first byte
// that differs (at once when there is no file) it writes a temporary file
// in the same folder, starting with the equal part it read, and commit
// renames that over the file. A file that holds exactly the bytes written
// is left alone but for its mtime, so an unchanged run rewrites nothing
// and ETags stay put, and neither the old nor the new content is ever held
// whole in memory. It is the only writer under the output folder.
//
// Missing folders are created 0755 (less the umask); new files are 0644
// whatever the umask, as a web server must read them; existing ones keep
// their mode.
type stream struct {
	path    string
	mod     time.Time // the mtime to give the file; zero leaves it alone
	old     *os.File  // the file being replaced; nil when there is none
	oldInfo fs.FileInfo
	buf     []byte // for reading old
	n       int64  // bytes written so far
	h       hash.Hash
	tmp     pending // from the first byte that differs on
	err     error   // the first error of a Write: the stream is failed
}

// openStream starts a stream replacing the file at path, to be given the
// mtime mod (the newest item it shows, so that Last-Modified derives from
// the store and is the same on every node; zero leaves the mtime alone).
func openStream(path string, mod time.Time) (*stream, error) {
	s := &stream{path: path, mod: mod, h: sha256.New()}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		// The error a read gives, as any reader of the old file would.
		_, err := f.Read(make([]byte, 1))
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close() // something else in the way: the rename replaces it
		return s, nil
	}
	s.old, s.oldInfo = f, fi
	return s, nil
}

func (s *stream) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.h.Write(p)
	if s.tmp == nil && s.old != nil {
		same, err := s.same(p)
		if err == nil && same {
			s.n += int64(len(p))
			return len(p), nil
		}
		if err != nil {
			s.err = err
			return 0, err
		}
	}
	if s.tmp == nil {
		if err := s.diverge(); err != nil {
			s.err = err
			return 0, err
		}
	}
	// The writers hand over large pieces (their own buffers' worth), so
	// the temporary file is written without another buffer.
	if _, err := s.tmp.Write(p); err != nil {
		s.err = err
		return 0, err
	}
	s.n += int64(len(p))
	return len(p), nil
}

// same reports whether the old file's next len(p) bytes are p.
func (s *stream) same(p []byte) (bool, error) {
	if s.n+int64(len(p)) > s.oldInfo.Size() {
		return false, nil
	}
	if s.buf == nil {
		s.buf = make([]byte, min(compareChunk, s.oldInfo.Size()))
	}
	for len(p) > 0 {
		k := min(len(p), len(s.buf))
		if _, err := io.ReadFull(s.old, s.buf[:k]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return false, nil // shrunk since the Stat
			}
			return false, err
		}
		if !bytes.Equal(s.buf[:k], p[:k]) {
			return false, nil
		}
		p = p[k:]
	}
	return true, nil
}

// diverge starts the temporary file with the s.n bytes that the old file
// and the new content share.
func (s *stream) diverge() error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The temporary file is created in the target's own folder (a rename
	// across file systems would not be atomic, and renameio would
	// otherwise probe os.TempDir on every call).
	tmp, err := newPending(s.path, dir)
	if err != nil {
		return err
	}
	s.tmp = tmp
	if s.n > 0 {
		if _, err := io.Copy(tmp, io.NewSectionReader(s.old, 0, s.n)); err != nil {
			return err
		}
	}
	return nil
}

// finish ends the content: a new file, or an old one with more bytes than
// were written, still gets its temporary file. With sync, the temporary
// file is synced to disk now.
func (s *stream) finish(sync bool) error {
	if s.err != nil {
		return s.err
	}
	if s.tmp == nil && (s.old == nil || s.oldInfo.Size() != s.n) {
		if err := s.diverge(); err != nil {
			return err
		}
	}
	if s.tmp == nil {
		return nil
	}
	if sync {
		return s.tmp.Sync()
	}
	return nil
}

// commit puts the content in place: renames the temporary file over the
// old one, or, when the content is the old one's, sets only its mtime.
func (s *stream) commit() (written, error) {
	w := written{changed: s.tmp != nil, size: s.n}
	s.h.Sum(w.hash[:0])
	defer s.abort()
	if s.tmp != nil {
		if err := s.tmp.CloseAtomicallyReplace(); err != nil {
			return written{}, fmt.Errorf("publish: write %s: %w", s.path, err)
		}
	}
	if !s.mod.IsZero() && (s.tmp != nil || !s.oldInfo.ModTime().Equal(s.mod)) {
		if err := os.Chtimes(s.path, s.mod, s.mod); err != nil {
			return written{}, fmt.Errorf("publish: write %s: %w", s.path, err)
		}
	}
	fi, err := os.Lstat(s.path)
	if err != nil {
		return written{}, fmt.Errorf("publish: write %s: %w", s.path, err)
	}
	w.stamp = fileStamp(fi)
	return w, nil
}

// abort drops the temporary file, if any, and closes the old one. It is
// safe after commit.
func (s *stream) abort() {
	if s.tmp != nil {
		s.tmp.Cleanup() // after CloseAtomicallyReplace, a no-op
	}
	if s.old != nil {
		s.old.Close()
		s.old = nil
	}
}

// writeIfChanged replaces the file at path with data, atomically, unless it
// already holds exactly those bytes, and reports whether it did; see
// stream. A non-zero mod becomes the file's mtime, set only when it
// differs.
func writeIfChanged(path string, data []byte, mod time.Time) (changed bool, err error) {
	s, err := openStream(path, mod)
	if err != nil {
		return false, err
	}
	if _, err := s.Write(data); err != nil {
		s.abort()
		return false, err
	}
	if err := s.finish(false); err != nil {
		s.abort()
		return false, err
	}
	w, err := s.commit()
	return w.changed, err
}

// removeFile deletes a file that no longer belongs in the output; one that
// is already gone is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
