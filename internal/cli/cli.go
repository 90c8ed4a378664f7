// Package cli is the hmrd command line: one file per subcommand, all but
// `serve` talking to the daemon only through the Go client
// (clients/go/hmrdclient), as any other program would (docs/design.md#shape).
//
// Run takes its arguments and writers as parameters and returns the exit
// status, so tests run the CLI in-process against a fake daemon:
//
//	0  success
//	1  the daemon reported an error (unknown project, bad module, ...)
//	2  usage error, or no daemon running
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Version is the hmrd version, stamped at build time with
// -ldflags "-X github.com/hmrd/hmrd/internal/cli.Version=v1.2.3"; without
// it, the module version of a `go install`ed binary, else "dev".
var Version = "dev"

func init() {
	if Version != "dev" {
		return
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		Version = bi.Main.Version
	}
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// rpcTimeout bounds one control RPC, so that a wedged daemon does not hang
// a command forever.
const rpcTimeout = 30 * time.Second

// command is one subcommand.
type command struct {
	name    string
	args    string // positional arguments, for the usage line
	summary string
	// setup registers the command's flags and returns what to run once
	// they are parsed, with the positional arguments.
	setup func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error
}

// commands in the order `hmrd help` lists them. Each lives in its own file.
var commands = []*command{
	serveCmd,
	statusCmd,
	eventsCmd,
	explainCmd,
	graphCmd,
	invalidateCmd,
	addCmd,
	removeCmd,
	versionCmd,
}

// env is what every command shares: the writers and how to reach the
// daemon.
type env struct {
	stdout, stderr io.Writer
	socket         string // --socket, "" for the default
	grpcAddr       string // --grpc host:port
	// How a client authenticates a daemon serving TLS, and itself to it
	// (docs/operations.md#remote-access).
	token, tokenFile string // --token, --token-file
	tlsCA, tlsPin    string // --tls-ca, --tls-fingerprint
}

// Run runs the hmrd command line (args without the program name) and
// returns the exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	global := flag.NewFlagSet("hmrd", flag.ContinueOnError)
	global.SetOutput(io.Discard) // errors and usage are printed below
	e.connFlags(global)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "hmrd: %v\n", err)
		usage(stderr)
		return exitUsage
	}
	args = global.Args()
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, args := args[0], args[1:]
	if name == "help" {
		return help(stdout, stderr, args)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "hmrd: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("hmrd "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := cmd.setup(fs, e)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(stdout, cmd, fs)
			return exitOK
		}
		fmt.Fprintf(stderr, "hmrd %s: %v\n", cmd.name, err)
		commandUsage(stderr, cmd, fs)
		return exitUsage
	}
	return e.exit(cmd, fs, run(ctx, pos))
}

// exit prints err the way people expect from a CLI and maps it to the
// exit status.
func (e *env) exit(cmd *command, fs *flag.FlagSet, err error) int {
	var ue *usageError
	var nd *hmrdclient.NoDaemonError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "hmrd %s: %s\n", cmd.name, ue.msg)
		commandUsage(e.stderr, cmd, fs)
		return exitUsage
	case errors.As(err, &nd):
		fmt.Fprintf(e.stderr, "hmrd: no daemon running at %s (start one with `hmrd serve`)\n", nd.Addr)
		return exitUsage
	case errors.Is(err, hmrdclient.ErrNoDaemon):
		// It answered Dial and went away since.
		fmt.Fprintf(e.stderr, "hmrd: no daemon running at %s (start one with `hmrd serve`): %v\n", e.addr(), err)
		return exitUsage
	}
	if ambiguousProject(err) {
		fmt.Fprintf(e.stderr, "hmrd: %v: pass --project NAME\n", err)
		return exitError
	}
	fmt.Fprintf(e.stderr, "hmrd: %v\n", err)
	return exitError
}

// ambiguousProject reports the daemon's refusal of a request that named no
// project while it watches several: the CLI's answer to that is a flag the
// daemon does not know about.
func ambiguousProject(err error) bool {
	var he *hmrdclient.Error
	return errors.As(err, &he) && he.Code == codes.InvalidArgument && strings.HasSuffix(he.Message, "the request must name one")
}

// usageError is a command line the command cannot run: exit 2 with the
// command's usage.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `hmrd is a hot-module-replacement signalling daemon and its command line.

Usage:
  hmrd [--socket PATH | --grpc ADDR] COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintf(w, "  %-28s %s\n", "help [COMMAND]", "this text, or a command's flags")
	fmt.Fprint(w, `
Global flags (also accepted after the command):
  --socket PATH   the daemon's unix socket (default $HMRD_SOCKET, else
                  $XDG_RUNTIME_DIR/hmrd/hmrd.sock, else /tmp/hmrd-UID/hmrd.sock)
  --grpc ADDR     reach the daemon over TCP at host:port instead

A daemon on an address other machines can reach serves TLS and wants its
token (docs/operations.md#remote-access):
  --tls-fingerprint FP   pin its certificate (sha256:..., as serve prints
                         it; default $HMRD_TLS_FINGERPRINT)
  --tls-ca FILE          or trust this certificate file (default $HMRD_TLS_CA)
  --token-file FILE      its token (the daemon's grpc-token, or a copy)
  --token TOKEN          or the token itself (default $HMRD_TOKEN)

--project may be left out when the daemon has exactly one project.
Exit status: 0 success, 1 the daemon reported an error, 2 usage error or
no daemon running.
`)
}

func commandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: hmrd %s\n\n%s.\n\nFlags:\n", strings.TrimSpace(cmd.name+" [flags] "+cmd.args), upperFirst(cmd.summary))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func help(stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "hmrd help: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("hmrd "+cmd.name, flag.ContinueOnError)
	cmd.setup(fs, &env{stdout: stdout, stderr: stderr})
	commandUsage(stdout, cmd, fs)
	return exitOK
}

// parseInterspersed parses flags anywhere among the positional arguments
// (`hmrd explain src/a.js --json` as well as `hmrd explain --json
// src/a.js`), which the flag package alone stops at; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// connFlags registers how to reach the daemon on fs: --socket, --grpc and
// the remote-access flags. On a subcommand's flag set the defaults are the
// global flags' values, so both places work.
func (e *env) connFlags(fs *flag.FlagSet) {
	e.listenFlags(fs, "reach the daemon over TCP at `host:port`")
	fs.StringVar(&e.tlsPin, "tls-fingerprint", e.tlsPin, "pin the TLS certificate of a remote daemon: its SHA-256 `fingerprint` (sha256:..., as serve prints it; default $HMRD_TLS_FINGERPRINT)")
	fs.StringVar(&e.tlsCA, "tls-ca", e.tlsCA, "trust the certificates in this PEM `file` for a remote daemon (default $HMRD_TLS_CA)")
	fs.StringVar(&e.tokenFile, "token-file", e.tokenFile, "read the remote daemon's token from `file`")
	fs.StringVar(&e.token, "token", e.token, "the remote daemon's `token` (default $HMRD_TOKEN; --token-file keeps it out of the process list)")
}

// listenFlags registers --socket and --grpc, which serve shares with the
// clients; grpcUsage says what --grpc means for the command.
func (e *env) listenFlags(fs *flag.FlagSet, grpcUsage string) {
	fs.StringVar(&e.socket, "socket", e.socket, "the daemon's unix socket `path` (default $HMRD_SOCKET, else the per-user socket)")
	fs.StringVar(&e.grpcAddr, "grpc", e.grpcAddr, grpcUsage)
}

// addr is the daemon address as messages show it.
func (e *env) addr() string {
	switch {
	case e.grpcAddr != "":
		return e.grpcAddr
	case e.socket != "":
		return e.socket
	}
	return hmrdclient.DefaultSocket()
}

// dial connects to the daemon the flags name.
func (e *env) dial(ctx context.Context) (*hmrdclient.Client, error) {
	if e.grpcAddr != "" && e.socket != "" {
		return nil, usagef("--socket and --grpc name two daemons: pass one")
	}
	if e.token != "" && e.tokenFile != "" {
		return nil, usagef("--token and --token-file both give the token: pass one")
	}
	target := e.socket
	if e.grpcAddr != "" {
		target = "tcp://" + e.grpcAddr
	}
	opts := []hmrdclient.Option{hmrdclient.WithClientInfo(clientInfo())}
	if e.tlsCA != "" || e.tlsPin != "" {
		opts = append(opts, hmrdclient.WithTLS(hmrdclient.TLS{CAFile: e.tlsCA, Fingerprint: e.tlsPin}))
	}
	switch {
	case e.token != "":
		opts = append(opts, hmrdclient.WithToken(e.token))
	case e.tokenFile != "":
		opts = append(opts, hmrdclient.WithTokenFile(e.tokenFile))
	}
	return hmrdclient.Dial(ctx, target, opts...)
}

// clientInfo is how the CLI appears in `hmrd status`.
func clientInfo() *hmrdv1.ClientInfo {
	return &hmrdv1.ClientInfo{Name: "hmrd-cli", Version: Version, Kind: "cli"}
}

// withClient dials, runs fn with a bounded context, and closes.
func (e *env) withClient(ctx context.Context, fn func(ctx context.Context, c *hmrdclient.Client) error) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	return fn(ctx, c)
}

// projectFlag registers --project.
func projectFlag(fs *flag.FlagSet) *string {
	return fs.String("project", "", "project `name` (may be left out when the daemon has one project)")
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, n int, what string) error {
	if len(args) < n {
		return usagef("missing %s", what)
	}
	if len(args) > n {
		return usagef("unexpected arguments after %s: %s", what, strings.Join(args[n:], " "))
	}
	return nil
}

// errWriter keeps the first write error, so printing code can check once
// at the end instead of after every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
