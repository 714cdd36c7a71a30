"""Generation: the streaming core (torch), the helper process, and its torch-free client."""
