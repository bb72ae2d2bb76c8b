"""Built-in vendor profiles (package data)."""
