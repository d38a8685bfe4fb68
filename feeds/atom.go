package feeds

import (
	"errors"
	"io"
)

// WriteAtom is a placeholder until the writer lands.
func WriteAtom(w io.Writer, f *Feed) error { return errors.New("feeds: WriteAtom not written yet") }
