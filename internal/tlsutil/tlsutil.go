// Package tlsutil loads the PEM files TLS is configured with, the same way
// for a node's tls-port and replication link and for replscope watch's
// client side.
package tlsutil

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
)

// CAPool reads the certificates of a CA file and of every file in a CA
// directory (Redis's tls-ca-cert-file / tls-ca-cert-dir, redis-cli's
// --cacert / --cacert-dir). It returns nil when both are empty. A CA file
// without any certificate is an error; files of the directory that hold
// none (an index, a README) are skipped, as OpenSSL's hashed directories
// allow.
func CAPool(file, dir string) (*x509.CertPool, error) {
	if file == "" && dir == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	var files []string
	if file != "" {
		files = append(files, file)
	}
	if dir != "" {
		matches, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			return nil, fmt.Errorf("tls: CA directory %s: %w", dir, err)
		}
		files = append(files, matches...)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.IsDir() {
			continue
		}
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("tls: read CA %s: %w", f, err)
		}
		if !pool.AppendCertsFromPEM(pem) && f == file {
			return nil, fmt.Errorf("tls: no certificate in %s", f)
		}
	}
	return pool, nil
}
