"""The receivables ledger: customer accounts, invoices, credit notes, payments and allocations."""
