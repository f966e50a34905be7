"""Configuration: `AuditOptions` (what one run checks and how, the value every stage reads) and
the configuration file (`[tool.citecheck]` in pyproject.toml or `citecheck.toml`: discovery,
validation with "did you mean" for unknown keys, and merging under the command line).

May import: model, findings, rules, results, version, report.
"""
