"""Database engine, sessions and column types shared by every domain package."""
