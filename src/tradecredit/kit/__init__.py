"""Small, library-grade building blocks: money, currencies, countries, dates, clock, ids, errors."""
