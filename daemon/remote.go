package daemon

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/hmrd/hmrd/internal/sockpath"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
)

// DefaultStateDir is where the daemon keeps its gRPC token and generated
// TLS key pair unless Config.StateDir says otherwise: $XDG_STATE_HOME/hmrd,
// else ~/.local/state/hmrd.
func DefaultStateDir() string { return sockpath.StateDir() }

// RemoteAccess is what a client on another machine needs to reach the
// daemon's authenticated gRPC listener (docs/operations.md#remote-access).
type RemoteAccess struct {
	// Addr is the address the TCP listener is bound to (host:port).
	Addr string
	// Fingerprint is the SHA-256 fingerprint of the TLS certificate,
	// "sha256:" and 64 hex digits, for clients to pin.
	Fingerprint string
	// CertFile is the certificate (generated, or given with TLSCert), for
	// clients that trust it as a CA instead.
	CertFile string
	// TokenFile holds the bearer token every RPC must carry.
	TokenFile string
}

// RemoteAccess describes the TCP gRPC listener when it requires TLS and
// the token; ok is false when there is none (no GRPCAddr, or a loopback
// one). Valid after Ready.
func (d *Daemon) RemoteAccess() (ra RemoteAccess, ok bool) {
	if d.remote == nil {
		return RemoteAccess{}, false
	}
	return *d.remote, true
}

// isLoopbackAddr reports whether a listen address ("host:port") is
// reachable from this machine only: "localhost" or a loopback IP. An
// empty host (every interface), an unspecified address, any other IP and
// any other name count as reachable from elsewhere: the rule must not
// depend on what a name resolves to today.
func isLoopbackAddr(addr string) bool {
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

// grpcSecure reports whether the TCP gRPC listener requires TLS and the
// token: always on an address other machines can reach, and on loopback
// when asked (GRPCSecure, or a certificate given).
func (c *Config) grpcSecure() bool {
	return c.GRPCAddr != "" && (c.GRPCSecure || c.TLSCert != "" || !isLoopbackAddr(c.GRPCAddr))
}

// checkRemote refuses configurations that would expose the API or the dev
// server to other machines without what protects them.
func (c *Config) checkRemote() error {
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		if c.TLSCert == "" {
			return errors.New("hmrd: --tls-key needs --tls-cert")
		}
		return errors.New("hmrd: --tls-cert needs --tls-key")
	case c.TLSCert != "" && c.GRPCAddr == "":
		return errors.New("hmrd: --tls-cert and --tls-key are for the TCP listener: pass --grpc ADDR too")
	case c.GRPCSecure && c.GRPCAddr == "":
		return errors.New("hmrd: --grpc-secure is for the TCP listener: pass --grpc ADDR too")
	}
	if c.HTTPAddr != "" && c.HTTPAddr != "off" && !isLoopbackAddr(c.HTTPAddr) && len(c.AllowHosts) == 0 {
		return fmt.Errorf("hmrd: the dev server address %s is reachable from other machines: name the host browsers will use with --allow-host NAME (the dev server answers only the host names it is given), or listen on 127.0.0.1", c.HTTPAddr)
	}
	return nil
}

// remoteCredentials reads or creates what the TCP listener needs: the
// certificate (given, or generated in the state directory) and the token.
func (d *Daemon) remoteCredentials() (tls.Certificate, string, *RemoteAccess, error) {
	dir := d.cfg.StateDir
	if dir == "" {
		dir = DefaultStateDir()
	}
	if err := rpcauth.EnsureDir(dir); err != nil {
		return tls.Certificate{}, "", nil, fmt.Errorf("hmrd: %w", err)
	}
	ra := &RemoteAccess{TokenFile: filepath.Join(dir, rpcauth.TokenFile)}
	token, err := rpcauth.Token(ra.TokenFile)
	if err != nil {
		return tls.Certificate{}, "", nil, fmt.Errorf("hmrd: gRPC token: %w", err)
	}
	var cert tls.Certificate
	if d.cfg.TLSCert != "" {
		cert, err = rpcauth.LoadCertificate(d.cfg.TLSCert, d.cfg.TLSKey)
		ra.CertFile = d.cfg.TLSCert
	} else {
		cert, err = rpcauth.Certificate(dir, certHosts(d.cfg.GRPCAddr))
		ra.CertFile = filepath.Join(dir, rpcauth.CertFile)
	}
	if err != nil {
		return tls.Certificate{}, "", nil, fmt.Errorf("hmrd: %w", err)
	}
	ra.Fingerprint = rpcauth.Fingerprint(cert.Certificate[0])
	return cert, token, ra, nil
}

// certHosts are the names a generated certificate carries: loopback, this
// machine's host name, the listen address, and, for a listener on every
// interface, the addresses the machine has now. Clients that pin the
// fingerprint do not depend on them.
func certHosts(addr string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	host, _, _ := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	switch {
	case host != "" && (ip == nil || !ip.IsUnspecified()):
		hosts = append(hosts, host)
	default:
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
					hosts = append(hosts, n.IP.String())
				}
			}
		}
	}
	return hosts
}
