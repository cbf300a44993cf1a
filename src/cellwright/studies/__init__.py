"""Studies: the chain over many variants -- study files, sampling methods, analysis.

A study file (TOML) names the inputs (cell spec, plant, project, ...), the stages to run, a
method (grid, random, Latin hypercube, Sobol, Morris, tornado, NSGA-II) and the variables,
each a list of values, a range or a distribution (:mod:`cellwright.studies.spec`).
:mod:`cellwright.studies.methods` turns it into chunks of variants, and
:mod:`cellwright.studies.analysis` summarises the results.
"""
