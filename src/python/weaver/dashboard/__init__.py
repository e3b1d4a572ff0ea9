"""The dashboard of a deployment: call graph with live traffic, replicas, methods, traces, logs.

Pure functions turn what a manager already has (status, merged metric snapshots, spans, log
entries) into a view model (`model`), which is served as JSON for programs and rendered as
HTML with an inline SVG graph for people (`pages`, `svg`). `routes` maps URL paths to those
renderers over a `Source`; the multi manager and `weaver multi dashboard` provide sources.
"""
