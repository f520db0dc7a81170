"""Problems with an import as a whole (not with one row): exit code 2 at the command line."""

from __future__ import annotations

from tradecredit.kit.errors import InvalidInput


class ImportFileUnreadable(InvalidInput):
    """The file cannot be read at all: missing, not UTF-8, not a workbook, no such sheet."""

    code = "import_file_unreadable"


class MappingInvalid(InvalidInput):
    """The column-mapping file itself is wrong; the message names the key and why."""

    code = "mapping_invalid"
