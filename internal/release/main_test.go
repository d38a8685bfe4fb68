package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// inputs writes a binary and a README to pack.
func inputs(t *testing.T) (dir, bin, readme string) {
	t.Helper()
	dir = t.TempDir()
	bin, readme = filepath.Join(dir, "feedloom"), filepath.Join(dir, "README.md")
	if err := os.WriteFile(bin, []byte("\x7fELF binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("# feedloom\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, bin, readme
}

var at = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func TestTarGz(t *testing.T) {
	dir, bin, readme := inputs(t)
	out := filepath.Join(dir, "feedloom-1.2.3-linux-amd64.tar.gz")
	if err := run([]string{"archive", "-o", out, "-dir", "feedloom-1.2.3-linux-amd64", "-time", at.Format(time.RFC3339), bin, readme}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, h.Name+" "+os.FileMode(h.Mode).String()+" "+string(body))
		if !h.ModTime.Equal(at) {
			t.Errorf("%s dated %v, want %v", h.Name, h.ModTime, at)
		}
	}
	want := []string{
		"feedloom-1.2.3-linux-amd64/ -rwxr-xr-x ",
		"feedloom-1.2.3-linux-amd64/feedloom -rwxr-xr-x \x7fELF binary",
		"feedloom-1.2.3-linux-amd64/README.md -rw-r--r-- # feedloom\n",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entries\n%q\nwant\n%q", got, want)
	}

	// The same inputs give the same bytes, so the sums can be checked
	// against a rebuild.
	first, _ := os.ReadFile(out)
	if err := run([]string{"archive", "-o", out, "-dir", "feedloom-1.2.3-linux-amd64", "-time", at.Format(time.RFC3339), bin, readme}); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(first, again) {
		t.Error("packing the same files twice gave different archives")
	}
}

func TestZip(t *testing.T) {
	dir, bin, readme := inputs(t)
	out := filepath.Join(dir, "feedloom-1.2.3-windows-amd64.zip")
	if err := run([]string{"archive", "-o", out, "-dir", "feedloom-1.2.3-windows-amd64", "-time", at.Format(time.RFC3339), bin, readme}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		r.Close()
		got = append(got, f.Name+" "+f.Mode().String()+" "+string(body))
	}
	want := []string{
		"feedloom-1.2.3-windows-amd64/feedloom -rwxr-xr-x \x7fELF binary",
		"feedloom-1.2.3-windows-amd64/README.md -rw-r--r-- # feedloom\n",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entries\n%q\nwant\n%q", got, want)
	}
}

// TestSums: the sums file is what sha256sum -c checks.
func TestSums(t *testing.T) {
	dir, bin, readme := inputs(t)
	out := filepath.Join(dir, "SHA256SUMS")
	if err := run([]string{"sums", "-o", out, readme, bin}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  README.md") || !strings.HasSuffix(lines[1], "  feedloom") || len(lines[0]) != 64+2+len("README.md") {
		t.Fatalf("SHA256SUMS:\n%s", b)
	}
	sha, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("no sha256sum to check the file with")
	}
	cmd := exec.Command(sha, "-c", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
}

func TestArguments(t *testing.T) {
	for _, args := range [][]string{nil, {"pack"}, {"archive", "-o", "x.rar", "-dir", "x", "README.md"}, {"archive", "-o", "x.zip"}, {"sums"}} {
		if err := run(args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
