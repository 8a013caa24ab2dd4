"""Interop: the journal in other shapes (JSON today; CSV, FHIR R4 and importers to come).

A face like the web and the CLI: it reads through journal queries, never the models.
"""
