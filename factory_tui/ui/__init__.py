"""The Textual UI. Only `bridge` crosses into engine threads."""
