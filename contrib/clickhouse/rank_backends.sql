-- Backends ranked by failed handshakes, by cause, across every gateway's records.
SELECT
    server,
    cause,
    count() AS failures,
    uniqExact(observer) AS gateways,
    min(toDateTime(toUInt32(first_time))) AS first_seen,
    max(toDateTime(toUInt32(first_time))) AS last_seen
FROM tlsdiag_connections FINAL
WHERE outcome = 'failed'
GROUP BY server, cause
ORDER BY failures DESC, server, cause
FORMAT TabSeparated
