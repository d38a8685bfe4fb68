// Package watch publishes story folders on save: it watches each files
// source's folder and asks for a refresh of that source once the folder has
// been quiet for a while, so that an editor's save, an atomic rename or a
// git pull of many files each lead to one refresh. The schedule stays the
// fallback where a file system gives no events.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Folder is one files source's folder, as configured: it may be a
// symbolic link, swapped to release a new version of the stories.
type Folder struct {
	Source string
	Path   string
}

// Options tune a Watcher.
type Options struct {
	// Debounce is the quiet time after the last change before the refresh
	// is asked for; 0 means 2 s.
	Debounce time.Duration
	// Trigger asks for a refresh of the named source now.
	Trigger func(source string) bool
	Log     *slog.Logger
}

// Watcher watches folders until Run's context ends.
type Watcher struct {
	opts    Options
	fsw     *fsnotify.Watcher
	folders []*folder

	mu   sync.Mutex
	dirs map[string][]*folder // watched directory → the folders it belongs to
}

// folder is one Folder being watched.
type folder struct {
	Folder
	parent string // the directory holding Path: a swapped link shows there
	base   string // Path's name in parent
	root   string // Path with links resolved, as last read

	timer *time.Timer // the pending refresh; guarded by Watcher.mu
}

// New starts watching folders. A folder that cannot be watched (it does not
// exist yet, or the system is out of watches) is logged and left to its
// schedule; New fails only when no watcher can be made at all.
func New(folders []Folder, opts Options) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{opts: opts, fsw: fsw, dirs: make(map[string][]*folder)}
	for _, f := range folders {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			abs = f.Path
		}
		fo := &folder{Folder: f, parent: filepath.Dir(abs), base: filepath.Base(abs)}
		w.folders = append(w.folders, fo)
		// The parent is watched for the folder's own name only: a link
		// swapped by rename, or the folder made or removed.
		w.addDir(fo.parent, nil)
		w.attach(fo)
	}
	return w, nil
}

// Run handles events until ctx ends, then stops the watcher.
func (w *Watcher) Run(ctx context.Context) {
	defer w.close()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.event(e)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: every folder may have changed.
				w.opts.Log.Warn("watch: events lost; refreshing every watched folder", "err", err)
				for _, f := range w.folders {
					w.changed(f)
				}
				continue
			}
			w.opts.Log.Warn("watch: error", "err", err)
		}
	}
}

func (w *Watcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range w.folders {
		if f.timer != nil {
			f.timer.Stop()
		}
	}
	w.fsw.Close()
}

// event handles one file system event.
func (w *Watcher) event(e fsnotify.Event) {
	if e.Op == fsnotify.Chmod {
		return
	}
	dir, name := filepath.Dir(e.Name), filepath.Base(e.Name)
	for _, f := range w.folders {
		if dir == f.parent && name == f.base {
			// The folder itself, or the link to it, was made, swapped or
			// removed: read where it points now.
			w.attach(f)
			w.changed(f)
		}
	}
	w.mu.Lock()
	owners := w.dirs[dir]
	w.mu.Unlock()
	if len(owners) == 0 {
		return
	}
	if e.Op.Has(fsnotify.Create) {
		if info, err := os.Stat(e.Name); err == nil && info.IsDir() {
			// A new subfolder: its files may have landed before its watch.
			for _, f := range owners {
				w.addTree(e.Name, f)
			}
		}
	}
	for _, f := range owners {
		w.changed(f)
	}
}

// attach resolves f's path and watches the tree it points at, dropping the
// watches of the tree it pointed at before.
func (w *Watcher) attach(f *folder) {
	root, err := filepath.EvalSymlinks(f.Path)
	if err != nil {
		root = ""
	}
	if root == f.root {
		return
	}
	w.mu.Lock()
	for dir, owners := range w.dirs {
		if f.root == "" || !within(dir, f.root) || !slices.Contains(owners, f) {
			continue
		}
		owners = slices.DeleteFunc(slices.Clone(owners), func(o *folder) bool { return o == f })
		if len(owners) == 0 && !w.isParent(dir) {
			w.fsw.Remove(dir) // gone already when the tree was removed
			delete(w.dirs, dir)
			continue
		}
		w.dirs[dir] = owners
	}
	w.mu.Unlock()
	f.root = root
	if root == "" {
		w.opts.Log.Warn("watch: folder not there; its schedule still runs", "source", f.Source, "path", f.Path, "err", err)
		return
	}
	w.addTree(root, f)
}

// addTree watches dir and every folder under it for f.
func (w *Watcher) addTree(dir string, f *folder) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // gone or unreadable: the files source reports it
		}
		if d.IsDir() {
			w.addDir(path, f)
		}
		return nil
	})
	if err != nil {
		w.opts.Log.Warn("watch: cannot walk folder", "source", f.Source, "path", dir, "err", err)
	}
}

// addDir watches dir, for f when f is not nil.
func (w *Watcher) addDir(dir string, f *folder) {
	w.mu.Lock()
	defer w.mu.Unlock()
	owners, watched := w.dirs[dir]
	if !watched {
		if err := w.fsw.Add(dir); err != nil {
			source := ""
			if f != nil {
				source = f.Source
			}
			w.opts.Log.Warn("watch: cannot watch folder; its schedule still runs", "source", source, "path", dir, "err", err)
			return
		}
	}
	if f != nil && !slices.Contains(owners, f) {
		owners = append(owners, f)
	}
	w.dirs[dir] = owners
}

// changed asks for f's refresh once it has been quiet for Debounce.
func (w *Watcher) changed(f *folder) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f.timer != nil {
		f.timer.Reset(w.opts.Debounce)
		return
	}
	f.timer = time.AfterFunc(w.opts.Debounce, func() {
		if !w.opts.Trigger(f.Source) {
			w.opts.Log.Debug("watch: refresh not taken", "source", f.Source)
		}
	})
}

// isParent reports whether dir holds a watched folder's path.
func (w *Watcher) isParent(dir string) bool {
	return slices.ContainsFunc(w.folders, func(f *folder) bool { return f.parent == dir })
}

// within reports whether path is dir or under it.
func within(path, dir string) bool {
	sep := string(filepath.Separator)
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, sep)+sep)
}
