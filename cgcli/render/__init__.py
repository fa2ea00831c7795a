"""Renderers: results to text. They never compute; they only format."""
