package rpcauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// certLifetime is how long a generated certificate is valid; one that
// expires within renewBefore is replaced (with a new fingerprint) when
// the daemon starts.
const (
	certLifetime = 2 * 365 * 24 * time.Hour
	renewBefore  = 7 * 24 * time.Hour
)

// Certificate returns the daemon's generated key pair kept in dir
// (KeyFile and CertFile, mode 0600), creating it when it does not exist,
// and replacing the certificate (not the key) when it has expired or is
// about to. The certificate is self-signed, ECDSA P-256, and names hosts
// (host names and IP addresses) so that clients that trust it as a CA can
// also check the name they dialled; clients may instead pin its
// fingerprint, which does not depend on names.
func Certificate(dir string, hosts []string) (tls.Certificate, error) {
	keyPath, certPath := filepath.Join(dir, KeyFile), filepath.Join(dir, CertFile)
	key, err := loadOrCreateKey(keyPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("TLS key: %w", err)
	}
	if certPEM, err := readPrivate(certPath); err == nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err == nil && time.Until(pair.Leaf.NotAfter) > renewBefore {
			return pair, nil
		}
		// Expired, about to, or made for another key: a new one.
	} else if !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, err
	}
	certPEM, err := selfSigned(key, hosts)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := replacePrivate(certPath, certPEM); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// LoadCertificate reads a key pair the user gave (--tls-cert, --tls-key).
func LoadCertificate(certFile, keyFile string) (tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("TLS certificate %s, key %s: %w", certFile, keyFile, err)
	}
	return pair, nil
}

func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	for range 2 {
		data, err := readPrivate(path)
		if err == nil {
			return parseKey(path, data)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("TLS key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("TLS key: %w", err)
		}
		created, err := createPrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		if err != nil {
			return nil, err
		}
		if created {
			return key, nil
		}
		// Another daemon wrote one meanwhile: read that.
	}
	return nil, fmt.Errorf("TLS key %s: created and removed concurrently", path)
}

func parseKey(path string, data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("TLS key %s: not a PEM private key (remove it to create a new one)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("TLS key %s: %w", path, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("TLS key %s: not an ECDSA key (remove it to create a new one)", path)
	}
	return key, nil
}

// readPrivate reads a file that must be private to its owner.
func readPrivate(path string) ([]byte, error) {
	if err := checkPrivate(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// replacePrivate writes data to path with mode 0600, replacing what is
// there in one rename.
func replacePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func selfSigned(key *ecdsa.PrivateKey, hosts []string) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "hmrd", Organization: []string{"hmrd daemon"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if h != "" && !slices.Contains(tmpl.DNSNames, h) {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Fingerprint is the SHA-256 of a certificate's DER encoding, as
// "sha256:" and 64 lower-case hex digits.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ParseFingerprint accepts a SHA-256 fingerprint as Fingerprint writes it,
// or as openssl prints it ("sha256 Fingerprint=AB:CD:…"): an optional
// "sha256:" or "sha256 Fingerprint=" prefix, then 64 hex digits, with or
// without colons, in either case.
func ParseFingerprint(s string) ([]byte, error) {
	v := strings.TrimSpace(s)
	lower := strings.ToLower(v)
	for _, p := range []string{"sha256 fingerprint=", "sha256:", "sha256="} {
		if strings.HasPrefix(lower, p) {
			v = v[len(p):]
			break
		}
	}
	v = strings.ReplaceAll(v, ":", "")
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("TLS fingerprint %q: want a SHA-256 fingerprint, 64 hex digits (sha256:…)", s)
	}
	return b, nil
}
