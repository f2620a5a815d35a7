"""Business logic: plain functions. The caller owns the transaction."""
