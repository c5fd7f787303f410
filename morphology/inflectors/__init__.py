"""Inflectors, registered by method name on import: lookup, rules, neural, auto."""

from morphology.inflectors import auto as auto
from morphology.inflectors import lookup as lookup
from morphology.inflectors import neural as neural
from morphology.inflectors import rules as rules
