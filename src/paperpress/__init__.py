"""paperpress: publish a white paper and its brief from Markdown text and tidy data."""

__version__ = "0.1.0"
