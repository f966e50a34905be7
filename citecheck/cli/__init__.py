"""The command line: one module per command (`audit`, `baseline`, `fix`, `parse`, `extract`,
`rules`, `snapshot`, `serve`), the options they share, and `app`, which registers them under `citecheck`.

Commands turn flags into `AuditOptions`, call the engine, hand the report to a reporter and
exit with the documented code. They hold no checking logic. The CLI is the only part of
citecheck that prints or writes files (`fileio.atomic_write`); nothing imports it.

May import: everything.
"""
