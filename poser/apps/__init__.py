"""The web layer: framework, site, templates, static and one module per Application."""
