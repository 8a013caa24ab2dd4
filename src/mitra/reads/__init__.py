"""Reads: one typed result for each thing a person looks at, built once for every face.

Each module here answers one question (Today, a journal page, alerts, exposure, insights,
products, substances, questionnaire history) with frozen dataclasses built from
`journal.timeline()`, the journal's queries and the engines. Web views, API routes and CLI
commands only render these; `serialise.document` turns any of them into the one JSON document
that the API returns and the CLI's `--json` prints.
"""
