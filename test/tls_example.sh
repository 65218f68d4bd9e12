#!/bin/sh
# Runs docs/examples/tls_example with a certificate for localhost made by the openssl command.
set -eu
example=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
exec "$example" "$dir/cert.pem" "$dir/key.pem"
