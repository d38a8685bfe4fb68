package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/feedloom/feedloom/sources"
)

// TestAddressRule: each refused range, its edges, and the addresses just
// outside it, which are public.
func TestAddressRule(t *testing.T) {
	tests := []struct{ addr, rule string }{
		{"127.0.0.1", "loopback address"},
		{"127.255.255.255", "loopback address"},
		{"128.0.0.0", ""},
		{"::1", "loopback address"},
		{"::2", "unspecified address"}, // IPv4-compatible 0.0.0.2
		// RFC 1918
		{"10.0.0.0", "private address"},
		{"10.255.255.255", "private address"},
		{"9.255.255.255", ""},
		{"11.0.0.0", ""},
		{"172.16.0.0", "private address"},
		{"172.31.255.255", "private address"},
		{"172.15.255.255", ""},
		{"172.32.0.1", ""},
		{"192.168.0.1", "private address"},
		{"192.168.255.255", "private address"},
		{"192.167.255.255", ""},
		{"192.169.0.0", ""},
		// RFC 4193 unique local; RFC 3879 site-local
		{"fc00::", "private address"},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private address"},
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ""},
		{"fec0::1", "private address"},
		// link-local and the metadata services inside and outside it
		{"169.254.0.0", "link-local address"},
		{"169.254.255.255", "link-local address"},
		{"169.253.255.255", ""},
		{"169.255.0.0", ""},
		{"fe80::1", "link-local address"},
		{"fe80::1%eth0", "link-local address"},
		{"febf:ffff::1", "link-local address"},
		{"169.254.169.254", "cloud metadata address"},
		{"169.254.169.253", "link-local address"},
		{"fd00:ec2::254", "cloud metadata address"},
		{"fd00:ec2::253", "private address"},
		{"100.100.100.200", "cloud metadata address"},
		{"168.63.129.16", "cloud metadata address"},
		{"168.63.129.17", ""},
		// RFC 6598
		{"100.64.0.0", "CGNAT address"},
		{"100.127.255.255", "CGNAT address"},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"0.0.0.0", "unspecified address"},
		{"0.255.255.255", "unspecified address"},
		{"1.0.0.0", ""},
		{"::", "unspecified address"},
		{"224.0.0.1", "multicast address"},
		{"239.255.255.255", "multicast address"},
		{"223.255.255.255", ""},
		{"ff02::1", "multicast address"},
		{"255.255.255.255", "broadcast address"},
		{"240.0.0.1", "reserved address"},
		// IPv6 forms that reach an IPv4 host are judged by it.
		{"::ffff:127.0.0.1", "loopback address"},
		{"::ffff:10.0.0.1", "private address"},
		{"::ffff:169.254.169.254", "cloud metadata address"},
		{"::ffff:100.64.0.1", "CGNAT address"},
		{"::ffff:0.0.0.0", "unspecified address"},
		{"::ffff:93.184.216.34", ""},
		{"64:ff9b::7f00:1", "loopback address"}, // NAT64, RFC 6052
		{"64:ff9b::a9fe:a9fe", "cloud metadata address"},
		{"64:ff9b::5db8:d822", ""},
		{"2002:c0a8:101::1", "private address"}, // 6to4 of 192.168.1.1
		{"2002:5db8:d822::1", ""},
		{"::7f00:1", "loopback address"}, // IPv4-compatible
		// public
		{"93.184.216.34", ""},
		{"8.8.8.8", ""},
		{"2606:4700::1", ""},
		{"2001:4860:4860::8888", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := sources.AddressRule(netip.MustParseAddr(tt.addr)); got != tt.rule {
				t.Errorf("sources.AddressRule(%s) = %q, want %q", tt.addr, got, tt.rule)
			}
		})
	}
	if got := sources.AddressRule(netip.Addr{}); got != "invalid address" {
		t.Errorf("sources.AddressRule(zero) = %q, want invalid address", got)
	}
}

