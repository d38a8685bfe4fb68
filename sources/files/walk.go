package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/feedloom/feedloom/sources"
)

// storyFile is a story file found under the folder.
type storyFile struct {
	rel  string // slash-separated path as seen inside the folder, for reports
	path string // where it is read from, its links resolved: relative to the resolved folder once listed
}

// errOutside is the problem of a link that leads out of the story folder:
// following it could publish any file the process may read
// (passwd.txt -> /etc/passwd).
var errOutside = errors.New("symlink points outside the story folder")

// folderWalk lists the story files under a root folder whose own links
// are resolved. Links inside it are followed only to places inside it, and
// every folder is listed once, by its real path, so that a loop of links
// ends and a folder linked twice is not read twice.
type folderWalk struct {
	root     string
	seen     map[string]bool // real paths of the folders listed
	links    []storyFile     // links to folders, followed once the real tree is listed
	files    []storyFile
	problems []*sources.FileError
}

// walkFolder lists the story files under root, which must be absolute and
// free of links, in no particular order, and the problems met, sorted by
// path. Only root unreadable is an error; a subfolder or link that cannot
// be read is a problem.
func walkFolder(root string) (files []storyFile, problems []error, err error) {
	w := &folderWalk{root: root, seen: make(map[string]bool)}
	if err := w.folder("", root); err != nil {
		return nil, nil, err
	}
	// Links are followed after the real tree is listed, so that a link into
	// the folder never takes the place of the real path of what it leads to:
	// that stays how its files are named.
	for len(w.links) > 0 {
		l := w.links[0]
		w.links = w.links[1:]
		if !w.seen[l.path] {
			w.folder(l.rel, l.path) // never the root, so never an error
		}
	}
	slices.SortStableFunc(w.problems, func(a, b *sources.FileError) int { return strings.Compare(a.Path, b.Path) })
	problems = make([]error, len(w.problems))
	for i, p := range w.problems {
		problems[i] = p
	}
	return w.files, problems, nil
}

// folder lists the folder at real, named rel inside the root ("" for the
// root). Dotfiles and dot-folders are skipped, as are files of other
// extensions and files that are not regular (a FIFO would block the read).
func (w *folderWalk) folder(rel, real string) error {
	w.seen[real] = true
	entries, err := os.ReadDir(real)
	if err != nil {
		if rel == "" {
			return err // the folder itself unreadable
		}
		w.problem(rel, pathless(err)) // the entries read before the error still count
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		erel, ereal := path.Join(rel, name), filepath.Join(real, name)
		switch t := e.Type(); {
		case t.IsDir():
			if !w.seen[ereal] {
				w.folder(erel, ereal)
			}
		case t&fs.ModeSymlink != 0:
			w.link(erel, ereal)
		case t.IsRegular() && formatOf(name) != "":
			w.files = append(w.files, storyFile{rel: erel, path: ereal})
		}
	}
	return nil
}

// link judges the link at at, named rel inside the root: a link to a story
// file or a folder counts when what it leads to is inside the root, and is
// a problem when it is not or leads nowhere. A link that is no story by
// its target or its name is ignored, as the files it stands for would be.
func (w *folderWalk) link(rel, at string) {
	target, err := filepath.EvalSymlinks(at)
	var info fs.FileInfo
	if err == nil {
		info, err = os.Stat(target)
	}
	if err != nil {
		// Its target unknown, a link may stand for a story or a folder of
		// them unless its name says otherwise.
		if ext := path.Ext(rel); ext == "" || formatOf(rel) != "" {
			w.problem(rel, fmt.Errorf("broken symlink: %w", linkError(err)))
		}
		return
	}
	story := info.Mode().IsRegular() && formatOf(rel) != ""
	if !story && !info.IsDir() {
		return
	}
	if !within(w.root, target) {
		w.problem(rel, errOutside)
		return
	}
	if info.IsDir() {
		w.links = append(w.links, storyFile{rel: rel, path: target})
		return
	}
	w.files = append(w.files, storyFile{rel: rel, path: target})
}

func (w *folderWalk) problem(rel string, err error) {
	w.problems = append(w.problems, &sources.FileError{Path: rel, Err: err})
}

// within reports whether the absolute path p is root or under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// linkError returns why a link could not be followed, without the paths
// of the machine it names: "no such file or directory" for a dangling link.
func linkError(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pathless returns the error of a *fs.PathError without its path: a report
// names the file by its path inside the folder, and an absolute path of
// the machine would only repeat it, or reveal where a link leads.
func pathless(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
