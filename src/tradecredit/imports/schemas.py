"""What an import reports back."""

from __future__ import annotations

from pydantic import BaseModel


class ImportResult(BaseModel):
    """The outcome of one accepted file (a rejected file raises `BatchRejected` instead)."""

    kind: str
    file: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    accounts_opened: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            text = (
                f"dry run: {self.rows} rows valid, would create {self.created}, "
                f"update {self.updated}, leave {self.unchanged} unchanged"
            )
            if self.accounts_opened:
                text += f" (and open {self.accounts_opened} customer accounts)"
            return text
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.accounts_opened:
            text += f" ({self.accounts_opened} customer accounts opened with default terms)"
        return text
