"""Renderers: results to text (tables, CSV/JSON, Markdown, LaTeX, DOT/SVG/PNG, notebook
HTML). They never compute; they only format. Imports from the features (grading, teach,
training) and every floor below them; never from page or cli."""
