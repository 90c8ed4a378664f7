package jsscan

import (
	"reflect"
	"testing"
)

func TestLexCommonJS(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want CommonJS
	}{
		{"react index", `'use strict';
if (process.env.NODE_ENV === 'production') {
  module.exports = require('./cjs/react.production.js');
} else {
  module.exports = require('./cjs/react.development.js');
}`, CommonJS{Reexports: []string{"./cjs/react.production.js", "./cjs/react.development.js"}}},
		{"react development", `"use strict";
"production" !== process.env.NODE_ENV &&
  (function () {
    var re = /exports.nope = 1/g;
    const s = "exports.nope2 = 1", t = ` + "`exports.nope3 = ${1}`" + `;
    // exports.nope4 = 1
    exports.Children = fnName;
    exports.useState = function (initialState) { return x; };
    exports["use-it"] = 1;
    exports.version = "19";
    exports.useState = dup;
    exports.same == 1;
    foo.exports.notMine = 1;
  })();`, CommonJS{Exports: []string{"Children", "useState", "use-it", "version"}}},
		{"module.exports members", `module.exports.a = 1; module.exports['b'] = 2; Object.defineProperty(exports, "c", { enumerable: true, get: function () { return c; } });
Object.defineProperty(exports, "__esModule", { value: true }); exports.default = 3;`,
			CommonJS{Exports: []string{"a", "b", "c"}, ESModuleFlag: true}},
		{"object literal", `module.exports = { a, b: 1, 'c': f(x, y), ...require("./d"), get e() { return 1 }, f };`,
			CommonJS{Exports: []string{"a", "b", "c"}, Reexports: []string{"./d"}}},
		{"esbuild hint", `var src_exports = {};
__export(src_exports, { foo: () => foo, bar: () => bar });
module.exports = __toCommonJS(src_exports);
0 && (module.exports = {
  bar,
  foo
});`, CommonJS{Exports: []string{"bar", "foo"}}},
		{"typescript and babel re-exports", `"use strict";
__exportStar(require("./a"), exports);
tslib.__exportStar(require("./b"), exports);
__export(require("./c"));
var _d = require("./d");
var _e = _interopRequireWildcard(require("./e"));
Object.keys(_d).forEach(function (key) { exports[key] = _d[key]; });
Object.keys(_e).forEach(function (key) { exports[key] = _e[key]; });`,
			CommonJS{Reexports: []string{"./a", "./b", "./c", "./d", "./e"}}},
		{"dynamic import is not module syntax", `const m = import("./x"); exports.a = 1; const o = { export: 1, import: 2 };`,
			CommonJS{Exports: []string{"a"}}},
		{"import statement", `import x from "y"; exports.a = 1;`, CommonJS{ModuleSyntax: true}},
		{"export statement", `exports.a = 1; export const b = 2;`, CommonJS{ModuleSyntax: true}},
		{"import.meta", `if (import.meta.hot) {} exports.a = 1`, CommonJS{ModuleSyntax: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LexCommonJS([]byte(tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LexCommonJS:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
