"""The site around the Applications: security, login, layout, errors, health."""
