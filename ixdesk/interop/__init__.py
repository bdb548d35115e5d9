"""Reading the clinic's systems into a consult: FHIR R4 bundles and Bulk Data NDJSON (files only,
never the network). Qt-free and reportlab-free; it uses the core only (import-linter contracts)."""
