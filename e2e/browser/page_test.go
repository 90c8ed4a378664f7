package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// subscribedLog is what the runtime logs (console.debug) once the daemon
// said Hello: from then on no signal is missed.
const subscribedLog = "[hmrd] subscribed to "

// page is one tab, with everything its console printed.
type page struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	changed chan struct{} // closed and replaced on each new message
}

// openPage opens url in a new tab and waits until the runtime subscribed.
func openPage(t *testing.T, name, url string) *page {
	t.Helper()
	p := openTab(t, name, url)
	p.waitConsole(0, subscribedLog)
	return p
}

// openTab opens url in a new tab, recording its console from the start.
func openTab(t *testing.T, name, url string) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	p := &page{t: t, name: name, ctx: ctx, changed: make(chan struct{})}
	// Console opens the tab and subscribes before the first navigation.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("HMRD_BROWSER_VERBOSE") != "" {
			t.Logf("console of tab %s:\n%s", name, p.consoleText())
		}
		cancel()
	})
	nctx, ncancel := context.WithTimeout(ctx, 30*time.Second)
	defer ncancel()
	if err := chromedp.Do(nctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("tab %s: navigate to %s: %v", name, url, err)
	}
	return p
}

func (p *page) consoleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, m := range p.console {
		fmt.Fprintf(&b, "  %s\n", m)
	}
	return b.String()
}

// waitConsole waits for a console message, at index from or later, that
// contains every one of parts, and returns its index.
func (p *page) waitConsole(from int, parts ...string) int {
	p.t.Helper()
	deadline := time.After(waitFor)
	for {
		p.mu.Lock()
		changed := p.changed
		for i := from; i < len(p.console); i++ {
			if containsAll(p.console[i].Text, parts) {
				p.mu.Unlock()
				return i
			}
		}
		p.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			p.t.Fatalf("tab %s: no console message with %q within %v", p.name, parts, waitFor)
		}
	}
}

// consoleLen is the number of console messages so far.
func (p *page) consoleLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.console)
}

func containsAll(s string, parts []string) bool {
	for _, part := range parts {
		if !strings.Contains(s, part) {
			return false
		}
	}
	return true
}

// try evaluates expr once; the value is decoded from JSON.
func (p *page) try(expr string) (any, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[any](expr))
}

// eval evaluates expr and fails the test on an error.
func (p *page) eval(expr string) any {
	p.t.Helper()
	v, err := p.try(expr)
	if err != nil {
		p.t.Fatalf("tab %s: %s: %v", p.name, expr, err)
	}
	return v
}

// poll evaluates expr until ok accepts its value, or fails the test after
// waitFor. Errors (such as a page being reloaded) count as not yet.
func (p *page) poll(what, expr string, ok func(any) bool) any {
	p.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		v, err := p.try(expr)
		if err == nil && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			body, _ := p.try(`document.body ? document.body.innerHTML : null`)
			p.t.Fatalf("tab %s: %s: not within %v\n%s gave %s (error %v)\nbody: %v",
				p.name, what, waitFor, expr, jsonText(v), err, body)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-p.ctx.Done():
			p.t.Fatalf("tab %s: %s: %v", p.name, what, p.ctx.Err())
		}
	}
}

// waitTrue waits until expr is true.
func (p *page) waitTrue(what, expr string) {
	p.t.Helper()
	p.poll(what, expr, func(v any) bool { return v == true })
}

// waitValue waits until expr evaluates to want (compared as JSON).
func (p *page) waitValue(expr string, want any) {
	p.t.Helper()
	p.poll(fmt.Sprintf("want %s", jsonText(want)), expr, func(v any) bool { return jsonText(v) == jsonText(want) })
}

// expectValue fails the test unless expr evaluates to want now.
func (p *page) expectValue(what, expr string, want any) {
	p.t.Helper()
	if got := p.eval(expr); jsonText(got) != jsonText(want) {
		p.t.Errorf("tab %s: %s: %s = %s, want %s", p.name, what, expr, jsonText(got), jsonText(want))
	}
}

// text is the textContent of the first element matching sel, or null.
func text(sel string) string {
	return fmt.Sprintf(`document.querySelector(%s)?.textContent ?? null`, jsonText(sel))
}

// waitText waits until the element sel shows want.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	p.waitValue(text(sel), want)
}

// computed is the computed style property prop of the element sel.
func computed(sel, prop string) string {
	return fmt.Sprintf(`getComputedStyle(document.querySelector(%s)).getPropertyValue(%s)`, jsonText(sel), jsonText(prop))
}

// click clicks the element sel with the mouse.
func (p *page) click(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("tab %s: click %s: %v", p.name, sel, err)
	}
}

// setMarker sets window.__marker; a reload of the page drops it.
func (p *page) setMarker() {
	p.t.Helper()
	p.eval(`window.__marker = 1`)
}

// expectNoReload fails the test if the page reloaded since setMarker.
func (p *page) expectNoReload() {
	p.t.Helper()
	if v := p.eval(`window.__marker ?? null`); v != float64(1) {
		p.t.Errorf("tab %s: the page reloaded (window.__marker is %s, want 1)", p.name, jsonText(v))
	}
}

// reloaded is true once the page reloaded since setMarker.
const reloaded = `window.__marker === undefined && document.readyState === 'complete'`

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
