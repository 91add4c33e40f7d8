#!/usr/bin/env python3
"""How fast lxml alone reads a ZAP XML report's alert items on this machine.

The breadth issue quotes lxml at about 87,000 alerts/s "on this machine kind" beside its ZAP
targets; measured beside Rampart's figures, it tells how this machine compares with that one.
Prints the median rate of three runs, or exits 3 when lxml is not installed.
"""
import statistics
import sys
import time

try:
    from lxml import etree
except ImportError:
    sys.exit(3)

path = sys.argv[1]
rates = []
for _ in range(3):
    start = time.perf_counter()
    count = 0
    for _, element in etree.iterparse(path, tag="alertitem"):
        count += 1
        element.clear()
    rates.append(count / (time.perf_counter() - start))
print(f"{statistics.median(rates):.0f}")