func TestAddressError(t *testing.T) {
	tests := []struct {
		err  AddressError
		want string
	}{
		{AddressError{"127.0.0.1:8080", netip.MustParseAddr("127.0.0.1"), "loopback address"},
			"feed: refused to connect to 127.0.0.1:8080: loopback address (set allow_private to fetch from it)"},
		{AddressError{"[::1]:80", netip.MustParseAddr("::1"), "loopback address"},
			"feed: refused to connect to [::1]:80: loopback address (set allow_private to fetch from it)"},
		{AddressError{"metadata.internal:80", netip.MustParseAddr("169.254.169.254"), "cloud metadata address"},
			"feed: refused to connect to metadata.internal:80 (169.254.169.254): cloud metadata address (set allow_private to fetch from it)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(&tt.err, ErrPrivateAddress) {
			t.Errorf("%v does not wrap ErrPrivateAddress", &tt.err)
		}
	}
}

// dnsServer is a real DNS server on a loopback UDP port answering A and
// AAAA questions from its table, NXDOMAIN for names not in it.
type dnsServer struct {
	conn net.PacketConn

	mu    sync.Mutex
	names map[string][]netip.Addr // "feed.test." → addresses
}

func newDNSServer(t testing.TB, names map[string][]string) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dnsServer{conn: conn, names: make(map[string][]netip.Addr)}
	for name, addrs := range names {
		d.set(name, addrs...)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if msg, err := d.answer(buf[:n]); err == nil {
				conn.WriteTo(msg, from)
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return d
}

// set makes name resolve to addrs from now on.
func (d *dnsServer) set(name string, addrs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	as := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		as[i] = netip.MustParseAddr(a)
	}
	d.names[strings.ToLower(name)+"."] = as
}

func (d *dnsServer) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	addrs, ok := d.names[strings.ToLower(q.Name.String())]
	d.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if !ok {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	for _, a := range addrs {
		rr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET}
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			err = b.AResource(rr, dnsmessage.AResource{A: a.As4()})
		case q.Type == dnsmessage.TypeAAAA && a.Is6():
			err = b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()})
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// resolver asks this server, whatever name server the system has.
func (d *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, "udp", d.conn.LocalAddr().String())
		},
	}
}

// guardOptions are testOptions with allowPrivate and g's replacements, and
// a client of their own built from them.
func guardOptions(t testing.TB, allowPrivate bool, g *guard) Options {
	opts := testOptions(t)
	opts.AllowPrivate = allowPrivate
	opts.guard = g
	opts.Client = NewClient(opts)
	t.Cleanup(opts.Client.CloseIdleConnections)
	return opts
}

// countingFeed serves rss20.xml and counts the requests it gets.
func countingFeed(t testing.TB, addr string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	body := fixture(t, "rss20.xml")
	var n atomic.Int32
	srv := serve(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	return srv, &n
}

// canListen reports whether addr ("[::1]:0") can be listened on here.
func canListen(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// TestRefusePrivate: a feed on loopback, however its URL names it, is
// refused before any request reaches it: by Fetch, and by NewClient's
// client used alone, whose dial refuses it; AllowPrivate lets each through.
func TestRefusePrivate(t *testing.T) {
	srv, hits := countingFeed(t, "")
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	dns := newDNSServer(t, map[string][]string{"rebind.test": {"127.0.0.1"}})
	g := &guard{resolver: dns.resolver()}
	tests := []struct {
		name, host string // host:port of the URL
		refused    string // the *AddressError's text after "feed: refused to connect to "
	}{
		{"loopback literal", fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d: loopback address", port)},
		// RFC 6761 §6.3: refused by its name, before any lookup.
		{"localhost", fmt.Sprintf("localhost:%d", port), fmt.Sprintf("localhost:%d: loopback host name", port)},
		{"name resolving to loopback", fmt.Sprintf("rebind.test:%d", port), fmt.Sprintf("rebind.test:%d (127.0.0.1): loopback address", port)},
		{"IPv4-mapped IPv6", fmt.Sprintf("[::ffff:127.0.0.1]:%d", port), fmt.Sprintf("[::ffff:127.0.0.1]:%d (127.0.0.1): loopback address", port)},
		{"unspecified", fmt.Sprintf("0.0.0.0:%d", port), fmt.Sprintf("0.0.0.0:%d: unspecified address", port)},
	}
	if canListen("[::1]:0") {
		v6, _ := countingFeed(t, "[::1]:0")
		p6 := v6.Listener.Addr().(*net.TCPAddr).Port
		tests = append(tests, struct{ name, host, refused string }{
			"IPv6 loopback", fmt.Sprintf("[::1]:%d", p6), fmt.Sprintf("[::1]:%d: loopback address", p6),
		})
	} else {
		t.Log("no IPv6 loopback here: [::1] not tried")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := "http://" + tt.host + "/feed.xml"
			before := hits.Load()
			refusal := "feed: refused to connect to " + tt.refused + " (set allow_private to fetch from it)"

			_, err := fetch(t, u, guardOptions(t, false, g), sources.State{})
			want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, refusal)
			var ae *AddressError
			if err == nil || err.Error() != want || !errors.Is(err, ErrPrivateAddress) || !errors.As(err, &ae) {
				t.Errorf("Fetch: err = %v\nwant %s, wrapping an *AddressError", err, want)
			}

			// The dial's own check, without Fetch's look at the URL first.
			client := guardOptions(t, false, g).Client
			resp, err := client.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			if !errors.As(err, &ae) || !strings.HasSuffix(err.Error(), refusal) {
				t.Errorf("NewClient alone: err = %v, want an *AddressError ending %q", err, refusal)
			}
			if got := hits.Load() - before; got != 0 {
				t.Errorf("%d requests reached the server, want none", got)
			}

			res, err := fetch(t, u, guardOptions(t, true, g), sources.State{})
			if err != nil || len(res.Stories) != 3 {
				t.Errorf("AllowPrivate: %d stories, err %v; want 3", len(res.Stories), err)
			}
		})
	}
}

