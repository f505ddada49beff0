"""Milter mode: the MTA (Postfix, Sendmail) keeps custody and asks the gateway for a verdict.

- `codec`: the wire format (framing, commands, responses); pure, no sockets.
- `replycode`: SMTP reply texts that pass Postfix's and Sendmail's REPLYCODE checks.
- `session`: the per-connection state machine (negotiation, macros, collecting the
  message, turning an end-of-message result into packets); sans-IO.
- `banner`: the annotate banner inserted by body replacement.
- `actions`: the disposition service's answer (`gateway.act`: hold, reject, annotate,
  notices, the check address) as an end-of-message result, within what the MTA allows.
- `connection`: one MTA connection on asyncio (PROGRESS while scanning, deadline).
- `service`: `start_milter(settings, pipeline, quarantine, notifier)`, the listener.
- `check`: the deploy check of the MTA's fail-closed settings.

Security note: the listener trusts its peer to be the MTA. It parses every packet
defensively (1 MiB cap, strict lengths, unknown commands close the connection),
never answers a message it has not seen in full, and answers TEMPFAIL, never
ACCEPT, when anything goes wrong before the verdict is carried out.
"""
