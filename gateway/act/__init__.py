"""Acting on a verdict, once for both front ends: the disposition service.

    disposition.py  `Dispositions`: inspect, then hold / reject / annotate / pass, notify,
                    answer the check address; what to do comes back as a `Disposition`
    holding.py      the quarantine commit within the message's deadline, in its own threads
    review.py       the reviewers' acts on held mail (release, reject, delete), each audited;
                    the web UI and the `quarantine` commands call the same code

The relay and the milter each turn a `Disposition` into their own wire
answer (an SMTP reply, a milter result) and do the delivering themselves;
nothing here speaks SMTP or the milter protocol.
"""
