"""Inflectors, registered by method name on import: lookup, rules, neural, auto."""

from lrx.morphology.inflectors import auto as auto
from lrx.morphology.inflectors import lookup as lookup
from lrx.morphology.inflectors import neural as neural
from lrx.morphology.inflectors import rules as rules
