"""Use cases. Services add and flush, never commit; the acting user is passed in explicitly."""
