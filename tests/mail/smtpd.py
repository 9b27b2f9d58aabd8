#!/usr/bin/env python3
"""A loopback SMTP server for tests/mail/smtp_test.sh (Debian's python3-aiosmtpd).

Usage: smtpd.py HOST PORT MAILDIR PORTFILE
Stores every accepted message as MAILDIR/<n>.eml; refuses (550) any
recipient whose address starts with "bounce"; offers no STARTTLS. Writes
the port it listens on to PORTFILE once ready; stops on SIGTERM.
"""
import asyncio
import os
import signal
import socket
import sys

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        path = os.path.join(self.maildir, "%d.eml" % self.n)
        with open(path, "wb") as f:
            f.write(("X-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        return "250 Message accepted"


def main():
    host, port, maildir, portfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if port == 0:  # the Controller needs a number: take a free one
        s = socket.socket()
        s.bind((host, 0))
        port = s.getsockname()[1]
        s.close()
    ctl = Controller(Handler(maildir), hostname=host, port=port)
    ctl.start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(ctl.port))
    os.rename(portfile + ".tmp", portfile)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(asyncio.wait_for(stop.wait(), timeout=120))
    ctl.stop()


if __name__ == "__main__":
    main()
