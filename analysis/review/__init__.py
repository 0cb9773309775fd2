"""Review: checks, schemas, materials, the review ledger and the feedback to units."""