// TestRefuseRebinding: the check is made on each connection, on the
// address connected, so a name that first resolved to an allowed address
// is refused once it answers with a loopback one.
func TestRefuseRebinding(t *testing.T) {
	public, hits := countingFeed(t, "127.0.0.2:0")
	port := public.Listener.Addr().(*net.TCPAddr).Port
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if !canListen(addr) {
		t.Skipf("%s is taken", addr)
	}
	_, privateHits := countingFeed(t, addr)
	dns := newDNSServer(t, map[string][]string{"rebind.test": {"127.0.0.2"}})
	opts := guardOptions(t, false, &guard{resolver: dns.resolver(), rule: publicTestAddr})
	u := fmt.Sprintf("http://rebind.test:%d/feed.xml", port)

	if res, err := fetch(t, u, opts, sources.State{}); err != nil || len(res.Stories) != 3 || hits.Load() != 1 {
		t.Fatalf("while public: %d stories, err %v, %d requests", len(res.Stories), err, hits.Load())
	}
	opts.Client.CloseIdleConnections()
	dns.set("rebind.test", "127.0.0.1")
	_, err := fetch(t, u, opts, sources.State{})
	if !errors.Is(err, ErrPrivateAddress) || privateHits.Load() != 0 {
		t.Errorf("after rebinding: err = %v, %d requests reached loopback; want ErrPrivateAddress and none", err, privateHits.Load())
	}
}

// publicTestAddr is sources.AddressRule with 127.0.0.2 taken for a public address,
// so a test server can stand for an allowed upstream.
func publicTestAddr(a netip.Addr) string {
	if a == netip.MustParseAddr("127.0.0.2") {
		return ""
	}
	return sources.AddressRule(a)
}

