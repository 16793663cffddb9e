/* The TLS record layer of one direction: 5-byte headers checked, records
 * framed across segments, each record handed on when its last byte arrives;
 * and where a capture that lost bytes may take up records again. */
#include <stdio.h>

#include "base/mem.h"
#include "tls/internal.h"

#include "base/banned.h"

void td_conn_on_alert(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m = td_conn_add_msg(c, TD_M_ALERT, from, at);
    uint8_t level = d->alert[0], desc = d->alert[1];
    if (m) {
        m->alert_level = level;
        m->alert_desc = desc;
        m->record_version = d->rec_version;
        m->offset = d->rec_offset;
        m->length = 2;
    }
    if (level == TD_ALERT_LEVEL_FATAL) {
        c->fatal_alert = true;
        td_conn_fail(c, "fatal alert");
    } else if (!c->complete && (desc == TD_ALERT_CLOSE_NOTIFY || desc == TD_ALERT_USER_CANCELED)) {
        /* close_notify / user_canceled while the handshake is running: the
         * sender gives up (the seed's "Close Notify" version mismatch). */
        td_conn_fail(c, "alert during the handshake");
    }
}

static bool record_header_ok(const struct td_tls_dir *d)
{
    uint8_t type = d->hdr[0];
    return type >= TD_CT_CHANGE_CIPHER_SPEC && type <= TD_CT_HEARTBEAT && td_record_version_ok(d->hdr[1], d->hdr[2]) &&
           d->rec_len <= TD_RECORD_MAX;
}

static void start_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    d->rec_type = d->hdr[0];
    d->rec_version = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
    d->rec_len = d->rec_left = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
    d->rec_offset = d->offset - 5;
    if (!record_header_ok(d)) {
        char why[160];
        snprintf(why, sizeof why, "not a TLS record header: %02x %02x %02x %02x %02x", d->hdr[0], d->hdr[1], d->hdr[2],
                 d->hdr[3], d->hdr[4]);
        td_conn_malformed(c, from, at, d->rec_offset, "record", why);
        return;
    }
    c->tls_seen = true;
    /* After ChangeCipherSpec (TLS <= 1.2) handshake and alert records are
     * encrypted; in TLS 1.3 encrypted records all travel as application_data,
     * so a handshake or alert record there is plaintext. */
    switch (d->rec_type) {
    case TD_CT_APPLICATION_DATA:
        d->rec_encrypted = true;
        break;
    case TD_CT_HANDSHAKE:
        d->rec_encrypted = d->ccs && !c->tls13 && !c->hrr;
        break;
    case TD_CT_ALERT:
        /* an empty alert record is malformed (flagged below), not encrypted */
        d->rec_encrypted = (d->ccs && !c->tls13 && !c->hrr) || (d->rec_len != 2 && d->rec_len != 0);
        break;
    default:
        d->rec_encrypted = false;
    }
    d->alert_len = 0;
    td_buf_reset(&d->rec);
    if (d->rec_len == 0 && d->rec_type != TD_CT_APPLICATION_DATA) {
        /* RFC 8446 5.1: zero-length fragments of these types MUST NOT be sent. */
        struct td_msg *m = td_conn_add_msg(c, TD_M_MALFORMED, from, at);
        if (m) {
            m->offset = d->rec_offset;
            td_conn_set_text(m, "zero-length record of content type %u (stream offset %llu)", d->rec_type,
                             (unsigned long long)d->rec_offset);
        }
    }
}

/* Records after the handshake: fold application data into one line. */
void td_conn_appdata(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    if (d->appdata && c->last == d->appdata) {
        d->appdata->count++;
        d->appdata->length += d->rec_len;
        d->appdata->frame = at->frame;
        return;
    }
    struct td_msg *m = td_conn_add_msg(c, TD_M_APPDATA, from, at);
    if (m) {
        m->encrypted = true;
        m->count = 1;
        m->length = d->rec_len;
        m->offset = d->rec_offset;
        m->record_version = d->rec_version;
    }
    d->appdata = m;
}

void td_conn_end_record(struct td_tls_conn *c, enum td_role from, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    struct td_msg *m;
    if (d->rec_encrypted && d->dec && !d->dec_bad && td_conn_decrypted_record(c, from, at)) {
        return;
    }
    switch (d->rec_type) {
    case TD_CT_CHANGE_CIPHER_SPEC:
        m = td_conn_add_msg(c, TD_M_CCS, from, at);
        if (m) {
            m->offset = d->rec_offset;
            m->length = d->rec_len;
            m->record_version = d->rec_version;
        }
        d->ccs = true;
        d->appdata = NULL;
        td_conn_keys_after_ccs(c, from);
        break;
    case TD_CT_ALERT:
        if (d->rec_encrypted) {
            td_conn_encrypted_msg(c, from, TD_M_ALERT, 0, false, at);
            if (!c->complete) {
                td_conn_fail(c, "encrypted alert during the handshake");
            } else if (++d->post_records == 1) {
                td_conn_after_handshake_alert(c, from);
            }
        }
        break; /* plaintext alerts are emitted as their bytes arrive */
    case TD_CT_HANDSHAKE:
        if (d->rec_encrypted) {
            /* RFC 5246 7.4.9: the first message after ChangeCipherSpec is Finished. */
            td_conn_encrypted_msg(c, from, TD_M_ENC_HANDSHAKE, d->finished ? 0 : TD_HS_FINISHED, !d->finished, at);
            d->finished = true;
            td_conn_check_complete(c);
        } else {
            d->appdata = NULL;
            td_conn_drain_handshake(c, from, at);
        }
        break;
    case TD_CT_APPLICATION_DATA:
        td_conn_end_appdata_record(c, from, at);
        break;
    case TD_CT_HEARTBEAT:
        m = td_conn_add_msg(c, TD_M_HEARTBEAT, from, at);
        if (m) {
            m->length = d->rec_len;
            m->offset = d->rec_offset;
        }
        break;
    default:
        break;
    }
    td_conn_check_complete(c);
}

