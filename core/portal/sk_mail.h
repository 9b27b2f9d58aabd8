#ifndef SK_MAIL_H
#define SK_MAIL_H
/*
 * Sending the outbox over SMTP (libcurl): the monthly reminders and
 * verification messages (sociale-kaart reminders) and the password-reset
 * links (sent by the server at once, web_server.c). Plain text, UTF-8.
 * Never in clear over a network: STARTTLS is required except to a relay on
 * this machine (smtp://localhost, smtp://127.0.0.1).
 */
#include <stddef.h>

#include "sk_portal.h"

/* Where mail goes; strings borrowed. */
struct sk_mail_config {
  const char *url;  /* smtp://host:port or smtps://...; NULL/"": no sending */
  const char *from; /* sender address */
  const char *user; /* NULL: no SMTP login */
  const char *password;
};

/* From SK_SMTP_URL, SK_SMTP_FROM, SK_SMTP_USER, SK_SMTP_PASSWORD. 1: set and
 * usable; 0: SK_SMTP_URL not set (no sending); SK_EINVAL: SK_SMTP_URL set
 * but SK_SMTP_FROM missing or not an address. */
int sk_mail_config_from_env(struct sk_mail_config *c);

/* 1 when s can go into a header as it is (no CR/LF, no <>, < 255 bytes). */
int sk_mail_header_safe(const char *s);

/* libcurl's global set-up; call once before any thread sends (idempotent). */
int sk_mail_global_init(void);

/* Send one message. SK_OK; SK_EFETCH for a failure worth trying again
 * (connection, TLS, a 4xx); SK_EINVAL when the server refused it for good
 * (5xx: the address bounces) or the address is unusable, with the reason
 * in err. */
int sk_mail_send(const struct sk_mail_config *c, const char *to, const char *subject,
                 const char *body, char *err, size_t errlen);

struct sk_mail_counts {
  size_t sent, bounced, failed;
};

/* Send the unsent messages of p's outbox whose period starts with
 * period_prefix (NULL: all), oldest first; each sent one is marked sent, a
 * bounce marked bounced (not tried again), a failure left for the next run
 * and reported on stderr under the name who. SK_OK (see n), or SK_EDB when
 * the outbox cannot be read. */
int sk_mail_send_outbox(struct sk_portal *p, const struct sk_mail_config *c,
                        const char *period_prefix, const char *who, struct sk_mail_counts *n);

#endif