// TestRefuseRedirect: an allowed upstream (127.0.0.2, public for the test)
// redirecting to loopback is refused at the hop: an IP literal before it is
// followed, a name by the dial; a permanent redirect refused is never
// remembered as the source's URL. AllowPrivate follows each.
func TestRefuseRedirect(t *testing.T) {
	inner, innerHits := countingFeed(t, "127.0.0.1:0")
	innerPort := inner.Listener.Addr().(*net.TCPAddr).Port
	dns := newDNSServer(t, map[string][]string{"rebind.test": {"127.0.0.1"}})
	body := fixture(t, "rss20.xml")
	var outer *httptest.Server
	outer = serve(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Write(body)
			return
		}
		code, to, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		var status int
		fmt.Sscan(code, &status)
		host := strings.ReplaceAll(to, "PORT", fmt.Sprint(innerPort))
		if host == "outer" {
			host = outer.Listener.Addr().String()
		}
		http.Redirect(w, r, "http://"+host+"/feed.xml", status)
	}))
	g := &guard{resolver: dns.resolver(), rule: publicTestAddr}
	tests := []struct {
		path    string // /<status>/<host>
		refused string // after the outer URL; "" = followed
		moved   bool   // State.URL moves when followed
	}{
		{"/302/127.0.0.1:PORT", "redirect from {outer}/302/127.0.0.1:PORT to http://127.0.0.1:{port}/feed.xml: feed: refused to connect to 127.0.0.1:{port}: loopback address", false},
		{"/301/127.0.0.1:PORT", "redirect from {outer}/301/127.0.0.1:PORT to http://127.0.0.1:{port}/feed.xml: feed: refused to connect to 127.0.0.1:{port}: loopback address", true},
		{"/308/[::ffff:127.0.0.1]:PORT", "redirect from {outer}/308/[::ffff:127.0.0.1]:PORT to http://[::ffff:127.0.0.1]:{port}/feed.xml: feed: refused to connect to [::ffff:127.0.0.1]:{port} (127.0.0.1): loopback address", true},
		{"/301/rebind.test:PORT", "feed: refused to connect to rebind.test:{port} (127.0.0.1): loopback address", true},
		{"/301/outer", "", true}, // the first hop is allowed
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			u := outer.URL + tt.path
			before := innerHits.Load()
			res, err := fetch(t, u, guardOptions(t, false, g), sources.State{})
			if tt.refused == "" {
				if err != nil || res.State.URL != outer.URL+"/feed.xml" {
					t.Fatalf("State.URL %q, err %v; want the move followed", res.State.URL, err)
				}
				return
			}
			refused := strings.NewReplacer("{outer}", outer.URL, "{port}", fmt.Sprint(innerPort)).Replace(tt.refused)
			want := fmt.Sprintf("feed %q: GET %s: %s (set allow_private to fetch from it)", "up", u, refused)
			if err == nil || err.Error() != want || !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if res.State != (sources.State{}) {
				t.Errorf("State = %+v, want none: a refused move is not remembered", res.State)
			}
			if got := innerHits.Load() - before; got != 0 {
				t.Errorf("%d requests reached loopback, want none", got)
			}

			res, err = fetch(t, u, guardOptions(t, true, g), sources.State{})
			if err != nil || len(res.Stories) != 3 {
				t.Fatalf("AllowPrivate: %d stories, err %v; want 3", len(res.Stories), err)
			}
			if moved := res.State.URL != u; moved != tt.moved {
				t.Errorf("AllowPrivate: State.URL = %q, moved %v, want moved %v", res.State.URL, moved, tt.moved)
			}
		})
	}
}

