package feeds

import "testing"

func TestCanonicalLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://News.Example.EDU:443/a?utm_source=x&id=3&utm_medium=y#top", "https://news.example.edu/a?id=3"},
		{"http://example.edu:80", "http://example.edu/"},
		{"http://example.edu:8080/x", "http://example.edu:8080/x"},
		{"https://example.edu/x?utm_campaign=z", "https://example.edu/x"},
		{"  https://example.edu/x?b=2&a=1 ", "https://example.edu/x?b=2&a=1"},
		{"stories/a.html", "stories/a.html"},
	}
	for _, tt := range tests {
		if got := CanonicalLink(tt.in); got != tt.want {
			t.Errorf("CanonicalLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
