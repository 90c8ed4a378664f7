package hmrdclient

import (
	"fmt"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hmrd/hmrd/internal/transport/rpcauth"
)

// Environment variables Dial reads when the corresponding option is not
// given (docs/operations.md#remote-access).
const (
	// EnvToken is the daemon's token, sent over TLS only.
	EnvToken = "HMRD_TOKEN"
	// EnvTLSCA is a PEM file of certificates to trust (for a daemon's
	// generated certificate: that certificate itself).
	EnvTLSCA = "HMRD_TLS_CA"
	// EnvTLSFingerprint pins the daemon certificate's SHA-256
	// fingerprint ("sha256:…", as `hmrd serve` prints it).
	EnvTLSFingerprint = "HMRD_TLS_FINGERPRINT"
)

// TLS says how to authenticate a daemon that serves TLS (one listening on
// an address other machines can reach, or started with --grpc-secure). At
// least one of CAFile and Fingerprint is needed.
type TLS struct {
	// CAFile is a PEM file of certificates to trust; the name dialled is
	// checked against the daemon's certificate. For a certificate the
	// daemon generated, this is that certificate (grpc-cert.pem in its
	// state directory).
	CAFile string
	// Fingerprint pins the SHA-256 fingerprint of the daemon's
	// certificate, as `hmrd serve` prints it ("sha256:…"; openssl's
	// colon-separated form works too). With a pin and no CAFile no name
	// is checked: the certificate is known exactly.
	Fingerprint string
	// ServerName overrides the name checked against the certificate with
	// CAFile (default: the host dialled).
	ServerName string
}

// WithTLS connects over TLS (TCP targets only). Without it, Dial uses TLS
// when HMRD_TLS_CA or HMRD_TLS_FINGERPRINT is set and the target is TCP.
func WithTLS(t TLS) Option { return func(o *options) { o.tls = &t } }

// WithToken sends the daemon's token with every RPC ("authorization:
// Bearer <token>"). It is sent over TLS only: Dial refuses a token for a
// connection without TLS. Without it (and WithTokenFile), Dial uses
// HMRD_TOKEN when the connection uses TLS.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithTokenFile is WithToken with the token read from a file (the
// daemon's grpc-token, or a copy of it).
func WithTokenFile(path string) Option { return func(o *options) { o.tokenFile = path } }

// security decides the transport credentials and the token for ep from
// the options and the environment.
func (o *options) security(ep endpoint) (credentials.TransportCredentials, string, error) {
	t := o.tls
	if t != nil && ep.network != "tcp" {
		return nil, "", fmt.Errorf("hmrd dial %s: TLS is for TCP targets, and this is a unix socket", ep)
	}
	if t == nil && ep.network == "tcp" {
		if ca, fp := os.Getenv(EnvTLSCA), os.Getenv(EnvTLSFingerprint); ca != "" || fp != "" {
			t = &TLS{CAFile: ca, Fingerprint: fp}
		}
	}
	token := o.token
	if token == "" && o.tokenFile != "" {
		tok, err := rpcauth.ReadToken(o.tokenFile, false)
		if err != nil {
			return nil, "", fmt.Errorf("hmrd dial %s: %w", ep, err)
		}
		token = tok
	}
	if t == nil {
		if token != "" {
			return nil, "", fmt.Errorf("hmrd dial %s: a token is only sent over TLS: give the daemon's certificate or fingerprint too (WithTLS; hmrd --tls-ca or --tls-fingerprint)", ep)
		}
		if ep.network == "tcp" && !loopbackHost(ep.address) {
			return nil, "", fmt.Errorf("hmrd dial %s: a daemon on an address other machines can reach serves TLS only: give its certificate or fingerprint (WithTLS; hmrd --tls-ca or --tls-fingerprint; or %s or %s)", ep, EnvTLSCA, EnvTLSFingerprint)
		}
		return insecure.NewCredentials(), "", nil
	}
	cfg, err := rpcauth.ClientTLS(t.CAFile, t.Fingerprint, t.ServerName)
	if err != nil {
		return nil, "", fmt.Errorf("hmrd dial %s: %w", ep, err)
	}
	if token == "" {
		token = strings.TrimSpace(os.Getenv(EnvToken))
	}
	if token != "" {
		if err := rpcauth.ValidToken(token); err != nil {
			return nil, "", fmt.Errorf("hmrd dial %s: %w", ep, err)
		}
	}
	return credentials.NewTLS(cfg), token, nil
}

// loopbackHost reports whether a host:port names this machine only.
func loopbackHost(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