// forwardProxy is a plain HTTP forward proxy on loopback that sends every
// request to origin, whatever name it asks for, as a proxy with its own
// view of DNS would, and records the hosts asked for.
func forwardProxy(t testing.TB, origin string) (*httptest.Server, func() []string) {
	t.Helper()
	fwd := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, origin)
	}}
	t.Cleanup(fwd.CloseIdleConnections)
	var mu sync.Mutex
	var asked []string
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Host)
		mu.Unlock()
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := fwd.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// TestProxy: the proxy, on loopback, is dialled; the target is resolved
// here first and refused if any of its addresses is disallowed, before the
// proxy is asked. AllowPrivate sends everything to the proxy.
func TestProxy(t *testing.T) {
	body := fixture(t, "rss20.xml")
	origin := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/to-rebind" {
			http.Redirect(w, r, "http://rebind.test/feed.xml", http.StatusFound)
			return
		}
		w.Write(body)
	}))
	proxy, asked := forwardProxy(t, origin.Listener.Addr().String())
	proxyURL, _ := url.Parse(proxy.URL)
	dns := newDNSServer(t, map[string][]string{
		"feed.test":   {"93.184.216.34"},
		"rebind.test": {"127.0.0.1"},
		"mixed.test":  {"93.184.216.34", "10.1.2.3"},
		"meta.test":   {"fd00:ec2::254"},
	})
	g := &guard{resolver: dns.resolver(), proxy: http.ProxyURL(proxyURL)}
	tests := []struct {
		url   string
		asked []string // hosts the proxy was asked for
		err   string   // after `feed "up": GET <url>: `; "" = success
	}{
		{"http://feed.test/feed.xml", []string{"feed.test"}, ""},
		{"http://rebind.test/feed.xml", nil,
			"feed: refused to connect to rebind.test:80 (127.0.0.1): loopback address (set allow_private to fetch from it)"},
		{"https://rebind.test/feed.xml", nil,
			"feed: refused to connect to rebind.test:443 (127.0.0.1): loopback address (set allow_private to fetch from it)"},
		{"http://mixed.test:8080/feed.xml", nil,
			"feed: refused to connect to mixed.test:8080 (10.1.2.3): private address (set allow_private to fetch from it)"},
		{"http://meta.test/feed.xml", nil,
			"feed: refused to connect to meta.test:80 (fd00:ec2::254): cloud metadata address (set allow_private to fetch from it)"},
		{"http://feed.test/to-rebind", []string{"feed.test"},
			"feed: refused to connect to rebind.test:80 (127.0.0.1): loopback address (set allow_private to fetch from it)"},
		{"http://nowhere.test/feed.xml", nil,
			"feed: resolving nowhere.test:80 to check it before asking the proxy: lookup nowhere.test"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			before := len(asked())
			res, err := fetch(t, tt.url, guardOptions(t, false, g), sources.State{})
			if got := asked()[before:]; strings.Join(got, " ") != strings.Join(tt.asked, " ") {
				t.Errorf("proxy was asked for %q, want %q", got, tt.asked)
			}
			if tt.err == "" {
				if err != nil || len(res.Stories) != 3 {
					t.Fatalf("%d stories, err %v; want 3", len(res.Stories), err)
				}
				return
			}
			want := fmt.Sprintf("feed %q: GET %s: %s", "up", tt.url, tt.err)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %v\nwant %s", err, want)
			}
			if strings.Contains(tt.err, "refused") != errors.Is(err, ErrPrivateAddress) {
				t.Errorf("errors.Is(err, ErrPrivateAddress) = %v", errors.Is(err, ErrPrivateAddress))
			}
		})
	}

	// The check is the transport's, not only Fetch's.
	t.Run("NewClient alone", func(t *testing.T) {
		client := guardOptions(t, false, g).Client
		before := len(asked())
		resp, err := client.Get("http://127.0.0.1/feed.xml")
		if err == nil {
			resp.Body.Close()
		}
		var ae *AddressError
		if !errors.As(err, &ae) || ae.Rule != "loopback address" || len(asked()) != before {
			t.Errorf("err = %v, proxy asked %d times; want a loopback *AddressError and none", err, len(asked())-before)
		}
	})

	t.Run("AllowPrivate", func(t *testing.T) {
		res, err := fetch(t, "http://rebind.test/feed.xml", guardOptions(t, true, g), sources.State{})
		if err != nil || len(res.Stories) != 3 {
			t.Errorf("%d stories, err %v; want 3 through the proxy", len(res.Stories), err)
		}
	})
}

// TestLocalFilesUnguarded: file:// URLs and paths are not network fetches;
// the address check does not touch them.
func TestLocalFilesUnguarded(t *testing.T) {
	path, err := filepath.Abs("testdata/rss20.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{path, "file://localhost" + path} {
		res, err := fetch(t, u, guardOptions(t, false, nil), sources.State{})
		if err != nil || len(res.Stories) != 3 {
			t.Errorf("%s: %d stories, err %v; want 3", u, len(res.Stories), err)
		}
	}
}

