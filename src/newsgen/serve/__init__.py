"""The preview: a small HTTP server and the file watcher that rebuilds on save."""
