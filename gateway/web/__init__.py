"""The staff review UI: held messages, their review, accounts and the audit log (Starlette).

    app.py        create_app(settings, quarantine, deliver=..., on_decision=...): routes, error pages
    guard.py      sessions, roles, CSRF, scope checks, the audit row of each request
    auth.py       login (throttled) and logout
    views.py      list, message, reveal, downloads, release/reject/delete, bulk, statistics
    admin.py      accounts, audit log, retention purge
    render.py     a held message as text blocks masked by gateway.model.masking, attachments
    security.py   response headers (CSP, nosniff, no-store, frame-ancestors, HSTS)
    service.py    start_web(): uvicorn in the gateway's event loop

The web front end never imports the relay: release delivers through the
`deliver(envelope, raw)` callable the wiring passes in. See docs/review-ui.md.
"""
