"""Publishing: the output folder replaced atomically, and the search index built into it."""
