package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// Manifest is what a publisher last wrote into one output folder: the
// content version and the publishing settings the files were rendered
// from, and every file it wrote. It is kept in the store, beside the items
// it was rendered from, so that a recreated store holds no manifest and its
// first publish renders everything; a publisher reads it to tell that the
// folder already holds what the store would render, without rendering.
type Manifest struct {
	// Version is the store's content Version the files were rendered from,
	// read before the items were.
	Version int64
	// Fingerprint stands for everything else the files depend on (the
	// publisher's options and output format version); the store keeps it
	// without reading it.
	Fingerprint string
	Files       []OutputFile // in the order written
}

// OutputFile is one file of a Manifest.
type OutputFile struct {
	Path string `json:"p"` // relative to the output folder, slash-separated
	Size int64  `json:"s"`
	Hash string `json:"h"` // hex SHA-256 of the content
	// Stamp is what the file system said of the file once written
	// (modification and change times, inode), compared before the content
	// is; the store keeps it without reading it.
	Stamp string `json:"t"`
	// Items and Newest describe a feed file: how many items it shows and
	// the newest of their times. A folder of documents (a Path ending in
	// "/") counts in Items the documents it held; other files have zero.
	Items  int       `json:"i,omitempty"`
	Newest time.Time `json:"n,omitzero"`
	// In stands for what a document cut from the store (an archive
	// document, a numbered page) was rendered from, so that a publish
	// whose store changed elsewhere need not render it again; "" for
	// other files.
	In string `json:"in,omitempty"`
}

// EncodeFiles is the stored form of a manifest's files, the same in every
// store.
func EncodeFiles(files []OutputFile) (string, error) {
	if files == nil {
		files = []OutputFile{}
	}
	b, err := json.Marshal(files)
	if err != nil {
		return "", fmt.Errorf("store: encode manifest: %w", err)
	}
	return string(b), nil
}

// DecodeFiles reads what EncodeFiles wrote.
func DecodeFiles(s string) ([]OutputFile, error) {
	var files []OutputFile
	if err := json.Unmarshal([]byte(s), &files); err != nil {
		return nil, fmt.Errorf("store: decode manifest: %w", err)
	}
	return files, nil
}
