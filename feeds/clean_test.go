package feeds

import "testing"

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean text is kept", "HKUST News 香港科技大學", "HKUST News 香港科技大學"},
		{"tab, newline and carriage return are kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"vertical tab", "a\x0bb", "ab"},
		{"NUL", "\x00a\x00", "a"},
		{"other C0 controls", "\x01\x08\x0c\x0e\x1f.", "."},
		{"DEL and C1 controls are XML characters", "\x7f\u0085", "\x7f\u0085"},
		{"U+FFFE and U+FFFF", "a\ufffeb\uffffc", "abc"},
		{"a real U+FFFD is kept", "a\ufffdb", "a\ufffdb"},
		{"invalid UTF-8 byte is dropped, not replaced", "a\xffb", "ab"},
		{"truncated multibyte sequence", "香\xe6\xb8", "香"},
		{"encoded surrogate", "a\xed\xa0\x80b", "ab"},
		{"supplementary plane", "😀𠀀", "😀𠀀"},
		{"only illegal characters", "\x0b\x00", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanTexts(t *testing.T) {
	got := cleanTexts([]string{"News\x00", "\x0b", "", "新聞"})
	if len(got) != 2 || got[0] != "News" || got[1] != "新聞" {
		t.Errorf("cleanTexts = %q, want [News 新聞]", got)
	}
	if got := cleanTexts([]string{"\x0b"}); got != nil {
		t.Errorf("cleanTexts of only illegal text = %q, want nil", got)
	}
}

func TestCleanTextDoesNotAllocateWhenClean(t *testing.T) {
	s := "HKUST News 香港科技大學新聞"
	if n := testing.AllocsPerRun(10, func() { _ = cleanText(s) }); n != 0 {
		t.Errorf("cleanText allocated %v times on clean text", n)
	}
}