// TestRefuseHostNames: hosts disallowed whatever DNS says are refused as
// written, before any lookup, by Fetch, by NewClient's client alone and on
// the way to a proxy: localhost and the names under it (RFC 6761 §6.3),
// and numeric hosts that are not a standard IP address, which inet_aton
// and the WHATWG URL standard read as 127.0.0.1 while a resolver may
// answer for them as names. Here every name resolves to 127.0.0.2, public
// for the test, where a feed counts the requests that reach it.
func TestRefuseHostNames(t *testing.T) {
	srv, hits := countingFeed(t, "127.0.0.2:0")
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	hosts := []string{"localhost", "LocalHost.", "feeds.localhost", "2130706433", "127.1", "0x7f.1", "0X7F.0.0.1", "0177.0.0.1", "127.0.0.1.", "feeds.0x10"}
	names := map[string][]string{"feed.test": {"127.0.0.2"}, "0xbeef.example": {"127.0.0.2"}}
	for _, h := range hosts {
		names[strings.TrimSuffix(h, ".")] = []string{"127.0.0.2"}
	}
	dns := newDNSServer(t, names)
	proxy, asked := forwardProxy(t, srv.Listener.Addr().String())
	proxyURL, _ := url.Parse(proxy.URL)
	direct := &guard{resolver: dns.resolver(), rule: publicTestAddr, proxy: func(*http.Request) (*url.URL, error) { return nil, nil }}
	proxied := &guard{resolver: dns.resolver(), rule: publicTestAddr, proxy: http.ProxyURL(proxyURL)}

	tests := []struct {
		host    string
		refused string // the rule; "" = fetched
	}{
		{"localhost", "loopback host name"},
		{"LocalHost.", "loopback host name"},
		{"feeds.localhost", "loopback host name"},
		{"2130706433", "IPv4 address in a non-standard form"},
		{"127.1", "IPv4 address in a non-standard form"},
		{"0x7f.1", "IPv4 address in a non-standard form"},
		{"0X7F.0.0.1", "IPv4 address in a non-standard form"},
		{"0177.0.0.1", "IPv4 address in a non-standard form"},
		{"127.0.0.1.", "IPv4 address in a non-standard form"},
		{"feeds.0x10", "IPv4 address in a non-standard form"},
		{"feed.test", ""},
		{"0xbeef.example", ""},
	}
	for _, tt := range tests {
		for _, path := range []struct {
			name string
			g    *guard
		}{{"direct", direct}, {"proxied", proxied}} {
			t.Run(tt.host+"/"+path.name, func(t *testing.T) {
				u := fmt.Sprintf("http://%s:%d/feed.xml", tt.host, port)
				before, askedBefore := hits.Load(), len(asked())
				res, err := fetch(t, u, guardOptions(t, false, path.g), sources.State{})
				if tt.refused == "" {
					if err != nil || len(res.Stories) != 3 {
						t.Fatalf("%d stories, err %v; want 3", len(res.Stories), err)
					}
					return
				}
				refusal := fmt.Sprintf("feed: refused to connect to %s: %s (set allow_private to fetch from it)",
					net.JoinHostPort(tt.host, fmt.Sprint(port)), tt.refused)
				if want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, refusal); err == nil || err.Error() != want || !errors.Is(err, ErrPrivateAddress) {
					t.Errorf("Fetch: err = %v\nwant %s", err, want)
				}

				// The transport's own check, without Fetch's look first.
				resp, err := guardOptions(t, false, path.g).Client.Get(u)
				if err == nil {
					resp.Body.Close()
				}
				var ae *AddressError
				if !errors.As(err, &ae) || ae.Rule != tt.refused || ae.Addr.IsValid() || !strings.EqualFold(ae.Host, net.JoinHostPort(tt.host, fmt.Sprint(port))) {
					t.Errorf("NewClient alone: err = %v, want an *AddressError for %s:%d, %s", err, tt.host, port, tt.refused)
				}
				if got, gotAsked := hits.Load()-before, len(asked())-askedBefore; got != 0 || gotAsked != 0 {
					t.Errorf("%d requests reached the feed, the proxy was asked %d times; want none", got, gotAsked)
				}
			})
		}
	}
}

