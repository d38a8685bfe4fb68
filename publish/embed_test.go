package publish

import (
	"strings"
	"testing"
)

// TestWidgetScript: the widget stays small, and holds none of the ways
// script turns text into markup or code on a partner's page.
func TestWidgetScript(t *testing.T) {
	if n := len(widgetJS); n > 8*1024 {
		t.Errorf("widget.js is %d bytes, want at most 8 KB", n)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"", "srcdoc"} {
		if strings.Contains(widgetJS, bad) {
			t.Errorf("widget.js uses %s", bad)
		}
	}
}
