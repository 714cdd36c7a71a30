"""The Textual app: imports no torch (a test checks it in a fresh process)."""