void td_conn_feed_tls(struct td_tls_conn *c, enum td_role from, const uint8_t *p, size_t n, const struct td_at *at)
{
    struct td_tls_dir *d = &c->dir[from];
    while (n > 0 && d->mode == TD_DIR_TLS) {
        if (d->hdr_len < 5) {
            size_t take = 5 - d->hdr_len < n ? 5 - d->hdr_len : n;
            td_memcopy(d->hdr + d->hdr_len, p, take);
            d->hdr_len += take;
            d->offset += take;
            p += take;
            n -= take;
            if (d->hdr_len < 5) {
                return;
            }
            d->rec_len = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
            start_record(c, from, at);
            if (d->mode != TD_DIR_TLS) {
                return;
            }
        }
        size_t take = d->rec_left < n ? d->rec_left : n;
        if (!d->rec_encrypted && d->rec_type == TD_CT_HANDSHAKE && d->hs_skip) {
            /* the rest of a handshake message a gap cut: known length, dropped */
            size_t drop = take < d->hs_skip ? take : d->hs_skip;
            d->hs_skip -= (uint32_t)drop;
            if (!c->complete) {
                d->resync_skipped += drop;
            }
            d->rec_left -= (uint32_t)drop;
            d->offset += drop;
            p += drop;
            n -= drop;
            if (d->rec_left == 0) {
                d->hdr_len = 0;
                td_conn_end_record(c, from, at);
            }
            continue;
        }
        if (!d->rec_encrypted && d->rec_type == TD_CT_HANDSHAKE) {
            if (d->hs.len + take > c->lim->hs_message_max + 4) {
                td_conn_malformed(c, from, at, d->offset, "handshake", "reassembly buffer limit reached");
                return;
            }
            if (d->hs.len == 0) {
                d->hs_offset = d->offset;
            }
            td_buf_append(&d->hs, p, take);
        } else if (d->rec_encrypted && d->dec && !d->dec_bad) {
            td_buf_append(&d->rec, p, take); /* rec_len <= 2^14 + 2048: bounded */
        } else if (!d->rec_encrypted && d->rec_type == TD_CT_ALERT) {
            for (size_t i = 0; i < take; i++) {
                d->alert[d->alert_len++] = p[i];
                if (d->alert_len == 2) {
                    d->alert_len = 0;
                    td_conn_on_alert(c, from, at);
                }
            }
        }
        d->rec_left -= (uint32_t)take;
        d->offset += take;
        p += take;
        n -= take;
        if (d->rec_left == 0) {
            d->hdr_len = 0;
            td_conn_end_record(c, from, at);
        }
    }
}

/* After a gap: is this segment worth resuming at (tls.h)? */
bool td_tls_resync_ok(const uint8_t *p, size_t n, size_t hs_message_max)
{
    static const uint8_t hs_types[] = {TD_HS_CLIENT_HELLO,         TD_HS_SERVER_HELLO,      TD_HS_NEW_SESSION_TICKET,
                                       TD_HS_ENCRYPTED_EXTENSIONS, TD_HS_CERTIFICATE,       TD_HS_SERVER_KEY_EXCHANGE,
                                       TD_HS_CERTIFICATE_REQUEST,  TD_HS_SERVER_HELLO_DONE, TD_HS_CERTIFICATE_VERIFY,
                                       TD_HS_CLIENT_KEY_EXCHANGE,  TD_HS_FINISHED,          TD_HS_CERTIFICATE_STATUS};
    struct td_cur in;
    uint8_t type, major, minor, hs_type;
    uint16_t len;
    uint32_t hs_len;
    td_cur_init(&in, p, n);
    if (!td_cur_get_u8(&in, &type) || !td_cur_get_u8(&in, &major) || !td_cur_get_u8(&in, &minor) ||
        !td_cur_get_u16(&in, &len)) {
        return false;
    }
    if (type < TD_CT_CHANGE_CIPHER_SPEC || type > TD_CT_HEARTBEAT || !td_record_version_ok(major, minor) || len == 0 ||
        len > TD_RECORD_MAX) {
        return false;
    }
    if (type == TD_CT_CHANGE_CIPHER_SPEC) {
        return len == 1;
    }
    if (type != TD_CT_HANDSHAKE) {
        return true;
    }
    /* An encrypted Finished looks like any handshake record: its first bytes
     * must read as a message that fits, or the next segment is tried. */
    if (!td_cur_get_u8(&in, &hs_type) || !td_cur_get_u24(&in, &hs_len) || hs_len > hs_message_max ||
        (hs_len + 4 > len && len < 16384)) {
        return false;
    }
    for (size_t i = 0; i < sizeof hs_types; i++) {
        if (hs_types[i] == hs_type) {
            return true;
        }
    }
    return false;
}
