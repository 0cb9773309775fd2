"""Report: statistics → charts → documents → the papermill runner."""
