"""Use cases: one module each. They are the only code that changes registry data."""
