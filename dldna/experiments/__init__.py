"""The experiment code of the chapters, one module per chapter (e.g. ``evaluation`` for
chapter 13): what a chapter trains and measures, at the size its profile allows."""
