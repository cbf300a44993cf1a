"""Storage systems: cells into modules, racks and containers; efficiency chain; operation,
augmentation, levelized cost of storage and tender evaluation."""
