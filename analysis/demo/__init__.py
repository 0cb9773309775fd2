"""Synthetic demo returns: a believable Suizhou, 2021–2024, with planted problems (``python -m analysis demo``).

For each demo year the returns as units really send them (Word tables, workbooks, one CSV, photos, a summary, a
video) go into ``<raw>/<year>/``, the true values and the planted problems into ``<truth>/<year>.csv`` and
``<truth>/<year>_planted.csv`` (default ``data/demo/truth``, read by the tests only), the settled ledger into
``<raw>/../review/<year>.xlsx``.  Everything is seeded and every document timestamp fixed: a second run gives
identical bytes.

- :mod:`~analysis.demo.city`: the fictional city, its units' sizes and trends, the true figures;
- :mod:`~analysis.demo.plans`: each year's planted problems and file layouts;
- :mod:`~analysis.demo.spelling`: how units write labels and type values;
- :mod:`~analysis.demo.returns`: one return as a unit filled it in;
- :mod:`~analysis.demo.writers`: the file writers (.docx, .xlsx, .xls, .ods, .csv), shared with the tests' fixtures;
- :mod:`~analysis.demo.media`: minimal photo, video and PDF bytes;
- :mod:`~analysis.demo.materials`: the files a unit sends besides its table;
- :mod:`~analysis.demo.ledger`: how the bureau settled each planted problem;
- :mod:`~analysis.demo.build`: one year in memory; :mod:`~analysis.demo.generate`: writing it out;
- :mod:`~analysis.demo.cli`: the command.

xlwt and odfpy (the .xls and .ods writers) come with the ``demo`` extra; only :mod:`~analysis.demo.cli` may be
imported without it.
"""
