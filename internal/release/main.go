// Command release packs feedloom's release archives for `make release`:
//
//	release archive -o dist/NAME.tar.gz -dir NAME -time 2026-12-05T10:00:00Z FILE...
//	release sums -o dist/SHA256SUMS ARCHIVE...
//
// archive writes FILE... under the folder NAME in a .tar.gz or a .zip (by
// the output's name), every entry dated -time, so that the same inputs
// give the same bytes; sums writes the archives' SHA-256 in the format
// `sha256sum -c` reads. The builds themselves are the Makefile's.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("want archive or sums")
	}
	fs := flag.NewFlagSet("release "+args[0], flag.ContinueOnError)
	out := fs.String("o", "", "the file to write")
	switch args[0] {
	case "archive":
		dir := fs.String("dir", "", "the folder the files are in, inside the archive")
		stamp := fs.String("time", "", "the entries' time, RFC 3339 (default now)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" || *dir == "" || fs.NArg() == 0 {
			return errors.New("archive: want -o, -dir and files")
		}
		at := time.Now().UTC()
		if *stamp != "" {
			t, err := time.Parse(time.RFC3339, *stamp)
			if err != nil {
				return fmt.Errorf("archive: -time: %w", err)
			}
			at = t
		}
		return archive(*out, *dir, at, fs.Args())
	case "sums":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" || fs.NArg() == 0 {
			return errors.New("sums: want -o and files")
		}
		return sums(*out, fs.Args())
	}
	return fmt.Errorf("unknown command %q: want archive or sums", args[0])
}

// archive writes files under dir into out, a .zip or a .tar.gz. An
// executable file stays executable (0755); the rest are 0644.
func archive(out, dir string, at time.Time, files []string) (err error) {
	if !strings.HasSuffix(out, ".zip") && !strings.HasSuffix(out, ".tar.gz") {
		return fmt.Errorf("archive %s: want a .zip or .tar.gz name", out)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	var add func(name string, mode int64, size int64, r io.Reader) error
	var finish func() error
	if strings.HasSuffix(out, ".zip") {
		zw := zip.NewWriter(f)
		add = func(name string, mode, _ int64, r io.Reader) error {
			h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at}
			h.SetMode(os.FileMode(mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, r)
			return err
		}
		finish = zw.Close
	} else {
		gz, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
		tw := tar.NewWriter(gz)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: at, Format: tar.FormatPAX}); err != nil {
			return err
		}
		add = func(name string, mode, size int64, r io.Reader) error {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: size, ModTime: at, Format: tar.FormatPAX}); err != nil {
				return err
			}
			_, err := io.Copy(tw, r)
			return err
		}
		finish = func() error { return errors.Join(tw.Close(), gz.Close()) }
	}
	for _, name := range files {
		if err := addFile(add, dir, name); err != nil {
			return err
		}
	}
	return finish()
}

func addFile(add func(name string, mode, size int64, r io.Reader) error, dir, name string) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("archive: %s is not a regular file", name)
	}
	mode := int64(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	return add(path.Join(dir, filepath.Base(name)), mode, fi.Size(), in)
}

// sums writes "<sha256>  <name>" for each file, by name, as sha256sum
// does; names are the files' base names, since the sums sit beside them.
func sums(out string, files []string) error {
	names := slices.Clone(files)
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	var b strings.Builder
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(name))
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}
