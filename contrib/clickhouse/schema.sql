-- tlsdiag JSON Lines (tlsdiag pcap --json, tlsdiag watch --json) in ClickHouse.
-- One row per connection record; the nested members (coverage, messages,
-- candidates, evidence, ...) are left out by
--   clickhouse-client --input_format_skip_unknown_fields=1 \
--     --query 'INSERT INTO tlsdiag_connections FORMAT JSONEachRow'
-- A verdict given at once and revised later (watch, pcap of a pipe) comes
-- twice, the second with "revised": true: ReplacingMergeTree keeps the
-- revision (query with FINAL). The summary records ("type": "summary",
-- "watch_summary") are not connections: filter them out before inserting
-- (grep '"stream"'). Tested with ClickHouse 18.16 (Debian 12).
CREATE TABLE IF NOT EXISTS tlsdiag_connections
(
    observer String DEFAULT '',      -- the gateway (watch --observer, default its host name)
    file String DEFAULT '',          -- the capture (pcap), or the interface (watch)
    stream UInt32,                   -- Wireshark's tcp.stream
    community_id String DEFAULT '',  -- joins with Zeek, Suricata, Arkime
    client String,
    server String,                   -- the backend, address:port
    sni Nullable(String),
    outcome String,                  -- ok, failed, incomplete
    reason Nullable(String),
    version Nullable(String),
    cipher_suite Nullable(String),
    first_time Float64,              -- seconds since 1970, from the capture
    cause String DEFAULT 'none',     -- src/base/causes.def slugs
    confidence String DEFAULT '',
    fix_side Nullable(String),
    aborted_by Nullable(String),
    explanation Nullable(String),
    revised UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(revised)
ORDER BY (observer, file, stream, community_id);
