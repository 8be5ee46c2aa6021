"""The public register (issue 9): anyone may search the certificates by holder, model number or
name, filter and sort them, page through them, read one product's public facts and status history
and download the filtered list as CSV or JSON, without signing in.

It shows what the verification page and the signed credential already make public, never more:
no criteria, no evidence, no reviewer, and a status reason only where verification shows one
(``public``). ``params`` reads and refuses the query string, ``search`` runs the one query on the
columns migration 0009 generates (with a time budget), ``pages`` and ``api`` are thin adapters,
``exports`` streams the files, ``throttle`` counts requests as verification does.
"""
