"""Reusable Dash component factories shared by several pages (with their callbacks)."""
