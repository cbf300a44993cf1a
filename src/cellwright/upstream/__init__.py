"""Raw-material processing: the cost of a processed material by route, region, scale and year
(:mod:`cellwright.upstream.process`, routes in ``data/upstream.toml``)."""
