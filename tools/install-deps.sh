#!/bin/sh
# Install the Debian packages tlsdiag needs, when missing.
#   tools/install-deps.sh build   -- to build and run (make, make demo)
#   tools/install-deps.sh test    -- also what the tests start (make test)
#   tools/install-deps.sh fuzz|memcheck -- and clang (make fuzz) or valgrind (make memcheck)
set -eu
build="gcc make pkg-config libc6-dev libssl-dev libpcap-dev openssl"
test="$build libcmocka-dev clang-format tshark tcpdump gnutls-bin nginx-light haproxy apache2 curl python3 iproute2 util-linux nftables openjdk-17-jdk-headless nodejs golang-go sslscan chromium testssl.sh prometheus clickhouse-server clickhouse-client postfix dovecot-imapd dovecot-pop3d postgresql-15"
case "${1:-build}" in
  build) want=$build ;;
  test) want=$test ;;
  fuzz) want="$test clang" ;;
  memcheck) want="$test valgrind" ;;
  *) echo "usage: $0 build|test|fuzz|memcheck" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  # nginx-light or any other nginx flavour will do
  if [ "$p" = nginx-light ] && command -v nginx >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "tlsdiag: installing Debian packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
  echo "tlsdiag: run as root, or install them yourself: apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# postfix asks for a mail configuration: none (the tests run it with their own)
case " $missing " in *" postfix "*) echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ;; esac
apt-get update -q >/dev/null || apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
