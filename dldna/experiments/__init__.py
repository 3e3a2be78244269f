"""One chapter's experiment code per module (layer 4: may use everything below it).

The notebooks call these functions and show the results; the functions hold the loops over
datasets, sizes, strategies and seeds so that the chapters stay readable.
"""
