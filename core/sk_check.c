#include "sk_check.h"

#include <stdio.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int sk_check_email(const char *s) {
  if (!s)
    return 0;
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n > SK_CHECK_EMAIL_MAX || !at || at == s || at - s > 64 || strchr(at + 1, '@'))
    return 0;
  for (const char *p = s; p < at; p++)
    if (!(is_alpha(*p) || is_digit(*p) || strchr(".!#$%&'*+/=?^_`{|}~-", *p)))
      return 0;
  if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
    return 0;
  const char *d = at + 1;
  const char *dot = strrchr(d, '.');
  if (!*d || !dot || dot == d || !dot[1] || d[0] == '-')
    return 0;
  for (const char *p = d; *p; p++) {
    if (!(is_alpha(*p) || is_digit(*p) || *p == '-' || *p == '.'))
      return 0;
    if (*p == '.' && (p == d || p[1] == '.' || p[1] == '\0' || p[-1] == '-' || p[1] == '-'))
      return 0;
  }
  return 1;
}

int sk_check_url(const char *s) {
  if (!s)
    return 0;
  const char *host;
  if (strncmp(s, "https://", 8) == 0)
    host = s + 8;
  else if (strncmp(s, "http://", 7) == 0)
    host = s + 7;
  else
    return 0;
  if (strlen(s) > SK_CHECK_URL_MAX)
    return 0;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"<>\\`", *p))
      return 0;
  size_t hn = strcspn(host, "/?#");
  if (hn == 0)
    return 0;
  int dot = 0;
  for (size_t i = 0; i < hn; i++) {
    char c = host[i];
    if (c == ':') { /* a port: digits only, to the end of the host part */
      if (i == 0 || i + 1 == hn)
        return 0;
      for (size_t j = i + 1; j < hn; j++)
        if (!is_digit(host[j]))
          return 0;
      break;
    }
    if (c == '.')
      dot = 1;
    else if (!(is_alpha(c) || is_digit(c) || c == '-'))
      return 0;
  }
  return dot || strncmp(host, "localhost", 9) == 0;
}

int sk_check_phone(const char *s) {
  if (!s)
    return 0;
  size_t n = strlen(s), digits = 0;
  if (n == 0 || n > SK_CHECK_PHONE_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (is_digit(c))
      digits++;
    else if (!(c == ' ' || c == '-' || c == '(' || c == ')' || c == '/' || (c == '+' && i == 0)))
      return 0;
  }
  return digits >= 3 && digits <= 15;
}

int sk_check_hhmm(const char *t) {
  return t && strlen(t) == 5 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':' && is_digit(t[3]) &&
         is_digit(t[4]) && (t[0] - '0') * 10 + (t[1] - '0') <= 24 && t[3] <= '5';
}

int sk_check_date(const char *s) {
  if (!s || strlen(s) < 10 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) ||
      !is_digit(s[3]) || s[4] != '-' || !is_digit(s[5]) || !is_digit(s[6]) || s[7] != '-' ||
      !is_digit(s[8]) || !is_digit(s[9]) || (s[10] && s[10] != 'T' && s[10] != ' '))
    return 0;
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  return y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

int sk_postcode_normalize(const char *s, char out[8]) {
  if (!s)
    return -1;
  while (*s == ' ')
    s++;
  if (!(s[0] >= '1' && s[0] <= '9') || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]))
    return -1;
  const char *l = s + 4;
  if (*l == ' ')
    l++;
  if (!is_alpha(l[0]) || !is_alpha(l[1]))
    return -1;
  const char *end = l + 2;
  while (*end == ' ')
    end++;
  if (*end)
    return -1;
  char a = (char)(l[0] & ~0x20), b = (char)(l[1] & ~0x20);
  /* SA, SD and SS are never issued. */
  if (a == 'S' && (b == 'A' || b == 'D' || b == 'S'))
    return -1;
  snprintf(out, 8, "%.4s %c%c", s, a, b);
  return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}
