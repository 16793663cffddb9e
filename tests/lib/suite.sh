# The common start of an integration suite (sourced from tests/integration/*.sh,
# which cd to the repository first):
#   . tests/lib/suite.sh            W (a work directory, removed at exit), LO, ANY (shipped captures)
#   . tests/lib/suite.sh netns      the same inside a private network namespace (the script re-runs
#                                   itself there), with a fresh PKI in $P and the scenarios loaded
. tests/lib/tap.sh
LO=tests/captures/openssl-lo.pcap
ANY=tests/captures/stacks-any.pcapng
if [ "${1:-}" = netns ]; then
  . tests/lib/netns.sh
  if [ -z "${IN_NETNS:-}" ]; then IN_NETNS=1 netns_run bash "$0"; exit $?; fi
  . tests/lib/pki.sh
  . tests/lib/scenarios.sh
  W=$(mktemp -d)
  trap 'td_cleanup; rm -rf "$W" "$T_OUT"' EXIT
  P=$W/pki
  pki_make "$P" >/dev/null
else
  W=$(mktemp -d)
  trap 'rm -rf "$W" "$T_OUT"' EXIT
fi
