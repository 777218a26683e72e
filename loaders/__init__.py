"""Loaders: review chronologies (folders, workbooks, combined CSVs) in, validated records out."""

from loaders.records import Agency, Contacts, Person, Relationship, Review
from loaders.review import ReadResult, read_reviews
from loaders.tabular import LoadError, Problem

__all__ = ["read_reviews", "ReadResult", "LoadError", "Problem", "Review", "Person", "Relationship", "Agency", "Contacts"]
