package feeds

import (
	"errors"
	"io"
)

// WriteJSON is a placeholder until the writer lands.
func WriteJSON(w io.Writer, f *Feed) error { return errors.New("feeds: WriteJSON not written yet") }
