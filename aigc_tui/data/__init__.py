"""Data sets: built-in ones that need no download, torchvision sets, and the user's own files."""
