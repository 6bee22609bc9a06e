"""The service: `Tracker`, the one way in for the command line and for Python users, in parts.

`tracker` opens a database and is made of the parts: `base` (the store, agreements and
sources), `writes` (events, sources and files in; files out), `queries` (state, terms, diff,
explain, history, reach), `views` (what the command line and the report assemble) and `admin`
(integrity, migrations, backups, settings, schemas). It reads from the store, lets the core
decide and compute, and writes through the store. Modules only some questions need are
imported where used, to keep start-up short.
"""

from tracker.service.admin import (
    SCHEMA_ID,
    Verification,
    agreement_files,
    backup,
    current_revision,
    database_error,
    database_path,
    default_agreement_setting,
    file_schema,
    init_file,
    migrate,
)
from tracker.service.base import AgreementSummary, History, TermEntry
from tracker.service.tracker import Opened, Tracker
from tracker.service.views import MAX_REPORT_DATES, Corrected, LogView, Report
from tracker.service.writes import RECORDABLE_TYPES, AddedSource, Appended
from tracker.store.log import AppendResult

__all__ = [
    "MAX_REPORT_DATES",
    "RECORDABLE_TYPES",
    "SCHEMA_ID",
    "AddedSource",
    "AgreementSummary",
    "AppendResult",
    "Appended",
    "Corrected",
    "History",
    "LogView",
    "Opened",
    "Report",
    "TermEntry",
    "Tracker",
    "Verification",
    "agreement_files",
    "backup",
    "current_revision",
    "database_error",
    "database_path",
    "default_agreement_setting",
    "file_schema",
    "init_file",
    "migrate",
]
