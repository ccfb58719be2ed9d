"""What makes rebuilds cost what changed: the parsed-article store, cache keys, and the one
change detector that decides which pages need rendering again."""
