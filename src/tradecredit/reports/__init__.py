"""The credit report of one company (SPEC 3.A): data, HTML, PDF, in English and Chinese."""
