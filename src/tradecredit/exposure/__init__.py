"""Exposure per buyer and per corporate group: open invoices plus uninvoiced orders and deliveries."""
