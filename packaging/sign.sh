#!/bin/sh
# Signs one Windows executable in place with osslsigncode (Authenticode,
# SHA-256). A real certificate comes from SANXIANG_SIGN_CERT (PEM, with its
# chain) and SANXIANG_SIGN_KEY (PEM; SANXIANG_SIGN_PASS if encrypted);
# without them a test certificate is made once under
# ${SANXIANG_DIST:-dist}/test-cert, good for checking the signing, not for users.
set -eu
file=$1
dist=${SANXIANG_DIST:-dist}
cert=${SANXIANG_SIGN_CERT:-}
key=${SANXIANG_SIGN_KEY:-}
if [ -z "$cert" ] || [ -z "$key" ]; then
	dir="$dist/test-cert"
	cert="$dir/cert.pem"
	key="$dir/key.pem"
	if ! [ -f "$cert" ]; then
		mkdir -p "$dir"
		openssl req -x509 -newkey rsa:3072 -sha256 -days 30 -nodes -keyout "$key" -out "$cert" \
			-subj "/CN=Sanxiang Desk TEST signing/O=Sanxiang Desk" \
			-addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" 2>/dev/null
	fi
fi
pass=""
[ -n "${SANXIANG_SIGN_PASS:-}" ] && pass="-pass $SANXIANG_SIGN_PASS"
osslsigncode sign -certs "$cert" -key "$key" $pass -h sha256 \
	-n "三项制度执法终端 Sanxiang Desk" -i "https://github.com/sanxiang-desk/sanxiang" \
	-in "$file" -out "$file.signed" >/dev/null
mv "$file.signed" "$file"
