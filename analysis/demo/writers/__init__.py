"""The demo's file writers, one module a file kind: each returns the bytes of a file, written the way the
units' software writes it, with fixed timestamps so that a second run gives identical bytes."""
