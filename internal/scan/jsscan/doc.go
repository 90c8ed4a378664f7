// Package jsscan extracts module facts from JavaScript and TypeScript sources:
// import edges with the bindings they use, export names, and the
// import.meta.hot calls that make a module an HMR boundary.
//
// TypeScript, TSX and JSX are first transformed with esbuild (type-only
// imports and imports used only as types disappear exactly as TypeScript
// elides them); the resulting plain JS is then lexed. Plain JS goes through
// esbuild too, so that every syntax error is reported with a position before
// the browser would hit it, unless syntaxOK vouches that esbuild would accept
// it (see Scan). Scan is pure and safe for concurrent use.
//
// # Two lexers
//
// The package has two JavaScript lexers. They share the scanners that
// measure literals, comments and punctuators (scanner.go) and nothing else,
// because each needs what the other cannot give.
//
// The extractor's lexer (lexer.go) reads facts off code that is assumed
// valid: esbuild's output, or a file ScanUnchecked was told not to doubt.
// It must still get through any bytes without failing (FuzzLex feeds it
// garbage), so it lexes loosely: an unterminated literal ends at the line
// break, a run of number-like bytes is one token, escapes and non-ASCII
// runes make identifiers, and non-ASCII spaces separate tokens. It runs
// ahead of any parse, in one pass, into a flat token slice whose groups are
// matched (token.match, token.depth), so extraction can look ahead and jump
// over a nested group in O(1). With no grammar to ask, it guesses whether
// a "/" starts a regular expression from the tokens before it; the guess is
// right for esbuild's output, and a wrong one on contrived input costs at
// most a missed or spurious fact.
//
// The recogniser's lexer (check_lex.go) serves syntaxOK, whose true answer
// must be sound: esbuild certainly accepts the file. A guess about "/"
// could make it accept a file esbuild rejects, so this lexer does not run
// ahead: the recursive-descent parser pulls one token at a time and itself
// says where a regular expression or a template continuation starts
// (rescanRegex, rescanTemplate). There is no token slice; backtracking
// rescans from a saved offset, and nothing past the point where the
// recogniser gives up is lexed. It also needs
// more about each token than the extractor uses — every punctuator and
// keyword classified (ctoken, kwID), whether a line break precedes it (for
// automatic semicolons and restricted productions), whether a number is a
// BigInt — and it must fail on anything it does not model exactly: legacy
// octal, malformed escapes and numbers, U+2028 and U+2029, non-ASCII or
// escaped identifiers, HTML comments, unbalanced groups and bad flags in a
// regular expression.
//
// So the extractor's lexer can neither fail nor consult a grammar, and the
// recogniser's lexer can neither guess nor accept loosely. What they agree
// on is where each element ends, and that is what they share: each shared
// scanner returns the end of a string, template, comment, regular
// expression body or punctuator, plus ok, false when the element is one the
// recogniser does not model exactly. The extractor takes the end and
// ignores ok; the recogniser fails on !ok. Numbers are the exception:
// numberEnd checks the grammar for the recogniser, and looseNumberEnd, next
// to it, is the extractor's run of number-like bytes, which never ends
// before numberEnd's end.
package jsscan
