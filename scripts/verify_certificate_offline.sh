#!/usr/bin/env bash
# Verify a signed certificate credential offline, with bash, coreutils and openssl 3 only.
#
#   scripts/verify_certificate_offline.sh CERT.jwt KEY.pem [CERT.pdf]
#
# CERT.jwt  the credential: a compact JWS (header.payload.signature, base64url, EdDSA/Ed25519)
# KEY.pem   the portal's public key, from https://<portal>/.well-known/ssb-signing-key.pem
# CERT.pdf  optional: the certificate PDF, checked against the SHA-256 the credential carries
#
# Prints the credential JSON on success. Exits 0 only when the signature (and the PDF hash, if a
# PDF is given) verify; 1 when they do not; 2 when the input is unusable. The same steps are
# written out one by one in docs/VERIFY_OFFLINE.md.
set -euo pipefail

fail() {
    echo "NOT VERIFIED: $1" >&2
    exit "${2:-1}"
}

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 CERT.jwt KEY.pem [CERT.pdf]" >&2
    exit 2
fi
jwt_file=$1
key_file=$2
pdf_file=${3:-}
for f in "$jwt_file" "$key_file" ${pdf_file:+"$pdf_file"}; do
    [[ -r $f ]] || fail "cannot read $f" 2
done
command -v openssl >/dev/null || fail "openssl is not installed" 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# base64url (RFC 4648 section 5, no padding) to bytes: back to the standard alphabet, re-pad.
b64url_decode() {
    local s
    s=$(printf '%s' "$1" | tr '_-' '/+')
    case $((${#s} % 4)) in
        2) s="$s==" ;;
        3) s="$s=" ;;
        1) return 1 ;;
    esac
    printf '%s' "$s" | openssl base64 -d -A
}

# 1. Split the token into its three parts (whitespace and line breaks are ignored).
token=$(tr -d ' \t\r\n' <"$jwt_file")
part='[A-Za-z0-9_-]+'
[[ $token =~ ^($part)\.($part)\.($part)$ ]] ||
    fail "$jwt_file is not a compact JWS (three base64url parts: header.payload.signature)" 2
header=${BASH_REMATCH[1]}
payload=${BASH_REMATCH[2]}
signature=${BASH_REMATCH[3]}

b64url_decode "$header" >"$work/header.json" || fail "the header is not base64url" 2
b64url_decode "$payload" >"$work/credential.json" || fail "the payload is not base64url" 2
b64url_decode "$signature" >"$work/sig.bin" || fail "the signature is not base64url" 2
grep -q '"alg":"EdDSA"' "$work/header.json" ||
    fail "the header does not say alg EdDSA: $(cat "$work/header.json")" 2

# 2. The signed bytes are the ASCII text header.payload, exactly, with no newline.
printf '%s.%s' "$header" "$payload" >"$work/signing_input.bin"

# 3. Ed25519 signs the message itself (no separate digest): pkeyutl -rawin.
if ! openssl pkeyutl -verify -pubin -inkey "$key_file" -rawin \
    -in "$work/signing_input.bin" -sigfile "$work/sig.bin"; then
    fail "the signature does not match: the credential was altered or not signed by this key"
fi
echo "Signature: Verified OK (header $(cat "$work/header.json"))"

cat "$work/credential.json"
echo

# 4. The PDF: its SHA-256 must equal the hashDigest the signed credential carries.
if [[ -n $pdf_file ]]; then
    credential=$(cat "$work/credential.json")
    [[ $credential =~ \"hashDigest\":\"([0-9a-f]{64})\" ]] ||
        fail "the credential carries no PDF hash (hashDigest)" 2
    expected=${BASH_REMATCH[1]}
    actual=$(openssl dgst -sha256 -r "$pdf_file" | cut -d' ' -f1)
    if [[ $actual != "$expected" ]]; then
        fail "the PDF does not match the credential: $pdf_file has SHA-256 $actual, the signed credential says $expected"
    fi
    echo "PDF: Verified OK (SHA-256 $actual)"
fi
echo "Verified OK"
