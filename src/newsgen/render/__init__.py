"""Turning the indexed site into pages: the Jinja environment, page jobs and the views templates
see, feeds, sitemaps and JSON-LD. Pure: yields Page records, writes nothing."""
