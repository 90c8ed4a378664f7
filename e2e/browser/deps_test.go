package browser

import "testing"

// A CommonJS package's named export links (cjs-greet, laid out as react
// is); an edit that imports a package not yet bundled (esm-extra, which
// imports cjs-greet too) rebuilds the dependency bundle, and the page,
// which ran the old one, reloads with Vite's reason. After the reload
// both packages see one instance of cjs-greet.
func TestNewDependencyReloadsWithReason(t *testing.T) {
	needBrowser(t)
	d := serveFixture(t, "deps")
	p := openPage(t, "a", d.url)
	p.waitText("#out", "hello v1")
	p.setMarker()
	from := p.consoleLen()

	d.write(saveAtomic, "src/view.js", `import { greet, instance } from 'cjs-greet';
import { extra, instance as theirs } from 'esm-extra';

document.getElementById('out').textContent = greet('v2') + ' ' + extra + ' ' + (instance === theirs);
import.meta.hot.accept();
`)
	p.waitConsole(from, "[hmrd] full reload: new dependencies optimized: esm-extra, reloading")
	p.waitTrue("the page reloads", reloaded)
	p.waitText("#out", "hello v2 hello extra true")
}
