"""The demo's file writers, one module a file kind, over one plain worksheet model (:class:`.grid.Sheet`): each
returns a file's bytes, written the way the units' software writes it, with fixed timestamps when asked (identical
bytes on every run).  ``tests/fixtures.py`` writes its test returns with these same writers."""
