"""Orders: sales placed and delivered but not yet invoiced."""
