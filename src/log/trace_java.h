/* The Java trace reader's state and the helpers its two formats share
 * (trace_java.c: JDK 11+, trace_jdk8.c: JDK 8 before the new stack). */
#ifndef TD_LOG_TRACE_JAVA_H
#define TD_LOG_TRACE_JAVA_H

#include "log/trace_internal.h"

enum td_log_jblock { JB_NONE, JB_MSG, JB_ALERT, JB_RAW, JB_OTHER, JB_OLD_MSG, JB_OLD_RAW };

struct td_log_jtrace {
    int local;                /* enum td_role of the program that wrote the trace */
    enum td_log_jblock block; /* what the lines being read are */
    int dir;                  /* the sender of the block's message or records */
    uint64_t line;            /* the block's first line */
    struct td_log_msg msg;
    bool in_ext; /* JDK 11+: inside an extension's body */
    uint16_t ext_type;
    char text[4096]; /* the extension's lines */
    size_t text_len;
    bool empty_cert; /* "Certificates": <empty list> */
    int alert_level, alert_desc;
    bool shd; /* JDK 8: ServerHelloDone seen (a certificate chain next is the client's) */
    /* JDK 8: the last record line was "READ: ... Handshake" (a ClientHello
     * printed next was received: the program is the server); a ClientHello
     * printed and then written ("WRITE: ... Handshake") is the client's. */
    bool read_hs, hello_open;
};

bool td_log_jfind(const char *s, size_t n, const char *word, size_t *at);
bool td_log_jvalue(const char *s, size_t n, const char *key, const char **v, size_t *vn);
void td_log_jext(struct td_log_msg *m, uint16_t type, const char *s, size_t n);
void td_log_jtext(struct td_log_jtrace *j, const char *s, size_t n);
/* A dump line of a raw block: its bytes fed. */
void td_log_jraw(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n);
/* JDK 8: true when the line was one of its trace (read here). */
bool td_log_jdk8_line(struct td_log_jtrace *j, struct td_log_trace *t, const char *s, size_t n, uint64_t line);
void td_log_jdk8_end(struct td_log_jtrace *j, struct td_log_trace *t);

#endif
