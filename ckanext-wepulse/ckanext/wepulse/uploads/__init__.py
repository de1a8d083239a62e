"""Municipal publishers' tables: reading, checking and loading uploaded files."""
