"""Built-in channels of publisher, importable as ``publisher_channels`` (one module per channel)."""
