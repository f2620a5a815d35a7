"""Steps and widgets that more than one Application shares (the batch widgets)."""
