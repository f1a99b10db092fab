"""Staff bulk content: import and export of skills, guides, companies and postings.

The format is documented in README.md, "Importing and exporting content".
"""

from .exporter import ExportReport, export_content
from .format import FORMAT, VERSION, format_timestamp, parse_timestamp
from .importer import ImportReport, SectionReport, import_content, import_source
from .sources import ContentError, ContentSource, open_content

__all__ = [
    "FORMAT",
    "VERSION",
    "ContentError",
    "ContentSource",
    "ExportReport",
    "ImportReport",
    "SectionReport",
    "export_content",
    "format_timestamp",
    "import_content",
    "import_source",
    "open_content",
    "parse_timestamp",
]
