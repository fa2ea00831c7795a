"""The core: the language and the graph.

The grammar's tables and their LALR driver, the parser, the graph IR and its column
table, the op table (the single source of truth for every operation), numbers, errors,
limits and the user's files. The ground floor: it imports nothing else of cg.
"""