// TestProxyTargetFullyQualified: a proxied target is resolved as a fully
// qualified name, so the local resolver does not try it under its own
// search domains (which would make "intranet" intranet.corp.example here,
// whatever it is to the proxy).
func TestProxyTargetFullyQualified(t *testing.T) {
	body := fixture(t, "rss20.xml")
	origin := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	proxy, asked := forwardProxy(t, origin.Listener.Addr().String())
	proxyURL, _ := url.Parse(proxy.URL)
	var mu sync.Mutex
	var looked []string
	g := &guard{
		proxy: http.ProxyURL(proxyURL),
		lookup: func(_ context.Context, network, host string) ([]netip.Addr, error) {
			mu.Lock()
			defer mu.Unlock()
			looked = append(looked, network+" "+host)
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		},
	}
	for _, host := range []string{"intranet", "feed.test", "feed.test."} {
		if res, err := fetch(t, "http://"+host+"/feed.xml", guardOptions(t, false, g), sources.State{}); err != nil || len(res.Stories) != 3 {
			t.Errorf("%s: %d stories, err %v; want 3", host, len(res.Stories), err)
		}
	}
	if want := []string{"ip intranet.", "ip feed.test.", "ip feed.test."}; fmt.Sprint(looked) != fmt.Sprint(want) {
		t.Errorf("looked up %q, want %q", looked, want)
	}
	// The proxy is asked for the host as written.
	if want := []string{"intranet", "feed.test", "feed.test."}; fmt.Sprint(asked()) != fmt.Sprint(want) {
		t.Errorf("the proxy was asked for %q, want %q", asked(), want)
	}
}

// TestUnguardedClient: with AllowPrivate false, a client of the caller's
// own that does not refuse private addresses is refused before any request
// is sent (it used to fetch loopback freely); NewClient's guarded client is
// taken, and AllowPrivate takes any client. Local files need no client.
func TestUnguardedClient(t *testing.T) {
	srv, hits := countingFeed(t, "")
	u := srv.URL + "/feed.xml"
	own := &http.Transport{}
	t.Cleanup(own.CloseIdleConnections)
	guardedClient := NewClient(Options{})
	open := NewClient(Options{AllowPrivate: true})
	t.Cleanup(open.CloseIdleConnections)
	unguarded := fmt.Sprintf("feed %q: GET %s: feed: Options.Client does not refuse non-public addresses (build it with NewClient, AllowPrivate false)", "up", u)
	refused := fmt.Sprintf("feed %q: GET %s: feed: refused to connect to %s: loopback address (set allow_private to fetch from it)", "up", u, srv.Listener.Addr())
	tests := []struct {
		name         string
		client       *http.Client
		allowPrivate bool
		err          string // "" = fetched
		is           error
	}{
		{"zero http.Client", &http.Client{}, false, unguarded, ErrUnguardedClient},
		{"a transport of its own", &http.Client{Transport: own}, false, unguarded, ErrUnguardedClient},
		{"NewClient with AllowPrivate", open, false, unguarded, ErrUnguardedClient},
		{"NewClient's guarded transport, wrapped", &http.Client{Transport: roundTripper(guardedClient.Transport.RoundTrip)}, false, unguarded, ErrUnguardedClient},
		{"NewClient without AllowPrivate", guardedClient, false, refused, ErrPrivateAddress},
		{"a transport of its own, AllowPrivate", &http.Client{Transport: own}, true, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.AllowPrivate = tt.allowPrivate
			opts.Client = tt.client
			before := hits.Load()
			res, err := fetch(t, u, opts, sources.State{})
			if tt.err == "" {
				if err != nil || len(res.Stories) != 3 || hits.Load()-before != 1 {
					t.Fatalf("%d stories, err %v, %d requests; want 3 stories from 1", len(res.Stories), err, hits.Load()-before)
				}
				return
			}
			if err == nil || err.Error() != tt.err || !errors.Is(err, tt.is) {
				t.Errorf("err = %v\nwant %s", err, tt.err)
			}
			if got := hits.Load() - before; got != 0 {
				t.Errorf("%d requests reached loopback, want none", got)
			}
		})
	}

	t.Run("local file", func(t *testing.T) {
		path, err := filepath.Abs("testdata/rss20.xml")
		if err != nil {
			t.Fatal(err)
		}
		opts := testOptions(t)
		opts.AllowPrivate = false
		opts.Client = &http.Client{}
		if res, err := fetch(t, path, opts, sources.State{}); err != nil || len(res.Stories) != 3 {
			t.Errorf("%d stories, err %v; want 3", len(res.Stories), err)
		}
	})
}

// roundTripper makes a function an http.RoundTripper, as a caller wrapping
// a transport (for metrics, say) would.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
