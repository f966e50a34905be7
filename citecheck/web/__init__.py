"""The local web app, `citecheck serve`: a page where a person drops a manuscript (and its .bib)
and gets the HTML report's citation map, with the corrected bibliography, SARIF and JSON to
download. It sits on top of the library like the command line: `app` (routes and security
headers on Starlette), `uploads` (streaming a form into the request's temporary directory, with
a size limit), `jobs` (the audit in a worker process, its progress streamed back), `store` (the
finished reports, in memory only), `downloads` and `pages` (what the routes answer), and
`settings` (what `citecheck serve`'s flags decide). Starlette, uvicorn and python-multipart are
the optional `web` extra; nothing else in citecheck imports this package.

May import: model, findings, rules, results, version, engine, config, documents, references, fix, report, sources.
"""
