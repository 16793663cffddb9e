#!/bin/bash
# The fleet path: two gateways run tlsdiag watch --json (--observer gw1, gw2)
# while clients fail against two backends; their JSON Lines go into a real
# ClickHouse server (the Debian package, started here in a temp dir on
# 127.0.0.1) with contrib/clickhouse/schema.sql, through clickhouse-client
# INSERT ... FORMAT JSONEachRow; contrib/clickhouse/rank_backends.sql then
# ranks the backends by failures and cause across both gateways.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null

ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key"                           # the leaf alone
ossl_srv 4443 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt" # expired
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:8443 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
wait_port 8443

fail_chain() {
  openssl s_client -connect 127.0.0.1:9443 -servername server.test -CAfile "$P/root.crt" -verify_return_error \
    </dev/null >/dev/null 2>&1
}
fail_expired() {
  curl -s -o /dev/null --cacert "$P/root.crt" --resolve expired.server.test:4443:127.0.0.1 \
    https://expired.server.test:4443/
}
ok() { curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:8443:127.0.0.1 https://server.test:8443/; }

# gateway NAME CLIENT...: tlsdiag watch --json --observer NAME while the clients run, into $W/NAME.json
gateway() {
  name=$1; shift
  "$T" watch -i lo --json --observer "$name" > "$W/$name.json" 2> "$W/$name.err" & WPID=$!
  td_track "$WPID"
  i=0; while [ $i -lt 100 ] && ! grep -q 'listening on' "$W/$name.err" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
  sleep 0.2
  for c in "$@"; do "$c"; done
  sleep 0.5
  kill -INT "$WPID"; wait "$WPID"
}

mkdir -p "$W/ch/data" "$W/ch/tmp" "$W/ch/user_files" "$W/ch/format_schemas"
cat > "$W/ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$W/ch/server.log</log><errorlog>$W/ch/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>19000</tcp_port>
  <http_port>18123</http_port>
  <path>$W/ch/data/</path>
  <tmp_path>$W/ch/tmp/</tmp_path>
  <user_files_path>$W/ch/user_files/</user_files_path>
  <format_schema_path>$W/ch/format_schemas/</format_schema_path>
  <users_config>$W/ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
</yandex>
XML
cat > "$W/ch/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
clickhouse-server --config-file="$W/ch/config.xml" > "$W/ch/out.log" 2>&1 &
CH=$!; td_track "$CH"
chq() { clickhouse-client --host 127.0.0.1 --port 19000 "$@"; }
i=0; while [ $i -lt 100 ] && ! chq --query 'SELECT 1' >/dev/null 2>&1; do sleep 0.2; i=$((i + 1)); done

for T in $TLSDIAGS; do
  gateway gw1 fail_chain fail_chain fail_expired ok
  gateway gw2 fail_chain fail_expired fail_expired ok ok
  check "$T: the schema loads and both gateways' records insert (JSONEachRow, nested members skipped)" bash -c "
    chq() { clickhouse-client --host 127.0.0.1 --port 19000 \"\$@\"; }
    chq --query 'DROP TABLE IF EXISTS tlsdiag_connections' && chq --multiquery < contrib/clickhouse/schema.sql || exit 1
    for g in gw1 gw2; do
      grep '\"stream\"' '$W/'\$g.json | chq --input_format_skip_unknown_fields=1 \
        --query 'INSERT INTO tlsdiag_connections FORMAT JSONEachRow' || exit 1
    done
    n=\$(chq --query 'SELECT count() FROM tlsdiag_connections FINAL')
    e=\$(cat '$W/gw1.json' '$W/gw2.json' | grep -c '\"stream\"')
    echo \"rows \$n, records \$e\"; [ \"\$n\" -eq 9 ] && [ \"\$e\" -eq 9 ]"
  check "$T: rank_backends.sql: each backend's failures by cause across both gateways" bash -c "
    clickhouse-client --host 127.0.0.1 --port 19000 --multiquery < contrib/clickhouse/rank_backends.sql | cut -f1-4 > '$W/rank.tsv'
    cat '$W/rank.tsv'
    python3 - '$W/gw1.json' '$W/gw2.json' '$W/rank.tsv' <<'PY'
import collections, json, sys
count, gws = collections.Counter(), collections.defaultdict(set)
for path in sys.argv[1:3]:
    for line in open(path):
        d = json.loads(line)
        if d.get('outcome') == 'failed' and 'stream' in d:
            count[(d['server'], d['cause'])] += 1
            gws[(d['server'], d['cause'])].add(d['observer'])
want = sorted(((s, c, n, len(gws[(s, c)])) for (s, c), n in count.items()), key=lambda r: (-r[2], r[0], r[1]))
got = [(f[0], f[1], int(f[2]), int(f[3])) for f in (l.rstrip('\n').split('\t') for l in open(sys.argv[3]))]
assert got == want, (got, want)
assert {(r[0], r[2]) for r in got} == {('127.0.0.1:9443', 3), ('127.0.0.1:4443', 3)}, got
assert all(r[3] == 2 for r in got), got
print('ranking as the records say:', got)
PY"
done
stop_pid "$CH"
