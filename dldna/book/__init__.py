"""Helpers for the book's notebooks: drawings, quizzes and display utilities (layer 5)."""
