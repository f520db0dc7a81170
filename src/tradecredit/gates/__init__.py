"""Credit gates at quote, order, delivery and invoice, and the hold queue."""
