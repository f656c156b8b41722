# R's dbscan::hdbscan labels (noise 0, clusters from 1) for one minPts, comma-separated.
# Usage: Rscript scripts/reference/hdbscan.R points.csv minPts
# (points.csv: one point per line, no header). Called by cluster_reference.py.
suppressMessages(library(dbscan))
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(args[1], header = FALSE))
cat(hdbscan(x, minPts = as.integer(args[2]))$cluster, sep = ",")
cat("\n")
