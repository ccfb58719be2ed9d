"""The picture stage: find each article's pictures, resize them in the worker processes, publish them."""
