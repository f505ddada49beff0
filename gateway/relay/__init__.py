"""The transparent SMTP relay: Postfix hands mail in, the next hop gets what passes.

    smtp.py      the SMTP dialogue (aiosmtpd, with 451 instead of 500, DSN, XFORWARD, limits)
    handler.py   lockstep with the next hop; the disposition service's answer (gateway.act) -> reply
    nexthop.py   the next-hop interface and its factory; client.py (SMTP, aiosmtplib),
                 dns.py (MX, dnspython), maildir.py (local delivery), tls.py
    params.py    ESMTP parameters and XFORWARD
    reply.py     every reply the relay writes
    logline.py   the one log line per message
    listener.py  the listening socket and the SIGTERM drain

See docs/relay.md for how to put it on a Postfix mail route.
"""

from gateway.relay.listener import RelayServer, start_relay

__all__ = ["RelayServer", "start_relay"]
