"""The `bert-keras` command line."""
