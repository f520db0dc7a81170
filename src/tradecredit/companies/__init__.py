"""Companies (buyers), their financial statements and events."""
