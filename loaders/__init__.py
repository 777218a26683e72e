"""Loaders: review chronologies (folders, workbooks, combined CSVs) in, validated records out."""

from dhrgraph.loaders.records import Agency, Contacts, Person, Relationship, Review
from dhrgraph.loaders.review import ReadResult, read_reviews
from dhrgraph.loaders.tabular import LoadError, Problem

__all__ = ["read_reviews", "ReadResult", "LoadError", "Problem", "Review", "Person", "Relationship", "Agency", "Contacts"]
