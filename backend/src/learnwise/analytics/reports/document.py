"""A report as data, before it is rendered: titled tables and charts."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Cell = str | int | float | bool | date | datetime | None


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # Why rows are missing (k-anonymity), shown under the table.
    note: str | None = None


@dataclass
class Chart:
    title: str
    kind: Literal["bar", "line"]
    labels: list[str]
    values: list[float]


@dataclass
class ReportDocument:
    title: str
    # What the report covers and how it was made: (label, value) pairs shown first.
    facts: list[tuple[str, str]]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(table.rows) for table in self.tables)
