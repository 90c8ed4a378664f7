package rpcauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// ServerCredentials serves TLS 1.3 with cert.
func ServerCredentials(cert tls.Certificate) credentials.TransportCredentials {
	return credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
}

// Refused is told about every refused RPC: the method, the peer's address
// and why (for a rate-limited log line; the token is never included).
type Refused func(method, peer string, err error)

// UnaryInterceptor refuses a unary RPC without the token.
func UnaryInterceptor(token string, refused Refused) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := check(ctx, token, info.FullMethod, refused); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamInterceptor refuses a streaming RPC without the token, before the
// handler runs (and so before a subscription exists).
func StreamInterceptor(token string, refused Refused) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := check(ss.Context(), token, info.FullMethod, refused); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// check compares the request's "authorization: Bearer <token>" with the
// daemon's token, in constant time.
func check(ctx context.Context, token, method string, refused Refused) error {
	err := checkToken(ctx, token)
	if err == nil {
		return nil
	}
	if refused != nil {
		addr := ""
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			addr = p.Addr.String()
		}
		refused(method, addr, err)
	}
	return status.Error(codes.Unauthenticated, err.Error())
}

func checkToken(ctx context.Context, token string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return errors.New("missing token: this address requires the daemon's token (hmrd --token-file FILE, or HMRD_TOKEN; see docs/operations.md#remote-access)")
	}
	if len(vals) > 1 {
		return errors.New("more than one authorization header")
	}
	scheme, got, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return errors.New("the authorization header must be \"Bearer <token>\"")
	}
	// Hashing first makes the comparison constant-time in the length too.
	a, b := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return errors.New("wrong token")
	}
	return nil
}

// BearerToken is per-RPC credentials sending "authorization: Bearer
// <token>". gRPC refuses to send it on a connection without TLS.
type BearerToken string

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (t BearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials: the
// token never travels in clear text.
func (BearerToken) RequireTransportSecurity() bool { return true }

// ClientTLS is the client's TLS configuration for a daemon: trust the
// certificates in caFile (PEM; the daemon's own certificate for a
// self-signed one) and check the name dialled against them, and/or pin the
// certificate's SHA-256 fingerprint, which checks no name. At least one of
// the two must be given. serverName is the name to check (the dialled
// host when empty).
func ClientTLS(caFile, fingerprint, serverName string) (*tls.Config, error) {
	if caFile == "" && fingerprint == "" {
		return nil, errors.New("TLS needs a CA file or a certificate fingerprint to trust")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: serverName}
	if caFile != "" {
		pemData, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("TLS CA file %s: no PEM certificate in it", caFile)
		}
		cfg.RootCAs = pool
	}
	if fingerprint != "" {
		pin, err := ParseFingerprint(fingerprint)
		if err != nil {
			return nil, err
		}
		if caFile == "" {
			// The pin is the whole check: the certificate is the
			// daemon's own, whatever name or CA it carries.
			cfg.InsecureSkipVerify = true
		}
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("hmrd: the daemon sent no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if !bytes.Equal(sum[:], pin) {
				return fmt.Errorf("hmrd: the daemon's certificate has fingerprint %s, not the pinned one", Fingerprint(cs.PeerCertificates[0].Raw))
			}
			return nil
		}
	}
	return cfg, nil
}
