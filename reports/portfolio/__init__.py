"""The whole portfolio, for those who audit it (regulators, the certification body, superusers):
every submission, evaluation, decision and certificate of every organisation, filtered, sorted,
paged and exported, the history of each, and statistics with their plots (issue 8).

Read-only throughout: nothing here writes a row. ``access`` says who sees it, ``filters`` the one
set of filters the pages, the API and the exports accept, ``selectors`` the rows and histories,
``exports`` the streamed CSV and JSON files, ``statistics`` the SQL aggregates and ``charts`` their
Vega-Lite pictures; ``pages`` and ``api`` are the thin adapters.
"""
