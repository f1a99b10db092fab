"""Staff bulk content: import and export of skills, guides, companies and postings.

The format is documented in README.md, "Importing and exporting content". Django imports
this package before the models are ready, so it re-exports nothing: import from
`content.importer`, `content.exporter`, `content.sources` and `content.format`.
"""
