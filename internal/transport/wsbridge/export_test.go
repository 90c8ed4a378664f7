package wsbridge

// AppendTextFrame exposes appendTextFrame to the tests.
var AppendTextFrame = appendTextFrame
