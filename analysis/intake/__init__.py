"""Intake: files → cell grids → labelled cells → values → units → the year's four tables."""
