"""The gate: what decides whether a run fails. Suppression comments and per-file ignores (with
X001 for those that suppress nothing), the baseline of known findings, and the exit codes.

May import: model, findings, rules, results, version, config, report.
"""
