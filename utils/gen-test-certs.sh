#!/bin/sh
# Creates a throwaway certificate authority plus server and client certificates
# for the TLS tests (openssl CLI only). Usage: utils/gen-test-certs.sh [DIR]
# DIR defaults to tests/tls. Keys are generated here, never committed.
set -e

dir=${1:-tests/tls}
days=${DAYS:-365}
mkdir -p "$dir"
cd "$dir"

# Self-signed root: the only thing both sides need to trust.
openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days "$days" \
    -keyout ca.key -out ca.crt -subj "/O=valkey-test/CN=Test CA" 2>/dev/null

# issue NAME CN USAGE [SAN]: a key and a CA-signed certificate for one role.
issue() {
    name=$1 cn=$2 usage=$3 san=$4
    ext="$name.ext"
    {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$usage"
        [ -n "$san" ] && echo "subjectAltName=$san"
    } >"$ext"
    openssl req -new -nodes -newkey rsa:2048 -sha256 \
        -keyout "$name.key" -out "$name.csr" -subj "/O=valkey-test/CN=$cn" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
        -days "$days" -sha256 -extfile "$ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$ext"
}

issue server "Server-only" serverAuth "DNS:localhost,IP:127.0.0.1"
issue client "Client-only" clientAuth
# A certificate good for both roles, as a replica presents to its primary.
issue valkey "Generic-cert" "serverAuth,clientAuth" "DNS:localhost,IP:127.0.0.1"

# Encrypted copy of the server key, for tls-key-file-pass.
openssl pkey -in server.key -aes256 -passout pass:testpass -out server-enc.key 2>/dev/null

# A CA directory (hashed symlinks) for tls-ca-cert-dir.
mkdir -p ca-dir
cp ca.crt ca-dir/ca.crt
ln -sf ca.crt "ca-dir/$(openssl x509 -hash -noout -in ca.crt).0"

chmod 600 ./*.key
echo "Test certificates written to $(pwd)"
