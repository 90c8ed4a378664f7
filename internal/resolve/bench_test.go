package resolve

import "testing"

func BenchmarkResolveRelativeWarm(b *testing.B) {
	r := newTestResolver(fixture())
	if _, err := r.Resolve(main, "./utils/x"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(main, "./utils/x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveBareWarm(b *testing.B) {
	r := newTestResolver(fixture())
	if _, err := r.Resolve(main, "exp-sub/utils/deep/b"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(main, "exp-sub/utils/deep/b"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveCold measures a first resolution of every table case on a
// fresh resolver (filesystem in memory), i.e. the cache-filling path.
func BenchmarkResolveCold(b *testing.B) {
	fsys := fixture()
	b.ReportAllocs()
	for b.Loop() {
		r := newTestResolver(fsys)
		for _, tc := range cases {
			imp := tc.importer
			if imp == "" {
				imp = main
			}
			r.Resolve(imp, tc.spec)
		}
	}
}
