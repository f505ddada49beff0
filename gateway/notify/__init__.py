"""Sender notifications with remediation advice, the check address's answers, reviewer alerts.

    notifier.py   who is told what, and when; builds notices and commits them to the outbox
    drafting.py   in the inspection worker: the subject, draft and places a notice may show, de-identified
    explain.py    which findings a notice explains (pure, from the policy)
    describe.py   findings in plain words and places ("in the attachment Ward list.xlsx, sheet Sheet1")
    guidance.py   the school's advice per finding category/type (config/guidance/*.toml)
    render.py     the Jinja2 templates (config/templates): subject, text and HTML per notice
    message.py    the RFC 5322 notification, headers built with email.headerregistry
    safety.py     when never to notify: bounces, automatic and list mail, our own notices
    worker.py     the outbox worker: delivery through the injected next hop, retries with backoff
    service.py    the three started together for `gateway serve`

The durable outbox itself is `gateway.store.outbox`; the de-identified
draft comes from `gateway.detect.deidentify`, run in the inspection workers.
The package imports nothing itself: a worker imports drafting.py without
the outbox and the store. See docs/notifications.md.
"""
